package inventory

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// Config configures a [Book]. The zero value is a complete book.
type Config struct {
	// Partial makes a book that knows only the balances it is given with
	// [Book.Load] or [Book.Replay]: posting to, or asking about, any other
	// item×location fails with [ErrNotLoaded], so a transaction that forgot
	// to load a balance cannot overwrite it. A store that loads the balances
	// one transaction touches uses it, and tracks the open documents with
	// lines at those item×locations (reservations and pending transfers
	// hold stock). Defaults to false: every item×location not loaded starts
	// empty (a new ledger, an in-memory store, tests).
	Partial bool
}

// Book is the stock of an organization, or the part of it one transaction
// touches: the balance of each item×location, folded from the ledger, and the
// open documents ([Reservation], [Transfer], [PurchaseOrder]) whose lines
// reserve stock or bring it in. Everything a warehouse manager reads is
// derived from these ([Book.Level]); every movement is checked and costed
// here before the engine appends it ([Book.Post]); and the document
// operations that move stock take the Book and keep it current.
//
// A Book is not safe for concurrent use. It never reads a clock: operations
// take now.
type Book struct {
	items     map[string]*Item
	locations map[string]*Location
	partial   bool
	cells     map[Key]*cell
	docs      map[docRef][]commitment
}

type cell struct {
	bal       Balance
	loaded    bool
	reserved  decimal.Decimal
	inTransit decimal.Decimal
	onOrder   decimal.Decimal
}

// Document is an open document whose lines commit stock: a [Reservation], a
// [Transfer] or a [PurchaseOrder], and only these. A Book tracks documents to
// derive the reserved, in transit and on order figures.
type Document interface {
	ref() docRef
	commitments() []commitment
}

type docRef struct{ kind, id string }

// commitment is what one document line adds to one item×location's figures.
type commitment struct {
	key                          Key
	reserved, inTransit, onOrder decimal.Decimal
}

// NewBook returns a book of the given items and locations, with no stock and
// no documents. It checks the catalog: ids are unique, a location's
// ReplenishFromID names a location given, and no location replenishes,
// through others, from itself.
func NewBook(items []Item, locations []Location, cfg *Config) (*Book, error) {
	b := &Book{cells: map[Key]*cell{}, docs: map[docRef][]commitment{}}
	if cfg != nil {
		b.partial = cfg.Partial
	}
	var err error
	if b.items, err = indexItems(slices.Clone(items)); err != nil {
		return nil, err
	}
	if b.locations, err = indexLocations(locations); err != nil {
		return nil, err
	}
	return b, nil
}

// indexItems validates items and indexes them by id (pointing into items).
func indexItems(items []Item) (map[string]*Item, error) {
	idx := make(map[string]*Item, len(items))
	for i := range items {
		it := &items[i]
		if err := it.validate(); err != nil {
			return nil, within(fmt.Sprintf("items.%d", i), err)
		}
		if _, dup := idx[it.ID]; dup {
			return nil, invalid(fmt.Sprintf("items.%d.id", i), "duplicate item id %q", it.ID)
		}
		idx[it.ID] = it
	}
	return idx, nil
}

// indexLocations validates locations and their replenishment graph, and
// indexes copies of them by id.
func indexLocations(locations []Location) (map[string]*Location, error) {
	idx := make(map[string]*Location, len(locations))
	for i := range locations {
		l := locations[i]
		if err := l.validate(); err != nil {
			return nil, within(fmt.Sprintf("locations.%d", i), err)
		}
		if _, dup := idx[l.ID]; dup {
			return nil, invalid(fmt.Sprintf("locations.%d.id", i), "duplicate location id %q", l.ID)
		}
		idx[l.ID] = &l
	}
	for i := range locations {
		l := idx[locations[i].ID]
		seen := 0
		for p := l; p.ReplenishFromID != ""; seen++ {
			next, ok := idx[p.ReplenishFromID]
			if !ok {
				return nil, invalid(fmt.Sprintf("locations.%d.replenishFromId", i), "location %s replenishes from unknown location %q", p.ID, p.ReplenishFromID)
			}
			if seen > len(locations) {
				return nil, invalid(fmt.Sprintf("locations.%d.replenishFromId", i), "location %s replenishes from itself through other locations", l.ID)
			}
			p = next
		}
	}
	return idx, nil
}

// Derive builds a complete book from a whole ledger and the open documents:
// the derivation of every level from the truth. Movements are replayed in the
// order given per item×location (see [Replay]).
func Derive(items []Item, locations []Location, ledger []Movement, docs ...Document) (*Book, error) {
	b, err := NewBook(items, locations, nil)
	if err != nil {
		return nil, err
	}
	for i, m := range ledger {
		c, err := b.cell(m.Key(), true)
		if err != nil {
			return nil, fmt.Errorf("inventory: ledger movement %d: %w", i, err)
		}
		if err := c.bal.replay(m); err != nil {
			return nil, fmt.Errorf("inventory: ledger movement %d: %w", i, err)
		}
	}
	b.Track(docs...)
	return b, nil
}

