package pricing

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns matches exactly one of
// them with [errors.Is]; the typed errors below carry the details.
var (
	// ErrCurrencyMismatch: two amounts in different currencies were combined.
	ErrCurrencyMismatch = errors.New("pricing: currency mismatch")
	// ErrUnknownCurrency: a currency code is not an active ISO 4217 code.
	ErrUnknownCurrency = errors.New("pricing: unknown currency")
	// ErrInvalidAmount: an amount, quantity or percentage is malformed or out
	// of its range (negative price, more decimals than allowed, …).
	ErrInvalidAmount = errors.New("pricing: invalid amount")
	// ErrInvalidInput: a document, pricebook or request is malformed
	// (duplicate id, missing field, inconsistent tiers, …).
	ErrInvalidInput = errors.New("pricing: invalid input")
	// ErrPricebookReference: a line refers to an item, rule or template that
	// does not resolve in the pricebook version (PRICEBOOK_REFERENCE).
	ErrPricebookReference = errors.New("pricing: pricebook reference")
	// ErrIllegalTransition: a document or pricebook version may not take
	// this step from its current state (ILLEGAL_TRANSITION).
	ErrIllegalTransition = errors.New("pricing: illegal transition")
	// ErrOverRefund: a refund exceeds what remains refundable on its payment.
	ErrOverRefund = errors.New("pricing: over-refund")
	// ErrOverCredit: a credit (memo, applied credit, deposit, payment)
	// exceeds what is owed or what remains to be credited.
	ErrOverCredit = errors.New("pricing: over-credit")
	// ErrNotFound: an option, line, payment or version id is not on the
	// document it was looked up in.
	ErrNotFound = errors.New("pricing: not found")
)

// MismatchError reports two currencies that were combined.
type MismatchError struct {
	A, B string // the two currency codes
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("pricing: currency mismatch: %s and %s", e.A, e.B)
}

// Is reports whether target is [ErrCurrencyMismatch].
func (e *MismatchError) Is(target error) bool { return target == ErrCurrencyMismatch }

// InputError reports an invalid value. Field is a JSON-style path
// ("lines[2].quantity"); Err is the sentinel it matches
// ([ErrInvalidAmount], [ErrInvalidInput] or [ErrUnknownCurrency]).
type InputError struct {
	Field  string
	Value  string
	Reason string
	Err    error
}

