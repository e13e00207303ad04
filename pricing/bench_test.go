package pricing_test

import (
	"strconv"
	"testing"

	"github.com/hestami-ai/opsengine/pricing"
	"github.com/shopspring/decimal"
)

// benchLines returns n lines of varied quantities, prices, tax classes and
// line discounts.
func benchLines(n int) []pricing.Line {
	classes := []pricing.TaxClass{pricing.TaxMaterial, pricing.TaxLabor, pricing.TaxEquipment, pricing.TaxExempt}
	lines := make([]pricing.Line, n)
	for i := range lines {
		m, _ := pricing.MoneyFromMinor(int64(1999+i*37%50000), "USD")
		c, _ := pricing.MoneyFromMinor(int64(799+i*13%20000), "USD")
		q, _ := pricing.ParseQuantity(strconv.Itoa(1+i%7) + "." + strconv.Itoa(i%4*25))
		lines[i] = pricing.Line{ID: "L" + strconv.Itoa(i), Description: "item", Quantity: q, UnitPrice: m, UnitCost: c, TaxClass: classes[i%len(classes)]}
		if i%5 == 0 {
			lines[i].LineDiscount = pricing.PercentOff(pct("5"))
		}
	}
	return lines
}

var benchTax = pricing.TaxProfile{Rates: []pricing.TaxRate{
	rate("state", "6.25", pricing.TaxMaterial, pricing.TaxEquipment),
	rate("county", "1", pricing.TaxMaterial, pricing.TaxEquipment, pricing.TaxLabor),
	rate("city", "1.25", pricing.TaxMaterial, pricing.TaxEquipment),
}}

// BenchmarkTotalInvoice1000 totals a 1 000-line invoice: three stacked
// rates, line and document discounts, under each rounding policy.
func BenchmarkTotalInvoice1000(b *testing.B) {
	for _, c := range []struct {
		name string
		r    pricing.Rounding
	}{
		{"per-line", pricing.Rounding{}},
		{"per-document", pricing.Rounding{TaxLevel: pricing.TaxPerDocument}},
		{"inclusive-per-line", pricing.Rounding{PricesIncludeTax: true}},
		{"inclusive-per-document", pricing.Rounding{PricesIncludeTax: true, TaxLevel: pricing.TaxPerDocument}},
	} {
		b.Run(c.name, func(b *testing.B) {
			inv, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD", Tax: benchTax, Rounding: c.r}, benchLines(1000),
				[]pricing.Discount{{Portion: pricing.Portion{Percent: ptr(pct("10"))}}, {Portion: pricing.Portion{Amount: ptr(usd("250.00"))}}}, jan)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := inv.Recalculate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBaselineLineArithmetic1000 is the floor the invoice benchmark is
// read against: for 1 000 lines, quantity × price rounded and summed, with
// one 8.5 % tax each, in bare shopspring/decimal.
func BenchmarkBaselineLineArithmetic1000(b *testing.B) {
	lines := benchLines(1000)
	rate := decimal.New(85, -3)
	b.ReportAllocs()
	for b.Loop() {
		total := decimal.Zero
		for i := range lines {
			a := lines[i].UnitPrice.Amount().Mul(lines[i].Quantity.Decimal()).Round(2)
			total = total.Add(a).Add(a.Mul(rate).Round(2))
		}
		_ = total
	}
}

// BenchmarkPriceEstimate50 prices a 50-line estimate option from the
// pricebook (rules, progressive labor, bundles, markup tables) and totals it.
func BenchmarkPriceEstimate50(b *testing.B) {
	v := fixtureVersion()
	p, err := pricing.NewPricer(&v)
	if err != nil {
		b.Fatal(err)
	}
	items := []string{"tuneup", "drain", "labor", "filter", "cap", "coil", "wire", "furnace", "dyn", "kit"}
	reqs := make([]pricing.LineRequest, 50)
	for i := range reqs {
		reqs[i] = pricing.LineRequest{ItemID: items[i%len(items)], Quantity: pricing.Units(int64(1 + i%12))}
	}
	ctx := pricing.Context{At: jan, MembershipPlanID: "basic", AssociationID: "oakwood", AfterHours: true}
	b.ReportAllocs()
	for b.Loop() {
		est, err := pricing.NewEstimate(pricing.Estimate{ID: "E", Currency: "USD", Tax: benchTax, Deposit: pricing.PercentOff(pct("30"))}, jan)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := est.AddOption(p, pricing.OptionRequest{ID: "o", Lines: reqs, DiscountItemIDs: []string{"promo"}}, ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewPricer validates and indexes a version (done once per
// published version and cached).
func BenchmarkNewPricer(b *testing.B) {
	v := fixtureVersion()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pricing.NewPricer(&v); err != nil {
			b.Fatal(err)
		}
	}
}
