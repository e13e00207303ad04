package pricing_test

import (
	"errors"
	"testing"

	"github.com/hestami-ai/opsengine/pricing"
)

// Every typed error matches exactly its sentinel and says what happened.
func TestErrors(t *testing.T) {
	sentinels := []error{
		pricing.ErrCurrencyMismatch, pricing.ErrUnknownCurrency, pricing.ErrInvalidAmount, pricing.ErrInvalidInput,
		pricing.ErrPricebookReference, pricing.ErrIllegalTransition, pricing.ErrOverRefund, pricing.ErrOverCredit, pricing.ErrNotFound,
	}
	tests := []struct {
		err      error
		sentinel error
		message  string
	}{
		{&pricing.MismatchError{A: "USD", B: "EUR"}, pricing.ErrCurrencyMismatch, "pricing: currency mismatch: USD and EUR"},
		{&pricing.InputError{Field: "lines[0].quantity", Value: "-1", Reason: "must not be negative", Err: pricing.ErrInvalidAmount},
			pricing.ErrInvalidAmount, `pricing: invalid amount: lines[0].quantity "-1": must not be negative`},
		{&pricing.InputError{Reason: "required", Err: pricing.ErrInvalidInput}, pricing.ErrInvalidInput, "pricing: invalid input: required"},
		{&pricing.ReferenceError{Line: "L3", ItemID: "tuneup", VersionID: "v2", Reason: pricing.RefInactiveItem},
			pricing.ErrPricebookReference, `pricing: pricebook reference: line L3: "tuneup" in version "v2": INACTIVE_ITEM`},
		{&pricing.TransitionError{Document: "invoice", ID: "I1", From: "PAID", Action: "edit", Rule: "INVOICE_POSTED_IS_IMMUTABLE"},
			pricing.ErrIllegalTransition, `pricing: illegal transition: invoice "I1": cannot edit from PAID (rule INVOICE_POSTED_IS_IMMUTABLE)`},
		{&pricing.RefundError{PaymentID: "p1", Requested: usd("30.00"), Refundable: usd("25.00")},
			pricing.ErrOverRefund, `pricing: over-refund: payment "p1": refund of 30.00 USD exceeds the 25.00 USD still refundable`},
		{&pricing.CreditError{Document: "invoice I1", Line: "2", Requested: usd("5.00"), Available: usd("4.00"), Rule: "CREDIT_EXCEEDS_LINE"},
			pricing.ErrOverCredit, "pricing: over-credit: invoice I1 line 2: 5.00 USD requested, 4.00 USD available (rule CREDIT_EXCEEDS_LINE)"},
		{&pricing.NotFoundError{Kind: "option", ID: "best", In: "estimate E1"}, pricing.ErrNotFound, `pricing: not found: option "best" in estimate E1`},
	}
	for _, tt := range tests {
		if tt.err.Error() != tt.message {
			t.Errorf("message\n got %s\nwant %s", tt.err, tt.message)
		}
		for _, s := range sentinels {
			if errors.Is(tt.err, s) != (s == tt.sentinel) {
				t.Errorf("%v matches %v: %v", tt.err, s, errors.Is(tt.err, s))
			}
		}
	}
}

func TestDocumentBounds(t *testing.T) {
	huge := line("1", "10000", "1000000000000.00", pricing.TaxLabor) // 10^16 dollars
	if _, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{huge}, nil, jan); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("a line above the bounds: %v", err)
	}
	huge.UnitCost, huge.UnitPrice = huge.UnitPrice, usd("1")
	var ie *pricing.InputError
	if _, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{huge}, nil, jan); !errors.As(err, &ie) || ie.Field != "lines[0].cost" {
		t.Errorf("a cost above the bounds: %v", err)
	}
	// Prices with many digits take the exact slow path and agree.
	long := line("1", "3", "0.3333333333333333333333", pricing.TaxLabor)
	inv, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{long}, nil, jan)
	if err != nil || inv.Lines[0].Amount.Number() != "1.00" {
		t.Errorf("long price: %v %v", inv, err)
	}
	big := line("1", "999.9999", "99999999.99", pricing.TaxLabor) // ≈ 10^11 dollars: within the bounds
	inv, err = pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{big}, nil, jan)
	if err != nil || inv.Lines[0].Amount.Number() != "99999989990.00" {
		t.Fatalf("large line: %v", err)
	}
	lines := make([]pricing.Line, 100_001)
	if _, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, lines, nil, jan); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("too many lines: %v", err)
	}
}
