package main

import (
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/rpcserver/client"
	"github.com/hestami-ai/opsengine/rpcserver/loadgen"
)

// TestLoadgen drives the load generator's mix against opsd processes, card
// payments through the test provider: on the embedded engine, and on
// Postgres with two processes sharing the database. Every acknowledged
// write took effect once.
func TestLoadgen(t *testing.T) {
	run := func(t *testing.T, targets []string, key string) {
		c := client.New(targets[0], key, nil)
		fx, err := loadgen.Seed(ctx, c, &loadgen.SeedConfig{Technicians: 3, Customers: 5, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := loadgen.Run(ctx, &loadgen.Config{Targets: targets, Orgs: []loadgen.Org{{APIKey: key, Fixture: fx}},
			Concurrency: 4, Requests: 150, RetryShare: 0.1, Seed: 1, PaymentProvider: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK != rep.Operations || rep.JobsPaid == 0 || rep.RetriesMatched != rep.Retries {
			t.Errorf("%d of %d ok (%v), %d jobs paid, %d of %d replays matched", rep.OK, rep.Operations, rep.Errors, rep.JobsPaid, rep.RetriesMatched, rep.Retries)
		}
		if err := loadgen.Verify(ctx, c, rep); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("embedded", func(t *testing.T) {
		p := startOpsd(t, nil, "-test-payment-provider", "-rate-limit", "-1")
		run(t, []string{p.URL}, p.Key)
	})
	t.Run("postgres, two processes", func(t *testing.T) {
		db := pgtest.Fresh(t)
		runOpsd(t, "migrate", "-database-url", db.OwnerURL, "-runtime-role", pgtest.RuntimeRole)
		_, key := createOrgWith(t, db, "Load Heating")
		var urls []string
		for _, id := range []string{"load-1", "load-2"} {
			p := startOpsd(t, []string{"OPSD_RATE_LIMIT=-1"}, "-database-url", db.URL, "-system-database-url", db.OwnerURL, "-executor-id", id, "-test-payment-provider")
			urls = append(urls, p.URL)
		}
		run(t, urls, key)
	})
}

// TestNoTestProviderByDefault checks that payments cannot name the test
// provider unless opsd was started with -test-payment-provider.
func TestNoTestProviderByDefault(t *testing.T) {
	p := startOpsd(t, nil)
	_, err := p.client(p.Key).Do(ctx, "invoice/v1/collectPayment", client.NewIdempotencyKey(), contractorops.CollectPaymentInput{InvoiceID: "inv",
		PaymentInput: contractorops.PaymentInput{Method: "CARD", Provider: "test", Source: "tok"}}, nil)
	e := wantCode(t, err, contractorops.CodeValidationFailed)
	if len(e.FieldErrors) == 0 || e.FieldErrors[0].Field != "provider" {
		t.Fatalf("field errors %+v", e.FieldErrors)
	}
}
