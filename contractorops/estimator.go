package contractorops

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/hestami-ai/opsengine/pricing"
)

// Estimator proposes the options of an estimate for a job (estimate/v1/generate):
// which job templates, or which items in which quantities. The engine
// prices what it proposes from the pricebook, in the job's context, so an
// estimator never sets a price; a reference that does not resolve is
// PRICEBOOK_REFERENCE naming the option and line.
//
// The bundled [RuleEstimator] is deterministic. A host plugs a model in by
// setting [Config].Estimator: the call is a recorded step, so a durable
// replay never asks the model twice, and its proposal is what the estimate
// was built from.
type Estimator interface {
	Propose(ctx context.Context, req EstimateRequest) ([]ProposedOption, error)
}

// EstimateRequest is what an estimator proposes from: the job, the scope of
// work the office or the technician wrote, and the catalog of the pricebook
// version in effect.
type EstimateRequest struct {
	Job         Job                   `json:"job"`
	ScopeOfWork string                `json:"scopeOfWork,omitempty"`
	Templates   []pricing.JobTemplate `json:"templates"`
	Items       []CatalogItem         `json:"items"`
	// MaxOptions is how many options to propose at most.
	MaxOptions int `json:"maxOptions"`
}

// CatalogItem is an item of the pricebook as an estimator sees it: what it
// is, not what it costs.
type CatalogItem struct {
	ID          string           `json:"id"`
	Code        string           `json:"code"`
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	Type        pricing.ItemType `json:"type"`
	Trade       string           `json:"trade,omitempty"`
	CategoryID  string           `json:"categoryId,omitempty"`
	Unit        string           `json:"unit,omitempty"`
}

// ProposedOption is one option an estimator proposes: a job template, items
// and quantities, or both.
type ProposedOption struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Recommended bool           `json:"recommended,omitempty"`
	TemplateID  string         `json:"templateId,omitempty"`
	Lines       []ProposedLine `json:"lines,omitempty"`
	// Rationale says why, for the person who reviews the estimate.
	Rationale string `json:"rationale,omitempty"`
}

// ProposedLine is an item and its quantity (zero means 1).
type ProposedLine struct {
	ItemID      string           `json:"itemId"`
	Quantity    pricing.Quantity `json:"quantity,omitzero"`
	Description string           `json:"description,omitempty"`
}

// RuleEstimator is the bundled [Estimator]. It is deterministic: it keeps
// the job templates of the job's trade (or of no trade) whose names share
// words with the job's title, description, category and scope of work,
// takes the best matches up to MaxOptions, and proposes them in the
// pricebook's order (the order its author gave good, better, best), the
// best match recommended.
type RuleEstimator struct{}

// Propose implements [Estimator].
func (RuleEstimator) Propose(_ context.Context, req EstimateRequest) ([]ProposedOption, error) {
	j := req.Job
	text := words(strings.Join([]string{j.Title, j.Description, j.Category, j.Trade, req.ScopeOfWork}, " "))
	type match struct {
		index, score int
	}
	var ms []match
	for i, t := range req.Templates {
		if t.Trade != "" && j.Trade != "" && !strings.EqualFold(t.Trade, j.Trade) {
			continue
		}
		score := 0
		for w := range words(t.Name) {
			if text[w] {
				score += 2
			}
		}
		if score == 0 {
			continue
		}
		if t.Trade != "" && strings.EqualFold(t.Trade, j.Trade) {
			score++
		}
		ms = append(ms, match{i, score})
	}
	slices.SortStableFunc(ms, func(a, b match) int { return b.score - a.score })
	ms = ms[:min(len(ms), max(req.MaxOptions, 1))]
	best := -1
	if len(ms) > 0 {
		best = ms[0].index
	}
	slices.SortFunc(ms, func(a, b match) int { return a.index - b.index })
	out := make([]ProposedOption, len(ms))
	for k, m := range ms {
		t := req.Templates[m.index]
		out[k] = ProposedOption{Name: t.Name, TemplateID: t.ID, Recommended: m.index == best && len(ms) > 1,
			Rationale: "the template's name matches the job"}
	}
	return out, nil
}

// stopWords are words too common to tell templates apart.
var stopWords = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "from": true, "our": true, "your": true,
	"new": true, "old": true, "not": true, "has": true, "are": true, "was": true, "into": true,
}

// words returns the distinct words of s of three letters or more, lower
// case, a final plural "s" dropped, without stop words.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		if len(w) >= 3 && !stopWords[w] {
			out[w] = true
		}
	}
	return out
}
