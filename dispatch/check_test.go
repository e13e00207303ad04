package dispatch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// TestCheckRules walks the pipeline: each case breaks one rule and expects
// its code and family.
func TestCheckRules(t *testing.T) {
	base := func() (*dispatch.Snapshot, dispatch.Job) {
		s := crew()
		return s, s.Jobs[0] // recharge: HVAC 2, EPA-608, 09:00–11:00, 90 min
	}
	cases := []struct {
		name  string
		edit  func(s *dispatch.Snapshot, j *dispatch.Job)
		tech  string
		start time.Time
		code  dispatch.ReasonCode
		is    error
	}{
		{"eligible", func(*dispatch.Snapshot, *dispatch.Job) {}, "sam", at(9, 30), "", nil},
		{"license", func(s *dispatch.Snapshot, _ *dispatch.Job) { s.Compliance.LicenseInvalid = true }, "sam", at(9, 30), dispatch.ReasonLicenseInvalid, dispatch.ErrLicenseInvalid},
		{"trade license", func(s *dispatch.Snapshot, _ *dispatch.Job) { s.Compliance.InvalidTrades = []string{"HVAC"} }, "sam", at(9, 30), dispatch.ReasonLicenseInvalid, dispatch.ErrLicenseInvalid},
		{"insurance", func(s *dispatch.Snapshot, _ *dispatch.Job) { s.Compliance.InsuranceInvalid = true }, "sam", at(9, 30), dispatch.ReasonInsuranceInvalid, dispatch.ErrInsuranceInvalid},
		{"inactive", func(s *dispatch.Snapshot, _ *dispatch.Job) { s.Technicians[1].Inactive = true }, "sam", at(9, 30), dispatch.ReasonInactive, dispatch.ErrUnavailable},
		{"pinned", func(_ *dispatch.Snapshot, j *dispatch.Job) { j.PinnedTo = "maria" }, "sam", at(9, 30), dispatch.ReasonPinnedElsewhere, dispatch.ErrUnavailable},
		{"skill", func(*dispatch.Snapshot, *dispatch.Job) {}, "lee", at(9, 30), dispatch.ReasonSkillMissing, dispatch.ErrUnqualified},
		{"level", func(_ *dispatch.Snapshot, j *dispatch.Job) { j.Skills[0].Level = 5 }, "sam", at(9, 30), dispatch.ReasonSkillLevel, dispatch.ErrUnqualified},
		{"certification", func(*dispatch.Snapshot, *dispatch.Job) {}, "maria", at(9, 30), dispatch.ReasonCertificationMissing, dispatch.ErrUnqualified},
		{"expired", func(s *dispatch.Snapshot, _ *dispatch.Job) {
			s.Technicians[1].Certifications[0].ExpiresAt = at(0, 0).AddDate(0, 0, -1)
		}, "sam", at(9, 30), dispatch.ReasonCertificationExpired, dispatch.ErrUnqualified},
		{"territory", func(s *dispatch.Snapshot, j *dispatch.Job) {
			j.Territory = "NORTH"
			s.Technicians[1].Territories = []string{"SOUTH"}
		}, "sam", at(9, 30), dispatch.ReasonTerritory, dispatch.ErrUnqualified},
		{"parts", func(_ *dispatch.Snapshot, j *dispatch.Job) { j.Parts = map[string]int{"VALVE-3/4": 1} }, "sam", at(9, 30), dispatch.ReasonPartsMissing, dispatch.ErrShortage},
		{"window", func(*dispatch.Snapshot, *dispatch.Job) {}, "sam", at(11, 30), dispatch.ReasonOutsideWindow, dispatch.ErrConflict},
		{"soft window late", func(_ *dispatch.Snapshot, j *dispatch.Job) { j.Windows[0].Late = time.Hour }, "sam", at(11, 30), "", nil},
		{"time off", func(s *dispatch.Snapshot, _ *dispatch.Job) {
			s.Technicians[1].TimeOff = []dispatch.Interval{{Start: at(10, 0), End: at(12, 0)}}
		}, "sam", at(9, 30), dispatch.ReasonTimeOff, dispatch.ErrUnavailable},
		{"shift", func(s *dispatch.Snapshot, _ *dispatch.Job) {
			s.Technicians[1].Shifts = []dispatch.Shift{{Start: at(10, 0), End: at(16, 0)}}
		}, "sam", at(9, 30), dispatch.ReasonNoShift, dispatch.ErrUnavailable},
		{"conflict with travel", func(s *dispatch.Snapshot, _ *dispatch.Job) {
			far := dispatch.Location{Lat: 35.60, Lng: -78.90}
			s.Technicians[1].Busy = []dispatch.Appointment{{JobID: "other", Start: at(8, 0), End: at(9, 20), Location: &far}}
		}, "sam", at(9, 30), dispatch.ReasonConflict, dispatch.ErrConflict},
		{"max jobs", func(s *dispatch.Snapshot, _ *dispatch.Job) {
			s.Technicians[1].MaxJobs = 1
			s.Technicians[1].Busy = []dispatch.Appointment{{JobID: "other", Start: at(14, 0), End: at(15, 0)}}
		}, "sam", at(9, 30), dispatch.ReasonMaxJobs, dispatch.ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, j := base()
			tc.edit(s, &j)
			err := dispatch.Check(s, tc.tech, j, tc.start)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("want eligible, got %v", err)
				}
				return
			}
			var re *dispatch.RuleError
			if !errors.As(err, &re) || re.Reason.Code != tc.code {
				t.Fatalf("want %s, got %v", tc.code, err)
			}
			if !errors.Is(err, tc.is) {
				t.Fatalf("%v does not match %v", err, tc.is)
			}
		})
	}
	if err := dispatch.Check(crew(), "nobody", crew().Jobs[0], at(9, 0)); !errors.Is(err, dispatch.ErrUnknown) {
		t.Fatalf("unknown technician: %v", err)
	}
}

