package sim

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// WriteReport writes a self-contained HTML page (inline CSS and SVG, no
// script, nothing fetched) about the scenario's day under each policy: the
// headline figures of the first result against the others, a chart and a
// table comparing the policies' KPIs, the SLA by priority, then for each
// policy (the first one open) a Gantt chart of every technician's day
// (driving, work, waiting, breaks, idle time, overtime, late arrivals,
// visits that found a part missing, sick calls), a map of the routes and
// the figures by technician.
func WriteReport(w io.Writer, sc *Scenario, results []*Result) error {
	if len(results) == 0 {
		return fmt.Errorf("sim: a report needs at least one result")
	}
	v := reportView{Scenario: sc, Results: results, Primary: results[0]}
	v.Meta = fmt.Sprintf("%s · %d technicians · %d calls · seed %d · %s", sc.Start.Format("Monday 2 January 2006"),
		len(sc.Technicians), len(sc.Jobs), sc.Seed, sc.Schema)
	v.Cards = cards(results)
	v.Chart = template.HTML(comparisonChart(results))
	v.Table = kpiTable(results)
	v.SLA = slaTable(results)
	for i, r := range results {
		v.Days = append(v.Days, dayView{Result: r, Open: i == 0,
			Gantt: template.HTML(gantt(sc, r)), Map: template.HTML(routeMap(sc, r)), Techs: techRows(r)})
	}
	return reportTemplate.Execute(w, v)
}

type reportView struct {
	Scenario *Scenario
	Results  []*Result
	Primary  *Result
	Meta     string
	Cards    []card
	Chart    template.HTML
	Table    [][]cell
	SLA      [][]cell
	Days     []dayView
}

type dayView struct {
	Result *Result
	Open   bool
	Gantt  template.HTML
	Map    template.HTML
	Techs  [][]string
}

type card struct {
	Label, Value, Delta string
	Good                bool
}

type cell struct {
	Text  string
	Best  bool
	Head  bool
	Class string
}

// metric is one KPI as the report shows it.
type metric struct {
	label  string
	unit   string
	higher bool // higher is better
	value  func(k *KPIs) float64
	format string
}

func metrics() []metric {
	return []metric{
		{"Jobs completed", "%", true, func(k *KPIs) float64 { return 100 * k.CompletedRate }, "%.1f"},
		{"SLA response hit", "%", true, func(k *KPIs) float64 { return 100 * k.ResponseRate }, "%.1f"},
		{"SLA resolution hit", "%", true, func(k *KPIs) float64 { return 100 * k.ResolutionRate }, "%.1f"},
		{"Arrival windows kept", "%", true, func(k *KPIs) float64 { return 100 * k.WindowRate }, "%.1f"},
		{"Utilization", "%", true, func(k *KPIs) float64 { return 100 * k.Utilization }, "%.1f"},
		{"Drive per technician", "h", false, func(k *KPIs) float64 { return k.DriveMinutesPerTech / 60 }, "%.2f"},
		{"Drive per completed job", "min", false, func(k *KPIs) float64 { return k.DriveMinutesPerJob }, "%.1f"},
		{"Mean lateness", "min", false, func(k *KPIs) float64 { return k.MeanLateMinutes }, "%.1f"},
		{"Overtime per technician", "min", false, func(k *KPIs) float64 { return k.OvertimeMinutes / float64(max(1, techsWorked(k))) }, "%.0f"},
	}
}

// techsWorked recovers the number of technicians who worked from the drive
// totals.
func techsWorked(k *KPIs) int {
	if k.DriveMinutesPerTech <= 0 {
		return 0
	}
	return int(math.Round(k.DriveMinutes / k.DriveMinutesPerTech))
}

func cards(rs []*Result) []card {
	p := &rs[0].KPIs
	var out []card
	for _, m := range metrics()[:7] {
		c := card{Label: m.label, Value: fmt.Sprintf(m.format, m.value(p)) + " " + m.unit}
		if len(rs) > 1 {
			// Against the best of the others.
			best, who := 0.0, ""
			for i, r := range rs[1:] {
				x := m.value(&r.KPIs)
				if i == 0 || (m.higher && x > best) || (!m.higher && x < best) {
					best, who = x, r.Policy
				}
			}
			d := m.value(p) - best
			c.Good = (m.higher && d >= 0) || (!m.higher && d <= 0)
			unit := m.unit
			if unit == "%" {
				unit = " pts"
			} else {
				unit = " " + unit
			}
			c.Delta = fmt.Sprintf("%+"+m.format[1:]+"%s vs %s", d, unit, who)
		}
		out = append(out, c)
	}
	return out
}

