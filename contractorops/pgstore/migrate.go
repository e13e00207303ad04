package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrations embed.FS

// MigrationsFS returns the migrations: NNNN_name.up.sql and NNNN_name.down.sql
// files, for hosts that apply them with their own tool.
func MigrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the directory is embedded
	}
	return sub
}

// Migration is one schema version.
type Migration struct {
	Version int
	Name    string
	Up      string
}

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(MigrationsFS(), ".")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".up.sql")
		if !ok {
			continue
		}
		num, label, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("pgstore: migration %s has no number", e.Name())
		}
		body, err := fs.ReadFile(MigrationsFS(), e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: label, Up: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("pgstore: migration %d is missing", i+1)
		}
	}
	return out, nil
}

// MigrateOpts configures [Migrate].
type MigrateOpts struct {
	// RuntimeRole, when set, is granted what the engine needs at run time:
	// USAGE on the schema and SELECT, INSERT, UPDATE, DELETE on its tables.
	// It must be neither the owner, a superuser nor BYPASSRLS.
	RuntimeRole string
}

// ErrNotMigrated is returned by [CheckSchema] when the database lacks
// migrations this version of the engine needs.
var ErrNotMigrated = errors.New("pgstore: the database is not migrated")

const migrationsTable = "opsengine_schema_migrations"

// Migrate applies the migrations not applied yet, each in its own
// transaction, holding an advisory lock so that concurrent migrators wait for
// each other. Run it as the role that owns the schema. It returns the
// versions it applied.
func Migrate(ctx context.Context, url string, opts *MigrateOpts) ([]int, error) {
	if opts == nil {
		opts = &MigrateOpts{}
	}
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connect to migrate: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	const lockKey = 7_406_281_002
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return nil, fmt.Errorf("pgstore: lock migrations: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck // released with the session anyway
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+migrationsTable+` (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("pgstore: create %s: %w", migrationsTable, err)
	}
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range all {
		if done[m.Version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.Up); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO "+migrationsTable+" (version, name) VALUES ($1, $2)", m.Version, m.Name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("pgstore: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		applied = append(applied, m.Version)
	}
	if opts.RuntimeRole != "" {
		role := pgx.Identifier{opts.RuntimeRole}.Sanitize()
		for _, stmt := range []string{
			"GRANT USAGE ON SCHEMA public TO " + role,
			"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role,
			"REVOKE ALL ON " + migrationsTable + " FROM " + role,
			"GRANT SELECT ON " + migrationsTable + " TO " + role,
		} {
			if _, err := conn.Exec(ctx, stmt); err != nil {
				return applied, fmt.Errorf("pgstore: %s: %w", stmt, err)
			}
		}
	}
	return applied, nil
}

func appliedVersions(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) (map[int]bool, error) {
	rows, err := q.Query(ctx, "SELECT version FROM "+migrationsTable)
	if err != nil {
		return nil, fmt.Errorf("pgstore: read %s: %w", migrationsTable, err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, err
	}
	done := map[int]bool{}
	for _, v := range versions {
		done[int(v)] = true
	}
	return done, nil
}

// CheckSchema returns an error wrapping [ErrNotMigrated] that names the
// missing migrations when the database behind the store is not at this
// engine's schema version.
func (s *Store) CheckSchema(ctx context.Context) error {
	all, err := Migrations()
	if err != nil {
		return err
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", migrationsTable).Scan(&exists); err != nil {
		return fmt.Errorf("pgstore: check schema: %w", err)
	}
	if !exists {
		return fmt.Errorf("%w: no migration was ever applied (run the migrations, e.g. `opsd migrate`)", ErrNotMigrated)
	}
	done, err := appliedVersions(ctx, s.pool)
	if err != nil {
		return err
	}
	var missing []string
	for _, m := range all {
		if !done[m.Version] {
			missing = append(missing, path.Base(fmt.Sprintf("%04d_%s", m.Version, m.Name)))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s (run the migrations, e.g. `opsd migrate`)", ErrNotMigrated, strings.Join(missing, ", "))
	}
	return nil
}
