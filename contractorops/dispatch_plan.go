package contractorops

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/dispatch"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// A day's dispatch picture (daySnapshot) is read in one transaction and
// recorded; the optimizer runs on it in a recorded step; its plan is
// applied in another transaction that skips what changed meanwhile. A
// durable replay therefore neither re-plans nor applies twice.

// planRef is the engine record behind one job of the optimizer's snapshot.
type planRef struct {
	JobID        string          `json:"jobId"`
	JobNumber    string          `json:"jobNumber"`
	Title        string          `json:"title"`
	Priority     jobfsm.Priority `json:"priority"`
	JobVersion   int64           `json:"jobVersion"`
	VisitID      string          `json:"visitId,omitempty"`
	VisitVersion int64           `json:"visitVersion,omitempty"`
	// AssignmentID is the visit's active assignment, if any.
	AssignmentID string `json:"assignmentId,omitempty"`
	TechnicianID string `json:"technicianId,omitempty"`
}

// daySnapshot is a day as the optimizer sees it, with the records behind
// it and the plan the assignments make now.
type daySnapshot struct {
	Date     jobfsm.Date        `json:"date"`
	Snapshot dispatch.Snapshot  `json:"snapshot"`
	Refs     map[string]planRef `json:"refs"`
	Current  dispatch.Plan      `json:"current"`
	Names    map[string]string  `json:"names"`
}

// planID ids in the optimizer's snapshot: a visit's, or an unbooked job's.
func visitPlanID(visitID string) string { return "v:" + visitID }
func jobPlanID(jobID string) string     { return "j:" + jobID }

// dayOptions says what a day snapshot includes.
type dayOptions struct {
	technicians []string // empty: every active technician
	backlog     bool     // add approved jobs with no visit yet
	compliance  bool     // refuse a blocked contractor
}

