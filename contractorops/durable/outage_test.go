package durable_test

import (
	"context"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// TestWakeUpOutlivesPostgresOutage: an SLA wake-up falls due while
// Postgres is down for several seconds (crashed, then started again); it
// retries until the database is back and records its escalation, rather
// than ending its workflow in ERROR.
func TestWakeUpOutlivesPostgresOutage(t *testing.T) {
	cluster := pgtest.StartCluster(t)
	db := cluster.DB(t)
	ctx := context.Background()
	if err := durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, ""); err != nil {
		t.Fatal(err)
	}
	eng := start(t, db)
	org, err := eng.Organizations.Create(ctx, platform, "org", contractorops.CreateOrganizationInput{Name: "Outage Co", Type: contractorops.OrgServiceProvider})
	if err != nil {
		t.Fatal(err)
	}
	owner := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "u"}, Role: contractorops.RoleOwner}
	// Escalate at 5 % of a one-minute response: after 3 s.
	policies := jobfsm.DefaultPolicies()
	policies[jobfsm.PriorityEmergency] = jobfsm.Policy{Name: "FAST", ResponseMinutes: 1, ResolutionMinutes: 600, WallClock: true, Escalations: []int{5}}
	if _, err := eng.SLA.UpdateSettings(ctx, owner, "sla", contractorops.UpdateSLASettingsInput{Policies: policies, BusinessHours: contractorops.DefaultBusinessHours()}); err != nil {
		t.Fatal(err)
	}
	j, err := eng.Jobs.Create(ctx, owner, "job", contractorops.CreateJobInput{Title: "Gas smell", Priority: jobfsm.PriorityEmergency})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(j.CreatedAt.Add(time.Second)))
	if err := cluster.Crash(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(7 * time.Second) // the wake-up falls due at 3 s and finds no database
	if err := cluster.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		got, err := eng.Jobs.Get(ctx, owner, j.ID)
		if err == nil && len(got.Escalations) == 1 {
			if e := got.Escalations[0]; e.Percent != 5 || e.At.Before(e.DueAt) {
				t.Fatalf("escalation = %+v", e)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("90 s after Postgres came back the job has no escalation (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
