package dispatch

// Tuning harness for the search parameters: it runs the numeric core
// directly with parameters from the environment and prints one line per
// instance. It is skipped unless asked for, e.g.
//
//	SOLOMON_DIR=../../shared/benchmarks/solomon GLOB='R2*.txt' LIMIT=1s T0=3 TF=0.03 \
//	    GOMAXPROCS=1 go test ./dispatch -run TestTuneSolomon -v
//	VROOM_GLOB='../examples/vroomcompat/testdata/*.json' LIMIT=1s SEED=2 FILL=0.5 \
//	    GOMAXPROCS=1 go test ./dispatch -run TestTuneVROOM -v
//
// LIMIT counts this process's CPU time; LIMIT_<instance> overrides it.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadSolomon reads a Solomon instance straight into the numeric core.
func loadSolomon(t testing.TB, path string) *problem {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var rows [][]float64
	var fleet, capa int
	line := 0
	for sc.Scan() {
		line++
		fs := strings.Fields(sc.Text())
		if line == 5 && len(fs) == 2 {
			fleet, _ = strconv.Atoi(fs[0])
			capa, _ = strconv.Atoi(fs[1])
		}
		if line > 9 && len(fs) == 7 {
			var r []float64
			for _, x := range fs {
				v, _ := strconv.ParseFloat(x, 64)
				r = append(r, v)
			}
			rows = append(rows, r)
		}
	}
	n := len(rows) + 1
	p := &problem{N: n, Nowhere: n - 1, Dur: make([]float64, n*n), Dims: 1}
	for i := range rows {
		for j := range rows {
			p.Dur[i*n+j] = math.Hypot(rows[i][1]-rows[j][1], rows[i][2]-rows[j][2])
		}
	}
	for _, r := range rows[1:] {
		p.Jobs = append(p.Jobs, vJob{Loc: int(r[0]), Service: r[6], Windows: []vWindow{{r[4], r[5], r[5]}}, Demand: []int32{int32(r[3])}, Weight: 1, Prev: -1})
	}
	for v := 0; v < fleet; v++ {
		p.Groups = append(p.Groups, vGroup{Capacity: []int32{int32(capa)}})
		p.Vehicles = append(p.Vehicles, vVehicle{Start: 0, End: 0, Shift: vWindow{rows[0][4], rows[0][5], rows[0][5]}, Group: v})
	}
	return p
}

func TestTuneSolomon(t *testing.T) {
	dir := os.Getenv("SOLOMON_DIR")
	if dir == "" {
		t.Skip()
	}
	limit, _ := time.ParseDuration(os.Getenv("LIMIT"))
	files, _ := filepath.Glob(filepath.Join(dir, os.Getenv("GLOB")))
	bks := map[string]float64{}
	b, _ := os.ReadFile(filepath.Join(dir, "bks.csv"))
	for _, l := range strings.Split(string(b), "\n") {
		fs := strings.Split(l, ",")
		if len(fs) == 4 && fs[3] == "best_distance_double" {
			bks[fs[0]], _ = strconv.ParseFloat(fs[2], 64)
		}
	}
	tot, cnt := 0.0, 0
	for _, fn := range files {
		p := loadSolomon(t, fn)
		start := cpuNow()
		var first time.Duration
		var prm params
		prm.T0, _ = strconv.ParseFloat(os.Getenv("T0"), 64)
		prm.Tf, _ = strconv.ParseFloat(os.Getenv("TF"), 64)
		prm.AvgRemoved, _ = strconv.Atoi(os.Getenv("CBAR"))
		res, err := solveVRP(p, solveOptions{Params: prm, Seed: 1, Budget: func(it int) (float64, bool) {
			e := cpuNow() - start
			return float64(e) / float64(limit), e >= limit
		}, OnBest: func(it int, u, c float64) {
			if first == 0 {
				first = cpuNow() - start
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(fn), ".txt")
		gap := (res.Cost/bks[name] - 1) * 100
		tot += gap
		cnt++
		fmt.Printf("%s cost=%.2f bks=%.2f gap=%.2f%% unassigned=%d iters=%d first=%v\n", name, res.Cost, bks[name], gap, len(res.Unassigned), res.Iterations, first)
	}
	fmt.Printf("mean gap %.3f%% over %d\n", tot/float64(cnt), cnt)
}

func TestTuneVROOM(t *testing.T) {
	glob := os.Getenv("VROOM_GLOB")
	if glob == "" {
		t.Skip()
	}
	limit, _ := time.ParseDuration(os.Getenv("LIMIT"))
	files, _ := filepath.Glob(glob)
	for _, fn := range files {
		b, _ := os.ReadFile(fn)
		var in VROOMInput
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		s, err := in.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		c, err := compile(s, Weights{})
		if err != nil {
			t.Fatal(err)
		}
		var prm params
		prm.T0, _ = strconv.ParseFloat(os.Getenv("T0"), 64)
		prm.Tf, _ = strconv.ParseFloat(os.Getenv("TF"), 64)
		prm.FillPhase, _ = strconv.ParseFloat(os.Getenv("FILL"), 64)
		prm.Extra, _ = strconv.Atoi(os.Getenv("EXTRA"))
		if l, err := time.ParseDuration(os.Getenv("LIMIT_" + strings.TrimSuffix(filepath.Base(fn), ".json"))); err == nil {
			limit = l
		}
		seed, _ := strconv.ParseUint(os.Getenv("SEED"), 10, 64)
		start := cpuNow()
		res, err := solveVRP(c.p, solveOptions{Params: prm, Seed: seed, Budget: func(it int) (float64, bool) {
			e := cpuNow() - start
			return float64(e) / float64(limit), e >= limit
		}})
		if err != nil {
			t.Fatal(err)
		}
		out := in.Solution(c.plan(res.Routes))
		fmt.Printf("%s prio=%d unassigned=%d cost=%d iters=%d\n", filepath.Base(fn), out.Summary.Priority, out.Summary.Unassigned, out.Summary.Cost, res.Iterations)
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
