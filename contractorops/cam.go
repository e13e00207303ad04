package contractorops

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/invopop/validation"
)

// LinkStatus is the state of an association–vendor link.
type LinkStatus string

// The link states. Only an APPROVED link lets the association read the
// contractor's published compliance.
const (
	LinkPending   LinkStatus = "PENDING"
	LinkApproved  LinkStatus = "APPROVED"
	LinkRejected  LinkStatus = "REJECTED"
	LinkSuspended LinkStatus = "SUSPENDED"
	LinkRevoked   LinkStatus = "REVOKED"
)

// LinkSide names a party of a link.
type LinkSide string

// The two sides of a link.
const (
	SideAssociation LinkSide = "ASSOCIATION"
	SideContractor  LinkSide = "CONTRACTOR"
)

// Link is an association's approval of a contractor as its vendor: the
// explicit relationship through which the association sees the
// contractor's published compliance, and nothing else of it. An
// association (COMMUNITY_ASSOCIATION or MANAGEMENT_COMPANY) requests it; the
// contractor approves or rejects it; either side may suspend or revoke it.
// The side that suspended a link reinstates it. A rejected or revoked link
// may be requested again. Both organizations see the link.
type Link struct {
	Meta
	AssociationID   string     `json:"associationId"`
	AssociationName string     `json:"associationName"`
	ContractorID    string     `json:"contractorId"`
	ContractorName  string     `json:"contractorName"`
	Status          LinkStatus `json:"status"`
	// Note is the association's message with its request.
	Note string `json:"note,omitempty"`
	// SuspendedBy is the side that suspended the link, while SUSPENDED.
	SuspendedBy LinkSide `json:"suspendedBy,omitempty"`
	// History is every transition, oldest first.
	History []LinkTransition `json:"history"`
}

// LinkTransition is one change of a link's status: which side made it, not
// who (each side's audit trail names its own actor; the other side learns
// nothing of its people).
type LinkTransition struct {
	From   LinkStatus `json:"from,omitempty"`
	To     LinkStatus `json:"to"`
	Side   LinkSide   `json:"side"`
	Reason string     `json:"reason,omitempty"`
	At     time.Time  `json:"at"`
}

// linkAction is a step of a link's lifecycle.
type linkAction string

const (
	actionRequest   linkAction = "request"
	actionApprove   linkAction = "approve"
	actionReject    linkAction = "reject"
	actionSuspend   linkAction = "suspend"
	actionReinstate linkAction = "reinstate"
	actionRevoke    linkAction = "revoke"
)

// linkRule is who may take an action and from which states, to which.
type linkRule struct {
	sides []LinkSide
	from  []LinkStatus
	to    LinkStatus
}

// ruleFor returns the link lifecycle's rule for action.
func ruleFor(action linkAction) linkRule {
	either := []LinkSide{SideAssociation, SideContractor}
	switch action {
	case actionRequest:
		return linkRule{sides: []LinkSide{SideAssociation}, from: []LinkStatus{"", LinkRejected, LinkRevoked}, to: LinkPending}
	case actionApprove:
		return linkRule{sides: []LinkSide{SideContractor}, from: []LinkStatus{LinkPending}, to: LinkApproved}
	case actionReject:
		return linkRule{sides: []LinkSide{SideContractor}, from: []LinkStatus{LinkPending}, to: LinkRejected}
	case actionSuspend:
		return linkRule{sides: either, from: []LinkStatus{LinkApproved}, to: LinkSuspended}
	case actionReinstate:
		return linkRule{sides: either, from: []LinkStatus{LinkSuspended}, to: LinkApproved}
	case actionRevoke:
		return linkRule{sides: either, from: []LinkStatus{LinkPending, LinkApproved, LinkSuspended}, to: LinkRevoked}
	}
	panic(fmt.Sprintf("contractorops: no link rule for %q", action))
}

// transition applies action, taken by side, to l (a new link has no
// status): FORBIDDEN when the side may not take it, ILLEGAL_TRANSITION when
// the link's status does not allow it.
func (l *Link) transition(action linkAction, side LinkSide, reason string, at time.Time) error {
	r := ruleFor(action)
	if !slices.Contains(r.sides, side) {
		return NewError(CodeForbidden, "the %s side may not %s a link", sideName(side), action)
	}
	if !slices.Contains(r.from, l.Status) {
		if l.Status == "" {
			return NewError(CodeIllegalTransition, "no link to %s: request one first", action)
		}
		return NewError(CodeIllegalTransition, "cannot %s a %s link", action, l.Status)
	}
	if action == actionReinstate && l.SuspendedBy != side {
		return NewError(CodeForbidden, "only the side that suspended the link (%s) may reinstate it", sideName(l.SuspendedBy))
	}
	l.History = append(l.History, LinkTransition{From: l.Status, To: r.to, Side: side, Reason: reason, At: at})
	l.Status = r.to
	l.SuspendedBy = ""
	if r.to == LinkSuspended {
		l.SuspendedBy = side
	}
	return nil
}

