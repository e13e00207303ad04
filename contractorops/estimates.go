package contractorops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

// Estimate is a priced proposal for a job, with options (good, better,
// best): package pricing's document, which owns every figure and every
// state rule, and what the engine adds — how it was made and how its
// deposits were taken.
type Estimate struct {
	Meta
	Doc pricing.Estimate `json:"document"`
	// Flags are what the office said about the work when it was priced.
	Flags PricingFlags `json:"flags"`
	// GeneratedBy names the estimator that proposed the options of a
	// generated estimate; ScopeOfWork is what it was asked.
	GeneratedBy string `json:"generatedBy,omitempty"`
	ScopeOfWork string `json:"scopeOfWork,omitempty"`
	// Rationale is the estimator's reason for each option, by option id.
	Rationale map[string]string `json:"rationale,omitempty"`
	// Deposits says how each deposit was taken.
	Deposits []Capture `json:"deposits,omitempty"`
}

var estimatesTable = table[Estimate]{
	spec: TableSpec{
		Name:   "estimates",
		Keys:   []string{"number", "revision", "job_id", "customer_id", "status", "expires_at", "created_at"},
		Unique: [][]string{{"number", "revision"}},
	},
	keys: func(e *Estimate) map[string]string {
		expires := ""
		if s := e.Doc.Status; (s == pricing.EstimateSent || s == pricing.EstimateViewed) && !e.Doc.ValidUntil.IsZero() {
			// The first instant at which the validity has passed.
			expires = timeKey(e.Doc.ValidUntil.Add(time.Microsecond))
		}
		return keys("number", e.Doc.Number, "revision", fmt.Sprintf("%04d", e.Doc.Version), "job_id", e.Doc.JobID,
			"customer_id", e.Doc.CustomerID, "status", string(e.Doc.Status), "expires_at", expires, "created_at", timeKey(e.CreatedAt))
	},
}

// EstimateHeader is what an estimate is priced from, beyond its options.
type EstimateHeader struct {
	JobID string `json:"jobId"`
	// PricebookID defaults to the organization's default pricebook; the
	// version in effect now prices the estimate.
	PricebookID string `json:"pricebookId,omitempty"`
	Title       string `json:"title,omitempty"`
	// ValidDays is how long the offer stands (the settings' default).
	ValidDays int `json:"validDays,omitempty"`
	// Deposit is required on acceptance (the settings' default).
	Deposit *pricing.Portion `json:"deposit,omitempty"`
	Flags   PricingFlags     `json:"flags"`
}

// Validate checks the header.
func (h EstimateHeader) Validate() error {
	return validation.ValidateStruct(&h,
		validation.Field(&h.JobID, validation.Required),
		validation.Field(&h.Title, validation.Length(0, 255)),
		validation.Field(&h.ValidDays, validation.Min(0), validation.Max(366)),
	)
}

// GenerateEstimateInput generates an estimate for a job: options built
// from job templates of the pricebook, chosen by the estimator from the
// job and the scope of work (or named in TemplateIDs), priced in the job's
// context.
type GenerateEstimateInput struct {
	EstimateHeader
	ScopeOfWork string   `json:"scopeOfWork,omitempty"`
	TemplateIDs []string `json:"templateIds,omitempty"`
	// MaxOptions caps the options proposed (default 3).
	MaxOptions int `json:"maxOptions,omitempty"`
}

// Validate checks the input.
func (in GenerateEstimateInput) Validate() error {
	if err := in.EstimateHeader.Validate(); err != nil {
		return err
	}
	return validation.ValidateStruct(&in,
		validation.Field(&in.ScopeOfWork, validation.Length(0, 20000)),
		validation.Field(&in.TemplateIDs, validation.Length(0, 10), validation.Each(validation.Required)),
		validation.Field(&in.MaxOptions, validation.Min(0), validation.Max(10)),
	)
}

// CreateEstimateInput creates an estimate with options written by hand:
// job templates, pricebook lines, custom lines and discounts.
type CreateEstimateInput struct {
	EstimateHeader
	Options []pricing.OptionRequest `json:"options"`
}

// Validate checks the input.
func (in CreateEstimateInput) Validate() error {
	if err := in.EstimateHeader.Validate(); err != nil {
		return err
	}
	return validation.ValidateStruct(&in, validation.Field(&in.Options, validation.Length(0, 10)))
}

