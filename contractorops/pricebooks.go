package contractorops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/pricing"
)

// Pricebook is a contractor's price list: a name, a currency and its
// versions, of which one at a time is ACTIVE (package pricing's lifecycle:
// DRAFT → PUBLISHED → ACTIVE → ARCHIVED). The organization's default
// pricebook prices estimates that name none.
//
// Versions lists every version's header; the content of each (items,
// rules, markup tables, categories, job templates) is a [PricebookVersion].
type Pricebook struct {
	Meta
	Name     string           `json:"name"`
	Currency string           `json:"currency"`
	Default  bool             `json:"default"`
	Versions []VersionSummary `json:"versions"`
	// ActiveVersionID is the ACTIVE version, if any.
	ActiveVersionID string `json:"activeVersionId,omitempty"`
	// RollAt is when a version published ahead takes over; zero when none
	// waits (see the pricebook-roll task).
	RollAt time.Time `json:"rollAt,omitzero"`
}

// VersionSummary is the header of a pricebook version.
type VersionSummary struct {
	ID            string                `json:"id"`
	Number        int                   `json:"number"`
	Status        pricing.VersionStatus `json:"status"`
	Notes         string                `json:"notes,omitempty"`
	EffectiveFrom time.Time             `json:"effectiveFrom,omitzero"`
	EffectiveTo   time.Time             `json:"effectiveTo,omitzero"`
	PublishedAt   time.Time             `json:"publishedAt,omitzero"`
	ActivatedAt   time.Time             `json:"activatedAt,omitzero"`
	ArchivedAt    time.Time             `json:"archivedAt,omitzero"`
}

// PricebookVersion is one version of a pricebook with its content, as
// package pricing defines it. Only a DRAFT changes; a published version is
// immutable, so documents priced from it can always be explained.
type PricebookVersion struct {
	Meta
	PricebookID string          `json:"pricebookId"`
	Content     pricing.Version `json:"content"`
}

var pricebooksTable = table[Pricebook]{
	spec: TableSpec{Name: "pricebooks", Keys: []string{"name", "is_default", "roll_at"}},
	keys: func(pb *Pricebook) map[string]string {
		return keys("name", strings.ToLower(pb.Name), "is_default", boolKey(pb.Default), "roll_at", timeKey(pb.RollAt))
	},
}

var versionsTable = table[PricebookVersion]{
	spec: TableSpec{Name: "pricebook_versions", Keys: []string{"pricebook_id", "status"}},
	keys: func(v *PricebookVersion) map[string]string {
		return keys("pricebook_id", v.PricebookID, "status", string(v.Content.Status))
	},
}

func summaryOf(v *pricing.Version) VersionSummary {
	return VersionSummary{
		ID: v.ID, Number: v.Number, Status: v.Status, Notes: v.Notes, EffectiveFrom: v.EffectiveFrom, EffectiveTo: v.EffectiveTo,
		PublishedAt: v.PublishedAt, ActivatedAt: v.ActivatedAt, ArchivedAt: v.ArchivedAt,
	}
}

// book returns the pricebook as package pricing sees it for its lifecycle
// rules: the headers of its versions, and full in full (the version whose
// content a step reads: publishing validates it, a new version copies it).
func (pb *Pricebook) book(full *pricing.Version) *pricing.Pricebook {
	b := &pricing.Pricebook{ID: pb.ID, Name: pb.Name, Currency: pb.Currency}
	for _, s := range pb.Versions {
		if full != nil && s.ID == full.ID {
			b.Versions = append(b.Versions, full)
			continue
		}
		b.Versions = append(b.Versions, &pricing.Version{
			ID: s.ID, PricebookID: pb.ID, Number: s.Number, Status: s.Status, Currency: pb.Currency, Notes: s.Notes,
			EffectiveFrom: s.EffectiveFrom, EffectiveTo: s.EffectiveTo,
			PublishedAt: s.PublishedAt, ActivatedAt: s.ActivatedAt, ArchivedAt: s.ArchivedAt,
		})
	}
	return b
}

// sync stores what a lifecycle step of package pricing changed: the
// pricebook's headers, its active version, when it next rolls, and the
// state of each version whose state changed (full is stored whole).
func (c *call) syncPricebook(t *txn, pb *Pricebook, b *pricing.Pricebook, full *PricebookVersion) error {
	old := map[string]VersionSummary{}
	for _, s := range pb.Versions {
		old[s.ID] = s
	}
	pb.Versions, pb.ActiveVersionID = nil, ""
	for _, v := range b.Versions {
		s := summaryOf(v)
		pb.Versions = append(pb.Versions, s)
		if s.Status == pricing.VersionActive {
			pb.ActiveVersionID = s.ID
		}
		if full != nil && v.ID == full.ID {
			continue
		}
		if prev, ok := old[s.ID]; ok && prev == s {
			continue
		}
		row, err := load(t, versionsTable, v.ID)
		if err != nil {
			return err
		}
		row.Content.Status, row.Content.PublishedAt, row.Content.ActivatedAt, row.Content.ArchivedAt = v.Status, v.PublishedAt, v.ActivatedAt, v.ArchivedAt
		if err := update(t, versionsTable, row); err != nil {
			return err
		}
	}
	if full != nil {
		if err := update(t, versionsTable, full); err != nil {
			return err
		}
	}
	pb.RollAt = rollAt(pb, c.now)
	return update(t, pricebooksTable, pb)
}