func sideName(s LinkSide) string {
	if s == SideAssociation {
		return "association"
	}
	return "contractor"
}

// PublishedCompliance is what a contractor's compliance shows to the
// associations holding an APPROVED link with it: the verdict and its
// grounds, without the documents themselves. The contractor publishes it
// whenever its compliance is computed (refresh, licenses, insurance, block).
type PublishedCompliance struct {
	ContractorID            string    `json:"contractorId"`
	CheckedAt               time.Time `json:"checkedAt"`
	Compliant               bool      `json:"compliant"`
	Score                   int       `json:"score"`
	HasValidLicense         bool      `json:"hasValidLicense"`
	HasValidInsurance       bool      `json:"hasValidInsurance"`
	MeetsMinimumCoverage    bool      `json:"meetsMinimumCoverage"`
	W9OnFile                bool      `json:"w9OnFile"`
	EarliestLicenseExpiry   time.Time `json:"earliestLicenseExpiry,omitzero"`
	EarliestInsuranceExpiry time.Time `json:"earliestInsuranceExpiry,omitzero"`
	Blocked                 bool      `json:"blocked"`
	BlockReason             string    `json:"blockReason,omitempty"`
}

// publishCompliance publishes s as the organization's compliance snapshot,
// in the transaction that computed it. A store without shared rows
// publishes nothing.
func publishCompliance(t *txn, s *ComplianceStatus) error {
	sh, ok := t.tx.(SharedTx)
	if !ok {
		return nil
	}
	p := PublishedCompliance{
		ContractorID: t.org, CheckedAt: s.At, Compliant: s.Compliant, Score: s.Score,
		HasValidLicense: s.HasValidLicense, HasValidInsurance: s.HasValidInsurance,
		MeetsMinimumCoverage: s.MeetsMinimumCoverage, W9OnFile: s.W9OnFile,
		EarliestLicenseExpiry: s.EarliestLicenseExpiry, EarliestInsuranceExpiry: s.EarliestInsuranceExpiry,
		Blocked: s.Blocked,
	}
	if s.Blocked && s.Block != nil {
		p.BlockReason = s.Block.Reason
	}
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return sh.Publish(t.ctx, data)
}

// RequestLinkInput asks a contractor to become the association's vendor.
type RequestLinkInput struct {
	ContractorID string `json:"contractorId"`
	Note         string `json:"note,omitempty"`
}

// Validate checks the input.
func (in RequestLinkInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ContractorID, validation.Required, validation.By(uuidRule)),
		validation.Field(&in.Note, validation.Length(0, 1000)),
	)
}

// LinkActionInput names a link and says why.
type LinkActionInput struct {
	LinkID string `json:"linkId"`
	Reason string `json:"reason,omitempty"`
}

// Validate checks the input.
func (in LinkActionInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.LinkID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Reason, validation.Length(0, 1000)),
	)
}

// ListLinksInput filters the caller's links.
type ListLinksInput struct {
	Status LinkStatus `json:"status,omitempty"`
}

// Validate checks the input.
func (in ListLinksInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Status, validation.In(LinkPending, LinkApproved, LinkRejected, LinkSuspended, LinkRevoked)),
	)
}

// LinkList is the caller's links, on either side, ordered by id.
type LinkList struct {
	Items []Link `json:"items"`
}

// VendorComplianceInput asks for the published compliance of one linked
// contractor, or of all of them when ContractorID is empty.
type VendorComplianceInput struct {
	ContractorID string `json:"contractorId,omitempty"`
}

// Validate checks the input.
func (in VendorComplianceInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.ContractorID, validation.By(uuidRule)))
}

// VendorCompliance is one approved vendor of an association with the
// compliance it published; Compliance is nil until it publishes one.
type VendorCompliance struct {
	LinkID         string               `json:"linkId"`
	ContractorID   string               `json:"contractorId"`
	ContractorName string               `json:"contractorName"`
	Compliance     *PublishedCompliance `json:"compliance,omitempty"`
}

