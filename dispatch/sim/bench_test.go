package sim_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/dispatch/sim"
)

// cpu is the process's CPU time (user and system): the machine is shared,
// so the wall clock alone says little.
func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDay50x600 simulates the tuesday preset (50 technicians, 600
// calls) with the optimizer policy at its defaults, and reports the CPU
// time of a day besides the wall time, with the headline KPIs.
func BenchmarkDay50x600(b *testing.B) {
	c, err := sim.Preset("tuesday")
	if err != nil {
		b.Fatal(err)
	}
	sc, err := sim.Generate(c)
	if err != nil {
		b.Fatal(err)
	}
	var used time.Duration
	for b.Loop() {
		t0 := cpu()
		r, err := sim.Run(context.Background(), sc, sim.NewOptimizer(nil), nil)
		if err != nil {
			b.Fatal(err)
		}
		used += cpu() - t0
		b.ReportMetric(float64(r.KPIs.Completed), "completed")
		b.ReportMetric(100*r.KPIs.ResponseRate, "response-%")
		b.ReportMetric(r.KPIs.DriveMinutes/60, "drive-h")
	}
	b.ReportMetric(used.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkBaselines50x600 is the same day with the two baselines, for the
// ratio.
func BenchmarkBaselines50x600(b *testing.B) {
	c, _ := sim.Preset("tuesday")
	sc, err := sim.Generate(c)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for _, d := range []sim.Dispatcher{sim.NewNearest(), sim.NewFixedZone()} {
			if _, err := sim.Run(context.Background(), sc, d, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}
