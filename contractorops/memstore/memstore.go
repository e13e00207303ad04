package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"sync"

	"github.com/hestami-ai/opsengine/contractorops"
)

// Store is an in-memory [contractorops.Store]. The zero value is not usable;
// call [New].
type Store struct {
	mu   sync.Mutex
	orgs map[string]*orgState
	// shared holds the rows two organizations share (see
	// contractorops.SharedTx).
	shared sharedState
}

var _ contractorops.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{orgs: map[string]*orgState{}, shared: sharedState{
		links: map[string]contractorops.LinkRow{}, published: map[string]contractorops.PublishedRow{},
	}}
}

// orgState is one organization's data. Its lock serializes the
// organization's transactions, which makes them serializable.
type orgState struct {
	mu       sync.Mutex
	tables   map[string]map[string]contractorops.Row
	counters map[string]int64
	// unique indexes committed rows: table → unique key set (by position
	// in the table's spec) → joined values → row id.
	unique map[string][]map[string]string
}

func (s *Store) org(id string) *orgState {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[id]
	if o == nil {
		o = &orgState{tables: map[string]map[string]contractorops.Row{}, counters: map[string]int64{}, unique: map[string][]map[string]string{}}
		s.orgs[id] = o
	}
	return o
}

// InTx runs fn in a transaction of org. Writes are buffered and applied when
// fn returns nil.
func (s *Store) InTx(ctx context.Context, org string, fn func(contractorops.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if org == "" {
		return contractorops.NewError(contractorops.CodeForbidden, "memstore: a transaction needs an organization")
	}
	o := s.org(org)
	o.mu.Lock()
	defer o.mu.Unlock()
	tx := &tx{o: o, s: s, org: org, writes: map[string]map[string]*contractorops.Row{}, counters: map[string]int64{}}
	defer tx.releaseShared()
	if err := fn(tx); err != nil {
		tx.done = true
		return err
	}
	tx.commit()
	return nil
}

// tx buffers writes over the organization's committed state. A nil *Row in
// writes is a deletion.
type tx struct {
	o        *orgState
	s        *Store
	org      string
	writes   map[string]map[string]*contractorops.Row
	counters map[string]int64
	done     bool
	// shared is set once the transaction holds the shared rows' lock,
	// with its writes to them.
	shared *sharedWrites
}

func (t *tx) check() error {
	if t.done {
		return contractorops.NewError(contractorops.CodeInternal, "memstore: transaction used after it ended")
	}
	return nil
}

func (t *tx) commit() {
	for table, rows := range t.writes {
		committed := t.o.tables[table]
		if committed == nil {
			committed = map[string]contractorops.Row{}
			t.o.tables[table] = committed
		}
		spec, _ := contractorops.TableByName(table)
		for id, r := range rows {
			if old, ok := committed[id]; ok {
				t.o.unindex(spec, old)
			}
			if r == nil {
				delete(committed, id)
			} else {
				committed[id] = *r
				t.o.index(spec, *r)
			}
		}
	}
	for series, v := range t.counters {
		t.o.counters[series] = v
	}
	t.commitShared()
	t.done = true
}

// lookup returns the row as this transaction sees it.
func (t *tx) lookup(table, id string) (contractorops.Row, bool) {
	if w, ok := t.writes[table][id]; ok {
		if w == nil {
			return contractorops.Row{}, false
		}
		return *w, true
	}
	r, ok := t.o.tables[table][id]
	return r, ok
}

// visible returns every row of table as this transaction sees it.
func (t *tx) visible(table string) map[string]contractorops.Row {
	out := make(map[string]contractorops.Row, len(t.o.tables[table])+len(t.writes[table]))
	for id, r := range t.o.tables[table] {
		out[id] = r
	}
	for id, w := range t.writes[table] {
		if w == nil {
			delete(out, id)
		} else {
			out[id] = *w
		}
	}
	return out
}

func (t *tx) put(table string, r *contractorops.Row) {
	if t.writes[table] == nil {
		t.writes[table] = map[string]*contractorops.Row{}
	}
	t.writes[table][r.ID] = r
}

func notFound(table, id string) error { return contractorops.RowNotFound(table, id) }

func conflict(format string, args ...any) error {
	return contractorops.NewError(contractorops.CodeConflict, format, args...)
}

func (t *tx) Get(_ context.Context, table, id string) (contractorops.Row, error) {
	if err := t.check(); err != nil {
		return contractorops.Row{}, err
	}
	r, ok := t.lookup(table, id)
	if !ok {
		return contractorops.Row{}, notFound(table, id)
	}
	return clone(r), nil
}

func (t *tx) Find(_ context.Context, table string, q contractorops.Query) ([]contractorops.Row, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	var out []contractorops.Row
	for _, r := range t.visible(table) {
		if matches(r, q) {
			out = append(out, r)
		}
	}
	sortKey := func(r contractorops.Row) string { return r.Keys[q.OrderBy] }
	if q.OrderBy == "" {
		sortKey = func(r contractorops.Row) string { return r.ID }
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := sortKey(out[i]), sortKey(out[j])
		if a == b {
			a, b = out[i].ID, out[j].ID
		}
		if q.Desc {
			return a > b
		}
		return a < b
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	for i := range out {
		out[i] = clone(out[i])
	}
	return out, nil
}

// matches applies the query's conditions and cursor to one row.
func matches(r contractorops.Row, q contractorops.Query) bool {
	for _, c := range q.Where {
		if !c.Matches(r.Keys) {
			return false
		}
	}
	v := r.ID
	if q.OrderBy != "" {
		var ok bool
		if v, ok = r.Keys[q.OrderBy]; !ok {
			return false
		}
	}
	if q.After != nil {
		after := q.After.Value
		if q.OrderBy == "" {
			after = q.After.ID
		}
		if v == after {
			if q.Desc {
				return r.ID < q.After.ID
			}
			return r.ID > q.After.ID
		}
		if q.Desc {
			return v < after
		}
		return v > after
	}
	return true
}

func (t *tx) Insert(_ context.Context, table string, r contractorops.Row) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, ok := t.lookup(table, r.ID); ok {
		return conflict("%s %s already exists", contractorops.Singular(table), r.ID)
	}
	if err := t.checkUnique(table, r); err != nil {
		return err
	}
	r = clone(r)
	r.Version = 1
	t.put(table, &r)
	return nil
}

func (t *tx) Update(_ context.Context, table string, r contractorops.Row) error {
	if err := t.check(); err != nil {
		return err
	}
	cur, ok := t.lookup(table, r.ID)
	if !ok {
		return notFound(table, r.ID)
	}
	if cur.Version != r.Version {
		return conflict("%s %s changed since it was read (version %d, now %d)", contractorops.Singular(table), r.ID, r.Version, cur.Version)
	}
	if err := t.checkUnique(table, r); err != nil {
		return err
	}
	r = clone(r)
	r.Version = cur.Version + 1
	t.put(table, &r)
	return nil
}

func (t *tx) Delete(_ context.Context, table, id string, version int64) error {
	if err := t.check(); err != nil {
		return err
	}
	cur, ok := t.lookup(table, id)
	if !ok {
		return notFound(table, id)
	}
	if cur.Version != version {
		return conflict("%s %s changed since it was read (version %d, now %d)", contractorops.Singular(table), id, version, cur.Version)
	}
	if t.writes[table] == nil {
		t.writes[table] = map[string]*contractorops.Row{}
	}
	t.writes[table][id] = nil
	return nil
}

func (t *tx) NextNumber(_ context.Context, series string) (int64, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	v, ok := t.counters[series]
	if !ok {
		v = t.o.counters[series]
	}
	v++
	t.counters[series] = v
	return v, nil
}

// checkUnique enforces the table's unique keys against every other row:
// the committed ones through the index, this transaction's writes directly.
func (t *tx) checkUnique(table string, r contractorops.Row) error {
	spec, ok := contractorops.TableByName(table)
	if !ok || len(spec.Unique) == 0 {
		return nil
	}
	for i, set := range spec.Unique {
		vals, complete := keyValues(r.Keys, set)
		if !complete {
			continue
		}
		taken := func(id string, keys map[string]string) bool {
			v, ok := keyValues(keys, set)
			return id != r.ID && ok && v == vals
		}
		if idx := t.o.unique[table]; idx == nil {
			// No committed row has a unique key yet.
		} else if id, ok := idx[i][vals]; ok && id != r.ID {
			// Committed with these values; a conflict unless this
			// transaction changed or deleted that row.
			if w, written := t.writes[table][id]; !written || (w != nil && taken(id, w.Keys)) {
				return conflict("%s with the same %v already exists", contractorops.Singular(table), set)
			}
		}
		for id, w := range t.writes[table] {
			if w != nil && taken(id, w.Keys) {
				return conflict("%s with the same %v already exists", contractorops.Singular(table), set)
			}
		}
	}
	return nil
}

// index adds a committed row to its table's unique indexes.
func (o *orgState) index(spec contractorops.TableSpec, r contractorops.Row) {
	if len(spec.Unique) == 0 {
		return
	}
	idx := o.unique[spec.Name]
	if idx == nil {
		idx = make([]map[string]string, len(spec.Unique))
		for i := range idx {
			idx[i] = map[string]string{}
		}
		o.unique[spec.Name] = idx
	}
	for i, set := range spec.Unique {
		if v, ok := keyValues(r.Keys, set); ok {
			idx[i][v] = r.ID
		}
	}
}

// unindex removes a committed row from its table's unique indexes.
func (o *orgState) unindex(spec contractorops.TableSpec, r contractorops.Row) {
	idx := o.unique[spec.Name]
	for i, set := range spec.Unique {
		if v, ok := keyValues(r.Keys, set); ok && idx != nil && idx[i][v] == r.ID {
			delete(idx[i], v)
		}
	}
}

// keyValues joins the values of a unique key set; a row lacking one of them
// is not constrained (as NULL in SQL).
func keyValues(keys map[string]string, set []string) (string, bool) {
	var b bytes.Buffer
	for _, k := range set {
		v, ok := keys[k]
		if !ok {
			return "", false
		}
		b.WriteString(v)
		b.WriteByte(0)
	}
	return b.String(), true
}

func clone(r contractorops.Row) contractorops.Row {
	out := contractorops.Row{ID: r.ID, Version: r.Version, Data: append(json.RawMessage(nil), r.Data...)}
	if r.Keys != nil {
		out.Keys = make(map[string]string, len(r.Keys))
		for k, v := range r.Keys {
			out.Keys[k] = v
		}
	}
	return out
}
