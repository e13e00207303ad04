package contractorops_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// Richmond, VA: the fixture organization's city (America/New_York).
func at(lat, lng float64) contractorops.Address {
	return contractorops.Address{City: "Richmond", State: "VA", Lat: &lat, Lng: &lng}
}

// crew sets up a compliant contractor with two HVAC technicians working
// 08:00–17:00 on weekdays, Maria (level 4, EPA 608) and Sam (level 2).
func (f *fixture) crew(t testing.TB) (maria, sam *contractorops.Technician) {
	t.Helper()
	ctx := context.Background()
	f.makeCompliant(t)
	week := contractorops.WeeklyHours{}
	day := spans("08:00-17:00")
	week.Monday, week.Tuesday, week.Wednesday, week.Thursday, week.Friday = day, day, day, day, day
	mk := func(key, first string, level int, certs ...string) *contractorops.Technician {
		tech := f.technician(t, key, first, "Tech", func(in *contractorops.TechnicianInput) {
			in.Home = at(37.54, -77.43)
			in.HourlyCost = decimal.RequireFromString("45.00")
		})
		ref := contractorops.TechnicianRef{TechnicianID: tech.ID}
		must(f.eng.Technicians.UpsertSkill(ctx, f.owner, key+"-skill", contractorops.SkillInput{TechnicianRef: ref, Skill: contractorops.Skill{Trade: contractorops.TradeHVAC, Level: level}}))(t)
		for _, cert := range certs {
			must(f.eng.Technicians.UpsertCertification(ctx, f.owner, key+"-"+cert, contractorops.CertificationInput{TechnicianRef: ref,
				Certification: contractorops.Certification{Name: cert, Authority: "EPA"}}))(t)
		}
		must(f.eng.Technicians.SetAvailability(ctx, f.owner, key+"-week", contractorops.AvailabilityInput{TechnicianRef: ref, Availability: week}))(t)
		return must(f.eng.Technicians.Get(ctx, f.owner, tech.ID))(t)
	}
	return mk("maria", "Maria", 4, "EPA 608"), mk("sam", "Sam", 2)
}

// approvedJob opens a job and moves it to JOB_CREATED.
func (f *fixture) approvedJob(t testing.TB, key string, in contractorops.CreateJobInput) *contractorops.Job {
	t.Helper()
	ctx := context.Background()
	j := must(f.eng.Jobs.Create(ctx, f.owner, key, in))(t)
	return must(f.eng.Jobs.UpdateStatus(ctx, f.owner, key+"-ok", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCreated}))(t)
}

// wednesday is 2026-11-25 at hh:mm in New York.
func wednesday(hh, mm int) time.Time {
	ny, _ := time.LoadLocation("America/New_York")
	return time.Date(2026, 11, 25, hh, mm, 0, 0, ny)
}

func TestAssignTech(t *testing.T) { eachStore(t, testAssignTech) }

