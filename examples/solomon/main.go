package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// instance is a Solomon file: node 0 is the depot.
type instance struct {
	name     string
	vehicles int
	capacity int
	nodes    []node
}

type node struct {
	id                  int
	x, y                float64
	demand              int
	ready, due, service float64
}

func parse(r io.Reader, name string) (*instance, error) {
	in := &instance{name: name}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		switch {
		case line == 1 && len(f) == 1:
			in.name = f[0]
		case line == 5 && len(f) == 2:
			in.vehicles, _ = strconv.Atoi(f[0])
			in.capacity, _ = strconv.Atoi(f[1])
		case line > 9 && len(f) == 7:
			var v [7]float64
			for i, s := range f {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", line, err)
				}
				v[i] = x
			}
			in.nodes = append(in.nodes, node{id: int(v[0]), x: v[1], y: v[2], demand: int(v[3]), ready: v[4], due: v[5], service: v[6]})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if in.vehicles == 0 || len(in.nodes) < 2 || in.nodes[0].id != 0 {
		return nil, errors.New("not a Solomon instance")
	}
	return in, nil
}

// origin is the instant of time 0; one time unit is one second.
var origin = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func at(t float64) time.Time { return origin.Add(time.Duration(t) * time.Second) }

func (in *instance) snapshot() *dispatch.Snapshot {
	d := in.nodes[0]
	depot := dispatch.Location{Lng: d.x, Lat: d.y}
	s := &dispatch.Snapshot{Now: at(d.ready), Travel: dispatch.Euclidean{}}
	for v := range in.vehicles {
		end := depot
		s.Technicians = append(s.Technicians, dispatch.Technician{
			ID: fmt.Sprintf("V%d", v+1), Start: depot, End: &end,
			Shifts: []dispatch.Shift{{Start: at(d.ready), End: at(d.due)}},
			Truck:  map[string]int{"load": in.capacity},
		})
	}
	for _, c := range in.nodes[1:] {
		j := dispatch.Job{
			ID:       strconv.Itoa(c.id),
			Location: dispatch.Location{Lng: c.x, Lat: c.y},
			Duration: time.Duration(c.service) * time.Second,
			Windows:  []dispatch.Window{{Start: at(c.ready), End: at(c.due)}},
		}
		if c.demand > 0 {
			j.Parts = map[string]int{"load": c.demand}
		}
		s.Jobs = append(s.Jobs, j)
	}
	return s
}

// verify recomputes routes from the file: every customer once, capacity,
// service starts by the due date, return by the depot's due date. It
// returns the total distance.
func (in *instance) verify(routes [][]int) (float64, error) {
	const eps = 1e-6
	if len(routes) > in.vehicles {
		return 0, fmt.Errorf("%d routes for %d vehicles", len(routes), in.vehicles)
	}
	byID := map[int]node{}
	for _, n := range in.nodes {
		byID[n.id] = n
	}
	seen := map[int]bool{}
	depot := in.nodes[0]
	total := 0.0
	for ri, r := range routes {
		t, load, prev := depot.ready, 0, depot
		for _, id := range r {
			c, ok := byID[id]
			if !ok || id == 0 || seen[id] {
				return 0, fmt.Errorf("route %d: customer %d unknown or repeated", ri, id)
			}
			seen[id] = true
			d := math.Hypot(prev.x-c.x, prev.y-c.y)
			total += d
			t += d
			if t > c.due+eps {
				return 0, fmt.Errorf("route %d: customer %d starts at %.4f after due %.0f", ri, id, t, c.due)
			}
			t = math.Max(t, c.ready) + c.service
			load += c.demand
			prev = c
		}
		if load > in.capacity {
			return 0, fmt.Errorf("route %d: load %d over capacity %d", ri, load, in.capacity)
		}
		d := math.Hypot(prev.x-depot.x, prev.y-depot.y)
		total += d
		if t+d > depot.due+eps {
			return 0, fmt.Errorf("route %d: back at %.4f after %.0f", ri, t+d, depot.due)
		}
	}
	if len(seen) != len(in.nodes)-1 {
		return 0, fmt.Errorf("%d of %d customers served", len(seen), len(in.nodes)-1)
	}
	return total, nil
}

type result struct {
	Instance      string  `json:"instance"`
	Vehicles      int     `json:"vehicles"`
	Distance      float64 `json:"distance"`
	Seconds       float64 `json:"seconds"`
	FirstFeasible float64 `json:"firstFeasible"`
	Iterations    int     `json:"iterations"`
	Feasible      bool    `json:"feasible"`
	Error         string  `json:"error,omitempty"`
	Routes        [][]int `json:"routes"`
}

// cpuClock reads this process's CPU time (user plus system) as a time.
func cpuClock() time.Time {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return time.Now()
	}
	return time.Unix(0, ru.Utime.Nano()+ru.Stime.Nano())
}

// solve runs one instance. By the wall clock the limit is a context
// deadline; by CPU time (cpu) it is Options.TimeLimit read on cpuClock.
func solve(path string, limit time.Duration, seed uint64, cpu bool) (*result, error) {
	clk := time.Now
	ctx := context.Background()
	if cpu {
		clk = cpuClock
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	in, err := parse(f, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	start := clk()
	res := &result{Instance: in.name, FirstFeasible: -1}
	opt := &dispatch.Options{Seed: seed, Clock: clk,
		OnImprove: func(_ int, unassigned, _ float64) {
			if unassigned == 0 && res.FirstFeasible < 0 {
				res.FirstFeasible = clk().Sub(start).Seconds()
			}
		}}
	if cpu {
		opt.TimeLimit = limit
	}
	plan, err := dispatch.Optimize(ctx, in.snapshot(), opt)
	if err != nil {
		return nil, err
	}
	res.Seconds = clk().Sub(start).Seconds()
	res.Iterations = plan.Iterations
	for _, r := range plan.Routes {
		var ids []int
		for _, s := range r.Stops {
			if s.Kind == dispatch.StopJob {
				id, _ := strconv.Atoi(s.JobID)
				ids = append(ids, id)
			}
		}
		res.Routes = append(res.Routes, ids)
	}
	res.Vehicles = len(res.Routes)
	res.Distance, err = in.verify(res.Routes)
	res.Feasible = err == nil
	if err != nil {
		res.Error = err.Error()
	}
	res.Distance = math.Round(res.Distance*100) / 100
	return res, nil
}

func main() {
	limit := flag.Duration("time-limit", 2500*time.Millisecond, "search time per instance")
	seed := flag.Uint64("seed", 1, "random seed")
	cpu := flag.Bool("cpu", false, "count the time limit in this process's CPU time")
	flag.Parse()
	enc := json.NewEncoder(os.Stdout)
	status := 0
	for _, path := range flag.Args() {
		res, err := solve(path, *limit, *seed, *cpu)
		if err != nil {
			fmt.Fprintln(os.Stderr, "solomon:", err)
			status = 1
			continue
		}
		if !res.Feasible {
			status = 1
		}
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, "solomon:", err)
			os.Exit(1)
		}
	}
	os.Exit(status)
}
