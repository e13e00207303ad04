package dispatch

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// rng is a small deterministic generator (SplitMix64): the search must
// replay exactly for a seed.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// params tunes the search. The zero value means the defaults below.
type params struct {
	AvgRemoved int     // ĉ: customers removed per ruin on average. Defaults to 10.
	MaxString  int     // Lmax: longest string removed. Defaults to 10.
	Blink      float64 // probability of skipping a position. Defaults to 0.01.
	T0, Tf     float64 // start and final temperatures, as fractions of the mean edge cost. Default 3 and 0.03.
	// FillPhase is the share of the budget spent first on assigning more
	// (when jobs are left out), before the annealing on cost. Defaults to
	// 0.5; the phase ends early when the weight left out stops falling.
	FillPhase float64
	// Extra is how many jobs left out get another chance per step.
	// Defaults to 10.
	Extra int
}

func (pr params) withDefaults() params {
	if pr.AvgRemoved <= 0 {
		pr.AvgRemoved = 10
	}
	if pr.MaxString <= 0 {
		pr.MaxString = 10
	}
	if pr.Blink == 0 {
		pr.Blink = 0.01
	}
	if pr.T0 <= 0 {
		pr.T0 = 3
	}
	if pr.Tf <= 0 {
		pr.Tf = 0.03
	}
	if pr.Extra <= 0 {
		pr.Extra = 10
	}
	if pr.FillPhase == 0 {
		pr.FillPhase = 0.5
	}
	return pr
}

// solveOptions controls one solve.
type solveOptions struct {
	Seed uint64
	// Iterations is the annealing budget when Budget is nil.
	Iterations int
	// Budget, if set, is polled every few iterations with the iteration
	// count; it returns the fraction of the budget spent (which drives the
	// temperature) and whether to stop now.
	Budget func(iter int) (spent float64, stop bool)
	// Initial routes, per vehicle, as job sequences after the fixed jobs
	// (breaks are placed by the solver). Jobs that do not fit are left out.
	Initial [][]int
	// Routes, if set, are exact starting routes (every stop of every
	// vehicle, breaks included); if they break a rule, solveVRP falls back to
	// seeding their jobs as Initial.
	Routes [][]int32
	// OnBest is called when a better solution is found.
	OnBest func(iter int, unassigned, cost float64)
	Params params
}

// solveResult is the best solution found.
type solveResult struct {
	Routes           [][]int32 // per vehicle: job indices, breaks as -(b+1)
	Unassigned       []int
	UnassignedWeight float64
	Cost             float64
	Iterations       int
}

type solver struct {
	p     *problem
	prm   params
	rng   rng
	adj   [][]int32 // jobs by closeness
	class []int     // vehicles with equal class are interchangeable when empty
	// scratch
	removed []int32
	order   []int32
	ruined  []bool
	touched []int
	seenCls []bool
	pool    []int32 // assignable jobs
	keys    []float64
	absence []float64
	seedJob int32
	filling bool
	blink   *blinker
}

// absent sums the absence counts of the jobs s leaves out.
func (sv *solver) absent(s *solution) float64 {
	a := 0.0
	for _, j := range sv.pool {
		if s.jobRoute[j] < 0 {
			a += sv.absence[j]
		}
	}
	return a
}

