package inventory

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// ReservationStatus is the status of a [Reservation].
type ReservationStatus string

// The reservation statuses. ACTIVE holds stock; RELEASED and FULFILLED are
// final and hold nothing.
const (
	ReservationActive    ReservationStatus = "ACTIVE"
	ReservationReleased  ReservationStatus = "RELEASED"  // the job no longer needs it
	ReservationFulfilled ReservationStatus = "FULFILLED" // every line consumed
)

// Reservation holds the stock a scheduled job needs, on the technician's
// truck first and at the truck's warehouse for the rest. Create one with
// [Book.Reserve]; consume on the job with [Reservation.Consume]; release what
// is left with [Reservation.Release].
type Reservation struct {
	ID        string            `json:"id"`
	JobID     string            `json:"jobId"`
	VisitID   string            `json:"visitId,omitempty"`
	Status    ReservationStatus `json:"status"`
	CreatedAt time.Time         `json:"createdAt"`
	ClosedAt  time.Time         `json:"closedAt,omitzero"`
	Lines     []ReservationLine `json:"lines"`
}

// ReservationLine holds Quantity of an item at a location, of which
// Consumed has been used on the job.
type ReservationLine struct {
	ItemID     string          `json:"itemId"`
	LocationID string          `json:"locationId"`
	Quantity   decimal.Decimal `json:"quantity"`
	Consumed   decimal.Decimal `json:"consumed"`
}

// Open is what the line still holds: Quantity − Consumed, never below zero.
func (l ReservationLine) Open() decimal.Decimal {
	return maxDec(l.Quantity.Sub(l.Consumed), decimal.Zero)
}

// Need is a quantity of an item a job or a transfer needs.
type Need struct {
	ItemID   string          `json:"itemId"`
	Quantity decimal.Decimal `json:"quantity"`
}

// ReservationRequest asks for the stock of a job.
type ReservationRequest struct {
	ID      string `json:"id"`
	JobID   string `json:"jobId"`
	VisitID string `json:"visitId,omitempty"`
	// LocationID is where the job's stock is taken from: the technician's
	// truck. Its ReplenishFromID location (the truck's warehouse) covers
	// what the truck cannot.
	LocationID string `json:"locationId"`
	Needs      []Need `json:"needs"`
}

func (r Reservation) ref() docRef { return docRef{"reservation", r.ID} }

func (r Reservation) commitments() []commitment {
	if r.Status != ReservationActive {
		return nil
	}
	var cs []commitment
	for _, l := range r.Lines {
		if open := l.Open(); open.Sign() > 0 {
			cs = append(cs, commitment{key: Key{l.ItemID, l.LocationID}, reserved: open})
		}
	}
	return cs
}

// Reserve reserves what a job needs: each item on the truck as far as it is
// available there, the rest at the truck's warehouse. If the two together
// cannot cover every need, nothing is reserved and the error is a
// [ShortageError] naming each item short and by how much: the engine refuses
// to schedule the job (INVENTORY_SHORTAGE). Reserving again under the ID of an
// active reservation replaces it (the job's parts list changed): its stock
// counts as available to its replacement.
func (b *Book) Reserve(now time.Time, req ReservationRequest) (Reservation, error) {
	switch {
	case req.ID == "":
		return Reservation{}, invalid("id", "a reservation needs an id")
	case req.JobID == "":
		return Reservation{}, invalid("jobId", "a reservation is for a job")
	}
	needs, err := mergeNeeds(req.Needs)
	if err != nil {
		return Reservation{}, err
	}
	loc, ok := b.locations[req.LocationID]
	if !ok {
		return Reservation{}, notFound("location", req.LocationID)
	}
	locs := []string{loc.ID}
	if loc.ReplenishFromID != "" {
		locs = append(locs, loc.ReplenishFromID)
	}
	ref := docRef{"reservation", req.ID}
	res := Reservation{ID: req.ID, JobID: req.JobID, VisitID: req.VisitID, Status: ReservationActive, CreatedAt: now}
	var short []Shortage
	for _, n := range needs {
		left := n.Quantity
		var avail decimal.Decimal
		for _, id := range locs {
			key := Key{n.ItemID, id}
			c, err := b.cell(key, false)
			if err != nil {
				return Reservation{}, err
			}
			a := maxDec(c.bal.qty.Sub(c.reserved.Sub(b.held(ref, key))), decimal.Zero)
			avail = avail.Add(a)
			if take := minDec(a, left); take.Sign() > 0 {
				res.Lines = append(res.Lines, ReservationLine{ItemID: n.ItemID, LocationID: id, Quantity: take})
				left = left.Sub(take)
			}
		}
		if left.Sign() > 0 {
			short = append(short, Shortage{ItemID: n.ItemID, Requested: n.Quantity, Available: avail, Short: left})
		}
	}
	if short != nil {
		return Reservation{}, &ShortageError{JobID: req.JobID, LocationIDs: locs, Items: short}
	}
	b.Track(res)
	return res, nil
}

