package contractorops_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

var (
	usd = func(s string) pricing.Money { return pricing.MustMoney(s, "USD") }
	pct = func(s string) *pricing.Percent { p := pricing.MustPercent(s); return &p }
	qty = pricing.MustQuantity
)

// plumbingContent is a residential plumbing price list: water heaters (a
// winter special on them), installation with a member price, parts marked
// up by a table, a haul-away fee, labor at progressive rates; an HOA
// discount, a member discount on labor and an after-hours surcharge; three
// water heater templates and an HVAC one.
func plumbingContent() contractorops.CreateVersionInput {
	haul := pricing.TemplateLine{ItemID: "haul"}
	return contractorops.CreateVersionInput{
		EffectiveFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Notes: "2026 prices", DefaultMarkupTableID: "parts",
		Categories: []pricing.Category{{ID: "water-heaters", Name: "Water heaters"}},
		MarkupTables: []pricing.MarkupTable{{ID: "parts", Name: "Parts",
			Ranges: []pricing.MarkupRange{{From: usd("0"), Markup: *pct("100")}, {From: usd("10"), Markup: *pct("75")}, {From: usd("100"), Markup: *pct("40")}}}},
		Items: []pricing.Item{
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
		},
		Rules: []pricing.Rule{
			{ID: "oakwood", Name: "Oakwood HOA", Type: pricing.RuleHOA, AssociationID: "oakwood", Priority: 10, Percent: pct("-5")},
			{ID: "winter", Name: "Winter special", Type: pricing.RuleSeasonal, CategoryIDs: []string{"water-heaters"}, Priority: 15,
				From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Percent: pct("-10")},
			{ID: "members", Name: "Comfort club", Type: pricing.RuleMember, ItemTypes: []pricing.ItemType{pricing.ItemLabor}, Priority: 20, Percent: pct("-10")},
			{ID: "after-hours", Name: "After hours", Type: pricing.RuleAfterHours, ItemTypes: []pricing.ItemType{pricing.ItemLabor}, Priority: 30, Percent: pct("50")},
		},
		Templates: []pricing.JobTemplate{
			{ID: "t-40", Name: "Replace 40 gal water heater", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-40"}, {ItemID: "install"}, haul}},
			{ID: "t-50", Name: "Replace 50 gal water heater", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-50"}, {ItemID: "install"}, {ItemID: "tank"}, haul}},
			{ID: "t-tankless", Name: "Tankless water heater upgrade", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-tankless"}, {ItemID: "install"}, {ItemID: "tank"}, haul}},
			{ID: "t-ac", Name: "AC tune-up", Trade: "HVAC", Lines: []pricing.TemplateLine{{ItemID: "tuneup"}}},
		},
	}
}

// plumbing imports plumbingContent as the active version of the default
// pricebook, the 40 gallon heater's price raised to 1150.00 before
// publication.
func plumbing(t *testing.T, f *fixture) (*contractorops.Pricebook, string) {
	t.Helper()
	ctx := context.Background()
	pbs := f.eng.Pricebooks
	pb, err := pbs.Create(ctx, f.owner, "pb", contractorops.CreatePricebookInput{Name: "Residential"})
	if err != nil {
		t.Fatal(err)
	}
	in := plumbingContent()
	in.PricebookID = pb.ID
	v, err := pbs.CreateVersion(ctx, f.owner, "v1", in)
	if err != nil {
		t.Fatal(err)
	}
	wh40 := in.Items[1]
	wh40.Price = usd("1150.00")
	if _, err := pbs.UpdateItem(ctx, f.owner, "wh-40-price", contractorops.ItemInput{VersionID: v.ID, Item: wh40}); err != nil {
		t.Fatal(err)
	}
	if _, err := pbs.Publish(ctx, f.owner, "publish", v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := pbs.Activate(ctx, f.owner, "activate", v.ID); err != nil {
		t.Fatal(err)
	}
	if pb, err = pbs.Get(ctx, f.owner, pb.ID); err != nil {
		t.Fatal(err)
	}
	return pb, v.ID
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

	// A new draft, built entry by entry.
	pbs := f.eng.Pricebooks
	v2, err := pbs.CreateVersion(ctx, f.owner, "v2", contractorops.CreateVersionInput{PricebookID: pb.ID,
		EffectiveFrom: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	content := plumbingContent()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(pbs.AddCategory(ctx, f.owner, "c", contractorops.CategoryInput{VersionID: v2.ID, Category: content.Categories[0]}))
	must(pbs.UpdateCategory(ctx, f.owner, "c2", contractorops.CategoryInput{VersionID: v2.ID, Category: pricing.Category{ID: "water-heaters", Name: "Heaters"}}))
	must(pbs.AddMarkupTable(ctx, f.owner, "mt", contractorops.MarkupTableInput{VersionID: v2.ID, MarkupTable: content.MarkupTables[0]}))
	must(pbs.UpdateMarkupTable(ctx, f.owner, "mt2", contractorops.MarkupTableInput{VersionID: v2.ID, MarkupTable: content.MarkupTables[0]}))
	for _, it := range content.Items[:3] {
		must(pbs.AddItem(ctx, f.owner, "item-"+it.ID, contractorops.ItemInput{VersionID: v2.ID, Item: it}))
	}
	must(pbs.AddRule(ctx, f.owner, "rule", contractorops.RuleInput{VersionID: v2.ID, Rule: content.Rules[1]}))
	winter := content.Rules[1]
	winter.Percent = pct("-15")
	must(pbs.UpdateRule(ctx, f.owner, "rule2", contractorops.RuleInput{VersionID: v2.ID, Rule: winter}))
	tpl := pricing.JobTemplate{ID: "t-40", Name: "40 gal", Lines: []pricing.TemplateLine{{ItemID: "wh-40"}, {ItemID: "labor", Quantity: qty("2")}}}
	must(pbs.AddTemplate(ctx, f.owner, "tpl", contractorops.TemplateInput{VersionID: v2.ID, Template: tpl}))
	tpl.Name = "Replace 40 gal"
	must(pbs.UpdateTemplate(ctx, f.owner, "tpl2", contractorops.TemplateInput{VersionID: v2.ID, Template: tpl}))
	must(pbs.RemoveRule(ctx, f.owner, "rm-rule", contractorops.RemoveEntryInput{VersionID: v2.ID, ID: "winter"}))
	must(pbs.RemoveTemplate(ctx, f.owner, "rm-tpl", contractorops.RemoveEntryInput{VersionID: v2.ID, ID: "t-40"}))
	must(pbs.RemoveItem(ctx, f.owner, "rm-item", contractorops.RemoveEntryInput{VersionID: v2.ID, ID: "wh-50"}))
	// The category is in use: it cannot go.
	_, err = pbs.RemoveCategory(ctx, f.owner, "rm-cat", contractorops.RemoveEntryInput{VersionID: v2.ID, ID: "water-heaters"})
	if e := wantCode(t, err, contractorops.CodePricebookReference); e.FieldErrors[0].Field != "items.1" || e.FieldErrors[0].Code != "UNKNOWN_CATEGORY" {
		t.Errorf("removing a category in use: %+v", e.FieldErrors)
	}
	must(pbs.RemoveMarkupTable(ctx, f.owner, "rm-mt", contractorops.RemoveEntryInput{VersionID: v2.ID, ID: "parts"}))
	_, err = pbs.RemoveMarkupTable(ctx, f.owner, "rm-mt-2", contractorops.RemoveEntryInput{VersionID: v2.ID, ID: "parts"})
	wantCode(t, err, contractorops.CodeNotFound)
	got, err := pbs.GetVersion(ctx, f.owner, v2.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := got.Content
	if len(c.Items) != 2 || len(c.Rules) != 0 || len(c.Templates) != 0 || len(c.MarkupTables) != 0 || c.Categories[0].Name != "Heaters" || c.Status != pricing.VersionDraft {
		t.Errorf("draft built entry by entry = %+v", c)
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

// TestTimeAndMaterials bills a job from its actuals: the technician's
// clock and recorded spans at the labor item's progressive rates, after
// hours, and the materials consumed marked up from their cost — each billed
// once, again only after the invoice is voided.
func TestTimeAndMaterials(t *testing.T) { eachStore(t, testTimeAndMaterials) }

func testTimeAndMaterials(t *testing.T, f *fixture) {
	ctx := context.Background()
	plumbing(t, f)
	richmond(t, f)
	cu, err := f.eng.Customers.Create(ctx, f.owner, "cu", contractorops.CustomerInput{Name: "Grace Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := f.eng.Customers.AddLocation(ctx, f.owner, "loc", contractorops.LocationInput{CustomerID: cu.ID, Name: "Home",
		Address: contractorops.Address{Line1: "3 Elm St", City: "Richmond", State: "VA", PostalCode: "23221"}})
	if err != nil {
		t.Fatal(err)
	}
	// 20:00 in New York: after business hours.
	evening := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	j, err := f.eng.Jobs.Create(ctx, f.owner, "job", contractorops.CreateJobInput{Title: "No hot water", Trade: "PLUMBING",
		CustomerID: cu.ID, LocationID: loc.ID, ArrivalWindow: &contractorops.Window{Start: evening, End: evening.Add(2 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Jobs.UpdateStatus(ctx, f.owner, "book", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCreated}); err != nil {
		t.Fatal(err)
	}
	tech := f.scope(contractorops.RoleTechnician)
	clock, err := f.eng.TimeEntries.Start(ctx, f.owner, "clock", contractorops.TimeEntryInput{JobID: j.ID, TechnicianID: tech.Actor.ID, Type: contractorops.TimeWork})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(90 * time.Minute)
	if err := contractorops.CompleteJobForTest(ctx, f.eng, f.org, j.ID, tech.Actor.ID, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	stopped, err := f.eng.TimeEntries.Stop(ctx, tech, "stop", clock.ID)
	if err != nil || stopped.Hours.String() != "1.5" {
		t.Fatalf("stopped clock = %+v, %v", stopped, err)
	}
	if _, err := f.eng.TimeEntries.Record(ctx, tech, "travel", contractorops.RecordTimeInput{
		TimeEntryInput: contractorops.TimeEntryInput{JobID: j.ID, Type: contractorops.TimeTravel, CostRate: "30.00"},
		Start:          f.clock.Now().Add(-2 * time.Hour), End: f.clock.Now().Add(-90 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.TimeEntries.Record(ctx, f.owner, "helper", contractorops.RecordTimeInput{
		TimeEntryInput: contractorops.TimeEntryInput{JobID: j.ID, TechnicianID: "helper-2", Type: contractorops.TimeWork, CostRate: "38.00"},
		Start:          f.clock.Now().Add(-2 * time.Hour), End: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	contractorops.ConsumeMaterialsForTest(f.eng, j.ID,
		pricing.MaterialUse{ID: "use-1", ItemID: "capacitor", Quantity: qty("1"), UnitCost: usd("18.50")},
		pricing.MaterialUse{ID: "use-2", Description: "Igniter (supply house)", Quantity: qty("1"), UnitCost: usd("42.00")})

	inv, err := f.eng.Invoices.CreateFromActuals(ctx, f.owner, "tm", contractorops.InvoiceFromActualsInput{JobID: j.ID,
		InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, desc, qty, amount, tax, total string }{
		{"T1", "Plumbing labor", "3.5", "742.50", "0.00", "742.50"},
		{"M1", "Run capacitor", "1", "32.38", "1.95", "34.33"},
		{"M2", "Igniter (supply house)", "1", "73.50", "4.41", "77.91"},
	}
	if len(inv.Doc.Lines) != len(want) {
		t.Fatalf("T&M lines = %+v", inv.Doc.Lines)
	}
	for i, w := range want {
		l := inv.Doc.Lines[i]
		if l.ID != w.id || l.Description != w.desc || l.Quantity.String() != w.qty || l.Amount.Number() != w.amount || l.Tax.Number() != w.tax || l.Total.Number() != w.total {
			t.Errorf("line %d = %s %q %s %s tax %s total %s; want %+v", i, l.ID, l.Description, l.Quantity, l.Amount, l.Tax, l.Total, w)
		}
	}
	if got := inv.Doc.Lines[0].Trace.String(); got != `base 495.00 (LABOR_RATES); AFTER_HOURS "After hours" +50 %: 495.00 → 742.50; final 742.50 (HALF_UP)` {
		t.Errorf("labor trace: %s", got)
	}
	wantMoney(t, "subtotal", inv.Doc.Totals.Subtotal, "848.38")
	wantMoney(t, "tax", inv.Doc.Totals.Tax, "6.36")
	wantMoney(t, "total", inv.Doc.Totals.Total, "854.74")
	if inv.Doc.Number != "INV-2026-000001" || len(inv.TimeEntryIDs) != 2 || len(inv.MaterialIDs) != 2 {
		t.Errorf("invoice %s bills entries %v and materials %v", inv.Doc.Number, inv.TimeEntryIDs, inv.MaterialIDs)
	}
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobInvoiced {
		t.Fatalf("after the T&M invoice the job is %s", s)
	}
	entries, err := f.eng.TimeEntries.List(ctx, tech, j.ID)
	if err != nil || len(entries) != 3 {
		t.Fatalf("time entries = %+v, %v", entries, err)
	}
	for _, e := range entries {
		if billed := e.InvoiceID != ""; billed != e.Billable {
			t.Errorf("entry %s %s billable %v billed on %q", e.TechnicianID, e.Type, e.Billable, e.InvoiceID)
		}
	}
	_, err = f.eng.Invoices.CreateFromActuals(ctx, f.owner, "tm-again", contractorops.InvoiceFromActualsInput{JobID: j.ID})
	if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != "NOTHING_TO_BILL" {
		t.Errorf("billing twice refused by %+v", e.FieldErrors)
	}

	pr, err := f.eng.Reports.JobProfitability(ctx, f.owner, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "revenue", pr.Revenue, "848.38")
	wantMoney(t, "labor cost", pr.LaborCost, "158.50") // 1.5 h × 45.00 (the item's cost) + 0.5 h × 30.00 + 2 h × 38.00
	wantMoney(t, "material cost", pr.MaterialCost, "60.50")
	wantMoney(t, "margin", pr.GrossMargin, "629.38")
	if pr.MarginPercent.String() != "74.19" || pr.LaborHours.String() != "4" {
		t.Errorf("margin %s %%, %s hours", pr.MarginPercent, pr.LaborHours)
	}

	// Voiding the invoice releases its actuals to the next one.
	if _, err := f.eng.Invoices.Void(ctx, f.owner, "void", contractorops.VoidInvoiceInput{InvoiceID: inv.ID, Reason: "wrong customer"}); err != nil {
		t.Fatal(err)
	}
	again, err := f.eng.Invoices.CreateFromActuals(ctx, f.owner, "tm-2", contractorops.InvoiceFromActualsInput{JobID: j.ID})
	if err != nil {
		t.Fatal(err)
	}
	if again.Doc.Number != "INV-2026-000002" || again.Doc.Status != pricing.InvoiceDraft {
		t.Errorf("the second invoice is %s %s", again.Doc.Number, again.Doc.Status)
	}
	wantMoney(t, "total billed again", again.Doc.Totals.Total, "854.74")
}

// tuneUpInvoice is an issued invoice of 189.00 (an AC tune-up, untaxed).
func tuneUpInvoice(t *testing.T, f *fixture) *contractorops.Invoice {
	t.Helper()
	ctx := context.Background()
	j, err := f.eng.Jobs.Create(ctx, f.owner, "tuneup-job", contractorops.CreateJobInput{Title: "AC tune-up", Trade: "HVAC"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := f.eng.Invoices.Create(ctx, f.owner, "tuneup-invoice", contractorops.CreateInvoiceInput{JobID: j.ID,
		Lines: []pricing.LineRequest{{ItemID: "tuneup"}}, InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "tune-up invoice", inv.Doc.Totals.Total, "189.00")
	return inv
}

// TestCollectPaymentOnce: a payment key captures once whatever happens — a
// replay, a provider that captured but never answered, a decline, a
// timeout.
func TestCollectPaymentOnce(t *testing.T) { eachStore(t, testCollectPaymentOnce) }

func testCollectPaymentOnce(t *testing.T, f *fixture) {
	ctx := context.Background()
	plumbing(t, f)
	inv := tuneUpInvoice(t, f)
	collect := func(key, amount, source string) (*contractorops.PaymentResult, error) {
		return f.eng.Invoices.CollectPayment(ctx, f.owner, key, contractorops.CollectPaymentInput{InvoiceID: inv.ID,
			PaymentInput: contractorops.PaymentInput{Amount: amount, Method: pricing.PayCard, Provider: "test", Source: source}})
	}
	first, err := collect("p1", "50.00", "tok_visa")
	if err != nil {
		t.Fatal(err)
	}
	again, err := collect("p1", "50.00", "tok_visa")
	if err != nil || again.Receipt.Number != first.Receipt.Number || again.Payment.ID != first.Payment.ID {
		t.Fatalf("replay = %+v, %v; want the first payment", again, err)
	}
	if f.pay.Captures() != 1 || f.pay.Calls() != 1 {
		t.Fatalf("after a replay: %d captures, %d calls", f.pay.Captures(), f.pay.Calls())
	}
	// The provider captures but its answer is lost: the engine (the
	// durable step's retry, or the caller retrying the same key) reaches
	// the same capture.
	late, err := collect("p-late", "60.00", contractorops.TestSourceLate)
	if err != nil {
		wantCode(t, err, contractorops.CodeConflict)
		late, err = collect("p-late", "60.00", contractorops.TestSourceLate)
	}
	if err != nil {
		t.Fatal(err)
	}
	if f.pay.Captures() != 2 || f.pay.Calls() != 3 || late.Receipt.Reference == "" {
		t.Fatalf("after a late capture: %d captures, %d calls, receipt %+v", f.pay.Captures(), f.pay.Calls(), late.Receipt)
	}
	wantMoney(t, "paid", late.Invoice.Doc.AmountPaid, "110.00")
	// A decline is an answer: replayed, never retried.
	for range 2 {
		_, err = collect("p-decline", "20.00", contractorops.TestSourceDecline)
		if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != contractorops.RulePaymentDeclined {
			t.Errorf("decline = %+v", e.FieldErrors)
		}
	}
	if f.pay.Calls() != 4 {
		t.Errorf("a declined payment called the provider %d times", f.pay.Calls()-3)
	}
	// A timeout leaves nothing behind: the key may be retried, and asks the
	// provider again.
	for range 2 {
		calls := f.pay.Calls()
		_, err = collect("p-timeout", "20.00", contractorops.TestSourceTimeout)
		wantCode(t, err, contractorops.CodeConflict)
		if f.pay.Calls() == calls {
			t.Error("a retry after a timeout did not ask the provider")
		}
	}
	got, err := f.eng.Invoices.Get(ctx, f.owner, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Doc.Payments) != 2 || f.pay.Captures() != 2 {
		t.Errorf("%d payments recorded, %d captured; want 2 and 2", len(got.Doc.Payments), f.pay.Captures())
	}
	wantMoney(t, "balance", got.Doc.BalanceDue, "79.00")
}

// hangingProvider captures through the provider it wraps, then never
// answers until released: the process "crashes" between the capture and
// the record of its result.
type hangingProvider struct {
	contractorops.PaymentProvider
	once     sync.Once
	captured chan struct{}
	release  chan struct{}
}

func (p *hangingProvider) Capture(ctx context.Context, req contractorops.CaptureRequest) (contractorops.CaptureResult, error) {
	r, err := p.PaymentProvider.Capture(ctx, req)
	p.once.Do(func() { close(p.captured) })
	<-p.release
	return r, err
}

// TestCollectPaymentRecoversAfterCrash: a process takes a payment and dies
// after the provider captured but before the engine recorded it; a new
// process with the same executor id recovers the workflow, which asks the
// provider again with the same key and records the one capture. A replay of
// the command key returns it. The provider captured once.
func TestCollectPaymentRecoversAfterCrash(t *testing.T) {
	ctx := context.Background()
	store := stores[1].open(t).(*pgstore.Store)
	db := pgtest.New(t)
	var err error
	durableMigrateOnce.Do(func() { err = durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, "") })
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)}
	pay := contractorops.NewTestProvider()
	start := func(p contractorops.PaymentProvider) *contractorops.Engine {
		r, err := durable.New(ctx, store, &durable.Config{SystemDatabaseURL: db.OwnerURL, ExecutorID: "payment-crash", Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		eng, err := contractorops.New(store, &contractorops.Config{Clock: clock.Now, Runner: r,
			PaymentProviders: map[string]contractorops.PaymentProvider{"test": p}})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	hang := &hangingProvider{PaymentProvider: pay, captured: make(chan struct{}), release: make(chan struct{})}
	crashed := start(hang)
	f := newFixtureWith(t, crashed, clock, store, "a")
	plumbing(t, f)
	inv := tuneUpInvoice(t, f)
	in := &contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Method: pricing.PayCard, Provider: "test", Source: "tok_visa"}}
	go func() { _, _ = crashed.Execute(ctx, f.owner, "invoice/v1/collectPayment", "pay", in) }()
	<-hang.captured
	// The process dies: its workflow stays pending; its provider call never
	// returns.
	defer close(hang.release)
	stop, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = crashed.Close(stop)

	recovered := start(pay)
	t.Cleanup(func() { recovered.Close(ctx) })
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := recovered.Invoices.Get(ctx, f.owner, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Doc.Payments) > 0 {
			if len(got.Doc.Payments) != 1 || got.Doc.Status != pricing.InvoicePaid {
				t.Fatalf("recovered payments = %+v, status %s", got.Doc.Payments, got.Doc.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the interrupted payment was not recovered in 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := recovered.Execute(ctx, f.owner, "invoice/v1/collectPayment", "pay", in)
	if err != nil || !resp.Replayed {
		t.Fatalf("replay after recovery = %+v, %v", resp, err)
	}
	if pay.Captures() != 1 || pay.Calls() != 2 {
		t.Errorf("the provider captured %d times in %d calls; want 1 capture in 2 calls", pay.Captures(), pay.Calls())
	}
	wantMoney(t, "captured", pay.Captured(), "189.00")
	receipts, err := recovered.Invoices.Receipts(ctx, f.owner, contractorops.ListReceiptsInput{InvoiceID: inv.ID})
	if err != nil || len(receipts) != 1 {
		t.Errorf("receipts = %+v, %v", receipts, err)
	}
}

// TestBillingTasks: estimates past their validity expire, invoices past
// due become OVERDUE, and a version published ahead takes over on its
// date — each once, with its event; a second run of the same tick changes
// nothing.
func TestBillingTasks(t *testing.T) { eachStore(t, testBillingTasks) }

func testBillingTasks(t *testing.T, f *fixture) {
	ctx := context.Background()
	pb, v1 := plumbing(t, f)
	inv := tuneUpInvoice(t, f) // due on receipt: 2026-11-24, overdue from the 25th at midnight UTC
	j := oakwoodJob(t, f, "job", contractorops.CreateJobInput{Title: "Replace water heater", Trade: "PLUMBING"})
	est, err := f.eng.Estimates.Create(ctx, f.owner, "est", contractorops.CreateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: j.ID, ValidDays: 3},
		Options:        []pricing.OptionRequest{{Name: "50 gal", TemplateID: "t-50"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Estimates.Send(ctx, f.owner, "send", est.ID); err != nil {
		t.Fatal(err)
	}
	v2, err := f.eng.Pricebooks.CreateVersion(ctx, f.owner, "v2", contractorops.CreateVersionInput{PricebookID: pb.ID, CopyFrom: v1,
		EffectiveFrom: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Notes: "December prices"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Pricebooks.Publish(ctx, f.owner, "publish-v2", v2.ID); err != nil {
		t.Fatal(err)
	}

	run := func(task string) int {
		t.Helper()
		rep, err := f.eng.RunTaskFor(ctx, task, f.clock.Now(), f.org)
		if err != nil || len(rep.Failures) > 0 {
			t.Fatalf("%s: %+v, %v", task, rep, err)
		}
		return rep.Actions
	}
	count := func(typ jobfsm.EventType) int {
		page, err := f.eng.Events.List(ctx, f.owner, contractorops.ListEventsInput{Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	for _, task := range []string{"estimate-expiry", "invoice-overdue", "pricebook-roll"} {
		if n := run(task); n != 0 {
			t.Errorf("%s acted %d times before anything was due", task, n)
		}
	}

	f.clock.Advance(10 * time.Hour) // 2026-11-25 00:00 UTC
	for range 2 {
		run("invoice-overdue")
	}
	got, err := f.eng.Invoices.Get(ctx, f.owner, inv.ID)
	if err != nil || got.Doc.Status != pricing.InvoiceOverdue || count(contractorops.EventInvoiceOverdue) != 1 {
		t.Fatalf("after the overdue sweep: %s, %d events (%v)", got.Doc.Status, count(contractorops.EventInvoiceOverdue), err)
	}
	version := got.Version
	if n := run("invoice-overdue"); n != 0 {
		t.Errorf("an overdue invoice was swept again (%d)", n)
	}

	f.clock.Advance(4 * 24 * time.Hour) // past the estimate's validity
	if n := run("estimate-expiry"); n != 1 {
		t.Errorf("expiry acted %d times", n)
	}
	if n := run("estimate-expiry"); n != 0 {
		t.Errorf("a second expiry run acted %d times", n)
	}
	e, err := f.eng.Estimates.Get(ctx, f.owner, est.ID)
	if err != nil || e.Doc.Status != pricing.EstimateExpired || count(contractorops.EventEstimateExpired) != 1 {
		t.Fatalf("after expiry: %s, %d events (%v)", e.Doc.Status, count(contractorops.EventEstimateExpired), err)
	}
	_, err = f.eng.Estimates.Accept(ctx, f.owner, "late-accept", contractorops.OptionIDInput{EstimateID: est.ID})
	wantCode(t, err, contractorops.CodeIllegalTransition)

	f.clock.Advance(2 * 24 * time.Hour) // December 1st
	for range 2 {
		run("pricebook-roll")
	}
	pb, err = f.eng.Pricebooks.Get(ctx, f.owner, pb.ID)
	if err != nil || pb.ActiveVersionID != v2.ID || pb.Versions[0].Status != pricing.VersionArchived || !pb.RollAt.IsZero() {
		t.Fatalf("after the roll: %+v, %v", pb, err)
	}
	if got, _ := f.eng.Invoices.Get(ctx, f.owner, inv.ID); got.Version != version {
		t.Errorf("the overdue invoice changed again: version %d → %d", version, got.Version)
	}
}

// TestBillingTenantIsolation: another organization finds none of the
// billing documents, and changes none.
func TestBillingTenantIsolation(t *testing.T) { eachStore(t, testBillingTenantIsolation) }

func testBillingTenantIsolation(t *testing.T, f *fixture) {
	ctx := context.Background()
	pb, vid := plumbing(t, f)
	inv := tuneUpInvoice(t, f)
	pay, err := f.eng.Invoices.CollectPayment(ctx, f.owner, "pay", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Amount: "100.00", Method: pricing.PayCash}})
	if err != nil {
		t.Fatal(err)
	}
	memo, err := f.eng.Invoices.IssueCreditMemo(ctx, f.owner, "memo", contractorops.CreditMemoInput{InvoiceID: inv.ID, Reason: "goodwill",
		Lines: []pricing.CreditRequest{{LineID: "L1", Amount: ptr(usd("10.00"))}}})
	if err != nil {
		t.Fatal(err)
	}
	j := oakwoodJob(t, f, "job", contractorops.CreateJobInput{Title: "Water heater", Trade: "PLUMBING"})
	est, err := f.eng.Estimates.Create(ctx, f.owner, "est", contractorops.CreateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: j.ID}, Options: []pricing.OptionRequest{{Name: "40 gal", TemplateID: "t-40"}}})
	if err != nil {
		t.Fatal(err)
	}
	te, err := f.eng.TimeEntries.Start(ctx, f.owner, "clock", contractorops.TimeEntryInput{JobID: j.ID, TechnicianID: "tech-1", Type: contractorops.TimeWork})
	if err != nil {
		t.Fatal(err)
	}
	// Prime the pricer cache with A's version.
	if _, err := f.eng.Pricebooks.Price(ctx, f.owner, contractorops.PriceInput{VersionID: vid, Lines: []pricing.LineRequest{{ItemID: "tuneup"}}}); err != nil {
		t.Fatal(err)
	}

	g := newFixtureWith(t, f.eng, f.clock, f.store, "b")
	b := g.owner
	notFound := map[string]error{}
	notFound["pricebook"] = second(f.eng.Pricebooks.Get(ctx, b, pb.ID))
	notFound["version"] = second(f.eng.Pricebooks.GetVersion(ctx, b, vid))
	notFound["price from A's version"] = second(f.eng.Pricebooks.Price(ctx, b, contractorops.PriceInput{VersionID: vid, Lines: []pricing.LineRequest{{ItemID: "tuneup"}}}))
	notFound["estimate"] = second(f.eng.Estimates.Get(ctx, b, est.ID))
	notFound["estimates of A's job"] = second(f.eng.Estimates.List(ctx, b, contractorops.ListEstimatesInput{JobID: j.ID}))
	notFound["invoice"] = second(f.eng.Invoices.Get(ctx, b, inv.ID))
	notFound["invoices of A's job"] = second(f.eng.Invoices.List(ctx, b, contractorops.ListInvoicesInput{JobID: j.ID}))
	notFound["credit memos"] = second(f.eng.Invoices.CreditMemos(ctx, b, inv.ID))
	notFound["receipts"] = second(f.eng.Invoices.Receipts(ctx, b, contractorops.ListReceiptsInput{InvoiceID: inv.ID}))
	notFound["credit account"] = second(f.eng.Invoices.CreditAccount(ctx, b, j.CustomerID))
	notFound["time entries"] = second(f.eng.TimeEntries.List(ctx, b, j.ID))
	notFound["profitability"] = second(f.eng.Reports.JobProfitability(ctx, b, j.ID))
	notFound["generate for A's job"] = second(f.eng.Estimates.Generate(ctx, b, "gen", contractorops.GenerateEstimateInput{EstimateHeader: contractorops.EstimateHeader{JobID: j.ID}}))
	notFound["update A's item"] = second(f.eng.Pricebooks.UpdateItem(ctx, b, "item", contractorops.ItemInput{VersionID: vid, Item: pricing.Item{ID: "tuneup"}}))
	notFound["send A's estimate"] = second(f.eng.Estimates.Send(ctx, b, "send", est.ID))
	notFound["pay A's invoice"] = second(f.eng.Invoices.CollectPayment(ctx, b, "pay", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Amount: "1.00", Method: pricing.PayCash}}))
	notFound["refund A's payment"] = second(f.eng.Invoices.RefundPayment(ctx, b, "refund", contractorops.RefundPaymentInput{InvoiceID: inv.ID, PaymentID: pay.Payment.ID}))
	notFound["stop A's clock"] = second(f.eng.TimeEntries.Stop(ctx, b, "stop", te.ID))
	for what, err := range notFound {
		var e *contractorops.Error
		if !errors.As(err, &e) || e.Code != contractorops.CodeNotFound {
			t.Errorf("%s from another organization: %v, want NOT_FOUND", what, err)
		}
	}
	if pbs, err := f.eng.Pricebooks.List(ctx, b); err != nil || len(pbs) != 0 {
		t.Errorf("B lists pricebooks %+v, %v", pbs, err)
	}
	if page, err := f.eng.Invoices.List(ctx, b, contractorops.ListInvoicesInput{}); err != nil || len(page.Items) != 0 {
		t.Errorf("B lists invoices %+v, %v", page, err)
	}
	if page, err := f.eng.Estimates.List(ctx, b, contractorops.ListEstimatesInput{}); err != nil || len(page.Items) != 0 {
		t.Errorf("B lists estimates %+v, %v", page, err)
	}
	if s, err := f.eng.Billing.Settings(ctx, b); err != nil || len(s.TaxZones) != 0 {
		t.Errorf("B's settings = %+v, %v", s, err)
	}
	_ = memo
}

func second[T any](_ T, err error) error { return err }

// TestBillingErrors: pricing's refusals reach the caller as the engine's
// codes, naming the input field and the rule.
func TestBillingErrors(t *testing.T) { eachStore(t, testBillingErrors) }

func testBillingErrors(t *testing.T, f *fixture) {
	ctx := context.Background()
	pb, vid := plumbing(t, f)
	j := oakwoodJob(t, f, "job", contractorops.CreateJobInput{Title: "Water heater", Trade: "PLUMBING"})
	field := func(err error, code contractorops.Code, want contractorops.FieldError) {
		t.Helper()
		e := wantCode(t, err, code)
		if len(e.FieldErrors) != 1 || e.FieldErrors[0].Field != want.Field || e.FieldErrors[0].Code != want.Code {
			t.Errorf("%s: field errors %+v, want %s %s", code, e.FieldErrors, want.Field, want.Code)
		}
	}
	create := func(key string, opts ...pricing.OptionRequest) error {
		_, err := f.eng.Estimates.Create(ctx, f.owner, key, contractorops.CreateEstimateInput{
			EstimateHeader: contractorops.EstimateHeader{JobID: j.ID}, Options: opts})
		return err
	}
	good := pricing.OptionRequest{Name: "40 gal", TemplateID: "t-40"}
	lines := func(ids ...string) pricing.OptionRequest {
		o := pricing.OptionRequest{Name: "Custom"}
		for _, id := range ids {
			o.Lines = append(o.Lines, pricing.LineRequest{ItemID: id})
		}
		return o
	}
	field(create("e1", good, lines("wh-40", "install", "tank", "nope")), contractorops.CodePricebookReference,
		contractorops.FieldError{Field: "options.1.lines.3.itemId", Code: "UNKNOWN_ITEM"})
	field(create("e2", good, lines("wh-40", "promo")), contractorops.CodePricebookReference,
		contractorops.FieldError{Field: "options.1.lines.1.itemId", Code: "NOT_PRICEABLE"})
	field(create("e3", pricing.OptionRequest{Name: "x", TemplateID: "t-none"}), contractorops.CodePricebookReference,
		contractorops.FieldError{Field: "options.0.templateId", Code: "UNKNOWN_TEMPLATE"})
	bad := lines("wh-40")
	bad.Lines[0].Quantity = qty("-1")
	field(create("e4", good, bad), contractorops.CodeValidationFailed,
		contractorops.FieldError{Field: "options.1.lines.0.quantity", Code: "invalid_amount"})
	field(second(f.eng.Estimates.Generate(ctx, f.owner, "g1", contractorops.GenerateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: j.ID}, TemplateIDs: []string{"t-40", "t-missing"}})),
		contractorops.CodePricebookReference, contractorops.FieldError{Field: "options.1.templateId", Code: "UNKNOWN_TEMPLATE"})
	// Nothing in the pricebook matches an electrical job.
	k, err := f.eng.Jobs.Create(ctx, f.owner, "job-2", contractorops.CreateJobInput{Title: "Flickering lights", Trade: "ELECTRICAL"})
	if err != nil {
		t.Fatal(err)
	}
	field(second(f.eng.Estimates.Generate(ctx, f.owner, "g2", contractorops.GenerateEstimateInput{EstimateHeader: contractorops.EstimateHeader{JobID: k.ID}})),
		contractorops.CodeNotFound, contractorops.FieldError{Field: "templateIds", Code: "no_match"})
	// A pricebook named by id prices the estimate; an unknown one is not found.
	if _, err := f.eng.Estimates.Generate(ctx, f.owner, "g3", contractorops.GenerateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: j.ID, PricebookID: pb.ID}, TemplateIDs: []string{"t-40"}}); err != nil {
		t.Fatalf("generate with the pricebook's id: %v", err)
	}
	field(second(f.eng.Estimates.Generate(ctx, f.owner, "g4", contractorops.GenerateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: j.ID, PricebookID: "no-such-pricebook"}, TemplateIDs: []string{"t-40"}})),
		contractorops.CodeNotFound, contractorops.FieldError{Field: "pricebookId", Code: "not_found"})

	// Editing a draft is checked with the whole version.
	v2, err := f.eng.Pricebooks.CreateVersion(ctx, f.owner, "v2", contractorops.CreateVersionInput{PricebookID: pb.ID, CopyFrom: vid,
		EffectiveFrom: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	field(second(f.eng.Pricebooks.AddItem(ctx, f.owner, "i1", contractorops.ItemInput{VersionID: v2.ID, Item: pricing.Item{
		ID: "valve", Code: "VALVE", Name: "Valve", Type: pricing.ItemMaterial, CategoryID: "valves", Price: usd("12.00")}})),
		contractorops.CodePricebookReference, contractorops.FieldError{Field: "item", Code: "UNKNOWN_CATEGORY"})
	field(second(f.eng.Pricebooks.AddItem(ctx, f.owner, "i2", contractorops.ItemInput{VersionID: v2.ID, Item: pricing.Item{
		ID: "valve", Code: "VALVE", Name: "Valve", Type: pricing.ItemMaterial, Price: usd("-12.00")}})),
		contractorops.CodeValidationFailed, contractorops.FieldError{Field: "item.price", Code: "invalid_amount"})
	field(second(f.eng.Pricebooks.AddItem(ctx, f.owner, "i3", contractorops.ItemInput{VersionID: v2.ID, Item: pricing.Item{
		ID: "tank", Code: "TANK2", Name: "Tank", Type: pricing.ItemMaterial, Price: usd("12.00")}})),
		contractorops.CodeValidationFailed, contractorops.FieldError{Field: "item.id", Code: "validation_duplicate"})
	field(second(f.eng.Pricebooks.RemoveItem(ctx, f.owner, "r1", contractorops.RemoveEntryInput{VersionID: v2.ID, ID: "wh-50"})),
		contractorops.CodePricebookReference, contractorops.FieldError{Field: "templates.1.lines.0.itemId", Code: "UNKNOWN_ITEM"})
	field(second(f.eng.Pricebooks.UpdateItem(ctx, f.owner, "u1", contractorops.ItemInput{VersionID: v2.ID, Item: pricing.Item{
		ID: "nope", Code: "NOPE", Name: "Nope", Type: pricing.ItemFee, Price: usd("1.00")}})),
		contractorops.CodeNotFound, contractorops.FieldError{Field: "item.id", Code: "not_found"})
	field(second(f.eng.Pricebooks.Activate(ctx, f.owner, "a1", v2.ID)), contractorops.CodeIllegalTransition,
		contractorops.FieldError{Field: "status", Code: "VERSION_ACTIVATE_REQUIRES_PUBLISHED"})
	// A settings zone with a rate over 100 % names the zone's rate.
	field(second(f.eng.Billing.UpdateSettings(ctx, f.owner, "s1", contractorops.UpdateBillingSettingsInput{TaxZones: []contractorops.TaxZone{
		{TaxZone: pricing.TaxZone{ID: "z", Rates: []pricing.TaxRate{{ID: "x", Rate: pricing.MustPercent("120")}}}}}})),
		contractorops.CodeValidationFailed, contractorops.FieldError{Field: "taxZones.0.rates.0.rate", Code: "invalid_amount"})

	// Roles: a technician neither refunds nor edits the pricebook; finance
	// does not edit the pricebook either.
	tech := f.scope(contractorops.RoleTechnician)
	wantCode(t, second(f.eng.Invoices.RefundPayment(ctx, tech, "t1", contractorops.RefundPaymentInput{InvoiceID: "x", PaymentID: "y"})), contractorops.CodeForbidden)
	wantCode(t, second(f.eng.Pricebooks.AddItem(ctx, f.scope(contractorops.RoleFinance), "t2", contractorops.ItemInput{VersionID: v2.ID, Item: pricing.Item{ID: "z"}})), contractorops.CodeForbidden)
	// A technician sees no estimate of a job that is not theirs.
	est, err := f.eng.Estimates.Create(ctx, f.owner, "e5", contractorops.CreateEstimateInput{EstimateHeader: contractorops.EstimateHeader{JobID: j.ID}, Options: []pricing.OptionRequest{good}})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, second(f.eng.Estimates.Get(ctx, tech, est.ID)), contractorops.CodeNotFound)
	// The input's fields are named, wherever pricing found the problem.
	neg := lines("tank")
	neg.ID, neg.Lines[0].Quantity = "neg", qty("-2")
	field(second(f.eng.Estimates.AddOption(ctx, f.owner, "o1", contractorops.OptionInput{EstimateID: est.ID, Option: neg})),
		contractorops.CodeValidationFailed, contractorops.FieldError{Field: "option.lines.0.quantity", Code: "invalid_amount"})
	inv := tuneUpInvoice(t, f)
	field(second(f.eng.Invoices.CollectPayment(ctx, f.owner, "p1", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Amount: "10.005", Method: pricing.PayCash}})),
		contractorops.CodeValidationFailed, contractorops.FieldError{Field: "amount", Code: "invalid_amount"})
	field(second(f.eng.Invoices.CollectPayment(ctx, f.owner, "p2", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Amount: "1.00", Method: pricing.PayCard, Provider: "stripe"}})),
		contractorops.CodeValidationFailed, contractorops.FieldError{Field: "provider", Code: "unknown_provider"})
}

// TestEstimateRevisionsAndCredits: an estimate edited by hand, declined and
// revised (the job goes back to ESTIMATE_REQUIRED, then forward again); a
// deposit taken by card and partly refunded; an invoice voided, which gives
// the deposit back to its estimate to be invoiced again; an overpayment
// kept as customer credit and used on the next invoice.
func TestEstimateRevisionsAndCredits(t *testing.T) { eachStore(t, testEstimateRevisionsAndCredits) }

func testEstimateRevisionsAndCredits(t *testing.T, f *fixture) {
	ctx := context.Background()
	plumbing(t, f)
	richmond(t, f)
	j := oakwoodJob(t, f, "job", contractorops.CreateJobInput{Title: "Water heater", Trade: "PLUMBING"})
	est, err := f.eng.Estimates.Create(ctx, f.owner, "est", contractorops.CreateEstimateInput{
		EstimateHeader: contractorops.EstimateHeader{JobID: j.ID, Title: "Water heater options", Deposit: pricing.AmountOff(usd("300.00"))},
		Options:        []pricing.OptionRequest{{ID: "good", Name: "40 gal", TemplateID: "t-40"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	must := func(e *contractorops.Estimate, err error) *contractorops.Estimate {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	est = must(f.eng.Estimates.AddOption(ctx, f.owner, "add", contractorops.OptionInput{EstimateID: est.ID,
		Option: pricing.OptionRequest{ID: "best", Name: "Tankless", TemplateID: "t-tankless", DiscountItemIDs: []string{"promo"}}}))
	est = must(f.eng.Estimates.AddOption(ctx, f.owner, "add-2", contractorops.OptionInput{EstimateID: est.ID,
		Option: pricing.OptionRequest{ID: "odd", Name: "Odd", Lines: []pricing.LineRequest{{ItemID: "tank"}}}}))
	est = must(f.eng.Estimates.RemoveOption(ctx, f.owner, "rm", contractorops.OptionIDInput{EstimateID: est.ID, OptionID: "odd"}))
	// The good option becomes the 50 gallon heater with a custom line.
	est = must(f.eng.Estimates.UpdateOption(ctx, f.owner, "edit", contractorops.OptionInput{EstimateID: est.ID,
		Option: pricing.OptionRequest{ID: "good", Name: "50 gal", TemplateID: "t-50", Custom: []pricing.Line{
			{Description: "Permit", Quantity: qty("1"), UnitPrice: usd("45.00"), TaxClass: pricing.TaxExempt}}}}))
	good, best := est.Doc.Options[0], est.Doc.Options[1]
	if good.Name != "50 gal" || len(good.Lines) != 5 || len(est.Doc.Options) != 2 {
		t.Fatalf("edited options = %+v", est.Doc.Options)
	}
	wantMoney(t, "good total", good.Totals.Total, "1991.17") // 1946.17 + the 45.00 permit
	wantMoney(t, "good deposit", good.Deposit, "300.00")
	// 10 % off the discountable lines of the tankless option (the
	// haul-away fee is not): 312.55 off 3125.50, spread 247.95, 55.58, 9.02;
	// tax on the discounted heater and tank: 118.27 + 15.62 + 4.31 + 0.57.
	wantMoney(t, "best discount", best.Totals.Discount, "312.55")
	wantMoney(t, "best tax", best.Totals.Tax, "138.77")
	wantMoney(t, "best total", best.Totals.Total, "3022.97")

	est = must(f.eng.Estimates.Send(ctx, f.owner, "send", est.ID))
	est = must(f.eng.Estimates.Decline(ctx, f.owner, "decline", contractorops.DeclineEstimateInput{EstimateID: est.ID, Reason: "too expensive"}))
	rev := must(f.eng.Estimates.Revise(ctx, f.owner, "revise", est.ID))
	if rev.Doc.Number != est.Doc.Number || rev.Doc.Version != 2 || rev.Doc.PreviousVersionID != est.ID || rev.Doc.Status != pricing.EstimateDraft {
		t.Fatalf("revision = %+v", rev.Doc)
	}
	if old := must(f.eng.Estimates.Get(ctx, f.owner, est.ID)); old.Doc.Status != pricing.EstimateRevised {
		t.Errorf("the revised estimate is %s", old.Doc.Status)
	}
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobEstimateRequired {
		t.Fatalf("after the revision the job is %s", s)
	}
	must(f.eng.Estimates.Send(ctx, f.owner, "send-2", rev.ID))
	rev = must(f.eng.Estimates.Accept(ctx, f.owner, "accept", contractorops.OptionIDInput{EstimateID: rev.ID, OptionID: "good"}))
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobCreated {
		t.Fatalf("after accepting the revision the job is %s", s)
	}

	// The deposit by card, 50.00 of it refunded.
	dep, err := f.eng.Estimates.CollectDeposit(ctx, f.owner, "dep", contractorops.CollectDepositInput{EstimateID: rev.ID,
		PaymentInput: contractorops.PaymentInput{Method: pricing.PayCard, Provider: "test", Source: "tok_visa"}})
	if err != nil {
		t.Fatal(err)
	}
	rev = must(f.eng.Estimates.RefundDeposit(ctx, f.owner, "dep-refund", contractorops.RefundDepositInput{EstimateID: rev.ID,
		DepositID: dep.Receipt.PaymentID, Amount: "50.00", Reason: "deposit lowered"}))
	wantMoney(t, "deposit held", rev.Doc.DepositPaid, "250.00")
	if f.pay.Captures() != 1 || f.pay.Refunds() != 1 {
		t.Errorf("provider: %d captures, %d refunds", f.pay.Captures(), f.pay.Refunds())
	}

	// Invoiced, voided (the deposit goes back to the estimate), invoiced
	// again with the deposit.
	if err := contractorops.CompleteJobForTest(ctx, f.eng, f.org, j.ID, "tech-1", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	inv, err := f.eng.Invoices.CreateFromEstimate(ctx, f.owner, "inv", contractorops.InvoiceFromEstimateInput{EstimateID: rev.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Invoices.Void(ctx, f.owner, "void", contractorops.VoidInvoiceInput{InvoiceID: inv.ID, Reason: "wrong terms"}); err != nil {
		t.Fatal(err)
	}
	net30 := pricing.Net(30)
	inv, err = f.eng.Invoices.CreateFromEstimate(ctx, f.owner, "inv-2", contractorops.InvoiceFromEstimateInput{EstimateID: rev.ID,
		InvoiceHeader: contractorops.InvoiceHeader{Terms: &net30, Send: true}})
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "deposit on the second invoice", inv.Doc.AmountCredited, "250.00")
	wantMoney(t, "balance", inv.Doc.BalanceDue, "1741.17")
	if _, err := f.eng.Invoices.MarkViewed(ctx, f.owner, "viewed", inv.ID); err != nil {
		t.Fatal(err)
	}

	// 1800.00 by check: 58.83 more than due, kept as credit.
	pay, err := f.eng.Invoices.CollectPayment(ctx, f.owner, "check", contractorops.CollectPaymentInput{InvoiceID: inv.ID,
		PaymentInput: contractorops.PaymentInput{Amount: "1800.00", Method: pricing.PayCheck, Reference: "2211"}})
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "overpayment", pay.Payment.Overpayment, "58.83")
	if s := jobStatus(t, f, j.ID); s != jobfsm.JobPaid {
		t.Fatalf("after the check the job is %s", s)
	}
	acct, err := f.eng.Invoices.CreditAccount(ctx, f.owner, j.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "credit", acct.Doc.Balance, "58.83")
	// The customer's next job uses the credit.
	j2, err := f.eng.Jobs.Create(ctx, f.owner, "job-2", contractorops.CreateJobInput{Title: "Tune-up", CustomerID: j.CustomerID})
	if err != nil {
		t.Fatal(err)
	}
	inv2, err := f.eng.Invoices.Create(ctx, f.owner, "inv-3", contractorops.CreateInvoiceInput{JobID: j2.ID,
		Lines: []pricing.LineRequest{{ItemID: "tuneup"}}, InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
	if err != nil {
		t.Fatal(err)
	}
	inv2, err = f.eng.Invoices.ApplyCredit(ctx, f.owner, "credit", contractorops.ApplyCreditInput{InvoiceID: inv2.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantMoney(t, "credit used", inv2.Doc.AmountCredited, "58.83")
	wantMoney(t, "balance of the tune-up", inv2.Doc.BalanceDue, "130.17")
	if acct, _ = f.eng.Invoices.CreditAccount(ctx, f.owner, j.CustomerID); !acct.Doc.Balance.IsZero() {
		t.Errorf("credit left: %s", acct.Doc.Balance)
	}
}
