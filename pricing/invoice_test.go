package pricing_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/pricing"
)

// issued is a posted invoice of 100.00 + 8 % tax on materials = 108.00,
// net 30, issued on jan.
func issued(t *testing.T) *pricing.Invoice {
	t.Helper()
	tax := pricing.TaxProfile{Rates: []pricing.TaxRate{rate("st", "8", pricing.TaxMaterial)}}
	inv := invoiceOf(t, "USD", tax, pricing.Rounding{}, []pricing.Line{
		line("1", "2", "25.00", pricing.TaxMaterial), line("2", "1", "50.00", pricing.TaxMaterial),
	}, nil)
	if err := inv.Edit(func(d *pricing.Invoice) error { d.Terms = pricing.Net(30); d.Notes = "thanks"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := inv.Send(jan); err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestInvoiceLifecycle(t *testing.T) {
	inv := invoiceOf(t, "USD", pricing.TaxProfile{}, pricing.Rounding{}, nil, nil)
	rule(t, inv.Send(jan), "INVOICE_SEND_REQUIRES_LINES")
	rule(t, inv.MarkViewed(jan), "INVOICE_VIEW_REQUIRES_SENT")
	_, err := inv.RecordPayment(pricing.Payment{ID: "p", Amount: usd("1")}, jan)
	rule(t, err, "INVOICE_PAYMENT_REQUIRES_ISSUED")
	if s := inv.StatusAt(jan); s != pricing.InvoiceDraft {
		t.Errorf("draft status %s", s)
	}

	inv = issued(t)
	if inv.Status != pricing.InvoiceSent || !inv.Posted() || inv.Notes != "thanks" || inv.DueDate.Format(time.DateOnly) != "2026-01-31" {
		t.Fatalf("issued: %s due %s", inv.Status, inv.DueDate)
	}
	rule(t, inv.Send(jan), "INVOICE_SEND_REQUIRES_DRAFT")
	rule(t, inv.Edit(func(*pricing.Invoice) error { return nil }), "INVOICE_POSTED_IS_IMMUTABLE")
	if err := inv.MarkViewed(jan.Add(time.Hour)); err != nil || inv.Status != pricing.InvoiceViewed {
		t.Errorf("MarkViewed: %v %s", err, inv.Status)
	}
	_ = inv.MarkViewed(jan.Add(2 * time.Hour))
	if !inv.ViewedAt.Equal(jan.Add(time.Hour)) {
		t.Error("viewing again moved ViewedAt")
	}
	// Overdue from the midnight after the due date, whatever the stored status.
	due := inv.DueDate
	if inv.StatusAt(due.Add(23*time.Hour)) != pricing.InvoiceViewed || inv.StatusAt(due.AddDate(0, 0, 1)) != pricing.InvoiceOverdue {
		t.Errorf("overdue: %s / %s", inv.StatusAt(due.Add(23*time.Hour)), inv.StatusAt(due.AddDate(0, 0, 1)))
	}
	if !inv.Refresh(due.AddDate(0, 0, 1)) || inv.Status != pricing.InvoiceOverdue || inv.Refresh(due.AddDate(0, 0, 2)) {
		t.Errorf("Refresh: %s", inv.Status)
	}
}

func TestDueDates(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	issuedAt := time.Date(2026, 3, 1, 16, 30, 0, 0, ny) // net 10 spans the DST change on March 8
	if d := pricing.Net(10).DueDate(issuedAt); d != time.Date(2026, 3, 11, 0, 0, 0, 0, ny) {
		t.Errorf("net 10 = %v", d)
	}
	if d := (pricing.Terms{}).DueDate(issuedAt); d != time.Date(2026, 3, 1, 0, 0, 0, 0, ny) {
		t.Errorf("due on receipt = %v", d)
	}
}

// A refund after a partial payment: it is bounded by what that payment
// applied, and the balance due grows back by it.
func TestRefundAfterPartialPayment(t *testing.T) {
	inv := issued(t)
	p, err := inv.RecordPayment(pricing.Payment{ID: "p1", Amount: usd("40.00"), Method: pricing.PayCard}, jan.AddDate(0, 0, 1))
	if err != nil || p.Applied.Number() != "40.00" || !p.Overpayment.IsZero() {
		t.Fatalf("payment: %+v %v", p, err)
	}
	if inv.Status != pricing.InvoicePartial || inv.AmountPaid.Number() != "40.00" || inv.BalanceDue.Number() != "68.00" {
		t.Fatalf("after a partial payment: %s paid %s due %s", inv.Status, inv.AmountPaid.Number(), inv.BalanceDue.Number())
	}
	if err := inv.RefundPayment("p1", pricing.Refund{ID: "r1", Amount: usd("15.00"), Reason: "goodwill"}, jan.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}
	if inv.AmountPaid.Number() != "25.00" || inv.BalanceDue.Number() != "83.00" || inv.AmountRefunded.Number() != "15.00" || inv.Payments[0].Refundable().Number() != "25.00" {
		t.Errorf("after the refund: paid %s due %s refunded %s", inv.AmountPaid.Number(), inv.BalanceDue.Number(), inv.AmountRefunded.Number())
	}
	err = inv.RefundPayment("p1", pricing.Refund{ID: "r2", Amount: usd("25.01")}, jan)
	var re *pricing.RefundError
	if !errors.Is(err, pricing.ErrOverRefund) || !errors.As(err, &re) || re.Refundable.Number() != "25.00" || re.PaymentID != "p1" {
		t.Errorf("over-refund: %v", err)
	}
	for name, r := range map[string]pricing.Refund{"duplicate": {ID: "r1", Amount: usd("1")}, "no id": {Amount: usd("1")}, "zero": {ID: "r3", Amount: usd("0")}} {
		if err := inv.RefundPayment("p1", r, jan); err == nil {
			t.Errorf("refund %s accepted", name)
		}
	}
	if err := inv.RefundPayment("nope", pricing.Refund{ID: "r", Amount: usd("1")}, jan); !errors.Is(err, pricing.ErrNotFound) {
		t.Errorf("unknown payment: %v", err)
	}
	// The rest refunded: nothing is paid any more.
	if err := inv.RefundPayment("p1", pricing.Refund{ID: "r2", Amount: usd("25.00")}, jan.AddDate(0, 0, 3)); err != nil {
		t.Fatal(err)
	}
	if inv.Status != pricing.InvoiceRefunded || !inv.AmountPaid.IsZero() || inv.BalanceDue.Number() != "108.00" {
		t.Errorf("fully refunded: %s paid %s due %s", inv.Status, inv.AmountPaid.Number(), inv.BalanceDue.Number())
	}
}

func TestPaymentsAndCredits(t *testing.T) {
	inv := issued(t)
	if err := inv.ApplyCredit(pricing.AppliedCredit{ID: "c1", Source: pricing.CreditCustomer, Amount: usd("8.00")}, jan); err != nil {
		t.Fatal(err)
	}
	var ce *pricing.CreditError
	if err := inv.ApplyCredit(pricing.AppliedCredit{ID: "c2", Amount: usd("100.01")}, jan); !errors.As(err, &ce) || ce.Rule != "CREDIT_EXCEEDS_BALANCE" {
		t.Errorf("credit beyond the balance: %v", err)
	}
	p, err := inv.RecordPayment(pricing.Payment{ID: "p1", Amount: usd("150.00")}, jan)
	if err != nil || p.Applied.Number() != "100.00" || p.Overpayment.Number() != "50.00" || !p.ReceivedAt.Equal(jan) {
		t.Fatalf("overpayment: %+v %v", p, err)
	}
	if inv.Status != pricing.InvoicePaid || !inv.BalanceDue.IsZero() || !inv.PaidAt.Equal(jan) {
		t.Errorf("paid: %s %s", inv.Status, inv.BalanceDue)
	}
	if _, err := inv.RecordPayment(pricing.Payment{ID: "p2", Amount: usd("1.00")}, jan); !errors.As(err, &ce) || ce.Rule != "INVOICE_NOTHING_DUE" {
		t.Errorf("payment on a paid invoice: %v", err)
	}
	if err := inv.ApplyCredit(pricing.AppliedCredit{ID: "c3", Amount: usd("0.01")}, jan); !errors.Is(err, pricing.ErrOverCredit) {
		t.Errorf("credit on a paid invoice: %v", err)
	}
	// A partial refund reopens the balance; the invoice is no longer paid.
	if err := inv.RefundPayment("p1", pricing.Refund{ID: "r", Amount: usd("10.00")}, jan.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if inv.Status != pricing.InvoicePartial || !inv.PaidAt.IsZero() || inv.BalanceDue.Number() != "10.00" {
		t.Errorf("after refund: %s %s", inv.Status, inv.BalanceDue)
	}
	for name, p := range map[string]pricing.Payment{
		"duplicate": {ID: "p1", Amount: usd("1")},
		"no id":     {Amount: usd("1")},
		"negative":  {ID: "p9", Amount: usd("-1")},
		"euros":     {ID: "p9", Amount: pricing.MustMoney("1", "EUR")},
	} {
		if _, err := inv.RecordPayment(p, jan); err == nil {
			t.Errorf("payment %s accepted", name)
		}
	}
	for name, c := range map[string]pricing.AppliedCredit{"duplicate": {ID: "c1", Amount: usd("1")}, "zero": {ID: "c9", Amount: usd("0")}} {
		if err := inv.ApplyCredit(c, jan); err == nil {
			t.Errorf("credit %s accepted", name)
		}
	}
	if got, err := inv.Payment("p1"); err != nil || got.Refunded.Number() != "10.00" {
		t.Errorf("Payment(p1) = %+v, %v", got, err)
	}
}

func TestVoid(t *testing.T) {
	inv := issued(t)
	_ = inv.ApplyCredit(pricing.AppliedCredit{ID: "c1", Source: pricing.CreditCustomer, Amount: usd("8.00")}, jan)
	_, _ = inv.RecordPayment(pricing.Payment{ID: "p1", Amount: usd("10.00")}, jan)
	_, err := inv.Void("wrong customer", jan)
	rule(t, err, "INVOICE_VOID_WITH_PAYMENTS")
	_ = inv.RefundPayment("p1", pricing.Refund{ID: "r", Amount: usd("10.00")}, jan)
	released, err := inv.Void("wrong customer", jan)
	if err != nil || len(released) != 1 || released[0].Amount.Number() != "8.00" || inv.Status != pricing.InvoiceVoid || inv.BalanceDue.Number() != "108.00" {
		t.Fatalf("Void: %v %v %s", released, err, inv.Status)
	}
	_, err = inv.Void("again", jan)
	rule(t, err, "INVOICE_IS_VOID")
	_, err = inv.RecordPayment(pricing.Payment{ID: "p2", Amount: usd("1")}, jan)
	rule(t, err, "INVOICE_IS_VOID")
	rule(t, inv.RefundPayment("p1", pricing.Refund{ID: "r2", Amount: usd("1")}, jan), "INVOICE_IS_VOID")
	rule(t, inv.ApplyCredit(pricing.AppliedCredit{ID: "c2", Amount: usd("1")}, jan), "INVOICE_IS_VOID")
	_, err = pricing.NewCreditMemo(pricing.CreditMemo{ID: "m"}, inv, nil, []pricing.CreditRequest{{LineID: "1"}}, jan)
	rule(t, err, "CREDIT_MEMO_REQUIRES_POSTED_INVOICE")
	// A draft may be voided too.
	draft := invoiceOf(t, "USD", pricing.TaxProfile{}, pricing.Rounding{}, []pricing.Line{line("1", "1", "5", pricing.TaxLabor)}, nil)
	if _, err := draft.Void("duplicate", jan); err != nil || draft.StatusAt(jan) != pricing.InvoiceVoid {
		t.Errorf("void a draft: %v", err)
	}
}

func TestInvoiceFromEstimate(t *testing.T) {
	now := jan.AddDate(0, 1, 0)
	est, p := newEstimate(t, now)
	_, err := pricing.InvoiceFromEstimate(est, pricing.Invoice{ID: "I1"}, now)
	rule(t, err, "ESTIMATE_NOT_ACCEPTED")
	_ = est.Send(now)
	_ = est.Accept("repair", now)
	_ = est.RecordDeposit(pricing.Deposit{ID: "d1", Amount: usd("100.00")}, now)
	_ = est.RecordDeposit(pricing.Deposit{ID: "d2", Amount: usd("77.41")}, now)
	inv, err := pricing.InvoiceFromEstimate(est, pricing.Invoice{ID: "I1", Terms: pricing.Net(15)}, now)
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := est.AcceptedOption()
	if !inv.Totals.Total.Equal(opt.Totals.Total) || len(inv.Lines) != len(opt.Lines) || inv.EstimateID != "E1" || inv.OptionID != "repair" ||
		inv.PricebookVersionID != "v1" || inv.CustomerID != "C1" {
		t.Errorf("invoice %+v", inv)
	}
	if len(inv.Credits) != 2 || inv.Credits[0].Source != pricing.CreditDeposit || inv.AmountCredited.Number() != "177.41" || inv.BalanceDue.Number() != "177.40" {
		t.Errorf("deposits: %+v balance %s", inv.Credits, inv.BalanceDue)
	}
	// Technicians add parts to the draft; the deposits still fit.
	if err := inv.AddLines(p, []pricing.LineRequest{{ItemID: "filter"}}, pricing.Context{At: now}); err != nil || len(inv.Lines) != len(opt.Lines)+1 {
		t.Errorf("AddLines: %v", err)
	}
	// Removing lines below the credits already applied is refused.
	var ce *pricing.CreditError
	if err := inv.Edit(func(d *pricing.Invoice) error { d.Lines = d.Lines[2:3]; return nil }); !errors.As(err, &ce) || ce.Rule != "PAYMENTS_AND_CREDITS_EXCEED_TOTAL" {
		t.Errorf("edit below the credits: %v", err)
	}
	if err := inv.Edit(func(d *pricing.Invoice) error { d.Terms = pricing.Net(0); return nil }); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("bad terms: %v", err)
	}
	if err := inv.Edit(func(d *pricing.Invoice) error { return errors.New("no") }); err == nil {
		t.Error("Edit ignored fn's error")
	}
	v2 := fixtureVersion()
	v2.ID = "v2"
	p2, _ := pricing.NewPricer(&v2)
	if err := inv.AddLines(p2, []pricing.LineRequest{{ItemID: "filter"}}, pricing.Context{At: now}); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("lines from another version: %v", err)
	}
	if err := inv.AddLines(p, []pricing.LineRequest{{ItemID: "nope"}}, pricing.Context{At: now}); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("unknown item: %v", err)
	}
	eur := invoiceOf(t, "EUR", pricing.TaxProfile{}, pricing.Rounding{}, nil, nil)
	if err := eur.AddLines(p, nil, pricing.Context{}); !errors.Is(err, pricing.ErrCurrencyMismatch) {
		t.Errorf("pricer in another currency: %v", err)
	}
}

// A credit memo of one line, then the rest piece by piece.
func TestCreditMemos(t *testing.T) {
	inv := issued(t) // line 1: 2 × 25.00 + 4.00 tax = 54.00; line 2: 50.00 + 4.00 = 54.00
	now := jan.AddDate(0, 0, 5)
	m1, err := pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM1", Number: "CM-1", Reason: "damaged"}, inv, nil,
		[]pricing.CreditRequest{{LineID: "2"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, "one line", m1.Totals, figures{"-50.00", "0.00", "-4.00", "-54.00"})
	l := m1.Lines[0]
	if l.OriginalLineID != "2" || l.Quantity.String() != "-1" || l.TaxClass != pricing.TaxMaterial || len(l.Taxes) != 1 || l.Taxes[0].Amount.Number() != "-4.00" ||
		m1.Rounding != inv.Rounding || m1.Totals.Taxes[0].Base.Number() != "-50.00" || !m1.IssuedAt.Equal(now) {
		t.Errorf("memo line %+v", l)
	}
	// Before payment, the memo reduces the balance due.
	toCredit, err := inv.ApplyCreditMemo(m1, now)
	if err != nil || !toCredit.IsZero() || inv.BalanceDue.Number() != "54.00" || m1.AppliedToInvoice.Number() != "54.00" {
		t.Fatalf("apply: %v %v %s", toCredit, err, inv.BalanceDue)
	}
	if _, err := inv.ApplyCreditMemo(m1, now); !errors.Is(err, pricing.ErrIllegalTransition) {
		t.Errorf("applied twice: %v", err)
	}
	// Line 1 piece by piece: one unit, then 10.00, then the rest.
	m2, err := pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM2"}, inv, []*pricing.CreditMemo{m1}, []pricing.CreditRequest{{LineID: "1", Quantity: qty("1")}}, now)
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, "one unit", m2.Totals, figures{"-25.00", "0.00", "-2.00", "-27.00"})
	m3, err := pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM3"}, inv, []*pricing.CreditMemo{m1, m2}, []pricing.CreditRequest{{LineID: "1", Amount: ptr(usd("10.00"))}}, now)
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, "10.00", m3.Totals, figures{"-9.26", "0.00", "-0.74", "-10.00"})
	var ce *pricing.CreditError
	_, err = pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM4"}, inv, []*pricing.CreditMemo{m1, m2, m3}, []pricing.CreditRequest{{LineID: "1", Amount: ptr(usd("17.01"))}}, now)
	if !errors.Is(err, pricing.ErrOverCredit) || !errors.As(err, &ce) || ce.Rule != "CREDIT_EXCEEDS_LINE" || ce.Available.Number() != "17.00" || ce.Line != "1" {
		t.Errorf("over-credit: %v", err)
	}
	_, err = pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM4"}, inv, []*pricing.CreditMemo{m1, m2, m3}, []pricing.CreditRequest{{LineID: "1", Quantity: qty("2")}}, now)
	if !errors.As(err, &ce) || ce.Rule != "CREDIT_EXCEEDS_LINE_QUANTITY" || ce.Detail != "2 units requested, 1 left" {
		t.Errorf("over-credit by quantity: %v", err)
	}
	m4, err := pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM4"}, inv, []*pricing.CreditMemo{m1, m2, m3}, []pricing.CreditRequest{{LineID: "1"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, "the rest", m4.Totals, figures{"-15.74", "0.00", "-1.26", "-17.00"})
	// Together: exactly the line, cent for cent.
	net, tax := m2.Totals.Subtotal, m2.Totals.Tax
	for _, m := range []*pricing.CreditMemo{m3, m4} {
		net, _ = net.Add(m.Totals.Subtotal)
		tax, _ = tax.Add(m.Totals.Tax)
	}
	if net.Number() != "-50.00" || tax.Number() != "-4.00" {
		t.Errorf("line 1 credited %s + %s", net, tax)
	}
	_, err = pricing.NewCreditMemo(pricing.CreditMemo{ID: "CM5"}, inv, []*pricing.CreditMemo{m1, m2, m3, m4}, []pricing.CreditRequest{{LineID: "1"}}, now)
	if !errors.As(err, &ce) || ce.Rule != "LINE_FULLY_CREDITED" {
		t.Errorf("crediting a credited line: %v", err)
	}
	// After payment, a memo's amount goes to the customer's credit.
	_, _ = inv.RecordPayment(pricing.Payment{ID: "p", Amount: usd("54.00")}, now)
	if toCredit, err := inv.ApplyCreditMemo(m2, now); err != nil || toCredit.Number() != "27.00" || m2.ToCustomerCredit.Number() != "27.00" || !m2.AppliedToInvoice.IsZero() {
		t.Errorf("memo after payment: %v %v", toCredit, err)
	}
	// Requests that cannot be honoured.
	for name, c := range map[string]struct {
		h     pricing.CreditMemo
		prior []*pricing.CreditMemo
		reqs  []pricing.CreditRequest
		err   error
	}{
		"no id":          {pricing.CreditMemo{}, nil, []pricing.CreditRequest{{LineID: "1"}}, pricing.ErrInvalidInput},
		"no lines":       {pricing.CreditMemo{ID: "x"}, nil, nil, pricing.ErrInvalidInput},
		"unknown line":   {pricing.CreditMemo{ID: "x"}, nil, []pricing.CreditRequest{{LineID: "9"}}, pricing.ErrNotFound},
		"negative qty":   {pricing.CreditMemo{ID: "x"}, nil, []pricing.CreditRequest{{LineID: "1", Quantity: qty("-1")}}, pricing.ErrInvalidAmount},
		"zero amount":    {pricing.CreditMemo{ID: "x"}, nil, []pricing.CreditRequest{{LineID: "1", Amount: ptr(usd("0"))}}, pricing.ErrInvalidAmount},
		"another's memo": {pricing.CreditMemo{ID: "x"}, []*pricing.CreditMemo{{ID: "y", InvoiceID: "other"}}, []pricing.CreditRequest{{LineID: "1"}}, pricing.ErrInvalidInput},
	} {
		if _, err := pricing.NewCreditMemo(c.h, inv, c.prior, c.reqs, now); !errors.Is(err, c.err) {
			t.Errorf("%s: %v, want %v", name, err, c.err)
		}
	}
	other := issued(t)
	other.ID = "other"
	if _, err := other.ApplyCreditMemo(m3, now); !errors.Is(err, pricing.ErrInvalidInput) {
		t.Errorf("memo of another invoice: %v", err)
	}
	draft := invoiceOf(t, "USD", pricing.TaxProfile{}, pricing.Rounding{}, []pricing.Line{line("1", "1", "5", pricing.TaxLabor)}, nil)
	_, err = pricing.NewCreditMemo(pricing.CreditMemo{ID: "x"}, draft, nil, []pricing.CreditRequest{{LineID: "1"}}, now)
	rule(t, err, "CREDIT_MEMO_REQUIRES_POSTED_INVOICE")
	_, _ = other.Void("", now)
	m := &pricing.CreditMemo{ID: "z", InvoiceID: "other"}
	if _, err := other.ApplyCreditMemo(m, now); !errors.Is(err, pricing.ErrIllegalTransition) {
		t.Errorf("memo on a void invoice: %v", err)
	}
}

