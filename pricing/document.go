package pricing

import (
	"math/big"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
)

// ItemType is the kind of a pricebook item, and of the line priced from it.
type ItemType string

// The item types (the reference's SERVICE, LABOR, MATERIAL, BUNDLE, plus
// ServiceTitan's EQUIPMENT, DISCOUNT and FEE).
const (
	ItemService   ItemType = "SERVICE"   // a flat-rate task
	ItemLabor     ItemType = "LABOR"     // hourly labor, possibly at progressive rates
	ItemMaterial  ItemType = "MATERIAL"  // a part: cost, price or markup
	ItemEquipment ItemType = "EQUIPMENT" // a big-ticket unit (a furnace, a water heater)
	ItemBundle    ItemType = "BUNDLE"    // several items sold together
	ItemDiscount  ItemType = "DISCOUNT"  // a document discount, never a line
	ItemFee       ItemType = "FEE"       // a trip charge, a permit fee, a disposal fee
)

func (t ItemType) valid() bool {
	switch t {
	case ItemService, ItemLabor, ItemMaterial, ItemEquipment, ItemBundle, ItemDiscount, ItemFee:
		return true
	}
	return false
}

// Tier is one segment of a progressive price: Quantity units at UnitPrice
// ("the first 2 h at 150.00, then 130.00").
type Tier struct {
	Quantity  Quantity `json:"quantity"`
	UnitPrice Money    `json:"unitPrice"`
}

// Portion is a part of an amount: a percentage of it, or a fixed amount
// (capped at the amount). Set exactly one field. Line discounts, document
// discounts and deposits are Portions.
type Portion struct {
	Percent *Percent `json:"percent,omitempty"`
	Amount  *Money   `json:"amount,omitempty"`
}

// PercentOff returns a Portion of p percent.
func PercentOff(p Percent) *Portion { return &Portion{Percent: &p} }

// AmountOff returns a Portion of the fixed amount m.
func AmountOff(m Money) *Portion { return &Portion{Amount: &m} }

func (p *Portion) validate(field, cur string) error {
	switch {
	case (p.Percent == nil) == (p.Amount == nil):
		return invalid(field, "", "set exactly one of percent and amount")
	case p.Percent != nil:
		if p.Percent.Sign() < 0 || p.Percent.Cmp(MustPercent("100")) > 0 {
			return invalidAmount(field+".percent", p.Percent.String(), "between 0 and 100")
		}
	default:
		if p.Amount.Currency() != cur {
			return &MismatchError{A: cur, B: p.Amount.Currency()}
		}
		if p.Amount.IsNegative() || !p.Amount.IsRounded() {
			return invalidAmount(field+".amount", p.Amount.Number(), "a non-negative amount in minor units")
		}
	}
	return nil
}

// of returns the portion of base (rounded, non-negative), never more than base.
func (p *Portion) of(base Money, mode RoundingMode) Money {
	var v Money
	if p.Percent != nil {
		v = p.Percent.Of(base).Round(mode)
	} else {
		v = *p.Amount
	}
	return minMoney(v, base)
}

