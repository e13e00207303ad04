package contractorops

import (
	"context"
	"sync"
	"time"
)

// flights coalesces the concurrent calls of one process that carry the same
// workflow id (the same organization, procedure and idempotency key): the
// first runs, the others wait for its outcome and return it as a replay. A
// waiting call with another fingerprint is refused at once. Runners thus see
// one call per workflow id per process and handle only other processes.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	fingerprint string
	done        chan struct{}
	out         Outcome
	err         error
}

func (f *flights) run(ctx context.Context, inv Invocation, wait time.Duration, fn func(context.Context, Invocation) (Outcome, error)) (Outcome, error) {
	f.mu.Lock()
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	if fl := f.m[inv.WorkflowID]; fl != nil {
		f.mu.Unlock()
		if fl.fingerprint != inv.Fingerprint {
			return Outcome{}, idempotencyConflict(inv)
		}
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-fl.done:
			if fl.err != nil {
				return Outcome{}, fl.err
			}
			out := fl.out
			out.Replayed = true
			return out, nil
		case <-timer.C:
			return Outcome{}, inFlight(inv)
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		}
	}
	// Until fn returns, its outcome is an internal error: if it panics, the
	// calls waiting for it get that, and the flight is removed all the same
	// (else every later call with the key would wait and be refused as
	// still running for as long as the process lives).
	fl := &flight{fingerprint: inv.Fingerprint, done: make(chan struct{}),
		err: NewError(CodeInternal, "the first request with this idempotency key to %s failed; retry", inv.Procedure)}
	f.m[inv.WorkflowID] = fl
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.m, inv.WorkflowID)
		f.mu.Unlock()
		close(fl.done)
	}()

	fl.out, fl.err = fn(ctx, inv)
	return fl.out, fl.err
}

func idempotencyConflict(inv Invocation) *Error {
	return NewError(CodeIdempotencyConflict, "the idempotency key was used with a different request to %s", inv.Procedure)
}

func inFlight(inv Invocation) *Error {
	return NewError(CodeConflict, "a request with this idempotency key to %s is still running; retry later", inv.Procedure)
}
