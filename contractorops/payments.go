package contractorops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/pricing"
)

// PaymentProvider takes payments and gives them back: a card gateway, an
// ACH processor, or the office's cash drawer ([ManualProvider]). The engine
// calls it from a recorded step of the command's workflow, with an
// idempotency key derived from the workflow: every attempt of one command —
// a client's retry with the same idempotency key, a durable replay, a
// workflow recovered after a crash — sends the same key, so a provider that
// honours keys (as card gateways do) never captures twice for one command.
//
// A refusal (a declined card) is a [*PaymentDeclinedError]: the command
// fails with ILLEGAL_TRANSITION (rule PAYMENT_DECLINED) and retrying it
// changes nothing. Any other error means the outcome is unknown (a
// timeout): the durable runner retries the step, and the caller may retry
// the command with the same idempotency key, which reaches the same capture.
type PaymentProvider interface {
	Capture(ctx context.Context, req CaptureRequest) (CaptureResult, error)
	Refund(ctx context.Context, req RefundRequest) (RefundResult, error)
}

// CaptureRequest asks a provider to take a payment.
type CaptureRequest struct {
	// IdempotencyKey is the same for every attempt of one command.
	IdempotencyKey string `json:"idempotencyKey"`
	OrganizationID string `json:"organizationId"`
	// Document is the number of the invoice or estimate paid.
	Document   string                `json:"document"`
	CustomerID string                `json:"customerId,omitempty"`
	Amount     pricing.Money         `json:"amount"`
	Method     pricing.PaymentMethod `json:"method"`
	// Source is what to charge: a card or bank token from the provider's
	// front end; empty for cash and checks.
	Source string `json:"source,omitempty"`
	// Reference is what the payer gave: a check number.
	Reference string `json:"reference,omitempty"`
}

// CaptureResult is a payment taken.
type CaptureResult struct {
	// Reference is the provider's identifier of the capture (a charge id),
	// or the payer's reference (a check number).
	Reference string `json:"reference,omitempty"`
}

// RefundRequest asks a provider to give back part of a capture.
type RefundRequest struct {
	IdempotencyKey string        `json:"idempotencyKey"`
	OrganizationID string        `json:"organizationId"`
	Document       string        `json:"document"`
	Capture        string        `json:"capture"` // the capture's reference
	Amount         pricing.Money `json:"amount"`
	Reason         string        `json:"reason,omitempty"`
}

// RefundResult is a refund made.
type RefundResult struct {
	Reference string `json:"reference,omitempty"`
}

// PaymentDeclinedError is a provider's refusal to take a payment.
type PaymentDeclinedError struct {
	Provider string
	Reason   string
}

func (e *PaymentDeclinedError) Error() string {
	return fmt.Sprintf("contractorops: payment declined by %s: %s", e.Provider, e.Reason)
}

// ManualProviderName is the name of the provider of payments taken outside
// the engine: cash, checks, a card terminal of the office's own.
const ManualProviderName = "manual"

// ManualProvider records payments taken outside the engine (cash, checks, a
// terminal of the office's own): capturing and refunding only record the
// payer's reference.
type ManualProvider struct{}

// Capture implements [PaymentProvider].
func (ManualProvider) Capture(_ context.Context, req CaptureRequest) (CaptureResult, error) {
	return CaptureResult{Reference: req.Reference}, nil
}

// Refund implements [PaymentProvider].
func (ManualProvider) Refund(context.Context, RefundRequest) (RefundResult, error) {
	return RefundResult{}, nil
}

// The sources a [TestProvider] understands; any other source captures.
const (
	// TestSourceDecline is declined.
	TestSourceDecline = "test_decline"
	// TestSourceTimeout times out without capturing, every time.
	TestSourceTimeout = "test_timeout"
	// TestSourceLate captures but times out before answering (the answer
	// is lost); the next attempt with the same key gets the capture.
	TestSourceLate = "test_late"
)

// ErrProviderTimeout is the [TestProvider]'s timeout.
var ErrProviderTimeout = fmt.Errorf("contractorops: the payment provider timed out: %w", context.DeadlineExceeded)

// TestProvider is a deterministic [PaymentProvider] for tests and
// simulations, told what to do by the payment's source ([TestSourceDecline],
// [TestSourceTimeout], [TestSourceLate]). Like a card gateway it honours
// idempotency keys: a key captures at most once, and later attempts with
// it return the first capture. It counts calls and captures, and is safe
// for concurrent use.
type TestProvider struct {
	mu       sync.Mutex
	captures map[string]CaptureResult
	refunds  map[string]RefundResult
	calls    int
	captured pricing.Money
}

// NewTestProvider returns a test provider that has captured nothing.
func NewTestProvider() *TestProvider {
	return &TestProvider{captures: map[string]CaptureResult{}, refunds: map[string]RefundResult{}}
}

