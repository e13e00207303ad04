package contractorops_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
)

var (
	newYork, _ = time.LoadLocation("America/New_York")
	// complianceNow is the instant the compliance table tests evaluate at.
	complianceNow = time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
)

// day returns midnight of a date in New York.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, newYork) }

func license(number string, trade contractorops.TradeType, status contractorops.LicenseStatus, expires time.Time) contractorops.License {
	return contractorops.License{Meta: contractorops.Meta{ID: "lic-" + number}, Type: "State license", Number: number,
		IssuingAuthority: "State Board", Trade: trade, Status: status, ExpiresAt: expires}
}

func policy(number string, typ contractorops.InsuranceType, status contractorops.InsuranceStatus, amount string, expires time.Time) contractorops.InsurancePolicy {
	return contractorops.InsurancePolicy{Meta: contractorops.Meta{ID: "pol-" + number}, Type: typ, Carrier: "Travelers", PolicyNumber: number,
		CoverageAmount: decimal.RequireFromString(amount), EffectiveAt: day(2026, 1, 1), ExpiresAt: expires, Status: status}
}

func TestComplianceEvaluate(t *testing.T) {
	hvac := license("HVAC-12345", contractorops.TradeHVAC, contractorops.LicenseActive, time.Time{})
	hvacExpired := license("HVAC-12345", contractorops.TradeHVAC, contractorops.LicenseActive, day(2026, 10, 1))
	plumbingExpired := license("P-77", contractorops.TradePlumbing, contractorops.LicenseActive, day(2026, 10, 1))
	gl := policy("GL-1", contractorops.InsuranceGeneralLiability, contractorops.InsuranceActive, "2000000", day(2027, 6, 1))
	wc := policy("WC-1", contractorops.InsuranceWorkersCompensation, contractorops.InsuranceActive, "500000", day(2027, 6, 1))
	withStatus := func(l contractorops.License, s contractorops.LicenseStatus) contractorops.License {
		l.Status = s
		return l
	}

	tests := []struct {
		name          string
		facts         contractorops.ComplianceFacts
		wantScore     int
		wantCompliant bool
		wantProblems  []string
		wantInvalid   []contractorops.TradeType
		checkTrades   []contractorops.TradeType
		wantCode      contractorops.Code // of Check(checkTrades...)
		wantMessage   string
	}{
		{
			name:          "compliant",
			facts:         contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:     100,
			wantCompliant: true,
		},
		{
			name:         "nothing on file",
			facts:        contractorops.ComplianceFacts{},
			wantProblems: []string{"no license on file", "no insurance policy on file", "no W-9 on file"},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "no license on file",
		},
		{
			name:         "expired license",
			facts:        contractorops.ComplianceFacts{Licenses: []contractorops.License{hvacExpired}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:    55,
			wantProblems: []string{"license HVAC-12345 (HVAC) expired on 2026-10-01"},
			wantInvalid:  []contractorops.TradeType{contractorops.TradeHVAC},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "license HVAC-12345 (HVAC) expired on 2026-10-01",
		},
		{
			name: "a renewed license supersedes the expired one",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvacExpired, license("HVAC-99999", contractorops.TradeHVAC, contractorops.LicenseActive, day(2028, 10, 1))},
				Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore: 100, wantCompliant: true,
		},
		{
			name:          "one trade's license expired",
			facts:         contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac, plumbingExpired}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:     100,
			wantCompliant: true,
			wantProblems:  []string{"license P-77 (PLUMBING) expired on 2026-10-01"},
			wantInvalid:   []contractorops.TradeType{contractorops.TradePlumbing},
			checkTrades:   []contractorops.TradeType{contractorops.TradePlumbing},
			wantCode:      contractorops.CodeLicenseInvalid, wantMessage: "license P-77 (PLUMBING) expired on 2026-10-01",
		},
		{
			name:          "work in a valid trade passes when another trade is invalid",
			facts:         contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac, plumbingExpired}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:     100,
			wantCompliant: true,
			wantProblems:  []string{"license P-77 (PLUMBING) expired on 2026-10-01"},
			wantInvalid:   []contractorops.TradeType{contractorops.TradePlumbing},
			checkTrades:   []contractorops.TradeType{contractorops.TradeHVAC, contractorops.TradeElectrical},
		},
		{
			name:         "suspended license",
			facts:        contractorops.ComplianceFacts{Licenses: []contractorops.License{withStatus(hvac, contractorops.LicenseSuspended)}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:    55,
			wantProblems: []string{"license HVAC-12345 (HVAC) is suspended"},
			wantInvalid:  []contractorops.TradeType{contractorops.TradeHVAC},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "license HVAC-12345 (HVAC) is suspended",
		},
		{
			name: "a revoked license says so even after its expiry",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{withStatus(hvacExpired, contractorops.LicenseRevoked)},
				Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:    55,
			wantProblems: []string{"license HVAC-12345 (HVAC) is revoked"},
			wantInvalid:  []contractorops.TradeType{contractorops.TradeHVAC},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "license HVAC-12345 (HVAC) is revoked",
		},
		{
			name: "a license marked expired before its date",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{withStatus(hvac, contractorops.LicenseExpired)},
				Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:    55,
			wantProblems: []string{"license HVAC-12345 (HVAC) is expired"},
			wantInvalid:  []contractorops.TradeType{contractorops.TradeHVAC},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "license HVAC-12345 (HVAC) is expired",
		},
		{
			name: "a license pending renewal is valid until it expires",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{license("HVAC-1", contractorops.TradeHVAC, contractorops.LicensePendingRenewal, day(2026, 12, 31))},
				Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore: 100, wantCompliant: true,
		},
		{
			name: "a license not yet in effect",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{func() contractorops.License {
				l := hvac
				l.IssuedAt = day(2027, 1, 15)
				return l
			}()}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:    55,
			wantProblems: []string{"license HVAC-12345 (HVAC) is not in effect until 2027-01-15"},
			wantInvalid:  []contractorops.TradeType{contractorops.TradeHVAC},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "license HVAC-12345 (HVAC) is not in effect until 2027-01-15",
		},
		{
			name: "a business license names its type",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{{Type: "Business License", Number: "BL-9", Status: contractorops.LicenseRevoked}},
				Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true},
			wantScore:    55,
			wantProblems: []string{"license BL-9 (Business License) is revoked"},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "license BL-9 (Business License) is revoked",
		},
		{
			name: "expired insurance",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac},
				Insurance: []contractorops.InsurancePolicy{policy("GL-1", contractorops.InsuranceGeneralLiability, contractorops.InsuranceActive, "1000000", day(2026, 11, 1))}, W9OnFile: true},
			wantScore:    50,
			wantProblems: []string{"insurance policy GL-1 (GENERAL_LIABILITY) expired on 2026-11-01"},
			wantCode:     contractorops.CodeInsuranceInvalid, wantMessage: "insurance policy GL-1 (GENERAL_LIABILITY) expired on 2026-11-01",
		},
		{
			name: "insurance pending verification",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac},
				Insurance: []contractorops.InsurancePolicy{policy("GL-1", contractorops.InsuranceGeneralLiability, contractorops.InsurancePendingVerification, "1000000", day(2027, 6, 1))}, W9OnFile: true},
			wantScore:    50,
			wantProblems: []string{"insurance policy GL-1 (GENERAL_LIABILITY) is pending verification"},
			wantCode:     contractorops.CodeInsuranceInvalid, wantMessage: "insurance policy GL-1 (GENERAL_LIABILITY) is pending verification",
		},
		{
			name: "a required insurance type is missing",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true,
				Policy: contractorops.CompliancePolicy{RequiredInsurance: []contractorops.InsuranceType{contractorops.InsuranceGeneralLiability, contractorops.InsuranceWorkersCompensation}}},
			wantScore:    50,
			wantProblems: []string{"no WORKERS_COMPENSATION insurance policy on file"},
			wantCode:     contractorops.CodeInsuranceInvalid, wantMessage: "no WORKERS_COMPENSATION insurance policy on file",
		},
		{
			name: "an expired policy of a type not required does not invalidate",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac}, W9OnFile: true,
				Insurance: []contractorops.InsurancePolicy{gl, policy("AU-1", contractorops.InsuranceAutoLiability, contractorops.InsuranceExpired, "100000", day(2026, 3, 1))},
				Policy:    contractorops.CompliancePolicy{RequiredInsurance: []contractorops.InsuranceType{contractorops.InsuranceGeneralLiability}}},
			wantScore:     100,
			wantCompliant: true,
			wantProblems:  []string{"insurance policy AU-1 (AUTO_LIABILITY) expired on 2026-03-01"},
		},
		{
			name: "coverage below the minimum",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac}, Insurance: []contractorops.InsurancePolicy{gl, wc}, W9OnFile: true,
				Policy: contractorops.CompliancePolicy{MinimumCoverage: []contractorops.CoverageMinimum{
					{Type: contractorops.InsuranceGeneralLiability, Amount: decimal.RequireFromString("1000000")},
					{Type: contractorops.InsuranceWorkersCompensation, Amount: decimal.RequireFromString("1000000")},
				}}},
			wantScore:     95,
			wantCompliant: true,
			wantProblems:  []string{"WORKERS_COMPENSATION coverage 500000.00 (policy WC-1) is below the minimum of 1000000.00"},
		},
		{
			name: "coverage minimum of a type not in force",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true,
				Policy: contractorops.CompliancePolicy{MinimumCoverage: []contractorops.CoverageMinimum{{Type: contractorops.InsuranceUmbrella, Amount: decimal.RequireFromString("5000000")}}}},
			wantScore:     95,
			wantCompliant: true,
			wantProblems:  []string{"no UMBRELLA policy in force to meet the minimum coverage of 5000000.00"},
		},
		{
			name: "blocked",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac}, Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true,
				Block: contractorops.ComplianceBlock{Blocked: true, Reason: "unpaid fines", By: "admin", At: day(2026, 11, 20)}},
			wantScore:    100,
			wantProblems: []string{"blocked: unpaid fines"},
			wantCode:     contractorops.CodeComplianceBlocked, wantMessage: "the contractor is blocked from scheduling: unpaid fines",
		},
		{
			name: "verification required",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac}, Insurance: []contractorops.InsurancePolicy{func() contractorops.InsurancePolicy {
				p := gl
				p.VerifiedAt = day(2026, 2, 1)
				return p
			}()}, W9OnFile: true, Policy: contractorops.CompliancePolicy{RequireVerification: true}},
			wantScore:    55,
			wantProblems: []string{"license HVAC-12345 (HVAC) is not verified"},
			wantInvalid:  []contractorops.TradeType{contractorops.TradeHVAC},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "license HVAC-12345 (HVAC) is not verified",
		},
		{
			name:      "no W-9",
			facts:     contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac}, Insurance: []contractorops.InsurancePolicy{gl}},
			wantScore: 95, wantCompliant: true,
			wantProblems: []string{"no W-9 on file"},
		},
		{
			name: "dates are written in the organization's time zone",
			facts: contractorops.ComplianceFacts{
				Licenses:  []contractorops.License{license("E-1", contractorops.TradeElectrical, contractorops.LicenseActive, time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC))},
				Insurance: []contractorops.InsurancePolicy{gl}, W9OnFile: true, Location: newYork},
			wantScore:    55,
			wantProblems: []string{"license E-1 (ELECTRICAL) expired on 2026-09-30"},
			wantInvalid:  []contractorops.TradeType{contractorops.TradeElectrical},
			wantCode:     contractorops.CodeLicenseInvalid, wantMessage: "license E-1 (ELECTRICAL) expired on 2026-09-30",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.facts.Location == nil {
				tt.facts.Location = newYork
			}
			s := tt.facts.Evaluate(complianceNow)
			if s.Score != tt.wantScore || s.Compliant != tt.wantCompliant {
				t.Errorf("score %d, compliant %v; want %d, %v", s.Score, s.Compliant, tt.wantScore, tt.wantCompliant)
			}
			var problems []string
			for _, p := range s.Problems {
				problems = append(problems, p.Message)
			}
			if diff := cmp.Diff(tt.wantProblems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if !slices.Equal(s.InvalidTrades, tt.wantInvalid) {
				t.Errorf("invalid trades %v, want %v", s.InvalidTrades, tt.wantInvalid)
			}
			err := s.Check(tt.checkTrades...)
			if tt.wantCode == "" {
				if err != nil {
					t.Errorf("Check(%v) = %v, want nil", tt.checkTrades, err)
				}
				return
			}
			var e *contractorops.Error
			if !errors.As(err, &e) || e.Code != tt.wantCode || e.Message != tt.wantMessage {
				t.Errorf("Check(%v) = %v, want %s: %s", tt.checkTrades, err, tt.wantCode, tt.wantMessage)
			}
		})
	}
}

