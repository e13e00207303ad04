package contractorops

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Invocation is one call of a mutation, as a runner sees it: everything
// needed to run it again after a crash, and nothing that is not data.
type Invocation struct {
	Procedure   string          `json:"procedure"`
	Scope       Scope           `json:"scope"`
	Key         string          `json:"key"`
	Fingerprint string          `json:"fingerprint"`
	Input       json.RawMessage `json:"input"`
	WorkflowID  string          `json:"workflowId"`
	// At is when the engine accepted the call: the command's "now", the
	// same on every replay.
	At time.Time `json:"at"`
	// TraceParent is the W3C traceparent of the request, so that a workflow
	// recovered after a restart still links to the trace that started it.
	TraceParent string `json:"traceParent,omitempty"`
}

// Outcome is the recorded result of an invocation: its output, or the error
// it ended with. Replays of the invocation's idempotency key return it.
type Outcome struct {
	Output json.RawMessage `json:"output,omitempty"`
	Err    *Error          `json:"error,omitempty"`
	// Replayed is set when the outcome was recorded by an earlier call.
	Replayed bool `json:"-"`
}

// Executor runs the effects of one invocation. The inline executor runs them
// directly against the store; the durable one (contractorops/durable)
// checkpoints each, so that after a crash a workflow resumes without
// repeating an effect. Results cross as bytes so they can be recorded.
type Executor interface {
	// Tx runs fn in one store transaction for the organization org, exactly
	// once. When fn fails, its effects are rolled back and its error is
	// returned; an *Error keeps its code.
	Tx(ctx context.Context, org, name string, fn func(ctx context.Context, tx Tx) ([]byte, error)) ([]byte, error)
	// Step runs fn, an effect outside the store (a payment provider, an
	// optimizer run), and records its result: a replay returns the record.
	// When fn fails with an *Error that is not internal, that error is the
	// step's recorded result.
	Step(ctx context.Context, name string, fn func(ctx context.Context) ([]byte, error)) ([]byte, error)
	// After arranges for w to run at w.At: the durable executor starts a
	// workflow that sleeps until then (once, even on replay). The inline
	// executor does nothing: an embedded engine runs its periodic tasks
	// ([Engine.RunTask]), which do the same work.
	After(ctx context.Context, w Wake) error
}

// Wake is a mutation to run later, as the engine's own work: at At, the
// procedure in Scope with idempotency key Key and JSON input Input.
type Wake struct {
	At        time.Time       `json:"at"`
	Procedure string          `json:"procedure"`
	Scope     Scope           `json:"scope"`
	Key       string          `json:"key"`
	Input     json.RawMessage `json:"input"`
}

// RunWake executes a wake-up now, for runners that slept until its time.
func (e *Engine) RunWake(ctx context.Context, w Wake) error {
	p, ok := e.catalog.Lookup(w.Procedure)
	if !ok {
		return NewError(CodeNotFound, "no procedure %q", w.Procedure)
	}
	in, err := p.DecodeInput(w.Input)
	if err != nil {
		return err
	}
	_, err = e.Execute(ctx, w.Scope, w.Procedure, w.Key, in)
	return err
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("contractorops: encode %T: %v", v, err))
	}
	return b
}

// Runner executes mutations. The default runs them inline (in memory,
// not durable); contractorops/durable runs each as a DBOS workflow.
type Runner interface {
	// Start prepares the runner for the engine's catalog; New calls it once.
	Start(e *Engine) error
	// Run executes inv exactly once per idempotency key and returns its
	// outcome, or the recorded outcome of an earlier call with the same key
	// (an *Error IDEMPOTENCY_CONFLICT if that call had another fingerprint).
	// The engine never runs two calls with the same workflow id at once in
	// one process; a runner handles those of other processes. Its error is
	// reserved for failures that leave no outcome.
	Run(ctx context.Context, inv Invocation) (Outcome, error)
	// Close stops the runner.
	Close(ctx context.Context) error
}

// Response is the result of [Engine.Execute].
type Response struct {
	// Data is the procedure's output as JSON.
	Data json.RawMessage
	// TraceID is the trace the command ran in.
	TraceID string
	// WorkflowID identifies a mutation's run (its idempotency record).
	WorkflowID string
	// Replayed is set when Data was recorded by an earlier call with the
	// same idempotency key.
	Replayed bool
}

