package pricing

import (
	"strconv"
	"time"
)

// InvoiceStatus is the state of an invoice (the reference's enum).
type InvoiceStatus string

// The invoice states. DRAFT is the only editable one; [Invoice.Send] posts
// the invoice, and from then on its lines and figures never change — a
// correction is a [CreditMemo]. After posting, the status follows from the
// money and the clock: PARTIAL, PAID, OVERDUE and REFUNDED are never set by
// hand (see [Invoice.StatusAt]).
const (
	InvoiceDraft    InvoiceStatus = "DRAFT"
	InvoiceSent     InvoiceStatus = "SENT"
	InvoiceViewed   InvoiceStatus = "VIEWED"
	InvoicePartial  InvoiceStatus = "PARTIAL"
	InvoicePaid     InvoiceStatus = "PAID"
	InvoiceOverdue  InvoiceStatus = "OVERDUE"
	InvoiceVoid     InvoiceStatus = "VOID"
	InvoiceRefunded InvoiceStatus = "REFUNDED"
)

// TermsKind is how an invoice's due date is set.
type TermsKind string

// The payment terms.
const (
	DueOnReceipt TermsKind = "DUE_ON_RECEIPT" // due the day it is issued
	NetDays      TermsKind = "NET"            // due Days calendar days after it is issued
)

// Terms are an invoice's payment terms. The zero value is due on receipt.
type Terms struct {
	Kind TermsKind `json:"kind"`
	Days int       `json:"days,omitempty"`
}

// Net returns net-days terms ("net 30").
func Net(days int) Terms { return Terms{Kind: NetDays, Days: days} }

func (t Terms) validate() error {
	switch {
	case t.Kind == "" || t.Kind == DueOnReceipt:
		if t.Days != 0 {
			return invalid("terms.days", "", "due on receipt has no days")
		}
	case t.Kind == NetDays:
		if t.Days < 1 || t.Days > 366 {
			return invalid("terms.days", "", "net terms are 1 to 366 days")
		}
	default:
		return invalid("terms.kind", string(t.Kind), "unknown terms")
	}
	return nil
}

// DueDate returns the due date of an invoice issued at issued: midnight
// starting the due day, in issued's location. The invoice is overdue from
// the midnight after it.
func (t Terms) DueDate(issued time.Time) time.Time {
	y, m, d := issued.Date()
	return time.Date(y, m, d+t.Days, 0, 0, 0, 0, issued.Location())
}

// PaymentMethod is how a payment was made.
type PaymentMethod string

// The payment methods.
const (
	PayCash  PaymentMethod = "CASH"
	PayCheck PaymentMethod = "CHECK"
	PayCard  PaymentMethod = "CARD"
	PayACH   PaymentMethod = "ACH"
	PayOther PaymentMethod = "OTHER"
)

// Payment is money received for an invoice. Applied is what went to the
// invoice; Overpayment, what exceeded the balance due and became customer
// credit. Refunds give back part of Applied; never more.
type Payment struct {
	ID          string        `json:"id"`
	Method      PaymentMethod `json:"method,omitempty"`
	Reference   string        `json:"reference,omitempty"` // check number, gateway id
	Amount      Money         `json:"amount"`
	Applied     Money         `json:"applied"`
	Overpayment Money         `json:"overpayment"`
	ReceivedAt  time.Time     `json:"receivedAt,omitzero"`
	Refunds     []Refund      `json:"refunds,omitempty"`
	Refunded    Money         `json:"refunded"` // Σ Refunds; derived
}

// Refundable is what may still be refunded on the payment.
func (p *Payment) Refundable() Money { return sum(p.Applied.currency, p.Applied, p.Refunded.Neg()) }

// addRefund appends r to refunds of a payment (or deposit) after checking
// it: a new id, a positive amount, never more than refundable.
func addRefund(refunds *[]Refund, r Refund, paymentID string, refundable Money, now time.Time) error {
	if err := newID("refund.id", r.ID, *refunds, func(x Refund) string { return x.ID }); err != nil {
		return err
	}
	if err := checkPayment("refund.amount", refundable.currency, r.Amount); err != nil {
		return err
	}
	if r.Amount.amount.Cmp(refundable.amount) > 0 {
		return &RefundError{PaymentID: paymentID, Requested: r.Amount, Refundable: refundable}
	}
	if r.At.IsZero() {
		r.At = now
	}
	*refunds = append(*refunds, r)
	return nil
}

