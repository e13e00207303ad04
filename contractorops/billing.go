package contractorops

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

// BillingSettings are how an organization prices and bills: its tax zones,
// the rounding policy recorded on its documents, and the defaults of its
// estimates and invoices.
type BillingSettings struct {
	Meta
	// TaxZones are the jurisdictions the organization works in. A job is
	// taxed by the zone listing its location's postal code, or else by
	// DefaultTaxZoneID; with neither, its documents carry no tax.
	TaxZones         []TaxZone `json:"taxZones"`
	DefaultTaxZoneID string    `json:"defaultTaxZoneId,omitempty"`
	// Rounding is the policy recorded on every new estimate and invoice.
	Rounding pricing.Rounding `json:"rounding"`
	// EstimateValidDays is how long an estimate's offer stands (default 30).
	EstimateValidDays int `json:"estimateValidDays"`
	// Deposit is the deposit an estimate requires on acceptance, unless the
	// estimate says otherwise; none when nil.
	Deposit *pricing.Portion `json:"deposit,omitempty"`
	// Terms are the payment terms of new invoices (default due on receipt).
	Terms pricing.Terms `json:"terms"`
}

// TaxZone is a tax jurisdiction and the postal codes it covers.
type TaxZone struct {
	pricing.TaxZone
	PostalCodes []string `json:"postalCodes,omitempty"`
}

var billingSettingsTable = table[BillingSettings]{
	spec: TableSpec{Name: "billing_settings"},
	keys: func(*BillingSettings) map[string]string { return nil },
}

const billingSettingsID = "billing"

// defaultEstimateValidDays is how long an estimate stands by default.
const defaultEstimateValidDays = 30

// loadBillingSettings returns the organization's billing settings, or the
// defaults if it set none.
func loadBillingSettings(t *txn) (*BillingSettings, error) {
	s, err := load(t, billingSettingsTable, billingSettingsID)
	if errors.Is(err, ErrNotFound) {
		return &BillingSettings{Meta: Meta{ID: billingSettingsID}, TaxZones: []TaxZone{},
			Rounding: pricing.Rounding{}.WithDefaults(), EstimateValidDays: defaultEstimateValidDays,
			Terms: pricing.Terms{Kind: pricing.DueOnReceipt}}, nil
	}
	return s, err
}

// zoneFor returns the tax zone of a postal code.
func (s *BillingSettings) zoneFor(postalCode string) *TaxZone {
	fallback := -1
	for i := range s.TaxZones {
		z := &s.TaxZones[i]
		if postalCode != "" && slices.Contains(z.PostalCodes, postalCode) {
			return z
		}
		if z.ID == s.DefaultTaxZoneID {
			fallback = i
		}
	}
	if fallback < 0 {
		return nil
	}
	return &s.TaxZones[fallback]
}

// UpdateBillingSettingsInput replaces the billing settings.
type UpdateBillingSettingsInput struct {
	TaxZones          []TaxZone        `json:"taxZones,omitempty"`
	DefaultTaxZoneID  string           `json:"defaultTaxZoneId,omitempty"`
	Rounding          pricing.Rounding `json:"rounding"`
	EstimateValidDays int              `json:"estimateValidDays,omitempty"`
	Deposit           *pricing.Portion `json:"deposit,omitempty"`
	Terms             pricing.Terms    `json:"terms"`
}

// Validate checks the input; the rates, rounding, deposit and terms are
// checked by package pricing when the settings are stored.
func (in UpdateBillingSettingsInput) Validate() error {
	ids := map[string]bool{}
	return validation.ValidateStruct(&in,
		validation.Field(&in.TaxZones, validation.Length(0, 200), validation.Each(validation.By(func(v any) error {
			z := v.(TaxZone)
			switch {
			case z.ID == "":
				return validation.NewError("validation_required", "a tax zone needs an id")
			case ids[z.ID]:
				return validation.NewError("validation_duplicate", "duplicate tax zone id "+z.ID)
			}
			ids[z.ID] = true
			return nil
		}))),
		validation.Field(&in.DefaultTaxZoneID, validation.By(func(any) error {
			if in.DefaultTaxZoneID != "" && !slices.ContainsFunc(in.TaxZones, func(z TaxZone) bool { return z.ID == in.DefaultTaxZoneID }) {
				return validation.NewError("validation_tax_zone", "is not one of taxZones")
			}
			return nil
		})),
		validation.Field(&in.EstimateValidDays, validation.Min(0), validation.Max(366)),
	)
}

