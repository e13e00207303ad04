package contractorops

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

// Invoice is a bill for a job: package pricing's document, which owns every
// figure (lines, tax, totals, payments, credits, balance due) and every
// rule (posted invoices are immutable; refunds never exceed a payment;
// status follows the money and the clock), and what the engine adds: how
// each payment was taken, and the time entries and materials it billed.
type Invoice struct {
	Meta
	Doc   pricing.Invoice `json:"document"`
	Flags PricingFlags    `json:"flags"`
	// Payments says how each payment was taken and its receipt.
	Payments []Capture `json:"payments,omitempty"`
	// TimeEntryIDs and MaterialIDs are the actuals an invoice from
	// actuals billed; they are billed again only if it is voided.
	TimeEntryIDs []string `json:"timeEntryIds,omitempty"`
	MaterialIDs  []string `json:"materialIds,omitempty"`
}

var invoicesTable = table[Invoice]{
	spec: TableSpec{
		Name:   "invoices",
		Keys:   []string{"number", "job_id", "customer_id", "estimate_id", "status", "overdue_at", "created_at"},
		Unique: [][]string{{"number"}},
	},
	keys: func(inv *Invoice) map[string]string {
		overdue := ""
		d := &inv.Doc
		if d.Posted() && d.VoidedAt.IsZero() && d.BalanceDue.IsPositive() && d.Status != pricing.InvoiceOverdue {
			// Overdue from the midnight after the due date (Terms.DueDate).
			overdue = timeKey(d.DueDate.AddDate(0, 0, 1))
		}
		return keys("number", d.Number, "job_id", d.JobID, "customer_id", d.CustomerID, "estimate_id", d.EstimateID,
			"status", string(d.Status), "overdue_at", overdue, "created_at", timeKey(inv.CreatedAt))
	},
}

// CreditMemo is a correction of a posted invoice (package pricing's
// document), numbered CM-YYYY-NNNNNN, applied to its invoice when issued.
type CreditMemo struct {
	Meta
	Doc pricing.CreditMemo `json:"document"`
}

var creditMemosTable = table[CreditMemo]{
	spec: TableSpec{Name: "credit_memos", Keys: []string{"number", "invoice_id", "job_id"}, Unique: [][]string{{"number"}}},
	keys: func(m *CreditMemo) map[string]string {
		return keys("number", m.Doc.Number, "invoice_id", m.Doc.InvoiceID, "job_id", m.Doc.JobID)
	},
}

// InvoiceHeader is what every new invoice may say.
type InvoiceHeader struct {
	// Terms default to the billing settings'.
	Terms *pricing.Terms `json:"terms,omitempty"`
	Notes string         `json:"notes,omitempty"`
	// Send issues the invoice at once (see invoice/v1/send).
	Send bool `json:"send,omitempty"`
}

// Validate checks the header.
func (h InvoiceHeader) Validate() error {
	return validation.ValidateStruct(&h, validation.Field(&h.Notes, validation.Length(0, 10000)))
}

// InvoiceFromEstimateInput bills the accepted option of an estimate; its
// deposits are applied as credits.
type InvoiceFromEstimateInput struct {
	EstimateID string `json:"estimateId"`
	InvoiceHeader
}

// Validate checks the input.
func (in InvoiceFromEstimateInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.EstimateID, validation.Required)); err != nil {
		return err
	}
	return in.InvoiceHeader.Validate()
}

// InvoiceFromActualsInput bills a job time-and-materials: its billable time
// entries at the labor items' rates, and the materials consumed on it at
// their cost marked up, each billed once.
type InvoiceFromActualsInput struct {
	JobID       string `json:"jobId"`
	PricebookID string `json:"pricebookId,omitempty"`
	// LaborItemID is the LABOR item of time entries that name none
	// (default: the pricebook's only LABOR item); TravelItemID, that of
	// travel entries (default LaborItemID).
	LaborItemID  string                   `json:"laborItemId,omitempty"`
	TravelItemID string                   `json:"travelItemId,omitempty"`
	Materials    pricing.MaterialsBilling `json:"materials,omitempty"`
	// MarkupTableID marks up aggregate materials (default: the version's).
	MarkupTableID string       `json:"markupTableId,omitempty"`
	Flags         PricingFlags `json:"flags"`
	InvoiceHeader
}

// Validate checks the input.
func (in InvoiceFromActualsInput) Validate() error {
	if err := validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.Materials, validation.In(pricing.MaterialsItemized, pricing.MaterialsAggregate)),
	); err != nil {
		return err
	}
	return in.InvoiceHeader.Validate()
}

// CreateInvoiceInput writes an invoice for a job by hand: pricebook lines,
// custom lines and discounts.
type CreateInvoiceInput struct {
	JobID           string                `json:"jobId"`
	PricebookID     string                `json:"pricebookId,omitempty"`
	Lines           []pricing.LineRequest `json:"lines,omitempty"`
	Custom          []pricing.Line        `json:"custom,omitempty"`
	Discounts       []pricing.Discount    `json:"discounts,omitempty"`
	DiscountItemIDs []string              `json:"discountItemIds,omitempty"`
	Flags           PricingFlags          `json:"flags"`
	InvoiceHeader
}

// Validate checks the input.
func (in CreateInvoiceInput) Validate() error {
	if err := validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.Lines, validation.Length(0, 1000)),
		validation.Field(&in.Custom, validation.Length(0, 1000)),
	); err != nil {
		return err
	}
	return in.InvoiceHeader.Validate()
}

// AddInvoiceLinesInput prices pricebook lines onto a DRAFT invoice (parts
// a technician adds on site).
type AddInvoiceLinesInput struct {
	InvoiceID string                `json:"invoiceId"`
	Lines     []pricing.LineRequest `json:"lines"`
}

// Validate checks the input.
func (in AddInvoiceLinesInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.InvoiceID, validation.Required),
		validation.Field(&in.Lines, validation.Required, validation.Length(1, 1000)),
	)
}

// VoidInvoiceInput cancels an invoice that holds no money.
type VoidInvoiceInput struct {
	InvoiceID string `json:"invoiceId"`
	Reason    string `json:"reason"`
}

// Validate checks the input.
func (in VoidInvoiceInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.InvoiceID, validation.Required),
		validation.Field(&in.Reason, validation.Required, validation.Length(1, 2000)),
	)
}

// CollectPaymentInput takes a payment on an issued invoice (by default its
// balance due) through a payment provider.
type CollectPaymentInput struct {
	InvoiceID string `json:"invoiceId"`
	PaymentInput
}

// Validate checks the input.
func (in CollectPaymentInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.InvoiceID, validation.Required)); err != nil {
		return err
	}
	return in.PaymentInput.Validate()
}

// PaymentResult is a payment taken: the invoice after it, the payment as
// the invoice recorded it (empty when it all went to customer credit), and
// the receipt.
type PaymentResult struct {
	Invoice Invoice          `json:"invoice"`
	Payment *pricing.Payment `json:"payment,omitempty"`
	Receipt Receipt          `json:"receipt"`
}

// RefundPaymentInput gives back part of a payment (by default all that is
// refundable) through its provider.
type RefundPaymentInput struct {
	InvoiceID string `json:"invoiceId"`
	PaymentID string `json:"paymentId"`
	Amount    string `json:"amount,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// Validate checks the input.
func (in RefundPaymentInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.InvoiceID, validation.Required),
		validation.Field(&in.PaymentID, validation.Required),
		validation.Field(&in.Amount, validation.When(in.Amount != "", validation.By(positiveDecimal))),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

// CreditMemoInput credits lines of a posted invoice.
type CreditMemoInput struct {
	InvoiceID string                  `json:"invoiceId"`
	Reason    string                  `json:"reason"`
	Lines     []pricing.CreditRequest `json:"lines"`
}

// Validate checks the input.
func (in CreditMemoInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.InvoiceID, validation.Required),
		validation.Field(&in.Reason, validation.Required, validation.Length(1, 2000)),
		validation.Field(&in.Lines, validation.Required, validation.Length(1, 1000)),
	)
}

// CreditMemoResult is a credit memo issued and the invoice it corrected.
type CreditMemoResult struct {
	Invoice    Invoice    `json:"invoice"`
	CreditMemo CreditMemo `json:"creditMemo"`
}

// ApplyCreditInput uses the customer's credit balance on an invoice (by
// default as much as both allow).
type ApplyCreditInput struct {
	InvoiceID string `json:"invoiceId"`
	Amount    string `json:"amount,omitempty"`
}

// Validate checks the input.
func (in ApplyCreditInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.InvoiceID, validation.Required),
		validation.Field(&in.Amount, validation.When(in.Amount != "", validation.By(positiveDecimal))),
	)
}

// ListInvoicesInput lists invoices, newest first.
type ListInvoicesInput struct {
	JobID      string                `json:"jobId,omitempty"`
	CustomerID string                `json:"customerId,omitempty"`
	Status     pricing.InvoiceStatus `json:"status,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListInvoicesInput) Validate() error { return in.PageRequest.Validate() }

// ListReceiptsInput lists the receipts of an invoice, an estimate or a job.
type ListReceiptsInput struct {
	InvoiceID  string `json:"invoiceId,omitempty"`
	EstimateID string `json:"estimateId,omitempty"`
	JobID      string `json:"jobId,omitempty"`
}

// Validate checks the input: exactly one document.
func (in ListReceiptsInput) Validate() error {
	n := 0
	for _, s := range []string{in.InvoiceID, in.EstimateID, in.JobID} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return validation.Errors{"invoiceId": validation.NewError("validation_one_of", "name exactly one of invoiceId, estimateId and jobId")}
	}
	return nil
}

// InvoiceIDInput names an invoice.
type InvoiceIDInput struct {
	InvoiceID string `json:"invoiceId"`
}

// Validate checks the input.
func (in InvoiceIDInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.InvoiceID, validation.Required))
}

// InvoiceService bills jobs: invoices from an accepted option, from actuals
// or written by hand; sending, payments through providers, refunds, credit
// memos, customer credit, voiding, overdue detection and receipts.
type InvoiceService struct {
	fromEstimate    proc[InvoiceFromEstimateInput, Invoice]
	fromActuals     proc[InvoiceFromActualsInput, Invoice]
	create          proc[CreateInvoiceInput, Invoice]
	addLines        proc[AddInvoiceLinesInput, Invoice]
	send, view      proc[IDInput, Invoice]
	markOverdue     proc[IDInput, Invoice]
	void            proc[VoidInvoiceInput, Invoice]
	collectPayment  proc[CollectPaymentInput, PaymentResult]
	refundPayment   proc[RefundPaymentInput, Invoice]
	issueCreditMemo proc[CreditMemoInput, CreditMemoResult]
	applyCredit     proc[ApplyCreditInput, Invoice]
	get             proc[IDInput, Invoice]
	list            proc[ListInvoicesInput, Page[Invoice]]
	listMemos       proc[InvoiceIDInput, []CreditMemo]
	listReceipts    proc[ListReceiptsInput, []Receipt]
	creditAccount   proc[CustomerIDInput, CreditAccount]
}

// CreateFromEstimate bills the accepted option of an estimate.
func (s *InvoiceService) CreateFromEstimate(ctx context.Context, scope Scope, key string, in InvoiceFromEstimateInput) (*Invoice, error) {
	return s.fromEstimate.do(ctx, scope, key, in)
}

// CreateFromActuals bills a job's time and materials.
func (s *InvoiceService) CreateFromActuals(ctx context.Context, scope Scope, key string, in InvoiceFromActualsInput) (*Invoice, error) {
	return s.fromActuals.do(ctx, scope, key, in)
}

// Create writes an invoice by hand.
func (s *InvoiceService) Create(ctx context.Context, scope Scope, key string, in CreateInvoiceInput) (*Invoice, error) {
	return s.create.do(ctx, scope, key, in)
}

