package jobfsm_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/shopspring/decimal"
)

// show prints what a transition decided: the history line, the stamps and
// the events after the status change.
func show(ch jobfsm.Change) {
	e := ch.Entry
	line := fmt.Sprintf("%-19s %s → %s", e.Action, orStart(e.From), e.To)
	for _, s := range ch.Stamps {
		line += " +" + strings.ToLower(string(s.Field))
	}
	for _, ev := range ch.Events[1:] {
		switch ev.Type {
		case jobfsm.EventWorkOrderStatus:
			line += " wo:" + string(ev.WorkOrderStatus)
		case jobfsm.EventCaseStatus:
			line += " case:" + string(ev.CaseStatus)
		default:
			line += " " + string(ev.Type)
		}
	}
	fmt.Println(line)
}

func orStart(s jobfsm.JobStatus) string {
	if s == "" {
		return "·"
	}
	return string(s)
}

// A job from a customer's call to its closing, ServiceTitan style: the
// engine maps each command to an action and passes the facts it reads
// from its store; jobfsm decides, the engine persists.
func Example() {
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	r := func(actor string, minutes int) jobfsm.Request {
		return jobfsm.Request{Actor: actor, At: at.Add(time.Duration(minutes) * time.Minute)}
	}
	ch, err := jobfsm.Open(jobfsm.SourceDirectCustomer, r("csr-1", 0))
	if err != nil {
		panic(err)
	}
	show(ch)
	job := ch.Job
	var facts jobfsm.Facts
	for _, step := range []struct {
		action  jobfsm.Action
		actor   string
		minutes int
		change  func(*jobfsm.Facts)
	}{
		{jobfsm.ActionBook, "csr-1", 2, nil},
		{jobfsm.ActionSchedule, "csr-1", 5, func(f *jobfsm.Facts) { f.Visits.Scheduled = 1 }},
		{jobfsm.ActionDispatch, "dispatcher-1", 60, func(f *jobfsm.Facts) { f.TechnicianAssigned = true }},
		{jobfsm.ActionStart, "tech-7", 95, func(f *jobfsm.Facts) { f.Visits = jobfsm.VisitCounts{Active: 1} }},
		{jobfsm.ActionComplete, "tech-7", 210, func(f *jobfsm.Facts) { f.Visits = jobfsm.VisitCounts{Completed: 1} }},
		{jobfsm.ActionInvoice, "office-1", 240, func(f *jobfsm.Facts) {
			f.Invoices, f.BalanceDue = 1, decimal.RequireFromString("389.00")
		}},
		{jobfsm.ActionPay, "office-1", 300, func(f *jobfsm.Facts) { f.BalanceDue = decimal.Zero }},
		{jobfsm.ActionClose, "office-1", 301, nil},
	} {
		if step.change != nil {
			step.change(&facts)
		}
		ch, err := job.Perform(step.action, facts, r(step.actor, step.minutes))
		if err != nil {
			panic(err)
		}
		show(ch)
		job = ch.Job
	}
	fmt.Println("started", job.Stamps.StartedAt.Format("15:04"), "completed", job.Stamps.CompletedAt.Format("15:04"), "closed by", job.Stamps.ClosedBy)
	// Output:
	// OPEN                · → TICKET SLA_STARTED
	// BOOK                TICKET → JOB_CREATED
	// SCHEDULE            JOB_CREATED → SCHEDULED wo:SCHEDULED case:IN_PROGRESS
	// DISPATCH            SCHEDULED → DISPATCHED +dispatched_at
	// START               DISPATCHED → IN_PROGRESS +started_at SLA_RESPONDED wo:IN_PROGRESS
	// COMPLETE            IN_PROGRESS → COMPLETED +completed_at SLA_RESOLVED wo:COMPLETED case:RESOLVED
	// INVOICE             COMPLETED → INVOICED +invoiced_at
	// PAY                 INVOICED → PAID +paid_at
	// CLOSE               PAID → CLOSED +closed_at wo:CLOSED case:CLOSED
	// started 09:35 completed 11:30 closed by office-1
}

