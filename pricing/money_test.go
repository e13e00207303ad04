package pricing_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/hestami-ai/opsengine/pricing"
	"github.com/shopspring/decimal"
)

func TestNewMoney(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             string
		err              error
	}{
		{"12.3", "USD", "12.30 USD", nil},
		{"0.125", "USD", "0.125 USD", nil},
		{"-4", "EUR", "-4.00 EUR", nil},
		{"+7", "JPY", "7 JPY", nil},
		{"1234", "JPY", "1234 JPY", nil},
		{"1.5", "BHD", "1.500 BHD", nil},
		{"12.30", "usd", "", pricing.ErrUnknownCurrency},
		{"12.30", "XXX", "", pricing.ErrUnknownCurrency},
		{"1e3", "USD", "", pricing.ErrInvalidAmount},
		{"1,000.00", "USD", "", pricing.ErrInvalidAmount},
		{" 1", "USD", "", pricing.ErrInvalidAmount},
		{"", "USD", "", pricing.ErrInvalidAmount},
		{".", "USD", "", pricing.ErrInvalidAmount},
		{"1.2.3", "USD", "", pricing.ErrInvalidAmount},
		{"--1", "USD", "", pricing.ErrInvalidAmount},
		{"12345678901234567890123456789012345678901", "USD", "", pricing.ErrInvalidAmount},
	}
	for _, tt := range tests {
		m, err := pricing.NewMoney(tt.amount, tt.currency)
		if !errors.Is(err, tt.err) {
			t.Errorf("NewMoney(%q, %q) error %v, want %v", tt.amount, tt.currency, err, tt.err)
			continue
		}
		if err == nil && m.String() != tt.want {
			t.Errorf("NewMoney(%q, %q) = %s, want %s", tt.amount, tt.currency, m, tt.want)
		}
	}
}

func TestMoneyConstructorsAndAccessors(t *testing.T) {
	m, err := pricing.MoneyFromMinor(1234, "USD")
	if err != nil || m.String() != "12.34 USD" {
		t.Fatalf("MoneyFromMinor = %v, %v", m, err)
	}
	if m, _ := pricing.MoneyFromMinor(1234, "JPY"); m.Number() != "1234" {
		t.Errorf("JPY minor = %s", m.Number())
	}
	if _, err := pricing.MoneyFromMinor(1, "ZZZ"); !errors.Is(err, pricing.ErrUnknownCurrency) {
		t.Errorf("MoneyFromMinor(ZZZ) = %v", err)
	}
	d, _ := pricing.MoneyFromDecimal(decimal.New(5, -1), "EUR")
	if d.String() != "0.50 EUR" || d.Currency() != "EUR" || !d.Amount().Equal(decimal.New(5, -1)) {
		t.Errorf("MoneyFromDecimal = %v", d)
	}
	if _, err := pricing.MoneyFromDecimal(decimal.Zero, "??"); !errors.Is(err, pricing.ErrUnknownCurrency) {
		t.Errorf("MoneyFromDecimal(??) = %v", err)
	}
	if u, ok := usd("12.34").Minor(); !ok || u != 1234 {
		t.Errorf("Minor = %d, %v", u, ok)
	}
	if _, ok := usd("0.125").Minor(); ok {
		t.Error("Minor of an unrounded amount is exact")
	}
	if _, ok := usd("999999999999999999999").Minor(); ok {
		t.Error("Minor overflowed silently")
	}
	var unset pricing.Money
	if unset.IsSet() || !unset.IsZero() || unset.String() != "0" || usd("0").IsSet() == false {
		t.Errorf("zero Money: set %v, %q", unset.IsSet(), unset.String())
	}
	if !pricing.Zero("JPY").IsZero() || pricing.Zero("JPY").String() != "0 JPY" {
		t.Errorf("Zero(JPY) = %v", pricing.Zero("JPY"))
	}
	if d, ok := pricing.CurrencyDigits("KWD"); !ok || d != 3 {
		t.Errorf("CurrencyDigits(KWD) = %d, %v", d, ok)
	}
	mustPanic(t, "MustMoney", func() { pricing.MustMoney("x", "USD") })
	mustPanic(t, "Zero", func() { pricing.Zero("nope") })
	mustPanic(t, "MustQuantity", func() { pricing.MustQuantity("1.23456") })
	mustPanic(t, "MustPercent", func() { pricing.MustPercent("1.1234567") })
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", name)
		}
	}()
	f()
}

