package contractorops_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hestami-ai/opsengine/contractorops"
)

func spans(pairs ...string) []contractorops.ClockSpan {
	var out []contractorops.ClockSpan
	for _, p := range pairs {
		start, end, _ := strings.Cut(p, "-")
		out = append(out, contractorops.ClockSpan{Start: start, End: end})
	}
	return out
}

func TestWeeklyHoursValidate(t *testing.T) {
	tests := []struct {
		name  string
		hours contractorops.WeeklyHours
		want  string // "field code: message; …", empty when valid
	}{
		{"empty", contractorops.WeeklyHours{}, ""},
		{"a working week", contractorops.WeeklyHours{Monday: spans("08:00-12:00", "13:00-17:00"), Friday: spans("08:00-12:00")}, ""},
		{"overnight", contractorops.WeeklyHours{Monday: spans("22:00-06:00"), Tuesday: spans("06:00-10:00")}, ""},
		{"ending at midnight", contractorops.WeeklyHours{Monday: spans("20:00-00:00"), Tuesday: spans("00:00-06:00")}, ""},
		{"bad format", contractorops.WeeklyHours{Monday: spans("8:00-12:00", "13:00-24:00")},
			"monday.0.start validation_match_invalid; monday.1.end validation_match_invalid"},
		{"empty span", contractorops.WeeklyHours{Tuesday: spans("09:00-09:00")}, "tuesday.0.end validation_empty_span"},
		{"overlap in a day", contractorops.WeeklyHours{Monday: spans("08:00-12:00", "11:00-13:00")},
			"monday.1 validation_overlap: overlaps monday 08:00–12:00"},
		{"overlap in a day, unsorted", contractorops.WeeklyHours{Monday: spans("11:00-13:00", "08:00-12:00")},
			"monday.1 validation_overlap: overlaps monday 11:00–13:00"},
		{"overlap after midnight", contractorops.WeeklyHours{Monday: spans("22:00-06:00"), Tuesday: spans("05:00-09:00")},
			"tuesday.0 validation_overlap: overlaps monday 22:00–06:00"},
		{"overlap over the weekend", contractorops.WeeklyHours{Monday: spans("05:00-07:00"), Sunday: spans("22:00-06:00")},
			"sunday.0 validation_overlap: overlaps monday 05:00–07:00"},
		{"two overlaps", contractorops.WeeklyHours{Monday: spans("08:00-12:00", "09:00-10:00"), Wednesday: spans("08:00-12:00", "10:00-11:00")},
			"monday.1 validation_overlap: overlaps monday 08:00–12:00; wednesday.1 validation_overlap: overlaps wednesday 08:00–12:00"},
		{"too many spans", contractorops.WeeklyHours{Thursday: spans(strings.Split(strings.Repeat("01:00-02:00,", 13), ",")[:13]...)},
			"thursday validation_length_too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := contractorops.Validate(tt.hours)
			var got []string
			if err != nil {
				for _, fe := range err.(*contractorops.Error).FieldErrors {
					s := fe.Field + " " + fe.Code
					if fe.Code == "validation_overlap" {
						s += ": " + fe.Message
					}
					got = append(got, s)
				}
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Errorf("Validate = %q, want %q", g, tt.want)
			}
		})
	}
}

