package jobfsm

import (
	"slices"
	"time"
)

// AssignmentStatus is where a dispatch assignment (one technician on one
// visit) is: the reference's DispatchStatus.
type AssignmentStatus string

// The assignment statuses.
const (
	AssignmentPending   AssignmentStatus = "PENDING" // proposed, not yet offered to the technician
	AssignmentAssigned  AssignmentStatus = "ASSIGNED"
	AssignmentAccepted  AssignmentStatus = "ACCEPTED"
	AssignmentDeclined  AssignmentStatus = "DECLINED"
	AssignmentEnRoute   AssignmentStatus = "EN_ROUTE"
	AssignmentOnSite    AssignmentStatus = "ON_SITE"
	AssignmentCompleted AssignmentStatus = "COMPLETED"
	AssignmentCancelled AssignmentStatus = "CANCELLED"
)

// ReasonReassigned is the reason code [Assignment.Reassign] records on the
// assignment it cancels when the request carries none.
const ReasonReassigned = "REASSIGNED"

// Assignment is the part of a dispatch assignment its state machine reads
// and writes. An assignment belongs to one technician for good: giving the
// work to someone else cancels it and creates another ([Assignment.Reassign]).
type Assignment struct {
	Status        AssignmentStatus `json:"status"`
	TechnicianID  string           `json:"technicianId"`
	AssignedBy    string           `json:"assignedBy,omitempty"`
	DeclineReason string           `json:"declineReason,omitempty"` // the reason code of DECLINED
	CancelReason  string           `json:"cancelReason,omitempty"`  // the reason code of CANCELLED
	Stamps        AssignmentStamps `json:"stamps"`
}

// AssignmentStamps are set on entering each status (the reference never set
// them).
type AssignmentStamps struct {
	AssignedAt  time.Time `json:"assignedAt,omitzero"`
	AcceptedAt  time.Time `json:"acceptedAt,omitzero"`
	DeclinedAt  time.Time `json:"declinedAt,omitzero"`
	EnRouteAt   time.Time `json:"enRouteAt,omitzero"`
	OnSiteAt    time.Time `json:"onSiteAt,omitzero"`
	CompletedAt time.Time `json:"completedAt,omitzero"`
	CancelledAt time.Time `json:"cancelledAt,omitzero"`
}

// TravelTime is how long the technician drove: from EN_ROUTE to ON_SITE,
// zero until both are stamped.
func (a Assignment) TravelTime() time.Duration {
	if a.Stamps.EnRouteAt.IsZero() || a.Stamps.OnSiteAt.IsZero() {
		return 0
	}
	return a.Stamps.OnSiteAt.Sub(a.Stamps.EnRouteAt)
}

// AssignmentChange is an assignment after a transition and the history line
// to store.
type AssignmentChange struct {
	Assignment Assignment              `json:"assignment"`
	Entry      Entry[AssignmentStatus] `json:"entry"`
}

// Reassignment is the outcome of [Assignment.Reassign]: the old assignment
// cancelled (nil when it had been declined already) and the new one.
type Reassignment struct {
	Cancelled *AssignmentChange `json:"cancelled,omitempty"`
	New       AssignmentChange  `json:"new"`
}

type assignmentCtx struct {
	asg Assignment
	req Request
}

var gAssignmentReason = reasonCode(func(c assignmentCtx) Request { return c.req })

func assignmentEdge(from, to AssignmentStatus, a Action, gs ...guard[assignmentCtx]) edge[AssignmentStatus, assignmentCtx] {
	return newEdge(from, to, a, gs...)
}

// assignments is the dispatch-assignment transition table. Unlike the
// reference, DECLINED is final: offering the work again is a new assignment.
var assignments = &machine[AssignmentStatus, assignmentCtx]{
	name: MachineAssignment,
	states: []AssignmentStatus{
		AssignmentPending, AssignmentAssigned, AssignmentAccepted, AssignmentDeclined,
		AssignmentEnRoute, AssignmentOnSite, AssignmentCompleted, AssignmentCancelled,
	},
	initial:  []AssignmentStatus{AssignmentPending, AssignmentAssigned},
	terminal: []AssignmentStatus{AssignmentDeclined, AssignmentCompleted, AssignmentCancelled},
	edges: []edge[AssignmentStatus, assignmentCtx]{
		assignmentEdge(AssignmentPending, AssignmentAssigned, ActionAssign),
		assignmentEdge(AssignmentPending, AssignmentCancelled, ActionCancel, gAssignmentReason),

		assignmentEdge(AssignmentAssigned, AssignmentAccepted, ActionAccept),
		assignmentEdge(AssignmentAssigned, AssignmentDeclined, ActionDecline, gAssignmentReason),
		assignmentEdge(AssignmentAssigned, AssignmentCancelled, ActionCancel, gAssignmentReason),

		assignmentEdge(AssignmentAccepted, AssignmentEnRoute, ActionDepart),
		assignmentEdge(AssignmentAccepted, AssignmentDeclined, ActionDecline, gAssignmentReason),
		assignmentEdge(AssignmentAccepted, AssignmentCancelled, ActionCancel, gAssignmentReason),

		assignmentEdge(AssignmentEnRoute, AssignmentOnSite, ActionArrive),
		assignmentEdge(AssignmentEnRoute, AssignmentCancelled, ActionCancel, gAssignmentReason),

		assignmentEdge(AssignmentOnSite, AssignmentCompleted, ActionComplete),
		assignmentEdge(AssignmentOnSite, AssignmentCancelled, ActionCancel, gAssignmentReason),
	},
}

