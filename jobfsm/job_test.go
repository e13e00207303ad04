package jobfsm_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/jobfsm"
)

func asTransitionError(t *testing.T, err error) *jobfsm.TransitionError {
	t.Helper()
	var te *jobfsm.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *TransitionError", err)
	}
	return te
}

// wantRefusal checks that err is a refusal by rule, matching the rule's
// sentinel and not the other.
func wantRefusal(t *testing.T, err error, rule jobfsm.Rule) *jobfsm.TransitionError {
	t.Helper()
	te := asTransitionError(t, err)
	if te.Rule != rule {
		t.Fatalf("refused by %s (%v), want %s", te.Rule, err, rule)
	}
	illegal := map[jobfsm.Rule]bool{"UNKNOWN_STATUS": true, "TERMINAL_STATUS": true, "ALREADY_IN_STATUS": true, "NOT_IN_TABLE": true, "HOLD_RETURN": true}[rule]
	if errors.Is(err, jobfsm.ErrIllegalTransition) != illegal || errors.Is(err, jobfsm.ErrGuardFailed) == illegal {
		t.Fatalf("%v: Is(ErrIllegalTransition) = %v, Is(ErrGuardFailed) = %v; rule %s is illegal: %v",
			err, errors.Is(err, jobfsm.ErrIllegalTransition), errors.Is(err, jobfsm.ErrGuardFailed), rule, illegal)
	}
	if !strings.HasPrefix(err.Error(), "jobfsm: ") || !strings.Contains(err.Error(), string(rule)) {
		t.Fatalf("message %q does not name the package and the rule", err)
	}
	return te
}

// TestJobMatrix tries every pair of statuses: the spec's edges succeed
// with every guard holding and are refused by each guard broken alone; the
// other pairs are refused by the table rule that applies.
func TestJobMatrix(t *testing.T) {
	spec := parseSpec[jobfsm.JobStatus](jobSpec)
	for _, from := range jobStatuses {
		for _, to := range jobStatuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				e, ok := spec[from][to]
				w := goodWorld(from, e.guards)
				ch, err := w.job.Apply(to, w.facts, w.req)
				if !ok {
					rule := jobfsm.RuleNotInTable
					switch {
					case slices.Contains(jobTerminal, from):
						rule = jobfsm.RuleTerminal
					case from == to:
						rule = jobfsm.RuleAlreadyInStatus
					}
					te := wantRefusal(t, err, rule)
					want := jobfsm.TransitionError{Machine: "JOB", From: string(from), To: string(to), Rule: rule}
					if diff := cmp.Diff(want, *te); diff != "" {
						t.Fatalf("error (-want +got):\n%s", diff)
					}
					return
				}
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				checkChange(t, w, to, e.action, ch)
				for _, g := range e.guards {
					bw := goodWorld(from, e.guards)
					breakRule(&bw, g)
					_, err := bw.job.Apply(to, bw.facts, bw.req)
					te := wantRefusal(t, err, g)
					if te.From != string(from) || te.To != string(to) || te.Action != e.action {
						t.Fatalf("refusal %+v does not name the edge", te)
					}
				}
			})
		}
	}
}

// checkChange checks what a successful move decided.
func checkChange(t *testing.T, w world, to jobfsm.JobStatus, a jobfsm.Action, ch jobfsm.Change) {
	t.Helper()
	from := w.job.Status
	if ch.Job.Status != to {
		t.Fatalf("status %s, want %s", ch.Job.Status, to)
	}
	if (to == "ON_HOLD") != (ch.Job.HeldFrom == from) || (to != "ON_HOLD" && ch.Job.HeldFrom != "") {
		t.Fatalf("heldFrom %q after %s → %s", ch.Job.HeldFrom, from, to)
	}
	if ch.Job.WarrantyEnds != w.job.WarrantyEnds {
		t.Fatalf("the machine changed warrantyEnds")
	}
	wantEntry := jobfsm.HistoryEntry{From: from, To: to, Action: a, Actor: w.req.Actor, ReasonCode: w.req.ReasonCode, Reason: w.req.Reason, At: w.req.At}
	if diff := cmp.Diff(wantEntry, ch.Entry); diff != "" {
		t.Fatalf("entry (-want +got):\n%s", diff)
	}
	if len(ch.Events) == 0 || ch.Events[0] != (jobfsm.Event{Type: "JOB_STATUS_CHANGED", At: w.req.At, From: from, To: to}) {
		t.Fatalf("first event %+v is not the status change", ch.Events)
	}
	var want []jobfsm.Stamp
	if f, ok := stampOf[to]; ok && (to != "IN_PROGRESS" || w.job.Stamps.StartedAt.IsZero()) {
		s := jobfsm.Stamp{Field: f, At: w.req.At}
		if to == "CLOSED" {
			s.By = w.req.Actor
		}
		want = append(want, s)
	}
	if diff := cmp.Diff(want, ch.Stamps); diff != "" {
		t.Fatalf("stamps (-want +got):\n%s", diff)
	}
}

