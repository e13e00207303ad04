package inventory

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Balance is the running state of one item at one location, folded from its
// ledger: the quantity on hand and its value under the item's costing method.
// It is the incremental form of the ledger: [Replay] rebuilds it from the
// movements, and posting a movement ([Book.Post]) advances it in constant time
// (moving average) or in the number of open receipt layers (FIFO). The
// property tests prove the two equal. The engine may store a Balance as a
// snapshot (it marshals to JSON) beside the ledger and rebuild it with Replay
// whenever it doubts it; [Balance.Movements] tells how many movements it
// has folded.
//
// A Balance is a value: copies are independent.
type Balance struct {
	key    Key
	method CostingMethod
	qty    decimal.Decimal
	value  decimal.Decimal
	// unitCost is the current unit cost: the average (moving average) or
	// the latest receipt's cost (FIFO) while stock is positive, kept when
	// stock runs out. It values issues from empty or negative stock and
	// stock found by adjustments and counts. costed tells it is set.
	unitCost decimal.Decimal
	costed   bool
	layers   []Layer // FIFO: the receipts still in stock, oldest first
	moves    int64
	counted  time.Time
}

// Layer is a FIFO cost layer: a quantity still in stock from one inbound
// movement and its value (kept exact; the unit cost is Value/Quantity).
type Layer struct {
	Quantity decimal.Decimal `json:"quantity"`
	Value    decimal.Decimal `json:"value"`
	At       time.Time       `json:"at"`
}

// NewBalance returns the empty balance of key under method ("" is
// MOVING_AVERAGE).
func NewBalance(key Key, method CostingMethod) Balance {
	if method == "" {
		method = MovingAverage
	}
	return Balance{key: key, method: method}
}

// Replay folds a ledger into the balance of key: movements must all be for
// key, in the order they were posted. Each movement's quantity is taken as
// recorded and its value recomputed; a stored value that differs from the
// recomputed one is an [ErrLedgerMismatch] (the ledger was altered, or a
// movement was stored without going through [Book.Post]). Stock rules are
// not checked: the ledger records what happened.
func Replay(key Key, method CostingMethod, movements []Movement) (Balance, error) {
	b := NewBalance(key, method)
	for i := range movements {
		m := movements[i]
		if m.Key() != key {
			return Balance{}, invalid(fmt.Sprintf("movements.%d", i), "movement for %s at %s in the ledger of %s at %s", m.ItemID, m.LocationID, key.ItemID, key.LocationID)
		}
		if err := b.replay(m); err != nil {
			return Balance{}, fmt.Errorf("inventory: ledger movement %d: %w", i, err)
		}
	}
	return b, nil
}

// replay folds a stored movement, checking its shape and that its stored
// value is the one posting it gives.
func (b *Balance) replay(m Movement) error {
	if err := m.checkShape(nil); err != nil {
		return err
	}
	stored := m
	b.apply(&m, decimal.Zero, true)
	if !m.Value.Equal(stored.Value) || !m.Revaluation.Equal(stored.Revaluation) {
		return fmt.Errorf("inventory: %s %s of %s at %s: stored value %s, replay gives %s: %w",
			m.Kind, fmtQ(m.Quantity), m.ItemID, m.LocationID, fmtQ(stored.Value), fmtQ(m.Value), ErrLedgerMismatch)
	}
	return nil
}

// Key returns the item×location of the balance.
func (b Balance) Key() Key { return b.key }

// Costing returns the costing method.
func (b Balance) Costing() CostingMethod { return b.method }

// OnHand returns the quantity on hand: the sum of the ledger's quantities.
func (b Balance) OnHand() decimal.Decimal { return b.qty }

// Value returns the stock value: the sum of the ledger's values. It is zero
// when nothing is on hand, and has the sign of the quantity otherwise.
func (b Balance) Value() decimal.Decimal { return b.value }

// UnitCost returns the current unit cost (the average under moving average,
// the latest receipt's cost under FIFO), zero before any stock was costed.
func (b Balance) UnitCost() decimal.Decimal { return b.unitCost }

// Layers returns the FIFO layers, oldest first (none under moving average).
func (b Balance) Layers() []Layer { return slices.Clone(b.layers) }

