package inventory

import (
	"cmp"
	"math/big"
	"math/bits"
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
// Movements may come in any order. Demand is counted to the millionth of a
// unit, exactly, so a year of history for a million item×locations costs a
// few bytes per day with demand and no rounding in the statistics.
type DemandCounter struct {
	first  int64 // civil day number of the window's first day
	days   int
	tz     *time.Location
	feeds  map[string]string // location → the location it replenishes from
	series map[Key]*[]dayQty
}

// dayQty is a day's demand so far, in millionths of a unit.
type dayQty struct {
	day int32
	q   int64
}

// demandPlaces is the precision of counted demand: millionths of a unit.
const demandPlaces = 6

// maxDemand bounds one day's demand (in millionths) so that the sum of the
// squares of a window of up to 100 000 days stays exact in 128 bits: 10^10
// units a day.
const maxDemand = 1e16

// NewDemandCounter returns a counter for the days days starting on the
// calendar day of from, in from's time zone. locations tells which transfers
// are refills.
func NewDemandCounter(from time.Time, days int, locations []Location) (*DemandCounter, error) {
	if days < 2 || days > 100000 {
		return nil, invalid("days", "demand statistics need a window of 2 to 100 000 days, got %d", days)
	}
	c := &DemandCounter{first: civilDay(from, from.Location()), days: days, tz: from.Location(),
		feeds: make(map[string]string, len(locations)), series: map[Key]*[]dayQty{}}
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

// Add counts one movement; movements that are not demand, or outside the
// window, are ignored. A day's demand beyond 10^12 units of an item at one
// location is an [ErrInvalid].
func (c *DemandCounter) Add(m Movement) error {
	switch {
	case m.Kind == Consumption, m.Kind == Return:
	case m.Kind == TransferOut && c.feeds[m.CounterpartID] == m.LocationID:
	default:
		return nil
	}
	day := civilDay(m.At, c.tz) - c.first
	if day < 0 || day >= int64(c.days) {
		return nil
	}
	q, ok := micros(m.Quantity)
	if !ok {
		return invalid("quantity", "demand of %s in one movement is beyond what a day can count", fmtQ(m.Quantity))
	}
	q = -q // demand is what leaves
	key := m.Key()
	p := c.series[key]
	if p == nil {
		p = new([]dayQty)
		c.series[key] = p
	}
	s := *p
	if n := len(s); n > 0 && s[n-1].day == int32(day) {
		if t := s[n-1].q + q; t > -maxDemand && t < maxDemand {
			s[n-1].q = t
			return nil
		}
		return invalid("quantity", "demand of %s at %s on one day is beyond what a day can count", key.ItemID, key.LocationID)
	}
	*p = append(s, dayQty{int32(day), q})
	return nil
}

// micros returns q in millionths of a unit, rounded half to even, if its
// magnitude is below maxDemand millionths.
func micros(q decimal.Decimal) (int64, bool) {
	if q.Exponent() < -demandPlaces {
		q = q.RoundBank(demandPlaces)
	}
	if q.NumDigits() > 18 {
		return 0, false
	}
	v := q.CoefficientInt64()
	for e := q.Exponent(); e > -demandPlaces; e-- {
		if v >= maxDemand/10 || v <= -maxDemand/10 {
			return 0, false
		}
		v *= 10
	}
	return v, v > -maxDemand && v < maxDemand
}

// Stats returns the statistics of every item×location with demand in the
// window, sorted by item then location.
func (c *DemandCounter) Stats() []DemandStats {
	type keyed struct {
		key Key
		s   []dayQty
	}
	all := make([]keyed, 0, len(c.series))
	for k, s := range c.series {
		all = append(all, keyed{k, *s})
	}
	slices.SortFunc(all, func(a, b keyed) int { return compareKeys(a.key, b.key) })
	out := make([]DemandStats, len(all))
	var w statWork
	for i, x := range all {
		out[i] = c.stat(x.key, x.s, &w)
	}
	return out
}

// Stat returns the statistics of one item×location (zero demand if none).
func (c *DemandCounter) Stat(key Key) DemandStats {
	var w statWork
	var s []dayQty
	if p := c.series[key]; p != nil {
		s = *p
	}
	return c.stat(key, s, &w)
}

// statWork is scratch space reused from one item×location to the next.
type statWork struct {
	sum, sq, v, t big.Int
}

func (c *DemandCounter) stat(key Key, s []dayQty, w *statWork) DemandStats {
	if !slices.IsSortedFunc(s, func(a, b dayQty) int { return cmp.Compare(a.day, b.day) }) {
		s = slices.Clone(s)
		slices.SortStableFunc(s, func(a, b dayQty) int { return cmp.Compare(a.day, b.day) })
	}
	// Σx and Σx² of the daily totals, in 128 bits: a day is below 10^16
	// millionths and a window below 10^5 days.
	var sumHi, sumLo, sqHi, sqLo uint64
	for i := 0; i < len(s); {
		q := s[i].q
		j := i + 1
		for ; j < len(s) && s[j].day == s[i].day; j++ {
			q = min(max(q+s[j].q, -maxDemand), maxDemand) // out-of-order entries of one day
		}
		i = j
		if q <= 0 {
			continue
		}
		var carry uint64
		sumLo, carry = bits.Add64(sumLo, uint64(q), 0)
		sumHi += carry
		hi, lo := bits.Mul64(uint64(q), uint64(q))
		sqLo, carry = bits.Add64(sqLo, lo, 0)
		sqHi += hi + carry
	}
	setUint128(&w.sum, sumHi, sumLo, &w.t)
	setUint128(&w.sq, sqHi, sqLo, &w.t)
	return newDemandStats(key, c.days, w)
}

func setUint128(z *big.Int, hi, lo uint64, t *big.Int) {
	z.SetUint64(hi)
	z.Lsh(z, 64)
	z.Or(z, t.SetUint64(lo))
}

// newDemandStats derives the mean and the sample standard deviation of days
// daily demands (in millionths) from their sum w.sum and their sum of
// squares w.sq, in integers:
//
//	mean = Σx / n,  σ = √((n·Σx² − (Σx)²) / (n·(n − 1)))
//
// The floor of the root of the floored quotient is the floor of the exact
// root, so σ is exact to statPlaces places (truncated) and the mean is
// rounded half up.
func newDemandStats(key Key, days int, w *statWork) DemandStats {
	n := int64(days)
	v, t := &w.v, &w.t
	v.Mul(&w.sq, t.SetInt64(n))
	v.Sub(v, t.Mul(&w.sum, &w.sum)) // ≥ 0 (Cauchy–Schwarz)
	v.Mul(v, t.SetInt64(statScale*statScale/(demandScale*demandScale)))
	v.Quo(v, t.SetInt64(n*(n-1)))
	v.Sqrt(v)
	st := DemandStats{Key: key, Days: days, Total: decimalOf(&w.sum, -demandPlaces), StdDev: decimalOf(v, -statPlaces)}
	// mean = (Σx·10^(statPlaces−demandPlaces)·2 + n) / 2n, half up
	t.Mul(&w.sum, t.SetInt64(2*statScale/demandScale))
	t.Add(t, v.SetInt64(n))
	t.Quo(t, v.SetInt64(2*n))
	st.Mean = decimalOf(t, -statPlaces)
	return st
}

const (
	statScale   = 100_000_000 // 10^statPlaces
	demandScale = 1_000_000   // 10^demandPlaces
)

// decimalOf returns z·10^exp as a decimal, without trailing zeros.
func decimalOf(z *big.Int, exp int32) decimal.Decimal {
	var d decimal.Decimal
	if z.IsInt64() {
		d = decimal.New(z.Int64(), exp)
	} else {
		d = decimal.NewFromBigInt(z, exp)
	}
	return d
}