// cell returns the cell of key, creating it in a complete book (or when
// load is set). It fails for an unknown item or location, and for a key a
// partial book was not given.
func (b *Book) cell(key Key, load bool) (*cell, error) {
	if c, ok := b.cells[key]; ok && c.loaded {
		return c, nil
	}
	it, ok := b.items[key.ItemID]
	if !ok {
		return nil, notFound("item", key.ItemID)
	}
	if _, ok := b.locations[key.LocationID]; !ok {
		return nil, notFound("location", key.LocationID)
	}
	if b.partial && !load {
		return nil, fmt.Errorf("inventory: %s at %s: %w", key.ItemID, key.LocationID, ErrNotLoaded)
	}
	c := b.cells[key]
	if c == nil {
		c = &cell{}
		b.cells[key] = c
	}
	c.bal, c.loaded = NewBalance(key, it.costing()), true
	return c, nil
}

// newCell adds the cell of a key a document names. In a complete book a
// known item×location starts empty, as if loaded; otherwise only the
// document's figures are known until its balance is loaded.
func (b *Book) newCell(key Key) *cell {
	c := &cell{}
	it, known := b.items[key.ItemID]
	if _, ok := b.locations[key.LocationID]; known && ok && !b.partial {
		c.bal, c.loaded = NewBalance(key, it.costing()), true
	}
	b.cells[key] = c
	return c
}

// Load gives the book the balance of one item×location (a stored snapshot,
// or the result of [Replay]), replacing what it had. The balance's costing
// method must be the item's.
func (b *Book) Load(bal Balance) error {
	it, ok := b.items[bal.key.ItemID]
	if !ok {
		return notFound("item", bal.key.ItemID)
	}
	if bal.method != it.costing() {
		return invalid("costing", "balance of %s at %s is costed %s, the item %s", bal.key.ItemID, bal.key.LocationID, bal.method, it.costing())
	}
	c, err := b.cell(bal.key, true)
	if err != nil {
		return err
	}
	c.bal = bal
	return nil
}

// Replay rebuilds the balance of key from its ledger (see [Replay]) and
// loads it.
func (b *Book) Replay(key Key, movements []Movement) error {
	it, ok := b.items[key.ItemID]
	if !ok {
		return notFound("item", key.ItemID)
	}
	bal, err := Replay(key, it.costing(), movements)
	if err != nil {
		return err
	}
	return b.Load(bal)
}

// Balance returns the balance of key.
func (b *Book) Balance(key Key) (Balance, error) {
	c, err := b.cell(key, false)
	if err != nil {
		return Balance{}, err
	}
	return c.bal, nil
}

// Balances returns every balance the book holds, sorted by item then
// location: the snapshots a store saves after a transaction.
func (b *Book) Balances() []Balance {
	keys := b.loadedKeys()
	out := make([]Balance, len(keys))
	for i, k := range keys {
		out[i] = b.cells[k].bal
	}
	return out
}

