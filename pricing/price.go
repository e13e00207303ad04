package pricing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Pricer prices lines from one pricebook version. Build it once per version
// with [NewPricer]: it validates the version and indexes it. A published
// version never changes, so its Pricer can be cached and shared; it is safe
// for concurrent use. (A Pricer of a draft reads the draft as it was: build
// a new one after an edit.)
type Pricer struct {
	version    *Version
	items      map[string]*Item
	categories map[string]*Category
	tables     map[string]*MarkupTable
	templates  map[string]*JobTemplate
	rules      []*Rule // in precedence order
}

// NewPricer validates v — ids, currencies, amounts, and every reference
// (categories, markup tables, labor items, materials, bundle components,
// rule scopes, template items) — and returns its Pricer.
func NewPricer(v *Version) (*Pricer, error) {
	p := &Pricer{
		version:    v,
		items:      make(map[string]*Item, len(v.Items)),
		categories: make(map[string]*Category, len(v.Categories)),
		tables:     make(map[string]*MarkupTable, len(v.MarkupTables)),
		templates:  make(map[string]*JobTemplate, len(v.Templates)),
	}
	if err := v.validate(p); err != nil {
		return nil, err
	}
	slices.SortStableFunc(p.rules, ruleOrder)
	return p, nil
}

// VersionID returns the id of the version the Pricer prices from.
func (p *Pricer) VersionID() string { return p.version.ID }

// Currency returns the version's currency.
func (p *Pricer) Currency() string { return p.version.Currency }

// Item returns the item with the given id.
func (p *Pricer) Item(id string) (*Item, bool) {
	it, ok := p.items[id]
	return it, ok
}

// LineRequest asks for a pricebook line.
type LineRequest struct {
	ID       string   `json:"id,omitempty"` // the line id to give; errors name it
	ItemID   string   `json:"itemId"`
	Quantity Quantity `json:"quantity,omitzero"` // zero means 1
	// AddOn prices a SERVICE at its add-on price (sold with another service
	// on the same visit).
	AddOn       bool   `json:"addOn,omitempty"`
	Description string `json:"description,omitempty"` // replaces the item name
	// OverridePrice is a unit price set by hand by someone allowed to; it
	// replaces the pricebook price and every rule, and the trace records it
	// with OverrideReason.
	OverridePrice  *Money `json:"overridePrice,omitempty"`
	OverrideReason string `json:"overrideReason,omitempty"`
}

// PriceSource says where a line's base price came from.
type PriceSource string

// The price sources.
const (
	SourcePrice            PriceSource = "PRICE"
	SourceMemberPrice      PriceSource = "MEMBER_PRICE"
	SourceAddOnPrice       PriceSource = "ADD_ON_PRICE"
	SourceMemberAddOnPrice PriceSource = "MEMBER_ADD_ON_PRICE"
	SourceLaborRates       PriceSource = "LABOR_RATES"      // progressive hourly rates
	SourceDynamic          PriceSource = "SERVICE_HOURS"    // billable hours × labor rate + materials
	SourceMarkup           PriceSource = "COST_PLUS_MARKUP" // the item's own markup
	SourceMarkupTable      PriceSource = "MARKUP_TABLE"
	SourceBundle           PriceSource = "BUNDLE_COMPONENTS"
	SourceManual           PriceSource = "MANUAL_OVERRIDE"
)

// Trace explains a line's price: where the base came from, each rule that
// changed it, the rules that matched but were skipped and why, and the
// rounding. Base, Before, After and Final are unit prices, except on a
// progressive line (Basis "LINE"), where they are the price of the line's
// whole quantity.
type Trace struct {
	VersionID      string        `json:"versionId"`
	ItemID         string        `json:"itemId"`
	Context        Context       `json:"context"`
	Basis          string        `json:"basis"` // UNIT or LINE
	Source         PriceSource   `json:"source"`
	Base           Money         `json:"base"`
	Steps          []TraceStep   `json:"steps,omitempty"`
	Skipped        []SkippedRule `json:"skipped,omitempty"`
	Floored        bool          `json:"floored,omitempty"` // rules took the price below zero; it was set to 0
	Rounding       RoundingMode  `json:"rounding"`
	Final          Money         `json:"final"`
	OverrideReason string        `json:"overrideReason,omitempty"`
}

// TraceStep is one rule applied.
type TraceStep struct {
	RuleID     string   `json:"ruleId"`
	Rule       string   `json:"rule"`
	Type       RuleType `json:"type"`
	Priority   int      `json:"priority"`
	Adjustment string   `json:"adjustment"` // "-10 %", "+25.00", "= 169.00"
	Before     Money    `json:"before"`
	After      Money    `json:"after"`
}