// mergeNeeds adds up the needs of each item and sorts them by item.
func mergeNeeds(needs []Need) ([]Need, error) {
	if len(needs) == 0 {
		return nil, invalid("needs", "nothing is needed")
	}
	sum := map[string]decimal.Decimal{}
	for i, n := range needs {
		if n.ItemID == "" {
			return nil, invalid(fmt.Sprintf("needs.%d.itemId", i), "a need names an item")
		}
		if n.Quantity.Sign() <= 0 {
			return nil, invalid(fmt.Sprintf("needs.%d.quantity", i), "a needed quantity must be positive, got %s", fmtQ(n.Quantity))
		}
		sum[n.ItemID] = sum[n.ItemID].Add(n.Quantity)
	}
	out := make([]Need, 0, len(sum))
	for id, q := range sum {
		out = append(out, Need{ItemID: id, Quantity: q})
	}
	slices.SortFunc(out, func(a, b Need) int { return cmp.Compare(a.ItemID, b.ItemID) })
	return out, nil
}

// Consume posts a consumption on the reservation's job (see [Book.Post]) and
// draws the reservation down: the line at the consumption's location first,
// then the job's lines of the same item elsewhere (the part came to the truck
// from the warehouse). What the job reserved is not held against it. When
// every line is consumed the reservation is FULFILLED. m is a CONSUMPTION;
// its JobID is the reservation's (filled in when empty).
func (r Reservation) Consume(m Movement, b *Book) (Reservation, Movement, error) {
	if r.Status != ReservationActive {
		return r, Movement{}, &TransitionError{Document: "reservation", ID: r.ID, From: string(r.Status), Action: "consume"}
	}
	if m.Kind != Consumption {
		return r, Movement{}, invalid("kind", "a reservation is consumed by a CONSUMPTION, got %s", m.Kind)
	}
	if m.JobID == "" {
		m.JobID = r.JobID
	}
	if m.JobID != r.JobID {
		return r, Movement{}, invalid("jobId", "reservation %s is for job %s, not %s", r.ID, r.JobID, m.JobID)
	}
	m.DocumentID = r.ID
	posted, err := b.post([]Movement{m}, r.ref())
	if err != nil {
		return r, Movement{}, err
	}
	r.Lines = slices.Clone(r.Lines)
	left := m.Quantity.Neg()
	for pass := range 2 {
		for i := range r.Lines {
			l := &r.Lines[i]
			if l.ItemID != m.ItemID || (l.LocationID == m.LocationID) != (pass == 0) {
				continue
			}
			take := minDec(l.Open(), left)
			l.Consumed = l.Consumed.Add(take)
			left = left.Sub(take)
		}
	}
	if !slices.ContainsFunc(r.Lines, func(l ReservationLine) bool { return l.Open().Sign() > 0 }) {
		r.Status, r.ClosedAt = ReservationFulfilled, m.At
	}
	b.Track(r)
	return r, posted[0], nil
}

// Release ends an active reservation: what it still held becomes available
// (the job was cancelled, rescheduled, or finished with parts to spare).
func (r Reservation) Release(now time.Time, b *Book) (Reservation, error) {
	if r.Status != ReservationActive {
		return r, &TransitionError{Document: "reservation", ID: r.ID, From: string(r.Status), Action: "release"}
	}
	r.Status, r.ClosedAt = ReservationReleased, now
	b.Track(r)
	return r, nil
}
