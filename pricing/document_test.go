package pricing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/pricing"
)

func line(id, q, price string, class pricing.TaxClass) pricing.Line {
	return pricing.Line{ID: id, Description: id, Quantity: qty(q), UnitPrice: usd(price), TaxClass: class}
}

func rate(id, r string, classes ...pricing.TaxClass) pricing.TaxRate {
	return pricing.TaxRate{ID: id, Name: id, Rate: pct(r), Classes: classes}
}

func invoiceOf(t *testing.T, cur string, tax pricing.TaxProfile, r pricing.Rounding, lines []pricing.Line, ds []pricing.Discount) *pricing.Invoice {
	t.Helper()
	inv, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: cur, Tax: tax, Rounding: r}, lines, ds, jan)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

type figures struct{ subtotal, discount, tax, total string }

func checkTotals(t *testing.T, name string, got pricing.Totals, want figures) {
	t.Helper()
	g := figures{got.Subtotal.Number(), got.Discount.Number(), got.Tax.Number(), got.Total.Number()}
	if g != want {
		t.Errorf("%s: totals %+v, want %+v", name, g, want)
	}
}

// The tax-inclusive trap (Odoo PR #232186): 24.99 including 20 % is 20.825
// net and 4.165 tax; rounding both gives 20.83 + 4.17 = 25.00. One component
// is rounded and the other derived, so the gross stays 24.99.
func TestTaxInclusive2499(t *testing.T) {
	vat := pricing.TaxProfile{Rates: []pricing.TaxRate{rate("vat", "20", pricing.TaxMaterial)}}
	tests := []struct {
		name string
		r    pricing.Rounding
		want figures
	}{
		{"round tax (Odoo 18)", pricing.Rounding{PricesIncludeTax: true}, figures{"20.82", "0.00", "4.17", "24.99"}},
		{"round net (Zuora)", pricing.Rounding{PricesIncludeTax: true, Inclusive: pricing.RoundNet}, figures{"20.83", "0.00", "4.16", "24.99"}},
		{"per document", pricing.Rounding{PricesIncludeTax: true, TaxLevel: pricing.TaxPerDocument}, figures{"20.82", "0.00", "4.17", "24.99"}},
		{"exclusive, for contrast", pricing.Rounding{}, figures{"24.99", "0.00", "5.00", "29.99"}},
	}
	for _, tt := range tests {
		inv := invoiceOf(t, "USD", vat, tt.r, []pricing.Line{line("1", "1", "24.99", pricing.TaxMaterial)}, nil)
		checkTotals(t, tt.name, inv.Totals, tt.want)
		if tt.r.PricesIncludeTax && inv.Rounding.Inclusive == "" {
			t.Errorf("%s: the inclusive rule is not recorded", tt.name)
		}
	}
	// Three of them: per line, 3 × 4.17; per document, round(3 × 4.165).
	three := []pricing.Line{line("1", "1", "24.99", pricing.TaxMaterial), line("2", "1", "24.99", pricing.TaxMaterial), line("3", "1", "24.99", pricing.TaxMaterial)}
	checkTotals(t, "3 per line", invoiceOf(t, "USD", vat, pricing.Rounding{PricesIncludeTax: true}, three, nil).Totals,
		figures{"62.46", "0.00", "12.51", "74.97"})
	checkTotals(t, "3 per document", invoiceOf(t, "USD", vat, pricing.Rounding{PricesIncludeTax: true, TaxLevel: pricing.TaxPerDocument}, three, nil).Totals,
		figures{"62.47", "0.00", "12.50", "74.97"})
}

