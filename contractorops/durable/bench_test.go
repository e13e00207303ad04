package durable_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/internal/pgtest"
)

// benchDB is one migrated database shared by the benchmarks of a run.
var benchDB struct {
	once sync.Once
	db   *pgtest.DB
	err  error
}

func benchSetup(b *testing.B) *pgtest.DB {
	b.Helper()
	db := pgtest.New(b)
	benchDB.once.Do(func() {
		benchDB.err = durableMigrate(db)
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return db
}

// BenchmarkRawInsertTx is the physical baseline: one transaction that sets
// the tenant and inserts one row into the jobs table, as the runtime role,
// on the same database — what the machine can do at the least.
func BenchmarkRawInsertTx(b *testing.B) {
	db := benchSetup(b)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	const org = "0b0c0d0e-0000-4000-8000-0000000000bb"
	run := benchRun()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tx, err := pool.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", org); err != nil {
			tx.Rollback(ctx) //nolint:errcheck // failing already
			b.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO jobs (organization_id, id, version, number, status, data) VALUES ($1, $2, 1, $3, 'TICKET', '{"title":"x"}')`,
			org, fmt.Sprintf("raw-%s-%d", run, i), fmt.Sprintf("RAW-%s-%d", run, i)); err != nil {
			tx.Rollback(ctx) //nolint:errcheck // failing already
			b.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJobCreateDurable runs job/v1/create through the durable path: a
// DBOS workflow whose transaction (number, job, history, audit, change
// feed, outbox) runs under row-level security, each with a new key.
func BenchmarkJobCreateDurable(b *testing.B) {
	db := benchSetup(b)
	benchJobCreate(b, startB(b, db), "bench")
}

// benchRun names one run of a benchmark: its rows and keys are new even
// when the run repeats (-count), so that it never measures replays.
func benchRun() string { return strconv.FormatUint(rand.Uint64(), 36) }

// benchJobCreate creates b.N jobs through eng in an organization of their
// own, each with a new key.
func benchJobCreate(b *testing.B, eng *contractorops.Engine, prefix string) {
	ctx := context.Background()
	prefix += "-" + benchRun()
	org, err := eng.Organizations.Create(ctx, platform, prefix+"-org", contractorops.CreateOrganizationInput{Name: "Bench Co", Type: contractorops.OrgServiceProvider})
	if err != nil {
		b.Fatal(err)
	}
	owner := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "u"}, Role: contractorops.RoleDispatcher}
	in := contractorops.CreateJobInput{Title: "No heat", Trade: "HVAC"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := eng.Jobs.Create(ctx, owner, fmt.Sprint(prefix, "-", i), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJobCreateInline runs job/v1/create on the same Postgres store
// with the engine's inline runner (no DBOS): the same transaction, not
// durable. BenchmarkJobCreateDurable minus this is the durable workflow's
// overhead per command.
func BenchmarkJobCreateInline(b *testing.B) {
	db := benchSetup(b)
	ctx := context.Background()
	store, err := pgstore.Connect(ctx, db.URL, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	eng, err := contractorops.New(store, &contractorops.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close(ctx)
	benchJobCreate(b, eng, "bench-inline")
}
