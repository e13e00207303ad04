package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hestami-ai/opsengine/dispatch"
)

// drawSnapshot draws a small generated day with a few locked and notified
// jobs.
func drawSnapshot(t *rapid.T) *dispatch.Snapshot {
	s := genSnapshot(rapid.Uint64().Draw(t, "seed"), rapid.IntRange(1, 6).Draw(t, "techs"), rapid.IntRange(0, 30).Draw(t, "jobs"))
	for k := range rapid.IntRange(0, 2).Draw(t, "locked") {
		tech := &s.Technicians[rapid.IntRange(0, len(s.Technicians)-1).Draw(t, "lockTech")]
		if tech.Inactive {
			continue
		}
		s.Jobs = append(s.Jobs, dispatch.Job{
			ID: fmt.Sprintf("L%d", k), Location: tech.Start, Duration: 20 * time.Minute,
			PinnedTo: tech.ID, Locked: true, Priority: dispatch.PriorityHigh,
		})
	}
	for i := range s.Jobs {
		s.Jobs[i].Notified = rapid.Bool().Draw(t, "notified")
	}
	return s
}

// heads maps each technician to its locked stops, in order.
func heads(p *dispatch.Plan) map[string][]string {
	m := map[string][]string{}
	for _, r := range p.Routes {
		for _, st := range r.Stops {
			if st.Locked {
				m[r.TechnicianID] = append(m[r.TechnicianID], st.JobID)
			}
		}
	}
	return m
}

func sameHeads(a, b map[string][]string) error {
	for k, v := range a {
		if fmt.Sprint(v) != fmt.Sprint(b[k]) {
			return fmt.Errorf("locked stops of %s moved: %v -> %v", k, v, b[k])
		}
	}
	return nil
}

// TestPlanProperties: every plan passes the independent recomputation (no
// double booking, every stop passes every rule, reported travel and times
// exact); every routed stop passes Check against the rest of its day;
// locked stops stay put through Reoptimize and Insert; Insert keeps the
// plan feasible.
func TestPlanProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawSnapshot(t)
		o, err := dispatch.New(s, &dispatch.Options{Seed: 7, Iterations: 60})
		if err != nil {
			t.Fatal(err)
		}
		p, err := o.Optimize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := verifyPlan(s, p); err != nil {
			t.Fatalf("optimize: %v", err)
		}
		checkStops(t, s, p)
		locked := heads(p)
		for _, j := range s.Jobs {
			if j.Locked && len(locked[j.PinnedTo]) == 0 {
				t.Fatalf("locked job %s missing", j.ID)
			}
		}

		p2, err := o.Reoptimize(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if err := verifyPlan(s, p2); err != nil {
			t.Fatalf("reoptimize: %v", err)
		}
		if err := sameHeads(locked, heads(p2)); err != nil {
			t.Fatal(err)
		}

		extra := genSnapshot(rapid.Uint64().Draw(t, "newSeed"), 1, 1).Jobs[0]
		extra.ID = "NEW"
		extra.Priority = dispatch.PriorityEmergency
		p3, changes, err := o.Insert(p2, extra)
		if err != nil {
			t.Fatal(err)
		}
		s3 := *s
		s3.Jobs = append(append([]dispatch.Job(nil), s.Jobs...), extra)
		if err := verifyPlan(&s3, p3); err != nil {
			t.Fatalf("insert: %v", err)
		}
		if err := sameHeads(locked, heads(p3)); err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			if c.Kind == dispatch.ChangeMoved || c.Kind == dispatch.ChangeUnassigned {
				if c.JobID == "NEW" {
					t.Fatalf("the new job itself cannot move: %+v", c)
				}
			}
		}
	})
}

// checkStops asks Check about every routed job against the technician's
// other stops as appointments.
func checkStops(t *rapid.T, s *dispatch.Snapshot, p *dispatch.Plan) {
	jobs := map[string]dispatch.Job{}
	for _, j := range s.Jobs {
		jobs[j.ID] = j
	}
	for _, r := range p.Routes {
		for k, st := range r.Stops {
			if st.Kind != dispatch.StopJob {
				continue
			}
			s2 := *s
			s2.Technicians = append([]dispatch.Technician(nil), s.Technicians...)
			for i := range s2.Technicians {
				if s2.Technicians[i].ID != r.TechnicianID {
					continue
				}
				tech := &s2.Technicians[i]
				tech.Busy = nil
				for _, r2 := range p.Routes {
					if r2.TechnicianID != tech.ID {
						continue
					}
					for k2, o := range r2.Stops {
						if o.Kind == dispatch.StopJob && !(r2.Shift == r.Shift && k2 == k) {
							l := jobs[o.JobID].Location
							tech.Busy = append(tech.Busy, dispatch.Appointment{JobID: o.JobID, Start: o.Start, End: o.Depart, Location: &l})
						}
					}
				}
			}
			if err := dispatch.Check(&s2, r.TechnicianID, jobs[st.JobID], st.Start); err != nil {
				var re *dispatch.RuleError
				if !errors.As(err, &re) {
					t.Fatalf("check: %v", err)
				}
				t.Fatalf("stop %s of %s fails Check: %v", st.JobID, r.TechnicianID, err)
			}
		}
	}
}
