package inventory_test

import (
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/inventory"
)

// Demand statistics come from the consumption ledger: a truck's uses and
// returns per day, and a warehouse's refills of its trucks.
func ExampleDemandCounter() {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	locations := []inventory.Location{{ID: "WH", Type: inventory.Warehouse}, {ID: "TRUCK-7", Type: inventory.Truck, ReplenishFromID: "WH"}}
	c, _ := inventory.NewDemandCounter(from, 7, locations)
	for day, q := range []string{"2", "0", "4", "1", "0", "3", "4"} {
		at := from.AddDate(0, 0, day).Add(10 * time.Hour)
		if q != "0" {
			c.Add(inventory.Movement{Kind: inventory.Consumption, ItemID: "CAP-45-5", LocationID: "TRUCK-7", Quantity: d(q).Neg(), At: at})
			c.Add(inventory.Movement{Kind: inventory.TransferOut, ItemID: "CAP-45-5", LocationID: "WH", CounterpartID: "TRUCK-7", Quantity: d(q).Neg(), At: at.Add(10 * time.Hour)})
		}
	}
	for _, s := range c.Stats() {
		fmt.Println(s.LocationID, "total", s.Total, "mean/day", s.Mean, "σ", s.StdDev)
	}
	// Output:
	// TRUCK-7 total 14 mean/day 2 σ 1.7320508
	// WH total 14 mean/day 2 σ 1.7320508
}

// A nightly plan: the trucks are refilled from the warehouse, the most
// urgent first; the warehouse buys what it lacks, and what it owes the trucks.
func ExamplePlan() {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	in := inventory.PlanInput{
		Items: []inventory.Item{{ID: "CAP-45-5"}, {ID: "R410A", Unit: inventory.Pound, Step: d("0.1")}},
		Locations: []inventory.Location{
			{ID: "WH", Type: inventory.Warehouse},
			{ID: "TRUCK-7", Type: inventory.Truck, ReplenishFromID: "WH"},
			{ID: "TRUCK-9", Type: inventory.Truck, ReplenishFromID: "WH"},
		},
		Suppliers: []inventory.Supplier{{ID: "JOHNSTONE", LeadTime: inventory.LeadTime{Days: d("3")}, Items: []inventory.SupplierItem{
			{ItemID: "CAP-45-5", UnitCost: d("11.50"), PackSize: d("10")},
			{ItemID: "R410A", UnitCost: d("9.80"), PackSize: d("25")}, // 25 lb cylinders
		}}},
		Policies: []inventory.Policy{
			{ItemID: "CAP-45-5", LocationID: "TRUCK-7", Kind: inventory.PolicyMinMax, Min: d("2"), Max: d("4")},
			{ItemID: "CAP-45-5", LocationID: "TRUCK-9", Kind: inventory.PolicyMinMax, Min: d("2"), Max: d("4")},
			{ItemID: "R410A", LocationID: "WH", Kind: inventory.PolicyReorderPoint, Z: d("1.65")},
		},
		Levels: []inventory.Level{
			{Key: inventory.Key{ItemID: "CAP-45-5", LocationID: "TRUCK-9"}, OnHand: d("1")},
			{Key: inventory.Key{ItemID: "CAP-45-5", LocationID: "WH"}, OnHand: d("4")},
			{Key: inventory.Key{ItemID: "R410A", LocationID: "WH"}, OnHand: d("30")},
		},
		Demand: []inventory.DemandStats{{Key: inventory.Key{ItemID: "R410A", LocationID: "WH"}, Days: 90, Mean: d("12.5"), StdDev: d("4")}},
	}
	pr, _ := inventory.Plan(now, in)
	for _, t := range pr.Transfers {
		for _, l := range t.Lines {
			fmt.Printf("%s\n  %s\n", l.Key, l.Reason)
		}
	}
	for _, o := range pr.Orders {
		fmt.Println(o.Key, "expected", o.ExpectedAt.Format(time.DateOnly))
		for _, l := range o.Lines {
			fmt.Printf("  %s %s × %s\n  %s\n", l.ItemID, l.Quantity, l.UnitCost.StringFixed(2), l.Reason)
		}
	}
	// Output:
	// transfer:WH:TRUCK-7:CAP-45-5
	//   refill TRUCK-7 3 from WH: position 0 (on hand 0 + on order 0 + in transit 0 − reserved 0) is below min 2: up to max 4 needs 4; WH can ship only 3 now
	// transfer:WH:TRUCK-9:CAP-45-5
	//   refill TRUCK-9 1 from WH: position 1 (on hand 1 + on order 0 + in transit 0 − reserved 0) is below min 2: up to max 4 needs 3; WH can ship only 1 now
	// po:JOHNSTONE:WH expected 2026-11-27
	//   CAP-45-5 10 × 11.50
	//   buy 10 from JOHNSTONE for WH: position -3 (on hand 4 + on order 0 + in transit 0 − reserved 0 − 4 shipped to TRUCK-7, TRUCK-9 − 3 owed to TRUCK-7 (1), TRUCK-9 (2)) is below zero: it must cover what it owes, rounded up to a multiple of 10: 10
	//   R410A 25 × 9.80
	//   buy 25 from JOHNSTONE for WH: position 30 (on hand 30 + on order 0 + in transit 0 − reserved 0) is below the reorder point 48.93 (mean demand 12.5/day × lead time 3 days + safety stock 11.43 at z 1.65): needs 18.93, rounded up to a multiple of 25: 25
}
