package pricing

import (
	"maps"
	"slices"
	"strconv"
)

// Item is a pricebook item. Which price fields matter depends on its Type:
//
//   - SERVICE: a flat-rate task. Price (per unit), MemberPrice, AddOnPrice
//     and MemberAddOnPrice; BillableHours and Materials describe the work.
//     Without a Price, the price is dynamic: BillableHours at the rates of
//     LaborItemID plus the linked Materials at their prices.
//   - LABOR: an hourly rate (Price per hour) or progressive Rates ("the first
//     2 h at 150.00, then 130.00"); Cost is the hourly cost.
//   - MATERIAL, EQUIPMENT: Cost (or the primary vendor's cost) and either a
//     Price, a Markup on cost, or a MarkupTableID.
//   - BUNDLE: Components with quantities; Price if sold at a package price,
//     otherwise the sum of the components' prices.
//   - FEE: Price.
//   - DISCOUNT: Discount; it becomes a document discount, never a line.
type Item struct {
	ID          string   `json:"id"`
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Type        ItemType `json:"type"`
	CategoryID  string   `json:"categoryId,omitempty"`
	Trade       string   `json:"trade,omitempty"`
	Unit        string   `json:"unit,omitempty"` // unit of measure: EACH, HOUR, FOOT, …
	// TaxClass defaults by type: LABOR for SERVICE, LABOR and FEE; MATERIAL
	// for MATERIAL and BUNDLE; EQUIPMENT for EQUIPMENT. Use EXEMPT for an
	// untaxed item.
	TaxClass        TaxClass `json:"taxClass,omitempty"`
	NotDiscountable bool     `json:"notDiscountable,omitempty"`
	// Inactive items stay in the version for history but cannot be priced.
	Inactive bool `json:"inactive,omitempty"`

	Price            Money `json:"price"`
	MemberPrice      Money `json:"memberPrice"`
	AddOnPrice       Money `json:"addOnPrice"`
	MemberAddOnPrice Money `json:"memberAddOnPrice"`
	Cost             Money `json:"cost"`

	BillableHours Quantity     `json:"billableHours,omitzero"`
	LaborItemID   string       `json:"laborItemId,omitempty"`
	Materials     []Component  `json:"materials,omitempty"`  // SERVICE: linked materials
	Components    []Component  `json:"components,omitempty"` // BUNDLE
	Rates         []LaborRate  `json:"rates,omitempty"`      // LABOR: progressive rates
	Markup        *Percent     `json:"markup,omitempty"`
	MarkupTableID string       `json:"markupTableId,omitempty"`
	Vendors       []VendorPart `json:"vendors,omitempty"`
	Discount      *Portion     `json:"discount,omitempty"` // DISCOUNT
}

// Component is an item and its quantity inside a bundle or a service.
type Component struct {
	ItemID   string   `json:"itemId"`
	Quantity Quantity `json:"quantity"`
}

// LaborRate is one step of a progressive labor rate: Rate per hour for the
// hours after After. The first step has After 0.
type LaborRate struct {
	After Quantity `json:"after"`
	Rate  Money    `json:"rate"`
}

// VendorPart is a vendor's part number and cost for a material.
type VendorPart struct {
	VendorID   string `json:"vendorId"`
	PartNumber string `json:"partNumber"`
	Cost       Money  `json:"cost"`
	Primary    bool   `json:"primary,omitempty"`
}

// Category groups items; a category may have a parent. Price rules scoped to
// a category apply to its subcategories too.
type Category struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parentId,omitempty"`
}

// MarkupTable turns a material cost into a price: the markup of the range
// the cost falls in ("cost 0–10: 100 %, 10–50: 60 %, 50 and up: 35 %").
// Applied per item, the range is that of the unit cost; applied in aggregate
// (time-and-materials invoices), that of the summed cost.
type MarkupTable struct {
	ID     string        `json:"id"`
	Name   string        `json:"name"`
	Ranges []MarkupRange `json:"ranges"`
}

// MarkupRange applies Markup to costs from From (inclusive) up to the next
// range's From.
type MarkupRange struct {
	From   Money   `json:"from"`
	Markup Percent `json:"markup"`
}

// markupFor returns the markup for cost.
func (t *MarkupTable) markupFor(cost Money) Percent {
	var p Percent
	for _, r := range t.Ranges {
		if cost.amount.Cmp(r.From.amount) >= 0 {
			p = r.Markup
		}
	}
	return p
}

// Price returns cost marked up by the table, exact (not rounded).
func (t *MarkupTable) Price(cost Money) Money {
	return markUp(cost, t.markupFor(cost))
}

func markUp(cost Money, p Percent) Money {
	return Money{amount: cost.amount.Add(cost.amount.Mul(p.Fraction())), currency: cost.currency}
}

