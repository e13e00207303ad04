package inventory

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// TransferStatus is the status of a [Transfer].
type TransferStatus string

// The transfer statuses:
//
//	PENDING ──ship──▶ IN_TRANSIT ──receive (all)──▶ RECEIVED
//	   │                  │  ▲
//	   │                  └──┘ receive (part)
//	   └──cancel──▶ CANCELLED ◀──cancel (what is not received returns to the source)
const (
	TransferPending   TransferStatus = "PENDING"
	TransferInTransit TransferStatus = "IN_TRANSIT"
	TransferReceived  TransferStatus = "RECEIVED"
	TransferCancelled TransferStatus = "CANCELLED"
)

// Transfer moves stock between two locations: a warehouse refilling a truck,
// or one truck helping another. A pending transfer reserves its lines at the
// source and shows them in transit to the destination; shipping takes them
// out of the source at its cost; receiving brings them in at the same cost,
// so a transfer never creates or loses quantity or value. Create one with
// [Book.RequestTransfer].
type Transfer struct {
	ID          string         `json:"id"`
	Number      string         `json:"number"`
	FromID      string         `json:"fromLocationId"`
	ToID        string         `json:"toLocationId"`
	Status      TransferStatus `json:"status"`
	RequestedAt time.Time      `json:"requestedAt"`
	ShippedAt   time.Time      `json:"shippedAt,omitzero"`
	ReceivedAt  time.Time      `json:"receivedAt,omitzero"`
	CancelledAt time.Time      `json:"cancelledAt,omitzero"`
	Lines       []TransferLine `json:"lines"`
}

// TransferLine is one item of a transfer. Once shipped, every unit shipped is
// received or, if the transfer is cancelled, returned to the source:
// Shipped = Received + Returned, and the same holds for the values.
type TransferLine struct {
	Line      int             `json:"line"` // 1-based
	ItemID    string          `json:"itemId"`
	Requested decimal.Decimal `json:"requested"`
	Shipped   decimal.Decimal `json:"shipped"`
	Received  decimal.Decimal `json:"received"`
	Returned  decimal.Decimal `json:"returned"`
	// ShippedValue is the cost that left the source; ReceivedValue and
	// ReturnedValue the parts of it that arrived and came back.
	ShippedValue  decimal.Decimal `json:"shippedValue"`
	ReceivedValue decimal.Decimal `json:"receivedValue"`
	ReturnedValue decimal.Decimal `json:"returnedValue"`
	Lot           string          `json:"lot,omitempty"`
	Serial        string          `json:"serial,omitempty"`
}

// Outstanding is what was shipped and has not arrived: in transit.
func (l TransferLine) Outstanding() decimal.Decimal {
	return l.Shipped.Sub(l.Received).Sub(l.Returned)
}

// TransferRequest asks for a transfer.
type TransferRequest struct {
	ID     string              `json:"id"`
	Number string              `json:"number"` // TRF-000123; the engine numbers documents
	FromID string              `json:"fromLocationId"`
	ToID   string              `json:"toLocationId"`
	Lines  []TransferLineInput `json:"lines"`
}

// TransferLineInput is one line of a [TransferRequest].
type TransferLineInput struct {
	ItemID   string          `json:"itemId"`
	Quantity decimal.Decimal `json:"quantity"`
	Lot      string          `json:"lot,omitempty"`
	Serial   string          `json:"serial,omitempty"`
}

// LineQuantity is a quantity for one line of a document (1-based).
type LineQuantity struct {
	Line     int             `json:"line"`
	Quantity decimal.Decimal `json:"quantity"`
}

func (t Transfer) ref() docRef { return docRef{"transfer", t.ID} }

func (t Transfer) commitments() []commitment {
	var cs []commitment
	for _, l := range t.Lines {
		switch t.Status {
		case TransferPending:
			cs = append(cs,
				commitment{key: Key{l.ItemID, t.FromID}, reserved: l.Requested},
				commitment{key: Key{l.ItemID, t.ToID}, inTransit: l.Requested})
		case TransferInTransit:
			if o := l.Outstanding(); o.Sign() > 0 {
				cs = append(cs, commitment{key: Key{l.ItemID, t.ToID}, inTransit: o})
			}
		}
	}
	return cs
}

