package contractorops

import (
	"fmt"
	"slices"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

// ContractType is the kind of a maintenance contract.
type ContractType string

// The contract types.
const (
	ContractPreventiveMaintenance ContractType = "PREVENTIVE_MAINTENANCE"
	ContractFullService           ContractType = "FULL_SERVICE"
	ContractInspectionOnly        ContractType = "INSPECTION_ONLY"
	ContractOnCall                ContractType = "ON_CALL"
	ContractSeasonal              ContractType = "SEASONAL"
)

// ContractStatus is where a contract stands in its lifecycle (see
// [ContractTable]).
type ContractStatus string

// The contract statuses.
const (
	ContractDraft           ContractStatus = "DRAFT"
	ContractPendingApproval ContractStatus = "PENDING_APPROVAL"
	ContractActive          ContractStatus = "ACTIVE"
	ContractSuspended       ContractStatus = "SUSPENDED"
	ContractExpired         ContractStatus = "EXPIRED"
	ContractCancelled       ContractStatus = "CANCELLED"
	// ContractRenewed: a successor contract took over the agreement from
	// the day after this one's end date; this one serves out its term.
	ContractRenewed ContractStatus = "RENEWED"
)

// ContractStatuses returns the contract statuses in lifecycle order.
func ContractStatuses() []ContractStatus {
	return []ContractStatus{ContractDraft, ContractPendingApproval, ContractActive, ContractSuspended,
		ContractExpired, ContractCancelled, ContractRenewed}
}

// InForce reports whether a contract in status s serves its term: visits
// are generated and released for it. A RENEWED contract serves until its
// own end date, when its successor takes over.
func (s ContractStatus) InForce() bool { return s == ContractActive || s == ContractRenewed }

// Editable reports whether a contract's terms may change in status s: while
// drafted, and as an amendment while active (the reference's rule).
func (s ContractStatus) Editable() bool { return s == ContractDraft || s == ContractActive }

// The actions of the contract lifecycle, as recorded in its history.
const (
	ContractSubmit   jobfsm.Action = "SUBMIT"
	ContractActivate jobfsm.Action = "ACTIVATE"
	ContractReturn   jobfsm.Action = "RETURN_TO_DRAFT"
	ContractSuspend  jobfsm.Action = "SUSPEND"
	ContractResume   jobfsm.Action = "RESUME"
	ContractCancel   jobfsm.Action = "CANCEL"
	ContractExpire   jobfsm.Action = "EXPIRE"
	ContractRenew    jobfsm.Action = "RENEW"
	// ContractOpen is the first entry of a contract's history: created as a
	// draft, or as the active successor of a renewed contract.
	ContractOpen jobfsm.Action = "OPEN"
)

// ContractRule names the rule of the contract lifecycle that refused a move;
// it is the code of the field error of an ILLEGAL_TRANSITION.
type ContractRule string

// The contract rules.
const (
	// RuleContractNotInTable: the table has no such move.
	RuleContractNotInTable ContractRule = "NOT_IN_TABLE"
	// RuleContractReason: suspending and cancelling need a reason code.
	RuleContractReason ContractRule = "REASON_REQUIRED"
	// RuleContractTermOver: a contract whose end date has passed cannot be
	// activated or resumed; it expires or is renewed.
	RuleContractTermOver ContractRule = "TERM_OVER"
	// RuleContractTermRunning: a contract expires only after its end date.
	RuleContractTermRunning ContractRule = "TERM_RUNNING"
	// RuleContractRenewal: RENEWED is reached only by renewing
	// (maintenance/v1/renewContract or the auto-renewal), which creates the
	// successor.
	RuleContractRenewal ContractRule = "RENEWAL_ONLY"
	// RuleContractNotEditable: terms change only in DRAFT and ACTIVE.
	RuleContractNotEditable ContractRule = "NOT_EDITABLE"
)

// ContractEdge is one row of the contract table: a move, the action that
// makes it, and the rules checked before it is allowed.
type ContractEdge struct {
	From   ContractStatus `json:"from"`
	To     ContractStatus `json:"to"`
	Action jobfsm.Action  `json:"action"`
	Rules  []ContractRule `json:"rules,omitempty"`
}

// contractTable is the contract lifecycle: the only moves a contract makes.
// The reference's rules (activate from DRAFT, PENDING_APPROVAL or
// SUSPENDED; suspend ACTIVE; cancel unless CANCELLED or EXPIRED; renew
// ACTIVE or EXPIRED), with its unused RENEWED status given a meaning.
var contractTable = []ContractEdge{
	{ContractDraft, ContractPendingApproval, ContractSubmit, nil},
	{ContractDraft, ContractActive, ContractActivate, []ContractRule{RuleContractTermOver}},
	{ContractDraft, ContractCancelled, ContractCancel, []ContractRule{RuleContractReason}},

	{ContractPendingApproval, ContractDraft, ContractReturn, nil},
	{ContractPendingApproval, ContractActive, ContractActivate, []ContractRule{RuleContractTermOver}},
	{ContractPendingApproval, ContractCancelled, ContractCancel, []ContractRule{RuleContractReason}},

	{ContractActive, ContractSuspended, ContractSuspend, []ContractRule{RuleContractReason}},
	{ContractActive, ContractExpired, ContractExpire, []ContractRule{RuleContractTermRunning}},
	{ContractActive, ContractRenewed, ContractRenew, []ContractRule{RuleContractRenewal}},
	{ContractActive, ContractCancelled, ContractCancel, []ContractRule{RuleContractReason}},

	{ContractSuspended, ContractActive, ContractResume, []ContractRule{RuleContractTermOver}},
	{ContractSuspended, ContractExpired, ContractExpire, []ContractRule{RuleContractTermRunning}},
	{ContractSuspended, ContractCancelled, ContractCancel, []ContractRule{RuleContractReason}},

	{ContractExpired, ContractRenewed, ContractRenew, []ContractRule{RuleContractRenewal}},

	{ContractRenewed, ContractCancelled, ContractCancel, []ContractRule{RuleContractReason}},
}

// ContractTable returns the contract lifecycle's moves.
func ContractTable() []ContractEdge {
	out := slices.Clone(contractTable)
	for i := range out {
		out[i].Rules = slices.Clone(out[i].Rules)
	}
	return out
}

// contractMove is what a move is checked against.
type contractMove struct {
	today      jobfsm.Date // in the organization's time zone
	reasonCode string
	renewing   bool
}

// contractEdge returns the edge from → to, or the rule that refuses it.
func contractEdge(c *Contract, to ContractStatus, m contractMove) (ContractEdge, error) {
	i := slices.IndexFunc(contractTable, func(e ContractEdge) bool { return e.From == c.Status && e.To == to })
	if i < 0 {
		return ContractEdge{}, contractRefusal(c, to, RuleContractNotInTable, fmt.Sprintf("no move from %s to %s", c.Status, to))
	}
	e := contractTable[i]
	for _, r := range e.Rules {
		var why string
		switch r {
		case RuleContractReason:
			if m.reasonCode == "" {
				why = "a reason code is required"
			}
		case RuleContractTermOver:
			if cmpDate(m.today, c.EndDate) > 0 {
				why = "its term ended on " + c.EndDate.String()
			}
		case RuleContractTermRunning:
			if cmpDate(m.today, c.EndDate) <= 0 {
				why = "its term runs until " + c.EndDate.String()
			}
		case RuleContractRenewal:
			if !m.renewing {
				why = "renew it with maintenance/v1/renewContract"
			}
		}
		if why != "" {
			return ContractEdge{}, contractRefusal(c, to, r, why)
		}
	}
	return e, nil
}

func contractRefusal(c *Contract, to ContractStatus, r ContractRule, why string) *Error {
	msg := fmt.Sprintf("contract %s cannot move from %s to %s: %s", c.Number, c.Status, to, why)
	return fieldError(CodeIllegalTransition, "status", string(r), msg)
}

// Contract is a maintenance contract (a service agreement): a customer's
// location, or an association, served for a term under a scope, with
// planned visits ([Schedule]), an SLA for the jobs it generates, and a
// renewal policy. A renewal creates a successor contract for the next term
// and marks this one RENEWED; Renewals carries the agreement's history
// from one term to the next.
type Contract struct {
	Meta
	// Number is the human number, SC-2026-000001.
	Number string         `json:"number"`
	Name   string         `json:"name"`
	Type   ContractType   `json:"type"`
	Status ContractStatus `json:"status"`
	// The target: a customer's service location, or an association.
	CustomerID    string `json:"customerId,omitempty"`
	LocationID    string `json:"locationId,omitempty"`
	AssociationID string `json:"associationId,omitempty"`
	// The term, both days included, in the organization's time zone.
	StartDate jobfsm.Date `json:"startDate"`
	EndDate   jobfsm.Date `json:"endDate"`
	// Value is the contract's price for the term; BillingAmount is billed
	// every BillingFrequency. Decimal strings in Currency.
	Currency         string    `json:"currency"`
	Value            string    `json:"value"`
	BillingFrequency Frequency `json:"billingFrequency,omitempty"`
	BillingAmount    string    `json:"billingAmount,omitempty"`
	// The renewal policy: renew automatically at the end date for
	// RenewalTermMonths, prices changed by RenewalChangePercent; the notice
	// period starts RenewalNoticeDays before the end date.
	AutoRenew            bool        `json:"autoRenew"`
	RenewalTermMonths    int         `json:"renewalTermMonths"`
	RenewalNoticeDays    int         `json:"renewalNoticeDays"`
	RenewalChangePercent string      `json:"renewalChangePercent"`
	RenewalNoticeDate    jobfsm.Date `json:"renewalNoticeDate"`
	// NoticeAt is when the contract entered its notice period (the
	// CONTRACT_RENEWAL_NOTICE event).
	NoticeAt time.Time     `json:"noticeAt,omitzero"`
	Scope    ContractScope `json:"scope"`
	// SLA is the contract's own SLA for the jobs it generates; without
	// one they get the organization's policy for their priority.
	SLA *ContractSLA `json:"sla,omitempty"`
	// Priority is the priority of the jobs of its visits (MEDIUM if empty);
	// Trade the skill they need.
	Priority            jobfsm.Priority `json:"priority,omitempty"`
	Trade               TradeType       `json:"trade,omitempty"`
	PrimaryTechnicianID string          `json:"primaryTechnicianId,omitempty"`
	BranchID            string          `json:"branchId,omitempty"`
	DocumentURL         string          `json:"documentUrl,omitempty"`
	SignedAt            time.Time       `json:"signedAt,omitzero"`
	SignedBy            string          `json:"signedBy,omitempty"`

	ServiceItems []ServiceItem                  `json:"serviceItems"`
	History      []jobfsm.Entry[ContractStatus] `json:"history"`
	// RenewedFromID and RenewedToID link the terms of one agreement.
	RenewedFromID string            `json:"renewedFromId,omitempty"`
	RenewedToID   string            `json:"renewedToId,omitempty"`
	Renewals      []ContractRenewal `json:"renewals,omitempty"`
}

// ContractScope describes the work a contract covers.
type ContractScope struct {
	Description      string `json:"description,omitempty"`
	ScopeOfWork      string `json:"scopeOfWork,omitempty"`
	Exclusions       string `json:"exclusions,omitempty"`
	ServiceAreaNotes string `json:"serviceAreaNotes,omitempty"`
}

// ContractSLA is a contract's service level: hours to respond (a technician
// on the way) and to resolve, counted in the organization's business hours,
// or round the clock.
type ContractSLA struct {
	ResponseHours   int  `json:"responseHours"`
	ResolutionHours int  `json:"resolutionHours"`
	RoundTheClock   bool `json:"roundTheClock,omitempty"`
}

// Policy is the jobfsm SLA policy of the contract numbered number.
func (s ContractSLA) Policy(number string) jobfsm.Policy {
	return jobfsm.Policy{Name: number, ResponseMinutes: s.ResponseHours * 60, ResolutionMinutes: s.ResolutionHours * 60, WallClock: s.RoundTheClock}
}

// Validate checks the targets.
func (s ContractSLA) Validate() error {
	return validation.ValidateStruct(&s,
		validation.Field(&s.ResponseHours, validation.Required, validation.Min(1), validation.Max(24*366)),
		validation.Field(&s.ResolutionHours, validation.Required, validation.Min(s.ResponseHours), validation.Max(24*366)),
	)
}

// policy is the contract's SLA policy, or nil.
func (c *Contract) policy() *jobfsm.Policy {
	if c.SLA == nil {
		return nil
	}
	p := c.SLA.Policy(c.Number)
	return &p
}

// ServiceItem is a line of a contract: a service done at its visits.
type ServiceItem struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	PricebookItemID string    `json:"pricebookItemId,omitempty"`
	Frequency       Frequency `json:"frequency"`
	VisitsPerPeriod int       `json:"visitsPerPeriod"`
	UnitPrice       string    `json:"unitPrice"`
	Quantity        string    `json:"quantity"`
	// LineTotal is UnitPrice × Quantity rounded half up to the currency's
	// minor unit.
	LineTotal        string `json:"lineTotal"`
	EstimatedMinutes int    `json:"estimatedMinutes,omitempty"`
}

