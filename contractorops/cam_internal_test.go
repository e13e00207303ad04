package contractorops

import (
	"errors"
	"testing"
	"time"
)

// TestLinkTransitions checks every action of every side from every status
// against the lifecycle written out by hand.
func TestLinkTransitions(t *testing.T) {
	A, C := SideAssociation, SideContractor
	type want struct {
		to   LinkStatus // "" when refused
		code Code
	}
	ok := func(s LinkStatus) want { return want{to: s} }
	forbidden, illegal := want{code: CodeForbidden}, want{code: CodeIllegalTransition}
	// table[action][side][from] is the outcome; a missing entry is
	// ILLEGAL_TRANSITION for a side that may take the action.
	table := map[linkAction]map[LinkSide]map[LinkStatus]want{
		actionRequest: {
			A: {"": ok(LinkPending), LinkRejected: ok(LinkPending), LinkRevoked: ok(LinkPending)},
			C: nil, // never the contractor's
		},
		actionApprove: {A: nil, C: {LinkPending: ok(LinkApproved)}},
		actionReject:  {A: nil, C: {LinkPending: ok(LinkRejected)}},
		actionSuspend: {A: {LinkApproved: ok(LinkSuspended)}, C: {LinkApproved: ok(LinkSuspended)}},
		actionReinstate: {
			A: {LinkSuspended: ok(LinkApproved)},
			C: {LinkSuspended: ok(LinkApproved)},
		},
		actionRevoke: {
			A: {LinkPending: ok(LinkRevoked), LinkApproved: ok(LinkRevoked), LinkSuspended: ok(LinkRevoked)},
			C: {LinkPending: ok(LinkRevoked), LinkApproved: ok(LinkRevoked), LinkSuspended: ok(LinkRevoked)},
		},
	}
	statuses := []LinkStatus{"", LinkPending, LinkApproved, LinkRejected, LinkSuspended, LinkRevoked}
	at := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	for action, sides := range table {
		for _, side := range []LinkSide{A, C} {
			for _, from := range statuses {
				outcomes, allowed := sides[side]
				w, listed := outcomes[from]
				switch {
				case !allowed || outcomes == nil:
					w = forbidden
				case !listed:
					w = illegal
				}
				l := &Link{Status: from}
				if from == LinkSuspended {
					l.SuspendedBy = side // the suspending side reinstates
				}
				err := l.transition(action, side, "why", at)
				if w.code != "" {
					var e *Error
					if !errors.As(err, &e) || e.Code != w.code || l.Status != from {
						t.Errorf("%s by %s from %q: %v (status %s), want %s", action, side, from, err, l.Status, w.code)
					}
					continue
				}
				if err != nil || l.Status != w.to || len(l.History) != 1 || l.History[0].From != from || l.History[0].Side != side {
					t.Errorf("%s by %s from %q: %v, status %s, history %+v; want %s", action, side, from, err, l.Status, l.History, w.to)
				}
				if (l.Status == LinkSuspended) != (l.SuspendedBy == side) {
					t.Errorf("%s by %s from %q: suspended by %q", action, side, from, l.SuspendedBy)
				}
			}
		}
	}
	// Only the side that suspended reinstates.
	for _, by := range []LinkSide{A, C} {
		other := A
		if by == A {
			other = C
		}
		l := &Link{Status: LinkSuspended, SuspendedBy: by}
		var e *Error
		if err := l.transition(actionReinstate, other, "", at); !errors.As(err, &e) || e.Code != CodeForbidden || l.Status != LinkSuspended {
			t.Errorf("suspended by %s, reinstated by %s: %v", by, other, err)
		}
	}
}
