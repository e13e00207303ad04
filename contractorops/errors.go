package contractorops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/inventory"
	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

// Code is a stable, machine-readable error code. Clients switch on it; it never
// changes meaning once published.
type Code string

// The error codes of the engine. Each has exactly one [Type].
const (
	CodeValidationFailed         Code = "VALIDATION_FAILED"
	CodeInvalidInput             Code = "INVALID_INPUT"
	CodeUnauthenticated          Code = "UNAUTHENTICATED"
	CodeForbidden                Code = "FORBIDDEN"
	CodeOrganizationAccessDenied Code = "ORGANIZATION_ACCESS_DENIED"
	CodeNotFound                 Code = "NOT_FOUND"
	CodeConflict                 Code = "CONFLICT"
	CodeIdempotencyConflict      Code = "IDEMPOTENCY_CONFLICT"
	CodeRateLimited              Code = "RATE_LIMITED"
	CodeInternal                 Code = "INTERNAL_ERROR"
	CodeWorkflow                 Code = "WORKFLOW_ERROR"

	// Domain codes: a business rule refused the request.
	CodeIllegalTransition     Code = "ILLEGAL_TRANSITION"
	CodeTechnicianUnavailable Code = "TECHNICIAN_UNAVAILABLE"
	CodeSchedulingConflict    Code = "SCHEDULING_CONFLICT"
	CodeLicenseInvalid        Code = "LICENSE_INVALID"
	CodeInsuranceInvalid      Code = "INSURANCE_INVALID"
	CodeInventoryShortage     Code = "INVENTORY_SHORTAGE"
	CodePricebookReference    Code = "PRICEBOOK_REFERENCE"
	CodeSLAWindowViolation    Code = "SLA_WINDOW_VIOLATION"
	// CodeComplianceBlocked: the contractor is blocked from taking work
	// (by its own admins or an association), whatever its documents.
	CodeComplianceBlocked Code = "COMPLIANCE_BLOCKED"
)

// Type classifies a [Code]. A transport maps the type, not the code, to its own
// status (HTTP 400, 401, …), so adding a domain code never touches a transport.
type Type string

// The error types, with the HTTP status rpcserver gives each.
const (
	TypeValidation     Type = "validation"     // 400: the input is malformed or fails its rules
	TypeAuthentication Type = "authentication" // 401: no or bad credentials
	TypeAuthorization  Type = "authorization"  // 403: the caller may not do this
	TypeNotFound       Type = "not_found"      // 404: no such resource in the caller's organization
	TypeConflict       Type = "conflict"       // 409: concurrent change or request in flight; retry
	TypeIdempotency    Type = "idempotency"    // 422: an idempotency key reused with another request
	TypeDomain         Type = "domain"         // 422: a business rule refused the request
	TypeRateLimit      Type = "rate_limit"     // 429: slow down
	TypeInternal       Type = "internal"       // 500: a fault of ours; details stay in the logs
)

// codeInfo is the single table from code to type and default retryability.
var codeInfo = map[Code]struct {
	typ       Type
	retryable bool
}{
	CodeValidationFailed:         {TypeValidation, false},
	CodeInvalidInput:             {TypeValidation, false},
	CodeUnauthenticated:          {TypeAuthentication, false},
	CodeForbidden:                {TypeAuthorization, false},
	CodeOrganizationAccessDenied: {TypeAuthorization, false},
	CodeNotFound:                 {TypeNotFound, false},
	CodeConflict:                 {TypeConflict, true},
	CodeIdempotencyConflict:      {TypeIdempotency, false},
	CodeRateLimited:              {TypeRateLimit, true},
	CodeInternal:                 {TypeInternal, true},
	CodeWorkflow:                 {TypeInternal, true},
	CodeIllegalTransition:        {TypeDomain, false},
	CodeTechnicianUnavailable:    {TypeDomain, false},
	CodeSchedulingConflict:       {TypeDomain, false},
	CodeLicenseInvalid:           {TypeDomain, false},
	CodeInsuranceInvalid:         {TypeDomain, false},
	CodeInventoryShortage:        {TypeDomain, false},
	CodePricebookReference:       {TypeDomain, false},
	CodeSLAWindowViolation:       {TypeDomain, false},
	CodeComplianceBlocked:        {TypeDomain, false},
}

