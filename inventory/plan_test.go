package inventory_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/inventory"
)

var planNow = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

// planShop is a warehouse feeding two trucks and a branch, the branch feeding
// a third truck, and a vendor's consignment cage, with three suppliers.
func planShop() inventory.PlanInput {
	return inventory.PlanInput{
		Items: []inventory.Item{
			{ID: "CAP", Unit: inventory.Each, StandardCost: d("12")},
			{ID: "PIPE", Unit: inventory.Foot, Step: d("0.5")},
			{ID: "R410A", Unit: inventory.Pound, Step: d("0.1"), PreferredSupplierID: "FERG"},
		},
		Locations: []inventory.Location{
			{ID: "WH", Type: inventory.Warehouse},
			{ID: "T1", Type: inventory.Truck, ReplenishFromID: "WH"},
			{ID: "T2", Type: inventory.Truck, ReplenishFromID: "WH"},
			{ID: "BR", Type: inventory.Branch, ReplenishFromID: "WH"},
			{ID: "T3", Type: inventory.Truck, ReplenishFromID: "BR"},
			{ID: "CONS", Type: inventory.VendorConsignment, SupplierID: "VEND"},
		},
		Suppliers: []inventory.Supplier{
			{ID: "JOHN", LeadTime: inventory.LeadTime{Days: d("3")}, Items: []inventory.SupplierItem{
				{ItemID: "CAP", UnitCost: d("11.50"), SupplierSKU: "J-CAP"}, {ItemID: "PIPE", UnitCost: d("0.80")}, {ItemID: "R410A", UnitCost: d("9")},
			}},
			{ID: "FERG", LeadTime: inventory.LeadTime{Days: d("5")}, Items: []inventory.SupplierItem{
				{ItemID: "CAP", UnitCost: d("11.50")}, {ItemID: "PIPE", UnitCost: d("0.80"), LeadTime: &inventory.LeadTime{Days: d("2")}}, {ItemID: "R410A", UnitCost: d("9.5")},
			}},
			{ID: "VEND", LeadTime: inventory.LeadTime{Days: d("1")}, Items: []inventory.SupplierItem{{ItemID: "CAP", UnitCost: d("11.75")}}},
		},
	}
}

func onHand(item, loc, q string) inventory.Level {
	return inventory.Level{Key: inventory.Key{ItemID: item, LocationID: loc}, OnHand: d(q)}
}

func minMax(item, loc, mn, mx string) inventory.Policy {
	return inventory.Policy{ItemID: item, LocationID: loc, Kind: inventory.PolicyMinMax, Min: d(mn), Max: d(mx)}
}

