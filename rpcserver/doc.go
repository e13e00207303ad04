// Package rpcserver exposes the engine's command catalog over HTTP as a
// versioned RPC API: POST /api/v1/rpc/{namespace}/{version}/{procedure}.
//
// It returns an [net/http.Handler] and does not own the listener; the bundled
// binary rpcserver/cmd/opsd hosts it. It speaks plain JSON and the oRPC
// protocol on the same paths, and serves an OpenAPI document generated from
// the catalog.
package rpcserver
