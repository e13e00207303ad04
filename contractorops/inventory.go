package contractorops

import (
	"context"

	"github.com/hestami-ai/opsengine/inventory"
)

// InventoryService runs a contractor's stock (inventory/v1/*): items,
// locations (warehouses, branch stockrooms, technicians' trucks, vendor
// consignment), suppliers and reorder policies; the ledger of stock
// movements and what is derived from it; transfers, purchase orders and
// cycle counts; the parts of scheduled jobs and the materials used on
// visits; and the replenishment plan, which the procurement agent runs
// every night.
//
// Package inventory owns every rule and every figure: the engine stores its
// documents and the movements they post, in one transaction, and asks it.
// Quantities are decimals in the item's unit (to four places), costs
// decimals in the organization's currency.
//
// Office roles run the stock; a technician (role TECHNICIAN) records the
// materials of their own jobs from their own truck, receives transfers to
// it, and reads its stock: any other location is FORBIDDEN to them.
type InventoryService struct {
	createItem                    proc[StockItemInput, StockItem]
	updateItem                    proc[UpdateStockItemInput, StockItem]
	getItem                       proc[IDInput, StockItem]
	listItems                     proc[ListStockItemsInput, Page[StockItem]]
	createLocation                proc[StockLocationInput, StockLocation]
	updateLocation                proc[UpdateStockLocationInput, StockLocation]
	getLocation                   proc[IDInput, StockLocation]
	listLocations                 proc[ListStockLocationsInput, []StockLocation]
	createSupplier                proc[SupplierInput, Supplier]
	updateSupplier                proc[UpdateSupplierInput, Supplier]
	getSupplier                   proc[IDInput, Supplier]
	listSuppliers                 proc[ListSuppliersInput, []Supplier]
	setPolicy                     proc[SetPolicyInput, ReorderPolicy]
	removePolicy                  proc[PolicyRef, ReorderPolicy]
	listPolicies                  proc[ListPoliciesInput, []ReorderPolicy]
	receive                       proc[ReceiveStockInput, StockMoveResult]
	adjust                        proc[AdjustStockInput, StockMoveResult]
	consume, returnMaterials      proc[MaterialsInput, MaterialsResult]
	stockByItem                   proc[ItemRef, StockReport]
	stockByLocation               proc[StockLocationRef, StockReport]
	negatives                     proc[NegativesInput, NegativesReport]
	listMovements                 proc[ListMovementsInput, Page[StockMovement]]
	verifyLedger                  proc[VerifyLedgerInput, LedgerCheck]
	requestTransfer               proc[TransferInput, TransferResult]
	shipTransfer, receiveTransfer proc[DocumentLinesInput, TransferResult]
	cancelTransfer                proc[CancelDocumentInput, TransferResult]
	getTransfer                   proc[IDInput, StockTransfer]
	listTransfers                 proc[ListTransfersInput, Page[StockTransfer]]
	createOrder                   proc[PurchaseOrderInput, OrderResult]
	addOrderLine                  proc[OrderLineChangeInput, OrderResult]
	setOrderLine                  proc[SetOrderLineInput, OrderResult]
	removeOrderLine               proc[OrderLineRef, OrderResult]
	submitOrder                   proc[IDInput, OrderResult]
	confirmOrder                  proc[ConfirmOrderInput, OrderResult]
	receiveOrder                  proc[ReceiveOrderInput, OrderResult]
	cancelOrder                   proc[CancelDocumentInput, OrderResult]
	getOrder                      proc[IDInput, PurchaseOrder]
	listOrders                    proc[ListPurchaseOrdersInput, Page[PurchaseOrder]]
	startCount                    proc[StartCountInput, CountResult]
	recordCount                   proc[RecordCountInput, CountResult]
	completeCount, cancelCount    proc[IDInput, CountResult]
	getCount                      proc[IDInput, CycleCount]
	listCounts                    proc[ListCountsInput, Page[CycleCount]]
	reserveJob                    proc[ReserveJobPartsInput, JobReservation]
	releaseJob, jobReservation    proc[JobIDInput, JobReservation]
	jobMaterials                  proc[JobIDInput, JobMaterials]
	planReplenishment             proc[PlanReplenishmentInput, ReplenishmentRun]
	replenishmentPlan             proc[PlanReplenishmentInput, inventory.Proposal]
}

