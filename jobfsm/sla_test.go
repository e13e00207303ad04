package jobfsm_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// story builds a job's history step by step, as the engine would.
type story struct {
	t       testing.TB
	job     jobfsm.Job
	history []jobfsm.HistoryEntry
}

func newStory(t testing.TB, source jobfsm.SourceType, at time.Time) *story {
	ch, err := jobfsm.Open(source, req(at))
	if err != nil {
		t.Fatal(err)
	}
	return &story{t: t, job: ch.Job, history: []jobfsm.HistoryEntry{ch.Entry}}
}

// to moves the job with facts under which every guard holds.
func (s *story) to(status jobfsm.JobStatus, at time.Time) *story {
	s.t.Helper()
	f := jobfsm.Facts{TechnicianAssigned: true, OpenEstimates: 1, AcceptedEstimates: 1, Invoices: 1, Visits: jobfsm.VisitCounts{Scheduled: 1}}
	if status == "COMPLETED" || (s.job.Status == "SCHEDULED" && status == "JOB_CREATED") {
		f.Visits = jobfsm.VisitCounts{Completed: 1}
	}
	ch, err := s.job.Apply(status, f, req(at))
	if err != nil {
		s.t.Fatal(err)
	}
	s.job = ch.Job
	s.history = append(s.history, ch.Entry)
	return s
}

func (s *story) clock(p jobfsm.Policy, cal *jobfsm.Calendar) *jobfsm.SLAClock {
	s.t.Helper()
	c, err := jobfsm.NewSLAClock(p, cal, s.history)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func TestSLABusinessHours(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	office := mustCalendar(t, ny, officeHours())
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, ny) }
	medium := jobfsm.DefaultPolicies()[jobfsm.PriorityMedium] // respond in 8, resolve in 24 business hours

	// A ticket on Friday 20 November at 15:00.
	s := newStory(t, jobfsm.SourceDirectCustomer, at(20, 15, 0)).
		to("JOB_CREATED", at(20, 15, 5)).to("SCHEDULED", at(20, 15, 10))
	c := s.clock(medium, office)

	st := c.Status(at(21, 12, 0)) // Saturday: 2 business hours have passed
	r := st.Response
	if r.State != "RUNNING" || r.Elapsed != 2*time.Hour || r.Remaining != 6*time.Hour || r.Breached || !r.Due.Equal(at(23, 14, 0)) {
		t.Fatalf("Saturday: %+v", r)
	}
	wantEsc := []jobfsm.Escalation{
		{Percent: 50, At: at(23, 10, 0)},
		{Percent: 75, At: at(23, 12, 0)},
		{Percent: 100, At: at(23, 14, 0)},
	}
	if diff := cmp.Diff(wantEsc, r.Escalations, timeEqual); diff != "" {
		t.Fatalf("escalations (-want +got):\n%s", diff)
	}
	if !st.WakeAt.Equal(at(23, 10, 0)) {
		t.Fatalf("WakeAt %v", st.WakeAt)
	}
	if next, ok := r.Next(); !ok || next.Percent != 50 {
		t.Fatalf("Next = %+v", next)
	}
	// At WakeAt the 50 % point is reached and the workflow sleeps on.
	st = c.Status(st.WakeAt)
	if !st.Response.Escalations[0].Reached || !st.WakeAt.Equal(at(23, 12, 0)) {
		t.Fatalf("at the 50 %% point: %+v, wake %v", st.Response.Escalations, st.WakeAt)
	}

	// Monday 15:30: responded late.
	s.to("DISPATCHED", at(23, 15, 0)).to("IN_PROGRESS", at(23, 15, 30))
	c = s.clock(medium, office)
	st = c.Status(at(23, 16, 0))
	r = st.Response
	if r.State != "MISSED" || !r.Breached || r.Overdue != 90*time.Minute || r.Remaining != 0 || !r.StoppedAt.Equal(at(23, 15, 30)) || !r.Due.Equal(at(23, 14, 0)) {
		t.Fatalf("responded late: %+v", r)
	}
	if st.Resolution.State != "RUNNING" || st.Resolution.Elapsed != 10*time.Hour {
		t.Fatalf("resolution: %+v", st.Resolution)
	}

	// On hold Tuesday 9:00 to Wednesday 9:00: the resolution clock stops.
	s.to("ON_HOLD", at(24, 9, 0))
	c = s.clock(medium, office)
	paused := c.Status(at(24, 16, 0)).Resolution
	if paused.State != "PAUSED" || paused.Elapsed != 12*time.Hour || !paused.Due.IsZero() || !paused.Escalations[0].Reached || !paused.Escalations[1].At.IsZero() {
		t.Fatalf("paused: %+v", paused)
	}
	if w := c.Status(at(24, 16, 0)).WakeAt; !w.IsZero() {
		t.Fatalf("a paused clock wakes at %v", w)
	}
	s.to("IN_PROGRESS", at(25, 9, 0))
	c = s.clock(medium, office)
	res := c.Status(at(25, 10, 0)).Resolution
	if res.Elapsed != 13*time.Hour || !res.Due.Equal(at(26, 12, 0)) {
		t.Fatalf("resumed: %+v", res)
	}
	// The same job under a policy that runs on hold.
	runs := medium
	runs.RunsOnHold = true
	if got := s.clock(runs, office).Status(at(25, 10, 0)).Resolution.Elapsed; got != 22*time.Hour {
		t.Fatalf("running on hold: elapsed %v", got)
	}

	// Completed Wednesday 16:00, within the 24 hours.
	s.to("COMPLETED", at(25, 16, 0))
	c = s.clock(medium, office)
	res = c.Status(at(30, 9, 0)).Resolution
	if res.State != "MET" || res.Elapsed != 19*time.Hour || res.Remaining != 5*time.Hour || !res.Due.Equal(at(26, 12, 0)) || res.Escalations[2].Reached || !res.Escalations[2].At.IsZero() {
		t.Fatalf("met: %+v", res)
	}
	if w := c.Status(at(30, 9, 0)).WakeAt; !w.IsZero() {
		t.Fatalf("a stopped clock wakes at %v", w)
	}
	// Before the job existed nothing ran; history after now does not count.
	if st := c.Status(at(20, 14, 0)); st.Response.State != "NOT_STARTED" || st.Response.Remaining != 8*time.Hour {
		t.Fatalf("before the ticket: %+v", st.Response)
	}
	if st := c.Status(at(23, 15, 10)); st.Response.State != "RUNNING" || !st.Response.Breached {
		t.Fatalf("as of Monday 15:10: %+v", st.Response)
	}
}

