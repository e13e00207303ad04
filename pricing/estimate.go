package pricing

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// EstimateStatus is the state of an estimate (the reference's enum).
type EstimateStatus string

// The estimate states.
//
//	DRAFT ──send──▶ SENT ──view──▶ VIEWED
//	SENT, VIEWED ──accept──▶ ACCEPTED      (one option; the others DECLINED)
//	SENT, VIEWED ──decline──▶ DECLINED
//	SENT, VIEWED ──validity passes──▶ EXPIRED
//	SENT, VIEWED, DECLINED, EXPIRED ──revise──▶ REVISED (a new DRAFT version is linked to it)
//
// Only a DRAFT may be edited. ACCEPTED is final: a change after acceptance
// is a new estimate (a change order).
const (
	EstimateDraft    EstimateStatus = "DRAFT"
	EstimateSent     EstimateStatus = "SENT"
	EstimateViewed   EstimateStatus = "VIEWED"
	EstimateAccepted EstimateStatus = "ACCEPTED"
	EstimateDeclined EstimateStatus = "DECLINED"
	EstimateExpired  EstimateStatus = "EXPIRED"
	EstimateRevised  EstimateStatus = "REVISED"
)

// OptionStatus is the state of one option of an estimate.
type OptionStatus string

// The option states.
const (
	OptionOpen     OptionStatus = "OPEN"
	OptionAccepted OptionStatus = "ACCEPTED"
	OptionDeclined OptionStatus = "DECLINED"
)

// Estimate is a priced proposal with one or more options (good, better,
// best). Lines are snapshots: a later pricebook version never reprices an
// estimate already presented. The figures of each option are derived by
// the package; the engine stores the estimate and calls its methods for
// every change, passing now.
type Estimate struct {
	ID                 string         `json:"id"`
	Number             string         `json:"number,omitempty"`
	Version            int            `json:"version"`
	PreviousVersionID  string         `json:"previousVersionId,omitempty"`
	JobID              string         `json:"jobId,omitempty"`
	CustomerID         string         `json:"customerId,omitempty"`
	Title              string         `json:"title,omitempty"`
	Status             EstimateStatus `json:"status"`
	Currency           string         `json:"currency"`
	PricebookVersionID string         `json:"pricebookVersionId,omitempty"`
	Tax                TaxProfile     `json:"tax"`
	Rounding           Rounding       `json:"rounding"`
	// ValidUntil is when the offer lapses; zero never lapses.
	ValidUntil time.Time `json:"validUntil,omitzero"`
	// Deposit is the deposit required on acceptance: a percentage of, or an
	// amount capped at, the accepted option's total.
	Deposit *Portion `json:"deposit,omitempty"`
	Options []Option `json:"options"`

	AcceptedOptionID string `json:"acceptedOptionId,omitempty"`
	// DepositDue is the deposit of the accepted option, fixed on acceptance.
	DepositDue Money     `json:"depositDue"`
	Deposits   []Deposit `json:"deposits,omitempty"`
	// DepositPaid is Σ deposits less their refunds; derived.
	DepositPaid Money `json:"depositPaid"`
	// InvoiceID is the invoice made from the estimate; its deposits went to it.
	InvoiceID     string `json:"invoiceId,omitempty"`
	DeclineReason string `json:"declineReason,omitempty"`

	CreatedAt  time.Time `json:"createdAt,omitzero"`
	SentAt     time.Time `json:"sentAt,omitzero"`
	ViewedAt   time.Time `json:"viewedAt,omitzero"`
	AcceptedAt time.Time `json:"acceptedAt,omitzero"`
	DeclinedAt time.Time `json:"declinedAt,omitzero"`
	ExpiredAt  time.Time `json:"expiredAt,omitzero"`
	RevisedAt  time.Time `json:"revisedAt,omitzero"`
}

// Option is one choice of an estimate, with its own lines, discounts and
// totals. Deposit is the deposit this option would require; derived.
type Option struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"` // "Good", "Better", "Best"
	Description string       `json:"description,omitempty"`
	Recommended bool         `json:"recommended,omitempty"`
	Status      OptionStatus `json:"status"`
	Lines       []Line       `json:"lines"`
	Discounts   []Discount   `json:"discounts,omitempty"`
	Totals      Totals       `json:"totals"`
	Deposit     Money        `json:"deposit"`
}

