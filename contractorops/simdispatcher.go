package contractorops

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/dispatch"
	"github.com/hestami-ai/opsengine/dispatch/sim"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// SimDispatcher drives a dispatch/sim day through an embedded engine, as
// a sim.Dispatcher: a harness runs the same scenario through it and
// through sim.Optimizer (the optimizer the engine wraps) and compares the
// KPIs. Every call becomes engine commands at the simulated time (the
// engine's clock is the simulation's): the organization (compliant, with
// the scenario's SLA policies), technicians with skills, certifications
// and weekly hours; each call a job (job/v1/create, approved); an
// emergency placed at once (dispatch/v1/insertEmergency); the day planned
// at the start and every Period (dispatch/v1/optimizeDay); the
// technicians' progress as assignment moves (dispatch/v1/updateStatus,
// through jobfsm), the job completed when its work is; a second visit for
// parts a new visit of the job (job/v1/addVisit); a technician sick as time
// off and their pending assignments cancelled. The plan it returns is each
// technician's pending assignments in order.
//
// What the engine does not model yet the adapter leaves out: breaks,
// overtime, the parts on the trucks (without an inventory area a job
// needing parts could never be placed), durations by skill level.
type SimDispatcher struct {
	eng    *Engine
	clock  *simClock
	scope  Scope
	day    jobfsm.Date
	cfg    SimDispatcherConfig
	seed   uint64
	keys   int
	techs  map[string]string // sim technician → engine technician
	simOf  map[string]string // engine technician → sim technician
	jobs   map[string]string // sim job (a first visit) → engine job
	visits map[string]string // sim second visit → engine visit
	byJob  map[string]string // engine job → sim job (first visit)
	byVis  map[string]string // engine visit → sim second visit
	next   time.Time
}

// SimDispatcherConfig tunes a SimDispatcher; the zero value uses the
// defaults, those of sim.OptimizerConfig.
type SimDispatcherConfig struct {
	// Period between optimizeDay calls. Defaults to 15 minutes.
	Period time.Duration
	// Iterations of each optimizeDay (four times as many at the start).
	// Defaults to 1500.
	Iterations int
}

// simClock is the engine's clock, set by the simulation.
type simClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
}

// NewSimDispatcher builds an engine on store for the scenario's day: the
// organization and its technicians.
func NewSimDispatcher(ctx context.Context, store Store, sc *sim.Scenario, cfg *SimDispatcherConfig) (*SimDispatcher, error) {
	d := &SimDispatcher{clock: &simClock{now: sc.Start}, seed: sc.Seed, techs: map[string]string{}, simOf: map[string]string{},
		jobs: map[string]string{}, visits: map[string]string{}, byJob: map[string]string{}, byVis: map[string]string{}}
	if cfg != nil {
		d.cfg = *cfg
	}
	if d.cfg.Period <= 0 {
		d.cfg.Period = 15 * time.Minute
	}
	if d.cfg.Iterations <= 0 {
		d.cfg.Iterations = 1500
	}
	kph := 0.0
	for h := 8; h < 18; h++ {
		kph += sc.Travel.KPH[h] / 10
	}
	eng, err := New(store, &Config{Clock: d.clock.Now, RoadFactor: sc.Travel.RoadFactor, AverageKPH: kph})
	if err != nil {
		return nil, err
	}
	d.eng = eng
	zone := sc.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	loc := eng.location(zone)
	d.day = jobfsm.DateOf(sc.Start.In(loc))
	org, err := eng.Organizations.Create(ctx, PlatformScope("sim"), d.key(), CreateOrganizationInput{Name: "Simulated " + sc.Name, Type: OrgServiceProvider, TimeZone: zone})
	if err != nil {
		return nil, err
	}
	d.scope = Scope{OrganizationID: org.ID, Actor: Actor{Kind: ActorUser, ID: "sim-dispatcher"}, Role: RoleOwner}
	if err := d.setUp(ctx, sc, loc); err != nil {
		return nil, err
	}
	return d, nil
}

// Engine returns the engine the dispatcher drives, to inspect after a run.
func (d *SimDispatcher) Engine() *Engine { return d.eng }

