package memstore

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/hestami-ai/opsengine/contractorops"
)

// sharedState holds the rows two organizations share: the links and the
// published snapshots. A transaction that touches them holds mu from its
// first access to its end, which makes those transactions serializable.
// Lock order: an organization's lock, then mu; mu is never held while an
// organization's lock is taken.
type sharedState struct {
	mu        sync.Mutex
	links     map[string]contractorops.LinkRow      // by id
	published map[string]contractorops.PublishedRow // by owner
}

// sharedWrites are a transaction's buffered writes to the shared rows.
type sharedWrites struct {
	links     map[string]contractorops.LinkRow
	published *contractorops.PublishedRow
}

var _ contractorops.SharedTx = (*tx)(nil)

// acquireShared takes the shared rows' lock for the rest of the
// transaction.
func (t *tx) acquireShared() error {
	if err := t.check(); err != nil {
		return err
	}
	if t.shared == nil {
		t.s.shared.mu.Lock()
		t.shared = &sharedWrites{links: map[string]contractorops.LinkRow{}}
	}
	return nil
}

func (t *tx) releaseShared() {
	if t.shared != nil {
		t.shared = nil
		t.s.shared.mu.Unlock()
	}
}

func (t *tx) commitShared() {
	if t.shared == nil {
		return
	}
	for id, l := range t.shared.links {
		t.s.shared.links[id] = l
	}
	if p := t.shared.published; p != nil {
		t.s.shared.published[p.Owner] = *p
	}
}

// link returns the link id as this transaction sees it, whoever its
// parties are.
func (t *tx) link(id string) (contractorops.LinkRow, bool) {
	if l, ok := t.shared.links[id]; ok {
		return l, true
	}
	l, ok := t.s.shared.links[id]
	return l, ok
}

// links returns every link as this transaction sees it.
func (t *tx) links() []contractorops.LinkRow {
	all := make(map[string]contractorops.LinkRow, len(t.s.shared.links))
	for id, l := range t.s.shared.links {
		all[id] = l
	}
	for id, l := range t.shared.links {
		all[id] = l
	}
	out := make([]contractorops.LinkRow, 0, len(all))
	for _, l := range all {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b contractorops.LinkRow) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// party reports whether org is a party of l: the policy of the links.
func party(org string, l contractorops.LinkRow) bool {
	return org == l.Association || org == l.Contractor
}

func cloneLink(l contractorops.LinkRow) contractorops.LinkRow {
	l.Data = append(json.RawMessage(nil), l.Data...)
	return l
}

func (t *tx) GetLink(_ context.Context, id string) (contractorops.LinkRow, error) {
	if err := t.acquireShared(); err != nil {
		return contractorops.LinkRow{}, err
	}
	l, ok := t.link(id)
	if !ok || !party(t.org, l) {
		return contractorops.LinkRow{}, notFound("cam_links", id)
	}
	return cloneLink(l), nil
}

func (t *tx) FindLinks(_ context.Context, counterparty string) ([]contractorops.LinkRow, error) {
	if err := t.acquireShared(); err != nil {
		return nil, err
	}
	var out []contractorops.LinkRow
	for _, l := range t.links() {
		if party(t.org, l) && (counterparty == "" || party(counterparty, l)) {
			out = append(out, cloneLink(l))
		}
	}
	return out, nil
}

func (t *tx) InsertLink(_ context.Context, r contractorops.LinkRow) error {
	if err := t.acquireShared(); err != nil {
		return err
	}
	if !party(t.org, r) {
		return contractorops.NewError(contractorops.CodeForbidden, "memstore: an organization inserts only the links it is a party of")
	}
	if r.Status != contractorops.LinkPending {
		return contractorops.NewError(contractorops.CodeForbidden, "memstore: a link starts PENDING")
	}
	if r.Association == r.Contractor {
		return contractorops.NewError(contractorops.CodeInternal, "memstore: a link needs two organizations")
	}
	if _, ok := t.link(r.ID); ok {
		return conflict("link %s already exists", r.ID)
	}
	for _, l := range t.links() {
		if l.Association == r.Association && l.Contractor == r.Contractor {
			return conflict("a link between %s and %s already exists", r.Association, r.Contractor)
		}
	}
	r = cloneLink(r)
	r.Version = 1
	t.shared.links[r.ID] = r
	return nil
}

func (t *tx) UpdateLink(_ context.Context, r contractorops.LinkRow) error {
	if err := t.acquireShared(); err != nil {
		return err
	}
	cur, ok := t.link(r.ID)
	if !ok || !party(t.org, cur) {
		return notFound("cam_links", r.ID)
	}
	if cur.Version != r.Version {
		return conflict("link %s changed since it was read (version %d, now %d)", r.ID, r.Version, cur.Version)
	}
	if cur.Status == contractorops.LinkPending && r.Status == contractorops.LinkApproved && t.org != cur.Contractor {
		return contractorops.NewError(contractorops.CodeForbidden, "memstore: only the contractor approves a link")
	}
	// The parties never change.
	cur.Version, cur.Status, cur.Data = cur.Version+1, r.Status, append(json.RawMessage(nil), r.Data...)
	t.shared.links[r.ID] = cur
	return nil
}

func (t *tx) Publish(_ context.Context, data json.RawMessage) error {
	if err := t.acquireShared(); err != nil {
		return err
	}
	p := contractorops.PublishedRow{Owner: t.org, Version: 1, Data: append(json.RawMessage(nil), data...)}
	if t.shared.published != nil {
		p.Version = t.shared.published.Version + 1
	} else if old, ok := t.s.shared.published[t.org]; ok {
		p.Version = old.Version + 1
	}
	t.shared.published = &p
	return nil
}

// readable reports whether the transaction's organization may read owner's
// published snapshot: the policy of the published snapshots.
func (t *tx) readable(owner string) bool {
	if owner == t.org {
		return true
	}
	for _, l := range t.links() {
		if l.Association == t.org && l.Contractor == owner && l.Status == contractorops.LinkApproved {
			return true
		}
	}
	return false
}

func (t *tx) FindPublished(_ context.Context, owners ...string) ([]contractorops.PublishedRow, error) {
	if err := t.acquireShared(); err != nil {
		return nil, err
	}
	all := make(map[string]contractorops.PublishedRow, len(t.s.shared.published)+1)
	for o, p := range t.s.shared.published {
		all[o] = p
	}
	if p := t.shared.published; p != nil {
		all[p.Owner] = *p
	}
	var out []contractorops.PublishedRow
	for o, p := range all {
		if (len(owners) == 0 || slices.Contains(owners, o)) && t.readable(o) {
			p.Data = append(json.RawMessage(nil), p.Data...)
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b contractorops.PublishedRow) int { return strings.Compare(a.Owner, b.Owner) })
	return out, nil
}