// Refund gives back part of a payment.
type Refund struct {
	ID     string    `json:"id"`
	Amount Money     `json:"amount"`
	At     time.Time `json:"at,omitzero"`
	Reason string    `json:"reason,omitempty"`
}

// CreditSource says where an applied credit came from.
type CreditSource string

// The credit sources.
const (
	CreditDeposit  CreditSource = "DEPOSIT"         // a deposit paid on the estimate
	CreditCustomer CreditSource = "CUSTOMER_CREDIT" // the customer's credit balance
	CreditMemoNote CreditSource = "CREDIT_MEMO"     // a credit memo on this invoice
)

// AppliedCredit is a credit that reduces an invoice's balance.
type AppliedCredit struct {
	ID        string       `json:"id"`
	Source    CreditSource `json:"source"`
	SourceID  string       `json:"sourceId,omitempty"` // the deposit, credit entry or credit memo
	Amount    Money        `json:"amount"`
	AppliedAt time.Time    `json:"appliedAt,omitzero"`
}

// Invoice is a bill for a job. Its figures, amount paid and balance due are
// always derived, never stored by hand:
//
//	AmountPaid     = Σ payments' Applied − Σ refunds
//	AmountCredited = Σ Credits
//	BalanceDue     = Totals.Total − AmountPaid − AmountCredited   (never negative)
type Invoice struct {
	ID                 string        `json:"id"`
	Number             string        `json:"number,omitempty"`
	JobID              string        `json:"jobId,omitempty"`
	CustomerID         string        `json:"customerId,omitempty"`
	EstimateID         string        `json:"estimateId,omitempty"`
	OptionID           string        `json:"optionId,omitempty"`
	Status             InvoiceStatus `json:"status"`
	Currency           string        `json:"currency"`
	PricebookVersionID string        `json:"pricebookVersionId,omitempty"`
	Tax                TaxProfile    `json:"tax"`
	Rounding           Rounding      `json:"rounding"`
	Lines              []Line        `json:"lines"`
	Discounts          []Discount    `json:"discounts,omitempty"`
	Totals             Totals        `json:"totals"`
	Terms              Terms         `json:"terms"`
	Notes              string        `json:"notes,omitempty"`

	CreatedAt  time.Time `json:"createdAt,omitzero"`
	IssuedAt   time.Time `json:"issuedAt,omitzero"` // posted: immutable from then on
	DueDate    time.Time `json:"dueDate,omitzero"`
	ViewedAt   time.Time `json:"viewedAt,omitzero"`
	PaidAt     time.Time `json:"paidAt,omitzero"`
	VoidedAt   time.Time `json:"voidedAt,omitzero"`
	VoidReason string    `json:"voidReason,omitempty"`

	Payments       []Payment       `json:"payments,omitempty"`
	Credits        []AppliedCredit `json:"credits,omitempty"`
	AmountPaid     Money           `json:"amountPaid"`
	AmountCredited Money           `json:"amountCredited"`
	AmountRefunded Money           `json:"amountRefunded"`
	BalanceDue     Money           `json:"balanceDue"`
}

func (inv *Invoice) transition(action, rule string) error {
	return &TransitionError{Document: "invoice", ID: inv.ID, From: string(inv.Status), Action: action, Rule: rule}
}

// Posted reports whether the invoice has been issued: its lines and figures
// are then immutable.
func (inv *Invoice) Posted() bool { return !inv.IssuedAt.IsZero() }

// NewInvoice returns a DRAFT invoice with h's header (id, number, job,
// customer, currency, tax, rounding, terms, pricebook version) and the
// given lines and discounts, its figures computed.
func NewInvoice(h Invoice, lines []Line, discounts []Discount, now time.Time) (*Invoice, error) {
	if h.ID == "" {
		return nil, invalid("id", "", "an invoice needs an id")
	}
	if err := checkCurrency("currency", h.Currency); err != nil {
		return nil, err
	}
	if err := h.Rounding.validate(); err != nil {
		return nil, err
	}
	if err := h.Terms.validate(); err != nil {
		return nil, err
	}
	if len(lines) > maxLines {
		return nil, invalid("lines", strconv.Itoa(len(lines)), "at most 100000 lines")
	}
	inv := h
	inv.Status, inv.CreatedAt, inv.Rounding = InvoiceDraft, now, h.Rounding.WithDefaults()
	if inv.Terms.Kind == "" {
		inv.Terms.Kind = DueOnReceipt
	}
	inv.Lines, inv.Discounts = cloneJSON(lines), cloneJSON(discounts)
	inv.IssuedAt, inv.DueDate, inv.ViewedAt, inv.PaidAt, inv.VoidedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	inv.Payments, inv.Credits = nil, nil
	if err := inv.Recalculate(); err != nil {
		return nil, err
	}
	return &inv, nil
}

