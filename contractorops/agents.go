package contractorops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Agents are actors of kind agent ([ActorAgent]) acting in the AGENT role:
// every action of theirs is a catalog command with an idempotency key and
// the trace of the run, audited like a person's (the audit trail names the
// agent and the procedure). The built-in agents are deterministic:
//
//   - the compliance agent ([ComplianceAgent]) warns of expiring licenses
//     and insurance, blocks the contractor when a required one expired and
//     lifts the blocks it placed once renewed;
//   - the dispatcher agent ([DispatcherAgent]) optimizes a day that has
//     unassigned work and inserts the emergencies;
//   - the procurement agent ([ProcurementAgent]) drafts replenishments;
//   - the renewal agent recommends contract renewals
//     (maintenance/v1/renewalRecommendation);
//   - the technician assistant ([Assistant]) verifies checklist steps and
//     drafts job notes.
//
// Each periodic agent is a [Task] that runs, for every organization, a
// command whose idempotency key derives from the organization, the date and
// what the agent acts on, so that running it twice changes nothing the
// second time.

// ComplianceAgent names the compliance agent: the id of its actor and the
// name of its task.
const ComplianceAgent = "compliance-agent"

// DispatcherAgent names the dispatcher agent: the id of its actor and the
// name of its task.
const DispatcherAgent = "dispatcher-agent"

// AgentScope returns the scope in which the named agent acts for org: actor
// kind agent, role AGENT, narrowed to procedures when any are given.
func AgentScope(org, agent string, procedures ...string) Scope {
	return Scope{OrganizationID: org, Actor: Actor{Kind: ActorAgent, ID: agent}, Role: RoleAgent, Procedures: procedures}
}

// AgentNotice is what an agent remembers of the notices it gave about one
// subject: the compliance agent's expiry warnings about one license or
// policy and one expiry date.
type AgentNotice struct {
	Meta
	Agent string `json:"agent"`
	// Subject is the license or policy the notices are about.
	Subject string `json:"subject"`
	// Due is the expiry the notices count down to; a renewal with a new
	// expiry starts a new record.
	Due time.Time `json:"due"`
	// Thresholds are the notice thresholds (days before Due) already
	// passed and warned of.
	Thresholds []int `json:"thresholds"`
}

var agentNoticesTable = table[AgentNotice]{
	spec: TableSpec{Name: "agent_notices", Keys: []string{"agent", "subject"}},
	keys: func(n *AgentNotice) map[string]string { return keys("agent", n.Agent, "subject", n.Subject) },
}

// AgentRun is what an agent remembers of its runs on one day: the dispatcher
// agent's jobs already considered, each at the version it saw.
type AgentRun struct {
	Meta
	Agent string `json:"agent"`
	Date  string `json:"date"`
	// Considered are "jobId@version" (with "/visitId@version" for a booked
	// visit) of the jobs a run acted on.
	Considered []string  `json:"considered"`
	Runs       int       `json:"runs"`
	LastRunAt  time.Time `json:"lastRunAt"`
}

var agentRunsTable = table[AgentRun]{
	spec: TableSpec{Name: "agent_runs", Keys: []string{"agent", "run_date"}},
	keys: func(r *AgentRun) map[string]string { return keys("agent", r.Agent, "run_date", r.Date) },
}

// AgentSettings are an organization's choices about the scheduled agents.
// The compliance and procurement agents run for every organization; the
// dispatcher agent plans technicians' days, which an office may want to do
// itself, so its schedule runs only where the office turned it on. Every
// agent also runs on demand (agent/v1/*) whatever the settings.
type AgentSettings struct {
	Meta
	// AutoDispatch lets the dispatcher agent's schedule insert emergencies
	// and optimize new unassigned work every five minutes. Off by default.
	AutoDispatch bool `json:"autoDispatch"`
}

// Validate checks the settings.
func (AgentSettings) Validate() error { return nil }

var agentSettingsTable = table[AgentSettings]{
	spec: TableSpec{Name: "agent_settings"},
	keys: func(*AgentSettings) map[string]string { return nil },
}

const agentSettingsID = "agents"

// loadAgentSettings returns the organization's agent settings, the
// defaults (Version 0) when it chose none.
func loadAgentSettings(t *txn) (*AgentSettings, error) {
	s, err := load(t, agentSettingsTable, agentSettingsID)
	if errors.Is(err, ErrNotFound) {
		return &AgentSettings{Meta: Meta{ID: agentSettingsID}}, nil
	}
	return s, err
}

// agentRunID is the id of an agent's record of a day.
func agentRunID(agent, date string) string { return agent + ":" + date }

