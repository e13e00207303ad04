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
// # Errors
//
// Every error a caller sees is an [*Error] with a stable [Code] and a [Type].
// Match codes with errors.Is against the sentinels ([ErrNotFound],
// [ErrIllegalTransition], …). [AsError] is the one place where any other
// error becomes a client-facing one.
package contractorops
