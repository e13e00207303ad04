package dispatch

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// VROOMInput is a problem in the documented JSON of the open-source VROOM
// solver (its docs/API.md, v1.14), so that teams feeding VROOM can switch
// by swapping a binary and so that both can be measured on identical
// inputs. Snapshot translates it; Solution writes a plan back as VROOM's
// output.
//
// Supported: vehicles with id, start_index, end_index, capacity, skills,
// time_window, breaks (the first time window of each), max_tasks; jobs with
// id, location_index, service, setup (added to the service), delivery,
// pickup (counted against capacity with delivery), skills, priority,
// time_windows; a custom matrices.car.durations matrix (or the legacy
// matrix key). The objective is VROOM's: the priority sum of assigned jobs,
// then their count, then the cost, which is the total travel duration.
// Coordinates, shipments, speed factors and custom costs are not supported.
//
// Relative and absolute (timestamp) times both work: times are seconds from
// 0, and arrivals come back the same way.
type VROOMInput struct {
	Vehicles []VROOMVehicle           `json:"vehicles"`
	Jobs     []VROOMJob               `json:"jobs"`
	Matrices map[string]VROOMMatrices `json:"matrices,omitempty"`
	Matrix   [][]int64                `json:"matrix,omitempty"`
	// Shipments are refused: pickup-and-delivery pairs are not modelled.
	Shipments []any `json:"shipments,omitempty"`
}

// VROOMMatrices holds one profile's custom matrices.
type VROOMMatrices struct {
	Durations [][]int64 `json:"durations"`
}

// VROOMVehicle is a VROOM vehicle.
type VROOMVehicle struct {
	ID         int64        `json:"id"`
	StartIndex *int         `json:"start_index,omitempty"`
	EndIndex   *int         `json:"end_index,omitempty"`
	Capacity   []int64      `json:"capacity,omitempty"`
	Skills     []int64      `json:"skills,omitempty"`
	TimeWindow []int64      `json:"time_window,omitempty"`
	Breaks     []VROOMBreak `json:"breaks,omitempty"`
	MaxTasks   int          `json:"max_tasks,omitempty"`
}

// VROOMBreak is a VROOM vehicle break.
type VROOMBreak struct {
	ID          int64     `json:"id"`
	TimeWindows [][]int64 `json:"time_windows,omitempty"`
	Service     int64     `json:"service,omitempty"`
}

// VROOMJob is a VROOM job.
type VROOMJob struct {
	ID            int64     `json:"id"`
	LocationIndex int       `json:"location_index"`
	Setup         int64     `json:"setup,omitempty"`
	Service       int64     `json:"service,omitempty"`
	Delivery      []int64   `json:"delivery,omitempty"`
	Pickup        []int64   `json:"pickup,omitempty"`
	Skills        []int64   `json:"skills,omitempty"`
	Priority      int       `json:"priority,omitempty"`
	TimeWindows   [][]int64 `json:"time_windows,omitempty"`
}

// VROOMOutput is a VROOM solution.
type VROOMOutput struct {
	Code       int               `json:"code"`
	Error      string            `json:"error,omitempty"`
	Summary    VROOMSummary      `json:"summary"`
	Unassigned []VROOMUnassigned `json:"unassigned"`
	Routes     []VROOMRoute      `json:"routes"`
}

// VROOMSummary totals a solution.
type VROOMSummary struct {
	Cost        int64   `json:"cost"`
	Routes      int     `json:"routes"`
	Unassigned  int     `json:"unassigned"`
	Setup       int64   `json:"setup"`
	Service     int64   `json:"service"`
	Duration    int64   `json:"duration"`
	WaitingTime int64   `json:"waiting_time"`
	Priority    int64   `json:"priority"`
	Delivery    []int64 `json:"delivery,omitempty"`
	Violations  []any   `json:"violations"`
}

// VROOMUnassigned is a job left out; Reasons is our addition: per vehicle,
// the first rule that excluded it.
type VROOMUnassigned struct {
	ID            int64    `json:"id"`
	Type          string   `json:"type"`
	LocationIndex int      `json:"location_index"`
	Reasons       []Reason `json:"reasons,omitempty"`
}

// VROOMRoute is one vehicle's route.
type VROOMRoute struct {
	Vehicle     int64       `json:"vehicle"`
	Cost        int64       `json:"cost"`
	Setup       int64       `json:"setup"`
	Service     int64       `json:"service"`
	Duration    int64       `json:"duration"`
	WaitingTime int64       `json:"waiting_time"`
	Priority    int64       `json:"priority"`
	Delivery    []int64     `json:"delivery,omitempty"`
	Steps       []VROOMStep `json:"steps"`
	Violations  []any       `json:"violations"`
}

