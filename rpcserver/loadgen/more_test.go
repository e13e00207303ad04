package loadgen_test

import (
	"encoding/json"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/rpcserver/client"
	"github.com/hestami-ai/opsengine/rpcserver/loadgen"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		target string
		ok     bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.3.2.1", true},
		{"http://[::1]:80", true},
		{"http://localhost:9", true},
		{"https://localhost", true},
		{"http://10.0.0.1:8080", false},
		{"http://192.168.1.2", false},
		{"http://example.com", false},
		{"http://127.0.0.1.example.com", false},
		{"127.0.0.1:8080", false},
		{"ftp://127.0.0.1", false},
		{"", false},
	} {
		err := loadgen.CheckLoopback(tc.target)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, loadgen.ErrNotLoopback)) {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", tc.target, err, tc.ok)
		}
	}
}

// TestRunRefuses checks that Run sends nothing with an unusable
// configuration, a remote target first.
func TestRunRefuses(t *testing.T) {
	fx := &loadgen.Fixture{OrganizationID: "o", PricebookID: "p", Trades: []loadgen.Trade{{Trade: "HVAC", TemplateID: "t"}},
		Technicians: []string{"t1"}, Customers: []loadgen.Customer{{ID: "c"}}}
	orgs := []loadgen.Org{{APIKey: "k", Fixture: fx}}
	for _, tc := range []struct {
		name string
		cfg  loadgen.Config
		want error
	}{
		{"remote target", loadgen.Config{Targets: []string{"http://127.0.0.1:1", "http://93.184.216.34"}, Orgs: orgs}, loadgen.ErrNotLoopback},
		{"no target", loadgen.Config{Orgs: orgs}, loadgen.ErrConfig},
		{"no organization", loadgen.Config{Targets: []string{"http://127.0.0.1:1"}}, loadgen.ErrConfig},
		{"no fixture", loadgen.Config{Targets: []string{"http://127.0.0.1:1"}, Orgs: []loadgen.Org{{APIKey: "k"}}}, loadgen.ErrConfig},
		{"retry share", loadgen.Config{Targets: []string{"http://127.0.0.1:1"}, Orgs: orgs, RetryShare: 1.5}, loadgen.ErrConfig},
		{"unknown operation", loadgen.Config{Targets: []string{"http://127.0.0.1:1"}, Orgs: orgs, Mix: loadgen.Mix{"job/v1/delete": 1}}, loadgen.ErrConfig},
		{"empty mix", loadgen.Config{Targets: []string{"http://127.0.0.1:1"}, Orgs: orgs, Mix: loadgen.Mix{loadgen.ProcBoard: 0}}, loadgen.ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := loadgen.Run(ctx, &tc.cfg)
			if !errors.Is(err, tc.want) || rep != nil {
				t.Fatalf("Run = %v, %v; want %v", rep, err, tc.want)
			}
		})
	}
}

// TestSeedAgain checks that seeding again with the same seed creates
// nothing new.
func TestSeedAgain(t *testing.T) {
	eng := embedded(t)
	url, key := serve(t, eng, "Seeded Twice")
	c := client.New(url, key, nil)
	cfg := &loadgen.SeedConfig{Technicians: 2, Customers: 3, Seed: 42}
	a, err := loadgen.Seed(ctx, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadgen.Seed(ctx, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) || len(a.Technicians) != 2 || len(a.Customers) != 3 {
		t.Fatalf("seeded %+v, then %+v", a, b)
	}
	page, err := client.Call[contractorops.ListCustomersInput, contractorops.Page[contractorops.Customer]](ctx, c, "customer/v1/list", "", contractorops.ListCustomersInput{})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("%d customers after seeding twice, %v", len(page.Items), err)
	}
}

// deadTarget returns the URL of a loopback port nothing listens on.
func deadTarget(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	return url
}

