package pricing_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/pricing"
)

// fixtureVersion is a draft version with an item of every type and a rule of
// every type.
func fixtureVersion() pricing.Version {
	return pricing.Version{
		ID: "v1", Currency: "USD", EffectiveFrom: jan, DefaultMarkupTableID: "parts",
		Categories: []pricing.Category{{ID: "hvac", Name: "HVAC"}, {ID: "maint", Name: "Maintenance", ParentID: "hvac"}, {ID: "plumbing", Name: "Plumbing"}},
		MarkupTables: []pricing.MarkupTable{{ID: "parts", Ranges: []pricing.MarkupRange{
			{From: usd("0"), Markup: pct("100")}, {From: usd("10"), Markup: pct("75")}, {From: usd("100"), Markup: pct("40")},
		}}},
		Items: []pricing.Item{
			{ID: "tuneup", Code: "TU", Name: "AC tune-up", Type: pricing.ItemService, CategoryID: "maint",
				Price: usd("189.00"), MemberPrice: usd("159.00"), AddOnPrice: usd("149.00"), MemberAddOnPrice: usd("129.00"), Cost: usd("60.00")},
			{ID: "drain", Code: "DR", Name: "Drain cleaning", Type: pricing.ItemService, CategoryID: "plumbing", Price: usd("250.00")},
			{ID: "labor", Code: "LAB", Name: "Labor", Type: pricing.ItemLabor, Unit: "HOUR", Cost: usd("45.00"),
				Rates: []pricing.LaborRate{{After: qty("0"), Rate: usd("150.00")}, {After: qty("2"), Rate: usd("130.00")}}},
			{ID: "labor-flat", Code: "LABF", Name: "Helper", Type: pricing.ItemLabor, Price: usd("120.00")},
			{ID: "filter", Code: "FIL", Name: "Filter", Type: pricing.ItemMaterial, CategoryID: "hvac", Price: usd("24.00"), Cost: usd("8.00")},
			{ID: "cap", Code: "CAP", Name: "Capacitor", Type: pricing.ItemMaterial, MarkupTableID: "parts",
				Vendors: []pricing.VendorPart{{VendorID: "a", PartNumber: "A-1", Cost: usd("19.00")}, {VendorID: "b", PartNumber: "B-1", Cost: usd("18.50"), Primary: true}}},
			{ID: "coil", Code: "COIL", Name: "Coil", Type: pricing.ItemMaterial, Cost: usd("200.00"), Markup: ptr(pct("30"))},
			{ID: "wire", Code: "WIRE", Name: "Wire", Type: pricing.ItemMaterial, Unit: "FOOT", Vendors: []pricing.VendorPart{{VendorID: "a", Cost: usd("0.125")}}},
			{ID: "furnace", Code: "FUR", Name: "Furnace", Type: pricing.ItemEquipment, Price: usd("3200.00"), Cost: usd("1900.00")},
			{ID: "dyn", Code: "DYN", Name: "Coil replacement", Type: pricing.ItemService, LaborItemID: "labor", BillableHours: qty("3"),
				Materials: []pricing.Component{{ItemID: "filter", Quantity: qty("2")}}},
			{ID: "kit", Code: "KIT", Name: "Maintenance kit", Type: pricing.ItemBundle,
				Components: []pricing.Component{{ItemID: "filter", Quantity: qty("2")}, {ItemID: "cap", Quantity: qty("1")}}},
			{ID: "kit-priced", Code: "KIT2", Name: "Kit, package price", Type: pricing.ItemBundle, Price: usd("99.00"),
				Components: []pricing.Component{{ItemID: "filter", Quantity: qty("2")}, {ItemID: "labor-flat", Quantity: qty("0.5")}}},
			{ID: "trip", Code: "TRIP", Name: "Trip charge", Type: pricing.ItemFee, Price: usd("79.00"), TaxClass: pricing.TaxExempt, NotDiscountable: true},
			{ID: "promo", Code: "PROMO", Name: "Spring promo", Type: pricing.ItemDiscount, Discount: pricing.PercentOff(pct("10"))},
			{ID: "coupon", Code: "CPN", Name: "Coupon", Type: pricing.ItemDiscount, Discount: pricing.AmountOff(usd("25.00"))},
			{ID: "old", Code: "OLD", Name: "Retired", Type: pricing.ItemService, Price: usd("1.00"), Inactive: true},
		},
		Rules: []pricing.Rule{
			{ID: "r-override", Name: "VIP tune-up", Type: pricing.RuleOverride, Priority: 10, CustomerID: "vip", ItemIDs: []string{"tuneup"}, Price: ptr(usd("169.00"))},
			{ID: "r-override2", Name: "VIP 1 %", Type: pricing.RuleOverride, Priority: 20, CustomerID: "vip", ItemIDs: []string{"tuneup"}, Percent: ptr(pct("-1"))},
			{ID: "r-season", Name: "Spring special", Type: pricing.RuleSeasonal, Priority: 40, ItemIDs: []string{"tuneup"}, Amount: ptr(usd("-20.00")),
				Annual: true, From: time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2000, 6, 1, 0, 0, 0, 0, time.UTC)},
			{ID: "r-hoa", Name: "Oakwood HOA", Type: pricing.RuleHOA, Priority: 50, AssociationID: "oakwood", CategoryIDs: []string{"hvac"}, Percent: ptr(pct("-5"))},
			{ID: "r-vol10", Name: "10+ filters", Type: pricing.RuleVolume, Priority: 60, ItemIDs: []string{"filter"}, MinQuantity: qty("10"), Percent: ptr(pct("-10"))},
			{ID: "r-vol50", Name: "50+ filters", Type: pricing.RuleVolume, Priority: 60, ItemIDs: []string{"filter"}, MinQuantity: qty("50"), Percent: ptr(pct("-20"))},
			{ID: "r-member", Name: "Member parts", Type: pricing.RuleMember, Priority: 70, ItemTypes: []pricing.ItemType{pricing.ItemMaterial}, Percent: ptr(pct("-10"))},
			{ID: "r-member-svc", Name: "Member services", Type: pricing.RuleMember, Priority: 71, ItemTypes: []pricing.ItemType{pricing.ItemService}, Percent: ptr(pct("-15"))},
			{ID: "r-emergency", Name: "Emergency", Type: pricing.RuleEmergency, Priority: 75, ItemTypes: []pricing.ItemType{pricing.ItemLabor}, Percent: ptr(pct("100")), StopFurther: true},
			{ID: "r-after", Name: "After-hours", Type: pricing.RuleAfterHours, Priority: 80, ItemTypes: []pricing.ItemType{pricing.ItemLabor, pricing.ItemService}, Percent: ptr(pct("50"))},
			{ID: "r-area", Name: "North area", Type: pricing.RuleOther, Priority: 90, ServiceAreaID: "north", ItemTypes: []pricing.ItemType{pricing.ItemService}, Amount: ptr(usd("15.00"))},
			{ID: "r-neg", Name: "Waive", Type: pricing.RuleOther, Priority: 1, CustomerID: "friend", ItemIDs: []string{"trip"}, Amount: ptr(usd("-100.00"))},
			{ID: "r-off", Name: "Disabled", Type: pricing.RuleOther, Inactive: true, Percent: ptr(pct("-50"))},
			{ID: "r-promo", Name: "Promo window", Type: pricing.RuleOther, Priority: 95, ItemIDs: []string{"drain"}, Percent: ptr(pct("-10")),
				From: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)},
			{ID: "r-winter", Name: "Winter", Type: pricing.RuleSeasonal, Priority: 96, ItemIDs: []string{"drain"}, Amount: ptr(usd("-10.00")),
				Annual: true, From: time.Date(2000, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2000, 2, 1, 0, 0, 0, 0, time.UTC)},
			{ID: "r-plan", Name: "Gold plan", Type: pricing.RuleMember, Priority: 65, MembershipPlanID: "gold", ItemIDs: []string{"drain"}, Percent: ptr(pct("-20"))},
		},
		Templates: []pricing.JobTemplate{{ID: "tune", Name: "Tune-up visit", Lines: []pricing.TemplateLine{
			{ItemID: "tuneup"}, {ItemID: "filter", Quantity: qty("2")}, {ItemID: "trip", Description: "Trip"},
		}}},
	}
}

