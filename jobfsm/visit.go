package jobfsm

import (
	"slices"
	"time"
)

// VisitStatus is where one visit (a ServiceTitan appointment) is. A job has
// one or more visits; multi-day work is several visits.
type VisitStatus string

// The visit statuses.
const (
	VisitScheduled  VisitStatus = "SCHEDULED"
	VisitEnRoute    VisitStatus = "EN_ROUTE"
	VisitArrived    VisitStatus = "ARRIVED"
	VisitInProgress VisitStatus = "IN_PROGRESS"
	VisitPaused     VisitStatus = "PAUSED"
	VisitCompleted  VisitStatus = "COMPLETED"
	VisitCancelled  VisitStatus = "CANCELLED"
)

// Visit is the part of a visit its state machine reads and writes.
type Visit struct {
	Status       VisitStatus `json:"status"`
	TechnicianID string      `json:"technicianId,omitempty"`
	Stamps       VisitStamps `json:"stamps"`
}

// VisitStamps are the visit's timestamps: each is set on entering its
// status, every time, except StartedAt (the actual start), which keeps the
// first start across pauses.
type VisitStamps struct {
	EnRouteAt   time.Time `json:"enRouteAt,omitzero"`
	ArrivedAt   time.Time `json:"arrivedAt,omitzero"`
	StartedAt   time.Time `json:"startedAt,omitzero"`
	PausedAt    time.Time `json:"pausedAt,omitzero"`
	CompletedAt time.Time `json:"completedAt,omitzero"`
	CancelledAt time.Time `json:"cancelledAt,omitzero"`
}

// VisitChange is a visit after a transition and the history line to store.
type VisitChange struct {
	Visit Visit              `json:"visit"`
	Entry Entry[VisitStatus] `json:"entry"`
}

type visitCtx struct {
	visit Visit
	req   Request
}

type visitGuard = guard[visitCtx]

var (
	gVisitReason     = reasonCode(func(c visitCtx) Request { return c.req })
	gVisitTechnician = visitGuard{rule: RuleTechnicianAssigned, check: func(c visitCtx) string {
		return unless(c.visit.TechnicianID != "", RuleTechnicianAssigned)
	}}
)

func visitEdge(from, to VisitStatus, a Action, gs ...visitGuard) edge[VisitStatus, visitCtx] {
	return newEdge(from, to, a, gs...)
}

// visits is the visit transition table. A visit is cancelled only before
// work starts (with a reason: NO_ACCESS, CUSTOMER_CANCELLED…); once started
// it pauses, resumes and completes.
var visits = &machine[VisitStatus, visitCtx]{
	name:     MachineVisit,
	states:   []VisitStatus{VisitScheduled, VisitEnRoute, VisitArrived, VisitInProgress, VisitPaused, VisitCompleted, VisitCancelled},
	initial:  []VisitStatus{VisitScheduled},
	terminal: []VisitStatus{VisitCompleted, VisitCancelled},
	edges: []edge[VisitStatus, visitCtx]{
		visitEdge(VisitScheduled, VisitEnRoute, ActionDepart, gVisitTechnician),
		visitEdge(VisitScheduled, VisitArrived, ActionArrive, gVisitTechnician),
		visitEdge(VisitScheduled, VisitCancelled, ActionCancel, gVisitReason),

		visitEdge(VisitEnRoute, VisitArrived, ActionArrive),
		visitEdge(VisitEnRoute, VisitScheduled, ActionRecall),
		visitEdge(VisitEnRoute, VisitCancelled, ActionCancel, gVisitReason),

		visitEdge(VisitArrived, VisitInProgress, ActionStart),
		visitEdge(VisitArrived, VisitCancelled, ActionCancel, gVisitReason),

		visitEdge(VisitInProgress, VisitPaused, ActionPause),
		visitEdge(VisitInProgress, VisitCompleted, ActionComplete),

		visitEdge(VisitPaused, VisitInProgress, ActionResume),
		visitEdge(VisitPaused, VisitCompleted, ActionComplete),
	},
}

// Terminal reports whether nothing may follow s (COMPLETED, CANCELLED).
func (s VisitStatus) Terminal() bool { return visits.isTerminal(s) }

// VisitStatuses returns the visit statuses in order.
func VisitStatuses() []VisitStatus { return slices.Clone(visits.states) }

// VisitTable returns the visit transition table.
func VisitTable() []Edge[VisitStatus] { return visits.table() }

// Apply moves the visit to status to, or returns a [*TransitionError].
func (v Visit) Apply(to VisitStatus, r Request) (VisitChange, error) { return v.fire(to, "", r) }

// Perform applies the edge the action labels from the visit's status.
func (v Visit) Perform(a Action, r Request) (VisitChange, error) { return v.fire("", a, r) }