// Line is one line of an estimate option, an invoice or a credit memo.
//
// The caller sets the fields above "Figures" (pricing functions fill them
// for pricebook lines, with the [Trace] that explains the price); the figures
// below are derived by the document's computation and are overwritten every
// time it runs. With prices exclusive of tax:
//
//	Amount   = round(Quantity × UnitPrice)          (or Σ over Tiers, rounded once)
//	Net      = Amount                                before discounts, excl. tax
//	Discount = the line's own discount + its share of the document discounts
//	Tax      = Σ Taxes, computed on Net − Discount
//	Total    = Net − Discount + Tax
//
// With prices inclusive of tax, Amount and the discounts are gross; Tax is
// taken out of Amount − discounts, and Net and Discount are stated net of tax
// so that Total = Net − Discount + Tax still holds and equals the gross paid.
type Line struct {
	ID          string   `json:"id"`
	Type        ItemType `json:"type"`
	ItemID      string   `json:"itemId,omitempty"` // the pricebook item; empty for a custom line
	ItemCode    string   `json:"itemCode,omitempty"`
	Description string   `json:"description"`
	Quantity    Quantity `json:"quantity"`
	Unit        string   `json:"unit,omitempty"`
	// UnitPrice is the price of one unit, as priced (gross if the document's
	// prices include tax). Unused when Tiers is set.
	UnitPrice Money `json:"unitPrice"`
	// Tiers prices the line progressively; their quantities sum to Quantity.
	Tiers    []Tier   `json:"tiers,omitempty"`
	UnitCost Money    `json:"unitCost"` // what one unit costs the contractor; zero if unknown
	TaxClass TaxClass `json:"taxClass"`
	// NotDiscountable keeps document discounts off the line (permit fees,
	// pass-through charges).
	NotDiscountable bool `json:"notDiscountable,omitempty"`
	// LineDiscount is a discount on this line alone, applied before the
	// document discounts.
	LineDiscount *Portion `json:"lineDiscount,omitempty"`
	// Trace explains the unit price of a pricebook line.
	Trace *Trace `json:"trace,omitempty"`
	// OriginalLineID is, on a credit memo, the invoice line credited.
	OriginalLineID string `json:"originalLineId,omitempty"`

	// Figures, derived.
	Amount   Money     `json:"amount"`
	Net      Money     `json:"net"`
	Discount Money     `json:"discount"`
	Tax      Money     `json:"tax"`
	Total    Money     `json:"total"`
	Taxes    []LineTax `json:"taxes,omitempty"`
	Cost     Money     `json:"cost"` // round(Quantity × UnitCost)
}

// Custom reports whether the line was written by hand rather than priced
// from the pricebook.
func (l *Line) Custom() bool { return l.ItemID == "" }

// Discount is a document-level discount ("10 % senior discount", "$50 off
// for the referral"). Discounts apply in order, each to what earlier ones
// left, and each is allocated across the discountable lines in proportion to
// their remaining amounts by largest remainder: it never makes a line
// negative, and is capped at what remains to discount.
type Discount struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	ItemID      string `json:"itemId,omitempty"` // the DISCOUNT item it came from
	Portion
	// Applied is what the discount took, as priced (gross if prices include
	// tax); derived.
	Applied Money `json:"applied"`
}

// Totals are a document's figures. Subtotal = Σ line Net; Discount = Σ line
// Discount; Tax = Σ Taxes = Σ line Tax; Total = Subtotal − Discount + Tax =
// Σ line Total. Cost and Margin judge the document for the contractor:
// Margin = Subtotal − Discount − Cost, MarginPercent = Margin ÷ (Subtotal −
// Discount) × 100, rounded half-up to 2 places (0 when there is no revenue).
type Totals struct {
	Subtotal      Money     `json:"subtotal"`
	Discount      Money     `json:"discount"`
	Tax           Money     `json:"tax"`
	Total         Money     `json:"total"`
	Taxes         []TaxLine `json:"taxes"`
	Cost          Money     `json:"cost"`
	Margin        Money     `json:"margin"`
	MarginPercent Percent   `json:"marginPercent"`
}

// sheet is what a document computes from.
type sheet struct {
	prefix    string // "" or "options[1].": the prefix of error paths
	currency  string
	tax       *TaxProfile
	rounding  Rounding // with defaults
	lines     []Line
	discounts []Discount
}

func (s *sheet) lineField(i int, f string) string {
	return s.prefix + "lines[" + strconv.Itoa(i) + "]." + f
}

func (s *sheet) checkMoney(field string, m Money, allowUnset bool) error {
	if !m.IsSet() {
		if allowUnset {
			return nil
		}
		return invalid(field, "", "required")
	}
	if m.Currency() != s.currency {
		return &MismatchError{A: s.currency, B: m.Currency()}
	}
	if m.IsNegative() {
		return invalidAmount(field, m.Number(), "must not be negative")
	}
	return nil
}

