package pricing_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/pricing"
)

func rule(t *testing.T, err error, rule string) {
	t.Helper()
	var te *pricing.TransitionError
	if !errors.Is(err, pricing.ErrIllegalTransition) || !errors.As(err, &te) || te.Rule != rule {
		t.Errorf("%v, want rule %s", err, rule)
		return
	}
	if te.Error() == "" || te.From == "" || te.Action == "" {
		t.Errorf("incomplete transition error %+v", te)
	}
}

// newEstimate is a DRAFT estimate with two options priced from the fixture.
func newEstimate(t *testing.T, now time.Time) (*pricing.Estimate, *pricing.Pricer) {
	t.Helper()
	p := fixturePricer(t)
	est, err := pricing.NewEstimate(pricing.Estimate{
		ID: "E1", Number: "EST-2026-000001", JobID: "J1", CustomerID: "C1", Currency: "USD",
		Tax:        pricing.TaxProfile{Rates: []pricing.TaxRate{rate("st", "8", pricing.TaxMaterial, pricing.TaxEquipment)}},
		ValidUntil: now.AddDate(0, 0, 30), Deposit: pricing.PercentOff(pct("50")),
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	ctx := pricing.Context{At: now}
	if _, err := est.AddOption(p, pricing.OptionRequest{ID: "repair", Name: "Repair", TemplateID: "tune",
		Lines: []pricing.LineRequest{{ItemID: "cap"}}}, ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := est.AddOption(p, pricing.OptionRequest{ID: "replace", Name: "Replace", Recommended: true,
		Lines:           []pricing.LineRequest{{ItemID: "furnace"}, {ItemID: "dyn"}},
		Custom:          []pricing.Line{{Description: "Haul away old unit", Quantity: qty("1"), UnitPrice: usd("75.00"), TaxClass: pricing.TaxExempt}},
		DiscountItemIDs: []string{"coupon"}}, ctx); err != nil {
		t.Fatal(err)
	}
	return est, p
}

func TestEstimateOptionsAndFigures(t *testing.T) {
	now := jan.AddDate(0, 1, 0)
	est, p := newEstimate(t, now)
	if est.Status != pricing.EstimateDraft || est.Version != 1 || est.PricebookVersionID != "v1" || est.Rounding.Mode != pricing.RoundHalfUp {
		t.Errorf("header %+v", est)
	}
	repair, _ := est.Option("repair")
	// tune-up 189 (no tax), 2 filters 48, trip 79 (exempt), capacitor 32.38: tax 8 % of 80.38 = 6.43.
	checkTotals(t, "repair", repair.Totals, figures{"348.38", "0.00", "6.43", "354.81"})
	if repair.Deposit.Number() != "177.41" || repair.Status != pricing.OptionOpen {
		t.Errorf("repair deposit %s status %s", repair.Deposit.Number(), repair.Status)
	}
	replace, _ := est.Option("replace")
	// 3200 + 478 + 75 − 25 (coupon: 21.32 + 3.18 + 0.50); tax 8 % of 3178.68.
	checkTotals(t, "replace", replace.Totals, figures{"3753.00", "25.00", "254.29", "3982.29"})
	if replace.Totals.Cost.Number() != "2051.00" || replace.Totals.Margin.Number() != "1677.00" || replace.Totals.MarginPercent.String() != "44.98" {
		t.Errorf("replace cost %s margin %s (%s %%)", replace.Totals.Cost.Number(), replace.Totals.Margin.Number(), replace.Totals.MarginPercent)
	}
	// The estimate survives a JSON round trip and recomputes to the same figures.
	b, err := json.Marshal(est)
	if err != nil {
		t.Fatal(err)
	}
	var back pricing.Estimate
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Recalculate(); err != nil || !back.Options[1].Totals.Total.Equal(replace.Totals.Total) {
		t.Errorf("round trip: %v %v", err, back.Options[1].Totals.Total)
	}
	// Editing an option recomputes it.
	if err := est.EditOption("repair", func(o *pricing.Option) error {
		o.Lines = o.Lines[:1]
		o.Discounts = []pricing.Discount{{Portion: pricing.Portion{Percent: ptr(pct("10"))}}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	repair, _ = est.Option("repair")
	checkTotals(t, "edited repair", repair.Totals, figures{"189.00", "18.90", "0.00", "170.10"})
	if err := est.EditOption("repair", func(o *pricing.Option) error { return errors.New("changed my mind") }); err == nil {
		t.Error("EditOption ignored fn's error")
	}
	if err := est.EditOption("repair", func(o *pricing.Option) error { o.Lines[0].Quantity = qty("-1"); return nil }); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("invalid edit: %v", err)
	}
	if repair.Totals.Total.Number() != "170.10" {
		t.Error("a failed edit changed the option")
	}
	if err := est.EditOption("nope", func(*pricing.Option) error { return nil }); !errors.Is(err, pricing.ErrNotFound) {
		t.Errorf("unknown option: %v", err)
	}
	// Option requests that cannot be honoured.
	for name, req := range map[string]pricing.OptionRequest{
		"no id":           {Name: "x"},
		"duplicate id":    {ID: "repair"},
		"custom with id":  {ID: "c", Custom: []pricing.Line{{ItemID: "tuneup"}}},
		"bad custom line": {ID: "c", Custom: []pricing.Line{{Quantity: qty("1"), UnitPrice: usd("1")}}},
	} {
		if _, err := est.AddOption(p, req, pricing.Context{At: now}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for name, req := range map[string]pricing.OptionRequest{
		"unknown template": {ID: "c", TemplateID: "nope"},
		"unknown line":     {ID: "c", Lines: []pricing.LineRequest{{ItemID: "nope"}}},
		"unknown discount": {ID: "c", DiscountItemIDs: []string{"nope"}},
	} {
		if _, err := est.AddOption(p, req, pricing.Context{At: now}); !errors.Is(err, pricing.ErrPricebookReference) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := est.AddOption(nil, pricing.OptionRequest{ID: "c", Lines: []pricing.LineRequest{{ItemID: "x"}}}, pricing.Context{}); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("pricebook lines without a pricer: %v", err)
	}
	if _, err := est.AddOption(nil, pricing.OptionRequest{ID: "custom", Name: "Custom", Custom: []pricing.Line{
		{Description: "Hand-written", Quantity: qty("1"), UnitPrice: usd("10.00"), TaxClass: pricing.TaxLabor}}}, pricing.Context{}); err != nil {
		t.Errorf("custom option: %v", err)
	}
	v2 := fixtureVersion()
	v2.ID = "v2"
	p2, _ := pricing.NewPricer(&v2)
	if _, err := est.AddOption(p2, pricing.OptionRequest{ID: "other", Lines: []pricing.LineRequest{{ItemID: "tuneup"}}}, pricing.Context{At: now}); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("a second version: %v", err)
	}
	if err := est.RemoveOption("custom"); err != nil || len(est.Options) != 2 {
		t.Errorf("RemoveOption: %v", err)
	}
	if err := est.RemoveOption("custom"); !errors.Is(err, pricing.ErrNotFound) {
		t.Errorf("RemoveOption twice: %v", err)
	}
}

func TestNewEstimateValidation(t *testing.T) {
	for name, e := range map[string]pricing.Estimate{
		"no id":            {Currency: "USD"},
		"unknown currency": {ID: "E", Currency: "DOGE"},
		"bad rounding":     {ID: "E", Currency: "USD", Rounding: pricing.Rounding{Mode: "X"}},
		"bad tax":          {ID: "E", Currency: "USD", Tax: pricing.TaxProfile{Rates: []pricing.TaxRate{{ID: "x", Rate: pct("-1")}}}},
		"bad deposit":      {ID: "E", Currency: "USD", Deposit: &pricing.Portion{}},
	} {
		if _, err := pricing.NewEstimate(e, jan); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	eur := pricing.MustMoney("1", "EUR")
	est, _ := pricing.NewEstimate(pricing.Estimate{ID: "E", Currency: "EUR", Deposit: &pricing.Portion{Amount: &eur}}, jan)
	if _, err := est.AddOption(fixturePricer(t), pricing.OptionRequest{ID: "o"}, pricing.Context{}); !errors.Is(err, pricing.ErrCurrencyMismatch) {
		t.Errorf("pricer in another currency: %v", err)
	}
}

func TestEstimateLifecycle(t *testing.T) {
	now := jan.AddDate(0, 1, 0)
	est, p := newEstimate(t, now)
	rule(t, est.MarkViewed(now), "ESTIMATE_VIEW_REQUIRES_SENT")
	rule(t, est.Accept("repair", now), "ESTIMATE_ACCEPT_REQUIRES_SENT_OR_VIEWED")
	rule(t, est.Decline("", now), "ESTIMATE_DECLINE_REQUIRES_SENT_OR_VIEWED")
	if _, err := est.Revise("E2", now); err == nil {
		t.Error("revised a draft")
	}
	if err := est.Send(now); err != nil || est.Status != pricing.EstimateSent || !est.SentAt.Equal(now) {
		t.Fatalf("Send: %v %s", err, est.Status)
	}
	rule(t, est.Send(now), "ESTIMATE_SEND_REQUIRES_DRAFT")
	_, err := est.AddOption(p, pricing.OptionRequest{ID: "late"}, pricing.Context{At: now})
	rule(t, err, "ESTIMATE_EDIT_REQUIRES_DRAFT")
	rule(t, est.EditOption("repair", func(*pricing.Option) error { return nil }), "ESTIMATE_EDIT_REQUIRES_DRAFT")
	rule(t, est.RemoveOption("repair"), "ESTIMATE_EDIT_REQUIRES_DRAFT")
	if err := est.MarkViewed(now.Add(time.Hour)); err != nil || est.Status != pricing.EstimateViewed {
		t.Fatalf("MarkViewed: %v", err)
	}
	if err := est.MarkViewed(now.Add(2 * time.Hour)); err != nil || !est.ViewedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("viewing again: %v", err)
	}
	if err := est.Accept("nope", now); !errors.Is(err, pricing.ErrNotFound) {
		t.Errorf("unknown option: %v", err)
	}
	_, err = est.AcceptedOption()
	rule(t, err, "ESTIMATE_NOT_ACCEPTED")
	rule(t, est.RecordDeposit(pricing.Deposit{ID: "d", Amount: usd("1")}, now), "ESTIMATE_NOT_ACCEPTED")
	// Accepting one option declines the others; the deposit is the accepted one's.
	if err := est.Accept("replace", now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	repair, _ := est.Option("repair")
	replace, _ := est.AcceptedOption()
	if est.Status != pricing.EstimateAccepted || replace.Status != pricing.OptionAccepted || repair.Status != pricing.OptionDeclined ||
		est.DepositDue.Number() != "1991.15" || est.AcceptedOptionID != "replace" {
		t.Errorf("accepted: %s %s %s deposit %s", est.Status, replace.Status, repair.Status, est.DepositDue.Number())
	}
	rule(t, est.Accept("repair", now), "ESTIMATE_ACCEPT_REQUIRES_SENT_OR_VIEWED")
	_, err = est.Revise("E2", now)
	rule(t, err, "ESTIMATE_ACCEPTED_IS_FINAL")
	if err := est.MarkViewed(now); err != nil || est.Status != pricing.EstimateAccepted {
		t.Errorf("viewing an accepted estimate: %v %s", err, est.Status)
	}
	// Deposits.
	if err := est.RecordDeposit(pricing.Deposit{ID: "d1", Amount: usd("1000.00")}, now); err != nil {
		t.Fatal(err)
	}
	if est.DepositOutstanding().Number() != "991.15" || est.DepositPaid.Number() != "1000.00" || !est.Deposits[0].ReceivedAt.Equal(now) {
		t.Errorf("outstanding %s paid %s", est.DepositOutstanding().Number(), est.DepositPaid.Number())
	}
	var ce *pricing.CreditError
	if err := est.RecordDeposit(pricing.Deposit{ID: "d2", Amount: usd("3000.00")}, now); !errors.As(err, &ce) || ce.Rule != "DEPOSIT_EXCEEDS_TOTAL" || ce.Available.Number() != "2982.29" {
		t.Errorf("deposit beyond the total: %v", err)
	}
	for name, d := range map[string]pricing.Deposit{
		"duplicate": {ID: "d1", Amount: usd("1")},
		"no id":     {Amount: usd("1")},
		"zero":      {ID: "d3", Amount: usd("0")},
		"unrounded": {ID: "d3", Amount: usd("0.001")},
		"euros":     {ID: "d3", Amount: pricing.MustMoney("1", "EUR")},
	} {
		if err := est.RecordDeposit(d, now); err == nil {
			t.Errorf("deposit %s accepted", name)
		}
	}
	if err := est.RecordDeposit(pricing.Deposit{ID: "d2", Amount: usd("1982.29")}, now); err != nil || !est.DepositOutstanding().IsZero() {
		t.Errorf("deposit of the rest: %v, outstanding %v", err, est.DepositOutstanding())
	}
}

func TestEstimateDeclineExpireRevise(t *testing.T) {
	now := jan.AddDate(0, 1, 0)
	est, _ := newEstimate(t, now)
	_ = est.Send(now)
	if err := est.Decline("too expensive", now.Add(time.Hour)); err != nil || est.Status != pricing.EstimateDeclined || est.DeclineReason != "too expensive" {
		t.Fatalf("Decline: %v", err)
	}
	for _, o := range est.Options {
		if o.Status != pricing.OptionDeclined {
			t.Errorf("option %s %s", o.ID, o.Status)
		}
	}
	rev, err := est.Revise("E1-R2", now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if est.Status != pricing.EstimateRevised || rev.Status != pricing.EstimateDraft || rev.Version != 2 || rev.PreviousVersionID != "E1" ||
		rev.DeclineReason != "" || rev.Options[0].Status != pricing.OptionOpen || !rev.CreatedAt.Equal(now.Add(2*time.Hour)) {
		t.Errorf("revision %+v / old %s", rev, est.Status)
	}
	if !rev.Options[1].Totals.Total.Equal(est.Options[1].Totals.Total) || rev.Options[1].Lines[0].Trace == nil {
		t.Error("the revision repriced its lines")
	}
	rev.Options[0].Lines[0].Description = "changed"
	if est.Options[0].Lines[0].Description == "changed" {
		t.Error("the revision shares lines with the original")
	}
	rule(t, est.MarkViewed(now), "ESTIMATE_VIEW_REQUIRES_SENT")
	if _, err := rev.Revise("E1-R3", now); err == nil {
		t.Error("revised a draft revision")
	}
	if _, err := func() (*pricing.Estimate, error) { _ = rev.Send(now); return rev.Revise("E1-R2", now) }(); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("revision reusing its id: %v", err)
	}

	// Expiry is a function of now.
	est, _ = newEstimate(t, now)
	_ = est.Send(now)
	lapse := est.ValidUntil.Add(time.Second)
	if est.StatusAt(est.ValidUntil) != pricing.EstimateSent || est.StatusAt(lapse) != pricing.EstimateExpired {
		t.Errorf("StatusAt: %s / %s", est.StatusAt(est.ValidUntil), est.StatusAt(lapse))
	}
	rule(t, est.Accept("repair", lapse), "ESTIMATE_VALIDITY_PASSED")
	if !est.Refresh(lapse) || est.Status != pricing.EstimateExpired || !est.ExpiredAt.Equal(est.ValidUntil) || est.Refresh(lapse) {
		t.Errorf("Refresh: %s", est.Status)
	}
	rev, err = est.Revise("E1-R2", lapse)
	if err != nil || rev.Status != pricing.EstimateDraft {
		t.Fatalf("revising an expired estimate: %v", err)
	}
	rule(t, rev.Send(lapse), "ESTIMATE_VALIDITY_PASSED")
	if err := rev.Send(est.ValidUntil); err != nil {
		t.Errorf("send within validity: %v", err)
	}

	// An estimate needs lines to be sent or accepted.
	empty, _ := pricing.NewEstimate(pricing.Estimate{ID: "E9", Currency: "USD"}, now)
	rule(t, empty.Send(now), "ESTIMATE_SEND_REQUIRES_LINES")
	_, _ = empty.AddOption(nil, pricing.OptionRequest{ID: "a", Custom: []pricing.Line{{Quantity: qty("1"), UnitPrice: usd("5"), TaxClass: pricing.TaxLabor}}}, pricing.Context{})
	_, _ = empty.AddOption(nil, pricing.OptionRequest{ID: "b"}, pricing.Context{})
	_ = empty.Send(now)
	rule(t, empty.Accept("b", now), "ESTIMATE_ACCEPT_REQUIRES_LINES")
	if err := empty.Accept("", now); !errors.Is(err, pricing.ErrNotFound) {
		t.Errorf("accepting one of two options without naming it: %v", err)
	}
	if empty.Status != pricing.EstimateSent {
		t.Errorf("status %s", empty.Status)
	}
	if err := empty.Accept("a", now); err != nil || !empty.DepositDue.IsZero() {
		t.Errorf("accept without a deposit policy: %v %v", err, empty.DepositDue)
	}
}

func TestOneVersionPerDocument(t *testing.T) {
	now := jan.AddDate(0, 1, 0)
	est, p := newEstimate(t, now)
	if err := est.AddLines("repair", p, []pricing.LineRequest{{ItemID: "coil"}}, pricing.Context{At: now}); err != nil {
		t.Fatal(err)
	}
	if o, _ := est.Option("repair"); len(o.Lines) != 5 || o.Lines[4].ItemID != "coil" {
		t.Errorf("AddLines: %d lines", len(o.Lines))
	}
	if err := est.AddLines("repair", p, []pricing.LineRequest{{ItemID: "nope"}}, pricing.Context{At: now}); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("unknown item: %v", err)
	}
	v2 := fixtureVersion()
	v2.ID = "v2"
	p2, _ := pricing.NewPricer(&v2)
	if err := est.AddLines("repair", p2, []pricing.LineRequest{{ItemID: "coil"}}, pricing.Context{At: now}); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("lines of another version: %v", err)
	}
	foreign, _ := p2.PriceLine(pricing.LineRequest{ID: "x", ItemID: "coil"}, pricing.Context{At: now})
	var re *pricing.ReferenceError
	err := est.EditOption("repair", func(o *pricing.Option) error { o.Lines = append(o.Lines, foreign); return nil })
	if !errors.As(err, &re) || re.Reason != pricing.RefOtherVersion || re.Line != "x" {
		t.Errorf("editing in a line of another version: %v", err)
	}
	// An invoice takes its version from its first pricebook line, and holds to it.
	own, _ := p.PriceLine(pricing.LineRequest{ID: "a", ItemID: "coil"}, pricing.Context{At: now})
	inv, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{own}, nil, now)
	if err != nil || inv.PricebookVersionID != "v1" {
		t.Fatalf("version from lines: %v %q", err, inv.PricebookVersionID)
	}
	if err := inv.Edit(func(d *pricing.Invoice) error { d.Lines = append(d.Lines, foreign); return nil }); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("invoice edit with another version: %v", err)
	}
	if _, err := pricing.NewInvoice(pricing.Invoice{ID: "I", Currency: "USD"}, []pricing.Line{own, foreign}, nil, now); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("invoice of two versions: %v", err)
	}
	_ = est.Send(now)
	rule(t, est.AddLines("repair", p, nil, pricing.Context{}), "ESTIMATE_EDIT_REQUIRES_DRAFT")
}