// VendorComplianceList is an association's approved vendors, ordered by
// contractor id.
type VendorComplianceList struct {
	Items []VendorCompliance `json:"items"`
}

func uuidRule(v any) error {
	if s, _ := v.(string); s != "" && !isUUID(s) {
		return validation.NewError("validation_uuid", "must be an organization id (a UUID)")
	}
	return nil
}

// CAMService runs the community-association side of the engine: the
// association–vendor links, the compliance contractors publish through
// them, and the delivery of CAM-origin jobs' events to the host's
// [CAMBridge].
type CAMService struct {
	request                                     proc[RequestLinkInput, Link]
	approve, reject, suspend, reinstate, revoke proc[LinkActionInput, Link]
	list                                        proc[ListLinksInput, LinkList]
	vendors                                     proc[VendorComplianceInput, VendorComplianceList]
	deliver                                     proc[DeliverInput, DeliveryReport]
	status                                      proc[DeliveryStatusInput, DeliveryStatus]
}

// RequestLink asks the contractor in.ContractorID to become the caller's
// vendor: a new PENDING link, or a rejected or revoked one again. The
// caller must be an association (COMMUNITY_ASSOCIATION or
// MANAGEMENT_COMPANY) and the other organization a contractor.
func (s *CAMService) RequestLink(ctx context.Context, scope Scope, key string, in RequestLinkInput) (*Link, error) {
	return s.request.do(ctx, scope, key, in)
}

// ApproveLink approves a PENDING link; the contractor's side only.
func (s *CAMService) ApproveLink(ctx context.Context, scope Scope, key string, in LinkActionInput) (*Link, error) {
	return s.approve.do(ctx, scope, key, in)
}

// RejectLink rejects a PENDING link; the contractor's side only.
func (s *CAMService) RejectLink(ctx context.Context, scope Scope, key string, in LinkActionInput) (*Link, error) {
	return s.reject.do(ctx, scope, key, in)
}

// SuspendLink suspends an APPROVED link; either side.
func (s *CAMService) SuspendLink(ctx context.Context, scope Scope, key string, in LinkActionInput) (*Link, error) {
	return s.suspend.do(ctx, scope, key, in)
}

// ReinstateLink approves a SUSPENDED link again; the side that suspended it.
func (s *CAMService) ReinstateLink(ctx context.Context, scope Scope, key string, in LinkActionInput) (*Link, error) {
	return s.reinstate.do(ctx, scope, key, in)
}

// RevokeLink ends a PENDING, APPROVED or SUSPENDED link; either side.
func (s *CAMService) RevokeLink(ctx context.Context, scope Scope, key string, in LinkActionInput) (*Link, error) {
	return s.revoke.do(ctx, scope, key, in)
}

// ListLinks returns the caller's links, as association or as contractor.
func (s *CAMService) ListLinks(ctx context.Context, scope Scope, in ListLinksInput) (*LinkList, error) {
	return s.list.get(ctx, scope, in)
}

// VendorCompliance returns the published compliance of the caller's
// approved vendors (or of one of them). A contractor without an APPROVED
// link is NOT_FOUND.
func (s *CAMService) VendorCompliance(ctx context.Context, scope Scope, in VendorComplianceInput) (*VendorComplianceList, error) {
	return s.vendors.get(ctx, scope, in)
}

// isAssociation reports whether an organization type is an association's.
func isAssociation(t OrganizationType) bool {
	return t == OrgCommunityAssociation || t == OrgManagementCompany
}

// isContractor reports whether an organization type is a contractor's.
func isContractor(t OrganizationType) bool {
	return t == OrgServiceProvider || t == OrgExternalServiceProvider
}

