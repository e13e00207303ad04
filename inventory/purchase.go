package inventory

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// OrderStatus is the status of a [PurchaseOrder].
type OrderStatus string

// The purchase order statuses:
//
//	DRAFT ─submit─▶ SUBMITTED ─confirm─▶ CONFIRMED ─receive─▶ PARTIALLY_RECEIVED ─receive─▶ RECEIVED
//	                                          └───────────receive (all)──────────────────────────▲
//	any status but RECEIVED ─cancel─▶ CANCELLED
const (
	OrderDraft             OrderStatus = "DRAFT"
	OrderSubmitted         OrderStatus = "SUBMITTED"
	OrderConfirmed         OrderStatus = "CONFIRMED"
	OrderPartiallyReceived OrderStatus = "PARTIALLY_RECEIVED"
	OrderReceived          OrderStatus = "RECEIVED"
	OrderCancelled         OrderStatus = "CANCELLED"
)

// PurchaseOrder buys stock from a supplier for one delivery location. Its
// lines are editable while it is a DRAFT (quantities and costs also once
// SUBMITTED), received per shipment once CONFIRMED, and what is outstanding
// counts as on order at the delivery location until the order is received or
// cancelled. Costs are in the organization's currency.
type PurchaseOrder struct {
	ID                 string         `json:"id"`
	Number             string         `json:"number"` // PO-2026-000123; the engine numbers documents
	SupplierID         string         `json:"supplierId"`
	DeliveryLocationID string         `json:"deliveryLocationId"`
	Status             OrderStatus    `json:"status"`
	CreatedAt          time.Time      `json:"createdAt"`
	SubmittedAt        time.Time      `json:"submittedAt,omitzero"`
	ConfirmedAt        time.Time      `json:"confirmedAt,omitzero"`
	ExpectedAt         time.Time      `json:"expectedAt,omitzero"`
	ReceivedAt         time.Time      `json:"receivedAt,omitzero"`
	CancelledAt        time.Time      `json:"cancelledAt,omitzero"`
	CancelReason       string         `json:"cancelReason,omitempty"`
	Lines              []OrderLine    `json:"lines"`
	Receipts           []OrderReceipt `json:"receipts,omitempty"`
}

// OrderLine orders Quantity of an item at UnitCost.
type OrderLine struct {
	Line        int             `json:"line"` // 1-based, never reused
	ItemID      string          `json:"itemId"`
	SupplierSKU string          `json:"supplierSku,omitempty"`
	Quantity    decimal.Decimal `json:"quantity"`
	UnitCost    decimal.Decimal `json:"unitCost"`
	Received    decimal.Decimal `json:"received"`
}

// Total is Quantity × UnitCost.
func (l OrderLine) Total() decimal.Decimal { return l.Quantity.Mul(l.UnitCost) }

// Outstanding is what is still to come: Quantity − Received, never below zero.
func (l OrderLine) Outstanding() decimal.Decimal {
	return maxDec(l.Quantity.Sub(l.Received), decimal.Zero)
}

// OrderReceipt is one shipment received against a purchase order.
type OrderReceipt struct {
	Number     string        `json:"number"` // {order number}-R{n}, filled in by Receive when empty
	At         time.Time     `json:"at"`
	LocationID string        `json:"locationId"` // defaults to the delivery location
	ReceivedBy string        `json:"receivedBy,omitempty"`
	Lines      []ReceiptLine `json:"lines"`
}

// ReceiptLine receives Quantity for one order line. Receiving past what was
// ordered needs an OverReceiptReason (the supplier shipped a full case).
type ReceiptLine struct {
	Line              int             `json:"line"`
	Quantity          decimal.Decimal `json:"quantity"`
	OverReceiptReason string          `json:"overReceiptReason,omitempty"`
	Lot               string          `json:"lot,omitempty"`
	Serial            string          `json:"serial,omitempty"`
	ExpiresAt         time.Time       `json:"expiresAt,omitzero"`
}

// Subtotal is the sum of the lines' totals.
func (po PurchaseOrder) Subtotal() decimal.Decimal {
	var s decimal.Decimal
	for _, l := range po.Lines {
		s = s.Add(l.Total())
	}
	return s
}