func (b *Book) loadedKeys() []Key {
	keys := make([]Key, 0, len(b.cells))
	for k, c := range b.cells {
		if c.loaded {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareKeys)
	return keys
}

// Level returns the derived stock of key.
func (b *Book) Level(key Key) (Level, error) {
	c, err := b.cell(key, false)
	if err != nil {
		return Level{}, err
	}
	return c.level(key), nil
}

func (c *cell) level(key Key) Level {
	return Level{
		Key: key, OnHand: c.bal.qty, Reserved: c.reserved, InTransit: c.inTransit, OnOrder: c.onOrder,
		Value: c.bal.value, UnitCost: c.bal.unitCost, LastCountedAt: c.bal.counted,
	}
}

// Levels returns the level of every item×location the book holds: in a
// complete book, every one a movement or an open document names; in a
// partial book, the ones loaded. Sorted by item then location.
func (b *Book) Levels() []Level {
	keys := b.loadedKeys()
	out := make([]Level, len(keys))
	for i, k := range keys {
		out[i] = b.cells[k].level(k)
	}
	return out
}

// Negatives returns the levels that need a warehouse manager's attention:
// stock below zero (possible only where the location allows it) or reserved
// beyond what is on hand (after stock was found damaged, lost or miscounted).
func (b *Book) Negatives() []Level {
	var out []Level
	for _, l := range b.Levels() {
		if l.OnHand.Sign() < 0 || l.Available().Sign() < 0 {
			out = append(out, l)
		}
	}
	return out
}

// Track makes the book count the open lines of documents: a reservation's
// open lines are reserved, a pending transfer's lines are reserved at its
// source and in transit to its destination, a shipped transfer's lines in
// transit, a purchase order's outstanding lines on order. Tracking a
// document again replaces what the book knew of it, and a closed document
// (received, cancelled, released…) counts for nothing. The document
// operations that take a Book track their result themselves; after one that
// does not (editing or cancelling a purchase order), track the result.
func (b *Book) Track(docs ...Document) {
	for _, d := range docs {
		ref := d.ref()
		b.commit(b.docs[ref], -1)
		cs := d.commitments()
		b.commit(cs, 1)
		if len(cs) == 0 {
			delete(b.docs, ref)
		} else {
			b.docs[ref] = cs
		}
	}
}

func (b *Book) commit(cs []commitment, sign int) {
	for _, x := range cs {
		c := b.cells[x.key]
		if c == nil {
			c = b.newCell(x.key)
		}
		if sign > 0 {
			c.reserved = add(c.reserved, x.reserved)
			c.inTransit = add(c.inTransit, x.inTransit)
			c.onOrder = add(c.onOrder, x.onOrder)
		} else {
			c.reserved = sub(c.reserved, x.reserved)
			c.inTransit = sub(c.inTransit, x.inTransit)
			c.onOrder = sub(c.onOrder, x.onOrder)
		}
	}
}

// held returns what a tracked document reserves at key.
func (b *Book) held(ref docRef, key Key) decimal.Decimal {
	var h decimal.Decimal
	for _, x := range b.docs[ref] {
		if x.key == key {
			h = h.Add(x.reserved)
		}
	}
	return h
}

// Post checks movements against the stock and the rules, costs them, and
// applies them, all or none: if one is refused, the book is unchanged. It
// returns the movements as the ledger must store them, with UnitCost (for
// kinds the book costs), Value and Revaluation filled in.
//
// The rules: a movement has its kind's sign and what its kind needs (see
// [MovementKind]); a consumption, transfer out or return to supplier may take
// only what is available (on hand less what is reserved for other jobs and
// transfers), and an adjustment or count may take at most what is on hand,
// unless the location allows negative stock. A refusal is a [StockError].
//
// Post does not know which reservation a consumption fulfils: consume on a
// job with [Reservation.Consume], and ship transfers with [Transfer.Ship], so
// that a job's or a transfer's own reservation is not held against it.
func (b *Book) Post(movements ...Movement) ([]Movement, error) {
	return b.post(movements, docRef{})
}

// post is Post for a document's movements: what the document own reserves
// at a key is not held against its own movements.
func (b *Book) post(movements []Movement, own docRef) ([]Movement, error) {
	out := slices.Clone(movements)
	scratch := map[Key]*Balance{}
	used := map[Key]decimal.Decimal{} // own reservations drawn by earlier movements of the batch
	for i := range out {
		m := &out[i]
		key := m.Key()
		it, ok := b.items[m.ItemID]
		if !ok {
			return nil, notFound("item", m.ItemID)
		}
		loc, ok := b.locations[m.LocationID]
		if !ok {
			return nil, notFound("location", m.LocationID)
		}
		if err := m.checkShape(it); err != nil {
			if len(out) > 1 {
				return nil, fmt.Errorf("inventory: movement %d: %w", i, err)
			}
			return nil, err
		}
		bal := scratch[key]
		if bal == nil {
			c, err := b.cell(key, false)
			if err != nil {
				return nil, err
			}
			cp := c.bal
			bal = &cp
			scratch[key] = bal
		}
		if m.Quantity.Sign() < 0 && !loc.AllowNegative {
			need := m.Quantity.Neg()
			avail := bal.qty // adjustments and counts record physical facts
			if m.Kind != Adjustment && m.Kind != Count {
				var mine decimal.Decimal
				if own != (docRef{}) {
					mine = maxDec(b.held(own, key).Sub(used[key]), decimal.Zero)
					used[key] = used[key].Add(need)
				}
				avail = availableTo(bal.qty, b.cells[key].reserved, mine)
			}
			if need.Cmp(avail) > 0 {
				return nil, &StockError{ItemID: m.ItemID, LocationID: m.LocationID, Kind: m.Kind, Requested: need, Available: avail}
			}
		}
		bal.apply(m, it.StandardCost, false)
	}
	for k, bal := range scratch {
		b.cells[k].bal = *bal
	}
	return out, nil
}

// availableTo is what a movement may take from onHand when reserved is held
// at the location, mine of it for the movement's own document: everything
// not held for others, and at least its own reservation while the stock is
// there (a job keeps what it reserved when stock found missing leaves other
// reservations short).
func availableTo(onHand, reserved, mine decimal.Decimal) decimal.Decimal {
	free := onHand.Sub(reserved.Sub(mine))
	if mine.Sign() > 0 {
		return maxDec(free, minDec(mine, onHand))
	}
	return free
}
