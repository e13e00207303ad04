package inventory_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/inventory"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// world is a small organization driven by random operations: two items (one
// FIFO), a warehouse and two trucks (one allowing negative stock). It keeps
// the ledger and the open documents the way the engine would, and checks the
// invariants after every operation.
type world struct {
	t        *rapid.T
	items    []inventory.Item
	locs     []inventory.Location
	book     *inventory.Book
	ledger   []inventory.Movement
	now      time.Time
	seq      int
	physical bool // negative adjustments and counts happen

	reservations []inventory.Reservation
	transfers    []inventory.Transfer
	orders       []inventory.PurchaseOrder
}

var (
	propItems = []inventory.Item{
		{ID: "A", Unit: inventory.Each, StandardCost: decimal.New(5, 0)},
		{ID: "B", Unit: inventory.Pound, Costing: inventory.FIFO, StandardCost: decimal.New(25, -1)},
	}
	propLocations = []inventory.Location{
		{ID: "WH", Type: inventory.Warehouse},
		{ID: "T1", Type: inventory.Truck, ReplenishFromID: "WH"},
		{ID: "T2", Type: inventory.Truck, ReplenishFromID: "WH", AllowNegative: true},
	}
)

func newWorld(t *rapid.T, physical bool) *world {
	book, err := inventory.NewBook(propItems, propLocations, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, items: propItems, locs: propLocations, book: book, physical: physical,
		now: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)}
}

func (w *world) tick() time.Time {
	w.now = w.now.Add(37 * time.Minute)
	return w.now
}

func (w *world) id(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s-%d", prefix, w.seq)
}

func drawQty(t *rapid.T, label string) decimal.Decimal {
	return decimal.New(rapid.Int64Range(1, 300).Draw(t, label), -1) // 0.1 … 30.0
}

func drawItem(t *rapid.T) string { return rapid.SampledFrom([]string{"A", "B"}).Draw(t, "item") }
func drawLoc(t *rapid.T) string {
	return rapid.SampledFrom([]string{"WH", "T1", "T2"}).Draw(t, "location")
}

// record appends posted movements to the ledger; a refused operation must
// leave the book exactly as it was.
func (w *world) record(before []inventory.Balance, posted []inventory.Movement, err error) bool {
	if err != nil {
		if !errors.Is(err, inventory.ErrInsufficientStock) && !errors.Is(err, inventory.ErrInventoryShortage) && !errors.Is(err, inventory.ErrInvalid) {
			w.t.Fatalf("unexpected error: %v", err)
		}
		after := w.book.Balances()
		if !slices.EqualFunc(before, after, inventory.Balance.Equal) {
			w.t.Fatalf("a refused operation changed the book: %v", err)
		}
		return false
	}
	w.ledger = append(w.ledger, posted...)
	return true
}

