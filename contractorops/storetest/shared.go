package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
)

// shared runs fn with the transaction's shared rows (contractorops.SharedTx).
func shared(t *testing.T, s contractorops.Store, org string, fn func(ctx context.Context, sh contractorops.SharedTx) error) error {
	t.Helper()
	return in(t, s, org, func(ctx context.Context, tx contractorops.Tx) error {
		return fn(ctx, tx.(contractorops.SharedTx))
	})
}

// testShared checks the rows two organizations share: a link is visible and
// writable by its two parties only, born PENDING, approved by its
// contractor only; a published snapshot is readable by its owner and by the
// associations holding an APPROVED link with it; both roll back.
func testShared(t *testing.T, s contractorops.Store) {
	probe := false
	_ = s.InTx(context.Background(), newOrg(t), func(tx contractorops.Tx) error {
		_, probe = tx.(contractorops.SharedTx)
		return nil
	})
	if !probe {
		t.Skip("the store's transactions do not implement contractorops.SharedTx")
	}
	assoc, contractor, third := newOrg(t), newOrg(t), newOrg(t)
	link := contractorops.LinkRow{ID: "link-" + assoc, Association: assoc, Contractor: contractor, Status: contractorops.LinkPending, Data: doc(map[string]any{"note": "hi"})}
	readable := func(org string, owners ...string) int {
		t.Helper()
		var n int
		must(t, shared(t, s, org, func(ctx context.Context, sh contractorops.SharedTx) error {
			rows, err := sh.FindPublished(ctx, owners...)
			n = len(rows)
			return err
		}))
		return n
	}
	snapshot := doc(map[string]any{"compliant": true})

	// Rolled back, a link and a snapshot leave nothing.
	boom := errors.New("boom")
	err := shared(t, s, assoc, func(ctx context.Context, sh contractorops.SharedTx) error {
		if err := sh.InsertLink(ctx, link); err != nil {
			return err
		}
		if rows, err := sh.FindLinks(ctx, contractor); err != nil || len(rows) != 1 {
			t.Errorf("the inserting transaction finds %d links, %v", len(rows), err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v", err)
	}
	err = shared(t, s, contractor, func(ctx context.Context, sh contractorops.SharedTx) error {
		if err := sh.Publish(ctx, snapshot); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v", err)
	}
	if n := readable(contractor); n != 0 {
		t.Fatalf("a rolled-back snapshot is visible (%d)", n)
	}
	must(t, shared(t, s, assoc, func(ctx context.Context, sh contractorops.SharedTx) error {
		_, err := sh.GetLink(ctx, link.ID)
		wantCode(t, err, contractorops.CodeNotFound)
		return nil
	}))

	// Who may insert what.
	// (A refused write ends its transaction, as in Postgres.)
	wantCode(t, shared(t, s, third, func(ctx context.Context, sh contractorops.SharedTx) error {
		return sh.InsertLink(ctx, link)
	}), contractorops.CodeForbidden)
	wantCode(t, shared(t, s, assoc, func(ctx context.Context, sh contractorops.SharedTx) error {
		born := link
		born.ID, born.Status = "born-approved-"+assoc, contractorops.LinkApproved
		return sh.InsertLink(ctx, born)
	}), contractorops.CodeForbidden)
	must(t, shared(t, s, assoc, func(ctx context.Context, sh contractorops.SharedTx) error { return sh.InsertLink(ctx, link) }))
	must(t, shared(t, s, contractor, func(ctx context.Context, sh contractorops.SharedTx) error { return sh.Publish(ctx, snapshot) }))
	wantCode(t, shared(t, s, contractor, func(ctx context.Context, sh contractorops.SharedTx) error {
		dup := link
		dup.ID = "second-" + assoc
		return sh.InsertLink(ctx, dup)
	}), contractorops.CodeConflict)

	// Both parties see the link; a third organization does not.
	for _, org := range []string{assoc, contractor} {
		must(t, shared(t, s, org, func(ctx context.Context, sh contractorops.SharedTx) error {
			got, err := sh.GetLink(ctx, link.ID)
			if err != nil {
				return err
			}
			if got.Version != 1 || got.Association != assoc || got.Contractor != contractor || got.Status != contractorops.LinkPending {
				t.Errorf("%s reads %+v", org, got)
			}
			sameJSON(t, got.Data, link.Data)
			for _, cp := range []string{"", assoc, contractor} {
				if cp == org {
					continue
				}
				if rows, err := sh.FindLinks(ctx, cp); err != nil || len(rows) != 1 {
					t.Errorf("%s finds %d links with %q, %v", org, len(rows), cp, err)
				}
			}
			if rows, err := sh.FindLinks(ctx, third); err != nil || len(rows) != 0 {
				t.Errorf("%s finds %d links with a third organization, %v", org, len(rows), err)
			}
			return nil
		}))
	}
	must(t, shared(t, s, third, func(ctx context.Context, sh contractorops.SharedTx) error {
		_, err := sh.GetLink(ctx, link.ID)
		wantCode(t, err, contractorops.CodeNotFound)
		if rows, err := sh.FindLinks(ctx, ""); err != nil || len(rows) != 0 {
			t.Errorf("a third organization finds %d links, %v", len(rows), err)
		}
		up := link
		up.Version, up.Status = 1, contractorops.LinkRevoked
		wantCode(t, sh.UpdateLink(ctx, up), contractorops.CodeNotFound)
		return nil
	}))

	// Pending: the snapshot is its owner's only.
	if n := readable(contractor, contractor); n != 1 {
		t.Fatalf("the owner reads %d snapshots of its own", n)
	}
	for _, org := range []string{assoc, third} {
		if n := readable(org, contractor) + readable(org); n != 0 {
			t.Fatalf("pending: %s reads %d snapshots", org, n)
		}
	}

	// Only the contractor approves; a stale version conflicts.
	approve := link
	approve.Version, approve.Status, approve.Data = 1, contractorops.LinkApproved, doc(map[string]any{"note": "approved"})
	wantCode(t, shared(t, s, assoc, func(ctx context.Context, sh contractorops.SharedTx) error {
		return sh.UpdateLink(ctx, approve)
	}), contractorops.CodeForbidden)
	must(t, shared(t, s, contractor, func(ctx context.Context, sh contractorops.SharedTx) error { return sh.UpdateLink(ctx, approve) }))
	must(t, shared(t, s, contractor, func(ctx context.Context, sh contractorops.SharedTx) error {
		wantCode(t, sh.UpdateLink(ctx, approve), contractorops.CodeConflict)
		got, err := sh.GetLink(ctx, link.ID)
		if err == nil && (got.Version != 2 || got.Status != contractorops.LinkApproved) {
			t.Errorf("approved link = %+v", got)
		}
		return err
	}))

	// Approved: the association reads the latest snapshot; no one else.
	latest := doc(map[string]any{"compliant": false, "blocked": true})
	must(t, shared(t, s, contractor, func(ctx context.Context, sh contractorops.SharedTx) error { return sh.Publish(ctx, latest) }))
	must(t, shared(t, s, assoc, func(ctx context.Context, sh contractorops.SharedTx) error {
		rows, err := sh.FindPublished(ctx)
		if err != nil {
			return err
		}
		if len(rows) != 1 || rows[0].Owner != contractor || rows[0].Version != 2 {
			t.Fatalf("approved: the association reads %+v", rows)
		}
		sameJSON(t, rows[0].Data, latest)
		return nil
	}))
	if n := readable(third, contractor) + readable(third); n != 0 {
		t.Fatalf("a third organization reads %d snapshots", n)
	}
	// The association's own snapshot is not the contractor's to read.
	must(t, shared(t, s, assoc, func(ctx context.Context, sh contractorops.SharedTx) error {
		return sh.Publish(ctx, json.RawMessage(`{}`))
	}))
	if n := readable(contractor, assoc); n != 0 {
		t.Fatalf("the contractor reads the association's snapshot")
	}

	// Suspended: hidden again.
	suspend := approve
	suspend.Version, suspend.Status = 2, contractorops.LinkSuspended
	must(t, shared(t, s, assoc, func(ctx context.Context, sh contractorops.SharedTx) error { return sh.UpdateLink(ctx, suspend) }))
	if n := readable(assoc, contractor); n != 0 {
		t.Fatalf("suspended: the association reads %d snapshots", n)
	}
}
