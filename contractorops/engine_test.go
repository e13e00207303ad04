package contractorops_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
)

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var platform = contractorops.Scope{
	OrganizationID: contractorops.PlatformOrganization,
	Actor:          contractorops.Actor{Kind: contractorops.ActorSystem, ID: "test"},
	Role:           contractorops.RoleOwner,
}

// fixture is an engine with one contractor organization.
type fixture struct {
	eng    *contractorops.Engine
	clock  *testClock
	org    string
	orgKey string // the idempotency key that created org
	owner  contractorops.Scope
	store  contractorops.Store
	// pay is the engine's payment provider "test".
	pay *contractorops.TestProvider
	// bridge is the engine's CAM bridge.
	bridge *testBridge
}

func newFixture(t testing.TB, store contractorops.Store, runner contractorops.Runner) *fixture {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)}
	pay := contractorops.NewTestProvider()
	bridge := &testBridge{}
	eng, err := contractorops.New(store, &contractorops.Config{Clock: clock.Now, Runner: runner,
		PaymentProviders: map[string]contractorops.PaymentProvider{"test": pay}, CAMBridge: bridge})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	f := newFixtureWith(t, eng, clock, store, "a")
	f.pay, f.bridge = pay, bridge
	return f
}

// newFixtureWith adds organization name to the engine of another fixture.
func newFixtureWith(t testing.TB, eng *contractorops.Engine, clock *testClock, store contractorops.Store, name string) *fixture {
	t.Helper()
	key := fmt.Sprintf("org-%s-%s-%d", name, t.Name(), time.Now().UnixNano())
	org, err := eng.Organizations.Create(context.Background(), platform, key, contractorops.CreateOrganizationInput{
		Name: "Acme Heating & Plumbing", Type: contractorops.OrgServiceProvider, TimeZone: "America/New_York",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{eng: eng, clock: clock, org: org.ID, orgKey: key, store: store, owner: contractorops.Scope{
		OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "owner"}, Role: contractorops.RoleOwner,
	}}
}

func (f *fixture) scope(role contractorops.Role) contractorops.Scope {
	s := f.owner
	s.Role = role
	s.Actor.ID = string(role)
	switch role {
	case contractorops.RoleTechnician:
		s.Actor.Kind = contractorops.ActorTechnician
	case contractorops.RoleAgent:
		s.Actor.Kind = contractorops.ActorAgent
	}
	return s
}

func wantCode(t testing.TB, err error, code contractorops.Code) *contractorops.Error {
	t.Helper()
	var e *contractorops.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
	return e
}

func TestOrganizationCreateIsPlatformOnly(t *testing.T) {
	eachStore(t, testOrganizationCreateIsPlatformOnly)
}

func testOrganizationCreateIsPlatformOnly(t *testing.T, f *fixture) {
	_, err := f.eng.Organizations.Create(context.Background(), f.owner, "k", contractorops.CreateOrganizationInput{Name: "X", Type: contractorops.OrgServiceProvider})
	wantCode(t, err, contractorops.CodeForbidden)
	org, err := f.eng.Organizations.Get(context.Background(), f.owner)
	if err != nil || org.ID != f.org || org.TimeZone != "America/New_York" || org.Currency != "USD" {
		t.Fatalf("Get = %+v, %v", org, err)
	}
	// The same key creates nothing new.
	again, err := f.eng.Organizations.Create(context.Background(), platform, f.orgKey, contractorops.CreateOrganizationInput{
		Name: "Acme Heating & Plumbing", Type: contractorops.OrgServiceProvider, TimeZone: "America/New_York",
	})
	if err != nil || again.ID != f.org {
		t.Fatalf("replayed create = %+v, %v; want the same organization", again, err)
	}
}

func TestValidationChangesNothing(t *testing.T) { eachStore(t, testValidationChangesNothing) }

func testValidationChangesNothing(t *testing.T, f *fixture) {
	ctx := context.Background()
	_, err := f.eng.Customers.Create(ctx, f.owner, "k1", contractorops.CustomerInput{Email: "not-an-email"})
	e := wantCode(t, err, contractorops.CodeValidationFailed)
	var fields []string
	for _, fe := range e.FieldErrors {
		fields = append(fields, fe.Field)
	}
	if fmt.Sprint(fields) != "[email name]" {
		t.Errorf("field errors on %v, want [email name]", fields)
	}
	if e.TraceID == "" && false {
		t.Error("no trace id")
	}
	page, err := f.eng.Customers.List(ctx, f.owner, contractorops.ListCustomersInput{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("after a refused create: %+v, %v", page, err)
	}
	// The key of a refused request is free: nothing was recorded.
	if _, err := f.eng.Customers.Create(ctx, f.owner, "k1", contractorops.CustomerInput{Name: "Ada"}); err != nil {
		t.Fatalf("create with the key of a refused request: %v", err)
	}
}

func TestIdempotencyKey(t *testing.T) { eachStore(t, testIdempotencyKey) }

func testIdempotencyKey(t *testing.T, f *fixture) {
	ctx := context.Background()
	in := contractorops.CustomerInput{Name: "Ada Lovelace", Email: "ada@example.com"}
	_, err := f.eng.Customers.Create(ctx, f.owner, "", in)
	e := wantCode(t, err, contractorops.CodeValidationFailed)
	if len(e.FieldErrors) != 1 || e.FieldErrors[0].Field != "idempotencyKey" {
		t.Errorf("missing key: field errors %+v", e.FieldErrors)
	}
	wantCode(t, func() error { _, err := f.eng.Customers.Create(ctx, f.owner, "tab\tkey", in); return err }(), contractorops.CodeValidationFailed)

	first, err := f.eng.Customers.Create(ctx, f.owner, "key-1", in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.eng.Customers.Create(ctx, f.owner, "key-1", in)
	if err != nil || again.ID != first.ID || again.Version != first.Version {
		t.Fatalf("replay = %+v, %v; want %+v", again, err, first)
	}
	other := in
	other.Name = "Someone Else"
	_, err = f.eng.Customers.Create(ctx, f.owner, "key-1", other)
	wantCode(t, err, contractorops.CodeIdempotencyConflict)

	// The same key on another procedure or in another organization is
	// another request.
	if _, err := f.eng.Customers.AddLocation(ctx, f.owner, "key-1", contractorops.LocationInput{CustomerID: first.ID, Name: "Home"}); err != nil {
		t.Fatalf("same key, other procedure: %v", err)
	}
	g := newFixtureWith(t, f.eng, f.clock, f.store, "b")
	if _, err := f.eng.Customers.Create(ctx, contractorops.Scope{OrganizationID: g.org, Actor: f.owner.Actor, Role: contractorops.RoleOwner}, "key-1", other); err != nil {
		t.Fatalf("same key, other organization: %v", err)
	}
	page, _ := f.eng.Customers.List(ctx, f.owner, contractorops.ListCustomersInput{})
	if len(page.Items) != 1 {
		t.Fatalf("%d customers, want 1", len(page.Items))
	}

	// After the retention period the key is free again.
	f.clock.Advance(25 * time.Hour)
	third, err := f.eng.Customers.Create(ctx, f.owner, "key-1", other)
	if err != nil || third.ID == first.ID {
		t.Fatalf("after retention: %+v, %v; want a new customer", third, err)
	}
}

// TestConcurrentReplays sends 1 000 concurrent requests with one key: one
// effect, 1 000 identical responses.
func TestConcurrentReplays(t *testing.T) { eachStore(t, testConcurrentReplays) }

func testConcurrentReplays(t *testing.T, f *fixture) {
	ctx := context.Background()
	in := contractorops.CustomerInput{Name: "Grace Hopper"}
	const n = 1000
	responses := make([]json.RawMessage, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := f.eng.Execute(ctx, f.owner, "customer/v1/create", "same-key", &in)
			if err == nil {
				responses[i] = resp.Data
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if string(responses[i]) != string(responses[0]) {
			t.Fatalf("response %d differs:\n%s\n%s", i, responses[i], responses[0])
		}
	}
	page, err := f.eng.Customers.List(ctx, f.owner, contractorops.ListCustomersInput{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%d customers after 1 000 replays, want 1 (%v)", len(page.Items), err)
	}
}

func TestAuthorization(t *testing.T) { eachStore(t, testAuthorization) }

func testAuthorization(t *testing.T, f *fixture) {
	ctx := context.Background()
	in := contractorops.CustomerInput{Name: "Ada"}
	_, err := f.eng.Customers.Create(ctx, f.scope(contractorops.RoleTechnician), "k", in)
	wantCode(t, err, contractorops.CodeForbidden)
	_, err = f.eng.Customers.Create(ctx, f.scope(contractorops.RoleFinance), "k", in)
	wantCode(t, err, contractorops.CodeForbidden)
	if _, err := f.eng.Customers.Create(ctx, f.scope(contractorops.RoleDispatcher), "k", in); err != nil {
		t.Fatalf("dispatcher create: %v", err)
	}
	narrowed := f.owner
	narrowed.Procedures = []string{"customer/v1/list"}
	_, err = f.eng.Customers.Create(ctx, narrowed, "k2", in)
	wantCode(t, err, contractorops.CodeForbidden)
	if _, err := f.eng.Customers.List(ctx, narrowed, contractorops.ListCustomersInput{}); err != nil {
		t.Fatalf("narrowed scope list: %v", err)
	}
	for _, bad := range []contractorops.Scope{
		{},
		{OrganizationID: "not-a-uuid", Actor: f.owner.Actor, Role: contractorops.RoleOwner},
		{OrganizationID: f.org, Actor: contractorops.Actor{Kind: "robot", ID: "x"}, Role: contractorops.RoleOwner},
		{OrganizationID: f.org, Actor: f.owner.Actor, Role: "KING"},
	} {
		_, err := f.eng.Customers.List(ctx, bad, contractorops.ListCustomersInput{})
		wantCode(t, err, contractorops.CodeUnauthenticated)
	}
	mismatched := f.owner
	mismatched.Actor.Kind = contractorops.ActorTechnician
	_, err = f.eng.Customers.List(ctx, mismatched, contractorops.ListCustomersInput{})
	wantCode(t, err, contractorops.CodeForbidden)
}

func TestTenantIsolation(t *testing.T) { eachStore(t, testTenantIsolation) }

func testTenantIsolation(t *testing.T, f *fixture) {
	ctx := context.Background()
	c, err := f.eng.Customers.Create(ctx, f.owner, "k", contractorops.CustomerInput{Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	g := newFixtureWith(t, f.eng, f.clock, f.store, "b")
	_, err = f.eng.Customers.Get(ctx, g.owner, c.ID)
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = f.eng.Customers.Update(ctx, g.owner, "u", contractorops.UpdateCustomerInput{ID: c.ID, CustomerInput: contractorops.CustomerInput{Name: "Stolen"}})
	wantCode(t, err, contractorops.CodeNotFound)
	page, _ := f.eng.Customers.List(ctx, g.owner, contractorops.ListCustomersInput{})
	if len(page.Items) != 0 {
		t.Fatalf("organization B lists A's customers: %+v", page.Items)
	}
}

func TestCustomerListPaging(t *testing.T) { eachStore(t, testCustomerListPaging) }

func testCustomerListPaging(t *testing.T, f *fixture) {
	ctx := context.Background()
	for i := range 12 {
		if _, err := f.eng.Customers.Create(ctx, f.owner, fmt.Sprint("k", i), contractorops.CustomerInput{Name: fmt.Sprintf("Customer %02d", 11-i)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	req := contractorops.ListCustomersInput{PageRequest: contractorops.PageRequest{Limit: 5}}
	for pages := 0; ; pages++ {
		page, err := f.eng.Customers.List(ctx, f.owner, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Items {
			names = append(names, c.Name)
		}
		if page.NextCursor == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
		req.Cursor = page.NextCursor
	}
	if len(names) != 12 || names[0] != "Customer 00" || names[11] != "Customer 11" {
		t.Fatalf("paged names = %v", names)
	}
	search, err := f.eng.Customers.List(ctx, f.owner, contractorops.ListCustomersInput{Search: "customer 1"})
	if err != nil || len(search.Items) != 2 {
		t.Fatalf("search = %+v, %v", search, err)
	}
	_, err = f.eng.Customers.List(ctx, f.owner, contractorops.ListCustomersInput{PageRequest: contractorops.PageRequest{Cursor: "garbage"}})
	wantCode(t, err, contractorops.CodeValidationFailed)
}

func TestAuditAndChangeFeed(t *testing.T) { eachStore(t, testAuditAndChangeFeed) }

func testAuditAndChangeFeed(t *testing.T, f *fixture) {
	ctx := context.Background()
	c, err := f.eng.Customers.Create(ctx, f.owner, "k1", contractorops.CustomerInput{Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.eng.Customers.Update(ctx, f.scope(contractorops.RoleDispatcher), "k2", contractorops.UpdateCustomerInput{ID: c.ID, CustomerInput: contractorops.CustomerInput{Name: "Ada King"}}); err != nil {
		t.Fatal(err)
	}
	trail, err := f.eng.Feed.Audit(ctx, f.owner, contractorops.ListAuditInput{Entity: "customers", EntityID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(trail.Items) != 2 {
		t.Fatalf("%d audit events, want 2", len(trail.Items))
	}
	up := trail.Items[0]
	if up.Operation != contractorops.OpUpdate || up.Procedure != "customer/v1/update" || up.Role != contractorops.RoleDispatcher || up.Version != 2 || up.WorkflowID == "" {
		t.Errorf("update event = %+v", up)
	}
	if ch := up.Changes["name"]; string(ch.From) != `"Ada"` || string(ch.To) != `"Ada King"` {
		t.Errorf("update changes = %+v", up.Changes)
	}
	if trail.Items[1].Operation != contractorops.OpInsert {
		t.Errorf("first event = %+v", trail.Items[1])
	}

	feed, err := f.eng.Feed.Changes(ctx, f.owner, contractorops.ListChangesInput{Entity: "customers"})
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 2 || feed.Items[0].Seq >= feed.Items[1].Seq || feed.Items[1].Version != 2 {
		t.Fatalf("feed = %+v", feed)
	}
	rest, err := f.eng.Feed.Changes(ctx, f.owner, contractorops.ListChangesInput{AfterSeq: feed.LastSeq})
	if err != nil || len(rest.Items) != 0 || rest.LastSeq != feed.LastSeq {
		t.Fatalf("resume after the last change = %+v, %v", rest, err)
	}
}