func TestMoneyArithmetic(t *testing.T) {
	a, b := usd("10.25"), usd("0.75")
	if s, err := a.Add(b); err != nil || s.String() != "11.00 USD" {
		t.Errorf("Add = %v, %v", s, err)
	}
	if s, err := a.Sub(b); err != nil || s.String() != "9.50 USD" {
		t.Errorf("Sub = %v, %v", s, err)
	}
	if c, err := a.Cmp(b); err != nil || c != 1 {
		t.Errorf("Cmp = %d, %v", c, err)
	}
	if !usd("12.3").Equal(usd("12.30")) || usd("1").Equal(pricing.MustMoney("1", "EUR")) {
		t.Error("Equal")
	}
	if a.Neg().String() != "-10.25 USD" || !a.Neg().Abs().Equal(a) || !a.Neg().IsNegative() || !a.IsPositive() || a.Sign() != 1 {
		t.Error("Neg/Abs/sign")
	}
	if m := usd("19.99").Mul(decimal.New(3, 0)); m.String() != "59.97 USD" {
		t.Errorf("Mul = %v", m)
	}
	eur := pricing.MustMoney("1", "EUR")
	for name, f := range map[string]func() error{
		"Add": func() error { _, err := a.Add(eur); return err },
		"Sub": func() error { _, err := a.Sub(eur); return err },
		"Cmp": func() error { _, err := a.Cmp(eur); return err },
	} {
		err := f()
		var me *pricing.MismatchError
		if !errors.Is(err, pricing.ErrCurrencyMismatch) || !errors.As(err, &me) || me.A != "USD" || me.B != "EUR" {
			t.Errorf("%s across currencies: %v", name, err)
		}
		if err.Error() != "pricing: currency mismatch: USD and EUR" {
			t.Errorf("message %q", err)
		}
	}
}

func TestRoundingModes(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		mode     pricing.RoundingMode
		want     string
	}{
		{"0.125", "USD", pricing.RoundHalfUp, "0.13"},
		{"-0.125", "USD", pricing.RoundHalfUp, "-0.13"},
		{"0.125", "USD", pricing.RoundHalfEven, "0.12"},
		{"0.135", "USD", pricing.RoundHalfEven, "0.14"},
		{"0.125", "USD", pricing.RoundHalfDown, "0.12"},
		{"0.1251", "USD", pricing.RoundHalfDown, "0.13"},
		{"-0.125", "USD", pricing.RoundHalfDown, "-0.12"},
		{"0.121", "USD", pricing.RoundUp, "0.13"},
		{"-0.121", "USD", pricing.RoundUp, "-0.13"},
		{"0.129", "USD", pricing.RoundDown, "0.12"},
		{"-0.129", "USD", pricing.RoundDown, "-0.12"},
		{"0.125", "USD", "", "0.13"},
		{"2.5", "JPY", pricing.RoundHalfUp, "3"},
		{"2.5", "JPY", pricing.RoundHalfEven, "2"},
		{"1.0005", "BHD", pricing.RoundHalfUp, "1.001"},
		{"7", "USD", pricing.RoundDown, "7.00"},
	}
	for _, tt := range tests {
		got := pricing.MustMoney(tt.in, tt.currency).Round(tt.mode)
		if got.Number() != tt.want || !got.IsRounded() {
			t.Errorf("Round(%s %s, %s) = %s, want %s", tt.in, tt.currency, tt.mode, got.Number(), tt.want)
		}
	}
	if got := usd("1234.5").RoundTo(-2, pricing.RoundHalfUp); got.Number() != "1200.00" {
		t.Errorf("RoundTo(-2) = %s", got.Number())
	}
	if pricing.RoundingMode("CEILING").Valid() || !pricing.RoundHalfDown.Valid() {
		t.Error("Valid")
	}
}