func testAssignTech(t *testing.T, f *fixture) {
	ctx := context.Background()
	maria, sam := f.crew(t)
	j := f.approvedJob(t, "j1", contractorops.CreateJobInput{Title: "Refrigerant leak", Trade: "HVAC", Priority: jobfsm.PriorityLow,
		Location: ptr(at(37.55, -77.45)), EstimatedMinutes: 90,
		Requirements: contractorops.Requirements{Certifications: []string{"EPA 608"}, Skills: []contractorops.SkillRequirement{{Trade: "HVAC", MinLevel: 3}}}})

	assign := func(key, tech string, start time.Time) (*contractorops.AssignmentResult, error) {
		return f.eng.Dispatch.AssignTech(ctx, f.owner, key, contractorops.AssignTechInput{JobID: j.ID, TechnicianID: tech, Start: start})
	}
	// Sam lacks the certification the job requires: the compliance gate
	// names it.
	_, err := assign("a1", sam.ID, wednesday(10, 0))
	e := wantCode(t, err, contractorops.CodeLicenseInvalid)
	if !strings.Contains(e.Message, "EPA 608") {
		t.Errorf("why not Sam: %v", e)
	}
	// Maria at 17:30 is outside her shift.
	_, err = assign("a2", maria.ID, wednesday(17, 30))
	wantCode(t, err, contractorops.CodeTechnicianUnavailable)

	res := must(assign("a3", maria.ID, wednesday(10, 0)))(t)
	if res.Assignment.Status() != jobfsm.AssignmentAssigned || res.Visit.TechnicianID != maria.ID || res.Job.TechnicianID != maria.ID ||
		res.Job.Status() != jobfsm.JobScheduled || !res.Assignment.End.Equal(wednesday(11, 30)) {
		t.Fatalf("assigned = %+v / %+v / job %s %s", res.Assignment, res.Visit, res.Job.Status(), res.Job.TechnicianID)
	}
	// A second job overlapping Maria's is a scheduling conflict.
	j2 := f.approvedJob(t, "j2", contractorops.CreateJobInput{Title: "Thermostat", Trade: "HVAC", Location: ptr(at(37.56, -77.46))})
	_, err = f.eng.Dispatch.AssignTech(ctx, f.owner, "a4", contractorops.AssignTechInput{JobID: j2.ID, TechnicianID: maria.ID, Start: wednesday(11, 0)})
	wantCode(t, err, contractorops.CodeSchedulingConflict)
	// Time off makes a technician unavailable.
	must(f.eng.Technicians.AddTimeOff(ctx, f.owner, "off", contractorops.TimeOffInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: sam.ID}, StartsAt: wednesday(8, 0), EndsAt: wednesday(12, 0), Reason: "dentist"}))(t)
	_, err = f.eng.Dispatch.AssignTech(ctx, f.owner, "a5", contractorops.AssignTechInput{JobID: j2.ID, TechnicianID: sam.ID, Start: wednesday(9, 0)})
	e = wantCode(t, err, contractorops.CodeTechnicianUnavailable)
	if e.FieldErrors[0].Code != "TIME_OFF" {
		t.Errorf("Sam on time off: %+v", e.FieldErrors)
	}
	// The technician walks the visit; the job follows.
	tech := f.technicianScope(maria.ID)
	for i, to := range []jobfsm.AssignmentStatus{jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute, jobfsm.AssignmentOnSite, jobfsm.AssignmentCompleted} {
		r := must(f.eng.Dispatch.UpdateStatus(ctx, tech, fmt.Sprint("s", i), contractorops.UpdateAssignmentStatusInput{AssignmentID: res.Assignment.ID, Status: to}))(t)
		switch to {
		case jobfsm.AssignmentEnRoute:
			if r.Job.Status() != jobfsm.JobInProgress || r.Visit.State.Status != jobfsm.VisitEnRoute {
				t.Fatalf("en route: job %s visit %s", r.Job.Status(), r.Visit.State.Status)
			}
		case jobfsm.AssignmentCompleted:
			if r.Visit.State.Status != jobfsm.VisitCompleted || r.Assignment.State.Stamps.CompletedAt.IsZero() {
				t.Fatalf("completed: visit %s, stamps %+v", r.Visit.State.Status, r.Assignment.State.Stamps)
			}
		}
	}
	done := must(f.eng.Jobs.UpdateStatus(ctx, f.owner, "done", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCompleted}))(t)
	if done.Status() != jobfsm.JobCompleted {
		t.Fatalf("job = %s", done.Status())
	}
	// Sam cannot touch Maria's assignment, and cannot see her job.
	_, err = f.eng.Dispatch.UpdateStatus(ctx, f.technicianScope(sam.ID), "x", contractorops.UpdateAssignmentStatusInput{AssignmentID: res.Assignment.ID, Status: jobfsm.AssignmentCancelled, ReasonCode: "X"})
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = f.eng.Jobs.Get(ctx, f.technicianScope(sam.ID), j.ID)
	wantCode(t, err, contractorops.CodeNotFound)
	if got := must(f.eng.Jobs.Get(ctx, tech, j.ID))(t); got.ID != j.ID {
		t.Error("Maria cannot see her own job")
	}
}

func TestReassignAndDecline(t *testing.T) { eachStore(t, testReassignAndDecline) }

