package contractorops

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// The dispatcher agent looks at a day's unassigned work — approved jobs not
// booked yet and booked visits without a technician — and acts on what it
// has not seen before (a job at a version it has not considered): it
// inserts each new emergency into the live plan (dispatch/v1/insertEmergency)
// and, when other new work remains, optimizes the day (dispatch/v1/optimizeDay,
// with a fixed search budget, so a plan is repeatable). Both commands run
// as the agent under keys derived from the organization, the date and the
// work, and keep their rules: stops under way stay put, a blocked
// contractor is not dispatched (the report says so), a stop whose parts
// cannot be reserved is skipped and reported. What it considered is
// remembered per day (agent_runs), so a run with nothing new does nothing.

// defaultAgentIterations is the dispatcher agent's search budget.
const defaultAgentIterations = 2000

// DispatchPendingInput asks for a day's unconsidered work; a zero Date is
// today in the organization's time zone.
type DispatchPendingInput struct {
	Date jobfsm.Date `json:"date,omitzero"`
}

// Validate checks the input.
func (DispatchPendingInput) Validate() error { return nil }

// PendingJob is unassigned work of a day the dispatcher agent has not
// considered at its current version.
type PendingJob struct {
	JobID     string          `json:"jobId"`
	JobNumber string          `json:"jobNumber"`
	Title     string          `json:"title"`
	Priority  jobfsm.Priority `json:"priority"`
	VisitID   string          `json:"visitId,omitempty"`
	// Fingerprint is "jobId@version" (and "/visitId@version" for a booked
	// visit): what the agent remembers having considered.
	Fingerprint string `json:"fingerprint"`
}

// DispatchPending is a day's unconsidered work.
type DispatchPending struct {
	Date jobfsm.Date `json:"date"`
	// Blocked is the refusal of the compliance gate when the contractor is
	// blocked: nothing is dispatched.
	Blocked string       `json:"blocked,omitempty"`
	Jobs    []PendingJob `json:"jobs"`
}

// DispatchAgentInput runs the dispatcher agent on a day (zero: today).
type DispatchAgentInput struct {
	Date jobfsm.Date `json:"date,omitzero"`
	// Iterations is the optimizer's search budget (default 2 000); Seed
	// its seed.
	Iterations int    `json:"iterations,omitempty"`
	Seed       uint64 `json:"seed,omitempty"`
}

// Validate checks the input.
func (in DispatchAgentInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.Iterations, validation.Min(0), validation.Max(1_000_000)))
}

// AgentAction is one command an agent ran and how it ended.
type AgentAction struct {
	Procedure string `json:"procedure"`
	Key       string `json:"key"`
	JobID     string `json:"jobId,omitempty"`
	JobNumber string `json:"jobNumber,omitempty"`
	// Applied says whether the command changed the plan; Replayed, that an
	// earlier run had already done it.
	Applied  bool `json:"applied"`
	Replayed bool `json:"replayed,omitempty"`
	// Code and Message are a refusal (COMPLIANCE_BLOCKED,
	// ILLEGAL_TRANSITION …): reported, not a failure of the run.
	Code    Code         `json:"code,omitempty"`
	Message string       `json:"message,omitempty"`
	Changes *PlanChanges `json:"changes,omitempty"`
	// Unassigned are the jobs the plan left out, with each technician's
	// reason (skills, parts, shifts …).
	Unassigned []UnassignedView `json:"unassigned,omitempty"`
}

// DispatchAgentReport is what a dispatcher agent run did.
type DispatchAgentReport struct {
	Date    jobfsm.Date   `json:"date"`
	Blocked string        `json:"blocked,omitempty"`
	Pending []PendingJob  `json:"pending"`
	Actions []AgentAction `json:"actions"`
}