// Deposit is a payment received against an accepted estimate before it is
// invoiced. The invoice made from the estimate applies it as a credit.
type Deposit struct {
	ID         string        `json:"id"`
	Amount     Money         `json:"amount"`
	Method     PaymentMethod `json:"method,omitempty"`
	Reference  string        `json:"reference,omitempty"`
	ReceivedAt time.Time     `json:"receivedAt,omitzero"`
	Refunds    []Refund      `json:"refunds,omitempty"`
	Refunded   Money         `json:"refunded"` // Σ Refunds; derived
}

// Held is what the contractor still holds of the deposit.
func (d *Deposit) Held() Money { return sum(d.Amount.currency, d.Amount, d.Refunded.Neg()) }

// OptionRequest asks for an option: the lines of a job template, then
// pricebook lines, then custom lines, and document discounts.
type OptionRequest struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	Recommended bool          `json:"recommended,omitempty"`
	TemplateID  string        `json:"templateId,omitempty"`
	Lines       []LineRequest `json:"lines,omitempty"`
	Custom      []Line        `json:"custom,omitempty"`
	Discounts   []Discount    `json:"discounts,omitempty"`
	// DiscountItemIDs adds the discounts of DISCOUNT items.
	DiscountItemIDs []string `json:"discountItemIds,omitempty"`
}

func (e *Estimate) transition(action, rule string) error {
	return &TransitionError{Document: "estimate", ID: e.ID, From: string(e.Status), Action: action, Rule: rule}
}

// NewEstimate returns a DRAFT estimate with e's header (id, number, job,
// customer, currency, tax, rounding, validity, deposit policy) and no
// options yet: add them with [Estimate.AddOption]. The rounding policy is
// recorded with its defaults filled in.
func NewEstimate(e Estimate, now time.Time) (*Estimate, error) {
	if e.ID == "" {
		return nil, invalid("id", "", "an estimate needs an id")
	}
	if err := checkCurrency("currency", e.Currency); err != nil {
		return nil, err
	}
	if err := e.Rounding.validate(); err != nil {
		return nil, err
	}
	if err := e.Tax.validate("tax"); err != nil {
		return nil, err
	}
	if e.Deposit != nil {
		if err := e.Deposit.validate(e.Currency); err != nil {
			return nil, at("deposit", err)
		}
	}
	e.Status, e.CreatedAt, e.Rounding = EstimateDraft, now, e.Rounding.WithDefaults()
	if e.Version == 0 {
		e.Version = 1
	}
	e.Options, e.Deposits, e.AcceptedOptionID = nil, nil, ""
	e.DepositDue, e.DepositPaid = zero(e.Currency), zero(e.Currency)
	return &e, nil
}

func (e *Estimate) editable(action string) error {
	if e.Status != EstimateDraft {
		return e.transition(action, "ESTIMATE_EDIT_REQUIRES_DRAFT")
	}
	return nil
}

// Option returns the option with the given id.
func (e *Estimate) Option(id string) (*Option, error) {
	for i := range e.Options {
		if e.Options[i].ID == id {
			return &e.Options[i], nil
		}
	}
	return nil, &NotFoundError{Kind: "option", ID: id, In: "estimate " + e.ID}
}

// AddOption prices an option from the pricebook (p may be nil for an option
// of custom lines only) in ctx and adds it to a DRAFT estimate. Every
// pricebook line of an estimate comes from one version: the first option
// fixes it, and a Pricer of another version is a [ReferenceError].
func (e *Estimate) AddOption(p *Pricer, req OptionRequest, ctx Context) (*Option, error) {
	if err := e.editable("add an option"); err != nil {
		return nil, err
	}
	if req.ID == "" {
		return nil, invalid("options.id", "", "an option needs an id")
	}
	if _, err := e.Option(req.ID); err == nil {
		return nil, invalid("options.id", req.ID, "duplicate option id")
	}
	var lines []Line
	discounts := slices.Clone(req.Discounts)
	if p != nil {
		if err := e.usePricer(p); err != nil {
			return nil, err
		}
		if req.TemplateID != "" {
			t, err := p.Template(req.TemplateID, ctx)
			if err != nil {
				return nil, err
			}
			lines = append(lines, t...)
		}
		priced, err := p.PriceLines(req.Lines, ctx)
		if err != nil {
			return nil, err
		}
		lines = append(lines, priced...)
		for _, id := range req.DiscountItemIDs {
			d, err := p.Discount(id)
			if err != nil {
				return nil, err
			}
			discounts = append(discounts, d)
		}
	} else if req.TemplateID != "" || len(req.Lines) > 0 || len(req.DiscountItemIDs) > 0 {
		return nil, invalid("options.lines", req.ID, "pricebook lines need a Pricer")
	}
	for _, c := range req.Custom {
		if !c.Custom() {
			return nil, invalid("options.custom", c.ID, "a custom line has no item id")
		}
		lines = append(lines, c)
	}
	o := Option{
		ID: req.ID, Name: req.Name, Description: req.Description, Recommended: req.Recommended,
		Status: OptionOpen, Lines: lines, Discounts: discounts,
	}
	if err := e.computeOption(len(e.Options), &o); err != nil {
		return nil, err
	}
	e.Options = append(e.Options, o)
	return &e.Options[len(e.Options)-1], nil
}

