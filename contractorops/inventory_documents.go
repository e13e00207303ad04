package contractorops

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/inventory"
)

// The inventory's documents: transfers, purchase orders and cycle counts.
// Each stores package inventory's document, which owns its status machine
// and the movements it posts; a command loads the stored document, asks
// package inventory, and stores the document and its movements in one
// transaction.

// StockTransfer moves stock between two locations (a warehouse refilling a
// truck): PENDING → IN_TRANSIT → RECEIVED (receipts may be partial), or
// CANCELLED, what did not arrive returning to the source.
type StockTransfer struct {
	Meta
	Doc         inventory.Transfer `json:"document"`
	Note        string             `json:"note,omitempty"`
	RequestedBy Actor              `json:"requestedBy"`
	// PlanKey is the replenishment plan's key of a pending transfer the
	// plan proposed: the next plan adds to it instead of proposing another.
	PlanKey string `json:"planKey,omitempty"`
}

// PurchaseOrder buys stock from a supplier for one delivery location:
// DRAFT → SUBMITTED → CONFIRMED → PARTIALLY_RECEIVED → RECEIVED, or
// CANCELLED; one receipt per shipment.
type PurchaseOrder struct {
	Meta
	Doc       inventory.PurchaseOrder `json:"document"`
	Notes     string                  `json:"notes,omitempty"`
	CreatedBy Actor                   `json:"createdBy"`
	// PlanKey is the replenishment plan's key of a draft the plan proposed.
	PlanKey string `json:"planKey,omitempty"`
}

// CycleCount counts items at one location; completing it records each
// variance as a COUNT movement.
type CycleCount struct {
	Meta
	Number string               `json:"number"`
	Doc    inventory.CycleCount `json:"document"`
}

var (
	transfersTable = table[StockTransfer]{
		spec: TableSpec{Name: "inventory_transfers", Keys: []string{"number", "status", "from_location_id", "to_location_id", "open", "plan_key"},
			Unique: [][]string{{"number"}, {"plan_key"}}},
		keys: func(tr *StockTransfer) map[string]string {
			d := &tr.Doc
			open := d.Status == inventory.TransferPending || d.Status == inventory.TransferInTransit
			return keys("number", d.Number, "status", string(d.Status), "from_location_id", d.FromID, "to_location_id", d.ToID,
				"open", trueKey(open), "plan_key", onlyIf(d.Status == inventory.TransferPending, tr.PlanKey))
		},
	}
	purchaseOrdersTable = table[PurchaseOrder]{
		spec: TableSpec{Name: "inventory_purchase_orders", Keys: []string{"number", "status", "supplier_id", "location_id", "open", "plan_key"},
			Unique: [][]string{{"number"}, {"plan_key"}}},
		keys: func(po *PurchaseOrder) map[string]string {
			d := &po.Doc
			open := d.Status != inventory.OrderReceived && d.Status != inventory.OrderCancelled
			return keys("number", d.Number, "status", string(d.Status), "supplier_id", d.SupplierID, "location_id", d.DeliveryLocationID,
				"open", trueKey(open), "plan_key", onlyIf(d.Status == inventory.OrderDraft, po.PlanKey))
		},
	}
	countsTable = table[CycleCount]{
		spec: TableSpec{Name: "inventory_counts", Keys: []string{"number", "status", "location_id"}, Unique: [][]string{{"number"}}},
		keys: func(cc *CycleCount) map[string]string {
			return keys("number", cc.Number, "status", string(cc.Doc.Status), "location_id", cc.Doc.LocationID)
		},
	}
)

// trueKey is the key of a flag that is queried only when set: "true", or
// absent.
func trueKey(b bool) string { return onlyIf(b, "true") }

func onlyIf(b bool, v string) string {
	if b {
		return v
	}
	return ""
}

// TransferInput requests a transfer between two locations.
type TransferInput struct {
	FromLocationID string                        `json:"fromLocationId"`
	ToLocationID   string                        `json:"toLocationId"`
	Lines          []inventory.TransferLineInput `json:"lines"`
	Note           string                        `json:"note,omitempty"`
}