// readDay builds the day's snapshot in one transaction.
func (c *call) readDay(t *txn, date jobfsm.Date, opt dayOptions) (*daySnapshot, error) {
	loc := c.e.location(c.orgTimeZone(t))
	from, to := dayBounds(date, loc)
	ds := &daySnapshot{Date: date, Refs: map[string]planRef{}, Names: map[string]string{}}
	ds.Snapshot.Now = c.now

	facts, _, err := loadComplianceFacts(t)
	if err != nil {
		return nil, err
	}
	status := facts.Evaluate(c.now)
	if opt.compliance && status.Blocked {
		return nil, status.Check()
	}
	ds.Snapshot.Compliance = dispatchCompliance(status)

	dc, err := c.readDispatchContext(t)
	if err != nil {
		return nil, err
	}
	techs, err := find(t, techniciansTable, Query{Where: []Cond{Eq("active", "true")}})
	if err != nil {
		return nil, err
	}
	for _, tech := range techs {
		if len(opt.technicians) > 0 && !slices.Contains(opt.technicians, tech.ID) {
			continue
		}
		dt, err := c.dispatchTechnician(t, dc, tech, from, to)
		if err != nil {
			return nil, err
		}
		ds.Snapshot.Technicians = append(ds.Snapshot.Technicians, dt)
		ds.Names[tech.ID] = tech.Name()
	}
	jobs := map[string]*Job{}
	loadJob := func(id string) (*Job, error) {
		if j, ok := jobs[id]; ok {
			return j, nil
		}
		j, err := load(t, jobsTable, id)
		jobs[id] = j
		return j, err
	}

	// The day's assignments make the current plan; their visits are jobs.
	asgs, err := find(t, assignmentsTable, Query{Where: []Cond{Gte("starts_at", timeKey(from)), Lt("starts_at", timeKey(to))}})
	if err != nil {
		return nil, err
	}
	active := map[string]*Assignment{} // visit id → active assignment
	for _, a := range asgs {
		if a.occupies() {
			active[a.VisitID] = a
		}
	}
	visits, err := find(t, visitsTable, Query{Where: []Cond{Gte("starts_at", timeKey(from)), Lt("starts_at", timeKey(to))}})
	if err != nil {
		return nil, err
	}
	progress := map[string]*dayProgress{} // by technician
	for _, v := range visits {
		if v.State.Status == jobfsm.VisitCompleted && v.TechnicianID != "" {
			j, err := loadJob(v.JobID)
			if err != nil {
				return nil, err
			}
			progressOf(progress, v.TechnicianID).done(v, j)
		}
		if v.State.Status.Terminal() {
			continue
		}
		j, err := loadJob(v.JobID)
		if err != nil {
			return nil, err
		}
		id := visitPlanID(v.ID)
		dj, err := c.dispatchJob(t, dc, j, id)
		if err != nil {
			return nil, err
		}
		ref := planRef{JobID: j.ID, JobNumber: j.Number, Title: j.Title, Priority: j.Priority, JobVersion: j.Version,
			VisitID: v.ID, VisitVersion: v.Version}
		if a := active[v.ID]; a != nil {
			ref.AssignmentID, ref.TechnicianID = a.ID, a.TechnicianID()
			dj.Notified = a.Status() != jobfsm.AssignmentPending && a.Status() != jobfsm.AssignmentAssigned
		}
		if v.State.Status != jobfsm.VisitScheduled {
			// Under way: it stays first on its technician's route.
			dj.PinnedTo, dj.Locked = v.TechnicianID, true
			underway(&dj, v, active[v.ID], c.now)
			progressOf(progress, v.TechnicianID).underway(j, dj.Duration)
		}
		ds.Snapshot.Jobs = append(ds.Snapshot.Jobs, dj)
		ds.Refs[id] = ref
	}
	if opt.backlog {
		backlog, err := find(t, jobsTable, Query{Where: []Cond{Eq("status", string(jobfsm.JobCreated))}, OrderBy: "created_at", Limit: maxBacklog})
		if err != nil {
			return nil, err
		}
		for _, j := range backlog {
			if w := j.ArrivalWindow; w != nil && (!w.Start.Before(to) || !w.End.After(from)) {
				continue // promised on another day
			}
			open, err := find(t, visitsTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(open, func(v *Visit) bool { return !v.State.Status.Terminal() }) {
				continue
			}
			id := jobPlanID(j.ID)
			dj, err := c.dispatchJob(t, dc, j, id)
			if err != nil {
				return nil, err
			}
			ds.Snapshot.Jobs = append(ds.Snapshot.Jobs, dj)
			ds.Refs[id] = planRef{JobID: j.ID, JobNumber: j.Number, Title: j.Title, Priority: j.Priority, JobVersion: j.Version}
		}
	}
	for i := range ds.Snapshot.Technicians {
		if p := progress[ds.Snapshot.Technicians[i].ID]; p != nil {
			p.apply(&ds.Snapshot.Technicians[i], c.now)
		}
	}
	ds.Current = currentPlan(ds, asgs)
	return ds, nil
}

// minRemaining is the least service the optimizer assumes a job under way
// still needs: the technician is there until they say they are done.
const minRemaining = 5 * time.Minute

// underway fits a visit under way to what is left of it. Its arrival
// window is behind it (kept or missed, no plan changes that); its service
// is what remains: the job less the time on site, or, still driving, the
// job plus the drive left to the planned arrival.
func underway(dj *dispatch.Job, v *Visit, a *Assignment, now time.Time) {
	dj.Windows = nil
	switch arrived := v.State.Stamps.ArrivedAt; {
	case v.State.Status != jobfsm.VisitEnRoute && !arrived.IsZero():
		dj.Duration = max(dj.Duration-now.Sub(arrived), minRemaining)
	case a != nil && a.ETA.After(now):
		dj.Duration += a.ETA.Sub(now)
	}
}

// dayProgress is where a technician is in a day under way and what the
// day has used of their limits, so that the rest of it is planned from
// there: from the job they are at or heading to, else from the last one
// they finished, with the jobs and hours they have left.
type dayProgress struct {
	at      *Address  // where they are
	since   time.Time // when they got there (finished, or now for a job under way)
	jobs    int       // jobs finished or under way
	worked  time.Duration
	locked  time.Duration // the service left of the job under way
	current bool          // a job is under way
}

func progressOf(m map[string]*dayProgress, techID string) *dayProgress {
	if m[techID] == nil {
		m[techID] = &dayProgress{}
	}
	return m[techID]
}

// done counts a finished visit: the last one finished is where the
// technician is, unless a job is under way.
func (p *dayProgress) done(v *Visit, j *Job) {
	st := v.State.Stamps
	p.jobs++
	if start := cmp.Or(st.EnRouteAt, st.ArrivedAt, st.StartedAt); !start.IsZero() && st.CompletedAt.After(start) {
		p.worked += st.CompletedAt.Sub(start)
	}
	if !p.current && !st.CompletedAt.Before(p.since) {
		p.at, p.since = &j.Location, st.CompletedAt
	}
}

// stretch makes the technician's shifts cover [now, until]: the shift
// started by now (or else the first) starts by now and ends no earlier than
// until, merged with the next when they meet.
func stretch(dt *dispatch.Technician, now, until time.Time) {
	if len(dt.Shifts) == 0 {
		dt.Shifts = []dispatch.Shift{{Start: now, End: until}}
		return
	}
	i := 0
	for k, sh := range dt.Shifts {
		if !sh.Start.After(now) {
			i = k
		}
	}
	sh := &dt.Shifts[i]
	if sh.Start.After(now) {
		sh.Start = now
	}
	sh.End = maxTime(sh.End, until)
	for i+1 < len(dt.Shifts) && !dt.Shifts[i+1].Start.After(dt.Shifts[i].End) {
		dt.Shifts[i].End = maxTime(dt.Shifts[i].End, dt.Shifts[i+1].End)
		dt.Shifts = slices.Delete(dt.Shifts, i+1, i+2)
	}
}

// underway counts the job under way: the technician is there (or will be
// before anything else).
func (p *dayProgress) underway(j *Job, remaining time.Duration) {
	p.jobs++
	p.at, p.current = &j.Location, true
	p.locked += remaining
}

// apply moves the technician's start and shrinks their limits by what the
// day has used. A technician with no job left to take keeps only the job
// under way; with none, they are off the rest of the day's plan. A job
// under way is a fact, not a plan: when it runs past the shift (or there
// is none), the shift stretches to cover what is left of it.
func (p *dayProgress) apply(dt *dispatch.Technician, now time.Time) {
	if p.at != nil {
		if loc := dispatchLocation(*p.at); loc.Index != unknownLocation {
			dt.Start = loc
		}
	}
	if p.current {
		stretch(dt, now, now.Add(p.locked))
	}
	if dt.MaxJobs > 0 {
		left := dt.MaxJobs - p.jobs
		if p.current {
			left++ // the job under way is planned too
		}
		switch {
		case left > 0:
			dt.MaxJobs = left
		case p.current:
			dt.MaxJobs = 1
		default:
			dt.Inactive = true
		}
	}
	if dt.MaxWork > 0 {
		dt.MaxWork = max(dt.MaxWork-p.worked, p.locked+time.Minute)
	}
}

// live returns the current plan as the optimizer takes it in the middle of
// a day: the optimizer plans from now on, so a stop that was planned to
// start earlier (under way, or running late) starts now; its times are
// recomputed anyway.
func (ds *daySnapshot) live() *dispatch.Plan {
	now := ds.Snapshot.Now
	plan := ds.Current
	plan.Routes = make([]dispatch.Route, len(ds.Current.Routes))
	for i, r := range ds.Current.Routes {
		r.Stops = slices.Clone(r.Stops)
		for k := range r.Stops {
			if st := &r.Stops[k]; st.Start.Before(now) {
				d := now.Sub(st.Start)
				st.Arrival, st.Start, st.Depart = maxTime(st.Arrival.Add(d), now), now, st.Depart.Add(d)
			}
		}
		plan.Routes[i] = r
	}
	return &plan
}

// repairMillis bounds the search that repairs a live day an emergency
// cannot be inserted into as it stands.
const repairMillis = 500

// maxBacklog bounds the unbooked jobs one plan considers.
const maxBacklog = 2000

// currentPlan lays the day's active assignments out as a plan: per
// technician shift, stops in order (those under way first).
func currentPlan(ds *daySnapshot, asgs []*Assignment) dispatch.Plan {
	plan := dispatch.Plan{Unassigned: []dispatch.Unassigned{}}
	locked := map[string]bool{}
	for _, j := range ds.Snapshot.Jobs {
		locked[j.ID] = j.Locked
	}
	byTech := map[string][]*Assignment{}
	for _, a := range asgs {
		if a.occupies() {
			if _, known := ds.Refs[visitPlanID(a.VisitID)]; known {
				byTech[a.TechnicianID()] = append(byTech[a.TechnicianID()], a)
			}
		}
	}
	for _, tech := range ds.Snapshot.Technicians {
		as := byTech[tech.ID]
		if len(as) == 0 {
			continue
		}
		sortAssignments(as)
		slices.SortStableFunc(as, func(a, b *Assignment) int {
			la, lb := locked[visitPlanID(a.VisitID)], locked[visitPlanID(b.VisitID)]
			switch {
			case la && !lb:
				return -1
			case lb && !la:
				return 1
			}
			return 0
		})
		routes := map[int]*dispatch.Route{}
		var order []int
		for _, a := range as {
			shift := 0
			for i, sh := range tech.Shifts {
				if !a.Start.Before(sh.Start) && a.Start.Before(sh.End) {
					shift = i
				}
			}
			r := routes[shift]
			if r == nil {
				r = &dispatch.Route{TechnicianID: tech.ID, Shift: shift}
				routes[shift] = r
				order = append(order, shift)
			}
			r.Stops = append(r.Stops, dispatch.Stop{Kind: dispatch.StopJob, JobID: visitPlanID(a.VisitID),
				Arrival: a.ETA, Start: a.Start, Depart: a.End, Locked: locked[visitPlanID(a.VisitID)]})
		}
		for _, s := range order {
			plan.Routes = append(plan.Routes, *routes[s])
		}
	}
	return plan
}

// OptimizeDayInput plans one day.
type OptimizeDayInput struct {
	// Date is the day, in the organization's time zone.
	Date jobfsm.Date `json:"date"`
	// TechnicianIDs limits the plan to these technicians; empty plans
	// every active technician.
	TechnicianIDs []string `json:"technicianIds,omitempty"`
	// IncludeBacklog adds approved jobs not booked yet (JOB_CREATED, no
	// visit). Defaults to true.
	IncludeBacklog *bool `json:"includeBacklog,omitempty"`
	// TimeLimitMs bounds the search (default 2 000, at most 60 000);
	// Iterations, when set, replaces it with a fixed budget (repeatable).
	TimeLimitMs int    `json:"timeLimitMs,omitempty"`
	Iterations  int    `json:"iterations,omitempty"`
	Seed        uint64 `json:"seed,omitempty"`
	// DryRun returns the plan without applying it.
	DryRun bool `json:"dryRun,omitempty"`
}

// Validate checks the input.
func (in OptimizeDayInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Date, validation.By(requiredDate)),
		validation.Field(&in.TechnicianIDs, validation.Length(0, 1000)),
		validation.Field(&in.TimeLimitMs, validation.Min(0), validation.Max(60000)),
		validation.Field(&in.Iterations, validation.Min(0), validation.Max(1_000_000)),
	)
}