func plan(t *testing.T, in inventory.PlanInput) *inventory.Proposal {
	t.Helper()
	pr, err := inventory.Plan(planNow, in)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// lines flattens a proposal into "kind source→destination item quantity".
func lines(pr *inventory.Proposal) []string {
	var out []string
	for _, tr := range pr.Transfers {
		for _, l := range tr.Lines {
			out = append(out, "transfer "+tr.FromID+"→"+tr.ToID+" "+l.ItemID+" "+l.Quantity.String())
		}
	}
	for _, o := range pr.Orders {
		for _, l := range o.Lines {
			out = append(out, "buy "+o.SupplierID+"→"+o.DeliveryLocationID+" "+l.ItemID+" "+l.Quantity.String())
		}
	}
	for _, u := range pr.Unfilled {
		out = append(out, "unfilled "+u.LocationID+" "+u.ItemID+" "+u.Quantity.String())
	}
	return out
}

func TestPlanDecisions(t *testing.T) {
	demand := func(item, loc, mean, sd string) inventory.DemandStats {
		return inventory.DemandStats{Key: inventory.Key{ItemID: item, LocationID: loc}, Days: 90, Mean: d(mean), StdDev: d(sd)}
	}
	rop := func(item, loc string) inventory.Policy {
		return inventory.Policy{ItemID: item, LocationID: loc, Kind: inventory.PolicyReorderPoint, Z: d("1.65"), SupplierID: "JOHN",
			LeadTime: &inventory.LeadTime{Days: d("4")}}
	}
	with := func(p inventory.Policy, f func(*inventory.Policy)) inventory.Policy { f(&p); return p }
	tests := []struct {
		name     string
		policies []inventory.Policy
		levels   []inventory.Level
		demand   []inventory.DemandStats
		want     []string
		reason   string // in the first line's reason
	}{
		{"Odoo: multiple 3, max 20 → 21",
			[]inventory.Policy{with(minMax("CAP", "WH", "5", "20"), func(p *inventory.Policy) { p.Multiple = d("3") })}, nil, nil,
			[]string{"buy JOHN→WH CAP 21"}, "below min 5: up to max 20 needs 20, rounded up to a multiple of 3: 21"},
		{"at min: nothing", []inventory.Policy{minMax("CAP", "WH", "5", "20")}, []inventory.Level{onHand("CAP", "WH", "5")}, nil, nil, ""},
		{"the position counts what is coming and what is promised",
			[]inventory.Policy{minMax("CAP", "WH", "5", "20")},
			[]inventory.Level{{Key: inventory.Key{ItemID: "CAP", LocationID: "WH"}, OnHand: d("2"), OnOrder: d("6"), InTransit: d("1"), Reserved: d("5")}}, nil,
			[]string{"buy JOHN→WH CAP 16"}, "position 4 (on hand 2 + on order 6 + in transit 1 − reserved 5) is below min 5"},
		{"reorder point with z = 1.65: just enough",
			[]inventory.Policy{rop("CAP", "WH")}, []inventory.Level{onHand("CAP", "WH", "30")}, []inventory.DemandStats{demand("CAP", "WH", "10", "3")},
			[]string{"buy JOHN→WH CAP 20"}, "below the reorder point 49.9 (mean demand 10/day × lead time 4 days + safety stock 9.9 at z 1.65): needs 19.9, rounded up to a multiple of 1: 20"},
		{"reorder point, up to max",
			[]inventory.Policy{with(rop("CAP", "WH"), func(p *inventory.Policy) { p.Max = d("80") })}, []inventory.Level{onHand("CAP", "WH", "30")},
			[]inventory.DemandStats{demand("CAP", "WH", "10", "3")}, []string{"buy JOHN→WH CAP 50"}, "up to max 80 needs 50"},
		{"reorder point, fixed quantities",
			[]inventory.Policy{with(rop("CAP", "WH"), func(p *inventory.Policy) { p.OrderQuantity = d("12") })}, []inventory.Level{onHand("CAP", "WH", "30")},
			[]inventory.DemandStats{demand("CAP", "WH", "10", "3")}, []string{"buy JOHN→WH CAP 24"}, "2 × order quantity 12 = 24"},
		{"reorder point, economic order quantity",
			// H = 0.25 × 11.50 a year; D = 3650: EOQ = √(2·3650·50/2.875) = 356.3...
			[]inventory.Policy{with(rop("CAP", "WH"), func(p *inventory.Policy) { p.OrderCost, p.HoldingRate = d("50"), d("0.25") })},
			[]inventory.Level{onHand("CAP", "WH", "30")}, []inventory.DemandStats{demand("CAP", "WH", "10", "3")},
			[]string{"buy JOHN→WH CAP 357"}, "1 × EOQ 356.3"},
		{"a review period lengthens the lead time",
			[]inventory.Policy{with(rop("CAP", "WH"), func(p *inventory.Policy) { p.ReviewDays = d("5") })}, []inventory.Level{onHand("CAP", "WH", "60")},
			[]inventory.DemandStats{demand("CAP", "WH", "10", "2")}, []string{"buy JOHN→WH CAP 40"}, "reorder point 99.9 (mean demand 10/day × lead time 9 days + safety stock 9.9"},
		{"min floors the reorder point of a slow mover",
			[]inventory.Policy{with(rop("CAP", "WH"), func(p *inventory.Policy) { p.Min = d("2") })}, nil, nil,
			[]string{"buy JOHN→WH CAP 2"}, "the policy's min; no demand recorded"},
		{"min above what demand gives",
			[]inventory.Policy{with(rop("CAP", "WH"), func(p *inventory.Policy) { p.Min = d("5") })}, nil, []inventory.DemandStats{demand("CAP", "WH", "0.1", "0")},
			[]string{"buy JOHN→WH CAP 5"}, "the policy's min; demand gives 0.4"},
		{"an item nobody uses is never bought", []inventory.Policy{rop("CAP", "WH")}, nil, nil, nil, ""},
		{"trucks use the transfer lead time",
			[]inventory.Policy{{ItemID: "CAP", LocationID: "T1", Kind: inventory.PolicyReorderPoint, Z: d("1.65")}},
			[]inventory.Level{onHand("CAP", "WH", "50")}, []inventory.DemandStats{demand("CAP", "T1", "2", "1")},
			[]string{"transfer WH→T1 CAP 4"}, "reorder point 3.65 (mean demand 2/day × lead time 1 days + safety stock 1.65"},
		{"steps round pipe to the half foot",
			[]inventory.Policy{minMax("PIPE", "WH", "10", "20.2")}, nil, nil,
			[]string{"buy FERG→WH PIPE 20.5"}, "rounded up to a multiple of 0.5: 20.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := planShop()
			in.Policies, in.Levels, in.Demand = tt.policies, tt.levels, tt.demand
			pr := plan(t, in)
			if got := lines(pr); strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Fatalf("plan %q, want %q\n%s", got, tt.want, dump(pr))
			}
			if tt.reason != "" {
				var reason string
				if len(pr.Orders) > 0 {
					reason = pr.Orders[0].Lines[0].Reason
				} else {
					reason = pr.Transfers[0].Lines[0].Reason
				}
				if !strings.Contains(reason, tt.reason) {
					t.Errorf("reason %q lacks %q", reason, tt.reason)
				}
			}
		})
	}
}