// CreateItem adds an item; its SKU is unique in the organization.
func (s *InventoryService) CreateItem(ctx context.Context, scope Scope, key string, in StockItemInput) (*StockItem, error) {
	return s.createItem.do(ctx, scope, key, in)
}

// UpdateItem changes an item, or retires it.
func (s *InventoryService) UpdateItem(ctx context.Context, scope Scope, key string, in UpdateStockItemInput) (*StockItem, error) {
	return s.updateItem.do(ctx, scope, key, in)
}

// GetItem reads an item.
func (s *InventoryService) GetItem(ctx context.Context, scope Scope, id string) (*StockItem, error) {
	return s.getItem.get(ctx, scope, IDInput{ID: id})
}

// ListItems lists items by SKU.
func (s *InventoryService) ListItems(ctx context.Context, scope Scope, in ListStockItemsInput) (*Page[StockItem], error) {
	return s.listItems.get(ctx, scope, in)
}

// CreateLocation adds a stock location.
func (s *InventoryService) CreateLocation(ctx context.Context, scope Scope, key string, in StockLocationInput) (*StockLocation, error) {
	return s.createLocation.do(ctx, scope, key, in)
}

// UpdateLocation changes a stock location, or retires it.
func (s *InventoryService) UpdateLocation(ctx context.Context, scope Scope, key string, in UpdateStockLocationInput) (*StockLocation, error) {
	return s.updateLocation.do(ctx, scope, key, in)
}

// GetLocation reads a stock location.
func (s *InventoryService) GetLocation(ctx context.Context, scope Scope, id string) (*StockLocation, error) {
	return s.getLocation.get(ctx, scope, IDInput{ID: id})
}

// ListLocations lists stock locations by code.
func (s *InventoryService) ListLocations(ctx context.Context, scope Scope, in ListStockLocationsInput) ([]StockLocation, error) {
	return deref(s.listLocations.get(ctx, scope, in))
}

// CreateSupplier adds a supplier.
func (s *InventoryService) CreateSupplier(ctx context.Context, scope Scope, key string, in SupplierInput) (*Supplier, error) {
	return s.createSupplier.do(ctx, scope, key, in)
}

// UpdateSupplier changes a supplier (its price list too), or retires it.
func (s *InventoryService) UpdateSupplier(ctx context.Context, scope Scope, key string, in UpdateSupplierInput) (*Supplier, error) {
	return s.updateSupplier.do(ctx, scope, key, in)
}

// GetSupplier reads a supplier.
func (s *InventoryService) GetSupplier(ctx context.Context, scope Scope, id string) (*Supplier, error) {
	return s.getSupplier.get(ctx, scope, IDInput{ID: id})
}

// ListSuppliers lists suppliers by code.
func (s *InventoryService) ListSuppliers(ctx context.Context, scope Scope, in ListSuppliersInput) ([]Supplier, error) {
	return deref(s.listSuppliers.get(ctx, scope, in))
}

// SetPolicy sets the reorder policy of an item at a location.
func (s *InventoryService) SetPolicy(ctx context.Context, scope Scope, key string, in SetPolicyInput) (*ReorderPolicy, error) {
	return s.setPolicy.do(ctx, scope, key, in)
}

// RemovePolicy removes the reorder policy of an item at a location.
func (s *InventoryService) RemovePolicy(ctx context.Context, scope Scope, key string, in PolicyRef) (*ReorderPolicy, error) {
	return s.removePolicy.do(ctx, scope, key, in)
}

// ListPolicies lists reorder policies by item.
func (s *InventoryService) ListPolicies(ctx context.Context, scope Scope, in ListPoliciesInput) ([]ReorderPolicy, error) {
	return deref(s.listPolicies.get(ctx, scope, in))
}

// Receive receives stock without a purchase order (opening balances too).
func (s *InventoryService) Receive(ctx context.Context, scope Scope, key string, in ReceiveStockInput) (*StockMoveResult, error) {
	return s.receive.do(ctx, scope, key, in)
}

// Adjust corrects stock, with a reason per line.
func (s *InventoryService) Adjust(ctx context.Context, scope Scope, key string, in AdjustStockInput) (*StockMoveResult, error) {
	return s.adjust.do(ctx, scope, key, in)
}

