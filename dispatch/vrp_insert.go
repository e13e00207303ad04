package dispatch

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// errInfeasibleRoutes is returned when given routes break a hard rule.
var errInfeasibleRoutes = errors.New("vrp: routes break a hard rule")

// load replaces the routes with the given sequences (every stop of every
// vehicle, breaks included), checking them.
func (s *solution) load(p *problem, routes [][]int32) error {
	if len(routes) != len(p.Vehicles) {
		return fmt.Errorf("vrp: %d routes for %d vehicles", len(routes), len(p.Vehicles))
	}
	for j := range s.jobRoute {
		s.jobRoute[j] = -1
	}
	for v, seq := range routes {
		veh := &p.Vehicles[v]
		if len(seq) < len(veh.Fixed) {
			return fmt.Errorf("%w: vehicle %d lost a fixed stop", errInfeasibleRoutes, v)
		}
		for k, f := range veh.Fixed {
			if int(seq[k]) != f {
				return fmt.Errorf("%w: vehicle %d: fixed stop %d moved", errInfeasibleRoutes, v, f)
			}
		}
		nb := 0
		for _, x := range seq {
			if x >= 0 {
				if int(x) >= len(p.Jobs) || s.jobRoute[x] >= 0 {
					return fmt.Errorf("%w: job %d unknown or served twice", errInfeasibleRoutes, x)
				}
				s.jobRoute[x] = int32(v)
			} else {
				if int(-x-1) >= len(veh.Breaks) {
					return fmt.Errorf("%w: vehicle %d: unknown break", errInfeasibleRoutes, v)
				}
				nb++
			}
		}
		if nb != len(veh.Breaks) {
			return fmt.Errorf("%w: vehicle %d: %d breaks, want %d", errInfeasibleRoutes, v, nb, len(veh.Breaks))
		}
		s.routes[v].seq = append(s.routes[v].seq[:0], seq...)
		s.routes[v].fixed = len(veh.Fixed)
	}
	clear(s.gJobs)
	clear(s.gWork)
	clear(s.gLoad)
	for v := range s.routes {
		s.routes[v].nJobs, s.routes[v].work = 0, 0
		clear(s.routes[v].load)
		s.refresh(p, v)
	}
	for v := range s.routes {
		if !s.routes[v].ok || !s.routeLimitsHold(p, v) {
			return fmt.Errorf("%w: vehicle %d", errInfeasibleRoutes, v)
		}
		for _, x := range s.routes[v].seq {
			if x >= 0 && !p.eligible(int(x), v) {
				return fmt.Errorf("%w: job %d not eligible for vehicle %d", errInfeasibleRoutes, x, v)
			}
		}
	}
	return nil
}

// routeLimitsHold checks the group limits of vehicle v's group.
func (s *solution) routeLimitsHold(p *problem, v int) bool {
	gi := p.Vehicles[v].Group
	g := &p.Groups[gi]
	if g.MaxJobs > 0 && s.gJobs[gi] > g.MaxJobs {
		return false
	}
	if g.MaxWork > 0 && s.gWork[gi] > g.MaxWork+1e-6 {
		return false
	}
	if g.Capacity != nil {
		for d, x := range s.gLoad[gi*p.Dims : (gi+1)*p.Dims] {
			if x > g.Capacity[d] {
				return false
			}
		}
	}
	return true
}

// setRoute replaces route v by a copy of src, keeping the tallies.
func (s *solution) setRoute(p *problem, v int, src *route) {
	r := &s.routes[v]
	g := p.Vehicles[v].Group
	s.gJobs[g] += src.nJobs - r.nJobs
	s.gWork[g] += src.work - r.work
	gl := s.gLoad[g*p.Dims : (g+1)*p.Dims]
	for d := range gl {
		gl[d] += src.load[d] - r.load[d]
	}
	for _, x := range r.seq {
		if x >= 0 {
			s.jobRoute[x] = -1
		}
	}
	r.copyFrom(src)
	for _, x := range r.seq {
		if x >= 0 {
			s.jobRoute[x] = int32(v)
		}
	}
}

