package pricing

import (
	"strconv"
	"time"
)

// VersionStatus is the lifecycle state of a pricebook version.
type VersionStatus string

// The version states: DRAFT → PUBLISHED → ACTIVE → ARCHIVED. Only a DRAFT
// may change; a PUBLISHED version waits for its effective date; exactly one
// version of a pricebook is ACTIVE at a time.
const (
	VersionDraft     VersionStatus = "DRAFT"
	VersionPublished VersionStatus = "PUBLISHED"
	VersionActive    VersionStatus = "ACTIVE"
	VersionArchived  VersionStatus = "ARCHIVED"
)

// Pricebook is a contractor's price list and its versions. Documents are
// priced from one version and record it; a version never changes once
// published, so a presented estimate is never repriced behind the
// customer's back.
type Pricebook struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Currency string     `json:"currency"`
	Versions []*Version `json:"versions"`
}

// Version is one version of a pricebook: its items, categories, markup
// tables, price rules and job templates, and when it is in effect.
type Version struct {
	ID          string        `json:"id"`
	PricebookID string        `json:"pricebookId"`
	Number      int           `json:"number"`
	Status      VersionStatus `json:"status"`
	Currency    string        `json:"currency"`
	Notes       string        `json:"notes,omitempty"`
	// EffectiveFrom and EffectiveTo bound when the version prices work,
	// [from, to); a zero EffectiveTo is open-ended.
	EffectiveFrom time.Time `json:"effectiveFrom,omitzero"`
	EffectiveTo   time.Time `json:"effectiveTo,omitzero"`
	PublishedAt   time.Time `json:"publishedAt,omitzero"`
	ActivatedAt   time.Time `json:"activatedAt,omitzero"`
	ArchivedAt    time.Time `json:"archivedAt,omitzero"`
	// Rounding rounds rule-adjusted unit prices. Defaults to HALF_UP.
	Rounding RoundingMode `json:"rounding,omitempty"`
	// DefaultMarkupTableID prices materials that have neither a price, a
	// markup nor a table of their own.
	DefaultMarkupTableID string `json:"defaultMarkupTableId,omitempty"`

	Categories   []Category    `json:"categories,omitempty"`
	Items        []Item        `json:"items"`
	MarkupTables []MarkupTable `json:"markupTables,omitempty"`
	Rules        []Rule        `json:"rules,omitempty"`
	Templates    []JobTemplate `json:"templates,omitempty"`
}

// JobTemplate is a named list of items and quantities ("Replace 50 gal
// water heater"): the estimate generator turns it into priced lines.
type JobTemplate struct {
	ID    string         `json:"id"`
	Name  string         `json:"name"`
	Trade string         `json:"trade,omitempty"`
	Lines []TemplateLine `json:"lines"`
}

// TemplateLine is an item of a job template. A zero Quantity means 1.
type TemplateLine struct {
	ItemID      string   `json:"itemId"`
	Quantity    Quantity `json:"quantity,omitzero"`
	AddOn       bool     `json:"addOn,omitempty"`
	Description string   `json:"description,omitempty"`
}

func versionError(v *Version, action, rule string) error {
	return &TransitionError{Document: "pricebook version", ID: v.ID, From: string(v.Status), Action: action, Rule: rule}
}

// clone returns a deep copy of v.
func (v *Version) clone() *Version {
	c := cloneJSON(*v)
	return &c
}

// Edit changes a DRAFT version: fn edits a copy, which replaces v only if fn
// returns nil. Editing any other version fails with rule VERSION_IMMUTABLE:
// publish a new version instead ([Pricebook.NewVersion]).
func (v *Version) Edit(fn func(draft *Version) error) error {
	if v.Status != VersionDraft {
		return versionError(v, "edit", "VERSION_IMMUTABLE")
	}
	c := v.clone()
	if err := fn(c); err != nil {
		return err
	}
	c.ID, c.PricebookID, c.Number, c.Status, c.Currency = v.ID, v.PricebookID, v.Number, v.Status, v.Currency
	*v = *c
	return nil
}

// InEffect reports whether the version's effective window contains t.
func (v *Version) InEffect(t time.Time) bool {
	return !t.Before(v.EffectiveFrom) && (v.EffectiveTo.IsZero() || t.Before(v.EffectiveTo))
}

// Version returns the version with the given id.
func (pb *Pricebook) Version(id string) (*Version, error) {
	for _, v := range pb.Versions {
		if v.ID == id {
			return v, nil
		}
	}
	return nil, &NotFoundError{Kind: "version", ID: id, In: "pricebook " + pb.ID}
}

