package contractorops_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/inventory"
	"github.com/hestami-ai/opsengine/jobfsm"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

// stock is an organization with a warehouse feeding two technicians'
// trucks, a supplier, and three items: capacitors (moving average),
// refrigerant by the pound (FIFO) and filters.
type stock struct {
	*fixture
	ann, bob           string // technicians
	wh, truck1, truck2 string // locations
	cap, r410a, filter *contractorops.StockItem
	supplier           string
	annScope, bobScope contractorops.Scope
	dispatcher, inv    contractorops.Scope
	keys               int
}

func newStock(t *testing.T, f *fixture) *stock {
	t.Helper()
	ctx := context.Background()
	s := &stock{fixture: f, dispatcher: f.scope(contractorops.RoleDispatcher), inv: f.scope(contractorops.RoleManager)}
	s.ann = f.technician(t, "tech-ann", "Ann", "Lee").ID
	s.bob = f.technician(t, "tech-bob", "Bob", "Ray").ID
	s.annScope, s.bobScope = f.technicianScope(s.ann), f.technicianScope(s.bob)
	loc := func(key string, in contractorops.StockLocationInput) string {
		return must(f.eng.Inventory.CreateLocation(ctx, s.inv, key, in))(t).ID
	}
	s.wh = loc("wh", contractorops.StockLocationInput{Code: "WH", Name: "Main warehouse", Type: inventory.Warehouse})
	s.truck1 = loc("t1", contractorops.StockLocationInput{Code: "TRUCK-1", Name: "Ann's van", Type: inventory.Truck, TechnicianID: s.ann, ReplenishFromID: s.wh})
	s.truck2 = loc("t2", contractorops.StockLocationInput{Code: "TRUCK-2", Name: "Bob's van", Type: inventory.Truck, TechnicianID: s.bob, ReplenishFromID: s.wh})
	item := func(key string, in contractorops.StockItemInput) *contractorops.StockItem {
		return must(f.eng.Inventory.CreateItem(ctx, s.inv, key, in))(t)
	}
	s.cap = item("cap", contractorops.StockItemInput{SKU: "CAP-45-5", Name: "Run capacitor 45/5 µF", UnitCost: dec("11.00"), PricebookItemID: "pb-capacitor"})
	s.r410a = item("r410a", contractorops.StockItemInput{SKU: "R410A", Name: "R-410A refrigerant", Unit: inventory.Pound, UnitCost: dec("9.00"), Costing: inventory.FIFO, Step: dec("0.1")})
	s.filter = item("filter", contractorops.StockItemInput{SKU: "FLT-16X25", Name: "Filter 16x25x1", UnitCost: dec("4.00")})
	s.supplier = must(f.eng.Inventory.CreateSupplier(ctx, s.inv, "sup", contractorops.SupplierInput{
		Code: "JOHNSTONE", Name: "Johnstone Supply", LeadTime: inventory.LeadTime{Days: dec("3")},
		Items: []inventory.SupplierItem{
			{ItemID: s.cap.ID, SupplierSKU: "J-CAP455", UnitCost: dec("11.50"), PackSize: dec("10")},
			{ItemID: s.filter.ID, UnitCost: dec("3.75"), PackSize: dec("12")},
		},
	}))(t).ID
	return s
}

func (s *stock) key(prefix string) string {
	s.keys++
	return fmt.Sprintf("%s-%d", prefix, s.keys)
}

// receive brings stock into a location directly.
func (s *stock) receive(t *testing.T, loc string, item *contractorops.StockItem, qty, cost string) {
	t.Helper()
	must(s.eng.Inventory.Receive(context.Background(), s.inv, s.key("rcv"), contractorops.ReceiveStockInput{StockMoveInput: contractorops.StockMoveInput{
		LocationID: loc, Lines: []contractorops.StockLine{{ItemID: item.ID, Quantity: dec(qty), UnitCost: decp(cost)}},
	}}))(t)
}

// level returns the stock of item at loc.
func (s *stock) level(t *testing.T, item *contractorops.StockItem, loc string) contractorops.StockLevel {
	t.Helper()
	r := must(s.eng.Inventory.StockByItem(context.Background(), s.owner, item.ID))(t)
	for _, l := range r.Levels {
		if l.LocationID == loc {
			return l
		}
	}
	return contractorops.StockLevel{ItemID: item.ID, LocationID: loc}
}

func wantLevel(t *testing.T, got contractorops.StockLevel, onHand, reserved, value string) {
	t.Helper()
	if !got.OnHand.Equal(dec(onHand)) || !got.Reserved.Equal(dec(reserved)) || !got.Value.Equal(dec(value)) {
		t.Errorf("%s at %s: on hand %s, reserved %s, value %s; want %s, %s, %s",
			got.SKU, got.LocationCode, got.OnHand, got.Reserved, got.Value, onHand, reserved, value)
	}
}

// job opens a job needing parts and books a visit (the job is SCHEDULED).
func (s *stock) job(t *testing.T, parts ...contractorops.PartRequirement) *contractorops.Job {
	t.Helper()
	ctx := context.Background()
	j := must(s.eng.Jobs.Create(ctx, s.owner, s.key("job"), contractorops.CreateJobInput{
		Title: "No cooling", Trade: "HVAC", Requirements: contractorops.Requirements{Parts: parts},
	}))(t)
	must(s.eng.Jobs.UpdateStatus(ctx, s.owner, s.key("job-created"), contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCreated}))(t)
	start := s.clock.Now().Add(24 * time.Hour)
	must(s.eng.Jobs.AddVisit(ctx, s.owner, s.key("visit"), contractorops.AddVisitInput{JobID: j.ID, ScheduledStart: start, ScheduledEnd: start.Add(2 * time.Hour)}))(t)
	return j
}