// ContractRenewal records one renewal of an agreement: the term it ended,
// the term it started and the price change.
type ContractRenewal struct {
	// Number counts the agreement's renewals from 1.
	Number             int         `json:"number"`
	PreviousContractID string      `json:"previousContractId"`
	ContractID         string      `json:"contractId"`
	PreviousEndDate    jobfsm.Date `json:"previousEndDate"`
	NewStartDate       jobfsm.Date `json:"newStartDate"`
	NewEndDate         jobfsm.Date `json:"newEndDate"`
	PreviousValue      string      `json:"previousValue"`
	NewValue           string      `json:"newValue"`
	ChangePercent      string      `json:"changePercent"`
	Automatic          bool        `json:"automatic"`
	RenewedAt          time.Time   `json:"renewedAt"`
	RenewedBy          string      `json:"renewedBy"`
}

// ContractEvent is the contract part of an [Event].
type ContractEvent struct {
	ContractID     string         `json:"contractId"`
	ContractNumber string         `json:"contractNumber"`
	From           ContractStatus `json:"from,omitempty"`
	Status         ContractStatus `json:"status"`
	EndDate        jobfsm.Date    `json:"endDate"`
	AutoRenew      bool           `json:"autoRenew"`
	// SuccessorID is the contract that took over, on CONTRACT_RENEWED.
	SuccessorID string `json:"successorId,omitempty"`
	// VisitID is the scheduled visit, on SCHEDULED_VISIT_MISSED.
	VisitID string `json:"visitId,omitempty"`
}

