package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// at is a time on the example day.
func at(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }

// crew is a small HVAC and plumbing shop in Raleigh, NC.
func crew() *dispatch.Snapshot {
	shop := dispatch.Location{Lat: 35.7796, Lng: -78.6382}
	day := []dispatch.Shift{{Start: at(8, 0), End: at(17, 0)}}
	return &dispatch.Snapshot{
		Now:    at(7, 0),
		Travel: dispatch.Haversine{RoadFactor: 1.3, KPH: 40},
		Technicians: []dispatch.Technician{
			{ID: "maria", Name: "Maria", Start: shop, End: &shop, Shifts: day,
				Skills: []dispatch.Skill{{Trade: "HVAC", Level: 3}}},
			{ID: "sam", Name: "Sam", Start: shop, End: &shop,
				Shifts:         []dispatch.Shift{{Start: at(8, 0), End: at(16, 0)}},
				Skills:         []dispatch.Skill{{Trade: "HVAC", Level: 4}},
				Certifications: []dispatch.Certification{{Name: "EPA-608"}},
				Breaks:         []dispatch.Break{{Earliest: at(12, 0), Latest: at(13, 0), Duration: 30 * time.Minute}}},
			{ID: "lee", Name: "Lee", Start: shop, End: &shop, Shifts: day,
				Skills: []dispatch.Skill{{Trade: "PLUMBING", Level: 2}},
				Truck:  map[string]int{"VALVE-3/4": 2}},
		},
		Jobs: []dispatch.Job{
			{ID: "recharge", Location: dispatch.Location{Lat: 35.8302, Lng: -78.6414}, Duration: 90 * time.Minute,
				Skills: []dispatch.Skill{{Trade: "HVAC", Level: 2}}, Certifications: []string{"EPA-608"},
				Windows: []dispatch.Window{{Start: at(9, 0), End: at(11, 0)}}, Priority: dispatch.PriorityHigh},
			{ID: "leak", Location: dispatch.Location{Lat: 35.7471, Lng: -78.6044}, Duration: time.Hour,
				Skills: []dispatch.Skill{{Trade: "PLUMBING", Level: 1}}, Parts: map[string]int{"VALVE-3/4": 1},
				Windows: []dispatch.Window{{Start: at(10, 0), End: at(12, 0)}}, Priority: dispatch.PriorityMedium},
			{ID: "tuneup", Location: dispatch.Location{Lat: 35.7915, Lng: -78.7811}, Duration: time.Hour,
				Skills: []dispatch.Skill{{Trade: "HVAC", Level: 1}}},
			{ID: "late-recharge", Location: dispatch.Location{Lat: 35.8032, Lng: -78.5661}, Duration: time.Hour,
				Skills: []dispatch.Skill{{Trade: "HVAC", Level: 2}}, Certifications: []string{"EPA-608"},
				Windows: []dispatch.Window{{Start: at(16, 30), End: at(17, 30)}}},
		},
	}
}

// Optimize plans the day, and says why each technician was passed over for
// the job it could not place.
func ExampleOptimize() {
	s := crew()
	plan, err := dispatch.Optimize(context.Background(), s, &dispatch.Options{Seed: 1, Iterations: 200})
	if err != nil {
		panic(err)
	}
	for _, r := range plan.Routes {
		fmt.Printf("%s leaves %s:", r.TechnicianID, r.Depart.Format("15:04"))
		for _, st := range r.Stops {
			fmt.Printf(" %s %s", st.Kind, st.JobID)
			fmt.Printf("@%s", st.Start.Format("15:04"))
		}
		fmt.Printf(", back %s\n", r.Return.Format("15:04"))
	}
	for _, u := range plan.Unassigned {
		fmt.Println("unassigned:", u.JobID)
		for _, why := range u.Reasons {
			fmt.Printf("  why not %s: %s (%s)\n", why.TechnicianID, why.Code, why.Detail)
		}
	}
	// Output:
	// sam leaves 08:00: JOB tuneup@08:25 JOB recharge@09:51 BREAK @12:00, back 12:40
	// lee leaves 09:50: JOB leak@10:00, back 11:09
	// unassigned: late-recharge
	//   why not maria: CERTIFICATION_MISSING (no EPA-608 certification)
	//   why not sam: OUTSIDE_SHIFT (shift ends 16:00)
	//   why not lee: SKILL_MISSING (no HVAC skill)
}

