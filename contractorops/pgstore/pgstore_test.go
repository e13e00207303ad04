package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
	"github.com/hestami-ai/opsengine/contractorops/storetest"
	"github.com/hestami-ai/opsengine/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// migrated returns the test database, migrated as its owner.
func migrated(t *testing.T) *pgtest.DB {
	t.Helper()
	db := pgtest.New(t)
	if _, err := pgstore.Migrate(context.Background(), db.OwnerURL, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

func connect(t *testing.T, url string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Connect(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestConformance(t *testing.T) {
	db := migrated(t)
	storetest.Exercise(t, func(t *testing.T) contractorops.Store { return connect(t, db.URL) })
}

func TestMigrateIsIdempotentAndCheckSchema(t *testing.T) {
	db := pgtest.Fresh(t)
	ctx := context.Background()
	store := connect(t, db.URL)
	if err := store.CheckSchema(ctx); err == nil {
		t.Fatal("CheckSchema passes on an empty database")
	}
	all, err := pgstore.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	applied, err := pgstore.Migrate(ctx, db.OwnerURL, nil)
	if err != nil || len(applied) != len(all) {
		t.Fatalf("first Migrate applied %v (%v), want %d migrations", applied, err, len(all))
	}
	again, err := pgstore.Migrate(ctx, db.OwnerURL, nil)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v (%v), want none", again, err)
	}
	if err := store.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}
}

// TestSchemaMatchesTables checks that the migrations create exactly the
// tables and key columns the engine declares, each with its unique keys and
// under forced row-level security.
func TestSchemaMatchesTables(t *testing.T) {
	db := migrated(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	rows, err := conn.Query(ctx, `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
			(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r'`)
	if err != nil {
		t.Fatal(err)
	}
	type tableInfo struct {
		name       string
		rls, force bool
		policies   int64
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tableInfo, error) {
		var ti tableInfo
		return ti, r.Scan(&ti.name, &ti.rls, &ti.force, &ti.policies)
	})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, ti := range tables {
		have[ti.name] = true
		if ti.name == "opsengine_schema_migrations" {
			continue
		}
		if !ti.rls || !ti.force || ti.policies < 1 {
			t.Errorf("table %s: row security %v, forced %v, %d policies; every tenant table needs all three", ti.name, ti.rls, ti.force, ti.policies)
		}
	}
	for _, spec := range contractorops.Tables() {
		if !have[spec.Name] {
			t.Errorf("table %s is declared but not migrated", spec.Name)
			continue
		}
		rows, err := conn.Query(ctx, `SELECT column_name, coalesce(collation_name, '') FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1`, spec.Name)
		if err != nil {
			t.Fatal(err)
		}
		type col struct{ name, collation string }
		cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (col, error) {
			var c col
			return c, r.Scan(&c.name, &c.collation)
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cols {
			switch c.name {
			case "organization_id", "id", "version", "data":
				continue
			}
			if c.collation != "C" {
				t.Errorf("%s.%s has collation %q; keys need \"C\" so that order is byte order", spec.Name, c.name, c.collation)
			}
			got = append(got, c.name)
		}
		want := slices.Clone(spec.Keys)
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s key columns = %v, declared %v", spec.Name, got, want)
		}
		for _, u := range spec.Unique {
			var n int
			cols := append([]string{"organization_id"}, u...)
			err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
				WHERE c.relname = $1 AND i.indisunique AND
				(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
				 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) = $2::text[]`, spec.Name, cols).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("%s: no unique index on %v", spec.Name, cols)
			}
		}
	}
}

// TestRowLevelSecurity proves, for every table, as the runtime role, that
// organization B cannot read, update or delete organization A's rows, and
// that a connection with no tenant set sees nothing and writes nothing.
func TestRowLevelSecurity(t *testing.T) {
	db := migrated(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const orgA, orgB = "0b0c0d0e-0000-4000-8000-00000000000a", "0b0c0d0e-0000-4000-8000-00000000000b"
	inOrg := func(org string, fn func(tx pgx.Tx) error) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if org != "" {
				if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", org); err != nil {
					return err
				}
			}
			return fn(tx)
		})
	}
	tables := []string{"counters"}
	for _, s := range contractorops.Tables() {
		tables = append(tables, s.Name)
	}
	for _, table := range tables {
		t.Run(table, func(t *testing.T) {
			id := "rls-" + table
			insert := fmt.Sprintf("INSERT INTO %s (organization_id, id, version, data) VALUES ($1, $2, 1, '{}')", table)
			args := []any{orgA, id}
			if table == "organizations" {
				args[1] = orgA
				id = orgA
			}
			if table == "counters" {
				insert = "INSERT INTO counters (organization_id, series, value) VALUES ($1, $2, 1)"
			}
			if err := inOrg(orgA, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, insert, args...); return err }); err != nil {
				t.Fatalf("organization A inserts its own row: %v", err)
			}
			key := "id"
			if table == "counters" {
				key = "series"
			}
			count := func(tx pgx.Tx) (n int) {
				if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			_ = inOrg(orgB, func(tx pgx.Tx) error {
				if n := count(tx); n != 0 {
					t.Errorf("organization B sees %d rows", n)
				}
				tag, err := tx.Exec(ctx, "UPDATE "+table+" SET organization_id = organization_id WHERE "+key+" = $1", id)
				if err != nil || tag.RowsAffected() != 0 {
					t.Errorf("organization B updates A's row: %v rows, %v", tag.RowsAffected(), err)
				}
				tag, err = tx.Exec(ctx, "DELETE FROM "+table+" WHERE "+key+" = $1", id)
				if err != nil || tag.RowsAffected() != 0 {
					t.Errorf("organization B deletes A's row: %v rows, %v", tag.RowsAffected(), err)
				}
				return nil
			})
			if err := inOrg(orgB, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, insert, orgA, "rls-2-"+table); return err }); err == nil {
				t.Error("organization B inserts a row for A")
			}
			_ = inOrg("", func(tx pgx.Tx) error {
				if n := count(tx); n != 0 {
					t.Errorf("no tenant set: %d rows visible", n)
				}
				return nil
			})
			if err := inOrg("", func(tx pgx.Tx) error { _, err := tx.Exec(ctx, insert, orgA, "rls-3-"+table); return err }); err == nil {
				t.Error("no tenant set: insert succeeded")
			}
			_ = inOrg(orgA, func(tx pgx.Tx) error {
				if n := count(tx); n != 1 {
					t.Errorf("organization A sees %d rows, want 1", n)
				}
				return nil
			})
		})
	}
}

func TestRuntimeRoleCannotChangeTheSchema(t *testing.T) {
	db := migrated(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{
		"ALTER TABLE customers DISABLE ROW LEVEL SECURITY",
		"ALTER TABLE customers NO FORCE ROW LEVEL SECURITY",
		"DROP POLICY tenant_isolation ON customers",
		"CREATE TABLE sneaky (id int)",
	} {
		if _, err := conn.Exec(ctx, stmt); err == nil {
			t.Errorf("the runtime role ran %q", stmt)
		}
	}
}

// TestCAMRowLevelSecurity proves the policies of the rows two organizations
// share, as the runtime role: an association sees a contractor's published
// compliance only while it holds an APPROVED link with it, and never any
// other row of the contractor; a third organization sees neither the link
// nor the snapshot; with no tenant set nothing is visible.
func TestCAMRowLevelSecurity(t *testing.T) {
	db := migrated(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const (
		contractor  = "0c0a0000-0000-4000-8000-00000000000c"
		association = "0c0a0000-0000-4000-8000-00000000000a"
		third       = "0c0a0000-0000-4000-8000-000000000003"
		linkID      = "rls-cam-link"
	)
	inOrg := func(org string, fn func(tx pgx.Tx) error) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if org != "" {
				if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", org); err != nil {
					return err
				}
			}
			return fn(tx)
		})
	}
	exec := func(org, sql string, args ...any) (int64, error) {
		var n int64
		err := inOrg(org, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, sql, args...)
			n = tag.RowsAffected()
			return err
		})
		return n, err
	}
	count := func(org, sql string, args ...any) int {
		t.Helper()
		var n int
		if err := inOrg(org, func(tx pgx.Tx) error { return tx.QueryRow(ctx, sql, args...).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	published := func(org string) int {
		t.Helper()
		return count(org, "SELECT count(*) FROM cam_published_compliance WHERE organization_id = $1", contractor)
	}

	// The contractor: one row in every tenant table, and its snapshot.
	for _, s := range contractorops.Tables() {
		id := "rls-cam-" + s.Name
		if s.Name == "organizations" {
			id = contractor
		}
		if _, err := exec(contractor, "INSERT INTO "+s.Name+" (organization_id, id, version, data) VALUES ($1, $2, 1, '{}')", contractor, id); err != nil {
			t.Fatalf("the contractor inserts into %s: %v", s.Name, err)
		}
	}
	if _, err := exec(contractor, "INSERT INTO cam_published_compliance (organization_id, version, data) VALUES ($1, 1, '{\"compliant\":true}')", contractor); err != nil {
		t.Fatal(err)
	}
	if _, err := exec(association, "INSERT INTO cam_published_compliance (organization_id, version, data) VALUES ($1, 1, '{}')", contractor); err == nil {
		t.Error("an association publishes for the contractor")
	}
	otherTablesEmpty := func(org, when string) {
		t.Helper()
		for _, s := range contractorops.Tables() {
			if n := count(org, "SELECT count(*) FROM "+s.Name+" WHERE organization_id = $1", contractor); n != 0 {
				t.Errorf("%s: %s sees %d of the contractor's %s rows", when, org, n, s.Name)
			}
		}
	}
	if n := published(contractor); n != 1 {
		t.Fatalf("the contractor sees %d snapshots of its own", n)
	}
	if n := published(association); n != 0 {
		t.Fatalf("no link: the association sees %d snapshots", n)
	}

	// The association requests a link: a PENDING link shows nothing.
	if _, err := exec(association, `INSERT INTO cam_links (id, version, association_org_id, contractor_org_id, status, data)
		VALUES ($1, 1, $2, $3, 'APPROVED', '{}')`, linkID, association, contractor); err == nil {
		t.Fatal("a link is born APPROVED")
	}
	if _, err := exec(third, `INSERT INTO cam_links (id, version, association_org_id, contractor_org_id, status, data)
		VALUES ($1, 1, $2, $3, 'PENDING', '{}')`, linkID, association, contractor); err == nil {
		t.Fatal("a third organization inserts a link between two others")
	}
	if _, err := exec(association, `INSERT INTO cam_links (id, version, association_org_id, contractor_org_id, status, data)
		VALUES ($1, 1, $2, $3, 'PENDING', '{}')`, linkID, association, contractor); err != nil {
		t.Fatal(err)
	}
	if n := published(association); n != 0 {
		t.Fatalf("pending: the association sees %d snapshots", n)
	}
	if _, err := exec(association, "UPDATE cam_links SET status = 'APPROVED' WHERE id = $1", linkID); err == nil {
		t.Fatal("the association approves its own link")
	}
	if n, err := exec(third, "UPDATE cam_links SET status = 'REVOKED' WHERE id = $1", linkID); err != nil || n != 0 {
		t.Fatalf("a third organization updates the link: %d rows, %v", n, err)
	}
	if _, err := exec(association, "UPDATE cam_links SET contractor_org_id = $2 WHERE id = $1", linkID, third); err == nil {
		t.Fatal("a link changes parties")
	}

	// Approved by the contractor: the snapshot, and only it.
	if n, err := exec(contractor, "UPDATE cam_links SET status = 'APPROVED' WHERE id = $1", linkID); err != nil || n != 1 {
		t.Fatalf("the contractor approves: %d rows, %v", n, err)
	}
	if n := published(association); n != 1 {
		t.Fatalf("approved: the association sees %d snapshots, want 1", n)
	}
	otherTablesEmpty(association, "approved")
	if n, err := exec(association, "UPDATE cam_published_compliance SET data = '{}' WHERE organization_id = $1", contractor); err != nil || n != 0 {
		t.Fatalf("the association rewrites the snapshot: %d rows, %v", n, err)
	}
	for _, q := range []string{"SELECT count(*) FROM cam_links", "SELECT count(*) FROM cam_published_compliance WHERE organization_id = $1"} {
		args := []any{}
		if strings.Contains(q, "$1") {
			args = append(args, contractor)
		}
		if n := count(third, q, args...); n != 0 {
			t.Errorf("a third organization: %q = %d", q, n)
		}
		if n := count("", q, args...); n != 0 {
			t.Errorf("no tenant set: %q = %d", q, n)
		}
	}
	if n := count(contractor, "SELECT count(*) FROM cam_links WHERE id = $1", linkID); n != 1 {
		t.Errorf("the contractor sees %d links", n)
	}

	// Suspended: hidden again.
	if _, err := exec(contractor, "UPDATE cam_links SET status = 'SUSPENDED' WHERE id = $1", linkID); err != nil {
		t.Fatal(err)
	}
	if n := published(association); n != 0 {
		t.Fatalf("suspended: the association sees %d snapshots", n)
	}
	otherTablesEmpty(association, "suspended")
}
