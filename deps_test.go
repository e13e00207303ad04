package opsengine_test

// This file is the module's import policy, in the manner of Go's own
// src/go/build/deps_test.go: a statement of the design (DESIGN.md "Layout"),
// checked on every test run. Do not change this data to make a build pass;
// change it only to change the design, and say why in the commit.

import (
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/hestami-ai/opsengine"

// Import classes used in the rules below.
const (
	// classStd is any standard library package.
	classStd = "STD"
	// classPureStd is the standard library without I/O, process, network,
	// logging, entropy and unsafe packages: what a pure core may use.
	classPureStd = "PURESTD"
	// classMain is any main package (binaries and examples).
	classMain = "MAIN"
)

// impure lists the standard library packages (and their subpackages) that a
// pure core may not import: they reach the outside world or hide state.
var impure = []string{
	"os/...", "net/...", "syscall", "io/ioutil", "database/...", "log/...",
	"crypto/rand", "runtime/cgo", "unsafe", "plugin", "os/exec", "os/signal", "testing/...",
}

// whitelist rules: a package matching pkgs may import only what allow lists.
// The longest matching pkgs pattern decides.
var whitelist = []struct{ pkgs, allow string }{
	{"", ""}, // the root package is documentation only
	{"jobfsm/...", "PURESTD github.com/shopspring/decimal"},
	{"pricing/...", "PURESTD github.com/shopspring/decimal"},
	{"inventory/...", "PURESTD github.com/shopspring/decimal"},
	{"dispatch/...", "PURESTD github.com/shopspring/decimal golang.org/x/..."},
	{"dispatch/sim/...", "PURESTD github.com/shopspring/decimal golang.org/x/... dispatch"},
}

// testWhitelist: what the tests of a whitelisted package may import besides
// the package's own allowances.
const testWhitelist = "STD pgregory.net/rapid github.com/google/go-cmp/..."

// exclusive rules: the import imp may appear only in packages matching only
// (test files excepted). Module-relative paths name this module's packages.
var exclusive = []struct{ imp, only string }{
	{"github.com/dbos-inc/...", "contractorops/durable/..."},
	{"github.com/jackc/pgx/...", "contractorops/pgstore/... contractorops/durable/... internal/pgtest/..."},
	{"contractorops/durable/...", "contractorops/durable/... MAIN"},
	{"contractorops/pgstore/...", "contractorops/pgstore/... contractorops/durable/... MAIN"},
	{"rpcserver/...", "rpcserver/... MAIN"},
	{"internal/pgtest/...", ""},
	{"net/http/...", "rpcserver/... MAIN"},
}

// pkg is what the policy needs to know of one package.
type pkg struct {
	path        string // module-relative ("" for the root)
	main        bool
	imports     []string // full import paths, non-test files
	testImports []string // full import paths, test files (both kinds)
}

// match reports whether the module-relative package path p matches pattern,
// which is a path, or a path ending in "/..." for it and its subpackages.
func match(pattern, p string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

// isStd reports whether an import path is in the standard library.
func isStd(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// rel returns the module-relative path of a module import, and whether it is one.
func rel(imp string) (string, bool) {
	if imp == module {
		return "", true
	}
	return strings.CutPrefix(imp, module+"/")
}

// moduleTop lists the module's top-level directories: a rule word starting
// with one of them names this module's packages, any other word names an
// import path as is.
var moduleTop = []string{"contractorops", "dispatch", "pricing", "jobfsm", "inventory", "rpcserver", "examples", "internal"}

// resolve turns a rule word into a full import path pattern.
func resolve(word string) string {
	first, _, _ := strings.Cut(word, "/")
	if slices.Contains(moduleTop, first) {
		return module + "/" + word
	}
	return word
}

// allowed reports whether the import imp satisfies one word of an allow list.
func allowed(word, imp string) bool {
	switch word {
	case classStd:
		return isStd(imp)
	case classPureStd:
		if !isStd(imp) {
			return false
		}
		for _, bad := range impure {
			if match(bad, imp) {
				return false
			}
		}
		return true
	}
	return match(resolve(word), imp)
}

func allowedByList(list, imp string) bool {
	for _, w := range strings.Fields(list) {
		if allowed(w, imp) {
			return true
		}
	}
	return false
}

// whitelistFor returns the allow list of the longest whitelist pattern
// matching p.
func whitelistFor(p string) (allow string, ok bool) {
	best := -1
	for _, r := range whitelist {
		if match(r.pkgs, p) && len(r.pkgs) > best {
			best, allow, ok = len(r.pkgs), r.allow, true
		}
	}
	return allow, ok
}

// checkImports applies the policy to pkgs and returns one line per violation.
func checkImports(pkgs []pkg) []string {
	var bad []string
	for _, p := range pkgs {
		name := p.path
		if name == "" {
			name = "(root)"
		}
		if allow, ok := whitelistFor(p.path); ok {
			for _, imp := range p.imports {
				if r, self := rel(imp); self && r == p.path {
					continue
				}
				if !allowedByList(allow, imp) {
					bad = append(bad, fmt.Sprintf("%s imports %s; it may import only %q", name, imp, allow))
				}
			}
			for _, imp := range p.testImports {
				if r, self := rel(imp); self && match(p.path+"/...", r) {
					continue
				}
				if !allowedByList(allow, imp) && !allowedByList(testWhitelist, imp) {
					bad = append(bad, fmt.Sprintf("tests of %s import %s; they may import only %q and %q", name, imp, allow, testWhitelist))
				}
			}
		}
		for _, imp := range p.imports {
			for _, x := range exclusive {
				if !allowed(x.imp, imp) {
					continue
				}
				ok := false
				for _, w := range strings.Fields(x.only) {
					if (w == classMain && p.main) || match(w, p.path) {
						ok = true
					}
				}
				if !ok {
					bad = append(bad, fmt.Sprintf("%s imports %s; only %q may", name, imp, x.only))
				}
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// loadModule reads the import lists of every package in the module.
func loadModule(t *testing.T) []pkg {
	t.Helper()
	var pkgs []pkg
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		base := d.Name()
		if path != "." && (strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") || base == "testdata" || base == "node_modules") {
			return filepath.SkipDir
		}
		bp, err := build.Default.ImportDir(path, 0)
		if err != nil {
			var noGo *build.NoGoError
			if errorsAs(err, &noGo) {
				return nil
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		p := pkg{path: filepath.ToSlash(path), main: bp.Name == "main", imports: bp.Imports}
		if p.path == "." {
			p.path = ""
		}
		p.testImports = append(slices.Clone(bp.TestImports), bp.XTestImports...)
		pkgs = append(pkgs, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func errorsAs(err error, target **build.NoGoError) bool {
	e, ok := err.(*build.NoGoError)
	if ok {
		*target = e
	}
	return ok
}

func TestImportPolicy(t *testing.T) {
	pkgs := loadModule(t)
	if len(pkgs) < 7 {
		t.Fatalf("found only %d packages; is the test running at the module root?", len(pkgs))
	}
	for _, v := range checkImports(pkgs) {
		t.Error(v)
	}
}

// TestImportPolicyCatchesViolations proves the policy fails loudly: for every
// rule in the tables above it builds a package that breaks it and checks the
// violation is reported, and it checks that a package keeping the rule passes.
func TestImportPolicyCatchesViolations(t *testing.T) {
	const foreign = "example.com/forbidden"
	for _, r := range whitelist {
		p := strings.TrimSuffix(r.pkgs, "/...")
		for _, imp := range []string{foreign, "os", "net/http", module + "/contractorops"} {
			if allowedByList(r.allow, imp) {
				t.Errorf("whitelist %q allows %s", r.pkgs, imp)
				continue
			}
			if got := checkImports([]pkg{{path: p, imports: []string{imp}}}); len(got) == 0 {
				t.Errorf("%q importing %s: no violation reported", r.pkgs, imp)
			}
		}
		for _, w := range strings.Fields(r.allow) {
			imp := sampleImport(w)
			if got := checkImports([]pkg{{path: p, imports: []string{imp}}}); len(got) != 0 {
				t.Errorf("%q importing allowed %s: violations %q", r.pkgs, imp, got)
			}
		}
		if got := checkImports([]pkg{{path: p, testImports: []string{"pgregory.net/rapid", "os"}}}); len(got) != 0 && p != "" {
			t.Errorf("tests of %q importing rapid and os: violations %q", r.pkgs, got)
		}
		if got := checkImports([]pkg{{path: p, testImports: []string{foreign}}}); len(got) != 1 {
			t.Errorf("tests of %q importing %s: violations %q, want 1", r.pkgs, foreign, got)
		}
	}
	for _, x := range exclusive {
		imp := sampleImport(x.imp)
		outsider := "contractorops"
		if slices.ContainsFunc(strings.Fields(x.only), func(w string) bool { return match(w, outsider) }) {
			t.Fatalf("choose another outsider for rule %q", x.imp)
		}
		if got := checkImports([]pkg{{path: outsider, imports: []string{imp}}}); len(got) != 1 {
			t.Errorf("%s importing %s: violations %q, want 1", outsider, imp, got)
		}
		if got := checkImports([]pkg{{path: outsider, testImports: []string{imp}}}); len(got) != 0 {
			t.Errorf("tests of %s importing %s: violations %q, want none", outsider, imp, got)
		}
		for _, w := range strings.Fields(x.only) {
			insider := pkg{path: strings.TrimSuffix(w, "/..."), imports: []string{imp}}
			if w == classMain {
				insider = pkg{path: "examples/demo", main: true, imports: []string{imp}}
			}
			if got := checkImports([]pkg{insider}); len(got) != 0 {
				t.Errorf("%s importing %s: violations %q, want none", insider.path, imp, got)
			}
		}
	}
}

// sampleImport returns a concrete import path matched by an allow word.
func sampleImport(word string) string {
	switch word {
	case classStd, classPureStd:
		return "strings"
	}
	full := resolve(word)
	if base, ok := strings.CutSuffix(full, "/..."); ok {
		return base + "/sub"
	}
	return full
}

func TestMain(m *testing.M) {
	// The policy reads the tree relative to the module root.
	if _, err := os.Stat("go.mod"); err != nil {
		fmt.Fprintln(os.Stderr, "deps_test must run at the module root")
		os.Exit(2)
	}
	os.Exit(m.Run())
}
