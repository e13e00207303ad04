package contractorops

import (
	"context"
	"fmt"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// CAMBridge receives the events a community-association management (CAM)
// system needs about the jobs it originated (work orders, violations,
// architectural review requests): the job's status, and the status the
// linked work order or case takes. A host implements it and sets
// [Config.CAMBridge]; the engine delivers each organization's events in
// sequence order, at least once.
type CAMBridge interface {
	// DeliverCAMEvent hands ev to the CAM system. It must be idempotent by
	// ev.EventID: after a failure, a crash or a concurrent run the same
	// event may be delivered again. An error stops the organization's
	// delivery at ev; the next run delivers ev again, then what follows.
	DeliverCAMEvent(ctx context.Context, ev CAMEvent) error
}

// CAMEvent is an outbox event of a CAM-origin job, as a CAM system sees it.
type CAMEvent struct {
	// EventID identifies the event across organizations
	// ("<organization id>/evt-…"): the host's deduplication key.
	EventID string `json:"eventId"`
	// OrganizationID is the contractor whose job it is.
	OrganizationID string `json:"organizationId"`
	// Seq is the event's position in the organization's outbox.
	Seq  int64            `json:"seq"`
	Type jobfsm.EventType `json:"type"`
	At   time.Time        `json:"at"`
	// The job, and what routes it on the CAM side.
	JobID         string            `json:"jobId"`
	JobNumber     string            `json:"jobNumber"`
	Source        jobfsm.SourceType `json:"source"`
	ExternalRef   string            `json:"externalRef,omitempty"`
	AssociationID string            `json:"associationId,omitempty"`
	// From and To are the job's statuses on JOB_STATUS_CHANGED.
	From jobfsm.JobStatus `json:"from,omitempty"`
	To   jobfsm.JobStatus `json:"to,omitempty"`
	// WorkOrderStatus is set on WORK_ORDER_STATUS_CHANGED, CaseStatus on
	// CONCIERGE_CASE_STATUS_CHANGED.
	WorkOrderStatus jobfsm.WorkOrderStatus `json:"workOrderStatus,omitempty"`
	CaseStatus      jobfsm.CaseStatus      `json:"caseStatus,omitempty"`
}

// isCAMSource reports whether a job of the source came from a CAM system.
func isCAMSource(s jobfsm.SourceType) bool {
	return s == jobfsm.SourceWorkOrder || s == jobfsm.SourceViolation || s == jobfsm.SourceARCRequest
}

// camEventOf returns the CAM-facing form of an outbox event, and whether it
// is one: a status change of a CAM-origin job.
func camEventOf(org string, ev *Event) (CAMEvent, bool) {
	switch ev.Type {
	case jobfsm.EventStatusChanged, jobfsm.EventWorkOrderStatus, jobfsm.EventCaseStatus:
	default:
		return CAMEvent{}, false
	}
	if !isCAMSource(ev.Source) {
		return CAMEvent{}, false
	}
	return CAMEvent{
		EventID: org + "/" + ev.ID, OrganizationID: org, Seq: ev.Seq, Type: ev.Type, At: ev.At,
		JobID: ev.JobID, JobNumber: ev.JobNumber, Source: ev.Source, ExternalRef: ev.ExternalRef, AssociationID: ev.AssociationID,
		From: ev.Detail.From, To: ev.Detail.To, WorkOrderStatus: ev.Detail.WorkOrderStatus, CaseStatus: ev.Detail.CaseStatus,
	}, true
}

// DeliveryStatus is an organization's delivery of CAM events: how far it
// got, and the failure it is stopped at, if any.
type DeliveryStatus struct {
	Meta
	// Configured reports whether the engine has a [CAMBridge]; without one
	// nothing is delivered and the cursor stays where it is.
	Configured bool `json:"configured"`
	// LastSeq is the cursor: every CAM event of the outbox up to it was
	// delivered.
	LastSeq int64 `json:"lastSeq"`
	// Delivered counts the events delivered.
	Delivered            int64     `json:"delivered"`
	LastDeliveredEventID string    `json:"lastDeliveredEventId,omitempty"`
	LastDeliveredAt      time.Time `json:"lastDeliveredAt,omitzero"`
	LastAttemptAt        time.Time `json:"lastAttemptAt,omitzero"`
	// While the bridge fails: the event delivery is stopped at, the
	// bridge's error and how many runs in a row failed.
	FailedEventID string    `json:"failedEventId,omitempty"`
	FailedSeq     int64     `json:"failedSeq,omitempty"`
	LastError     string    `json:"lastError,omitempty"`
	FailedAt      time.Time `json:"failedAt,omitzero"`
	Failures      int       `json:"failures,omitempty"`
}

// deliveryID is the id of an organization's one delivery row.
const deliveryID = "cam-delivery"

var camDeliveryTable = table[DeliveryStatus]{
	spec:      TableSpec{Name: "cam_delivery"},
	keys:      func(*DeliveryStatus) map[string]string { return nil },
	untracked: true,
}

// DeliverInput runs one delivery of CAM events.
type DeliverInput struct {
	// Limit caps the outbox events read (default 500, at most 1 000);
	// Report.More says whether more are waiting.
	Limit int `json:"limit,omitempty"`
}

// Validate checks the input.
func (in DeliverInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.Limit, validation.Min(0), validation.Max(1000)))
}