// OptionInput adds an option to a DRAFT estimate, or replaces one (same id).
type OptionInput struct {
	EstimateID string                `json:"estimateId"`
	Option     pricing.OptionRequest `json:"option"`
}

// Validate checks the input.
func (in OptionInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.EstimateID, validation.Required),
		validation.Field(&in.Option, validation.By(func(any) error {
			if in.Option.ID == "" {
				return validation.Errors{"id": validation.ErrRequired}
			}
			return nil
		})),
	)
}

// OptionIDInput names an option of an estimate.
type OptionIDInput struct {
	EstimateID string `json:"estimateId"`
	OptionID   string `json:"optionId,omitempty"`
}

// Validate checks the input.
func (in OptionIDInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.EstimateID, validation.Required))
}

// DeclineEstimateInput records the customer's refusal.
type DeclineEstimateInput struct {
	EstimateID string `json:"estimateId"`
	Reason     string `json:"reason,omitempty"`
}

// Validate checks the input.
func (in DeclineEstimateInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.EstimateID, validation.Required),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

// ListEstimatesInput lists estimates, newest first.
type ListEstimatesInput struct {
	JobID      string                 `json:"jobId,omitempty"`
	CustomerID string                 `json:"customerId,omitempty"`
	Status     pricing.EstimateStatus `json:"status,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListEstimatesInput) Validate() error { return in.PageRequest.Validate() }

// CollectDepositInput takes the deposit of an accepted estimate (by default
// what remains of the deposit due).
type CollectDepositInput struct {
	EstimateID string `json:"estimateId"`
	PaymentInput
}

// Validate checks the input.
func (in CollectDepositInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.EstimateID, validation.Required)); err != nil {
		return err
	}
	return in.PaymentInput.Validate()
}

// RefundDepositInput gives back a deposit (by default all that is held of
// it) before the estimate is invoiced.
type RefundDepositInput struct {
	EstimateID string `json:"estimateId"`
	DepositID  string `json:"depositId"`
	Amount     string `json:"amount,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Validate checks the input.
func (in RefundDepositInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.EstimateID, validation.Required),
		validation.Field(&in.DepositID, validation.Required),
		validation.Field(&in.Amount, validation.When(in.Amount != "", validation.By(positiveDecimal))),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

// DepositResult is a deposit taken: the estimate and the receipt.
type DepositResult struct {
	Estimate Estimate `json:"estimate"`
	Receipt  Receipt  `json:"receipt"`
}

// EstimateService makes estimates and takes them through their lifecycle:
// generate or write, send, view, accept one option (the job is approved and
// booked, the deposit requested), decline, revise, expire; and takes their
// deposits.
type EstimateService struct {
	generate       proc[GenerateEstimateInput, Estimate]
	create         proc[CreateEstimateInput, Estimate]
	addOption      proc[OptionInput, Estimate]
	updateOption   proc[OptionInput, Estimate]
	removeOption   proc[OptionIDInput, Estimate]
	send, view     proc[IDInput, Estimate]
	accept         proc[OptionIDInput, Estimate]
	decline        proc[DeclineEstimateInput, Estimate]
	revise, expire proc[IDInput, Estimate]
	get            proc[IDInput, Estimate]
	list           proc[ListEstimatesInput, Page[Estimate]]
	collectDeposit proc[CollectDepositInput, DepositResult]
	refundDeposit  proc[RefundDepositInput, Estimate]
}

// Generate builds an estimate for a job from the pricebook's job templates,
// chosen by the engine's [Estimator] (or named), priced in the job's
// context, each line with its price trace.
func (s *EstimateService) Generate(ctx context.Context, scope Scope, key string, in GenerateEstimateInput) (*Estimate, error) {
	return s.generate.do(ctx, scope, key, in)
}

// Create writes an estimate by hand.
func (s *EstimateService) Create(ctx context.Context, scope Scope, key string, in CreateEstimateInput) (*Estimate, error) {
	return s.create.do(ctx, scope, key, in)
}

// AddOption adds an option to a draft.
func (s *EstimateService) AddOption(ctx context.Context, scope Scope, key string, in OptionInput) (*Estimate, error) {
	return s.addOption.do(ctx, scope, key, in)
}

// UpdateOption prices an option of a draft anew from the request.
func (s *EstimateService) UpdateOption(ctx context.Context, scope Scope, key string, in OptionInput) (*Estimate, error) {
	return s.updateOption.do(ctx, scope, key, in)
}

// RemoveOption removes an option of a draft.
func (s *EstimateService) RemoveOption(ctx context.Context, scope Scope, key string, in OptionIDInput) (*Estimate, error) {
	return s.removeOption.do(ctx, scope, key, in)
}

// Send presents a draft to the customer; the job waits on it
// (ESTIMATE_SENT) when its status allows.
func (s *EstimateService) Send(ctx context.Context, scope Scope, key, id string) (*Estimate, error) {
	return s.send.do(ctx, scope, key, IDInput{ID: id})
}

// MarkViewed records that the customer opened the estimate.
func (s *EstimateService) MarkViewed(ctx context.Context, scope Scope, key, id string) (*Estimate, error) {
	return s.view.do(ctx, scope, key, IDInput{ID: id})
}

// Accept accepts one option: the others are declined, the job is approved
// and booked, and the option's deposit is requested.
func (s *EstimateService) Accept(ctx context.Context, scope Scope, key string, in OptionIDInput) (*Estimate, error) {
	return s.accept.do(ctx, scope, key, in)
}

// Decline records the customer's refusal.
func (s *EstimateService) Decline(ctx context.Context, scope Scope, key string, in DeclineEstimateInput) (*Estimate, error) {
	return s.decline.do(ctx, scope, key, in)
}

// Revise replaces an estimate by a new draft version with the same options,
// prices unchanged.
func (s *EstimateService) Revise(ctx context.Context, scope Scope, key, id string) (*Estimate, error) {
	return s.revise.do(ctx, scope, key, IDInput{ID: id})
}

// Expire records the expiry of an estimate whose validity passed (the
// engine's estimate-expiry task does it on schedule).
func (s *EstimateService) Expire(ctx context.Context, scope Scope, key, id string) (*Estimate, error) {
	return s.expire.do(ctx, scope, key, IDInput{ID: id})
}

// Get reads an estimate.
func (s *EstimateService) Get(ctx context.Context, scope Scope, id string) (*Estimate, error) {
	return s.get.get(ctx, scope, IDInput{ID: id})
}

// List lists estimates, newest first.
func (s *EstimateService) List(ctx context.Context, scope Scope, in ListEstimatesInput) (*Page[Estimate], error) {
	return s.list.get(ctx, scope, in)
}

// CollectDeposit takes a deposit through a payment provider and issues its
// receipt.
func (s *EstimateService) CollectDeposit(ctx context.Context, scope Scope, key string, in CollectDepositInput) (*DepositResult, error) {
	return s.collectDeposit.do(ctx, scope, key, in)
}

// RefundDeposit gives a deposit back through its provider.
func (s *EstimateService) RefundDeposit(ctx context.Context, scope Scope, key string, in RefundDepositInput) (*Estimate, error) {
	return s.refundDeposit.do(ctx, scope, key, in)
}

func (e *Engine) registerEstimates() {
	field := with(rolesOffice(), RoleTechnician)
	readers := with(rolesReaders(), RoleTechnician, RoleAgent)
	e.Estimates = &EstimateService{
		generate:     mutation(e, "estimate/v1/generate", "Generate an estimate for a job from the pricebook's job templates, priced in the job's context.", with(field, RoleAgent), (*call).generateEstimate),
		create:       mutation(e, "estimate/v1/create", "Write an estimate for a job: templates, pricebook lines, custom lines, discounts.", field, (*call).createEstimate),
		addOption:    mutation(e, "estimate/v1/addOption", "Add an option to a draft estimate.", field, (*call).addOption),
		updateOption: mutation(e, "estimate/v1/updateOption", "Price an option of a draft estimate anew.", field, (*call).updateOption),
		removeOption: mutation(e, "estimate/v1/removeOption", "Remove an option of a draft estimate.", field, (*call).removeOption),
		send: mutation(e, "estimate/v1/send", "Present a draft estimate to the customer.", field,
			func(c *call, in *IDInput) (*Estimate, error) {
				return c.mutateEstimate("send", in.ID, func(_ *txn, est *Estimate) error { return est.Doc.Send(c.now) },
					func(t *txn, est *Estimate) error {
						if err := c.emitEstimate(t, est, EventEstimateSent, pricing.Money{}); err != nil {
							return err
						}
						return c.advanceJob(t, est.Doc.JobID, "estimate "+est.Doc.Number+" sent", moveOnEstimateSent)
					})
			}),
		view: mutation(e, "estimate/v1/markViewed", "Record that the customer opened an estimate.", with(field, RoleAgent),
			func(c *call, in *IDInput) (*Estimate, error) {
				return c.mutateEstimate("view", in.ID, func(_ *txn, est *Estimate) error { return est.Doc.MarkViewed(c.now) })
			}),
		accept: mutation(e, "estimate/v1/accept", "Accept one option of an estimate: the job is approved and booked, the deposit requested.", field, (*call).acceptEstimate),
		decline: mutation(e, "estimate/v1/decline", "Record that the customer declined an estimate.", field,
			func(c *call, in *DeclineEstimateInput) (*Estimate, error) {
				return c.mutateEstimate("decline", in.EstimateID, func(_ *txn, est *Estimate) error { return est.Doc.Decline(in.Reason, c.now) },
					func(t *txn, est *Estimate) error {
						return c.emitEstimate(t, est, EventEstimateDeclined, pricing.Money{})
					})
			}),
		revise: mutation(e, "estimate/v1/revise", "Replace an estimate by a new draft version, prices unchanged.", field, (*call).reviseEstimate),
		expire: mutation(e, "estimate/v1/expire", "Record the expiry of an estimate whose validity passed.", with(rolesOffice(), RoleAgent),
			func(c *call, in *IDInput) (*Estimate, error) {
				return c.mutateEstimate("expire", in.ID, func(*txn, *Estimate) error { return nil })
			}),
		get: query(e, "estimate/v1/get", "Read an estimate.", readers,
			func(c *call, in *IDInput) (*Estimate, error) {
				return inTx(c, "get", func(t *txn) (*Estimate, error) { return c.loadEstimate(t, in.ID) })
			}),
		list:           query(e, "estimate/v1/list", "List estimates, newest first.", readers, (*call).listEstimates),
		collectDeposit: mutation(e, "estimate/v1/collectDeposit", "Take the deposit of an accepted estimate through a payment provider.", with(rolesReaders(), RoleTechnician), (*call).collectDeposit),
		refundDeposit:  mutation(e, "estimate/v1/refundDeposit", "Give a deposit back through its provider, before the estimate is invoiced.", rolesFinance(), (*call).refundDeposit),
	}
}

// loadEstimate reads an estimate the scope may see (a technician sees the
// estimates of their jobs), its status brought to now.
func (c *call) loadEstimate(t *txn, id string) (*Estimate, error) {
	est, err := c.loadStoredEstimate(t, id)
	if err != nil {
		return nil, err
	}
	est.Doc.Refresh(c.now)
	return est, nil
}

// loadStoredEstimate reads an estimate the scope may see, as stored.
func (c *call) loadStoredEstimate(t *txn, id string) (*Estimate, error) {
	est, err := load(t, estimatesTable, id)
	if err != nil {
		return nil, err
	}
	if c.technicianID() != "" {
		if _, err := c.loadJob(t, est.Doc.JobID); err != nil {
			return nil, RowNotFound(estimatesTable.spec.Name, id)
		}
	}
	return est, nil
}

// mutateEstimate loads an estimate the scope may change, brings its status
// to now, applies change and, if anything changed, stores it and runs then
// (which sees the estimate stored: the job's facts count it). An expiry
// found on the way is recorded with its event.
func (c *call) mutateEstimate(name, id string, change func(t *txn, est *Estimate) error, then ...func(t *txn, est *Estimate) error) (*Estimate, error) {
	return inTx(c, name, func(t *txn) (*Estimate, error) {
		est, err := c.loadStoredEstimate(t, id)
		if err != nil {
			return nil, err
		}
		before := mustJSON(est)
		expired := est.Doc.Refresh(c.now)
		if err := change(t, est); err != nil {
			return nil, err
		}
		if bytes.Equal(before, mustJSON(est)) {
			return est, nil
		}
		if err := update(t, estimatesTable, est); err != nil {
			return nil, err
		}
		if expired && est.Doc.Status == pricing.EstimateExpired {
			if err := c.emitEstimate(t, est, EventEstimateExpired, pricing.Money{}); err != nil {
				return nil, err
			}
		}
		for _, fn := range then {
			if err := fn(t, est); err != nil {
				return nil, err
			}
		}
		return est, nil
	})
}

func (c *call) emitEstimate(t *txn, est *Estimate, typ jobfsm.EventType, amount pricing.Money) error {
	return c.emitDocument(t, est.Doc.JobID, typ, DocumentEvent{Kind: DocumentEstimate, ID: est.ID, Number: est.Doc.Number,
		Status: string(est.Doc.Status), Amount: amount})
}

// estimatePlan is what an estimate for a job is generated from.
type estimatePlan struct {
	VersionID string          `json:"versionId"`
	Request   EstimateRequest `json:"request"`
}

func (c *call) generateEstimate(in *GenerateEstimateInput) (*Estimate, error) {
	plan, err := inTx(c, "plan", func(t *txn) (*estimatePlan, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, fieldNotFound(err, "jobId")
		}
		p, err := c.currentPricer(t, in.PricebookID)
		if err != nil {
			return nil, err
		}
		v, err := load(t, versionsTable, p.VersionID())
		if err != nil {
			return nil, err
		}
		req := EstimateRequest{Job: *j, ScopeOfWork: in.ScopeOfWork, Templates: v.Content.Templates, MaxOptions: or(in.MaxOptions, 3)}
		for _, it := range v.Content.Items {
			if !it.Inactive && it.Type != pricing.ItemDiscount {
				req.Items = append(req.Items, CatalogItem{ID: it.ID, Code: it.Code, Name: it.Name, Description: it.Description,
					Type: it.Type, Trade: it.Trade, CategoryID: it.CategoryID, Unit: it.Unit})
			}
		}
		return &estimatePlan{VersionID: p.VersionID(), Request: req}, nil
	})
	if err != nil {
		return nil, err
	}
	var proposals []ProposedOption
	if len(in.TemplateIDs) > 0 {
		for _, id := range in.TemplateIDs {
			proposals = append(proposals, ProposedOption{TemplateID: id})
		}
	} else {
		proposals, err = inStep(c, "propose", func(ctx context.Context) ([]ProposedOption, error) {
			return c.e.cfg.Estimator.Propose(ctx, plan.Request)
		})
		var ee *Error
		if err != nil && !errors.As(err, &ee) {
			return nil, WrapError(err, CodeWorkflow, "the estimator failed; retry with the same idempotency key")
		}
		if err != nil {
			return nil, err
		}
		if len(proposals) == 0 {
			return nil, fieldError(CodeNotFound, "templateIds", "no_match",
				"no job template of the pricebook matches the job: name the templates in templateIds")
		}
		proposals = proposals[:min(len(proposals), plan.Request.MaxOptions)]
	}
	return inTx(c, "create", func(t *txn) (*Estimate, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		p, err := c.pricer(t, plan.VersionID)
		if err != nil {
			return nil, err
		}
		reqs := make([]pricing.OptionRequest, len(proposals))
		rationale := map[string]string{}
		for k, o := range proposals {
			id := fmt.Sprintf("O%d", k+1)
			name := o.Name
			if name == "" && o.TemplateID != "" {
				if tpl := templateNamed(plan.Request.Templates, o.TemplateID); tpl != nil {
					name = tpl.Name
				}
			}
			reqs[k] = pricing.OptionRequest{ID: id, Name: or(name, fmt.Sprintf("Option %d", k+1)), Description: o.Description,
				Recommended: o.Recommended, TemplateID: o.TemplateID}
			for _, l := range o.Lines {
				reqs[k].Lines = append(reqs[k].Lines, pricing.LineRequest{ItemID: l.ItemID, Quantity: l.Quantity, Description: l.Description})
			}
			if o.Rationale != "" {
				rationale[id] = o.Rationale
			}
		}
		est, err := c.newEstimate(t, j, &in.EstimateHeader, p, reqs)
		if err != nil {
			return nil, err
		}
		if len(in.TemplateIDs) == 0 {
			est.GeneratedBy = fmt.Sprintf("%T", c.e.cfg.Estimator)
		}
		est.ScopeOfWork, est.Rationale = in.ScopeOfWork, rationale
		return est, insert(t, estimatesTable, est)
	})
}

