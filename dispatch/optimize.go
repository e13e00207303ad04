package dispatch

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// Options control a search. The zero value runs DefaultIterations.
type Options struct {
	// Seed makes the search repeatable: with an iteration budget, equal
	// seeds and snapshots give equal plans.
	Seed uint64
	// Iterations is the budget of ruin-and-recreate steps. Defaults to
	// DefaultIterations when neither TimeLimit nor a context deadline is
	// usable.
	Iterations int
	// TimeLimit stops the search after this long by Clock. It needs Clock.
	TimeLimit time.Duration
	// Clock reads the time for TimeLimit and for a context deadline, and
	// spreads the annealing schedule over the time given. The package never
	// reads the clock itself; pass time.Now (or a CPU-time clock).
	Clock func() time.Time
	// Weights of objective levels 2 to 4.
	Weights Weights
	// OnImprove, if set, is called with each better plan's level-1 weight
	// of unassigned jobs and routing cost, and the iteration.
	OnImprove func(iteration int, unassignedWeight, cost float64)
}

// DefaultIterations is the budget when the options give none.
const DefaultIterations = 20000

// Optimizer holds a compiled snapshot: the travel matrix, eligibility and
// reasons, so that Optimize, Insert and Reoptimize answer without
// resampling travel. It is not safe for concurrent use.
type Optimizer struct {
	c   *compiled
	opt Options
}

// New compiles a snapshot. The snapshot's slices must not change while the
// Optimizer is in use.
func New(s *Snapshot, opt *Options) (*Optimizer, error) {
	o := &Optimizer{}
	if opt != nil {
		o.opt = *opt
	}
	c, err := compile(s, o.opt.Weights)
	if err != nil {
		return nil, err
	}
	o.c = c
	return o, nil
}

// Optimize plans the snapshot's day with the default options.
func Optimize(ctx context.Context, s *Snapshot, opt *Options) (*Plan, error) {
	o, err := New(s, opt)
	if err != nil {
		return nil, err
	}
	return o.Optimize(ctx)
}

// Optimize builds a plan from scratch (locked jobs stay at the head of
// their routes) and improves it until the budget is spent or ctx is done,
// returning the best plan found. Every plan it returns is feasible.
func (o *Optimizer) Optimize(ctx context.Context) (*Plan, error) {
	return o.solve(ctx, nil)
}

// Reoptimize improves a live plan. Jobs keep their technician unless moving
// them pays: moving a notified job costs Weights.Stability. New snapshot
// jobs (absent from the plan) are inserted; plan jobs unknown to the
// snapshot are an error.
func (o *Optimizer) Reoptimize(ctx context.Context, plan *Plan) (*Plan, error) {
	routes, err := o.routesOf(plan)
	if err != nil {
		return nil, err
	}
	o.setStability(routes)
	defer o.clearStability()
	return o.solve(ctx, routes)
}

func (o *Optimizer) setStability(routes [][]int32) {
	for v, seq := range routes {
		for _, x := range seq {
			if x < 0 {
				continue
			}
			jb := &o.c.p.Jobs[x]
			jb.Prev = o.c.vehTech[v]
			jb.StabilityCost = 0
			if o.c.s.Jobs[x].Notified {
				jb.StabilityCost = o.c.w.Stability
			}
		}
	}
}

func (o *Optimizer) clearStability() {
	for j := range o.c.p.Jobs {
		o.c.p.Jobs[j].Prev, o.c.p.Jobs[j].StabilityCost = -1, 0
	}
}

func (o *Optimizer) solve(ctx context.Context, routes [][]int32) (*Plan, error) {
	opt := o.opt
	vo := solveOptions{Seed: opt.Seed, Routes: routes, OnBest: opt.OnImprove}
	limit := opt.TimeLimit
	var start time.Time
	if opt.Clock != nil {
		start = opt.Clock()
		if dl, ok := ctx.Deadline(); ok && (limit <= 0 || dl.Sub(start) < limit) {
			limit = dl.Sub(start)
		}
	} else {
		limit = 0
	}
	iters := opt.Iterations
	if iters <= 0 && limit <= 0 {
		iters = DefaultIterations
	}
	vo.Budget = func(it int) (float64, bool) {
		if ctx.Err() != nil {
			return 1, true
		}
		spent := 0.0
		if iters > 0 {
			spent = float64(it) / float64(iters)
		}
		if limit > 0 {
			spent = max(spent, float64(opt.Clock().Sub(start))/float64(limit))
		}
		return spent, spent >= 1
	}
	res, err := solveVRP(o.c.p, vo)
	if err != nil {
		return nil, fmt.Errorf("dispatch: %w", err)
	}
	plan := o.c.plan(res.Routes)
	plan.Iterations = res.Iterations
	return plan, nil
}

