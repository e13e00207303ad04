package dispatch_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// verifyPlan recomputes a plan from its snapshot, independently of the
// optimizer, and returns the first broken rule: each job at most once and
// every job either routed or listed unassigned with one reason per
// technician; per stop the static rules (compliance, active, pin, skills
// and levels, certifications valid on the job date, territory); travel,
// arrival, start and departure times recomputed exactly; windows, breaks,
// shifts with overtime, time off; parts, job and work limits per
// technician; no technician in two places at once; locked jobs first.
func verifyPlan(s *dispatch.Snapshot, p *dispatch.Plan) error {
	jobs := map[string]*dispatch.Job{}
	for i := range s.Jobs {
		jobs[s.Jobs[i].ID] = &s.Jobs[i]
	}
	techs := map[string]*dispatch.Technician{}
	for i := range s.Technicians {
		techs[s.Technicians[i].ID] = &s.Technicians[i]
	}
	seen := map[string]bool{}
	type tally struct {
		jobs  int
		work  time.Duration
		parts map[string]int
		busy  []dispatch.Interval
	}
	tallies := map[string]*tally{}
	for ri, r := range p.Routes {
		t := techs[r.TechnicianID]
		if t == nil || r.Shift < 0 || r.Shift >= len(t.Shifts) {
			return fmt.Errorf("route %d: unknown technician or shift", ri)
		}
		ty := tallies[t.ID]
		if ty == nil {
			ty = &tally{parts: map[string]int{}}
			tallies[t.ID] = ty
		}
		sh := t.Shifts[r.Shift]
		start := sh.Start
		if s.Now.After(start) {
			start = s.Now
		}
		if r.Depart.Before(start) {
			return fmt.Errorf("%s: leaves %v before the shift", t.ID, r.Depart)
		}
		clock := r.Depart
		pos := t.Start
		travel := time.Duration(0)
		breaks := 0
		for k, st := range r.Stops {
			if st.Kind == dispatch.StopBreak {
				if st.Arrival != clock {
					return fmt.Errorf("%s: break arrival %v, recomputed %v", t.ID, st.Arrival, clock)
				}
				ok := false
				for _, b := range t.Breaks {
					if !st.Start.Before(b.Earliest) && !st.Start.After(b.Latest) && st.Depart.Sub(st.Start) == b.Duration && !st.Start.Before(st.Arrival) {
						ok = true
					}
				}
				if !ok {
					return fmt.Errorf("%s: break at %v fits no break", t.ID, st.Start)
				}
				if st.Start.After(clock) {
					// waiting for the break window is allowed only up to its start
					if want := maxT(clock, st.Start); want != st.Start {
						return fmt.Errorf("%s: break start", t.ID)
					}
				}
				clock = st.Depart
				breaks++
				continue
			}
			j := jobs[st.JobID]
			if j == nil || seen[j.ID] {
				return fmt.Errorf("%s: job %s unknown or served twice", t.ID, st.JobID)
			}
			seen[j.ID] = true
			if err := staticOK(s, t, j); err != nil {
				return fmt.Errorf("%s: job %s: %v", t.ID, j.ID, err)
			}
			if j.Locked && (!st.Locked || k >= countLocked(s, t.ID)+breaksBefore(r.Stops, k)) {
				return fmt.Errorf("%s: locked job %s is not at the head of the route", t.ID, j.ID)
			}
			d, m := s.Travel.Travel(pos, j.Location, s.Now)
			if d != st.Travel || m != st.Meters {
				return fmt.Errorf("%s: job %s: travel %v/%v, recomputed %v/%v", t.ID, j.ID, st.Travel, st.Meters, d, m)
			}
			travel += d
			arr := clock.Add(d)
			if k == 0 && st.Arrival.After(arr) {
				arr = st.Arrival // a late departure may be reported as on-time arrival
			}
			if !st.Arrival.Equal(arr) {
				return fmt.Errorf("%s: job %s: arrival %v, recomputed %v", t.ID, j.ID, st.Arrival, arr)
			}
			begin := arr
			late := time.Duration(0)
			if len(j.Windows) > 0 {
				ok := false
				for _, w := range j.Windows {
					if !arr.After(w.End.Add(w.Late)) {
						begin = maxT(arr, w.Start)
						soft := w.End
						if !j.SLADeadline.IsZero() && j.SLADeadline.Before(soft) {
							soft = j.SLADeadline
						}
						if begin.After(soft) {
							late = begin.Sub(soft)
						}
						ok = true
						break
					}
				}
				if !ok {
					return fmt.Errorf("%s: job %s: arrival %v after every window", t.ID, j.ID, arr)
				}
			} else if !j.SLADeadline.IsZero() && begin.After(j.SLADeadline) {
				late = begin.Sub(j.SLADeadline)
			}
			if !st.Start.Equal(begin) || st.Late != late {
				return fmt.Errorf("%s: job %s: start %v late %v, recomputed %v late %v", t.ID, j.ID, st.Start, st.Late, begin, late)
			}
			dur := j.Duration
			if len(j.DurationByLevel) > 0 {
				lvl := 0
				for _, sk := range t.Skills {
					if sk.Trade == j.Skills[0].Trade {
						lvl = max(lvl, sk.Level)
					}
				}
				if dd, ok := j.DurationByLevel[lvl]; ok {
					dur = dd
				}
			}
			if !st.Depart.Equal(begin.Add(dur)) {
				return fmt.Errorf("%s: job %s: departs %v, recomputed %v", t.ID, j.ID, st.Depart, begin.Add(dur))
			}
			ty.work += d + dur
			ty.jobs++
			for sku, q := range j.Parts {
				ty.parts[sku] += q
			}
			clock = st.Depart
			pos = j.Location
		}
		if due := len(breaksOf(t, sh, s.Now, r.Depart)); breaks != due && len(r.Stops) > 0 {
			return fmt.Errorf("%s: %d breaks taken, %d due", t.ID, breaks, due)
		}
		end := pos
		back := clock
		if t.End != nil {
			end = *t.End
			d, _ := s.Travel.Travel(pos, end, s.Now)
			travel += d
			ty.work += d
			back = clock.Add(d)
		}
		if !r.Return.Equal(back) || r.Travel != travel {
			return fmt.Errorf("%s: returns %v travel %v, recomputed %v travel %v", t.ID, r.Return, r.Travel, back, travel)
		}
		if back.After(sh.End.Add(sh.Overtime)) {
			return fmt.Errorf("%s: back %v after the shift and overtime", t.ID, back)
		}
		for _, off := range t.TimeOff {
			if r.Depart.Before(off.End) && back.After(off.Start) {
				return fmt.Errorf("%s: works during time off", t.ID)
			}
		}
		ty.busy = append(ty.busy, dispatch.Interval{Start: r.Depart, End: back})
	}
	for id, ty := range tallies {
		t := techs[id]
		if t.MaxJobs > 0 && ty.jobs > t.MaxJobs {
			return fmt.Errorf("%s: %d jobs over %d", id, ty.jobs, t.MaxJobs)
		}
		if t.MaxWork > 0 && ty.work > t.MaxWork+time.Millisecond {
			return fmt.Errorf("%s: %v of work over %v", id, ty.work, t.MaxWork)
		}
		for sku, q := range ty.parts {
			if q > t.Truck[sku] {
				return fmt.Errorf("%s: %d of %s, truck has %d", id, q, sku, t.Truck[sku])
			}
		}
		slices.SortFunc(ty.busy, func(a, b dispatch.Interval) int { return a.Start.Compare(b.Start) })
		for k := 1; k < len(ty.busy); k++ {
			if ty.busy[k].Start.Before(ty.busy[k-1].End) {
				return fmt.Errorf("%s: double-booked: routes overlap", id)
			}
		}
	}
	for _, u := range p.Unassigned {
		if seen[u.JobID] || jobs[u.JobID] == nil {
			return fmt.Errorf("unassigned job %s unknown or also routed", u.JobID)
		}
		seen[u.JobID] = true
		if len(u.Reasons) != len(s.Technicians) {
			return fmt.Errorf("unassigned job %s: %d reasons for %d technicians", u.JobID, len(u.Reasons), len(s.Technicians))
		}
	}
	if len(seen) != len(s.Jobs) {
		return fmt.Errorf("%d jobs accounted for, %d in the snapshot", len(seen), len(s.Jobs))
	}
	return nil
}

