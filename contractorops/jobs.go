package contractorops

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// Job is a unit of work for a customer: from a lead or a ticket to its
// close. Its lifecycle belongs to jobfsm: the engine gathers the facts,
// asks jobfsm, and stores what it decides.
type Job struct {
	Meta
	// Number is the human number, JOB-2026-00001, unique in the organization.
	Number      string `json:"number"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Category    string `json:"category,omitempty"`
	// Trade is the trade the work needs (HVAC, PLUMBING, …).
	Trade    string          `json:"trade,omitempty"`
	Priority jobfsm.Priority `json:"priority"`
	// Source is where the job came from; ExternalRef names the CAM work
	// order, violation or ARC request, or the lead, it came from.
	Source        jobfsm.SourceType `json:"source"`
	ExternalRef   string            `json:"externalRef,omitempty"`
	AssociationID string            `json:"associationId,omitempty"`
	CustomerID    string            `json:"customerId,omitempty"`
	LocationID    string            `json:"locationId,omitempty"`
	Location      Address           `json:"location"`

	// Lifecycle is the job's state machine: status, where a hold came from,
	// the warranty end and the lifecycle stamps.
	Lifecycle jobfsm.Job            `json:"lifecycle"`
	History   []jobfsm.HistoryEntry `json:"history"`

	// TechnicianID is the technician assigned to the job, if any.
	TechnicianID string `json:"technicianId,omitempty"`
	// Requirements are what a technician needs to take the job.
	Requirements Requirements `json:"requirements"`
	// EstimatedMinutes is the expected time on site.
	EstimatedMinutes int `json:"estimatedMinutes,omitempty"`
	// ArrivalWindow is the window promised to the customer, if any.
	ArrivalWindow *Window `json:"arrivalWindow,omitempty"`

	// SLA is the policy the job is measured against, fixed at creation.
	SLA         jobfsm.Policy   `json:"sla"`
	Escalations []SLAEscalation `json:"escalations,omitempty"`
	// SLAWakeAt is when the SLA next needs attention (an escalation falls
	// due); zero when nothing is pending.
	SLAWakeAt time.Time `json:"slaWakeAt,omitzero"`

	Notes       []Note       `json:"notes,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Checkpoints []Checkpoint `json:"checkpoints,omitempty"`

	ResolutionNotes string `json:"resolutionNotes,omitempty"`
	CustomerRating  int    `json:"customerRating,omitempty"`
}

// Status returns the job's status.
func (j *Job) Status() jobfsm.JobStatus { return j.Lifecycle.Status }

// Requirements are what a job needs of the technician who takes it.
type Requirements struct {
	Skills         []SkillRequirement `json:"skills,omitempty"`
	Certifications []string           `json:"certifications,omitempty"`
	// Licenses are license types the technician or the contractor must hold
	// (e.g. "MASTER_PLUMBER").
	Licenses []string          `json:"licenses,omitempty"`
	Parts    []PartRequirement `json:"parts,omitempty"`
}

// SkillRequirement is a trade at a minimum level (1–5).
type SkillRequirement struct {
	Trade    string `json:"trade"`
	MinLevel int    `json:"minLevel"`
}

// PartRequirement is an inventory item (by SKU) and the quantity a job needs.
type PartRequirement struct {
	SKU      string `json:"sku"`
	Quantity string `json:"quantity"`
}

// Window is a span of time.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Validate checks the window.
func (w Window) Validate() error {
	if w.Start.IsZero() || w.End.IsZero() || !w.End.After(w.Start) {
		return validation.NewError("validation_window", "end must be after start")
	}
	return nil
}

// Note is a note on a job; internal notes are not shown to customers.
type Note struct {
	ID       string    `json:"id"`
	Body     string    `json:"body"`
	Internal bool      `json:"internal"`
	Author   Actor     `json:"author"`
	At       time.Time `json:"at"`
}

// Attachment is the metadata of a file attached to a job (the file lives in
// the host's storage).
type Attachment struct {
	ID       string    `json:"id"`
	FileName string    `json:"fileName"`
	URL      string    `json:"url"`
	Size     int64     `json:"size"`
	MimeType string    `json:"mimeType"`
	Author   Actor     `json:"author"`
	At       time.Time `json:"at"`
}

// CheckpointType is the kind of a checkpoint (the reference's CheckpointType).
type CheckpointType string

// The checkpoint types.
const (
	CheckpointQAInspection     CheckpointType = "QA_INSPECTION"
	CheckpointWarrantyCheck    CheckpointType = "WARRANTY_CHECK"
	CheckpointCustomerApproval CheckpointType = "CUSTOMER_APPROVAL"
	CheckpointSafetyCheck      CheckpointType = "SAFETY_CHECK"
	CheckpointComplianceCheck  CheckpointType = "COMPLIANCE_CHECK"
	CheckpointOther            CheckpointType = "OTHER"
)

// Checkpoint is a step that must be done before the job completes, when
// required.
type Checkpoint struct {
	ID          string         `json:"id"`
	Type        CheckpointType `json:"type"`
	Name        string         `json:"name"`
	Required    bool           `json:"required"`
	CompletedAt time.Time      `json:"completedAt,omitzero"`
	CompletedBy string         `json:"completedBy,omitempty"`
	Passed      *bool          `json:"passed,omitempty"`
	Notes       string         `json:"notes,omitempty"`
	// Expect is the evidence the step asks for (notes, photos, readings
	// within bounds), checked by the technician assistant
	// (assistant/v1/verifyStep).
	Expect *StepExpectation `json:"expect,omitempty"`
	// Verification is the assistant's verdict that completed the step, if
	// the assistant completed it.
	Verification *StepVerdict `json:"verification,omitempty"`
}