// InvoiceFromEstimate bills the accepted option of an ACCEPTED estimate: its
// lines (as snapshotted, never repriced), discounts, tax and rounding; the
// deposits held on the estimate are applied as credits. h supplies the id,
// number and terms. The estimate records the invoice (est.InvoiceID), and is
// invoiced once: see [Estimate.InvoiceVoided].
func InvoiceFromEstimate(est *Estimate, h Invoice, now time.Time) (*Invoice, error) {
	o, err := est.AcceptedOption()
	if err != nil {
		return nil, err
	}
	if est.InvoiceID != "" {
		return nil, est.transition("invoice", "ESTIMATE_ALREADY_INVOICED")
	}
	h.JobID, h.CustomerID, h.EstimateID, h.OptionID = est.JobID, est.CustomerID, est.ID, o.ID
	h.Currency, h.PricebookVersionID, h.Tax, h.Rounding = est.Currency, est.PricebookVersionID, est.Tax, est.Rounding
	inv, err := NewInvoice(h, o.Lines, o.Discounts, now)
	if err != nil {
		return nil, err
	}
	for _, d := range est.Deposits {
		if held := d.Held(); held.IsPositive() {
			c := AppliedCredit{ID: "deposit-" + d.ID, Source: CreditDeposit, SourceID: d.ID, Amount: held, AppliedAt: now}
			if err := inv.ApplyCredit(c, now); err != nil {
				return nil, err
			}
		}
	}
	est.InvoiceID = inv.ID
	return inv, nil
}

// Recalculate derives the invoice's figures and balances again. A posted
// invoice's lines never change, so on a posted invoice it only rederives
// what it had — the engine calls it after decoding a stored invoice.
func (inv *Invoice) Recalculate() error {
	version, err := checkVersion(inv.Lines, inv.PricebookVersionID)
	if err != nil {
		return err
	}
	inv.PricebookVersionID = version
	s := sheet{currency: inv.Currency, tax: &inv.Tax, rounding: inv.Rounding.WithDefaults(), lines: inv.Lines, discounts: inv.Discounts}
	t, err := s.compute()
	if err != nil {
		return err
	}
	inv.Totals = t
	return inv.balance()
}

// balance derives the payment figures and checks that nothing exceeds the
// total.
func (inv *Invoice) balance() error {
	cur := inv.Currency
	paid, credited, refunded := zero(cur), zero(cur), zero(cur)
	for i := range inv.Payments {
		p := &inv.Payments[i]
		p.Refunded = zero(cur)
		for _, r := range p.Refunds {
			p.Refunded = sum(cur, p.Refunded, r.Amount)
		}
		refunded = sum(cur, refunded, p.Refunded)
		paid = sum(cur, paid, p.Applied, p.Refunded.Neg())
	}
	for _, c := range inv.Credits {
		credited = sum(cur, credited, c.Amount)
	}
	inv.AmountPaid, inv.AmountCredited, inv.AmountRefunded = paid, credited, refunded
	inv.BalanceDue = sum(cur, inv.Totals.Total, paid.Neg(), credited.Neg())
	if inv.BalanceDue.IsNegative() {
		return &CreditError{Document: "invoice " + inv.ID, Requested: sum(cur, paid, credited),
			Available: inv.Totals.Total, Rule: "PAYMENTS_AND_CREDITS_EXCEED_TOTAL"}
	}
	return nil
}

// StatusAt is the invoice's status at now, derived from its money and the
// clock: VOID; DRAFT until issued; REFUNDED once every payment was refunded;
// PAID when nothing is due; OVERDUE after the due date; PARTIAL when
// something was paid or credited; VIEWED; SENT.
func (inv *Invoice) StatusAt(now time.Time) InvoiceStatus {
	switch {
	case !inv.VoidedAt.IsZero():
		return InvoiceVoid
	case !inv.Posted():
		return InvoiceDraft
	case inv.AmountRefunded.IsPositive() && inv.AmountPaid.IsZero():
		return InvoiceRefunded
	case !inv.BalanceDue.IsPositive():
		return InvoicePaid
	case !now.Before(inv.DueDate.AddDate(0, 0, 1)):
		return InvoiceOverdue
	case inv.AmountPaid.IsPositive() || inv.AmountCredited.IsPositive():
		return InvoicePartial
	case !inv.ViewedAt.IsZero():
		return InvoiceViewed
	}
	return InvoiceSent
}