func TestJobTableIsTheSpec(t *testing.T) {
	tableIsSpec(t, jobfsm.JobTable(), jobSpec, jobfsm.JobStatuses(), jobStatuses, jobTerminal)
	// The copy is the caller's.
	tab := jobfsm.JobTable()
	tab[0].Guards = append(tab[0].Guards, "X")
	tab[0].To = "X"
	if e := jobfsm.JobTable()[0]; e.To == "X" || len(e.Guards) != 0 {
		t.Errorf("JobTable shares its storage")
	}
}

func TestJobUnknownStatus(t *testing.T) {
	w := goodWorld("TICKET", nil)
	_, err := w.job.Apply("BOGUS", w.facts, w.req)
	wantRefusal(t, err, jobfsm.RuleUnknownStatus)
	_, err = jobfsm.Job{Status: "BOGUS"}.Apply("TICKET", w.facts, w.req)
	wantRefusal(t, err, jobfsm.RuleUnknownStatus)
	_, err = jobfsm.Job{}.Perform(jobfsm.ActionQualify, w.facts, w.req)
	wantRefusal(t, err, jobfsm.RuleUnknownStatus)
	if opts := (jobfsm.Job{Status: "BOGUS"}).Options(w.facts, t0); opts != nil {
		t.Errorf("options of an unknown status: %v", opts)
	}
}

// TestHoldReturn: a hold returns where it came from or moves forward.
func TestHoldReturn(t *testing.T) {
	line := []jobfsm.JobStatus{"JOB_CREATED", "SCHEDULED", "DISPATCHED", "IN_PROGRESS"}
	for i, held := range line {
		for j, to := range line {
			w := goodWorld("ON_HOLD", nil)
			w.job.HeldFrom = held
			ch, err := w.job.Apply(to, w.facts, w.req)
			if j < i {
				wantRefusal(t, err, jobfsm.RuleHoldReturn)
				continue
			}
			if err != nil || ch.Job.Status != to {
				t.Errorf("held from %s → %s: %v", held, to, err)
			}
		}
		w := goodWorld("ON_HOLD", nil)
		w.job.HeldFrom = held
		ch, err := w.job.Perform(jobfsm.ActionResume, w.facts, w.req)
		if err != nil || ch.Job.Status != held || ch.Entry.Action != "RESUME" || ch.Job.HeldFrom != "" {
			t.Errorf("RESUME held from %s: %+v, %v", held, ch.Entry, err)
		}
	}
	w := goodWorld("ON_HOLD", nil)
	w.job.HeldFrom = ""
	_, err := w.job.Perform(jobfsm.ActionResume, w.facts, w.req)
	wantRefusal(t, err, jobfsm.RuleHoldReturn)
	// Cancelling a hold is always possible.
	w.job.HeldFrom = "IN_PROGRESS"
	if _, err := w.job.Apply("CANCELLED", w.facts, w.req); err != nil {
		t.Errorf("cancel a hold: %v", err)
	}
}