// A technician waits for a part: the dispatcher holds the job with a
// reason code, the SLA clock pauses, the board shows what may follow, and
// RESUME returns the job to where it was.
func Example_holdAndResume() {
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	facts := jobfsm.Facts{TechnicianAssigned: true, Visits: jobfsm.VisitCounts{Active: 1}}
	opened, _ := jobfsm.Open(jobfsm.SourceWorkOrder, jobfsm.Request{Actor: "csr-1", At: at})
	job, history := opened.Job, []jobfsm.HistoryEntry{opened.Entry}
	for _, a := range []jobfsm.Action{jobfsm.ActionBook, jobfsm.ActionSchedule, jobfsm.ActionDispatch, jobfsm.ActionStart} {
		ch, _ := job.Perform(a, facts, jobfsm.Request{Actor: "dispatcher-1", At: at.Add(time.Hour)})
		job, history = ch.Job, append(history, ch.Entry)
	}

	hold := jobfsm.Request{Actor: "dispatcher-1", At: at.Add(2 * time.Hour)}
	_, err := job.Perform(jobfsm.ActionHold, facts, hold)
	fmt.Println(err)
	hold.ReasonCode, hold.Reason = "WAITING_ON_PARTS", "compressor on order"
	ch, _ := job.Perform(jobfsm.ActionHold, facts, hold)
	show(ch)
	job, history = ch.Job, append(history, ch.Entry)

	for _, o := range job.Options(facts, hold.At) {
		state := "allowed"
		if !o.Allowed {
			state = "refused by " + string(o.Refusals[0].Rule)
		}
		if o.NeedsReason {
			state += ", asks for a reason code"
		}
		fmt.Printf("  %-9s → %-11s %s\n", o.Action, o.To, state)
	}

	ch, _ = job.Perform(jobfsm.ActionResume, facts, jobfsm.Request{Actor: "dispatcher-1", At: at.Add(26 * time.Hour)})
	show(ch)
	history = append(history, ch.Entry)

	// Two hours ran before the hold, one after; the day on hold does not count.
	policy := jobfsm.Policy{Name: "24x7", ResponseMinutes: 4 * 60, ResolutionMinutes: 8 * 60, WallClock: true}
	clock, _ := jobfsm.NewSLAClock(policy, nil, history)
	res := clock.Status(at.Add(27 * time.Hour)).Resolution
	fmt.Println("resolution:", res.State, "elapsed", res.Elapsed, "remaining", res.Remaining)
	// Output:
	// jobfsm: JOB IN_PROGRESS → ON_HOLD refused by REASON_CODE_REQUIRED: a reason code is required
	// HOLD                IN_PROGRESS → ON_HOLD SLA_PAUSED
	//   RESUME    → JOB_CREATED refused by HOLD_RETURN
	//   SCHEDULE  → SCHEDULED   refused by HOLD_RETURN
	//   DISPATCH  → DISPATCHED  refused by HOLD_RETURN
	//   START     → IN_PROGRESS allowed
	//   CANCEL    → CANCELLED   allowed, asks for a reason code
	// RESUME              ON_HOLD → IN_PROGRESS SLA_RESUMED
	// resolution: RUNNING elapsed 3h0m0s remaining 5h0m0s
}

// After the job is paid, its warranty runs; a callback within the warranty
// reopens the job for rework, which leaves startedAt alone; once the
// warranty has ended, reopening is refused.
func Example_warrantyRework() {
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	r := func(days int) jobfsm.Request {
		return jobfsm.Request{Actor: "service-manager", At: at.AddDate(0, 0, days)}
	}
	job := jobfsm.Job{
		Status:       jobfsm.JobPaid,
		WarrantyEnds: at.AddDate(0, 0, 90),
		Stamps:       jobfsm.Stamps{StartedAt: at.AddDate(0, 0, -2), CompletedAt: at.AddDate(0, 0, -1)},
	}
	facts := jobfsm.Facts{TechnicianAssigned: true, Invoices: 1, Visits: jobfsm.VisitCounts{Completed: 1}}

	for _, step := range []struct {
		action jobfsm.Action
		day    int
	}{
		{jobfsm.ActionEnterWarranty, 0},
		{jobfsm.ActionReopenForWarranty, 30}, // the compressor rattles
		{jobfsm.ActionComplete, 31},
		{jobfsm.ActionEnterWarranty, 31},
		{jobfsm.ActionReopenForWarranty, 95}, // too late
		{jobfsm.ActionClose, 95},
	} {
		ch, err := job.Perform(step.action, facts, r(step.day))
		if err != nil {
			fmt.Println(err)
			continue
		}
		show(ch)
		job = ch.Job
	}
	fmt.Println("first started", job.Stamps.StartedAt.Format(time.DateOnly), "last completed", job.Stamps.CompletedAt.Format(time.DateOnly))
	// Output:
	// ENTER_WARRANTY      PAID → WARRANTY
	// REOPEN_FOR_WARRANTY WARRANTY → IN_PROGRESS wo:IN_PROGRESS case:IN_PROGRESS
	// COMPLETE            IN_PROGRESS → COMPLETED +completed_at wo:COMPLETED case:RESOLVED
	// ENTER_WARRANTY      COMPLETED → WARRANTY
	// jobfsm: JOB WARRANTY → IN_PROGRESS refused by WARRANTY_ACTIVE: the job's warranty must be recorded and not ended (the warranty ended 2026-08-30T09:00:00Z)
	// CLOSE               WARRANTY → CLOSED +closed_at wo:CLOSED case:CLOSED
	// first started 2026-05-30 last completed 2026-07-02
}

