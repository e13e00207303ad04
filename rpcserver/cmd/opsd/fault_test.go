package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/rpcserver"
	"github.com/hestami-ai/opsengine/rpcserver/client"
	"github.com/hestami-ai/opsengine/rpcserver/loadgen"
)

// EnvLong is set to 1 by scripts/test -long: the fault tests run longer,
// with more faults.
const EnvLong = "OPSENGINE_LONG"

// faultSize is how hard a fault test pushes.
type faultSize struct {
	load        time.Duration // how long the load runs
	concurrency int           // closed-loop workers
	kills       int           // kill -9 of an opsd process
	outages     int           // Postgres crashes
}

// sizeOfFaults is the default suite's short run, or scripts/test -long's.
func sizeOfFaults() faultSize {
	if os.Getenv(EnvLong) == "1" {
		return faultSize{load: 3 * time.Minute, concurrency: 16, kills: 12, outages: 4}
	}
	return faultSize{load: 20 * time.Second, concurrency: 8, kills: 3, outages: 1}
}

// node is one opsd process of a deployment sharing one database. A test
// kills it and starts it again on the same address with the same executor
// id, so that it recovers its own interrupted workflows.
type node struct {
	t     *testing.T
	name  string // the DBOS executor id
	addr  string // 127.0.0.1:port, kept across restarts
	args  []string
	p     *process
	kills int
}

func newNode(t *testing.T, db *pgtest.DB, name string) *node {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	n := &node{t: t, name: name, addr: addr, args: []string{
		"-addr", addr, "-database-url", db.URL, "-system-database-url", db.OwnerURL,
		"-executor-id", name, "-app-version", "opsengine-faults", "-rate-limit", "-1", "-test-payment-provider",
	}}
	n.start()
	return n
}

func (n *node) URL() string { return "http://" + n.addr }

func (n *node) start() { n.t.Helper(); n.p = startOpsd(n.t, nil, n.args...) }

// kill sends SIGKILL and waits for the process to be gone.
func (n *node) kill() {
	n.t.Helper()
	if err := n.p.cmd.Process.Kill(); err != nil {
		n.t.Fatal(err)
	}
	<-n.p.exited
	n.kills++
}

// deployment is a migrated database, an organization seeded for the load
// generator, and opsd processes serving it.
type deployment struct {
	db      *pgtest.DB
	org     string
	key     string
	nodes   []*node
	fixture *loadgen.Fixture
	stock   *stockWriter
}

