package loadgen_test

import (
	"log/slog"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/rpcserver/loadgen"
)

// durableEngine starts an engine on a fresh Postgres database with the
// durable runner, as opsd runs it.
func durableEngine(t *testing.T) *contractorops.Engine {
	t.Helper()
	db := pgtest.Fresh(t)
	if err := durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, ""); err != nil {
		t.Fatal(err)
	}
	store, err := pgstore.Connect(ctx, db.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	logger := slog.New(slog.DiscardHandler)
	r, err := durable.New(ctx, store, &durable.Config{SystemDatabaseURL: db.OwnerURL, ExecutorID: "loadgen-test", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := contractorops.New(store, &contractorops.Config{Runner: r, Logger: logger,
		PaymentProviders: map[string]contractorops.PaymentProvider{"test": contractorops.NewTestProvider()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(ctx) })
	return eng
}

// TestRunPostgres runs the mix against the durable engine on Postgres and
// verifies every acknowledged write.
func TestRunPostgres(t *testing.T) {
	eng := durableEngine(t)
	url, key := serve(t, eng, "Durable Heating")
	runAndVerify(t, url, key, loadgen.Config{Concurrency: 4, Requests: 200, RetryShare: 0.2, Seed: 2})
}