// validateLine checks the caller's fields of line i.
func (s *sheet) validateLine(i int, l *Line) error {
	if l.Quantity.Sign() < 0 {
		return invalidAmount(s.lineField(i, "quantity"), l.Quantity.String(), "must not be negative")
	}
	if l.TaxClass == "" {
		return invalid(s.lineField(i, "taxClass"), "", "required (EXEMPT for untaxed lines)")
	}
	if len(l.Tiers) > 0 {
		var q Quantity
		for k, t := range l.Tiers {
			if t.Quantity.Sign() < 0 {
				return invalidAmount(s.lineField(i, "tiers["+strconv.Itoa(k)+"].quantity"), t.Quantity.String(), "must not be negative")
			}
			if err := s.checkMoney(s.lineField(i, "tiers["+strconv.Itoa(k)+"].unitPrice"), t.UnitPrice, false); err != nil {
				return err
			}
			q = q.Add(t.Quantity)
		}
		if q.Cmp(l.Quantity) != 0 {
			return invalid(s.lineField(i, "tiers"), q.String(), "tier quantities must sum to the line quantity "+l.Quantity.String())
		}
	} else if err := s.checkMoney(s.lineField(i, "unitPrice"), l.UnitPrice, false); err != nil {
		return err
	}
	if err := s.checkMoney(s.lineField(i, "unitCost"), l.UnitCost, true); err != nil {
		return err
	}
	if l.LineDiscount != nil {
		if err := l.LineDiscount.validate(s.lineField(i, "lineDiscount"), s.currency); err != nil {
			return err
		}
	}
	return nil
}

// assignIDs checks that the n ids are unique and gives each empty one the
// first free id of the form prefix + number, counting from its position.
func assignIDs(field, prefix string, n int, id func(int) *string) error {
	seen := make(map[string]bool, n)
	for i := range n {
		p := id(i)
		if *p == "" {
			continue
		}
		if seen[*p] {
			return invalid(field+"["+strconv.Itoa(i)+"].id", *p, "duplicate id")
		}
		seen[*p] = true
	}
	for i := range n {
		p := id(i)
		for k := i + 1; *p == ""; k++ {
			if c := prefix + strconv.Itoa(k); !seen[c] {
				*p, seen[c] = c, true
			}
		}
	}
	return nil
}

// extended returns the line's amount before discounts, rounded once.
func extended(l *Line, cur string, mode RoundingMode) Money {
	if len(l.Tiers) == 0 {
		return l.UnitPrice.Mul(l.Quantity.d).Round(mode)
	}
	a := zero(cur)
	for _, t := range l.Tiers {
		a.amount = a.amount.Add(t.UnitPrice.amount.Mul(t.Quantity.d))
	}
	return a.Round(mode)
}

// compute derives every figure of the sheet's lines and discounts and
// returns the totals. It is the one place where document arithmetic lives.
func (s *sheet) compute() (Totals, error) {
	cur, mode := s.currency, s.rounding.Mode
	if err := checkCurrency("currency", cur); err != nil {
		return Totals{}, err
	}
	if err := s.rounding.validate(); err != nil {
		return Totals{}, err
	}
	if err := s.tax.validate("tax"); err != nil {
		return Totals{}, err
	}
	n := len(s.lines)
	gross := make([]Money, n)  // amount − discounts, as priced
	remain := make([]Money, n) // what document discounts may still take
	if err := assignIDs(s.prefix+"lines", "L", len(s.lines), func(i int) *string { return &s.lines[i].ID }); err != nil {
		return Totals{}, err
	}
	for i := range s.lines {
		l := &s.lines[i]
		if err := s.validateLine(i, l); err != nil {
			return Totals{}, err
		}
		l.Amount = extended(l, cur, mode)
		l.Discount = zero(cur)
		if l.LineDiscount != nil {
			l.Discount = l.LineDiscount.of(l.Amount, mode)
		}
		gross[i] = sum(cur, l.Amount, l.Discount.Neg())
		remain[i] = zero(cur)
		if !l.NotDiscountable {
			remain[i] = gross[i]
		}
		unitCost := l.UnitCost
		if !unitCost.IsSet() {
			unitCost = zero(cur)
		}
		l.Cost = unitCost.Mul(l.Quantity.d).Round(mode)
	}
	if err := s.applyDiscounts(gross, remain); err != nil {
		return Totals{}, err
	}
	taxes := s.computeTax(gross)
	return s.total(gross, taxes), nil
}