func TestTaxPerLineAndPerDocument(t *testing.T) {
	tax := pricing.TaxProfile{Rates: []pricing.TaxRate{rate("st", "8.25", pricing.TaxMaterial)}}
	lines := []pricing.Line{line("a", "1", "0.10", pricing.TaxMaterial), line("b", "1", "0.10", pricing.TaxMaterial), line("c", "1", "0.10", pricing.TaxMaterial)}
	perLine := invoiceOf(t, "USD", tax, pricing.Rounding{}, lines, nil)
	checkTotals(t, "per line", perLine.Totals, figures{"0.30", "0.00", "0.03", "0.33"})
	perDoc := invoiceOf(t, "USD", tax, pricing.Rounding{TaxLevel: pricing.TaxPerDocument}, lines, nil)
	checkTotals(t, "per document", perDoc.Totals, figures{"0.30", "0.00", "0.02", "0.32"})
	if perDoc.Lines[0].Tax.Number() != "0.01" || perDoc.Lines[1].Tax.Number() != "0.01" || perDoc.Lines[2].Tax.Number() != "0.00" {
		t.Errorf("per-document shares %v %v %v", perDoc.Lines[0].Tax, perDoc.Lines[1].Tax, perDoc.Lines[2].Tax)
	}
	if perLine.Rounding.TaxLevel != pricing.TaxPerLine || perLine.Rounding.Mode != pricing.RoundHalfUp {
		t.Errorf("defaults not recorded: %+v", perLine.Rounding)
	}
	down := invoiceOf(t, "USD", tax, pricing.Rounding{Mode: pricing.RoundDown}, []pricing.Line{line("a", "1", "9.99", pricing.TaxMaterial)}, nil)
	checkTotals(t, "round down", down.Totals, figures{"9.99", "0.00", "0.82", "10.81"})
}

// A JPY invoice: no minor unit, so every figure is whole yen.
func TestJPYInvoice(t *testing.T) {
	jct := pricing.TaxProfile{Rates: []pricing.TaxRate{rate("jct", "10", pricing.TaxLabor, pricing.TaxMaterial)}}
	lines := []pricing.Line{
		{ID: "1", Description: "点検", Quantity: qty("1"), UnitPrice: pricing.MustMoney("8800", "JPY"), TaxClass: pricing.TaxLabor},
		{ID: "2", Description: "フィルター", Quantity: qty("3"), UnitPrice: pricing.MustMoney("1980", "JPY"), TaxClass: pricing.TaxMaterial},
		{ID: "3", Description: "配管", Quantity: qty("2.5"), UnitPrice: pricing.MustMoney("333", "JPY"), TaxClass: pricing.TaxMaterial},
	}
	inv := invoiceOf(t, "JPY", jct, pricing.Rounding{Mode: pricing.RoundDown}, lines,
		[]pricing.Discount{{ID: "d", Description: "常連割引", Portion: pricing.Portion{Percent: ptr(pct("5"))}}})
	// 8800 + 5940 + round_down(832.5) = 15572; 5 % = 778.6 → 778, spread 440/297/41;
	// tax round_down 10 % of 8360, 5643, 791 = 836 + 564 + 79.
	checkTotals(t, "JPY", inv.Totals, figures{"15572", "778", "1479", "16273"})
	for _, l := range inv.Lines {
		if !l.Total.IsRounded() || l.Total.Number() != map[string]string{"1": "9196", "2": "6207", "3": "870"}[l.ID] {
			t.Errorf("line %s total %s", l.ID, l.Total.Number())
		}
	}
	if inv.Discounts[0].Applied.Number() != "778" {
		t.Errorf("discount applied %s", inv.Discounts[0].Applied.Number())
	}
}

