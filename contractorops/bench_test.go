package contractorops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
)

// BenchmarkEmbeddedMutation is customer/v1/create on the embedded engine:
// validation, idempotency record, transaction, audit and change feed.
func BenchmarkEmbeddedMutation(b *testing.B) {
	f := newFixture(b, memstore.New(), nil)
	ctx := context.Background()
	in := contractorops.CustomerInput{Name: "Ada Lovelace", Email: "ada@example.com"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.eng.Customers.Create(ctx, f.owner, fmt.Sprint("k", i), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbeddedJobCreate is job/v1/create on the embedded engine.
func BenchmarkEmbeddedJobCreate(b *testing.B) {
	f := newFixture(b, memstore.New(), nil)
	ctx := context.Background()
	in := contractorops.CreateJobInput{Title: "No heat", Trade: "HVAC"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.eng.Jobs.Create(ctx, f.owner, fmt.Sprint("k", i), in); err != nil {
			b.Fatal(err)
		}
	}
}
