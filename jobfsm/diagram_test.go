package jobfsm_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/jobfsm"
)

var update = flag.Bool("update", false, "rewrite the golden diagrams in testdata/ and the one in doc.go")

// TestDiagramGolden keeps testdata/*.mmd equal to the rendered tables.
func TestDiagramGolden(t *testing.T) {
	for _, m := range []jobfsm.Machine{jobfsm.MachineJob, jobfsm.MachineVisit, jobfsm.MachineAssignment} {
		got := jobfsm.Diagram(m)
		path := filepath.Join("testdata", strings.ToLower(string(m))+".mmd")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if diff := cmp.Diff(string(want), got); diff != "" {
			t.Errorf("%s diagram (-golden +got), go test -update refreshes it:\n%s", m, diff)
		}
	}
	if jobfsm.Diagram("NOPE") != "" {
		t.Errorf("an unknown machine renders")
	}
}

// TestDocEmbedsDiagram keeps the diagram in the package documentation
// equal to the job table.
func TestDocEmbedsDiagram(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	const head = "//\tstateDiagram-v2\n"
	start := strings.Index(doc, head)
	if start < 0 {
		t.Fatal("doc.go embeds no diagram")
	}
	end := start
	for end < len(doc) && strings.HasPrefix(doc[end:], "//\t") {
		end += strings.Index(doc[end:], "\n") + 1
	}
	var want strings.Builder
	for _, line := range strings.SplitAfter(strings.TrimSuffix(jobfsm.Diagram(jobfsm.MachineJob), "\n"), "\n") {
		want.WriteString("//\t" + line)
	}
	want.WriteString("\n")
	if *update {
		doc = doc[:start] + want.String() + doc[end:]
		if err := os.WriteFile("doc.go", []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want.String(), doc[start:end]); diff != "" {
		t.Errorf("doc.go diagram (-want +doc.go), go test -update refreshes it:\n%s", diff)
	}
}