// pendingDispatch reads the day's unassigned work the agent has not
// considered.
func (c *call) pendingDispatch(t *txn, date jobfsm.Date) (*DispatchPending, error) {
	if date == (jobfsm.Date{}) {
		date = jobfsm.DateOf(c.now.In(c.e.location(c.orgTimeZone(t))))
	}
	out := &DispatchPending{Date: date, Jobs: []PendingJob{}}
	facts, _, err := loadComplianceFacts(t)
	if err != nil {
		return nil, err
	}
	if st := facts.Evaluate(c.now); st.Blocked {
		out.Blocked = AsError(st.Check()).Message
		return out, nil
	}
	ds, err := c.readDay(t, date, dayOptions{backlog: true})
	if err != nil {
		return nil, err
	}
	run, err := loadAgentRun(t, DispatcherAgent, date.String())
	if err != nil {
		return nil, err
	}
	for _, ref := range ds.Refs {
		if ref.AssignmentID != "" {
			continue
		}
		fp := fmt.Sprintf("%s@%d", ref.JobID, ref.JobVersion)
		if ref.VisitID != "" {
			fp += fmt.Sprintf("/%s@%d", ref.VisitID, ref.VisitVersion)
		}
		if slices.Contains(run.Considered, fp) {
			continue
		}
		out.Jobs = append(out.Jobs, PendingJob{JobID: ref.JobID, JobNumber: ref.JobNumber, Title: ref.Title, Priority: ref.Priority,
			VisitID: ref.VisitID, Fingerprint: fp})
	}
	slices.SortFunc(out.Jobs, func(a, b PendingJob) int { return strings.Compare(a.Fingerprint, b.Fingerprint) })
	slices.SortStableFunc(out.Jobs, func(a, b PendingJob) int { return strings.Compare(a.JobNumber, b.JobNumber) })
	return out, nil
}

func (c *call) dispatchPending(in *DispatchPendingInput) (*DispatchPending, error) {
	return inTx(c, "pending", func(t *txn) (*DispatchPending, error) { return c.pendingDispatch(t, in.Date) })
}

// fingerprints lists the pending jobs' fingerprints.
func fingerprints(jobs []PendingJob) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.Fingerprint
	}
	return out
}

// runDispatcherAgent is agent/v1/dispatch.
func (c *call) runDispatcherAgent(in *DispatchAgentInput) (*DispatchAgentReport, error) {
	pending, err := inTx(c, "pending", func(t *txn) (*DispatchPending, error) { return c.pendingDispatch(t, in.Date) })
	if err != nil {
		return nil, err
	}
	out := &DispatchAgentReport{Date: pending.Date, Blocked: pending.Blocked, Pending: pending.Jobs, Actions: []AgentAction{}}
	if pending.Blocked != "" || len(pending.Jobs) == 0 {
		return out, nil
	}
	date := pending.Date
	scope := AgentScope(c.scope.OrganizationID, DispatcherAgent, "dispatch/v1/insertEmergency", "dispatch/v1/optimizeDay")
	var rest []PendingJob
	for _, j := range pending.Jobs {
		if j.Priority != jobfsm.PriorityEmergency {
			rest = append(rest, j)
			continue
		}
		key := "dispatcher-agent:emergency:" + date.String() + ":" + j.Fingerprint
		a, err := c.agentAct("insert-emergency", scope, "dispatch/v1/insertEmergency", key, &InsertEmergencyInput{JobID: j.JobID, Date: date},
			func(data json.RawMessage, a *AgentAction) error {
				var r InsertResult
				if err := json.Unmarshal(data, &r); err != nil {
					return err
				}
				a.Applied, a.Changes, a.Unassigned = r.Applied, &r.Changes, r.Unassigned
				return nil
			})
		if err != nil {
			return nil, err
		}
		a.JobID, a.JobNumber = j.JobID, j.JobNumber
		out.Actions = append(out.Actions, *a)
	}
	if len(rest) > 0 {
		opt := OptimizeDayInput{Date: date, Iterations: or(in.Iterations, defaultAgentIterations), Seed: in.Seed}
		key := "dispatcher-agent:optimize:" + date.String() + ":" +
			digest(append(fingerprints(rest), fmt.Sprint(opt.Iterations), fmt.Sprint(opt.Seed))...)
		a, err := c.agentAct("optimize-day", scope, "dispatch/v1/optimizeDay", key, &opt,
			func(data json.RawMessage, a *AgentAction) error {
				var p DayPlan
				if err := json.Unmarshal(data, &p); err != nil {
					return err
				}
				a.Applied, a.Changes, a.Unassigned = p.Applied, &p.Changes, p.Unassigned
				return nil
			})
		if err != nil {
			return nil, err
		}
		out.Actions = append(out.Actions, *a)
	}
	_, err = inTx(c, "remember", func(t *txn) (bool, error) {
		run, err := loadAgentRun(t, DispatcherAgent, date.String())
		if err != nil {
			return false, err
		}
		for _, fp := range fingerprints(pending.Jobs) {
			if !slices.Contains(run.Considered, fp) {
				run.Considered = append(run.Considered, fp)
			}
		}
		run.Runs++
		run.LastRunAt = t.now
		if run.Version == 0 {
			return true, insert(t, agentRunsTable, run)
		}
		return true, update(t, agentRunsTable, run)
	})
	return out, err
}

