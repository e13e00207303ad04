package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// ErrVerify is matched by every discrepancy [Verify] finds.
var ErrVerify = errors.New("loadgen: verify")

// maxProblems caps the discrepancies Verify reports.
const maxProblems = 20

// Verify checks that the writes of rep in the organization of c's API key
// took effect exactly once:
//
//   - every acknowledged write, sent again with its key and body, returns
//     its original response;
//   - every acknowledged job/v1/create made one job, and no job reference
//     of the run (acknowledged or not) made two; job numbers are unique;
//   - every acknowledged invoice/v1/createFromEstimate is the only invoice
//     of its job;
//   - every acknowledged payment is on its invoice exactly once, and the
//     invoice has no payments of the run beyond those acknowledged and
//     those whose outcome the run left unknown ([Report.Unresolved]); with
//     none unknown, the amount paid is the sum of the acknowledged ones.
//
// It returns nil or an error matching [ErrVerify] that lists (up to 20)
// discrepancies; a failed request is returned as it is. Run it once the
// servers are up; it sends one request per acknowledged write.
func Verify(ctx context.Context, c *client.Client, rep *Report) error {
	org, err := client.Call[contractorops.GetOrganizationInput, contractorops.Organization](ctx, c, "organization/v1/get", "", contractorops.GetOrganizationInput{})
	if err != nil {
		return fmt.Errorf("loadgen: verify: %w", err)
	}
	v := &verifier{}

	// Replays.
	var acks, unresolved []Ack
	for _, a := range rep.Acks {
		if a.OrgID == org.ID {
			acks = append(acks, a)
		}
	}
	for _, a := range rep.Unresolved {
		if a.OrgID == org.ID {
			unresolved = append(unresolved, a)
		}
	}
	for _, a := range acks {
		var again json.RawMessage
		if _, err := c.Do(ctx, a.Procedure, a.Key, a.Request, &again); err != nil {
			var e *contractorops.Error
			if !errors.As(err, &e) {
				return fmt.Errorf("loadgen: verify: replay %s: %w", a.Procedure, err)
			}
			v.problem("%s key %s: the replay failed: %v", a.Procedure, a.Key, err)
			continue
		}
		if !sameJSON(a.Response, again) {
			v.problem("%s key %s: the replay returned %.200s, the original %.200s", a.Procedure, a.Key, again, a.Response)
		}
	}

	// Jobs: one per reference.
	ackedJobs := map[string]string{} // externalRef → id
	runJobs := map[string]bool{}     // ids of the run's jobs
	for _, a := range acks {
		if a.Procedure != ProcCreateJob {
			continue
		}
		var j contractorops.Job
		if err := json.Unmarshal(a.Response, &j); err != nil {
			v.problem("job/v1/create key %s: response: %v", a.Key, err)
			continue
		}
		ackedJobs[j.ExternalRef] = j.ID
	}
	prefix := "lg:" + rep.RunID + ":"
	refs := map[string][]string{}
	numbers := map[string]string{}
	err = pages(ctx, c, ProcListJobs, func(cursor string) any {
		return contractorops.ListJobsInput{PageRequest: contractorops.PageRequest{Limit: 500, Cursor: cursor}}
	}, func(j contractorops.Job) {
		if other, ok := numbers[j.Number]; ok {
			v.problem("jobs %s and %s share the number %s", other, j.ID, j.Number)
		}
		numbers[j.Number] = j.ID
		if strings.HasPrefix(j.ExternalRef, prefix) {
			refs[j.ExternalRef] = append(refs[j.ExternalRef], j.ID)
			runJobs[j.ID] = true
		}
	})
	if err != nil {
		return err
	}
	for ref, ids := range refs {
		if len(ids) > 1 {
			v.problem("job reference %s made %d jobs: %v", ref, len(ids), ids)
		}
	}
	for ref, id := range ackedJobs {
		if ids := refs[ref]; len(ids) != 1 || ids[0] != id {
			v.problem("acknowledged job %s (%s): the organization has %v", id, ref, ids)
		}
	}

	// Invoices: one per acknowledged invoicing; payments as acknowledged.
	type paid struct {
		ids        map[string]int
		sum        decimal.Decimal
		unresolved int
	}
	ackedInvoices := map[string]string{} // job id → invoice id
	payments := map[string]*paid{}       // invoice id →
	payment := func(inv string) *paid {
		if payments[inv] == nil {
			payments[inv] = &paid{ids: map[string]int{}}
		}
		return payments[inv]
	}
	for _, a := range acks {
		switch a.Procedure {
		case ProcInvoice:
			var inv contractorops.Invoice
			if err := json.Unmarshal(a.Response, &inv); err != nil {
				v.problem("%s key %s: response: %v", a.Procedure, a.Key, err)
				continue
			}
			ackedInvoices[inv.Doc.JobID] = inv.ID
		case ProcPayment:
			var res contractorops.PaymentResult
			if err := json.Unmarshal(a.Response, &res); err != nil || res.Payment == nil {
				v.problem("%s key %s: response without a payment (%v)", a.Procedure, a.Key, err)
				continue
			}
			p := payment(res.Invoice.ID)
			p.ids[res.Payment.ID]++
			amount, err := decimal.NewFromString(res.Payment.Amount.Number())
			if err != nil {
				v.problem("%s key %s: amount %q", a.Procedure, a.Key, res.Payment.Amount.Number())
				continue
			}
			p.sum = p.sum.Add(amount)
		}
	}
	for _, a := range unresolved {
		if a.Procedure == ProcPayment {
			var in contractorops.CollectPaymentInput
			if json.Unmarshal(a.Request, &in) == nil {
				payment(in.InvoiceID).unresolved++
			}
		}
	}
	byJob := map[string][]string{}
	err = pages(ctx, c, "invoice/v1/list", func(cursor string) any {
		return contractorops.ListInvoicesInput{PageRequest: contractorops.PageRequest{Limit: 500, Cursor: cursor}}
	}, func(inv contractorops.Invoice) {
		if !runJobs[inv.Doc.JobID] {
			return
		}
		byJob[inv.Doc.JobID] = append(byJob[inv.Doc.JobID], inv.ID)
		p := payments[inv.ID]
		if p == nil {
			p = &paid{ids: map[string]int{}}
		}
		seen := map[string]int{}
		for _, pay := range inv.Doc.Payments {
			seen[pay.ID]++
		}
		for id, n := range p.ids {
			if n != 1 || seen[id] != 1 {
				v.problem("invoice %s: payment %s acknowledged %d times, on the invoice %d times", inv.ID, id, n, seen[id])
			}
		}
		if extra := len(inv.Doc.Payments) - len(p.ids); extra < 0 || extra > p.unresolved {
			v.problem("invoice %s has %d payments; %d acknowledged, %d unknown", inv.ID, len(inv.Doc.Payments), len(p.ids), p.unresolved)
		}
		if p.unresolved == 0 && len(p.ids) > 0 {
			got, err := decimal.NewFromString(inv.Doc.AmountPaid.Number())
			if err != nil || !got.Equal(p.sum) {
				v.problem("invoice %s: paid %s, acknowledged %s", inv.ID, inv.Doc.AmountPaid.Number(), p.sum)
			}
		}
	})
	if err != nil {
		return err
	}
	for job, ids := range byJob {
		if len(ids) > 1 {
			v.problem("job %s has %d invoices: %v", job, len(ids), ids)
		}
	}
	for job, id := range ackedInvoices {
		if ids := byJob[job]; len(ids) != 1 || ids[0] != id {
			v.problem("acknowledged invoice %s of job %s: the job has %v", id, job, ids)
		}
	}
	for inv, p := range payments {
		if len(p.ids) > 0 && !containsInvoice(byJob, inv) {
			v.problem("invoice %s of acknowledged payments is not listed", inv)
		}
	}
	return v.err()
}