func (e *Engine) registerCAM() {
	s := &CAMService{}
	s.request = mutation(e, "cam/v1/requestLink", "Ask a contractor to become the association's approved vendor.", rolesManage(), e.requestLink)
	action := func(a linkAction, name, summary string) proc[LinkActionInput, Link] {
		return mutation(e, "cam/v1/"+name, summary, rolesManage(), func(c *call, in *LinkActionInput) (*Link, error) {
			return e.changeLink(c, in, a)
		})
	}
	s.approve = action(actionApprove, "approveLink", "Approve an association's pending vendor link (contractor side).")
	s.reject = action(actionReject, "rejectLink", "Reject an association's pending vendor link (contractor side).")
	s.suspend = action(actionSuspend, "suspendLink", "Suspend an approved vendor link (either side).")
	s.reinstate = action(actionReinstate, "reinstateLink", "Approve a suspended vendor link again (the side that suspended it).")
	s.revoke = action(actionRevoke, "revokeLink", "End a pending, approved or suspended vendor link (either side).")
	s.list = query(e, "cam/v1/listLinks", "List the organization's vendor links, as association or as contractor.", rolesReaders(),
		func(c *call, in *ListLinksInput) (*LinkList, error) {
			return inTx(c, "list-links", func(t *txn) (*LinkList, error) {
				links, err := findLinks(t, "")
				if err != nil {
					return nil, err
				}
				out := &LinkList{Items: []Link{}}
				for _, l := range links {
					if in.Status == "" || l.Status == in.Status {
						out.Items = append(out.Items, *l)
					}
				}
				return out, nil
			})
		})
	s.vendors = query(e, "cam/v1/vendorCompliance", "Read the published compliance of the association's approved vendors.", with(rolesReaders(), RoleAgent),
		e.vendorCompliance)
	e.registerCAMDelivery(s)
	e.CAM = s
}

// linkFromRow decodes a stored link.
func linkFromRow(r LinkRow) (*Link, error) {
	l := new(Link)
	if err := json.Unmarshal(r.Data, l); err != nil {
		return nil, fmt.Errorf("contractorops: decode link %s: %w", r.ID, err)
	}
	l.ID, l.Version, l.Status = r.ID, r.Version, r.Status
	l.AssociationID, l.ContractorID = r.Association, r.Contractor
	return l, nil
}

