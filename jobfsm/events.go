package jobfsm

import "time"

// EventType names an event a job transition emits.
type EventType string

// The events. Every transition emits JOB_STATUS_CHANGED first; the others
// follow when the move concerns them.
const (
	EventStatusChanged EventType = "JOB_STATUS_CHANGED"

	// The SLA clock (see [SLAClock]): it starts when the job becomes a
	// service request (TICKET, from creation or from LEAD), pauses while the
	// job is ON_HOLD, stops the response target when the job first goes
	// IN_PROGRESS and the resolution target when it first completes. A
	// cancellation stops whatever still runs. A workflow sleeping until the
	// next escalation wakes on any of them and asks [SLAClock.Status] again.
	EventSLAStarted   EventType = "SLA_STARTED"
	EventSLAPaused    EventType = "SLA_PAUSED"
	EventSLAResumed   EventType = "SLA_RESUMED"
	EventSLAResponded EventType = "SLA_RESPONDED"
	EventSLAResolved  EventType = "SLA_RESOLVED"
	EventSLAStopped   EventType = "SLA_STOPPED"

	// The linked CAM work order and concierge case move with the job (see
	// [WorkOrderStatusFor], [CaseStatusFor]); the event is emitted only when
	// their status changes. Callers with no linked record ignore it.
	EventWorkOrderStatus EventType = "WORK_ORDER_STATUS_CHANGED"
	EventCaseStatus      EventType = "CONCIERGE_CASE_STATUS_CHANGED"
)

// Event is one event to emit, in the outbox of the transaction that stores
// the transition.
type Event struct {
	Type            EventType       `json:"type"`
	At              time.Time       `json:"at"`
	From            JobStatus       `json:"from,omitempty"`            // JOB_STATUS_CHANGED
	To              JobStatus       `json:"to,omitempty"`              // JOB_STATUS_CHANGED
	WorkOrderStatus WorkOrderStatus `json:"workOrderStatus,omitempty"` // WORK_ORDER_STATUS_CHANGED
	CaseStatus      CaseStatus      `json:"caseStatus,omitempty"`      // CONCIERGE_CASE_STATUS_CHANGED
}

// WorkOrderStatus is the status jobfsm sets on a linked CAM work order.
type WorkOrderStatus string

// The work-order statuses a job drives.
const (
	WorkOrderScheduled  WorkOrderStatus = "SCHEDULED"
	WorkOrderInProgress WorkOrderStatus = "IN_PROGRESS"
	WorkOrderCompleted  WorkOrderStatus = "COMPLETED"
	WorkOrderClosed     WorkOrderStatus = "CLOSED"
	WorkOrderCancelled  WorkOrderStatus = "CANCELLED"
)

// CaseStatus is the status jobfsm sets on a linked concierge case.
type CaseStatus string

// The concierge-case statuses a job drives.
const (
	CaseInProgress CaseStatus = "IN_PROGRESS"
	CaseResolved   CaseStatus = "RESOLVED"
	CaseClosed     CaseStatus = "CLOSED"
)

// WorkOrderStatusFor is the linked work order's status while the job is in
// s (the reference's mapping, §3): SCHEDULED and DISPATCHED → SCHEDULED,
// IN_PROGRESS → IN_PROGRESS, COMPLETED and the billing and warranty statuses
// after it → COMPLETED, CLOSED → CLOSED, CANCELLED → CANCELLED. Earlier
// statuses leave the work order alone (false). ON_HOLD keeps the status of
// the status held from, which only [Job] knows.
func WorkOrderStatusFor(s JobStatus) (WorkOrderStatus, bool) {
	switch s {
	case JobScheduled, JobDispatched:
		return WorkOrderScheduled, true
	case JobInProgress:
		return WorkOrderInProgress, true
	case JobCompleted, JobInvoiced, JobPaid, JobWarranty:
		return WorkOrderCompleted, true
	case JobClosed:
		return WorkOrderClosed, true
	case JobCancelled:
		return WorkOrderCancelled, true
	}
	return "", false
}

// CaseStatusFor is the linked concierge case's status while the job is in
// s: SCHEDULED, DISPATCHED and IN_PROGRESS → IN_PROGRESS, COMPLETED and after
// → RESOLVED, CLOSED and CANCELLED → CLOSED. Earlier statuses leave the case
// alone (false).
func CaseStatusFor(s JobStatus) (CaseStatus, bool) {
	switch s {
	case JobScheduled, JobDispatched, JobInProgress:
		return CaseInProgress, true
	case JobCompleted, JobInvoiced, JobPaid, JobWarranty:
		return CaseResolved, true
	case JobClosed, JobCancelled:
		return CaseClosed, true
	}
	return "", false
}

// camStatus is the status whose linked-record mapping holds for j: a hold
// keeps the mapping of the status held from.
func (j Job) camStatus() JobStatus {
	if j.Status == JobOnHold {
		return j.HeldFrom
	}
	return j.Status
}

// events lists what moving j to status to at that time emits.
func (j Job) events(to JobStatus, at time.Time) []Event {
	evs := make([]Event, 1, 4)
	evs[0] = Event{Type: EventStatusChanged, At: at, From: j.Status, To: to}
	evs = j.slaEvents(evs, to, at)
	after := Job{Status: to, HeldFrom: j.Status}.camStatus()
	if wo, ok := WorkOrderStatusFor(after); ok {
		if old, _ := WorkOrderStatusFor(j.camStatus()); old != wo {
			evs = append(evs, Event{Type: EventWorkOrderStatus, At: at, WorkOrderStatus: wo})
		}
	}
	if cs, ok := CaseStatusFor(after); ok {
		if old, _ := CaseStatusFor(j.camStatus()); old != cs {
			evs = append(evs, Event{Type: EventCaseStatus, At: at, CaseStatus: cs})
		}
	}
	return evs
}

// slaEvents appends the SLA events of moving j to status to. The SLA
// clock replays them from the history, so this is the one definition of
// when the clock starts, pauses, resumes and stops.
func (j Job) slaEvents(evs []Event, to JobStatus, at time.Time) []Event {
	add := func(t EventType) { evs = append(evs, Event{Type: t, At: at}) }
	started := j.Status != "" && j.Status != JobLead
	switch {
	case !started && to != JobLead && to != JobCancelled:
		add(EventSLAStarted)
	case !started, !j.Stamps.CompletedAt.IsZero():
		// not started, or resolved: the clock has stopped for good
	case to == JobCancelled:
		add(EventSLAStopped)
	default:
		switch {
		case to == JobOnHold:
			add(EventSLAPaused)
		case j.Status == JobOnHold:
			add(EventSLAResumed)
		}
		switch {
		case to == JobInProgress && j.Stamps.StartedAt.IsZero():
			add(EventSLAResponded)
		case to == JobCompleted:
			add(EventSLAResolved)
		}
	}
	return evs
}
