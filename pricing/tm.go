package pricing

import (
	"strconv"
	"time"
)

// LaborEntry is time a technician worked on a job: Hours of a LABOR item,
// costing CostRate an hour (the technician's loaded wage).
type LaborEntry struct {
	ID           string    `json:"id"`
	TechnicianID string    `json:"technicianId,omitempty"`
	LaborItemID  string    `json:"laborItemId"`
	Hours        Quantity  `json:"hours"`
	CostRate     Money     `json:"costRate"`
	Date         time.Time `json:"date,omitzero"`
}

// MaterialUse is material used on a job at its actual unit cost. ItemID may
// be empty for a part bought for the job that is not in the pricebook; it
// is then priced by the version's default markup table.
type MaterialUse struct {
	ID          string   `json:"id"`
	ItemID      string   `json:"itemId,omitempty"`
	Description string   `json:"description,omitempty"`
	Quantity    Quantity `json:"quantity"`
	UnitCost    Money    `json:"unitCost"`
}

// MaterialsBilling says how materials appear on a time-and-materials invoice.
type MaterialsBilling string

// The ways to bill materials.
const (
	// MaterialsItemized bills one line per material used, each priced by
	// the pricebook from its actual cost (the default).
	MaterialsItemized MaterialsBilling = "ITEMIZED"
	// MaterialsAggregate bills one "Materials" line: the summed cost marked
	// up by the markup table in aggregate (ServiceTitan's T&M materials line).
	MaterialsAggregate MaterialsBilling = "AGGREGATE"
)

// Actuals are what a job really took: labor time and materials.
type Actuals struct {
	Labor     []LaborEntry     `json:"labor"`
	Materials []MaterialUse    `json:"materials"`
	Billing   MaterialsBilling `json:"billing,omitempty"`
	// MarkupTableID marks up aggregate materials; defaults to the version's
	// default markup table.
	MarkupTableID string `json:"markupTableId,omitempty"`
}

// ActualsLines prices a job's actuals in ctx. Labor is one line per labor
// item with the hours of all its entries (so progressive rates run over the
// job's total, and after-hours or member rules apply as to any line); its
// unit cost is the hours-weighted cost rate, to 6 places. Materials follow
// a.Billing.
func (p *Pricer) ActualsLines(a Actuals, ctx Context) ([]Line, error) {
	cur := p.Currency()
	var lines []Line
	type group struct {
		hours Quantity
		cost  Money
	}
	groups := map[string]*group{}
	var order []string
	for i, e := range a.Labor {
		f := "labor[" + strconv.Itoa(i) + "]"
		if e.Hours.Sign() <= 0 {
			return nil, invalidAmount(f+".hours", e.Hours.String(), "must be positive")
		}
		rate := e.CostRate
		if !rate.IsSet() {
			rate = zero(cur) // unknown cost
		}
		if rate.Currency() != cur {
			return nil, &MismatchError{A: cur, B: rate.Currency()}
		}
		g := groups[e.LaborItemID]
		if g == nil {
			g = &group{cost: zero(cur)}
			groups[e.LaborItemID] = g
			order = append(order, e.LaborItemID)
		}
		g.hours = g.hours.Add(e.Hours)
		g.cost = sum(cur, g.cost, rate.Mul(e.Hours.d))
	}
	for k, id := range order {
		g := groups[id]
		l, err := p.priceLine(LineRequest{ItemID: id, Quantity: g.hours}, &ctx, "labor "+id)
		if err != nil {
			return nil, err
		}
		if l.Type != ItemLabor {
			return nil, &ReferenceError{Line: "labor " + id, ItemID: id, VersionID: p.VersionID(), Reason: RefNotPriceable}
		}
		l.ID = "T" + strconv.Itoa(k+1)
		l.UnitCost = Money{amount: g.cost.amount.DivRound(g.hours.d, 6), currency: cur}
		lines = append(lines, l)
	}
	materials, err := p.materialLines(a, &ctx)
	if err != nil {
		return nil, err
	}
	return append(lines, materials...), nil
}

func (p *Pricer) materialLines(a Actuals, ctx *Context) ([]Line, error) {
	cur := p.Currency()
	var lines []Line
	total := zero(cur)
	for i, u := range a.Materials {
		f := "materials[" + strconv.Itoa(i) + "]"
		if u.Quantity.Sign() <= 0 {
			return nil, invalidAmount(f+".quantity", u.Quantity.String(), "must be positive")
		}
		if u.UnitCost.Currency() != cur {
			return nil, &MismatchError{A: cur, B: u.UnitCost.Currency()}
		}
		if u.UnitCost.IsNegative() {
			return nil, invalidAmount(f+".unitCost", u.UnitCost.Number(), "must not be negative")
		}
		total = sum(cur, total, u.UnitCost.Mul(u.Quantity.d))
		if a.Billing == MaterialsAggregate {
			continue
		}
		l, err := p.materialLine(u, ctx, lineName(u.ID, i))
		if err != nil {
			return nil, err
		}
		l.ID = "M" + strconv.Itoa(i+1)
		lines = append(lines, l)
	}
	if a.Billing != MaterialsAggregate || len(a.Materials) == 0 {
		return lines, nil
	}
	t, err := p.markupTable(a.MarkupTableID, "materials")
	if err != nil {
		return nil, err
	}
	cost := total.Round(p.version.Rounding)
	price := t.Price(cost).Round(p.version.Rounding)
	return []Line{{
		ID: "M1", Type: ItemMaterial, Description: "Materials", Quantity: Units(1), Unit: "LOT",
		UnitPrice: price, UnitCost: cost, TaxClass: TaxMaterial,
		Trace: &Trace{VersionID: p.VersionID(), Context: *ctx, Basis: "UNIT", Source: SourceMarkupTable,
			Base: t.Price(cost), Rounding: p.version.Rounding.orDefault(), Final: price},
	}}, nil
}