// rollAt is when [pricing.Pricebook.Roll] next changes the active version:
// the earliest start of a published version that would take over from the
// active one and is not over by now; zero if none.
func rollAt(pb *Pricebook, now time.Time) time.Time {
	var active *VersionSummary
	for i := range pb.Versions {
		if pb.Versions[i].Status == pricing.VersionActive {
			active = &pb.Versions[i]
		}
	}
	var at time.Time
	for _, s := range pb.Versions {
		if s.Status != pricing.VersionPublished || !s.EffectiveTo.IsZero() && !s.EffectiveTo.After(now) {
			continue
		}
		if active != nil && !s.EffectiveFrom.After(active.EffectiveFrom) {
			continue
		}
		if at.IsZero() || s.EffectiveFrom.Before(at) {
			at = s.EffectiveFrom
		}
	}
	return at
}

// loadPricebook reads a pricebook, or the default one when id is empty.
func loadPricebook(t *txn, id string) (*Pricebook, error) {
	if id != "" {
		pb, err := load(t, pricebooksTable, id)
		return pb, fieldNotFound(err, "pricebookId")
	}
	pbs, err := find(t, pricebooksTable, Query{Where: []Cond{Eq("is_default", "true")}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(pbs) == 0 {
		return nil, fieldError(CodeNotFound, "pricebookId", "not_found", "the organization has no pricebook")
	}
	return pbs[0], nil
}

// pricer returns the pricer of a pricebook version: from the engine's cache
// for a published version, built anew for a draft.
func (c *call) pricer(t *txn, versionID string) (*pricing.Pricer, error) {
	key := t.org + "/" + versionID
	if p, ok := c.e.pricers.get(key); ok {
		return p, nil
	}
	v, err := load(t, versionsTable, versionID)
	if err != nil {
		return nil, err
	}
	p, err := pricing.NewPricer(&v.Content)
	if err != nil {
		return nil, err
	}
	if v.Content.Status != pricing.VersionDraft {
		c.e.pricers.put(key, p)
	}
	return p, nil
}

// currentPricer returns the pricer of the version of a pricebook (the
// default one when id is empty) that prices work now.
func (c *call) currentPricer(t *txn, pricebookID string) (*pricing.Pricer, error) {
	pb, err := loadPricebook(t, pricebookID)
	if err != nil {
		return nil, err
	}
	v, err := pb.book(nil).Current(c.now)
	if err != nil {
		return nil, fieldsMoved(err, "itemId", "pricebookId") // NO_EFFECTIVE_VERSION
	}
	return c.pricer(t, v.ID)
}

// CreatePricebookInput creates a pricebook.
type CreatePricebookInput struct {
	Name string `json:"name"`
	// Currency defaults to the organization's.
	Currency string `json:"currency,omitempty"`
	// Default makes it the organization's default pricebook; the first
	// pricebook always is.
	Default bool `json:"default,omitempty"`
}

// Validate checks the input.
func (in CreatePricebookInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Currency, validation.Match(currencyPattern)),
	)
}

// UpdatePricebookInput renames a pricebook or makes it the default.
type UpdatePricebookInput struct {
	ID      string  `json:"id"`
	Name    *string `json:"name,omitempty"`
	Default *bool   `json:"default,omitempty"`
}

// Validate checks the input.
func (in UpdatePricebookInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ID, validation.Required),
		validation.Field(&in.Name, validation.NilOrNotEmpty, validation.Length(1, 200)),
	)
}

// ListPricebooksInput lists the pricebooks.
type ListPricebooksInput struct{}

// Validate checks the input.
func (ListPricebooksInput) Validate() error { return nil }

// CreateVersionInput adds a DRAFT version to a pricebook, empty or a copy
// of another version (the way to change a published price list).
type CreateVersionInput struct {
	PricebookID string `json:"pricebookId"`
	// CopyFrom is the version whose content the draft starts from.
	CopyFrom string `json:"copyFrom,omitempty"`
	// EffectiveFrom and EffectiveTo bound when the version prices work;
	// a copy keeps its source's unless set.
	EffectiveFrom        time.Time            `json:"effectiveFrom,omitzero"`
	EffectiveTo          time.Time            `json:"effectiveTo,omitzero"`
	Notes                string               `json:"notes,omitempty"`
	Rounding             pricing.RoundingMode `json:"rounding,omitempty"`
	DefaultMarkupTableID string               `json:"defaultMarkupTableId,omitempty"`
	// Content imports a price list whole: each list given replaces the
	// draft's (a copy's, or the empty one's). The content is checked as a
	// whole, as an edit is.
	Categories   []pricing.Category    `json:"categories,omitempty"`
	Items        []pricing.Item        `json:"items,omitempty"`
	MarkupTables []pricing.MarkupTable `json:"markupTables,omitempty"`
	Rules        []pricing.Rule        `json:"rules,omitempty"`
	Templates    []pricing.JobTemplate `json:"templates,omitempty"`
}

// Validate checks the input.
func (in CreateVersionInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.PricebookID, validation.Required),
		validation.Field(&in.EffectiveTo, validation.By(func(any) error {
			if !in.EffectiveTo.IsZero() && !in.EffectiveTo.After(in.EffectiveFrom) {
				return validation.NewError("validation_window", "must be after effectiveFrom")
			}
			return nil
		})),
		validation.Field(&in.Notes, validation.Length(0, 2000)),
		validation.Field(&in.Rounding, validation.By(validRoundingMode)),
	)
}