// Validate checks the input.
func (in TransferInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.FromLocationID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.ToLocationID, validation.Required, validation.Length(1, 100),
			validation.NotIn(in.FromLocationID).Error("must differ from fromLocationId")),
		validation.Field(&in.Lines, validation.Required, validation.Length(1, 500), validation.Each(validation.By(func(v any) error {
			l := v.(inventory.TransferLineInput)
			return validation.ValidateStruct(&l,
				validation.Field(&l.ItemID, validation.Required, validation.Length(1, 100)),
				validation.Field(&l.Quantity, validation.By(decimalRule(true, quantityPlaces, maxQuantity))),
				validation.Field(&l.Lot, validation.Length(0, 100)),
				validation.Field(&l.Serial, validation.Length(0, 100)),
			)
		}))),
		validation.Field(&in.Note, validation.Length(0, 2000)),
	)
}

// DocumentLinesInput acts on a document with quantities per line (1-based):
// what a transfer ships or receives. No lines: every line in full.
type DocumentLinesInput struct {
	ID    string                   `json:"id"`
	Lines []inventory.LineQuantity `json:"lines,omitempty"`
}

// Validate checks the input.
func (in DocumentLinesInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Lines, validation.Length(0, 500), validation.Each(validation.By(lineQuantityRule))),
	)
}

func lineQuantityRule(v any) error {
	l := v.(inventory.LineQuantity)
	return validation.ValidateStruct(&l,
		validation.Field(&l.Line, validation.Required, validation.Min(1)),
		validation.Field(&l.Quantity, validation.By(decimalRule(false, quantityPlaces, maxQuantity))),
	)
}

// CancelDocumentInput cancels a document, with a reason.
type CancelDocumentInput struct {
	ID     string `json:"id"`
	Reason string `json:"reason,omitempty"`
}