func TestComplianceExpiriesAndWarnings(t *testing.T) {
	f := contractorops.ComplianceFacts{
		Licenses: []contractorops.License{
			license("HVAC-1", contractorops.TradeHVAC, contractorops.LicenseActive, day(2026, 12, 5)),
			license("P-1", contractorops.TradePlumbing, contractorops.LicenseActive, day(2027, 3, 1)),
		},
		Insurance: []contractorops.InsurancePolicy{
			policy("GL-1", contractorops.InsuranceGeneralLiability, contractorops.InsuranceActive, "1000000", day(2027, 6, 1)),
			policy("WC-1", contractorops.InsuranceWorkersCompensation, contractorops.InsuranceActive, "1000000", day(2027, 2, 1)),
		},
		W9OnFile: true, Location: newYork,
	}
	s := f.Evaluate(complianceNow)
	if !s.EarliestLicenseExpiry.Equal(day(2026, 12, 5)) || !s.EarliestInsuranceExpiry.Equal(day(2027, 2, 1)) {
		t.Errorf("earliest expiries %v, %v", s.EarliestLicenseExpiry, s.EarliestInsuranceExpiry)
	}
	if len(s.Warnings) != 1 || s.Warnings[0].Message != "license HVAC-1 (HVAC) expires on 2026-12-05" || s.Warnings[0].EntityID != "lic-HVAC-1" {
		t.Errorf("warnings = %+v", s.Warnings)
	}
	f.Policy.WarningDays = 100
	if s := f.Evaluate(complianceNow); len(s.Warnings) != 3 {
		t.Errorf("with 100 days: %d warnings, want 3 (%+v)", len(s.Warnings), s.Warnings)
	}
	// The same facts a month later: the HVAC license has lapsed.
	later := f.Evaluate(day(2027, 1, 4))
	if later.HasValidLicense != true || !slices.Equal(later.InvalidTrades, []contractorops.TradeType{contractorops.TradeHVAC}) {
		t.Errorf("a month later: %+v", later)
	}
	if err := later.Check(contractorops.TradeHVAC); err == nil || !strings.Contains(err.Error(), "license HVAC-1 (HVAC) expired on 2026-12-05") {
		t.Errorf("Check(HVAC) a month later = %v", err)
	}
}

