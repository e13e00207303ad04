package pricing

import (
	"slices"
	"strconv"
	"time"
)

// TaxClass groups items that a jurisdiction taxes alike. Jurisdictions tax
// labor and materials differently, so every item and line carries one. The
// four classes below are the usual ones; a zone may use any other name.
type TaxClass string

// The standard tax classes.
const (
	TaxLabor     TaxClass = "LABOR"
	TaxMaterial  TaxClass = "MATERIAL"
	TaxEquipment TaxClass = "EQUIPMENT"
	TaxExempt    TaxClass = "EXEMPT" // never taxed, whatever the zone says
)

// TaxRate is one rate of a zone — a state, county, city or district tax —
// and the tax classes it applies to. Rates of a zone stack: each is computed
// on the same base (none is a tax on tax).
type TaxRate struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`                   // "Travis County"
	Jurisdiction string     `json:"jurisdiction,omitempty"` // STATE, COUNTY, CITY, SPECIAL, …
	Rate         Percent    `json:"rate"`                   // 6.25 for 6.25 %
	Classes      []TaxClass `json:"classes"`                // the classes it taxes
	// EffectiveFrom and EffectiveTo bound when the rate is in force,
	// [from, to); zero means unbounded.
	EffectiveFrom time.Time `json:"effectiveFrom,omitzero"`
	EffectiveTo   time.Time `json:"effectiveTo,omitzero"`
}

func (r *TaxRate) appliesTo(c TaxClass) bool {
	return c != TaxExempt && c != "" && slices.Contains(r.Classes, c)
}

func (r *TaxRate) inForce(t time.Time) bool {
	return (r.EffectiveFrom.IsZero() || !t.Before(r.EffectiveFrom)) &&
		(r.EffectiveTo.IsZero() || t.Before(r.EffectiveTo))
}

// TaxZone is a tax jurisdiction: the rates that apply at a service address
// (ServiceTitan's tax zone, mapped from ZIP codes by the engine).
type TaxZone struct {
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Rates []TaxRate `json:"rates"`
}

// Profile returns the zone's tax profile on the given date: the rates in
// force then, snapshotted so later changes to the zone never change a
// document already priced.
func (z *TaxZone) Profile(on time.Time) (TaxProfile, error) {
	p := TaxProfile{ZoneID: z.ID}
	for i := range z.Rates {
		if z.Rates[i].inForce(on) {
			r := z.Rates[i]
			r.Classes = slices.Clone(r.Classes)
			p.Rates = append(p.Rates, r)
		}
	}
	return p, p.validate("tax")
}

// TaxProfile is the tax treatment recorded on a document: the zone's rates
// as they were when it was priced, and the customer's exemption, if any.
type TaxProfile struct {
	ZoneID string    `json:"zoneId,omitempty"`
	Rates  []TaxRate `json:"rates,omitempty"`
	// Exempt marks a tax-exempt customer (a church, a school, a reseller):
	// no line is taxed. ExemptionID records the certificate.
	Exempt      bool   `json:"exempt,omitempty"`
	ExemptionID string `json:"exemptionId,omitempty"`
}

func (p *TaxProfile) validate(field string) error {
	seen := make(map[string]bool, len(p.Rates))
	for i := range p.Rates {
		r := &p.Rates[i]
		f := field + ".rates[" + strconv.Itoa(i) + "]"
		if r.ID == "" {
			return invalid(f+".id", "", "a tax rate needs an id")
		}
		if seen[r.ID] {
			return invalid(f+".id", r.ID, "duplicate tax rate id")
		}
		seen[r.ID] = true
		if r.Rate.Sign() < 0 || r.Rate.Cmp(hundredPercent) > 0 {
			return invalidAmount(f+".rate", r.Rate.String(), "a tax rate is between 0 and 100 %")
		}
	}
	// The rates that stack on one class total at most 100 %.
	for i := range p.Rates {
		for _, c := range p.Rates[i].Classes {
			var total Percent
			for j := range p.Rates {
				if p.Rates[j].appliesTo(c) {
					total.d = total.d.Add(p.Rates[j].Rate.d)
				}
			}
			if total.Cmp(hundredPercent) > 0 {
				return invalidAmount(field+".rates", total.String(), "the rates on class "+string(c)+" total more than 100 %")
			}
		}
	}
	return nil
}

// rates returns the indexes of the profile's rates that tax class c.
func (p *TaxProfile) ratesFor(c TaxClass) []int {
	if p.Exempt {
		return nil
	}
	var out []int
	for j := range p.Rates {
		if p.Rates[j].appliesTo(c) {
			out = append(out, j)
		}
	}
	return out
}

// TaxLine is one rate's tax on a document: the base it was computed on (net
// of tax) and the amount. The amount follows the document's [Rounding]; with
// prices exclusive of tax:
//
//   - per line: Σ over the lines of round(line base × rate);
//   - per document: round(Σ line base × rate), shared among the lines by
//     largest remainder.
//
// With prices inclusive of tax, the tax of each line (per line) or of the
// whole document (per document) is taken out of the gross in one step —
// [RoundTax]: tax = round(gross × R / (100 + R)); [RoundNet]: net =
// round(gross × 100 / (100 + R)), tax = gross − net, where R is the sum of
// the rates — and split among the rates in proportion to them by largest
// remainder. For a single rate this is exactly Odoo's (RoundTax) or Zuora's
// (RoundNet) rule.
type TaxLine struct {
	RateID       string  `json:"rateId"`
	Name         string  `json:"name"`
	Jurisdiction string  `json:"jurisdiction,omitempty"`
	Rate         Percent `json:"rate"`
	Base         Money   `json:"base"`
	Amount       Money   `json:"amount"`
}

// LineTax is one rate's tax on one line.
type LineTax struct {
	RateID string `json:"rateId"`
	Amount Money  `json:"amount"`
}
