package pricing

import (
	"encoding/json"

	"github.com/shopspring/decimal"
)

// QuantityPlaces is the most decimal places a [Quantity] may have: 2.5 h,
// 12.75 ft, 0.3333 of a roll.
const QuantityPlaces = 4

// PercentPlaces is the most decimal places a [Percent] may have: 8.875 %,
// 6.0625 %.
const PercentPlaces = 6

// hundredPercent is 100 %.
var hundredPercent = Percent{d: decimal.New(100, 0)}

// Quantity is an exact count of units (hours, feet, each), with at most
// [QuantityPlaces] decimals. It marshals to JSON as a string ("2.5"). The
// zero value is 0.
type Quantity struct{ d decimal.Decimal }

// ParseQuantity parses "2", "2.5", "0.3333".
func ParseQuantity(s string) (Quantity, error) {
	d, err := parseDecimal("quantity", s)
	if err != nil {
		return Quantity{}, err
	}
	return QuantityFromDecimal(d)
}

// MustQuantity is [ParseQuantity] for constants and tests: it panics on an error.
func MustQuantity(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(err)
	}
	return q
}

// Units returns n whole units.
func Units(n int64) Quantity { return Quantity{d: decimal.NewFromInt(n)} }

// QuantityFromDecimal returns d as a quantity; it must have at most
// [QuantityPlaces] decimals.
func QuantityFromDecimal(d decimal.Decimal) (Quantity, error) {
	if d.Normalize().Exponent() < -QuantityPlaces {
		return Quantity{}, invalidAmount("quantity", formatDecimal(d, 0), "more than 4 decimal places")
	}
	return Quantity{d: d}, nil
}

// Decimal returns the exact value.
func (q Quantity) Decimal() decimal.Decimal { return q.d }

// String returns the value without trailing zeros: "2.5".
func (q Quantity) String() string { return formatDecimal(q.d, 0) }

// Sign returns −1, 0 or +1.
func (q Quantity) Sign() int { return q.d.Sign() }

// IsZero reports whether q is 0.
func (q Quantity) IsZero() bool { return q.d.IsZero() }

// Cmp compares q and o.
func (q Quantity) Cmp(o Quantity) int { return q.d.Cmp(o.d) }

// Add returns q + o.
func (q Quantity) Add(o Quantity) Quantity { return Quantity{d: q.d.Add(o.d)} }

// Sub returns q − o.
func (q Quantity) Sub(o Quantity) Quantity { return Quantity{d: q.d.Sub(o.d)} }

// Mul returns q × o, which may have up to 8 decimals: it is exact, use it for
// figures (a bundle's component quantity × the line quantity), not storage.
func (q Quantity) Mul(o Quantity) decimal.Decimal { return q.d.Mul(o.d) }

// MarshalJSON encodes the quantity as a JSON string.
func (q Quantity) MarshalJSON() ([]byte, error) { return json.Marshal(q.String()) }

// UnmarshalJSON decodes a JSON string (or, leniently, a JSON number literal,
// parsed as its exact decimal text — never through a float).
func (q *Quantity) UnmarshalJSON(b []byte) error {
	s, err := jsonDecimalText(b)
	if err != nil {
		return err
	}
	v, err := ParseQuantity(s)
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// Percent is an exact percentage: 8.25 means 8.25 %, never 0.0825. Tax
// rates, markups, discounts, deposits and rule adjustments are all Percents,
// so a rate can never be read in the wrong scale (the reference system
// divided by 100 in one place and not in another). It marshals to JSON as a
// string ("8.25"). The zero value is 0 %.
type Percent struct{ d decimal.Decimal }

// ParsePercent parses "8.25", "-10", "0.5"; at most [PercentPlaces] decimals.
func ParsePercent(s string) (Percent, error) {
	d, err := parseDecimal("percent", s)
	if err != nil {
		return Percent{}, err
	}
	return PercentFromDecimal(d)
}

// MustPercent is [ParsePercent] for constants and tests: it panics on an error.
func MustPercent(s string) Percent {
	p, err := ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return p
}

// PercentFromDecimal returns d percent; at most [PercentPlaces] decimals.
func PercentFromDecimal(d decimal.Decimal) (Percent, error) {
	if d.Normalize().Exponent() < -PercentPlaces {
		return Percent{}, invalidAmount("percent", formatDecimal(d, 0), "more than 6 decimal places")
	}
	return Percent{d: d}, nil
}

// Decimal returns the percentage (8.25 for 8.25 %).
func (p Percent) Decimal() decimal.Decimal { return p.d }

// Fraction returns the percentage as a fraction (0.0825 for 8.25 %), exact.
func (p Percent) Fraction() decimal.Decimal { return p.d.Shift(-2) }

// String returns "8.25".
func (p Percent) String() string { return formatDecimal(p.d, 0) }

// Sign returns −1, 0 or +1.
func (p Percent) Sign() int { return p.d.Sign() }

// IsZero reports whether p is 0 %.
func (p Percent) IsZero() bool { return p.d.IsZero() }

// Cmp compares p and o.
func (p Percent) Cmp(o Percent) int { return p.d.Cmp(o.d) }

func (p Percent) neg() Percent { return Percent{d: p.d.Neg()} }

// Of returns p % of m, exact (not rounded).
func (p Percent) Of(m Money) Money { return m.Mul(p.Fraction()) }

// MarshalJSON encodes the percentage as a JSON string.
func (p Percent) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON decodes a JSON string (or a JSON number literal, read as
// exact decimal text).
func (p *Percent) UnmarshalJSON(b []byte) error {
	s, err := jsonDecimalText(b)
	if err != nil {
		return err
	}
	v, err := ParsePercent(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// jsonDecimalText returns the decimal text of a JSON string or number.
func jsonDecimalText(b []byte) (string, error) {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", invalidAmount("", string(b), "not a JSON string")
		}
		return s, nil
	}
	return string(b), nil
}
