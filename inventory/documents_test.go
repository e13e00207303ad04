package inventory_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/inventory"
	"github.com/shopspring/decimal"
)

func need(item, q string) inventory.Need { return inventory.Need{ItemID: item, Quantity: d(q)} }

func TestReserveTruckFirstThenWarehouse(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "2", "10"), rcv("CAP", "WH", "10", "10"), rcv("PIPE", "T1", "50", "1"))
	res, err := b.Reserve(t0, inventory.ReservationRequest{ID: "r1", JobID: "J1", LocationID: "T1",
		Needs: []inventory.Need{need("PIPE", "20"), need("CAP", "3"), need("CAP", "2")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.ReservationLine{
		{ItemID: "CAP", LocationID: "T1", Quantity: d("2")},
		{ItemID: "CAP", LocationID: "WH", Quantity: d("3")},
		{ItemID: "PIPE", LocationID: "T1", Quantity: d("20")},
	}
	if diff := cmp.Diff(want, res.Lines); diff != "" {
		t.Fatalf("lines (-want +got):\n%s", diff)
	}
	if l := level(t, b, "CAP", "WH"); !l.Reserved.Equal(d("3")) || !l.Available().Equal(d("7")) {
		t.Errorf("warehouse level %+v", l)
	}

	// Reserving again under the same id replaces the reservation.
	res, err = b.Reserve(t0, inventory.ReservationRequest{ID: "r1", JobID: "J1", LocationID: "T1", Needs: []inventory.Need{need("CAP", "1")}})
	if err != nil || len(res.Lines) != 1 || !res.Lines[0].Quantity.Equal(d("1")) {
		t.Fatalf("replacement %+v %v", res, err)
	}
	if l := level(t, b, "CAP", "WH"); !l.Reserved.IsZero() {
		t.Errorf("the replaced reservation still holds %s at the warehouse", l.Reserved)
	}
}

func TestReserveShortage(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "2", "10"), rcv("CAP", "WH", "1", "10"), rcv("PIPE", "WH", "5", "1"))
	_, err := b.Reserve(t0, inventory.ReservationRequest{ID: "r1", JobID: "J1", LocationID: "T1",
		Needs: []inventory.Need{need("R410A", "2.5"), need("CAP", "4"), need("PIPE", "5")}})
	var se *inventory.ShortageError
	if !errors.As(err, &se) || !errors.Is(err, inventory.ErrInventoryShortage) {
		t.Fatalf("err %v", err)
	}
	want := &inventory.ShortageError{JobID: "J1", LocationIDs: []string{"T1", "WH"}, Items: []inventory.Shortage{
		{ItemID: "CAP", Requested: d("4"), Available: d("3"), Short: d("1")},
		{ItemID: "R410A", Requested: d("2.5"), Available: d("0"), Short: d("2.5")},
	}}
	if diff := cmp.Diff(want, se); diff != "" {
		t.Fatalf("shortage (-want +got):\n%s", diff)
	}
	if msg := err.Error(); !strings.Contains(msg, "INVENTORY_SHORTAGE: job J1") || !strings.Contains(msg, "CAP short 1") || !strings.Contains(msg, "R410A short 2.5") {
		t.Errorf("message %q", msg)
	}
	for _, k := range []string{"T1", "WH"} {
		if l := level(t, b, "CAP", k); !l.Reserved.IsZero() {
			t.Errorf("a failed reservation reserved %s at %s", l.Reserved, k)
		}
	}
	for _, req := range []inventory.ReservationRequest{
		{JobID: "J", LocationID: "T1", Needs: []inventory.Need{need("CAP", "1")}},
		{ID: "r", LocationID: "T1", Needs: []inventory.Need{need("CAP", "1")}},
		{ID: "r", JobID: "J", LocationID: "T1"},
		{ID: "r", JobID: "J", LocationID: "T1", Needs: []inventory.Need{need("CAP", "0")}},
		{ID: "r", JobID: "J", LocationID: "T1", Needs: []inventory.Need{{Quantity: d("1")}}},
	} {
		if _, err := b.Reserve(t0, req); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("request %+v: %v, want ErrInvalid", req, err)
		}
	}
	if _, err := b.Reserve(t0, inventory.ReservationRequest{ID: "r", JobID: "J", LocationID: "NOPE", Needs: []inventory.Need{need("CAP", "1")}}); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("unknown truck: %v", err)
	}
	if _, err := b.Reserve(t0, inventory.ReservationRequest{ID: "r", JobID: "J", LocationID: "T1", Needs: []inventory.Need{need("NOPE", "1")}}); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("unknown item: %v", err)
	}
}