// TestFailover runs against a dead target and a live one: the dead one's
// requests go to the live one, and nothing is lost or doubled.
func TestFailover(t *testing.T) {
	eng := embedded(t)
	url, key := serve(t, eng, "Failover Heating")
	dead := deadTarget(t)
	rep := runAndVerify(t, url, key, loadgen.Config{Targets: []string{dead}, Concurrency: 3, Requests: 150, RetryShare: 0.1, Seed: 3})
	if rep.Failovers == 0 || rep.TransportErrors[dead] != rep.Failovers || rep.Requests <= rep.Operations {
		t.Fatalf("failovers %d, transport errors %v, %d requests for %d operations", rep.Failovers, rep.TransportErrors, rep.Requests, rep.Operations)
	}
}

// TestOpenLoop runs at a rate, bounded by count.
func TestOpenLoop(t *testing.T) {
	eng := embedded(t)
	url, key := serve(t, eng, "Open Loop Heating")
	rep := runAndVerify(t, url, key, loadgen.Config{Rate: 400, Concurrency: 8, Requests: 200, RetryShare: 0.1, Seed: 4})
	if !strings.HasPrefix(rep.Mode, "open loop") {
		t.Errorf("mode %q", rep.Mode)
	}
}

// TestDurationBound runs with no count: the duration ends the run.
func TestDurationBound(t *testing.T) {
	eng := embedded(t)
	url, key := serve(t, eng, "Timed Heating")
	c := client.New(url, key, nil)
	fx, err := loadgen.Seed(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := loadgen.Run(ctx, &loadgen.Config{Targets: []string{url}, Orgs: []loadgen.Org{{APIKey: key, Fixture: fx}}, Concurrency: 2, Duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Operations == 0 || rep.OK != rep.Operations {
		t.Fatalf("%d operations, %d ok: %v", rep.Operations, rep.OK, rep.Errors)
	}
	if err := loadgen.Verify(ctx, c, rep); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyFinds checks that Verify reports a double effect and a
// response that is not the one recorded.
func TestVerifyFinds(t *testing.T) {
	eng := embedded(t)
	url, key := serve(t, eng, "Verified Heating")
	c := client.New(url, key, nil)
	fx, err := loadgen.Seed(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := loadgen.Run(ctx, &loadgen.Config{Targets: []string{url}, Orgs: []loadgen.Org{{APIKey: key, Fixture: fx}}, Concurrency: 2, Requests: 60, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := loadgen.Verify(ctx, c, rep); err != nil {
		t.Fatalf("a clean run: %v", err)
	}
	var created contractorops.Job
	var ack loadgen.Ack
	for _, a := range rep.Acks {
		if a.Procedure == loadgen.ProcCreateJob {
			ack = a
			break
		}
	}
	if err := json.Unmarshal(ack.Response, &created); err != nil {
		t.Fatalf("no acknowledged job: %v", err)
	}

	t.Run("a job made twice", func(t *testing.T) {
		// The same request under another key: what a server that lost
		// the first key would do.
		if _, err := c.Do(ctx, loadgen.ProcCreateJob, client.NewIdempotencyKey(), ack.Request, nil); err != nil {
			t.Fatal(err)
		}
		err := loadgen.Verify(ctx, c, rep)
		if !errors.Is(err, loadgen.ErrVerify) || !strings.Contains(err.Error(), created.ExternalRef) {
			t.Fatalf("Verify = %v", err)
		}
	})
	t.Run("another response", func(t *testing.T) {
		bad := *rep
		bad.Acks = append([]loadgen.Ack(nil), rep.Acks...)
		for i, a := range bad.Acks {
			if a.Procedure == loadgen.ProcCreateJob {
				a.Response = json.RawMessage(strings.Replace(string(a.Response), created.Number, "JOB-0000-99999", 1))
				bad.Acks[i] = a
				break
			}
		}
		err := loadgen.Verify(ctx, c, &bad)
		if !errors.Is(err, loadgen.ErrVerify) || !strings.Contains(err.Error(), "replay returned") {
			t.Fatalf("Verify = %v", err)
		}
	})
}

// TestServerDown runs against a server that is down: every operation fails
// in transport and the writes stay unresolved. When it is back (the live
// server of the same organization), Resolve settles them and Verify finds
// each took effect once.
func TestServerDown(t *testing.T) {
	eng := embedded(t)
	url, key := serve(t, eng, "Down Heating")
	c := client.New(url, key, nil)
	fx, err := loadgen.Seed(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := loadgen.Run(ctx, &loadgen.Config{Targets: []string{deadTarget(t)}, Orgs: []loadgen.Org{{APIKey: key, Fixture: fx}},
		Concurrency: 2, Requests: 10, Seed: 6, Mix: loadgen.Mix{loadgen.ProcCreateJob: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors[loadgen.CodeTransport] != rep.Operations || len(rep.Acks) != 0 || len(rep.Unresolved) == 0 {
		t.Fatalf("errors %v of %d operations, %d acks, %d unresolved", rep.Errors, rep.Operations, len(rep.Acks), len(rep.Unresolved))
	}
	// One of them reached the server before the answer was lost.
	lost := rep.Unresolved[0]
	if _, err := c.Do(ctx, lost.Procedure, lost.Key, lost.Request, nil); err != nil {
		t.Fatal(err)
	}
	n := len(rep.Unresolved)
	if err := loadgen.Resolve(ctx, c, rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Unresolved) != 0 || len(rep.Acks) != n {
		t.Fatalf("after Resolve: %d unresolved, %d acks; want 0 and %d", len(rep.Unresolved), len(rep.Acks), n)
	}
	if err := loadgen.Verify(ctx, c, rep); err != nil {
		t.Fatal(err)
	}
	page, err := client.Call[contractorops.ListJobsInput, contractorops.Page[contractorops.Job]](ctx, c, loadgen.ProcListJobs, "", contractorops.ListJobsInput{})
	if err != nil || len(page.Items) != n {
		t.Fatalf("%d jobs for %d resolved creates, %v", len(page.Items), n, err)
	}
}

// TestTwoOrganizations spreads the mix over two organizations of one
// server: each one's acknowledged writes verify with its own key, and
// neither sees the other's jobs.
func TestTwoOrganizations(t *testing.T) {
	eng := embedded(t)
	url, keyA := serve(t, eng, "Tenant A")
	keyB := newOrg(t, eng, "Tenant B")
	var orgs []loadgen.Org
	for _, k := range []string{keyA, keyB} {
		fx, err := loadgen.Seed(ctx, client.New(url, k, nil), &loadgen.SeedConfig{Technicians: 2, Customers: 3, Seed: 8})
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, loadgen.Org{APIKey: k, Fixture: fx})
	}
	rep, err := loadgen.Run(ctx, &loadgen.Config{Targets: []string{url}, Orgs: orgs, Concurrency: 4, Requests: 300, RetryShare: 0.1, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK != rep.Operations {
		t.Fatalf("errors: %v", rep.Errors)
	}
	created := map[string]int{}
	for _, a := range rep.Acks {
		if a.Procedure == loadgen.ProcCreateJob {
			created[a.OrgID]++
		}
	}
	for _, o := range orgs {
		c := client.New(url, o.APIKey, nil)
		if err := loadgen.Verify(ctx, c, rep); err != nil {
			t.Fatalf("organization %s: %v", o.Fixture.OrganizationID, err)
		}
		page, err := client.Call[contractorops.ListJobsInput, contractorops.Page[contractorops.Job]](ctx, c, loadgen.ProcListJobs, "", contractorops.ListJobsInput{PageRequest: contractorops.PageRequest{Limit: 500}})
		if err != nil || created[o.Fixture.OrganizationID] == 0 || len(page.Items) != created[o.Fixture.OrganizationID] {
			t.Fatalf("organization %s lists %d jobs, created %d: %v", o.Fixture.OrganizationID, len(page.Items), created[o.Fixture.OrganizationID], err)
		}
	}
}
