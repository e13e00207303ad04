package contractorops_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// The fixture's clock starts on Tuesday 2026-11-24 at 09:00 in New York
// (14:00 UTC), the organization's time zone.

func date(s string) jobfsm.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return jobfsm.DateOf(t)
}

func hm(h, m int) *jobfsm.TimeOfDay {
	t := jobfsm.HM(h, m)
	return &t
}

// contracts is a fixture with a customer and a service location.
type contracts struct {
	*fixture
	t        *testing.T
	customer string
	location string
	n        int
}

func newContracts(t *testing.T, f *fixture) *contracts {
	ctx := context.Background()
	cu, err := f.eng.Customers.Create(ctx, f.owner, "cu", contractorops.CustomerInput{Name: "Riverside Condos"})
	if err != nil {
		t.Fatal(err)
	}
	address := at(37.55, -77.45)
	address.Line1 = "12 River Rd"
	loc, err := f.eng.Customers.AddLocation(ctx, f.owner, "loc", contractorops.LocationInput{CustomerID: cu.ID, Name: "Boiler room", Address: address})
	if err != nil {
		t.Fatal(err)
	}
	return &contracts{fixture: f, t: t, customer: cu.ID, location: loc.ID}
}

func (m *contracts) key(prefix string) string {
	m.n++
	return fmt.Sprintf("%s-%d", prefix, m.n)
}

// draft creates a contract from start to end, changed by mod.
func (m *contracts) draft(start, end string, mod func(*contractorops.CreateContractInput)) *contractorops.Contract {
	m.t.Helper()
	in := contractorops.CreateContractInput{
		ContractInput: contractorops.ContractInput{
			Name: "Boiler care", Type: contractorops.ContractPreventiveMaintenance,
			CustomerID: m.customer, LocationID: m.location, StartDate: date(start), EndDate: date(end),
			Value: "1200.00", BillingFrequency: contractorops.FrequencyMonthly, BillingAmount: "100.00",
			Trade: contractorops.TradeHVAC,
		},
		ServiceItems: []contractorops.ServiceItemInput{
			{Name: "Burner inspection", Frequency: contractorops.FrequencyQuarterly, UnitPrice: "49.99", Quantity: "2", EstimatedMinutes: 45},
		},
	}
	if mod != nil {
		mod(&in)
	}
	k, err := m.eng.Maintenance.CreateContract(context.Background(), m.owner, m.key("contract"), in)
	if err != nil {
		m.t.Fatal(err)
	}
	return k
}

func (m *contracts) move(k *contractorops.Contract, to contractorops.ContractStatus) (*contractorops.Contract, error) {
	return m.eng.Maintenance.UpdateContractStatus(context.Background(), m.owner, m.key("move"),
		contractorops.UpdateContractStatusInput{ID: k.ID, Status: to, ReasonCode: "CUSTOMER_REQUEST"})
}

func (m *contracts) mustMove(k *contractorops.Contract, to contractorops.ContractStatus) *contractorops.Contract {
	m.t.Helper()
	k, err := m.move(k, to)
	if err != nil {
		m.t.Fatal(err)
	}
	return k
}

func (m *contracts) schedule(k *contractorops.Contract, in contractorops.ScheduleInput) *contractorops.Schedule {
	m.t.Helper()
	s, err := m.eng.Maintenance.CreateSchedule(context.Background(), m.owner, m.key("schedule"), contractorops.CreateScheduleInput{ContractID: k.ID, ScheduleInput: in})
	if err != nil {
		m.t.Fatal(err)
	}
	return s
}

func (m *contracts) generate(k *contractorops.Contract, through string) *contractorops.GeneratedVisits {
	m.t.Helper()
	g, err := m.eng.Maintenance.GenerateVisits(context.Background(), m.owner, m.key("generate"),
		contractorops.GenerateVisitsInput{ContractID: k.ID, Through: date(through)})
	if err != nil {
		m.t.Fatal(err)
	}
	return g
}

func (m *contracts) visits(in contractorops.ListVisitsInput) []contractorops.ScheduledVisit {
	m.t.Helper()
	in.Limit = 500
	p, err := m.eng.Maintenance.ListVisits(context.Background(), m.owner, in)
	if err != nil {
		m.t.Fatal(err)
	}
	return p.Items
}

func (m *contracts) visit(id string) *contractorops.ScheduledVisit {
	m.t.Helper()
	v, err := m.eng.Maintenance.GetVisit(context.Background(), m.owner, id)
	if err != nil {
		m.t.Fatal(err)
	}
	return v
}

func (m *contracts) contract(id string) *contractorops.Contract {
	m.t.Helper()
	k, err := m.eng.Maintenance.GetContract(context.Background(), m.owner, id)
	if err != nil {
		m.t.Fatal(err)
	}
	return k
}

func (m *contracts) run(task string) *contractorops.TaskReport {
	m.t.Helper()
	rep, err := m.eng.RunTaskFor(context.Background(), task, m.clock.Now(), m.org)
	if err != nil || len(rep.Failures) > 0 {
		m.t.Fatalf("RunTask(%s) = %+v, %v", task, rep, err)
	}
	return rep
}

// advanceTo sets the clock to the wall time in New York.
func (m *contracts) advanceTo(day string, h, min int) {
	d := date(day)
	at := time.Date(d.Year, d.Month, d.Day, h, min, 0, 0, newYork)
	m.clock.Advance(at.Sub(m.clock.Now()))
}

func (m *contracts) events(typ jobfsm.EventType) []contractorops.Event {
	m.t.Helper()
	p, err := m.eng.Events.List(context.Background(), m.owner, contractorops.ListEventsInput{Type: typ, Limit: 1000})
	if err != nil {
		m.t.Fatal(err)
	}
	return p.Items
}