// The events of maintenance contracts.
const (
	EventContractStatusChanged jobfsm.EventType = "CONTRACT_STATUS_CHANGED"
	// EventContractRenewalNotice: the contract entered its notice period.
	EventContractRenewalNotice jobfsm.EventType = "CONTRACT_RENEWAL_NOTICE"
	EventContractRenewed       jobfsm.EventType = "CONTRACT_RENEWED"
	EventScheduledVisitMissed  jobfsm.EventType = "SCHEDULED_VISIT_MISSED"
)

func emitContractEvent(t *txn, c *Contract, typ jobfsm.EventType, from ContractStatus, fill func(*ContractEvent)) error {
	ce := &ContractEvent{ContractID: c.ID, ContractNumber: c.Number, From: from, Status: c.Status, EndDate: c.EndDate, AutoRenew: c.AutoRenew}
	if fill != nil {
		fill(ce)
	}
	return appendEvent(t, &Event{Type: typ, At: t.now, AssociationID: c.AssociationID, Contract: ce})
}

var contractsTable = table[Contract]{
	spec: TableSpec{
		Name:   "service_contracts",
		Keys:   []string{"number", "status", "customer_id", "association_id", "end_date", "renewal_due"},
		Unique: [][]string{{"number"}},
	},
	keys: func(c *Contract) map[string]string {
		return keys("number", c.Number, "status", string(c.Status), "customer_id", c.CustomerID,
			"association_id", c.AssociationID, "end_date", dateKey(c.EndDate), "renewal_due", dateKey(c.renewalDue()))
	},
}

