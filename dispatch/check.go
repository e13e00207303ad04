package dispatch

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// The checker pipeline. Each rule looks at one technician and one job and
// answers ok or a reason; the first failing rule is the reason reported.
// Static rules do not depend on time; Check adds the rules of a requested
// start, and the optimizer adds the rules of a planned day.

// rule is one checker of the pipeline.
type rule struct {
	code  ReasonCode
	check func(s *Snapshot, t *Technician, j *Job) (detail string, ok bool)
}

// staticRules returns the rules that need no time, in pipeline order.
func staticRules() [9]rule {
	return [...]rule{
		{ReasonLicenseInvalid, checkLicense},
		{ReasonInsuranceInvalid, checkInsurance},
		{ReasonInactive, checkActive},
		{ReasonPinnedElsewhere, checkPin},
		{ReasonSkillMissing, checkSkillPresent},
		{ReasonSkillLevel, checkSkillLevel},
		{ReasonCertificationMissing, checkCertPresent},
		{ReasonCertificationExpired, checkCertValid},
		{ReasonTerritory, checkTerritory},
	}
}

func checkLicense(s *Snapshot, _ *Technician, j *Job) (string, bool) {
	if s.Compliance.LicenseInvalid {
		return "the organization's license is invalid", false
	}
	for _, sk := range j.Skills {
		if slices.Contains(s.Compliance.InvalidTrades, sk.Trade) {
			return "no valid license for " + sk.Trade, false
		}
	}
	return "", true
}

func checkInsurance(s *Snapshot, _ *Technician, _ *Job) (string, bool) {
	if s.Compliance.InsuranceInvalid {
		return "the organization's insurance is invalid", false
	}
	return "", true
}

func checkActive(_ *Snapshot, t *Technician, _ *Job) (string, bool) {
	return "inactive", !t.Inactive
}

func checkPin(_ *Snapshot, t *Technician, j *Job) (string, bool) {
	if j.PinnedTo != "" && j.PinnedTo != t.ID {
		return "pinned to " + j.PinnedTo, false
	}
	return "", true
}

func skillLevel(t *Technician, trade string) int {
	lvl := 0
	for _, s := range t.Skills {
		if s.Trade == trade {
			lvl = max(lvl, s.Level)
		}
	}
	return lvl
}

func checkSkillPresent(_ *Snapshot, t *Technician, j *Job) (string, bool) {
	for _, sk := range j.Skills {
		if skillLevel(t, sk.Trade) == 0 {
			return "no " + sk.Trade + " skill", false
		}
	}
	return "", true
}

func checkSkillLevel(_ *Snapshot, t *Technician, j *Job) (string, bool) {
	for _, sk := range j.Skills {
		if l := skillLevel(t, sk.Trade); l < sk.Level {
			return fmt.Sprintf("%s level %d, needs %d", sk.Trade, l, sk.Level), false
		}
	}
	return "", true
}

func findCert(t *Technician, name string) *Certification {
	for i := range t.Certifications {
		if t.Certifications[i].Name == name {
			return &t.Certifications[i]
		}
	}
	return nil
}

func checkCertPresent(_ *Snapshot, t *Technician, j *Job) (string, bool) {
	for _, c := range j.Certifications {
		if findCert(t, c) == nil {
			return "no " + c + " certification", false
		}
	}
	return "", true
}

// jobDate is when a certification must still be valid for a job: the end of
// its last window, else now.
func jobDate(s *Snapshot, j *Job) time.Time {
	if len(j.Windows) > 0 {
		return j.Windows[len(j.Windows)-1].End
	}
	return s.Now
}

func checkCertValid(s *Snapshot, t *Technician, j *Job) (string, bool) {
	on := jobDate(s, j)
	for _, c := range j.Certifications {
		if cert := findCert(t, c); cert != nil && !cert.ExpiresAt.IsZero() && cert.ExpiresAt.Before(on) {
			return fmt.Sprintf("%s expired %s", c, cert.ExpiresAt.Format(time.DateOnly)), false
		}
	}
	return "", true
}

func checkTerritory(_ *Snapshot, t *Technician, j *Job) (string, bool) {
	if j.Territory == "" || len(t.Territories) == 0 || slices.Contains(t.Territories, j.Territory) {
		return "", true
	}
	return "outside territory " + j.Territory, false
}

