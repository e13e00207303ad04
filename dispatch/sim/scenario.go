package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// Schema names the version of the scenario format. A scenario file carries
// it in its "schema" field; [ReadScenario] refuses any other.
const Schema = "hestami.dispatch.sim/v1"

// ErrInvalidScenario is matched (errors.Is) by every error about a scenario
// that breaks a rule of the schema.
var ErrInvalidScenario = errors.New("sim: invalid scenario")

// Scenario is one day to simulate: the service area, the travel model, the
// SLA policies, the technicians and every job that will be called in, with
// what will really happen on site (the [Truth], which no dispatcher sees),
// and the technicians who will call in sick. A scenario is plain data: a
// harness may generate one ([Generate]), read one ([ReadScenario]) or build
// its own.
type Scenario struct {
	Schema      string `json:"schema"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Seed is the seed the scenario was generated with; dispatchers seed
	// their searches with it.
	Seed uint64 `json:"seed"`
	// TimeZone is the IANA name of the area's time zone, for hosts that
	// need one (an engine's organization); every time carries its offset.
	TimeZone string `json:"timeZone,omitempty"`
	// Start and End bound the simulated day: the first plan is made at
	// Start; nothing happens after End.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Area  Area      `json:"area"`
	// Travel is how long driving takes, for the simulated technicians and
	// for the dispatchers alike.
	Travel Travel `json:"travel"`
	// SLA holds one policy per priority.
	SLA []SLAPolicy `json:"sla"`
	// LevelFactors[L-1] is the time a technician of level L takes,
	// relative to a job's estimate (which is for level 3).
	LevelFactors [5]float64 `json:"levelFactors"`
	// PartsLeadMinutes is how long a part found missing on site takes to
	// arrive: the second visit cannot start sooner.
	PartsLeadMinutes int `json:"partsLeadMinutes"`
	// DiagnoseMinutes is the time on site of a visit that ends because a
	// part is missing.
	DiagnoseMinutes int          `json:"diagnoseMinutes"`
	Technicians     []Technician `json:"technicians"`
	Jobs            []Job        `json:"jobs"`
	Sick            []SickCall   `json:"sick,omitempty"`
}

// Area is the service area: a disc on the map, cut into zones (the nearest
// zone centre wins).
type Area struct {
	Center   dispatch.Location `json:"center"`
	RadiusKm float64           `json:"radiusKm"`
	Zones    []Zone            `json:"zones,omitempty"`
}

// Zone is a named part of the area, for zone-based dispatch.
type Zone struct {
	Name   string            `json:"name"`
	Center dispatch.Location `json:"center"`
}

// ZoneOf returns the name of the zone nearest to loc ("" without zones).
func (a *Area) ZoneOf(loc dispatch.Location) string {
	best, name := math.Inf(1), ""
	for _, z := range a.Zones {
		if d := km(z.Center, loc); d < best {
			best, name = d, z.Name
		}
	}
	return name
}

// SLAPolicy is the service-level promise for one priority, in wall-clock
// minutes from the moment the SLA clock starts (the call, or the start of
// the arrival window the customer booked): a technician on site within
// ResponseMinutes, the job completed within ResolutionMinutes.
type SLAPolicy struct {
	Priority          dispatch.Priority `json:"priority"`
	ResponseMinutes   int               `json:"responseMinutes"`
	ResolutionMinutes int               `json:"resolutionMinutes"`
}

// Technician is one person with a truck and one shift.
type Technician struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Home is where the day starts and ends.
	Home dispatch.Location `json:"home"`
	// Zone is the technician's home zone, for zone-based dispatch.
	Zone           string                   `json:"zone,omitempty"`
	Skills         []dispatch.Skill         `json:"skills"`
	Certifications []dispatch.Certification `json:"certifications,omitempty"`
	ShiftStart     time.Time                `json:"shiftStart"`
	ShiftEnd       time.Time                `json:"shiftEnd"`
	// OvertimeMinutes is how long past ShiftEnd the technician may be
	// back home.
	OvertimeMinutes int    `json:"overtimeMinutes,omitempty"`
	Break           *Break `json:"break,omitempty"`
	// Truck is the stock on the truck at the start of the day, by SKU.
	Truck map[string]int `json:"truck,omitempty"`
}

// Break is a rest of Minutes starting between Earliest and Latest.
type Break struct {
	Earliest time.Time `json:"earliest"`
	Latest   time.Time `json:"latest"`
	Minutes  int       `json:"minutes"`
}

// Window is an arrival window promised to a customer.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Job is one call for service, as the customer reports it, and the Truth
// of what the visit will find.
type Job struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// CallAt is when the call comes in; a job called before the
	// scenario's Start is booked: every dispatcher knows it from the start.
	CallAt   time.Time         `json:"callAt"`
	Location dispatch.Location `json:"location"`
	Zone     string            `json:"zone,omitempty"`
	// Skill is the trade and the minimum level the work needs.
	Skill          dispatch.Skill    `json:"skill"`
	Certifications []string          `json:"certifications,omitempty"`
	Priority       dispatch.Priority `json:"priority"`
	Window         *Window           `json:"window,omitempty"`
	// EstimateMinutes is the expected time on site for a level-3
	// technician; Scenario.LevelFactors scale it for the others.
	EstimateMinutes int `json:"estimateMinutes"`
	// Parts are the parts the job is known to need from the truck.
	Parts map[string]int `json:"parts,omitempty"`
	Truth Truth          `json:"truth"`
	// Parent and Release are set on a second visit, which the simulator
	// creates: the first visit's job, and when the missing part arrives.
	Parent  string    `json:"parent,omitempty"`
	Release time.Time `json:"release,omitzero"`
}

// Truth is what a visit finds, hidden from dispatchers.
type Truth struct {
	// Factor is the actual time on site divided by the estimate
	// (log-normal, mean 1); zero means 1.
	Factor float64 `json:"factor,omitempty"`
	// FoundParts are parts the visit turns out to need besides Parts.
	FoundParts map[string]int `json:"foundParts,omitempty"`
}

// SickCall is a technician calling in sick at At: before the shift, the
// technician does not come; during it, they finish the job on hand and go
// home.
type SickCall struct {
	TechnicianID string    `json:"technicianId"`
	At           time.Time `json:"at"`
}

// Policy returns the SLA policy of priority p.
func (s *Scenario) Policy(p dispatch.Priority) SLAPolicy {
	for _, sla := range s.SLA {
		if sla.Priority == p {
			return sla
		}
	}
	return SLAPolicy{Priority: p}
}

// Estimate is how long a technician of level takes for the job, by the
// estimate.
func (s *Scenario) Estimate(j *Job, level int) time.Duration {
	f := 1.0
	if level >= 1 && level <= 5 && s.LevelFactors[level-1] > 0 {
		f = s.LevelFactors[level-1]
	}
	return minutes(float64(j.EstimateMinutes) * f)
}

// Level returns t's level in trade (0 without the skill).
func (t *Technician) Level(trade string) int {
	lvl := 0
	for _, s := range t.Skills {
		if s.Trade == trade {
			lvl = max(lvl, s.Level)
		}
	}
	return lvl
}

// Qualified returns nil if t may take j (trade, level, certifications valid
// on the job's day), or a *dispatch.RuleError naming the rule, matching
// dispatch.ErrUnqualified.
func (t *Technician) Qualified(j *Job) error {
	fail := func(code dispatch.ReasonCode, detail string) error {
		return &dispatch.RuleError{JobID: j.ID, Reason: dispatch.Reason{TechnicianID: t.ID, Code: code, Detail: detail}}
	}
	switch lvl := t.Level(j.Skill.Trade); {
	case lvl == 0:
		return fail(dispatch.ReasonSkillMissing, "no "+j.Skill.Trade+" skill")
	case lvl < j.Skill.Level:
		return fail(dispatch.ReasonSkillLevel, fmt.Sprintf("%s level %d, needs %d", j.Skill.Trade, lvl, j.Skill.Level))
	}
	for _, name := range j.Certifications {
		i := slices.IndexFunc(t.Certifications, func(c dispatch.Certification) bool { return c.Name == name })
		if i < 0 {
			return fail(dispatch.ReasonCertificationMissing, "no "+name+" certification")
		}
		if exp := t.Certifications[i].ExpiresAt; !exp.IsZero() && exp.Before(t.ShiftEnd) {
			return fail(dispatch.ReasonCertificationExpired, name+" expired "+exp.Format(time.DateOnly))
		}
	}
	return nil
}

// ReadScenario decodes a scenario (unknown fields are an error) and
// validates it.
func ReadScenario(r io.Reader) (*Scenario, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidScenario, err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// WriteJSON writes the scenario as indented JSON.
func (s *Scenario) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// Validate checks the rules of the schema: the version, unique IDs,
// shifts, breaks and windows that end after they start, known trades'
// levels (1–5), known priorities with an SLA policy each, positive
// estimates, sick calls of known technicians.
func (s *Scenario) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidScenario}, args...)...)
	}
	if s.Schema != Schema {
		return bad("schema %q, want %q", s.Schema, Schema)
	}
	if !s.End.After(s.Start) {
		return bad("end %s is not after start %s", s.End, s.Start)
	}
	if s.Area.RadiusKm <= 0 {
		return bad("area radius %g km", s.Area.RadiusKm)
	}
	for _, p := range priorities() {
		sla := s.Policy(p)
		if sla.ResponseMinutes <= 0 || sla.ResolutionMinutes < sla.ResponseMinutes {
			return bad("SLA policy for %s: response %d, resolution %d minutes", p, sla.ResponseMinutes, sla.ResolutionMinutes)
		}
	}
	for i, f := range s.LevelFactors {
		if f <= 0 {
			return bad("level factor %d is %g", i+1, f)
		}
	}
	if s.PartsLeadMinutes < 0 || s.DiagnoseMinutes <= 0 {
		return bad("parts lead %d, diagnose %d minutes", s.PartsLeadMinutes, s.DiagnoseMinutes)
	}
	techs := map[string]bool{}
	for _, t := range s.Technicians {
		switch {
		case t.ID == "" || techs[t.ID]:
			return bad("technician ID %q empty or repeated", t.ID)
		case !t.ShiftEnd.After(t.ShiftStart):
			return bad("technician %s: shift ends before it starts", t.ID)
		case t.OvertimeMinutes < 0:
			return bad("technician %s: negative overtime", t.ID)
		case t.Break != nil && (t.Break.Latest.Before(t.Break.Earliest) || t.Break.Minutes <= 0):
			return bad("technician %s: break window or length", t.ID)
		}
		for _, sk := range t.Skills {
			if sk.Trade == "" || sk.Level < 1 || sk.Level > 5 {
				return bad("technician %s: skill %+v", t.ID, sk)
			}
		}
		techs[t.ID] = true
	}
	jobs := map[string]bool{}
	for _, j := range s.Jobs {
		switch {
		case j.ID == "" || jobs[j.ID]:
			return bad("job ID %q empty or repeated", j.ID)
		case j.Skill.Trade == "" || j.Skill.Level < 1 || j.Skill.Level > 5:
			return bad("job %s: skill %+v", j.ID, j.Skill)
		case !slices.Contains(priorities(), j.Priority):
			return bad("job %s: priority %q", j.ID, j.Priority)
		case j.EstimateMinutes <= 0:
			return bad("job %s: estimate %d minutes", j.ID, j.EstimateMinutes)
		case j.Window != nil && !j.Window.End.After(j.Window.Start):
			return bad("job %s: window ends before it starts", j.ID)
		case j.Truth.Factor < 0:
			return bad("job %s: truth factor %g", j.ID, j.Truth.Factor)
		case j.CallAt.After(s.End):
			return bad("job %s: called after the day ends", j.ID)
		}
		jobs[j.ID] = true
	}
	for _, sc := range s.Sick {
		if !techs[sc.TechnicianID] {
			return bad("sick call of unknown technician %q", sc.TechnicianID)
		}
	}
	return nil
}

// priorities are the priorities, most urgent first.
func priorities() []dispatch.Priority {
	return []dispatch.Priority{dispatch.PriorityEmergency, dispatch.PriorityHigh, dispatch.PriorityMedium, dispatch.PriorityLow}
}

// minutes converts a number of minutes to a duration, to the second.
func minutes(m float64) time.Duration {
	return time.Duration(math.Round(m*60)) * time.Second
}