func TestConsumeReservation(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "2", "10"), rcv("CAP", "WH", "10", "10"))
	res, err := b.Reserve(t0, inventory.ReservationRequest{ID: "r1", JobID: "J1", LocationID: "T1", Needs: []inventory.Need{need("CAP", "5")}})
	if err != nil {
		t.Fatal(err)
	}
	// The warehouse part came to the truck by transfer; the technician uses
	// all five there: the truck line first, then the warehouse line.
	tr, err := b.RequestTransfer(t0, inventory.TransferRequest{ID: "t1", FromID: "WH", ToID: "T1", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("3")}}})
	if err != nil {
		t.Fatal(err)
	}
	tr, _, err = tr.Ship(t0, nil, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err = tr.Receive(t0, nil, b); err != nil {
		t.Fatal(err)
	}
	res, m, err := res.Consume(inventory.Movement{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-4"), At: t0}, b)
	if err != nil {
		t.Fatal(err)
	}
	if m.JobID != "J1" || m.DocumentID != "r1" || !m.Value.Equal(d("-40")) {
		t.Errorf("movement %+v", m)
	}
	if !res.Lines[0].Consumed.Equal(d("2")) || !res.Lines[1].Consumed.Equal(d("2")) || res.Status != inventory.ReservationActive {
		t.Errorf("reservation %+v", res)
	}
	res, _, err = res.Consume(inventory.Movement{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-1"), At: t0.Add(time.Hour)}, b)
	if err != nil || res.Status != inventory.ReservationFulfilled || !res.ClosedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("%+v %v", res, err)
	}
	if l := level(t, b, "CAP", "WH"); !l.Reserved.IsZero() {
		t.Errorf("a fulfilled reservation holds %s", l.Reserved)
	}
	_, _, err = res.Consume(use("CAP", "T1", "1"), b)
	var te *inventory.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, inventory.ErrIllegalTransition) || te.From != "FULFILLED" {
		t.Errorf("consuming a fulfilled reservation: %v", err)
	}
	if _, err := res.Release(t0, b); !errors.Is(err, inventory.ErrIllegalTransition) {
		t.Errorf("releasing a fulfilled reservation: %v", err)
	}
}

func TestConsumeKeepsWhatTheJobReserved(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "5", "10"))
	r1, _ := b.Reserve(t0, inventory.ReservationRequest{ID: "r1", JobID: "J1", LocationID: "T1", Needs: []inventory.Need{need("CAP", "3")}})
	if _, err := b.Reserve(t0, inventory.ReservationRequest{ID: "r2", JobID: "J2", LocationID: "T1", Needs: []inventory.Need{need("CAP", "2")}}); err != nil {
		t.Fatal(err)
	}
	mustPost(t, b, inventory.Movement{Kind: inventory.Adjustment, ItemID: "CAP", LocationID: "T1", Quantity: d("-2"), Reason: inventory.Damaged, At: t0})
	// Three are left, all reserved to J1, though J2 now holds two of them too.
	r1, _, err := r1.Consume(inventory.Movement{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-3"), At: t0}, b)
	if err != nil || r1.Status != inventory.ReservationFulfilled {
		t.Fatalf("the job could not use what it reserved: %v", err)
	}
	if neg := b.Negatives(); len(neg) != 1 || !neg[0].Available().Equal(d("-2")) {
		t.Errorf("the reservation left short is not reported: %+v", neg)
	}
	for _, m := range []inventory.Movement{
		{Kind: inventory.Receipt, ItemID: "CAP", LocationID: "T1", Quantity: d("1"), At: t0},
		{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-1"), JobID: "J9", At: t0},
	} {
		r, _ := b.Reserve(t0, inventory.ReservationRequest{ID: "r3", JobID: "J3", LocationID: "T2", Needs: []inventory.Need{need("PIPE", "0.5")}})
		if r.ID == "r3" {
			t.Fatal("reserved pipe nobody has")
		}
		active := inventory.Reservation{ID: "r4", JobID: "J4", Status: inventory.ReservationActive}
		if _, _, err := active.Consume(m, b); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("consuming %s %s on a reservation: %v", m.Kind, m.JobID, err)
		}
	}
}

func TestReleaseReservation(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "5", "10"))
	r, _ := b.Reserve(t0, inventory.ReservationRequest{ID: "r1", JobID: "J1", LocationID: "T1", Needs: []inventory.Need{need("CAP", "3")}})
	r, err := r.Release(t0.Add(time.Hour), b)
	if err != nil || r.Status != inventory.ReservationReleased || !r.ClosedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("%+v %v", r, err)
	}
	if l := level(t, b, "CAP", "T1"); !l.Reserved.IsZero() {
		t.Errorf("a released reservation holds %s", l.Reserved)
	}
}

