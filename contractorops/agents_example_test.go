package contractorops_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
)

// The compliance agent's review: a license 16 days from its expiry has
// passed the 60- and 30-day notice thresholds (it is warned of at 30); an
// expired policy of the type the policy requires blocks the contractor.
func ExampleComplianceFacts_Review() {
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, ny)
	facts := contractorops.ComplianceFacts{
		Licenses: []contractorops.License{{Meta: contractorops.Meta{ID: "lic-1"}, Number: "HVAC-7", Trade: contractorops.TradeHVAC,
			Status: contractorops.LicenseActive, ExpiresAt: time.Date(2026, 12, 10, 9, 0, 0, 0, ny)}},
		Insurance: []contractorops.InsurancePolicy{{Meta: contractorops.Meta{ID: "pol-1"}, PolicyNumber: "GL-7", Type: contractorops.InsuranceGeneralLiability,
			Status: contractorops.InsuranceActive, CoverageAmount: decimal.RequireFromString("1000000"), ExpiresAt: time.Date(2026, 11, 20, 0, 0, 0, 0, ny)}},
		Policy:   contractorops.CompliancePolicy{RequiredInsurance: []contractorops.InsuranceType{contractorops.InsuranceGeneralLiability}},
		Location: ny,
	}
	r := facts.Review(at)
	for _, n := range r.Notices {
		fmt.Printf("warn: %s, %d days left, threshold %d (passed %v)\n", n.Document, n.DaysLeft, n.Threshold(), n.Crossed)
	}
	d := r.BlockDecision(contractorops.ComplianceBlock{})
	fmt.Printf("block: %v, %s\n", d.Block, d.Reason)
	// Output:
	// warn: license HVAC-7 (HVAC), 16 days left, threshold 30 (passed [60 30])
	// block: true, required documents expired: insurance policy GL-7 (GENERAL_LIABILITY) expired on 2026-11-20
}

// The bundled assistant checks a step's declared evidence.
func ExampleRuleAssistant_VerifyStep() {
	lo, hi := decimal.RequireFromString("5"), decimal.RequireFromString("15")
	step := contractorops.Checkpoint{Name: "Superheat", Expect: &contractorops.StepExpectation{
		MinPhotos: 1, Readings: []contractorops.ReadingSpec{{Name: "superheat", Unit: "°F", Min: &lo, Max: &hi}}}}
	v, _ := contractorops.RuleAssistant{}.VerifyStep(context.Background(), contractorops.StepEvidence{Checkpoint: step,
		Readings: []contractorops.Reading{{Name: "superheat", Value: decimal.RequireFromString("22"), Unit: "°F"}}})
	fmt.Println(v.Verified)
	fmt.Println(v.Summary)
	// Output:
	// false
	// "Superheat" is not verified: the step asks for 1 photo(s); 0 given; reading "superheat" is 22 °F, outside [5, 15] °F
}
