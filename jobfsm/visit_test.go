package jobfsm_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// matrix tries every pair of a small machine's statuses. apply makes the
// move with every guard holding, except broken (when not empty).
func matrix[S ~string](t *testing.T, statuses, terminal []S, spec string,
	apply func(from, to S, broken jobfsm.Rule) (S, jobfsm.Entry[S], error)) {
	t.Helper()
	edges := parseSpec[S](spec)
	for _, from := range statuses {
		for _, to := range statuses {
			e, ok := edges[from][to]
			got, entry, err := apply(from, to, "")
			if !ok {
				rule := jobfsm.RuleNotInTable
				switch {
				case slices.Contains(terminal, from):
					rule = jobfsm.RuleTerminal
				case from == to:
					rule = jobfsm.RuleAlreadyInStatus
				}
				wantRefusal(t, err, rule)
				continue
			}
			if err != nil || got != to {
				t.Errorf("%s → %s: %v", from, to, err)
				continue
			}
			if entry.From != from || entry.To != to || entry.Action != e.action || entry.At != t0 {
				t.Errorf("%s → %s: entry %+v", from, to, entry)
			}
			for _, g := range e.guards {
				_, _, err := apply(from, to, g)
				wantRefusal(t, err, g)
			}
		}
	}
}

func TestVisitMatrix(t *testing.T) {
	matrix(t, visitStatuses, visitTerminal, visitSpec, func(from, to jobfsm.VisitStatus, broken jobfsm.Rule) (jobfsm.VisitStatus, jobfsm.Entry[jobfsm.VisitStatus], error) {
		v, r := jobfsm.Visit{Status: from, TechnicianID: "tech-1"}, req(t0)
		switch broken {
		case "TECHNICIAN_ASSIGNED":
			v.TechnicianID = ""
		case "REASON_CODE_REQUIRED":
			r.ReasonCode = ""
		}
		ch, err := v.Apply(to, r)
		return ch.Visit.Status, ch.Entry, err
	})
}

func TestVisitTableIsTheSpec(t *testing.T) {
	tableIsSpec(t, jobfsm.VisitTable(), visitSpec, jobfsm.VisitStatuses(), visitStatuses, visitTerminal)
}

// TestVisitDay walks one visit through a day with a lunch break.
func TestVisitDay(t *testing.T) {
	v := jobfsm.Visit{Status: "SCHEDULED", TechnicianID: "tech-1"}
	at := t0
	for _, a := range []jobfsm.Action{"DEPART", "ARRIVE", "START", "PAUSE", "RESUME", "COMPLETE"} {
		at = at.Add(30 * time.Minute)
		ch, err := v.Perform(a, req(at))
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		v = ch.Visit
	}
	want := jobfsm.VisitStamps{
		EnRouteAt: t0.Add(30 * time.Minute), ArrivedAt: t0.Add(60 * time.Minute), StartedAt: t0.Add(90 * time.Minute),
		PausedAt: t0.Add(120 * time.Minute), CompletedAt: t0.Add(180 * time.Minute),
	}
	if diff := cmp.Diff(want, v.Stamps); diff != "" {
		t.Errorf("stamps (-want +got):\n%s", diff)
	}
	if _, err := v.Perform("PAUSE", req(at)); !errors.Is(err, jobfsm.ErrIllegalTransition) {
		t.Errorf("pause a completed visit: %v", err)
	}
	c, err := jobfsm.Visit{Status: "EN_ROUTE"}.Perform("CANCEL", req(at))
	if err != nil || c.Visit.Stamps.CancelledAt != at || c.Entry.ReasonCode != "CUSTOMER_REQUEST" {
		t.Errorf("cancel: %+v, %v", c, err)
	}
	opts := jobfsm.Visit{Status: "SCHEDULED"}.Options()
	if len(opts) != 3 || opts[0].Allowed || opts[0].Refusals[0].Rule != "TECHNICIAN_ASSIGNED" || !opts[2].NeedsReason || !opts[2].Allowed {
		t.Errorf("options of an unassigned visit: %+v", opts)
	}
}

