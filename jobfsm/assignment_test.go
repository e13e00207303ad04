package jobfsm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/jobfsm"
)

func TestAssignmentMatrix(t *testing.T) {
	matrix(t, assignmentStatuses, assignmentTerminal, assignmentSpec, func(from, to jobfsm.AssignmentStatus, broken jobfsm.Rule) (jobfsm.AssignmentStatus, jobfsm.Entry[jobfsm.AssignmentStatus], error) {
		a, r := jobfsm.Assignment{Status: from, TechnicianID: "tech-1"}, req(t0)
		if broken == "REASON_CODE_REQUIRED" {
			r.ReasonCode = ""
		}
		ch, err := a.Apply(to, r)
		return ch.Assignment.Status, ch.Entry, err
	})
}

func TestAssignmentTableIsTheSpec(t *testing.T) {
	tableIsSpec(t, jobfsm.AssignmentTable(), assignmentSpec, jobfsm.AssignmentStatuses(), assignmentStatuses, assignmentTerminal)
}

// TestAssignmentStamps: the reference never set the status timestamps;
// every status stamps its own here.
func TestAssignmentStamps(t *testing.T) {
	ch, err := jobfsm.NewAssignment("tech-1", "PENDING", req(t0))
	if err != nil {
		t.Fatal(err)
	}
	a := ch.Assignment
	if a.Stamps.AssignedAt != (time.Time{}) || ch.Entry.To != "PENDING" || ch.Entry.From != "" {
		t.Errorf("pending assignment: %+v", ch)
	}
	at := t0
	for _, act := range []jobfsm.Action{"ASSIGN", "ACCEPT", "DEPART", "ARRIVE", "COMPLETE"} {
		at = at.Add(10 * time.Minute)
		ch, err := a.Perform(act, req(at))
		if err != nil {
			t.Fatalf("%s: %v", act, err)
		}
		a = ch.Assignment
	}
	want := jobfsm.Assignment{
		Status: "COMPLETED", TechnicianID: "tech-1", AssignedBy: "dispatcher-1",
		Stamps: jobfsm.AssignmentStamps{
			AssignedAt: t0.Add(10 * time.Minute), AcceptedAt: t0.Add(20 * time.Minute), EnRouteAt: t0.Add(30 * time.Minute),
			OnSiteAt: t0.Add(40 * time.Minute), CompletedAt: t0.Add(50 * time.Minute),
		},
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("assignment (-want +got):\n%s", diff)
	}
	if a.TravelTime() != 10*time.Minute || (jobfsm.Assignment{}).TravelTime() != 0 {
		t.Errorf("travel time %v", a.TravelTime())
	}
	d, err := jobfsm.Assignment{Status: "ASSIGNED", TechnicianID: "tech-1"}.Perform("DECLINE", req(at))
	if err != nil || d.Assignment.DeclineReason != "CUSTOMER_REQUEST" || d.Assignment.Stamps.DeclinedAt != at {
		t.Errorf("decline: %+v, %v", d, err)
	}
	if opts := (jobfsm.Assignment{Status: "ASSIGNED"}).Options(); len(opts) != 3 || !opts[0].Allowed || !opts[1].NeedsReason {
		t.Errorf("options: %+v", opts)
	}
}

func TestNewAssignment(t *testing.T) {
	ch, err := jobfsm.NewAssignment("tech-1", "ASSIGNED", req(t0))
	if err != nil || ch.Assignment.AssignedBy != "dispatcher-1" || ch.Assignment.Stamps.AssignedAt != t0 || ch.Entry.Action != "ASSIGN" {
		t.Errorf("NewAssignment = %+v, %v", ch, err)
	}
	for _, tt := range []struct {
		tech   string
		status jobfsm.AssignmentStatus
		field  string
	}{{"", "ASSIGNED", "technicianId"}, {"tech-1", "ACCEPTED", "status"}} {
		_, err := jobfsm.NewAssignment(tt.tech, tt.status, req(t0))
		var ie *jobfsm.InputError
		if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, jobfsm.ErrInvalidInput) {
			t.Errorf("NewAssignment(%q, %s): %v", tt.tech, tt.status, err)
		}
	}
}

// TestReassign fixes the reference's defect: reassigning cancels the old
// assignment with a reason and creates a new one.
func TestReassign(t *testing.T) {
	for _, from := range assignmentStatuses {
		old := jobfsm.Assignment{Status: from, TechnicianID: "tech-1"}
		r := req(t0)
		r.ReasonCode = ""
		got, err := old.Reassign("tech-2", r)
		switch from {
		case "COMPLETED", "CANCELLED":
			wantRefusal(t, err, jobfsm.RuleTerminal)
			continue
		case "DECLINED":
			if err != nil || got.Cancelled != nil {
				t.Errorf("reassign a declined assignment: %+v, %v", got, err)
			}
		default:
			if err != nil || got.Cancelled == nil || got.Cancelled.Assignment.Status != "CANCELLED" ||
				got.Cancelled.Assignment.CancelReason != jobfsm.ReasonReassigned || got.Cancelled.Entry.ReasonCode != "REASSIGNED" {
				t.Errorf("reassign %s: %+v, %v", from, got, err)
			}
		}
		if n := got.New.Assignment; n.Status != "ASSIGNED" || n.TechnicianID != "tech-2" || n.Stamps.AssignedAt != t0 {
			t.Errorf("reassign %s: new %+v", from, n)
		}
	}
	r := req(t0)
	r.ReasonCode = "TECH_SICK"
	got, err := jobfsm.Assignment{Status: "ACCEPTED", TechnicianID: "tech-1"}.Reassign("tech-2", r)
	if err != nil || got.Cancelled.Assignment.CancelReason != "TECH_SICK" {
		t.Errorf("reassign with a reason: %+v, %v", got, err)
	}
	if _, err := (jobfsm.Assignment{Status: "ASSIGNED"}).Reassign("", req(t0)); !errors.Is(err, jobfsm.ErrInvalidInput) {
		t.Errorf("reassign to nobody: %v", err)
	}
}
