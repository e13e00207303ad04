package contractorops

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/inventory"
)

// The inventory's master data: items, locations, suppliers and
// replenishment policies. Each converts to the type of package inventory
// that owns its rules.

// StockItem is a part or material the contractor stocks, identified by its
// SKU (unique in the organization, without case).
type StockItem struct {
	Meta
	StockItemInput
	Active bool `json:"active"`
}

// StockItemInput is an item's editable fields.
type StockItemInput struct {
	SKU         string                  `json:"sku"`
	Name        string                  `json:"name"`
	Description string                  `json:"description,omitempty"`
	Category    string                  `json:"category,omitempty"`
	Unit        inventory.UnitOfMeasure `json:"unitOfMeasure,omitempty"` // default EACH
	// UnitCost is the standard cost, in the organization's currency: the
	// value of stock issued before any was received.
	UnitCost decimal.Decimal `json:"unitCost"`
	// Costing is fixed when the item is created (default MOVING_AVERAGE).
	Costing inventory.CostingMethod `json:"costing,omitempty"`
	// Step is the smallest quantity a replenishment plan proposes (default 1).
	Step                decimal.Decimal `json:"step,omitzero"`
	SerialTracked       bool            `json:"serialTracked,omitempty"`
	LotTracked          bool            `json:"lotTracked,omitempty"`
	PreferredSupplierID string          `json:"preferredSupplierId,omitempty"`
	// PricebookItemID is the pricebook item an invoice bills the item as.
	PricebookItemID string `json:"pricebookItemId,omitempty"`
}

// Validate checks the input.
func (in StockItemInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.SKU, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Name, validation.Required, validation.Length(1, 255)),
		validation.Field(&in.Description, validation.Length(0, 2000)),
		validation.Field(&in.Category, validation.Length(0, 100)),
		validation.Field(&in.Unit, validation.In(enumValues(units)...)),
		validation.Field(&in.UnitCost, validation.By(decimalRule(false, inventory.CostPlaces, maxCost))),
		validation.Field(&in.Costing, validation.In(inventory.MovingAverage, inventory.FIFO)),
		validation.Field(&in.Step, validation.By(decimalRule(false, quantityPlaces, maxQuantity))),
		validation.Field(&in.PreferredSupplierID, validation.Length(0, 100)),
		validation.Field(&in.PricebookItemID, validation.Length(0, 100)),
	)
}

// UpdateStockItemInput replaces an item's fields; Active false retires it.
// The costing method and, once stock has moved, the unit cannot change.
type UpdateStockItemInput struct {
	ID string `json:"id"`
	StockItemInput
	Active *bool `json:"active,omitempty"`
}

// Validate checks the input.
func (in UpdateStockItemInput) Validate() error { return validateWithID(in.ID, in.StockItemInput) }

// item is the item as package inventory sees it.
func (it *StockItem) item() inventory.Item {
	return inventory.Item{
		ID: it.ID, SKU: it.SKU, Name: it.Name, Category: it.Category, Unit: it.Unit, StandardCost: it.UnitCost,
		Costing: it.Costing, Step: it.Step, SerialTracked: it.SerialTracked, LotTracked: it.LotTracked,
		PreferredSupplierID: it.PreferredSupplierID,
	}
}

// StockLocation is a place stock is kept: a warehouse, a branch stockroom, a
// technician's truck (tied to the technician, fed by its warehouse) or a
// vendor's consignment stock.
type StockLocation struct {
	Meta
	StockLocationInput
	Active bool `json:"active"`
}

// StockLocationInput is a location's editable fields.
type StockLocationInput struct {
	Code string                 `json:"code"`
	Name string                 `json:"name"`
	Type inventory.LocationType `json:"type"`
	// TechnicianID is the technician who drives a TRUCK (required for a
	// truck, and only for one; a technician drives one truck).
	TechnicianID string `json:"technicianId,omitempty"`
	// ReplenishFromID is the location that refills this one by transfer (a
	// truck's warehouse): reservations fall back to it and plans refill
	// from it.
	ReplenishFromID string `json:"replenishFromId,omitempty"`
	BranchID        string `json:"branchId,omitempty"`
	// SupplierID is the vendor that owns a VENDOR_CONSIGNMENT location.
	SupplierID string `json:"supplierId,omitempty"`
	// AllowNegative lets stock go below zero (reported by
	// inventory/v1/negatives): technicians record parts the ledger did not
	// know they carried.
	AllowNegative bool     `json:"allowNegative,omitempty"`
	Address       *Address `json:"address,omitempty"`
}