// applyDiscounts applies the document discounts in order, allocating each
// across the lines in proportion to what they still have to discount.
func (s *sheet) applyDiscounts(gross, remain []Money) error {
	cur, mode := s.currency, s.rounding.Mode
	if err := assignIDs(s.prefix+"discounts", "D", len(s.discounts), func(k int) *string { return &s.discounts[k].ID }); err != nil {
		return err
	}
	for k := range s.discounts {
		d := &s.discounts[k]
		field := s.prefix + "discounts[" + strconv.Itoa(k) + "]"
		if err := d.Portion.validate(field, cur); err != nil {
			return err
		}
		base := sum(cur, remain...)
		d.Applied = d.Portion.of(base, mode)
		if d.Applied.IsZero() {
			d.Applied = zero(cur)
			continue
		}
		weights := make([]*big.Rat, len(remain))
		for i, r := range remain {
			weights[i] = r.amount.Rat()
		}
		for i, share := range allocateMoney(d.Applied, weights) {
			l := &s.lines[i]
			l.Discount = sum(cur, l.Discount, share)
			gross[i] = sum(cur, gross[i], share.Neg())
			remain[i] = sum(cur, remain[i], share.Neg())
		}
	}
	return nil
}

// lineTaxes is the tax of each line for each rate of the profile (nil when
// a rate does not apply).
type lineTaxes [][]*Money

// computeTax computes every line's tax for every rate under the rounding
// policy. gross is each line's amount after discounts, as priced.
func (s *sheet) computeTax(gross []Money) lineTaxes {
	n := len(s.lines)
	out := make(lineTaxes, n)
	scopes := make([][]int, n)
	for i := range s.lines {
		scopes[i] = s.tax.ratesFor(s.lines[i].TaxClass)
		out[i] = make([]*Money, len(s.tax.Rates))
	}
	if s.rounding.TaxLevel == TaxPerDocument {
		all := make([]int, 0, n)
		for i := range s.lines {
			if len(scopes[i]) > 0 {
				all = append(all, i)
			}
		}
		if len(all) > 0 {
			s.taxGroup(all, scopes, gross, out)
		}
		if s.rounding.PricesIncludeTax {
			s.repairInclusive(all, gross, out)
		}
		return out
	}
	group := make([]int, 1)
	for i := range s.lines {
		if len(scopes[i]) > 0 {
			group[0] = i
			s.taxGroup(group, scopes, gross, out)
		}
	}
	return out
}

// hundred is 100 as a rational.
var hundred = big.NewRat(100, 1)