func TestTransferLifecycle(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "WH", "4", "10"), rcv("CAP", "WH", "6", "15"), rcv("PIPE", "WH", "100", "0.5"))
	tr, err := b.RequestTransfer(t0, inventory.TransferRequest{ID: "t1", Number: "TRF-000001", FromID: "WH", ToID: "T1",
		Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("5")}, {ItemID: "PIPE", Quantity: d("40")}}})
	if err != nil {
		t.Fatal(err)
	}
	if l := level(t, b, "CAP", "WH"); !l.Reserved.Equal(d("5")) {
		t.Errorf("pending transfer reserves %s at the source", l.Reserved)
	}
	if l := level(t, b, "CAP", "T1"); !l.InTransit.Equal(d("5")) || !l.Position().Equal(d("5")) {
		t.Errorf("pending transfer: destination %+v", l)
	}
	if _, _, err := tr.Receive(t0, nil, b); !errors.Is(err, inventory.ErrIllegalTransition) {
		t.Errorf("receiving a pending transfer: %v", err)
	}
	// Ship 5 capacitors and only 30 ft of pipe.
	tr, out, err := tr.Ship(t0, []inventory.LineQuantity{{Line: 1, Quantity: d("5")}, {Line: 2, Quantity: d("30")}}, b)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != inventory.TransferInTransit || len(out) != 2 || !out[0].Value.Equal(d("-65")) || out[0].CounterpartID != "T1" {
		t.Fatalf("shipped %+v: %+v", tr, out)
	}
	if l := level(t, b, "PIPE", "WH"); !l.Reserved.IsZero() || !l.OnHand.Equal(d("70")) {
		t.Errorf("unshipped pipe still reserved: %+v", l)
	}
	// Receive 3 capacitors now.
	tr, in, err := tr.Receive(t0, []inventory.LineQuantity{{Line: 1, Quantity: d("3")}}, b)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != inventory.TransferInTransit || len(in) != 1 || !in[0].Value.Equal(d("39")) {
		t.Fatalf("partial receipt %+v: %+v", tr, in)
	}
	if l := level(t, b, "CAP", "T1"); !l.OnHand.Equal(d("3")) || !l.InTransit.Equal(d("2")) {
		t.Errorf("truck after a partial receipt %+v", l)
	}
	// Cancel: the two capacitors and the pipe still on the road go back.
	tr, back, err := tr.Cancel(t0, b)
	if err != nil || tr.Status != inventory.TransferCancelled || len(back) != 2 {
		t.Fatalf("cancel %+v %v", back, err)
	}
	if back[0].LocationID != "WH" || !back[0].Value.Equal(d("26")) || !back[1].Quantity.Equal(d("30")) || !back[1].Value.Equal(d("15")) {
		t.Errorf("returned %+v", back)
	}
	if l := level(t, b, "CAP", "WH"); !l.OnHand.Equal(d("7")) || !l.Value.Equal(d("91")) {
		t.Errorf("warehouse after the cancellation %+v", l)
	}
	if l := tr.Lines[0]; !l.Shipped.Equal(l.Received.Add(l.Returned)) || !l.ShippedValue.Equal(l.ReceivedValue.Add(l.ReturnedValue)) {
		t.Errorf("line %+v does not balance", l)
	}
	for _, op := range []func() error{
		func() error { _, _, err := tr.Ship(t0, nil, b); return err },
		func() error { _, _, err := tr.Receive(t0, nil, b); return err },
		func() error { _, _, err := tr.Cancel(t0, b); return err },
	} {
		if err := op(); !errors.Is(err, inventory.ErrIllegalTransition) {
			t.Errorf("operation on a cancelled transfer: %v", err)
		}
	}
}

