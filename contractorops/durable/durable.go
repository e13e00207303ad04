package durable

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
)

// Config configures a [Runner].
type Config struct {
	// SystemDatabaseURL is the Postgres database of DBOS's system tables
	// (schema dbos), usually the engine's database reached as a role of its
	// own. Required.
	SystemDatabaseURL string
	// AppName names the application in DBOS. Defaults to "opsengine".
	AppName string
	// ApplicationVersion pins DBOS's application version: a process
	// recovers only the interrupted workflows of its own version, so every
	// process of a deployment must share it. Defaults to "opsengine-v1".
	ApplicationVersion string
	// ExecutorID identifies this process among the processes sharing the
	// database; a restarted process must keep its id to recover its own
	// interrupted workflows. Defaults to "local".
	ExecutorID string
	// Logger receives DBOS's logs. Defaults to slog.Default().
	Logger *slog.Logger
	// DisableSchedules keeps this runner from scheduling the engine's
	// periodic tasks (tests with their own clocks; processes that must not
	// run background work). Its workflows and wake-ups still run.
	DisableSchedules bool
}

// Runner is a [contractorops.Runner] that runs each mutation as a DBOS
// workflow.
type Runner struct {
	cfg   Config
	store *pgstore.Store
	dctx  dbos.Context
	ds    *dbos.DataSource
	eng   *contractorops.Engine
	wfs   map[string]*commandWorkflow
}

var _ contractorops.Runner = (*Runner)(nil)

