package pricing

import (
	"cmp"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Document arithmetic runs on minor units. Every figure of a document line
// is bounded ([maxLineUnits]) and so is the number of lines ([maxLines]), so
// every sum fits an int64 and every product a 128-bit intermediate: the
// computation is exact and allocates only the figures it returns.
const (
	// maxLineUnits bounds a line's amount and cost: 10^13 minor units
	// (100 billion dollars, 10 trillion yen).
	maxLineUnits = 10_000_000_000_000
	// maxLines bounds the lines of one document.
	maxLines = 100_000
	// rateScale is 100 % in millionths of a percent, the unit of rates and
	// percentages inside the computation (a Percent has at most 6 places).
	rateScale = 100_000_000
)

// away reports whether a quotient q with remainder r of a division by d
// (q, r, d ≥ 0) rounds away from zero under mode.
func away(q, r, d uint64, mode RoundingMode) bool {
	if r == 0 {
		return false
	}
	switch mode {
	case RoundUp:
		return true
	case RoundDown:
		return false
	case RoundHalfDown:
		return r > d-r
	case RoundHalfEven:
		return r > d-r || r == d-r && q&1 == 1
	}
	return r >= d-r // half up
}

// mulDiv returns a × b ÷ d rounded under mode (a, b ≥ 0, d > 0). The
// bounds on document figures guarantee the quotient fits 64 bits.
func mulDiv(a, b, d int64, mode RoundingMode) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(d) {
		panic("pricing: internal error: a document figure overflowed its bounds")
	}
	q, r := bits.Div64(hi, lo, uint64(d))
	if away(q, r, uint64(d), mode) {
		q++
	}
	return int64(q)
}

// percentUnits returns p in millionths of a percent.
func percentUnits(p Percent) int64 { return p.d.Shift(6).IntPart() }

// calc is a line's figures in minor units while the document computes.
type calc struct {
	amount   int64 // qty × price, rounded, as priced
	discount int64 // line and document discounts, as priced
	remain   int64 // what document discounts may still take
	cost     int64
	rates    []int   // the profile's rates that tax the line
	tax      []int64 // the tax of each of rates
}

// units returns a line figure, exact = Σ quantity × price, rounded to minor
// units; it must be within the bounds.
func (s *sheet) units(terms ...[2]decimal.Decimal) (int64, error) {
	digits := s.digits
	if len(terms) == 1 {
		if u, ok := mulRoundFast(terms[0][0], terms[0][1], digits, s.rounding.Mode); ok {
			return u, nil
		}
	}
	var exact decimal.Decimal
	for _, t := range terms {
		exact = exact.Add(t[0].Mul(t[1]))
	}
	r := roundDecimal(exact, digits, s.rounding.Mode).Shift(digits)
	if r.Cmp(decimal.New(maxLineUnits, 0)) > 0 {
		return 0, invalidAmount("", formatDecimal(exact, digits), "a line figure above 10^13 minor units")
	}
	return r.IntPart(), nil
}

// mulRoundFast rounds q × p to digits places in minor units when both fit
// 64 bits and the result is within the bounds.
func mulRoundFast(q, p decimal.Decimal, digits int32, mode RoundingMode) (int64, bool) {
	if q.Sign() < 0 || p.Sign() < 0 || q.NumDigits() > 18 || p.NumDigits() > 18 {
		return 0, false
	}
	a, b := uint64(q.CoefficientInt64()), uint64(p.CoefficientInt64())
	e := q.Exponent() + p.Exponent() + digits // units = a × b × 10^e
	hi, lo := bits.Mul64(a, b)
	switch {
	case e >= 0:
		if e > 18 || hi != 0 {
			return 0, false
		}
		h, v := bits.Mul64(lo, uint64(pow10(e).Int64()))
		if h != 0 || v > maxLineUnits {
			return 0, false
		}
		return int64(v), true
	case e < -19:
		return 0, false
	}
	d := pow10(-e).Uint64()
	if hi >= d {
		return 0, false
	}
	v, r := bits.Div64(hi, lo, d)
	if away(v, r, d, mode) {
		v++
	}
	return int64(v), v <= maxLineUnits
}