func (po PurchaseOrder) ref() docRef { return docRef{"purchase order", po.ID} }

func (po PurchaseOrder) commitments() []commitment {
	switch po.Status {
	case OrderReceived, OrderCancelled:
		return nil
	}
	var cs []commitment
	for _, l := range po.Lines {
		if o := l.Outstanding(); o.Sign() > 0 {
			cs = append(cs, commitment{key: Key{l.ItemID, po.DeliveryLocationID}, onOrder: o})
		}
	}
	return cs
}

// NewPurchaseOrder returns po as a new DRAFT created at now, its lines
// numbered from 1 and nothing received.
func NewPurchaseOrder(now time.Time, po PurchaseOrder) (PurchaseOrder, error) {
	switch {
	case po.ID == "":
		return po, invalid("id", "a purchase order needs an id")
	case po.SupplierID == "":
		return po, invalid("supplierId", "a purchase order needs a supplier")
	case po.DeliveryLocationID == "":
		return po, invalid("deliveryLocationId", "a purchase order needs a delivery location")
	}
	po.Status, po.CreatedAt = OrderDraft, now
	po.Receipts = nil
	lines := po.Lines
	po.Lines = nil
	for _, l := range lines {
		var err error
		if po, err = po.AddLine(l); err != nil {
			return po, err
		}
	}
	return po, nil
}

// AddLine adds a line to a DRAFT (numbered after the last one).
func (po PurchaseOrder) AddLine(l OrderLine) (PurchaseOrder, error) {
	if po.Status != OrderDraft {
		return po, po.illegal("add a line to")
	}
	if err := checkOrderLine(l, "lines."+strconv.Itoa(len(po.Lines))); err != nil {
		return po, err
	}
	l.Line, l.Received = 1, decimal.Zero
	if n := len(po.Lines); n > 0 {
		l.Line = po.Lines[n-1].Line + 1
	}
	po.Lines = append(slices.Clip(po.Lines), l)
	return po, nil
}

func checkOrderLine(l OrderLine, field string) error {
	switch {
	case l.ItemID == "":
		return invalid(field+".itemId", "an order line needs an item")
	case l.Quantity.Sign() <= 0:
		return invalid(field+".quantity", "an order line orders a positive quantity, got %s", fmtQ(l.Quantity))
	case l.UnitCost.Sign() < 0:
		return invalid(field+".unitCost", "a cost cannot be negative")
	}
	return nil
}

// RemoveLine removes a line from a DRAFT.
func (po PurchaseOrder) RemoveLine(line int) (PurchaseOrder, error) {
	if po.Status != OrderDraft {
		return po, po.illegal("remove a line from")
	}
	i, err := po.lineIndex(line)
	if err != nil {
		return po, err
	}
	po.Lines = slices.Delete(slices.Clone(po.Lines), i, i+1)
	return po, nil
}

// SetLine changes a line's quantity and unit cost, in a DRAFT or SUBMITTED
// order (the supplier has not confirmed it yet).
func (po PurchaseOrder) SetLine(line int, quantity, unitCost decimal.Decimal) (PurchaseOrder, error) {
	if po.Status != OrderDraft && po.Status != OrderSubmitted {
		return po, po.illegal("edit a line of")
	}
	i, err := po.lineIndex(line)
	if err != nil {
		return po, err
	}
	l := po.Lines[i]
	l.Quantity, l.UnitCost = quantity, unitCost
	if err := checkOrderLine(l, "lines."+strconv.Itoa(i)); err != nil {
		return po, err
	}
	po.Lines = slices.Clone(po.Lines)
	po.Lines[i] = l
	return po, nil
}

// Submit sends a DRAFT with at least one line to the supplier.
func (po PurchaseOrder) Submit(now time.Time) (PurchaseOrder, error) {
	if po.Status != OrderDraft {
		return po, po.illegal("submit")
	}
	if len(po.Lines) == 0 {
		return po, invalid("lines", "a purchase order needs a line before it is submitted")
	}
	po.Status, po.SubmittedAt = OrderSubmitted, now
	return po, nil
}

