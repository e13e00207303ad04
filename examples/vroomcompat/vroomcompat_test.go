package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hestami-ai/opsengine/dispatch"
)

var (
	update  = flag.Bool("update", false, "rebuild testdata from the Solomon instances in -solomon")
	solomon = flag.String("solomon", "../../../shared/benchmarks/solomon", "directory of the Solomon instances")
)

// Instances of the set: two per Solomon class.
var setNames = []string{"C101", "C105", "C201", "C205", "R101", "R109", "R201", "R209", "RC101", "RC106", "RC201", "RC206"}

// scale turns Solomon's real distances into VROOM's integer seconds.
const scale = 10

// build makes a VROOM problem from a Solomon file: a reduced fleet (so that
// priorities matter), three skills, priorities on a quarter of the jobs,
// one break per vehicle mid-horizon, and max_tasks on long-route classes.
func build(path string, seed uint64) (*dispatch.VROOMInput, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	type node struct{ x, y, demand, ready, due, service float64 }
	var nodes []node
	capacity, line := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line++
		fs := strings.Fields(sc.Text())
		if line == 5 && len(fs) == 2 {
			capacity, _ = strconv.Atoi(fs[1])
		}
		if line > 9 && len(fs) == 7 {
			var v [7]float64
			for i, s := range fs {
				v[i], _ = strconv.ParseFloat(s, 64)
			}
			nodes = append(nodes, node{v[1], v[2], v[3], v[4], v[5], v[6]})
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	n := len(nodes)
	in := &dispatch.VROOMInput{Matrices: map[string]dispatch.VROOMMatrices{"car": {Durations: make([][]int64, n)}}}
	for i := range n {
		row := make([]int64, n)
		for k := range n {
			row[k] = int64(math.Round(scale * math.Hypot(nodes[i].x-nodes[k].x, nodes[i].y-nodes[k].y)))
		}
		in.Matrices["car"].Durations[i] = row
	}
	name := filepath.Base(path)
	longRoutes := strings.Contains(name, "2")
	fleet, maxTasks := 9, 0
	if longRoutes {
		fleet, maxTasks = 3, 30
	}
	horizon := int64(scale * nodes[0].due)
	zero := 0
	for v := range fleet {
		skills := []int64{int64(v%3 + 1)}
		for k := int64(1); k <= 3; k++ {
			if k != skills[0] && rng.Float64() < 0.5 {
				skills = append(skills, k)
			}
		}
		slices.Sort(skills)
		in.Vehicles = append(in.Vehicles, dispatch.VROOMVehicle{
			ID: int64(v + 1), StartIndex: &zero, EndIndex: &zero,
			Capacity: []int64{int64(capacity)}, Skills: skills,
			TimeWindow: []int64{0, horizon}, MaxTasks: maxTasks,
			Breaks: []dispatch.VROOMBreak{{ID: int64(v + 1), TimeWindows: [][]int64{{horizon * 4 / 10, horizon * 6 / 10}}, Service: 30 * scale}},
		})
	}
	for i := 1; i < n; i++ {
		c := nodes[i]
		j := dispatch.VROOMJob{
			ID: int64(i), LocationIndex: i, Service: int64(scale * c.service),
			Delivery:    []int64{int64(c.demand)},
			TimeWindows: [][]int64{{int64(scale * c.ready), int64(scale * c.due)}},
		}
		if rng.Float64() < 0.3 {
			j.Skills = []int64{int64(rng.IntN(3) + 1)}
		}
		if rng.Float64() < 0.25 {
			j.Priority = rng.IntN(100) + 1
		}
		in.Jobs = append(in.Jobs, j)
	}
	return in, nil
}

func TestBuildSet(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rebuild testdata")
	}
	for i, name := range setNames {
		in, err := build(filepath.Join(*solomon, name+".txt"), uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", name+".json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// verify checks an output against its input with VROOM's semantics,
// independently of the optimizer: every job at most once, skills,
// capacity, max_tasks, job windows, break windows, the vehicle window,
// arrivals recomputed from the matrix; it returns the priority sum, the
// assigned count and the cost.
func verify(in *dispatch.VROOMInput, out *dispatch.VROOMOutput) (prio, count, cost int64, err error) {
	dur := in.Matrices["car"].Durations
	jobs := map[int64]dispatch.VROOMJob{}
	for _, j := range in.Jobs {
		jobs[j.ID] = j
	}
	seen := map[int64]bool{}
	for _, r := range out.Routes {
		var v *dispatch.VROOMVehicle
		for i := range in.Vehicles {
			if in.Vehicles[i].ID == r.Vehicle {
				v = &in.Vehicles[i]
			}
		}
		if v == nil {
			return 0, 0, 0, fmt.Errorf("unknown vehicle %d", r.Vehicle)
		}
		t := r.Steps[0].Arrival
		if len(v.TimeWindow) == 2 && t < v.TimeWindow[0] {
			return 0, 0, 0, fmt.Errorf("vehicle %d leaves before its window", v.ID)
		}
		loc := *v.StartIndex
		load, tasks, breaks := int64(0), 0, 0
		for _, st := range r.Steps[1:] {
			switch st.Type {
			case "job":
				j, ok := jobs[*st.ID]
				if !ok || seen[j.ID] {
					return 0, 0, 0, fmt.Errorf("job %d unknown or repeated", *st.ID)
				}
				seen[j.ID] = true
				for _, s := range j.Skills {
					if !slices.Contains(v.Skills, s) {
						return 0, 0, 0, fmt.Errorf("job %d needs skill %d, vehicle %d lacks it", j.ID, s, v.ID)
					}
				}
				t += dur[loc][j.LocationIndex]
				if st.Arrival != t {
					return 0, 0, 0, fmt.Errorf("job %d: arrival %d, recomputed %d", j.ID, st.Arrival, t)
				}
				ok = false
				for _, w := range j.TimeWindows {
					if t <= w[1] {
						t = max(t, w[0])
						ok = true
						break
					}
				}
				if !ok {
					return 0, 0, 0, fmt.Errorf("job %d: arrival %d after its windows", j.ID, t)
				}
				t += j.Setup + j.Service
				loc = j.LocationIndex
				load += j.Delivery[0]
				tasks++
				prio += int64(j.Priority)
				count++
			case "break":
				b := v.Breaks[0]
				if st.Arrival != t {
					return 0, 0, 0, fmt.Errorf("break: arrival %d, recomputed %d", st.Arrival, t)
				}
				t = max(t, b.TimeWindows[0][0])
				if t > b.TimeWindows[0][1] {
					return 0, 0, 0, fmt.Errorf("vehicle %d: break starts %d after its window", v.ID, t)
				}
				t += b.Service
				breaks++
			case "end":
				d := dur[loc][*v.EndIndex]
				t += d
				if st.Arrival != t || t > v.TimeWindow[1] {
					return 0, 0, 0, fmt.Errorf("vehicle %d: back at %d (reported %d), window ends %d", v.ID, t, st.Arrival, v.TimeWindow[1])
				}
			}
		}
		if load > v.Capacity[0] || (v.MaxTasks > 0 && tasks > v.MaxTasks) || breaks != len(v.Breaks) {
			return 0, 0, 0, fmt.Errorf("vehicle %d: load %d, %d tasks, %d breaks", v.ID, load, tasks, breaks)
		}
		cost += r.Cost
	}
	if int(count)+len(out.Unassigned) != len(in.Jobs) {
		return 0, 0, 0, fmt.Errorf("%d assigned + %d unassigned != %d jobs", count, len(out.Unassigned), len(in.Jobs))
	}
	return prio, count, cost, nil
}

func TestSolveSet(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	if testing.Short() {
		files = files[:2]
	}
	for _, path := range files[:min(len(files), 3)] {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out, err := solve(context.Background(), bytes.NewReader(b), dispatch.Options{Seed: 1, Iterations: 300})
		if err != nil {
			t.Fatal(err)
		}
		var in dispatch.VROOMInput
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := verify(&in, out); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		for _, u := range out.Unassigned {
			if len(u.Reasons) != len(in.Vehicles) {
				t.Errorf("%s: job %d has %d reasons for %d vehicles", path, u.ID, len(u.Reasons), len(in.Vehicles))
			}
		}
	}
}