// A credit memo keeps the original's tax treatment: inclusive prices and
// per-document rounding give back exactly what was charged.
func TestCreditMemoSameTaxTreatment(t *testing.T) {
	vat := pricing.TaxProfile{Rates: []pricing.TaxRate{rate("vat", "20", pricing.TaxMaterial)}}
	r := pricing.Rounding{PricesIncludeTax: true, TaxLevel: pricing.TaxPerDocument}
	inv := invoiceOf(t, "EUR", vat, r, []pricing.Line{
		{ID: "a", Quantity: qty("1"), UnitPrice: pricing.MustMoney("24.99", "EUR"), TaxClass: pricing.TaxMaterial},
		{ID: "b", Quantity: qty("1"), UnitPrice: pricing.MustMoney("24.99", "EUR"), TaxClass: pricing.TaxMaterial},
		{ID: "c", Quantity: qty("1"), UnitPrice: pricing.MustMoney("24.99", "EUR"), TaxClass: pricing.TaxMaterial},
	}, nil)
	_ = inv.Send(jan)
	m, err := pricing.NewCreditMemo(pricing.CreditMemo{ID: "m"}, inv, nil, []pricing.CreditRequest{{LineID: "a"}, {LineID: "b"}, {LineID: "c"}}, jan)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Totals.Total.Neg().Equal(inv.Totals.Total) || !m.Totals.Tax.Neg().Equal(inv.Totals.Tax) || m.Tax.Rates[0].ID != "vat" || !m.Rounding.PricesIncludeTax {
		t.Errorf("memo %v / %v of invoice %v / %v", m.Totals.Total, m.Totals.Tax, inv.Totals.Total, inv.Totals.Tax)
	}
}