// NewVersion adds a DRAFT version with the given id, numbered after the
// last one. If from is not empty the draft starts as a copy of that
// version's content (the way to change a published price list).
func (pb *Pricebook) NewVersion(id, from string) (*Version, error) {
	if id == "" {
		return nil, invalid("id", "", "a version needs an id")
	}
	if _, err := pb.Version(id); err == nil {
		return nil, invalid("id", id, "duplicate version id")
	}
	if err := checkCurrency("currency", pb.Currency); err != nil {
		return nil, err
	}
	v := &Version{Items: []Item{}}
	if from != "" {
		src, err := pb.Version(from)
		if err != nil {
			return nil, err
		}
		v = src.clone()
		v.PublishedAt, v.ActivatedAt, v.ArchivedAt = time.Time{}, time.Time{}, time.Time{}
	}
	number := 0
	for _, o := range pb.Versions {
		number = max(number, o.Number)
	}
	v.ID, v.PricebookID, v.Number, v.Status, v.Currency = id, pb.ID, number+1, VersionDraft, pb.Currency
	pb.Versions = append(pb.Versions, v)
	return v, nil
}

// Publish freezes a DRAFT version: it must have at least one item, an
// effective window that ends after it starts, and content that validates
// (every reference resolves; see [NewPricer]). From now on it never changes.
func (pb *Pricebook) Publish(id string, now time.Time) error {
	v, err := pb.Version(id)
	if err != nil {
		return err
	}
	switch {
	case v.Status != VersionDraft:
		return versionError(v, "publish", "VERSION_PUBLISH_REQUIRES_DRAFT")
	case len(v.Items) == 0:
		return versionError(v, "publish", "VERSION_NEEDS_ITEMS")
	case v.EffectiveFrom.IsZero() || !v.EffectiveTo.IsZero() && !v.EffectiveTo.After(v.EffectiveFrom):
		return versionError(v, "publish", "VERSION_EFFECTIVE_WINDOW")
	}
	if _, err := NewPricer(v); err != nil {
		return err
	}
	v.Status, v.PublishedAt = VersionPublished, now
	return nil
}

// Activate makes a PUBLISHED version, in effect at now, the ACTIVE one; the
// version active before is ARCHIVED. There is never more than one ACTIVE
// version.
func (pb *Pricebook) Activate(id string, now time.Time) error {
	v, err := pb.Version(id)
	if err != nil {
		return err
	}
	if v.Status != VersionPublished {
		return versionError(v, "activate", "VERSION_ACTIVATE_REQUIRES_PUBLISHED")
	}
	if !v.InEffect(now) {
		return versionError(v, "activate", "VERSION_NOT_IN_EFFECT")
	}
	for _, o := range pb.Versions {
		if o.Status == VersionActive {
			o.Status, o.ArchivedAt = VersionArchived, now
		}
	}
	v.Status, v.ActivatedAt = VersionActive, now
	return nil
}

// Archive retires a PUBLISHED or ACTIVE version. Documents priced from it
// keep their snapshot.
func (pb *Pricebook) Archive(id string, now time.Time) error {
	v, err := pb.Version(id)
	if err != nil {
		return err
	}
	if v.Status != VersionPublished && v.Status != VersionActive {
		return versionError(v, "archive", "VERSION_ARCHIVE_REQUIRES_PUBLISHED_OR_ACTIVE")
	}
	v.Status, v.ArchivedAt = VersionArchived, now
	return nil
}

// Roll activates the PUBLISHED version that should be active at now — the
// one in effect with the latest EffectiveFrom, if it is later than the
// active version's — and returns its id ("" if nothing changes). The engine
// calls it on a schedule so a price list published for January 1 takes over
// on January 1.
func (pb *Pricebook) Roll(now time.Time) (string, error) {
	var best, active *Version
	for _, v := range pb.Versions {
		switch {
		case v.Status == VersionActive:
			active = v
		case v.Status == VersionPublished && v.InEffect(now) &&
			(best == nil || v.EffectiveFrom.After(best.EffectiveFrom)):
			best = v
		}
	}
	if best == nil || active != nil && active.InEffect(now) && !best.EffectiveFrom.After(active.EffectiveFrom) {
		return "", nil
	}
	return best.ID, pb.Activate(best.ID, now)
}

// Current returns the version that prices work at now: the ACTIVE version,
// if it is in effect. Otherwise it is a [ReferenceError] (NO_EFFECTIVE_VERSION).
func (pb *Pricebook) Current(now time.Time) (*Version, error) {
	for _, v := range pb.Versions {
		if v.Status == VersionActive && v.InEffect(now) {
			return v, nil
		}
	}
	return nil, &ReferenceError{Reason: RefNoVersion}
}

