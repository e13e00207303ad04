package pricing_test

import (
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/pricing"
)

var (
	usd = func(s string) pricing.Money { return pricing.MustMoney(s, "USD") }
	pct = pricing.MustPercent
	qty = pricing.MustQuantity
	jan = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// hvacPricer publishes and activates a small HVAC price list.
func hvacPricer() *pricing.Pricer {
	pb := &pricing.Pricebook{ID: "hvac", Name: "HVAC residential", Currency: "USD"}
	v, _ := pb.NewVersion("hvac-2026", "")
	err := v.Edit(func(d *pricing.Version) error {
		d.EffectiveFrom = jan
		d.DefaultMarkupTableID = "parts"
		d.MarkupTables = []pricing.MarkupTable{{ID: "parts", Name: "Parts", Ranges: []pricing.MarkupRange{
			{From: usd("0"), Markup: pct("100")}, {From: usd("10"), Markup: pct("75")}, {From: usd("100"), Markup: pct("40")},
		}}}
		d.Items = []pricing.Item{
			{ID: "labor", Code: "LAB", Name: "Labor", Type: pricing.ItemLabor, Unit: "HOUR", Cost: usd("45.00"),
				Rates: []pricing.LaborRate{{After: qty("0"), Rate: usd("150.00")}, {After: qty("2"), Rate: usd("130.00")}}},
			{ID: "furnace-80", Code: "FUR-80", Name: "80% furnace", Type: pricing.ItemEquipment, Price: usd("3200.00"), Cost: usd("1900.00")},
			{ID: "furnace-96", Code: "FUR-96", Name: "96% furnace", Type: pricing.ItemEquipment, Price: usd("4800.00"), Cost: usd("2700.00")},
			{ID: "install", Code: "INST", Name: "Furnace installation", Type: pricing.ItemService,
				Price: usd("1200.00"), Cost: usd("480.00")},
			{ID: "thermostat", Code: "TSTAT", Name: "Smart thermostat", Type: pricing.ItemMaterial, Price: usd("249.00"), Cost: usd("110.00")},
			{ID: "capacitor", Code: "CAP", Name: "Run capacitor", Type: pricing.ItemMaterial, Cost: usd("18.50")},
			{ID: "permit", Code: "PERMIT", Name: "City permit", Type: pricing.ItemFee, Price: usd("85.00"),
				TaxClass: pricing.TaxExempt, NotDiscountable: true},
			{ID: "promo", Code: "WINTER", Name: "Winter promotion", Type: pricing.ItemDiscount,
				Discount: &pricing.Portion{Amount: pricing.AmountOff(usd("250.00")).Amount}},
		}
		d.Rules = []pricing.Rule{{ID: "after-hours", Name: "After-hours", Type: pricing.RuleAfterHours,
			ItemTypes: []pricing.ItemType{pricing.ItemLabor}, Percent: ptr(pct("50"))}}
		return nil
	})
	if err != nil {
		panic(err)
	}
	if err := pb.Publish("hvac-2026", jan); err != nil {
		panic(err)
	}
	if err := pb.Activate("hvac-2026", jan); err != nil {
		panic(err)
	}
	p, err := pricing.NewPricer(v)
	if err != nil {
		panic(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// texas is a tax zone: materials and equipment taxed by the state and the
// city, labor exempt.
var texas = pricing.TaxZone{ID: "austin", Name: "Austin, TX", Rates: []pricing.TaxRate{
	{ID: "tx", Name: "Texas", Jurisdiction: "STATE", Rate: pct("6.25"), Classes: []pricing.TaxClass{pricing.TaxMaterial, pricing.TaxEquipment}},
	{ID: "austin", Name: "Austin", Jurisdiction: "CITY", Rate: pct("2"), Classes: []pricing.TaxClass{pricing.TaxMaterial, pricing.TaxEquipment}},
}}

// An estimate with good, better and best options: each option is priced
// from the pricebook, with its totals, margin and deposit; accepting one
// declines the others and fixes the deposit due.
func Example_estimateWithOptions() {
	p := hvacPricer()
	now := time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)
	tax, _ := texas.Profile(now)
	est, _ := pricing.NewEstimate(pricing.Estimate{
		ID: "EST-2026-000042", JobID: "job-7", CustomerID: "cust-3", Currency: "USD", Tax: tax,
		ValidUntil: now.AddDate(0, 0, 30), Deposit: pricing.PercentOff(pct("30")),
	}, now)
	ctx := pricing.Context{At: now, CustomerID: "cust-3"}
	permit := pricing.LineRequest{ItemID: "permit"}
	for _, o := range []pricing.OptionRequest{
		{ID: "good", Name: "Good", Lines: []pricing.LineRequest{{ItemID: "furnace-80"}, {ItemID: "install"}, permit}},
		{ID: "better", Name: "Better", Recommended: true, Lines: []pricing.LineRequest{{ItemID: "furnace-96"}, {ItemID: "install"}, permit}},
		{ID: "best", Name: "Best", Lines: []pricing.LineRequest{{ItemID: "furnace-96"}, {ItemID: "install"}, {ItemID: "thermostat"}, permit},
			DiscountItemIDs: []string{"promo"}},
	} {
		if _, err := est.AddOption(p, o, ctx); err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, o := range est.Options {
		t := o.Totals
		fmt.Printf("%-6s subtotal %8s  discount %6s  tax %6s  total %8s  margin %7s (%s %%)  deposit %s\n",
			o.Name, t.Subtotal.Number(), t.Discount.Number(), t.Tax.Number(), t.Total.Number(),
			t.Margin.Number(), t.MarginPercent, o.Deposit.Number())
	}
	_ = est.Send(now)
	_ = est.MarkViewed(now.Add(time.Hour))
	if err := est.Accept("better", now.Add(26*time.Hour)); err != nil {
		fmt.Println(err)
	}
	for _, o := range est.Options {
		fmt.Println(o.Name, o.Status)
	}
	fmt.Println(est.Status, "deposit due", est.DepositDue)
	// Output:
	// Good   subtotal  4485.00  discount   0.00  tax 264.00  total  4749.00  margin 2105.00 (46.93 %)  deposit 1424.70
	// Better subtotal  6085.00  discount   0.00  tax 396.00  total  6481.00  margin 2905.00 (47.74 %)  deposit 1944.30
	// Best   subtotal  6334.00  discount 250.00  tax 399.88  total  6483.88  margin 2794.00 (45.92 %)  deposit 1945.16
	// Good DECLINED
	// Better ACCEPTED
	// Best DECLINED
	// ACCEPTED deposit due 1944.30 USD
}

// A time-and-materials invoice from a job's actuals: the labor of all
// entries at progressive rates (2 h at 150.00, then 130.00) with the
// after-hours surcharge, materials marked up from their actual cost, and the
// job's profitability.
func Example_timeAndMaterialsInvoice() {
	p := hvacPricer()
	now := time.Date(2026, 2, 7, 22, 0, 0, 0, time.UTC)
	tax, _ := texas.Profile(now)
	actuals := pricing.Actuals{
		Labor: []pricing.LaborEntry{
			{ID: "t1", TechnicianID: "ana", LaborItemID: "labor", Hours: qty("1.5"), CostRate: usd("42.00")},
			{ID: "t2", TechnicianID: "ben", LaborItemID: "labor", Hours: qty("2"), CostRate: usd("38.00")},
		},
		Materials: []pricing.MaterialUse{
			{ID: "m1", ItemID: "capacitor", Quantity: qty("1"), UnitCost: usd("18.50")},
			{ID: "m2", Description: "Igniter (supply house)", Quantity: qty("1"), UnitCost: usd("42.00")},
		},
	}
	inv, err := pricing.InvoiceFromActuals(p, pricing.Invoice{ID: "INV-2026-000101", JobID: "job-9", Tax: tax, Terms: pricing.Net(15)},
		actuals, pricing.Context{At: now, AfterHours: true}, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range inv.Lines {
		fmt.Printf("%-24s %4s  %8s  tax %5s  total %8s\n", l.Description, l.Quantity, l.Amount.Number(), l.Tax.Number(), l.Total.Number())
	}
	fmt.Println("labor:", inv.Lines[0].Trace)
	t := inv.Totals
	fmt.Println("subtotal", t.Subtotal.Number(), "tax", t.Tax.Number(), "total", t.Total.Number())
	_ = inv.Send(now)
	fmt.Println(inv.Status, "due", inv.DueDate.Format("2006-01-02"))
	pr, _ := pricing.JobProfitability("USD", []*pricing.Invoice{inv}, nil, actuals)
	fmt.Println("revenue", pr.Revenue.Number(), "labor", pr.LaborCost.Number(), "materials", pr.MaterialCost.Number(),
		"margin", pr.GrossMargin.Number(), pr.MarginPercent, "%")
	// Output:
	// Labor                     3.5    742.50  tax  0.00  total   742.50
	// Run capacitor               1     32.38  tax  2.67  total    35.05
	// Igniter (supply house)      1     73.50  tax  6.06  total    79.56
	// labor: base 495.00 (LABOR_RATES); AFTER_HOURS "After-hours" +50 %: 495.00 → 742.50; final 742.50 (HALF_UP)
	// subtotal 848.38 tax 8.73 total 857.11
	// SENT due 2026-02-22
	// revenue 848.38 labor 139.00 materials 60.50 margin 648.88 76.48 %
}

// A deposit on acceptance, then the final payment: the invoice made from
// the accepted option applies the deposit as a credit, and the balance due
// follows every payment.
func Example_depositAndFinalPayment() {
	p := hvacPricer()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tax, _ := texas.Profile(now)
	est, _ := pricing.NewEstimate(pricing.Estimate{ID: "EST-7", CustomerID: "cust-5", Currency: "USD", Tax: tax,
		Deposit: pricing.PercentOff(pct("25"))}, now)
	_, _ = est.AddOption(p, pricing.OptionRequest{ID: "A", Name: "Replace furnace",
		Lines: []pricing.LineRequest{{ItemID: "furnace-80"}, {ItemID: "install"}}}, pricing.Context{At: now})
	_ = est.Send(now)
	_ = est.Accept("", now)
	fmt.Println("total", est.Options[0].Totals.Total, "deposit due", est.DepositDue)
	_ = est.RecordDeposit(pricing.Deposit{ID: "dep-1", Amount: est.DepositDue, Method: pricing.PayCard}, now)

	inv, _ := pricing.InvoiceFromEstimate(est, pricing.Invoice{ID: "INV-31", Terms: pricing.Net(30)}, now.AddDate(0, 0, 7))
	_ = inv.Send(now.AddDate(0, 0, 7))
	fmt.Println(inv.Status, "credited", inv.AmountCredited, "balance", inv.BalanceDue)
	_, _ = inv.RecordPayment(pricing.Payment{ID: "pay-1", Amount: usd("2000.00"), Method: pricing.PayCheck}, now.AddDate(0, 0, 20))
	fmt.Println(inv.Status, "paid", inv.AmountPaid, "balance", inv.BalanceDue)
	fmt.Println("on day 40:", inv.StatusAt(now.AddDate(0, 0, 40)))
	pay, _ := inv.RecordPayment(pricing.Payment{ID: "pay-2", Amount: usd("1500.00"), Method: pricing.PayCard}, now.AddDate(0, 0, 41))
	fmt.Println(inv.Status, "paid", inv.AmountPaid, "balance", inv.BalanceDue, "overpayment to credit", pay.Overpayment)
	// Output:
	// total 4664.00 USD deposit due 1166.00 USD
	// PARTIAL credited 1166.00 USD balance 3498.00 USD
	// PARTIAL paid 2000.00 USD balance 1498.00 USD
	// on day 40: OVERDUE
	// PAID paid 3498.00 USD balance 0.00 USD overpayment to credit 2.00 USD
}

// A credit memo for one line of a paid invoice: it credits the line with the
// invoice's own tax, and since nothing is due any more, its amount becomes
// customer credit.
func Example_creditMemo() {
	p := hvacPricer()
	now := time.Date(2026, 4, 1, 15, 0, 0, 0, time.UTC)
	tax, _ := texas.Profile(now)
	inv, _ := pricing.NewInvoice(pricing.Invoice{ID: "INV-40", CustomerID: "cust-8", Currency: "USD", Tax: tax}, nil, nil, now)
	_ = inv.AddLines(p, []pricing.LineRequest{
		{ID: "1", ItemID: "thermostat"}, {ID: "2", ItemID: "capacitor", Quantity: qty("2")}, {ID: "3", ItemID: "labor", Quantity: qty("1")},
	}, pricing.Context{At: now})
	_ = inv.Send(now)
	_, _ = inv.RecordPayment(pricing.Payment{ID: "pay-1", Amount: inv.BalanceDue}, now)
	fmt.Println(inv.Status, "total", inv.Totals.Total)

	// The customer returns the thermostat.
	memo, err := pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM-1", Reason: "thermostat returned"}, inv, nil,
		[]pricing.CreditRequest{{LineID: "1"}}, now.AddDate(0, 0, 3))
	if err != nil {
		fmt.Println(err)
		return
	}
	l := memo.Lines[0]
	fmt.Println("credit", l.Description, l.Quantity, "net", l.Net.Number(), "tax", l.Tax.Number(), "total", l.Total.Number())
	for _, t := range memo.Totals.Taxes {
		fmt.Println(" ", t.Name, t.Rate, "% on", t.Base.Number(), "=", t.Amount.Number())
	}
	toCredit, _ := inv.ApplyCreditMemo(memo, now.AddDate(0, 0, 3))
	fmt.Println("to customer credit", toCredit, "balance", inv.BalanceDue)
	_, err = pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM-2"}, inv, []*pricing.CreditMemo{memo},
		[]pricing.CreditRequest{{LineID: "1", Quantity: qty("1")}}, now.AddDate(0, 0, 4))
	fmt.Println(err)
	// Output:
	// PAID total 489.65 USD
	// credit Smart thermostat -1 net -249.00 tax -20.54 total -269.54
	//   Texas 6.25 % on -249.00 = -15.56
	//   Austin 2 % on -249.00 = -4.98
	// to customer credit 269.54 USD balance 0.00 USD
	// pricing: over-credit: invoice INV-40 line 1: 269.54 USD requested, 0.00 USD available (rule CREDIT_EXCEEDS_LINE_QUANTITY): 1 units requested, 0 left
}

// A price and the trace that explains it: a dispatcher can answer "why this
// price".
func ExamplePricer_PriceLine() {
	pb := &pricing.Pricebook{ID: "pb", Currency: "USD"}
	v, _ := pb.NewVersion("v1", "")
	_ = v.Edit(func(d *pricing.Version) error {
		d.EffectiveFrom = jan
		d.Items = []pricing.Item{{ID: "tuneup", Code: "AC-TU", Name: "AC tune-up",
			Type: pricing.ItemService, Price: usd("189.00"), MemberPrice: usd("169.00")}}
		d.Rules = []pricing.Rule{
			{ID: "oakwood", Name: "Oakwood HOA", Type: pricing.RuleHOA, AssociationID: "oakwood", Priority: 10, Percent: ptr(pct("-5"))},
			{ID: "plan", Name: "Comfort plan", Type: pricing.RuleMember, Priority: 20, Percent: ptr(pct("-10"))},
		}
		return nil
	})
	now := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	_ = pb.Publish("v1", now)
	_ = pb.Activate("v1", now)
	p, _ := pricing.NewPricer(v)

	line, _ := p.PriceLine(pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: now})
	fmt.Println(line.UnitPrice, "—", line.Trace)
	line, _ = p.PriceLine(pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: now, AssociationID: "oakwood", MembershipPlanID: "comfort"})
	fmt.Println(line.UnitPrice, "—", line.Trace)
	// Output:
	// 189.00 USD — base 189.00 (PRICE); final 189.00 (HALF_UP)
	// 160.55 USD — base 169.00 (MEMBER_PRICE); HOA "Oakwood HOA" -5 %: 169.00 → 160.55; skipped MEMBER plan: the member price already applies; final 160.55 (HALF_UP)
}
