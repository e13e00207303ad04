package rpcserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/hestami-ai/opsengine/contractorops"
)

// object is a JSON object of the OpenAPI document; encoding/json writes
// its keys sorted, so the document is deterministic.
type object = map[string]any

// OpenAPI returns the OpenAPI 3.1 document of a catalog: one POST operation
// per procedure, with its input and output schemas derived from the Go
// types by reflection (decimals as strings, times as date-time strings),
// the envelope and its error codes, the bearer security scheme, and the
// Idempotency-Key header of mutations. It is generated, never written: a
// procedure added to the catalog appears in it.
func OpenAPI(cat *contractorops.Catalog) ([]byte, error) {
	g := &schemaGen{schemas: object{}, names: map[reflect.Type]string{}, owners: map[string]reflect.Type{}, inputs: map[reflect.Type]bool{}}
	procs := cat.Procedures()
	for _, p := range procs {
		g.markInputs(p.Input)
	}
	paths := object{}
	tags := []any{}
	seenTags := map[string]bool{}
	for _, p := range procs {
		if !seenTags[p.Namespace] {
			seenTags[p.Namespace] = true
			tags = append(tags, object{"name": p.Namespace})
		}
		paths[RPCPrefix+p.Name] = object{"post": g.operation(p)}
	}
	if g.err != nil {
		return nil, g.err
	}
	for name, s := range envelopeSchemas() {
		if _, taken := g.schemas[name]; taken {
			return nil, fmt.Errorf("rpcserver: a catalog type has the schema name %q of the envelope", name)
		}
		g.schemas[name] = s
	}
	doc := object{
		"openapi": "3.1.0",
		"info": object{
			"title":   "Hestami Ops Engine API",
			"version": "1",
			"description": "The engine's command catalog over HTTP. Every procedure is `POST /api/v1/rpc/{namespace}/{version}/{procedure}` " +
				"with its input as the JSON body. Responses are envelopes: `{\"ok\":true,\"data\":…,\"meta\":{request_id,trace_id}}` or " +
				"`{\"ok\":false,\"error\":{code,type,message,field_errors,retryable,trace_id},\"meta\":{…}}`; the HTTP status follows the error type. " +
				"Mutations need an `Idempotency-Key` header: a replay returns the recorded response, the same key with another request is 422 " +
				"IDEMPOTENCY_CONFLICT, and one still running is 409. Money and quantities are decimal strings, times RFC 3339. " +
				"The same paths speak oRPC's RPC protocol (`@orpc/client` 1.x) when the request says `X-RPC-Protocol: orpc` or has an oRPC body.",
		},
		"security": []any{object{"bearerAuth": []any{}}},
		"tags":     tags,
		"paths":    paths,
		"components": object{
			"schemas": g.schemas,
			"securitySchemes": object{"bearerAuth": object{
				"type": "http", "scheme": "bearer", "bearerFormat": "ops_<id>_<secret>",
				"description": "An API key bound to one organization, actor and role.",
			}},
			"parameters": object{
				"IdempotencyKey": object{
					"name": "Idempotency-Key", "in": "header", "required": true,
					"description": "1 to 255 printable ASCII characters (a UUID is best), bare or as a quoted string; scoped by organization and procedure.",
					"schema":      object{"type": "string", "minLength": 1, "maxLength": 255},
				},
				"Traceparent": object{
					"name": "traceparent", "in": "header", "required": false,
					"description": "W3C trace context: the request joins this trace.",
					"schema":      object{"type": "string"},
				},
			},
			"headers":   responseHeaders(),
			"responses": errorResponses(),
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("rpcserver: encode the OpenAPI document: %w", err)
	}
	return buf.Bytes(), nil
}

// errorStatuses are the statuses an error envelope can come with, and the
// name of their shared response.
var errorStatuses = []struct {
	status int
	name   string
	desc   string
}{
	{400, "BadRequest", "The input is malformed (INVALID_INPUT) or breaks its rules (VALIDATION_FAILED); see field_errors."},
	{401, "Unauthorized", "No API key, or one that is unknown, revoked or expired."},
	{403, "Forbidden", "The caller's role or key may not call this procedure."},
	{404, "NotFound", "No such procedure, or no such resource in the caller's organization."},
	{409, "Conflict", "A concurrent change, or a request with the same idempotency key still running: retry."},
	{422, "UnprocessableContent", "A business rule refused the request, or the idempotency key was used with another request."},
	{429, "TooManyRequests", "The organization's rate limit: retry after Retry-After seconds."},
	{500, "InternalError", "A fault of ours; the trace id identifies it in our logs."},
}

func (g *schemaGen) operation(p *contractorops.Procedure) object {
	roles := make([]any, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	params := []any{object{"$ref": "#/components/parameters/Traceparent"}}
	okHeaders := object{
		"X-Request-Id": object{"$ref": "#/components/headers/X-Request-Id"},
		"X-Trace-Id":   object{"$ref": "#/components/headers/X-Trace-Id"},
	}
	if p.Kind == contractorops.KindMutation {
		params = append([]any{object{"$ref": "#/components/parameters/IdempotencyKey"}}, params...)
		okHeaders["Idempotent-Replayed"] = object{"$ref": "#/components/headers/Idempotent-Replayed"}
	}
	responses := object{"200": object{
		"description": "Success.",
		"headers":     okHeaders,
		"content": object{"application/json": object{"schema": object{
			"type":     "object",
			"required": []any{"ok", "data", "meta"},
			"properties": object{
				"ok":   object{"const": true},
				"data": g.schema(p.Output),
				"meta": object{"$ref": "#/components/schemas/ResponseMeta"},
			},
		}}},
	}}
	for _, e := range errorStatuses {
		responses[strconv.Itoa(e.status)] = object{"$ref": "#/components/responses/" + e.name}
	}
	op := object{
		"operationId":       operationID(p),
		"summary":           p.Summary,
		"tags":              []any{p.Namespace},
		"parameters":        params,
		"x-opsengine-kind":  string(p.Kind),
		"x-opsengine-roles": roles,
		"requestBody": object{
			"description": "The input; an empty body is the input with every field at its zero value.",
			"content":     object{"application/json": object{"schema": g.schema(p.Input)}},
		},
		"responses": responses,
	}
	if p.Kind == contractorops.KindMutation {
		op["x-opsengine-workflow"] = p.WorkflowName()
	}
	return op
}

// operationID is "customerV1Create" for customer/v1/create.
func operationID(p *contractorops.Procedure) string {
	m := []rune(p.Method)
	m[0] = unicode.ToUpper(m[0])
	return p.Namespace + "V" + strconv.Itoa(p.Version) + string(m)
}

func responseHeaders() object {
	str := object{"type": "string"}
	return object{
		"X-Request-Id":        object{"description": "The request's id (the client's X-Request-Id when it sent one).", "schema": str},
		"X-Trace-Id":          object{"description": "The request's trace id, also in every envelope's meta.", "schema": str},
		"Idempotent-Replayed": object{"description": "\"true\" when the response was recorded by an earlier request with the same idempotency key.", "schema": str},
		"Retry-After":         object{"description": "Seconds to wait before retrying.", "schema": object{"type": "integer"}},
		"WWW-Authenticate":    object{"description": "The authentication scheme: Bearer.", "schema": str},
	}
}

func errorResponses() object {
	out := object{}
	for _, e := range errorStatuses {
		headers := object{
			"X-Request-Id": object{"$ref": "#/components/headers/X-Request-Id"},
			"X-Trace-Id":   object{"$ref": "#/components/headers/X-Trace-Id"},
		}
		switch e.status {
		case 401:
			headers["WWW-Authenticate"] = object{"$ref": "#/components/headers/WWW-Authenticate"}
		case 429:
			headers["Retry-After"] = object{"$ref": "#/components/headers/Retry-After"}
		}
		out[e.name] = object{
			"description": e.desc,
			"headers":     headers,
			"content":     object{"application/json": object{"schema": object{"$ref": "#/components/schemas/ErrorEnvelope"}}},
		}
	}
	return out
}

// errorTypes lists the error types, for the document's enum.
var errorTypes = []contractorops.Type{
	contractorops.TypeValidation, contractorops.TypeAuthentication, contractorops.TypeAuthorization,
	contractorops.TypeNotFound, contractorops.TypeConflict, contractorops.TypeIdempotency,
	contractorops.TypeDomain, contractorops.TypeRateLimit, contractorops.TypeInternal,
}

func envelopeSchemas() object {
	codes := []any{}
	for _, c := range contractorops.Codes() {
		codes = append(codes, string(c))
	}
	types := []any{}
	for _, t := range errorTypes {
		types = append(types, string(t))
	}
	str := object{"type": "string"}
	return object{
		"ResponseMeta": object{
			"type": "object", "required": []any{"request_id", "trace_id"},
			"properties": object{"request_id": str, "trace_id": str},
		},
		"ErrorCode": object{"type": "string", "enum": codes, "description": "A stable code: switch on it."},
		"ErrorType": object{"type": "string", "enum": types, "description": "The code's class, which decides the HTTP status."},
		"FieldError": object{
			"type": "object", "required": []any{"field", "code", "message"},
			"properties": object{
				"field":   object{"type": "string", "description": "The dotted JSON path of the field (lines.1.quantity); empty for the whole body."},
				"code":    object{"type": "string", "description": "A stable code such as validation_required or unknown_field."},
				"message": str,
			},
		},
		"Error": object{
			"type": "object", "required": []any{"code", "type", "message", "field_errors", "retryable", "trace_id"},
			"properties": object{
				"code":         object{"$ref": "#/components/schemas/ErrorCode"},
				"type":         object{"$ref": "#/components/schemas/ErrorType"},
				"message":      str,
				"field_errors": object{"type": "array", "items": object{"$ref": "#/components/schemas/FieldError"}},
				"retryable":    object{"type": "boolean"},
				"trace_id":     str,
			},
		},
		"ErrorEnvelope": object{
			"type": "object", "required": []any{"ok", "error", "meta"},
			"properties": object{
				"ok":    object{"const": false},
				"error": object{"$ref": "#/components/schemas/Error"},
				"meta":  object{"$ref": "#/components/schemas/ResponseMeta"},
			},
		},
	}
}

// schemaGen turns Go types into JSON Schemas, naming each struct and
// enumerated type once in components.schemas.
type schemaGen struct {
	schemas object
	names   map[reflect.Type]string
	owners  map[string]reflect.Type
	// inputs are the struct types reachable from an input: the server
	// rejects their unknown fields, and their fields are optional (an
	// absent field is its zero value).
	inputs map[reflect.Type]bool
	err    error
}

// markInputs records the struct types reachable from t.
func (g *schemaGen) markInputs(t reflect.Type) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || g.inputs[t] || isSpecial(t) {
		return
	}
	g.inputs[t] = true
	for _, f := range jsonFields(t) {
		g.markInputs(f.typ)
	}
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// decimalPattern is the form of a decimal string.
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?$`

func isDecimal(t reflect.Type) bool {
	return t.PkgPath() == "github.com/shopspring/decimal" && t.Name() == "Decimal"
}

func isSpecial(t reflect.Type) bool {
	return t == timeType || t == rawMessageType || isDecimal(t) || implementsMarshaler(t)
}

func (g *schemaGen) schema(t reflect.Type) object {
	switch {
	case t == timeType:
		return object{"type": "string", "format": "date-time"}
	case t == rawMessageType:
		return object{"description": "Any JSON value."}
	case isDecimal(t):
		return object{"type": "string", "format": "decimal", "pattern": decimalPattern}
	case t.Kind() == reflect.Pointer:
		return g.schema(t.Elem())
	case implementsMarshaler(t):
		return marshalerSchema(t)
	}
	switch t.Kind() {
	case reflect.Bool:
		return object{"type": "boolean"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return object{"type": "integer", "format": "int32"}
	case reflect.Int, reflect.Int64:
		return object{"type": "integer", "format": "int64"}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return object{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return object{"type": "number"}
	case reflect.String:
		if values := enumValues(t); values != nil {
			return g.ref(t, func() object { return object{"type": "string", "enum": values} })
		}
		return object{"type": "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return object{"type": "string", "contentEncoding": "base64"}
		}
		return object{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Array:
		return object{"type": "array", "items": g.schema(t.Elem()), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return object{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return object{}
	case reflect.Struct:
		return g.ref(t, func() object { return g.structSchema(t) })
	}
	g.fail(fmt.Errorf("rpcserver: no JSON schema for %s", t))
	return object{}
}

// ref defines t's schema once under its name and returns a reference to it.
func (g *schemaGen) ref(t reflect.Type, build func() object) object {
	name, ok := g.names[t]
	if !ok {
		name = schemaName(t)
		if other, taken := g.owners[name]; taken {
			g.fail(fmt.Errorf("rpcserver: types %s and %s have the same schema name %q", other, t, name))
		}
		g.names[t], g.owners[name] = name, t
		g.schemas[name] = object{} // placeholder for recursive types
		g.schemas[name] = build()
	}
	return object{"$ref": "#/components/schemas/" + name}
}

func (g *schemaGen) structSchema(t reflect.Type) object {
	props := object{}
	required := []any{}
	for _, f := range jsonFields(t) {
		s := g.schema(f.typ)
		if f.asString {
			s = object{"type": "string"}
		}
		props[f.name] = s
		if !g.inputs[t] && !f.omitEmpty {
			required = append(required, f.name)
		}
	}
	out := object{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	if g.inputs[t] {
		out["additionalProperties"] = false
	}
	return out
}

func (g *schemaGen) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

// marshalerSchema guesses the JSON type of a type that writes its own JSON
// from its zero value.
func marshalerSchema(t reflect.Type) object {
	b, err := json.Marshal(reflect.New(t).Interface())
	if err != nil || len(b) == 0 {
		return object{}
	}
	switch b[0] {
	case '"':
		return object{"type": "string"}
	case '{':
		return object{"type": "object"}
	case '[':
		return object{"type": "array"}
	case 't', 'f':
		return object{"type": "boolean"}
	case 'n':
		return object{}
	}
	return object{"type": "number"}
}

// schemaName names a type in components.schemas: its Go name, qualified by
// its package unless that is contractorops, with generic arguments joined
// by underscores (Page_Customer).
func schemaName(t reflect.Type) string {
	name := t.Name()
	if base, args, ok := strings.Cut(name, "["); ok {
		var parts []string
		for _, a := range strings.Split(strings.TrimSuffix(args, "]"), ",") {
			a = a[strings.LastIndex(a, "/")+1:]
			if _, after, ok := strings.Cut(a, "."); ok {
				a = after
			}
			parts = append(parts, a)
		}
		name = base + "_" + strings.Join(parts, "_")
	}
	if pkg := path.Base(t.PkgPath()); pkg != "contractorops" {
		name = pkg + "." + name
	}
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '_' || r == '-' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return '_'
	}, name)
}

// enumValues returns the documented values of an enumerated string type,
// or nil.
func enumValues(t reflect.Type) []any {
	var values []string
	switch t {
	case reflect.TypeFor[contractorops.Role]():
		for _, r := range contractorops.Roles() {
			values = append(values, string(r))
		}
	case reflect.TypeFor[contractorops.Code]():
		for _, c := range contractorops.Codes() {
			values = append(values, string(c))
		}
	case reflect.TypeFor[contractorops.ActorKind]():
		values = []string{string(contractorops.ActorUser), string(contractorops.ActorTechnician), string(contractorops.ActorAgent), string(contractorops.ActorSystem)}
	case reflect.TypeFor[contractorops.OrganizationType]():
		values = []string{string(contractorops.OrgServiceProvider), string(contractorops.OrgExternalServiceProvider),
			string(contractorops.OrgCommunityAssociation), string(contractorops.OrgManagementCompany)}
	case reflect.TypeFor[contractorops.Kind]():
		values = []string{string(contractorops.KindMutation), string(contractorops.KindQuery)}
	default:
		return nil
	}
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}
