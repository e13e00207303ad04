package pricing

import (
	"cmp"
	"slices"
	"time"
)

// RuleType is the kind of a price rule.
type RuleType string

// The price rule types.
const (
	RuleOverride   RuleType = "CONTRACTOR_OVERRIDE" // replaces the item's base price
	RuleHOA        RuleType = "HOA"                 // negotiated with an association
	RuleSeasonal   RuleType = "SEASONAL"            // a date window ("spring tune-up special")
	RuleVolume     RuleType = "VOLUME"              // a quantity tier
	RuleMember     RuleType = "MEMBER"              // a membership plan's discount
	RuleAfterHours RuleType = "AFTER_HOURS"         // surcharge outside business hours
	RuleEmergency  RuleType = "EMERGENCY"           // emergency surcharge
	RuleOther      RuleType = "OTHER"
)

func (t RuleType) valid() bool {
	switch t {
	case RuleOverride, RuleHOA, RuleSeasonal, RuleVolume, RuleMember, RuleAfterHours, RuleEmergency, RuleOther:
		return true
	}
	return false
}

// Rule is a price rule of a pricebook version: when its scope and conditions
// match a line in its [Context], it adjusts the unit price.
//
// # Precedence
//
// Pricing a line is deterministic:
//
//  1. A manual override on the request ([LineRequest].OverridePrice) is the
//     price; no rule applies.
//  2. The base price comes from the item (member and add-on prices first; see
//     [Item]).
//  3. Of the matching CONTRACTOR_OVERRIDE rules, the first in rule order
//     adjusts the base price; the others are skipped.
//  4. The other matching rules apply in rule order, each to the price the
//     previous one left: at most one rule of each type (the first), MEMBER
//     rules not at all when the base was the item's member price, and none
//     after a rule with StopFurther.
//  5. The price is floored at zero and rounded to the currency's minor unit
//     under the version's rounding mode.
//
// Rule order is ascending Priority, then descending MinQuantity (so the
// deepest volume tier a quantity reaches comes first), then ascending ID.
// Every applied and skipped rule is recorded in the line's [Trace].
type Rule struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Type     RuleType `json:"type"`
	Priority int      `json:"priority"` // lower applies first
	Inactive bool     `json:"inactive,omitempty"`

	// Scope: the rule applies to items listed, in the categories listed (or
	// their subcategories), or of the types listed; to every item if all
	// three are empty.
	ItemIDs     []string   `json:"itemIds,omitempty"`
	CategoryIDs []string   `json:"categoryIds,omitempty"`
	ItemTypes   []ItemType `json:"itemTypes,omitempty"`

	// Conditions: each one set must hold.
	AssociationID    string    `json:"associationId,omitempty"`
	ServiceAreaID    string    `json:"serviceAreaId,omitempty"`
	MembershipPlanID string    `json:"membershipPlanId,omitempty"`
	CustomerID       string    `json:"customerId,omitempty"`
	From             time.Time `json:"from,omitzero"` // window [From, To)
	To               time.Time `json:"to,omitzero"`
	Annual           bool      `json:"annual,omitempty"` // the window recurs every year (month and day only)
	MinQuantity      Quantity  `json:"minQuantity,omitzero"`

	// Adjustment: set exactly one. Percent is signed (−10 is 10 % off, 50 a
	// 50 % surcharge); Amount is added per unit (signed); Price sets the
	// unit price.
	Percent *Percent `json:"percent,omitempty"`
	Amount  *Money   `json:"amount,omitempty"`
	Price   *Money   `json:"price,omitempty"`

	// StopFurther: no rule after this one applies.
	StopFurther bool `json:"stopFurther,omitempty"`
}