func TestDiscounts(t *testing.T) {
	tax := pricing.TaxProfile{Rates: []pricing.TaxRate{rate("st", "10", pricing.TaxMaterial, pricing.TaxLabor)}}
	permit := line("permit", "1", "50.00", pricing.TaxExempt)
	permit.NotDiscountable = true
	a := line("a", "2", "100.00", pricing.TaxMaterial)
	a.LineDiscount = pricing.PercentOff(pct("10")) // 200 → 180
	b := line("b", "1", "30.00", pricing.TaxLabor)
	b.LineDiscount = pricing.AmountOff(usd("45.00")) // capped at 30 → 0
	c := line("c", "1", "60.00", pricing.TaxLabor)
	inv := invoiceOf(t, "USD", tax, pricing.Rounding{}, []pricing.Line{permit, a, b, c}, []pricing.Discount{
		{ID: "senior", Portion: pricing.Portion{Percent: ptr(pct("10"))}},    // 10 % of 240 = 24: 18 + 0 + 6
		{ID: "coupon", Portion: pricing.Portion{Amount: ptr(usd("500.00"))}}, // capped at what is left: 216
	})
	want := map[string]struct{ discount, tax, total string }{
		"permit": {"0.00", "0.00", "50.00"},
		"a":      {"200.00", "0.00", "0.00"},
		"b":      {"30.00", "0.00", "0.00"},
		"c":      {"60.00", "0.00", "0.00"},
	}
	for _, l := range inv.Lines {
		w := want[l.ID]
		if l.Discount.Number() != w.discount || l.Tax.Number() != w.tax || l.Total.Number() != w.total {
			t.Errorf("line %s: discount %s tax %s total %s, want %+v", l.ID, l.Discount.Number(), l.Tax.Number(), l.Total.Number(), w)
		}
	}
	if inv.Discounts[0].Applied.Number() != "24.00" || inv.Discounts[1].Applied.Number() != "216.00" {
		t.Errorf("applied %s, %s", inv.Discounts[0].Applied.Number(), inv.Discounts[1].Applied.Number())
	}
	checkTotals(t, "discounts", inv.Totals, figures{"340.00", "290.00", "0.00", "50.00"})

	// A percent spread by largest remainder across three equal lines.
	three := []pricing.Line{line("1", "1", "10.00", pricing.TaxExempt), line("2", "1", "10.00", pricing.TaxExempt), line("3", "1", "10.00", pricing.TaxExempt)}
	inv = invoiceOf(t, "USD", pricing.TaxProfile{}, pricing.Rounding{}, three, []pricing.Discount{{Portion: pricing.Portion{Amount: ptr(usd("1.00"))}}})
	if inv.Lines[0].Discount.Number() != "0.34" || inv.Lines[1].Discount.Number() != "0.33" || inv.Lines[2].Discount.Number() != "0.33" {
		t.Errorf("spread %v %v %v", inv.Lines[0].Discount, inv.Lines[1].Discount, inv.Lines[2].Discount)
	}
	if inv.Discounts[0].ID != "D1" {
		t.Errorf("discount id %q", inv.Discounts[0].ID)
	}
}

func TestTaxClassesAndExemptions(t *testing.T) {
	tax := pricing.TaxProfile{Rates: []pricing.TaxRate{
		rate("state", "6.25", pricing.TaxMaterial, pricing.TaxEquipment),
		rate("county", "1", pricing.TaxMaterial, pricing.TaxEquipment, pricing.TaxLabor),
		rate("city-labor", "0.5", pricing.TaxLabor),
	}}
	lines := []pricing.Line{line("mat", "1", "100.00", pricing.TaxMaterial), line("lab", "2", "50.00", pricing.TaxLabor), line("ex", "1", "40.00", pricing.TaxExempt)}
	inv := invoiceOf(t, "USD", tax, pricing.Rounding{}, lines, nil)
	checkTotals(t, "stacked", inv.Totals, figures{"240.00", "0.00", "8.75", "248.75"})
	bases := map[string]string{}
	for _, tl := range inv.Totals.Taxes {
		bases[tl.RateID] = tl.Base.Number() + "/" + tl.Amount.Number()
	}
	if bases["state"] != "100.00/6.25" || bases["county"] != "200.00/2.00" || bases["city-labor"] != "100.00/0.50" {
		t.Errorf("tax lines %v", bases)
	}
	tax.Exempt, tax.ExemptionID = true, "TX-EXEMPT-01"
	inv = invoiceOf(t, "USD", tax, pricing.Rounding{}, lines, nil)
	checkTotals(t, "exempt customer", inv.Totals, figures{"240.00", "0.00", "0.00", "240.00"})
	if len(inv.Totals.Taxes) != 0 {
		t.Errorf("exempt customer has tax lines %v", inv.Totals.Taxes)
	}
}

