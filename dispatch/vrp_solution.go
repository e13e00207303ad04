package dispatch

import "math"

// solution is a set of routes, one per vehicle, and the jobs left out.
type solution struct {
	routes   []route
	jobRoute []int32 // route of each job, -1 if unassigned
	gJobs    []int
	gWork    []float64
	gLoad    []int32 // groups × dims
}

func newSolution(p *problem) *solution {
	s := &solution{
		routes:   make([]route, len(p.Vehicles)),
		jobRoute: make([]int32, len(p.Jobs)),
		gJobs:    make([]int, len(p.Groups)),
		gWork:    make([]float64, len(p.Groups)),
		gLoad:    make([]int32, len(p.Groups)*p.Dims),
	}
	for i := range s.jobRoute {
		s.jobRoute[i] = -1
	}
	for v := range p.Vehicles {
		r := &s.routes[v]
		r.v = v
		for _, f := range p.Vehicles[v].Fixed {
			r.seq = append(r.seq, int32(f))
			s.jobRoute[f] = int32(v)
		}
		r.fixed = len(r.seq)
		for b := range p.Vehicles[v].Breaks {
			r.seq = append(r.seq, breakStop(b))
		}
		s.refresh(p, v)
	}
	return s
}

// refresh recomputes route v's caches and the group tallies.
func (s *solution) refresh(p *problem, v int) {
	r := &s.routes[v]
	g := p.Vehicles[v].Group
	s.gJobs[g] -= r.nJobs
	s.gWork[g] -= r.work
	gl := s.gLoad[g*p.Dims : (g+1)*p.Dims]
	for d, x := range r.load {
		gl[d] -= x
	}
	r.update(p)
	s.gJobs[g] += r.nJobs
	s.gWork[g] += r.work
	for d, x := range r.load {
		gl[d] += x
	}
}

func (s *solution) copyFrom(o *solution) {
	for i := range s.routes {
		s.routes[i].copyFrom(&o.routes[i])
	}
	copy(s.jobRoute, o.jobRoute)
	copy(s.gJobs, o.gJobs)
	copy(s.gWork, o.gWork)
	copy(s.gLoad, o.gLoad)
}

// objective returns the priority weight of the unassigned jobs and the
// routing cost.
func (s *solution) objective(p *problem) (unassigned, cost float64) {
	for j, r := range s.jobRoute {
		if r < 0 {
			unassigned += p.Jobs[j].Weight
		}
	}
	for i := range s.routes {
		cost += s.routes[i].cost()
	}
	return
}

// insertJob inserts job j after position pos of route v.
func (s *solution) insertJob(p *problem, j, v, pos int) {
	r := &s.routes[v]
	r.seq = append(r.seq, 0)
	copy(r.seq[pos+1:], r.seq[pos:])
	r.seq[pos] = int32(j)
	s.jobRoute[j] = int32(v)
	s.refresh(p, v)
}

// removeJob takes job j out of its route without refreshing the caches.
func (s *solution) removeJob(j int) int {
	v := int(s.jobRoute[j])
	r := &s.routes[v]
	for k, x := range r.seq {
		if int(x) == j {
			r.seq = append(r.seq[:k], r.seq[k+1:]...)
			break
		}
	}
	s.jobRoute[j] = -1
	return v
}

// routeAccepts checks the limits that do not depend on the position.
func (s *solution) routeAccepts(p *problem, j, v int) bool {
	if !p.eligible(j, v) {
		return false
	}
	job := &p.Jobs[j]
	veh := &p.Vehicles[v]
	g := &p.Groups[veh.Group]
	if g.Capacity != nil && job.Demand != nil {
		gl := s.gLoad[veh.Group*p.Dims:]
		for d, x := range job.Demand {
			if gl[d]+x > g.Capacity[d] {
				return false
			}
		}
	}
	if g.MaxJobs > 0 && s.gJobs[veh.Group] >= g.MaxJobs {
		return false
	}
	return true
}