func maxT(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func countLocked(s *dispatch.Snapshot, tech string) int {
	n := 0
	for _, j := range s.Jobs {
		if j.Locked && j.PinnedTo == tech {
			n++
		}
	}
	return n
}

func breaksBefore(stops []dispatch.Stop, k int) int {
	n := 0
	for _, s := range stops[:k] {
		if s.Kind == dispatch.StopBreak {
			n++
		}
	}
	return n
}

// breaksOf lists the breaks due in the span of a shift (cut by time off)
// that contains at.
func breaksOf(t *dispatch.Technician, sh dispatch.Shift, now, at time.Time) []dispatch.Break {
	from, to := maxT(sh.Start, now), sh.End.Add(sh.Overtime)
	for _, off := range t.TimeOff {
		if !off.End.After(at) && off.End.After(from) {
			from = off.End
		}
		if off.Start.After(at) && off.Start.Before(to) {
			to = off.Start
		}
	}
	var out []dispatch.Break
	for _, b := range t.Breaks {
		if !b.Earliest.Before(from) && b.Earliest.Before(to) {
			out = append(out, b)
		}
	}
	return out
}

// staticOK applies the static rules independently of the package.
func staticOK(s *dispatch.Snapshot, t *dispatch.Technician, j *dispatch.Job) error {
	if s.Compliance.LicenseInvalid || s.Compliance.InsuranceInvalid || t.Inactive {
		return fmt.Errorf("compliance or inactive")
	}
	if j.PinnedTo != "" && j.PinnedTo != t.ID {
		return fmt.Errorf("pinned elsewhere")
	}
	for _, need := range j.Skills {
		if slices.Contains(s.Compliance.InvalidTrades, need.Trade) {
			return fmt.Errorf("trade license invalid")
		}
		ok := false
		for _, have := range t.Skills {
			if have.Trade == need.Trade && have.Level >= need.Level {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("skill %s %d", need.Trade, need.Level)
		}
	}
	date := s.Now
	if len(j.Windows) > 0 {
		date = j.Windows[len(j.Windows)-1].End
	}
	for _, c := range j.Certifications {
		ok := false
		for _, have := range t.Certifications {
			if have.Name == c && (have.ExpiresAt.IsZero() || !have.ExpiresAt.Before(date)) {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("certification %s", c)
		}
	}
	if j.Territory != "" && len(t.Territories) > 0 && !slices.Contains(t.Territories, j.Territory) {
		return fmt.Errorf("territory")
	}
	return nil
}
