package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The npm packages of the oRPC check, pinned: the oRPC client the legacy
// frontend uses (1.x, see shared/reference/orpc-compat.md) and a validator
// of OpenAPI 3.1 documents against the specification's JSON Schema.
var nodePackages = []string{
	"@orpc/client@1.16.1",
	"@seriousme/openapi-schema-validator@2.11.0",
}

// TestORPCClient runs the real @orpc/client against a running opsd: a
// create, a typed error, a Date round-trip, an idempotent replay, a call
// without input; and validates the served OpenAPI document. It needs node
// and npm (and the npm registry the first time: the packages are cached
// in the temporary directory, keyed by their versions).
func TestORPCClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the oRPC end-to-end check needs node 18 or newer and npm (scripts/test installs them with apt-get when it can)")
	}
	dir := installNodePackages(t)
	script, err := os.ReadFile("testdata/orpc-check.mjs")
	if err != nil {
		t.Fatal(err)
	}
	// The script imports the packages: it runs from their directory.
	scriptPath := filepath.Join(dir, "orpc-check-"+hash(string(script))+".mjs")
	if err := os.WriteFile(scriptPath, script, 0o644); err != nil {
		t.Fatal(err)
	}

	const key = "orpc-e2e-bootstrap-key-0123456789"
	p := startOpsd(t, []string{"OPSD_BOOTSTRAP_API_KEY=" + key})
	cmd := exec.Command(node, scriptPath, p.URL, key)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "orpc-check: ok") {
		t.Fatalf("node orpc-check.mjs: %v\n%s", err, out)
	}
}

// installNodePackages installs nodePackages once into a directory of the
// temporary directory named after them, and returns it.
func installNodePackages(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "opsengine-node-"+hash(strings.Join(nodePackages, " ")))
	if _, err := os.Stat(filepath.Join(dir, "installed")); err == nil {
		return dir
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm is not installed: the oRPC end-to-end check needs it to install @orpc/client")
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "opsengine-node-install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	args := append([]string{"install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", "--prefix", tmp}, nodePackages...)
	if out, err := exec.Command(npm, args...).CombinedOutput(); err != nil {
		t.Fatalf("npm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if err := os.WriteFile(filepath.Join(tmp, "installed"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Another test binary may have won the race: either copy will do.
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "installed")); statErr != nil {
			t.Fatal(err)
		}
	}
	t.Logf("installed %v in %s (%v)", nodePackages, dir, time.Since(start).Round(time.Millisecond))
	return dir
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
