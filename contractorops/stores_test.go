package contractorops_test

import (
	"context"
	"sync"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
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

// eachStore runs fn once per store.
func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { fn(t, newFixture(t, s.open(t))) })
	}
}