// Capture implements [PaymentProvider].
func (p *TestProvider) Capture(ctx context.Context, req CaptureRequest) (CaptureResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if r, ok := p.captures[req.IdempotencyKey]; ok {
		return r, nil
	}
	switch req.Source {
	case TestSourceDecline:
		return CaptureResult{}, &PaymentDeclinedError{Provider: "test", Reason: "card declined"}
	case TestSourceTimeout:
		return CaptureResult{}, ErrProviderTimeout
	}
	r := CaptureResult{Reference: "ch_" + shortHash(req.IdempotencyKey)}
	p.captures[req.IdempotencyKey] = r
	if p.captured.IsSet() {
		p.captured, _ = p.captured.Add(req.Amount)
	} else {
		p.captured = req.Amount
	}
	if req.Source == TestSourceLate {
		return CaptureResult{}, ErrProviderTimeout
	}
	return r, nil
}

// Refund implements [PaymentProvider].
func (p *TestProvider) Refund(_ context.Context, req RefundRequest) (RefundResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if r, ok := p.refunds[req.IdempotencyKey]; ok {
		return r, nil
	}
	r := RefundResult{Reference: "re_" + shortHash(req.IdempotencyKey)}
	p.refunds[req.IdempotencyKey] = r
	return r, nil
}

// Calls returns how many times the provider was called.
func (p *TestProvider) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// Captures returns how many captures the provider made (one per key).
func (p *TestProvider) Captures() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.captures)
}

// Captured returns the sum of the captures (the zero Money before any).
func (p *TestProvider) Captured() pricing.Money {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.captured
}

// Refunds returns how many refunds the provider made.
func (p *TestProvider) Refunds() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.refunds)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// PaymentInput is how a payment is taken: the amount (a decimal string in
// the document's currency; by default what is due), the method, and the
// provider that takes it ("manual" by default).
type PaymentInput struct {
	Amount    string                `json:"amount,omitempty"`
	Method    pricing.PaymentMethod `json:"method"`
	Provider  string                `json:"provider,omitempty"`
	Source    string                `json:"source,omitempty"`
	Reference string                `json:"reference,omitempty"`
}

// Validate checks the input.
func (in PaymentInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Amount, validation.When(in.Amount != "", validation.By(positiveDecimal))),
		validation.Field(&in.Method, validation.Required, validation.In(pricing.PayCash, pricing.PayCheck, pricing.PayCard, pricing.PayACH, pricing.PayOther)),
		validation.Field(&in.Provider, validation.Length(0, 50)),
		validation.Field(&in.Source, validation.Length(0, 500)),
		validation.Field(&in.Reference, validation.Length(0, 200)),
	)
}

// provider returns the named payment provider.
func (c *call) provider(name string) (string, PaymentProvider, error) {
	name = or(name, ManualProviderName)
	p, ok := c.e.cfg.PaymentProviders[name]
	if !ok {
		return "", nil, fieldError(CodeValidationFailed, "provider", "unknown_provider", fmt.Sprintf("no payment provider %q", name))
	}
	return name, p, nil
}

// amountIn parses a decimal amount of the input in currency; empty is def.
func amountIn(s, currency string, def pricing.Money) (pricing.Money, error) {
	if s == "" {
		return def, nil
	}
	m, err := pricing.NewMoney(s, currency)
	if err != nil {
		return pricing.Money{}, fieldsUnder("amount", err)
	}
	return m, nil
}

// capture takes a payment through its provider as a recorded step of the
// command: one capture per command, whatever happens (see
// [PaymentProvider]).
func (c *call) capture(provider string, req CaptureRequest) (CaptureResult, error) {
	_, p, err := c.provider(provider)
	if err != nil {
		return CaptureResult{}, err
	}
	req.IdempotencyKey, req.OrganizationID = c.inv.WorkflowID+"/capture", c.scope.OrganizationID
	res, err := inStep(c, "capture", func(ctx context.Context) (CaptureResult, error) {
		r, err := p.Capture(ctx, req)
		var declined *PaymentDeclinedError
		if errors.As(err, &declined) {
			return r, AsError(err) // an answer, recorded: never retried
		}
		return r, err
	})
	return res, providerError(err, "capture")
}

// refund gives back part of a capture through its provider, as a recorded
// step.
func (c *call) refund(provider string, req RefundRequest) (RefundResult, error) {
	_, p, err := c.provider(provider)
	if err != nil {
		return RefundResult{}, err
	}
	req.IdempotencyKey, req.OrganizationID = c.inv.WorkflowID+"/refund", c.scope.OrganizationID
	res, err := inStep(c, "refund", func(ctx context.Context) (RefundResult, error) { return p.Refund(ctx, req) })
	return res, providerError(err, "refund")
}

// providerError makes a provider's failure whose outcome is unknown a
// retryable CONFLICT: the same idempotency key reaches the same capture.
func providerError(err error, what string) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return WrapError(err, CodeConflict, "the payment provider did not confirm the %s; retry with the same idempotency key", what)
}