// SkippedRule is a rule that matched the line but did not apply.
type SkippedRule struct {
	RuleID string   `json:"ruleId"`
	Type   RuleType `json:"type"`
	Reason string   `json:"reason"`
}

// String explains the trace in one line, for people: "base 189.00
// (MEMBER_PRICE); HOA "Oakwood HOA" -5 %: 189.00 → 179.55; final 179.55
// (HALF_UP)".
func (t *Trace) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "base %s (%s)", t.Base.Number(), t.Source)
	if t.OverrideReason != "" {
		fmt.Fprintf(&b, " %q", t.OverrideReason)
	}
	for _, s := range t.Steps {
		fmt.Fprintf(&b, "; %s %q %s: %s → %s", s.Type, s.Rule, s.Adjustment, s.Before.Number(), s.After.Number())
	}
	for _, s := range t.Skipped {
		fmt.Fprintf(&b, "; skipped %s %s: %s", s.Type, s.RuleID, s.Reason)
	}
	if t.Floored {
		b.WriteString("; floored at 0")
	}
	fmt.Fprintf(&b, "; final %s (%s)", t.Final.Number(), t.Rounding)
	return b.String()
}

// lineName names a requested line in errors.
func lineName(id string, i int) string {
	if id != "" {
		return id
	}
	return "lines[" + strconv.Itoa(i) + "]"
}

// PriceLine prices one line in ctx and returns it with its [Trace]: a
// snapshot that later pricebook changes never touch. An item that does not
// resolve in this version (unknown, inactive, a DISCOUNT item, or a
// component that is) is a [ReferenceError] naming the line.
func (p *Pricer) PriceLine(req LineRequest, ctx Context) (Line, error) {
	return p.priceLine(req, &ctx, lineName(req.ID, 0))
}

// PriceLines prices several lines in one context; errors name the line by
// its id, or by its index when it has none.
func (p *Pricer) PriceLines(reqs []LineRequest, ctx Context) ([]Line, error) {
	out := make([]Line, len(reqs))
	for i, r := range reqs {
		l, err := p.priceLine(r, &ctx, lineName(r.ID, i))
		if err != nil {
			return nil, err
		}
		out[i] = l
	}
	return out, nil
}

// Template prices a job template's lines in ctx.
func (p *Pricer) Template(id string, ctx Context) ([]Line, error) {
	t := p.templates[id]
	if t == nil {
		return nil, &ReferenceError{Line: "template " + id, ItemID: id, VersionID: p.version.ID, Reason: RefUnknownTemplate}
	}
	out := make([]Line, len(t.Lines))
	for k, tl := range t.Lines {
		req := LineRequest{ItemID: tl.ItemID, Quantity: tl.Quantity, AddOn: tl.AddOn, Description: tl.Description}
		l, err := p.priceLine(req, &ctx, "template "+id+" lines["+strconv.Itoa(k)+"]")
		if err != nil {
			return nil, err
		}
		out[k] = l
	}
	return out, nil
}

// Discount returns the document discount of a DISCOUNT item.
func (p *Pricer) Discount(itemID string) (Discount, error) {
	it, err := p.resolve(itemID, "discount "+itemID)
	if err != nil {
		return Discount{}, err
	}
	if it.Type != ItemDiscount {
		return Discount{}, &ReferenceError{Line: "discount " + itemID, ItemID: itemID, VersionID: p.version.ID, Reason: RefNotDiscount}
	}
	d := Discount{ItemID: it.ID, Description: it.Name}
	if it.Discount.Percent != nil {
		pc := *it.Discount.Percent
		d.Percent = &pc
	} else {
		a := *it.Discount.Amount
		d.Amount = &a
	}
	return d, nil
}

// CheckLine verifies that a line snapshotted earlier still refers to this
// version: a pricebook line priced from another version is a
// [ReferenceError] (OTHER_VERSION). Custom lines always pass.
func (p *Pricer) CheckLine(l *Line) error {
	if l.Custom() {
		return nil
	}
	if l.Trace != nil && l.Trace.VersionID != p.version.ID {
		return &ReferenceError{Line: l.ID, ItemID: l.ItemID, VersionID: l.Trace.VersionID, Reason: RefOtherVersion}
	}
	_, err := p.resolve(l.ItemID, l.ID)
	return err
}

func (p *Pricer) resolve(id, line string) (*Item, error) {
	it := p.items[id]
	if it == nil {
		return nil, &ReferenceError{Line: line, ItemID: id, VersionID: p.version.ID, Reason: RefUnknownItem}
	}
	if it.Inactive {
		return nil, &ReferenceError{Line: line, ItemID: id, VersionID: p.version.ID, Reason: RefInactiveItem}
	}
	return it, nil
}

