package storetest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
)

// Tables used by the suite: a table with plain keys and one with a unique
// key. Both exist in every store (see contractorops.Tables).
const (
	plain  = "customers" // keys: name, email, active
	unique = "changes"   // keys: seq (unique), entity
	other  = "tenants"   // keys: type, name
)

// Exercise runs the conformance suite against the store newStore returns.
// The store is shared by the subtests; each works in organizations of its
// own, so the store may hold other data.
func Exercise(t *testing.T, newStore func(t *testing.T) contractorops.Store) {
	s := newStore(t)
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s contractorops.Store)
	}{
		{"InsertGet", testInsertGet},
		{"Update", testUpdate},
		{"Delete", testDelete},
		{"Find", testFind},
		{"Paging", testPaging},
		{"Unique", testUnique},
		{"Rollback", testRollback},
		{"ReadYourWrites", testReadYourWrites},
		{"Isolation", testIsolation},
		{"Numbers", testNumbers},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ConcurrentNumbers", testConcurrentNumbers},
		{"CancelledContext", testCancelledContext},
		{"Shared", testShared},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) })
	}
}

// newOrg returns a fresh random organization id.
func newOrg(t *testing.T) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6], b[8] = 0x40|b[6]&0x0f, 0x80|b[8]&0x3f
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func doc(fields map[string]any) json.RawMessage {
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return b
}

// sameJSON compares documents by value (a store may reorder keys).
func sameJSON(t *testing.T, got, want json.RawMessage) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("stored document is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("document = %s, want %s", got, want)
	}
}

func in(t *testing.T, s contractorops.Store, org string, fn func(ctx context.Context, tx contractorops.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return s.InTx(ctx, org, func(tx contractorops.Tx) error { return fn(ctx, tx) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code contractorops.Code) {
	t.Helper()
	var e *contractorops.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
	if code == contractorops.CodeConflict && !e.Retryable {
		t.Errorf("a CONFLICT from a store must be retryable: %v", err)
	}
}

func row(id string, kv ...string) contractorops.Row {
	keys := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		keys[kv[i]] = kv[i+1]
	}
	return contractorops.Row{ID: id, Keys: keys, Data: doc(map[string]any{"id": id, "keys": keys})}
}

func testInsertGet(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	r := row("c1", "name", "ada", "email", "ada@example.com")
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Insert(ctx, plain, r) }))
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		got, err := tx.Get(ctx, plain, "c1")
		if err != nil {
			return err
		}
		if got.ID != "c1" || got.Version != 1 {
			t.Errorf("got id %q version %d, want c1 version 1", got.ID, got.Version)
		}
		if !reflect.DeepEqual(got.Keys, r.Keys) {
			t.Errorf("keys = %v, want %v", got.Keys, r.Keys)
		}
		sameJSON(t, got.Data, r.Data)
		return nil
	}))
	err := in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { _, err := tx.Get(ctx, plain, "nope"); return err })
	wantCode(t, err, contractorops.CodeNotFound)
	err = in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Insert(ctx, plain, r) })
	wantCode(t, err, contractorops.CodeConflict)
}

func testUpdate(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		return tx.Insert(ctx, plain, row("c1", "name", "a"))
	}))
	up := row("c1", "name", "b")
	up.Version = 1
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Update(ctx, plain, up) }))
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		got, err := tx.Get(ctx, plain, "c1")
		if err != nil {
			return err
		}
		if got.Version != 2 || got.Keys["name"] != "b" {
			t.Errorf("after update: version %d keys %v", got.Version, got.Keys)
		}
		sameJSON(t, got.Data, up.Data)
		return nil
	}))
	stale := row("c1", "name", "c")
	stale.Version = 1
	wantCode(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Update(ctx, plain, stale) }), contractorops.CodeConflict)
	missing := row("c9")
	missing.Version = 1
	wantCode(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Update(ctx, plain, missing) }), contractorops.CodeNotFound)
	// A key can be removed by an update.
	cleared := row("c1")
	cleared.Version = 2
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Update(ctx, plain, cleared) }))
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		rows, err := tx.Find(ctx, plain, contractorops.Query{Where: []contractorops.Cond{contractorops.Eq("name", "b")}})
		if len(rows) != 0 {
			t.Errorf("a cleared key still matches: %v", rows)
		}
		return err
	}))
}