// SLAEscalation records that a job reached an escalation point of an SLA
// target.
type SLAEscalation struct {
	Target  string    `json:"target"` // RESPONSE or RESOLUTION
	Percent int       `json:"percent"`
	DueAt   time.Time `json:"dueAt"`
	At      time.Time `json:"at"`
}

// Visit is one trip to the job's location (a ServiceTitan appointment); a
// job has one or more, and multi-day work is several.
type Visit struct {
	Meta
	JobID          string                             `json:"jobId"`
	Number         int                                `json:"number"`
	TechnicianID   string                             `json:"technicianId,omitempty"`
	ScheduledStart time.Time                          `json:"scheduledStart"`
	ScheduledEnd   time.Time                          `json:"scheduledEnd"`
	State          jobfsm.Visit                       `json:"state"`
	History        []jobfsm.Entry[jobfsm.VisitStatus] `json:"history"`
	Notes          string                             `json:"notes,omitempty"`
	WorkPerformed  string                             `json:"workPerformed,omitempty"`
}

var jobsTable = table[Job]{
	spec: TableSpec{
		Name:   "jobs",
		Keys:   []string{"number", "status", "priority", "customer_id", "technician_id", "source", "external_ref", "created_at", "sla_wake"},
		Unique: [][]string{{"number"}},
	},
	keys: func(j *Job) map[string]string {
		return keys("number", j.Number, "status", string(j.Lifecycle.Status), "priority", string(j.Priority),
			"customer_id", j.CustomerID, "technician_id", j.TechnicianID, "source", string(j.Source),
			"external_ref", j.ExternalRef, "created_at", timeKey(j.CreatedAt), "sla_wake", timeKey(j.SLAWakeAt))
	},
}

var visitsTable = table[Visit]{
	spec: TableSpec{Name: "visits", Keys: []string{"job_id", "technician_id", "status", "starts_at"}},
	keys: func(v *Visit) map[string]string {
		return keys("job_id", v.JobID, "technician_id", v.TechnicianID, "status", string(v.State.Status), "starts_at", timeKey(v.ScheduledStart))
	},
}

// Priorities are the job priorities, most urgent first.
func Priorities() []jobfsm.Priority {
	return []jobfsm.Priority{jobfsm.PriorityEmergency, jobfsm.PriorityHigh, jobfsm.PriorityMedium, jobfsm.PriorityLow}
}

func sources() []any {
	return []any{jobfsm.SourceWorkOrder, jobfsm.SourceViolation, jobfsm.SourceARCRequest, jobfsm.SourceDirectCustomer, jobfsm.SourceLead, jobfsm.SourceRecurring}
}

func priorities() []any {
	out := []any{}
	for _, p := range Priorities() {
		out = append(out, p)
	}
	return out
}

// CreateJobInput creates a job.
type CreateJobInput struct {
	Title         string            `json:"title"`
	Description   string            `json:"description,omitempty"`
	Category      string            `json:"category,omitempty"`
	Trade         string            `json:"trade,omitempty"`
	Priority      jobfsm.Priority   `json:"priority,omitempty"`
	Source        jobfsm.SourceType `json:"source,omitempty"`
	ExternalRef   string            `json:"externalRef,omitempty"`
	AssociationID string            `json:"associationId,omitempty"`
	CustomerID    string            `json:"customerId,omitempty"`
	LocationID    string            `json:"locationId,omitempty"`
	Location      *Address          `json:"location,omitempty"`
	Requirements  Requirements      `json:"requirements"`
	// EstimatedMinutes is the expected time on site.
	EstimatedMinutes int     `json:"estimatedMinutes,omitempty"`
	ArrivalWindow    *Window `json:"arrivalWindow,omitempty"`
}

// Validate checks the input.
func (in CreateJobInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Title, validation.Required, validation.Length(1, 255)),
		validation.Field(&in.Description, validation.Length(0, 10000)),
		validation.Field(&in.Category, validation.Length(0, 100)),
		validation.Field(&in.Trade, validation.Length(0, 50)),
		validation.Field(&in.Priority, validation.In(priorities()...)),
		validation.Field(&in.Source, validation.In(sources()...)),
		validation.Field(&in.ExternalRef, validation.Length(0, 200), validation.When(
			in.Source == jobfsm.SourceWorkOrder || in.Source == jobfsm.SourceViolation || in.Source == jobfsm.SourceARCRequest,
			validation.Required.Error("is required for a job from a CAM work order, violation or ARC request"))),
		validation.Field(&in.Location),
		validation.Field(&in.Requirements),
		validation.Field(&in.EstimatedMinutes, validation.Min(0), validation.Max(14*24*60)),
		validation.Field(&in.ArrivalWindow),
	)
}

// Validate checks the requirements.
func (r Requirements) Validate() error {
	return validation.ValidateStruct(&r,
		validation.Field(&r.Skills, validation.Length(0, 20)),
		validation.Field(&r.Certifications, validation.Length(0, 20), validation.Each(validation.Length(1, 100))),
		validation.Field(&r.Licenses, validation.Length(0, 20), validation.Each(validation.Length(1, 100))),
		validation.Field(&r.Parts, validation.Length(0, 100)),
	)
}

// Validate checks the skill requirement.
func (s SkillRequirement) Validate() error {
	return validation.ValidateStruct(&s,
		validation.Field(&s.Trade, validation.Required, validation.Length(1, 50)),
		validation.Field(&s.MinLevel, validation.Min(1), validation.Max(5)),
	)
}