func (e *InputError) Error() string {
	msg := e.Err.Error()
	if e.Field != "" {
		msg += ": " + e.Field
	}
	if e.Value != "" {
		msg += fmt.Sprintf(" %q", e.Value)
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Unwrap returns the sentinel.
func (e *InputError) Unwrap() error { return e.Err }

// at places an InputError at field: "lines[2]" and "unitPrice" make
// "lines[2].unitPrice". Other errors are returned as they are.
func at(field string, err error) error {
	ie, ok := err.(*InputError)
	if !ok {
		return err
	}
	c := *ie
	switch {
	case c.Field == "":
		c.Field = field
	case field != "":
		c.Field = field + "." + c.Field
	}
	return &c
}

func invalid(field, value, reason string) error {
	return &InputError{Field: field, Value: value, Reason: reason, Err: ErrInvalidInput}
}

func invalidAmount(field, value, reason string) error {
	return &InputError{Field: field, Value: value, Reason: reason, Err: ErrInvalidAmount}
}

// ReferenceReason says why a pricebook reference did not resolve.
type ReferenceReason string

// The reasons of a [ReferenceError].
const (
	RefUnknownItem     ReferenceReason = "UNKNOWN_ITEM"     // no item with this id in the version
	RefOtherVersion    ReferenceReason = "OTHER_VERSION"    // the line was priced from another version
	RefInactiveItem    ReferenceReason = "INACTIVE_ITEM"    // the item exists but is inactive
	RefNotPriceable    ReferenceReason = "NOT_PRICEABLE"    // the item cannot be a line (a DISCOUNT item)
	RefNotDiscount     ReferenceReason = "NOT_A_DISCOUNT"   // a discount was requested from a non-DISCOUNT item
	RefUnknownTemplate ReferenceReason = "UNKNOWN_TEMPLATE" // no job template with this id
	RefUnknownCategory ReferenceReason = "UNKNOWN_CATEGORY" // an item names a category that does not exist
	RefUnknownTable    ReferenceReason = "UNKNOWN_MARKUP_TABLE"
	RefNoVersion       ReferenceReason = "NO_EFFECTIVE_VERSION" // no version is active and effective
	RefCurrency        ReferenceReason = "CURRENCY"             // the item's prices are not in the version's currency
	RefCycle           ReferenceReason = "CYCLE"                // a bundle or service contains itself
)

// ReferenceError is a pricebook reference that does not resolve. Line names
// the document line (its id, or "lines[i]" when it has none) so the office can
// fix the right one; it is empty for errors found while publishing a version.
type ReferenceError struct {
	Line      string
	ItemID    string
	VersionID string
	Reason    ReferenceReason
}

func (e *ReferenceError) Error() string {
	msg := "pricing: pricebook reference"
	if e.Line != "" {
		msg += ": line " + e.Line
	}
	if e.ItemID != "" {
		msg += fmt.Sprintf(": %q", e.ItemID)
	}
	if e.VersionID != "" {
		msg += fmt.Sprintf(" in version %q", e.VersionID)
	}
	return msg + ": " + string(e.Reason)
}

// Is reports whether target is [ErrPricebookReference].
func (e *ReferenceError) Is(target error) bool { return target == ErrPricebookReference }

// TransitionError is a step a document may not take. Rule names the rule
// that forbids it (for example "ESTIMATE_ACCEPT_REQUIRES_SENT").
type TransitionError struct {
	Document string // "estimate", "invoice", "pricebook version", "payment"
	ID       string
	From     string // the current status
	Action   string // what was attempted: "send", "accept", "record payment", …
	Rule     string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("pricing: illegal transition: %s %q: cannot %s from %s (rule %s)",
		e.Document, e.ID, e.Action, e.From, e.Rule)
}

// Is reports whether target is [ErrIllegalTransition].
func (e *TransitionError) Is(target error) bool { return target == ErrIllegalTransition }

// RefundError is a refund larger than what remains refundable on a payment.
type RefundError struct {
	PaymentID  string
	Requested  Money
	Refundable Money
}

func (e *RefundError) Error() string {
	return fmt.Sprintf("pricing: over-refund: payment %q: refund of %s exceeds the %s still refundable",
		e.PaymentID, e.Requested, e.Refundable)
}

// Is reports whether target is [ErrOverRefund].
func (e *RefundError) Is(target error) bool { return target == ErrOverRefund }

// CreditError is a credit larger than what it may cover: a credit memo line
// beyond what remains of its original line, a credit or deposit applied beyond
// the balance due, a payment on a document with nothing due.
type CreditError struct {
	Document  string // the document credited
	Line      string // the original line, for credit memo lines
	Requested Money
	Available Money
	Rule      string
	Detail    string // more about quantities, when the rule is about them
}

func (e *CreditError) Error() string {
	what := e.Document
	if e.Line != "" {
		what += " line " + e.Line
	}
	msg := fmt.Sprintf("pricing: over-credit: %s: %s requested, %s available (rule %s)",
		what, e.Requested, e.Available, e.Rule)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is reports whether target is [ErrOverCredit].
func (e *CreditError) Is(target error) bool { return target == ErrOverCredit }

// NotFoundError names what was looked for and where.
type NotFoundError struct {
	Kind string // "option", "line", "payment", "version", …
	ID   string
	In   string // the document or pricebook searched
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("pricing: not found: %s %q in %s", e.Kind, e.ID, e.In)
}

// Is reports whether target is [ErrNotFound].
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }
