package contractorops

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// Frequency is how often a schedule recurs or a contract bills.
type Frequency string

// The frequencies.
const (
	FrequencyDaily      Frequency = "DAILY"
	FrequencyWeekly     Frequency = "WEEKLY"
	FrequencyBiweekly   Frequency = "BIWEEKLY"
	FrequencyMonthly    Frequency = "MONTHLY"
	FrequencyQuarterly  Frequency = "QUARTERLY"
	FrequencySemiAnnual Frequency = "SEMI_ANNUAL"
	FrequencyAnnual     Frequency = "ANNUAL"
)

// Frequencies returns the frequencies, most frequent first.
func Frequencies() []Frequency {
	return []Frequency{FrequencyDaily, FrequencyWeekly, FrequencyBiweekly, FrequencyMonthly,
		FrequencyQuarterly, FrequencySemiAnnual, FrequencyAnnual}
}

func frequencies() []any {
	out := []any{}
	for _, f := range Frequencies() {
		out = append(out, f)
	}
	return out
}

// step is the frequency's step: in days for the daily and weekly ones, in
// calendar months for the others.
func (f Frequency) step() (days, months int) {
	switch f {
	case FrequencyDaily:
		return 1, 0
	case FrequencyWeekly:
		return 7, 0
	case FrequencyBiweekly:
		return 14, 0
	case FrequencyMonthly:
		return 0, 1
	case FrequencyQuarterly:
		return 0, 3
	case FrequencySemiAnnual:
		return 0, 6
	}
	return 0, 12
}

// Weekday is a day of the week, MONDAY to SUNDAY.
type Weekday string

// The weekdays.
const (
	WeekdayMonday    Weekday = "MONDAY"
	WeekdayTuesday   Weekday = "TUESDAY"
	WeekdayWednesday Weekday = "WEDNESDAY"
	WeekdayThursday  Weekday = "THURSDAY"
	WeekdayFriday    Weekday = "FRIDAY"
	WeekdaySaturday  Weekday = "SATURDAY"
	WeekdaySunday    Weekday = "SUNDAY"
)

// weekdayNames is in time.Weekday order (Sunday first).
var weekdayNames = [...]Weekday{WeekdaySunday, WeekdayMonday, WeekdayTuesday, WeekdayWednesday, WeekdayThursday, WeekdayFriday, WeekdaySaturday}

// Weekday returns w as a time.Weekday.
func (w Weekday) Weekday() time.Weekday { return time.Weekday(slices.Index(weekdayNames[:], w)) }

// Schedule is a contract's recurring visit plan: how often, on which day,
// in which window of the day (wall-clock time in the organization's time
// zone), by which technician, doing which of the contract's service items.
// Visits are generated from it over a rolling horizon ([Schedule.Occurrences]).
type Schedule struct {
	Meta
	ContractID string      `json:"contractId"`
	Name       string      `json:"name"`
	Frequency  Frequency   `json:"frequency"`
	Active     bool        `json:"active"`
	StartDate  jobfsm.Date `json:"startDate"`
	// EndDate, when set, is the last day a visit may fall on; the
	// contract's end date always is.
	EndDate jobfsm.Date `json:"endDate,omitzero"`
	// PreferredWeekday is the day of WEEKLY and BIWEEKLY visits (default:
	// the start date's). PreferredDayOfMonth is the day of the monthly and
	// longer ones (default: the start date's), clamped to the month's
	// length: the 31st is the 30th in April and the 28th or 29th in
	// February, and the next month is the 31st again.
	PreferredWeekday    Weekday          `json:"preferredWeekday,omitempty"`
	PreferredDayOfMonth int              `json:"preferredDayOfMonth,omitempty"`
	WindowStart         jobfsm.TimeOfDay `json:"windowStart"`
	WindowEnd           jobfsm.TimeOfDay `json:"windowEnd"`
	// TechnicianID defaults to the contract's primary technician.
	TechnicianID string `json:"technicianId,omitempty"`
	// ServiceItemIDs are the contract's service items done at each visit;
	// empty means all of them.
	ServiceItemIDs []string `json:"serviceItemIds,omitempty"`
	// GeneratedThrough is the last day visits were generated for.
	GeneratedThrough jobfsm.Date `json:"generatedThrough,omitzero"`
}

var schedulesTable = table[Schedule]{
	spec: TableSpec{Name: "contract_schedules", Keys: []string{"contract_id"}},
	keys: func(s *Schedule) map[string]string { return keys("contract_id", s.ContractID) },
}

// Occurrences returns the days the schedule falls on from from to through,
// both included, within its own start and end dates. DAILY steps one day
// from the start date; WEEKLY and BIWEEKLY 7 and 14 days from the first
// preferred weekday on or after it; MONTHLY, QUARTERLY, SEMI_ANNUAL and
// ANNUAL 1, 3, 6 and 12 calendar months from its month, on the preferred day
// of the month clamped to the month's length (never drifting: January 31,
// February 28, March 31).
func (s *Schedule) Occurrences(from, through jobfsm.Date) []jobfsm.Date {
	lo, hi := latest(from, s.StartDate), through
	if s.EndDate != (jobfsm.Date{}) && cmpDate(s.EndDate, hi) < 0 {
		hi = s.EndDate
	}
	if cmpDate(lo, hi) > 0 {
		return nil
	}
	var out []jobfsm.Date
	stepDays, stepMonths := s.Frequency.step()
	if stepDays > 0 {
		first := s.StartDate
		if s.PreferredWeekday != "" && stepDays > 1 {
			first = addDays(first, (int(s.PreferredWeekday.Weekday())-int(weekday(first))+7)%7)
		}
		k := 0
		if n := daysBetween(first, lo); n > 0 {
			k = (n + stepDays - 1) / stepDays
		}
		for d := addDays(first, k*stepDays); cmpDate(d, hi) <= 0; d = addDays(d, stepDays) {
			out = append(out, d)
		}
		return out
	}
	day := or(s.PreferredDayOfMonth, s.StartDate.Day)
	k := max(0, monthsBetween(s.StartDate, lo)/stepMonths-1)
	for ; ; k++ {
		d := monthDay(s.StartDate.Year, s.StartDate.Month+time.Month(k*stepMonths), day)
		if cmpDate(d, hi) > 0 {
			return out
		}
		if cmpDate(d, lo) >= 0 && cmpDate(d, s.StartDate) >= 0 {
			out = append(out, d)
		}
	}
}