func TestActualsAndProfitability(t *testing.T) {
	p := fixturePricer(t)
	now := jan.AddDate(0, 0, 10)
	a := pricing.Actuals{
		Labor: []pricing.LaborEntry{
			{ID: "1", LaborItemID: "labor", Hours: qty("1"), CostRate: usd("40.00")},
			{ID: "2", LaborItemID: "labor-flat", Hours: qty("2"), CostRate: usd("25.00")},
			{ID: "3", LaborItemID: "labor", Hours: qty("2"), CostRate: usd("50.00")},
			{ID: "4", LaborItemID: "labor", Hours: qty("0.5")},
		},
		Materials: []pricing.MaterialUse{
			{ID: "m1", ItemID: "cap", Quantity: qty("2"), UnitCost: usd("20.00")},
			{ID: "m2", ItemID: "filter", Quantity: qty("1"), UnitCost: usd("9.00")},
			{ID: "m3", Description: "Fitting", Quantity: qty("4"), UnitCost: usd("2.50")},
		},
	}
	lines, err := p.ActualsLines(a, pricing.Context{At: now})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range lines {
		got[l.Description] = l.Quantity.String() + " @ " + l.UnitPrice.Number() + " cost " + l.UnitCost.Number()
	}
	want := map[string]string{
		"Labor":     "3.5 @ 0.00 cost 40.00", // 2 h at 150, 1.5 h at 130; (40 + 100 + 0) / 3.5 h
		"Helper":    "2 @ 120.00 cost 25.00", // flat rate
		"Capacitor": "2 @ 35.00 cost 20.00",  // 20.00 marked up 75 % from its actual cost
		"Filter":    "1 @ 24.00 cost 9.00",   // fixed price, actual cost
		"Fitting":   "4 @ 5.00 cost 2.50",    // not in the pricebook: default table, 100 %
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
	// Aggregate materials: one line, the summed cost 59.00 marked up 75 %.
	a.Billing = pricing.MaterialsAggregate
	lines, err = p.ActualsLines(a, pricing.Context{At: now})
	if err != nil || len(lines) != 3 || lines[2].Description != "Materials" || lines[2].UnitPrice.Number() != "103.25" || lines[2].UnitCost.Number() != "59.00" {
		t.Errorf("aggregate: %+v %v", lines[len(lines)-1], err)
	}
	inv, err := pricing.InvoiceFromActuals(p, pricing.Invoice{ID: "T1"}, a, pricing.Context{At: now}, now)
	if err != nil || inv.Currency != "USD" || inv.PricebookVersionID != "v1" {
		t.Fatalf("InvoiceFromActuals: %v", err)
	}
	_ = inv.Send(now)
	// 495 + 240 + 103.25 = 838.25 revenue; a 38.25 memo; labor 40 + 50 + 100 + 0, materials 59.
	memo, _ := pricing.NewCreditMemo(pricing.CreditMemo{ID: "m"}, inv, nil, []pricing.CreditRequest{{LineID: inv.Lines[2].ID, Amount: ptr(usd("38.25"))}}, now)
	void := issued(t)
	_, _ = void.Void("", now)
	draft := invoiceOf(t, "USD", pricing.TaxProfile{}, pricing.Rounding{}, []pricing.Line{line("1", "1", "5", pricing.TaxLabor)}, nil)
	pr, err := pricing.JobProfitability("USD", []*pricing.Invoice{inv, void, draft}, []*pricing.CreditMemo{memo}, a)
	if err != nil || pr.Revenue.Number() != "800.00" || pr.LaborCost.Number() != "190.00" || pr.MaterialCost.Number() != "59.00" ||
		pr.GrossMargin.Number() != "551.00" || pr.MarginPercent.String() != "68.88" {
		t.Errorf("profitability %+v %v", pr, err)
	}
	if pr, _ := pricing.JobProfitability("USD", nil, nil, pricing.Actuals{}); !pr.MarginPercent.IsZero() || !pr.Revenue.IsZero() {
		t.Errorf("empty job %+v", pr)
	}
	if _, err := pricing.JobProfitability("USD", []*pricing.Invoice{invoiceOf(t, "EUR", pricing.TaxProfile{}, pricing.Rounding{}, []pricing.Line{{Quantity: qty("1"), UnitPrice: pricing.MustMoney("1", "EUR"), TaxClass: pricing.TaxLabor}}, nil)}, nil, pricing.Actuals{}); err != nil {
		t.Errorf("a draft in another currency is ignored: %v", err)
	}
	eurInv := invoiceOf(t, "EUR", pricing.TaxProfile{}, pricing.Rounding{}, []pricing.Line{{Quantity: qty("1"), UnitPrice: pricing.MustMoney("1", "EUR"), TaxClass: pricing.TaxLabor}}, nil)
	_ = eurInv.Send(now)
	for name, c := range map[string]struct {
		cur  string
		invs []*pricing.Invoice
		a    pricing.Actuals
	}{
		"unknown currency": {"??", nil, pricing.Actuals{}},
		"invoice in euros": {"USD", []*pricing.Invoice{eurInv}, pricing.Actuals{}},
		"labor in euros":   {"USD", nil, pricing.Actuals{Labor: []pricing.LaborEntry{{Hours: qty("1"), CostRate: pricing.MustMoney("1", "EUR")}}}},
		"parts in euros":   {"USD", nil, pricing.Actuals{Materials: []pricing.MaterialUse{{Quantity: qty("1"), UnitCost: pricing.MustMoney("1", "EUR")}}}},
	} {
		if _, err := pricing.JobProfitability(c.cur, c.invs, nil, c.a); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := pricing.JobProfitability("USD", nil, []*pricing.CreditMemo{{Currency: "EUR", Totals: pricing.Totals{Subtotal: pricing.MustMoney("-1", "EUR"), Discount: pricing.Zero("EUR")}}}, pricing.Actuals{}); err == nil {
		t.Error("memo in euros accepted")
	}
}

func TestActualsErrors(t *testing.T) {
	p := fixturePricer(t)
	ctx := pricing.Context{At: jan}
	eur := pricing.MustMoney("1", "EUR")
	tests := map[string]struct {
		a   pricing.Actuals
		err error
	}{
		"zero hours":        {pricing.Actuals{Labor: []pricing.LaborEntry{{LaborItemID: "labor"}}}, pricing.ErrInvalidAmount},
		"cost in euros":     {pricing.Actuals{Labor: []pricing.LaborEntry{{LaborItemID: "labor", Hours: qty("1"), CostRate: eur}}}, pricing.ErrCurrencyMismatch},
		"unknown labor":     {pricing.Actuals{Labor: []pricing.LaborEntry{{LaborItemID: "nope", Hours: qty("1")}}}, pricing.ErrPricebookReference},
		"labor not LABOR":   {pricing.Actuals{Labor: []pricing.LaborEntry{{LaborItemID: "tuneup", Hours: qty("1")}}}, pricing.ErrPricebookReference},
		"zero quantity":     {pricing.Actuals{Materials: []pricing.MaterialUse{{ItemID: "cap", UnitCost: usd("1")}}}, pricing.ErrInvalidAmount},
		"part in euros":     {pricing.Actuals{Materials: []pricing.MaterialUse{{ItemID: "cap", Quantity: qty("1"), UnitCost: eur}}}, pricing.ErrCurrencyMismatch},
		"negative cost":     {pricing.Actuals{Materials: []pricing.MaterialUse{{ItemID: "cap", Quantity: qty("1"), UnitCost: usd("-1")}}}, pricing.ErrInvalidAmount},
		"unknown material":  {pricing.Actuals{Materials: []pricing.MaterialUse{{ItemID: "nope", Quantity: qty("1"), UnitCost: usd("1")}}}, pricing.ErrPricebookReference},
		"material not part": {pricing.Actuals{Materials: []pricing.MaterialUse{{ItemID: "drain", Quantity: qty("1"), UnitCost: usd("1")}}}, pricing.ErrPricebookReference},
		"unknown table":     {pricing.Actuals{Billing: pricing.MaterialsAggregate, MarkupTableID: "nope", Materials: []pricing.MaterialUse{{ItemID: "cap", Quantity: qty("1"), UnitCost: usd("1")}}}, pricing.ErrPricebookReference},
	}
	for name, tt := range tests {
		if _, err := p.ActualsLines(tt.a, ctx); !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", name, err, tt.err)
		}
	}
	v := fixtureVersion()
	v.DefaultMarkupTableID = ""
	v.Items[slices.IndexFunc(v.Items, func(it pricing.Item) bool { return it.ID == "wire" })].Markup = ptr(pct("10"))
	q, err := pricing.NewPricer(&v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.ActualsLines(pricing.Actuals{Materials: []pricing.MaterialUse{{Description: "x", Quantity: qty("1"), UnitCost: usd("1")}}}, ctx); !errors.Is(err, pricing.ErrPricebookReference) {
		t.Errorf("custom part without a default table: %v", err)
	}
	if _, err := pricing.InvoiceFromActuals(p, pricing.Invoice{ID: "x"}, tests["zero hours"].a, ctx, jan); err == nil {
		t.Error("InvoiceFromActuals accepted bad actuals")
	}
}

func TestCreditAccount(t *testing.T) {
	acct, err := pricing.NewCreditAccount("C1", "USD")
	if err != nil {
		t.Fatal(err)
	}
	inv := issued(t) // 108.00
	p, _ := inv.RecordPayment(pricing.Payment{ID: "p1", Amount: usd("120.00")}, jan)
	if err := acct.Add(pricing.CreditEntry{ID: "e1", Kind: pricing.CreditFromOverpayment, SourceID: p.ID, Amount: p.Overpayment}, jan); err != nil {
		t.Fatal(err)
	}
	second := issued(t)
	second.ID = "I2"
	var ce *pricing.CreditError
	if err := acct.Apply("e2", second, usd("12.01"), jan); !errors.As(err, &ce) || ce.Rule != "CREDIT_EXCEEDS_BALANCE" {
		t.Errorf("applying more than the balance: %v", err)
	}
	if err := acct.Apply("e2", second, usd("10.00"), jan); err != nil {
		t.Fatal(err)
	}
	if acct.Balance.Number() != "2.00" || second.AmountCredited.Number() != "10.00" || second.Credits[0].Source != pricing.CreditCustomer || second.Credits[0].SourceID != "e2" {
		t.Errorf("after apply: balance %s, credited %s", acct.Balance.Number(), second.AmountCredited.Number())
	}
	// The invoice refuses: the account does not change either.
	_, _ = second.RecordPayment(pricing.Payment{ID: "p", Amount: second.BalanceDue}, jan)
	if err := acct.Apply("e3", second, usd("1.00"), jan); !errors.Is(err, pricing.ErrOverCredit) || acct.Balance.Number() != "2.00" || len(acct.Entries) != 2 {
		t.Errorf("applying to a paid invoice: %v, balance %s", err, acct.Balance)
	}
	if err := acct.Refund("e3", usd("2.01"), "", jan); !errors.As(err, &ce) || ce.Rule != "REFUND_EXCEEDS_BALANCE" {
		t.Errorf("refunding more than the balance: %v", err)
	}
	if err := acct.Refund("e3", usd("2.00"), "check mailed", jan); err != nil || !acct.Balance.IsZero() {
		t.Errorf("refund: %v %v", err, acct.Balance)
	}
	for name, e := range map[string]pricing.CreditEntry{
		"outflow kind": {ID: "x", Kind: pricing.CreditApplied, Amount: usd("1")},
		"duplicate id": {ID: "e1", Kind: pricing.CreditFromAdjustment, Amount: usd("1")},
		"negative":     {ID: "x", Kind: pricing.CreditFromAdjustment, Amount: usd("-1")},
		"euros":        {ID: "x", Kind: pricing.CreditFromMemo, Amount: pricing.MustMoney("1", "EUR")},
	} {
		if err := acct.Add(e, jan); err == nil {
			t.Errorf("entry %s accepted", name)
		}
	}
	if _, err := pricing.NewCreditAccount("C1", "XX"); !errors.Is(err, pricing.ErrUnknownCurrency) {
		t.Errorf("currency: %v", err)
	}
}

func TestDepositRefundsAndReinvoicing(t *testing.T) {
	now := jan.AddDate(0, 1, 0)
	est, _ := newEstimate(t, now)
	_ = est.Send(now)
	_ = est.Accept("repair", now)
	_ = est.RecordDeposit(pricing.Deposit{ID: "d1", Amount: usd("100.00")}, now)
	var re *pricing.RefundError
	if err := est.RefundDeposit("d1", pricing.Refund{ID: "r1", Amount: usd("100.01")}, now); !errors.As(err, &re) || re.Refundable.Number() != "100.00" {
		t.Errorf("over-refund of a deposit: %v", err)
	}
	if err := est.RefundDeposit("d1", pricing.Refund{ID: "r1", Amount: usd("40.00")}, now); err != nil || est.DepositPaid.Number() != "60.00" {
		t.Errorf("deposit refund: %v, paid %s", err, est.DepositPaid)
	}
	if err := est.RefundDeposit("nope", pricing.Refund{ID: "r2", Amount: usd("1")}, now); !errors.Is(err, pricing.ErrNotFound) {
		t.Errorf("unknown deposit: %v", err)
	}
	for name, r := range map[string]pricing.Refund{"duplicate": {ID: "r1", Amount: usd("1")}, "zero": {ID: "r2", Amount: usd("0")}} {
		if err := est.RefundDeposit("d1", r, now); err == nil {
			t.Errorf("refund %s accepted", name)
		}
	}
	inv, err := pricing.InvoiceFromEstimate(est, pricing.Invoice{ID: "I1"}, now)
	if err != nil || inv.AmountCredited.Number() != "60.00" || est.InvoiceID != "I1" {
		t.Fatalf("invoice: %v", err)
	}
	_, err = pricing.InvoiceFromEstimate(est, pricing.Invoice{ID: "I2"}, now)
	rule(t, err, "ESTIMATE_ALREADY_INVOICED")
	rule(t, est.RefundDeposit("d1", pricing.Refund{ID: "r9", Amount: usd("1")}, now), "ESTIMATE_ALREADY_INVOICED")
	rule(t, est.RecordDeposit(pricing.Deposit{ID: "d9", Amount: usd("1")}, now), "ESTIMATE_ALREADY_INVOICED")
	rule(t, est.InvoiceVoided(inv), "ESTIMATE_INVOICE_NOT_VOID")
	released, _ := inv.Void("redo", now)
	if len(released) != 1 || released[0].Source != pricing.CreditDeposit {
		t.Errorf("released %+v", released)
	}
	if err := est.InvoiceVoided(inv); err != nil {
		t.Fatal(err)
	}
	again, err := pricing.InvoiceFromEstimate(est, pricing.Invoice{ID: "I2"}, now)
	if err != nil || again.AmountCredited.Number() != "60.00" {
		t.Errorf("invoiced again: %v", err)
	}
}
