package contractorops_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/contractorops"
)

type testLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

func (l testLine) Validate() error {
	return validation.ValidateStruct(&l,
		validation.Field(&l.SKU, validation.Required),
		validation.Field(&l.Quantity, validation.Required, validation.Min(1)),
	)
}

type testInvoice struct {
	Currency string     `json:"currency"`
	Lines    []testLine `json:"lines"`
	Customer struct {
		Email string `json:"email"`
	} `json:"customer"`
}

func (in testInvoice) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Currency, validation.Required, validation.In("USD", "EUR")),
		validation.Field(&in.Lines, validation.Required),
		validation.Field(&in.Customer, validation.By(func(any) error {
			return validation.Errors{"email": validation.Validate(in.Customer.Email, validation.Required)}.Filter()
		})),
	)
}

func TestValidateFlattensToDottedPaths(t *testing.T) {
	in := testInvoice{
		Currency: "XXX",
		Lines:    []testLine{{SKU: "A", Quantity: 1}, {SKU: "", Quantity: 0}},
	}
	err := contractorops.Validate(in)
	if !errors.Is(err, contractorops.ErrValidationFailed) {
		t.Fatalf("err = %v, want VALIDATION_FAILED", err)
	}
	var e *contractorops.Error
	if !errors.As(err, &e) {
		t.Fatalf("err is %T, want *Error", err)
	}
	got := make([][2]string, 0, len(e.FieldErrors))
	for _, fe := range e.FieldErrors {
		got = append(got, [2]string{fe.Field, fe.Code})
	}
	want := [][2]string{
		{"currency", "validation_in_invalid"},
		{"customer.email", "validation_required"},
		{"lines.1.quantity", "validation_required"},
		{"lines.1.sku", "validation_required"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("field errors (-want +got):\n%s", diff)
	}
	if e.Type != contractorops.TypeValidation || e.Retryable {
		t.Errorf("type = %s retryable = %v", e.Type, e.Retryable)
	}
}

func TestValidateValidInputIsNil(t *testing.T) {
	in := testInvoice{Currency: "USD", Lines: []testLine{{SKU: "A", Quantity: 2}}}
	in.Customer.Email = "a@example.com"
	if err := contractorops.Validate(in); err != nil {
		t.Fatalf("Validate = %v, want nil", err)
	}
	if err := contractorops.ValidationError(nil); err != nil {
		t.Fatalf("ValidationError(nil) = %v", err)
	}
}

func TestValidationInternalErrorIsInternal(t *testing.T) {
	err := contractorops.ValidationError(validation.NewInternalError(errors.New("rule misuse")))
	if !errors.Is(err, contractorops.ErrInternal) {
		t.Fatalf("err = %v, want INTERNAL_ERROR", err)
	}
}

func TestErrorIsMatchesByCode(t *testing.T) {
	err := fmt.Errorf("load job: %w", contractorops.NewError(contractorops.CodeNotFound, "job %s not found", "j1"))
	tests := []struct {
		target error
		want   bool
	}{
		{contractorops.ErrNotFound, true},
		{contractorops.ErrConflict, false},
		{contractorops.ErrInternal, false},
		{errors.New("NOT_FOUND"), false},
	}
	for _, tt := range tests {
		if got := errors.Is(err, tt.target); got != tt.want {
			t.Errorf("errors.Is(err, %v) = %v, want %v", tt.target, got, tt.want)
		}
	}
	if got, want := err.Error(), "load job: NOT_FOUND: job j1 not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestEveryCodeHasATypeAndSentinel(t *testing.T) {
	sentinels := map[contractorops.Code]*contractorops.Error{}
	for _, s := range []*contractorops.Error{
		contractorops.ErrValidationFailed, contractorops.ErrInvalidInput, contractorops.ErrUnauthenticated,
		contractorops.ErrForbidden, contractorops.ErrOrganizationAccessDenied, contractorops.ErrNotFound,
		contractorops.ErrConflict, contractorops.ErrIdempotencyConflict, contractorops.ErrRateLimited,
		contractorops.ErrInternal, contractorops.ErrWorkflow, contractorops.ErrIllegalTransition,
		contractorops.ErrTechnicianUnavailable, contractorops.ErrSchedulingConflict,
		contractorops.ErrLicenseInvalid, contractorops.ErrInsuranceInvalid,
		contractorops.ErrInventoryShortage, contractorops.ErrPricebookReference,
		contractorops.ErrSLAWindowViolation, contractorops.ErrComplianceBlocked,
	} {
		sentinels[s.Code] = s
	}
	codes := contractorops.Codes()
	if len(codes) != len(sentinels) {
		t.Fatalf("%d codes, %d sentinels", len(codes), len(sentinels))
	}
	for _, c := range codes {
		s, ok := sentinels[c]
		if !ok {
			t.Errorf("code %s has no sentinel", c)
			continue
		}
		if s.Type != c.Type() {
			t.Errorf("sentinel %s has type %s, table says %s", c, s.Type, c.Type())
		}
		if e := contractorops.NewError(c, "x"); !errors.Is(e, s) || e.Type != c.Type() {
			t.Errorf("NewError(%s) does not match its sentinel", c)
		}
	}
	if got := contractorops.Code("NO_SUCH").Type(); got != contractorops.TypeInternal {
		t.Errorf("unknown code type = %s", got)
	}
}

func TestAsError(t *testing.T) {
	domain := contractorops.NewError(contractorops.CodeIllegalTransition, "COMPLETED → LEAD")
	tests := []struct {
		name      string
		err       error
		code      contractorops.Code
		retryable bool
	}{
		{"engine error", fmt.Errorf("wrapped: %w", domain), contractorops.CodeIllegalTransition, false},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), contractorops.CodeConflict, true},
		{"cancelled", context.Canceled, contractorops.CodeConflict, true},
		{"validation", validation.Errors{"title": validation.ErrRequired}, contractorops.CodeValidationFailed, false},
		{"unknown", errors.New("disk on fire"), contractorops.CodeInternal, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := contractorops.AsError(tt.err)
			if e.Code != tt.code || e.Retryable != tt.retryable || e.Type != tt.code.Type() {
				t.Errorf("AsError = %+v, want code %s retryable %v", e, tt.code, tt.retryable)
			}
		})
	}
	if contractorops.AsError(nil) != nil {
		t.Error("AsError(nil) != nil")
	}
	unknown := errors.New("disk on fire")
	if e := contractorops.AsError(unknown); !errors.Is(e, unknown) || e.Message != "internal error" {
		t.Errorf("internal error must keep its cause and hide its text: %+v", e)
	}
}

func ExampleValidationError() {
	err := contractorops.ValidationError(validation.Errors{
		"lines": validation.Errors{"1": validation.Errors{"quantity": validation.ErrRequired}},
	})
	var e *contractorops.Error
	errors.As(err, &e)
	for _, fe := range e.FieldErrors {
		fmt.Println(e.Code, fe.Field, fe.Code)
	}
	// Output: VALIDATION_FAILED lines.1.quantity validation_required
}
