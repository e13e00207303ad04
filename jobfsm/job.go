package jobfsm

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// JobStatus is where a job is in its lifecycle (the reference's JobStatus).
type JobStatus string

// The job statuses, in lifecycle order.
const (
	JobLead             JobStatus = "LEAD"
	JobTicket           JobStatus = "TICKET"
	JobEstimateRequired JobStatus = "ESTIMATE_REQUIRED"
	JobEstimateSent     JobStatus = "ESTIMATE_SENT"
	JobEstimateApproved JobStatus = "ESTIMATE_APPROVED"
	JobCreated          JobStatus = "JOB_CREATED"
	JobScheduled        JobStatus = "SCHEDULED"
	JobDispatched       JobStatus = "DISPATCHED"
	JobInProgress       JobStatus = "IN_PROGRESS"
	JobOnHold           JobStatus = "ON_HOLD"
	JobCompleted        JobStatus = "COMPLETED"
	JobInvoiced         JobStatus = "INVOICED"
	JobPaid             JobStatus = "PAID"
	JobWarranty         JobStatus = "WARRANTY"
	JobClosed           JobStatus = "CLOSED"
	JobCancelled        JobStatus = "CANCELLED"
)

// Terminal reports whether nothing may follow s (CLOSED, CANCELLED).
func (s JobStatus) Terminal() bool { return jobs.isTerminal(s) }

// SourceType is where a job came from; it decides the first status.
type SourceType string

// The sources of a job.
const (
	SourceWorkOrder      SourceType = "WORK_ORDER"
	SourceViolation      SourceType = "VIOLATION"
	SourceARCRequest     SourceType = "ARC_REQUEST"
	SourceDirectCustomer SourceType = "DIRECT_CUSTOMER"
	SourceLead           SourceType = "LEAD"
	SourceRecurring      SourceType = "RECURRING"
)

// Job is the part of a job that its state machine reads and writes.
//
// HeldFrom is the status a job ON_HOLD came from (empty otherwise): the hold
// returns there or moves forward. WarrantyEnds is set by the caller (from the
// job type's warranty terms) before the job enters WARRANTY; the machine
// reads it and never changes it.
type Job struct {
	Status       JobStatus `json:"status"`
	HeldFrom     JobStatus `json:"heldFrom,omitempty"`
	WarrantyEnds time.Time `json:"warrantyEnds,omitzero"`
	Stamps       Stamps    `json:"stamps"`
}

// Stamps are the job's lifecycle timestamps. Entering a status sets its
// stamp, every time, except StartedAt, which keeps the first start (a
// warranty rework does not move it).
type Stamps struct {
	DispatchedAt time.Time `json:"dispatchedAt,omitzero"`
	StartedAt    time.Time `json:"startedAt,omitzero"`
	CompletedAt  time.Time `json:"completedAt,omitzero"`
	InvoicedAt   time.Time `json:"invoicedAt,omitzero"`
	PaidAt       time.Time `json:"paidAt,omitzero"`
	ClosedAt     time.Time `json:"closedAt,omitzero"`
	ClosedBy     string    `json:"closedBy,omitempty"`
	CancelledAt  time.Time `json:"cancelledAt,omitzero"`
}

// StampField names a lifecycle stamp, for callers that write columns.
type StampField string

// The stamps.
const (
	StampDispatchedAt StampField = "DISPATCHED_AT"
	StampStartedAt    StampField = "STARTED_AT"
	StampCompletedAt  StampField = "COMPLETED_AT"
	StampInvoicedAt   StampField = "INVOICED_AT"
	StampPaidAt       StampField = "PAID_AT"
	StampClosedAt     StampField = "CLOSED_AT" // By is closedBy
	StampCancelledAt  StampField = "CANCELLED_AT"
)

// Stamp is one lifecycle stamp a transition sets.
type Stamp struct {
	Field StampField `json:"field"`
	At    time.Time  `json:"at"`
	By    string     `json:"by,omitempty"`
}