func TestPlanRefillsTrucksFirst(t *testing.T) {
	in := planShop()
	in.Policies = []inventory.Policy{minMax("CAP", "T1", "3", "6"), minMax("CAP", "T2", "3", "6")}
	in.Levels = []inventory.Level{onHand("CAP", "T2", "2"), onHand("CAP", "WH", "5")}
	pr := plan(t, in)
	// T1 (3 below its min) is more urgent than T2 (1 below): both get up to
	// their min first, then T1 the rest it can; the warehouse buys what it owes.
	want := []string{"transfer WH→T1 CAP 4", "transfer WH→T2 CAP 1", "buy JOHN→WH CAP 5"}
	if got := lines(pr); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("plan %q, want %q\n%s", got, want, dump(pr))
	}
	if r := pr.Transfers[0].Lines[0].Reason; !strings.Contains(r, "WH can ship only 4 now") {
		t.Errorf("reason %q", r)
	}
	if r := pr.Orders[0].Lines[0].Reason; !strings.Contains(r, "− 5 shipped to T1, T2 − 5 owed to T1 (2), T2 (3)) is below zero") {
		t.Errorf("reason %q", r)
	}
	if pr.Transfers[0].Key != "transfer:WH:T1" || pr.Transfers[0].Lines[0].Key != "transfer:WH:T1:CAP" || pr.Orders[0].Lines[0].Key != "po:JOHN:WH:CAP" {
		t.Errorf("keys %q %q %q", pr.Transfers[0].Key, pr.Transfers[0].Lines[0].Key, pr.Orders[0].Lines[0].Key)
	}
}

func TestPlanThroughABranch(t *testing.T) {
	in := planShop()
	in.Policies = []inventory.Policy{minMax("CAP", "T3", "2", "4"), minMax("CAP", "BR", "2", "10"), minMax("CAP", "WH", "10", "40")}
	in.Levels = []inventory.Level{onHand("CAP", "BR", "1"), onHand("CAP", "WH", "20")}
	pr := plan(t, in)
	want := []string{"transfer BR→T3 CAP 1", "transfer WH→BR CAP 13", "buy JOHN→WH CAP 33"}
	if got := lines(pr); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("plan %q, want %q\n%s", got, want, dump(pr))
	}
}

