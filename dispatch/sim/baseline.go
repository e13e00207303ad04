package sim

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// The two baselines are what a dispatcher without an optimizer does: send
// the nearest free technician, or give each zone's calls to the zone's
// technicians. Both respect every rule the optimizer does (trade, level,
// certifications, the parts on the truck, the shift and its overtime), so
// that the comparison measures the decisions, not broken rules.

// baseline holds what both baselines share: the queues they keep between
// calls.
type baseline struct {
	queues map[string][]string
}

// tidy drops from the queues the jobs that are no longer open and the
// queues of technicians who are gone.
func (b *baseline) tidy(s *State) {
	if b.queues == nil {
		b.queues = map[string][]string{}
	}
	for i := range s.Technicians {
		ts := &s.Technicians[i]
		q := b.queues[ts.ID]
		if ts.Status == TechGone || ts.Sick || (ts.Status == TechDriving && ts.JobID == "") {
			delete(b.queues, ts.ID)
			continue
		}
		q = slices.DeleteFunc(q, func(id string) bool { j := s.Job(id); return j == nil || j.Status != JobOpen })
		if len(q) == 0 {
			delete(b.queues, ts.ID)
		} else {
			b.queues[ts.ID] = q
		}
	}
}

// waiting lists the open jobs in no queue, most urgent first, then by
// promise and call.
func (b *baseline) waiting(s *State) []*JobState {
	queued := map[string]bool{}
	for _, q := range b.queues {
		for _, id := range q {
			queued[id] = true
		}
	}
	var out []*JobState
	for i := range s.Jobs {
		if j := &s.Jobs[i]; j.Status == JobOpen && !queued[j.ID] {
			out = append(out, j)
		}
	}
	slices.SortStableFunc(out, func(a, b *JobState) int {
		if c := cmp.Compare(rank(b.Priority), rank(a.Priority)); c != 0 {
			return c
		}
		return a.Promise().Compare(b.Promise())
	})
	return out
}

func (b *baseline) plan() *Plan {
	q := make(map[string][]string, len(b.queues))
	for id, jobs := range b.queues {
		q[id] = slices.Clone(jobs)
	}
	return &Plan{Queues: q}
}

// rank orders priorities, EMERGENCY highest.
func rank(p dispatch.Priority) int {
	switch p {
	case dispatch.PriorityEmergency:
		return 3
	case dispatch.PriorityHigh:
		return 2
	case dispatch.PriorityMedium:
		return 1
	}
	return 0
}

// fits reports whether technician i, free at from (at loc) with the parts
// on the truck less those of the queued jobs, can take job j and be home
// by the end of the overtime; it returns when the work would end.
func fits(s *State, i int, j *JobState, from time.Time, loc dispatch.Location, queued []string) (time.Time, bool) {
	def := &s.Day.Technicians[i]
	if def.Qualified(&j.Job) != nil {
		return time.Time{}, false
	}
	truck := s.Technicians[i].Truck
	for sku, n := range j.Parts {
		need := n
		for _, id := range queued {
			if q := s.Job(id); q != nil {
				need += q.Parts[sku]
			}
		}
		if truck[sku] < need {
			return time.Time{}, false
		}
	}
	d, _ := s.Day.Travel.Travel(loc, j.Location, from)
	start := from.Add(d)
	if e := j.Earliest(); e.After(start) {
		start = e
	}
	end := start.Add(s.Day.Estimate(&j.Job, def.Level(j.Skill.Trade)))
	back, _ := s.Day.Travel.Travel(j.Location, def.Home, end)
	return end, !end.Add(back).After(def.ShiftEnd.Add(time.Duration(def.OvertimeMinutes) * time.Minute))
}

// available reports whether a technician can be given work: on shift or
// about to be, not sick, not gone home.
func available(ts *TechState) bool {
	return !ts.Sick && ts.Status != TechGone && !(ts.Status == TechDriving && ts.JobID == "")
}

// Nearest is the nearest-available baseline: each free technician gets one
// job at a time, the most urgent waiting job going to the nearest free
// technician who can do it. Jobs booked into a later window wait until a
// technician could leave for them.
type Nearest struct{ baseline }

// NewNearest returns the nearest-available baseline.
func NewNearest() *Nearest { return &Nearest{} }

// Name implements Dispatcher.
func (*Nearest) Name() string { return "nearest" }

