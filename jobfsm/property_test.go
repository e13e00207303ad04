package jobfsm_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var (
	sources = []jobfsm.SourceType{
		jobfsm.SourceWorkOrder, jobfsm.SourceViolation, jobfsm.SourceARCRequest,
		jobfsm.SourceDirectCustomer, jobfsm.SourceLead, jobfsm.SourceRecurring,
	}
	jobActions = []jobfsm.Action{
		"QUALIFY", "REQUIRE_ESTIMATE", "SEND_ESTIMATE", "APPROVE_ESTIMATE", "REVISE_ESTIMATE", "BOOK",
		"SCHEDULE", "RESCHEDULE", "UNSCHEDULE", "DISPATCH", "START", "HOLD", "RESUME", "COMPLETE",
		"INVOICE", "PAY", "ENTER_WARRANTY", "REOPEN_FOR_WARRANTY", "CLOSE", "CANCEL", "DEPART", "OPEN",
	}
)

// drawFacts draws facts where each guard usually holds, so that random
// walks get far.
func drawFacts(t *rapid.T) jobfsm.Facts {
	often := func(label string) bool { return rapid.IntRange(0, 9).Draw(t, label) > 1 }
	n := func(label string, good bool) int {
		if good {
			return rapid.IntRange(1, 2).Draw(t, label)
		}
		return 0
	}
	money := func(label string, zero bool) decimal.Decimal {
		if zero {
			return decimal.Zero
		}
		return decimal.New(rapid.Int64Range(1, 99999).Draw(t, label), -2)
	}
	f := jobfsm.Facts{
		OpenEstimates:      n("openEstimates", often("openEstimates?")),
		AcceptedEstimates:  n("acceptedEstimates", often("acceptedEstimates?")),
		TechnicianAssigned: often("technician?"),
		OpenCheckpoints:    n("openCheckpoints", !often("checkpoints done?")),
		Invoices:           n("invoices", often("invoices?")),
		BalanceDue:         money("balanceDue", often("settled?")),
		AmountPaid:         money("amountPaid", often("no payments?")),
	}
	if often("visits done?") {
		f.Visits = jobfsm.VisitCounts{Completed: rapid.IntRange(0, 2).Draw(t, "completed"), Cancelled: rapid.IntRange(0, 1).Draw(t, "cancelled")}
	} else {
		f.Visits = jobfsm.VisitCounts{Scheduled: rapid.IntRange(0, 2).Draw(t, "scheduled"), Active: rapid.IntRange(0, 1).Draw(t, "active")}
	}
	return f
}

// walk is a random job history: the job, its history, and how many moves
// were refused on the way.
type walk struct {
	job     jobfsm.Job
	history []jobfsm.HistoryEntry
}

