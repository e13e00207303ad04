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

// The stock ledger as stored: movements appended, never updated, in the
// transaction of the document that produces them; and, beside them, the
// snapshot of each item×location's balance, which package inventory folds
// from the ledger (inventory.Balance). The snapshot is a cache that makes a
// transaction independent of the ledger's length: it is written in the same
// transaction as the movements it folds, its version serializes the writers
// of one item×location, and inventory/v1/verifyLedger (run by the tests
// after every scenario) proves it equal to inventory.Replay of the stored
// movements. Everything else a warehouse manager reads (reserved,
// available, in transit, on order, position) is derived, by package
// inventory, from the open documents.

// StockMovement is one row of the stock ledger: a movement that
// inventory.Book.Post checked and costed, numbered N (from 1, without gaps)
// in the ledger of its item×location.
type StockMovement struct {
	Meta
	N        int64              `json:"n"`
	Movement inventory.Movement `json:"movement"`
}

// stockSnapshot is the stored balance of one item×location after its first
// Balance.Movements() movements.
type stockSnapshot struct {
	Meta
	Balance inventory.Balance `json:"balance"`
}

var (
	stockMovementsTable = table[StockMovement]{
		spec: TableSpec{Name: "inventory_movements", Keys: []string{"item_id", "location_id", "n", "job_id", "document_id", "at"},
			Unique: [][]string{{"item_id", "location_id", "n"}}},
		keys: func(m *StockMovement) map[string]string {
			mv := &m.Movement
			return keys("item_id", mv.ItemID, "location_id", mv.LocationID, "n", seqKey(m.N), "job_id", mv.JobID,
				"document_id", mv.DocumentID, "at", timeKey(mv.At))
		},
	}
	// The snapshots are the engine's cache of the ledger: the movements
	// are audited and fed, the snapshots derived from them are not.
	stockBalancesTable = table[stockSnapshot]{
		spec: TableSpec{Name: "inventory_balances", Keys: []string{"item_id", "location_id"}, Unique: [][]string{{"item_id", "location_id"}}},
		keys: func(s *stockSnapshot) map[string]string {
			k := s.Balance.Key()
			return keys("item_id", k.ItemID, "location_id", k.LocationID)
		},
		untracked: true,
	}
)

func snapshotID(k inventory.Key) string { return "balance:" + k.ItemID + ":" + k.LocationID }

// ledger is one transaction's view of the stock: an inventory.Book holding
// the balances the command touches (from their snapshots) and the open
// documents that hold stock at their locations, and the movements the
// command appends. Open it with [call.openLedger], let package inventory's
// documents and Book.Post decide, append what they return, and save.
type ledger struct {
	c         *call
	t         *txn
	book      *inventory.Book
	items     map[string]*StockItem
	locations map[string]*StockLocation
	snapshots map[inventory.Key]*stockSnapshot // nil: none stored yet
	count     map[inventory.Key]int64          // movements stored per key
	held      map[inventory.Key]bool
	appended  []StockMovement
}

// openLedger loads the items and locations of keys (with the locations they
// replenish from), the balances of keys, and the documents that hold stock
// at their locations (active reservations, pending transfers out) into a
// partial book: a key the command forgot to load cannot be posted to. locs
// are other locations the command names (a transfer's destination).
func (c *call) openLedger(t *txn, keys []inventory.Key, locs ...string) (*ledger, error) {
	l := &ledger{c: c, t: t, items: map[string]*StockItem{}, locations: map[string]*StockLocation{},
		snapshots: map[inventory.Key]*stockSnapshot{}, count: map[inventory.Key]int64{}, held: map[inventory.Key]bool{}}
	var locIDs []string
	for _, k := range keys {
		if err := l.loadItem(k.ItemID); err != nil {
			return nil, err
		}
		if !slices.Contains(locIDs, k.LocationID) {
			locIDs = append(locIDs, k.LocationID)
			if err := l.loadLocation(k.LocationID); err != nil {
				return nil, err
			}
		}
	}
	for _, id := range locs {
		if err := l.loadLocation(id); err != nil {
			return nil, err
		}
	}
	items, catLocs := catalogOf(l.items, l.locations)
	var err error
	if l.book, err = inventory.NewBook(items, catLocs, &inventory.Config{Partial: true}); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := l.loadBalance(k); err != nil {
			return nil, err
		}
	}
	for _, loc := range locIDs {
		if err := trackHolds(t, l.book, loc); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *ledger) loadItem(id string) error {
	if _, ok := l.items[id]; ok {
		return nil
	}
	it, err := load(l.t, stockItemsTable, id)
	if err != nil {
		return err
	}
	l.items[id] = it
	return nil
}