func fixturePricer(t *testing.T) *pricing.Pricer {
	t.Helper()
	v := fixtureVersion()
	p, err := pricing.NewPricer(&v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPriceRules(t *testing.T) {
	p := fixturePricer(t)
	april := time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		req     pricing.LineRequest
		ctx     pricing.Context
		amount  string // the line's amount (quantity × final price)
		source  pricing.PriceSource
		steps   []string
		skipped []string
	}{
		{"base price", pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: jan}, "189.00", pricing.SourcePrice, nil, nil},
		{"member price", pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: jan, MembershipPlanID: "basic"}, "159.00", pricing.SourceMemberPrice, nil, []string{"r-member-svc"}},
		{"add-on price", pricing.LineRequest{ItemID: "tuneup", AddOn: true}, pricing.Context{At: jan}, "149.00", pricing.SourceAddOnPrice, nil, nil},
		{"member add-on", pricing.LineRequest{ItemID: "tuneup", AddOn: true}, pricing.Context{At: jan, MembershipPlanID: "basic"}, "129.00", pricing.SourceMemberAddOnPrice, nil, []string{"r-member-svc"}},
		{"contractor override", pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: jan, CustomerID: "vip"}, "169.00", pricing.SourcePrice, []string{"r-override"}, []string{"r-override2"}},
		{"seasonal window", pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: april}, "169.00", pricing.SourcePrice, []string{"r-season"}, nil},
		{"season then HOA by priority", pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: april, AssociationID: "oakwood"}, "160.55", pricing.SourcePrice, []string{"r-season", "r-hoa"}, nil},
		{"member price then HOA", pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: jan, MembershipPlanID: "basic", AssociationID: "oakwood"}, "151.05", pricing.SourceMemberPrice, []string{"r-hoa"}, []string{"r-member-svc"}},
		{"other HOA", pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: jan, AssociationID: "elmwood"}, "189.00", pricing.SourcePrice, nil, nil},
		{"volume tier", pricing.LineRequest{ItemID: "filter", Quantity: qty("12")}, pricing.Context{At: jan}, "259.20", pricing.SourcePrice, []string{"r-vol10"}, nil},
		{"deepest volume tier", pricing.LineRequest{ItemID: "filter", Quantity: qty("60")}, pricing.Context{At: jan}, "1152.00", pricing.SourcePrice, []string{"r-vol50"}, []string{"r-vol10"}},
		{"volume then member", pricing.LineRequest{ItemID: "filter", Quantity: qty("60")}, pricing.Context{At: jan, MembershipPlanID: "basic"}, "1036.80", pricing.SourcePrice, []string{"r-vol50", "r-member"}, []string{"r-vol10"}},
		{"progressive labor after hours", pricing.LineRequest{ItemID: "labor", Quantity: qty("3.5")}, pricing.Context{At: jan, AfterHours: true}, "742.50", pricing.SourceLaborRates, []string{"r-after"}, nil},
		{"labor within the first rate", pricing.LineRequest{ItemID: "labor", Quantity: qty("1.5")}, pricing.Context{At: jan}, "225.00", pricing.SourceLaborRates, nil, nil},
		{"emergency stops further rules", pricing.LineRequest{ItemID: "labor", Quantity: qty("3")}, pricing.Context{At: jan, AfterHours: true, Emergency: true}, "860.00", pricing.SourceLaborRates, []string{"r-emergency"}, []string{"r-after"}},
		{"dynamic service", pricing.LineRequest{ItemID: "dyn"}, pricing.Context{At: jan}, "478.00", pricing.SourceDynamic, nil, nil},
		{"bundle of components", pricing.LineRequest{ItemID: "kit"}, pricing.Context{At: jan}, "80.38", pricing.SourceBundle, nil, nil},
		{"bundle at a package price", pricing.LineRequest{ItemID: "kit-priced", Quantity: qty("2")}, pricing.Context{At: jan}, "198.00", pricing.SourcePrice, nil, nil},
		{"markup table", pricing.LineRequest{ItemID: "cap"}, pricing.Context{At: jan}, "32.38", pricing.SourceMarkupTable, nil, nil},
		{"cost plus markup", pricing.LineRequest{ItemID: "coil"}, pricing.Context{At: jan}, "260.00", pricing.SourceMarkup, nil, nil},
		{"default markup table", pricing.LineRequest{ItemID: "wire", Quantity: qty("100")}, pricing.Context{At: jan}, "25.00", pricing.SourceMarkupTable, nil, nil},
		{"service area", pricing.LineRequest{ItemID: "drain"}, pricing.Context{At: april, ServiceAreaID: "north"}, "265.00", pricing.SourcePrice, []string{"r-area"}, nil},
		{"dated window", pricing.LineRequest{ItemID: "drain"}, pricing.Context{At: time.Date(2026, 7, 4, 0, 0, 0, 0, time.UTC)}, "225.00", pricing.SourcePrice, []string{"r-promo"}, nil},
		{"window wrapping the year", pricing.LineRequest{ItemID: "drain"}, pricing.Context{At: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)}, "240.00", pricing.SourcePrice, []string{"r-winter"}, nil},
		{"window wrapping, January", pricing.LineRequest{ItemID: "drain"}, pricing.Context{At: jan}, "240.00", pricing.SourcePrice, []string{"r-winter"}, nil},
		{"membership plan", pricing.LineRequest{ItemID: "drain"}, pricing.Context{At: april, MembershipPlanID: "gold"}, "200.00", pricing.SourcePrice, []string{"r-plan"}, []string{"r-member-svc"}},
		{"floored at zero", pricing.LineRequest{ItemID: "trip"}, pricing.Context{At: jan, CustomerID: "friend"}, "0.00", pricing.SourcePrice, []string{"r-neg"}, nil},
		{"manual override", pricing.LineRequest{ItemID: "tuneup", OverridePrice: ptr(usd("100.00")), OverrideReason: "warranty callback"}, pricing.Context{At: april, CustomerID: "vip"}, "100.00", pricing.SourceManual, nil, nil},
	}
	for _, tt := range tests {
		l, err := p.PriceLine(tt.req, tt.ctx)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		inv := invoiceOf(t, "USD", pricing.TaxProfile{}, pricing.Rounding{}, []pricing.Line{l}, nil)
		tr := l.Trace
		var steps, skipped []string
		for _, s := range tr.Steps {
			steps = append(steps, s.RuleID)
		}
		for _, s := range tr.Skipped {
			skipped = append(skipped, s.RuleID)
		}
		if got := inv.Lines[0].Amount.Number(); got != tt.amount || tr.Source != tt.source || !slices.Equal(steps, tt.steps) || !slices.Equal(skipped, tt.skipped) {
			t.Errorf("%s: amount %s source %s steps %v skipped %v, want %s %s %v %v\n  trace: %s",
				tt.name, got, tr.Source, steps, skipped, tt.amount, tt.source, tt.steps, tt.skipped, tr)
		}
		if tr.VersionID != "v1" || tr.ItemID != tt.req.ItemID || tr.Rounding != pricing.RoundHalfUp {
			t.Errorf("%s: trace header %+v", tt.name, tr)
		}
	}
}

