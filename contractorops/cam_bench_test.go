package contractorops_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// benchStores are the backends of the CAM benchmarks.
func benchStores(b *testing.B, fn func(b *testing.B, f *fixture)) {
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) { fn(b, newFixture(b, s.open(b), nil)) })
	}
	b.Run("durable", func(b *testing.B) {
		store := stores[1].open(b).(*pgstore.Store)
		fn(b, newFixture(b, store, durableRunner(b, store)))
	})
}

// BenchmarkCAMDeliver is one cam/v1/deliver of the events of one cancelled
// work order: 4 events (its two status changes, the work order's and the
// case's).
func BenchmarkCAMDeliver(b *testing.B) {
	benchStores(b, func(b *testing.B, f *fixture) {
		ctx := context.Background()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			f.camJob(b, fmt.Sprint("bench-", i), jobfsm.SourceWorkOrder)
			b.StartTimer()
			r, err := f.eng.CAM.Deliver(ctx, f.owner, fmt.Sprint("deliver-", i), contractorops.DeliverInput{})
			if err != nil || r.Delivered != 4 {
				b.Fatalf("deliver: %+v, %v", r, err)
			}
		}
	})
}

// BenchmarkCAMDeliveryIdle is the cam-delivery task for one organization
// with nothing new to deliver: what most organizations cost every minute.
func BenchmarkCAMDeliveryIdle(b *testing.B) {
	benchStores(b, func(b *testing.B, f *fixture) {
		ctx := context.Background()
		f.camJob(b, "bench", jobfsm.SourceWorkOrder)
		tick := f.clock.Now()
		if _, err := f.eng.RunTaskFor(ctx, "cam-delivery", tick, f.org); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rep, err := f.eng.RunTaskFor(ctx, "cam-delivery", tick.Add(time.Duration(i+1)*time.Minute), f.org)
			if err != nil || rep.Actions != 0 {
				b.Fatalf("idle run: %+v, %v", rep, err)
			}
		}
	})
}