// TestPerform: every action of the spec reaches its edge's target, and
// an action with no edge from here is refused.
func TestPerform(t *testing.T) {
	spec := parseSpec[jobfsm.JobStatus](jobSpec)
	for from, edges := range spec {
		for to, e := range edges {
			if from == "ON_HOLD" && e.action == "RESUME" {
				continue // TestHoldReturn
			}
			w := goodWorld(from, e.guards)
			ch, err := w.job.Perform(e.action, w.facts, w.req)
			if err != nil {
				t.Errorf("%s from %s: %v", e.action, from, err)
				continue
			}
			checkChange(t, w, to, e.action, ch)
		}
	}
	w := goodWorld("LEAD", nil)
	_, err := w.job.Perform(jobfsm.ActionDispatch, w.facts, w.req)
	te := wantRefusal(t, err, jobfsm.RuleNotInTable)
	if te.To != "" || te.Action != "DISPATCH" || !strings.Contains(err.Error(), "LEAD → DISPATCH") {
		t.Errorf("refusal %+v: %v", te, err)
	}
	w = goodWorld("CLOSED", nil)
	_, err = w.job.Perform(jobfsm.ActionClose, w.facts, w.req)
	wantRefusal(t, err, jobfsm.RuleTerminal)
	w = goodWorld("SCHEDULED", []jobfsm.Rule{"TECHNICIAN_ASSIGNED"})
	w.facts.TechnicianAssigned = false
	_, err = w.job.Perform(jobfsm.ActionDispatch, w.facts, w.req)
	wantRefusal(t, err, jobfsm.RuleTechnicianAssigned)
}

func TestStartedAtOnlyOnce(t *testing.T) {
	first := t0.Add(-time.Hour)
	w := goodWorld("WARRANTY", nil)
	w.job.Stamps.StartedAt = first
	ch, err := w.job.Apply("IN_PROGRESS", w.facts, w.req)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Job.Stamps.StartedAt != first || len(ch.Stamps) != 0 {
		t.Errorf("rework moved startedAt: %v, %v", ch.Job.Stamps.StartedAt, ch.Stamps)
	}
	w = goodWorld("COMPLETED", nil)
	ch, err = w.job.Apply("CLOSED", w.facts, w.req)
	if err != nil || ch.Job.Stamps.ClosedBy != w.req.Actor || ch.Job.Stamps.ClosedAt != w.req.At {
		t.Errorf("close: %+v, %v", ch.Job.Stamps, err)
	}
}

func TestRequestValidation(t *testing.T) {
	w := goodWorld("TICKET", nil)
	for _, tt := range []struct {
		field string
		mod   func(*jobfsm.Request)
	}{
		{"actor", func(r *jobfsm.Request) { r.Actor = "" }},
		{"at", func(r *jobfsm.Request) { r.At = time.Time{} }},
	} {
		r := w.req
		tt.mod(&r)
		errs := []error{}
		_, err := w.job.Apply("JOB_CREATED", w.facts, r)
		errs = append(errs, err)
		_, err = w.job.Perform("BOOK", w.facts, r)
		errs = append(errs, err)
		_, err = jobfsm.Open(jobfsm.SourceLead, r)
		errs = append(errs, err)
		_, err = jobfsm.Visit{Status: "SCHEDULED"}.Apply("CANCELLED", r)
		errs = append(errs, err)
		_, err = jobfsm.Visit{Status: "SCHEDULED"}.Perform("CANCEL", r)
		errs = append(errs, err)
		_, err = jobfsm.Assignment{Status: "ASSIGNED"}.Apply("ACCEPTED", r)
		errs = append(errs, err)
		_, err = jobfsm.Assignment{Status: "ASSIGNED"}.Perform("ACCEPT", r)
		errs = append(errs, err)
		_, err = jobfsm.Assignment{Status: "ASSIGNED"}.Reassign("tech-2", r)
		errs = append(errs, err)
		_, err = jobfsm.NewAssignment("tech-2", "ASSIGNED", r)
		errs = append(errs, err)
		for i, err := range errs {
			var ie *jobfsm.InputError
			if !errors.Is(err, jobfsm.ErrInvalidInput) || !errors.As(err, &ie) || ie.Field != tt.field {
				t.Errorf("call %d without %s: %v", i, tt.field, err)
			}
		}
	}
}

