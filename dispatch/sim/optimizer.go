package sim

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// OptimizerConfig tunes the [Optimizer] policy. The zero value uses the
// defaults.
type OptimizerConfig struct {
	// Period between re-optimizations of the whole day; calls that are
	// not emergencies wait for the next one. Defaults to 15 minutes.
	Period time.Duration
	// Iterations is the search budget of each re-optimization (the first
	// plan of the day gets four times as many). Defaults to 1500.
	Iterations int
	// InsertIterations is the budget of the quick re-timing of the live
	// plan before an emergency is inserted. Defaults to 100.
	InsertIterations int
	// Weights are the optimizer's exchange rates (Stability prices moving
	// a job the customer was told about).
	Weights dispatch.Weights
}

func (c OptimizerConfig) withDefaults() OptimizerConfig {
	if c.Period <= 0 {
		c.Period = 15 * time.Minute
	}
	if c.Iterations <= 0 {
		c.Iterations = 1500
	}
	if c.InsertIterations <= 0 {
		c.InsertIterations = 100
	}
	return c
}

// Optimizer is the policy of the dispatch package's optimizer, as a live
// dispatch board would run it: the day is planned at the start
// (Optimize), re-planned every Period and at once when a technician calls
// in sick or a visit finds a part missing (Reoptimize, which charges for
// moving a job whose customer was told who is coming), and emergencies are
// placed as they come in (Insert, after re-timing the live plan). Each run
// sees the day as it is: every technician from where they are or are
// heading, free when their job on hand should end, with what is left on
// the truck and the break still to take; every open job, with its window
// (soft: a late visit costs lateness, by priority), its SLA response
// deadline and its duration by level. Every search has an iteration budget
// seeded from the scenario, so a run is repeatable.
type Optimizer struct {
	cfg    OptimizerConfig
	queues map[string][]string
	next   time.Time // the next periodic re-optimization
	runs   int
}

// NewOptimizer returns the optimizer policy; cfg may be nil.
func NewOptimizer(cfg *OptimizerConfig) *Optimizer {
	o := &Optimizer{}
	if cfg != nil {
		o.cfg = *cfg
	}
	o.cfg = o.cfg.withDefaults()
	return o
}

// Name implements Dispatcher.
func (*Optimizer) Name() string { return "optimizer" }

// Dispatch implements Dispatcher.
func (o *Optimizer) Dispatch(ctx context.Context, s *State, events []Event) (*Plan, error) {
	var emergencies []string
	replan := o.queues == nil || !s.Now.Before(o.next)
	for _, e := range events {
		switch e.Kind {
		case EventCall:
			if j := s.Job(e.JobID); j != nil && j.Priority == dispatch.PriorityEmergency && j.Parent == "" {
				emergencies = append(emergencies, e.JobID)
			}
		case EventSick, EventIncomplete, EventReturned:
			replan = true
		}
	}
	var err error
	switch {
	case replan:
		err = o.reoptimize(ctx, s)
		o.next = s.Now.Add(o.cfg.Period)
	case len(emergencies) > 0:
		err = o.insert(ctx, s, emergencies)
	}
	if err != nil {
		return nil, err
	}
	return &Plan{Queues: maps.Clone(o.queues), Wake: o.next}, nil
}

// reoptimize plans the open jobs from the live plan.
func (o *Optimizer) reoptimize(ctx context.Context, s *State) error {
	snap := o.snapshot(s, nil)
	iters := o.cfg.Iterations
	if o.queues == nil {
		iters *= 4
	}
	o.runs++
	opt, err := dispatch.New(snap, &dispatch.Options{Seed: s.Day.Seed + uint64(o.runs), Iterations: iters, Weights: o.cfg.Weights})
	if err != nil {
		return err
	}
	var plan *dispatch.Plan
	if cur := o.current(snap); len(cur.Routes) > 0 {
		plan, err = opt.Reoptimize(ctx, cur)
	} else {
		plan, err = opt.Optimize(ctx)
	}
	if err != nil {
		return err
	}
	o.adopt(plan)
	return nil
}

// insert places emergencies in the live plan, one at a time.
func (o *Optimizer) insert(ctx context.Context, s *State, ids []string) error {
	snap := o.snapshot(s, ids)
	o.runs++
	opt, err := dispatch.New(snap, &dispatch.Options{Seed: s.Day.Seed + uint64(o.runs), Iterations: o.cfg.InsertIterations, Weights: o.cfg.Weights})
	if err != nil {
		return err
	}
	plan, err := opt.Reoptimize(ctx, o.current(snap))
	if err != nil {
		return err
	}
	for _, id := range ids {
		next, _, err := opt.Insert(plan, o.job(s, s.Job(id)))
		if err != nil {
			return fmt.Errorf("insert %s: %w", id, err)
		}
		plan = next
	}
	o.adopt(plan)
	return nil
}

// adopt makes a plan the queues, and its customers told.
func (o *Optimizer) adopt(plan *dispatch.Plan) {
	o.queues = map[string][]string{}
	for _, r := range plan.Routes {
		for _, st := range r.Stops {
			if st.Kind == dispatch.StopJob {
				o.queues[r.TechnicianID] = append(o.queues[r.TechnicianID], st.JobID)
			}
		}
	}
}

