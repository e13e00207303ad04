package rpcserver

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
)

func TestCreateAndReplay(t *testing.T) {
	e := memEnv(t)
	body := `{"name":"Ada Lovelace","email":"ada@example.com"}`
	r1 := e.rpc("customer/v1/create", e.a.owner, "c-1", body)
	var cu contractorops.Customer
	wantOK(t, r1, &cu)
	if cu.Name != "Ada Lovelace" || cu.ID == "" || r1.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("created %+v, headers %v", cu, r1.header)
	}
	if r1.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r1.header.Get("Cache-Control"))
	}

	// Same key, same request: the same status and data, marked replayed.
	r2 := e.rpc("customer/v1/create", e.a.owner, `"c-1"`, body)
	if r2.status != r1.status || !bytes.Equal(dataOf(t, r2), dataOf(t, r1)) || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %s, first %s", r2, r1)
	}
	// Same key, another request: 422.
	wantError(t, e.rpc("customer/v1/create", e.a.owner, "c-1", `{"name":"Someone Else"}`), 422, contractorops.CodeIdempotencyConflict)
	// The same key in another organization is another request.
	wantOK(t, e.rpc("customer/v1/create", e.b.owner, "c-1", `{"name":"B's"}`), nil)
	// A malformed quoted key.
	wantError(t, e.rpc("customer/v1/create", e.a.owner, `"c-1\"`, body), 400, contractorops.CodeValidationFailed)

	var got contractorops.Customer
	wantOK(t, e.rpc("customer/v1/get", e.a.owner, "", `{"id":"`+cu.ID+`"}`), &got)
	if got.ID != cu.ID {
		t.Fatalf("get %+v", got)
	}
}

func dataOf(t testing.TB, r response) json.RawMessage {
	t.Helper()
	return checkEnvelope(t, r).Data
}

func TestValidationFieldErrors(t *testing.T) {
	e := memEnv(t)
	fe := wantError(t, e.rpc("customer/v1/create", e.a.owner, "k", `{"email":"nope"}`), 400, contractorops.CodeValidationFailed)
	var fields []string
	for _, f := range fe.FieldErrors {
		fields = append(fields, f.Field)
	}
	if strings.Join(fields, ",") != "email,name" {
		t.Errorf("field errors %+v", fe.FieldErrors)
	}
}

func TestRoutes(t *testing.T) {
	e := memEnv(t)
	auth := map[string]string{"Authorization": "Bearer " + e.a.owner}
	tests := []struct {
		method, path string
		status       int
		code         contractorops.Code
	}{
		{"POST", RPCPrefix + "job/v9/create", 404, contractorops.CodeNotFound},
		{"POST", RPCPrefix + "customer/v1/nope", 404, contractorops.CodeNotFound},
		{"POST", RPCPrefix + "customer/v1", 404, contractorops.CodeNotFound},
		{"POST", RPCPrefix + "customer/v1/create/extra", 404, contractorops.CodeNotFound},
		{"POST", "/api/v1/rpc", 404, contractorops.CodeNotFound},
		{"GET", "/", 404, contractorops.CodeNotFound},
		{"PUT", RPCPrefix + "customer/v1/create", 405, contractorops.CodeInvalidInput},
		{"DELETE", RPCPrefix + "nope/v1/nope", 405, contractorops.CodeInvalidInput},
		{"POST", OpenAPIPath, 405, contractorops.CodeInvalidInput},
	}
	for _, tt := range tests {
		r := e.call(tt.method, tt.path, auth, []byte("{}"))
		wantError(t, r, tt.status, tt.code)
	}
	// Unknown procedures are 404 before authentication, and say nothing
	// of the catalog.
	r := e.call("POST", RPCPrefix+"secret/v1/thing", nil, nil)
	if fe := wantError(t, r, 404, contractorops.CodeNotFound); strings.Contains(fe.Message, "customer") {
		t.Errorf("404 lists procedures: %s", fe.Message)
	}
	r = e.call("GET", OpenAPIPath, nil, nil)
	if r.status != 200 || !json.Valid(r.body) {
		t.Fatalf("openapi: %d", r.status)
	}
}