func TestPriceLineDetails(t *testing.T) {
	p := fixturePricer(t)
	l, err := p.PriceLine(pricing.LineRequest{ID: "x", ItemID: "labor", Quantity: qty("3.5")}, pricing.Context{At: jan, AfterHours: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Tiers) != 2 || l.Tiers[0].UnitPrice.Number() != "225.00" || l.Tiers[1].Quantity.String() != "1.5" || l.Trace.Basis != "LINE" {
		t.Errorf("tiers %+v basis %s", l.Tiers, l.Trace.Basis)
	}
	if l.UnitCost.Number() != "45.00" || l.Unit != "HOUR" || l.TaxClass != pricing.TaxLabor || l.Type != pricing.ItemLabor || l.ItemCode != "LAB" {
		t.Errorf("labor line %+v", l)
	}
	want := `base 495.00 (LABOR_RATES); AFTER_HOURS "After-hours" +50 %: 495.00 → 742.50; final 742.50 (HALF_UP)`
	if got := l.Trace.String(); got != want {
		t.Errorf("trace\n got %s\nwant %s", got, want)
	}
	l, _ = p.PriceLine(pricing.LineRequest{ItemID: "tuneup", OverridePrice: ptr(usd("100.00")), OverrideReason: "callback", Description: "Tune-up (callback)"}, pricing.Context{At: jan})
	if got := l.Trace.String(); got != `base 100.00 (MANUAL_OVERRIDE) "callback"; final 100.00 (HALF_UP)` || l.Description != "Tune-up (callback)" {
		t.Errorf("manual trace %s / %s", got, l.Description)
	}
	l, _ = p.PriceLine(pricing.LineRequest{ItemID: "trip"}, pricing.Context{At: jan, CustomerID: "friend"})
	if !l.Trace.Floored || !strings.Contains(l.Trace.String(), "floored at 0") || l.TaxClass != pricing.TaxExempt || !l.NotDiscountable {
		t.Errorf("floored trace %s", l.Trace)
	}
	l, _ = p.PriceLine(pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: jan, CustomerID: "vip"})
	if !strings.Contains(l.Trace.String(), "skipped CONTRACTOR_OVERRIDE r-override2") {
		t.Errorf("skipped override not traced: %s", l.Trace)
	}
	// Costs: dynamic service = 3 h × 45 + 2 × 8; bundle = 2 × 8 + 18.50 (primary vendor).
	for id, want := range map[string]string{"dyn": "151.00", "kit": "34.50", "cap": "18.50", "kit-priced": "16.00", "wire": "0.125", "drain": "0.00"} {
		l, err := p.PriceLine(pricing.LineRequest{ItemID: id}, pricing.Context{At: jan})
		if err != nil || l.UnitCost.Number() != want {
			t.Errorf("cost of %s = %s (%v), want %s", id, l.UnitCost.Number(), err, want)
		}
	}
	if it, ok := p.Item("kit"); !ok || it.Type != pricing.ItemBundle || p.VersionID() != "v1" || p.Currency() != "USD" {
		t.Error("Pricer accessors")
	}
	d, err := p.Discount("promo")
	if err != nil || d.Percent == nil || d.Percent.String() != "10" || d.ItemID != "promo" || d.Description != "Spring promo" {
		t.Errorf("Discount(promo) = %+v, %v", d, err)
	}
	if d, err := p.Discount("coupon"); err != nil || d.Amount.Number() != "25.00" {
		t.Errorf("Discount(coupon) = %+v, %v", d, err)
	}
	lines, err := p.Template("tune", pricing.Context{At: jan})
	if err != nil || len(lines) != 3 || lines[1].Quantity.String() != "2" || lines[2].Description != "Trip" {
		t.Errorf("Template = %+v, %v", lines, err)
	}
}