// New connects to the DBOS system database and returns a runner whose
// transactions run on store's pool. The runner launches when the engine
// starts it.
func New(ctx context.Context, store *pgstore.Store, cfg *Config) (*Runner, error) {
	if store == nil {
		return nil, errors.New("durable: New needs a pgstore")
	}
	c := Config{}
	if cfg != nil {
		c = *cfg
	}
	if c.SystemDatabaseURL == "" {
		return nil, errors.New("durable: Config.SystemDatabaseURL is required")
	}
	c.AppName = or(c.AppName, "opsengine")
	c.ApplicationVersion = or(c.ApplicationVersion, "opsengine-v1")
	c.ExecutorID = or(c.ExecutorID, "local")
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	dctx, err := dbos.NewContext(ctx, dbos.Config{
		AppName:            c.AppName,
		DatabaseURL:        c.SystemDatabaseURL,
		ApplicationVersion: c.ApplicationVersion,
		ExecutorID:         c.ExecutorID,
		Logger:             c.Logger,
		SkipMigrations:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("durable: %w", err)
	}
	ds, err := dbos.NewDataSource(dctx, store.Pool(), dbos.WithDataSourceName("opsengine"), dbos.WithDataSourceSkipMigrations())
	if err != nil {
		dbos.Shutdown(dctx, time.Second) //nolint:errcheck // failing already
		return nil, fmt.Errorf("durable: %w", err)
	}
	return &Runner{cfg: c, store: store, dctx: dctx, ds: ds, wfs: map[string]*commandWorkflow{}}, nil
}

// Start registers one workflow per mutation of the engine's catalog, then
// launches DBOS, which recovers this executor's interrupted workflows.
func (r *Runner) Start(e *contractorops.Engine) error {
	r.eng = e
	for _, p := range e.Catalog().Procedures() {
		if p.Kind != contractorops.KindMutation {
			continue
		}
		w := &commandWorkflow{r: r, name: p.WorkflowName()}
		dbos.RegisterWorkflow(r.dctx, w.run, dbos.WithInstance(w), dbos.WithWorkflowName(w.name))
		r.wfs[p.Name] = w
	}
	r.registerBackground()
	if err := dbos.Launch(r.dctx); err != nil {
		return fmt.Errorf("durable: launch: %w", err)
	}
	if r.cfg.DisableSchedules {
		return nil
	}
	return r.applySchedules()
}

// Close shuts DBOS down, waiting up to the context's deadline (default 5 s)
// for running workflows.
func (r *Runner) Close(ctx context.Context) error {
	timeout := 5 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	return dbos.Shutdown(r.dctx, timeout)
}

// Ready reports whether the workflow runtime can reach its database.
func (r *Runner) Ready(ctx context.Context) error {
	_, err := dbos.ListWorkflows(r.dctx, dbos.WithFilterLimit(1), dbos.WithFilterLoadInput(false), dbos.WithFilterLoadOutput(false))
	return err
}

// result is a workflow's output: the outcome, as data. Workflows end in
// SUCCESS whatever their outcome; only a crash leaves one unfinished.
type result struct {
	Output string               `json:"output,omitempty"`
	Err    *contractorops.Error `json:"error,omitempty"`
}

// Attribute names set on every command workflow.
const (
	attrFingerprint = "fp"
	attrOrg         = "org_id"
	attrProcedure   = "procedure"
	attrAt          = "at"
)

// Run starts inv's workflow, or joins the workflow an earlier call with the
// same key started, and returns its outcome. A key whose workflow ended more
// than the engine's IdempotencyRetention before inv is free again: the old
// workflow is deleted and inv runs anew.
func (r *Runner) Run(ctx context.Context, inv contractorops.Invocation) (contractorops.Outcome, error) {
	w, ok := r.wfs[inv.Procedure]
	if !ok {
		return contractorops.Outcome{}, contractorops.NewError(contractorops.CodeNotFound, "no mutation %q", inv.Procedure)
	}
	cfg := r.eng.Config()
	for attempt := 0; ; attempt++ {
		h, err := dbos.RunWorkflow(r.dctx, w.run, inv,
			dbos.WithWorkflowID(inv.WorkflowID),
			dbos.WithRunInstance(w),
			dbos.WithWorkflowIDReusePolicy(dbos.WorkflowIDReusePolicyReject),
			dbos.WithWorkflowAttributes(map[string]any{
				attrFingerprint: inv.Fingerprint, attrOrg: inv.Scope.OrganizationID, attrProcedure: inv.Procedure,
				attrAt: inv.At.UTC().Format(time.RFC3339Nano),
			}),
		)
		replayed := false
		if errors.Is(err, dbos.ErrWorkflowIDInUse) {
			replayed = true
			var expired bool
			h, expired, err = r.existing(inv, cfg.IdempotencyRetention)
			if err == nil && expired && attempt == 0 {
				if err = r.forget(ctx, inv.WorkflowID, false); err == nil {
					continue
				}
			}
		}
		if err != nil {
			return contractorops.Outcome{}, err
		}
		res, err := h.GetResult(dbos.WithHandleTimeout(cfg.InFlightWait), dbos.WithHandlePollingInterval(25*time.Millisecond))
		if errors.Is(err, dbos.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
			return contractorops.Outcome{}, contractorops.NewError(contractorops.CodeConflict,
				"a request with this idempotency key to %s is still running; retry later", inv.Procedure)
		}
		if err != nil {
			return contractorops.Outcome{}, contractorops.WrapError(err, contractorops.CodeWorkflow, "run the workflow")
		}
		if res.Err != nil && res.Err.Retryable {
			// As with the inline runner, a retryable failure records no
			// outcome: a retry with the same key runs the workflow again (a
			// payment provider that timed out is asked again with the same
			// key). What it committed before the failure stays committed:
			// the run again replays those transactions from their
			// completion records rather than doing them twice.
			if err := r.forget(context.WithoutCancel(ctx), inv.WorkflowID, true); err != nil {
				return contractorops.Outcome{}, err
			}
		}
		return contractorops.Outcome{Output: []byte(res.Output), Err: res.Err, Replayed: replayed}, nil
	}
}

// forget deletes a workflow so that its id can run anew, and the
// completion records of its transactions — only those of the failed ones
// when keepCommitted is set, so that the new run replays what the old one
// committed (DBOS matches the records by workflow id and step, and a
// workflow takes the same steps for the same input). The records live in
// the engine's database, which DBOS's deletion does not touch.
func (r *Runner) forget(ctx context.Context, workflowID string, keepCommitted bool) error {
	if err := dbos.DeleteWorkflows(r.dctx, []string{workflowID}); err != nil {
		return contractorops.WrapError(err, contractorops.CodeWorkflow, "delete the workflow")
	}
	q := "DELETE FROM dbos.transaction_completion WHERE workflow_id = $1"
	if keepCommitted {
		q += " AND output IS NULL"
	}
	if _, err := r.store.Pool().Exec(ctx, q, workflowID); err != nil {
		return contractorops.WrapError(err, contractorops.CodeWorkflow, "delete the workflow's transactions")
	}
	return nil
}

// existing returns the handle of the workflow that holds inv's key, checks
// that it ran the same request, and reports whether it ended more than
// retention before inv.
func (r *Runner) existing(inv contractorops.Invocation, retention time.Duration) (dbos.WorkflowHandle[result], bool, error) {
	h, err := dbos.RetrieveWorkflow[result](r.dctx, inv.WorkflowID)
	if err != nil {
		return nil, false, contractorops.WrapError(err, contractorops.CodeWorkflow, "retrieve the workflow")
	}
	st, err := h.GetStatus()
	if err != nil {
		return nil, false, contractorops.WrapError(err, contractorops.CodeWorkflow, "read the workflow's status")
	}
	at, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(st.Attributes[attrAt]))
	terminal := st.Status == dbos.WorkflowStatusSuccess || st.Status == dbos.WorkflowStatusError || st.Status == dbos.WorkflowStatusCancelled
	if terminal && !at.IsZero() && inv.At.Sub(at) > retention {
		return h, true, nil
	}
	if fmt.Sprint(st.Attributes[attrFingerprint]) != inv.Fingerprint {
		return nil, false, contractorops.NewError(contractorops.CodeIdempotencyConflict,
			"the idempotency key was used with a different request to %s", inv.Procedure)
	}
	return h, false, nil
}