// Execute runs the procedure named name ("job/v1/create") in scope. For a
// mutation, key is the idempotency key; queries ignore it. in is a pointer
// to the procedure's input type (see [Procedure.DecodeInput]).
//
// It validates the input, authorizes the scope, applies idempotency, runs the
// procedure through the runner, and returns its output as JSON. Every error
// is an *Error carrying the trace id.
func (e *Engine) Execute(ctx context.Context, scope Scope, name, key string, in any) (resp *Response, err error) {
	p, ok := e.catalog.Lookup(name)
	if !ok {
		return nil, NewError(CodeNotFound, "no procedure %q", name)
	}
	ctx, span := e.tracer.Start(ctx, "command "+name, trace.WithAttributes(
		attribute.String("procedure", name),
		attribute.String("org_id", scope.OrganizationID),
		attribute.String("actor.kind", string(scope.Actor.Kind)),
	))
	start := time.Now()
	traceID := span.SpanContext().TraceID().String()
	defer func() {
		code := "OK"
		if err != nil {
			ee := AsError(err).clone()
			ee.TraceID = traceID
			err = ee
			code = string(ee.Code)
			span.SetStatus(codes.Error, string(ee.Code))
			if ee.Type == TypeInternal {
				span.RecordError(ee)
				e.log.ErrorContext(ctx, "command failed", "procedure", name, "org_id", scope.OrganizationID,
					"code", ee.Code, "error", errorChain(ee), "trace_id", traceID)
			}
		}
		e.metrics.record(ctx, name, code, time.Since(start))
		span.End()
	}()

	if err := scope.authenticate(); err != nil {
		return nil, err
	}
	if !p.Allows(scope) {
		return nil, NewError(CodeForbidden, "role %s may not call %s", scope.Role, name)
	}
	if in == nil || reflect.TypeOf(in) != reflect.PointerTo(p.Input) {
		return nil, NewError(CodeInvalidInput, "%s takes a %s input", name, p.Input)
	}
	if err := Validate(in.(interface{ Validate() error })); err != nil {
		return nil, err
	}

	if p.Kind == KindQuery {
		out := e.perform(ctx, &inlineExecutor{e: e}, p, scope, in, Invocation{Procedure: name, Scope: scope, At: e.now()})
		if out.Err != nil {
			return nil, out.Err
		}
		return &Response{Data: out.Output, TraceID: traceID}, nil
	}

	if err := validateKey(key); err != nil {
		return nil, err
	}
	input, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("contractorops: encode %s input: %w", name, err)
	}
	inv := Invocation{
		Procedure: name, Scope: scope, Key: key, Input: input,
		Fingerprint: Fingerprint(name, input),
		WorkflowID:  WorkflowID(scope.OrganizationID, name, key),
		At:          e.now(),
		TraceParent: traceParent(ctx),
	}
	span.SetAttributes(attribute.String("workflow_id", inv.WorkflowID))
	out, err := e.flights.run(ctx, inv, e.cfg.InFlightWait, e.runner.Run)
	if err != nil {
		return nil, err
	}
	span.SetAttributes(attribute.Bool("replayed", out.Replayed))
	if out.Err != nil {
		return nil, out.Err
	}
	return &Response{Data: out.Output, TraceID: traceID, WorkflowID: inv.WorkflowID, Replayed: out.Replayed}, nil
}

// Perform runs an invocation's procedure with the given executor and returns
// its outcome. It is for [Runner] implementations: they call it inside their
// own machinery (a DBOS workflow, say) after handling idempotency.
func (e *Engine) Perform(ctx context.Context, x Executor, inv Invocation) Outcome {
	p, ok := e.catalog.Lookup(inv.Procedure)
	if !ok {
		return Outcome{Err: NewError(CodeNotFound, "no procedure %q", inv.Procedure)}
	}
	in := p.NewInput()
	if err := json.Unmarshal(inv.Input, in); err != nil {
		return Outcome{Err: WrapError(err, CodeInternal, "decode the recorded input")}
	}
	return e.perform(ctx, x, p, inv.Scope, in, inv)
}

func (e *Engine) perform(ctx context.Context, x Executor, p *Procedure, scope Scope, in any, inv Invocation) Outcome {
	now := inv.At
	if now.IsZero() {
		now = e.now()
	}
	c := &call{ctx: ctx, e: e, x: x, scope: scope, now: now, inv: inv, proc: p}
	out, err := p.run(c, in)
	if err != nil {
		ee := AsError(err)
		if ee.Type == TypeInternal {
			e.log.ErrorContext(ctx, "procedure failed", "procedure", p.Name, "org_id", scope.OrganizationID,
				"workflow_id", inv.WorkflowID, "error", errorChain(ee))
		}
		return Outcome{Err: ee}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return Outcome{Err: WrapError(err, CodeInternal, "encode the output")}
	}
	return Outcome{Output: data}
}