// Validate checks the part requirement.
func (p PartRequirement) Validate() error {
	return validation.ValidateStruct(&p,
		validation.Field(&p.SKU, validation.Required, validation.Length(1, 100)),
		validation.Field(&p.Quantity, validation.Required, validation.By(positiveDecimal)),
	)
}

// UpdateJobInput changes a job's details (not its status).
type UpdateJobInput struct {
	ID               string           `json:"id"`
	Title            *string          `json:"title,omitempty"`
	Description      *string          `json:"description,omitempty"`
	Category         *string          `json:"category,omitempty"`
	Trade            *string          `json:"trade,omitempty"`
	Priority         *jobfsm.Priority `json:"priority,omitempty"`
	Requirements     *Requirements    `json:"requirements,omitempty"`
	EstimatedMinutes *int             `json:"estimatedMinutes,omitempty"`
	ArrivalWindow    *Window          `json:"arrivalWindow,omitempty"`
	WarrantyEnds     *time.Time       `json:"warrantyEnds,omitempty"`
	ResolutionNotes  *string          `json:"resolutionNotes,omitempty"`
	CustomerRating   *int             `json:"customerRating,omitempty"`
}

// Validate checks the input.
func (in UpdateJobInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required),
		validation.Field(&in.Title, validation.NilOrNotEmpty, validation.Length(1, 255)),
		validation.Field(&in.Description, validation.Length(0, 10000)),
		validation.Field(&in.Category, validation.Length(0, 100)),
		validation.Field(&in.Trade, validation.Length(0, 50)),
		validation.Field(&in.Priority, validation.In(priorities()...)),
		validation.Field(&in.Requirements),
		validation.Field(&in.EstimatedMinutes, validation.Min(0), validation.Max(14*24*60)),
		validation.Field(&in.ArrivalWindow),
		validation.Field(&in.ResolutionNotes, validation.Length(0, 10000)),
		validation.Field(&in.CustomerRating, validation.Min(1), validation.Max(5)),
	)
}

// UpdateJobStatusInput moves a job to another status.
type UpdateJobStatusInput struct {
	ID     string           `json:"id"`
	Status jobfsm.JobStatus `json:"status"`
	// ReasonCode is required to cancel or hold (e.g. NO_ACCESS,
	// WAITING_ON_PARTS, CUSTOMER_CANCELLED).
	ReasonCode string `json:"reasonCode,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Validate checks the input.
func (in UpdateJobStatusInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required),
		validation.Field(&in.Status, validation.Required, validation.In(jobStatuses()...)),
		validation.Field(&in.ReasonCode, validation.Length(0, 50), validation.Match(reasonCodePattern)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

func jobStatuses() []any {
	out := []any{}
	for _, s := range jobfsm.JobStatuses() {
		out = append(out, s)
	}
	return out
}

// ListJobsInput lists jobs, newest first, with filters.
type ListJobsInput struct {
	Status       []jobfsm.JobStatus `json:"status,omitempty"`
	TechnicianID string             `json:"technicianId,omitempty"`
	CustomerID   string             `json:"customerId,omitempty"`
	Priority     jobfsm.Priority    `json:"priority,omitempty"`
	Source       jobfsm.SourceType  `json:"source,omitempty"`
	ExternalRef  string             `json:"externalRef,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListJobsInput) Validate() error {
	if err := validation.ValidateStruct(&in,
		validation.Field(&in.Status, validation.Each(validation.In(jobStatuses()...))),
		validation.Field(&in.Priority, validation.In(priorities()...)),
		validation.Field(&in.Source, validation.In(sources()...)),
	); err != nil {
		return err
	}
	return in.PageRequest.Validate()
}

// AddNoteInput adds a note to a job.
type AddNoteInput struct {
	JobID    string `json:"jobId"`
	Body     string `json:"body"`
	Internal bool   `json:"internal,omitempty"`
}

// Validate checks the input.
func (in AddNoteInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.Body, validation.Required, validation.Length(1, 10000)),
	)
}

// AddAttachmentInput records a file attached to a job.
type AddAttachmentInput struct {
	JobID    string `json:"jobId"`
	FileName string `json:"fileName"`
	URL      string `json:"url"`
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
}

// Validate checks the input.
func (in AddAttachmentInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.FileName, validation.Required, validation.Length(1, 255)),
		validation.Field(&in.URL, validation.Required, validation.Length(1, 2000)),
		validation.Field(&in.Size, validation.Min(int64(0))),
		validation.Field(&in.MimeType, validation.Required, validation.Length(1, 100)),
	)
}

// AddCheckpointInput adds a checkpoint to a job.
type AddCheckpointInput struct {
	JobID    string         `json:"jobId"`
	Type     CheckpointType `json:"type"`
	Name     string         `json:"name"`
	Required bool           `json:"required"`
	// Expect is the evidence the step asks for, if any.
	Expect *StepExpectation `json:"expect,omitempty"`
}

// Validate checks the input.
func (in AddCheckpointInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.Type, validation.Required, validation.In(CheckpointQAInspection, CheckpointWarrantyCheck,
			CheckpointCustomerApproval, CheckpointSafetyCheck, CheckpointComplianceCheck, CheckpointOther)),
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Expect),
	)
}

// CompleteCheckpointInput records a checkpoint as done.
type CompleteCheckpointInput struct {
	JobID        string `json:"jobId"`
	CheckpointID string `json:"checkpointId"`
	Passed       *bool  `json:"passed,omitempty"`
	Notes        string `json:"notes,omitempty"`
}