func kpiTable(rs []*Result) [][]cell {
	head := []cell{{Text: "KPI", Head: true}}
	for _, r := range rs {
		head = append(head, cell{Text: r.Policy, Head: true})
	}
	rows := [][]cell{head}
	add := func(label string, higher bool, val func(k *KPIs) float64, format string) {
		row := []cell{{Text: label}}
		best := 0
		for i, r := range rs {
			x := val(&r.KPIs)
			if (higher && x > val(&rs[best].KPIs)) || (!higher && x < val(&rs[best].KPIs)) {
				best = i
			}
			row = append(row, cell{Text: fmt.Sprintf(format, x), Class: "num"})
		}
		if len(rs) > 1 {
			row[best+1].Best = true
		}
		rows = append(rows, row)
	}
	add("Jobs called", true, func(k *KPIs) float64 { return float64(k.Jobs) }, "%.0f")
	rows[len(rows)-1][1].Best = false
	for i := range rows[len(rows)-1] {
		rows[len(rows)-1][i].Best = false
	}
	add("Jobs completed", true, func(k *KPIs) float64 { return float64(k.Completed) }, "%.0f")
	add("Still open at the end of the day", false, func(k *KPIs) float64 { return float64(k.Open) }, "%.0f")
	for _, m := range metrics() {
		add(m.label+" ("+m.unit+")", m.higher, m.value, m.format)
	}
	add("Drive, total (h)", false, func(k *KPIs) float64 { return k.DriveMinutes / 60 }, "%.1f")
	add("Distance per technician (km)", false, func(k *KPIs) float64 { return k.DriveKmPerTech }, "%.1f")
	add("Overtime, total (h)", false, func(k *KPIs) float64 { return k.OvertimeMinutes / 60 }, "%.1f")
	add("Reassignments", false, func(k *KPIs) float64 { return float64(k.Reassignments) }, "%.0f")
	add("Second visits for parts", false, func(k *KPIs) float64 { return float64(k.SecondVisits) }, "%.0f")
	return rows
}

func slaTable(rs []*Result) [][]cell {
	head := []cell{{Text: "Priority", Head: true}, {Text: "Jobs", Head: true}}
	for _, r := range rs {
		head = append(head, cell{Text: r.Policy + " response", Head: true}, cell{Text: r.Policy + " resolution", Head: true})
	}
	rows := [][]cell{head}
	for pi, p := range priorities() {
		row := []cell{{Text: string(p), Class: "prio " + strings.ToLower(string(p))}, {Text: fmt.Sprint(rs[0].KPIs.ByPriority[pi].Jobs), Class: "num"}}
		bestResp, bestRes := 0, 0
		for i, r := range rs {
			b := r.KPIs.ByPriority[pi]
			if b.ResponseRate > rs[bestResp].KPIs.ByPriority[pi].ResponseRate {
				bestResp = i
			}
			if b.ResolutionRate > rs[bestRes].KPIs.ByPriority[pi].ResolutionRate {
				bestRes = i
			}
			row = append(row, cell{Text: fmt.Sprintf("%.1f %%", 100*b.ResponseRate), Class: "num"},
				cell{Text: fmt.Sprintf("%.1f %%", 100*b.ResolutionRate), Class: "num"})
		}
		if len(rs) > 1 {
			row[2+2*bestResp].Best = true
			row[3+2*bestRes].Best = true
		}
		rows = append(rows, row)
	}
	return rows
}

func techRows(r *Result) [][]string {
	rows := [][]string{{"Technician", "Zone", "Shift", "Jobs", "Drive (min)", "Drive (km)", "Work (min)", "Idle (min)", "Utilization", "Overtime (min)"}}
	for _, t := range r.Technicians {
		shift := t.ShiftStart.Format("15:04") + "–" + t.ShiftEnd.Format("15:04")
		if !t.SickAt.IsZero() {
			shift += " (sick " + t.SickAt.Format("15:04") + ")"
		}
		k := t.KPIs
		rows = append(rows, []string{t.ID + " " + t.Name, t.Zone, shift, fmt.Sprint(k.Jobs), fmt.Sprintf("%.0f", k.DriveMinutes),
			fmt.Sprintf("%.1f", k.DriveKm), fmt.Sprintf("%.0f", k.WorkMinutes), fmt.Sprintf("%.0f", k.IdleMinutes),
			fmt.Sprintf("%.0f %%", 100*k.Utilization), fmt.Sprintf("%.0f", k.OvertimeMinutes)})
	}
	return rows
}

