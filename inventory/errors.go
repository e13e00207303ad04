package inventory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Sentinel errors. Every error this package returns matches one of them with
// [errors.Is]; the typed errors below carry the details. The engine maps them
// to its codes (see the package documentation, "Errors").
var (
	// ErrInvalid: the input breaks a rule of its own shape (a receipt of a
	// negative quantity, an adjustment without a reason). See [InvalidError].
	ErrInvalid = errors.New("inventory: invalid input")
	// ErrNotFound: an item, location, supplier, document line or balance the
	// operation names is unknown to it.
	ErrNotFound = errors.New("inventory: not found")
	// ErrInsufficientStock: a movement would take stock below zero at a
	// location that does not allow negative stock. See [StockError].
	ErrInsufficientStock = errors.New("inventory: insufficient stock")
	// ErrInventoryShortage: a job cannot have what it needs (the engine's
	// INVENTORY_SHORTAGE). [ShortageError] and [StockError] match it.
	ErrInventoryShortage = errors.New("inventory: INVENTORY_SHORTAGE")
	// ErrIllegalTransition: a document cannot do this in its current status.
	// See [TransitionError].
	ErrIllegalTransition = errors.New("inventory: illegal transition")
	// ErrOverReceipt: a receipt would take a purchase order line past its
	// ordered quantity without an over-receipt reason.
	ErrOverReceipt = errors.New("inventory: over-receipt without a reason")
	// ErrLedgerMismatch: a stored movement's value differs from the value its
	// replay gives: the ledger was altered or written without [Book.Post].
	ErrLedgerMismatch = errors.New("inventory: ledger does not match its replay")
	// ErrNotLoaded: a partial [Book] was asked about an item×location it was
	// not given (see [Config.Partial]).
	ErrNotLoaded = errors.New("inventory: balance not loaded")
)

// InvalidError names the input field and the rule it breaks. Field is a
// dotted JSON path ("lines.2.quantity") so the engine can report it as a
// field error. It matches [ErrInvalid].
type InvalidError struct {
	Field string
	Rule  string
}

func (e *InvalidError) Error() string {
	return "inventory: invalid " + e.Field + ": " + e.Rule
}

// Is reports whether target is [ErrInvalid].
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// within puts an invalid field under prefix ("min" in "policies.3"); other
// errors pass through.
func within(prefix string, err error) error {
	var ie *InvalidError
	if errors.As(err, &ie) {
		return &InvalidError{Field: prefix + "." + ie.Field, Rule: ie.Rule}
	}
	return err
}

func notFound(what, id string) error {
	return fmt.Errorf("inventory: unknown %s %q: %w", what, id, ErrNotFound)
}

// StockError reports a movement refused because the location does not allow
// negative stock. Available is what the movement could take: on hand less
// what is reserved for other jobs and transfers (for adjustments and counts,
// which record physical facts, reservations do not count). It matches
// [ErrInsufficientStock] and [ErrInventoryShortage].
type StockError struct {
	ItemID     string
	LocationID string
	Kind       MovementKind
	Requested  decimal.Decimal // the quantity the movement takes out, positive
	Available  decimal.Decimal
}

func (e *StockError) Error() string {
	return fmt.Sprintf("inventory: insufficient stock: %s of %s %s at location %s, only %s available (short %s); the location does not allow negative stock",
		e.Kind, fmtQ(e.Requested), e.ItemID, e.LocationID, fmtQ(e.Available), fmtQ(e.Short()))
}

// Short is the quantity missing: Requested − Available.
func (e *StockError) Short() decimal.Decimal { return e.Requested.Sub(e.Available) }

// Is reports whether target is [ErrInsufficientStock] or [ErrInventoryShortage].
func (e *StockError) Is(target error) bool {
	return target == ErrInsufficientStock || target == ErrInventoryShortage
}

// Shortage is one item a reservation cannot cover.
type Shortage struct {
	ItemID    string          `json:"itemId"`
	Requested decimal.Decimal `json:"requested"`
	Available decimal.Decimal `json:"available"` // at the locations searched, together
	Short     decimal.Decimal `json:"short"`     // Requested − Available
}

// ShortageError is the INVENTORY_SHORTAGE a reservation returns when the
// technician's truck and its warehouse together cannot cover the job (or a
// transfer request when its source cannot): it names every item short and by
// how much. It matches [ErrInventoryShortage]; the engine blocks scheduling
// on it.
type ShortageError struct {
	JobID       string   // the job whose reservation failed, or empty
	TransferID  string   // the transfer whose request failed, or empty
	LocationIDs []string // searched, in order: the truck, then its warehouse
	Items       []Shortage
}

func (e *ShortageError) Error() string {
	var b strings.Builder
	what := "job " + e.JobID
	if e.JobID == "" {
		what = "transfer " + e.TransferID
	}
	fmt.Fprintf(&b, "inventory: INVENTORY_SHORTAGE: %s: at %s:", what, strings.Join(e.LocationIDs, " + "))
	for i, s := range e.Items {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s short %s (needs %s, %s available)", s.ItemID, fmtQ(s.Short), fmtQ(s.Requested), fmtQ(s.Available))
	}
	return b.String()
}

// Is reports whether target is [ErrInventoryShortage].
func (e *ShortageError) Is(target error) bool { return target == ErrInventoryShortage }

// TransitionError reports an action a document's status forbids. It matches
// [ErrIllegalTransition].
type TransitionError struct {
	Document string // "transfer", "purchase order", "reservation", "cycle count"
	ID       string
	From     string // the current status
	Action   string // "ship", "receive", …
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("inventory: illegal transition: cannot %s %s %s in status %s", e.Action, e.Document, e.ID, e.From)
}

// Is reports whether target is [ErrIllegalTransition].
func (e *TransitionError) Is(target error) bool { return target == ErrIllegalTransition }

// OverReceiptError reports a receipt that would take a purchase order line
// past its ordered quantity without a reason. It matches [ErrOverReceipt].
type OverReceiptError struct {
	OrderID  string
	Line     int
	ItemID   string
	Ordered  decimal.Decimal
	Received decimal.Decimal // including this receipt
}

func (e *OverReceiptError) Error() string {
	return fmt.Sprintf("inventory: over-receipt: purchase order %s line %d (%s): receiving %s of %s ordered needs an over-receipt reason",
		e.OrderID, e.Line, e.ItemID, fmtQ(e.Received), fmtQ(e.Ordered))
}

// Is reports whether target is [ErrOverReceipt].
func (e *OverReceiptError) Is(target error) bool { return target == ErrOverReceipt }