func TestOpen(t *testing.T) {
	for _, tt := range []struct {
		source jobfsm.SourceType
		status jobfsm.JobStatus
		events []jobfsm.EventType
	}{
		{jobfsm.SourceLead, "LEAD", []jobfsm.EventType{"JOB_STATUS_CHANGED"}},
		{jobfsm.SourceWorkOrder, "TICKET", []jobfsm.EventType{"JOB_STATUS_CHANGED", "SLA_STARTED"}},
		{jobfsm.SourceViolation, "TICKET", []jobfsm.EventType{"JOB_STATUS_CHANGED", "SLA_STARTED"}},
		{jobfsm.SourceARCRequest, "TICKET", []jobfsm.EventType{"JOB_STATUS_CHANGED", "SLA_STARTED"}},
		{jobfsm.SourceDirectCustomer, "TICKET", []jobfsm.EventType{"JOB_STATUS_CHANGED", "SLA_STARTED"}},
		{jobfsm.SourceRecurring, "TICKET", []jobfsm.EventType{"JOB_STATUS_CHANGED", "SLA_STARTED"}},
	} {
		ch, err := jobfsm.Open(tt.source, req(t0))
		if err != nil {
			t.Fatal(err)
		}
		want := jobfsm.HistoryEntry{To: tt.status, Action: "OPEN", Actor: "dispatcher-1", ReasonCode: "CUSTOMER_REQUEST", Reason: "test", At: t0}
		if ch.Job.Status != tt.status || ch.Entry != want || !slices.Equal(types(ch.Events), tt.events) {
			t.Errorf("Open(%s) = %+v", tt.source, ch)
		}
	}
	_, err := jobfsm.Open("FAX", req(t0))
	var ie *jobfsm.InputError
	if !errors.As(err, &ie) || ie.Field != "sourceType" {
		t.Errorf("unknown source: %v", err)
	}
}