// policyColors are the colours of the policies in charts, in order.
var policyColors = [...]string{"#2563eb", "#d97706", "#7c3aed", "#059669", "#db2777"}

func policyColor(i int) string { return policyColors[i%len(policyColors)] }

// svg is a small SVG writer; every text it writes is escaped.
type svg struct{ strings.Builder }

func (b *svg) f(format string, args ...any) { fmt.Fprintf(&b.Builder, format, args...) }

func esc(s string) string { return template.HTMLEscapeString(s) }

// comparisonChart draws one small bar chart per KPI, a bar per policy.
func comparisonChart(rs []*Result) string {
	ms := metrics()
	const cols, cw, ch = 3, 400, 150
	rows := (len(ms) + cols - 1) / cols
	var b svg
	b.f(`<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="Policy comparison">`, cols*cw, rows*ch+30)
	// Legend.
	x := 10
	for i, r := range rs {
		b.f(`<rect x="%d" y="6" width="14" height="14" rx="3" fill="%s"/><text x="%d" y="18" class="lg">%s</text>`, x, policyColor(i), x+20, esc(r.Policy))
		x += 30 + 9*len(r.Policy)
	}
	for mi, m := range ms {
		ox, oy := (mi%cols)*cw, 30+(mi/cols)*ch
		b.f(`<g class="metric" transform="translate(%d %d)">`, ox, oy)
		note := "higher is better"
		if !m.higher {
			note = "lower is better"
		}
		b.f(`<text x="10" y="18" class="mt">%s</text><text x="%d" y="18" class="mn" text-anchor="end">%s</text>`, esc(m.label), cw-20, note)
		top := 0.0
		for _, r := range rs {
			top = max(top, m.value(&r.KPIs))
		}
		if m.unit == "%" {
			top = 100
		}
		if top <= 0 {
			top = 1
		}
		bw := float64(cw-90-100) / top // room for the value after the longest bar
		for i, r := range rs {
			y := 30 + i*(100/len(rs)+2)
			h := 100/len(rs) - 4
			val := m.value(&r.KPIs)
			b.f(`<text x="84" y="%d" class="bl" text-anchor="end">%s</text>`, y+h/2+4, esc(r.Policy))
			b.f(`<rect class="bar" x="90" y="%d" width="%.1f" height="%d" rx="3" fill="%s"><title>%s · %s: %s %s</title></rect>`,
				y, max(1, val*bw), h, policyColor(i), esc(r.Policy), esc(m.label), fmt.Sprintf(m.format, val), m.unit)
			b.f(`<text x="%.1f" y="%d" class="bv">%s %s</text>`, 96+val*bw, y+h/2+4, fmt.Sprintf(m.format, val), m.unit)
		}
		b.f(`</g>`)
	}
	b.f(`</svg>`)
	return b.String()
}

// span is the hours a day's chart covers.
func span(sc *Scenario, r *Result) (time.Time, time.Time) {
	from := sc.Start
	to := from
	for _, t := range r.Technicians {
		to = maxT(to, t.ShiftEnd.Add(time.Duration(t.OvertimeMinutes)*time.Minute))
		to = maxT(to, t.HomeAt)
		for _, g := range t.Segments {
			to = maxT(to, g.End)
		}
	}
	return from, to.Truncate(time.Hour).Add(time.Hour)
}