// Validate checks the input.
func (in StockLocationInput) Validate() error {
	truck := in.Type == inventory.Truck
	return validation.ValidateStruct(&in,
		validation.Field(&in.Code, validation.Required, validation.Length(1, 50)),
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Type, validation.Required, validation.In(inventory.Warehouse, inventory.Truck, inventory.Branch, inventory.VendorConsignment)),
		validation.Field(&in.TechnicianID, validation.Length(0, 100),
			validation.When(truck, validation.Required.Error("a truck is driven by a technician")),
			validation.When(!truck, validation.Empty.Error("only a truck has a technician"))),
		validation.Field(&in.ReplenishFromID, validation.Length(0, 100)),
		validation.Field(&in.BranchID, validation.Length(0, 100)),
		validation.Field(&in.SupplierID, validation.Length(0, 100),
			validation.When(in.Type == inventory.VendorConsignment, validation.Required.Error("consignment stock belongs to a supplier"))),
		validation.Field(&in.Address),
	)
}

// UpdateStockLocationInput replaces a location's fields; Active false
// retires it.
type UpdateStockLocationInput struct {
	ID string `json:"id"`
	StockLocationInput
	Active *bool `json:"active,omitempty"`
}

// Validate checks the input.
func (in UpdateStockLocationInput) Validate() error {
	return validateWithID(in.ID, in.StockLocationInput)
}

func (l *StockLocation) location() inventory.Location {
	return inventory.Location{
		ID: l.ID, Code: l.Code, Name: l.Name, Type: l.Type, TechnicianID: l.TechnicianID,
		ReplenishFromID: l.ReplenishFromID, BranchID: l.BranchID, SupplierID: l.SupplierID, AllowNegative: l.AllowNegative,
	}
}

// Supplier is a vendor the contractor buys stock from, with its lead time and
// its price list (price, pack size and minimum order per item).
type Supplier struct {
	Meta
	SupplierInput
	Active bool `json:"active"`
}

// SupplierInput is a supplier's editable fields.
type SupplierInput struct {
	Code             string                   `json:"code"`
	Name             string                   `json:"name"`
	ContactName      string                   `json:"contactName,omitempty"`
	Email            string                   `json:"email,omitempty"`
	Phone            string                   `json:"phone,omitempty"`
	PaymentTermsDays int                      `json:"paymentTermsDays,omitempty"`
	LeadTime         inventory.LeadTime       `json:"leadTime"`
	Items            []inventory.SupplierItem `json:"items,omitempty"`
}

// Validate checks the input.
func (in SupplierInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Code, validation.Required, validation.Length(1, 50)),
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.ContactName, validation.Length(0, 200)),
		validation.Field(&in.Email, validation.Length(0, 254)),
		validation.Field(&in.Phone, validation.Length(0, 40)),
		validation.Field(&in.PaymentTermsDays, validation.Min(0), validation.Max(365)),
		validation.Field(&in.LeadTime, validation.By(leadTimeRule)),
		validation.Field(&in.Items, validation.Length(0, 10000), validation.By(func(any) error {
			seen := map[string]bool{}
			errs := validation.Errors{}
			for i, si := range in.Items {
				err := validation.ValidateStruct(&si,
					validation.Field(&si.ItemID, validation.Required, validation.Length(1, 100)),
					validation.Field(&si.SupplierSKU, validation.Length(0, 100)),
					validation.Field(&si.UnitCost, validation.By(decimalRule(false, inventory.CostPlaces, maxCost))),
					validation.Field(&si.PackSize, validation.By(decimalRule(false, quantityPlaces, maxQuantity))),
					validation.Field(&si.MinOrder, validation.By(decimalRule(false, quantityPlaces, maxQuantity))),
					validation.Field(&si.LeadTime, validation.By(func(any) error {
						if si.LeadTime == nil {
							return nil
						}
						return leadTimeRule(*si.LeadTime)
					})),
				)
				if err == nil && seen[si.ItemID] {
					err = validation.Errors{"itemId": validation.NewError("validation_duplicate", "the price list names the item twice")}
				}
				if err != nil {
					errs[strconv.Itoa(i)] = err
				}
				seen[si.ItemID] = true
			}
			if len(errs) == 0 {
				return nil
			}
			return errs
		})),
	)
}

