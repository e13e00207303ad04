package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// CodeTransport counts the requests that got no envelope back: the
// connection was refused or broken, or the answer was not the API's.
const CodeTransport = "TRANSPORT"

// Report is what a run did and measured.
type Report struct {
	RunID string
	// Mode describes the loop: "closed loop, 8 workers" or "open loop,
	// 200 req/s".
	Mode    string
	Targets []string
	Start   time.Time
	Elapsed time.Duration
	// Operations is the count of operations (the quantity Config.Requests
	// bounds); Requests counts every HTTP request sent, with the retries
	// and failovers.
	Operations int
	Requests   int
	// OK is the operations answered with success; Errors counts the
	// others by envelope code (CodeTransport when there was none).
	OK     int
	Errors map[string]int
	// Throughput is Operations per second of Elapsed; WriteThroughput is
	// the acknowledged writes (len(Acks)) per second.
	Throughput      float64
	WriteThroughput float64
	// Latency is over every operation, success or not; Ops breaks the
	// operations down by procedure.
	Latency Latency
	Ops     map[string]*OpStats
	// Retries is the deliberate replays sent (Config.RetryShare);
	// RetriesMatched those that returned the original response.
	// Mismatches describes the others.
	Retries        int
	RetriesMatched int
	Mismatches     []string
	// Failovers counts requests sent again to another target after a
	// transport failure; TransportErrors counts those failures by target.
	Failovers       int
	TransportErrors map[string]int
	// JobsCreated and JobsPaid count the jobs the run created and carried
	// to payment in full.
	JobsCreated int
	JobsPaid    int
	// FirstDay is the first day the run schedules visits on (each run
	// books days of its own, far ahead).
	FirstDay time.Time
	// Acks is every write that got a success response, in order of
	// response; Unresolved the writes whose last attempt got no answer or
	// a retryable one (still running, rate limited), so that their effect
	// is unknown: they may have happened once, never twice ([Resolve]
	// settles them).
	Acks       []Ack
	Unresolved []Ack
}

// Ack is a write and its success response.
type Ack struct {
	OrgID     string          `json:"orgId"`
	Procedure string          `json:"procedure"`
	Key       string          `json:"key"`
	Request   json.RawMessage `json:"request"`
	// Response is the envelope's data (empty for an unresolved write).
	Response json.RawMessage `json:"response,omitempty"`
}

// OpStats is the count and latency of one procedure's operations.
type OpStats struct {
	Count   int
	OK      int
	Errors  map[string]int
	Latency Latency
}

// Latency summarizes a set of latencies.
type Latency struct {
	P50, P95, P99, Max, Mean time.Duration
}

// summarize computes the latency summary of ds (which it sorts).
func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	q := func(p float64) time.Duration {
		i := int(p*float64(len(ds))+0.999999) - 1 // nearest rank
		return ds[min(max(i, 0), len(ds)-1)]
	}
	return Latency{P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: ds[len(ds)-1], Mean: sum / time.Duration(len(ds))}
}

// WriteText writes the report as aligned text.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "run %s: %s against %s\n", r.RunID, r.Mode, strings.Join(r.Targets, ", "))
	fmt.Fprintf(&b, "%d operations in %s: %.1f ops/s (acknowledged writes %.1f/s); %d ok, %d errors; %d HTTP requests\n",
		r.Operations, r.Elapsed.Round(time.Millisecond), r.Throughput, r.WriteThroughput, r.OK, r.Operations-r.OK, r.Requests)
	fmt.Fprintf(&b, "latency p50 %s  p95 %s  p99 %s  max %s\n", ms(r.Latency.P50), ms(r.Latency.P95), ms(r.Latency.P99), ms(r.Latency.Max))
	fmt.Fprintf(&b, "jobs created %d, paid %d; writes acknowledged %d, unresolved %d\n", r.JobsCreated, r.JobsPaid, len(r.Acks), len(r.Unresolved))
	fmt.Fprintf(&b, "replays %d, matched %d; failovers %d\n", r.Retries, r.RetriesMatched, r.Failovers)
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, "errors: %s\n", counts(r.Errors))
	}
	if len(r.TransportErrors) > 0 {
		fmt.Fprintf(&b, "transport errors by target: %s\n", counts(r.TransportErrors))
	}
	for _, m := range r.Mismatches {
		fmt.Fprintf(&b, "replay mismatch: %s\n", m)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "procedure\tcount\tok\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\t")
	names := make([]string, 0, len(r.Ops))
	for n := range r.Ops {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := r.Ops[n]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", n, o.Count, o.OK, ms(o.Latency.P50), ms(o.Latency.P95), ms(o.Latency.P99), ms(o.Latency.Max), counts(o.Errors))
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// counts formats a count map as "A 3, B 1", largest first.
func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