// portionUnits is Portion.of on minor units.
func (s *sheet) portionUnits(p *Portion, base int64) int64 {
	var v int64
	if p.Percent != nil {
		v = mulDiv(base, percentUnits(*p.Percent), rateScale, s.rounding.Mode)
	} else if u := p.Amount.unitsOf(); u.IsInt64() {
		v = u.Int64()
	} else {
		v = base // an amount beyond any base takes it all
	}
	return min(v, base)
}

func (s *sheet) money(units int64) Money {
	if units == 0 {
		return s.zero // shared: a Money is immutable
	}
	return Money{amount: decimal.New(units, -s.digits), currency: s.currency}
}

// compute derives every figure of the sheet's lines and discounts and
// returns the totals. It is the one place where document arithmetic lives.
func (s *sheet) compute() (Totals, error) {
	cur := s.currency
	if err := checkCurrency("currency", cur); err != nil {
		return Totals{}, err
	}
	if err := s.rounding.validate(); err != nil {
		return Totals{}, err
	}
	if err := s.tax.validate("tax"); err != nil {
		return Totals{}, err
	}
	s.digits = currencyDigits[cur]
	s.zero = Money{amount: decimal.New(0, -s.digits), currency: cur}
	if len(s.lines) > maxLines {
		return Totals{}, invalid(s.prefix+"lines", strconv.Itoa(len(s.lines)), "at most 100000 lines")
	}
	if err := assignIDs(s.prefix+"lines", "L", len(s.lines), func(i int) *string { return &s.lines[i].ID }); err != nil {
		return Totals{}, err
	}
	c := make([]calc, len(s.lines))
	scopes := map[TaxClass][]int{} // the rates of each tax class
	for i := range s.lines {
		l := &s.lines[i]
		if err := s.validateLine(i, l); err != nil {
			return Totals{}, err
		}
		terms := [][2]decimal.Decimal{{l.Quantity.d, l.UnitPrice.amount}}
		if len(l.Tiers) > 0 {
			terms = terms[:0]
			for _, t := range l.Tiers {
				terms = append(terms, [2]decimal.Decimal{t.Quantity.d, t.UnitPrice.amount})
			}
		}
		amount, err := s.units(terms...)
		if err != nil {
			return Totals{}, at(s.lineField(i, "amount"), err)
		}
		cost, err := s.units([2]decimal.Decimal{l.Quantity.d, l.UnitCost.amount})
		if err != nil {
			return Totals{}, at(s.lineField(i, "cost"), err)
		}
		rates, ok := scopes[l.TaxClass]
		if !ok {
			rates = s.tax.ratesFor(l.TaxClass)
			scopes[l.TaxClass] = rates
		}
		c[i] = calc{amount: amount, cost: cost, rates: rates}
		if l.LineDiscount != nil {
			c[i].discount = s.portionUnits(l.LineDiscount, amount)
		}
		if !l.NotDiscountable {
			c[i].remain = amount - c[i].discount
		}
	}
	if err := s.applyDiscounts(c); err != nil {
		return Totals{}, err
	}
	s.computeTax(c)
	return s.figures(c), nil
}

// applyDiscounts applies the document discounts in order, allocating each
// across the lines in proportion to what they still have to discount.
func (s *sheet) applyDiscounts(c []calc) error {
	if err := assignIDs(s.prefix+"discounts", "D", len(s.discounts), func(k int) *string { return &s.discounts[k].ID }); err != nil {
		return err
	}
	remain := make([]int64, len(c))
	for k := range s.discounts {
		d := &s.discounts[k]
		if err := d.Portion.validate(s.currency); err != nil {
			return at(s.prefix+"discounts["+strconv.Itoa(k)+"]", err)
		}
		var base int64
		for i := range c {
			remain[i] = c[i].remain
			base += c[i].remain
		}
		applied := s.portionUnits(&d.Portion, base)
		d.Applied = s.money(applied)
		if applied == 0 {
			continue
		}
		for i, share := range allocate64(applied, remain) {
			c[i].discount += share
			c[i].remain -= share
		}
	}
	return nil
}