// Consume records materials used on a job's visit.
func (s *InventoryService) Consume(ctx context.Context, scope Scope, key string, in MaterialsInput) (*MaterialsResult, error) {
	return s.consume.do(ctx, scope, key, in)
}

// ReturnMaterials brings unused materials back from a job.
func (s *InventoryService) ReturnMaterials(ctx context.Context, scope Scope, key string, in MaterialsInput) (*MaterialsResult, error) {
	return s.returnMaterials.do(ctx, scope, key, in)
}

// StockByItem reads the stock of an item at every location.
func (s *InventoryService) StockByItem(ctx context.Context, scope Scope, itemID string) (*StockReport, error) {
	return s.stockByItem.get(ctx, scope, ItemRef{ItemID: itemID})
}

// StockByLocation reads the stock of every item at a location.
func (s *InventoryService) StockByLocation(ctx context.Context, scope Scope, locationID string) (*StockReport, error) {
	return s.stockByLocation.get(ctx, scope, StockLocationRef{LocationID: locationID})
}

// Negatives reads the negatives report.
func (s *InventoryService) Negatives(ctx context.Context, scope Scope) (*NegativesReport, error) {
	return s.negatives.get(ctx, scope, NegativesInput{})
}

// ListMovements lists the ledger, newest first.
func (s *InventoryService) ListMovements(ctx context.Context, scope Scope, in ListMovementsInput) (*Page[StockMovement], error) {
	return s.listMovements.get(ctx, scope, in)
}

// VerifyLedger checks every stored balance against the replay of its ledger.
func (s *InventoryService) VerifyLedger(ctx context.Context, scope Scope, in VerifyLedgerInput) (*LedgerCheck, error) {
	return s.verifyLedger.get(ctx, scope, in)
}

// RequestTransfer requests a transfer (PENDING: its lines are reserved at
// the source).
func (s *InventoryService) RequestTransfer(ctx context.Context, scope Scope, key string, in TransferInput) (*TransferResult, error) {
	return s.requestTransfer.do(ctx, scope, key, in)
}

// ShipTransfer ships a pending transfer, in full or in part.
func (s *InventoryService) ShipTransfer(ctx context.Context, scope Scope, key string, in DocumentLinesInput) (*TransferResult, error) {
	return s.shipTransfer.do(ctx, scope, key, in)
}

// ReceiveTransfer receives what arrived of a shipped transfer.
func (s *InventoryService) ReceiveTransfer(ctx context.Context, scope Scope, key string, in DocumentLinesInput) (*TransferResult, error) {
	return s.receiveTransfer.do(ctx, scope, key, in)
}

// CancelTransfer cancels a transfer not yet received.
func (s *InventoryService) CancelTransfer(ctx context.Context, scope Scope, key string, in CancelDocumentInput) (*TransferResult, error) {
	return s.cancelTransfer.do(ctx, scope, key, in)
}

// GetTransfer reads a transfer.
func (s *InventoryService) GetTransfer(ctx context.Context, scope Scope, id string) (*StockTransfer, error) {
	return s.getTransfer.get(ctx, scope, IDInput{ID: id})
}

// ListTransfers lists transfers, newest first.
func (s *InventoryService) ListTransfers(ctx context.Context, scope Scope, in ListTransfersInput) (*Page[StockTransfer], error) {
	return s.listTransfers.get(ctx, scope, in)
}

// CreatePurchaseOrder drafts a purchase order.
func (s *InventoryService) CreatePurchaseOrder(ctx context.Context, scope Scope, key string, in PurchaseOrderInput) (*OrderResult, error) {
	return s.createOrder.do(ctx, scope, key, in)
}

// AddOrderLine adds a line to a draft order.
func (s *InventoryService) AddOrderLine(ctx context.Context, scope Scope, key string, in OrderLineChangeInput) (*OrderResult, error) {
	return s.addOrderLine.do(ctx, scope, key, in)
}

// SetOrderLine changes a line's quantity and unit cost.
func (s *InventoryService) SetOrderLine(ctx context.Context, scope Scope, key string, in SetOrderLineInput) (*OrderResult, error) {
	return s.setOrderLine.do(ctx, scope, key, in)
}

