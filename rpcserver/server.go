package rpcserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/hestami-ai/opsengine/contractorops"
)

// RPCPrefix is the path under which every procedure is served:
// RPCPrefix + "job/v1/create".
const RPCPrefix = "/api/v1/rpc/"

// OpenAPIPath is the path of the OpenAPI document.
const OpenAPIPath = "/api/v1/openapi.json"

// Config configures a [Server]. The zero value is ready to use; a nil
// *Config is the zero value.
type Config struct {
	// Authenticator identifies callers. Defaults to [APIKeys] of the engine.
	Authenticator Authenticator
	// RateLimit is the sustained number of requests per second each
	// organization may make. Defaults to 50; a negative value disables rate
	// limiting.
	RateLimit float64
	// RateBurst is how many requests an organization may make at once
	// above its rate. Defaults to twice RateLimit (at least 1).
	RateBurst int
	// MaxBodyBytes caps the size of a request body. Defaults to 1 MiB.
	MaxBodyBytes int64
	// Logger receives one line per request, and every panic and internal
	// error with its trace id. Defaults to slog.Default().
	Logger *slog.Logger
	// TracerProvider provides the tracer of the server spans. Defaults to
	// the global provider (otel.GetTracerProvider).
	TracerProvider trace.TracerProvider
	// Clock returns the current time (for rate limits). Defaults to time.Now.
	Clock func() time.Time
}

func (c *Config) withDefaults(eng *contractorops.Engine) Config {
	var out Config
	if c != nil {
		out = *c
	}
	if out.Authenticator == nil {
		out.Authenticator = APIKeys(eng)
	}
	if out.RateLimit == 0 {
		out.RateLimit = 50
	}
	if out.RateBurst == 0 {
		out.RateBurst = max(1, int(2*out.RateLimit))
	}
	if out.MaxBodyBytes == 0 {
		out.MaxBodyBytes = 1 << 20
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	if out.TracerProvider == nil {
		out.TracerProvider = otel.GetTracerProvider()
	}
	if out.Clock == nil {
		out.Clock = time.Now
	}
	return out
}

// Server is the HTTP view of an engine's catalog. It is an [http.Handler];
// create one with [New].
type Server struct {
	eng     *contractorops.Engine
	cfg     Config
	mux     *http.ServeMux
	limiter *limiter
	tracer  trace.Tracer
	openapi []byte
	// dates locates the time.Time values of each procedure's output, for
	// the oRPC protocol's meta.
	dates map[string]*dateShape
}

// New returns a server exposing every procedure of eng's catalog.
func New(eng *contractorops.Engine, cfg *Config) (*Server, error) {
	if eng == nil {
		return nil, errors.New("rpcserver: New needs an engine")
	}
	c := cfg.withDefaults(eng)
	if c.MaxBodyBytes < 0 || c.RateBurst < 0 {
		return nil, errors.New("rpcserver: Config.MaxBodyBytes and Config.RateBurst must not be negative")
	}
	doc, err := OpenAPI(eng.Catalog())
	if err != nil {
		return nil, err
	}
	s := &Server{
		eng: eng, cfg: c, openapi: doc,
		tracer: c.TracerProvider.Tracer("github.com/hestami-ai/opsengine/rpcserver"),
		dates:  map[string]*dateShape{},
	}
	if c.RateLimit > 0 {
		s.limiter = newLimiter(c.RateLimit, c.RateBurst, c.Clock)
	}
	for _, p := range eng.Catalog().Procedures() {
		s.dates[p.Name] = dateShapeOf(p.Output)
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST "+RPCPrefix+"{namespace}/{version}/{procedure}", s.serveRPC)
	s.mux.HandleFunc(RPCPrefix+"{namespace}/{version}/{procedure}", s.methodNotAllowed("POST"))
	s.mux.HandleFunc("GET "+OpenAPIPath, s.serveOpenAPI)
	s.mux.HandleFunc(OpenAPIPath, s.methodNotAllowed("GET, HEAD"))
	s.mux.HandleFunc("/", s.notFound)
	return s, nil
}

// OpenAPI returns the server's OpenAPI document (see [OpenAPI]).
func (s *Server) OpenAPI() []byte { return s.openapi }

// request is the state of one request, shared by the handlers and the
// access log.
type request struct {
	id        string
	traceID   string
	start     time.Time
	protocol  protocol
	procedure string
	org       string
	code      contractorops.Code
	replayed  bool
}

type requestKey struct{}

func requestOf(r *http.Request) *request { return r.Context().Value(requestKey{}).(*request) }

// ServeHTTP serves the API. Every response carries X-Request-Id and
// X-Trace-Id; a panic becomes a 500 envelope, logged with its stack and
// trace, and nothing of it reaches the client.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{id: requestID(r.Header.Get("X-Request-Id")), start: s.cfg.Clock(), protocol: protocolFromHeader(r.Header)}
	ctx := propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := s.tracer.Start(ctx, r.Method+" "+routeOf(r.URL.Path), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path),
			attribute.String("request_id", req.id)))
	if !span.SpanContext().IsValid() {
		// No tracing SDK and no traceparent: invent a trace id so that the
		// client, the logs and the engine's errors still share one.
		ctx = trace.ContextWithSpanContext(ctx, newSpanContext())
	}
	req.traceID = trace.SpanContextFromContext(ctx).TraceID().String()
	ctx = context.WithValue(ctx, requestKey{}, req)

	sw := &statusWriter{ResponseWriter: w}
	sw.Header().Set("X-Request-Id", req.id)
	sw.Header().Set("X-Trace-Id", req.traceID)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.Logger.ErrorContext(ctx, "panic serving a request", "request_id", req.id, "trace_id", req.traceID,
				"procedure", req.procedure, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !sw.wrote {
				s.writeError(sw, req, contractorops.NewError(contractorops.CodeInternal, "internal error"))
			}
			span.SetStatus(codes.Error, "panic")
		}
		span.SetAttributes(attribute.Int("http.response.status_code", sw.status))
		if req.procedure != "" {
			span.SetAttributes(attribute.String("procedure", req.procedure), attribute.String("org_id", req.org))
		}
		span.End()
		s.logRequest(ctx, r, sw.status, req)
	}()
	s.mux.ServeHTTP(sw, r.WithContext(ctx))
}

