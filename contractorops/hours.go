package contractorops

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/invopop/validation"
)

// ClockSpan is a span of wall-clock time within a day, "HH:MM" to "HH:MM"
// (24-hour clock). An End before Start runs overnight into the next day:
// {"22:00", "06:00"} is eight hours; {"20:00", "00:00"} ends at midnight.
// End never equals Start.
type ClockSpan struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

var clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Validate checks the span's format and that it is not empty.
func (s ClockSpan) Validate() error {
	err := validation.ValidateStruct(&s,
		validation.Field(&s.Start, validation.Required, validation.Match(clockPattern).Error("must be a time of day HH:MM, 00:00 to 23:59")),
		validation.Field(&s.End, validation.Required, validation.Match(clockPattern).Error("must be a time of day HH:MM, 00:00 to 23:59")),
	)
	if err == nil && s.Start == s.End {
		err = validation.Errors{"end": validation.NewError("validation_empty_span", "must differ from start (an overnight span ends the next day)")}
	}
	return err
}

// minutes returns the span as minutes from its day's midnight: end > start,
// and end > 1440 for an overnight span. The span must be valid.
func (s ClockSpan) minutes() (start, end int) {
	start, end = clockMinutes(s.Start), clockMinutes(s.End)
	if end <= start {
		end += minutesPerDay
	}
	return start, end
}

func (s ClockSpan) String() string { return s.Start + "–" + s.End }

func clockMinutes(hhmm string) int {
	h, _ := strconv.Atoi(hhmm[:2])
	m, _ := strconv.Atoi(hhmm[3:])
	return h*60 + m
}

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
	maxSpansPerDay = 12
)

// WeeklyHours is a weekly pattern of working (or opening) hours: for each
// weekday, the spans of wall-clock time, in a time zone given when the
// pattern is laid on a calendar (see [WeeklyHours.Spans]). A day with no
// spans is a day off. Spans never overlap, within a day or across midnight
// (an overnight Monday span and an early Tuesday span), and Sunday night
// wraps to Monday morning.
type WeeklyHours struct {
	Monday    []ClockSpan `json:"monday,omitempty"`
	Tuesday   []ClockSpan `json:"tuesday,omitempty"`
	Wednesday []ClockSpan `json:"wednesday,omitempty"`
	Thursday  []ClockSpan `json:"thursday,omitempty"`
	Friday    []ClockSpan `json:"friday,omitempty"`
	Saturday  []ClockSpan `json:"saturday,omitempty"`
	Sunday    []ClockSpan `json:"sunday,omitempty"`
}

// weekdays are the days of a [WeeklyHours] in week order, Monday first,
// with their JSON names.
var weekdays = [7]struct {
	name string
	day  time.Weekday
}{
	{"monday", time.Monday}, {"tuesday", time.Tuesday}, {"wednesday", time.Wednesday},
	{"thursday", time.Thursday}, {"friday", time.Friday}, {"saturday", time.Saturday}, {"sunday", time.Sunday},
}

// Day returns the spans of a weekday.
func (w WeeklyHours) Day(d time.Weekday) []ClockSpan { return *w.day(d) }

func (w *WeeklyHours) day(d time.Weekday) *[]ClockSpan {
	switch d {
	case time.Monday:
		return &w.Monday
	case time.Tuesday:
		return &w.Tuesday
	case time.Wednesday:
		return &w.Wednesday
	case time.Thursday:
		return &w.Thursday
	case time.Friday:
		return &w.Friday
	case time.Saturday:
		return &w.Saturday
	}
	return &w.Sunday
}

// Validate checks every span, at most 12 spans a day, and that no two spans
// overlap. An overlap is reported on the later span of the week, naming the
// earlier one: "tuesday.0: overlaps monday 22:00–06:00".
func (w WeeklyHours) Validate() error {
	errs := validation.Errors{}
	for _, wd := range weekdays {
		if err := validation.Validate(w.Day(wd.day), validation.Length(0, maxSpansPerDay)); err != nil {
			errs[wd.name] = err
		}
	}
	if len(errs) > 0 {
		return errs
	}
	type placed struct {
		day, index int
		start, end int // minutes from Monday 00:00
	}
	var spans []placed
	for d, wd := range weekdays {
		for i, s := range w.Day(wd.day) {
			start, end := s.minutes()
			spans = append(spans, placed{d, i, d*minutesPerDay + start, d*minutesPerDay + end})
		}
	}
	overlap := func(a, b placed) bool {
		for _, shift := range []int{0, minutesPerWeek, -minutesPerWeek} {
			if a.start+shift < b.end && b.start < a.end+shift {
				return true
			}
		}
		return false
	}
	for j, b := range spans {
		for _, a := range spans[:j] {
			if !overlap(a, b) {
				continue
			}
			name := weekdays[b.day].name
			dayErrs, _ := errs[name].(validation.Errors)
			if dayErrs == nil {
				dayErrs = validation.Errors{}
				errs[name] = dayErrs
			}
			dayErrs[strconv.Itoa(b.index)] = validation.NewError("validation_overlap",
				fmt.Sprintf("overlaps %s %s", weekdays[a.day].name, w.Day(weekdays[a.day].day)[a.index]))
			break
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// normalized returns the hours with each day's spans sorted by start, and
// nil for days without spans.
func (w WeeklyHours) normalized() WeeklyHours {
	for _, wd := range weekdays {
		d := w.day(wd.day)
		if len(*d) == 0 {
			*d = nil
			continue
		}
		*d = slices.Clone(*d)
		slices.SortFunc(*d, func(a, b ClockSpan) int { return clockMinutes(a.Start) - clockMinutes(b.Start) })
	}
	return w
}

// TimeSpan is the half-open time range [Start, End).
type TimeSpan struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Overlaps reports whether the two spans share an instant.
func (s TimeSpan) Overlaps(o TimeSpan) bool { return s.Start.Before(o.End) && o.Start.Before(s.End) }

// Spans lays the weekly hours on the calendar of loc and returns the spans
// that overlap [from, to), whole (an overnight shift that starts before from
// is returned from its start), sorted, with spans that touch merged into one
// (Monday 20:00–00:00 and Tuesday 00:00–06:00 are one shift). Wall-clock
// times follow loc's daylight-saving rules: an 08:00–17:00 span starts at
// 08:00 local time on both sides of a change, and an overnight span across
// one is an hour longer or shorter.
func (w WeeklyHours) Spans(from, to time.Time, loc *time.Location) []TimeSpan {
	if loc == nil {
		loc = time.UTC
	}
	var out []TimeSpan
	first := from.In(loc)
	day := time.Date(first.Year(), first.Month(), first.Day()-1, 0, 0, 0, 0, loc)
	for ; day.Before(to); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		for _, s := range w.Day(day.Weekday()) {
			start, end := s.minutes()
			span := TimeSpan{
				Start: time.Date(day.Year(), day.Month(), day.Day(), 0, start, 0, 0, loc),
				End:   time.Date(day.Year(), day.Month(), day.Day(), 0, end, 0, 0, loc),
			}
			if span.End.After(span.Start) && span.Overlaps(TimeSpan{from, to}) {
				out = append(out, span)
			}
		}
	}
	slices.SortFunc(out, func(a, b TimeSpan) int { return a.Start.Compare(b.Start) })
	merged := out[:0]
	for _, span := range out {
		if n := len(merged); n > 0 && !merged[n-1].End.Before(span.Start) {
			merged[n-1].End = maxTime(merged[n-1].End, span.End)
			continue
		}
		merged = append(merged, span)
	}
	return merged
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
