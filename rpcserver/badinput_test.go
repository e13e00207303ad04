package rpcserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
)

// samples are inputs that pass validation, for the procedures whose zero
// input does not, so that a case about one thing (another tenant's id) is
// not refused for another (a missing name). A procedure without a sample
// is probed with its zero input, and the test says so.
var samples = map[string]string{
	"customer/v1/update":      `{"id":"probe","name":"Probe"}`,
	"customer/v1/addLocation": `{"customerId":"probe","name":"Probe"}`,
	"feed/v1/audit":           `{"entity":"customers","entityId":"probe"}`,
}

// TestBadInputEveryProcedure sends bad requests to every procedure of the
// catalog and checks each gets the right envelope and status, never a 500.
func TestBadInputEveryProcedure(t *testing.T) {
	e := memEnv(t)
	big := `{"name":"` + strings.Repeat("x", 1<<20) + `"}`
	n := 0
	for _, p := range e.eng.Catalog().Procedures() {
		t.Run(p.Name, func(t *testing.T) {
			idem := func() string { n++; return fmt.Sprintf("bad-input-%d", n) }
			mutation := p.Kind == contractorops.KindMutation
			key := func() string {
				if mutation {
					return idem()
				}
				return ""
			}
			tests := []struct {
				name   string
				auth   string
				body   string
				status int
				code   contractorops.Code
				field  string // the field error's field, when it names one
			}{
				{"missing key", "", "{}", 401, contractorops.CodeUnauthenticated, "-"},
				{"malformed key", "not-a-key", "{}", 401, contractorops.CodeUnauthenticated, "-"},
				{"unknown key", "ops_aaaaaaaaaaaaaaaa_" + strings.Repeat("a", 52), "{}", 401, contractorops.CodeUnauthenticated, "-"},
				{"revoked key", e.a.revoked, "{}", 401, contractorops.CodeUnauthenticated, "-"},
				{"bad JSON", e.a.owner, `{"`, 400, contractorops.CodeInvalidInput, ""},
				{"not an object", e.a.owner, `[]`, 400, contractorops.CodeInvalidInput, ""},
				{"oversized body", e.a.owner, big, 400, contractorops.CodeInvalidInput, ""},
				{"unknown field", e.a.owner, `{"noSuchField":1}`, 400, contractorops.CodeInvalidInput, "noSuchField"},
				{"trailing data", e.a.owner, `{} {}`, 400, contractorops.CodeInvalidInput, ""},
			}
			for _, f := range jsonFields(p.Input) {
				if wrong, ok := wrongValue(f.typ); ok {
					field := f.name
					if implementsMarshaler(f.typ) {
						field = "-" // encoding/json does not name the field of a failing UnmarshalJSON
					}
					tests = append(tests, struct {
						name   string
						auth   string
						body   string
						status int
						code   contractorops.Code
						field  string
					}{"wrong type of " + f.name, e.a.owner, fmt.Sprintf(`{%q:%s}`, f.name, wrong), 400, contractorops.CodeInvalidInput, field})
				}
			}
			for _, tt := range tests {
				r := e.rpc(p.Name, tt.auth, key(), tt.body)
				fe := wantError(t, r, tt.status, tt.code)
				if tt.field != "-" && (len(fe.FieldErrors) == 0 || fe.FieldErrors[0].Field != tt.field) {
					t.Errorf("%s: field errors %+v, want one on %q", tt.name, fe.FieldErrors, tt.field)
				}
			}

			if mutation {
				r := e.rpc(p.Name, e.a.owner, "", sampleOf(p))
				if fe := wantError(t, r, 400, contractorops.CodeValidationFailed); !slices.ContainsFunc(fe.FieldErrors, func(f contractorops.FieldError) bool {
					return f.Field == "idempotencyKey"
				}) && samples[p.Name] != "" {
					t.Errorf("no idempotency key: field errors %+v", fe.FieldErrors)
				}
				wantError(t, e.rpc(p.Name, e.a.owner, strings.Repeat("k", 256), sampleOf(p)), 400, contractorops.CodeValidationFailed)
			}
			if !slices.Contains(p.Roles, contractorops.RoleTechnician) {
				wantError(t, e.rpc(p.Name, e.a.tech, key(), sampleOf(p)), 403, contractorops.CodeForbidden)
			}
			if p.Name != "customer/v1/get" {
				wantError(t, e.rpc(p.Name, e.a.narrow, key(), sampleOf(p)), 403, contractorops.CodeForbidden)
			}
			r := e.call(http.MethodGet, RPCPrefix+p.Name, map[string]string{"Authorization": "Bearer " + e.a.owner}, nil)
			wantError(t, r, 405, contractorops.CodeInvalidInput)
			if r.header.Get("Allow") != "POST" {
				t.Errorf("405 without Allow: POST: %v", r.header)
			}
			r = e.call(http.MethodPost, RPCPrefix+p.Name, map[string]string{"Authorization": "Bearer " + e.a.owner, "X-Org-Id": e.b.org}, []byte("{}"))
			wantError(t, r, 403, contractorops.CodeOrganizationAccessDenied)

			e.crossTenant(t, p, key)
		})
	}
}

// crossTenant sends organization b's ids, wherever the input has an id,
// as organization a: the answer is 404, or a success that shows nothing of
// b.
func (e *env) crossTenant(t *testing.T, p *contractorops.Procedure, key func() string) {
	input := map[string]any{}
	json.Unmarshal([]byte(sampleOf(p)), &input)
	var ids, unknown []string
	for _, f := range jsonFields(p.Input) {
		if f.typ.Kind() != reflect.String || (f.name != "id" && !strings.HasSuffix(f.name, "Id")) {
			continue
		}
		kind := strings.TrimSuffix(f.name, "Id")
		if f.name == "id" {
			kind = p.Namespace
		}
		id, ok := map[string]string{"customer": e.b.customer, "entity": e.b.customer, "apikey": e.b.apiKeyID}[kind]
		if !ok {
			unknown = append(unknown, f.name)
			continue
		}
		input[f.name] = id
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		if len(unknown) > 0 {
			t.Logf("%s: no resource in organization b for %v; add one to crossTenant", p.Name, unknown)
		}
		return
	}
	body, _ := json.Marshal(input)
	r := e.rpc(p.Name, e.a.owner, key(), string(body))
	env := checkEnvelope(t, r)
	switch {
	case r.status == http.StatusNotFound:
	case env.OK:
		for _, s := range append(ids, marker) {
			if strings.Contains(string(env.Data), s) {
				t.Errorf("another tenant's id: the response shows %q: %s", s, r)
			}
		}
	case samples[p.Name] == "" && env.Error.Code == contractorops.CodeValidationFailed:
		t.Logf("%s: the zero input is invalid (%s); add a sample to test another tenant's id", p.Name, r)
	default:
		t.Errorf("another tenant's id: %s; want 404 or a success showing nothing of it", r)
	}
}

func sampleOf(p *contractorops.Procedure) string {
	if s, ok := samples[p.Name]; ok {
		return s
	}
	return "{}"
}

// wrongValue returns a JSON value of another type than t's.
func wrongValue(t reflect.Type) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[json.RawMessage]():
		return "", false
	case t.Kind() == reflect.String:
		return "12", true
	case t.Kind() == reflect.Bool:
		return `"yes"`, true
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		return `"7"`, true
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return `{}`, true
	case t.Kind() == reflect.Struct || t.Kind() == reflect.Map:
		return `[]`, true
	}
	return "", false
}
