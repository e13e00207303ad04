package dispatch_test

import (
	"context"
	"testing"

	"github.com/hestami-ai/opsengine/dispatch"
)

func TestOptimizeGenerated(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		s := genSnapshot(seed, 8, 60)
		p, err := dispatch.Optimize(context.Background(), s, &dispatch.Options{Seed: seed, Iterations: 500})
		if err != nil {
			t.Fatal(err)
		}
		if err := verifyPlan(s, p); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
		t.Logf("seed %d: %d routes, %d unassigned, travel %v", seed, len(p.Routes), len(p.Unassigned), p.Objective.Travel)
	}
}
