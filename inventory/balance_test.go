package inventory_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/inventory"
	"github.com/shopspring/decimal"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// costBook is a book with one moving-average item (M), one FIFO item (F),
// both with a standard cost of 5, a warehouse and a truck allowing negatives.
func costBook(t *testing.T) *inventory.Book {
	t.Helper()
	b, err := inventory.NewBook(
		[]inventory.Item{
			{ID: "M", StandardCost: d("5")},
			{ID: "F", StandardCost: d("5"), Costing: inventory.FIFO},
		},
		[]inventory.Location{{ID: "WH", Type: inventory.Warehouse}, {ID: "TRK", Type: inventory.Truck, AllowNegative: true}},
		nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rcv(item, loc, q, cost string) inventory.Movement {
	return inventory.Movement{Kind: inventory.Receipt, ItemID: item, LocationID: loc, Quantity: d(q), UnitCost: d(cost), At: t0}
}

func use(item, loc, q string) inventory.Movement {
	return inventory.Movement{Kind: inventory.Consumption, ItemID: item, LocationID: loc, Quantity: d(q).Neg(), JobID: "J", At: t0}
}

func adj(item, loc, q string) inventory.Movement {
	return inventory.Movement{Kind: inventory.Adjustment, ItemID: item, LocationID: loc, Quantity: d(q), Reason: inventory.Found, At: t0}
}

// TestCosting posts a sequence and checks the value of the last movement
// and the balance after it.
func TestCosting(t *testing.T) {
	tests := []struct {
		name                         string
		moves                        []inventory.Movement
		value, reval, unitCost       string // of the last movement
		onHand, stockValue, avgAfter string
	}{
		{"moving average of two receipts", []inventory.Movement{rcv("M", "WH", "10", "2"), rcv("M", "WH", "10", "4"), use("M", "WH", "5")},
			"-15", "0", "3", "15", "45", "3"},
		{"the last issue takes the rest of the value", []inventory.Movement{rcv("M", "WH", "10", "2"), rcv("M", "WH", "10", "4"), use("M", "WH", "5"), use("M", "WH", "15")},
			"-45", "0", "3", "0", "0", "3"},
		{"issues round to 4 places, half away from zero", []inventory.Movement{rcv("M", "WH", "1", "1"), rcv("M", "WH", "2", "0"), use("M", "WH", "1"), use("M", "WH", "1")},
			"-0.3334", "0", "0.3334", "1", "0.3333", "0.3333"},
		{"receipts keep the given cost exactly", []inventory.Movement{rcv("M", "WH", "1.5", "1.2345")},
			"1.85175", "0", "1.2345", "1.5", "1.85175", "1.2345"},
		{"FIFO takes the oldest layers", []inventory.Movement{rcv("F", "WH", "5", "2"), rcv("F", "WH", "5", "4"), use("F", "WH", "7")},
			"-18", "0", "2.5714", "3", "12", "4"},
		{"FIFO partial layer", []inventory.Movement{rcv("F", "WH", "3", "1"), use("F", "WH", "1"), use("F", "WH", "1")},
			"-1", "0", "1", "1", "1", "1"},
		{"issue from nothing at the standard cost", []inventory.Movement{use("M", "TRK", "2")},
			"-10", "0", "5", "-2", "-10", "5"},
		{"a receipt re-values what was issued before it arrived", []inventory.Movement{use("M", "TRK", "2"), rcv("M", "TRK", "5", "6")},
			"28", "-2", "6", "3", "18", "6"},
		{"a receipt that does not cover the deficit", []inventory.Movement{use("M", "TRK", "5"), rcv("M", "TRK", "2", "12")},
			"10", "-14", "12", "-3", "-15", "12"},
		{"issue past the stock on hand", []inventory.Movement{rcv("M", "TRK", "2", "5"), use("M", "TRK", "3")},
			"-15", "0", "5", "-1", "-5", "5"},
		{"FIFO issue past the layers", []inventory.Movement{rcv("F", "TRK", "2", "5"), rcv("F", "TRK", "1", "8"), use("F", "TRK", "4")},
			"-26", "0", "6.5", "-1", "-8", "8"},
		{"found stock is valued at the average", []inventory.Movement{rcv("M", "WH", "4", "2.5"), adj("M", "WH", "2")},
			"5", "0", "2.5", "6", "15", "2.5"},
		{"a count of no difference", []inventory.Movement{rcv("M", "WH", "4", "2.5"), {Kind: inventory.Count, ItemID: "M", LocationID: "WH", Quantity: d("0"), At: t0}},
			"0", "0", "2.5", "4", "10", "2.5"},
		{"a return from a job at the job's cost", []inventory.Movement{rcv("M", "WH", "4", "2"), {Kind: inventory.Return, ItemID: "M", LocationID: "WH", Quantity: d("2"), UnitCost: d("5"), JobID: "J", At: t0}},
			"10", "0", "5", "6", "18", "3"},
		{"a transfer in carries the value given", []inventory.Movement{{Kind: inventory.TransferIn, ItemID: "F", LocationID: "WH", Quantity: d("3"), Value: d("10"), At: t0}},
			"10", "0", "3.3333", "3", "10", "3.3333"},
		{"a return to the supplier", []inventory.Movement{rcv("M", "WH", "4", "2"), {Kind: inventory.ReturnToSupplier, ItemID: "M", LocationID: "WH", Quantity: d("-1"), At: t0}},
			"-2", "0", "2", "3", "6", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := costBook(t)
			var last inventory.Movement
			var ledger []inventory.Movement
			for _, m := range tt.moves {
				posted, err := b.Post(m)
				if err != nil {
					t.Fatal(err)
				}
				last = posted[0]
				ledger = append(ledger, last)
			}
			if !last.Value.Equal(d(tt.value)) || !last.Revaluation.Equal(d(tt.reval)) || !last.UnitCost.Equal(d(tt.unitCost)) {
				t.Errorf("last movement value %s revaluation %s unit cost %s, want %s %s %s", last.Value, last.Revaluation, last.UnitCost, tt.value, tt.reval, tt.unitCost)
			}
			bal, _ := b.Balance(last.Key())
			if !bal.OnHand().Equal(d(tt.onHand)) || !bal.Value().Equal(d(tt.stockValue)) || !bal.UnitCost().Equal(d(tt.avgAfter)) {
				t.Errorf("balance %s worth %s at %s, want %s worth %s at %s", bal.OnHand(), bal.Value(), bal.UnitCost(), tt.onHand, tt.stockValue, tt.avgAfter)
			}
			method := inventory.MovingAverage
			if last.ItemID == "F" {
				method = inventory.FIFO
			}
			replayed, err := inventory.Replay(last.Key(), method, ledger)
			if err != nil || !replayed.Equal(bal) {
				t.Errorf("replay %v (%v), want the posted balance", replayed, err)
			}
		})
	}
}

func TestFIFOLayers(t *testing.T) {
	b := costBook(t)
	if _, err := b.Post(rcv("F", "WH", "5", "2"), rcv("F", "WH", "5", "4"), use("F", "WH", "7")); err != nil {
		t.Fatal(err)
	}
	bal, _ := b.Balance(inventory.Key{ItemID: "F", LocationID: "WH"})
	layers := bal.Layers()
	if len(layers) != 1 || !layers[0].Quantity.Equal(d("3")) || !layers[0].Value.Equal(d("12")) {
		t.Fatalf("layers %+v, want 3 worth 12", layers)
	}
	layers[0].Quantity = d("100") // a copy
	if again, _ := b.Balance(bal.Key()); !again.Layers()[0].Quantity.Equal(d("3")) {
		t.Fatal("Layers exposed the balance's state")
	}
	if bal.Costing() != inventory.FIFO || bal.Movements() != 3 {
		t.Fatalf("costing %s after %d movements", bal.Costing(), bal.Movements())
	}
}

func TestReplayRejects(t *testing.T) {
	key := inventory.Key{ItemID: "M", LocationID: "WH"}
	b := costBook(t)
	ledger, err := b.Post(rcv("M", "WH", "10", "2"), use("M", "WH", "3"))
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]inventory.Movement(nil), ledger...)
	tampered[1].Value = d("-5")
	if _, err := inventory.Replay(key, inventory.MovingAverage, tampered); !errors.Is(err, inventory.ErrLedgerMismatch) {
		t.Errorf("tampered value: %v, want ErrLedgerMismatch", err)
	}
	unposted := []inventory.Movement{rcv("M", "WH", "10", "2")} // never went through Post: no value
	if _, err := inventory.Replay(key, inventory.MovingAverage, unposted); !errors.Is(err, inventory.ErrLedgerMismatch) {
		t.Errorf("unposted movement: %v, want ErrLedgerMismatch", err)
	}
	other := []inventory.Movement{rcv("M", "TRK", "1", "1")}
	if _, err := inventory.Replay(key, inventory.MovingAverage, other); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("another key's movement: %v, want ErrInvalid", err)
	}
	bad := []inventory.Movement{{Kind: "TELEPORT", ItemID: "M", LocationID: "WH", Quantity: d("1"), At: t0}}
	if _, err := inventory.Replay(key, inventory.MovingAverage, bad); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("unknown kind: %v, want ErrInvalid", err)
	}
	if _, err := inventory.Derive(nil, nil, ledger); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("derive with no catalog: %v, want ErrNotFound", err)
	}
	b2 := costBook(t)
	if err := b2.Replay(key, tampered); !errors.Is(err, inventory.ErrLedgerMismatch) {
		t.Errorf("book replay: %v", err)
	}
	if err := b2.Replay(inventory.Key{ItemID: "X", LocationID: "WH"}, nil); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("book replay of unknown item: %v", err)
	}
}

