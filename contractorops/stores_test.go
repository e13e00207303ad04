package contractorops_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var migrateOnce sync.Once

// stores are the stores every engine test runs on: memstore always, pgstore
// on a real Postgres as the runtime role (skipped without one unless
// OPSENGINE_REQUIRE_PG=1).
var stores = []struct {
	name string
	open func(t testing.TB) contractorops.Store
}{
	{"memstore", func(testing.TB) contractorops.Store { return memstore.New() }},
	{"pgstore", func(t testing.TB) contractorops.Store {
		db := pgtest.New(t)
		var err error
		migrateOnce.Do(func() { _, err = pgstore.Migrate(context.Background(), db.OwnerURL, nil) })
		if err != nil {
			t.Fatal(err)
		}
		s, err := pgstore.Connect(context.Background(), db.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}},
}

// eachStore runs fn once per store, and once more on pgstore with the
// durable runner.
//
// The tests of the package and their three runs proceed in parallel: each
// works in organizations of its own, and most of their time is spent
// waiting on Postgres.
func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, s.open(t), nil))
		})
	}
	t.Run("durable", func(t *testing.T) {
		t.Parallel()
		store := stores[1].open(t).(*pgstore.Store)
		fn(t, newFixture(t, store, durableRunner(t, store)))
	})
}

var durableMigrateOnce sync.Once

// durableRunner returns a DBOS runner on the test database.
func durableRunner(t testing.TB, store *pgstore.Store) contractorops.Runner {
	db := pgtest.New(t)
	ctx := context.Background()
	var err error
	durableMigrateOnce.Do(func() { err = durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, "") })
	if err != nil {
		t.Fatal(err)
	}
	// An executor id of its own: a runner launching recovers the pending
	// workflows of its executor id only, never another test's.
	r, err := durable.New(ctx, store, &durable.Config{SystemDatabaseURL: db.OwnerURL, Logger: quietLogger(),
		ExecutorID: "test-" + strings.ReplaceAll(t.Name(), "/", "-"), DisableSchedules: true})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// quietLogger drops DBOS's informational logs (it logs every launch) and the
// "context canceled" errors its queue runner logs at every shutdown.
func quietLogger() *slog.Logger {
	return slog.New(quietHandler{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})})
}

type quietHandler struct{ slog.Handler }

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	cancelled := false
	r.Attrs(func(a slog.Attr) bool {
		if strings.Contains(a.Value.String(), "context canceled") {
			cancelled = true
		}
		return !cancelled
	})
	if cancelled {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}