func requiredDate(v any) error {
	if d, _ := v.(jobfsm.Date); d == (jobfsm.Date{}) {
		return validation.ErrRequired
	}
	return nil
}

// InsertEmergencyInput places one job into a day's live plan.
type InsertEmergencyInput struct {
	JobID string `json:"jobId"`
	// Date is the day; empty is today in the organization's time zone.
	Date jobfsm.Date `json:"date,omitzero"`
}

// Validate checks the input.
func (in InsertEmergencyInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.JobID, validation.Required))
}

// BoardInput shows one day.
type BoardInput struct {
	Date          jobfsm.Date `json:"date"`
	TechnicianIDs []string    `json:"technicianIds,omitempty"`
}

// Validate checks the input.
func (in BoardInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.Date, validation.By(requiredDate)))
}

// DayPlan is an optimized day: routes with arrival times, the jobs left out
// with the reason each technician could not take them, and what applying
// it changed.
type DayPlan struct {
	Date       jobfsm.Date        `json:"date"`
	PlanID     string             `json:"planId"`
	Routes     []RouteView        `json:"routes"`
	Unassigned []UnassignedView   `json:"unassigned"`
	Objective  dispatch.Objective `json:"objective"`
	Iterations int                `json:"iterations"`
	Applied    bool               `json:"applied"`
	Changes    PlanChanges        `json:"changes"`
}

