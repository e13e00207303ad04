// Package rpcserver exposes the engine's command catalog over HTTP as a
// versioned RPC API. It returns an [http.Handler] and does not own the
// listener; the bundled binary rpcserver/cmd/opsd hosts it, and a host
// may mount it in its own server.
//
//	eng, _ := contractorops.New(memstore.New(), nil)
//	srv, _ := rpcserver.New(eng, nil) // API keys, 50 req/s per organization
//	http.ListenAndServe("127.0.0.1:8080", srv)
//
// # Protocol
//
// Every procedure of the catalog ([contractorops.Catalog]) is served at
//
//	POST /api/v1/rpc/{namespace}/{version}/{procedure}     e.g. /api/v1/rpc/customer/v1/create
//
// with its input as the JSON body. Decoding is strict: unknown fields,
// wrong types, trailing data and bodies over 1 MiB are INVALID_INPUT with
// field_errors naming the JSON path; an empty body is the zero input.
// Money and quantities travel as decimal strings, times as RFC 3339. Other
// methods on an RPC path are 405; an unknown procedure is a 404 envelope.
// The OpenAPI 3.1 document, generated from the catalog, is at GET
// /api/v1/openapi.json (see [OpenAPI]).
//
// Every response is an [Envelope] (shared/DESIGN.md "Errors"):
//
//	{"ok":true,"data":{…},"meta":{"request_id":"…","trace_id":"…"}}
//	{"ok":false,"error":{"code":"VALIDATION_FAILED","type":"validation","message":"…",
//	  "field_errors":[{"field":"email","code":"validation_is_email","message":"…"}],
//	  "retryable":false,"trace_id":"…"},"meta":{…}}
//
// The status follows the error's type ([HTTPStatus]): validation 400,
// authentication 401, authorization 403, not_found 404, conflict 409,
// idempotency and domain 422, rate_limit 429, internal 500. A panic is a
// 500 envelope; its value and stack go to the log with the trace id, never
// to the client.
//
// # Idempotency
//
// Mutations need an Idempotency-Key header (1–255 printable ASCII
// characters, bare or as a quoted string), scoped by organization and
// procedure. The same key and request replay the recorded response (same
// status and data, with the header Idempotent-Replayed: true); the same key
// with another request is 422 IDEMPOTENCY_CONFLICT; a request with the key
// still running is 409 CONFLICT (retry). Queries ignore the header.
//
// # Authentication and limits
//
// An [Authenticator] turns a request into a [contractorops.Scope]: the
// organization, the actor and the role. The default, [APIKeys], reads
// "Authorization: Bearer ops_<id>_<secret>" (keys are created, listed and
// revoked with the catalog's apikey/v1 procedures, and stored hashed). A
// key carries its organization: an X-Org-Id header is not needed, and one
// naming another organization is 403 ORGANIZATION_ACCESS_DENIED. A missing,
// unknown, revoked or expired key is 401; another organization's resource
// is 404, exactly as a missing one. [StaticKeys] and [FirstOf] compose
// bootstrap keys, and [Cached] saves a key lookup per request at the cost
// of revocations taking up to its ttl; hosts plug their identity provider
// in with [AuthenticatorFunc]. Each organization has a token bucket
// ([Config].RateLimit, RateBurst): past it, 429 RATE_LIMITED with
// Retry-After.
//
// # oRPC
//
// The same paths speak the RPC protocol of @orpc/client 1.x (RPCLink), so
// the legacy SvelteKit frontend works by changing one URL. A request is
// oRPC when its X-RPC-Protocol header is "orpc", when it is
// multipart/form-data, or when its body is an object with a "json" key and
// no key but json, meta and maps; anything else is plain ("{}" too). A
// success is {"json": <the envelope>, "meta": [[1,"data",…path]…]} (the
// meta turns the output's times into Dates); an error is {"json":
// {"defined","code","status","message","data"}} with the oRPC code of the
// status and the envelope's error object as data. Because an oRPC call
// without input sends "{}", the frontend's link must send the header:
//
//	new RPCLink({url: origin + '/api/v1/rpc', headers: ({context}) => ({
//	  authorization: 'Bearer ' + key, 'x-rpc-protocol': 'orpc',
//	  'idempotency-key': context.idempotencyKey })})
//
// For the legacy frontend, an oRPC input's "idempotencyKey" field is taken
// as the key when the header is absent.
//
// # Observability
//
// A W3C traceparent starts the server span (OpenTelemetry), which the
// engine's spans join; without one (and without a tracing SDK) a trace id
// is made up. The trace id is in every envelope's meta, every error and the
// X-Trace-Id header. Each request logs one line (log/slog) with its request
// id, organization, procedure, protocol, status, code and duration.
//
// The typed Go client is rpcserver/client.
package rpcserver