// validate checks the version's content and indexes it.
func (v *Version) validate(p *Pricer) error {
	cur := v.Currency
	if err := checkCurrency("currency", cur); err != nil {
		return err
	}
	if !v.Rounding.Valid() {
		return invalid("rounding", string(v.Rounding), "unknown rounding mode")
	}
	for i := range v.Categories {
		c := &v.Categories[i]
		if c.ID == "" || p.categories[c.ID] != nil {
			return invalid("categories["+strconv.Itoa(i)+"].id", c.ID, "missing or duplicate category id")
		}
		p.categories[c.ID] = c
	}
	for i := range v.Categories {
		c := &v.Categories[i]
		seen := map[string]bool{}
		for id := c.ParentID; id != ""; id = p.categories[id].ParentID {
			if p.categories[id] == nil {
				return &ReferenceError{Line: "categories[" + strconv.Itoa(i) + "]", ItemID: id, VersionID: v.ID, Reason: RefUnknownCategory}
			}
			if seen[id] {
				return &ReferenceError{Line: "categories[" + strconv.Itoa(i) + "]", ItemID: id, VersionID: v.ID, Reason: RefCycle}
			}
			seen[id] = true
		}
	}
	for i := range v.MarkupTables {
		t := &v.MarkupTables[i]
		f := "markupTables[" + strconv.Itoa(i) + "]"
		if t.ID == "" || p.tables[t.ID] != nil {
			return invalid(f+".id", t.ID, "missing or duplicate markup table id")
		}
		if err := t.validate(f, cur); err != nil {
			return err
		}
		p.tables[t.ID] = t
	}
	if v.DefaultMarkupTableID != "" && p.tables[v.DefaultMarkupTableID] == nil {
		return &ReferenceError{Line: "defaultMarkupTableId", ItemID: v.DefaultMarkupTableID, VersionID: v.ID, Reason: RefUnknownTable}
	}
	codes := make(map[string]bool, len(v.Items))
	for i := range v.Items {
		it := &v.Items[i]
		f := "items[" + strconv.Itoa(i) + "]"
		if err := it.validate(f, cur); err != nil {
			return err
		}
		if p.items[it.ID] != nil || codes[it.Code] {
			return invalid(f, it.ID, "duplicate item id or code")
		}
		p.items[it.ID], codes[it.Code] = it, true
	}
	for i := range v.Items {
		if err := p.checkItem(i); err != nil {
			return err
		}
	}
	for i := range v.Rules {
		r := &v.Rules[i]
		f := "rules[" + strconv.Itoa(i) + "]"
		if err := r.validate(f, cur); err != nil {
			return err
		}
		for _, id := range r.ItemIDs {
			if p.items[id] == nil {
				return &ReferenceError{Line: f, ItemID: id, VersionID: v.ID, Reason: RefUnknownItem}
			}
		}
		for _, id := range r.CategoryIDs {
			if p.categories[id] == nil {
				return &ReferenceError{Line: f, ItemID: id, VersionID: v.ID, Reason: RefUnknownCategory}
			}
		}
		p.rules = append(p.rules, r)
	}
	for i := range v.Templates {
		t := &v.Templates[i]
		if t.ID == "" || p.templates[t.ID] != nil {
			return invalid("templates["+strconv.Itoa(i)+"].id", t.ID, "missing or duplicate template id")
		}
		for k, l := range t.Lines {
			if p.items[l.ItemID] == nil {
				return &ReferenceError{Line: "templates[" + strconv.Itoa(i) + "].lines[" + strconv.Itoa(k) + "]",
					ItemID: l.ItemID, VersionID: v.ID, Reason: RefUnknownItem}
			}
		}
		p.templates[t.ID] = t
	}
	return nil
}

// checkItem checks the references of item i.
func (p *Pricer) checkItem(i int) error {
	v := p.version
	it := &v.Items[i]
	ref := func(id string, reason ReferenceReason) error {
		return &ReferenceError{Line: "items[" + strconv.Itoa(i) + "]", ItemID: id, VersionID: v.ID, Reason: reason}
	}
	if it.CategoryID != "" && p.categories[it.CategoryID] == nil {
		return ref(it.CategoryID, RefUnknownCategory)
	}
	if it.MarkupTableID != "" && p.tables[it.MarkupTableID] == nil {
		return ref(it.MarkupTableID, RefUnknownTable)
	}
	if (it.Type == ItemMaterial || it.Type == ItemEquipment) && !it.Price.IsSet() &&
		it.Markup == nil && it.MarkupTableID == "" && v.DefaultMarkupTableID == "" {
		return invalid("items["+strconv.Itoa(i)+"].price", "", "no price, markup or markup table")
	}
	if it.Type == ItemService && it.LaborItemID != "" {
		l := p.items[it.LaborItemID]
		if l == nil || l.Type != ItemLabor {
			return ref(it.LaborItemID, RefUnknownItem)
		}
	}
	for _, c := range it.Materials {
		m := p.items[c.ItemID]
		if m == nil || m.Type != ItemMaterial && m.Type != ItemEquipment {
			return ref(c.ItemID, RefUnknownItem)
		}
	}
	for _, c := range it.Components {
		m := p.items[c.ItemID]
		switch {
		case m == nil:
			return ref(c.ItemID, RefUnknownItem)
		case m.Type == ItemBundle:
			return ref(c.ItemID, RefCycle) // bundles do not nest
		case m.Type == ItemDiscount:
			return ref(c.ItemID, RefNotPriceable)
		}
	}
	return nil
}
