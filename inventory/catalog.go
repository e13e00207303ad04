package inventory

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// UnitOfMeasure is the unit an item is counted in. Quantities are decimals
// in this unit: pipe by the foot, refrigerant by the pound.
type UnitOfMeasure string

// The units of measure (the reference's UnitOfMeasure enum).
const (
	Each       UnitOfMeasure = "EACH"
	Box        UnitOfMeasure = "BOX"
	Case       UnitOfMeasure = "CASE"
	Pack       UnitOfMeasure = "PACK"
	Roll       UnitOfMeasure = "ROLL"
	Gallon     UnitOfMeasure = "GALLON"
	Quart      UnitOfMeasure = "QUART"
	Pint       UnitOfMeasure = "PINT"
	Ounce      UnitOfMeasure = "OUNCE"
	Pound      UnitOfMeasure = "POUND"
	Foot       UnitOfMeasure = "FOOT"
	Yard       UnitOfMeasure = "YARD"
	Meter      UnitOfMeasure = "METER"
	SquareFoot UnitOfMeasure = "SQUARE_FOOT"
	CubicFoot  UnitOfMeasure = "CUBIC_FOOT"
	Hour       UnitOfMeasure = "HOUR"
	Day        UnitOfMeasure = "DAY"
)

// CostingMethod is how issues from stock are valued at one item×location.
type CostingMethod string

const (
	// MovingAverage values every issue at the balance's average cost: the
	// stock value divided by the quantity on hand. The default.
	MovingAverage CostingMethod = "MOVING_AVERAGE"
	// FIFO values issues at the cost of the oldest receipts still in stock.
	FIFO CostingMethod = "FIFO"
)

// Item is a stocked part or material.
type Item struct {
	ID       string        `json:"id"`
	SKU      string        `json:"sku"`
	Name     string        `json:"name"`
	Category string        `json:"category,omitempty"`
	Unit     UnitOfMeasure `json:"unitOfMeasure"`
	// StandardCost values stock issued before any was received (a
	// technician using a part the ledger does not know the truck has): it
	// is the unit cost of last resort. In the organization's currency.
	StandardCost decimal.Decimal `json:"standardCost"`
	// Costing is the costing method. Defaults to MOVING_AVERAGE.
	Costing CostingMethod `json:"costing,omitempty"`
	// Step is the smallest quantity a replenishment plan proposes: every
	// planned quantity is a whole multiple of it. Defaults to 1 (whole
	// units); refrigerant weighed to the tenth of a pound has 0.1.
	Step          decimal.Decimal `json:"step"`
	SerialTracked bool            `json:"serialTracked"`
	LotTracked    bool            `json:"lotTracked"`
	// PreferredSupplierID is the supplier a plan buys from unless the
	// location's policy names another.
	PreferredSupplierID string `json:"preferredSupplierId,omitempty"`
}

func (it *Item) costing() CostingMethod {
	if it.Costing == "" {
		return MovingAverage
	}
	return it.Costing
}

func (it *Item) step() decimal.Decimal {
	if it.Step.Sign() <= 0 {
		return one
	}
	return it.Step
}

func (it *Item) validate() error {
	switch {
	case it.ID == "":
		return invalid("id", "an item needs an id")
	case it.Costing != "" && it.Costing != MovingAverage && it.Costing != FIFO:
		return invalid("costing", "unknown costing method %q", it.Costing)
	case it.StandardCost.Sign() < 0:
		return invalid("standardCost", "a cost cannot be negative")
	case it.Step.Sign() < 0:
		return invalid("step", "a step cannot be negative")
	}
	return nil
}

// LocationType is the kind of place stock is kept.
type LocationType string

// The location types (the reference's InventoryLocationType enum).
const (
	Warehouse         LocationType = "WAREHOUSE"
	Truck             LocationType = "TRUCK"
	Branch            LocationType = "BRANCH"
	VendorConsignment LocationType = "VENDOR_CONSIGNMENT"
)

