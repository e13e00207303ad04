package dispatch

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Weights are the exchange rates of objective levels 2 to 5, in seconds of
// travel. Level 1 (assigned jobs by priority) is strictly lexicographic and
// has no weight.
type Weights struct {
	// Lateness is the cost of one second late for a LOW job; MEDIUM,
	// HIGH and EMERGENCY count 2, 4 and 8 times as much. Defaults to 100.
	Lateness float64
	// Overtime is the cost of one second of overtime for a technician at
	// the crew's mean hourly cost. Defaults to 2.
	Overtime float64
	// Stability is the cost of moving a notified job to another technician
	// in Reoptimize and Insert. Defaults to 3600 (an hour of driving).
	Stability float64
	// Balance, the optional fifth level, evens the work between
	// technicians: each shift costs Balance × (hours of work)² × 3600
	// seconds of travel. Zero (the default) leaves balance out.
	Balance float64
}

func (w Weights) withDefaults() Weights {
	if w.Lateness <= 0 {
		w.Lateness = 100
	}
	if w.Overtime <= 0 {
		w.Overtime = 2
	}
	if w.Stability <= 0 {
		w.Stability = 3600
	}
	return w
}

// reserve is the number of spare matrix slots kept for jobs added by Insert.
const reserve = 32

// compiled is a snapshot translated for the numeric core.
type compiled struct {
	s       Snapshot
	w       Weights
	origin  time.Time
	p       *problem
	meters  []float64 // N×N
	locs    []Location
	jobCap  int // matrix slots for jobs
	vehTech []int
	vehShft []int
	jobIdx  map[string]int
	skus    []string
	// static[j*nt+t] is the first static or shift reason technician t
	// cannot take job j, or a zero code.
	static []Reason
	// levelWeight[rank] is the level-1 weight of a job of that priority
	// and value 0; valueMult scales values above job counts.
	levelWeight [4]float64
	valueMult   float64
}

func (c *compiled) sec(t time.Time) float64 { return float64(t.Sub(c.origin)) / float64(time.Second) }

func (c *compiled) at(sec float64) time.Time {
	return c.origin.Add(time.Duration(math.Round(sec * float64(time.Second))))
}

// compile translates s. The snapshot is copied shallowly: the caller must
// not change it while the result is in use.
func compile(s *Snapshot, w Weights) (*compiled, error) {
	if s.Travel == nil {
		return nil, errors.New("dispatch: snapshot has no Travel")
	}
	c := &compiled{s: *s, w: w.withDefaults(), origin: s.Now, jobIdx: make(map[string]int)}
	c.s.Jobs = slices.Clone(s.Jobs)
	techIdx := make(map[string]bool)
	for _, t := range s.Technicians {
		if t.ID == "" || techIdx[t.ID] {
			return nil, fmt.Errorf("dispatch: technician ID %q empty or repeated", t.ID)
		}
		techIdx[t.ID] = true
	}
	for i, j := range s.Jobs {
		if j.ID == "" {
			return nil, fmt.Errorf("dispatch: job %d has no ID", i)
		}
		if _, dup := c.jobIdx[j.ID]; dup {
			return nil, fmt.Errorf("dispatch: job ID %q repeated", j.ID)
		}
		if j.Locked && (j.PinnedTo == "" || !techIdx[j.PinnedTo]) {
			return nil, fmt.Errorf("dispatch: job %s: locked but not pinned to a known technician", j.ID)
		}
		c.jobIdx[j.ID] = i
	}
	skuSet := map[string]bool{}
	for _, j := range s.Jobs {
		for sku := range j.Parts {
			skuSet[sku] = true
		}
	}
	for sku := range skuSet {
		c.skus = append(c.skus, sku)
	}
	sort.Strings(c.skus)
	c.buildMatrix()
	c.buildVehicles()
	c.levelWeights()
	for j := range c.s.Jobs {
		c.p.Jobs = append(c.p.Jobs, c.job(j))
	}
	c.fixLocked()
	return c, nil
}

