package durable

import (
	"context"
	"fmt"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/hestami-ai/opsengine/contractorops"
)

// wakeWorkflowName is the workflow that sleeps until a wake-up's time and
// runs it.
const wakeWorkflowName = "opsengine.wake.v1"

// taskWorkflowName is the scheduled workflow that runs the engine's
// periodic tasks; its schedule's context names the task.
const taskWorkflowName = "opsengine.task.v1"

// After starts, as a child of the running workflow, a workflow that sleeps
// until w.At and then runs w. Its id derives from w's key, so a replay, a
// second command asking for the same wake-up, or a sweep running the same
// work all meet the same run.
func (x *executor) After(_ context.Context, w contractorops.Wake) error {
	id := "wake:" + contractorops.WorkflowID(w.Scope.OrganizationID, w.Procedure, w.Key)
	_, err := dbos.RunWorkflow(x.dctx, x.r.wake, w, dbos.WithWorkflowID(id))
	return err
}

// wake sleeps durably until w.At by the engine's clock (a restart resumes
// the sleep), then executes w through the engine: its idempotency key makes
// it happen once whoever else runs it.
//
// The sleep is recorded even when w.At has passed: a workflow must take
// the same steps when it is recovered, and a recovery comes later than the
// first run — skipping the sleep then would replay "run" where the first
// run recorded the sleep, and DBOS would fail the workflow.
func (r *Runner) wake(ctx dbos.Context, w contractorops.Wake) (string, error) {
	if _, err := dbos.Sleep(ctx, max(w.At.Sub(r.eng.Config().Clock()), 0)); err != nil {
		return "", err
	}
	return dbos.RunAsStep(ctx, func(sctx context.Context) (string, error) {
		if err := r.eng.RunWake(context.WithoutCancel(sctx), w); err != nil {
			// A refusal is an answer (the job moved on); only faults retry.
			if e := contractorops.AsError(err); e.Type == contractorops.TypeInternal {
				return "", err
			}
			return contractorops.AsError(err).Error(), nil
		}
		return "done", nil
	}, backgroundRetries("run")...)
}

// backgroundRetries are the step options of background work (wake-ups and
// periodic task runs), which no caller retries: a fault (Postgres away or
// restarting) is retried with backoff, 1 s doubling up to 30 s, for about
// two minutes before the workflow ends in ERROR. Refusals are answers and
// are not retried.
func backgroundRetries(step string) []dbos.StepOption {
	return []dbos.StepOption{
		dbos.WithStepName(step), dbos.WithStepMaxRetries(8),
		dbos.WithStepBaseInterval(time.Second), dbos.WithStepBackoffFactor(2), dbos.WithStepMaxInterval(30 * time.Second),
		dbos.WithStepRetryPredicate(func(err error) bool { return contractorops.AsError(err).Type == contractorops.TypeInternal }),
	}
}

// runTask is the scheduled workflow of the engine's periodic tasks: the
// schedule's context names the task, and the run is one recorded step.
func (r *Runner) runTask(ctx dbos.Context, in dbos.ScheduledWorkflowInput) (contractorops.TaskReport, error) {
	name, err := dbos.DecodeScheduleContext[string](in)
	if err != nil {
		return contractorops.TaskReport{}, err
	}
	return dbos.RunAsStep(ctx, func(sctx context.Context) (contractorops.TaskReport, error) {
		rep, err := r.eng.RunTask(context.WithoutCancel(sctx), name, in.ScheduledTime)
		if err != nil {
			return contractorops.TaskReport{}, err
		}
		return *rep, nil
	}, backgroundRetries("run")...)
}

// registerBackground registers the wake-up and task workflows (before
// Launch).
func (r *Runner) registerBackground() {
	dbos.RegisterWorkflow(r.dctx, r.wake, dbos.WithWorkflowName(wakeWorkflowName))
	dbos.RegisterWorkflow(r.dctx, r.runTask, dbos.WithWorkflowName(taskWorkflowName))
}

// applySchedules creates or updates one schedule per task (after Launch).
func (r *Runner) applySchedules() error {
	var specs []dbos.ScheduleSpec
	for _, t := range r.eng.Tasks() {
		specs = append(specs, dbos.ScheduleSpec{
			ScheduleName: "opsengine." + t.Name, Schedule: t.Schedule, Workflow: r.runTask, Context: t.Name,
		})
	}
	if err := dbos.ApplySchedules(r.dctx, specs); err != nil {
		return fmt.Errorf("durable: schedule the periodic tasks: %w", err)
	}
	return nil
}
