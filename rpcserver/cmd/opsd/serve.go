package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/rpcserver"
)

// testProviderName is the name payments give to go through the test
// payment provider (-test-payment-provider).
const testProviderName = "test"

// minBootstrapKey is the shortest OPSD_BOOTSTRAP_API_KEY accepted.
const minBootstrapKey = 20

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	f := newFlags("serve", "Serve the RPC API. Without a database: the embedded engine with a demo organization.", stderr, getenv)
	addr := f.string("addr", "OPSD_ADDR", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	dbURL := f.string("database-url", "OPSENGINE_DATABASE_URL", "", "Postgres URL of the engine's runtime role; empty runs the embedded engine in memory")
	sysURL := f.string("system-database-url", "OPSENGINE_SYSTEM_DATABASE_URL", "", "Postgres URL of DBOS's system tables (default: -database-url)")
	executor := f.string("executor-id", "OPSD_EXECUTOR_ID", defaultExecutorID(), "this process's id among those sharing the database; keep it across restarts")
	appVersion := f.string("app-version", "OPSD_APP_VERSION", "opsengine-v1", "DBOS application version; every process of a deployment shares it")
	rate := f.float("rate-limit", "OPSD_RATE_LIMIT", 50, "requests per second per organization (negative: unlimited)")
	burst := f.int("rate-burst", "OPSD_RATE_BURST", 0, "requests an organization may make at once (default: twice the rate)")
	authTTL := f.duration("auth-cache-ttl", "OPSD_AUTH_CACHE_TTL", 0, "remember valid API keys this long (saves a database lookup per request; a revoked key works up to this long); 0: off")
	drain := f.duration("shutdown-timeout", "OPSD_SHUTDOWN_TIMEOUT", 30*time.Second, "how long to drain requests in flight on SIGTERM")
	testPay := f.bool("test-payment-provider", "OPSD_TEST_PAYMENT_PROVIDER", false,
		`register the deterministic test payment provider as "test" (cards it always captures, in memory); for load and fault runs, never production`)
	level := f.string("log-level", "OPSD_LOG_LEVEL", "info", "debug, info, warn or error")
	if err := f.parse(args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}

	ec := engineConfig{DatabaseURL: *dbURL, SystemDatabaseURL: *sysURL, ExecutorID: *executor, AppVersion: *appVersion, Logger: logger}
	if *testPay {
		logger.Warn("the test payment provider is registered: payments through it take no money")
		ec.PaymentProviders = map[string]contractorops.PaymentProvider{testProviderName: contractorops.NewTestProvider()}
	}
	eng, err := openEngine(ctx, ec)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := eng.close(cctx); err != nil {
			logger.Error("stop the engine", "error", err)
		}
	}()

	auth := rpcserver.APIKeys(eng.Engine)
	if *dbURL == "" {
		if auth, err = seedDemo(ctx, eng.Engine, getenv("OPSD_BOOTSTRAP_API_KEY"), stdout); err != nil {
			return err
		}
	}
	if *authTTL > 0 {
		auth = rpcserver.Cached(auth, *authTTL, nil)
	}
	api, err := rpcserver.New(eng.Engine, &rpcserver.Config{Authenticator: auth, RateLimit: *rate, RateBurst: *burst, Logger: logger})
	if err != nil {
		return err
	}

	var draining atomic.Bool
	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeStatus(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			writeStatus(w, http.StatusServiceUnavailable, "shutting down")
			return
		}
		rctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := eng.ready(rctx); err != nil {
			logger.Warn("not ready", "error", err)
			writeStatus(w, http.StatusServiceUnavailable, "not ready")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	mode := "embedded"
	if *dbURL != "" {
		mode = "postgres"
	}
	logger.Info("listening", "addr", ln.Addr().String(), "engine", mode, "procedures", len(eng.Catalog().Procedures()))
	fmt.Fprintf(stdout, "opsd: listening on http://%s (%s engine)\n", ln.Addr(), mode)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	draining.Store(true)
	logger.Info("shutting down: draining requests in flight", "timeout", drain.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), *drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("drain requests: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// seedDemo creates the embedded engine's demo organization and returns the
// authenticator of its API keys: the bootstrap key if one is given (as the
// organization's owner), else a new OWNER key, printed.
func seedDemo(ctx context.Context, eng *contractorops.Engine, bootstrap string, stdout io.Writer) (rpcserver.Authenticator, error) {
	const key, name = "opsd-demo", "Demo Heating & Plumbing"
	keys := rpcserver.APIKeys(eng)
	if bootstrap == "" {
		org, nk, err := createOrganization(ctx, eng, key, name, contractorops.OrgServiceProvider)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "opsd: demo organization %s\nopsd: API key (OWNER, shown once): %s\n", org.ID, nk.Key)
		return keys, nil
	}
	if len(bootstrap) < minBootstrapKey {
		return nil, fmt.Errorf("OPSD_BOOTSTRAP_API_KEY must be at least %d characters", minBootstrapKey)
	}
	org, err := eng.Organizations.Create(ctx, platform(), key, contractorops.CreateOrganizationInput{Name: name, Type: contractorops.OrgServiceProvider})
	if err != nil {
		return nil, fmt.Errorf("create the demo organization: %w", err)
	}
	fmt.Fprintf(stdout, "opsd: demo organization %s\nopsd: API key (OWNER): the one in OPSD_BOOTSTRAP_API_KEY\n", org.ID)
	owner := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "bootstrap"}, Role: contractorops.RoleOwner}
	return rpcserver.FirstOf(rpcserver.StaticKeys(map[string]contractorops.Scope{bootstrap: owner}), keys), nil
}

func writeStatus(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}