// DeliveryReport says what one delivery did.
type DeliveryReport struct {
	Configured bool `json:"configured"`
	// Delivered counts the events the bridge accepted.
	Delivered int `json:"delivered"`
	// LastSeq is the cursor after the run.
	LastSeq int64 `json:"lastSeq"`
	// More is set when the run stopped at its limit with events left.
	More bool `json:"more,omitempty"`
	// FailedEventID and Error are set when the bridge failed: delivery
	// stopped at that event, and the next run starts from it.
	FailedEventID string `json:"failedEventId,omitempty"`
	Error         string `json:"error,omitempty"`
}

// DeliveryStatusInput reads the delivery status.
type DeliveryStatusInput struct{}

// Validate checks the input.
func (DeliveryStatusInput) Validate() error { return nil }

// Deliver hands the organization's undelivered CAM events to the bridge, in
// order, stopping at the first the bridge refuses (recorded, and retried by
// the next run). The periodic task cam-delivery does it for every tenant.
func (s *CAMService) Deliver(ctx context.Context, scope Scope, key string, in DeliverInput) (*DeliveryReport, error) {
	return s.deliver.do(ctx, scope, key, in)
}

// DeliveryStatus returns the organization's delivery cursor and the
// failure it is stopped at, if any.
func (s *CAMService) DeliveryStatus(ctx context.Context, scope Scope) (*DeliveryStatus, error) {
	return s.status.get(ctx, scope, DeliveryStatusInput{})
}

// loadDelivery reads the organization's delivery row; a new one (version 0)
// when there is none yet.
func loadDelivery(t *txn) (*DeliveryStatus, error) {
	d, err := load(t, camDeliveryTable, deliveryID)
	if err != nil && AsError(err).Code == CodeNotFound {
		return &DeliveryStatus{Meta: Meta{ID: deliveryID}}, nil
	}
	return d, err
}

// deliveryBatch is what a delivery reads from the outbox.
type deliveryBatch struct {
	From    int64      `json:"from"`
	Scanned int64      `json:"scanned"` // the last outbox seq read
	Full    bool       `json:"full"`    // the read hit its limit
	Events  []CAMEvent `json:"events"`
}

// bridgeResult is what the bridge did with a batch: how many it took before
// it failed, and why.
type bridgeResult struct {
	Delivered int    `json:"delivered"`
	Error     string `json:"error,omitempty"`
}

func (e *Engine) registerCAMDelivery(s *CAMService) {
	s.deliver = mutation(e, "cam/v1/deliver", "Deliver the organization's undelivered CAM events to the host's CAM bridge, in order.",
		with(rolesAdmin(), RoleAgent), e.deliverCAM)
	s.status = query(e, "cam/v1/deliveryStatus", "Read the CAM delivery cursor and the failure it is stopped at, if any.",
		with(rolesManage(), RoleAgent), func(c *call, _ *DeliveryStatusInput) (*DeliveryStatus, error) {
			return inTx(c, "delivery-status", func(t *txn) (*DeliveryStatus, error) {
				d, err := loadDelivery(t)
				if err != nil {
					return nil, err
				}
				d.Configured = e.cfg.CAMBridge != nil
				return d, nil
			})
		})
	e.tasks = append(e.tasks, Task{
		Name:        "cam-delivery",
		Description: "Deliver each organization's CAM events to the host's CAM bridge.",
		Schedule:    "0 * * * * *",
		run:         runCAMDelivery,
	})
}

// maxDeliveryPages bounds the deliveries of one task run for one tenant.
const maxDeliveryPages = 10

