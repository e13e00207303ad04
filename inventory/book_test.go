package inventory_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hestami-ai/opsengine/inventory"
)

// shop is a warehouse feeding two trucks, the second allowing negative stock,
// and three items.
func shop(t *testing.T, cfg *inventory.Config) *inventory.Book {
	t.Helper()
	b, err := inventory.NewBook(
		[]inventory.Item{{ID: "CAP", StandardCost: d("12")}, {ID: "PIPE", Unit: inventory.Foot}, {ID: "R410A", Unit: inventory.Pound}},
		[]inventory.Location{
			{ID: "WH", Type: inventory.Warehouse},
			{ID: "T1", Type: inventory.Truck, TechnicianID: "tech-1", ReplenishFromID: "WH"},
			{ID: "T2", Type: inventory.Truck, TechnicianID: "tech-2", ReplenishFromID: "WH", AllowNegative: true},
		}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func level(t *testing.T, b *inventory.Book, item, loc string) inventory.Level {
	t.Helper()
	l, err := b.Level(inventory.Key{ItemID: item, LocationID: loc})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustPost(t *testing.T, b *inventory.Book, ms ...inventory.Movement) []inventory.Movement {
	t.Helper()
	posted, err := b.Post(ms...)
	if err != nil {
		t.Fatal(err)
	}
	return posted
}

func TestNewBookChecksTheCatalog(t *testing.T) {
	wh := inventory.Location{ID: "WH", Type: inventory.Warehouse}
	tests := []struct {
		name  string
		items []inventory.Item
		locs  []inventory.Location
		field string
	}{
		{"item without id", []inventory.Item{{}}, nil, "items.0.id"},
		{"duplicate item", []inventory.Item{{ID: "A"}, {ID: "A"}}, nil, "items.1.id"},
		{"unknown costing", []inventory.Item{{ID: "A", Costing: "LIFO"}}, nil, "items.0.costing"},
		{"negative cost", []inventory.Item{{ID: "A", StandardCost: d("-1")}}, nil, "items.0.standardCost"},
		{"negative step", []inventory.Item{{ID: "A", Step: d("-1")}}, nil, "items.0.step"},
		{"location without id", nil, []inventory.Location{{Type: inventory.Truck}}, "locations.0.id"},
		{"unknown type", nil, []inventory.Location{{ID: "X", Type: "BOAT"}}, "locations.0.type"},
		{"duplicate location", nil, []inventory.Location{wh, wh}, "locations.1.id"},
		{"replenishes from itself", nil, []inventory.Location{{ID: "T", Type: inventory.Truck, ReplenishFromID: "T"}}, "locations.0.replenishFromId"},
		{"replenishes from nowhere", nil, []inventory.Location{{ID: "T", Type: inventory.Truck, ReplenishFromID: "NOPE"}}, "locations.0.replenishFromId"},
		{"a replenishment loop", nil, []inventory.Location{
			{ID: "A", Type: inventory.Branch, ReplenishFromID: "B"}, {ID: "B", Type: inventory.Branch, ReplenishFromID: "A"},
		}, "locations.0.replenishFromId"},
	}
	for _, tt := range tests {
		_, err := inventory.NewBook(tt.items, tt.locs, nil)
		var ie *inventory.InvalidError
		if !errors.As(err, &ie) || ie.Field != tt.field {
			t.Errorf("%s: %v, want an invalid %s", tt.name, err, tt.field)
		}
	}
}

func TestPostRefusesNegativeStock(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "2", "10"), rcv("CAP", "T2", "2", "10"))

	_, err := b.Post(use("CAP", "T1", "3"))
	var se *inventory.StockError
	if !errors.As(err, &se) || !errors.Is(err, inventory.ErrInsufficientStock) || !errors.Is(err, inventory.ErrInventoryShortage) {
		t.Fatalf("consuming 3 of 2: %v", err)
	}
	if se.ItemID != "CAP" || se.LocationID != "T1" || !se.Requested.Equal(d("3")) || !se.Available.Equal(d("2")) || !se.Short().Equal(d("1")) {
		t.Errorf("stock error %+v", se)
	}
	if !strings.Contains(err.Error(), "short 1") {
		t.Errorf("message %q does not say what is short", err)
	}
	// The truck that allows negative stock goes negative, and it is reported.
	mustPost(t, b, use("CAP", "T2", "3"))
	neg := b.Negatives()
	if len(neg) != 1 || neg[0].LocationID != "T2" || !neg[0].OnHand.Equal(d("-1")) {
		t.Errorf("negatives %+v", neg)
	}
	// A batch is all or nothing.
	before := level(t, b, "CAP", "T1")
	if _, err := b.Post(use("CAP", "T1", "1"), use("CAP", "T1", "2")); !errors.Is(err, inventory.ErrInsufficientStock) {
		t.Fatalf("batch: %v", err)
	}
	if after := level(t, b, "CAP", "T1"); !after.OnHand.Equal(before.OnHand) {
		t.Errorf("a refused batch changed on hand from %s to %s", before.OnHand, after.OnHand)
	}
	if _, err := b.Post(use("CAP", "T1", "1"), inventory.Movement{Kind: "BAD", ItemID: "CAP", LocationID: "T1", At: t0}); !errors.Is(err, inventory.ErrInvalid) ||
		!strings.Contains(err.Error(), "movement 1") {
		t.Errorf("a batch names the movement refused: %v", err)
	}
}

func TestPostHoldsReservationsForOthers(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "5", "10"))
	if _, err := b.Reserve(t0, inventory.ReservationRequest{ID: "r1", JobID: "J1", LocationID: "T1", Needs: []inventory.Need{{ItemID: "CAP", Quantity: d("4")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Post(use("CAP", "T1", "2")); !errors.Is(err, inventory.ErrInsufficientStock) {
		t.Fatalf("a walk-in consumption took reserved stock: %v", err)
	}
	mustPost(t, b, use("CAP", "T1", "1"))
	// A damaged part is a physical fact: an adjustment may take reserved stock.
	mustPost(t, b, inventory.Movement{Kind: inventory.Adjustment, ItemID: "CAP", LocationID: "T1", Quantity: d("-2"), Reason: inventory.Damaged, At: t0})
	l := level(t, b, "CAP", "T1")
	if !l.OnHand.Equal(d("2")) || !l.Reserved.Equal(d("4")) || !l.Available().Equal(d("-2")) {
		t.Fatalf("level %+v", l)
	}
	if neg := b.Negatives(); len(neg) != 1 || neg[0].Key != l.Key {
		t.Errorf("an over-reserved level is not reported: %+v", neg)
	}
	// But not below zero.
	if _, err := b.Post(inventory.Movement{Kind: inventory.Adjustment, ItemID: "CAP", LocationID: "T1", Quantity: d("-3"), Reason: inventory.Lost, At: t0}); !errors.Is(err, inventory.ErrInsufficientStock) {
		t.Errorf("losing more than is on hand: %v", err)
	}
}

func TestPartialBook(t *testing.T) {
	b := shop(t, &inventory.Config{Partial: true})
	key := inventory.Key{ItemID: "CAP", LocationID: "WH"}
	if _, err := b.Post(rcv("CAP", "WH", "1", "1")); !errors.Is(err, inventory.ErrNotLoaded) {
		t.Errorf("posting to a key not loaded: %v", err)
	}
	if _, err := b.Level(key); !errors.Is(err, inventory.ErrNotLoaded) {
		t.Errorf("level of a key not loaded: %v", err)
	}
	if _, err := b.Balance(key); !errors.Is(err, inventory.ErrNotLoaded) {
		t.Errorf("balance of a key not loaded: %v", err)
	}
	if err := b.Replay(key, nil); err != nil {
		t.Fatal(err)
	}
	mustPost(t, b, rcv("CAP", "WH", "1", "1"))
	if got := b.Balances(); len(got) != 1 || !got[0].OnHand().Equal(d("1")) {
		t.Errorf("balances %+v", got)
	}
	if _, err := b.Level(inventory.Key{ItemID: "NOPE", LocationID: "WH"}); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("level of an unknown item: %v", err)
	}
}

func TestTrackReplacesAndForgets(t *testing.T) {
	b := shop(t, nil)
	po, err := inventory.NewPurchaseOrder(t0, inventory.PurchaseOrder{ID: "po", Number: "PO-1", SupplierID: "S", DeliveryLocationID: "WH",
		Lines: []inventory.OrderLine{{ItemID: "CAP", Quantity: d("10"), UnitCost: d("3")}}})
	if err != nil {
		t.Fatal(err)
	}
	b.Track(po, po) // twice is once
	if l := level(t, b, "CAP", "WH"); !l.OnOrder.Equal(d("10")) {
		t.Fatalf("on order %s", l.OnOrder)
	}
	po, _ = po.SetLine(1, d("4"), d("3"))
	b.Track(po)
	if l := level(t, b, "CAP", "WH"); !l.OnOrder.Equal(d("4")) {
		t.Fatalf("on order after the edit %s", l.OnOrder)
	}
	po, _ = po.Cancel(t0, "changed our mind")
	b.Track(po)
	if l := level(t, b, "CAP", "WH"); !l.OnOrder.IsZero() {
		t.Fatalf("on order after the cancellation %s", l.OnOrder)
	}
}

func TestLevelJSON(t *testing.T) {
	l := inventory.Level{Key: inventory.Key{ItemID: "CAP", LocationID: "T1"}, OnHand: d("5"), Reserved: d("2"), OnOrder: d("1"), InTransit: d("3")}
	data, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"itemId":"CAP"`, `"locationId":"T1"`, `"available":"3"`, `"position":"7"`, `"onHand":"5"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %s", data, want)
		}
	}
	if strings.Contains(string(data), "lastCountedAt") {
		t.Errorf("%s shows a zero time", data)
	}
}