// Movements returns how many movements the balance has folded.
func (b Balance) Movements() int64 { return b.moves }

// LastCountedAt returns the time of the latest count movement, or zero.
func (b Balance) LastCountedAt() time.Time { return b.counted }

// Equal reports whether two balances are the same state.
func (b Balance) Equal(o Balance) bool {
	return b.key == o.key && b.method == o.method && b.qty.Equal(o.qty) && b.value.Equal(o.value) &&
		b.unitCost.Equal(o.unitCost) && b.costed == o.costed && b.moves == o.moves && b.counted.Equal(o.counted) &&
		slices.EqualFunc(b.layers, o.layers, func(x, y Layer) bool {
			return x.Quantity.Equal(y.Quantity) && x.Value.Equal(y.Value) && x.At.Equal(y.At)
		})
}

// apply folds m into the balance and fills in m's UnitCost (for every kind
// but receipts and returns), Value and Revaluation. std is the item's
// standard cost, the cost of last resort; on replay the movement's own
// recorded unit cost stands in for it. apply checks no rule: the caller has.
func (b *Balance) apply(m *Movement, std decimal.Decimal, replay bool) {
	basis := b.unitCost
	if !b.costed {
		basis = std
		if replay {
			basis = m.UnitCost
		}
	}
	q := m.Quantity
	switch q.Sign() {
	case 1:
		var v decimal.Decimal
		switch m.Kind {
		case TransferIn:
			v = m.Value
			if replay {
				v = m.Value.Sub(m.Revaluation)
			}
			m.UnitCost = v.DivRound(q, CostPlaces)
		case Adjustment, Count:
			v = q.Mul(basis).Round(CostPlaces)
			m.UnitCost = basis
		default: // Receipt, Return: the caller's cost
			v = q.Mul(m.UnitCost)
		}
		m.Revaluation = b.receive(q, v, m.At)
		m.Value = v.Add(m.Revaluation)
	case -1:
		out := q.Neg()
		v, atBasis := b.issue(out, basis)
		m.Value = v.Neg()
		m.Revaluation = decimal.Zero
		if atBasis {
			m.UnitCost = basis
		} else {
			m.UnitCost = v.DivRound(out, CostPlaces)
		}
	default: // a count that found what the ledger expected
		m.Value, m.Revaluation, m.UnitCost = decimal.Zero, decimal.Zero, b.unitCost
	}
	if !b.costed && q.Sign() < 0 {
		b.unitCost, b.costed = basis, true // receive sets it for inbound movements
	}
	b.moves++
	if m.Kind == Count && m.At.After(b.counted) {
		b.counted = m.At
	}
}

// receive adds q units worth v and returns the revaluation: when stock was
// zero or negative, the units issued before they arrived are re-valued at the
// arriving cost, so the stock left is worth its share of v.
func (b *Balance) receive(q, v decimal.Decimal, at time.Time) decimal.Decimal {
	var reval decimal.Decimal
	if b.qty.Sign() > 0 {
		b.qty = b.qty.Add(q)
		b.value = b.value.Add(v)
		if b.method == FIFO {
			b.layers = append(slices.Clip(b.layers), Layer{Quantity: q, Value: v, At: at})
		}
	} else {
		newQty := b.qty.Add(q)
		var newValue decimal.Decimal
		switch {
		case b.qty.IsZero():
			newValue = v
		case newQty.Sign() > 0:
			newValue = share(v, newQty, q)
		case newQty.Sign() < 0:
			newValue = share(b.value, newQty, b.qty)
		}
		reval = newValue.Sub(b.value).Sub(v)
		b.qty, b.value = newQty, newValue
		b.layers = nil
		if b.method == FIFO && newQty.Sign() > 0 {
			b.layers = []Layer{{Quantity: newQty, Value: newValue, At: at}}
		}
	}
	switch {
	case b.method == MovingAverage && b.qty.Sign() > 0:
		b.unitCost = b.value.DivRound(b.qty, CostPlaces)
	default:
		b.unitCost = v.DivRound(q, CostPlaces)
	}
	b.costed = true
	return reval
}