func testReassignAndDecline(t *testing.T, f *fixture) {
	ctx := context.Background()
	maria, sam := f.crew(t)
	j := f.approvedJob(t, "j", contractorops.CreateJobInput{Title: "Tune-up", Trade: "HVAC", Priority: jobfsm.PriorityLow, Location: ptr(at(37.55, -77.45))})
	first := must(f.eng.Dispatch.AssignTech(ctx, f.owner, "a", contractorops.AssignTechInput{JobID: j.ID, TechnicianID: maria.ID, Start: wednesday(9, 0)}))(t)
	moved := must(f.eng.Dispatch.Reassign(ctx, f.owner, "r", contractorops.ReassignInput{AssignmentID: first.Assignment.ID, TechnicianID: sam.ID, ReasonCode: "WORKLOAD"}))(t)
	if moved.Cancelled == nil || moved.Cancelled.Status() != jobfsm.AssignmentCancelled || moved.Cancelled.State.CancelReason != "WORKLOAD" ||
		moved.Assignment.TechnicianID() != sam.ID || moved.Visit.TechnicianID != sam.ID || moved.Job.TechnicianID != sam.ID {
		t.Fatalf("reassigned = %+v", moved)
	}
	// Sam declines: the visit is unstaffed again and the job has nobody.
	dec := must(f.eng.Dispatch.UpdateStatus(ctx, f.technicianScope(sam.ID), "d", contractorops.UpdateAssignmentStatusInput{AssignmentID: moved.Assignment.ID, Status: jobfsm.AssignmentDeclined, ReasonCode: "SICK"}))(t)
	if dec.Visit.TechnicianID != "" || dec.Job.TechnicianID != "" || dec.Job.Status() != jobfsm.JobScheduled {
		t.Fatalf("after decline: visit tech %q job tech %q job %s", dec.Visit.TechnicianID, dec.Job.TechnicianID, dec.Job.Status())
	}
	list := must(f.eng.Dispatch.ListAssignments(ctx, f.owner, contractorops.ListAssignmentsInput{JobID: j.ID}))(t)
	if len(list) != 2 {
		t.Fatalf("%d assignments, want 2", len(list))
	}
	// The visit can be staffed again.
	must(f.eng.Dispatch.AssignTech(ctx, f.owner, "a2", contractorops.AssignTechInput{JobID: j.ID, TechnicianID: maria.ID, VisitID: dec.Visit.ID, Start: wednesday(13, 0)}))(t)
}

func TestComplianceGatesDispatch(t *testing.T) { eachStore(t, testComplianceGatesDispatch) }

func testComplianceGatesDispatch(t *testing.T, f *fixture) {
	ctx := context.Background()
	maria, _ := f.crew(t)
	j := f.approvedJob(t, "j", contractorops.CreateJobInput{Title: "Tune-up", Trade: "HVAC", Location: ptr(at(37.55, -77.45))})
	must(f.eng.Contractor.SetBlock(ctx, f.owner, "block", "Unpaid permit fines"))(t)
	_, err := f.eng.Dispatch.AssignTech(ctx, f.owner, "a", contractorops.AssignTechInput{JobID: j.ID, TechnicianID: maria.ID, Start: wednesday(9, 0)})
	wantCode(t, err, contractorops.CodeComplianceBlocked)
	_, err = f.eng.Dispatch.OptimizeDay(ctx, f.owner, "o", contractorops.OptimizeDayInput{Date: jobfsm.Date{Year: 2026, Month: 11, Day: 25}, Iterations: 100})
	wantCode(t, err, contractorops.CodeComplianceBlocked)
}

func TestOptimizeDayAndInsertEmergency(t *testing.T) { eachStore(t, testOptimizeDayAndInsertEmergency) }

