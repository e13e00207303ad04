package contractorops_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// The embedded engine runs in memory with no set-up: create an organization,
// open a job, and move it through its lifecycle. Every mutation carries an
// idempotency key; a refused move names the rule that refused it.
func Example() {
	ctx := context.Background()
	// A fixed clock keeps the example's output stable; the default is
	// time.Now.
	clock := func() time.Time { return time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC) }
	eng, err := contractorops.New(memstore.New(), &contractorops.Config{Clock: clock})
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)

	org, err := eng.Organizations.Create(ctx, contractorops.PlatformScope("setup"), "org-acme",
		contractorops.CreateOrganizationInput{Name: "Acme Heating & Plumbing", Type: contractorops.OrgServiceProvider})
	if err != nil {
		panic(err)
	}
	dispatcher := contractorops.Scope{
		OrganizationID: org.ID,
		Actor:          contractorops.Actor{Kind: contractorops.ActorUser, ID: "dana"},
		Role:           contractorops.RoleDispatcher,
	}

	job, err := eng.Jobs.Create(ctx, dispatcher, "call-1001", contractorops.CreateJobInput{
		Title: "No heat upstairs", Trade: "HVAC", Priority: jobfsm.PriorityHigh,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(job.Number, job.Status(), job.SLA.Name)

	// The same key returns the same job: a retried request changes nothing.
	again, _ := eng.Jobs.Create(ctx, dispatcher, "call-1001", contractorops.CreateJobInput{
		Title: "No heat upstairs", Trade: "HVAC", Priority: jobfsm.PriorityHigh,
	})
	fmt.Println(again.ID == job.ID)

	// A job cannot be dispatched before it is scheduled.
	_, err = eng.Jobs.UpdateStatus(ctx, dispatcher, "move-1", contractorops.UpdateJobStatusInput{ID: job.ID, Status: jobfsm.JobDispatched})
	var e *contractorops.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.FieldErrors[0].Code)
	}
	// Output:
	// JOB-2026-00001 TICKET HIGH
	// true
	// ILLEGAL_TRANSITION NOT_IN_TABLE
}