// window is the visit window of the day d in loc.
func (s *Schedule) window(d jobfsm.Date, loc *time.Location) Window {
	return Window{Start: wallTime(d, s.WindowStart, loc), End: wallTime(d, s.WindowEnd, loc)}
}

// wallTime is the instant of the wall-clock time tod of day d in loc, read
// as RFC 5545 reads local times: a time that does not exist (clocks sprang
// forward) with the offset in force before the change, so 02:30 on a
// spring-forward night in New York is 03:30 EDT; an ambiguous one (clocks
// fell back) as its first occurrence, 01:30 EDT. (time.Date leaves both
// unspecified.)
func wallTime(d jobfsm.Date, tod jobfsm.TimeOfDay, loc *time.Location) time.Time {
	wall := time.Date(d.Year, d.Month, d.Day, int(tod)/60, int(tod)%60, 0, 0, time.UTC)
	// The offsets in force a day and a half before and after: the wall
	// time read with each is a candidate if it reads back with it.
	var first, before time.Time
	for i, probe := range []time.Duration{-36 * time.Hour, 36 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone()
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if i == 0 {
			before = t
		}
		if _, got := t.Zone(); got == off && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	if first.IsZero() {
		return before // in the gap
	}
	return first
}

// Date arithmetic on calendar days (jobfsm.Date has no time zone).

func utcDay(d jobfsm.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func addDays(d jobfsm.Date, n int) jobfsm.Date { return jobfsm.DateOf(utcDay(d).AddDate(0, 0, n)) }

func daysBetween(a, b jobfsm.Date) int { return int(utcDay(b).Sub(utcDay(a)).Hours() / 24) }

func cmpDate(a, b jobfsm.Date) int { return utcDay(a).Compare(utcDay(b)) }

func latest(a, b jobfsm.Date) jobfsm.Date {
	if cmpDate(a, b) < 0 {
		return b
	}
	return a
}

func earliest(a, b jobfsm.Date) jobfsm.Date {
	if cmpDate(a, b) > 0 {
		return b
	}
	return a
}

func weekday(d jobfsm.Date) time.Weekday { return utcDay(d).Weekday() }

func monthsBetween(a, b jobfsm.Date) int {
	return (b.Year-a.Year)*12 + int(b.Month) - int(a.Month)
}

// monthDay is the day-th of the month (normalized: month 13 is January of
// the next year), clamped to the month's length.
func monthDay(year int, month time.Month, day int) jobfsm.Date {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return jobfsm.Date{Year: first.Year(), Month: first.Month(), Day: min(day, last)}
}

// addMonths is d plus n calendar months, clamped to the month's length.
func addMonths(d jobfsm.Date, n int) jobfsm.Date {
	return monthDay(d.Year, d.Month+time.Month(n), d.Day)
}

// ScheduleInput is a schedule's fields.
type ScheduleInput struct {
	Name      string    `json:"name"`
	Frequency Frequency `json:"frequency"`
	// StartDate defaults to the contract's start date.
	StartDate           jobfsm.Date `json:"startDate,omitzero"`
	EndDate             jobfsm.Date `json:"endDate,omitzero"`
	PreferredWeekday    Weekday     `json:"preferredWeekday,omitempty"`
	PreferredDayOfMonth int         `json:"preferredDayOfMonth,omitempty"`
	// The window defaults to 08:00–17:00.
	WindowStart    *jobfsm.TimeOfDay `json:"windowStart,omitempty"`
	WindowEnd      *jobfsm.TimeOfDay `json:"windowEnd,omitempty"`
	TechnicianID   string            `json:"technicianId,omitempty"`
	ServiceItemIDs []string          `json:"serviceItemIds,omitempty"`
	// Active defaults to true; an inactive schedule generates nothing.
	Active *bool `json:"active,omitempty"`
}

// Validate checks the schedule.
func (in ScheduleInput) Validate() error {
	_, months := in.Frequency.step()
	ws, we := in.window()
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Frequency, validation.Required, validation.In(frequencies()...)),
		validation.Field(&in.EndDate, validation.When(in.EndDate != (jobfsm.Date{}) && in.StartDate != (jobfsm.Date{}),
			validation.By(func(any) error {
				if cmpDate(in.EndDate, in.StartDate) < 0 {
					return validation.NewError("validation_dates", "must not be before startDate")
				}
				return nil
			}))),
		validation.Field(&in.PreferredWeekday, validation.In(weekdayNames[0], weekdayNames[1], weekdayNames[2], weekdayNames[3], weekdayNames[4], weekdayNames[5], weekdayNames[6]),
			validation.When(in.Frequency != FrequencyWeekly && in.Frequency != FrequencyBiweekly,
				validation.Empty.Error("applies to WEEKLY and BIWEEKLY schedules only"))),
		validation.Field(&in.PreferredDayOfMonth, validation.Min(1), validation.Max(31),
			validation.When(months == 0, validation.Empty.Error("applies to MONTHLY, QUARTERLY, SEMI_ANNUAL and ANNUAL schedules only"))),
		validation.Field(&in.WindowEnd, validation.By(func(any) error {
			if we <= ws {
				return validation.NewError("validation_window", "must be after windowStart on the same day")
			}
			return nil
		})),
		validation.Field(&in.TechnicianID, validation.Length(0, 100)),
		validation.Field(&in.ServiceItemIDs, validation.Length(0, 100)),
	)
}

func (in ScheduleInput) window() (start, end jobfsm.TimeOfDay) {
	start, end = jobfsm.HM(8, 0), jobfsm.HM(17, 0)
	set(&start, in.WindowStart)
	set(&end, in.WindowEnd)
	return start, end
}

// apply sets the schedule's fields for contract k.
func (in *ScheduleInput) apply(s *Schedule, k *Contract) error {
	for i, id := range in.ServiceItemIDs {
		if !slices.ContainsFunc(k.ServiceItems, func(it ServiceItem) bool { return it.ID == id }) {
			return fieldError(CodeValidationFailed, fmt.Sprintf("serviceItemIds.%d", i), "not_found", "the contract has no service item "+id)
		}
	}
	s.Name, s.Frequency = in.Name, in.Frequency
	s.StartDate, s.EndDate = or(in.StartDate, k.StartDate), in.EndDate
	if cmpDate(s.StartDate, k.EndDate) > 0 {
		return fieldError(CodeValidationFailed, "startDate", "validation_dates", "must not be after the contract's end date "+k.EndDate.String())
	}
	s.PreferredWeekday, s.PreferredDayOfMonth = in.PreferredWeekday, in.PreferredDayOfMonth
	s.WindowStart, s.WindowEnd = in.window()
	s.TechnicianID, s.ServiceItemIDs = in.TechnicianID, in.ServiceItemIDs
	s.Active = in.Active == nil || *in.Active
	return nil
}

