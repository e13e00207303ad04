package contractorops_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
)

func TestJobLifecycle(t *testing.T) { eachStore(t, testJobLifecycle) }

func testJobLifecycle(t *testing.T, f *fixture) {
	ctx := context.Background()
	cu, err := f.eng.Customers.Create(ctx, f.owner, "cu", contractorops.CustomerInput{Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := f.eng.Customers.AddLocation(ctx, f.owner, "loc", contractorops.LocationInput{CustomerID: cu.ID, Name: "Home", Address: contractorops.Address{Line1: "1 Main St", City: "Richmond"}})
	if err != nil {
		t.Fatal(err)
	}
	j, err := f.eng.Jobs.Create(ctx, f.owner, "job-1", contractorops.CreateJobInput{
		Title: "No heat upstairs", Trade: "HVAC", Priority: jobfsm.PriorityHigh, CustomerID: cu.ID, LocationID: loc.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	if j.Number != "JOB-2026-00001" || j.Status() != jobfsm.JobTicket || j.Location.Line1 != "1 Main St" || j.SLA.Name != "HIGH" {
		t.Fatalf("created job = %+v", j)
	}
	if j.SLAWakeAt.IsZero() {
		t.Error("a new ticket's SLA clock runs: it needs a wake-up time")
	}
	j2, err := f.eng.Jobs.Create(ctx, f.owner, "job-2", contractorops.CreateJobInput{Title: "Leak", Source: jobfsm.SourceLead})
	if err != nil || j2.Number != "JOB-2026-00002" || j2.Status() != jobfsm.JobLead {
		t.Fatalf("second job = %+v, %v", j2, err)
	}

	move := func(key string, to jobfsm.JobStatus, reason string) (*contractorops.Job, error) {
		return f.eng.Jobs.UpdateStatus(ctx, f.owner, key, contractorops.UpdateJobStatusInput{ID: j.ID, Status: to, ReasonCode: reason})
	}
	// TICKET → SCHEDULED is not an edge.
	_, err = move("m0", jobfsm.JobScheduled, "")
	e := wantCode(t, err, contractorops.CodeIllegalTransition)
	if len(e.FieldErrors) != 1 || e.FieldErrors[0].Code != string(jobfsm.RuleNotInTable) {
		t.Errorf("refusal names %+v, want rule NOT_IN_TABLE", e.FieldErrors)
	}
	if _, err := move("m1", jobfsm.JobCreated, ""); err != nil {
		t.Fatal(err)
	}
	// Booking a visit schedules the job.
	start := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	v, err := f.eng.Jobs.AddVisit(ctx, f.owner, "v1", contractorops.AddVisitInput{JobID: j.ID, ScheduledStart: start, ScheduledEnd: start.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.eng.Jobs.Get(ctx, f.owner, j.ID)
	if got.Status() != jobfsm.JobScheduled || v.Number != 1 {
		t.Fatalf("after booking a visit: job %s, visit %d", got.Status(), v.Number)
	}
	// Dispatch needs a technician.
	_, err = move("m2", jobfsm.JobDispatched, "")
	e = wantCode(t, err, contractorops.CodeIllegalTransition)
	if e.FieldErrors[0].Code != string(jobfsm.RuleTechnicianAssigned) {
		t.Errorf("dispatch without a technician refused by %s", e.FieldErrors[0].Code)
	}
	// Hold needs a reason code and returns where it came from.
	_, err = move("m3", jobfsm.JobOnHold, "")
	wantCode(t, err, contractorops.CodeIllegalTransition)
	if _, err := move("m4", jobfsm.JobOnHold, "WAITING_ON_PARTS"); err != nil {
		t.Fatal(err)
	}
	_, err = move("m5", jobfsm.JobCreated, "")
	wantCode(t, err, contractorops.CodeIllegalTransition)
	held, err := move("m6", jobfsm.JobScheduled, "")
	if err != nil || held.Status() != jobfsm.JobScheduled || held.Lifecycle.HeldFrom != "" {
		t.Fatalf("resume = %+v, %v", held, err)
	}
	// A visit cannot leave without a technician (dispatch assigns one).
	_, err = f.eng.Jobs.UpdateVisitStatus(ctx, f.owner, "vs", contractorops.UpdateVisitStatusInput{VisitID: v.ID, Status: jobfsm.VisitEnRoute})
	wantCode(t, err, contractorops.CodeIllegalTransition)
	sla, err := f.eng.Jobs.SLA(ctx, f.owner, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sla.Response.State != jobfsm.TargetRunning || sla.WakeAt.IsZero() {
		t.Errorf("SLA of a scheduled job: %+v", sla)
	}
	replayed, err := jobfsm.Replay(held.History)
	if err != nil || replayed.Status != jobfsm.JobScheduled {
		t.Errorf("history replays to %s, %v", replayed.Status, err)
	}
	// The outbox holds the transitions' events in order: open, created,
	// scheduled, held, resumed.
	evs, err := f.eng.Events.List(ctx, f.owner, contractorops.ListEventsInput{JobID: j.ID})
	if err != nil {
		t.Fatal(err)
	}
	var changed []jobfsm.JobStatus
	for _, ev := range evs.Items {
		if ev.Type == jobfsm.EventStatusChanged {
			changed = append(changed, ev.Detail.To)
		}
	}
	if len(changed) != 5 || changed[4] != jobfsm.JobScheduled {
		t.Errorf("JOB_STATUS_CHANGED events to %v", changed)
	}

	list, err := f.eng.Jobs.List(ctx, f.owner, contractorops.ListJobsInput{Status: []jobfsm.JobStatus{jobfsm.JobScheduled}})
	if err != nil || len(list.Items) != 1 || list.Items[0].ID != j.ID {
		t.Fatalf("list completed = %+v, %v", list, err)
	}
}

func TestJobValidationAndScope(t *testing.T) { eachStore(t, testJobValidationAndScope) }

func testJobValidationAndScope(t *testing.T, f *fixture) {
	ctx := context.Background()
	_, err := f.eng.Jobs.Create(ctx, f.owner, "k", contractorops.CreateJobInput{Source: jobfsm.SourceWorkOrder, Priority: "URGENT"})
	e := wantCode(t, err, contractorops.CodeValidationFailed)
	fields := map[string]bool{}
	for _, fe := range e.FieldErrors {
		fields[fe.Field] = true
	}
	for _, want := range []string{"title", "priority", "externalRef"} {
		if !fields[want] {
			t.Errorf("no field error on %s: %+v", want, e.FieldErrors)
		}
	}
	_, err = f.eng.Jobs.Create(ctx, f.owner, "k2", contractorops.CreateJobInput{Title: "x", CustomerID: "nope"})
	e = wantCode(t, err, contractorops.CodeNotFound)
	if len(e.FieldErrors) != 1 || e.FieldErrors[0].Field != "customerId" {
		t.Errorf("unknown customer: %+v", e.FieldErrors)
	}
	j, err := f.eng.Jobs.Create(ctx, f.owner, "k3", contractorops.CreateJobInput{Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	// A technician sees no job that is not theirs, and cannot tell it exists.
	tech := f.scope(contractorops.RoleTechnician)
	_, err = f.eng.Jobs.Get(ctx, tech, j.ID)
	wantCode(t, err, contractorops.CodeNotFound)
	page, err := f.eng.Jobs.List(ctx, tech, contractorops.ListJobsInput{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("technician list = %+v, %v", page, err)
	}
	_, err = f.eng.Jobs.AddNote(ctx, tech, "n", contractorops.AddNoteInput{JobID: j.ID, Body: "hi"})
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = f.eng.Jobs.Create(ctx, tech, "k4", contractorops.CreateJobInput{Title: "x"})
	wantCode(t, err, contractorops.CodeForbidden)

	// Cancelling needs a reason; a cancelled job is final.
	_, err = f.eng.Jobs.UpdateStatus(ctx, f.owner, "c1", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCancelled})
	wantCode(t, err, contractorops.CodeIllegalTransition)
	c, err := f.eng.Jobs.UpdateStatus(ctx, f.owner, "c2", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCancelled, ReasonCode: "CUSTOMER_CANCELLED"})
	if err != nil || c.Status() != jobfsm.JobCancelled || !c.SLAWakeAt.IsZero() {
		t.Fatalf("cancel = %+v, %v", c, err)
	}
	_, err = f.eng.Jobs.Update(ctx, f.owner, "u", contractorops.UpdateJobInput{ID: j.ID, Title: ptr("y")})
	if !errors.Is(err, contractorops.ErrIllegalTransition) {
		t.Fatalf("update of a cancelled job: %v", err)
	}
}

func TestCheckpointsGateCompletion(t *testing.T) { eachStore(t, testCheckpointsGateCompletion) }

func testCheckpointsGateCompletion(t *testing.T, f *fixture) {
	ctx := context.Background()
	j, err := f.eng.Jobs.Create(ctx, f.owner, "j", contractorops.CreateJobInput{Title: "Repipe"})
	if err != nil {
		t.Fatal(err)
	}
	j, err = f.eng.Jobs.AddCheckpoint(ctx, f.owner, "cp", contractorops.AddCheckpointInput{JobID: j.ID, Type: contractorops.CheckpointSafetyCheck, Name: "Gas shut-off tested", Required: true})
	if err != nil {
		t.Fatal(err)
	}
	cp := j.Checkpoints[0].ID
	opts, _ := f.eng.Jobs.Options(ctx, f.owner, j.ID)
	_ = opts
	failed := false
	if _, err := f.eng.Jobs.CompleteCheckpoint(ctx, f.owner, "c1", contractorops.CompleteCheckpointInput{JobID: j.ID, CheckpointID: cp, Passed: &failed}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.eng.Jobs.Get(ctx, f.owner, j.ID)
	if !got.Checkpoints[0].CompletedAt.IsZero() {
		t.Fatal("a failed required checkpoint must stay open")
	}
	passed := true
	if _, err := f.eng.Jobs.CompleteCheckpoint(ctx, f.owner, "c2", contractorops.CompleteCheckpointInput{JobID: j.ID, CheckpointID: cp, Passed: &passed}); err != nil {
		t.Fatal(err)
	}
	_, err = f.eng.Jobs.CompleteCheckpoint(ctx, f.owner, "c3", contractorops.CompleteCheckpointInput{JobID: j.ID, CheckpointID: cp, Passed: &passed})
	wantCode(t, err, contractorops.CodeIllegalTransition)
}