func testDelete(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Insert(ctx, plain, row("c1")) }))
	wantCode(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Delete(ctx, plain, "c1", 7) }), contractorops.CodeConflict)
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Delete(ctx, plain, "c1", 1) }))
	wantCode(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { _, err := tx.Get(ctx, plain, "c1"); return err }), contractorops.CodeNotFound)
	wantCode(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Delete(ctx, plain, "c1", 1) }), contractorops.CodeNotFound)
}

func ids(rows []contractorops.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

func testFind(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	rows := []contractorops.Row{
		row("a", "name", "carol", "email", "x", "active", "true"),
		row("b", "name", "alice", "active", "true"),
		row("c", "name", "bob", "active", "false"),
		row("d", "name", "bob", "active", "true"),
		row("e", "email", "y"),
	}
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		for _, r := range rows {
			if err := tx.Insert(ctx, plain, r); err != nil {
				return err
			}
		}
		return nil
	}))
	tests := []struct {
		name string
		q    contractorops.Query
		want []string
	}{
		{"all by id", contractorops.Query{}, []string{"a", "b", "c", "d", "e"}},
		{"eq", contractorops.Query{Where: []contractorops.Cond{contractorops.Eq("name", "bob")}}, []string{"c", "d"}},
		{"two conditions", contractorops.Query{Where: []contractorops.Cond{contractorops.Eq("name", "bob"), contractorops.Eq("active", "true")}}, []string{"d"}},
		{"lt", contractorops.Query{Where: []contractorops.Cond{contractorops.Lt("name", "bob")}}, []string{"b"}},
		{"lte", contractorops.Query{Where: []contractorops.Cond{contractorops.Lte("name", "bob")}}, []string{"b", "c", "d"}},
		{"gt", contractorops.Query{Where: []contractorops.Cond{contractorops.Gt("name", "bob")}}, []string{"a"}},
		{"gte", contractorops.Query{Where: []contractorops.Cond{contractorops.Gte("name", "bob")}}, []string{"a", "c", "d"}},
		{"in", contractorops.Query{Where: []contractorops.Cond{contractorops.In("name", "alice", "carol", "zed")}}, []string{"a", "b"}},
		{"absent key never matches", contractorops.Query{Where: []contractorops.Cond{contractorops.Lt("email", "zzz")}}, []string{"a", "e"}},
		{"order by key", contractorops.Query{OrderBy: "name"}, []string{"b", "c", "d", "a"}},
		{"order by key desc", contractorops.Query{OrderBy: "name", Desc: true}, []string{"a", "d", "c", "b"}},
		{"order by id desc, limit", contractorops.Query{Desc: true, Limit: 2}, []string{"e", "d"}},
		{"order and filter", contractorops.Query{OrderBy: "name", Where: []contractorops.Cond{contractorops.Eq("active", "true")}, Limit: 2}, []string{"b", "d"}},
		{"after cursor", contractorops.Query{OrderBy: "name", After: &contractorops.Cursor{Value: "bob", ID: "c"}}, []string{"d", "a"}},
		{"after cursor desc", contractorops.Query{OrderBy: "name", Desc: true, After: &contractorops.Cursor{Value: "bob", ID: "d"}}, []string{"c", "b"}},
		{"after id cursor", contractorops.Query{After: &contractorops.Cursor{ID: "c"}}, []string{"d", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
				got, err := tx.Find(ctx, plain, tt.q)
				if err != nil {
					return err
				}
				if g := ids(got); !reflect.DeepEqual(g, tt.want) && !(len(g) == 0 && len(tt.want) == 0) {
					t.Errorf("Find = %v, want %v", g, tt.want)
				}
				return nil
			}))
		})
	}
}

