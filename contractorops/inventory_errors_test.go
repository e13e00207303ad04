package contractorops_test

import (
	"fmt"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/inventory"
)

// Package inventory's typed errors map to the engine's codes, with the
// field they are about.
func TestInventoryErrorMapping(t *testing.T) {
	for _, tt := range []struct {
		err         error
		code        contractorops.Code
		field, fcod string
	}{
		{&inventory.ShortageError{JobID: "j1", LocationIDs: []string{"T1", "WH"}, Items: []inventory.Shortage{{ItemID: "cap", Requested: dec("5"), Available: dec("4"), Short: dec("1")}}},
			contractorops.CodeInventoryShortage, "items.cap", "inventory_shortage"},
		{fmt.Errorf("post: %w", &inventory.StockError{ItemID: "cap", LocationID: "T1", Kind: inventory.Consumption, Requested: dec("2"), Available: dec("1")}),
			contractorops.CodeInventoryShortage, "quantity", "insufficient_stock"},
		{&inventory.TransitionError{Document: "transfer", ID: "t1", From: "RECEIVED", Action: "ship"},
			contractorops.CodeIllegalTransition, "status", "illegal_transition"},
		{&inventory.InvalidError{Field: "lines.2.quantity", Rule: "must be positive"},
			contractorops.CodeValidationFailed, "lines.2.quantity", "invalid"},
		{&inventory.OverReceiptError{OrderID: "po", Line: 1, ItemID: "cap", Ordered: dec("10"), Received: dec("11")},
			contractorops.CodeValidationFailed, "lines", "validation_over_receipt_reason"},
		{fmt.Errorf("inventory: unknown item %q: %w", "x", inventory.ErrNotFound), contractorops.CodeNotFound, "", ""},
		{inventory.ErrLedgerMismatch, contractorops.CodeInternal, "", ""},
	} {
		e := contractorops.AsError(tt.err)
		var field, fcode string
		if len(e.FieldErrors) > 0 {
			field, fcode = e.FieldErrors[0].Field, e.FieldErrors[0].Code
		}
		if e.Code != tt.code || field != tt.field || fcode != tt.fcod {
			t.Errorf("%v: %s %s/%s, want %s %s/%s", tt.err, e.Code, field, fcode, tt.code, tt.field, tt.fcod)
		}
	}
}
