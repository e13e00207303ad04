// Package contractorops is the engine that runs a trades contractor's
// operations: tenants, workforce, compliance, customers, jobs, dispatch,
// estimates, invoices, inventory and maintenance contracts.
//
// Every mutation and query is a command registered once in a versioned
// catalog (namespace/vN/procedure). The engine validates a command, authorizes
// it against the caller's scope, makes it idempotent, runs it against a store
// (in memory by default, or Postgres with row-level security) and records an
// audit event. The rules themselves live in the pure packages jobfsm,
// pricing, dispatch and inventory; the engine asks them and stores what they
// decide.
//
// # Pricebooks, estimates, invoices and payments
//
// Package pricing owns every figure and every document rule; the engine
// stores its documents ([Estimate], [Invoice], [CreditMemo]) and calls it for
// each step. A pricebook ([PricebookService]) has versions, edited as drafts
// and immutable once published; the engine caches the pricer of each
// published version. Estimates are written by hand or generated
// ([EstimateService.Generate]): an [Estimator] — the bundled [RuleEstimator],
// or a model a host plugs in — proposes options from the job and its scope
// of work, and the engine prices them in the job's context (the customer's
// membership, the association, the date, after hours, emergency), each line
// with the trace of its price. Invoices bill an accepted option (its
// deposits become credits) or a job's actuals: its [TimeEntry] records and
// the materials consumed on it. Sending an estimate moves the job to
// ESTIMATE_SENT, accepting one books it and asks for its deposit; issuing an
// invoice moves a completed job to INVOICED, and settling it to PAID —
// always through jobfsm's table and guards, which see the job's estimates
// and invoices.
//
// Money moves through a [PaymentProvider] ([ManualProvider] for cash and
// checks, [TestProvider] for tests) in a recorded step, with an idempotency
// key derived from the command: a retry, a replay or a workflow recovered
// after a crash never captures twice. Every payment gets a [Receipt]; what
// exceeds a balance is the customer's credit ([CreditAccount]). Periodic
// tasks expire estimates, mark invoices OVERDUE and activate pricebook
// versions published ahead. Documents are numbered from per-organization
// counters: EST-2026-000001, INV-2026-000001, RCT-2026-000001,
// CM-2026-000001.
//
// # Maintenance contracts
//
// [MaintenanceService] runs service agreements: contracts through their
// lifecycle table, schedules whose visits are generated idempotently and
// released to dispatch as RECURRING jobs under the contract's SLA, monthly
// SLA scores from the jobs' SLA clocks, and renewals (notice, auto-renewal
// as a successor contract, expiration). Its periodic work is the engine's
// maintenance-* tasks ([Engine.Tasks]).
//
// # Agents
//
// Agents are actors of kind agent acting in the AGENT role ([AgentScope]):
// every action of theirs is a catalog command with an idempotency key and
// the trace of its run, audited like a person's. The built-in agents are
// deterministic and run as periodic tasks, each under keys derived from the
// organization, the date and what it acts on, so that running one twice
// changes nothing the second time. The compliance agent
// ([AgentService.RunCompliance]) warns of expiring licenses and insurance
// (COMPLIANCE_WARNING events, once per document and notice threshold of the
// [CompliancePolicy]), blocks the contractor when a required document
// expired past the grace days, and lifts the blocks it placed — never an
// administrator's — once renewed. The dispatcher agent
// ([AgentService.Dispatch]) inserts new emergencies into the day's live
// plan and optimizes the day when new unassigned work arrives, reporting
// what it did and what the rules refused; its schedule runs only for the
// organizations that turned it on ([AgentSettings].AutoDispatch), since it
// rearranges technicians' days. The procurement agent drafts
// replenishments, the renewal agent recommends contract renewals, and the
// technician assistant ([AssistantService]) verifies checklist steps from
// notes, readings and photos and drafts job notes. An [Estimator] and an
// [Assistant] are interfaces: a host may put a model behind either, and its
// call is a recorded step that a durable replay does not repeat.
//
// # Community associations (CAM)
//
// [CAMService] connects contractors to the community associations and
// management companies they work for. An association requests a [Link] to
// a contractor; the contractor approves or rejects it; either side may
// suspend or revoke it (cam/v1/*). A link is the only way an organization
// sees anything of another: while it is APPROVED the association reads the
// contractor's [PublishedCompliance] — the verdict, score, validity and
// earliest expiries of licenses and insurance, W-9, coverage, block — which
// the contractor publishes whenever its compliance is computed, and nothing
// else. These shared rows are reached through [SharedTx], the one extension
// of the store's per-organization transactions; the stores enforce who sees
// them (Postgres with row-level security policies of their own).
//
// Jobs from a CAM system (work orders, violations, ARC requests) report
// back through the host's [CAMBridge] ([Config.CAMBridge]): the cam-delivery
// task (or cam/v1/deliver) hands each organization's status events to it in
// outbox order, at least once, from a stored cursor; a failure stops that
// organization's delivery at the failed event, is recorded
// (cam/v1/deliveryStatus) and is retried by the next run, and never holds
// up another organization.
//
// # Errors
//
// Every error a caller sees is an [*Error] with a stable [Code] and a [Type].
// Match codes with errors.Is against the sentinels ([ErrNotFound],
// [ErrIllegalTransition], …). [AsError] is the one place where any other
// error becomes a client-facing one.
package contractorops
