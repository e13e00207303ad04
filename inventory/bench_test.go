package inventory_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/inventory"
	"github.com/shopspring/decimal"
)

// benchOrg is a 60-location contractor: two warehouses each refilling 29
// trucks, 20 000 SKUs with a policy at every location (1.2 million
// item×locations), 50 suppliers, and a year of daily consumption drawn from
// a Zipf-like popularity: the top SKUs are used on every truck every day, the
// tail a few times a year per truck, about 40 units per truck and day. Trucks
// carry a min/max template (zero for the SKUs they do not stock); warehouses
// reorder at a computed reorder point (z = 1.65) by the EOQ.
type benchOrg struct {
	in      inventory.PlanInput
	history func(yield func(inventory.Movement)) // the consumption ledger, streamed
	events  int
	from    time.Time
}

func newBenchOrg(skus, trucksPerWarehouse int) *benchOrg {
	rng := rand.New(rand.NewPCG(2026, 11))
	from := time.Date(2025, 11, 24, 0, 0, 0, 0, time.UTC)
	o := &benchOrg{from: from}
	in := &o.in
	for w := range 2 {
		wh := fmt.Sprintf("WH-%d", w)
		in.Locations = append(in.Locations, inventory.Location{ID: wh, Type: inventory.Warehouse})
		for t := range trucksPerWarehouse {
			in.Locations = append(in.Locations, inventory.Location{ID: fmt.Sprintf("TRK-%d-%02d", w, t), Type: inventory.Truck, ReplenishFromID: wh})
		}
	}
	// A Book lists levels by item then location id: so do the inputs here.
	slices.SortFunc(in.Locations, func(a, b inventory.Location) int { return strings.Compare(a.ID, b.ID) })
	for s := range 50 {
		in.Suppliers = append(in.Suppliers, inventory.Supplier{ID: fmt.Sprintf("SUP-%02d", s),
			LeadTime: inventory.LeadTime{Days: decimal.New(int64(2+s%6), 0), StdDev: decimal.New(int64(s%4), -1)}})
	}
	// Small shared decimals keep the setup's memory down (decimals are immutable).
	small := make([]decimal.Decimal, 2001)
	for i := range small {
		small[i] = decimal.New(int64(i), 0)
	}
	packs := []decimal.Decimal{{}, small[1], small[5], small[10], small[12], small[25]}
	z := decimal.New(165, -2)
	rates := make([]float64, skus) // per truck, events per day
	for r := range skus {
		id := fmt.Sprintf("SKU-%05d", r)
		rates[r] = 3.8 / float64(r+1)
		it := inventory.Item{ID: id, SKU: id, Unit: inventory.Each, StandardCost: decimal.New(int64(50+rng.IntN(50000)), -2)}
		if r%10 == 7 { // pipe by the foot, refrigerant by the pound
			it.Unit, it.Step = inventory.Foot, decimal.New(5, -1)
		}
		first := rng.IntN(len(in.Suppliers))
		for k := range 1 + rng.IntN(3) {
			s := &in.Suppliers[(first+k*7)%len(in.Suppliers)]
			cost := it.StandardCost.Mul(decimal.New(int64(90+rng.IntN(20)), -2)).Round(2)
			s.Items = append(s.Items, inventory.SupplierItem{ItemID: id, UnitCost: cost, PackSize: packs[rng.IntN(len(packs))], MinOrder: small[rng.IntN(3)]})
		}
		if rng.IntN(5) > 0 {
			it.PreferredSupplierID = in.Suppliers[first].ID
		}
		in.Items = append(in.Items, it)
	}
	// Policies, levels and demand rows in (item, location) order, as a Book
	// and a DemandCounter return them.
	for r := range skus {
		id := in.Items[r].ID
		lambda := rates[r]
		for _, loc := range in.Locations {
			key := inventory.Key{ItemID: id, LocationID: loc.ID}
			var p inventory.Policy
			var onHand int
			if loc.Type == inventory.Truck {
				mn := int(math.Ceil(lambda * 2))
				mx := 0
				if mn > 0 && r < 600 {
					mx = mn + int(math.Ceil(lambda*4))
				} else {
					mn = 0
				}
				p = inventory.Policy{ItemID: id, LocationID: loc.ID, Kind: inventory.PolicyMinMax, Min: small[min(mn, 2000)], Max: small[min(mx, 2000)]}
				if mx > 0 {
					onHand = rng.IntN(mx + 1)
				}
			} else {
				p = inventory.Policy{ItemID: id, LocationID: loc.ID, Kind: inventory.PolicyReorderPoint, Z: z,
					OrderCost: small[40], HoldingRate: decimal.New(25, -2)}
				onHand = rng.IntN(int(lambda*float64(trucksPerWarehouse)*12) + 2)
			}
			in.Policies = append(in.Policies, p)
			in.Levels = append(in.Levels, inventory.Level{Key: key, OnHand: small[min(onHand, 2000)]})
		}
	}
	negative := []decimal.Decimal{{}, small[1].Neg(), small[2].Neg(), small[3].Neg()}
	o.history = func(yield func(inventory.Movement)) {
		rng := rand.New(rand.NewPCG(7, 2026))
		for r := range skus {
			id := in.Items[r].ID
			p := 1 - math.Exp(-rates[r]) // chance a truck uses the SKU on a given day
			for _, loc := range in.Locations {
				if loc.Type != inventory.Truck {
					continue
				}
				for day := geometric(rng, p); day < 365; day += 1 + geometric(rng, p) {
					q := negative[1+rng.IntN(3)]
					at := from.Add(time.Duration(day)*24*time.Hour + 9*time.Hour)
					yield(inventory.Movement{Kind: inventory.Consumption, ItemID: id, LocationID: loc.ID, Quantity: q, At: at})
					// the nightly refill is the warehouse's demand
					yield(inventory.Movement{Kind: inventory.TransferOut, ItemID: id, LocationID: loc.ReplenishFromID, CounterpartID: loc.ID,
						Quantity: q, At: at.Add(12 * time.Hour)})
				}
			}
		}
	}
	return o
}