func (e *Estimate) usePricer(p *Pricer) error {
	if p.Currency() != e.Currency {
		return &MismatchError{A: e.Currency, B: p.Currency()}
	}
	if e.PricebookVersionID == "" {
		e.PricebookVersionID = p.VersionID()
	}
	if e.PricebookVersionID != p.VersionID() {
		return &ReferenceError{Line: "estimate " + e.ID, VersionID: p.VersionID(), Reason: RefOtherVersion}
	}
	return nil
}

// computeOption derives the option's figures and its deposit.
func (e *Estimate) computeOption(k int, o *Option) error {
	s := sheet{
		prefix: "options[" + strconv.Itoa(k) + "].", currency: e.Currency, tax: &e.Tax,
		rounding: e.Rounding.WithDefaults(), lines: o.Lines, discounts: o.Discounts,
	}
	t, err := s.compute()
	if err != nil {
		return err
	}
	o.Totals = t
	o.Deposit = zero(e.Currency)
	if e.Deposit != nil {
		o.Deposit = e.Deposit.of(t.Total, e.Rounding.Mode)
	}
	return nil
}

// Recalculate derives every figure of the estimate again. Call it after
// decoding a stored estimate to check it, or after editing a DRAFT's fields
// directly.
func (e *Estimate) Recalculate() error {
	for k := range e.Options {
		if err := e.computeOption(k, &e.Options[k]); err != nil {
			return err
		}
	}
	e.balanceDeposits()
	return nil
}

// balanceDeposits derives the deposit figures.
func (e *Estimate) balanceDeposits() {
	paid := zero(e.Currency)
	for i := range e.Deposits {
		d := &e.Deposits[i]
		d.Refunded = zero(e.Currency)
		for _, r := range d.Refunds {
			d.Refunded = sum(e.Currency, d.Refunded, r.Amount)
		}
		paid = sum(e.Currency, paid, d.Held())
	}
	e.DepositPaid = paid
}

// EditOption changes the lines and discounts of an option of a DRAFT
// estimate: fn edits a copy, which replaces the option, figures
// recomputed, only if fn and the computation succeed.
func (e *Estimate) EditOption(id string, fn func(o *Option) error) error {
	if err := e.editable("edit an option"); err != nil {
		return err
	}
	o, err := e.Option(id)
	if err != nil {
		return err
	}
	c := cloneJSON(*o)
	if err := fn(&c); err != nil {
		return err
	}
	c.ID, c.Status = o.ID, OptionOpen
	version, err := checkVersion(c.Lines, e.PricebookVersionID)
	if err != nil {
		return err
	}
	if err := e.computeOption(slices.IndexFunc(e.Options, func(x Option) bool { return x.ID == id }), &c); err != nil {
		return err
	}
	*o, e.PricebookVersionID = c, version
	return nil
}

// AddLines prices lines from the pricebook onto an option of a DRAFT
// estimate; p must be of the estimate's pricebook version.
func (e *Estimate) AddLines(optionID string, p *Pricer, reqs []LineRequest, ctx Context) error {
	if err := e.editable("add lines"); err != nil {
		return err
	}
	if err := e.usePricer(p); err != nil {
		return err
	}
	lines, err := p.PriceLines(reqs, ctx)
	if err != nil {
		return err
	}
	return e.EditOption(optionID, func(o *Option) error {
		o.Lines = append(o.Lines, lines...)
		return nil
	})
}

// RemoveOption removes an option of a DRAFT estimate.
func (e *Estimate) RemoveOption(id string) error {
	if err := e.editable("remove an option"); err != nil {
		return err
	}
	if _, err := e.Option(id); err != nil {
		return err
	}
	e.Options = slices.DeleteFunc(e.Options, func(o Option) bool { return o.ID == id })
	return nil
}

