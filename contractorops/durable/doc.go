// Package durable runs the engine's mutations as DBOS workflows on Postgres,
// so that a crash at any point resumes the work and no effect happens twice.
// It is the only package of the module that imports DBOS.
//
// Every mutation of the catalog is a workflow named after its procedure and
// version ("job.create.v1"); its id derives from the organization, the
// procedure and the idempotency key. Its store transactions run through
// DBOS's RunAsTransaction on the runtime (row-level security) role, each
// setting its tenant first, so each commits exactly once with its
// checkpoint; effects outside the store run as recorded steps. A call whose
// key was used before gets the recorded outcome (after a restart too), or
// IDEMPOTENCY_CONFLICT when its request differs: DBOS itself ignores the new
// input of a reused workflow id, so the request fingerprint is checked here.
//
// The DBOS system tables (schema dbos) hold every tenant's workflow inputs
// and outputs and have no row-level security: give them a role of their own
// (SystemDatabaseURL) and never expose them to tenants.
//
//	store, err := pgstore.Connect(ctx, runtimeURL, nil)
//	runner, err := durable.New(ctx, store, &durable.Config{SystemDatabaseURL: systemURL})
//	eng, err := contractorops.New(store, &contractorops.Config{Runner: runner})
//	defer eng.Close(ctx)
//
// New registers nothing; contractorops.New calls the runner's Start, which
// registers one workflow per mutation of the catalog and then launches DBOS
// (registration must precede launch), recovering this executor's
// interrupted workflows.
package durable