func types(evs []jobfsm.Event) []jobfsm.EventType {
	var out []jobfsm.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// TestEvents checks the SLA and CAM events of the moves that have them.
func TestEvents(t *testing.T) {
	started := jobfsm.Stamps{StartedAt: t0.Add(-time.Hour)}
	completed := jobfsm.Stamps{StartedAt: t0.Add(-2 * time.Hour), CompletedAt: t0.Add(-time.Hour)}
	for _, tt := range []struct {
		job    jobfsm.Job
		to     jobfsm.JobStatus
		events []jobfsm.Event
	}{
		{jobfsm.Job{Status: "LEAD"}, "TICKET", []jobfsm.Event{{Type: "SLA_STARTED"}}},
		{jobfsm.Job{Status: "LEAD"}, "CANCELLED", []jobfsm.Event{{Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "CANCELLED"}, {Type: "CONCIERGE_CASE_STATUS_CHANGED", CaseStatus: "CLOSED"}}},
		{jobfsm.Job{Status: "TICKET"}, "JOB_CREATED", nil},
		{jobfsm.Job{Status: "JOB_CREATED"}, "SCHEDULED", []jobfsm.Event{{Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "SCHEDULED"}, {Type: "CONCIERGE_CASE_STATUS_CHANGED", CaseStatus: "IN_PROGRESS"}}},
		{jobfsm.Job{Status: "SCHEDULED"}, "DISPATCHED", nil},
		{jobfsm.Job{Status: "DISPATCHED"}, "IN_PROGRESS", []jobfsm.Event{{Type: "SLA_RESPONDED"}, {Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "IN_PROGRESS"}}},
		{jobfsm.Job{Status: "DISPATCHED"}, "ON_HOLD", []jobfsm.Event{{Type: "SLA_PAUSED"}}},
		{jobfsm.Job{Status: "ON_HOLD", HeldFrom: "DISPATCHED"}, "DISPATCHED", []jobfsm.Event{{Type: "SLA_RESUMED"}}},
		{jobfsm.Job{Status: "ON_HOLD", HeldFrom: "DISPATCHED"}, "IN_PROGRESS", []jobfsm.Event{{Type: "SLA_RESUMED"}, {Type: "SLA_RESPONDED"}, {Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "IN_PROGRESS"}}},
		{jobfsm.Job{Status: "ON_HOLD", HeldFrom: "IN_PROGRESS", Stamps: started}, "IN_PROGRESS", []jobfsm.Event{{Type: "SLA_RESUMED"}}},
		{jobfsm.Job{Status: "ON_HOLD", HeldFrom: "JOB_CREATED"}, "CANCELLED", []jobfsm.Event{{Type: "SLA_STOPPED"}, {Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "CANCELLED"}, {Type: "CONCIERGE_CASE_STATUS_CHANGED", CaseStatus: "CLOSED"}}},
		{jobfsm.Job{Status: "IN_PROGRESS", Stamps: started}, "COMPLETED", []jobfsm.Event{{Type: "SLA_RESOLVED"}, {Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "COMPLETED"}, {Type: "CONCIERGE_CASE_STATUS_CHANGED", CaseStatus: "RESOLVED"}}},
		{jobfsm.Job{Status: "COMPLETED", Stamps: completed}, "INVOICED", nil},
		{jobfsm.Job{Status: "COMPLETED", Stamps: completed}, "CANCELLED", []jobfsm.Event{{Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "CANCELLED"}, {Type: "CONCIERGE_CASE_STATUS_CHANGED", CaseStatus: "CLOSED"}}},
		{jobfsm.Job{Status: "PAID", Stamps: completed}, "CLOSED", []jobfsm.Event{{Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "CLOSED"}, {Type: "CONCIERGE_CASE_STATUS_CHANGED", CaseStatus: "CLOSED"}}},
		{jobfsm.Job{Status: "WARRANTY", Stamps: completed}, "IN_PROGRESS", []jobfsm.Event{{Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "IN_PROGRESS"}, {Type: "CONCIERGE_CASE_STATUS_CHANGED", CaseStatus: "IN_PROGRESS"}}},
		{jobfsm.Job{Status: "IN_PROGRESS", Stamps: completed}, "COMPLETED", []jobfsm.Event{{Type: "WORK_ORDER_STATUS_CHANGED", WorkOrderStatus: "COMPLETED"}, {Type: "CONCIERGE_CASE_STATUS_CHANGED", CaseStatus: "RESOLVED"}}},
		{jobfsm.Job{Status: "SCHEDULED"}, "JOB_CREATED", nil},
	} {
		e := parseSpec[jobfsm.JobStatus](jobSpec)[tt.job.Status][tt.to]
		w := goodWorld(tt.job.Status, e.guards)
		w.job.HeldFrom, w.job.Stamps = tt.job.HeldFrom, tt.job.Stamps
		ch, err := w.job.Apply(tt.to, w.facts, w.req)
		if err != nil {
			t.Fatalf("%s → %s: %v", tt.job.Status, tt.to, err)
		}
		want := []jobfsm.Event{{Type: "JOB_STATUS_CHANGED", From: tt.job.Status, To: tt.to}}
		want = append(want, tt.events...)
		for i := range want {
			want[i].At = w.req.At
		}
		if diff := cmp.Diff(want, ch.Events); diff != "" {
			t.Errorf("%s → %s events (-want +got):\n%s", tt.job.Status, tt.to, diff)
		}
	}
}

func TestCAMMappings(t *testing.T) {
	wo := map[jobfsm.JobStatus]jobfsm.WorkOrderStatus{
		"SCHEDULED": "SCHEDULED", "DISPATCHED": "SCHEDULED", "IN_PROGRESS": "IN_PROGRESS", "COMPLETED": "COMPLETED",
		"INVOICED": "COMPLETED", "PAID": "COMPLETED", "WARRANTY": "COMPLETED", "CLOSED": "CLOSED", "CANCELLED": "CANCELLED",
	}
	cs := map[jobfsm.JobStatus]jobfsm.CaseStatus{
		"SCHEDULED": "IN_PROGRESS", "DISPATCHED": "IN_PROGRESS", "IN_PROGRESS": "IN_PROGRESS", "COMPLETED": "RESOLVED",
		"INVOICED": "RESOLVED", "PAID": "RESOLVED", "WARRANTY": "RESOLVED", "CLOSED": "CLOSED", "CANCELLED": "CLOSED",
	}
	for _, s := range jobStatuses {
		got, ok := jobfsm.WorkOrderStatusFor(s)
		if want, wok := wo[s]; got != want || ok != wok {
			t.Errorf("WorkOrderStatusFor(%s) = %q, %v", s, got, ok)
		}
		gotc, ok := jobfsm.CaseStatusFor(s)
		if want, wok := cs[s]; gotc != want || ok != wok {
			t.Errorf("CaseStatusFor(%s) = %q, %v", s, gotc, ok)
		}
	}
}

// TestOptions: the options of a status are its edges, with every refusal.
func TestOptions(t *testing.T) {
	spec := parseSpec[jobfsm.JobStatus](jobSpec)
	for _, from := range jobStatuses {
		w := goodWorld(from, nil)
		opts := w.job.Options(w.facts, t0)
		if len(opts) != len(spec[from]) {
			t.Errorf("%s: %d options, want %d", from, len(opts), len(spec[from]))
		}
		for _, o := range opts {
			e, ok := spec[from][o.To]
			if !ok || o.Action != e.action || o.From != from {
				t.Errorf("%s: option %+v not in the spec", from, o.Edge)
			}
			if o.NeedsReason != slices.Contains(e.guards, "REASON_CODE_REQUIRED") {
				t.Errorf("%s → %s: needsReason %v", from, o.To, o.NeedsReason)
			}
		}
	}
	// A scheduled job with no technician, no open visit: DISPATCH is refused twice.
	j := jobfsm.Job{Status: "SCHEDULED"}
	f := jobfsm.Facts{Visits: jobfsm.VisitCounts{Cancelled: 1}}
	var dispatch jobfsm.Option[jobfsm.JobStatus]
	for _, o := range j.Options(f, t0) {
		if o.Action == "DISPATCH" {
			dispatch = o
		}
	}
	var rules []jobfsm.Rule
	for _, r := range dispatch.Refusals {
		rules = append(rules, r.Rule)
	}
	if dispatch.Allowed || !slices.Equal(rules, []jobfsm.Rule{"TECHNICIAN_ASSIGNED", "VISIT_BOOKED"}) {
		t.Errorf("DISPATCH option %+v, rules %v", dispatch, rules)
	}
	if opts := (jobfsm.Job{Status: "CLOSED"}).Options(f, t0); len(opts) != 0 {
		t.Errorf("a closed job has options %v", opts)
	}
}

func TestRuleDescriptions(t *testing.T) {
	rules := map[jobfsm.Rule]bool{}
	for _, spec := range []string{jobSpec, visitSpec, assignmentSpec} {
		for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
			for _, g := range strings.Fields(line)[3:] {
				rules[jobfsm.Rule(g)] = true
			}
		}
	}
	for _, r := range []jobfsm.Rule{"UNKNOWN_STATUS", "TERMINAL_STATUS", "ALREADY_IN_STATUS", "NOT_IN_TABLE"} {
		rules[r] = true
	}
	for r := range rules {
		if d := r.Description(); d == "" || d == string(r) {
			t.Errorf("rule %s has no description", r)
		}
	}
	if d := jobfsm.Rule("NEW_RULE").Description(); d != "NEW_RULE" {
		t.Errorf("unknown rule description %q", d)
	}
}

