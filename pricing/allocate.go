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
	ws := make([]*big.Rat, len(weights))
	for i, w := range weights {
		if w.Sign() < 0 {
			return nil, invalidAmount("weights["+strconv.Itoa(i)+"]", formatDecimal(w, 0), "negative weight")
		}
		ws[i] = w.Rat()
	}
	parts, ok := allocateUnits(units, ws)
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

// allocateUnits distributes total (an integer, any sign) over non-negative
// rational weights by largest remainder. It reports false if the weights sum
// to zero.
func allocateUnits(total *big.Int, weights []*big.Rat) ([]*big.Int, bool) {
	w := new(big.Rat)
	for _, x := range weights {
		w.Add(w, x)
	}
	if w.Sign() == 0 {
		return nil, false
	}
	abs := new(big.Int).Abs(total)
	parts := make([]*big.Int, len(weights))
	rems := make([]*big.Rat, len(weights))
	left := new(big.Int).Set(abs)
	share := new(big.Rat)
	for i, x := range weights {
		// exact share = |total| × x / w, as num/den
		share.Quo(x, w)
		share.Mul(share, new(big.Rat).SetInt(abs))
		q, r := new(big.Int).QuoRem(share.Num(), share.Denom(), new(big.Int))
		parts[i] = q
		rems[i] = new(big.Rat).SetFrac(r, share.Denom())
		left.Sub(left, q)
	}
	if left.Sign() > 0 {
		order := make([]int, len(weights))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
		one := big.NewInt(1)
		for k := 0; left.Sign() > 0; k++ {
			parts[order[k]].Add(parts[order[k]], one)
			left.Sub(left, one)
		}
	}
	if total.Sign() < 0 {
		for _, p := range parts {
			p.Neg(p)
		}
	}
	return parts, true
}

// allocateMoney allocates a rounded amount over rational weights; the caller
// guarantees the weights do not sum to zero.
func allocateMoney(m Money, weights []*big.Rat) []Money {
	units, _ := m.units()
	parts, _ := allocateUnits(units, weights)
	out := make([]Money, len(parts))
	for i, p := range parts {
		out[i] = m.fromUnits(p)
	}
	return out
}
