package inventory

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// CountStatus is the status of a [CycleCount].
type CountStatus string

// The cycle count statuses: OPEN ─complete─▶ COMPLETED, OPEN ─cancel─▶ CANCELLED.
const (
	CountOpen      CountStatus = "OPEN"
	CountCompleted CountStatus = "COMPLETED"
	CountCancelled CountStatus = "CANCELLED"
)

// CycleCount counts some items at one location. Each line records what was
// counted and what the ledger expected at that moment, so stock keeps moving
// while the count is open; completing the count records each line's variance
// as a COUNT movement (an adjustment the count explains).
type CycleCount struct {
	ID          string      `json:"id"`
	LocationID  string      `json:"locationId"`
	Status      CountStatus `json:"status"`
	CreatedAt   time.Time   `json:"createdAt"`
	CompletedAt time.Time   `json:"completedAt,omitzero"`
	CancelledAt time.Time   `json:"cancelledAt,omitzero"`
	Lines       []CountLine `json:"lines"`
}

// CountLine is one item of a count. Expected is the quantity on hand when
// the item was counted; CountedAt is zero until it is.
type CountLine struct {
	ItemID    string          `json:"itemId"`
	Expected  decimal.Decimal `json:"expected"`
	Counted   decimal.Decimal `json:"counted"`
	CountedAt time.Time       `json:"countedAt,omitzero"`
	CountedBy string          `json:"countedBy,omitempty"`
}

// Variance is Counted − Expected: positive when more was found.
func (l CountLine) Variance() decimal.Decimal { return l.Counted.Sub(l.Expected) }

// NewCycleCount opens a count of the given items at a location.
func NewCycleCount(now time.Time, id, locationID string, itemIDs []string) (CycleCount, error) {
	switch {
	case id == "":
		return CycleCount{}, invalid("id", "a count needs an id")
	case locationID == "":
		return CycleCount{}, invalid("locationId", "a count needs a location")
	}
	c := CycleCount{ID: id, LocationID: locationID, Status: CountOpen, CreatedAt: now}
	for i, item := range itemIDs {
		if item == "" || slices.Contains(itemIDs[:i], item) {
			return CycleCount{}, invalid(fmt.Sprintf("itemIds.%d", i), "items of a count are named once each")
		}
		c.Lines = append(c.Lines, CountLine{ItemID: item})
	}
	return c, nil
}

// Record enters what was counted of an item at time at, and what the ledger
// held then. Counting an item again replaces its count; counting an item the
// count did not list adds it (stock found on the shelf).
func (c CycleCount) Record(itemID string, counted decimal.Decimal, at time.Time, by string, b *Book) (CycleCount, error) {
	if c.Status != CountOpen {
		return c, c.illegal("record")
	}
	if counted.Sign() < 0 {
		return c, invalid("counted", "a counted quantity cannot be negative")
	}
	if at.IsZero() {
		return c, invalid("countedAt", "a count needs a time")
	}
	bal, err := b.Balance(Key{itemID, c.LocationID})
	if err != nil {
		return c, err
	}
	line := CountLine{ItemID: itemID, Expected: bal.OnHand(), Counted: counted, CountedAt: at, CountedBy: by}
	c.Lines = slices.Clone(c.Lines)
	if i := slices.IndexFunc(c.Lines, func(l CountLine) bool { return l.ItemID == itemID }); i >= 0 {
		c.Lines[i] = line
	} else {
		c.Lines = append(c.Lines, line)
	}
	return c, nil
}

// Complete closes a count whose every line was counted and posts each
// line's variance as a COUNT movement at its count time (a zero variance too:
// it records that the stock was counted). The movements are returned for the
// ledger.
func (c CycleCount) Complete(now time.Time, b *Book) (CycleCount, []Movement, error) {
	if c.Status != CountOpen {
		return c, nil, c.illegal("complete")
	}
	if len(c.Lines) == 0 {
		return c, nil, invalid("lines", "a count with no lines counts nothing: cancel it")
	}
	ms := make([]Movement, 0, len(c.Lines))
	for i, l := range c.Lines {
		if l.CountedAt.IsZero() {
			return c, nil, invalid(fmt.Sprintf("lines.%d.counted", i), "item %s has not been counted", l.ItemID)
		}
		ms = append(ms, Movement{
			Kind: Count, ItemID: l.ItemID, LocationID: c.LocationID, Quantity: l.Variance(), At: l.CountedAt,
			DocumentID: c.ID, DocumentLine: i + 1, ActorID: l.CountedBy,
		})
	}
	posted, err := b.post(ms, docRef{})
	if err != nil {
		return c, nil, err
	}
	c.Status, c.CompletedAt = CountCompleted, now
	return c, posted, nil
}

// Cancel abandons an open count; nothing is posted.
func (c CycleCount) Cancel(now time.Time) (CycleCount, error) {
	if c.Status != CountOpen {
		return c, c.illegal("cancel")
	}
	c.Status, c.CancelledAt = CountCancelled, now
	return c, nil
}

func (c CycleCount) illegal(action string) error {
	return &TransitionError{Document: "cycle count", ID: c.ID, From: string(c.Status), Action: action}
}