func templateNamed(ts []pricing.JobTemplate, id string) *pricing.JobTemplate {
	for i := range ts {
		if ts[i].ID == id {
			return &ts[i]
		}
	}
	return nil
}

func (c *call) createEstimate(in *CreateEstimateInput) (*Estimate, error) {
	return inTx(c, "create", func(t *txn) (*Estimate, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, fieldNotFound(err, "jobId")
		}
		p, err := c.currentPricer(t, in.PricebookID)
		if err != nil {
			return nil, err
		}
		reqs := make([]pricing.OptionRequest, len(in.Options))
		for k, o := range in.Options {
			reqs[k] = o
			reqs[k].ID = or(o.ID, fmt.Sprintf("O%d", k+1))
		}
		est, err := c.newEstimate(t, j, &in.EstimateHeader, p, reqs)
		if err != nil {
			return nil, err
		}
		return est, insert(t, estimatesTable, est)
	})
}

// newEstimate prices a DRAFT estimate for a job: numbered, taxed by the
// job's zone, rounded by the settings, valid and with the deposit the
// header or the settings say, each option priced in the job's context.
func (c *call) newEstimate(t *txn, j *Job, h *EstimateHeader, p *pricing.Pricer, opts []pricing.OptionRequest) (*Estimate, error) {
	b, err := c.billingFor(t, j, h.Flags)
	if err != nil {
		return nil, err
	}
	number, err := c.nextNumber(t, "EST", documentDigits)
	if err != nil {
		return nil, err
	}
	deposit := h.Deposit
	if deposit == nil {
		deposit = b.settings.Deposit
	}
	id := c.e.newID()
	doc, err := pricing.NewEstimate(pricing.Estimate{
		ID: id, Number: number, JobID: j.ID, CustomerID: j.CustomerID, Title: or(h.Title, j.Title),
		Currency: p.Currency(), Tax: b.tax, Rounding: b.settings.Rounding,
		ValidUntil: c.now.AddDate(0, 0, or(h.ValidDays, or(b.settings.EstimateValidDays, defaultEstimateValidDays))),
		Deposit:    deposit,
	}, c.now)
	if err != nil {
		return nil, err
	}
	for k, o := range opts {
		if _, err := doc.AddOption(p, o, b.ctx); err != nil {
			return nil, fieldsUnder(fmt.Sprintf("options.%d", k), err)
		}
	}
	return &Estimate{Meta: Meta{ID: id}, Doc: *doc, Flags: h.Flags}, nil
}