// ruleOrder is the precedence order of rules.
func ruleOrder(a, b *Rule) int {
	if c := cmp.Compare(a.Priority, b.Priority); c != 0 {
		return c
	}
	if c := b.MinQuantity.Cmp(a.MinQuantity); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func (r *Rule) validate(field, cur string) error {
	if r.ID == "" {
		return invalid(field+".id", "", "a rule needs an id")
	}
	if !r.Type.valid() {
		return invalid(field+".type", string(r.Type), "unknown rule type")
	}
	n := 0
	for _, set := range []bool{r.Percent != nil, r.Amount != nil, r.Price != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return invalid(field, "", "set exactly one of percent, amount and price")
	}
	for _, m := range []*Money{r.Amount, r.Price} {
		if m != nil && m.Currency() != cur {
			return &MismatchError{A: cur, B: m.Currency()}
		}
	}
	if r.Price != nil && r.Price.IsNegative() {
		return invalidAmount(field+".price", r.Price.Number(), "must not be negative")
	}
	if r.Percent != nil && r.Percent.Cmp(hundredPercent.neg()) < 0 {
		return invalidAmount(field+".percent", r.Percent.String(), "at least −100")
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.Annual && !r.From.Before(r.To) {
		return invalid(field+".to", r.To.Format(time.RFC3339), "the window ends after it starts")
	}
	switch r.Type {
	case RuleSeasonal:
		if r.From.IsZero() || r.To.IsZero() {
			return invalid(field+".from", "", "a SEASONAL rule needs a window")
		}
	case RuleVolume:
		if r.MinQuantity.Sign() <= 0 {
			return invalid(field+".minQuantity", r.MinQuantity.String(), "a VOLUME rule needs a minimum quantity")
		}
	}
	return nil
}

// Context is what a line is priced in: who, where, when and how urgently.
type Context struct {
	At               time.Time `json:"at"` // when the work is priced; seasonal windows read it
	CustomerID       string    `json:"customerId,omitempty"`
	MembershipPlanID string    `json:"membershipPlanId,omitempty"` // the customer's active plan; "" for none
	AssociationID    string    `json:"associationId,omitempty"`    // the HOA the property belongs to
	ServiceAreaID    string    `json:"serviceAreaId,omitempty"`
	AfterHours       bool      `json:"afterHours,omitempty"`
	Emergency        bool      `json:"emergency,omitempty"`
}

// Member reports whether the customer has a membership plan.
func (c *Context) Member() bool { return c.MembershipPlanID != "" }

// inScope reports whether the rule covers the item (categories holds the
// item's category and its ancestors).
func (r *Rule) inScope(it *Item, categories []string) bool {
	if len(r.ItemIDs) == 0 && len(r.CategoryIDs) == 0 && len(r.ItemTypes) == 0 {
		return true
	}
	if slices.Contains(r.ItemIDs, it.ID) || slices.Contains(r.ItemTypes, it.Type) {
		return true
	}
	for _, c := range categories {
		if slices.Contains(r.CategoryIDs, c) {
			return true
		}
	}
	return false
}

// matches reports whether the rule's conditions hold for a line of qty in ctx.
func (r *Rule) matches(ctx *Context, qty Quantity) bool {
	switch {
	case r.Inactive,
		r.AssociationID != "" && r.AssociationID != ctx.AssociationID,
		r.ServiceAreaID != "" && r.ServiceAreaID != ctx.ServiceAreaID,
		r.MembershipPlanID != "" && r.MembershipPlanID != ctx.MembershipPlanID,
		r.CustomerID != "" && r.CustomerID != ctx.CustomerID,
		r.MinQuantity.Sign() > 0 && qty.Cmp(r.MinQuantity) < 0,
		r.Type == RuleHOA && ctx.AssociationID == "",
		r.Type == RuleMember && !ctx.Member(),
		r.Type == RuleAfterHours && !ctx.AfterHours,
		r.Type == RuleEmergency && !ctx.Emergency:
		return false
	}
	return r.inWindow(ctx.At)
}

func (r *Rule) inWindow(t time.Time) bool {
	if r.From.IsZero() && r.To.IsZero() {
		return true
	}
	if !r.Annual {
		return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
	}
	md := func(x time.Time) int { return int(x.Month())*100 + x.Day() }
	loc := r.From.Location()
	if r.From.IsZero() {
		loc = r.To.Location()
	}
	x := md(t.In(loc))
	from, to := 0, 1300
	if !r.From.IsZero() {
		from = md(r.From)
	}
	if !r.To.IsZero() {
		to = md(r.To.In(loc))
	}
	if from <= to {
		return from <= x && x < to
	}
	return x >= from || x < to // the window wraps the new year
}

// adjustment describes the rule's adjustment for a trace: "-10 %", "+25.00",
// "= 169.00".
func (r *Rule) adjustment() string {
	switch {
	case r.Percent != nil:
		s := r.Percent.String()
		if r.Percent.Sign() >= 0 {
			s = "+" + s
		}
		return s + " %"
	case r.Amount != nil:
		s := r.Amount.Number()
		if r.Amount.Sign() >= 0 {
			s = "+" + s
		}
		return s
	default:
		return "= " + r.Price.Number()
	}
}

// apply adjusts an exact unit price.
func (r *Rule) apply(price Money) Money {
	switch {
	case r.Percent != nil:
		return markUp(price, *r.Percent)
	case r.Amount != nil:
		return Money{amount: price.amount.Add(r.Amount.amount), currency: price.currency}
	default:
		return *r.Price
	}
}
