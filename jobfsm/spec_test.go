package jobfsm_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/shopspring/decimal"
)

// The tests' own statement of the job table, written from the reference
// (§3) and the issue, not read from the package: every allowed edge, its
// action and its guards in the order they are checked.
const jobSpec = `
LEAD              TICKET            QUALIFY
LEAD              CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
TICKET            ESTIMATE_REQUIRED REQUIRE_ESTIMATE
TICKET            JOB_CREATED       BOOK
TICKET            CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
ESTIMATE_REQUIRED ESTIMATE_SENT     SEND_ESTIMATE       ESTIMATE_TO_SEND
ESTIMATE_REQUIRED JOB_CREATED       BOOK
ESTIMATE_REQUIRED CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
ESTIMATE_SENT     ESTIMATE_APPROVED APPROVE_ESTIMATE    ESTIMATE_ACCEPTED
ESTIMATE_SENT     ESTIMATE_REQUIRED REVISE_ESTIMATE
ESTIMATE_SENT     CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
ESTIMATE_APPROVED JOB_CREATED       BOOK
ESTIMATE_APPROVED CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
JOB_CREATED       SCHEDULED         SCHEDULE            VISIT_BOOKED
JOB_CREATED       ON_HOLD           HOLD                REASON_CODE_REQUIRED
JOB_CREATED       CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
SCHEDULED         SCHEDULED         RESCHEDULE          VISIT_BOOKED
SCHEDULED         JOB_CREATED       UNSCHEDULE          VISITS_DONE
SCHEDULED         DISPATCHED        DISPATCH            TECHNICIAN_ASSIGNED VISIT_BOOKED
SCHEDULED         ON_HOLD           HOLD                REASON_CODE_REQUIRED
SCHEDULED         CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
DISPATCHED        IN_PROGRESS       START               TECHNICIAN_ASSIGNED
DISPATCHED        SCHEDULED         RESCHEDULE          VISIT_BOOKED
DISPATCHED        ON_HOLD           HOLD                REASON_CODE_REQUIRED
DISPATCHED        CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
IN_PROGRESS       ON_HOLD           HOLD                REASON_CODE_REQUIRED
IN_PROGRESS       COMPLETED         COMPLETE            VISITS_DONE REQUIRED_CHECKPOINTS_DONE
IN_PROGRESS       CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
ON_HOLD           JOB_CREATED       RESUME              HOLD_RETURN
ON_HOLD           SCHEDULED         SCHEDULE            HOLD_RETURN VISIT_BOOKED
ON_HOLD           DISPATCHED        DISPATCH            HOLD_RETURN TECHNICIAN_ASSIGNED VISIT_BOOKED
ON_HOLD           IN_PROGRESS       START               HOLD_RETURN TECHNICIAN_ASSIGNED
ON_HOLD           CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
COMPLETED         INVOICED          INVOICE             INVOICE_ISSUED
COMPLETED         WARRANTY          ENTER_WARRANTY      BALANCE_SETTLED WARRANTY_ACTIVE
COMPLETED         CLOSED            CLOSE               BALANCE_SETTLED
COMPLETED         CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
INVOICED          PAID              PAY                 INVOICE_ISSUED BALANCE_SETTLED
INVOICED          CANCELLED         CANCEL              REASON_CODE_REQUIRED NO_PAYMENTS
PAID              WARRANTY          ENTER_WARRANTY      BALANCE_SETTLED WARRANTY_ACTIVE
PAID              CLOSED            CLOSE               BALANCE_SETTLED
WARRANTY          IN_PROGRESS       REOPEN_FOR_WARRANTY WARRANTY_ACTIVE TECHNICIAN_ASSIGNED
WARRANTY          CLOSED            CLOSE               BALANCE_SETTLED
`

const visitSpec = `
SCHEDULED   EN_ROUTE    DEPART   TECHNICIAN_ASSIGNED
SCHEDULED   ARRIVED     ARRIVE   TECHNICIAN_ASSIGNED
SCHEDULED   CANCELLED   CANCEL   REASON_CODE_REQUIRED
EN_ROUTE    ARRIVED     ARRIVE
EN_ROUTE    SCHEDULED   RECALL
EN_ROUTE    CANCELLED   CANCEL   REASON_CODE_REQUIRED
ARRIVED     IN_PROGRESS START
ARRIVED     CANCELLED   CANCEL   REASON_CODE_REQUIRED
IN_PROGRESS PAUSED      PAUSE
IN_PROGRESS COMPLETED   COMPLETE
PAUSED      IN_PROGRESS RESUME
PAUSED      COMPLETED   COMPLETE
`