func testPaging(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	const n = 57
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		for i := range n {
			id := fmt.Sprintf("r%03d", i)
			// Many ties on the sort key: the id breaks them.
			if err := tx.Insert(ctx, plain, row(id, "name", fmt.Sprintf("n%d", i%5))); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, desc := range []bool{false, true} {
		var got []contractorops.Row
		var after *contractorops.Cursor
		for page := 0; page < 100; page++ {
			var rows []contractorops.Row
			must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
				var err error
				rows, err = tx.Find(ctx, plain, contractorops.Query{OrderBy: "name", Desc: desc, After: after, Limit: 10})
				return err
			}))
			got = append(got, rows...)
			if len(rows) < 10 {
				break
			}
			last := rows[len(rows)-1]
			after = &contractorops.Cursor{Value: last.Keys["name"], ID: last.ID}
		}
		if len(got) != n {
			t.Fatalf("desc=%v: paging returned %d rows, want %d", desc, len(got), n)
		}
		seen := map[string]bool{}
		for i, r := range got {
			if seen[r.ID] {
				t.Fatalf("desc=%v: row %s returned twice", desc, r.ID)
			}
			seen[r.ID] = true
			if i == 0 {
				continue
			}
			p := got[i-1]
			less := p.Keys["name"] < r.Keys["name"] || (p.Keys["name"] == r.Keys["name"] && p.ID < r.ID)
			if less == desc {
				t.Fatalf("desc=%v: %s/%s then %s/%s is out of order", desc, p.Keys["name"], p.ID, r.Keys["name"], r.ID)
			}
		}
	}
}

func testUnique(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		return tx.Insert(ctx, unique, row("x1", "seq", "1"))
	}))
	wantCode(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		return tx.Insert(ctx, unique, row("x2", "seq", "1"))
	}), contractorops.CodeConflict)
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		return tx.Insert(ctx, unique, row("x2", "seq", "2"))
	}))
	dup := row("x2", "seq", "1")
	dup.Version = 1
	wantCode(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error { return tx.Update(ctx, unique, dup) }), contractorops.CodeConflict)
	// Rows without the key are not constrained, and other organizations
	// have keys of their own.
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		if err := tx.Insert(ctx, unique, row("x3")); err != nil {
			return err
		}
		return tx.Insert(ctx, unique, row("x4"))
	}))
	must(t, in(t, s, newOrg(t), func(ctx context.Context, tx contractorops.Tx) error {
		return tx.Insert(ctx, unique, row("x9", "seq", "1"))
	}))
}

func testRollback(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	boom := errors.New("boom")
	err := in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		if err := tx.Insert(ctx, plain, row("c1")); err != nil {
			return err
		}
		if _, err := tx.NextNumber(ctx, "job"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want the function's error", err)
	}
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		if _, err := tx.Get(ctx, plain, "c1"); err == nil {
			t.Error("a rolled-back insert is visible")
		}
		n, err := tx.NextNumber(ctx, "job")
		if n != 1 {
			t.Errorf("after a rolled-back transaction the next number is %d, want 1", n)
		}
		return err
	}))
}

func testReadYourWrites(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		if err := tx.Insert(ctx, plain, row("c1", "name", "a")); err != nil {
			return err
		}
		if r, err := tx.Get(ctx, plain, "c1"); err != nil || r.Version != 1 {
			t.Errorf("own insert: %v %v", r, err)
		}
		up := row("c1", "name", "b")
		up.Version = 1
		if err := tx.Update(ctx, plain, up); err != nil {
			return err
		}
		rows, err := tx.Find(ctx, plain, contractorops.Query{Where: []contractorops.Cond{contractorops.Eq("name", "b")}})
		if err != nil || len(rows) != 1 || rows[0].Version != 2 {
			t.Errorf("own update not found: %v %v", rows, err)
		}
		if err := tx.Delete(ctx, plain, "c1", 2); err != nil {
			return err
		}
		if _, err := tx.Get(ctx, plain, "c1"); err == nil {
			t.Error("own delete still visible")
		}
		return nil
	}))
}

