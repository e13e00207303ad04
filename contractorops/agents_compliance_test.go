package contractorops_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// reviewAt is the instant the review table tests run at: midnight of
// 2026-11-24 in New York.
var reviewAt = day(2026, 11, 24)

func TestComplianceReview(t *testing.T) {
	gl := policy("GL-1", contractorops.InsuranceGeneralLiability, contractorops.InsuranceActive, "1000000", day(2027, 6, 1))
	hvac := func(number string, expires time.Time) contractorops.License {
		return license(number, contractorops.TradeHVAC, contractorops.LicenseActive, expires)
	}
	type notice struct {
		ID      string
		Crossed []int
		Days    int
	}
	tests := []struct {
		name    string
		facts   contractorops.ComplianceFacts
		notices []notice
		expired []string
	}{
		{name: "nothing near",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", day(2027, 3, 1))}, Insurance: []contractorops.InsurancePolicy{gl}}},
		{name: "61 days: no threshold yet",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, 61))}, Insurance: []contractorops.InsurancePolicy{gl}}},
		{name: "60 days: the first threshold",
			facts:   contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, 60))}, Insurance: []contractorops.InsurancePolicy{gl}},
			notices: []notice{{"lic-H1", []int{60}, 60}}},
		{name: "16 days: 60 and 30 passed",
			facts:   contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, 16))}, Insurance: []contractorops.InsurancePolicy{gl}},
			notices: []notice{{"lic-H1", []int{60, 30}, 16}}},
		{name: "5 days: every threshold passed",
			facts:   contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, 5))}, Insurance: []contractorops.InsurancePolicy{gl}},
			notices: []notice{{"lic-H1", []int{60, 30, 7}, 5}}},
		{name: "the policy's own thresholds",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, 10))}, Insurance: []contractorops.InsurancePolicy{gl},
				Policy: contractorops.CompliancePolicy{NoticeDays: []int{3, 14}}},
			notices: []notice{{"lic-H1", []int{14}, 10}}},
		{name: "insurance too",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", day(2028, 1, 1))},
				Insurance: []contractorops.InsurancePolicy{policy("GL-2", contractorops.InsuranceGeneralLiability, contractorops.InsuranceActive, "1000000", reviewAt.AddDate(0, 0, 7))}},
			notices: []notice{{"pol-GL-2", []int{60, 30, 7}, 7}}},
		{name: "a renewal on file silences the old license",
			facts:   contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, 5)), hvac("H2", day(2028, 12, 1))}, Insurance: []contractorops.InsurancePolicy{gl}},
			notices: nil},
		{name: "a license of another trade is no renewal",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, 5)),
				license("P1", contractorops.TradePlumbing, contractorops.LicenseActive, day(2028, 12, 1))}, Insurance: []contractorops.InsurancePolicy{gl}},
			notices: []notice{{"lic-H1", []int{60, 30, 7}, 5}}},
		{name: "expired, the only license: block",
			facts:   contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, -1))}, Insurance: []contractorops.InsurancePolicy{gl}},
			expired: []string{"lic-H1"}},
		{name: "expired today, no grace: block",
			facts:   contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt)}, Insurance: []contractorops.InsurancePolicy{gl}},
			expired: []string{"lic-H1"}},
		{name: "expired within the grace days",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, -2))}, Insurance: []contractorops.InsurancePolicy{gl},
				Policy: contractorops.CompliancePolicy{BlockGraceDays: 3}}},
		{name: "expired past the grace days",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, -3))}, Insurance: []contractorops.InsurancePolicy{gl},
				Policy: contractorops.CompliancePolicy{BlockGraceDays: 3}},
			expired: []string{"lic-H1"}},
		{name: "expired, but another license is valid",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", reviewAt.AddDate(0, 0, -1)),
				license("P1", contractorops.TradePlumbing, contractorops.LicenseActive, day(2028, 12, 1))}, Insurance: []contractorops.InsurancePolicy{gl}}},
		{name: "suspended is not expired",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{license("H1", contractorops.TradeHVAC, contractorops.LicenseSuspended, day(2028, 1, 1))},
				Insurance: []contractorops.InsurancePolicy{gl}}},
		{name: "an expired policy of a type not required",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", day(2028, 1, 1))},
				Insurance: []contractorops.InsurancePolicy{gl, policy("AU-1", contractorops.InsuranceAutoLiability, contractorops.InsuranceActive, "100000", reviewAt.AddDate(0, 0, -10))},
				Policy:    contractorops.CompliancePolicy{RequiredInsurance: []contractorops.InsuranceType{contractorops.InsuranceGeneralLiability}}}},
		{name: "the required policy expired",
			facts: contractorops.ComplianceFacts{Licenses: []contractorops.License{hvac("H1", day(2028, 1, 1))},
				Insurance: []contractorops.InsurancePolicy{
					policy("GL-3", contractorops.InsuranceGeneralLiability, contractorops.InsuranceActive, "1000000", reviewAt.AddDate(0, 0, -10)),
					policy("AU-1", contractorops.InsuranceAutoLiability, contractorops.InsuranceActive, "100000", day(2028, 1, 1))},
				Policy: contractorops.CompliancePolicy{RequiredInsurance: []contractorops.InsuranceType{contractorops.InsuranceGeneralLiability}}},
			expired: []string{"pol-GL-3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.facts.W9OnFile, tt.facts.Location = true, newYork
			r := tt.facts.Review(reviewAt)
			var got []notice
			for _, n := range r.Notices {
				got = append(got, notice{n.DocumentID, n.Crossed, n.DaysLeft})
				if n.Threshold() != n.Crossed[len(n.Crossed)-1] {
					t.Errorf("threshold %d of %v", n.Threshold(), n.Crossed)
				}
			}
			if diff := cmp.Diff(tt.notices, got); diff != "" {
				t.Errorf("notices (-want +got):\n%s", diff)
			}
			var expired []string
			for _, x := range r.Expired {
				expired = append(expired, x.DocumentID)
			}
			if diff := cmp.Diff(tt.expired, expired); diff != "" {
				t.Errorf("expired (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComplianceBlockDecision(t *testing.T) {
	expired := contractorops.ComplianceReview{Location: newYork, Expired: []contractorops.ExpiredDocument{
		{Kind: contractorops.ProblemLicense, DocumentID: "lic-H1", Document: "license H1 (HVAC)", ExpiredAt: day(2026, 12, 10)}}}
	reason := "required documents expired: license H1 (HVAC) expired on 2026-12-10"
	agent := contractorops.ComplianceBlock{Blocked: true, Reason: reason, By: contractorops.ComplianceAgent, ByKind: contractorops.ActorAgent}
	admin := contractorops.ComplianceBlock{Blocked: true, Reason: "unpaid fines", By: "owner", ByKind: contractorops.ActorUser}
	// A user who named themselves like the agent is not the agent.
	impostor := contractorops.ComplianceBlock{Blocked: true, Reason: "x", By: contractorops.ComplianceAgent, ByKind: contractorops.ActorUser}
	lifted := contractorops.ComplianceBlock{Reason: "renewed", By: "owner", ByKind: contractorops.ActorUser}
	tests := []struct {
		name    string
		review  contractorops.ComplianceReview
		current contractorops.ComplianceBlock
		want    contractorops.BlockDecision
	}{
		{"expired, not blocked: block", expired, contractorops.ComplianceBlock{}, contractorops.BlockDecision{Block: true, Reason: reason}},
		{"expired, a lifted block: block", expired, lifted, contractorops.BlockDecision{Block: true, Reason: reason}},
		{"expired, already blocked by the agent: nothing", expired, agent, contractorops.BlockDecision{}},
		{"expired, the agent's block with another reason: restate", expired,
			contractorops.ComplianceBlock{Blocked: true, Reason: "old", By: contractorops.ComplianceAgent, ByKind: contractorops.ActorAgent},
			contractorops.BlockDecision{Block: true, Reason: reason}},
		{"expired, an administrator's block: left alone", expired, admin, contractorops.BlockDecision{}},
		{"renewed, the agent's block: lift", contractorops.ComplianceReview{}, agent,
			contractorops.BlockDecision{Unblock: true, Reason: "the expired documents were renewed or replaced"}},
		{"renewed, an administrator's block: left alone", contractorops.ComplianceReview{}, admin, contractorops.BlockDecision{}},
		{"renewed, a user's block under the agent's name: left alone", contractorops.ComplianceReview{}, impostor, contractorops.BlockDecision{}},
		{"nothing expired, not blocked: nothing", contractorops.ComplianceReview{}, contractorops.ComplianceBlock{}, contractorops.BlockDecision{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.review.BlockDecision(tt.current); got != tt.want {
				t.Errorf("decision = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// lastChange is the organization's change feed position: it moves with
// every write.
func (f *fixture) lastChange(t testing.TB) int64 {
	t.Helper()
	var last int64
	for {
		p := must(f.eng.Feed.Changes(context.Background(), f.owner, contractorops.ListChangesInput{AfterSeq: last, Limit: 1000}))(t)
		if p.LastSeq == last {
			return last
		}
		last = p.LastSeq
	}
}

// events lists the organization's events of one type.
func (f *fixture) events(t testing.TB, typ jobfsm.EventType) []contractorops.Event {
	t.Helper()
	return must(f.eng.Events.List(context.Background(), f.owner, contractorops.ListEventsInput{Type: typ, Limit: 1000}))(t).Items
}

// lastAudit is the newest audit event of an entity.
func (f *fixture) lastAudit(t testing.TB, entity, id string) contractorops.AuditEvent {
	t.Helper()
	p := must(f.eng.Feed.Audit(context.Background(), f.owner, contractorops.ListAuditInput{Entity: entity, EntityID: id}))(t)
	if len(p.Items) == 0 {
		t.Fatalf("no audit of %s %s", entity, id)
	}
	return p.Items[0]
}

func TestComplianceAgent(t *testing.T) { eachStore(t, testComplianceAgent) }

func testComplianceAgent(t *testing.T, f *fixture) {
	ctx := context.Background()
	licIn := contractorops.LicenseInput{Type: "Master HVAC", Number: "HVAC-7", IssuingAuthority: "Maryland HVACR Board",
		Trade: contractorops.TradeHVAC, Status: contractorops.LicenseActive, ExpiresAt: day(2026, 12, 10)}
	lic := must(f.eng.Contractor.AddLicense(ctx, f.owner, "lic", licIn))(t)
	must(f.eng.Contractor.AddInsurance(ctx, f.owner, "gl", contractorops.InsuranceInput{
		Type: contractorops.InsuranceGeneralLiability, Carrier: "Travelers", PolicyNumber: "GL-7", CoverageAmount: decimal.RequireFromString("1000000"),
		EffectiveAt: day(2026, 1, 1), ExpiresAt: day(2027, 6, 1), Status: contractorops.InsuranceActive,
	}))(t)
	agent := contractorops.AgentScope(f.org, contractorops.ComplianceAgent)
	task := func() {
		t.Helper()
		rep := must(f.eng.RunTaskFor(ctx, contractorops.ComplianceAgent, f.clock.Now(), f.org))(t)
		if rep.Actions != 1 || len(rep.Failures) > 0 {
			t.Fatalf("task report = %+v", rep)
		}
	}

	// Tuesday 2026-11-24: 16 days left, past the 60- and 30-day
	// thresholds; one warning, at the most urgent.
	task()
	warnings := f.events(t, contractorops.EventComplianceWarning)
	if len(warnings) != 1 || warnings[0].Compliance == nil || warnings[0].Compliance.DocumentID != lic.ID ||
		warnings[0].Compliance.ThresholdDays != 30 || warnings[0].Compliance.DaysLeft != 16 ||
		warnings[0].Compliance.Message != "license HVAC-7 (HVAC) expires on 2026-12-10" {
		t.Fatalf("warnings = %+v", warnings)
	}
	if a := f.lastAudit(t, "agent_notices", "compliance-agent:"+lic.ID+":"+day(2026, 12, 10).UTC().Format("20060102T150405")); a.Actor != agent.Actor ||
		a.Role != contractorops.RoleAgent || a.Procedure != "agent/v1/runCompliance" {
		t.Errorf("the notice's audit = %+v", a)
	}
	// Twice the same day changes nothing: the task replays, and a run
	// under another key finds nothing due.
	seq := f.lastChange(t)
	task()
	again := must(f.eng.Agents.RunCompliance(ctx, agent, "manual-1124"))(t)
	if len(again.Warnings) != 0 || again.Blocked || again.Unblocked {
		t.Fatalf("second run = %+v", again)
	}
	if got := f.lastChange(t); got != seq || len(f.events(t, contractorops.EventComplianceWarning)) != 1 {
		t.Fatalf("a second run wrote: feed %d → %d", seq, got)
	}

	// Six days left: the 7-day warning, once.
	f.clock.Set(time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC))
	r := must(f.eng.Agents.RunCompliance(ctx, agent, "d1204"))(t)
	if len(r.Warnings) != 1 || r.Warnings[0].ThresholdDays != 7 || r.Warnings[0].DaysLeft != 6 {
		t.Fatalf("7-day run = %+v", r.Warnings)
	}
	if r := must(f.eng.Agents.RunCompliance(ctx, agent, "d1204-b"))(t); len(r.Warnings) != 0 {
		t.Fatalf("7-day warning twice: %+v", r.Warnings)
	}

	// Expired: the only license; the agent blocks, naming it.
	f.clock.Set(time.Date(2026, 12, 10, 15, 0, 0, 0, time.UTC))
	r = must(f.eng.Agents.RunCompliance(ctx, agent, "d1210"))(t)
	if !r.Blocked || r.Reason != "required documents expired: license HVAC-7 (HVAC) expired on 2026-12-10" || len(r.Warnings) != 0 {
		t.Fatalf("expiry run = %+v", r)
	}
	st := must(f.eng.Contractor.GetCompliance(ctx, f.owner, contractorops.ComplianceAtInput{}))(t)
	if !st.Blocked || st.Block.By != contractorops.ComplianceAgent || st.Block.ByKind != contractorops.ActorAgent {
		t.Fatalf("status = %+v", st.Block)
	}
	check := must(f.eng.Contractor.CheckWork(ctx, f.owner, contractorops.CheckWorkInput{}))(t)
	if check.Allowed || check.Code != contractorops.CodeComplianceBlocked || !strings.Contains(check.Message, "HVAC-7") {
		t.Errorf("gate = %+v", check)
	}
	if blocked := f.events(t, contractorops.EventComplianceBlocked); len(blocked) != 1 || !slices.Equal(blocked[0].Compliance.Documents, []string{"license HVAC-7 (HVAC)"}) {
		t.Errorf("blocked events = %+v", blocked)
	}
	if a := f.lastAudit(t, "contractor_compliance", f.org); a.Actor != agent.Actor || a.Procedure != "agent/v1/runCompliance" || a.Changes["block"].To == nil {
		t.Errorf("the block's audit = %+v", a)
	}
	seq = f.lastChange(t)
	if r := must(f.eng.Agents.RunCompliance(ctx, agent, "d1210-b"))(t); r.Blocked || r.Unblocked || f.lastChange(t) != seq {
		t.Fatalf("second run on the expiry day = %+v", r)
	}

	// Renewed: the agent lifts its own block.
	licIn.ExpiresAt = day(2028, 12, 10)
	must(f.eng.Contractor.UpdateLicense(ctx, f.owner, "renew", contractorops.UpdateLicenseInput{ID: lic.ID, LicenseInput: licIn}))(t)
	r = must(f.eng.Agents.RunCompliance(ctx, agent, "d1210-c"))(t)
	if !r.Unblocked || r.Blocked {
		t.Fatalf("renewal run = %+v", r)
	}
	if st := must(f.eng.Contractor.GetCompliance(ctx, f.owner, contractorops.ComplianceAtInput{}))(t); st.Blocked || !st.Compliant {
		t.Fatalf("after the renewal: %+v", st)
	}
	if n := len(f.events(t, contractorops.EventComplianceUnblocked)); n != 1 {
		t.Errorf("%d unblock events", n)
	}

	// An administrator's block is never the agent's to lift.
	must(f.eng.Contractor.SetBlock(ctx, f.owner, "admin-block", "unpaid permit fines"))(t)
	seq = f.lastChange(t)
	if r := must(f.eng.Agents.RunCompliance(ctx, agent, "d1210-d"))(t); r.Unblocked || r.Blocked || f.lastChange(t) != seq {
		t.Fatalf("run under an administrator's block = %+v", r)
	}
	if st := must(f.eng.Contractor.GetCompliance(ctx, f.owner, contractorops.ComplianceAtInput{}))(t); !st.Blocked || st.Block.Reason != "unpaid permit fines" {
		t.Fatalf("the administrator's block = %+v", st.Block)
	}

	// The agent acts only as an agent: a technician may not run it.
	_, err := f.eng.Agents.RunCompliance(ctx, f.scope(contractorops.RoleDispatcher), "x")
	wantCode(t, err, contractorops.CodeForbidden)
}

func TestComplianceAgentRefreshesStanding(t *testing.T) {
	eachStore(t, testComplianceAgentRefreshesStanding)
}

// testComplianceAgentRefreshesStanding: a license expired within the
// block's grace days blocks nothing, but the agent stores (and publishes)
// the contractor's new standing the first time it runs, and only then.
func testComplianceAgentRefreshesStanding(t *testing.T, f *fixture) {
	ctx := context.Background()
	must(f.eng.Contractor.SetCompliancePolicy(ctx, f.owner, "policy", contractorops.CompliancePolicy{BlockGraceDays: 5}))(t)
	must(f.eng.Contractor.AddLicense(ctx, f.owner, "lic", contractorops.LicenseInput{Type: "Master HVAC", Number: "HVAC-8",
		IssuingAuthority: "Maryland HVACR Board", Trade: contractorops.TradeHVAC, Status: contractorops.LicenseActive, ExpiresAt: day(2026, 12, 10)}))(t)
	must(f.eng.Contractor.AddInsurance(ctx, f.owner, "gl", contractorops.InsuranceInput{
		Type: contractorops.InsuranceGeneralLiability, Carrier: "Travelers", PolicyNumber: "GL-8", CoverageAmount: decimal.RequireFromString("1000000"),
		EffectiveAt: day(2026, 1, 1), ExpiresAt: day(2027, 6, 1), Status: contractorops.InsuranceActive,
	}))(t)
	agent := contractorops.AgentScope(f.org, contractorops.ComplianceAgent)
	if r := must(f.eng.Agents.RunCompliance(ctx, agent, "d1124"))(t); r.Refreshed {
		t.Fatalf("nothing changed, yet the run refreshed: %+v", r)
	}

	f.clock.Set(time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC))
	seq := f.lastChange(t)
	r := must(f.eng.Agents.RunCompliance(ctx, agent, "d1211"))(t)
	if r.Blocked || !r.Refreshed {
		t.Fatalf("run the day after the expiry = %+v", r)
	}
	changes := must(f.eng.Feed.Changes(ctx, f.owner, contractorops.ListChangesInput{AfterSeq: seq}))(t).Items
	var stored contractorops.ComplianceRecord
	for _, c := range changes {
		if c.Entity == "contractor_compliance" {
			if err := json.Unmarshal(c.Data, &stored); err != nil {
				t.Fatal(err)
			}
		}
	}
	if stored.Status == nil || stored.Status.HasValidLicense || stored.Status.Compliant || stored.Status.Blocked {
		t.Fatalf("stored status after the expiry = %+v (changes %+v)", stored.Status, changes)
	}
	seq = f.lastChange(t)
	if r := must(f.eng.Agents.RunCompliance(ctx, agent, "d1211-b"))(t); r.Refreshed || f.lastChange(t) != seq {
		t.Fatalf("second run refreshed again: %+v", r)
	}
}

// TestComplianceAgentWarnsOncePerThreshold runs the compliance agent on
// random days against random expiries and notice thresholds: every warning
// is for one of the thresholds, within it, at most once per document and
// threshold, more urgent than the one before; and a document whose widest
// threshold a run fell within was warned of.
func TestComplianceAgentWarnsOncePerThreshold(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		start := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
		clock := &testClock{now: start}
		eng, err := contractorops.New(memstore.New(), &contractorops.Config{Clock: clock.Now})
		if err != nil {
			rt.Fatal(err)
		}
		f := newFixtureWith(t, eng, clock, nil, "p")
		notice := rapid.SliceOfNDistinct(rapid.IntRange(1, 90), 1, 4, rapid.ID[int]).Draw(rt, "noticeDays")
		must(eng.Contractor.SetCompliancePolicy(ctx, f.owner, "policy", contractorops.CompliancePolicy{NoticeDays: notice}))(t)
		expiries := map[string]time.Time{}
		for i := range rapid.IntRange(1, 3).Draw(rt, "licenses") {
			exp := start.AddDate(0, 0, rapid.IntRange(1, 120).Draw(rt, fmt.Sprint("expiry", i)))
			l := must(eng.Contractor.AddLicense(ctx, f.owner, fmt.Sprint("lic", i), contractorops.LicenseInput{Type: "State", Number: fmt.Sprint("L-", i),
				IssuingAuthority: "Board", Trade: []contractorops.TradeType{contractorops.TradeHVAC, contractorops.TradePlumbing, contractorops.TradeElectrical}[i],
				Status: contractorops.LicenseActive, ExpiresAt: exp}))(t)
			expiries[l.ID] = exp
		}
		widest := slices.Max(notice)
		within := map[string]bool{} // a run fell within the widest threshold
		at := start
		for i := range rapid.IntRange(1, 12).Draw(rt, "runs") {
			at = at.Add(time.Duration(rapid.IntRange(0, 20*24).Draw(rt, fmt.Sprint("hours", i))) * time.Hour)
			clock.Set(at)
			must(eng.Agents.RunCompliance(ctx, contractorops.AgentScope(f.org, contractorops.ComplianceAgent), fmt.Sprint("run", i)))(t)
			for id, exp := range expiries {
				if at.Before(exp) && !at.Before(exp.AddDate(0, 0, -widest)) {
					within[id] = true
				}
			}
		}
		warned := map[string][]int{}
		for _, ev := range f.events(t, contractorops.EventComplianceWarning) {
			c := ev.Compliance
			if !slices.Contains(notice, c.ThresholdDays) || ev.At.Before(c.ExpiresAt.AddDate(0, 0, -c.ThresholdDays)) || !ev.At.Before(c.ExpiresAt) {
				rt.Fatalf("warning %+v at %s, thresholds %v", c, ev.At, notice)
			}
			prev := warned[c.DocumentID]
			if len(prev) > 0 && prev[len(prev)-1] <= c.ThresholdDays {
				rt.Fatalf("document %s warned at %v then %d", c.DocumentID, prev, c.ThresholdDays)
			}
			warned[c.DocumentID] = append(prev, c.ThresholdDays)
		}
		for id := range within {
			if len(warned[id]) == 0 {
				rt.Fatalf("document %s expiring %s was never warned of (thresholds %v)", id, expiries[id], notice)
			}
		}
	})
}

func TestCompliancePolicyNoticeValidate(t *testing.T) {
	tests := []struct {
		policy contractorops.CompliancePolicy
		want   []string
	}{
		{contractorops.CompliancePolicy{NoticeDays: []int{90, 30, 7, 1}, BlockGraceDays: 14}, nil},
		{contractorops.CompliancePolicy{NoticeDays: []int{30, 30}}, []string{"noticeDays validation_duplicate"}},
		{contractorops.CompliancePolicy{NoticeDays: []int{0, 400}}, []string{"noticeDays.0 validation_required", "noticeDays.1 validation_max_less_equal_than_required"}},
		{contractorops.CompliancePolicy{NoticeDays: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}, []string{"noticeDays validation_length_too_long"}},
		{contractorops.CompliancePolicy{BlockGraceDays: -1}, []string{"blockGraceDays validation_min_greater_equal_than_required"}},
	}
	for _, tt := range tests {
		var got []string
		if err := contractorops.Validate(tt.policy); err != nil {
			for _, fe := range err.(*contractorops.Error).FieldErrors {
				got = append(got, fe.Field+" "+fe.Code)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%+v: field errors (-want +got):\n%s", tt.policy, diff)
		}
	}
}