// TestContractTableIsTheLifecycle checks the exported table against the
// lifecycle over every pair of statuses.
func TestContractTableIsTheLifecycle(t *testing.T) {
	var got []string
	for _, e := range contractorops.ContractTable() {
		got = append(got, string(e.From)+"→"+string(e.To))
	}
	var want []string
	for _, from := range contractorops.ContractStatuses() {
		for _, to := range contractorops.ContractStatuses() {
			if _, ok := lifecycle[[2]contractorops.ContractStatus{from, to}]; ok {
				want = append(want, string(from)+"→"+string(to))
			}
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("table moves:\n%v\nwant\n%v", got, want)
	}
}

// lifecycle is every allowed move of a contract, with the rule that refuses
// it in the engine test's setting (an ACTIVE or SUSPENDED contract whose
// term runs; RENEWED asked for by a status change), "" when allowed.
var lifecycle = map[[2]contractorops.ContractStatus]string{
	{"DRAFT", "PENDING_APPROVAL"}:     "",
	{"DRAFT", "ACTIVE"}:               "",
	{"DRAFT", "CANCELLED"}:            "",
	{"PENDING_APPROVAL", "DRAFT"}:     "",
	{"PENDING_APPROVAL", "ACTIVE"}:    "",
	{"PENDING_APPROVAL", "CANCELLED"}: "",
	{"ACTIVE", "SUSPENDED"}:           "",
	{"ACTIVE", "EXPIRED"}:             "TERM_RUNNING",
	{"ACTIVE", "RENEWED"}:             "RENEWAL_ONLY",
	{"ACTIVE", "CANCELLED"}:           "",
	{"SUSPENDED", "ACTIVE"}:           "",
	{"SUSPENDED", "EXPIRED"}:          "TERM_RUNNING",
	{"SUSPENDED", "CANCELLED"}:        "",
	{"EXPIRED", "RENEWED"}:            "RENEWAL_ONLY",
	{"RENEWED", "CANCELLED"}:          "",
}

// TestContractLifecycle moves a contract from every status to every status
// through the engine: the allowed moves happen and are recorded, the others
// are ILLEGAL_TRANSITION naming their rule; renewing goes through
// renewContract.
func TestContractLifecycle(t *testing.T) { eachStore(t, testContractLifecycle) }

func testContractLifecycle(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := newContracts(t, f)
	// The expired contracts' term ends today; tomorrow they expire.
	var expired []*contractorops.Contract
	for range 2 { // one to refuse moves, one to renew
		expired = append(expired, m.mustMove(m.draft("2026-01-01", "2026-11-24", nil), contractorops.ContractActive))
	}
	m.clock.Advance(24 * time.Hour)
	for i, k := range expired {
		expired[i] = m.mustMove(k, contractorops.ContractExpired)
	}
	// in returns a contract in status from: a fresh one for a move that
	// happens, the same one for moves refused (a refusal changes nothing).
	refused := map[contractorops.ContractStatus]*contractorops.Contract{}
	in := func(from contractorops.ContractStatus, fresh bool) *contractorops.Contract {
		if k := refused[from]; k != nil && !fresh {
			return k
		}
		var k *contractorops.Contract
		switch from {
		case contractorops.ContractExpired:
			k, expired = expired[0], expired[1:]
		case contractorops.ContractRenewed:
			k = m.mustMove(m.draft("2026-11-01", "2027-10-31", nil), contractorops.ContractActive)
			if _, err := m.eng.Maintenance.RenewContract(ctx, m.owner, m.key("renew"), contractorops.RenewContractInput{ContractID: k.ID}); err != nil {
				t.Fatal(err)
			}
			k = m.contract(k.ID)
		default:
			k = m.draft("2026-11-01", "2027-10-31", nil)
			path := map[contractorops.ContractStatus][]contractorops.ContractStatus{
				contractorops.ContractPendingApproval: {contractorops.ContractPendingApproval},
				contractorops.ContractActive:          {contractorops.ContractActive},
				contractorops.ContractSuspended:       {contractorops.ContractActive, contractorops.ContractSuspended},
				contractorops.ContractCancelled:       {contractorops.ContractCancelled},
			}[from]
			for _, s := range path {
				k = m.mustMove(k, s)
			}
		}
		if !fresh {
			refused[from] = k
		}
		return k
	}
	for _, from := range contractorops.ContractStatuses() {
		for _, to := range contractorops.ContractStatuses() {
			want, inTable := lifecycle[[2]contractorops.ContractStatus{from, to}]
			renewing := to == contractorops.ContractRenewed && want == "RENEWAL_ONLY"
			k := in(from, inTable && (want == "" || renewing))
			var got *contractorops.Contract
			var err error
			if to == contractorops.ContractRenewed {
				_, err = m.eng.Maintenance.RenewContract(ctx, m.owner, m.key("renew"), contractorops.RenewContractInput{ContractID: k.ID})
				if err == nil {
					got = m.contract(k.ID)
				}
				if want == "RENEWAL_ONLY" {
					want = "" // renewContract is the way
				}
			} else {
				got, err = m.move(k, to)
			}
			if !inTable {
				want = "NOT_IN_TABLE"
			}
			if want == "" {
				if err != nil {
					t.Errorf("%s → %s: %v", from, to, err)
					continue
				}
				last := got.History[len(got.History)-1]
				if got.Status != to || last.From != from || last.To != to || last.Actor == "" {
					t.Errorf("%s → %s: status %s, history %+v", from, to, got.Status, last)
				}
				continue
			}
			e := contractorops.AsError(err)
			if e == nil || e.Code != contractorops.CodeIllegalTransition || len(e.FieldErrors) != 1 || e.FieldErrors[0].Code != want {
				t.Errorf("%s → %s: %v, want ILLEGAL_TRANSITION by rule %s", from, to, err, want)
			}
		}
	}
	for from, k := range refused {
		if after := m.contract(k.ID); after.Status != from || after.Version != k.Version {
			t.Errorf("refused moves from %s changed the contract: %s v%d", from, after.Status, after.Version)
		}
	}
	// The move to RENEWED by a status change names the renewal command, and
	// suspending needs a reason code.
	active := m.mustMove(m.draft("2026-11-01", "2027-10-31", nil), contractorops.ContractActive)
	_, err := m.move(active, contractorops.ContractRenewed)
	if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != "RENEWAL_ONLY" {
		t.Errorf("status change to RENEWED refused by %+v", e.FieldErrors)
	}
	_, err = m.eng.Maintenance.UpdateContractStatus(ctx, m.owner, "no-reason", contractorops.UpdateContractStatusInput{ID: active.ID, Status: contractorops.ContractSuspended})
	if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != "REASON_REQUIRED" {
		t.Errorf("suspend without a reason refused by %+v", e.FieldErrors)
	}
	evs := m.events(contractorops.EventContractStatusChanged)
	if len(evs) == 0 || evs[0].Contract == nil || evs[0].Contract.ContractNumber == "" {
		t.Fatalf("status events = %+v", evs)
	}
}

func TestContractTerms(t *testing.T) { eachStore(t, testContractTerms) }

func testContractTerms(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := newContracts(t, f)
	k := m.draft("2026-12-01", "2027-11-30", func(in *contractorops.CreateContractInput) {
		in.SLA = &contractorops.ContractSLA{ResponseHours: 4, ResolutionHours: 24}
	})
	if k.Number != "SC-2026-000001" || k.Status != contractorops.ContractDraft || k.Currency != "USD" ||
		k.RenewalTermMonths != 12 || k.RenewalNoticeDays != 30 || k.RenewalNoticeDate != date("2027-10-31") || k.RenewalChangePercent != "0" {
		t.Fatalf("created contract = %+v", k)
	}
	if it := k.ServiceItems[0]; it.LineTotal != "99.98" || it.VisitsPerPeriod != 1 || it.ID == "" {
		t.Fatalf("service item = %+v", it)
	}
	if p := k.SLA.Policy(k.Number); p.ResponseMinutes != 240 || p.ResolutionMinutes != 1440 || p.Name != "SC-2026-000001" {
		t.Fatalf("policy = %+v", p)
	}
	k2 := m.draft("2026-12-01", "2027-11-30", nil)
	if k2.Number != "SC-2026-000002" {
		t.Errorf("second number %s", k2.Number)
	}
	// Validation names the fields.
	_, err := f.eng.Maintenance.CreateContract(ctx, f.owner, "bad", contractorops.CreateContractInput{ContractInput: contractorops.ContractInput{
		Name: "X", Type: "YEARLY", StartDate: date("2027-01-01"), EndDate: date("2026-01-01"), Value: "-1", Currency: "XYZ",
		RenewalChangePercent: "-100", SLA: &contractorops.ContractSLA{ResponseHours: 8, ResolutionHours: 4},
	}})
	e := wantCode(t, err, contractorops.CodeValidationFailed)
	var fields []string
	for _, fe := range e.FieldErrors {
		fields = append(fields, fe.Field)
	}
	if got := strings.Join(fields, " "); got != "currency customerId endDate renewalChangePercent sla.resolutionHours type value" {
		t.Errorf("field errors on %s", got)
	}
	// A location of another customer is refused; a missing customer is NOT_FOUND.
	other, _ := f.eng.Customers.Create(ctx, f.owner, "other", contractorops.CustomerInput{Name: "Other"})
	_, err = f.eng.Maintenance.CreateContract(ctx, f.owner, "mismatch", contractorops.CreateContractInput{ContractInput: contractorops.ContractInput{
		Name: "X", Type: contractorops.ContractFullService, CustomerID: other.ID, LocationID: m.location,
		StartDate: date("2027-01-01"), EndDate: date("2027-12-31"), Value: "10"}})
	wantCode(t, err, contractorops.CodeValidationFailed)
	_, err = f.eng.Maintenance.CreateContract(ctx, f.owner, "missing", contractorops.CreateContractInput{ContractInput: contractorops.ContractInput{
		Name: "X", Type: contractorops.ContractFullService, CustomerID: "nobody",
		StartDate: date("2027-01-01"), EndDate: date("2027-12-31"), Value: "10"}})
	wantCode(t, err, contractorops.CodeNotFound)

	// Items come and go while the terms are editable; not once cancelled.
	k, err = f.eng.Maintenance.AddServiceItem(ctx, f.owner, "item", contractorops.AddServiceItemInput{ContractID: k.ID,
		ServiceItemInput: contractorops.ServiceItemInput{Name: "Filter", Frequency: contractorops.FrequencyMonthly, UnitPrice: "12.345", Quantity: "3"}})
	if err != nil || len(k.ServiceItems) != 2 || k.ServiceItems[1].LineTotal != "37.04" {
		t.Fatalf("add item = %+v, %v", k, err)
	}
	s := m.schedule(k, contractorops.ScheduleInput{Name: "Filters", Frequency: contractorops.FrequencyMonthly, ServiceItemIDs: []string{k.ServiceItems[1].ID}})
	_, err = f.eng.Maintenance.RemoveServiceItem(ctx, f.owner, "rm-used", contractorops.ServiceItemRef{ContractID: k.ID, ServiceItemID: k.ServiceItems[1].ID})
	wantCode(t, err, contractorops.CodeValidationFailed)
	if s.StartDate != k.StartDate || s.WindowStart != jobfsm.HM(8, 0) || s.WindowEnd != jobfsm.HM(17, 0) || !s.Active {
		t.Errorf("schedule defaults = %+v", s)
	}
	k, err = f.eng.Maintenance.RemoveServiceItem(ctx, f.owner, "rm", contractorops.ServiceItemRef{ContractID: k.ID, ServiceItemID: k.ServiceItems[0].ID})
	if err != nil || len(k.ServiceItems) != 1 {
		t.Fatalf("remove = %+v, %v", k, err)
	}
	k = m.mustMove(k, contractorops.ContractCancelled)
	_, err = f.eng.Maintenance.UpdateContract(ctx, f.owner, "edit-cancelled", contractorops.UpdateContractInput{ID: k.ID, ContractInput: contractorops.ContractInput{
		Name: "X", Type: contractorops.ContractFullService, CustomerID: m.customer, StartDate: date("2027-01-01"), EndDate: date("2027-12-31"), Value: "10"}})
	if e := wantCode(t, err, contractorops.CodeIllegalTransition); e.FieldErrors[0].Code != "NOT_EDITABLE" {
		t.Errorf("edit of a cancelled contract refused by %+v", e.FieldErrors)
	}
	// Schedules check their fields.
	_, err = f.eng.Maintenance.CreateSchedule(ctx, f.owner, "bad-schedule", contractorops.CreateScheduleInput{ContractID: k2.ID,
		ScheduleInput: contractorops.ScheduleInput{Name: "X", Frequency: contractorops.FrequencyMonthly, PreferredWeekday: contractorops.WeekdayMonday,
			PreferredDayOfMonth: 32, WindowStart: hm(12, 0), WindowEnd: hm(11, 0)}})
	e = wantCode(t, err, contractorops.CodeValidationFailed)
	fields = fields[:0]
	for _, fe := range e.FieldErrors {
		fields = append(fields, fe.Field)
	}
	if got := strings.Join(fields, " "); got != "preferredDayOfMonth preferredWeekday windowEnd" {
		t.Errorf("schedule field errors on %s", got)
	}
}

// TestScheduleDates generates a year's visits: weekly on a preferred
// weekday across the spring DST change, monthly on the 31st clamped to
// shorter months, quarterly, a schedule's end date and a contract's.
func TestScheduleDates(t *testing.T) { eachStore(t, testScheduleDates) }

func testScheduleDates(t *testing.T, f *fixture) {
	m := newContracts(t, f)
	maria, sam := f.crew(t)
	k := m.mustMove(m.draft("2026-12-01", "2027-11-30", func(in *contractorops.CreateContractInput) {
		in.PrimaryTechnicianID = maria.ID
	}), contractorops.ContractActive)
	weekly := m.schedule(k, contractorops.ScheduleInput{Name: "Weekly check", Frequency: contractorops.FrequencyWeekly,
		PreferredWeekday: contractorops.WeekdayThursday, WindowStart: hm(9, 0), WindowEnd: hm(11, 0), TechnicianID: sam.ID})
	monthly := m.schedule(k, contractorops.ScheduleInput{Name: "Month end", Frequency: contractorops.FrequencyMonthly, PreferredDayOfMonth: 31})
	quarterly := m.schedule(k, contractorops.ScheduleInput{Name: "Quarterly", Frequency: contractorops.FrequencyQuarterly, StartDate: date("2026-12-15")})
	ending := m.schedule(k, contractorops.ScheduleInput{Name: "Winter Mondays", Frequency: contractorops.FrequencyWeekly,
		PreferredWeekday: contractorops.WeekdayMonday, EndDate: date("2027-01-15")})
	short := m.mustMove(m.draft("2026-12-01", "2027-02-20", nil), contractorops.ContractActive)
	shortMonthly := m.schedule(short, contractorops.ScheduleInput{Name: "Month end", Frequency: contractorops.FrequencyMonthly, PreferredDayOfMonth: 31})

	g := m.generate(k, "2027-03-31")
	m.generate(short, "2027-03-31")
	days := func(s *contractorops.Schedule) []string {
		var out []string
		for _, v := range m.visits(contractorops.ListVisitsInput{ScheduleID: s.ID}) {
			out = append(out, v.Date.String())
		}
		return out
	}
	var thursdays []string
	for d := date("2026-12-03"); d.String() <= "2027-03-31"; d = jobfsm.DateOf(time.Date(d.Year, d.Month, d.Day+7, 0, 0, 0, 0, time.UTC)) {
		thursdays = append(thursdays, d.String())
	}
	for _, c := range []struct {
		s    *contractorops.Schedule
		want []string
	}{
		{weekly, thursdays},
		{monthly, []string{"2026-12-31", "2027-01-31", "2027-02-28", "2027-03-31"}},
		{quarterly, []string{"2026-12-15", "2027-03-15"}},
		{ending, []string{"2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28", "2027-01-04", "2027-01-11"}},
		{shortMonthly, []string{"2026-12-31", "2027-01-31"}},
	} {
		if got := days(c.s); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.s.Name, got, c.want)
		}
	}
	if n := len(m.visits(contractorops.ListVisitsInput{ContractID: k.ID})); n != len(thursdays)+4+2+6 || g.Released != 0 {
		t.Errorf("generated %d visits, %d released", n, g.Released)
	}
	// The window is wall-clock time in New York on both sides of the DST
	// change of 2027-03-14: 09:00 EST is 14:00 UTC, 09:00 EDT 13:00 UTC.
	byDay := map[string]contractorops.ScheduledVisit{}
	for _, v := range m.visits(contractorops.ListVisitsInput{ScheduleID: weekly.ID}) {
		byDay[v.Date.String()] = v
	}
	before, after := byDay["2027-03-11"], byDay["2027-03-18"]
	if before.Window.Start.UTC().Hour() != 14 || after.Window.Start.UTC().Hour() != 13 ||
		before.Window.Start.In(newYork).Hour() != 9 || after.Window.End.In(newYork).Hour() != 11 {
		t.Errorf("windows across DST: %v, %v", before.Window, after.Window)
	}
	if before.TechnicianID != sam.ID || byDay["2026-12-03"].Number == 0 || len(before.ServiceItemIDs) != 1 {
		t.Errorf("visit = %+v", before)
	}
	// Night windows on the nights the clocks change: 02:30 does not exist
	// on 2027-03-14 (read as 03:30 EDT), 01:30 happens twice on 2027-11-07
	// (the first, EDT).
	night := m.mustMove(m.draft("2027-03-01", "2027-11-30", nil), contractorops.ContractActive)
	spring := m.schedule(night, contractorops.ScheduleInput{Name: "Spring nights", Frequency: contractorops.FrequencyDaily,
		StartDate: date("2027-03-13"), EndDate: date("2027-03-15"), WindowStart: hm(2, 30), WindowEnd: hm(4, 0)})
	fall := m.schedule(night, contractorops.ScheduleInput{Name: "Fall nights", Frequency: contractorops.FrequencyDaily,
		StartDate: date("2027-11-06"), EndDate: date("2027-11-08"), WindowStart: hm(1, 30), WindowEnd: hm(3, 0)})
	m.generate(night, "2027-11-20")
	for _, c := range []struct {
		s    *contractorops.Schedule
		want []string
	}{
		{spring, []string{"07:30-09:00", "07:30-08:00", "06:30-08:00"}},
		{fall, []string{"05:30-07:00", "05:30-08:00", "06:30-08:00"}},
	} {
		var got []string
		for _, v := range m.visits(contractorops.ListVisitsInput{ScheduleID: c.s.ID}) {
			got = append(got, v.Window.Start.UTC().Format("15:04")+"-"+v.Window.End.UTC().Format("15:04"))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: windows in UTC %v, want %v", c.s.Name, got, c.want)
		}
	}
	mv := m.visits(contractorops.ListVisitsInput{ScheduleID: monthly.ID})[0]
	if mv.TechnicianID != maria.ID || mv.Window.Start.In(newYork).Hour() != 8 || mv.Window.End.In(newYork).Hour() != 17 {
		t.Errorf("default window and technician: %+v", mv)
	}
	// Listing by day range in the organization's time zone.
	if got := m.visits(contractorops.ListVisitsInput{ContractID: k.ID, From: date("2027-03-15"), To: date("2027-03-18")}); len(got) != 2 {
		t.Errorf("visits of 2027-03-15..18: %d, want 2 (quarterly and Thursday)", len(got))
	}
}

// TestVisitGenerationIdempotent: generating again, for the same or an
// overlapping horizon, by command or by the task, creates nothing new.
func TestVisitGenerationIdempotent(t *testing.T) { eachStore(t, testVisitGenerationIdempotent) }

func testVisitGenerationIdempotent(t *testing.T, f *fixture) {
	m := newContracts(t, f)
	k := m.mustMove(m.draft("2026-11-24", "2027-11-23", nil), contractorops.ContractActive)
	s := m.schedule(k, contractorops.ScheduleInput{Name: "Weekly", Frequency: contractorops.FrequencyWeekly, PreferredWeekday: contractorops.WeekdayFriday})
	first := m.generate(k, "2026-12-31")
	count := len(m.visits(contractorops.ListVisitsInput{ContractID: k.ID}))
	if len(first.Created) != 5 || count != 5 {
		t.Fatalf("first run created %d, %d listed; want 5 Fridays", len(first.Created), count)
	}
	for _, through := range []string{"2026-12-31", "2026-12-20"} {
		if again := m.generate(k, through); len(again.Created) != 0 {
			t.Fatalf("again through %s created %v", through, again.Created)
		}
	}
	// Concurrent generations of another contract create each visit once:
	// the losers of the race retry and find the visits there.
	k2 := m.mustMove(m.draft("2026-11-24", "2027-11-23", nil), contractorops.ContractActive)
	m.schedule(k2, contractorops.ScheduleInput{Name: "Daily", Frequency: contractorops.FrequencyDaily})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.eng.Maintenance.GenerateVisits(context.Background(), f.owner, fmt.Sprint("race-", i),
				contractorops.GenerateVisitsInput{ContractID: k2.ID, Through: date("2026-11-30")})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(m.visits(contractorops.ListVisitsInput{ContractID: k2.ID})); n != 7 {
		t.Fatalf("%d visits after 4 concurrent generations, want 7 (Nov 24–30)", n)
	}
	m.run("maintenance-visits") // through today + 60 days: 2027-01-23
	n := len(m.visits(contractorops.ListVisitsInput{ContractID: k.ID}))
	m.run("maintenance-visits")
	if again := len(m.visits(contractorops.ListVisitsInput{ContractID: k.ID})); n != 5+4 || again != n {
		t.Fatalf("task runs: %d then %d visits, want 9 twice", n, again)
	}
	scheds, _ := f.eng.Maintenance.ListSchedules(context.Background(), f.owner, k.ID)
	if scheds[0].ID != s.ID || scheds[0].GeneratedThrough != date("2027-01-23") {
		t.Errorf("generated through %v", scheds[0].GeneratedThrough)
	}
	// A draft generates nothing.
	d := m.draft("2026-11-24", "2027-11-23", nil)
	_, err := f.eng.Maintenance.GenerateVisits(context.Background(), f.owner, "draft", contractorops.GenerateVisitsInput{ContractID: d.ID, Through: date("2026-12-31")})
	wantCode(t, err, contractorops.CodeIllegalTransition)
}

