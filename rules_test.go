package opsengine_test

// House rules that a compiler cannot see, checked on the syntax tree of every
// Go file in the module (DESIGN.md "Money and time", "Layout").

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const decimalPath = "github.com/shopspring/decimal"

// pureDirs are the packages that read no clock (with their subpackages).
var pureDirs = []string{"jobfsm", "pricing", "inventory", "dispatch"}

// floatFreeDirs are the packages where money lives: no float type at all,
// tests included.
var floatFreeDirs = []string{"pricing"}

// clockReads are the time functions that read or wait on the wall clock.
var clockReads = []string{"Now", "Since", "Until", "Sleep", "After", "Tick", "NewTimer", "NewTicker", "AfterFunc"}

// decimalFromFloat are shopspring/decimal's float constructors and exits:
// money is never a float.
var decimalFromFloat = []string{"NewFromFloat", "NewFromFloat32", "NewFromFloatWithExponent"}

// goFile is one parsed file and where it lives.
type goFile struct {
	path string // slash-separated, relative to the module root
	dir  string
	test bool
	ast  *ast.File
	fset *token.FileSet
}

func parseModule(t *testing.T) []goFile {
	t.Helper()
	var files []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := d.Name()
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") || base == "testdata" || base == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(base, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		files = append(files, goFile{
			path: filepath.ToSlash(path), dir: filepath.ToSlash(filepath.Dir(path)),
			test: strings.HasSuffix(base, "_test.go"), ast: f, fset: fset,
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func inDirs(dir string, dirs []string) bool {
	return slices.ContainsFunc(dirs, func(d string) bool { return match(d+"/...", dir) })
}

// importName returns the name under which file f imports path, or "".
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p != path {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return path[strings.LastIndex(path, "/")+1:]
	}
	return ""
}

// houseRuleViolations checks one file and returns its violations.
func houseRuleViolations(f goFile) []string {
	var bad []string
	report := func(n ast.Node, format string, args ...any) {
		bad = append(bad, fmt.Sprintf("%s: %s", f.fset.Position(n.Pos()), fmt.Sprintf(format, args...)))
	}
	dec := importName(f.ast, decimalPath)
	tm := importName(f.ast, "time")
	pure := inDirs(f.dir, pureDirs) && !f.test
	floatFree := inDirs(f.dir, floatFreeDirs)

	ast.Inspect(f.ast, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if floatFree && (n.Sel.Name == "Float64" || n.Sel.Name == "InexactFloat64") {
				report(n, "%s in a float-free package", n.Sel.Name)
			}
			x, ok := n.X.(*ast.Ident)
			if !ok {
				return true
			}
			if dec != "" && x.Name == dec && slices.Contains(decimalFromFloat, n.Sel.Name) {
				report(n, "decimal.%s: money is never a float; parse a string or use decimal.New", n.Sel.Name)
			}
			if pure && tm != "" && x.Name == tm && slices.Contains(clockReads, n.Sel.Name) {
				report(n, "time.%s in a pure package: take now as an argument", n.Sel.Name)
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && dec != "" && x.Name == dec {
						report(n, "assigning decimal.%s changes the host's decimal behaviour; never set the package's globals", sel.Sel.Name)
					}
				}
			}
		case *ast.Ident:
			if floatFree && (n.Name == "float64" || n.Name == "float32") {
				report(n, "%s in a float-free package: money is never a float", n.Name)
			}
		}
		return true
	})
	return bad
}

func TestHouseRules(t *testing.T) {
	for _, f := range parseModule(t) {
		for _, v := range houseRuleViolations(f) {
			t.Error(v)
		}
	}
}