// geometric draws the number of failures before a success of probability p.
func geometric(rng *rand.Rand, p float64) int {
	if p >= 1 {
		return 0
	}
	return int(math.Floor(math.Log(1-rng.Float64()) / math.Log(1-p)))
}

func (o *benchOrg) demand(b *testing.B) []inventory.DemandStats {
	c, err := inventory.NewDemandCounter(o.from, 365, o.in.Locations)
	if err != nil {
		b.Fatal(err)
	}
	o.events = 0
	o.history(func(m inventory.Movement) {
		if err := c.Add(m); err != nil {
			b.Fatal(err)
		}
		o.events++
	})
	return c.Stats()
}

// cpuTime is the CPU time the process has used, garbage collection included:
// on a shared machine it varies less than the wall-clock time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapMiB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// BenchmarkPlan plans 20 000 SKUs × 60 locations with demand from a year of
// daily history: the demand statistics (the ledger streamed through a
// DemandCounter) and the plan are timed separately and together.
func BenchmarkPlan(b *testing.B) {
	skus := 20000
	if testing.Short() {
		skus = 2000
	}
	o := newBenchOrg(skus, 29)
	now := o.from.AddDate(1, 0, 0)
	setup := heapMiB()
	b.Run(fmt.Sprintf("history/skus=%d/locations=%d", skus, len(o.in.Locations)), func(b *testing.B) {
		for b.Loop() {
			o.events = 0
			o.history(func(inventory.Movement) { o.events++ })
		}
		b.ReportMetric(float64(o.events), "movements")
	})
	b.Run(fmt.Sprintf("demand/skus=%d/locations=%d", skus, len(o.in.Locations)), func(b *testing.B) {
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			o.demand(b)
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(o.events), "movements")
	})
	o.in.Demand = o.demand(b)
	withDemand := heapMiB()
	// The floor any planner must pay: read every level's position and
	// compare it with its policy's minimum.
	b.Run(fmt.Sprintf("scan/skus=%d/locations=%d", skus, len(o.in.Locations)), func(b *testing.B) {
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			below := 0
			for i := range o.in.Levels {
				if o.in.Levels[i].Position().Cmp(o.in.Policies[i].Min) < 0 {
					below++
				}
			}
			b.ReportMetric(float64(below), "below-min")
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	})
	b.Run(fmt.Sprintf("plan/skus=%d/locations=%d", skus, len(o.in.Locations)), func(b *testing.B) {
		b.ReportAllocs()
		var pr *inventory.Proposal
		cpu := cpuTime()
		for b.Loop() {
			var err error
			if pr, err = inventory.Plan(now, o.in); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		lines := 0
		for _, t := range pr.Transfers {
			lines += len(t.Lines)
		}
		for _, po := range pr.Orders {
			lines += len(po.Lines)
		}
		b.ReportMetric(float64(len(o.in.Policies)), "policies")
		b.ReportMetric(float64(lines), "lines")
		b.ReportMetric(setup, "MiB-input")
		b.ReportMetric(withDemand-setup, "MiB-demand")
	})
}
