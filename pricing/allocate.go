package pricing

import (
	"math/big"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
)

// Allocate divides m, which must be rounded to its currency's minor unit,
// into parts proportional to weights, by largest remainder: each part gets
// the floor of its exact share in minor units, and the units left over go one
// each to the parts with the largest remainders (ties to the earlier part).
// The parts always sum to m exactly and each is within one minor unit of its
// exact share. A negative m is allocated as −(|m| allocated).
//
// Weights must be non-negative and not all zero. Deposits, discount spreads,
// split invoices and per-document tax all allocate this way.
func (m Money) Allocate(weights ...decimal.Decimal) ([]Money, error) {
	units, ok := m.units()
	if !ok {
		return nil, invalidAmount("total", m.Number(), "allocate a rounded amount")
	}
	if len(weights) == 0 {
		return nil, invalid("weights", "", "no weights")
	}
	for i, w := range weights {
		if w.Sign() < 0 {
			return nil, invalidAmount("weights["+strconv.Itoa(i)+"]", formatDecimal(w, 0), "negative weight")
		}
	}
	parts, ok := allocateInts(units, intWeights(weights))
	if !ok {
		return nil, invalid("weights", "", "weights sum to zero")
	}
	out := make([]Money, len(parts))
	for i, p := range parts {
		out[i] = m.fromUnits(p)
	}
	return out, nil
}

// Split divides m, which must be rounded, into n parts that differ by at most
// one minor unit, the larger ones first: 100.00 in 3 is 33.34, 33.33, 33.33.
func (m Money) Split(n int) ([]Money, error) {
	if n < 1 {
		return nil, invalid("n", strconv.Itoa(n), "split into at least one part")
	}
	ws := make([]decimal.Decimal, n)
	for i := range ws {
		ws[i] = decimal.NewFromInt(1)
	}
	return m.Allocate(ws...)
}

// intWeights scales decimal weights to integers with a common exponent.
func intWeights(ws []decimal.Decimal) []*big.Int {
	minExp := int32(0)
	for _, w := range ws {
		minExp = min(minExp, w.Exponent())
	}
	out := make([]*big.Int, len(ws))
	for i, w := range ws {
		c := w.Coefficient()
		if e := w.Exponent() - minExp; e > 0 {
			c.Mul(c, pow10(e))
		}
		out[i] = c
	}
	return out
}

// allocateInts distributes total (any sign) over non-negative integer
// weights by largest remainder. It reports false if the weights sum to zero.
func allocateInts(total *big.Int, weights []*big.Int) ([]*big.Int, bool) {
	w := new(big.Int)
	for _, x := range weights {
		w.Add(w, x)
	}
	if w.Sign() == 0 {
		return nil, false
	}
	abs := new(big.Int).Abs(total)
	parts := make([]*big.Int, len(weights))
	rems := make([]*big.Int, len(weights))
	left := new(big.Int).Set(abs)
	for i, x := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(abs, x), w, new(big.Int))
		parts[i], rems[i] = q, r
		left.Sub(left, q)
	}
	if left.Sign() > 0 {
		// Fewer units are left than parts with a remainder: hand them out
		// largest remainder first, ties to the earlier part.
		var order []int
		for i, r := range rems {
			if r.Sign() > 0 {
				order = append(order, i)
			}
		}
		slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
		n := int(left.Int64())
		for _, i := range order[:n] {
			parts[i].Add(parts[i], big.NewInt(1))
		}
	}
	if total.Sign() < 0 {
		for _, p := range parts {
			p.Neg(p)
		}
	}
	return parts, true
}

// allocateMoney allocates a rounded amount over integer weights; the caller
// guarantees that the weights do not sum to zero.
func allocateMoney(m Money, weights []*big.Int) []Money {
	parts, _ := allocateInts(m.unitsOf(), weights)
	out := make([]Money, len(parts))
	for i, p := range parts {
		out[i] = m.fromUnits(p)
	}
	return out
}