// Send presents a DRAFT estimate to the customer. It needs an option with a
// line, and a validity that has not passed.
func (e *Estimate) Send(now time.Time) error {
	switch {
	case e.Status != EstimateDraft:
		return e.transition("send", "ESTIMATE_SEND_REQUIRES_DRAFT")
	case !slices.ContainsFunc(e.Options, func(o Option) bool { return len(o.Lines) > 0 }):
		return e.transition("send", "ESTIMATE_SEND_REQUIRES_LINES")
	case e.lapsed(now):
		return e.transition("send", "ESTIMATE_VALIDITY_PASSED")
	}
	e.Status, e.SentAt = EstimateSent, now
	return nil
}

func (e *Estimate) lapsed(now time.Time) bool {
	return !e.ValidUntil.IsZero() && now.After(e.ValidUntil)
}

// MarkViewed records that the customer opened a SENT estimate. Viewing it
// again, or after it was answered, changes nothing.
func (e *Estimate) MarkViewed(now time.Time) error {
	switch e.Status {
	case EstimateDraft, EstimateRevised:
		return e.transition("view", "ESTIMATE_VIEW_REQUIRES_SENT")
	case EstimateSent:
		e.Status, e.ViewedAt = EstimateViewed, now
	}
	return nil
}

// Accept accepts one option of a SENT or VIEWED estimate within its
// validity; the other options are declined and the deposit of the accepted
// option becomes due. optionID may be empty when there is one option.
func (e *Estimate) Accept(optionID string, now time.Time) error {
	if e.Status != EstimateSent && e.Status != EstimateViewed {
		return e.transition("accept", "ESTIMATE_ACCEPT_REQUIRES_SENT_OR_VIEWED")
	}
	if e.lapsed(now) {
		return e.transition("accept", "ESTIMATE_VALIDITY_PASSED")
	}
	if optionID == "" && len(e.Options) == 1 {
		optionID = e.Options[0].ID
	}
	o, err := e.Option(optionID)
	if err != nil {
		return err
	}
	if len(o.Lines) == 0 {
		return e.transition("accept", "ESTIMATE_ACCEPT_REQUIRES_LINES")
	}
	for i := range e.Options {
		e.Options[i].Status = OptionDeclined
	}
	o.Status = OptionAccepted
	e.Status, e.AcceptedAt, e.AcceptedOptionID, e.DepositDue = EstimateAccepted, now, o.ID, o.Deposit
	return nil
}

// Decline records that the customer declined a SENT or VIEWED estimate.
func (e *Estimate) Decline(reason string, now time.Time) error {
	if e.Status != EstimateSent && e.Status != EstimateViewed {
		return e.transition("decline", "ESTIMATE_DECLINE_REQUIRES_SENT_OR_VIEWED")
	}
	for i := range e.Options {
		e.Options[i].Status = OptionDeclined
	}
	e.Status, e.DeclinedAt, e.DeclineReason = EstimateDeclined, now, reason
	return nil
}

// StatusAt is the estimate's status at now: EXPIRED once the validity of a
// SENT or VIEWED estimate has passed, whether or not [Estimate.Refresh] has
// recorded it yet.
func (e *Estimate) StatusAt(now time.Time) EstimateStatus {
	if (e.Status == EstimateSent || e.Status == EstimateViewed) && e.lapsed(now) {
		return EstimateExpired
	}
	return e.Status
}

// Refresh records the expiry of a SENT or VIEWED estimate whose validity has
// passed, and reports whether it changed anything. The engine calls it when
// it loads an estimate and on a schedule.
func (e *Estimate) Refresh(now time.Time) bool {
	if e.StatusAt(now) == EstimateExpired && e.Status != EstimateExpired {
		e.Status, e.ExpiredAt = EstimateExpired, e.ValidUntil
		return true
	}
	return false
}

// Revise replaces a SENT, VIEWED, DECLINED or EXPIRED estimate by a new
// DRAFT version (id newID, Version + 1, linked by PreviousVersionID) with
// the same options and lines, prices unchanged; this one becomes REVISED.
func (e *Estimate) Revise(newID string, now time.Time) (*Estimate, error) {
	e.Refresh(now)
	switch e.Status {
	case EstimateSent, EstimateViewed, EstimateDeclined, EstimateExpired:
	case EstimateAccepted:
		return nil, e.transition("revise", "ESTIMATE_ACCEPTED_IS_FINAL")
	default:
		return nil, e.transition("revise", "ESTIMATE_REVISE_REQUIRES_SENT")
	}
	if newID == "" || newID == e.ID {
		return nil, invalid("id", newID, "a revision needs a new id")
	}
	n := cloneJSON(*e)
	n.ID, n.Version, n.PreviousVersionID, n.Status = newID, e.Version+1, e.ID, EstimateDraft
	n.CreatedAt, n.SentAt, n.ViewedAt, n.AcceptedAt, n.DeclinedAt, n.ExpiredAt, n.RevisedAt =
		now, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	n.DeclineReason, n.AcceptedOptionID = "", ""
	for i := range n.Options {
		n.Options[i].Status = OptionOpen
	}
	if err := n.Recalculate(); err != nil {
		return nil, err
	}
	e.Status, e.RevisedAt = EstimateRevised, now
	return &n, nil
}

