package durable_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// envDeliveries names the file the child's CAM bridge appends to.
const envDeliveries = "CRASH_DELIVERIES"

// fileBridge is a CAM host that appends each event id it receives to a
// file (a write survives the process's kill) and says so on stdout.
type fileBridge struct {
	mu sync.Mutex
	f  *os.File
}

func (b *fileBridge) DeliverCAMEvent(_ context.Context, ev contractorops.CAMEvent) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := fmt.Fprintln(b.f, ev.EventID); err != nil {
		return err
	}
	fmt.Println("delivered", ev.EventID)
	return nil
}

// camCrashChild runs the durable engine with a fileBridge and delivers the
// organization's CAM events in pages of five, one cam/v1/deliver per page
// with the key "page-i", until none is left; then it prints "finished".
func camCrashChild() int {
	ctx := context.Background()
	store, err := pgstore.Connect(ctx, os.Getenv(envURL), nil)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	f, err := os.OpenFile(os.Getenv(envDeliveries), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	runner, err := durable.New(ctx, store, &durable.Config{SystemDatabaseURL: os.Getenv(envSystemURL), ExecutorID: "cam-crash-child", Logger: logger, DisableSchedules: true})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	eng, err := contractorops.New(store, &contractorops.Config{Runner: runner, Logger: logger, CAMBridge: &fileBridge{f: f}})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	scope := contractorops.SystemScope(os.Getenv(envOrg), "cam-crash")
	for page := 0; ; page++ {
		rep, err := eng.CAM.Deliver(ctx, scope, fmt.Sprint("page-", page), contractorops.DeliverInput{Limit: 5})
		if err != nil {
			fmt.Println("error", err)
			return 1
		}
		if rep.Error != "" {
			fmt.Println("error", rep.Error)
			return 1
		}
		if !rep.More {
			break
		}
	}
	eng.Close(ctx)
	fmt.Println("finished")
	return 0
}

// TestCAMDeliveryKillNine kills the delivering process with SIGKILL right
// after its bridge took an event, several times, restarting it each time.
// Every CAM event must reach the bridge at least once, none before the
// events ahead of it, and the cursor must end at the last one.
func TestCAMDeliveryKillNine(t *testing.T) {
	ctx := context.Background()
	db, eng, org := crashSetup(t, "cam-crash-org")
	owner := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "u"}, Role: contractorops.RoleOwner}
	for i := range 12 {
		source := jobfsm.SourceWorkOrder
		if i%4 == 3 {
			source = jobfsm.SourceDirectCustomer
		}
		in := contractorops.CreateJobInput{Title: fmt.Sprint("job ", i), Source: source}
		if source != jobfsm.SourceDirectCustomer {
			in.ExternalRef = fmt.Sprint("WO-", i)
		}
		j, err := eng.Jobs.Create(ctx, owner, fmt.Sprint("job-", i), in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Jobs.UpdateStatus(ctx, owner, fmt.Sprint("cancel-", i), contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCancelled, ReasonCode: "CUSTOMER_CANCELLED"}); err != nil {
			t.Fatal(err)
		}
	}
	outbox, err := eng.Events.List(ctx, owner, contractorops.ListEventsInput{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ev := range outbox.Items {
		switch ev.Type {
		case jobfsm.EventStatusChanged, jobfsm.EventWorkOrderStatus, jobfsm.EventCaseStatus:
			if ev.Source == jobfsm.SourceWorkOrder {
				want = append(want, org.ID+"/"+ev.ID)
			}
		}
	}
	if len(want) < 20 {
		t.Fatalf("only %d CAM events in the outbox", len(want))
	}

	deliveries := filepath.Join(t.TempDir(), "deliveries")
	env := append(os.Environ(), "OPSENGINE_CRASH_CHILD=cam", envSystemURL+"="+db.OwnerURL, envURL+"="+db.URL,
		envOrg+"="+org.ID, envDeliveries+"="+deliveries)
	rng := rand.New(rand.NewPCG(2, uint64(time.Now().UnixNano())))
	run := func(killAfter int) (finished bool) {
		runChild(t, env, killAfter, func(line string) bool {
			finished = finished || line == "finished"
			return strings.HasPrefix(line, "delivered")
		})
		return finished
	}
	for round := range 3 {
		k := 1 + rng.IntN(8)
		if run(k) {
			t.Logf("round %d: the child finished before its %d-th delivery", round, k)
		}
	}
	if !run(0) {
		t.Fatal("the last run did not finish")
	}

	data, err := os.ReadFile(deliveries)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(string(data))
	// At least once, in order: each delivery is of an event already
	// delivered or of the next one.
	next := 0
	for i, id := range got {
		switch {
		case next < len(want) && id == want[next]:
			next++
		case !slices.Contains(want[:next], id):
			t.Fatalf("delivery %d is %s before the events ahead of it (next due: %d of %d)", i, id, next, len(want))
		}
	}
	if next != len(want) {
		t.Fatalf("%d of %d events delivered", next, len(want))
	}
	t.Logf("%d deliveries of %d events", len(got), len(want))

	st, err := eng.CAM.DeliveryStatus(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	if st.LastSeq != outbox.LastSeq || st.FailedEventID != "" || st.LastDeliveredEventID != want[len(want)-1] {
		t.Errorf("status after the kills: %+v (outbox ends at %d)", st, outbox.LastSeq)
	}
	admin, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var notDone, recovered int
	if err := admin.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status <> 'SUCCESS'), count(*) FILTER (WHERE recovery_attempts > 1)
		FROM dbos.workflow_status`).Scan(&notDone, &recovered); err != nil {
		t.Fatal(err)
	}
	if notDone != 0 {
		t.Errorf("%d workflows did not end in SUCCESS", notDone)
	}
	if recovered == 0 {
		t.Error("no delivery was interrupted: the kills missed")
	}
}
