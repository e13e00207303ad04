package contractorops_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
)

func TestScheduleOccurrences(t *testing.T) {
	for _, c := range []struct {
		name          string
		s             contractorops.Schedule
		from, through string
		want          string
	}{
		{"weekly on a preferred weekday", contractorops.Schedule{Frequency: "WEEKLY", StartDate: date("2026-01-01"), PreferredWeekday: "WEDNESDAY"},
			"2026-01-01", "2026-01-31", "2026-01-07 2026-01-14 2026-01-21 2026-01-28"},
		{"weekly on the start's weekday", contractorops.Schedule{Frequency: "WEEKLY", StartDate: date("2026-01-01")},
			"2026-01-01", "2026-01-22", "2026-01-01 2026-01-08 2026-01-15 2026-01-22"},
		{"biweekly keeps its phase from the start", contractorops.Schedule{Frequency: "BIWEEKLY", StartDate: date("2026-01-01"), PreferredWeekday: "MONDAY"},
			"2026-01-10", "2026-02-10", "2026-01-19 2026-02-02"},
		{"daily to its end date", contractorops.Schedule{Frequency: "DAILY", StartDate: date("2026-12-30"), EndDate: date("2027-01-02")},
			"2026-12-01", "2027-01-31", "2026-12-30 2026-12-31 2027-01-01 2027-01-02"},
		{"monthly on the 31st, clamped", contractorops.Schedule{Frequency: "MONTHLY", StartDate: date("2026-01-15"), PreferredDayOfMonth: 31},
			"2026-01-01", "2026-04-30", "2026-01-31 2026-02-28 2026-03-31 2026-04-30"},
		{"monthly on the 31st in a leap year", contractorops.Schedule{Frequency: "MONTHLY", StartDate: date("2028-01-31")},
			"2028-01-01", "2028-03-31", "2028-01-31 2028-02-29 2028-03-31"},
		{"monthly: a preferred day before the start waits a month", contractorops.Schedule{Frequency: "MONTHLY", StartDate: date("2026-01-10"), PreferredDayOfMonth: 5},
			"2026-01-01", "2026-03-31", "2026-02-05 2026-03-05"},
		{"monthly from far into the series", contractorops.Schedule{Frequency: "MONTHLY", StartDate: date("2026-01-31")},
			"2027-06-01", "2027-07-31", "2027-06-30 2027-07-31"},
		{"quarterly from a month end", contractorops.Schedule{Frequency: "QUARTERLY", StartDate: date("2026-11-30")},
			"2026-11-01", "2027-08-31", "2026-11-30 2027-02-28 2027-05-30 2027-08-30"},
		{"semi-annual", contractorops.Schedule{Frequency: "SEMI_ANNUAL", StartDate: date("2026-03-15")},
			"2026-01-01", "2027-12-31", "2026-03-15 2026-09-15 2027-03-15 2027-09-15"},
		{"annual on February 29th", contractorops.Schedule{Frequency: "ANNUAL", StartDate: date("2028-02-29")},
			"2028-01-01", "2032-12-31", "2028-02-29 2029-02-28 2030-02-28 2031-02-28 2032-02-29"},
		{"an empty range", contractorops.Schedule{Frequency: "DAILY", StartDate: date("2026-01-01")},
			"2026-02-01", "2026-01-31", ""},
		{"a range before the start", contractorops.Schedule{Frequency: "WEEKLY", StartDate: date("2026-06-01")},
			"2026-01-01", "2026-05-31", ""},
	} {
		var got []string
		for _, d := range c.s.Occurrences(date(c.from), date(c.through)) {
			got = append(got, d.String())
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %v, want %s", c.name, got, c.want)
		}
	}
}