func validRoundingMode(v any) error {
	m, _ := v.(pricing.RoundingMode)
	if p, ok := v.(*pricing.RoundingMode); ok && p != nil {
		m = *p
	}
	if !m.Valid() {
		return validation.NewError("validation_rounding", "must be HALF_UP, HALF_EVEN, HALF_DOWN, UP or DOWN")
	}
	return nil
}

// UpdateVersionInput changes the header of a DRAFT version.
type UpdateVersionInput struct {
	VersionID            string                `json:"versionId"`
	EffectiveFrom        *time.Time            `json:"effectiveFrom,omitempty"`
	EffectiveTo          *time.Time            `json:"effectiveTo,omitempty"`
	Notes                *string               `json:"notes,omitempty"`
	Rounding             *pricing.RoundingMode `json:"rounding,omitempty"`
	DefaultMarkupTableID *string               `json:"defaultMarkupTableId,omitempty"`
}

// Validate checks the input.
func (in UpdateVersionInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.VersionID, validation.Required),
		validation.Field(&in.Notes, validation.Length(0, 2000)),
		validation.Field(&in.Rounding, validation.By(validRoundingMode)),
	)
}

// VersionIDInput names a pricebook version.
type VersionIDInput struct {
	VersionID string `json:"versionId"`
}

// Validate checks the input.
func (in VersionIDInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.VersionID, validation.Required, validation.Length(1, 100)))
}

// ItemInput is a pricebook item of a DRAFT version (any type: SERVICE,
// LABOR, MATERIAL, EQUIPMENT, BUNDLE, DISCOUNT, FEE).
type ItemInput struct {
	VersionID string       `json:"versionId"`
	Item      pricing.Item `json:"item"`
}

// Validate checks the input; package pricing checks the item with the
// version.
func (in ItemInput) Validate() error {
	return validateEntry(in.VersionID, "item", in.Item.ID)
}

// RuleInput is a price rule of a DRAFT version.
type RuleInput struct {
	VersionID string       `json:"versionId"`
	Rule      pricing.Rule `json:"rule"`
}

// Validate checks the input.
func (in RuleInput) Validate() error { return validateEntry(in.VersionID, "rule", in.Rule.ID) }

// MarkupTableInput is a markup table of a DRAFT version.
type MarkupTableInput struct {
	VersionID   string              `json:"versionId"`
	MarkupTable pricing.MarkupTable `json:"markupTable"`
}

// Validate checks the input.
func (in MarkupTableInput) Validate() error {
	return validateEntry(in.VersionID, "markupTable", in.MarkupTable.ID)
}

// CategoryInput is a category of a DRAFT version.
type CategoryInput struct {
	VersionID string           `json:"versionId"`
	Category  pricing.Category `json:"category"`
}

// Validate checks the input.
func (in CategoryInput) Validate() error {
	return validateEntry(in.VersionID, "category", in.Category.ID)
}

// TemplateInput is a job template of a DRAFT version.
type TemplateInput struct {
	VersionID string              `json:"versionId"`
	Template  pricing.JobTemplate `json:"template"`
}

// Validate checks the input.
func (in TemplateInput) Validate() error {
	return validateEntry(in.VersionID, "template", in.Template.ID)
}

func validateEntry(versionID, name, id string) error {
	errs := validation.Errors{}
	if versionID == "" {
		errs["versionId"] = validation.ErrRequired
	}
	if id == "" || len(id) > 100 {
		errs[name] = validation.Errors{"id": validation.NewError("validation_id", "is required, at most 100 characters")}
	}
	return errs.Filter()
}

// RemoveEntryInput removes an item, rule, markup table, category or
// template from a DRAFT version.
type RemoveEntryInput struct {
	VersionID string `json:"versionId"`
	ID        string `json:"id"`
}

// Validate checks the input.
func (in RemoveEntryInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.VersionID, validation.Required),
		validation.Field(&in.ID, validation.Required),
	)
}

// PriceInput prices lines from a pricebook, each with the trace that
// explains its price: for a job (its customer, association, date, after
// hours, emergency), or in a context given outright.
type PriceInput struct {
	// PricebookID defaults to the organization's default pricebook;
	// VersionID, when set, prices from that version instead of the one in
	// effect now.
	PricebookID string                `json:"pricebookId,omitempty"`
	VersionID   string                `json:"versionId,omitempty"`
	JobID       string                `json:"jobId,omitempty"`
	Flags       PricingFlags          `json:"flags"`
	Context     *pricing.Context      `json:"context,omitempty"`
	Lines       []pricing.LineRequest `json:"lines"`
}

// Validate checks the input.
func (in PriceInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Lines, validation.Required, validation.Length(1, 500), validation.Each(validation.By(func(v any) error {
			if v.(pricing.LineRequest).ItemID == "" {
				return validation.Errors{"itemId": validation.ErrRequired}
			}
			return nil
		}))),
		validation.Field(&in.Context, validation.When(in.JobID != "", validation.Nil.Error("is taken from the job"))),
	)
}

// PriceResult is lines priced from one version, in one context.
type PriceResult struct {
	VersionID string          `json:"versionId"`
	Context   pricing.Context `json:"context"`
	Lines     []pricing.Line  `json:"lines"`
}