// renewalDue is the day the renewal check next has work for the contract:
// the notice date until the notice is given, then the end date (to renew)
// or the day after (to expire). Zero when nothing is pending.
func (c *Contract) renewalDue() jobfsm.Date {
	switch {
	case c.Status == ContractActive && c.NoticeAt.IsZero():
		return c.RenewalNoticeDate
	case c.Status == ContractActive && c.AutoRenew:
		return c.EndDate
	case c.Status == ContractActive, c.Status == ContractSuspended:
		return addDays(c.EndDate, 1)
	}
	return jobfsm.Date{}
}

// dateKey formats a date as a key; the zero date is no key.
func dateKey(d jobfsm.Date) string {
	if d == (jobfsm.Date{}) {
		return ""
	}
	return d.String()
}

// ContractInput is a contract's terms.
type ContractInput struct {
	Name          string       `json:"name"`
	Type          ContractType `json:"type"`
	CustomerID    string       `json:"customerId,omitempty"`
	LocationID    string       `json:"locationId,omitempty"`
	AssociationID string       `json:"associationId,omitempty"`
	StartDate     jobfsm.Date  `json:"startDate"`
	EndDate       jobfsm.Date  `json:"endDate"`
	// Currency defaults to the organization's.
	Currency         string    `json:"currency,omitempty"`
	Value            string    `json:"value"`
	BillingFrequency Frequency `json:"billingFrequency,omitempty"`
	BillingAmount    string    `json:"billingAmount,omitempty"`
	AutoRenew        bool      `json:"autoRenew,omitempty"`
	// RenewalTermMonths defaults to 12, RenewalNoticeDays to 30 and
	// RenewalChangePercent to 0.
	RenewalTermMonths    int             `json:"renewalTermMonths,omitempty"`
	RenewalNoticeDays    *int            `json:"renewalNoticeDays,omitempty"`
	RenewalChangePercent string          `json:"renewalChangePercent,omitempty"`
	Scope                ContractScope   `json:"scope"`
	SLA                  *ContractSLA    `json:"sla,omitempty"`
	Priority             jobfsm.Priority `json:"priority,omitempty"`
	Trade                TradeType       `json:"trade,omitempty"`
	PrimaryTechnicianID  string          `json:"primaryTechnicianId,omitempty"`
	BranchID             string          `json:"branchId,omitempty"`
	DocumentURL          string          `json:"documentUrl,omitempty"`
	SignedAt             time.Time       `json:"signedAt,omitzero"`
	SignedBy             string          `json:"signedBy,omitempty"`
}

// maxTermDays bounds a contract's term (ten years).
const maxTermDays = 3653

