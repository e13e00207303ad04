package inventory_test

import (
	"testing"

	"github.com/hestami-ai/opsengine/inventory"
)

func TestOrderUpTo(t *testing.T) {
	tests := []struct {
		name                       string
		position, target, multiple string
		want                       string
	}{
		{"Odoo: multiple 3, max 20, nothing in stock → 21", "0", "20", "3", "21"},
		{"an exact multiple stays", "5", "20", "3", "15"},
		{"at the target: nothing", "20", "20", "3", "0"},
		{"above the target: nothing", "25", "20", "3", "0"},
		{"no multiple: exactly the gap", "7", "20", "0", "13"},
		{"a negative position", "-4", "10", "5", "15"},
		{"pipe by the half foot", "2.2", "10", "0.5", "8"},
		{"refrigerant to the tenth of a pound", "1.25", "5", "0.1", "3.8"},
	}
	for _, tt := range tests {
		if got := inventory.OrderUpTo(d(tt.position), d(tt.target), d(tt.multiple)); !got.Equal(d(tt.want)) {
			t.Errorf("%s: OrderUpTo(%s, %s, %s) = %s, want %s", tt.name, tt.position, tt.target, tt.multiple, got, tt.want)
		}
	}
}

func TestRoundUpToMultiple(t *testing.T) {
	tests := []struct{ q, m, want string }{
		{"21", "3", "21"}, {"20", "3", "21"}, {"0.1", "3", "3"}, {"-5", "3", "-3"}, {"0", "3", "0"},
		{"7", "0", "7"}, {"7", "-1", "7"}, {"1.01", "0.25", "1.25"}, {"12", "12", "12"},
	}
	for _, tt := range tests {
		if got := inventory.RoundUpToMultiple(d(tt.q), d(tt.m)); !got.Equal(d(tt.want)) {
			t.Errorf("RoundUpToMultiple(%s, %s) = %s, want %s", tt.q, tt.m, got, tt.want)
		}
	}
}

func TestReorderPoint(t *testing.T) {
	tests := []struct {
		name                      string
		mean, sd, lead, leadSD, z string
		safety, rop               string
	}{
		// d̄ = 10/day, σ = 3/day, L = 4 days, z = 1.65: SS = 1.65·3·√4 = 9.9.
		{"z = 1.65, fixed lead time", "10", "3", "4", "0", "1.65", "9.9", "49.9"},
		// With σL = 1 day: SS = 1.65·√(4·9 + 100·1) = 1.65·√136 = 1.65·11.66190378.
		{"z = 1.65, lead time varies", "10", "3", "4", "1", "1.65", "19.24214124", "59.24214124"},
		{"z = 2.33 (99 %), L = 9", "2.5", "1.2", "9", "0", "2.33", "8.388", "30.888"},
		{"no safety stock", "10", "3", "4", "0", "0", "0", "40"},
		{"no demand", "0", "0", "4", "2", "1.65", "0", "0"},
		{"same-day delivery", "10", "3", "0", "0", "1.65", "0", "0"},
	}
	for _, tt := range tests {
		dem := inventory.DemandStats{Mean: d(tt.mean), StdDev: d(tt.sd)}
		lt := inventory.LeadTime{Days: d(tt.lead), StdDev: d(tt.leadSD)}
		if got := inventory.SafetyStock(dem, lt, d(tt.z)); !got.Equal(d(tt.safety)) {
			t.Errorf("%s: safety stock %s, want %s", tt.name, got, tt.safety)
		}
		if got := inventory.ReorderPoint(dem, lt, d(tt.z)); !got.Equal(d(tt.rop)) {
			t.Errorf("%s: reorder point %s, want %s", tt.name, got, tt.rop)
		}
	}
}

func TestEOQ(t *testing.T) {
	tests := []struct{ demand, orderCost, holding, want string }{
		{"1200", "50", "3", "200"},          // √(2·1200·50/3) = √40000
		{"1000", "10", "0.5", "200"},        // √40000
		{"365", "25", "2.5", "85.44003745"}, // √7300
		{"0", "50", "3", "0"}, {"1200", "0", "3", "0"}, {"1200", "50", "0", "0"},
	}
	for _, tt := range tests {
		if got := inventory.EOQ(d(tt.demand), d(tt.orderCost), d(tt.holding)); !got.Equal(d(tt.want)) {
			t.Errorf("EOQ(%s, %s, %s) = %s, want %s", tt.demand, tt.orderCost, tt.holding, got, tt.want)
		}
	}
}
