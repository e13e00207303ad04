package contractorops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/pricing"
)

// The billing benchmarks run on the embedded engine; compare each with
// BenchmarkBillingBaselineCustomerCreate, the engine's smallest mutation,
// measured in the same run.

func BenchmarkBillingBaselineCustomerCreate(b *testing.B) {
	f := newFixture(b, memstore.New(), nil)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.eng.Customers.Create(ctx, f.owner, fmt.Sprint("c", i), contractorops.CustomerInput{Name: "Ada"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEstimateGenerate generates a three-option estimate: the
// estimator's proposal, eleven lines priced with their traces, tax and
// deposits.
func BenchmarkEstimateGenerate(b *testing.B) {
	f, _ := benchBilling(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		j, err := f.eng.Jobs.Create(ctx, f.owner, fmt.Sprint("job", i), contractorops.CreateJobInput{Title: "Water heater leaking", Trade: "PLUMBING"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := f.eng.Estimates.Generate(ctx, f.owner, fmt.Sprint("g", i), contractorops.GenerateEstimateInput{
			EstimateHeader: contractorops.EstimateHeader{JobID: j.ID}, ScopeOfWork: "Replace the water heater"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCollectPayment takes a payment on a three-line invoice through
// the test provider: check, capture step, record, receipt, job facts.
func BenchmarkCollectPayment(b *testing.B) {
	f, _ := benchBilling(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		j, err := f.eng.Jobs.Create(ctx, f.owner, fmt.Sprint("job", i), contractorops.CreateJobInput{Title: "Water heater"})
		if err != nil {
			b.Fatal(err)
		}
		inv, err := f.eng.Invoices.Create(ctx, f.owner, fmt.Sprint("inv", i), contractorops.CreateInvoiceInput{JobID: j.ID,
			Lines: []pricing.LineRequest{{ItemID: "wh-tankless"}, {ItemID: "install"}, {ItemID: "tank"}}, InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := f.eng.Invoices.CollectPayment(ctx, f.owner, fmt.Sprint("p", i), contractorops.CollectPaymentInput{InvoiceID: inv.ID,
			PaymentInput: contractorops.PaymentInput{Amount: "100.00", Method: pricing.PayCard, Provider: "test"}}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchBilling(b *testing.B) (*fixture, *contractorops.Job) {
	f := newFixture(b, memstore.New(), nil)
	ctx := context.Background()
	pb, err := f.eng.Pricebooks.Create(ctx, f.owner, "pb", contractorops.CreatePricebookInput{Name: "Residential"})
	if err != nil {
		b.Fatal(err)
	}
	in := plumbingContent()
	in.PricebookID = pb.ID
	v, err := f.eng.Pricebooks.CreateVersion(ctx, f.owner, "v1", in)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.eng.Pricebooks.Publish(ctx, f.owner, "publish", v.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := f.eng.Pricebooks.Activate(ctx, f.owner, "activate", v.ID); err != nil {
		b.Fatal(err)
	}
	j, err := f.eng.Jobs.Create(ctx, f.owner, "job", contractorops.CreateJobInput{Title: "Water heater leaking", Trade: "PLUMBING"})
	if err != nil {
		b.Fatal(err)
	}
	return f, j
}