// optionPricing returns the pricer and context an option of an estimate is
// priced with: the estimate's version, the job's context.
func (c *call) optionPricing(t *txn, est *Estimate) (*pricing.Pricer, pricing.Context, error) {
	j, err := load(t, jobsTable, est.Doc.JobID)
	if err != nil {
		return nil, pricing.Context{}, err
	}
	b, err := c.billingFor(t, j, est.Flags)
	if err != nil {
		return nil, pricing.Context{}, err
	}
	var p *pricing.Pricer
	if est.Doc.PricebookVersionID != "" {
		p, err = c.pricer(t, est.Doc.PricebookVersionID)
	} else {
		p, err = c.currentPricer(t, "")
	}
	return p, b.ctx, err
}

func (c *call) addOption(in *OptionInput) (*Estimate, error) {
	return c.mutateEstimate("add-option", in.EstimateID, func(t *txn, est *Estimate) error {
		p, ctx, err := c.optionPricing(t, est)
		if err != nil {
			return err
		}
		k := len(est.Doc.Options)
		_, err = est.Doc.AddOption(p, in.Option, ctx)
		return fieldsUnder("option", fieldsMoved(err, fmt.Sprintf("options.%d", k), "option"))
	})
}

func (c *call) updateOption(in *OptionInput) (*Estimate, error) {
	return c.mutateEstimate("update-option", in.EstimateID, func(t *txn, est *Estimate) error {
		p, ctx, err := c.optionPricing(t, est)
		if err != nil {
			return err
		}
		// Price the new option on a scratch draft of the same header, then
		// put its lines and discounts in place of the old ones.
		scratch := est.Doc
		scratch.Status, scratch.Options = pricing.EstimateDraft, nil
		o, err := scratch.AddOption(p, in.Option, ctx)
		if err != nil {
			return fieldsUnder("option", fieldsMoved(err, "options.0", "option"))
		}
		return est.Doc.EditOption(in.Option.ID, func(old *pricing.Option) error {
			old.Name, old.Description, old.Recommended = o.Name, o.Description, o.Recommended
			old.Lines, old.Discounts = o.Lines, o.Discounts
			return nil
		})
	})
}