// TestHouseRulesCatchViolations proves each rule fires on code that breaks it
// and stays quiet on code that keeps it.
func TestHouseRulesCatchViolations(t *testing.T) {
	tests := []struct {
		name, dir, src string
		test           bool
		want           int
	}{
		{"float constructor", "contractorops", `package x; import "github.com/shopspring/decimal"; var _ = decimal.NewFromFloat(0.1)`, false, 1},
		{"float constructor aliased, in a test", "dispatch", `package x; import d "github.com/shopspring/decimal"; var _ = d.NewFromFloat32(1)`, true, 1},
		{"decimal global", "rpcserver", `package x; import "github.com/shopspring/decimal"; func init() { decimal.DivisionPrecision = 4 }`, false, 1},
		{"float in pricing", "pricing", `package x; func f(x float64) {}`, false, 1},
		{"float in pricing tests", "pricing/sub", `package x; var y float32`, true, 1},
		{"float exit in pricing", "pricing", `package x; import "github.com/shopspring/decimal"; var _, _ = decimal.Zero.Float64()`, false, 1},
		{"float outside pricing", "dispatch", `package x; func f(x float64) {}`, false, 0},
		{"clock in pure package", "jobfsm", `package x; import "time"; var _ = time.Now()`, false, 1},
		{"clock in pure subpackage", "dispatch/sim", `package x; import "time"; func f() { time.Sleep(1) }`, false, 1},
		{"clock in pure package tests", "jobfsm", `package x; import "time"; var _ = time.Now()`, true, 0},
		{"clock in the engine", "contractorops", `package x; import "time"; var _ = time.Now()`, false, 0},
		{"decimal from string", "pricing", `package x; import "github.com/shopspring/decimal"; var _ = decimal.RequireFromString("0.1")`, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", tt.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := houseRuleViolations(goFile{path: tt.dir + "/x.go", dir: tt.dir, test: tt.test, ast: f, fset: fset})
			if len(got) != tt.want {
				t.Errorf("violations %q, want %d", got, tt.want)
			}
		})
	}
}

// TestPackageDocs checks that every package has a doc.go whose comment opens
// the way go doc expects: "Package name …" for a library, the capitalized
// command name for a main package.
func TestPackageDocs(t *testing.T) {
	dirs := map[string][]goFile{}
	for _, f := range parseModule(t) {
		if !f.test {
			dirs[f.dir] = append(dirs[f.dir], f)
		}
	}
	for dir, files := range dirs {
		i := slices.IndexFunc(files, func(f goFile) bool { return filepath.Base(f.path) == "doc.go" })
		if i < 0 {
			t.Errorf("%s: no doc.go", dir)
			continue
		}
		f := files[i].ast
		if msg := docProblem(dir, f.Name.Name, f.Doc.Text()); msg != "" {
			t.Errorf("%s/doc.go: %s", dir, msg)
		}
		for _, other := range files {
			if other.path != files[i].path && other.ast.Doc != nil && strings.HasPrefix(other.ast.Doc.Text(), "Package ") {
				t.Errorf("%s: package comment outside doc.go", other.path)
			}
		}
	}
}

func docProblem(dir, name, doc string) string {
	if name == "main" {
		cmd := filepath.Base(dir)
		want := strings.ToUpper(cmd[:1]) + cmd[1:] + " "
		if !strings.HasPrefix(doc, want) && !strings.HasPrefix(doc, "Command "+cmd+" ") {
			return fmt.Sprintf("command doc must begin %q, got %q", want, firstLine(doc))
		}
		return ""
	}
	if want := "Package " + name + " "; !strings.HasPrefix(doc, want) {
		return fmt.Sprintf("package doc must begin %q, got %q", want, firstLine(doc))
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestDocProblem(t *testing.T) {
	tests := []struct {
		dir, name, doc string
		ok             bool
	}{
		{"jobfsm", "jobfsm", "Package jobfsm is the authority.\n", true},
		{"jobfsm", "jobfsm", "Jobfsm is the authority.\n", false},
		{"jobfsm", "jobfsm", "", false},
		{"examples/quickstart", "main", "Quickstart runs a day.\n", true},
		{"rpcserver/cmd/opsd", "main", "Command opsd serves the API.\n", true},
		{"rpcserver/cmd/opsd", "main", "Package main serves.\n", false},
	}
	for _, tt := range tests {
		if got := docProblem(tt.dir, tt.name, tt.doc) == ""; got != tt.ok {
			t.Errorf("docProblem(%q, %q, %q) ok = %v, want %v", tt.dir, tt.name, tt.doc, got, tt.ok)
		}
	}
}
