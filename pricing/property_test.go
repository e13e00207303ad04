package pricing

// Property tests: the invariants of the package, over random currencies,
// quantities with up to 4 decimals, prices, rates, discounts and rounding
// policies. The checker below restates each rule directly, in exact
// rational arithmetic, independently of the code that computes documents.

import (
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var testCurrencies = []string{"USD", "EUR", "JPY", "BHD", "KWD", "CLF", "CHF", "ISK"}

var allModes = []RoundingMode{RoundHalfUp, RoundHalfEven, RoundHalfDown, RoundUp, RoundDown}

func genCurrency(t *rapid.T) string { return rapid.SampledFrom(testCurrencies).Draw(t, "currency") }

// genAmount draws a non-negative amount of up to maxUnits minor units, with
// up to extra more decimals than the currency has.
func genAmount(t *rapid.T, cur string, maxUnits int64, extra int, label string) Money {
	digits, _ := CurrencyDigits(cur)
	places := digits + int32(rapid.IntRange(0, extra).Draw(t, label+".extra"))
	units := rapid.Int64Range(0, maxUnits).Draw(t, label) * pow10(places-digits).Int64()
	units += rapid.Int64Range(0, pow10(places-digits).Int64()-1).Draw(t, label+".frac")
	return Money{amount: decimal.New(units, -places), currency: cur}
}

func genQuantity(t *rapid.T, label string) Quantity {
	places := rapid.IntRange(0, QuantityPlaces).Draw(t, label+".places")
	return Quantity{d: decimal.New(rapid.Int64Range(0, 30000).Draw(t, label), -int32(places))}
}

func genPercent(t *rapid.T, max int64, label string) Percent {
	return Percent{d: decimal.New(rapid.Int64Range(0, max*1000).Draw(t, label), -3)}
}

var taxableClasses = []TaxClass{TaxLabor, TaxMaterial, TaxEquipment}

func genProfile(t *rapid.T) TaxProfile {
	var p TaxProfile
	n := rapid.IntRange(0, 3).Draw(t, "rates")
	for j := range n {
		classes := rapid.SliceOfNDistinct(rapid.SampledFrom(taxableClasses), 1, 3, func(c TaxClass) TaxClass { return c }).Draw(t, "classes")
		p.Rates = append(p.Rates, TaxRate{ID: string(rune('a' + j)), Name: "rate", Rate: genPercent(t, 12, "rate"), Classes: classes})
	}
	p.Exempt = rapid.IntRange(0, 9).Draw(t, "exempt") == 0
	return p
}

func genRounding(t *rapid.T) Rounding {
	return Rounding{
		Mode:             rapid.SampledFrom(allModes).Draw(t, "mode"),
		TaxLevel:         rapid.SampledFrom([]TaxLevel{TaxPerLine, TaxPerDocument}).Draw(t, "level"),
		PricesIncludeTax: rapid.Bool().Draw(t, "inclusive"),
		Inclusive:        rapid.SampledFrom([]InclusiveRounding{RoundTax, RoundNet}).Draw(t, "target"),
	}
}

func genPortion(t *rapid.T, cur string, label string) *Portion {
	switch rapid.IntRange(0, 2).Draw(t, label) {
	case 0:
		return nil
	case 1:
		p := genPercent(t, 100, label+".percent")
		if p.Cmp(MustPercent("100")) > 0 {
			p = MustPercent("100")
		}
		return &Portion{Percent: &p}
	}
	m := genAmount(t, cur, 50000, 0, label+".amount")
	return &Portion{Amount: &m}
}

func genLine(t *rapid.T, cur string) Line {
	l := Line{
		Type:            ItemMaterial,
		Description:     "line",
		Quantity:        genQuantity(t, "qty"),
		UnitPrice:       genAmount(t, cur, 200000, 2, "price"),
		UnitCost:        genAmount(t, cur, 100000, 2, "cost"),
		TaxClass:        rapid.SampledFrom(append(slices.Clone(taxableClasses), TaxExempt)).Draw(t, "class"),
		NotDiscountable: rapid.IntRange(0, 4).Draw(t, "notDiscountable") == 0,
		LineDiscount:    genPortion(t, cur, "lineDiscount"),
	}
	if rapid.IntRange(0, 5).Draw(t, "tiered") == 0 {
		a, b := genQuantity(t, "tier1"), genQuantity(t, "tier2")
		l.Tiers = []Tier{{Quantity: a, UnitPrice: genAmount(t, cur, 20000, 2, "tier1.price")},
			{Quantity: b, UnitPrice: genAmount(t, cur, 20000, 2, "tier2.price")}}
		l.Quantity = a.Add(b)
	}
	return l
}

// genDocument draws a document's inputs.
func genDocument(t *rapid.T) (cur string, tax TaxProfile, r Rounding, lines []Line, discounts []Discount) {
	cur = genCurrency(t)
	tax, r = genProfile(t), genRounding(t)
	n := rapid.IntRange(0, 12).Draw(t, "lines")
	for range n {
		lines = append(lines, genLine(t, cur))
	}
	for range rapid.IntRange(0, 3).Draw(t, "discounts") {
		if p := genPortion(t, cur, "discount"); p != nil {
			discounts = append(discounts, Discount{Description: "discount", Portion: *p})
		}
	}
	return
}

func ratOf(m Money) *big.Rat { return m.amount.Rat() }

func sumRat(xs ...*big.Rat) *big.Rat {
	s := new(big.Rat)
	for _, x := range xs {
		s.Add(s, x)
	}
	return s
}

// checkDocument restates every rule of a computed document.
func checkDocument(t *rapid.T, cur string, tax *TaxProfile, r Rounding, lines []Line, discounts []Discount, tot Totals) {
	t.Helper()
	r = r.WithDefaults()
	digits, _ := CurrencyDigits(cur)
	mode := r.Mode
	rounded := func(what string, m Money) {
		if m.Currency() != cur || !m.IsRounded() {
			t.Fatalf("%s = %v: not rounded in %s", what, m, cur)
		}
	}
	eq := func(what string, a, b Money) {
		if !a.Equal(b) {
			t.Fatalf("%s: %v ≠ %v", what, a, b)
		}
	}
	for _, m := range []Money{tot.Subtotal, tot.Discount, tot.Tax, tot.Total, tot.Cost, tot.Margin} {
		rounded("totals", m)
	}
	var nets, discs, taxes, totals, costs []Money
	grossDiscount := zero(cur)
	for i := range lines {
		l := &lines[i]
		for _, m := range []Money{l.Amount, l.Net, l.Discount, l.Tax, l.Total, l.Cost} {
			rounded("line "+l.ID, m)
		}
		// Amount = round(qty × price) (or Σ tiers), exactly.
		exact := new(big.Rat).Mul(l.Quantity.d.Rat(), ratOf(l.UnitPrice))
		if len(l.Tiers) > 0 {
			exact = new(big.Rat)
			for _, tr := range l.Tiers {
				exact.Add(exact, new(big.Rat).Mul(tr.Quantity.d.Rat(), ratOf(tr.UnitPrice)))
			}
		}
		eq("amount of "+l.ID, l.Amount, Money{amount: roundRat(exact, digits, mode), currency: cur})
		eq("cost of "+l.ID, l.Cost, Money{amount: roundRat(new(big.Rat).Mul(l.Quantity.d.Rat(), ratOf(l.UnitCost)), digits, mode), currency: cur})
		// Net − Discount + Tax = Total, nothing negative.
		eq("line "+l.ID+" total", l.Total, sum(cur, l.Net, l.Discount.Neg(), l.Tax))
		for _, m := range []Money{l.Net, l.Discount, l.Tax, l.Total, sum(cur, l.Net, l.Discount.Neg())} {
			if m.IsNegative() {
				t.Fatalf("line %s has a negative figure %v: %+v", l.ID, m, l)
			}
		}
		g := sum(cur, l.Amount, l.Discount.Neg()) // exclusive: gross after discounts
		if r.PricesIncludeTax {
			g = l.Total
		}
		if g.IsNegative() || g.amount.Cmp(l.Amount.amount) > 0 {
			t.Fatalf("line %s: gross after discount %v outside [0, %v]", l.ID, g, l.Amount)
		}
		grossDiscount = sum(cur, grossDiscount, l.Amount, g.Neg())
		var taxSum Money = zero(cur)
		for _, x := range l.Taxes {
			taxSum = sum(cur, taxSum, x.Amount)
		}
		eq("line "+l.ID+" Σ taxes", l.Tax, taxSum)
		nets, discs, taxes, totals, costs = append(nets, l.Net), append(discs, l.Discount), append(taxes, l.Tax), append(totals, l.Total), append(costs, l.Cost)
	}
	eq("Σ line net = subtotal", sum(cur, nets...), tot.Subtotal)
	eq("Σ line discount = discount", sum(cur, discs...), tot.Discount)
	eq("Σ line tax = tax", sum(cur, taxes...), tot.Tax)
	eq("Σ line total = total", sum(cur, totals...), tot.Total)
	eq("Σ line cost = cost", sum(cur, costs...), tot.Cost)
	eq("subtotal − discount + tax = total", sum(cur, tot.Subtotal, tot.Discount.Neg(), tot.Tax), tot.Total)
	taxLines := zero(cur)
	for _, x := range tot.Taxes {
		taxLines = sum(cur, taxLines, x.Amount)
	}
	eq("Σ tax lines = tax", taxLines, tot.Tax)
	// Discounts: what the lines lost is what the line and document discounts took.
	taken := zero(cur)
	for _, l := range lines {
		if l.LineDiscount != nil {
			taken = sum(cur, taken, l.LineDiscount.of(l.Amount, mode))
		}
	}
	for _, d := range discounts {
		rounded("discount applied", d.Applied)
		taken = sum(cur, taken, d.Applied)
	}
	eq("discounts taken", grossDiscount, taken)
	checkTaxRule(t, cur, tax, r, lines, tot)
}

// checkTaxRule recomputes each tax line under the recorded rule.
func checkTaxRule(t *rapid.T, cur string, tax *TaxProfile, r Rounding, lines []Line, tot Totals) {
	digits, _ := CurrencyDigits(cur)
	mode := r.Mode
	round := func(x *big.Rat) Money { return Money{amount: roundRat(x, digits, mode), currency: cur} }
	applies := func(l *Line, rate *TaxRate) bool {
		return !tax.Exempt && l.TaxClass != TaxExempt && slices.Contains(rate.Classes, l.TaxClass)
	}
	lineTax := func(l *Line, id string) Money {
		for _, x := range l.Taxes {
			if x.RateID == id {
				return x.Amount
			}
		}
		return zero(cur)
	}
	if !r.PricesIncludeTax {
		for _, tl := range tot.Taxes {
			rate := &tax.Rates[slices.IndexFunc(tax.Rates, func(x TaxRate) bool { return x.ID == tl.RateID })]
			f := new(big.Rat).Quo(rate.Rate.d.Rat(), big.NewRat(100, 1))
			base, want := new(big.Rat), zero(cur)
			for i := range lines {
				l := &lines[i]
				if !applies(l, rate) {
					continue
				}
				b := ratOf(sum(cur, l.Net, l.Discount.Neg()))
				base.Add(base, b)
				exact := new(big.Rat).Mul(b, f)
				if r.TaxLevel == TaxPerLine {
					// each line's tax = round(line base × rate)
					if got := lineTax(l, rate.ID); !got.Equal(round(exact)) {
						t.Fatalf("line %s rate %s: %v, want round(%v × %v) = %v", l.ID, rate.ID, got, b.FloatString(4), rate.Rate, round(exact))
					}
				}
				want = sum(cur, want, lineTax(l, rate.ID))
			}
			if r.TaxLevel == TaxPerDocument {
				want = round(new(big.Rat).Mul(base, f)) // round(Σ base × rate)
				// each line's share is within one unit of its part of the rounded total
				for i := range lines {
					l := &lines[i]
					if !applies(l, rate) || base.Sign() == 0 {
						continue
					}
					part := new(big.Rat).Mul(ratOf(want), ratOf(sum(cur, l.Net, l.Discount.Neg())))
					part.Quo(part, base)
					if d := new(big.Rat).Sub(ratOf(lineTax(l, rate.ID)), part); d.Abs(d).Cmp(big.NewRat(1, pow10(digits).Int64())) >= 0 {
						t.Fatalf("line %s rate %s: share %v not within one unit of %v", l.ID, rate.ID, lineTax(l, rate.ID), part.FloatString(6))
					}
				}
			}
			if !tl.Amount.Equal(want) {
				t.Fatalf("tax line %s: %v, want %v", tl.RateID, tl.Amount, want)
			}
			if ratOf(tl.Base).Cmp(base) != 0 {
				t.Fatalf("tax line %s base %v, want %v", tl.RateID, tl.Base, base.FloatString(4))
			}
		}
		return
	}
	// Inclusive: the tax taken out of the gross of each line (per line) or of
	// all taxed lines (per document) in one step.
	taken := func(group []*Line) (exact *big.Rat, gross Money) {
		exact, gross = new(big.Rat), zero(cur)
		for _, l := range group {
			R := new(big.Rat)
			for j := range tax.Rates {
				if applies(l, &tax.Rates[j]) {
					R.Add(R, tax.Rates[j].Rate.d.Rat())
				}
			}
			g := ratOf(l.Total)
			e := new(big.Rat).Mul(g, R)
			exact.Add(exact, e.Quo(e, new(big.Rat).Add(big.NewRat(100, 1), R)))
			gross = sum(cur, gross, l.Total)
		}
		return exact, gross
	}
	want := func(group []*Line) Money {
		exact, gross := taken(group)
		if r.Inclusive == RoundNet {
			return sum(cur, gross, round(new(big.Rat).Sub(ratOf(gross), exact)).Neg())
		}
		return round(exact)
	}
	var taxed []*Line
	for i := range lines {
		l := &lines[i]
		if !slices.ContainsFunc(tax.Rates, func(x TaxRate) bool { return applies(l, &x) }) {
			if !l.Tax.IsZero() {
				t.Fatalf("untaxed line %s has tax %v", l.ID, l.Tax)
			}
			continue
		}
		taxed = append(taxed, l)
		if r.TaxLevel == TaxPerLine && !l.Tax.Equal(want([]*Line{l})) {
			t.Fatalf("line %s: tax %v, want %v", l.ID, l.Tax, want([]*Line{l}))
		}
	}
	if r.TaxLevel == TaxPerDocument && len(taxed) > 0 && !tot.Tax.Equal(want(taxed)) {
		t.Fatalf("document tax %v, want %v", tot.Tax, want(taxed))
	}
}

func TestPropertyDocumentInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cur, tax, r, lines, discounts := genDocument(t)
		inv, err := NewInvoice(Invoice{ID: "inv", Currency: cur, Tax: tax, Rounding: r}, lines, discounts, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		checkDocument(t, cur, &inv.Tax, inv.Rounding, inv.Lines, inv.Discounts, inv.Totals)
		// Recomputing gives the same figures (documents are reproducible).
		again := cloneJSON(*inv)
		if err := again.Recalculate(); err != nil {
			t.Fatal(err)
		}
		if !again.Totals.Total.Equal(inv.Totals.Total) || !again.Totals.Tax.Equal(inv.Totals.Tax) {
			t.Fatalf("recomputed %v / %v, was %v / %v", again.Totals.Total, again.Totals.Tax, inv.Totals.Total, inv.Totals.Tax)
		}
	})
}

