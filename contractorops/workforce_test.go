package contractorops_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
)

// must returns v, failing the test on err: must(f(…))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// fields returns the fields of a VALIDATION_FAILED error, in order.
func fields(t testing.TB, err error) []string {
	t.Helper()
	e := wantCode(t, err, contractorops.CodeValidationFailed)
	var out []string
	for _, fe := range e.FieldErrors {
		out = append(out, fe.Field)
	}
	return out
}

var branchAddress = contractorops.Address{Line1: "1 Light St", City: "Baltimore", State: "MD", PostalCode: "21202"}

func (f *fixture) technicianScope(id string) contractorops.Scope {
	return contractorops.Scope{OrganizationID: f.org, Actor: contractorops.Actor{Kind: contractorops.ActorTechnician, ID: id}, Role: contractorops.RoleTechnician}
}

func (f *fixture) technician(t testing.TB, key, first, last string, mod ...func(*contractorops.TechnicianInput)) *contractorops.Technician {
	t.Helper()
	in := contractorops.TechnicianInput{FirstName: first, LastName: last}
	for _, m := range mod {
		m(&in)
	}
	return must(f.eng.Technicians.Create(context.Background(), f.owner, key, in))(t)
}

// makeCompliant gives the organization a valid HVAC license and general
// liability insurance through 2027-06-01.
func (f *fixture) makeCompliant(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	must(f.eng.Contractor.AddLicense(ctx, f.owner, "compliant-license", contractorops.LicenseInput{
		Type: "Master HVAC", Number: "HVAC-1", IssuingAuthority: "Maryland HVACR Board", Trade: contractorops.TradeHVAC, Status: contractorops.LicenseActive,
	}))(t)
	must(f.eng.Contractor.AddInsurance(ctx, f.owner, "compliant-insurance", contractorops.InsuranceInput{
		Type: contractorops.InsuranceGeneralLiability, Carrier: "Travelers", PolicyNumber: "GL-1", CoverageAmount: decimal.RequireFromString("1000000"),
		EffectiveAt: day(2026, 1, 1), ExpiresAt: day(2027, 6, 1), Status: contractorops.InsuranceActive,
	}))(t)
}

func TestBranches(t *testing.T) { eachStore(t, testBranches) }

func testBranches(t *testing.T, f *fixture) {
	ctx := context.Background()
	hours := contractorops.WeeklyHours{Monday: spans("13:00-17:00", "08:00-12:00")}
	bal := must(f.eng.Contractor.CreateBranch(ctx, f.owner, "b1", contractorops.BranchInput{Name: "Baltimore", Code: "bal", Address: branchAddress, OperatingHours: hours}))(t)
	if !bal.Primary || !bal.Active || bal.Code != "BAL" || bal.OperatingHours.Monday[0].Start != "08:00" {
		t.Errorf("first branch = %+v; want primary, active, code BAL, hours sorted", bal)
	}
	dc := must(f.eng.Contractor.CreateBranch(ctx, f.owner, "b2", contractorops.BranchInput{Name: "Washington", Code: "DC", Address: branchAddress, Primary: true, TimeZone: "America/New_York"}))(t)
	list := must(f.eng.Contractor.ListBranches(ctx, f.owner, contractorops.ListOptions{}))(t)
	if len(list) != 2 || list[0].Name != "Baltimore" || list[0].Primary || !list[1].Primary {
		t.Fatalf("branches = %+v; want Baltimore, Washington (primary)", list)
	}

	_, err := f.eng.Contractor.CreateBranch(ctx, f.owner, "b3", contractorops.BranchInput{Name: "Other", Code: "Bal", Address: branchAddress})
	if e := wantCode(t, err, contractorops.CodeConflict); e.Retryable || !strings.Contains(e.Message, "a branch with code BAL already exists") {
		t.Errorf("duplicate code: %+v", e)
	}
	inactive := false
	_, err = f.eng.Contractor.UpdateBranch(ctx, f.owner, "b4", contractorops.UpdateBranchInput{ID: dc.ID, BranchInput: contractorops.BranchInput{Name: "Washington", Code: "DC", Address: branchAddress}, Active: &inactive})
	if got := fields(t, err); !slices.Equal(got, []string{"active"}) {
		t.Errorf("archiving the primary branch: fields %v", got)
	}
	must(f.eng.Contractor.UpdateBranch(ctx, f.owner, "b5", contractorops.UpdateBranchInput{ID: bal.ID, BranchInput: contractorops.BranchInput{Name: "Baltimore", Code: "BAL", Address: branchAddress}, Active: &inactive}))(t)
	if list := must(f.eng.Contractor.ListBranches(ctx, f.owner, contractorops.ListOptions{}))(t); len(list) != 1 || list[0].ID != dc.ID {
		t.Errorf("active branches = %+v; want Washington", list)
	}
	if list := must(f.eng.Contractor.ListBranches(ctx, f.owner, contractorops.ListOptions{IncludeInactive: true}))(t); len(list) != 2 {
		t.Errorf("%d branches with the archived, want 2", len(list))
	}

	_, err = f.eng.Contractor.CreateBranch(ctx, f.owner, "b6", contractorops.BranchInput{Code: "a b", TimeZone: "Mars/Olympus",
		OperatingHours: contractorops.WeeklyHours{Monday: spans("08:00-12:00", "11:00-13:00")}})
	want := []string{"address.city", "address.line1", "address.postalCode", "address.state", "code", "name", "operatingHours.monday.1", "timeZone"}
	if got := fields(t, err); !slices.Equal(got, want) {
		t.Errorf("invalid branch: fields %v, want %v", got, want)
	}
	_, err = f.eng.Contractor.GetBranch(ctx, f.owner, "nope")
	if e := wantCode(t, err, contractorops.CodeNotFound); e.Message != "branch nope not found" {
		t.Errorf("unknown branch: %q", e.Message)
	}
	_, err = f.eng.Contractor.CreateBranch(ctx, f.scope(contractorops.RoleDispatcher), "b7", contractorops.BranchInput{Name: "X", Code: "X", Address: branchAddress})
	wantCode(t, err, contractorops.CodeForbidden)
}

func TestComplianceLifecycle(t *testing.T) { eachStore(t, testComplianceLifecycle) }