// drawWalk makes a random sequence of commands (targets and actions, legal
// or not, with random facts) and checks each outcome against the spec and
// the oracle: a terminal job never moves, a move happens exactly when its
// edge is in the spec and every guard holds, a refusal names the first
// rule that fails, and the history always replays to the job.
func drawWalk(t *rapid.T, steps int) walk {
	spec := parseSpec[jobfsm.JobStatus](jobSpec)
	at := t0.Add(time.Duration(rapid.IntRange(0, 7*24*60).Draw(t, "start")) * time.Minute)
	open, err := jobfsm.Open(rapid.SampledFrom(sources).Draw(t, "source"), req(at))
	if err != nil {
		t.Fatal(err)
	}
	w := walk{job: open.Job, history: []jobfsm.HistoryEntry{open.Entry}}
	w.job.WarrantyEnds = at.Add(time.Duration(rapid.IntRange(1, 30*24).Draw(t, "warranty")) * time.Hour)
	for range steps {
		at = at.Add(time.Duration(rapid.IntRange(0, 12*60).Draw(t, "wait")) * time.Minute)
		cur := world{job: w.job, facts: drawFacts(t), req: req(at)}
		if rapid.IntRange(0, 9).Draw(t, "no reason?") == 0 {
			cur.req.ReasonCode = ""
		}
		// Pick a command: mostly one the spec has from here.
		var (
			to     jobfsm.JobStatus
			action jobfsm.Action
			ch     jobfsm.Change
		)
		targets := make([]jobfsm.JobStatus, 0, len(spec[w.job.Status]))
		for s := range spec[w.job.Status] {
			targets = append(targets, s)
		}
		slices.Sort(targets)
		// Cancelling is rare, so that walks get deep into the lifecycle.
		if len(targets) > 1 && rapid.IntRange(0, 19).Draw(t, "cancel?") > 0 {
			targets = slices.DeleteFunc(targets, func(s jobfsm.JobStatus) bool { return s == "CANCELLED" })
		}
		if len(targets) == 0 || rapid.IntRange(0, 6).Draw(t, "wild?") == 0 {
			to = rapid.SampledFrom(append(slices.Clone(jobStatuses), "BOGUS")).Draw(t, "any target")
		} else {
			to = rapid.SampledFrom(targets).Draw(t, "target")
		}
		byAction := rapid.Bool().Draw(t, "by action?")
		if byAction {
			action = spec[w.job.Status][to].action
			if action == "" || rapid.IntRange(0, 4).Draw(t, "wild action?") == 0 {
				action = rapid.SampledFrom(jobActions).Draw(t, "any action")
			}
			ch, err = w.job.Perform(action, cur.facts, cur.req)
			// What the action should reach, per the spec.
			to = ""
			if action == "RESUME" && w.job.Status == "ON_HOLD" {
				to = w.job.HeldFrom
			} else {
				for s, e := range spec[w.job.Status] {
					if e.action == action {
						to = s
					}
				}
			}
		} else {
			ch, err = w.job.Apply(to, cur.facts, cur.req)
		}
		e, inSpec := spec[w.job.Status][to]
		switch {
		case slices.Contains(jobTerminal, w.job.Status):
			if !errors.Is(err, jobfsm.ErrIllegalTransition) {
				t.Fatalf("a %s job moved: %v", w.job.Status, err)
			}
			continue
		case !inSpec:
			if !errors.Is(err, jobfsm.ErrIllegalTransition) {
				t.Fatalf("%s → %q (action %q) is not in the spec, yet: %v", w.job.Status, to, action, err)
			}
			continue
		}
		var failing jobfsm.Rule
		for _, g := range e.guards {
			if !oracle(cur, to, g) {
				failing = g
				break
			}
		}
		if failing != "" {
			var te *jobfsm.TransitionError
			if !errors.As(err, &te) || te.Rule != failing {
				t.Fatalf("%s → %s: guard %s fails, yet: %v", w.job.Status, to, failing, err)
			}
			continue
		}
		if err != nil || ch.Job.Status != to {
			t.Fatalf("%s → %s: every guard holds, yet: %v", w.job.Status, to, err)
		}
		// Options agree with the outcome.
		opt := slices.IndexFunc(w.job.Options(cur.facts, cur.req.At), func(o jobfsm.Option[jobfsm.JobStatus]) bool { return o.To == to })
		if opt < 0 || !w.job.Options(cur.facts, cur.req.At)[opt].Allowed {
			t.Fatalf("%s → %s happened but the option is not allowed", w.job.Status, to)
		}
		w.job = ch.Job
		w.history = append(w.history, ch.Entry)
		replayed, err := jobfsm.Replay(w.history)
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		replayed.WarrantyEnds = w.job.WarrantyEnds
		if diff := cmp.Diff(w.job, replayed); diff != "" {
			t.Fatalf("the history does not replay to the job (-job +replayed):\n%s", diff)
		}
	}
	return w
}

func TestJobProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWalk(t, rapid.IntRange(0, 60).Draw(t, "steps"))
		// Invariants of the state reached.
		if (w.job.Status == "ON_HOLD") != (w.job.HeldFrom != "") {
			t.Fatalf("status %s, heldFrom %q", w.job.Status, w.job.HeldFrom)
		}
		everStarted := slices.ContainsFunc(w.history, func(h jobfsm.HistoryEntry) bool { return h.To == "IN_PROGRESS" })
		if everStarted == w.job.Stamps.StartedAt.IsZero() {
			t.Fatalf("startedAt %v, ever started %v", w.job.Stamps.StartedAt, everStarted)
		}
		if first := slices.IndexFunc(w.history, func(h jobfsm.HistoryEntry) bool { return h.To == "IN_PROGRESS" }); first >= 0 && !w.job.Stamps.StartedAt.Equal(w.history[first].At) {
			t.Fatalf("startedAt is not the first start")
		}
	})
}

// TestOptionsProperties: on random facts, each option is allowed exactly
// when every non-input guard holds, and lists the failing ones in order.
func TestOptionsProperties(t *testing.T) {
	spec := parseSpec[jobfsm.JobStatus](jobSpec)
	rapid.Check(t, func(t *rapid.T) {
		cur := world{
			job:   jobfsm.Job{Status: rapid.SampledFrom(jobStatuses).Draw(t, "status"), WarrantyEnds: t0.Add(time.Duration(rapid.IntRange(-2, 2).Draw(t, "warranty")) * time.Hour)},
			facts: drawFacts(t),
			req:   req(t0),
		}
		if cur.job.Status == "ON_HOLD" {
			cur.job.HeldFrom = rapid.SampledFrom([]jobfsm.JobStatus{"JOB_CREATED", "SCHEDULED", "DISPATCHED", "IN_PROGRESS", ""}).Draw(t, "heldFrom")
		}
		for _, o := range cur.job.Options(cur.facts, t0) {
			var want []jobfsm.Rule
			for _, g := range spec[o.From][o.To].guards {
				if g != "REASON_CODE_REQUIRED" && !oracle(cur, o.To, g) {
					want = append(want, g)
				}
			}
			var got []jobfsm.Rule
			for _, r := range o.Refusals {
				got = append(got, r.Rule)
			}
			if !slices.Equal(want, got) || o.Allowed != (len(want) == 0) {
				t.Fatalf("%s → %s: refusals %v, want %v (allowed %v)", o.From, o.To, got, want, o.Allowed)
			}
		}
	})
}