// call is the context of one running procedure, given to its handler.
type call struct {
	ctx   context.Context
	e     *Engine
	x     Executor
	scope Scope
	now   time.Time
	inv   Invocation
	proc  *Procedure
}

// maxTxAttempts bounds how often a transaction that lost a race is retried.
const maxTxAttempts = 5

// inTx runs fn in a transaction in the call's organization and returns its
// result. The result crosses the executor as JSON so that a durable replay
// returns it without running fn again: handlers must return what they need
// from fn, never capture it in variables. A transaction that loses a race
// (a retryable CONFLICT) runs again, up to maxTxAttempts times.
func inTx[R any](c *call, name string, fn func(t *txn) (R, error)) (R, error) {
	return inTxFor(c, c.scope.OrganizationID, name, fn)
}

// inTxFor is inTx in another organization (platform operations).
func inTxFor[R any](c *call, org, name string, fn func(t *txn) (R, error)) (R, error) {
	var zero R
	audited := c.proc.Kind == KindMutation
	for attempt := 1; ; attempt++ {
		data, err := c.x.Tx(c.ctx, org, name, func(ctx context.Context, tx Tx) ([]byte, error) {
			t := &txn{ctx: ctx, e: c.e, tx: tx, org: org, now: c.now}
			if audited {
				t.audit = &auditInfo{scope: c.scope, procedure: c.proc.Name, workflowID: c.inv.WorkflowID, traceID: trace.SpanContextFromContext(c.ctx).TraceID().String()}
			}
			r, err := fn(t)
			if err != nil {
				return nil, err
			}
			if err := t.flush(c.e.newID); err != nil {
				return nil, err
			}
			return json.Marshal(txResult[R]{Result: r, Wakes: t.wakes})
		})
		if err != nil {
			var ee *Error
			if errors.As(err, &ee) && ee.Code == CodeConflict && ee.Retryable && attempt < maxTxAttempts && c.ctx.Err() == nil {
				continue
			}
			return zero, err
		}
		var r txResult[R]
		if err := json.Unmarshal(data, &r); err != nil {
			return zero, WrapError(err, CodeInternal, "decode the result of %s", name)
		}
		for _, w := range r.Wakes {
			if err := c.x.After(c.ctx, w); err != nil {
				return zero, err
			}
		}
		return r.Result, nil
	}
}

// txResult is what a transaction records: its result and the wake-ups it
// asked for, which run after it commits.
type txResult[R any] struct {
	Result R      `json:"result"`
	Wakes  []Wake `json:"wakes,omitempty"`
}

// inStep runs fn as a recorded step (see [Executor.Step]): its result
// crosses as JSON, so a durable replay returns it without running fn.
func inStep[R any](c *call, name string, fn func(ctx context.Context) (R, error)) (R, error) {
	var zero R
	data, err := c.x.Step(c.ctx, name, func(ctx context.Context) ([]byte, error) {
		r, err := fn(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(r)
	})
	if err != nil {
		return zero, err
	}
	var r R
	if err := json.Unmarshal(data, &r); err != nil {
		return zero, WrapError(err, CodeInternal, "decode the result of step %s", name)
	}
	return r, nil
}

// inlineExecutor runs effects directly: the embedded mode, and every query.
type inlineExecutor struct{ e *Engine }

func (x *inlineExecutor) Tx(ctx context.Context, org, _ string, fn func(ctx context.Context, tx Tx) ([]byte, error)) ([]byte, error) {
	var out []byte
	err := x.e.store.InTx(ctx, org, func(tx Tx) error {
		var err error
		out, err = fn(ctx, tx)
		return err
	})
	return out, err
}

func (x *inlineExecutor) Step(ctx context.Context, _ string, fn func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	return fn(ctx)
}

func (x *inlineExecutor) After(context.Context, Wake) error { return nil }

// decodeResult turns an Execute result into the typed output.
func decodeResult[Out any](resp *Response, err error) (*Out, error) {
	if err != nil {
		return nil, err
	}
	out := new(Out)
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return nil, WrapError(err, CodeInternal, "decode the output")
	}
	return out, nil
}