// PlanChanges counts what applying a plan did, and lists what it skipped.
type PlanChanges struct {
	Created   int           `json:"created"`
	Moved     int           `json:"moved"`
	Retimed   int           `json:"retimed"`
	Cancelled int           `json:"cancelled"`
	Skipped   []SkippedStop `json:"skipped,omitempty"`
}

// SkippedStop is a stop of a plan that was not applied, and why.
type SkippedStop struct {
	JobID     string `json:"jobId"`
	JobNumber string `json:"jobNumber"`
	Reason    string `json:"reason"`
}

// RouteView is one technician's shift in a plan.
type RouteView struct {
	TechnicianID    string     `json:"technicianId"`
	TechnicianName  string     `json:"technicianName"`
	Depart          time.Time  `json:"depart"`
	Return          time.Time  `json:"return"`
	Stops           []StopView `json:"stops"`
	TravelMinutes   int        `json:"travelMinutes"`
	DistanceKm      float64    `json:"distanceKm"`
	OvertimeMinutes int        `json:"overtimeMinutes,omitempty"`
}

// StopView is a stop of a route with the job behind it.
type StopView struct {
	Kind          dispatch.StopKind `json:"kind"`
	JobID         string            `json:"jobId,omitempty"`
	JobNumber     string            `json:"jobNumber,omitempty"`
	VisitID       string            `json:"visitId,omitempty"`
	Title         string            `json:"title,omitempty"`
	Priority      jobfsm.Priority   `json:"priority,omitempty"`
	Arrival       time.Time         `json:"arrival"`
	Start         time.Time         `json:"start"`
	Depart        time.Time         `json:"depart"`
	TravelMinutes int               `json:"travelMinutes"`
	LateMinutes   int               `json:"lateMinutes,omitempty"`
	Locked        bool              `json:"locked,omitempty"`
}