// A HIGH-priority ticket comes in late on a Friday at an office open 8:00
// to 17:00 in New York: the 4-hour response target runs over the weekend
// only in business hours, and is breached on Monday.
func Example_slaBreachInBusinessHours() {
	ny, err := time.LoadLocation("America/New_York") // the engine loads zones; jobfsm never reads files
	if err != nil {
		panic(err)
	}
	day := []jobfsm.Span{{Start: jobfsm.HM(8, 0), End: jobfsm.HM(17, 0)}}
	cal, err := jobfsm.NewCalendar(ny, jobfsm.BusinessHours{
		Week:     jobfsm.Week{Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day},
		Holidays: []jobfsm.Date{{Year: 2026, Month: time.November, Day: 26}},
	})
	if err != nil {
		panic(err)
	}
	policy, _ := jobfsm.DefaultPolicies().For(jobfsm.PriorityHigh, nil)
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, ny) }

	opened, _ := jobfsm.Open(jobfsm.SourceWorkOrder, jobfsm.Request{Actor: "csr-1", At: at(20, 15, 0)})
	history := []jobfsm.HistoryEntry{opened.Entry}
	clock, _ := jobfsm.NewSLAClock(policy, cal, history)

	report := func(now time.Time) {
		st := clock.Status(now)
		r := st.Response
		fmt.Printf("%s: response %s, elapsed %v, remaining %v, due %s",
			now.Format("Mon 15:04"), r.State, r.Elapsed, r.Remaining, r.Due.Format("Mon 15:04"))
		if r.Breached {
			fmt.Printf(", overdue by %v", r.Overdue)
		}
		if !st.WakeAt.IsZero() {
			fmt.Printf(", wake at %s", st.WakeAt.Format("Mon 15:04"))
		}
		fmt.Println()
	}
	report(at(20, 16, 0))
	report(at(21, 11, 0)) // Saturday: the clock does not run
	report(at(23, 11, 30))

	// The technician gets going at noon on Monday.
	job := opened.Job
	facts := jobfsm.Facts{TechnicianAssigned: true, Visits: jobfsm.VisitCounts{Scheduled: 1}}
	for _, s := range []jobfsm.JobStatus{jobfsm.JobCreated, jobfsm.JobScheduled, jobfsm.JobDispatched, jobfsm.JobInProgress} {
		ch, err := job.Apply(s, facts, jobfsm.Request{Actor: "dispatcher-1", At: at(23, 12, 0)})
		if err != nil {
			panic(err)
		}
		job, history = ch.Job, append(history, ch.Entry)
	}
	clock, _ = jobfsm.NewSLAClock(policy, cal, history)
	report(at(23, 13, 0))
	// Output:
	// Fri 16:00: response RUNNING, elapsed 1h0m0s, remaining 3h0m0s, due Mon 10:00, wake at Fri 17:00
	// Sat 11:00: response RUNNING, elapsed 2h0m0s, remaining 2h0m0s, due Mon 10:00, wake at Mon 09:00
	// Mon 11:30: response RUNNING, elapsed 5h30m0s, remaining 0s, due Mon 10:00, overdue by 1h30m0s, wake at Mon 14:00
	// Mon 13:00: response MISSED, elapsed 6h0m0s, remaining 0s, due Mon 10:00, overdue by 2h0m0s, wake at Mon 14:00
}