// Validate checks the input.
func (in CancelDocumentInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

// TransferResult is a transfer after a command and the movements it posted.
type TransferResult struct {
	Transfer  StockTransfer   `json:"transfer"`
	Movements []StockMovement `json:"movements"`
}

func (c *call) requestTransfer(in *TransferInput) (*TransferResult, error) {
	return inTx(c, "request-transfer", func(t *txn) (*TransferResult, error) {
		tr := &StockTransfer{Meta: Meta{ID: c.e.newID()}, Note: in.Note, RequestedBy: c.scope.Actor}
		refs := []ref{{stockLocationsTable.spec.Name, in.FromLocationID, "fromLocationId"}, {stockLocationsTable.spec.Name, in.ToLocationID, "toLocationId"}}
		items := make([]string, len(in.Lines))
		for i, line := range in.Lines {
			items[i] = line.ItemID
			refs = append(refs, ref{stockItemsTable.spec.Name, line.ItemID, "lines." + strconv.Itoa(i) + ".itemId"})
		}
		l, err := c.openLedger(t, keysAt(in.FromLocationID, items), in.ToLocationID)
		if err != nil {
			return nil, notFoundField(err, refs...)
		}
		if err := c.newTransfer(t, l.book, tr, inventory.TransferRequest{FromID: in.FromLocationID, ToID: in.ToLocationID, Lines: in.Lines}); err != nil {
			return nil, err
		}
		l.hold(keysAt(in.FromLocationID, items)...)
		if err := l.save(); err != nil {
			return nil, err
		}
		return &TransferResult{Transfer: *tr, Movements: []StockMovement{}}, nil
	})
}

// newTransfer numbers, requests and inserts a transfer under tr's id.
func (c *call) newTransfer(t *txn, book *inventory.Book, tr *StockTransfer, req inventory.TransferRequest) error {
	n, err := t.tx.NextNumber(t.ctx, "transfer")
	if err != nil {
		return err
	}
	req.ID, req.Number = tr.ID, fmt.Sprintf("TRF-%06d", n)
	if tr.Doc, err = book.RequestTransfer(c.now, req); err != nil {
		return shortageLines(err, func(item string) int {
			return slices.IndexFunc(req.Lines, func(x inventory.TransferLineInput) bool { return x.ItemID == item })
		})
	}
	return insert(t, transfersTable, tr)
}

// moveTransfer runs a transfer operation that posts movements at one end of
// the transfer (at the source: ship, cancel; at the destination: receive).
func (c *call) moveTransfer(name, id string, op func(tr inventory.Transfer, b *inventory.Book) (inventory.Transfer, []inventory.Movement, error)) (*TransferResult, error) {
	return inTx(c, name, func(t *txn) (*TransferResult, error) {
		tr, err := load(t, transfersTable, id)
		if err != nil {
			return nil, err
		}
		at := tr.Doc.FromID
		if name == "receive-transfer" {
			at = tr.Doc.ToID
			if _, err := c.loadStockLocation(t, at); err != nil {
				return nil, err
			}
		}
		items := make([]string, len(tr.Doc.Lines))
		for i, line := range tr.Doc.Lines {
			items[i] = line.ItemID
		}
		l, err := c.openLedger(t, keysAt(at, items), tr.Doc.FromID, tr.Doc.ToID)
		if err != nil {
			return nil, err
		}
		l.book.Track(tr.Doc)
		doc, ms, err := op(tr.Doc, l.book)
		if err != nil {
			return nil, err
		}
		tr.Doc = doc
		if err := l.append(ms...); err != nil {
			return nil, err
		}
		if err := l.save(); err != nil {
			return nil, err
		}
		if err := update(t, transfersTable, tr); err != nil {
			return nil, err
		}
		return &TransferResult{Transfer: *tr, Movements: l.movements()}, nil
	})
}

func (c *call) shipTransfer(in *DocumentLinesInput) (*TransferResult, error) {
	return c.moveTransfer("ship-transfer", in.ID, func(tr inventory.Transfer, b *inventory.Book) (inventory.Transfer, []inventory.Movement, error) {
		return tr.Ship(c.now, in.Lines, b)
	})
}

func (c *call) receiveTransfer(in *DocumentLinesInput) (*TransferResult, error) {
	return c.moveTransfer("receive-transfer", in.ID, func(tr inventory.Transfer, b *inventory.Book) (inventory.Transfer, []inventory.Movement, error) {
		return tr.Receive(c.now, in.Lines, b)
	})
}

func (c *call) cancelTransfer(in *CancelDocumentInput) (*TransferResult, error) {
	return c.moveTransfer("cancel-transfer", in.ID, func(tr inventory.Transfer, b *inventory.Book) (inventory.Transfer, []inventory.Movement, error) {
		doc, ms, err := tr.Cancel(c.now, b)
		for i := range ms {
			if in.Reason != "" {
				ms[i].Note += ": " + in.Reason
			}
		}
		return doc, ms, err
	})
}

// ListTransfersInput lists transfers, newest first.
type ListTransfersInput struct {
	Status         inventory.TransferStatus `json:"status,omitempty"`
	FromLocationID string                   `json:"fromLocationId,omitempty"`
	ToLocationID   string                   `json:"toLocationId,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListTransfersInput) Validate() error { return in.PageRequest.Validate() }

func (c *call) listTransfers(in *ListTransfersInput) (*Page[StockTransfer], error) {
	return inTx(c, "list-transfers", func(t *txn) (*Page[StockTransfer], error) {
		q := docQuery("status", string(in.Status), "from_location_id", in.FromLocationID, "to_location_id", in.ToLocationID)
		q = in.PageRequest.apply(q)
		items, err := find(t, transfersTable, q)
		if err != nil {
			return nil, err
		}
		return pageOf(in.PageRequest, q, items, func(tr *StockTransfer) string { return tr.Doc.Number }), nil
	})
}

// docQuery lists documents by number, newest first, with the given keys
// equal to their values (empty values are ignored).
func docQuery(kv ...string) Query {
	q := Query{OrderBy: "number", Desc: true}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Where = append(q.Where, Eq(kv[i], kv[i+1]))
		}
	}
	return q
}

// OrderLineInput is a line of a purchase order: an item, a quantity and
// its unit cost (default: the supplier's price, else the item's standard
// cost).
type OrderLineInput struct {
	ItemID      string           `json:"itemId"`
	Quantity    decimal.Decimal  `json:"quantity"`
	UnitCost    *decimal.Decimal `json:"unitCost,omitempty"`
	SupplierSKU string           `json:"supplierSku,omitempty"`
}

// Validate checks the input.
func (in OrderLineInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ItemID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Quantity, validation.By(decimalRule(true, quantityPlaces, maxQuantity))),
		validation.Field(&in.UnitCost, validation.By(func(any) error {
			if in.UnitCost == nil {
				return nil
			}
			return decimalRule(false, inventory.CostPlaces, maxCost)(*in.UnitCost)
		})),
		validation.Field(&in.SupplierSKU, validation.Length(0, 100)),
	)
}

// PurchaseOrderInput creates a DRAFT purchase order.
type PurchaseOrderInput struct {
	SupplierID         string           `json:"supplierId"`
	DeliveryLocationID string           `json:"deliveryLocationId"`
	ExpectedAt         time.Time        `json:"expectedAt,omitzero"`
	Lines              []OrderLineInput `json:"lines,omitempty"`
	Notes              string           `json:"notes,omitempty"`
}

// Validate checks the input.
func (in PurchaseOrderInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.SupplierID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.DeliveryLocationID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Lines, validation.Length(0, 500)),
		validation.Field(&in.Notes, validation.Length(0, 4000)),
	)
}

// OrderLineChangeInput adds a line to a DRAFT order.
type OrderLineChangeInput struct {
	ID   string         `json:"id"`
	Line OrderLineInput `json:"line"`
}

// Validate checks the input.
func (in OrderLineChangeInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Line),
	)
}

// SetOrderLineInput changes a line's quantity and unit cost (DRAFT or
// SUBMITTED).
type SetOrderLineInput struct {
	ID       string          `json:"id"`
	Line     int             `json:"line"`
	Quantity decimal.Decimal `json:"quantity"`
	UnitCost decimal.Decimal `json:"unitCost"`
}

// Validate checks the input.
func (in SetOrderLineInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Line, validation.Required, validation.Min(1)),
		validation.Field(&in.Quantity, validation.By(decimalRule(true, quantityPlaces, maxQuantity))),
		validation.Field(&in.UnitCost, validation.By(decimalRule(false, inventory.CostPlaces, maxCost))),
	)
}

// OrderLineRef names a line of a purchase order.
type OrderLineRef struct {
	ID   string `json:"id"`
	Line int    `json:"line"`
}

// Validate checks the input.
func (in OrderLineRef) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Line, validation.Required, validation.Min(1)),
	)
}

// ConfirmOrderInput records the supplier's confirmation and the delivery
// date it promised.
type ConfirmOrderInput struct {
	ID         string    `json:"id"`
	ExpectedAt time.Time `json:"expectedAt,omitzero"`
}

// Validate checks the input.
func (in ConfirmOrderInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.ID, validation.Required, validation.Length(1, 100)))
}

// ReceiveOrderInput receives one shipment against a purchase order, at its
// delivery location unless LocationID says otherwise. Receiving a line past
// its ordered quantity needs an over-receipt reason.
type ReceiveOrderInput struct {
	ID         string                  `json:"id"`
	LocationID string                  `json:"locationId,omitempty"`
	Lines      []inventory.ReceiptLine `json:"lines"`
}

// Validate checks the input.
func (in ReceiveOrderInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.LocationID, validation.Length(0, 100)),
		validation.Field(&in.Lines, validation.Required, validation.Length(1, 500), validation.Each(validation.By(func(v any) error {
			l := v.(inventory.ReceiptLine)
			return validation.ValidateStruct(&l,
				validation.Field(&l.Line, validation.Required, validation.Min(1)),
				validation.Field(&l.Quantity, validation.By(decimalRule(true, quantityPlaces, maxQuantity))),
				validation.Field(&l.OverReceiptReason, validation.Length(0, 500)),
				validation.Field(&l.Lot, validation.Length(0, 100)),
				validation.Field(&l.Serial, validation.Length(0, 100)),
			)
		}))),
	)
}

// OrderResult is a purchase order after a command and the movements it
// posted (a receipt's).
type OrderResult struct {
	Order     PurchaseOrder   `json:"order"`
	Movements []StockMovement `json:"movements"`
}

func (c *call) createPurchaseOrder(in *PurchaseOrderInput) (*OrderResult, error) {
	return inTx(c, "create-order", func(t *txn) (*OrderResult, error) {
		s, err := load(t, suppliersTable, in.SupplierID)
		if err != nil {
			return nil, fieldNotFound(err, "supplierId")
		}
		if !s.Active {
			return nil, fieldError(CodeValidationFailed, "supplierId", "validation_inactive", "supplier "+s.Code+" is not active")
		}
		if _, err := load(t, stockLocationsTable, in.DeliveryLocationID); err != nil {
			return nil, fieldNotFound(err, "deliveryLocationId")
		}
		po := &PurchaseOrder{Meta: Meta{ID: c.e.newID()}, Notes: in.Notes, CreatedBy: c.scope.Actor}
		doc := inventory.PurchaseOrder{SupplierID: s.ID, DeliveryLocationID: in.DeliveryLocationID, ExpectedAt: in.ExpectedAt}
		for i, line := range in.Lines {
			ol, err := orderLine(t, s, line)
			if err != nil {
				return nil, fieldNotFound(err, "lines."+strconv.Itoa(i)+".itemId")
			}
			doc.Lines = append(doc.Lines, ol)
		}
		if err := c.newOrder(t, po, func(number string) (inventory.PurchaseOrder, error) {
			doc.ID, doc.Number = po.ID, number
			return inventory.NewPurchaseOrder(c.now, doc)
		}); err != nil {
			return nil, err
		}
		return &OrderResult{Order: *po, Movements: []StockMovement{}}, nil
	})
}

// newOrder numbers a new order PO-YYYY-NNNNNN, makes its DRAFT with draft
// and inserts it.
func (c *call) newOrder(t *txn, po *PurchaseOrder, draft func(number string) (inventory.PurchaseOrder, error)) error {
	number, err := c.nextNumber(t, "PO", documentDigits)
	if err != nil {
		return err
	}
	if po.Doc, err = draft(number); err != nil {
		return err
	}
	return insert(t, purchaseOrdersTable, po)
}

// orderLine prices an order line from the supplier's price list, else the
// item's standard cost, unless the line gives its cost.
func orderLine(t *txn, s *Supplier, in OrderLineInput) (inventory.OrderLine, error) {
	it, err := load(t, stockItemsTable, in.ItemID)
	if err != nil {
		return inventory.OrderLine{}, err
	}
	ol := inventory.OrderLine{ItemID: it.ID, Quantity: in.Quantity, UnitCost: it.UnitCost, SupplierSKU: in.SupplierSKU}
	if p, ok := s.price(it.ID); ok {
		ol.UnitCost, ol.SupplierSKU = p.UnitCost, or(in.SupplierSKU, p.SupplierSKU)
	}
	if in.UnitCost != nil {
		ol.UnitCost = *in.UnitCost
	}
	return ol, nil
}

// changeOrder applies op to a stored order that posts nothing (edits and
// status moves) and stores it.
func (c *call) changeOrder(name, id string, op func(t *txn, po *PurchaseOrder) (inventory.PurchaseOrder, error)) (*OrderResult, error) {
	return inTx(c, name, func(t *txn) (*OrderResult, error) {
		po, err := load(t, purchaseOrdersTable, id)
		if err != nil {
			return nil, err
		}
		if po.Doc, err = op(t, po); err != nil {
			return nil, err
		}
		return &OrderResult{Order: *po, Movements: []StockMovement{}}, update(t, purchaseOrdersTable, po)
	})
}

func (c *call) addOrderLine(in *OrderLineChangeInput) (*OrderResult, error) {
	return c.changeOrder("add-order-line", in.ID, func(t *txn, po *PurchaseOrder) (inventory.PurchaseOrder, error) {
		s, err := load(t, suppliersTable, po.Doc.SupplierID)
		if err != nil {
			return po.Doc, err
		}
		ol, err := orderLine(t, s, in.Line)
		if err != nil {
			return po.Doc, fieldNotFound(err, "line.itemId")
		}
		return po.Doc.AddLine(ol)
	})
}

func (c *call) setOrderLine(in *SetOrderLineInput) (*OrderResult, error) {
	return c.changeOrder("set-order-line", in.ID, func(_ *txn, po *PurchaseOrder) (inventory.PurchaseOrder, error) {
		return po.Doc.SetLine(in.Line, in.Quantity, in.UnitCost)
	})
}

func (c *call) removeOrderLine(in *OrderLineRef) (*OrderResult, error) {
	return c.changeOrder("remove-order-line", in.ID, func(_ *txn, po *PurchaseOrder) (inventory.PurchaseOrder, error) {
		return po.Doc.RemoveLine(in.Line)
	})
}

func (c *call) submitOrder(in *IDInput) (*OrderResult, error) {
	return c.changeOrder("submit-order", in.ID, func(_ *txn, po *PurchaseOrder) (inventory.PurchaseOrder, error) {
		return po.Doc.Submit(c.now)
	})
}

func (c *call) confirmOrder(in *ConfirmOrderInput) (*OrderResult, error) {
	return c.changeOrder("confirm-order", in.ID, func(_ *txn, po *PurchaseOrder) (inventory.PurchaseOrder, error) {
		return po.Doc.Confirm(c.now, in.ExpectedAt)
	})
}

func (c *call) cancelOrder(in *CancelDocumentInput) (*OrderResult, error) {
	return c.changeOrder("cancel-order", in.ID, func(_ *txn, po *PurchaseOrder) (inventory.PurchaseOrder, error) {
		return po.Doc.Cancel(c.now, in.Reason)
	})
}

func (c *call) receiveOrder(in *ReceiveOrderInput) (*OrderResult, error) {
	return inTx(c, "receive-order", func(t *txn) (*OrderResult, error) {
		po, err := load(t, purchaseOrdersTable, in.ID)
		if err != nil {
			return nil, err
		}
		at := or(in.LocationID, po.Doc.DeliveryLocationID)
		items := make([]string, len(po.Doc.Lines))
		for i, ol := range po.Doc.Lines {
			items[i] = ol.ItemID
		}
		l, err := c.openLedger(t, keysAt(at, items), po.Doc.DeliveryLocationID)
		if err != nil {
			return nil, fieldNotFound(err, "locationId")
		}
		doc, ms, err := po.Doc.Receive(inventory.OrderReceipt{At: c.now, LocationID: at, ReceivedBy: actorRef(c.scope.Actor), Lines: in.Lines}, l.book)
		if err != nil {
			return nil, overReceiptLine(err, in.Lines)
		}
		po.Doc = doc
		if err := l.append(ms...); err != nil {
			return nil, err
		}
		if err := l.save(); err != nil {
			return nil, err
		}
		if err := update(t, purchaseOrdersTable, po); err != nil {
			return nil, err
		}
		return &OrderResult{Order: *po, Movements: l.movements()}, nil
	})
}

// overReceiptLine names the receipt line of an over-receipt.
func overReceiptLine(err error, lines []inventory.ReceiptLine) error {
	var oe *inventory.OverReceiptError
	if !errors.As(err, &oe) {
		return err
	}
	e := AsError(err)
	if i := slices.IndexFunc(lines, func(l inventory.ReceiptLine) bool { return l.Line == oe.Line }); i >= 0 {
		e.FieldErrors[0].Field = "lines." + strconv.Itoa(i) + ".overReceiptReason"
	}
	return e
}

// ListPurchaseOrdersInput lists purchase orders, newest first.
type ListPurchaseOrdersInput struct {
	Status     inventory.OrderStatus `json:"status,omitempty"`
	SupplierID string                `json:"supplierId,omitempty"`
	LocationID string                `json:"locationId,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListPurchaseOrdersInput) Validate() error { return in.PageRequest.Validate() }

func (c *call) listPurchaseOrders(in *ListPurchaseOrdersInput) (*Page[PurchaseOrder], error) {
	return inTx(c, "list-orders", func(t *txn) (*Page[PurchaseOrder], error) {
		q := in.PageRequest.apply(docQuery("status", string(in.Status), "supplier_id", in.SupplierID, "location_id", in.LocationID))
		items, err := find(t, purchaseOrdersTable, q)
		if err != nil {
			return nil, err
		}
		return pageOf(in.PageRequest, q, items, func(po *PurchaseOrder) string { return po.Doc.Number }), nil
	})
}

// StartCountInput opens a cycle count of items at a location; no items:
// every item the location has a balance of.
type StartCountInput struct {
	LocationID string   `json:"locationId"`
	ItemIDs    []string `json:"itemIds,omitempty"`
}

// Validate checks the input.
func (in StartCountInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.LocationID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.ItemIDs, validation.Length(0, 5000), validation.Each(validation.Required, validation.Length(1, 100))),
	)
}