// UnassignedView is a job a plan leaves out, with each technician's reason.
type UnassignedView struct {
	JobID     string          `json:"jobId"`
	JobNumber string          `json:"jobNumber"`
	VisitID   string          `json:"visitId,omitempty"`
	Title     string          `json:"title"`
	Priority  jobfsm.Priority `json:"priority"`
	Reasons   []ReasonView    `json:"reasons"`
}

// ReasonView is why one technician cannot take a job: "why not Maria".
type ReasonView struct {
	TechnicianID   string `json:"technicianId"`
	TechnicianName string `json:"technicianName"`
	Code           string `json:"code"`
	Detail         string `json:"detail"`
}

// InsertResult is a live plan after an emergency was placed, with what
// moved.
type InsertResult struct {
	DayPlan
	Inserted []dispatch.Change `json:"inserted"`
}

// Board is a day per technician.
type Board struct {
	Date jobfsm.Date `json:"date"`
	Rows []BoardRow  `json:"rows"`
	// Unassigned are the day's booked visits without a technician.
	Unassigned []StopView `json:"unassigned"`
}

// BoardRow is one technician's day.
type BoardRow struct {
	TechnicianID   string              `json:"technicianId"`
	TechnicianName string              `json:"technicianName"`
	Shifts         []dispatch.Shift    `json:"shifts"`
	TimeOff        []dispatch.Interval `json:"timeOff,omitempty"`
	// Done is the day's finished visits, as they happened: arrival,
	// start and finish, and the drive from setting off.
	Done []StopView `json:"done"`
	// Stops is the rest of the day as planned, a job under way first.
	Stops           []StopView          `json:"stops"`
	Gaps            []dispatch.Interval `json:"gaps"`
	WorkMinutes     int                 `json:"workMinutes"`
	TravelMinutes   int                 `json:"travelMinutes"`
	OvertimeMinutes int                 `json:"overtimeMinutes,omitempty"`
}

func (ds *daySnapshot) stopView(s dispatch.Stop) StopView {
	sv := StopView{Kind: s.Kind, Arrival: s.Arrival, Start: s.Start, Depart: s.Depart,
		TravelMinutes: roundMinutes(s.Travel), LateMinutes: roundMinutes(s.Late), Locked: s.Locked}
	if ref, ok := ds.Refs[s.JobID]; ok {
		sv.JobID, sv.JobNumber, sv.VisitID, sv.Title, sv.Priority = ref.JobID, ref.JobNumber, ref.VisitID, ref.Title, ref.Priority
	}
	return sv
}

// dayPlan describes a plan of the day.
func (ds *daySnapshot) dayPlan(plan *dispatch.Plan, planID string) DayPlan {
	out := DayPlan{Date: ds.Date, PlanID: planID, Routes: []RouteView{}, Unassigned: []UnassignedView{},
		Objective: plan.Objective, Iterations: plan.Iterations}
	for _, r := range plan.Routes {
		rv := RouteView{TechnicianID: r.TechnicianID, TechnicianName: ds.Names[r.TechnicianID], Depart: r.Depart, Return: r.Return,
			TravelMinutes: roundMinutes(r.Travel), DistanceKm: float64(int(r.Meters/10)) / 100, OvertimeMinutes: roundMinutes(r.Overtime)}
		for _, s := range r.Stops {
			rv.Stops = append(rv.Stops, ds.stopView(s))
		}
		out.Routes = append(out.Routes, rv)
	}
	for _, u := range plan.Unassigned {
		ref := ds.Refs[u.JobID]
		uv := UnassignedView{JobID: ref.JobID, JobNumber: ref.JobNumber, VisitID: ref.VisitID, Title: ref.Title, Priority: ref.Priority}
		for _, r := range u.Reasons {
			uv.Reasons = append(uv.Reasons, ReasonView{TechnicianID: r.TechnicianID, TechnicianName: ds.Names[r.TechnicianID], Code: string(r.Code), Detail: r.Detail})
		}
		out.Unassigned = append(out.Unassigned, uv)
	}
	return out
}

// searchOptions are the optimizer's options for a request.
func searchOptions(limitMs, iterations int, seed uint64) *dispatch.Options {
	opt := &dispatch.Options{Seed: seed}
	if iterations > 0 {
		opt.Iterations = iterations
		return opt
	}
	// The search runs in a recorded step: reading the real clock there is
	// fine, and the engine's own clock may stand still (tests, simulations).
	opt.TimeLimit, opt.Clock = time.Duration(or(limitMs, 2000))*time.Millisecond, time.Now
	return opt
}