// Facts are what the guards read, gathered by the caller from its store at
// the moment of the transition. The zero value is a job with nothing:
// no estimate, no technician, no visit, no invoice.
type Facts struct {
	OpenEstimates      int             `json:"openEstimates"`      // estimates in DRAFT, SENT or VIEWED
	AcceptedEstimates  int             `json:"acceptedEstimates"`  // estimates ACCEPTED
	TechnicianAssigned bool            `json:"technicianAssigned"` // the job has an assigned technician
	Visits             VisitCounts     `json:"visits"`             // see [CountVisits]
	OpenCheckpoints    int             `json:"openCheckpoints"`    // required checkpoints not yet done
	Invoices           int             `json:"invoices"`           // invoices not VOID
	BalanceDue         decimal.Decimal `json:"balanceDue"`         // still owed on those invoices
	AmountPaid         decimal.Decimal `json:"amountPaid"`         // payments applied, net of refunds
}

// HistoryEntry is one line of a job's status history.
type HistoryEntry = Entry[JobStatus]

// Change is what a transition decides and the caller persists: the job
// after it, the stamps it sets, the history line, and the events to emit in
// order (status change, SLA clock, linked CAM work order and concierge case).
type Change struct {
	Job    Job          `json:"job"`
	Stamps []Stamp      `json:"stamps,omitempty"`
	Entry  HistoryEntry `json:"entry"`
	Events []Event      `json:"events"`
}

// jobCtx is what the job guards read.
type jobCtx struct {
	job   Job
	facts Facts
	req   Request
}

type jobGuard = guard[jobCtx]

var (
	gReason = reasonCode(func(c jobCtx) Request { return c.req })

	gEstimateToSend = jobGuard{rule: RuleEstimateToSend, check: func(c jobCtx) string {
		return unless(c.facts.OpenEstimates > 0, RuleEstimateToSend)
	}}
	gEstimateAccepted = jobGuard{rule: RuleEstimateAccepted, check: func(c jobCtx) string {
		return unless(c.facts.AcceptedEstimates > 0, RuleEstimateAccepted)
	}}
	gVisitBooked = jobGuard{rule: RuleVisitBooked, check: func(c jobCtx) string {
		return unless(c.facts.Visits.Open() > 0, RuleVisitBooked)
	}}
	gVisitsDone = jobGuard{rule: RuleVisitsDone, check: func(c jobCtx) string {
		if n := c.facts.Visits.Open(); n > 0 {
			return plural(n, "visit is", "visits are") + " still open"
		}
		return ""
	}}
	gTechnician = jobGuard{rule: RuleTechnicianAssigned, check: func(c jobCtx) string {
		return unless(c.facts.TechnicianAssigned, RuleTechnicianAssigned)
	}}
	gCheckpoints = jobGuard{rule: RuleCheckpointsDone, check: func(c jobCtx) string {
		if n := c.facts.OpenCheckpoints; n > 0 {
			return plural(n, "required checkpoint is", "required checkpoints are") + " open"
		}
		return ""
	}}
	gInvoiceIssued = jobGuard{rule: RuleInvoiceIssued, check: func(c jobCtx) string {
		return unless(c.facts.Invoices > 0, RuleInvoiceIssued)
	}}
	gBalanceSettled = jobGuard{rule: RuleBalanceSettled, check: func(c jobCtx) string {
		if c.facts.BalanceDue.IsPositive() {
			return "balance due " + c.facts.BalanceDue.String()
		}
		return ""
	}}
	gNoPayments = jobGuard{rule: RuleNoPayments, check: func(c jobCtx) string {
		if c.facts.AmountPaid.IsPositive() {
			return "amount paid " + c.facts.AmountPaid.String()
		}
		return ""
	}}
	gWarrantyActive = jobGuard{rule: RuleWarrantyActive, check: func(c jobCtx) string {
		switch end := c.job.WarrantyEnds; {
		case end.IsZero():
			return "no warranty end is recorded"
		case !c.req.At.Before(end):
			return "the warranty ended " + end.Format(time.RFC3339)
		}
		return ""
	}}
)

