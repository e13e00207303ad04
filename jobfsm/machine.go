package jobfsm

import (
	"slices"
	"time"
)

// Action names a command that moves a machine along one of its edges:
// dispatchers press DISPATCH, technicians press DEPART. Every edge of every
// table carries exactly one action; the same action may label edges of
// several machines (START, COMPLETE, CANCEL…).
type Action string

// The actions of the job machine.
const (
	ActionOpen              Action = "OPEN" // creation: the first history entry
	ActionQualify           Action = "QUALIFY"
	ActionRequireEstimate   Action = "REQUIRE_ESTIMATE"
	ActionSendEstimate      Action = "SEND_ESTIMATE"
	ActionApproveEstimate   Action = "APPROVE_ESTIMATE"
	ActionReviseEstimate    Action = "REVISE_ESTIMATE"
	ActionBook              Action = "BOOK"
	ActionSchedule          Action = "SCHEDULE"
	ActionReschedule        Action = "RESCHEDULE"
	ActionUnschedule        Action = "UNSCHEDULE"
	ActionDispatch          Action = "DISPATCH"
	ActionStart             Action = "START" // also visits
	ActionHold              Action = "HOLD"
	ActionResume            Action = "RESUME"   // also visits
	ActionComplete          Action = "COMPLETE" // also visits and assignments
	ActionInvoice           Action = "INVOICE"
	ActionPay               Action = "PAY"
	ActionEnterWarranty     Action = "ENTER_WARRANTY"
	ActionReopenForWarranty Action = "REOPEN_FOR_WARRANTY"
	ActionClose             Action = "CLOSE"
	ActionCancel            Action = "CANCEL" // also visits and assignments
)

// The actions of the visit and assignment machines, besides the shared ones.
const (
	ActionDepart  Action = "DEPART"  // on my way
	ActionArrive  Action = "ARRIVE"  // on site
	ActionPause   Action = "PAUSE"   // visit paused (lunch, a parts run)
	ActionRecall  Action = "RECALL"  // an en-route technician is called back; the visit is booked again
	ActionAssign  Action = "ASSIGN"  // a pending assignment is offered to its technician
	ActionAccept  Action = "ACCEPT"  // the technician accepts
	ActionDecline Action = "DECLINE" // the technician declines
)

// Request is who asks for a transition, why and when. At is the caller's
// now: jobfsm never reads a clock.
type Request struct {
	Actor      string    `json:"actor"`
	ReasonCode string    `json:"reasonCode,omitempty"` // a tenant's code: NO_ACCESS, WAITING_ON_PARTS…
	Reason     string    `json:"reason,omitempty"`     // free text for the history
	At         time.Time `json:"at"`
}

func (r Request) validate() error {
	if r.Actor == "" {
		return &InputError{Field: "actor", Problem: "required: the history records who moved it"}
	}
	if r.At.IsZero() {
		return &InputError{Field: "at", Problem: "required: pass the caller's now"}
	}
	return nil
}