func TestBalanceSnapshot(t *testing.T) {
	b := costBook(t)
	counted := t0.Add(time.Hour)
	if _, err := b.Post(rcv("F", "WH", "5", "2"), rcv("F", "WH", "5", "4"), use("F", "WH", "2"),
		inventory.Movement{Kind: inventory.Count, ItemID: "F", LocationID: "WH", Quantity: d("-1"), At: counted}); err != nil {
		t.Fatal(err)
	}
	bal, _ := b.Balance(inventory.Key{ItemID: "F", LocationID: "WH"})
	data, err := json.Marshal(bal)
	if err != nil {
		t.Fatal(err)
	}
	var back inventory.Balance
	if err := json.Unmarshal(data, &back); err != nil || !back.Equal(bal) {
		t.Fatalf("round trip of %s: %v", data, err)
	}
	if !back.LastCountedAt().Equal(counted) {
		t.Errorf("last counted %v", back.LastCountedAt())
	}
	for _, bad := range []string{
		`{"itemId":"F","locationId":"WH","costing":"LIFO","onHand":"1","value":"1"}`,
		`{"itemId":"F","locationId":"WH","costing":"MOVING_AVERAGE","onHand":"1","value":"-1"}`,
		`{"itemId":"F","locationId":"WH","costing":"MOVING_AVERAGE","onHand":"0","value":"3"}`,
		`{"itemId":"F","locationId":"WH","costing":"FIFO","onHand":"2","value":"4","layers":[{"quantity":"1","value":"4"}]}`,
		`{"itemId":"F","locationId":"WH","costing":"MOVING_AVERAGE","onHand":"2","value":"4","layers":[{"quantity":"2","value":"4"}]}`,
		`{"itemId":7}`,
	} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("accepted snapshot %s", bad)
		}
	}
	// A loaded snapshot continues where the ledger left off.
	b2 := costBook(t)
	if err := b2.Load(back); err != nil {
		t.Fatal(err)
	}
	posted, err := b2.Post(use("F", "WH", "3"))
	if err != nil || !posted[0].Value.Equal(d("-8")) {
		t.Fatalf("after loading: %v %v, want the last 2 at 2 and 1 at 4", posted, err)
	}
	if err := b2.Load(inventory.NewBalance(inventory.Key{ItemID: "F", LocationID: "WH"}, "")); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("loading a moving-average balance of a FIFO item: %v", err)
	}
	if err := b2.Load(inventory.NewBalance(inventory.Key{ItemID: "X", LocationID: "WH"}, "")); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("loading an unknown item: %v", err)
	}
	if err := b2.Load(inventory.NewBalance(inventory.Key{ItemID: "M", LocationID: "X"}, "")); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("loading an unknown location: %v", err)
	}
}

