package contractorops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Meta is the identity and bookkeeping every stored entity carries.
type Meta struct {
	ID        string    `json:"id"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func (m *Meta) meta() *Meta { return m }

// entity is the constraint of the typed store helpers: a pointer to a struct
// embedding Meta.
type entity[T any] interface {
	*T
	meta() *Meta
}

// table is a typed table: its spec and how an entity's keys are derived.
type table[T any] struct {
	spec TableSpec
	keys func(*T) map[string]string
	// untracked tables are the engine's own records (the audit trail, the
	// change feed, the event outbox, idempotency records): their writes
	// are not audited nor fed, which would only repeat them.
	untracked bool
}

// txn is the engine's view of one store transaction: typed access, the time
// of the command, and the writes it made, from which it writes the audit
// trail and the change feed in the same transaction.
type txn struct {
	ctx   context.Context
	e     *Engine
	tx    Tx
	org   string
	now   time.Time
	audit *auditInfo // nil: no audit (idempotency records, queries)

	loaded  map[string]json.RawMessage // table/id → document as loaded
	changes []change
	wakes   []Wake // work to run later, once this transaction commits
}

// auditInfo is who and what a command's writes are attributed to.
type auditInfo struct {
	scope      Scope
	procedure  string
	workflowID string
	traceID    string
}

type change struct {
	table, id string
	op        string // insert, update, delete
	version   int64
	before    json.RawMessage
	after     json.RawMessage
}

// Change operations recorded in the audit trail and the change feed.
const (
	OpInsert = "insert"
	OpUpdate = "update"
	OpDelete = "delete"
)

func loadedKey(table, id string) string { return table + "/" + id }

// load reads one entity.
func load[T any, P entity[T]](t *txn, tb table[T], id string) (P, error) {
	row, err := t.tx.Get(t.ctx, tb.spec.Name, id)
	if err != nil {
		return nil, err
	}
	return decodeRow[T, P](t, tb.spec.Name, row)
}

// find reads the entities matching q.
func find[T any, P entity[T]](t *txn, tb table[T], q Query) ([]P, error) {
	rows, err := t.tx.Find(t.ctx, tb.spec.Name, q)
	if err != nil {
		return nil, err
	}
	out := make([]P, 0, len(rows))
	for _, row := range rows {
		v, err := decodeRow[T, P](t, tb.spec.Name, row)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeRow[T any, P entity[T]](t *txn, table string, row Row) (P, error) {
	v := P(new(T))
	if err := json.Unmarshal(row.Data, v); err != nil {
		return nil, fmt.Errorf("contractorops: decode %s %s: %w", table, row.ID, err)
	}
	m := v.meta()
	m.ID, m.Version = row.ID, row.Version
	if t.loaded == nil {
		t.loaded = map[string]json.RawMessage{}
	}
	t.loaded[loadedKey(table, row.ID)] = row.Data
	return v, nil
}

// insert stores a new entity; it sets its version and timestamps.
func insert[T any, P entity[T]](t *txn, tb table[T], v P) error {
	m := v.meta()
	if m.ID == "" {
		return fmt.Errorf("contractorops: insert into %s without an id", tb.spec.Name)
	}
	m.Version, m.CreatedAt, m.UpdatedAt = 1, t.now, t.now
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := t.tx.Insert(t.ctx, tb.spec.Name, Row{ID: m.ID, Version: 1, Keys: tb.keys((*T)(v)), Data: data}); err != nil {
		m.Version = 0
		return err
	}
	if !tb.untracked {
		t.record(change{table: tb.spec.Name, id: m.ID, op: OpInsert, version: 1, after: data})
	}
	return nil
}

// update stores a changed entity loaded in this transaction; it fails with a
// retryable CONFLICT if someone else changed it since.
func update[T any, P entity[T]](t *txn, tb table[T], v P) error {
	m := v.meta()
	m.UpdatedAt = t.now
	expected := m.Version
	m.Version = expected + 1
	data, err := json.Marshal(v)
	if err != nil {
		m.Version = expected
		return err
	}
	if err := t.tx.Update(t.ctx, tb.spec.Name, Row{ID: m.ID, Version: expected, Keys: tb.keys((*T)(v)), Data: data}); err != nil {
		m.Version = expected
		return err
	}
	before := t.loaded[loadedKey(tb.spec.Name, m.ID)]
	if t.loaded == nil {
		t.loaded = map[string]json.RawMessage{}
	}
	t.loaded[loadedKey(tb.spec.Name, m.ID)] = data
	if !tb.untracked {
		t.record(change{table: tb.spec.Name, id: m.ID, op: OpUpdate, version: m.Version, before: before, after: data})
	}
	return nil
}

// remove deletes an entity loaded in this transaction.
func remove[T any, P entity[T]](t *txn, tb table[T], v P) error {
	m := v.meta()
	if err := t.tx.Delete(t.ctx, tb.spec.Name, m.ID, m.Version); err != nil {
		return err
	}
	if !tb.untracked {
		t.record(change{table: tb.spec.Name, id: m.ID, op: OpDelete, version: m.Version + 1, before: t.loaded[loadedKey(tb.spec.Name, m.ID)]})
	}
	return nil
}

func (t *txn) record(c change) { t.changes = append(t.changes, c) }

// AuditEvent is one entry of the audit trail: one entity written by one
// command, with who did it, through which procedure and workflow, and what
// changed.
type AuditEvent struct {
	Meta
	Entity     string                 `json:"entity"`
	EntityID   string                 `json:"entityId"`
	Operation  string                 `json:"operation"`
	Version    int64                  `json:"entityVersion"`
	Actor      Actor                  `json:"actor"`
	Role       Role                   `json:"role"`
	Procedure  string                 `json:"procedure"`
	WorkflowID string                 `json:"workflowId"`
	TraceID    string                 `json:"traceId,omitempty"`
	At         time.Time              `json:"at"`
	Changes    map[string]FieldChange `json:"changes,omitempty"`
}

// FieldChange is a top-level field's value before and after a write; values
// over a few hundred bytes are summarized as changed without their content.
type FieldChange struct {
	From json.RawMessage `json:"from,omitempty"`
	To   json.RawMessage `json:"to,omitempty"`
}

// Change is one entry of an organization's change feed: the entities written,
// in commit order, with a resumable sequence number. Deletions are tombstones.
type Change struct {
	Meta
	Seq       int64  `json:"seq"`
	Entity    string `json:"entity"`
	EntityID  string `json:"entityId"`
	Operation string `json:"operation"`
	Version   int64  `json:"entityVersion"`
	// Data is the entity after the change; empty for a deletion.
	Data       json.RawMessage `json:"data,omitempty"`
	WorkflowID string          `json:"workflowId,omitempty"`
}

// flush writes the audit events and change-feed entries of the writes made in
// this transaction. It runs last, so the feed's counter is held only until
// commit and the feed's order is the commit order.
func (t *txn) flush(newID func() string) error {
	if t.audit == nil || len(t.changes) == 0 {
		return nil
	}
	for _, c := range t.changes {
		ev := &AuditEvent{
			Meta:   Meta{ID: newID()},
			Entity: c.table, EntityID: c.id, Operation: c.op, Version: c.version,
			Actor: t.audit.scope.Actor, Role: t.audit.scope.Role, Procedure: t.audit.procedure,
			WorkflowID: t.audit.workflowID, TraceID: t.audit.traceID, At: t.now,
			Changes: diffDocuments(c.before, c.after),
		}
		if err := insert(t, auditTable, ev); err != nil {
			return err
		}
	}
	for _, c := range t.changes {
		seq, err := t.tx.NextNumber(t.ctx, "changes")
		if err != nil {
			return err
		}
		ch := &Change{
			Meta: Meta{ID: newID()}, Seq: seq, Entity: c.table, EntityID: c.id,
			Operation: c.op, Version: c.version, Data: c.after, WorkflowID: t.audit.workflowID,
		}
		if err := insert(t, changesTable, ch); err != nil {
			return err
		}
	}
	return nil
}

// maxAuditValue is the largest field value the audit trail copies.
const maxAuditValue = 256

// diffDocuments returns the top-level fields that differ between two JSON
// objects, ignoring the bookkeeping fields.
func diffDocuments(before, after json.RawMessage) map[string]FieldChange {
	var b, a map[string]json.RawMessage
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	out := map[string]FieldChange{}
	for k := range keys {
		switch k {
		case "version", "updatedAt", "createdAt":
			continue
		}
		if bytes.Equal(b[k], a[k]) {
			continue
		}
		fc := FieldChange{From: b[k], To: a[k]}
		if len(fc.From) > maxAuditValue || len(fc.To) > maxAuditValue {
			fc = FieldChange{From: json.RawMessage(strconv.Quote("…")), To: json.RawMessage(strconv.Quote("…"))}
		}
		out[k] = fc
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
