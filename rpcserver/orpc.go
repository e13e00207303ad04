package rpcserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
)

// protocol is the wire protocol of one request: plain JSON or oRPC's RPC
// protocol (@orpc/client 1.x, RPCLink).
type protocol int

const (
	protocolPlain protocol = iota
	protocolORPC
)

func (p protocol) String() string {
	if p == protocolORPC {
		return "orpc"
	}
	return "plain"
}

// protocolFromHeader is the protocol an X-RPC-Protocol header asks for,
// plain when there is none.
func protocolFromHeader(h http.Header) protocol {
	if strings.EqualFold(strings.TrimSpace(h.Get("X-RPC-Protocol")), "orpc") {
		return protocolORPC
	}
	return protocolPlain
}

// detectProtocol chooses the protocol of a request:
//
//  1. an X-RPC-Protocol header ("orpc" or "plain") decides;
//  2. a multipart/form-data body is oRPC (plain takes JSON only);
//  3. a JSON object with a "json" key and no key but json, meta and maps is
//     oRPC (no plain input has a "json" field: inputs reject unknown
//     fields, and no input may name a field "json");
//  4. anything else is plain, "{}" and an empty body included.
//
// An oRPC call without input sends "{}", which is plain by rule 4: the
// oRPC client must send the X-RPC-Protocol header (see the package doc).
func detectProtocol(h http.Header, body []byte) protocol {
	switch strings.ToLower(strings.TrimSpace(h.Get("X-RPC-Protocol"))) {
	case "orpc":
		return protocolORPC
	case "plain":
		return protocolPlain
	}
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && mt == "multipart/form-data" {
		return protocolORPC
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' || !bytes.Contains(trimmed, []byte(`"json"`)) {
		return protocolPlain
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(trimmed, &obj) != nil {
		return protocolPlain
	}
	if _, ok := obj["json"]; !ok {
		return protocolPlain
	}
	for k := range obj {
		if k != "json" && k != "meta" && k != "maps" {
			return protocolPlain
		}
	}
	return protocolORPC
}

// orpcRequest is the body of an oRPC call. Meta (the types of special
// values) is ignored: a typed Go input reads a Date's ISO string as a
// time.Time, and NaN and undefined arrive as null.
type orpcRequest struct {
	JSON json.RawMessage   `json:"json"`
	Meta json.RawMessage   `json:"meta"`
	Maps []json.RawMessage `json:"maps"`
}

// inputOf returns the JSON input of a request: the body itself (plain), or
// the "json" of an oRPC body. For the legacy frontend, which sent its
// idempotency key in the input, an oRPC input's top-level "idempotencyKey"
// string is taken out and returned when the procedure's input has no such
// field.
func inputOf(p protocol, h http.Header, body []byte, proc *contractorops.Procedure) (input []byte, legacyKey string, err error) {
	if p == protocolPlain {
		return body, "", nil
	}
	var req orpcRequest
	if mt, params, perr := mime.ParseMediaType(h.Get("Content-Type")); perr == nil && mt == "multipart/form-data" {
		if req, err = readMultipart(body, params["boundary"]); err != nil {
			return nil, "", err
		}
	} else if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, "", invalidInput("malformed_orpc_body", "the body is not an oRPC request {json, meta}")
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, "", invalidInput("trailing_data", "the body holds data after the JSON value")
		}
	}
	if len(req.Maps) > 0 {
		return nil, "", invalidInput("unsupported_file", "this procedure takes no files")
	}
	input = req.JSON
	if len(input) > 0 && input[0] == '{' && !hasJSONField(proc.Input, "idempotencyKey") {
		var obj map[string]json.RawMessage
		if json.Unmarshal(input, &obj) == nil {
			if raw, ok := obj["idempotencyKey"]; ok && json.Unmarshal(raw, &legacyKey) == nil {
				delete(obj, "idempotencyKey")
				input, _ = json.Marshal(obj)
			}
		}
	}
	return input, legacyKey, nil
}

// readMultipart reads an oRPC multipart body: its "data" part is the
// request; other parts are files.
func readMultipart(body []byte, boundary string) (orpcRequest, error) {
	var req orpcRequest
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	found := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return req, invalidInput("malformed_multipart", "the multipart body cannot be read")
		}
		if part.FormName() != "data" {
			return req, invalidInput("unsupported_file", "this procedure takes no files")
		}
		data, err := io.ReadAll(part)
		if err != nil || json.Unmarshal(data, &req) != nil {
			return req, invalidInput("malformed_orpc_body", "the data part is not an oRPC request {json, meta, maps}")
		}
		found = true
	}
	if !found {
		return req, invalidInput("malformed_multipart", "the multipart body has no data part")
	}
	return req, nil
}

