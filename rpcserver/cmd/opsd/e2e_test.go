package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// opsdBin is the opsd binary the end-to-end tests run, built by TestMain.
var opsdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "opsd-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	opsdBin = filepath.Join(dir, "opsd")
	if out, err := exec.Command("go", "build", "-o", opsdBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build opsd: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running opsd.
type process struct {
	t      testing.TB
	cmd    *exec.Cmd
	URL    string // http://127.0.0.1:port
	Org    string // the organization the key belongs to
	Key    string // an OWNER API key
	stderr *syncBuffer
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

// syncBuffer is a bytes.Buffer safe for one writer and many readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// opsdEnv is the environment of an opsd process: the test's, without any
// OPSD_ or OPSENGINE_ variable, plus extra.
func opsdEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPSD_") && !strings.HasPrefix(kv, "OPSENGINE_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

var (
	listeningLine = regexp.MustCompile(`listening on (http://\S+)`)
	orgLine       = regexp.MustCompile(`(?:demo organization|^organization) ([0-9a-f-]{36})`)
	keyLine       = regexp.MustCompile(`(ops_[a-z2-7]+_[a-z2-7]+)`)
)

// startOpsd starts "opsd serve" on a free loopback port and waits until
// /readyz answers 200. The process gets SIGTERM when the test ends, and
// its logs are shown if the test failed.
func startOpsd(t testing.TB, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(opsdBin, append([]string{"serve", "-addr", "127.0.0.1:0", "-log-level", "info"}, args...)...)
	cmd.Env = opsdEnv(env...)
	p := &process{t: t, cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if m := orgLine.FindStringSubmatch(line); m != nil {
				p.Org = m[1]
			}
			if m := keyLine.FindStringSubmatch(line); m != nil {
				p.Key = m[1]
			}
			if m := listeningLine.FindStringSubmatch(line); m != nil {
				p.URL = m[1]
				close(started)
			}
		}
		io.Copy(io.Discard, stdout)
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("opsd logs:\n%s", p.stderr)
		}
	})
	select {
	case <-started:
	case <-p.exited:
		t.Fatalf("opsd exited before listening: %v\n%s", p.err, p.stderr)
	case <-time.After(2 * time.Minute):
		t.Fatalf("opsd did not listen within 2 minutes\n%s", p.stderr)
	}
	p.waitReady()
	return p
}

