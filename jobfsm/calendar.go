package jobfsm

import (
	"fmt"
	"iter"
	"slices"
	"time"
)

// TimeOfDay is a wall-clock time as minutes after midnight, from 0 (00:00)
// to 1440 (24:00). It reads and writes as "HH:MM".
type TimeOfDay int

// HM returns the time of day h:m.
func HM(h, m int) TimeOfDay { return TimeOfDay(h*60 + m) }

func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// MarshalText writes "HH:MM".
func (t TimeOfDay) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads "HH:MM", from 00:00 to 24:00.
func (t *TimeOfDay) UnmarshalText(b []byte) error {
	var h, m int
	if len(b) != 5 || b[2] != ':' {
		return &InputError{Field: "timeOfDay", Problem: quote(string(b)) + " is not HH:MM"}
	}
	if _, err := fmt.Sscanf(string(b), "%02d:%02d", &h, &m); err != nil || m > 59 || HM(h, m) > 1440 {
		return &InputError{Field: "timeOfDay", Problem: quote(string(b)) + " is not a time from 00:00 to 24:00"}
	}
	*t = HM(h, m)
	return nil
}

// Span is a stretch of business hours in local wall-clock time. A span
// whose End is not after its Start ends the next day: 22:00–06:00 is a
// night shift, 00:00–00:00 the whole day. A span belongs to the day it
// starts on.
type Span struct {
	Start TimeOfDay `json:"start"`
	End   TimeOfDay `json:"end"`
}

// Week is the business hours of each weekday; a day without spans is
// closed.
type Week struct {
	Monday    []Span `json:"monday,omitempty"`
	Tuesday   []Span `json:"tuesday,omitempty"`
	Wednesday []Span `json:"wednesday,omitempty"`
	Thursday  []Span `json:"thursday,omitempty"`
	Friday    []Span `json:"friday,omitempty"`
	Saturday  []Span `json:"saturday,omitempty"`
	Sunday    []Span `json:"sunday,omitempty"`
}

// On returns the spans of a weekday.
func (w Week) On(d time.Weekday) []Span {
	return [...][]Span{w.Sunday, w.Monday, w.Tuesday, w.Wednesday, w.Thursday, w.Friday, w.Saturday}[d]
}

// Date is a calendar day, with no time zone. It reads and writes as
// "2006-01-02".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText writes "2006-01-02".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "2006-01-02".
func (d *Date) UnmarshalText(b []byte) error {
	t, err := time.Parse(time.DateOnly, string(b))
	if err != nil {
		return &InputError{Field: "date", Problem: quote(string(b)) + " is not YYYY-MM-DD"}
	}
	*d = DateOf(t)
	return nil
}