func TestTransferRules(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "WH", "4", "10"))
	for _, req := range []inventory.TransferRequest{
		{FromID: "WH", ToID: "T1", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("1")}}},
		{ID: "t", FromID: "WH", ToID: "WH", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("1")}}},
		{ID: "t", FromID: "WH", ToID: "T1"},
		{ID: "t", FromID: "WH", ToID: "T1", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("-1")}}},
	} {
		if _, err := b.RequestTransfer(t0, req); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", req, err)
		}
	}
	for _, req := range []inventory.TransferRequest{
		{ID: "t", FromID: "NOPE", ToID: "T1", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("1")}}},
		{ID: "t", FromID: "WH", ToID: "NOPE", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("1")}}},
		{ID: "t", FromID: "WH", ToID: "T1", Lines: []inventory.TransferLineInput{{ItemID: "NOPE", Quantity: d("1")}}},
	} {
		if _, err := b.RequestTransfer(t0, req); !errors.Is(err, inventory.ErrNotFound) {
			t.Errorf("%+v: %v, want ErrNotFound", req, err)
		}
	}
	_, err := b.RequestTransfer(t0, inventory.TransferRequest{ID: "t2", FromID: "WH", ToID: "T1",
		Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("3")}, {ItemID: "CAP", Quantity: d("2")}}})
	var se *inventory.ShortageError
	if !errors.As(err, &se) || se.TransferID != "t2" || !se.Items[0].Short.Equal(d("1")) || !strings.Contains(err.Error(), "transfer t2") {
		t.Fatalf("short transfer: %v", err)
	}
	// A truck that allows negative stock may send what it does not have.
	if _, err := b.RequestTransfer(t0, inventory.TransferRequest{ID: "t3", FromID: "T2", ToID: "T1", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("3")}}}); err != nil {
		t.Errorf("from a truck allowing negatives: %v", err)
	}
	tr, err := b.RequestTransfer(t0, inventory.TransferRequest{ID: "t4", FromID: "WH", ToID: "T1", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("2")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, qs := range [][]inventory.LineQuantity{
		{{Line: 1, Quantity: d("3")}},
		{{Line: 1, Quantity: d("0")}},
		{{Line: 1, Quantity: d("1")}, {Line: 1, Quantity: d("1")}},
		{{Line: 1, Quantity: d("-1")}},
	} {
		if _, _, err := tr.Ship(t0, qs, b); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("ship %v: %v, want ErrInvalid", qs, err)
		}
	}
	if _, _, err := tr.Ship(t0, []inventory.LineQuantity{{Line: 2, Quantity: d("1")}}, b); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("ship an unknown line: %v", err)
	}
	tr, _, err = tr.Ship(t0, nil, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.Receive(t0, []inventory.LineQuantity{{Line: 1, Quantity: d("2.5")}}, b); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("receiving more than shipped: %v", err)
	}
	if _, _, err := tr.Receive(t0, []inventory.LineQuantity{{Line: 1, Quantity: d("0")}}, b); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("receiving nothing: %v", err)
	}
	tr, _, err = tr.Receive(t0, nil, b)
	if err != nil || tr.Status != inventory.TransferReceived || !tr.ReceivedAt.Equal(t0) {
		t.Fatalf("%+v %v", tr, err)
	}
	if _, _, err := tr.Cancel(t0, b); !errors.Is(err, inventory.ErrIllegalTransition) {
		t.Errorf("cancelling a received transfer: %v", err)
	}
	pending, _ := b.RequestTransfer(t0, inventory.TransferRequest{ID: "t5", FromID: "T1", ToID: "WH", Lines: []inventory.TransferLineInput{{ItemID: "CAP", Quantity: d("1")}}})
	pending, moved, err := pending.Cancel(t0, b)
	if err != nil || moved != nil || pending.Status != inventory.TransferCancelled {
		t.Errorf("cancelling a pending transfer: %v %v", moved, err)
	}
	if l := level(t, b, "CAP", "T1"); !l.Reserved.IsZero() {
		t.Errorf("a cancelled transfer reserves %s", l.Reserved)
	}
	serial, _ := inventory.NewBook([]inventory.Item{{ID: "S", SerialTracked: true}}, []inventory.Location{{ID: "A", Type: inventory.Warehouse}, {ID: "B", Type: inventory.Truck}}, nil)
	if _, err := serial.RequestTransfer(t0, inventory.TransferRequest{ID: "t", FromID: "A", ToID: "B", Lines: []inventory.TransferLineInput{{ItemID: "S", Quantity: d("2")}}}); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("a serial item moved two at a time: %v", err)
	}
}