// allocate64 is largest-remainder allocation on minor units: total ≥ 0 over
// non-negative weights that do not sum to zero and whose sum fits 63 bits.
func allocate64(total int64, weights []int64) []int64 {
	var w uint64
	for _, x := range weights {
		w += uint64(x)
	}
	parts := make([]int64, len(weights))
	rems := make([]uint64, len(weights))
	left := total
	for i, x := range weights {
		hi, lo := bits.Mul64(uint64(total), uint64(x))
		q, r := bits.Div64(hi, lo, w) // q ≤ total: hi < w
		parts[i], rems[i] = int64(q), r
		left -= int64(q)
	}
	if left > 0 {
		var order []int
		for i, r := range rems {
			if r > 0 {
				order = append(order, i)
			}
		}
		slices.SortFunc(order, func(a, b int) int {
			switch {
			case rems[a] != rems[b]:
				return cmp.Compare(rems[b], rems[a])
			}
			return cmp.Compare(a, b)
		})
		for _, i := range order[:left] {
			parts[i]++
		}
	}
	return parts
}

// computeTax computes every line's tax for every rate that taxes it, under
// the rounding policy.
func (s *sheet) computeTax(c []calc) {
	rates := make([]int64, len(s.tax.Rates))
	for j := range rates {
		rates[j] = percentUnits(s.tax.Rates[j].Rate)
	}
	mode := s.rounding.Mode
	var taxed []int
	for i := range c {
		if len(c[i].rates) > 0 {
			c[i].tax = make([]int64, len(c[i].rates))
			taxed = append(taxed, i)
		}
	}
	switch perDoc := s.rounding.TaxLevel == TaxPerDocument; {
	case !s.rounding.PricesIncludeTax && perDoc:
		// Each rate: round(Σ base × rate) once, shared by base.
		for j, r := range rates {
			var members []int
			var weights []int64
			var base int64
			for _, i := range taxed {
				if slices.Contains(c[i].rates, j) {
					g := c[i].amount - c[i].discount
					members, weights, base = append(members, i), append(weights, g), base+g
				}
			}
			if len(members) > 0 {
				shareTax(c, j, mulDiv(base, r, rateScale, mode), members, weights)
			}
		}
	case !s.rounding.PricesIncludeTax:
		// Each line, each rate: round(base × rate).
		for _, i := range taxed {
			for k, j := range c[i].rates {
				c[i].tax[k] = mulDiv(c[i].amount-c[i].discount, rates[j], rateScale, mode)
			}
		}
	case perDoc:
		s.inclusivePerDocument(c, taxed, rates)
		repairInclusive(c, taxed)
	default:
		// Each line: its whole tax out of its gross, split among its rates.
		for _, i := range taxed {
			t := s.inclusiveTax(c[i].amount-c[i].discount, c[i].rates, rates)
			splitRates(c, i, t, rates)
		}
	}
}

// inclusiveTax returns the tax in a gross amount g taxed at the given
// rates, taken out in one step: round(g × R / (100 + R)) under RoundTax, or
// g − round(g × 100 / (100 + R)) under RoundNet.
func (s *sheet) inclusiveTax(g int64, scope []int, rates []int64) int64 {
	var r int64
	for _, j := range scope {
		r += rates[j]
	}
	if s.rounding.Inclusive == RoundNet {
		return g - mulDiv(g, rateScale, rateScale+r, s.rounding.Mode)
	}
	return mulDiv(g, r, rateScale+r, s.rounding.Mode)
}

// splitRates splits t, line i's tax, among its rates in proportion to them.
func splitRates(c []calc, i int, t int64, rates []int64) {
	if len(c[i].rates) == 1 {
		c[i].tax[0] = t
		return
	}
	weights := make([]int64, len(c[i].rates))
	var w int64
	for k, j := range c[i].rates {
		weights[k], w = rates[j], w+rates[j]
	}
	if w == 0 {
		return // every rate is 0 %, and so is t
	}
	copy(c[i].tax, allocate64(t, weights))
}