// bestIn returns the cheapest feasible position for job j in route v whose
// cost delta is below bound; blink skips positions at random (rate 0 for
// none).
func (s *solution) bestIn(p *problem, j, v int, bound float64, bl *blinker) (pos int, delta float64) {
	pos, delta = -1, bound
	r := &s.routes[v]
	veh := &p.Vehicles[v]
	job := &p.Jobs[j]
	n := p.N
	u := job.Loc
	rowU := p.Dur[u*n : u*n+n]
	colU := p.durT[u*n : u*n+n]
	svc := p.service(j, v)
	ws := job.Windows
	lastEnd := lastHardEnd(ws)
	extra := 0.0
	if job.Prev >= 0 && job.Prev != veh.Group {
		extra += job.StabilityCost
	}
	g := &p.Groups[veh.Group]
	workRoom := math.Inf(1)
	if g.MaxWork > 0 {
		workRoom = g.MaxWork - s.gWork[veh.Group] - svc
	}
	soft := r.nSoft > 0 || isSoft(job)
	otw := veh.OvertimeWeight
	m := len(r.seq)
	// Blinks: the countdown to the next skipped position runs across calls.
	skip := m + 1
	if bl != nil {
		skip = r.fixed + bl.left
	}
	base := 0.0
	if r.nJobs == 0 {
		// An unused vehicle costs nothing: the whole route is new.
		base = p.Dur[veh.Start*n+veh.End]
	}
	last := r.fixed - 1
	for q := r.fixed; q <= m; q++ {
		if r.dep[q] > lastEnd {
			break
		}
		last = q
		if q == skip {
			g := bl.draw()
			skip += 1 + g
			continue
		}
		a := int(r.loc[q])
		nr := int(r.nextReal[q+1])
		b := int(r.loc[nr])
		dt := colU[a] + rowU[b] - r.edge[q]
		d := dt + extra + base
		if d >= delta {
			continue
		}
		if dt+base > workRoom {
			continue
		}
		if bw := veh.BalanceWeight; bw > 0 {
			w := r.work + svc + dt + base
			d += bw*(w*w/3600) - r.bal
			if d >= delta {
				continue
			}
		}
		arrU := r.dep[q] + colU[a]
		st, w, ok := windowStart(ws, arrU)
		if !ok {
			continue
		}
		t := st + svc
		feasible := true
		for k := q + 1; k < nr; k++ {
			bk := &veh.Breaks[-r.seq[k-1]-1]
			bs := max(t, bk.Window.Start)
			if bs > bk.Window.HardEnd {
				feasible = false
				break
			}
			t = bs + bk.Duration
		}
		if !feasible {
			continue
		}
		arrNext := t + rowU[b]
		if arrNext > r.lat[nr] {
			continue
		}
		if soft {
			sc, ok := r.simulate(p, j, q)
			if !ok {
				continue
			}
			d += sc - r.soft
		} else {
			if w >= 0 && st > ws[w].End {
				d += (st - ws[w].End) * job.LateWeight
			}
			if otw > 0 {
				delay := arrNext - r.arr[nr]
				if delay > r.sw[nr] {
					end := r.arr[m+1] + delay - r.sw[nr]
					old := 0.0
					if r.nJobs > 0 {
						old = max(0, r.arr[m+1]-veh.Shift.End)
					}
					d += (max(0, end-veh.Shift.End) - old) * otw
				} else if r.nJobs == 0 {
					d += max(0, r.arr[m+1]-veh.Shift.End) * otw
				}
			}
		}
		if d < delta {
			pos, delta = q, d
		}
	}
	if bl != nil {
		bl.left = max(0, skip-last-1)
	}
	return pos, delta
}

// blinker skips each evaluated insertion position with a fixed
// probability: it draws the geometric gap to the next skip, and the
// countdown carries over from one route to the next.
type blinker struct {
	rng     *rng
	logKeep float64
	left    int
}

func newBlinker(r *rng, blink float64) *blinker {
	b := &blinker{rng: r, logKeep: math.Log1p(-blink)}
	b.left = b.draw()
	return b
}

// draw returns the number of kept positions before the next blink.
func (b *blinker) draw() int {
	x := math.Log(1-b.rng.float()) / b.logKeep
	if x > 1<<30 {
		return 1 << 30
	}
	return int(x)
}