// RequestTransfer creates a PENDING transfer and reserves its lines at the
// source. A source that does not allow negative stock must have them
// available, or the error is a [ShortageError].
func (b *Book) RequestTransfer(now time.Time, req TransferRequest) (Transfer, error) {
	switch {
	case req.ID == "":
		return Transfer{}, invalid("id", "a transfer needs an id")
	case req.FromID == req.ToID:
		return Transfer{}, invalid("toLocationId", "a transfer goes between two different locations")
	case len(req.Lines) == 0:
		return Transfer{}, invalid("lines", "a transfer needs at least one line")
	}
	from, ok := b.locations[req.FromID]
	if !ok {
		return Transfer{}, notFound("location", req.FromID)
	}
	if _, ok := b.locations[req.ToID]; !ok {
		return Transfer{}, notFound("location", req.ToID)
	}
	t := Transfer{ID: req.ID, Number: req.Number, FromID: req.FromID, ToID: req.ToID, Status: TransferPending, RequestedAt: now}
	want := map[string]decimal.Decimal{}
	var items []string
	for i, in := range req.Lines {
		it, ok := b.items[in.ItemID]
		if !ok {
			return Transfer{}, notFound("item", in.ItemID)
		}
		if in.Quantity.Sign() <= 0 {
			return Transfer{}, invalid(fmt.Sprintf("lines.%d.quantity", i), "a transfer line moves a positive quantity, got %s", fmtQ(in.Quantity))
		}
		if it.SerialTracked && (in.Serial == "" || !in.Quantity.Equal(one)) {
			return Transfer{}, invalid(fmt.Sprintf("lines.%d.serial", i), "item %s is serial-tracked: one line per serial number, quantity 1", it.ID)
		}
		if _, seen := want[in.ItemID]; !seen {
			items = append(items, in.ItemID)
		}
		want[in.ItemID] = want[in.ItemID].Add(in.Quantity)
		t.Lines = append(t.Lines, TransferLine{Line: i + 1, ItemID: in.ItemID, Requested: in.Quantity, Lot: in.Lot, Serial: in.Serial})
	}
	if !from.AllowNegative {
		var short []Shortage
		slices.Sort(items)
		for _, id := range items {
			key := Key{id, from.ID}
			lvl, err := b.Level(key)
			if err != nil {
				return Transfer{}, err
			}
			// a transfer requested again under its id replaces itself
			avail := maxDec(lvl.Available().Add(b.held(t.ref(), key)), decimal.Zero)
			if w := want[id]; w.Cmp(avail) > 0 {
				short = append(short, Shortage{ItemID: id, Requested: w, Available: avail, Short: w.Sub(avail)})
			}
		}
		if short != nil {
			return Transfer{}, &ShortageError{TransferID: t.ID, LocationIDs: []string{from.ID}, Items: short}
		}
	}
	b.Track(t)
	return t, nil
}

// Ship sends a pending transfer: each line's quantity leaves the source at
// its cost (TRANSFER_OUT movements, returned for the ledger) and the transfer
// is IN_TRANSIT. quantities says what each line ships (at most what it
// requested; zero ships nothing of it); nil ships every line in full.
// Whatever a line requested and did not ship is no longer reserved.
func (t Transfer) Ship(now time.Time, quantities []LineQuantity, b *Book) (Transfer, []Movement, error) {
	if t.Status != TransferPending {
		return t, nil, t.illegal("ship")
	}
	qs, err := lineQuantities(quantities, len(t.Lines), func(i int) decimal.Decimal { return t.Lines[i].Requested })
	if err != nil {
		return t, nil, err
	}
	var ms []Movement
	var idx []int
	for i, q := range qs {
		l := t.Lines[i]
		if q.Cmp(l.Requested) > 0 {
			return t, nil, invalid(fmt.Sprintf("lines.%d.quantity", i), "line %d requested %s: it cannot ship %s", l.Line, fmtQ(l.Requested), fmtQ(q))
		}
		if q.Sign() > 0 {
			ms = append(ms, t.movement(TransferOut, t.FromID, t.ToID, l, q.Neg(), decimal.Zero, now))
			idx = append(idx, i)
		}
	}
	if len(ms) == 0 {
		return t, nil, invalid("lines", "nothing to ship: cancel the transfer instead")
	}
	posted, err := b.post(ms, t.ref())
	if err != nil {
		return t, nil, err
	}
	t.Lines = slices.Clone(t.Lines)
	for j, m := range posted {
		l := &t.Lines[idx[j]]
		l.Shipped, l.ShippedValue = m.Quantity.Neg(), m.Value.Neg()
	}
	t.Status, t.ShippedAt = TransferInTransit, now
	b.Track(t)
	return t, posted, nil
}