func runCAMDelivery(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
	if e.cfg.CAMBridge == nil {
		return 0, nil
	}
	// A look first: an organization with nothing new to deliver (most of
	// them, most minutes) costs one read, not a workflow.
	pending := false
	if err := e.forTenant(ctx, org, tick, func(t *txn) error {
		d, err := loadDelivery(t)
		if err != nil {
			return err
		}
		evs, err := t.tx.Find(t.ctx, eventsTable.spec.Name, Query{OrderBy: "seq", Where: []Cond{Gt("seq", seqKey(d.LastSeq))}, Limit: 1})
		pending = len(evs) > 0
		return err
	}); err != nil || !pending {
		return 0, err
	}
	scope := SystemScope(org, "cam-delivery")
	for page := 0; page < maxDeliveryPages; page++ {
		key := fmt.Sprintf("cam-delivery:%s:%d", timeKey(tick), page)
		rep, err := e.CAM.Deliver(ctx, scope, key, DeliverInput{})
		if err != nil {
			return page, err
		}
		if rep.Error != "" {
			return page + 1, fmt.Errorf("CAM bridge failed on event %s: %s", rep.FailedEventID, rep.Error)
		}
		if !rep.More {
			return page + 1, nil
		}
	}
	return maxDeliveryPages, nil
}

func (e *Engine) deliverCAM(c *call, in *DeliverInput) (*DeliveryReport, error) {
	bridge := e.cfg.CAMBridge
	if bridge == nil {
		return &DeliveryReport{}, nil
	}
	limit := or(in.Limit, 500)
	batch, err := inTx(c, "read-outbox", func(t *txn) (*deliveryBatch, error) {
		d, err := loadDelivery(t)
		if err != nil {
			return nil, err
		}
		evs, err := find(t, eventsTable, Query{OrderBy: "seq", Where: []Cond{Gt("seq", seqKey(d.LastSeq))}, Limit: limit})
		if err != nil {
			return nil, err
		}
		b := &deliveryBatch{From: d.LastSeq, Scanned: d.LastSeq, Full: len(evs) == limit, Events: []CAMEvent{}}
		for _, ev := range evs {
			b.Scanned = ev.Seq
			if ce, ok := camEventOf(t.org, ev); ok {
				b.Events = append(b.Events, ce)
			}
		}
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	if batch.Scanned == batch.From {
		return &DeliveryReport{Configured: true, LastSeq: batch.From}, nil
	}
	res := bridgeResult{}
	if len(batch.Events) > 0 {
		// The bridge's errors are the result, not the step's: a failure is
		// recorded and retried by the next run, never by this one.
		res, err = inStep(c, "deliver", func(ctx context.Context) (bridgeResult, error) {
			for i, ev := range batch.Events {
				if err := bridge.DeliverCAMEvent(ctx, ev); err != nil {
					if ctxErr := ctx.Err(); ctxErr != nil {
						return bridgeResult{}, ctxErr
					}
					return bridgeResult{Delivered: i, Error: errorText(err)}, nil
				}
			}
			return bridgeResult{Delivered: len(batch.Events)}, nil
		})
		if err != nil {
			return nil, err
		}
	}
	return inTx(c, "advance-cursor", func(t *txn) (*DeliveryReport, error) {
		d, err := loadDelivery(t)
		if err != nil {
			return nil, err
		}
		rep := &DeliveryReport{Configured: true, Delivered: res.Delivered}
		cursor := batch.Scanned
		if res.Error != "" {
			failed := batch.Events[res.Delivered]
			cursor = failed.Seq - 1
			rep.FailedEventID, rep.Error = failed.EventID, res.Error
			if d.FailedEventID == failed.EventID {
				d.Failures++
			} else {
				d.Failures = 1
			}
			d.FailedEventID, d.FailedSeq, d.LastError, d.FailedAt = failed.EventID, failed.Seq, res.Error, t.now
		} else {
			d.FailedEventID, d.FailedSeq, d.LastError, d.FailedAt, d.Failures = "", 0, "", time.Time{}, 0
			rep.More = batch.Full
		}
		if res.Delivered > 0 {
			d.LastDeliveredEventID, d.LastDeliveredAt = batch.Events[res.Delivered-1].EventID, t.now
		}
		// Another run may have gone further meanwhile: the cursor only
		// moves forward.
		if cursor > d.LastSeq {
			d.LastSeq = cursor
			d.Delivered += int64(res.Delivered)
		}
		d.LastAttemptAt = t.now
		rep.LastSeq = d.LastSeq
		if d.Version == 0 {
			return rep, insert(t, camDeliveryTable, d)
		}
		return rep, update(t, camDeliveryTable, d)
	})
}

// maxBridgeError bounds the bridge error recorded.
const maxBridgeError = 1000

// errorText is an error's message, cut to maxBridgeError bytes.
func errorText(err error) string {
	msg := err.Error()
	if msg == "" {
		msg = "the bridge failed without a message"
	}
	if len(msg) > maxBridgeError {
		msg = msg[:maxBridgeError]
	}
	return msg
}