// Validate checks the terms.
func (in ContractInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Type, validation.Required, validation.In(ContractPreventiveMaintenance, ContractFullService,
			ContractInspectionOnly, ContractOnCall, ContractSeasonal)),
		validation.Field(&in.CustomerID, validation.Length(0, 100), validation.When(in.AssociationID == "",
			validation.Required.Error("a contract serves a customer or an association"))),
		validation.Field(&in.LocationID, validation.Length(0, 100), validation.When(in.LocationID != "" && in.CustomerID == "",
			validation.By(func(any) error {
				return validation.NewError("validation_location_customer", "a service location needs its customer")
			}))),
		validation.Field(&in.AssociationID, validation.Length(0, 100)),
		validation.Field(&in.StartDate, validation.By(requiredDate)),
		validation.Field(&in.EndDate, validation.By(requiredDate), validation.By(func(any) error {
			switch n := daysBetween(in.StartDate, in.EndDate); {
			case n < 0:
				return validation.NewError("validation_term", "must not be before startDate")
			case n > maxTermDays:
				return validation.NewError("validation_term", "the term is longer than ten years")
			}
			return nil
		})),
		validation.Field(&in.Currency, validation.By(knownCurrency)),
		validation.Field(&in.Value, validation.Required, validation.By(amount)),
		validation.Field(&in.BillingFrequency, validation.In(frequencies()...)),
		validation.Field(&in.BillingAmount, validation.By(amount)),
		validation.Field(&in.RenewalTermMonths, validation.Min(0), validation.Max(120)),
		validation.Field(&in.RenewalNoticeDays, validation.Min(0), validation.Max(365)),
		validation.Field(&in.RenewalChangePercent, validation.By(changePercent)),
		validation.Field(&in.Scope),
		validation.Field(&in.SLA),
		validation.Field(&in.Priority, validation.In(priorities()...)),
		validation.Field(&in.Trade, validation.In(TradeTypes()...)),
		validation.Field(&in.PrimaryTechnicianID, validation.Length(0, 100)),
		validation.Field(&in.BranchID, validation.Length(0, 100)),
		validation.Field(&in.DocumentURL, validation.Length(0, 2000)),
		validation.Field(&in.SignedBy, validation.Length(0, 200)),
	)
}

// Validate checks the scope's texts.
func (s ContractScope) Validate() error {
	return validation.ValidateStruct(&s,
		validation.Field(&s.Description, validation.Length(0, 10000)),
		validation.Field(&s.ScopeOfWork, validation.Length(0, 10000)),
		validation.Field(&s.Exclusions, validation.Length(0, 10000)),
		validation.Field(&s.ServiceAreaNotes, validation.Length(0, 10000)),
	)
}

func knownCurrency(v any) error {
	if s, _ := v.(string); s != "" {
		if _, ok := pricing.CurrencyDigits(s); !ok {
			return validation.NewError("validation_currency", "must be an ISO 4217 code such as USD")
		}
	}
	return nil
}

// amount validates an optional non-negative decimal amount.
func amount(v any) error {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	m, err := pricing.NewMoney(s, "USD") // the format; the currency is checked apart
	if err != nil {
		return validation.NewError("validation_decimal", "must be a decimal number such as 120.50")
	}
	if m.IsNegative() {
		return validation.NewError("validation_negative", "must not be negative")
	}
	return nil
}

// percent validates an optional percent: "3.5" is 3.5 %.
func percent(v any) error {
	if s, _ := v.(string); s != "" {
		if _, err := pricing.ParsePercent(s); err != nil {
			return validation.NewError("validation_percent", "must be a percent such as 3.5")
		}
	}
	return nil
}

// changePercent validates a renewal price change: a percent above −100
// and at most 1000.
func changePercent(v any) error {
	if err := percent(v); err != nil {
		return err
	}
	if s, _ := v.(string); s != "" {
		if d := decimal.RequireFromString(s); d.Cmp(decimal.NewFromInt(-100)) <= 0 || d.Cmp(decimal.NewFromInt(1000)) > 0 {
			return validation.NewError("validation_percent", "must be above -100 and at most 1000")
		}
	}
	return nil
}

// apply sets the contract's terms from the input; currency is the
// organization's when the input names none.
func (in *ContractInput) apply(c *Contract, currency string) error {
	c.Name, c.Type = in.Name, in.Type
	c.CustomerID, c.LocationID, c.AssociationID = in.CustomerID, in.LocationID, in.AssociationID
	c.StartDate, c.EndDate = in.StartDate, in.EndDate
	cur := or(in.Currency, currency)
	if c.Currency != "" && cur != c.Currency && len(c.ServiceItems) > 0 {
		return fieldError(CodeValidationFailed, "currency", "validation_currency_items", "the service items are priced in "+c.Currency+": remove them to change the currency")
	}
	c.Currency = cur
	c.Value, c.BillingFrequency, c.BillingAmount = in.Value, in.BillingFrequency, in.BillingAmount
	c.AutoRenew, c.RenewalTermMonths = in.AutoRenew, or(in.RenewalTermMonths, 12)
	c.RenewalNoticeDays = 30
	if in.RenewalNoticeDays != nil {
		c.RenewalNoticeDays = *in.RenewalNoticeDays
	}
	c.RenewalChangePercent = or(in.RenewalChangePercent, "0")
	if notice := addDays(c.EndDate, -c.RenewalNoticeDays); notice != c.RenewalNoticeDate {
		c.RenewalNoticeDate, c.NoticeAt = notice, time.Time{} // a new notice date calls for a new notice
	}
	c.Scope, c.SLA, c.Priority, c.Trade = in.Scope, in.SLA, in.Priority, in.Trade
	c.PrimaryTechnicianID, c.BranchID = in.PrimaryTechnicianID, in.BranchID
	c.DocumentURL, c.SignedAt, c.SignedBy = in.DocumentURL, in.SignedAt, in.SignedBy
	return nil
}

