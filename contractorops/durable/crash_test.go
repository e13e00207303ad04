package durable_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/internal/pgtest"
)

func TestMain(m *testing.M) {
	switch os.Getenv("OPSENGINE_CRASH_CHILD") {
	case "1":
		os.Exit(crashChild())
	case "cam":
		os.Exit(camCrashChild())
	}
	pgtest.Main(m)
}

// The child process's environment.
const (
	envSystemURL = "CRASH_SYSTEM_URL"
	envURL       = "CRASH_URL"
	envOrg       = "CRASH_ORG"
	envItems     = "CRASH_ITEMS"
)

var platform = contractorops.Scope{
	OrganizationID: contractorops.PlatformOrganization,
	Actor:          contractorops.Actor{Kind: contractorops.ActorSystem, ID: "crash-test"},
	Role:           contractorops.RoleOwner,
}

// crashChild runs the engine with the durable runner and submits items
// 0..n-1 from four goroutines: item i creates customer "cust-i" with key
// "c-i", and every seventh item also creates an organization (a workflow of
// two transactions in two tenants). It prints "done i <json>" per item and
// runs until killed or done.
func crashChild() int {
	ctx := context.Background()
	store, err := pgstore.Connect(ctx, os.Getenv(envURL), nil)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	runner, err := durable.New(ctx, store, &durable.Config{SystemDatabaseURL: os.Getenv(envSystemURL), ExecutorID: "crash-child", Logger: logger})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	eng, err := contractorops.New(store, &contractorops.Config{Runner: runner, Logger: logger})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	scope := contractorops.Scope{OrganizationID: os.Getenv(envOrg), Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "u"}, Role: contractorops.RoleOwner}
	n, _ := strconv.Atoi(os.Getenv(envItems))
	items := make(chan int)
	var out sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range items {
				c, err := eng.Customers.Create(ctx, scope, fmt.Sprint("c-", i), contractorops.CustomerInput{Name: fmt.Sprint("cust-", i)})
				if err != nil {
					out.Lock()
					fmt.Println("error", i, err)
					out.Unlock()
					continue
				}
				orgID := ""
				if i%7 == 0 {
					o, err := eng.Organizations.Create(ctx, platform, fmt.Sprint("o-", i), contractorops.CreateOrganizationInput{Name: fmt.Sprint("org-", i), Type: contractorops.OrgServiceProvider})
					if err != nil {
						out.Lock()
						fmt.Println("error", i, err)
						out.Unlock()
						continue
					}
					orgID = o.ID
				}
				b, _ := json.Marshal(map[string]string{"customer": c.ID, "org": orgID})
				out.Lock()
				fmt.Printf("done %d %s\n", i, b)
				out.Unlock()
			}
		}()
	}
	for i := range n {
		items <- i
	}
	close(items)
	wg.Wait()
	eng.Close(ctx)
	return 0
}

// crashSetup migrates a fresh database for a crash test and creates an
// organization in it, with an engine that is not durable (the processes
// the test kills are its children).
func crashSetup(t *testing.T, key string) (*pgtest.DB, *contractorops.Engine, *contractorops.Organization) {
	t.Helper()
	db := pgtest.Fresh(t)
	ctx := context.Background()
	if err := durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, ""); err != nil {
		t.Fatal(err)
	}
	setup, err := pgstore.Connect(ctx, db.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(setup.Close)
	eng, err := contractorops.New(setup, nil)
	if err != nil {
		t.Fatal(err)
	}
	org, err := eng.Organizations.Create(ctx, platform, key, contractorops.CreateOrganizationInput{Name: "Crash Co", Type: contractorops.OrgServiceProvider})
	if err != nil {
		t.Fatal(err)
	}
	return db, eng, org
}

// runChild runs the test binary as a child process with env and hands
// line every line it prints; an "error" line fails the test. Once line has
// counted killAfter lines as progress (0: never), the child is killed with
// SIGKILL. runChild returns when the child has exited.
func runChild(t *testing.T, env []string, killAfter int, line func(string) (progress bool)) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = env
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait() //nolint:errcheck // a killed child exits with an error
	sc := bufio.NewScanner(stdout)
	for n := 0; sc.Scan(); {
		if strings.HasPrefix(sc.Text(), "error") {
			t.Errorf("child: %s", sc.Text())
		}
		if line(sc.Text()) {
			n++
		}
		if killAfter > 0 && n == killAfter {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
}

// TestKillNineRecovery kills the engine's process with SIGKILL in the middle
// of its workflows, several times, restarting it each time; then it runs
// every request once more. Every workflow must end in SUCCESS, every effect
// must exist exactly once, and every replay must return the original
// response.
func TestKillNineRecovery(t *testing.T) {
	ctx := context.Background()
	db, _, org := crashSetup(t, "crash-org")

	const items = 120
	env := append(os.Environ(), "OPSENGINE_CRASH_CHILD=1", envSystemURL+"="+db.OwnerURL, envURL+"="+db.URL,
		envOrg+"="+org.ID, envItems+"="+strconv.Itoa(items))
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	first := map[int]string{} // item → its first response

	run := func(killAfter int) (done int) {
		runChild(t, env, killAfter, func(line string) bool {
			f := strings.SplitN(line, " ", 3)
			if f[0] != "done" {
				return false
			}
			i, _ := strconv.Atoi(f[1])
			if prev, ok := first[i]; ok && prev != f[2] {
				t.Errorf("item %d: response %s, earlier %s", i, f[2], prev)
			}
			first[i] = f[2]
			done++
			return true
		})
		return done
	}
	for round := range 4 {
		// Kill after a random number of completed items: others are in
		// flight at that moment, at random points of their workflows.
		n := run(3 + rng.IntN(25))
		t.Logf("round %d: killed after %d completed items", round, n)
	}
	if n := run(0); n != items {
		t.Fatalf("the last run completed %d items, want %d", n, items)
	}

	admin, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var notDone int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM dbos.workflow_status WHERE status <> 'SUCCESS'`).Scan(&notDone); err != nil {
		t.Fatal(err)
	}
	if notDone != 0 {
		t.Errorf("%d workflows did not end in SUCCESS", notDone)
	}
	// The kills must have interrupted workflows that a restart recovered,
	// or this test proves nothing.
	var recovered int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM dbos.workflow_status WHERE recovery_attempts > 1`).Scan(&recovered); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d workflows were interrupted by a kill and recovered", recovered)
	if recovered == 0 {
		t.Error("no workflow was interrupted: the kills missed")
	}
	count := func(sql string, args ...any) (n int) {
		tx, err := admin.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", args[0]); err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRow(ctx, sql, args[1:]...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM customers`, org.ID); n != items {
		t.Errorf("%d customers, want %d", n, items)
	}
	if n := count(`SELECT count(DISTINCT name) FROM customers`, org.ID); n != items {
		t.Errorf("%d distinct customer names, want %d: an effect happened twice", n, items)
	}
	orgs := 0
	for i := 0; i < items; i += 7 {
		var resp map[string]string
		if err := json.Unmarshal([]byte(first[i]), &resp); err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
		orgs++
		if n := count(`SELECT count(*) FROM organizations`, resp["org"]); n != 1 {
			t.Errorf("organization of item %d: %d rows, want 1", i, n)
		}
	}
	if n := count(`SELECT count(*) FROM tenants`, contractorops.PlatformOrganization); n != orgs+1 {
		t.Errorf("%d tenants, want %d", n, orgs+1)
	}
}
