package pricing

import (
	"math/big"

	"github.com/shopspring/decimal"
)

// RoundingMode says how an exact figure becomes an amount in minor units.
// Every mode is symmetric around zero, so rounding a credit gives exactly the
// negation of rounding the charge it reverses.
type RoundingMode string

// The rounding modes. The zero value means [RoundHalfUp].
const (
	RoundHalfUp   RoundingMode = "HALF_UP"   // ties away from zero: 0.125 → 0.13, −0.125 → −0.13
	RoundHalfEven RoundingMode = "HALF_EVEN" // ties to the even digit (banker's): 0.125 → 0.12, 0.135 → 0.14
	RoundHalfDown RoundingMode = "HALF_DOWN" // ties toward zero: 0.125 → 0.12
	RoundUp       RoundingMode = "UP"        // away from zero: 0.121 → 0.13
	RoundDown     RoundingMode = "DOWN"      // toward zero (truncate): 0.129 → 0.12
)

// Valid reports whether m is one of the modes (the zero value counts as
// [RoundHalfUp]).
func (m RoundingMode) Valid() bool {
	switch m {
	case "", RoundHalfUp, RoundHalfEven, RoundHalfDown, RoundUp, RoundDown:
		return true
	}
	return false
}

func (m RoundingMode) orDefault() RoundingMode {
	if m == "" {
		return RoundHalfUp
	}
	return m
}

// powersOfTen is a constant table: 10^0 … 10^63. Its values are shared and
// must never be modified.
var powersOfTen = func() []*big.Int {
	t := make([]*big.Int, 64)
	for i := range t {
		t[i] = new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(i)), nil)
	}
	return t
}()

// pow10 returns 10^n (n ≥ 0), read-only.
func pow10(n int32) *big.Int {
	if int(n) < len(powersOfTen) {
		return powersOfTen[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// roundFrac rounds num/den (den ≠ 0) to places decimal places under mode.
// It is exact: no intermediate figure is ever truncated.
func roundFrac(num, den *big.Int, places int32, mode RoundingMode) decimal.Decimal {
	n := new(big.Int).Set(num)
	d := new(big.Int).Set(den)
	if places >= 0 {
		n.Mul(n, pow10(places))
	} else {
		d.Mul(d, pow10(-places))
	}
	if d.Sign() < 0 {
		n.Neg(n)
		d.Neg(d)
	}
	q, r := new(big.Int).QuoRem(n, d, new(big.Int)) // q truncated toward zero; r has n's sign
	if r.Sign() != 0 {
		away := false
		twice := new(big.Int).Abs(r)
		twice.Lsh(twice, 1)
		c := twice.Cmp(d) // the dropped fraction against one half
		switch mode.orDefault() {
		case RoundUp:
			away = true
		case RoundDown:
		case RoundHalfUp:
			away = c >= 0
		case RoundHalfDown:
			away = c > 0
		case RoundHalfEven:
			away = c > 0 || (c == 0 && q.Bit(0) == 1)
		}
		if away {
			if n.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return decimal.NewFromBigInt(q, -places)
}

// roundDecimal rounds d to places decimal places under mode.
func roundDecimal(d decimal.Decimal, places int32, mode RoundingMode) decimal.Decimal {
	if -d.Exponent() <= places {
		return d.RoundDown(places) // exact at places already: only the exponent changes
	}
	return roundFrac(d.Coefficient(), pow10(-d.Exponent()), places, mode)
}

// roundQuo rounds num ÷ den (den ≠ 0) to places decimal places under mode,
// exactly.
func roundQuo(num, den decimal.Decimal, places int32, mode RoundingMode) decimal.Decimal {
	n, d := num.Coefficient(), den.Coefficient()
	if e := num.Exponent() - den.Exponent(); e > 0 {
		n.Mul(n, pow10(e))
	} else if e < 0 {
		d.Mul(d, pow10(-e))
	}
	return roundFrac(n, d, places, mode)
}

// roundRat rounds r to places decimal places under mode.
func roundRat(r *big.Rat, places int32, mode RoundingMode) decimal.Decimal {
	return roundFrac(r.Num(), r.Denom(), places, mode)
}

// TaxLevel says where tax is rounded.
type TaxLevel string

// The tax rounding levels.
const (
	// TaxPerLine rounds each line's tax for each rate, then sums (the
	// default, as Odoo's round_per_line and Zuora).
	TaxPerLine TaxLevel = "PER_LINE"
	// TaxPerDocument sums each rate's exact tax over the document and rounds
	// once (Odoo's round_globally); each line then shows its share of the
	// rounded total, allocated by largest remainder.
	TaxPerDocument TaxLevel = "PER_DOCUMENT"
)

// InclusiveRounding says which component of a tax-inclusive amount is
// rounded; the other is derived, so the gross is always kept to the cent.
type InclusiveRounding string

// The ways to split a tax-inclusive amount.
const (
	// RoundTax rounds the tax taken out of the gross and derives the net as
	// gross − tax (the default, as Odoo 18): 24.99 incl. 20 % → tax 4.17,
	// net 20.82.
	RoundTax InclusiveRounding = "ROUND_TAX"
	// RoundNet rounds the net and derives the tax as gross − net (Zuora's
	// default): 24.99 incl. 20 % → net 20.83, tax 4.16.
	RoundNet InclusiveRounding = "ROUND_NET"
)

// Rounding is the rounding policy of a document. It is recorded on every
// estimate, invoice and credit memo, so a document can always be recomputed
// and audited exactly as it was issued. The zero value is the default policy:
// half-up, tax per line, prices exclusive of tax.
type Rounding struct {
	// Mode rounds every figure: line amounts, percentages, tax, deposits.
	// Defaults to HALF_UP.
	Mode RoundingMode `json:"mode"`
	// TaxLevel says whether tax is rounded per line or per document.
	// Defaults to PER_LINE.
	TaxLevel TaxLevel `json:"taxLevel"`
	// PricesIncludeTax says unit prices are gross (tax included).
	PricesIncludeTax bool `json:"pricesIncludeTax"`
	// Inclusive says which component of a tax-inclusive amount is rounded.
	// Defaults to ROUND_TAX; ignored unless PricesIncludeTax.
	Inclusive InclusiveRounding `json:"inclusive,omitempty"`
}

// WithDefaults returns r with every empty field set to its default, as it is
// recorded on a document.
func (r Rounding) WithDefaults() Rounding {
	r.Mode = r.Mode.orDefault()
	if r.TaxLevel == "" {
		r.TaxLevel = TaxPerLine
	}
	if r.Inclusive == "" && r.PricesIncludeTax {
		r.Inclusive = RoundTax
	}
	return r
}

func (r Rounding) validate() error {
	if !r.Mode.Valid() {
		return invalid("rounding.mode", string(r.Mode), "unknown rounding mode")
	}
	switch r.TaxLevel {
	case "", TaxPerLine, TaxPerDocument:
	default:
		return invalid("rounding.taxLevel", string(r.TaxLevel), "unknown tax rounding level")
	}
	switch r.Inclusive {
	case "", RoundTax, RoundNet:
	default:
		return invalid("rounding.inclusive", string(r.Inclusive), "unknown inclusive rounding")
	}
	return nil
}
