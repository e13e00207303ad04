package durable_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// start returns a durable engine on db, with the real clock.
func start(t *testing.T, db *pgtest.DB) *contractorops.Engine { return startB(t, db) }

// startB returns a durable engine on db, with the real clock.
func startB(t testing.TB, db *pgtest.DB) *contractorops.Engine { return startClock(t, db, time.Now) }

func durableMigrate(db *pgtest.DB) error {
	return durable.Migrate(context.Background(), db.OwnerURL, pgtest.RuntimeRole, "")
}

// startClock returns a durable engine on db whose clock is clock.
func startClock(t testing.TB, db *pgtest.DB, clock func() time.Time) *contractorops.Engine {
	t.Helper()
	ctx := context.Background()
	store, err := pgstore.Connect(ctx, db.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	r, err := durable.New(ctx, store, &durable.Config{SystemDatabaseURL: db.OwnerURL, ExecutorID: "wake-test", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := contractorops.New(store, &contractorops.Config{Runner: r, Logger: logger, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	return eng
}

// fastEmergency creates an organization whose emergencies must be
// responded to within a minute, escalating at the given percents of it, and
// an emergency job in it.
func fastEmergency(t *testing.T, eng *contractorops.Engine, escalations ...int) (contractorops.Scope, *contractorops.Job) {
	t.Helper()
	ctx := context.Background()
	org, err := eng.Organizations.Create(ctx, platform, "org", contractorops.CreateOrganizationInput{Name: "Wake Co", Type: contractorops.OrgServiceProvider})
	if err != nil {
		t.Fatal(err)
	}
	owner := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "u"}, Role: contractorops.RoleOwner}
	policies := jobfsm.DefaultPolicies()
	policies[jobfsm.PriorityEmergency] = jobfsm.Policy{Name: "FAST", ResponseMinutes: 1, ResolutionMinutes: 600, WallClock: true, Escalations: escalations}
	if _, err := eng.SLA.UpdateSettings(ctx, owner, "sla", contractorops.UpdateSLASettingsInput{Policies: policies, BusinessHours: contractorops.DefaultBusinessHours()}); err != nil {
		t.Fatal(err)
	}
	j, err := eng.Jobs.Create(ctx, owner, "job", contractorops.CreateJobInput{Title: "Gas smell", Priority: jobfsm.PriorityEmergency})
	if err != nil {
		t.Fatal(err)
	}
	return owner, j
}

// TestSLAWakeUpsSurviveRestarts: a job's SLA clock sleeps durably until each
// escalation point and records it then, including across a restart of the
// process while it sleeps.
func TestSLAWakeUpsSurviveRestarts(t *testing.T) {
	db := pgtest.Fresh(t)
	ctx := context.Background()
	if err := durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, ""); err != nil {
		t.Fatal(err)
	}
	eng := start(t, db)
	// Escalate at 1 % and 4 % of a one-minute response: after 0.6 s and
	// 2.4 s.
	owner, j := fastEmergency(t, eng, 1, 4)
	waitFor := func(eng *contractorops.Engine, n int) *contractorops.Job {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			got, err := eng.Jobs.Get(ctx, owner, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Escalations) >= n {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 15 s the job has escalations %+v, want %d", got.Escalations, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	got := waitFor(eng, 1)
	if e := got.Escalations[0]; e.Target != "RESPONSE" || e.Percent != 1 || e.At.Before(e.DueAt) {
		t.Fatalf("first escalation = %+v", e)
	}
	// Stop the process while the next wake-up sleeps; a new process with the
	// same executor id resumes the sleep and records the escalation.
	if err := eng.Close(ctx); err != nil {
		t.Logf("close: %v", err)
	}
	eng2 := start(t, db)
	defer eng2.Close(ctx)
	got = waitFor(eng2, 2)
	if e := got.Escalations[1]; e.Percent != 4 || e.At.Before(e.DueAt) {
		t.Fatalf("second escalation = %+v", e)
	}

	admin, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// The wake-up's workflow ends just after its escalation commits.
	var wakes int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM dbos.workflow_status WHERE name = 'opsengine.wake.v1' AND status = 'SUCCESS'`).Scan(&wakes); err != nil {
			t.Fatal(err)
		}
		if wakes >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if wakes < 2 {
		rows, err := admin.Query(ctx, `SELECT workflow_uuid, name, status, coalesce(executor_id, ''), coalesce(error, '') FROM dbos.workflow_status ORDER BY created_at`)
		if err == nil {
			for rows.Next() {
				var id, name, status, exec, errText string
				if rows.Scan(&id, &name, &status, &exec, &errText) == nil {
					t.Logf("workflow %s %s %s executor %q error %q", id, name, status, exec, errText)
				}
			}
			rows.Close()
		}
		t.Errorf("%d wake-up workflows succeeded, want at least 2", wakes)
	}
}

// TestWakeUpRecoveredAfterItsTime: a wake-up interrupted while it sleeps
// and recovered after its time has passed takes the steps it took the
// first time (the sleep, then the run) and succeeds. The second process's
// clock runs an hour ahead, so the wake-up is due when it is recovered.
func TestWakeUpRecoveredAfterItsTime(t *testing.T) {
	db := pgtest.Fresh(t)
	ctx := context.Background()
	if err := durableMigrate(db); err != nil {
		t.Fatal(err)
	}
	eng := start(t, db)
	// One escalation, at 10 % of a one-minute response: 6 s away.
	owner, j := fastEmergency(t, eng, 10)
	admin, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	wakeStatus := func() (status string) {
		t.Helper()
		err := admin.QueryRow(ctx, `SELECT status FROM dbos.workflow_status WHERE name = 'opsengine.wake.v1' ORDER BY created_at LIMIT 1`).Scan(&status)
		if err != nil && err != pgx.ErrNoRows {
			t.Fatal(err)
		}
		return status
	}
	// Wait until the wake-up sleeps (its sleep is recorded), then stop.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var slept bool
		if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dbos.operation_outputs o JOIN dbos.workflow_status w USING (workflow_uuid)
			WHERE w.name = 'opsengine.wake.v1' AND o.function_name = 'DBOS.sleep')`).Scan(&slept); err != nil {
			t.Fatal(err)
		}
		if slept {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 15 s no wake-up sleeps (status %q)", wakeStatus())
		}
	}
	if err := eng.Close(ctx); err != nil {
		t.Logf("close: %v", err)
	}
	// The recorded sleep ends 6 s after it began by the wall clock; the
	// recovered run waits out what is left of it, then runs.
	eng2 := startClock(t, db, func() time.Time { return time.Now().Add(time.Hour) })
	defer eng2.Close(ctx)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st := wakeStatus()
		if st == "SUCCESS" {
			break
		}
		if (st != "PENDING" && st != "ENQUEUED") || time.Now().After(deadline) {
			t.Fatalf("the recovered wake-up is %s, want SUCCESS", st)
		}
	}
	got, err := eng2.Jobs.Get(ctx, owner, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The clock an hour ahead, the resolution's 10 % is due as well.
	if len(got.Escalations) == 0 || got.Escalations[0].Target != "RESPONSE" || got.Escalations[0].Percent != 10 {
		t.Fatalf("escalations %+v, want the response's at 10 %% first", got.Escalations)
	}
}