func TestMoneyJSON(t *testing.T) {
	type doc struct {
		Price pricing.Money    `json:"price"`
		Unset pricing.Money    `json:"unset"`
		Qty   pricing.Quantity `json:"qty"`
		Rate  pricing.Percent  `json:"rate"`
	}
	in := doc{Price: usd("12.3"), Qty: qty("2.5"), Rate: pct("8.25")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"price":{"amount":"12.30","currency":"USD"},"unset":null,"qty":"2.5","rate":"8.25"}`
	if string(b) != want {
		t.Fatalf("JSON %s, want %s", b, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out.Price.Equal(in.Price) || out.Unset.IsSet() || out.Qty.Cmp(in.Qty) != 0 || out.Rate.Cmp(in.Rate) != 0 {
		t.Errorf("round trip %+v", out)
	}
	// Numbers are read as exact decimal text, never through a float.
	if err := json.Unmarshal([]byte(`{"qty":0.1,"rate":7.125}`), &out); err != nil || out.Qty.String() != "0.1" || out.Rate.String() != "7.125" {
		t.Errorf("numbers: %v %v %v", out.Qty, out.Rate, err)
	}
	for _, bad := range []string{
		`{"price":{"amount":"1","currency":"ABC"}}`,
		`{"price":{"amount":"1e2","currency":"USD"}}`,
		`{"price":"12.30"}`,
		`{"qty":"1.23456"}`,
		`{"qty":"abc"}`,
		`{"rate":"x"}`,
		`{"qty":"\u"}`,
	} {
		if err := json.Unmarshal([]byte(bad), &out); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}

func TestQuantityAndPercent(t *testing.T) {
	q := qty("2.5000")
	if q.String() != "2.5" || q.Sign() != 1 || q.IsZero() || q.Add(qty("0.5")).String() != "3" || q.Sub(qty("3")).String() != "-0.5" {
		t.Errorf("quantity ops: %v", q)
	}
	if !q.Mul(qty("2")).Equal(decimal.New(5, 0)) || !q.Decimal().Equal(decimal.New(25, -1)) || pricing.Units(3).String() != "3" {
		t.Error("quantity conversions")
	}
	if _, err := pricing.ParseQuantity("0.00001"); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("5 decimals: %v", err)
	}
	if _, err := pricing.QuantityFromDecimal(decimal.New(1, -5)); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("5 decimals: %v", err)
	}
	p := pct("8.25")
	if p.String() != "8.25" || !p.Fraction().Equal(decimal.New(825, -4)) || p.Of(usd("100")).Number() != "8.25" || p.Sign() != 1 || p.IsZero() {
		t.Errorf("percent: %v", p)
	}
	if !p.Decimal().Equal(decimal.New(825, -2)) {
		t.Error("percent decimal")
	}
	if _, err := pricing.PercentFromDecimal(decimal.New(1, -7)); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("7 decimals: %v", err)
	}
	if _, err := pricing.ParsePercent("1e2"); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("exponent: %v", err)
	}
}

func TestSplitAndAllocate(t *testing.T) {
	tests := []struct {
		total   pricing.Money
		weights []string
		want    []string
	}{
		{usd("100.00"), []string{"1", "1", "1"}, []string{"33.34", "33.33", "33.33"}},
		{usd("-100.00"), []string{"1", "1", "1"}, []string{"-33.34", "-33.33", "-33.33"}},
		{usd("0.05"), []string{"1", "1", "1"}, []string{"0.02", "0.02", "0.01"}},
		{usd("10.00"), []string{"70", "30"}, []string{"7.00", "3.00"}},
		{usd("10.00"), []string{"0.333", "0.333", "0.334"}, []string{"3.33", "3.33", "3.34"}},
		{usd("1.00"), []string{"0", "2", "1"}, []string{"0.00", "0.67", "0.33"}},
		{pricing.MustMoney("1000", "JPY"), []string{"1", "1", "1"}, []string{"334", "333", "333"}},
		{pricing.MustMoney("1.000", "BHD"), []string{"1", "2"}, []string{"0.333", "0.667"}},
	}
	for _, tt := range tests {
		ws := make([]decimal.Decimal, len(tt.weights))
		for i, w := range tt.weights {
			ws[i] = decimal.RequireFromString(w)
		}
		parts, err := tt.total.Allocate(ws...)
		if err != nil {
			t.Errorf("Allocate(%v, %v): %v", tt.total, tt.weights, err)
			continue
		}
		for i, p := range parts {
			if p.Number() != tt.want[i] {
				t.Errorf("Allocate(%v, %v)[%d] = %s, want %s", tt.total, tt.weights, i, p.Number(), tt.want[i])
			}
		}
	}
	parts, err := usd("100.00").Split(3)
	if err != nil || parts[0].Number() != "33.34" || parts[1].Number() != "33.33" || parts[2].Number() != "33.33" {
		t.Errorf("Split(3) = %v, %v", parts, err)
	}
	for name, f := range map[string]func() error{
		"unrounded":  func() error { _, err := usd("1.005").Split(2); return err },
		"no parts":   func() error { _, err := usd("1").Split(0); return err },
		"no weights": func() error { _, err := usd("1").Allocate(); return err },
		"zero sum":   func() error { _, err := usd("1").Allocate(decimal.Zero, decimal.Zero); return err },
		"negative":   func() error { _, err := usd("1").Allocate(decimal.New(-1, 0), decimal.New(2, 0)); return err },
	} {
		var ie *pricing.InputError
		if err := f(); !errors.As(err, &ie) {
			t.Errorf("%s: %v", name, err)
		} else if ie.Error() == "" {
			t.Errorf("%s: empty message", name)
		}
	}
}