func (s *Server) logRequest(ctx context.Context, r *http.Request, status int, req *request) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", req.id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.Float64("duration_ms", float64(s.cfg.Clock().Sub(req.start).Microseconds())/1000),
		slog.String("trace_id", req.traceID),
	}
	if req.procedure != "" {
		attrs = append(attrs, slog.String("procedure", req.procedure), slog.String("protocol", req.protocol.String()))
	}
	if req.org != "" {
		attrs = append(attrs, slog.String("org", req.org))
	}
	if req.code != "" {
		attrs = append(attrs, slog.String("code", string(req.code)))
	}
	if req.replayed {
		attrs = append(attrs, slog.Bool("replayed", true))
	}
	s.cfg.Logger.LogAttrs(ctx, level, "request", attrs...)
}

// serveRPC runs one procedure: read, authenticate, limit, decode, execute.
func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request) {
	req := requestOf(r)
	name := r.PathValue("namespace") + "/" + r.PathValue("version") + "/" + r.PathValue("procedure")
	body, readErr := readBody(w, r, s.cfg.MaxBodyBytes)
	if readErr == nil {
		req.protocol = detectProtocol(r.Header, body)
	}
	p, ok := s.eng.Catalog().Lookup(name)
	if !ok {
		s.writeError(w, req, contractorops.NewError(contractorops.CodeNotFound, "no procedure %q", name))
		return
	}
	req.procedure = name
	if readErr != nil {
		s.writeError(w, req, readErr)
		return
	}

	scope, err := s.cfg.Authenticator.Authenticate(r)
	if err != nil {
		s.writeError(w, req, err)
		return
	}
	req.org = scope.OrganizationID
	if h := r.Header.Get("X-Org-Id"); h != "" && !strings.EqualFold(h, scope.OrganizationID) {
		s.writeError(w, req, contractorops.NewError(contractorops.CodeOrganizationAccessDenied,
			"the credentials are not for organization %q", h))
		return
	}
	// Who may call the procedure is known before its input is read: a
	// caller without the right is refused whatever it sent.
	if !p.Allows(scope) {
		s.writeError(w, req, contractorops.NewError(contractorops.CodeForbidden, "role %s may not call %s", scope.Role, name))
		return
	}
	if s.limiter != nil {
		if ok, wait := s.limiter.allow(scope.OrganizationID); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			s.writeError(w, req, contractorops.NewError(contractorops.CodeRateLimited,
				"too many requests for this organization; retry after %s", wait.Round(time.Millisecond)))
			return
		}
	}

	key, err := idempotencyKey(r.Header.Get("Idempotency-Key"))
	if err != nil {
		s.writeError(w, req, err)
		return
	}
	raw, legacyKey, err := inputOf(req.protocol, r.Header, body, p)
	if err != nil {
		s.writeError(w, req, err)
		return
	}
	if key == "" {
		key = legacyKey
	}
	in, err := p.DecodeInput(raw)
	if err != nil {
		s.writeError(w, req, err)
		return
	}
	resp, err := s.eng.Execute(r.Context(), scope, name, key, in)
	if err != nil {
		s.writeError(w, req, err)
		return
	}
	req.replayed = resp.Replayed
	if resp.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	s.writeData(w, req, resp.Data, s.dates[name])
}