func TestCheckCredentials(t *testing.T) {
	tech := &contractorops.Technician{FirstName: "Ann", LastName: "Lee", Certifications: []contractorops.Certification{
		{Name: "EPA 608", Number: "1234", ExpiresAt: day(2026, 10, 1)},
		{Name: "NATE"},
		{Name: "Gas Fitter", IssuedAt: day(2027, 1, 1)},
	}}
	tests := []struct {
		required []string
		want     string
	}{
		{nil, ""},
		{[]string{"NATE"}, ""},
		{[]string{" nate "}, ""},
		{[]string{"EPA 608"}, "technician Ann Lee's EPA 608 certification (no. 1234) expired on 2026-10-01"},
		{[]string{"Gas Fitter"}, "technician Ann Lee's Gas Fitter certification is not valid until 2027-01-01"},
		{[]string{"Backflow", "NATE", "epa 608"}, "technician Ann Lee holds no Backflow certification; technician Ann Lee's EPA 608 certification (no. 1234) expired on 2026-10-01"},
	}
	for _, tt := range tests {
		err := tech.CheckCredentials(tt.required, complianceNow, newYork)
		got := ""
		if err != nil {
			if !errors.Is(err, contractorops.ErrLicenseInvalid) {
				t.Errorf("%v: %v is not LICENSE_INVALID", tt.required, err)
			}
			got = err.(*contractorops.Error).Message
		}
		if got != tt.want {
			t.Errorf("CheckCredentials(%q) = %q, want %q", tt.required, got, tt.want)
		}
	}
	if err := tech.CheckCredentials([]string{"Gas Fitter"}, day(2027, 1, 1), newYork); err != nil {
		t.Errorf("on the day it is issued: %v", err)
	}
}

