package contractorops

import (
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/dispatch"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// This file turns the engine's records into the dispatch package's input:
// technicians with their shifts, time off, skills and trucks; the jobs (one
// per open visit, or per unscheduled job) with their windows, requirements
// and SLA deadlines; and the organization's compliance.

// unknownLocation marks a place without coordinates: travel to or from it
// counts as nothing (the engine cannot route what it cannot place).
const unknownLocation = -1

// travel is the engine's travel model: great-circle distance times a road
// factor at an average speed, and nothing to or from a place without
// coordinates.
type travel struct{ h dispatch.Haversine }

func (tr travel) Travel(from, to dispatch.Location, depart time.Time) (time.Duration, float64) {
	if from.Index == unknownLocation || to.Index == unknownLocation {
		return 0, 0
	}
	return tr.h.Travel(from, to, depart)
}

// dispatchLocation places an address for the optimizer.
func dispatchLocation(a Address) dispatch.Location {
	if a.Lat == nil || a.Lng == nil {
		return dispatch.Location{Index: unknownLocation}
	}
	return dispatch.Location{Lat: *a.Lat, Lng: *a.Lng}
}

// dayBounds returns the local day of date in loc: [midnight, next midnight).
func dayBounds(date jobfsm.Date, loc *time.Location) (time.Time, time.Time) {
	start := time.Date(date.Year, date.Month, date.Day, 0, 0, 0, 0, loc)
	return start, time.Date(date.Year, date.Month, date.Day+1, 0, 0, 0, 0, loc)
}

// dispatchContext is what one transaction gathers once for the optimizer's
// snapshot: the service areas (territories), and the parts each
// technician's truck and its warehouse can supply (a job's parts are
// reserved there when it is placed).
type dispatchContext struct {
	areas []*ServiceArea
	// supply is, by technician, the available quantity of each SKU on their
	// truck plus at the truck's warehouse: what a reservation can draw on.
	supply map[string]map[string]int
}

// readDispatchContext gathers the dispatch context.
func (c *call) readDispatchContext(t *txn) (*dispatchContext, error) {
	dc := &dispatchContext{supply: map[string]map[string]int{}}
	var err error
	if dc.areas, err = find(t, serviceAreasTable, Query{}); err != nil {
		return nil, err
	}
	items, err := find(t, stockItemsTable, Query{})
	if err != nil || len(items) == 0 {
		return dc, err
	}
	sku := map[string]string{} // item id → SKU
	for _, it := range items {
		sku[it.ID] = skuKey(it.SKU)
	}
	v, err := viewStock(t, items, Query{}, "")
	if err != nil {
		return nil, err
	}
	available := map[string]map[string]decimal.Decimal{} // location → SKU → quantity
	for _, lv := range v.book.Levels() {
		if available[lv.LocationID] == nil {
			available[lv.LocationID] = map[string]decimal.Decimal{}
		}
		available[lv.LocationID][sku[lv.ItemID]] = lv.Available()
	}
	for _, loc := range v.locations {
		if loc.TechnicianID == "" || !loc.Active {
			continue
		}
		have := map[string]int{}
		for _, l := range []string{loc.ID, loc.ReplenishFromID} {
			for s, q := range available[l] {
				if q.IsPositive() {
					have[s] += int(q.Floor().IntPart())
				}
			}
		}
		dc.supply[loc.TechnicianID] = have
	}
	return dc, nil
}

// dispatchTechnician builds the optimizer's view of a technician on the day
// [from, to): the shifts of their weekly hours, their time off, skills,
// certifications, territories, limits, start location and the parts they
// can get.
func (c *call) dispatchTechnician(t *txn, dc *dispatchContext, tech *Technician, from, to time.Time) (dispatch.Technician, error) {
	loc, _, err := technicianLocation(t, tech)
	if err != nil {
		return dispatch.Technician{}, err
	}
	dt := dispatch.Technician{
		ID: tech.ID, Name: tech.Name(), Inactive: !tech.EmployedOn(from),
		Start: dispatchLocation(tech.Home), MaxJobs: tech.MaxJobsPerDay, MaxWork: tech.MaxWorkPerDay(),
		HourlyCost: tech.HourlyCost,
	}
	for _, s := range tech.Skills {
		dt.Skills = append(dt.Skills, dispatch.Skill{Trade: string(s.Trade), Level: s.Level})
	}
	for _, cert := range tech.Certifications {
		dt.Certifications = append(dt.Certifications, dispatch.Certification{Name: cert.Name, ExpiresAt: cert.ExpiresAt})
	}
	for _, terr := range tech.Territories {
		dt.Territories = append(dt.Territories, terr.ServiceAreaID)
	}
	for _, sp := range tech.Availability.Spans(from, to, loc) {
		// A shift that starts in [from, to) is the day's, whole; one that
		// started before and runs into it (a night shift, round-the-clock
		// cover) counts from `from`.
		if sp.End.After(from) && sp.Start.Before(to) {
			dt.Shifts = append(dt.Shifts, dispatch.Shift{Start: maxTime(sp.Start, from), End: sp.End})
		}
	}
	offs, err := timeOffOverlapping(t, tech.ID, TimeSpan{Start: from.Add(-24 * time.Hour), End: to.Add(24 * time.Hour)})
	if err != nil {
		return dispatch.Technician{}, err
	}
	for _, o := range offs {
		dt.TimeOff = append(dt.TimeOff, dispatch.Interval{Start: o.StartsAt, End: o.EndsAt})
	}
	dt.Truck = dc.supply[tech.ID]
	return dt, nil
}

// dispatchJob builds the optimizer's view of a job: id is the id the plan
// uses for it (a visit's, or the job's while it has no visit).
func (c *call) dispatchJob(t *txn, dc *dispatchContext, j *Job, id string) (dispatch.Job, error) {
	minutes := j.EstimatedMinutes
	if minutes == 0 {
		minutes = defaultJobMinutes
	}
	dj := dispatch.Job{
		ID: id, Location: dispatchLocation(j.Location), Duration: time.Duration(minutes) * time.Minute,
		Certifications: slices.Clone(j.Requirements.Certifications), Priority: dispatch.Priority(j.Priority),
	}
	if w := j.ArrivalWindow; w != nil {
		dj.Windows = []dispatch.Window{{Start: w.Start, End: w.End}}
	}
	for _, s := range j.Requirements.Skills {
		dj.Skills = append(dj.Skills, dispatch.Skill{Trade: s.Trade, Level: max(s.MinLevel, 1)})
	}
	if j.Trade != "" && !slices.ContainsFunc(dj.Skills, func(s dispatch.Skill) bool { return s.Trade == j.Trade }) {
		dj.Skills = append([]dispatch.Skill{{Trade: j.Trade, Level: 1}}, dj.Skills...)
	}
	for _, p := range j.Requirements.Parts {
		q, err := decimal.NewFromString(p.Quantity)
		if err != nil {
			continue // validated on input
		}
		if dj.Parts == nil {
			dj.Parts = map[string]int{}
		}
		dj.Parts[skuKey(p.SKU)] += int(q.Ceil().IntPart())
	}
	if st, err := c.slaStatus(t, j, c.now); err == nil && st.Response.State == jobfsm.TargetRunning {
		dj.SLADeadline = st.Response.Due
	} else if err != nil {
		return dj, err
	}
	var at *GeoPoint
	if j.Location.Lat != nil && j.Location.Lng != nil {
		at = &GeoPoint{Lat: *j.Location.Lat, Lng: *j.Location.Lng}
	}
	for _, a := range dc.areas {
		if a.Active && a.Serves(TradeType(j.Trade)) && a.Covers(j.Location.PostalCode, at) {
			dj.Territory = a.ID
			break
		}
	}
	return dj, nil
}

// defaultJobMinutes is the time on site of a job with no estimate.
const defaultJobMinutes = 60

// dispatchCompliance is the organization's standing for the optimizer.
func dispatchCompliance(s ComplianceStatus) dispatch.Compliance {
	out := dispatch.Compliance{LicenseInvalid: !s.HasValidLicense, InsuranceInvalid: !s.HasValidInsurance}
	for _, tr := range s.InvalidTrades {
		out.InvalidTrades = append(out.InvalidTrades, string(tr))
	}
	return out
}

// travelModel is the engine's travel model.
func (e *Engine) travelModel() dispatch.TravelTimer {
	return travel{h: dispatch.Haversine{RoadFactor: e.cfg.RoadFactor, KPH: e.cfg.AverageKPH}}
}

// roundMinutes rounds a duration to whole minutes, for display.
func roundMinutes(d time.Duration) int { return int(math.Round(d.Minutes())) }