// insertResult tells how insertVRP placed a job.
type insertResult struct {
	Routes  [][]int32
	Vehicle int // where the job went; -1 if nowhere
	// Moved is the job displaced to make room (-1 if none) and MovedTo
	// its new vehicle (-1 if it was left out).
	Moved, MovedTo int
}

// insertVRP places job j into the given routes (every stop of every vehicle)
// disturbing as little as possible: at its cheapest feasible position if
// there is one; otherwise by moving one other job (the move that costs
// least, stability costs included) or, last, by leaving out one lighter
// job. Fixed stops never move. Routes must be feasible.
func insertVRP(p *problem, routes [][]int32, j int) (*insertResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.prepare()
	s := newSolution(p)
	if err := s.load(p, routes); err != nil {
		return nil, err
	}
	if j < 0 || j >= len(p.Jobs) || s.jobRoute[j] >= 0 {
		return nil, fmt.Errorf("vrp: job %d unknown or already routed", j)
	}
	res := &insertResult{Vehicle: -1, Moved: -1, MovedTo: -1}
	defer func() {
		for v := range s.routes {
			res.Routes = append(res.Routes, slices.Clone(s.routes[v].seq))
		}
	}()
	if v, pos := s.cheapest(p, j); v >= 0 {
		s.insertJob(p, j, v, pos)
		res.Vehicle = v
		return res, nil
	}
	if v, k, w, ok := s.makeRoom(p, j, true); ok {
		res.Vehicle, res.Moved, res.MovedTo = v, k, w
	}
	return res, nil
}

// makeRoom places job j by moving one job k of a route v to its cheapest
// place elsewhere (w, or -1 when drop allows leaving a lighter k out),
// choosing the move that leaves the best objective. It reports whether it
// placed j.
func (s *solution) makeRoom(p *problem, j int, drop bool) (v, k, w int, ok bool) {
	type cand struct {
		v, k, w int
		u, c    float64
	}
	best := cand{v: -1, u: math.Inf(1)}
	var saveV, saveW route
	wj := p.Jobs[j].Weight
	for v := range s.routes {
		if !p.eligible(j, v) || s.routes[v].nJobs == 0 {
			continue
		}
		r := &s.routes[v]
		for x := r.fixed; x < len(r.seq); x++ {
			k := int(r.seq[x])
			if k < 0 {
				continue
			}
			saveV.copyFrom(&s.routes[v])
			s.removeJob(k)
			s.refresh(p, v)
			if s.routeAccepts(p, j, v) {
				if pos, _ := s.bestIn(p, j, v, math.Inf(1), nil); pos >= 0 {
					s.insertJob(p, j, v, pos)
					w, wpos := s.cheapest(p, k)
					if w >= 0 {
						saveW.copyFrom(&s.routes[w])
						s.insertJob(p, k, w, wpos)
					}
					if w >= 0 || (drop && p.Jobs[k].Weight < wj) {
						u, c := s.objective(p)
						if u < best.u || (u == best.u && c < best.c) {
							best = cand{v: v, k: k, w: w, u: u, c: c}
						}
					}
					if w >= 0 && w != v {
						s.setRoute(p, w, &saveW)
					}
				}
			}
			s.setRoute(p, v, &saveV)
			s.jobRoute[k] = int32(v)
			s.jobRoute[j] = -1
		}
	}
	if best.v < 0 {
		return -1, -1, -1, false
	}
	s.removeJob(best.k)
	s.refresh(p, best.v)
	pos, _ := s.bestIn(p, j, best.v, math.Inf(1), nil)
	s.insertJob(p, j, best.v, pos)
	if best.w >= 0 {
		w, wpos := s.cheapest(p, best.k)
		s.insertJob(p, best.k, w, wpos)
		best.w = w
	}
	return best.v, best.k, best.w, true
}

// cheapest returns the vehicle and position where job j costs least, or -1.
func (s *solution) cheapest(p *problem, j int) (int, int) {
	bv, bp, bd := -1, -1, math.Inf(1)
	for v := range s.routes {
		if !s.routeAccepts(p, j, v) {
			continue
		}
		if q, d := s.bestIn(p, j, v, bd, nil); q >= 0 && d < bd {
			bv, bp, bd = v, q, d
		}
	}
	return bv, bp
}