// PricebookService manages pricebooks: versions and their lifecycle, items
// of every type, price rules, markup tables, categories and job templates;
// and prices lines with their traces.
type PricebookService struct {
	create                            proc[CreatePricebookInput, Pricebook]
	rename                            proc[UpdatePricebookInput, Pricebook]
	get                               proc[IDInput, Pricebook]
	list                              proc[ListPricebooksInput, []Pricebook]
	roll                              proc[IDInput, Pricebook]
	createVersion                     proc[CreateVersionInput, PricebookVersion]
	updateVersion                     proc[UpdateVersionInput, PricebookVersion]
	getVersion                        proc[VersionIDInput, PricebookVersion]
	publish, activate, archive        proc[VersionIDInput, PricebookVersion]
	addItem, updateItem               proc[ItemInput, pricing.Item]
	removeItem                        proc[RemoveEntryInput, pricing.Item]
	addRule, updateRule               proc[RuleInput, pricing.Rule]
	removeRule                        proc[RemoveEntryInput, pricing.Rule]
	addMarkupTable, updateMarkupTable proc[MarkupTableInput, pricing.MarkupTable]
	removeMarkupTable                 proc[RemoveEntryInput, pricing.MarkupTable]
	addCategory, updateCategory       proc[CategoryInput, pricing.Category]
	removeCategory                    proc[RemoveEntryInput, pricing.Category]
	addTemplate, updateTemplate       proc[TemplateInput, pricing.JobTemplate]
	removeTemplate                    proc[RemoveEntryInput, pricing.JobTemplate]
	price                             proc[PriceInput, PriceResult]
}

// Create adds a pricebook.
func (s *PricebookService) Create(ctx context.Context, scope Scope, key string, in CreatePricebookInput) (*Pricebook, error) {
	return s.create.do(ctx, scope, key, in)
}

// Update renames a pricebook or makes it the default.
func (s *PricebookService) Update(ctx context.Context, scope Scope, key string, in UpdatePricebookInput) (*Pricebook, error) {
	return s.rename.do(ctx, scope, key, in)
}

// Get reads a pricebook and its versions' headers.
func (s *PricebookService) Get(ctx context.Context, scope Scope, id string) (*Pricebook, error) {
	return s.get.get(ctx, scope, IDInput{ID: id})
}