// loadLocation loads a location and the locations it replenishes from.
func (l *ledger) loadLocation(id string) error {
	if _, ok := l.locations[id]; ok {
		return nil
	}
	chain, err := locationChain(l.t, id)
	if err != nil {
		return err
	}
	for _, loc := range chain {
		l.locations[loc.ID] = loc
	}
	return nil
}

// catalogOf returns items and locations as package inventory sees them, in
// a stable order.
func catalogOf(itemsByID map[string]*StockItem, locationsByID map[string]*StockLocation) ([]inventory.Item, []inventory.Location) {
	items := make([]inventory.Item, 0, len(itemsByID))
	for _, it := range itemsByID {
		items = append(items, it.item())
	}
	locs := make([]inventory.Location, 0, len(locationsByID))
	for _, loc := range locationsByID {
		locs = append(locs, loc.location())
	}
	slices.SortFunc(items, func(a, b inventory.Item) int { return cmpString(a.ID, b.ID) })
	slices.SortFunc(locs, func(a, b inventory.Location) int { return cmpString(a.ID, b.ID) })
	return items, locs
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (l *ledger) loadBalance(k inventory.Key) error {
	if _, ok := l.count[k]; ok {
		return nil
	}
	s, err := load(l.t, stockBalancesTable, snapshotID(k))
	switch {
	case errors.Is(err, ErrNotFound):
		s, err = nil, l.book.Load(inventory.NewBalance(k, l.items[k.ItemID].Costing))
	case err == nil:
		err = l.book.Load(s.Balance)
	}
	if err != nil {
		return err
	}
	l.snapshots[k] = s
	if s != nil {
		l.count[k] = s.Balance.Movements()
	} else {
		l.count[k] = 0
	}
	return nil
}

// trackHolds makes book count the documents that hold stock at a location:
// the active reservations with lines there and the transfers pending out of
// it. They are what a movement or a reservation must not take.
func trackHolds(t *txn, book *inventory.Book, loc string) error {
	for _, key := range []string{"location_id", "backup_location_id"} {
		rs, err := find(t, reservationsTable, Query{Where: []Cond{Eq(key, loc), Eq("open", "true")}})
		if err != nil {
			return err
		}
		for _, r := range rs {
			book.Track(r.Doc)
		}
	}
	trs, err := find(t, transfersTable, Query{Where: []Cond{Eq("from_location_id", loc), Eq("status", string(inventory.TransferPending))}})
	if err != nil {
		return err
	}
	for _, tr := range trs {
		book.Track(tr.Doc)
	}
	return nil
}

// post checks and costs movements (see inventory.Book.Post) and appends them.
func (l *ledger) post(ms ...inventory.Movement) ([]inventory.Movement, error) {
	posted, err := l.book.Post(ms...)
	if err != nil {
		return nil, err
	}
	return posted, l.append(posted...)
}

// append stores movements a document operation or Post returned, numbered
// in the ledger of their item×location, by the call's actor.
func (l *ledger) append(ms ...inventory.Movement) error {
	for _, m := range ms {
		k := m.Key()
		n, ok := l.count[k]
		if !ok {
			return fmt.Errorf("contractorops: movement for %s at %s, whose balance was not loaded", k.ItemID, k.LocationID)
		}
		n++
		l.count[k] = n
		row := StockMovement{Meta: Meta{ID: l.c.e.newID()}, N: n, Movement: m}
		row.Movement.ID = row.ID
		if row.Movement.ActorID == "" {
			row.Movement.ActorID = actorRef(l.c.scope.Actor)
		}
		if err := insert(l.t, stockMovementsTable, &row); err != nil {
			return err
		}
		l.appended = append(l.appended, row)
	}
	return nil
}

func actorRef(a Actor) string { return string(a.Kind) + ":" + a.ID }

// hold records that the command decided on what is available at keys
// without moving stock there (a reservation, a transfer request, a count):
// save bumps the version of their snapshots, so that a concurrent command
// that moved or held stock there since it was read makes one of the two
// lose the race (a retryable CONFLICT) instead of both promising the same
// stock. Writers of one item×location are serialized by its snapshot.
func (l *ledger) hold(keys ...inventory.Key) {
	for _, k := range keys {
		l.held[k] = true
	}
}

// save stores the snapshot of every balance the transaction moved or held.
// A snapshot that does not count the movements appended for it means a
// movement was posted to the book and not stored: the transaction fails.
func (l *ledger) save() error {
	for k, n := range l.count {
		bal, err := l.book.Balance(k)
		if err != nil {
			return err
		}
		if bal.Movements() != n {
			return NewError(CodeInternal, "the balance of %s at %s folded %d movements, the ledger holds %d", k.ItemID, k.LocationID, bal.Movements(), n)
		}
		s := l.snapshots[k]
		switch {
		case s == nil && n == 0:
			continue
		case s == nil:
			s = &stockSnapshot{Meta: Meta{ID: snapshotID(k)}, Balance: bal}
			err = insert(l.t, stockBalancesTable, s)
			l.snapshots[k] = s
		case s.Balance.Movements() != n || l.held[k]:
			s.Balance = bal
			err = update(l.t, stockBalancesTable, s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// movements returns the movements appended, as stored.
func (l *ledger) movements() []StockMovement { return slices.Clone(l.appended) }

// StockLine is a quantity of an item in a stock command. Quantities are
// decimals in the item's unit, to four places.
type StockLine struct {
	ItemID   string          `json:"itemId"`
	Quantity decimal.Decimal `json:"quantity"`
	// UnitCost is the purchase price of a receipt (default: the item's
	// standard cost).
	UnitCost *decimal.Decimal `json:"unitCost,omitempty"`
	// Reason and Note explain an adjustment (OTHER needs a note).
	Reason inventory.Reason `json:"reason,omitempty"`
	Note   string           `json:"note,omitempty"`
	Lot    string           `json:"lot,omitempty"`
	Serial string           `json:"serial,omitempty"`
}

// StockMoveInput records stock entering or leaving one location: a receipt
// without a purchase order (opening balances too) or an adjustment.
type StockMoveInput struct {
	LocationID string      `json:"locationId"`
	Lines      []StockLine `json:"lines"`
	// Reference is the delivery note or the reason of the whole move.
	Reference string `json:"reference,omitempty"`
}

var reasons = []inventory.Reason{inventory.Damaged, inventory.Lost, inventory.Stolen, inventory.Expired,
	inventory.Found, inventory.Correction, inventory.Other}

func (in StockMoveInput) validate(adjust bool) error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.LocationID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Reference, validation.Length(0, 500)),
		validation.Field(&in.Lines, validation.Required, validation.Length(1, 500), validation.Each(validation.By(func(v any) error {
			l := v.(StockLine)
			qty := decimalRule(true, quantityPlaces, maxQuantity)
			if adjust {
				qty = signedQuantity
			}
			return validation.ValidateStruct(&l,
				validation.Field(&l.ItemID, validation.Required, validation.Length(1, 100)),
				validation.Field(&l.Quantity, validation.By(qty)),
				validation.Field(&l.UnitCost, validation.By(func(any) error {
					if l.UnitCost == nil {
						return nil
					}
					return decimalRule(false, inventory.CostPlaces, maxCost)(*l.UnitCost)
				})),
				validation.Field(&l.Reason, validation.In(enumValues(reasons)...),
					validation.When(adjust, validation.Required.Error("an adjustment needs a reason"))),
				validation.Field(&l.Note, validation.Length(0, 1000),
					validation.When(l.Reason == inventory.Other, validation.Required.Error("an adjustment for reason OTHER needs a note"))),
				validation.Field(&l.Lot, validation.Length(0, 100)),
				validation.Field(&l.Serial, validation.Length(0, 100)),
			)
		}))),
	)
}

// signedQuantity is an adjustment's quantity: not zero, four places, below
// a billion either way.
func signedQuantity(v any) error {
	d := v.(decimal.Decimal)
	if d.IsZero() {
		return validation.NewError("validation_required", "cannot be zero")
	}
	return decimalRule(true, quantityPlaces, maxQuantity)(d.Abs())
}

// ReceiveStockInput receives stock without a purchase order.
type ReceiveStockInput struct{ StockMoveInput }

// Validate checks the input.
func (in ReceiveStockInput) Validate() error { return in.validate(false) }

// AdjustStockInput corrects stock with a reason per line: positive found,
// negative damaged, lost, stolen, expired.
type AdjustStockInput struct{ StockMoveInput }

// Validate checks the input.
func (in AdjustStockInput) Validate() error { return in.validate(true) }

// StockMoveResult is what a stock command appended to the ledger.
type StockMoveResult struct {
	Movements []StockMovement `json:"movements"`
}

func (c *call) receiveStock(in *ReceiveStockInput) (*StockMoveResult, error) {
	return c.moveStock("receive", &in.StockMoveInput, func(l StockLine, it *StockItem) inventory.Movement {
		cost := it.UnitCost
		if l.UnitCost != nil {
			cost = *l.UnitCost
		}
		return inventory.Movement{Kind: inventory.Receipt, Quantity: l.Quantity, UnitCost: cost, Note: l.Note}
	})
}

func (c *call) adjustStock(in *AdjustStockInput) (*StockMoveResult, error) {
	return c.moveStock("adjust", &in.StockMoveInput, func(l StockLine, _ *StockItem) inventory.Movement {
		return inventory.Movement{Kind: inventory.Adjustment, Quantity: l.Quantity, Reason: l.Reason, Note: l.Note}
	})
}

// moveStock posts one movement per line at the input's location.
func (c *call) moveStock(name string, in *StockMoveInput, movement func(StockLine, *StockItem) inventory.Movement) (*StockMoveResult, error) {
	return inTx(c, name, func(t *txn) (*StockMoveResult, error) {
		refs := []ref{{stockLocationsTable.spec.Name, in.LocationID, "locationId"}}
		items := make([]string, len(in.Lines))
		for i, line := range in.Lines {
			items[i] = line.ItemID
			refs = append(refs, ref{stockItemsTable.spec.Name, line.ItemID, "lines." + strconv.Itoa(i) + ".itemId"})
		}
		l, err := c.openLedger(t, keysAt(in.LocationID, items))
		if err != nil {
			return nil, notFoundField(err, refs...)
		}
		ms := make([]inventory.Movement, len(in.Lines))
		for i, line := range in.Lines {
			m := movement(line, l.items[line.ItemID])
			m.ItemID, m.LocationID, m.At, m.Lot, m.Serial = line.ItemID, in.LocationID, c.now, line.Lot, line.Serial
			m.Note = or(m.Note, in.Reference)
			ms[i] = m
		}
		if _, err := l.post(ms...); err != nil {
			return nil, stockLineError(err, func(item string) int {
				return slices.IndexFunc(in.Lines, func(s StockLine) bool { return s.ItemID == item })
			})
		}
		if err := l.save(); err != nil {
			return nil, err
		}
		return &StockMoveResult{Movements: l.movements()}, nil
	})
}

// ref is a reference an input makes: the row of table with id, named by
// field.
type ref struct{ table, id, field string }

// notFoundField names the input field whose reference was not found, of
// those the input makes; other errors pass through.
func notFoundField(err error, refs ...ref) error {
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeNotFound {
		return err
	}
	for _, r := range refs {
		if e.Message == RowNotFound(r.table, r.id).Message {
			return fieldNotFound(err, r.field)
		}
	}
	return err
}

// keysAt returns the keys of items at one location.
func keysAt(loc string, items []string) []inventory.Key {
	ks := make([]inventory.Key, len(items))
	for i, id := range items {
		ks[i] = inventory.Key{ItemID: id, LocationID: loc}
	}
	return ks
}

// stockLineError names the line of a StockError: lines.N.quantity, where
// line(item) is N.
func stockLineError(err error, line func(itemID string) int) error {
	var se *inventory.StockError
	if !errors.As(err, &se) {
		return err
	}
	e := AsError(err)
	if i := line(se.ItemID); i >= 0 {
		e.FieldErrors[0].Field = "lines." + strconv.Itoa(i) + ".quantity"
	}
	return e
}

// StockLevel is the stock of one item at one location, derived by package
// inventory (see inventory.Level): on hand and value from the ledger,
// reserved, in transit and on order from the open documents. No figure in
// it is stored.
type StockLevel struct {
	ItemID        string                  `json:"itemId"`
	SKU           string                  `json:"sku"`
	ItemName      string                  `json:"itemName"`
	Unit          inventory.UnitOfMeasure `json:"unitOfMeasure"`
	LocationID    string                  `json:"locationId"`
	LocationCode  string                  `json:"locationCode"`
	OnHand        decimal.Decimal         `json:"onHand"`
	Reserved      decimal.Decimal         `json:"reserved"`
	Available     decimal.Decimal         `json:"available"`
	InTransit     decimal.Decimal         `json:"inTransit"`
	OnOrder       decimal.Decimal         `json:"onOrder"`
	Position      decimal.Decimal         `json:"position"`
	Value         decimal.Decimal         `json:"value"`
	UnitCost      decimal.Decimal         `json:"unitCost"`
	LastCountedAt time.Time               `json:"lastCountedAt,omitzero"`
}

// StockReport is the stock of an item across locations, or of a location
// across items, sorted by item then location, with the totals of the
// quantities and values.
type StockReport struct {
	Levels    []StockLevel    `json:"levels"`
	OnHand    decimal.Decimal `json:"onHand"`
	Reserved  decimal.Decimal `json:"reserved"`
	Available decimal.Decimal `json:"available"`
	InTransit decimal.Decimal `json:"inTransit"`
	OnOrder   decimal.Decimal `json:"onOrder"`
	Value     decimal.Decimal `json:"value"`
}

// stockView is a complete book of part of an organization's stock, for
// reports and plans: the stored snapshots and the open documents, with the
// catalog they name.
type stockView struct {
	book      *inventory.Book
	items     map[string]*StockItem
	locations map[string]*StockLocation
	snapshots map[inventory.Key]*stockSnapshot
}

// hold bumps the version of the snapshots of keys (see ledger.hold): a
// plan that reserves stock by requesting transfers holds their sources.
func (v *stockView) hold(t *txn, keys ...inventory.Key) error {
	for _, k := range keys {
		if s := v.snapshots[k]; s != nil {
			if err := update(t, stockBalancesTable, s); err != nil {
				return err
			}
			delete(v.snapshots, k) // once per transaction
		}
	}
	return nil
}

// viewStock builds a complete book of the snapshots matching snaps, the open
// documents at the location loc (every open document when loc is empty),
// and the catalog: the items given (every item when nil) and every
// location.
func viewStock(t *txn, items []*StockItem, snaps Query, loc string) (*stockView, error) {
	v := &stockView{items: map[string]*StockItem{}, locations: map[string]*StockLocation{}, snapshots: map[inventory.Key]*stockSnapshot{}}
	if items == nil {
		var err error
		if items, err = find(t, stockItemsTable, Query{}); err != nil {
			return nil, err
		}
	}
	for _, it := range items {
		v.items[it.ID] = it
	}
	locs, err := find(t, stockLocationsTable, Query{})
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		v.locations[l.ID] = l
	}
	catItems, catLocs := catalogOf(v.items, v.locations)
	if v.book, err = inventory.NewBook(catItems, catLocs, nil); err != nil {
		return nil, err
	}
	balances, err := find(t, stockBalancesTable, snaps)
	if err != nil {
		return nil, err
	}
	for _, s := range balances {
		if _, ok := v.items[s.Balance.Key().ItemID]; ok {
			if err := v.book.Load(s.Balance); err != nil {
				return nil, err
			}
			v.snapshots[s.Balance.Key()] = s
		}
	}
	docs, err := openDocuments(t, loc)
	if err != nil {
		return nil, err
	}
	v.book.Track(docs...)
	return v, nil
}

// openDocuments returns the documents that commit stock at the location loc
// (at every location when loc is empty): active reservations, open
// transfers and open purchase orders.
func openDocuments(t *txn, loc string) ([]inventory.Document, error) {
	open := Eq("open", "true")
	queries := func(keys ...string) []Query {
		if loc == "" {
			return []Query{{Where: []Cond{open}}}
		}
		out := make([]Query, len(keys))
		for i, k := range keys {
			out[i] = Query{Where: []Cond{open, Eq(k, loc)}}
		}
		return out
	}
	var docs []inventory.Document
	seen := map[string]bool{}
	for _, q := range queries("location_id", "backup_location_id") {
		rs, err := find(t, reservationsTable, q)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !seen["r"+r.ID] {
				seen["r"+r.ID] = true
				docs = append(docs, r.Doc)
			}
		}
	}
	for _, q := range queries("from_location_id", "to_location_id") {
		trs, err := find(t, transfersTable, q)
		if err != nil {
			return nil, err
		}
		for _, tr := range trs {
			if !seen["t"+tr.ID] {
				seen["t"+tr.ID] = true
				docs = append(docs, tr.Doc)
			}
		}
	}
	for _, q := range queries("location_id") {
		pos, err := find(t, purchaseOrdersTable, q)
		if err != nil {
			return nil, err
		}
		for _, po := range pos {
			docs = append(docs, po.Doc)
		}
	}
	return docs, nil
}