// AddLines prices pricebook lines onto a draft.
func (s *InvoiceService) AddLines(ctx context.Context, scope Scope, key string, in AddInvoiceLinesInput) (*Invoice, error) {
	return s.addLines.do(ctx, scope, key, in)
}

// Send issues (posts) a draft: immutable from then on. The job is invoiced
// (and paid, if nothing is due) when its status allows.
func (s *InvoiceService) Send(ctx context.Context, scope Scope, key, id string) (*Invoice, error) {
	return s.send.do(ctx, scope, key, IDInput{ID: id})
}

// MarkViewed records that the customer opened the invoice.
func (s *InvoiceService) MarkViewed(ctx context.Context, scope Scope, key, id string) (*Invoice, error) {
	return s.view.do(ctx, scope, key, IDInput{ID: id})
}

// MarkOverdue records that an invoice is past due, with an INVOICE_OVERDUE
// event (the engine's invoice-overdue task does it on schedule).
func (s *InvoiceService) MarkOverdue(ctx context.Context, scope Scope, key, id string) (*Invoice, error) {
	return s.markOverdue.do(ctx, scope, key, IDInput{ID: id})
}

// Void cancels an invoice that holds no money.
func (s *InvoiceService) Void(ctx context.Context, scope Scope, key string, in VoidInvoiceInput) (*Invoice, error) {
	return s.void.do(ctx, scope, key, in)
}

// CollectPayment takes a payment through a payment provider, exactly once
// per idempotency key, and issues its receipt. The job is paid when
// nothing is due.
func (s *InvoiceService) CollectPayment(ctx context.Context, scope Scope, key string, in CollectPaymentInput) (*PaymentResult, error) {
	return s.collectPayment.do(ctx, scope, key, in)
}

// RefundPayment gives back part of a payment through its provider.
func (s *InvoiceService) RefundPayment(ctx context.Context, scope Scope, key string, in RefundPaymentInput) (*Invoice, error) {
	return s.refundPayment.do(ctx, scope, key, in)
}

// IssueCreditMemo credits lines of a posted invoice and applies the memo.
func (s *InvoiceService) IssueCreditMemo(ctx context.Context, scope Scope, key string, in CreditMemoInput) (*CreditMemoResult, error) {
	return s.issueCreditMemo.do(ctx, scope, key, in)
}

// ApplyCredit uses the customer's credit balance on an invoice.
func (s *InvoiceService) ApplyCredit(ctx context.Context, scope Scope, key string, in ApplyCreditInput) (*Invoice, error) {
	return s.applyCredit.do(ctx, scope, key, in)
}

// Get reads an invoice.
func (s *InvoiceService) Get(ctx context.Context, scope Scope, id string) (*Invoice, error) {
	return s.get.get(ctx, scope, IDInput{ID: id})
}

// List lists invoices, newest first.
func (s *InvoiceService) List(ctx context.Context, scope Scope, in ListInvoicesInput) (*Page[Invoice], error) {
	return s.list.get(ctx, scope, in)
}