func (p *Pricer) priceLine(req LineRequest, ctx *Context, line string) (Line, error) {
	it, err := p.resolve(req.ItemID, line)
	if err != nil {
		return Line{}, err
	}
	return p.priceItem(it, req, ctx, line)
}

// priceItem prices a line of it (the resolved item, or a copy of it with
// an actual cost).
func (p *Pricer) priceItem(it *Item, req LineRequest, ctx *Context, line string) (Line, error) {
	cur := p.version.Currency
	if it.Type == ItemDiscount {
		return Line{}, &ReferenceError{Line: line, ItemID: it.ID, VersionID: p.version.ID, Reason: RefNotPriceable}
	}
	for _, c := range slices.Concat(it.Components, it.Materials) {
		if _, err := p.resolve(c.ItemID, line); err != nil {
			return Line{}, err
		}
	}
	qty := req.Quantity
	if qty.IsZero() {
		qty = Units(1)
	}
	if qty.Sign() < 0 {
		return Line{}, invalidAmount(line+".quantity", qty.String(), "must be positive")
	}
	tr := &Trace{VersionID: p.version.ID, ItemID: it.ID, Context: *ctx, Basis: "UNIT", Rounding: p.version.Rounding.orDefault()}
	var tiers []Tier
	if req.OverridePrice != nil {
		o := *req.OverridePrice
		if o.Currency() != cur {
			return Line{}, &MismatchError{A: cur, B: o.Currency()}
		}
		if o.IsNegative() {
			return Line{}, invalidAmount(line+".overridePrice", o.Number(), "must not be negative")
		}
		tiers, tr.Source, tr.OverrideReason = []Tier{{Quantity: qty, UnitPrice: o}}, SourceManual, req.OverrideReason
		tr.Base = o
	} else {
		tiers, tr.Source = p.base(it, ctx, req.AddOn, qty)
		if len(tiers) > 1 {
			tr.Basis = "LINE"
		}
		tr.Base = tr.value(tiers)
		tiers = p.applyRules(it, ctx, qty, tiers, tr)
	}
	for k := range tiers {
		if tiers[k].UnitPrice.IsNegative() {
			tiers[k].UnitPrice, tr.Floored = zero(cur), true
		}
		tiers[k].UnitPrice = tiers[k].UnitPrice.Round(tr.Rounding)
	}
	tr.Final = tr.value(tiers)
	l := Line{
		ID: req.ID, Type: it.Type, ItemID: it.ID, ItemCode: it.Code, Description: it.Name,
		Quantity: qty, Unit: it.Unit, TaxClass: it.taxClass(), NotDiscountable: it.NotDiscountable,
		UnitCost: p.cost(it), Trace: tr,
	}
	if req.Description != "" {
		l.Description = req.Description
	}
	if len(tiers) == 1 {
		l.UnitPrice = tiers[0].UnitPrice
	} else {
		l.UnitPrice, l.Tiers = zero(cur), tiers
	}
	return l, nil
}

// value is the trace value of tiers: the unit price on a UNIT basis, the
// exact price of the whole quantity on a LINE basis.
func (t *Trace) value(tiers []Tier) Money {
	if t.Basis == "LINE" {
		return tierAmount(tiers)
	}
	return tiers[0].UnitPrice
}

func tierAmount(tiers []Tier) Money {
	a := zero(tiers[0].UnitPrice.currency)
	for _, t := range tiers {
		a.amount = a.amount.Add(t.UnitPrice.amount.Mul(t.Quantity.d))
	}
	return a
}

// applyRules runs the version's rules over the base tiers in precedence
// order, recording each step in tr.
func (p *Pricer) applyRules(it *Item, ctx *Context, qty Quantity, tiers []Tier, tr *Trace) []Tier {
	categories := p.ancestry(it.CategoryID)
	memberBase := tr.Source == SourceMemberPrice || tr.Source == SourceMemberAddOnPrice
	used := map[RuleType]string{}
	stoppedBy := ""
	for pass := 0; pass < 2; pass++ { // overrides first, then the rest
		for _, r := range p.rules {
			if (r.Type == RuleOverride) != (pass == 0) || !r.inScope(it, categories) || !r.matches(ctx, qty) {
				continue
			}
			reason := ""
			switch {
			case stoppedBy != "":
				reason = "rule " + stoppedBy + " stops further rules"
			case r.Type == RuleMember && memberBase:
				reason = "the member price already applies"
			case used[r.Type] != "":
				reason = "rule " + used[r.Type] + " of the same type applied first"
			}
			if reason != "" {
				tr.Skipped = append(tr.Skipped, SkippedRule{RuleID: r.ID, Type: r.Type, Reason: reason})
				continue
			}
			before := tr.value(tiers)
			if r.Price != nil {
				tiers = []Tier{{Quantity: qty, UnitPrice: *r.Price}}
			} else {
				next := make([]Tier, len(tiers))
				for k, t := range tiers {
					next[k] = Tier{Quantity: t.Quantity, UnitPrice: r.apply(t.UnitPrice)}
				}
				tiers = next
			}
			tr.Steps = append(tr.Steps, TraceStep{
				RuleID: r.ID, Rule: r.Name, Type: r.Type, Priority: r.Priority,
				Adjustment: r.adjustment(), Before: before, After: tr.value(tiers),
			})
			used[r.Type] = r.ID
			if r.StopFurther {
				stoppedBy = r.ID
			}
		}
	}
	return tiers
}

