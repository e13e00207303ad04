package dispatch_test

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// solomon is a Solomon VRPTW instance (node 0 is the depot).
type solomon struct {
	fleet, capacity int
	nodes           [][7]float64 // id x y demand ready due service
}

func readSolomon(tb testing.TB, path string) *solomon {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	in := &solomon{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fs := strings.Fields(sc.Text())
		if line == 5 && len(fs) == 2 {
			in.fleet, _ = strconv.Atoi(fs[0])
			in.capacity, _ = strconv.Atoi(fs[1])
		}
		if line > 9 && len(fs) == 7 {
			var n [7]float64
			for i, s := range fs {
				n[i], _ = strconv.ParseFloat(s, 64)
			}
			in.nodes = append(in.nodes, n)
		}
	}
	return in
}

var origin = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func (in *solomon) snapshot() *dispatch.Snapshot {
	d := in.nodes[0]
	depot := dispatch.Location{Lng: d[1], Lat: d[2]}
	at := func(x float64) time.Time { return origin.Add(time.Duration(x) * time.Second) }
	s := &dispatch.Snapshot{Now: at(d[4]), Travel: dispatch.Euclidean{}}
	for v := range in.fleet {
		end := depot
		s.Technicians = append(s.Technicians, dispatch.Technician{
			ID: fmt.Sprint(v), Start: depot, End: &end,
			Shifts: []dispatch.Shift{{Start: at(d[4]), End: at(d[5])}},
			Truck:  map[string]int{"load": in.capacity},
		})
	}
	for _, c := range in.nodes[1:] {
		s.Jobs = append(s.Jobs, dispatch.Job{
			ID: fmt.Sprint(int(c[0])), Location: dispatch.Location{Lng: c[1], Lat: c[2]},
			Duration: time.Duration(c[6]) * time.Second,
			Windows:  []dispatch.Window{{Start: at(c[4]), End: at(c[5])}},
			Parts:    map[string]int{"load": int(c[3])},
		})
	}
	return s
}

// check recomputes the plan from the instance in double precision and
// returns its distance.
func (in *solomon) check(p *dispatch.Plan) (float64, error) {
	seen := map[int]bool{}
	total := 0.0
	depot := in.nodes[0]
	for _, r := range p.Routes {
		t, load, prev := depot[4], 0.0, depot
		for _, st := range r.Stops {
			id, _ := strconv.Atoi(st.JobID)
			c := in.nodes[id]
			if seen[id] || id == 0 {
				return 0, fmt.Errorf("customer %d twice", id)
			}
			seen[id] = true
			d := math.Hypot(prev[1]-c[1], prev[2]-c[2])
			total += d
			if t += d; t > c[5]+1e-6 {
				return 0, fmt.Errorf("customer %d late", id)
			}
			t = math.Max(t, c[4]) + c[6]
			load += c[3]
			prev = c
		}
		d := math.Hypot(prev[1]-depot[1], prev[2]-depot[2])
		total += d
		if t+d > depot[5]+1e-6 || load > float64(in.capacity) {
			return 0, fmt.Errorf("route over its horizon or capacity")
		}
	}
	if len(seen) != len(in.nodes)-1 || len(p.Routes) > in.fleet {
		return 0, fmt.Errorf("%d customers in %d routes", len(seen), len(p.Routes))
	}
	return total, nil
}

// TestSolomon solves a few instances with a small budget and checks them
// independently; the full set is measured by scripts/solomon-report.
func TestSolomon(t *testing.T) {
	files, _ := filepath.Glob("testdata/solomon/*.txt")
	for _, path := range files {
		in := readSolomon(t, path)
		p, err := dispatch.Optimize(context.Background(), in.snapshot(), &dispatch.Options{Seed: 1, Iterations: 2000})
		if err != nil {
			t.Fatal(err)
		}
		dist, err := in.check(p)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		}
		if math.Abs(dist-p.Objective.Travel.Seconds()) > 1e-3 {
			t.Errorf("%s: distance %.4f, reported travel %v", path, dist, p.Objective.Travel)
		}
		t.Logf("%s: %d routes, distance %.2f", filepath.Base(path), len(p.Routes), dist)
	}
}

// BenchmarkSolomon solves each bundled instance for 2.5 s.
func BenchmarkSolomon(b *testing.B) {
	files, _ := filepath.Glob("testdata/solomon/*.txt")
	for _, path := range files {
		in := readSolomon(b, path)
		b.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(b *testing.B) {
			for b.Loop() {
				p, err := dispatch.Optimize(context.Background(), in.snapshot(), &dispatch.Options{Seed: 1, TimeLimit: 2500 * time.Millisecond, Clock: time.Now})
				if err != nil {
					b.Fatal(err)
				}
				dist, err := in.check(p)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(dist, "distance")
				b.ReportMetric(float64(p.Iterations), "iterations")
			}
		})
	}
}
