package pricing

import (
	"slices"
	"time"
)

// CreditKind says why a customer's credit balance moved.
type CreditKind string

// The kinds of credit entries: what comes in, then what goes out.
const (
	CreditFromOverpayment CreditKind = "OVERPAYMENT" // a payment beyond an invoice's balance
	CreditFromMemo        CreditKind = "CREDIT_MEMO" // a credit memo beyond its invoice's balance
	CreditFromRelease     CreditKind = "RELEASED"    // credit released by a voided invoice
	CreditFromAdjustment  CreditKind = "ADJUSTMENT"  // goodwill granted by the office
	CreditApplied         CreditKind = "APPLIED"     // used on an invoice
	CreditRefunded        CreditKind = "REFUNDED"    // paid back to the customer
)

// CreditEntry is one movement of a credit balance: positive in, negative
// out.
type CreditEntry struct {
	ID       string     `json:"id"`
	Kind     CreditKind `json:"kind"`
	SourceID string     `json:"sourceId,omitempty"` // the payment, memo, invoice or refund
	Amount   Money      `json:"amount"`
	At       time.Time  `json:"at,omitzero"`
	Note     string     `json:"note,omitempty"`
}

// CreditAccount is a customer's credit balance, kept as a ledger. Balance is
// Σ Entries, derived, and never negative: credit is used on an invoice or
// refunded only up to what there is.
type CreditAccount struct {
	CustomerID string        `json:"customerId"`
	Currency   string        `json:"currency"`
	Entries    []CreditEntry `json:"entries"`
	Balance    Money         `json:"balance"`
}

// NewCreditAccount returns an empty credit account.
func NewCreditAccount(customerID, currency string) (*CreditAccount, error) {
	if err := checkCurrency("currency", currency); err != nil {
		return nil, err
	}
	return &CreditAccount{CustomerID: customerID, Currency: currency, Balance: zero(currency)}, nil
}

func (a *CreditAccount) record(e CreditEntry, now time.Time) {
	if e.At.IsZero() {
		e.At = now
	}
	a.Entries = append(a.Entries, e)
	a.Balance = sum(a.Currency, a.Balance, e.Amount)
}

// checkEntry checks a new entry's id and amount (positive, rounded).
func (a *CreditAccount) checkEntry(id string, amount Money) error {
	if err := newID("credit.id", id, a.Entries, func(e CreditEntry) string { return e.ID }); err != nil {
		return err
	}
	return checkPayment("credit.amount", a.Currency, amount)
}

// Add credits the account: e.Amount is positive and e.Kind one of
// OVERPAYMENT, CREDIT_MEMO, RELEASED and ADJUSTMENT.
func (a *CreditAccount) Add(e CreditEntry, now time.Time) error {
	switch e.Kind {
	case CreditFromOverpayment, CreditFromMemo, CreditFromRelease, CreditFromAdjustment:
	default:
		return invalid("credit.kind", string(e.Kind), "credit comes in as OVERPAYMENT, CREDIT_MEMO, RELEASED or ADJUSTMENT")
	}
	if err := a.checkEntry(e.ID, e.Amount); err != nil {
		return err
	}
	a.record(e, now)
	return nil
}

// Apply uses amount of the balance on an invoice: never more than the
// balance, never more than the invoice's balance due. Both the account and
// the invoice change, or neither.
func (a *CreditAccount) Apply(id string, inv *Invoice, amount Money, now time.Time) error {
	if err := a.checkEntry(id, amount); err != nil {
		return err
	}
	if amount.amount.Cmp(a.Balance.amount) > 0 {
		return &CreditError{Document: "credit account of " + a.CustomerID, Requested: amount, Available: a.Balance, Rule: "CREDIT_EXCEEDS_BALANCE"}
	}
	if err := inv.ApplyCredit(AppliedCredit{ID: "credit-" + id, Source: CreditCustomer, SourceID: id, Amount: amount, AppliedAt: now}, now); err != nil {
		return err
	}
	a.record(CreditEntry{ID: id, Kind: CreditApplied, SourceID: inv.ID, Amount: amount.Neg()}, now)
	return nil
}

// Refund pays back amount of the balance, never more than there is.
func (a *CreditAccount) Refund(id string, amount Money, note string, now time.Time) error {
	if err := a.checkEntry(id, amount); err != nil {
		return err
	}
	if amount.amount.Cmp(a.Balance.amount) > 0 {
		return &CreditError{Document: "credit account of " + a.CustomerID, Requested: amount, Available: a.Balance, Rule: "REFUND_EXCEEDS_BALANCE"}
	}
	a.record(CreditEntry{ID: id, Kind: CreditRefunded, Amount: amount.Neg(), Note: note}, now)
	return nil
}

// newID checks that id is set and not yet used in xs.
func newID[T any](field, id string, xs []T, idOf func(T) string) error {
	if id == "" || slices.ContainsFunc(xs, func(x T) bool { return idOf(x) == id }) {
		return invalid(field, id, "missing or duplicate id")
	}
	return nil
}
