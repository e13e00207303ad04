package contractorops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"
)

// Assistant helps technicians in the field: it verifies a checklist step
// from the evidence they give (assistant/v1/verifyStep) and drafts a job
// note from the visit's facts (assistant/v1/draftNote).
//
// The bundled [RuleAssistant] is deterministic. A host puts a model behind
// it by setting [Config].Assistant: each call is a recorded step, so a
// durable replay never asks the model twice, and what it answered is what
// the command acted on.
type Assistant interface {
	// VerifyStep says whether the evidence shows the step done as it asks.
	VerifyStep(ctx context.Context, ev StepEvidence) (StepVerdict, error)
	// DraftNote writes a note summing up the job for the record.
	DraftNote(ctx context.Context, nc NoteContext) (string, error)
}

// StepExpectation is the evidence a checklist step asks for.
type StepExpectation struct {
	// NotesRequired asks for the technician's notes.
	NotesRequired bool `json:"notesRequired,omitempty"`
	// MinPhotos is how many image attachments the step needs.
	MinPhotos int `json:"minPhotos,omitempty"`
	// Readings are the measurements the step takes, with their bounds.
	Readings []ReadingSpec `json:"readings,omitempty"`
}

// Validate checks the expectation.
func (x StepExpectation) Validate() error {
	return validation.ValidateStruct(&x,
		validation.Field(&x.MinPhotos, validation.Min(0), validation.Max(50)),
		validation.Field(&x.Readings, validation.Length(0, 50), validation.By(func(any) error {
			names := make([]string, len(x.Readings))
			for i, r := range x.Readings {
				names[i] = strings.ToLower(r.Name)
			}
			return distinct[string](names)
		})),
	)
}

// ReadingSpec is a measurement a step takes: its name, its unit, and the
// bounds it must fall within (inclusive; either may be absent).
type ReadingSpec struct {
	Name     string           `json:"name"`
	Unit     string           `json:"unit,omitempty"`
	Min      *decimal.Decimal `json:"min,omitempty"`
	Max      *decimal.Decimal `json:"max,omitempty"`
	Optional bool             `json:"optional,omitempty"`
}

// Validate checks the specification.
func (r ReadingSpec) Validate() error {
	return validation.ValidateStruct(&r,
		validation.Field(&r.Name, validation.Required, validation.Length(1, 100)),
		validation.Field(&r.Unit, validation.Length(0, 20)),
		validation.Field(&r.Max, validation.By(func(any) error {
			if r.Min != nil && r.Max != nil && r.Max.LessThan(*r.Min) {
				return validation.NewError("validation_bounds", "must not be below min")
			}
			return nil
		})),
	)
}

// Reading is a measurement the technician took (exact decimal, sent as a
// string or a number).
type Reading struct {
	Name  string          `json:"name"`
	Value decimal.Decimal `json:"value"`
	Unit  string          `json:"unit,omitempty"`
}

// Validate checks the reading.
func (r Reading) Validate() error {
	return validation.ValidateStruct(&r,
		validation.Field(&r.Name, validation.Required, validation.Length(1, 100)),
		validation.Field(&r.Unit, validation.Length(0, 20)),
	)
}

// StepEvidence is what a step is verified from: the job, the step with
// what it expects, and what the technician reports.
type StepEvidence struct {
	JobID      string     `json:"jobId"`
	JobNumber  string     `json:"jobNumber"`
	JobTitle   string     `json:"jobTitle"`
	Trade      string     `json:"trade,omitempty"`
	Checkpoint Checkpoint `json:"checkpoint"`
	Notes      string     `json:"notes,omitempty"`
	Readings   []Reading  `json:"readings,omitempty"`
	// Photos are the metadata of the job's attachments the technician
	// offers as evidence.
	Photos []Attachment `json:"photos,omitempty"`
}

// StepFinding is one thing the evidence lacks or gets wrong.
type StepFinding struct {
	// Code is NOTES_MISSING, PHOTOS_MISSING, NOT_AN_IMAGE,
	// READING_MISSING, READING_UNIT or READING_OUT_OF_BOUNDS for the
	// bundled assistant.
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// StepVerdict is the assistant's answer on a step.
type StepVerdict struct {
	Verified bool          `json:"verified"`
	Findings []StepFinding `json:"findings"`
	Summary  string        `json:"summary"`
	// By names the assistant (its Go type).
	By string `json:"by"`
}

// NoteContext is what a job note is drafted from: the job with its
// checkpoints and notes, its visits, and the organization's time zone.
type NoteContext struct {
	Job      Job     `json:"job"`
	Visits   []Visit `json:"visits"`
	TimeZone string  `json:"timeZone"`
}

// RuleAssistant is the bundled [Assistant]. It is deterministic: a step is
// verified when the notes are there if asked for, enough attachments are
// images, and every required reading is given, in the declared unit, within
// the declared bounds; a note lists the job's visits, checkpoints and
// resolution in plain sentences.
type RuleAssistant struct{}

// VerifyStep implements [Assistant].
func (RuleAssistant) VerifyStep(_ context.Context, ev StepEvidence) (StepVerdict, error) {
	v := StepVerdict{Findings: []StepFinding{}}
	x := ev.Checkpoint.Expect
	if x == nil {
		x = &StepExpectation{}
	}
	if x.NotesRequired && strings.TrimSpace(ev.Notes) == "" {
		v.Findings = append(v.Findings, StepFinding{Code: "NOTES_MISSING", Field: "notes", Message: "the step asks for notes"})
	}
	images := 0
	for i, p := range ev.Photos {
		if strings.HasPrefix(strings.ToLower(p.MimeType), "image/") {
			images++
		} else if x.MinPhotos > 0 {
			v.Findings = append(v.Findings, StepFinding{Code: "NOT_AN_IMAGE", Field: fmt.Sprintf("attachmentIds.%d", i),
				Message: fmt.Sprintf("%s is %s, not an image", p.FileName, p.MimeType)})
		}
	}
	if images < x.MinPhotos {
		v.Findings = append(v.Findings, StepFinding{Code: "PHOTOS_MISSING", Field: "attachmentIds",
			Message: fmt.Sprintf("the step asks for %d photo(s); %d given", x.MinPhotos, images)})
	}
	for _, spec := range x.Readings {
		i := slices.IndexFunc(ev.Readings, func(r Reading) bool { return strings.EqualFold(r.Name, spec.Name) })
		if i < 0 {
			if !spec.Optional {
				v.Findings = append(v.Findings, StepFinding{Code: "READING_MISSING", Field: "readings",
					Message: fmt.Sprintf("reading %q is missing", spec.Name)})
			}
			continue
		}
		r := ev.Readings[i]
		field := fmt.Sprintf("readings.%d", i)
		if spec.Unit != "" && r.Unit != "" && !strings.EqualFold(spec.Unit, r.Unit) {
			v.Findings = append(v.Findings, StepFinding{Code: "READING_UNIT", Field: field + ".unit",
				Message: fmt.Sprintf("reading %q is in %s; the step takes it in %s", spec.Name, r.Unit, spec.Unit)})
			continue
		}
		if spec.Min != nil && r.Value.LessThan(*spec.Min) || spec.Max != nil && r.Value.GreaterThan(*spec.Max) {
			v.Findings = append(v.Findings, StepFinding{Code: "READING_OUT_OF_BOUNDS", Field: field + ".value",
				Message: fmt.Sprintf("reading %q is %s%s, outside %s", spec.Name, r.Value.String(), unitSuffix(spec.Unit), bounds(spec))})
		}
	}
	v.Verified = len(v.Findings) == 0
	if v.Verified {
		v.Summary = fmt.Sprintf("%q is verified", ev.Checkpoint.Name)
		if len(ev.Readings) > 0 {
			parts := make([]string, len(ev.Readings))
			for i, r := range ev.Readings {
				parts[i] = r.Name + " " + r.Value.String() + unitSuffix(r.Unit)
			}
			v.Summary += ": " + strings.Join(parts, ", ")
		}
	} else {
		msgs := make([]string, len(v.Findings))
		for i, f := range v.Findings {
			msgs[i] = f.Message
		}
		v.Summary = fmt.Sprintf("%q is not verified: %s", ev.Checkpoint.Name, strings.Join(msgs, "; "))
	}
	return v, nil
}

func unitSuffix(u string) string {
	if u == "" {
		return ""
	}
	return " " + u
}

// bounds writes a reading's bounds: "[2, 5] psi", "≥ 2 psi".
func bounds(s ReadingSpec) string {
	switch {
	case s.Min != nil && s.Max != nil:
		return "[" + s.Min.String() + ", " + s.Max.String() + "]" + unitSuffix(s.Unit)
	case s.Min != nil:
		return "≥ " + s.Min.String() + unitSuffix(s.Unit)
	case s.Max != nil:
		return "≤ " + s.Max.String() + unitSuffix(s.Unit)
	}
	return "no bounds"
}

// DraftNote implements [Assistant].
func (RuleAssistant) DraftNote(_ context.Context, nc NoteContext) (string, error) {
	loc, err := time.LoadLocation(nc.TimeZone)
	if err != nil || nc.TimeZone == "" {
		loc = time.UTC
	}
	clock := func(t time.Time) string { return t.In(loc).Format("15:04") }
	j := nc.Job
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", j.Number, j.Title)
	if j.Trade != "" {
		fmt.Fprintf(&b, " (%s)", j.Trade)
	}
	fmt.Fprintf(&b, ": %s.", strings.ToLower(strings.ReplaceAll(string(j.Status()), "_", " ")))
	visits := slices.Clone(nc.Visits)
	slices.SortFunc(visits, func(a, b Visit) int { return a.Number - b.Number })
	for _, v := range visits {
		st := v.State.Stamps
		fmt.Fprintf(&b, "\nVisit %d on %s: %s", v.Number, v.ScheduledStart.In(loc).Format(time.DateOnly),
			strings.ToLower(strings.ReplaceAll(string(v.State.Status), "_", " ")))
		if !st.ArrivedAt.IsZero() {
			fmt.Fprintf(&b, ", arrived %s", clock(st.ArrivedAt))
		}
		if !st.CompletedAt.IsZero() {
			fmt.Fprintf(&b, ", finished %s", clock(st.CompletedAt))
			if !st.ArrivedAt.IsZero() && st.CompletedAt.After(st.ArrivedAt) {
				fmt.Fprintf(&b, " (%d min on site)", int(st.CompletedAt.Sub(st.ArrivedAt).Round(time.Minute)/time.Minute))
			}
		}
		b.WriteString(".")
		if v.WorkPerformed != "" {
			fmt.Fprintf(&b, " Work performed: %s.", strings.TrimSuffix(v.WorkPerformed, "."))
		}
	}
	if len(j.Checkpoints) > 0 {
		done := 0
		var lines []string
		for _, cp := range j.Checkpoints {
			state := "open"
			switch {
			case !cp.CompletedAt.IsZero() && cp.Passed != nil && !*cp.Passed:
				state, done = "done, not passed", done+1
			case !cp.CompletedAt.IsZero():
				state, done = "done", done+1
			case cp.Passed != nil && !*cp.Passed:
				state = "failed, open"
			}
			line := cp.Name + ": " + state
			if cp.Verification != nil && cp.Verification.Summary != "" {
				line += " — " + cp.Verification.Summary
			} else if cp.Notes != "" {
				line += " — " + cp.Notes
			}
			lines = append(lines, line)
		}
		fmt.Fprintf(&b, "\nCheckpoints %d of %d done:", done, len(j.Checkpoints))
		for _, l := range lines {
			b.WriteString("\n- " + l)
		}
	}
	if j.ResolutionNotes != "" {
		fmt.Fprintf(&b, "\nResolution: %s", j.ResolutionNotes)
	}
	return b.String(), nil
}

// VerifyStepInput asks the assistant to verify a checkpoint of a job from
// the technician's evidence; with Complete, a verified step completes the
// checkpoint (as job/v1/completeCheckpoint would, passed).
type VerifyStepInput struct {
	JobID         string    `json:"jobId"`
	CheckpointID  string    `json:"checkpointId"`
	Notes         string    `json:"notes,omitempty"`
	Readings      []Reading `json:"readings,omitempty"`
	AttachmentIDs []string  `json:"attachmentIds,omitempty"`
	Complete      bool      `json:"complete,omitempty"`
}

// Validate checks the input.
func (in VerifyStepInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.CheckpointID, validation.Required),
		validation.Field(&in.Notes, validation.Length(0, 2000)),
		validation.Field(&in.Readings, validation.Length(0, 50)),
		validation.Field(&in.AttachmentIDs, validation.Length(0, 50), validation.By(distinct[string])),
	)
}

