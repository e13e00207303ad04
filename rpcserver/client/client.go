package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/propagation"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/rpcserver"
)

// Options configures a [Client]. A nil *Options is the zero value.
type Options struct {
	// HTTPClient sends the requests. Defaults to http.DefaultClient.
	HTTPClient *http.Client
	// Header is added to every request (X-Org-Id, a User-Agent…).
	Header http.Header
}

// Client calls one server with one API key. It is safe for concurrent use.
type Client struct {
	base   string
	key    string
	http   *http.Client
	header http.Header
}

// New returns a client of the server at baseURL ("http://host:8080")
// presenting apiKey as a bearer token.
func New(baseURL, apiKey string, opts *Options) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), key: apiKey, http: http.DefaultClient}
	if opts != nil {
		if opts.HTTPClient != nil {
			c.http = opts.HTTPClient
		}
		c.header = opts.Header.Clone()
	}
	return c
}

// Meta describes a response.
type Meta struct {
	Status    int
	RequestID string
	TraceID   string
	// Replayed is set when the server returned the recorded response of an
	// earlier request with the same idempotency key.
	Replayed bool
}

// Call calls a procedure ("customer/v1/create") with a typed input and
// decodes its typed output. key is the idempotency key of a mutation
// (ignored by queries). A server error is a *contractorops.Error.
func Call[In, Out any](ctx context.Context, c *Client, procedure, key string, in In) (*Out, error) {
	out := new(Out)
	if _, err := c.Do(ctx, procedure, key, in, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Do calls a procedure with any JSON-encodable input (or raw JSON bytes as
// a json.RawMessage) and decodes the output into out, unless out is nil.
func (c *Client) Do(ctx context.Context, procedure, key string, in, out any) (Meta, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return Meta{}, fmt.Errorf("client: encode the input of %s: %w", procedure, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+rpcserver.RPCPrefix+procedure, bytes.NewReader(body))
	if err != nil {
		return Meta{}, fmt.Errorf("client: %w", err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))

	resp, err := c.http.Do(req)
	if err != nil {
		return Meta{}, fmt.Errorf("client: %s: %w", procedure, err)
	}
	defer resp.Body.Close()
	meta := Meta{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"), TraceID: resp.Header.Get("X-Trace-Id"),
		Replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return meta, fmt.Errorf("client: %s: read the response: %w", procedure, err)
	}
	var env rpcserver.Envelope
	if err := json.Unmarshal(raw, &env); err != nil || (!env.OK && env.Error == nil) {
		return meta, fmt.Errorf("client: %s: HTTP %d without an envelope: %.200q", procedure, resp.StatusCode, raw)
	}
	if !env.OK {
		e := env.Error
		return meta, &contractorops.Error{Code: e.Code, Type: e.Type, Message: e.Message, FieldErrors: e.FieldErrors, Retryable: e.Retryable, TraceID: e.TraceID}
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return meta, fmt.Errorf("client: %s: decode the output: %w", procedure, err)
		}
	}
	return meta, nil
}

// NewIdempotencyKey returns a new random idempotency key (a UUID).
func NewIdempotencyKey() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails
	b[6] = 0x40 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
