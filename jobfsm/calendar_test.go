package jobfsm_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the same zone data on every machine

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/jobfsm"
	"pgregory.net/rapid"
)

func mustLoad(t interface{ Fatal(...any) }, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func span(s, e jobfsm.TimeOfDay) []jobfsm.Span { return []jobfsm.Span{{Start: s, End: e}} }

// officeHours is Monday to Friday, 8:00 to 17:00.
func officeHours() jobfsm.BusinessHours {
	d := span(jobfsm.HM(8, 0), jobfsm.HM(17, 0))
	return jobfsm.BusinessHours{Week: jobfsm.Week{Monday: d, Tuesday: d, Wednesday: d, Thursday: d, Friday: d}}
}

func allDay() jobfsm.BusinessHours {
	d := span(0, 0)
	return jobfsm.BusinessHours{Week: jobfsm.Week{Monday: d, Tuesday: d, Wednesday: d, Thursday: d, Friday: d, Saturday: d, Sunday: d}}
}

func mustCalendar(t testing.TB, loc *time.Location, h jobfsm.BusinessHours) *jobfsm.Calendar {
	t.Helper()
	c, err := jobfsm.NewCalendar(loc, h)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCalendarCases(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, ny) }
	office := mustCalendar(t, ny, officeHours())
	holidays := officeHours()
	holidays.Holidays = []jobfsm.Date{{2026, 11, 26}} // Thanksgiving, a Thursday
	holidays.Special = []jobfsm.SpecialDay{
		{Date: jobfsm.Date{2026, 11, 27}, Hours: span(jobfsm.HM(8, 0), jobfsm.HM(12, 0))}, // the Friday after: mornings only
		{Date: jobfsm.Date{2026, 11, 28}, Hours: span(jobfsm.HM(9, 0), jobfsm.HM(13, 0))}, // a Saturday opening
	}
	withHolidays := mustCalendar(t, ny, holidays)
	nightShift := mustCalendar(t, ny, jobfsm.BusinessHours{Week: jobfsm.Week{
		Monday:  span(jobfsm.HM(22, 0), jobfsm.HM(6, 0)),
		Tuesday: span(jobfsm.HM(22, 0), jobfsm.HM(6, 0)),
	}})
	nightHoliday := mustCalendar(t, ny, jobfsm.BusinessHours{
		Week:     jobfsm.Week{Monday: span(jobfsm.HM(22, 0), jobfsm.HM(6, 0)), Tuesday: span(jobfsm.HM(22, 0), jobfsm.HM(6, 0))},
		Holidays: []jobfsm.Date{{2026, 11, 24}}, // the Tuesday: its own night shift is off, Monday's still ends on it
	})
	overlapping := mustCalendar(t, ny, jobfsm.BusinessHours{Week: jobfsm.Week{
		Monday:  []jobfsm.Span{{Start: jobfsm.HM(10, 0), End: jobfsm.HM(14, 0)}, {Start: jobfsm.HM(8, 0), End: jobfsm.HM(12, 0)}, {Start: jobfsm.HM(20, 0), End: jobfsm.HM(4, 0)}},
		Tuesday: span(jobfsm.HM(2, 0), jobfsm.HM(10, 0)),
	}})
	around := mustCalendar(t, ny, allDay())
	dstSpans := mustCalendar(t, ny, jobfsm.BusinessHours{Week: jobfsm.Week{Sunday: span(jobfsm.HM(1, 0), jobfsm.HM(3, 0))}})
	dstHour := mustCalendar(t, ny, jobfsm.BusinessHours{Week: jobfsm.Week{Sunday: span(jobfsm.HM(1, 0), jobfsm.HM(2, 0))}})

	for _, tt := range []struct {
		name       string
		cal        *jobfsm.Calendar
		start, end time.Time
		elapsed    time.Duration
	}{
		{"inside a day", office, at(2026, 11, 23, 9, 0), at(2026, 11, 23, 12, 30), 3*time.Hour + 30*time.Minute},
		{"over a night", office, at(2026, 11, 23, 16, 0), at(2026, 11, 24, 9, 0), 2 * time.Hour},
		{"over a weekend", office, at(2026, 11, 20, 16, 0), at(2026, 11, 23, 11, 0), 4 * time.Hour},
		{"from a Saturday", office, at(2026, 11, 21, 10, 0), at(2026, 11, 23, 8, 30), 30 * time.Minute},
		{"a whole week", office, at(2026, 11, 23, 0, 0), at(2026, 11, 30, 0, 0), 45 * time.Hour},
		{"reversed", office, at(2026, 11, 23, 12, 0), at(2026, 11, 23, 9, 0), 0},
		{"holiday and special days", withHolidays, at(2026, 11, 25, 16, 0), at(2026, 11, 30, 9, 0), 1*time.Hour + 4*time.Hour + 4*time.Hour + time.Hour},
		{"night shift", nightShift, at(2026, 11, 23, 21, 0), at(2026, 11, 24, 7, 0), 8 * time.Hour},
		{"night shifts back to back", nightShift, at(2026, 11, 23, 23, 0), at(2026, 11, 25, 5, 0), 7*time.Hour + 7*time.Hour},
		{"night shift into a holiday", nightHoliday, at(2026, 11, 23, 21, 0), at(2026, 11, 25, 12, 0), 8 * time.Hour},
		{"overlapping spans merge", overlapping, at(2026, 11, 23, 0, 0), at(2026, 11, 24, 12, 0), 6*time.Hour + 14*time.Hour},
		{"spring forward: 23 h", around, at(2026, 3, 8, 0, 0), at(2026, 3, 9, 0, 0), 23 * time.Hour},
		{"fall back: 25 h", around, at(2026, 11, 1, 0, 0), at(2026, 11, 2, 0, 0), 25 * time.Hour},
		{"spring forward: 01:00-03:00 is 1 h", dstSpans, at(2026, 3, 8, 0, 0), at(2026, 3, 9, 0, 0), time.Hour},
		{"fall back: 01:00-03:00 is 3 h", dstSpans, at(2026, 11, 1, 0, 0), at(2026, 11, 2, 0, 0), 3 * time.Hour},
		{"fall back: 01:00-02:00 is both 1 o'clocks", dstHour, at(2026, 11, 1, 0, 0), at(2026, 11, 2, 0, 0), 2 * time.Hour},
		{"always open", nil, at(2026, 11, 1, 0, 0), at(2026, 11, 2, 0, 0), 25 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.Elapsed(tt.start, tt.end); got != tt.elapsed {
				t.Fatalf("Elapsed = %v, want %v", got, tt.elapsed)
			}
			if tt.elapsed == 0 {
				return
			}
			// The deadline of that much business time is the end, or the
			// end of the last business interval before it.
			d := tt.cal.Deadline(tt.start, tt.elapsed)
			if d.After(tt.end) || tt.cal.Elapsed(tt.start, d) != tt.elapsed || tt.cal.Elapsed(d, tt.end) != 0 {
				t.Fatalf("Deadline = %v, end %v", d, tt.end)
			}
		})
	}

	for _, tt := range []struct {
		name  string
		cal   *jobfsm.Calendar
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"4 business hours from Friday 16:00", office, at(2026, 11, 20, 16, 0), 4 * time.Hour, at(2026, 11, 23, 11, 0)},
		{"from before opening", office, at(2026, 11, 23, 6, 0), time.Hour, at(2026, 11, 23, 9, 0)},
		{"ending at closing", office, at(2026, 11, 23, 16, 0), time.Hour, at(2026, 11, 23, 17, 0)},
		{"zero", office, at(2026, 11, 21, 10, 0), 0, at(2026, 11, 21, 10, 0)},
		{"negative", office, at(2026, 11, 21, 10, 0), -time.Hour, at(2026, 11, 21, 10, 0)},
		{"over the holiday", withHolidays, at(2026, 11, 25, 16, 0), 6 * time.Hour, at(2026, 11, 28, 10, 0)},
		{"the spring-forward gap", around, at(2026, 3, 8, 1, 30), time.Hour, at(2026, 3, 8, 3, 30)},
		{"the fall-back hour counts twice", around, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), time.Hour, time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)},
		{"seconds are kept", office, at(2026, 11, 23, 9, 0).Add(17 * time.Second), 90 * time.Second, at(2026, 11, 23, 9, 1).Add(47 * time.Second)},
		{"always open", nil, at(2026, 3, 8, 1, 30), time.Hour, at(2026, 3, 8, 3, 30)},
	} {
		if got := tt.cal.Deadline(tt.start, tt.d); !got.Equal(tt.want) {
			t.Errorf("%s: Deadline = %v, want %v", tt.name, got, tt.want)
		}
	}

	for _, tt := range []struct {
		cal  *jobfsm.Calendar
		t    time.Time
		open bool
	}{
		{office, at(2026, 11, 23, 8, 0), true},
		{office, at(2026, 11, 23, 17, 0), false},
		{office, at(2026, 11, 22, 12, 0), false},
		{nightShift, at(2026, 11, 24, 5, 59), true},
		{nil, at(2026, 11, 22, 12, 0), true},
	} {
		if got := tt.cal.IsOpen(tt.t); got != tt.open {
			t.Errorf("IsOpen(%v) = %v", tt.t, got)
		}
	}
	if office.Location() != ny || (*jobfsm.Calendar)(nil).Location() != nil {
		t.Errorf("Location")
	}
	if z := (&jobfsm.Calendar{}); z.Elapsed(at(2026, 1, 1, 0, 0), at(2026, 1, 2, 0, 0)) != 24*time.Hour {
		t.Errorf("the zero calendar is not always open")
	}
}