// Scope returns the scope of the simulated organization's owner.
func (d *SimDispatcher) Scope() Scope { return d.scope }

func (d *SimDispatcher) key() string { d.keys++; return fmt.Sprintf("sim-%d", d.keys) }

func simAddress(l dispatch.Location) *Address {
	lat, lng := l.Lat, l.Lng
	return &Address{Lat: &lat, Lng: &lng}
}

// setUp makes the organization compliant for every trade, sets its SLA
// policies and adds the technicians.
func (d *SimDispatcher) setUp(ctx context.Context, sc *sim.Scenario, loc *time.Location) error {
	trades := map[string]bool{}
	for _, t := range sc.Technicians {
		for _, s := range t.Skills {
			trades[s.Trade] = true
		}
	}
	for _, tr := range slices.Sorted(maps.Keys(trades)) {
		if _, err := d.eng.Contractor.AddLicense(ctx, d.scope, d.key(), LicenseInput{Type: tr + " contractor", Number: tr + "-SIM",
			IssuingAuthority: "Simulation", Trade: TradeType(tr), Status: LicenseActive}); err != nil {
			return err
		}
	}
	if _, err := d.eng.Contractor.AddInsurance(ctx, d.scope, d.key(), InsuranceInput{Type: InsuranceGeneralLiability, Carrier: "Simulation",
		PolicyNumber: "GL-SIM", CoverageAmount: decimal.NewFromInt(1_000_000), EffectiveAt: sc.Start.AddDate(-1, 0, 0),
		ExpiresAt: sc.Start.AddDate(1, 0, 0), Status: InsuranceActive}); err != nil {
		return err
	}
	policies := jobfsm.Policies{}
	for _, p := range sc.SLA {
		policies[jobfsm.Priority(p.Priority)] = jobfsm.Policy{Name: string(p.Priority), ResponseMinutes: p.ResponseMinutes,
			ResolutionMinutes: p.ResolutionMinutes, WallClock: true}
	}
	if _, err := d.eng.SLA.UpdateSettings(ctx, d.scope, d.key(), UpdateSLASettingsInput{Policies: policies, BusinessHours: DefaultBusinessHours()}); err != nil {
		return err
	}
	for _, t := range sc.Technicians {
		first, last, _ := strings.Cut(t.Name, " ")
		tech, err := d.eng.Technicians.Create(ctx, d.scope, d.key(), TechnicianInput{FirstName: first, LastName: or(last, t.ID),
			EmployeeID: t.ID, Home: *simAddress(t.Home)})
		if err != nil {
			return err
		}
		d.techs[t.ID], d.simOf[tech.ID] = tech.ID, t.ID
		ref := TechnicianRef{TechnicianID: tech.ID}
		for _, s := range t.Skills {
			if _, err := d.eng.Technicians.UpsertSkill(ctx, d.scope, d.key(), SkillInput{TechnicianRef: ref, Skill: Skill{Trade: TradeType(s.Trade), Level: s.Level}}); err != nil {
				return err
			}
		}
		for _, c := range t.Certifications {
			if _, err := d.eng.Technicians.UpsertCertification(ctx, d.scope, d.key(), CertificationInput{TechnicianRef: ref,
				Certification: Certification{Name: c.Name, ExpiresAt: c.ExpiresAt}}); err != nil {
				return err
			}
		}
		var week WeeklyHours
		*week.day(t.ShiftStart.In(loc).Weekday()) = []ClockSpan{{Start: t.ShiftStart.In(loc).Format("15:04"), End: t.ShiftEnd.In(loc).Format("15:04")}}
		if _, err := d.eng.Technicians.SetAvailability(ctx, d.scope, d.key(), AvailabilityInput{TechnicianRef: ref, Availability: week}); err != nil {
			return err
		}
	}
	return nil
}

// Name implements sim.Dispatcher.
func (*SimDispatcher) Name() string { return "engine" }