// plan turns solver routes into a Plan with times, reasons and objective.
func (c *compiled) plan(routes [][]int32) *Plan {
	pl := &Plan{Objective: Objective{Assigned: map[Priority]int{}}}
	assigned := make([]bool, len(c.s.Jobs))
	for v, seq := range routes {
		r, ok := c.route(v, seq)
		if !ok {
			continue
		}
		for _, x := range seq {
			if x >= 0 {
				assigned[x] = true
				pl.Objective.Assigned[c.s.Jobs[x].Priority.orLow()]++
			}
		}
		for _, st := range r.Stops {
			pl.Objective.Lateness += st.Late
		}
		pl.Objective.Travel += r.Travel
		pl.Objective.Overtime += r.Overtime
		pl.Routes = append(pl.Routes, r)
	}
	sol := &vrpView{c: c, routes: routes}
	for j := range c.s.Jobs {
		if !assigned[j] {
			pl.Unassigned = append(pl.Unassigned, Unassigned{JobID: c.s.Jobs[j].ID, Reasons: sol.reasons(j)})
		}
	}
	return pl
}

func (p Priority) orLow() Priority {
	if p == "" {
		return PriorityLow
	}
	return p
}

// route times one vehicle's sequence; empty routes are dropped.
func (c *compiled) route(v int, seq []int32) (Route, bool) {
	if !slices.ContainsFunc(seq, func(x int32) bool { return x >= 0 }) {
		return Route{}, false
	}
	veh := &c.p.Vehicles[v]
	t := &c.s.Technicians[c.vehTech[v]]
	visits, end, _ := c.p.Schedule(v, seq)
	n := c.p.N
	r := Route{TechnicianID: t.ID, Shift: c.vehShft[v]}
	prev := veh.Start
	lockedFixed := len(veh.Fixed)
	for k, x := range seq {
		vis := visits[k]
		st := Stop{Arrival: c.at(vis.Arrival), Start: c.at(vis.Start), Depart: c.at(vis.Depart), Late: secDur(vis.Late)}
		if x >= 0 {
			loc := c.p.Jobs[x].Loc
			st.Kind, st.JobID = StopJob, c.s.Jobs[x].ID
			st.Travel = secDur(c.p.Dur[prev*n+loc])
			st.Meters = c.meters[prev*n+loc]
			st.Locked = k < lockedFixed
			prev = loc
		} else {
			st.Kind = StopBreak
		}
		r.Travel += st.Travel
		r.Meters += st.Meters
		r.Stops = append(r.Stops, st)
	}
	last := secDur(c.p.Dur[prev*n+veh.End])
	r.Travel += last
	r.Meters += c.meters[prev*n+veh.End]
	r.Return = c.at(end)
	if end > veh.Shift.End {
		r.Overtime = secDur(end - veh.Shift.End)
	}
	// Leave as late as the first stop allows instead of waiting there.
	r.Depart = c.at(veh.Shift.Start)
	if first := r.Stops[0]; first.Kind == StopJob && first.Start.After(first.Arrival) {
		r.Depart = first.Start.Add(-first.Travel)
		r.Stops[0].Arrival = first.Start
	}
	return r, true
}