// TestCalendarZones: half-hour DST (Lord Howe), a zone whose clocks change
// at midnight (Santiago: the day starts at 01:00), a zone without DST.
func TestCalendarZones(t *testing.T) {
	for _, tt := range []struct {
		zone       string
		day        jobfsm.Date
		wholeDay   time.Duration
		midnightTo time.Duration // 00:00-08:00 that day
	}{
		{"Australia/Lord_Howe", jobfsm.Date{2026, 4, 5}, 24*time.Hour + 30*time.Minute, 8*time.Hour + 30*time.Minute},
		{"Australia/Lord_Howe", jobfsm.Date{2026, 10, 4}, 23*time.Hour + 30*time.Minute, 7*time.Hour + 30*time.Minute},
		{"America/Santiago", jobfsm.Date{2026, 9, 6}, 23 * time.Hour, 7 * time.Hour},
		{"America/Santiago", jobfsm.Date{2026, 4, 4}, 25 * time.Hour, 8 * time.Hour},
		{"Asia/Kolkata", jobfsm.Date{2026, 3, 8}, 24 * time.Hour, 8 * time.Hour},
	} {
		loc := mustLoad(t, tt.zone)
		next := time.Date(tt.day.Year, tt.day.Month, tt.day.Day+1, 12, 0, 0, 0, loc)
		prev := time.Date(tt.day.Year, tt.day.Month, tt.day.Day-1, 12, 0, 0, 0, loc)
		only := jobfsm.BusinessHours{Week: allDay().Week, Special: []jobfsm.SpecialDay{
			{Date: tt.day, Hours: span(0, 0)},
			{Date: dateAdd(tt.day, -1)}, {Date: dateAdd(tt.day, 1)},
		}}
		if got := mustCalendar(t, loc, only).Elapsed(prev, next); got != tt.wholeDay {
			t.Errorf("%s %v: the whole day is %v, want %v", tt.zone, tt.day, got, tt.wholeDay)
		}
		only.Special[0].Hours = span(0, jobfsm.HM(8, 0))
		if got := mustCalendar(t, loc, only).Elapsed(prev, next); got != tt.midnightTo {
			t.Errorf("%s %v: 00:00-08:00 is %v, want %v", tt.zone, tt.day, got, tt.midnightTo)
		}
	}
}

