// Package memstore is the engine's embedded store: every table in memory,
// with transactions, optimistic versions and unique keys, and no set-up.
//
// It is the default store of the engine — for tests, examples, simulations
// and hosts that keep their own persistence — not a mock: it passes the same
// conformance suite (contractorops/storetest) as the Postgres store.
// Transactions of one organization are serialized; organizations never see
// each other's rows, except the association–vendor links and published
// compliance of [contractorops.SharedTx], under the same rules as the
// Postgres store's policies. Nothing survives the process.
//
//	eng, err := contractorops.New(memstore.New(), nil)
package memstore