var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func TestSLAWallClockAndCancel(t *testing.T) {
	emergency := jobfsm.DefaultPolicies()[jobfsm.PriorityEmergency]
	s := newStory(t, jobfsm.SourceWorkOrder, t0).to("JOB_CREATED", t0)
	c := s.clock(emergency, nil)
	st := c.Status(t0.Add(3 * time.Hour))
	if st.Response.State != "RUNNING" || st.Response.Overdue != time.Hour || !st.Response.Due.Equal(t0.Add(2*time.Hour)) ||
		!st.WakeAt.Equal(t0.Add(12*time.Hour)) || st.Policy != "EMERGENCY" {
		t.Fatalf("emergency: %+v", st)
	}
	s.to("CANCELLED", t0.Add(4*time.Hour))
	st = s.clock(emergency, nil).Status(t0.Add(30 * time.Hour))
	if st.Response.State != "CANCELLED" || st.Response.Elapsed != 4*time.Hour || !st.Response.Breached ||
		st.Resolution.State != "CANCELLED" || st.Resolution.Breached || !st.WakeAt.IsZero() {
		t.Fatalf("cancelled: %+v", st)
	}
	// A lead's clock never starts.
	lead := newStory(t, jobfsm.SourceLead, t0)
	if st := lead.clock(emergency, nil).Status(t0.Add(time.Hour)); st.Resolution.State != "NOT_STARTED" || !st.WakeAt.IsZero() {
		t.Fatalf("lead: %+v", st)
	}
	lead.to("TICKET", t0.Add(time.Hour))
	if st := lead.clock(emergency, nil).Status(t0.Add(2 * time.Hour)); st.Response.Elapsed != time.Hour {
		t.Fatalf("qualified lead: %+v", st.Response)
	}
}

func TestSLAEscalationPoints(t *testing.T) {
	p := jobfsm.Policy{ResponseMinutes: 7, ResolutionMinutes: 100, WallClock: true, Escalations: []int{1, 33, 150}}
	c := newStory(t, jobfsm.SourceWorkOrder, t0).clock(p, nil)
	st := c.Status(t0)
	var got []time.Duration
	for _, e := range st.Response.Escalations {
		got = append(got, e.At.Sub(t0))
	}
	// 1 % of 7 minutes is 4.2 s, 33 % is 138.6 s, 150 % is 10.5 min: exact.
	want := []time.Duration{4200 * time.Millisecond, 138600 * time.Millisecond, 630 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("escalations (-want +got):\n%s", diff)
	}
	if !st.WakeAt.Equal(t0.Add(4200 * time.Millisecond)) {
		t.Fatalf("WakeAt %v", st.WakeAt)
	}
}