// taxGroup computes the tax of a group of lines rounded together: one line
// (per-line rounding) or every taxed line (per-document rounding).
func (s *sheet) taxGroup(group []int, scopes [][]int, gross []Money, out lineTaxes) {
	cur, mode := s.currency, s.rounding.Mode
	digits := zero(cur).digits()
	rates := s.tax.Rates
	if !s.rounding.PricesIncludeTax {
		// Each rate: round(Σ base × rate) once, shared by base.
		for j := range rates {
			exact := new(big.Rat)
			var members []int
			var weights []*big.Rat
			for _, i := range group {
				if !slices.Contains(scopes[i], j) {
					continue
				}
				g := gross[i].amount.Rat()
				members = append(members, i)
				weights = append(weights, g)
				exact.Add(exact, new(big.Rat).Mul(g, rates[j].Rate.d.Rat()))
			}
			if len(members) == 0 {
				continue
			}
			exact.Quo(exact, hundred)
			t := Money{amount: roundRat(exact, digits, mode), currency: cur}
			s.share(t, j, members, weights, out)
		}
		return
	}
	// Tax-inclusive: take the group's whole tax out of its gross in one
	// step, then split it among the rates and the lines.
	exactTotal, grossTotal := new(big.Rat), new(big.Rat)
	perRate := make([]*big.Rat, len(rates))    // exact tax of each rate
	lineRate := make([][]*big.Rat, len(group)) // exact tax of each line for each rate
	for k, i := range group {
		g := gross[i].amount.Rat()
		grossTotal.Add(grossTotal, g)
		sumRates := new(big.Rat)
		for _, j := range scopes[i] {
			sumRates.Add(sumRates, rates[j].Rate.d.Rat())
		}
		den := new(big.Rat).Add(hundred, sumRates)
		lineRate[k] = make([]*big.Rat, len(rates))
		for _, j := range scopes[i] {
			e := new(big.Rat).Mul(g, rates[j].Rate.d.Rat())
			e.Quo(e, den)
			lineRate[k][j] = e
			if perRate[j] == nil {
				perRate[j] = new(big.Rat)
			}
			perRate[j].Add(perRate[j], e)
			exactTotal.Add(exactTotal, e)
		}
	}
	var total Money
	if s.rounding.Inclusive == RoundNet {
		net := roundRat(new(big.Rat).Sub(grossTotal, exactTotal), digits, mode)
		total = Money{amount: roundRat(grossTotal, digits, mode).Sub(net), currency: cur}
	} else {
		total = Money{amount: roundRat(exactTotal, digits, mode), currency: cur}
	}
	var rateIdx []int
	var rateWeights []*big.Rat
	for j, e := range perRate {
		if e != nil {
			rateIdx = append(rateIdx, j)
			rateWeights = append(rateWeights, e)
		}
	}
	if len(rateIdx) == 0 {
		return
	}
	var rateTotals []Money
	if sumRats(rateWeights).Sign() == 0 {
		rateTotals = make([]Money, len(rateIdx)) // every rate is 0 %
		for k := range rateTotals {
			rateTotals[k] = zero(cur)
		}
	} else {
		rateTotals = allocateMoney(total, rateWeights)
	}
	for k, j := range rateIdx {
		var members []int
		var weights []*big.Rat
		for g, i := range group {
			if lineRate[g][j] != nil {
				members = append(members, i)
				weights = append(weights, lineRate[g][j])
			}
		}
		s.share(rateTotals[k], j, members, weights, out)
	}
}

// share records t, the tax of rate j over members, as each member's share
// by largest remainder on weights (equal shares when the weights are all 0).
func (s *sheet) share(t Money, j int, members []int, weights []*big.Rat, out lineTaxes) {
	if len(members) == 1 {
		out[members[0]][j] = &t
		return
	}
	if sumRats(weights).Sign() == 0 {
		for k := range weights {
			weights[k] = big.NewRat(1, 1)
		}
	}
	for k, part := range allocateMoney(t, weights) {
		out[members[k]][j] = &part
	}
}

// repairInclusive keeps every tax-inclusive line's tax within its gross when
// per-document shares of several stacked rates land on a line of a few
// cents: it moves single minor units of a rate to another line of the same
// rate that has room, which keeps every rate's total.
func (s *sheet) repairInclusive(group []int, gross []Money, out lineTaxes) {
	if len(group) < 2 {
		return
	}
	cur := s.currency
	unit := Money{amount: decimal.New(1, -zero(cur).digits()), currency: cur}
	room := func(i int) Money {
		r := gross[i]
		for _, t := range out[i] {
			if t != nil {
				r = sum(cur, r, t.Neg())
			}
		}
		return r
	}
	for _, i := range group {
		for j := 0; j < len(out[i]) && room(i).IsNegative(); j++ {
			for out[i][j] != nil && out[i][j].IsPositive() && room(i).IsNegative() {
				moved := false
				for _, m := range group {
					if m != i && out[m][j] != nil && room(m).IsPositive() {
						*out[i][j] = sum(cur, *out[i][j], unit.Neg())
						*out[m][j] = sum(cur, *out[m][j], unit)
						moved = true
						break
					}
				}
				if !moved {
					break
				}
			}
		}
	}
}