func TestTransferCarriesFIFOValue(t *testing.T) {
	b := costBook(t)
	mustPost(t, b, rcv("F", "WH", "2", "1"), rcv("F", "WH", "2", "2"), rcv("F", "WH", "2", "3"))
	tr, err := b.RequestTransfer(t0, inventory.TransferRequest{ID: "t", FromID: "WH", ToID: "TRK", Lines: []inventory.TransferLineInput{{ItemID: "F", Quantity: d("3")}}})
	if err != nil {
		t.Fatal(err)
	}
	tr, _, _ = tr.Ship(t0, nil, b)
	tr, in1, _ := tr.Receive(t0, []inventory.LineQuantity{{Line: 1, Quantity: d("1")}}, b)
	tr, in2, _ := tr.Receive(t0, nil, b)
	if !in1[0].Value.Equal(d("1.3333")) || !in2[0].Value.Equal(d("2.6667")) || tr.Status != inventory.TransferReceived {
		t.Fatalf("received %s then %s, want 4 in all", in1[0].Value, in2[0].Value)
	}
}

// TestPurchaseOrderTransitions tries every action in every status.
func TestPurchaseOrderTransitions(t *testing.T) {
	b := shop(t, nil)
	base, err := inventory.NewPurchaseOrder(t0, inventory.PurchaseOrder{ID: "po", Number: "PO-2026-000001", SupplierID: "S", DeliveryLocationID: "WH",
		Lines: []inventory.OrderLine{{ItemID: "CAP", Quantity: d("10"), UnitCost: d("3")}}})
	if err != nil {
		t.Fatal(err)
	}
	receipt := inventory.OrderReceipt{At: t0, Lines: []inventory.ReceiptLine{{Line: 1, Quantity: d("1")}}}
	actions := map[string]func(inventory.PurchaseOrder) (inventory.PurchaseOrder, error){
		"add line": func(po inventory.PurchaseOrder) (inventory.PurchaseOrder, error) {
			return po.AddLine(inventory.OrderLine{ItemID: "PIPE", Quantity: d("1"), UnitCost: d("1")})
		},
		"remove line": func(po inventory.PurchaseOrder) (inventory.PurchaseOrder, error) { return po.RemoveLine(1) },
		"edit line": func(po inventory.PurchaseOrder) (inventory.PurchaseOrder, error) {
			return po.SetLine(1, d("12"), d("3"))
		},
		"submit": func(po inventory.PurchaseOrder) (inventory.PurchaseOrder, error) { return po.Submit(t0) },
		"confirm": func(po inventory.PurchaseOrder) (inventory.PurchaseOrder, error) {
			return po.Confirm(t0, t0.AddDate(0, 0, 3))
		},
		"receive": func(po inventory.PurchaseOrder) (inventory.PurchaseOrder, error) {
			po, _, err := po.Receive(receipt, b)
			return po, err
		},
		"cancel": func(po inventory.PurchaseOrder) (inventory.PurchaseOrder, error) { return po.Cancel(t0, "") },
	}
	allowed := map[inventory.OrderStatus][]string{
		inventory.OrderDraft:             {"add line", "remove line", "edit line", "submit", "cancel"},
		inventory.OrderSubmitted:         {"edit line", "confirm", "cancel"},
		inventory.OrderConfirmed:         {"receive", "cancel"},
		inventory.OrderPartiallyReceived: {"receive", "cancel"},
		inventory.OrderReceived:          {},
		inventory.OrderCancelled:         {},
	}
	for status, ok := range allowed {
		for name, act := range actions {
			po := base
			po.Status = status
			_, err := act(po)
			want := strings.Contains(strings.Join(ok, ","), name)
			if want && err != nil {
				t.Errorf("%s in %s: %v", name, status, err)
			}
			if !want && !errors.Is(err, inventory.ErrIllegalTransition) {
				t.Errorf("%s in %s: %v, want ILLEGAL_TRANSITION", name, status, err)
			}
		}
	}
}