func (c *call) removeOption(in *OptionIDInput) (*Estimate, error) {
	return c.mutateEstimate("remove-option", in.EstimateID, func(_ *txn, est *Estimate) error {
		return est.Doc.RemoveOption(in.OptionID)
	})
}

func (c *call) acceptEstimate(in *OptionIDInput) (*Estimate, error) {
	return c.mutateEstimate("accept", in.EstimateID, func(_ *txn, est *Estimate) error { return est.Doc.Accept(in.OptionID, c.now) },
		func(t *txn, est *Estimate) error {
			o, err := est.Doc.AcceptedOption()
			if err != nil {
				return err
			}
			if err := c.emitEstimate(t, est, EventEstimateAccepted, o.Totals.Total); err != nil {
				return err
			}
			if est.Doc.DepositDue.IsPositive() {
				if err := c.emitEstimate(t, est, EventDepositRequested, est.Doc.DepositDue); err != nil {
					return err
				}
			}
			return c.advanceJob(t, est.Doc.JobID, "estimate "+est.Doc.Number+" accepted", moveOnEstimateAccepted)
		})
}

func (c *call) reviseEstimate(in *IDInput) (*Estimate, error) {
	return inTx(c, "revise", func(t *txn) (*Estimate, error) {
		old, err := c.loadEstimate(t, in.ID)
		if err != nil {
			return nil, err
		}
		id := c.e.newID()
		doc, err := old.Doc.Revise(id, c.now)
		if err != nil {
			return nil, err
		}
		if err := update(t, estimatesTable, old); err != nil {
			return nil, err
		}
		est := &Estimate{Meta: Meta{ID: id}, Doc: *doc, Flags: old.Flags, GeneratedBy: old.GeneratedBy,
			ScopeOfWork: old.ScopeOfWork, Rationale: old.Rationale}
		if err := insert(t, estimatesTable, est); err != nil {
			return nil, err
		}
		return est, c.advanceJob(t, doc.JobID, "estimate "+doc.Number+" revised", moveOnEstimateRevised)
	})
}