// RemoveOrderLine removes a line from a draft order.
func (s *InventoryService) RemoveOrderLine(ctx context.Context, scope Scope, key string, in OrderLineRef) (*OrderResult, error) {
	return s.removeOrderLine.do(ctx, scope, key, in)
}

// SubmitOrder sends a draft order to the supplier.
func (s *InventoryService) SubmitOrder(ctx context.Context, scope Scope, key, id string) (*OrderResult, error) {
	return s.submitOrder.do(ctx, scope, key, IDInput{ID: id})
}

// ConfirmOrder records the supplier's confirmation.
func (s *InventoryService) ConfirmOrder(ctx context.Context, scope Scope, key string, in ConfirmOrderInput) (*OrderResult, error) {
	return s.confirmOrder.do(ctx, scope, key, in)
}

// ReceiveOrder receives one shipment against an order.
func (s *InventoryService) ReceiveOrder(ctx context.Context, scope Scope, key string, in ReceiveOrderInput) (*OrderResult, error) {
	return s.receiveOrder.do(ctx, scope, key, in)
}

// CancelOrder cancels an order not yet fully received.
func (s *InventoryService) CancelOrder(ctx context.Context, scope Scope, key string, in CancelDocumentInput) (*OrderResult, error) {
	return s.cancelOrder.do(ctx, scope, key, in)
}

// GetPurchaseOrder reads a purchase order.
func (s *InventoryService) GetPurchaseOrder(ctx context.Context, scope Scope, id string) (*PurchaseOrder, error) {
	return s.getOrder.get(ctx, scope, IDInput{ID: id})
}

// ListPurchaseOrders lists purchase orders, newest first.
func (s *InventoryService) ListPurchaseOrders(ctx context.Context, scope Scope, in ListPurchaseOrdersInput) (*Page[PurchaseOrder], error) {
	return s.listOrders.get(ctx, scope, in)
}

// StartCount opens a cycle count.
func (s *InventoryService) StartCount(ctx context.Context, scope Scope, key string, in StartCountInput) (*CountResult, error) {
	return s.startCount.do(ctx, scope, key, in)
}

// RecordCount records what was counted.
func (s *InventoryService) RecordCount(ctx context.Context, scope Scope, key string, in RecordCountInput) (*CountResult, error) {
	return s.recordCount.do(ctx, scope, key, in)
}

// CompleteCount completes a count: its variances become COUNT movements.
func (s *InventoryService) CompleteCount(ctx context.Context, scope Scope, key, id string) (*CountResult, error) {
	return s.completeCount.do(ctx, scope, key, IDInput{ID: id})
}

// CancelCount abandons an open count.
func (s *InventoryService) CancelCount(ctx context.Context, scope Scope, key, id string) (*CountResult, error) {
	return s.cancelCount.do(ctx, scope, key, IDInput{ID: id})
}

// GetCount reads a cycle count.
func (s *InventoryService) GetCount(ctx context.Context, scope Scope, id string) (*CycleCount, error) {
	return s.getCount.get(ctx, scope, IDInput{ID: id})
}

// ListCounts lists cycle counts, newest first.
func (s *InventoryService) ListCounts(ctx context.Context, scope Scope, in ListCountsInput) (*Page[CycleCount], error) {
	return s.listCounts.get(ctx, scope, in)
}

// ReserveJob reserves a job's parts on a technician's truck.
func (s *InventoryService) ReserveJob(ctx context.Context, scope Scope, key string, in ReserveJobPartsInput) (*JobReservation, error) {
	return s.reserveJob.do(ctx, scope, key, in)
}

// ReleaseJob releases what a job's reservation holds.
func (s *InventoryService) ReleaseJob(ctx context.Context, scope Scope, key, jobID string) (*JobReservation, error) {
	return s.releaseJob.do(ctx, scope, key, JobIDInput{JobID: jobID})
}

// JobReservation reads a job's reservation.
func (s *InventoryService) JobReservation(ctx context.Context, scope Scope, jobID string) (*JobReservation, error) {
	return s.jobReservation.get(ctx, scope, JobIDInput{JobID: jobID})
}

