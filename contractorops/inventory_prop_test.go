package contractorops_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/inventory"
)

// TestInventoryLedgerProperty runs random sequences of stock commands —
// receipts, adjustments, transfers shipped and received in parts or
// cancelled, reservations, consumptions and returns, counts — and checks
// after each sequence that every stored balance snapshot is the replay of
// the stored ledger (inventory/v1/verifyLedger), and that no command failed
// for a reason of the engine's own (INTERNAL_ERROR).
//
// Each check runs a whole engine; 20 checks keep the package's suite fast
// (-rapid.checks on the command line asks for more).
func TestInventoryLedgerProperty(t *testing.T) {
	defer rapidChecks(20)()
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t, memstore.New(), nil)
		s := newStock(t, f)
		// Bob's truck lets stock go negative.
		must(f.eng.Inventory.UpdateLocation(context.Background(), s.inv, "neg", contractorops.UpdateStockLocationInput{ID: s.truck2,
			StockLocationInput: contractorops.StockLocationInput{Code: "TRUCK-2", Name: "Bob's van", Type: inventory.Truck, TechnicianID: s.bob,
				ReplenishFromID: s.wh, AllowNegative: true}}))(t)
		r := &stockRun{s: s, rt: rt}
		r.job = s.job(t, contractorops.PartRequirement{SKU: "CAP-45-5", Quantity: "2"})
		steps := []func(){r.receive, r.adjust, r.transfer, r.reserve, r.consume, r.returnParts, r.count}
		for range rapid.IntRange(1, 12).Draw(rt, "steps") {
			steps[rapid.IntRange(0, len(steps)-1).Draw(rt, "step")]()
		}
		check := must(f.eng.Inventory.VerifyLedger(context.Background(), s.owner, contractorops.VerifyLedgerInput{}))(t)
		if len(check.Mismatches) > 0 {
			rt.Fatalf("after %d movements: %v", check.Movements, check.Mismatches)
		}
	})
}

// rapidChecks sets rapid's number of checks to n unless the command line
// set it, and returns the function that restores it.
func rapidChecks(n int) func() {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	f := flag.Lookup("rapid.checks")
	if set || f == nil {
		return func() {}
	}
	old := f.Value.String()
	_ = f.Value.Set(fmt.Sprint(n))
	return func() { _ = f.Value.Set(old) }
}

type stockRun struct {
	s   *stock
	rt  *rapid.T
	job *contractorops.Job
}

func (r *stockRun) item() *contractorops.StockItem {
	return rapid.SampledFrom([]*contractorops.StockItem{r.s.cap, r.s.r410a}).Draw(r.rt, "item")
}

func (r *stockRun) location() string {
	return rapid.SampledFrom([]string{r.s.wh, r.s.truck1, r.s.truck2}).Draw(r.rt, "location")
}

// qty draws a quantity from 0.25 to 12 in quarters.
func (r *stockRun) qty(label string) decimal.Decimal {
	return decimal.New(int64(rapid.IntRange(1, 48).Draw(r.rt, label)), 0).DivRound(decimal.New(4, 0), 2)
}

// ok fails the run on an engine fault; a refusal by a rule is fine.
func (r *stockRun) ok(what string, err error) bool {
	var e *contractorops.Error
	if err != nil && (!errors.As(err, &e) || e.Type == contractorops.TypeInternal) {
		r.rt.Fatalf("%s: %v", what, err)
	}
	return err == nil
}

func (r *stockRun) key() string { return r.s.key("prop") }

func (r *stockRun) receive() {
	cost := decimal.New(int64(rapid.IntRange(800, 1300).Draw(r.rt, "cents")), -2)
	_, err := r.s.eng.Inventory.Receive(context.Background(), r.s.inv, r.key(), contractorops.ReceiveStockInput{StockMoveInput: contractorops.StockMoveInput{
		LocationID: r.location(), Lines: []contractorops.StockLine{{ItemID: r.item().ID, Quantity: r.qty("qty"), UnitCost: &cost}}}})
	r.ok("receive", err)
}

func (r *stockRun) adjust() {
	q, reason := r.qty("qty"), inventory.Found
	if rapid.Bool().Draw(r.rt, "out") {
		q, reason = q.Neg(), inventory.Damaged
	}
	_, err := r.s.eng.Inventory.Adjust(context.Background(), r.s.inv, r.key(), contractorops.AdjustStockInput{StockMoveInput: contractorops.StockMoveInput{
		LocationID: r.location(), Lines: []contractorops.StockLine{{ItemID: r.item().ID, Quantity: q, Reason: reason}}}})
	r.ok("adjust", err)
}

func (r *stockRun) transfer() {
	ctx := context.Background()
	inv := r.s.eng.Inventory
	to := rapid.SampledFrom([]string{r.s.truck1, r.s.truck2}).Draw(r.rt, "to")
	res, err := inv.RequestTransfer(ctx, r.s.dispatcher, r.key(), contractorops.TransferInput{FromLocationID: r.s.wh, ToLocationID: to,
		Lines: []inventory.TransferLineInput{{ItemID: r.item().ID, Quantity: r.qty("qty")}}})
	if !r.ok("request", err) {
		return
	}
	id := res.Transfer.ID
	requested := res.Transfer.Doc.Lines[0].Requested
	ship := decimal.Min(requested, r.qty("ship"))
	if _, err := inv.ShipTransfer(ctx, r.s.dispatcher, r.key(), contractorops.DocumentLinesInput{ID: id,
		Lines: []inventory.LineQuantity{{Line: 1, Quantity: ship}}}); !r.ok("ship", err) {
		return
	}
	if rapid.Bool().Draw(r.rt, "partial") {
		part := decimal.Min(ship, r.qty("part"))
		r.ok("receive part", func() error {
			_, err := inv.ReceiveTransfer(ctx, r.s.dispatcher, r.key(), contractorops.DocumentLinesInput{ID: id, Lines: []inventory.LineQuantity{{Line: 1, Quantity: part}}})
			return err
		}())
	}
	var err2 error
	if rapid.Bool().Draw(r.rt, "cancel") {
		_, err2 = inv.CancelTransfer(ctx, r.s.dispatcher, r.key(), contractorops.CancelDocumentInput{ID: id})
	} else {
		_, err2 = inv.ReceiveTransfer(ctx, r.s.dispatcher, r.key(), contractorops.DocumentLinesInput{ID: id})
	}
	r.ok("finish transfer", err2)
}