// solveVRP builds a plan by regret insertion and improves it by slack-induced
// string removals and greedy reinsertion with blinks, under simulated
// annealing. It never returns a route that breaks a hard constraint.
func solveVRP(p *problem, opt solveOptions) (*solveResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.prepare()
	sv := newSolver(p, opt)
	cur := newSolution(p)
	for v := range p.Vehicles {
		if !cur.routes[v].ok {
			return nil, fmt.Errorf("vrp: vehicle %d: fixed stops or breaks do not fit its shift", v)
		}
	}
	if opt.Routes != nil {
		if err := cur.load(p, opt.Routes); err != nil {
			cur = newSolution(p)
			opt.Initial = make([][]int, len(opt.Routes))
			for v, seq := range opt.Routes {
				for _, x := range seq {
					if x >= 0 {
						opt.Initial[v] = append(opt.Initial[v], int(x))
					}
				}
			}
		}
	}
	if opt.Initial != nil {
		sv.seed(cur, opt.Initial)
	}
	// Two constructions, the better kept: regret insertion over all routes,
	// and routes filled one at a time before regret places the rest.
	alt := newSolution(p)
	alt.copyFrom(cur)
	sv.regret(cur)
	sv.sequential(alt)
	sv.regret(alt)
	if au, ac := alt.objective(p); func() bool { u, c := cur.objective(p); return au < u || (au == u && ac < c) }() {
		cur = alt
	}
	sv.fill(cur)
	best := newSolution(p)
	best.copyFrom(cur)
	bu, bc := cur.objective(p)
	if opt.OnBest != nil {
		opt.OnBest(0, bu, bc)
	}
	iters := sv.anneal(cur, best, &bu, &bc, opt)
	if bu > 0 {
		// A last chance for the jobs left out: the annealing may have
		// opened room that only a move of one job can use.
		sv.fill(best)
		bu, bc = best.objective(p)
	}
	res := &solveResult{Iterations: iters, UnassignedWeight: bu, Cost: bc}
	for v := range best.routes {
		res.Routes = append(res.Routes, slices.Clone(best.routes[v].seq))
	}
	for j, r := range best.jobRoute {
		if r < 0 {
			res.Unassigned = append(res.Unassigned, j)
		}
	}
	return res, nil
}

func newSolver(p *problem, opt solveOptions) *solver {
	sv := &solver{p: p, prm: opt.Params.withDefaults(), rng: rng{s: opt.Seed}}
	sv.ruined = make([]bool, len(p.Vehicles))
	sv.absence = make([]float64, len(p.Jobs))
	if sv.prm.Blink > 0 {
		sv.blink = newBlinker(&sv.rng, sv.prm.Blink)
	}
	sv.seenCls = make([]bool, len(p.Vehicles))
	sv.classify()
	fixed := make([]bool, len(p.Jobs))
	for _, v := range p.Vehicles {
		for _, f := range v.Fixed {
			fixed[f] = true
		}
	}
	for j := range p.Jobs {
		if fixed[j] {
			continue
		}
		for v := range p.Vehicles {
			if p.eligible(j, v) {
				sv.pool = append(sv.pool, int32(j))
				break
			}
		}
	}
	sv.buildAdjacency()
	return sv
}

// classify groups vehicles that are interchangeable while empty: an
// insertion into one empty vehicle of a class stands for all of them.
func (sv *solver) classify() {
	p := sv.p
	sv.class = make([]int, len(p.Vehicles))
	groupSize := make([]int, len(p.Groups))
	for _, v := range p.Vehicles {
		groupSize[v.Group]++
	}
	same := func(a, b int) bool {
		va, vb := &p.Vehicles[a], &p.Vehicles[b]
		if va.Start != vb.Start || va.End != vb.End || va.Shift != vb.Shift || va.OvertimeWeight != vb.OvertimeWeight ||
			!slices.Equal(p.Groups[va.Group].Capacity, p.Groups[vb.Group].Capacity) || !slices.Equal(va.Breaks, vb.Breaks) ||
			len(va.Fixed) > 0 || len(vb.Fixed) > 0 || groupSize[va.Group] > 1 || groupSize[vb.Group] > 1 ||
			p.Groups[va.Group].MaxJobs != p.Groups[vb.Group].MaxJobs || p.Groups[va.Group].MaxWork != p.Groups[vb.Group].MaxWork {
			return false
		}
		for j := range p.Jobs {
			if p.eligible(j, a) != p.eligible(j, b) || p.service(j, a) != p.service(j, b) {
				return false
			}
		}
		return true
	}
	var reps []int
	for v := range p.Vehicles {
		sv.class[v] = v
		for _, r := range reps {
			if same(r, v) {
				sv.class[v] = r
				break
			}
		}
		if sv.class[v] == v {
			reps = append(reps, v)
		}
	}
}

const maxNeighbours = 100

func (sv *solver) buildAdjacency() {
	p := sv.p
	n := len(p.Jobs)
	k := min(n-1, maxNeighbours)
	sv.adj = make([][]int32, n)
	if k <= 0 {
		return
	}
	type nd struct {
		j int32
		d float64
	}
	buf := make([]nd, 0, n)
	for i := range p.Jobs {
		buf = buf[:0]
		li := p.Jobs[i].Loc
		for j := range p.Jobs {
			if j != i {
				lj := p.Jobs[j].Loc
				buf = append(buf, nd{int32(j), p.Dur[li*p.N+lj] + p.Dur[lj*p.N+li]})
			}
		}
		slices.SortFunc(buf, func(a, b nd) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.j, b.j)) })
		adj := make([]int32, k)
		for x := range k {
			adj[x] = buf[x].j
		}
		sv.adj[i] = adj
	}
}