// List lists the pricebooks by name.
func (s *PricebookService) List(ctx context.Context, scope Scope) ([]Pricebook, error) {
	out, err := s.list.get(ctx, scope, ListPricebooksInput{})
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// Roll activates the version published ahead whose effective date came
// (the engine's pricebook-roll task does it on schedule).
func (s *PricebookService) Roll(ctx context.Context, scope Scope, key, id string) (*Pricebook, error) {
	return s.roll.do(ctx, scope, key, IDInput{ID: id})
}

// CreateVersion adds a DRAFT version: empty, a copy of another, or a price
// list imported whole.
func (s *PricebookService) CreateVersion(ctx context.Context, scope Scope, key string, in CreateVersionInput) (*PricebookVersion, error) {
	return s.createVersion.do(ctx, scope, key, in)
}

// UpdateVersion changes a draft's header.
func (s *PricebookService) UpdateVersion(ctx context.Context, scope Scope, key string, in UpdateVersionInput) (*PricebookVersion, error) {
	return s.updateVersion.do(ctx, scope, key, in)
}

// GetVersion reads a version with its content.
func (s *PricebookService) GetVersion(ctx context.Context, scope Scope, id string) (*PricebookVersion, error) {
	return s.getVersion.get(ctx, scope, VersionIDInput{VersionID: id})
}

// Publish freezes a draft after validating every reference.
func (s *PricebookService) Publish(ctx context.Context, scope Scope, key, versionID string) (*PricebookVersion, error) {
	return s.publish.do(ctx, scope, key, VersionIDInput{VersionID: versionID})
}

// Activate makes a published version in effect the active one; the one
// active before is archived.
func (s *PricebookService) Activate(ctx context.Context, scope Scope, key, versionID string) (*PricebookVersion, error) {
	return s.activate.do(ctx, scope, key, VersionIDInput{VersionID: versionID})
}

// Archive retires a published or active version.
func (s *PricebookService) Archive(ctx context.Context, scope Scope, key, versionID string) (*PricebookVersion, error) {
	return s.archive.do(ctx, scope, key, VersionIDInput{VersionID: versionID})
}

// AddItem adds an item to a draft.
func (s *PricebookService) AddItem(ctx context.Context, scope Scope, key string, in ItemInput) (*pricing.Item, error) {
	return s.addItem.do(ctx, scope, key, in)
}

// UpdateItem replaces an item of a draft.
func (s *PricebookService) UpdateItem(ctx context.Context, scope Scope, key string, in ItemInput) (*pricing.Item, error) {
	return s.updateItem.do(ctx, scope, key, in)
}

// RemoveItem removes an item from a draft.
func (s *PricebookService) RemoveItem(ctx context.Context, scope Scope, key string, in RemoveEntryInput) (*pricing.Item, error) {
	return s.removeItem.do(ctx, scope, key, in)
}

// AddRule adds a price rule to a draft.
func (s *PricebookService) AddRule(ctx context.Context, scope Scope, key string, in RuleInput) (*pricing.Rule, error) {
	return s.addRule.do(ctx, scope, key, in)
}

// UpdateRule replaces a price rule of a draft.
func (s *PricebookService) UpdateRule(ctx context.Context, scope Scope, key string, in RuleInput) (*pricing.Rule, error) {
	return s.updateRule.do(ctx, scope, key, in)
}

// RemoveRule removes a price rule from a draft.
func (s *PricebookService) RemoveRule(ctx context.Context, scope Scope, key string, in RemoveEntryInput) (*pricing.Rule, error) {
	return s.removeRule.do(ctx, scope, key, in)
}

// AddMarkupTable adds a markup table to a draft.
func (s *PricebookService) AddMarkupTable(ctx context.Context, scope Scope, key string, in MarkupTableInput) (*pricing.MarkupTable, error) {
	return s.addMarkupTable.do(ctx, scope, key, in)
}

// UpdateMarkupTable replaces a markup table of a draft.
func (s *PricebookService) UpdateMarkupTable(ctx context.Context, scope Scope, key string, in MarkupTableInput) (*pricing.MarkupTable, error) {
	return s.updateMarkupTable.do(ctx, scope, key, in)
}

// RemoveMarkupTable removes a markup table from a draft.
func (s *PricebookService) RemoveMarkupTable(ctx context.Context, scope Scope, key string, in RemoveEntryInput) (*pricing.MarkupTable, error) {
	return s.removeMarkupTable.do(ctx, scope, key, in)
}

// AddCategory adds a category to a draft.
func (s *PricebookService) AddCategory(ctx context.Context, scope Scope, key string, in CategoryInput) (*pricing.Category, error) {
	return s.addCategory.do(ctx, scope, key, in)
}

// UpdateCategory replaces a category of a draft.
func (s *PricebookService) UpdateCategory(ctx context.Context, scope Scope, key string, in CategoryInput) (*pricing.Category, error) {
	return s.updateCategory.do(ctx, scope, key, in)
}

// RemoveCategory removes a category from a draft.
func (s *PricebookService) RemoveCategory(ctx context.Context, scope Scope, key string, in RemoveEntryInput) (*pricing.Category, error) {
	return s.removeCategory.do(ctx, scope, key, in)
}

// AddTemplate adds a job template to a draft.
func (s *PricebookService) AddTemplate(ctx context.Context, scope Scope, key string, in TemplateInput) (*pricing.JobTemplate, error) {
	return s.addTemplate.do(ctx, scope, key, in)
}

// UpdateTemplate replaces a job template of a draft.
func (s *PricebookService) UpdateTemplate(ctx context.Context, scope Scope, key string, in TemplateInput) (*pricing.JobTemplate, error) {
	return s.updateTemplate.do(ctx, scope, key, in)
}

// RemoveTemplate removes a job template from a draft.
func (s *PricebookService) RemoveTemplate(ctx context.Context, scope Scope, key string, in RemoveEntryInput) (*pricing.JobTemplate, error) {
	return s.removeTemplate.do(ctx, scope, key, in)
}

// Price prices lines with their traces.
func (s *PricebookService) Price(ctx context.Context, scope Scope, in PriceInput) (*PriceResult, error) {
	return s.price.get(ctx, scope, in)
}

func (e *Engine) registerPricebooks() {
	manage := rolesManage()
	readers := with(rolesReaders(), RoleTechnician, RoleAgent)
	items := entries[pricing.Item, ItemInput, *ItemInput]{name: "item", field: "items",
		list: func(v *pricing.Version) *[]pricing.Item { return &v.Items }, id: func(x *pricing.Item) string { return x.ID }}
	rules := entries[pricing.Rule, RuleInput, *RuleInput]{name: "rule", field: "rules",
		list: func(v *pricing.Version) *[]pricing.Rule { return &v.Rules }, id: func(x *pricing.Rule) string { return x.ID }}
	tables := entries[pricing.MarkupTable, MarkupTableInput, *MarkupTableInput]{name: "markupTable", field: "markupTables",
		list: func(v *pricing.Version) *[]pricing.MarkupTable { return &v.MarkupTables }, id: func(x *pricing.MarkupTable) string { return x.ID }}
	categories := entries[pricing.Category, CategoryInput, *CategoryInput]{name: "category", field: "categories",
		list: func(v *pricing.Version) *[]pricing.Category { return &v.Categories }, id: func(x *pricing.Category) string { return x.ID }}
	templates := entries[pricing.JobTemplate, TemplateInput, *TemplateInput]{name: "template", field: "templates",
		list: func(v *pricing.Version) *[]pricing.JobTemplate { return &v.Templates }, id: func(x *pricing.JobTemplate) string { return x.ID }}
	e.Pricebooks = &PricebookService{
		create: mutation(e, "pricebook/v1/create", "Add a pricebook.", manage, (*call).createPricebook),
		rename: mutation(e, "pricebook/v1/update", "Rename a pricebook or make it the default.", manage, (*call).updatePricebook),
		get: query(e, "pricebook/v1/get", "Read a pricebook and its versions' headers.", readers,
			func(c *call, in *IDInput) (*Pricebook, error) {
				return inTx(c, "get", func(t *txn) (*Pricebook, error) { return load(t, pricebooksTable, in.ID) })
			}),
		list: query(e, "pricebook/v1/list", "List the pricebooks.", readers,
			func(c *call, _ *ListPricebooksInput) (*[]Pricebook, error) {
				return inTx(c, "list", func(t *txn) (*[]Pricebook, error) {
					pbs, err := find(t, pricebooksTable, Query{OrderBy: "name"})
					return values(pbs), err
				})
			}),
		roll: mutation(e, "pricebook/v1/roll", "Activate the version published ahead whose effective date came.",
			with(manage, RoleAgent), (*call).rollPricebook),
		createVersion: mutation(e, "pricebook/v1/createVersion", "Add a draft version: empty, a copy of another, or a price list imported whole.", manage, (*call).createVersion),
		updateVersion: mutation(e, "pricebook/v1/updateVersion", "Change a draft version's effective dates, notes or rounding.", manage, (*call).updateVersion),
		getVersion: query(e, "pricebook/v1/getVersion", "Read a version with its items, rules, markup tables, categories and templates.", readers,
			func(c *call, in *VersionIDInput) (*PricebookVersion, error) {
				return inTx(c, "get-version", func(t *txn) (*PricebookVersion, error) { return load(t, versionsTable, in.VersionID) })
			}),
		publish: mutation(e, "pricebook/v1/publishVersion", "Publish a draft version: every reference is checked and it never changes again.", manage,
			func(c *call, in *VersionIDInput) (*PricebookVersion, error) {
				return c.versionStep(in.VersionID, "publish", true, (*pricing.Pricebook).Publish)
			}),
		activate: mutation(e, "pricebook/v1/activateVersion", "Make a published version the active one; the one active before is archived.", manage,
			func(c *call, in *VersionIDInput) (*PricebookVersion, error) {
				return c.versionStep(in.VersionID, "activate", false, (*pricing.Pricebook).Activate)
			}),
		archive: mutation(e, "pricebook/v1/archiveVersion", "Retire a published or active version.", manage,
			func(c *call, in *VersionIDInput) (*PricebookVersion, error) {
				return c.versionStep(in.VersionID, "archive", false, (*pricing.Pricebook).Archive)
			}),
		addItem:           mutation(e, "pricebook/v1/addItem", "Add an item of any type to a draft version.", manage, items.add),
		updateItem:        mutation(e, "pricebook/v1/updateItem", "Replace an item of a draft version.", manage, items.update),
		removeItem:        mutation(e, "pricebook/v1/removeItem", "Remove an item from a draft version.", manage, items.remove),
		addRule:           mutation(e, "pricebook/v1/addRule", "Add a price rule to a draft version.", manage, rules.add),
		updateRule:        mutation(e, "pricebook/v1/updateRule", "Replace a price rule of a draft version.", manage, rules.update),
		removeRule:        mutation(e, "pricebook/v1/removeRule", "Remove a price rule from a draft version.", manage, rules.remove),
		addMarkupTable:    mutation(e, "pricebook/v1/addMarkupTable", "Add a markup table to a draft version.", manage, tables.add),
		updateMarkupTable: mutation(e, "pricebook/v1/updateMarkupTable", "Replace a markup table of a draft version.", manage, tables.update),
		removeMarkupTable: mutation(e, "pricebook/v1/removeMarkupTable", "Remove a markup table from a draft version.", manage, tables.remove),
		addCategory:       mutation(e, "pricebook/v1/addCategory", "Add a category to a draft version.", manage, categories.add),
		updateCategory:    mutation(e, "pricebook/v1/updateCategory", "Replace a category of a draft version.", manage, categories.update),
		removeCategory:    mutation(e, "pricebook/v1/removeCategory", "Remove a category from a draft version.", manage, categories.remove),
		addTemplate:       mutation(e, "pricebook/v1/addTemplate", "Add a job template to a draft version.", manage, templates.add),
		updateTemplate:    mutation(e, "pricebook/v1/updateTemplate", "Replace a job template of a draft version.", manage, templates.update),
		removeTemplate:    mutation(e, "pricebook/v1/removeTemplate", "Remove a job template from a draft version.", manage, templates.remove),
		price:             query(e, "pricebook/v1/price", "Price lines for a job or a context, each with the trace explaining its price.", readers, (*call).priceLines),
	}
}

// values copies the entities found into a slice of values.

func (c *call) createPricebook(in *CreatePricebookInput) (*Pricebook, error) {
	return inTx(c, "create", func(t *txn) (*Pricebook, error) {
		org, err := load(t, organizationsTable, t.org)
		if err != nil {
			return nil, err
		}
		if _, ok := pricing.CurrencyDigits(or(in.Currency, org.Currency)); !ok {
			return nil, fieldError(CodeValidationFailed, "currency", "unknown_currency", "is not an ISO 4217 currency")
		}
		others, err := find(t, pricebooksTable, Query{Where: []Cond{Eq("is_default", "true")}})
		if err != nil {
			return nil, err
		}
		pb := &Pricebook{Meta: Meta{ID: c.e.newID()}, Name: in.Name, Currency: or(in.Currency, org.Currency),
			Default: in.Default || len(others) == 0, Versions: []VersionSummary{}}
		if pb.Default {
			if err := clearDefault(t, others); err != nil {
				return nil, err
			}
		}
		return pb, insert(t, pricebooksTable, pb)
	})
}

func clearDefault(t *txn, pbs []*Pricebook) error {
	for _, o := range pbs {
		o.Default = false
		if err := update(t, pricebooksTable, o); err != nil {
			return err
		}
	}
	return nil
}

func (c *call) updatePricebook(in *UpdatePricebookInput) (*Pricebook, error) {
	return inTx(c, "update", func(t *txn) (*Pricebook, error) {
		pb, err := load(t, pricebooksTable, in.ID)
		if err != nil {
			return nil, err
		}
		set(&pb.Name, in.Name)
		if in.Default != nil && *in.Default && !pb.Default {
			others, err := find(t, pricebooksTable, Query{Where: []Cond{Eq("is_default", "true")}})
			if err != nil {
				return nil, err
			}
			if err := clearDefault(t, others); err != nil {
				return nil, err
			}
			pb.Default = true
		}
		return pb, update(t, pricebooksTable, pb)
	})
}

func (c *call) rollPricebook(in *IDInput) (*Pricebook, error) {
	return inTx(c, "roll", func(t *txn) (*Pricebook, error) {
		pb, err := load(t, pricebooksTable, in.ID)
		if err != nil {
			return nil, err
		}
		b := pb.book(nil)
		if _, err := b.Roll(c.now); err != nil {
			return nil, err
		}
		return pb, c.syncPricebook(t, pb, b, nil)
	})
}

func (c *call) createVersion(in *CreateVersionInput) (*PricebookVersion, error) {
	return inTx(c, "create-version", func(t *txn) (*PricebookVersion, error) {
		pb, err := load(t, pricebooksTable, in.PricebookID)
		if err != nil {
			return nil, fieldNotFound(err, "pricebookId")
		}
		var from *pricing.Version
		if in.CopyFrom != "" {
			src, err := load(t, versionsTable, in.CopyFrom)
			if err != nil || src.PricebookID != pb.ID {
				return nil, fieldError(CodeNotFound, "copyFrom", "not_found", "the pricebook has no version "+in.CopyFrom)
			}
			from = &src.Content
		}
		b := pb.book(from)
		id := c.e.newID()
		v, err := b.NewVersion(id, in.CopyFrom)
		if err != nil {
			return nil, err
		}
		if err := v.Edit(func(d *pricing.Version) error {
			if !in.EffectiveFrom.IsZero() {
				d.EffectiveFrom, d.EffectiveTo = in.EffectiveFrom, in.EffectiveTo
			}
			set(&d.Notes, nonEmpty(in.Notes))
			set(&d.Rounding, nonZero(in.Rounding))
			set(&d.DefaultMarkupTableID, nonEmpty(in.DefaultMarkupTableID))
			replace(&d.Categories, in.Categories)
			replace(&d.Items, in.Items)
			replace(&d.MarkupTables, in.MarkupTables)
			replace(&d.Rules, in.Rules)
			replace(&d.Templates, in.Templates)
			_, err := pricing.NewPricer(d)
			return err
		}); err != nil {
			return nil, err
		}
		row := &PricebookVersion{Meta: Meta{ID: id}, PricebookID: pb.ID, Content: *v}
		if err := insert(t, versionsTable, row); err != nil {
			return nil, err
		}
		pb.Versions = append(pb.Versions, summaryOf(v))
		return row, update(t, pricebooksTable, pb)
	})
}

// replace sets *dst to src when src is given.
func replace[T any](dst *[]T, src []T) {
	if src != nil {
		*dst = src
	}
}

func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func (c *call) updateVersion(in *UpdateVersionInput) (*PricebookVersion, error) {
	return inTx(c, "update-version", func(t *txn) (*PricebookVersion, error) {
		v, err := load(t, versionsTable, in.VersionID)
		if err != nil {
			return nil, err
		}
		if err := v.Content.Edit(func(d *pricing.Version) error {
			set(&d.EffectiveFrom, in.EffectiveFrom)
			set(&d.EffectiveTo, in.EffectiveTo)
			set(&d.Notes, in.Notes)
			set(&d.Rounding, in.Rounding)
			set(&d.DefaultMarkupTableID, in.DefaultMarkupTableID)
			if !d.EffectiveTo.IsZero() && !d.EffectiveTo.After(d.EffectiveFrom) {
				return fieldError(CodeValidationFailed, "effectiveTo", "validation_window", "must be after effectiveFrom")
			}
			_, err := pricing.NewPricer(d)
			return err
		}); err != nil {
			return nil, err
		}
		if err := update(t, versionsTable, v); err != nil {
			return nil, err
		}
		pb, err := load(t, pricebooksTable, v.PricebookID)
		if err != nil {
			return nil, err
		}
		for i := range pb.Versions {
			if pb.Versions[i].ID == v.ID {
				pb.Versions[i] = summaryOf(&v.Content)
			}
		}
		return v, update(t, pricebooksTable, pb)
	})
}

// versionStep runs a lifecycle step of package pricing on a version (full:
// the step reads the version's content) and stores what it changed.
func (c *call) versionStep(versionID, name string, full bool, step func(b *pricing.Pricebook, id string, now time.Time) error) (*PricebookVersion, error) {
	return inTx(c, name, func(t *txn) (*PricebookVersion, error) {
		v, err := load(t, versionsTable, versionID)
		if err != nil {
			return nil, err
		}
		pb, err := load(t, pricebooksTable, v.PricebookID)
		if err != nil {
			return nil, err
		}
		var content *pricing.Version
		var stored *PricebookVersion
		if full {
			content, stored = &v.Content, v
		}
		b := pb.book(content)
		if err := step(b, versionID, c.now); err != nil {
			return nil, err
		}
		if err := c.syncPricebook(t, pb, b, stored); err != nil {
			return nil, err
		}
		return load(t, versionsTable, versionID)
	})
}

// entries are the elements of one list of a version's content (its items,
// rules, markup tables, categories or templates), edited in a draft one at
// a time. Every edit is checked with the whole version by package pricing,
// so a draft never holds a reference that does not resolve.
type entries[T any, In any, PIn entryInput[T, In]] struct {
	name  string // the input field: "item"
	field string // the version's field: "items"
	list  func(v *pricing.Version) *[]T
	id    func(x *T) string
}

func (k entries[T, In, PIn]) add(c *call, in *In) (*T, error) {
	return k.put(c, PIn(in).versionID(), PIn(in).entry(), true)
}

func (k entries[T, In, PIn]) update(c *call, in *In) (*T, error) {
	return k.put(c, PIn(in).versionID(), PIn(in).entry(), false)
}

func (k entries[T, In, PIn]) put(c *call, versionID string, x T, add bool) (*T, error) {
	return inTx(c, "put-"+k.name, func(t *txn) (*T, error) {
		v, err := load(t, versionsTable, versionID)
		if err != nil {
			return nil, fieldNotFound(err, "versionId")
		}
		id := k.id(&x)
		err = v.Content.Edit(func(d *pricing.Version) error {
			xs := k.list(d)
			i := slices.IndexFunc(*xs, func(y T) bool { return k.id(&y) == id })
			switch {
			case add && i >= 0:
				return fieldError(CodeValidationFailed, k.name+".id", "validation_duplicate", fmt.Sprintf("the version already has a %s %q", k.name, id))
			case !add && i < 0:
				return fieldError(CodeNotFound, k.name+".id", "not_found", fmt.Sprintf("the version has no %s %q", k.name, id))
			case add:
				*xs = append(*xs, x)
				i = len(*xs) - 1
			default:
				(*xs)[i] = x
			}
			_, err := pricing.NewPricer(d)
			return fieldsMoved(err, fmt.Sprintf("%s.%d", k.field, i), k.name)
		})
		if err != nil {
			return nil, err
		}
		return &x, update(t, versionsTable, v)
	})
}

func (k entries[T, In, PIn]) remove(c *call, in *RemoveEntryInput) (*T, error) {
	return inTx(c, "remove-"+k.name, func(t *txn) (*T, error) {
		v, err := load(t, versionsTable, in.VersionID)
		if err != nil {
			return nil, fieldNotFound(err, "versionId")
		}
		var removed T
		err = v.Content.Edit(func(d *pricing.Version) error {
			xs := k.list(d)
			i := slices.IndexFunc(*xs, func(y T) bool { return k.id(&y) == in.ID })
			if i < 0 {
				return fieldError(CodeNotFound, "id", "not_found", fmt.Sprintf("the version has no %s %q", k.name, in.ID))
			}
			removed = (*xs)[i]
			*xs = slices.Delete(*xs, i, i+1)
			_, err := pricing.NewPricer(d)
			return err
		})
		if err != nil {
			return nil, err
		}
		return &removed, update(t, versionsTable, v)
	})
}

// entryInput is the input of adding or replacing an entry of a version.
type entryInput[T any, In any] interface {
	*In
	versionID() string
	entry() T
}

func (in *ItemInput) versionID() string        { return in.VersionID }
func (in *ItemInput) entry() pricing.Item      { return in.Item }
func (in *RuleInput) versionID() string        { return in.VersionID }
func (in *RuleInput) entry() pricing.Rule      { return in.Rule }
func (in *MarkupTableInput) versionID() string { return in.VersionID }
func (in *MarkupTableInput) entry() pricing.MarkupTable {
	return in.MarkupTable
}
func (in *CategoryInput) versionID() string          { return in.VersionID }
func (in *CategoryInput) entry() pricing.Category    { return in.Category }
func (in *TemplateInput) versionID() string          { return in.VersionID }
func (in *TemplateInput) entry() pricing.JobTemplate { return in.Template }

func (c *call) priceLines(in *PriceInput) (*PriceResult, error) {
	return inTx(c, "price", func(t *txn) (*PriceResult, error) {
		var p *pricing.Pricer
		var err error
		if in.VersionID != "" {
			if p, err = c.pricer(t, in.VersionID); err != nil {
				return nil, fieldNotFound(err, "versionId")
			}
		} else if p, err = c.currentPricer(t, in.PricebookID); err != nil {
			return nil, err
		}
		ctx := pricing.Context{At: c.now}
		switch {
		case in.JobID != "":
			j, err := c.loadJob(t, in.JobID)
			if err != nil {
				return nil, fieldNotFound(err, "jobId")
			}
			b, err := c.billingFor(t, j, in.Flags)
			if err != nil {
				return nil, err
			}
			ctx = b.ctx
		case in.Context != nil:
			ctx = *in.Context
			if ctx.At.IsZero() {
				ctx.At = c.now
			}
		}
		lines, err := p.PriceLines(in.Lines, ctx)
		if err != nil {
			return nil, err
		}
		return &PriceResult{VersionID: p.VersionID(), Context: ctx, Lines: lines}, nil
	})
}
