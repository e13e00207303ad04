package contractorops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/dispatch"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// Assignment is one technician on one visit: the dispatch assignment, with
// its lifecycle (jobfsm's assignment machine) and where it sits in the
// technician's day. Giving the work to someone else cancels it and creates
// another.
type Assignment struct {
	Meta
	JobID     string                                  `json:"jobId"`
	JobNumber string                                  `json:"jobNumber"`
	VisitID   string                                  `json:"visitId"`
	State     jobfsm.Assignment                       `json:"state"`
	History   []jobfsm.Entry[jobfsm.AssignmentStatus] `json:"history"`
	// Start and End are the planned service span; ETA the planned arrival.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	ETA   time.Time `json:"eta,omitzero"`
	// TravelMinutes and DistanceMeters are the planned drive to the job.
	TravelMinutes  int `json:"travelMinutes,omitempty"`
	DistanceMeters int `json:"distanceMeters,omitempty"`
	// Sequence is the stop's position in the technician's day (1 first).
	Sequence int `json:"sequence,omitempty"`
	// Source is who placed it: MANUAL, OPTIMIZER or INSERT.
	Source string `json:"source"`
	// PlanID is the optimizer run that placed it.
	PlanID string `json:"planId,omitempty"`
	// Overrides records the rules a dispatcher overrode, with why.
	Overrides []Override `json:"overrides,omitempty"`
	Notes     string     `json:"notes,omitempty"`
}

// TechnicianID returns the technician of the assignment.
func (a *Assignment) TechnicianID() string { return a.State.TechnicianID }

// Status returns the assignment's status.
func (a *Assignment) Status() jobfsm.AssignmentStatus { return a.State.Status }

// occupies reports whether the assignment holds the technician's time.
func (a *Assignment) occupies() bool {
	switch a.State.Status {
	case jobfsm.AssignmentPending, jobfsm.AssignmentAssigned, jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute, jobfsm.AssignmentOnSite:
		return true
	}
	return false
}

// Override is a rule a dispatcher chose to override, with the reason.
type Override struct {
	Rule   Code   `json:"rule"`
	Reason string `json:"reason"`
	By     Actor  `json:"by"`
}

// Assignment sources.
const (
	SourceManual    = "MANUAL"
	SourceOptimizer = "OPTIMIZER"
	SourceInsert    = "INSERT"
)

var assignmentsTable = table[Assignment]{
	spec: TableSpec{Name: "assignments", Keys: []string{"job_id", "visit_id", "technician_id", "status", "starts_at"}},
	keys: func(a *Assignment) map[string]string {
		return keys("job_id", a.JobID, "visit_id", a.VisitID, "technician_id", a.State.TechnicianID,
			"status", string(a.State.Status), "starts_at", timeKey(a.Start))
	},
}

// AssignTechInput puts a technician on a job at a time.
type AssignTechInput struct {
	JobID        string `json:"jobId"`
	TechnicianID string `json:"technicianId"`
	// VisitID is the visit to staff; empty books a new visit.
	VisitID string    `json:"visitId,omitempty"`
	Start   time.Time `json:"start"`
	// End defaults to Start plus the job's estimated time.
	End   time.Time `json:"end,omitzero"`
	Notes string    `json:"notes,omitempty"`
	// OverrideParts schedules the job although its parts cannot be
	// reserved; the reason is recorded.
	OverrideParts string `json:"overrideParts,omitempty"`
	// AcceptSLABreach schedules the job to start after its SLA response
	// deadline; the reason is recorded.
	AcceptSLABreach string `json:"acceptSlaBreach,omitempty"`
}

// Validate checks the input.
func (in AssignTechInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.TechnicianID, validation.Required),
		validation.Field(&in.Start, validation.Required),
		validation.Field(&in.End, validation.By(func(any) error {
			if !in.End.IsZero() && !in.End.After(in.Start) {
				return validation.NewError("validation_window", "must be after start")
			}
			return nil
		})),
		validation.Field(&in.Notes, validation.Length(0, 2000)),
		validation.Field(&in.OverrideParts, validation.Length(0, 500)),
		validation.Field(&in.AcceptSLABreach, validation.Length(0, 500)),
	)
}