func (c *call) optimizeDay(in *OptimizeDayInput) (*DayPlan, error) {
	ds, err := inTx(c, "read-day", func(t *txn) (*daySnapshot, error) {
		return c.readDay(t, in.Date, dayOptions{technicians: in.TechnicianIDs, backlog: in.IncludeBacklog == nil || *in.IncludeBacklog, compliance: true})
	})
	if err != nil {
		return nil, err
	}
	plan, err := inStep(c, "optimize", func(ctx context.Context) (*dispatch.Plan, error) {
		snap := ds.Snapshot
		snap.Travel = c.e.travelModel()
		o, err := dispatch.New(&snap, searchOptions(in.TimeLimitMs, in.Iterations, in.Seed))
		if err != nil {
			return nil, WrapError(err, CodeInternal, "compile the day")
		}
		if len(ds.Current.Routes) > 0 {
			return o.Reoptimize(ctx, ds.live())
		}
		return o.Optimize(ctx)
	})
	if err != nil {
		return nil, err
	}
	planID := derivedID(c.inv.WorkflowID, "plan")
	out := ds.dayPlan(plan, planID)
	if in.DryRun {
		return &out, nil
	}
	changes, err := inTx(c, "apply", func(t *txn) (*PlanChanges, error) { return c.applyPlan(t, ds, plan, planID, SourceOptimizer) })
	if err != nil {
		return nil, err
	}
	out.Applied, out.Changes = true, *changes
	return &out, nil
}

func (c *call) insertEmergency(in *InsertEmergencyInput) (*InsertResult, error) {
	type picture struct {
		Day *daySnapshot `json:"day"`
		Job dispatch.Job `json:"job"`
	}
	pic, err := inTx(c, "read-day", func(t *txn) (*picture, error) {
		j, err := load(t, jobsTable, in.JobID)
		if err != nil {
			return nil, fieldNotFound(err, "jobId")
		}
		if !assignable(j.Status()) {
			return nil, fieldError(CodeIllegalTransition, "jobId", "job_not_assignable",
				fmt.Sprintf("job %s is %s: only approved work (JOB_CREATED onward) can be dispatched", j.Number, j.Status()))
		}
		date := in.Date
		if date == (jobfsm.Date{}) {
			date = jobfsm.DateOf(c.now.In(c.e.location(c.orgTimeZone(t))))
		}
		ds, err := c.readDay(t, date, dayOptions{compliance: true})
		if err != nil {
			return nil, err
		}
		for id, ref := range ds.Refs {
			if ref.JobID == j.ID && ref.AssignmentID != "" {
				return nil, fieldError(CodeConflict, "jobId", "already_planned", fmt.Sprintf("job %s is already on %s's route (%s)", j.Number, ds.Names[ref.TechnicianID], id))
			}
		}
		dc, err := c.readDispatchContext(t)
		if err != nil {
			return nil, err
		}
		id := jobPlanID(j.ID)
		for pid, ref := range ds.Refs {
			if ref.JobID == j.ID {
				id = pid // a booked visit without a technician
			}
		}
		dj, err := c.dispatchJob(t, dc, j, id)
		if err != nil {
			return nil, err
		}
		if _, booked := ds.Refs[id]; booked {
			ds.Snapshot.Jobs = slices.DeleteFunc(ds.Snapshot.Jobs, func(x dispatch.Job) bool { return x.ID == id })
		} else {
			ds.Refs[id] = planRef{JobID: j.ID, JobNumber: j.Number, Title: j.Title, Priority: j.Priority, JobVersion: j.Version}
		}
		return &picture{Day: ds, Job: dj}, nil
	})
	if err != nil {
		return nil, err
	}
	type inserted struct {
		Plan    *dispatch.Plan    `json:"plan"`
		Changes []dispatch.Change `json:"changes"`
	}
	res, err := inStep(c, "insert", func(ctx context.Context) (*inserted, error) {
		snap := pic.Day.Snapshot
		snap.Travel = c.e.travelModel()
		o, err := dispatch.New(&snap, nil)
		if err != nil {
			return nil, WrapError(err, CodeInternal, "compile the day")
		}
		live := pic.Day.live()
		plan, changes, err := o.Insert(live, pic.Job)
		if err == nil {
			return &inserted{Plan: plan, Changes: changes}, nil
		}
		// The live day already breaks a rule (a technician running late
		// misses a window): repair it with a short search that places the
		// emergency first, then report what moved.
		snap.Jobs = append(slices.Clone(snap.Jobs), pic.Job)
		o, err = dispatch.New(&snap, searchOptions(repairMillis, 0, 0))
		if err != nil {
			return nil, WrapError(err, CodeInternal, "compile the day")
		}
		if plan, err = o.Reoptimize(ctx, live); err != nil {
			return nil, WrapError(err, CodeInternal, "repair the day")
		}
		return &inserted{Plan: plan, Changes: dispatch.Diff(live, plan)}, nil
	})
	if err != nil {
		return nil, err
	}
	planID := derivedID(c.inv.WorkflowID, "plan")
	out := &InsertResult{DayPlan: pic.Day.dayPlan(res.Plan, planID), Inserted: res.Changes}
	if !slices.ContainsFunc(res.Changes, func(ch dispatch.Change) bool { return ch.Kind == dispatch.ChangeAssigned }) {
		// Nowhere to go: the plan is unchanged; the reasons say why.
		return out, nil
	}
	changes, err := inTx(c, "apply", func(t *txn) (*PlanChanges, error) { return c.applyPlan(t, pic.Day, res.Plan, planID, SourceInsert) })
	if err != nil {
		return nil, err
	}
	out.Applied, out.Changes = true, *changes
	return out, nil
}

