package contractorops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Task is periodic work of the engine: SLA escalations, agents, housekeeping.
// Each run does, for every tenant, what is due at the run's tick, through
// catalog commands whose idempotency keys derive from what they act on, so
// that running a tick twice changes nothing the second time.
//
// In durable mode contractorops/durable runs every task on its schedule as a
// DBOS scheduled workflow; an embedded engine runs them on demand with
// [Engine.RunTask] (the host's ticker, a test, a simulation).
type Task struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Schedule is a cron expression with seconds: "0 * * * * *" runs at
	// every minute.
	Schedule string `json:"schedule"`

	run func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error)
}

// TaskReport says what a task run did.
type TaskReport struct {
	Task    string    `json:"task"`
	Tick    time.Time `json:"tick"`
	Tenants int       `json:"tenants"`
	// Actions counts the commands the run executed (replays included).
	Actions int `json:"actions"`
	// Failures names the tenants whose work failed, with why; the next run
	// tries again.
	Failures []string `json:"failures,omitempty"`
}

// Tasks returns the engine's periodic tasks.
func (e *Engine) Tasks() []Task {
	return slices.Clone(e.tasks)
}

// RunTask runs the task named name at tick for every tenant.
func (e *Engine) RunTask(ctx context.Context, name string, tick time.Time) (*TaskReport, error) {
	tenants, err := e.tenantIDs(ctx)
	if err != nil {
		return nil, err
	}
	return e.RunTaskFor(ctx, name, tick, tenants...)
}

// RunTaskFor runs the task named name at tick for the given tenants only:
// again for the tenants a report names as failed, or for a host's share of
// the tenants.
func (e *Engine) RunTaskFor(ctx context.Context, name string, tick time.Time, tenants ...string) (*TaskReport, error) {
	i := slices.IndexFunc(e.tasks, func(t Task) bool { return t.Name == name })
	if i < 0 {
		return nil, NewError(CodeNotFound, "no task %q", name)
	}
	task := e.tasks[i]
	rep := &TaskReport{Task: name, Tick: tick, Tenants: len(tenants)}
	for _, org := range tenants {
		n, err := task.run(ctx, e, org, tick)
		rep.Actions += n
		if err != nil {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %v", org, err))
			e.log.ErrorContext(ctx, "task failed for a tenant", "task", name, "org_id", org, "error", err)
		}
	}
	return rep, nil
}

// tenantIDs lists the organizations of the platform.
func (e *Engine) tenantIDs(ctx context.Context) ([]string, error) {
	var ids []string
	err := e.store.InTx(ctx, PlatformOrganization, func(tx Tx) error {
		rows, err := tx.Find(ctx, tenantsTable.spec.Name, Query{})
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return err
	})
	return ids, err
}

// forTenant runs a read in org's transaction for a task.
func (e *Engine) forTenant(ctx context.Context, org string, tick time.Time, fn func(t *txn) error) error {
	return e.store.InTx(ctx, org, func(tx Tx) error {
		return fn(&txn{ctx: ctx, e: e, tx: tx, org: org, now: tick})
	})
}

// maxDuePerRun bounds what one run of a task does for one tenant; the
// rest waits for the next run.
const maxDuePerRun = 500

func (e *Engine) registerTasks() {
	e.tasks = append(e.tasks, Task{
		Name:        "sla-escalations",
		Description: "Record the SLA escalations that fell due and emit SLA_ESCALATED events.",
		Schedule:    "0 * * * * *",
		run: func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
			var due []*Job
			err := e.forTenant(ctx, org, tick, func(t *txn) error {
				var err error
				due, err = find(t, jobsTable, Query{OrderBy: "sla_wake", Where: []Cond{Lte("sla_wake", timeKey(tick))}, Limit: maxDuePerRun})
				return err
			})
			if err != nil {
				return 0, err
			}
			var errs []error
			for _, j := range due {
				w := slaWake(org, j.ID, j.SLAWakeAt)
				if _, err := e.Execute(ctx, w.Scope, w.Procedure, w.Key, &EscalateSLAInput{JobID: j.ID}); err != nil {
					errs = append(errs, err)
				}
			}
			return len(due), errors.Join(errs...)
		},
	})
}