func TestPurchaseOrderReceipts(t *testing.T) {
	b := shop(t, nil)
	po, err := inventory.NewPurchaseOrder(t0, inventory.PurchaseOrder{ID: "po", Number: "PO-2026-000007", SupplierID: "S", DeliveryLocationID: "WH",
		Lines: []inventory.OrderLine{{ItemID: "CAP", Quantity: d("10"), UnitCost: d("3")}, {ItemID: "PIPE", Quantity: d("100"), UnitCost: d("0.85")}}})
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != inventory.OrderDraft || po.Lines[1].Line != 2 || !po.Subtotal().Equal(d("115")) {
		t.Fatalf("draft %+v", po)
	}
	b.Track(po)
	if l := level(t, b, "CAP", "WH"); !l.OnOrder.Equal(d("10")) {
		t.Fatalf("a draft is on order: %s", l.OnOrder)
	}
	po, _ = po.Submit(t0)
	po, _ = po.Confirm(t0, t0.AddDate(0, 0, 3))
	po, ms, err := po.Receive(inventory.OrderReceipt{At: t0, ReceivedBy: "dock", Lines: []inventory.ReceiptLine{{Line: 1, Quantity: d("6")}}}, b)
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != inventory.OrderPartiallyReceived || po.Receipts[0].Number != "PO-2026-000007-R1" || ms[0].ReceiptNumber != "PO-2026-000007-R1" ||
		!ms[0].UnitCost.Equal(d("3")) || ms[0].DocumentID != "po" || ms[0].ActorID != "dock" {
		t.Fatalf("after the first shipment %+v %+v", po, ms)
	}
	if l := level(t, b, "CAP", "WH"); !l.OnOrder.Equal(d("4")) || !l.OnHand.Equal(d("6")) {
		t.Errorf("level after a partial receipt %+v", l)
	}
	_, _, err = po.Receive(inventory.OrderReceipt{At: t0, Lines: []inventory.ReceiptLine{{Line: 1, Quantity: d("5")}}}, b)
	var oe *inventory.OverReceiptError
	if !errors.As(err, &oe) || !errors.Is(err, inventory.ErrOverReceipt) || oe.Line != 1 || !oe.Received.Equal(d("11")) || !oe.Ordered.Equal(d("10")) {
		t.Fatalf("over-receipt: %v", err)
	}
	if !strings.Contains(err.Error(), "needs an over-receipt reason") {
		t.Errorf("message %q", err)
	}
	po, _, err = po.Receive(inventory.OrderReceipt{At: t0.Add(time.Hour), LocationID: "T1", Lines: []inventory.ReceiptLine{
		{Line: 1, Quantity: d("5"), OverReceiptReason: "shipped a full box"}, {Line: 2, Quantity: d("100")},
	}}, b)
	if err != nil || po.Status != inventory.OrderReceived || !po.ReceivedAt.Equal(t0.Add(time.Hour)) || po.Receipts[1].Number != "PO-2026-000007-R2" {
		t.Fatalf("%+v %v", po, err)
	}
	if l := level(t, b, "PIPE", "T1"); !l.OnHand.Equal(d("100")) {
		t.Errorf("received at the truck %+v", l)
	}
	if l := level(t, b, "CAP", "WH"); !l.OnOrder.IsZero() {
		t.Errorf("on order after the order is received: %s", l.OnOrder)
	}
	for _, rc := range []inventory.OrderReceipt{
		{At: t0},
		{Lines: []inventory.ReceiptLine{{Line: 1, Quantity: d("1")}}},
		{At: t0, Lines: []inventory.ReceiptLine{{Line: 1, Quantity: d("0")}}},
	} {
		po2 := po
		po2.Status = inventory.OrderConfirmed
		if _, _, err := po2.Receive(rc, b); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("receipt %+v: %v, want ErrInvalid", rc, err)
		}
	}
	po.Status = inventory.OrderConfirmed
	if _, _, err := po.Receive(inventory.OrderReceipt{At: t0, Lines: []inventory.ReceiptLine{{Line: 9, Quantity: d("1")}}}, b); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("receiving an unknown line: %v", err)
	}
}

