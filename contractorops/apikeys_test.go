package contractorops_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
)

func TestAPIKeys(t *testing.T) { eachStore(t, testAPIKeys) }

func testAPIKeys(t *testing.T, f *fixture) {
	ctx := context.Background()
	admin := f.scope(contractorops.RoleAdmin)
	in := contractorops.CreateAPIKeyInput{
		Name: "Tablet 7", Role: contractorops.RoleTechnician,
		Actor:      contractorops.Actor{Kind: contractorops.ActorTechnician, ID: "tech-7"},
		Procedures: []string{"customer/v1/get"},
	}
	nk, err := f.eng.APIKeys.Create(ctx, admin, "k1", in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(nk.Key, nk.APIKey.Prefix+"_") || nk.APIKey.Revoked || nk.APIKey.CreatedBy != admin.Actor {
		t.Fatalf("created %+v", nk)
	}
	again, err := f.eng.APIKeys.Create(ctx, admin, "k1", in)
	if err != nil || again.Key != nk.Key {
		t.Fatalf("replay = %+v, %v; want the same key", again, err)
	}

	scope, err := f.eng.APIKeys.Authenticate(ctx, nk.Key)
	want := contractorops.Scope{OrganizationID: f.org, Actor: in.Actor, Role: in.Role, Procedures: in.Procedures}
	if err != nil || scope.OrganizationID != want.OrganizationID || scope.Actor != want.Actor || scope.Role != want.Role || len(scope.Procedures) != 1 {
		t.Fatalf("Authenticate = %+v, %v; want %+v", scope, err, want)
	}
	tampered := nk.Key[:len(nk.Key)-1] + map[bool]string{true: "b", false: "a"}[strings.HasSuffix(nk.Key, "a")]
	for _, bad := range []string{"", "ops_", "Bearer " + nk.Key, tampered, nk.Key + "x", "ops_aaaaaaaaaaaaaaaa_" + strings.Repeat("a", 52)} {
		if _, err := f.eng.APIKeys.Authenticate(ctx, bad); err == nil {
			t.Errorf("Authenticate(%q) succeeded", bad)
		} else {
			wantCode(t, err, contractorops.CodeUnauthenticated)
		}
	}

	page, err := f.eng.APIKeys.List(ctx, admin, contractorops.ListAPIKeysInput{})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != nk.APIKey.ID {
		t.Fatalf("List = %+v, %v", page, err)
	}
	if strings.Contains(mustJSON(t, page), nk.Key) {
		t.Fatal("the list shows the key's text")
	}

	// Another organization sees nothing of it.
	other := newFixtureWith(t, f.eng, f.clock, f.store, "b")
	_, err = f.eng.APIKeys.Revoke(ctx, other.owner, "r1", nk.APIKey.ID)
	wantCode(t, err, contractorops.CodeNotFound)

	revoked, err := f.eng.APIKeys.Revoke(ctx, admin, "r1", nk.APIKey.ID)
	if err != nil || !revoked.Revoked || revoked.RevokedAt == nil {
		t.Fatalf("Revoke = %+v, %v", revoked, err)
	}
	_, err = f.eng.APIKeys.Authenticate(ctx, nk.Key)
	wantCode(t, err, contractorops.CodeUnauthenticated)
	page, _ = f.eng.APIKeys.List(ctx, admin, contractorops.ListAPIKeysInput{})
	if len(page.Items) != 0 {
		t.Errorf("List shows revoked keys: %+v", page.Items)
	}
}

func TestAPIKeyRules(t *testing.T) {
	f := newFixture(t, stores[0].open(t), nil)
	ctx := context.Background()
	admin := f.scope(contractorops.RoleAdmin)
	user := contractorops.Actor{Kind: contractorops.ActorUser, ID: "u"}
	tests := []struct {
		name  string
		scope contractorops.Scope
		in    contractorops.CreateAPIKeyInput
		code  contractorops.Code
	}{
		{"admin creates an owner key", admin, contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleOwner, Actor: user}, contractorops.CodeForbidden},
		{"dispatcher creates a key", f.scope(contractorops.RoleDispatcher), contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleDispatcher, Actor: user}, contractorops.CodeForbidden},
		{"technician role for a user", admin, contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleTechnician, Actor: user}, contractorops.CodeValidationFailed},
		{"agent in the admin role", admin, contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleAdmin, Actor: contractorops.Actor{Kind: contractorops.ActorAgent, ID: "a"}}, contractorops.CodeValidationFailed},
		{"system actor", admin, contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleAdmin, Actor: contractorops.Actor{Kind: contractorops.ActorSystem, ID: "s"}}, contractorops.CodeValidationFailed},
		{"unknown procedure", admin, contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleAdmin, Actor: user, Procedures: []string{"nope/v1/x"}}, contractorops.CodeValidationFailed},
		{"expired already", admin, contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleAdmin, Actor: user, ExpiresAt: ptr(f.clock.Now().Add(-time.Second))}, contractorops.CodeValidationFailed},
		{"widening an allowlist", withProcedures(admin, "customer/v1/get"), contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleAdmin, Actor: user}, contractorops.CodeForbidden},
		{"another procedure than allowed", withProcedures(admin, "customer/v1/get", "apikey/v1/create"), contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleAdmin, Actor: user, Procedures: []string{"customer/v1/list"}}, contractorops.CodeForbidden},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.eng.APIKeys.Create(ctx, tt.scope, "rule-"+string(rune('a'+i)), tt.in)
			wantCode(t, err, tt.code)
		})
	}

	// A key expires on time.
	nk, err := f.eng.APIKeys.Create(ctx, admin, "exp", contractorops.CreateAPIKeyInput{Name: "x", Role: contractorops.RoleAdmin, Actor: user, ExpiresAt: ptr(f.clock.Now().Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.APIKeys.Authenticate(ctx, nk.Key); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	_, err = f.eng.APIKeys.Authenticate(ctx, nk.Key)
	wantCode(t, err, contractorops.CodeUnauthenticated)
}

func withProcedures(s contractorops.Scope, procs ...string) contractorops.Scope {
	s.Procedures = procs
	return s
}

func ptr[T any](v T) *T { return &v }

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
