package dispatch

import "math"

// A stop in a route is a job index (≥ 0) or a break, encoded as -(b+1)
// where b indexes the vehicle's Breaks.
func breakStop(b int) int32 { return int32(-(b + 1)) }

// route is one vehicle's sequence with the caches that make insertion
// checks O(1). Positions: 0 is the start, 1..m the stops (seq[p-1]), m+1 the
// end.
type route struct {
	v   int
	seq []int32

	// Per position.
	loc      []int32   // effective location (a break sits where the previous stop is)
	arr      []float64 // arrival
	dep      []float64 // earliest departure (after service)
	lat      []float64 // latest arrival keeping the rest feasible
	sw       []float64 // waiting summed from this position to the end
	nextReal []int32   // first position ≥ p that is not a break
	edge     []float64 // travel from p to the next real stop

	load   []int32 // summed demand
	travel float64
	soft   float64 // lateness and overtime costs
	stab   float64 // stability costs of the jobs on board
	bal    float64 // balance cost: BalanceWeight × work² / 3600
	work   float64 // service plus travel
	nJobs  int
	nSoft  int // jobs whose windows allow lateness
	fixed  int // the first fixed stops never move
	ok     bool
}

func (r *route) cost() float64 {
	if r.nJobs == 0 {
		return 0
	}
	return r.travel + r.soft + r.stab + r.bal
}

func (r *route) copyFrom(o *route) {
	r.v = o.v
	r.seq = append(r.seq[:0], o.seq...)
	r.loc = append(r.loc[:0], o.loc...)
	r.arr = append(r.arr[:0], o.arr...)
	r.dep = append(r.dep[:0], o.dep...)
	r.lat = append(r.lat[:0], o.lat...)
	r.sw = append(r.sw[:0], o.sw...)
	r.nextReal = append(r.nextReal[:0], o.nextReal...)
	r.edge = append(r.edge[:0], o.edge...)
	r.load = append(r.load[:0], o.load...)
	r.travel, r.soft, r.stab, r.work, r.bal = o.travel, o.soft, o.stab, o.work, o.bal
	r.nJobs, r.nSoft, r.fixed, r.ok = o.nJobs, o.nSoft, o.fixed, o.ok
}

func resizeF(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n, 2*n)
	}
	return s[:n]
}

func resizeI(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, 2*n)
	}
	return s[:n]
}

func isSoft(j *vJob) bool { return j.soft }

// computeSoft tells whether the job's windows allow lateness at a cost.
func computeSoft(j *vJob) bool {
	if j.LateWeight <= 0 {
		return false
	}
	for _, w := range j.Windows {
		if w.HardEnd > w.End {
			return true
		}
	}
	return false
}

