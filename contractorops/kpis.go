package contractorops

import (
	"context"
	"slices"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// TechnicianKPI is a technician's performance over a period, computed from
// their assignments and jobs (the reference stored KPIs that nothing
// computed).
type TechnicianKPI struct {
	TechnicianID   string `json:"technicianId"`
	TechnicianName string `json:"technicianName"`
	// JobsCompleted counts the assignments completed in the period.
	JobsCompleted int `json:"jobsCompleted"`
	// OnTime counts those where the technician was on site by the end of
	// the job's arrival window, or within the grace period of the planned
	// start when the job had no window; OnTimeRate is their share.
	OnTime     int             `json:"onTime"`
	OnTimeRate decimal.Decimal `json:"onTimeRate"`
	// Callbacks counts the completed jobs that came back for warranty
	// rework; CallbackRate is their share.
	Callbacks    int             `json:"callbacks"`
	CallbackRate decimal.Decimal `json:"callbackRate"`
	// LaborHours is the time on site (on site to completed), and
	// TravelHours the time on the way (en route to on site).
	LaborHours  decimal.Decimal `json:"laborHours"`
	TravelHours decimal.Decimal `json:"travelHours"`
	// Revenue is what the completed jobs were invoiced, shared equally
	// among the technicians who completed work on each; zero without the
	// billing area.
	Revenue decimal.Decimal `json:"revenue"`
}

// KPIInput asks for the KPIs of a period, for one technician or all.
type KPIInput struct {
	TechnicianID string    `json:"technicianId,omitempty"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
}

// Validate checks the input.
func (in KPIInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.From, validation.Required),
		validation.Field(&in.To, validation.Required, validation.By(func(any) error {
			if !in.To.After(in.From) {
				return validation.NewError("validation_window", "must be after from")
			}
			if in.To.Sub(in.From) > 400*24*time.Hour {
				return validation.NewError("validation_window", "a period is at most 400 days")
			}
			return nil
		})),
	)
}

// onTimeGrace is how late after a planned start (with no arrival window) a
// technician still counts as on time.
const onTimeGrace = 15 * time.Minute

// KPIs returns the technicians' KPIs over [in.From, in.To).
func (s *TechnicianService) KPIs(ctx context.Context, scope Scope, in KPIInput) ([]TechnicianKPI, error) {
	out, err := s.kpis.get(ctx, scope, in)
	if err != nil {
		return nil, err
	}
	return *out, nil
}

func (c *call) technicianKPIs(in *KPIInput) (*[]TechnicianKPI, error) {
	return inTx(c, "kpis", func(t *txn) (*[]TechnicianKPI, error) {
		techID := in.TechnicianID
		if me := c.technicianID(); me != "" {
			if techID != "" && techID != me {
				return nil, NewError(CodeForbidden, "a technician reads only their own KPIs")
			}
			techID = me
		}
		q := Query{Where: []Cond{Eq("status", string(jobfsm.AssignmentCompleted))}}
		if techID != "" {
			q.Where = append(q.Where, Eq("technician_id", techID))
		}
		as, err := find(t, assignmentsTable, q)
		if err != nil {
			return nil, err
		}
		kpis := map[string]*TechnicianKPI{}
		crew := map[string][]string{} // job → technicians who completed work on it
		jobs := map[string]*Job{}
		for _, a := range as {
			done := a.State.Stamps.CompletedAt
			if done.Before(in.From) || !done.Before(in.To) {
				continue
			}
			k := kpis[a.TechnicianID()]
			if k == nil {
				k = &TechnicianKPI{TechnicianID: a.TechnicianID()}
				kpis[a.TechnicianID()] = k
			}
			j := jobs[a.JobID]
			if j == nil {
				if j, err = load(t, jobsTable, a.JobID); err != nil {
					return nil, err
				}
				jobs[a.JobID] = j
			}
			k.JobsCompleted++
			if onTime(a, j) {
				k.OnTime++
			}
			if reworked(j) {
				k.Callbacks++
			}
			st := a.State.Stamps
			if !st.OnSiteAt.IsZero() {
				k.LaborHours = k.LaborHours.Add(hours(done.Sub(st.OnSiteAt)))
			}
			k.TravelHours = k.TravelHours.Add(hours(a.State.TravelTime()))
			if !slices.Contains(crew[a.JobID], a.TechnicianID()) {
				crew[a.JobID] = append(crew[a.JobID], a.TechnicianID())
			}
		}
		if c.e.jobRevenue != nil && len(crew) > 0 {
			ids := make([]string, 0, len(crew))
			for id := range crew {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			revenue, err := c.e.jobRevenue(t, ids)
			if err != nil {
				return nil, err
			}
			for id, techs := range crew {
				share := revenue[id].DivRound(decimal.NewFromInt(int64(len(techs))), 2)
				for _, tech := range techs {
					kpis[tech].Revenue = kpis[tech].Revenue.Add(share)
				}
			}
		}
		out := make([]TechnicianKPI, 0, len(kpis))
		for id, k := range kpis {
			if tech, err := load(t, techniciansTable, id); err == nil {
				k.TechnicianName = tech.Name()
			}
			k.OnTimeRate = rate(k.OnTime, k.JobsCompleted)
			k.CallbackRate = rate(k.Callbacks, k.JobsCompleted)
			k.LaborHours, k.TravelHours = k.LaborHours.Round(2), k.TravelHours.Round(2)
			out = append(out, *k)
		}
		slices.SortFunc(out, func(a, b TechnicianKPI) int {
			if a.TechnicianName != b.TechnicianName {
				return compareStrings(a.TechnicianName, b.TechnicianName)
			}
			return compareStrings(a.TechnicianID, b.TechnicianID)
		})
		return &out, nil
	})
}

// onTime reports whether the technician was on site in time: by the end of
// the job's arrival window, or within the grace of the planned start.
func onTime(a *Assignment, j *Job) bool {
	arrived := a.State.Stamps.OnSiteAt
	if arrived.IsZero() {
		return false
	}
	if w := j.ArrivalWindow; w != nil {
		return !arrived.After(w.End)
	}
	return !arrived.After(a.Start.Add(onTimeGrace))
}

// reworked reports whether the job came back for warranty rework.
func reworked(j *Job) bool {
	return slices.ContainsFunc(j.History, func(e jobfsm.HistoryEntry) bool {
		return e.From == jobfsm.JobWarranty && e.To == jobfsm.JobInProgress
	})
}

func hours(d time.Duration) decimal.Decimal {
	return decimal.NewFromInt(int64(d/time.Second)).DivRound(decimal.NewFromInt(3600), 6)
}

// rate is n/of as a fraction rounded to 4 places (0 when of is 0).
func rate(n, of int) decimal.Decimal {
	if of == 0 {
		return decimal.Zero
	}
	return decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(int64(of)), 4)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
