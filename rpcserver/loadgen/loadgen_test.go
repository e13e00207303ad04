package loadgen_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/rpcserver"
	"github.com/hestami-ai/opsengine/rpcserver/client"
	"github.com/hestami-ai/opsengine/rpcserver/loadgen"
)

var ctx = context.Background()

var platform = contractorops.Scope{
	OrganizationID: contractorops.PlatformOrganization,
	Actor:          contractorops.Actor{Kind: contractorops.ActorSystem, ID: "loadgen-test"},
	Role:           contractorops.RoleOwner,
}

// serve serves eng over HTTP on loopback and returns its URL and an OWNER
// key of a new organization.
func serve(t *testing.T, eng *contractorops.Engine, orgName string) (url, key string) {
	t.Helper()
	srv, err := rpcserver.New(eng, &rpcserver.Config{RateLimit: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL, newOrg(t, eng, orgName)
}

func newOrg(t *testing.T, eng *contractorops.Engine, name string) string {
	t.Helper()
	org, err := eng.Organizations.Create(ctx, platform, "org-"+name, contractorops.CreateOrganizationInput{Name: name, Type: contractorops.OrgServiceProvider})
	if err != nil {
		t.Fatal(err)
	}
	nk, err := eng.APIKeys.Create(ctx, contractorops.SystemScope(org.ID, "loadgen-test"), "key-"+name, contractorops.CreateAPIKeyInput{
		Name: "owner", Role: contractorops.RoleOwner, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "owner"}})
	if err != nil {
		t.Fatal(err)
	}
	return nk.Key
}

func embedded(t *testing.T) *contractorops.Engine {
	t.Helper()
	eng, err := contractorops.New(memstore.New(), &contractorops.Config{Logger: slog.New(slog.DiscardHandler),
		PaymentProviders: map[string]contractorops.PaymentProvider{"test": contractorops.NewTestProvider()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(ctx) })
	return eng
}

// runAndVerify seeds, runs a small closed-loop mix with replays, checks
// the report and verifies the acknowledged writes.
func runAndVerify(t *testing.T, url, key string, cfg loadgen.Config) *loadgen.Report {
	t.Helper()
	c := client.New(url, key, nil)
	fx, err := loadgen.Seed(ctx, c, &loadgen.SeedConfig{Technicians: 3, Customers: 4, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Targets = append(cfg.Targets, url)
	cfg.Orgs = []loadgen.Org{{APIKey: key, Fixture: fx}}
	rep, err := loadgen.Run(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	rep.WriteText(&text)
	t.Logf("\n%s", text.String())
	if rep.Operations != cfg.Requests {
		t.Errorf("%d operations, want %d", rep.Operations, cfg.Requests)
	}
	if rep.OK != rep.Operations || len(rep.Errors) != 0 {
		t.Errorf("errors: %v", rep.Errors)
	}
	if rep.JobsPaid == 0 || len(rep.Acks) == 0 {
		t.Errorf("%d jobs paid, %d writes acknowledged: the mix did not carry a job to its end", rep.JobsPaid, len(rep.Acks))
	}
	if rep.Retries == 0 || rep.RetriesMatched != rep.Retries || len(rep.Mismatches) > 0 {
		t.Errorf("replays %d, matched %d: %v", rep.Retries, rep.RetriesMatched, rep.Mismatches)
	}
	for _, p := range []string{loadgen.ProcCreateJob, loadgen.ProcPayment, loadgen.ProcBoard, loadgen.ProcVisitStatus} {
		if rep.Ops[p] == nil || rep.Ops[p].OK == 0 {
			t.Errorf("no successful %s", p)
		}
	}
	if err := loadgen.Verify(ctx, c, rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRunEmbedded(t *testing.T) {
	eng := embedded(t)
	url, key := serve(t, eng, "Embedded Heating")
	runAndVerify(t, url, key, loadgen.Config{Concurrency: 4, Requests: 300, RetryShare: 0.2, Seed: 1, PaymentProvider: "test"})
}
