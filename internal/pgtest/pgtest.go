package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables read by this package.
const (
	EnvURL     = "TEST_DATABASE_URL"
	EnvRequire = "OPSENGINE_REQUIRE_PG"
)

// Role names and password of the test roles. They are cluster-wide and shared
// by every test binary; each database grants them what it needs.
const (
	OwnerRole   = "opsengine_test_owner"
	RuntimeRole = "opsengine_test_app"
	rolePass    = "opsengine_test"
	dbPrefix    = "opsengine_t_"
	staleAfter  = 6 * time.Hour
)

// DB is one test database and the URLs to reach it as each role.
type DB struct {
	Name     string // database name
	AdminURL string // the TEST_DATABASE_URL role, connected to this database
	OwnerURL string // owns the schema: run migrations as this role
	URL      string // the runtime role: NOSUPERUSER NOBYPASSRLS, DML only
}

var shared struct {
	once sync.Once
	db   *DB
	err  error
}

// New returns the test binary's shared database, creating it on first use.
// It skips the test when TEST_DATABASE_URL is unset (fails when
// OPSENGINE_REQUIRE_PG=1).
func New(t testing.TB) *DB {
	t.Helper()
	admin := adminURL(t)
	shared.once.Do(func() { shared.db, shared.err = create(admin) })
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
	return shared.db
}

// URL returns the runtime role's URL of the test binary's shared database.
func URL(t testing.TB) string {
	t.Helper()
	return New(t).URL
}

// Fresh returns a database of its own for this test, dropped when the test
// ends. Use it when a test changes the schema or needs an empty database.
func Fresh(t testing.TB) *DB {
	t.Helper()
	admin := adminURL(t)
	db, err := create(admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(admin, db.Name); err != nil {
			t.Errorf("pgtest: drop %s: %v", db.Name, err)
		}
	})
	return db
}

// Main runs the tests and drops the shared database if one was created.
func Main(m *testing.M) {
	code := m.Run()
	if shared.db != nil {
		if err := drop(os.Getenv(EnvURL), shared.db.Name); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: drop %s: %v\n", shared.db.Name, err)
		}
	}
	os.Exit(code)
}

// Required reports whether OPSENGINE_REQUIRE_PG asks for Postgres tests to fail
// rather than skip when no database is configured.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

func adminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if Required() {
			t.Fatalf("pgtest: %s is not set and %s=1: this test needs PostgreSQL (scripts/test provides one)", EnvURL, EnvRequire)
		}
		t.Skipf("pgtest: %s is not set; skipping a test that needs PostgreSQL", EnvURL)
	}
	return u
}

// WithUser returns rawURL with its user, password and database replaced.
func WithUser(rawURL, user, password, database string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL, got %q", EnvURL, rawURL)
	}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	if database != "" {
		u.Path = "/" + database
	}
	return u.String(), nil
}

func create(admin string) (*DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", EnvURL, err)
	}
	defer conn.Close(ctx)

	if err := ensureRoles(ctx, conn); err != nil {
		return nil, err
	}
	sweep(ctx, conn)

	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return nil, err
	}
	name := dbPrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + hex.EncodeToString(suffix[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" OWNER "+OwnerRole); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}

	db := &DB{Name: name}
	if db.AdminURL, err = WithUser(admin, "", "", name); err != nil {
		return nil, err
	}
	if db.OwnerURL, err = WithUser(admin, OwnerRole, rolePass, name); err != nil {
		return nil, err
	}
	if db.URL, err = WithUser(admin, RuntimeRole, rolePass, name); err != nil {
		return nil, err
	}
	if err := grant(ctx, db.AdminURL); err != nil {
		_ = drop(admin, name)
		return nil, err
	}
	return db, nil
}

// ensureRoles creates the two roles once per cluster. Test binaries run in
// parallel, so creation is serialized with an advisory lock.
func ensureRoles(ctx context.Context, conn *pgx.Conn) error {
	const lockKey = 7_406_281_001
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return fmt.Errorf("lock roles: %w", err)
	}
	defer conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck // released with the session anyway
	for _, r := range []struct{ name, attrs string }{
		{OwnerRole, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB"},
		{RuntimeRole, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB"},
	} {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", r.name).Scan(&exists); err != nil {
			return fmt.Errorf("look up role %s: %w", r.name, err)
		}
		verb := "ALTER"
		if !exists {
			verb = "CREATE"
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("%s ROLE %s %s PASSWORD '%s'", verb, r.name, r.attrs, rolePass)); err != nil {
			return fmt.Errorf("%s role %s: %w", strings.ToLower(verb), r.name, err)
		}
	}
	return nil
}

// grant gives the runtime role DML on everything the owner creates in public.
func grant(ctx context.Context, dbAdminURL string) error {
	conn, err := pgx.Connect(ctx, dbAdminURL)
	if err != nil {
		return fmt.Errorf("connect to test database: %w", err)
	}
	defer conn.Close(ctx)
	stmts := []string{
		"REVOKE ALL ON SCHEMA public FROM PUBLIC",
		"ALTER SCHEMA public OWNER TO " + OwnerRole,
		"GRANT CONNECT ON DATABASE " + conn.Config().Database + " TO " + RuntimeRole,
		"GRANT USAGE ON SCHEMA public TO " + RuntimeRole,
		"ALTER DEFAULT PRIVILEGES FOR ROLE " + OwnerRole + " IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + RuntimeRole,
		"ALTER DEFAULT PRIVILEGES FOR ROLE " + OwnerRole + " IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO " + RuntimeRole,
		"ALTER DEFAULT PRIVILEGES FOR ROLE " + OwnerRole + " IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO " + RuntimeRole,
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// sweep drops test databases left behind by binaries that did not end in
// Main (a crash, a missing TestMain) once they are stale. Best effort.
func sweep(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE $1", dbPrefix+"%")
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-staleAfter).Unix()
	for _, n := range names {
		parts := strings.SplitN(strings.TrimPrefix(n, dbPrefix), "_", 2)
		created, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil || created >= cutoff {
			continue
		}
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
	}
}

func drop(admin, name string) error {
	if admin == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}