func TestPurchaseOrderEdits(t *testing.T) {
	for _, po := range []inventory.PurchaseOrder{
		{SupplierID: "S", DeliveryLocationID: "WH"},
		{ID: "po", DeliveryLocationID: "WH"},
		{ID: "po", SupplierID: "S"},
		{ID: "po", SupplierID: "S", DeliveryLocationID: "WH", Lines: []inventory.OrderLine{{Quantity: d("1")}}},
		{ID: "po", SupplierID: "S", DeliveryLocationID: "WH", Lines: []inventory.OrderLine{{ItemID: "A", Quantity: d("0")}}},
		{ID: "po", SupplierID: "S", DeliveryLocationID: "WH", Lines: []inventory.OrderLine{{ItemID: "A", Quantity: d("1"), UnitCost: d("-1")}}},
	} {
		if _, err := inventory.NewPurchaseOrder(t0, po); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", po, err)
		}
	}
	po, _ := inventory.NewPurchaseOrder(t0, inventory.PurchaseOrder{ID: "po", SupplierID: "S", DeliveryLocationID: "WH"})
	if _, err := po.Submit(t0); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("submitting an empty order: %v", err)
	}
	po, _ = po.AddLine(inventory.OrderLine{ItemID: "A", Quantity: d("1")})
	po, _ = po.AddLine(inventory.OrderLine{ItemID: "B", Quantity: d("1")})
	po, _ = po.RemoveLine(2)
	po, _ = po.AddLine(inventory.OrderLine{ItemID: "C", Quantity: d("1")})
	if po.Lines[1].Line != 2 || po.Lines[1].ItemID != "C" {
		t.Errorf("lines %+v", po.Lines)
	}
	po, _ = po.RemoveLine(1)
	po, _ = po.AddLine(inventory.OrderLine{ItemID: "D", Quantity: d("1")})
	if po.Lines[1].Line != 3 {
		t.Errorf("a line number was reused: %+v", po.Lines)
	}
	if _, err := po.RemoveLine(1); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("removing a removed line: %v", err)
	}
	if _, err := po.SetLine(2, d("0"), d("1")); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("setting a quantity of zero: %v", err)
	}
	if _, err := po.SetLine(7, d("1"), d("1")); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("setting an unknown line: %v", err)
	}
	if l := (inventory.OrderLine{Quantity: d("3"), Received: d("5")}); !l.Outstanding().IsZero() {
		t.Errorf("outstanding of an over-received line %s", l.Outstanding())
	}
}