func testOptimizeDayAndInsertEmergency(t *testing.T, f *fixture) {
	ctx := context.Background()
	maria, sam := f.crew(t)
	for i := range 6 {
		lvl := 1
		if i%3 == 0 {
			lvl = 4 // only Maria
		}
		f.approvedJob(t, fmt.Sprint("j", i), contractorops.CreateJobInput{Title: fmt.Sprint("Call ", i), Trade: "HVAC", EstimatedMinutes: 60,
			Location:     ptr(at(37.50+0.01*float64(i), -77.40-0.01*float64(i))),
			Requirements: contractorops.Requirements{Skills: []contractorops.SkillRequirement{{Trade: "HVAC", MinLevel: lvl}}}})
	}
	// A job nobody can do: a trade nobody has.
	f.approvedJob(t, "jx", contractorops.CreateJobInput{Title: "Rewire panel", Trade: "ELECTRICAL", Location: ptr(at(37.52, -77.41))})
	wed := jobfsm.Date{Year: 2026, Month: 11, Day: 25}
	plan := must(f.eng.Dispatch.OptimizeDay(ctx, f.owner, "opt", contractorops.OptimizeDayInput{Date: wed, Iterations: 300, Seed: 1}))(t)
	placed := 0
	for _, r := range plan.Routes {
		placed += len(r.Stops)
		for _, s := range r.Stops {
			if s.JobNumber == "" || s.Start.Before(wednesday(8, 0)) || s.Depart.After(wednesday(17, 0)) {
				t.Errorf("stop %+v", s)
			}
		}
	}
	if placed != 6 || !plan.Applied || plan.Changes.Created != 6 {
		t.Fatalf("placed %d, applied %v, changes %+v", placed, plan.Applied, plan.Changes)
	}
	if len(plan.Unassigned) != 1 || plan.Unassigned[0].Title != "Rewire panel" || len(plan.Unassigned[0].Reasons) != 2 ||
		plan.Unassigned[0].Reasons[0].Code != "SKILL_MISSING" || plan.Unassigned[0].Reasons[0].TechnicianName == "" {
		t.Fatalf("unassigned = %+v", plan.Unassigned)
	}
	// Replaying the command applies nothing twice.
	again := must(f.eng.Dispatch.OptimizeDay(ctx, f.owner, "opt", contractorops.OptimizeDayInput{Date: wed, Iterations: 300, Seed: 1}))(t)
	if again.PlanID != plan.PlanID {
		t.Error("a replay returned another plan")
	}
	asg := must(f.eng.Dispatch.ListAssignments(ctx, f.owner, contractorops.ListAssignmentsInput{Date: wed, ActiveOnly: true}))(t)
	if len(asg) != 6 {
		t.Fatalf("%d active assignments, want 6", len(asg))
	}
	// The board shows both technicians' days.
	board := must(f.eng.Dispatch.Board(ctx, f.owner, contractorops.BoardInput{Date: wed}))(t)
	if len(board.Rows) != 2 {
		t.Fatalf("board rows = %d", len(board.Rows))
	}
	stops := 0
	for _, row := range board.Rows {
		stops += len(row.Stops)
		if len(row.Shifts) != 1 {
			t.Errorf("%s shifts %+v", row.TechnicianName, row.Shifts)
		}
	}
	if stops != 6 {
		t.Errorf("board stops = %d", stops)
	}
	// An emergency goes into the live plan.
	em := must(f.eng.Jobs.Create(ctx, f.owner, "em", contractorops.CreateJobInput{Title: "Gas smell", Trade: "HVAC", Priority: jobfsm.PriorityEmergency, Location: ptr(at(37.53, -77.42))}))(t)
	em = must(f.eng.Jobs.UpdateStatus(ctx, f.owner, "em-ok", contractorops.UpdateJobStatusInput{ID: em.ID, Status: jobfsm.JobCreated}))(t)
	ins := must(f.eng.Dispatch.InsertEmergency(ctx, f.owner, "ins", contractorops.InsertEmergencyInput{JobID: em.ID, Date: wed}))(t)
	if !ins.Applied || len(ins.Inserted) == 0 || ins.Inserted[0].Kind != "ASSIGNED" {
		t.Fatalf("insert = %+v", ins.Inserted)
	}
	got := must(f.eng.Jobs.Get(ctx, f.owner, em.ID))(t)
	if got.TechnicianID != maria.ID && got.TechnicianID != sam.ID || got.Status() != jobfsm.JobScheduled {
		t.Fatalf("emergency job = %s on %q", got.Status(), got.TechnicianID)
	}
	asg = must(f.eng.Dispatch.ListAssignments(ctx, f.owner, contractorops.ListAssignmentsInput{Date: wed, ActiveOnly: true}))(t)
	if len(asg) < 7 {
		t.Fatalf("%d active assignments after the emergency", len(asg))
	}
	// Technicians cannot optimize.
	_, err := f.eng.Dispatch.OptimizeDay(ctx, f.technicianScope(maria.ID), "x", contractorops.OptimizeDayInput{Date: wed})
	wantCode(t, err, contractorops.CodeForbidden)
}

func TestInsertEmergencyMidDay(t *testing.T) { eachStore(t, testInsertEmergencyMidDay) }

