package rpcserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/hestami-ai/opsengine/contractorops"
)

// Envelope is the body of every plain-protocol response (DESIGN.md
// "Errors"):
//
//	{"ok":true,"data":…,"meta":{"request_id":…,"trace_id":…}}
//	{"ok":false,"error":{"code","type","message","field_errors","retryable","trace_id"},"meta":{…}}
//
// The oRPC protocol carries the same envelope: whole in a success's "json",
// and its error object as an ORPCError's "data".
type Envelope struct {
	OK    bool            `json:"ok"`
	Data  json.RawMessage `json:"data,omitempty"`
	Error *ErrorBody      `json:"error,omitempty"`
	Meta  Meta            `json:"meta"`
}

// ErrorBody is the error of an [Envelope]. Unlike [contractorops.Error] it
// always has every key, field_errors included (empty when none).
type ErrorBody struct {
	Code        contractorops.Code         `json:"code"`
	Type        contractorops.Type         `json:"type"`
	Message     string                     `json:"message"`
	FieldErrors []contractorops.FieldError `json:"field_errors"`
	Retryable   bool                       `json:"retryable"`
	TraceID     string                     `json:"trace_id"`
}

// Meta identifies the request a response answers.
type Meta struct {
	RequestID string `json:"request_id"`
	TraceID   string `json:"trace_id"`
}

// HTTPStatus returns the HTTP status of an error type.
func HTTPStatus(t contractorops.Type) int {
	switch t {
	case contractorops.TypeValidation:
		return http.StatusBadRequest
	case contractorops.TypeAuthentication:
		return http.StatusUnauthorized
	case contractorops.TypeAuthorization:
		return http.StatusForbidden
	case contractorops.TypeNotFound:
		return http.StatusNotFound
	case contractorops.TypeConflict:
		return http.StatusConflict
	case contractorops.TypeIdempotency, contractorops.TypeDomain:
		return http.StatusUnprocessableEntity
	case contractorops.TypeRateLimit:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// errorBody returns the client's view of err, with the request's trace id.
func errorBody(err *contractorops.Error, traceID string) *ErrorBody {
	fes := err.FieldErrors
	if fes == nil {
		fes = []contractorops.FieldError{}
	}
	return &ErrorBody{Code: err.Code, Type: err.Code.Type(), Message: err.Message, FieldErrors: fes, Retryable: err.Retryable, TraceID: traceID}
}

func (s *Server) writeError(w http.ResponseWriter, req *request, err error) {
	e := contractorops.AsError(err)
	s.writeErrorStatus(w, req, HTTPStatus(e.Code.Type()), e)
}

func (s *Server) writeErrorStatus(w http.ResponseWriter, req *request, status int, e *contractorops.Error) {
	req.code = e.Code
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="opsengine"`)
	}
	if status >= 500 {
		s.cfg.Logger.Error("internal error", "request_id", req.id, "trace_id", req.traceID, "procedure", req.procedure,
			"code", e.Code, "error", e.Error())
	}
	body := errorBody(e, req.traceID)
	if req.protocol == protocolORPC {
		writeJSON(w, status, orpcError(status, body))
		return
	}
	writeJSON(w, status, Envelope{Error: body, Meta: Meta{RequestID: req.id, TraceID: req.traceID}})
}

func (s *Server) writeData(w http.ResponseWriter, req *request, data json.RawMessage, dates *dateShape) {
	env := Envelope{OK: true, Data: data, Meta: Meta{RequestID: req.id, TraceID: req.traceID}}
	if req.protocol == protocolORPC {
		writeJSON(w, http.StatusOK, orpcSuccess(env, dates))
		return
	}
	writeJSON(w, http.StatusOK, env)
}

// writeJSON writes v as the whole response. RPC responses are never cached:
// some hold secrets (a new API key).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"ok":false,"error":{"code":"INTERNAL_ERROR","type":"internal","message":"the response could not be encoded","field_errors":[],"retryable":true,"trace_id":""},"meta":{"request_id":"","trace_id":""}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}