// JobMaterials reads the materials a job used and their cost.
func (s *InventoryService) JobMaterials(ctx context.Context, scope Scope, jobID string) (*JobMaterials, error) {
	return s.jobMaterials.get(ctx, scope, JobIDInput{JobID: jobID})
}

// PlanReplenishment runs the replenishment plan and drafts its documents.
func (s *InventoryService) PlanReplenishment(ctx context.Context, scope Scope, key string, in PlanReplenishmentInput) (*ReplenishmentRun, error) {
	return s.planReplenishment.do(ctx, scope, key, in)
}

// ReplenishmentPlan computes the replenishment plan without acting on it.
func (s *InventoryService) ReplenishmentPlan(ctx context.Context, scope Scope, in PlanReplenishmentInput) (*inventory.Proposal, error) {
	return s.replenishmentPlan.get(ctx, scope, in)
}

func (e *Engine) registerInventory() {
	manage, office := rolesManage(), rolesOffice()
	readers := rolesReaders()
	field := with(rolesOffice(), RoleTechnician)  // technicians: their own jobs, from their own truck
	truckReaders := with(readers, RoleTechnician) // technicians: their own truck
	e.Inventory = &InventoryService{
		createItem: mutation(e, "inventory/v1/createItem", "Add an inventory item.", manage, (*call).createStockItem),
		updateItem: mutation(e, "inventory/v1/updateItem", "Change an inventory item, or retire it.", manage, (*call).updateStockItem),
		getItem: query(e, "inventory/v1/getItem", "Read an inventory item.", truckReaders,
			func(c *call, in *IDInput) (*StockItem, error) { return getByID(c, stockItemsTable, in.ID) }),
		listItems:      query(e, "inventory/v1/listItems", "List inventory items by SKU.", truckReaders, (*call).listStockItems),
		createLocation: mutation(e, "inventory/v1/createLocation", "Add a stock location: a warehouse, a truck, a branch stockroom, consignment stock.", manage, (*call).createStockLocation),
		updateLocation: mutation(e, "inventory/v1/updateLocation", "Change a stock location, or retire it.", manage, (*call).updateStockLocation),
		getLocation: query(e, "inventory/v1/getLocation", "Read a stock location.", readers,
			func(c *call, in *IDInput) (*StockLocation, error) { return getByID(c, stockLocationsTable, in.ID) }),
		listLocations:  query(e, "inventory/v1/listLocations", "List stock locations by code (a technician: their truck).", truckReaders, (*call).listStockLocations),
		createSupplier: mutation(e, "inventory/v1/createSupplier", "Add a supplier and its price list.", manage, (*call).createSupplier),
		updateSupplier: mutation(e, "inventory/v1/updateSupplier", "Change a supplier or its price list, or retire it.", manage, (*call).updateSupplier),
		getSupplier: query(e, "inventory/v1/getSupplier", "Read a supplier.", readers,
			func(c *call, in *IDInput) (*Supplier, error) { return getByID(c, suppliersTable, in.ID) }),
		listSuppliers: query(e, "inventory/v1/listSuppliers", "List suppliers by code.", readers, (*call).listSuppliers),
		setPolicy:     mutation(e, "inventory/v1/setPolicy", "Set the reorder policy of an item at a location.", manage, (*call).setPolicy),
		removePolicy: mutation(e, "inventory/v1/removePolicy", "Remove the reorder policy of an item at a location.", manage,
			func(c *call, in *PolicyRef) (*ReorderPolicy, error) {
				return inTx(c, "remove-policy", func(t *txn) (*ReorderPolicy, error) {
					return removeByID(t, policiesTable, policyID(in.ItemID, in.LocationID))
				})
			}),
		listPolicies:    query(e, "inventory/v1/listPolicies", "List reorder policies, of an item or of a location.", readers, (*call).listPolicies),
		receive:         mutation(e, "inventory/v1/receive", "Receive stock without a purchase order (opening balances too).", office, (*call).receiveStock),
		adjust:          mutation(e, "inventory/v1/adjust", "Correct stock, with a reason per line.", manage, (*call).adjustStock),
		consume:         mutation(e, "inventory/v1/consume", "Record materials used on a job's visit, from the technician's truck.", field, (*call).consume),
		returnMaterials: mutation(e, "inventory/v1/returnMaterials", "Bring unused materials back from a job.", field, (*call).returnMaterials),
		stockByItem:     query(e, "inventory/v1/stockByItem", "Read the stock of an item at every location.", readers, (*call).stockByItem),
		stockByLocation: query(e, "inventory/v1/stockByLocation", "Read the stock of every item at a location (a technician: their truck).", truckReaders, (*call).stockByLocation),
		negatives:       query(e, "inventory/v1/negatives", "Report negative stock, stock reserved beyond what is on hand, and jobs scheduled short of parts.", readers, (*call).negatives),
		listMovements:   query(e, "inventory/v1/listMovements", "List the stock ledger, newest first.", truckReaders, (*call).listMovements),
		verifyLedger:    query(e, "inventory/v1/verifyLedger", "Check every stored balance against the replay of its ledger.", rolesAdmin(), (*call).verifyLedger),
		requestTransfer: mutation(e, "inventory/v1/requestTransfer", "Request a transfer between two locations.", office, (*call).requestTransfer),
		shipTransfer:    mutation(e, "inventory/v1/shipTransfer", "Ship a pending transfer, in full or in part.", office, (*call).shipTransfer),
		receiveTransfer: mutation(e, "inventory/v1/receiveTransfer", "Receive what arrived of a transfer (a technician: to their truck).", field, (*call).receiveTransfer),
		cancelTransfer:  mutation(e, "inventory/v1/cancelTransfer", "Cancel a transfer; what did not arrive returns to the source.", office, (*call).cancelTransfer),
		getTransfer: query(e, "inventory/v1/getTransfer", "Read a transfer.", readers,
			func(c *call, in *IDInput) (*StockTransfer, error) { return getByID(c, transfersTable, in.ID) }),
		listTransfers:   query(e, "inventory/v1/listTransfers", "List transfers, newest first.", readers, (*call).listTransfers),
		createOrder:     mutation(e, "inventory/v1/createPurchaseOrder", "Draft a purchase order.", office, (*call).createPurchaseOrder),
		addOrderLine:    mutation(e, "inventory/v1/addOrderLine", "Add a line to a draft purchase order.", office, (*call).addOrderLine),
		setOrderLine:    mutation(e, "inventory/v1/setOrderLine", "Change a purchase order line's quantity and cost.", office, (*call).setOrderLine),
		removeOrderLine: mutation(e, "inventory/v1/removeOrderLine", "Remove a line from a draft purchase order.", office, (*call).removeOrderLine),
		submitOrder:     mutation(e, "inventory/v1/submitOrder", "Send a draft purchase order to the supplier.", office, (*call).submitOrder),
		confirmOrder:    mutation(e, "inventory/v1/confirmOrder", "Record the supplier's confirmation of a purchase order.", office, (*call).confirmOrder),
		receiveOrder:    mutation(e, "inventory/v1/receiveOrder", "Receive a shipment against a purchase order.", office, (*call).receiveOrder),
		cancelOrder:     mutation(e, "inventory/v1/cancelOrder", "Cancel a purchase order not yet fully received.", office, (*call).cancelOrder),
		getOrder: query(e, "inventory/v1/getPurchaseOrder", "Read a purchase order.", readers,
			func(c *call, in *IDInput) (*PurchaseOrder, error) { return getByID(c, purchaseOrdersTable, in.ID) }),
		listOrders:    query(e, "inventory/v1/listPurchaseOrders", "List purchase orders, newest first.", readers, (*call).listPurchaseOrders),
		startCount:    mutation(e, "inventory/v1/startCount", "Open a cycle count at a location.", office, (*call).startCount),
		recordCount:   mutation(e, "inventory/v1/recordCount", "Record what a cycle count counted.", office, (*call).recordCount),
		completeCount: mutation(e, "inventory/v1/completeCount", "Complete a cycle count: its variances adjust the stock.", office, (*call).completeCount),
		cancelCount:   mutation(e, "inventory/v1/cancelCount", "Abandon an open cycle count.", office, (*call).cancelCount),
		getCount: query(e, "inventory/v1/getCount", "Read a cycle count.", readers,
			func(c *call, in *IDInput) (*CycleCount, error) { return getByID(c, countsTable, in.ID) }),
		listCounts:        query(e, "inventory/v1/listCounts", "List cycle counts, newest first.", readers, (*call).listCounts),
		reserveJob:        mutation(e, "inventory/v1/reserveJob", "Reserve a job's parts on its technician's truck (a dispatcher may override a shortage with a reason).", with(office, RoleAgent), (*call).reserveJob),
		releaseJob:        mutation(e, "inventory/v1/releaseJob", "Release what a job's parts reservation holds.", with(office, RoleAgent), (*call).releaseJob),
		jobReservation:    query(e, "inventory/v1/jobReservation", "Read a job's parts reservation.", with(readers, RoleTechnician, RoleAgent), (*call).getJobReservation),
		jobMaterials:      query(e, "inventory/v1/jobMaterials", "Read the materials a job used and their cost.", truckReaders, (*call).getJobMaterials),
		planReplenishment: mutation(e, "inventory/v1/planReplenishment", "Run the replenishment plan: draft its transfers and purchase orders (the procurement agent's command).", with(office, RoleAgent), (*call).planReplenishment),
		replenishmentPlan: query(e, "inventory/v1/replenishmentPlan", "Compute the replenishment plan without acting on it.", readers, (*call).replenishmentPlan),
	}
	e.tasks = append(e.tasks, procurementTask())
	e.materialSources = append(e.materialSources, inventoryMaterials)
}

