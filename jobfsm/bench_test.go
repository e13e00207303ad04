package jobfsm_test

import (
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// BenchmarkTimeDate is the baseline for the calendar benchmarks: one
// wall-clock resolution in a zone with DST, the unit a calendar pays per
// span boundary.
func BenchmarkTimeDate(b *testing.B) {
	ny := mustLoad(b, "America/New_York")
	for i := 0; b.Loop(); i++ {
		_ = time.Date(2026, 11, 20+i%7, 8, 0, 0, 0, ny)
	}
}

func BenchmarkApply(b *testing.B) {
	job := jobfsm.Job{Status: jobfsm.JobDispatched, Stamps: jobfsm.Stamps{DispatchedAt: t0}}
	facts := jobfsm.Facts{TechnicianAssigned: true, Visits: jobfsm.VisitCounts{Active: 1}}
	r := req(t0.Add(time.Hour))
	for b.Loop() {
		if _, err := job.Apply(jobfsm.JobInProgress, facts, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyRefused(b *testing.B) {
	job := jobfsm.Job{Status: jobfsm.JobScheduled}
	r := req(t0)
	for b.Loop() {
		if _, err := job.Apply(jobfsm.JobDispatched, jobfsm.Facts{}, r); err == nil {
			b.Fatal("dispatched without a technician")
		}
	}
}

func BenchmarkPerform(b *testing.B) {
	job := jobfsm.Job{Status: jobfsm.JobOnHold, HeldFrom: jobfsm.JobDispatched}
	facts := jobfsm.Facts{TechnicianAssigned: true, Visits: jobfsm.VisitCounts{Scheduled: 1}}
	r := req(t0)
	for b.Loop() {
		if _, err := job.Perform(jobfsm.ActionResume, facts, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOptions(b *testing.B) {
	job := jobfsm.Job{Status: jobfsm.JobScheduled}
	facts := jobfsm.Facts{Visits: jobfsm.VisitCounts{Scheduled: 1}}
	for b.Loop() {
		_ = job.Options(facts, t0)
	}
}

// benchHistory is a job's history from a call to its closing.
func benchHistory(b *testing.B) []jobfsm.HistoryEntry {
	s := newStory(b, jobfsm.SourceWorkOrder, t0)
	at := t0
	for _, st := range []jobfsm.JobStatus{"JOB_CREATED", "SCHEDULED", "DISPATCHED", "IN_PROGRESS", "ON_HOLD", "IN_PROGRESS", "COMPLETED", "INVOICED", "PAID", "CLOSED"} {
		at = at.Add(3 * time.Hour)
		s.to(st, at)
	}
	return s.history
}

func BenchmarkReplay(b *testing.B) {
	h := benchHistory(b)
	for b.Loop() {
		if _, err := jobfsm.Replay(h); err != nil {
			b.Fatal(err)
		}
	}
}

func officeCalendar(b *testing.B) *jobfsm.Calendar {
	h := officeHours()
	h.Holidays = []jobfsm.Date{{2026, 11, 26}, {2026, 12, 25}}
	return mustCalendar(b, mustLoad(b, "America/New_York"), h)
}

// BenchmarkDeadline: 4 business hours from a Friday afternoon (over a
// weekend), and a business week (40 hours, over a holiday).
func BenchmarkDeadline(b *testing.B) {
	cal := officeCalendar(b)
	start := time.Date(2026, 11, 20, 15, 0, 0, 0, cal.Location())
	for _, d := range []time.Duration{4 * time.Hour, 40 * time.Hour} {
		b.Run(d.String(), func(b *testing.B) {
			for b.Loop() {
				_ = cal.Deadline(start, d)
			}
		})
	}
}

func BenchmarkElapsed(b *testing.B) {
	cal := officeCalendar(b)
	start := time.Date(2026, 11, 20, 15, 0, 0, 0, cal.Location())
	for _, span := range []time.Duration{24 * time.Hour, 30 * 24 * time.Hour} {
		b.Run(span.String(), func(b *testing.B) {
			for b.Loop() {
				_ = cal.Elapsed(start, start.Add(span))
			}
		})
	}
}

func BenchmarkSLAStatus(b *testing.B) {
	cal := officeCalendar(b)
	h := benchHistory(b)
	clock, err := jobfsm.NewSLAClock(jobfsm.DefaultPolicies()[jobfsm.PriorityMedium], cal, h[:6])
	if err != nil {
		b.Fatal(err)
	}
	now := h[5].At.Add(time.Hour)
	for b.Loop() {
		_ = clock.Status(now)
	}
}
