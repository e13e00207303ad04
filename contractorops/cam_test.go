package contractorops_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// testBridge is a CAM host: it keeps the events it accepted, and refuses
// those fail says to refuse.
type testBridge struct {
	mu       sync.Mutex
	accepted []contractorops.CAMEvent
	attempts int
	fail     func(ev contractorops.CAMEvent) error
}

func (b *testBridge) DeliverCAMEvent(_ context.Context, ev contractorops.CAMEvent) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.attempts++
	if b.fail != nil {
		if err := b.fail(ev); err != nil {
			return err
		}
	}
	b.accepted = append(b.accepted, ev)
	return nil
}

func (b *testBridge) setFail(fn func(ev contractorops.CAMEvent) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = fn
}

// of returns the events accepted for org, in the order accepted.
func (b *testBridge) of(org string) []contractorops.CAMEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []contractorops.CAMEvent
	for _, ev := range b.accepted {
		if ev.OrganizationID == org {
			out = append(out, ev)
		}
	}
	return out
}

// organization creates an organization of the given type on f's engine and
// returns its owner's scope.
func (f *fixture) organization(t testing.TB, name string, typ contractorops.OrganizationType) contractorops.Scope {
	t.Helper()
	key := fmt.Sprintf("org-%s-%s-%d", name, t.Name(), time.Now().UnixNano())
	org := must(f.eng.Organizations.Create(context.Background(), platform, key, contractorops.CreateOrganizationInput{Name: name, Type: typ}))(t)
	return contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "owner-" + name}, Role: contractorops.RoleOwner}
}

func TestCAMLinkLifecycle(t *testing.T) { eachStore(t, testCAMLinkLifecycle) }