// CountLineInput is what was counted of an item.
type CountLineInput struct {
	ItemID  string          `json:"itemId"`
	Counted decimal.Decimal `json:"counted"`
}

// RecordCountInput records what was counted (now, by the caller).
type RecordCountInput struct {
	ID    string           `json:"id"`
	Lines []CountLineInput `json:"lines"`
}

// Validate checks the input.
func (in RecordCountInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Lines, validation.Required, validation.Length(1, 500), validation.Each(validation.By(func(v any) error {
			l := v.(CountLineInput)
			return validation.ValidateStruct(&l,
				validation.Field(&l.ItemID, validation.Required, validation.Length(1, 100)),
				validation.Field(&l.Counted, validation.By(decimalRule(false, quantityPlaces, maxQuantity))),
			)
		}))),
	)
}

// CountResult is a count after a command and the movements it posted (the
// variances, on completion).
type CountResult struct {
	Count     CycleCount      `json:"count"`
	Movements []StockMovement `json:"movements"`
}

func (c *call) startCount(in *StartCountInput) (*CountResult, error) {
	return inTx(c, "start-count", func(t *txn) (*CountResult, error) {
		if _, err := load(t, stockLocationsTable, in.LocationID); err != nil {
			return nil, fieldNotFound(err, "locationId")
		}
		items := in.ItemIDs
		if len(items) == 0 {
			snaps, err := find(t, stockBalancesTable, Query{Where: []Cond{Eq("location_id", in.LocationID)}, OrderBy: "item_id"})
			if err != nil {
				return nil, err
			}
			for _, s := range snaps {
				items = append(items, s.Balance.Key().ItemID)
			}
		}
		for i, id := range items {
			if _, err := load(t, stockItemsTable, id); err != nil {
				return nil, fieldNotFound(err, "itemIds."+strconv.Itoa(i))
			}
		}
		number, err := c.nextNumber(t, "CC", documentDigits)
		if err != nil {
			return nil, err
		}
		cc := &CycleCount{Meta: Meta{ID: c.e.newID()}, Number: number}
		if cc.Doc, err = inventory.NewCycleCount(c.now, cc.ID, in.LocationID, items); err != nil {
			return nil, err
		}
		return &CountResult{Count: *cc, Movements: []StockMovement{}}, insert(t, countsTable, cc)
	})
}

