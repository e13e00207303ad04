// Package loadgen drives a realistic mix of an office's day over the RPC
// API (package rpcserver) and measures it: [Seed] populates an
// organization through the API, [Run] sends the mix (jobs created,
// estimated, accepted, scheduled, walked through their visit, completed,
// invoiced and paid, between dispatch board and job reads) at a target
// rate or with a closed loop of workers, every write with an idempotency
// key and a share of them replayed on purpose, and [Verify] checks after
// the fact that every acknowledged write took effect exactly once.
//
// A run is bounded in operations and in time, and only drives servers on
// loopback addresses:
//
//	c := client.New("http://127.0.0.1:8080", key, nil)
//	fx, err := loadgen.Seed(ctx, c, &loadgen.SeedConfig{Seed: 1})
//	…
//	rep, err := loadgen.Run(ctx, &loadgen.Config{
//		Targets: []string{"http://127.0.0.1:8080"},
//		Orgs:    []loadgen.Org{{APIKey: key, Fixture: fx}},
//		Concurrency: 8, Duration: 30 * time.Second, RetryShare: 0.05,
//	})
//	…
//	rep.WriteText(os.Stdout)
//	err = loadgen.Verify(ctx, c, rep)
//
// The report gives throughput, latency percentiles overall and per
// procedure, errors by envelope code (and transport failures), the replays
// and whether each returned the original response, and every acknowledged
// write ([Ack]) for checkers of exactly-once effects, for instance after a
// server was killed mid-run: a write whose response was lost is sent again
// with its key, to the next target, and one whose outcome stays unknown at
// the end is listed in [Report.Unresolved].
package loadgen
