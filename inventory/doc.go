// Package inventory keeps a contractor's stock as an append-only ledger of
// movements and derives everything else from it: on hand, reserved,
// available, in transit and on order; the cost of what jobs use; transfers,
// purchase orders and cycle counts; and the replenishment plan that refills
// the trucks from their warehouse and buys what the warehouse lacks.
//
// The package is pure: standard library and shopspring/decimal only, no I/O,
// no clock (operations take now). It stores nothing: the engine stores the
// ledger and the documents, and calls this package for every figure and
// every rule.
//
// # Units and money
//
// Quantities are decimals in the item's [UnitOfMeasure]: pipe by the foot,
// refrigerant by the pound. Costs are decimals in the organization's
// currency: this package knows no currencies (it cannot import pricing), so
// the engine must never mix two in one organization's stock. A cost this
// package computes is rounded half away from zero to [CostPlaces] places; a
// cost it is given (a purchase price) is kept as given.
//
// # The ledger
//
// A [Movement] records stock entering or leaving a location: a [Receipt]
// (from a purchase order, or direct: opening balances too), a [Consumption]
// on a job, a [TransferOut] and a [TransferIn], an [Adjustment] with a
// [Reason], a [Count] variance, a [Return] from a job and a
// [ReturnToSupplier]. Quantities are signed, and the sign is the kind's.
// Movements are never edited: a mistake is corrected by another movement.
//
// The [Balance] of an item at a location is the fold of its movements: the
// quantity on hand and its value, costed by moving average (the default) or
// FIFO, per the item's [CostingMethod]. Every movement records the change of
// value it makes, so the stock value is exactly the sum of the ledger's
// values and a job's material cost is exactly what its consumptions recorded
// ([JobMaterials]). Stock issued from an empty or negative balance is valued
// at the last known unit cost (the item's StandardCost before any); when the
// missing stock arrives, the movement's Revaluation trues the value up to
// what it really cost. [Replay] rebuilds a balance from its ledger; posting
// advances it one movement at a time in constant time (FIFO: in the number
// of open receipt layers). Property tests prove the two always equal.
//
// # The book
//
// A [Book] holds balances and tracks the open documents, and derives the
// [Level] of each item×location:
//
//	Reserved  = open reservation lines + pending transfers out
//	Available = OnHand − Reserved
//	InTransit = transfers in, requested or shipped and not received
//	OnOrder   = outstanding purchase order lines (drafts included)
//	Position  = OnHand + OnOrder + InTransit − Reserved
//
// Nothing derived is stored as the truth: the reference system stored
// quantityAvailable and watched it drift.
//
// [Book.Post] checks movements and costs them before the engine appends them.
// A store that loads only what a transaction touches uses a partial book:
//
//	book, err := inventory.NewBook(items, locations, &inventory.Config{Partial: true})
//	err = book.Load(snapshot)           // or book.Replay(key, movements)
//	book.Track(openReservations...)      // the open documents with lines at the key
//	posted, err := book.Post(movement)  // a *StockError when stock would go negative
//	// append posted to the ledger; save book.Balance(key) as the new snapshot
//
// Stock never goes below zero unless the location allows it
// ([Location.AllowNegative]: technicians record parts the ledger did not
// know they carried), and a consumption or transfer never takes stock
// reserved for another job or transfer. [Book.Negatives] reports every
// negative balance, and every reservation left short by stock found missing.
// [Derive] builds a complete book from a whole ledger and its documents.
//
// # Documents
//
// Documents are values with status machines. An operation returns the new
// document and the movements the engine must append, and keeps the book
// current; an action the status forbids is a [TransitionError]. Store the
// document and its movements in one transaction, and operate on the stored
// document: an operation on a stale copy would post its movements again.
//
//   - [Book.Reserve] reserves a scheduled job's parts on the technician's
//     truck, then at the truck's warehouse. When the two cannot cover the job,
//     the error is a [ShortageError] naming each item short and by how much:
//     the engine refuses to schedule (INVENTORY_SHORTAGE).
//     [Reservation.Consume] uses the parts on the job; [Reservation.Release]
//     frees what is left.
//   - [Transfer] (from [Book.RequestTransfer]): PENDING → IN_TRANSIT →
//     RECEIVED, or CANCELLED. Receipts may be partial; cancelling in transit
//     returns what did not arrive to the source, at the value it left with.
//     Quantity and value are conserved.
//   - [PurchaseOrder] (from [NewPurchaseOrder]): DRAFT → SUBMITTED →
//     CONFIRMED → PARTIALLY_RECEIVED → RECEIVED, or CANCELLED; one receipt per
//     shipment, numbered {order}-R{n}, never past the ordered quantity without
//     an over-receipt reason ([OverReceiptError]).
//   - [CycleCount]: each line records what was counted and what the ledger
//     expected at that moment; completing the count posts the variances as
//     COUNT movements.
//
// # Replenishment
//
// A [Policy] per item×location says when and how much to replenish, always on
// the inventory position: MIN_MAX (below Min, order up to Max), or
// REORDER_POINT with a reorder point computed from demand and lead time
// ([ReorderPoint], [SafetyStock], lead-time variability included when known)
// and an order up to Max, a fixed quantity or the [EOQ]. Quantities round up
// to the item's step, the order multiple and the supplier's pack size
// ([OrderUpTo]: Odoo's multiple 3, max 20 orders 21). A [DemandCounter] turns
// the consumption ledger into daily mean and deviation per item×location.
//
// [Plan] refills each truck from its warehouse first (the most urgent truck
// first, every truck to its reorder point before any to its maximum), adds
// what the warehouse cannot ship to what it must buy, and groups purchases
// per supplier and delivery location. Each proposed line says why, in words
// and figures, and has a stable key: the procurement agent that runs plans
// on a schedule keeps one open proposal per key. [ProposedOrder.Draft] and
// [ProposedTransfer.Request] turn proposals into documents, which the next
// plan counts (drafts are on order). A plan is deterministic and runs in
// O(n log n) in the number of policies: under a second for 20 000 SKUs at 60
// locations (see BenchmarkPlan).
//
// # Errors
//
// Every error matches a sentinel with [errors.Is]; the typed errors carry the
// details. The engine's codes:
//
//	ErrInventoryShortage (ShortageError, StockError) → INVENTORY_SHORTAGE
//	ErrIllegalTransition (TransitionError)           → ILLEGAL_TRANSITION
//	ErrInvalid (InvalidError, naming its field)      → VALIDATION_FAILED
//	ErrOverReceipt (OverReceiptError)                → VALIDATION_FAILED
//	ErrNotFound                                      → NOT_FOUND
//	ErrLedgerMismatch, ErrNotLoaded                  → INTERNAL_ERROR: a corrupted ledger or a store bug
package inventory
