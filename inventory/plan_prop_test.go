package inventory_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/inventory"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// drawPlanInput draws an organization: a warehouse, a branch it refills, and
// trucks refilled by either; two suppliers with the same lead time per item
// (so the reorder point does not depend on which one a plan picks); random
// policies, levels and demand. With ample set, the warehouse and the branch
// hold more than any truck can ask for.
func drawPlanInput(t *rapid.T, ample bool) inventory.PlanInput {
	dec := func(label string, lo, hi int64, exp int32) decimal.Decimal {
		return decimal.New(rapid.Int64Range(lo, hi).Draw(t, label), exp)
	}
	in := inventory.PlanInput{Locations: []inventory.Location{
		{ID: "WH", Type: inventory.Warehouse},
		{ID: "BR", Type: inventory.Branch, ReplenishFromID: "WH"},
	}}
	for i := range rapid.IntRange(1, 4).Draw(t, "trucks") {
		in.Locations = append(in.Locations, inventory.Location{ID: fmt.Sprintf("T%d", i), Type: inventory.Truck,
			ReplenishFromID: rapid.SampledFrom([]string{"WH", "BR"}).Draw(t, "truck parent")})
	}
	sups := []inventory.Supplier{{ID: "S1", LeadTime: inventory.LeadTime{Days: dec("lead", 0, 10, 0)}}, {ID: "S2"}}
	for i := range rapid.IntRange(1, 3).Draw(t, "items") {
		it := inventory.Item{ID: fmt.Sprintf("I%d", i), Step: rapid.SampledFrom([]decimal.Decimal{{}, decimal.New(1, -1), decimal.New(5, -1)}).Draw(t, "step")}
		in.Items = append(in.Items, it)
		lt := &inventory.LeadTime{Days: dec("item lead", 0, 8, 0), StdDev: dec("item lead σ", 0, 20, -1)}
		for s := range sups {
			sups[s].Items = append(sups[s].Items, inventory.SupplierItem{ItemID: it.ID, LeadTime: lt,
				UnitCost: dec("cost", 1, 5000, -2),
				PackSize: rapid.SampledFrom([]decimal.Decimal{{}, decimal.New(1, 0), decimal.New(5, 0), decimal.New(12, 0), decimal.New(25, -1)}).Draw(t, "pack"),
				MinOrder: dec("min order", 0, 30, 0),
			})
		}
		for _, loc := range in.Locations {
			if !rapid.Bool().Draw(t, "has policy") {
				continue
			}
			p := inventory.Policy{ItemID: it.ID, LocationID: loc.ID, Min: dec("min", 0, 40, 0),
				Multiple: rapid.SampledFrom([]decimal.Decimal{{}, decimal.New(1, 0), decimal.New(3, 0), decimal.New(5, -1)}).Draw(t, "multiple")}
			if rapid.Bool().Draw(t, "min/max") {
				p.Kind, p.Max = inventory.PolicyMinMax, p.Min.Add(dec("spread", 0, 40, 0))
			} else {
				p.Kind, p.Z, p.ReviewDays = inventory.PolicyReorderPoint, dec("z", 0, 250, -2), dec("review", 0, 7, 0)
				switch rapid.IntRange(0, 3).Draw(t, "quantity rule") {
				case 0:
					p.Max = p.Min.Add(dec("spread", 0, 40, 0))
				case 1:
					p.OrderQuantity = dec("q", 1, 200, -1)
				case 2:
					p.OrderCost, p.HoldingRate = dec("order cost", 1, 100, 0), dec("holding", 1, 50, -2)
				}
				if rapid.Bool().Draw(t, "lead override") {
					p.LeadTime = &inventory.LeadTime{Days: dec("lead override", 0, 5, 0)}
				}
			}
			in.Policies = append(in.Policies, p)
			in.Demand = append(in.Demand, inventory.DemandStats{Key: p.Key(), Days: 90,
				Mean: dec("mean", 0, 500, -2), StdDev: dec("σ", 0, 300, -2)})
		}
		for _, loc := range in.Locations {
			l := inventory.Level{Key: inventory.Key{ItemID: it.ID, LocationID: loc.ID}, OnHand: dec("on hand", 0, 60, 0),
				OnOrder: dec("on order", 0, 10, 0), InTransit: dec("in transit", 0, 10, 0)}
			l.Reserved = decimal.Min(l.OnHand, dec("reserved", 0, 20, 0))
			if ample && loc.Type != inventory.Truck {
				l.OnHand = l.OnHand.Add(decimal.New(1, 6))
			}
			in.Levels = append(in.Levels, l)
		}
	}
	in.Suppliers = sups
	return in
}

