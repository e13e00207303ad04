package rpcserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
)

// platform is the scope of platform operations (creating organizations).
var platform = contractorops.Scope{
	OrganizationID: contractorops.PlatformOrganization,
	Actor:          contractorops.Actor{Kind: contractorops.ActorSystem, ID: "rpcserver-test"},
	Role:           contractorops.RoleOwner,
}

// tenant is one organization of a test environment, with API keys.
type tenant struct {
	org      string
	owner    string // OWNER key
	tech     string // TECHNICIAN key
	narrow   string // ADMIN key limited to customer/v1/get
	revoked  string // revoked ADMIN key
	customer string // a customer's id
	apiKeyID string // the id of the owner key
}

// env is a server over an engine with two organizations, a and b.
type env struct {
	eng  *contractorops.Engine
	srv  *Server
	a, b tenant
	logs *bytes.Buffer
}

// marker is written into organization b's data: no response to a must
// contain it.
const marker = "tenant-b-private-marker"

func newEnv(t testing.TB, store contractorops.Store, runner contractorops.Runner, cfg *Config) *env {
	t.Helper()
	eng, err := contractorops.New(store, &contractorops.Config{Runner: runner, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	e := &env{eng: eng, logs: &bytes.Buffer{}}
	e.a = newTenant(t, eng, "a-"+t.Name(), "Customer A")
	e.b = newTenant(t, eng, "b-"+t.Name(), marker)
	c := Config{Logger: slog.New(slog.NewJSONHandler(e.logs, nil)), RateLimit: -1}
	if cfg != nil {
		c = *cfg
		if c.Logger == nil {
			c.Logger = slog.New(slog.NewJSONHandler(e.logs, nil))
		}
	}
	if e.srv, err = New(eng, &c); err != nil {
		t.Fatal(err)
	}
	return e
}

func newTenant(t testing.TB, eng *contractorops.Engine, key, customerName string) tenant {
	t.Helper()
	ctx := context.Background()
	org, err := eng.Organizations.Create(ctx, platform, key, contractorops.CreateOrganizationInput{Name: customerName + " HVAC", Type: contractorops.OrgServiceProvider})
	if err != nil {
		t.Fatal(err)
	}
	sys := contractorops.SystemScope(org.ID, "test")
	mk := func(name string, role contractorops.Role, actor contractorops.Actor, procs ...string) *contractorops.NewAPIKey {
		k, err := eng.APIKeys.Create(ctx, sys, "key-"+name, contractorops.CreateAPIKeyInput{Name: name, Role: role, Actor: actor, Procedures: procs})
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	user := contractorops.Actor{Kind: contractorops.ActorUser, ID: "user-1"}
	owner := mk("owner", contractorops.RoleOwner, user)
	tn := tenant{
		org: org.ID, owner: owner.Key, apiKeyID: owner.APIKey.ID,
		tech:    mk("tech", contractorops.RoleTechnician, contractorops.Actor{Kind: contractorops.ActorTechnician, ID: "tech-1"}).Key,
		narrow:  mk("narrow", contractorops.RoleAdmin, user, "customer/v1/get").Key,
		revoked: mk("revoked", contractorops.RoleAdmin, user).Key,
	}
	revoked, _ := eng.APIKeys.List(ctx, sys, contractorops.ListAPIKeysInput{})
	for _, k := range revoked.Items {
		if k.Name == "revoked" {
			if _, err := eng.APIKeys.Revoke(ctx, sys, "revoke", k.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	cu, err := eng.Customers.Create(ctx, sys, "customer", contractorops.CustomerInput{Name: customerName, Notes: customerName})
	if err != nil {
		t.Fatal(err)
	}
	tn.customer = cu.ID
	return tn
}

// response is a recorded response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("HTTP %d %s", r.status, r.body) }

// call sends a request to the server in process.
func (e *env) call(method, path string, header map[string]string, body []byte) response {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return response{status: rec.Code, header: rec.Header(), body: b}
}

// rpc calls a procedure as key, with an idempotency key when idem is set.
func (e *env) rpc(proc, key, idem string, body string) response {
	h := map[string]string{"Content-Type": "application/json"}
	if key != "" {
		h["Authorization"] = "Bearer " + key
	}
	if idem != "" {
		h["Idempotency-Key"] = idem
	}
	return e.call(http.MethodPost, RPCPrefix+proc, h, []byte(body))
}

// checkEnvelope checks that r is a plain envelope of exactly the
// documented shape, with the status of its error type, and returns it.
func checkEnvelope(t testing.TB, r response) Envelope {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &top); err != nil {
		t.Fatalf("not JSON: %s", r)
	}
	var env Envelope
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("not an envelope: %s", r)
	}
	wantKeys(t, "envelope", top, "meta", "ok", map[bool]string{true: "data", false: "error"}[env.OK])
	var meta map[string]json.RawMessage
	json.Unmarshal(top["meta"], &meta)
	wantKeys(t, "meta", meta, "request_id", "trace_id")
	if env.Meta.RequestID == "" || len(env.Meta.TraceID) != 32 || env.Meta.TraceID == strings.Repeat("0", 32) {
		t.Errorf("meta %+v", env.Meta)
	}
	if r.header.Get("X-Request-Id") != env.Meta.RequestID || r.header.Get("X-Trace-Id") != env.Meta.TraceID {
		t.Errorf("headers %v do not match meta %+v", r.header, env.Meta)
	}
	if env.OK {
		if r.status != http.StatusOK {
			t.Errorf("ok envelope with status %d", r.status)
		}
		return env
	}
	var errObj map[string]json.RawMessage
	json.Unmarshal(top["error"], &errObj)
	wantKeys(t, "error", errObj, "code", "field_errors", "message", "retryable", "trace_id", "type")
	e := env.Error
	if e.TraceID != env.Meta.TraceID {
		t.Errorf("error trace id %q, meta %q", e.TraceID, env.Meta.TraceID)
	}
	if e.Type != e.Code.Type() {
		t.Errorf("code %s with type %s", e.Code, e.Type)
	}
	if want := HTTPStatus(e.Type); r.status != want && r.status != http.StatusMethodNotAllowed {
		t.Errorf("status %d for a %s error, want %d", r.status, e.Type, want)
	}
	return env
}

func wantKeys[V any](t testing.TB, what string, m map[string]V, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	want := slices.Clone(keys)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s keys %v, want %v", what, got, want)
	}
}

// wantError checks r is an error envelope with this status and code.
func wantError(t testing.TB, r response, status int, code contractorops.Code) *ErrorBody {
	t.Helper()
	env := checkEnvelope(t, r)
	if r.status != status || env.OK || env.Error.Code != code {
		t.Fatalf("got %s; want %d %s", r, status, code)
	}
	return env.Error
}

// wantOK checks r is a success envelope and decodes its data into out.
func wantOK(t testing.TB, r response, out any) {
	t.Helper()
	env := checkEnvelope(t, r)
	if !env.OK {
		t.Fatalf("got %s; want success", r)
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			t.Fatal(err)
		}
	}
}

func memEnv(t testing.TB) *env { return newEnv(t, memstore.New(), nil, nil) }
