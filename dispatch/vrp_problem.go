package dispatch

// The numeric core of the optimizer: a rich vehicle routing problem with
// time windows (several per job, hard or soft), breaks, multidimensional
// capacity, eligibility, per-vehicle service times, locked route prefixes
// and per-group limits, solved by regret construction and slack-induced
// string removals (SISR) with simulated annealing. Times and costs are
// float64 seconds from the snapshot's Now. compile.go builds a problem from
// a Snapshot.

import (
	"errors"
	"fmt"
	"math"
)

// inf is the end of an open window.
var inf = math.Inf(1)

// vWindow is an interval for the start of service. Lateness after End costs
// the job's LateWeight per second; the start may never pass HardEnd
// (HardEnd == End for a hard window).
type vWindow struct {
	Start, End, HardEnd float64
}

// vJob is one stop to serve.
type vJob struct {
	Loc       int       // index into the matrix
	Service   float64   // service duration
	ServiceBy []float64 // per vehicle service durations; nil means Service for all
	Windows   []vWindow // sorted, disjoint; empty means always open
	// LateWeight is the cost of one second of lateness past a window's End.
	LateWeight float64
	Demand     []int32 // per capacity dimension; nil means zero
	// Weight is what leaving the job unassigned costs, compared before any
	// routing cost (lexicographic level 1).
	Weight float64
	// Eligible lists the vehicles allowed to serve the job; nil means all.
	Eligible []bool
	// Prev is the group (technician) that served the job in the plan being
	// repaired (-1 if none); serving it in another group costs
	// StabilityCost.
	Prev          int
	StabilityCost float64

	soft bool // set by prepare
}

// vBreak is a rest a vehicle must take during its route, at the location of
// the stop before it.
type vBreak struct {
	Window   vWindow
	Duration float64
}

// vVehicle is one route to build: a technician's shift.
type vVehicle struct {
	Start, End int // matrix indices; use problem.Nowhere for an open end
	// Shift bounds the departure from Start and the arrival at End.
	// Arrival after Shift.End costs OvertimeWeight per second; it may never
	// pass Shift.HardEnd.
	Shift          vWindow
	OvertimeWeight float64
	// BalanceWeight charges the route's work (service plus travel)
	// squared, per hour: it evens the load between technicians.
	BalanceWeight float64
	Breaks        []vBreak
	Group         int // vehicles of one technician share the group limits
	// Fixed lists the jobs that start the route, in order, and never move.
	Fixed []int
}

// vGroup holds limits shared by the vehicles (shifts) of one technician.
type vGroup struct {
	MaxJobs  int     // 0 means no limit
	MaxWork  float64 // service plus travel; 0 means no limit
	Capacity []int32 // per dimension; nil means unlimited
}

// problem is a complete instance.
type problem struct {
	N        int       // matrix size, including Nowhere
	Nowhere  int       // a location at zero travel from everywhere
	Dur      []float64 // N×N travel durations, row-major: Dur[from*N+to]
	Dims     int       // capacity dimensions
	Jobs     []vJob
	Vehicles []vVehicle
	Groups   []vGroup

	durT []float64 // transposed durations
}

// Validate checks the problem's shape; solveVRP calls it.
func (p *problem) Validate() error {
	if p.N <= 0 || len(p.Dur) != p.N*p.N {
		return errors.New("vrp: matrix is not N×N")
	}
	if p.Nowhere < 0 || p.Nowhere >= p.N {
		return errors.New("vrp: Nowhere outside the matrix")
	}
	for i, j := range p.Jobs {
		if j.Loc < 0 || j.Loc >= p.N {
			return fmt.Errorf("vrp: job %d: location %d outside the matrix", i, j.Loc)
		}
		if j.Demand != nil && len(j.Demand) != p.Dims {
			return fmt.Errorf("vrp: job %d: demand has %d dimensions, want %d", i, len(j.Demand), p.Dims)
		}
		if j.ServiceBy != nil && len(j.ServiceBy) != len(p.Vehicles) {
			return fmt.Errorf("vrp: job %d: ServiceBy has %d entries, want %d", i, len(j.ServiceBy), len(p.Vehicles))
		}
		if j.Eligible != nil && len(j.Eligible) != len(p.Vehicles) {
			return fmt.Errorf("vrp: job %d: Eligible has %d entries, want %d", i, len(j.Eligible), len(p.Vehicles))
		}
	}
	for i, g := range p.Groups {
		if g.Capacity != nil && len(g.Capacity) != p.Dims {
			return fmt.Errorf("vrp: group %d: capacity has %d dimensions, want %d", i, len(g.Capacity), p.Dims)
		}
	}
	seen := make(map[int]bool)
	for i, v := range p.Vehicles {
		if v.Start < 0 || v.Start >= p.N || v.End < 0 || v.End >= p.N {
			return fmt.Errorf("vrp: vehicle %d: location outside the matrix", i)
		}
		if v.Group < 0 || v.Group >= len(p.Groups) {
			return fmt.Errorf("vrp: vehicle %d: group %d out of range", i, v.Group)
		}
		for _, f := range v.Fixed {
			if f < 0 || f >= len(p.Jobs) || seen[f] {
				return fmt.Errorf("vrp: vehicle %d: fixed job %d invalid or fixed twice", i, f)
			}
			seen[f] = true
		}
	}
	return nil
}

