package inventory

import (
	"math/big"

	"github.com/shopspring/decimal"
)

// CostPlaces is the number of decimal places of a computed cost: the value of
// an issue from stock (consumption, transfer out, negative adjustment) is its
// share of the stock value rounded half away from zero to CostPlaces places,
// and the issue that empties a balance takes the remaining value exactly. Costs
// given by the caller (purchase prices) are kept as given.
const CostPlaces = 4

// statPlaces is the precision of demand statistics and of the formulas that
// take square roots: far below any quantity a warehouse handles.
const statPlaces = 8

var (
	one = decimal.New(1, 0)
	two = decimal.New(2, 0)
)

// fmtQ formats a decimal exactly, without trailing zeros and without reading
// the decimal package's formatting globals.
func fmtQ(d decimal.Decimal) string {
	n := d.Normalize()
	if e := n.Exponent(); e < 0 {
		return n.StringFixed(-e)
	}
	return n.StringFixed(0)
}

// add and sub skip the arithmetic (and its allocation) when b is zero, as
// most of a plan's figures are.
func add(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() {
		return a
	}
	return a.Add(b)
}

func sub(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() {
		return a
	}
	return a.Sub(b)
}

// fmtStat formats a computed figure (a reorder point, a safety stock) for
// people: to two decimal places, as [fmtQ] otherwise.
func fmtStat(d decimal.Decimal) string { return fmtQ(d.Round(2)) }

func minDec(a, b decimal.Decimal) decimal.Decimal {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

func maxDec(a, b decimal.Decimal) decimal.Decimal {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// RoundUpToMultiple returns the smallest multiple of m that is ≥ q. A zero or
// negative m leaves q unchanged. Exact for any decimals.
func RoundUpToMultiple(q, m decimal.Decimal) decimal.Decimal {
	if m.Sign() <= 0 {
		return q
	}
	n, r := q.QuoRem(m, 0)
	if r.Sign() > 0 {
		n = n.Add(one)
	}
	return n.Mul(m)
}

// roundDownToMultiple returns the largest multiple of m that is ≤ q, for
// q ≥ 0 and m > 0.
func roundDownToMultiple(q, m decimal.Decimal) decimal.Decimal {
	n, _ := q.QuoRem(m, 0)
	return n.Mul(m)
}

// lcm is the least common multiple of two positive decimals: the smallest
// positive quantity that is a whole multiple of both (lcm(0.5, 3) = 3,
// lcm(4, 6) = 12). A non-positive argument is ignored.
func lcm(a, b decimal.Decimal) decimal.Decimal {
	switch {
	case a.Sign() <= 0:
		return b
	case b.Sign() <= 0:
		return a
	case a.Equal(b):
		return a
	}
	e := min(a.Exponent(), b.Exponent())
	ai := a.Shift(-e).BigInt()
	bi := b.Shift(-e).BigInt()
	g := new(big.Int).GCD(nil, nil, ai, bi)
	l := new(big.Int).Mul(ai, bi)
	l.Quo(l, g)
	return decimal.NewFromBigInt(l, e)
}

// sqrtFloor returns √x truncated to places decimal places (0 for x ≤ 0),
// exactly: it is the integer square root of x·10^(2·places).
func sqrtFloor(x decimal.Decimal, places int32) decimal.Decimal {
	if x.Sign() <= 0 {
		return decimal.Zero
	}
	n := x.Shift(2 * places).BigInt()
	return decimal.NewFromBigInt(n.Sqrt(n), -places)
}

// share returns v·part/whole rounded to CostPlaces: part's share of a value.
func share(v, part, whole decimal.Decimal) decimal.Decimal {
	return v.Mul(part).DivRound(whole, CostPlaces)
}