// CreditMemos lists the credit memos of an invoice.
func (s *InvoiceService) CreditMemos(ctx context.Context, scope Scope, invoiceID string) ([]CreditMemo, error) {
	out, err := s.listMemos.get(ctx, scope, InvoiceIDInput{InvoiceID: invoiceID})
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// Receipts lists the receipts of an invoice, an estimate or a job.
func (s *InvoiceService) Receipts(ctx context.Context, scope Scope, in ListReceiptsInput) ([]Receipt, error) {
	out, err := s.listReceipts.get(ctx, scope, in)
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// CreditAccount reads a customer's credit balance.
func (s *InvoiceService) CreditAccount(ctx context.Context, scope Scope, customerID string) (*CreditAccount, error) {
	return s.creditAccount.get(ctx, scope, CustomerIDInput{CustomerID: customerID})
}

func (e *Engine) registerInvoices() {
	office := rolesReaders() // the office and finance
	field := with(office, RoleTechnician)
	finance := rolesFinance()
	readers := with(rolesReaders(), RoleTechnician, RoleAgent)
	e.Invoices = &InvoiceService{
		fromEstimate: mutation(e, "invoice/v1/createFromEstimate", "Bill the accepted option of an estimate; its deposits become credits.", field, (*call).invoiceFromEstimate),
		fromActuals:  mutation(e, "invoice/v1/createFromActuals", "Bill a job's time entries and materials consumed.", field, (*call).invoiceFromActuals),
		create:       mutation(e, "invoice/v1/create", "Write an invoice for a job: pricebook lines, custom lines, discounts.", field, (*call).createInvoice),
		addLines:     mutation(e, "invoice/v1/addLines", "Price pricebook lines onto a draft invoice.", field, (*call).addInvoiceLines),
		send: mutation(e, "invoice/v1/send", "Issue a draft invoice: immutable from then on; the job is invoiced.", field,
			func(c *call, in *IDInput) (*Invoice, error) {
				return c.mutateInvoice("send", in.ID, func(_ *txn, inv *Invoice) error { return inv.Doc.Send(c.now) },
					func(t *txn, inv *Invoice) error {
						return c.invoiceEvent(t, inv, EventInvoiceSent, inv.Doc.Totals.Total)
					},
					c.afterMoney)
			}),
		view: mutation(e, "invoice/v1/markViewed", "Record that the customer opened an invoice.", with(field, RoleAgent),
			func(c *call, in *IDInput) (*Invoice, error) {
				return c.mutateInvoice("view", in.ID, func(_ *txn, inv *Invoice) error { return inv.Doc.MarkViewed(c.now) })
			}),
		markOverdue: mutation(e, "invoice/v1/markOverdue", "Record that an invoice is past due (INVOICE_OVERDUE).", with(finance, RoleAgent),
			func(c *call, in *IDInput) (*Invoice, error) {
				return c.mutateInvoice("overdue", in.ID, func(*txn, *Invoice) error { return nil })
			}),
		void:            mutation(e, "invoice/v1/void", "Void an invoice that holds no money; its credits are released.", finance, (*call).voidInvoice),
		collectPayment:  mutation(e, "invoice/v1/collectPayment", "Take a payment on an invoice through a payment provider, once per key, with its receipt.", field, (*call).collectPayment),
		refundPayment:   mutation(e, "invoice/v1/refundPayment", "Give back part of a payment through its provider.", finance, (*call).refundPayment),
		issueCreditMemo: mutation(e, "invoice/v1/issueCreditMemo", "Credit lines of a posted invoice with a credit memo.", finance, (*call).issueCreditMemo),
		applyCredit:     mutation(e, "invoice/v1/applyCredit", "Use the customer's credit balance on an invoice.", finance, (*call).applyCredit),
		get: query(e, "invoice/v1/get", "Read an invoice.", readers,
			func(c *call, in *IDInput) (*Invoice, error) {
				return inTx(c, "get", func(t *txn) (*Invoice, error) { return c.loadInvoice(t, in.ID) })
			}),
		list:         query(e, "invoice/v1/list", "List invoices, newest first.", readers, (*call).listInvoices),
		listMemos:    query(e, "invoice/v1/listCreditMemos", "List the credit memos of an invoice.", readers, (*call).listCreditMemos),
		listReceipts: query(e, "invoice/v1/listReceipts", "List the receipts of an invoice, an estimate or a job.", readers, (*call).listReceipts),
		creditAccount: query(e, "invoice/v1/getCreditAccount", "Read a customer's credit balance.", rolesReaders(),
			func(c *call, in *CustomerIDInput) (*CreditAccount, error) {
				return inTx(c, "credit-account", func(t *txn) (*CreditAccount, error) {
					if _, err := load(t, customersTable, in.CustomerID); err != nil {
						return nil, err
					}
					org, err := load(t, organizationsTable, t.org)
					if err != nil {
						return nil, err
					}
					return loadCreditAccount(t, in.CustomerID, org.Currency)
				})
			}),
	}
}

// loadInvoice reads an invoice the scope may see (a technician sees the
// invoices of their jobs), its status brought to now.
func (c *call) loadInvoice(t *txn, id string) (*Invoice, error) {
	inv, err := c.loadStoredInvoice(t, id)
	if err != nil {
		return nil, err
	}
	inv.Doc.Refresh(c.now)
	return inv, nil
}

func (c *call) loadStoredInvoice(t *txn, id string) (*Invoice, error) {
	inv, err := load(t, invoicesTable, id)
	if err != nil {
		return nil, err
	}
	if c.technicianID() != "" {
		if _, err := c.loadJob(t, inv.Doc.JobID); err != nil {
			return nil, RowNotFound(invoicesTable.spec.Name, id)
		}
	}
	return inv, nil
}

// mutateInvoice loads an invoice the scope may change, brings its status to
// now, applies change and, if anything changed, stores it and runs then
// (which sees the invoice stored: the job's facts count it). An invoice
// found overdue on the way is recorded with its INVOICE_OVERDUE event.
func (c *call) mutateInvoice(name, id string, change func(t *txn, inv *Invoice) error, then ...func(t *txn, inv *Invoice) error) (*Invoice, error) {
	return inTx(c, name, func(t *txn) (*Invoice, error) {
		inv, err := c.loadStoredInvoice(t, id)
		if err != nil {
			return nil, err
		}
		if err := c.changeInvoice(t, inv, change, then...); err != nil {
			return nil, err
		}
		return inv, nil
	})
}

// changeInvoice is mutateInvoice on an invoice already loaded.
func (c *call) changeInvoice(t *txn, inv *Invoice, change func(t *txn, inv *Invoice) error, then ...func(t *txn, inv *Invoice) error) error {
	before := mustJSON(inv)
	wasOverdue := inv.Doc.Status == pricing.InvoiceOverdue
	inv.Doc.Refresh(c.now)
	if err := change(t, inv); err != nil {
		return err
	}
	if bytes.Equal(before, mustJSON(inv)) {
		return nil
	}
	if err := saveInvoice(t, inv); err != nil {
		return err
	}
	if !wasOverdue && inv.Doc.Status == pricing.InvoiceOverdue {
		if err := c.invoiceEvent(t, inv, EventInvoiceOverdue, inv.Doc.BalanceDue); err != nil {
			return err
		}
	}
	for _, fn := range then {
		if err := fn(t, inv); err != nil {
			return err
		}
	}
	return nil
}

func saveInvoice(t *txn, inv *Invoice) error {
	if inv.Version == 0 {
		return insert(t, invoicesTable, inv)
	}
	return update(t, invoicesTable, inv)
}

func (c *call) invoiceEvent(t *txn, inv *Invoice, typ jobfsm.EventType, amount pricing.Money) error {
	return c.emitDocument(t, inv.Doc.JobID, typ, DocumentEvent{Kind: DocumentInvoice, ID: inv.ID, Number: inv.Doc.Number,
		Status: string(inv.Doc.Status), Amount: amount})
}

// afterMoney follows a change of an invoice's money: INVOICE_PAID when
// nothing is due any more, and the job invoiced and paid as its status and
// guards allow.
func (c *call) afterMoney(t *txn, inv *Invoice) error {
	if inv.Doc.Status == pricing.InvoicePaid && inv.Doc.PaidAt.Equal(c.now) {
		if err := c.invoiceEvent(t, inv, EventInvoicePaid, inv.Doc.Totals.Total); err != nil {
			return err
		}
	}
	return c.advanceJob(t, inv.Doc.JobID, "invoice "+inv.Doc.Number, moveOnMoney)
}

// newInvoiceHeader returns the header of a new invoice for a job: numbered,
// taxed and rounded as the job's estimates are, with the terms asked for or
// the settings'.
func (c *call) newInvoiceHeader(t *txn, j *Job, b *billing, h InvoiceHeader, currency string) (pricing.Invoice, error) {
	number, err := c.nextNumber(t, "INV", documentDigits)
	if err != nil {
		return pricing.Invoice{}, err
	}
	terms := b.settings.Terms
	if h.Terms != nil {
		terms = *h.Terms
	}
	return pricing.Invoice{ID: c.e.newID(), Number: number, JobID: j.ID, CustomerID: j.CustomerID, Currency: currency,
		Tax: b.tax, Rounding: b.settings.Rounding, Terms: terms, Notes: h.Notes}, nil
}

// storeNewInvoice stores a new invoice and, if asked, issues it.
func (c *call) storeNewInvoice(t *txn, inv *Invoice, send bool) (*Invoice, error) {
	if err := insert(t, invoicesTable, inv); err != nil {
		return nil, err
	}
	if !send {
		return inv, nil
	}
	return inv, c.changeInvoice(t, inv, func(_ *txn, inv *Invoice) error { return inv.Doc.Send(c.now) },
		func(t *txn, inv *Invoice) error {
			return c.invoiceEvent(t, inv, EventInvoiceSent, inv.Doc.Totals.Total)
		},
		c.afterMoney)
}

func (c *call) invoiceFromEstimate(in *InvoiceFromEstimateInput) (*Invoice, error) {
	return inTx(c, "create", func(t *txn) (*Invoice, error) {
		est, err := c.loadEstimate(t, in.EstimateID)
		if err != nil {
			return nil, fieldNotFound(err, "estimateId")
		}
		j, err := load(t, jobsTable, est.Doc.JobID)
		if err != nil {
			return nil, err
		}
		b, err := c.billingFor(t, j, est.Flags)
		if err != nil {
			return nil, err
		}
		h, err := c.newInvoiceHeader(t, j, b, in.InvoiceHeader, est.Doc.Currency)
		if err != nil {
			return nil, err
		}
		doc, err := pricing.InvoiceFromEstimate(&est.Doc, h, c.now)
		if err != nil {
			return nil, err
		}
		if err := update(t, estimatesTable, est); err != nil {
			return nil, err
		}
		return c.storeNewInvoice(t, &Invoice{Meta: Meta{ID: doc.ID}, Doc: *doc, Flags: est.Flags}, in.Send)
	})
}

func (c *call) invoiceFromActuals(in *InvoiceFromActualsInput) (*Invoice, error) {
	return inTx(c, "create", func(t *txn) (*Invoice, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, fieldNotFound(err, "jobId")
		}
		p, err := c.currentPricer(t, in.PricebookID)
		if err != nil {
			return nil, err
		}
		b, err := c.billingFor(t, j, in.Flags)
		if err != nil {
			return nil, err
		}
		act, err := c.unbilledActuals(t, j, p, in)
		if err != nil {
			return nil, err
		}
		if len(act.entries) == 0 && len(act.actuals.Materials) == 0 {
			return nil, fieldError(CodeIllegalTransition, "jobId", "NOTHING_TO_BILL",
				"the job has no billable time entry stopped and no material consumed that is not billed yet")
		}
		h, err := c.newInvoiceHeader(t, j, b, in.InvoiceHeader, p.Currency())
		if err != nil {
			return nil, err
		}
		doc, err := pricing.InvoiceFromActuals(p, h, act.actuals, b.ctx, c.now)
		if err != nil {
			return nil, act.locate(err)
		}
		inv := &Invoice{Meta: Meta{ID: doc.ID}, Doc: *doc, Flags: in.Flags}
		for _, e := range act.entries {
			inv.TimeEntryIDs = append(inv.TimeEntryIDs, e.ID)
		}
		for _, m := range act.actuals.Materials {
			inv.MaterialIDs = append(inv.MaterialIDs, m.ID)
		}
		if _, err := c.storeNewInvoice(t, inv, in.Send); err != nil {
			return nil, err
		}
		for _, e := range act.entries {
			e.InvoiceID = inv.ID
			if err := update(t, timeEntriesTable, e); err != nil {
				return nil, err
			}
		}
		return inv, nil
	})
}

// actualsToBill are the time entries and materials of a job not billed yet.
type actualsToBill struct {
	entries []*TimeEntry
	actuals pricing.Actuals
}

// locate names the time entry or material an error of package pricing is
// about ("timeEntries.2", "materials.0").
func (a *actualsToBill) locate(err error) error {
	for i, m := range a.actuals.Materials {
		err = fieldsMoved(err, "lines."+m.ID+".itemId", fmt.Sprintf("materials.%d.itemId", i))
	}
	return fieldsMoved(fieldsMoved(err, "labor", "timeEntries"), "materials", "materials")
}

// unbilledActuals gathers a job's billable time entries that are stopped
// and not billed, and the materials consumed on it that no invoice (not
// void) billed, with their costs.
func (c *call) unbilledActuals(t *txn, j *Job, p *pricing.Pricer, in *InvoiceFromActualsInput) (*actualsToBill, error) {
	entries, err := find(t, timeEntriesTable, Query{Where: []Cond{Eq("job_id", j.ID)}, OrderBy: "started_at"})
	if err != nil {
		return nil, err
	}
	a := &actualsToBill{actuals: pricing.Actuals{Labor: []pricing.LaborEntry{}, Materials: []pricing.MaterialUse{},
		Billing: in.Materials, MarkupTableID: in.MarkupTableID}}
	for _, e := range entries {
		if !e.Billable || e.Running() || e.InvoiceID != "" {
			continue
		}
		item := e.LaborItemID
		if item == "" && e.Type == TimeTravel {
			item = in.TravelItemID
		}
		if item == "" {
			item = in.LaborItemID
		}
		if item == "" {
			if item, err = onlyLaborItem(t, p); err != nil {
				return nil, err
			}
		}
		le := laborEntry(e, item, p)
		e.LaborItemID = item // what it is billed at
		a.entries = append(a.entries, e)
		a.actuals.Labor = append(a.actuals.Labor, le)
	}
	billed, err := billedMaterials(t, j.ID)
	if err != nil {
		return nil, err
	}
	materials, err := c.materialsOf(t, j)
	if err != nil {
		return nil, err
	}
	for _, m := range materials {
		if !billed[m.ID] {
			a.actuals.Materials = append(a.actuals.Materials, m)
		}
	}
	return a, nil
}

// laborEntry is a time entry as package pricing bills and costs it: at its
// cost rate, or else the labor item's cost.
func laborEntry(e *TimeEntry, item string, p *pricing.Pricer) pricing.LaborEntry {
	le := pricing.LaborEntry{ID: e.ID, TechnicianID: e.TechnicianID, LaborItemID: item, Hours: e.Hours, CostRate: e.CostRate, Date: e.Start}
	if !le.CostRate.IsSet() && p != nil {
		if it, ok := p.Item(item); ok && it.Cost.IsSet() {
			le.CostRate = it.Cost
		}
	}
	return le
}

// onlyLaborItem returns the LABOR item of a version that has one.
func onlyLaborItem(t *txn, p *pricing.Pricer) (string, error) {
	v, err := load(t, versionsTable, p.VersionID())
	if err != nil {
		return "", err
	}
	id := ""
	for _, it := range v.Content.Items {
		if it.Type == pricing.ItemLabor && !it.Inactive {
			if id != "" {
				return "", fieldError(CodeValidationFailed, "laborItemId", "validation_required",
					"the pricebook has several labor items: name the one time entries are billed at")
			}
			id = it.ID
		}
	}
	if id == "" {
		return "", fieldError(CodeValidationFailed, "laborItemId", "validation_required", "the pricebook has no labor item")
	}
	return id, nil
}

// billedMaterials returns the ids of the materials billed on the job's
// invoices that are not void.
func billedMaterials(t *txn, jobID string) (map[string]bool, error) {
	invs, err := find(t, invoicesTable, Query{Where: []Cond{Eq("job_id", jobID)}})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, inv := range invs {
		if inv.Doc.VoidedAt.IsZero() {
			for _, id := range inv.MaterialIDs {
				out[id] = true
			}
		}
	}
	return out, nil
}

func (c *call) createInvoice(in *CreateInvoiceInput) (*Invoice, error) {
	return inTx(c, "create", func(t *txn) (*Invoice, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, fieldNotFound(err, "jobId")
		}
		b, err := c.billingFor(t, j, in.Flags)
		if err != nil {
			return nil, err
		}
		var p *pricing.Pricer
		currency := b.currency
		if len(in.Lines) > 0 || len(in.DiscountItemIDs) > 0 {
			if p, err = c.currentPricer(t, in.PricebookID); err != nil {
				return nil, err
			}
			currency = p.Currency()
		}
		h, err := c.newInvoiceHeader(t, j, b, in.InvoiceHeader, currency)
		if err != nil {
			return nil, err
		}
		discounts := slices.Clone(in.Discounts)
		for i, id := range in.DiscountItemIDs {
			d, err := p.Discount(id)
			if err != nil {
				return nil, fieldsUnder(fmt.Sprintf("discountItemIds.%d", i), err)
			}
			discounts = append(discounts, d)
		}
		for i, l := range in.Custom {
			if !l.Custom() {
				return nil, fieldError(CodeValidationFailed, fmt.Sprintf("custom.%d.itemId", i), "validation_custom", "a custom line has no item id")
			}
		}
		doc, err := pricing.NewInvoice(h, in.Custom, discounts, c.now)
		if err != nil {
			return nil, err
		}
		if len(in.Lines) > 0 {
			if err := doc.AddLines(p, in.Lines, b.ctx); err != nil {
				return nil, err
			}
		}
		return c.storeNewInvoice(t, &Invoice{Meta: Meta{ID: doc.ID}, Doc: *doc, Flags: in.Flags}, in.Send)
	})
}