// Dispatch implements sim.Dispatcher.
func (d *SimDispatcher) Dispatch(ctx context.Context, s *sim.State, events []sim.Event) (*sim.Plan, error) {
	replan := d.next.IsZero() || !s.Now.Before(d.next)
	for _, e := range events {
		d.clock.set(e.At)
		emergency, err := d.apply(ctx, s, e)
		if err != nil {
			return nil, fmt.Errorf("%s %s %s: %w", e.Kind, e.JobID, e.TechnicianID, err)
		}
		if emergency != "" && !replan {
			if _, err := d.eng.Dispatch.InsertEmergency(ctx, d.scope, d.key(), InsertEmergencyInput{JobID: emergency, Date: d.day}); err != nil {
				return nil, fmt.Errorf("insertEmergency %s: %w", e.JobID, err)
			}
		}
		replan = replan || e.Kind == sim.EventSick || e.Kind == sim.EventIncomplete || e.Kind == sim.EventReturned
	}
	d.clock.set(s.Now)
	if replan {
		iters := d.cfg.Iterations
		if d.next.IsZero() {
			iters *= 4
		}
		d.next = s.Now.Add(d.cfg.Period)
		if _, err := d.eng.Dispatch.OptimizeDay(ctx, d.scope, d.key(), OptimizeDayInput{Date: d.day, Iterations: iters, Seed: d.seed + uint64(d.keys)}); err != nil {
			return nil, fmt.Errorf("optimizeDay: %w", err)
		}
	}
	return d.plan(ctx)
}

// apply records one simulated event in the engine; for an emergency call
// it returns the new engine job.
func (d *SimDispatcher) apply(ctx context.Context, s *sim.State, e sim.Event) (string, error) {
	switch e.Kind {
	case sim.EventCall:
		j := s.Job(e.JobID)
		if j.Parent != "" {
			root := j.Parent
			for p := s.Job(root); p != nil && p.Parent != ""; p = s.Job(root) {
				root = p.Parent
			}
			v, err := d.eng.Jobs.AddVisit(ctx, d.scope, d.key(), AddVisitInput{JobID: d.jobs[root], ScheduledStart: j.Release,
				ScheduledEnd: j.Release.Add(s.Day.Estimate(&j.Job, 3))})
			if err != nil {
				return "", err
			}
			d.visits[j.ID], d.byVis[v.ID] = v.ID, j.ID
			return "", nil
		}
		in := CreateJobInput{Title: j.Title, Trade: j.Skill.Trade, Priority: jobfsm.Priority(j.Priority), Location: simAddress(j.Location),
			EstimatedMinutes: j.EstimateMinutes, Requirements: Requirements{Skills: []SkillRequirement{{Trade: j.Skill.Trade, MinLevel: j.Skill.Level}},
				Certifications: j.Certifications}}
		if w := j.Window; w != nil {
			in.ArrivalWindow = &Window{Start: w.Start, End: w.End}
		}
		job, err := d.eng.Jobs.Create(ctx, d.scope, d.key(), in)
		if err != nil {
			return "", err
		}
		if _, err := d.eng.Jobs.UpdateStatus(ctx, d.scope, d.key(), UpdateJobStatusInput{ID: job.ID, Status: jobfsm.JobCreated}); err != nil {
			return "", err
		}
		d.jobs[j.ID], d.byJob[job.ID] = job.ID, j.ID
		if j.Priority == dispatch.PriorityEmergency {
			return job.ID, nil
		}
	case sim.EventEnRoute:
		return "", d.move(ctx, s, e, jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute)
	case sim.EventOnSite:
		return "", d.move(ctx, s, e, jobfsm.AssignmentOnSite)
	case sim.EventIncomplete:
		return "", d.move(ctx, s, e, jobfsm.AssignmentCompleted)
	case sim.EventCompleted:
		if err := d.move(ctx, s, e, jobfsm.AssignmentCompleted); err != nil {
			return "", err
		}
		root := e.JobID
		for p := s.Job(root); p.Parent != ""; p = s.Job(root) {
			root = p.Parent
		}
		_, err := d.eng.Jobs.UpdateStatus(ctx, d.scope, d.key(), UpdateJobStatusInput{ID: d.jobs[root], Status: jobfsm.JobCompleted})
		return "", err
	case sim.EventReturned:
		return "", d.move(ctx, s, e, jobfsm.AssignmentCancelled)
	case sim.EventSick:
		tech := d.techs[e.TechnicianID]
		if _, err := d.eng.Technicians.AddTimeOff(ctx, d.scope, d.key(), TimeOffInput{TechnicianRef: TechnicianRef{TechnicianID: tech},
			StartsAt: e.At, EndsAt: s.Day.End.Add(24 * time.Hour), Reason: "sick"}); err != nil {
			return "", err
		}
		return "", d.release(ctx, tech, "SICK")
	case sim.EventOffShift:
		return "", d.release(ctx, d.techs[e.TechnicianID], "OFF_SHIFT")
	}
	return "", nil
}