// TestReoptimizeKeepsNotified: with a heavy stability weight, notified
// jobs keep their technician.
func TestReoptimizeKeepsNotified(t *testing.T) {
	s := genSnapshot(5, 6, 40)
	o, err := dispatch.New(s, &dispatch.Options{Seed: 1, Iterations: 300})
	if err != nil {
		t.Fatal(err)
	}
	p, err := o.Optimize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{}
	for _, r := range p.Routes {
		for _, st := range r.Stops {
			owner[st.JobID] = r.TechnicianID
		}
	}
	for i := range s.Jobs {
		s.Jobs[i].Notified = true
	}
	o, err = dispatch.New(s, &dispatch.Options{Seed: 2, Iterations: 300, Weights: dispatch.Weights{Stability: 1e7}})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := o.Reoptimize(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyPlan(s, p2); err != nil {
		t.Fatal(err)
	}
	if len(p2.Unassigned) > len(p.Unassigned) {
		t.Fatalf("reoptimize lost jobs: %d -> %d", len(p.Unassigned), len(p2.Unassigned))
	}
	for _, r := range p2.Routes {
		for _, st := range r.Stops {
			if was, ok := owner[st.JobID]; ok && st.Kind == dispatch.StopJob && was != r.TechnicianID {
				t.Errorf("notified job %s moved from %s to %s", st.JobID, was, r.TechnicianID)
			}
		}
	}
	if p2.Objective.Travel > p.Objective.Travel {
		t.Errorf("reoptimize made travel worse: %v -> %v", p.Objective.Travel, p2.Objective.Travel)
	}
}

// TestDeterministic: an iteration budget and a seed replay exactly.
func TestDeterministic(t *testing.T) {
	s := genSnapshot(9, 5, 40)
	var plans [2]*dispatch.Plan
	for i := range plans {
		p, err := dispatch.Optimize(context.Background(), s, &dispatch.Options{Seed: 3, Iterations: 400})
		if err != nil {
			t.Fatal(err)
		}
		plans[i] = p
	}
	if plans[0].Objective.Travel != plans[1].Objective.Travel || len(plans[0].Routes) != len(plans[1].Routes) {
		t.Fatalf("plans differ: %v vs %v", plans[0].Objective, plans[1].Objective)
	}
	for k := range plans[0].Routes {
		a, b := plans[0].Routes[k], plans[1].Routes[k]
		if len(a.Stops) != len(b.Stops) {
			t.Fatalf("route %d differs", k)
		}
		for i := range a.Stops {
			if a.Stops[i] != b.Stops[i] {
				t.Fatalf("route %d stop %d differs", k, i)
			}
		}
	}
}

// TestCancelledContext returns at once with a feasible plan.
func TestCancelledContext(t *testing.T) {
	s := genSnapshot(3, 5, 40)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, err := dispatch.Optimize(ctx, s, &dispatch.Options{Iterations: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyPlan(s, p); err != nil {
		t.Fatal(err)
	}
	if p.Iterations > 16 {
		t.Fatalf("ran %d iterations after cancellation", p.Iterations)
	}
}

// TestInsertMakesRoom: a full technician drops a LOW job for an
// EMERGENCY, and a job moves to another technician when that frees a slot.
func TestInsertMakesRoom(t *testing.T) {
	shop := dispatch.Location{Lat: 35.78, Lng: -78.64}
	near := dispatch.Location{Lat: 35.79, Lng: -78.64}
	tech := func(id string, skills ...string) dispatch.Technician {
		tc := dispatch.Technician{ID: id, Start: shop, End: &shop, MaxJobs: 2,
			Shifts: []dispatch.Shift{{Start: at(8, 0), End: at(17, 0)}}}
		for _, s := range skills {
			tc.Skills = append(tc.Skills, dispatch.Skill{Trade: s, Level: 3})
		}
		return tc
	}
	job := func(id, trade string, p dispatch.Priority) dispatch.Job {
		return dispatch.Job{ID: id, Location: near, Duration: time.Hour, Priority: p,
			Skills: []dispatch.Skill{{Trade: trade, Level: 1}}}
	}
	s := &dispatch.Snapshot{Now: at(7, 0), Travel: dispatch.Haversine{},
		Technicians: []dispatch.Technician{tech("ana", "HVAC", "PLUMBING")},
		Jobs:        []dispatch.Job{job("a", "HVAC", dispatch.PriorityLow), job("b", "HVAC", dispatch.PriorityMedium)}}
	o, err := dispatch.New(s, &dispatch.Options{Iterations: 50})
	if err != nil {
		t.Fatal(err)
	}
	p, err := o.Optimize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := job("e", "PLUMBING", dispatch.PriorityEmergency)
	p2, changes, err := o.Insert(p, e)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]dispatch.ChangeKind{}
	for _, c := range changes {
		kinds[c.JobID] = c.Kind
	}
	if kinds["e"] != dispatch.ChangeAssigned || kinds["a"] != dispatch.ChangeUnassigned {
		t.Fatalf("changes %+v", changes)
	}
	s2 := *s
	s2.Jobs = append(append([]dispatch.Job(nil), s.Jobs...), e)
	if err := verifyPlan(&s2, p2); err != nil {
		t.Fatal(err)
	}

	// With a second HVAC technician, the LOW job moves instead.
	s.Technicians = append(s.Technicians, tech("bo", "HVAC"))
	o, err = dispatch.New(s, &dispatch.Options{Iterations: 50})
	if err != nil {
		t.Fatal(err)
	}
	plan := &dispatch.Plan{Routes: []dispatch.Route{{TechnicianID: "ana", Stops: []dispatch.Stop{
		{Kind: dispatch.StopJob, JobID: "a", Start: at(8, 10)}, {Kind: dispatch.StopJob, JobID: "b", Start: at(9, 20)}}}}}
	p3, changes, err := o.Insert(plan, e)
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, c := range changes {
		if c.Kind == dispatch.ChangeMoved && c.To == "bo" {
			moved++
		}
		if c.Kind == dispatch.ChangeUnassigned {
			t.Fatalf("dropped %s instead of moving it", c.JobID)
		}
	}
	if moved != 1 {
		t.Fatalf("changes %+v", changes)
	}
	s2.Technicians = s.Technicians
	if err := verifyPlan(&s2, p3); err != nil {
		t.Fatal(err)
	}
}

// TestBalance: the optional balance level spreads the work.
func TestBalance(t *testing.T) {
	s := genSnapshot(11, 6, 30)
	spread := func(w dispatch.Weights) (float64, int) {
		p, err := dispatch.Optimize(context.Background(), s, &dispatch.Options{Seed: 1, Iterations: 1500, Weights: w})
		if err != nil {
			t.Fatal(err)
		}
		if err := verifyPlan(s, p); err != nil {
			t.Fatal(err)
		}
		squares := 0.0 // hours² of work summed over shifts
		for _, r := range p.Routes {
			h := r.Travel.Hours()
			for _, st := range r.Stops {
				if st.Kind == dispatch.StopJob {
					h += st.Depart.Sub(st.Start).Hours()
				}
			}
			squares += h * h
		}
		return squares, len(p.Unassigned)
	}
	plain, u1 := spread(dispatch.Weights{})
	even, u2 := spread(dispatch.Weights{Balance: 1})
	if u2 > u1 {
		t.Fatalf("balance cost jobs: %d unassigned, %d without", u2, u1)
	}
	if even > plain {
		t.Fatalf("sum of squared work hours %.1f with balance, %.1f without", even, plain)
	}
	t.Logf("sum of squared work hours %.1f, %.1f with balance", plain, even)
}