func containsInvoice(byJob map[string][]string, inv string) bool {
	for _, ids := range byJob {
		for _, id := range ids {
			if id == inv {
				return true
			}
		}
	}
	return false
}

// pages calls a list procedure page after page, passing each item to f.
func pages[T any](ctx context.Context, c *client.Client, proc string, in func(cursor string) any, f func(T)) error {
	cursor := ""
	for {
		page, err := client.Call[any, contractorops.Page[T]](ctx, c, proc, "", in(cursor))
		if err != nil {
			return fmt.Errorf("loadgen: verify: %s: %w", proc, err)
		}
		for _, it := range page.Items {
			f(it)
		}
		if page.NextCursor == "" {
			return nil
		}
		cursor = page.NextCursor
	}
}

// verifier collects discrepancies.
type verifier struct {
	problems []string
	more     int
}

func (v *verifier) problem(format string, args ...any) {
	if len(v.problems) == maxProblems {
		v.more++
		return
	}
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *verifier) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	msg := strings.Join(v.problems, "\n\t")
	if v.more > 0 {
		msg += fmt.Sprintf("\n\t… and %d more", v.more)
	}
	return fmt.Errorf("%w: %d discrepancies:\n\t%s", ErrVerify, len(v.problems)+v.more, msg)
}

// Resolve settles the writes of rep in the organization of c's API key
// whose outcome the run left unknown (rep.Unresolved): it sends each again
// with its key and body until the server answers (retrying, every 100 ms,
// the answers that are retryable, such as a command still running while a
// restarted server recovers it) or ctx ends. A write answered with success
// moves to rep.Acks, so that [Verify] checks it; one refused for good had
// no effect and is dropped. It returns an error if writes remain
// unresolved when ctx ends.
func Resolve(ctx context.Context, c *client.Client, rep *Report) error {
	org, err := client.Call[contractorops.GetOrganizationInput, contractorops.Organization](ctx, c, "organization/v1/get", "", contractorops.GetOrganizationInput{})
	if err != nil {
		return fmt.Errorf("loadgen: resolve: %w", err)
	}
	var left []Ack
	mine := 0
	for _, a := range rep.Unresolved {
		if a.OrgID != org.ID {
			left = append(left, a)
			continue
		}
		for {
			var data json.RawMessage
			_, err := c.Do(ctx, a.Procedure, a.Key, a.Request, &data)
			var e *contractorops.Error
			if err == nil {
				a.Response = data
				rep.Acks = append(rep.Acks, a)
				break
			}
			if errors.As(err, &e) && !e.Retryable && e.Code != contractorops.CodeRateLimited {
				break // refused: no effect
			}
			t := time.NewTimer(100 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
				continue
			}
			left = append(left, a)
			mine++
			break
		}
	}
	rep.Unresolved = left
	if mine > 0 {
		return fmt.Errorf("loadgen: resolve: %d writes still unresolved: %w", mine, ctx.Err())
	}
	return nil
}
