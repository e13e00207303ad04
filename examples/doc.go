// Package examples holds runnable programs that show the engine at work; each
// subdirectory is a main package (go run ./examples/quickstart):
//
//   - quickstart: one contractor's day on the embedded engine.
//   - dispatchsim: a contractor's dispatch day simulated under several
//     policies, with a report.
//   - solomon: Solomon's VRPTW benchmark instances solved by the optimizer.
//   - vroomcompat: the optimizer behind VROOM's JSON input and output.
//   - loadgen: an office's day driven over HTTP against opsd (or an
//     embedded server) at a rate or a concurrency, with idempotency keys
//     and deliberate replays; it reports throughput, latency percentiles
//     and errors by code, and can verify that every acknowledged write took
//     effect exactly once (go run ./examples/loadgen -embedded).
package examples
