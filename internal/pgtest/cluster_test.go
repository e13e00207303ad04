package pgtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/internal/pgtest"
)

// TestClusterCrashAndRestart writes a row to a throwaway cluster, crashes
// the server, checks that it no longer answers, starts it again and finds
// the committed row recovered; then a clean stop and start.
func TestClusterCrashAndRestart(t *testing.T) {
	c := pgtest.StartCluster(t)
	db := c.DB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	owner := connect(t, db.OwnerURL)
	if _, err := owner.Exec(ctx, `CREATE TABLE marks (n int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, `INSERT INTO marks VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	var super bool
	if err := connect(t, db.URL).QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil || super {
		t.Fatalf("runtime role: superuser=%v, %v", super, err)
	}

	if err := c.Crash(); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, `SELECT 1`); err == nil {
		t.Fatal("a session survived the crash")
	}
	if conn, err := pgx.Connect(ctx, db.OwnerURL); err == nil {
		conn.Close(ctx)
		t.Fatal("the crashed server accepts connections")
	}

	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := connect(t, db.OwnerURL).QueryRow(ctx, `SELECT count(*) FROM marks WHERE n = 1`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("after crash recovery: %d committed rows, want 1", n)
	}

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("stopping a stopped cluster: %v", err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("after a clean restart: %d rows, want 1", n)
	}
}
