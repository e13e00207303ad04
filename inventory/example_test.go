package inventory_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/inventory"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// A technician uses capacitors on a job; the nightly plan refills the truck
// from the warehouse and buys what the warehouse lacks; the order arrives.
func Example() {
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	items := []inventory.Item{{ID: "CAP-45-5", SKU: "CAP-45-5", Name: "Run capacitor 45/5 µF", Unit: inventory.Each,
		PreferredSupplierID: "JOHNSTONE"}}
	locations := []inventory.Location{
		{ID: "WH", Type: inventory.Warehouse},
		{ID: "TRUCK-7", Type: inventory.Truck, TechnicianID: "tech-7", ReplenishFromID: "WH"},
	}
	suppliers := []inventory.Supplier{{ID: "JOHNSTONE", LeadTime: inventory.LeadTime{Days: d("3")},
		Items: []inventory.SupplierItem{{ItemID: "CAP-45-5", UnitCost: d("11.50"), PackSize: d("10")}}}}
	policies := []inventory.Policy{
		{ItemID: "CAP-45-5", LocationID: "TRUCK-7", Kind: inventory.PolicyMinMax, Min: d("4"), Max: d("8")},
		{ItemID: "CAP-45-5", LocationID: "WH", Kind: inventory.PolicyMinMax, Min: d("10"), Max: d("30")},
	}
	book, _ := inventory.NewBook(items, locations, nil)

	// Opening stock: 14 in the warehouse, 6 on the truck.
	book.Post(
		inventory.Movement{Kind: inventory.Receipt, ItemID: "CAP-45-5", LocationID: "WH", Quantity: d("14"), UnitCost: d("11.00"), At: now.Add(-72 * time.Hour)},
		inventory.Movement{Kind: inventory.Receipt, ItemID: "CAP-45-5", LocationID: "TRUCK-7", Quantity: d("6"), UnitCost: d("12.00"), At: now.Add(-72 * time.Hour)},
	)

	// The job is scheduled: its parts are reserved on the truck.
	res, err := book.Reserve(now.Add(-48*time.Hour), inventory.ReservationRequest{
		ID: "res-1", JobID: "JOB-1001", LocationID: "TRUCK-7",
		Needs: []inventory.Need{{ItemID: "CAP-45-5", Quantity: d("3")}},
	})
	fmt.Println("reserve:", err)
	_, err = book.Reserve(now.Add(-48*time.Hour), inventory.ReservationRequest{
		ID: "res-2", JobID: "JOB-1002", LocationID: "TRUCK-7",
		Needs: []inventory.Need{{ItemID: "CAP-45-5", Quantity: d("20")}},
	})
	fmt.Println("too much:", errors.Is(err, inventory.ErrInventoryShortage), err)

	// The technician uses them.
	res, used, _ := res.Consume(inventory.Movement{Kind: inventory.Consumption, ItemID: "CAP-45-5", LocationID: "TRUCK-7",
		Quantity: d("-3"), At: now.Add(-24 * time.Hour)}, book)
	fmt.Println("used:", used.Quantity, "costing", used.Value.Neg(), "- reservation", res.Status)

	// The nightly plan.
	plan, _ := inventory.Plan(now, inventory.PlanInput{
		Items: items, Locations: locations, Suppliers: suppliers, Policies: policies, Levels: book.Levels(),
	})
	for _, t := range plan.Transfers {
		for _, l := range t.Lines {
			fmt.Println(l.Reason)
		}
	}
	for _, o := range plan.Orders {
		for _, l := range o.Lines {
			fmt.Println(l.Reason)
		}
	}

	// The refill goes out and arrives; the order is drafted, sent, confirmed, received.
	tr, _ := book.RequestTransfer(now, plan.Transfers[0].Request("trf-1", "TRF-000001"))
	tr, _, _ = tr.Ship(now, nil, book)
	tr, _, _ = tr.Receive(now.Add(12*time.Hour), nil, book)
	po, _ := plan.Orders[0].Draft(now, "po-1", "PO-2026-000001")
	book.Track(po)
	po, _ = po.Submit(now)
	po, _ = po.Confirm(now, plan.Orders[0].ExpectedAt)
	po, _, _ = po.Receive(inventory.OrderReceipt{At: now.Add(72 * time.Hour), Lines: []inventory.ReceiptLine{{Line: 1, Quantity: d("30")}}}, book)
	fmt.Println("transfer", tr.Status, "- order", po.Status, po.Receipts[0].Number)

	for _, l := range book.Levels() {
		fmt.Printf("%s: on hand %s, value %s, position %s\n", l.LocationID, l.OnHand, l.Value, l.Position())
	}
	// Output:
	// reserve: <nil>
	// too much: true inventory: INVENTORY_SHORTAGE: job JOB-1002: at TRUCK-7 + WH: CAP-45-5 short 3 (needs 20, 17 available)
	// used: -3 costing 36 - reservation FULFILLED
	// refill TRUCK-7 5 from WH: position 3 (on hand 3 + on order 0 + in transit 0 − reserved 0) is below min 4: up to max 8 needs 5
	// buy 30 from JOHNSTONE for WH: position 9 (on hand 14 + on order 0 + in transit 0 − reserved 0 − 5 shipped to TRUCK-7) is below min 10: up to max 30 needs 21, rounded up to a multiple of 10: 30
	// transfer RECEIVED - order RECEIVED PO-2026-000001-R1
	// TRUCK-7: on hand 8, value 91, position 8
	// WH: on hand 39, value 444, position 39
}
