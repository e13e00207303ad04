package pricing

import (
	"strconv"
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

// validate checks the portion; errors name its fields relative to it.
func (p *Portion) validate(cur string) error {
	switch {
	case (p.Percent == nil) == (p.Amount == nil):
		return invalid("", "", "set exactly one of percent and amount")
	case p.Percent != nil:
		if p.Percent.Sign() < 0 || p.Percent.Cmp(hundredPercent) > 0 {
			return invalidAmount("percent", p.Percent.String(), "between 0 and 100")
		}
	default:
		if p.Amount.Currency() != cur {
			return &MismatchError{A: cur, B: p.Amount.Currency()}
		}
		if p.Amount.IsNegative() || !p.Amount.IsRounded() {
			return invalidAmount("amount", p.Amount.Number(), "a non-negative amount in minor units")
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

	digits int32 // the currency's, set by compute
	zero   Money
}

func (s *sheet) lineField(i int, f string) string {
	return s.prefix + "lines[" + strconv.Itoa(i) + "]." + f
}

// checkMoney checks a price or cost of the sheet; unset is allowed when
// allowUnset.
func (s *sheet) checkMoney(m Money, allowUnset bool) error {
	if !m.IsSet() {
		if allowUnset {
			return nil
		}
		return invalid("", "", "required")
	}
	if m.Currency() != s.currency {
		return &MismatchError{A: s.currency, B: m.Currency()}
	}
	if m.IsNegative() {
		return invalidAmount("", m.Number(), "must not be negative")
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
			if err := s.checkMoney(t.UnitPrice, false); err != nil {
				return at(s.lineField(i, "tiers["+strconv.Itoa(k)+"].unitPrice"), err)
			}
			q = q.Add(t.Quantity)
		}
		if q.Cmp(l.Quantity) != 0 {
			return invalid(s.lineField(i, "tiers"), q.String(), "tier quantities must sum to the line quantity "+l.Quantity.String())
		}
	} else if err := s.checkMoney(l.UnitPrice, false); err != nil {
		return at(s.lineField(i, "unitPrice"), err)
	}
	if err := s.checkMoney(l.UnitCost, true); err != nil {
		return at(s.lineField(i, "unitCost"), err)
	}
	if l.LineDiscount != nil {
		if err := l.LineDiscount.validate(s.currency); err != nil {
			return at(s.lineField(i, "lineDiscount"), err)
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

// margin returns revenue − cost and its percentage of revenue, rounded
// half-up to 2 places (0 % without revenue).
func margin(revenue, cost Money) (Money, Percent) {
	m := sum(revenue.currency, revenue, cost.Neg())
	if revenue.IsZero() {
		return m, Percent{}
	}
	return m, Percent{d: roundQuo(m.amount.Shift(2), revenue.amount, 2, RoundHalfUp)}
}
