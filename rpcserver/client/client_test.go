package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
)

func TestErrorsAndTransport(t *testing.T) {
	var got http.Header
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		switch r.URL.Path {
		case "/api/v1/rpc/x/v1/error":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"ok":false,"error":{"code":"NOT_FOUND","type":"not_found","message":"customer c1 not found","field_errors":[],"retryable":false,"trace_id":"t"},"meta":{"request_id":"r","trace_id":"t"}}`))
		case "/api/v1/rpc/x/v1/ok":
			w.Header().Set("Idempotent-Replayed", "true")
			w.Write([]byte(`{"ok":true,"data":{"name":"Ada"},"meta":{"request_id":"r","trace_id":"t"}}`))
		default:
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html>bad gateway</html>"))
		}
	}))
	defer ts.Close()
	c := New(ts.URL+"/", "ops_key", &Options{Header: http.Header{"X-Org-Id": {"o"}}})
	ctx := context.Background()

	_, err := Call[struct{}, struct{}](ctx, c, "x/v1/error", "", struct{}{})
	if !errors.Is(err, contractorops.ErrNotFound) || got.Get("Authorization") != "Bearer ops_key" || got.Get("X-Org-Id") != "o" {
		t.Fatalf("err %v, headers %v", err, got)
	}
	var out struct{ Name string }
	meta, err := c.Do(ctx, "x/v1/ok", "k1", map[string]int{"a": 1}, &out)
	if err != nil || out.Name != "Ada" || !meta.Replayed || meta.TraceID != "" || got.Get("Idempotency-Key") != "k1" {
		t.Fatalf("%+v %+v %v", out, meta, err)
	}
	_, err = c.Do(ctx, "x/v1/proxy", "", nil, nil)
	var ce *contractorops.Error
	if err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), "502") {
		t.Fatalf("a proxy's page: %v", err)
	}
}

func TestNewIdempotencyKey(t *testing.T) {
	a, b := NewIdempotencyKey(), NewIdempotencyKey()
	if a == b || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(a) {
		t.Fatalf("%q %q", a, b)
	}
}