// seed places the caller's initial routes, skipping stops that no longer fit.
func (sv *solver) seed(s *solution, initial [][]int) {
	p := sv.p
	for v, jobs := range initial {
		if v >= len(p.Vehicles) {
			break
		}
		for _, j := range jobs {
			if j < 0 || j >= len(p.Jobs) || s.jobRoute[j] >= 0 || !s.routeAccepts(p, j, v) {
				continue
			}
			s.appendJob(p, j, v)
		}
	}
}

// appendJob puts job j after the last job of route v, before or after the
// breaks that follow it, and reports whether it fit.
func (s *solution) appendJob(p *problem, j, v int) bool {
	if !s.routeAccepts(p, j, v) {
		return false
	}
	r := &s.routes[v]
	after := r.fixed
	for k := len(r.seq) - 1; k >= r.fixed; k-- {
		if r.seq[k] >= 0 {
			after = k + 1
			break
		}
	}
	for q := len(r.seq); q >= after; q-- {
		if _, ok := r.simulate(p, j, q); !ok {
			continue
		}
		s.insertJob(p, j, v, q)
		g := p.Vehicles[v].Group
		if mw := p.Groups[g].MaxWork; mw > 0 && s.gWork[g] > mw {
			s.removeJob(j)
			s.refresh(p, v)
			return false
		}
		return true
	}
	return false
}

// sequential fills the empty routes one at a time: each starts with the
// job whose window closes first, then takes the cheapest job that fits
// (heavier jobs first) until none does.
func (sv *solver) sequential(s *solution) {
	p := sv.p
	var pending []int32
	for _, j := range sv.pool {
		if s.jobRoute[j] < 0 {
			pending = append(pending, j)
		}
	}
	for v := range s.routes {
		if s.routes[v].nJobs > 0 {
			continue
		}
		// Seed: the earliest closing window among the jobs that fit.
		seed, seedEnd := -1, math.Inf(1)
		for i, j := range pending {
			if !s.routeAccepts(p, int(j), v) {
				continue
			}
			if q, _ := s.bestIn(p, int(j), v, math.Inf(1), nil); q >= 0 {
				if e := lastHardEnd(p.Jobs[j].Windows); e < seedEnd || seed < 0 {
					seed, seedEnd = i, e
				}
			}
		}
		if seed < 0 {
			continue
		}
		for seed >= 0 {
			j := int(pending[seed])
			q, _ := s.bestIn(p, j, v, math.Inf(1), nil)
			s.insertJob(p, j, v, q)
			pending = append(pending[:seed], pending[seed+1:]...)
			seed = -1
			bw, bd := math.Inf(-1), math.Inf(1)
			for i, j := range pending {
				w := p.Jobs[j].Weight
				if w < bw || !s.routeAccepts(p, int(j), v) {
					continue
				}
				if q, d := s.bestIn(p, int(j), v, math.Inf(1), nil); q >= 0 && (w > bw || d < bd) {
					seed, bw, bd = i, w, d
				}
			}
		}
	}
}

// fill tries to place each job left out, heaviest first, directly or by
// moving one routed job elsewhere.
func (sv *solver) fill(s *solution) {
	p := sv.p
	if len(sv.pool) > fillLimit {
		return // O(n²) per job: for the small and medium instances only
	}
	order := sv.order[:0]
	for _, j := range sv.pool {
		if s.jobRoute[j] < 0 {
			order = append(order, j)
		}
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(p.Jobs[b].Weight, p.Jobs[a].Weight) })
	for _, j := range order {
		if v, q := s.cheapest(p, int(j)); v >= 0 {
			s.insertJob(p, int(j), v, q)
			continue
		}
		s.makeRoom(p, int(j), false)
	}
	sv.order = order[:0]
}

// fillLimit bounds the instances fill runs on.
const fillLimit = 200