// VROOMStep is one step of a route.
type VROOMStep struct {
	Type          string  `json:"type"`
	ID            *int64  `json:"id,omitempty"`
	LocationIndex *int    `json:"location_index,omitempty"`
	Arrival       int64   `json:"arrival"`
	Duration      int64   `json:"duration"`
	Setup         int64   `json:"setup"`
	Service       int64   `json:"service"`
	WaitingTime   int64   `json:"waiting_time"`
	Load          []int64 `json:"load,omitempty"`
	Violations    []any   `json:"violations"`
}

// vroomEpoch is time 0 of VROOM times.
var vroomEpoch = time.Unix(0, 0).UTC()

func vroomTime(t int64) time.Time { return vroomEpoch.Add(time.Duration(t) * time.Second) }

// vroomOpen is the end of time for vehicles and jobs without windows.
const vroomOpen = int64(1) << 32

// Snapshot translates the problem into a snapshot. Job and vehicle IDs
// become decimal strings, skills become trades "skill-N" at level 1, and
// the VROOM priority becomes Job.Value (all jobs are LOW), so that the
// objective is VROOM's. A vehicle without start_index starts at a free
// extra location.
func (in *VROOMInput) Snapshot() (*Snapshot, error) {
	if len(in.Shipments) > 0 {
		return nil, errors.New("dispatch: VROOM shipments are not supported")
	}
	dur := in.Matrix
	if m, ok := in.Matrices["car"]; ok {
		dur = m.Durations
	}
	if len(dur) == 0 {
		return nil, errors.New("dispatch: VROOM input needs matrices.car.durations (coordinates are not supported)")
	}
	n := len(dur)
	mx := Matrix{Seconds: make([][]float64, n+1)}
	for i := range n + 1 {
		mx.Seconds[i] = make([]float64, n+1)
		if i < n {
			if len(dur[i]) != n {
				return nil, fmt.Errorf("dispatch: VROOM matrix row %d has %d entries, want %d", i, len(dur[i]), n)
			}
			for k, d := range dur[i] {
				mx.Seconds[i][k] = float64(d)
			}
		}
	}
	s := &Snapshot{Now: vroomEpoch, Travel: mx}
	dims := 0
	for _, v := range in.Vehicles {
		dims = max(dims, len(v.Capacity))
	}
	skill := func(k int64) string { return "skill-" + strconv.FormatInt(k, 10) }
	part := func(d int) string { return "amount-" + strconv.Itoa(d) }
	for _, v := range in.Vehicles {
		t := Technician{ID: strconv.FormatInt(v.ID, 10), MaxJobs: v.MaxTasks, Start: Location{Index: n}}
		if v.StartIndex != nil {
			if *v.StartIndex < 0 || *v.StartIndex >= n {
				return nil, fmt.Errorf("dispatch: VROOM vehicle %d: start_index out of the matrix", v.ID)
			}
			t.Start = Location{Index: *v.StartIndex}
		}
		if v.EndIndex != nil {
			if *v.EndIndex < 0 || *v.EndIndex >= n {
				return nil, fmt.Errorf("dispatch: VROOM vehicle %d: end_index out of the matrix", v.ID)
			}
			t.End = &Location{Index: *v.EndIndex}
		}
		tw := []int64{0, vroomOpen}
		if len(v.TimeWindow) == 2 {
			tw = v.TimeWindow
		}
		t.Shifts = []Shift{{Start: vroomTime(tw[0]), End: vroomTime(tw[1])}}
		for _, k := range v.Skills {
			t.Skills = append(t.Skills, Skill{Trade: skill(k), Level: 1})
		}
		if dims > 0 {
			t.Truck = map[string]int{}
			for d := range dims {
				c := int64(math.MaxInt32)
				if v.Capacity != nil {
					c = 0
					if d < len(v.Capacity) {
						c = v.Capacity[d]
					}
				}
				t.Truck[part(d)] = int(c)
			}
		}
		for _, b := range v.Breaks {
			w := []int64{0, vroomOpen}
			if len(b.TimeWindows) > 0 && len(b.TimeWindows[0]) == 2 {
				w = b.TimeWindows[0]
			}
			t.Breaks = append(t.Breaks, Break{Earliest: vroomTime(w[0]), Latest: vroomTime(w[1]), Duration: time.Duration(b.Service) * time.Second})
		}
		s.Technicians = append(s.Technicians, t)
	}
	for _, j := range in.Jobs {
		if j.LocationIndex < 0 || j.LocationIndex >= n {
			return nil, fmt.Errorf("dispatch: VROOM job %d: location_index out of the matrix", j.ID)
		}
		if j.Priority < 0 || j.Priority > 100 {
			return nil, fmt.Errorf("dispatch: VROOM job %d: priority %d outside [0, 100]", j.ID, j.Priority)
		}
		job := Job{
			ID: strconv.FormatInt(j.ID, 10), Location: Location{Index: j.LocationIndex},
			Duration: time.Duration(j.Setup+j.Service) * time.Second,
			Value:    j.Priority,
		}
		for _, k := range j.Skills {
			job.Skills = append(job.Skills, Skill{Trade: skill(k), Level: 1})
		}
		for _, w := range j.TimeWindows {
			if len(w) != 2 || w[1] < w[0] {
				return nil, fmt.Errorf("dispatch: VROOM job %d: bad time window", j.ID)
			}
			job.Windows = append(job.Windows, Window{Start: vroomTime(w[0]), End: vroomTime(w[1])})
		}
		slices.SortFunc(job.Windows, func(a, b Window) int { return a.Start.Compare(b.Start) })
		for d := range dims {
			q := int64(0)
			if d < len(j.Delivery) {
				q += j.Delivery[d]
			}
			if d < len(j.Pickup) {
				q += j.Pickup[d]
			}
			if q > 0 {
				if job.Parts == nil {
					job.Parts = map[string]int{}
				}
				job.Parts[part(d)] = int(q)
			}
		}
		s.Jobs = append(s.Jobs, job)
	}
	return s, nil
}