func findLinks(t *txn, counterparty string) ([]*Link, error) {
	sh, err := t.sharedTx()
	if err != nil {
		return nil, err
	}
	rows, err := sh.FindLinks(t.ctx, counterparty)
	if err != nil {
		return nil, err
	}
	out := make([]*Link, 0, len(rows))
	for _, r := range rows {
		l, err := linkFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// saveLink stores l (inserting it when it is new) and records the write in
// the acting organization's audit trail and change feed.
func saveLink(t *txn, l *Link) error {
	sh, err := t.sharedTx()
	if err != nil {
		return err
	}
	before := t.loaded[loadedKey(linksTableName, l.ID)]
	expected := l.Version
	l.UpdatedAt = t.now
	if expected == 0 {
		l.CreatedAt = t.now
	}
	l.Version = expected + 1
	data, err := json.Marshal(l)
	if err != nil {
		return err
	}
	r := LinkRow{ID: l.ID, Version: expected, Association: l.AssociationID, Contractor: l.ContractorID, Status: l.Status, Data: data}
	op := OpUpdate
	if expected == 0 {
		op, r.Version = OpInsert, 1
		err = sh.InsertLink(t.ctx, r)
	} else {
		err = sh.UpdateLink(t.ctx, r)
	}
	if err != nil {
		l.Version = expected
		return err
	}
	t.record(change{table: linksTableName, id: l.ID, op: op, version: l.Version, before: before, after: data})
	return nil
}

// remember keeps a document as loaded, for the audit trail's diff.
func (t *txn) remember(table, id string, data json.RawMessage) {
	if t.loaded == nil {
		t.loaded = map[string]json.RawMessage{}
	}
	t.loaded[loadedKey(table, id)] = data
}

// linksTableName names the links in the audit trail and the change feed.
const linksTableName = "cam_links"

// sideOf returns the caller's side of l.
func sideOf(org string, l *Link) LinkSide {
	if org == l.AssociationID {
		return SideAssociation
	}
	return SideContractor
}

func (e *Engine) requestLink(c *call, in *RequestLinkInput) (*Link, error) {
	if in.ContractorID == c.scope.OrganizationID {
		return nil, NewError(CodeForbidden, "an organization cannot link to itself")
	}
	// The contractor's name and type, from the platform's directory of
	// tenants (no row of the contractor itself is read).
	type target struct {
		Found bool             `json:"found"`
		Name  string           `json:"name"`
		Type  OrganizationType `json:"type"`
	}
	tg, err := inTxFor(c, PlatformOrganization, "find-contractor", func(t *txn) (target, error) {
		tn, err := load(t, tenantsTable, in.ContractorID)
		if err != nil {
			if AsError(err).Code == CodeNotFound {
				return target{}, nil
			}
			return target{}, err
		}
		return target{Found: true, Name: tn.Name, Type: tn.Type}, nil
	})
	if err != nil {
		return nil, err
	}
	if !tg.Found {
		return nil, NewError(CodeNotFound, "organization %s not found", in.ContractorID)
	}
	if !isContractor(tg.Type) {
		return nil, NewError(CodeForbidden, "organization %s is a %s, not a contractor", in.ContractorID, tg.Type)
	}
	return inTx(c, "request-link", func(t *txn) (*Link, error) {
		org, err := load(t, organizationsTable, t.org)
		if err != nil {
			return nil, err
		}
		if !isAssociation(org.Type) {
			return nil, NewError(CodeForbidden, "only an association (COMMUNITY_ASSOCIATION or MANAGEMENT_COMPANY) may request a vendor link; this organization is a %s", org.Type)
		}
		existing, err := findLinks(t, in.ContractorID)
		if err != nil {
			return nil, err
		}
		l := &Link{Meta: Meta{ID: derivedID(c.inv.WorkflowID, "cam-link")}, AssociationID: t.org, ContractorID: in.ContractorID}
		if len(existing) > 0 {
			l = existing[0]
			t.remember(linksTableName, l.ID, mustJSON(l))
		}
		l.AssociationName, l.ContractorName, l.Note = org.Name, tg.Name, in.Note
		if err := l.transition(actionRequest, SideAssociation, in.Note, t.now); err != nil {
			return nil, err
		}
		return l, saveLink(t, l)
	})
}

func (e *Engine) changeLink(c *call, in *LinkActionInput, a linkAction) (*Link, error) {
	return inTx(c, string(a)+"-link", func(t *txn) (*Link, error) {
		sh, err := t.sharedTx()
		if err != nil {
			return nil, err
		}
		r, err := sh.GetLink(t.ctx, in.LinkID)
		if err != nil {
			return nil, err
		}
		l, err := linkFromRow(r)
		if err != nil {
			return nil, err
		}
		t.remember(linksTableName, l.ID, r.Data)
		if err := l.transition(a, sideOf(t.org, l), in.Reason, t.now); err != nil {
			return nil, err
		}
		if err := saveLink(t, l); err != nil {
			return nil, err
		}
		// A contractor approving a link publishes its compliance as of now,
		// so that the association never finds an approved vendor without one.
		if l.Status == LinkApproved && t.org == l.ContractorID {
			if _, err := saveCompliance(t, nil); err != nil {
				return nil, err
			}
		}
		return l, nil
	})
}

func (e *Engine) vendorCompliance(c *call, in *VendorComplianceInput) (*VendorComplianceList, error) {
	return inTx(c, "vendor-compliance", func(t *txn) (*VendorComplianceList, error) {
		links, err := findLinks(t, in.ContractorID)
		if err != nil {
			return nil, err
		}
		out := &VendorComplianceList{Items: []VendorCompliance{}}
		var owners []string
		for _, l := range links {
			if l.Status == LinkApproved && l.AssociationID == t.org && (in.ContractorID == "" || l.ContractorID == in.ContractorID) {
				out.Items = append(out.Items, VendorCompliance{LinkID: l.ID, ContractorID: l.ContractorID, ContractorName: l.ContractorName})
				owners = append(owners, l.ContractorID)
			}
		}
		if in.ContractorID != "" && len(owners) == 0 {
			return nil, NewError(CodeNotFound, "no approved vendor link with organization %s", in.ContractorID)
		}
		if len(owners) == 0 {
			return out, nil
		}
		sh, err := t.sharedTx()
		if err != nil {
			return nil, err
		}
		rows, err := sh.FindPublished(t.ctx, owners...)
		if err != nil {
			return nil, err
		}
		published := map[string]*PublishedCompliance{}
		for _, r := range rows {
			p := new(PublishedCompliance)
			if err := json.Unmarshal(r.Data, p); err != nil {
				return nil, fmt.Errorf("contractorops: decode the compliance published by %s: %w", r.Owner, err)
			}
			published[r.Owner] = p
		}
		for i := range out.Items {
			out.Items[i].Compliance = published[out.Items[i].ContractorID]
		}
		slices.SortFunc(out.Items, func(a, b VendorCompliance) int {
			if a.ContractorID < b.ContractorID {
				return -1
			}
			if a.ContractorID > b.ContractorID {
				return 1
			}
			return 0
		})
		return out, nil
	})
}