// regret inserts every unassigned job of the pool, hardest first: the job
// whose best and second-best routes differ the most, higher weights before
// any regret.
func (sv *solver) regret(s *solution) {
	p := sv.p
	nv := len(p.Vehicles)
	var pending []int32
	for _, j := range sv.pool {
		if s.jobRoute[j] < 0 {
			pending = append(pending, j)
		}
	}
	if len(pending) == 0 {
		return
	}
	cost := make([]float64, len(pending)*nv)
	posn := make([]int32, len(pending)*nv)
	eval := func(i, v int) {
		j := int(pending[i])
		c, q := math.Inf(1), -1
		if s.routeAccepts(p, j, v) {
			q, c = s.bestIn(p, j, v, math.Inf(1), nil)
		}
		cost[i*nv+v], posn[i*nv+v] = c, int32(q)
	}
	for i := range pending {
		for v := range nv {
			eval(i, v)
		}
	}
	for len(pending) > 0 {
		bi, bv := -1, -1
		bw, br := math.Inf(-1), math.Inf(-1)
		for i, j := range pending {
			c1, c2, v1 := math.Inf(1), math.Inf(1), -1
			clear(sv.seenCls)
			for v := range nv {
				if s.routes[v].nJobs == 0 {
					if sv.seenCls[sv.class[v]] {
						continue
					}
					sv.seenCls[sv.class[v]] = true
				}
				c := cost[i*nv+v]
				if c < c1 {
					c2, c1, v1 = c1, c, v
				} else if c < c2 {
					c2 = c
				}
			}
			if v1 < 0 {
				continue
			}
			w := p.Jobs[j].Weight
			reg := c2 - c1
			if w > bw || (w == bw && reg > br) {
				bi, bv, bw, br = i, v1, w, reg
			}
		}
		if bi < 0 {
			return // nothing else fits
		}
		j := int(pending[bi])
		s.insertJob(p, j, bv, int(posn[bi*nv+bv]))
		last := len(pending) - 1
		pending[bi] = pending[last]
		copy(cost[bi*nv:bi*nv+nv], cost[last*nv:last*nv+nv])
		copy(posn[bi*nv:bi*nv+nv], posn[last*nv:last*nv+nv])
		pending = pending[:last]
		g := p.Vehicles[bv].Group
		for v := range nv {
			if v == bv || p.Vehicles[v].Group == g {
				for i := range pending {
					eval(i, v)
				}
			}
		}
	}
}

// anneal runs the ruin-and-recreate search from cur, keeping best.
func (sv *solver) anneal(cur, best *solution, bu, bc *float64, opt solveOptions) int {
	p := sv.p
	if len(sv.pool) == 0 {
		return 0
	}
	work := newSolution(p)
	work.copyFrom(cur)
	cu, cc := cur.objective(p)
	// Temperatures scale with the mean edge of the first plan.
	edges := 0
	for v := range cur.routes {
		if cur.routes[v].nJobs > 0 {
			edges += cur.routes[v].nJobs + 1
		}
	}
	scale := 1.0
	if edges > 0 && cc > 0 {
		scale = cc / float64(edges)
	}
	t0, tf := sv.prm.T0*scale, sv.prm.Tf*scale
	spent := 0.0
	iter := 0
	// The fill phase ends early when the weight left out stops falling.
	const fillPatience = 5000
	filling, lastFill := true, 0
	for {
		if opt.Budget != nil {
			if iter%16 == 0 {
				var stop bool
				spent, stop = opt.Budget(iter)
				if stop {
					break
				}
			}
		} else {
			if iter >= opt.Iterations {
				break
			}
			spent = float64(iter) / float64(opt.Iterations)
		}
		iter++
		if filling && (cu == 0 || spent >= sv.prm.FillPhase || iter-lastFill > fillPatience) {
			filling = false
			if cu > 0 {
				sv.fill(cur)
				work.copyFrom(cur)
				cu, cc = cur.objective(p)
				if cu < *bu || (cu == *bu && cc < *bc) {
					best.copyFrom(cur)
					*bu, *bc = cu, cc
					if opt.OnBest != nil {
						opt.OnBest(iter, cu, cc)
					}
				}
			}
		}
		sv.filling = filling
		temp := t0 * math.Pow(tf/t0, min(spent, 1))
		sv.touched = sv.touched[:0]
		sv.ruin(work)
		sv.recreate(work)
		wu, wc := work.objective(p)
		var accept bool
		if filling {
			// Fill phase: more weight assigned, or the same with the
			// jobs left out less often so far (SISR's absence rule).
			for j, r := range cur.jobRoute {
				if r < 0 {
					sv.absence[j]++
				}
			}
			accept = wu < cu || (wu == cu && sv.absent(work) < sv.absent(cur))
			if wu < cu {
				lastFill = iter
			}
		} else {
			accept = wu < cu || (wu == cu && wc < cc-temp*math.Log(sv.rng.float()))
		}
		if accept {
			for _, v := range sv.touched {
				cur.routes[v].copyFrom(&work.routes[v])
			}
			copy(cur.jobRoute, work.jobRoute)
			copy(cur.gJobs, work.gJobs)
			copy(cur.gWork, work.gWork)
			copy(cur.gLoad, work.gLoad)
			cu, cc = wu, wc
			if wu < *bu || (wu == *bu && wc < *bc-1e-9) {
				best.copyFrom(cur)
				*bu, *bc = wu, wc
				if opt.OnBest != nil {
					opt.OnBest(iter, wu, wc)
				}
			}
		} else {
			for _, v := range sv.touched {
				work.routes[v].copyFrom(&cur.routes[v])
			}
			copy(work.jobRoute, cur.jobRoute)
			copy(work.gJobs, cur.gJobs)
			copy(work.gWork, cur.gWork)
			copy(work.gLoad, cur.gLoad)
		}
	}
	return iter
}