func (w *world) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"receive": func(t *rapid.T) {
			m := inventory.Movement{Kind: inventory.Receipt, ItemID: drawItem(t), LocationID: drawLoc(t), Quantity: drawQty(t, "q"),
				UnitCost: decimal.New(rapid.Int64Range(0, 3000).Draw(t, "cost"), -2), At: w.tick()}
			before := w.book.Balances()
			posted, err := w.book.Post(m)
			w.record(before, posted, err)
		},
		"consume": func(t *rapid.T) {
			m := inventory.Movement{Kind: inventory.Consumption, ItemID: drawItem(t), LocationID: drawLoc(t), Quantity: drawQty(t, "q").Neg(),
				JobID: "walk-in", At: w.tick()}
			before := w.book.Balances()
			posted, err := w.book.Post(m)
			w.record(before, posted, err)
		},
		"return from a job": func(t *rapid.T) {
			m := inventory.Movement{Kind: inventory.Return, ItemID: drawItem(t), LocationID: drawLoc(t), Quantity: drawQty(t, "q"),
				UnitCost: decimal.New(rapid.Int64Range(0, 3000).Draw(t, "cost"), -2), JobID: "walk-in", At: w.tick()}
			before := w.book.Balances()
			posted, err := w.book.Post(m)
			w.record(before, posted, err)
		},
		"adjust": func(t *rapid.T) {
			q := drawQty(t, "q")
			reason := inventory.Found
			if w.physical && rapid.Bool().Draw(t, "lost") {
				q, reason = q.Neg(), inventory.Damaged
			}
			m := inventory.Movement{Kind: inventory.Adjustment, ItemID: drawItem(t), LocationID: drawLoc(t), Quantity: q, Reason: reason, At: w.tick()}
			before := w.book.Balances()
			posted, err := w.book.Post(m)
			w.record(before, posted, err)
		},
		"count": func(t *rapid.T) {
			if !w.physical {
				t.Skip("counts may lower stock under reservations")
			}
			loc := drawLoc(t)
			c, err := inventory.NewCycleCount(w.tick(), w.id("count"), loc, []string{"A", "B"})
			if err != nil {
				t.Fatal(err)
			}
			for _, item := range []string{"A", "B"} {
				if c, err = c.Record(item, decimal.New(rapid.Int64Range(0, 300).Draw(t, "counted"), -1), w.tick(), "counter", w.book); err != nil {
					t.Fatal(err)
				}
			}
			before := w.book.Balances()
			c, posted, err := c.Complete(w.tick(), w.book)
			if w.record(before, posted, err) && c.Status != inventory.CountCompleted {
				t.Fatalf("count %s after completion", c.Status)
			}
		},
		"reserve": func(t *rapid.T) {
			truck := rapid.SampledFrom([]string{"T1", "T2"}).Draw(t, "truck")
			res, err := w.book.Reserve(w.tick(), inventory.ReservationRequest{ID: w.id("res"), JobID: w.id("job"), LocationID: truck,
				Needs: []inventory.Need{{ItemID: drawItem(t), Quantity: drawQty(t, "q")}, {ItemID: drawItem(t), Quantity: drawQty(t, "q2")}}})
			if err != nil {
				var se *inventory.ShortageError
				if !errors.As(err, &se) {
					t.Fatalf("reserve: %v", err)
				}
				return
			}
			w.reservations = append(w.reservations, res)
		},
		"consume on a job": func(t *rapid.T) {
			if len(w.reservations) == 0 {
				t.Skip("no reservation")
			}
			i := rapid.IntRange(0, len(w.reservations)-1).Draw(t, "reservation")
			r := w.reservations[i]
			l := rapid.SampledFrom(r.Lines).Draw(t, "line")
			q := decimal.Min(drawQty(t, "q"), l.Open().Add(decimal.New(1, 0)))
			loc := rapid.SampledFrom([]string{l.LocationID, "T1", "T2"}).Draw(t, "at")
			before := w.book.Balances()
			r2, posted, err := r.Consume(inventory.Movement{Kind: inventory.Consumption, ItemID: l.ItemID, LocationID: loc, Quantity: q.Neg(), At: w.tick()}, w.book)
			if w.record(before, []inventory.Movement{posted}, err) {
				w.reservations = settle(w.reservations, i, r2, r2.Status == inventory.ReservationActive)
			}
		},
		"release": func(t *rapid.T) {
			if len(w.reservations) == 0 {
				t.Skip("no reservation")
			}
			i := rapid.IntRange(0, len(w.reservations)-1).Draw(t, "reservation")
			r, err := w.reservations[i].Release(w.tick(), w.book)
			if err != nil {
				t.Fatal(err)
			}
			w.reservations = settle(w.reservations, i, r, false)
		},
		"request transfer": func(t *rapid.T) {
			from := drawLoc(t)
			to := rapid.SampledFrom(slices.DeleteFunc([]string{"WH", "T1", "T2"}, func(s string) bool { return s == from })).Draw(t, "to")
			tr, err := w.book.RequestTransfer(w.tick(), inventory.TransferRequest{ID: w.id("trf"), FromID: from, ToID: to,
				Lines: []inventory.TransferLineInput{{ItemID: drawItem(t), Quantity: drawQty(t, "q")}, {ItemID: drawItem(t), Quantity: drawQty(t, "q2")}}})
			if err != nil {
				if !errors.Is(err, inventory.ErrInventoryShortage) {
					t.Fatalf("request transfer: %v", err)
				}
				return
			}
			w.transfers = append(w.transfers, tr)
		},
		"ship, receive or cancel a transfer": func(t *rapid.T) {
			if len(w.transfers) == 0 {
				t.Skip("no transfer")
			}
			i := rapid.IntRange(0, len(w.transfers)-1).Draw(t, "transfer")
			tr := w.transfers[i]
			var qs []inventory.LineQuantity
			if rapid.Bool().Draw(t, "partial") {
				for _, l := range tr.Lines {
					limit := l.Requested
					if tr.Status == inventory.TransferInTransit {
						limit = l.Outstanding()
					}
					qs = append(qs, inventory.LineQuantity{Line: l.Line, Quantity: limit.Mul(decimal.New(rapid.Int64Range(0, 10).Draw(t, "tenths"), -1)).Round(2)})
				}
			}
			before := w.book.Balances()
			var posted []inventory.Movement
			var err error
			switch {
			case rapid.IntRange(0, 4).Draw(t, "cancel") == 0:
				tr, posted, err = tr.Cancel(w.tick(), w.book)
			case tr.Status == inventory.TransferPending:
				tr, posted, err = tr.Ship(w.tick(), qs, w.book)
			default:
				tr, posted, err = tr.Receive(w.tick(), qs, w.book)
			}
			if w.record(before, posted, err) {
				open := tr.Status == inventory.TransferPending || tr.Status == inventory.TransferInTransit
				w.checkTransfer(tr)
				w.transfers = settle(w.transfers, i, tr, open)
			}
		},
		"order": func(t *rapid.T) {
			po, err := inventory.NewPurchaseOrder(w.tick(), inventory.PurchaseOrder{ID: w.id("po"), Number: w.id("PO"), SupplierID: "SUP", DeliveryLocationID: drawLoc(t),
				Lines: []inventory.OrderLine{{ItemID: drawItem(t), Quantity: drawQty(t, "q"), UnitCost: decimal.New(rapid.Int64Range(0, 3000).Draw(t, "cost"), -2)}}})
			if err != nil {
				t.Fatal(err)
			}
			w.book.Track(po)
			w.orders = append(w.orders, po)
		},
		"advance an order": func(t *rapid.T) {
			if len(w.orders) == 0 {
				t.Skip("no order")
			}
			i := rapid.IntRange(0, len(w.orders)-1).Draw(t, "order")
			po := w.orders[i]
			var posted []inventory.Movement
			var err error
			switch {
			case rapid.IntRange(0, 5).Draw(t, "cancel") == 0:
				po, err = po.Cancel(w.tick(), "no longer needed")
			case po.Status == inventory.OrderDraft:
				po, err = po.Submit(w.tick())
			case po.Status == inventory.OrderSubmitted:
				po, err = po.Confirm(w.tick(), time.Time{})
			default:
				l := po.Lines[0]
				rl := inventory.ReceiptLine{Line: l.Line, Quantity: drawQty(t, "q")}
				if rapid.Bool().Draw(t, "over") {
					rl.OverReceiptReason = "full case shipped"
				}
				po, posted, err = po.Receive(inventory.OrderReceipt{At: w.tick(), Lines: []inventory.ReceiptLine{rl}}, w.book)
				if errors.Is(err, inventory.ErrOverReceipt) {
					if rl.OverReceiptReason != "" || l.Received.Add(rl.Quantity).Cmp(l.Quantity) <= 0 {
						t.Fatalf("over-receipt refused wrongly: %v", err)
					}
					return
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			w.ledger = append(w.ledger, posted...)
			w.book.Track(po)
			w.orders = settle(w.orders, i, po, po.Status != inventory.OrderReceived && po.Status != inventory.OrderCancelled)
		},
		"": func(t *rapid.T) { w.check() },
	}
}