// buildMatrix samples Travel for every pair of locations, leaving at Now.
func (c *compiled) buildMatrix() {
	s := &c.s
	c.jobCap = len(s.Jobs) + reserve
	nt := len(s.Technicians)
	n := c.jobCap + 2*nt + 1
	c.locs = make([]Location, n)
	for j, job := range s.Jobs {
		c.locs[j] = job.Location
	}
	for t, tech := range s.Technicians {
		c.locs[c.jobCap+2*t] = tech.Start
		if tech.End != nil {
			c.locs[c.jobCap+2*t+1] = *tech.End
		}
	}
	c.p = &problem{N: n, Nowhere: n - 1, Dur: make([]float64, n*n), Dims: len(c.skus)}
	c.meters = make([]float64, n*n)
	used := make([]bool, n)
	for j := range s.Jobs {
		used[j] = true
	}
	for t, tech := range s.Technicians {
		used[c.jobCap+2*t] = true
		used[c.jobCap+2*t+1] = tech.End != nil
	}
	for a := range n {
		if !used[a] {
			continue
		}
		for b := range n {
			if used[b] && a != b {
				c.setLeg(a, b)
			}
		}
	}
}

func (c *compiled) setLeg(a, b int) {
	d, m := c.s.Travel.Travel(c.locs[a], c.locs[b], c.s.Now)
	c.p.Dur[a*c.p.N+b] = float64(d) / float64(time.Second)
	c.meters[a*c.p.N+b] = m
}

func (c *compiled) endLoc(t int) int {
	if c.s.Technicians[t].End == nil {
		return c.p.Nowhere
	}
	return c.jobCap + 2*t + 1
}

// buildVehicles turns each technician's shifts, less time off, into
// vehicles, one per working span.
func (c *compiled) buildVehicles() {
	s := &c.s
	meanCost := 0.0
	nCost := 0
	for _, t := range s.Technicians {
		if !t.HourlyCost.IsZero() {
			meanCost += t.HourlyCost.InexactFloat64()
			nCost++
		}
	}
	if nCost > 0 {
		meanCost /= float64(nCost)
	}
	for ti := range s.Technicians {
		t := &s.Technicians[ti]
		g := vGroup{MaxJobs: t.MaxJobs, MaxWork: t.MaxWork.Seconds()}
		if len(c.skus) > 0 {
			g.Capacity = make([]int32, len(c.skus))
			for d, sku := range c.skus {
				g.Capacity[d] = int32(t.Truck[sku])
			}
		}
		c.p.Groups = append(c.p.Groups, g)
		otw := c.w.Overtime
		if nCost > 0 && !t.HourlyCost.IsZero() && meanCost > 0 {
			otw *= t.HourlyCost.InexactFloat64() / meanCost
		}
		for si, sh := range t.Shifts {
			for _, span := range workSpans(sh, t.TimeOff, s.Now) {
				v := vVehicle{
					Start: c.jobCap + 2*ti, End: c.endLoc(ti),
					Shift: vWindow{Start: c.sec(span.Start), End: c.sec(span.soft), HardEnd: c.sec(span.End)},
					Group: ti,
				}
				if span.End.After(span.soft) {
					v.OvertimeWeight = otw
				}
				v.BalanceWeight = c.w.Balance
				for _, b := range t.Breaks {
					if !b.Earliest.Before(span.Start) && b.Earliest.Before(span.End) {
						v.Breaks = append(v.Breaks, vBreak{
							Window:   vWindow{Start: c.sec(b.Earliest), End: c.sec(b.Latest), HardEnd: c.sec(b.Latest)},
							Duration: b.Duration.Seconds(),
						})
					}
				}
				c.p.Vehicles = append(c.p.Vehicles, v)
				c.vehTech = append(c.vehTech, ti)
				c.vehShft = append(c.vehShft, si)
			}
		}
	}
}