func (d Date) utc() time.Time        { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
func (d Date) valid() bool           { return DateOf(d.utc()) == d }
func (d Date) weekday() time.Weekday { return d.utc().Weekday() }
func (d Date) add(days int) Date     { return DateOf(d.utc().AddDate(0, 0, days)) }

// SpecialDay replaces the weekly hours of one date: shorter hours on
// Christmas Eve, a Saturday opening. No hours means closed.
type SpecialDay struct {
	Date  Date   `json:"date"`
	Hours []Span `json:"hours,omitempty"`
}

// BusinessHours describes when a business counts time: weekly hours,
// holidays (closed all day) and special days. It is the data a
// [Calendar] is built from.
type BusinessHours struct {
	Week     Week         `json:"week"`
	Holidays []Date       `json:"holidays,omitempty"`
	Special  []SpecialDay `json:"special,omitempty"`
}

// Calendar counts business time in a time zone: SLA targets in business
// hours are measured on one. Spans are wall-clock times, so an 8:00–17:00
// day is 8 real hours on an ordinary day, 9 when the clocks fall back in
// it and 8 when they spring forward outside it; a wall time that does not
// exist (in a spring-forward gap) means the instant the gap ends, and an
// ambiguous one (in a fall-back overlap) its first occurrence.
//
// A nil or zero Calendar is always open: business time is wall-clock time.
// A Calendar is immutable and safe for concurrent use.
type Calendar struct {
	loc     *time.Location
	week    [7][]span
	special map[Date][]span
}

// span is a normalized [Span]: minutes after the start day's midnight,
// start < end ≤ 2880.
type span struct{ start, end int }

// NewCalendar builds the calendar of the business hours in loc. The
// caller loads loc (time.LoadLocation reads the zone database, which a
// pure package does not). Overlapping spans merge; the week needs at least
// one span, so that every deadline exists.
func NewCalendar(loc *time.Location, h BusinessHours) (*Calendar, error) {
	if loc == nil {
		return nil, &InputError{Field: "location", Problem: "required"}
	}
	c := &Calendar{loc: loc, special: map[Date][]span{}}
	hasHours := false
	for d := time.Sunday; d <= time.Saturday; d++ {
		spans, err := normalize(h.Week.On(d), "week."+lower(d.String()))
		if err != nil {
			return nil, err
		}
		c.week[d] = spans
		hasHours = hasHours || len(spans) > 0
	}
	if !hasHours {
		return nil, &InputError{Field: "week", Problem: "no business hours: no deadline would ever come"}
	}
	days := slices.Clone(h.Special)
	for _, d := range h.Holidays {
		days = append(days, SpecialDay{Date: d})
	}
	for i, s := range days {
		field := fmt.Sprintf("special[%d]", i)
		if i >= len(h.Special) {
			field = fmt.Sprintf("holidays[%d]", i-len(h.Special))
		}
		if !s.Date.valid() {
			return nil, &InputError{Field: field, Problem: "no such date " + s.Date.String()}
		}
		if _, dup := c.special[s.Date]; dup {
			return nil, &InputError{Field: field, Problem: s.Date.String() + " is given twice"}
		}
		spans, err := normalize(s.Hours, field+".hours")
		if err != nil {
			return nil, err
		}
		c.special[s.Date] = spans
	}
	return c, nil
}

func lower(s string) string {
	b := []byte(s)
	b[0] += 'a' - 'A'
	return string(b)
}

// normalize checks spans and returns them sorted and merged.
func normalize(in []Span, field string) ([]span, error) {
	out := make([]span, 0, len(in))
	for i, s := range in {
		if s.Start < 0 || s.Start >= 1440 || s.End < 0 || s.End > 1440 {
			return nil, &InputError{Field: fmt.Sprintf("%s[%d]", field, i), Problem: "times run from 00:00 to 24:00 and a span starts before 24:00"}
		}
		n := span{int(s.Start), int(s.End)}
		if n.end <= n.start {
			n.end += 1440
		}
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	merged := out[:0]
	for _, s := range out {
		if k := len(merged) - 1; k >= 0 && s.start <= merged[k].end {
			merged[k].end = max(merged[k].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged, nil
}

// Location is the calendar's time zone; nil for an always-open calendar.
func (c *Calendar) Location() *time.Location {
	if c == nil {
		return nil
	}
	return c.loc
}

func (c *Calendar) alwaysOpen() bool { return c == nil || c.loc == nil }

// Deadline is the earliest instant by which d of business time has passed
// since start. A d of zero or less is start itself.
func (c *Calendar) Deadline(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	if c.alwaysOpen() {
		return start.Add(d)
	}
	for a, b := range c.open(start) {
		if n := b.Sub(a); n < d {
			d -= n
			continue
		}
		return a.Add(d)
	}
	panic("jobfsm: a calendar without business hours") // NewCalendar refuses one
}

// Elapsed is the business time in [start, end); zero when end is not after
// start.
func (c *Calendar) Elapsed(start, end time.Time) time.Duration {
	if !end.After(start) {
		return 0
	}
	if c.alwaysOpen() {
		return end.Sub(start)
	}
	var sum time.Duration
	for a, b := range c.open(start) {
		if !a.Before(end) {
			break
		}
		if b.After(end) {
			b = end
		}
		sum += b.Sub(a)
	}
	return sum
}

// IsOpen reports whether t falls in business hours.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c.alwaysOpen() {
		return true
	}
	for a := range c.open(t) {
		return !a.After(t)
	}
	return false
}

// open yields the calendar's business intervals [a, b) that end after
// from, in order, disjoint, the first clipped to start at from. It never
// ends: callers stop it.
func (c *Calendar) open(from time.Time) iter.Seq2[time.Time, time.Time] {
	return func(yield func(a, b time.Time) bool) {
		cursor := from
		// Start a day early: yesterday's night shift may still run.
		for day := DateOf(from.In(c.loc)).add(-1); ; day = day.add(1) {
			spans, ok := c.special[day]
			if !ok {
				spans = c.week[day.weekday()]
			}
			for _, s := range spans {
				a, b := c.wall(day, s.start), c.wall(day, s.end)
				if a.Before(cursor) {
					a = cursor
				}
				if !b.After(a) {
					continue
				}
				if !yield(a, b) {
					return
				}
				cursor = b
			}
		}
	}
}

// wall is the instant of the wall-clock time minute minutes after the
// midnight that starts day.
func (c *Calendar) wall(day Date, minute int) time.Time {
	return wallInstant(c.loc, day.Year, day.Month, day.Day+minute/1440, minute%1440/60, minute%60)
}

// wallInstant resolves a wall-clock time in loc to an instant: an
// ambiguous time (clocks fell back) to its first occurrence, a time that
// does not exist (clocks sprang forward) to the instant the gap ends.
// time.Date leaves both choices unspecified.
func wallInstant(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
	t := time.Date(y, mo, d, h, mi, 0, 0, loc)
	want := time.Date(y, mo, d, h, mi, 0, 0, time.UTC).Unix()
	_, off := t.Zone()
	got := t.Unix() + int64(off)
	start, end := t.ZoneBounds()
	switch {
	case got == want && !start.IsZero():
		// Valid; if the previous zone period also shows this wall time,
		// that occurrence comes first.
		_, prev := start.Add(-time.Second).Zone()
		if e := want - int64(prev); e < start.Unix() {
			return time.Unix(e, 0).In(loc)
		}
		return t
	case got == want:
		return t
	case got > want:
		return start // t is past the gap: the gap ends where its zone period starts
	default:
		return end // t is before the gap: it ends where t's zone period ends
	}
}