// Receive brings shipped stock into the destination at the value it left
// with (TRANSFER_IN movements, returned for the ledger). quantities says what
// arrived per line, at most what is outstanding; nil receives everything
// outstanding. The transfer is RECEIVED when nothing is outstanding, and stays
// IN_TRANSIT after a partial receipt.
func (t Transfer) Receive(now time.Time, quantities []LineQuantity, b *Book) (Transfer, []Movement, error) {
	if t.Status != TransferInTransit {
		return t, nil, t.illegal("receive")
	}
	qs, err := lineQuantities(quantities, len(t.Lines), func(i int) decimal.Decimal { return t.Lines[i].Outstanding() })
	if err != nil {
		return t, nil, err
	}
	t.Lines = slices.Clone(t.Lines)
	var ms []Movement
	for i, q := range qs {
		l := &t.Lines[i]
		o := l.Outstanding()
		if q.Cmp(o) > 0 {
			return t, nil, invalid(fmt.Sprintf("lines.%d.quantity", i), "line %d has %s in transit: it cannot receive %s", l.Line, fmtQ(o), fmtQ(q))
		}
		if q.Sign() == 0 {
			continue
		}
		v := l.inTransitValue(q)
		ms = append(ms, t.movement(TransferIn, t.ToID, t.FromID, *l, q, v, now))
		l.Received, l.ReceivedValue = l.Received.Add(q), l.ReceivedValue.Add(v)
	}
	if len(ms) == 0 {
		return t, nil, invalid("lines", "nothing to receive")
	}
	posted, err := b.post(ms, docRef{})
	if err != nil {
		return t, nil, err
	}
	if !slices.ContainsFunc(t.Lines, func(l TransferLine) bool { return l.Outstanding().Sign() > 0 }) {
		t.Status, t.ReceivedAt = TransferReceived, now
	}
	b.Track(t)
	return t, posted, nil
}

// Cancel ends a transfer that is not yet received. A pending one just stops
// reserving; for one in transit, what has not arrived returns to the source
// at the value it left with (TRANSFER_IN movements at the source, returned for
// the ledger).
func (t Transfer) Cancel(now time.Time, b *Book) (Transfer, []Movement, error) {
	switch t.Status {
	case TransferPending:
		t.Status, t.CancelledAt = TransferCancelled, now
		b.Track(t)
		return t, nil, nil
	case TransferInTransit:
	default:
		return t, nil, t.illegal("cancel")
	}
	t.Lines = slices.Clone(t.Lines)
	var ms []Movement
	for i := range t.Lines {
		l := &t.Lines[i]
		o := l.Outstanding()
		if o.Sign() == 0 {
			continue
		}
		v := l.inTransitValue(o)
		m := t.movement(TransferIn, t.FromID, t.ToID, *l, o, v, now)
		m.Note = "transfer " + t.Number + " cancelled in transit: returned to the source"
		ms = append(ms, m)
		l.Returned, l.ReturnedValue = l.Returned.Add(o), l.ReturnedValue.Add(v)
	}
	var posted []Movement
	if len(ms) > 0 {
		var err error
		if posted, err = b.post(ms, docRef{}); err != nil {
			return t, nil, err
		}
	}
	t.Status, t.CancelledAt = TransferCancelled, now
	b.Track(t)
	return t, posted, nil
}

// inTransitValue is the value of q of the line's outstanding units: their
// share of the value still in transit, all of it for the last ones.
func (l TransferLine) inTransitValue(q decimal.Decimal) decimal.Decimal {
	rest := l.ShippedValue.Sub(l.ReceivedValue).Sub(l.ReturnedValue)
	if o := l.Outstanding(); !q.Equal(o) {
		return share(rest, q, o)
	}
	return rest
}

func (t Transfer) movement(kind MovementKind, at, other string, l TransferLine, q, v decimal.Decimal, now time.Time) Movement {
	return Movement{
		Kind: kind, ItemID: l.ItemID, LocationID: at, Quantity: q, Value: v, At: now,
		DocumentID: t.ID, DocumentLine: l.Line, CounterpartID: other, Lot: l.Lot, Serial: l.Serial,
	}
}

func (t Transfer) illegal(action string) error {
	return &TransitionError{Document: "transfer", ID: t.ID, From: string(t.Status), Action: action}
}

// lineQuantities turns per-line quantities into one quantity per line (all
// lines at def(i) when none are given). Lines not named get zero.
func lineQuantities(qs []LineQuantity, n int, def func(int) decimal.Decimal) ([]decimal.Decimal, error) {
	out := make([]decimal.Decimal, n)
	if qs == nil {
		for i := range out {
			out[i] = def(i)
		}
		return out, nil
	}
	seen := make([]bool, n)
	for i, q := range qs {
		switch {
		case q.Line < 1 || q.Line > n:
			return nil, fmt.Errorf("inventory: line %d: %w", q.Line, ErrNotFound)
		case seen[q.Line-1]:
			return nil, invalid(fmt.Sprintf("lines.%d.line", i), "line %d is given twice", q.Line)
		case q.Quantity.Sign() < 0:
			return nil, invalid(fmt.Sprintf("lines.%d.quantity", i), "a quantity cannot be negative")
		}
		seen[q.Line-1] = true
		out[q.Line-1] = q.Quantity
	}
	return out, nil
}