// UpdateSupplierInput replaces a supplier's fields; Active false retires it.
type UpdateSupplierInput struct {
	ID string `json:"id"`
	SupplierInput
	Active *bool `json:"active,omitempty"`
}

// Validate checks the input.
func (in UpdateSupplierInput) Validate() error { return validateWithID(in.ID, in.SupplierInput) }

func (s *Supplier) supplier() inventory.Supplier {
	return inventory.Supplier{ID: s.ID, Code: s.Code, Name: s.Name, LeadTime: s.LeadTime, Items: s.Items}
}

// price returns the supplier's price list line of an item.
func (s *Supplier) price(itemID string) (inventory.SupplierItem, bool) {
	i := slices.IndexFunc(s.Items, func(si inventory.SupplierItem) bool { return si.ItemID == itemID })
	if i < 0 {
		return inventory.SupplierItem{}, false
	}
	return s.Items[i], true
}

// ReorderPolicy is the replenishment rule of one item at one location (at
// most one per item×location): a truck's stock template (MIN_MAX) or a
// reorder point computed from demand (REORDER_POINT). See [inventory.Policy].
type ReorderPolicy struct {
	Meta
	inventory.Policy
}

// SetPolicyInput sets the policy of an item at a location, replacing the
// one it had.
type SetPolicyInput struct {
	inventory.Policy
}

// Validate checks the input.
func (in SetPolicyInput) Validate() error {
	p := &in.Policy
	amount := func(places int32) validation.Rule { return validation.By(decimalRule(false, places, maxQuantity)) }
	return validation.ValidateStruct(p,
		validation.Field(&p.ItemID, validation.Required, validation.Length(1, 100)),
		validation.Field(&p.LocationID, validation.Required, validation.Length(1, 100)),
		validation.Field(&p.Kind, validation.Required, validation.In(inventory.PolicyMinMax, inventory.PolicyReorderPoint)),
		validation.Field(&p.Min, amount(quantityPlaces)),
		validation.Field(&p.Max, amount(quantityPlaces)),
		validation.Field(&p.Z, validation.By(decimalRule(false, 4, decimal.New(5, 0)))),
		validation.Field(&p.ReviewDays, validation.By(decimalRule(false, 2, decimal.New(365, 0)))),
		validation.Field(&p.LeadTime, validation.By(func(any) error {
			if p.LeadTime == nil {
				return nil
			}
			return leadTimeRule(*p.LeadTime)
		})),
		validation.Field(&p.OrderQuantity, amount(quantityPlaces)),
		validation.Field(&p.OrderCost, validation.By(decimalRule(false, inventory.CostPlaces, maxCost))),
		validation.Field(&p.HoldingRate, validation.By(decimalRule(false, 4, decimal.New(10, 0)))),
		validation.Field(&p.Multiple, amount(quantityPlaces)),
		validation.Field(&p.SupplierID, validation.Length(0, 100)),
	)
}

// PolicyRef names the policy of an item at a location.
type PolicyRef struct {
	ItemID     string `json:"itemId"`
	LocationID string `json:"locationId"`
}

// Validate checks the input.
func (in PolicyRef) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ItemID, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.LocationID, validation.Required, validation.Length(1, 100)),
	)
}

// policyID is the id of the policy of an item at a location: one per pair.
func policyID(itemID, locationID string) string { return "policy:" + itemID + ":" + locationID }

