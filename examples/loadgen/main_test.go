package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbedded runs a small load against the embedded server and checks
// that the report shows every operation succeeded, verified.
func TestEmbedded(t *testing.T) {
	var out, errs bytes.Buffer
	js := filepath.Join(t.TempDir(), "report.json")
	err := run(context.Background(), []string{"-embedded", "-requests", "200", "-concurrency", "4", "-technicians", "3", "-customers", "4", "-verify", "-json", js}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errs.String())
	}
	for _, want := range []string{"200 operations", "200 ok, 0 errors", "invoice/v1/collectPayment", "verified:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	if b, err := os.ReadFile(js); err != nil || !bytes.Contains(b, []byte(`"Acks"`)) {
		t.Errorf("JSON report: %v", err)
	}
}

// TestRefusesRemote checks that a remote target is refused before any
// request.
func TestRefusesRemote(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-target", "http://192.0.2.1:8080", "-key", "k"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v", err)
	}
}
