package contractorops

import (
	"context"
	"strings"

	"github.com/invopop/validation"
)

// ListChangesInput reads the change feed after a sequence number.
type ListChangesInput struct {
	// AfterSeq is the last sequence number the reader has; 0 reads from the
	// start.
	AfterSeq int64 `json:"afterSeq"`
	// Limit caps the number of changes (default 100, at most 1 000).
	Limit int `json:"limit,omitempty"`
	// Entity, when set, keeps only changes of this table ("jobs").
	Entity string `json:"entity,omitempty"`
}

// Validate checks the input.
func (in ListChangesInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.AfterSeq, validation.Min(int64(0))),
		validation.Field(&in.Limit, validation.Min(0), validation.Max(1000)),
		validation.Field(&in.Entity, validation.Length(0, 100)),
	)
}

// ChangePage is a page of the change feed. Resume with AfterSeq = LastSeq.
type ChangePage struct {
	Items   []Change `json:"items"`
	LastSeq int64    `json:"lastSeq"`
}

// ListAuditInput reads the audit trail of one entity, newest first.
type ListAuditInput struct {
	Entity   string `json:"entity"`
	EntityID string `json:"entityId"`
	PageRequest
}

// Validate checks the input.
func (in ListAuditInput) Validate() error {
	if err := validation.ValidateStruct(&in,
		validation.Field(&in.Entity, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.EntityID, validation.Required, validation.Length(1, 100)),
	); err != nil {
		return err
	}
	return in.PageRequest.Validate()
}

// FeedService reads the organization's change feed and audit trail.
type FeedService struct {
	changes proc[ListChangesInput, ChangePage]
	audit   proc[ListAuditInput, Page[AuditEvent]]
}

// Changes returns the changes after in.AfterSeq, in commit order. Every write
// of every entity appears exactly once, deletions as tombstones; a host syncs
// by polling with the last sequence number it saw.
func (s *FeedService) Changes(ctx context.Context, scope Scope, in ListChangesInput) (*ChangePage, error) {
	return s.changes.get(ctx, scope, in)
}

// Audit returns the audit trail of one entity, newest first.
func (s *FeedService) Audit(ctx context.Context, scope Scope, in ListAuditInput) (*Page[AuditEvent], error) {
	return s.audit.get(ctx, scope, in)
}

func (e *Engine) registerFeed() {
	e.Feed = &FeedService{
		changes: query(e, "feed/v1/changes", "Read the change feed after a sequence number.", with(rolesManage(), RoleAgent),
			func(c *call, in *ListChangesInput) (*ChangePage, error) {
				return inTx(c, "changes", func(t *txn) (*ChangePage, error) {
					limit := or(in.Limit, 100)
					q := Query{OrderBy: "seq", Where: []Cond{Gt("seq", seqKey(in.AfterSeq))}, Limit: limit}
					if in.Entity != "" {
						q.Where = append(q.Where, Eq("entity", strings.ToLower(in.Entity)))
					}
					items, err := find(t, changesTable, q)
					if err != nil {
						return nil, err
					}
					out := &ChangePage{Items: make([]Change, len(items)), LastSeq: in.AfterSeq}
					for i, ch := range items {
						out.Items[i] = *ch
						out.LastSeq = ch.Seq
					}
					return out, nil
				})
			}),
		audit: query(e, "feed/v1/audit", "Read the audit trail of one entity.", rolesManage(),
			func(c *call, in *ListAuditInput) (*Page[AuditEvent], error) {
				return inTx(c, "audit", func(t *txn) (*Page[AuditEvent], error) {
					q := in.PageRequest.apply(Query{OrderBy: "at", Desc: true,
						Where: []Cond{Eq("entity", in.Entity), Eq("entity_id", in.EntityID)}})
					items, err := find(t, auditTable, q)
					if err != nil {
						return nil, err
					}
					return pageOf(in.PageRequest, q, items, func(a *AuditEvent) string { return timeKey(a.At) }), nil
				})
			}),
	}
}