func TestPricebookReferenceErrors(t *testing.T) {
	p := fixturePricer(t)
	ctx := pricing.Context{At: jan}
	tests := []struct {
		name   string
		call   func() error
		line   string
		reason pricing.ReferenceReason
	}{
		{"unknown item", func() error { _, err := p.PriceLine(pricing.LineRequest{ID: "L7", ItemID: "nope"}, ctx); return err }, "L7", pricing.RefUnknownItem},
		{"inactive item", func() error { _, err := p.PriceLine(pricing.LineRequest{ID: "L8", ItemID: "old"}, ctx); return err }, "L8", pricing.RefInactiveItem},
		{"discount as a line", func() error { _, err := p.PriceLine(pricing.LineRequest{ID: "L9", ItemID: "promo"}, ctx); return err }, "L9", pricing.RefNotPriceable},
		{"unnamed line", func() error {
			_, err := p.PriceLines([]pricing.LineRequest{{ItemID: "tuneup"}, {ItemID: "nope"}}, ctx)
			return err
		}, "lines[1]", pricing.RefUnknownItem},
		{"not a discount", func() error { _, err := p.Discount("filter"); return err }, "discount filter", pricing.RefNotDiscount},
		{"unknown discount", func() error { _, err := p.Discount("nope"); return err }, "discount nope", pricing.RefUnknownItem},
		{"unknown template", func() error { _, err := p.Template("nope", ctx); return err }, "template nope", pricing.RefUnknownTemplate},
		{"other version", func() error {
			return p.CheckLine(&pricing.Line{ID: "L3", ItemID: "tuneup", Trace: &pricing.Trace{VersionID: "v0"}})
		}, "L3", pricing.RefOtherVersion},
		{"snapshot of a retired item", func() error {
			return p.CheckLine(&pricing.Line{ID: "L4", ItemID: "old", Trace: &pricing.Trace{VersionID: "v1"}})
		}, "L4", pricing.RefInactiveItem},
	}
	for _, tt := range tests {
		err := tt.call()
		var re *pricing.ReferenceError
		if !errors.Is(err, pricing.ErrPricebookReference) || !errors.As(err, &re) || re.Line != tt.line || re.Reason != tt.reason {
			t.Errorf("%s: %v (%+v), want line %s %s", tt.name, err, re, tt.line, tt.reason)
			continue
		}
		if !strings.Contains(err.Error(), string(tt.reason)) {
			t.Errorf("%s: message %q", tt.name, err)
		}
	}
	if err := p.CheckLine(&pricing.Line{ID: "c"}); err != nil {
		t.Errorf("custom line: %v", err)
	}
	if _, err := p.PriceLine(pricing.LineRequest{ItemID: "tuneup", Quantity: qty("-1")}, ctx); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("negative quantity: %v", err)
	}
	if _, err := p.PriceLine(pricing.LineRequest{ItemID: "tuneup", OverridePrice: ptr(pricing.MustMoney("1", "EUR"))}, ctx); !errors.Is(err, pricing.ErrCurrencyMismatch) {
		t.Errorf("override in euros: %v", err)
	}
	if _, err := p.PriceLine(pricing.LineRequest{ItemID: "tuneup", OverridePrice: ptr(usd("-1"))}, ctx); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("negative override: %v", err)
	}
	// A bundle whose component was retired cannot be priced.
	v := fixtureVersion()
	_ = v.Edit(func(*pricing.Version) error { return nil })
	v.Items[slices.IndexFunc(v.Items, func(it pricing.Item) bool { return it.ID == "cap" })].Inactive = true
	q, err := pricing.NewPricer(&v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.PriceLine(pricing.LineRequest{ID: "k", ItemID: "kit"}, ctx); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("retired component: %v", err)
	}
}