func TestMovementShape(t *testing.T) {
	b, err := inventory.NewBook(
		[]inventory.Item{{ID: "M"}, {ID: "S", SerialTracked: true}, {ID: "L", LotTracked: true}},
		[]inventory.Location{{ID: "WH", Type: inventory.Warehouse, AllowNegative: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		m     inventory.Movement
		field string
	}{
		{"unknown kind", inventory.Movement{Kind: "GIFT", ItemID: "M", LocationID: "WH", Quantity: d("1"), At: t0}, "kind"},
		{"no time", inventory.Movement{Kind: inventory.Receipt, ItemID: "M", LocationID: "WH", Quantity: d("1")}, "at"},
		{"negative receipt", inventory.Movement{Kind: inventory.Receipt, ItemID: "M", LocationID: "WH", Quantity: d("-1"), At: t0}, "quantity"},
		{"positive consumption", inventory.Movement{Kind: inventory.Consumption, ItemID: "M", LocationID: "WH", Quantity: d("1"), At: t0}, "quantity"},
		{"zero consumption", inventory.Movement{Kind: inventory.Consumption, ItemID: "M", LocationID: "WH", At: t0}, "quantity"},
		{"zero adjustment", inventory.Movement{Kind: inventory.Adjustment, ItemID: "M", LocationID: "WH", Reason: inventory.Lost, At: t0}, "quantity"},
		{"adjustment without a reason", inventory.Movement{Kind: inventory.Adjustment, ItemID: "M", LocationID: "WH", Quantity: d("1"), At: t0}, "reason"},
		{"OTHER without a note", inventory.Movement{Kind: inventory.Adjustment, ItemID: "M", LocationID: "WH", Quantity: d("1"), Reason: inventory.Other, At: t0}, "note"},
		{"negative cost", inventory.Movement{Kind: inventory.Receipt, ItemID: "M", LocationID: "WH", Quantity: d("1"), UnitCost: d("-1"), At: t0}, "unitCost"},
		{"negative transfer value", inventory.Movement{Kind: inventory.TransferIn, ItemID: "M", LocationID: "WH", Quantity: d("1"), Value: d("-1"), At: t0}, "value"},
		{"serial item without serial", inventory.Movement{Kind: inventory.Receipt, ItemID: "S", LocationID: "WH", Quantity: d("1"), At: t0}, "serial"},
		{"serial item, two units", inventory.Movement{Kind: inventory.Receipt, ItemID: "S", LocationID: "WH", Quantity: d("2"), Serial: "SN1", At: t0}, "quantity"},
		{"lot item without lot", inventory.Movement{Kind: inventory.Receipt, ItemID: "L", LocationID: "WH", Quantity: d("2"), At: t0}, "lot"},
	}
	for _, tt := range tests {
		var ie *inventory.InvalidError
		_, err := b.Post(tt.m)
		if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("%s: %v, want an invalid %s", tt.name, err, tt.field)
		}
	}
	ok := []inventory.Movement{
		{Kind: inventory.Receipt, ItemID: "S", LocationID: "WH", Quantity: d("1"), Serial: "SN1", At: t0},
		{Kind: inventory.Receipt, ItemID: "L", LocationID: "WH", Quantity: d("2.5"), Lot: "L-7", At: t0},
		{Kind: inventory.Adjustment, ItemID: "M", LocationID: "WH", Quantity: d("-1"), Reason: inventory.Other, Note: "fell off the truck", At: t0},
	}
	if _, err := b.Post(ok...); err != nil {
		t.Errorf("valid movements refused: %v", err)
	}
	for _, m := range []inventory.Movement{
		{Kind: inventory.Receipt, ItemID: "", LocationID: "WH", Quantity: d("1"), At: t0},
		{Kind: inventory.Receipt, ItemID: "M", LocationID: "", Quantity: d("1"), At: t0},
	} {
		if _, err := b.Post(m); !errors.Is(err, inventory.ErrNotFound) {
			t.Errorf("movement %+v: %v, want ErrNotFound", m, err)
		}
	}
	var shape *inventory.InvalidError
	if _, err := inventory.Replay(inventory.Key{}, "", []inventory.Movement{{Kind: inventory.Receipt, Quantity: decimal.New(1, 0), At: t0}}); !errors.As(err, &shape) || shape.Field != "itemId" {
		t.Errorf("replay of a movement without an item: %v", err)
	}
}