// countOp runs a count operation with a ledger of the items it names at
// its location.
func (c *call) countOp(name, id string, extra []string, op func(cc *CycleCount, l *ledger) ([]inventory.Movement, error)) (*CountResult, error) {
	return inTx(c, name, func(t *txn) (*CountResult, error) {
		cc, err := load(t, countsTable, id)
		if err != nil {
			return nil, err
		}
		items := slices.Clone(extra)
		for _, line := range cc.Doc.Lines {
			items = append(items, line.ItemID)
		}
		l, err := c.openLedger(t, keysAt(cc.Doc.LocationID, items))
		if err != nil {
			return nil, err
		}
		ms, err := op(cc, l)
		if err != nil {
			return nil, err
		}
		if err := l.append(ms...); err != nil {
			return nil, err
		}
		if err := l.save(); err != nil {
			return nil, err
		}
		if err := update(t, countsTable, cc); err != nil {
			return nil, err
		}
		return &CountResult{Count: *cc, Movements: l.movements()}, nil
	})
}

func (c *call) recordCount(in *RecordCountInput) (*CountResult, error) {
	items := make([]string, len(in.Lines))
	for i, line := range in.Lines {
		items[i] = line.ItemID
	}
	return c.countOp("record-count", in.ID, items, func(cc *CycleCount, l *ledger) ([]inventory.Movement, error) {
		l.hold(keysAt(cc.Doc.LocationID, items)...)
		for i, line := range in.Lines {
			doc, err := cc.Doc.Record(line.ItemID, line.Counted, c.now, actorRef(c.scope.Actor), l.book)
			if err != nil {
				return nil, within("lines."+strconv.Itoa(i), err)
			}
			cc.Doc = doc
		}
		return nil, nil
	})
}