func TestPolicies(t *testing.T) {
	org := jobfsm.Policies{jobfsm.PriorityHigh: {Name: "our high", ResponseMinutes: 60, ResolutionMinutes: 480}}
	contract := &jobfsm.Policy{Name: "contract", ResponseMinutes: 30, ResolutionMinutes: 240, WallClock: true}
	for _, tt := range []struct {
		pr       jobfsm.Priority
		contract *jobfsm.Policy
		want     string
	}{
		{"HIGH", nil, "our high"},
		{"LOW", nil, "LOW"},
		{"EMERGENCY", nil, "EMERGENCY"},
		{"MEDIUM", contract, "contract"},
	} {
		p, err := org.For(tt.pr, tt.contract)
		if err != nil || p.Name != tt.want {
			t.Errorf("For(%s) = %+v, %v", tt.pr, p, err)
		}
	}
	for name, p := range jobfsm.DefaultPolicies() {
		if err := p.Validate(); err != nil || string(name) != p.Name {
			t.Errorf("default %s: %v", name, err)
		}
	}
	if _, err := org.For("URGENT", nil); !errors.Is(err, jobfsm.ErrInvalidInput) {
		t.Errorf("unknown priority: %v", err)
	}
	if _, err := org.For("HIGH", &jobfsm.Policy{}); !errors.Is(err, jobfsm.ErrInvalidInput) {
		t.Errorf("empty contract policy: %v", err)
	}
	for _, tt := range []struct {
		p     jobfsm.Policy
		field string
	}{
		{jobfsm.Policy{ResolutionMinutes: 10}, "responseMinutes"},
		{jobfsm.Policy{ResponseMinutes: 10, ResolutionMinutes: 11 * 366 * 24 * 60}, "resolutionMinutes"},
		{jobfsm.Policy{ResponseMinutes: 10, ResolutionMinutes: 10, Escalations: []int{50, 50}}, "escalations[1]"},
		{jobfsm.Policy{ResponseMinutes: 10, ResolutionMinutes: 10, Escalations: []int{0}}, "escalations[0]"},
		{jobfsm.Policy{ResponseMinutes: 10, ResolutionMinutes: 10, Escalations: []int{1001}}, "escalations[0]"},
	} {
		var ie *jobfsm.InputError
		if err := tt.p.Validate(); !errors.As(err, &ie) || ie.Field != tt.field {
			t.Errorf("Validate(%+v) = %v, want %s", tt.p, err, tt.field)
		}
	}
}

func TestNewSLAClockRefusals(t *testing.T) {
	medium := jobfsm.DefaultPolicies()[jobfsm.PriorityMedium]
	s := newStory(t, jobfsm.SourceWorkOrder, t0)
	if _, err := jobfsm.NewSLAClock(jobfsm.Policy{}, nil, s.history); !errors.Is(err, jobfsm.ErrInvalidInput) {
		t.Errorf("invalid policy: %v", err)
	}
	if _, err := jobfsm.NewSLAClock(medium, nil, s.history); !errors.Is(err, jobfsm.ErrInvalidInput) {
		t.Errorf("business hours without a calendar: %v", err)
	}
	if _, err := jobfsm.NewSLAClock(medium, &jobfsm.Calendar{}, s.history); !errors.Is(err, jobfsm.ErrInvalidInput) {
		t.Errorf("business hours with the zero calendar: %v", err)
	}
	bad := append(s.history, jobfsm.HistoryEntry{From: "TICKET", To: "PAID", At: t0})
	if _, err := jobfsm.NewSLAClock(medium, mustCalendar(t, time.UTC, officeHours()), bad); !errors.Is(err, jobfsm.ErrIllegalTransition) {
		t.Errorf("bad history: %v", err)
	}
}

func TestSLAStatusJSON(t *testing.T) {
	s := newStory(t, jobfsm.SourceWorkOrder, t0)
	c := s.clock(jobfsm.DefaultPolicies()[jobfsm.PriorityEmergency], nil)
	st := c.Status(t0.Add(3*time.Hour + 30*time.Second))
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"elapsed":"3h0m30s"`, `"overdue":"1h0m30s"`, `"target":"2h0m0s"`, `"wakeAt":"2026-03-03T21:00:00Z"`, `"state":"RUNNING"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	var back jobfsm.SLAStatus
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, back, timeEqual); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	var ts jobfsm.TargetStatus
	if err := json.Unmarshal([]byte(`{"elapsed":"soon"}`), &ts); !errors.Is(err, jobfsm.ErrInvalidInput) {
		t.Errorf("bad duration: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"elapsed":1}`), &ts); err == nil {
		t.Errorf("a number for a duration was accepted")
	}
}
