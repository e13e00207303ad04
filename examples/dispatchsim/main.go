package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hestami-ai/opsengine/dispatch/sim"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dispatchsim:", err)
		os.Exit(1)
	}
}

func run() error {
	preset := flag.String("scenario", "tuesday", "preset day: "+strings.Join(sim.Presets(), ", "))
	file := flag.String("scenario-file", "", "read the scenario from this JSON file instead of a preset")
	seed := flag.Uint64("seed", 1, "seed of the generated scenario")
	techs := flag.Int("techs", 0, "technicians (0: the preset's)")
	jobs := flag.Int("jobs", 0, "calls (0: the preset's)")
	emergency := flag.Float64("emergency", -1, "share of same-day calls that are emergencies (negative: the preset's)")
	policies := flag.String("policies", "optimizer,nearest,zone", "policies to run, comma-separated; the first is the report's headline")
	out := flag.String("out", "", "write the HTML report to this file")
	asJSON := flag.Bool("json", false, "write the KPIs as JSON on standard output")
	writeScenario := flag.String("write-scenario", "", "write the scenario as JSON to this file")
	quiet := flag.Bool("quiet", false, "no progress on standard error")
	flag.Parse()

	sc, err := scenario(*file, *preset, *seed, *techs, *jobs, *emergency)
	if err != nil {
		return err
	}
	if *writeScenario != "" {
		if err := writeFile(*writeScenario, func(f *os.File) error { return sc.WriteJSON(f) }); err != nil {
			return err
		}
	}
	var results []*sim.Result
	for _, name := range strings.Split(*policies, ",") {
		d, err := policy(strings.TrimSpace(name))
		if err != nil {
			return err
		}
		start := time.Now()
		opt := &sim.Options{}
		if !*quiet {
			last := time.Time{}
			opt.Progress = func(p sim.Progress) {
				if now := time.Now(); now.Sub(last) >= 100*time.Millisecond || p.Fraction == 1 {
					last = now
					fmt.Fprintf(os.Stderr, "\r%-10s %s %s %3.0f%%  %4d/%d calls  %5.1fs", p.Policy, bar(p.Fraction),
						p.Now.Format("15:04"), 100*p.Fraction, p.Calls, p.Total, time.Since(start).Seconds())
				}
			}
		}
		r, err := sim.Run(context.Background(), sc, d, opt)
		if err != nil {
			return err
		}
		if !*quiet {
			fmt.Fprintf(os.Stderr, "\r%-10s done in %.1fs: %d of %d jobs completed, SLA response %.1f %%, drive %.0f h%20s\n", d.Name(),
				time.Since(start).Seconds(), r.KPIs.Completed, r.KPIs.Jobs, 100*r.KPIs.ResponseRate, r.KPIs.DriveMinutes/60, "")
		}
		results = append(results, r)
	}
	if *out != "" {
		if err := writeFile(*out, func(f *os.File) error { return sim.WriteReport(f, sc, results) }); err != nil {
			return err
		}
		if !*quiet {
			fmt.Fprintln(os.Stderr, "report:", *out)
		}
	}
	if *asJSON {
		type entry struct {
			Policy     string   `json:"policy"`
			Dispatches int      `json:"dispatches"`
			KPIs       sim.KPIs `json:"kpis"`
		}
		doc := struct {
			Scenario    string  `json:"scenario"`
			Seed        uint64  `json:"seed"`
			Technicians int     `json:"technicians"`
			Jobs        int     `json:"jobs"`
			Results     []entry `json:"results"`
		}{Scenario: sc.Name, Seed: sc.Seed, Technicians: len(sc.Technicians), Jobs: len(sc.Jobs)}
		for _, r := range results {
			doc.Results = append(doc.Results, entry{r.Policy, r.Dispatches, r.KPIs})
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	return nil
}

func scenario(file, preset string, seed uint64, techs, jobs int, emergency float64) (*sim.Scenario, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return sim.ReadScenario(f)
	}
	c, err := sim.Preset(preset)
	if err != nil {
		return nil, err
	}
	c.Seed = seed
	if techs > 0 {
		c.Technicians = techs
	}
	if jobs > 0 {
		c.Jobs = jobs
	}
	if emergency >= 0 {
		c.EmergencyShare = emergency
	}
	return sim.Generate(c)
}

func policy(name string) (sim.Dispatcher, error) {
	switch name {
	case "optimizer":
		return sim.NewOptimizer(nil), nil
	case "nearest":
		return sim.NewNearest(), nil
	case "zone":
		return sim.NewFixedZone(), nil
	}
	return nil, fmt.Errorf("unknown policy %q (optimizer, nearest, zone)", name)
}

func writeFile(path string, write func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func bar(f float64) string {
	const n = 24
	k := int(f * n)
	return "[" + strings.Repeat("█", k) + strings.Repeat("·", n-k) + "]"
}