// StepVerification is the verdict on a step and whether it completed the
// checkpoint.
type StepVerification struct {
	Verdict   StepVerdict `json:"verdict"`
	Completed bool        `json:"completed"`
	// Job is the job after the checkpoint completed.
	Job *Job `json:"job,omitempty"`
}

// DraftNoteInput asks the assistant for a job note; with Save, the draft
// is added to the job's notes (as job/v1/addNote would).
type DraftNoteInput struct {
	JobID    string `json:"jobId"`
	Save     bool   `json:"save,omitempty"`
	Internal bool   `json:"internal,omitempty"`
}

// Validate checks the input.
func (in DraftNoteInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.JobID, validation.Required))
}

// NoteDraft is the assistant's draft, and the note when it was saved.
type NoteDraft struct {
	Draft string `json:"draft"`
	Note  *Note  `json:"note,omitempty"`
}

// AssistantService is the technician assistant's API.
type AssistantService struct {
	verifyStep proc[VerifyStepInput, StepVerification]
	draftNote  proc[DraftNoteInput, NoteDraft]
}

// VerifyStep asks the assistant whether the evidence shows a checkpoint
// done, and completes it when verified and asked to.
func (s *AssistantService) VerifyStep(ctx context.Context, scope Scope, key string, in VerifyStepInput) (*StepVerification, error) {
	return s.verifyStep.do(ctx, scope, key, in)
}