func (c *call) addInvoiceLines(in *AddInvoiceLinesInput) (*Invoice, error) {
	return c.mutateInvoice("add-lines", in.InvoiceID, func(t *txn, inv *Invoice) error {
		j, err := load(t, jobsTable, inv.Doc.JobID)
		if err != nil {
			return err
		}
		b, err := c.billingFor(t, j, inv.Flags)
		if err != nil {
			return err
		}
		var p *pricing.Pricer
		if inv.Doc.PricebookVersionID != "" {
			p, err = c.pricer(t, inv.Doc.PricebookVersionID)
		} else {
			p, err = c.currentPricer(t, "")
		}
		if err != nil {
			return err
		}
		return inv.Doc.AddLines(p, in.Lines, b.ctx)
	})
}

func (c *call) voidInvoice(in *VoidInvoiceInput) (*Invoice, error) {
	return c.mutateInvoice("void", in.InvoiceID, func(t *txn, inv *Invoice) error {
		released, err := inv.Doc.Void(in.Reason, c.now)
		if err != nil {
			return err
		}
		deposits := false
		for _, cr := range released {
			if cr.Source == pricing.CreditDeposit {
				deposits = true
				continue
			}
			if err := c.creditCustomer(t, creditAccountID(inv.Doc.CustomerID, inv.Doc.JobID), pricing.CreditEntry{
				Kind: pricing.CreditFromRelease, SourceID: inv.ID, Amount: cr.Amount, Note: "released by void " + inv.Doc.Number,
			}); err != nil {
				return err
			}
		}
		if inv.Doc.EstimateID != "" {
			est, err := load(t, estimatesTable, inv.Doc.EstimateID)
			if err != nil {
				return err
			}
			if est.Doc.InvoiceID == inv.ID {
				if err := est.Doc.InvoiceVoided(&inv.Doc); err != nil {
					return err
				}
				if err := update(t, estimatesTable, est); err != nil {
					return err
				}
			}
		} else if deposits {
			return NewError(CodeInternal, "invoice %s applied deposits without an estimate", inv.Doc.Number)
		}
		for _, id := range inv.TimeEntryIDs {
			e, err := load(t, timeEntriesTable, id)
			if err != nil {
				return err
			}
			e.InvoiceID = ""
			if err := update(t, timeEntriesTable, e); err != nil {
				return err
			}
		}
		return nil
	}, func(t *txn, inv *Invoice) error {
		return c.invoiceEvent(t, inv, EventInvoiceVoided, inv.Doc.Totals.Total)
	})
}

