package dispatch_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// day is the date every generated scenario happens on.
var day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func hm(h, m int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

var (
	trades = []string{"HVAC", "PLUMBING", "ELECTRICAL"}
	skus   = []string{"FILTER-16x25", "CAP-45-5", "VALVE-3/4"}
	zones  = []string{"NORTH", "SOUTH"}
)

// genSnapshot builds a seeded day for a contractor: technicians with
// skills, certifications, territories, one or two shifts (a few overnight),
// time off, lunch breaks, trucks and limits; jobs with windows (some soft),
// SLA deadlines, skills, certifications, parts, priorities and a few pins.
// The area is about 20 km across around Raleigh, NC.
func genSnapshot(seed uint64, nTech, nJobs int) *dispatch.Snapshot {
	rng := rand.New(rand.NewPCG(seed, 42))
	loc := func() dispatch.Location {
		return dispatch.Location{Lat: 35.78 + (rng.Float64()-0.5)*0.18, Lng: -78.64 + (rng.Float64()-0.5)*0.22}
	}
	s := &dispatch.Snapshot{Now: hm(6, 0), Travel: dispatch.Haversine{}}
	for t := range nTech {
		tech := dispatch.Technician{ID: fmt.Sprintf("T%02d", t+1), Start: loc()}
		if rng.IntN(4) > 0 {
			end := tech.Start
			tech.End = &end
		}
		for _, tr := range trades {
			if rng.IntN(3) > 0 || tr == trades[t%3] {
				tech.Skills = append(tech.Skills, dispatch.Skill{Trade: tr, Level: 1 + rng.IntN(5)})
			}
		}
		if rng.IntN(2) == 0 {
			exp := day.AddDate(0, rng.IntN(12)-2, 0)
			tech.Certifications = append(tech.Certifications, dispatch.Certification{Name: "EPA-608", ExpiresAt: exp})
		}
		if rng.IntN(3) == 0 {
			tech.Territories = []string{zones[rng.IntN(2)]}
		}
		switch rng.IntN(10) {
		case 0: // split day
			tech.Shifts = []dispatch.Shift{{Start: hm(7, 0), End: hm(11, 0)}, {Start: hm(13, 0), End: hm(18, 0), Overtime: time.Hour}}
		case 1: // evening into the night
			tech.Shifts = []dispatch.Shift{{Start: hm(14, 0), End: hm(26, 0)}}
		default:
			start := hm(7+rng.IntN(3), 0)
			tech.Shifts = []dispatch.Shift{{Start: start, End: start.Add(9 * time.Hour), Overtime: time.Duration(rng.IntN(2)) * time.Hour}}
			tech.Breaks = []dispatch.Break{{Earliest: start.Add(4 * time.Hour), Latest: start.Add(5 * time.Hour), Duration: 30 * time.Minute}}
		}
		if rng.IntN(8) == 0 {
			off := tech.Shifts[0].Start.Add(time.Duration(1+rng.IntN(3)) * time.Hour)
			tech.TimeOff = []dispatch.Interval{{Start: off, End: off.Add(90 * time.Minute)}}
		}
		if rng.IntN(4) == 0 {
			tech.MaxJobs = 6 + rng.IntN(10)
		}
		if rng.IntN(4) == 0 {
			tech.MaxWork = time.Duration(6+rng.IntN(3)) * time.Hour
		}
		tech.Truck = map[string]int{}
		for _, sku := range skus {
			tech.Truck[sku] = rng.IntN(6)
		}
		tech.Inactive = rng.IntN(40) == 0
		s.Technicians = append(s.Technicians, tech)
	}
	prios := []dispatch.Priority{dispatch.PriorityLow, dispatch.PriorityMedium, dispatch.PriorityMedium, dispatch.PriorityHigh, dispatch.PriorityEmergency}
	for j := range nJobs {
		job := dispatch.Job{ID: fmt.Sprintf("J%04d", j+1), Location: loc(), Priority: prios[rng.IntN(len(prios))]}
		job.Duration = time.Duration(15+5*rng.IntN(7)) * time.Minute
		tr := trades[rng.IntN(3)]
		job.Skills = []dispatch.Skill{{Trade: tr, Level: 1 + rng.IntN(3)}}
		if rng.IntN(3) == 0 {
			job.DurationByLevel = map[int]time.Duration{5: job.Duration * 2 / 3, 4: job.Duration * 5 / 6}
		}
		if tr == "HVAC" && rng.IntN(3) == 0 {
			job.Certifications = []string{"EPA-608"}
		}
		switch rng.IntN(4) {
		case 0: // all day
		case 1: // two 2-hour windows
			h := 8 + rng.IntN(4)
			job.Windows = []dispatch.Window{{Start: hm(h, 0), End: hm(h+2, 0)}, {Start: hm(h+4, 0), End: hm(h+6, 0)}}
		default: // one 2- or 4-hour window, soft for some
			h := 8 + rng.IntN(8)
			w := dispatch.Window{Start: hm(h, 0), End: hm(h+2+2*rng.IntN(2), 0)}
			if rng.IntN(3) == 0 {
				w.Late = 30 * time.Minute
			}
			job.Windows = []dispatch.Window{w}
		}
		if job.Priority == dispatch.PriorityEmergency {
			job.SLADeadline = hm(9+rng.IntN(8), 0)
		}
		if rng.IntN(4) == 0 {
			job.Parts = map[string]int{skus[rng.IntN(3)]: 1 + rng.IntN(2)}
		}
		if rng.IntN(5) == 0 {
			job.Territory = zones[rng.IntN(2)]
		}
		if rng.IntN(50) == 0 {
			job.PinnedTo = s.Technicians[rng.IntN(nTech)].ID
		}
		s.Jobs = append(s.Jobs, job)
	}
	return s
}