func TestPropertyAllocate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cur := genCurrency(t)
		total := genAmount(t, cur, 10_000_000, 0, "total")
		if rapid.Bool().Draw(t, "negative") {
			total = total.Neg()
		}
		ws := rapid.SliceOfN(rapid.Int64Range(0, 1000), 1, 20).Draw(t, "weights")
		weights := make([]decimal.Decimal, len(ws))
		var w int64
		for i, x := range ws {
			weights[i] = decimal.New(x, -int32(rapid.IntRange(0, 3).Draw(t, "wplaces")))
			w += x
		}
		parts, err := total.Allocate(weights...)
		if weights := sumRat(func() []*big.Rat {
			var rs []*big.Rat
			for _, x := range weights {
				rs = append(rs, x.Rat())
			}
			return rs
		}()...); weights.Sign() == 0 {
			if err == nil {
				t.Fatal("zero weights allocated")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		s := zero(cur)
		W := new(big.Rat)
		for _, x := range weights {
			W.Add(W, x.Rat())
		}
		unit := new(big.Rat).SetFrac(big.NewInt(1), pow10(total.digits()))
		for i, p := range parts {
			if !p.IsRounded() || p.Sign()*total.Sign() < 0 {
				t.Fatalf("part %v of %v", p, total)
			}
			exact := new(big.Rat).Mul(ratOf(total), weights[i].Rat())
			exact.Quo(exact, W)
			d := new(big.Rat).Sub(ratOf(p), exact)
			if d.Abs(d).Cmp(unit) >= 0 {
				t.Fatalf("part %v is a unit or more from its share %s", p, exact.FloatString(6))
			}
			s = sum(cur, s, p)
		}
		if !s.Equal(total) {
			t.Fatalf("parts sum to %v, not %v", s, total)
		}
	})
}