// commandWorkflow is the workflow of one mutation. DBOS registers method
// values per instance; ConfigName tells the instances apart.
type commandWorkflow struct {
	r    *Runner
	name string
}

func (w *commandWorkflow) ConfigName() string { return w.name }

func (w *commandWorkflow) run(ctx dbos.Context, inv contractorops.Invocation) (result, error) {
	x := &executor{r: w.r, dctx: ctx}
	tctx := contractorops.ContextWithTraceParent(context.WithoutCancel(ctx), inv.TraceParent)
	out := w.r.eng.Perform(tctx, x, inv)
	return result{Output: string(out.Output), Err: out.Err}, nil
}

// Migrate prepares a database for the durable engine, as the owner of the
// schema: the engine's migrations (pgstore.Migrate), DBOS's system tables in
// schema dbos, and DBOS's transaction-completion table. runtimeRole is the
// role the engine's store connects as; systemRole, the role of
// SystemDatabaseURL (empty when it is the owner).
func Migrate(ctx context.Context, ownerURL, runtimeRole, systemRole string) error {
	if _, err := pgstore.Migrate(ctx, ownerURL, &pgstore.MigrateOpts{RuntimeRole: runtimeRole}); err != nil {
		return err
	}
	var opts []dbos.MigrateOption
	if systemRole != "" {
		opts = append(opts, dbos.WithMigrateApplicationRole(systemRole))
	}
	if err := dbos.Migrate(ctx, ownerURL, opts...); err != nil {
		return fmt.Errorf("durable: migrate the DBOS system tables: %w", err)
	}
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("durable: %w", err)
	}
	defer pool.Close()
	var dsOpts []dbos.MigrateOption
	if runtimeRole != "" {
		dsOpts = append(dsOpts, dbos.WithMigrateApplicationRole(runtimeRole))
	}
	if err := dbos.MigrateDataSource(ctx, pool, dsOpts...); err != nil {
		return fmt.Errorf("durable: migrate the transaction table: %w", err)
	}
	return nil
}

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