// Terminal reports whether nothing may follow s (DECLINED, COMPLETED,
// CANCELLED).
func (s AssignmentStatus) Terminal() bool { return assignments.isTerminal(s) }

// AssignmentStatuses returns the assignment statuses in order.
func AssignmentStatuses() []AssignmentStatus { return slices.Clone(assignments.states) }

// AssignmentTable returns the dispatch-assignment transition table.
func AssignmentTable() []Edge[AssignmentStatus] { return assignments.table() }

// NewAssignment creates an assignment of the technician, PENDING (proposed)
// or ASSIGNED (offered, stamped assignedAt and assignedBy).
func NewAssignment(technicianID string, initial AssignmentStatus, r Request) (AssignmentChange, error) {
	if err := r.validate(); err != nil {
		return AssignmentChange{}, err
	}
	if technicianID == "" {
		return AssignmentChange{}, &InputError{Field: "technicianId", Problem: "required"}
	}
	if !slices.Contains(assignments.initial, initial) {
		return AssignmentChange{}, &InputError{Field: "status", Problem: "an assignment starts PENDING or ASSIGNED"}
	}
	a := Assignment{Status: initial, TechnicianID: technicianID}
	if initial == AssignmentAssigned {
		a.AssignedBy, a.Stamps.AssignedAt = r.Actor, r.At
	}
	return AssignmentChange{Assignment: a, Entry: entry("", initial, ActionAssign, r)}, nil
}

// Apply moves the assignment to status to, or returns a [*TransitionError].
func (a Assignment) Apply(to AssignmentStatus, r Request) (AssignmentChange, error) {
	return a.fire(to, "", r)
}

// Perform applies the edge the action labels from the assignment's status.
func (a Assignment) Perform(act Action, r Request) (AssignmentChange, error) {
	return a.fire("", act, r)
}

func (a Assignment) fire(to AssignmentStatus, act Action, r Request) (AssignmentChange, error) {
	if err := r.validate(); err != nil {
		return AssignmentChange{}, err
	}
	e, err := assignments.pick(a.Status, to, act, assignmentCtx{asg: a, req: r})
	if err != nil {
		return AssignmentChange{}, err
	}
	return a.advance(e, r), nil
}

// Options lists every edge out of the assignment's status and whether it is
// allowed now.
func (a Assignment) Options() []Option[AssignmentStatus] {
	return assignments.options(a.Status, assignmentCtx{asg: a})
}

// Reassign gives the work to another technician (or offers it again to the
// same one): the assignment is cancelled with the request's reason code,
// REASSIGNED by default, and a new ASSIGNED assignment is created. A
// declined assignment stays as it is; a completed or cancelled one cannot
// be reassigned.
func (a Assignment) Reassign(technicianID string, r Request) (Reassignment, error) {
	if err := r.validate(); err != nil {
		return Reassignment{}, err
	}
	if technicianID == "" {
		return Reassignment{}, &InputError{Field: "technicianId", Problem: "required"}
	}
	var out Reassignment
	if a.Status != AssignmentDeclined {
		cr := r
		if cr.ReasonCode == "" {
			cr.ReasonCode = ReasonReassigned
		}
		c, err := a.Apply(AssignmentCancelled, cr)
		if err != nil {
			return Reassignment{}, err
		}
		out.Cancelled = &c
	}
	var err error
	out.New, err = NewAssignment(technicianID, AssignmentAssigned, r)
	return out, err
}

func (a Assignment) advance(e *edge[AssignmentStatus, assignmentCtx], r Request) AssignmentChange {
	n := a
	n.Status = e.To
	s := &n.Stamps
	switch e.To {
	case AssignmentAssigned:
		n.AssignedBy, s.AssignedAt = r.Actor, r.At
	case AssignmentAccepted:
		s.AcceptedAt = r.At
	case AssignmentDeclined:
		n.DeclineReason, s.DeclinedAt = r.ReasonCode, r.At
	case AssignmentEnRoute:
		s.EnRouteAt = r.At
	case AssignmentOnSite:
		s.OnSiteAt = r.At
	case AssignmentCompleted:
		s.CompletedAt = r.At
	case AssignmentCancelled:
		n.CancelReason, s.CancelledAt = r.ReasonCode, r.At
	}
	return AssignmentChange{Assignment: n, Entry: entry(e.From, e.To, e.Action, r)}
}