// inclusiveTax returns the tax in a gross amount taxed at the given rates,
// under the per-line inclusive rule: what the line's tax would be with no
// discount. It states discounts net of tax.
func (s *sheet) inclusiveTax(g Money, rateIdx []int) Money {
	sumRates := new(big.Rat)
	for _, j := range rateIdx {
		sumRates.Add(sumRates, s.tax.Rates[j].Rate.d.Rat())
	}
	gr := g.amount.Rat()
	exact := new(big.Rat).Mul(gr, sumRates)
	exact.Quo(exact, new(big.Rat).Add(hundred, sumRates))
	digits, mode := g.digits(), s.rounding.Mode
	if s.rounding.Inclusive == RoundNet {
		net := roundRat(new(big.Rat).Sub(gr, exact), digits, mode)
		return Money{amount: g.amount.Sub(net), currency: g.currency}
	}
	return Money{amount: roundRat(exact, digits, mode), currency: g.currency}
}

// total fills the line figures from the taxes and sums the document.
func (s *sheet) total(gross []Money, taxes lineTaxes) Totals {
	cur := s.currency
	t := Totals{
		Subtotal: zero(cur), Discount: zero(cur), Tax: zero(cur), Total: zero(cur), Cost: zero(cur),
	}
	rateAmount := make([]*Money, len(s.tax.Rates))
	rateBase := make([]Money, len(s.tax.Rates))
	for i := range s.lines {
		l := &s.lines[i]
		l.Tax = zero(cur)
		l.Taxes = nil
		var rateIdx []int
		for j, x := range taxes[i] {
			if x == nil {
				continue
			}
			rateIdx = append(rateIdx, j)
			l.Taxes = append(l.Taxes, LineTax{RateID: s.tax.Rates[j].ID, Amount: *x})
			l.Tax = sum(cur, l.Tax, *x)
		}
		if s.rounding.PricesIncludeTax {
			netAfter := sum(cur, gross[i], l.Tax.Neg())
			l.Net, l.Discount = netAfter, zero(cur)
			if !gross[i].Equal(l.Amount) {
				// State the discount net of tax: the net the undiscounted
				// amount would have had, less the net actually charged.
				pre := sum(cur, l.Amount, s.inclusiveTax(l.Amount, rateIdx).Neg())
				if pre.amount.Cmp(netAfter.amount) > 0 {
					l.Net, l.Discount = pre, sum(cur, pre, netAfter.Neg())
				}
			}
		} else {
			l.Net = l.Amount
		}
		base := sum(cur, l.Net, l.Discount.Neg())
		for _, j := range rateIdx {
			if rateAmount[j] == nil {
				z := zero(cur)
				rateAmount[j] = &z
				rateBase[j] = zero(cur)
			}
			*rateAmount[j] = sum(cur, *rateAmount[j], *taxes[i][j])
			rateBase[j] = sum(cur, rateBase[j], base)
		}
		l.Total = sum(cur, base, l.Tax)
		t.Subtotal = sum(cur, t.Subtotal, l.Net)
		t.Discount = sum(cur, t.Discount, l.Discount)
		t.Tax = sum(cur, t.Tax, l.Tax)
		t.Total = sum(cur, t.Total, l.Total)
		t.Cost = sum(cur, t.Cost, l.Cost)
	}
	for j, a := range rateAmount {
		if a == nil {
			continue
		}
		r := &s.tax.Rates[j]
		t.Taxes = append(t.Taxes, TaxLine{
			RateID: r.ID, Name: r.Name, Jurisdiction: r.Jurisdiction, Rate: r.Rate,
			Base: rateBase[j], Amount: *a,
		})
	}
	t.Margin, t.MarginPercent = margin(sum(cur, t.Subtotal, t.Discount.Neg()), t.Cost)
	return t
}

// margin returns revenue − cost and its percentage of revenue, rounded
// half-up to 2 places (0 % without revenue).
func margin(revenue, cost Money) (Money, Percent) {
	m := sum(revenue.currency, revenue, cost.Neg())
	if revenue.IsZero() {
		return m, Percent{}
	}
	num := m.amount.Rat()
	num.Mul(num, hundred)
	num.Quo(num, revenue.amount.Rat())
	return m, Percent{d: roundRat(num, 2, RoundHalfUp)}
}

func sumRats(rs []*big.Rat) *big.Rat {
	t := new(big.Rat)
	for _, r := range rs {
		t.Add(t, r)
	}
	return t
}
