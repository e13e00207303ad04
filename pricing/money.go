package pricing

import (
	"bytes"
	"encoding/json"
	"math/big"

	"github.com/shopspring/decimal"
)

// Money is an exact decimal amount in an ISO 4217 currency. It is a value:
// every operation returns a new Money.
//
// An amount may carry more digits than its currency's minor unit (a unit
// price of 0.125 USD per foot is fine); document figures — line amounts, tax,
// totals, payments — are always rounded to the minor unit, explicitly, under
// the document's [Rounding]. Combining two currencies is an error
// ([ErrCurrencyMismatch]), never a silent mix.
//
// The zero Money has no currency; it is what an unset field holds. Use
// [Zero] for a zero amount in a currency. Money marshals to JSON as
// {"amount":"12.30","currency":"USD"}, the amount a string with at least the
// currency's minor digits; the zero Money marshals as null.
type Money struct {
	amount   decimal.Decimal
	currency string
}

// maxDigits bounds the digits of a parsed decimal: far beyond any price,
// small enough that a hostile input cannot exhaust memory.
const maxDigits = 40

// parseDecimal parses a plain decimal string: an optional sign, digits, an
// optional fraction. Exponents, spaces and separators are refused.
func parseDecimal(field, s string) (decimal.Decimal, error) {
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		case (c == '-' || c == '+') && i == 0:
		default:
			return decimal.Decimal{}, invalidAmount(field, s, "not a plain decimal number")
		}
	}
	if digits == 0 || digits > maxDigits {
		return decimal.Decimal{}, invalidAmount(field, s, "not a plain decimal number of at most 40 digits")
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, invalidAmount(field, s, err.Error())
	}
	return d, nil
}

// formatDecimal formats d with at least minPlaces decimals and no trailing
// zeros beyond them. It reads none of shopspring/decimal's globals.
func formatDecimal(d decimal.Decimal, minPlaces int32) string {
	places := minPlaces
	if exp := d.Normalize().Exponent(); -exp > places {
		places = -exp
	}
	return d.StringFixed(places)
}

// NewMoney parses amount ("12.30", "-4", "0.125") in currency ("USD").
func NewMoney(amount, currency string) (Money, error) {
	if err := checkCurrency("currency", currency); err != nil {
		return Money{}, err
	}
	d, err := parseDecimal("amount", amount)
	if err != nil {
		return Money{}, err
	}
	return Money{amount: d, currency: currency}, nil
}

// MustMoney is [NewMoney] for constants and tests: it panics on an error.
func MustMoney(amount, currency string) Money {
	m, err := NewMoney(amount, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// MoneyFromMinor returns units minor units of currency: MoneyFromMinor(1234,
// "USD") is 12.34 USD, MoneyFromMinor(1234, "JPY") is 1234 JPY.
func MoneyFromMinor(units int64, currency string) (Money, error) {
	digits, ok := CurrencyDigits(currency)
	if !ok {
		return Money{}, checkCurrency("currency", currency)
	}
	return Money{amount: decimal.New(units, -digits), currency: currency}, nil
}

// MoneyFromDecimal returns d in currency.
func MoneyFromDecimal(d decimal.Decimal, currency string) (Money, error) {
	if err := checkCurrency("currency", currency); err != nil {
		return Money{}, err
	}
	return Money{amount: d, currency: currency}, nil
}

// Zero returns a zero amount in currency, which must be known (it panics
// otherwise, like a constant that does not compile).
func Zero(currency string) Money {
	if err := checkCurrency("currency", currency); err != nil {
		panic(err)
	}
	return Money{currency: currency}
}

// zero is Zero for a currency already validated.
func zero(currency string) Money { return Money{currency: currency} }

// Amount returns the exact amount.
func (m Money) Amount() decimal.Decimal { return m.amount }

// Currency returns the ISO 4217 code, "" for the zero Money.
func (m Money) Currency() string { return m.currency }

// digits returns the currency's minor digits (2 for the zero Money).
func (m Money) digits() int32 {
	if d, ok := currencyDigits[m.currency]; ok {
		return d
	}
	return 2
}

// String returns "12.30 USD".
func (m Money) String() string {
	if m.currency == "" {
		return formatDecimal(m.amount, 0)
	}
	return formatDecimal(m.amount, m.digits()) + " " + m.currency
}

// Number returns the amount as a string with at least the currency's minor
// digits: "12.30", "1234" (JPY), "0.125".
func (m Money) Number() string { return formatDecimal(m.amount, m.digits()) }

// IsZero reports whether the amount is zero (in any currency, or unset).
func (m Money) IsZero() bool { return m.amount.IsZero() }

// IsSet reports whether m has a currency, that is, is not the zero Money.
func (m Money) IsSet() bool { return m.currency != "" }

// Sign returns −1, 0 or +1.
func (m Money) Sign() int { return m.amount.Sign() }

// IsNegative reports whether m < 0.
func (m Money) IsNegative() bool { return m.amount.Sign() < 0 }

// IsPositive reports whether m > 0.
func (m Money) IsPositive() bool { return m.amount.Sign() > 0 }

// IsRounded reports whether m has no more digits than its currency's minor unit.
func (m Money) IsRounded() bool {
	return m.amount.Exponent() >= -m.digits() || m.amount.Normalize().Exponent() >= -m.digits()
}

func (m Money) same(o Money) error {
	if m.currency != o.currency {
		return &MismatchError{A: m.currency, B: o.currency}
	}
	return nil
}

// Add returns m + o; the currencies must match.
func (m Money) Add(o Money) (Money, error) {
	if err := m.same(o); err != nil {
		return Money{}, err
	}
	return Money{amount: m.amount.Add(o.amount), currency: m.currency}, nil
}

// Sub returns m − o; the currencies must match.
func (m Money) Sub(o Money) (Money, error) {
	if err := m.same(o); err != nil {
		return Money{}, err
	}
	return Money{amount: m.amount.Sub(o.amount), currency: m.currency}, nil
}

// Cmp compares m and o (−1, 0, +1); the currencies must match.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.same(o); err != nil {
		return 0, err
	}
	return m.amount.Cmp(o.amount), nil
}