func TestPropertyRoundingMatchesDecimal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := decimal.New(rapid.Int64Range(-1e12, 1e12).Draw(t, "coef"), -int32(rapid.IntRange(0, 8).Draw(t, "exp")))
		places := int32(rapid.IntRange(-2, 6).Draw(t, "places"))
		want := map[RoundingMode]decimal.Decimal{
			RoundHalfUp: d.Round(places), RoundHalfEven: d.RoundBank(places),
			RoundUp: d.RoundUp(places), RoundDown: d.RoundDown(places),
		}
		for m, w := range want {
			if got := roundDecimal(d, places, m); !got.Equal(w) {
				t.Fatalf("%s of %s to %d: %s, want %s", m, d, places, got, w)
			}
		}
		// Half-down: nearest, ties toward zero; every mode is symmetric.
		hd := roundDecimal(d, places, RoundHalfDown)
		diff := d.Sub(hd).Abs().Shift(places)
		half := decimal.New(5, -1)
		if diff.Cmp(half) > 0 || diff.Equal(half) && hd.Abs().Cmp(d.Abs()) > 0 {
			t.Fatalf("half-down of %s to %d: %s", d, places, hd)
		}
		for _, m := range allModes {
			if !roundDecimal(d.Neg(), places, m).Equal(roundDecimal(d, places, m).Neg()) {
				t.Fatalf("%s is not symmetric at %s", m, d)
			}
		}
	})
}