// report returns the levels that keep, with their totals.
func (v *stockView) report(levels []inventory.Level, keep func(inventory.Level) bool) *StockReport {
	r := &StockReport{Levels: []StockLevel{}}
	for _, lv := range levels {
		if !keep(lv) {
			continue
		}
		sl := v.level(lv)
		r.Levels = append(r.Levels, sl)
		r.OnHand, r.Reserved, r.Available = r.OnHand.Add(sl.OnHand), r.Reserved.Add(sl.Reserved), r.Available.Add(sl.Available)
		r.InTransit, r.OnOrder, r.Value = r.InTransit.Add(sl.InTransit), r.OnOrder.Add(sl.OnOrder), r.Value.Add(sl.Value)
	}
	return r
}

func (v *stockView) level(lv inventory.Level) StockLevel {
	sl := StockLevel{
		ItemID: lv.ItemID, LocationID: lv.LocationID, OnHand: lv.OnHand, Reserved: lv.Reserved, Available: lv.Available(),
		InTransit: lv.InTransit, OnOrder: lv.OnOrder, Position: lv.Position(), Value: lv.Value, UnitCost: lv.UnitCost,
		LastCountedAt: lv.LastCountedAt,
	}
	if it := v.items[lv.ItemID]; it != nil {
		sl.SKU, sl.ItemName, sl.Unit = it.SKU, it.Name, it.Unit
	}
	if l := v.locations[lv.LocationID]; l != nil {
		sl.LocationCode = l.Code
	}
	return sl
}