// CreateScheduleInput adds a schedule to a contract.
type CreateScheduleInput struct {
	ContractID string `json:"contractId"`
	ScheduleInput
}

// Validate checks the input.
func (in CreateScheduleInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.ContractID, validation.Required)); err != nil {
		return err
	}
	return in.ScheduleInput.Validate()
}

// UpdateScheduleInput replaces a schedule's fields. Visits already
// generated keep their day and window (reschedule them one by one); the
// change applies to the days after the schedule's GeneratedThrough.
type UpdateScheduleInput struct {
	ID string `json:"id"`
	ScheduleInput
}

// Validate checks the input.
func (in UpdateScheduleInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.ID, validation.Required)); err != nil {
		return err
	}
	return in.ScheduleInput.Validate()
}

// ContractIDInput names a contract.
type ContractIDInput struct {
	ContractID string `json:"contractId"`
}

// Validate checks the input.
func (in ContractIDInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.ContractID, validation.Required))
}

// schedulable refuses new schedules on a contract that is over.
func schedulable(k *Contract) error {
	switch k.Status {
	case ContractCancelled, ContractExpired, ContractRenewed:
		return fieldError(CodeIllegalTransition, "contractId", "CONTRACT_OVER",
			fmt.Sprintf("contract %s is %s: its schedules are closed", k.Number, k.Status))
	}
	return nil
}

func (c *call) createSchedule(in *CreateScheduleInput) (*Schedule, error) {
	return inTx(c, "create-schedule", func(t *txn) (*Schedule, error) {
		k, err := load(t, contractsTable, in.ContractID)
		if err != nil {
			return nil, err
		}
		if err := schedulable(k); err != nil {
			return nil, err
		}
		s := &Schedule{Meta: Meta{ID: c.e.newID()}, ContractID: k.ID}
		if err := in.apply(s, k); err != nil {
			return nil, err
		}
		if err := technicianExists(t, s.TechnicianID, "technicianId"); err != nil {
			return nil, err
		}
		return s, insert(t, schedulesTable, s)
	})
}

func (c *call) updateSchedule(in *UpdateScheduleInput) (*Schedule, error) {
	return inTx(c, "update-schedule", func(t *txn) (*Schedule, error) {
		s, err := load(t, schedulesTable, in.ID)
		if err != nil {
			return nil, err
		}
		k, err := load(t, contractsTable, s.ContractID)
		if err != nil {
			return nil, err
		}
		if err := schedulable(k); err != nil {
			return nil, err
		}
		if err := in.apply(s, k); err != nil {
			return nil, err
		}
		if err := technicianExists(t, s.TechnicianID, "technicianId"); err != nil {
			return nil, err
		}
		return s, update(t, schedulesTable, s)
	})
}

func (c *call) listSchedules(in *ContractIDInput) (*[]Schedule, error) {
	return inTx(c, "list-schedules", func(t *txn) (*[]Schedule, error) {
		if _, err := load(t, contractsTable, in.ContractID); err != nil {
			return nil, err
		}
		ss, err := find(t, schedulesTable, Query{Where: []Cond{Eq("contract_id", in.ContractID)}})
		if err != nil {
			return nil, err
		}
		out := make([]Schedule, len(ss))
		for i, s := range ss {
			out[i] = *s
		}
		return &out, nil
	})
}

// ScheduledVisitStatus is where a contract's planned visit stands. A
// visit follows its job once released: IN_PROGRESS when the job starts,
// COMPLETED when it completes, CANCELLED when it is cancelled.
type ScheduledVisitStatus string

// The scheduled-visit statuses.
const (
	ScheduledVisitScheduled   ScheduledVisitStatus = "SCHEDULED"
	ScheduledVisitConfirmed   ScheduledVisitStatus = "CONFIRMED"
	ScheduledVisitInProgress  ScheduledVisitStatus = "IN_PROGRESS"
	ScheduledVisitCompleted   ScheduledVisitStatus = "COMPLETED"
	ScheduledVisitCancelled   ScheduledVisitStatus = "CANCELLED"
	ScheduledVisitRescheduled ScheduledVisitStatus = "RESCHEDULED"
	// ScheduledVisitMissed: the window passed with no work started. The
	// visit can still be worked late, rescheduled or cancelled.
	ScheduledVisitMissed ScheduledVisitStatus = "MISSED"
)

// The actions of the scheduled-visit lifecycle, as recorded in its
// history, besides jobfsm's START, COMPLETE, CANCEL and RESCHEDULE.
const (
	VisitGenerate jobfsm.Action = "GENERATE"
	VisitConfirm  jobfsm.Action = "CONFIRM"
	VisitMiss     jobfsm.Action = "MISS"
)

// visitEdge is a move of a scheduled visit and the action that makes it.
type visitEdge struct {
	from, to ScheduledVisitStatus
	action   jobfsm.Action
}

// scheduledVisitTable is the scheduled-visit lifecycle (the reference's
// rules plus MISSED): confirm a scheduled visit; start, cancel or
// reschedule one not started; complete one in progress.
var scheduledVisitTable = []visitEdge{
	{ScheduledVisitScheduled, ScheduledVisitConfirmed, VisitConfirm},
	{ScheduledVisitScheduled, ScheduledVisitInProgress, jobfsm.ActionStart},
	{ScheduledVisitScheduled, ScheduledVisitCancelled, jobfsm.ActionCancel},
	{ScheduledVisitScheduled, ScheduledVisitRescheduled, jobfsm.ActionReschedule},
	{ScheduledVisitScheduled, ScheduledVisitMissed, VisitMiss},
	{ScheduledVisitConfirmed, ScheduledVisitInProgress, jobfsm.ActionStart},
	{ScheduledVisitConfirmed, ScheduledVisitCancelled, jobfsm.ActionCancel},
	{ScheduledVisitConfirmed, ScheduledVisitRescheduled, jobfsm.ActionReschedule},
	{ScheduledVisitConfirmed, ScheduledVisitMissed, VisitMiss},
	{ScheduledVisitMissed, ScheduledVisitInProgress, jobfsm.ActionStart},
	{ScheduledVisitMissed, ScheduledVisitCancelled, jobfsm.ActionCancel},
	{ScheduledVisitMissed, ScheduledVisitRescheduled, jobfsm.ActionReschedule},
	{ScheduledVisitInProgress, ScheduledVisitCompleted, jobfsm.ActionComplete},
	{ScheduledVisitInProgress, ScheduledVisitCancelled, jobfsm.ActionCancel},
}

