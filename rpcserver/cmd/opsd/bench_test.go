package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/internal/pgtest"
	"github.com/hestami-ai/opsengine/rpcserver"
)

// BenchmarkThroughput measures requests per second over real loopback TCP
// connections, from parallel clients, of:
//
//   - echo: a plain net/http handler that decodes a JSON body and writes it
//     back in an envelope, the baseline;
//   - the API as opsd wires it (API-key authentication, rate limiting off,
//     one JSON log line per request), embedded and on Postgres with durable
//     workflows, for a query (customer/v1/get), the same with valid keys
//     remembered for 5 s (opsd -auth-cache-ttl 5s), and a mutation
//     (customer/v1/create, a new idempotency key each time).
//
// Compare each with echo in the same run (the machine is shared):
//
//	go test ./rpcserver/cmd/opsd -run '^$' -bench Throughput -benchtime 3s
func BenchmarkThroughput(b *testing.B) {
	b.Run("echo", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(echo))
		defer srv.Close()
		hammer(b, srv.URL+"/echo", "", func(int64) (string, string) { return `{"id":"0190f3e2-7c1a-7d2e-9a4b-1c2d3e4f5a6b"}`, "" })
	})
	for _, mode := range []string{"embedded", "postgres"} {
		b.Run(mode, func(b *testing.B) {
			cfg := engineConfig{Logger: slog.New(slog.DiscardHandler)}
			if mode == "postgres" {
				db := pgtest.Fresh(b)
				if err := durable.Migrate(ctx, db.OwnerURL, pgtest.RuntimeRole, ""); err != nil {
					b.Fatal(err)
				}
				cfg.DatabaseURL, cfg.SystemDatabaseURL, cfg.ExecutorID = db.URL, db.OwnerURL, "bench"
			}
			eng, err := openEngine(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer eng.close(ctx)
			org, nk, err := createOrganization(ctx, eng.Engine, "bench-org", "Bench HVAC", contractorops.OrgServiceProvider)
			if err != nil {
				b.Fatal(err)
			}
			cu, err := eng.Customers.Create(ctx, contractorops.SystemScope(org.ID, "bench"), "bench-customer", contractorops.CustomerInput{Name: "Bench Customer"})
			if err != nil {
				b.Fatal(err)
			}
			serve := func(auth rpcserver.Authenticator) *httptest.Server {
				api, err := rpcserver.New(eng.Engine, &rpcserver.Config{Authenticator: auth, RateLimit: -1, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
				if err != nil {
					b.Fatal(err)
				}
				return httptest.NewServer(api)
			}
			srv := serve(rpcserver.APIKeys(eng.Engine))
			defer srv.Close()
			cached := serve(rpcserver.Cached(rpcserver.APIKeys(eng.Engine), 5*time.Second, nil))
			defer cached.Close()
			get := fmt.Sprintf(`{"id":%q}`, cu.ID)
			b.Run("query", func(b *testing.B) {
				hammer(b, srv.URL+rpcserver.RPCPrefix+"customer/v1/get", nk.Key, func(int64) (string, string) { return get, "" })
			})
			b.Run("query-auth-cached", func(b *testing.B) {
				hammer(b, cached.URL+rpcserver.RPCPrefix+"customer/v1/get", nk.Key, func(int64) (string, string) { return get, "" })
			})
			var seq atomic.Int64 // unique across the benchmark's runs
			b.Run("mutation", func(b *testing.B) {
				hammer(b, srv.URL+rpcserver.RPCPrefix+"customer/v1/create", nk.Key, func(int64) (string, string) {
					i := strconv.FormatInt(seq.Add(1), 10)
					return `{"name":"Customer ` + i + `"}`, "bench-" + i
				})
			})
		})
	}
}

// echo is the baseline: a plain JSON echo handler.
func echo(w http.ResponseWriter, r *http.Request) {
	var v map[string]any
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "data": v})
}

// hammer sends b.N requests from parallel clients and reports requests per
// second. next returns the body and idempotency key of request i.
func hammer(b *testing.B, url, key string, next func(i int64) (body, idem string)) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body, idem := next(n.Add(1))
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(body)))
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			if idem != "" {
				req.Header.Set("Idempotency-Key", idem)
			}
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("HTTP %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkServeHTTP measures the server's own cost of a request, without
// a network or a client: the API as opsd wires it on the embedded engine,
// called in process. Run with -benchmem for the allocations per request:
//
//	go test ./rpcserver/cmd/opsd -run '^$' -bench ServeHTTP -benchmem
func BenchmarkServeHTTP(b *testing.B) {
	eng, err := openEngine(ctx, engineConfig{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.close(ctx)
	org, nk, err := createOrganization(ctx, eng.Engine, "bench-org", "Bench HVAC", contractorops.OrgServiceProvider)
	if err != nil {
		b.Fatal(err)
	}
	cu, err := eng.Customers.Create(ctx, contractorops.SystemScope(org.ID, "bench"), "bench-customer", contractorops.CustomerInput{Name: "Bench Customer"})
	if err != nil {
		b.Fatal(err)
	}
	api, err := rpcserver.New(eng.Engine, &rpcserver.Config{RateLimit: -1, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	do := func(b *testing.B, proc, body, idem string) {
		req := httptest.NewRequest(http.MethodPost, rpcserver.RPCPrefix+proc, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+nk.Key)
		if idem != "" {
			req.Header.Set("Idempotency-Key", idem)
		}
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: HTTP %d: %s", proc, w.Code, w.Body)
		}
	}
	b.Run("query", func(b *testing.B) {
		body := fmt.Sprintf(`{"id":%q}`, cu.ID)
		b.ReportAllocs()
		for b.Loop() {
			do(b, "customer/v1/get", body, "")
		}
	})
	b.Run("job-create", func(b *testing.B) {
		body := `{"title":"No heat","trade":"HVAC","customerId":"` + cu.ID + `"}`
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			do(b, "job/v1/create", body, fmt.Sprint("bench-job-", b.N, "-", i))
		}
	})
}