// TestOccurrencesProperties: the days lie in range, in order, on the
// schedule's rhythm, and a range split in two gives the same days as the
// whole (so that generating over overlapping horizons finds the same
// identities).
func TestOccurrencesProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		day := func(label string) jobfsm.Date {
			return jobfsm.DateOf(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(0, 1500).Draw(t, label)))
		}
		s := contractorops.Schedule{Frequency: rapid.SampledFrom(contractorops.Frequencies()).Draw(t, "frequency"), StartDate: day("start")}
		switch s.Frequency {
		case contractorops.FrequencyWeekly, contractorops.FrequencyBiweekly:
			s.PreferredWeekday = rapid.SampledFrom([]contractorops.Weekday{"", "MONDAY", "SATURDAY", "SUNDAY"}).Draw(t, "weekday")
		case contractorops.FrequencyDaily:
		default:
			s.PreferredDayOfMonth = rapid.IntRange(0, 31).Draw(t, "dayOfMonth")
		}
		from, through := day("from"), day("through")
		mid := day("mid")
		all := s.Occurrences(from, through)
		for i, d := range all {
			if d.String() < from.String() || d.String() > through.String() || d.String() < s.StartDate.String() {
				t.Fatalf("%v outside [%v, %v] or before the start %v", d, from, through, s.StartDate)
			}
			if i > 0 && d.String() <= all[i-1].String() {
				t.Fatalf("%v after %v", d, all[i-1])
			}
			if s.PreferredWeekday != "" && utc(d).Weekday() != s.PreferredWeekday.Weekday() {
				t.Fatalf("%v is not a %s", d, s.PreferredWeekday)
			}
			if want := s.PreferredDayOfMonth; want > 0 && d.Day != want && d.Day != daysIn(d) {
				t.Fatalf("%v is neither the %dth nor the month's last day", d, want)
			}
		}
		var split []jobfsm.Date
		if mid.String() >= from.String() && mid.String() <= through.String() {
			split = append(s.Occurrences(from, mid), s.Occurrences(jobfsm.DateOf(utc(mid).AddDate(0, 0, 1)), through)...)
		} else {
			split = s.Occurrences(from, through)
		}
		if !slices.Equal(all, split) {
			t.Fatalf("whole range %v, split at %v %v", all, mid, split)
		}
	})
}

func utc(d jobfsm.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func daysIn(d jobfsm.Date) int { return time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day() }

func TestRecommendRenewal(t *testing.T) {
	perf := func(score, response, resolution, visits, margin string) contractorops.ContractPerformance {
		p := contractorops.ContractPerformance{Periods: 1, MarginPercent: margin}
		p.Score, p.ResponseCompliance, p.ResolutionCompliance, p.VisitCompliance = score, response, resolution, visits
		return p
	}
	for _, c := range []struct {
		name       string
		p          contractorops.ContractPerformance
		configured string
		action     contractorops.RenewalAction
		change     string
		reasons    int
	}{
		{"nothing scored", perf("", "", "", "", ""), "3", contractorops.RenewalReview, "0", 1},
		{"poor service", perf("76.67", "60.00", "100.00", "70.00", ""), "3", contractorops.RenewalReview, "0", 3},
		{"excellent service, the configured change", perf("98.33", "100.00", "100.00", "95.00", ""), "3.5", contractorops.RenewalRenewWithPriceChange, "3.5", 1},
		{"excellent service, no change configured", perf("100.00", "100.00", "", "", ""), "0", contractorops.RenewalRenew, "0", 1},
		{"good service holds the price", perf("90.00", "90.00", "90.00", "90.00", ""), "3.5", contractorops.RenewalRenew, "0", 1},
		{"a thin margin raises the price", perf("100.00", "100.00", "100.00", "100.00", "10"), "3.5", contractorops.RenewalRenewWithPriceChange, "12.5", 1},
		{"a thin margin, a larger configured change", perf("90.00", "90.00", "90.00", "90.00", "19.5"), "5", contractorops.RenewalRenewWithPriceChange, "5", 1},
		{"a healthy margin changes nothing", perf("90.00", "90.00", "90.00", "90.00", "35"), "5", contractorops.RenewalRenew, "0", 1},
		{"poor service wins over margin", perf("50.00", "50.00", "", "", "5"), "5", contractorops.RenewalReview, "0", 2},
	} {
		got := contractorops.RecommendRenewal(c.p, c.configured)
		if got.Action != c.action || got.ChangePercent != c.change || len(got.Reasons) != c.reasons {
			t.Errorf("%s: %s %s %q, want %s %s with %d reasons", c.name, got.Action, got.ChangePercent, got.Reasons, c.action, c.change, c.reasons)
		}
	}
}

// A quarterly schedule on the 31st falls on each quarter's month at its
// last day when it is shorter.
func ExampleSchedule_Occurrences() {
	s := contractorops.Schedule{
		Frequency:           contractorops.FrequencyQuarterly,
		StartDate:           jobfsm.Date{Year: 2026, Month: time.November, Day: 1},
		PreferredDayOfMonth: 31,
	}
	for _, d := range s.Occurrences(jobfsm.Date{Year: 2026, Month: time.January, Day: 1}, jobfsm.Date{Year: 2027, Month: time.December, Day: 31}) {
		fmt.Println(d)
	}
	// Output:
	// 2026-11-30
	// 2027-02-28
	// 2027-05-31
	// 2027-08-31
	// 2027-11-30
}
