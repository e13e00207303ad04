package contractorops_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/dispatch/sim"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// engineDay is a small generated day without what the engine does not
// model (breaks, overtime, truck parts, durations by level); booked is the
// share of its calls booked before the day.
func engineDay(t testing.TB, booked float64) *sim.Scenario {
	t.Helper()
	c, err := sim.Preset("tuesday")
	if err != nil {
		t.Fatal(err)
	}
	c.Seed, c.Technicians, c.Jobs, c.FoundPartsRate, c.BookedShare = 3, 6, 48, 0, booked
	sc, err := sim.Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	sc.LevelFactors = [5]float64{1, 1, 1, 1, 1}
	for i := range sc.Technicians {
		sc.Technicians[i].Break, sc.Technicians[i].OvertimeMinutes, sc.Technicians[i].Truck = nil, 0, nil
	}
	for i := range sc.Jobs {
		sc.Jobs[i].Parts = nil
	}
	return sc
}

// TestSimDispatcherMatchesOptimizer runs a small booked day through the
// engine (memstore, the inline runner: jobs created and approved, the day
// planned by dispatch/v1/optimizeDay, assignments walked through jobfsm,
// jobs completed) and through the optimizer policy of dispatch/sim planning
// once too, and compares the KPIs: jobs completed within 10 % of the jobs,
// SLA hit rates within 10 points, drive time within 25 % (the engine
// drives at one average speed, the simulation by the hour).
func TestSimDispatcherMatchesOptimizer(t *testing.T) {
	ctx := context.Background()
	sc := engineDay(t, 1)
	once := 24 * time.Hour
	d, err := contractorops.NewSimDispatcher(ctx, memstore.New(), sc, &contractorops.SimDispatcherConfig{Iterations: 300, Period: once})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sim.Run(ctx, sc, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := sim.Run(ctx, sc, sim.NewOptimizer(&sim.OptimizerConfig{Iterations: 300, Period: once}), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, o := eng.KPIs, opt.KPIs
	t.Logf("engine:    completed %d/%d, response %.3f, resolution %.3f, drive %.0f min, reassignments %d", e.Completed, e.Jobs, e.ResponseRate, e.ResolutionRate, e.DriveMinutes, e.Reassignments)
	t.Logf("optimizer: completed %d/%d, response %.3f, resolution %.3f, drive %.0f min, reassignments %d", o.Completed, o.Jobs, o.ResponseRate, o.ResolutionRate, o.DriveMinutes, o.Reassignments)
	if diff := math.Abs(float64(e.Completed - o.Completed)); diff > 0.1*float64(o.Jobs) {
		t.Errorf("completed: engine %d, optimizer %d", e.Completed, o.Completed)
	}
	if math.Abs(e.ResponseRate-o.ResponseRate) > 0.1 || math.Abs(e.ResolutionRate-o.ResolutionRate) > 0.1 {
		t.Errorf("SLA: engine %.3f/%.3f, optimizer %.3f/%.3f", e.ResponseRate, e.ResolutionRate, o.ResponseRate, o.ResolutionRate)
	}
	if math.Abs(e.DriveMinutes-o.DriveMinutes) > 0.25*o.DriveMinutes {
		t.Errorf("drive: engine %.0f min, optimizer %.0f min", e.DriveMinutes, o.DriveMinutes)
	}
	// The engine's records tell the same day: every completed job is
	// COMPLETED there.
	done := 0
	for _, j := range eng.Jobs {
		if j.Parent == "" && j.Status == sim.JobCompleted {
			done++
		}
	}
	page, err := d.Engine().Jobs.List(ctx, d.Scope(), contractorops.ListJobsInput{Status: []jobfsm.JobStatus{jobfsm.JobCompleted}, PageRequest: contractorops.PageRequest{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != done {
		t.Errorf("engine has %d completed jobs, the simulation %d", len(page.Items), done)
	}
}

// TestSimDispatcherLiveDay runs a day with calls, emergencies and sick
// technicians through the engine, which re-plans it while technicians are
// under way.
func TestSimDispatcherLiveDay(t *testing.T) {
	ctx := context.Background()
	sc := engineDay(t, 0.45)
	d, err := contractorops.NewSimDispatcher(ctx, memstore.New(), sc, &contractorops.SimDispatcherConfig{Iterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sim.Run(ctx, sc, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.KPIs.Completed == 0 {
		t.Fatalf("the engine completed nothing: %+v", r.KPIs)
	}
}