func deploy(t *testing.T, db *pgtest.DB, nodes int) *deployment {
	t.Helper()
	runOpsd(t, "migrate", "-database-url", db.OwnerURL, "-runtime-role", pgtest.RuntimeRole)
	d := &deployment{db: db}
	d.org, d.key = createOrgWith(t, db, "Faults Mechanical")
	for i := range nodes {
		d.nodes = append(d.nodes, newNode(t, db, fmt.Sprintf("faults-%c", 'a'+i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f, err := loadgen.Seed(ctx, client.New(d.nodes[0].URL(), d.key, nil), &loadgen.SeedConfig{Technicians: 6, Customers: 12, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	d.fixture = f
	d.stock = newStockWriter(t, d)
	return d
}

// interrupted counts the workflows a killed node left PENDING (but for
// the sleeping timers): those its restart must recover.
func (d *deployment) interrupted(t *testing.T, n *node) int {
	t.Helper()
	var count int
	if err := connectDB(t, d.db.OwnerURL).QueryRow(ctx, `SELECT count(*) FROM dbos.workflow_status WHERE executor_id = $1 AND status = 'PENDING' AND name <> $2`,
		n.name, wakeWorkflow).Scan(&count); err != nil {
		t.Fatal(err)
	}
	return count
}

func (d *deployment) targets() []string {
	var out []string
	for _, n := range d.nodes {
		out = append(out, n.URL())
	}
	return out
}

// load runs the load generator against every node in the background.
func (d *deployment) load(size faultSize, seed int64) <-chan loadResult {
	cfg := &loadgen.Config{
		Targets: d.targets(), Orgs: []loadgen.Org{{APIKey: d.key, Fixture: d.fixture}},
		Concurrency: size.concurrency, Duration: size.load, RetryShare: 0.1, Seed: seed,
		RequestTimeout: 20 * time.Second, PaymentProvider: "test",
	}
	out := make(chan loadResult, 1)
	go func() {
		rep, err := loadgen.Run(context.Background(), cfg)
		out <- loadResult{rep, err}
	}()
	return out
}

type loadResult struct {
	rep *loadgen.Report
	err error
}

// envelope is a parsed response, or the transport error that stood for it.
type envelope struct {
	status    int
	ok        bool
	code      string
	retryable bool
	data      json.RawMessage
	err       error // a transport error: no envelope came back
}

// post sends one RPC and parses its envelope; it never fails the test, so
// that goroutines may call it.
func post(ctx context.Context, base, apiKey, proc, idem string, body []byte) envelope {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+rpcserver.RPCPrefix+proc, bytes.NewReader(body))
	if err != nil {
		return envelope{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return envelope{err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return envelope{err: err}
	}
	var env rpcserver.Envelope
	if err := json.Unmarshal(raw, &env); err != nil || (!env.OK && env.Error == nil) {
		return envelope{status: resp.StatusCode, err: fmt.Errorf("HTTP %d without an envelope: %.200q", resp.StatusCode, raw)}
	}
	e := envelope{status: resp.StatusCode, ok: env.OK, data: env.Data}
	if env.Error != nil {
		e.code, e.retryable = string(env.Error.Code), env.Error.Retryable
	}
	return e
}

// stockWriter receives stock into one location while faults happen, each
// receipt with an idempotency key of its own and sent again (to the next
// node) until it gets an answer: at the end the stock on hand must be the
// sum of the receipts, each counted once.
type stockWriter struct {
	d              *deployment
	item, location string
	mu             sync.Mutex
	acked          int64 // units received, acknowledged
	writes         int
	resends        int
	refused        []string // non-retryable refusals
}

func newStockWriter(t *testing.T, d *deployment) *stockWriter {
	t.Helper()
	c := client.New(d.nodes[0].URL(), d.key, nil)
	var item, loc struct{ ID string }
	if _, err := c.Do(ctx, "inventory/v1/createItem", "faults-item", obj{"sku": "FAULT-1", "name": "Test fitting", "unitOfMeasure": "EACH", "unitCost": "2.00"}, &item); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, "inventory/v1/createLocation", "faults-location", obj{"code": "FAULT-WH", "name": "Fault warehouse", "type": "WAREHOUSE"}, &loc); err != nil {
		t.Fatal(err)
	}
	return &stockWriter{d: d, item: item.ID, location: loc.ID}
}

// run receives stock until ctx ends; the last receipt is resolved even so.
func (s *stockWriter) run(ctx context.Context, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := 0; ctx.Err() == nil; i++ {
		qty := 1 + rng.IntN(5)
		body, _ := json.Marshal(obj{"locationId": s.location, "reference": fmt.Sprintf("R%d", i),
			"lines": []obj{{"itemId": s.item, "quantity": fmt.Sprint(qty), "unitCost": "2.00"}}})
		key := fmt.Sprintf("faults-receive-%d-%d", seed, i)
		ok, refusal := s.resolve(key, body, i)
		s.mu.Lock()
		s.writes++
		if ok {
			s.acked += int64(qty)
		} else if refusal != "" {
			s.refused = append(s.refused, refusal)
		}
		s.mu.Unlock()
		time.Sleep(time.Duration(rng.IntN(50)) * time.Millisecond)
	}
}

// resolve sends one receipt until an answer that is not a transport error
// or a retryable refusal, going round the nodes, for up to three minutes.
func (s *stockWriter) resolve(key string, body []byte, i int) (ok bool, refusal string) {
	deadline := time.Now().Add(3 * time.Minute)
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			s.mu.Lock()
			s.resends++
			s.mu.Unlock()
		}
		n := s.d.nodes[(i+attempt)%len(s.d.nodes)]
		rctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		e := post(rctx, n.URL(), s.d.key, "inventory/v1/receive", key, body)
		cancel()
		switch {
		case e.err == nil && e.ok:
			return true, ""
		case e.err == nil && !e.retryable:
			return false, fmt.Sprintf("%s %s", key, e.code)
		case time.Now().After(deadline):
			return false, fmt.Sprintf("%s unresolved after three minutes: %v %s", key, e.err, e.code)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkExactlyOnce checks, once the faults are over, that every write that
// was acknowledged took effect exactly once: the load generator's Verify
// (replays return the original responses; one job per acknowledged
// create, one invoice per job, payments as acknowledged), every DBOS
// workflow SUCCESS (after a bounded wait for recovery), job, estimate and
// invoice numbers unique, the stock on hand the sum of the acknowledged
// receipts and every stock balance the fold of its ledger.
func checkExactlyOnce(t *testing.T, d *deployment, rep *loadgen.Report) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := client.New(d.nodes[0].URL(), d.key, nil)

	recovered, sleeping := waitWorkflows(t, ctx, d)

	// Writes whose outcome the run left unknown (no answer before its end)
	// are sent again until answered, so that Verify checks them too.
	unresolved := len(rep.Unresolved)
	if err := loadgen.Resolve(ctx, c, rep); err != nil {
		t.Errorf("resolving %d writes of unknown outcome: %v", unresolved, err)
	}
	if err := loadgen.Verify(ctx, c, rep); err != nil {
		t.Errorf("exactly once: %v", err)
	}
	for code, n := range rep.Errors {
		if code != loadgen.CodeTransport && !contractorops.NewError(contractorops.Code(code), "").Retryable {
			t.Errorf("the load got %d %s errors, which are not retryable: a fault must only cost retries", n, code)
		}
	}
	if rep.Retries != rep.RetriesMatched || len(rep.Mismatches) > 0 {
		t.Errorf("deliberate replays: %d of %d matched: %v", rep.RetriesMatched, rep.Retries, rep.Mismatches)
	}

	admin := connectDB(t, d.db.AdminURL)
	for _, table := range []string{"jobs", "estimates", "invoices"} {
		var dups int
		q := fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM %s WHERE number IS NOT NULL GROUP BY organization_id, number HAVING count(*) > 1) d`, table)
		if err := admin.QueryRow(ctx, q).Scan(&dups); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if dups > 0 {
			t.Errorf("%s: %d numbers used twice", table, dups)
		}
	}

	s := d.stock
	var report struct{ OnHand string }
	if _, err := c.Do(ctx, "inventory/v1/stockByItem", "", obj{"itemId": s.item}, &report); err != nil {
		t.Fatal(err)
	}
	if report.OnHand != fmt.Sprint(s.acked) {
		t.Errorf("stock on hand %s, the acknowledged receipts sum to %d (%d receipts, %d sent again)", report.OnHand, s.acked, s.writes, s.resends)
	}
	if len(s.refused) > 0 {
		t.Errorf("receipts refused: %v", s.refused)
	}
	var ledger struct {
		Balances, Movements int
		Mismatches          []string
	}
	if _, err := c.Do(ctx, "inventory/v1/verifyLedger", "", obj{}, &ledger); err != nil {
		t.Fatal(err)
	}
	if len(ledger.Mismatches) > 0 || ledger.Movements < s.writes-len(s.refused) {
		t.Errorf("stock ledger: %+v after %d receipts", ledger, s.writes)
	}

	var workflows int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM dbos.workflow_status`).Scan(&workflows); err != nil {
		t.Fatal(err)
	}
	t.Logf("load: %d operations (%d requests, %d ok) in %s, %.0f op/s; %d acknowledged writes replayed and matched; %d deliberate retries matched; %d failovers; errors %v; %d of unknown outcome at the end, resolved",
		rep.Operations, rep.Requests, rep.OK, rep.Elapsed.Round(time.Millisecond), rep.Throughput, len(rep.Acks), rep.RetriesMatched, rep.Failovers, rep.Errors, unresolved)
	t.Logf("jobs created %d, paid %d; stock: %d receipts (%d units, %d sent again); ledger %d balances, %d movements; %d DBOS workflows, all SUCCESS but %d durable timers asleep (%d run more than once: recovered, or run again by a replay)",
		rep.JobsCreated, rep.JobsPaid, s.writes, s.acked, s.resends, ledger.Balances, ledger.Movements, workflows, sleeping, recovered)
}

// wakeWorkflow is the durable timer workflow: it sleeps until a wake-up's
// time (an SLA deadline, hours away), so it is PENDING by design.
const wakeWorkflow = "opsengine.wake.v1"

// waitWorkflows waits (up to two minutes) until every DBOS workflow is
// SUCCESS, but for the durable timers still sleeping, which must belong to
// a live executor (so that they wake); it fails the test with the others
// if they do not get there, and returns how many workflows were recovered
// (run more than once) and how many timers sleep.
func waitWorkflows(t *testing.T, ctx context.Context, d *deployment) (recovered, sleeping int) {
	t.Helper()
	conn := connectDB(t, d.db.OwnerURL)
	var executors []string
	for _, n := range d.nodes {
		executors = append(executors, n.name)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		rows, err := conn.Query(ctx, `SELECT status, name, count(*) FROM dbos.workflow_status
			WHERE status <> 'SUCCESS' AND NOT (name = $1 AND status = 'PENDING' AND executor_id = ANY($2))
			GROUP BY 1, 2 ORDER BY 1, 2`, wakeWorkflow, executors)
		if err != nil {
			t.Fatal(err)
		}
		var others []string
		pending := false
		for rows.Next() {
			var status, name string
			var n int
			if err := rows.Scan(&status, &name, &n); err != nil {
				t.Fatal(err)
			}
			others = append(others, fmt.Sprintf("%d %s %s", n, name, status))
			pending = pending || status == "PENDING" || status == "ENQUEUED"
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(others) == 0 {
			break
		}
		if !pending || time.Now().After(deadline) {
			t.Errorf("DBOS workflows not SUCCESS: %v", others)
			dumpWorkflows(t, conn)
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE recovery_attempts > 1), count(*) FILTER (WHERE name = $1 AND status = 'PENDING')
		FROM dbos.workflow_status`, wakeWorkflow).Scan(&recovered, &sleeping); err != nil {
		t.Fatal(err)
	}
	return recovered, sleeping
}

func dumpWorkflows(t *testing.T, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT workflow_uuid, name, status, executor_id, recovery_attempts, coalesce(left(error, 300), '') FROM dbos.workflow_status WHERE status <> 'SUCCESS' AND name <> 'opsengine.wake.v1' LIMIT 10`)
	if err != nil {
		t.Log(err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var id, name, status, executor, e string
		var attempts int
		if err := rows.Scan(&id, &name, &status, &executor, &attempts, &e); err == nil {
			t.Logf("workflow %s %s %s on %s, %d attempts: %s", id, name, status, executor, attempts, e)
		}
	}
}

// TestFaultKillOpsd runs the load generator against two opsd processes on
// one Postgres and kills one of them (kill -9) at random moments, starting
// it again each time with the same executor id. Nothing acknowledged may be
// lost or applied twice.
func TestFaultKillOpsd(t *testing.T) {
	size := sizeOfFaults()
	d := deploy(t, pgtest.Fresh(t), 2)
	seed := uint64(20261125)
	rng := rand.New(rand.NewPCG(seed, 1))

	stockCtx, stopStock := context.WithCancel(context.Background())
	stockDone := make(chan struct{})
	go func() { d.stock.run(stockCtx, seed); close(stockDone) }()
	started := time.Now()
	done := d.load(size, int64(seed))

	// The kills, one in each slice of the load's time, at a random moment
	// of its slice.
	slice := size.load / time.Duration(size.kills+1)
	var kills []string
	interrupted := 0
	for i := range size.kills {
		at := time.Duration(i)*slice + slice/2 + time.Duration(rng.Int64N(int64(slice)))
		time.Sleep(time.Until(started.Add(at)))
		n := d.nodes[rng.IntN(len(d.nodes))]
		n.kill()
		interrupted += d.interrupted(t, n)
		down := time.Duration(rng.Int64N(int64(time.Second)))
		time.Sleep(down)
		restart := time.Now()
		n.start()
		kills = append(kills, fmt.Sprintf("%s at %s (down %s, ready in %s)", n.name, at.Round(time.Millisecond), down.Round(time.Millisecond), time.Since(restart).Round(time.Millisecond)))
	}
	res := <-done
	stopStock()
	<-stockDone
	if res.err != nil {
		t.Fatal(res.err)
	}
	t.Logf("%d kills: %s; %d workflows interrupted (PENDING on the killed process), to be recovered", len(kills), strings.Join(kills, "; "), interrupted)
	checkExactlyOnce(t, d, res.rep)
}

// TestFaultPostgresRestart crashes the Postgres server under load (pg_ctl
// stop -m immediate) and starts it again. While it is down every answer is
// a transport error or a retryable error envelope (a success must have its
// effect, once); after
// it is back new requests succeed within a bounded time with no operator
// action, and nothing acknowledged is lost or applied twice.
func TestFaultPostgresRestart(t *testing.T) {
	size := sizeOfFaults()
	cluster := pgtest.StartCluster(t)
	d := deploy(t, cluster.DB(t), 2)
	seed := uint64(20261126)
	rng := rand.New(rand.NewPCG(seed, 2))

	stockCtx, stopStock := context.WithCancel(context.Background())
	stockDone := make(chan struct{})
	go func() { d.stock.run(stockCtx, seed); close(stockDone) }()
	started := time.Now()
	done := d.load(size, int64(seed))

	slice := size.load / time.Duration(size.outages+1)
	var outages []string
	probe := &outageProbe{d: d}
	for i := range size.outages {
		at := time.Duration(i)*slice + slice/2 + time.Duration(rng.Int64N(int64(slice/2)))
		time.Sleep(time.Until(started.Add(at)))
		if err := cluster.Crash(); err != nil {
			t.Fatal(err)
		}
		crashed := time.Now()
		stop := probe.start(fmt.Sprintf("outage%d", i))
		down := 2*time.Second + time.Duration(rng.Int64N(int64(2*time.Second)))
		time.Sleep(down)
		stop() // what the probe sees from here on is the recovery's
		if err := cluster.Start(); err != nil {
			t.Fatal(err)
		}
		back := time.Now()
		recoveredIn := probe.waitRecovered(t, 90*time.Second)
		outages = append(outages, fmt.Sprintf("at %s, down %s (Postgres back in %s), every node serving again %s after",
			at.Round(time.Millisecond), down.Round(time.Millisecond), back.Sub(crashed).Round(time.Millisecond), recoveredIn.Round(time.Millisecond)))
	}
	res := <-done
	stopStock()
	<-stockDone
	if res.err != nil {
		t.Fatal(res.err)
	}
	t.Logf("%d Postgres crashes: %s", len(outages), strings.Join(outages, "; "))
	probe.check(t)
	for _, n := range d.nodes {
		select {
		case <-n.p.exited:
			t.Errorf("opsd %s exited during the outage: %v", n.name, n.p.err)
		default:
		}
	}
	checkExactlyOnce(t, d, res.rep)
}

// outageProbe sends requests to every node while Postgres is down and
// records what comes back.
type outageProbe struct {
	d       *deployment
	mu      sync.Mutex
	seen    map[string]int // outcome → count
	bad     []string       // answers that are neither transport errors nor retryable
	acked   []probeAck     // creates that succeeded anyway
	counter int
}

type probeAck struct {
	base, key string
	body      []byte
	data      json.RawMessage
}

// start probes until the returned function is called.
func (p *outageProbe) start(name string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, n := range p.d.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				p.once(ctx, n.URL(), fmt.Sprintf("probe-%s-%s-%d", name, n.name, i))
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	return func() { cancel(); wg.Wait() }
}

// once sends a write and a read, and classifies the answers.
func (p *outageProbe) once(ctx context.Context, base, key string) {
	cu := p.d.fixture.Customers[0]
	body, _ := json.Marshal(obj{"title": "Probe " + key, "trade": string(p.d.fixture.Trades[0].Trade), "priority": "LOW",
		"customerId": cu.ID, "locationId": cu.LocationID, "externalRef": key})
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, call := range []struct {
		proc, key string
		body      []byte
	}{{"job/v1/create", key, body}, {"job/v1/list", "", []byte(`{"limit":1}`)}} {
		e := post(rctx, base, p.d.key, call.proc, call.key, call.body)
		if errors.Is(rctx.Err(), context.Canceled) {
			return // stopped: the answer no longer tells about the outage
		}
		p.mu.Lock()
		if p.seen == nil {
			p.seen = map[string]int{}
		}
		switch {
		case e.err != nil:
			p.seen["transport"]++
		case e.ok:
			p.seen["ok"]++
			if call.key != "" {
				p.acked = append(p.acked, probeAck{base, call.key, call.body, e.data})
			}
		case e.retryable:
			p.seen[e.code+" (retryable)"]++
		default:
			p.seen[e.code]++
			p.bad = append(p.bad, fmt.Sprintf("%s %s: HTTP %d %s, not retryable", base, call.proc, e.status, e.code))
		}
		p.mu.Unlock()
	}
}

// waitRecovered waits until a new write succeeds on every node and returns
// how long it took.
func (p *outageProbe) waitRecovered(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for _, n := range p.d.nodes {
		for i := 0; ; i++ {
			p.counter++
			key := fmt.Sprintf("probe-recovered-%s-%d", n.name, p.counter)
			cu := p.d.fixture.Customers[0]
			body, _ := json.Marshal(obj{"title": "After the outage", "trade": string(p.d.fixture.Trades[0].Trade), "priority": "LOW",
				"customerId": cu.ID, "locationId": cu.LocationID, "externalRef": key})
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			e := post(rctx, n.URL(), p.d.key, "job/v1/create", key, body)
			cancel()
			if e.err == nil && e.ok {
				p.mu.Lock()
				p.acked = append(p.acked, probeAck{n.URL(), key, body, e.data})
				p.mu.Unlock()
				break
			}
			if time.Since(start) > limit {
				t.Fatalf("opsd %s still fails %s after Postgres came back: %v %s", n.name, limit, e.err, e.code)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return time.Since(start)
}

// check asserts what the probe saw during the outages, and that each of its
// acknowledged creates replays its response and made exactly one job.
func (p *outageProbe) check(t *testing.T) {
	t.Helper()
	keys := make([]string, 0, len(p.seen))
	for k := range p.seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, p.seen[k]))
	}
	t.Logf("during the outages the probe saw: %s", strings.Join(parts, ", "))
	for _, b := range p.bad {
		t.Errorf("during the outage: %s", b)
	}
	if p.seen["transport"]+countRetryable(p.seen) == 0 {
		t.Error("the probe saw no failure: the outage did not happen")
	}
	c := client.New(p.d.nodes[0].URL(), p.d.key, nil)
	for _, a := range p.acked {
		var again json.RawMessage
		if _, err := c.Do(ctx, "job/v1/create", a.key, json.RawMessage(a.body), &again); err != nil || !sameJSONBytes(again, a.data) {
			t.Errorf("probe write %s: the replay returned %.200s, %v; the original %.200s", a.key, again, err, a.data)
		}
		var page struct{ Items []struct{ ID string } }
		if _, err := c.Do(ctx, "job/v1/list", "", obj{"externalRef": a.key}, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 {
			t.Errorf("probe write %s made %d jobs", a.key, len(page.Items))
		}
	}
}

func countRetryable(seen map[string]int) (n int) {
	for k, v := range seen {
		if strings.HasSuffix(k, "(retryable)") {
			n += v
		}
	}
	return n
}

func sameJSONBytes(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