// Entry is one line of a machine's history: the reference's JobStatusHistory
// (from, to, changedBy, changedAt, notes) plus the action and reason code.
// The first entry of a job has no From.
type Entry[S ~string] struct {
	From       S         `json:"from,omitempty"`
	To         S         `json:"to"`
	Action     Action    `json:"action"`
	Actor      string    `json:"actor"`
	ReasonCode string    `json:"reasonCode,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
}

func entry[S ~string](from, to S, a Action, r Request) Entry[S] {
	return Entry[S]{From: from, To: to, Action: a, Actor: r.Actor, ReasonCode: r.ReasonCode, Reason: r.Reason, At: r.At}
}

// Edge is one row of a transition table: the move, the action that makes
// it and the rules checked, in order, before it is allowed.
type Edge[S ~string] struct {
	From   S      `json:"from"`
	To     S      `json:"to"`
	Action Action `json:"action"`
	Guards []Rule `json:"guards,omitempty"`
}

// Option is an edge out of the current status and whether it is allowed
// now: what a dispatcher's screen turns into enabled and disabled buttons.
// Refusals lists every rule that does not hold, not only the first.
// NeedsReason says the move needs a reason code, which the screen asks for;
// it is not a refusal.
type Option[S ~string] struct {
	Edge[S]
	Allowed     bool               `json:"allowed"`
	NeedsReason bool               `json:"needsReason,omitempty"`
	Refusals    []*TransitionError `json:"refusals,omitempty"`
}

// guard is one rule of an edge. check returns "" when the rule holds and
// otherwise a detail for the error ("balance due 120.00"), or the rule's
// description when there is nothing more to say.
type guard[X any] struct {
	rule  Rule
	input bool // depends on the request, not the facts: [Option.NeedsReason]
	check func(X) string
}

type edge[S ~string, X any] struct {
	Edge[S]
	guards []guard[X]
}

// machine is a transition table over statuses S whose guards read X. The
// three machines are values of it, built once and never changed.
type machine[S ~string, X any] struct {
	name     Machine
	states   []S // display order
	initial  []S
	terminal []S
	edges    []edge[S, X]
	notes    map[S]string // for the diagram
}

func newEdge[S ~string, X any](from, to S, a Action, gs ...guard[X]) edge[S, X] {
	e := edge[S, X]{Edge: Edge[S]{From: from, To: to, Action: a}, guards: gs}
	for _, g := range gs {
		e.Guards = append(e.Guards, g.rule)
	}
	return e
}

// reasonCode is the guard of moves that need a reason code.
func reasonCode[X any](req func(X) Request) guard[X] {
	return guard[X]{rule: RuleReasonCode, input: true, check: func(x X) string {
		if req(x).ReasonCode == "" {
			return RuleReasonCode.Description()
		}
		return ""
	}}
}

func (m *machine[S, X]) has(s S) bool        { return slices.Contains(m.states, s) }
func (m *machine[S, X]) isTerminal(s S) bool { return slices.Contains(m.terminal, s) }

func (m *machine[S, X]) refusal(from, to S, a Action, r Rule, detail string) *TransitionError {
	return &TransitionError{Machine: m.name, From: string(from), To: string(to), Action: a, Rule: r, Detail: detail}
}

// leave refuses any move out of from that the status alone forbids.
func (m *machine[S, X]) leave(from S, to S, a Action) *TransitionError {
	switch {
	case !m.has(from):
		return m.refusal(from, to, a, RuleUnknownStatus, "from "+quote(string(from)))
	case to != "" && !m.has(to):
		return m.refusal(from, to, a, RuleUnknownStatus, "to "+quote(string(to)))
	case m.isTerminal(from):
		return m.refusal(from, to, a, RuleTerminal, "")
	}
	return nil
}

// find returns the edge from → to, or the table rule that refuses the move.
func (m *machine[S, X]) find(from, to S) (*edge[S, X], *TransitionError) {
	if err := m.leave(from, to, ""); err != nil {
		return nil, err
	}
	for i := range m.edges {
		if e := &m.edges[i]; e.From == from && e.To == to {
			return e, nil
		}
	}
	if from == to {
		return nil, m.refusal(from, to, "", RuleAlreadyInStatus, "")
	}
	return nil, m.refusal(from, to, "", RuleNotInTable, "")
}

// byAction returns the edge the action labels from this status.
func (m *machine[S, X]) byAction(from S, a Action) (*edge[S, X], *TransitionError) {
	if err := m.leave(from, "", a); err != nil {
		return nil, err
	}
	for i := range m.edges {
		if e := &m.edges[i]; e.From == from && e.Action == a {
			return e, nil
		}
	}
	return nil, m.refusal(from, "", a, RuleNotInTable, "")
}

// pick returns the edge from → to or, for an action, the edge the action
// labels from this status, once its guards hold.
func (m *machine[S, X]) pick(from, to S, a Action, x X) (*edge[S, X], error) {
	var (
		e   *edge[S, X]
		err *TransitionError
	)
	if a == "" {
		e, err = m.find(from, to)
	} else {
		e, err = m.byAction(from, a)
	}
	if err == nil {
		err = m.check(e, x)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// check evaluates the edge's guards in order and returns the first refusal.
func (m *machine[S, X]) check(e *edge[S, X], x X) *TransitionError {
	for _, g := range e.guards {
		if d := g.check(x); d != "" {
			return m.refusal(e.From, e.To, e.Action, g.rule, detail(g.rule, d))
		}
	}
	return nil
}

// options lists the edges out of from with every refusal of each.
func (m *machine[S, X]) options(from S, x X) []Option[S] {
	if m.leave(from, "", "") != nil {
		return nil
	}
	var opts []Option[S]
	for i := range m.edges {
		e := &m.edges[i]
		if e.From != from {
			continue
		}
		o := Option[S]{Edge: cloneEdge(e.Edge)}
		for _, g := range e.guards {
			if g.input {
				o.NeedsReason = true
				continue
			}
			if d := g.check(x); d != "" {
				o.Refusals = append(o.Refusals, m.refusal(e.From, e.To, e.Action, g.rule, detail(g.rule, d)))
			}
		}
		o.Allowed = len(o.Refusals) == 0
		opts = append(opts, o)
	}
	return opts
}

// table returns a copy of the edges, for documentation and screens.
func (m *machine[S, X]) table() []Edge[S] {
	out := make([]Edge[S], len(m.edges))
	for i := range m.edges {
		out[i] = cloneEdge(m.edges[i].Edge)
	}
	return out
}

func cloneEdge[S ~string](e Edge[S]) Edge[S] {
	e.Guards = slices.Clone(e.Guards)
	return e
}

// detail drops a guard's detail when it only repeats the rule's description.
func detail(r Rule, d string) string {
	if d == r.Description() {
		return ""
	}
	return d
}

func quote(s string) string { return `"` + s + `"` }