// paymentPlan is what a payment is taken with.
type paymentPlan struct {
	Provider string         `json:"provider"`
	Request  CaptureRequest `json:"request"`
}

func (c *call) collectPayment(in *CollectPaymentInput) (*PaymentResult, error) {
	plan, err := inTx(c, "prepare", func(t *txn) (*paymentPlan, error) {
		provider, _, err := c.provider(in.Provider)
		if err != nil {
			return nil, err
		}
		inv, err := c.loadInvoice(t, in.InvoiceID)
		if err != nil {
			return nil, err
		}
		amount, err := amountIn(in.Amount, inv.Doc.Currency, inv.Doc.BalanceDue)
		if err != nil {
			return nil, err
		}
		// Check the payment with the invoice's rules before taking money.
		check := cloneDoc(inv.Doc)
		if _, err := check.RecordPayment(pricing.Payment{ID: "check", Amount: amount, Method: in.Method}, c.now); err != nil {
			return nil, fieldsMoved(err, "payment", "")
		}
		return &paymentPlan{Provider: provider, Request: CaptureRequest{Document: inv.Doc.Number, CustomerID: inv.Doc.CustomerID,
			Amount: amount, Method: in.Method, Source: in.Source, Reference: in.Reference}}, nil
	})
	if err != nil {
		return nil, err
	}
	captured, err := c.capture(plan.Provider, plan.Request)
	if err != nil {
		return nil, err
	}
	return inTx(c, "record", func(t *txn) (*PaymentResult, error) {
		inv, err := load(t, invoicesTable, in.InvoiceID)
		if err != nil {
			return nil, err
		}
		amount := plan.Request.Amount
		id := c.e.newID()
		r := &Receipt{JobID: inv.Doc.JobID, CustomerID: inv.Doc.CustomerID, InvoiceID: inv.ID, PaymentID: id, Document: inv.Doc.Number,
			Amount: amount, Method: in.Method, Provider: plan.Provider, Reference: captured.Reference, ReceivedAt: c.now,
			AppliedTo: AppliedToInvoice, Applied: amount}
		var payment *pricing.Payment
		account := creditAccountID(inv.Doc.CustomerID, inv.Doc.JobID)
		err = c.changeInvoice(t, inv, func(t *txn, inv *Invoice) error {
			p, err := inv.Doc.RecordPayment(pricing.Payment{ID: id, Amount: amount, Method: in.Method, Reference: captured.Reference}, c.now)
			switch {
			case isDomain(err):
				// The invoice changed since the check (paid, voided): the
				// money taken is the customer's credit, never lost.
				r.AppliedTo, r.Applied = AppliedToCustomerCredit, pricing.Zero(amount.Currency())
				return c.creditCustomer(t, account, pricing.CreditEntry{Kind: pricing.CreditFromOverpayment, SourceID: id,
					Amount: amount, Note: "payment on " + inv.Doc.Number})
			case err != nil:
				return err
			}
			payment, r.Applied = p, p.Applied
			if p.Overpayment.IsPositive() {
				if err := c.creditCustomer(t, account, pricing.CreditEntry{Kind: pricing.CreditFromOverpayment, SourceID: id,
					Amount: p.Overpayment, Note: "overpayment on " + inv.Doc.Number}); err != nil {
					return err
				}
			}
			if r, err = c.issueReceipt(t, r); err != nil {
				return err
			}
			inv.Payments = append(inv.Payments, Capture{PaymentID: id, Provider: plan.Provider, Reference: captured.Reference,
				ReceiptID: r.ID, ReceiptNumber: r.Number})
			return nil
		}, func(t *txn, inv *Invoice) error {
			if payment == nil {
				return nil
			}
			return c.invoiceEvent(t, inv, EventPaymentReceived, amount)
		}, c.afterMoney)
		if err != nil {
			return nil, err
		}
		if r.Number == "" {
			if r, err = c.issueReceipt(t, r); err != nil {
				return nil, err
			}
		}
		return &PaymentResult{Invoice: *inv, Payment: payment, Receipt: *r}, nil
	})
}

