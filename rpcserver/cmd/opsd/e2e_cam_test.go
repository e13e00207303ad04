package main

import (
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// TestCAMEndToEnd links an association to a contractor over HTTP, against
// an opsd process on Postgres: the association sees the contractor's
// published compliance while the link is approved, and nothing else of it.
func TestCAMEndToEnd(t *testing.T) {
	p, db := postgresOpsd(t)
	out := runOpsd(t, "create-org", "-database-url", db.URL, "-system-database-url", db.OwnerURL, "-name", "Oak Ridge HOA", "-type", "COMMUNITY_ASSOCIATION")
	o, k := orgLine.FindStringSubmatch(out), keyLine.FindStringSubmatch(out)
	if o == nil || k == nil {
		t.Fatalf("create-org printed %q", out)
	}
	hoa, acme := p.client(k[1]), p.client(p.Key)

	var link contractorops.Link
	if _, err := hoa.Do(ctx, "cam/v1/requestLink", client.NewIdempotencyKey(), contractorops.RequestLinkInput{ContractorID: p.Org}, &link); err != nil {
		t.Fatal(err)
	}
	_, err := hoa.Do(ctx, "cam/v1/approveLink", client.NewIdempotencyKey(), contractorops.LinkActionInput{LinkID: link.ID}, nil)
	wantCode(t, err, contractorops.CodeForbidden)
	var vendors contractorops.VendorComplianceList
	_, err = hoa.Do(ctx, "cam/v1/vendorCompliance", "", contractorops.VendorComplianceInput{ContractorID: p.Org}, &vendors)
	wantCode(t, err, contractorops.CodeNotFound)

	if _, err := acme.Do(ctx, "cam/v1/approveLink", client.NewIdempotencyKey(), contractorops.LinkActionInput{LinkID: link.ID}, &link); err != nil || link.Status != contractorops.LinkApproved {
		t.Fatalf("approve: %+v, %v", link, err)
	}
	if _, err := acme.Do(ctx, "contractor/v1/setBlock", client.NewIdempotencyKey(), contractorops.BlockInput{Reason: "Insurance lapsed"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := hoa.Do(ctx, "cam/v1/vendorCompliance", "", contractorops.VendorComplianceInput{}, &vendors); err != nil {
		t.Fatal(err)
	}
	if len(vendors.Items) != 1 || vendors.Items[0].ContractorID != p.Org || vendors.Items[0].Compliance == nil ||
		!vendors.Items[0].Compliance.Blocked || vendors.Items[0].Compliance.BlockReason != "Insurance lapsed" {
		t.Fatalf("the association sees %+v", vendors.Items)
	}
	// The association's key reaches nothing of the contractor's own.
	_, err = client.New(p.URL, k[1], &client.Options{Header: map[string][]string{"X-Org-Id": {p.Org}}}).Do(ctx, "contractor/v1/getCompliance", "", contractorops.ComplianceAtInput{}, nil)
	wantCode(t, err, contractorops.CodeOrganizationAccessDenied)

	if _, err := acme.Do(ctx, "cam/v1/revokeLink", client.NewIdempotencyKey(), contractorops.LinkActionInput{LinkID: link.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := hoa.Do(ctx, "cam/v1/vendorCompliance", "", contractorops.VendorComplianceInput{}, &vendors); err != nil || len(vendors.Items) != 0 {
		t.Fatalf("revoked: the association sees %+v, %v", vendors.Items, err)
	}
}