// ScheduledVisitStatuses returns the scheduled-visit statuses.
func ScheduledVisitStatuses() []ScheduledVisitStatus {
	return []ScheduledVisitStatus{ScheduledVisitScheduled, ScheduledVisitConfirmed, ScheduledVisitInProgress,
		ScheduledVisitCompleted, ScheduledVisitCancelled, ScheduledVisitRescheduled, ScheduledVisitMissed}
}

// waiting reports whether no work has started on a visit in status s.
func (s ScheduledVisitStatus) waiting() bool {
	return s == ScheduledVisitScheduled || s == ScheduledVisitConfirmed || s == ScheduledVisitMissed
}

// ScheduledVisit is one planned visit of a contract: an occurrence of a
// schedule (its identity: contract, schedule and day), or the replacement of
// a rescheduled visit. It is released to dispatch as a job (source
// RECURRING, external reference the visit) when its window opens.
type ScheduledVisit struct {
	Meta
	ContractID string `json:"contractId"`
	ScheduleID string `json:"scheduleId"`
	// Number counts the contract's visits from 1.
	Number int `json:"number"`
	// OccursOn is the schedule's day the visit serves; Date is the day it
	// is planned on (another after a reschedule).
	OccursOn       jobfsm.Date          `json:"occursOn"`
	Date           jobfsm.Date          `json:"date"`
	Window         Window               `json:"window"`
	Status         ScheduledVisitStatus `json:"status"`
	TechnicianID   string               `json:"technicianId,omitempty"`
	ServiceItemIDs []string             `json:"serviceItemIds,omitempty"`
	// JobID is the visit's job, once released (ReleasedAt). DispatchNote
	// says why its technician could not be assigned then.
	JobID        string    `json:"jobId,omitempty"`
	ReleasedAt   time.Time `json:"releasedAt,omitzero"`
	DispatchNote string    `json:"dispatchNote,omitempty"`
	ConfirmedAt  time.Time `json:"confirmedAt,omitzero"`
	StartedAt    time.Time `json:"startedAt,omitzero"`
	CompletedAt  time.Time `json:"completedAt,omitzero"`
	// A rescheduled visit links to its replacement and back.
	RescheduledFromID string                               `json:"rescheduledFromId,omitempty"`
	RescheduledToID   string                               `json:"rescheduledToId,omitempty"`
	History           []jobfsm.Entry[ScheduledVisitStatus] `json:"history"`
	Notes             string                               `json:"notes,omitempty"`
}

var scheduledVisitsTable = table[ScheduledVisit]{
	spec: TableSpec{
		Name:   "scheduled_visits",
		Keys:   []string{"contract_id", "schedule_id", "occurs_on", "status", "technician_id", "starts_at", "job_id", "release_due", "check_due"},
		Unique: [][]string{{"schedule_id", "occurs_on"}},
	},
	keys: func(v *ScheduledVisit) map[string]string {
		var occurrence, release, check string
		if v.RescheduledFromID == "" {
			occurrence = dateKey(v.OccursOn) // a replacement does not hold the occurrence
		}
		if v.Status == ScheduledVisitScheduled || v.Status == ScheduledVisitConfirmed {
			check = timeKey(v.Window.End)
			if v.JobID == "" {
				release = timeKey(v.Window.Start)
			}
		}
		return keys("contract_id", v.ContractID, "schedule_id", v.ScheduleID, "occurs_on", occurrence,
			"status", string(v.Status), "technician_id", v.TechnicianID, "starts_at", timeKey(v.Window.Start),
			"job_id", v.JobID, "release_due", release, "check_due", check)
	},
}

// moveVisit moves the visit to status to through the table.
func (c *call) moveVisit(v *ScheduledVisit, to ScheduledVisitStatus, reasonCode, reason string) error {
	i := slices.IndexFunc(scheduledVisitTable, func(e visitEdge) bool { return e.from == v.Status && e.to == to })
	if i < 0 {
		return fieldError(CodeIllegalTransition, "status", string(jobfsm.RuleNotInTable),
			fmt.Sprintf("scheduled visit %d of its contract is %s: it cannot move to %s", v.Number, v.Status, to))
	}
	r := c.request(reasonCode, reason)
	v.History = append(v.History, jobfsm.Entry[ScheduledVisitStatus]{From: v.Status, To: to,
		Action: scheduledVisitTable[i].action, Actor: r.Actor, ReasonCode: reasonCode, Reason: reason, At: c.now})
	v.Status = to
	return nil
}

// GenerateVisitsInput generates a contract's visits through a day.
type GenerateVisitsInput struct {
	ContractID string      `json:"contractId"`
	Through    jobfsm.Date `json:"through"`
}

// Validate checks the input.
func (in GenerateVisitsInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ContractID, validation.Required),
		validation.Field(&in.Through, validation.By(requiredDate)),
	)
}

// GeneratedVisits is what a generation created: the new visits, and how
// many of them were released to dispatch at once (their window was open).
type GeneratedVisits struct {
	ContractID string           `json:"contractId"`
	Through    jobfsm.Date      `json:"through"`
	Created    []ScheduledVisit `json:"created"`
	Released   int              `json:"released"`
}

// maxHorizonDays bounds how far ahead visits are generated.
const maxHorizonDays = 366

