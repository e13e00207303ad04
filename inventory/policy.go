package inventory

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// PolicyKind is how a [Policy] decides when and how much to replenish.
type PolicyKind string

const (
	// PolicyMinMax orders when the position falls below Min, up to Max: a
	// truck's stock template, Odoo's reordering rule, the (s, S) policy.
	PolicyMinMax PolicyKind = "MIN_MAX"
	// PolicyReorderPoint orders when the position falls below the reorder
	// point computed from demand and lead time ([ReorderPoint]), up to Max
	// if set, else by the fixed OrderQuantity, else by the [EOQ], else just
	// enough to reach the reorder point.
	PolicyReorderPoint PolicyKind = "REORDER_POINT"
)

// Policy is the replenishment rule of one item at one location. Every
// decision is on the inventory position (on hand + on order + in transit −
// reserved), never on hand alone, and a policy triggers when the position is
// strictly below its reorder point (Min for MIN_MAX), so an item nobody uses
// is never reordered.
//
// Quantities are rounded up, never down, to a whole multiple of the item's
// Step, of the policy's Multiple and, for purchases, of the supplier's pack
// size (of their least common multiple): the position may end above Max.
type Policy struct {
	ItemID     string     `json:"itemId"`
	LocationID string     `json:"locationId"`
	Kind       PolicyKind `json:"kind"`
	// Min is the reorder point of a MIN_MAX policy, and a floor under the
	// computed reorder point of a REORDER_POINT one ("always keep two").
	Min decimal.Decimal `json:"min"`
	// Max is the order-up-to level. Zero: not set (MIN_MAX then orders up
	// to Min).
	Max decimal.Decimal `json:"max"`
	// Z is the service factor of the safety stock (REORDER_POINT): 1.28 ≈
	// 90 %, 1.65 ≈ 95 %, 2.33 ≈ 99 % of replenishment cycles without a
	// stockout. Zero: no safety stock.
	Z decimal.Decimal `json:"z"`
	// ReviewDays is the time between plans that may order this item (a
	// weekly buy: 7), added to the lead time. Zero for a daily plan.
	ReviewDays decimal.Decimal `json:"reviewDays"`
	// LeadTime overrides the lead time: the supplier's for a location that
	// buys, the plan's transfer lead time for one refilled from another.
	LeadTime *LeadTime `json:"leadTime,omitempty"`
	// OrderQuantity is the fixed quantity of a REORDER_POINT policy (the
	// order is as many times it as it takes to reach the reorder point).
	OrderQuantity decimal.Decimal `json:"orderQuantity"`
	// OrderCost (the cost of placing one order) and HoldingRate (the yearly
	// cost of holding a unit, as a fraction of its unit cost: 0.25) make a
	// REORDER_POINT policy order the EOQ. In the organization's currency.
	OrderCost   decimal.Decimal `json:"orderCost"`
	HoldingRate decimal.Decimal `json:"holdingRate"`
	// Multiple is the order multiple: quantities round up to it.
	Multiple decimal.Decimal `json:"multiple"`
	// SupplierID is the supplier to buy from, overriding the item's
	// preferred supplier (for a location that buys: one refilled from
	// another location is refilled, whatever its policy says).
	SupplierID string `json:"supplierId,omitempty"`
}

// Key returns the item×location of the policy.
func (p *Policy) Key() Key { return Key{p.ItemID, p.LocationID} }

func (p *Policy) validate() error {
	switch {
	case p.ItemID == "":
		return invalid("itemId", "a policy is for an item")
	case p.LocationID == "":
		return invalid("locationId", "a policy is for a location")
	case p.Kind != PolicyMinMax && p.Kind != PolicyReorderPoint:
		return invalid("kind", "unknown policy kind %q", p.Kind)
	}
	for _, f := range []struct {
		name string
		d    decimal.Decimal
	}{
		{"min", p.Min}, {"max", p.Max}, {"z", p.Z}, {"reviewDays", p.ReviewDays}, {"orderQuantity", p.OrderQuantity},
		{"orderCost", p.OrderCost}, {"holdingRate", p.HoldingRate}, {"multiple", p.Multiple},
	} {
		if f.d.Sign() < 0 {
			return invalid(f.name, "cannot be negative, got %s", fmtQ(f.d))
		}
	}
	if p.Max.Sign() > 0 && p.Max.Cmp(p.Min) < 0 {
		return invalid("max", "max %s is below min %s", fmtQ(p.Max), fmtQ(p.Min))
	}
	if p.LeadTime != nil && (p.LeadTime.Days.Sign() < 0 || p.LeadTime.StdDev.Sign() < 0) {
		return invalid("leadTime", "a lead time cannot be negative")
	}
	return nil
}