// An emergency inserted mid-morning is planned from where the technician
// is: at a job under way whose arrival window is long past, which neither
// blocks the plan nor has its times rewritten.
func testInsertEmergencyMidDay(t *testing.T, f *fixture) {
	ctx := context.Background()
	maria, _ := f.crew(t)
	expert := contractorops.Requirements{Skills: []contractorops.SkillRequirement{{Trade: "HVAC", MinLevel: 4}}} // Maria only
	f.approvedJob(t, "a", contractorops.CreateJobInput{Title: "Boiler swap", Trade: "HVAC", EstimatedMinutes: 120, Requirements: expert,
		Location: ptr(at(37.60, -77.50)), ArrivalWindow: &contractorops.Window{Start: wednesday(8, 0), End: wednesday(9, 0)}})
	wed := jobfsm.Date{Year: 2026, Month: 11, Day: 25}
	f.clock.Set(wednesday(7, 0))
	must(f.eng.Dispatch.OptimizeDay(ctx, f.owner, "opt", contractorops.OptimizeDayInput{Date: wed, Iterations: 100, Seed: 1}))(t)
	asgs := must(f.eng.Dispatch.ListAssignments(ctx, f.owner, contractorops.ListAssignmentsInput{Date: wed, ActiveOnly: true}))(t)
	if len(asgs) != 1 || asgs[0].TechnicianID() != maria.ID {
		t.Fatalf("assignments = %+v", asgs)
	}
	a := asgs[0]
	tech := f.technicianScope(maria.ID)
	for i, st := range []jobfsm.AssignmentStatus{jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute, jobfsm.AssignmentOnSite} {
		f.clock.Set(wednesday(8, 20+10*i))
		must(f.eng.Dispatch.UpdateStatus(ctx, tech, fmt.Sprint("s", i), contractorops.UpdateAssignmentStatusInput{AssignmentID: a.ID, Status: st}))(t)
	}
	// 10:30: Maria has been on site since 08:40, 110 of 120 minutes in; the
	// job's window closed at 09:00.
	f.clock.Set(wednesday(10, 30))
	em := f.approvedJob(t, "em", contractorops.CreateJobInput{Title: "No heat, infant at home", Trade: "HVAC", Priority: jobfsm.PriorityEmergency,
		Requirements: expert, Location: ptr(at(37.603, -77.503))})
	ins := must(f.eng.Dispatch.InsertEmergency(ctx, f.owner, "ins", contractorops.InsertEmergencyInput{JobID: em.ID, Date: wed}))(t)
	if len(ins.Inserted) != 1 || ins.Inserted[0].Kind != "ASSIGNED" || ins.Inserted[0].To != maria.ID {
		t.Fatalf("inserted = %+v (the job under way must neither move nor be retimed)", ins.Inserted)
	}
	after := must(f.eng.Dispatch.ListAssignments(ctx, f.owner, contractorops.ListAssignmentsInput{Date: wed, ActiveOnly: true}))(t)
	var cur, next *contractorops.Assignment
	for i := range after {
		switch after[i].JobID {
		case a.JobID:
			cur = &after[i]
		case em.ID:
			next = &after[i]
		}
	}
	if cur == nil || next == nil {
		t.Fatalf("assignments after = %+v", after)
	}
	if !cur.Start.Equal(a.Start) || !cur.End.Equal(a.End) {
		t.Errorf("the job under way was rewritten: %s–%s, was %s–%s", cur.Start, cur.End, a.Start, a.End)
	}
	// The emergency follows the 10 minutes left, driven from the job
	// (a few hundred meters), not from Maria's home (over ten kilometers).
	if next.Start.Before(wednesday(10, 40)) || next.Start.After(wednesday(10, 45)) || next.TravelMinutes > 3 || next.DistanceMeters > 2000 {
		t.Errorf("emergency at %s after %d minutes, %d m of driving", next.Start.In(next.Start.Location()), next.TravelMinutes, next.DistanceMeters)
	}
	// 17:20: Maria is still on the first job, past her shift; a call now
	// finds nobody (both shifts are over) and says so, the day unchanged.
	f.clock.Set(wednesday(17, 20))
	late := f.approvedJob(t, "late", contractorops.CreateJobInput{Title: "Furnace short-cycling", Trade: "HVAC", Priority: jobfsm.PriorityEmergency,
		Location: ptr(at(37.55, -77.45))})
	res := must(f.eng.Dispatch.InsertEmergency(ctx, f.owner, "late", contractorops.InsertEmergencyInput{JobID: late.ID, Date: wed}))(t)
	if !slices.ContainsFunc(res.Unassigned, func(u contractorops.UnassignedView) bool { return u.JobNumber == late.Number && len(u.Reasons) > 0 }) {
		t.Errorf("a call after hours: unassigned %+v, inserted %+v", res.Unassigned, res.Inserted)
	}
	// 17:30: done at last. The board shows the visit as it happened, and
	// the emergency still waiting for a dispatcher (the after-hours insert
	// placed nothing, so it applied nothing).
	f.clock.Set(wednesday(17, 30))
	must(f.eng.Dispatch.UpdateStatus(ctx, tech, "done", contractorops.UpdateAssignmentStatusInput{AssignmentID: a.ID, Status: jobfsm.AssignmentCompleted}))(t)
	board := must(f.eng.Dispatch.Board(ctx, f.owner, contractorops.BoardInput{Date: wed}))(t)
	for _, row := range board.Rows {
		switch {
		case row.TechnicianID != maria.ID:
			if len(row.Done) != 0 {
				t.Errorf("%s did %+v", row.TechnicianName, row.Done)
			}
		case len(row.Done) != 1 || row.Done[0].JobID != a.JobID || !row.Done[0].Arrival.Equal(wednesday(8, 40)) ||
			!row.Done[0].Depart.Equal(wednesday(17, 30)) || row.Done[0].TravelMinutes != 10 || row.Done[0].LateMinutes != 0 || len(row.Stops) != 1 || row.Stops[0].JobID != em.ID:
			t.Errorf("Maria's board: done %+v, stops %+v", row.Done, row.Stops)
		}
	}
}