// GetBillingSettingsInput reads the billing settings.
type GetBillingSettingsInput struct{}

// Validate checks the input.
func (GetBillingSettingsInput) Validate() error { return nil }

// BillingService manages the organization's billing settings.
type BillingService struct {
	get    proc[GetBillingSettingsInput, BillingSettings]
	update proc[UpdateBillingSettingsInput, BillingSettings]
}

// Settings returns the billing settings (the defaults if none were set).
func (s *BillingService) Settings(ctx context.Context, scope Scope) (*BillingSettings, error) {
	return s.get.get(ctx, scope, GetBillingSettingsInput{})
}

// UpdateSettings replaces the billing settings. Documents already priced
// keep the tax and rounding they recorded.
func (s *BillingService) UpdateSettings(ctx context.Context, scope Scope, key string, in UpdateBillingSettingsInput) (*BillingSettings, error) {
	return s.update.do(ctx, scope, key, in)
}

func (e *Engine) registerBilling() {
	e.Billing = &BillingService{
		get: query(e, "billing/v1/getSettings", "Read the tax zones, rounding and document defaults.", rolesReaders(),
			func(c *call, _ *GetBillingSettingsInput) (*BillingSettings, error) {
				return inTx(c, "get", loadBillingSettings)
			}),
		update: mutation(e, "billing/v1/updateSettings", "Replace the tax zones, rounding and document defaults.", rolesFinance(),
			(*call).updateBillingSettings),
	}
	e.registerPricebooks()
	e.registerEstimates()
	e.registerInvoices()
	e.registerTimeEntries()
	e.registerReports()
	e.factSources = append(e.factSources, billingFacts)
	e.jobRevenue = jobRevenue
	e.tasks = append(e.tasks, billingTasks()...)
}

func (c *call) updateBillingSettings(in *UpdateBillingSettingsInput) (*BillingSettings, error) {
	return inTx(c, "update", func(t *txn) (*BillingSettings, error) {
		org, err := load(t, organizationsTable, t.org)
		if err != nil {
			return nil, err
		}
		for i, z := range in.TaxZones {
			if _, err := z.Profile(c.now); err != nil {
				return nil, fieldsMoved(err, "tax", fmt.Sprintf("taxZones.%d", i))
			}
		}
		// Package pricing checks the rounding, deposit and terms as it
		// will when it uses them.
		if _, err := pricing.NewEstimate(pricing.Estimate{ID: "settings", Currency: org.Currency, Rounding: in.Rounding, Deposit: in.Deposit}, c.now); err != nil {
			return nil, err
		}
		if _, err := pricing.NewInvoice(pricing.Invoice{ID: "settings", Currency: org.Currency, Rounding: in.Rounding, Terms: in.Terms}, nil, nil, c.now); err != nil {
			return nil, err
		}
		s, err := loadBillingSettings(t)
		if err != nil {
			return nil, err
		}
		s.TaxZones, s.DefaultTaxZoneID, s.Rounding = in.TaxZones, in.DefaultTaxZoneID, in.Rounding.WithDefaults()
		if s.TaxZones == nil {
			s.TaxZones = []TaxZone{}
		}
		s.EstimateValidDays, s.Deposit, s.Terms = or(in.EstimateValidDays, defaultEstimateValidDays), in.Deposit, in.Terms
		if s.Terms.Kind == "" {
			s.Terms.Kind = pricing.DueOnReceipt
		}
		if s.Version == 0 {
			return s, insert(t, billingSettingsTable, s)
		}
		return s, update(t, billingSettingsTable, s)
	})
}