func (p *problem) prepare() {
	for j := range p.Jobs {
		p.Jobs[j].soft = computeSoft(&p.Jobs[j])
	}
	if len(p.durT) == len(p.Dur) {
		return
	}
	n := p.N
	p.durT = make([]float64, n*n)
	for i := range n {
		for j := range n {
			p.durT[j*n+i] = p.Dur[i*n+j]
		}
	}
}

func (p *problem) service(j, v int) float64 {
	if sb := p.Jobs[j].ServiceBy; sb != nil {
		return sb[v]
	}
	return p.Jobs[j].Service
}

func (p *problem) eligible(j, v int) bool {
	e := p.Jobs[j].Eligible
	return e == nil || e[v]
}

// windowStart returns the earliest service start at or after arrival t and
// the window used, or ok == false if every window has closed.
func windowStart(ws []vWindow, t float64) (start float64, w int, ok bool) {
	for i := range ws {
		if t <= ws[i].HardEnd {
			return max(t, ws[i].Start), i, true
		}
	}
	if len(ws) == 0 {
		return t, -1, true
	}
	return 0, 0, false
}

// latestArrival returns the latest arrival such that service can start by
// the window rules and no later than latestStart, or -Inf.
func latestArrival(ws []vWindow, latestStart float64) float64 {
	if len(ws) == 0 {
		return latestStart
	}
	best := math.Inf(-1)
	for i := range ws {
		if l := min(ws[i].HardEnd, latestStart); l >= ws[i].Start {
			best = l
		}
	}
	return best
}

func lastHardEnd(ws []vWindow) float64 {
	if len(ws) == 0 {
		return inf
	}
	return ws[len(ws)-1].HardEnd
}

// Refresh updates the search's copy of row and column i of the matrix after
// the caller changed them (a job added in a spare slot).
func (p *problem) Refresh(i int) {
	if len(p.durT) != len(p.Dur) {
		return
	}
	n := p.N
	for k := range n {
		p.durT[k*n+i] = p.Dur[i*n+k]
		p.durT[i*n+k] = p.Dur[k*n+i]
	}
}

// visit is the schedule of one stop.
type visit struct {
	Arrival, Start, Depart float64
	Late                   float64 // seconds past the window's soft end
}

// Schedule times route seq of vehicle v, starting each service as early as
// possible. It returns the visits, the arrival at the end and whether every
// hard rule holds.
func (p *problem) Schedule(v int, seq []int32) (visits []visit, end float64, ok bool) {
	veh := &p.Vehicles[v]
	n := p.N
	t := veh.Shift.Start
	loc := veh.Start
	ok = true
	for _, s := range seq {
		var vis visit
		if s >= 0 {
			j := &p.Jobs[s]
			vis.Arrival = t + p.Dur[loc*n+j.Loc]
			st, w, fits := windowStart(j.Windows, vis.Arrival)
			if !fits {
				ok = false
				st = vis.Arrival
			} else if w >= 0 && st > j.Windows[w].End {
				vis.Late = st - j.Windows[w].End
			}
			vis.Start = st
			vis.Depart = st + p.service(int(s), v)
			loc = j.Loc
		} else {
			b := &veh.Breaks[-s-1]
			vis.Arrival = t
			vis.Start = max(t, b.Window.Start)
			if vis.Start > b.Window.HardEnd {
				ok = false
			}
			vis.Depart = vis.Start + b.Duration
		}
		t = vis.Depart
		visits = append(visits, vis)
	}
	end = t + p.Dur[loc*n+veh.End]
	if end > veh.Shift.HardEnd {
		ok = false
	}
	return visits, end, ok
}
