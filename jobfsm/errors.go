package jobfsm

import (
	"errors"
	"fmt"
)

// Sentinels for [errors.Is]. A refused transition is a [*TransitionError]
// matching exactly one of ErrIllegalTransition and ErrGuardFailed; bad input
// is an [*InputError] matching ErrInvalidInput.
var (
	// ErrIllegalTransition: the tables forbid the move whatever the facts
	// (no such edge, a terminal status, a hold that would go backwards).
	ErrIllegalTransition = errors.New("jobfsm: illegal transition")
	// ErrGuardFailed: the edge exists but one of its guards does not hold
	// on the facts supplied (no technician, an unpaid balance, …).
	ErrGuardFailed = errors.New("jobfsm: guard failed")
	// ErrInvalidInput: a request, a calendar or a policy is malformed.
	ErrInvalidInput = errors.New("jobfsm: invalid input")
)

// Machine names one of the three state machines.
type Machine string

// The machines.
const (
	MachineJob        Machine = "JOB"
	MachineVisit      Machine = "VISIT"
	MachineAssignment Machine = "ASSIGNMENT"
)

// Rule names the rule that refused a transition. Rules are stable codes:
// callers may switch on them and show [Rule.Description] to people.
type Rule string

// Table rules: a refusal by one of them matches [ErrIllegalTransition].
const (
	RuleUnknownStatus   Rule = "UNKNOWN_STATUS"    // a status the machine does not have
	RuleTerminal        Rule = "TERMINAL_STATUS"   // nothing leaves CLOSED, CANCELLED, COMPLETED, DECLINED…
	RuleAlreadyInStatus Rule = "ALREADY_IN_STATUS" // the target is the current status (a retried command)
	RuleNotInTable      Rule = "NOT_IN_TABLE"      // no such edge (or no such action from here)
	RuleHoldReturn      Rule = "HOLD_RETURN"       // ON_HOLD returns to where it came from or moves forward
)

// Guard rules: a refusal by one of them matches [ErrGuardFailed].
const (
	RuleReasonCode         Rule = "REASON_CODE_REQUIRED"      // cancel, hold and decline need a reason code
	RuleEstimateToSend     Rule = "ESTIMATE_TO_SEND"          // an estimate in DRAFT, SENT or VIEWED exists
	RuleEstimateAccepted   Rule = "ESTIMATE_ACCEPTED"         // an estimate was accepted
	RuleVisitBooked        Rule = "VISIT_BOOKED"              // a visit is booked and still open
	RuleVisitsDone         Rule = "VISITS_DONE"               // no visit is still open
	RuleTechnicianAssigned Rule = "TECHNICIAN_ASSIGNED"       // a technician is assigned
	RuleCheckpointsDone    Rule = "REQUIRED_CHECKPOINTS_DONE" // every required checkpoint is done
	RuleInvoiceIssued      Rule = "INVOICE_ISSUED"            // a non-void invoice exists
	RuleBalanceSettled     Rule = "BALANCE_SETTLED"           // nothing is owed on the job's invoices
	RuleWarrantyActive     Rule = "WARRANTY_ACTIVE"           // a warranty end is recorded and not reached
	RuleNoPayments         Rule = "NO_PAYMENTS"               // no payment is applied (refund first)
)

// ruleDescriptions is a constant lookup table: what each rule requires, in
// words for a dispatcher's screen.
var ruleDescriptions = map[Rule]string{
	RuleUnknownStatus:      "the status is not one of the machine's statuses",
	RuleTerminal:           "the status is final: nothing may follow it",
	RuleAlreadyInStatus:    "it is already in that status",
	RuleNotInTable:         "the transition table has no such move",
	RuleHoldReturn:         "a job on hold returns to the status it was held from or moves forward",
	RuleReasonCode:         "a reason code is required",
	RuleEstimateToSend:     "an estimate in DRAFT, SENT or VIEWED is required",
	RuleEstimateAccepted:   "an accepted estimate is required",
	RuleVisitBooked:        "an open visit must be booked",
	RuleVisitsDone:         "every visit must be completed or cancelled",
	RuleTechnicianAssigned: "a technician must be assigned",
	RuleCheckpointsDone:    "every required checkpoint must be done",
	RuleInvoiceIssued:      "a non-void invoice is required",
	RuleBalanceSettled:     "the job's invoices must be paid in full",
	RuleWarrantyActive:     "the job's warranty must be recorded and not ended",
	RuleNoPayments:         "payments must be refunded first",
}

// Description says in words what the rule requires.
func (r Rule) Description() string {
	if d, ok := ruleDescriptions[r]; ok {
		return d
	}
	return string(r)
}

// sentinel is the error a refusal by r matches.
func (r Rule) sentinel() error {
	switch r {
	case RuleUnknownStatus, RuleTerminal, RuleAlreadyInStatus, RuleNotInTable, RuleHoldReturn:
		return ErrIllegalTransition
	}
	return ErrGuardFailed
}

// TransitionError is a refused transition: which machine, from where to
// where (To is empty when an [Action] named no edge), the rule that refused
// it and, when there is one, a detail such as the amount still owed.
//
// It matches [ErrIllegalTransition] when a table rule refused and
// [ErrGuardFailed] when a guard did.
type TransitionError struct {
	Machine Machine `json:"machine"`
	From    string  `json:"from"`
	To      string  `json:"to,omitempty"`
	Action  Action  `json:"action,omitempty"`
	Rule    Rule    `json:"rule"`
	Detail  string  `json:"detail,omitempty"`
}

func (e *TransitionError) Error() string {
	to := e.To
	if to == "" {
		to = string(e.Action)
	}
	msg := fmt.Sprintf("jobfsm: %s %s → %s refused by %s: %s", e.Machine, e.From, to, e.Rule, e.Rule.Description())
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Is matches the sentinel of the rule that refused.
func (e *TransitionError) Is(target error) bool { return target == e.Rule.sentinel() }

// InputError is a malformed argument: a missing actor or time, an invalid
// calendar span, a policy without targets. Field names the argument by its
// JSON name.
type InputError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

func (e *InputError) Error() string { return "jobfsm: invalid " + e.Field + ": " + e.Problem }

// Is matches [ErrInvalidInput].
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }
