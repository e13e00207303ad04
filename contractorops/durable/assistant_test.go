package durable_test

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// countingAssistant stands for a model behind the assistant: it counts
// how often it is asked.
type countingAssistant struct {
	contractorops.RuleAssistant
	drafts *atomic.Int32
}

func (a countingAssistant) DraftNote(ctx context.Context, nc contractorops.NoteContext) (string, error) {
	a.drafts.Add(1)
	return a.RuleAssistant.DraftNote(ctx, nc)
}

// TestAssistantCallIsARecordedStep replays an assistant/v1/draftNote
// workflow with DBOS's fork: from the step after the model's call, the
// replay returns the recorded draft and never asks the model again; from
// the model's call itself (the control), it asks once more.
func TestAssistantCallIsARecordedStep(t *testing.T) {
	db := pgtest.Fresh(t)
	ctx := context.Background()
	if err := durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, ""); err != nil {
		t.Fatal(err)
	}
	store, err := pgstore.Connect(ctx, db.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	r, err := durable.New(ctx, store, &durable.Config{SystemDatabaseURL: db.OwnerURL, ExecutorID: "assistant-test", Logger: logger, DisableSchedules: true})
	if err != nil {
		t.Fatal(err)
	}
	a := countingAssistant{drafts: new(atomic.Int32)}
	eng, err := contractorops.New(store, &contractorops.Config{Runner: r, Logger: logger, Assistant: a})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	org, err := eng.Organizations.Create(ctx, platform, "org", contractorops.CreateOrganizationInput{Name: "Model Co", Type: contractorops.OrgServiceProvider})
	if err != nil {
		t.Fatal(err)
	}
	owner := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "u"}, Role: contractorops.RoleOwner}
	j, err := eng.Jobs.Create(ctx, owner, "job", contractorops.CreateJobInput{Title: "Leak", Priority: jobfsm.PriorityLow})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := eng.Execute(ctx, owner, "assistant/v1/draftNote", "draft", &contractorops.DraftNoteInput{JobID: j.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a.drafts.Load() != 1 {
		t.Fatalf("asked %d times", a.drafts.Load())
	}
	client, err := dbos.NewClient(ctx, dbos.ClientConfig{DatabaseURL: db.OwnerURL, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dbos.Shutdown(client, 5*time.Second) })
	// The workflow's steps: 0 reads the job (a transaction), 1 asks the
	// model.
	for _, tc := range []struct {
		start uint
		asked int32
	}{{start: 2, asked: 1}, {start: 1, asked: 2}} {
		h, err := dbos.ForkWorkflow[any](client, dbos.ForkWorkflowInput{OriginalWorkflowID: resp.WorkflowID, StartStep: tc.start})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.GetResult(dbos.WithHandleTimeout(time.Minute)); err != nil {
			t.Fatalf("fork from step %d: %v", tc.start, err)
		}
		if got := a.drafts.Load(); got != tc.asked {
			t.Fatalf("after a replay from step %d the model was asked %d times, want %d", tc.start, got, tc.asked)
		}
	}
}