func TestWeeklyHoursSpans(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, newYork)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	format := func(ss []contractorops.TimeSpan) string {
		var out []string
		for _, s := range ss {
			out = append(out, fmt.Sprintf("%s–%s (%s)", s.Start.In(newYork).Format("Mon 01-02 15:04 MST"), s.End.In(newYork).Format("Mon 01-02 15:04 MST"), s.End.Sub(s.Start)))
		}
		return strings.Join(out, ", ")
	}
	tests := []struct {
		name     string
		hours    contractorops.WeeklyHours
		from, to string
		want     string
	}{
		{"a day", contractorops.WeeklyHours{Tuesday: spans("08:00-12:00", "13:00-17:00")}, "2026-11-24 00:00", "2026-11-25 00:00",
			"Tue 11-24 08:00 EST–Tue 11-24 12:00 EST (4h0m0s), Tue 11-24 13:00 EST–Tue 11-24 17:00 EST (4h0m0s)"},
		{"only what overlaps the range", contractorops.WeeklyHours{Tuesday: spans("08:00-12:00", "13:00-17:00")}, "2026-11-24 12:00", "2026-11-24 13:30",
			"Tue 11-24 13:00 EST–Tue 11-24 17:00 EST (4h0m0s)"},
		{"an overnight shift begun before the range", contractorops.WeeklyHours{Monday: spans("22:00-06:00")}, "2026-11-24 00:00", "2026-11-25 00:00",
			"Mon 11-23 22:00 EST–Tue 11-24 06:00 EST (8h0m0s)"},
		{"touching spans merge", contractorops.WeeklyHours{Monday: spans("20:00-00:00"), Tuesday: spans("00:00-06:00", "10:00-11:00")}, "2026-11-23 00:00", "2026-11-25 00:00",
			"Mon 11-23 20:00 EST–Tue 11-24 06:00 EST (10h0m0s), Tue 11-24 10:00 EST–Tue 11-24 11:00 EST (1h0m0s)"},
		{"the night daylight saving time ends", contractorops.WeeklyHours{Saturday: spans("22:00-06:00"), Sunday: spans("08:00-17:00")}, "2026-10-31 00:00", "2026-11-02 00:00",
			"Sat 10-31 22:00 EDT–Sun 11-01 06:00 EST (9h0m0s), Sun 11-01 08:00 EST–Sun 11-01 17:00 EST (9h0m0s)"},
		{"the night daylight saving time starts", contractorops.WeeklyHours{Saturday: spans("22:00-06:00")}, "2026-03-07 00:00", "2026-03-08 00:00",
			"Sat 03-07 22:00 EST–Sun 03-08 06:00 EDT (7h0m0s)"},
		{"a week", contractorops.WeeklyHours{Monday: spans("09:00-17:00"), Sunday: spans("10:00-12:00")}, "2026-11-23 00:00", "2026-11-30 00:00",
			"Mon 11-23 09:00 EST–Mon 11-23 17:00 EST (8h0m0s), Sun 11-29 10:00 EST–Sun 11-29 12:00 EST (2h0m0s)"},
		{"no hours", contractorops.WeeklyHours{}, "2026-11-23 00:00", "2026-11-30 00:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := format(tt.hours.Spans(at(tt.from), at(tt.to), newYork))
			if got != tt.want {
				t.Errorf("Spans =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func ExampleWeeklyHours_Spans() {
	hours := contractorops.WeeklyHours{
		Friday:   []contractorops.ClockSpan{{Start: "08:00", End: "16:00"}},
		Saturday: []contractorops.ClockSpan{{Start: "22:00", End: "06:00"}}, // on call overnight
	}
	ny, _ := time.LoadLocation("America/New_York")
	from := time.Date(2026, 10, 30, 0, 0, 0, 0, ny) // the weekend daylight saving time ends
	for _, s := range hours.Spans(from, from.AddDate(0, 0, 3), ny) {
		fmt.Println(s.Start.Format("Mon 15:04 MST"), "to", s.End.Format("Mon 15:04 MST"), "=", s.End.Sub(s.Start))
	}
	// Output:
	// Fri 08:00 EDT to Fri 16:00 EDT = 8h0m0s
	// Sat 22:00 EDT to Sun 06:00 EST = 9h0m0s
}

// genHours draws weekly hours of up to three spans a day on a 15-minute
// grid, overlapping or not.
func genHours(t *rapid.T) contractorops.WeeklyHours {
	var w contractorops.WeeklyHours
	days := []*[]contractorops.ClockSpan{&w.Monday, &w.Tuesday, &w.Wednesday, &w.Thursday, &w.Friday, &w.Saturday, &w.Sunday}
	clock := func(label string) string {
		m := rapid.IntRange(0, 95).Draw(t, label) * 15
		return fmt.Sprintf("%02d:%02d", m/60, m%60)
	}
	for i, d := range days {
		for j := range rapid.IntRange(0, 3).Draw(t, fmt.Sprint("spans", i)) {
			start := clock(fmt.Sprint("start", i, j))
			end := clock(fmt.Sprint("end", i, j))
			if end == start {
				continue
			}
			*d = append(*d, contractorops.ClockSpan{Start: start, End: end})
		}
	}
	return w
}

// TestWeeklyHoursProperties checks Validate against a brute-force count of
// the minutes of the week each span covers, and that Spans returns sorted,
// separate spans overlapping the range asked for.
func TestWeeklyHoursProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genHours(t)
		var week [7 * 24 * 60]int
		for d, spans := range [][]contractorops.ClockSpan{w.Monday, w.Tuesday, w.Wednesday, w.Thursday, w.Friday, w.Saturday, w.Sunday} {
			for _, s := range spans {
				var sh, sm, eh, em int
				fmt.Sscanf(s.Start, "%d:%d", &sh, &sm)
				fmt.Sscanf(s.End, "%d:%d", &eh, &em)
				start, end := sh*60+sm, eh*60+em
				if end <= start {
					end += 24 * 60
				}
				for m := start; m < end; m++ {
					week[(d*24*60+m)%len(week)]++
				}
			}
		}
		overlap := slices.ContainsFunc(week[:], func(n int) bool { return n > 1 })
		if err := w.Validate(); (err != nil) != overlap {
			t.Fatalf("Validate = %v, brute force overlap = %v", err, overlap)
		}
		if overlap {
			return
		}
		from := time.Date(2026, 10, 20, 0, 0, 0, 0, newYork).Add(time.Duration(rapid.IntRange(0, 14*24*60).Draw(t, "from")) * time.Minute)
		to := from.Add(time.Duration(rapid.IntRange(1, 14*24*60).Draw(t, "length")) * time.Minute)
		spans := w.Spans(from, to, newYork)
		for i, s := range spans {
			if !s.End.After(s.Start) || !s.Overlaps(contractorops.TimeSpan{Start: from, End: to}) {
				t.Fatalf("span %d %v is empty or outside [%v, %v)", i, s, from, to)
			}
			if i > 0 && !spans[i-1].End.Before(s.Start) {
				t.Fatalf("spans %d and %d touch or overlap: %v", i-1, i, spans)
			}
		}
	})
}
