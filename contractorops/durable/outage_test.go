package durable_test

import (
	"context"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/internal/pgtest"
)

// TestWakeUpOutlivesPostgresOutage: an SLA wake-up falls due while
// Postgres is down for several seconds (crashed, then started again); it
// retries until the database is back and records its escalation, rather
// than ending its workflow in ERROR.
func TestWakeUpOutlivesPostgresOutage(t *testing.T) {
	cluster := pgtest.StartCluster(t)
	db := cluster.DB(t)
	ctx := context.Background()
	if err := durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, ""); err != nil {
		t.Fatal(err)
	}
	eng := start(t, db)
	// Escalate at 5 % of a one-minute response: after 3 s.
	owner, j := fastEmergency(t, eng, 5)
	time.Sleep(time.Until(j.CreatedAt.Add(time.Second)))
	if err := cluster.Crash(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(7 * time.Second) // the wake-up falls due at 3 s and finds no database
	if err := cluster.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		got, err := eng.Jobs.Get(ctx, owner, j.ID)
		if err == nil && len(got.Escalations) == 1 {
			if e := got.Escalations[0]; e.Percent != 5 || e.At.Before(e.DueAt) {
				t.Fatalf("escalation = %+v", e)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("90 s after Postgres came back the job has no escalation (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