func (c *call) listEstimates(in *ListEstimatesInput) (*Page[Estimate], error) {
	return inTx(c, "list", func(t *txn) (*Page[Estimate], error) {
		q := Query{OrderBy: "created_at", Desc: true}
		if in.JobID != "" {
			if _, err := c.loadJob(t, in.JobID); err != nil {
				return nil, fieldNotFound(err, "jobId")
			}
			q.Where = append(q.Where, Eq("job_id", in.JobID))
		} else if c.technicianID() != "" {
			return nil, fieldError(CodeValidationFailed, "jobId", "validation_required", "a technician lists the estimates of one of their jobs")
		}
		if in.CustomerID != "" {
			q.Where = append(q.Where, Eq("customer_id", in.CustomerID))
		}
		if in.Status != "" {
			q.Where = append(q.Where, Eq("status", string(in.Status)))
		}
		q = in.PageRequest.apply(q)
		items, err := find(t, estimatesTable, q)
		if err != nil {
			return nil, err
		}
		for _, e := range items {
			e.Doc.Refresh(c.now)
		}
		return pageOf(in.PageRequest, q, items, func(e *Estimate) string { return timeKey(e.CreatedAt) }), nil
	})
}

// depositPlan is what a deposit is taken with.
type depositPlan struct {
	Request CaptureRequest `json:"request"`
}

