package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/day.golden")

// TestDay runs the quickstart's day and compares what it prints with the
// golden file: the day is deterministic (a fixed clock, seeded data, an
// optimizer run on a fixed iteration budget), so any change in what the
// engine decides shows up here. Only the elapsed time is masked.
func TestDay(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("the day failed: %v\n%s", err, out.String())
	}
	got := regexp.MustCompile(`Done in [0-9.]+ s`).ReplaceAll(out.Bytes(), []byte("Done in X s"))
	golden := filepath.Join("testdata", "day.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the day printed\n%s\nwant (go test ./examples/quickstart -update to accept)\n%s", got, want)
	}
}
