package inventory

import (
	"time"

	"github.com/shopspring/decimal"
)

// MovementKind is what a ledger movement records.
type MovementKind string

// The movement kinds. The sign of a movement's quantity is fixed by its kind,
// except for adjustments and counts.
const (
	// Receipt: stock received from a supplier (a purchase order receipt, or
	// a direct receipt with no order, which is also how opening balances are
	// entered). Positive; its UnitCost is the purchase price.
	Receipt MovementKind = "RECEIPT"
	// Consumption: stock used on a job. Negative.
	Consumption MovementKind = "CONSUMPTION"
	// TransferOut: stock leaving on a transfer. Negative.
	TransferOut MovementKind = "TRANSFER_OUT"
	// TransferIn: stock arriving on a transfer, or returning to the source
	// of a cancelled one. Positive; its Value is the value that left.
	TransferIn MovementKind = "TRANSFER_IN"
	// Adjustment: a correction with a [Reason] (damaged, lost, found…).
	// Either sign, never zero.
	Adjustment MovementKind = "ADJUSTMENT"
	// Count: the variance a cycle count found (counted − expected). Either
	// sign, or zero: a zero count still records that the stock was counted.
	Count MovementKind = "COUNT"
	// Return: unused stock coming back from a job. Positive; its UnitCost is
	// what the job was charged (see [JobMaterials]).
	Return MovementKind = "RETURN"
	// ReturnToSupplier: stock sent back to a supplier. Negative.
	ReturnToSupplier MovementKind = "RETURN_TO_SUPPLIER"
)

// Reason says why an adjustment was made.
type Reason string

// The adjustment reasons.
const (
	Damaged    Reason = "DAMAGED"
	Lost       Reason = "LOST"
	Stolen     Reason = "STOLEN"
	Expired    Reason = "EXPIRED"
	Found      Reason = "FOUND"
	Correction Reason = "CORRECTION"
	Other      Reason = "OTHER" // needs a Note
)

// Movement is one row of the stock ledger: an item entering or leaving a
// location. The ledger is append-only: a mistake is corrected by another
// movement, never by editing one. Build a movement with its kind, item,
// location, quantity and time (and a UnitCost for receipts and returns), and
// let [Book.Post] check it and fill in its cost: store what Post returns.
type Movement struct {
	// ID is the engine's identifier for the stored row; this package never
	// reads it.
	ID         string       `json:"id,omitempty"`
	Kind       MovementKind `json:"kind"`
	ItemID     string       `json:"itemId"`
	LocationID string       `json:"locationId"`
	// Quantity is signed: positive into the location, negative out of it.
	Quantity decimal.Decimal `json:"quantity"`
	// UnitCost is the cost of one unit: given for receipts and returns,
	// computed by Post for every other kind (rounded to CostPlaces).
	UnitCost decimal.Decimal `json:"unitCost"`
	// Value is the signed change in the location's stock value, computed by
	// Post: what a consumption costs the job, what a transfer carries. The
	// stock value of a balance is the sum of its movements' values.
	Value decimal.Decimal `json:"value"`
	// Revaluation is the part of Value that is not Quantity × UnitCost: when
	// stock arrives at a negative balance, the units issued before they were
	// received are re-valued at their real cost. Zero otherwise.
	Revaluation decimal.Decimal `json:"revaluation"`
	At          time.Time       `json:"at"`
	// JobID and VisitID name the job of a consumption or a return.
	JobID   string `json:"jobId,omitempty"`
	VisitID string `json:"visitId,omitempty"`
	// DocumentID names the document the movement carries out: the transfer,
	// purchase order, cycle count or reservation; DocumentLine its line.
	DocumentID   string `json:"documentId,omitempty"`
	DocumentLine int    `json:"documentLine,omitempty"`
	// ReceiptNumber names the purchase order receipt of a RECEIPT.
	ReceiptNumber string `json:"receiptNumber,omitempty"`
	// CounterpartID is the other location of a transfer movement.
	CounterpartID string `json:"counterpartId,omitempty"`
	Reason        Reason `json:"reason,omitempty"`
	Note          string `json:"note,omitempty"`
	Lot           string `json:"lot,omitempty"`
	Serial        string `json:"serial,omitempty"`
	// ActorID is who recorded the movement.
	ActorID string `json:"actorId,omitempty"`
}

// Key returns the item×location the movement is for.
func (m *Movement) Key() Key { return Key{m.ItemID, m.LocationID} }

// direction tells whether a kind adds stock (+1), removes it (−1), or either (0).
func (k MovementKind) direction() (int, bool) {
	switch k {
	case Receipt, TransferIn, Return:
		return 1, true
	case Consumption, TransferOut, ReturnToSupplier:
		return -1, true
	case Adjustment, Count:
		return 0, true
	}
	return 0, false
}

// checkShape enforces the rules a movement must keep whatever the stock: its
// kind is known, its quantity has the kind's sign, an adjustment has a reason.
func (m *Movement) checkShape(it *Item) error {
	dir, ok := m.Kind.direction()
	switch {
	case !ok:
		return invalid("kind", "unknown movement kind %q", m.Kind)
	case m.ItemID == "":
		return invalid("itemId", "a movement needs an item")
	case m.LocationID == "":
		return invalid("locationId", "a movement needs a location")
	case m.At.IsZero():
		return invalid("at", "a movement needs a time")
	case dir > 0 && m.Quantity.Sign() <= 0:
		return invalid("quantity", "a %s adds stock: its quantity must be positive, got %s", m.Kind, fmtQ(m.Quantity))
	case dir < 0 && m.Quantity.Sign() >= 0:
		return invalid("quantity", "a %s removes stock: its quantity must be negative, got %s", m.Kind, fmtQ(m.Quantity))
	case m.Kind == Adjustment && m.Quantity.IsZero():
		return invalid("quantity", "an adjustment of zero changes nothing")
	case m.Kind == Adjustment && m.Reason == "":
		return invalid("reason", "an adjustment needs a reason")
	case m.Kind == Adjustment && m.Reason == Other && m.Note == "":
		return invalid("note", "an adjustment for reason OTHER needs a note")
	case (m.Kind == Receipt || m.Kind == Return) && m.UnitCost.Sign() < 0:
		return invalid("unitCost", "a cost cannot be negative")
	case m.Kind == TransferIn && m.Value.Sign() < 0:
		return invalid("value", "a transfer cannot carry a negative value")
	}
	if it != nil && it.SerialTracked && m.Kind != Count {
		if m.Serial == "" {
			return invalid("serial", "item %s is serial-tracked: every movement names its serial number", it.ID)
		}
		if !m.Quantity.Abs().Equal(one) {
			return invalid("quantity", "item %s is serial-tracked: a movement moves one unit, got %s", it.ID, fmtQ(m.Quantity))
		}
	}
	if it != nil && it.LotTracked && m.Lot == "" && m.Kind != Count {
		return invalid("lot", "item %s is lot-tracked: every movement names its lot", it.ID)
	}
	return nil
}