func TestZoneProfileByDate(t *testing.T) {
	zone := pricing.TaxZone{ID: "z", Rates: []pricing.TaxRate{
		{ID: "old", Rate: pct("8"), Classes: []pricing.TaxClass{pricing.TaxMaterial}, EffectiveTo: jan},
		{ID: "new", Rate: pct("8.5"), Classes: []pricing.TaxClass{pricing.TaxMaterial}, EffectiveFrom: jan},
	}}
	before, err := zone.Profile(jan.Add(-time.Hour))
	if err != nil || len(before.Rates) != 1 || before.Rates[0].ID != "old" {
		t.Errorf("before: %+v %v", before, err)
	}
	after, _ := zone.Profile(jan)
	if len(after.Rates) != 1 || after.Rates[0].ID != "new" || after.ZoneID != "z" {
		t.Errorf("after: %+v", after)
	}
	bad := pricing.TaxZone{Rates: []pricing.TaxRate{{ID: "x", Rate: pct("101")}}}
	if _, err := bad.Profile(jan); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("rate over 100 %%: %v", err)
	}
}

func TestTieredLine(t *testing.T) {
	l := pricing.Line{ID: "labor", Quantity: qty("3.5"), TaxClass: pricing.TaxLabor, UnitPrice: usd("0"),
		Tiers: []pricing.Tier{{Quantity: qty("2"), UnitPrice: usd("150.00")}, {Quantity: qty("1.5"), UnitPrice: usd("130.00")}}}
	inv := invoiceOf(t, "USD", pricing.TaxProfile{}, pricing.Rounding{}, []pricing.Line{l}, nil)
	if inv.Lines[0].Amount.Number() != "495.00" {
		t.Errorf("tiered amount %s", inv.Lines[0].Amount.Number())
	}
	l.Tiers[1].Quantity = qty("1")
	if _, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{l}, nil, jan); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("tiers not summing to the quantity: %v", err)
	}
}

// Per-document tax of several stacked rates inclusive in the price, on lines
// of a cent: every line keeps a non-negative net.
func TestInclusivePerDocumentTinyLines(t *testing.T) {
	tax := pricing.TaxProfile{Rates: []pricing.TaxRate{
		rate("a", "30", pricing.TaxMaterial), rate("b", "30", pricing.TaxMaterial), rate("c", "30", pricing.TaxMaterial),
	}}
	var lines []pricing.Line
	for _, id := range []string{"1", "2", "3", "4", "5", "6", "7"} {
		lines = append(lines, line(id, "1", "0.01", pricing.TaxMaterial))
	}
	lines = append(lines, line("big", "1", "1.00", pricing.TaxMaterial))
	for _, mode := range []pricing.RoundingMode{pricing.RoundUp, pricing.RoundHalfUp} {
		inv := invoiceOf(t, "USD", tax, pricing.Rounding{Mode: mode, PricesIncludeTax: true, TaxLevel: pricing.TaxPerDocument}, lines, nil)
		for _, l := range inv.Lines {
			if l.Net.IsNegative() {
				t.Errorf("%s: line %s net %v", mode, l.ID, l.Net)
			}
		}
		checkTotals(t, string(mode), inv.Totals, map[pricing.RoundingMode]figures{
			pricing.RoundUp:     {"0.56", "0.00", "0.51", "1.07"},
			pricing.RoundHalfUp: {"0.56", "0.00", "0.51", "1.07"},
		}[mode])
	}
}