func testCAMLinkLifecycle(t *testing.T, f *fixture) {
	ctx := context.Background()
	cam := f.eng.CAM
	hoa := f.organization(t, "Oak Ridge HOA", contractorops.OrgCommunityAssociation)
	other := f.organization(t, "Pine Hills HOA", contractorops.OrgCommunityAssociation)
	rival := f.organization(t, "Rival Plumbing", contractorops.OrgServiceProvider)
	req := contractorops.RequestLinkInput{ContractorID: f.org, Note: "Please join our vendor list"}

	// Who may request what.
	_, err := cam.RequestLink(ctx, rival, "r0", req)
	wantCode(t, err, contractorops.CodeForbidden) // a contractor is not an association
	_, err = cam.RequestLink(ctx, hoa, "r1", contractorops.RequestLinkInput{ContractorID: other.OrganizationID})
	wantCode(t, err, contractorops.CodeForbidden) // an association is not a contractor
	_, err = cam.RequestLink(ctx, hoa, "r2", contractorops.RequestLinkInput{ContractorID: hoa.OrganizationID})
	wantCode(t, err, contractorops.CodeForbidden)
	_, err = cam.RequestLink(ctx, hoa, "r3", contractorops.RequestLinkInput{ContractorID: "0b0c0d0e-0000-4000-8000-0000000000ff"})
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = cam.RequestLink(ctx, hoa, "r4", contractorops.RequestLinkInput{ContractorID: "acme"})
	wantCode(t, err, contractorops.CodeValidationFailed)
	dispatcher := hoa
	dispatcher.Role = contractorops.RoleDispatcher
	_, err = cam.RequestLink(ctx, dispatcher, "r5", req)
	wantCode(t, err, contractorops.CodeForbidden)

	l := must(cam.RequestLink(ctx, hoa, "request", req))(t)
	if l.Status != contractorops.LinkPending || l.AssociationID != hoa.OrganizationID || l.ContractorID != f.org ||
		l.AssociationName != "Oak Ridge HOA" || l.ContractorName != "Acme Heating & Plumbing" || l.Version != 1 {
		t.Fatalf("requested link = %+v", l)
	}
	// The retried request is the same link.
	if again := must(cam.RequestLink(ctx, hoa, "request", req))(t); again.ID != l.ID || again.Version != 1 {
		t.Fatalf("replayed request = %+v", again)
	}
	_, err = cam.RequestLink(ctx, hoa, "request-twice", req)
	wantCode(t, err, contractorops.CodeIllegalTransition)

	// Both parties see the link; no one else does.
	for _, s := range []contractorops.Scope{hoa, f.owner} {
		links := must(cam.ListLinks(ctx, s, contractorops.ListLinksInput{}))(t)
		if len(links.Items) != 1 || links.Items[0].ID != l.ID {
			t.Fatalf("%s lists %+v", s.OrganizationID, links.Items)
		}
	}
	for _, s := range []contractorops.Scope{other, rival} {
		if links := must(cam.ListLinks(ctx, s, contractorops.ListLinksInput{}))(t); len(links.Items) != 0 {
			t.Fatalf("a third organization lists %+v", links.Items)
		}
		_, err := cam.ApproveLink(ctx, s, "third-approve", contractorops.LinkActionInput{LinkID: l.ID})
		wantCode(t, err, contractorops.CodeNotFound)
		_, err = cam.RevokeLink(ctx, s, "third-revoke", contractorops.LinkActionInput{LinkID: l.ID})
		wantCode(t, err, contractorops.CodeNotFound)
	}

	act := func(s contractorops.Scope, do func(context.Context, contractorops.Scope, string, contractorops.LinkActionInput) (*contractorops.Link, error), key string) (*contractorops.Link, error) {
		return do(ctx, s, key, contractorops.LinkActionInput{LinkID: l.ID, Reason: key})
	}
	// Only the contractor approves or rejects.
	_, err = act(hoa, cam.ApproveLink, "hoa-approves")
	wantCode(t, err, contractorops.CodeForbidden)
	_, err = act(hoa, cam.RejectLink, "hoa-rejects")
	wantCode(t, err, contractorops.CodeForbidden)
	_, err = act(f.owner, cam.SuspendLink, "suspend-pending")
	wantCode(t, err, contractorops.CodeIllegalTransition)
	l = must(act(f.owner, cam.ApproveLink, "approve"))(t)
	if l.Status != contractorops.LinkApproved {
		t.Fatalf("approved link = %+v", l)
	}
	// Approving publishes the contractor's compliance, which it never
	// computed before.
	if v := must(cam.VendorCompliance(ctx, hoa, contractorops.VendorComplianceInput{}))(t); len(v.Items) != 1 || v.Items[0].Compliance == nil || v.Items[0].Compliance.Compliant {
		t.Fatalf("approved: the association sees %+v", v.Items)
	}
	_, err = act(f.owner, cam.ApproveLink, "approve-again")
	wantCode(t, err, contractorops.CodeIllegalTransition)

	// Either side suspends; only that side reinstates.
	l = must(act(f.owner, cam.SuspendLink, "suspend"))(t)
	if l.Status != contractorops.LinkSuspended || l.SuspendedBy != contractorops.SideContractor {
		t.Fatalf("suspended link = %+v", l)
	}
	_, err = act(hoa, cam.ReinstateLink, "hoa-reinstates")
	wantCode(t, err, contractorops.CodeForbidden)
	l = must(act(f.owner, cam.ReinstateLink, "reinstate"))(t)
	l = must(act(hoa, cam.SuspendLink, "hoa-suspends"))(t)
	if l.SuspendedBy != contractorops.SideAssociation {
		t.Fatalf("suspended by the association: %+v", l)
	}
	_, err = act(f.owner, cam.ReinstateLink, "contractor-reinstates")
	wantCode(t, err, contractorops.CodeForbidden)
	l = must(act(hoa, cam.RevokeLink, "revoke"))(t)
	if l.Status != contractorops.LinkRevoked {
		t.Fatalf("revoked link = %+v", l)
	}
	_, err = act(f.owner, cam.ReinstateLink, "reinstate-revoked")
	wantCode(t, err, contractorops.CodeIllegalTransition)

	// A revoked link may be requested again; the contractor rejects it.
	l = must(cam.RequestLink(ctx, hoa, "request-again", req))(t)
	if l.Status != contractorops.LinkPending {
		t.Fatalf("requested again: %+v", l)
	}
	l = must(act(f.owner, cam.RejectLink, "reject"))(t)
	_, err = act(f.owner, cam.RejectLink, "reject-again")
	wantCode(t, err, contractorops.CodeIllegalTransition)
	var path []contractorops.LinkStatus
	for _, h := range l.History {
		path = append(path, h.To)
	}
	want := []contractorops.LinkStatus{"PENDING", "APPROVED", "SUSPENDED", "APPROVED", "SUSPENDED", "REVOKED", "PENDING", "REJECTED"}
	if !slices.Equal(path, want) || l.History[7].Side != contractorops.SideContractor || l.History[7].Reason != "reject" {
		t.Fatalf("history = %v (%+v), want %v", path, l.History[7], want)
	}
	if rejected := must(cam.ListLinks(ctx, hoa, contractorops.ListLinksInput{Status: contractorops.LinkRejected}))(t); len(rejected.Items) != 1 {
		t.Fatalf("rejected links: %+v", rejected.Items)
	}

	// Neither side learns who acted on the other.
	for _, s := range []contractorops.Scope{hoa, f.owner} {
		resp := must(f.eng.Execute(ctx, s, "cam/v1/listLinks", "", &contractorops.ListLinksInput{}))(t)
		for _, actor := range []string{hoa.Actor.ID, f.owner.Actor.ID} {
			if strings.Contains(string(resp.Data), `"`+actor+`"`) {
				t.Errorf("%s's links name the actor %q: %s", s.OrganizationID, actor, resp.Data)
			}
		}
	}
	// Each side's writes are in its own audit trail.
	for _, s := range []contractorops.Scope{hoa, f.owner} {
		trail := must(f.eng.Feed.Audit(ctx, s, contractorops.ListAuditInput{Entity: "cam_links", EntityID: l.ID}))(t)
		if len(trail.Items) == 0 || trail.Items[0].Actor != s.Actor {
			t.Fatalf("%s's audit trail of the link: %+v", s.OrganizationID, trail.Items)
		}
	}
}