// generateVisits creates the visits of the contract's active schedules
// from today (in the organization's time zone) through in.Through, within
// the contract's term. Each visit's identity is its schedule and day: a
// day that has a visit gets none again, so running it twice, or for
// overlapping horizons, creates each visit once. Visits whose window is
// already open are released at once.
func (c *call) generateVisits(in *GenerateVisitsInput) (*GeneratedVisits, error) {
	return inTx(c, "generate-visits", func(t *txn) (*GeneratedVisits, error) {
		k, err := load(t, contractsTable, in.ContractID)
		if err != nil {
			return nil, err
		}
		if !k.Status.InForce() {
			return nil, fieldError(CodeIllegalTransition, "contractId", "CONTRACT_NOT_IN_FORCE",
				fmt.Sprintf("contract %s is %s: only a contract in force generates visits", k.Number, k.Status))
		}
		_, loc, err := zone(t)
		if err != nil {
			return nil, err
		}
		day := today(c.now, loc)
		if daysBetween(day, in.Through) > maxHorizonDays {
			return nil, fieldError(CodeValidationFailed, "through", "validation_horizon", "visits are generated at most a year ahead")
		}
		out := &GeneratedVisits{ContractID: k.ID, Through: in.Through, Created: []ScheduledVisit{}}
		scheds, err := find(t, schedulesTable, Query{Where: []Cond{Eq("contract_id", k.ID)}})
		if err != nil {
			return nil, err
		}
		for _, s := range scheds {
			if !s.Active {
				continue
			}
			from := latest(day, k.StartDate)
			if s.GeneratedThrough != (jobfsm.Date{}) {
				from = latest(from, addDays(s.GeneratedThrough, 1))
			}
			through := earliest(in.Through, k.EndDate)
			for _, d := range s.Occurrences(from, through) {
				v, err := c.generateVisit(t, k, s, d, loc)
				if err != nil {
					return nil, err
				}
				if v == nil {
					continue
				}
				if !v.Window.Start.After(c.now) {
					if err := c.release(t, k, v); err != nil {
						return nil, err
					}
					out.Released++
				}
				out.Created = append(out.Created, *v)
			}
			if cmpDate(in.Through, s.GeneratedThrough) > 0 {
				s.GeneratedThrough = in.Through
				if err := update(t, schedulesTable, s); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	})
}

// generateVisit creates the visit of schedule s on day d, unless it exists
// or its window is over; it returns nil then.
func (c *call) generateVisit(t *txn, k *Contract, s *Schedule, d jobfsm.Date, loc *time.Location) (*ScheduledVisit, error) {
	w := s.window(d, loc)
	if !w.End.After(c.now) {
		return nil, nil
	}
	have, err := find(t, scheduledVisitsTable, Query{Where: []Cond{Eq("schedule_id", s.ID), Eq("occurs_on", d.String())}, Limit: 1})
	if err != nil || len(have) > 0 {
		return nil, err
	}
	items := s.ServiceItemIDs
	if len(items) == 0 {
		for _, it := range k.ServiceItems {
			items = append(items, it.ID)
		}
	}
	v := &ScheduledVisit{
		Meta: Meta{ID: c.e.newID()}, ContractID: k.ID, ScheduleID: s.ID, OccursOn: d, Date: d, Window: w,
		Status: ScheduledVisitScheduled, TechnicianID: or(s.TechnicianID, k.PrimaryTechnicianID), ServiceItemIDs: items,
	}
	return v, c.insertVisit(t, v, VisitGenerate)
}

// insertVisit numbers a new visit and stores it.
func (c *call) insertVisit(t *txn, v *ScheduledVisit, a jobfsm.Action) error {
	n, err := t.tx.NextNumber(t.ctx, "contract-visits-"+v.ContractID)
	if err != nil {
		return err
	}
	v.Number = int(n)
	v.History = []jobfsm.Entry[ScheduledVisitStatus]{{To: v.Status, Action: a, Actor: c.request("", "").Actor, At: c.now}}
	return insert(t, scheduledVisitsTable, v)
}

// SourceContract is the source of an assignment a maintenance contract's
// release placed (besides dispatch's MANUAL, OPTIMIZER and INSERT).
const SourceContract = "CONTRACT"

// release opens the visit's job and books it for the visit's window, so
// that it goes through dispatch like any job: with the visit's technician
// when dispatch's checks (compliance gate, skills, shift, time off, other
// appointments) accept the placement, unassigned otherwise, the refusal
// recorded on the visit (DispatchNote) for the dispatcher. The job opens
// as of the window's start (or now, when released early): the contract's
// SLA counts from the moment the contract promised the visit, however late
// the release task ran.
func (c *call) release(t *txn, k *Contract, v *ScheduledVisit) error {
	if v.JobID != "" || (v.Status != ScheduledVisitScheduled && v.Status != ScheduledVisitConfirmed) {
		return nil
	}
	s, err := load(t, schedulesTable, v.ScheduleID)
	if err != nil {
		return err
	}
	in := &CreateJobInput{
		Title:       s.Name + " — " + k.Number,
		Description: visitDescription(k, v),
		Category:    "MAINTENANCE", Trade: string(k.Trade), Priority: k.Priority,
		Source: jobfsm.SourceRecurring, ExternalRef: v.ID,
		AssociationID: k.AssociationID, CustomerID: k.CustomerID, LocationID: k.LocationID,
		ArrivalWindow: &Window{Start: v.Window.Start, End: v.Window.End},
	}
	if k.Trade != "" {
		in.Requirements.Skills = []SkillRequirement{{Trade: string(k.Trade), MinLevel: 1}}
	}
	for _, it := range k.ServiceItems {
		if slices.Contains(v.ServiceItemIDs, it.ID) {
			in.EstimatedMinutes += it.EstimatedMinutes
		}
	}
	at := c.now
	if v.Window.Start.Before(at) {
		at = v.Window.Start
	}
	j, err := c.openJob(t, in, k.policy(), at)
	if err != nil {
		return err
	}
	if err := c.transition(t, j, jobfsm.JobCreated, "", "released by maintenance contract "+k.Number); err != nil {
		return err
	}
	placed, err := c.placeVisit(t, j, v)
	if err != nil {
		return err
	}
	if !placed {
		if _, err := c.bookVisit(t, j, v.Window, ""); err != nil {
			return err
		}
	}
	v.JobID, v.ReleasedAt = j.ID, c.now
	return update(t, scheduledVisitsTable, v)
}

// placeVisit assigns the visit's technician to its job from the window's
// start, through dispatch's checks. A refusal is no failure: it is noted on
// the visit and the job waits for the dispatcher.
func (c *call) placeVisit(t *txn, j *Job, v *ScheduledVisit) (bool, error) {
	v.DispatchNote = ""
	if v.TechnicianID == "" {
		return false, nil
	}
	start, end := v.Window.Start, v.Window.End
	if j.EstimatedMinutes > 0 {
		end = start.Add(time.Duration(j.EstimatedMinutes) * time.Minute)
	}
	if err := c.checkPlacement(t, j, nil, v.TechnicianID, start, end, "", ""); err != nil {
		if e := AsError(err); e.Type == TypeDomain || e.Code == CodeNotFound {
			v.DispatchNote = "not assigned to " + v.TechnicianID + ": " + e.Message
			return false, nil
		}
		return false, err
	}
	_, err := c.place(t, j, nil, v.TechnicianID, start, end, SourceContract, "")
	return err == nil, err
}

// visitDescription lists the service items of the visit.
func visitDescription(k *Contract, v *ScheduledVisit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Maintenance visit %d of contract %s (%s).", v.Number, k.Number, k.Name)
	for _, it := range k.ServiceItems {
		if slices.Contains(v.ServiceItemIDs, it.ID) {
			fmt.Fprintf(&b, "\n- %s × %s", it.Name, it.Quantity)
			if it.EstimatedMinutes > 0 {
				fmt.Fprintf(&b, " (%d min)", it.EstimatedMinutes)
			}
		}
	}
	if k.Scope.ScopeOfWork != "" {
		b.WriteString("\n\nScope of work: " + k.Scope.ScopeOfWork)
	}
	return b.String()
}

// VisitIDInput names a scheduled visit.
type VisitIDInput struct {
	VisitID string `json:"visitId"`
}

// Validate checks the input.
func (in VisitIDInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.VisitID, validation.Required))
}

