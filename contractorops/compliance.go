package contractorops

import (
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"
)

// CompliancePolicy is what an organization requires of its licenses and
// insurance beyond the baseline (a valid license and a policy in force).
type CompliancePolicy struct {
	// RequiredInsurance are the insurance types that must each be in force.
	// None means that any one policy in force suffices.
	RequiredInsurance []InsuranceType `json:"requiredInsurance,omitempty"`
	// MinimumCoverage are coverage floors by insurance type: a policy of the
	// type in force must cover at least the amount. None means that any
	// policy in force meets the minimum.
	MinimumCoverage []CoverageMinimum `json:"minimumCoverage,omitempty"`
	// RequireVerification counts only licenses and policies that someone
	// has verified with the issuer or carrier.
	RequireVerification bool `json:"requireVerification,omitempty"`
	// WarningDays is how many days before an expiry it shows as a warning.
	// Zero means 30.
	WarningDays int `json:"warningDays,omitempty"`
	// NoticeDays are the days before an expiry at which the compliance
	// agent warns (a COMPLIANCE_WARNING event), once per document and
	// threshold. None means 60, 30 and 7.
	NoticeDays []int `json:"noticeDays,omitempty"`
	// BlockGraceDays is how many days after a required license or policy
	// expired the compliance agent waits before it blocks the contractor.
	// Zero blocks on the day of the expiry.
	BlockGraceDays int `json:"blockGraceDays,omitempty"`
}

// CoverageMinimum is a coverage floor for one insurance type.
type CoverageMinimum struct {
	Type   InsuranceType   `json:"type"`
	Amount decimal.Decimal `json:"amount"`
}

// Validate checks the minimum.
func (m CoverageMinimum) Validate() error {
	return validation.ValidateStruct(&m,
		validation.Field(&m.Type, validation.Required, validation.In(InsuranceTypes()...)),
		validation.Field(&m.Amount, validation.By(money(true))),
	)
}

// Validate checks the policy.
func (p CompliancePolicy) Validate() error {
	return validation.ValidateStruct(&p,
		validation.Field(&p.RequiredInsurance, validation.Each(validation.In(InsuranceTypes()...)), validation.By(distinct[InsuranceType])),
		validation.Field(&p.MinimumCoverage, validation.By(func(any) error {
			types := make([]InsuranceType, len(p.MinimumCoverage))
			for i, m := range p.MinimumCoverage {
				types[i] = m.Type
			}
			return distinct[InsuranceType](types)
		})),
		validation.Field(&p.WarningDays, validation.Min(0), validation.Max(365)),
		validation.Field(&p.NoticeDays, validation.Length(0, 10), validation.Each(validation.Required, validation.Min(1), validation.Max(365)), validation.By(distinct[int])),
		validation.Field(&p.BlockGraceDays, validation.Min(0), validation.Max(365)),
	)
}

const defaultWarningDays = 30

