package contractorops

import (
	"context"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// Event is a domain event in the organization's outbox: what a job's
// transition emitted (status changed, SLA started or stopped, the linked
// CAM work order's new status …) and what the engine adds (SLA escalated).
// Events are written in the same transaction as their cause and numbered in
// commit order; hosts and the CAM bridge consume them by sequence number.
type Event struct {
	Meta
	Seq  int64            `json:"seq"`
	Type jobfsm.EventType `json:"type"`
	At   time.Time        `json:"at"`
	// The job the event is about, with what a CAM host needs to route it.
	JobID         string            `json:"jobId"`
	JobNumber     string            `json:"jobNumber"`
	Source        jobfsm.SourceType `json:"source,omitempty"`
	ExternalRef   string            `json:"externalRef,omitempty"`
	AssociationID string            `json:"associationId,omitempty"`
	// Detail is the event as jobfsm emitted it (statuses, CAM statuses).
	Detail jobfsm.Event `json:"detail"`
	// Escalation is set on SLA_ESCALATED.
	Escalation *SLAEscalation `json:"escalation,omitempty"`
	// Document is set on the events of estimates, invoices and payments.
	Document *DocumentEvent `json:"document,omitempty"`
	// Contract is set on the events of a maintenance contract and its
	// visits (CONTRACT_STATUS_CHANGED, CONTRACT_RENEWAL_NOTICE, …), which
	// concern no job.
	Contract *ContractEvent `json:"contract,omitempty"`
	// Compliance is set on the compliance agent's events
	// (COMPLIANCE_WARNING, COMPLIANCE_BLOCKED, COMPLIANCE_UNBLOCKED), which
	// concern no job.
	Compliance *ComplianceEvent `json:"compliance,omitempty"`
}

// EventSLAEscalated is emitted when a job reaches an escalation point of one
// of its SLA targets.
const EventSLAEscalated jobfsm.EventType = "SLA_ESCALATED"

var eventsTable = table[Event]{
	spec: TableSpec{Name: "events", Keys: []string{"seq", "type", "job_id"}, Unique: [][]string{{"seq"}}},
	keys: func(e *Event) map[string]string {
		return keys("seq", seqKey(e.Seq), "type", string(e.Type), "job_id", e.JobID)
	},
	untracked: true,
}

// emit appends the events of a job's transition to the outbox.
func emit(t *txn, j *Job, evs []jobfsm.Event) error {
	for _, ev := range evs {
		if err := emitEvent(t, j, &Event{Type: ev.Type, At: ev.At, Detail: ev}); err != nil {
			return err
		}
	}
	return nil
}

func emitEvent(t *txn, j *Job, ev *Event) error {
	ev.JobID, ev.JobNumber, ev.Source, ev.ExternalRef, ev.AssociationID = j.ID, j.Number, j.Source, j.ExternalRef, j.AssociationID
	return appendEvent(t, ev)
}

// appendEvent numbers ev and appends it to the outbox.
func appendEvent(t *txn, ev *Event) error {
	seq, err := t.tx.NextNumber(t.ctx, "events")
	if err != nil {
		return err
	}
	ev.ID = seqID("evt", seq)
	ev.Seq = seq
	return insert(t, eventsTable, ev)
}

// seqID is the id of the n-th entry of a numbered series.
func seqID(prefix string, n int64) string { return prefix + "-" + seqKey(n) }

// ListEventsInput reads the outbox after a sequence number.
type ListEventsInput struct {
	AfterSeq int64            `json:"afterSeq"`
	Limit    int              `json:"limit,omitempty"`
	Type     jobfsm.EventType `json:"type,omitempty"`
	JobID    string           `json:"jobId,omitempty"`
}

// Validate checks the input.
func (in ListEventsInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.AfterSeq, validation.Min(int64(0))),
		validation.Field(&in.Limit, validation.Min(0), validation.Max(1000)),
	)
}

// EventPage is a page of the outbox; resume with AfterSeq = LastSeq.
type EventPage struct {
	Items   []Event `json:"items"`
	LastSeq int64   `json:"lastSeq"`
}

// EventService reads the organization's domain events.
type EventService struct {
	list proc[ListEventsInput, EventPage]
}

// List returns the events after in.AfterSeq, in order.
func (s *EventService) List(ctx context.Context, scope Scope, in ListEventsInput) (*EventPage, error) {
	return s.list.get(ctx, scope, in)
}

func (e *Engine) registerEvents() {
	e.Events = &EventService{
		list: query(e, "event/v1/list", "Read the domain events after a sequence number.", with(rolesReaders(), RoleAgent),
			func(c *call, in *ListEventsInput) (*EventPage, error) {
				return inTx(c, "list", func(t *txn) (*EventPage, error) {
					q := Query{OrderBy: "seq", Where: []Cond{Gt("seq", seqKey(in.AfterSeq))}, Limit: or(in.Limit, 100)}
					if in.Type != "" {
						q.Where = append(q.Where, Eq("type", string(in.Type)))
					}
					if in.JobID != "" {
						q.Where = append(q.Where, Eq("job_id", in.JobID))
					}
					items, err := find(t, eventsTable, q)
					if err != nil {
						return nil, err
					}
					out := &EventPage{Items: make([]Event, len(items)), LastSeq: in.AfterSeq}
					for i, ev := range items {
						out.Items[i] = *ev
						out.LastSeq = ev.Seq
					}
					return out, nil
				})
			}),
	}
}