// PricingFlags are what the office says about the work beyond what the job
// records.
type PricingFlags struct {
	// AfterHours prices the work as after hours. Without it the work is
	// after hours when the job's arrival window starts outside the
	// organization's business hours.
	AfterHours bool `json:"afterHours,omitempty"`
	// Emergency prices the work as an emergency; an EMERGENCY job always is.
	Emergency bool `json:"emergency,omitempty"`
	// ServiceAreaID is the service area rules may be scoped to.
	ServiceAreaID string `json:"serviceAreaId,omitempty"`
}

// billing is what a job's documents are priced and taxed with.
type billing struct {
	settings *BillingSettings
	currency string
	ctx      pricing.Context
	tax      pricing.TaxProfile
}

// billingFor gathers the pricing context and tax profile of a job: the
// customer's membership and tax exemption, the association, the date of the
// work (its arrival window, else now), after hours and emergency.
func (c *call) billingFor(t *txn, j *Job, flags PricingFlags) (*billing, error) {
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return nil, err
	}
	s, err := loadBillingSettings(t)
	if err != nil {
		return nil, err
	}
	b := &billing{settings: s, currency: org.Currency, ctx: pricing.Context{
		At: c.now, CustomerID: j.CustomerID, AssociationID: j.AssociationID, ServiceAreaID: flags.ServiceAreaID,
		AfterHours: flags.AfterHours, Emergency: flags.Emergency || j.Priority == jobfsm.PriorityEmergency,
	}}
	if j.ArrivalWindow != nil {
		b.ctx.At = j.ArrivalWindow.Start
		if !b.ctx.AfterHours {
			cal, err := c.calendar(t)
			if err != nil {
				return nil, err
			}
			b.ctx.AfterHours = !cal.IsOpen(j.ArrivalWindow.Start)
		}
	}
	exempt := false
	if j.CustomerID != "" {
		cu, err := load(t, customersTable, j.CustomerID)
		if err != nil {
			return nil, err
		}
		b.ctx.MembershipPlanID, exempt = cu.MembershipPlan, cu.TaxExempt
	}
	if z := s.zoneFor(j.Location.PostalCode); z != nil {
		if b.tax, err = z.Profile(b.ctx.At); err != nil {
			return nil, err
		}
	}
	b.tax.Exempt = b.tax.Exempt || exempt
	return b, nil
}

// nextNumber returns the next human number of a series in the command's
// year (in the organization's time zone), zero-padded to digits:
// EST-2026-000001. The counter is the organization's, transactional: never
// count+1.
func (c *call) nextNumber(t *txn, prefix string, digits int) (string, error) {
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return "", err
	}
	year := c.now.In(c.e.location(org.TimeZone)).Year()
	n, err := t.tx.NextNumber(t.ctx, fmt.Sprintf("%s-%d", strings.ToLower(prefix), year))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%d-%0*d", prefix, year, digits, n), nil
}

// documentDigits is the width of a billing document's number.
const documentDigits = 6