func testComplianceLifecycle(t *testing.T, f *fixture) {
	ctx := context.Background()
	status := func() *contractorops.ComplianceStatus {
		t.Helper()
		return must(f.eng.Contractor.GetCompliance(ctx, f.owner, contractorops.ComplianceAtInput{}))(t)
	}
	check := func(at time.Time, want string) {
		t.Helper()
		got := must(f.eng.Contractor.CheckWork(ctx, f.owner, contractorops.CheckWorkInput{At: at, WorkRequirements: contractorops.WorkRequirements{Trades: []contractorops.TradeType{contractorops.TradeHVAC}}}))(t)
		if s := fmt.Sprintf("%s: %s", got.Code, got.Message); got.Allowed && want != "" || !got.Allowed && s != want {
			t.Errorf("CheckWork = %+v, want %q", got, want)
		}
	}
	if s := status(); s.Score != 0 || s.Compliant || len(s.Problems) != 3 {
		t.Errorf("with nothing on file: %+v", s)
	}

	in := contractorops.LicenseInput{Type: "Master HVAC", Number: "HVAC-12345", IssuingAuthority: "Maryland HVACR Board", IssuingState: "MD",
		Trade: contractorops.TradeHVAC, Status: contractorops.LicenseActive, IssuedAt: day(2020, 10, 1), ExpiresAt: day(2026, 10, 1)}
	lic := must(f.eng.Contractor.AddLicense(ctx, f.owner, "l1", in))(t)
	check(time.Time{}, "LICENSE_INVALID: license HVAC-12345 (HVAC) expired on 2026-10-01")
	in.ExpiresAt = day(2028, 10, 1)
	must(f.eng.Contractor.UpdateLicense(ctx, f.owner, "l2", contractorops.UpdateLicenseInput{ID: lic.ID, LicenseInput: in}))(t)
	if v := must(f.eng.Contractor.VerifyLicense(ctx, f.owner, "l3", lic.ID))(t); v.VerifiedBy != "owner" || !v.VerifiedAt.Equal(f.clock.Now()) {
		t.Errorf("verified license = %+v", v)
	}
	check(time.Time{}, "INSURANCE_INVALID: no insurance policy on file")

	pol := must(f.eng.Contractor.AddInsurance(ctx, f.owner, "i1", contractorops.InsuranceInput{
		Type: contractorops.InsuranceGeneralLiability, Carrier: "Travelers", PolicyNumber: "GL-778", CoverageAmount: decimal.RequireFromString("1000000"),
		EffectiveAt: day(2026, 1, 1), ExpiresAt: day(2027, 1, 1),
	}))(t)
	if pol.Status != contractorops.InsurancePendingVerification {
		t.Errorf("new policy status %s, want PENDING_VERIFICATION", pol.Status)
	}
	check(time.Time{}, "INSURANCE_INVALID: insurance policy GL-778 (GENERAL_LIABILITY) is pending verification")
	if v := must(f.eng.Contractor.VerifyInsurance(ctx, f.owner, "i2", pol.ID))(t); v.Status != contractorops.InsuranceActive {
		t.Errorf("verified policy status %s", v.Status)
	}
	check(time.Time{}, "")
	if s := status(); !s.Compliant || s.Score != 95 || s.W9OnFile {
		t.Errorf("licensed and insured, no W-9: %+v", s)
	}
	must(f.eng.Organizations.UpdateProfile(ctx, f.owner, "p1", contractorops.UpdateProfileInput{Name: "Acme", Profile: contractorops.Profile{W9OnFile: true}}))(t)
	if s := status(); s.Score != 100 || !s.EarliestInsuranceExpiry.Equal(day(2027, 1, 1)) || !s.EarliestLicenseExpiry.Equal(day(2028, 10, 1)) {
		t.Errorf("with a W-9: %+v", s)
	}

	rec := must(f.eng.Contractor.SetCompliancePolicy(ctx, f.owner, "cp1", contractorops.CompliancePolicy{
		MinimumCoverage: []contractorops.CoverageMinimum{{Type: contractorops.InsuranceGeneralLiability, Amount: decimal.RequireFromString("2000000")}},
	}))(t)
	if rec.ID != f.org || rec.Status == nil || rec.Status.Score != 95 || rec.Status.MeetsMinimumCoverage {
		t.Errorf("after a coverage minimum: %+v", rec)
	}
	blocked := must(f.eng.Contractor.SetBlock(ctx, f.owner, "bk1", "Unpaid permit fines"))(t)
	if !blocked.Blocked || blocked.Compliant || blocked.Block.By != "owner" {
		t.Errorf("blocked status = %+v", blocked)
	}
	check(time.Time{}, "COMPLIANCE_BLOCKED: the contractor is blocked from scheduling: Unpaid permit fines")
	cleared := must(f.eng.Contractor.ClearBlock(ctx, f.owner, "bk2", "Fines paid"))(t)
	if cleared.Blocked || !cleared.Compliant || cleared.Block.Reason != "Fines paid" {
		t.Errorf("cleared status = %+v", cleared)
	}

	trail := must(f.eng.Feed.Audit(ctx, f.owner, contractorops.ListAuditInput{Entity: "contractor_compliance", EntityID: f.org}))(t)
	// Every event has the same time (the test clock stands still), so the
	// trail's order is not the commands' order: compare the sets.
	var procs []string
	for _, ev := range trail.Items {
		procs = append(procs, strings.TrimPrefix(ev.Procedure, "contractor/v1/"))
		if ev.Procedure == "contractor/v1/setBlock" && (!strings.Contains(string(ev.Changes["block"].To), "Unpaid permit fines") || ev.Actor.ID != "owner") {
			t.Errorf("setBlock audit event = %+v", ev)
		}
	}
	slices.Sort(procs)
	if want := "addInsurance addLicense clearBlock organization/v1/updateProfile setBlock setCompliancePolicy updateLicense verifyInsurance verifyLicense"; strings.Join(procs, " ") != want {
		t.Errorf("compliance record audit trail: %v, want %s", procs, want)
	}

	// On a date after the policy expires.
	later := day(2027, 1, 2)
	if s := must(f.eng.Contractor.GetCompliance(ctx, f.owner, contractorops.ComplianceAtInput{At: later}))(t); s.HasValidInsurance || s.Compliant {
		t.Errorf("compliance on %v = %+v", later, s)
	}
	check(later, "INSURANCE_INVALID: insurance policy GL-778 (GENERAL_LIABILITY) expired on 2027-01-01")
	f.clock.Advance(40 * 24 * time.Hour)
	if s := must(f.eng.Contractor.RefreshCompliance(ctx, f.owner, "r1"))(t); s.HasValidInsurance || !s.At.Equal(f.clock.Now()) {
		t.Errorf("refreshed after the expiry: %+v", s)
	}
	feed := must(f.eng.Feed.Changes(ctx, f.owner, contractorops.ListChangesInput{Entity: "contractor_compliance", Limit: 1000}))(t)
	if last := feed.Items[len(feed.Items)-1]; !strings.Contains(string(last.Data), `"hasValidInsurance":false`) {
		t.Errorf("last compliance change = %s", last.Data)
	}

	for _, denied := range []struct {
		role contractorops.Role
		err  error
	}{
		{contractorops.RoleManager, func() error {
			_, err := f.eng.Contractor.SetBlock(ctx, f.scope(contractorops.RoleManager), "x1", "no")
			return err
		}()},
		{contractorops.RoleDispatcher, func() error {
			_, err := f.eng.Contractor.AddLicense(ctx, f.scope(contractorops.RoleDispatcher), "x2", in)
			return err
		}()},
		{contractorops.RoleTechnician, func() error {
			_, err := f.eng.Contractor.GetCompliance(ctx, f.scope(contractorops.RoleTechnician), contractorops.ComplianceAtInput{})
			return err
		}()},
	} {
		if !errors.Is(denied.err, contractorops.ErrForbidden) {
			t.Errorf("%s: %v, want FORBIDDEN", denied.role, denied.err)
		}
	}
}