// issue takes out units and returns their value (positive) and whether it
// was all valued at basis (the balance had nothing to issue from).
func (b *Balance) issue(out, basis decimal.Decimal) (decimal.Decimal, bool) {
	if b.qty.Sign() <= 0 {
		v := out.Mul(basis).Round(CostPlaces)
		b.qty = b.qty.Sub(out)
		b.value = b.value.Sub(v)
		return v, true
	}
	var v decimal.Decimal
	beyond := out.Sub(b.qty) // units issued past the stock on hand
	switch {
	case b.method == FIFO:
		v = b.takeLayers(minDec(out, b.qty))
	case beyond.Sign() < 0:
		v = share(b.value, out, b.qty)
	default:
		v = b.value
	}
	if beyond.Sign() > 0 {
		v = v.Add(beyond.Mul(basis).Round(CostPlaces))
	}
	b.qty = b.qty.Sub(out)
	b.value = b.value.Sub(v)
	return v, false
}

// takeLayers removes out units from the oldest layers (out ≤ the layers'
// total) and returns their value.
func (b *Balance) takeLayers(out decimal.Decimal) decimal.Decimal {
	var v decimal.Decimal
	layers := slices.Clone(b.layers)
	i := 0
	for ; i < len(layers) && out.Sign() > 0; i++ {
		l := &layers[i]
		if l.Quantity.Cmp(out) > 0 {
			part := share(l.Value, out, l.Quantity)
			v = v.Add(part)
			l.Quantity = l.Quantity.Sub(out)
			l.Value = l.Value.Sub(part)
			break
		}
		v = v.Add(l.Value)
		out = out.Sub(l.Quantity)
	}
	b.layers = layers[i:]
	if len(b.layers) == 0 {
		b.layers = nil
	}
	return v
}

// balanceJSON is the wire form of a Balance snapshot.
type balanceJSON struct {
	ItemID        string          `json:"itemId"`
	LocationID    string          `json:"locationId"`
	Costing       CostingMethod   `json:"costing"`
	OnHand        decimal.Decimal `json:"onHand"`
	Value         decimal.Decimal `json:"value"`
	UnitCost      decimal.Decimal `json:"unitCost"`
	Costed        bool            `json:"costed"`
	Layers        []Layer         `json:"layers,omitempty"`
	Movements     int64           `json:"movements"`
	LastCountedAt time.Time       `json:"lastCountedAt,omitzero"`
}

// MarshalJSON encodes the balance as a snapshot.
func (b Balance) MarshalJSON() ([]byte, error) {
	return json.Marshal(balanceJSON{
		ItemID: b.key.ItemID, LocationID: b.key.LocationID, Costing: b.method,
		OnHand: b.qty, Value: b.value, UnitCost: b.unitCost, Costed: b.costed,
		Layers: b.layers, Movements: b.moves, LastCountedAt: b.counted,
	})
}

// UnmarshalJSON decodes a snapshot, checking that it is a state a ledger can
// produce.
func (b *Balance) UnmarshalJSON(data []byte) error {
	var j balanceJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("inventory: balance snapshot: %w", err)
	}
	if j.Costing != MovingAverage && j.Costing != FIFO {
		return invalid("costing", "unknown costing method %q", j.Costing)
	}
	if j.OnHand.Sign() != j.Value.Sign() && !j.Value.IsZero() {
		return invalid("value", "a stock value has the sign of its quantity")
	}
	if j.Costing == FIFO && j.OnHand.Sign() > 0 {
		var q, v decimal.Decimal
		for _, l := range j.Layers {
			q, v = q.Add(l.Quantity), v.Add(l.Value)
		}
		if !q.Equal(j.OnHand) || !v.Equal(j.Value) {
			return invalid("layers", "FIFO layers must add up to the quantity and value on hand")
		}
	} else if len(j.Layers) > 0 {
		return invalid("layers", "only positive FIFO stock has layers")
	}
	*b = Balance{
		key: Key{j.ItemID, j.LocationID}, method: j.Costing, qty: j.OnHand, value: j.Value,
		unitCost: j.UnitCost, costed: j.Costed, layers: j.Layers, moves: j.Movements, counted: j.LastCountedAt,
	}
	return nil
}
