package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hestami-ai/opsengine/dispatch"
	"github.com/hestami-ai/opsengine/dispatch/sim"
)

// small generates a reduced preset day.
func small(t testing.TB, preset string, seed uint64, techs, jobs int) *sim.Scenario {
	t.Helper()
	c, err := sim.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	c.Seed, c.Technicians, c.Jobs = seed, techs, jobs
	sc, err := sim.Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// quick is the optimizer policy with small budgets, for unit tests.
func quick() *sim.Optimizer {
	return sim.NewOptimizer(&sim.OptimizerConfig{Iterations: 150, InsertIterations: 30})
}

func policies() []sim.Dispatcher {
	return []sim.Dispatcher{quick(), sim.NewNearest(), sim.NewFixedZone()}
}

func run(t testing.TB, sc *sim.Scenario, d sim.Dispatcher) *sim.Result {
	t.Helper()
	r, err := sim.Run(context.Background(), sc, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDeterministic: the same seed gives the same scenario and, for each
// policy, byte-identical KPIs and days.
func TestDeterministic(t *testing.T) {
	a, b := small(t, "techsick", 3, 8, 70), small(t, "techsick", 3, 8, 70)
	if !bytes.Equal(mustJSON(t, a), mustJSON(t, b)) {
		t.Fatal("the same config generated two scenarios")
	}
	if bytes.Equal(mustJSON(t, a), mustJSON(t, small(t, "techsick", 4, 8, 70))) {
		t.Fatal("another seed generated the same scenario")
	}
	for i, d := range policies() {
		r1 := run(t, a, d)
		r2 := run(t, a, policies()[i])
		if k1, k2 := mustJSON(t, r1.KPIs), mustJSON(t, r2.KPIs); !bytes.Equal(k1, k2) {
			t.Errorf("%s: KPIs differ between runs:\n%s\n%s", d.Name(), k1, k2)
		}
		if !bytes.Equal(mustJSON(t, r1), mustJSON(t, r2)) {
			t.Errorf("%s: days differ between runs", d.Name())
		}
	}
}

func TestScenarioRoundTrip(t *testing.T) {
	sc := small(t, "storm", 5, 4, 20)
	var buf bytes.Buffer
	if err := sc.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := sim.ReadScenario(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := back.WriteJSON(&again); err != nil {
		t.Fatal(err)
	}
	if buf.String() != again.String() {
		t.Fatal("a scenario changed through JSON")
	}
	// A round-tripped scenario simulates like the original.
	if k1, k2 := mustJSON(t, run(t, sc, sim.NewNearest()).KPIs), mustJSON(t, run(t, back, sim.NewNearest()).KPIs); !bytes.Equal(k1, k2) {
		t.Fatalf("KPIs differ after the round trip:\n%s\n%s", k1, k2)
	}
}

func TestReadScenarioRefuses(t *testing.T) {
	good := small(t, "tuesday", 1, 2, 4)
	tests := []struct {
		name, want string
		edit       func(s *sim.Scenario)
	}{
		{"schema", "schema", func(s *sim.Scenario) { s.Schema = "v0" }},
		{"day", "not after start", func(s *sim.Scenario) { s.End = s.Start }},
		{"repeated technician", "repeated", func(s *sim.Scenario) { s.Technicians[1].ID = s.Technicians[0].ID }},
		{"shift", "shift ends", func(s *sim.Scenario) { s.Technicians[0].ShiftEnd = s.Technicians[0].ShiftStart }},
		{"skill level", "skill", func(s *sim.Scenario) { s.Jobs[0].Skill.Level = 6 }},
		{"priority", "priority", func(s *sim.Scenario) { s.Jobs[0].Priority = "URGENT" }},
		{"estimate", "estimate", func(s *sim.Scenario) { s.Jobs[0].EstimateMinutes = 0 }},
		{"window", "window", func(s *sim.Scenario) {
			s.Jobs[0].Window = &sim.Window{Start: s.Start.Add(time.Hour), End: s.Start}
		}},
		{"SLA", "SLA policy", func(s *sim.Scenario) { s.SLA = s.SLA[:1] }},
		{"sick", "unknown technician", func(s *sim.Scenario) { s.Sick = []sim.SickCall{{TechnicianID: "nobody", At: s.Start}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sim.Scenario
			if err := json.Unmarshal(mustJSON(t, good), &s); err != nil {
				t.Fatal(err)
			}
			tt.edit(&s)
			_, err := sim.ReadScenario(bytes.NewReader(mustJSON(t, &s)))
			if !errors.Is(err, sim.ErrInvalidScenario) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "sim: ") {
				t.Fatalf("err = %v, want ErrInvalidScenario about %q", err, tt.want)
			}
		})
	}
	_, err := sim.ReadScenario(strings.NewReader(`{"schema":"` + sim.Schema + `","surprise":1}`))
	if !errors.Is(err, sim.ErrInvalidScenario) {
		t.Fatalf("unknown field: %v", err)
	}
	if _, err := sim.Preset("monsoon"); !errors.Is(err, sim.ErrUnknownPreset) {
		t.Fatalf("unknown preset: %v", err)
	}
}

// rogue queues every open job for the first technician.
type rogue struct{}

func (rogue) Name() string { return "rogue" }
func (rogue) Dispatch(_ context.Context, s *sim.State, _ []sim.Event) (*sim.Plan, error) {
	var q []string
	for _, j := range s.Jobs {
		q = append(q, j.ID)
	}
	return &sim.Plan{Queues: map[string][]string{s.Technicians[0].ID: q}}, nil
}

// TestBadPlan: a plan that sends an unqualified technician stops the run,
// naming the rule.
func TestBadPlan(t *testing.T) {
	sc := day()
	sc.Jobs[1].Skill = dispatch.Skill{Trade: "ELECTRICAL", Level: 1}
	_, err := sim.Run(context.Background(), sc, rogue{}, nil)
	if !errors.Is(err, sim.ErrBadPlan) || !errors.Is(err, dispatch.ErrUnqualified) || !strings.Contains(err.Error(), "SKILL_MISSING") {
		t.Fatalf("err = %v, want a bad plan: SKILL_MISSING", err)
	}
}

// day is a hand-made morning: Maria (HVAC level 3, one capacitor on the
// truck) and three calls in a row near the shop.
func day() *sim.Scenario {
	edt := time.FixedZone("EDT", -4*3600)
	at := func(h, m int) time.Time { return time.Date(2026, 7, 14, h, m, 0, 0, edt) }
	shop := dispatch.Location{Lat: 35.78, Lng: -78.64}
	near := func(km float64) dispatch.Location { return dispatch.Location{Lat: shop.Lat + km/111.19, Lng: shop.Lng} }
	sc := &sim.Scenario{
		Schema: sim.Schema, Name: "morning", Seed: 1, Start: at(6, 0), End: at(20, 0),
		Area:   sim.Area{Center: shop, RadiusKm: 10},
		Travel: sim.Travel{RoadFactor: 1},
		SLA: []sim.SLAPolicy{{Priority: dispatch.PriorityEmergency, ResponseMinutes: 120, ResolutionMinutes: 240},
			{Priority: dispatch.PriorityHigh, ResponseMinutes: 240, ResolutionMinutes: 480},
			{Priority: dispatch.PriorityMedium, ResponseMinutes: 480, ResolutionMinutes: 1440},
			{Priority: dispatch.PriorityLow, ResponseMinutes: 1440, ResolutionMinutes: 2880}},
		LevelFactors:     [5]float64{1.4, 1.2, 1, 0.9, 0.8},
		PartsLeadMinutes: 120, DiagnoseMinutes: 20,
		Technicians: []sim.Technician{{ID: "maria", Name: "Maria", Home: shop, Skills: []dispatch.Skill{{Trade: "HVAC", Level: 3}},
			ShiftStart: at(8, 0), ShiftEnd: at(16, 0), OvertimeMinutes: 60, Truck: map[string]int{"CAP": 1},
			Break: &sim.Break{Earliest: at(11, 0), Latest: at(12, 0), Minutes: 30}}},
		Jobs: []sim.Job{
			{ID: "A", Title: "No cooling", CallAt: at(5, 0), Location: near(6), Skill: dispatch.Skill{Trade: "HVAC", Level: 2},
				Priority: dispatch.PriorityHigh, EstimateMinutes: 60, Parts: map[string]int{"CAP": 1}, Truth: sim.Truth{Factor: 1.5}},
			{ID: "B", Title: "Tune-up", CallAt: at(5, 0), Location: near(12), Skill: dispatch.Skill{Trade: "HVAC", Level: 1},
				Priority: dispatch.PriorityLow, EstimateMinutes: 30, Truth: sim.Truth{FoundParts: map[string]int{"CAP": 1}},
				Window: &sim.Window{Start: at(10, 0), End: at(12, 0)}},
			{ID: "C", Title: "Thermostat", CallAt: at(9, 0), Location: near(3), Skill: dispatch.Skill{Trade: "HVAC", Level: 1},
				Priority: dispatch.PriorityMedium, EstimateMinutes: 30},
		},
	}
	for h := range sc.Travel.KPH {
		sc.Travel.KPH[h] = 36 // a kilometre in 100 s
	}
	return sc
}

// script queues fixed lists of jobs.
type script map[string][]string

func (script) Name() string { return "script" }
func (sc script) Dispatch(_ context.Context, s *sim.State, _ []sim.Event) (*sim.Plan, error) {
	q := map[string][]string{}
	for tech, jobs := range sc {
		for _, id := range jobs {
			if s.Job(id) != nil {
				q[tech] = append(q[tech], id)
			}
		}
	}
	return &sim.Plan{Queues: q}, nil
}

// ExampleRun simulates a hand-made day with a scripted dispatcher: the
// first job runs long (90 minutes for 60 estimated); Maria leaves for the
// second just in time for its window, and finds a capacitor missing (the
// only one on the truck went to the first job), so a second visit follows
// when the part arrives, two hours later; the break is taken on the first
// free moment after 11:00; with nothing left to do she waits for work until
// the end of her shift, then drives home.
func ExampleRun() {
	sc := day()
	r, err := sim.Run(context.Background(), sc, script{"maria": {"A", "B", "C", "B-2"}}, nil)
	if err != nil {
		panic(err)
	}
	for _, g := range r.Technicians[0].Segments {
		fmt.Printf("%s–%s %s", g.Start.Format("15:04"), g.End.Format("15:04"), g.Kind)
		if g.JobID != "" {
			fmt.Print(" ", g.JobID)
		}
		if g.Incomplete {
			fmt.Print(" (part missing)")
		}
		if g.LateMinutes > 0 {
			fmt.Printf(" (%.0f min late)", g.LateMinutes)
		}
		fmt.Println()
	}
	k := r.KPIs
	fmt.Printf("completed %d/%d, second visits %d, response %.0f %%, drive %.0f min\n",
		k.Completed, k.Jobs, k.SecondVisits, 100*k.ResponseRate, k.DriveMinutes)
	// Output:
	// 08:00–08:10 DRIVE A
	// 08:10–09:40 WORK A
	// 09:40–09:50 IDLE
	// 09:50–10:00 DRIVE B
	// 10:00–10:20 WORK B (part missing)
	// 10:20–10:35 DRIVE C
	// 10:35–11:05 WORK C
	// 11:05–11:35 BREAK
	// 11:35–12:05 IDLE
	// 12:05–12:20 DRIVE B-2
	// 12:20–12:50 WORK B-2
	// 12:50–16:00 IDLE
	// 16:00–16:20 DRIVE
	// completed 3/3, second visits 1, response 100 %, drive 70 min
}

// TestInvariants: whatever the day and the policy, each technician's
// segments follow each other without overlap, drives chain from place to
// place, work happens on shift or within its overtime, a job is worked by
// one technician at a time, and the counts add up.
func TestInvariants(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		preset := rapid.SampledFrom(sim.Presets()).Draw(rt, "preset")
		c, _ := sim.Preset(preset)
		c.Seed = rapid.Uint64Range(1, 1<<20).Draw(rt, "seed")
		c.Technicians = rapid.IntRange(1, 4).Draw(rt, "techs")
		c.Jobs = rapid.IntRange(0, 20).Draw(rt, "jobs")
		c.SickBeforeShift = min(c.SickBeforeShift, c.Technicians-1)
		c.SickMidday = min(c.SickMidday, max(0, c.Technicians-1-c.SickBeforeShift))
		sc, err := sim.Generate(c)
		if err != nil {
			rt.Fatal(err)
		}
		d := rapid.SampledFrom([]sim.Dispatcher{
			sim.NewOptimizer(&sim.OptimizerConfig{Iterations: 40, InsertIterations: 10}), sim.NewNearest(), sim.NewFixedZone(),
		}).Draw(rt, "policy")
		r, err := sim.Run(context.Background(), sc, d, nil)
		if err != nil {
			rt.Fatal(err)
		}
		for i, td := range r.Technicians {
			def := sc.Technicians[i]
			pos := def.Home
			var last time.Time
			for _, g := range td.Segments {
				if g.Start.Before(last) || !g.End.After(g.Start) {
					rt.Fatalf("%s: segment %+v overlaps or is empty (last end %s)", td.ID, g, last)
				}
				last = g.End
				if g.Start.Before(def.ShiftStart) {
					rt.Fatalf("%s: %s before the shift", td.ID, g.Kind)
				}
				if g.Kind == sim.SegDrive {
					if g.From != pos {
						rt.Fatalf("%s: drive from %v, but was at %v", td.ID, g.From, pos)
					}
					pos = g.To
				}
				if g.Kind == sim.SegWork && g.Start.After(def.ShiftEnd.Add(time.Duration(def.OvertimeMinutes)*time.Minute)) {
					rt.Fatalf("%s: work starts %s, past the overtime", td.ID, g.Start.Format("15:04"))
				}
			}
			if td.SickAt.IsZero() && !td.HomeAt.IsZero() && pos != def.Home {
				rt.Fatalf("%s: home at %s but last drive ended at %v", td.ID, td.HomeAt, pos)
			}
		}
		k := r.KPIs
		if k.Completed+k.Open != k.Jobs || k.Jobs != len(sc.Jobs) {
			rt.Fatalf("jobs %d = completed %d + open %d, scenario %d", k.Jobs, k.Completed, k.Open, len(sc.Jobs))
		}
		sum := 0
		for _, p := range k.ByPriority {
			sum += p.Jobs
			if p.ResponseMet > p.Jobs || p.ResolutionMet > p.Completed {
				rt.Fatalf("priority %+v", p)
			}
		}
		if sum != k.Jobs {
			rt.Fatalf("priorities sum to %d jobs of %d", sum, k.Jobs)
		}
	})
}
