package dispatch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// BenchmarkOptimize1000x50 plans a generated day of 1 000 jobs for 50
// technicians within a 10 s deadline by the wall clock, compiling the
// snapshot included, and checks the plan independently.
func BenchmarkOptimize1000x50(b *testing.B) {
	s := genSnapshot(1, 50, 1000)
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		p, err := dispatch.Optimize(ctx, s, &dispatch.Options{Seed: 1, Clock: time.Now})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if err := verifyPlan(s, p); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(s.Jobs)-len(p.Unassigned)), "assigned")
		b.ReportMetric(p.Objective.Travel.Hours(), "travel-h")
		b.ReportMetric(float64(p.Iterations), "iterations")
	}
}

// BenchmarkInsert1000x50 inserts an emergency into a planned day of 1 000
// jobs and 50 technicians (the plan is built once, outside the timer).
func BenchmarkInsert1000x50(b *testing.B) {
	s := genSnapshot(1, 50, 1000)
	extra := genSnapshot(99, 1, 40).Jobs
	o, err := dispatch.New(s, &dispatch.Options{Seed: 1, Iterations: 20000})
	if err != nil {
		b.Fatal(err)
	}
	p, err := o.Optimize(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		b.StopTimer()
		// A fresh optimizer per emergency keeps the snapshot's spare slots.
		if i%16 == 0 {
			if o, err = dispatch.New(s, &dispatch.Options{Seed: 1}); err != nil {
				b.Fatal(err)
			}
		}
		job := extra[i%len(extra)]
		job.ID = fmt.Sprintf("E%d", i)
		job.Priority = dispatch.PriorityEmergency
		i++
		b.StartTimer()
		if _, _, err := o.Insert(p, job); err != nil {
			b.Fatal(err)
		}
	}
}