func (p *process) waitReady() {
	p.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("opsd not ready after a minute: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for the process to exit (SIGKILL after 30 s).
func (p *process) stop() error {
	select {
	case <-p.exited:
		return p.err
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	return p.err
}

func (p *process) client(key string) *client.Client { return client.New(p.URL, key, nil) }

// runOpsd runs an opsd command to its end and returns its standard output.
func runOpsd(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(opsdBin, args...)
	cmd.Env = opsdEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("opsd %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// postgresOpsd migrates a fresh database, creates an organization with
// "opsd create-org", and serves it with the extra serve flags args.
func postgresOpsd(t testing.TB, args ...string) (*process, *pgtest.DB) {
	t.Helper()
	db := pgtest.Fresh(t)
	runOpsd(t, "migrate", "-database-url", db.OwnerURL, "-runtime-role", pgtest.RuntimeRole)
	org, key := createOrgWith(t, db, "E2E Heating")
	p := startOpsd(t, nil, append([]string{"-database-url", db.URL, "-system-database-url", db.OwnerURL, "-executor-id", "e2e"}, args...)...)
	p.Org, p.Key = org, key
	return p, db
}

func createOrgWith(t testing.TB, db *pgtest.DB, name string) (org, key string) {
	t.Helper()
	out := runOpsd(t, "create-org", "-database-url", db.URL, "-system-database-url", db.OwnerURL, "-name", name)
	o, k := orgLine.FindStringSubmatch(out), keyLine.FindStringSubmatch(out)
	if o == nil || k == nil {
		t.Fatalf("create-org printed %q", out)
	}
	return o[1], k[1]
}

// TestEndToEnd runs the story against opsd processes, embedded and on
// Postgres, over HTTP only.
func TestEndToEnd(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		p := startOpsd(t, nil)
		if p.Key == "" || p.Org == "" {
			t.Fatalf("opsd printed no demo organization and key")
		}
		runStory(t, &story{p: p})
	})
	t.Run("postgres", func(t *testing.T) {
		p, db := postgresOpsd(t)
		otherOrg, otherKey := createOrgWith(t, db, "Other Tenant")
		runStory(t, &story{p: p, otherOrg: otherOrg, otherKey: otherKey})
	})
}

// story is the end-to-end story, one step per area. Steps run in order
// and share what they created; a step for a new area is a method and a
// line in runStory.
type story struct {
	p        *process
	c        *client.Client
	otherOrg string // another organization, when the mode has one
	otherKey string

	customer *contractorops.Customer
}

func runStory(t *testing.T, s *story) {
	s.c = s.p.client(s.p.Key)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"organization", s.organization},
		{"customers", s.customers},
		{"work", s.work},
		{"api keys", s.apiKeys},
		{"agents", s.agents},
		{"feed", s.feed},
		{"other tenant", s.otherTenant},
		{"logs", s.logs},
	}
	for _, st := range steps {
		if !t.Run(st.name, st.run) {
			return
		}
	}
}

var ctx = context.Background()

func (s *story) organization(t *testing.T) {
	org, err := client.Call[contractorops.GetOrganizationInput, contractorops.Organization](ctx, s.c, "organization/v1/get", "", contractorops.GetOrganizationInput{})
	if err != nil || org.ID != s.p.Org {
		t.Fatalf("get = %+v, %v; want organization %s", org, err, s.p.Org)
	}
	up, err := client.Call[contractorops.UpdateProfileInput, contractorops.Organization](ctx, s.c, "organization/v1/updateProfile", client.NewIdempotencyKey(),
		contractorops.UpdateProfileInput{Name: org.Name, TimeZone: "America/Chicago", Profile: contractorops.Profile{LegalName: "E2E LLC"}})
	if err != nil || up.TimeZone != "America/Chicago" || up.Profile.LegalName != "E2E LLC" {
		t.Fatalf("updateProfile = %+v, %v", up, err)
	}
	// Creating organizations is a platform operation, never an API key's.
	_, err = client.Call[contractorops.CreateOrganizationInput, contractorops.Organization](ctx, s.c, "organization/v1/create", "k", contractorops.CreateOrganizationInput{Name: "X", Type: contractorops.OrgServiceProvider})
	wantCode(t, err, contractorops.CodeForbidden)
}

func (s *story) customers(t *testing.T) {
	key := client.NewIdempotencyKey()
	in := contractorops.CustomerInput{Name: "Grace Hopper", Email: "grace@example.com", Billing: contractorops.Address{Line1: "1 Navy Way", City: "Arlington", State: "VA"}}
	cu, err := client.Call[contractorops.CustomerInput, contractorops.Customer](ctx, s.c, "customer/v1/create", key, in)
	if err != nil {
		t.Fatal(err)
	}
	s.customer = cu
	var again contractorops.Customer
	meta, err := s.c.Do(ctx, "customer/v1/create", key, in, &again)
	if err != nil || !meta.Replayed || again.ID != cu.ID {
		t.Fatalf("replay = %+v %+v, %v", again, meta, err)
	}
	_, err = s.c.Do(ctx, "customer/v1/create", key, contractorops.CustomerInput{Name: "Someone Else"}, nil)
	wantCode(t, err, contractorops.CodeIdempotencyConflict)
	_, err = s.c.Do(ctx, "customer/v1/create", client.NewIdempotencyKey(), contractorops.CustomerInput{Email: "bad"}, nil)
	if e := wantCode(t, err, contractorops.CodeValidationFailed); len(e.FieldErrors) != 2 {
		t.Errorf("field errors %+v", e.FieldErrors)
	}

	got, err := client.Call[contractorops.IDInput, contractorops.Customer](ctx, s.c, "customer/v1/get", "", contractorops.IDInput{ID: cu.ID})
	if err != nil || got.Email != "grace@example.com" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	page, err := client.Call[contractorops.ListCustomersInput, contractorops.Page[contractorops.Customer]](ctx, s.c, "customer/v1/list", "", contractorops.ListCustomersInput{Search: "grace"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list = %+v, %v", page, err)
	}
	loc, err := client.Call[contractorops.LocationInput, contractorops.ServiceLocation](ctx, s.c, "customer/v1/addLocation", client.NewIdempotencyKey(),
		contractorops.LocationInput{CustomerID: cu.ID, Name: "Home", Address: contractorops.Address{Line1: "1 Navy Way"}})
	if err != nil {
		t.Fatal(err)
	}
	locs, err := client.Call[contractorops.CustomerIDInput, []contractorops.ServiceLocation](ctx, s.c, "customer/v1/listLocations", "", contractorops.CustomerIDInput{CustomerID: cu.ID})
	if err != nil || len(*locs) != 1 || (*locs)[0].ID != loc.ID {
		t.Fatalf("listLocations = %+v, %v", locs, err)
	}
}

func (s *story) apiKeys(t *testing.T) {
	nk, err := client.Call[contractorops.CreateAPIKeyInput, contractorops.NewAPIKey](ctx, s.c, "apikey/v1/create", client.NewIdempotencyKey(), contractorops.CreateAPIKeyInput{
		Name: "Tablet 7", Role: contractorops.RoleTechnician, Actor: contractorops.Actor{Kind: contractorops.ActorTechnician, ID: "tech-7"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tech := s.p.client(nk.Key)
	_, err = tech.Do(ctx, "customer/v1/create", client.NewIdempotencyKey(), contractorops.CustomerInput{Name: "X"}, nil)
	wantCode(t, err, contractorops.CodeForbidden)
	list, err := client.Call[contractorops.ListAPIKeysInput, contractorops.Page[contractorops.APIKey]](ctx, s.c, "apikey/v1/list", "", contractorops.ListAPIKeysInput{})
	if err != nil || !containsKey(list.Items, nk.APIKey.ID) {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if _, err := client.Call[contractorops.IDInput, contractorops.APIKey](ctx, s.c, "apikey/v1/revoke", client.NewIdempotencyKey(), contractorops.IDInput{ID: nk.APIKey.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = tech.Do(ctx, "organization/v1/get", "", struct{}{}, nil)
	wantCode(t, err, contractorops.CodeUnauthenticated)
	_, err = s.p.client("ops_nope").Do(ctx, "organization/v1/get", "", struct{}{}, nil)
	wantCode(t, err, contractorops.CodeUnauthenticated)
}

func containsKey(keys []contractorops.APIKey, id string) bool {
	for _, k := range keys {
		if k.ID == id {
			return true
		}
	}
	return false
}

func (s *story) feed(t *testing.T) {
	page, err := client.Call[contractorops.ListChangesInput, contractorops.ChangePage](ctx, s.c, "feed/v1/changes", "", contractorops.ListChangesInput{Entity: "customers"})
	if err != nil || len(page.Items) == 0 || page.Items[0].EntityID != s.customer.ID {
		t.Fatalf("changes = %+v, %v", page, err)
	}
	audit, err := client.Call[contractorops.ListAuditInput, contractorops.Page[contractorops.AuditEvent]](ctx, s.c, "feed/v1/audit", "",
		contractorops.ListAuditInput{Entity: "customers", EntityID: s.customer.ID})
	if err != nil || len(audit.Items) != 1 || audit.Items[0].Procedure != "customer/v1/create" {
		t.Fatalf("audit = %+v, %v", audit, err)
	}
}

// otherTenant checks that another organization's key sees nothing of this
// one: its ids are not found.
func (s *story) otherTenant(t *testing.T) {
	if s.otherKey == "" {
		t.Skip("this mode has one organization (the in-process table test covers two)")
	}
	other := s.p.client(s.otherKey)
	_, err := other.Do(ctx, "customer/v1/get", "", contractorops.IDInput{ID: s.customer.ID}, nil)
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = other.Do(ctx, "customer/v1/addLocation", client.NewIdempotencyKey(), contractorops.LocationInput{CustomerID: s.customer.ID, Name: "X"}, nil)
	wantCode(t, err, contractorops.CodeNotFound)
	var page contractorops.Page[contractorops.Customer]
	if _, err := other.Do(ctx, "customer/v1/list", "", contractorops.ListCustomersInput{}, &page); err != nil || len(page.Items) != 0 {
		t.Fatalf("the other tenant lists %+v, %v", page.Items, err)
	}
	_, err = client.New(s.p.URL, s.p.Key, &client.Options{Header: http.Header{"X-Org-Id": {s.otherOrg}}}).Do(ctx, "organization/v1/get", "", struct{}{}, nil)
	wantCode(t, err, contractorops.CodeOrganizationAccessDenied)
}

// logs checks the JSON request log lines.
func (s *story) logs(t *testing.T) {
	found := false
	for _, line := range strings.Split(s.p.stderr.String(), "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil || l["msg"] != "request" || l["procedure"] != "customer/v1/get" {
			continue
		}
		found = true
		for _, k := range []string{"request_id", "org", "procedure", "status", "duration_ms", "trace_id"} {
			if l[k] == nil {
				t.Errorf("log line without %s: %s", k, line)
			}
		}
	}
	if !found {
		t.Errorf("no request log line for customer/v1/get")
	}
}

func wantCode(t testing.TB, err error, code contractorops.Code) *contractorops.Error {
	t.Helper()
	var e *contractorops.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
	return e
}

// TestRefusesUnmigratedDatabase starts opsd on an empty database.
func TestRefusesUnmigratedDatabase(t *testing.T) {
	db := pgtest.Fresh(t)
	cmd := exec.Command(opsdBin, "serve", "-addr", "127.0.0.1:0", "-database-url", db.URL)
	cmd.Env = opsdEnv()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "not migrated") || !strings.Contains(string(out), "opsd migrate") {
		t.Errorf("the message does not say what to do:\n%s", out)
	}
}

// TestGracefulShutdown sends SIGTERM while a request is in flight (its
// body half sent): the request completes, then opsd exits 0.
func TestGracefulShutdown(t *testing.T) {
	p := startOpsd(t, []string{"OPSD_BOOTSTRAP_API_KEY=e2e-bootstrap-key-0123456789"})
	if p.Key != "" {
		t.Fatalf("opsd printed a key although one was given")
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name":"In flight"}`
	fmt.Fprintf(conn, "POST /api/v1/rpc/customer/v1/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer e2e-bootstrap-key-0123456789\r\n"+
		"Idempotency-Key: in-flight\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:5])
	time.Sleep(200 * time.Millisecond) // the server has read the headers
	p.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(300 * time.Millisecond)
	if _, err := http.Get(p.URL + "/healthz"); err == nil {
		t.Error("opsd accepts new connections while draining")
	}
	io.WriteString(conn, body[5:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no response: %v", err)
	}
	var env struct{ OK bool }
	json.NewDecoder(resp.Body).Decode(&env)
	if resp.StatusCode != 200 || !env.OK {
		t.Fatalf("the request in flight: HTTP %d", resp.StatusCode)
	}
	conn.Close()
	select {
	case <-p.exited:
		if p.err != nil {
			t.Fatalf("opsd exited with %v", p.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("opsd did not exit after draining")
	}
	if !strings.Contains(p.stderr.String(), "draining") {
		t.Errorf("no shutdown log")
	}
}

// TestHelp checks that -h documents every flag with its environment
// variable, and that a bad flag is a usage error.
func TestHelp(t *testing.T) {
	for _, cmd := range [][]string{{"-h"}, {"migrate", "-h"}, {"create-org", "-h"}} {
		var out bytes.Buffer
		if code := run(ctx, cmd, &out, &out, func(string) string { return "" }); code != 0 {
			t.Errorf("opsd %v: exit %d", cmd, code)
		}
		if !strings.Contains(out.String(), "-database-url") || !strings.Contains(out.String(), "[OPSENGINE_") {
			t.Errorf("opsd %v:\n%s", cmd, out.String())
		}
	}
	var out bytes.Buffer
	if code := run(ctx, []string{"-no-such-flag"}, &out, &out, func(string) string { return "" }); code != 2 {
		t.Errorf("a bad flag: exit %d", code)
	}
	if code := run(ctx, []string{"frobnicate"}, &out, &out, func(string) string { return "" }); code != 1 {
		t.Errorf("an unknown command: exit %d", code)
	}
}
