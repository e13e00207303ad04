package contractorops_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/pricing"
)

// From a price list to a paid job: the engine's estimator proposes options
// from the pricebook's job templates, priced in the job's context with the
// trace of every price; acceptance books the job and asks for the deposit;
// the invoice applies it; the payment settles the job.
func ExampleEstimateService_Generate() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	eng, _ := contractorops.New(memstore.New(), &contractorops.Config{Clock: func() time.Time { return now }})
	defer eng.Close(ctx)
	org, _ := eng.Organizations.Create(ctx, contractorops.PlatformScope("setup"), "org", contractorops.CreateOrganizationInput{
		Name: "Acme Plumbing", Type: contractorops.OrgServiceProvider})
	office := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "olga"}, Role: contractorops.RoleOwner}
	usd := func(s string) pricing.Money { return pricing.MustMoney(s, "USD") }

	// A price list, imported whole, published and activated.
	pb, _ := eng.Pricebooks.Create(ctx, office, "pb", contractorops.CreatePricebookInput{Name: "Residential"})
	v, err := eng.Pricebooks.CreateVersion(ctx, office, "v1", contractorops.CreateVersionInput{PricebookID: pb.ID,
		EffectiveFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Items: []pricing.Item{
			{ID: "wh-40", Code: "WH40", Name: "40 gal water heater", Type: pricing.ItemEquipment, Price: usd("1100.00"), Cost: usd("620.00")},
			{ID: "wh-50", Code: "WH50", Name: "50 gal water heater", Type: pricing.ItemEquipment, Price: usd("1350.00"), Cost: usd("760.00")},
			{ID: "install", Code: "INST", Name: "Installation", Type: pricing.ItemService, Price: usd("650.00"), Cost: usd("260.00")},
		},
		Templates: []pricing.JobTemplate{
			{ID: "t-40", Name: "Replace 40 gal water heater", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-40"}, {ItemID: "install"}}},
			{ID: "t-50", Name: "Replace 50 gal water heater", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-50"}, {ItemID: "install"}}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = eng.Pricebooks.Publish(ctx, office, "publish", v.ID)
	_, _ = eng.Pricebooks.Activate(ctx, office, "activate", v.ID)

	job, _ := eng.Jobs.Create(ctx, office, "job", contractorops.CreateJobInput{Title: "Water heater leaking", Trade: "PLUMBING"})
	est, err := eng.Estimates.Generate(ctx, office, "estimate", contractorops.GenerateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: job.ID, Deposit: pricing.PercentOff(pricing.MustPercent("20"))},
		ScopeOfWork:    "Replace the water heater.",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(est.Doc.Number)
	for _, o := range est.Doc.Options {
		fmt.Printf("  %s %q total %s\n", o.ID, o.Name, o.Totals.Total)
	}
	fmt.Println("  why:", est.Doc.Options[1].Lines[0].Trace)

	_, _ = eng.Estimates.Send(ctx, office, "send", est.ID)
	est, _ = eng.Estimates.Accept(ctx, office, "accept", contractorops.OptionIDInput{EstimateID: est.ID, OptionID: "O2"})
	j, _ := eng.Jobs.Get(ctx, office, job.ID)
	fmt.Println("accepted:", j.Status(), "deposit due", est.Doc.DepositDue)
	dep, _ := eng.Estimates.CollectDeposit(ctx, office, "deposit", contractorops.CollectDepositInput{EstimateID: est.ID,
		PaymentInput: contractorops.PaymentInput{Method: pricing.PayCheck, Reference: "1042"}})
	fmt.Println("receipt", dep.Receipt.Number, dep.Receipt.Amount)

	inv, _ := eng.Invoices.CreateFromEstimate(ctx, office, "invoice", contractorops.InvoiceFromEstimateInput{EstimateID: est.ID,
		InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
	fmt.Println(inv.Doc.Number, inv.Doc.Status, "balance", inv.Doc.BalanceDue)
	pay, _ := eng.Invoices.CollectPayment(ctx, office, "payment", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Method: pricing.PayCash}})
	fmt.Println("receipt", pay.Receipt.Number, pay.Receipt.Amount, "→", pay.Invoice.Doc.Status)
	// Output:
	// EST-2026-000001
	//   O1 "Replace 40 gal water heater" total 1750.00 USD
	//   O2 "Replace 50 gal water heater" total 2000.00 USD
	//   why: base 1350.00 (PRICE); final 1350.00 (HALF_UP)
	// accepted: JOB_CREATED deposit due 400.00 USD
	// receipt RCT-2026-000001 400.00 USD
	// INV-2026-000001 PARTIAL balance 1600.00 USD
	// receipt RCT-2026-000002 1600.00 USD → PAID
}