func (sv *solver) touch(v int) {
	if !slices.Contains(sv.touched, v) {
		sv.touched = append(sv.touched, v)
	}
}

// ruin removes strings of consecutive jobs from routes near a random seed
// job (Christiaens and Vanden Berghe's adjacent string removal).
func (sv *solver) ruin(s *solution) {
	p := sv.p
	sv.removed = sv.removed[:0]
	// Average removable route length.
	tot, used := 0, 0
	for v := range s.routes {
		if r := &s.routes[v]; r.nJobs > r.fixed {
			tot += r.nJobs - r.fixed
			used++
		}
	}
	if used == 0 {
		return
	}
	lsMax := min(float64(sv.prm.MaxString), float64(tot)/float64(used))
	ksMax := 4*float64(sv.prm.AvgRemoved)/(1+lsMax) - 1
	ks := int(sv.rng.float()*ksMax) + 1
	seed := sv.pool[sv.rng.intn(len(sv.pool))]
	if sv.rng.intn(2) == 0 {
		// Half the time, ruin around a job left out, to make room for it.
		n := len(sv.pool)
		off := sv.rng.intn(n)
		for k := range n {
			if j := sv.pool[(off+k)%n]; s.jobRoute[j] < 0 {
				seed = j
				break
			}
		}
	}
	sv.seedJob = seed
	clear(sv.ruined)
	done := 0
	try := func(c int32) {
		v := int(s.jobRoute[c])
		if v < 0 || sv.ruined[v] {
			return
		}
		r := &s.routes[v]
		// Removable stops: jobs after the fixed prefix.
		var idx [256]int32
		list := idx[:0]
		ci := -1
		for k := r.fixed; k < len(r.seq); k++ {
			if r.seq[k] >= 0 {
				if r.seq[k] == c {
					ci = len(list)
				}
				if len(list) < len(idx) {
					list = append(list, int32(k))
				}
			}
		}
		if ci < 0 {
			return
		}
		sv.ruined[v] = true
		done++
		L := len(list)
		lmax := min(float64(L), lsMax)
		l := int(sv.rng.float()*lmax) + 1
		l = min(l, L)
		keep, m := 0, 0
		if l < L && sv.rng.float() < 0.5 {
			// Split string: keep m stops in the middle of a string of l+m.
			m = 1
			for l+m < L && sv.rng.float() > 0.01 {
				m++
			}
			keep = m
		}
		span := l + keep
		lo := max(0, ci-span+1)
		hi := min(ci, L-span)
		start := lo + sv.rng.intn(hi-lo+1)
		keepAt := -1
		if keep > 0 {
			keepAt = start + sv.rng.intn(l+1)
		}
		for x := start; x < start+span; x++ {
			if keep > 0 && x >= keepAt && x < keepAt+keep {
				continue
			}
			sv.removed = append(sv.removed, r.seq[list[x]])
		}
		sv.touch(v)
	}
	try(seed)
	for _, c := range sv.adj[seed] {
		if done >= ks {
			break
		}
		try(c)
	}
	if s.jobRoute[seed] < 0 {
		// Room near a job left out may be paid for by leaving out
		// another one far away: open a string at a random job too.
		try(sv.pool[sv.rng.intn(len(sv.pool))])
	}
	for _, j := range sv.removed {
		s.removeJob(int(j))
	}
	for _, v := range sv.touched {
		s.refresh(p, v)
	}
}

