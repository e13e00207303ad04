package inventory

import (
	"cmp"
	"slices"

	"github.com/shopspring/decimal"
)

// JobMaterial is what a job used of one item, net of returns, and what it
// cost at the costs the ledger recorded when it was consumed.
type JobMaterial struct {
	ItemID   string          `json:"itemId"`
	Quantity decimal.Decimal `json:"quantity"`
	Cost     decimal.Decimal `json:"cost"`
}

// UnitCost is the job's average cost of the item, Cost/Quantity rounded to
// CostPlaces: the UnitCost of a [Return] from the job, so a return credits
// the job what it was charged. Zero when nothing is used.
func (m JobMaterial) UnitCost() decimal.Decimal {
	if m.Quantity.Sign() <= 0 {
		return decimal.Zero
	}
	return m.Cost.DivRound(m.Quantity, CostPlaces)
}

// JobMaterials sums a job's consumptions less its returns, per item, sorted by
// item: the material cost of the job, exact to the ledger. ledger may hold
// any movements; only the job's consumptions and returns count.
func JobMaterials(jobID string, ledger []Movement) []JobMaterial {
	sum := map[string]*JobMaterial{}
	for i := range ledger {
		m := &ledger[i]
		if m.JobID != jobID || (m.Kind != Consumption && m.Kind != Return) {
			continue
		}
		jm := sum[m.ItemID]
		if jm == nil {
			jm = &JobMaterial{ItemID: m.ItemID}
			sum[m.ItemID] = jm
		}
		jm.Quantity = jm.Quantity.Sub(m.Quantity)
		jm.Cost = jm.Cost.Sub(m.Value.Sub(m.Revaluation)) // a revaluation is the location's, not the job's
	}
	out := make([]JobMaterial, 0, len(sum))
	for _, jm := range sum {
		out = append(out, *jm)
	}
	slices.SortFunc(out, func(a, b JobMaterial) int { return cmp.Compare(a.ItemID, b.ItemID) })
	return out
}
