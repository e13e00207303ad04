package contractorops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
)

func TestDispatcherAgent(t *testing.T) { eachStore(t, testDispatcherAgent) }

func testDispatcherAgent(t *testing.T, f *fixture) {
	ctx := context.Background()
	maria, sam := f.crew(t)
	f.clock.Set(wednesday(6, 0))
	wed := jobfsm.Date{Year: 2026, Month: 11, Day: 25}
	agent := contractorops.AgentScope(f.org, contractorops.DispatcherAgent)
	job := func(key, title string, p jobfsm.Priority, trade string, i int) *contractorops.Job {
		return f.approvedJob(t, key, contractorops.CreateJobInput{Title: title, Trade: trade, Priority: p, EstimatedMinutes: 60,
			Location: ptr(at(37.50+0.01*float64(i), -77.40-0.01*float64(i)))})
	}
	for i := range 3 {
		job(fmt.Sprint("j", i), fmt.Sprint("Call ", i), jobfsm.PriorityMedium, "HVAC", i)
	}
	nobody := job("jx", "Rewire panel", jobfsm.PriorityMedium, "ELECTRICAL", 5)
	task := func() *contractorops.TaskReport {
		t.Helper()
		rep := must(f.eng.RunTaskFor(ctx, contractorops.DispatcherAgent, f.clock.Now(), f.org))(t)
		if len(rep.Failures) > 0 {
			t.Fatalf("task failed: %v", rep.Failures)
		}
		return rep
	}
	active := func() []contractorops.Assignment {
		t.Helper()
		return must(f.eng.Dispatch.ListAssignments(ctx, f.owner, contractorops.ListAssignmentsInput{Date: wed, ActiveOnly: true}))(t)
	}

	// The morning's work is unassigned: the agent optimizes the day.
	pending := must(f.eng.Agents.DispatchPending(ctx, agent, contractorops.DispatchPendingInput{}))(t)
	if pending.Date != wed || len(pending.Jobs) != 4 || pending.Blocked != "" {
		t.Fatalf("pending = %+v", pending)
	}
	// Until the office turns it on, the schedule leaves the day alone.
	if rep := task(); rep.Actions != 0 || len(active()) != 0 {
		t.Fatalf("the agent dispatched while off: %+v", rep)
	}
	_, err := f.eng.Agents.UpdateSettings(ctx, f.scope(contractorops.RoleDispatcher), "agents-on", contractorops.AgentSettings{AutoDispatch: true})
	wantCode(t, err, contractorops.CodeForbidden)
	if s := must(f.eng.Agents.UpdateSettings(ctx, f.owner, "agents-on", contractorops.AgentSettings{AutoDispatch: true}))(t); !s.AutoDispatch {
		t.Fatalf("settings = %+v", s)
	}
	if rep := task(); rep.Actions != 1 {
		t.Fatalf("first run: %+v", rep)
	}
	asg := active()
	if len(asg) != 3 {
		t.Fatalf("%d active assignments, want 3", len(asg))
	}
	if a := f.lastAudit(t, "assignments", asg[0].ID); a.Actor != agent.Actor || a.Role != contractorops.RoleAgent || a.Procedure != "dispatch/v1/optimizeDay" {
		t.Errorf("the assignment's audit = %+v", a)
	}
	if got := must(f.eng.Jobs.Get(ctx, f.owner, nobody.ID))(t); got.TechnicianID != "" {
		t.Errorf("the electrical job went to %s", got.TechnicianID)
	}
	// Nothing new: a second run runs no command and writes nothing, the
	// job nobody can take included.
	if p := must(f.eng.Agents.DispatchPending(ctx, agent, contractorops.DispatchPendingInput{Date: wed}))(t); len(p.Jobs) != 0 {
		t.Fatalf("pending after the run = %+v", p.Jobs)
	}
	seq := f.lastChange(t)
	if rep := task(); rep.Actions != 0 || f.lastChange(t) != seq {
		t.Fatalf("second run: %+v, feed %d → %d", rep, seq, f.lastChange(t))
	}

	// An emergency arrives: the agent inserts it into the live plan.
	em := job("em", "Gas smell", jobfsm.PriorityEmergency, "HVAC", 2)
	if rep := task(); rep.Actions != 1 {
		t.Fatalf("emergency run: %+v", rep)
	}
	got := must(f.eng.Jobs.Get(ctx, f.owner, em.ID))(t)
	if got.TechnicianID != maria.ID && got.TechnicianID != sam.ID || got.Status() != jobfsm.JobScheduled {
		t.Fatalf("emergency = %s on %q", got.Status(), got.TechnicianID)
	}
	if a := f.lastAudit(t, "jobs", em.ID); a.Actor != agent.Actor || a.Procedure != "dispatch/v1/insertEmergency" {
		t.Errorf("the emergency's audit = %+v", a)
	}
	if len(active()) != 4 {
		t.Fatalf("%d active assignments after the emergency", len(active()))
	}
	seq = f.lastChange(t)
	if rep := task(); rep.Actions != 0 || f.lastChange(t) != seq {
		t.Fatalf("run after the emergency: %+v", rep)
	}

	// Run on demand, the agent reports what it did; the same key replays.
	// A job whose parts are not in stock is reported with why, not a
	// failure of the run.
	late := job("late", "Thermostat", jobfsm.PriorityLow, "HVAC", 3)
	must(f.eng.Inventory.CreateItem(ctx, f.owner, "cap", contractorops.StockItemInput{SKU: "CAP-45-5", Name: "Run capacitor", UnitCost: dec("11.00")}))(t)
	parts := f.approvedJob(t, "parts", contractorops.CreateJobInput{Title: "Capacitor", Trade: "HVAC", Priority: jobfsm.PriorityLow, EstimatedMinutes: 60,
		Location: ptr(at(37.56, -77.44)), Requirements: contractorops.Requirements{Parts: []contractorops.PartRequirement{{SKU: "CAP-45-5", Quantity: "1"}}}})
	rep := must(f.eng.Agents.Dispatch(ctx, agent, "manual", contractorops.DispatchAgentInput{Date: wed, Iterations: 500, Seed: 3}))(t)
	if len(rep.Pending) != 2 || rep.Pending[0].JobID != late.ID || rep.Pending[1].JobID != parts.ID || len(rep.Actions) != 1 {
		t.Fatalf("report = %+v", rep)
	}
	act := rep.Actions[0]
	if act.Procedure != "dispatch/v1/optimizeDay" || !act.Applied || act.Code != "" || act.Changes == nil || act.Changes.Created != 1 || len(act.Unassigned) != 2 {
		t.Fatalf("action = %+v", act)
	}
	why := map[string]string{}
	for _, u := range act.Unassigned {
		why[u.JobID] = u.Reasons[0].Code
	}
	if why[nobody.ID] != "SKILL_MISSING" || why[parts.ID] != "PARTS_MISSING" {
		t.Errorf("reasons = %v", why)
	}
	if again := must(f.eng.Agents.Dispatch(ctx, agent, "manual", contractorops.DispatchAgentInput{Date: wed, Iterations: 500, Seed: 3}))(t); again.Actions[0].Key != act.Key {
		t.Fatalf("replay = %+v", again)
	}

	// A blocked contractor is not dispatched: the report says why.
	must(f.eng.Contractor.SetBlock(ctx, f.owner, "block", "unpaid permit fines"))(t)
	blockedJob := job("blocked", "Filter", jobfsm.PriorityEmergency, "HVAC", 4)
	seq = f.lastChange(t)
	if rep := task(); rep.Actions != 0 || f.lastChange(t) != seq {
		t.Fatalf("run while blocked: %+v", rep)
	}
	rep = must(f.eng.Agents.Dispatch(ctx, agent, "while-blocked", contractorops.DispatchAgentInput{Date: wed}))(t)
	if rep.Blocked == "" || len(rep.Actions) != 0 {
		t.Fatalf("blocked report = %+v", rep)
	}
	if got := must(f.eng.Jobs.Get(ctx, f.owner, blockedJob.ID))(t); got.TechnicianID != "" {
		t.Fatalf("dispatched while blocked: %+v", got.TechnicianID)
	}

	// Technicians do not run the dispatcher.
	_, err = f.eng.Agents.Dispatch(ctx, f.technicianScope(maria.ID), "x", contractorops.DispatchAgentInput{})
	wantCode(t, err, contractorops.CodeForbidden)
}