func TestReplayRefusals(t *testing.T) {
	open := jobfsm.HistoryEntry{To: "TICKET", Action: "OPEN", Actor: "a", At: t0}
	for _, tt := range []struct {
		name    string
		history []jobfsm.HistoryEntry
		is      error
	}{
		{"first not an opening", []jobfsm.HistoryEntry{{From: "LEAD", To: "TICKET", At: t0}}, jobfsm.ErrInvalidInput},
		{"opens in the middle", []jobfsm.HistoryEntry{{To: "SCHEDULED", At: t0}}, jobfsm.ErrInvalidInput},
		{"broken chain", []jobfsm.HistoryEntry{open, {From: "LEAD", To: "TICKET", At: t0}}, jobfsm.ErrInvalidInput},
		{"out of order", []jobfsm.HistoryEntry{open, {From: "TICKET", To: "JOB_CREATED", At: t0.Add(-time.Second)}}, jobfsm.ErrInvalidInput},
		{"no such edge", []jobfsm.HistoryEntry{open, {From: "TICKET", To: "PAID", At: t0}}, jobfsm.ErrIllegalTransition},
		{"cancel without a reason", []jobfsm.HistoryEntry{open, {From: "TICKET", To: "CANCELLED", At: t0}}, jobfsm.ErrGuardFailed},
		{"hold going back", []jobfsm.HistoryEntry{
			open, {From: "TICKET", To: "JOB_CREATED", At: t0}, {From: "JOB_CREATED", To: "SCHEDULED", At: t0},
			{From: "SCHEDULED", To: "ON_HOLD", ReasonCode: "R", At: t0}, {From: "ON_HOLD", To: "JOB_CREATED", At: t0},
		}, jobfsm.ErrIllegalTransition},
	} {
		_, err := jobfsm.Replay(tt.history)
		if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), "history entry") {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.is)
		}
	}
	if j, err := jobfsm.Replay(nil); err != nil || j != (jobfsm.Job{}) {
		t.Errorf("Replay(nil) = %+v, %v", j, err)
	}
}
