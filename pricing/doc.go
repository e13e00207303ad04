// Package pricing computes a contractor's money exactly: amounts in ISO 4217
// currencies, pricebooks and price rules, estimates with options, tax,
// invoices, payments, refunds and credit memos, and job profitability.
//
// Contractors live on margins of a few percent and customers dispute cents,
// so every figure here is exact, explainable and reproducible: amounts are
// decimals, never floats; rounding is explicit and recorded on each
// document; every price carries the trace that explains it; every document
// figure is derived by this package and satisfies its invariants exactly.
// The package is pure — standard library and shopspring/decimal only, no
// I/O, no clock reads: the caller passes now. The engine stores the
// documents and calls this package for every figure and every rule.
//
// # Money
//
// [Money] is a decimal amount and a currency; the currency's minor unit
// comes from a table ([CurrencyDigits]: USD 2, JPY 0, BHD 3). Adding two
// currencies is an error ([ErrCurrencyMismatch]), never a silent mix.
// Amounts marshal to JSON as strings: {"amount":"12.30","currency":"USD"}.
// [Quantity] (at most 4 decimals) and [Percent] (8.25 means 8.25 %) are
// exact too and also marshal as strings. A [RoundingMode] — HALF_UP,
// HALF_EVEN, HALF_DOWN, UP, DOWN — is always named; none reads a global.
// [Money.Allocate] and [Money.Split] divide an amount by largest remainder so
// the parts always sum to it exactly:
//
//	parts, _ := pricing.MustMoney("100.00", "USD").Split(3) // 33.34, 33.33, 33.33
//
// # Pricebooks
//
// A [Pricebook] has versions ([Version]): DRAFT → PUBLISHED → ACTIVE →
// ARCHIVED. Only a draft changes ([Version.Edit]); publishing validates every
// reference and freezes it; one version is ACTIVE at a time
// ([Pricebook.Activate], [Pricebook.Roll] for versions published ahead of
// their effective date). A version holds [Item]s of every type (SERVICE,
// LABOR with progressive rates, MATERIAL, EQUIPMENT, BUNDLE, DISCOUNT, FEE),
// [Category]s, [MarkupTable]s, [Rule]s and [JobTemplate]s.
//
// A [Pricer] prices lines from a version in a [Context] — the customer's
// membership, the association (HOA), the service area, the date, the
// quantity, after-hours or emergency — and returns each [Line] with its
// [Trace]: the base price and where it came from, every rule applied, every
// rule skipped and why, the rounding. [Rule] documents the precedence. A
// reference that does not resolve is a [ReferenceError]
// (PRICEBOOK_REFERENCE) naming the line.
//
// # Documents and their figures
//
// An [Estimate] has [Option]s (good, better, best); an [Invoice] has lines;
// a [CreditMemo] credits an invoice's lines. Each records its currency, its
// [TaxProfile] (the zone's rates as they were, the customer's exemption) and
// its [Rounding] policy, and its figures obey, exactly:
//
//	Σ line Net = Subtotal
//	Subtotal − Discount + Tax = Total = Σ line Total
//	each tax line = its rounded base × rate under the recorded rule (see [TaxLine])
//	Σ allocated parts = the whole (discount spread, deposits, per-document tax)
//	payments + credits ≤ what is owed; refunds ≤ what each payment applied
//
// Document discounts ([Discount]) spread over the discountable lines by
// largest remainder and never make a line negative; a credit memo is the only
// negative document. Tax is rounded per line (the default) or per document;
// tax-inclusive prices round one component and derive the other, so the gross
// is kept to the cent ([RoundTax], Odoo's default, or [RoundNet], Zuora's).
//
// # Lifecycles
//
// The state rules are functions the engine calls with now; a step that is
// not allowed is a [TransitionError] (ILLEGAL_TRANSITION) naming the rule.
//
// Estimates: [NewEstimate], [Estimate.AddOption] (from the pricebook, a job
// template or custom lines), [Estimate.Send], [Estimate.MarkViewed],
// [Estimate.Accept] (one option; the others are declined; the deposit of the
// accepted option falls due), [Estimate.Decline], [Estimate.Revise] (a new
// linked version, prices unchanged), [Estimate.Refresh] and
// [Estimate.StatusAt] (expiry), [Estimate.RecordDeposit] and
// [Estimate.RefundDeposit].
//
// Invoices: [InvoiceFromEstimate] (deposits become applied credits),
// [InvoiceFromActuals] (time and materials: labor entries at their rates,
// materials at their actual cost), [NewInvoice]; [Invoice.Send] posts it,
// immutable from then on; [Invoice.RecordPayment] (partial, several;
// overpayment is returned for the customer's [CreditAccount]),
// [Invoice.RefundPayment] (never more than the payment applied),
// [Invoice.ApplyCredit], [Invoice.ApplyCreditMemo], [Invoice.Void];
// [Invoice.StatusAt] derives PARTIAL, PAID, OVERDUE and REFUNDED from the
// money and the clock. [NewCreditMemo] credits lines of a posted invoice.
// [JobProfitability] closes the loop: revenue against labor and material
// cost.
//
// # Bounds
//
// Document figures are exact within generous bounds: a line's amount and
// cost at most 10^13 minor units, at most 100 000 lines, quantities with at
// most 4 decimals, percentages with at most 6. Beyond them the package
// returns [ErrInvalidAmount]; it never rounds silently.
//
// # Errors
//
// Every error matches one sentinel with errors.Is: [ErrCurrencyMismatch],
// [ErrUnknownCurrency], [ErrInvalidAmount], [ErrInvalidInput],
// [ErrPricebookReference], [ErrIllegalTransition], [ErrOverRefund],
// [ErrOverCredit], [ErrNotFound]. The typed errors ([MismatchError],
// [InputError], [ReferenceError], [TransitionError], [RefundError],
// [CreditError], [NotFoundError]) carry the details.
//
// # Example
//
//	pb := &pricing.Pricebook{ID: "pb", Currency: "USD"}
//	v, _ := pb.NewVersion("v1", "")
//	_ = v.Edit(func(d *pricing.Version) error {
//		d.EffectiveFrom = jan1
//		d.Items = []pricing.Item{{ID: "tuneup", Code: "AC-TU", Name: "AC tune-up",
//			Type: pricing.ItemService, Price: pricing.MustMoney("189.00", "USD")}}
//		return nil
//	})
//	_ = pb.Publish("v1", now)
//	_ = pb.Activate("v1", now)
//	p, _ := pricing.NewPricer(v)
//	line, _ := p.PriceLine(pricing.LineRequest{ItemID: "tuneup"}, pricing.Context{At: now})
//	fmt.Println(line.UnitPrice, line.Trace) // 189.00 USD base 189.00 (PRICE); final 189.00 (HALF_UP)
package pricing