func maxT(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

var segClass = map[SegmentKind]string{SegDrive: "drive", SegWork: "work", SegWait: "wait", SegIdle: "idle", SegBreak: "brk"}

// gantt draws each technician's day on a time axis.
func gantt(sc *Scenario, r *Result) string {
	from, to := span(sc, r)
	const left, width, rowH, top = 190, 1080, 18, 34
	hours := to.Sub(from).Hours()
	px := func(t time.Time) float64 { return left + float64(t.Sub(from))/float64(to.Sub(from))*width }
	h := top + rowH*len(r.Technicians) + 10
	var b svg
	b.f(`<svg class="gantt" viewBox="0 0 %d %d" role="img" aria-label="Technician days">`, left+width+20, h)
	for i := 0; i <= int(hours); i++ {
		t := from.Add(time.Duration(i) * time.Hour)
		x := px(t)
		b.f(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="grid"/><text x="%.1f" y="%d" class="ax" text-anchor="middle">%s</text>`,
			x, top-6, x, h-6, x, top-12, t.Format("15:04"))
	}
	for i, t := range r.Technicians {
		y := top + i*rowH
		if i%2 == 0 {
			b.f(`<rect x="0" y="%d" width="%d" height="%d" class="zebra"/>`, y, left+width+20, rowH)
		}
		b.f(`<text x="6" y="%d" class="tl">%s</text>`, y+13, esc(fmt.Sprintf("%s %s", t.ID, t.Name)))
		b.f(`<text x="%d" y="%d" class="tz" text-anchor="end">%s</text>`, left-8, y+13, esc(t.Zone))
		shiftEnd := t.ShiftEnd
		if !t.SickAt.IsZero() && t.SickAt.Before(shiftEnd) {
			shiftEnd = maxT(t.SickAt, t.ShiftStart)
		}
		b.f(`<rect x="%.1f" y="%d" width="%.1f" height="%d" class="shift"><title>shift %s–%s</title></rect>`,
			px(t.ShiftStart), y+3, px(shiftEnd)-px(t.ShiftStart), rowH-6, t.ShiftStart.Format("15:04"), t.ShiftEnd.Format("15:04"))
		if t.OvertimeMinutes > 0 && t.SickAt.IsZero() {
			ot := t.ShiftEnd.Add(time.Duration(t.OvertimeMinutes) * time.Minute)
			b.f(`<rect x="%.1f" y="%d" width="%.1f" height="%d" class="otz"><title>overtime allowed to %s</title></rect>`,
				px(t.ShiftEnd), y+3, px(ot)-px(t.ShiftEnd), rowH-6, ot.Format("15:04"))
		}
		for _, g := range t.Segments {
			cls := segClass[g.Kind]
			if g.Incomplete {
				cls += " inc"
			}
			title := fmt.Sprintf("%s %s–%s", strings.ToLower(string(g.Kind)), g.Start.Format("15:04"), g.End.Format("15:04"))
			if g.JobID != "" {
				title += " · " + g.JobID
			}
			if g.Incomplete {
				title += " · part missing: second visit"
			}
			if g.Kind == SegDrive {
				title += fmt.Sprintf(" · %.1f km", g.Meters/1000)
			}
			b.f(`<rect x="%.1f" y="%d" width="%.1f" height="%d" class="%s"><title>%s</title></rect>`,
				px(g.Start), y+4, max(0.8, px(g.End)-px(g.Start)), rowH-8, cls, esc(title))
			if g.Kind == SegWork && g.LateMinutes > 0 {
				x := px(g.Start)
				b.f(`<path d="M%.1f %d l4 -5 h-8 z" class="late"><title>%s late %.0f min</title></path>`, x, y+4, esc(g.JobID), g.LateMinutes)
			}
		}
		if t.HomeAt.After(t.ShiftEnd) {
			b.f(`<rect x="%.1f" y="%d" width="%.1f" height="2" class="ot"><title>overtime %.0f min</title></rect>`,
				px(t.ShiftEnd), y+rowH-4, px(t.HomeAt)-px(t.ShiftEnd), t.HomeAt.Sub(t.ShiftEnd).Minutes())
		}
		if !t.SickAt.IsZero() {
			x := px(maxT(t.SickAt, from))
			b.f(`<text x="%.1f" y="%d" class="sick">✚ sick %s</text>`, x+2, y+13, t.SickAt.Format("15:04"))
		}
	}
	b.f(`</svg>`)
	return b.String()
}

// prioColor is a job's dot colour on the map.
func prioColor(p dispatch.Priority) string {
	switch p {
	case dispatch.PriorityEmergency:
		return "#dc2626"
	case dispatch.PriorityHigh:
		return "#ea580c"
	case dispatch.PriorityMedium:
		return "#2563eb"
	}
	return "#64748b"
}

// routeMap draws the area, each technician's drives and every job.
func routeMap(sc *Scenario, r *Result) string {
	const size, pad = 760, 20
	c := sc.Area.Center
	scale := float64(size/2-pad) / sc.Area.RadiusKm
	cos := math.Cos(c.Lat * math.Pi / 180)
	pt := func(l dispatch.Location) (float64, float64) {
		x := (l.Lng - c.Lng) * cos * kmPerDegree
		y := (l.Lat - c.Lat) * kmPerDegree
		return size/2 + x*scale, size/2 - y*scale
	}
	var b svg
	b.f(`<svg class="map" viewBox="0 0 %d %d" role="img" aria-label="Routes">`, size, size)
	b.f(`<circle cx="%d" cy="%d" r="%.1f" class="area"/>`, size/2, size/2, sc.Area.RadiusKm*scale)
	for _, z := range sc.Area.Zones {
		x, y := pt(z.Center)
		b.f(`<text x="%.1f" y="%.1f" class="zone" text-anchor="middle">%s</text>`, x, y, esc(z.Name))
	}
	// A 5 km scale bar.
	b.f(`<line x1="%d" y1="%d" x2="%.1f" y2="%d" class="scale"/><text x="%d" y="%d" class="ax">5 km</text>`,
		pad, size-pad, pad+5*scale, size-pad, pad, size-pad-6)
	for i, t := range r.Technicians {
		hue := (i * 137) % 360
		var pts []string
		for _, g := range t.Segments {
			if g.Kind != SegDrive {
				continue
			}
			x1, y1 := pt(g.From)
			x2, y2 := pt(g.To)
			if len(pts) == 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x1, y1))
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x2, y2))
		}
		if len(pts) > 1 {
			b.f(`<polyline points="%s" class="route" stroke="hsl(%d 70%% 42%%)"><title>%s %s</title></polyline>`,
				strings.Join(pts, " "), hue, esc(t.ID), esc(t.Name))
		}
		x, y := pt(t.Home)
		b.f(`<rect x="%.1f" y="%.1f" width="6" height="6" class="home" fill="hsl(%d 70%% 42%%)"><title>%s home</title></rect>`, x-3, y-3, hue, esc(t.ID))
	}
	for _, j := range r.Jobs {
		if j.Parent != "" {
			continue
		}
		x, y := pt(j.Location)
		cls := "job"
		if j.Status != JobCompleted {
			cls = "job open"
		}
		title := fmt.Sprintf("%s %s · %s · %s", j.ID, j.Title, j.Priority, strings.ToLower(string(j.Status)))
		if len(j.Technicians) > 0 {
			title += " · " + strings.Join(j.Technicians, ", ")
		}
		b.f(`<circle cx="%.1f" cy="%.1f" r="3.2" class="%s" fill="%s" stroke="%s"><title>%s</title></circle>`, x, y, cls, prioColor(j.Priority), prioColor(j.Priority), esc(title))
	}
	b.f(`</svg>`)
	return b.String()
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dispatch simulation · {{.Scenario.Name}}</title>
<style>
:root{--ink:#0f172a;--mute:#64748b;--line:#e2e8f0;--bg:#f8fafc;--good:#047857;--bad:#b91c1c}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1340px;margin:0 auto;padding:28px 28px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:34px 0 10px}h3{font-size:15px;margin:22px 0 8px}
.meta{color:var(--mute);margin:0 0 6px}.desc{margin:0 0 18px;max-width:900px}
.cards{display:grid;grid-template-columns:repeat(7,1fr);gap:10px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .l{color:var(--mute);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:24px;font-weight:650;margin:2px 0}
.card .d{font-size:12px}.good{color:var(--good)}.bad{color:var(--bad)}
.panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{font-size:12px;color:var(--mute);text-transform:uppercase;letter-spacing:.03em;background:#f1f5f9}
td.num{text-align:right}td.best{font-weight:700;color:var(--good)}
td.prio{font-weight:600}.emergency{color:#dc2626}.high{color:#ea580c}.medium{color:#2563eb}.low{color:#475569}
details{margin-top:18px}summary{cursor:pointer;font-size:18px;font-weight:650;padding:6px 0}
.legend{display:flex;flex-wrap:wrap;gap:14px;color:var(--mute);font-size:12px;margin:4px 0 8px}
.legend i{display:inline-block;width:16px;height:10px;border-radius:2px;margin-right:5px;vertical-align:middle}
.mapwrap{text-align:center}.mapwrap svg{width:860px;max-width:100%}
svg text{font-family:inherit}
.chart .lg{font-size:13px;fill:#334155}.chart .mt{font-size:13px;font-weight:650;fill:#0f172a}.chart .mn{font-size:11px;fill:#94a3b8}
.chart .bl{font-size:12px;fill:#475569}.chart .bv{font-size:12px;fill:#0f172a;font-weight:600}
.gantt .grid{stroke:#e2e8f0}.gantt .ax,.map .ax{font-size:11px;fill:#64748b}.gantt .tl{font-size:11px;fill:#0f172a}.gantt .tz{font-size:9px;fill:#94a3b8}
.gantt .zebra{fill:#f8fafc}.gantt .shift{fill:#e0f2fe}.gantt .otz{fill:#fef3c7}
.drive{fill:#f59e0b}.work{fill:#2563eb}.work.inc{fill:#f97316}.wait{fill:#cbd5e1}.idle{fill:none}.brk{fill:#10b981}
.gantt .late{fill:#dc2626}.gantt .ot{fill:#b91c1c}.gantt .sick{font-size:11px;fill:#b91c1c;font-weight:650}
.map{background:#fff}.map .area{fill:#f1f5f9;stroke:#cbd5e1}.map .zone{font-size:12px;fill:#94a3b8;letter-spacing:.1em}
.map .route{fill:none;stroke-width:1.3;opacity:.6}.map .job{stroke-width:0}.map .job.open{fill:#fff;stroke-width:1.6}
.map .scale{stroke:#334155;stroke-width:2}.map .home{stroke:#fff;stroke-width:1}
footer{margin-top:40px;color:var(--mute);font-size:12px;max-width:1000px}
</style></head>
<body><main>
<h1>Dispatch simulation · {{.Scenario.Name}}</h1>
<p class="meta">{{.Meta}}</p>
<p class="desc">{{.Scenario.Description}}</p>

<h2>{{.Primary.Policy}} at a glance</h2>
<div class="cards">{{range .Cards}}<div class="card"><div class="l">{{.Label}}</div><div class="v">{{.Value}}</div>{{if .Delta}}<div class="d {{if .Good}}good{{else}}bad{{end}}">{{.Delta}}</div>{{end}}</div>{{end}}</div>

<h2>Policies compared</h2>
<div class="panel">{{.Chart}}</div>

<h2>KPIs</h2>
<div class="panel"><table id="kpis">{{range .Table}}<tr>{{range .}}{{if .Head}}<th>{{.Text}}</th>{{else}}<td class="{{.Class}}{{if .Best}} best{{end}}">{{.Text}}</td>{{end}}{{end}}</tr>{{end}}</table></div>

<h3>SLA hit rate by priority</h3>
<div class="panel"><table id="sla">{{range .SLA}}<tr>{{range .}}{{if .Head}}<th>{{.Text}}</th>{{else}}<td class="{{.Class}}{{if .Best}} best{{end}}">{{.Text}}</td>{{end}}{{end}}</tr>{{end}}</table></div>

{{range .Days}}
<details class="day"{{if .Open}} open{{end}}><summary>The day with the {{.Result.Policy}} policy</summary>
<div class="legend"><span><i class="drive" style="background:#f59e0b"></i>driving</span><span><i style="background:#2563eb"></i>work</span><span><i style="background:#f97316"></i>visit ended for a missing part</span><span><i style="background:#cbd5e1"></i>waiting for the window</span><span><i style="background:#10b981"></i>break</span><span><i style="background:#e0f2fe;border:1px solid #bae6fd"></i>shift (blank: idle)</span><span><i style="background:#fef3c7"></i>overtime allowed</span><span><i style="background:#b91c1c;height:3px"></i>overtime worked</span><span style="color:#dc2626">▼ late arrival</span></div>
<div class="panel">{{.Gantt}}</div>
<h3>Routes</h3>
<div class="legend"><span><i style="background:#dc2626;border-radius:50%;width:10px"></i>emergency</span><span><i style="background:#ea580c;border-radius:50%;width:10px"></i>high</span><span><i style="background:#2563eb;border-radius:50%;width:10px"></i>medium</span><span><i style="background:#64748b;border-radius:50%;width:10px"></i>low</span><span>hollow: not completed</span><span>■ a technician’s home; a line per technician’s drives</span></div>
<div class="panel mapwrap">{{.Map}}</div>
<h3>Technicians</h3>
<div class="panel"><table class="techs">{{range $i, $r := .Techs}}<tr>{{range $r}}{{if eq $i 0}}<th>{{.}}</th>{{else}}<td>{{.}}</td>{{end}}{{end}}</tr>{{end}}</table></div>
</details>
{{end}}

<footer>SLA clocks start at the call, or at the start of the arrival window a customer booked; response means a technician on site, resolution the job done (its second visit, if a part was missing). Hit rates count every job called that day: a job still open at the end of the day is a miss. Lateness is the time past the promise (the window’s end, else the response deadline) at the first arrival. Utilization is time working over time on shift, less the break. A reassignment is a job given to another technician after it was promised (the head of a technician’s queue). Generated by dispatch/sim ({{.Scenario.Schema}}).</footer>
</main></body></html>
`))