// Solution writes a plan of the snapshot made by in.Snapshot in VROOM's
// output format, with our reasons on each unassigned job.
func (in *VROOMInput) Solution(plan *Plan) *VROOMOutput {
	out := &VROOMOutput{Routes: []VROOMRoute{}, Unassigned: []VROOMUnassigned{}}
	out.Summary.Violations = []any{}
	jobs := make(map[string]*VROOMJob, len(in.Jobs))
	for i := range in.Jobs {
		jobs[strconv.FormatInt(in.Jobs[i].ID, 10)] = &in.Jobs[i]
	}
	vehicles := make(map[string]*VROOMVehicle, len(in.Vehicles))
	for i := range in.Vehicles {
		vehicles[strconv.FormatInt(in.Vehicles[i].ID, 10)] = &in.Vehicles[i]
	}
	sec := func(t time.Time) int64 { return int64(math.Round(t.Sub(vroomEpoch).Seconds())) }
	for _, r := range plan.Routes {
		v := vehicles[r.TechnicianID]
		vr := VROOMRoute{Vehicle: v.ID, Violations: []any{}}
		travel := int64(0)
		start := VROOMStep{Type: "start", LocationIndex: v.StartIndex, Arrival: sec(r.Depart), Violations: []any{}}
		vr.Steps = append(vr.Steps, start)
		for _, st := range r.Stops {
			travel += int64(math.Round(st.Travel.Seconds()))
			step := VROOMStep{Arrival: sec(st.Arrival), Duration: travel, WaitingTime: sec(st.Start) - sec(st.Arrival), Violations: []any{}}
			if st.Kind == StopBreak {
				step.Type = "break"
				step.Service = sec(st.Depart) - sec(st.Start)
				for k, b := range v.Breaks {
					// Breaks are matched to the vehicle's in order of their windows.
					if w := b.TimeWindows; len(w) == 0 || (sec(st.Start) >= w[0][0] && sec(st.Start) <= w[0][1]) {
						id := v.Breaks[k].ID
						step.ID = &id
						break
					}
				}
			} else {
				j := jobs[st.JobID]
				step.Type = "job"
				step.ID = &j.ID
				li := j.LocationIndex
				step.LocationIndex = &li
				step.Setup, step.Service = j.Setup, j.Service
				vr.Setup += j.Setup
				vr.Service += j.Service
				vr.Priority += int64(j.Priority)
			}
			vr.WaitingTime += step.WaitingTime
			vr.Steps = append(vr.Steps, step)
		}
		travel = int64(math.Round(r.Travel.Seconds()))
		vr.Steps = append(vr.Steps, VROOMStep{Type: "end", LocationIndex: v.EndIndex, Arrival: sec(r.Return), Duration: travel, Violations: []any{}})
		vr.Duration, vr.Cost = travel, travel
		out.Routes = append(out.Routes, vr)
		out.Summary.Cost += vr.Cost
		out.Summary.Duration += vr.Duration
		out.Summary.Setup += vr.Setup
		out.Summary.Service += vr.Service
		out.Summary.WaitingTime += vr.WaitingTime
		out.Summary.Priority += vr.Priority
	}
	for _, u := range plan.Unassigned {
		j := jobs[u.JobID]
		out.Unassigned = append(out.Unassigned, VROOMUnassigned{ID: j.ID, Type: "job", LocationIndex: j.LocationIndex, Reasons: u.Reasons})
	}
	out.Summary.Routes = len(out.Routes)
	out.Summary.Unassigned = len(out.Unassigned)
	return out
}