func secDur(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// vrpView answers "why not" questions about a routed solution.
type vrpView struct {
	c       *compiled
	routes  [][]int32
	tallies []techTally // per technician, computed on first use
}

// techTally is what a technician's planned day already holds.
type techTally struct {
	jobs                   int
	work                   float64
	load                   []int32
	jobsDetail, workDetail string
}

// reasons lists, for each technician, why job j is not on their route.
func (sv *vrpView) reasons(j int) []Reason {
	c := sv.c
	nt := len(c.s.Technicians)
	out := make([]Reason, 0, nt)
	job := &c.s.Jobs[j]
	full := ""
	for t := range nt {
		if r := c.static[j*nt+t]; r.Code != "" {
			out = append(out, r)
			continue
		}
		r := sv.dynamicReason(t, job)
		if r.Code == ReasonScheduleFull {
			if full == "" {
				full = "no slot in the planned day fits the job"
				if len(job.Windows) > 0 {
					full = "no slot in the planned day reaches it by " + clock(job.Windows[len(job.Windows)-1].End)
				}
			}
			r.Detail = full
		}
		out = append(out, r)
	}
	return out
}

func (sv *vrpView) tally() {
	c := sv.c
	sv.tallies = make([]techTally, len(c.s.Technicians))
	for t := range sv.tallies {
		sv.tallies[t].load = make([]int32, len(c.skus))
	}
	for v, seq := range sv.routes {
		ty := &sv.tallies[c.vehTech[v]]
		visits, end, _ := c.p.Schedule(v, seq)
		prev := c.p.Vehicles[v].Start
		busy := false
		for k, x := range seq {
			if x < 0 {
				continue
			}
			busy = true
			ty.jobs++
			loc := c.p.Jobs[x].Loc
			ty.work += c.p.Dur[prev*c.p.N+loc] + visits[k].Depart - visits[k].Start
			prev = loc
			for d, q := range c.p.Jobs[x].Demand {
				ty.load[d] += q
			}
		}
		if busy {
			ty.work += end - visits[len(visits)-1].Depart
		}
	}
	for t := range sv.tallies {
		tech := &c.s.Technicians[t]
		ty := &sv.tallies[t]
		ty.jobsDetail = fmt.Sprintf("already %d jobs", ty.jobs)
		ty.workDetail = fmt.Sprintf("%s of work planned, limit %s", secDur(ty.work).Round(time.Minute), tech.MaxWork)
	}
}

// dynamicReason explains why an eligible technician's planned day has no
// room for the job: the first limit reached, else no feasible slot (whose
// detail the caller fills).
func (sv *vrpView) dynamicReason(t int, job *Job) Reason {
	if sv.tallies == nil {
		sv.tally()
	}
	c := sv.c
	tech := &c.s.Technicians[t]
	ty := &sv.tallies[t]
	r := Reason{TechnicianID: tech.ID}
	switch {
	case tech.MaxJobs > 0 && ty.jobs >= tech.MaxJobs:
		r.Code, r.Detail = ReasonMaxJobs, ty.jobsDetail
	case tech.MaxWork > 0 && ty.work+jobDuration(tech, job).Seconds() > tech.MaxWork.Seconds():
		r.Code, r.Detail = ReasonMaxWork, ty.workDetail
	default:
		for d, sku := range c.skus {
			if need := job.Parts[sku]; need > 0 && int(ty.load[d])+need > tech.Truck[sku] {
				r.Code = ReasonTruckEmpty
				r.Detail = fmt.Sprintf("%d of %d %s already allocated", ty.load[d], tech.Truck[sku], sku)
				return r
			}
		}
		r.Code = ReasonScheduleFull
	}
	return r
}

// routesOf maps a plan onto the compiled vehicles: every stop, breaks
// included. Breaks are matched by their start falling in the break window.
func (o *Optimizer) routesOf(plan *Plan) ([][]int32, error) {
	c := o.c
	routes := make([][]int32, len(c.p.Vehicles))
	for _, r := range plan.Routes {
		v := -1
		for w, t := range c.vehTech {
			tech := &c.s.Technicians[t]
			if tech.ID != r.TechnicianID || c.vehShft[w] != r.Shift {
				continue
			}
			if len(r.Stops) > 0 {
				st := c.sec(r.Stops[0].Start)
				if st < c.p.Vehicles[w].Shift.Start-1e-6 || st > c.p.Vehicles[w].Shift.HardEnd {
					continue
				}
			}
			v = w
			break
		}
		if v < 0 {
			return nil, fmt.Errorf("%w: technician %q shift %d", ErrUnknown, r.TechnicianID, r.Shift)
		}
		used := make([]bool, len(c.p.Vehicles[v].Breaks))
		for _, st := range r.Stops {
			if st.Kind == StopJob {
				j, ok := c.jobIdx[st.JobID]
				if !ok {
					return nil, fmt.Errorf("%w: job %q", ErrUnknown, st.JobID)
				}
				routes[v] = append(routes[v], int32(j))
				continue
			}
			s := c.sec(st.Start)
			for b, br := range c.p.Vehicles[v].Breaks {
				if !used[b] && s >= br.Window.Start-1e-6 && s <= br.Window.HardEnd+1e-6 {
					used[b] = true
					routes[v] = append(routes[v], int32(-(b + 1)))
					break
				}
			}
		}
		for b, u := range used {
			if !u {
				routes[v] = append(routes[v], int32(-(b + 1)))
			}
		}
	}
	for v := range routes {
		if routes[v] == nil {
			for _, f := range c.p.Vehicles[v].Fixed {
				routes[v] = append(routes[v], int32(f))
			}
			for b := range c.p.Vehicles[v].Breaks {
				routes[v] = append(routes[v], int32(-(b + 1)))
			}
		}
	}
	return routes, nil
}

// ChangeKind says what Insert did to a job.
type ChangeKind string

// Change kinds.
const (
	// ChangeAssigned: the inserted job got a technician.
	ChangeAssigned ChangeKind = "ASSIGNED"
	// ChangeMoved: a job changed technician to make room.
	ChangeMoved ChangeKind = "MOVED"
	// ChangeUnassigned: a lighter job was taken off the plan to make room.
	ChangeUnassigned ChangeKind = "UNASSIGNED"
	// ChangeRetimed: a job kept its technician but its start moved.
	ChangeRetimed ChangeKind = "RETIMED"
)

// Change is one difference between the plan before and after Insert.
type Change struct {
	JobID    string     `json:"jobId"`
	Kind     ChangeKind `json:"kind"`
	From     string     `json:"from,omitempty"` // technician before
	To       string     `json:"to,omitempty"`   // technician after
	OldStart time.Time  `json:"oldStart,omitzero"`
	NewStart time.Time  `json:"newStart,omitzero"`
}

// Insert places a new job (an emergency call) into a live plan in
// milliseconds: at its cheapest feasible position if one exists, otherwise
// by moving one job to another technician (a notified one last) or, last
// of all, by taking a lower-priority job off the plan. Locked stops never
// move and no route becomes infeasible. It returns the new plan and what
// changed; if the job fits nowhere, the plan is unchanged and the job is
// listed as unassigned with its reasons. The job joins the Optimizer's
// snapshot.
func (o *Optimizer) Insert(plan *Plan, job Job) (*Plan, []Change, error) {
	routes, err := o.routesOf(plan)
	if err != nil {
		return nil, nil, err
	}
	j, err := o.c.addJob(job)
	if err != nil {
		return nil, nil, err
	}
	o.setStability(routes)
	defer o.clearStability()
	res, err := insertVRP(o.c.p, routes, j)
	if err != nil {
		return nil, nil, fmt.Errorf("dispatch: %w", err)
	}
	next := o.c.plan(res.Routes)
	// The rest of the plan is kept: unassigned jobs stay unassigned.
	return next, Diff(plan, next), nil
}

// Diff lists the job changes between two plans of the same day: jobs
// assigned, moved to another technician, taken off, or retimed.
func Diff(before, after *Plan) []Change {
	type where struct {
		tech  string
		start time.Time
	}
	index := func(p *Plan) map[string]where {
		m := map[string]where{}
		for _, r := range p.Routes {
			for _, s := range r.Stops {
				if s.Kind == StopJob {
					m[s.JobID] = where{r.TechnicianID, s.Start}
				}
			}
		}
		return m
	}
	b, a := index(before), index(after)
	var out []Change
	for _, r := range after.Routes {
		for _, s := range r.Stops {
			if s.Kind != StopJob {
				continue
			}
			old, was := b[s.JobID]
			switch {
			case !was:
				out = append(out, Change{JobID: s.JobID, Kind: ChangeAssigned, To: r.TechnicianID, NewStart: s.Start})
			case old.tech != r.TechnicianID:
				out = append(out, Change{JobID: s.JobID, Kind: ChangeMoved, From: old.tech, To: r.TechnicianID, OldStart: old.start, NewStart: s.Start})
			case !old.start.Equal(s.Start):
				out = append(out, Change{JobID: s.JobID, Kind: ChangeRetimed, From: old.tech, To: r.TechnicianID, OldStart: old.start, NewStart: s.Start})
			}
		}
	}
	for _, r := range before.Routes {
		for _, s := range r.Stops {
			if _, still := a[s.JobID]; s.Kind == StopJob && !still {
				out = append(out, Change{JobID: s.JobID, Kind: ChangeUnassigned, From: r.TechnicianID, OldStart: s.Start})
			}
		}
	}
	return out
}