func TestVersionValidation(t *testing.T) {
	item := func(id string, f func(*pricing.Item)) func(*pricing.Version) {
		return func(v *pricing.Version) {
			i := slices.IndexFunc(v.Items, func(it pricing.Item) bool { return it.ID == id })
			f(&v.Items[i])
		}
	}
	rule := func(id string, f func(*pricing.Rule)) func(*pricing.Version) {
		return func(v *pricing.Version) {
			i := slices.IndexFunc(v.Rules, func(r pricing.Rule) bool { return r.ID == id })
			f(&v.Rules[i])
		}
	}
	eur := pricing.MustMoney("1", "EUR")
	tests := []struct {
		name   string
		edit   func(*pricing.Version)
		target error
	}{
		{"unknown currency", func(v *pricing.Version) { v.Currency = "XYZ" }, pricing.ErrUnknownCurrency},
		{"unknown rounding", func(v *pricing.Version) { v.Rounding = "SOMETIMES" }, pricing.ErrInvalidInput},
		{"duplicate category", func(v *pricing.Version) { v.Categories = append(v.Categories, pricing.Category{ID: "hvac"}) }, pricing.ErrInvalidInput},
		{"unknown parent category", func(v *pricing.Version) { v.Categories[0].ParentID = "nope" }, pricing.ErrPricebookReference},
		{"category cycle", func(v *pricing.Version) { v.Categories[0].ParentID = "maint" }, pricing.ErrPricebookReference},
		{"duplicate table", func(v *pricing.Version) { v.MarkupTables = append(v.MarkupTables, v.MarkupTables[0]) }, pricing.ErrInvalidInput},
		{"table not from 0", func(v *pricing.Version) { v.MarkupTables[0].Ranges = v.MarkupTables[0].Ranges[1:] }, pricing.ErrInvalidInput},
		{"table out of order", func(v *pricing.Version) { v.MarkupTables[0].Ranges[2].From = usd("5") }, pricing.ErrInvalidInput},
		{"table in euros", func(v *pricing.Version) { v.MarkupTables[0].Ranges[1].From = eur }, pricing.ErrCurrencyMismatch},
		{"negative markup", func(v *pricing.Version) { v.MarkupTables[0].Ranges[1].Markup = pct("-1") }, pricing.ErrInvalidAmount},
		{"unknown default table", func(v *pricing.Version) { v.DefaultMarkupTableID = "nope" }, pricing.ErrPricebookReference},
		{"item without id", item("tuneup", func(it *pricing.Item) { it.ID = "" }), pricing.ErrInvalidInput},
		{"item without code", item("tuneup", func(it *pricing.Item) { it.Code = "" }), pricing.ErrInvalidInput},
		{"unknown item type", item("tuneup", func(it *pricing.Item) { it.Type = "GADGET" }), pricing.ErrInvalidInput},
		{"duplicate code", item("drain", func(it *pricing.Item) { it.Code = "TU" }), pricing.ErrInvalidInput},
		{"price in euros", item("tuneup", func(it *pricing.Item) { it.MemberPrice = eur }), pricing.ErrCurrencyMismatch},
		{"negative price", item("tuneup", func(it *pricing.Item) { it.Price = usd("-1") }), pricing.ErrInvalidAmount},
		{"negative item markup", item("coil", func(it *pricing.Item) { it.Markup = ptr(pct("-5")) }), pricing.ErrInvalidAmount},
		{"rates not from 0", item("labor", func(it *pricing.Item) { it.Rates[0].After = qty("1") }), pricing.ErrInvalidInput},
		{"rates out of order", item("labor", func(it *pricing.Item) { it.Rates[1].After = qty("0") }), pricing.ErrInvalidInput},
		{"zero component", item("kit", func(it *pricing.Item) { it.Components[0].Quantity = qty("0") }), pricing.ErrInvalidAmount},
		{"discount item without discount", item("promo", func(it *pricing.Item) { it.Discount = nil }), pricing.ErrInvalidInput},
		{"discount over 100 %", item("promo", func(it *pricing.Item) { it.Discount = pricing.PercentOff(pct("150")) }), pricing.ErrInvalidAmount},
		{"empty bundle", item("kit", func(it *pricing.Item) { it.Components = nil }), pricing.ErrInvalidInput},
		{"labor without a rate", item("labor", func(it *pricing.Item) { it.Rates = nil }), pricing.ErrInvalidInput},
		{"service without a price", item("drain", func(it *pricing.Item) { it.Price = pricing.Money{} }), pricing.ErrInvalidInput},
		{"fee without a price", item("trip", func(it *pricing.Item) { it.Price = pricing.Money{} }), pricing.ErrInvalidInput},
		{"material without price or cost", item("filter", func(it *pricing.Item) { it.Price, it.Cost = pricing.Money{}, pricing.Money{} }), pricing.ErrInvalidInput},
		{"material with nothing to mark up by", func(v *pricing.Version) {
			v.DefaultMarkupTableID = ""
			item("wire", func(*pricing.Item) {})(v)
		}, pricing.ErrInvalidInput},
		{"unknown category", item("filter", func(it *pricing.Item) { it.CategoryID = "nope" }), pricing.ErrPricebookReference},
		{"unknown table", item("cap", func(it *pricing.Item) { it.MarkupTableID = "nope" }), pricing.ErrPricebookReference},
		{"service labor not LABOR", item("dyn", func(it *pricing.Item) { it.LaborItemID = "filter" }), pricing.ErrPricebookReference},
		{"service material not a material", item("dyn", func(it *pricing.Item) { it.Materials[0].ItemID = "drain" }), pricing.ErrPricebookReference},
		{"unknown component", item("kit", func(it *pricing.Item) { it.Components[0].ItemID = "nope" }), pricing.ErrPricebookReference},
		{"nested bundle", item("kit", func(it *pricing.Item) { it.Components[0].ItemID = "kit-priced" }), pricing.ErrPricebookReference},
		{"discount in a bundle", item("kit", func(it *pricing.Item) { it.Components[0].ItemID = "promo" }), pricing.ErrPricebookReference},
		{"rule without id", rule("r-hoa", func(r *pricing.Rule) { r.ID = "" }), pricing.ErrInvalidInput},
		{"unknown rule type", rule("r-hoa", func(r *pricing.Rule) { r.Type = "LOYALTY" }), pricing.ErrInvalidInput},
		{"two adjustments", rule("r-hoa", func(r *pricing.Rule) { r.Amount = ptr(usd("1")) }), pricing.ErrInvalidInput},
		{"no adjustment", rule("r-hoa", func(r *pricing.Rule) { r.Percent = nil }), pricing.ErrInvalidInput},
		{"rule in euros", rule("r-area", func(r *pricing.Rule) { r.Amount = &eur }), pricing.ErrCurrencyMismatch},
		{"negative set price", rule("r-override", func(r *pricing.Rule) { r.Price = ptr(usd("-1")) }), pricing.ErrInvalidAmount},
		{"percent below −100", rule("r-hoa", func(r *pricing.Rule) { r.Percent = ptr(pct("-101")) }), pricing.ErrInvalidAmount},
		{"window backwards", rule("r-promo", func(r *pricing.Rule) { r.From, r.To = r.To, r.From }), pricing.ErrInvalidInput},
		{"seasonal without window", rule("r-season", func(r *pricing.Rule) { r.To = time.Time{} }), pricing.ErrInvalidInput},
		{"volume without minimum", rule("r-vol10", func(r *pricing.Rule) { r.MinQuantity = pricing.Quantity{} }), pricing.ErrInvalidInput},
		{"rule on unknown item", rule("r-vol10", func(r *pricing.Rule) { r.ItemIDs = []string{"nope"} }), pricing.ErrPricebookReference},
		{"rule on unknown category", rule("r-hoa", func(r *pricing.Rule) { r.CategoryIDs = []string{"nope"} }), pricing.ErrPricebookReference},
		{"duplicate template", func(v *pricing.Version) { v.Templates = append(v.Templates, v.Templates[0]) }, pricing.ErrInvalidInput},
		{"template of an unknown item", func(v *pricing.Version) { v.Templates[0].Lines[0].ItemID = "nope" }, pricing.ErrPricebookReference},
	}
	for _, tt := range tests {
		v := fixtureVersion()
		tt.edit(&v)
		if _, err := pricing.NewPricer(&v); !errors.Is(err, tt.target) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.target)
		}
	}
}

