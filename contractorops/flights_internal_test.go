package contractorops

import (
	"context"
	"testing"
	"time"
)

// TestFlightPanics checks that a call that panics leaves no flight behind:
// the next call with the same workflow id runs, rather than waiting for
// the dead one and being refused as still running.
func TestFlightPanics(t *testing.T) {
	var f flights
	inv := Invocation{WorkflowID: "org/job.create.v1/k", Fingerprint: "fp", Procedure: "job/v1/create"}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not propagate")
			}
		}()
		f.run(context.Background(), inv, 5*time.Second, func(context.Context, Invocation) (Outcome, error) { panic("boom") })
	}()
	ran := false
	_, err := f.run(context.Background(), inv, 5*time.Second, func(context.Context, Invocation) (Outcome, error) {
		ran = true
		return Outcome{}, nil
	})
	if err != nil || !ran {
		t.Fatalf("the call after a panic: ran %v, err %v", ran, err)
	}
}