// ancestry returns a category and its ancestors.
func (p *Pricer) ancestry(id string) []string {
	var out []string
	for id != "" {
		out = append(out, id)
		id = p.categories[id].ParentID
	}
	return out
}

// base returns the item's price for qty units before rules, as tiers, and
// its source.
func (p *Pricer) base(it *Item, ctx *Context, addOn bool, qty Quantity) ([]Tier, PriceSource) {
	flat := func(m Money, s PriceSource) ([]Tier, PriceSource) {
		return []Tier{{Quantity: qty, UnitPrice: m}}, s
	}
	member := ctx.Member()
	if addOn && member && it.MemberAddOnPrice.IsSet() {
		return flat(it.MemberAddOnPrice, SourceMemberAddOnPrice)
	}
	if addOn && it.AddOnPrice.IsSet() {
		return flat(it.AddOnPrice, SourceAddOnPrice)
	}
	if member && it.MemberPrice.IsSet() {
		return flat(it.MemberPrice, SourceMemberPrice)
	}
	if it.Price.IsSet() && (it.Type != ItemLabor || len(it.Rates) == 0) {
		return flat(it.Price, SourcePrice)
	}
	switch it.Type {
	case ItemLabor:
		return laborTiers(it, qty), SourceLaborRates
	case ItemService: // dynamic: billable hours at the labor rate, plus materials
		u := tierAmount(laborTiers(p.items[it.LaborItemID], it.BillableHours))
		for _, c := range it.Materials {
			u = sum(u.currency, u, p.componentValue(c, ctx))
		}
		return flat(u, SourceDynamic)
	case ItemBundle:
		u := zero(p.version.Currency)
		for _, c := range it.Components {
			u = sum(u.currency, u, p.componentValue(c, ctx))
		}
		return flat(u, SourceBundle)
	}
	// MATERIAL or EQUIPMENT without a price: cost marked up.
	cost := it.cost()
	if it.Markup != nil {
		return flat(markUp(cost, *it.Markup), SourceMarkup)
	}
	t := p.tables[it.MarkupTableID]
	if t == nil {
		t = p.tables[p.version.DefaultMarkupTableID]
	}
	return flat(t.Price(cost), SourceMarkupTable)
}

// componentValue is the exact price of a component's quantity.
func (p *Pricer) componentValue(c Component, ctx *Context) Money {
	tiers, _ := p.base(p.items[c.ItemID], ctx, false, c.Quantity)
	if len(tiers) == 1 {
		return tiers[0].UnitPrice.Mul(c.Quantity.d)
	}
	return tierAmount(tiers)
}

// laborTiers splits hours over a labor item's rates (its Price when it has
// no rates).
func laborTiers(it *Item, hours Quantity) []Tier {
	if len(it.Rates) == 0 {
		return []Tier{{Quantity: hours, UnitPrice: it.Price}}
	}
	var out []Tier
	for k, r := range it.Rates {
		if k > 0 && hours.Cmp(r.After) <= 0 {
			break
		}
		q := hours.Sub(r.After)
		if k+1 < len(it.Rates) && hours.Cmp(it.Rates[k+1].After) > 0 {
			q = it.Rates[k+1].After.Sub(r.After)
		}
		out = append(out, Tier{Quantity: q, UnitPrice: r.Rate})
	}
	return out
}

// cost returns the unit cost of an item, zero when unknown.
func (p *Pricer) cost(it *Item) Money {
	if c := it.cost(); c.IsSet() {
		return c
	}
	cur := p.version.Currency
	total := zero(cur)
	addCost := func(c Component) {
		ci := p.items[c.ItemID]
		total = sum(cur, total, p.cost(ci).Mul(c.Quantity.d))
	}
	switch it.Type {
	case ItemService:
		if l := p.items[it.LaborItemID]; l != nil {
			total = sum(cur, total, p.cost(l).Mul(it.BillableHours.d))
		}
		for _, c := range it.Materials {
			addCost(c)
		}
	case ItemBundle:
		for _, c := range it.Components {
			addCost(c)
		}
	}
	return total
}
