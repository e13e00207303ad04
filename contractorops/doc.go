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
// # Maintenance contracts
//
// [MaintenanceService] runs service agreements: contracts through their
// lifecycle table, schedules whose visits are generated idempotently and
// released to dispatch as RECURRING jobs under the contract's SLA, monthly
// SLA scores from the jobs' SLA clocks, and renewals (notice, auto-renewal
// as a successor contract, expiration). Its periodic work is the engine's
// maintenance-* tasks ([Engine.Tasks]).
//
// # Errors
//
// Every error a caller sees is an [*Error] with a stable [Code] and a [Type].
// Match codes with errors.Is against the sentinels ([ErrNotFound],
// [ErrIllegalTransition], …). [AsError] is the one place where any other
// error becomes a client-facing one.
package contractorops
