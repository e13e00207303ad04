package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hestami-ai/opsengine/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

func TestRuntimeRoleCannotBypassRLS(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	app := connect(t, db.URL)
	var super, bypass bool
	if err := app.QueryRow(ctx, "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&super, &bypass); err != nil {
		t.Fatal(err)
	}
	if super || bypass {
		t.Fatalf("runtime role: superuser=%v bypassrls=%v; row-level security would not be tested", super, bypass)
	}
}

func TestRowLevelSecurityIsEnforcedForTheRuntimeRole(t *testing.T) {
	db := pgtest.Fresh(t)
	ctx := context.Background()
	owner := connect(t, db.OwnerURL)
	for _, s := range []string{
		`CREATE TABLE notes (organization_id uuid NOT NULL, body text NOT NULL)`,
		`ALTER TABLE notes ENABLE ROW LEVEL SECURITY`,
		`ALTER TABLE notes FORCE ROW LEVEL SECURITY`,
		`CREATE POLICY tenant ON notes USING (organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
		 WITH CHECK (organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid)`,
	} {
		if _, err := owner.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}

	const orgA, orgB = "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b"
	app := connect(t, db.URL)
	inOrg := func(org string, fn func(tx pgx.Tx) error) error {
		return pgx.BeginFunc(ctx, app, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", org); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	count := func(tx pgx.Tx) (n int) {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := inOrg(orgA, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO notes VALUES ($1, 'a')", orgA)
		return err
	}); err != nil {
		t.Fatalf("insert own row: %v", err)
	}
	if err := inOrg(orgA, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO notes VALUES ($1, 'b')", orgB)
		return err
	}); err == nil {
		t.Fatal("inserting another organization's row succeeded")
	}
	_ = inOrg(orgB, func(tx pgx.Tx) error {
		if n := count(tx); n != 0 {
			t.Errorf("organization B sees %d of A's rows", n)
		}
		return nil
	})
	_ = inOrg(orgA, func(tx pgx.Tx) error {
		if n := count(tx); n != 1 {
			t.Errorf("organization A sees %d rows, want 1", n)
		}
		return nil
	})
	var n int
	if err := app.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil || n != 0 {
		t.Errorf("no tenant set: %d rows, err %v; want 0", n, err)
	}
}

func TestWithUser(t *testing.T) {
	got, err := pgtest.WithUser("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "u", "p", "d")
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgres://u:p@127.0.0.1:5432/d?sslmode=disable"; got != want {
		t.Errorf("WithUser = %q, want %q", got, want)
	}
	if _, err := pgtest.WithUser("host=localhost dbname=x", "u", "p", "d"); err == nil {
		t.Error("a keyword/value DSN must be refused with a clear error")
	}
}
