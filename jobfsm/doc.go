// Package jobfsm is the single authority on what may happen to a job, a visit
// and a dispatch assignment, and on when a job is late.
//
// It holds three state machines as data, evaluates their guards on facts the
// caller supplies, says what each transition must persist and emit, and runs
// the SLA clock on business calendars. It is pure: standard library and
// shopspring/decimal only, no I/O, no clock reads; the caller passes the time
// of every request. The engine, the workflows and the RPC layer all ask it,
// and none of them re-implements a rule.
//
// # The job machine
//
// A job moves through [JobStatus] values along the edges of one table,
// [JobTable], rendered below by [Diagram]. Each edge is labelled with the
// [Action] that makes it (the engine maps its commands to actions) and the
// rules, in brackets, checked before it is allowed:
//
//   - [Open] starts a history: a job from a lead opens as LEAD, any other as
//     TICKET.
//   - [Job.Apply] moves to a target status; [Job.Perform] fires an action
//     (RESUME on a held job returns to where the hold came from).
//   - [Job.Options] lists every move out of the current status, allowed or
//     not, with every rule that refuses it: the buttons of a dispatch board.
//   - [Replay] rebuilds a job from its history and proves the history is
//     one the table allows.
//
// A refused move is a [*TransitionError] naming the [Rule] that refused it.
// Table rules (no such edge, a terminal status, a hold going backwards) match
// [ErrIllegalTransition]; guards on the facts match [ErrGuardFailed]. Bad
// arguments are an [*InputError] matching [ErrInvalidInput].
//
// The table fixes the reference system's side paths: scheduling,
// rescheduling and unscheduling are edges (the reference set SCHEDULED
// without history); accepting an estimate moves the job (APPROVE_ESTIMATE);
// invoicing a completed job is the INVOICE edge with its guard; a job is
// created through [Open] with a history line.
//
// # Guards
//
// Guards read [Facts] the caller gathers from its store at the moment of
// the move: open and accepted estimates, an assigned technician, the visits
// ([CountVisits]), open required checkpoints, non-void invoices, the
// balance due and the payments applied. The rules:
//
//   - SEND_ESTIMATE needs an estimate in DRAFT, SENT or VIEWED;
//     APPROVE_ESTIMATE an accepted one.
//   - SCHEDULE and RESCHEDULE need an open visit; DISPATCH also a
//     technician, as does every move to IN_PROGRESS; UNSCHEDULE needs every
//     visit closed.
//   - COMPLETE needs every visit completed or cancelled and every required
//     checkpoint done (ServiceTitan: required forms block close-out).
//   - INVOICE needs a non-void invoice; PAY also a zero balance; CLOSE and
//     ENTER_WARRANTY need nothing owed.
//   - ENTER_WARRANTY and REOPEN_FOR_WARRANTY (rework) need [Job].WarrantyEnds
//     set and not reached.
//   - HOLD and CANCEL need a reason code; CANCEL also needs every payment
//     refunded first (ServiceTitan: no cancelling a job with payments).
//   - ON_HOLD remembers where it came from ([Job].HeldFrom) and returns
//     there or moves forward along JOB_CREATED → SCHEDULED → DISPATCHED →
//     IN_PROGRESS, never back.
//   - CLOSED and CANCELLED are terminal; a retried command that asks for the
//     current status is refused by ALREADY_IN_STATUS, which idempotent
//     callers may treat as done.
//
// # What a transition decides
//
// A [Change] is what the caller persists in one transaction: the job after
// the move, the lifecycle [Stamp] values it sets (dispatchedAt, startedAt
// only once, completedAt, invoicedAt, paidAt, closedAt and closedBy,
// cancelledAt), the [HistoryEntry] (from, to, action, actor, reason code,
// reason, at) and the [Event] values to emit: the status change, the SLA
// clock's start, pause, resume, response, resolution and stop, and the status
// of the linked CAM work order and concierge case ([WorkOrderStatusFor],
// [CaseStatusFor]) when it changes. The caller stores; jobfsm decides.
//
// # Visits and dispatch assignments
//
// A job has visits (appointments; multi-day work is several), each with
// its own machine ([Visit], [VisitTable]): SCHEDULED, EN_ROUTE, ARRIVED,
// IN_PROGRESS, PAUSED (with RESUME), COMPLETED and CANCELLED (before work
// starts, with a reason). A technician works a visit under a dispatch
// [Assignment] ([AssignmentTable]): PENDING, ASSIGNED, ACCEPTED, DECLINED,
// EN_ROUTE, ON_SITE, COMPLETED, CANCELLED, every status stamped. An
// assignment is one technician's for good: [Assignment.Reassign] cancels it
// with a reason and creates a new one, and DECLINED is final.
//
// The job follows its visits as a ServiceTitan job follows its
// appointments: [FollowVisits] says which moves the visits call for (the
// first visit booked schedules the job, the first technician on the way
// puts it IN_PROGRESS) and when every visit is done, so that the job may
// complete. The moves still go through [Job.Apply] and its guards.
//
// # SLA clock
//
// A [Policy] sets a response target (the job first IN_PROGRESS) and a
// resolution target (first COMPLETED), in business hours of a [Calendar]
// or on the wall clock; [Policies.For] picks a contract's own policy or the
// organization's for the job's [Priority]. A [Calendar] has weekly hours
// (overnight spans allowed), holidays and special days in a time zone the
// caller loads; [Calendar.Deadline] and [Calendar.Elapsed] are exact across
// DST changes. [NewSLAClock] rebuilds the clock from the job's history: it
// starts when the job becomes a service request, pauses while ON_HOLD
// (unless the policy runs on hold) and stops each target when met or when
// the job is cancelled. [SLAClock.Status] reports, at any instant, what has
// elapsed and remains of each target, whether and by how much it is
// breached, and when each escalation point (50, 75, 100 % by default) falls;
// [SLAStatus].WakeAt is the instant a durable workflow sleeps until.
//
// # Example
//
//	open, _ := jobfsm.Open(jobfsm.SourceDirectCustomer, jobfsm.Request{Actor: "csr-1", At: now})
//	job := open.Job // TICKET
//	ch, err := job.Perform(jobfsm.ActionBook, jobfsm.Facts{}, jobfsm.Request{Actor: "csr-1", At: now})
//	if errors.Is(err, jobfsm.ErrGuardFailed) {
//		var te *jobfsm.TransitionError
//		errors.As(err, &te) // te.Rule names the rule
//	}
//	// persist ch.Job, ch.Stamps and ch.Entry; emit ch.Events
//
// # The job table
//
// The diagram, generated by [Diagram] from the table (Mermaid):
//
//	stateDiagram-v2
//	    [*] --> LEAD
//	    [*] --> TICKET
//	    LEAD --> TICKET: QUALIFY
//	    LEAD --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    TICKET --> ESTIMATE_REQUIRED: REQUIRE_ESTIMATE
//	    TICKET --> JOB_CREATED: BOOK
//	    TICKET --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    ESTIMATE_REQUIRED --> ESTIMATE_SENT: SEND_ESTIMATE [ESTIMATE_TO_SEND]
//	    ESTIMATE_REQUIRED --> JOB_CREATED: BOOK
//	    ESTIMATE_REQUIRED --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    ESTIMATE_SENT --> ESTIMATE_APPROVED: APPROVE_ESTIMATE [ESTIMATE_ACCEPTED]
//	    ESTIMATE_SENT --> ESTIMATE_REQUIRED: REVISE_ESTIMATE
//	    ESTIMATE_SENT --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    ESTIMATE_APPROVED --> JOB_CREATED: BOOK
//	    ESTIMATE_APPROVED --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    JOB_CREATED --> SCHEDULED: SCHEDULE [VISIT_BOOKED]
//	    JOB_CREATED --> ON_HOLD: HOLD [REASON_CODE_REQUIRED]
//	    JOB_CREATED --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    SCHEDULED --> SCHEDULED: RESCHEDULE [VISIT_BOOKED]
//	    SCHEDULED --> JOB_CREATED: UNSCHEDULE [VISITS_DONE]
//	    SCHEDULED --> DISPATCHED: DISPATCH [TECHNICIAN_ASSIGNED, VISIT_BOOKED]
//	    SCHEDULED --> ON_HOLD: HOLD [REASON_CODE_REQUIRED]
//	    SCHEDULED --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    DISPATCHED --> IN_PROGRESS: START [TECHNICIAN_ASSIGNED]
//	    DISPATCHED --> SCHEDULED: RESCHEDULE [VISIT_BOOKED]
//	    DISPATCHED --> ON_HOLD: HOLD [REASON_CODE_REQUIRED]
//	    DISPATCHED --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    IN_PROGRESS --> ON_HOLD: HOLD [REASON_CODE_REQUIRED]
//	    IN_PROGRESS --> COMPLETED: COMPLETE [VISITS_DONE, REQUIRED_CHECKPOINTS_DONE]
//	    IN_PROGRESS --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    ON_HOLD --> JOB_CREATED: RESUME [HOLD_RETURN]
//	    ON_HOLD --> SCHEDULED: SCHEDULE [HOLD_RETURN, VISIT_BOOKED]
//	    ON_HOLD --> DISPATCHED: DISPATCH [HOLD_RETURN, TECHNICIAN_ASSIGNED, VISIT_BOOKED]
//	    ON_HOLD --> IN_PROGRESS: START [HOLD_RETURN, TECHNICIAN_ASSIGNED]
//	    ON_HOLD --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    COMPLETED --> INVOICED: INVOICE [INVOICE_ISSUED]
//	    COMPLETED --> WARRANTY: ENTER_WARRANTY [BALANCE_SETTLED, WARRANTY_ACTIVE]
//	    COMPLETED --> CLOSED: CLOSE [BALANCE_SETTLED]
//	    COMPLETED --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    INVOICED --> PAID: PAY [INVOICE_ISSUED, BALANCE_SETTLED]
//	    INVOICED --> CANCELLED: CANCEL [REASON_CODE_REQUIRED, NO_PAYMENTS]
//	    PAID --> WARRANTY: ENTER_WARRANTY [BALANCE_SETTLED, WARRANTY_ACTIVE]
//	    PAID --> CLOSED: CLOSE [BALANCE_SETTLED]
//	    WARRANTY --> IN_PROGRESS: REOPEN_FOR_WARRANTY [WARRANTY_ACTIVE, TECHNICIAN_ASSIGNED]
//	    WARRANTY --> CLOSED: CLOSE [BALANCE_SETTLED]
//	    note right of ON_HOLD: RESUME returns to the status held from; other exits only move forward
//	    CLOSED --> [*]
//	    CANCELLED --> [*]
//
// # Relation to the reference
//
// The statuses and enum values are the reference system's (hestami-phase2
// §2.4, §2.5, §3). What changed: every status writer goes through the table;
// guards are typed and named; holds remember their origin; cancelling and
// holding need a reason code; assignments stamp every status and are never
// reassigned in place; the SLA counts business hours, pauses on hold and
// persists its breaches as status rather than flags nobody writes.
package jobfsm