// ReassignInput gives an assignment's work to another technician.
type ReassignInput struct {
	AssignmentID string `json:"assignmentId"`
	TechnicianID string `json:"technicianId"`
	// Start, when set, moves the visit too.
	Start      time.Time `json:"start,omitzero"`
	ReasonCode string    `json:"reasonCode,omitempty"`
	Reason     string    `json:"reason,omitempty"`
}

// Validate checks the input.
func (in ReassignInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.AssignmentID, validation.Required),
		validation.Field(&in.TechnicianID, validation.Required),
		validation.Field(&in.ReasonCode, validation.Length(0, 50), validation.Match(reasonCodePattern)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

// UpdateAssignmentStatusInput moves an assignment: accepted, declined, on
// the way, on site, completed, cancelled.
type UpdateAssignmentStatusInput struct {
	AssignmentID string                  `json:"assignmentId"`
	Status       jobfsm.AssignmentStatus `json:"status"`
	ReasonCode   string                  `json:"reasonCode,omitempty"`
	Reason       string                  `json:"reason,omitempty"`
}

// Validate checks the input.
func (in UpdateAssignmentStatusInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.AssignmentID, validation.Required),
		validation.Field(&in.Status, validation.Required, validation.In(assignmentStatuses()...)),
		validation.Field(&in.ReasonCode, validation.Length(0, 50), validation.Match(reasonCodePattern)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

func assignmentStatuses() []any {
	out := []any{}
	for _, s := range jobfsm.AssignmentStatuses() {
		out = append(out, s)
	}
	return out
}

// ListAssignmentsInput lists assignments by job, technician or day.
type ListAssignmentsInput struct {
	JobID        string      `json:"jobId,omitempty"`
	TechnicianID string      `json:"technicianId,omitempty"`
	Date         jobfsm.Date `json:"date,omitzero"`
	ActiveOnly   bool        `json:"activeOnly,omitempty"`
}

// Validate checks the input.
func (in ListAssignmentsInput) Validate() error {
	if in.JobID == "" && in.TechnicianID == "" && in.Date == (jobfsm.Date{}) {
		return validation.Errors{"jobId": validation.NewError("validation_filter", "give a job, a technician or a date")}
	}
	return nil
}

// AssignmentResult is an assignment with its visit and job after the change.
type AssignmentResult struct {
	Assignment Assignment `json:"assignment"`
	Visit      Visit      `json:"visit"`
	Job        Job        `json:"job"`
	// Cancelled is the assignment a reassignment cancelled.
	Cancelled *Assignment `json:"cancelled,omitempty"`
}

// DispatchService assigns technicians, optimizes days, inserts emergencies
// and shows the dispatch board. Eligibility, routing and explanations are
// the dispatch package's; assignment lifecycles are jobfsm's.
type DispatchService struct {
	assignTech      proc[AssignTechInput, AssignmentResult]
	reassign        proc[ReassignInput, AssignmentResult]
	updateStatus    proc[UpdateAssignmentStatusInput, AssignmentResult]
	listAssignments proc[ListAssignmentsInput, []Assignment]
	optimizeDay     proc[OptimizeDayInput, DayPlan]
	insertEmergency proc[InsertEmergencyInput, InsertResult]
	board           proc[BoardInput, Board]
}

// AssignTech puts a technician on a job at a time, after the compliance
// gate (LICENSE_INVALID, INSURANCE_INVALID, COMPLIANCE_BLOCKED), dispatch's
// eligibility checks (TECHNICIAN_UNAVAILABLE, SCHEDULING_CONFLICT naming
// the rule) and the parts reservation (INVENTORY_SHORTAGE unless overridden).
func (s *DispatchService) AssignTech(ctx context.Context, scope Scope, key string, in AssignTechInput) (*AssignmentResult, error) {
	return s.assignTech.do(ctx, scope, key, in)
}

// Reassign gives an assignment's work to another technician: the old
// assignment is cancelled with the reason, a new one created.
func (s *DispatchService) Reassign(ctx context.Context, scope Scope, key string, in ReassignInput) (*AssignmentResult, error) {
	return s.reassign.do(ctx, scope, key, in)
}

// UpdateStatus moves an assignment; its visit and job follow.
func (s *DispatchService) UpdateStatus(ctx context.Context, scope Scope, key string, in UpdateAssignmentStatusInput) (*AssignmentResult, error) {
	return s.updateStatus.do(ctx, scope, key, in)
}

// ListAssignments lists assignments by job, technician or day.
func (s *DispatchService) ListAssignments(ctx context.Context, scope Scope, in ListAssignmentsInput) ([]Assignment, error) {
	out, err := s.listAssignments.get(ctx, scope, in)
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// OptimizeDay plans a day with the optimizer and applies the plan as
// assignments, in one workflow.
func (s *DispatchService) OptimizeDay(ctx context.Context, scope Scope, key string, in OptimizeDayInput) (*DayPlan, error) {
	return s.optimizeDay.do(ctx, scope, key, in)
}

// InsertEmergency places a job into the day's live plan, moving as few
// jobs as it can.
func (s *DispatchService) InsertEmergency(ctx context.Context, scope Scope, key string, in InsertEmergencyInput) (*InsertResult, error) {
	return s.insertEmergency.do(ctx, scope, key, in)
}

// Board shows a day per technician: the visits done, the stops to come with
// their arrival times, time off and gaps.
func (s *DispatchService) Board(ctx context.Context, scope Scope, in BoardInput) (*Board, error) {
	return s.board.get(ctx, scope, in)
}

func (e *Engine) registerDispatch() {
	e.Dispatch = &DispatchService{
		assignTech:      mutation(e, "dispatch/v1/assignTech", "Put a technician on a job at a time.", with(rolesOffice(), RoleAgent), (*call).assignTech),
		reassign:        mutation(e, "dispatch/v1/reassign", "Give an assignment's work to another technician.", with(rolesOffice(), RoleAgent), (*call).reassign),
		updateStatus:    mutation(e, "dispatch/v1/updateStatus", "Move an assignment: accepted, declined, on the way, on site, completed, cancelled.", with(rolesOffice(), RoleTechnician), (*call).updateAssignmentStatus),
		listAssignments: query(e, "dispatch/v1/listAssignments", "List assignments by job, technician or day.", with(rolesReaders(), RoleTechnician, RoleAgent), (*call).listAssignments),
		optimizeDay:     mutation(e, "dispatch/v1/optimizeDay", "Plan a day with the optimizer and apply it as assignments.", with(rolesOffice(), RoleAgent), (*call).optimizeDay),
		insertEmergency: mutation(e, "dispatch/v1/insertEmergency", "Place a job into the day's live plan, moving as few jobs as possible.", with(rolesOffice(), RoleAgent), (*call).insertEmergency),
		board:           query(e, "dispatch/v1/board", "Show a day per technician: stops, arrival times, time off and gaps.", with(rolesReaders(), RoleAgent), (*call).board),
	}
}

// assignable reports whether a job in status s can be given a technician.
func assignable(s jobfsm.JobStatus) bool {
	switch s {
	case jobfsm.JobCreated, jobfsm.JobScheduled, jobfsm.JobDispatched, jobfsm.JobInProgress, jobfsm.JobWarranty:
		return true
	}
	return false
}

func (c *call) assignTech(in *AssignTechInput) (*AssignmentResult, error) {
	return inTx(c, "assign", func(t *txn) (*AssignmentResult, error) {
		j, err := load(t, jobsTable, in.JobID)
		if err != nil {
			return nil, fieldNotFound(err, "jobId")
		}
		if !assignable(j.Status()) {
			return nil, fieldError(CodeIllegalTransition, "jobId", "job_not_assignable",
				fmt.Sprintf("job %s is %s: only approved work (JOB_CREATED onward) can be assigned", j.Number, j.Status()))
		}
		end := in.End
		if end.IsZero() {
			end = in.Start.Add(time.Duration(or(j.EstimatedMinutes, defaultJobMinutes)) * time.Minute)
		}
		var v *Visit
		if in.VisitID != "" {
			if v, err = load(t, visitsTable, in.VisitID); err != nil || v.JobID != j.ID {
				return nil, fieldError(CodeNotFound, "visitId", "not_found", "the job has no such visit")
			}
			if v.State.Status != jobfsm.VisitScheduled {
				return nil, fieldError(CodeIllegalTransition, "visitId", "visit_under_way", fmt.Sprintf("visit %d is %s: only a booked visit can be staffed", v.Number, v.State.Status))
			}
		}
		if err := c.checkPlacement(t, j, v, in.TechnicianID, in.Start, end, "", in.AcceptSLABreach); err != nil {
			return nil, err
		}
		a, err := c.place(t, j, v, in.TechnicianID, in.Start, end, SourceManual, in.OverrideParts)
		if err != nil {
			return nil, err
		}
		a.Notes = in.Notes
		if in.AcceptSLABreach != "" {
			a.Overrides = append(a.Overrides, Override{Rule: CodeSLAWindowViolation, Reason: in.AcceptSLABreach, By: c.scope.Actor})
			if err := update(t, assignmentsTable, a); err != nil {
				return nil, err
			}
		}
		return c.assignmentResult(t, a, nil)
	})
}

// checkPlacement runs every rule that decides whether the technician may
// take the job from start to end: the compliance gate, dispatch's
// eligibility pipeline against the technician's day (their other
// assignments, except the one named ignore), then the SLA deadline (which a
// dispatcher may accept to miss, with a reason).
func (c *call) checkPlacement(t *txn, j *Job, v *Visit, techID string, start, end time.Time, ignore, acceptSLABreach string) error {
	tech, err := load(t, techniciansTable, techID)
	if err != nil {
		return fieldNotFound(err, "technicianId")
	}
	req := WorkRequirements{Certifications: j.Requirements.Certifications}
	if j.Trade != "" {
		req.Trades = []TradeType{TradeType(j.Trade)}
	}
	if err := complianceGate(t, start, req, tech.ID); err != nil {
		return err
	}
	dc, err := c.readDispatchContext(t)
	if err != nil {
		return err
	}
	from, to := start.Add(-24*time.Hour), end.Add(24*time.Hour)
	dt, err := c.dispatchTechnician(t, dc, tech, from, to)
	if err != nil {
		return err
	}
	busy, err := find(t, assignmentsTable, Query{Where: []Cond{Eq("technician_id", tech.ID),
		Gte("starts_at", timeKey(from)), Lt("starts_at", timeKey(to))}})
	if err != nil {
		return err
	}
	for _, b := range busy {
		if !b.occupies() || b.ID == ignore || (v != nil && b.VisitID == v.ID) {
			continue
		}
		bj, err := load(t, jobsTable, b.JobID)
		if err != nil {
			return err
		}
		loc := dispatchLocation(bj.Location)
		dt.Busy = append(dt.Busy, dispatch.Appointment{JobID: b.JobID, Start: b.Start, End: b.End, Location: &loc})
	}
	dj, err := c.dispatchJob(t, dc, j, j.ID)
	if err != nil {
		return err
	}
	dj.Duration = end.Sub(start)
	dj.DurationByLevel = nil
	if v != nil && j.ArrivalWindow == nil {
		dj.Windows = nil
	}
	snap := &dispatch.Snapshot{Now: c.now, Technicians: []dispatch.Technician{dt}, Jobs: []dispatch.Job{dj}, Travel: c.e.travelModel()}
	if err := dispatch.Check(snap, tech.ID, dj, start); err != nil {
		return err
	}
	if acceptSLABreach != "" {
		return nil
	}
	st, err := c.slaStatus(t, j, c.now)
	if err != nil {
		return err
	}
	if st.Response.State == jobfsm.TargetRunning && !st.Response.Due.IsZero() && start.After(st.Response.Due) {
		return fieldError(CodeSLAWindowViolation, "start", "after_sla_response",
			fmt.Sprintf("the job's %s response is due %s; this start misses it (acceptSlaBreach overrides, with a reason)",
				j.SLA.Name, st.Response.Due.In(c.e.location(c.orgTimeZone(t))).Format("Mon 15:04")))
	}
	return nil
}

// orgTimeZone is the organization's time zone name.
func (c *call) orgTimeZone(t *txn) string {
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return "UTC"
	}
	return org.TimeZone
}

// place books the technician on the job: the job's parts reserved on the
// technician's truck (INVENTORY_SHORTAGE unless overrideParts gives a
// reason), then visit v, or a new visit from start to end, with a new
// ASSIGNED assignment; the job takes the technician and follows its visits.
func (c *call) place(t *txn, j *Job, v *Visit, techID string, start, end time.Time, source, overrideParts string) (*Assignment, error) {
	// The parts first: a shortage refuses the placement before anything is
	// written, so a plan can skip the stop and apply the others.
	var override *PartsOverride
	if overrideParts != "" {
		override = &PartsOverride{Reason: overrideParts}
	}
	if len(j.Requirements.Parts) > 0 {
		if _, err := c.reserveJobParts(t, j, techID, override); err != nil {
			return nil, err
		}
	}
	if v == nil {
		vs, err := find(t, visitsTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
		if err != nil {
			return nil, err
		}
		v = &Visit{Meta: Meta{ID: c.e.newID()}, JobID: j.ID, Number: len(vs) + 1, State: jobfsm.Visit{Status: jobfsm.VisitScheduled}}
		v.History = []jobfsm.Entry[jobfsm.VisitStatus]{{To: jobfsm.VisitScheduled, Action: jobfsm.ActionSchedule, Actor: c.request("", "").Actor, At: c.now}}
	}
	v.TechnicianID, v.State.TechnicianID, v.ScheduledStart, v.ScheduledEnd = techID, techID, start, end
	if v.Version == 0 {
		if err := insert(t, visitsTable, v); err != nil {
			return nil, err
		}
	} else if err := update(t, visitsTable, v); err != nil {
		return nil, err
	}
	ch, err := jobfsm.NewAssignment(techID, jobfsm.AssignmentAssigned, c.request("", ""))
	if err != nil {
		return nil, err
	}
	a := &Assignment{
		Meta: Meta{ID: c.e.newID()}, JobID: j.ID, JobNumber: j.Number, VisitID: v.ID,
		State: ch.Assignment, History: []jobfsm.Entry[jobfsm.AssignmentStatus]{ch.Entry},
		Start: start, End: end, ETA: start, Source: source,
	}
	if override != nil {
		a.Overrides = append(a.Overrides, Override{Rule: CodeInventoryShortage, Reason: override.Reason, By: c.scope.Actor})
	}
	if err := insert(t, assignmentsTable, a); err != nil {
		return nil, err
	}
	if j.TechnicianID == "" || !c.hasActiveAssignment(t, j.ID, j.TechnicianID, a.ID) {
		j.TechnicianID = techID
	}
	if err := c.followVisits(t, j); err != nil {
		return nil, err
	}
	return a, c.saveJob(t, j)
}

// hasActiveAssignment reports whether the technician still holds an active
// assignment on the job, other than except.
func (c *call) hasActiveAssignment(t *txn, jobID, techID, except string) bool {
	as, err := find(t, assignmentsTable, Query{Where: []Cond{Eq("job_id", jobID), Eq("technician_id", techID)}})
	if err != nil {
		return false
	}
	return slices.ContainsFunc(as, func(a *Assignment) bool { return a.ID != except && a.occupies() })
}

func (c *call) assignmentResult(t *txn, a *Assignment, cancelled *Assignment) (*AssignmentResult, error) {
	v, err := load(t, visitsTable, a.VisitID)
	if err != nil {
		return nil, err
	}
	j, err := load(t, jobsTable, a.JobID)
	if err != nil {
		return nil, err
	}
	return &AssignmentResult{Assignment: *a, Visit: *v, Job: *j, Cancelled: cancelled}, nil
}

func (c *call) reassign(in *ReassignInput) (*AssignmentResult, error) {
	return inTx(c, "reassign", func(t *txn) (*AssignmentResult, error) {
		old, err := load(t, assignmentsTable, in.AssignmentID)
		if err != nil {
			return nil, fieldNotFound(err, "assignmentId")
		}
		j, err := load(t, jobsTable, old.JobID)
		if err != nil {
			return nil, err
		}
		v, err := load(t, visitsTable, old.VisitID)
		if err != nil {
			return nil, err
		}
		if v.State.Status != jobfsm.VisitScheduled {
			return nil, fieldError(CodeIllegalTransition, "assignmentId", "visit_under_way",
				fmt.Sprintf("visit %d is %s: recall it before giving it to someone else", v.Number, v.State.Status))
		}
		start, end := old.Start, old.End
		if !in.Start.IsZero() {
			start, end = in.Start, in.Start.Add(old.End.Sub(old.Start))
		}
		if err := c.checkPlacement(t, j, v, in.TechnicianID, start, end, old.ID, ""); err != nil {
			return nil, err
		}
		rs, err := old.State.Reassign(in.TechnicianID, c.request(in.ReasonCode, in.Reason))
		if err != nil {
			return nil, err
		}
		if len(j.Requirements.Parts) > 0 {
			// The parts follow the work to the new technician's truck.
			if _, err := c.reserveJobParts(t, j, in.TechnicianID, nil); err != nil {
				return nil, err
			}
		}
		if rs.Cancelled != nil {
			old.State = rs.Cancelled.Assignment
			old.History = append(old.History, rs.Cancelled.Entry)
			if err := update(t, assignmentsTable, old); err != nil {
				return nil, err
			}
		}
		a := &Assignment{
			Meta: Meta{ID: c.e.newID()}, JobID: j.ID, JobNumber: j.Number, VisitID: v.ID,
			State: rs.New.Assignment, History: []jobfsm.Entry[jobfsm.AssignmentStatus]{rs.New.Entry},
			Start: start, End: end, ETA: start, Source: SourceManual,
		}
		if err := insert(t, assignmentsTable, a); err != nil {
			return nil, err
		}
		v.TechnicianID, v.State.TechnicianID, v.ScheduledStart, v.ScheduledEnd = in.TechnicianID, in.TechnicianID, start, end
		if err := update(t, visitsTable, v); err != nil {
			return nil, err
		}
		if j.TechnicianID == old.TechnicianID() && !c.hasActiveAssignment(t, j.ID, old.TechnicianID(), "") {
			j.TechnicianID = in.TechnicianID
			if err := c.saveJob(t, j); err != nil {
				return nil, err
			}
		}
		return c.assignmentResult(t, a, old)
	})
}

// visitFor is what an assignment's move does to its visit: the visit
// statuses to apply, in order.
func visitFor(to jobfsm.AssignmentStatus, v jobfsm.VisitStatus) []jobfsm.VisitStatus {
	switch to {
	case jobfsm.AssignmentEnRoute:
		return []jobfsm.VisitStatus{jobfsm.VisitEnRoute}
	case jobfsm.AssignmentOnSite:
		// On site is working, as ServiceTitan's Arrive starts the working
		// timesheet.
		return []jobfsm.VisitStatus{jobfsm.VisitArrived, jobfsm.VisitInProgress}
	case jobfsm.AssignmentCompleted:
		if v == jobfsm.VisitPaused {
			return []jobfsm.VisitStatus{jobfsm.VisitInProgress, jobfsm.VisitCompleted}
		}
		return []jobfsm.VisitStatus{jobfsm.VisitCompleted}
	case jobfsm.AssignmentCancelled, jobfsm.AssignmentDeclined:
		if v == jobfsm.VisitEnRoute {
			return []jobfsm.VisitStatus{jobfsm.VisitScheduled} // recalled
		}
	}
	return nil
}

func (c *call) updateAssignmentStatus(in *UpdateAssignmentStatusInput) (*AssignmentResult, error) {
	return inTx(c, "update-status", func(t *txn) (*AssignmentResult, error) {
		a, err := load(t, assignmentsTable, in.AssignmentID)
		if err != nil {
			return nil, fieldNotFound(err, "assignmentId")
		}
		if tech := c.technicianID(); tech != "" && a.TechnicianID() != tech {
			return nil, RowNotFound(assignmentsTable.spec.Name, in.AssignmentID)
		}
		req := c.request(in.ReasonCode, in.Reason)
		ch, err := a.State.Apply(in.Status, req)
		if err != nil {
			return nil, err
		}
		a.State = ch.Assignment
		a.History = append(a.History, ch.Entry)
		if err := update(t, assignmentsTable, a); err != nil {
			return nil, err
		}
		v, err := load(t, visitsTable, a.VisitID)
		if err != nil {
			return nil, err
		}
		for _, to := range visitFor(in.Status, v.State.Status) {
			vch, err := v.State.Apply(to, req)
			if err != nil {
				return nil, err
			}
			v.State = vch.Visit
			v.History = append(v.History, vch.Entry)
		}
		released := in.Status == jobfsm.AssignmentCancelled || in.Status == jobfsm.AssignmentDeclined
		if released && v.TechnicianID == a.TechnicianID() && v.State.Status == jobfsm.VisitScheduled {
			v.TechnicianID, v.State.TechnicianID = "", ""
		}
		if err := update(t, visitsTable, v); err != nil {
			return nil, err
		}
		j, err := load(t, jobsTable, a.JobID)
		if err != nil {
			return nil, err
		}
		if released && j.TechnicianID == a.TechnicianID() && !c.hasActiveAssignment(t, j.ID, j.TechnicianID, "") {
			j.TechnicianID = c.nextTechnician(t, j.ID)
			if j.TechnicianID == "" {
				// Nobody holds the work: its parts go back to stock until
				// the next placement reserves them again.
				if err := c.releaseJobParts(t, j); err != nil {
					return nil, err
				}
			}
			if j.TechnicianID == "" && j.Status() == jobfsm.JobDispatched {
				// Nobody is on the job any more: it is scheduled again.
				if err := c.transition(t, j, jobfsm.JobScheduled, "", "its technician was released"); err != nil {
					return nil, err
				}
			}
		}
		if err := c.followVisits(t, j); err != nil {
			return nil, err
		}
		if err := c.saveJob(t, j); err != nil {
			return nil, err
		}
		return &AssignmentResult{Assignment: *a, Visit: *v, Job: *j}, nil
	})
}

// nextTechnician is the technician of another active assignment on the
// job, or "".
func (c *call) nextTechnician(t *txn, jobID string) string {
	as, err := find(t, assignmentsTable, Query{Where: []Cond{Eq("job_id", jobID)}})
	if err != nil {
		return ""
	}
	for _, a := range as {
		if a.occupies() {
			return a.TechnicianID()
		}
	}
	return ""
}

func (c *call) listAssignments(in *ListAssignmentsInput) (*[]Assignment, error) {
	return inTx(c, "list", func(t *txn) (*[]Assignment, error) {
		q := Query{OrderBy: "starts_at"}
		if in.JobID != "" {
			q.Where = append(q.Where, Eq("job_id", in.JobID))
		}
		tech := in.TechnicianID
		if me := c.technicianID(); me != "" {
			if tech != "" && tech != me {
				return &[]Assignment{}, nil
			}
			tech = me
		}
		if tech != "" {
			q.Where = append(q.Where, Eq("technician_id", tech))
		}
		if in.Date != (jobfsm.Date{}) {
			from, to := dayBounds(in.Date, c.e.location(c.orgTimeZone(t)))
			q.Where = append(q.Where, Gte("starts_at", timeKey(from)), Lt("starts_at", timeKey(to)))
		}
		as, err := find(t, assignmentsTable, q)
		if err != nil {
			return nil, err
		}
		out := []Assignment{}
		for _, a := range as {
			if !in.ActiveOnly || a.occupies() {
				out = append(out, *a)
			}
		}
		return &out, nil
	})
}

// dispatchError maps a dispatch rule to the engine's codes, naming the rule
// and the technician.
func dispatchError(err error) (*Error, bool) {
	var re *dispatch.RuleError
	if !errors.As(err, &re) {
		return nil, false
	}
	code := CodeTechnicianUnavailable
	switch {
	case errors.Is(err, dispatch.ErrLicenseInvalid):
		code = CodeLicenseInvalid
	case errors.Is(err, dispatch.ErrInsuranceInvalid):
		code = CodeInsuranceInvalid
	case errors.Is(err, dispatch.ErrConflict):
		code = CodeSchedulingConflict
	case errors.Is(err, dispatch.ErrShortage):
		code = CodeInventoryShortage
	}
	e := WrapError(err, code, "%s: %s", re.Reason.Code, re.Reason.Detail)
	e.FieldErrors = []FieldError{{Field: "technicianId", Code: string(re.Reason.Code), Message: re.Reason.Detail}}
	return e, true
}

// sortAssignments orders assignments by start, then id.
func sortAssignments(as []*Assignment) {
	sort.Slice(as, func(i, k int) bool {
		if !as[i].Start.Equal(as[k].Start) {
			return as[i].Start.Before(as[k].Start)
		}
		return as[i].ID < as[k].ID
	})
}
