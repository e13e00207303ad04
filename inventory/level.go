package inventory

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Level is the derived stock of one item at one location: what a warehouse
// manager reads on the stock screen. No figure in it is stored as the truth:
// on hand and value come from the ledger (a [Balance]), reserved, in transit
// and on order from the open documents a [Book] tracks.
type Level struct {
	Key
	// OnHand is the sum of the ledger's quantities.
	OnHand decimal.Decimal `json:"onHand"`
	// Reserved is held for jobs (open reservation lines) and for transfers
	// not yet shipped out of this location.
	Reserved decimal.Decimal `json:"reserved"`
	// InTransit is coming in on open transfers: requested and not shipped
	// yet, or shipped and not received yet.
	InTransit decimal.Decimal `json:"inTransit"`
	// OnOrder is coming in on open purchase orders delivered here, drafts
	// included (so a plan never proposes twice what a draft already orders):
	// ordered less received, per line.
	OnOrder decimal.Decimal `json:"onOrder"`
	// Value is the stock value of OnHand and UnitCost its current unit cost,
	// in the organization's currency.
	Value         decimal.Decimal `json:"value"`
	UnitCost      decimal.Decimal `json:"unitCost"`
	LastCountedAt time.Time       `json:"lastCountedAt,omitzero"`
}

// Available is what can still be used or shipped: OnHand − Reserved.
func (l Level) Available() decimal.Decimal { return l.OnHand.Sub(l.Reserved) }

// Position is the inventory position replenishment decides on:
// OnHand + OnOrder + InTransit − Reserved.
func (l Level) Position() decimal.Decimal {
	return sub(add(add(l.OnHand, l.OnOrder), l.InTransit), l.Reserved)
}

// MarshalJSON adds the derived available and position to the level's fields.
func (l Level) MarshalJSON() ([]byte, error) {
	type plain Level
	return json.Marshal(struct {
		plain
		Available decimal.Decimal `json:"available"`
		Position  decimal.Decimal `json:"position"`
	}{plain(l), l.Available(), l.Position()})
}