func dateAdd(d jobfsm.Date, n int) jobfsm.Date {
	return jobfsm.DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

func TestNewCalendarRefusals(t *testing.T) {
	utc := time.UTC
	for _, tt := range []struct {
		name  string
		loc   *time.Location
		h     jobfsm.BusinessHours
		field string
	}{
		{"no location", nil, officeHours(), "location"},
		{"no hours", utc, jobfsm.BusinessHours{}, "week"},
		{"start at 24:00", utc, jobfsm.BusinessHours{Week: jobfsm.Week{Friday: span(1440, 60)}}, "week.friday[0]"},
		{"end after 24:00", utc, jobfsm.BusinessHours{Week: jobfsm.Week{Sunday: span(60, 1441)}}, "week.sunday[0]"},
		{"negative", utc, jobfsm.BusinessHours{Week: jobfsm.Week{Monday: span(-1, 60)}}, "week.monday[0]"},
		{"no such date", utc, jobfsm.BusinessHours{Week: officeHours().Week, Holidays: []jobfsm.Date{{2026, 2, 30}}}, "holidays[0]"},
		{"twice", utc, jobfsm.BusinessHours{Week: officeHours().Week, Holidays: []jobfsm.Date{{2026, 12, 25}},
			Special: []jobfsm.SpecialDay{{Date: jobfsm.Date{2026, 12, 25}}}}, "holidays[0]"},
		{"bad special span", utc, jobfsm.BusinessHours{Week: officeHours().Week,
			Special: []jobfsm.SpecialDay{{Date: jobfsm.Date{2026, 12, 24}, Hours: span(0, 2000)}}}, "special[0].hours[0]"},
	} {
		_, err := jobfsm.NewCalendar(tt.loc, tt.h)
		var ie *jobfsm.InputError
		if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, jobfsm.ErrInvalidInput) {
			t.Errorf("%s: %v, want a refusal of %s", tt.name, err, tt.field)
		}
	}
}