func (c *call) refundPayment(in *RefundPaymentInput) (*Invoice, error) {
	plan, err := inTx(c, "prepare", func(t *txn) (*refundPlan, error) {
		inv, err := c.loadInvoice(t, in.InvoiceID)
		if err != nil {
			return nil, err
		}
		p, err := inv.Doc.Payment(in.PaymentID)
		if err != nil {
			return nil, err
		}
		amount, err := amountIn(in.Amount, inv.Doc.Currency, p.Refundable())
		if err != nil {
			return nil, err
		}
		id := c.e.newID()
		// Check the refund with the invoice's rules before giving money back.
		check := cloneDoc(inv.Doc)
		if err := check.RefundPayment(in.PaymentID, pricing.Refund{ID: id, Amount: amount, Reason: in.Reason}, c.now); err != nil {
			return nil, fieldsMoved(err, "refund", "")
		}
		capt := captureOf(inv.Payments, in.PaymentID)
		return &refundPlan{Provider: capt.Provider, RefundID: id, Request: RefundRequest{Document: inv.Doc.Number, Capture: capt.Reference,
			Amount: amount, Reason: in.Reason}}, nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := c.refund(plan.Provider, plan.Request); err != nil {
		return nil, err
	}
	r := pricing.Refund{ID: plan.RefundID, Amount: plan.Request.Amount, Reason: in.Reason}
	return c.mutateInvoice("record", in.InvoiceID, func(_ *txn, inv *Invoice) error { return inv.Doc.RefundPayment(in.PaymentID, r, c.now) },
		func(t *txn, inv *Invoice) error { return c.invoiceEvent(t, inv, EventPaymentRefunded, r.Amount) })
}

func (c *call) issueCreditMemo(in *CreditMemoInput) (*CreditMemoResult, error) {
	return inTx(c, "credit-memo", func(t *txn) (*CreditMemoResult, error) {
		inv, err := c.loadStoredInvoice(t, in.InvoiceID)
		if err != nil {
			return nil, err
		}
		prior, err := find(t, creditMemosTable, Query{Where: []Cond{Eq("invoice_id", inv.ID)}})
		if err != nil {
			return nil, err
		}
		docs := make([]*pricing.CreditMemo, len(prior))
		for i, m := range prior {
			docs[i] = &m.Doc
		}
		number, err := c.nextNumber(t, "CM", documentDigits)
		if err != nil {
			return nil, err
		}
		var memo *CreditMemo
		err = c.changeInvoice(t, inv, func(t *txn, inv *Invoice) error {
			doc, err := pricing.NewCreditMemo(pricing.CreditMemo{ID: c.e.newID(), Number: number, Reason: in.Reason}, &inv.Doc, docs, in.Lines, c.now)
			if err != nil {
				return err
			}
			toCredit, err := inv.Doc.ApplyCreditMemo(doc, c.now)
			if err != nil {
				return err
			}
			if toCredit.IsPositive() {
				if err := c.creditCustomer(t, creditAccountID(inv.Doc.CustomerID, inv.Doc.JobID), pricing.CreditEntry{
					Kind: pricing.CreditFromMemo, SourceID: doc.ID, Amount: toCredit, Note: "credit memo " + number,
				}); err != nil {
					return err
				}
			}
			memo = &CreditMemo{Meta: Meta{ID: doc.ID}, Doc: *doc}
			return insert(t, creditMemosTable, memo)
		}, func(t *txn, inv *Invoice) error {
			return c.emitDocument(t, inv.Doc.JobID, EventCreditMemoIssued, DocumentEvent{Kind: DocumentCreditMemo, ID: memo.ID,
				Number: memo.Doc.Number, Amount: memo.Doc.Totals.Total})
		}, c.afterMoney)
		if err != nil {
			return nil, err
		}
		return &CreditMemoResult{Invoice: *inv, CreditMemo: *memo}, nil
	})
}

func (c *call) applyCredit(in *ApplyCreditInput) (*Invoice, error) {
	return c.mutateInvoice("apply-credit", in.InvoiceID, func(t *txn, inv *Invoice) error {
		a, err := loadCreditAccount(t, creditAccountID(inv.Doc.CustomerID, inv.Doc.JobID), inv.Doc.Currency)
		if err != nil {
			return err
		}
		def := a.Doc.Balance
		if cmp, _ := def.Cmp(inv.Doc.BalanceDue); cmp > 0 {
			def = inv.Doc.BalanceDue
		}
		amount, err := amountIn(in.Amount, inv.Doc.Currency, def)
		if err != nil {
			return err
		}
		if err := a.Doc.Apply(c.e.newID(), &inv.Doc, amount, c.now); err != nil {
			return fieldsMoved(err, "credit", "")
		}
		return saveCreditAccount(t, a)
	}, c.afterMoney)
}

func (c *call) listInvoices(in *ListInvoicesInput) (*Page[Invoice], error) {
	return inTx(c, "list", func(t *txn) (*Page[Invoice], error) {
		q := Query{OrderBy: "created_at", Desc: true}
		if in.JobID != "" {
			if _, err := c.loadJob(t, in.JobID); err != nil {
				return nil, fieldNotFound(err, "jobId")
			}
			q.Where = append(q.Where, Eq("job_id", in.JobID))
		} else if c.technicianID() != "" {
			return nil, fieldError(CodeValidationFailed, "jobId", "validation_required", "a technician lists the invoices of one of their jobs")
		}
		if in.CustomerID != "" {
			q.Where = append(q.Where, Eq("customer_id", in.CustomerID))
		}
		if in.Status != "" {
			q.Where = append(q.Where, Eq("status", string(in.Status)))
		}
		q = in.PageRequest.apply(q)
		items, err := find(t, invoicesTable, q)
		if err != nil {
			return nil, err
		}
		for _, inv := range items {
			inv.Doc.Refresh(c.now)
		}
		return pageOf(in.PageRequest, q, items, func(inv *Invoice) string { return timeKey(inv.CreatedAt) }), nil
	})
}

func (c *call) listCreditMemos(in *InvoiceIDInput) (*[]CreditMemo, error) {
	return inTx(c, "list-memos", func(t *txn) (*[]CreditMemo, error) {
		if _, err := c.loadStoredInvoice(t, in.InvoiceID); err != nil {
			return nil, err
		}
		ms, err := find(t, creditMemosTable, Query{Where: []Cond{Eq("invoice_id", in.InvoiceID)}, OrderBy: "number"})
		return values(ms), err
	})
}

func (c *call) listReceipts(in *ListReceiptsInput) (*[]Receipt, error) {
	return inTx(c, "list-receipts", func(t *txn) (*[]Receipt, error) {
		var cond Cond
		switch {
		case in.InvoiceID != "":
			if _, err := c.loadStoredInvoice(t, in.InvoiceID); err != nil {
				return nil, err
			}
			cond = Eq("invoice_id", in.InvoiceID)
		case in.EstimateID != "":
			if _, err := c.loadStoredEstimate(t, in.EstimateID); err != nil {
				return nil, err
			}
			cond = Eq("estimate_id", in.EstimateID)
		default:
			if _, err := c.loadJob(t, in.JobID); err != nil {
				return nil, err
			}
			cond = Eq("job_id", in.JobID)
		}
		rs, err := find(t, receiptsTable, Query{Where: []Cond{cond}, OrderBy: "received_at"})
		return values(rs), err
	})
}