// update recomputes every cache of r from its sequence.
func (r *route) update(p *problem) {
	veh := &p.Vehicles[r.v]
	n := p.N
	m := len(r.seq)
	r.loc = resizeI(r.loc, m+2)
	r.nextReal = resizeI(r.nextReal, m+2)
	r.arr = resizeF(r.arr, m+2)
	r.dep = resizeF(r.dep, m+2)
	r.lat = resizeF(r.lat, m+2)
	r.sw = resizeF(r.sw, m+2)
	r.edge = resizeF(r.edge, m+2)
	if len(r.load) != p.Dims {
		r.load = make([]int32, p.Dims)
	}
	clear(r.load)
	r.ok = true
	r.loc[0] = int32(veh.Start)
	r.arr[0] = veh.Shift.Start
	r.dep[0] = veh.Shift.Start
	travel, work, late, stab := 0.0, 0.0, 0.0, 0.0
	nJobs, nSoft := 0, 0
	for k, s := range r.seq {
		q := k + 1
		prev := r.loc[q-1]
		if s >= 0 {
			j := &p.Jobs[s]
			r.loc[q] = int32(j.Loc)
			d := p.Dur[int(prev)*n+j.Loc]
			travel += d
			a := r.dep[q-1] + d
			r.arr[q] = a
			st, w, ok := windowStart(j.Windows, a)
			if !ok {
				r.ok = false
				st = a
			} else if w >= 0 && st > j.Windows[w].End {
				late += (st - j.Windows[w].End) * j.LateWeight
			}
			svc := p.service(int(s), r.v)
			work += svc + d
			r.sw[q] = st - a // the waiting here; summed in the backward pass
			r.dep[q] = st + svc
			for dim, x := range j.Demand {
				r.load[dim] += x
			}
			if j.Prev >= 0 && j.Prev != veh.Group {
				stab += j.StabilityCost
			}
			nJobs++
			if isSoft(j) {
				nSoft++
			}
		} else {
			b := &veh.Breaks[-s-1]
			r.loc[q] = prev
			a := r.dep[q-1]
			r.arr[q] = a
			st := max(a, b.Window.Start)
			if st > b.Window.HardEnd {
				r.ok = false
			}
			r.sw[q] = st - a
			r.dep[q] = st + b.Duration
		}
	}
	e := m + 1
	r.loc[e] = int32(veh.End)
	d := p.Dur[int(r.loc[m])*n+veh.End]
	travel += d
	work += d
	r.arr[e] = r.dep[m] + d
	r.dep[e] = r.arr[e]
	if r.arr[e] > veh.Shift.HardEnd {
		r.ok = false
	}
	ot := 0.0
	if veh.OvertimeWeight > 0 && r.arr[e] > veh.Shift.End {
		ot = (r.arr[e] - veh.Shift.End) * veh.OvertimeWeight
	}
	// Backward pass: latest arrivals, waiting sums, next real stops.
	r.lat[e] = veh.Shift.HardEnd
	r.sw[e] = 0
	r.nextReal[e] = int32(e)
	for q := m; q >= 1; q-- {
		s := r.seq[q-1]
		next := r.loc[q+1]
		var lstart float64
		if s >= 0 {
			j := &p.Jobs[s]
			lstart = r.lat[q+1] - p.Dur[int(r.loc[q])*n+int(next)] - p.service(int(s), r.v)
			r.lat[q] = latestArrival(j.Windows, lstart)
			r.sw[q] += r.sw[q+1]
			r.nextReal[q] = int32(q)
		} else {
			b := &veh.Breaks[-s-1]
			lstart = r.lat[q+1] - p.Dur[int(r.loc[q])*n+int(next)] - b.Duration
			r.lat[q] = min(lstart, b.Window.HardEnd)
			if r.lat[q] < b.Window.Start {
				r.lat[q] = math.Inf(-1)
			}
			r.sw[q] += r.sw[q+1]
			r.nextReal[q] = r.nextReal[q+1]
		}
	}
	r.lat[0] = r.lat[1] - p.Dur[int(r.loc[0])*n+int(r.loc[1])]
	r.sw[0] = r.sw[1]
	r.nextReal[0] = 0
	for q := 0; q <= m; q++ {
		r.edge[q] = p.Dur[int(r.loc[q])*n+int(r.loc[r.nextReal[q+1]])]
	}
	r.travel, r.work, r.soft, r.stab = travel, work, late+ot, stab
	r.nJobs, r.nSoft = nJobs, nSoft
	if nJobs == 0 {
		r.travel, r.work, r.soft = 0, 0, 0
	}
	r.bal = veh.BalanceWeight * r.work * r.work / 3600
}

// simulate returns the soft cost (lateness and overtime) and feasibility of
// r with job j inserted after position at; at < 0 simulates r as it is.
func (r *route) simulate(p *problem, j, at int) (soft float64, ok bool) {
	veh := &p.Vehicles[r.v]
	n := p.N
	t := veh.Shift.Start
	loc := veh.Start
	late := 0.0
	visit := func(s int32) bool {
		if s >= 0 {
			jb := &p.Jobs[s]
			a := t + p.Dur[loc*n+jb.Loc]
			st, w, ok := windowStart(jb.Windows, a)
			if !ok {
				return false
			}
			if w >= 0 && st > jb.Windows[w].End {
				late += (st - jb.Windows[w].End) * jb.LateWeight
			}
			t = st + p.service(int(s), r.v)
			loc = jb.Loc
			return true
		}
		b := &veh.Breaks[-s-1]
		st := max(t, b.Window.Start)
		if st > b.Window.HardEnd {
			return false
		}
		t = st + b.Duration
		return true
	}
	if at == 0 && !visit(int32(j)) {
		return 0, false
	}
	for k, s := range r.seq {
		if !visit(s) {
			return 0, false
		}
		if k+1 == at && !visit(int32(j)) {
			return 0, false
		}
	}
	t += p.Dur[loc*n+veh.End]
	if t > veh.Shift.HardEnd {
		return 0, false
	}
	if veh.OvertimeWeight > 0 && t > veh.Shift.End {
		late += (t - veh.Shift.End) * veh.OvertimeWeight
	}
	return late, true
}