func TestCalendarJSON(t *testing.T) {
	in := `{"week":{"monday":[{"start":"08:00","end":"17:30"}],"friday":[{"start":"22:00","end":"24:00"}]},` +
		`"holidays":["2026-12-25"],"special":[{"date":"2026-12-24","hours":[{"start":"08:00","end":"12:00"}]}]}`
	var h jobfsm.BusinessHours
	if err := json.Unmarshal([]byte(in), &h); err != nil {
		t.Fatal(err)
	}
	want := jobfsm.BusinessHours{
		Week:     jobfsm.Week{Monday: span(jobfsm.HM(8, 0), jobfsm.HM(17, 30)), Friday: span(jobfsm.HM(22, 0), jobfsm.HM(24, 0))},
		Holidays: []jobfsm.Date{{2026, 12, 25}},
		Special:  []jobfsm.SpecialDay{{Date: jobfsm.Date{2026, 12, 24}, Hours: span(jobfsm.HM(8, 0), jobfsm.HM(12, 0))}},
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Fatalf("unmarshal (-want +got):\n%s", diff)
	}
	out, err := json.Marshal(h)
	if err != nil || string(out) != in {
		t.Errorf("marshal = %s, %v", out, err)
	}
	for _, bad := range []string{`"8:00"`, `"25:00"`, `"12:60"`, `"ab:cd"`, `"24:01"`, `"08-00"`} {
		var tod jobfsm.TimeOfDay
		if err := json.Unmarshal([]byte(bad), &tod); !errors.Is(err, jobfsm.ErrInvalidInput) {
			t.Errorf("time of day %s: %v", bad, err)
		}
	}
	var d jobfsm.Date
	if err := json.Unmarshal([]byte(`"2026-02-30"`), &d); !errors.Is(err, jobfsm.ErrInvalidInput) {
		t.Errorf("date 2026-02-30: %v", err)
	}
}