// getByID reads one entity of tb.
func getByID[T any, P entity[T]](c *call, tb table[T], id string) (P, error) {
	return inTx(c, "get", func(t *txn) (P, error) { return load[T, P](t, tb, id) })
}

func (c *call) listStockItems(in *ListStockItemsInput) (*Page[StockItem], error) {
	return inTx(c, "list-items", func(t *txn) (*Page[StockItem], error) {
		q := Query{OrderBy: "sku"}
		if s := skuKey(in.Search); s != "" {
			q.Where = append(q.Where, Gte("sku", s), Lt("sku", s+"\U0010FFFF"))
		}
		if in.Category != "" {
			q.Where = append(q.Where, Eq("category", in.Category))
		}
		if !in.IncludeInactive {
			q.Where = append(q.Where, Eq("active", "true"))
		}
		q = in.PageRequest.apply(q)
		items, err := find(t, stockItemsTable, q)
		if err != nil {
			return nil, err
		}
		return pageOf(in.PageRequest, q, items, func(it *StockItem) string { return skuKey(it.SKU) }), nil
	})
}

func (c *call) listStockLocations(in *ListStockLocationsInput) (*[]StockLocation, error) {
	return inTx(c, "list-locations", func(t *txn) (*[]StockLocation, error) {
		q := Query{OrderBy: "code"}
		if tech := c.technicianID(); tech != "" {
			if in.TechnicianID != "" && in.TechnicianID != tech {
				return &[]StockLocation{}, nil
			}
			in.TechnicianID = tech
		}
		if in.Type != "" {
			q.Where = append(q.Where, Eq("type", string(in.Type)))
		}
		if in.TechnicianID != "" {
			q.Where = append(q.Where, Eq("technician_id", in.TechnicianID))
		}
		if !in.IncludeInactive {
			q.Where = append(q.Where, Eq("active", "true"))
		}
		return all(t, stockLocationsTable, q)
	})
}

func (c *call) listSuppliers(in *ListSuppliersInput) (*[]Supplier, error) {
	return inTx(c, "list-suppliers", func(t *txn) (*[]Supplier, error) {
		q := Query{OrderBy: "code"}
		if !in.IncludeInactive {
			q.Where = append(q.Where, Eq("active", "true"))
		}
		return all(t, suppliersTable, q)
	})
}

func (c *call) listPolicies(in *ListPoliciesInput) (*[]ReorderPolicy, error) {
	return inTx(c, "list-policies", func(t *txn) (*[]ReorderPolicy, error) {
		q := Query{OrderBy: "item_id"}
		if in.ItemID != "" {
			q.Where = append(q.Where, Eq("item_id", in.ItemID))
		}
		if in.LocationID != "" {
			q.Where = append(q.Where, Eq("location_id", in.LocationID))
		}
		return all(t, policiesTable, q)
	})
}