func testIsolation(t *testing.T, s contractorops.Store) {
	a, b := newOrg(t), newOrg(t)
	must(t, in(t, s, a, func(ctx context.Context, tx contractorops.Tx) error {
		return tx.Insert(ctx, other, row("t1", "name", "a"))
	}))
	must(t, in(t, s, b, func(ctx context.Context, tx contractorops.Tx) error {
		if _, err := tx.Get(ctx, other, "t1"); err == nil {
			t.Error("organization B reads A's row")
		}
		rows, err := tx.Find(ctx, other, contractorops.Query{})
		if len(rows) != 0 {
			t.Errorf("organization B finds A's rows: %v", ids(rows))
		}
		if err != nil {
			return err
		}
		up := row("t1", "name", "stolen")
		up.Version = 1
		if err := tx.Update(ctx, other, up); err == nil {
			t.Error("organization B updates A's row")
		}
		if err := tx.Delete(ctx, other, "t1", 1); err == nil {
			t.Error("organization B deletes A's row")
		}
		// The same id in another organization is another row.
		return tx.Insert(ctx, other, row("t1", "name", "b"))
	}))
	must(t, in(t, s, a, func(ctx context.Context, tx contractorops.Tx) error {
		r, err := tx.Get(ctx, other, "t1")
		if err == nil && (r.Keys["name"] != "a" || r.Version != 1) {
			t.Errorf("A's row changed: %+v", r)
		}
		return err
	}))
	if err := s.InTx(context.Background(), "", func(contractorops.Tx) error { return nil }); err == nil {
		t.Error("a transaction without an organization must fail")
	}
}

func testNumbers(t *testing.T, s contractorops.Store) {
	a, b := newOrg(t), newOrg(t)
	next := func(org, series string) int64 {
		var n int64
		must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
			var err error
			n, err = tx.NextNumber(ctx, series)
			return err
		}))
		return n
	}
	for want := int64(1); want <= 3; want++ {
		if got := next(a, "job-2026"); got != want {
			t.Errorf("job-2026 #%d = %d", want, got)
		}
	}
	if got := next(a, "invoice-2026"); got != 1 {
		t.Errorf("a new series starts at %d, want 1", got)
	}
	if got := next(b, "job-2026"); got != 1 {
		t.Errorf("another organization's series starts at %d, want 1", got)
	}
	must(t, in(t, s, a, func(ctx context.Context, tx contractorops.Tx) error {
		x, _ := tx.NextNumber(ctx, "job-2026")
		y, err := tx.NextNumber(ctx, "job-2026")
		if x != 4 || y != 5 {
			t.Errorf("two numbers in one transaction: %d, %d; want 4, 5", x, y)
		}
		return err
	}))
}

// testConcurrentUpdates runs read-modify-write transactions from many
// goroutines with retries on CONFLICT: no update may be lost.
func testConcurrentUpdates(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		r := row("ctr")
		r.Data = doc(map[string]any{"n": 0})
		return tx.Insert(ctx, plain, r)
	}))
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				for attempt := 0; ; attempt++ {
					err := in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
						r, err := tx.Get(ctx, plain, "ctr")
						if err != nil {
							return err
						}
						var v struct{ N int }
						if err := json.Unmarshal(r.Data, &v); err != nil {
							return err
						}
						r.Data = doc(map[string]any{"n": v.N + 1})
						return tx.Update(ctx, plain, r)
					})
					var e *contractorops.Error
					if errors.As(err, &e) && e.Code == contractorops.CodeConflict && attempt < 1000 {
						continue
					}
					if err != nil {
						errs <- err
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		r, err := tx.Get(ctx, plain, "ctr")
		if err != nil {
			return err
		}
		var v struct{ N int }
		_ = json.Unmarshal(r.Data, &v)
		if v.N != workers*each || r.Version != workers*each+1 {
			t.Errorf("counter = %d at version %d, want %d at %d", v.N, r.Version, workers*each, workers*each+1)
		}
		return nil
	}))
}

func testConcurrentNumbers(t *testing.T, s contractorops.Store) {
	org := newOrg(t)
	const n = 40
	got := make(chan int64, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			must(t, in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
				v, err := tx.NextNumber(ctx, "po")
				got <- v
				return err
			}))
		}()
	}
	wg.Wait()
	close(got)
	var all []int64
	for v := range got {
		all = append(all, v)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	for i, v := range all {
		if v != int64(i+1) {
			t.Fatalf("concurrent numbers %v are not 1..%d", all, n)
		}
	}
}

func testCancelledContext(t *testing.T, s contractorops.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.InTx(ctx, newOrg(t), func(contractorops.Tx) error { ran = true; return nil })
	if err == nil && ran {
		t.Error("InTx ran with a cancelled context")
	}
}
