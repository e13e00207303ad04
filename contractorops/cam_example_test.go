package contractorops_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// printBridge is a CAM host that prints what it receives.
type printBridge struct{}

func (printBridge) DeliverCAMEvent(_ context.Context, ev contractorops.CAMEvent) error {
	if ev.Type == jobfsm.EventWorkOrderStatus {
		fmt.Println("work order", ev.ExternalRef, "→", ev.WorkOrderStatus)
	}
	return nil
}

// An association approves a contractor as its vendor and reads the
// compliance the contractor publishes; the contractor's work order status
// flows back to the association's CAM system through the host's bridge.
func ExampleCAMService() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC) }
	eng, err := contractorops.New(memstore.New(), &contractorops.Config{Clock: clock, CAMBridge: printBridge{}})
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)
	owner := func(name string, typ contractorops.OrganizationType) contractorops.Scope {
		org, err := eng.Organizations.Create(ctx, contractorops.PlatformScope("setup"), "org-"+name,
			contractorops.CreateOrganizationInput{Name: name, Type: typ})
		if err != nil {
			panic(err)
		}
		return contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "owner"}, Role: contractorops.RoleOwner}
	}
	acme := owner("Acme Heating & Plumbing", contractorops.OrgServiceProvider)
	hoa := owner("Oak Ridge HOA", contractorops.OrgCommunityAssociation)

	link, err := eng.CAM.RequestLink(ctx, hoa, "link-acme", contractorops.RequestLinkInput{ContractorID: acme.OrganizationID})
	if err != nil {
		panic(err)
	}
	fmt.Println(link.ContractorName, link.Status)
	if _, err := eng.CAM.ApproveLink(ctx, acme, "approve-oak-ridge", contractorops.LinkActionInput{LinkID: link.ID}); err != nil {
		panic(err)
	}
	if _, err := eng.Contractor.SetBlock(ctx, acme, "block", "W-9 missing"); err != nil {
		panic(err)
	}
	vendors, err := eng.CAM.VendorCompliance(ctx, hoa, contractorops.VendorComplianceInput{})
	if err != nil {
		panic(err)
	}
	for _, v := range vendors.Items {
		fmt.Println(v.ContractorName, "compliant:", v.Compliance.Compliant, "blocked:", v.Compliance.BlockReason)
	}

	job, err := eng.Jobs.Create(ctx, acme, "wo-77", contractorops.CreateJobInput{
		Title: "Pool gate latch", Source: jobfsm.SourceWorkOrder, ExternalRef: "WO-77", AssociationID: hoa.OrganizationID,
	})
	if err != nil {
		panic(err)
	}
	if _, err := eng.Jobs.UpdateStatus(ctx, acme, "wo-77-cancel", contractorops.UpdateJobStatusInput{
		ID: job.ID, Status: jobfsm.JobCancelled, ReasonCode: "CUSTOMER_CANCELLED",
	}); err != nil {
		panic(err)
	}
	if _, err := eng.RunTaskFor(ctx, "cam-delivery", clock(), acme.OrganizationID); err != nil {
		panic(err)
	}
	// Output:
	// Acme Heating & Plumbing PENDING
	// Acme Heating & Plumbing compliant: false blocked: W-9 missing
	// work order WO-77 → CANCELLED
}