// Refresh records the status at now (OVERDUE is a function of the clock)
// and reports whether it changed.
func (inv *Invoice) Refresh(now time.Time) bool {
	s := inv.StatusAt(now)
	if s == inv.Status {
		return false
	}
	if s == InvoicePaid {
		inv.PaidAt = now
	} else if inv.Status == InvoicePaid {
		inv.PaidAt = time.Time{}
	}
	inv.Status = s
	return true
}

// Edit changes a DRAFT invoice: fn edits a copy, of which the lines,
// discounts, terms, number, notes and pricebook version replace the
// invoice's, figures recomputed, only if fn and the computation succeed.
// Pricebook lines must all come from the invoice's version. A posted invoice is
// immutable (rule INVOICE_POSTED_IS_IMMUTABLE): issue a credit memo.
func (inv *Invoice) Edit(fn func(draft *Invoice) error) error {
	if inv.Posted() || inv.Status != InvoiceDraft {
		return inv.transition("edit", "INVOICE_POSTED_IS_IMMUTABLE")
	}
	c := cloneJSON(*inv)
	if err := fn(&c); err != nil {
		return err
	}
	if err := c.Terms.validate(); err != nil {
		return err
	}
	n := cloneJSON(*inv)
	n.Lines, n.Discounts, n.Terms, n.Number, n.Notes = c.Lines, c.Discounts, c.Terms, c.Number, c.Notes
	n.PricebookVersionID = c.PricebookVersionID
	if err := n.Recalculate(); err != nil {
		return err
	}
	*inv = n
	return nil
}

// AddLines prices lines from the pricebook onto a DRAFT invoice (parts a
// technician adds on site). The invoice's pricebook version, if set, must
// be p's.
func (inv *Invoice) AddLines(p *Pricer, reqs []LineRequest, ctx Context) error {
	if p.Currency() != inv.Currency {
		return &MismatchError{A: inv.Currency, B: p.Currency()}
	}
	if inv.PricebookVersionID != "" && inv.PricebookVersionID != p.VersionID() {
		return &ReferenceError{Line: "invoice " + inv.ID, VersionID: p.VersionID(), Reason: RefOtherVersion}
	}
	lines, err := p.PriceLines(reqs, ctx)
	if err != nil {
		return err
	}
	return inv.Edit(func(d *Invoice) error {
		d.Lines = append(d.Lines, lines...)
		d.PricebookVersionID = p.VersionID()
		return nil
	})
}

// Send issues (posts) a DRAFT invoice: its due date is set from its terms,
// and from now on it is immutable.
func (inv *Invoice) Send(now time.Time) error {
	switch {
	case inv.Status != InvoiceDraft:
		return inv.transition("send", "INVOICE_SEND_REQUIRES_DRAFT")
	case len(inv.Lines) == 0:
		return inv.transition("send", "INVOICE_SEND_REQUIRES_LINES")
	}
	inv.IssuedAt, inv.DueDate = now, inv.Terms.DueDate(now)
	inv.Refresh(now)
	return nil
}

// MarkViewed records that the customer opened the invoice. It changes
// nothing on an invoice already viewed, paid or closed.
func (inv *Invoice) MarkViewed(now time.Time) error {
	if !inv.Posted() {
		return inv.transition("view", "INVOICE_VIEW_REQUIRES_SENT")
	}
	if inv.ViewedAt.IsZero() {
		inv.ViewedAt = now
	}
	inv.Refresh(now)
	return nil
}

func checkPayment(field, cur string, m Money) error {
	if m.Currency() != cur {
		return &MismatchError{A: cur, B: m.Currency()}
	}
	if !m.IsPositive() || !m.IsRounded() {
		return invalidAmount(field, m.Number(), "a positive amount in minor units")
	}
	return nil
}

