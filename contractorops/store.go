package contractorops

import (
	"context"
	"encoding/json"
	"strings"
)

// Store keeps the engine's state. Implementations: memstore (in memory, the
// embedded default) and pgstore (Postgres with row-level security). Both pass
// the conformance suite in contractorops/storetest.
//
// The store is deliberately small: it keeps rows of named tables, each row an
// identifier, a version, a few indexed keys and a JSON document. Aggregates,
// their rules and their invariants belong to the engine; a store knows none of
// them, so every store behaves the same by construction and a new aggregate
// costs one table declaration (and one migration), not one implementation per
// store. See [Tables] for the tables and their keys.
type Store interface {
	// InTx runs fn in one transaction scoped to the organization org: fn sees
	// and writes only that organization's rows. The transaction commits if fn
	// returns nil and rolls back otherwise, returning fn's error. A store may
	// return a retryable CONFLICT *Error when the transaction lost a race
	// (a serialization failure or a deadlock); the caller may run it again.
	InTx(ctx context.Context, org string, fn func(Tx) error) error
}

// Tx is one transaction of a [Store], bound to one organization.
//
// Errors: a missing row is an *Error with code NOT_FOUND; a duplicate
// identifier or unique key, or a stale version, is a retryable CONFLICT.
type Tx interface {
	// Get returns the row id of table.
	Get(ctx context.Context, table, id string) (Row, error)
	// Find returns the rows of table matching q, in q's order.
	Find(ctx context.Context, table string, q Query) ([]Row, error)
	// Insert adds r to table with version 1.
	Insert(ctx context.Context, table string, r Row) error
	// Update replaces the row r.ID of table if its stored version is
	// r.Version, and stores it with version r.Version+1.
	Update(ctx context.Context, table string, r Row) error
	// Delete removes the row id of table if its stored version is version.
	Delete(ctx context.Context, table, id string, version int64) error
	// NextNumber returns the next value, from 1, of the organization's
	// counter series ("job-2026"). Counters are transactional: the numbers
	// of committed transactions are consecutive and never reused, and a
	// transaction holds its series until it ends.
	NextNumber(ctx context.Context, series string) (int64, error)
}

// Row is one stored record: an identifier, a version for optimistic
// concurrency, the values of the table's indexed keys, and the document.
type Row struct {
	ID      string
	Version int64
	Keys    map[string]string
	Data    json.RawMessage
}

// Query selects rows of one table by their keys.
type Query struct {
	// Where holds conditions that all must hold.
	Where []Cond
	// OrderBy is the key rows are sorted by, then by id. Empty sorts by id.
	OrderBy string
	// Desc sorts in descending order.
	Desc bool
	// After, when set, starts after this position in the sort order (a
	// cursor from the last row of the previous page).
	After *Cursor
	// Limit caps the number of rows; 0 means no limit.
	Limit int
}

// Cursor is a position in a sort order: the sort key's value and the id.
type Cursor struct {
	Value string `json:"v"`
	ID    string `json:"id"`
}

// Op is a comparison operator of a [Cond].
type Op string

// The operators. Keys compare as strings (byte-wise): keys that hold times
// are stored in a fixed-width UTC form so that string order is time order.
const (
	OpEq  Op = "="
	OpLt  Op = "<"
	OpLte Op = "<="
	OpGt  Op = ">"
	OpGte Op = ">="
	OpIn  Op = "in"
)

// Cond is one condition on a key. A key absent from a row never matches.
type Cond struct {
	Key    string
	Op     Op
	Value  string
	Values []string // for OpIn
}

// Eq, Lt, Lte, Gt, Gte and In build conditions.
func Eq(key, v string) Cond            { return Cond{Key: key, Op: OpEq, Value: v} }
func Lt(key, v string) Cond            { return Cond{Key: key, Op: OpLt, Value: v} }
func Lte(key, v string) Cond           { return Cond{Key: key, Op: OpLte, Value: v} }
func Gt(key, v string) Cond            { return Cond{Key: key, Op: OpGt, Value: v} }
func Gte(key, v string) Cond           { return Cond{Key: key, Op: OpGte, Value: v} }
func In(key string, vs ...string) Cond { return Cond{Key: key, Op: OpIn, Values: vs} }

// Matches reports whether the key values satisfy c. Stores that filter in
// memory use it, so every store compares the same way.
func (c Cond) Matches(keys map[string]string) bool {
	v, ok := keys[c.Key]
	if !ok {
		return false
	}
	switch c.Op {
	case OpEq:
		return v == c.Value
	case OpLt:
		return v < c.Value
	case OpLte:
		return v <= c.Value
	case OpGt:
		return v > c.Value
	case OpGte:
		return v >= c.Value
	case OpIn:
		for _, x := range c.Values {
			if v == x {
				return true
			}
		}
	}
	return false
}

// RowNotFound returns the NOT_FOUND error a store gives for a missing row:
// "job 0190… not found". Stores use it so that every store says the same.
func RowNotFound(table, id string) *Error {
	return NewError(CodeNotFound, "%s %s not found", singular(table), id)
}

// singular names a row of a table in messages ("jobs" → "job",
// "contractor_branches" → "contractor branch").
func singular(table string) string {
	name := strings.ReplaceAll(table, "_", " ")
	switch {
	case strings.HasSuffix(name, "ies"):
		return strings.TrimSuffix(name, "ies") + "y"
	case strings.HasSuffix(name, "ches"), strings.HasSuffix(name, "shes"), strings.HasSuffix(name, "sses"), strings.HasSuffix(name, "xes"):
		return strings.TrimSuffix(name, "es")
	case strings.HasSuffix(name, "s"):
		return strings.TrimSuffix(name, "s")
	}
	return name
}

// Singular names a row of a table in messages ("jobs" → "job").
func Singular(table string) string { return singular(table) }
