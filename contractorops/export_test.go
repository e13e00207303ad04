package contractorops

import (
	"context"
	"time"

	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

// CompleteJobForTest moves a job from JOB_CREATED to COMPLETED as if
// technician tech had been dispatched and done the work: assignment and
// dispatch belong to another area, and billing's tests start where the
// work ends. Every step goes through jobfsm's table with the facts the
// dispatch would have made true.
func CompleteJobForTest(ctx context.Context, e *Engine, org, jobID, tech string, at time.Time) error {
	return e.store.InTx(ctx, org, func(tx Tx) error {
		t := &txn{ctx: ctx, tx: tx, org: org, now: at}
		j, err := load(t, jobsTable, jobID)
		if err != nil {
			return err
		}
		j.TechnicianID = tech
		booked := jobfsm.VisitCounts{Scheduled: 1}
		for _, step := range []struct {
			to    jobfsm.JobStatus
			facts jobfsm.Facts
		}{
			{jobfsm.JobScheduled, jobfsm.Facts{TechnicianAssigned: true, Visits: booked}},
			{jobfsm.JobDispatched, jobfsm.Facts{TechnicianAssigned: true, Visits: booked}},
			{jobfsm.JobInProgress, jobfsm.Facts{TechnicianAssigned: true, Visits: jobfsm.VisitCounts{Active: 1}}},
			{jobfsm.JobCompleted, jobfsm.Facts{TechnicianAssigned: true, Visits: jobfsm.VisitCounts{Completed: 1}}},
		} {
			ch, err := j.Lifecycle.Apply(step.to, step.facts, jobfsm.Request{Actor: "test:" + tech, At: at})
			if err != nil {
				return err
			}
			j.Lifecycle, j.History = ch.Job, append(j.History, ch.Entry)
		}
		return update(t, jobsTable, j)
	})
}

// ConsumeMaterialsForTest registers a material source that reports the
// given materials as consumed on the job (the inventory area's part).
func ConsumeMaterialsForTest(e *Engine, jobID string, ms ...pricing.MaterialUse) {
	e.materialSources = append(e.materialSources, func(_ *txn, j *Job) ([]pricing.MaterialUse, error) {
		if j.ID != jobID {
			return nil, nil
		}
		return ms, nil
	})
}