func TestTechnicianKPIs(t *testing.T) { eachStore(t, testTechnicianKPIs) }

func testTechnicianKPIs(t *testing.T, f *fixture) {
	ctx := context.Background()
	maria, _ := f.crew(t)
	tech := f.technicianScope(maria.ID)
	for i, start := range []time.Time{wednesday(9, 0), wednesday(13, 0)} {
		j := f.approvedJob(t, fmt.Sprint("j", i), contractorops.CreateJobInput{Title: "Tune-up", Trade: "HVAC", Priority: jobfsm.PriorityLow, Location: ptr(at(37.55, -77.45))})
		a := must(f.eng.Dispatch.AssignTech(ctx, f.owner, fmt.Sprint("a", i), contractorops.AssignTechInput{JobID: j.ID, TechnicianID: maria.ID, Start: start}))(t)
		// The first visit starts on time; the second 40 minutes late. Each
		// takes 30 minutes of driving and 1.5 hours on site.
		late := time.Duration(i) * 40 * time.Minute
		steps := []struct {
			to jobfsm.AssignmentStatus
			at time.Time
		}{
			{jobfsm.AssignmentAccepted, start.Add(-2 * time.Hour)},
			{jobfsm.AssignmentEnRoute, start.Add(late - 30*time.Minute)},
			{jobfsm.AssignmentOnSite, start.Add(late)},
			{jobfsm.AssignmentCompleted, start.Add(late + 90*time.Minute)},
		}
		for k, st := range steps {
			f.clock.Set(st.at)
			must(f.eng.Dispatch.UpdateStatus(ctx, tech, fmt.Sprint("s", i, k), contractorops.UpdateAssignmentStatusInput{AssignmentID: a.Assignment.ID, Status: st.to}))(t)
		}
	}
	kpis := must(f.eng.Technicians.KPIs(ctx, tech, contractorops.KPIInput{From: wednesday(0, 0), To: wednesday(23, 0)}))(t)
	if len(kpis) != 1 {
		t.Fatalf("kpis = %+v", kpis)
	}
	k := kpis[0]
	if k.JobsCompleted != 2 || k.OnTime != 1 || k.OnTimeRate.String() != "0.5" || !k.LaborHours.Equal(decimal.NewFromInt(3)) || !k.TravelHours.Equal(decimal.NewFromInt(1)) {
		t.Errorf("kpis = %+v", k)
	}
	_, err := f.eng.Technicians.KPIs(ctx, tech, contractorops.KPIInput{TechnicianID: "someone-else", From: wednesday(0, 0), To: wednesday(23, 0)})
	wantCode(t, err, contractorops.CodeForbidden)
}