// Dispatch implements Dispatcher.
func (n *Nearest) Dispatch(_ context.Context, s *State, _ []Event) (*Plan, error) {
	n.tidy(s)
	free := map[int]bool{}
	for i := range s.Technicians {
		if ts := &s.Technicians[i]; ts.Status == TechIdle && available(ts) && len(n.queues[ts.ID]) == 0 {
			free[i] = true
		}
	}
	for _, j := range n.waiting(s) {
		if len(free) == 0 {
			break
		}
		if j.Earliest().After(s.Now.Add(time.Hour)) {
			continue
		}
		best, bestKm := -1, 0.0
		for i := range s.Technicians {
			if !free[i] {
				continue
			}
			ts := &s.Technicians[i]
			if _, ok := fits(s, i, j, s.Now, ts.Location, nil); !ok {
				continue
			}
			if d := km(ts.Location, j.Location); best < 0 || d < bestKm {
				best, bestKm = i, d
			}
		}
		if best >= 0 {
			n.queues[s.Technicians[best].ID] = []string{j.ID}
			delete(free, best)
		}
	}
	// Wake at the next half hour: booked windows come within reach.
	return &Plan{Queues: n.plan().Queues, Wake: s.Now.Truncate(30 * time.Minute).Add(30 * time.Minute)}, nil
}

// FixedZone is the fixed-zone baseline: a call goes to a technician of its
// zone (the nearest zone with a qualified technician on shift if its own
// has none), the one with the least work queued, and stays there; each
// technician works their queue emergencies first, then by window and call.
// Only a technician going home gives their queue back.
type FixedZone struct {
	baseline
	next time.Time // the next look at the waiting jobs
}

// NewFixedZone returns the fixed-zone baseline.
func NewFixedZone() *FixedZone { return &FixedZone{} }

// Name implements Dispatcher.
func (*FixedZone) Name() string { return "zone" }

// Dispatch implements Dispatcher.
func (z *FixedZone) Dispatch(_ context.Context, s *State, events []Event) (*Plan, error) {
	z.tidy(s)
	wake := s.Now.Truncate(30 * time.Minute).Add(30 * time.Minute)
	if !slices.ContainsFunc(events, func(e Event) bool {
		switch e.Kind {
		case EventEnRoute, EventOnSite, EventCompleted:
			return false
		}
		return true
	}) && z.queues != nil && s.Now.Before(z.next) {
		return &Plan{Queues: z.plan().Queues, Wake: z.next}, nil
	}
	z.next = wake
	// The end of each technician's queued work, by the estimates.
	type load struct {
		end time.Time
		loc dispatch.Location
	}
	loads := make([]load, len(s.Technicians))
	for i := range s.Technicians {
		ts := &s.Technicians[i]
		def := &s.Day.Technicians[i]
		free := ts.FreeAt
		if free.Before(s.Now) {
			free = s.Now
		}
		if free.Before(def.ShiftStart) {
			free = def.ShiftStart
		}
		loads[i] = load{free, ts.Location}
		for _, id := range z.queues[ts.ID] {
			j := s.Job(id)
			end, _ := fits(s, i, j, loads[i].end, loads[i].loc, nil)
			if !end.IsZero() {
				loads[i] = load{end, j.Location}
			}
		}
	}
	zones := s.Day.Area.Zones
	for _, j := range z.waiting(s) {
		// Zones nearest the job's first: its own, then its neighbours.
		order := slices.Clone(zones)
		slices.SortStableFunc(order, func(a, b Zone) int {
			return cmp.Compare(km(a.Center, j.Location), km(b.Center, j.Location))
		})
		if len(order) == 0 {
			order = []Zone{{}}
		}
		for _, zone := range order {
			best := -1
			for i := range s.Technicians {
				ts := &s.Technicians[i]
				if (zone.Name != "" && s.Day.Technicians[i].Zone != zone.Name) || !available(ts) {
					continue
				}
				if _, ok := fits(s, i, j, loads[i].end, loads[i].loc, z.queues[ts.ID]); !ok {
					continue
				}
				if best < 0 || loads[i].end.Before(loads[best].end) {
					best = i
				}
			}
			if best >= 0 {
				id := s.Technicians[best].ID
				z.queues[id] = append(z.queues[id], j.ID)
				end, _ := fits(s, best, j, loads[best].end, loads[best].loc, nil)
				loads[best] = load{end, j.Location}
				break
			}
		}
	}
	for id, q := range z.queues {
		slices.SortStableFunc(q, func(a, b string) int {
			ja, jb := s.Job(a), s.Job(b)
			ea, eb := ja.Priority == dispatch.PriorityEmergency, jb.Priority == dispatch.PriorityEmergency
			switch {
			case ea && !eb:
				return -1
			case eb && !ea:
				return 1
			}
			return cmp.Or(ja.Earliest().Compare(jb.Earliest()), ja.CallAt.Compare(jb.CallAt))
		})
		z.queues[id] = q
	}
	return &Plan{Queues: z.plan().Queues, Wake: z.next}, nil
}
