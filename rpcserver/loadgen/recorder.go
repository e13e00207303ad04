package loadgen

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"encoding/json"
	"github.com/hestami-ai/opsengine/contractorops"
)

// recorder collects the outcomes of a run's operations.
type recorder struct {
	mu        sync.Mutex
	rep       Report
	all       []time.Duration
	latencies map[string][]time.Duration
}

func newRecorder() *recorder {
	return &recorder{
		rep:       Report{Errors: map[string]int{}, Ops: map[string]*OpStats{}, TransportErrors: map[string]int{}},
		latencies: map[string][]time.Duration{},
	}
}

// code is the error code of an operation's outcome ("" for success).
func code(err error) string {
	if err == nil {
		return ""
	}
	var e *contractorops.Error
	if errors.As(err, &e) {
		return string(e.Code)
	}
	return CodeTransport
}

// op records one operation (or one replay, whose name ends in
// " (replay)": replays are not operations of the budget).
func (r *recorder) op(name string, d time.Duration, err error, requests, failovers int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	replay := len(name) > 9 && name[len(name)-9:] == " (replay)"
	s := r.rep.Ops[name]
	if s == nil {
		s = &OpStats{Errors: map[string]int{}}
		r.rep.Ops[name] = s
	}
	s.Count++
	r.rep.Requests += requests
	r.rep.Failovers += failovers
	r.latencies[name] = append(r.latencies[name], d)
	c := code(err)
	if c == "" {
		s.OK++
	} else {
		s.Errors[c]++
	}
	if replay {
		return
	}
	r.rep.Operations++
	r.all = append(r.all, d)
	if c == "" {
		r.rep.OK++
	} else {
		r.rep.Errors[c]++
	}
}

func (r *recorder) transport(target string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.TransportErrors[target]++
}

func (r *recorder) ack(a Ack) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Acks = append(r.rep.Acks, a)
}

// replay records a deliberate replay and whether it matched the original.
func (r *recorder) replay(proc, key string, original, again json.RawMessage, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Retries++
	switch {
	case err != nil:
		r.rep.Mismatches = append(r.rep.Mismatches, fmt.Sprintf("%s key %s: the replay failed: %v", proc, key, err))
	case !sameJSON(original, again):
		r.rep.Mismatches = append(r.rep.Mismatches, fmt.Sprintf("%s key %s: the replay returned %.300s, the original %.300s", proc, key, again, original))
	default:
		r.rep.RetriesMatched++
	}
}

func (r *recorder) count(f func(*Report)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.rep)
}

// report returns the report so far, with its latencies summarized.
func (r *recorder) report() *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := r.rep
	rep.Latency = summarize(append([]time.Duration(nil), r.all...))
	for name, s := range rep.Ops {
		s.Latency = summarize(append([]time.Duration(nil), r.latencies[name]...))
	}
	return &rep
}