// postedInvoice draws a document and issues it as an invoice.
func postedInvoice(t *rapid.T) *Invoice {
	cur, tax, r, lines, discounts := genDocument(t)
	inv, err := NewInvoice(Invoice{ID: "inv", Currency: cur, Tax: tax, Rounding: r}, lines, discounts, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Lines) == 0 {
		t.Skip("no lines")
	}
	if err := inv.Send(time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestPropertyCreditMemos(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		inv := postedInvoice(t)
		cur := inv.Currency
		var memos []*CreditMemo
		credit := func(reqs []CreditRequest) {
			m, err := NewCreditMemo(CreditMemo{ID: "m" + string(rune('0'+len(memos)))}, inv, memos, reqs, time.Time{})
			if err != nil {
				if !isOverCredit(err) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			memos = append(memos, m)
		}
		for range rapid.IntRange(0, 6).Draw(t, "memos") {
			var reqs []CreditRequest
			for range rapid.IntRange(1, 3).Draw(t, "requests") {
				l := inv.Lines[rapid.IntRange(0, len(inv.Lines)-1).Draw(t, "line")]
				r := CreditRequest{LineID: l.ID}
				switch rapid.IntRange(0, 2).Draw(t, "kind") {
				case 0:
					r.Quantity = genQuantity(t, "creditQty")
					if r.Quantity.IsZero() {
						r.Quantity = Units(1)
					}
				case 1:
					a := genAmount(t, cur, l.Total.amount.Shift(l.Total.digits()).IntPart()+2, 0, "creditAmount")
					if a.IsZero() {
						a = MustMoney("1", cur)
					}
					r.Amount = &a
				}
				reqs = append(reqs, r)
			}
			credit(reqs)
		}
		checkCredits(t, inv, memos, false)
		// Credit all that remains: every line is then given back exactly.
		for _, l := range inv.Lines {
			credit([]CreditRequest{{LineID: l.ID}})
		}
		checkCredits(t, inv, memos, true)
		_ = cur
	})
}

func isOverCredit(err error) bool {
	_, ok := err.(*CreditError)
	return ok
}

// checkCredits checks the memos against the invoice: each memo line is the
// negative of a part of its line, the parts never exceed the line in any
// component, and when complete they equal it exactly.
func checkCredits(t *rapid.T, inv *Invoice, memos []*CreditMemo, complete bool) {
	cur := inv.Currency
	type acc struct{ amount, net, discount, tax, total Money }
	got := map[string]*acc{}
	rates := map[string]map[string]Money{}
	memoTotal := zero(cur)
	for _, m := range memos {
		var lineTotals []Money
		for _, l := range m.Lines {
			for _, x := range []Money{l.Amount, l.Net, l.Discount, l.Tax, l.Total} {
				if x.IsPositive() || !x.IsRounded() {
					t.Fatalf("memo %s line %s figure %v", m.ID, l.ID, x)
				}
			}
			if !l.Total.Equal(sum(cur, l.Net, l.Discount.Neg(), l.Tax)) {
				t.Fatalf("memo line %s: net − discount + tax ≠ total", l.ID)
			}
			a := got[l.OriginalLineID]
			if a == nil {
				a = &acc{zero(cur), zero(cur), zero(cur), zero(cur), zero(cur)}
				got[l.OriginalLineID], rates[l.OriginalLineID] = a, map[string]Money{}
			}
			a.amount, a.net, a.discount = sum(cur, a.amount, l.Amount.Neg()), sum(cur, a.net, l.Net.Neg()), sum(cur, a.discount, l.Discount.Neg())
			a.tax, a.total = sum(cur, a.tax, l.Tax.Neg()), sum(cur, a.total, l.Total.Neg())
			for _, x := range l.Taxes {
				if x.Amount.IsPositive() {
					t.Fatalf("memo line %s: positive tax %v", l.ID, x.Amount)
				}
				rates[l.OriginalLineID][x.RateID] = sum(cur, rates[l.OriginalLineID][x.RateID], x.Amount.Neg())
			}
			lineTotals = append(lineTotals, l.Total)
		}
		if !sum(cur, lineTotals...).Equal(m.Totals.Total) ||
			!m.Totals.Total.Equal(sum(cur, m.Totals.Subtotal, m.Totals.Discount.Neg(), m.Totals.Tax)) {
			t.Fatalf("memo %s totals do not add up: %+v", m.ID, m.Totals)
		}
		memoTotal = sum(cur, memoTotal, m.Totals.Total.Neg())
	}
	if memoTotal.amount.Cmp(inv.Totals.Total.amount) > 0 {
		t.Fatalf("memos credit %v of an invoice of %v", memoTotal, inv.Totals.Total)
	}
	for _, l := range inv.Lines {
		a := got[l.ID]
		if a == nil {
			if complete && !l.Total.IsZero() {
				t.Fatalf("line %s never credited", l.ID)
			}
			continue
		}
		pairs := []struct {
			name       string
			have, orig Money
		}{{"amount", a.amount, l.Amount}, {"net", a.net, l.Net}, {"discount", a.discount, l.Discount}, {"tax", a.tax, l.Tax}, {"total", a.total, l.Total}}
		for _, x := range l.Taxes {
			pairs = append(pairs, struct {
				name       string
				have, orig Money
			}{"tax " + x.RateID, rates[l.ID][x.RateID], x.Amount})
		}
		for _, p := range pairs {
			if p.have.amount.Cmp(p.orig.amount) > 0 {
				t.Fatalf("line %s: %s credited %v exceeds %v", l.ID, p.name, p.have, p.orig)
			}
			if (complete || l.Total.IsPositive() && a.total.Equal(l.Total)) && !p.have.Equal(p.orig) {
				t.Fatalf("line %s fully credited: %s credited %v, charged %v", l.ID, p.name, p.have, p.orig)
			}
		}
	}
}

func TestPropertyPayments(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		inv := postedInvoice(t)
		cur := inv.Currency
		maxUnits := inv.Totals.Total.amount.Shift(inv.Totals.Total.digits()).IntPart() + 3
		now := time.Unix(0, 0)
		for k := range rapid.IntRange(1, 12).Draw(t, "ops") {
			id := string(rune('a' + k))
			switch rapid.IntRange(0, 2).Draw(t, "op") {
			case 0:
				a := genAmount(t, cur, maxUnits, 0, "pay")
				if a.IsZero() {
					continue
				}
				due := inv.BalanceDue
				p, err := inv.RecordPayment(Payment{ID: id, Amount: a}, now)
				if err != nil {
					if due.IsPositive() || !isOverCredit(err) {
						t.Fatalf("payment of %v on a balance of %v: %v", a, due, err)
					}
					continue
				}
				if !p.Applied.Equal(minMoney(a, due)) || !sum(cur, p.Applied, p.Overpayment).Equal(a) {
					t.Fatalf("payment %v on %v: applied %v, overpayment %v", a, due, p.Applied, p.Overpayment)
				}
			case 1:
				if len(inv.Payments) == 0 {
					continue
				}
				p := &inv.Payments[rapid.IntRange(0, len(inv.Payments)-1).Draw(t, "payment")]
				a := genAmount(t, cur, maxUnits, 0, "refund")
				if a.IsZero() {
					continue
				}
				room := p.Refundable()
				err := inv.RefundPayment(p.ID, Refund{ID: id, Amount: a}, now)
				if (err != nil) != (a.amount.Cmp(room.amount) > 0) {
					t.Fatalf("refund %v of %v refundable: %v", a, room, err)
				}
			case 2:
				a := genAmount(t, cur, maxUnits, 0, "credit")
				if a.IsZero() {
					continue
				}
				due := inv.BalanceDue
				err := inv.ApplyCredit(AppliedCredit{ID: id, Source: CreditCustomer, Amount: a}, now)
				if (err != nil) != (a.amount.Cmp(due.amount) > 0) {
					t.Fatalf("credit %v on a balance of %v: %v", a, due, err)
				}
			}
			// The balance always follows, and nothing exceeds what is owed.
			paid := zero(cur)
			for _, p := range inv.Payments {
				if p.Refunded.amount.Cmp(p.Applied.amount) > 0 {
					t.Fatalf("payment %s refunded %v of %v", p.ID, p.Refunded, p.Applied)
				}
				paid = sum(cur, paid, p.Applied, p.Refunded.Neg())
			}
			if !paid.Equal(inv.AmountPaid) || inv.BalanceDue.IsNegative() ||
				!inv.BalanceDue.Equal(sum(cur, inv.Totals.Total, paid.Neg(), inv.AmountCredited.Neg())) {
				t.Fatalf("paid %v, credited %v, balance %v of %v", inv.AmountPaid, inv.AmountCredited, inv.BalanceDue, inv.Totals.Total)
			}
			if s := inv.StatusAt(now); (s == InvoicePaid) != !inv.BalanceDue.IsPositive() && s != InvoiceRefunded {
				t.Fatalf("status %s with balance %v", s, inv.BalanceDue)
			}
		}
	})
}