// current is the live plan in the snapshot's terms: each technician's
// queue of open jobs, from their first moment free.
func (o *Optimizer) current(snap *dispatch.Snapshot) *dispatch.Plan {
	open := map[string]bool{}
	for _, j := range snap.Jobs {
		open[j.ID] = true
	}
	cur := &dispatch.Plan{}
	for _, t := range snap.Technicians {
		r := dispatch.Route{TechnicianID: t.ID}
		for _, id := range o.queues[t.ID] {
			if open[id] {
				r.Stops = append(r.Stops, dispatch.Stop{Kind: dispatch.StopJob, JobID: id, Start: t.Shifts[0].Start})
			}
		}
		if len(r.Stops) > 0 {
			cur.Routes = append(cur.Routes, r)
		}
	}
	return cur
}

// snapshot is the day now, for the optimizer: the technicians who can
// still work and the open jobs but those left out.
func (o *Optimizer) snapshot(s *State, leaveOut []string) *dispatch.Snapshot {
	snap := &dispatch.Snapshot{Now: s.Now, Travel: s.Day.Travel}
	for i := range s.Technicians {
		ts := &s.Technicians[i]
		def := &s.Day.Technicians[i]
		if !available(ts) {
			continue
		}
		start := ts.FreeAt
		if start.Before(s.Now) {
			start = s.Now
		}
		if start.Before(def.ShiftStart) {
			start = def.ShiftStart
		}
		home := def.Home
		hardEnd := def.ShiftEnd.Add(time.Duration(def.OvertimeMinutes) * time.Minute)
		back, _ := s.Day.Travel.Travel(ts.Location, home, s.Now) // as the optimizer samples it
		if !start.Add(back).Before(hardEnd) {
			continue // no time left for anything but the drive home
		}
		end := def.ShiftEnd
		if end.Before(start) {
			end = start
		}
		t := dispatch.Technician{ID: def.ID, Name: def.Name, Skills: def.Skills, Certifications: def.Certifications,
			Start: ts.Location, End: &home, Shifts: []dispatch.Shift{{Start: start, End: end, Overtime: hardEnd.Sub(end)}},
			Truck: maps.Clone(ts.Truck)}
		if ts.JobID != "" && (ts.Status == TechDriving || ts.Status == TechWaiting) {
			// The job on hand takes its parts when the work starts.
			for sku, n := range s.Job(ts.JobID).Parts {
				t.Truck[sku] -= n
			}
		}
		if b := def.Break; b != nil && !ts.BreakTaken && ts.Status != TechBreak {
			earliest, latest := b.Earliest, b.Latest
			if earliest.Before(start) {
				earliest = start
			}
			if latest.Before(earliest) {
				latest = earliest
			}
			if !earliest.Add(time.Duration(b.Minutes) * time.Minute).Add(back).After(hardEnd) {
				t.Breaks = []dispatch.Break{{Earliest: earliest, Latest: latest, Duration: time.Duration(b.Minutes) * time.Minute}}
			}
		}
		snap.Technicians = append(snap.Technicians, t)
	}
	out := map[string]bool{}
	for _, id := range leaveOut {
		out[id] = true
	}
	in := map[string]bool{}
	for _, t := range snap.Technicians {
		in[t.ID] = true
	}
	for i := range s.Jobs {
		j := &s.Jobs[i]
		if j.Status == JobOpen && !out[j.ID] {
			dj := o.job(s, j)
			if in[j.Committed] {
				// Promised: it stays with its technician.
				dj.PinnedTo = j.Committed
			}
			snap.Jobs = append(snap.Jobs, dj)
		}
	}
	return snap
}

// job is an open job for the optimizer.
func (o *Optimizer) job(s *State, j *JobState) dispatch.Job {
	dj := dispatch.Job{ID: j.ID, Location: j.Location, Duration: s.Day.Estimate(&j.Job, 3),
		Skills: []dispatch.Skill{j.Skill}, Certifications: j.Certifications, Parts: j.Parts, Priority: j.Priority,
		DurationByLevel: map[int]time.Duration{}, Notified: j.Committed != ""}
	for l := 1; l <= 5; l++ {
		dj.DurationByLevel[l] = s.Day.Estimate(&j.Job, l)
	}
	if w := j.Window; w != nil {
		// Soft: a late visit is planned at a cost rather than not at all.
		dj.Windows = []dispatch.Window{{Start: w.Start, End: w.End, Late: max(0, s.Day.End.Sub(w.End))}}
	} else if !j.Release.IsZero() {
		dj.Windows = []dispatch.Window{{Start: j.Release, End: s.Day.End}}
	}
	if !j.Responded {
		dj.SLADeadline = j.ResponseDue
		if rank(j.Priority) >= rank(dispatch.PriorityHigh) && j.Window == nil && o.reachable(s, j) {
			// Urgent and still reachable in time: a hard deadline, so that
			// the first level of the objective (no urgent job left out)
			// makes room for it, however late it makes lighter jobs.
			dj.Windows = []dispatch.Window{{Start: s.Now, End: j.ResponseDue}}
		}
	} else {
		dj.SLADeadline = j.ResolutionDue.Add(-dj.Duration)
	}
	return dj
}

// reachable reports whether a technician who may take job j could be on
// site by its response deadline, from where and when they are next free.
func (o *Optimizer) reachable(s *State, j *JobState) bool {
	for i := range s.Technicians {
		ts := &s.Technicians[i]
		if !available(ts) {
			continue
		}
		free := ts.FreeAt
		if free.Before(s.Now) {
			free = s.Now
		}
		if def := &s.Day.Technicians[i]; free.Before(def.ShiftStart) {
			free = def.ShiftStart
		}
		if _, ok := fits(s, i, j, free, ts.Location, nil); !ok {
			continue
		}
		if d, _ := s.Day.Travel.Travel(ts.Location, j.Location, s.Now); !free.Add(d).After(j.ResponseDue) {
			return true
		}
	}
	return false
}