// holdOrder ranks the statuses a hold may come from and go to: ON_HOLD
// returns to the status it was held from or to a later one.
var holdOrder = []JobStatus{JobCreated, JobScheduled, JobDispatched, JobInProgress}

// gHoldReturn is the table rule on the edge ON_HOLD → to.
func gHoldReturn(to JobStatus) jobGuard {
	return jobGuard{rule: RuleHoldReturn, check: func(c jobCtx) string {
		from := slices.Index(holdOrder, c.job.HeldFrom)
		if from < 0 {
			return "the status it was held from is unknown"
		}
		if slices.Index(holdOrder, to) < from {
			return "held from " + string(c.job.HeldFrom)
		}
		return ""
	}}
}

func unless(ok bool, r Rule) string {
	if ok {
		return ""
	}
	return r.Description()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprint(n) + " " + many
}

func jobEdge(from, to JobStatus, a Action, gs ...jobGuard) edge[JobStatus, jobCtx] {
	return newEdge(from, to, a, gs...)
}

// cancel is every cancel edge: a reason code, and no money kept.
func cancel(from JobStatus) edge[JobStatus, jobCtx] {
	return jobEdge(from, JobCancelled, ActionCancel, gReason, gNoPayments)
}

// jobs is the job transition table: the single source of truth for what may
// happen to a job. Guards run in the order listed.
var jobs = &machine[JobStatus, jobCtx]{
	name: MachineJob,
	states: []JobStatus{
		JobLead, JobTicket, JobEstimateRequired, JobEstimateSent, JobEstimateApproved, JobCreated,
		JobScheduled, JobDispatched, JobInProgress, JobOnHold, JobCompleted, JobInvoiced, JobPaid,
		JobWarranty, JobClosed, JobCancelled,
	},
	initial:  []JobStatus{JobLead, JobTicket},
	terminal: []JobStatus{JobClosed, JobCancelled},
	edges: []edge[JobStatus, jobCtx]{
		jobEdge(JobLead, JobTicket, ActionQualify),
		cancel(JobLead),

		jobEdge(JobTicket, JobEstimateRequired, ActionRequireEstimate),
		jobEdge(JobTicket, JobCreated, ActionBook),
		cancel(JobTicket),

		jobEdge(JobEstimateRequired, JobEstimateSent, ActionSendEstimate, gEstimateToSend),
		jobEdge(JobEstimateRequired, JobCreated, ActionBook),
		cancel(JobEstimateRequired),

		jobEdge(JobEstimateSent, JobEstimateApproved, ActionApproveEstimate, gEstimateAccepted),
		jobEdge(JobEstimateSent, JobEstimateRequired, ActionReviseEstimate),
		cancel(JobEstimateSent),

		jobEdge(JobEstimateApproved, JobCreated, ActionBook),
		cancel(JobEstimateApproved),

		jobEdge(JobCreated, JobScheduled, ActionSchedule, gVisitBooked),
		jobEdge(JobCreated, JobOnHold, ActionHold, gReason),
		cancel(JobCreated),

		jobEdge(JobScheduled, JobScheduled, ActionReschedule, gVisitBooked),
		jobEdge(JobScheduled, JobCreated, ActionUnschedule, gVisitsDone),
		jobEdge(JobScheduled, JobDispatched, ActionDispatch, gTechnician, gVisitBooked),
		jobEdge(JobScheduled, JobOnHold, ActionHold, gReason),
		cancel(JobScheduled),

		jobEdge(JobDispatched, JobInProgress, ActionStart, gTechnician),
		jobEdge(JobDispatched, JobScheduled, ActionReschedule, gVisitBooked),
		jobEdge(JobDispatched, JobOnHold, ActionHold, gReason),
		cancel(JobDispatched),

		jobEdge(JobInProgress, JobOnHold, ActionHold, gReason),
		jobEdge(JobInProgress, JobCompleted, ActionComplete, gVisitsDone, gCheckpoints),
		cancel(JobInProgress),

		jobEdge(JobOnHold, JobCreated, ActionResume, gHoldReturn(JobCreated)),
		jobEdge(JobOnHold, JobScheduled, ActionSchedule, gHoldReturn(JobScheduled), gVisitBooked),
		jobEdge(JobOnHold, JobDispatched, ActionDispatch, gHoldReturn(JobDispatched), gTechnician, gVisitBooked),
		jobEdge(JobOnHold, JobInProgress, ActionStart, gHoldReturn(JobInProgress), gTechnician),
		cancel(JobOnHold),

		jobEdge(JobCompleted, JobInvoiced, ActionInvoice, gInvoiceIssued),
		jobEdge(JobCompleted, JobWarranty, ActionEnterWarranty, gBalanceSettled, gWarrantyActive),
		jobEdge(JobCompleted, JobClosed, ActionClose, gBalanceSettled),
		cancel(JobCompleted),

		jobEdge(JobInvoiced, JobPaid, ActionPay, gInvoiceIssued, gBalanceSettled),
		cancel(JobInvoiced),

		jobEdge(JobPaid, JobWarranty, ActionEnterWarranty, gBalanceSettled, gWarrantyActive),
		jobEdge(JobPaid, JobClosed, ActionClose, gBalanceSettled),

		jobEdge(JobWarranty, JobInProgress, ActionReopenForWarranty, gWarrantyActive, gTechnician),
		jobEdge(JobWarranty, JobClosed, ActionClose, gBalanceSettled),
	},
	notes: map[JobStatus]string{
		JobOnHold: "RESUME returns to the status held from; other exits only move forward",
	},
}