// ComplianceBlock is an administrator's decision to stop (or resume)
// scheduling the contractor, whatever its documents say.
type ComplianceBlock struct {
	Blocked bool   `json:"blocked"`
	Reason  string `json:"reason,omitempty"`
	// By and At say who set or cleared the block, and when; ByKind is the
	// kind of that actor (an agent's blocks are the ones it may lift).
	By     string    `json:"by,omitempty"`
	ByKind ActorKind `json:"byKind,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// ComplianceFacts are what a contractor's compliance is computed from.
type ComplianceFacts struct {
	Licenses  []License
	Insurance []InsurancePolicy
	// W9OnFile is the organization profile's W-9 flag.
	W9OnFile bool
	Policy   CompliancePolicy
	Block    ComplianceBlock
	// Location is the time zone dates are written in in messages; nil is
	// UTC.
	Location *time.Location
}

// ProblemKind classifies a [ComplianceProblem].
type ProblemKind string

// The problem kinds.
const (
	ProblemLicense   ProblemKind = "LICENSE"
	ProblemInsurance ProblemKind = "INSURANCE"
	ProblemCoverage  ProblemKind = "COVERAGE"
	ProblemW9        ProblemKind = "W9"
	ProblemBlock     ProblemKind = "BLOCK"
)

// ComplianceProblem is one thing missing, expired or otherwise wrong, in
// words: "license HVAC-12345 (HVAC) expired on 2026-10-01".
type ComplianceProblem struct {
	Kind ProblemKind `json:"kind"`
	// EntityID is the license or policy concerned, if any.
	EntityID      string        `json:"entityId,omitempty"`
	Trade         TradeType     `json:"trade,omitempty"`
	InsuranceType InsuranceType `json:"insuranceType,omitempty"`
	Message       string        `json:"message"`
}

// ComplianceStatus is a contractor's compliance at one instant.
//
// The score starts from the reference formula: 45 for a valid license, 45
// for valid insurance, 5 for meeting the minimum coverage, 5 for a W-9 on
// file. The contractor is compliant with a valid license and valid
// insurance, unless blocked.
type ComplianceStatus struct {
	At                   time.Time `json:"at"`
	Compliant            bool      `json:"compliant"`
	Score                int       `json:"score"`
	HasValidLicense      bool      `json:"hasValidLicense"`
	HasValidInsurance    bool      `json:"hasValidInsurance"`
	MeetsMinimumCoverage bool      `json:"meetsMinimumCoverage"`
	W9OnFile             bool      `json:"w9OnFile"`
	Blocked              bool      `json:"blocked"`
	// Block is the last block or unblock, if any.
	Block *ComplianceBlock `json:"block,omitempty"`
	// The earliest expiries among the valid licenses and policies: the
	// next thing to renew.
	EarliestLicenseExpiry   time.Time `json:"earliestLicenseExpiry,omitzero"`
	EarliestInsuranceExpiry time.Time `json:"earliestInsuranceExpiry,omitzero"`
	// InvalidTrades are the trades whose licenses are all invalid: work in
	// them cannot be scheduled even when the contractor is compliant.
	InvalidTrades []TradeType `json:"invalidTrades,omitempty"`
	// Problems are what is missing or invalid; a license or policy
	// superseded by a valid one of the same trade or type is not one.
	Problems []ComplianceProblem `json:"problems,omitempty"`
	// Warnings are valid licenses and policies expiring soon.
	Warnings []ComplianceProblem `json:"warnings,omitempty"`
	// Policy is the policy the status was computed under.
	Policy CompliancePolicy `json:"policy"`
}

// The weights of the compliance score.
const (
	scoreLicense   = 45
	scoreInsurance = 45
	scoreCoverage  = 5
	scoreW9        = 5
)

// Evaluate computes the compliance status at the instant at.
func (f *ComplianceFacts) Evaluate(at time.Time) ComplianceStatus {
	s := ComplianceStatus{At: at, W9OnFile: f.W9OnFile, Blocked: f.Block.Blocked, Policy: f.Policy}
	if f.Block != (ComplianceBlock{}) {
		b := f.Block
		s.Block = &b
	}
	f.evaluateLicenses(&s, at)
	policies := f.evaluateInsurance(&s, at)
	f.evaluateCoverage(&s, policies)
	if !f.W9OnFile {
		s.Problems = append(s.Problems, ComplianceProblem{Kind: ProblemW9, Message: "no W-9 on file"})
	}
	if f.Block.Blocked {
		s.Problems = append(s.Problems, ComplianceProblem{Kind: ProblemBlock, Message: "blocked: " + f.Block.Reason})
	}
	for _, part := range []struct {
		ok     bool
		points int
	}{{s.HasValidLicense, scoreLicense}, {s.HasValidInsurance, scoreInsurance}, {s.MeetsMinimumCoverage, scoreCoverage}, {s.W9OnFile, scoreW9}} {
		if part.ok {
			s.Score += part.points
		}
	}
	s.Compliant = s.HasValidLicense && s.HasValidInsurance && !s.Blocked
	return s
}

// document is what licenses and policies have in common for validity.
type document struct {
	id, name      string
	group         string // documents of a group stand in for one another
	valid         bool   // the status allows use
	status        string // the status, for a message when !valid
	from, until   time.Time
	verified      bool
	trade         TradeType
	insuranceType InsuranceType
}

func licenseDocument(l *License) document {
	category, group := string(l.Trade), string(l.Trade)
	if category == "" {
		category, group = l.Type, "type:"+strings.ToLower(l.Type)
	}
	return document{
		id: l.ID, name: "license " + l.Number + " (" + category + ")", group: group,
		valid:  l.Status == LicenseActive || l.Status == LicensePendingRenewal,
		status: string(l.Status), from: l.IssuedAt, until: l.ExpiresAt, verified: !l.VerifiedAt.IsZero(), trade: l.Trade,
	}
}

func insuranceDocument(p *InsurancePolicy) document {
	return document{
		id: p.ID, name: "insurance policy " + p.PolicyNumber + " (" + string(p.Type) + ")", group: string(p.Type),
		valid: p.Status == InsuranceActive, status: string(p.Status),
		from: p.EffectiveAt, until: p.ExpiresAt, verified: !p.VerifiedAt.IsZero(), insuranceType: p.Type,
	}
}

// defect says why the document is not valid at at, or "" if it is. A
// status that is worse than expired (suspended, revoked, cancelled) wins
// over the date.
func (f *ComplianceFacts) defect(d document, at time.Time) string {
	expired := !d.until.IsZero() && !at.Before(d.until)
	switch {
	case !d.valid && (d.status != string(LicenseExpired) || !expired):
		return "is " + strings.ToLower(strings.ReplaceAll(d.status, "_", " "))
	case expired:
		return "expired on " + f.date(d.until)
	case !d.from.IsZero() && at.Before(d.from):
		return "is not in effect until " + f.date(d.from)
	case f.Policy.RequireVerification && !d.verified:
		return "is not verified"
	}
	return ""
}

func (f *ComplianceFacts) date(t time.Time) string {
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.DateOnly)
}

// checkDocuments sorts documents into groups (a license's trade or type, a
// policy's type); a group is satisfied when one of its documents is valid.
// It reports the defects of the documents of unsatisfied groups as
// problems and valid documents expiring soon as warnings, and returns the
// satisfied groups and the earliest expiry of a valid document.
func (f *ComplianceFacts) checkDocuments(s *ComplianceStatus, kind ProblemKind, docs []document, at time.Time) (satisfied map[string]bool, earliest time.Time) {
	warnDays := or(f.Policy.WarningDays, defaultWarningDays)
	warnUntil := at.AddDate(0, 0, warnDays)
	satisfied = map[string]bool{}
	defects := make([]string, len(docs))
	for i, d := range docs {
		if defects[i] = f.defect(d, at); defects[i] != "" {
			continue
		}
		satisfied[d.group] = true
		if d.until.IsZero() {
			continue
		}
		if earliest.IsZero() || d.until.Before(earliest) {
			earliest = d.until
		}
		if d.until.Before(warnUntil) {
			s.Warnings = append(s.Warnings, ComplianceProblem{Kind: kind, EntityID: d.id, Trade: d.trade, InsuranceType: d.insuranceType,
				Message: d.name + " expires on " + f.date(d.until)})
		}
	}
	for i, d := range docs {
		if defects[i] == "" || satisfied[d.group] {
			continue
		}
		s.Problems = append(s.Problems, ComplianceProblem{Kind: kind, EntityID: d.id, Trade: d.trade, InsuranceType: d.insuranceType,
			Message: d.name + " " + defects[i]})
	}
	return satisfied, earliest
}

// evaluateLicenses sets the license part of s. A license covers its trade
// (or, without one, its type): the contractor has a valid license when any
// license is valid, and a trade is invalid when it has licenses but none is
// valid.
func (f *ComplianceFacts) evaluateLicenses(s *ComplianceStatus, at time.Time) {
	docs := make([]document, len(f.Licenses))
	for i := range f.Licenses {
		docs[i] = licenseDocument(&f.Licenses[i])
	}
	satisfied, earliest := f.checkDocuments(s, ProblemLicense, docs, at)
	s.HasValidLicense = len(satisfied) > 0
	s.EarliestLicenseExpiry = earliest
	for _, l := range f.Licenses {
		if l.Trade != "" && !satisfied[string(l.Trade)] && !slices.Contains(s.InvalidTrades, l.Trade) {
			s.InvalidTrades = append(s.InvalidTrades, l.Trade)
		}
	}
	slices.Sort(s.InvalidTrades)
	if len(f.Licenses) == 0 {
		s.Problems = append(s.Problems, ComplianceProblem{Kind: ProblemLicense, Message: "no license on file"})
	}
}

// evaluateInsurance sets the insurance part of s and returns the policies
// in force.
func (f *ComplianceFacts) evaluateInsurance(s *ComplianceStatus, at time.Time) []*InsurancePolicy {
	docs := make([]document, len(f.Insurance))
	for i := range f.Insurance {
		docs[i] = insuranceDocument(&f.Insurance[i])
	}
	satisfied, earliest := f.checkDocuments(s, ProblemInsurance, docs, at)
	s.EarliestInsuranceExpiry = earliest
	s.HasValidInsurance = len(satisfied) > 0
	for _, t := range f.Policy.RequiredInsurance {
		if satisfied[string(t)] {
			continue
		}
		s.HasValidInsurance = false
		if !slices.ContainsFunc(f.Insurance, func(p InsurancePolicy) bool { return p.Type == t }) {
			s.Problems = append(s.Problems, ComplianceProblem{Kind: ProblemInsurance, InsuranceType: t,
				Message: "no " + string(t) + " insurance policy on file"})
		}
	}
	if len(f.Insurance) == 0 && len(f.Policy.RequiredInsurance) == 0 {
		s.Problems = append(s.Problems, ComplianceProblem{Kind: ProblemInsurance, Message: "no insurance policy on file"})
	}
	var out []*InsurancePolicy
	for i, d := range docs {
		if f.defect(d, at) == "" {
			out = append(out, &f.Insurance[i])
		}
	}
	return out
}

// evaluateCoverage sets whether the policies in force meet the policy's
// coverage minimums.
func (f *ComplianceFacts) evaluateCoverage(s *ComplianceStatus, inForce []*InsurancePolicy) {
	if len(f.Policy.MinimumCoverage) == 0 {
		s.MeetsMinimumCoverage = s.HasValidInsurance
		return
	}
	s.MeetsMinimumCoverage = true
	for _, m := range f.Policy.MinimumCoverage {
		var best *InsurancePolicy
		for _, p := range inForce {
			if p.Type == m.Type && (best == nil || p.CoverageAmount.GreaterThan(best.CoverageAmount)) {
				best = p
			}
		}
		msg := ""
		switch {
		case best == nil:
			msg = "no " + string(m.Type) + " policy in force to meet the minimum coverage of " + m.Amount.StringFixed(2)
		case best.CoverageAmount.LessThan(m.Amount):
			msg = string(m.Type) + " coverage " + best.CoverageAmount.StringFixed(2) + " (policy " + best.PolicyNumber + ") is below the minimum of " + m.Amount.StringFixed(2)
		default:
			continue
		}
		s.MeetsMinimumCoverage = false
		p := ComplianceProblem{Kind: ProblemCoverage, InsuranceType: m.Type, Message: msg}
		if best != nil {
			p.EntityID = best.ID
		}
		s.Problems = append(s.Problems, p)
	}
}

// Check is the scheduling gate: it returns nil when work needing trades may
// be scheduled for the contractor at s.At, and otherwise an *Error naming
// what is missing or expired:
//   - FORBIDDEN when the contractor is blocked, with the reason;
//   - LICENSE_INVALID when no license is valid, or when one of trades has
//     licenses and none is valid ("license HVAC-12345 (HVAC) expired on
//     2026-10-01");
//   - INSURANCE_INVALID when the insurance the policy requires is not in
//     force.
//
// Coverage minimums and the W-9 weigh on the score, not on the gate.
func (s *ComplianceStatus) Check(trades ...TradeType) error {
	if s.Blocked {
		reason := "no reason given"
		if s.Block != nil && s.Block.Reason != "" {
			reason = s.Block.Reason
		}
		return NewError(CodeComplianceBlocked, "the contractor is blocked from scheduling: %s", reason)
	}
	var license, insurance []string
	for _, p := range s.Problems {
		switch {
		case p.Kind == ProblemLicense && (!s.HasValidLicense || p.Trade != "" && slices.Contains(trades, p.Trade)):
			license = append(license, p.Message)
		case p.Kind == ProblemInsurance && !s.HasValidInsurance &&
			(len(s.Policy.RequiredInsurance) == 0 || slices.Contains(s.Policy.RequiredInsurance, p.InsuranceType)):
			insurance = append(insurance, p.Message)
		}
	}
	if len(license) > 0 {
		return NewError(CodeLicenseInvalid, "%s", strings.Join(license, "; "))
	}
	if len(insurance) > 0 {
		return NewError(CodeInsuranceInvalid, "%s", strings.Join(insurance, "; "))
	}
	return nil
}

// WorkRequirements are what a piece of work asks of the contractor and of
// the technician doing it.
type WorkRequirements struct {
	// Trades need a valid license when the contractor holds licenses of
	// them.
	Trades []TradeType `json:"trades,omitempty"`
	// Certifications, by name, the technician must hold, valid at the time
	// of the work.
	Certifications []string `json:"certifications,omitempty"`
}

// CheckWork is the whole compliance gate for one piece of work at an
// instant: the contractor's standing ([ComplianceStatus.Check]) and, when
// tech is not nil, the technician's certifications
// ([Technician.CheckCredentials]).
func (f *ComplianceFacts) CheckWork(at time.Time, req WorkRequirements, tech *Technician) error {
	s := f.Evaluate(at)
	if err := s.Check(req.Trades...); err != nil {
		return err
	}
	if tech == nil {
		return nil
	}
	return tech.CheckCredentials(req.Certifications, at, f.Location)
}