// Confirm records the supplier's confirmation of a SUBMITTED order, with the
// delivery date it promised (zero if none).
func (po PurchaseOrder) Confirm(now, expected time.Time) (PurchaseOrder, error) {
	if po.Status != OrderSubmitted {
		return po, po.illegal("confirm")
	}
	po.Status, po.ConfirmedAt, po.ExpectedAt = OrderConfirmed, now, expected
	return po, nil
}

// Cancel cancels an order not yet fully received: nothing more is expected
// from it (what was received stays received).
func (po PurchaseOrder) Cancel(now time.Time, reason string) (PurchaseOrder, error) {
	if po.Status == OrderReceived || po.Status == OrderCancelled {
		return po, po.illegal("cancel")
	}
	po.Status, po.CancelledAt, po.CancelReason = OrderCancelled, now, reason
	return po, nil
}

// Receive records one shipment from the supplier against a CONFIRMED or
// PARTIALLY_RECEIVED order: each receipt line brings its quantity in at the
// order line's unit cost (RECEIPT movements, returned for the ledger). An
// order line cannot receive past its ordered quantity unless the receipt line
// gives an over-receipt reason ([OverReceiptError]). The order is RECEIVED
// when every line has received its quantity, PARTIALLY_RECEIVED otherwise.
func (po PurchaseOrder) Receive(rc OrderReceipt, b *Book) (PurchaseOrder, []Movement, error) {
	if po.Status != OrderConfirmed && po.Status != OrderPartiallyReceived {
		return po, nil, po.illegal("receive")
	}
	if len(rc.Lines) == 0 {
		return po, nil, invalid("lines", "a receipt needs at least one line")
	}
	if rc.At.IsZero() {
		return po, nil, invalid("at", "a receipt needs a time")
	}
	if rc.LocationID == "" {
		rc.LocationID = po.DeliveryLocationID
	}
	rc.Lines = slices.Clone(rc.Lines)
	if rc.Number == "" {
		rc.Number = fmt.Sprintf("%s-R%d", po.Number, len(po.Receipts)+1)
	}
	po.Lines = slices.Clone(po.Lines)
	ms := make([]Movement, 0, len(rc.Lines))
	for j, rl := range rc.Lines {
		i, err := po.lineIndex(rl.Line)
		if err != nil {
			return po, nil, err
		}
		l := &po.Lines[i]
		if rl.Quantity.Sign() <= 0 {
			return po, nil, invalid(fmt.Sprintf("lines.%d.quantity", j), "a receipt line receives a positive quantity, got %s", fmtQ(rl.Quantity))
		}
		l.Received = l.Received.Add(rl.Quantity)
		if l.Received.Cmp(l.Quantity) > 0 && rl.OverReceiptReason == "" {
			return po, nil, &OverReceiptError{OrderID: po.ID, Line: l.Line, ItemID: l.ItemID, Ordered: l.Quantity, Received: l.Received}
		}
		ms = append(ms, Movement{
			Kind: Receipt, ItemID: l.ItemID, LocationID: rc.LocationID, Quantity: rl.Quantity, UnitCost: l.UnitCost,
			At: rc.At, DocumentID: po.ID, DocumentLine: l.Line, ReceiptNumber: rc.Number, Note: rl.OverReceiptReason,
			Lot: rl.Lot, Serial: rl.Serial, ActorID: rc.ReceivedBy,
		})
	}
	posted, err := b.post(ms, docRef{})
	if err != nil {
		return po, nil, err
	}
	po.Receipts = append(slices.Clip(po.Receipts), rc)
	po.Status = OrderReceived
	if slices.ContainsFunc(po.Lines, func(l OrderLine) bool { return l.Outstanding().Sign() > 0 }) {
		po.Status = OrderPartiallyReceived
	} else {
		po.ReceivedAt = rc.At
	}
	b.Track(po)
	return po, posted, nil
}

func (po PurchaseOrder) lineIndex(line int) (int, error) {
	i := slices.IndexFunc(po.Lines, func(l OrderLine) bool { return l.Line == line })
	if i < 0 {
		return 0, fmt.Errorf("inventory: purchase order %s has no line %d: %w", po.ID, line, ErrNotFound)
	}
	return i, nil
}

func (po PurchaseOrder) illegal(action string) error {
	return &TransitionError{Document: "purchase order", ID: po.ID, From: string(po.Status), Action: action}
}
