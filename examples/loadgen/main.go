package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/rpcserver"
	"github.com/hestami-ai/opsengine/rpcserver/client"
	"github.com/hestami-ai/opsengine/rpcserver/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targets := fs.String("target", "", "comma-separated base URLs of the servers (loopback only)")
	key := fs.String("key", os.Getenv("OPS_API_KEY"), "API key (OWNER) of the organization to load (default $OPS_API_KEY)")
	embedded := fs.Bool("embedded", false, "start an embedded server in this process, with an organization of its own, and load it")
	concurrency := fs.Int("concurrency", 8, "workers (closed loop), or the most requests in flight with -rate")
	rate := fs.Float64("rate", 0, "requests per second (open loop); 0 runs a closed loop")
	requests := fs.Int("requests", 0, "operations to send (0: no count bound)")
	duration := fs.Duration("duration", 0, "how long to run (0: no time bound; with neither bound, 10s)")
	retryShare := fs.Float64("retry-share", 0.05, "share of successful writes replayed with the same key and body")
	seed := fs.Int64("seed", 1, "seed of the fixture and of the run's choices")
	techs := fs.Int("technicians", 8, "technicians to seed")
	customers := fs.Int("customers", 20, "customers to seed")
	provider := fs.String("payment-provider", "", `"test" takes card payments through the server's test provider (opsd -test-payment-provider); empty records checks`)
	verify := fs.Bool("verify", false, "after the run, settle the writes of unknown outcome and check that every acknowledged write took effect exactly once")
	jsonOut := fs.String("json", "", "write the report as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	var urls []string
	if *embedded {
		if *targets != "" {
			return errors.New("-embedded and -target exclude each other")
		}
		url, k, stop, err := serveEmbedded(ctx)
		if err != nil {
			return err
		}
		defer stop()
		urls, *key = []string{url}, k
		if *provider == "" {
			*provider = "test"
		}
	} else {
		if *targets == "" || *key == "" {
			return errors.New("give -target and -key (or $OPS_API_KEY), or -embedded")
		}
		for _, t := range strings.Split(*targets, ",") {
			urls = append(urls, strings.TrimSpace(t))
		}
		for _, u := range urls {
			if err := loadgen.CheckLoopback(u); err != nil {
				return err
			}
		}
	}

	c := client.New(urls[0], *key, nil)
	fmt.Fprintf(stdout, "seeding %d technicians and %d customers (seed %d)…\n", *techs, *customers, *seed)
	fx, err := loadgen.Seed(ctx, c, &loadgen.SeedConfig{Technicians: *techs, Customers: *customers, Seed: *seed})
	if err != nil {
		return err
	}
	rep, err := loadgen.Run(ctx, &loadgen.Config{
		Targets: urls, Orgs: []loadgen.Org{{APIKey: *key, Fixture: fx}},
		Concurrency: *concurrency, Rate: *rate, Requests: *requests, Duration: *duration,
		RetryShare: *retryShare, Seed: *seed, PaymentProvider: *provider,
	})
	if err != nil {
		return err
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			return err
		}
	}
	if *verify {
		vctx := context.WithoutCancel(ctx)
		if n := len(rep.Unresolved); n > 0 {
			rctx, cancel := context.WithTimeout(vctx, time.Minute)
			err := loadgen.Resolve(rctx, c, rep)
			cancel()
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "resolved the %d writes of unknown outcome\n", n)
		}
		if err := loadgen.Verify(vctx, c, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "verified: %d acknowledged writes replayed with their original responses; jobs, invoices and payments exactly once\n", len(rep.Acks))
	}
	return nil
}

// serveEmbedded starts the embedded engine behind the RPC server on a free
// loopback port, with the test payment provider and no rate limit, and
// creates an organization and its OWNER key.
func serveEmbedded(ctx context.Context) (url, key string, stop func(), err error) {
	logger := slog.New(slog.DiscardHandler)
	eng, err := contractorops.New(memstore.New(), &contractorops.Config{Logger: logger,
		PaymentProviders: map[string]contractorops.PaymentProvider{"test": contractorops.NewTestProvider()}})
	if err != nil {
		return "", "", nil, err
	}
	platform := contractorops.Scope{OrganizationID: contractorops.PlatformOrganization,
		Actor: contractorops.Actor{Kind: contractorops.ActorSystem, ID: "loadgen"}, Role: contractorops.RoleOwner}
	org, err := eng.Organizations.Create(ctx, platform, "loadgen-org", contractorops.CreateOrganizationInput{Name: "Load Heating & Plumbing", Type: contractorops.OrgServiceProvider})
	if err != nil {
		return "", "", nil, err
	}
	nk, err := eng.APIKeys.Create(ctx, contractorops.SystemScope(org.ID, "loadgen"), "loadgen-owner", contractorops.CreateAPIKeyInput{
		Name: "loadgen", Role: contractorops.RoleOwner, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "loadgen"}})
	if err != nil {
		return "", "", nil, err
	}
	api, err := rpcserver.New(eng, &rpcserver.Config{RateLimit: -1, Logger: logger})
	if err != nil {
		return "", "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	return "http://" + ln.Addr().String(), nk.Key, func() {
		srv.Close()
		eng.Close(context.Background())
	}, nil
}
