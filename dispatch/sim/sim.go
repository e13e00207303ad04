package sim

import (
	"container/heap"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// Options tune a run.
type Options struct {
	// Progress, if set, is called as the simulated clock advances (at
	// most once per simulated minute).
	Progress func(Progress)
}

// Progress is how far a run is.
type Progress struct {
	Policy string
	Now    time.Time
	// Fraction of the day (Start to End) simulated.
	Fraction float64
	// Calls is the number of jobs called so far, of Total.
	Calls, Total int
}

// Run simulates the scenario's day with the dispatcher and returns what
// happened and its KPIs. The run is deterministic: the same scenario and a
// deterministic dispatcher give the same result, byte for byte.
func Run(ctx context.Context, sc *Scenario, d Dispatcher, opt *Options) (*Result, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	s := newSimulator(sc, d, opt)
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	return s.result(), nil
}

// evKind is an internal event of the simulation.
type evKind int

const (
	evCall       evKind = iota // job called
	evShiftStart               // technician starts
	evShiftEnd                 // technician's shift ends
	evBreakDue                 // an idle technician's break may start
	evWake                     // an idle technician should leave for the next job
	evArrive                   // arrives at a job
	evStartWork                // the window opens for a waiting technician
	evDone                     // work done
	evBreakEnd                 // break over
	evHome                     // arrives home
	evSick                     // calls in sick
)

type ev struct {
	at    time.Time
	seq   int
	kind  evKind
	tech  int
	job   int
	epoch int // the technician's epoch when pushed: stale events are dropped
}

type evQueue []ev

func (q evQueue) Len() int { return len(q) }
func (q evQueue) Less(i, k int) bool {
	if c := q[i].at.Compare(q[k].at); c != 0 {
		return c < 0
	}
	return q[i].seq < q[k].seq
}
func (q evQueue) Swap(i, k int) { q[i], q[k] = q[k], q[i] }
func (q *evQueue) Push(x any)   { *q = append(*q, x.(ev)) }
func (q *evQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// tech is a simulated technician.
type tech struct {
	def   *Technician
	pos   dispatch.Location
	epoch int
	job   int // on hand, or -1
	// the drive under way
	from      dispatch.Location
	driveFrom time.Time
	driveTo   time.Time
	meters    float64
	// the activity under way
	since      time.Time
	incomplete bool
	sickLater  bool
	idleSince  time.Time
	waitUntil  time.Time // a planned departure an idle technician waits for
	queue      []string
	segs       []Segment
	homeAt     time.Time
	sickAt     time.Time
}

// job is a simulated job.
type job struct {
	def         Job // with the truth
	idx         int // in State.Jobs, -1 before the call
	reassigned  int
	visits      int
	firstArrive time.Time // of the job or, for a second visit, of its root
	visitAt     time.Time // this visit's first arrival
	done        time.Time
	techs       []string
	late        time.Duration
}

type simulator struct {
	sc     *Scenario
	d      Dispatcher
	opt    Options
	now    time.Time
	q      evQueue
	seq    int
	st     State
	techs  []*tech
	techIx map[string]int
	jobs   []*job
	jobIx  map[string]int
	events []Event
	wake   time.Time
	calls  int
	// counters
	reassignments  int
	dispatches     int
	lastProgress   time.Time
	followUpsOfJob map[string]int
}

func newSimulator(sc *Scenario, d Dispatcher, opt *Options) *simulator {
	s := &simulator{sc: sc, d: d, now: sc.Start, techIx: map[string]int{}, jobIx: map[string]int{}, followUpsOfJob: map[string]int{}}
	if opt != nil {
		s.opt = *opt
	}
	day := *sc
	day.Jobs, day.Sick = nil, nil
	s.st = State{Now: sc.Start, Day: &day, jobIdx: map[string]int{}, Jobs: make([]JobState, 0, len(sc.Jobs))}
	for i := range sc.Technicians {
		def := &sc.Technicians[i]
		s.techs = append(s.techs, &tech{def: def, pos: def.Home, job: -1})
		s.techIx[def.ID] = i
		s.st.Technicians = append(s.st.Technicians, TechState{ID: def.ID, Status: TechOff, Location: def.Home,
			FreeAt: def.ShiftStart, Truck: maps.Clone(def.Truck)})
		s.push(def.ShiftStart, evShiftStart, i, -1)
		s.push(def.ShiftEnd, evShiftEnd, i, -1)
		if b := def.Break; b != nil {
			s.push(b.Earliest, evBreakDue, i, -1)
		}
	}
	for i := range sc.Jobs {
		s.jobs = append(s.jobs, &job{def: sc.Jobs[i], idx: -1})
		s.jobIx[sc.Jobs[i].ID] = i
		if sc.Jobs[i].CallAt.After(sc.Start) {
			s.push(sc.Jobs[i].CallAt, evCall, -1, i)
		} else {
			s.call(i)
		}
	}
	for _, sick := range sc.Sick {
		if sick.At.After(sc.Start) {
			s.push(sick.At, evSick, s.techIx[sick.TechnicianID], -1)
		} else {
			s.sick(s.techIx[sick.TechnicianID])
		}
	}
	return s
}

func (s *simulator) push(at time.Time, k evKind, t, j int) {
	e := ev{at: at, seq: s.seq, kind: k, tech: t, job: j}
	if t >= 0 {
		e.epoch = s.techs[t].epoch
	}
	s.seq++
	heap.Push(&s.q, e)
}

func (s *simulator) emit(k EventKind, t, j int) {
	e := Event{At: s.now, Kind: k}
	if t >= 0 {
		e.TechnicianID = s.techs[t].def.ID
	}
	if j >= 0 {
		e.JobID = s.jobs[j].def.ID
	}
	s.events = append(s.events, e)
}

func (s *simulator) run(ctx context.Context) error {
	if err := s.dispatch(ctx); err != nil {
		return err
	}
	s.activateAll()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		next, ok := s.nextTime()
		if !ok {
			break
		}
		s.now = next
		s.st.Now = next
		for len(s.q) > 0 && !s.q[0].at.After(next) {
			e := heap.Pop(&s.q).(ev)
			if e.tech >= 0 && e.epoch != s.techs[e.tech].epoch {
				continue
			}
			s.handle(e)
		}
		if len(s.events) > 0 || (!s.wake.IsZero() && !s.wake.After(s.now)) {
			if !s.now.After(s.sc.End) {
				if err := s.dispatch(ctx); err != nil {
					return err
				}
			} else {
				s.events = s.events[:0]
				s.wake = time.Time{}
			}
		}
		s.activateAll()
		s.progress()
	}
	s.progress()
	return nil
}

// nextTime is the time of the next event or of the dispatcher's wake.
func (s *simulator) nextTime() (time.Time, bool) {
	var next time.Time
	ok := false
	if len(s.q) > 0 {
		next, ok = s.q[0].at, true
	}
	if !s.wake.IsZero() && s.wake.After(s.now) && !s.wake.After(s.sc.End) && (!ok || s.wake.Before(next)) {
		next, ok = s.wake, true
	}
	return next, ok
}

func (s *simulator) progress() {
	if s.opt.Progress == nil || (s.now.Sub(s.lastProgress) < time.Minute && len(s.q) > 0) {
		return
	}
	s.lastProgress = s.now
	day := s.sc.End.Sub(s.sc.Start)
	f := min(1, max(0, float64(s.now.Sub(s.sc.Start))/float64(day)))
	if len(s.q) == 0 {
		f = 1
	}
	s.opt.Progress(Progress{Policy: s.d.Name(), Now: s.now, Fraction: f, Calls: s.calls, Total: len(s.sc.Jobs)})
}

// call makes job j known to the dispatcher.
func (s *simulator) call(j int) {
	jb := s.jobs[j]
	js := JobState{Job: jb.def, Status: JobOpen}
	js.Truth = Truth{}
	if jb.def.Parent != "" {
		p := s.jobs[s.jobIx[jb.def.Parent]]
		ps := &s.st.Jobs[p.idx]
		js.ResponseDue, js.ResolutionDue, js.Responded = ps.ResponseDue, ps.ResolutionDue, true
	} else {
		start := jb.def.CallAt
		if w := jb.def.Window; w != nil && w.Start.After(start) {
			start = w.Start
		}
		pol := s.sc.Policy(jb.def.Priority)
		js.ResponseDue = start.Add(time.Duration(pol.ResponseMinutes) * time.Minute)
		js.ResolutionDue = start.Add(time.Duration(pol.ResolutionMinutes) * time.Minute)
		s.calls++
	}
	jb.idx = len(s.st.Jobs)
	s.st.Jobs = append(s.st.Jobs, js)
	s.st.jobIdx[jb.def.ID] = jb.idx
	s.emit(EventCall, -1, j)
}

func (s *simulator) jobState(j int) *JobState { return &s.st.Jobs[s.jobs[j].idx] }

func (s *simulator) dispatch(ctx context.Context) error {
	events := s.events
	s.events = nil
	s.dispatches++
	p, err := s.d.Dispatch(ctx, &s.st, events)
	if err != nil {
		return fmt.Errorf("sim: %s at %s: %w", s.d.Name(), s.now.Format("15:04"), err)
	}
	s.wake = time.Time{}
	if p == nil {
		return nil
	}
	if p.Wake.After(s.now) {
		s.wake = p.Wake
	}
	return s.apply(p)
}

// apply checks a plan and makes it the technicians' queues.
func (s *simulator) apply(p *Plan) error {
	seen := map[string]string{}
	for _, t := range s.techs {
		t.queue = nil
	}
	for _, id := range slices.Sorted(maps.Keys(p.Queues)) {
		ti, ok := s.techIx[id]
		if !ok {
			return fmt.Errorf("%w: unknown technician %q", ErrBadPlan, id)
		}
		t := s.techs[ti]
		for _, jid := range p.Queues[id] {
			j, ok := s.jobIx[jid]
			if !ok || s.jobs[j].idx < 0 {
				return fmt.Errorf("%w: %s: unknown job %q", ErrBadPlan, id, jid)
			}
			if other, dup := seen[jid]; dup {
				return fmt.Errorf("%w: job %s queued for %s and %s", ErrBadPlan, jid, other, id)
			}
			seen[jid] = id
			jb := s.jobs[j]
			if err := t.def.Qualified(&jb.def); err != nil {
				return fmt.Errorf("%w: %w", ErrBadPlan, err)
			}
			js := s.jobState(j)
			if js.Status != JobOpen {
				continue
			}
			if js.Committed != "" && js.Committed != id {
				// The technician and the customer were told someone else.
				jb.reassigned++
				s.reassignments++
				js.Committed = ""
			}
			if len(t.queue) < Committed {
				js.Committed = id
			}
			t.queue = append(t.queue, jid)
		}
	}
	return nil
}

func (s *simulator) handle(e ev) {
	switch e.kind {
	case evCall:
		s.call(e.job)
	case evShiftStart:
		s.shiftStart(e.tech)
	case evShiftEnd, evBreakDue, evWake:
		// An idle technician reconsiders: activateAll does it.
	case evArrive:
		s.arrive(e.tech)
	case evStartWork:
		s.startWork(e.tech)
	case evDone:
		s.workDone(e.tech)
	case evBreakEnd:
		t := s.techs[e.tech]
		s.seg(t, SegBreak, t.since, s.now, -1)
		s.setStatus(e.tech, TechIdle, -1)
		s.emit(EventFree, e.tech, -1)
	case evHome:
		t := s.techs[e.tech]
		s.endDrive(t, -1)
		t.pos, t.homeAt = t.def.Home, s.now
		s.setStatus(e.tech, TechGone, -1)
		s.emit(EventOffShift, e.tech, -1)
	case evSick:
		s.sick(e.tech)
	}
}

func (s *simulator) setStatus(ti int, st TechStatus, j int) {
	t := s.techs[ti]
	ts := &s.st.Technicians[ti]
	ts.Status = st
	t.since = s.now
	t.job = j
	ts.JobID = ""
	if j >= 0 {
		ts.JobID = s.jobs[j].def.ID
	}
	if st == TechIdle {
		t.idleSince = s.now
		ts.Location, ts.FreeAt = t.pos, s.now
	}
}

func (s *simulator) shiftStart(ti int) {
	if s.st.Technicians[ti].Status != TechOff {
		return
	}
	s.setStatus(ti, TechIdle, -1)
	s.emit(EventFree, ti, -1)
}

// activateAll gives every idle technician their next step, in order.
func (s *simulator) activateAll() {
	for ti := range s.techs {
		if s.st.Technicians[ti].Status == TechIdle {
			s.activate(ti)
		}
	}
}

// activate starts an idle technician's next step: home if sick, a break
// that is due, the first job of the queue that fits, or home after the
// shift.
func (s *simulator) activate(ti int) {
	t := s.techs[ti]
	ts := &s.st.Technicians[ti]
	if t.sickLater || ts.Sick {
		s.goHome(ti)
		return
	}
	if b := t.def.Break; b != nil && !ts.BreakTaken && !s.now.Before(b.Earliest) {
		s.closeIdle(t)
		ts.BreakTaken = true
		s.setStatus(ti, TechBreak, -1)
		ts.FreeAt = s.now.Add(time.Duration(b.Minutes) * time.Minute)
		s.push(ts.FreeAt, evBreakEnd, ti, -1)
		return
	}
	hardEnd := t.def.ShiftEnd.Add(time.Duration(t.def.OvertimeMinutes) * time.Minute)
	level := func(j *job) int { return t.def.Level(j.def.Skill.Trade) }
	for _, id := range t.queue {
		j := s.jobIx[id]
		jb := s.jobs[j]
		if s.jobState(j).Status != JobOpen {
			continue
		}
		d, _ := s.sc.Travel.Travel(t.pos, jb.def.Location, s.now)
		start := s.now.Add(d)
		if e := jb.def.Earliest(); e.After(start) {
			start = e
		}
		back, _ := s.sc.Travel.Travel(jb.def.Location, t.def.Home, start)
		if start.Add(s.sc.Estimate(&jb.def, level(jb))).Add(back).After(hardEnd) {
			continue
		}
		if leave := start.Add(-d); leave.After(s.now) {
			// Leave in time for the window, not before: the plan may change.
			if !t.waitUntil.Equal(leave) {
				t.waitUntil = leave
				s.push(leave, evWake, ti, -1)
			}
			return
		}
		s.depart(ti, j)
		return
	}
	if !s.now.Before(t.def.ShiftEnd) {
		s.goHome(ti)
	}
}

// closeIdle records the idle time that ends now.
func (s *simulator) closeIdle(t *tech) {
	if s.now.After(t.idleSince) {
		s.seg(t, SegIdle, t.idleSince, s.now, -1)
	}
	t.idleSince = s.now
}

func (s *simulator) depart(ti, j int) {
	t := s.techs[ti]
	jb := s.jobs[j]
	s.closeIdle(t)
	s.startDrive(t, jb.def.Location)
	s.setStatus(ti, TechDriving, j)
	ts := &s.st.Technicians[ti]
	ts.Location = jb.def.Location
	start := t.driveTo
	if e := jb.def.Earliest(); e.After(start) {
		start = e
	}
	ts.FreeAt = start.Add(s.sc.Estimate(&jb.def, t.def.Level(jb.def.Skill.Trade)))
	js := s.jobState(j)
	js.Status, js.TechnicianID = JobEnRoute, t.def.ID
	s.push(t.driveTo, evArrive, ti, j)
	s.emit(EventEnRoute, ti, j)
}

func (s *simulator) startDrive(t *tech, to dispatch.Location) {
	d, m := s.sc.Travel.Travel(t.pos, to, s.now)
	t.from, t.driveFrom, t.driveTo, t.meters = t.pos, s.now, s.now.Add(d), m
	t.pos = to
}

// endDrive records the drive that ends now (it may be cut short).
func (s *simulator) endDrive(t *tech, j int) {
	if !s.now.After(t.driveFrom) {
		return // next door
	}
	seg := Segment{Kind: SegDrive, Start: t.driveFrom, End: s.now, From: t.from, To: t.pos, Meters: t.meters}
	if j >= 0 {
		seg.JobID = s.jobs[j].def.ID
	}
	t.segs = append(t.segs, seg)
}

func (s *simulator) arrive(ti int) {
	t := s.techs[ti]
	j := t.job
	jb := s.jobs[j]
	s.endDrive(t, j)
	js := s.jobState(j)
	js.Status = JobOnSite
	jb.visits++
	jb.techs = append(jb.techs, t.def.ID)
	if jb.visitAt.IsZero() {
		jb.visitAt = s.now
	}
	root := s.root(j)
	if root.firstArrive.IsZero() {
		root.firstArrive = s.now
		if late := s.now.Sub(js.Promise()); late > 0 {
			root.late = late
		}
	}
	s.emit(EventOnSite, ti, j)
	if e := jb.def.Earliest(); e.After(s.now) {
		s.setStatus(ti, TechWaiting, j)
		s.st.Technicians[ti].FreeAt = e.Add(s.sc.Estimate(&jb.def, t.def.Level(jb.def.Skill.Trade)))
		s.push(e, evStartWork, ti, j)
		return
	}
	s.startWork(ti)
}

// root is the job a second visit follows up (itself for a first visit).
func (s *simulator) root(j int) *job {
	for s.jobs[j].def.Parent != "" {
		j = s.jobIx[s.jobs[j].def.Parent]
	}
	return s.jobs[j]
}

func (s *simulator) startWork(ti int) {
	t := s.techs[ti]
	j := t.job
	jb := s.jobs[j]
	ts := &s.st.Technicians[ti]
	if t.since.Before(s.now) && ts.Status == TechWaiting {
		s.seg(t, SegWait, t.since, s.now, j)
	}
	need := map[string]int{}
	for sku, n := range jb.def.Parts {
		need[sku] += n
	}
	for sku, n := range jb.def.Truth.FoundParts {
		need[sku] += n
	}
	t.incomplete = false
	for sku, n := range need {
		if ts.Truck[sku] < n {
			t.incomplete = true
		}
	}
	var d time.Duration
	if t.incomplete {
		d = time.Duration(s.sc.DiagnoseMinutes) * time.Minute
	} else {
		for sku, n := range need {
			ts.Truck[sku] -= n
		}
		f := jb.def.Truth.Factor
		if f == 0 {
			f = 1
		}
		d = minutes(s.sc.Estimate(&jb.def, t.def.Level(jb.def.Skill.Trade)).Minutes() * f)
	}
	s.setStatus(ti, TechWorking, j)
	est := s.now.Add(s.sc.Estimate(&jb.def, t.def.Level(jb.def.Skill.Trade)))
	ts.FreeAt = est
	s.push(s.now.Add(d), evDone, ti, j)
}

func (s *simulator) workDone(ti int) {
	t := s.techs[ti]
	j := t.job
	jb := s.jobs[j]
	s.seg(t, SegWork, t.since, s.now, j)
	js := s.jobState(j)
	if t.incomplete {
		t.segs[len(t.segs)-1].Incomplete = true
		js.Status = JobIncomplete
		s.setStatus(ti, TechIdle, -1)
		s.emit(EventIncomplete, ti, j)
		s.followUp(j)
	} else {
		js.Status = JobCompleted
		s.root(j).done = s.now
		jb.done = s.now
		s.setStatus(ti, TechIdle, -1)
		s.emit(EventCompleted, ti, j)
	}
}

// followUp creates the second visit of job j, after the missing parts
// arrive.
func (s *simulator) followUp(j int) {
	jb := s.jobs[j]
	root := s.root(j)
	s.followUpsOfJob[root.def.ID]++
	f := jb.def
	f.ID = fmt.Sprintf("%s-%d", root.def.ID, s.followUpsOfJob[root.def.ID]+1)
	f.Title = root.def.Title + " (parts)"
	f.CallAt = s.now
	f.Window = nil
	f.Parts = nil
	f.Truth.FoundParts = nil
	f.Parent = jb.def.ID
	f.Release = s.now.Add(time.Duration(s.sc.PartsLeadMinutes) * time.Minute)
	s.jobIx[f.ID] = len(s.jobs)
	s.jobs = append(s.jobs, &job{def: f, idx: -1})
	s.call(len(s.jobs) - 1)
}

// goHome sends a technician home from where they are.
func (s *simulator) goHome(ti int) {
	t := s.techs[ti]
	s.closeIdle(t)
	if t.pos == t.def.Home {
		t.homeAt = s.now
		s.setStatus(ti, TechGone, -1)
		s.emit(EventOffShift, ti, -1)
		return
	}
	s.startDrive(t, t.def.Home)
	s.setStatus(ti, TechDriving, -1)
	ts := &s.st.Technicians[ti]
	ts.Location, ts.FreeAt = t.def.Home, t.driveTo
	s.push(t.driveTo, evHome, ti, -1)
}

func (s *simulator) sick(ti int) {
	t := s.techs[ti]
	ts := &s.st.Technicians[ti]
	if ts.Sick || ts.Status == TechGone {
		return
	}
	ts.Sick, t.sickAt = true, s.now
	s.emit(EventSick, ti, -1)
	switch ts.Status {
	case TechOff:
		t.epoch++
		s.setStatus(ti, TechGone, -1)
	case TechIdle:
		s.goHome(ti)
	case TechWorking:
		t.sickLater = true
	case TechBreak:
		t.epoch++
		s.seg(t, SegBreak, t.since, s.now, -1)
		s.setStatus(ti, TechIdle, -1)
		s.goHome(ti)
	case TechDriving, TechWaiting:
		t.epoch++
		j := t.job
		if ts.Status == TechDriving {
			// Turn back where the technician is.
			f := 1.0
			if total := t.driveTo.Sub(t.driveFrom); total > 0 {
				f = float64(s.now.Sub(t.driveFrom)) / float64(total)
			}
			t.pos = dispatch.Location{Lat: t.from.Lat + (t.pos.Lat-t.from.Lat)*f, Lng: t.from.Lng + (t.pos.Lng-t.from.Lng)*f}
			t.meters *= f
			s.endDrive(t, j)
		} else if s.now.After(t.since) {
			s.seg(t, SegWait, t.since, s.now, j)
		}
		if j >= 0 {
			js := s.jobState(j)
			js.Status, js.TechnicianID, js.Committed = JobOpen, "", ""
			s.emit(EventReturned, ti, j)
		}
		s.setStatus(ti, TechIdle, -1)
		s.goHome(ti)
	}
}

func (s *simulator) seg(t *tech, k SegmentKind, from, to time.Time, j int) {
	if !to.After(from) {
		return
	}
	seg := Segment{Kind: k, Start: from, End: to}
	if j >= 0 {
		jb := s.jobs[j]
		seg.JobID = jb.def.ID
		if k == SegWork {
			seg.Late = s.root(j).late
			if jb.def.Parent != "" {
				seg.Late = 0
			}
		}
	}
	t.segs = append(t.segs, seg)
}