func TestCycleCount(t *testing.T) {
	b := shop(t, nil)
	mustPost(t, b, rcv("CAP", "T1", "10", "4"), rcv("PIPE", "T1", "50", "1"))
	c, err := inventory.NewCycleCount(t0, "c1", "T1", []string{"CAP", "PIPE"})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Hour)
	if c, err = c.Record("CAP", d("8"), at, "tech-1", b); err != nil {
		t.Fatal(err)
	}
	// The technician uses one after counting, before the count is closed.
	mustPost(t, b, use("CAP", "T1", "1"))
	if c, err = c.Record("PIPE", d("50"), at, "tech-1", b); err != nil {
		t.Fatal(err)
	}
	if c, err = c.Record("R410A", d("3.5"), at, "tech-1", b); err != nil { // found on the truck
		t.Fatal(err)
	}
	c, ms, err := c.Complete(at, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != inventory.CountCompleted || len(ms) != 3 || !ms[0].Quantity.Equal(d("-2")) || !ms[0].Value.Equal(d("-8")) ||
		!ms[1].Quantity.IsZero() || !ms[2].Quantity.Equal(d("3.5")) || ms[0].Kind != inventory.Count {
		t.Fatalf("count %+v posted %+v", c, ms)
	}
	l := level(t, b, "CAP", "T1")
	if !l.OnHand.Equal(d("7")) || !l.LastCountedAt.Equal(at) {
		t.Errorf("after the count %+v", l)
	}
	if _, _, err := c.Complete(at, b); !errors.Is(err, inventory.ErrIllegalTransition) {
		t.Errorf("completing twice: %v", err)
	}
	if _, err := c.Record("CAP", d("1"), at, "", b); !errors.Is(err, inventory.ErrIllegalTransition) {
		t.Errorf("recording on a completed count: %v", err)
	}
	if _, err := c.Cancel(at); !errors.Is(err, inventory.ErrIllegalTransition) {
		t.Errorf("cancelling a completed count: %v", err)
	}
}

func TestCycleCountRules(t *testing.T) {
	b := shop(t, nil)
	for _, args := range [][3]any{{"", "T1", []string{"CAP"}}, {"c", "", []string{"CAP"}}, {"c", "T1", []string{"CAP", "CAP"}}, {"c", "T1", []string{""}}} {
		if _, err := inventory.NewCycleCount(t0, args[0].(string), args[1].(string), args[2].([]string)); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("count %v: %v", args, err)
		}
	}
	c, _ := inventory.NewCycleCount(t0, "c", "T1", []string{"CAP"})
	if _, err := c.Record("CAP", d("-1"), t0, "", b); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("negative count: %v", err)
	}
	if _, err := c.Record("CAP", d("1"), time.Time{}, "", b); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("count without a time: %v", err)
	}
	if _, err := c.Record("NOPE", d("1"), t0, "", b); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("count of an unknown item: %v", err)
	}
	if _, _, err := c.Complete(t0, b); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("completing before counting: %v", err)
	}
	empty, _ := inventory.NewCycleCount(t0, "c", "T1", nil)
	if _, _, err := empty.Complete(t0, b); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("completing an empty count: %v", err)
	}
	c, err := c.Cancel(t0)
	if err != nil || c.Status != inventory.CountCancelled {
		t.Errorf("cancel: %v", err)
	}
	// A count whose variance the stock cannot take any more is refused.
	mustPost(t, b, rcv("CAP", "T1", "5", "1"))
	c, _ = inventory.NewCycleCount(t0, "c2", "T1", []string{"CAP"})
	c, _ = c.Record("CAP", d("0"), t0, "", b)
	mustPost(t, b, use("CAP", "T1", "5"))
	if _, _, err := c.Complete(t0, b); !errors.Is(err, inventory.ErrInsufficientStock) {
		t.Errorf("a count losing stock already used: %v", err)
	}
	_ = decimal.Zero
}