func TestTraceparent(t *testing.T) {
	e := memEnv(t)
	const tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	h := map[string]string{"Authorization": "Bearer " + e.a.owner, "traceparent": "00-" + tid + "-00f067aa0ba902b7-01", "X-Request-Id": "req-42"}
	r := e.call("POST", RPCPrefix+"customer/v1/get", h, []byte(`{"id":"missing"}`))
	fe := wantError(t, r, 404, contractorops.CodeNotFound)
	if fe.TraceID != tid || r.header.Get("X-Trace-Id") != tid || r.header.Get("X-Request-Id") != "req-42" {
		t.Fatalf("trace %q, headers %v", fe.TraceID, r.header)
	}
	// Without a traceparent, a trace id is made up, and differs per request.
	a := checkEnvelope(t, e.rpc("organization/v1/get", e.a.owner, "", "{}"))
	b := checkEnvelope(t, e.rpc("organization/v1/get", e.a.owner, "", "{}"))
	if a.Meta.TraceID == b.Meta.TraceID || a.Meta.RequestID == b.Meta.RequestID {
		t.Errorf("two requests share %+v", a.Meta)
	}
	// The access log has the request.
	var line map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(e.logs.String()), "\n") {
		json.Unmarshal([]byte(l), &line)
		if line["request_id"] == "req-42" {
			break
		}
	}
	for _, k := range []string{"request_id", "org", "procedure", "status", "duration_ms", "trace_id", "code"} {
		if _, ok := line[k]; !ok {
			t.Errorf("log line %v has no %s", line, k)
		}
	}
	if line["org"] != e.a.org || line["procedure"] != "customer/v1/get" || line["status"] != float64(404) {
		t.Errorf("log line %v", line)
	}
}

func TestPanicIsA500Envelope(t *testing.T) {
	eng, _ := contractorops.New(memstore.New(), nil)
	var logs bytes.Buffer
	srv, err := New(eng, &Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Authenticator: AuthenticatorFunc(func(*http.Request) (contractorops.Scope, error) {
		panic("secret detail in a panic")
	})})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{eng: eng, srv: srv, logs: &logs}
	r := e.rpc("organization/v1/get", "x", "", "{}")
	env := checkEnvelope(t, r)
	if r.status != 500 || env.Error.Code != contractorops.CodeInternal {
		t.Fatalf("%s", r)
	}
	if strings.Contains(string(r.body), "secret") || strings.Contains(string(r.body), "goroutine") {
		t.Fatalf("the panic leaks: %s", r.body)
	}
	if !strings.Contains(logs.String(), "secret detail in a panic") || !strings.Contains(logs.String(), env.Meta.TraceID) || !strings.Contains(logs.String(), "goroutine") {
		t.Fatalf("the log lacks the panic, its stack or its trace: %s", logs.String())
	}
}

func TestRateLimit(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, memstore.New(), nil, &Config{RateLimit: 2, RateBurst: 3, Clock: clock})
	for range 3 {
		wantOK(t, e.rpc("organization/v1/get", e.a.owner, "", "{}"), nil)
	}
	r := e.rpc("organization/v1/get", e.a.owner, "", "{}")
	wantError(t, r, 429, contractorops.CodeRateLimited)
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// Another organization has its own bucket.
	wantOK(t, e.rpc("organization/v1/get", e.b.owner, "", "{}"), nil)
	mu.Lock()
	now = now.Add(500 * time.Millisecond)
	mu.Unlock()
	wantOK(t, e.rpc("organization/v1/get", e.a.owner, "", "{}"), nil)
	wantError(t, e.rpc("organization/v1/get", e.a.owner, "", "{}"), 429, contractorops.CodeRateLimited)
}

func TestStaticKeysAndFirstOf(t *testing.T) {
	e := memEnv(t)
	scope := contractorops.Scope{OrganizationID: e.a.org, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "boot"}, Role: contractorops.RoleAdmin}
	auth := FirstOf(StaticKeys(map[string]contractorops.Scope{"boot-key": scope}), APIKeys(e.eng))
	srv, err := New(e.eng, &Config{Authenticator: auth, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	wantOK(t, e.rpc("organization/v1/get", "boot-key", "", "{}"), nil)
	wantOK(t, e.rpc("organization/v1/get", e.a.owner, "", "{}"), nil)
	fe := wantError(t, e.rpc("organization/v1/get", e.a.revoked, "", "{}"), 401, contractorops.CodeUnauthenticated)
	if !strings.Contains(fe.Message, "revoked") {
		t.Errorf("message %q", fe.Message)
	}
	r := e.rpc("organization/v1/get", "", "", "{}")
	wantError(t, r, 401, contractorops.CodeUnauthenticated)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
}

func TestDetectProtocol(t *testing.T) {
	tests := []struct {
		header, contentType, body string
		want                      protocol
	}{
		{"", "application/json", `{"json":{"name":"x"}}`, protocolORPC},
		{"", "application/json", `{"json":{"name":"x"},"meta":[[1,"at"]]}`, protocolORPC},
		{"", "application/json", `{"json":null}`, protocolORPC},
		{"", "application/json", `{"json":1,"other":2}`, protocolPlain},
		{"", "application/json", `{"name":"json"}`, protocolPlain},
		{"", "application/json", `{}`, protocolPlain},
		{"", "", ``, protocolPlain},
		{"orpc", "application/json", `{}`, protocolORPC},
		{"ORPC", "", ``, protocolORPC},
		{"plain", "application/json", `{"json":{}}`, protocolPlain},
		{"", "multipart/form-data; boundary=x", `--x--`, protocolORPC},
		{"", "application/json", `{"json":`, protocolPlain},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("X-RPC-Protocol", tt.header)
		}
		if tt.contentType != "" {
			h.Set("Content-Type", tt.contentType)
		}
		if got := detectProtocol(h, []byte(tt.body)); got != tt.want {
			t.Errorf("detectProtocol(%q, %q, %q) = %s, want %s", tt.header, tt.contentType, tt.body, got, tt.want)
		}
	}
}