// shareTax records t, the tax of rate j over members, as each member's
// share by largest remainder on weights (equally when they are all zero).
func shareTax(c []calc, j int, t int64, members []int, weights []int64) {
	var w int64
	for _, x := range weights {
		w += x
	}
	if w == 0 {
		for k := range weights {
			weights[k] = 1
		}
	}
	for k, part := range allocate64(t, weights) {
		i := members[k]
		c[i].tax[slices.Index(c[i].rates, j)] = part
	}
}

// inclusivePerDocument takes the whole document's tax out of its taxed gross
// in one step, splits it among the rates in proportion to their exact tax,
// and shares each rate's part among its lines in proportion to theirs.
func (s *sheet) inclusivePerDocument(c []calc, taxed []int, rates []int64) {
	if len(taxed) == 0 {
		return
	}
	mode := s.rounding.Mode
	// Lines taxed at the same rates form a group with one divisor 100 + R.
	type group struct {
		gross int64
		den   int64    // 100 % + R, in rate units
		scale *big.Int // L ÷ den, L the least common multiple of the divisors
	}
	var groups []*group
	byKey := map[string]int{}
	of := make([]int, len(c)) // line → group
	var key strings.Builder
	for _, i := range taxed {
		key.Reset()
		var r int64
		for _, j := range c[i].rates {
			key.WriteString(strconv.Itoa(j))
			key.WriteByte(',')
			r += rates[j]
		}
		g, ok := byKey[key.String()]
		if !ok {
			g = len(groups)
			byKey[key.String()] = g
			groups = append(groups, &group{den: rateScale + r})
		}
		groups[g].gross += c[i].amount - c[i].discount
		of[i] = g
	}
	// The exact tax Σ gross × R / (100 + R), rounded once.
	exact := new(big.Rat)
	var total int64
	l := big.NewInt(1)
	for _, g := range groups {
		exact.Add(exact, new(big.Rat).Mul(big.NewRat(g.gross, 1), big.NewRat(g.den-rateScale, g.den)))
		total += g.gross
		d := big.NewInt(g.den)
		l.Mul(l.Quo(l, new(big.Int).GCD(nil, nil, l, d)), d)
	}
	for _, g := range groups {
		g.scale = new(big.Int).Quo(l, big.NewInt(g.den))
	}
	var t int64
	if s.rounding.Inclusive == RoundNet {
		t = total - roundRat(new(big.Rat).Sub(big.NewRat(total, 1), exact), 0, mode).IntPart()
	} else {
		t = roundRat(exact, 0, mode).IntPart()
	}
	// Integer weights: line i's exact tax at rate j is gross_i × r_j × scale_g ÷ L.
	lineWeight := make([]*big.Int, len(c))
	perRate := make([]*big.Int, len(rates))
	for _, i := range taxed {
		lineWeight[i] = new(big.Int).Mul(big.NewInt(c[i].amount-c[i].discount), groups[of[i]].scale)
		for _, j := range c[i].rates {
			if perRate[j] == nil {
				perRate[j] = new(big.Int)
			}
			perRate[j].Add(perRate[j], new(big.Int).Mul(lineWeight[i], big.NewInt(rates[j])))
		}
	}
	var scope []int
	var weights []*big.Int
	for j, w := range perRate {
		if w != nil {
			scope, weights = append(scope, j), append(weights, w)
		}
	}
	parts, ok := allocateWide(t, weights)
	for k, j := range scope {
		var part int64 // every rate is 0 %, and so is t
		if ok {
			part = parts[k]
		}
		var members []int
		var mw []*big.Int
		for _, i := range taxed {
			if slices.Contains(c[i].rates, j) {
				members, mw = append(members, i), append(mw, lineWeight[i])
			}
		}
		shares, ok := allocateWide(part, mw)
		if !ok { // every member's gross is zero: equal shares
			shareTax(c, j, part, members, make([]int64, len(members)))
			continue
		}
		for m, i := range members {
			c[i].tax[slices.Index(c[i].rates, j)] = shares[m]
		}
	}
}