// ListStockItemsInput lists items by SKU, optionally those whose SKU starts
// with Search, or of one category.
type ListStockItemsInput struct {
	Search          string `json:"search,omitempty"`
	Category        string `json:"category,omitempty"`
	IncludeInactive bool   `json:"includeInactive,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListStockItemsInput) Validate() error {
	return validateAll(validation.ValidateStruct(&in,
		validation.Field(&in.Search, validation.Length(0, 100)),
		validation.Field(&in.Category, validation.Length(0, 100)),
	), in.PageRequest.Validate())
}

// ListStockLocationsInput lists locations by code, optionally of one type or
// one technician.
type ListStockLocationsInput struct {
	Type            inventory.LocationType `json:"type,omitempty"`
	TechnicianID    string                 `json:"technicianId,omitempty"`
	IncludeInactive bool                   `json:"includeInactive,omitempty"`
}

// Validate checks the input.
func (in ListStockLocationsInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Type, validation.In(inventory.Warehouse, inventory.Truck, inventory.Branch, inventory.VendorConsignment)))
}

// ListSuppliersInput lists suppliers by code.
type ListSuppliersInput struct {
	IncludeInactive bool `json:"includeInactive,omitempty"`
}

// Validate checks the input.
func (in ListSuppliersInput) Validate() error { return nil }

// ListPoliciesInput lists the policies of an item or of a location (or all).
type ListPoliciesInput struct {
	ItemID     string `json:"itemId,omitempty"`
	LocationID string `json:"locationId,omitempty"`
}

// Validate checks the input.
func (in ListPoliciesInput) Validate() error { return nil }

var (
	stockItemsTable = table[StockItem]{
		spec: TableSpec{Name: "inventory_items", Keys: []string{"sku", "name", "category", "active"}, Unique: [][]string{{"sku"}}},
		keys: func(it *StockItem) map[string]string {
			return keys("sku", skuKey(it.SKU), "name", strings.ToLower(it.Name), "category", it.Category, "active", boolKey(it.Active))
		},
	}
	stockLocationsTable = table[StockLocation]{
		spec: TableSpec{Name: "inventory_locations", Keys: []string{"code", "type", "technician_id", "replenish_from_id", "active"},
			Unique: [][]string{{"code"}, {"technician_id"}}},
		keys: func(l *StockLocation) map[string]string {
			return keys("code", strings.ToUpper(l.Code), "type", string(l.Type), "technician_id", l.TechnicianID,
				"replenish_from_id", l.ReplenishFromID, "active", boolKey(l.Active))
		},
	}
	suppliersTable = table[Supplier]{
		spec: TableSpec{Name: "inventory_suppliers", Keys: []string{"code", "active"}, Unique: [][]string{{"code"}}},
		keys: func(s *Supplier) map[string]string {
			return keys("code", strings.ToUpper(s.Code), "active", boolKey(s.Active))
		},
	}
	policiesTable = table[ReorderPolicy]{
		spec: TableSpec{Name: "inventory_policies", Keys: []string{"item_id", "location_id"}, Unique: [][]string{{"item_id", "location_id"}}},
		keys: func(p *ReorderPolicy) map[string]string {
			return keys("item_id", p.ItemID, "location_id", p.LocationID)
		},
	}
)

// skuKey is the key an SKU is unique and found by: without case or
// surrounding space.
func skuKey(sku string) string { return strings.ToUpper(strings.TrimSpace(sku)) }

// Bounds of the figures the inventory accepts: quantities to the
// ten-thousandth (what an invoice line can bill) below a billion, costs to
// inventory.CostPlaces below a billion.
const quantityPlaces = 4

var (
	maxQuantity = decimal.New(1, 9)
	maxCost     = decimal.New(1, 9)
)

var units = []inventory.UnitOfMeasure{
	inventory.Each, inventory.Box, inventory.Case, inventory.Pack, inventory.Roll, inventory.Gallon, inventory.Quart,
	inventory.Pint, inventory.Ounce, inventory.Pound, inventory.Foot, inventory.Yard, inventory.Meter,
	inventory.SquareFoot, inventory.CubicFoot, inventory.Hour, inventory.Day,
}

func enumValues[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func leadTimeRule(v any) error {
	lt := v.(inventory.LeadTime)
	return validation.ValidateStruct(&lt,
		validation.Field(&lt.Days, validation.By(decimalRule(false, 2, decimal.New(365, 0)))),
		validation.Field(&lt.StdDev, validation.By(decimalRule(false, 2, decimal.New(365, 0)))),
	)
}

func (c *call) createStockItem(in *StockItemInput) (*StockItem, error) {
	return inTx(c, "create-item", func(t *txn) (*StockItem, error) {
		it := &StockItem{Meta: Meta{ID: c.e.newID()}, StockItemInput: *in, Active: true}
		if err := checkStockItem(t, it, nil); err != nil {
			return nil, err
		}
		return it, insert(t, stockItemsTable, it)
	})
}

func (c *call) updateStockItem(in *UpdateStockItemInput) (*StockItem, error) {
	return inTx(c, "update-item", func(t *txn) (*StockItem, error) {
		return modify(t, stockItemsTable, in.ID, func(it *StockItem) error {
			was := *it
			it.StockItemInput = in.StockItemInput
			set(&it.Active, in.Active)
			return checkStockItem(t, it, &was)
		})
	})
}

// checkStockItem normalizes an item and checks it against the store: its
// SKU is free, its supplier exists, and an update keeps its costing method
// and, once stock moved, its unit.
func checkStockItem(t *txn, it *StockItem, was *StockItem) error {
	it.SKU = strings.TrimSpace(it.SKU)
	it.Unit = or(it.Unit, inventory.Each)
	if was != nil {
		if it.Costing == "" {
			it.Costing = was.Costing
		}
		if it.Costing != was.Costing {
			return fieldError(CodeValidationFailed, "costing", "validation_immutable", "the costing method is fixed when the item is created")
		}
		if it.Unit != was.Unit {
			moved, err := find(t, stockBalancesTable, Query{Where: []Cond{Eq("item_id", it.ID)}, Limit: 1})
			if err != nil {
				return err
			}
			if len(moved) > 0 {
				return fieldError(CodeValidationFailed, "unitOfMeasure", "validation_immutable", "the unit of an item whose stock has moved cannot change")
			}
		}
	}
	it.Costing = or(it.Costing, inventory.MovingAverage)
	if err := ensureUnique(t, stockItemsTable, it.ID, "an item with SKU "+it.SKU, Eq("sku", skuKey(it.SKU))); err != nil {
		return err
	}
	if it.PreferredSupplierID != "" {
		if _, err := load(t, suppliersTable, it.PreferredSupplierID); err != nil {
			return fieldNotFound(err, "preferredSupplierId")
		}
	}
	return nil
}

func (c *call) createStockLocation(in *StockLocationInput) (*StockLocation, error) {
	return inTx(c, "create-location", func(t *txn) (*StockLocation, error) {
		l := &StockLocation{Meta: Meta{ID: c.e.newID()}, StockLocationInput: *in, Active: true}
		if err := checkStockLocation(t, l); err != nil {
			return nil, err
		}
		return l, insert(t, stockLocationsTable, l)
	})
}

func (c *call) updateStockLocation(in *UpdateStockLocationInput) (*StockLocation, error) {
	return inTx(c, "update-location", func(t *txn) (*StockLocation, error) {
		return modify(t, stockLocationsTable, in.ID, func(l *StockLocation) error {
			l.StockLocationInput = in.StockLocationInput
			set(&l.Active, in.Active)
			return checkStockLocation(t, l)
		})
	})
}

// checkStockLocation checks a location against the store: its code is free,
// a truck's technician exists and drives no other truck, its branch and
// supplier exist, and the replenishment graph stays a tree (inventory's
// rule, checked on every location).
func checkStockLocation(t *txn, l *StockLocation) error {
	l.Code = strings.TrimSpace(l.Code)
	if err := ensureUnique(t, stockLocationsTable, l.ID, "a location with code "+l.Code, Eq("code", strings.ToUpper(l.Code))); err != nil {
		return err
	}
	if l.TechnicianID != "" {
		if _, err := load(t, techniciansTable, l.TechnicianID); err != nil {
			return fieldNotFound(err, "technicianId")
		}
		if err := ensureUnique(t, stockLocationsTable, l.ID, "a truck of technician "+l.TechnicianID, Eq("technician_id", l.TechnicianID)); err != nil {
			return err
		}
	}
	if l.BranchID != "" {
		if _, err := load(t, branchesTable, l.BranchID); err != nil {
			return fieldNotFound(err, "branchId")
		}
	}
	if l.SupplierID != "" {
		if _, err := load(t, suppliersTable, l.SupplierID); err != nil {
			return fieldNotFound(err, "supplierId")
		}
	}
	if l.ReplenishFromID == "" {
		return nil
	}
	all, err := find(t, stockLocationsTable, Query{})
	if err != nil {
		return err
	}
	locs := []inventory.Location{l.location()}
	found := false
	for _, o := range all {
		if o.ID != l.ID {
			locs = append(locs, o.location())
			found = found || o.ID == l.ReplenishFromID
		}
	}
	if !found {
		return fieldError(CodeNotFound, "replenishFromId", "not_found", "inventory location "+l.ReplenishFromID+" not found (from replenishFromId)")
	}
	if _, err := inventory.NewBook(nil, locs, nil); err != nil {
		return catalogError(err, "replenishFromId")
	}
	return nil
}

func (c *call) createSupplier(in *SupplierInput) (*Supplier, error) {
	return inTx(c, "create-supplier", func(t *txn) (*Supplier, error) {
		s := &Supplier{Meta: Meta{ID: c.e.newID()}, SupplierInput: *in, Active: true}
		if err := checkSupplier(t, s); err != nil {
			return nil, err
		}
		return s, insert(t, suppliersTable, s)
	})
}

func (c *call) updateSupplier(in *UpdateSupplierInput) (*Supplier, error) {
	return inTx(c, "update-supplier", func(t *txn) (*Supplier, error) {
		return modify(t, suppliersTable, in.ID, func(s *Supplier) error {
			s.SupplierInput = in.SupplierInput
			set(&s.Active, in.Active)
			return checkSupplier(t, s)
		})
	})
}

// checkSupplier checks that a supplier's code is free and that its price
// list names items that exist.
func checkSupplier(t *txn, s *Supplier) error {
	s.Code = strings.TrimSpace(s.Code)
	if err := ensureUnique(t, suppliersTable, s.ID, "a supplier with code "+s.Code, Eq("code", strings.ToUpper(s.Code))); err != nil {
		return err
	}
	for i, si := range s.Items {
		if _, err := load(t, stockItemsTable, si.ItemID); err != nil {
			return fieldNotFound(err, "items."+strconv.Itoa(i)+".itemId")
		}
	}
	return nil
}

func (c *call) setPolicy(in *SetPolicyInput) (*ReorderPolicy, error) {
	return inTx(c, "set-policy", func(t *txn) (*ReorderPolicy, error) {
		p := in.Policy
		it, err := load(t, stockItemsTable, p.ItemID)
		if err != nil {
			return nil, fieldNotFound(err, "itemId")
		}
		chain, err := locationChain(t, p.LocationID)
		if err != nil {
			return nil, fieldNotFound(err, "locationId")
		}
		pin := inventory.PlanInput{Items: []inventory.Item{it.item()}, Policies: []inventory.Policy{p}}
		for _, l := range chain {
			pin.Locations = append(pin.Locations, l.location())
		}
		if p.SupplierID != "" {
			s, err := load(t, suppliersTable, p.SupplierID)
			if err != nil {
				return nil, fieldNotFound(err, "supplierId")
			}
			pin.Suppliers = []inventory.Supplier{s.supplier()}
		}
		// A plan of this policy alone checks it by inventory's rules.
		if _, err := inventory.Plan(c.now, pin); err != nil {
			return nil, catalogError(err, "")
		}
		id := policyID(p.ItemID, p.LocationID)
		cur, err := load(t, policiesTable, id)
		switch {
		case errors.Is(err, ErrNotFound):
			cur = &ReorderPolicy{Meta: Meta{ID: id}, Policy: p}
			return cur, insert(t, policiesTable, cur)
		case err != nil:
			return nil, err
		}
		cur.Policy = p
		return cur, update(t, policiesTable, cur)
	})
}

// locationChain returns a location and the locations it replenishes from,
// up the tree.
func locationChain(t *txn, id string) ([]*StockLocation, error) {
	var out []*StockLocation
	for id != "" && len(out) <= maxChain {
		l, err := load(t, stockLocationsTable, id)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
		id = l.ReplenishFromID
	}
	return out, nil
}

// maxChain bounds a replenishment chain (truck ← warehouse ← central
// warehouse …); checkStockLocation keeps the graph a tree.
const maxChain = 16

// catalogError maps an inventory.InvalidError about a catalog passed to
// package inventory ("locations.3.replenishFromId", "policies.0.max") to a
// field error on the input's field; field, when set, names it outright.
func catalogError(err error, field string) error {
	var ie *inventory.InvalidError
	if !errors.As(err, &ie) {
		return err
	}
	f := field
	if f == "" {
		parts := strings.SplitN(ie.Field, ".", 3)
		f = parts[len(parts)-1]
	}
	return fieldError(CodeValidationFailed, f, "invalid", strings.TrimPrefix(ie.Error(), "inventory: "))
}
