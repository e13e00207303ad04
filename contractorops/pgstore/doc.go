// Package pgstore is the engine's Postgres store: pgx v5, embedded
// migrations, and row-level security on every table.
//
// Every table carries organization_id, has row-level security ENABLEd and
// FORCEd, and a policy that admits only the rows of the organization set in
// the transaction:
//
//	organization_id = (SELECT NULLIF(current_setting('app.org_id', true), '')::uuid)
//
// Each transaction begins with set_config('app.org_id', org, true), which is
// transaction-local: a pooled connection never carries a tenant over. A
// connection with no tenant set sees no rows and can write none.
//
// The rows two organizations share (migration 0009: the association–vendor
// links and the compliance contractors publish through them) have policies
// of their own: a link admits its two parties; a published snapshot admits
// its owner, and associations for SELECT while they hold an APPROVED link
// with it (an EXISTS over the links). Their transactions implement
// [contractorops.SharedTx].
//
// Run migrations as the owner of the schema, and the engine as a separate
// runtime role that is neither the owner, a superuser nor BYPASSRLS
// (superusers and BYPASSRLS roles skip row-level security even when forced):
//
//	err := pgstore.Migrate(ctx, ownerURL, &pgstore.MigrateOpts{RuntimeRole: "opsengine_app"})
//	store, err := pgstore.Connect(ctx, runtimeURL, nil)
//	eng, err := contractorops.New(store, &contractorops.Config{Runner: runner})
//
// The migrations are also available as [MigrationsFS] for hosts that use their
// own migration tool.
package pgstore