func TestDocumentValidation(t *testing.T) {
	eur := pricing.MustMoney("1.00", "EUR")
	good := func() pricing.Line { return line("1", "1", "10.00", pricing.TaxMaterial) }
	tests := []struct {
		name   string
		edit   func(l *pricing.Line, h *pricing.Invoice, ds *[]pricing.Discount)
		target error
	}{
		{"negative quantity", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) { l.Quantity = qty("-1") }, pricing.ErrInvalidAmount},
		{"no tax class", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) { l.TaxClass = "" }, pricing.ErrInvalidInput},
		{"no price", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) { l.UnitPrice = pricing.Money{} }, pricing.ErrInvalidInput},
		{"negative price", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) { l.UnitPrice = usd("-1") }, pricing.ErrInvalidAmount},
		{"price in euros", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) { l.UnitPrice = eur }, pricing.ErrCurrencyMismatch},
		{"cost in euros", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) { l.UnitCost = eur }, pricing.ErrCurrencyMismatch},
		{"negative tier", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) {
			l.Tiers = []pricing.Tier{{Quantity: qty("-1"), UnitPrice: usd("1")}}
		}, pricing.ErrInvalidAmount},
		{"tier in euros", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) {
			l.Tiers = []pricing.Tier{{Quantity: qty("1"), UnitPrice: eur}}
		}, pricing.ErrCurrencyMismatch},
		{"line discount with both", func(l *pricing.Line, _ *pricing.Invoice, _ *[]pricing.Discount) {
			l.LineDiscount = &pricing.Portion{Percent: ptr(pct("1")), Amount: ptr(usd("1"))}
		}, pricing.ErrInvalidInput},
		{"discount over 100 %", func(_ *pricing.Line, _ *pricing.Invoice, ds *[]pricing.Discount) {
			*ds = []pricing.Discount{{Portion: pricing.Portion{Percent: ptr(pct("101"))}}}
		}, pricing.ErrInvalidAmount},
		{"discount in euros", func(_ *pricing.Line, _ *pricing.Invoice, ds *[]pricing.Discount) {
			*ds = []pricing.Discount{{Portion: pricing.Portion{Amount: &eur}}}
		}, pricing.ErrCurrencyMismatch},
		{"unrounded discount", func(_ *pricing.Line, _ *pricing.Invoice, ds *[]pricing.Discount) {
			*ds = []pricing.Discount{{Portion: pricing.Portion{Amount: ptr(usd("0.001"))}}}
		}, pricing.ErrInvalidAmount},
		{"duplicate discount", func(_ *pricing.Line, _ *pricing.Invoice, ds *[]pricing.Discount) {
			*ds = []pricing.Discount{{ID: "x", Portion: pricing.Portion{Amount: ptr(usd("1"))}}, {ID: "x", Portion: pricing.Portion{Amount: ptr(usd("1"))}}}
		}, pricing.ErrInvalidInput},
		{"no id", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) { h.ID = "" }, pricing.ErrInvalidInput},
		{"unknown currency", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) { h.Currency = "US" }, pricing.ErrUnknownCurrency},
		{"unknown rounding", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) { h.Rounding.Mode = "NEAREST" }, pricing.ErrInvalidInput},
		{"unknown tax level", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) { h.Rounding.TaxLevel = "X" }, pricing.ErrInvalidInput},
		{"unknown inclusive", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) { h.Rounding.Inclusive = "X" }, pricing.ErrInvalidInput},
		{"bad terms", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) { h.Terms = pricing.Net(0) }, pricing.ErrInvalidInput},
		{"bad terms kind", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) { h.Terms = pricing.Terms{Kind: "EOM"} }, pricing.ErrInvalidInput},
		{"days on receipt", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) { h.Terms = pricing.Terms{Days: 3} }, pricing.ErrInvalidInput},
		{"rate without id", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) {
			h.Tax.Rates = []pricing.TaxRate{{Rate: pct("1")}}
		}, pricing.ErrInvalidInput},
		{"rates above 100 %", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) {
			h.Tax.Rates = []pricing.TaxRate{rate("x", "60", pricing.TaxMaterial), rate("y", "50", pricing.TaxMaterial, pricing.TaxLabor)}
		}, pricing.ErrInvalidAmount},
		{"huge amount discount", func(_ *pricing.Line, _ *pricing.Invoice, ds *[]pricing.Discount) {
			*ds = []pricing.Discount{{Portion: pricing.Portion{Amount: ptr(usd("100000000000000000000000"))}}}
		}, nil},
		{"duplicate rate", func(_ *pricing.Line, h *pricing.Invoice, _ *[]pricing.Discount) {
			h.Tax.Rates = []pricing.TaxRate{rate("x", "1"), rate("x", "2")}
		}, pricing.ErrInvalidInput},
	}
	for _, tt := range tests {
		l, h, ds := good(), pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Discount(nil)
		tt.edit(&l, &h, &ds)
		_, err := pricing.NewInvoice(h, []pricing.Line{l}, ds, jan)
		if !errors.Is(err, tt.target) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.target)
		}
	}
	if _, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{good(), good()}, nil, jan); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("duplicate line ids: %v", err)
	}
	// Lines without ids get the first free "L<n>".
	a, b := good(), good()
	a.ID, b.ID = "", "L1"
	inv, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{a, b}, nil, jan)
	if err != nil || inv.Lines[0].ID != "L2" || inv.Lines[1].ID != "L1" {
		t.Errorf("ids: %v %v", inv, err)
	}
}
