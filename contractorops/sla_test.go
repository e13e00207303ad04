package contractorops_test

import (
	"context"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// TestSLAEscalationSweep runs the periodic task of an embedded engine: the
// escalations that fell due are recorded once, with their events, and a
// hold pauses the clock.
func TestSLAEscalationSweep(t *testing.T) { eachStore(t, testSLAEscalationSweep) }

func testSLAEscalationSweep(t *testing.T, f *fixture) {
	ctx := context.Background()
	// Tuesday 2026-11-24 14:00 UTC is 09:00 in New York: within business
	// hours. HIGH responds in 4 business hours: 50 % at 11:00, 75 % at
	// 12:00, 100 % at 13:00 New York time.
	j, err := f.eng.Jobs.Create(ctx, f.owner, "j", contractorops.CreateJobInput{Title: "No cooling", Priority: jobfsm.PriorityHigh})
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	if want := time.Date(2026, 11, 24, 11, 0, 0, 0, ny); !j.SLAWakeAt.Equal(want) {
		t.Fatalf("first wake-up at %v, want %v", j.SLAWakeAt, want)
	}
	run := func() *contractorops.TaskReport {
		rep, err := f.eng.RunTaskFor(ctx, "sla-escalations", f.clock.Now(), f.org)
		if err != nil || len(rep.Failures) > 0 {
			t.Fatalf("RunTask = %+v, %v", rep, err)
		}
		return rep
	}
	run()
	if got, _ := f.eng.Jobs.Get(ctx, f.owner, j.ID); len(got.Escalations) != 0 {
		t.Fatalf("escalated before due: %+v", got.Escalations)
	}
	f.clock.Advance(2*time.Hour + time.Minute) // 11:01
	run()
	run() // a second run of the same tick changes nothing
	got, _ := f.eng.Jobs.Get(ctx, f.owner, j.ID)
	if len(got.Escalations) != 1 || got.Escalations[0].Target != "RESPONSE" || got.Escalations[0].Percent != 50 {
		t.Fatalf("escalations at 11:01 = %+v", got.Escalations)
	}
	if want := time.Date(2026, 11, 24, 12, 0, 0, 0, ny); !got.SLAWakeAt.Equal(want) {
		t.Errorf("next wake-up at %v, want %v", got.SLAWakeAt, want)
	}
	// On hold from 11:01 to 14:01: the clock stops, so 75 % moves to 15:00.
	if _, err := f.eng.Jobs.UpdateStatus(ctx, f.owner, "accept", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCreated}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Jobs.UpdateStatus(ctx, f.owner, "hold", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobOnHold, ReasonCode: "NO_ACCESS"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * time.Hour)
	run()
	got, _ = f.eng.Jobs.Get(ctx, f.owner, j.ID)
	if len(got.Escalations) != 1 {
		t.Fatalf("escalated while on hold: %+v", got.Escalations)
	}
	if _, err := f.eng.Jobs.UpdateStatus(ctx, f.owner, "resume", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCreated}); err != nil {
		t.Fatal(err)
	}
	got, _ = f.eng.Jobs.Get(ctx, f.owner, j.ID)
	if want := time.Date(2026, 11, 24, 15, 0, 0, 0, ny); !got.SLAWakeAt.Equal(want) {
		t.Errorf("wake-up after the hold at %v, want %v", got.SLAWakeAt, want)
	}
	f.clock.Advance(2 * time.Hour) // 16:01: 75 % and 100 % are due
	run()
	got, _ = f.eng.Jobs.Get(ctx, f.owner, j.ID)
	if len(got.Escalations) != 3 || got.Escalations[2].Percent != 100 {
		t.Fatalf("escalations at 16:01 = %+v", got.Escalations)
	}
	evs, _ := f.eng.Events.List(ctx, f.owner, contractorops.ListEventsInput{Type: contractorops.EventSLAEscalated})
	if len(evs.Items) != 3 || evs.Items[0].Escalation.Percent != 50 || evs.Items[0].JobNumber != j.Number {
		t.Fatalf("SLA_ESCALATED events = %+v", evs.Items)
	}
	st, _ := f.eng.Jobs.SLA(ctx, f.owner, j.ID)
	if !st.Response.Breached || st.Response.Overdue != time.Minute {
		t.Errorf("response at 16:01: breached %v by %v, want by 1m", st.Response.Breached, st.Response.Overdue)
	}
}
