package inventory

import (
	"github.com/shopspring/decimal"
)

// The replenishment formulas, in exact decimal arithmetic (square roots are
// truncated to 8 decimal places). Demand is per day and lead times in days.

// SafetyStock is the stock kept against demand during the lead time being
// higher than its mean, for a service factor z (1.28 ≈ 90 %, 1.65 ≈ 95 %,
// 1.96 ≈ 97.5 %, 2.33 ≈ 99 % of cycles without a stockout):
//
//	SS = z · √(L·σd² + d̄²·σL²)
//
// which is z·σd·√L when the lead time does not vary (σL = 0).
func SafetyStock(d DemandStats, lt LeadTime, z decimal.Decimal) decimal.Decimal {
	if z.Sign() <= 0 {
		return decimal.Zero
	}
	v := lt.Days.Mul(d.StdDev).Mul(d.StdDev)
	if lt.StdDev.Sign() > 0 {
		v = v.Add(d.Mean.Mul(d.Mean).Mul(lt.StdDev).Mul(lt.StdDev))
	}
	return z.Mul(sqrtFloor(v, statPlaces)).Round(statPlaces)
}

// ReorderPoint is the position at which to order so that stock lasts until
// the order arrives:
//
//	ROP = d̄·L + SafetyStock
func ReorderPoint(d DemandStats, lt LeadTime, z decimal.Decimal) decimal.Decimal {
	rop, _ := reorderPoint(d, lt, z)
	return rop
}

// reorderPoint returns the reorder point and its safety stock.
func reorderPoint(d DemandStats, lt LeadTime, z decimal.Decimal) (rop, safety decimal.Decimal) {
	safety = SafetyStock(d, lt, z)
	return d.Mean.Mul(lt.Days).Add(safety).Round(statPlaces), safety
}

// EOQ is the economic order quantity, the order size that minimizes the
// yearly cost of ordering plus holding:
//
//	Q* = √(2·D·S / H)
//
// for a yearly demand D, a cost S per order and a holding cost H per unit and
// year. Zero when any is not positive.
func EOQ(annualDemand, orderCost, holdingCost decimal.Decimal) decimal.Decimal {
	if annualDemand.Sign() <= 0 || orderCost.Sign() <= 0 || holdingCost.Sign() <= 0 {
		return decimal.Zero
	}
	x := two.Mul(annualDemand).Mul(orderCost).DivRound(holdingCost, 2*statPlaces)
	return sqrtFloor(x, statPlaces)
}

// OrderUpTo is the quantity that brings position up to target, rounded up to
// a whole multiple (zero: no rounding), or zero when position is not below
// target. Rounding up may pass the target: with a multiple of 3, a maximum of
// 20 and nothing in stock, it orders 21 (as Odoo does since version 17).
func OrderUpTo(position, target, multiple decimal.Decimal) decimal.Decimal {
	if position.Cmp(target) >= 0 {
		return decimal.Zero
	}
	return RoundUpToMultiple(target.Sub(position), multiple)
}
