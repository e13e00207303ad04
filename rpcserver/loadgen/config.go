package loadgen

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// ErrNotLoopback is returned by [Run] for a target that is not a loopback
// address: the load generator only drives servers on this machine.
var ErrNotLoopback = errors.New("loadgen: target is not a loopback address")

// ErrConfig is returned by [Run] for an unusable configuration.
var ErrConfig = errors.New("loadgen: invalid configuration")

// Org is one organization the load runs in: an API key with the OWNER or
// OFFICE role and the fixture [Seed] made in it.
type Org struct {
	APIKey  string
	Fixture *Fixture
}

// Config configures [Run]. Zero fields take the documented defaults.
type Config struct {
	// Targets are the base URLs of the servers ("http://127.0.0.1:8080"),
	// all serving the same data. Requests go to them round robin; a request
	// that fails in transport (a dead target) is sent again, with the same
	// idempotency key and body, to the next target. Every target must be a
	// loopback address.
	Targets []string
	// Orgs are the organizations the load spreads over (at least one).
	Orgs []Org
	// Concurrency is the number of workers: in a closed loop (Rate 0) each
	// sends its next request when the last one answered; in an open loop it
	// is the most requests in flight. Default 8 (closed) or 64 (open).
	Concurrency int
	// Rate, when positive, runs an open loop: requests start at this many
	// per second whether or not earlier ones answered, and each latency is
	// measured from the moment its request was due (so a slow server is
	// not hidden by the generator waiting for it).
	Rate float64
	// Requests bounds the run's operations (each one request, not counting
	// the deliberate retries and failovers it causes). Duration bounds its
	// time. The run ends at whichever bound comes first; with neither set,
	// Duration defaults to 10 s.
	Requests int
	Duration time.Duration
	// RetryShare is the share (0 to 1) of successful writes sent a second
	// time with the same idempotency key and body: the replay must return
	// the original response, which the report checks.
	RetryShare float64
	// Seed makes the run's choices (operations, customers, amounts)
	// deterministic, given the same server responses.
	Seed int64
	// Mix weighs the operations; nil is [DefaultMix].
	Mix Mix
	// RunID prefixes every idempotency key and job reference of the run, so
	// that runs against the same database never share a key. Default: a
	// random id.
	RunID string
	// OpenJobs is how many jobs each worker carries through their life at
	// once (default 4).
	OpenJobs int
	// PaymentProvider names the provider payments go through: empty (or
	// "manual") records checks; "test" charges cards through the server's
	// test provider (opsd -test-payment-provider).
	PaymentProvider string
	// Attempts is how many times a write whose outcome stays unknown (no
	// target answered, or the answer was retryable) is sent, with the same
	// key and body, before its job is given up and the write listed in
	// Report.Unresolved (default 8). After an operation no target
	// answered, a worker pauses (50 ms, doubling to 1 s while it lasts).
	Attempts int
	// RequestTimeout bounds each request (default 30 s).
	RequestTimeout time.Duration
	// HTTPClient sends the requests (default: a client with a connection
	// pool sized for Concurrency).
	HTTPClient *http.Client
}

func (c *Config) withDefaults() (Config, error) {
	if c == nil {
		return Config{}, fmt.Errorf("%w: no configuration", ErrConfig)
	}
	out := *c
	if len(out.Targets) == 0 {
		return out, fmt.Errorf("%w: no targets", ErrConfig)
	}
	for _, t := range out.Targets {
		if err := CheckLoopback(t); err != nil {
			return out, err
		}
	}
	if len(out.Orgs) == 0 {
		return out, fmt.Errorf("%w: no organizations", ErrConfig)
	}
	for i, o := range out.Orgs {
		f := o.Fixture
		if o.APIKey == "" || f == nil || len(f.Technicians) == 0 || len(f.Customers) == 0 || len(f.Trades) == 0 {
			return out, fmt.Errorf("%w: organization %d needs an API key and a seeded fixture", ErrConfig, i)
		}
	}
	if out.Rate < 0 || out.Requests < 0 || out.Duration < 0 || out.Concurrency < 0 {
		return out, fmt.Errorf("%w: negative rate, requests, duration or concurrency", ErrConfig)
	}
	if out.RetryShare < 0 || out.RetryShare > 1 {
		return out, fmt.Errorf("%w: RetryShare %v is not between 0 and 1", ErrConfig, out.RetryShare)
	}
	if out.Requests == 0 && out.Duration == 0 {
		out.Duration = 10 * time.Second
	}
	if out.Concurrency == 0 {
		out.Concurrency = 8
		if out.Rate > 0 {
			out.Concurrency = 64
		}
	}
	if out.Mix == nil {
		out.Mix = DefaultMix()
	}
	if err := out.Mix.validate(); err != nil {
		return out, err
	}
	if out.OpenJobs <= 0 {
		out.OpenJobs = 4
	}
	switch out.PaymentProvider {
	case "", "manual", "test":
	default:
		return out, fmt.Errorf("%w: payment provider %q (manual or test)", ErrConfig, out.PaymentProvider)
	}
	if out.Attempts <= 0 {
		out.Attempts = 8
	}
	if out.RequestTimeout <= 0 {
		out.RequestTimeout = 30 * time.Second
	}
	if out.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 2 * out.Concurrency * len(out.Targets)
		tr.MaxIdleConnsPerHost = 2 * out.Concurrency
		out.HTTPClient = &http.Client{Transport: tr}
	}
	return out, nil
}

// CheckLoopback returns nil if target is an http URL of a loopback address
// (127.0.0.0/8, ::1 or localhost), and an error matching [ErrNotLoopback]
// otherwise.
func CheckLoopback(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%w: %q is not an http URL", ErrNotLoopback, target)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %q", ErrNotLoopback, target)
}