// ---- property tests ---------------------------------------------------

// zones exercised by the property tests: hour DST both hemispheres,
// half-hour DST, clocks changing at midnight, odd offsets, no DST.
var zones = []string{
	"America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe",
	"America/Santiago", "America/St_Johns", "Asia/Kolkata", "Pacific/Chatham", "UTC",
}

// randomHours draws weekly hours on a 15-minute grid (overnight spans
// included), holidays and special days around day.
func randomHours(t *rapid.T, day jobfsm.Date) jobfsm.BusinessHours {
	grid := func(label string, max int) jobfsm.TimeOfDay {
		return jobfsm.TimeOfDay(rapid.IntRange(0, max/15).Draw(t, label) * 15)
	}
	spans := func(label string) []jobfsm.Span {
		n := rapid.IntRange(0, 2).Draw(t, label+"#")
		var out []jobfsm.Span
		for range n {
			out = append(out, jobfsm.Span{Start: grid(label+".start", 1425), End: grid(label+".end", 1440)})
		}
		return out
	}
	var h jobfsm.BusinessHours
	w := &h.Week
	for _, d := range []*[]jobfsm.Span{&w.Sunday, &w.Monday, &w.Tuesday, &w.Wednesday, &w.Thursday, &w.Friday, &w.Saturday} {
		*d = spans("day")
	}
	if slices.IndexFunc([][]jobfsm.Span{w.Sunday, w.Monday, w.Tuesday, w.Wednesday, w.Thursday, w.Friday, w.Saturday},
		func(s []jobfsm.Span) bool { return len(s) > 0 }) < 0 {
		w.Wednesday = span(jobfsm.HM(9, 0), jobfsm.HM(17, 0))
	}
	used := map[jobfsm.Date]bool{}
	for range rapid.IntRange(0, 3).Draw(t, "holidays") {
		d := dateAdd(day, rapid.IntRange(-3, 10).Draw(t, "holiday"))
		if !used[d] {
			used[d] = true
			h.Holidays = append(h.Holidays, d)
		}
	}
	for range rapid.IntRange(0, 2).Draw(t, "specials") {
		d := dateAdd(day, rapid.IntRange(-3, 10).Draw(t, "special"))
		if !used[d] {
			used[d] = true
			h.Special = append(h.Special, jobfsm.SpecialDay{Date: d, Hours: spans("special")})
		}
	}
	return h
}