// readBody reads the request body, up to limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, invalidInput("body_too_large", fmt.Sprintf("the body is larger than %d bytes", limit))
	case err != nil:
		return nil, invalidInput("unreadable_body", "the body could not be read")
	}
	return body, nil
}

// invalidInput is an INVALID_INPUT error about the body as a whole.
func invalidInput(code, msg string) *contractorops.Error {
	e := contractorops.NewError(contractorops.CodeInvalidInput, "the input cannot be decoded")
	e.FieldErrors = []contractorops.FieldError{{Field: "", Code: code, Message: msg}}
	return e
}

// idempotencyKey reads the Idempotency-Key header, bare or as a structured
// field string ("…"), as the IETF draft writes it. The engine checks the
// key itself (1–255 printable ASCII characters).
func idempotencyKey(h string) (string, error) {
	if len(h) >= 2 && h[0] == '"' && h[len(h)-1] == '"' {
		k, err := strconv.Unquote(h)
		if err != nil {
			e := contractorops.NewError(contractorops.CodeValidationFailed, "the Idempotency-Key header is a malformed string")
			e.FieldErrors = []contractorops.FieldError{{Field: "idempotencyKey", Code: "validation_idempotency_key", Message: "malformed quoted string"}}
			return "", e
		}
		return k, nil
	}
	return h, nil
}

func (s *Server) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		s.writeErrorStatus(w, requestOf(r), http.StatusMethodNotAllowed,
			invalidInput("method_not_allowed", fmt.Sprintf("%s is not allowed here; use %s", r.Method, allow)))
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, requestOf(r), contractorops.NewError(contractorops.CodeNotFound, "no such endpoint"))
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(s.openapi)))
	w.Write(s.openapi) //nolint:errcheck // the client went away
}

// routeOf is the route of a path, for span names: the RPC pattern or the
// path itself for the few fixed ones.
func routeOf(path string) string {
	if strings.HasPrefix(path, RPCPrefix) {
		return RPCPrefix + "{namespace}/{version}/{procedure}"
	}
	if path == OpenAPIPath {
		return path
	}
	return "/"
}

// requestID returns the client's X-Request-Id when it is short printable
// ASCII, or a new random one.
func requestID(h string) string {
	if h != "" && len(h) <= 128 {
		ok := true
		for i := 0; i < len(h) && ok; i++ {
			ok = h[i] > ' ' && h[i] < 0x7f
		}
		if ok {
			return h
		}
	}
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails
	return hex.EncodeToString(b[:])
}

func newSpanContext() trace.SpanContext {
	var tid trace.TraceID
	var sid trace.SpanID
	rand.Read(tid[:]) //nolint:errcheck // crypto/rand never fails
	rand.Read(sid[:]) //nolint:errcheck
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid})
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