// Validate checks the input.
func (in CompleteCheckpointInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.CheckpointID, validation.Required),
		validation.Field(&in.Notes, validation.Length(0, 2000)),
	)
}

// AddVisitInput books a visit.
type AddVisitInput struct {
	JobID          string    `json:"jobId"`
	ScheduledStart time.Time `json:"scheduledStart"`
	ScheduledEnd   time.Time `json:"scheduledEnd"`
	Notes          string    `json:"notes,omitempty"`
}

// Validate checks the input.
func (in AddVisitInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.ScheduledStart, validation.Required),
		validation.Field(&in.ScheduledEnd, validation.Required, validation.By(func(any) error {
			if !in.ScheduledEnd.After(in.ScheduledStart) {
				return validation.NewError("validation_window", "must be after scheduledStart")
			}
			return nil
		})),
		validation.Field(&in.Notes, validation.Length(0, 2000)),
	)
}

// UpdateVisitStatusInput moves a visit (a technician on the way, on site,
// working, paused, done).
type UpdateVisitStatusInput struct {
	VisitID       string             `json:"visitId"`
	Status        jobfsm.VisitStatus `json:"status"`
	ReasonCode    string             `json:"reasonCode,omitempty"`
	Reason        string             `json:"reason,omitempty"`
	WorkPerformed string             `json:"workPerformed,omitempty"`
}

// Validate checks the input.
func (in UpdateVisitStatusInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.VisitID, validation.Required),
		validation.Field(&in.Status, validation.Required, validation.In(visitStatuses()...)),
		validation.Field(&in.ReasonCode, validation.Length(0, 50), validation.Match(reasonCodePattern)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
		validation.Field(&in.WorkPerformed, validation.Length(0, 10000)),
	)
}

func visitStatuses() []any {
	out := []any{}
	for _, s := range jobfsm.VisitStatuses() {
		out = append(out, s)
	}
	return out
}

// JobIDInput names a job.
type JobIDInput struct {
	JobID string `json:"jobId"`
}

// Validate checks the input.
func (in JobIDInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.JobID, validation.Required))
}

// JobOptions are the moves a job can make now, and why not the others: the
// buttons of a dispatcher's screen.
type JobOptions struct {
	Status  jobfsm.JobStatus                  `json:"status"`
	Options []jobfsm.Option[jobfsm.JobStatus] `json:"options"`
}

// JobService runs jobs: creation, details, status, notes, attachments,
// checkpoints and visits.
type JobService struct {
	create             proc[CreateJobInput, Job]
	get                proc[IDInput, Job]
	list               proc[ListJobsInput, Page[Job]]
	update             proc[UpdateJobInput, Job]
	updateStatus       proc[UpdateJobStatusInput, Job]
	options            proc[JobIDInput, JobOptions]
	addNote            proc[AddNoteInput, Job]
	addAttachment      proc[AddAttachmentInput, Job]
	addCheckpoint      proc[AddCheckpointInput, Job]
	completeCheckpoint proc[CompleteCheckpointInput, Job]
	addVisit           proc[AddVisitInput, Visit]
	updateVisitStatus  proc[UpdateVisitStatusInput, Visit]
	listVisits         proc[JobIDInput, []Visit]
	sla                proc[JobIDInput, jobfsm.SLAStatus]
	escalateSLA        proc[EscalateSLAInput, Job]
}

// Create opens a job: a LEAD from a lead, a TICKET otherwise, numbered
// JOB-YYYY-NNNNN, with its SLA policy fixed from its priority.
func (s *JobService) Create(ctx context.Context, scope Scope, key string, in CreateJobInput) (*Job, error) {
	return s.create.do(ctx, scope, key, in)
}

// Get reads a job. A technician reads only the jobs they work on.
func (s *JobService) Get(ctx context.Context, scope Scope, id string) (*Job, error) {
	return s.get.get(ctx, scope, IDInput{ID: id})
}

// List lists jobs, newest first. A technician lists only their own.
func (s *JobService) List(ctx context.Context, scope Scope, in ListJobsInput) (*Page[Job], error) {
	return s.list.get(ctx, scope, in)
}

// Update changes a job's details.
func (s *JobService) Update(ctx context.Context, scope Scope, key string, in UpdateJobInput) (*Job, error) {
	return s.update.do(ctx, scope, key, in)
}

// UpdateStatus moves a job to another status through jobfsm's table and
// guards; a refusal is ILLEGAL_TRANSITION naming the rule.
func (s *JobService) UpdateStatus(ctx context.Context, scope Scope, key string, in UpdateJobStatusInput) (*Job, error) {
	return s.updateStatus.do(ctx, scope, key, in)
}

// Options lists the moves the job can make now and the rules refusing the
// others.
func (s *JobService) Options(ctx context.Context, scope Scope, jobID string) (*JobOptions, error) {
	return s.options.get(ctx, scope, JobIDInput{JobID: jobID})
}

// AddNote adds a note.
func (s *JobService) AddNote(ctx context.Context, scope Scope, key string, in AddNoteInput) (*Job, error) {
	return s.addNote.do(ctx, scope, key, in)
}

// AddAttachment records an attachment.
func (s *JobService) AddAttachment(ctx context.Context, scope Scope, key string, in AddAttachmentInput) (*Job, error) {
	return s.addAttachment.do(ctx, scope, key, in)
}