// loadAgentRun returns the agent's record of the day, a new one (Version
// 0) when it has none.
func loadAgentRun(t *txn, agent, date string) (*AgentRun, error) {
	r, err := load(t, agentRunsTable, agentRunID(agent, date))
	if errors.Is(err, ErrNotFound) {
		return &AgentRun{Meta: Meta{ID: agentRunID(agent, date)}, Agent: agent, Date: date}, nil
	}
	return r, err
}

// digest is a short stable digest of parts, for idempotency keys.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// AgentService runs the built-in agents on demand; their tasks run them on
// a schedule ([Engine.Tasks]).
type AgentService struct {
	compliance      proc[RunComplianceAgentInput, ComplianceAgentReport]
	dispatch        proc[DispatchAgentInput, DispatchAgentReport]
	dispatchPending proc[DispatchPendingInput, DispatchPending]
	getSettings     proc[NoInput, AgentSettings]
	updateSettings  proc[AgentSettings, AgentSettings]
}

// GetSettings returns the organization's agent settings.
func (s *AgentService) GetSettings(ctx context.Context, scope Scope) (*AgentSettings, error) {
	return s.getSettings.get(ctx, scope, NoInput{})
}

// UpdateSettings replaces the organization's agent settings.
func (s *AgentService) UpdateSettings(ctx context.Context, scope Scope, key string, in AgentSettings) (*AgentSettings, error) {
	return s.updateSettings.do(ctx, scope, key, in)
}

// RunCompliance runs the compliance agent now: expiry warnings due, and the
// block or unblock the documents call for.
func (s *AgentService) RunCompliance(ctx context.Context, scope Scope, key string) (*ComplianceAgentReport, error) {
	return s.compliance.do(ctx, scope, key, RunComplianceAgentInput{})
}

// Dispatch runs the dispatcher agent on a day: the emergencies inserted
// into the live plan, the rest of the new unassigned work optimized.
func (s *AgentService) Dispatch(ctx context.Context, scope Scope, key string, in DispatchAgentInput) (*DispatchAgentReport, error) {
	return s.dispatch.do(ctx, scope, key, in)
}

// DispatchPending lists the unassigned work of a day the dispatcher agent
// has not considered yet.
func (s *AgentService) DispatchPending(ctx context.Context, scope Scope, in DispatchPendingInput) (*DispatchPending, error) {
	return s.dispatchPending.get(ctx, scope, in)
}

// agentRoles may run an agent on demand: the owner and administrators, and
// the agents themselves.
func agentRoles() []Role { return []Role{RoleOwner, RoleAdmin, RoleAgent} }

func (e *Engine) registerAgents() {
	e.Agents = &AgentService{
		compliance: mutation(e, "agent/v1/runCompliance", "Run the compliance agent: expiry warnings, and blocks for expired required documents.",
			agentRoles(), (*call).runComplianceAgent),
		dispatch: mutation(e, "agent/v1/dispatch", "Run the dispatcher agent on a day: insert the emergencies, optimize the new unassigned work.",
			with(agentRoles(), RoleManager, RoleDispatcher), (*call).runDispatcherAgent),
		dispatchPending: query(e, "agent/v1/dispatchPending", "List the unassigned work of a day the dispatcher agent has not considered yet.",
			with(rolesOffice(), RoleAgent), (*call).dispatchPending),
		getSettings: query(e, "agent/v1/getSettings", "Read the organization's agent settings.", with(rolesOffice(), RoleAgent),
			func(c *call, _ *NoInput) (*AgentSettings, error) {
				return inTx(c, "get", loadAgentSettings)
			}),
		updateSettings: mutation(e, "agent/v1/updateSettings", "Replace the organization's agent settings (whether the dispatcher agent runs on its schedule).",
			[]Role{RoleOwner, RoleAdmin},
			func(c *call, in *AgentSettings) (*AgentSettings, error) {
				return inTx(c, "update", func(t *txn) (*AgentSettings, error) {
					s, err := loadAgentSettings(t)
					if err != nil {
						return nil, err
					}
					s.AutoDispatch = in.AutoDispatch
					if s.Version == 0 {
						return s, insert(t, agentSettingsTable, s)
					}
					return s, update(t, agentSettingsTable, s)
				})
			}),
	}
	e.tasks = append(e.tasks, complianceTask(), dispatcherTask())
	e.registerAssistant()
}

// orgDate is the date of tick in the organization's time zone.
func (e *Engine) orgDate(ctx context.Context, org string, tick time.Time) (string, error) {
	var date string
	err := e.forTenant(ctx, org, tick, func(t *txn) error {
		o, err := load(t, organizationsTable, org)
		if err != nil {
			return err
		}
		date = tick.In(e.location(o.TimeZone)).Format(time.DateOnly)
		return nil
	})
	return date, err
}