func TestCountVisits(t *testing.T) {
	got := jobfsm.CountVisits([]jobfsm.VisitStatus{"SCHEDULED", "EN_ROUTE", "ARRIVED", "IN_PROGRESS", "PAUSED", "COMPLETED", "COMPLETED", "CANCELLED", "WEIRD"})
	want := jobfsm.VisitCounts{Scheduled: 1, Active: 5, Completed: 2, Cancelled: 1}
	if got != want || got.Open() != 6 {
		t.Errorf("CountVisits = %+v", got)
	}
}

func TestFollowVisits(t *testing.T) {
	none := jobfsm.VisitCounts{}
	booked := jobfsm.VisitCounts{Scheduled: 1}
	underway := jobfsm.VisitCounts{Scheduled: 1, Active: 1}
	done := jobfsm.VisitCounts{Completed: 2, Cancelled: 1}
	for _, tt := range []struct {
		status jobfsm.JobStatus
		visits jobfsm.VisitCounts
		want   jobfsm.Following
	}{
		{"JOB_CREATED", none, jobfsm.Following{Status: "JOB_CREATED"}},
		{"JOB_CREATED", booked, jobfsm.Following{Status: "SCHEDULED", Path: []jobfsm.JobStatus{"SCHEDULED"}}},
		{"JOB_CREATED", underway, jobfsm.Following{Status: "IN_PROGRESS", Path: []jobfsm.JobStatus{"SCHEDULED", "DISPATCHED", "IN_PROGRESS"}}},
		{"SCHEDULED", booked, jobfsm.Following{Status: "SCHEDULED"}},
		{"SCHEDULED", underway, jobfsm.Following{Status: "IN_PROGRESS", Path: []jobfsm.JobStatus{"DISPATCHED", "IN_PROGRESS"}}},
		{"SCHEDULED", none, jobfsm.Following{Status: "SCHEDULED"}},
		{"DISPATCHED", underway, jobfsm.Following{Status: "IN_PROGRESS", Path: []jobfsm.JobStatus{"IN_PROGRESS"}}},
		{"DISPATCHED", booked, jobfsm.Following{Status: "DISPATCHED"}},
		{"IN_PROGRESS", underway, jobfsm.Following{Status: "IN_PROGRESS"}},
		{"IN_PROGRESS", booked, jobfsm.Following{Status: "IN_PROGRESS"}},
		{"IN_PROGRESS", done, jobfsm.Following{Status: "IN_PROGRESS", ReadyToComplete: true}},
		{"IN_PROGRESS", jobfsm.VisitCounts{Cancelled: 2}, jobfsm.Following{Status: "IN_PROGRESS"}},
		{"ON_HOLD", underway, jobfsm.Following{Status: "ON_HOLD"}},
		{"WARRANTY", underway, jobfsm.Following{Status: "IN_PROGRESS", Path: []jobfsm.JobStatus{"IN_PROGRESS"}}},
		{"WARRANTY", done, jobfsm.Following{Status: "WARRANTY"}},
		{"TICKET", underway, jobfsm.Following{Status: "TICKET"}},
		{"COMPLETED", underway, jobfsm.Following{Status: "COMPLETED"}},
	} {
		got := jobfsm.FollowVisits(tt.status, tt.visits)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("FollowVisits(%s, %+v) (-want +got):\n%s", tt.status, tt.visits, diff)
		}
	}
}

// TestFollowVisitsPathIsLegal: every path FollowVisits returns applies
// edge by edge through the table with the facts of its visits.
func TestFollowVisitsPathIsLegal(t *testing.T) {
	for _, s := range jobStatuses {
		for _, v := range []jobfsm.VisitCounts{{}, {Scheduled: 1}, {Active: 1}, {Scheduled: 2, Active: 1, Completed: 1}} {
			j := jobfsm.Job{Status: s, HeldFrom: "JOB_CREATED", WarrantyEnds: t0.Add(time.Hour)}
			f := jobfsm.Facts{TechnicianAssigned: true, Visits: v}
			for _, to := range jobfsm.FollowVisits(s, v).Path {
				ch, err := j.Apply(to, f, req(t0))
				if err != nil {
					t.Fatalf("%s with %+v: %s: %v", s, v, to, err)
				}
				j = ch.Job
			}
		}
	}
}
