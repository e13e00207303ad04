package contractorops

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// The compliance agent's events.
const (
	// EventComplianceWarning warns that a license or policy expires within
	// one of the policy's notice thresholds.
	EventComplianceWarning jobfsm.EventType = "COMPLIANCE_WARNING"
	// EventComplianceBlocked says the compliance agent blocked the
	// contractor because required documents expired.
	EventComplianceBlocked jobfsm.EventType = "COMPLIANCE_BLOCKED"
	// EventComplianceUnblocked says the compliance agent lifted the block
	// it had placed.
	EventComplianceUnblocked jobfsm.EventType = "COMPLIANCE_UNBLOCKED"
)

// defaultNoticeDays are the notice thresholds of a policy that sets none.
var defaultNoticeDays = []int{60, 30, 7}

// noticeDays returns the policy's notice thresholds, largest first.
func (p CompliancePolicy) noticeDays() []int {
	days := slices.Clone(p.NoticeDays)
	if len(days) == 0 {
		days = slices.Clone(defaultNoticeDays)
	}
	slices.Sort(days)
	slices.Reverse(days)
	return days
}

// ComplianceEvent is the detail of a compliance agent's event.
type ComplianceEvent struct {
	// Kind is LICENSE or INSURANCE for a warning.
	Kind       ProblemKind `json:"kind,omitempty"`
	DocumentID string      `json:"documentId,omitempty"`
	// Document names the license or policy: "license HVAC-1 (HVAC)".
	Document  string    `json:"document,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// ThresholdDays is the notice threshold the warning is for; DaysLeft,
	// the whole days left before the expiry (rounded up).
	ThresholdDays int `json:"thresholdDays,omitempty"`
	DaysLeft      int `json:"daysLeft,omitempty"`
	// Documents are the expired documents a block names.
	Documents []string `json:"documents,omitempty"`
	Message   string   `json:"message"`
}

// ExpiryNotice is a valid license or policy that has passed one or more of
// the policy's notice thresholds.
type ExpiryNotice struct {
	Kind       ProblemKind `json:"kind"`
	DocumentID string      `json:"documentId"`
	Document   string      `json:"document"`
	ExpiresAt  time.Time   `json:"expiresAt"`
	DaysLeft   int         `json:"daysLeft"`
	// Crossed are the thresholds passed, largest first; the last is the
	// one a warning is for.
	Crossed []int `json:"crossed"`
}

// Threshold is the smallest threshold passed: the one to warn of.
func (n ExpiryNotice) Threshold() int { return n.Crossed[len(n.Crossed)-1] }

// ExpiredDocument is a required license or policy expired past the grace
// days.
type ExpiredDocument struct {
	Kind       ProblemKind `json:"kind"`
	DocumentID string      `json:"documentId"`
	Document   string      `json:"document"`
	ExpiredAt  time.Time   `json:"expiredAt"`
}

// ComplianceReview is what the compliance agent finds at an instant: the
// expiries to warn of and the expired documents to block for.
type ComplianceReview struct {
	At       time.Time         `json:"at"`
	Notices  []ExpiryNotice    `json:"notices"`
	Expired  []ExpiredDocument `json:"expired"`
	Location *time.Location    `json:"-"`
}

// Review finds, at the instant at:
//   - the valid licenses and policies whose expiry is within one of the
//     policy's notice thresholds (NoticeDays, default 60, 30 and 7 days),
//     unless a renewal is on file (another valid document of the same
//     trade or type that expires later, or never);
//   - the required documents expired BlockGraceDays ago or more: those
//     whose expiry leaves the contractor without a valid license, or
//     without the insurance its policy requires (the scheduling gate of
//     [ComplianceStatus.Check]).
func (f *ComplianceFacts) Review(at time.Time) ComplianceReview {
	r := ComplianceReview{At: at, Notices: []ExpiryNotice{}, Expired: []ExpiredDocument{}, Location: f.Location}
	s := f.Evaluate(at)
	docs := f.reviewDocuments()
	thresholds := f.Policy.noticeDays()
	for _, d := range docs {
		if d.until.IsZero() || f.defect(d.document, at) != "" {
			continue
		}
		renewed := slices.ContainsFunc(docs, func(o reviewDocument) bool {
			return o.id != d.id && o.kind == d.kind && o.group == d.group && f.defect(o.document, at) == "" &&
				(o.until.IsZero() || o.until.After(d.until))
		})
		if renewed {
			continue
		}
		var crossed []int
		for _, n := range thresholds {
			if !at.Before(d.until.AddDate(0, 0, -n)) {
				crossed = append(crossed, n)
			}
		}
		if len(crossed) == 0 {
			continue
		}
		r.Notices = append(r.Notices, ExpiryNotice{Kind: d.kind, DocumentID: d.id, Document: d.name, ExpiresAt: d.until,
			DaysLeft: int(math.Ceil(d.until.Sub(at).Hours() / 24)), Crossed: crossed})
	}
	grace := f.Policy.BlockGraceDays
	for _, p := range s.Problems {
		blocking := p.Kind == ProblemLicense && !s.HasValidLicense ||
			p.Kind == ProblemInsurance && !s.HasValidInsurance &&
				(len(f.Policy.RequiredInsurance) == 0 || slices.Contains(f.Policy.RequiredInsurance, p.InsuranceType))
		if !blocking || p.EntityID == "" {
			continue
		}
		i := slices.IndexFunc(docs, func(d reviewDocument) bool { return d.id == p.EntityID })
		if i < 0 {
			continue
		}
		d := docs[i]
		if d.until.IsZero() || at.Before(d.until.AddDate(0, 0, grace)) {
			continue
		}
		r.Expired = append(r.Expired, ExpiredDocument{Kind: d.kind, DocumentID: d.id, Document: d.name, ExpiredAt: d.until})
	}
	return r
}

// reviewDocument is a license or policy with its problem kind.
type reviewDocument struct {
	document
	kind ProblemKind
}

func (f *ComplianceFacts) reviewDocuments() []reviewDocument {
	var docs []reviewDocument
	for i := range f.Licenses {
		docs = append(docs, reviewDocument{licenseDocument(&f.Licenses[i]), ProblemLicense})
	}
	for i := range f.Insurance {
		docs = append(docs, reviewDocument{insuranceDocument(&f.Insurance[i]), ProblemInsurance})
	}
	return docs
}

// BlockDecision is what the compliance agent does about the block.
type BlockDecision struct {
	// Block sets (or, for the agent's own block, restates) the block with
	// Reason; Unblock lifts the agent's own block.
	Block   bool   `json:"block,omitempty"`
	Unblock bool   `json:"unblock,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// AgentBlocked reports whether the block is the compliance agent's own.
func (b ComplianceBlock) AgentBlocked() bool {
	return b.Blocked && b.By == ComplianceAgent && b.ByKind == ActorAgent
}

// BlockDecision decides, from the review and the current block, what the
// compliance agent does. Expired documents block a contractor that is not
// blocked, and restate the agent's own block when they changed; with none,
// the agent lifts its own block. It never touches a block that someone else
// placed: an administrator's stays until an administrator clears it.
func (r ComplianceReview) BlockDecision(current ComplianceBlock) BlockDecision {
	if len(r.Expired) == 0 {
		if current.AgentBlocked() {
			return BlockDecision{Unblock: true, Reason: "the expired documents were renewed or replaced"}
		}
		return BlockDecision{}
	}
	reason := r.blockReason()
	switch {
	case !current.Blocked:
		return BlockDecision{Block: true, Reason: reason}
	case current.AgentBlocked() && current.Reason != reason:
		return BlockDecision{Block: true, Reason: reason}
	}
	return BlockDecision{}
}

// blockReason names the expired documents.
func (r ComplianceReview) blockReason() string {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	parts := make([]string, len(r.Expired))
	for i, d := range r.Expired {
		parts[i] = d.Document + " expired on " + d.ExpiredAt.In(loc).Format(time.DateOnly)
	}
	return "required documents expired: " + strings.Join(parts, "; ")
}

// noticeDue reports whether a notice whose smallest passed threshold is
// threshold is due, given the thresholds already warned of: it is unless a
// threshold as small or smaller was warned of. A document first seen late
// (five days left) is warned of once, at its most urgent threshold.
func noticeDue(warned []int, threshold int) bool {
	return !slices.ContainsFunc(warned, func(w int) bool { return w <= threshold })
}

// RunComplianceAgentInput runs the compliance agent now.
type RunComplianceAgentInput struct{}

// Validate checks the input.
func (RunComplianceAgentInput) Validate() error { return nil }

// ComplianceAgentReport is what a compliance agent run did.
type ComplianceAgentReport struct {
	At time.Time `json:"at"`
	// Warnings are the COMPLIANCE_WARNING events the run emitted.
	Warnings []ComplianceEvent `json:"warnings"`
	// Blocked and Unblocked say whether the run blocked the contractor or
	// lifted its own block; Reason is the block's reason.
	Blocked   bool   `json:"blocked,omitempty"`
	Unblocked bool   `json:"unblocked,omitempty"`
	Reason    string `json:"reason,omitempty"`
	// Refreshed says that the stored (and published) status had gone stale
	// — a document expired or came into force since it was computed — and
	// the run stored the current one.
	Refreshed bool `json:"refreshed,omitempty"`
	// Expired are the required documents expired past the grace days.
	Expired []ExpiredDocument `json:"expired"`
}

// sameStanding reports whether s and o say the same of the contractor,
// whenever each was computed.
func (s *ComplianceStatus) sameStanding(o *ComplianceStatus) bool {
	return s.Compliant == o.Compliant && s.Score == o.Score && s.HasValidLicense == o.HasValidLicense &&
		s.HasValidInsurance == o.HasValidInsurance && s.MeetsMinimumCoverage == o.MeetsMinimumCoverage &&
		s.W9OnFile == o.W9OnFile && s.Blocked == o.Blocked &&
		s.EarliestLicenseExpiry.Equal(o.EarliestLicenseExpiry) && s.EarliestInsuranceExpiry.Equal(o.EarliestInsuranceExpiry) &&
		slices.Equal(s.InvalidTrades, o.InvalidTrades) && slices.Equal(s.Problems, o.Problems)
}

// noticeID is the id of the notices about one document and expiry.
func noticeID(agent, docID string, due time.Time) string {
	return agent + ":" + docID + ":" + due.UTC().Format("20060102T150405")
}

// runComplianceAgent is agent/v1/runCompliance: one transaction that warns
// of what is due and blocks or unblocks. It writes nothing when nothing is
// due, so a second run the same day changes nothing. The block is the
// agent's whoever asked for the run: it is placed through the same rule as
// contractor/v1/setBlock, by the compliance agent.
func (c *call) runComplianceAgent(_ *RunComplianceAgentInput) (*ComplianceAgentReport, error) {
	return inTx(c, "review", func(t *txn) (*ComplianceAgentReport, error) {
		f, rec, err := loadComplianceFacts(t)
		if err != nil {
			return nil, err
		}
		r := f.Review(t.now)
		out := &ComplianceAgentReport{At: t.now, Warnings: []ComplianceEvent{}, Expired: r.Expired}
		for _, n := range r.Notices {
			id := noticeID(ComplianceAgent, n.DocumentID, n.ExpiresAt)
			nr, err := load(t, agentNoticesTable, id)
			save := update[AgentNotice]
			switch {
			case errors.Is(err, ErrNotFound):
				nr, save = &AgentNotice{Meta: Meta{ID: id}, Agent: ComplianceAgent, Subject: n.DocumentID, Due: n.ExpiresAt}, insert[AgentNotice]
			case err != nil:
				return nil, err
			}
			if !noticeDue(nr.Thresholds, n.Threshold()) {
				continue
			}
			ev := ComplianceEvent{Kind: n.Kind, DocumentID: n.DocumentID, Document: n.Document, ExpiresAt: n.ExpiresAt,
				ThresholdDays: n.Threshold(), DaysLeft: n.DaysLeft,
				Message: n.Document + " expires on " + f.date(n.ExpiresAt)}
			if err := appendEvent(t, &Event{Type: EventComplianceWarning, At: t.now, Compliance: &ev}); err != nil {
				return nil, err
			}
			for _, x := range n.Crossed {
				if !slices.Contains(nr.Thresholds, x) {
					nr.Thresholds = append(nr.Thresholds, x)
				}
			}
			if err := save(t, agentNoticesTable, nr); err != nil {
				return nil, err
			}
			out.Warnings = append(out.Warnings, ev)
		}
		d := r.BlockDecision(rec.Block)
		if !d.Block && !d.Unblock {
			// A document that expired within the grace days changes the
			// contractor's standing without a block: store and publish it,
			// so that linked associations see it the day it happens.
			if now := f.Evaluate(t.now); rec.Status == nil || !rec.Status.sameStanding(&now) {
				if _, err := saveCompliance(t, nil); err != nil {
					return nil, err
				}
				out.Refreshed = true
			}
			return out, nil
		}
		block := ComplianceBlock{Blocked: d.Block, Reason: d.Reason, By: ComplianceAgent, ByKind: ActorAgent, At: t.now}
		if _, err := saveCompliance(t, func(r *ComplianceRecord) { r.Block = block }); err != nil {
			return nil, err
		}
		ev := &ComplianceEvent{Message: d.Reason}
		typ := EventComplianceUnblocked
		if d.Block {
			typ = EventComplianceBlocked
			for _, x := range r.Expired {
				ev.Documents = append(ev.Documents, x.Document)
			}
		}
		if err := appendEvent(t, &Event{Type: typ, At: t.now, Compliance: ev}); err != nil {
			return nil, err
		}
		out.Blocked, out.Unblocked, out.Reason = d.Block, d.Unblock, d.Reason
		return out, nil
	})
}

// complianceTask runs the compliance agent every morning for every
// organization, under a key per organization and day: a second run the same
// day replays the first.
func complianceTask() Task {
	return Task{
		Name:        ComplianceAgent,
		Description: "Warn of expiring licenses and insurance, block the contractor when required ones expired, lift the agent's blocks once renewed.",
		Schedule:    "0 30 6 * * *",
		run: func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
			date, err := e.orgDate(ctx, org, tick)
			if err != nil {
				return 0, err
			}
			scope := AgentScope(org, ComplianceAgent, "agent/v1/runCompliance")
			_, err = e.Execute(ctx, scope, "agent/v1/runCompliance", "compliance:"+date, &RunComplianceAgentInput{})
			return 1, err
		},
	}
}