func TestORPC(t *testing.T) {
	e := memEnv(t)
	h := func(extra ...string) map[string]string {
		m := map[string]string{"Authorization": "Bearer " + e.a.owner, "Content-Type": "application/json"}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	// Success: the whole envelope in json, times listed in meta.
	r := e.call("POST", RPCPrefix+"apikey/v1/create", h("Idempotency-Key", "o-1"),
		[]byte(`{"json":{"name":"n","role":"ADMIN","actor":{"kind":"user","id":"u"},"expiresAt":"2999-01-01T00:00:00.000Z"},"meta":[[1,"expiresAt"]]}`))
	var ok struct {
		JSON Envelope `json:"json"`
		Meta [][]any  `json:"meta"`
	}
	if err := json.Unmarshal(r.body, &ok); err != nil || r.status != 200 || !ok.JSON.OK || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s", r)
	}
	metaText, _ := json.Marshal(ok.Meta)
	want := `[[1,"data","apiKey","createdAt"],[1,"data","apiKey","expiresAt"],[1,"data","apiKey","updatedAt"]]`
	if string(metaText) != want {
		t.Errorf("meta %s, want %s", metaText, want)
	}

	// Errors: exactly the five keys of an ORPCError, our error in data.
	r = e.call("POST", RPCPrefix+"customer/v1/create", h("Idempotency-Key", "o-2"), []byte(`{"json":{"email":"x"}}`))
	var bad struct {
		JSON map[string]json.RawMessage `json:"json"`
	}
	json.Unmarshal(r.body, &bad)
	wantKeys(t, "orpc error", bad.JSON, "code", "data", "defined", "message", "status")
	if r.status != 400 || string(bad.JSON["code"]) != `"BAD_REQUEST"` || string(bad.JSON["status"]) != "400" || string(bad.JSON["defined"]) != "true" {
		t.Errorf("%s", r)
	}
	var data ErrorBody
	json.Unmarshal(bad.JSON["data"], &data)
	if data.Code != contractorops.CodeValidationFailed || len(data.FieldErrors) != 2 || data.TraceID != r.header.Get("X-Trace-Id") {
		t.Errorf("data %+v", data)
	}

	// The legacy frontend's idempotency key in the input.
	body := []byte(`{"json":{"name":"Legacy","idempotencyKey":"legacy-1"}}`)
	r1 := e.call("POST", RPCPrefix+"customer/v1/create", h(), body)
	r2 := e.call("POST", RPCPrefix+"customer/v1/create", h(), body)
	if r1.status != 200 || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("legacy key: %s / %s", r1, r2)
	}

	// Unknown procedure, no input with the header, files.
	r = e.call("POST", RPCPrefix+"nope/v1/nope", h("X-RPC-Protocol", "orpc"), []byte(`{}`))
	json.Unmarshal(r.body, &bad)
	if r.status != 404 || string(bad.JSON["code"]) != `"NOT_FOUND"` {
		t.Errorf("%s", r)
	}
	r = e.call("POST", RPCPrefix+"organization/v1/get", h("X-RPC-Protocol", "orpc"), []byte(`{}`))
	if err := json.Unmarshal(r.body, &ok); err != nil || r.status != 200 || !ok.JSON.OK {
		t.Errorf("%s", r)
	}
	r = e.call("POST", RPCPrefix+"customer/v1/create", h("Content-Type", "multipart/form-data; boundary=b", "Idempotency-Key", "o-3"),
		[]byte("--b\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{\"json\":{\"name\":\"Multi\"}}\r\n--b--\r\n"))
	if r.status != 200 {
		t.Errorf("multipart: %s", r)
	}
	r = e.call("POST", RPCPrefix+"customer/v1/create", h("Content-Type", "multipart/form-data; boundary=b", "Idempotency-Key", "o-4"),
		[]byte("--b\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{\"json\":{\"name\":\"M\",\"photo\":{}},\"maps\":[[\"photo\"]]}\r\n--b\r\nContent-Disposition: form-data; name=\"0\"; filename=\"a.png\"\r\n\r\nPNG\r\n--b--\r\n"))
	if r.status != 400 {
		t.Errorf("a file: %s", r)
	}
}