// loadVisit reads a visit the scope may see: a technician sees only theirs.
func (c *call) loadVisit(t *txn, id string) (*ScheduledVisit, error) {
	v, err := load(t, scheduledVisitsTable, id)
	if err != nil {
		return nil, err
	}
	if tech := c.technicianID(); tech != "" && v.TechnicianID != tech {
		return nil, RowNotFound(scheduledVisitsTable.spec.Name, id)
	}
	return v, nil
}

func (c *call) getVisit(in *VisitIDInput) (*ScheduledVisit, error) {
	return inTx(c, "get-visit", func(t *txn) (*ScheduledVisit, error) { return c.loadVisit(t, in.VisitID) })
}

// releaseVisit releases a visit to dispatch now (the engine does it when
// its window opens). A visit already released, or not waiting, is left as
// it is.
func (c *call) releaseVisit(in *VisitIDInput) (*ScheduledVisit, error) {
	return inTx(c, "release-visit", func(t *txn) (*ScheduledVisit, error) {
		v, err := load(t, scheduledVisitsTable, in.VisitID)
		if err != nil {
			return nil, err
		}
		k, err := load(t, contractsTable, v.ContractID)
		if err != nil {
			return nil, err
		}
		if !k.Status.InForce() {
			return v, nil // a suspended contract's visits wait; the missed check cancels them
		}
		return v, c.release(t, k, v)
	})
}

// followJob keeps a released visit in step with its job: IN_PROGRESS when
// the job starts, COMPLETED when it completes, CANCELLED when it is
// cancelled. It is the engine's job follower for maintenance.
func followJob(c *call, t *txn, j *Job) error {
	if j.Source != jobfsm.SourceRecurring || j.ExternalRef == "" {
		return nil
	}
	v, err := load(t, scheduledVisitsTable, j.ExternalRef)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil || v.JobID != j.ID {
		return err
	}
	stamps := j.Lifecycle.Stamps
	var path []ScheduledVisitStatus
	switch {
	case j.Status() == jobfsm.JobCancelled && (v.Status.waiting() || v.Status == ScheduledVisitInProgress):
		path = []ScheduledVisitStatus{ScheduledVisitCancelled}
	case !stamps.CompletedAt.IsZero() && v.Status.waiting():
		path = []ScheduledVisitStatus{ScheduledVisitInProgress, ScheduledVisitCompleted}
	case !stamps.CompletedAt.IsZero() && v.Status == ScheduledVisitInProgress:
		path = []ScheduledVisitStatus{ScheduledVisitCompleted}
	case !stamps.StartedAt.IsZero() && v.Status.waiting():
		path = []ScheduledVisitStatus{ScheduledVisitInProgress}
	default:
		return nil
	}
	for _, to := range path {
		if err := c.moveVisit(v, to, "", "follows job "+j.Number); err != nil {
			return err
		}
	}
	v.StartedAt, v.CompletedAt = stamps.StartedAt, stamps.CompletedAt
	return update(t, scheduledVisitsTable, v)
}