func (c *call) completeCount(in *IDInput) (*CountResult, error) {
	return c.countOp("complete-count", in.ID, nil, func(cc *CycleCount, l *ledger) ([]inventory.Movement, error) {
		doc, ms, err := cc.Doc.Complete(c.now, l.book)
		cc.Doc = doc
		return ms, err
	})
}

func (c *call) cancelCount(in *IDInput) (*CountResult, error) {
	return inTx(c, "cancel-count", func(t *txn) (*CountResult, error) {
		cc, err := load(t, countsTable, in.ID)
		if err != nil {
			return nil, err
		}
		if cc.Doc, err = cc.Doc.Cancel(c.now); err != nil {
			return nil, err
		}
		return &CountResult{Count: *cc, Movements: []StockMovement{}}, update(t, countsTable, cc)
	})
}

// within puts the field of an inventory.InvalidError under prefix.
func within(prefix string, err error) error {
	var ie *inventory.InvalidError
	if errors.As(err, &ie) {
		return &inventory.InvalidError{Field: prefix + "." + ie.Field, Rule: ie.Rule}
	}
	return err
}

// ListCountsInput lists cycle counts, newest first.
type ListCountsInput struct {
	Status     inventory.CountStatus `json:"status,omitempty"`
	LocationID string                `json:"locationId,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListCountsInput) Validate() error { return in.PageRequest.Validate() }

func (c *call) listCounts(in *ListCountsInput) (*Page[CycleCount], error) {
	return inTx(c, "list-counts", func(t *txn) (*Page[CycleCount], error) {
		q := in.PageRequest.apply(docQuery("status", string(in.Status), "location_id", in.LocationID))
		items, err := find(t, countsTable, q)
		if err != nil {
			return nil, err
		}
		return pageOf(in.PageRequest, q, items, func(cc *CycleCount) string { return cc.Number }), nil
	})
}

// shortageLines turns a ShortageError of a document's lines into an
// INVENTORY_SHORTAGE naming each line short: lines.N.quantity, where
// line(item) is N.
func shortageLines(err error, line func(itemID string) int) error {
	var se *inventory.ShortageError
	if !errors.As(err, &se) {
		return err
	}
	e := AsError(err)
	for i, s := range se.Items {
		if n := line(s.ItemID); n >= 0 && i < len(e.FieldErrors) {
			e.FieldErrors[i].Field = "lines." + strconv.Itoa(n) + ".quantity"
		}
	}
	return e
}