// Codes returns every error code the engine can return, sorted. Documentation
// generators (the OpenAPI document) read it.
func Codes() []Code {
	codes := make([]Code, 0, len(codeInfo))
	for c := range codeInfo {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool { return codes[i] < codes[j] })
	return codes
}

// Type returns the code's type; an unknown code is [TypeInternal].
func (c Code) Type() Type {
	if info, ok := codeInfo[c]; ok {
		return info.typ
	}
	return TypeInternal
}

// FieldError names one invalid input field by its dotted JSON path
// ("lines.1.quantity"), with a stable code ("validation_required") and a
// message for people.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is the engine's error: every failure a caller sees is one, or wraps one.
// It matches the sentinels below with [errors.Is] by code, so
//
//	errors.Is(err, contractorops.ErrNotFound)
//
// holds for any not-found error whatever its message. Cause keeps the
// underlying error for logs and [errors.As]; it never reaches a client.
type Error struct {
	Code        Code         `json:"code"`
	Type        Type         `json:"type"`
	Message     string       `json:"message"`
	FieldErrors []FieldError `json:"field_errors,omitempty"`
	Retryable   bool         `json:"retryable"`
	// TraceID is the trace of the request that got the error.
	TraceID string `json:"trace_id,omitempty"`
	// Cause is the underlying error; it never leaves the process.
	Cause error `json:"-"`
}

// clone returns a shallow copy, so that a caller can set its trace id
// without touching an error another caller holds.
func (e *Error) clone() *Error {
	c := *e
	return &c
}

// NewError returns an error with the code's type and default retryability.
func NewError(code Code, format string, args ...any) *Error {
	info := codeInfo[code]
	return &Error{Code: code, Type: code.Type(), Message: fmt.Sprintf(format, args...), Retryable: info.retryable}
}