func hasJSONField(t reflect.Type, name string) bool {
	for _, f := range jsonFields(t) {
		if f.name == name {
			return true
		}
	}
	return false
}

// orpcErrorJSON is an error as the oRPC client accepts it: exactly these
// five keys, or it throws a generic error instead of an ORPCError.
type orpcErrorJSON struct {
	Defined bool       `json:"defined"`
	Code    string     `json:"code"`
	Status  int        `json:"status"`
	Message string     `json:"message"`
	Data    *ErrorBody `json:"data"`
}

// orpcCodes are oRPC's common error codes by HTTP status.
var orpcCodes = map[int]string{
	400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
	405: "METHOD_NOT_SUPPORTED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 422: "UNPROCESSABLE_CONTENT",
	429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR",
}

func orpcError(status int, body *ErrorBody) any {
	code, ok := orpcCodes[status]
	if !ok {
		code = "INTERNAL_SERVER_ERROR"
	}
	return struct {
		JSON orpcErrorJSON `json:"json"`
	}{orpcErrorJSON{Defined: status < 500, Code: code, Status: status, Message: body.Message, Data: body}}
}

// orpcSuccess wraps the whole plain envelope as the oRPC output, so that
// code written against the legacy server (res.data…) keeps working, with
// meta entries [1, "data", …path] that turn the output's times into Dates.
func orpcSuccess(env Envelope, dates *dateShape) any {
	meta := [][]any{}
	if dates != nil {
		var v any
		dec := json.NewDecoder(bytes.NewReader(env.Data))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			dates.collect(v, []any{"data"}, &meta)
		}
	}
	return struct {
		JSON Envelope `json:"json"`
		Meta [][]any  `json:"meta"`
	}{env, meta}
}

// dateShape locates the time.Time values in values of one Go type: a node
// is a time, or has fields, or elements (slices, arrays, maps), each a
// dateShape. Subtrees without times are nil.
type dateShape struct {
	isTime bool
	fields map[string]*dateShape
	elem   *dateShape
}

var timeType = reflect.TypeFor[time.Time]()

// dateShapeOf returns where t holds times, or nil if it holds none.
func dateShapeOf(t reflect.Type) *dateShape {
	return buildDateShape(t, map[reflect.Type]bool{})
}

func buildDateShape(t reflect.Type, visiting map[reflect.Type]bool) *dateShape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return &dateShape{isTime: true}
	}
	if visiting[t] || implementsMarshaler(t) {
		return nil
	}
	visiting[t] = true
	defer delete(visiting, t)
	switch t.Kind() {
	case reflect.Struct:
		var fields map[string]*dateShape
		for _, f := range jsonFields(t) {
			if f.asString {
				continue
			}
			if sub := buildDateShape(f.typ, visiting); sub != nil {
				if fields == nil {
					fields = map[string]*dateShape{}
				}
				fields[f.name] = sub
			}
		}
		if fields != nil {
			return &dateShape{fields: fields}
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		if sub := buildDateShape(t.Elem(), visiting); sub != nil {
			return &dateShape{elem: sub}
		}
	}
	return nil
}

// collect appends the meta entry [1, path…] of every time in v.
func (d *dateShape) collect(v any, path []any, out *[][]any) {
	switch {
	case d.isTime:
		if _, ok := v.(string); ok {
			*out = append(*out, append([]any{1}, path...))
		}
	case d.fields != nil:
		obj, _ := v.(map[string]any)
		for _, name := range sortedKeys(d.fields) {
			if fv, ok := obj[name]; ok {
				d.fields[name].collect(fv, appendPath(path, name), out)
			}
		}
	case d.elem != nil:
		switch x := v.(type) {
		case []any:
			for i, ev := range x {
				d.elem.collect(ev, appendPath(path, i), out)
			}
		case map[string]any:
			for _, k := range sortedKeys(x) {
				d.elem.collect(x[k], appendPath(path, k), out)
			}
		}
	}
}

func appendPath(path []any, seg any) []any {
	return append(path[:len(path):len(path)], seg)
}

// String describes the shape, for tests.
func (d *dateShape) String() string {
	switch {
	case d == nil:
		return "-"
	case d.isTime:
		return "time"
	case d.elem != nil:
		return "[" + d.elem.String() + "]"
	}
	var b strings.Builder
	b.WriteString("{")
	for i, name := range sortedKeys(d.fields) {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s:%s", name, d.fields[name])
	}
	b.WriteString("}")
	return b.String()
}