// Location is a place stock is kept: a warehouse, a branch stockroom, a
// technician's truck, or a vendor's consignment stock on the premises.
type Location struct {
	ID   string       `json:"id"`
	Code string       `json:"code"`
	Name string       `json:"name"`
	Type LocationType `json:"type"`
	// TechnicianID is the technician who drives a truck.
	TechnicianID string `json:"technicianId,omitempty"`
	// ReplenishFromID is the location that refills this one by transfer: a
	// truck's warehouse. Reservations fall back to it when the truck is
	// short, and a plan refills from it before buying. Empty: the location
	// buys from suppliers.
	ReplenishFromID string `json:"replenishFromId,omitempty"`
	BranchID        string `json:"branchId,omitempty"`
	// SupplierID is the vendor that owns and refills a VENDOR_CONSIGNMENT
	// location: a plan proposes its refills to that vendor only.
	SupplierID string `json:"supplierId,omitempty"`
	// AllowNegative lets stock go below zero here: technicians record parts
	// the ledger does not know they carry. Every negative balance is then
	// reported (see [Book.Negatives]). Defaults to false: refused.
	AllowNegative bool `json:"allowNegative"`
}

func (l *Location) validate() error {
	switch {
	case l.ID == "":
		return invalid("id", "a location needs an id")
	case l.Type != Warehouse && l.Type != Truck && l.Type != Branch && l.Type != VendorConsignment:
		return invalid("type", "unknown location type %q", l.Type)
	case l.ReplenishFromID == l.ID:
		return invalid("replenishFromId", "location %s cannot replenish from itself", l.ID)
	}
	return nil
}

// LeadTime is how long a supplier takes to deliver, in days, with its
// standard deviation when known (zero: no variability is assumed).
type LeadTime struct {
	Days   decimal.Decimal `json:"days"`
	StdDev decimal.Decimal `json:"stdDev"`
}

// Supplier is a vendor the contractor buys from.
type Supplier struct {
	ID   string `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
	// LeadTime is the supplier's usual delivery time for its items.
	LeadTime LeadTime `json:"leadTime"`
	// Items is the supplier's price list for the items it sells.
	Items []SupplierItem `json:"items"`
}

// SupplierItem is one line of a supplier's price list.
type SupplierItem struct {
	ItemID      string `json:"itemId"`
	SupplierSKU string `json:"supplierSku,omitempty"`
	// UnitCost is the price of one item unit (not one pack), in the
	// organization's currency.
	UnitCost decimal.Decimal `json:"unitCost"`
	// PackSize: the supplier sells only whole packs of this many units.
	// Zero: any quantity.
	PackSize decimal.Decimal `json:"packSize"`
	// MinOrder is the smallest quantity the supplier accepts. Zero: none.
	MinOrder decimal.Decimal `json:"minOrder"`
	// LeadTime overrides the supplier's lead time for this item.
	LeadTime *LeadTime `json:"leadTime,omitempty"`
}

func (s *Supplier) validate() error {
	if s.ID == "" {
		return invalid("id", "a supplier needs an id")
	}
	if s.LeadTime.Days.Sign() < 0 || s.LeadTime.StdDev.Sign() < 0 {
		return invalid("leadTime", "a lead time cannot be negative")
	}
	for i := range s.Items {
		si := &s.Items[i]
		f := "items." + strconv.Itoa(i)
		switch {
		case si.ItemID == "":
			return invalid(f+".itemId", "a price list line needs an item")
		case si.UnitCost.Sign() < 0:
			return invalid(f+".unitCost", "a cost cannot be negative")
		case si.PackSize.Sign() < 0 || si.MinOrder.Sign() < 0:
			return invalid(f+".packSize", "pack size and minimum order cannot be negative")
		case si.LeadTime != nil && (si.LeadTime.Days.Sign() < 0 || si.LeadTime.StdDev.Sign() < 0):
			return invalid(f+".leadTime", "a lead time cannot be negative")
		}
	}
	return nil
}

// Key names one item at one location: the unit of the ledger's balances, of
// reservations and of replenishment policies.
type Key struct {
	ItemID     string `json:"itemId"`
	LocationID string `json:"locationId"`
}

func (k Key) less(o Key) bool {
	if k.ItemID != o.ItemID {
		return k.ItemID < o.ItemID
	}
	return k.LocationID < o.LocationID
}

func compareKeys(a, b Key) int {
	switch {
	case a == b:
		return 0
	case a.less(b):
		return -1
	}
	return 1
}