func TestLicensesAndInsurance(t *testing.T) { eachStore(t, testLicensesAndInsurance) }

func testLicensesAndInsurance(t *testing.T, f *fixture) {
	ctx := context.Background()
	in := contractorops.LicenseInput{Type: "Master Plumber", Number: "MP-1", IssuingAuthority: "Maryland Plumbing Board", Trade: contractorops.TradePlumbing, Status: contractorops.LicenseActive}
	lic := must(f.eng.Contractor.AddLicense(ctx, f.owner, "l1", in))(t)
	dup := in
	dup.Number, dup.IssuingAuthority = "mp-1", "MARYLAND PLUMBING BOARD"
	_, err := f.eng.Contractor.AddLicense(ctx, f.owner, "l2", dup)
	if e := wantCode(t, err, contractorops.CodeConflict); e.Retryable {
		t.Errorf("duplicate license: %+v", e)
	}
	dup.IssuingAuthority = "Virginia DPOR"
	must(f.eng.Contractor.AddLicense(ctx, f.owner, "l3", dup))(t)
	must(f.eng.Contractor.VerifyLicense(ctx, f.owner, "l4", lic.ID))(t)
	in.Number = "MP-2"
	if l := must(f.eng.Contractor.UpdateLicense(ctx, f.owner, "l5", contractorops.UpdateLicenseInput{ID: lic.ID, LicenseInput: in}))(t); !l.VerifiedAt.IsZero() {
		t.Errorf("a new number keeps the verification: %+v", l)
	}
	_, err = f.eng.Contractor.AddLicense(ctx, f.owner, "l6", contractorops.LicenseInput{IssuingState: "Maryland", IssuedAt: day(2026, 1, 1), ExpiresAt: day(2025, 1, 1)})
	if got, want := fields(t, err), []string{"expiresAt", "issuingAuthority", "issuingState", "number", "status", "type"}; !slices.Equal(got, want) {
		t.Errorf("invalid license: fields %v, want %v", got, want)
	}
	if ls := must(f.eng.Contractor.ListLicenses(ctx, f.owner))(t); len(ls) != 2 {
		t.Errorf("%d licenses, want 2", len(ls))
	}
	must(f.eng.Contractor.RemoveLicense(ctx, f.owner, "l7", lic.ID))(t)
	if ls := must(f.eng.Contractor.ListLicenses(ctx, f.owner))(t); len(ls) != 1 {
		t.Errorf("%d licenses after a removal, want 1", len(ls))
	}

	// Amounts cross the API as strings and are validated as decimals.
	resp, err := f.eng.Execute(ctx, f.owner, "contractor/v1/addInsurance", "i1", decodeInput(t, f, "contractor/v1/addInsurance",
		`{"type":"GENERAL_LIABILITY","carrier":"Travelers","policyNumber":"GL-1","coverageAmount":"1000000.50","effectiveAt":"2026-01-01T00:00:00-05:00","expiresAt":"2027-01-01T00:00:00-05:00","status":"ACTIVE"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(resp.Data), `"coverageAmount":"1000000.5"`) {
		t.Errorf("policy JSON = %s", resp.Data)
	}
	_, err = f.eng.Contractor.AddInsurance(ctx, f.owner, "i2", contractorops.InsuranceInput{Type: "FLOOD", Carrier: "X", PolicyNumber: "Y",
		CoverageAmount: decimal.RequireFromString("1000.125"), Deductible: decimal.RequireFromString("-1"), EffectiveAt: day(2026, 1, 1), ExpiresAt: day(2026, 1, 1)})
	if got, want := fields(t, err), []string{"coverageAmount", "deductible", "expiresAt", "type"}; !slices.Equal(got, want) {
		t.Errorf("invalid policy: fields %v, want %v", got, want)
	}
	_, err = f.eng.Contractor.AddInsurance(ctx, f.owner, "i3", contractorops.InsuranceInput{Type: contractorops.InsuranceUmbrella, Carrier: "travelers", PolicyNumber: "gl-1",
		CoverageAmount: decimal.New(1, 6), EffectiveAt: day(2026, 1, 1), ExpiresAt: day(2027, 1, 1)})
	wantCode(t, err, contractorops.CodeConflict)

	policies := must(f.eng.Contractor.ListInsurance(ctx, f.owner))(t)
	if len(policies) != 1 || policies[0].Status != contractorops.InsuranceActive {
		t.Fatalf("policies = %+v", policies)
	}
	gl := policies[0]
	must(f.eng.Contractor.VerifyInsurance(ctx, f.owner, "i4", gl.ID))(t)
	renewed := must(f.eng.Contractor.UpdateInsurance(ctx, f.owner, "i5", contractorops.UpdateInsuranceInput{ID: gl.ID, InsuranceInput: contractorops.InsuranceInput{
		Type: gl.Type, Carrier: gl.Carrier, PolicyNumber: gl.PolicyNumber, CoverageAmount: decimal.New(2, 6), EffectiveAt: day(2027, 1, 1), ExpiresAt: day(2028, 1, 1),
	}}))(t)
	if !renewed.VerifiedAt.IsZero() || renewed.Status != contractorops.InsurancePendingVerification || renewed.Version != 3 {
		t.Errorf("renewed policy = %+v; want unverified, pending verification, version 3", renewed)
	}
	must(f.eng.Contractor.RemoveInsurance(ctx, f.owner, "i6", gl.ID))(t)
	if policies := must(f.eng.Contractor.ListInsurance(ctx, f.owner))(t); len(policies) != 0 {
		t.Errorf("%d policies after the removal", len(policies))
	}
	_, err = f.eng.Contractor.RemoveInsurance(ctx, f.owner, "i7", gl.ID)
	wantCode(t, err, contractorops.CodeNotFound)
}

// decodeInput decodes a JSON input for a procedure, as a transport does.
func decodeInput(t testing.TB, f *fixture, name, body string) any {
	t.Helper()
	p, _ := f.eng.Catalog().Lookup(name)
	in, err := p.DecodeInput([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestServiceAreas(t *testing.T) { eachStore(t, testServiceAreas) }

func testServiceAreas(t *testing.T, f *fixture) {
	ctx := context.Background()
	north := must(f.eng.Contractor.CreateServiceArea(ctx, f.owner, "a1", contractorops.ServiceAreaInput{Name: "North", ZipCodes: []string{"21210 ", "21209", "21210"}}))(t)
	if !slices.Equal(north.ZipCodes, []string{"21209", "21210"}) || !north.Active {
		t.Errorf("north = %+v", north)
	}
	must(f.eng.Contractor.CreateServiceArea(ctx, f.owner, "a2", contractorops.ServiceAreaInput{Name: "Downtown",
		Center: &contractorops.GeoPoint{Lat: 39.29, Lng: -76.61}, RadiusMiles: 5, Categories: []contractorops.TradeType{contractorops.TradeHVAC}}))(t)
	_, err := f.eng.Contractor.CreateServiceArea(ctx, f.owner, "a3", contractorops.ServiceAreaInput{Name: "Nowhere"})
	if got := fields(t, err); !slices.Equal(got, []string{"zipCodes"}) {
		t.Errorf("an area without codes or circle: fields %v", got)
	}
	_, err = f.eng.Contractor.CreateServiceArea(ctx, f.owner, "a4", contractorops.ServiceAreaInput{Name: "Half", Center: &contractorops.GeoPoint{Lat: 99}, ZipCodes: []string{"!"},
		Categories: []contractorops.TradeType{contractorops.TradeHVAC, contractorops.TradeHVAC}})
	if got, want := fields(t, err), []string{"categories", "center.lat", "radiusMiles", "zipCodes.0"}; !slices.Equal(got, want) {
		t.Errorf("an invalid area: fields %v, want %v", got, want)
	}
	retired := false
	must(f.eng.Contractor.UpdateServiceArea(ctx, f.owner, "a5", contractorops.UpdateServiceAreaInput{ID: north.ID,
		ServiceAreaInput: contractorops.ServiceAreaInput{Name: "North", ZipCodes: north.ZipCodes}, Active: &retired}))(t)
	if list := must(f.eng.Contractor.ListServiceAreas(ctx, f.owner, contractorops.ListOptions{}))(t); len(list) != 1 || list[0].Name != "Downtown" {
		t.Errorf("active areas = %+v", list)
	}
}

func TestServiceAreaServes(t *testing.T) {
	all := contractorops.ServiceArea{}
	hvac := contractorops.ServiceArea{Categories: []contractorops.TradeType{contractorops.TradeHVAC}}
	if !all.Serves(contractorops.TradeRoofing) || !hvac.Serves(contractorops.TradeHVAC) || hvac.Serves(contractorops.TradeRoofing) {
		t.Error("Serves: an area without categories serves every trade, one with categories only those")
	}
}

func TestTechnicianLimits(t *testing.T) {
	tech := contractorops.Technician{MaxHoursPerDay: decimal.RequireFromString("7.75")}
	if got := tech.MaxWorkPerDay(); got != 7*time.Hour+45*time.Minute {
		t.Errorf("MaxWorkPerDay = %v", got)
	}
	if got := (&contractorops.Technician{}).MaxWorkPerDay(); got != 0 {
		t.Errorf("MaxWorkPerDay without a limit = %v", got)
	}
}

func TestServiceAreaCovers(t *testing.T) {
	a := contractorops.ServiceArea{ZipCodes: []string{"21209"}, Center: &contractorops.GeoPoint{Lat: 39.2904, Lng: -76.6122}, RadiusMiles: 10}
	for _, tt := range []struct {
		zip  string
		at   *contractorops.GeoPoint
		want bool
	}{
		{"21209", nil, true},
		{" 21209", nil, true},
		{"21230", nil, false},
		{"", &contractorops.GeoPoint{Lat: 39.3643, Lng: -76.5325}, true},       // Towson, ~6.5 mi
		{"20001", &contractorops.GeoPoint{Lat: 38.9072, Lng: -77.0369}, false}, // Washington, ~35 mi
	} {
		if got := a.Covers(tt.zip, tt.at); got != tt.want {
			t.Errorf("Covers(%q, %v) = %v, want %v", tt.zip, tt.at, got, tt.want)
		}
	}
}

func TestTrades(t *testing.T) { eachStore(t, testTrades) }

func testTrades(t *testing.T, f *fixture) {
	ctx := context.Background()
	must(f.eng.Contractor.SetTrade(ctx, f.owner, "t1", contractorops.TradeInput{Trade: contractorops.TradePlumbing, Primary: true, YearsExperience: 12}))(t)
	must(f.eng.Contractor.SetTrade(ctx, f.owner, "t2", contractorops.TradeInput{Trade: contractorops.TradeHVAC, Primary: true, YearsExperience: 3}))(t)
	must(f.eng.Contractor.SetTrade(ctx, f.owner, "t3", contractorops.TradeInput{Trade: contractorops.TradeHVAC, Primary: true, YearsExperience: 4}))(t)
	trades := must(f.eng.Contractor.ListTrades(ctx, f.owner))(t)
	if len(trades) != 2 || trades[0].Trade != contractorops.TradeHVAC || !trades[0].Primary || trades[0].YearsExperience != 4 || trades[1].Primary {
		t.Fatalf("trades = %+v", trades)
	}
	must(f.eng.Contractor.RemoveTrade(ctx, f.owner, "t4", contractorops.TradePlumbing))(t)
	_, err := f.eng.Contractor.RemoveTrade(ctx, f.owner, "t5", contractorops.TradePlumbing)
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = f.eng.Contractor.SetTrade(ctx, f.owner, "t6", contractorops.TradeInput{Trade: "WELDING", YearsExperience: -1})
	if got := fields(t, err); !slices.Equal(got, []string{"trade", "yearsExperience"}) {
		t.Errorf("invalid trade: fields %v", got)
	}
}

func TestTechnicians(t *testing.T) { eachStore(t, testTechnicians) }

func testTechnicians(t *testing.T, f *fixture) {
	ctx := context.Background()
	branch := must(f.eng.Contractor.CreateBranch(ctx, f.owner, "b1", contractorops.BranchInput{Name: "Baltimore", Code: "BAL", Address: branchAddress}))(t)
	lee := f.technician(t, "t1", "Ann", "Lee", func(in *contractorops.TechnicianInput) {
		in.EmployeeID, in.BranchID, in.HireDate = "emp-1", branch.ID, day(2024, 3, 1)
		in.HourlyCost, in.MaxHoursPerDay, in.MaxJobsPerDay = decimal.RequireFromString("42.50"), decimal.RequireFromString("8.5"), 6
		lat, lng := 39.33, -76.63
		in.Home = contractorops.Address{Line1: "5 Elm St", Lat: &lat, Lng: &lng}
	})
	diaz := f.technician(t, "t2", "Carlos", "Diaz")
	f.technician(t, "t3", "Zoe", "Abbott")
	if !lee.Active || lee.EmployeeID != "emp-1" || !lee.EmployedOn(f.clock.Now()) || lee.EmployedOn(day(2024, 2, 1)) {
		t.Errorf("lee = %+v", lee)
	}
	data, _ := json.Marshal(lee)
	if !strings.Contains(string(data), `"hourlyCost":"42.5"`) || !strings.Contains(string(data), `"maxHoursPerDay":"8.5"`) {
		t.Errorf("technician JSON = %s", data)
	}

	_, err := f.eng.Technicians.Create(ctx, f.owner, "t4", contractorops.TechnicianInput{FirstName: "A", LastName: "B", EmployeeID: "EMP-1"})
	if e := wantCode(t, err, contractorops.CodeConflict); !strings.Contains(e.Message, "employee id EMP-1") {
		t.Errorf("duplicate employee id: %q", e.Message)
	}
	_, err = f.eng.Technicians.Create(ctx, f.owner, "t5", contractorops.TechnicianInput{FirstName: "A", LastName: "B", BranchID: "nope"})
	if got := fields(t, err); !slices.Equal(got, []string{"branchId"}) {
		t.Errorf("unknown branch: fields %v", got)
	}
	_, err = f.eng.Technicians.Create(ctx, f.owner, "t6", contractorops.TechnicianInput{Email: "x", TimeZone: "Nowhere/Land", HireDate: day(2025, 1, 1), TerminationDate: day(2024, 1, 1),
		HourlyCost: decimal.RequireFromString("12.345678"), MaxHoursPerDay: decimal.RequireFromString("25"), MaxJobsPerDay: -1})
	want := []string{"email", "firstName", "hourlyCost", "lastName", "maxHoursPerDay", "maxJobsPerDay", "terminationDate", "timeZone"}
	if got := fields(t, err); !slices.Equal(got, want) {
		t.Errorf("invalid technician: fields %v, want %v", got, want)
	}

	names := func(in contractorops.ListTechniciansInput) string {
		t.Helper()
		page := must(f.eng.Technicians.List(ctx, f.owner, in))(t)
		var out []string
		for _, tech := range page.Items {
			out = append(out, tech.LastName)
		}
		if page.NextCursor != "" {
			out = append(out, "…")
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct {
		in   contractorops.ListTechniciansInput
		want string
	}{
		{contractorops.ListTechniciansInput{}, "Abbott Diaz Lee"},
		{contractorops.ListTechniciansInput{Search: "Di"}, "Diaz"},
		{contractorops.ListTechniciansInput{BranchID: branch.ID}, "Lee"},
		{contractorops.ListTechniciansInput{PageRequest: contractorops.PageRequest{Limit: 2}}, "Abbott Diaz …"},
	} {
		if got := names(tt.in); got != tt.want {
			t.Errorf("List(%+v) = %s, want %s", tt.in, got, tt.want)
		}
	}
	inactive := false
	must(f.eng.Technicians.Update(ctx, f.owner, "t7", contractorops.UpdateTechnicianInput{ID: diaz.ID,
		TechnicianInput: contractorops.TechnicianInput{FirstName: "Carlos", LastName: "Diaz", TerminationDate: day(2026, 11, 30)}, Active: &inactive}))(t)
	if got := names(contractorops.ListTechniciansInput{}); got != "Abbott Lee" {
		t.Errorf("after deactivating Diaz: %s", got)
	}
	if got := names(contractorops.ListTechniciansInput{IncludeInactive: true}); got != "Abbott Diaz Lee" {
		t.Errorf("with the inactive: %s", got)
	}
	if got := must(f.eng.Technicians.Get(ctx, f.owner, diaz.ID))(t); got.Active || !got.TerminationDate.Equal(day(2026, 11, 30)) || got.Version != 2 {
		t.Errorf("diaz = %+v", got)
	}
}

func TestTechnicianScope(t *testing.T) { eachStore(t, testTechnicianScope) }

func testTechnicianScope(t *testing.T, f *fixture) {
	ctx := context.Background()
	lee := f.technician(t, "t1", "Ann", "Lee")
	diaz := f.technician(t, "t2", "Carlos", "Diaz")
	me := f.technicianScope(lee.ID)
	week := contractorops.WeeklyHours{Monday: spans("08:00-16:00")}

	if got := must(f.eng.Technicians.Get(ctx, me, lee.ID))(t); got.ID != lee.ID {
		t.Errorf("own record = %+v", got)
	}
	must(f.eng.Technicians.SetAvailability(ctx, me, "a1", contractorops.AvailabilityInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: lee.ID}, Availability: week}))(t)
	must(f.eng.Technicians.GetAvailability(ctx, me, lee.ID))(t)
	must(f.eng.Technicians.AddTimeOff(ctx, f.owner, "o1", contractorops.TimeOffInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: lee.ID}, StartsAt: day(2026, 12, 1), EndsAt: day(2026, 12, 2)}))(t)
	must(f.eng.Technicians.AddTimeOff(ctx, f.owner, "o2", contractorops.TimeOffInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: diaz.ID}, StartsAt: day(2026, 12, 1), EndsAt: day(2026, 12, 2)}))(t)
	if own := must(f.eng.Technicians.ListTimeOff(ctx, me, contractorops.ListTimeOffInput{}))(t); len(own) != 1 || own[0].TechnicianID != lee.ID {
		t.Errorf("own time off = %+v", own)
	}

	for name, call := range map[string]func() error{
		"get another": func() error { _, err := f.eng.Technicians.Get(ctx, me, diaz.ID); return err },
		"list": func() error {
			_, err := f.eng.Technicians.List(ctx, me, contractorops.ListTechniciansInput{})
			return err
		},
		"another's hours": func() error { _, err := f.eng.Technicians.GetAvailability(ctx, me, diaz.ID); return err },
		"another's time off": func() error {
			_, err := f.eng.Technicians.ListTimeOff(ctx, me, contractorops.ListTimeOffInput{TechnicianID: diaz.ID})
			return err
		},
		"set another's hours": func() error {
			_, err := f.eng.Technicians.SetAvailability(ctx, me, "a2", contractorops.AvailabilityInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: diaz.ID}, Availability: week})
			return err
		},
		"add own time off": func() error {
			_, err := f.eng.Technicians.AddTimeOff(ctx, me, "o3", contractorops.TimeOffInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: lee.ID}, StartsAt: day(2027, 1, 1), EndsAt: day(2027, 1, 2)})
			return err
		},
		"own skills": func() error {
			_, err := f.eng.Technicians.UpsertSkill(ctx, me, "s1", contractorops.SkillInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: lee.ID}, Skill: contractorops.Skill{Trade: contractorops.TradeHVAC, Level: 5}})
			return err
		},
		"finance sets hours": func() error {
			_, err := f.eng.Technicians.SetAvailability(ctx, f.scope(contractorops.RoleFinance), "a3", contractorops.AvailabilityInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: lee.ID}, Availability: week})
			return err
		},
		"dispatcher adds tech": func() error {
			_, err := f.eng.Technicians.Create(ctx, f.scope(contractorops.RoleDispatcher), "c1", contractorops.TechnicianInput{FirstName: "A", LastName: "B"})
			return err
		},
	} {
		if err := call(); !errors.Is(err, contractorops.ErrForbidden) {
			t.Errorf("%s: %v, want FORBIDDEN", name, err)
		}
	}
	// A dispatcher manages everyone's hours.
	must(f.eng.Technicians.SetAvailability(ctx, f.scope(contractorops.RoleDispatcher), "a4", contractorops.AvailabilityInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: diaz.ID}, Availability: week}))(t)
	p, _ := f.eng.Catalog().Lookup("technician/v1/setAvailability")
	if !slices.Contains(p.Roles, contractorops.RoleTechnician) || p.Kind != contractorops.KindMutation {
		t.Errorf("technician/v1/setAvailability = %+v", p)
	}
}

func TestAvailability(t *testing.T) { eachStore(t, testAvailability) }

func testAvailability(t *testing.T, f *fixture) {
	ctx := context.Background()
	branch := must(f.eng.Contractor.CreateBranch(ctx, f.owner, "b1", contractorops.BranchInput{Name: "Denver", Code: "DEN", Address: branchAddress, TimeZone: "America/Denver"}))(t)
	lee := f.technician(t, "t1", "Ann", "Lee")
	diaz := f.technician(t, "t2", "Carlos", "Diaz", func(in *contractorops.TechnicianInput) { in.BranchID = branch.ID })
	abbott := f.technician(t, "t3", "Zoe", "Abbott", func(in *contractorops.TechnicianInput) { in.BranchID, in.TimeZone = branch.ID, "America/Chicago" })

	set := func(id, key string, hours contractorops.WeeklyHours) (*contractorops.Availability, error) {
		return f.eng.Technicians.SetAvailability(ctx, f.owner, key, contractorops.AvailabilityInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: id}, Availability: hours})
	}
	got := must(set(lee.ID, "a1", contractorops.WeeklyHours{Monday: spans("13:00-17:00", "08:00-12:00"), Saturday: spans("22:00-06:00")}))(t)
	if got.TimeZone != "America/New_York" || fmt.Sprint(got.Hours.Monday) != "[08:00–12:00 13:00–17:00]" || got.TechnicianID != lee.ID {
		t.Errorf("availability = %+v", got)
	}
	if again := must(f.eng.Technicians.GetAvailability(ctx, f.owner, lee.ID))(t); fmt.Sprint(again.Hours) != fmt.Sprint(got.Hours) {
		t.Errorf("read back %+v, want %+v", again.Hours, got.Hours)
	}
	// Through the API, as a transport calls it.
	resp, err := f.eng.Execute(ctx, f.owner, "technician/v1/setAvailability", "a0", decodeInput(t, f, "technician/v1/setAvailability",
		`{"technicianId":"`+diaz.ID+`","availability":{"friday":[{"start":"22:00","end":"06:00"}]}}`))
	if err != nil || string(resp.Data) != `{"technicianId":"`+diaz.ID+`","timeZone":"America/Denver","hours":{"friday":[{"start":"22:00","end":"06:00"}]}}` {
		t.Errorf("setAvailability over JSON = %s, %v", resp.Data, err)
	}
	for _, tt := range []struct{ id, want string }{{diaz.ID, "America/Denver"}, {abbott.ID, "America/Chicago"}} {
		if a := must(f.eng.Technicians.GetAvailability(ctx, f.owner, tt.id))(t); a.TimeZone != tt.want {
			t.Errorf("time zone %s, want %s", a.TimeZone, tt.want)
		}
	}

	_, err = set(lee.ID, "a2", contractorops.WeeklyHours{Monday: spans("22:00-06:00"), Tuesday: spans("05:00-09:00")})
	e := wantCode(t, err, contractorops.CodeValidationFailed)
	if len(e.FieldErrors) != 1 || e.FieldErrors[0].Field != "availability.tuesday.0" || e.FieldErrors[0].Message != "overlaps monday 22:00–06:00" {
		t.Errorf("overlapping hours: %+v", e.FieldErrors)
	}
	_, err = set(lee.ID, "a3", contractorops.WeeklyHours{Friday: spans("9:00-17:00", "18:00-18:00")})
	if got := fields(t, err); !slices.Equal(got, []string{"availability.friday.0.start", "availability.friday.1.end"}) {
		t.Errorf("malformed hours: fields %v", got)
	}
	_, err = set("nope", "a4", contractorops.WeeklyHours{})
	wantCode(t, err, contractorops.CodeNotFound)

	trail := must(f.eng.Feed.Audit(ctx, f.owner, contractorops.ListAuditInput{Entity: "technicians", EntityID: lee.ID}))(t)
	i := slices.IndexFunc(trail.Items, func(ev contractorops.AuditEvent) bool { return ev.Procedure == "technician/v1/setAvailability" })
	if i < 0 || trail.Items[i].Changes["availability"].To == nil || len(trail.Items) != 2 {
		t.Errorf("audit of Lee = %+v; want create and setAvailability", trail.Items)
	}
}

func TestTimeOff(t *testing.T) { eachStore(t, testTimeOff) }

func testTimeOff(t *testing.T, f *fixture) {
	ctx := context.Background()
	lee := f.technician(t, "t1", "Ann", "Lee")
	diaz := f.technician(t, "t2", "Carlos", "Diaz")
	at := func(d, hhmm string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", d+" "+hhmm, newYork)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	add := func(key, tech, from, to, reason string) (*contractorops.TimeOff, error) {
		return f.eng.Technicians.AddTimeOff(ctx, f.owner, key, contractorops.TimeOffInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: tech},
			StartsAt: at("2026-12-01", from), EndsAt: at("2026-12-01", to), Reason: reason})
	}
	first := must(add("o1", lee.ID, "09:00", "17:00", "dentist"))(t)
	_, err := add("o2", lee.ID, "16:00", "18:00", "")
	e := wantCode(t, err, contractorops.CodeSchedulingConflict)
	if want := "time off 2026-12-01 16:00–18:00 EST overlaps Ann Lee's time off 2026-12-01 09:00–17:00 EST, dentist (" + first.ID + ")"; e.Message != want {
		t.Errorf("overlap: %q\nwant      %q", e.Message, want)
	}
	must(add("o3", lee.ID, "17:00", "18:00", ""))(t) // touching is not overlapping
	must(add("o4", diaz.ID, "09:00", "17:00", ""))(t)
	_, err = add("o5", lee.ID, "12:00", "08:00", "")
	if got := fields(t, err); !slices.Equal(got, []string{"endsAt"}) {
		t.Errorf("backwards time off: fields %v", got)
	}
	_, err = add("o6", "nope", "08:00", "09:00", "")
	wantCode(t, err, contractorops.CodeNotFound)

	list := func(in contractorops.ListTimeOffInput) int {
		t.Helper()
		return len(must(f.eng.Technicians.ListTimeOff(ctx, f.owner, in))(t))
	}
	if n := list(contractorops.ListTimeOffInput{TechnicianID: lee.ID, From: at("2026-12-01", "12:00"), To: at("2026-12-01", "17:30")}); n != 2 {
		t.Errorf("%d entries of Lee's overlapping 12:00–17:30, want 2", n)
	}
	if n := list(contractorops.ListTimeOffInput{From: at("2026-12-01", "17:00")}); n != 1 {
		t.Errorf("%d entries from 17:00, want 1", n)
	}
	if n := list(contractorops.ListTimeOffInput{}); n != 3 {
		t.Errorf("%d entries in all, want 3", n)
	}
	must(f.eng.Technicians.RemoveTimeOff(ctx, f.owner, "o7", first.ID))(t)
	must(add("o8", lee.ID, "10:00", "17:00", "moved"))(t)
}

// TestConcurrentTimeOff adds overlapping time off for one technician from
// many goroutines at once: exactly one entry wins.
func TestConcurrentTimeOff(t *testing.T) { eachStore(t, testConcurrentTimeOff) }

func testConcurrentTimeOff(t *testing.T, f *fixture) {
	ctx := context.Background()
	lee := f.technician(t, "t1", "Ann", "Lee")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := day(2026, 12, 1).Add(time.Duration(i) * time.Hour)
			_, errs[i] = f.eng.Technicians.AddTimeOff(ctx, f.owner, fmt.Sprint("off-", i), contractorops.TimeOffInput{
				TechnicianRef: contractorops.TechnicianRef{TechnicianID: lee.ID}, StartsAt: start, EndsAt: start.Add(n * time.Hour)})
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, contractorops.ErrSchedulingConflict):
			t.Errorf("request %d: %v", i, err)
		}
	}
	if entries := must(f.eng.Technicians.ListTimeOff(ctx, f.owner, contractorops.ListTimeOffInput{}))(t); won != 1 || len(entries) != 1 {
		t.Errorf("%d requests won, %d entries; want 1 and 1", won, len(entries))
	}
}

func TestSkillsCertificationsTerritories(t *testing.T) {
	eachStore(t, testSkillsCertificationsTerritories)
}

func testSkillsCertificationsTerritories(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.makeCompliant(t)
	lee := f.technician(t, "t1", "Ann", "Lee")
	ref := contractorops.TechnicianRef{TechnicianID: lee.ID}
	skill := func(key string, trade contractorops.TradeType, level int) (*contractorops.Technician, error) {
		return f.eng.Technicians.UpsertSkill(ctx, f.owner, key, contractorops.SkillInput{TechnicianRef: ref, Skill: contractorops.Skill{Trade: trade, Level: level}})
	}
	must(skill("s1", contractorops.TradePlumbing, 2))(t)
	must(skill("s2", contractorops.TradeHVAC, 3))(t)
	tech := must(skill("s3", contractorops.TradeHVAC, 4))(t)
	if fmt.Sprint(tech.Skills) != "[{HVAC 4} {PLUMBING 2}]" || tech.SkillLevel(contractorops.TradeHVAC) != 4 || tech.SkillLevel(contractorops.TradeRoofing) != 0 {
		t.Errorf("skills = %v", tech.Skills)
	}
	_, err := skill("s4", "WELDING", 6)
	if got := fields(t, err); !slices.Equal(got, []string{"level", "trade"}) {
		t.Errorf("invalid skill: fields %v", got)
	}
	_, err = f.eng.Technicians.RemoveSkill(ctx, f.owner, "s5", contractorops.RemoveSkillInput{TechnicianRef: ref, Trade: contractorops.TradeElectrical})
	wantCode(t, err, contractorops.CodeNotFound)
	must(f.eng.Technicians.RemoveSkill(ctx, f.owner, "s6", contractorops.RemoveSkillInput{TechnicianRef: ref, Trade: contractorops.TradePlumbing}))(t)

	certify := func(key string, c contractorops.Certification) *contractorops.Technician {
		return must(f.eng.Technicians.UpsertCertification(ctx, f.owner, key, contractorops.CertificationInput{TechnicianRef: ref, Certification: c}))(t)
	}
	certify("c1", contractorops.Certification{Name: "NATE", Authority: "NATE"})
	certify("c2", contractorops.Certification{Name: "EPA 608", Number: "1234", ExpiresAt: day(2026, 10, 1)})
	work := func(certs ...string) *contractorops.WorkCheck {
		return must(f.eng.Contractor.CheckWork(ctx, f.owner, contractorops.CheckWorkInput{TechnicianID: lee.ID,
			WorkRequirements: contractorops.WorkRequirements{Trades: []contractorops.TradeType{contractorops.TradeHVAC}, Certifications: certs}}))(t)
	}
	if w := work("EPA 608", "NATE"); w.Allowed || w.Code != contractorops.CodeLicenseInvalid || w.Message != "technician Ann Lee's EPA 608 certification (no. 1234) expired on 2026-10-01" {
		t.Errorf("with an expired certification: %+v", w)
	}
	tech = certify("c3", contractorops.Certification{Name: "epa 608", Number: "5678", ExpiresAt: day(2029, 10, 1)})
	if len(tech.Certifications) != 2 || tech.Certifications[0].Number != "5678" {
		t.Errorf("after a renewal: %+v", tech.Certifications)
	}
	if w := work("EPA 608", "NATE"); !w.Allowed {
		t.Errorf("after the renewal: %+v", w)
	}
	if w := work("Backflow"); w.Allowed || w.Message != "technician Ann Lee holds no Backflow certification" {
		t.Errorf("without a certification: %+v", w)
	}
	_, err = f.eng.Contractor.CheckWork(ctx, f.owner, contractorops.CheckWorkInput{TechnicianID: "nope"})
	wantCode(t, err, contractorops.CodeNotFound)
	must(f.eng.Technicians.RemoveCertification(ctx, f.owner, "c4", contractorops.RemoveCertificationInput{TechnicianRef: ref, Name: "NATE"}))(t)
	_, err = f.eng.Technicians.RemoveCertification(ctx, f.owner, "c5", contractorops.RemoveCertificationInput{TechnicianRef: ref, Name: "NATE"})
	wantCode(t, err, contractorops.CodeNotFound)

	north := must(f.eng.Contractor.CreateServiceArea(ctx, f.owner, "a1", contractorops.ServiceAreaInput{Name: "North", ZipCodes: []string{"21210"}}))(t)
	south := must(f.eng.Contractor.CreateServiceArea(ctx, f.owner, "a2", contractorops.ServiceAreaInput{Name: "South", ZipCodes: []string{"21230"}}))(t)
	territories := func(key string, ts ...contractorops.Territory) (*contractorops.Technician, error) {
		return f.eng.Technicians.SetTerritories(ctx, f.owner, key, contractorops.TerritoriesInput{TechnicianRef: ref, Territories: ts})
	}
	tech = must(territories("r1", contractorops.Territory{ServiceAreaID: north.ID, Primary: true}, contractorops.Territory{ServiceAreaID: south.ID}))(t)
	if len(tech.Territories) != 2 || !tech.Territories[0].Primary {
		t.Errorf("territories = %+v", tech.Territories)
	}
	_, err = territories("r2", contractorops.Territory{ServiceAreaID: north.ID, Primary: true}, contractorops.Territory{ServiceAreaID: south.ID, Primary: true})
	if got := fields(t, err); !slices.Equal(got, []string{"territories"}) {
		t.Errorf("two primaries: fields %v", got)
	}
	_, err = territories("r3", contractorops.Territory{ServiceAreaID: north.ID}, contractorops.Territory{ServiceAreaID: north.ID})
	if got := fields(t, err); !slices.Equal(got, []string{"territories"}) {
		t.Errorf("a duplicate area: fields %v", got)
	}
	retired := false
	must(f.eng.Contractor.UpdateServiceArea(ctx, f.owner, "a3", contractorops.UpdateServiceAreaInput{ID: south.ID,
		ServiceAreaInput: contractorops.ServiceAreaInput{Name: "South", ZipCodes: south.ZipCodes}, Active: &retired}))(t)
	_, err = territories("r4", contractorops.Territory{ServiceAreaID: north.ID}, contractorops.Territory{ServiceAreaID: south.ID})
	if got := fields(t, err); !slices.Equal(got, []string{"territories.1.serviceAreaId"}) {
		t.Errorf("a retired area: fields %v", got)
	}
	g := newFixtureWith(t, f.eng, f.clock, f.store, "b")
	elsewhere := must(f.eng.Contractor.CreateServiceArea(ctx, g.owner, "a4", contractorops.ServiceAreaInput{Name: "Theirs", ZipCodes: []string{"10001"}}))(t)
	_, err = territories("r5", contractorops.Territory{ServiceAreaID: elsewhere.ID})
	wantCode(t, err, contractorops.CodeNotFound)
}

func TestWorkforceTenantIsolation(t *testing.T) { eachStore(t, testWorkforceTenantIsolation) }

func testWorkforceTenantIsolation(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.makeCompliant(t)
	branch := must(f.eng.Contractor.CreateBranch(ctx, f.owner, "b1", contractorops.BranchInput{Name: "Baltimore", Code: "BAL", Address: branchAddress}))(t)
	lee := f.technician(t, "t1", "Ann", "Lee", func(in *contractorops.TechnicianInput) { in.EmployeeID = "E-1" })
	g := newFixtureWith(t, f.eng, f.clock, f.store, "b")

	_, err := f.eng.Technicians.Get(ctx, g.owner, lee.ID)
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = f.eng.Contractor.GetBranch(ctx, g.owner, branch.ID)
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = f.eng.Technicians.AddTimeOff(ctx, g.owner, "o1", contractorops.TimeOffInput{TechnicianRef: contractorops.TechnicianRef{TechnicianID: lee.ID}, StartsAt: day(2026, 12, 1), EndsAt: day(2026, 12, 2)})
	wantCode(t, err, contractorops.CodeNotFound)
	_, err = f.eng.Technicians.Create(ctx, g.owner, "t2", contractorops.TechnicianInput{FirstName: "B", LastName: "B", BranchID: branch.ID})
	wantCode(t, err, contractorops.CodeValidationFailed)
	// Employee ids and license numbers are unique per organization only.
	g.technician(t, "t3", "Bo", "Berg", func(in *contractorops.TechnicianInput) { in.EmployeeID = "E-1" })
	g.makeCompliant(t)
	if ls := must(f.eng.Contractor.ListLicenses(ctx, g.owner))(t); len(ls) != 1 {
		t.Errorf("organization B sees %d licenses, want its own 1", len(ls))
	}
	if page := must(f.eng.Technicians.List(ctx, g.owner, contractorops.ListTechniciansInput{}))(t); len(page.Items) != 1 || page.Items[0].LastName != "Berg" {
		t.Errorf("organization B lists %+v", page.Items)
	}
	// A technician of A acting in B's scope sees nothing of A.
	_, err = f.eng.Technicians.Get(ctx, contractorops.Scope{OrganizationID: g.org, Actor: contractorops.Actor{Kind: contractorops.ActorTechnician, ID: lee.ID}, Role: contractorops.RoleTechnician}, lee.ID)
	wantCode(t, err, contractorops.CodeNotFound)
}
