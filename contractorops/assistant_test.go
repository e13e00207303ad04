package contractorops_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/jobfsm"
)

func TestRuleAssistantVerifyStep(t *testing.T) {
	lo, hi := decimal.RequireFromString("5"), decimal.RequireFromString("15")
	step := contractorops.Checkpoint{Name: "Superheat", Expect: &contractorops.StepExpectation{NotesRequired: true, MinPhotos: 1,
		Readings: []contractorops.ReadingSpec{{Name: "superheat", Unit: "°F", Min: &lo, Max: &hi}, {Name: "amps", Optional: true}}}}
	photo := contractorops.Attachment{FileName: "gauge.jpg", MimeType: "image/jpeg"}
	pdf := contractorops.Attachment{FileName: "bill.pdf", MimeType: "application/pdf"}
	reading := func(v, unit string) []contractorops.Reading {
		return []contractorops.Reading{{Name: "Superheat", Value: decimal.RequireFromString(v), Unit: unit}}
	}
	tests := []struct {
		name string
		ev   contractorops.StepEvidence
		want []string
	}{
		{"all there", contractorops.StepEvidence{Notes: "ok", Readings: reading("11", "°F"), Photos: []contractorops.Attachment{photo}}, nil},
		{"bounds are inclusive", contractorops.StepEvidence{Notes: "ok", Readings: reading("15", ""), Photos: []contractorops.Attachment{photo}}, nil},
		{"below the minimum", contractorops.StepEvidence{Notes: "ok", Readings: reading("4.99", "°F"), Photos: []contractorops.Attachment{photo}}, []string{"READING_OUT_OF_BOUNDS"}},
		{"above the maximum", contractorops.StepEvidence{Notes: "ok", Readings: reading("15.01", "°F"), Photos: []contractorops.Attachment{photo}}, []string{"READING_OUT_OF_BOUNDS"}},
		{"another unit", contractorops.StepEvidence{Notes: "ok", Readings: reading("11", "°C"), Photos: []contractorops.Attachment{photo}}, []string{"READING_UNIT"}},
		{"nothing", contractorops.StepEvidence{}, []string{"NOTES_MISSING", "PHOTOS_MISSING", "READING_MISSING"}},
		{"a document is no photo", contractorops.StepEvidence{Notes: "ok", Readings: reading("11", "°F"), Photos: []contractorops.Attachment{pdf}}, []string{"NOT_AN_IMAGE", "PHOTOS_MISSING"}},
		{"blank notes", contractorops.StepEvidence{Notes: "  ", Readings: reading("11", "°F"), Photos: []contractorops.Attachment{photo}}, []string{"NOTES_MISSING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ev.Checkpoint = step
			v, err := contractorops.RuleAssistant{}.VerifyStep(context.Background(), tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range v.Findings {
				got = append(got, f.Code)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || v.Verified != (len(tt.want) == 0) {
				t.Errorf("findings (-want +got):\n%s verified %v: %s", diff, v.Verified, v.Summary)
			}
		})
	}
	// A step that declares nothing is verified by any evidence.
	if v, _ := (contractorops.RuleAssistant{}).VerifyStep(context.Background(), contractorops.StepEvidence{Checkpoint: contractorops.Checkpoint{Name: "Look"}}); !v.Verified {
		t.Errorf("bare step: %+v", v)
	}
}

func TestStepExpectationValidate(t *testing.T) {
	lo, hi := decimal.RequireFromString("5"), decimal.RequireFromString("1")
	in := contractorops.AddCheckpointInput{JobID: "j", Type: contractorops.CheckpointSafetyCheck, Name: "Gas", Expect: &contractorops.StepExpectation{
		MinPhotos: -1, Readings: []contractorops.ReadingSpec{{Name: "co", Min: &lo, Max: &hi}, {Name: ""}}}}
	got := fields(t, contractorops.Validate(in))
	want := []string{"expect.minPhotos", "expect.readings.0.max", "expect.readings.1.name"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	dup := contractorops.StepExpectation{Readings: []contractorops.ReadingSpec{{Name: "CO"}, {Name: "co"}}}
	if got := fields(t, contractorops.Validate(contractorops.AddCheckpointInput{JobID: "j", Type: contractorops.CheckpointOther, Name: "x", Expect: &dup})); !cmp.Equal(got, []string{"expect.readings"}) {
		t.Errorf("duplicate readings: %v", got)
	}
	if got := fields(t, contractorops.Validate(contractorops.VerifyStepInput{AttachmentIDs: []string{"a", "a"}})); !cmp.Equal(got, []string{"attachmentIds", "checkpointId", "jobId"}) {
		t.Errorf("verify input: %v", got)
	}
}

func TestAssistant(t *testing.T) { eachStore(t, testAssistant) }

func testAssistant(t *testing.T, f *fixture) {
	ctx := context.Background()
	maria, sam := f.crew(t)
	j := f.approvedJob(t, "j", contractorops.CreateJobInput{Title: "No cooling", Trade: "HVAC", Priority: jobfsm.PriorityLow, Location: ptr(at(37.55, -77.45)), EstimatedMinutes: 60})
	must(f.eng.Dispatch.AssignTech(ctx, f.owner, "a", contractorops.AssignTechInput{JobID: j.ID, TechnicianID: maria.ID, Start: wednesday(10, 0)}))(t)
	lo, hi := decimal.RequireFromString("5"), decimal.RequireFromString("15")
	j = must(f.eng.Jobs.AddCheckpoint(ctx, f.owner, "cp", contractorops.AddCheckpointInput{JobID: j.ID, Type: contractorops.CheckpointQAInspection,
		Name: "Superheat within range", Required: true, Expect: &contractorops.StepExpectation{NotesRequired: true, MinPhotos: 1,
			Readings: []contractorops.ReadingSpec{{Name: "superheat", Unit: "°F", Min: &lo, Max: &hi}}}}))(t)
	cp := j.Checkpoints[0]
	tech := f.technicianScope(maria.ID)
	j = must(f.eng.Jobs.AddAttachment(ctx, tech, "photo", contractorops.AddAttachmentInput{JobID: j.ID, FileName: "gauge.jpg", URL: "https://files.example/gauge.jpg", Size: 1000, MimeType: "image/jpeg"}))(t)
	j = must(f.eng.Jobs.AddAttachment(ctx, tech, "pdf", contractorops.AddAttachmentInput{JobID: j.ID, FileName: "bill.pdf", URL: "https://files.example/bill.pdf", Size: 1000, MimeType: "application/pdf"}))(t)
	photo, pdf := j.Attachments[0].ID, j.Attachments[1].ID
	superheat := func(v string) []contractorops.Reading {
		return []contractorops.Reading{{Name: "superheat", Value: decimal.RequireFromString(v), Unit: "°F"}}
	}

	// Out of bounds, no notes, no photo: not verified, nothing completed.
	v := must(f.eng.Assistant.VerifyStep(ctx, tech, "v1", contractorops.VerifyStepInput{JobID: j.ID, CheckpointID: cp.ID,
		Readings: superheat("22"), AttachmentIDs: []string{pdf}, Complete: true}))(t)
	var codes []string
	for _, fd := range v.Verdict.Findings {
		codes = append(codes, fd.Code)
	}
	if v.Verdict.Verified || v.Completed || !cmp.Equal(codes, []string{"NOTES_MISSING", "NOT_AN_IMAGE", "PHOTOS_MISSING", "READING_OUT_OF_BOUNDS"}) ||
		v.Verdict.By != "contractorops.RuleAssistant" {
		t.Fatalf("verdict = %+v", v)
	}
	if got := must(f.eng.Jobs.Get(ctx, f.owner, j.ID))(t); !got.Checkpoints[0].CompletedAt.IsZero() {
		t.Fatal("an unverified step completed the checkpoint")
	}
	// Sam is not on the job; an unknown attachment is named.
	_, err := f.eng.Assistant.VerifyStep(ctx, f.technicianScope(sam.ID), "v-sam", contractorops.VerifyStepInput{JobID: j.ID, CheckpointID: cp.ID})
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = f.eng.Assistant.VerifyStep(ctx, tech, "v-bad", contractorops.VerifyStepInput{JobID: j.ID, CheckpointID: cp.ID, AttachmentIDs: []string{photo, "nope"}})
	if e := wantCode(t, err, contractorops.CodeNotFound); len(e.FieldErrors) != 1 || e.FieldErrors[0].Field != "attachmentIds.1" {
		t.Errorf("unknown attachment: %+v", e.FieldErrors)
	}

	// Verified: the checkpoint completes through the checkpoint rule.
	v = must(f.eng.Assistant.VerifyStep(ctx, tech, "v2", contractorops.VerifyStepInput{JobID: j.ID, CheckpointID: cp.ID,
		Notes: "Charged to spec", Readings: superheat("11"), AttachmentIDs: []string{photo}, Complete: true}))(t)
	if !v.Verdict.Verified || !v.Completed || v.Job == nil {
		t.Fatalf("verdict = %+v", v)
	}
	done := v.Job.Checkpoints[0]
	if done.CompletedAt.IsZero() || done.CompletedBy != maria.ID || done.Passed == nil || !*done.Passed || done.Notes != "Charged to spec" ||
		done.Verification == nil || done.Verification.Summary != `"Superheat within range" is verified: superheat 11 °F` {
		t.Fatalf("checkpoint = %+v", done)
	}
	if a := f.lastAudit(t, "jobs", j.ID); a.Actor != tech.Actor || a.Procedure != "assistant/v1/verifyStep" {
		t.Errorf("audit = %+v", a)
	}
	_, err = f.eng.Assistant.VerifyStep(ctx, tech, "v3", contractorops.VerifyStepInput{JobID: j.ID, CheckpointID: cp.ID,
		Notes: "again", Readings: superheat("11"), AttachmentIDs: []string{photo}, Complete: true})
	wantCode(t, err, contractorops.CodeIllegalTransition)

	// An agent drafts the job's note from its facts and saves it.
	agent := contractorops.AgentScope(f.org, "assistant-agent")
	d := must(f.eng.Assistant.DraftNote(ctx, agent, "n1", contractorops.DraftNoteInput{JobID: j.ID, Save: true, Internal: true}))(t)
	for _, want := range []string{j.Number + " No cooling (HVAC): scheduled.", "Visit 1 on 2026-11-25: scheduled.", "Checkpoints 1 of 1 done:",
		`- Superheat within range: done — "Superheat within range" is verified: superheat 11 °F`} {
		if !strings.Contains(d.Draft, want) {
			t.Errorf("draft lacks %q:\n%s", want, d.Draft)
		}
	}
	if d.Note == nil || d.Note.Author != agent.Actor || !d.Note.Internal || d.Note.Body != d.Draft {
		t.Fatalf("note = %+v", d.Note)
	}
	if a := f.lastAudit(t, "jobs", j.ID); a.Actor != agent.Actor || a.Role != contractorops.RoleAgent || a.Procedure != "assistant/v1/draftNote" {
		t.Errorf("audit = %+v", a)
	}
	again := must(f.eng.Assistant.DraftNote(ctx, agent, "n1", contractorops.DraftNoteInput{JobID: j.ID, Save: true, Internal: true}))(t)
	if again.Note.ID != d.Note.ID || len(must(f.eng.Jobs.Get(ctx, f.owner, j.ID))(t).Notes) != 1 {
		t.Fatal("a replay saved the note twice")
	}
	// A draft without saving changes nothing.
	seq := f.lastChange(t)
	if d := must(f.eng.Assistant.DraftNote(ctx, tech, "n2", contractorops.DraftNoteInput{JobID: j.ID}))(t); d.Note != nil || f.lastChange(t) != seq {
		t.Fatalf("unsaved draft wrote: %+v", d)
	}
	// Finance has no business with the assistant.
	_, err = f.eng.Assistant.DraftNote(ctx, f.scope(contractorops.RoleFinance), "n3", contractorops.DraftNoteInput{JobID: j.ID})
	wantCode(t, err, contractorops.CodeForbidden)
}

// countingAssistant is a host's assistant: the rules, counting calls.
type countingAssistant struct {
	contractorops.RuleAssistant
	verify, draft *atomic.Int32
}

func (a countingAssistant) VerifyStep(ctx context.Context, ev contractorops.StepEvidence) (contractorops.StepVerdict, error) {
	a.verify.Add(1)
	return a.RuleAssistant.VerifyStep(ctx, ev)
}

func (a countingAssistant) DraftNote(ctx context.Context, nc contractorops.NoteContext) (string, error) {
	a.draft.Add(1)
	return "From the host's model: " + nc.Job.Number, nil
}

// TestAssistantIsConfigurable plugs a host's assistant in: its answers are
// what the commands act on, and a replay does not ask it again.
func TestAssistantIsConfigurable(t *testing.T) {
	ctx := context.Background()
	a := countingAssistant{verify: new(atomic.Int32), draft: new(atomic.Int32)}
	clock := &testClock{now: wednesday(9, 0)}
	eng, err := contractorops.New(memstore.New(), &contractorops.Config{Clock: clock.Now, Assistant: a})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, eng, clock, nil, "h")
	j := must(eng.Jobs.Create(ctx, f.owner, "j", contractorops.CreateJobInput{Title: "Leak", Priority: jobfsm.PriorityLow}))(t)
	j = must(eng.Jobs.AddCheckpoint(ctx, f.owner, "cp", contractorops.AddCheckpointInput{JobID: j.ID, Type: contractorops.CheckpointOther, Name: "Look"}))(t)
	for range 2 {
		v := must(eng.Assistant.VerifyStep(ctx, f.owner, "v", contractorops.VerifyStepInput{JobID: j.ID, CheckpointID: j.Checkpoints[0].ID, Complete: true}))(t)
		if !v.Completed || v.Verdict.By != "contractorops_test.countingAssistant" {
			t.Fatalf("verdict = %+v", v)
		}
		d := must(eng.Assistant.DraftNote(ctx, f.owner, "d", contractorops.DraftNoteInput{JobID: j.ID, Save: true}))(t)
		if d.Draft != "From the host's model: "+j.Number {
			t.Fatalf("draft = %q", d.Draft)
		}
	}
	if a.verify.Load() != 1 || a.draft.Load() != 1 {
		t.Fatalf("asked %d/%d times, want once each", a.verify.Load(), a.draft.Load())
	}
}