// applyPlan makes the assignments match the plan: it books and staffs what
// the plan places, moves and retimes what changed, and releases what it
// leaves out (never a stop under way). A stop whose job or visit changed
// since the day was read is skipped and reported, as is one whose parts
// cannot be reserved.
func (c *call) applyPlan(t *txn, ds *daySnapshot, plan *dispatch.Plan, planID, source string) (*PlanChanges, error) {
	out := &PlanChanges{}
	skip := func(ref planRef, why string) {
		out.Skipped = append(out.Skipped, SkippedStop{JobID: ref.JobID, JobNumber: ref.JobNumber, Reason: why})
	}
	fresh := func(ref planRef) (*Job, *Visit, bool) {
		j, err := load(t, jobsTable, ref.JobID)
		if err != nil || j.Version != ref.JobVersion {
			return nil, nil, false
		}
		if ref.VisitID == "" {
			return j, nil, true
		}
		v, err := load(t, visitsTable, ref.VisitID)
		if err != nil || v.Version != ref.VisitVersion {
			return nil, nil, false
		}
		return j, v, true
	}
	for _, r := range plan.Routes {
		seq := 0
		for _, s := range r.Stops {
			if s.Kind != dispatch.StopJob {
				continue
			}
			seq++
			ref, ok := ds.Refs[s.JobID]
			if !ok {
				continue
			}
			j, v, ok := fresh(ref)
			if !ok {
				skip(ref, "the job changed since the day was planned")
				continue
			}
			var a *Assignment
			switch {
			case ref.AssignmentID != "" && ref.TechnicianID == r.TechnicianID:
				if s.Locked {
					continue // under way: its times are what happened, not a plan
				}
				cur, err := load(t, assignmentsTable, ref.AssignmentID)
				if err != nil {
					return nil, err
				}
				if cur.Start.Equal(s.Start) && cur.Sequence == seq {
					continue
				}
				a = cur
				out.Retimed++
			case ref.AssignmentID != "":
				old, err := load(t, assignmentsTable, ref.AssignmentID)
				if err != nil {
					return nil, err
				}
				ch, err := old.State.Apply(jobfsm.AssignmentCancelled, c.request("REPLANNED", "moved by "+source))
				if err != nil {
					skip(ref, AsError(err).Message)
					continue
				}
				old.State, old.History = ch.Assignment, append(old.History, ch.Entry)
				if err := update(t, assignmentsTable, old); err != nil {
					return nil, err
				}
				fallthrough
			default:
				placed, err := c.placePlanned(t, j, v, r.TechnicianID, s.Start, s.Depart, source)
				if err != nil {
					if e := AsError(err); e.Type == TypeDomain {
						skip(ref, e.Message)
						continue
					}
					return nil, err
				}
				a = placed
				if ref.AssignmentID != "" {
					out.Moved++
				} else {
					out.Created++
				}
			}
			a.Start, a.End, a.ETA, a.Sequence = s.Start, s.Depart, s.Arrival, seq
			a.TravelMinutes, a.DistanceMeters, a.PlanID = roundMinutes(s.Travel), int(s.Meters), planID
			if err := update(t, assignmentsTable, a); err != nil {
				return nil, err
			}
			if v, err := load(t, visitsTable, a.VisitID); err == nil && (!v.ScheduledStart.Equal(s.Start) || !v.ScheduledEnd.Equal(s.Depart)) {
				v.ScheduledStart, v.ScheduledEnd = s.Start, s.Depart
				if err := update(t, visitsTable, v); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, u := range plan.Unassigned {
		ref, ok := ds.Refs[u.JobID]
		if !ok || ref.AssignmentID == "" {
			continue
		}
		a, err := load(t, assignmentsTable, ref.AssignmentID)
		if err != nil || !a.occupies() {
			continue
		}
		ch, err := a.State.Apply(jobfsm.AssignmentCancelled, c.request("UNPLACED", "the plan found no room for it"))
		if err != nil {
			skip(ref, AsError(err).Message)
			continue
		}
		a.State, a.History = ch.Assignment, append(a.History, ch.Entry)
		if err := update(t, assignmentsTable, a); err != nil {
			return nil, err
		}
		if v, err := load(t, visitsTable, a.VisitID); err == nil && v.State.Status == jobfsm.VisitScheduled {
			v.TechnicianID, v.State.TechnicianID = "", ""
			if err := update(t, visitsTable, v); err != nil {
				return nil, err
			}
		}
		out.Cancelled++
	}
	return out, nil
}

// placePlanned is place, for a plan's stop: a refusal of one stop (the
// job's state, its parts) comes before any write, so the plan skips the
// stop and applies the others.
func (c *call) placePlanned(t *txn, j *Job, v *Visit, techID string, start, end time.Time, source string) (*Assignment, error) {
	if !assignable(j.Status()) {
		return nil, NewError(CodeIllegalTransition, "job %s is %s", j.Number, j.Status())
	}
	return c.place(t, j, v, techID, start, end, source, "")
}

// doneOn lists the visits of a day finished, per technician, in the order
// they arrived.
func (c *call) doneOn(t *txn, date jobfsm.Date) (map[string][]StopView, error) {
	from, to := dayBounds(date, c.e.location(c.orgTimeZone(t)))
	visits, err := find(t, visitsTable, Query{Where: []Cond{Eq("status", string(jobfsm.VisitCompleted)),
		Gte("starts_at", timeKey(from)), Lt("starts_at", timeKey(to))}})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(visits, func(a, b *Visit) int { return a.State.Stamps.ArrivedAt.Compare(b.State.Stamps.ArrivedAt) })
	out := map[string][]StopView{}
	for _, v := range visits {
		j, err := load(t, jobsTable, v.JobID)
		if err != nil {
			return nil, err
		}
		st := v.State.Stamps
		sv := StopView{Kind: dispatch.StopJob, JobID: j.ID, JobNumber: j.Number, VisitID: v.ID, Title: j.Title, Priority: j.Priority,
			Arrival: st.ArrivedAt, Start: cmp.Or(st.StartedAt, st.ArrivedAt), Depart: st.CompletedAt}
		if !st.EnRouteAt.IsZero() && st.ArrivedAt.After(st.EnRouteAt) {
			sv.TravelMinutes = roundMinutes(st.ArrivedAt.Sub(st.EnRouteAt))
		}
		if w := j.ArrivalWindow; w != nil && st.ArrivedAt.After(w.End) {
			sv.LateMinutes = roundMinutes(st.ArrivedAt.Sub(w.End))
		}
		out[v.TechnicianID] = append(out[v.TechnicianID], sv)
	}
	return out, nil
}

func (c *call) board(in *BoardInput) (*Board, error) {
	return inTx(c, "board", func(t *txn) (*Board, error) {
		ds, err := c.readDay(t, in.Date, dayOptions{technicians: in.TechnicianIDs})
		if err != nil {
			return nil, err
		}
		snap := ds.Snapshot
		done, err := c.doneOn(t, in.Date)
		if err != nil {
			return nil, err
		}
		out := &Board{Date: in.Date, Rows: []BoardRow{}, Unassigned: []StopView{}}
		for _, row := range ds.Current.Board(&snap) {
			br := BoardRow{TechnicianID: row.TechnicianID, TechnicianName: ds.Names[row.TechnicianID], Gaps: row.Gaps,
				WorkMinutes: roundMinutes(row.Work), TravelMinutes: roundMinutes(row.Travel), OvertimeMinutes: roundMinutes(row.Overtime),
				Done: append([]StopView{}, done[row.TechnicianID]...), Stops: []StopView{}}
			for _, tech := range snap.Technicians {
				if tech.ID == row.TechnicianID {
					br.Shifts, br.TimeOff = tech.Shifts, tech.TimeOff
				}
			}
			for _, s := range row.Stops {
				br.Stops = append(br.Stops, ds.stopView(s))
			}
			out.Rows = append(out.Rows, br)
		}
		for _, j := range snap.Jobs {
			if ref := ds.Refs[j.ID]; ref.AssignmentID == "" && ref.VisitID != "" {
				v, err := load(t, visitsTable, ref.VisitID)
				if err != nil {
					return nil, err
				}
				sv := ds.stopView(dispatch.Stop{Kind: dispatch.StopJob, JobID: j.ID, Start: v.ScheduledStart, Depart: v.ScheduledEnd})
				out.Unassigned = append(out.Unassigned, sv)
			}
		}
		return out, nil
	})
}