// CreateContractInput drafts a contract with its service items.
type CreateContractInput struct {
	ContractInput
	ServiceItems []ServiceItemInput `json:"serviceItems,omitempty"`
}

// Validate checks the input.
func (in CreateContractInput) Validate() error {
	if err := in.ContractInput.Validate(); err != nil {
		return err
	}
	return validation.ValidateStruct(&in, validation.Field(&in.ServiceItems, validation.Length(0, 100)))
}

// UpdateContractInput replaces a contract's terms (not its service items
// nor its status).
type UpdateContractInput struct {
	ID string `json:"id"`
	ContractInput
}

// Validate checks the input.
func (in UpdateContractInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.ID, validation.Required)); err != nil {
		return err
	}
	return in.ContractInput.Validate()
}

// ServiceItemInput is a service item's fields.
type ServiceItemInput struct {
	Name            string    `json:"name"`
	PricebookItemID string    `json:"pricebookItemId,omitempty"`
	Frequency       Frequency `json:"frequency"`
	// VisitsPerPeriod defaults to 1, Quantity to 1.
	VisitsPerPeriod  int    `json:"visitsPerPeriod,omitempty"`
	UnitPrice        string `json:"unitPrice"`
	Quantity         string `json:"quantity,omitempty"`
	EstimatedMinutes int    `json:"estimatedMinutes,omitempty"`
}

// Validate checks the item.
func (in ServiceItemInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.PricebookItemID, validation.Length(0, 100)),
		validation.Field(&in.Frequency, validation.Required, validation.In(frequencies()...)),
		validation.Field(&in.VisitsPerPeriod, validation.Min(0), validation.Max(366)),
		validation.Field(&in.UnitPrice, validation.Required, validation.By(amount)),
		validation.Field(&in.Quantity, validation.When(in.Quantity != "", validation.By(positiveDecimal))),
		validation.Field(&in.EstimatedMinutes, validation.Min(0), validation.Max(24*60)),
	)
}

// item makes a service item priced in currency.
func (in ServiceItemInput) item(id, currency string) (ServiceItem, error) {
	it := ServiceItem{
		ID: id, Name: in.Name, PricebookItemID: in.PricebookItemID, Frequency: in.Frequency,
		VisitsPerPeriod: or(in.VisitsPerPeriod, 1), UnitPrice: in.UnitPrice, Quantity: or(in.Quantity, "1"),
		EstimatedMinutes: in.EstimatedMinutes,
	}
	return it, it.price(currency)
}

// price sets the line total from the unit price and quantity.
func (it *ServiceItem) price(currency string) error {
	unit, err := pricing.NewMoney(it.UnitPrice, currency)
	if err != nil {
		return err
	}
	qty, err := decimal.NewFromString(it.Quantity)
	if err != nil {
		return err
	}
	it.LineTotal = unit.Mul(qty).Round(pricing.RoundHalfUp).Number()
	return nil
}

// ServiceItemRef names a service item of a contract.
type ServiceItemRef struct {
	ContractID    string `json:"contractId"`
	ServiceItemID string `json:"serviceItemId"`
}

// Validate checks the input.
func (in ServiceItemRef) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ContractID, validation.Required),
		validation.Field(&in.ServiceItemID, validation.Required),
	)
}

// AddServiceItemInput adds a service item to a contract.
type AddServiceItemInput struct {
	ContractID string `json:"contractId"`
	ServiceItemInput
}

// Validate checks the input.
func (in AddServiceItemInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.ContractID, validation.Required)); err != nil {
		return err
	}
	return in.ServiceItemInput.Validate()
}

// UpdateContractStatusInput moves a contract: submit, approve or activate,
// return to draft, suspend, resume, cancel, expire. Renewing is
// maintenance/v1/renewContract.
type UpdateContractStatusInput struct {
	ID         string         `json:"id"`
	Status     ContractStatus `json:"status"`
	ReasonCode string         `json:"reasonCode,omitempty"`
	Reason     string         `json:"reason,omitempty"`
}