// JobStatuses returns the job statuses in lifecycle order.
func JobStatuses() []JobStatus { return slices.Clone(jobs.states) }

// JobTable returns the job transition table, in the order guards and
// options are listed.
func JobTable() []Edge[JobStatus] { return jobs.table() }

// Open starts a job's history: a job from a lead opens as LEAD, any other
// as TICKET (a service request), which starts its SLA clock.
func Open(source SourceType, r Request) (Change, error) {
	if err := r.validate(); err != nil {
		return Change{}, err
	}
	switch source {
	case SourceWorkOrder, SourceViolation, SourceARCRequest, SourceDirectCustomer, SourceRecurring:
		return Job{}.advance(JobTicket, ActionOpen, r), nil
	case SourceLead:
		return Job{}.advance(JobLead, ActionOpen, r), nil
	}
	return Change{}, &InputError{Field: "sourceType", Problem: "unknown source " + quote(string(source))}
}

// Apply moves the job to status to if the table has the edge and every
// guard holds on the facts; it returns what to persist, or a
// [*TransitionError] naming the rule that refused.
func (j Job) Apply(to JobStatus, f Facts, r Request) (Change, error) {
	if err := r.validate(); err != nil {
		return Change{}, err
	}
	e, err := jobs.pick(j.Status, to, "", jobCtx{job: j, facts: f, req: r})
	if err != nil {
		return Change{}, err
	}
	return j.advance(e.To, e.Action, r), nil
}

// Perform applies the edge the action labels from the job's status: the
// engine maps its commands to actions and never picks a target itself.
// RESUME on a job ON_HOLD returns it to the status it was held from.
func (j Job) Perform(a Action, f Facts, r Request) (Change, error) {
	if err := r.validate(); err != nil {
		return Change{}, err
	}
	x := jobCtx{job: j, facts: f, req: r}
	var (
		e   *edge[JobStatus, jobCtx]
		err error
	)
	switch {
	case a == ActionResume && j.Status == JobOnHold && j.HeldFrom == "":
		err = jobs.refusal(j.Status, "", a, RuleHoldReturn, "the status it was held from is unknown")
	case a == ActionResume && j.Status == JobOnHold:
		e, err = jobs.pick(j.Status, j.HeldFrom, "", x)
	default:
		e, err = jobs.pick(j.Status, "", a, x)
	}
	if err != nil {
		return Change{}, err
	}
	return j.advance(e.To, a, r), nil
}

