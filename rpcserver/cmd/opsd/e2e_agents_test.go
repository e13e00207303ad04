package main

import (
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// agents runs the compliance agent over HTTP from an agent's own API key
// (the story's plumbing license never expires, so the license here is
// HVAC: a renewal on file would silence it):
// a license ten days from its expiry is warned of once, the warning is in
// the outbox, and the audit trail names the agent and the procedure.
func (s *story) agents(t *testing.T) {
	c := s.c
	lic := call[contractorops.LicenseInput, contractorops.License](t, c, "contractor/v1/addLicense", true, contractorops.LicenseInput{
		Type: "Journeyman", Number: "AG-1", IssuingAuthority: "Agent Test Board", Trade: contractorops.TradeHVAC,
		Status: contractorops.LicenseActive, ExpiresAt: time.Now().Add(10 * 24 * time.Hour)})
	nk := call[contractorops.CreateAPIKeyInput, contractorops.NewAPIKey](t, c, "apikey/v1/create", true, contractorops.CreateAPIKeyInput{
		Name: "Compliance agent", Role: contractorops.RoleAgent, Actor: contractorops.Actor{Kind: contractorops.ActorAgent, ID: contractorops.ComplianceAgent},
		Procedures: []string{"agent/v1/runCompliance", "event/v1/list"}})
	agent := s.p.client(nk.Key)

	key := client.NewIdempotencyKey()
	rep, err := client.Call[contractorops.RunComplianceAgentInput, contractorops.ComplianceAgentReport](ctx, agent, "agent/v1/runCompliance", key, contractorops.RunComplianceAgentInput{})
	if err != nil {
		t.Fatal(err)
	}
	var mine []contractorops.ComplianceEvent
	for _, w := range rep.Warnings {
		if w.DocumentID == lic.ID {
			mine = append(mine, w)
		}
	}
	if len(mine) != 1 || mine[0].ThresholdDays != 30 {
		t.Fatalf("warnings = %+v", rep.Warnings)
	}
	// The same key replays; another run finds nothing new to say.
	var again contractorops.ComplianceAgentReport
	if meta, err := agent.Do(ctx, "agent/v1/runCompliance", key, contractorops.RunComplianceAgentInput{}, &again); err != nil || !meta.Replayed {
		t.Fatalf("replay: %+v, %v", meta, err)
	}
	next, err := client.Call[contractorops.RunComplianceAgentInput, contractorops.ComplianceAgentReport](ctx, agent, "agent/v1/runCompliance", client.NewIdempotencyKey(), contractorops.RunComplianceAgentInput{})
	if err != nil || len(next.Warnings) != 0 {
		t.Fatalf("second run = %+v, %v", next, err)
	}
	events, err := client.Call[contractorops.ListEventsInput, contractorops.EventPage](ctx, agent, "event/v1/list", "", contractorops.ListEventsInput{Type: contractorops.EventComplianceWarning})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events.Items {
		if ev.Compliance != nil && ev.Compliance.DocumentID == lic.ID {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d warnings about %s in the outbox", n, lic.Number)
	}
	// The agent's key is the agent's allowlist: nothing else.
	_, err = agent.Do(ctx, "agent/v1/dispatch", client.NewIdempotencyKey(), contractorops.DispatchAgentInput{}, nil)
	wantCode(t, err, contractorops.CodeForbidden)

	notices, err := client.Call[contractorops.ListChangesInput, contractorops.ChangePage](ctx, c, "feed/v1/changes", "", contractorops.ListChangesInput{Entity: "agent_notices"})
	if err != nil || len(notices.Items) == 0 {
		t.Fatalf("notices = %+v, %v", notices, err)
	}
	id := notices.Items[len(notices.Items)-1].EntityID
	audit, err := client.Call[contractorops.ListAuditInput, contractorops.Page[contractorops.AuditEvent]](ctx, c, "feed/v1/audit", "",
		contractorops.ListAuditInput{Entity: "agent_notices", EntityID: id})
	if err != nil || len(audit.Items) != 1 {
		t.Fatalf("audit = %+v, %v", audit, err)
	}
	if a := audit.Items[0]; a.Actor != (contractorops.Actor{Kind: contractorops.ActorAgent, ID: contractorops.ComplianceAgent}) ||
		a.Role != contractorops.RoleAgent || a.Procedure != "agent/v1/runCompliance" || a.TraceID == "" {
		t.Fatalf("audit = %+v", a)
	}
}