// WrapError is [NewError] keeping cause as the underlying error.
func WrapError(cause error, code Code, format string, args ...any) *Error {
	e := NewError(code, format, args...)
	e.Cause = cause
	return e
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	first := true
	for _, fe := range e.FieldErrors {
		if fe.Message == e.Message {
			continue // says nothing the message does not
		}
		if first {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		first = false
		fmt.Fprintf(&b, "%s: %s", fe.Field, fe.Message)
	}
	if !first {
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is an *Error with the same code. Sentinels carry
// only a code, so any error of that code matches them.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels, one per code, for [errors.Is]. Never return them directly: build
// an error with [NewError] that says what happened.
var (
	ErrValidationFailed         = &Error{Code: CodeValidationFailed, Type: TypeValidation}
	ErrInvalidInput             = &Error{Code: CodeInvalidInput, Type: TypeValidation}
	ErrUnauthenticated          = &Error{Code: CodeUnauthenticated, Type: TypeAuthentication}
	ErrForbidden                = &Error{Code: CodeForbidden, Type: TypeAuthorization}
	ErrOrganizationAccessDenied = &Error{Code: CodeOrganizationAccessDenied, Type: TypeAuthorization}
	ErrNotFound                 = &Error{Code: CodeNotFound, Type: TypeNotFound}
	ErrConflict                 = &Error{Code: CodeConflict, Type: TypeConflict}
	ErrIdempotencyConflict      = &Error{Code: CodeIdempotencyConflict, Type: TypeIdempotency}
	ErrRateLimited              = &Error{Code: CodeRateLimited, Type: TypeRateLimit}
	ErrInternal                 = &Error{Code: CodeInternal, Type: TypeInternal}
	ErrWorkflow                 = &Error{Code: CodeWorkflow, Type: TypeInternal}
	ErrIllegalTransition        = &Error{Code: CodeIllegalTransition, Type: TypeDomain}
	ErrTechnicianUnavailable    = &Error{Code: CodeTechnicianUnavailable, Type: TypeDomain}
	ErrSchedulingConflict       = &Error{Code: CodeSchedulingConflict, Type: TypeDomain}
	ErrLicenseInvalid           = &Error{Code: CodeLicenseInvalid, Type: TypeDomain}
	ErrInsuranceInvalid         = &Error{Code: CodeInsuranceInvalid, Type: TypeDomain}
	ErrInventoryShortage        = &Error{Code: CodeInventoryShortage, Type: TypeDomain}
	ErrPricebookReference       = &Error{Code: CodePricebookReference, Type: TypeDomain}
	ErrSLAWindowViolation       = &Error{Code: CodeSLAWindowViolation, Type: TypeDomain}
	ErrComplianceBlocked        = &Error{Code: CodeComplianceBlocked, Type: TypeDomain}
)

// Validate runs v's rules and returns nil or a VALIDATION_FAILED *Error whose
// FieldErrors name every invalid field. A rule that is itself broken (an
// [validation.InternalError]) is an INTERNAL_ERROR, not the caller's fault.
func Validate(v validation.Validatable) error {
	return ValidationError(v.Validate())
}

// ValidationError turns the error of an invopop/validation rule set into a
// VALIDATION_FAILED *Error with field errors flattened to dotted paths,
// sorted by field. nil stays nil.
func ValidationError(err error) error {
	if err == nil {
		return nil
	}
	var ie validation.InternalError
	if errors.As(err, &ie) {
		return WrapError(err, CodeInternal, "input validation failed internally")
	}
	fes := FieldErrors(err)
	if len(fes) == 0 {
		fes = []FieldError{{Field: "", Code: "invalid", Message: err.Error()}}
	}
	e := NewError(CodeValidationFailed, "input is invalid")
	e.FieldErrors = fes
	e.Cause = err
	return e
}

// FieldErrors flattens a validation error into field errors with dotted
// paths, sorted by field then code. A plain error (not validation.Errors)
// becomes one field error on the empty path.
func FieldErrors(err error) []FieldError {
	var out []FieldError
	flattenValidation("", err, &out)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Field != out[j].Field {
			return out[i].Field < out[j].Field
		}
		return out[i].Code < out[j].Code
	})
	return out
}

func flattenValidation(path string, err error, out *[]FieldError) {
	if err == nil {
		return
	}
	var errs validation.Errors
	if errors.As(err, &errs) {
		for key, sub := range errs {
			flattenValidation(joinPath(path, key), sub, out)
		}
		return
	}
	var ve validation.Error
	if errors.As(err, &ve) {
		*out = append(*out, FieldError{Field: path, Code: ve.Code(), Message: ve.Error()})
		return
	}
	*out = append(*out, FieldError{Field: path, Code: "invalid", Message: err.Error()})
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// AsError returns err as an *Error: itself (or the *Error it wraps), a
// context error as a retryable CONFLICT or INTERNAL_ERROR, a validation error
// as VALIDATION_FAILED, and anything else as INTERNAL_ERROR keeping the cause.
// This is the one place where arbitrary errors become client-facing ones.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, context.Canceled):
		return WrapError(err, CodeConflict, "the request was cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return WrapError(err, CodeConflict, "the request timed out; retry with the same idempotency key")
	}
	if e, ok := dispatchError(err); ok {
		return e
	}
	var te *jobfsm.TransitionError
	if errors.As(err, &te) {
		e := WrapError(err, CodeIllegalTransition, "%s", strings.TrimPrefix(te.Error(), "jobfsm: "))
		e.FieldErrors = []FieldError{{Field: "status", Code: string(te.Rule), Message: te.Rule.Description()}}
		return e
	}
	var ie *jobfsm.InputError
	if errors.As(err, &ie) {
		e := WrapError(err, CodeValidationFailed, "input is invalid")
		e.FieldErrors = []FieldError{{Field: ie.Field, Code: "invalid", Message: ie.Problem}}
		return e
	}
	if e, ok := pricingError(err); ok {
		return e
	}
	var declined *PaymentDeclinedError
	if errors.As(err, &declined) {
		e := WrapError(err, CodeIllegalTransition, "%s", strings.TrimPrefix(declined.Error(), "contractorops: "))
		e.FieldErrors = []FieldError{{Field: "amount", Code: RulePaymentDeclined, Message: declined.Reason}}
		return e
	}
	if e := inventoryError(err); e != nil {
		return e
	}
	var verrs validation.Errors
	if errors.As(err, &verrs) {
		var ve *Error
		if errors.As(ValidationError(err), &ve) {
			return ve
		}
	}
	return WrapError(err, CodeInternal, "internal error")
}

// pricingError maps the typed errors of package pricing: a reference that
// does not resolve is PRICEBOOK_REFERENCE naming the line; a document rule,
// an over-refund or an over-credit is ILLEGAL_TRANSITION whose field error
// code is the rule; a malformed value is VALIDATION_FAILED on its field; an
// option, line, payment or deposit not on its document is NOT_FOUND. Field
// paths are pricing's with dots ("options[1].lines[3]" is
// "options.1.lines.3"); a handler that knows where the document sits in its
// input puts them under that path with [fieldsUnder].
func pricingError(err error) (*Error, bool) {
	var (
		ref   *pricing.ReferenceError
		tr    *pricing.TransitionError
		in    *pricing.InputError
		rf    *pricing.RefundError
		cr    *pricing.CreditError
		mm    *pricing.MismatchError
		nf    *pricing.NotFoundError
		field string
		code  string
		e     *Error
	)
	msg := strings.TrimPrefix(err.Error(), "pricing: ")
	switch {
	case errors.As(err, &ref):
		e, field, code = WrapError(err, CodePricebookReference, "%s", msg), referenceField(ref.Line), string(ref.Reason)
	case errors.As(err, &tr):
		e, field, code = WrapError(err, CodeIllegalTransition, "%s", msg), "status", tr.Rule
	case errors.As(err, &rf):
		e, field, code = WrapError(err, CodeIllegalTransition, "%s", msg), "amount", RuleRefundExceedsRefundable
	case errors.As(err, &cr):
		e, field, code = WrapError(err, CodeIllegalTransition, "%s", msg), "amount", cr.Rule
		if cr.Line != "" {
			field = "lines"
		}
	case errors.As(err, &in):
		e, field, code = WrapError(err, CodeValidationFailed, "input is invalid: %s", msg), pricingPath(in.Field), "invalid"
		switch {
		case errors.Is(in.Err, pricing.ErrInvalidAmount):
			code = "invalid_amount"
		case errors.Is(in.Err, pricing.ErrUnknownCurrency):
			code = "unknown_currency"
		}
		msg = in.Reason
	case errors.As(err, &mm):
		e, field, code = WrapError(err, CodeValidationFailed, "%s", msg), "currency", "currency_mismatch"
	case errors.As(err, &nf):
		e, field, code = WrapError(err, CodeNotFound, "%s", msg), nf.Kind+"Id", "not_found"
	default:
		return nil, false
	}
	if msg == "" {
		msg = e.Message
	}
	e.FieldErrors = []FieldError{{Field: field, Code: code, Message: msg}}
	return e, true
}

// Rules of the engine's own refusals, reported as field error codes of
// ILLEGAL_TRANSITION errors.
const (
	// RuleRefundExceedsRefundable: a refund is larger than what remains
	// refundable on its payment or deposit.
	RuleRefundExceedsRefundable = "REFUND_EXCEEDS_REFUNDABLE"
	// RulePaymentDeclined: the payment provider declined the capture.
	RulePaymentDeclined = "PAYMENT_DECLINED"
)

// pricingPath turns a pricing field path ("options[1].lines[3].quantity")
// into the API's dotted form ("options.1.lines.3.quantity").
func pricingPath(p string) string {
	p = strings.ReplaceAll(p, "[", ".")
	return strings.ReplaceAll(p, "]", "")
}

// referenceField is the input field a pricebook reference error names: the
// item of a line ("lines.3.itemId"), the template of an option
// ("templateId"), a discount item, or the element of a version that holds
// the reference ("items.2", "rules.0").
func referenceField(line string) string {
	switch {
	case line == "":
		return "itemId"
	case strings.HasPrefix(line, "template "):
		return "templateId"
	case strings.HasPrefix(line, "discount "):
		return "discountItemIds"
	case strings.HasPrefix(line, "labor "):
		return "laborItemId"
	case line == "materials":
		return "markupTableId"
	case strings.HasPrefix(line, "estimate "), strings.HasPrefix(line, "invoice "):
		return "pricebookVersionId"
	case strings.ContainsAny(line, "[."):
		p := pricingPath(line)
		if strings.HasPrefix(p, "lines.") || strings.Contains(p, ".lines.") {
			p += ".itemId"
		}
		return p
	}
	return "lines." + line + ".itemId" // a line named by its id
}

// fieldsUnder returns err as an *Error whose field paths are under prefix:
// the errors of a document built from part of an input ("options.1") name
// the input's field.
func fieldsUnder(prefix string, err error) error { return fieldsMoved(err, "", prefix) }

// fieldsMoved returns err as an *Error whose field paths under from are
// under to instead ("items.3.price" → "item.price").
func fieldsMoved(err error, from, to string) error {
	if err == nil || from == to {
		return err
	}
	e := AsError(err).clone()
	e.FieldErrors = slices.Clone(e.FieldErrors)
	for i, fe := range e.FieldErrors {
		if from == "" && (fe.Field == to || strings.HasPrefix(fe.Field, to+".")) {
			continue // already there: pricing names the option of a figure
		}
		rest, ok := fe.Field, from == ""
		if !ok {
			switch {
			case fe.Field == from:
				rest, ok = "", true
			case strings.HasPrefix(fe.Field, from+"."):
				rest, ok = fe.Field[len(from)+1:], true
			}
		}
		if !ok {
			continue
		}
		switch {
		case rest == "":
			e.FieldErrors[i].Field = to
		case to == "":
			e.FieldErrors[i].Field = rest
		default:
			e.FieldErrors[i].Field = to + "." + rest
		}
	}
	return e
}

// inventoryError maps package inventory's typed errors (see its package
// documentation, "Errors"), or returns nil. The commands that know which
// input line an error is about re-target its field (lines.2.quantity).
func inventoryError(err error) *Error {
	msg := func(e error) string { return strings.TrimPrefix(e.Error(), "inventory: ") }
	var se *inventory.ShortageError
	var ste *inventory.StockError
	var te *inventory.TransitionError
	var ie *inventory.InvalidError
	var oe *inventory.OverReceiptError
	switch {
	case errors.As(err, &se):
		e := WrapError(err, CodeInventoryShortage, "%s", strings.TrimPrefix(msg(se), "INVENTORY_SHORTAGE: "))
		for _, s := range se.Items {
			e.FieldErrors = append(e.FieldErrors, FieldError{Field: "items." + s.ItemID, Code: "inventory_shortage",
				Message: fmt.Sprintf("%s short %s (needs %s, %s available)", s.ItemID, s.Short, s.Requested, s.Available)})
		}
		return e
	case errors.As(err, &ste):
		e := WrapError(err, CodeInventoryShortage, "%s", msg(ste))
		e.FieldErrors = []FieldError{{Field: "quantity", Code: "insufficient_stock",
			Message: fmt.Sprintf("%s at %s: %s available, short %s", ste.ItemID, ste.LocationID, ste.Available, ste.Short())}}
		return e
	case errors.As(err, &te):
		e := WrapError(err, CodeIllegalTransition, "%s", msg(te))
		e.FieldErrors = []FieldError{{Field: "status", Code: "illegal_transition",
			Message: fmt.Sprintf("a %s cannot %s in status %s", te.Document, te.Action, te.From)}}
		return e
	case errors.As(err, &oe):
		e := WrapError(err, CodeValidationFailed, "%s", msg(oe))
		e.FieldErrors = []FieldError{{Field: "lines", Code: "validation_over_receipt_reason",
			Message: fmt.Sprintf("line %d would receive %s of %s ordered: an over-receipt needs a reason", oe.Line, oe.Received, oe.Ordered)}}
		return e
	case errors.As(err, &ie):
		e := WrapError(err, CodeValidationFailed, "input is invalid")
		e.FieldErrors = []FieldError{{Field: ie.Field, Code: "invalid", Message: ie.Rule}}
		return e
	case errors.Is(err, inventory.ErrNotFound):
		return WrapError(err, CodeNotFound, "%s", msg(err))
	}
	return nil
}