func (c *call) collectDeposit(in *CollectDepositInput) (*DepositResult, error) {
	provider, _, err := c.provider(in.Provider)
	if err != nil {
		return nil, err
	}
	plan, err := inTx(c, "prepare", func(t *txn) (*depositPlan, error) {
		est, err := c.loadEstimate(t, in.EstimateID)
		if err != nil {
			return nil, err
		}
		amount, err := amountIn(in.Amount, est.Doc.Currency, est.Doc.DepositOutstanding())
		if err != nil {
			return nil, err
		}
		// Check the deposit with the estimate's rules before taking money.
		check := cloneDoc(est.Doc)
		if err := check.RecordDeposit(pricing.Deposit{ID: "check", Amount: amount, Method: in.Method}, c.now); err != nil {
			return nil, fieldsMoved(err, "deposit", "")
		}
		return &depositPlan{Request: CaptureRequest{Document: est.Doc.Number, CustomerID: est.Doc.CustomerID, Amount: amount,
			Method: in.Method, Source: in.Source, Reference: in.Reference}}, nil
	})
	if err != nil {
		return nil, err
	}
	captured, err := c.capture(provider, plan.Request)
	if err != nil {
		return nil, err
	}
	return inTx(c, "record", func(t *txn) (*DepositResult, error) {
		est, err := load(t, estimatesTable, in.EstimateID)
		if err != nil {
			return nil, err
		}
		est.Doc.Refresh(c.now)
		amount := plan.Request.Amount
		r := &Receipt{JobID: est.Doc.JobID, CustomerID: est.Doc.CustomerID, EstimateID: est.ID, Document: est.Doc.Number,
			Amount: amount, Method: in.Method, Provider: provider, Reference: captured.Reference, ReceivedAt: c.now,
			AppliedTo: AppliedToDeposit, Applied: amount}
		id := c.e.newID()
		r.PaymentID = id
		err = est.Doc.RecordDeposit(pricing.Deposit{ID: id, Amount: amount, Method: in.Method, Reference: captured.Reference}, c.now)
		if isDomain(err) {
			// The estimate changed since the check: the money taken is the
			// customer's credit, never lost.
			r.AppliedTo, r.Applied = AppliedToCustomerCredit, pricing.Zero(amount.Currency())
			err = c.creditCustomer(t, creditAccountID(est.Doc.CustomerID, est.Doc.JobID),
				pricing.CreditEntry{Kind: pricing.CreditFromOverpayment, SourceID: id, Amount: amount, Note: "deposit on " + est.Doc.Number})
		}
		if err != nil {
			return nil, err
		}
		if r, err = c.issueReceipt(t, r); err != nil {
			return nil, err
		}
		if r.AppliedTo == AppliedToDeposit {
			est.Deposits = append(est.Deposits, Capture{PaymentID: id, Provider: provider, Reference: captured.Reference,
				ReceiptID: r.ID, ReceiptNumber: r.Number})
			if err := update(t, estimatesTable, est); err != nil {
				return nil, err
			}
		}
		if err := c.emitEstimate(t, est, EventDepositReceived, amount); err != nil {
			return nil, err
		}
		return &DepositResult{Estimate: *est, Receipt: *r}, nil
	})
}

