package inventory_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/inventory"
)

// The engine keeps the ledger and a snapshot of each balance; Replay rebuilds
// the balance from the ledger, equal to the one posting built.
func ExampleReplay() {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	book, _ := inventory.NewBook([]inventory.Item{{ID: "R410A", Unit: inventory.Pound, Costing: inventory.FIFO}},
		[]inventory.Location{{ID: "TRUCK-7", Type: inventory.Truck}}, nil)
	ledger, _ := book.Post(
		inventory.Movement{Kind: inventory.Receipt, ItemID: "R410A", LocationID: "TRUCK-7", Quantity: d("25"), UnitCost: d("9.20"), At: now},
		inventory.Movement{Kind: inventory.Receipt, ItemID: "R410A", LocationID: "TRUCK-7", Quantity: d("25"), UnitCost: d("10.40"), At: now},
		inventory.Movement{Kind: inventory.Consumption, ItemID: "R410A", LocationID: "TRUCK-7", Quantity: d("-27.5"), JobID: "JOB-1", At: now},
	)
	key := inventory.Key{ItemID: "R410A", LocationID: "TRUCK-7"}
	posted, _ := book.Balance(key)
	replayed, _ := inventory.Replay(key, inventory.FIFO, ledger)
	fmt.Println("job charged", ledger[2].Value.Neg(), "- left", replayed.OnHand(), "lb worth", replayed.Value(), "- equal:", replayed.Equal(posted))

	ledger[2].Value = d("-250") // someone edits the ledger
	_, err := inventory.Replay(key, inventory.FIFO, ledger)
	fmt.Println(errors.Is(err, inventory.ErrLedgerMismatch))
	// Output:
	// job charged 256 - left 22.5 lb worth 234 - equal: true
	// true
}

// A job is scheduled only if its parts can be reserved on the technician's
// truck and, for the rest, at the truck's warehouse.
func ExampleBook_Reserve() {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	book, _ := inventory.NewBook(
		[]inventory.Item{{ID: "CAP-45-5"}, {ID: "CONTACTOR-40A"}},
		[]inventory.Location{{ID: "WH", Type: inventory.Warehouse}, {ID: "TRUCK-7", Type: inventory.Truck, ReplenishFromID: "WH"}}, nil)
	book.Post(
		inventory.Movement{Kind: inventory.Receipt, ItemID: "CAP-45-5", LocationID: "TRUCK-7", Quantity: d("1"), UnitCost: d("11"), At: now},
		inventory.Movement{Kind: inventory.Receipt, ItemID: "CAP-45-5", LocationID: "WH", Quantity: d("3"), UnitCost: d("11"), At: now},
	)
	res, err := book.Reserve(now, inventory.ReservationRequest{ID: "res-1", JobID: "JOB-1", LocationID: "TRUCK-7",
		Needs: []inventory.Need{{ItemID: "CAP-45-5", Quantity: d("2")}}})
	fmt.Println(err)
	for _, l := range res.Lines {
		fmt.Println(l.LocationID, l.Quantity)
	}
	_, err = book.Reserve(now, inventory.ReservationRequest{ID: "res-2", JobID: "JOB-2", LocationID: "TRUCK-7",
		Needs: []inventory.Need{{ItemID: "CAP-45-5", Quantity: d("3")}, {ItemID: "CONTACTOR-40A", Quantity: d("1")}}})
	var short *inventory.ShortageError
	if errors.As(err, &short) {
		for _, s := range short.Items {
			fmt.Println(s.ItemID, "short", s.Short)
		}
	}
	// Output:
	// <nil>
	// TRUCK-7 1
	// WH 1
	// CAP-45-5 short 1
	// CONTACTOR-40A short 1
}

// A transfer receipt may be partial; cancelling it returns what did not
// arrive to the source, at the value it left with.
func ExampleTransfer_Cancel() {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	book, _ := inventory.NewBook([]inventory.Item{{ID: "PIPE-3/4", Unit: inventory.Foot}},
		[]inventory.Location{{ID: "WH", Type: inventory.Warehouse}, {ID: "TRUCK-7", Type: inventory.Truck, ReplenishFromID: "WH"}}, nil)
	book.Post(inventory.Movement{Kind: inventory.Receipt, ItemID: "PIPE-3/4", LocationID: "WH", Quantity: d("100"), UnitCost: d("0.85"), At: now})
	tr, _ := book.RequestTransfer(now, inventory.TransferRequest{ID: "trf-1", Number: "TRF-000001", FromID: "WH", ToID: "TRUCK-7",
		Lines: []inventory.TransferLineInput{{ItemID: "PIPE-3/4", Quantity: d("40")}}})
	tr, _, _ = tr.Ship(now, nil, book)
	tr, _, _ = tr.Receive(now, []inventory.LineQuantity{{Line: 1, Quantity: d("30")}}, book)
	tr, back, _ := tr.Cancel(now, book)
	l := tr.Lines[0]
	fmt.Println(tr.Status, "shipped", l.Shipped, "received", l.Received, "returned", l.Returned, "worth", back[0].Value)
	for _, lvl := range book.Levels() {
		fmt.Println(lvl.LocationID, lvl.OnHand, lvl.Value)
	}
	// Output:
	// CANCELLED shipped 40 received 30 returned 10 worth 8.5
	// TRUCK-7 30 25.5
	// WH 70 59.5
}