func TestCAMVendorCompliance(t *testing.T) { eachStore(t, testCAMVendorCompliance) }

func testCAMVendorCompliance(t *testing.T, f *fixture) {
	ctx := context.Background()
	cam := f.eng.CAM
	hoa := f.organization(t, "Oak Ridge HOA", contractorops.OrgManagementCompany)
	other := f.organization(t, "Pine Hills HOA", contractorops.OrgCommunityAssociation)
	f.makeCompliant(t)
	own := must(f.eng.Contractor.RefreshCompliance(ctx, f.owner, "refresh"))(t)
	if !own.Compliant {
		t.Fatalf("the fixture is not compliant: %+v", own)
	}

	// readable is what each store admits, asked directly.
	readable := func(org string) int {
		t.Helper()
		var n int
		err := f.store.InTx(ctx, org, func(tx contractorops.Tx) error {
			rows, err := tx.(contractorops.SharedTx).FindPublished(ctx, f.org)
			n = len(rows)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	sees := func(s contractorops.Scope) *contractorops.VendorComplianceList {
		t.Helper()
		return must(cam.VendorCompliance(ctx, s, contractorops.VendorComplianceInput{}))(t)
	}
	one := func(s contractorops.Scope) (*contractorops.VendorComplianceList, error) {
		return cam.VendorCompliance(ctx, s, contractorops.VendorComplianceInput{ContractorID: f.org})
	}
	hidden := func(when string) {
		t.Helper()
		if got := sees(hoa); len(got.Items) != 0 {
			t.Fatalf("%s: the association sees %+v", when, got.Items)
		}
		_, err := one(hoa)
		wantCode(t, err, contractorops.CodeNotFound)
		if n := readable(hoa.OrganizationID); n != 0 {
			t.Fatalf("%s: the store gives the association %d published rows", when, n)
		}
	}
	if n := readable(f.org); n != 1 {
		t.Fatalf("the contractor reads %d published rows of its own, want 1", n)
	}
	hidden("no link")
	l := must(cam.RequestLink(ctx, hoa, "request", contractorops.RequestLinkInput{ContractorID: f.org}))(t)
	hidden("pending")

	must(cam.ApproveLink(ctx, f.owner, "approve", contractorops.LinkActionInput{LinkID: l.ID}))(t)
	got := must(one(hoa))(t)
	if len(got.Items) != 1 || got.Items[0].Compliance == nil || got.Items[0].LinkID != l.ID {
		t.Fatalf("approved: the association sees %+v", got.Items)
	}
	p := got.Items[0].Compliance
	if p.ContractorID != f.org || !p.CheckedAt.Equal(own.At) || p.Compliant != own.Compliant || p.Score != own.Score ||
		p.HasValidLicense != own.HasValidLicense || p.HasValidInsurance != own.HasValidInsurance ||
		p.MeetsMinimumCoverage != own.MeetsMinimumCoverage || p.W9OnFile != own.W9OnFile ||
		!p.EarliestInsuranceExpiry.Equal(own.EarliestInsuranceExpiry) || !p.EarliestLicenseExpiry.Equal(own.EarliestLicenseExpiry) || p.Blocked {
		t.Fatalf("published %+v, computed %+v", p, own)
	}
	if n := readable(hoa.OrganizationID); n != 1 {
		t.Fatalf("approved: the store gives the association %d published rows, want 1", n)
	}
	// Only the published fields: no document, number, carrier or problem.
	resp := must(f.eng.Execute(ctx, hoa, "cam/v1/vendorCompliance", "", &contractorops.VendorComplianceInput{}))(t)
	for _, secret := range []string{"HVAC-1", "GL-1", "Travelers", "Maryland", "problems", "policy", "licenses"} {
		if strings.Contains(string(resp.Data), secret) {
			t.Errorf("the association's view holds %q: %s", secret, resp.Data)
		}
	}
	// Nothing else of the contractor: its compliance and jobs are its own.
	if c, err := f.eng.Contractor.GetCompliance(ctx, hoa, contractorops.ComplianceAtInput{}); err == nil && c.Compliant {
		t.Fatalf("the association reads the contractor's compliance as its own: %+v", c)
	}
	_, err := cam.VendorCompliance(ctx, hoa, contractorops.VendorComplianceInput{ContractorID: hoa.OrganizationID})
	wantCode(t, err, contractorops.CodeNotFound)
	// A third association sees nothing.
	if got := sees(other); len(got.Items) != 0 {
		t.Fatalf("a third organization sees %+v", got.Items)
	}
	_, err = one(other)
	wantCode(t, err, contractorops.CodeNotFound)
	if n := readable(other.OrganizationID); n != 0 {
		t.Fatalf("the store gives a third organization %d published rows", n)
	}

	// A block is published at once, with its reason; lifting it too.
	must(f.eng.Contractor.SetBlock(ctx, f.owner, "block", "W-9 missing"))(t)
	p = must(one(hoa))(t).Items[0].Compliance
	if !p.Blocked || p.BlockReason != "W-9 missing" || p.Compliant {
		t.Fatalf("after a block the association sees %+v", p)
	}
	must(f.eng.Contractor.ClearBlock(ctx, f.owner, "unblock", "W-9 received"))(t)
	if p = must(one(hoa))(t).Items[0].Compliance; p.Blocked || p.BlockReason != "" || !p.Compliant {
		t.Fatalf("after the block is lifted the association sees %+v", p)
	}

	// Suspended, then revoked: hidden again.
	must(cam.SuspendLink(ctx, f.owner, "suspend", contractorops.LinkActionInput{LinkID: l.ID}))(t)
	hidden("suspended")
	must(cam.ReinstateLink(ctx, f.owner, "reinstate", contractorops.LinkActionInput{LinkID: l.ID}))(t)
	if got := sees(hoa); len(got.Items) != 1 {
		t.Fatalf("reinstated: the association sees %+v", got.Items)
	}
	must(cam.RevokeLink(ctx, hoa, "revoke", contractorops.LinkActionInput{LinkID: l.ID}))(t)
	hidden("revoked")
}

// TestCAMStoreGuards checks, on every store, that a store itself refuses
// what the engine never asks: an association approving its own link, a
// link it is no party of, a link born approved.
func TestCAMStoreGuards(t *testing.T) { eachStore(t, testCAMStoreGuards) }

func testCAMStoreGuards(t *testing.T, f *fixture) {
	ctx := context.Background()
	hoa := f.organization(t, "Oak Ridge HOA", contractorops.OrgCommunityAssociation)
	other := f.organization(t, "Pine Hills HOA", contractorops.OrgCommunityAssociation)
	l := must(f.eng.CAM.RequestLink(ctx, hoa, "request", contractorops.RequestLinkInput{ContractorID: f.org}))(t)
	in := func(org string, fn func(sh contractorops.SharedTx) error) error {
		return f.store.InTx(ctx, org, func(tx contractorops.Tx) error { return fn(tx.(contractorops.SharedTx)) })
	}
	err := in(hoa.OrganizationID, func(sh contractorops.SharedTx) error {
		r, err := sh.GetLink(ctx, l.ID)
		if err != nil {
			return err
		}
		r.Status = contractorops.LinkApproved
		return sh.UpdateLink(ctx, r)
	})
	wantCode(t, err, contractorops.CodeForbidden)
	err = in(other.OrganizationID, func(sh contractorops.SharedTx) error {
		return sh.InsertLink(ctx, contractorops.LinkRow{ID: "forged", Association: hoa.OrganizationID, Contractor: f.org, Status: contractorops.LinkPending, Data: []byte(`{}`)})
	})
	wantCode(t, err, contractorops.CodeForbidden)
	err = in(other.OrganizationID, func(sh contractorops.SharedTx) error {
		return sh.InsertLink(ctx, contractorops.LinkRow{ID: "born-approved", Association: other.OrganizationID, Contractor: f.org, Status: contractorops.LinkApproved, Data: []byte(`{}`)})
	})
	wantCode(t, err, contractorops.CodeForbidden)
	err = in(other.OrganizationID, func(sh contractorops.SharedTx) error {
		_, err := sh.GetLink(ctx, l.ID)
		return err
	})
	wantCode(t, err, contractorops.CodeNotFound)
	if got := must(f.eng.CAM.ListLinks(ctx, hoa, contractorops.ListLinksInput{}))(t); len(got.Items) != 1 || got.Items[0].Status != contractorops.LinkPending {
		t.Fatalf("after the refusals: %+v", got.Items)
	}
}

// camJob creates a job from a CAM work order and cancels it: a status
// change, a work-order status and a case status for the CAM host.
func (f *fixture) camJob(t testing.TB, key string, source jobfsm.SourceType) *contractorops.Job {
	t.Helper()
	ctx := context.Background()
	in := contractorops.CreateJobInput{Title: "Gate motor " + key, Source: source, ExternalRef: "WO-" + key, AssociationID: "assoc-1"}
	if source == jobfsm.SourceDirectCustomer {
		in.ExternalRef, in.AssociationID = "", ""
	}
	j := must(f.eng.Jobs.Create(ctx, f.owner, key, in))(t)
	return must(f.eng.Jobs.UpdateStatus(ctx, f.owner, key+"-cancel", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCancelled, ReasonCode: "CUSTOMER_CANCELLED"}))(t)
}

// camEvents lists, from the outbox, the events of the jobs that a CAM host
// should get, in order.
func (f *fixture) camEvents(t testing.TB, jobs ...*contractorops.Job) []contractorops.Event {
	t.Helper()
	page := must(f.eng.Events.List(context.Background(), f.owner, contractorops.ListEventsInput{Limit: 1000}))(t)
	var out []contractorops.Event
	for _, ev := range page.Items {
		switch ev.Type {
		case jobfsm.EventStatusChanged, jobfsm.EventWorkOrderStatus, jobfsm.EventCaseStatus:
		default:
			continue
		}
		if slices.ContainsFunc(jobs, func(j *contractorops.Job) bool { return j.ID == ev.JobID }) {
			out = append(out, ev)
		}
	}
	return out
}

func TestCAMDelivery(t *testing.T) { eachStore(t, testCAMDelivery) }

func testCAMDelivery(t *testing.T, f *fixture) {
	ctx := context.Background()
	g := newFixtureWith(t, f.eng, f.clock, f.store, "b")
	j1 := f.camJob(t, "j1", jobfsm.SourceWorkOrder)
	direct := f.camJob(t, "d1", jobfsm.SourceDirectCustomer)
	j2 := f.camJob(t, "j2", jobfsm.SourceViolation)
	gj := g.camJob(t, "g1", jobfsm.SourceARCRequest)
	want := f.camEvents(t, j1, j2)
	if n := len(f.camEvents(t, direct)); n == 0 || len(want) < 4 {
		t.Fatalf("the fixture's outbox: %d CAM events, %d of the direct job", len(want), n)
	}
	var firstOfJ2 string
	for _, ev := range want {
		if ev.JobID == j2.ID {
			firstOfJ2 = f.org + "/" + ev.ID
			break
		}
	}
	// The host is down for j2 and for every event of organization b… at first.
	down := errors.New("CAM host unavailable")
	f.bridge.setFail(func(ev contractorops.CAMEvent) error {
		if ev.EventID == firstOfJ2 || ev.OrganizationID == g.org {
			return down
		}
		return nil
	})
	run := func(tick time.Time, orgs ...string) *contractorops.TaskReport {
		t.Helper()
		return must(f.eng.RunTaskFor(ctx, "cam-delivery", tick, orgs...))(t)
	}
	tick := f.clock.Now()
	rep := run(tick, f.org, g.org)
	if len(rep.Failures) != 2 {
		t.Fatalf("first run: %+v", rep)
	}
	got := f.bridge.of(f.org)
	if len(got) == 0 || got[len(got)-1].JobID != j1.ID || slices.ContainsFunc(got, func(ev contractorops.CAMEvent) bool { return ev.JobID == j2.ID }) {
		t.Fatalf("first run delivered %+v", got)
	}
	st := must(f.eng.CAM.DeliveryStatus(ctx, f.owner))(t)
	if !st.Configured || st.FailedEventID != firstOfJ2 || !strings.Contains(st.LastError, "CAM host unavailable") || st.Failures != 1 ||
		st.LastSeq != st.FailedSeq-1 || st.Delivered != int64(len(got)) {
		t.Fatalf("status after a failure: %+v", st)
	}
	// Still down: the next run stops at the same event.
	run(tick.Add(time.Minute), f.org)
	if st = must(f.eng.CAM.DeliveryStatus(ctx, f.owner))(t); st.Failures != 2 || st.FailedEventID != firstOfJ2 || len(f.bridge.of(f.org)) != len(got) {
		t.Fatalf("status after a second failure: %+v", st)
	}

	// Up again for a: the run resumes at the failed event; b still fails
	// and blocks nothing of a.
	f.bridge.setFail(func(ev contractorops.CAMEvent) error {
		if ev.OrganizationID == g.org {
			return down
		}
		return nil
	})
	rep = run(tick.Add(2*time.Minute), f.org, g.org)
	if len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], g.org) {
		t.Fatalf("third run: %+v", rep)
	}
	checkDelivered := func(when string) {
		t.Helper()
		got := f.bridge.of(f.org)
		if len(got) != len(want) {
			t.Fatalf("%s: delivered %d events, want %d", when, len(got), len(want))
		}
		for i, ev := range want {
			d := got[i]
			if d.EventID != f.org+"/"+ev.ID || d.Seq != ev.Seq || d.Type != ev.Type || d.JobNumber != ev.JobNumber ||
				d.ExternalRef != ev.ExternalRef || d.AssociationID != "assoc-1" || d.WorkOrderStatus != ev.Detail.WorkOrderStatus ||
				d.To != ev.Detail.To || d.CaseStatus != ev.Detail.CaseStatus || d.Source != ev.Source {
				t.Fatalf("%s: delivery %d = %+v, outbox %+v", when, i, d, ev)
			}
		}
	}
	checkDelivered("resumed")
	if !slices.ContainsFunc(f.bridge.of(f.org), func(ev contractorops.CAMEvent) bool {
		return ev.JobID == j2.ID && ev.WorkOrderStatus == jobfsm.WorkOrderCancelled
	}) {
		t.Fatal("the violation's cancellation was not delivered as a work-order status")
	}
	st = must(f.eng.CAM.DeliveryStatus(ctx, f.owner))(t)
	if st.FailedEventID != "" || st.LastError != "" || st.Failures != 0 || st.Delivered != int64(len(want)) || st.LastDeliveredEventID != f.org+"/"+want[len(want)-1].ID {
		t.Fatalf("status after recovery: %+v", st)
	}
	if gs := must(g.eng.CAM.DeliveryStatus(ctx, g.owner))(t); gs.Failures != 2 || gs.Delivered != 0 {
		t.Fatalf("organization b's status: %+v", gs)
	}

	// Running again, or replaying a tick, delivers nothing new.
	attempts := f.bridge.attempts
	if rep := run(tick.Add(3*time.Minute), f.org); rep.Actions != 0 || len(rep.Failures) != 0 {
		t.Fatalf("a run with nothing new: %+v", rep)
	}
	run(tick.Add(2*time.Minute), f.org)
	idle := must(f.eng.CAM.Deliver(ctx, f.owner, "idle", contractorops.DeliverInput{}))(t)
	checkDelivered("run again")
	if f.bridge.attempts != attempts || idle.Delivered != 0 || idle.LastSeq != st.LastSeq || idle.Error != "" {
		t.Fatalf("running again called the bridge %d times; deliver reported %+v", f.bridge.attempts-attempts, idle)
	}

	// b's host comes back: its events arrive, its own.
	f.bridge.setFail(nil)
	run(tick.Add(4*time.Minute), g.org)
	gotB := f.bridge.of(g.org)
	if len(gotB) == 0 || slices.ContainsFunc(gotB, func(ev contractorops.CAMEvent) bool { return ev.JobID != gj.ID }) {
		t.Fatalf("organization b's deliveries: %+v", gotB)
	}

	// An engine without a bridge delivers nothing and moves no cursor.
	bare := must(contractorops.New(f.store, &contractorops.Config{Clock: f.clock.Now}))(t)
	t.Cleanup(func() { bare.Close(context.Background()) })
	j3 := f.camJob(t, "j3", jobfsm.SourceWorkOrder)
	before := must(f.eng.CAM.DeliveryStatus(ctx, f.owner))(t)
	if rep := must(bare.RunTaskFor(ctx, "cam-delivery", tick.Add(5*time.Minute), f.org))(t); rep.Actions != 0 || len(rep.Failures) != 0 {
		t.Fatalf("without a bridge: %+v", rep)
	}
	if r := must(bare.CAM.Deliver(ctx, f.owner, "bare-deliver", contractorops.DeliverInput{}))(t); r.Configured || r.Delivered != 0 {
		t.Fatalf("deliver without a bridge: %+v", r)
	}
	after := must(bare.CAM.DeliveryStatus(ctx, f.owner))(t)
	if after.Configured || after.LastSeq != before.LastSeq || after.Version != before.Version {
		t.Fatalf("without a bridge the status went from %+v to %+v", before, after)
	}
	// The explicit command delivers the rest.
	r := must(f.eng.CAM.Deliver(ctx, f.owner, "deliver", contractorops.DeliverInput{}))(t)
	want = f.camEvents(t, j1, j2, j3)
	if r.Delivered != len(f.camEvents(t, j3)) || r.Error != "" {
		t.Fatalf("deliver: %+v", r)
	}
	checkDelivered("after the explicit delivery")
}