// assign makes tech the job's technician, in the store: what dispatch
// (dispatch/v1/assignTech) does, so that the technician sees the job.
func (s *stock) assign(t *testing.T, jobID, tech string) {
	t.Helper()
	ctx := context.Background()
	err := s.store.InTx(ctx, s.org, func(tx contractorops.Tx) error {
		row, err := tx.Get(ctx, "jobs", jobID)
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(row.Data, &doc); err != nil {
			return err
		}
		doc["technicianId"] = tech
		if row.Data, err = json.Marshal(doc); err != nil {
			return err
		}
		row.Keys["technician_id"] = tech
		return tx.Update(ctx, "jobs", row)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// verify checks that every stored balance is the replay of its ledger.
func (s *stock) verify(t *testing.T) {
	t.Helper()
	check := must(s.eng.Inventory.VerifyLedger(context.Background(), s.owner, contractorops.VerifyLedgerInput{}))(t)
	if len(check.Mismatches) > 0 || check.Movements == 0 {
		t.Errorf("ledger check: %d balances, %d movements, mismatches %v", check.Balances, check.Movements, check.Mismatches)
	}
}

// A receipt, a transfer to a truck, a job's parts reserved there, consumed
// on the visit by the technician and one part returned: the job's material
// cost is exact to the ledger.
func TestInventoryJobMaterials(t *testing.T) { eachStore(t, testInventoryJobMaterials) }

func testInventoryJobMaterials(t *testing.T, f *fixture) {
	ctx := context.Background()
	s := newStock(t, f)
	s.receive(t, s.wh, s.cap, "10", "11.00")
	s.receive(t, s.wh, s.cap, "5", "12.50") // moving average: 172.50 / 15 = 11.50
	s.receive(t, s.wh, s.r410a, "25", "9.20")
	s.receive(t, s.wh, s.r410a, "25", "10.40")
	wantLevel(t, s.level(t, s.cap, s.wh), "15", "0", "172.50")

	// The warehouse refills Ann's truck: 4 capacitors and 10 lb of
	// refrigerant, received in two parts.
	tr := must(f.eng.Inventory.RequestTransfer(ctx, s.dispatcher, "trf", contractorops.TransferInput{
		FromLocationID: s.wh, ToLocationID: s.truck1, Lines: []inventory.TransferLineInput{
			{ItemID: s.cap.ID, Quantity: dec("4")}, {ItemID: s.r410a.ID, Quantity: dec("10")},
		},
	}))(t).Transfer
	if tr.Doc.Number != "TRF-000001" || tr.Doc.Status != inventory.TransferPending {
		t.Fatalf("requested transfer = %+v", tr.Doc)
	}
	wantLevel(t, s.level(t, s.cap, s.wh), "15", "4", "172.50")
	if lv := s.level(t, s.cap, s.truck1); !lv.InTransit.Equal(dec("4")) {
		t.Errorf("truck in transit %s, want 4", lv.InTransit)
	}
	shipped := must(f.eng.Inventory.ShipTransfer(ctx, s.dispatcher, "ship", contractorops.DocumentLinesInput{ID: tr.ID}))(t)
	if len(shipped.Movements) != 2 || !shipped.Transfer.Doc.Lines[0].ShippedValue.Equal(dec("46")) || !shipped.Transfer.Doc.Lines[1].ShippedValue.Equal(dec("92")) {
		t.Fatalf("shipped = %+v", shipped.Transfer.Doc.Lines)
	}
	// Ann receives on her truck: 3 capacitors now, the rest later.
	part := must(f.eng.Inventory.ReceiveTransfer(ctx, s.annScope, "rcv-1", contractorops.DocumentLinesInput{ID: tr.ID,
		Lines: []inventory.LineQuantity{{Line: 1, Quantity: dec("3")}, {Line: 2, Quantity: dec("10")}}}))(t)
	if part.Transfer.Doc.Status != inventory.TransferInTransit {
		t.Fatalf("after a partial receipt: %s", part.Transfer.Doc.Status)
	}
	_, err := f.eng.Inventory.ReceiveTransfer(ctx, s.bobScope, "rcv-bob", contractorops.DocumentLinesInput{ID: tr.ID})
	wantCode(t, err, contractorops.CodeForbidden)
	done := must(f.eng.Inventory.ReceiveTransfer(ctx, s.annScope, "rcv-2", contractorops.DocumentLinesInput{ID: tr.ID}))(t)
	if done.Transfer.Doc.Status != inventory.TransferReceived {
		t.Fatalf("after receiving the rest: %s", done.Transfer.Doc.Status)
	}
	wantLevel(t, s.level(t, s.cap, s.wh), "11", "0", "126.50")
	wantLevel(t, s.level(t, s.cap, s.truck1), "4", "0", "46.00")
	wantLevel(t, s.level(t, s.r410a, s.truck1), "10", "0", "92.00")

	// The job is scheduled on Ann: its parts are reserved on her truck.
	j := s.job(t, contractorops.PartRequirement{SKU: "cap-45-5", Quantity: "3"}, contractorops.PartRequirement{SKU: "R410A", Quantity: "2.5"})
	res := must(f.eng.Inventory.ReserveJob(ctx, s.dispatcher, "reserve", contractorops.ReserveJobPartsInput{JobID: j.ID, TechnicianID: s.ann}))(t).Reservation
	if res == nil || res.Override != nil || len(res.Doc.Lines) != 2 || res.LocationID != s.truck1 {
		t.Fatalf("reservation = %+v", res)
	}
	wantLevel(t, s.level(t, s.cap, s.truck1), "4", "3", "46.00")
	s.assign(t, j.ID, s.ann)

	// Bob may not take from Ann's truck, nor see it.
	_, err = f.eng.Inventory.Consume(ctx, s.bobScope, "bob-consume", contractorops.MaterialsInput{JobID: j.ID, LocationID: s.truck1,
		Lines: []contractorops.MaterialLine{{SKU: "CAP-45-5", Quantity: dec("1")}}})
	wantCode(t, err, contractorops.CodeNotFound) // not his job
	_, err = f.eng.Inventory.StockByLocation(ctx, s.bobScope, s.truck1)
	wantCode(t, err, contractorops.CodeForbidden)
	bobs := s.job(t)
	s.assign(t, bobs.ID, s.bob)
	_, err = f.eng.Inventory.Consume(ctx, s.bobScope, "bob-takes", contractorops.MaterialsInput{JobID: bobs.ID, LocationID: s.truck1,
		Lines: []contractorops.MaterialLine{{SKU: "CAP-45-5", Quantity: dec("1")}}})
	wantCode(t, err, contractorops.CodeForbidden) // his job, Ann's truck
	_, err = f.eng.Inventory.Consume(ctx, s.annScope, "ann-wh", contractorops.MaterialsInput{JobID: j.ID, LocationID: s.wh,
		Lines: []contractorops.MaterialLine{{SKU: "CAP-45-5", Quantity: dec("1")}}})
	wantCode(t, err, contractorops.CodeForbidden)
	if mine := must(f.eng.Inventory.ListLocations(ctx, s.annScope, contractorops.ListStockLocationsInput{}))(t); len(mine) != 1 || mine[0].ID != s.truck1 {
		t.Errorf("Ann lists the locations %+v, want her truck", mine)
	}

	// Ann uses 3 capacitors and 2.75 lb of refrigerant (more than
	// reserved: the truck has it) from her truck, by SKU.
	used := must(f.eng.Inventory.Consume(ctx, s.annScope, "consume", contractorops.MaterialsInput{JobID: j.ID, Lines: []contractorops.MaterialLine{
		{SKU: "CAP-45-5", Quantity: dec("3")}, {SKU: "r410a", Quantity: dec("2.75")},
	}}))(t)
	if got := used.Materials.Cost; !got.Equal(dec("59.80")) { // 3 × 11.50 + 2.75 × 9.20
		t.Fatalf("job material cost %s, want 59.80; %+v", got, used.Materials.Lines)
	}
	after := must(f.eng.Inventory.JobReservation(ctx, s.annScope, j.ID))(t).Reservation
	if after.Doc.Status != inventory.ReservationFulfilled {
		t.Errorf("reservation after consuming everything: %s", after.Doc.Status)
	}
	wantLevel(t, s.level(t, s.cap, s.truck1), "1", "0", "11.50")

	// One capacitor was not needed: it goes back at what the job paid.
	back := must(f.eng.Inventory.ReturnMaterials(ctx, s.annScope, "return", contractorops.MaterialsInput{JobID: j.ID,
		Lines: []contractorops.MaterialLine{{ItemID: s.cap.ID, Quantity: dec("1")}}}))(t)
	m := back.Materials
	if !m.Cost.Equal(dec("48.30")) || m.Currency != "USD" || len(m.Lines) != 2 {
		t.Fatalf("materials after the return = %+v", m)
	}
	capUse := m.Lines[0]
	if capUse.ItemID != s.cap.ID {
		capUse = m.Lines[1]
	}
	if !capUse.Quantity.Equal(dec("2")) || !capUse.Cost.Equal(dec("23")) || !capUse.UnitCost.Equal(dec("11.5")) || capUse.PricebookItemID != "pb-capacitor" || capUse.SKU != "CAP-45-5" {
		t.Errorf("capacitor use = %+v", capUse)
	}
	line, err := capUse.InvoiceLine("USD")
	if err != nil || line.ItemID != "pb-capacitor" || line.Quantity.String() != "2" || line.UnitCost.String() != "11.50 USD" {
		t.Errorf("invoice line = %+v, %v", line, err)
	}
	_, err = f.eng.Inventory.ReturnMaterials(ctx, s.annScope, "return-too-much", contractorops.MaterialsInput{JobID: j.ID,
		Lines: []contractorops.MaterialLine{{ItemID: s.cap.ID, Quantity: dec("3")}}})
	if got := fields(t, err); fmt.Sprint(got) != "[lines.0.quantity]" {
		t.Errorf("returning more than used refused on %v", got)
	}
	wantLevel(t, s.level(t, s.cap, s.truck1), "2", "0", "23.00")
	wantLevel(t, s.level(t, s.r410a, s.truck1), "7.25", "0", "66.70")

	// The office lists the job's movements; the ledger is its replay.
	mv := must(f.eng.Inventory.ListMovements(ctx, s.owner, contractorops.ListMovementsInput{JobID: j.ID}))(t)
	if len(mv.Items) != 3 || mv.Items[0].Movement.Kind != inventory.Return {
		t.Errorf("job movements = %d, newest %s", len(mv.Items), mv.Items[0].Movement.Kind)
	}
	s.verify(t)
}

// A job whose parts the truck and its warehouse cannot cover is refused
// with INVENTORY_SHORTAGE naming each part; a dispatcher's override with a
// reason reserves what there is and records it; cancelling the job
// releases its parts.
func TestInventoryShortage(t *testing.T) { eachStore(t, testInventoryShortage) }

func testInventoryShortage(t *testing.T, f *fixture) {
	ctx := context.Background()
	s := newStock(t, f)
	s.receive(t, s.truck1, s.cap, "2", "11.00")
	s.receive(t, s.wh, s.cap, "3", "11.00")
	j := s.job(t,
		contractorops.PartRequirement{SKU: "CAP-45-5", Quantity: "7"},
		contractorops.PartRequirement{SKU: "FLT-16X25", Quantity: "1"},
		contractorops.PartRequirement{SKU: "NO-SUCH-PART", Quantity: "1"})

	_, err := f.eng.Inventory.ReserveJob(ctx, s.dispatcher, "r1", contractorops.ReserveJobPartsInput{JobID: j.ID, TechnicianID: s.ann})
	e := wantCode(t, err, contractorops.CodeInventoryShortage)
	var got []string
	for _, fe := range e.FieldErrors {
		got = append(got, fe.Field+": "+fe.Message)
	}
	want := []string{
		"requirements.parts.0.quantity: CAP-45-5 short 2 (needs 7, 5 available)",
		"requirements.parts.1.quantity: FLT-16X25 short 1 (needs 1, 0 available)",
		"requirements.parts.2.sku: NO-SUCH-PART: no inventory item has this SKU",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("shortage fields:\n%v\nwant\n%v\n(%s)", got, want, e.Message)
	}
	wantLevel(t, s.level(t, s.cap, s.truck1), "2", "0", "22")

	// The dispatcher overrides: what there is is reserved, the rest recorded.
	r := must(f.eng.Inventory.ReserveJob(ctx, s.dispatcher, "r2", contractorops.ReserveJobPartsInput{JobID: j.ID, TechnicianID: s.ann,
		Override: &contractorops.PartsOverride{Reason: "customer brings the filter; capacitors picked up at the supply house"}}))(t).Reservation
	if r.Override == nil || r.Override.By.ID != string(contractorops.RoleDispatcher) || len(r.Shortages) != 3 || !r.Shortages[0].Short.Equal(dec("2")) {
		t.Fatalf("overridden reservation = %+v", r)
	}
	wantLevel(t, s.level(t, s.cap, s.truck1), "2", "2", "22")
	wantLevel(t, s.level(t, s.cap, s.wh), "3", "3", "33")
	neg := must(f.eng.Inventory.Negatives(ctx, s.owner))(t)
	if len(neg.Overrides) != 1 || neg.Overrides[0].JobID != j.ID {
		t.Errorf("negatives report overrides = %+v", neg.Overrides)
	}
	trail := must(f.eng.Feed.Audit(ctx, s.owner, contractorops.ListAuditInput{Entity: "inventory_reservations", EntityID: j.ID}))(t)
	if len(trail.Items) != 1 || trail.Items[0].Role != contractorops.RoleDispatcher || trail.Items[0].Procedure != "inventory/v1/reserveJob" {
		t.Errorf("audit of the override = %+v", trail.Items)
	}

	// Another job cannot take what the first one holds.
	j2 := s.job(t, contractorops.PartRequirement{SKU: "CAP-45-5", Quantity: "1"})
	_, err = f.eng.Inventory.ReserveJob(ctx, s.dispatcher, "r3", contractorops.ReserveJobPartsInput{JobID: j2.ID, TechnicianID: s.bob})
	wantCode(t, err, contractorops.CodeInventoryShortage)

	// Cancelling the first job releases its parts: now the second fits.
	must(f.eng.Jobs.UpdateStatus(ctx, s.owner, "cancel", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCancelled, ReasonCode: "CUSTOMER_CANCELLED"}))(t)
	if r := must(f.eng.Inventory.JobReservation(ctx, s.owner, j.ID))(t).Reservation; r.Doc.Status != inventory.ReservationReleased {
		t.Errorf("after cancelling the job its reservation is %s", r.Doc.Status)
	}
	wantLevel(t, s.level(t, s.cap, s.wh), "3", "0", "33")
	r2 := must(f.eng.Inventory.ReserveJob(ctx, s.dispatcher, "r4", contractorops.ReserveJobPartsInput{JobID: j2.ID, TechnicianID: s.bob}))(t).Reservation
	if len(r2.Doc.Lines) != 1 || r2.Doc.Lines[0].LocationID != s.wh {
		t.Errorf("Bob's truck has none: the warehouse holds it, got %+v", r2.Doc.Lines)
	}
	// Reassigned to Ann, the job's part moves to her truck.
	r3 := must(f.eng.Inventory.ReserveJob(ctx, s.dispatcher, "r5", contractorops.ReserveJobPartsInput{JobID: j2.ID, TechnicianID: s.ann}))(t).Reservation
	if len(r3.Doc.Lines) != 1 || r3.Doc.Lines[0].LocationID != s.truck1 || r3.TechnicianID != s.ann {
		t.Errorf("after reassigning: %+v", r3.Doc.Lines)
	}
	wantLevel(t, s.level(t, s.cap, s.wh), "3", "0", "33")
	wantLevel(t, s.level(t, s.cap, s.truck1), "2", "1", "22")
}

// A purchase order: drafted at the supplier's price, submitted, confirmed,
// received in two shipments; receiving past the ordered quantity needs a
// reason.
func TestInventoryPurchaseOrder(t *testing.T) { eachStore(t, testInventoryPurchaseOrder) }

func testInventoryPurchaseOrder(t *testing.T, f *fixture) {
	ctx := context.Background()
	s := newStock(t, f)
	po := must(f.eng.Inventory.CreatePurchaseOrder(ctx, s.dispatcher, "po", contractorops.PurchaseOrderInput{
		SupplierID: s.supplier, DeliveryLocationID: s.wh, Lines: []contractorops.OrderLineInput{
			{ItemID: s.cap.ID, Quantity: dec("10")},
			{ItemID: s.filter.ID, Quantity: dec("24"), UnitCost: decp("3.70")},
		},
	}))(t).Order
	d := po.Doc
	if d.Number != "PO-2026-000001" || d.Status != inventory.OrderDraft || !d.Lines[0].UnitCost.Equal(dec("11.50")) || d.Lines[0].SupplierSKU != "J-CAP455" || !d.Subtotal().Equal(dec("203.80")) {
		t.Fatalf("draft = %+v", d)
	}
	if lv := s.level(t, s.cap, s.wh); !lv.OnOrder.Equal(dec("10")) || !lv.Position.Equal(dec("10")) {
		t.Errorf("a draft is on order: %+v", lv)
	}
	_, err := f.eng.Inventory.ReceiveOrder(ctx, s.dispatcher, "early", contractorops.ReceiveOrderInput{ID: po.ID, Lines: []inventory.ReceiptLine{{Line: 1, Quantity: dec("1")}}})
	wantCode(t, err, contractorops.CodeIllegalTransition)
	must(f.eng.Inventory.SubmitOrder(ctx, s.dispatcher, "submit", po.ID))(t)
	_, err = f.eng.Inventory.SubmitOrder(ctx, s.dispatcher, "submit-again", po.ID)
	wantCode(t, err, contractorops.CodeIllegalTransition)
	must(f.eng.Inventory.ConfirmOrder(ctx, s.dispatcher, "confirm", contractorops.ConfirmOrderInput{ID: po.ID, ExpectedAt: s.clock.Now().Add(72 * time.Hour)}))(t)

	first := must(f.eng.Inventory.ReceiveOrder(ctx, s.dispatcher, "r1", contractorops.ReceiveOrderInput{ID: po.ID,
		Lines: []inventory.ReceiptLine{{Line: 1, Quantity: dec("6")}, {Line: 2, Quantity: dec("24")}}}))(t)
	if first.Order.Doc.Status != inventory.OrderPartiallyReceived || first.Order.Doc.Receipts[0].Number != "PO-2026-000001-R1" || len(first.Movements) != 2 {
		t.Fatalf("first receipt = %+v", first.Order.Doc)
	}
	// The supplier ships a full box of 5: one more than ordered.
	_, err = f.eng.Inventory.ReceiveOrder(ctx, s.dispatcher, "r2", contractorops.ReceiveOrderInput{ID: po.ID,
		Lines: []inventory.ReceiptLine{{Line: 1, Quantity: dec("5")}}})
	if got := fields(t, err); fmt.Sprint(got) != "[lines.0.overReceiptReason]" {
		t.Errorf("over-receipt refused on %v", got)
	}
	second := must(f.eng.Inventory.ReceiveOrder(ctx, s.dispatcher, "r3", contractorops.ReceiveOrderInput{ID: po.ID,
		Lines: []inventory.ReceiptLine{{Line: 1, Quantity: dec("5"), OverReceiptReason: "shipped a full box"}}}))(t)
	if second.Order.Doc.Status != inventory.OrderReceived || second.Order.Doc.Receipts[1].Number != "PO-2026-000001-R2" {
		t.Fatalf("second receipt = %+v", second.Order.Doc)
	}
	wantLevel(t, s.level(t, s.cap, s.wh), "11", "0", "126.50") // 11 × 11.50
	wantLevel(t, s.level(t, s.filter, s.wh), "24", "0", "88.80")
	if lv := s.level(t, s.cap, s.wh); !lv.OnOrder.IsZero() {
		t.Errorf("a received order is no longer on order: %s", lv.OnOrder)
	}
	_, err = f.eng.Inventory.CancelOrder(ctx, s.dispatcher, "cancel", contractorops.CancelDocumentInput{ID: po.ID})
	wantCode(t, err, contractorops.CodeIllegalTransition)

	// A second order, edited while a draft, then cancelled.
	po2 := must(f.eng.Inventory.CreatePurchaseOrder(ctx, s.dispatcher, "po2", contractorops.PurchaseOrderInput{SupplierID: s.supplier, DeliveryLocationID: s.wh}))(t).Order
	must(f.eng.Inventory.AddOrderLine(ctx, s.dispatcher, "add", contractorops.OrderLineChangeInput{ID: po2.ID, Line: contractorops.OrderLineInput{ItemID: s.filter.ID, Quantity: dec("12")}}))(t)
	set := must(f.eng.Inventory.SetOrderLine(ctx, s.dispatcher, "set", contractorops.SetOrderLineInput{ID: po2.ID, Line: 1, Quantity: dec("36"), UnitCost: dec("3.60")}))(t)
	if !set.Order.Doc.Subtotal().Equal(dec("129.60")) || set.Order.Doc.Number != "PO-2026-000002" {
		t.Errorf("edited draft = %+v", set.Order.Doc)
	}
	cancelled := must(f.eng.Inventory.CancelOrder(ctx, s.dispatcher, "cancel2", contractorops.CancelDocumentInput{ID: po2.ID, Reason: "found a cheaper supplier"}))(t)
	if cancelled.Order.Doc.Status != inventory.OrderCancelled {
		t.Errorf("cancelled order = %s", cancelled.Order.Doc.Status)
	}
	page := must(f.eng.Inventory.ListPurchaseOrders(ctx, s.owner, contractorops.ListPurchaseOrdersInput{Status: inventory.OrderReceived}))(t)
	if len(page.Items) != 1 || page.Items[0].ID != po.ID {
		t.Errorf("received orders = %d", len(page.Items))
	}
	s.verify(t)
}

// A cycle count's variance adjusts the stock as a COUNT movement; an
// adjustment needs a reason, and never takes more than is on hand.
func TestInventoryCountAndAdjust(t *testing.T) { eachStore(t, testInventoryCountAndAdjust) }

func testInventoryCountAndAdjust(t *testing.T, f *fixture) {
	ctx := context.Background()
	s := newStock(t, f)
	s.receive(t, s.wh, s.cap, "12", "11.50")
	s.receive(t, s.wh, s.filter, "24", "4")
	cc := must(f.eng.Inventory.StartCount(ctx, s.dispatcher, "count", contractorops.StartCountInput{LocationID: s.wh}))(t).Count
	if len(cc.Doc.Lines) != 2 || cc.Number != "CC-2026-000001" {
		t.Fatalf("count = %+v", cc)
	}
	_, err := f.eng.Inventory.CompleteCount(ctx, s.dispatcher, "too-soon", cc.ID)
	if got := fields(t, err); len(got) != 1 {
		t.Errorf("completing an uncounted count refused on %v", got)
	}
	must(f.eng.Inventory.RecordCount(ctx, s.dispatcher, "rec", contractorops.RecordCountInput{ID: cc.ID, Lines: []contractorops.CountLineInput{
		{ItemID: s.cap.ID, Counted: dec("10")}, {ItemID: s.filter.ID, Counted: dec("24")},
	}}))(t)
	done := must(f.eng.Inventory.CompleteCount(ctx, s.dispatcher, "complete", cc.ID))(t)
	if done.Count.Doc.Status != inventory.CountCompleted || len(done.Movements) != 2 {
		t.Fatalf("completed count = %+v", done)
	}
	var variance inventory.Movement
	for _, m := range done.Movements {
		if m.Movement.ItemID == s.cap.ID {
			variance = m.Movement
		}
	}
	if variance.Kind != inventory.Count || !variance.Quantity.Equal(dec("-2")) || !variance.Value.Equal(dec("-23")) {
		t.Errorf("variance = %+v", variance)
	}
	lv := s.level(t, s.cap, s.wh)
	wantLevel(t, lv, "10", "0", "115")
	if !lv.LastCountedAt.Equal(s.clock.Now()) {
		t.Errorf("last counted %v", lv.LastCountedAt)
	}

	_, err = f.eng.Inventory.Adjust(ctx, s.inv, "no-reason", contractorops.AdjustStockInput{StockMoveInput: contractorops.StockMoveInput{
		LocationID: s.wh, Lines: []contractorops.StockLine{{ItemID: s.cap.ID, Quantity: dec("-1")}}}})
	if got := fields(t, err); fmt.Sprint(got) != "[lines.0.reason]" {
		t.Errorf("an adjustment without a reason refused on %v", got)
	}
	_, err = f.eng.Inventory.Adjust(ctx, s.inv, "too-much", contractorops.AdjustStockInput{StockMoveInput: contractorops.StockMoveInput{
		LocationID: s.wh, Lines: []contractorops.StockLine{{ItemID: s.filter.ID, Quantity: dec("1"), Reason: inventory.Found}, {ItemID: s.cap.ID, Quantity: dec("-11"), Reason: inventory.Damaged}}}})
	e := wantCode(t, err, contractorops.CodeInventoryShortage)
	if len(e.FieldErrors) != 1 || e.FieldErrors[0].Field != "lines.1.quantity" {
		t.Errorf("shortage names %+v", e.FieldErrors)
	}
	wantLevel(t, s.level(t, s.filter, s.wh), "24", "0", "96") // all or nothing
	_, err = f.eng.Inventory.Adjust(ctx, s.dispatcher, "dispatcher", contractorops.AdjustStockInput{StockMoveInput: contractorops.StockMoveInput{
		LocationID: s.wh, Lines: []contractorops.StockLine{{ItemID: s.cap.ID, Quantity: dec("-1"), Reason: inventory.Damaged}}}})
	wantCode(t, err, contractorops.CodeForbidden)
	must(f.eng.Inventory.Adjust(ctx, s.inv, "damaged", contractorops.AdjustStockInput{StockMoveInput: contractorops.StockMoveInput{
		LocationID: s.wh, Lines: []contractorops.StockLine{{ItemID: s.cap.ID, Quantity: dec("-1"), Reason: inventory.Damaged, Note: "dropped"}}}}))(t)
	wantLevel(t, s.level(t, s.cap, s.wh), "9", "0", "103.5")
	s.verify(t)
}

// The procurement agent drafts transfers and purchase orders from the
// replenishment plan; running it again, that night or the next, creates
// nothing new.
func TestInventoryProcurementAgent(t *testing.T) { eachStore(t, testInventoryProcurementAgent) }

func testInventoryProcurementAgent(t *testing.T, f *fixture) {
	ctx := context.Background()
	s := newStock(t, f)
	s.receive(t, s.wh, s.cap, "14", "11.00")
	s.receive(t, s.truck1, s.cap, "3", "11.00")
	policy := func(key, loc, min, max string) {
		must(f.eng.Inventory.SetPolicy(ctx, s.inv, key, contractorops.SetPolicyInput{Policy: inventory.Policy{
			ItemID: s.cap.ID, LocationID: loc, Kind: inventory.PolicyMinMax, Min: dec(min), Max: dec(max)}}))(t)
	}
	policy("p1", s.truck1, "6", "8")
	policy("p2", s.truck2, "2", "4")
	policy("p3", s.wh, "10", "30")
	_, err := f.eng.Inventory.SetPolicy(ctx, s.inv, "bad", contractorops.SetPolicyInput{Policy: inventory.Policy{
		ItemID: s.cap.ID, LocationID: s.wh, Kind: inventory.PolicyMinMax, Min: dec("10"), Max: dec("5")}})
	if got := fields(t, err); fmt.Sprint(got) != "[max]" {
		t.Errorf("max below min refused on %v", got)
	}

	preview := must(f.eng.Inventory.ReplenishmentPlan(ctx, s.owner, contractorops.PlanReplenishmentInput{}))(t)
	if len(preview.Transfers) != 2 || len(preview.Orders) != 1 {
		t.Fatalf("plan = %+v", preview)
	}
	tick := s.clock.Now()
	for run := range 2 {
		rep := must(f.eng.RunTaskFor(ctx, contractorops.ProcurementAgent, tick, f.org))(t)
		if rep.Actions < 1 || len(rep.Failures) > 0 {
			t.Fatalf("run %d: %+v", run, rep)
		}
	}
	transfers := must(f.eng.Inventory.ListTransfers(ctx, s.owner, contractorops.ListTransfersInput{}))(t).Items
	orders := must(f.eng.Inventory.ListPurchaseOrders(ctx, s.owner, contractorops.ListPurchaseOrdersInput{}))(t).Items
	if len(transfers) != 2 || len(orders) != 1 {
		t.Fatalf("after two runs: %d transfers, %d orders; want 2 and 1", len(transfers), len(orders))
	}
	po := orders[0]
	// Truck 1: 3 on hand, below 6, up to 8 → 5; truck 2: 0, up to 4 → 4; the
	// warehouse: 14 − 9 shipped = 5, up to 30 → 25, in packs of 10 → 30.
	if po.Doc.Status != inventory.OrderDraft || po.CreatedBy.Kind != contractorops.ActorAgent || !po.Doc.Lines[0].Quantity.Equal(dec("30")) || !po.Doc.Lines[0].UnitCost.Equal(dec("11.50")) {
		t.Errorf("drafted order = %+v by %+v", po.Doc, po.CreatedBy)
	}
	total := decimal.Zero
	for _, tr := range transfers {
		if tr.Doc.Status != inventory.TransferPending || tr.RequestedBy.ID != contractorops.ProcurementAgent {
			t.Errorf("proposed transfer = %+v", tr)
		}
		total = total.Add(tr.Doc.Lines[0].Requested)
	}
	if !total.Equal(dec("9")) {
		t.Errorf("transfers request %s in all, want 9", total)
	}
	trail := must(f.eng.Feed.Audit(ctx, s.owner, contractorops.ListAuditInput{Entity: "inventory_purchase_orders", EntityID: po.ID}))(t)
	if len(trail.Items) != 1 || trail.Items[0].Role != contractorops.RoleAgent || trail.Items[0].Procedure != "inventory/v1/planReplenishment" {
		t.Errorf("the agent's order is audited as %+v", trail.Items)
	}

	// The next night nothing changed: nothing new.
	s.clock.Advance(24 * time.Hour)
	must(f.eng.RunTaskFor(ctx, contractorops.ProcurementAgent, s.clock.Now(), s.org))(t)
	again := must(f.eng.Inventory.ListTransfers(ctx, s.owner, contractorops.ListTransfersInput{}))(t).Items
	if len(again) != 2 {
		t.Errorf("the next night: %d transfers", len(again))
	}
	// A technician uses 3 capacitors: the next plan adds them to the pending
	// refill of their truck instead of proposing another.
	j := s.job(t)
	must(f.eng.Inventory.Consume(ctx, s.owner, "use", contractorops.MaterialsInput{JobID: j.ID, LocationID: s.truck1,
		Lines: []contractorops.MaterialLine{{ItemID: s.cap.ID, Quantity: dec("3")}}}))(t)
	run := must(f.eng.Inventory.PlanReplenishment(ctx, s.inv, "manual-plan", contractorops.PlanReplenishmentInput{}))(t)
	after := must(f.eng.Inventory.ListTransfers(ctx, s.owner, contractorops.ListTransfersInput{}))(t).Items
	if len(run.Transfers) != 1 || len(after) != 2 || !run.Transfers[0].Doc.Lines[0].Requested.Equal(dec("8")) {
		t.Errorf("a new need joins the pending refill: %+v, %d transfers", run.Transfers, len(after))
	}
	s.verify(t)
}

// Another organization sees none of the inventory: every read is NOT_FOUND
// or empty, every write refused.
func TestInventoryTenantIsolation(t *testing.T) { eachStore(t, testInventoryTenantIsolation) }

func testInventoryTenantIsolation(t *testing.T, f *fixture) {
	ctx := context.Background()
	s := newStock(t, f)
	s.receive(t, s.wh, s.cap, "5", "11")
	tr := must(f.eng.Inventory.RequestTransfer(ctx, s.dispatcher, "trf", contractorops.TransferInput{FromLocationID: s.wh, ToLocationID: s.truck1,
		Lines: []inventory.TransferLineInput{{ItemID: s.cap.ID, Quantity: dec("1")}}}))(t).Transfer
	po := must(f.eng.Inventory.CreatePurchaseOrder(ctx, s.dispatcher, "po", contractorops.PurchaseOrderInput{SupplierID: s.supplier, DeliveryLocationID: s.wh}))(t).Order
	cc := must(f.eng.Inventory.StartCount(ctx, s.dispatcher, "cc", contractorops.StartCountInput{LocationID: s.wh}))(t).Count
	j := s.job(t, contractorops.PartRequirement{SKU: "CAP-45-5", Quantity: "1"})
	must(f.eng.Inventory.ReserveJob(ctx, s.dispatcher, "res", contractorops.ReserveJobPartsInput{JobID: j.ID, TechnicianID: s.ann}))(t)

	g := newFixtureWith(t, f.eng, f.clock, f.store, "b")
	other := g.owner
	for name, read := range map[string]func() error{
		"item":        func() error { _, err := f.eng.Inventory.GetItem(ctx, other, s.cap.ID); return err },
		"location":    func() error { _, err := f.eng.Inventory.GetLocation(ctx, other, s.wh); return err },
		"supplier":    func() error { _, err := f.eng.Inventory.GetSupplier(ctx, other, s.supplier); return err },
		"transfer":    func() error { _, err := f.eng.Inventory.GetTransfer(ctx, other, tr.ID); return err },
		"order":       func() error { _, err := f.eng.Inventory.GetPurchaseOrder(ctx, other, po.ID); return err },
		"count":       func() error { _, err := f.eng.Inventory.GetCount(ctx, other, cc.ID); return err },
		"by item":     func() error { _, err := f.eng.Inventory.StockByItem(ctx, other, s.cap.ID); return err },
		"by location": func() error { _, err := f.eng.Inventory.StockByLocation(ctx, other, s.wh); return err },
		"materials":   func() error { _, err := f.eng.Inventory.JobMaterials(ctx, other, j.ID); return err },
		"reservation": func() error { _, err := f.eng.Inventory.JobReservation(ctx, other, j.ID); return err },
		"ship": func() error {
			_, err := f.eng.Inventory.ShipTransfer(ctx, other, "steal", contractorops.DocumentLinesInput{ID: tr.ID})
			return err
		},
		"receive": func() error {
			_, err := f.eng.Inventory.Receive(ctx, other, "plant", contractorops.ReceiveStockInput{StockMoveInput: contractorops.StockMoveInput{
				LocationID: s.wh, Lines: []contractorops.StockLine{{ItemID: s.cap.ID, Quantity: dec("1")}}}})
			return err
		},
	} {
		if err := read(); !isCode(err, contractorops.CodeNotFound) {
			t.Errorf("%s from another organization: %v, want NOT_FOUND", name, err)
		}
	}
	items := must(f.eng.Inventory.ListItems(ctx, other, contractorops.ListStockItemsInput{}))(t)
	locs := must(f.eng.Inventory.ListLocations(ctx, other, contractorops.ListStockLocationsInput{}))(t)
	trs := must(f.eng.Inventory.ListTransfers(ctx, other, contractorops.ListTransfersInput{}))(t)
	mvs := must(f.eng.Inventory.ListMovements(ctx, other, contractorops.ListMovementsInput{}))(t)
	neg := must(f.eng.Inventory.Negatives(ctx, other))(t)
	plan := must(f.eng.Inventory.ReplenishmentPlan(ctx, other, contractorops.PlanReplenishmentInput{}))(t)
	if len(items.Items)+len(locs)+len(trs.Items)+len(mvs.Items)+len(neg.Overrides)+len(plan.Transfers) != 0 {
		t.Errorf("another organization lists %d items, %d locations, %d transfers, %d movements", len(items.Items), len(locs), len(trs.Items), len(mvs.Items))
	}
	s.verify(t)
}

func isCode(err error, code contractorops.Code) bool {
	e, ok := err.(*contractorops.Error)
	return ok && e.Code == code
}

// The catalog's rules: SKUs and codes are unique, a truck has one
// technician who drives no other, the replenishment graph stays a tree, a
// costing method is fixed, and a unit cannot change once stock moved.
func TestInventoryCatalog(t *testing.T) { eachStore(t, testInventoryCatalog) }

func testInventoryCatalog(t *testing.T, f *fixture) {
	ctx := context.Background()
	s := newStock(t, f)
	inv := f.eng.Inventory
	_, err := inv.CreateItem(ctx, s.inv, "dup", contractorops.StockItemInput{SKU: " cap-45-5 ", Name: "Another capacitor"})
	wantCode(t, err, contractorops.CodeConflict)
	_, err = inv.CreateLocation(ctx, s.inv, "truck-no-tech", contractorops.StockLocationInput{Code: "TRUCK-3", Name: "Spare van", Type: inventory.Truck})
	if got := fields(t, err); fmt.Sprint(got) != "[technicianId]" {
		t.Errorf("a truck without a technician refused on %v", got)
	}
	_, err = inv.CreateLocation(ctx, s.inv, "second-truck", contractorops.StockLocationInput{Code: "TRUCK-3", Name: "Ann's second van", Type: inventory.Truck, TechnicianID: s.ann})
	wantCode(t, err, contractorops.CodeConflict)
	_, err = inv.UpdateLocation(ctx, s.inv, "cycle", contractorops.UpdateStockLocationInput{ID: s.wh, StockLocationInput: contractorops.StockLocationInput{
		Code: "WH", Name: "Main warehouse", Type: inventory.Warehouse, ReplenishFromID: s.truck1}})
	if got := fields(t, err); fmt.Sprint(got) != "[replenishFromId]" {
		t.Errorf("a replenishment cycle refused on %v", got)
	}
	_, err = inv.CreateSupplier(ctx, s.inv, "bad-supplier", contractorops.SupplierInput{Code: "FERGUSON", Name: "Ferguson",
		Items: []inventory.SupplierItem{{ItemID: "no-such-item", UnitCost: dec("1")}}})
	if e := wantCode(t, err, contractorops.CodeNotFound); e.FieldErrors[0].Field != "items.0.itemId" {
		t.Errorf("an unknown item on a price list named %+v", e.FieldErrors)
	}

	item := s.cap.StockItemInput
	item.Costing = inventory.FIFO
	_, err = inv.UpdateItem(ctx, s.inv, "costing", contractorops.UpdateStockItemInput{ID: s.cap.ID, StockItemInput: item})
	if got := fields(t, err); fmt.Sprint(got) != "[costing]" {
		t.Errorf("a costing change refused on %v", got)
	}
	item = s.cap.StockItemInput
	item.Unit = inventory.Box
	item.Name = "Run capacitor 45/5 µF (box)"
	must(inv.UpdateItem(ctx, s.inv, "unit", contractorops.UpdateStockItemInput{ID: s.cap.ID, StockItemInput: item}))(t) // no stock yet
	s.receive(t, s.wh, s.cap, "1", "11")
	item.Unit = inventory.Each
	_, err = inv.UpdateItem(ctx, s.inv, "unit-again", contractorops.UpdateStockItemInput{ID: s.cap.ID, StockItemInput: item})
	if got := fields(t, err); fmt.Sprint(got) != "[unitOfMeasure]" {
		t.Errorf("a unit change after stock moved refused on %v", got)
	}
	retired := false
	must(inv.UpdateItem(ctx, s.inv, "retire", contractorops.UpdateStockItemInput{ID: s.filter.ID, StockItemInput: s.filter.StockItemInput, Active: &retired}))(t)
	page := must(inv.ListItems(ctx, s.dispatcher, contractorops.ListStockItemsInput{Search: "r4"}))(t)
	all := must(inv.ListItems(ctx, s.dispatcher, contractorops.ListStockItemsInput{IncludeInactive: true}))(t)
	if len(page.Items) != 1 || page.Items[0].SKU != "R410A" || len(all.Items) != 3 {
		t.Errorf("items by SKU prefix %+v, all %d", page.Items, len(all.Items))
	}

	sup := must(inv.GetSupplier(ctx, s.dispatcher, s.supplier))(t).SupplierInput
	sup.Items = append(sup.Items, inventory.SupplierItem{ItemID: s.r410a.ID, UnitCost: dec("9.80"), PackSize: dec("25")})
	must(inv.UpdateSupplier(ctx, s.inv, "price", contractorops.UpdateSupplierInput{ID: s.supplier, SupplierInput: sup}))(t)
	if sups := must(inv.ListSuppliers(ctx, s.dispatcher, contractorops.ListSuppliersInput{}))(t); len(sups) != 1 || len(sups[0].Items) != 3 {
		t.Errorf("suppliers = %+v", sups)
	}
	must(inv.SetPolicy(ctx, s.inv, "policy", contractorops.SetPolicyInput{Policy: inventory.Policy{ItemID: s.r410a.ID, LocationID: s.wh,
		Kind: inventory.PolicyReorderPoint, Z: dec("1.65"), Min: dec("10")}}))(t)
	if ps := must(inv.ListPolicies(ctx, s.dispatcher, contractorops.ListPoliciesInput{LocationID: s.wh}))(t); len(ps) != 1 || ps[0].Kind != inventory.PolicyReorderPoint {
		t.Errorf("policies = %+v", ps)
	}
	plan := must(inv.ReplenishmentPlan(ctx, s.dispatcher, contractorops.PlanReplenishmentInput{}))(t)
	if len(plan.Orders) != 1 || !plan.Orders[0].Lines[0].Quantity.Equal(dec("25")) {
		t.Errorf("a reorder point of 10 with no demand buys one cylinder: %+v", plan.Orders)
	}
	must(inv.RemovePolicy(ctx, s.inv, "unpolicy", contractorops.PolicyRef{ItemID: s.r410a.ID, LocationID: s.wh}))(t)
	if ps := must(inv.ListPolicies(ctx, s.dispatcher, contractorops.ListPoliciesInput{}))(t); len(ps) != 0 {
		t.Errorf("after removing: %+v", ps)
	}
}
