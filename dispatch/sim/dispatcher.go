package sim

import (
	"context"
	"errors"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// Dispatcher decides who does what. The simulator calls Dispatch at the
// start of the day with the booked jobs, then whenever something happened
// (the events since the last call) and at the Wake the last plan asked
// for; the plan it returns stays in force until the next call.
//
// The State is the simulator's, kept up to date in place: a dispatcher
// reads it during the call and must not change it or keep pointers into it.
type Dispatcher interface {
	// Name names the policy in results and reports.
	Name() string
	Dispatch(ctx context.Context, s *State, events []Event) (*Plan, error)
}

// Plan is what a dispatcher wants done now: each technician's jobs to do
// next, in order. A technician who is free takes the first job of their
// queue that is still open and that they can finish within their shift and
// overtime (by the estimates), and drives there in time for its window; a
// technician with nothing to take waits where they are, and goes home at
// the end of the shift.
type Plan struct {
	// Queues are the jobs to do next by technician ID, in order. A job may
	// be in one queue only; its technician must be qualified for it.
	Queues map[string][]string
	// Wake, if after now, asks to be called again then even if nothing
	// happens (a periodic re-optimization).
	Wake time.Time
}

// ErrBadPlan is matched by the error of a run whose dispatcher returned a
// plan that breaks a rule: an unknown technician or job, a job in two
// queues, or a technician not qualified for a job (which also matches
// dispatch.ErrUnqualified).
var ErrBadPlan = errors.New("sim: bad plan")

// EventKind says what happened.
type EventKind string

// Event kinds.
const (
	// EventCall: a job was called in (or, at the start, was booked); a
	// second visit for parts is a call too (its Parent is set).
	EventCall EventKind = "CALL"
	// EventFree: a technician is free: the shift started or a break ended.
	EventFree EventKind = "FREE"
	// EventEnRoute: a technician left for a job.
	EventEnRoute EventKind = "EN_ROUTE"
	// EventOnSite: a technician arrived at a job.
	EventOnSite EventKind = "ON_SITE"
	// EventCompleted: the job is done; the technician is free.
	EventCompleted EventKind = "COMPLETED"
	// EventIncomplete: the visit ended because a part is missing; a second
	// visit follows as a call. The technician is free.
	EventIncomplete EventKind = "INCOMPLETE"
	// EventReturned: a technician gave a job back (sick on the way); it is
	// open again.
	EventReturned EventKind = "RETURNED"
	// EventSick: a technician called in sick.
	EventSick EventKind = "SICK"
	// EventOffShift: a technician went home for the day.
	EventOffShift EventKind = "OFF_SHIFT"
)

// Event is one thing that happened.
type Event struct {
	At           time.Time `json:"at"`
	Kind         EventKind `json:"kind"`
	JobID        string    `json:"jobId,omitempty"`
	TechnicianID string    `json:"technicianId,omitempty"`
}

// State is the day as a dispatcher sees it: the technicians and every job
// called so far, without the truth of what the visits will find.
type State struct {
	Now time.Time
	// Day is the scenario without its jobs and sick calls (which are the
	// future): the area, travel, SLA policies and technicians.
	Day *Scenario
	// Technicians are in the order of Day.Technicians.
	Technicians []TechState
	// Jobs are every job called so far, in the order of the calls.
	Jobs []JobState

	jobIdx map[string]int
}

// Job returns the state of the job with the ID, or nil.
func (s *State) Job(id string) *JobState {
	i, ok := s.jobIdx[id]
	if !ok {
		return nil
	}
	return &s.Jobs[i]
}

// TechStatus is what a technician is doing.
type TechStatus string

// Technician statuses.
const (
	TechOff     TechStatus = "OFF"     // before the shift
	TechIdle    TechStatus = "IDLE"    // on shift, free
	TechDriving TechStatus = "DRIVING" // to a job (JobID) or home
	TechWaiting TechStatus = "WAITING" // on site before the window opens
	TechWorking TechStatus = "WORKING"
	TechBreak   TechStatus = "BREAK"
	TechGone    TechStatus = "GONE" // home for the day, or sick
)

// TechState is one technician now.
type TechState struct {
	ID     string     `json:"id"`
	Status TechStatus `json:"status"`
	// Location is where the technician is, or is driving to.
	Location dispatch.Location `json:"location"`
	// JobID is the job on hand: driven to, waited at or worked on.
	JobID string `json:"jobId,omitempty"`
	// FreeAt is when the technician should be free at Location, by the
	// estimates (Now when idle; past estimates count as Now).
	FreeAt     time.Time `json:"freeAt"`
	BreakTaken bool      `json:"breakTaken,omitempty"`
	Sick       bool      `json:"sick,omitempty"`
	// Truck is the stock on the truck now; the parts of a job on hand are
	// taken when the work starts.
	Truck map[string]int `json:"truck,omitempty"`
}

// JobStatus is where a job is.
type JobStatus string

// Job statuses.
const (
	JobOpen       JobStatus = "OPEN"       // waiting for a technician
	JobEnRoute    JobStatus = "EN_ROUTE"   // a technician is on the way
	JobOnSite     JobStatus = "ON_SITE"    // waiting for the window, or worked on
	JobCompleted  JobStatus = "COMPLETED"  // done
	JobIncomplete JobStatus = "INCOMPLETE" // the visit found a part missing; a second visit follows
)

// JobState is one job now. Its Job carries no Truth.
type JobState struct {
	Job
	Status JobStatus `json:"status"`
	// TechnicianID is the technician on it or who did it.
	TechnicianID string `json:"technicianId,omitempty"`
	// ResponseDue and ResolutionDue are the SLA deadlines; Responded
	// tells whether a technician has been on site (a second visit's first
	// visit responded).
	ResponseDue   time.Time `json:"responseDue"`
	ResolutionDue time.Time `json:"resolutionDue"`
	Responded     bool      `json:"responded,omitempty"`
	// Committed is the technician the job was promised to: it was at the
	// head of their queue (see [Committed]). Giving it to another
	// technician is a reassignment.
	Committed string `json:"committed,omitempty"`
}

// Committed is how many jobs at the head of a technician's queue are
// promised: the technician was told it is their next job and the customer
// who is coming.
const Committed = 1

// Earliest is when work on the job may start: its window's start or its
// release (a second visit), if any.
func (j *Job) Earliest() time.Time {
	var t time.Time
	if j.Window != nil {
		t = j.Window.Start
	}
	if j.Release.After(t) {
		t = j.Release
	}
	return t
}

// Promise is when the customer expects a technician by: the window's end,
// or the SLA response deadline.
func (j *JobState) Promise() time.Time {
	if j.Window != nil {
		return j.Window.End
	}
	return j.ResponseDue
}