// AcceptedOption returns the accepted option.
func (e *Estimate) AcceptedOption() (*Option, error) {
	if e.Status != EstimateAccepted {
		return nil, e.transition("use the accepted option", "ESTIMATE_NOT_ACCEPTED")
	}
	return e.Option(e.AcceptedOptionID)
}

// RecordDeposit records a deposit paid on an ACCEPTED estimate. Deposits may
// exceed the deposit due (a customer paying more up front) but never the
// accepted option's total.
func (e *Estimate) RecordDeposit(d Deposit, now time.Time) error {
	o, err := e.AcceptedOption()
	if err != nil {
		return err
	}
	if e.InvoiceID != "" {
		return e.transition("record a deposit", "ESTIMATE_ALREADY_INVOICED")
	}
	if err := newID("deposit.id", d.ID, e.Deposits, func(x Deposit) string { return x.ID }); err != nil {
		return err
	}
	if err := checkPayment("deposit.amount", e.Currency, d.Amount); err != nil {
		return err
	}
	room := sum(e.Currency, o.Totals.Total, e.DepositPaid.Neg())
	if d.Amount.amount.Cmp(room.amount) > 0 {
		return &CreditError{Document: "estimate " + e.ID, Requested: d.Amount, Available: room, Rule: "DEPOSIT_EXCEEDS_TOTAL"}
	}
	if d.ReceivedAt.IsZero() {
		d.ReceivedAt = now
	}
	d.Refunds = nil
	e.Deposits = append(e.Deposits, d)
	e.balanceDeposits()
	return nil
}

// RefundDeposit gives back part of a deposit (the customer cancelled): never
// more than what is held of it, and only before the estimate is invoiced —
// after that the deposit is a credit on the invoice.
func (e *Estimate) RefundDeposit(depositID string, r Refund, now time.Time) error {
	if e.InvoiceID != "" {
		return e.transition("refund a deposit", "ESTIMATE_ALREADY_INVOICED")
	}
	i := slices.IndexFunc(e.Deposits, func(d Deposit) bool { return d.ID == depositID })
	if i < 0 {
		return &NotFoundError{Kind: "deposit", ID: depositID, In: "estimate " + e.ID}
	}
	d := &e.Deposits[i]
	if err := addRefund(&d.Refunds, r, d.ID, d.Held(), now); err != nil {
		return err
	}
	e.balanceDeposits()
	return nil
}

// InvoiceVoided releases the estimate from its invoice once that invoice is
// void, so that it can be invoiced again (its deposits with it) or its
// deposits refunded.
func (e *Estimate) InvoiceVoided(inv *Invoice) error {
	if inv.ID != e.InvoiceID || inv.VoidedAt.IsZero() {
		return e.transition("release its invoice", "ESTIMATE_INVOICE_NOT_VOID")
	}
	e.InvoiceID = ""
	return nil
}

// DepositOutstanding is what remains of the deposit due.
func (e *Estimate) DepositOutstanding() Money {
	r := sum(e.Currency, e.DepositDue, e.DepositPaid.Neg())
	if r.IsNegative() {
		return zero(e.Currency)
	}
	return r
}

// checkVersion refuses pricebook lines priced from another version than
// the document's, and returns the document's version: versionID, or when it
// is empty the version of its first pricebook line.
func checkVersion(lines []Line, versionID string) (string, error) {
	for i := range lines {
		l := &lines[i]
		if l.Trace == nil || l.Trace.VersionID == "" {
			continue
		}
		if versionID == "" {
			versionID = l.Trace.VersionID
		}
		if l.Trace.VersionID != versionID {
			return "", &ReferenceError{Line: lineName(l.ID, i), ItemID: l.ItemID, VersionID: l.Trace.VersionID, Reason: RefOtherVersion}
		}
	}
	return versionID, nil
}

// cloneJSON returns a deep copy of v through its JSON form, which every
// document type has.
func cloneJSON[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic("pricing: copying a document: " + err.Error())
	}
	var c T
	if err := json.Unmarshal(b, &c); err != nil {
		panic("pricing: copying a document: " + err.Error())
	}
	return c
}
