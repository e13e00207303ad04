package contractorops

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
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
	var verrs validation.Errors
	if errors.As(err, &verrs) {
		var ve *Error
		if errors.As(ValidationError(err), &ve) {
			return ve
		}
	}
	return WrapError(err, CodeInternal, "internal error")
}
