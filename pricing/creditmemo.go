package pricing

import (
	"math/big"
	"strconv"
	"time"
)

// CreditMemo corrects a posted invoice: it credits some of its lines, with
// the invoice's own tax treatment, and is the only document whose figures
// are negative.
//
// A memo line credits part of an original line, by quantity or by amount
// (gross, tax included). Every component of the line — amount, discount,
// tax of each rate — is credited in proportion, cumulatively: after memos
// crediting a fraction F of the line's total in all, each component
// credited is round(component × F) (the tax is split among its rates within
// what each rate has left). So the credits never exceed the original line
// in any component, never go negative, and crediting a whole line — at once
// or piece by piece — gives back exactly what was charged, cent for cent.
type CreditMemo struct {
	ID         string     `json:"id"`
	Number     string     `json:"number,omitempty"`
	InvoiceID  string     `json:"invoiceId"`
	CustomerID string     `json:"customerId,omitempty"`
	JobID      string     `json:"jobId,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	Currency   string     `json:"currency"`
	Tax        TaxProfile `json:"tax"`
	Rounding   Rounding   `json:"rounding"`
	Lines      []Line     `json:"lines"`
	Totals     Totals     `json:"totals"`
	IssuedAt   time.Time  `json:"issuedAt,omitzero"`

	// How the memo was used (see [Invoice.ApplyCreditMemo]).
	AppliedToInvoice Money     `json:"appliedToInvoice"`
	ToCustomerCredit Money     `json:"toCustomerCredit"`
	AppliedAt        time.Time `json:"appliedAt,omitzero"`
}

// CreditRequest asks to credit part of an invoice line: Quantity units, or
// Amount (tax included); with neither, all that remains of the line.
type CreditRequest struct {
	LineID   string   `json:"lineId"`
	Quantity Quantity `json:"quantity,omitzero"`
	Amount   *Money   `json:"amount,omitempty"`
}

// credited is what memos have credited of one original line so far, as
// positive amounts.
type credited struct {
	total    Money
	quantity Quantity
	rates    map[string]Money
}

// NewCreditMemo issues a credit memo (id, number and reason from h) against
// a posted invoice. prior are the memos already issued against it: a
// request beyond what remains of its line — in quantity or in amount — is a
// [CreditError] (ErrOverCredit).
func NewCreditMemo(h CreditMemo, inv *Invoice, prior []*CreditMemo, reqs []CreditRequest, now time.Time) (*CreditMemo, error) {
	if h.ID == "" {
		return nil, invalid("id", "", "a credit memo needs an id")
	}
	if !inv.Posted() || !inv.VoidedAt.IsZero() {
		return nil, inv.transition("credit", "CREDIT_MEMO_REQUIRES_POSTED_INVOICE")
	}
	if len(reqs) == 0 {
		return nil, invalid("lines", "", "a credit memo credits at least one line")
	}
	cur := inv.Currency
	done := map[string]*credited{}
	state := func(lineID string) *credited {
		if c := done[lineID]; c != nil {
			return c
		}
		c := &credited{total: zero(cur), rates: map[string]Money{}}
		done[lineID] = c
		return c
	}
	for _, m := range prior {
		if m.InvoiceID != inv.ID {
			return nil, invalid("prior", m.ID, "a prior credit memo of another invoice")
		}
		for _, l := range m.Lines {
			c := state(l.OriginalLineID)
			c.total = sum(cur, c.total, l.Total.Neg())
			c.quantity = c.quantity.Sub(l.Quantity)
			for _, t := range l.Taxes {
				c.rates[t.RateID] = sum(cur, c.rates[t.RateID], t.Amount.Neg())
			}
		}
	}
	m := &CreditMemo{
		ID: h.ID, Number: h.Number, InvoiceID: inv.ID, CustomerID: inv.CustomerID, JobID: inv.JobID,
		Reason: h.Reason, Currency: cur, Tax: inv.Tax, Rounding: inv.Rounding, IssuedAt: now,
		AppliedToInvoice: zero(cur), ToCustomerCredit: zero(cur),
	}
	for k, r := range reqs {
		orig := findLine(inv.Lines, r.LineID)
		if orig == nil {
			return nil, &NotFoundError{Kind: "line", ID: r.LineID, In: "invoice " + inv.ID}
		}
		l, err := m.creditLine(k, orig, state(orig.ID), r)
		if err != nil {
			return nil, err
		}
		m.Lines = append(m.Lines, l)
	}
	m.Totals = m.total()
	return m, nil
}

func findLine(lines []Line, id string) *Line {
	for i := range lines {
		if lines[i].ID == id {
			return &lines[i]
		}
	}
	return nil
}

// creditLine credits part of orig, given what was credited of it before,
// and updates c.
func (m *CreditMemo) creditLine(k int, orig *Line, c *credited, r CreditRequest) (Line, error) {
	cur, mode := m.Currency, m.Rounding.WithDefaults().Mode
	remaining := sum(cur, orig.Total, c.total.Neg())
	remainingQty := orig.Quantity.Sub(c.quantity)
	field := "lines[" + strconv.Itoa(k) + "]"
	over := func(req, avail Money, rule string) error {
		return &CreditError{Document: "invoice " + m.InvoiceID, Line: orig.ID, Requested: req, Available: avail, Rule: rule}
	}
	var a Money // the gross credited now
	q := r.Quantity
	switch {
	case r.Amount != nil:
		if err := checkPayment(field+".amount", cur, *r.Amount); err != nil {
			return Line{}, err
		}
		if r.Amount.amount.Cmp(remaining.amount) > 0 {
			return Line{}, over(*r.Amount, remaining, "CREDIT_EXCEEDS_LINE")
		}
		a = *r.Amount
	case q.Sign() > 0:
		ofQty := func(n Quantity) Money { // the line total's share for n units
			if n.Cmp(orig.Quantity) >= 0 {
				return orig.Total
			}
			f := new(big.Rat).Mul(orig.Total.amount.Rat(), n.d.Rat())
			f.Quo(f, orig.Quantity.d.Rat())
			return Money{amount: roundRat(f, orig.Total.digits(), mode), currency: cur}
		}
		if q.Cmp(remainingQty) > 0 {
			err := over(ofQty(q), remaining, "CREDIT_EXCEEDS_LINE_QUANTITY").(*CreditError)
			err.Detail = q.String() + " units requested, " + remainingQty.String() + " left"
			return Line{}, err
		}
		target := ofQty(c.quantity.Add(q))
		a = sum(cur, target, c.total.Neg())
		if a.IsNegative() { // earlier credits by amount went beyond this quantity's share
			a = zero(cur)
		}
	case q.Sign() < 0:
		return Line{}, invalidAmount(field+".quantity", q.String(), "must be positive")
	default: // everything that remains
		if !remaining.IsPositive() && !remainingQty.d.IsPositive() {
			return Line{}, over(zero(cur), remaining, "LINE_FULLY_CREDITED")
		}
		a, q = remaining, remainingQty
	}
	// The fraction of the line credited before and after this credit: by
	// amount, or by quantity for a line whose total is zero.
	before, after := new(big.Rat), new(big.Rat)
	switch {
	case orig.Total.IsPositive():
		before.Quo(c.total.amount.Rat(), orig.Total.amount.Rat())
		after.Quo(sum(cur, c.total, a).amount.Rat(), orig.Total.amount.Rat())
	case orig.Quantity.Sign() > 0:
		before.Quo(c.quantity.d.Rat(), orig.Quantity.d.Rat())
		after.Quo(c.quantity.Add(q).d.Rat(), orig.Quantity.d.Rat())
	}
	share := func(x Money) Money { // what of x this credit covers, cumulatively rounded
		at := func(f *big.Rat) Money {
			return Money{amount: roundRat(new(big.Rat).Mul(x.amount.Rat(), f), x.digits(), mode), currency: cur}
		}
		return sum(cur, at(after), at(before).Neg())
	}
	amount, discount, tax := share(orig.Amount), share(orig.Discount), share(orig.Tax)
	l := Line{
		ID: "C" + strconv.Itoa(k+1), Type: orig.Type, ItemID: orig.ItemID, ItemCode: orig.ItemCode,
		Description: orig.Description, Quantity: Quantity{}.Sub(q), Unit: orig.Unit, UnitPrice: orig.UnitPrice,
		UnitCost: zero(cur), TaxClass: orig.TaxClass, OriginalLineID: orig.ID,
		Amount: amount.Neg(), Discount: discount.Neg(), Tax: tax.Neg(), Total: a.Neg(), Cost: zero(cur),
		Net: sum(cur, a, discount, tax.Neg()).Neg(),
	}
	// Split the tax among the line's rates within what each has left.
	if len(orig.Taxes) > 0 {
		weights := make([]*big.Int, len(orig.Taxes))
		for j, t := range orig.Taxes {
			weights[j] = sum(cur, t.Amount, c.rates[t.RateID].Neg()).unitsOf()
		}
		parts := make([]Money, len(orig.Taxes))
		if tax.IsZero() {
			for j := range parts {
				parts[j] = zero(cur)
			}
		} else {
			parts = allocateMoney(tax, weights)
		}
		for j, part := range parts {
			id := orig.Taxes[j].RateID
			l.Taxes = append(l.Taxes, LineTax{RateID: id, Amount: part.Neg()})
			c.rates[id] = sum(cur, c.rates[id], part)
		}
	}
	c.total, c.quantity = sum(cur, c.total, a), c.quantity.Add(q)
	return l, nil
}

// total sums the memo's lines.
func (m *CreditMemo) total() Totals {
	cur := m.Currency
	t := Totals{Subtotal: zero(cur), Discount: zero(cur), Tax: zero(cur), Total: zero(cur), Cost: zero(cur)}
	amounts := map[string]Money{}
	bases := map[string]Money{}
	for _, l := range m.Lines {
		t.Subtotal = sum(cur, t.Subtotal, l.Net)
		t.Discount = sum(cur, t.Discount, l.Discount)
		t.Tax = sum(cur, t.Tax, l.Tax)
		t.Total = sum(cur, t.Total, l.Total)
		for _, x := range l.Taxes {
			amounts[x.RateID] = sum(cur, amounts[x.RateID], x.Amount)
			bases[x.RateID] = sum(cur, bases[x.RateID], l.Net, l.Discount.Neg())
		}
	}
	for _, r := range m.Tax.Rates {
		if a, ok := amounts[r.ID]; ok {
			t.Taxes = append(t.Taxes, TaxLine{RateID: r.ID, Name: r.Name, Jurisdiction: r.Jurisdiction, Rate: r.Rate, Base: bases[r.ID], Amount: a})
		}
	}
	t.Margin, t.MarginPercent = margin(sum(cur, t.Subtotal, t.Discount.Neg()), t.Cost)
	return t
}

// ApplyCreditMemo applies a memo of this invoice: it reduces the balance due
// first, and what exceeds it (the invoice was already paid) is returned, to
// be credited to the customer or refunded. A memo is applied once.
func (inv *Invoice) ApplyCreditMemo(m *CreditMemo, now time.Time) (Money, error) {
	switch {
	case m.InvoiceID != inv.ID:
		return Money{}, invalid("creditMemo.invoiceId", m.InvoiceID, "the memo credits another invoice")
	case !m.AppliedAt.IsZero():
		return Money{}, &TransitionError{Document: "credit memo", ID: m.ID, From: "APPLIED", Action: "apply", Rule: "CREDIT_MEMO_APPLIED_ONCE"}
	case !inv.VoidedAt.IsZero():
		return Money{}, inv.transition("apply a credit memo", "INVOICE_IS_VOID")
	}
	cur := inv.Currency
	credit := m.Totals.Total.Neg()
	toInvoice := minMoney(credit, inv.BalanceDue)
	if toInvoice.IsPositive() {
		c := AppliedCredit{ID: "memo-" + m.ID, Source: CreditMemoNote, SourceID: m.ID, Amount: toInvoice, AppliedAt: now}
		if err := inv.ApplyCredit(c, now); err != nil {
			return Money{}, err
		}
	} else {
		toInvoice = zero(cur)
	}
	m.AppliedToInvoice, m.ToCustomerCredit, m.AppliedAt = toInvoice, sum(cur, credit, toInvoice.Neg()), now
	return m.ToCustomerCredit, nil
}
