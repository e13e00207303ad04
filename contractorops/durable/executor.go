package durable

import (
	"context"
	"errors"

	"github.com/dbos-inc/dbos-transact-golang/dbos"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
)

// executor runs one workflow's effects as DBOS steps.
type executor struct {
	r    *Runner
	dctx dbos.Context
}

// stepResult carries a step's outcome through DBOS's checkpoint: an engine
// error is recorded as data, so that a replay returns it with its code.
type stepResult struct {
	Output string               `json:"output,omitempty"`
	Err    *contractorops.Error `json:"error,omitempty"`
}

// asOutcome reports whether err is an engine error to record as the step's
// outcome (a business rule, a missing row, a lost race) rather than a fault
// for DBOS to retry.
func asOutcome(err error) (*contractorops.Error, bool) {
	var e *contractorops.Error
	if errors.As(err, &e) && e.Type != contractorops.TypeInternal {
		return e, true
	}
	return nil, false
}

func (r stepResult) unwrap() ([]byte, error) {
	if r.Err != nil {
		return nil, r.Err
	}
	return []byte(r.Output), nil
}

// Tx runs fn in a DBOS transaction on the store's pool: the writes and
// DBOS's completion record commit together, so a crash either loses both or
// keeps both, and a replay returns the recorded result. fn runs under a
// savepoint, so that an engine error rolls its writes back while the
// outcome is still recorded.
func (x *executor) Tx(ctx context.Context, org, name string, fn func(ctx context.Context, tx contractorops.Tx) ([]byte, error)) ([]byte, error) {
	_, span := trace.SpanFromContext(ctx).TracerProvider().Tracer("github.com/hestami-ai/opsengine/contractorops/durable").
		Start(ctx, "tx "+name, trace.WithAttributes(attribute.String("org_id", org)))
	defer span.End()
	res, err := dbos.RunAsTransaction(x.dctx, x.r.ds, func(tctx context.Context, dtx dbos.Tx) (stepResult, error) {
		q := querier{dtx}
		if _, err := q.Exec(tctx, "SAVEPOINT command"); err != nil {
			return stepResult{}, err
		}
		tx, err := pgstore.WrapTx(tctx, org, q)
		if err != nil {
			return stepResult{}, err
		}
		out, err := fn(trace.ContextWithSpan(tctx, span), tx)
		if err != nil {
			if e, ok := asOutcome(err); ok {
				if _, rbErr := q.Exec(tctx, "ROLLBACK TO SAVEPOINT command"); rbErr != nil {
					return stepResult{}, rbErr
				}
				return stepResult{Err: e}, nil
			}
			return stepResult{}, err
		}
		return stepResult{Output: string(out)}, nil
	}, dbos.WithStepName(name))
	if err != nil {
		return nil, err
	}
	return res.unwrap()
}

// Step runs fn as a DBOS step: recorded once it returns, so a replay after a
// crash returns the record. A crash while fn runs runs it again on recovery:
// effects outside the store must be idempotent towards their service (pass
// them a key derived from the workflow).
func (x *executor) Step(ctx context.Context, name string, fn func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	_, span := trace.SpanFromContext(ctx).TracerProvider().Tracer("github.com/hestami-ai/opsengine/contractorops/durable").
		Start(ctx, "step "+name)
	defer span.End()
	res, err := dbos.RunAsStep(x.dctx, func(sctx context.Context) (stepResult, error) {
		out, err := fn(trace.ContextWithSpan(sctx, span))
		if err != nil {
			if e, ok := asOutcome(err); ok {
				return stepResult{Err: e}, nil
			}
			return stepResult{}, err
		}
		return stepResult{Output: string(out)}, nil
	}, dbos.WithStepName(name), dbos.WithStepMaxRetries(3))
	if err != nil {
		return nil, err
	}
	return res.unwrap()
}

// querier adapts a DBOS transaction to pgstore.Querier.
type querier struct{ tx dbos.Tx }

func (q querier) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	res, err := q.tx.Exec(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, sql string, args ...any) (pgstore.Rows, error) {
	rows, err := q.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return rowsAdapter{rows}, nil
}

func (q querier) QueryRow(ctx context.Context, sql string, args ...any) pgstore.Row {
	return q.tx.QueryRow(ctx, sql, args...)
}

type rowsAdapter struct{ dbos.Rows }

func (r rowsAdapter) Close() { _ = r.Rows.Close() }