func (v Visit) fire(to VisitStatus, a Action, r Request) (VisitChange, error) {
	if err := r.validate(); err != nil {
		return VisitChange{}, err
	}
	e, err := visits.pick(v.Status, to, a, visitCtx{visit: v, req: r})
	if err != nil {
		return VisitChange{}, err
	}
	return v.advance(e, r), nil
}

// Options lists every edge out of the visit's status and whether it is
// allowed now.
func (v Visit) Options() []Option[VisitStatus] {
	return visits.options(v.Status, visitCtx{visit: v})
}

func (v Visit) advance(e *edge[VisitStatus, visitCtx], r Request) VisitChange {
	n := v
	n.Status = e.To
	s := &n.Stamps
	switch e.To {
	case VisitEnRoute:
		s.EnRouteAt = r.At
	case VisitArrived:
		s.ArrivedAt = r.At
	case VisitInProgress:
		if s.StartedAt.IsZero() {
			s.StartedAt = r.At
		}
	case VisitPaused:
		s.PausedAt = r.At
	case VisitCompleted:
		s.CompletedAt = r.At
	case VisitCancelled:
		s.CancelledAt = r.At
	}
	return VisitChange{Visit: n, Entry: entry(e.From, e.To, e.Action, r)}
}

// VisitCounts counts a job's visits by where they stand, for [Facts] and
// [FollowVisits].
type VisitCounts struct {
	Scheduled int `json:"scheduled"` // booked, nobody on the way yet
	Active    int `json:"active"`    // EN_ROUTE, ARRIVED, IN_PROGRESS or PAUSED: a technician is on it
	Completed int `json:"completed"`
	Cancelled int `json:"cancelled"`
}

// Open is the number of visits neither completed nor cancelled.
func (c VisitCounts) Open() int { return c.Scheduled + c.Active }

// CountVisits counts the statuses of a job's visits. An unknown status
// counts as active, so that it blocks completion rather than hide.
func CountVisits(statuses []VisitStatus) VisitCounts {
	var c VisitCounts
	for _, s := range statuses {
		switch s {
		case VisitScheduled:
			c.Scheduled++
		case VisitCompleted:
			c.Completed++
		case VisitCancelled:
			c.Cancelled++
		default:
			c.Active++
		}
	}
	return c
}

// Following is what a job's visits call for (see [FollowVisits]).
type Following struct {
	// Status is where the visits put the job: its current status when
	// they call for no move.
	Status JobStatus `json:"status"`
	// Path is the statuses to apply, in order, to get there: each is one
	// edge of the job table, applied with [Job.Apply] so that its guards run.
	Path []JobStatus `json:"path,omitempty"`
	// ReadyToComplete: the job is IN_PROGRESS, at least one visit is
	// completed and none is open. Completing stays a person's decision.
	ReadyToComplete bool `json:"readyToComplete,omitempty"`
}

// fieldLine is the order in which a job follows its visits.
var fieldLine = []JobStatus{JobCreated, JobScheduled, JobDispatched, JobInProgress}

// FollowVisits derives the job's status from its visits, as ServiceTitan
// derives a job's from its appointments. The job only moves forward along
// JOB_CREATED → SCHEDULED → DISPATCHED → IN_PROGRESS:
//
//   - an unscheduled job (JOB_CREATED) with an open visit becomes SCHEDULED;
//   - a job not yet IN_PROGRESS whose first visit is under way (a technician
//     EN_ROUTE, ARRIVED, working or paused) becomes IN_PROGRESS, through
//     DISPATCHED;
//   - a job in WARRANTY with a visit under way is reopened for rework
//     (its warranty guard still applies);
//   - a job IN_PROGRESS whose visits are all done may complete.
//
// A job ON_HOLD does not follow its visits: only a person lifts a hold.
// Neither does any other status: estimates and billing do not depend on
// visits.
func FollowVisits(status JobStatus, v VisitCounts) Following {
	f := Following{Status: status}
	switch {
	case status == JobWarranty && v.Active > 0:
		f.Status, f.Path = JobInProgress, []JobStatus{JobInProgress}
		return f
	case status == JobInProgress:
		f.ReadyToComplete = v.Completed > 0 && v.Open() == 0
		return f
	}
	at := slices.Index(fieldLine, status)
	if at < 0 {
		return f
	}
	target := at
	switch {
	case v.Active > 0:
		target = len(fieldLine) - 1
	case v.Open() > 0 && status == JobCreated:
		target = at + 1
	}
	if target > at {
		f.Status = fieldLine[target]
		f.Path = slices.Clone(fieldLine[at+1 : target+1])
	}
	return f
}