// VisitChangeInput confirms a visit.
type VisitChangeInput struct {
	VisitID    string `json:"visitId"`
	ReasonCode string `json:"reasonCode,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Validate checks the input.
func (in VisitChangeInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.VisitID, validation.Required),
		validation.Field(&in.ReasonCode, validation.Length(0, 50), validation.Match(reasonCodePattern)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

// mutateVisit loads a visit the scope may touch, applies fn and stores it.
func (c *call) mutateVisit(name, id string, fn func(t *txn, v *ScheduledVisit) error) (*ScheduledVisit, error) {
	return inTx(c, name, func(t *txn) (*ScheduledVisit, error) {
		v, err := c.loadVisit(t, id)
		if err != nil {
			return nil, err
		}
		if err := fn(t, v); err != nil {
			return nil, err
		}
		return v, update(t, scheduledVisitsTable, v)
	})
}

func (c *call) confirmVisit(in *VisitChangeInput) (*ScheduledVisit, error) {
	return c.mutateVisit("confirm-visit", in.VisitID, func(_ *txn, v *ScheduledVisit) error {
		v.ConfirmedAt = c.now
		return c.moveVisit(v, ScheduledVisitConfirmed, in.ReasonCode, in.Reason)
	})
}

// CancelVisitInput cancels a visit, with a reason code (CUSTOMER_CANCELLED,
// NO_ACCESS…).
type CancelVisitInput VisitChangeInput

// Validate checks the input.
func (in CancelVisitInput) Validate() error {
	if err := VisitChangeInput(in).Validate(); err != nil {
		return err
	}
	return validation.ValidateStruct(&in, validation.Field(&in.ReasonCode, validation.Required))
}

func (c *call) cancelVisit(in *CancelVisitInput) (*ScheduledVisit, error) {
	return inTx(c, "cancel-visit", func(t *txn) (*ScheduledVisit, error) {
		v, err := c.loadVisit(t, in.VisitID)
		if err != nil {
			return nil, err
		}
		return v, c.cancel(t, v, in.ReasonCode, in.Reason)
	})
}

// cancel cancels a visit, and its job if released. The visit is stored
// first, so that the job follower finds it settled.
func (c *call) cancel(t *txn, v *ScheduledVisit, reasonCode, reason string) error {
	if err := c.moveVisit(v, ScheduledVisitCancelled, reasonCode, reason); err != nil {
		return err
	}
	if err := update(t, scheduledVisitsTable, v); err != nil {
		return err
	}
	return c.dropJob(t, v, reasonCode, reason)
}

// dropJob cancels the released job of a visit that will not take place,
// with its assignments and the visits not under way, so that its
// technicians' time is free again.
func (c *call) dropJob(t *txn, v *ScheduledVisit, reasonCode, reason string) error {
	if v.JobID == "" {
		return nil
	}
	j, err := load(t, jobsTable, v.JobID)
	if err != nil || j.Status().Terminal() {
		return err
	}
	req := c.request(reasonCode, reason)
	as, err := find(t, assignmentsTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
	if err != nil {
		return err
	}
	for _, a := range as {
		ch, err := a.State.Apply(jobfsm.AssignmentCancelled, req)
		if err != nil {
			continue // done, declined or cancelled already
		}
		a.State, a.History = ch.Assignment, append(a.History, ch.Entry)
		if err := update(t, assignmentsTable, a); err != nil {
			return err
		}
	}
	vs, err := find(t, visitsTable, Query{Where: []Cond{Eq("job_id", j.ID)}})
	if err != nil {
		return err
	}
	for _, jv := range vs {
		ch, err := jv.State.Apply(jobfsm.VisitCancelled, req)
		if err != nil {
			continue // under way or over
		}
		jv.State, jv.History = ch.Visit, append(jv.History, ch.Entry)
		if err := update(t, visitsTable, jv); err != nil {
			return err
		}
	}
	if err := c.transition(t, j, jobfsm.JobCancelled, reasonCode, reason); err != nil {
		return err
	}
	return c.saveJob(t, j)
}

// cancelOpenVisits cancels the contract's visits not started yet (those
// that match, if match is not nil).
func (c *call) cancelOpenVisits(t *txn, k *Contract, reasonCode string, match func(*ScheduledVisit) bool) error {
	vs, err := find(t, scheduledVisitsTable, Query{Where: []Cond{Eq("contract_id", k.ID),
		In("status", string(ScheduledVisitScheduled), string(ScheduledVisitConfirmed), string(ScheduledVisitMissed))}})
	if err != nil {
		return err
	}
	for _, v := range vs {
		if match != nil && !match(v) {
			continue
		}
		if err := c.cancel(t, v, reasonCode, "contract "+k.Number+" is "+string(k.Status)); err != nil {
			return err
		}
	}
	return nil
}

// RescheduleVisitInput moves a visit to another day or window: the visit
// becomes RESCHEDULED and a new one, linked to it, takes its place.
type RescheduleVisitInput struct {
	VisitID string      `json:"visitId"`
	Date    jobfsm.Date `json:"date"`
	// The window defaults to the old visit's times of day.
	WindowStart *jobfsm.TimeOfDay `json:"windowStart,omitempty"`
	WindowEnd   *jobfsm.TimeOfDay `json:"windowEnd,omitempty"`
	// TechnicianID defaults to the old visit's.
	TechnicianID string `json:"technicianId,omitempty"`
	ReasonCode   string `json:"reasonCode,omitempty"`
	Reason       string `json:"reason,omitempty"`
}

// Validate checks the input.
func (in RescheduleVisitInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.VisitID, validation.Required),
		validation.Field(&in.Date, validation.By(requiredDate)),
		validation.Field(&in.WindowEnd, validation.When(in.WindowStart != nil && in.WindowEnd != nil, validation.By(func(any) error {
			if *in.WindowEnd <= *in.WindowStart {
				return validation.NewError("validation_window", "must be after windowStart on the same day")
			}
			return nil
		}))),
		validation.Field(&in.TechnicianID, validation.Length(0, 100)),
		validation.Field(&in.ReasonCode, validation.Length(0, 50), validation.Match(reasonCodePattern)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

// Rescheduled is the outcome of a reschedule: the old visit and its
// replacement.
type Rescheduled struct {
	Old ScheduledVisit `json:"old"`
	New ScheduledVisit `json:"new"`
}

func (c *call) rescheduleVisit(in *RescheduleVisitInput) (*Rescheduled, error) {
	return inTx(c, "reschedule-visit", func(t *txn) (*Rescheduled, error) {
		old, err := c.loadVisit(t, in.VisitID)
		if err != nil {
			return nil, err
		}
		k, err := load(t, contractsTable, old.ContractID)
		if err != nil {
			return nil, err
		}
		_, loc, err := zone(t)
		if err != nil {
			return nil, err
		}
		if !k.Status.InForce() && k.Status != ContractSuspended {
			return nil, fieldError(CodeIllegalTransition, "visitId", "CONTRACT_NOT_IN_FORCE",
				fmt.Sprintf("contract %s is %s: its visits cannot be rescheduled", k.Number, k.Status))
		}
		if cmpDate(in.Date, k.EndDate) > 0 {
			return nil, fieldError(CodeValidationFailed, "date", "validation_term", "the contract ends on "+k.EndDate.String())
		}
		if err := technicianExists(t, in.TechnicianID, "technicianId"); err != nil {
			return nil, err
		}
		s := Schedule{WindowStart: timeOfDay(old.Window.Start.In(loc)), WindowEnd: timeOfDay(old.Window.End.In(loc))}
		set(&s.WindowStart, in.WindowStart)
		set(&s.WindowEnd, in.WindowEnd)
		if s.WindowEnd <= s.WindowStart {
			return nil, fieldError(CodeValidationFailed, "windowEnd", "validation_window", "must be after windowStart on the same day")
		}
		w := s.window(in.Date, loc)
		if !w.End.After(c.now) {
			return nil, fieldError(CodeValidationFailed, "date", "validation_past", "the new window is over already")
		}
		if err := c.moveVisit(old, ScheduledVisitRescheduled, in.ReasonCode, in.Reason); err != nil {
			return nil, err
		}
		nv := &ScheduledVisit{
			Meta: Meta{ID: c.e.newID()}, ContractID: old.ContractID, ScheduleID: old.ScheduleID,
			OccursOn: old.OccursOn, Date: in.Date, Window: w, Status: ScheduledVisitScheduled,
			TechnicianID: or(in.TechnicianID, old.TechnicianID), ServiceItemIDs: old.ServiceItemIDs,
			RescheduledFromID: old.ID, Notes: old.Notes,
		}
		old.RescheduledToID = nv.ID
		if err := update(t, scheduledVisitsTable, old); err != nil {
			return nil, err
		}
		if err := c.dropJob(t, old, "RESCHEDULED", "visit rescheduled to "+in.Date.String()); err != nil {
			return nil, err
		}
		if err := c.insertVisit(t, nv, jobfsm.ActionReschedule); err != nil {
			return nil, err
		}
		if k.Status.InForce() && !w.Start.After(c.now) {
			if err := c.release(t, k, nv); err != nil {
				return nil, err
			}
		}
		return &Rescheduled{Old: *old, New: *nv}, nil
	})
}

func timeOfDay(t time.Time) jobfsm.TimeOfDay { return jobfsm.HM(t.Hour(), t.Minute()) }

// AssignVisitInput sets the technician of a visit not released yet.
type AssignVisitInput struct {
	VisitID      string `json:"visitId"`
	TechnicianID string `json:"technicianId"`
}

// Validate checks the input.
func (in AssignVisitInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.VisitID, validation.Required),
		validation.Field(&in.TechnicianID, validation.Required, validation.Length(1, 100)),
	)
}

func (c *call) assignVisit(in *AssignVisitInput) (*ScheduledVisit, error) {
	return c.mutateVisit("assign-visit", in.VisitID, func(t *txn, v *ScheduledVisit) error {
		switch {
		case !v.Status.waiting():
			return fieldError(CodeIllegalTransition, "status", string(jobfsm.RuleNotInTable),
				fmt.Sprintf("scheduled visit %d is %s: it can no longer be assigned", v.Number, v.Status))
		case v.JobID != "":
			return fieldError(CodeIllegalTransition, "visitId", "RELEASED", "the visit's job is on the dispatch board: assign its technician there")
		}
		v.TechnicianID = in.TechnicianID
		return technicianExists(t, in.TechnicianID, "technicianId")
	})
}

// checkVisit settles a visit whose window passed with no work started:
// MISSED (with a SCHEDULED_VISIT_MISSED event), or CANCELLED when its
// contract is suspended. Any other visit is left as it is.
func (c *call) checkVisit(in *VisitIDInput) (*ScheduledVisit, error) {
	return inTx(c, "check-visit", func(t *txn) (*ScheduledVisit, error) {
		v, err := load(t, scheduledVisitsTable, in.VisitID)
		if err != nil {
			return nil, err
		}
		if (v.Status != ScheduledVisitScheduled && v.Status != ScheduledVisitConfirmed) || v.Window.End.After(c.now) {
			return v, nil
		}
		k, err := load(t, contractsTable, v.ContractID)
		if err != nil {
			return nil, err
		}
		if k.Status == ContractSuspended {
			return v, c.cancel(t, v, "CONTRACT_SUSPENDED", "the window passed while contract "+k.Number+" was suspended")
		}
		if err := c.moveVisit(v, ScheduledVisitMissed, "WINDOW_PASSED", "no work started within the window"); err != nil {
			return nil, err
		}
		if err := update(t, scheduledVisitsTable, v); err != nil {
			return nil, err
		}
		return v, emitContractEvent(t, k, EventScheduledVisitMissed, "", func(e *ContractEvent) { e.VisitID = v.ID })
	})
}

// ListVisitsInput lists scheduled visits by window start, with filters;
// From and To are days in the organization's time zone, both included.
type ListVisitsInput struct {
	ContractID   string                 `json:"contractId,omitempty"`
	ScheduleID   string                 `json:"scheduleId,omitempty"`
	Status       []ScheduledVisitStatus `json:"status,omitempty"`
	TechnicianID string                 `json:"technicianId,omitempty"`
	From         jobfsm.Date            `json:"from,omitzero"`
	To           jobfsm.Date            `json:"to,omitzero"`
	PageRequest
}

// Validate checks the input.
func (in ListVisitsInput) Validate() error {
	statuses := []any{}
	for _, s := range ScheduledVisitStatuses() {
		statuses = append(statuses, s)
	}
	if err := validation.ValidateStruct(&in, validation.Field(&in.Status, validation.Each(validation.In(statuses...)))); err != nil {
		return err
	}
	return in.PageRequest.Validate()
}

func (c *call) listVisitsOfContracts(in *ListVisitsInput) (*Page[ScheduledVisit], error) {
	return inTx(c, "list-scheduled-visits", func(t *txn) (*Page[ScheduledVisit], error) {
		if tech := c.technicianID(); tech != "" {
			if in.TechnicianID != "" && in.TechnicianID != tech {
				return &Page[ScheduledVisit]{Items: []ScheduledVisit{}}, nil
			}
			in.TechnicianID = tech
		}
		q := Query{OrderBy: "starts_at"}
		if len(in.Status) > 0 {
			vals := make([]string, len(in.Status))
			for i, s := range in.Status {
				vals[i] = string(s)
			}
			q.Where = append(q.Where, In("status", vals...))
		}
		for _, kv := range [][2]string{{"contract_id", in.ContractID}, {"schedule_id", in.ScheduleID}, {"technician_id", in.TechnicianID}} {
			if kv[1] != "" {
				q.Where = append(q.Where, Eq(kv[0], kv[1]))
			}
		}
		if in.From != (jobfsm.Date{}) || in.To != (jobfsm.Date{}) {
			_, loc, err := zone(t)
			if err != nil {
				return nil, err
			}
			if in.From != (jobfsm.Date{}) {
				q.Where = append(q.Where, Gte("starts_at", timeKey(wallTime(in.From, 0, loc))))
			}
			if in.To != (jobfsm.Date{}) {
				q.Where = append(q.Where, Lt("starts_at", timeKey(wallTime(addDays(in.To, 1), 0, loc))))
			}
		}
		q = in.PageRequest.apply(q)
		items, err := find(t, scheduledVisitsTable, q)
		if err != nil {
			return nil, err
		}
		return pageOf(in.PageRequest, q, items, func(v *ScheduledVisit) string { return timeKey(v.Window.Start) }), nil
	})
}