type span struct {
	Start, End time.Time // End includes overtime
	soft       time.Time // the shift's end
}

// workSpans cuts a shift around time off and before now.
func workSpans(sh Shift, off []Interval, now time.Time) []span {
	spans := []span{{Start: sh.Start, End: sh.End.Add(sh.Overtime), soft: sh.End}}
	if spans[0].Start.Before(now) {
		spans[0].Start = now
	}
	for _, o := range off {
		var next []span
		for _, sp := range spans {
			if !o.Start.Before(sp.End) || !o.End.After(sp.Start) {
				next = append(next, sp)
				continue
			}
			if o.Start.After(sp.Start) {
				end := o.Start
				next = append(next, span{Start: sp.Start, End: end, soft: minTime(end, sp.soft)})
			}
			if o.End.Before(sp.End) {
				next = append(next, span{Start: o.End, End: sp.End, soft: maxTime(o.End, sp.soft)})
			}
		}
		spans = next
	}
	return slices.DeleteFunc(spans, func(sp span) bool { return !sp.End.After(sp.Start) })
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// levelWeights makes level 1 lexicographic: a job of a priority weighs
// more than all the jobs of lower priorities together, and within a
// priority the value counts before the number of jobs.
func (c *compiled) levelWeights() {
	maxValue := 0
	var sumValue, count [4]float64
	for _, j := range c.s.Jobs {
		count[j.Priority.rank()]++
		sumValue[j.Priority.rank()] += float64(max(j.Value, 0))
		maxValue = max(maxValue, j.Value)
	}
	c.valueMult = 0
	if maxValue > 0 {
		c.valueMult = float64(len(c.s.Jobs) + reserve + 1)
	}
	// Room for jobs added later by Insert, at the highest value.
	sum := 0.0
	for r := range 4 {
		c.levelWeight[r] = sum + 1
		top := float64(maxValue)*c.valueMult + 1
		sum += c.levelWeight[r] * (sumValue[r]*c.valueMult + count[r] + reserve*top)
	}
}

func (c *compiled) jobWeight(j *Job) float64 {
	return c.levelWeight[j.Priority.rank()] * (float64(max(j.Value, 0))*c.valueMult + 1)
}

var priorityLate = [4]float64{1, 2, 4, 8}

// job translates job j and its eligibility, recording reasons.
func (c *compiled) job(j int) vJob {
	s := &c.s
	job := &s.Jobs[j]
	nv := len(c.p.Vehicles)
	nt := len(s.Technicians)
	vj := vJob{Loc: j, Service: job.Duration.Seconds(), Prev: -1, Weight: c.jobWeight(job)}
	vj.LateWeight = c.w.Lateness * priorityLate[job.Priority.rank()]
	sla := math.Inf(1)
	if !job.SLADeadline.IsZero() {
		sla = c.sec(job.SLADeadline)
	}
	for _, w := range job.Windows {
		end := c.sec(w.End)
		vj.Windows = append(vj.Windows, vWindow{Start: c.sec(w.Start), End: min(end, sla), HardEnd: end + w.Late.Seconds()})
	}
	if len(job.Windows) == 0 && !math.IsInf(sla, 1) {
		vj.Windows = []vWindow{{Start: math.Inf(-1), End: sla, HardEnd: math.Inf(1)}}
	}
	if len(c.skus) > 0 {
		vj.Demand = make([]int32, len(c.skus))
		for d, sku := range c.skus {
			vj.Demand[d] = int32(job.Parts[sku])
		}
	}
	if len(job.DurationByLevel) > 0 {
		vj.ServiceBy = make([]float64, nv)
		for v := range nv {
			vj.ServiceBy[v] = jobDuration(&s.Technicians[c.vehTech[v]], job).Seconds()
		}
	}
	vj.Eligible = make([]bool, nv)
	if len(c.static) < (j+1)*nt {
		c.static = slices.Grow(c.static, (j+1)*nt-len(c.static))[:(j+1)*nt]
	}
	okTech := make([]bool, nt)
	for t := range s.Technicians {
		r, ok := staticReason(s, &s.Technicians[t], job)
		c.static[j*nt+t] = r
		okTech[t] = ok
	}
	for v := range nv {
		t := c.vehTech[v]
		if okTech[t] && c.reachable(&vj, v) {
			vj.Eligible[v] = true
		}
	}
	for t := range nt {
		if !okTech[t] {
			continue
		}
		reaches := false
		for v := range nv {
			if c.vehTech[v] == t && vj.Eligible[v] {
				reaches = true
			}
		}
		if !reaches {
			c.static[j*nt+t] = c.shiftReason(&s.Technicians[t], job)
		}
	}
	return vj
}

// reachable reports whether vehicle v can serve the job alone.
func (c *compiled) reachable(j *vJob, v int) bool {
	veh := &c.p.Vehicles[v]
	n := c.p.N
	t := veh.Shift.Start + c.p.Dur[veh.Start*n+j.Loc]
	svc := j.Service
	if j.ServiceBy != nil {
		svc = j.ServiceBy[v]
	}
	for _, w := range j.Windows {
		if t <= w.HardEnd {
			st := max(t, w.Start)
			return st+svc+c.p.Dur[j.Loc*n+veh.End] <= veh.Shift.HardEnd
		}
	}
	if len(j.Windows) == 0 {
		return t+svc+c.p.Dur[j.Loc*n+veh.End] <= veh.Shift.HardEnd
	}
	return false
}

// shiftReason explains why no shift of t reaches the job.
func (c *compiled) shiftReason(t *Technician, job *Job) Reason {
	r := Reason{TechnicianID: t.ID, Code: ReasonNoShift}
	at := c.s.Now
	if len(job.Windows) > 0 {
		at = job.Windows[0].Start
	}
	for _, o := range t.TimeOff {
		for _, w := range job.Windows {
			if !w.Start.Before(o.Start) && !w.End.After(o.End) {
				r.Code, r.Detail = ReasonTimeOff, fmt.Sprintf("off %s–%s", clock(o.Start), clock(o.End))
				return r
			}
		}
	}
	r.Detail = shiftDetail(t, at)
	return r
}

// fixLocked puts locked jobs at the head of their technician's first
// vehicle, in snapshot order.
func (c *compiled) fixLocked() {
	for j, job := range c.s.Jobs {
		if !job.Locked {
			continue
		}
		for v, t := range c.vehTech {
			if c.s.Technicians[t].ID == job.PinnedTo {
				c.p.Vehicles[v].Fixed = append(c.p.Vehicles[v].Fixed, j)
				break
			}
		}
	}
}

// addJob compiles a job added after the snapshot (Insert), reusing a spare
// matrix slot.
func (c *compiled) addJob(job Job) (int, error) {
	if _, dup := c.jobIdx[job.ID]; dup || job.ID == "" {
		return 0, fmt.Errorf("dispatch: job ID %q empty or already planned", job.ID)
	}
	j := len(c.s.Jobs)
	if j >= c.jobCap {
		return 0, errors.New("dispatch: too many jobs inserted since the snapshot was compiled; optimize again")
	}
	c.s.Jobs = append(c.s.Jobs, job)
	c.jobIdx[job.ID] = j
	c.locs[j] = job.Location
	n := c.p.N
	for b := range n {
		if b == j || (b < c.jobCap && b >= len(c.s.Jobs)) || b == c.p.Nowhere {
			continue
		}
		if b >= c.jobCap && (b-c.jobCap)%2 == 1 && c.s.Technicians[(b-c.jobCap)/2].End == nil {
			continue
		}
		c.setLeg(j, b)
		c.setLeg(b, j)
	}
	c.p.Refresh(j)
	c.p.Jobs = append(c.p.Jobs, c.job(j))
	return j, nil
}