func TestCheckWork(t *testing.T) {
	tech := &contractorops.Technician{FirstName: "Ann", LastName: "Lee", Certifications: []contractorops.Certification{{Name: "NATE"}}}
	good := contractorops.ComplianceFacts{
		Licenses:  []contractorops.License{license("HVAC-1", contractorops.TradeHVAC, contractorops.LicenseActive, day(2027, 1, 1))},
		Insurance: []contractorops.InsurancePolicy{policy("GL-1", contractorops.InsuranceGeneralLiability, contractorops.InsuranceActive, "1000000", day(2027, 6, 1))},
		Location:  newYork,
	}
	req := contractorops.WorkRequirements{Trades: []contractorops.TradeType{contractorops.TradeHVAC}, Certifications: []string{"NATE"}}
	for _, tt := range []struct {
		name string
		at   time.Time
		req  contractorops.WorkRequirements
		tech *contractorops.Technician
		want string
	}{
		{"allowed", complianceNow, req, tech, ""},
		{"without a technician", complianceNow, req, nil, ""},
		{"the technician lacks a certification", complianceNow, contractorops.WorkRequirements{Certifications: []string{"EPA 608"}}, tech,
			"LICENSE_INVALID: technician Ann Lee holds no EPA 608 certification"},
		{"work after the license expires", day(2027, 1, 2), req, tech, "LICENSE_INVALID: license HVAC-1 (HVAC) expired on 2027-01-01"},
		{"the license is checked before the insurance", day(2027, 6, 1), contractorops.WorkRequirements{}, tech,
			"LICENSE_INVALID: license HVAC-1 (HVAC) expired on 2027-01-01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := fmt.Sprint(good.CheckWork(tt.at, tt.req, tt.tech))
			if tt.want == "" && got != "<nil>" || tt.want != "" && got != tt.want {
				t.Errorf("CheckWork = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCompliancePolicyValidate(t *testing.T) {
	err := contractorops.Validate(contractorops.CompliancePolicy{
		RequiredInsurance: []contractorops.InsuranceType{contractorops.InsuranceBonding, "FLOOD", contractorops.InsuranceBonding},
		MinimumCoverage: []contractorops.CoverageMinimum{
			{Type: contractorops.InsuranceGeneralLiability, Amount: decimal.Zero},
			{Type: contractorops.InsuranceGeneralLiability, Amount: decimal.RequireFromString("0.001")},
		},
		WarningDays: 400,
	})
	var got []string
	for _, fe := range err.(*contractorops.Error).FieldErrors {
		got = append(got, fe.Field+" "+fe.Code)
	}
	want := []string{"minimumCoverage validation_duplicate", "requiredInsurance.1 validation_in_invalid", "warningDays validation_max_less_equal_than_required"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("field errors (-want +got):\n%s", diff)
	}
	err = contractorops.Validate(contractorops.CompliancePolicy{MinimumCoverage: []contractorops.CoverageMinimum{{Type: "FLOOD", Amount: decimal.RequireFromString("0.001")}}})
	got = nil
	for _, fe := range err.(*contractorops.Error).FieldErrors {
		got = append(got, fe.Field+" "+fe.Code)
	}
	if diff := cmp.Diff([]string{"minimumCoverage.0.amount validation_decimal_places", "minimumCoverage.0.type validation_in_invalid"}, got); diff != "" {
		t.Errorf("field errors (-want +got):\n%s", diff)
	}
}

// A contractor's HVAC license lapsed in October while its plumbing license
// and its insurance are in order: it stays compliant, but HVAC work cannot
// be scheduled until the license is renewed.
func ExampleComplianceFacts_Evaluate() {
	ny, _ := time.LoadLocation("America/New_York")
	facts := contractorops.ComplianceFacts{
		Licenses: []contractorops.License{
			{Number: "HVAC-12345", Trade: contractorops.TradeHVAC, Status: contractorops.LicenseActive, ExpiresAt: time.Date(2026, 10, 1, 0, 0, 0, 0, ny)},
			{Number: "MP-889", Trade: contractorops.TradePlumbing, Status: contractorops.LicenseActive},
		},
		Insurance: []contractorops.InsurancePolicy{{
			Type: contractorops.InsuranceGeneralLiability, PolicyNumber: "GL-778", CoverageAmount: decimal.New(1, 6), Status: contractorops.InsuranceActive,
			EffectiveAt: time.Date(2026, 1, 1, 0, 0, 0, 0, ny), ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, ny),
		}},
		W9OnFile: true,
		Location: ny,
	}
	s := facts.Evaluate(time.Date(2026, 11, 24, 9, 0, 0, 0, ny))
	fmt.Println("compliant:", s.Compliant, "score:", s.Score, "invalid trades:", s.InvalidTrades)
	fmt.Println("plumbing job:", s.Check(contractorops.TradePlumbing))
	fmt.Println("HVAC job:", s.Check(contractorops.TradeHVAC))
	// Output:
	// compliant: true score: 100 invalid trades: [HVAC]
	// plumbing job: <nil>
	// HVAC job: LICENSE_INVALID: license HVAC-12345 (HVAC) expired on 2026-10-01
}
