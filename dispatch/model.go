package dispatch

import (
	"time"

	"github.com/shopspring/decimal"
)

// Priority ranks jobs for the first level of the objective: one EMERGENCY
// assigned outranks any number of HIGH, MEDIUM and LOW jobs, and so on down.
type Priority string

// Priorities, highest first.
const (
	PriorityEmergency Priority = "EMERGENCY"
	PriorityHigh      Priority = "HIGH"
	PriorityMedium    Priority = "MEDIUM"
	PriorityLow       Priority = "LOW"
)

// rank orders priorities from 0 (LOW, also the zero value) to 3 (EMERGENCY).
func (p Priority) rank() int {
	switch p {
	case PriorityEmergency:
		return 3
	case PriorityHigh:
		return 2
	case PriorityMedium:
		return 1
	}
	return 0
}

// Location is a point on the map. Haversine reads Lat and Lng; Euclidean
// reads Lng as x and Lat as y; Matrix reads Index.
type Location struct {
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
	Index int     `json:"index,omitempty"`
}

// Skill is a trade and a level from 1 (apprentice) to 5 (master). On a job
// it is a requirement: the technician needs the trade at this level or above.
type Skill struct {
	Trade string `json:"trade"`
	Level int    `json:"level"`
}

// Certification is a technician's credential (EPA-608, a gas license…). It
// is valid through ExpiresAt; a zero ExpiresAt never expires.
type Certification struct {
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// Interval is the half-open time range [Start, End).
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Shift is a span of working time. The technician leaves Start location no
// earlier than Start and is back by End; arriving after End is overtime, up
// to Overtime, and costs at the fourth level of the objective. Shifts may
// cross midnight and a technician may have several a day.
type Shift struct {
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Overtime time.Duration `json:"overtime,omitempty"`
}

// Break is a rest of Duration starting within [Earliest, Latest], taken where
// the technician is (at the stop before it). It belongs to the shift that
// contains Earliest.
type Break struct {
	Earliest time.Time     `json:"earliest"`
	Latest   time.Time     `json:"latest"`
	Duration time.Duration `json:"duration"`
}

// Appointment is a commitment already on a technician's calendar outside
// the plan being built (a job booked by hand, a meeting). Check refuses
// overlaps with it, travel included.
type Appointment struct {
	JobID    string    `json:"jobId,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Location *Location `json:"location,omitempty"`
}

// Technician is one person with a truck.
type Technician struct {
	ID             string          `json:"id"`
	Name           string          `json:"name,omitempty"`
	Inactive       bool            `json:"inactive,omitempty"`
	Skills         []Skill         `json:"skills,omitempty"`
	Certifications []Certification `json:"certifications,omitempty"`
	// Territories the technician serves; a job with a territory needs a
	// technician listing it. A technician with none serves everywhere.
	Territories []string      `json:"territories,omitempty"`
	Shifts      []Shift       `json:"shifts"`
	TimeOff     []Interval    `json:"timeOff,omitempty"`
	Breaks      []Break       `json:"breaks,omitempty"`
	Busy        []Appointment `json:"busy,omitempty"`
	Start       Location      `json:"start"`
	// End is where the day ends; nil ends it at the last job.
	End *Location `json:"end,omitempty"`
	// MaxJobs and MaxWork (service plus driving) bound the technician's
	// day across shifts; zero means no limit.
	MaxJobs int           `json:"maxJobs,omitempty"`
	MaxWork time.Duration `json:"maxWork,omitempty"`
	// HourlyCost weights the technician's overtime; zero counts overtime
	// at the default weight.
	HourlyCost decimal.Decimal `json:"hourlyCost,omitzero"`
	// Truck is the count of each part (by SKU) on the truck.
	Truck map[string]int `json:"truck,omitempty"`
}

// Window is an arrival window: service starts within [Start, End]. A soft
// window lets service start up to Late after End, at a lateness cost.
type Window struct {
	Start time.Time     `json:"start"`
	End   time.Time     `json:"end"`
	Late  time.Duration `json:"late,omitempty"`
}

// Job is one visit to schedule.
type Job struct {
	ID       string        `json:"id"`
	Location Location      `json:"location"`
	Duration time.Duration `json:"duration"`
	// DurationByLevel overrides Duration by the technician's level in the
	// trade of the job's first required skill (a master is faster).
	DurationByLevel map[int]time.Duration `json:"durationByLevel,omitempty"`
	// Windows are the acceptable service starts, sorted; none means any
	// time in a shift.
	Windows        []Window `json:"windows,omitempty"`
	Skills         []Skill  `json:"skills,omitempty"`
	Certifications []string `json:"certifications,omitempty"`
	// Parts needed from the truck, by SKU.
	Parts    map[string]int `json:"parts,omitempty"`
	Priority Priority       `json:"priority,omitempty"`
	// Value ranks jobs within a priority (0 and up): among jobs of equal
	// priority the optimizer maximises the value assigned before the
	// number of jobs assigned. VROOM's priority lands here.
	Value int `json:"value,omitempty"`
	// SLADeadline is the promised latest service start; starting later
	// counts as lateness (objective level 2), never as infeasible.
	SLADeadline time.Time `json:"slaDeadline,omitzero"`
	Territory   string    `json:"territory,omitempty"`
	// PinnedTo restricts the job to one technician.
	PinnedTo string `json:"pinnedTo,omitempty"`
	// Locked (with PinnedTo) marks a job in progress or en route: it stays
	// first on the technician's route, in the order given, and never moves.
	Locked bool `json:"locked,omitempty"`
	// Notified jobs have had an arrival window sent to the customer:
	// Reoptimize and Insert avoid moving them to another technician.
	Notified bool `json:"notified,omitempty"`
}

// Compliance is the organization's standing, supplied by the engine: an
// invalid license or insurance stops all dispatch; InvalidTrades stops
// dispatch of the jobs needing those trades.
type Compliance struct {
	LicenseInvalid   bool     `json:"licenseInvalid,omitempty"`
	InsuranceInvalid bool     `json:"insuranceInvalid,omitempty"`
	InvalidTrades    []string `json:"invalidTrades,omitempty"`
}

// Snapshot is everything the optimizer knows: the technicians, the jobs to
// plan, how long travel takes, and the current time. Shifts start no
// earlier than Now.
type Snapshot struct {
	Now         time.Time    `json:"now"`
	Technicians []Technician `json:"technicians"`
	Jobs        []Job        `json:"jobs"`
	Travel      TravelTimer  `json:"-"`
	Compliance  Compliance   `json:"compliance"`
}

// StopKind tells a job stop from a break.
type StopKind string

// Stop kinds.
const (
	StopJob   StopKind = "JOB"
	StopBreak StopKind = "BREAK"
)

// Stop is one step of a route with its times: the technician arrives,
// perhaps waits, starts at Start and leaves at Depart.
type Stop struct {
	Kind    StopKind      `json:"kind"`
	JobID   string        `json:"jobId,omitempty"`
	Arrival time.Time     `json:"arrival"`
	Start   time.Time     `json:"start"`
	Depart  time.Time     `json:"depart"`
	Travel  time.Duration `json:"travel"` // from the previous stop
	Meters  float64       `json:"meters"`
	Late    time.Duration `json:"late,omitempty"` // past the window end or SLA
	Locked  bool          `json:"locked,omitempty"`
}

// Route is one technician's shift.
type Route struct {
	TechnicianID string        `json:"technicianId"`
	Shift        int           `json:"shift"` // index into the technician's Shifts
	Depart       time.Time     `json:"depart"`
	Return       time.Time     `json:"return"`
	Stops        []Stop        `json:"stops"`
	Travel       time.Duration `json:"travel"`
	Meters       float64       `json:"meters"`
	Overtime     time.Duration `json:"overtime,omitempty"`
}

// Unassigned is a job the plan leaves out, with the first rule that
// excluded each technician.
type Unassigned struct {
	JobID   string   `json:"jobId"`
	Reasons []Reason `json:"reasons"`
}

// Objective is a plan's score, level by level (see the package doc).
type Objective struct {
	// Assigned counts the assigned jobs by priority.
	Assigned map[Priority]int `json:"assigned"`
	Lateness time.Duration    `json:"lateness"`
	Travel   time.Duration    `json:"travel"`
	Overtime time.Duration    `json:"overtime"`
}

// Plan is the optimizer's answer: routes with arrival times and the jobs it
// could not place, each with reasons.
type Plan struct {
	Routes     []Route      `json:"routes"`
	Unassigned []Unassigned `json:"unassigned"`
	Objective  Objective    `json:"objective"`
	// Iterations the search ran.
	Iterations int `json:"iterations"`
}