func (t *MarkupTable) validate(field, cur string) error {
	if len(t.Ranges) == 0 || !t.Ranges[0].From.IsZero() {
		return invalid(field+".ranges", "", "the first range starts at a cost of 0")
	}
	for k, r := range t.Ranges {
		f := field + ".ranges[" + strconv.Itoa(k) + "]"
		if r.From.Currency() != cur {
			return &MismatchError{A: cur, B: r.From.Currency()}
		}
		if k > 0 && r.From.amount.Cmp(t.Ranges[k-1].From.amount) <= 0 {
			return invalid(f+".from", r.From.Number(), "ranges must ascend")
		}
		if r.Markup.Sign() < 0 {
			return invalidAmount(f+".markup", r.Markup.String(), "a markup is not negative")
		}
	}
	return nil
}

// taxClass returns the item's tax class, defaulted by type.
func (it *Item) taxClass() TaxClass {
	if it.TaxClass != "" {
		return it.TaxClass
	}
	switch it.Type {
	case ItemMaterial, ItemBundle:
		return TaxMaterial
	case ItemEquipment:
		return TaxEquipment
	}
	return TaxLabor
}

// cost returns the item's unit cost: Cost, else the primary (or first)
// vendor's cost; unset if neither is known.
func (it *Item) cost() Money {
	if it.Cost.IsSet() {
		return it.Cost
	}
	for _, v := range it.Vendors {
		if v.Primary {
			return v.Cost
		}
	}
	if len(it.Vendors) > 0 {
		return it.Vendors[0].Cost
	}
	return Money{}
}

// validate checks the item's own fields; references are checked by the version.
func (it *Item) validate(field, cur string) error {
	if it.ID == "" {
		return invalid(field+".id", "", "an item needs an id")
	}
	if it.Code == "" {
		return invalid(field+".code", "", "an item needs a code")
	}
	if !it.Type.valid() {
		return invalid(field+".type", string(it.Type), "unknown item type")
	}
	prices := map[string]Money{"price": it.Price, "memberPrice": it.MemberPrice, "addOnPrice": it.AddOnPrice,
		"memberAddOnPrice": it.MemberAddOnPrice, "cost": it.Cost}
	for k, v := range it.Vendors {
		prices["vendors["+strconv.Itoa(k)+"].cost"] = v.Cost
	}
	for k, r := range it.Rates {
		prices["rates["+strconv.Itoa(k)+"].rate"] = r.Rate
	}
	for _, name := range slices.Sorted(maps.Keys(prices)) { // deterministic: the first bad field by name
		m := prices[name]
		if !m.IsSet() {
			continue
		}
		if m.Currency() != cur {
			return &MismatchError{A: cur, B: m.Currency()}
		}
		if m.IsNegative() {
			return invalidAmount(field+"."+name, m.Number(), "must not be negative")
		}
	}
	if it.Markup != nil && it.Markup.Sign() < 0 {
		return invalidAmount(field+".markup", it.Markup.String(), "a markup is not negative")
	}
	for k, r := range it.Rates {
		if k == 0 && !r.After.IsZero() || k > 0 && r.After.Cmp(it.Rates[k-1].After) <= 0 {
			return invalid(field+".rates["+strconv.Itoa(k)+"].after", r.After.String(), "rates start at 0 h and ascend")
		}
	}
	for k, c := range slices.Concat(it.Materials, it.Components) {
		if c.Quantity.Sign() <= 0 {
			return invalidAmount(field+".components["+strconv.Itoa(k)+"].quantity", c.Quantity.String(), "must be positive")
		}
	}
	switch it.Type {
	case ItemDiscount:
		if it.Discount == nil {
			return invalid(field+".discount", "", "a DISCOUNT item needs a discount")
		}
		return at(field+".discount", it.Discount.validate(cur))
	case ItemBundle:
		if len(it.Components) == 0 {
			return invalid(field+".components", "", "a bundle needs components")
		}
	case ItemLabor:
		if !it.Price.IsSet() && len(it.Rates) == 0 {
			return invalid(field+".price", "", "a LABOR item needs a price or rates")
		}
	case ItemService:
		if !it.Price.IsSet() && it.LaborItemID == "" {
			return invalid(field+".price", "", "a SERVICE item needs a price, or billable hours and a labor item")
		}
	case ItemFee:
		if !it.Price.IsSet() {
			return invalid(field+".price", "", "a FEE item needs a price")
		}
	case ItemMaterial, ItemEquipment:
		if !it.Price.IsSet() && !it.cost().IsSet() {
			return invalid(field+".price", "", "a MATERIAL or EQUIPMENT item needs a price, or a cost to mark up")
		}
	}
	return nil
}