// trigger is the level a policy keeps the position at or above.
func trigger(in inventory.PlanInput, p inventory.Policy) decimal.Decimal {
	if p.Kind == inventory.PolicyMinMax {
		return p.Min
	}
	lt := inventory.LeadTime{Days: decimal.New(1, 0)} // the default transfer lead time
	if loc := findLoc(in, p.LocationID); loc.ReplenishFromID == "" {
		lt = *in.Suppliers[0].Items[slices.IndexFunc(in.Suppliers[0].Items, func(si inventory.SupplierItem) bool { return si.ItemID == p.ItemID })].LeadTime
	}
	if p.LeadTime != nil {
		lt = *p.LeadTime
	}
	lt.Days = lt.Days.Add(p.ReviewDays)
	var dem inventory.DemandStats
	for _, d := range in.Demand {
		if d.Key == p.Key() {
			dem = d
		}
	}
	return decimal.Max(p.Min, inventory.ReorderPoint(dem, lt, p.Z))
}

func findLoc(in inventory.PlanInput, id string) inventory.Location {
	return in.Locations[slices.IndexFunc(in.Locations, func(l inventory.Location) bool { return l.ID == id })]
}

// applyProposal returns the positions after the proposal's transfers and
// orders become documents.
func applyProposal(in inventory.PlanInput, pr *inventory.Proposal) map[inventory.Key]decimal.Decimal {
	pos := map[inventory.Key]decimal.Decimal{}
	for _, l := range in.Levels {
		pos[l.Key] = l.Position()
	}
	for _, t := range pr.Transfers {
		for _, l := range t.Lines {
			pos[inventory.Key{ItemID: l.ItemID, LocationID: t.ToID}] = pos[inventory.Key{ItemID: l.ItemID, LocationID: t.ToID}].Add(l.Quantity)
			pos[inventory.Key{ItemID: l.ItemID, LocationID: t.FromID}] = pos[inventory.Key{ItemID: l.ItemID, LocationID: t.FromID}].Sub(l.Quantity)
		}
	}
	for _, o := range pr.Orders {
		for _, l := range o.Lines {
			k := inventory.Key{ItemID: l.ItemID, LocationID: o.DeliveryLocationID}
			pos[k] = pos[k].Add(l.Quantity)
		}
	}
	return pos
}

func policyOf(in inventory.PlanInput, k inventory.Key) (inventory.Policy, bool) {
	i := slices.IndexFunc(in.Policies, func(p inventory.Policy) bool { return p.Key() == k })
	if i < 0 {
		return inventory.Policy{}, false
	}
	return in.Policies[i], true
}

func lcmOf(ds ...decimal.Decimal) decimal.Decimal {
	m := decimal.Zero
	for _, d := range ds {
		if d.Sign() <= 0 {
			continue
		}
		if m.IsZero() {
			m = d
			continue
		}
		for k := int64(1); ; k++ { // small test values: search the multiples
			if c := m.Mul(decimal.New(k, 0)); c.Mod(d).IsZero() {
				m = c
				break
			}
		}
	}
	return m
}

func step(it inventory.Item) decimal.Decimal {
	if it.Step.Sign() > 0 {
		return it.Step
	}
	return decimal.New(1, 0)
}

func TestPlanProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ample := rapid.Bool().Draw(t, "ample")
		in := drawPlanInput(t, ample)
		pr, err := inventory.Plan(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), in)
		if err != nil {
			t.Fatal(err)
		}
		pos := applyProposal(in, pr)
		items := map[string]inventory.Item{}
		for _, it := range in.Items {
			items[it.ID] = it
		}

		// A plan brings every position to at least its reorder point when
		// supply exists: always for locations that buy, and for trucks
		// when their warehouse or branch has enough.
		for _, p := range in.Policies {
			fed := findLoc(in, p.LocationID).ReplenishFromID != ""
			if !ample && fed {
				continue
			}
			if want := trigger(in, p); pos[p.Key()].Cmp(want) < 0 {
				t.Fatalf("%v ends at position %s, below its reorder point %s\n%s", p.Key(), pos[p.Key()], want, dump(pr))
			}
		}

		// Multiples are respected; nothing ships that is not available.
		shipped := map[inventory.Key]decimal.Decimal{}
		for _, tr := range pr.Transfers {
			for _, l := range tr.Lines {
				p, _ := policyOf(in, inventory.Key{ItemID: l.ItemID, LocationID: tr.ToID})
				if m := lcmOf(step(items[l.ItemID]), p.Multiple); !l.Quantity.Mod(m).IsZero() || l.Quantity.Sign() <= 0 {
					t.Fatalf("transfer of %s %s is not a positive multiple of %s", l.Quantity, l.ItemID, m)
				}
				k := inventory.Key{ItemID: l.ItemID, LocationID: tr.FromID}
				shipped[k] = shipped[k].Add(l.Quantity)
			}
		}
		for _, l := range in.Levels {
			if s := shipped[l.Key]; s.Cmp(decimal.Max(l.Available(), decimal.Zero)) > 0 {
				t.Fatalf("%v ships %s with %s available", l.Key, s, l.Available())
			}
		}
		for _, o := range pr.Orders {
			sup := in.Suppliers[slices.IndexFunc(in.Suppliers, func(s inventory.Supplier) bool { return s.ID == o.SupplierID })]
			for _, l := range o.Lines {
				si := sup.Items[slices.IndexFunc(sup.Items, func(si inventory.SupplierItem) bool { return si.ItemID == l.ItemID })]
				p, _ := policyOf(in, inventory.Key{ItemID: l.ItemID, LocationID: o.DeliveryLocationID})
				m := lcmOf(step(items[l.ItemID]), p.Multiple, si.PackSize)
				if !l.Quantity.Mod(m).IsZero() || l.Quantity.Cmp(si.MinOrder) < 0 || l.Quantity.Sign() <= 0 {
					t.Fatalf("order of %s %s: not a positive multiple of %s of at least %s", l.Quantity, l.ItemID, m, si.MinOrder)
				}
				if !l.UnitCost.Equal(si.UnitCost) {
					t.Fatalf("order of %s at %s, the supplier sells at %s", l.ItemID, l.UnitCost, si.UnitCost)
				}
			}
		}
		if len(pr.Unfilled) != 0 {
			t.Fatalf("unfilled needs with suppliers for every item: %v", pr.Unfilled)
		}

		// Deterministic: the order of the input does not matter.
		rng := rand.New(rand.NewPCG(uint64(len(in.Levels)), 7))
		shuffled := in
		shuffled.Policies, shuffled.Levels, shuffled.Demand = slices.Clone(in.Policies), slices.Clone(in.Levels), slices.Clone(in.Demand)
		shuffled.Locations, shuffled.Items = slices.Clone(in.Locations), slices.Clone(in.Items)
		for _, s := range []func(){
			func() {
				rng.Shuffle(len(shuffled.Policies), func(i, j int) {
					shuffled.Policies[i], shuffled.Policies[j] = shuffled.Policies[j], shuffled.Policies[i]
				})
			},
			func() {
				rng.Shuffle(len(shuffled.Levels), func(i, j int) { shuffled.Levels[i], shuffled.Levels[j] = shuffled.Levels[j], shuffled.Levels[i] })
			},
			func() {
				rng.Shuffle(len(shuffled.Demand), func(i, j int) { shuffled.Demand[i], shuffled.Demand[j] = shuffled.Demand[j], shuffled.Demand[i] })
			},
			func() {
				rng.Shuffle(len(shuffled.Locations), func(i, j int) {
					shuffled.Locations[i], shuffled.Locations[j] = shuffled.Locations[j], shuffled.Locations[i]
				})
			},
		} {
			s()
		}
		again, err := inventory.Plan(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), shuffled)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(pr, again); diff != "" {
			t.Fatalf("plan depends on input order (-sorted +shuffled):\n%s", diff)
		}
	})
}

func dump(pr *inventory.Proposal) string {
	s := ""
	for _, t := range pr.Transfers {
		for _, l := range t.Lines {
			s += fmt.Sprintf("  %s→%s %s %s: %s\n", t.FromID, t.ToID, l.ItemID, l.Quantity, l.Reason)
		}
	}
	for _, o := range pr.Orders {
		for _, l := range o.Lines {
			s += fmt.Sprintf("  %s@%s %s %s: %s\n", o.SupplierID, o.DeliveryLocationID, l.ItemID, l.Quantity, l.Reason)
		}
	}
	return s
}