// Validate checks the input.
func (in UpdateContractStatusInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required),
		validation.Field(&in.Status, validation.Required, validation.In(contractStatuses()...)),
		validation.Field(&in.ReasonCode, validation.Length(0, 50), validation.Match(reasonCodePattern)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

func contractStatuses() []any {
	out := []any{}
	for _, s := range ContractStatuses() {
		out = append(out, s)
	}
	return out
}

// ListContractsInput lists contracts by number, with filters.
type ListContractsInput struct {
	Status        []ContractStatus `json:"status,omitempty"`
	CustomerID    string           `json:"customerId,omitempty"`
	AssociationID string           `json:"associationId,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListContractsInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.Status, validation.Each(validation.In(contractStatuses()...)))); err != nil {
		return err
	}
	return in.PageRequest.Validate()
}

// zone is the organization and its time zone.
func zone(t *txn) (*Organization, *time.Location, error) {
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return nil, nil, err
	}
	return org, t.e.location(org.TimeZone), nil
}

// today is the date of now in loc.
func today(now time.Time, loc *time.Location) jobfsm.Date { return jobfsm.DateOf(now.In(loc)) }

func (c *call) createContract(in *CreateContractInput) (*Contract, error) {
	return inTx(c, "create-contract", func(t *txn) (*Contract, error) {
		org, loc, err := zone(t)
		if err != nil {
			return nil, err
		}
		k := &Contract{Meta: Meta{ID: c.e.newID()}, Status: ContractDraft}
		if err := in.apply(k, org.Currency); err != nil {
			return nil, err
		}
		if err := checkTarget(t, k); err != nil {
			return nil, err
		}
		for i, it := range in.ServiceItems {
			item, err := it.item(c.e.newID(), k.Currency)
			if err != nil {
				return nil, fieldError(CodeValidationFailed, fmt.Sprintf("serviceItems.%d.unitPrice", i), "validation_decimal", err.Error())
			}
			k.ServiceItems = append(k.ServiceItems, item)
		}
		year := fmt.Sprint(c.now.In(loc).Year())
		n, err := t.tx.NextNumber(t.ctx, "contract-"+year)
		if err != nil {
			return nil, err
		}
		k.Number = fmt.Sprintf("SC-%s-%06d", year, n)
		k.History = []jobfsm.Entry[ContractStatus]{c.contractEntry("", ContractDraft, ContractOpen, "", "")}
		if err := insert(t, contractsTable, k); err != nil {
			return nil, err
		}
		return k, emitContractEvent(t, k, EventContractStatusChanged, "", nil)
	})
}

func (c *call) contractEntry(from, to ContractStatus, a jobfsm.Action, reasonCode, reason string) jobfsm.Entry[ContractStatus] {
	r := c.request(reasonCode, reason)
	return jobfsm.Entry[ContractStatus]{From: from, To: to, Action: a, Actor: r.Actor, ReasonCode: reasonCode, Reason: reason, At: c.now}
}

// technicianExists checks that the technician named in field exists.
func technicianExists(t *txn, id, field string) error {
	if id == "" {
		return nil
	}
	if _, err := load(t, techniciansTable, id); err != nil {
		return fieldNotFound(err, field)
	}
	return nil
}

// checkTarget checks that the contract's customer and location exist and
// belong together, and that its primary technician exists.
func checkTarget(t *txn, k *Contract) error {
	if err := technicianExists(t, k.PrimaryTechnicianID, "primaryTechnicianId"); err != nil {
		return err
	}
	if k.CustomerID != "" {
		if _, err := load(t, customersTable, k.CustomerID); err != nil {
			return fieldNotFound(err, "customerId")
		}
	}
	if k.LocationID != "" {
		loc, err := load(t, serviceLocationsTable, k.LocationID)
		if err != nil {
			return fieldNotFound(err, "locationId")
		}
		if loc.CustomerID != k.CustomerID {
			return fieldError(CodeValidationFailed, "locationId", "validation_location_customer", "the location belongs to another customer")
		}
	}
	return nil
}

// mutateContract loads a contract, applies fn and stores it.
func (c *call) mutateContract(name, id string, fn func(t *txn, k *Contract) error) (*Contract, error) {
	return inTx(c, name, func(t *txn) (*Contract, error) {
		k, err := load(t, contractsTable, id)
		if err != nil {
			return nil, err
		}
		if err := fn(t, k); err != nil {
			return nil, err
		}
		return k, update(t, contractsTable, k)
	})
}

// editable refuses changes to the terms of a contract that is not editable.
func editable(k *Contract) error {
	if !k.Status.Editable() {
		return fieldError(CodeIllegalTransition, "status", string(RuleContractNotEditable),
			fmt.Sprintf("contract %s is %s: its terms change only in DRAFT or ACTIVE", k.Number, k.Status))
	}
	return nil
}

// updateContract amends a contract's terms; visits not started that fall
// outside a shortened term are cancelled (CONTRACT_AMENDED).
func (c *call) updateContract(in *UpdateContractInput) (*Contract, error) {
	return c.mutateContract("update-contract", in.ID, func(t *txn, k *Contract) error {
		if err := editable(k); err != nil {
			return err
		}
		if err := in.apply(k, k.Currency); err != nil {
			return err
		}
		if err := checkTarget(t, k); err != nil {
			return err
		}
		return c.cancelOpenVisits(t, k, "CONTRACT_AMENDED", func(v *ScheduledVisit) bool {
			return cmpDate(v.Date, k.StartDate) < 0 || cmpDate(v.Date, k.EndDate) > 0
		})
	})
}

func (c *call) getContract(in *IDInput) (*Contract, error) {
	return inTx(c, "get-contract", func(t *txn) (*Contract, error) { return load(t, contractsTable, in.ID) })
}

func (c *call) addServiceItem(in *AddServiceItemInput) (*Contract, error) {
	return c.mutateContract("add-service-item", in.ContractID, func(_ *txn, k *Contract) error {
		if err := editable(k); err != nil {
			return err
		}
		item, err := in.item(c.e.newID(), k.Currency)
		if err != nil {
			return fieldError(CodeValidationFailed, "unitPrice", "validation_decimal", err.Error())
		}
		k.ServiceItems = append(k.ServiceItems, item)
		return nil
	})
}

func (c *call) removeServiceItem(in *ServiceItemRef) (*Contract, error) {
	return c.mutateContract("remove-service-item", in.ContractID, func(t *txn, k *Contract) error {
		if err := editable(k); err != nil {
			return err
		}
		i := slices.IndexFunc(k.ServiceItems, func(it ServiceItem) bool { return it.ID == in.ServiceItemID })
		if i < 0 {
			return fieldError(CodeNotFound, "serviceItemId", "not_found", "the contract has no such service item")
		}
		scheds, err := find(t, schedulesTable, Query{Where: []Cond{Eq("contract_id", k.ID)}})
		if err != nil {
			return err
		}
		for _, s := range scheds {
			if slices.Contains(s.ServiceItemIDs, in.ServiceItemID) {
				return fieldError(CodeValidationFailed, "serviceItemId", "in_use",
					fmt.Sprintf("schedule %q performs this service item: take it off the schedule first", s.Name))
			}
		}
		k.ServiceItems = slices.Delete(k.ServiceItems, i, i+1)
		return nil
	})
}

func (c *call) updateContractStatus(in *UpdateContractStatusInput) (*Contract, error) {
	return inTx(c, "update-contract-status", func(t *txn) (*Contract, error) {
		k, err := load(t, contractsTable, in.ID)
		if err != nil {
			return nil, err
		}
		_, loc, err := zone(t)
		if err != nil {
			return nil, err
		}
		if err := c.moveContract(t, k, in.Status, contractMove{today: today(c.now, loc), reasonCode: in.ReasonCode}, in.Reason); err != nil {
			return nil, err
		}
		return k, nil
	})
}

// moveContract moves k to status to through the table, records the move,
// stores k and emits CONTRACT_STATUS_CHANGED. A cancellation cancels the
// contract's visits not started yet.
func (c *call) moveContract(t *txn, k *Contract, to ContractStatus, m contractMove, reason string) error {
	e, err := contractEdge(k, to, m)
	if err != nil {
		return err
	}
	from := k.Status
	k.Status = to
	k.History = append(k.History, c.contractEntry(from, to, e.Action, m.reasonCode, reason))
	if err := update(t, contractsTable, k); err != nil {
		return err
	}
	if to == ContractCancelled {
		if err := c.cancelOpenVisits(t, k, "CONTRACT_CANCELLED", nil); err != nil {
			return err
		}
	}
	return emitContractEvent(t, k, EventContractStatusChanged, from, nil)
}

func (c *call) listContracts(in *ListContractsInput) (*Page[Contract], error) {
	return inTx(c, "list-contracts", func(t *txn) (*Page[Contract], error) {
		q := Query{OrderBy: "number"}
		if len(in.Status) > 0 {
			vals := make([]string, len(in.Status))
			for i, s := range in.Status {
				vals[i] = string(s)
			}
			q.Where = append(q.Where, In("status", vals...))
		}
		for _, kv := range [][2]string{{"customer_id", in.CustomerID}, {"association_id", in.AssociationID}} {
			if kv[1] != "" {
				q.Where = append(q.Where, Eq(kv[0], kv[1]))
			}
		}
		q = in.PageRequest.apply(q)
		items, err := find(t, contractsTable, q)
		if err != nil {
			return nil, err
		}
		return pageOf(in.PageRequest, q, items, func(k *Contract) string { return k.Number }), nil
	})
}