// billingFacts adds to a job's facts what its estimates and invoices say:
// open and accepted estimates, issued invoices not void, what is still due
// on them, and the money received (payments net of refunds, deposits held).
func billingFacts(t *txn, j *Job, f *jobfsm.Facts) error {
	ests, err := find(t, estimatesTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
	if err != nil {
		return err
	}
	for _, e := range ests {
		switch e.Doc.StatusAt(t.now) {
		case pricing.EstimateDraft, pricing.EstimateSent, pricing.EstimateViewed:
			f.OpenEstimates++
		case pricing.EstimateAccepted:
			f.AcceptedEstimates++
		}
		f.AmountPaid = f.AmountPaid.Add(e.Doc.DepositPaid.Amount())
	}
	invs, err := find(t, invoicesTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if !inv.Doc.Posted() || !inv.Doc.VoidedAt.IsZero() {
			continue
		}
		f.Invoices++
		f.BalanceDue = f.BalanceDue.Add(inv.Doc.BalanceDue.Amount())
		f.AmountPaid = f.AmountPaid.Add(inv.Doc.AmountPaid.Amount())
	}
	return nil
}

// Billing's moves of a job: sending an estimate asks for one and sends it;
// accepting one approves it and books the job; money moves invoice the job
// and, once nothing is due, mark it paid.
var (
	moveOnEstimateSent     = []jobfsm.Action{jobfsm.ActionRequireEstimate, jobfsm.ActionSendEstimate}
	moveOnEstimateAccepted = []jobfsm.Action{jobfsm.ActionApproveEstimate, jobfsm.ActionBook}
	moveOnEstimateRevised  = []jobfsm.Action{jobfsm.ActionReviseEstimate}
	moveOnMoney            = []jobfsm.Action{jobfsm.ActionInvoice, jobfsm.ActionPay}
)

// advanceJob moves a job along actions, in order, through jobfsm's table
// and guards on the facts of the moment: an action the job's status has no
// allowed edge for is skipped (an estimate sent for work already in
// progress moves nothing; a partial payment does not make a job PAID).
func (c *call) advanceJob(t *txn, jobID, reason string, actions []jobfsm.Action) error {
	j, err := load(t, jobsTable, jobID)
	if err != nil {
		return err
	}
	// Moving the job changes none of its facts: gather them once.
	facts, err := c.jobFacts(t, j)
	if err != nil {
		return err
	}
	moved := false
	for _, a := range actions {
		if !slices.ContainsFunc(j.Lifecycle.Options(facts, c.now), func(o jobfsm.Option[jobfsm.JobStatus]) bool {
			return o.Action == a && o.Allowed
		}) {
			continue
		}
		ch, err := j.Lifecycle.Perform(a, facts, c.request("", reason))
		if err != nil {
			return err
		}
		if err := c.record(t, j, ch); err != nil {
			return err
		}
		moved = true
	}
	if !moved {
		return nil
	}
	return c.saveJob(t, j)
}

// The events of estimates, invoices and payments.
const (
	EventEstimateSent     jobfsm.EventType = "ESTIMATE_SENT"
	EventEstimateAccepted jobfsm.EventType = "ESTIMATE_ACCEPTED"
	EventEstimateDeclined jobfsm.EventType = "ESTIMATE_DECLINED"
	EventEstimateExpired  jobfsm.EventType = "ESTIMATE_EXPIRED"
	EventDepositRequested jobfsm.EventType = "DEPOSIT_REQUESTED"
	EventDepositReceived  jobfsm.EventType = "DEPOSIT_RECEIVED"
	EventInvoiceSent      jobfsm.EventType = "INVOICE_SENT"
	EventInvoiceOverdue   jobfsm.EventType = "INVOICE_OVERDUE"
	EventInvoicePaid      jobfsm.EventType = "INVOICE_PAID"
	EventInvoiceVoided    jobfsm.EventType = "INVOICE_VOIDED"
	EventPaymentReceived  jobfsm.EventType = "PAYMENT_RECEIVED"
	EventPaymentRefunded  jobfsm.EventType = "PAYMENT_REFUNDED"
	EventCreditMemoIssued jobfsm.EventType = "CREDIT_MEMO_ISSUED"
	EventDepositRefunded  jobfsm.EventType = "DEPOSIT_REFUNDED"
)

// DocumentEvent is the document an event is about: its kind (ESTIMATE,
// INVOICE, CREDIT_MEMO), id, number, status after the event, and
// the amount that moved.
type DocumentEvent struct {
	Kind   string        `json:"kind"`
	ID     string        `json:"id"`
	Number string        `json:"number,omitempty"`
	Status string        `json:"status,omitempty"`
	Amount pricing.Money `json:"amount,omitzero"`
}

// The kinds of documents of a [DocumentEvent].
const (
	DocumentEstimate   = "ESTIMATE"
	DocumentInvoice    = "INVOICE"
	DocumentCreditMemo = "CREDIT_MEMO"
)

// emitDocument appends an event about a document of the job to the outbox.
func (c *call) emitDocument(t *txn, jobID string, typ jobfsm.EventType, d DocumentEvent) error {
	j, err := load(t, jobsTable, jobID)
	if err != nil {
		return err
	}
	return emitEvent(t, j, &Event{Type: typ, At: c.now, Document: &d})
}

// materialSource returns the materials consumed on a job, each with a stable
// id and its actual unit cost (ItemID names the pricebook item, if any).
// Invoices from actuals bill them, once; job profitability counts their
// cost. The inventory area registers one in e.materialSources.
type materialSource func(t *txn, j *Job) ([]pricing.MaterialUse, error)

// materialsOf gathers the materials consumed on a job from every source.
func (c *call) materialsOf(t *txn, j *Job) ([]pricing.MaterialUse, error) {
	var out []pricing.MaterialUse
	for _, src := range c.e.materialSources {
		ms, err := src(t, j)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// pricerCacheSize bounds the pricers an engine keeps: each indexes one
// published pricebook version.
const pricerCacheSize = 64

// pricerCache keeps the pricers of published pricebook versions, least
// recently used first out. A published version never changes, so its
// pricer is built once; keys carry the organization, so no tenant ever
// reads another's. It is safe for concurrent use.
type pricerCache struct {
	mu    sync.Mutex
	max   int
	lru   *list.List // of *cachedPricer, most recent first
	items map[string]*list.Element
}

type cachedPricer struct {
	key string
	p   *pricing.Pricer
}

func newPricerCache(max int) *pricerCache {
	return &pricerCache{max: max, lru: list.New(), items: map[string]*list.Element{}}
}

func (pc *pricerCache) get(key string) (*pricing.Pricer, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	el, ok := pc.items[key]
	if !ok {
		return nil, false
	}
	pc.lru.MoveToFront(el)
	return el.Value.(*cachedPricer).p, true
}

func (pc *pricerCache) put(key string, p *pricing.Pricer) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if el, ok := pc.items[key]; ok {
		pc.lru.MoveToFront(el)
		return
	}
	pc.items[key] = pc.lru.PushFront(&cachedPricer{key: key, p: p})
	for pc.lru.Len() > pc.max {
		last := pc.lru.Back()
		pc.lru.Remove(last)
		delete(pc.items, last.Value.(*cachedPricer).key)
	}
}

// billingTasks are the periodic work of billing: estimates whose validity
// passed expire, invoices past due become OVERDUE, and pricebook versions
// published ahead take over on their effective date.
func billingTasks() []Task {
	return []Task{
		sweepTask("estimate-expiry", "Expire the sent estimates whose validity passed (ESTIMATE_EXPIRED events).",
			"0 */5 * * * *", estimatesTable, "expires_at", "estimate/v1/expire"),
		sweepTask("invoice-overdue", "Mark the invoices past their due date OVERDUE (INVOICE_OVERDUE events).",
			"0 */5 * * * *", invoicesTable, "overdue_at", "invoice/v1/markOverdue"),
		sweepTask("pricebook-roll", "Activate the pricebook versions published ahead of their effective date.",
			"0 0 * * * *", pricebooksTable, "roll_at", "pricebook/v1/roll"),
	}
}

// sweepTask is a task that runs procedure, for every row of tb whose time
// key is due at the tick, on the row's id. Idempotency keys name the task,
// the row and the tick: a second run of the same tick replays them and
// changes nothing, and a row a command left due (its clock was behind the
// tick) is taken up by the next tick. A command done leaves its row not
// due.
func sweepTask[T any, P entity[T]](name, description, schedule string, tb table[T], key, procedure string) Task {
	return Task{Name: name, Description: description, Schedule: schedule,
		run: func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
			var due []P
			err := e.forTenant(ctx, org, tick, func(t *txn) error {
				var err error
				due, err = find[T, P](t, tb, Query{OrderBy: key, Where: []Cond{Lte(key, timeKey(tick))}, Limit: maxDuePerRun})
				return err
			})
			if err != nil {
				return 0, err
			}
			scope := SystemScope(org, name)
			var errs []error
			for _, row := range due {
				id := row.meta().ID
				if _, err := e.Execute(ctx, scope, procedure, name+":"+id+"@"+timeKey(tick), &IDInput{ID: id}); err != nil {
					errs = append(errs, err)
				}
			}
			return len(due), errors.Join(errs...)
		}}
}
