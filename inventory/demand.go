package inventory

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// DemandStats is the daily demand for one item at one location over a window
// of days, days without demand included.
type DemandStats struct {
	Key
	Days  int             `json:"days"`
	Total decimal.Decimal `json:"total"`
	// Mean is the mean demand per day and StdDev its sample standard
	// deviation (n − 1), both to 8 decimal places.
	Mean   decimal.Decimal `json:"mean"`
	StdDev decimal.Decimal `json:"stdDev"`
}

// DemandCounter turns a consumption ledger into [DemandStats]. Demand at a
// location is what left it to be used: consumptions on jobs, less returns
// from jobs, plus transfers out to the locations it replenishes (a
// warehouse's demand is its trucks' refills). Transfers back to a warehouse
// or between trucks are not demand. Each movement counts on its local
// calendar day (in the time zone of the window's start), a day's net demand
// is never below zero, and movements outside the window are ignored.
// Movements may come in any order.
type DemandCounter struct {
	first  int64 // civil day number of the window's first day
	days   int
	tz     *time.Location
	feeds  map[string]string // location → the location it replenishes from
	series map[Key][]dayQty
}

type dayQty struct {
	day int32
	q   decimal.Decimal
}

// NewDemandCounter returns a counter for the days days starting on the
// calendar day of from, in from's time zone. locations tells which transfers
// are refills.
func NewDemandCounter(from time.Time, days int, locations []Location) (*DemandCounter, error) {
	if days < 2 {
		return nil, invalid("days", "demand statistics need a window of at least 2 days, got %d", days)
	}
	c := &DemandCounter{first: civilDay(from, from.Location()), days: days, tz: from.Location(),
		feeds: make(map[string]string, len(locations)), series: map[Key][]dayQty{}}
	for _, l := range locations {
		if l.ReplenishFromID != "" {
			c.feeds[l.ID] = l.ReplenishFromID
		}
	}
	return c, nil
}

// civilDay is the number of the calendar day of t in tz (days since
// 1970-01-01).
func civilDay(t time.Time, tz *time.Location) int64 {
	y, m, d := t.In(tz).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// Add counts one movement; movements that are not demand are ignored.
func (c *DemandCounter) Add(m Movement) {
	var q decimal.Decimal
	switch {
	case m.Kind == Consumption:
		q = m.Quantity.Neg()
	case m.Kind == Return:
		q = m.Quantity.Neg()
	case m.Kind == TransferOut && c.feeds[m.CounterpartID] == m.LocationID:
		q = m.Quantity.Neg()
	default:
		return
	}
	day := civilDay(m.At, c.tz) - c.first
	if day < 0 || day >= int64(c.days) {
		return
	}
	key := m.Key()
	s := c.series[key]
	if n := len(s); n > 0 && s[n-1].day == int32(day) {
		s[n-1].q = s[n-1].q.Add(q)
		return
	}
	c.series[key] = append(s, dayQty{int32(day), q})
}

// Stats returns the statistics of every item×location with demand in the
// window, sorted by item then location.
func (c *DemandCounter) Stats() []DemandStats {
	keys := make([]Key, 0, len(c.series))
	for k := range c.series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	out := make([]DemandStats, 0, len(keys))
	for _, k := range keys {
		out = append(out, c.Stat(k))
	}
	return out
}

// Stat returns the statistics of one item×location (zero demand if none).
func (c *DemandCounter) Stat(key Key) DemandStats {
	s := c.series[key]
	if !slices.IsSortedFunc(s, func(a, b dayQty) int { return cmp.Compare(a.day, b.day) }) {
		s = slices.Clone(s)
		slices.SortStableFunc(s, func(a, b dayQty) int { return cmp.Compare(a.day, b.day) })
	}
	var total, squares decimal.Decimal
	for i := 0; i < len(s); {
		q := s[i].q
		j := i + 1
		for ; j < len(s) && s[j].day == s[i].day; j++ {
			q = q.Add(s[j].q)
		}
		if q.Sign() > 0 {
			total = total.Add(q)
			squares = squares.Add(q.Mul(q))
		}
		i = j
	}
	return newDemandStats(key, c.days, total, squares)
}

// newDemandStats derives the mean and the sample standard deviation of days
// daily demands from their sum and their sum of squares:
//
//	mean = Σx / n,  σ² = (n·Σx² − (Σx)²) / (n·(n − 1))
func newDemandStats(key Key, days int, total, squares decimal.Decimal) DemandStats {
	n := decimal.New(int64(days), 0)
	v := n.Mul(squares).Sub(total.Mul(total)).DivRound(n.Mul(n.Sub(one)), 2*statPlaces)
	return DemandStats{
		Key: key, Days: days, Total: total,
		Mean:   total.DivRound(n, statPlaces),
		StdDev: sqrtFloor(v, statPlaces),
	}
}