// slaOracle computes a target's elapsed business time from the history
// directly: it runs from the first move out of LEAD until its stop
// (response: first IN_PROGRESS; resolution: first COMPLETED; both: a
// cancellation), except while ON_HOLD when the policy pauses.
func slaOracle(cal *jobfsm.Calendar, history []jobfsm.HistoryEntry, stops []jobfsm.JobStatus, pauses bool, now time.Time) time.Duration {
	var (
		sum     time.Duration
		since   time.Time
		running bool
		started bool
	)
	for _, h := range history {
		if h.At.After(now) {
			break
		}
		switch {
		case !started && h.To != "LEAD" && h.To != "CANCELLED":
			started, running, since = true, true, h.At
		case !started:
		case h.To == "CANCELLED" || slices.Contains(stops, h.To):
			if running {
				sum += cal.Elapsed(since, h.At)
			}
			return sum
		case h.To == "ON_HOLD" && pauses && running:
			sum += cal.Elapsed(since, h.At)
			running = false
		case h.From == "ON_HOLD" && !running:
			running, since = true, h.At
		}
	}
	if running {
		sum += cal.Elapsed(since, now)
	}
	return sum
}

// TestSLAProperties: on random histories and calendars, the clock's
// elapsed time is the oracle's, remaining and overdue add up, escalations
// fall where the calendar says, and at WakeAt the next escalation is
// reached.
func TestSLAProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWalk(t, rapid.IntRange(0, 25).Draw(t, "steps"))
		loc := mustLoad(t, rapid.SampledFrom(zones).Draw(t, "zone"))
		cal, err := jobfsm.NewCalendar(loc, randomHours(t, jobfsm.DateOf(t0)))
		if err != nil {
			t.Fatal(err)
		}
		p := jobfsm.Policy{
			ResponseMinutes:   rapid.IntRange(1, 3*24*60).Draw(t, "response"),
			ResolutionMinutes: rapid.IntRange(1, 10*24*60).Draw(t, "resolution"),
			WallClock:         rapid.Bool().Draw(t, "wall clock?"),
			RunsOnHold:        rapid.Bool().Draw(t, "runs on hold?"),
		}
		clock, err := jobfsm.NewSLAClock(p, cal, w.history)
		if err != nil {
			t.Fatal(err)
		}
		measure := cal
		if p.WallClock {
			measure = nil
		}
		last := w.history[len(w.history)-1].At
		now := last.Add(time.Duration(rapid.IntRange(-3*24*60, 3*24*60).Draw(t, "now")) * time.Minute)
		st := clock.Status(now)
		for _, k := range []struct {
			name   string
			target jobfsm.TargetStatus
			stops  []jobfsm.JobStatus
		}{
			{"response", st.Response, []jobfsm.JobStatus{"IN_PROGRESS", "COMPLETED"}},
			{"resolution", st.Resolution, []jobfsm.JobStatus{"COMPLETED"}},
		} {
			tg := k.target
			if want := slaOracle(measure, w.history, k.stops, !p.RunsOnHold, now); tg.Elapsed != want {
				t.Fatalf("%s elapsed %v, oracle %v (%+v)", k.name, tg.Elapsed, want, tg)
			}
			if tg.Elapsed+tg.Remaining-tg.Overdue != tg.Target || tg.Breached != (tg.Overdue > 0) {
				t.Fatalf("%s: elapsed %v + remaining %v - overdue %v != target %v", k.name, tg.Elapsed, tg.Remaining, tg.Overdue, tg.Target)
			}
			for _, e := range tg.Escalations {
				if e.Reached && e.At.After(now) || !e.Reached && !e.At.IsZero() && !e.At.After(now) {
					t.Fatalf("%s: escalation %+v at %v", k.name, e, now)
				}
			}
			if tg.State == "RUNNING" && tg.Breached != now.After(tg.Due) {
				t.Fatalf("%s: running, due %v, now %v, breached %v", k.name, tg.Due, now, tg.Breached)
			}
		}
		if st.WakeAt.IsZero() || now.Before(last) {
			return
		}
		// Nothing happens between now and WakeAt: the escalation due then
		// is reached, exactly then and not a nanosecond before.
		later, before := clock.Status(st.WakeAt), clock.Status(st.WakeAt.Add(-time.Nanosecond))
		reached := func(s jobfsm.SLAStatus) int {
			n := 0
			for _, e := range append(slices.Clone(s.Response.Escalations), s.Resolution.Escalations...) {
				if e.Reached {
					n++
				}
			}
			return n
		}
		if reached(later) <= reached(st) || reached(before) != reached(st) {
			t.Fatalf("at WakeAt %v: %d escalations reached, %d a nanosecond before, %d at %v", st.WakeAt, reached(later), reached(before), reached(st), now)
		}
	})
}