// allocateWide is largest-remainder allocation over weights that may not
// fit 64 bits; it reports false if they sum to zero.
func allocateWide(total int64, weights []*big.Int) ([]int64, bool) {
	w := new(big.Int)
	for _, x := range weights {
		w.Add(w, x)
	}
	if w.Sign() == 0 {
		return nil, false
	}
	if w.BitLen() < 63 { // every weight fits too
		small := make([]int64, len(weights))
		for i, x := range weights {
			small[i] = x.Int64()
		}
		return allocate64(total, small), true
	}
	parts, _ := allocateInts(big.NewInt(total), weights)
	out := make([]int64, len(parts))
	for i, p := range parts {
		out[i] = p.Int64()
	}
	return out, true
}

// repairInclusive keeps every tax-inclusive line's tax within its gross when
// per-document shares of several stacked rates land on a line of a few
// cents: it moves single minor units of a rate to another line of the same
// rate that has room, which keeps every rate's total.
func repairInclusive(c []calc, taxed []int) {
	room := func(i int) int64 {
		r := c[i].amount - c[i].discount
		for _, t := range c[i].tax {
			r -= t
		}
		return r
	}
	for _, i := range taxed {
		for k := 0; k < len(c[i].rates) && room(i) < 0; k++ {
			j := c[i].rates[k]
			for c[i].tax[k] > 0 && room(i) < 0 {
				m := slices.IndexFunc(taxed, func(m int) bool {
					return m != i && slices.Contains(c[m].rates, j) && room(m) > 0
				})
				if m < 0 {
					break
				}
				m = taxed[m]
				c[i].tax[k]--
				c[m].tax[slices.Index(c[m].rates, j)]++
			}
		}
	}
}

// figures writes the line figures and sums the document.
func (s *sheet) figures(c []calc) Totals {
	rates := make([]int64, len(s.tax.Rates))
	for j := range rates {
		rates[j] = percentUnits(s.tax.Rates[j].Rate)
	}
	var subtotal, discount, tax, total, cost int64
	rateAmount := make([]int64, len(s.tax.Rates))
	rateBase := make([]int64, len(s.tax.Rates))
	rateUsed := make([]bool, len(s.tax.Rates))
	for i := range s.lines {
		l, x := &s.lines[i], &c[i]
		var t int64
		for _, v := range x.tax {
			t += v
		}
		gross := x.amount - x.discount
		net, disc := x.amount, x.discount
		if s.rounding.PricesIncludeTax {
			// State the discount net of tax: the net the undiscounted amount
			// would have had, less the net actually charged.
			net, disc = gross-t, 0
			if x.discount > 0 {
				if pre := x.amount - s.inclusiveTax(x.amount, x.rates, rates); pre > net {
					net, disc = pre, pre-net
				}
			}
		}
		l.Amount, l.Net, l.Discount, l.Tax, l.Total, l.Cost = s.money(x.amount), s.money(net), s.money(disc), s.money(t), s.money(net-disc+t), s.money(x.cost)
		l.Taxes = nil
		for k, j := range x.rates {
			l.Taxes = append(l.Taxes, LineTax{RateID: s.tax.Rates[j].ID, Amount: s.money(x.tax[k])})
			rateAmount[j] += x.tax[k]
			rateBase[j] += net - disc
			rateUsed[j] = true
		}
		subtotal, discount, tax, total, cost = subtotal+net, discount+disc, tax+t, total+net-disc+t, cost+x.cost
	}
	tot := Totals{Subtotal: s.money(subtotal), Discount: s.money(discount), Tax: s.money(tax), Total: s.money(total), Cost: s.money(cost)}
	for j, used := range rateUsed {
		if used {
			r := &s.tax.Rates[j]
			tot.Taxes = append(tot.Taxes, TaxLine{RateID: r.ID, Name: r.Name, Jurisdiction: r.Jurisdiction, Rate: r.Rate,
				Base: s.money(rateBase[j]), Amount: s.money(rateAmount[j])})
		}
	}
	tot.Margin, tot.MarginPercent = margin(s.money(subtotal-discount), tot.Cost)
	return tot
}
