package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// cpuClock reads this process's CPU time (user plus system) as a time.
func cpuClock() time.Time {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return time.Now()
	}
	return time.Unix(0, ru.Utime.Nano()+ru.Stime.Nano())
}

// solve reads a VROOM problem from r and returns VROOM's output.
func solve(ctx context.Context, r io.Reader, opt dispatch.Options) (*dispatch.VROOMOutput, error) {
	var in dispatch.VROOMInput
	dec := json.NewDecoder(r)
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("reading input: %w", err)
	}
	s, err := in.Snapshot()
	if err != nil {
		return nil, err
	}
	plan, err := dispatch.Optimize(ctx, s, &opt)
	if err != nil {
		return nil, err
	}
	return in.Solution(plan), nil
}

func main() {
	limit := flag.Duration("time-limit", 2500*time.Millisecond, "search time")
	seed := flag.Uint64("seed", 1, "random seed")
	cpu := flag.Bool("cpu", false, "count the time limit in this process's CPU time")
	flag.Parse()
	// By the wall clock the limit is a context deadline, reading included;
	// by CPU time it is Options.TimeLimit read on cpuClock.
	opt := dispatch.Options{Seed: *seed, Clock: time.Now}
	ctx := context.Background()
	if *cpu {
		opt.Clock, opt.TimeLimit = cpuClock, *limit
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *limit)
		defer cancel()
	}
	out, err := solve(ctx, os.Stdin, opt)
	if err != nil {
		out = &dispatch.VROOMOutput{Code: 2, Error: err.Error()}
	}
	enc := json.NewEncoder(os.Stdout)
	if e := enc.Encode(out); e != nil || err != nil {
		fmt.Fprintln(os.Stderr, "vroomcompat:", err, e)
		os.Exit(1)
	}
}