// AddCheckpoint adds a checkpoint.
func (s *JobService) AddCheckpoint(ctx context.Context, scope Scope, key string, in AddCheckpointInput) (*Job, error) {
	return s.addCheckpoint.do(ctx, scope, key, in)
}

// CompleteCheckpoint records a checkpoint as done.
func (s *JobService) CompleteCheckpoint(ctx context.Context, scope Scope, key string, in CompleteCheckpointInput) (*Job, error) {
	return s.completeCheckpoint.do(ctx, scope, key, in)
}

// AddVisit books a visit; an unscheduled job becomes SCHEDULED.
func (s *JobService) AddVisit(ctx context.Context, scope Scope, key string, in AddVisitInput) (*Visit, error) {
	return s.addVisit.do(ctx, scope, key, in)
}

// UpdateVisitStatus moves a visit; the job follows its visits (the first
// technician on the way starts the job).
func (s *JobService) UpdateVisitStatus(ctx context.Context, scope Scope, key string, in UpdateVisitStatusInput) (*Visit, error) {
	return s.updateVisitStatus.do(ctx, scope, key, in)
}

// ListVisits lists a job's visits in order.
func (s *JobService) ListVisits(ctx context.Context, scope Scope, jobID string) ([]Visit, error) {
	out, err := s.listVisits.get(ctx, scope, JobIDInput{JobID: jobID})
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// EscalateSLA records the escalations of the job's SLA that fell due, each
// with an SLA_ESCALATED event. The engine runs it itself when they fall due.
func (s *JobService) EscalateSLA(ctx context.Context, scope Scope, key string, jobID string) (*Job, error) {
	return s.escalateSLA.do(ctx, scope, key, EscalateSLAInput{JobID: jobID})
}

// SLA returns the job's SLA status now: elapsed, remaining, breach and the
// next escalation, on the organization's business calendar.
func (s *JobService) SLA(ctx context.Context, scope Scope, jobID string) (*jobfsm.SLAStatus, error) {
	return s.sla.get(ctx, scope, JobIDInput{JobID: jobID})
}

func (e *Engine) registerJobs() {
	field := with(rolesOffice(), RoleTechnician)
	readers := with(rolesReaders(), RoleTechnician, RoleAgent)
	e.Jobs = &JobService{
		create:             mutation(e, "job/v1/create", "Open a job from a lead, a call or a CAM work order.", with(rolesOffice(), RoleAgent), (*call).createJob),
		get:                query(e, "job/v1/get", "Read a job.", readers, (*call).getJob),
		list:               query(e, "job/v1/list", "List jobs, newest first.", readers, (*call).listJobs),
		update:             mutation(e, "job/v1/update", "Change a job's details.", rolesOffice(), (*call).updateJob),
		updateStatus:       mutation(e, "job/v1/updateStatus", "Move a job to another status.", with(field, RoleAgent), (*call).updateJobStatus),
		options:            query(e, "job/v1/options", "List the moves a job can make now, and why not the others.", readers, (*call).jobOptions),
		addNote:            mutation(e, "job/v1/addNote", "Add a note to a job.", field, (*call).addNote),
		addAttachment:      mutation(e, "job/v1/addAttachment", "Record a file attached to a job.", field, (*call).addAttachment),
		addCheckpoint:      mutation(e, "job/v1/addCheckpoint", "Add a checkpoint to a job.", rolesOffice(), (*call).addCheckpoint),
		completeCheckpoint: mutation(e, "job/v1/completeCheckpoint", "Record a checkpoint as done.", field, (*call).completeCheckpoint),
		addVisit:           mutation(e, "job/v1/addVisit", "Book a visit to a job.", with(rolesOffice(), RoleAgent), (*call).addVisit),
		updateVisitStatus:  mutation(e, "job/v1/updateVisitStatus", "Move a visit: on the way, on site, working, paused, done.", field, (*call).updateVisitStatus),
		listVisits:         query(e, "job/v1/listVisits", "List a job's visits.", readers, (*call).listVisits),
		sla:                query(e, "job/v1/sla", "Read a job's SLA status now.", readers, (*call).jobSLA),
		escalateSLA:        mutation(e, "job/v1/escalateSLA", "Record the SLA escalations of a job that fell due (the SLA clock's own work).", []Role{RoleOwner, RoleAdmin, RoleAgent}, (*call).escalateSLA),
	}
}

// request is the jobfsm request of the call.
func (c *call) request(reasonCode, reason string) jobfsm.Request {
	return jobfsm.Request{Actor: string(c.scope.Actor.Kind) + ":" + c.scope.Actor.ID, ReasonCode: reasonCode, Reason: reason, At: c.now}
}

func (c *call) createJob(in *CreateJobInput) (*Job, error) {
	return inTx(c, "create", func(t *txn) (*Job, error) { return c.openJob(t, in, nil, c.now) })
}

// openJob opens and stores a job: a LEAD or a TICKET as of at (the call's
// now, or earlier for work that fell due before the engine got to it),
// numbered JOB-YYYY-NNNNN, under the contract's SLA policy when one is given
// and the organization's policy for its priority otherwise.
func (c *call) openJob(t *txn, in *CreateJobInput, contract *jobfsm.Policy, at time.Time) (*Job, error) {
	source := or(in.Source, jobfsm.SourceDirectCustomer)
	req := c.request("", "")
	req.At = at
	open, err := jobfsm.Open(source, req)
	if err != nil {
		return nil, err
	}
	settings, err := loadSLASettings(t)
	if err != nil {
		return nil, err
	}
	priority := or(in.Priority, jobfsm.PriorityMedium)
	policy, err := settings.Policies.For(priority, contract)
	if err != nil {
		return nil, err
	}
	j := &Job{
		Meta: Meta{ID: c.e.newID()}, Title: in.Title, Description: in.Description, Category: in.Category,
		Trade: in.Trade, Priority: priority, Source: source, ExternalRef: in.ExternalRef,
		AssociationID: in.AssociationID, CustomerID: in.CustomerID, LocationID: in.LocationID,
		Lifecycle: open.Job, History: []jobfsm.HistoryEntry{open.Entry}, Requirements: in.Requirements,
		EstimatedMinutes: in.EstimatedMinutes, ArrivalWindow: in.ArrivalWindow, SLA: policy,
	}
	if in.CustomerID != "" {
		if _, err := load(t, customersTable, in.CustomerID); err != nil {
			return nil, fieldNotFound(err, "customerId")
		}
	}
	if in.LocationID != "" {
		loc, err := load(t, serviceLocationsTable, in.LocationID)
		if err != nil {
			return nil, fieldNotFound(err, "locationId")
		}
		if in.CustomerID != "" && loc.CustomerID != in.CustomerID {
			return nil, fieldError(CodeValidationFailed, "locationId", "validation_location_customer", "the location belongs to another customer")
		}
		j.Location = loc.Address
		if j.AssociationID == "" {
			j.AssociationID = loc.AssociationID
		}
	}
	if in.Location != nil {
		j.Location = *in.Location
	}
	if j.Number, err = c.nextNumber(t, "JOB", 5); err != nil {
		return nil, err
	}
	if err := c.saveJob(t, j); err != nil {
		return nil, err
	}
	return j, emit(t, j, open.Events)
}

func (c *call) getJob(in *IDInput) (*Job, error) {
	return inTx(c, "get", func(t *txn) (*Job, error) { return c.loadJob(t, in.ID) })
}

// loadJob reads a job the scope may see: a technician sees only the jobs
// assigned to them or with a visit of theirs, and gets NOT_FOUND for others
// (no existence leak).
func (c *call) loadJob(t *txn, id string) (*Job, error) {
	j, err := load(t, jobsTable, id)
	if err != nil {
		return nil, err
	}
	if tech := c.technicianID(); tech != "" && !c.worksOn(t, j, tech) {
		return nil, RowNotFound(jobsTable.spec.Name, id)
	}
	return j, nil
}

// technicianID returns the technician the scope acts as, or "".
func (c *call) technicianID() string {
	if c.scope.Actor.Kind == ActorTechnician {
		return c.scope.Actor.ID
	}
	return ""
}

// worksOn reports whether the technician is assigned to the job or has a
// visit on it.
func (c *call) worksOn(t *txn, j *Job, tech string) bool {
	if j.TechnicianID == tech {
		return true
	}
	vs, err := find(t, visitsTable, Query{Where: []Cond{Eq("job_id", j.ID), Eq("technician_id", tech)}, Limit: 1})
	return err == nil && len(vs) > 0
}

func (c *call) listJobs(in *ListJobsInput) (*Page[Job], error) {
	return inTx(c, "list", func(t *txn) (*Page[Job], error) {
		q := Query{OrderBy: "created_at", Desc: true}
		if tech := c.technicianID(); tech != "" {
			if in.TechnicianID != "" && in.TechnicianID != tech {
				return &Page[Job]{Items: []Job{}}, nil
			}
			in.TechnicianID = tech
		}
		if len(in.Status) > 0 {
			vals := make([]string, len(in.Status))
			for i, s := range in.Status {
				vals[i] = string(s)
			}
			q.Where = append(q.Where, In("status", vals...))
		}
		for _, kv := range [][2]string{{"technician_id", in.TechnicianID}, {"customer_id", in.CustomerID},
			{"priority", string(in.Priority)}, {"source", string(in.Source)}, {"external_ref", in.ExternalRef}} {
			if kv[1] != "" {
				q.Where = append(q.Where, Eq(kv[0], kv[1]))
			}
		}
		q = in.PageRequest.apply(q)
		items, err := find(t, jobsTable, q)
		if err != nil {
			return nil, err
		}
		return pageOf(in.PageRequest, q, items, func(j *Job) string { return timeKey(j.CreatedAt) }), nil
	})
}

// mutateJob loads a job the scope may touch, applies fn and stores it.
func (c *call) mutateJob(name, id string, fn func(t *txn, j *Job) error) (*Job, error) {
	return inTx(c, name, func(t *txn) (*Job, error) {
		j, err := c.loadJob(t, id)
		if err != nil {
			return nil, err
		}
		if err := fn(t, j); err != nil {
			return nil, err
		}
		return j, c.saveJob(t, j)
	})
}

// saveJob stores a job (inserting a new one), with its SLA wake-up time
// brought up to date.
func (c *call) saveJob(t *txn, j *Job) error {
	st, err := c.slaStatus(t, j, c.now)
	if err != nil {
		return err
	}
	if !st.WakeAt.IsZero() && !st.WakeAt.Equal(j.SLAWakeAt) {
		t.wakes = append(t.wakes, slaWake(t.org, j.ID, st.WakeAt))
	}
	j.SLAWakeAt = st.WakeAt
	if j.Version == 0 {
		err = insert(t, jobsTable, j)
	} else {
		err = update(t, jobsTable, j)
	}
	if err != nil {
		return err
	}
	for _, follow := range c.e.jobFollowers {
		if err := follow(c, t, j); err != nil {
			return err
		}
	}
	return nil
}

func (c *call) updateJob(in *UpdateJobInput) (*Job, error) {
	return c.mutateJob("update", in.ID, func(t *txn, j *Job) error {
		if j.Status().Terminal() {
			return NewError(CodeIllegalTransition, "job %s is %s: its details are final", j.Number, j.Status())
		}
		set(&j.Title, in.Title)
		set(&j.Description, in.Description)
		set(&j.Category, in.Category)
		set(&j.Trade, in.Trade)
		set(&j.Requirements, in.Requirements)
		set(&j.EstimatedMinutes, in.EstimatedMinutes)
		set(&j.ResolutionNotes, in.ResolutionNotes)
		set(&j.CustomerRating, in.CustomerRating)
		set(&j.Lifecycle.WarrantyEnds, in.WarrantyEnds)
		if in.ArrivalWindow != nil {
			j.ArrivalWindow = in.ArrivalWindow
		}
		if in.Priority != nil && *in.Priority != j.Priority {
			// A new priority brings its SLA policy, unless the clock is
			// already over (a contract's policy is kept).
			j.Priority = *in.Priority
			settings, err := loadSLASettings(t)
			if err != nil {
				return err
			}
			if j.SLA, err = settings.Policies.For(j.Priority, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (c *call) updateJobStatus(in *UpdateJobStatusInput) (*Job, error) {
	return c.mutateJob("update-status", in.ID, func(t *txn, j *Job) error {
		return c.transition(t, j, in.Status, in.ReasonCode, in.Reason)
	})
}

// transition moves j to status to with facts gathered now, and records the
// change: lifecycle, history, events.
func (c *call) transition(t *txn, j *Job, to jobfsm.JobStatus, reasonCode, reason string) error {
	facts, err := c.jobFacts(t, j)
	if err != nil {
		return err
	}
	ch, err := j.Lifecycle.Apply(to, facts, c.request(reasonCode, reason))
	if err != nil {
		return err
	}
	return c.record(t, j, ch)
}

// record stores a transition's change on the job and emits its events.
func (c *call) record(t *txn, j *Job, ch jobfsm.Change) error {
	j.Lifecycle = ch.Job
	j.History = append(j.History, ch.Entry)
	// Inventory (inventory_jobs.go): a cancelled or completed job's parts
	// reservation is released.
	if partsReleased(ch.Job.Status) {
		if err := c.releaseJobParts(t, j); err != nil {
			return err
		}
	}
	return emit(t, j, ch.Events)
}

// jobFacts gathers what jobfsm's guards read, from the store, now.
func (c *call) jobFacts(t *txn, j *Job) (jobfsm.Facts, error) {
	f := jobfsm.Facts{TechnicianAssigned: j.TechnicianID != ""}
	vs, err := find(t, visitsTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
	if err != nil {
		return f, err
	}
	statuses := make([]jobfsm.VisitStatus, len(vs))
	for i, v := range vs {
		statuses[i] = v.State.Status
	}
	f.Visits = jobfsm.CountVisits(statuses)
	for _, cp := range j.Checkpoints {
		if cp.Required && cp.CompletedAt.IsZero() {
			f.OpenCheckpoints++
		}
	}
	for _, add := range c.e.factSources {
		if err := add(t, j, &f); err != nil {
			return f, err
		}
	}
	return f, nil
}

func (c *call) jobOptions(in *JobIDInput) (*JobOptions, error) {
	return inTx(c, "options", func(t *txn) (*JobOptions, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		facts, err := c.jobFacts(t, j)
		if err != nil {
			return nil, err
		}
		return &JobOptions{Status: j.Status(), Options: j.Lifecycle.Options(facts, c.now)}, nil
	})
}

func (c *call) addNote(in *AddNoteInput) (*Job, error) {
	return c.mutateJob("add-note", in.JobID, func(_ *txn, j *Job) error {
		j.Notes = append(j.Notes, Note{ID: c.e.newID(), Body: in.Body, Internal: in.Internal, Author: c.scope.Actor, At: c.now})
		return nil
	})
}

func (c *call) addAttachment(in *AddAttachmentInput) (*Job, error) {
	return c.mutateJob("add-attachment", in.JobID, func(_ *txn, j *Job) error {
		j.Attachments = append(j.Attachments, Attachment{ID: c.e.newID(), FileName: in.FileName, URL: in.URL,
			Size: in.Size, MimeType: in.MimeType, Author: c.scope.Actor, At: c.now})
		return nil
	})
}

func (c *call) addCheckpoint(in *AddCheckpointInput) (*Job, error) {
	return c.mutateJob("add-checkpoint", in.JobID, func(_ *txn, j *Job) error {
		if j.Status().Terminal() {
			return NewError(CodeIllegalTransition, "job %s is %s: no checkpoint can be added", j.Number, j.Status())
		}
		j.Checkpoints = append(j.Checkpoints, Checkpoint{ID: c.e.newID(), Type: in.Type, Name: in.Name, Required: in.Required, Expect: in.Expect})
		return nil
	})
}

func (c *call) completeCheckpoint(in *CompleteCheckpointInput) (*Job, error) {
	return c.mutateJob("complete-checkpoint", in.JobID, func(_ *txn, j *Job) error {
		_, err := c.finishCheckpoint(j, in.CheckpointID, in.Passed, in.Notes)
		return err
	})
}

// finishCheckpoint records a checkpoint of j as done (passed or not) by
// the caller, and returns it. A failed required checkpoint stays open: the
// job cannot complete until it passes.
func (c *call) finishCheckpoint(j *Job, id string, passed *bool, notes string) (*Checkpoint, error) {
	i := slices.IndexFunc(j.Checkpoints, func(cp Checkpoint) bool { return cp.ID == id })
	if i < 0 {
		return nil, fieldError(CodeNotFound, "checkpointId", "not_found", "the job has no such checkpoint")
	}
	cp := &j.Checkpoints[i]
	if !cp.CompletedAt.IsZero() {
		return nil, NewError(CodeIllegalTransition, "checkpoint %q is already done", cp.Name)
	}
	if passed != nil && !*passed && cp.Required {
		cp.Notes, cp.Passed = notes, passed
		return cp, nil
	}
	cp.CompletedAt, cp.CompletedBy, cp.Passed, cp.Notes = c.now, c.scope.Actor.ID, passed, notes
	return cp, nil
}

func (c *call) addVisit(in *AddVisitInput) (*Visit, error) {
	return inTx(c, "add-visit", func(t *txn) (*Visit, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		return c.bookVisit(t, j, Window{Start: in.ScheduledStart, End: in.ScheduledEnd}, in.Notes)
	})
}

// bookVisit books a visit to the job, with no technician yet (dispatch
// assigns one), and stores the job following its visits.
func (c *call) bookVisit(t *txn, j *Job, w Window, notes string) (*Visit, error) {
	vs, err := find(t, visitsTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
	if err != nil {
		return nil, err
	}
	v := &Visit{
		Meta: Meta{ID: c.e.newID()}, JobID: j.ID, Number: len(vs) + 1,
		ScheduledStart: w.Start, ScheduledEnd: w.End, Notes: notes,
		State: jobfsm.Visit{Status: jobfsm.VisitScheduled},
	}
	v.History = []jobfsm.Entry[jobfsm.VisitStatus]{{To: jobfsm.VisitScheduled, Action: jobfsm.ActionSchedule,
		Actor: c.request("", "").Actor, At: c.now}}
	if err := insert(t, visitsTable, v); err != nil {
		return nil, err
	}
	if err := c.followVisits(t, j); err != nil {
		return nil, err
	}
	return v, c.saveJob(t, j)
}

// followVisits moves the job along the path its visits call for (jobfsm's
// FollowVisits), each step through the table and its guards.
func (c *call) followVisits(t *txn, j *Job) error {
	facts, err := c.jobFacts(t, j)
	if err != nil {
		return err
	}
	for _, to := range jobfsm.FollowVisits(j.Status(), facts.Visits).Path {
		ch, err := j.Lifecycle.Apply(to, facts, c.request("", "the job follows its visits"))
		if err != nil {
			return err
		}
		if err := c.record(t, j, ch); err != nil {
			return err
		}
	}
	return nil
}

func (c *call) updateVisitStatus(in *UpdateVisitStatusInput) (*Visit, error) {
	return inTx(c, "update-visit-status", func(t *txn) (*Visit, error) {
		v, err := load(t, visitsTable, in.VisitID)
		if err != nil {
			return nil, err
		}
		if tech := c.technicianID(); tech != "" && v.TechnicianID != tech {
			return nil, RowNotFound(visitsTable.spec.Name, in.VisitID)
		}
		ch, err := v.State.Apply(in.Status, c.request(in.ReasonCode, in.Reason))
		if err != nil {
			return nil, err
		}
		v.State = ch.Visit
		v.History = append(v.History, ch.Entry)
		set(&v.WorkPerformed, nonEmpty(in.WorkPerformed))
		if err := update(t, visitsTable, v); err != nil {
			return nil, err
		}
		j, err := load(t, jobsTable, v.JobID)
		if err != nil {
			return nil, err
		}
		if err := c.followVisits(t, j); err != nil {
			return nil, err
		}
		return v, c.saveJob(t, j)
	})
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (c *call) listVisits(in *JobIDInput) (*[]Visit, error) {
	return inTx(c, "list-visits", func(t *txn) (*[]Visit, error) {
		if _, err := c.loadJob(t, in.JobID); err != nil {
			return nil, err
		}
		vs, err := find(t, visitsTable, Query{Where: []Cond{Eq("job_id", in.JobID)}})
		if err != nil {
			return nil, err
		}
		out := make([]Visit, len(vs))
		for i, v := range vs {
			out[i] = *v
		}
		slices.SortFunc(out, func(a, b Visit) int { return a.Number - b.Number })
		return &out, nil
	})
}

// reasonCodePattern is the form of a reason code: NO_ACCESS.
var reasonCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// positiveDecimal validates a decimal string greater than zero.
func positiveDecimal(v any) error {
	s, _ := v.(string)
	d, err := decimal.NewFromString(s)
	if err != nil {
		return validation.NewError("validation_decimal", "must be a decimal number such as 2.5")
	}
	if !d.IsPositive() {
		return validation.NewError("validation_positive", "must be greater than zero")
	}
	return nil
}

// fieldError is an error of code naming one input field.
func fieldError(code Code, field, fieldCode, msg string) *Error {
	e := NewError(code, "%s", msg)
	e.FieldErrors = []FieldError{{Field: field, Code: fieldCode, Message: msg}}
	return e
}

// fieldNotFound names the input field whose reference was not found. A nil
// err stays nil.
func fieldNotFound(err error, field string) error {
	if err == nil {
		return nil
	}
	if e := AsError(err); e.Code == CodeNotFound {
		return fieldError(CodeNotFound, field, "not_found", strings.TrimSuffix(e.Message, ".")+" (from "+field+")")
	}
	return err
}
