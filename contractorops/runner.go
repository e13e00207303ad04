package contractorops

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// idempotencyRecord is the inline runner's record of one mutation: claimed
// while it runs, then holding its outcome until it expires.
type idempotencyRecord struct {
	Meta
	Procedure   string    `json:"procedure"`
	Fingerprint string    `json:"fingerprint"`
	Done        bool      `json:"done"`
	LeaseUntil  time.Time `json:"leaseUntil"`
	ExpiresAt   time.Time `json:"expiresAt"`
	// Output is the outcome's output, kept as text so that replays return
	// the same bytes (a JSON column may reformat a nested document).
	Output string `json:"output,omitempty"`
	Err    *Error `json:"error,omitempty"`
}

var idempotencyTable = table[idempotencyRecord]{
	spec: TableSpec{Name: "idempotency_records", Keys: []string{"procedure", "expires_at"}},
	keys: func(r *idempotencyRecord) map[string]string {
		return keys("procedure", r.Procedure, "expires_at", timeKey(r.ExpiresAt))
	},
	untracked: true,
}

// runningLease is how long a claimed record blocks its key if the process
// running it dies without finishing (possible only with a durable store and
// the inline runner; the durable runner resumes such work instead).
const runningLease = 5 * time.Minute

// inlineRunner runs mutations in the calling goroutine and keeps their
// outcomes in the store's idempotency records. A call whose key another
// process holds polls until that call ends (or the engine's InFlightWait).
type inlineRunner struct{ e *Engine }

func (r *inlineRunner) Start(e *Engine) error       { r.e = e; return nil }
func (r *inlineRunner) Close(context.Context) error { return nil }

func (r *inlineRunner) Run(ctx context.Context, inv Invocation) (Outcome, error) {
	deadline := time.Now().Add(r.e.cfg.InFlightWait)
	for {
		out, retry, err := r.runOwned(ctx, inv)
		if !retry {
			return out, err
		}
		if !time.Now().Before(deadline) {
			return Outcome{}, inFlight(inv)
		}
	}
}

// runOwned runs inv while this process holds its flight. It reports retry
// when another process holds the key and the caller should wait and look
// again.
func (r *inlineRunner) runOwned(ctx context.Context, inv Invocation) (out Outcome, retry bool, err error) {
	rec, claimed, err := r.claim(ctx, inv)
	if err != nil {
		return Outcome{}, false, err
	}
	if !claimed {
		switch {
		case rec.Fingerprint != inv.Fingerprint || rec.Procedure != inv.Procedure:
			return Outcome{}, false, idempotencyConflict(inv)
		case rec.Done:
			return Outcome{Output: json.RawMessage(rec.Output), Err: rec.Err, Replayed: true}, false, nil
		}
		// Running in another process: poll.
		select {
		case <-ctx.Done():
			return Outcome{}, false, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		return Outcome{}, true, nil
	}

	out = r.e.Perform(ctx, &inlineExecutor{e: r.e}, inv)
	// A retryable failure leaves nothing recorded: the caller may retry with
	// the same key and get a fresh run (as Stripe does).
	finish := func(t *txn) (bool, error) {
		cur, err := load(t, idempotencyTable, inv.WorkflowID)
		if err != nil {
			return false, err
		}
		if out.Err != nil && out.Err.Retryable {
			return true, remove(t, idempotencyTable, cur)
		}
		cur.Done, cur.Output, cur.Err = true, string(out.Output), out.Err
		return true, update(t, idempotencyTable, cur)
	}
	if err := r.recordTx(context.WithoutCancel(ctx), inv, finish); err != nil {
		return Outcome{}, false, err
	}
	return out, false, nil
}

// claim reads the key's record and, if there is none (or it expired, or its
// lease ran out), claims the key for this call.
func (r *inlineRunner) claim(ctx context.Context, inv Invocation) (rec *idempotencyRecord, claimed bool, err error) {
	now := r.e.now()
	err = r.recordTx(ctx, inv, func(t *txn) (bool, error) {
		cur, err := load(t, idempotencyTable, inv.WorkflowID)
		switch {
		case errors.Is(err, ErrNotFound):
			rec = &idempotencyRecord{
				Meta: Meta{ID: inv.WorkflowID}, Procedure: inv.Procedure, Fingerprint: inv.Fingerprint,
				LeaseUntil: now.Add(runningLease), ExpiresAt: now.Add(r.e.cfg.IdempotencyRetention),
			}
			claimed = true
			return true, insert(t, idempotencyTable, rec)
		case err != nil:
			return false, err
		case now.After(cur.ExpiresAt) || (!cur.Done && now.After(cur.LeaseUntil)):
			cur.Procedure, cur.Fingerprint, cur.Done, cur.Output, cur.Err = inv.Procedure, inv.Fingerprint, false, "", nil
			cur.LeaseUntil, cur.ExpiresAt = now.Add(runningLease), now.Add(r.e.cfg.IdempotencyRetention)
			rec, claimed = cur, true
			return true, update(t, idempotencyTable, cur)
		}
		rec = cur
		return true, nil
	})
	var ee *Error
	if errors.As(err, &ee) && ee.Code == CodeConflict {
		// Lost the race to claim: someone else holds it now.
		return &idempotencyRecord{Procedure: inv.Procedure, Fingerprint: inv.Fingerprint}, false, nil
	}
	return rec, claimed, err
}

func (r *inlineRunner) recordTx(ctx context.Context, inv Invocation, fn func(t *txn) (bool, error)) error {
	return r.e.store.InTx(ctx, inv.Scope.OrganizationID, func(tx Tx) error {
		_, err := fn(&txn{ctx: ctx, e: r.e, tx: tx, org: inv.Scope.OrganizationID, now: r.e.now()})
		return err
	})
}
