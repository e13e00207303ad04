package rpcserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
)

// FuzzRPC sends arbitrary bodies to every procedure of the catalog, in
// both protocols, as a valid caller: whatever the body, the answer is a
// well-formed envelope of its protocol and never a 500. The corpus is
// seeded from the catalog (each procedure's zero input, its sample, and
// both wrapped for oRPC), so new procedures are fuzzed without a change
// here. CI runs it briefly (scripts/test); locally:
//
//	go test ./rpcserver -run '^$' -fuzz FuzzRPC -fuzztime 1m
func FuzzRPC(f *testing.F) {
	e := newEnv(f, memstore.New(), nil, nil)
	procs := e.eng.Catalog().Procedures()
	for i, p := range procs {
		zero, _ := json.Marshal(p.NewInput())
		for _, body := range []string{"{}", string(zero), sampleOf(p), `{"json":` + sampleOf(p) + `}`, `{"json":` + string(zero) + `,"meta":[]}`} {
			for proto := range uint8(3) {
				f.Add(uint8(i), proto, []byte(body))
			}
		}
	}
	f.Fuzz(func(t *testing.T, index, proto uint8, body []byte) {
		p := procs[int(index)%len(procs)]
		h := map[string]string{"Authorization": "Bearer " + e.a.owner, "Content-Type": "application/json"}
		switch proto % 3 {
		case 1:
			h["X-RPC-Protocol"] = "orpc"
		case 2:
			h["X-RPC-Protocol"] = "plain"
		}
		if p.Kind == contractorops.KindMutation {
			sum := sha256.Sum256(body)
			h["Idempotency-Key"] = hex.EncodeToString(sum[:8])
		}
		header := http.Header{}
		for k, v := range h {
			header.Set(k, v)
		}
		protocol := detectProtocol(header, body)
		r := e.call(http.MethodPost, RPCPrefix+p.Name, h, body)
		if r.status >= 500 {
			t.Fatalf("%s with %q: %s", p.Name, body, r)
		}
		if protocol == protocolPlain {
			checkEnvelope(t, r)
			return
		}
		checkORPC(t, r)
	})
}

// checkORPC checks that r is an oRPC response the client accepts: a
// success {json: envelope, meta: [...]} or an error whose json has exactly
// the five keys of an ORPCError.
func checkORPC(t testing.TB, r response) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &top); err != nil || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("not JSON: %s", r)
	}
	if r.status == http.StatusOK {
		wantKeys(t, "orpc success", top, "json", "meta")
		var env Envelope
		var meta [][]any
		if json.Unmarshal(top["json"], &env) != nil || !env.OK || json.Unmarshal(top["meta"], &meta) != nil {
			t.Fatalf("malformed success: %s", r)
		}
		return
	}
	wantKeys(t, "orpc error", top, "json")
	var e map[string]json.RawMessage
	json.Unmarshal(top["json"], &e)
	wantKeys(t, "orpc error json", e, "code", "data", "defined", "message", "status")
	var status int
	if json.Unmarshal(e["status"], &status) != nil || status != r.status {
		t.Fatalf("status %s in the body, %d in HTTP", e["status"], r.status)
	}
}