// Every option of a random estimate obeys the document invariants, its
// deposit is its rounded share of its total, and accepting one option
// declines all the others.
func TestPropertyEstimates(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cur, tax, r, _, _ := genDocument(t)
		deposit := genPortion(t, cur, "deposit")
		est, err := NewEstimate(Estimate{ID: "e", Currency: cur, Tax: tax, Rounding: r, Deposit: deposit}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		n := rapid.IntRange(1, 3).Draw(t, "options")
		for k := range n {
			var lines []Line
			for range rapid.IntRange(1, 6).Draw(t, "lines") {
				lines = append(lines, genLine(t, cur))
			}
			var ds []Discount
			if p := genPortion(t, cur, "discount"); p != nil {
				ds = append(ds, Discount{Portion: *p})
			}
			if _, err := est.AddOption(nil, OptionRequest{ID: string(rune('a' + k)), Custom: lines, Discounts: ds}, Context{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, o := range est.Options {
			checkDocument(t, cur, &est.Tax, est.Rounding, o.Lines, o.Discounts, o.Totals)
			want := zero(cur)
			if deposit != nil {
				want = deposit.of(o.Totals.Total, est.Rounding.Mode)
			}
			if !o.Deposit.Equal(want) || o.Deposit.amount.Cmp(o.Totals.Total.amount) > 0 {
				t.Fatalf("option %s deposit %v of %v", o.ID, o.Deposit, o.Totals.Total)
			}
		}
		if err := est.Send(time.Time{}); err != nil {
			t.Fatal(err)
		}
		pick := est.Options[rapid.IntRange(0, n-1).Draw(t, "accept")].ID
		if err := est.Accept(pick, time.Time{}); err != nil {
			t.Fatal(err)
		}
		for _, o := range est.Options {
			if (o.Status == OptionAccepted) != (o.ID == pick) || o.ID != pick && o.Status != OptionDeclined {
				t.Fatalf("option %s is %s after accepting %s", o.ID, o.Status, pick)
			}
		}
		if o, _ := est.AcceptedOption(); !est.DepositDue.Equal(o.Deposit) {
			t.Fatalf("deposit due %v, option deposit %v", est.DepositDue, o.Deposit)
		}
	})
}