// jobVisit returns the job's one visit.
func jobVisit(t *testing.T, f *fixture, jobID string) contractorops.Visit {
	t.Helper()
	vs, err := f.eng.Jobs.ListVisits(context.Background(), f.owner, jobID)
	if err != nil || len(vs) != 1 {
		t.Fatalf("job visits = %+v, %v", vs, err)
	}
	return vs[0]
}

// walk moves the job's one assignment along as its technician.
func walk(t *testing.T, f *fixture, key, jobID string, to ...jobfsm.AssignmentStatus) *contractorops.AssignmentResult {
	t.Helper()
	ctx := context.Background()
	as, err := f.eng.Dispatch.ListAssignments(ctx, f.owner, contractorops.ListAssignmentsInput{JobID: jobID})
	if err != nil || len(as) != 1 {
		t.Fatalf("assignments of the job = %+v, %v", as, err)
	}
	var r *contractorops.AssignmentResult
	for i, s := range to {
		if r, err = f.eng.Dispatch.UpdateStatus(ctx, f.technicianScope(as[0].TechnicianID()), fmt.Sprintf("%s-%d", key, i),
			contractorops.UpdateAssignmentStatusInput{AssignmentID: as[0].ID, Status: s}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestGeneratedJobsFlowThroughDispatch: a visit is released when its window
// opens, as a RECURRING job under the contract's SLA, and follows its job.
func TestGeneratedJobsFlowThroughDispatch(t *testing.T) { eachStore(t, testGeneratedJobs) }

func testGeneratedJobs(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := newContracts(t, f)
	maria, _ := f.crew(t)
	k := m.mustMove(m.draft("2026-11-24", "2027-11-23", func(in *contractorops.CreateContractInput) {
		in.SLA = &contractorops.ContractSLA{ResponseHours: 4, ResolutionHours: 24}
		in.Scope.ScopeOfWork = "Inspect and clean the burners."
	}), contractorops.ContractActive)
	m.schedule(k, contractorops.ScheduleInput{Name: "Weekly check", Frequency: contractorops.FrequencyWeekly,
		WindowStart: hm(10, 0), WindowEnd: hm(12, 0), TechnicianID: maria.ID})
	g := m.generate(k, "2026-12-15")
	if len(g.Created) != 4 || g.Released != 0 {
		t.Fatalf("generated %d, released %d; want 4 Tuesdays, none open yet", len(g.Created), g.Released)
	}
	m.run("maintenance-release")
	if jobs, _ := f.eng.Jobs.List(ctx, f.owner, contractorops.ListJobsInput{Source: jobfsm.SourceRecurring}); len(jobs.Items) != 0 {
		t.Fatalf("released before the window opened: %+v", jobs.Items)
	}
	m.advanceTo("2026-11-24", 10, 5)
	m.run("maintenance-release")
	m.run("maintenance-release")
	jobs, _ := f.eng.Jobs.List(ctx, f.owner, contractorops.ListJobsInput{Source: jobfsm.SourceRecurring})
	if len(jobs.Items) != 1 {
		t.Fatalf("%d recurring jobs, want 1", len(jobs.Items))
	}
	j := jobs.Items[0]
	v := m.visit(g.Created[0].ID)
	opened := time.Date(2026, 11, 24, 10, 0, 0, 0, newYork)
	switch {
	case j.ExternalRef != v.ID || v.JobID != j.ID || v.ReleasedAt.IsZero():
		t.Fatalf("job %s ref %q, visit job %q", j.ID, j.ExternalRef, v.JobID)
	case !reflect.DeepEqual(j.SLA, k.SLA.Policy(k.Number)):
		t.Errorf("job SLA %+v, want the contract's", j.SLA)
	case j.Status() != jobfsm.JobScheduled || j.TechnicianID != maria.ID || j.CustomerID != m.customer || j.Location.Line1 != "12 River Rd":
		t.Errorf("job = %s, technician %q, customer %q, location %+v", j.Status(), j.TechnicianID, j.CustomerID, j.Location)
	case !j.History[0].At.Equal(opened):
		t.Errorf("job opened at %v, want the window's start %v", j.History[0].At, opened)
	case !strings.Contains(j.Description, "Burner inspection × 2 (45 min)") || j.EstimatedMinutes != 45 || j.Requirements.Skills[0].Trade != "HVAC":
		t.Errorf("job description %q, %d min, requirements %+v", j.Description, j.EstimatedMinutes, j.Requirements)
	case j.ArrivalWindow == nil || !j.ArrivalWindow.Start.Equal(opened):
		t.Errorf("arrival window %+v", j.ArrivalWindow)
	}
	st, _ := f.eng.Jobs.SLA(ctx, f.owner, j.ID)
	if st.Policy != k.Number || st.Response.Elapsed != 5*time.Minute {
		t.Errorf("SLA %s, response elapsed %v; want the contract's, 5m since the window opened", st.Policy, st.Response.Elapsed)
	}
	// The release placed Maria through dispatch from the window's start;
	// she walks the assignment, the office completes the job, and the visit
	// follows.
	jv := jobVisit(t, f, j.ID)
	if jv.TechnicianID != maria.ID || !jv.ScheduledStart.Equal(opened) || !jv.ScheduledEnd.Equal(opened.Add(45*time.Minute)) || v.DispatchNote != "" {
		t.Errorf("job visit %+v, note %q", jv, v.DispatchNote)
	}
	m.clock.Advance(10 * time.Minute)
	r := walk(t, f, "w", j.ID, jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute)
	if r.Assignment.Source != contractorops.SourceContract || r.Job.Status() != jobfsm.JobInProgress {
		t.Errorf("assignment from %s, job %s", r.Assignment.Source, r.Job.Status())
	}
	if v = m.visit(v.ID); v.Status != contractorops.ScheduledVisitInProgress || v.StartedAt.IsZero() {
		t.Fatalf("visit after the technician left: %s", v.Status)
	}
	walk(t, f, "w2", j.ID, jobfsm.AssignmentOnSite, jobfsm.AssignmentCompleted)
	if _, err := f.eng.Jobs.UpdateStatus(ctx, f.owner, "complete", contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCompleted}); err != nil {
		t.Fatal(err)
	}
	v = m.visit(v.ID)
	if v.Status != contractorops.ScheduledVisitCompleted || !v.CompletedAt.Equal(m.clock.Now()) {
		t.Fatalf("visit after the job completed: %s at %v", v.Status, v.CompletedAt)
	}
	var path []string
	for _, h := range v.History {
		path = append(path, string(h.To))
	}
	if strings.Join(path, " ") != "SCHEDULED IN_PROGRESS COMPLETED" {
		t.Errorf("visit history %v", path)
	}
}

// TestVisitChanges: confirm, reschedule with history (the identity stays
// with the old visit, so regenerating does not bring it back), cancel, and
// the missed-visit check; a technician sees only their visits.
func TestVisitChanges(t *testing.T) { eachStore(t, testVisitChanges) }

func testVisitChanges(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := newContracts(t, f)
	maria, sam := f.crew(t)
	k := m.mustMove(m.draft("2026-11-24", "2027-11-23", nil), contractorops.ContractActive)
	m.schedule(k, contractorops.ScheduleInput{Name: "Daily", Frequency: contractorops.FrequencyDaily,
		WindowStart: hm(10, 0), WindowEnd: hm(12, 0), TechnicianID: maria.ID, EndDate: date("2026-11-27")})
	g := m.generate(k, "2026-12-31")
	if len(g.Created) != 4 {
		t.Fatalf("%d visits, want 4 (Nov 24–27)", len(g.Created))
	}
	tue, wed, thu, fri := g.Created[0], g.Created[1], g.Created[2], g.Created[3]
	if _, err := f.eng.Maintenance.ConfirmVisit(ctx, f.owner, "confirm", contractorops.VisitChangeInput{VisitID: wed.ID}); err != nil {
		t.Fatal(err)
	}
	// Reschedule Thursday to Saturday afternoon.
	r, err := f.eng.Maintenance.RescheduleVisit(ctx, f.owner, "resched", contractorops.RescheduleVisitInput{VisitID: thu.ID,
		Date: date("2026-11-28"), WindowStart: hm(13, 0), WindowEnd: hm(15, 0), ReasonCode: "CUSTOMER_REQUEST"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Old.Status != contractorops.ScheduledVisitRescheduled || r.Old.RescheduledToID != r.New.ID || r.New.RescheduledFromID != thu.ID ||
		r.New.OccursOn != thu.OccursOn || r.New.Date != date("2026-11-28") || r.New.Window.Start.In(newYork).Hour() != 13 || r.New.TechnicianID != maria.ID {
		t.Fatalf("reschedule = %+v", r)
	}
	if again := m.generate(k, "2026-12-31"); len(again.Created) != 0 {
		t.Fatalf("regenerating brought back %v", again.Created)
	}
	_, err = f.eng.Maintenance.RescheduleVisit(ctx, f.owner, "resched-2", contractorops.RescheduleVisitInput{VisitID: thu.ID, Date: date("2026-11-30")})
	wantCode(t, err, contractorops.CodeIllegalTransition)
	// Cancelling needs a reason code.
	_, err = f.eng.Maintenance.CancelVisit(ctx, f.owner, "cancel-0", contractorops.CancelVisitInput{VisitID: fri.ID})
	wantCode(t, err, contractorops.CodeValidationFailed)

	// Tuesday's window opens: released; Wednesday's job is rescheduled
	// after release, Friday cancelled after release.
	m.advanceTo("2026-11-24", 12, 30)
	m.run("maintenance-release")
	m.run("maintenance-missed-visits")
	m.run("maintenance-missed-visits")
	if v := m.visit(tue.ID); v.Status != contractorops.ScheduledVisitMissed || v.JobID == "" {
		t.Fatalf("Tuesday after its window: %s, job %q", v.Status, v.JobID)
	}
	if evs := m.events(contractorops.EventScheduledVisitMissed); len(evs) != 1 || evs[0].Contract.VisitID != tue.ID {
		t.Fatalf("missed events = %+v", evs)
	}
	m.advanceTo("2026-11-27", 10, 30)
	m.run("maintenance-release")
	fv := m.visit(fri.ID)
	if _, err := f.eng.Maintenance.CancelVisit(ctx, f.owner, "cancel", contractorops.CancelVisitInput{VisitID: fri.ID, ReasonCode: "CUSTOMER_CANCELLED"}); err != nil {
		t.Fatal(err)
	}
	if j, _ := f.eng.Jobs.Get(ctx, f.owner, fv.JobID); j.Status() != jobfsm.JobCancelled || j.History[len(j.History)-1].ReasonCode != "CUSTOMER_CANCELLED" {
		t.Fatalf("the cancelled visit's job is %s", j.Status())
	}
	// Its technician's time is free again.
	if as, _ := f.eng.Dispatch.ListAssignments(ctx, f.owner, contractorops.ListAssignmentsInput{JobID: fv.JobID}); len(as) != 1 || as[0].Status() != jobfsm.AssignmentCancelled {
		t.Fatalf("the cancelled job's assignments: %+v", as)
	}
	// A missed visit can be rescheduled: its job is cancelled as RESCHEDULED.
	tv := m.visit(tue.ID)
	r, err = f.eng.Maintenance.RescheduleVisit(ctx, f.owner, "resched-tue", contractorops.RescheduleVisitInput{VisitID: tue.ID, Date: date("2026-11-30")})
	if err != nil {
		t.Fatal(err)
	}
	if j, _ := f.eng.Jobs.Get(ctx, f.owner, tv.JobID); j.Status() != jobfsm.JobCancelled || j.History[len(j.History)-1].ReasonCode != "RESCHEDULED" {
		t.Fatalf("the rescheduled visit's job is %s", j.Status())
	}
	if v := m.visit(tue.ID); v.Status != contractorops.ScheduledVisitRescheduled {
		t.Fatalf("the old visit is %s after its job was cancelled", v.Status)
	}
	if r.New.JobID != "" || r.New.Window.Start.In(newYork).Hour() != 10 {
		t.Errorf("new visit %+v", r.New)
	}
	// Saturday's replacement visit is released unassigned: Maria does not
	// work on Saturdays; the dispatcher gets the job and the reason.
	m.advanceTo("2026-11-28", 13, 5)
	m.run("maintenance-release")
	sat := m.visit(m.visit(thu.ID).RescheduledToID)
	j, err := f.eng.Jobs.Get(ctx, f.owner, sat.JobID)
	if err != nil || j.TechnicianID != "" || j.Status() != jobfsm.JobScheduled || !strings.Contains(sat.DispatchNote, "not assigned") {
		t.Fatalf("Saturday's job %+v (%v), note %q", j, err, sat.DispatchNote)
	}

	// A technician sees their own visits only.
	tech := f.technicianScope(maria.ID)
	mine, err := f.eng.Maintenance.ListVisits(ctx, tech, contractorops.ListVisitsInput{})
	if err != nil || len(mine.Items) != 6 {
		t.Fatalf("technician lists %d visits, %v; want 6", len(mine.Items), err)
	}
	other := f.technicianScope(sam.ID)
	_, err = f.eng.Maintenance.GetVisit(ctx, other, tue.ID)
	wantCode(t, err, contractorops.CodeNotFound)
	if theirs, _ := f.eng.Maintenance.ListVisits(ctx, other, contractorops.ListVisitsInput{}); len(theirs.Items) != 0 {
		t.Fatalf("another technician lists %d visits", len(theirs.Items))
	}
	_, err = f.eng.Maintenance.GetContract(ctx, tech, k.ID)
	wantCode(t, err, contractorops.CodeForbidden)
}

// TestSLAScoring scores November from real job data: visits done in their
// window, late and missed; response and resolution met and missed from the
// jobs' SLA clocks; once per contract and month.
func TestSLAScoring(t *testing.T) { eachStore(t, testSLAScoring) }

func testSLAScoring(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := newContracts(t, f)
	maria, _ := f.crew(t)
	k := m.mustMove(m.draft("2026-11-24", "2027-11-23", func(in *contractorops.CreateContractInput) {
		in.SLA = &contractorops.ContractSLA{ResponseHours: 4, ResolutionHours: 24}
	}), contractorops.ContractActive)
	m.schedule(k, contractorops.ScheduleInput{Name: "Daily", Frequency: contractorops.FrequencyDaily,
		WindowStart: hm(10, 0), WindowEnd: hm(12, 0), TechnicianID: maria.ID, EndDate: date("2026-11-27")})
	g := m.generate(k, "2026-12-31")
	tue, wed, thu := g.Created[0], g.Created[1], g.Created[2]
	do := func(v contractorops.ScheduledVisit, startH, startM, doneH, doneM int) {
		t.Helper()
		day := v.Date.String()
		m.advanceTo(day, startH, startM)
		j := m.visit(v.ID).JobID
		if j == "" {
			m.run("maintenance-release")
			j = m.visit(v.ID).JobID
		}
		walk(t, f, "go-"+day, j, jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute, jobfsm.AssignmentOnSite)
		m.advanceTo(day, doneH, doneM)
		walk(t, f, "done-"+day, j, jobfsm.AssignmentCompleted)
		if _, err := f.eng.Jobs.UpdateStatus(ctx, f.owner, "complete-"+day, contractorops.UpdateJobStatusInput{ID: j, Status: jobfsm.JobCompleted}); err != nil {
			t.Fatal(err)
		}
	}
	// Tuesday: on the way at 10:10, done at 10:30.
	do(tue, 10, 10, 10, 30)
	// Wednesday: nobody by noon (MISSED); on the way at 14:30, done at 15:00.
	m.advanceTo("2026-11-25", 12, 1)
	m.run("maintenance-release")
	m.run("maintenance-missed-visits")
	if v := m.visit(wed.ID); v.Status != contractorops.ScheduledVisitMissed {
		t.Fatalf("Wednesday at 12:01: %s", v.Status)
	}
	do(wed, 14, 30, 15, 0)
	if v := m.visit(wed.ID); v.Status != contractorops.ScheduledVisitCompleted {
		t.Fatalf("Wednesday worked late: %s", v.Status)
	}
	// Thursday is cancelled; Friday's technician never comes.
	if _, err := f.eng.Maintenance.CancelVisit(ctx, f.owner, "cancel-thu", contractorops.CancelVisitInput{VisitID: thu.ID, ReasonCode: "HOLIDAY"}); err != nil {
		t.Fatal(err)
	}
	m.advanceTo("2026-11-27", 10, 0)
	m.run("maintenance-release")
	// December 1st, 09:00: the task scores November.
	m.advanceTo("2026-12-01", 9, 0)
	m.run("maintenance-missed-visits")
	m.run("maintenance-sla-scores")
	m.run("maintenance-sla-scores")
	recs, err := f.eng.Maintenance.ListSLARecords(ctx, f.owner, k.ID)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records = %+v, %v", recs, err)
	}
	r := recs[0]
	want := contractorops.SLAFigures{
		// Friday's response still runs, breached: missed. Its resolution
		// (24 business hours from Friday 10:00, due Tuesday 16:00) runs.
		Jobs: 3, ResponseMet: 1, ResponseMissed: 2, ResolutionMet: 2, ResolutionMissed: 0,
		ResponseMinutes: 10 + 270 + (420 + 540 + 60), ResolutionMinutes: 30 + 300,
		ResponseCompliance: "33.33", ResolutionCompliance: "100.00", AvgResponseMinutes: 433, AvgResolutionMinutes: 165,
		VisitsDue: 3, VisitsOnTime: 1, VisitsLate: 1, VisitsMissed: 1, VisitCompliance: "33.33",
		Score: "55.55",
	}
	if r.SLAFigures != want || r.Period != "2026-11" || r.PeriodStart != date("2026-11-01") || r.PeriodEnd != date("2026-11-30") {
		t.Fatalf("November:\n%+v\nwant\n%+v", r, want)
	}
	// Scoring again changes nothing; the renewal agent asks for a review.
	again, err := f.eng.Maintenance.ScoreSLA(ctx, f.owner, "rescore", contractorops.ScoreSLAInput{ContractID: k.ID, Period: "2026-11"})
	if err != nil || again.ID != r.ID || again.Version != r.Version {
		t.Fatalf("rescore = %+v, %v", again, err)
	}
	rec, err := f.eng.Maintenance.RenewalRecommendation(ctx, f.scope(contractorops.RoleAgent), contractorops.RenewalRecommendationInput{ContractID: k.ID})
	if err != nil || rec.Action != contractorops.RenewalReview || len(rec.Reasons) != 3 || rec.Performance.Periods != 1 {
		t.Fatalf("recommendation = %+v, %v", rec, err)
	}
	_, err = f.eng.Maintenance.ScoreSLA(ctx, f.owner, "future", contractorops.ScoreSLAInput{ContractID: k.ID, Period: "2027-01"})
	wantCode(t, err, contractorops.CodeValidationFailed)
}

// TestRenewalWorkflow: the notice when the contract enters its notice
// period, the auto-renewal at its end date (a successor with prices changed
// by the configured percent, rounded exactly, its schedules and the renewal
// record), the expiration of a contract that does not auto-renew, and a
// manual renewal of the expired one. Running the task twice changes nothing
// the second time.
func TestRenewalWorkflow(t *testing.T) { eachStore(t, testRenewalWorkflow) }

func testRenewalWorkflow(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := newContracts(t, f)
	auto := m.mustMove(m.draft("2026-01-01", "2026-12-31", func(in *contractorops.CreateContractInput) {
		in.AutoRenew, in.RenewalChangePercent = true, "3.5"
	}), contractorops.ContractActive)
	m.schedule(auto, contractorops.ScheduleInput{Name: "Quarterly", Frequency: contractorops.FrequencyQuarterly})
	lapsing := m.mustMove(m.draft("2026-01-01", "2026-12-15", nil), contractorops.ContractActive)
	count := func() int {
		p, err := f.eng.Maintenance.ListContracts(ctx, f.owner, contractorops.ListContractsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	twice := func() {
		t.Helper()
		m.run("maintenance-renewals")
		before, evs := m.contract(auto.ID), len(m.events(""))
		m.run("maintenance-renewals")
		if after := m.contract(auto.ID); after.Version != before.Version || len(m.events("")) != evs {
			t.Fatalf("a second run changed the contract (v%d → v%d) or emitted events", before.Version, after.Version)
		}
	}
	twice()
	if n := len(m.events(contractorops.EventContractRenewalNotice)); n != 1 {
		t.Fatalf("%d notices on 2026-11-24, want 1 (the lapsing contract's notice date was Nov 15)", n)
	}
	m.advanceTo("2026-12-01", 9, 0)
	twice()
	notices := m.events(contractorops.EventContractRenewalNotice)
	if len(notices) != 2 || notices[1].Contract.ContractID != auto.ID || !notices[1].Contract.AutoRenew {
		t.Fatalf("notices = %+v", notices)
	}
	// The lapsing contract expires the day after its end date.
	m.advanceTo("2026-12-15", 23, 0)
	twice()
	if k := m.contract(lapsing.ID); k.Status != contractorops.ContractActive {
		t.Fatalf("on its last day the contract is %s", k.Status)
	}
	m.advanceTo("2026-12-16", 0, 30)
	twice()
	if k := m.contract(lapsing.ID); k.Status != contractorops.ContractExpired || k.History[len(k.History)-1].Action != contractorops.ContractExpire {
		t.Fatalf("after its end date the contract is %s", k.Status)
	}
	// The auto-renewing contract renews on its end date, once.
	contracts := count()
	m.advanceTo("2026-12-31", 6, 0)
	twice()
	old := m.contract(auto.ID)
	if old.Status != contractorops.ContractRenewed || old.RenewedToID == "" || count() != contracts+1 {
		t.Fatalf("on its end date: %s, successor %q, %d contracts", old.Status, old.RenewedToID, count())
	}
	n := m.contract(old.RenewedToID)
	rec := contractorops.ContractRenewal{Number: 1, PreviousContractID: old.ID, ContractID: n.ID,
		PreviousEndDate: date("2026-12-31"), NewStartDate: date("2027-01-01"), NewEndDate: date("2027-12-31"),
		PreviousValue: "1200.00", NewValue: "1242.00", ChangePercent: "3.5", Automatic: true, RenewedAt: m.clock.Now(), RenewedBy: "system:maintenance"}
	switch {
	case n.Status != contractorops.ContractActive || n.RenewedFromID != old.ID || n.Number == old.Number || !n.AutoRenew:
		t.Fatalf("successor = %+v", n)
	case len(n.Renewals) != 1 || n.Renewals[0] != rec:
		t.Fatalf("renewal record %+v\nwant %+v", n.Renewals, rec)
	case n.BillingAmount != "103.50" || n.ServiceItems[0].UnitPrice != "51.74" || n.ServiceItems[0].LineTotal != "103.48":
		t.Errorf("renewed prices: billing %s, unit %s, line %s", n.BillingAmount, n.ServiceItems[0].UnitPrice, n.ServiceItems[0].LineTotal)
	case n.RenewalNoticeDate != date("2027-12-01") || !n.NoticeAt.IsZero():
		t.Errorf("successor notice %v / %v", n.RenewalNoticeDate, n.NoticeAt)
	}
	if ss, _ := f.eng.Maintenance.ListSchedules(ctx, f.owner, n.ID); len(ss) != 1 || ss[0].Name != "Quarterly" {
		t.Errorf("successor schedules = %+v", ss)
	}
	if evs := m.events(contractorops.EventContractRenewed); len(evs) != 1 || evs[0].Contract.SuccessorID != n.ID {
		t.Errorf("renewed events = %+v", evs)
	}
	// The renewed contract serves out its last day; its successor's visits
	// start with the new term.
	g := m.generate(n, "2027-04-30")
	if len(g.Created) != 2 || g.Created[0].Date != date("2027-01-01") {
		t.Errorf("successor visits %v", g.Created)
	}
	// Won back: the expired contract renewed by hand, 5 % cheaper.
	back, err := f.eng.Maintenance.RenewContract(ctx, f.owner, "win-back", contractorops.RenewContractInput{ContractID: lapsing.ID,
		ChangePercent: "-5", StartDate: date("2027-01-01"), TermMonths: 6})
	if err != nil {
		t.Fatal(err)
	}
	if back.Value != "1140.00" || back.StartDate != date("2027-01-01") || back.EndDate != date("2027-06-30") || back.Renewals[0].Automatic {
		t.Fatalf("won back = %+v", back)
	}
	if k := m.contract(lapsing.ID); k.Status != contractorops.ContractRenewed {
		t.Fatalf("the expired contract after its renewal is %s", k.Status)
	}
}

// TestMaintenanceTenantIsolation: another organization reads nothing of a
// contract, its schedules, visits and records, and changes nothing.
func TestMaintenanceTenantIsolation(t *testing.T) { eachStore(t, testMaintenanceTenantIsolation) }

func testMaintenanceTenantIsolation(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := newContracts(t, f)
	k := m.mustMove(m.draft("2026-11-24", "2027-11-23", nil), contractorops.ContractActive)
	s := m.schedule(k, contractorops.ScheduleInput{Name: "Weekly", Frequency: contractorops.FrequencyWeekly})
	v := m.generate(k, "2026-12-31").Created[0]
	b := newFixtureWith(t, f.eng, f.clock, f.store, "b").owner
	for name, err := range map[string]error{
		"getContract":    func() error { _, err := f.eng.Maintenance.GetContract(ctx, b, k.ID); return err }(),
		"listSchedules":  func() error { _, err := f.eng.Maintenance.ListSchedules(ctx, b, k.ID); return err }(),
		"getVisit":       func() error { _, err := f.eng.Maintenance.GetVisit(ctx, b, v.ID); return err }(),
		"listSLARecords": func() error { _, err := f.eng.Maintenance.ListSLARecords(ctx, b, k.ID); return err }(),
		"renewalRecommendation": func() error {
			_, err := f.eng.Maintenance.RenewalRecommendation(ctx, b, contractorops.RenewalRecommendationInput{ContractID: k.ID})
			return err
		}(),
		"updateContractStatus": func() error {
			_, err := f.eng.Maintenance.UpdateContractStatus(ctx, b, "x", contractorops.UpdateContractStatusInput{ID: k.ID, Status: contractorops.ContractCancelled, ReasonCode: "X"})
			return err
		}(),
		"generateVisits": func() error {
			_, err := f.eng.Maintenance.GenerateVisits(ctx, b, "x", contractorops.GenerateVisitsInput{ContractID: k.ID, Through: date("2027-01-31")})
			return err
		}(),
		"updateSchedule": func() error {
			_, err := f.eng.Maintenance.UpdateSchedule(ctx, b, "x", contractorops.UpdateScheduleInput{ID: s.ID, ScheduleInput: contractorops.ScheduleInput{Name: "X", Frequency: contractorops.FrequencyDaily}})
			return err
		}(),
		"cancelVisit": func() error {
			_, err := f.eng.Maintenance.CancelVisit(ctx, b, "x", contractorops.CancelVisitInput{VisitID: v.ID, ReasonCode: "X"})
			return err
		}(),
		"scoreSLA": func() error {
			_, err := f.eng.Maintenance.ScoreSLA(ctx, b, "x", contractorops.ScoreSLAInput{ContractID: k.ID, Period: "2026-11"})
			return err
		}(),
	} {
		if e := contractorops.AsError(err); e == nil || e.Code != contractorops.CodeNotFound {
			t.Errorf("%s from another organization: %v, want NOT_FOUND", name, err)
		}
	}
	if p, _ := f.eng.Maintenance.ListContracts(ctx, b, contractorops.ListContractsInput{}); len(p.Items) != 0 {
		t.Errorf("another organization lists %d contracts", len(p.Items))
	}
	if p, _ := f.eng.Maintenance.ListVisits(ctx, b, contractorops.ListVisitsInput{}); len(p.Items) != 0 {
		t.Errorf("another organization lists %d visits", len(p.Items))
	}
	if k2 := m.contract(k.ID); k2.Version != k.Version {
		t.Errorf("the contract changed: v%d", k2.Version)
	}
}