func TestVersionLifecycle(t *testing.T) {
	pb := &pricing.Pricebook{ID: "pb", Name: "Main", Currency: "USD"}
	v1, err := pb.NewVersion("v1", "")
	if err != nil || v1.Number != 1 || v1.Status != pricing.VersionDraft || v1.Currency != "USD" {
		t.Fatalf("NewVersion = %+v, %v", v1, err)
	}
	transition := func(err error, rule string) {
		t.Helper()
		var te *pricing.TransitionError
		if !errors.Is(err, pricing.ErrIllegalTransition) || !errors.As(err, &te) || te.Rule != rule || te.Document != "pricebook version" {
			t.Errorf("%v, want rule %s", err, rule)
		}
	}
	transition(pb.Publish("v1", jan), "VERSION_NEEDS_ITEMS")
	fx := fixtureVersion()
	if err := v1.Edit(func(d *pricing.Version) error {
		d.Items, d.Categories, d.MarkupTables, d.DefaultMarkupTableID = fx.Items, fx.Categories, fx.MarkupTables, fx.DefaultMarkupTableID
		d.Status, d.ID = pricing.VersionActive, "hijack" // ignored: Edit keeps identity and status
		return nil
	}); err != nil || v1.ID != "v1" || v1.Status != pricing.VersionDraft || len(v1.Items) == 0 {
		t.Fatalf("Edit: %v, %+v", err, v1.ID)
	}
	if err := v1.Edit(func(*pricing.Version) error { return errors.New("no") }); err == nil {
		t.Error("Edit ignored fn's error")
	}
	transition(pb.Publish("v1", jan), "VERSION_EFFECTIVE_WINDOW")
	_ = v1.Edit(func(d *pricing.Version) error { d.EffectiveFrom, d.EffectiveTo = jan, jan; return nil })
	transition(pb.Publish("v1", jan), "VERSION_EFFECTIVE_WINDOW")
	_ = v1.Edit(func(d *pricing.Version) error { d.EffectiveTo = time.Time{}; d.Items[0].Price = usd("-1"); return nil })
	if err := pb.Publish("v1", jan); !errors.Is(err, pricing.ErrInvalidAmount) {
		t.Errorf("publishing an invalid version: %v", err)
	}
	_ = v1.Edit(func(d *pricing.Version) error { d.Items[0].Price = usd("189.00"); return nil })
	transition(pb.Activate("v1", jan), "VERSION_ACTIVATE_REQUIRES_PUBLISHED")
	if err := pb.Publish("v1", jan); err != nil || v1.Status != pricing.VersionPublished || !v1.PublishedAt.Equal(jan) {
		t.Fatalf("Publish: %v %s", err, v1.Status)
	}
	transition(pb.Publish("v1", jan), "VERSION_PUBLISH_REQUIRES_DRAFT")
	transition(v1.Edit(func(*pricing.Version) error { return nil }), "VERSION_IMMUTABLE")
	if _, err := pb.Current(jan); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("Current before activation: %v", err)
	}
	transition(pb.Activate("v1", jan.Add(-time.Hour)), "VERSION_NOT_IN_EFFECT")
	if err := pb.Activate("v1", jan); err != nil || v1.Status != pricing.VersionActive {
		t.Fatalf("Activate: %v", err)
	}
	// v2, a copy of v1 with new prices, published ahead of its date.
	v2, err := pb.NewVersion("v2", "v1")
	if err != nil || v2.Number != 2 || v2.Status != pricing.VersionDraft || !v2.PublishedAt.IsZero() || len(v2.Items) != len(v1.Items) {
		t.Fatalf("NewVersion from v1: %+v %v", v2.Number, err)
	}
	july := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	_ = v2.Edit(func(d *pricing.Version) error { d.EffectiveFrom = july; d.Items[0].Price = usd("199.00"); return nil })
	if v1.Items[0].Price.Number() != "189.00" {
		t.Error("editing the copy changed the original")
	}
	if err := pb.Publish("v2", jan); err != nil {
		t.Fatal(err)
	}
	if id, err := pb.Roll(july.Add(-time.Second)); id != "" || err != nil {
		t.Errorf("Roll before July: %q %v", id, err)
	}
	if cur, _ := pb.Current(july.Add(-time.Second)); cur.ID != "v1" {
		t.Errorf("Current = %s", cur.ID)
	}
	if id, err := pb.Roll(july); id != "v2" || err != nil || v1.Status != pricing.VersionArchived || v2.Status != pricing.VersionActive {
		t.Errorf("Roll in July: %q %v, v1 %s v2 %s", id, err, v1.Status, v2.Status)
	}
	if id, _ := pb.Roll(july.AddDate(0, 1, 0)); id != "" {
		t.Errorf("Roll again: %q", id)
	}
	active := 0
	for _, v := range pb.Versions {
		if v.Status == pricing.VersionActive {
			active++
		}
	}
	if active != 1 {
		t.Errorf("%d active versions", active)
	}
	transition(pb.Archive("v1", july), "VERSION_ARCHIVE_REQUIRES_PUBLISHED_OR_ACTIVE")
	if err := pb.Archive("v2", july); err != nil || v2.Status != pricing.VersionArchived {
		t.Errorf("Archive: %v", err)
	}
	if _, err := pb.Current(july); !errors.Is(err, pricing.ErrPricebookReference) || !strings.Contains(err.Error(), "NO_EFFECTIVE_VERSION") {
		t.Errorf("Current with none active: %v", err)
	}
	for name, err := range map[string]error{
		"publish unknown":  pb.Publish("nope", jan),
		"activate unknown": pb.Activate("nope", jan),
		"archive unknown":  pb.Archive("nope", jan),
	} {
		if !errors.Is(err, pricing.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := pb.NewVersion("v1", ""); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("duplicate version: %v", err)
	}
	if _, err := pb.NewVersion("", ""); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("version without id: %v", err)
	}
	if _, err := pb.NewVersion("v9", "nope"); !errors.Is(err, pricing.ErrNotFound) {
		t.Errorf("copy of an unknown version: %v", err)
	}
	bad := &pricing.Pricebook{ID: "x", Currency: "??"}
	if _, err := bad.NewVersion("v", ""); !errors.Is(err, pricing.ErrUnknownCurrency) {
		t.Errorf("pricebook currency: %v", err)
	}
}
