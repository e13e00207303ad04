package pgstore

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hestami-ai/opsengine/contractorops"
)

// The rows two organizations share (migration 0009): cam_links and
// cam_published_compliance. The queries below name no organization but the
// transaction's own where they must; what else a row admits is decided by
// the tables' row-level security policies, not by these queries.

var _ contractorops.SharedTx = (*tx)(nil)

const linkColumns = "id, version, association_org_id::text, contractor_org_id::text, status, data"

func scanLink(r Row) (contractorops.LinkRow, error) {
	var l contractorops.LinkRow
	var status string
	err := r.Scan(&l.ID, &l.Version, &l.Association, &l.Contractor, &status, &l.Data)
	l.Status = contractorops.LinkStatus(status)
	return l, err
}

func (t *tx) GetLink(ctx context.Context, id string) (contractorops.LinkRow, error) {
	l, err := scanLink(t.q.QueryRow(ctx, "SELECT "+linkColumns+" FROM cam_links WHERE id = $1 AND $2::uuid IN (association_org_id, contractor_org_id)", id, t.org))
	if errors.Is(err, pgx.ErrNoRows) {
		return l, notFound("cam_links", id)
	}
	return l, mapError(err)
}

func (t *tx) FindLinks(ctx context.Context, counterparty string) ([]contractorops.LinkRow, error) {
	sql := "SELECT " + linkColumns + " FROM cam_links WHERE $1::uuid IN (association_org_id, contractor_org_id)"
	args := []any{t.org}
	if counterparty != "" {
		sql += " AND $2::uuid IN (association_org_id, contractor_org_id)"
		args = append(args, counterparty)
	}
	rows, err := t.q.Query(ctx, sql+" ORDER BY id", args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []contractorops.LinkRow
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, mapError(err)
		}
		out = append(out, l)
	}
	return out, mapError(rows.Err())
}

func (t *tx) InsertLink(ctx context.Context, r contractorops.LinkRow) error {
	if t.org != r.Association && t.org != r.Contractor {
		return contractorops.NewError(contractorops.CodeForbidden, "pgstore: an organization inserts only the links it is a party of")
	}
	_, err := t.q.Exec(ctx, `INSERT INTO cam_links (id, version, association_org_id, contractor_org_id, status, data)
		VALUES ($1, 1, $2, $3, $4, $5::jsonb)`, r.ID, r.Association, r.Contractor, string(r.Status), []byte(r.Data))
	if isUniqueViolation(err) {
		return conflict("a link between %s and %s already exists", r.Association, r.Contractor)
	}
	return guardError(err)
}

func (t *tx) UpdateLink(ctx context.Context, r contractorops.LinkRow) error {
	n, err := t.q.Exec(ctx, `UPDATE cam_links SET version = version + 1, status = $3, data = $4::jsonb
		WHERE id = $1 AND version = $2 AND $5::uuid IN (association_org_id, contractor_org_id)`, r.ID, r.Version, string(r.Status), []byte(r.Data), t.org)
	if err != nil {
		return guardError(err)
	}
	if n == 1 {
		return nil
	}
	var cur int64
	err = t.q.QueryRow(ctx, "SELECT version FROM cam_links WHERE id = $1 AND $2::uuid IN (association_org_id, contractor_org_id)", r.ID, t.org).Scan(&cur)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("cam_links", r.ID)
	}
	if err != nil {
		return mapError(err)
	}
	return conflict("link %s changed since it was read (version %d, now %d)", r.ID, r.Version, cur)
}

func (t *tx) Publish(ctx context.Context, data json.RawMessage) error {
	_, err := t.q.Exec(ctx, `INSERT INTO cam_published_compliance (organization_id, version, data) VALUES ($1, 1, $2::jsonb)
		ON CONFLICT (organization_id) DO UPDATE SET version = cam_published_compliance.version + 1, data = excluded.data`,
		t.org, []byte(data))
	return mapError(err)
}

func (t *tx) FindPublished(ctx context.Context, owners ...string) ([]contractorops.PublishedRow, error) {
	sql := "SELECT organization_id::text, version, data FROM cam_published_compliance"
	var args []any
	if len(owners) > 0 {
		sql += " WHERE organization_id = ANY($1::uuid[])"
		args = append(args, owners)
	}
	rows, err := t.q.Query(ctx, sql+" ORDER BY organization_id::text COLLATE \"C\"", args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []contractorops.PublishedRow
	for rows.Next() {
		var p contractorops.PublishedRow
		if err := rows.Scan(&p.Owner, &p.Version, &p.Data); err != nil {
			return nil, mapError(err)
		}
		out = append(out, p)
	}
	return out, mapError(rows.Err())
}

// guardError maps the refusals of cam_links' guard and policy (a check
// violation, a row the policy does not admit) to FORBIDDEN.
func guardError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "23514" || pe.Code == "42501") {
		return contractorops.WrapError(err, contractorops.CodeForbidden, "pgstore: %s", pe.Message)
	}
	return mapError(err)
}