// nearTransition draws an instant a few days around one of the zone's
// clock changes (or any instant in a zone without them), to the second.
func nearTransition(t *rapid.T, loc *time.Location) time.Time {
	base := time.Date(rapid.IntRange(2020, 2030).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")), 15, 0, 0, 0, 0, loc)
	if _, end := base.ZoneBounds(); !end.IsZero() && end.Sub(base) < 400*24*time.Hour {
		base = end
	}
	return base.Add(time.Duration(rapid.Int64Range(-5*24*3600, 2*24*3600).Draw(t, "offset")) * time.Second)
}

// firstShowing is the oracle's wall-clock resolution, by brute force: the
// first instant whose wall clock in loc reads at least minute minutes
// after the midnight starting day.
func firstShowing(loc *time.Location, day jobfsm.Date, minute int) time.Time {
	want := time.Date(day.Year, day.Month, day.Day, 0, minute, 0, 0, time.UTC)
	wall := func(t time.Time) time.Time {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
	}
	_, off := want.In(loc).Zone()
	t := want.Add(-time.Duration(off)*time.Second - 3*time.Hour).Truncate(time.Minute)
	for wall(t).Before(want) {
		t = t.Add(time.Minute)
	}
	return t
}

// oracleElapsed computes business time by listing every span's interval,
// sorting and merging them, independently of the package.
func oracleElapsed(loc *time.Location, h jobfsm.BusinessHours, start, end time.Time) time.Duration {
	if !end.After(start) {
		return 0
	}
	special := map[jobfsm.Date][]jobfsm.Span{}
	for _, d := range h.Holidays {
		special[d] = nil
	}
	for _, s := range h.Special {
		special[s.Date] = s.Hours
	}
	var ivs [][2]time.Time
	last := dateAdd(jobfsm.DateOf(end.In(loc)), 1)
	for d := dateAdd(jobfsm.DateOf(start.In(loc)), -2); d != last; d = dateAdd(d, 1) {
		spans, ok := special[d]
		if !ok {
			spans = h.Week.On(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Weekday())
		}
		for _, s := range spans {
			e := int(s.End)
			if e <= int(s.Start) {
				e += 1440
			}
			ivs = append(ivs, [2]time.Time{firstShowing(loc, d, int(s.Start)), firstShowing(loc, d, e)})
		}
	}
	slices.SortFunc(ivs, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	var sum time.Duration
	cursor := start
	for _, iv := range ivs {
		a, b := iv[0], iv[1]
		if a.Before(cursor) {
			a = cursor
		}
		if b.After(end) {
			b = end
		}
		if b.After(a) {
			sum += b.Sub(a)
			cursor = b
		}
	}
	return sum
}

// TestCalendarProperties: on random calendars in DST weeks, Elapsed agrees
// with the brute-force oracle; deadline(start, elapsed(start, x)) = x for
// every x in business time (and the last business instant before x
// otherwise); elapsed(start, deadline(start, d)) = d.
func TestCalendarProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := mustLoad(t, rapid.SampledFrom(zones).Draw(t, "zone"))
		start := nearTransition(t, loc)
		h := randomHours(t, jobfsm.DateOf(start.In(loc)))
		cal, err := jobfsm.NewCalendar(loc, h)
		if err != nil {
			t.Fatalf("NewCalendar: %v", err)
		}
		x := start.Add(time.Duration(rapid.Int64Range(0, 8*24*3600).Draw(t, "x")) * time.Second)

		e := cal.Elapsed(start, x)
		if want := oracleElapsed(loc, h, start, x); e != want {
			t.Fatalf("Elapsed(%v, %v) = %v, oracle %v", start, x, e, want)
		}
		d := cal.Deadline(start, e)
		if d.After(x) || cal.Elapsed(start, d) != e || cal.Elapsed(d, x) != 0 {
			t.Fatalf("Deadline(start, %v) = %v, x = %v", e, d, x)
		}
		inBusiness := cal.Elapsed(x.Add(-time.Nanosecond), x) == time.Nanosecond
		if inBusiness && !d.Equal(x) {
			t.Fatalf("x = %v is in business time but Deadline = %v", x, d)
		}
		if cal.IsOpen(x) != (cal.Elapsed(x, x.Add(time.Nanosecond)) == time.Nanosecond) {
			t.Fatalf("IsOpen(%v) = %v disagrees with Elapsed", x, cal.IsOpen(x))
		}

		want := time.Duration(rapid.Int64Range(0, 40*3600).Draw(t, "d")) * time.Second
		y := cal.Deadline(start, want)
		if got := cal.Elapsed(start, y); got != want {
			t.Fatalf("Elapsed(start, Deadline(start, %v) = %v) = %v", want, y, got)
		}
		if got := cal.Deadline(start, cal.Elapsed(start, y)); want > 0 && !got.Equal(y) {
			t.Fatalf("deadline(start, elapsed(start, %v)) = %v", y, got)
		}
	})
}