// refundPlan is what a refund is made with.
type refundPlan struct {
	Provider string        `json:"provider"`
	Request  RefundRequest `json:"request"`
	RefundID string        `json:"refundId"`
}

func (c *call) refundDeposit(in *RefundDepositInput) (*Estimate, error) {
	plan, err := inTx(c, "prepare", func(t *txn) (*refundPlan, error) {
		est, err := c.loadEstimate(t, in.EstimateID)
		if err != nil {
			return nil, err
		}
		var held pricing.Money
		for i := range est.Doc.Deposits {
			if d := &est.Doc.Deposits[i]; d.ID == in.DepositID {
				held = d.Held()
			}
		}
		amount, err := amountIn(in.Amount, est.Doc.Currency, held)
		if err != nil {
			return nil, err
		}
		id := c.e.newID()
		check := cloneDoc(est.Doc)
		if err := check.RefundDeposit(in.DepositID, pricing.Refund{ID: id, Amount: amount, Reason: in.Reason}, c.now); err != nil {
			return nil, fieldsMoved(err, "refund", "")
		}
		capt := captureOf(est.Deposits, in.DepositID)
		return &refundPlan{Provider: capt.Provider, RefundID: id, Request: RefundRequest{Document: est.Doc.Number, Capture: capt.Reference,
			Amount: amount, Reason: in.Reason}}, nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := c.refund(plan.Provider, plan.Request); err != nil {
		return nil, err
	}
	r := pricing.Refund{ID: plan.RefundID, Amount: plan.Request.Amount, Reason: in.Reason}
	return c.mutateEstimate("record", in.EstimateID, func(_ *txn, est *Estimate) error { return est.Doc.RefundDeposit(in.DepositID, r, c.now) },
		func(t *txn, est *Estimate) error { return c.emitEstimate(t, est, EventDepositRefunded, r.Amount) })
}

// cloneDoc returns a deep copy of a document (through its JSON form), to
// check a step with package pricing's rules before an effect outside the
// store.
func cloneDoc[T any](v T) T {
	var c T
	if err := json.Unmarshal(mustJSON(v), &c); err != nil {
		panic(fmt.Sprintf("contractorops: copy %T: %v", v, err))
	}
	return c
}