// ItemRef names an item.
type ItemRef struct {
	ItemID string `json:"itemId"`
}

// Validate checks the input.
func (in ItemRef) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.ItemID, validation.Required, validation.Length(1, 100)))
}

// StockLocationRef names a stock location.
type StockLocationRef struct {
	LocationID string `json:"locationId"`
}

// Validate checks the input.
func (in StockLocationRef) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.LocationID, validation.Required, validation.Length(1, 100)))
}

func (c *call) stockByItem(in *ItemRef) (*StockReport, error) {
	return inTx(c, "stock-by-item", func(t *txn) (*StockReport, error) {
		it, err := load(t, stockItemsTable, in.ItemID)
		if err != nil {
			return nil, err
		}
		v, err := viewStock(t, []*StockItem{it}, Query{Where: []Cond{Eq("item_id", it.ID)}}, "")
		if err != nil {
			return nil, err
		}
		return v.report(v.book.Levels(), func(lv inventory.Level) bool { return lv.ItemID == it.ID }), nil
	})
}

func (c *call) stockByLocation(in *StockLocationRef) (*StockReport, error) {
	return inTx(c, "stock-by-location", func(t *txn) (*StockReport, error) {
		loc, err := c.loadStockLocation(t, in.LocationID)
		if err != nil {
			return nil, err
		}
		v, err := viewStock(t, nil, Query{Where: []Cond{Eq("location_id", loc.ID)}}, loc.ID)
		if err != nil {
			return nil, err
		}
		return v.report(v.book.Levels(), func(lv inventory.Level) bool { return lv.LocationID == loc.ID }), nil
	})
}