func TestJobMaterials(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "4", "10"), rcv("PIPE", "T1", "100", "0.85"))
	ledger := mustPost(t, b, use("CAP", "T1", "3"), use("PIPE", "T1", "12.5"))
	mats := inventory.JobMaterials("J", ledger)
	ret := inventory.Movement{Kind: inventory.Return, ItemID: "CAP", LocationID: "T1", Quantity: d("1"), UnitCost: mats[0].UnitCost(), JobID: "J", At: t0}
	ledger = append(ledger, mustPost(t, b, ret)...)
	ledger = append(ledger, mustPost(t, b, inventory.Movement{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-1"), JobID: "OTHER", At: t0})...)
	mats = inventory.JobMaterials("J", ledger)
	if len(mats) != 2 || mats[0].ItemID != "CAP" || !mats[0].Quantity.Equal(d("2")) || !mats[0].Cost.Equal(d("20")) ||
		!mats[1].Quantity.Equal(d("12.5")) || !mats[1].Cost.Equal(d("10.625")) {
		t.Fatalf("materials %+v", mats)
	}
	if u := (inventory.JobMaterial{}).UnitCost(); !u.IsZero() {
		t.Errorf("unit cost of nothing %s", u)
	}
}

func TestDerive(t *testing.T) {
	b := shop(t, nil)
	ledger := mustPost(t, b, rcv("CAP", "WH", "4", "10"), use("CAP", "WH", "1"))
	res, _ := b.Reserve(t0, inventory.ReservationRequest{ID: "r", JobID: "J", LocationID: "WH", Needs: []inventory.Need{need("CAP", "2")}})
	derived, err := inventory.Derive([]inventory.Item{{ID: "CAP", StandardCost: d("12")}}, []inventory.Location{{ID: "WH", Type: inventory.Warehouse}}, ledger, res)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := level(t, derived, "CAP", "WH"), level(t, b, "CAP", "WH"); !equalLevels(got, want) {
		t.Errorf("derived %+v, posted %+v", got, want)
	}
	ledger[1].Value = d("-1")
	if _, err := inventory.Derive([]inventory.Item{{ID: "CAP"}}, []inventory.Location{{ID: "WH", Type: inventory.Warehouse}}, ledger); !errors.Is(err, inventory.ErrLedgerMismatch) ||
		!strings.Contains(err.Error(), "ledger movement 1") {
		t.Errorf("derive of a tampered ledger: %v", err)
	}
	if _, err := inventory.Derive([]inventory.Item{{}}, nil, nil); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("derive with a bad catalog: %v", err)
	}
	var te error = &inventory.TransitionError{Document: "transfer", ID: "t1", From: "RECEIVED", Action: "ship"}
	if te.Error() != "inventory: illegal transition: cannot ship transfer t1 in status RECEIVED" {
		t.Errorf("message %q", te)
	}
}