const assignmentSpec = `
PENDING  ASSIGNED  ASSIGN
PENDING  CANCELLED CANCEL   REASON_CODE_REQUIRED
ASSIGNED ACCEPTED  ACCEPT
ASSIGNED DECLINED  DECLINE  REASON_CODE_REQUIRED
ASSIGNED CANCELLED CANCEL   REASON_CODE_REQUIRED
ACCEPTED EN_ROUTE  DEPART
ACCEPTED DECLINED  DECLINE  REASON_CODE_REQUIRED
ACCEPTED CANCELLED CANCEL   REASON_CODE_REQUIRED
EN_ROUTE ON_SITE   ARRIVE
EN_ROUTE CANCELLED CANCEL   REASON_CODE_REQUIRED
ON_SITE  COMPLETED COMPLETE
ON_SITE  CANCELLED CANCEL   REASON_CODE_REQUIRED
`

var (
	jobStatuses = []jobfsm.JobStatus{
		"LEAD", "TICKET", "ESTIMATE_REQUIRED", "ESTIMATE_SENT", "ESTIMATE_APPROVED", "JOB_CREATED",
		"SCHEDULED", "DISPATCHED", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "INVOICED", "PAID",
		"WARRANTY", "CLOSED", "CANCELLED",
	}
	jobTerminal = []jobfsm.JobStatus{"CLOSED", "CANCELLED"}

	visitStatuses = []jobfsm.VisitStatus{"SCHEDULED", "EN_ROUTE", "ARRIVED", "IN_PROGRESS", "PAUSED", "COMPLETED", "CANCELLED"}
	visitTerminal = []jobfsm.VisitStatus{"COMPLETED", "CANCELLED"}

	assignmentStatuses = []jobfsm.AssignmentStatus{"PENDING", "ASSIGNED", "ACCEPTED", "DECLINED", "EN_ROUTE", "ON_SITE", "COMPLETED", "CANCELLED"}
	assignmentTerminal = []jobfsm.AssignmentStatus{"DECLINED", "COMPLETED", "CANCELLED"}
)

// specEdge is one line of a spec.
type specEdge struct {
	action jobfsm.Action
	guards []jobfsm.Rule
}

// parseSpec reads a spec into from → to → edge.
func parseSpec[S ~string](spec string) map[S]map[S]specEdge {
	out := map[S]map[S]specEdge{}
	for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
		f := strings.Fields(line)
		from, to := S(f[0]), S(f[1])
		if out[from] == nil {
			out[from] = map[S]specEdge{}
		}
		e := specEdge{action: jobfsm.Action(f[2])}
		for _, g := range f[3:] {
			e.guards = append(e.guards, jobfsm.Rule(g))
		}
		out[from][to] = e
	}
	return out
}

// tableIsSpec checks that a machine's table is exactly its spec.
func tableIsSpec[S interface {
	~string
	Terminal() bool
}](t *testing.T, table []jobfsm.Edge[S], spec string, statuses, wantStatuses, terminal []S) {
	t.Helper()
	if diff := cmp.Diff(wantStatuses, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, s := range wantStatuses {
		if s.Terminal() != slices.Contains(terminal, s) {
			t.Errorf("%s.Terminal() = %v", s, s.Terminal())
		}
	}
	got := map[S]map[S]specEdge{}
	for _, e := range table {
		if got[e.From] == nil {
			got[e.From] = map[S]specEdge{}
		}
		if _, dup := got[e.From][e.To]; dup {
			t.Errorf("edge %s → %s twice", e.From, e.To)
		}
		got[e.From][e.To] = specEdge{action: e.Action, guards: e.Guards}
	}
	if diff := cmp.Diff(parseSpec[S](spec), got, cmp.AllowUnexported(specEdge{})); diff != "" {
		t.Errorf("table (-spec +got):\n%s", diff)
	}
}

// t0 is the tests' epoch: a Tuesday morning in UTC.
var t0 = time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)

func req(at time.Time) jobfsm.Request {
	return jobfsm.Request{Actor: "dispatcher-1", ReasonCode: "CUSTOMER_REQUEST", Reason: "test", At: at}
}

