package durable_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// TestRetryAfterCommitDoesNotRepeat: a command whose transaction committed
// and whose workflow then failed with a retryable fault (here, starting the
// job's SLA wake-up fails, as it does when Postgres goes away between the
// two) is retried with the same key: the retry replays the committed
// transaction and finishes the command — one job, not two.
func TestRetryAfterCommitDoesNotRepeat(t *testing.T) {
	db := pgtest.Fresh(t)
	ctx := context.Background()
	if err := durableMigrate(db); err != nil {
		t.Fatal(err)
	}
	eng := start(t, db)
	org, err := eng.Organizations.Create(ctx, platform, "org", contractorops.CreateOrganizationInput{Name: "Retry Co", Type: contractorops.OrgServiceProvider})
	if err != nil {
		t.Fatal(err)
	}
	owner := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "u"}, Role: contractorops.RoleOwner}
	admin, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// The fault: no wake-up workflow may start.
	if _, err := admin.Exec(ctx, `
		CREATE FUNCTION test_no_wake() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.name = 'opsengine.wake.v1' THEN RAISE EXCEPTION 'injected fault'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER test_no_wake BEFORE INSERT ON dbos.workflow_status FOR EACH ROW EXECUTE FUNCTION test_no_wake();`); err != nil {
		t.Fatal(err)
	}
	in := contractorops.CreateJobInput{Title: "Gas smell", Priority: jobfsm.PriorityEmergency}
	_, err = eng.Jobs.Create(ctx, owner, "job", in)
	if e := contractorops.AsError(err); err == nil || !e.Retryable {
		t.Fatalf("create with the fault = %v, want a retryable error", err)
	}
	if _, err := admin.Exec(ctx, `DROP TRIGGER test_no_wake ON dbos.workflow_status`); err != nil {
		t.Fatal(err)
	}
	j, err := eng.Jobs.Create(ctx, owner, "job", in)
	if err != nil {
		t.Fatal(err)
	}
	page, err := eng.Jobs.List(ctx, owner, contractorops.ListJobsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != j.ID {
		t.Fatalf("%d jobs after the retry, want 1 (%s)", len(page.Items), j.ID)
	}
	var wakes int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM dbos.workflow_status WHERE name = 'opsengine.wake.v1'`).Scan(&wakes); err != nil {
		t.Fatal(err)
	}
	if wakes != 1 {
		t.Errorf("%d wake-up workflows, want the retry's one", wakes)
	}
}
