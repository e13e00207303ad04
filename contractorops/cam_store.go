package contractorops

import (
	"context"
	"encoding/json"
)

// SharedTx is the part of a transaction that reaches the only rows two
// organizations share: the association–vendor links ([Link]) and the
// compliance snapshot a contractor publishes to the associations it works
// for ([PublishedCompliance]). Every other row belongs to one organization
// and is reached through [Tx].
//
// The transaction stays bound to its organization, which is always one of
// the parties: a link row is visible and writable only by its association
// and its contractor; a published snapshot is writable only by its owner and
// readable by its owner and by the associations holding a link to it whose
// status is [LinkApproved]. The store enforces this itself (pgstore with
// row-level security policies over both tables, memstore with the same rule
// in Go), so that no bug in the engine can widen it.
//
// The transactions of memstore and pgstore implement SharedTx; the cam/v1
// procedures fail with INTERNAL_ERROR on a store whose transactions do not,
// and publishing compliance is then skipped.
type SharedTx interface {
	// GetLink returns the link id, or a NOT_FOUND *Error when there is
	// none of which the transaction's organization is a party.
	GetLink(ctx context.Context, id string) (LinkRow, error)
	// FindLinks returns the links of which the transaction's organization
	// is a party, ordered by id; when counterparty is not empty, only the
	// link with that organization.
	FindLinks(ctx context.Context, counterparty string) ([]LinkRow, error)
	// InsertLink adds r with version 1. The transaction's organization
	// must be one of its parties and r must be PENDING (FORBIDDEN
	// otherwise); a second link between the same two organizations is a
	// CONFLICT.
	InsertLink(ctx context.Context, r LinkRow) error
	// UpdateLink stores r's status and data if the link's stored version is
	// r.Version (a retryable CONFLICT otherwise), with version r.Version+1.
	// The parties of a link never change, and only the contractor moves a
	// PENDING link to APPROVED (FORBIDDEN otherwise): a store keeps an
	// association from approving itself even if the engine erred.
	UpdateLink(ctx context.Context, r LinkRow) error
	// Publish stores data as the transaction's organization's published
	// snapshot, replacing the previous one.
	Publish(ctx context.Context, data json.RawMessage) error
	// FindPublished returns the published snapshots the transaction's
	// organization may read — its own, and those of the contractors it
	// holds an APPROVED link with — among those of owners (every readable
	// one when owners is empty), ordered by owner.
	FindPublished(ctx context.Context, owners ...string) ([]PublishedRow, error)
}

// LinkRow is a stored link between an association and a contractor: the
// two parties and the status, which the store's visibility rules read, and
// the document.
type LinkRow struct {
	ID          string
	Version     int64
	Association string // the association's organization id
	Contractor  string // the contractor's organization id
	Status      LinkStatus
	Data        json.RawMessage
}

// PublishedRow is a stored published snapshot: its owner and the document.
type PublishedRow struct {
	Owner   string
	Version int64
	Data    json.RawMessage
}

// sharedTx returns the transaction's shared-row access.
func (t *txn) sharedTx() (SharedTx, error) {
	if s, ok := t.tx.(SharedTx); ok {
		return s, nil
	}
	return nil, NewError(CodeInternal, "the store keeps no rows shared between organizations (its transactions do not implement SharedTx)")
}