// recreate reinserts the removed jobs and a few unassigned ones, each at its
// cheapest position (with blinks), in an order drawn at random among
// random, largest demand, farthest and closest first; heavier jobs first.
func (sv *solver) recreate(s *solution) {
	p := sv.p
	sv.order = append(sv.order[:0], sv.removed...)
	if s.jobRoute[sv.seedJob] < 0 && !slices.Contains(sv.order, sv.seedJob) {
		sv.order = append(sv.order, sv.seedJob)
	}
	// A few unassigned jobs get another chance.
	extra := 0
	if n := len(sv.pool); n > 0 {
		off := sv.rng.intn(n)
		for k := 0; k < n && extra < sv.prm.Extra; k++ {
			j := sv.pool[(off+k)%n]
			if s.jobRoute[j] < 0 && !slices.Contains(sv.order, j) {
				sv.order = append(sv.order, j)
				extra++
			}
		}
	}
	sv.sortOrder()
	for _, j := range sv.order {
		bv, bp, bd := -1, -1, math.Inf(1)
		clear(sv.seenCls)
		for v := range s.routes {
			if s.routes[v].nJobs == 0 {
				if sv.seenCls[sv.class[v]] {
					continue
				}
				sv.seenCls[sv.class[v]] = true
			}
			if !s.routeAccepts(p, int(j), v) {
				continue
			}
			if q, d := s.bestIn(p, int(j), v, bd, sv.blink); q >= 0 && d < bd {
				bv, bp, bd = v, q, d
			}
		}
		if bv >= 0 {
			s.insertJob(p, int(j), bv, bp)
			sv.touch(bv)
		}
	}
}

func (sv *solver) sortOrder() {
	p := sv.p
	o := sv.order
	// Shuffle first: ties and the random order.
	for i := len(o) - 1; i > 0; i-- {
		k := sv.rng.intn(i + 1)
		o[i], o[k] = o[k], o[i]
	}
	sv.keys = resizeF(sv.keys, len(p.Jobs))
	depot := p.Vehicles[0].Start
	random := false
	switch x := sv.rng.intn(11); {
	case x < 4: // random
		random = true
		for _, j := range o {
			sv.keys[j] = 0
		}
	case x < 8: // largest demand
		for _, j := range o {
			d := int32(0)
			for _, a := range p.Jobs[j].Demand {
				d += a
			}
			sv.keys[j] = -float64(d)
			if sv.filling {
				// Smallest first while the aim is to fit more jobs.
				sv.keys[j] = float64(d)
			}
		}
	case x < 10: // farthest
		for _, j := range o {
			sv.keys[j] = -p.Dur[depot*p.N+p.Jobs[j].Loc]
		}
	default: // closest
		for _, j := range o {
			sv.keys[j] = p.Dur[depot*p.N+p.Jobs[j].Loc]
		}
	}
	sameWeight := true
	for _, j := range o {
		sameWeight = sameWeight && p.Jobs[j].Weight == p.Jobs[o[0]].Weight
	}
	if sameWeight && random {
		return
	}
	// Insertion sort, stable: heavier first, then by key. The lists are
	// short (a ruin's worth of jobs).
	before := func(a, b int32) bool {
		wa, wb := p.Jobs[a].Weight, p.Jobs[b].Weight
		return wa > wb || (wa == wb && sv.keys[a] < sv.keys[b])
	}
	for i := 1; i < len(o); i++ {
		x := o[i]
		k := i
		for ; k > 0 && before(x, o[k-1]); k-- {
			o[k] = o[k-1]
		}
		o[k] = x
	}
}