// settle replaces document i of docs by d, or drops it when it is closed.
func settle[T any](docs []T, i int, d T, open bool) []T {
	if !open {
		return slices.Delete(docs, i, i+1)
	}
	docs[i] = d
	return docs
}

// checkTransfer: a transfer never creates or loses quantity or value.
func (w *world) checkTransfer(tr inventory.Transfer) {
	for _, l := range tr.Lines {
		if l.Shipped.Cmp(l.Requested) > 0 || l.Outstanding().Sign() < 0 {
			w.t.Fatalf("transfer %s line %d: shipped %s of %s, outstanding %s", tr.ID, l.Line, l.Shipped, l.Requested, l.Outstanding())
		}
		if v := l.ShippedValue.Sub(l.ReceivedValue).Sub(l.ReturnedValue); v.Sign() < 0 || (l.Outstanding().IsZero() && !v.IsZero()) {
			w.t.Fatalf("transfer %s line %d: value in transit %s with %s outstanding", tr.ID, l.Line, v, l.Outstanding())
		}
	}
	if tr.Status == inventory.TransferReceived || tr.Status == inventory.TransferCancelled {
		for _, l := range tr.Lines {
			if !l.Outstanding().IsZero() {
				w.t.Fatalf("closed transfer %s has %s outstanding on line %d", tr.ID, l.Outstanding(), l.Line)
			}
		}
	}
}