func TestPlanChoosesSuppliers(t *testing.T) {
	in := planShop()
	in.Suppliers = append(in.Suppliers,
		inventory.Supplier{ID: "AAA", LeadTime: inventory.LeadTime{Days: d("5")}, Items: []inventory.SupplierItem{{ItemID: "PIPE", UnitCost: d("0.80")}}},
		inventory.Supplier{ID: "ZZZ", Items: []inventory.SupplierItem{{ItemID: "PIPE", UnitCost: d("0.79"), MinOrder: d("24"), PackSize: d("12")}}},
	)
	in.Policies = []inventory.Policy{
		minMax("CAP", "WH", "1", "1"),      // cheapest, JOHN and FERG tie on price: the shorter lead time
		minMax("R410A", "WH", "1", "1.05"), // the item's preferred supplier, though dearer
		{ItemID: "CAP", LocationID: "BR", Kind: inventory.PolicyMinMax, Min: d("1"), Max: d("1"), SupplierID: "FERG"}, // BR is refilled from WH, which owes it 1
		minMax("CAP", "CONS", "2", "2"),  // the consignment's vendor
		minMax("PIPE", "CONS", "2", "2"), // the vendor does not sell it
		minMax("PIPE", "WH", "1", "5"),   // the cheapest: raised to its minimum, a multiple of its packs
	}
	in.Levels = []inventory.Level{onHand("CAP", "WH", "0")}
	pr := plan(t, in)
	want := []string{"buy FERG→WH R410A 1.1", "buy JOHN→WH CAP 2", "buy VEND→CONS CAP 2", "buy ZZZ→WH PIPE 24", "unfilled CONS PIPE 2"}
	if got := lines(pr); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("plan %q, want %q\n%s", got, want, dump(pr))
	}
	if r := pr.Orders[3].Lines[0].Reason; !strings.Contains(r, "raised to the supplier's minimum order 24") {
		t.Errorf("reason %q", r)
	}
	if pr.Orders[1].Lines[0].SupplierSKU != "J-CAP" || !pr.Orders[1].Lines[0].UnitCost.Equal(d("11.50")) {
		t.Errorf("line %+v", pr.Orders[1].Lines[0])
	}
	if !pr.Orders[1].ExpectedAt.Equal(planNow.Add(72*time.Hour)) || !pr.Orders[0].ExpectedAt.Equal(planNow.Add(120*time.Hour)) {
		t.Errorf("expected %v and %v", pr.Orders[1].ExpectedAt, pr.Orders[0].ExpectedAt)
	}
	if !strings.Contains(pr.Unfilled[0].Reason, "no supplier sells PIPE") || pr.Unfilled[0].Key != "unfilled:CONS:PIPE" {
		t.Errorf("unfilled %+v", pr.Unfilled[0])
	}
}