func (r *stockRun) reserve() {
	tech := rapid.SampledFrom([]string{r.s.ann, r.s.bob}).Draw(r.rt, "tech")
	in := contractorops.ReserveJobPartsInput{JobID: r.job.ID, TechnicianID: tech}
	if rapid.Bool().Draw(r.rt, "override") {
		in.Override = &contractorops.PartsOverride{Reason: "test"}
	}
	_, err := r.s.eng.Inventory.ReserveJob(context.Background(), r.s.dispatcher, r.key(), in)
	r.ok("reserve", err)
}

func (r *stockRun) consume() {
	_, err := r.s.eng.Inventory.Consume(context.Background(), r.s.dispatcher, r.key(), contractorops.MaterialsInput{JobID: r.job.ID,
		LocationID: r.location(), Lines: []contractorops.MaterialLine{{ItemID: r.item().ID, Quantity: r.qty("qty")}}})
	r.ok("consume", err)
}

func (r *stockRun) returnParts() {
	_, err := r.s.eng.Inventory.ReturnMaterials(context.Background(), r.s.dispatcher, r.key(), contractorops.MaterialsInput{JobID: r.job.ID,
		LocationID: r.location(), Lines: []contractorops.MaterialLine{{ItemID: r.item().ID, Quantity: r.qty("qty")}}})
	r.ok("return", err)
}

func (r *stockRun) count() {
	ctx := context.Background()
	inv := r.s.eng.Inventory
	it := r.item()
	cc, err := inv.StartCount(ctx, r.s.dispatcher, r.key(), contractorops.StartCountInput{LocationID: r.location(), ItemIDs: []string{it.ID}})
	if !r.ok("start count", err) {
		return
	}
	counted := decimal.New(int64(rapid.IntRange(0, 40).Draw(r.rt, "counted")), 0)
	if _, err := inv.RecordCount(ctx, r.s.dispatcher, r.key(), contractorops.RecordCountInput{ID: cc.Count.ID,
		Lines: []contractorops.CountLineInput{{ItemID: it.ID, Counted: counted}}}); !r.ok("record count", err) {
		return
	}
	_, err = inv.CompleteCount(ctx, r.s.dispatcher, r.key(), cc.Count.ID)
	r.ok("complete count", err)
}

// TestInventoryConcurrentDemand has dispatchers reserving parts for jobs on
// one truck while technicians consume from it, all at once and for more
// than it holds. The snapshot's version serializes them (a reservation
// holds the balances it decides on): exactly as many succeed as there are
// parts, nothing is promised twice, and the ledger stays numbered without
// gaps, equal to its replay.
func TestInventoryConcurrentDemand(t *testing.T) { eachStore(t, testInventoryConcurrentDemand) }

func testInventoryConcurrentDemand(t *testing.T, f *fixture) {
	ctx := context.Background()
	s := newStock(t, f)
	s.receive(t, s.truck1, s.cap, "4", "11.25")
	const n = 6 // 3 reservations, 3 consumptions of one part each
	jobs := make([]*contractorops.Job, n)
	for i := range jobs {
		var parts []contractorops.PartRequirement
		if i%2 == 0 {
			parts = append(parts, contractorops.PartRequirement{SKU: "CAP-45-5", Quantity: "1"})
		}
		jobs[i] = s.job(t, parts...)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = retried(func() error {
				if i%2 == 0 {
					_, err := f.eng.Inventory.ReserveJob(ctx, s.dispatcher, fmt.Sprint("reserve-", i), contractorops.ReserveJobPartsInput{JobID: jobs[i].ID, TechnicianID: s.ann})
					return err
				}
				_, err := f.eng.Inventory.Consume(ctx, s.owner, fmt.Sprint("use-", i), contractorops.MaterialsInput{JobID: jobs[i].ID, LocationID: s.truck1,
					Lines: []contractorops.MaterialLine{{ItemID: s.cap.ID, Quantity: dec("1")}}})
				return err
			})
		}()
	}
	wg.Wait()
	reserved, used := 0, 0
	for i, err := range errs {
		switch {
		case err == nil && i%2 == 0:
			reserved++
		case err == nil:
			used++
		case !isCode(err, contractorops.CodeInventoryShortage):
			t.Fatalf("command %d: %v", i, err)
		}
	}
	if reserved+used != 4 {
		t.Errorf("%d reservations and %d consumptions succeeded for 4 parts", reserved, used)
	}
	lv := s.level(t, s.cap, s.truck1)
	wantLevel(t, lv, fmt.Sprint(4-used), fmt.Sprint(reserved), dec("11.25").Mul(decimal.New(int64(4-used), 0)).String())
	if lv.Available.IsNegative() {
		t.Errorf("available %s: stock promised twice", lv.Available)
	}
	s.verify(t)
}

// retried runs fn until it does not fail with a retryable error (a lost
// race), at most 20 times: what a client does with the same key.
func retried(fn func() error) error {
	var err error
	for range 20 {
		var e *contractorops.Error
		if err = fn(); !errors.As(err, &e) || !e.Retryable {
			return err
		}
	}
	return err
}
