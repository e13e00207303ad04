// Package pgtest gives tests a real PostgreSQL: a fresh database per test
// binary, an owner role that runs migrations and owns the tables, and a
// runtime role that is neither superuser nor BYPASSRLS, so row-level security
// is really enforced (superusers bypass it even with FORCE).
//
// Tests read the server from TEST_DATABASE_URL (a postgres:// URL for a role
// that may create roles and databases). Without it they skip, unless
// OPSENGINE_REQUIRE_PG=1, when they fail: CI sets it so a missing database can
// never pass as green. scripts/test provides both.
//
// A package that uses pgtest ends its test binary with [Main], which drops
// the database it created:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestStore(t *testing.T) {
//		db := pgtest.New(t)
//		migrate(db.OwnerURL)
//		pool := connect(db.URL) // the runtime role
//	}
//
// A test that must stop, crash or restart PostgreSQL cannot do it to a
// shared server: [StartCluster] gives it a throwaway cluster of its own
// (initdb from the local PostgreSQL binaries into a temporary directory, on a
// free loopback port), and [Cluster.DB] a database on it with the same two
// roles.
package pgtest