// Equal reports whether m and o have the same currency and the same value
// (12.3 and 12.30 are equal).
func (m Money) Equal(o Money) bool {
	return m.currency == o.currency && m.amount.Equal(o.amount)
}

// Neg returns −m.
func (m Money) Neg() Money { return Money{amount: m.amount.Neg(), currency: m.currency} }

// Abs returns |m|.
func (m Money) Abs() Money { return Money{amount: m.amount.Abs(), currency: m.currency} }

// Mul returns m × d, exact (not rounded).
func (m Money) Mul(d decimal.Decimal) Money {
	return Money{amount: m.amount.Mul(d), currency: m.currency}
}

// Round returns m rounded to its currency's minor unit under mode.
func (m Money) Round(mode RoundingMode) Money {
	return Money{amount: roundDecimal(m.amount, m.digits(), mode), currency: m.currency}
}

// RoundTo returns m rounded to places decimal places under mode (negative
// places round to tens, hundreds, …).
func (m Money) RoundTo(places int32, mode RoundingMode) Money {
	return Money{amount: roundDecimal(m.amount, places, mode), currency: m.currency}
}

// Minor returns m in minor units (1234 for 12.34 USD) and whether it is
// exact and fits an int64. Payment gateways take amounts this way.
func (m Money) Minor() (int64, bool) {
	u, ok := m.units()
	if !ok || !u.IsInt64() {
		return 0, false
	}
	return u.Int64(), true
}

// units returns m in minor units, and false if m is not rounded.
func (m Money) units() (*big.Int, bool) {
	s := m.amount.Shift(m.digits())
	if !s.IsInteger() {
		return nil, false
	}
	return s.BigInt(), true
}

// unitsOf returns a rounded m in minor units, cheaply.
func (m Money) unitsOf() *big.Int {
	c, e := m.amount.Coefficient(), m.amount.Exponent()+m.digits()
	switch {
	case e > 0:
		c.Mul(c, pow10(e))
	case e < 0:
		c.Quo(c, pow10(-e)) // exact: m is rounded
	}
	return c
}

func (m Money) fromUnits(u *big.Int) Money {
	return Money{amount: decimal.NewFromBigInt(u, -m.digits()), currency: m.currency}
}

// moneyJSON is the wire form of Money.
type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// MarshalJSON encodes {"amount":"12.30","currency":"USD"}, or null for the
// zero Money.
func (m Money) MarshalJSON() ([]byte, error) {
	if m.currency == "" {
		return []byte("null"), nil
	}
	return json.Marshal(moneyJSON{Amount: m.Number(), Currency: m.currency})
}

// UnmarshalJSON decodes the form MarshalJSON writes, validating both fields.
func (m *Money) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*m = Money{}
		return nil
	}
	var w moneyJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return invalidAmount("", string(b), "money must be {\"amount\":\"…\",\"currency\":\"…\"}")
	}
	v, err := NewMoney(w.Amount, w.Currency)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// sum adds amounts of one currency (already checked) into a zero of cur.
func sum(cur string, ms ...Money) Money {
	t := zero(cur)
	for _, m := range ms {
		t.amount = t.amount.Add(m.amount)
	}
	return t
}

// minMoney returns the smaller of a and b (same currency).
func minMoney(a, b Money) Money {
	if a.amount.Cmp(b.amount) <= 0 {
		return a
	}
	return b
}
