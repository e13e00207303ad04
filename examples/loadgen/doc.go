// Loadgen drives an office's day over the RPC API against running opsd
// servers (or an embedded one it starts) and prints throughput, latency
// percentiles and errors by code: jobs created, estimated, accepted,
// scheduled, walked through their visit, completed, invoiced and paid,
// between dispatch board and job reads, every write with an idempotency key
// and a share of them replayed on purpose (package rpcserver/loadgen).
// Runs are bounded in count and time, and only against loopback addresses.
//
//	go run ./examples/loadgen -embedded -requests 2000
//	go run ./examples/loadgen -target http://127.0.0.1:8080,http://127.0.0.1:8081 \
//		-key "$OPS_API_KEY" -concurrency 16 -duration 30s -retry-share 0.05 -verify
//
// With -key, it first seeds the key's organization through the API
// (technicians, customers, a pricebook, compliance documents), which is
// safe to repeat with the same -seed. -verify afterwards sends again the
// writes whose outcome the run left unknown (a target was down), then every
// acknowledged write, and checks that each took effect exactly once. -json
// writes the whole report (with the acknowledged writes) to a file.
package main
