package contractorops_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

var (
	usd = func(s string) pricing.Money { return pricing.MustMoney(s, "USD") }
	pct = func(s string) *pricing.Percent { p := pricing.MustPercent(s); return &p }
	qty = pricing.MustQuantity
)

// plumbing is a residential plumbing pricebook, built through the API:
// water heaters (a winter special on them), installation with a member
// price, parts marked up by a table, a haul-away fee, labor at progressive
// rates; an HOA discount, a member discount and an after-hours surcharge;
// three water heater templates and an HVAC one.
func plumbing(t *testing.T, f *fixture) (*contractorops.Pricebook, string) {
	t.Helper()
	ctx := context.Background()
	pbs := f.eng.Pricebooks
	pb, err := pbs.Create(ctx, f.owner, "pb", contractorops.CreatePricebookInput{Name: "Residential"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := pbs.CreateVersion(ctx, f.owner, "v1", contractorops.CreateVersionInput{PricebookID: pb.ID,
		EffectiveFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Notes: "2026 prices"})
	if err != nil {
		t.Fatal(err)
	}
	vid := v.ID
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(pbs.AddCategory(ctx, f.owner, "c1", contractorops.CategoryInput{VersionID: vid, Category: pricing.Category{ID: "water-heaters", Name: "Water heaters"}}))
	must(pbs.AddMarkupTable(ctx, f.owner, "mt", contractorops.MarkupTableInput{VersionID: vid, MarkupTable: pricing.MarkupTable{ID: "parts", Name: "Parts",
		Ranges: []pricing.MarkupRange{{From: usd("0"), Markup: *pct("100")}, {From: usd("10"), Markup: *pct("75")}, {From: usd("100"), Markup: *pct("40")}}}}))
	parts := "parts"
	must(pbs.UpdateVersion(ctx, f.owner, "v1-table", contractorops.UpdateVersionInput{VersionID: vid, DefaultMarkupTableID: &parts}))
	items := []pricing.Item{
		{ID: "labor", Code: "LAB", Name: "Plumbing labor", Type: pricing.ItemLabor, Unit: "HOUR", Cost: usd("45.00"),
			Rates: []pricing.LaborRate{{After: qty("0"), Rate: usd("150.00")}, {After: qty("2"), Rate: usd("130.00")}}},
		{ID: "wh-40", Code: "WH40", Name: "40 gal water heater", Type: pricing.ItemEquipment, CategoryID: "water-heaters", Price: usd("1100.00"), Cost: usd("620.00")},
		{ID: "wh-50", Code: "WH50", Name: "50 gal water heater", Type: pricing.ItemEquipment, CategoryID: "water-heaters", Price: usd("1350.00"), Cost: usd("760.00")},
		{ID: "wh-tankless", Code: "WHTL", Name: "Tankless water heater", Type: pricing.ItemEquipment, CategoryID: "water-heaters", Price: usd("2900.00"), Cost: usd("1700.00")},
		{ID: "install", Code: "INST", Name: "Water heater installation", Type: pricing.ItemService, Price: usd("650.00"), MemberPrice: usd("585.00"), Cost: usd("260.00")},
		{ID: "tank", Code: "EXP", Name: "Expansion tank", Type: pricing.ItemMaterial, Price: usd("95.00"), Cost: usd("38.00")},
		{ID: "capacitor", Code: "CAP", Name: "Run capacitor", Type: pricing.ItemMaterial, Cost: usd("18.50")},
		{ID: "haul", Code: "HAUL", Name: "Haul-away", Type: pricing.ItemFee, Price: usd("75.00"), TaxClass: pricing.TaxExempt, NotDiscountable: true},
		{ID: "tuneup", Code: "ACTU", Name: "AC tune-up", Type: pricing.ItemService, Trade: "HVAC", Price: usd("189.00")},
		{ID: "promo", Code: "PROMO", Name: "Winter promotion", Type: pricing.ItemDiscount, Discount: pricing.PercentOff(pricing.MustPercent("10"))},
	}
	for _, it := range items {
		must(pbs.AddItem(ctx, f.owner, "item-"+it.ID, contractorops.ItemInput{VersionID: vid, Item: it}))
	}
	rules := []pricing.Rule{
		{ID: "oakwood", Name: "Oakwood HOA", Type: pricing.RuleHOA, AssociationID: "oakwood", Priority: 10, Percent: pct("-5")},
		{ID: "winter", Name: "Winter special", Type: pricing.RuleSeasonal, CategoryIDs: []string{"water-heaters"}, Priority: 15,
			From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Percent: pct("-10")},
		{ID: "members", Name: "Comfort club", Type: pricing.RuleMember, ItemTypes: []pricing.ItemType{pricing.ItemLabor}, Priority: 20, Percent: pct("-10")},
		{ID: "after-hours", Name: "After hours", Type: pricing.RuleAfterHours, ItemTypes: []pricing.ItemType{pricing.ItemLabor}, Priority: 30, Percent: pct("50")},
	}
	for _, r := range rules {
		must(pbs.AddRule(ctx, f.owner, "rule-"+r.ID, contractorops.RuleInput{VersionID: vid, Rule: r}))
	}
	haul := pricing.TemplateLine{ItemID: "haul"}
	templates := []pricing.JobTemplate{
		{ID: "t-40", Name: "Replace 40 gal water heater", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-40"}, {ItemID: "install"}, haul}},
		{ID: "t-50", Name: "Replace 50 gal water heater", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-50"}, {ItemID: "install"}, {ItemID: "tank"}, haul}},
		{ID: "t-tankless", Name: "Tankless water heater upgrade", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-tankless"}, {ItemID: "install"}, {ItemID: "tank"}, haul}},
		{ID: "t-ac", Name: "AC tune-up", Trade: "HVAC", Lines: []pricing.TemplateLine{{ItemID: "tuneup"}}},
	}
	for _, tpl := range templates {
		must(pbs.AddTemplate(ctx, f.owner, "tpl-"+tpl.ID, contractorops.TemplateInput{VersionID: vid, Template: tpl}))
	}
	// The 40 gallon heater's price went up before publication.
	wh40 := items[1]
	wh40.Price = usd("1150.00")
	must(pbs.UpdateItem(ctx, f.owner, "item-wh-40-price", contractorops.ItemInput{VersionID: vid, Item: wh40}))
	must(pbs.Publish(ctx, f.owner, "publish", vid))
	must(pbs.Activate(ctx, f.owner, "activate", vid))
	pb, err = pbs.Get(ctx, f.owner, pb.ID)
	if err != nil {
		t.Fatal(err)
	}
	return pb, vid
}

// richmond taxes materials and equipment: Virginia 5.3 %, Richmond 0.7 %;
// labor is exempt. Estimates ask a 25 % deposit; invoices are due net 15.
func richmond(t *testing.T, f *fixture) {
	t.Helper()
	_, err := f.eng.Billing.UpdateSettings(context.Background(), f.owner, "settings", contractorops.UpdateBillingSettingsInput{
		TaxZones: []contractorops.TaxZone{{TaxZone: pricing.TaxZone{ID: "rva", Name: "Richmond, VA", Rates: []pricing.TaxRate{
			{ID: "va", Name: "Virginia", Jurisdiction: "STATE", Rate: pricing.MustPercent("5.3"), Classes: []pricing.TaxClass{pricing.TaxMaterial, pricing.TaxEquipment}},
			{ID: "rva", Name: "Richmond", Jurisdiction: "CITY", Rate: pricing.MustPercent("0.7"), Classes: []pricing.TaxClass{pricing.TaxMaterial, pricing.TaxEquipment}},
		}}, PostalCodes: []string{"23220", "23221"}}},
		Deposit: pricing.PercentOff(pricing.MustPercent("25")),
		Terms:   pricing.Net(15),
	})
	if err != nil {
		t.Fatal(err)
	}
}

// oakwoodJob is a job for a Comfort club member in the Oakwood HOA, in
// Richmond.
func oakwoodJob(t *testing.T, f *fixture, key string, in contractorops.CreateJobInput) *contractorops.Job {
	t.Helper()
	ctx := context.Background()
	cu, err := f.eng.Customers.Create(ctx, f.owner, key+"-cu", contractorops.CustomerInput{Name: "Ada Lovelace", MembershipPlan: "comfort"})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := f.eng.Customers.AddLocation(ctx, f.owner, key+"-loc", contractorops.LocationInput{CustomerID: cu.ID, Name: "Home",
		AssociationID: "oakwood", Address: contractorops.Address{Line1: "12 Oak Ln", City: "Richmond", State: "VA", PostalCode: "23220"}})
	if err != nil {
		t.Fatal(err)
	}
	in.CustomerID, in.LocationID = cu.ID, loc.ID
	j, err := f.eng.Jobs.Create(ctx, f.owner, key, in)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func jobStatus(t *testing.T, f *fixture, id string) jobfsm.JobStatus {
	t.Helper()
	j, err := f.eng.Jobs.Get(context.Background(), f.owner, id)
	if err != nil {
		t.Fatal(err)
	}
	return j.Status()
}

// wantMoney compares an amount with its exact decimal text.
func wantMoney(t *testing.T, what string, got pricing.Money, want string) {
	t.Helper()
	if got.Number() != want || got.Currency() != "USD" {
		t.Errorf("%s = %s, want %s USD", what, got, want)
	}
}

func events(t *testing.T, f *fixture, jobID string) []contractorops.Event {
	t.Helper()
	page, err := f.eng.Events.List(context.Background(), f.owner, contractorops.ListEventsInput{JobID: jobID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func eventTypes(evs []contractorops.Event) []string {
	var out []string
	for _, ev := range evs {
		switch {
		case ev.Document != nil && ev.Document.Amount.IsSet():
			out = append(out, fmt.Sprintf("%s %s", ev.Type, ev.Document.Amount.Number()))
		case ev.Document != nil:
			out = append(out, string(ev.Type))
		case ev.Type == jobfsm.EventStatusChanged:
			out = append(out, "→ "+string(ev.Detail.To))
		}
	}
	return out
}

func TestPricebookThroughTheAPI(t *testing.T) { eachStore(t, testPricebookThroughTheAPI) }

func testPricebookThroughTheAPI(t *testing.T, f *fixture) {
	ctx := context.Background()
	pb, vid := plumbing(t, f)
	if !pb.Default || pb.ActiveVersionID != vid || len(pb.Versions) != 1 || pb.Versions[0].Status != pricing.VersionActive {
		t.Fatalf("pricebook = %+v", pb)
	}
	richmond(t, f)
	j := oakwoodJob(t, f, "job", contractorops.CreateJobInput{Title: "Water heater", Trade: "PLUMBING"})
	res, err := f.eng.Pricebooks.Price(ctx, f.owner, contractorops.PriceInput{JobID: j.ID, Lines: []pricing.LineRequest{
		{ItemID: "wh-50"}, {ItemID: "install"}, {ItemID: "labor", Quantity: qty("3")}, {ItemID: "capacitor"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{
		`base 1350.00 (PRICE); HOA "Oakwood HOA" -5 %: 1350.00 → 1282.50; SEASONAL "Winter special" -10 %: 1282.50 → 1154.25; final 1154.25 (HALF_UP)`,
		`base 585.00 (MEMBER_PRICE); HOA "Oakwood HOA" -5 %: 585.00 → 555.75; final 555.75 (HALF_UP)`,
		`base 430.00 (LABOR_RATES); HOA "Oakwood HOA" -5 %: 430.00 → 408.50; MEMBER "Comfort club" -10 %: 408.50 → 367.65; final 367.65 (HALF_UP)`,
		`base 32.375 (MARKUP_TABLE); HOA "Oakwood HOA" -5 %: 32.375 → 30.75625; final 30.76 (HALF_UP)`,
	} {
		if got := res.Lines[i].Trace.String(); got != want {
			t.Errorf("%s: trace\n%s\nwant\n%s", res.Lines[i].ItemID, got, want)
		}
	}
	if c := res.Context; !c.Member() || c.AssociationID != "oakwood" || c.AfterHours || c.Emergency {
		t.Errorf("job context = %+v", c)
	}

	// A published version never changes; a reference that does not resolve
	// names the line.
	_, err = f.eng.Pricebooks.UpdateItem(ctx, f.owner, "late", contractorops.ItemInput{VersionID: vid, Item: pricing.Item{ID: "haul", Code: "HAUL", Name: "Haul", Type: pricing.ItemFee, Price: usd("80.00")}})
	e := wantCode(t, err, contractorops.CodeIllegalTransition)
	if e.FieldErrors[0].Code != "VERSION_IMMUTABLE" {
		t.Errorf("edit of a published version refused by %+v", e.FieldErrors)
	}
	_, err = f.eng.Pricebooks.Price(ctx, f.owner, contractorops.PriceInput{Lines: []pricing.LineRequest{{ItemID: "tuneup"}, {ItemID: "nope"}}})
	e = wantCode(t, err, contractorops.CodePricebookReference)
	if e.FieldErrors[0].Field != "lines.1.itemId" || e.FieldErrors[0].Code != "UNKNOWN_ITEM" {
		t.Errorf("unknown item: %+v", e.FieldErrors)
	}
}

// TestEstimateToPaid is a water heater replacement from estimate to paid:
// three options generated from templates, the better one accepted (the job
// is approved and booked, the deposit requested and taken), the work done,
// the invoice made from the accepted option with the deposit applied, a
// partial card payment, a partial refund, a credit memo for a returned
// part, the rest in cash (INVOICED → PAID), and the job's profitability.
func TestEstimateToPaid(t *testing.T) { eachStore(t, testEstimateToPaid) }

func testEstimateToPaid(t *testing.T, f *fixture) {
	ctx := context.Background()
	plumbing(t, f)
	richmond(t, f)
	j := oakwoodJob(t, f, "job", contractorops.CreateJobInput{Title: "Water heater leaking", Trade: "PLUMBING",
		Description: "The 40 gallon tank leaks at the base."})
	est, err := f.eng.Estimates.Generate(ctx, f.owner, "gen", contractorops.GenerateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: j.ID},
		ScopeOfWork:    "Replace the water heater: a 40 or 50 gallon tank, or a tankless unit.",
	})
	if err != nil {
		t.Fatal(err)
	}
	d := est.Doc
	if d.Number != "EST-2026-000001" || d.Status != pricing.EstimateDraft || len(d.Options) != 3 || est.GeneratedBy == "" {
		t.Fatalf("generated estimate = %+v", est)
	}
	wantOptions := []struct{ name, subtotal, tax, total, deposit string }{
		{"Replace 40 gal water heater", "1610.25", "58.99", "1669.24", "417.31"},
		{"Replace 50 gal water heater", "1871.50", "74.67", "1946.17", "486.54"},
		{"Tankless water heater upgrade", "3196.75", "154.18", "3350.93", "837.73"},
	}
	for k, o := range d.Options {
		w := wantOptions[k]
		if o.Name != w.name || o.Totals.Subtotal.Number() != w.subtotal || o.Totals.Tax.Number() != w.tax ||
			o.Totals.Total.Number() != w.total || o.Deposit.Number() != w.deposit {
			t.Errorf("option %d: %q subtotal %s tax %s total %s deposit %s; want %+v", k, o.Name, o.Totals.Subtotal, o.Totals.Tax, o.Totals.Total, o.Deposit, w)
		}
		for _, l := range o.Lines {
			if l.Trace == nil || l.Trace.VersionID != d.PricebookVersionID {
				t.Errorf("option %d line %s has no trace of the version", k, l.ID)
			}
		}
	}
	if got := d.Options[0].Lines[0].Trace.String(); got != `base 1150.00 (PRICE); HOA "Oakwood HOA" -5 %: 1150.00 → 1092.50; SEASONAL "Winter special" -10 %: 1092.50 → 983.25; final 983.25 (HALF_UP)` {
		t.Errorf("the 40 gallon heater's trace: %s", got)
	}
	if !d.ValidUntil.Equal(f.clock.Now().AddDate(0, 0, 30)) || d.Tax.ZoneID != "rva" {
		t.Errorf("valid until %v, tax zone %q", d.ValidUntil, d.Tax.ZoneID)
	}
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobTicket {
		t.Fatalf("a draft estimate moved the job to %s", s)
	}

	// Sending asks for an estimate and sends it.
	if est, err = f.eng.Estimates.Send(ctx, f.owner, "send", est.ID); err != nil {
		t.Fatal(err)
	}
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobEstimateSent || est.Doc.Status != pricing.EstimateSent {
		t.Fatalf("after sending: job %s, estimate %s", s, est.Doc.Status)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.eng.Estimates.MarkViewed(ctx, f.owner, "view", est.ID); err != nil {
		t.Fatal(err)
	}
	// Accepting the better option approves and books the job and asks for
	// its deposit.
	f.clock.Advance(24 * time.Hour)
	est, err = f.eng.Estimates.Accept(ctx, f.owner, "accept", contractorops.OptionIDInput{EstimateID: est.ID, OptionID: "O2"})
	if err != nil {
		t.Fatal(err)
	}
	if est.Doc.Status != pricing.EstimateAccepted || est.Doc.Options[0].Status != pricing.OptionDeclined || est.Doc.Options[1].Status != pricing.OptionAccepted {
		t.Fatalf("accepted estimate = %+v", est.Doc)
	}
	wantMoney(t, "deposit due", est.Doc.DepositDue, "486.54")
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobCreated {
		t.Fatalf("after acceptance the job is %s, want JOB_CREATED", s)
	}
	_, err = f.eng.Estimates.Accept(ctx, f.owner, "accept-again", contractorops.OptionIDInput{EstimateID: est.ID, OptionID: "O1"})
	e := wantCode(t, err, contractorops.CodeIllegalTransition)
	if e.FieldErrors[0].Code != "ESTIMATE_ACCEPT_REQUIRES_SENT_OR_VIEWED" {
		t.Errorf("second acceptance refused by %+v", e.FieldErrors)
	}
	dep, err := f.eng.Estimates.CollectDeposit(ctx, f.owner, "deposit", contractorops.CollectDepositInput{EstimateID: est.ID,
		PaymentInput: contractorops.PaymentInput{Method: pricing.PayCheck, Reference: "1042"}})
	if err != nil {
		t.Fatal(err)
	}
	if dep.Receipt.Number != "RCT-2026-000001" || dep.Receipt.Reference != "1042" || dep.Receipt.AppliedTo != contractorops.AppliedToDeposit {
		t.Errorf("deposit receipt = %+v", dep.Receipt)
	}
	wantMoney(t, "deposit receipt", dep.Receipt.Amount, "486.54")
	wantMoney(t, "deposit paid", dep.Estimate.Doc.DepositPaid, "486.54")
	// A job holding money cannot be cancelled.
	_, err = f.eng.Jobs.UpdateStatus(ctx, f.owner, "cancel", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCancelled, ReasonCode: "CUSTOMER_CANCELLED"})
	if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != string(jobfsm.RuleNoPayments) {
		t.Errorf("cancelling a job with a deposit refused by %+v", e.FieldErrors)
	}

	// The work is done: three hours of labor, the heater and the tank
	// from the truck.
	f.clock.Advance(24 * time.Hour)
	if err := contractorops.CompleteJobForTest(ctx, f.eng, f.org, j.ID, "tech-1", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	contractorops.ConsumeMaterialsForTest(f.eng, j.ID,
		pricing.MaterialUse{ID: "use-1", ItemID: "wh-50", Quantity: qty("1"), UnitCost: usd("760.00")},
		pricing.MaterialUse{ID: "use-2", ItemID: "tank", Quantity: qty("1"), UnitCost: usd("38.00")})
	if _, err := f.eng.TimeEntries.Record(ctx, f.owner, "time", contractorops.RecordTimeInput{
		TimeEntryInput: contractorops.TimeEntryInput{JobID: j.ID, TechnicianID: "tech-1", Type: contractorops.TimeWork, LaborItemID: "labor", CostRate: "42.00"},
		Start:          f.clock.Now().Add(-4 * time.Hour), End: f.clock.Now().Add(-1 * time.Hour),
	}); err != nil {
		t.Fatal(err)
	}

	// The invoice bills the accepted option; the deposit is a credit.
	inv, err := f.eng.Invoices.CreateFromEstimate(ctx, f.owner, "invoice", contractorops.InvoiceFromEstimateInput{EstimateID: est.ID,
		InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
	if err != nil {
		t.Fatal(err)
	}
	id := inv.Doc
	if id.Number != "INV-2026-000001" || id.Status != pricing.InvoicePartial || len(id.Credits) != 1 || id.Credits[0].Source != pricing.CreditDeposit ||
		id.DueDate.Format("2006-01-02") != "2026-12-11" {
		t.Fatalf("invoice = %+v", id)
	}
	wantMoney(t, "invoice total", id.Totals.Total, "1946.17")
	wantMoney(t, "deposit credited", id.AmountCredited, "486.54")
	wantMoney(t, "balance after the deposit", id.BalanceDue, "1459.63")
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobInvoiced {
		t.Fatalf("after the invoice the job is %s", s)
	}

	// A card payment through the provider, then part of it refunded.
	pay, err := f.eng.Invoices.CollectPayment(ctx, f.owner, "pay-1", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Amount: "500.00", Method: pricing.PayCard, Provider: "test", Source: "tok_visa"}})
	if err != nil {
		t.Fatal(err)
	}
	if pay.Receipt.Number != "RCT-2026-000002" || pay.Receipt.Provider != "test" || pay.Receipt.Reference == "" || f.pay.Captures() != 1 {
		t.Errorf("card payment receipt = %+v, %d captures", pay.Receipt, f.pay.Captures())
	}
	wantMoney(t, "balance after the card", pay.Invoice.Doc.BalanceDue, "959.63")
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobInvoiced {
		t.Fatalf("after a partial payment the job is %s", s)
	}
	inv, err = f.eng.Invoices.RefundPayment(ctx, f.owner, "refund-1", contractorops.RefundPaymentInput{InvoiceID: inv.ID,
		PaymentID: pay.Payment.ID, Amount: "100.00", Reason: "goodwill"})
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "paid after the refund", inv.Doc.AmountPaid, "400.00")
	wantMoney(t, "balance after the refund", inv.Doc.BalanceDue, "1059.63")
	if f.pay.Refunds() != 1 {
		t.Errorf("%d refunds at the provider", f.pay.Refunds())
	}
	_, err = f.eng.Invoices.RefundPayment(ctx, f.owner, "refund-2", contractorops.RefundPaymentInput{InvoiceID: inv.ID,
		PaymentID: pay.Payment.ID, Amount: "400.01"})
	if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != contractorops.RuleRefundExceedsRefundable || e.FieldErrors[0].Field != "amount" {
		t.Errorf("over-refund refused by %+v", e.FieldErrors)
	}
	if f.pay.Refunds() != 1 {
		t.Errorf("an over-refund reached the provider")
	}

	// The expansion tank went back: a credit memo for its line.
	cm, err := f.eng.Invoices.IssueCreditMemo(ctx, f.owner, "memo", contractorops.CreditMemoInput{InvoiceID: inv.ID,
		Reason: "expansion tank returned", Lines: []pricing.CreditRequest{{LineID: "L3"}}})
	if err != nil {
		t.Fatal(err)
	}
	if cm.CreditMemo.Doc.Number != "CM-2026-000001" {
		t.Errorf("credit memo number %s", cm.CreditMemo.Doc.Number)
	}
	wantMoney(t, "credit memo", cm.CreditMemo.Doc.Totals.Total, "-95.66")
	wantMoney(t, "balance after the memo", cm.Invoice.Doc.BalanceDue, "963.97")
	_, err = f.eng.Invoices.IssueCreditMemo(ctx, f.owner, "memo-2", contractorops.CreditMemoInput{InvoiceID: inv.ID,
		Reason: "again", Lines: []pricing.CreditRequest{{LineID: "L3", Quantity: qty("1")}}})
	if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != "CREDIT_EXCEEDS_LINE_QUANTITY" {
		t.Errorf("over-credit refused by %+v", e.FieldErrors)
	}

	// The rest in cash settles the invoice: the job is paid.
	pay2, err := f.eng.Invoices.CollectPayment(ctx, f.owner, "pay-2", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Method: pricing.PayCash}})
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "cash", pay2.Receipt.Amount, "963.97")
	if pay2.Invoice.Doc.Status != pricing.InvoicePaid || !pay2.Invoice.Doc.BalanceDue.IsZero() || pay2.Receipt.Number != "RCT-2026-000003" {
		t.Fatalf("after the cash: %s, balance %s, receipt %s", pay2.Invoice.Doc.Status, pay2.Invoice.Doc.BalanceDue, pay2.Receipt.Number)
	}
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobPaid {
		t.Fatalf("after the last payment the job is %s, want PAID", s)
	}
	_, err = f.eng.Invoices.CollectPayment(ctx, f.owner, "pay-3", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Amount: "1.00", Method: pricing.PayCash}})
	if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != "INVOICE_NOTHING_DUE" {
		t.Errorf("payment of a paid invoice refused by %+v", e.FieldErrors)
	}

	receipts, err := f.eng.Invoices.Receipts(ctx, f.owner, contractorops.ListReceiptsInput{JobID: j.ID})
	if err != nil || len(receipts) != 3 {
		t.Fatalf("receipts of the job = %+v, %v", receipts, err)
	}
	got := eventTypes(events(t, f, j.ID))
	want := []string{"→ TICKET", "ESTIMATE_SENT", "→ ESTIMATE_REQUIRED", "→ ESTIMATE_SENT",
		"ESTIMATE_ACCEPTED 1946.17", "DEPOSIT_REQUESTED 486.54", "→ ESTIMATE_APPROVED", "→ JOB_CREATED", "DEPOSIT_RECEIVED 486.54",
		"INVOICE_SENT 1946.17", "→ INVOICED", "PAYMENT_RECEIVED 500.00", "PAYMENT_REFUNDED 100.00", "CREDIT_MEMO_ISSUED -95.66",
		"PAYMENT_RECEIVED 963.97", "INVOICE_PAID 1946.17", "→ PAID"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events:\n%q\nwant\n%q", got, want)
	}

	pr, err := f.eng.Reports.JobProfitability(ctx, f.owner, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "revenue", pr.Revenue, "1781.25")
	wantMoney(t, "labor cost", pr.LaborCost, "126.00")
	wantMoney(t, "material cost", pr.MaterialCost, "798.00")
	wantMoney(t, "margin", pr.GrossMargin, "857.25")
	if pr.MarginPercent.String() != "48.13" || pr.LaborHours.String() != "3" {
		t.Errorf("margin %s %%, %s hours", pr.MarginPercent, pr.LaborHours)
	}
}