// Receipt is the record of one payment received — on an invoice, as a
// deposit on an estimate, or as customer credit — numbered RCT-YYYY-NNNNNN.
type Receipt struct {
	Meta
	Number     string                `json:"number"`
	JobID      string                `json:"jobId"`
	CustomerID string                `json:"customerId,omitempty"`
	InvoiceID  string                `json:"invoiceId,omitempty"`
	EstimateID string                `json:"estimateId,omitempty"`
	PaymentID  string                `json:"paymentId"`
	Document   string                `json:"document"` // the number of the invoice or estimate paid
	Amount     pricing.Money         `json:"amount"`
	Method     pricing.PaymentMethod `json:"method"`
	Provider   string                `json:"provider"`
	Reference  string                `json:"reference,omitempty"`
	ReceivedAt time.Time             `json:"receivedAt"`
	// AppliedTo says where the money went: INVOICE, DEPOSIT or, when the
	// document could take none of it any more, CUSTOMER_CREDIT.
	AppliedTo string `json:"appliedTo"`
	// Applied is what went to the document; the rest is customer credit.
	Applied pricing.Money `json:"applied"`
}

// Where a receipt's money went.
const (
	AppliedToInvoice        = "INVOICE"
	AppliedToDeposit        = "DEPOSIT"
	AppliedToCustomerCredit = "CUSTOMER_CREDIT"
)

var receiptsTable = table[Receipt]{
	spec: TableSpec{
		Name:   "receipts",
		Keys:   []string{"number", "job_id", "invoice_id", "estimate_id", "received_at"},
		Unique: [][]string{{"number"}},
	},
	keys: func(r *Receipt) map[string]string {
		return keys("number", r.Number, "job_id", r.JobID, "invoice_id", r.InvoiceID, "estimate_id", r.EstimateID,
			"received_at", timeKey(r.ReceivedAt))
	},
}

// Capture is how one payment or deposit of a document was taken: the
// provider, its reference, and the receipt.
type Capture struct {
	PaymentID     string `json:"paymentId"`
	Provider      string `json:"provider"`
	Reference     string `json:"reference,omitempty"`
	ReceiptID     string `json:"receiptId"`
	ReceiptNumber string `json:"receiptNumber"`
}

// captureOf returns the capture of a payment.
func captureOf(cs []Capture, paymentID string) Capture {
	for _, c := range cs {
		if c.PaymentID == paymentID {
			return c
		}
	}
	return Capture{PaymentID: paymentID, Provider: ManualProviderName}
}

// issueReceipt numbers and stores the receipt of a payment.
func (c *call) issueReceipt(t *txn, r *Receipt) (*Receipt, error) {
	n, err := c.nextNumber(t, "RCT", documentDigits)
	if err != nil {
		return nil, err
	}
	r.ID, r.Number = c.e.newID(), n
	return r, insert(t, receiptsTable, r)
}

// CreditAccount is a customer's credit balance: overpayments, credit memos
// beyond what their invoice owed, credit released by voided invoices, used
// on later invoices. Its id is the customer's (or "job-<id>" for a job
// without a customer).
type CreditAccount struct {
	Meta
	Doc pricing.CreditAccount `json:"document"`
}

var creditAccountsTable = table[CreditAccount]{
	spec: TableSpec{Name: "credit_accounts"},
	keys: func(*CreditAccount) map[string]string { return nil },
}

// creditAccountID is the id of the credit account of a document's customer.
func creditAccountID(customerID, jobID string) string {
	if customerID != "" {
		return customerID
	}
	return "job-" + jobID
}

// loadCreditAccount reads a credit account, empty if it has none yet.
func loadCreditAccount(t *txn, id, currency string) (*CreditAccount, error) {
	a, err := load(t, creditAccountsTable, id)
	if errors.Is(err, ErrNotFound) {
		doc, err := pricing.NewCreditAccount(id, currency)
		if err != nil {
			return nil, err
		}
		return &CreditAccount{Meta: Meta{ID: id}, Doc: *doc}, nil
	}
	return a, err
}

func saveCreditAccount(t *txn, a *CreditAccount) error {
	if a.Version == 0 {
		return insert(t, creditAccountsTable, a)
	}
	return update(t, creditAccountsTable, a)
}

// creditCustomer adds an entry to the customer's credit balance.
func (c *call) creditCustomer(t *txn, accountID string, e pricing.CreditEntry) error {
	a, err := loadCreditAccount(t, accountID, e.Amount.Currency())
	if err != nil {
		return err
	}
	e.ID = c.e.newID()
	if err := a.Doc.Add(e, c.now); err != nil {
		return err
	}
	return saveCreditAccount(t, a)
}

// isDomain reports whether err is a business rule's refusal rather than a
// fault.
func isDomain(err error) bool {
	return err != nil && AsError(err).Type != TypeInternal
}