// DecodeInput decodes a JSON input for the procedure strictly: unknown
// fields, wrong types and trailing data are INVALID_INPUT errors naming the
// field. An empty body is the zero input.
func (p *Procedure) DecodeInput(data []byte) (any, error) {
	in := p.NewInput()
	if len(bytes.TrimSpace(data)) == 0 {
		return in, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(in); err != nil {
		e := inputError(err)
		for i := range e.FieldErrors {
			e.FieldErrors[i].Field = dropEmbedded(p.Input, e.FieldErrors[i].Field)
		}
		return nil, e
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidInput("", "trailing_data", "the body holds data after the JSON value")
	}
	return in, nil
}

// dropEmbedded removes from a field path of encoding/json the names of the
// embedded structs it passes through ("PageRequest.limit" is "limit" in
// JSON), so that field errors name JSON paths.
func dropEmbedded(t reflect.Type, path string) string {
	if path == "" {
		return path
	}
	var out []string
	for _, seg := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			out = append(out, seg)
			continue
		}
		if sf, ok := t.FieldByName(seg); ok && sf.Anonymous && sf.Tag.Get("json") == "" {
			t = sf.Type
			continue
		}
		out = append(out, seg)
		if sf, ok := fieldByJSONName(t, seg); ok {
			t = sf.Type
		}
	}
	return strings.Join(out, ".")
}

// fieldByJSONName finds the field of struct t (or of its embedded structs)
// that encoding/json names name.
func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	return t.FieldByNameFunc(func(goName string) bool {
		sf, _ := t.FieldByName(goName)
		tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		return tag == name || (tag == "" && goName == name)
	})
}

func invalidInput(field, code, msg string) *Error {
	e := NewError(CodeInvalidInput, "the input cannot be decoded")
	e.FieldErrors = []FieldError{{Field: field, Code: code, Message: msg}}
	return e
}

func inputError(err error) *Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return invalidInput(typeErr.Field, "wrong_type", fmt.Sprintf("expected %s, got JSON %s", jsonTypeName(typeErr.Type.String()), typeErr.Value))
	case errors.As(err, &syntaxErr):
		return invalidInput("", "malformed_json", fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return invalidInput("", "malformed_json", "the JSON body ends early")
	}
	msg := err.Error()
	if field, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		f := strings.Trim(field, `"`)
		return invalidInput(f, "unknown_field", fmt.Sprintf("unknown field %q", f))
	}
	return invalidInput("", "invalid", strings.TrimPrefix(msg, "json: "))
}

func jsonTypeName(goType string) string {
	switch {
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "a number"
	case goType == "string", goType == "decimal.Decimal", goType == "time.Time":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

// validateKey checks an idempotency key: 1–255 printable ASCII characters.
func validateKey(key string) error {
	msg := ""
	switch {
	case key == "":
		msg = "an idempotency key is required for every mutation"
	case len(key) > 255:
		msg = "the idempotency key is longer than 255 characters"
	default:
		for _, r := range key {
			if r > unicode.MaxASCII || !unicode.IsPrint(r) {
				msg = "the idempotency key must be printable ASCII"
				break
			}
		}
	}
	if msg == "" {
		return nil
	}
	e := NewError(CodeValidationFailed, "%s", msg)
	e.FieldErrors = []FieldError{{Field: "idempotencyKey", Code: "validation_idempotency_key", Message: msg}}
	return e
}

// Fingerprint is the fingerprint of a mutation's request: the procedure and
// its canonical input. A reused idempotency key must come with the same one.
func Fingerprint(procedure string, canonicalInput []byte) string {
	h := sha256.New()
	h.Write([]byte(procedure))
	h.Write([]byte{0})
	h.Write(canonicalInput)
	return hex.EncodeToString(h.Sum(nil))
}

// WorkflowID is the identifier of the run of a mutation: derived from the
// organization, the procedure and the idempotency key, so the same key in
// another organization or on another procedure never collides.
func WorkflowID(org, procedure, key string) string {
	sum := sha256.Sum256([]byte(key))
	return org + ":" + procedure + ":" + hex.EncodeToString(sum[:16])
}

func traceParent(ctx context.Context) string {
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	return carrier["traceparent"]
}

// ContextWithTraceParent returns ctx carrying the remote span of a W3C
// traceparent, so that spans started from it join that trace.
func ContextWithTraceParent(ctx context.Context, tp string) context.Context {
	if tp == "" {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": tp})
}

// errorChain renders an error with its causes for logs.
func errorChain(err error) string {
	var b strings.Builder
	b.WriteString(err.Error())
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		b.WriteString(" <- ")
		b.WriteString(u.Error())
	}
	return b.String()
}
