package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hestami-ai/opsengine/contractorops"
)

// Store is a [contractorops.Store] on a Postgres connection pool.
type Store struct {
	pool  *pgxpool.Pool
	owned bool
}

var _ contractorops.Store = (*Store)(nil)

// New returns a store on pool, which must connect as the runtime role.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Config configures [Connect].
type Config struct {
	// MaxConns caps the pool's connections. Defaults to pgxpool's default
	// (the larger of 4 and the number of CPUs) unless the URL sets
	// pool_max_conns.
	MaxConns int32
}

// Connect opens a pool on url (the runtime role) and returns a store that
// owns it: Close closes the pool.
func Connect(ctx context.Context, url string, cfg *Config) (*Store, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	if cfg != nil && cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	return &Store{pool: pool, owned: true}, nil
}

// Pool returns the store's pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool if the store opened it.
func (s *Store) Close() {
	if s.owned {
		s.pool.Close()
	}
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// InTx runs fn in a read-committed transaction of org. Conflicts on
// optimistic versions and unique keys, serialization failures and deadlocks
// are retryable CONFLICT errors.
func (s *Store) InTx(ctx context.Context, org string, fn func(contractorops.Tx) error) error {
	if org == "" {
		return contractorops.NewError(contractorops.CodeForbidden, "pgstore: a transaction needs an organization")
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
	t, err := WrapTx(ctx, org, pgxQuerier{tx})
	if err != nil {
		return err
	}
	if err := fn(t); err != nil {
		return err
	}
	return mapError(tx.Commit(ctx))
}

// Querier is the part of a transaction pgstore uses. A pgx.Tx is one (see
// [PgxQuerier]); contractorops/durable adapts DBOS's transactions to it.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (rowsAffected int64, err error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// Rows is a cursor over query results.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result.
type Row interface {
	Scan(dest ...any) error
}

// PgxQuerier adapts a pgx transaction to [Querier].
func PgxQuerier(tx pgx.Tx) Querier { return pgxQuerier{tx} }

type pgxQuerier struct{ tx pgx.Tx }

func (q pgxQuerier) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.tx.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (q pgxQuerier) Query(ctx context.Context, sql string, args ...any) (Rows, error) {
	return q.tx.Query(ctx, sql, args...)
}

func (q pgxQuerier) QueryRow(ctx context.Context, sql string, args ...any) Row {
	return q.tx.QueryRow(ctx, sql, args...)
}

// WrapTx returns a [contractorops.Tx] on q, an open transaction, after
// setting its tenant to org (transaction-local). The caller commits.
func WrapTx(ctx context.Context, org string, q Querier) (contractorops.Tx, error) {
	if _, err := q.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", org); err != nil {
		return nil, mapError(err)
	}
	return &tx{q: q, org: org}, nil
}

// tx implements contractorops.Tx with SQL on the generic table shape.
type tx struct {
	q   Querier
	org string
}

func spec(table string) (contractorops.TableSpec, error) {
	s, ok := contractorops.TableByName(table)
	if !ok {
		return s, fmt.Errorf("pgstore: unknown table %q", table)
	}
	return s, nil
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func hasKey(s contractorops.TableSpec, key string) bool {
	for _, k := range s.Keys {
		if k == key {
			return true
		}
	}
	return false
}

// columns returns "version, data, k1, k2…" for a table.
func columns(s contractorops.TableSpec) string {
	var b strings.Builder
	b.WriteString("id, version, data")
	for _, k := range s.Keys {
		b.WriteString(", ")
		b.WriteString(ident(k))
	}
	return b.String()
}

// scanRow reads a row selected with columns(s).
func scanRow(s contractorops.TableSpec, r Row) (contractorops.Row, error) {
	var out contractorops.Row
	vals := make([]*string, len(s.Keys))
	dest := []any{&out.ID, &out.Version, &out.Data}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	if err := r.Scan(dest...); err != nil {
		return out, err
	}
	out.Keys = map[string]string{}
	for i, k := range s.Keys {
		if vals[i] != nil {
			out.Keys[k] = *vals[i]
		}
	}
	return out, nil
}

func (t *tx) Get(ctx context.Context, table, id string) (contractorops.Row, error) {
	s, err := spec(table)
	if err != nil {
		return contractorops.Row{}, err
	}
	r, err := scanRow(s, t.q.QueryRow(ctx,
		"SELECT "+columns(s)+" FROM "+ident(table)+" WHERE organization_id = $1 AND id = $2", t.org, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, notFound(table, id)
	}
	return r, mapError(err)
}

func (t *tx) Find(ctx context.Context, table string, q contractorops.Query) ([]contractorops.Row, error) {
	s, err := spec(table)
	if err != nil {
		return nil, err
	}
	args := []any{t.org}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var where []string
	where = append(where, "organization_id = $1")
	for _, c := range q.Where {
		if !hasKey(s, c.Key) {
			return nil, fmt.Errorf("pgstore: %s has no key %q", table, c.Key)
		}
		col := ident(c.Key)
		switch c.Op {
		case contractorops.OpEq, contractorops.OpLt, contractorops.OpLte, contractorops.OpGt, contractorops.OpGte:
			where = append(where, col+" "+string(c.Op)+" "+arg(c.Value))
		case contractorops.OpIn:
			where = append(where, col+" = ANY("+arg(c.Values)+"::text[])")
		default:
			return nil, fmt.Errorf("pgstore: unknown operator %q", c.Op)
		}
	}
	order := "id"
	if q.OrderBy != "" {
		if !hasKey(s, q.OrderBy) {
			return nil, fmt.Errorf("pgstore: %s has no key %q", table, q.OrderBy)
		}
		order = ident(q.OrderBy)
		where = append(where, order+" IS NOT NULL")
	}
	dir, cmp := " ASC", " > "
	if q.Desc {
		dir, cmp = " DESC", " < "
	}
	if q.After != nil {
		if q.OrderBy == "" {
			where = append(where, "id"+cmp+arg(q.After.ID))
		} else {
			where = append(where, "("+order+", id)"+cmp+"("+arg(q.After.Value)+"::text COLLATE \"C\", "+arg(q.After.ID)+"::text COLLATE \"C\")")
		}
	}
	sql := "SELECT " + columns(s) + " FROM " + ident(table) + " WHERE " + strings.Join(where, " AND ") + " ORDER BY "
	if q.OrderBy != "" {
		sql += order + dir + ", "
	}
	sql += "id" + dir
	if q.Limit > 0 {
		sql += " LIMIT " + strconv.Itoa(q.Limit)
	}
	rows, err := t.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []contractorops.Row
	for rows.Next() {
		r, err := scanRow(s, rows)
		if err != nil {
			return nil, mapError(err)
		}
		out = append(out, r)
	}
	return out, mapError(rows.Err())
}

// keyArgs returns the table's key values in spec order, NULL for absent keys.
func keyArgs(s contractorops.TableSpec, r contractorops.Row) ([]any, error) {
	for k := range r.Keys {
		if !hasKey(s, k) {
			return nil, fmt.Errorf("pgstore: %s has no key %q", s.Name, k)
		}
	}
	out := make([]any, len(s.Keys))
	for i, k := range s.Keys {
		if v, ok := r.Keys[k]; ok {
			out[i] = v
		}
	}
	return out, nil
}

func (t *tx) Insert(ctx context.Context, table string, r contractorops.Row) error {
	s, err := spec(table)
	if err != nil {
		return err
	}
	keys, err := keyArgs(s, r)
	if err != nil {
		return err
	}
	args := append([]any{t.org, r.ID, []byte(r.Data)}, keys...)
	ph := make([]string, len(args))
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	ph[2] += "::jsonb"
	sql := "INSERT INTO " + ident(table) + " (organization_id, " + columns(s) + ") VALUES ($1, $2, 1, " + strings.Join(ph[2:], ", ") + ")"
	// columns(s) starts with "id, version, data": the placeholders line up
	// as organization_id=$1, id=$2, version=1, data=$3, keys=$4…
	_, err = t.q.Exec(ctx, sql, args...)
	if isUniqueViolation(err) {
		return conflict("%s %s: an entry with the same id or unique key already exists", contractorops.Singular(table), r.ID)
	}
	return mapError(err)
}

func (t *tx) Update(ctx context.Context, table string, r contractorops.Row) error {
	s, err := spec(table)
	if err != nil {
		return err
	}
	keys, err := keyArgs(s, r)
	if err != nil {
		return err
	}
	args := []any{t.org, r.ID, r.Version, []byte(r.Data)}
	sets := []string{"version = version + 1", "data = $4::jsonb"}
	for i, k := range s.Keys {
		args = append(args, keys[i])
		sets = append(sets, ident(k)+" = $"+strconv.Itoa(len(args)))
	}
	n, err := t.q.Exec(ctx, "UPDATE "+ident(table)+" SET "+strings.Join(sets, ", ")+
		" WHERE organization_id = $1 AND id = $2 AND version = $3", args...)
	if isUniqueViolation(err) {
		return conflict("%s %s: an entry with the same unique key already exists", contractorops.Singular(table), r.ID)
	}
	if err != nil {
		return mapError(err)
	}
	if n == 0 {
		return t.missingOrStale(ctx, table, r.ID, r.Version)
	}
	return nil
}

func (t *tx) Delete(ctx context.Context, table, id string, version int64) error {
	if _, err := spec(table); err != nil {
		return err
	}
	n, err := t.q.Exec(ctx, "DELETE FROM "+ident(table)+" WHERE organization_id = $1 AND id = $2 AND version = $3", t.org, id, version)
	if err != nil {
		return mapError(err)
	}
	if n == 0 {
		return t.missingOrStale(ctx, table, id, version)
	}
	return nil
}

// missingOrStale explains why a row was not written: absent, or at another
// version.
func (t *tx) missingOrStale(ctx context.Context, table, id string, version int64) error {
	var cur int64
	err := t.q.QueryRow(ctx, "SELECT version FROM "+ident(table)+" WHERE organization_id = $1 AND id = $2", t.org, id).Scan(&cur)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(table, id)
	}
	if err != nil {
		return mapError(err)
	}
	return conflict("%s %s changed since it was read (version %d, now %d)", contractorops.Singular(table), id, version, cur)
}

func (t *tx) NextNumber(ctx context.Context, series string) (int64, error) {
	var v int64
	err := t.q.QueryRow(ctx, `INSERT INTO counters (organization_id, series, value) VALUES ($1, $2, 1)
		ON CONFLICT (organization_id, series) DO UPDATE SET value = counters.value + 1 RETURNING value`, t.org, series).Scan(&v)
	return v, mapError(err)
}

func notFound(table, id string) error { return contractorops.RowNotFound(table, id) }

func conflict(format string, args ...any) error {
	return contractorops.NewError(contractorops.CodeConflict, format, args...)
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// mapError turns Postgres errors into engine errors: lost races are
// retryable CONFLICTs; everything else stays an internal error whose cause
// is kept for the logs.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01":
			return contractorops.WrapError(err, contractorops.CodeConflict, "the transaction lost a race with another; retry")
		case "23505":
			return contractorops.WrapError(err, contractorops.CodeConflict, "an entry with the same unique key already exists")
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return contractorops.WrapError(err, contractorops.CodeInternal, "database error")
}