// TestPlanProposalsBecomeDocuments: once the proposals exist as a draft
// order and a pending transfer, the next plan proposes nothing.
func TestPlanProposalsBecomeDocuments(t *testing.T) {
	in := planShop()
	in.Policies = []inventory.Policy{minMax("CAP", "T1", "3", "6"), minMax("CAP", "WH", "10", "20")}
	b, err := inventory.NewBook(in.Items, in.Locations, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustPost(t, b, rcv("CAP", "WH", "8", "11"))
	in.Levels = b.Levels()
	pr := plan(t, in)
	if got := lines(pr); strings.Join(got, "; ") != "transfer WH→T1 CAP 6; buy JOHN→WH CAP 18" {
		t.Fatalf("plan %q", got)
	}
	po, err := pr.Orders[0].Draft(planNow, "po-1", "PO-1")
	if err != nil || po.Status != inventory.OrderDraft || po.Lines[0].SupplierSKU != "J-CAP" || !po.ExpectedAt.Equal(pr.Orders[0].ExpectedAt) {
		t.Fatalf("draft %+v %v", po, err)
	}
	b.Track(po)
	if _, err := b.RequestTransfer(planNow, pr.Transfers[0].Request("t-1", "TRF-1")); err != nil {
		t.Fatal(err)
	}
	in.Levels = b.Levels()
	if again := plan(t, in); len(lines(again)) != 0 {
		t.Fatalf("planned again: %q", lines(again))
	}
}

func TestPlanRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*inventory.PlanInput)
		target error
	}{
		{"unknown item", func(in *inventory.PlanInput) { in.Policies = []inventory.Policy{minMax("NOPE", "WH", "1", "2")} }, inventory.ErrNotFound},
		{"unknown location", func(in *inventory.PlanInput) { in.Policies = []inventory.Policy{minMax("CAP", "NOPE", "1", "2")} }, inventory.ErrNotFound},
		{"two policies for one key", func(in *inventory.PlanInput) {
			in.Policies = []inventory.Policy{minMax("CAP", "WH", "1", "2"), minMax("CAP", "WH", "1", "3")}
		}, inventory.ErrInvalid},
		{"max below min", func(in *inventory.PlanInput) { in.Policies = []inventory.Policy{minMax("CAP", "WH", "3", "2")} }, inventory.ErrInvalid},
		{"negative min", func(in *inventory.PlanInput) { in.Policies = []inventory.Policy{minMax("CAP", "WH", "-1", "0")} }, inventory.ErrInvalid},
		{"unknown kind", func(in *inventory.PlanInput) {
			in.Policies = []inventory.Policy{{ItemID: "CAP", LocationID: "WH", Kind: "JIT"}}
		}, inventory.ErrInvalid},
		{"no item", func(in *inventory.PlanInput) { in.Policies = []inventory.Policy{minMax("", "WH", "1", "2")} }, inventory.ErrNotFound},
		{"no location", func(in *inventory.PlanInput) {
			in.Policies = []inventory.Policy{{ItemID: "CAP", Kind: inventory.PolicyMinMax}}
		}, inventory.ErrInvalid},
		{"negative lead time", func(in *inventory.PlanInput) {
			p := minMax("CAP", "WH", "1", "2")
			p.LeadTime = &inventory.LeadTime{Days: d("-1")}
			in.Policies = []inventory.Policy{p}
		}, inventory.ErrInvalid},
		{"bad item", func(in *inventory.PlanInput) { in.Items[0].Step = d("-1") }, inventory.ErrInvalid},
		{"bad location", func(in *inventory.PlanInput) { in.Locations[1].ReplenishFromID = "T1" }, inventory.ErrInvalid},
		{"bad supplier", func(in *inventory.PlanInput) { in.Suppliers[0].ID = "" }, inventory.ErrInvalid},
		{"duplicate supplier", func(in *inventory.PlanInput) { in.Suppliers[1].ID = "JOHN" }, inventory.ErrInvalid},
		{"duplicate item", func(in *inventory.PlanInput) { in.Items[1].ID = "CAP" }, inventory.ErrInvalid},
		{"bad lead time", func(in *inventory.PlanInput) { in.Suppliers[0].LeadTime.Days = d("-2") }, inventory.ErrInvalid},
		{"bad price", func(in *inventory.PlanInput) { in.Suppliers[0].Items[0].UnitCost = d("-2") }, inventory.ErrInvalid},
		{"price for no item", func(in *inventory.PlanInput) { in.Suppliers[0].Items[0].ItemID = "" }, inventory.ErrInvalid},
		{"bad pack", func(in *inventory.PlanInput) { in.Suppliers[0].Items[0].PackSize = d("-12") }, inventory.ErrInvalid},
		{"bad item lead time", func(in *inventory.PlanInput) {
			in.Suppliers[0].Items[0].LeadTime = &inventory.LeadTime{StdDev: d("-1")}
		}, inventory.ErrInvalid},
	}
	for _, tt := range tests {
		in := planShop()
		tt.change(&in)
		if _, err := inventory.Plan(planNow, in); !errors.Is(err, tt.target) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.target)
		}
	}
}

func TestPlanOptions(t *testing.T) {
	in := planShop()
	in.TransferLeadTime = &inventory.LeadTime{Days: d("3")}
	in.Policies = []inventory.Policy{{ItemID: "CAP", LocationID: "T1", Kind: inventory.PolicyReorderPoint}}
	in.Levels = []inventory.Level{onHand("CAP", "WH", "50"), onHand("CAP", "T1", "4")}
	in.Demand = []inventory.DemandStats{{Key: inventory.Key{ItemID: "CAP", LocationID: "T1"}, Mean: d("2")}}
	if got := lines(plan(t, in)); strings.Join(got, "; ") != "transfer WH→T1 CAP 2" {
		t.Fatalf("plan %q with a 3-day refill", got)
	}
	in.Suppliers[0].ID = "A:B%"
	in.Policies = []inventory.Policy{minMax("CAP", "WH", "1", "1")}
	in.Suppliers[1].Items, in.Levels = nil, nil
	if pr := plan(t, in); pr.Orders[0].Lines[0].Key != "po:A%3AB%25:WH:CAP" {
		t.Errorf("key %q", pr.Orders[0].Lines[0].Key)
	}
}