// check proves the invariants of the book against the ledger and the documents.
func (w *world) check() {
	t := w.t
	var docs []inventory.Document
	for _, r := range w.reservations {
		docs = append(docs, r)
	}
	for _, tr := range w.transfers {
		docs = append(docs, tr)
	}
	for _, po := range w.orders {
		docs = append(docs, po)
	}
	derived, err := inventory.Derive(w.items, w.locs, w.ledger, docs...)
	if err != nil {
		t.Fatalf("derive: %v", err)
	}
	var inTransitQty, inTransitValue decimal.Decimal
	for _, tr := range w.transfers {
		for _, l := range tr.Lines {
			inTransitQty = inTransitQty.Add(l.Outstanding())
			inTransitValue = inTransitValue.Add(l.ShippedValue.Sub(l.ReceivedValue).Sub(l.ReturnedValue))
		}
	}
	var transferQty, transferValue decimal.Decimal
	negatives := map[inventory.Key]bool{}
	for _, l := range w.book.Negatives() {
		negatives[l.Key] = true
	}
	for _, it := range w.items {
		for _, loc := range w.locs {
			key := inventory.Key{ItemID: it.ID, LocationID: loc.ID}
			var ms []inventory.Movement
			var qty, value decimal.Decimal
			for _, m := range w.ledger {
				if m.Key() == key {
					ms = append(ms, m)
					qty, value = qty.Add(m.Quantity), value.Add(m.Value)
					if m.Kind == inventory.TransferIn || m.Kind == inventory.TransferOut {
						// what the transfer carried: a revaluation is the receiving location's
						transferQty, transferValue = transferQty.Add(m.Quantity), transferValue.Add(m.Value.Sub(m.Revaluation))
					}
				}
			}
			bal, err := w.book.Balance(key)
			if err != nil {
				t.Fatal(err)
			}
			// On hand always equals the replay of the ledger, and the
			// incremental balance is the replayed one.
			replayed, err := inventory.Replay(key, it.Costing, ms)
			if err != nil {
				t.Fatalf("replay %v: %v", key, err)
			}
			if !bal.Equal(replayed) {
				t.Fatalf("%v: incremental balance %+v, replay %+v", key, bal, replayed)
			}
			if !bal.OnHand().Equal(qty) || !bal.Value().Equal(value) {
				t.Fatalf("%v: on hand %s value %s, ledger sums %s and %s", key, bal.OnHand(), bal.Value(), qty, value)
			}
			if bal.OnHand().Sign() > 0 && bal.Value().Sign() < 0 || bal.OnHand().Sign() <= 0 && bal.Value().Sign() > 0 {
				t.Fatalf("%v: value %s for %s on hand", key, bal.Value(), bal.OnHand())
			}
			if it.Costing == inventory.FIFO && bal.OnHand().Sign() > 0 {
				var lq, lv decimal.Decimal
				for _, l := range bal.Layers() {
					lq, lv = lq.Add(l.Quantity), lv.Add(l.Value)
				}
				if !lq.Equal(bal.OnHand()) || !lv.Equal(bal.Value()) {
					t.Fatalf("%v: layers %s/%s, balance %s/%s", key, lq, lv, bal.OnHand(), bal.Value())
				}
			}
			lvl, _ := w.book.Level(key)
			dl, _ := derived.Level(key)
			if !equalLevels(lvl, dl) {
				t.Fatalf("%v: book level %+v, derived %+v", key, lvl, dl)
			}
			// Available never negative where negatives are disallowed
			// (unless stock was lost under reservations), and every
			// negative is reported.
			if !loc.AllowNegative {
				if lvl.OnHand.Sign() < 0 {
					t.Fatalf("%v: on hand %s at a location refusing negatives", key, lvl.OnHand)
				}
				if !w.physical && lvl.Available().Sign() < 0 {
					t.Fatalf("%v: available %s at a location refusing negatives", key, lvl.Available())
				}
			}
			if want := lvl.OnHand.Sign() < 0 || lvl.Available().Sign() < 0; negatives[key] != want {
				t.Fatalf("%v: reported negative %v, level %+v", key, negatives[key], lvl)
			}
			var snap inventory.Balance
			data, _ := bal.MarshalJSON()
			if err := snap.UnmarshalJSON(data); err != nil || !snap.Equal(bal) {
				t.Fatalf("%v: snapshot round trip: %v", key, err)
			}
		}
	}
	// Transfers conserve quantity and value: what left and has not arrived
	// is in transit.
	if !transferQty.Add(inTransitQty).IsZero() || !transferValue.Add(inTransitValue).IsZero() {
		t.Fatalf("transfers: net %s (value %s) with %s (value %s) in transit", transferQty, transferValue, inTransitQty, inTransitValue)
	}
}

func equalLevels(a, b inventory.Level) bool {
	return a.Key == b.Key && a.OnHand.Equal(b.OnHand) && a.Reserved.Equal(b.Reserved) && a.InTransit.Equal(b.InTransit) &&
		a.OnOrder.Equal(b.OnOrder) && a.Value.Equal(b.Value) && a.UnitCost.Equal(b.UnitCost) && a.LastCountedAt.Equal(b.LastCountedAt)
}

func TestLedgerProperties(t *testing.T) {
	for _, physical := range []bool{false, true} {
		t.Run(fmt.Sprintf("physical=%v", physical), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				w := newWorld(t, physical)
				t.Repeat(w.actions())
			})
		})
	}
}