// agentAct runs a command as an agent in a recorded step (a durable replay
// returns the record; a crash while it runs runs it again under the same
// idempotency key, which replays it). A refusal of the command's rules is
// the action's outcome; a fault, or a retryable conflict, fails the run.
func (c *call) agentAct(step string, scope Scope, procedure, key string, in any, fill func(json.RawMessage, *AgentAction) error) (*AgentAction, error) {
	return inStep(c, step, func(ctx context.Context) (*AgentAction, error) {
		a := &AgentAction{Procedure: procedure, Key: key}
		resp, err := c.e.Execute(ctx, scope, procedure, key, in)
		if err != nil {
			ee := AsError(err)
			if ee.Type == TypeInternal || ee.Retryable {
				return nil, err
			}
			a.Code, a.Message = ee.Code, ee.Message
			return a, nil
		}
		a.Replayed = resp.Replayed
		if err := fill(resp.Data, a); err != nil {
			return nil, WrapError(err, CodeInternal, "decode the result of %s", procedure)
		}
		return a, nil
	})
}

// dispatcherTask runs the dispatcher agent every five minutes for every
// organization on its today: when there is unassigned work it has not
// considered, under a key derived from that work. With nothing new it runs
// no command at all.
func dispatcherTask() Task {
	return Task{
		Name:        DispatcherAgent,
		Description: "Insert new emergencies into today's live plan and optimize the day when new unassigned work arrives (organizations with AutoDispatch on).",
		Schedule:    "0 */5 * * * *",
		run: func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
			var on bool
			if err := e.forTenant(ctx, org, tick, func(t *txn) error {
				s, err := loadAgentSettings(t)
				on = err == nil && s.AutoDispatch
				return err
			}); err != nil || !on {
				return 0, err
			}
			date, err := e.orgDate(ctx, org, tick)
			if err != nil {
				return 0, err
			}
			d, err := time.Parse(time.DateOnly, date)
			if err != nil {
				return 0, err
			}
			scope := AgentScope(org, DispatcherAgent, "agent/v1/dispatchPending", "agent/v1/dispatch")
			resp, err := e.Execute(ctx, scope, "agent/v1/dispatchPending", "", &DispatchPendingInput{Date: jobfsm.DateOf(d)})
			if err != nil {
				return 0, err
			}
			var p DispatchPending
			if err := json.Unmarshal(resp.Data, &p); err != nil {
				return 0, err
			}
			if p.Blocked != "" || len(p.Jobs) == 0 {
				return 0, nil
			}
			key := "dispatch:" + date + ":" + digest(fingerprints(p.Jobs)...)
			_, err = e.Execute(ctx, scope, "agent/v1/dispatch", key, &DispatchAgentInput{Date: p.Date})
			return 1, err
		},
	}
}