// loadStockLocation reads a location the scope may use: a technician only
// their own truck (FORBIDDEN otherwise).
func (c *call) loadStockLocation(t *txn, id string) (*StockLocation, error) {
	loc, err := load(t, stockLocationsTable, id)
	if err != nil {
		return nil, err
	}
	if tech := c.technicianID(); tech != "" && loc.TechnicianID != tech {
		return nil, NewError(CodeForbidden, "a technician uses only their own truck")
	}
	return loc, nil
}

// NegativesReport lists what needs a warehouse manager's attention: stock
// below zero (where a location allows it), stock reserved beyond what is on
// hand, and the jobs scheduled without their parts by a dispatcher's
// override.
type NegativesReport struct {
	Levels    []StockLevel       `json:"levels"`
	Overrides []PartsReservation `json:"overrides"`
}

// NegativesInput asks for the negatives report.
type NegativesInput struct{}

// Validate checks the input.
func (in NegativesInput) Validate() error { return nil }

func (c *call) negatives(*NegativesInput) (*NegativesReport, error) {
	return inTx(c, "negatives", func(t *txn) (*NegativesReport, error) {
		v, err := viewStock(t, nil, Query{}, "")
		if err != nil {
			return nil, err
		}
		out := &NegativesReport{Levels: v.report(v.book.Negatives(), func(inventory.Level) bool { return true }).Levels}
		rs, err := find(t, reservationsTable, Query{Where: []Cond{Eq("open", "true"), Eq("overridden", "true")}})
		if err != nil {
			return nil, err
		}
		out.Overrides = *values(rs)
		return out, nil
	})
}