// world is a job, its facts and a request in which every guard of the
// spec holds for the given edge.
type world struct {
	job   jobfsm.Job
	facts jobfsm.Facts
	req   jobfsm.Request
}

func goodWorld(from jobfsm.JobStatus, guards []jobfsm.Rule) world {
	w := world{
		job: jobfsm.Job{Status: from, WarrantyEnds: t0.AddDate(1, 0, 0)},
		facts: jobfsm.Facts{
			OpenEstimates: 1, AcceptedEstimates: 1, TechnicianAssigned: true,
			Visits:   jobfsm.VisitCounts{Scheduled: 1, Completed: 1},
			Invoices: 1,
		},
		req: req(t0),
	}
	if from == "ON_HOLD" {
		w.job.HeldFrom = "JOB_CREATED"
	}
	for _, g := range guards {
		if g == "VISITS_DONE" {
			w.facts.Visits = jobfsm.VisitCounts{Completed: 2, Cancelled: 1}
		}
	}
	return w
}

// breakRule changes w so that exactly rule r fails.
func breakRule(w *world, r jobfsm.Rule) {
	switch r {
	case "REASON_CODE_REQUIRED":
		w.req.ReasonCode = ""
	case "ESTIMATE_TO_SEND":
		w.facts.OpenEstimates = 0
	case "ESTIMATE_ACCEPTED":
		w.facts.AcceptedEstimates = 0
	case "VISIT_BOOKED":
		w.facts.Visits = jobfsm.VisitCounts{Completed: 1, Cancelled: 1}
	case "VISITS_DONE":
		w.facts.Visits = jobfsm.VisitCounts{Active: 1, Completed: 1}
	case "TECHNICIAN_ASSIGNED":
		w.facts.TechnicianAssigned = false
	case "REQUIRED_CHECKPOINTS_DONE":
		w.facts.OpenCheckpoints = 2
	case "INVOICE_ISSUED":
		w.facts.Invoices = 0
	case "BALANCE_SETTLED":
		w.facts.BalanceDue = decimal.RequireFromString("120.50")
	case "WARRANTY_ACTIVE":
		w.job.WarrantyEnds = w.req.At
	case "NO_PAYMENTS":
		w.facts.AmountPaid = decimal.RequireFromString("0.01")
	case "HOLD_RETURN":
		w.job.HeldFrom = ""
	default:
		panic("no breaker for " + r)
	}
}

// oracle says whether rule r holds in w for a move to status to,
// independently of the package.
func oracle(w world, to jobfsm.JobStatus, r jobfsm.Rule) bool {
	f := w.facts
	open := f.Visits.Scheduled + f.Visits.Active
	switch r {
	case "REASON_CODE_REQUIRED":
		return w.req.ReasonCode != ""
	case "ESTIMATE_TO_SEND":
		return f.OpenEstimates > 0
	case "ESTIMATE_ACCEPTED":
		return f.AcceptedEstimates > 0
	case "VISIT_BOOKED":
		return open > 0
	case "VISITS_DONE":
		return open == 0
	case "TECHNICIAN_ASSIGNED":
		return f.TechnicianAssigned
	case "REQUIRED_CHECKPOINTS_DONE":
		return f.OpenCheckpoints == 0
	case "INVOICE_ISSUED":
		return f.Invoices > 0
	case "BALANCE_SETTLED":
		return f.BalanceDue.Sign() <= 0
	case "WARRANTY_ACTIVE":
		return !w.job.WarrantyEnds.IsZero() && w.req.At.Before(w.job.WarrantyEnds)
	case "NO_PAYMENTS":
		return f.AmountPaid.Sign() <= 0
	case "HOLD_RETURN":
		rank := map[jobfsm.JobStatus]int{"JOB_CREATED": 1, "SCHEDULED": 2, "DISPATCHED": 3, "IN_PROGRESS": 4}
		return rank[w.job.HeldFrom] > 0 && rank[to] >= rank[w.job.HeldFrom]
	}
	panic("no oracle for " + r)
}

// stampOf is the stamp each status sets, per the reference.
var stampOf = map[jobfsm.JobStatus]jobfsm.StampField{
	"DISPATCHED": "DISPATCHED_AT", "IN_PROGRESS": "STARTED_AT", "COMPLETED": "COMPLETED_AT",
	"INVOICED": "INVOICED_AT", "PAID": "PAID_AT", "CLOSED": "CLOSED_AT", "CANCELLED": "CANCELLED_AT",
}