// decision is what a policy decides for one position.
type decision struct {
	trigger decimal.Decimal // the reorder point: the position must not stay below it
	raw     decimal.Decimal // the quantity to order before rounding (zero: none)
	must    decimal.Decimal // the part of raw that brings the position to trigger
	why     string          // the human-readable reasoning (set when raw > 0)
}

// decide applies the policy to a position. d is the demand at the location,
// lt the lead time of its replenishment, unitCost the cost a unit is bought
// (or moved) at, for the EOQ. level explains the position in the reason.
func (p *Policy) decide(position decimal.Decimal, d *DemandStats, lt LeadTime, unitCost decimal.Decimal, explain func() string) decision {
	if p.LeadTime != nil {
		lt = *p.LeadTime
	}
	var dec decision
	switch p.Kind {
	case PolicyMinMax:
		dec.trigger = p.Min
		if position.Cmp(p.Min) >= 0 {
			return dec
		}
		target := maxDec(p.Min, p.Max)
		dec.raw, dec.must = target.Sub(position), p.Min.Sub(position)
		dec.why = fmt.Sprintf("%s is below min %s: up to max %s needs %s", explain(), fmtQ(p.Min), fmtQ(target), fmtQ(dec.raw))
		return dec
	}
	lt.Days = lt.Days.Add(p.ReviewDays)
	var computed, safety decimal.Decimal
	demand := d != nil && (d.Mean.Sign() > 0 || d.StdDev.Sign() > 0)
	if demand {
		computed, safety = reorderPoint(*d, lt, p.Z)
	}
	rop := computed
	floored := p.Min.Cmp(rop) > 0
	if floored {
		rop = p.Min
	}
	dec.trigger = rop
	if position.Cmp(rop) >= 0 {
		return dec
	}
	dec.must = rop.Sub(position)
	var b strings.Builder
	fmt.Fprintf(&b, "%s is below the reorder point %s", explain(), fmtStat(rop))
	switch {
	case floored && demand:
		fmt.Fprintf(&b, " (the policy's min; demand gives %s)", fmtStat(computed))
	case floored:
		b.WriteString(" (the policy's min; no demand recorded)")
	default:
		fmt.Fprintf(&b, " (mean demand %s/day × lead time %s days", fmtStat(d.Mean), fmtQ(lt.Days))
		if safety.Sign() > 0 {
			fmt.Fprintf(&b, " + safety stock %s at z %s", fmtStat(safety), fmtQ(p.Z))
		}
		b.WriteString(")")
	}
	var eoq decimal.Decimal
	if p.Max.Sign() <= 0 && p.OrderQuantity.Sign() <= 0 && demand {
		eoq = EOQ(d.Mean.Mul(daysPerYear), p.OrderCost, p.HoldingRate.Mul(unitCost))
	}
	switch {
	case p.Max.Sign() > 0:
		target := maxDec(rop, p.Max)
		dec.raw = target.Sub(position)
		fmt.Fprintf(&b, ": up to max %s needs %s", fmtStat(target), fmtStat(dec.raw))
	case p.OrderQuantity.Sign() > 0 || eoq.Sign() > 0:
		q, name := p.OrderQuantity, "order quantity"
		if q.Sign() <= 0 {
			q, name = eoq, "EOQ"
		}
		n := RoundUpToMultiple(dec.must, q).DivRound(q, 0)
		dec.raw = n.Mul(q)
		fmt.Fprintf(&b, ": %s × %s %s = %s", fmtQ(n), name, fmtStat(q), fmtStat(dec.raw))
	default:
		dec.raw = dec.must
		fmt.Fprintf(&b, ": needs %s", fmtStat(dec.raw))
	}
	dec.why = b.String()
	return dec
}

// daysPerYear turns daily demand into the yearly demand of the EOQ.
var daysPerYear = decimal.New(365, 0)
