package contractorops

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/pricing"
)

// JobProfitability is how much a job made: revenue (its issued invoices,
// net of tax and discounts, less credit memos) against its labor (every
// time entry's hours at its cost rate) and materials (consumed, at cost),
// as package pricing computes it.
type JobProfitability struct {
	JobID     string `json:"jobId"`
	JobNumber string `json:"jobNumber"`
	Currency  string `json:"currency"`
	pricing.Profitability
	LaborHours pricing.Quantity `json:"laborHours"`
	// Invoices are the numbers of the invoices counted.
	Invoices []string `json:"invoices"`
}

// ReportService reads figures across documents.
type ReportService struct {
	jobProfitability proc[JobIDInput, JobProfitability]
}

// JobProfitability returns a job's revenue, labor and material cost and
// margin.
func (s *ReportService) JobProfitability(ctx context.Context, scope Scope, jobID string) (*JobProfitability, error) {
	return s.jobProfitability.get(ctx, scope, JobIDInput{JobID: jobID})
}

func (e *Engine) registerReports() {
	e.Reports = &ReportService{
		jobProfitability: query(e, "report/v1/jobProfitability", "Read a job's revenue, labor and material cost, and margin.",
			rolesFinance(), (*call).jobProfitability),
	}
}

func (c *call) jobProfitability(in *JobIDInput) (*JobProfitability, error) {
	return inTx(c, "job-profitability", func(t *txn) (*JobProfitability, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		org, err := load(t, organizationsTable, t.org)
		if err != nil {
			return nil, err
		}
		out := &JobProfitability{JobID: j.ID, JobNumber: j.Number, Currency: org.Currency, Invoices: []string{}}
		docs, memos, err := postedDocuments(t, j.ID)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			out.Invoices = append(out.Invoices, d.Number)
			out.Currency = d.Currency
		}
		// The pricebook prices the cost of time entries without a rate of
		// their own; without one, their cost is unknown.
		p, _ := c.currentPricer(t, "")
		entries, err := find(t, timeEntriesTable, Query{Where: []Cond{Eq("job_id", j.ID)}, OrderBy: "started_at"})
		if err != nil {
			return nil, err
		}
		defaultItem := ""
		if p != nil {
			defaultItem, _ = onlyLaborItem(t, p)
		}
		var a pricing.Actuals
		for _, e := range entries {
			if e.Running() {
				continue
			}
			a.Labor = append(a.Labor, laborEntry(e, or(e.LaborItemID, defaultItem), p))
			out.LaborHours = out.LaborHours.Add(e.Hours)
		}
		if a.Materials, err = c.materialsOf(t, j); err != nil {
			return nil, err
		}
		if out.Profitability, err = pricing.JobProfitability(out.Currency, docs, memos, a); err != nil {
			return nil, err
		}
		return out, nil
	})
}

// postedDocuments returns a job's posted invoices that are not void, by
// number, and the credit memos against them: what the job earned.
func postedDocuments(t *txn, jobID string) ([]*pricing.Invoice, []*pricing.CreditMemo, error) {
	invs, err := find(t, invoicesTable, Query{Where: []Cond{Eq("job_id", jobID)}, OrderBy: "number"})
	if err != nil {
		return nil, nil, err
	}
	var docs []*pricing.Invoice
	counted := map[string]bool{}
	for _, inv := range invs {
		if inv.Doc.Posted() && inv.Doc.VoidedAt.IsZero() {
			docs = append(docs, &inv.Doc)
			counted[inv.ID] = true
		}
	}
	ms, err := find(t, creditMemosTable, Query{Where: []Cond{Eq("job_id", jobID)}})
	if err != nil {
		return nil, nil, err
	}
	var memos []*pricing.CreditMemo
	for _, m := range ms {
		if counted[m.Doc.InvoiceID] {
			memos = append(memos, &m.Doc)
		}
	}
	return docs, memos, nil
}

// jobRevenue returns what each job earned (its invoices net of credit
// memos), for the technicians' KPIs.
func jobRevenue(t *txn, jobIDs []string) (map[string]decimal.Decimal, error) {
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return nil, err
	}
	out := make(map[string]decimal.Decimal, len(jobIDs))
	for _, id := range jobIDs {
		docs, memos, err := postedDocuments(t, id)
		if err != nil {
			return nil, err
		}
		currency := org.Currency
		if len(docs) > 0 {
			currency = docs[0].Currency
		}
		p, err := pricing.JobProfitability(currency, docs, memos, pricing.Actuals{})
		if err != nil {
			return nil, err
		}
		out[id] = p.Revenue.Amount()
	}
	return out, nil
}
