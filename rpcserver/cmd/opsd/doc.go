// Opsd serves the engine's RPC API (package rpcserver) over HTTP: the
// binary a team runs to host the engine for its contractors.
//
// Usage:
//
//	opsd [serve] [flags]     serve the API (the default command)
//	opsd migrate [flags]     apply the database migrations, as the schema's owner
//	opsd create-org [flags]  create an organization and print its OWNER API key
//
// With no database, opsd runs the embedded engine (in memory, not durable):
// it creates a demo organization and prints its OWNER API key, or accepts
// the key given in OPSD_BOOTSTRAP_API_KEY. With -database-url (or
// OPSENGINE_DATABASE_URL) it runs on Postgres with durable workflows; it
// refuses to start on a database that `opsd migrate` has not brought up to
// date.
//
//	go run ./rpcserver/cmd/opsd -addr 127.0.0.1:8080
//	curl -s -X POST localhost:8080/api/v1/rpc/customer/v1/create \
//		-H "Authorization: Bearer $KEY" -H "Idempotency-Key: $(uuidgen)" \
//		-d '{"name":"Ada Lovelace"}'
//
// Endpoints besides the API (see package rpcserver): GET /healthz answers
// 200 while the process runs; GET /readyz answers 200 when the database and
// the workflow runtime answer, and 503 once shutdown has begun. On SIGTERM
// or SIGINT, opsd stops accepting connections, drains the requests in
// flight (up to -shutdown-timeout), then stops the workflow runtime.
//
// -test-payment-provider (OPSD_TEST_PAYMENT_PROVIDER=true) registers the
// engine's deterministic test payment provider under the name "test", so
// that load and fault runs (package rpcserver/loadgen, examples/loadgen)
// take card payments through a provider: it moves no money and remembers
// its captures in memory only. It is off by default and is not for
// production.
//
// Logs are JSON lines (log/slog) on standard error, one per request with
// its request id, organization, procedure, status and duration. Every flag
// can also be set by the environment variable that `opsd -h` names.
package main