// The buttons of a dispatch board: every move out of the job's status,
// and why the disabled ones are disabled.
func ExampleJob_Options() {
	job := jobfsm.Job{Status: jobfsm.JobScheduled}
	facts := jobfsm.Facts{Visits: jobfsm.VisitCounts{Scheduled: 1}} // nobody assigned yet
	for _, o := range job.Options(facts, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)) {
		var why []string
		for _, r := range o.Refusals {
			why = append(why, r.Rule.Description())
		}
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%-10s allowed=%-5v %s", o.Action, o.Allowed, strings.Join(why, "; "))))
	}
	// Output:
	// RESCHEDULE allowed=true
	// UNSCHEDULE allowed=false every visit must be completed or cancelled
	// DISPATCH   allowed=false a technician must be assigned
	// HOLD       allowed=true
	// CANCEL     allowed=true
}

// A refused transition is a typed error naming its rule.
func ExampleTransitionError() {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	job := jobfsm.Job{Status: jobfsm.JobInvoiced}
	facts := jobfsm.Facts{Invoices: 1, BalanceDue: decimal.RequireFromString("120.50")}
	_, err := job.Perform(jobfsm.ActionPay, facts, jobfsm.Request{Actor: "office-1", At: now})
	var te *jobfsm.TransitionError
	fmt.Println(errors.Is(err, jobfsm.ErrGuardFailed), errors.As(err, &te), te.Rule, te.Detail)
	_, err = jobfsm.Job{Status: jobfsm.JobClosed}.Perform(jobfsm.ActionPay, facts, jobfsm.Request{Actor: "office-1", At: now})
	fmt.Println(errors.Is(err, jobfsm.ErrIllegalTransition), err)
	// Output:
	// true true BALANCE_SETTLED balance due 120.5
	// true jobfsm: JOB CLOSED → PAY refused by TERMINAL_STATUS: the status is final: nothing may follow it
}

// The job follows its visits: the first technician on the way puts a
// scheduled job IN_PROGRESS (through DISPATCHED, so that every guard runs);
// when every visit is done the job may complete.
func ExampleFollowVisits() {
	visits := []jobfsm.VisitStatus{jobfsm.VisitEnRoute, jobfsm.VisitScheduled} // day 1 under way, day 2 booked
	f := jobfsm.FollowVisits(jobfsm.JobScheduled, jobfsm.CountVisits(visits))
	fmt.Println(f.Status, f.Path, f.ReadyToComplete)
	visits = []jobfsm.VisitStatus{jobfsm.VisitCompleted, jobfsm.VisitCompleted}
	f = jobfsm.FollowVisits(jobfsm.JobInProgress, jobfsm.CountVisits(visits))
	fmt.Println(f.Status, f.Path, f.ReadyToComplete)
	// Output:
	// IN_PROGRESS [DISPATCHED IN_PROGRESS] false
	// IN_PROGRESS [] true
}

// Giving the work to another technician cancels the assignment with a
// reason and creates a new one: nothing is reassigned in place.
func ExampleAssignment_Reassign() {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	a := jobfsm.Assignment{Status: jobfsm.AssignmentAccepted, TechnicianID: "tech-7"}
	re, _ := a.Reassign("tech-9", jobfsm.Request{Actor: "dispatcher-1", ReasonCode: "TECH_SICK", At: at})
	old, fresh := re.Cancelled.Assignment, re.New.Assignment
	fmt.Println(old.TechnicianID, old.Status, old.CancelReason)
	fmt.Println(fresh.TechnicianID, fresh.Status, fresh.AssignedBy, fresh.Stamps.AssignedAt.Format(time.Kitchen))
	// Output:
	// tech-7 CANCELLED TECH_SICK
	// tech-9 ASSIGNED dispatcher-1 9:00AM
}

// Business time is wall-clock time in the calendar's zone: the night the
// clocks fall back, a night shift from 22:00 to 06:00 lasts nine hours.
func ExampleCalendar_Elapsed() {
	ny, _ := time.LoadLocation("America/New_York")
	night := []jobfsm.Span{{Start: jobfsm.HM(22, 0), End: jobfsm.HM(6, 0)}}
	cal, _ := jobfsm.NewCalendar(ny, jobfsm.BusinessHours{Week: jobfsm.Week{Saturday: night}})
	start := time.Date(2026, 10, 31, 12, 0, 0, 0, ny)
	fmt.Println(cal.Elapsed(start, start.AddDate(0, 0, 1)))
	fmt.Println(cal.Deadline(start, 8*time.Hour).Format("Mon 15:04 MST"))
	// Output:
	// 9h0m0s
	// Sun 05:00 EST
}