// materialLine prices one material used at its actual cost: a pricebook
// item's rules apply as usual, but a markup works from the actual cost.
func (p *Pricer) materialLine(u MaterialUse, ctx *Context, line string) (Line, error) {
	if u.ItemID == "" {
		t, err := p.markupTable("", line)
		if err != nil {
			return Line{}, err
		}
		price := t.Price(u.UnitCost).Round(p.version.Rounding)
		return Line{
			Type: ItemMaterial, Description: u.Description, Quantity: u.Quantity, UnitPrice: price,
			UnitCost: u.UnitCost, TaxClass: TaxMaterial,
			Trace: &Trace{VersionID: p.VersionID(), Context: *ctx, Basis: "UNIT", Source: SourceMarkupTable,
				Base: t.Price(u.UnitCost), Rounding: p.version.Rounding.orDefault(), Final: price},
		}, nil
	}
	it, err := p.resolve(u.ItemID, line)
	if err != nil {
		return Line{}, err
	}
	if it.Type != ItemMaterial && it.Type != ItemEquipment {
		return Line{}, &ReferenceError{Line: line, ItemID: it.ID, VersionID: p.VersionID(), Reason: RefNotPriceable}
	}
	actual := *it
	actual.Cost, actual.Vendors = u.UnitCost, nil
	l, err := p.priceItem(&actual, LineRequest{ItemID: it.ID, Quantity: u.Quantity, Description: u.Description}, ctx, line)
	if err != nil {
		return Line{}, err
	}
	l.UnitCost = u.UnitCost
	return l, nil
}

// markupTable returns the table id names, or the version's default.
func (p *Pricer) markupTable(id, line string) (*MarkupTable, error) {
	if id == "" {
		id = p.version.DefaultMarkupTableID
	}
	t := p.tables[id]
	if t == nil {
		return nil, &ReferenceError{Line: line, ItemID: id, VersionID: p.VersionID(), Reason: RefUnknownTable}
	}
	return t, nil
}

// InvoiceFromActuals bills a job time-and-materials: h's header and the
// lines [Pricer.ActualsLines] prices from the actuals in ctx.
func InvoiceFromActuals(p *Pricer, h Invoice, a Actuals, ctx Context, now time.Time) (*Invoice, error) {
	lines, err := p.ActualsLines(a, ctx)
	if err != nil {
		return nil, err
	}
	if h.Currency == "" {
		h.Currency = p.Currency()
	}
	h.PricebookVersionID = p.VersionID()
	return NewInvoice(h, lines, nil, now)
}

// Profitability is how much a job made: Revenue (invoiced, net of tax and
// discounts, less credit memos) against the actual labor and material cost.
type Profitability struct {
	Revenue       Money   `json:"revenue"`
	LaborCost     Money   `json:"laborCost"`
	MaterialCost  Money   `json:"materialCost"`
	GrossMargin   Money   `json:"grossMargin"`
	MarginPercent Percent `json:"marginPercent"` // of revenue, 2 places; 0 without revenue
}

// JobProfitability computes a job's profitability from its posted, not void
// invoices, its credit memos and its actuals. Labor cost is Σ round(hours ×
// cost rate), material cost Σ round(quantity × unit cost), each entry
// rounded half-up.
func JobProfitability(currency string, invoices []*Invoice, memos []*CreditMemo, a Actuals) (Profitability, error) {
	if err := checkCurrency("currency", currency); err != nil {
		return Profitability{}, err
	}
	cur := currency
	pr := Profitability{Revenue: zero(cur), LaborCost: zero(cur), MaterialCost: zero(cur)}
	add := func(to *Money, m Money) error {
		if !m.IsSet() {
			return nil // an unknown cost
		}
		if m.Currency() != cur {
			return &MismatchError{A: cur, B: m.Currency()}
		}
		*to = sum(cur, *to, m)
		return nil
	}
	for _, inv := range invoices {
		if !inv.Posted() || !inv.VoidedAt.IsZero() {
			continue
		}
		if err := add(&pr.Revenue, sum(inv.Currency, inv.Totals.Subtotal, inv.Totals.Discount.Neg())); err != nil {
			return Profitability{}, err
		}
	}
	for _, m := range memos {
		if err := add(&pr.Revenue, sum(m.Currency, m.Totals.Subtotal, m.Totals.Discount.Neg())); err != nil {
			return Profitability{}, err
		}
	}
	for _, e := range a.Labor {
		if err := add(&pr.LaborCost, e.CostRate.Mul(e.Hours.d).Round(RoundHalfUp)); err != nil {
			return Profitability{}, err
		}
	}
	for _, u := range a.Materials {
		if err := add(&pr.MaterialCost, u.UnitCost.Mul(u.Quantity.d).Round(RoundHalfUp)); err != nil {
			return Profitability{}, err
		}
	}
	pr.GrossMargin, pr.MarginPercent = margin(pr.Revenue, sum(cur, pr.LaborCost, pr.MaterialCost))
	return pr, nil
}
