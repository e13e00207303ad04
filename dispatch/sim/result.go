package sim

import (
	"encoding/json"
	"io"
	"math"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// Result is a simulated day: what each technician did, what became of each
// job, and the KPIs.
type Result struct {
	Scenario string    `json:"scenario"`
	Policy   string    `json:"policy"`
	Seed     uint64    `json:"seed"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	KPIs     KPIs      `json:"kpis"`
	// Dispatches counts the calls to the dispatcher.
	Dispatches  int          `json:"dispatches"`
	Technicians []TechDay    `json:"technicians"`
	Jobs        []JobOutcome `json:"jobs"`
	Area        Area         `json:"area"`
}

// SegmentKind is what a technician did during a segment of the day.
type SegmentKind string

// Segment kinds.
const (
	SegDrive SegmentKind = "DRIVE"
	SegWork  SegmentKind = "WORK"
	SegWait  SegmentKind = "WAIT" // on site before the window opens
	SegIdle  SegmentKind = "IDLE" // on shift with nothing to do
	SegBreak SegmentKind = "BREAK"
)

// Segment is a span of a technician's day.
type Segment struct {
	Kind  SegmentKind `json:"kind"`
	Start time.Time   `json:"start"`
	End   time.Time   `json:"end"`
	JobID string      `json:"jobId,omitempty"`
	// From, To and Meters describe a drive.
	From   dispatch.Location `json:"from,omitzero"`
	To     dispatch.Location `json:"to,omitzero"`
	Meters float64           `json:"meters,omitempty"`
	// LateMinutes, on work, is how late the technician first arrived
	// after the customer's promise.
	LateMinutes float64 `json:"lateMinutes,omitempty"`
	// Incomplete marks work that ended for a missing part.
	Incomplete bool `json:"incomplete,omitempty"`
	// Late is LateMinutes as a duration (not serialized).
	Late time.Duration `json:"-"`
}

// TechDay is one technician's day.
type TechDay struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Zone            string            `json:"zone,omitempty"`
	Home            dispatch.Location `json:"home"`
	ShiftStart      time.Time         `json:"shiftStart"`
	ShiftEnd        time.Time         `json:"shiftEnd"`
	OvertimeMinutes int               `json:"overtimeMinutes,omitempty"`
	// SickAt is when the technician called in sick, if they did.
	SickAt time.Time `json:"sickAt,omitzero"`
	// HomeAt is when the technician was back home.
	HomeAt   time.Time `json:"homeAt,omitzero"`
	Segments []Segment `json:"segments"`
	KPIs     TechKPIs  `json:"kpis"`
}

// TechKPIs are one technician's figures.
type TechKPIs struct {
	Jobs            int     `json:"jobs"` // visits finished (second visits included)
	DriveMinutes    float64 `json:"driveMinutes"`
	DriveKm         float64 `json:"driveKm"`
	WorkMinutes     float64 `json:"workMinutes"`
	IdleMinutes     float64 `json:"idleMinutes"` // idle and waiting on site
	BreakMinutes    float64 `json:"breakMinutes"`
	OvertimeMinutes float64 `json:"overtimeMinutes"`
	// Utilization is work over the time on shift (less the break).
	Utilization float64 `json:"utilization"`
}

// JobOutcome is what became of one job (a second visit is its own line,
// with Parent set).
type JobOutcome struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Parent      string            `json:"parent,omitempty"`
	Priority    dispatch.Priority `json:"priority"`
	Trade       string            `json:"trade"`
	Location    dispatch.Location `json:"location"`
	CallAt      time.Time         `json:"callAt"`
	Window      *Window           `json:"window,omitempty"`
	Status      JobStatus         `json:"status"`
	Technicians []string          `json:"technicians,omitempty"`
	// FirstArrival is the first time a technician was on site; Completed
	// when the work (its last visit) was done.
	FirstArrival  time.Time `json:"firstArrival,omitzero"`
	Completed     time.Time `json:"completed,omitzero"`
	ResponseDue   time.Time `json:"responseDue"`
	ResolutionDue time.Time `json:"resolutionDue"`
	ResponseMet   bool      `json:"responseMet"`
	ResolutionMet bool      `json:"resolutionMet"`
	LateMinutes   float64   `json:"lateMinutes,omitempty"`
	Reassigned    int       `json:"reassigned,omitempty"`
}

// KPIs are a day's figures. SLA rates count every job called that day:
// a job still open when the day ends is a miss, whatever its deadline, so
// that policies are compared on the same jobs.
type KPIs struct {
	Policy string `json:"policy"`
	// Jobs called (second visits not counted), Completed of them (all
	// visits done), Open when the day ended.
	Jobs          int     `json:"jobs"`
	Completed     int     `json:"completed"`
	CompletedRate float64 `json:"completedRate"`
	Open          int     `json:"open"`
	// ResponseRate and ResolutionRate are the SLA hit rates of all
	// priorities; ByPriority has them by priority, most urgent first.
	ResponseRate   float64       `json:"responseRate"`
	ResolutionRate float64       `json:"resolutionRate"`
	ByPriority     []PriorityKPI `json:"byPriority"`
	// WindowRate is the share of jobs booked into a window whose
	// technician arrived by its end.
	WindowRate float64 `json:"windowRate"`
	// MeanLateMinutes is the mean, over jobs a technician reached, of the
	// time past the promise (window end, else response deadline) at the
	// first arrival, zero when on time.
	MeanLateMinutes float64 `json:"meanLateMinutes"`
	// Drive totals, and per technician who worked.
	DriveMinutes        float64 `json:"driveMinutes"`
	DriveKm             float64 `json:"driveKm"`
	DriveMinutesPerTech float64 `json:"driveMinutesPerTech"`
	DriveKmPerTech      float64 `json:"driveKmPerTech"`
	// DriveMinutesPerJob is the drive per completed job.
	DriveMinutesPerJob float64 `json:"driveMinutesPerJob"`
	// Utilization is the work over the time on shift of every technician
	// who worked.
	Utilization     float64 `json:"utilization"`
	OvertimeMinutes float64 `json:"overtimeMinutes"`
	// Reassignments counts jobs moved from one technician's queue to
	// another's.
	Reassignments int `json:"reassignments"`
	// SecondVisits counts visits made again because a part was missing.
	SecondVisits int `json:"secondVisits"`
}

// PriorityKPI are the SLA figures of one priority.
type PriorityKPI struct {
	Priority       dispatch.Priority `json:"priority"`
	Jobs           int               `json:"jobs"`
	Completed      int               `json:"completed"`
	ResponseMet    int               `json:"responseMet"`
	ResolutionMet  int               `json:"resolutionMet"`
	ResponseRate   float64           `json:"responseRate"`
	ResolutionRate float64           `json:"resolutionRate"`
	// MeanResponseMinutes is the mean time from the SLA clock's start to
	// the first arrival, over the jobs reached.
	MeanResponseMinutes float64 `json:"meanResponseMinutes"`
}

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return round(float64(a)/float64(b), 4)
}

func mins(d time.Duration) float64 { return round(d.Minutes(), 1) }

// result assembles the day after the run.
func (s *simulator) result() *Result {
	sc := s.sc
	r := &Result{Scenario: sc.Name, Policy: s.d.Name(), Seed: sc.Seed, Start: sc.Start, End: sc.End,
		Dispatches: s.dispatches, Area: sc.Area}
	k := &r.KPIs
	k.Policy = r.Policy
	var drive, work, avail, overtime time.Duration
	var meters float64
	worked := 0
	for _, t := range s.techs {
		td := TechDay{ID: t.def.ID, Name: t.def.Name, Zone: t.def.Zone, Home: t.def.Home, ShiftStart: t.def.ShiftStart,
			ShiftEnd: t.def.ShiftEnd, OvertimeMinutes: t.def.OvertimeMinutes, SickAt: t.sickAt, HomeAt: t.homeAt, Segments: t.segs}
		if td.Segments == nil {
			td.Segments = []Segment{}
		}
		var tdrive, twork, tidle, tbreak time.Duration
		var tm float64
		for i := range td.Segments {
			g := &td.Segments[i]
			g.LateMinutes = mins(g.Late)
			d := g.End.Sub(g.Start)
			switch g.Kind {
			case SegDrive:
				tdrive += d
				tm += g.Meters
			case SegWork:
				twork += d
				td.KPIs.Jobs++
			case SegIdle, SegWait:
				tidle += d
			case SegBreak:
				tbreak += d
			}
		}
		end := t.def.ShiftEnd
		if !t.sickAt.IsZero() && t.sickAt.Before(end) {
			end = t.sickAt
		}
		onShift := end.Sub(t.def.ShiftStart) - tbreak
		var ot time.Duration
		if t.homeAt.After(t.def.ShiftEnd) {
			ot = t.homeAt.Sub(t.def.ShiftEnd)
		}
		td.KPIs.DriveMinutes, td.KPIs.DriveKm = mins(tdrive), round(tm/1000, 1)
		td.KPIs.WorkMinutes, td.KPIs.IdleMinutes, td.KPIs.BreakMinutes = mins(twork), mins(tidle), mins(tbreak)
		td.KPIs.OvertimeMinutes = mins(ot)
		if onShift > 0 {
			td.KPIs.Utilization = round(float64(twork)/float64(onShift), 4)
			worked++
			avail += onShift
		}
		drive, work, overtime, meters = drive+tdrive, work+twork, overtime+ot, meters+tm
		r.Technicians = append(r.Technicians, td)
	}
	k.DriveMinutes, k.DriveKm = mins(drive), round(meters/1000, 1)
	if worked > 0 {
		k.DriveMinutesPerTech = round(drive.Minutes()/float64(worked), 1)
		k.DriveKmPerTech = round(meters/1000/float64(worked), 1)
	}
	if avail > 0 {
		k.Utilization = round(float64(work)/float64(avail), 4)
	}
	k.OvertimeMinutes = mins(overtime)
	k.Reassignments = s.reassignments

	byPrio := map[dispatch.Priority]*PriorityKPI{}
	var respSum = map[dispatch.Priority]time.Duration{}
	var reached = map[dispatch.Priority]int{}
	for _, p := range priorities() {
		byPrio[p] = &PriorityKPI{Priority: p}
	}
	var lateSum time.Duration
	lateN, windowed, windowMet := 0, 0, 0
	for _, jb := range s.jobs {
		if jb.idx < 0 {
			continue
		}
		js := &s.st.Jobs[jb.idx]
		o := JobOutcome{ID: jb.def.ID, Title: jb.def.Title, Parent: jb.def.Parent, Priority: jb.def.Priority, Trade: jb.def.Skill.Trade,
			Location: jb.def.Location, CallAt: jb.def.CallAt, Window: jb.def.Window, Status: js.Status, Technicians: jb.techs,
			ResponseDue: js.ResponseDue, ResolutionDue: js.ResolutionDue, Reassigned: jb.reassigned}
		if jb.def.Parent != "" {
			k.SecondVisits++
			o.FirstArrival, o.Completed = jb.firstVisit(), jb.done
			r.Jobs = append(r.Jobs, o)
			continue
		}
		o.FirstArrival, o.Completed = jb.firstArrive, jb.done
		o.ResponseMet = !jb.firstArrive.IsZero() && !jb.firstArrive.After(js.ResponseDue)
		o.ResolutionMet = !jb.done.IsZero() && !jb.done.After(js.ResolutionDue)
		o.LateMinutes = mins(jb.late)
		pk := byPrio[jb.def.Priority]
		pk.Jobs++
		k.Jobs++
		if !jb.done.IsZero() {
			pk.Completed++
			k.Completed++
		}
		if o.ResponseMet {
			pk.ResponseMet++
		}
		if o.ResolutionMet {
			pk.ResolutionMet++
		}
		if !jb.firstArrive.IsZero() {
			lateSum += jb.late
			lateN++
			clock := js.ResponseDue.Add(-time.Duration(s.sc.Policy(jb.def.Priority).ResponseMinutes) * time.Minute)
			respSum[jb.def.Priority] += jb.firstArrive.Sub(clock)
			reached[jb.def.Priority]++
		}
		if jb.def.Window != nil {
			windowed++
			if !jb.firstArrive.IsZero() && !jb.firstArrive.After(jb.def.Window.End) {
				windowMet++
			}
		}
		r.Jobs = append(r.Jobs, o)
	}
	k.Open = k.Jobs - k.Completed
	k.CompletedRate = ratio(k.Completed, k.Jobs)
	resp, res := 0, 0
	for _, p := range priorities() {
		pk := byPrio[p]
		pk.ResponseRate, pk.ResolutionRate = ratio(pk.ResponseMet, pk.Jobs), ratio(pk.ResolutionMet, pk.Jobs)
		if n := reached[p]; n > 0 {
			pk.MeanResponseMinutes = round(respSum[p].Minutes()/float64(n), 1)
		}
		resp, res = resp+pk.ResponseMet, res+pk.ResolutionMet
		k.ByPriority = append(k.ByPriority, *pk)
	}
	k.ResponseRate, k.ResolutionRate = ratio(resp, k.Jobs), ratio(res, k.Jobs)
	k.WindowRate = ratio(windowMet, windowed)
	if lateN > 0 {
		k.MeanLateMinutes = round(lateSum.Minutes()/float64(lateN), 1)
	}
	if k.Completed > 0 {
		k.DriveMinutesPerJob = round(drive.Minutes()/float64(k.Completed), 1)
	}
	return r
}

// firstVisit is when a technician first reached a second visit.
func (jb *job) firstVisit() time.Time { return jb.visitAt }