// RecordPayment records a payment on an issued invoice. What exceeds the
// balance due is the payment's Overpayment: the caller credits it to the
// customer. A payment on an invoice with nothing due is refused.
func (inv *Invoice) RecordPayment(p Payment, now time.Time) (*Payment, error) {
	switch {
	case !inv.VoidedAt.IsZero():
		return nil, inv.transition("record a payment", "INVOICE_IS_VOID")
	case !inv.Posted():
		return nil, inv.transition("record a payment", "INVOICE_PAYMENT_REQUIRES_ISSUED")
	}
	if err := newID("payment.id", p.ID, inv.Payments, func(x Payment) string { return x.ID }); err != nil {
		return nil, err
	}
	if err := checkPayment("payment.amount", inv.Currency, p.Amount); err != nil {
		return nil, err
	}
	if !inv.BalanceDue.IsPositive() {
		return nil, &CreditError{Document: "invoice " + inv.ID, Requested: p.Amount, Available: inv.BalanceDue, Rule: "INVOICE_NOTHING_DUE"}
	}
	p.Applied = minMoney(p.Amount, inv.BalanceDue)
	p.Overpayment = sum(inv.Currency, p.Amount, p.Applied.Neg())
	p.Refunds, p.Refunded = nil, zero(inv.Currency)
	if p.ReceivedAt.IsZero() {
		p.ReceivedAt = now
	}
	inv.Payments = append(inv.Payments, p)
	if err := inv.balance(); err != nil {
		return nil, err // unreachable: Applied ≤ BalanceDue
	}
	inv.Refresh(now)
	return &inv.Payments[len(inv.Payments)-1], nil
}

// Payment returns the payment with the given id.
func (inv *Invoice) Payment(id string) (*Payment, error) {
	for i := range inv.Payments {
		if inv.Payments[i].ID == id {
			return &inv.Payments[i], nil
		}
	}
	return nil, &NotFoundError{Kind: "payment", ID: id, In: "invoice " + inv.ID}
}

// RefundPayment refunds part of a payment: never more than what the payment
// applied to the invoice less what was already refunded on it (a
// [RefundError] otherwise). The balance due grows back by the refund.
func (inv *Invoice) RefundPayment(paymentID string, r Refund, now time.Time) error {
	if !inv.VoidedAt.IsZero() {
		return inv.transition("refund", "INVOICE_IS_VOID")
	}
	p, err := inv.Payment(paymentID)
	if err != nil {
		return err
	}
	if err := addRefund(&p.Refunds, r, p.ID, p.Refundable(), now); err != nil {
		return err
	}
	if err := inv.balance(); err != nil {
		return err
	}
	inv.Refresh(now)
	return nil
}

// ApplyCredit applies a credit (a deposit, the customer's credit balance, a
// credit memo) to the invoice: never more than the balance due, and never
// to an invoice with nothing due.
func (inv *Invoice) ApplyCredit(c AppliedCredit, now time.Time) error {
	if !inv.VoidedAt.IsZero() {
		return inv.transition("apply a credit", "INVOICE_IS_VOID")
	}
	if err := newID("credit.id", c.ID, inv.Credits, func(x AppliedCredit) string { return x.ID }); err != nil {
		return err
	}
	if err := checkPayment("credit.amount", inv.Currency, c.Amount); err != nil {
		return err
	}
	if c.Amount.amount.Cmp(inv.BalanceDue.amount) > 0 {
		return &CreditError{Document: "invoice " + inv.ID, Requested: c.Amount, Available: inv.BalanceDue, Rule: "CREDIT_EXCEEDS_BALANCE"}
	}
	if c.AppliedAt.IsZero() {
		c.AppliedAt = now
	}
	inv.Credits = append(inv.Credits, c)
	if err := inv.balance(); err != nil {
		return err
	}
	inv.Refresh(now)
	return nil
}

// Void cancels an invoice that holds no money: payments must be refunded
// first (rule INVOICE_VOID_WITH_PAYMENTS). It returns the credits it
// released: customer credit and credit memos go back to the customer's
// credit balance; DEPOSIT credits still belong to their estimate
// ([Estimate.InvoiceVoided] frees it to be invoiced again).
func (inv *Invoice) Void(reason string, now time.Time) ([]AppliedCredit, error) {
	switch {
	case !inv.VoidedAt.IsZero():
		return nil, inv.transition("void", "INVOICE_IS_VOID")
	case inv.AmountPaid.IsPositive():
		return nil, inv.transition("void", "INVOICE_VOID_WITH_PAYMENTS")
	}
	released := inv.Credits
	inv.Credits = nil
	if err := inv.balance(); err != nil {
		return nil, err
	}
	inv.VoidedAt, inv.VoidReason = now, reason
	inv.Refresh(now)
	return released, nil
}