// Options lists every edge out of the job's status with whether it is
// allowed on these facts at that time, and every rule that refuses it.
// A terminal job has none.
func (j Job) Options(f Facts, at time.Time) []Option[JobStatus] {
	return jobs.options(j.Status, jobCtx{job: j, facts: f, req: Request{At: at}})
}

// advance computes the state and effects of a move the table allows.
func (j Job) advance(to JobStatus, a Action, r Request) Change {
	from := j.Status
	n := j
	n.Status, n.HeldFrom = to, ""
	if to == JobOnHold {
		n.HeldFrom = from
	}
	c := Change{Entry: entry(from, to, a, r)}
	set := func(f StampField, p *time.Time, by string) {
		*p = r.At
		c.Stamps = append(c.Stamps, Stamp{Field: f, At: r.At, By: by})
	}
	s := &n.Stamps
	switch to {
	case JobDispatched:
		set(StampDispatchedAt, &s.DispatchedAt, "")
	case JobInProgress:
		if s.StartedAt.IsZero() {
			set(StampStartedAt, &s.StartedAt, "")
		}
	case JobCompleted:
		set(StampCompletedAt, &s.CompletedAt, "")
	case JobInvoiced:
		set(StampInvoicedAt, &s.InvoicedAt, "")
	case JobPaid:
		set(StampPaidAt, &s.PaidAt, "")
	case JobClosed:
		set(StampClosedAt, &s.ClosedAt, r.Actor)
		s.ClosedBy = r.Actor
	case JobCancelled:
		set(StampCancelledAt, &s.CancelledAt, "")
	}
	c.Job = n
	c.Events = j.events(to, r.At)
	return c
}

// Replay rebuilds a job from its history and checks that the history is
// one the table allows: it starts with OPEN, each entry leaves the status
// the previous one reached along an edge, in time order, holds return as
// they must and reason codes are present. Guards on facts are not
// re-checked: the facts of the past are not in the history. WarrantyEnds,
// which no transition sets, stays zero.
func Replay(history []HistoryEntry) (Job, error) {
	return replay(history, nil)
}

// replay walks the history, calling each (if not nil) with every change.
func replay(history []HistoryEntry, each func(Change)) (Job, error) {
	var j Job
	for i, h := range history {
		r := Request{Actor: h.Actor, ReasonCode: h.ReasonCode, Reason: h.Reason, At: h.At}
		var err error
		switch {
		case i == 0 && (h.From != "" || !slices.Contains(jobs.initial, h.To)):
			err = &InputError{Field: "history", Problem: "the first entry must open the job as LEAD or TICKET"}
		case i > 0 && h.From != j.Status:
			err = &InputError{Field: "history", Problem: fmt.Sprintf("entry from %s, but the job was %s", h.From, j.Status)}
		case i > 0 && h.At.Before(history[i-1].At):
			err = &InputError{Field: "history", Problem: "entries are out of time order"}
		case i > 0:
			err = replayable(j, h.To, r)
		}
		if err != nil {
			return Job{}, fmt.Errorf("jobfsm: history entry %d: %w", i, err)
		}
		c := j.advance(h.To, h.Action, r)
		if each != nil {
			each(c)
		}
		j = c.Job
	}
	return j, nil
}

// replayable checks the rules a history can prove: the table's, and the
// reason codes the entries carry.
func replayable(j Job, to JobStatus, r Request) error {
	e, err := jobs.find(j.Status, to)
	if err != nil {
		return err
	}
	x := jobCtx{job: j, req: r}
	for _, g := range e.guards {
		if g.rule.sentinel() != ErrIllegalTransition && !g.input {
			continue
		}
		if d := g.check(x); d != "" {
			return jobs.refusal(e.From, e.To, e.Action, g.rule, detail(g.rule, d))
		}
	}
	return nil
}
