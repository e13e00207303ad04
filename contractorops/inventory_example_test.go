package contractorops_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/inventory"
)

// A technician's truck is stocked; a job scheduled on the technician
// reserves its parts on the truck, or is refused with the parts that are
// short; the parts used on the visit cost the job exactly what the ledger
// says.
func ExampleInventoryService() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC) }
	eng, _ := contractorops.New(memstore.New(), &contractorops.Config{Clock: clock})
	defer eng.Close(ctx)
	org, _ := eng.Organizations.Create(ctx, contractorops.PlatformScope("setup"), "org-acme",
		contractorops.CreateOrganizationInput{Name: "Acme Heating & Plumbing", Type: contractorops.OrgServiceProvider})
	manager := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "mia"}, Role: contractorops.RoleManager}

	ann, _ := eng.Technicians.Create(ctx, manager, "tech-ann", contractorops.TechnicianInput{FirstName: "Ann", LastName: "Lee"})
	wh, _ := eng.Inventory.CreateLocation(ctx, manager, "wh", contractorops.StockLocationInput{Code: "WH", Name: "Warehouse", Type: inventory.Warehouse})
	truck, _ := eng.Inventory.CreateLocation(ctx, manager, "truck-7", contractorops.StockLocationInput{
		Code: "TRUCK-7", Name: "Ann's van", Type: inventory.Truck, TechnicianID: ann.ID, ReplenishFromID: wh.ID})
	capacitor, _ := eng.Inventory.CreateItem(ctx, manager, "cap", contractorops.StockItemInput{
		SKU: "CAP-45-5", Name: "Run capacitor 45/5 µF", UnitCost: decimal.RequireFromString("11.00")})
	for i, cost := range []string{"11.00", "12.50"} {
		c := decimal.RequireFromString(cost)
		eng.Inventory.Receive(ctx, manager, fmt.Sprint("receipt-", i), contractorops.ReceiveStockInput{StockMoveInput: contractorops.StockMoveInput{
			LocationID: truck.ID, Lines: []contractorops.StockLine{{ItemID: capacitor.ID, Quantity: decimal.New(2, 0), UnitCost: &c}}}})
	}

	job, _ := eng.Jobs.Create(ctx, manager, "job-1", contractorops.CreateJobInput{Title: "No cooling", Trade: "HVAC",
		Requirements: contractorops.Requirements{Parts: []contractorops.PartRequirement{{SKU: "CAP-45-5", Quantity: "5"}}}})
	_, err := eng.Inventory.ReserveJob(ctx, manager, "reserve-1", contractorops.ReserveJobPartsInput{JobID: job.ID, TechnicianID: ann.ID})
	var e *contractorops.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.FieldErrors[0].Field+":", e.FieldErrors[0].Message)
	}

	// The job needs 3 after all: they are reserved on the truck.
	eng.Jobs.Update(ctx, manager, "job-1-parts", contractorops.UpdateJobInput{ID: job.ID,
		Requirements: &contractorops.Requirements{Parts: []contractorops.PartRequirement{{SKU: "CAP-45-5", Quantity: "3"}}}})
	res, _ := eng.Inventory.ReserveJob(ctx, manager, "reserve-2", contractorops.ReserveJobPartsInput{JobID: job.ID, TechnicianID: ann.ID})
	fmt.Println("reserved", res.Reservation.Doc.Lines[0].Quantity, "on", truck.Code)

	used, _ := eng.Inventory.Consume(ctx, manager, "visit-1", contractorops.MaterialsInput{JobID: job.ID, LocationID: truck.ID,
		Lines: []contractorops.MaterialLine{{SKU: "CAP-45-5", Quantity: decimal.New(3, 0)}}})
	m := used.Materials.Lines[0]
	fmt.Println("used", m.Quantity, m.SKU, "at", m.UnitCost, "- job material cost", used.Materials.Cost, used.Materials.Currency)
	stock, _ := eng.Inventory.StockByLocation(ctx, manager, truck.ID)
	fmt.Println(truck.Code, "on hand", stock.OnHand, "worth", stock.Value)
	// Output:
	// INVENTORY_SHORTAGE requirements.parts.0.quantity: CAP-45-5 short 1 (needs 5, 4 available)
	// reserved 3 on TRUCK-7
	// used 3 CAP-45-5 at 11.75 - job material cost 35.25 USD
	// TRUCK-7 on hand 1 worth 11.75
}
