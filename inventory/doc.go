// Package inventory keeps a contractor's stock as an append-only ledger of
// movements and derives everything else from it: on hand, reserved,
// available, in transit and on order; the cost of what jobs use; transfers,
// purchase orders and cycle counts; and the replenishment plan that refills
// the trucks from their warehouse and buys what the warehouse lacks.
//
// The package is pure: standard library and shopspring/decimal only, no I/O,
// no clock (operations take now). It stores nothing: the engine stores the
// ledger and the documents and calls this package for every figure and every
// rule.
//
// # Units and money
//
// Quantities are decimals in the item's [UnitOfMeasure]: pipe by the foot,
// refrigerant by the pound. Costs are decimals in the organization's
// currency; this package knows no currencies (it cannot import pricing), so
// the engine must never mix two. A computed cost is rounded half away from
// zero to [CostPlaces] places, and a balance's stock value is always exactly
// the sum of its movements' values.
//
// # The ledger
//
// A [Movement] records stock entering or leaving a location: a [Receipt],
// [Consumption] on a job, [TransferOut] and [TransferIn], an [Adjustment] with
// a [Reason], a [Count] variance, a [Return] from a job, a [ReturnToSupplier].
// Movements are never edited; a mistake is corrected by another movement.
//
// The [Balance] of an item at a location is the fold of its movements: the
// quantity on hand and its value, costed by moving average (the default) or
// FIFO ([CostingMethod]). [Replay] rebuilds it from the ledger; a [Book]
// advances it one movement at a time, in constant time, and the two are
// proven equal. A consumption records its cost, so a job's material cost
// ([JobMaterials]) is exact.
//
// # The book
//
// A [Book] holds the balances of some or all item×locations and tracks the
// open documents: [Reservation] lines are reserved; a pending [Transfer] is
// reserved at its source and in transit to its destination; a
// [PurchaseOrder]'s outstanding lines are on order. [Book.Level] derives the
// figures, with Available = OnHand − Reserved and the inventory Position =
// OnHand + OnOrder + InTransit − Reserved. Nothing derived is stored: the
// reference system stored quantityAvailable and watched it drift.
//
// [Book.Post] checks movements and costs them before the engine appends them:
//
//	book, _ := inventory.NewBook(items, locations, &inventory.Config{Partial: true})
//	book.Load(snapshot)                     // or book.Replay(key, movements)
//	posted, err := book.Post(movement)      // a *StockError if stock would go negative
//	// append posted to the ledger, save book.Balances() as snapshots
//
// Stock never goes below zero unless the location allows it
// ([Location.AllowNegative]: technicians record parts the ledger does not
// know they carry); [Book.Negatives] reports every negative balance, and
// every reservation left short by stock found missing.
//
// # Documents
//
// Documents are values with status machines; each operation returns the new
// document and the movements the engine must append.
//
//   - [Book.Reserve] reserves a scheduled job's parts on the technician's
//     truck, then at its warehouse. If they cannot cover the job, the error is
//     a [ShortageError] naming each item short (INVENTORY_SHORTAGE): the engine
//     refuses to schedule. [Reservation.Consume] uses a reservation on the job.
//   - [Transfer]: PENDING → IN_TRANSIT → RECEIVED, CANCELLED; receipt may be
//     partial, and cancelling in transit returns what has not arrived to the
//     source at the value it left with.
//   - [PurchaseOrder]: DRAFT → SUBMITTED → CONFIRMED → PARTIALLY_RECEIVED →
//     RECEIVED, CANCELLED; one receipt per shipment, never past the ordered
//     quantity without an over-receipt reason.
//   - [CycleCount]: each count records what the ledger expected at that
//     moment; completing it posts the variances as COUNT movements.
//
// # Replenishment
//
// A [Policy] per item×location says when and how much to replenish: MIN_MAX,
// or REORDER_POINT from the demand ([DemandCounter] turns the consumption
// ledger into daily mean and deviation) and the lead time, with safety stock
// ([SafetyStock], [ReorderPoint]) and an order up to a maximum, a fixed
// quantity or the [EOQ]. Quantities round up to the order multiple and the
// supplier's pack size. [Plan] refills trucks from their warehouse first and
// groups the rest into purchase orders per supplier and delivery location,
// each line with its reason and a stable key.
//
// # Errors
//
// Every error matches a sentinel with [errors.Is]. The engine's codes:
//
//	ErrInventoryShortage (ShortageError, StockError) → INVENTORY_SHORTAGE
//	ErrIllegalTransition (TransitionError)           → ILLEGAL_TRANSITION
//	ErrInvalid (InvalidError, with its field), ErrOverReceipt → VALIDATION_FAILED
//	ErrNotFound                                      → NOT_FOUND
//	ErrLedgerMismatch, ErrNotLoaded                  → INTERNAL_ERROR (a bug or a corrupted ledger)
package inventory