// ListMovementsInput lists the ledger, newest first, filtered by item,
// location, job or document.
type ListMovementsInput struct {
	ItemID     string `json:"itemId,omitempty"`
	LocationID string `json:"locationId,omitempty"`
	JobID      string `json:"jobId,omitempty"`
	DocumentID string `json:"documentId,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListMovementsInput) Validate() error { return in.PageRequest.Validate() }

func (c *call) listMovements(in *ListMovementsInput) (*Page[StockMovement], error) {
	return inTx(c, "list-movements", func(t *txn) (*Page[StockMovement], error) {
		if in.LocationID != "" {
			if _, err := c.loadStockLocation(t, in.LocationID); err != nil {
				return nil, err
			}
		} else if c.technicianID() != "" {
			return nil, fieldError(CodeForbidden, "locationId", "validation_required", "a technician lists the movements of their own truck")
		}
		q := Query{OrderBy: "at", Desc: true}
		for _, kv := range [][2]string{{"item_id", in.ItemID}, {"location_id", in.LocationID}, {"job_id", in.JobID}, {"document_id", in.DocumentID}} {
			if kv[1] != "" {
				q.Where = append(q.Where, Eq(kv[0], kv[1]))
			}
		}
		q = in.PageRequest.apply(q)
		items, err := find(t, stockMovementsTable, q)
		if err != nil {
			return nil, err
		}
		return pageOf(in.PageRequest, q, items, func(m *StockMovement) string { return timeKey(m.Movement.At) }), nil
	})
}

// VerifyLedgerInput checks the stored balances against the ledger, of one
// item or of all.
type VerifyLedgerInput struct {
	ItemID string `json:"itemId,omitempty"`
}

// Validate checks the input.
func (in VerifyLedgerInput) Validate() error { return nil }

// LedgerCheck is the result of a ledger verification: how many balances and
// movements were checked, and every difference found (none, unless the
// store was written behind the engine's back).
type LedgerCheck struct {
	Balances   int      `json:"balances"`
	Movements  int      `json:"movements"`
	Mismatches []string `json:"mismatches"`
}

// verifyLedger replays the stored movements of every item×location with
// inventory.Replay and compares the result with the stored snapshot: the
// proof that the snapshots the commands read are the fold of the ledger.
func (c *call) verifyLedger(in *VerifyLedgerInput) (*LedgerCheck, error) {
	return inTx(c, "verify-ledger", func(t *txn) (*LedgerCheck, error) {
		q := Query{OrderBy: "n"}
		sq := Query{}
		if in.ItemID != "" {
			q.Where = []Cond{Eq("item_id", in.ItemID)}
			sq.Where = q.Where
		}
		rows, err := find(t, stockMovementsTable, q)
		if err != nil {
			return nil, err
		}
		ledgers := map[inventory.Key][]inventory.Movement{}
		out := &LedgerCheck{Movements: len(rows), Mismatches: []string{}}
		for _, r := range rows {
			k := r.Movement.Key()
			if want := int64(len(ledgers[k]) + 1); r.N != want {
				out.Mismatches = append(out.Mismatches, fmt.Sprintf("%s at %s: movement %s is number %d, expected %d", k.ItemID, k.LocationID, r.ID, r.N, want))
			}
			ledgers[k] = append(ledgers[k], r.Movement)
		}
		snaps, err := find(t, stockBalancesTable, sq)
		if err != nil {
			return nil, err
		}
		out.Balances = len(snaps)
		for _, s := range snaps {
			k := s.Balance.Key()
			replayed, err := inventory.Replay(k, s.Balance.Costing(), ledgers[k])
			switch {
			case err != nil:
				out.Mismatches = append(out.Mismatches, fmt.Sprintf("%s at %s: %v", k.ItemID, k.LocationID, err))
			case !replayed.Equal(s.Balance):
				out.Mismatches = append(out.Mismatches, fmt.Sprintf("%s at %s: the snapshot (on hand %s, value %s, %d movements) is not the replay of the ledger (on hand %s, value %s, %d movements)",
					k.ItemID, k.LocationID, s.Balance.OnHand(), s.Balance.Value(), s.Balance.Movements(), replayed.OnHand(), replayed.Value(), replayed.Movements()))
			}
			delete(ledgers, k)
		}
		for k, ms := range ledgers {
			out.Mismatches = append(out.Mismatches, fmt.Sprintf("%s at %s: %d movements and no snapshot", k.ItemID, k.LocationID, len(ms)))
		}
		slices.Sort(out.Mismatches)
		return out, nil
	})
}
