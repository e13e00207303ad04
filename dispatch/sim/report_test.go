package sim_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hestami-ai/opsengine/dispatch/sim"
)

// report renders the report of a reduced day under the three policies.
func report(t *testing.T) (*sim.Scenario, []*sim.Result, []byte) {
	t.Helper()
	sc := small(t, "techsick", 2, 6, 50)
	var rs []*sim.Result
	for _, d := range policies() {
		rs = append(rs, run(t, sc, d))
	}
	var buf bytes.Buffer
	if err := sim.WriteReport(&buf, sc, rs); err != nil {
		t.Fatal(err)
	}
	return sc, rs, buf.Bytes()
}

// element is a parsed HTML element.
type element struct {
	name  string
	attrs map[string]string
	text  string
	kids  []*element
}

// parseHTML reads the report with encoding/xml in its HTML mode.
func parseHTML(t *testing.T, b []byte) *element {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	root := &element{name: "#root"}
	stack := []*element{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the report does not parse: %v", err)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			top.kids = append(top.kids, e)
			stack = append(stack, e)
		case xml.EndElement:
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].name == tok.Name.Local {
					stack = stack[:i]
					break
				}
			}
		case xml.CharData:
			top.text += string(tok)
		}
	}
	return root
}

func (e *element) all(match func(*element) bool) []*element {
	var out []*element
	if match(e) {
		out = append(out, e)
	}
	for _, k := range e.kids {
		out = append(out, k.all(match)...)
	}
	return out
}

func (e *element) textAll() string {
	s := e.text
	for _, k := range e.kids {
		s += k.textAll()
	}
	return s
}

func named(name string) func(*element) bool { return func(e *element) bool { return e.name == name } }

func classed(name, class string) func(*element) bool {
	return func(e *element) bool {
		return e.name == name && strings.Contains(" "+e.attrs["class"]+" ", " "+class+" ")
	}
}

// TestReportStructure parses the report and checks what it shows: one
// chart per comparison, a Gantt and a map per policy with a row per
// technician and a dot per job, the KPI table's figures.
func TestReportStructure(t *testing.T) {
	sc, rs, b := report(t)
	if bytes.Contains(b, []byte("http://")) || bytes.Contains(b, []byte("https://")) || bytes.Contains(b, []byte("<script")) {
		t.Error("the report refers to something outside itself or runs a script")
	}
	doc := parseHTML(t, b)
	svgs := doc.all(named("svg"))
	if want := 1 + 2*len(rs); len(svgs) != want {
		t.Fatalf("%d svg elements, want %d (a comparison, then a Gantt and a map per policy)", len(svgs), want)
	}
	chart := svgs[0]
	if bars := chart.all(classed("rect", "bar")); len(bars) != 9*len(rs) {
		t.Errorf("comparison: %d bars, want %d", len(bars), 9*len(rs))
	}
	for i, r := range rs {
		gantt, m := svgs[1+2*i], svgs[2+2*i]
		if gantt.attrs["class"] != "gantt" || m.attrs["class"] != "map" {
			t.Fatalf("svg %d, %d: classes %q, %q", 1+2*i, 2+2*i, gantt.attrs["class"], m.attrs["class"])
		}
		if got := len(gantt.all(classed("rect", "shift"))); got != len(sc.Technicians) {
			t.Errorf("%s Gantt: %d shift rows, want %d", r.Policy, got, len(sc.Technicians))
		}
		segs := 0
		for _, td := range r.Technicians {
			for _, g := range td.Segments {
				if g.Kind != sim.SegIdle {
					segs++
				}
			}
		}
		drawn := 0
		for _, cls := range []string{"drive", "work", "wait", "brk"} {
			drawn += len(gantt.all(classed("rect", cls)))
		}
		if drawn != segs {
			t.Errorf("%s Gantt: %d segments drawn, want %d", r.Policy, drawn, segs)
		}
		jobs := 0
		for _, j := range r.Jobs {
			if j.Parent == "" {
				jobs++
			}
		}
		if got := len(m.all(classed("circle", "job"))); got != jobs {
			t.Errorf("%s map: %d jobs, want %d", r.Policy, got, jobs)
		}
		if got := len(m.all(classed("circle", "open"))); got != r.KPIs.Open {
			t.Errorf("%s map: %d open jobs, want %d", r.Policy, got, r.KPIs.Open)
		}
	}
	tables := doc.all(func(e *element) bool { return e.name == "table" && e.attrs["id"] == "kpis" })
	if len(tables) != 1 {
		t.Fatalf("%d KPI tables", len(tables))
	}
	rows := tables[0].all(named("tr"))
	head := rows[0].all(named("th"))
	if len(head) != 1+len(rs) || strings.TrimSpace(head[1].textAll()) != rs[0].Policy {
		t.Fatalf("KPI table head: %d cells", len(head))
	}
	found := false
	for _, row := range rows[1:] {
		cells := row.all(named("td"))
		if strings.TrimSpace(cells[0].textAll()) == "Jobs completed" {
			found = true
			for i, r := range rs {
				if got, want := strings.TrimSpace(cells[1+i].textAll()), strconv.Itoa(r.KPIs.Completed); got != want {
					t.Errorf("%s completed: table %s, KPIs %s", r.Policy, got, want)
				}
			}
		}
	}
	if !found {
		t.Error("no 'Jobs completed' row")
	}
	if best := tables[0].all(classed("td", "best")); len(best) == 0 {
		t.Error("no best value marked")
	}
}

// TestReportInChromium opens the report in headless Chromium and checks
// the screenshot is a full page. It skips where Chromium is not installed
// (scripts/test installs it as root); SIM_SCREENSHOT=file keeps the
// picture.
func TestReportInChromium(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no Chromium on this machine (scripts/test installs Debian's chromium when it runs as root): the browser check is skipped")
	}
	_, _, b := report(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, b, 0o644); err != nil {
		t.Fatal(err)
	}
	shot := os.Getenv("SIM_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(dir, "report.png")
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+shot, "--window-size=1400,2000", "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if bd := img.Bounds(); bd.Dx() != 1400 || bd.Dy() != 2000 {
		t.Fatalf("screenshot %v, want 1400×2000", bd)
	}
	// A rendered page has many colours: bars, text, the Gantt.
	colours := map[uint32]bool{}
	for y := 0; y < 2000; y += 7 {
		for x := 0; x < 1400; x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>11<<10|g>>11<<5|b>>11] = true
		}
	}
	if len(colours) < 40 {
		t.Fatalf("the screenshot has %d colours: a blank page?", len(colours))
	}
}