// DraftNote asks the assistant for a job note, and saves it when asked to.
func (s *AssistantService) DraftNote(ctx context.Context, scope Scope, key string, in DraftNoteInput) (*NoteDraft, error) {
	return s.draftNote.do(ctx, scope, key, in)
}

func (e *Engine) registerAssistant() {
	// The technician on their own job (loadJob hides the others), the
	// office, and agents.
	roles := with(rolesOffice(), RoleTechnician, RoleAgent)
	e.Assistant = &AssistantService{
		verifyStep: mutation(e, "assistant/v1/verifyStep", "Ask the assistant to verify a checklist step from notes, readings and photos; a verified step may complete the checkpoint.",
			roles, (*call).verifyStep),
		draftNote: mutation(e, "assistant/v1/draftNote", "Ask the assistant to draft a job note from the visit's facts, and optionally save it.",
			roles, (*call).draftNote),
	}
}

func (c *call) verifyStep(in *VerifyStepInput) (*StepVerification, error) {
	ev, err := inTx(c, "evidence", func(t *txn) (*StepEvidence, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, fieldNotFound(err, "jobId")
		}
		i := slices.IndexFunc(j.Checkpoints, func(cp Checkpoint) bool { return cp.ID == in.CheckpointID })
		if i < 0 {
			return nil, fieldError(CodeNotFound, "checkpointId", "not_found", "the job has no such checkpoint")
		}
		ev := &StepEvidence{JobID: j.ID, JobNumber: j.Number, JobTitle: j.Title, Trade: j.Trade, Checkpoint: j.Checkpoints[i],
			Notes: in.Notes, Readings: in.Readings}
		for k, id := range in.AttachmentIDs {
			a := slices.IndexFunc(j.Attachments, func(a Attachment) bool { return a.ID == id })
			if a < 0 {
				return nil, fieldError(CodeNotFound, fmt.Sprintf("attachmentIds.%d", k), "not_found", "the job has no attachment "+id)
			}
			ev.Photos = append(ev.Photos, j.Attachments[a])
		}
		return ev, nil
	})
	if err != nil {
		return nil, err
	}
	verdict, err := inStep(c, "verify", func(ctx context.Context) (StepVerdict, error) {
		v, err := c.e.cfg.Assistant.VerifyStep(ctx, *ev)
		v.By = fmt.Sprintf("%T", c.e.cfg.Assistant)
		if v.Findings == nil {
			v.Findings = []StepFinding{}
		}
		return v, err
	})
	if err != nil {
		return nil, err
	}
	out := &StepVerification{Verdict: verdict}
	if !verdict.Verified || !in.Complete {
		return out, nil
	}
	passed := true
	j, err := c.mutateJob("complete-checkpoint", in.JobID, func(_ *txn, j *Job) error {
		cp, err := c.finishCheckpoint(j, in.CheckpointID, &passed, in.Notes)
		if err != nil {
			return err
		}
		cp.Verification = &verdict
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Completed, out.Job = true, j
	return out, nil
}

func (c *call) draftNote(in *DraftNoteInput) (*NoteDraft, error) {
	nc, err := inTx(c, "note-context", func(t *txn) (*NoteContext, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, fieldNotFound(err, "jobId")
		}
		vs, err := find(t, visitsTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
		if err != nil {
			return nil, err
		}
		nc := &NoteContext{Job: *j, Visits: make([]Visit, len(vs)), TimeZone: c.orgTimeZone(t)}
		for i, v := range vs {
			nc.Visits[i] = *v
		}
		return nc, nil
	})
	if err != nil {
		return nil, err
	}
	draft, err := inStep(c, "draft", func(ctx context.Context) (string, error) { return c.e.cfg.Assistant.DraftNote(ctx, *nc) })
	if err != nil {
		return nil, err
	}
	out := &NoteDraft{Draft: draft}
	if !in.Save || strings.TrimSpace(draft) == "" {
		return out, nil
	}
	j, err := c.mutateJob("add-note", in.JobID, func(_ *txn, j *Job) error {
		j.Notes = append(j.Notes, Note{ID: derivedID(c.inv.WorkflowID, "note"), Body: draft, Internal: in.Internal, Author: c.scope.Actor, At: c.now})
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Note = &j.Notes[len(j.Notes)-1]
	return out, nil
}