func TestDateShape(t *testing.T) {
	type inner struct {
		At   time.Time  `json:"at"`
		Opt  *time.Time `json:"opt,omitempty"`
		Name string     `json:"name"`
	}
	type outer struct {
		contractorops.Meta
		Items []inner               `json:"items"`
		ByKey map[string]inner      `json:"byKey"`
		Skip  json.RawMessage       `json:"skip"`
		Self  *outer                `json:"self,omitempty"`
		Plain map[string]string     `json:"plain"`
		Ptrs  []*contractorops.Meta `json:"ptrs"`
	}
	got := dateShapeOf(reflect.TypeFor[outer]()).String()
	want := "{byKey:[{at:time opt:time}] createdAt:time items:[{at:time opt:time}] ptrs:[{createdAt:time updatedAt:time}] updatedAt:time}"
	if got != want {
		t.Errorf("shape %s\nwant  %s", got, want)
	}
	if dateShapeOf(reflect.TypeFor[contractorops.GetOrganizationInput]()) != nil {
		t.Error("a type without times has a shape")
	}
}

// TestJSONFieldsMatchEncodingJSON checks jsonFields against what
// encoding/json really writes for the catalog's types.
func TestJSONFieldsMatchEncodingJSON(t *testing.T) {
	type deep struct{ A, B int }
	type Tagged struct {
		B int `json:"b"`
	}
	type tricky struct {
		deep
		*Tagged
		A string `json:"A"`
		//lint:ignore U1000 an unexported field, which encoding/json skips
		hidden int
		Skip   int `json:"-"`
	}
	types := []reflect.Type{reflect.TypeFor[tricky]()}
	eng, _ := contractorops.New(memstore.New(), nil)
	for _, p := range eng.Catalog().Procedures() {
		types = append(types, p.Input, p.Output)
	}
	for _, typ := range types {
		if typ.Kind() != reflect.Struct {
			continue
		}
		v := reflect.New(typ)
		fillNonZero(v.Elem())
		b, err := json.Marshal(v.Interface())
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		json.Unmarshal(b, &m)
		var names []string
		for _, f := range jsonFields(typ) {
			names = append(names, f.name)
		}
		wantKeys(t, typ.String(), m, names...)
	}
}

// fillNonZero sets every settable field reachable from v to a non-zero
// value, so that omitempty fields appear.
func fillNonZero(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() && v.CanSet() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		if !v.IsNil() {
			fillNonZero(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(time.Unix(1, 0)))
			return
		}
		if v.Type() == reflect.TypeFor[decimal.Decimal]() {
			v.Set(reflect.ValueOf(decimal.NewFromInt(1)))
			return
		}
		// Value types that decode themselves (quantities, money, dates)
		// are made non-zero through their own decoding.
		if u, ok := v.Addr().Interface().(json.Unmarshaler); ok {
			for _, sample := range []string{`"1"`, `{"amount":"1","currency":"USD"}`, `"2026-01-02"`, `1`} {
				if u.UnmarshalJSON([]byte(sample)) == nil {
					return
				}
			}
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				fillNonZero(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		v.SetUint(1)
	case reflect.Float64:
		v.SetFloat(1)
	case reflect.Slice:
		if v.Type() == rawMessageType {
			v.SetBytes([]byte("1"))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillNonZero(v.Index(0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		if v.Type().Key().Kind() == reflect.String {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			k.SetString("k")
			fillNonZero(e)
			v.SetMapIndex(k, e)
		}
	}
}

func TestCachedAuthenticator(t *testing.T) {
	e := memEnv(t)
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	calls := 0
	inner := AuthenticatorFunc(func(r *http.Request) (contractorops.Scope, error) {
		calls++
		return APIKeys(e.eng).Authenticate(r)
	})
	srv, err := New(e.eng, &Config{Authenticator: Cached(inner, 5*time.Second, clock), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	for range 3 {
		wantOK(t, e.rpc("organization/v1/get", e.a.owner, "", "{}"), nil)
		wantError(t, e.rpc("organization/v1/get", e.a.revoked, "", "{}"), 401, contractorops.CodeUnauthenticated)
	}
	if calls != 4 { // one success remembered, three failures not
		t.Errorf("%d lookups, want 4", calls)
	}
	mu.Lock()
	now = now.Add(5 * time.Second)
	mu.Unlock()
	wantOK(t, e.rpc("organization/v1/get", e.a.owner, "", "{}"), nil)
	if calls != 5 {
		t.Errorf("%d lookups after the entry expired, want 5", calls)
	}
}
