package main

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// call runs one procedure with a fresh idempotency key (or none for a
// query) and fails the test on an error.
func call[In, Out any](t *testing.T, c *client.Client, proc string, mutation bool, in In) *Out {
	t.Helper()
	key := ""
	if mutation {
		key = client.NewIdempotencyKey()
	}
	out, err := client.Call[In, Out](ctx, c, proc, key, in)
	if err != nil {
		t.Fatalf("%s: %v", proc, err)
	}
	return out
}

func money(s string) pricing.Money { return pricing.MustMoney(s, "USD") }

// work is the whole life of a job over HTTP only: a compliant contractor
// with a technician and a pricebook takes a call, estimates it, the
// customer accepts, dispatch puts the technician on it, the technician
// walks the visit from their own key, the office completes and invoices
// it, and the payment settles it.
func (s *story) work(t *testing.T) {
	c := s.c
	// Compliance: a license and insurance in force.
	call[contractorops.LicenseInput, contractorops.License](t, c, "contractor/v1/addLicense", true, contractorops.LicenseInput{
		Type: "Master Plumber", Number: "MP-77", IssuingAuthority: "State Board", Trade: contractorops.TradePlumbing, Status: contractorops.LicenseActive})
	call[contractorops.InsuranceInput, contractorops.InsurancePolicy](t, c, "contractor/v1/addInsurance", true, contractorops.InsuranceInput{
		Type: contractorops.InsuranceGeneralLiability, Carrier: "Travelers", PolicyNumber: "GL-77", CoverageAmount: decimal.RequireFromString("1000000"),
		EffectiveAt: time.Now().AddDate(-1, 0, 0), ExpiresAt: time.Now().AddDate(1, 0, 0), Status: contractorops.InsuranceActive})

	// A plumber on call around the clock, based downtown.
	lat, lng := 41.88, -87.63
	tech := call[contractorops.TechnicianInput, contractorops.Technician](t, c, "technician/v1/create", true, contractorops.TechnicianInput{
		FirstName: "Pat", LastName: "Plumber", Home: contractorops.Address{City: "Chicago", Lat: &lat, Lng: &lng}})
	ref := contractorops.TechnicianRef{TechnicianID: tech.ID}
	call[contractorops.SkillInput, contractorops.Technician](t, c, "technician/v1/upsertSkill", true, contractorops.SkillInput{TechnicianRef: ref,
		Skill: contractorops.Skill{Trade: contractorops.TradePlumbing, Level: 4}})
	allDay := []contractorops.ClockSpan{{Start: "00:00", End: "12:00"}, {Start: "12:00", End: "00:00"}}
	week := contractorops.WeeklyHours{Monday: allDay, Tuesday: allDay, Wednesday: allDay, Thursday: allDay, Friday: allDay, Saturday: allDay, Sunday: allDay}
	call[contractorops.AvailabilityInput, contractorops.Availability](t, c, "technician/v1/setAvailability", true, contractorops.AvailabilityInput{TechnicianRef: ref, Availability: week})
	techKey := call[contractorops.CreateAPIKeyInput, contractorops.NewAPIKey](t, c, "apikey/v1/create", true, contractorops.CreateAPIKeyInput{
		Name: "Pat's phone", Role: contractorops.RoleTechnician, Actor: contractorops.Actor{Kind: contractorops.ActorTechnician, ID: tech.ID}})
	pat := s.p.client(techKey.Key)

	// A pricebook with a repair template, published and active.
	pb := call[contractorops.CreatePricebookInput, contractorops.Pricebook](t, c, "pricebook/v1/create", true, contractorops.CreatePricebookInput{Name: "Residential"})
	v := call[contractorops.CreateVersionInput, contractorops.PricebookVersion](t, c, "pricebook/v1/createVersion", true, contractorops.CreateVersionInput{
		PricebookID: pb.ID, EffectiveFrom: time.Now().AddDate(0, 0, -1),
		Items: []pricing.Item{
			{ID: "repair", Code: "LEAK", Name: "Leak repair", Type: pricing.ItemService, Price: money("240.00"), Cost: money("90.00")},
			{ID: "valve", Code: "VALVE", Name: "Shut-off valve", Type: pricing.ItemMaterial, Price: money("35.00"), Cost: money("12.00")},
		},
		Templates: []pricing.JobTemplate{{ID: "leak", Name: "Repair a leak", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "repair"}, {ItemID: "valve"}}}},
	})
	call[contractorops.VersionIDInput, contractorops.PricebookVersion](t, c, "pricebook/v1/publishVersion", true, contractorops.VersionIDInput{VersionID: v.ID})
	call[contractorops.VersionIDInput, contractorops.PricebookVersion](t, c, "pricebook/v1/activateVersion", true, contractorops.VersionIDInput{VersionID: v.ID})

	// The call.
	jlat, jlng := 41.90, -87.65
	j := call[contractorops.CreateJobInput, contractorops.Job](t, c, "job/v1/create", true, contractorops.CreateJobInput{
		Title: "Leak under the kitchen sink", Trade: "PLUMBING", Priority: jobfsm.PriorityLow, CustomerID: s.customer.ID,
		EstimatedMinutes: 60, Location: &contractorops.Address{Line1: "1 Navy Way", City: "Chicago", Lat: &jlat, Lng: &jlng}})

	// The estimate, sent and accepted: the job is approved.
	est := call[contractorops.GenerateEstimateInput, contractorops.Estimate](t, c, "estimate/v1/generate", true, contractorops.GenerateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: j.ID}, ScopeOfWork: "Repair the leak and replace the shut-off valve.", TemplateIDs: []string{"leak"}})
	if len(est.Doc.Options) != 1 || est.Doc.Options[0].Totals.Subtotal.Number() != "275.00" {
		t.Fatalf("estimate = %+v", est.Doc.Options)
	}
	call[contractorops.IDInput, contractorops.Estimate](t, c, "estimate/v1/send", true, contractorops.IDInput{ID: est.ID})
	call[contractorops.OptionIDInput, contractorops.Estimate](t, c, "estimate/v1/accept", true, contractorops.OptionIDInput{EstimateID: est.ID, OptionID: est.Doc.Options[0].ID})
	if got := call[contractorops.IDInput, contractorops.Job](t, c, "job/v1/get", false, contractorops.IDInput{ID: j.ID}); got.Status() != jobfsm.JobCreated {
		t.Fatalf("after acceptance the job is %s", got.Status())
	}

	// Dispatch: Pat in an hour.
	start := time.Now().Add(time.Hour).Truncate(time.Minute)
	asg := call[contractorops.AssignTechInput, contractorops.AssignmentResult](t, c, "dispatch/v1/assignTech", true, contractorops.AssignTechInput{
		JobID: j.ID, TechnicianID: tech.ID, Start: start})
	if asg.Job.Status() != jobfsm.JobScheduled || asg.Visit.TechnicianID != tech.ID {
		t.Fatalf("assigned: job %s, visit %+v", asg.Job.Status(), asg.Visit)
	}
	// Pat walks the visit from the phone; the job follows.
	for _, to := range []jobfsm.AssignmentStatus{jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute, jobfsm.AssignmentOnSite, jobfsm.AssignmentCompleted} {
		r := call[contractorops.UpdateAssignmentStatusInput, contractorops.AssignmentResult](t, pat, "dispatch/v1/updateStatus", true,
			contractorops.UpdateAssignmentStatusInput{AssignmentID: asg.Assignment.ID, Status: to})
		if to == jobfsm.AssignmentEnRoute && r.Job.Status() != jobfsm.JobInProgress {
			t.Fatalf("on the way: the job is %s", r.Job.Status())
		}
	}
	// Pat sees the job, but cannot bill it.
	call[contractorops.IDInput, contractorops.Job](t, pat, "job/v1/get", false, contractorops.IDInput{ID: j.ID})
	_, err := pat.Do(ctx, "invoice/v1/void", client.NewIdempotencyKey(), contractorops.IDInput{ID: "x"}, nil)
	wantCode(t, err, contractorops.CodeForbidden)

	// The office completes, invoices and collects.
	done := call[contractorops.UpdateJobStatusInput, contractorops.Job](t, c, "job/v1/updateStatus", true, contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCompleted})
	if done.Status() != jobfsm.JobCompleted {
		t.Fatalf("completed: %s", done.Status())
	}
	inv := call[contractorops.InvoiceFromEstimateInput, contractorops.Invoice](t, c, "invoice/v1/createFromEstimate", true, contractorops.InvoiceFromEstimateInput{
		EstimateID: est.ID, InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
	if got := call[contractorops.IDInput, contractorops.Job](t, c, "job/v1/get", false, contractorops.IDInput{ID: j.ID}); got.Status() != jobfsm.JobInvoiced {
		t.Fatalf("invoiced: the job is %s", got.Status())
	}
	key := client.NewIdempotencyKey()
	pay, err := client.Call[contractorops.CollectPaymentInput, contractorops.PaymentResult](ctx, c, "invoice/v1/collectPayment", key, contractorops.CollectPaymentInput{
		InvoiceID: inv.ID, PaymentInput: contractorops.PaymentInput{Method: pricing.PayCheck, Reference: "1001"}})
	if err != nil {
		t.Fatal(err)
	}
	if !pay.Invoice.Doc.BalanceDue.IsZero() || pay.Receipt.Number == "" {
		t.Fatalf("payment: balance %s, receipt %+v", pay.Invoice.Doc.BalanceDue, pay.Receipt)
	}
	// The same key replays the receipt; nothing is charged twice.
	again, err := client.Call[contractorops.CollectPaymentInput, contractorops.PaymentResult](ctx, c, "invoice/v1/collectPayment", key, contractorops.CollectPaymentInput{
		InvoiceID: inv.ID, PaymentInput: contractorops.PaymentInput{Method: pricing.PayCheck, Reference: "1001"}})
	if err != nil || again.Receipt.Number != pay.Receipt.Number {
		t.Fatalf("replayed payment = %+v, %v", again, err)
	}
	if got := call[contractorops.IDInput, contractorops.Job](t, c, "job/v1/get", false, contractorops.IDInput{ID: j.ID}); got.Status() != jobfsm.JobPaid {
		t.Fatalf("paid: the job is %s", got.Status())
	}
}