// assignment finds the active assignment of the technician on the sim
// job's visit.
func (d *SimDispatcher) assignment(ctx context.Context, s *sim.State, jobID, techID string) (*Assignment, error) {
	engineJob := d.jobs[jobID]
	visit := d.visits[jobID]
	if visit != "" {
		for p := s.Job(jobID); p.Parent != ""; p = s.Job(p.Parent) {
			engineJob = d.jobs[p.Parent]
		}
	}
	as, err := d.eng.Dispatch.ListAssignments(ctx, d.scope, ListAssignmentsInput{JobID: engineJob, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	for i := range as {
		if as[i].TechnicianID() == d.techs[techID] && (visit == "" || as[i].VisitID == visit) {
			return &as[i], nil
		}
	}
	return nil, fmt.Errorf("contractorops: no active assignment of %s on %s", techID, jobID)
}

// move walks the assignment of the event's technician and job through
// the statuses.
func (d *SimDispatcher) move(ctx context.Context, s *sim.State, e sim.Event, to ...jobfsm.AssignmentStatus) error {
	a, err := d.assignment(ctx, s, e.JobID, e.TechnicianID)
	if err != nil {
		return err
	}
	for _, st := range to {
		in := UpdateAssignmentStatusInput{AssignmentID: a.ID, Status: st}
		if st == jobfsm.AssignmentCancelled {
			in.ReasonCode = "RETURNED"
		}
		if _, err := d.eng.Dispatch.UpdateStatus(ctx, d.scope, d.key(), in); err != nil {
			return err
		}
	}
	return nil
}

// release cancels a technician's assignments that are not under way.
func (d *SimDispatcher) release(ctx context.Context, tech, reason string) error {
	as, err := d.eng.Dispatch.ListAssignments(ctx, d.scope, ListAssignmentsInput{TechnicianID: tech, Date: d.day, ActiveOnly: true})
	if err != nil {
		return err
	}
	for _, a := range as {
		if st := a.Status(); st == jobfsm.AssignmentAssigned || st == jobfsm.AssignmentAccepted || st == jobfsm.AssignmentPending {
			if _, err := d.eng.Dispatch.UpdateStatus(ctx, d.scope, d.key(), UpdateAssignmentStatusInput{AssignmentID: a.ID,
				Status: jobfsm.AssignmentCancelled, ReasonCode: reason}); err != nil {
				return err
			}
		}
	}
	return nil
}

// plan is each technician's pending assignments, in their order.
func (d *SimDispatcher) plan(ctx context.Context) (*sim.Plan, error) {
	as, err := d.eng.Dispatch.ListAssignments(ctx, d.scope, ListAssignmentsInput{Date: d.day, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(as, func(a, b Assignment) int {
		if a.Sequence != b.Sequence && a.TechnicianID() == b.TechnicianID() && a.Sequence > 0 && b.Sequence > 0 {
			return a.Sequence - b.Sequence
		}
		return a.Start.Compare(b.Start)
	})
	p := &sim.Plan{Queues: map[string][]string{}, Wake: d.next}
	for _, a := range as {
		if a.Status() != jobfsm.AssignmentAssigned && a.Status() != jobfsm.AssignmentAccepted {
			continue
		}
		id, ok := d.byVis[a.VisitID]
		if !ok {
			id = d.byJob[a.JobID]
		}
		tech := d.simOf[a.TechnicianID()]
		p.Queues[tech] = append(p.Queues[tech], id)
	}
	return p, nil
}