func checkParts(t *Technician, j *Job) (string, bool) {
	for _, sku := range sortedKeys(j.Parts) {
		if have := t.Truck[sku]; have < j.Parts[sku] {
			return fmt.Sprintf("truck has %d of %s, needs %d", have, sku, j.Parts[sku]), false
		}
	}
	return "", true
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// staticReason runs the static pipeline and the parts rule.
func staticReason(s *Snapshot, t *Technician, j *Job) (Reason, bool) {
	for _, r := range staticRules() {
		if d, ok := r.check(s, t, j); !ok {
			return Reason{TechnicianID: t.ID, Code: r.code, Detail: d}, false
		}
	}
	if d, ok := checkParts(t, j); !ok {
		return Reason{TechnicianID: t.ID, Code: ReasonPartsMissing, Detail: d}, false
	}
	return Reason{}, true
}

// jobDuration is how long technician t takes for job j.
func jobDuration(t *Technician, j *Job) time.Duration {
	if len(j.DurationByLevel) > 0 && len(j.Skills) > 0 {
		if d, ok := j.DurationByLevel[skillLevel(t, j.Skills[0].Trade)]; ok {
			return d
		}
	}
	return j.Duration
}

// Check answers the engine's eligibility question: can the technician take
// the job starting at start, given the appointments already on the
// technician's calendar (Technician.Busy)? It returns nil or a *RuleError
// naming the first failing rule: the static pipeline (compliance, active,
// pin, skills, certifications, territory, parts), then the requested start
// (window, time off, shift, overlap with travel, job limit).
func Check(s *Snapshot, technicianID string, job Job, start time.Time) error {
	t := s.technician(technicianID)
	if t == nil {
		return fmt.Errorf("%w: technician %q", ErrUnknown, technicianID)
	}
	fail := func(code ReasonCode, detail string) error {
		return &RuleError{JobID: job.ID, Reason: Reason{TechnicianID: t.ID, Code: code, Detail: detail}}
	}
	if r, ok := staticReason(s, t, &job); !ok {
		return &RuleError{JobID: job.ID, Reason: r}
	}
	if len(job.Windows) > 0 && !slices.ContainsFunc(job.Windows, func(w Window) bool {
		return !start.Before(w.Start) && !start.After(w.End.Add(w.Late))
	}) {
		return fail(ReasonOutsideWindow, fmt.Sprintf("%s is outside the arrival windows", clock(start)))
	}
	end := start.Add(jobDuration(t, &job))
	for _, off := range t.TimeOff {
		if start.Before(off.End) && end.After(off.Start) {
			return fail(ReasonTimeOff, fmt.Sprintf("off %s–%s", clock(off.Start), clock(off.End)))
		}
	}
	if !slices.ContainsFunc(t.Shifts, func(sh Shift) bool {
		return !start.Before(sh.Start) && !end.After(sh.End.Add(sh.Overtime))
	}) {
		return fail(ReasonNoShift, shiftDetail(t, start))
	}
	for _, a := range t.Busy {
		before, after := time.Duration(0), time.Duration(0)
		if a.Location != nil && s.Travel != nil {
			before, _ = s.Travel.Travel(*a.Location, job.Location, a.End)
			after, _ = s.Travel.Travel(job.Location, *a.Location, end)
		}
		if start.Before(a.End.Add(before)) && end.Add(after).After(a.Start) {
			what := "an appointment"
			if a.JobID != "" {
				what = "job " + a.JobID
			}
			return fail(ReasonConflict, fmt.Sprintf("overlaps %s %s–%s", what, clock(a.Start), clock(a.End)))
		}
	}
	if t.MaxJobs > 0 {
		n := 0
		for _, a := range t.Busy {
			if a.JobID != "" {
				n++
			}
		}
		if n >= t.MaxJobs {
			return fail(ReasonMaxJobs, fmt.Sprintf("already %d jobs", n))
		}
	}
	return nil
}

// shiftDetail describes the shifts around t for a dispatcher.
func shiftDetail(tech *Technician, t time.Time) string {
	if len(tech.Shifts) == 0 {
		return "no shift"
	}
	for _, sh := range tech.Shifts {
		if !t.Before(sh.Start) && t.Before(sh.End) {
			return "shift ends " + clock(sh.End)
		}
	}
	for _, sh := range tech.Shifts {
		if t.Before(sh.Start) {
			return "shift starts " + clock(sh.Start)
		}
	}
	return "shift ends " + clock(tech.Shifts[len(tech.Shifts)-1].End)
}

func clock(t time.Time) string { return t.Format("15:04") }

func (s *Snapshot) technician(id string) *Technician {
	for i := range s.Technicians {
		if s.Technicians[i].ID == id {
			return &s.Technicians[i]
		}
	}
	return nil
}