// Check answers the engine's question "can this technician take this job
// at this time?" with the first failing rule, matched by family.
func ExampleCheck() {
	s := crew()
	job := s.Jobs[0] // needs EPA-608
	err := dispatch.Check(s, "maria", job, at(9, 30))
	fmt.Println(err)
	fmt.Println(errors.Is(err, dispatch.ErrUnqualified))
	err = dispatch.Check(s, "sam", job, at(9, 30))
	fmt.Println(err)
	err = dispatch.Check(s, "sam", job, at(15, 0))
	fmt.Println(err)
	// Output:
	// dispatch: job recharge, technician maria: CERTIFICATION_MISSING: no EPA-608 certification
	// true
	// <nil>
	// dispatch: job recharge, technician sam: OUTSIDE_WINDOW: 15:00 is outside the arrival windows
}

// Insert puts an emergency into a live plan and reports what changed.
func ExampleOptimizer_Insert() {
	s := crew()
	o, err := dispatch.New(s, &dispatch.Options{Seed: 1, Iterations: 200})
	if err != nil {
		panic(err)
	}
	plan, err := o.Optimize(context.Background())
	if err != nil {
		panic(err)
	}
	burst := dispatch.Job{ID: "burst-pipe", Location: dispatch.Location{Lat: 35.7600, Lng: -78.6200},
		Duration: 45 * time.Minute, Priority: dispatch.PriorityEmergency,
		Skills:      []dispatch.Skill{{Trade: "PLUMBING", Level: 1}},
		SLADeadline: at(11, 0)}
	_, changes, err := o.Insert(plan, burst)
	if err != nil {
		panic(err)
	}
	for _, c := range changes {
		fmt.Printf("%s %s to %s at %s\n", c.JobID, c.Kind, c.To, c.NewStart.Format("15:04"))
	}
	// Output:
	// burst-pipe ASSIGNED to lee at 08:05
}

// Board lays the plan out per technician with the idle gaps a dispatcher
// can still fill.
func ExamplePlan_Board() {
	s := crew()
	plan, err := dispatch.Optimize(context.Background(), s, &dispatch.Options{Seed: 1, Iterations: 200})
	if err != nil {
		panic(err)
	}
	for _, row := range plan.Board(s) {
		fmt.Printf("%s: %d stops, travel %s, gaps", row.TechnicianID, len(row.Stops), row.Travel.Round(time.Minute))
		for _, g := range row.Gaps {
			fmt.Printf(" %s–%s", g.Start.Format("15:04"), g.End.Format("15:04"))
		}
		fmt.Println()
	}
	// Output:
	// maria: 0 stops, travel 0s, gaps 08:00–17:00
	// sam: 3 stops, travel 1h2m0s, gaps 12:40–16:00
	// lee: 1 stops, travel 18m0s, gaps 08:00–09:50 11:09–17:00
}

// Reoptimize improves a live plan after the day changed: here a new job
// came in. Jobs whose customers were notified keep their technician unless
// moving them pays more than Weights.Stability.
func ExampleOptimizer_Reoptimize() {
	s := crew()
	plan, err := dispatch.Optimize(context.Background(), s, &dispatch.Options{Seed: 1, Iterations: 200})
	if err != nil {
		panic(err)
	}
	for i := range s.Jobs {
		s.Jobs[i].Notified = true
	}
	s.Jobs = append(s.Jobs, dispatch.Job{ID: "thermostat", Location: dispatch.Location{Lat: 35.7700, Lng: -78.6500},
		Duration: 30 * time.Minute, Skills: []dispatch.Skill{{Trade: "HVAC", Level: 1}},
		Windows: []dispatch.Window{{Start: at(13, 0), End: at(15, 0)}}})
	o, err := dispatch.New(s, &dispatch.Options{Seed: 1, Iterations: 200})
	if err != nil {
		panic(err)
	}
	next, err := o.Reoptimize(context.Background(), plan)
	if err != nil {
		panic(err)
	}
	for _, r := range next.Routes {
		fmt.Printf("%s:", r.TechnicianID)
		for _, st := range r.Stops {
			if st.Kind == dispatch.StopJob {
				fmt.Printf(" %s@%s", st.JobID, st.Start.Format("15:04"))
			}
		}
		fmt.Println()
	}
	// Output:
	// sam: recharge@09:00 tuneup@10:55 thermostat@13:00
	// lee: leak@10:00
}
