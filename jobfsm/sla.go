package jobfsm

import (
	"encoding/json"
	"fmt"
	"time"
)

// Priority is a job's priority (the reference's JobPriority); it picks the
// SLA policy.
type Priority string

// The priorities.
const (
	PriorityEmergency Priority = "EMERGENCY"
	PriorityHigh      Priority = "HIGH"
	PriorityMedium    Priority = "MEDIUM"
	PriorityLow       Priority = "LOW"
)

// maxTargetMinutes bounds a target (ten years) so that every duration
// computed from it fits a time.Duration.
const maxTargetMinutes = 10 * 366 * 24 * 60

// Policy is an SLA: how soon a job must be responded to (a technician on
// the way or on site: the job first IN_PROGRESS) and resolved (the job first
// COMPLETED). Its zero options are the usual ones: targets count business
// hours of the job's [Calendar], the clock pauses while the job is ON_HOLD,
// and escalations fall at 50, 75 and 100 % of each target.
type Policy struct {
	Name              string `json:"name,omitempty"`
	ResponseMinutes   int    `json:"responseMinutes"`
	ResolutionMinutes int    `json:"resolutionMinutes"`
	// WallClock counts every minute, nights and holidays included (24/7
	// emergency cover), instead of business hours.
	WallClock bool `json:"wallClock,omitempty"`
	// RunsOnHold keeps the clock running while the job is ON_HOLD.
	RunsOnHold bool `json:"runsOnHold,omitempty"`
	// Escalations are the percents of each target at which to escalate,
	// increasing, from 1 to 1000. Defaults to 50, 75, 100.
	Escalations []int `json:"escalations,omitempty"`
}

// DefaultEscalations are the escalation points of a policy that names none.
func DefaultEscalations() []int { return []int{50, 75, 100} }

// Validate checks the targets and escalation points.
func (p Policy) Validate() error {
	for _, t := range []struct {
		field string
		min   int
	}{{"responseMinutes", p.ResponseMinutes}, {"resolutionMinutes", p.ResolutionMinutes}} {
		if t.min <= 0 || t.min > maxTargetMinutes {
			return &InputError{Field: t.field, Problem: fmt.Sprintf("%d is not from 1 to %d minutes", t.min, maxTargetMinutes)}
		}
	}
	for i, e := range p.Escalations {
		if e < 1 || e > 1000 || (i > 0 && e <= p.Escalations[i-1]) {
			return &InputError{Field: fmt.Sprintf("escalations[%d]", i), Problem: "escalation percents increase from 1 to 1000"}
		}
	}
	return nil
}

func (p Policy) escalations() []int {
	if p.Escalations == nil {
		return DefaultEscalations()
	}
	return p.Escalations
}

// Policies are an organization's SLA policies by priority.
type Policies map[Priority]Policy

// DefaultPolicies are the policies of an organization that set none, after
// the reference's SLA windows: EMERGENCY responds in 2 hours and resolves in
// 24, round the clock; HIGH responds in 4 business hours and resolves in 2
// business days; MEDIUM in 1 and 3 business days; LOW in 2 and 5 (a
// business day is 8 business hours).
func DefaultPolicies() Policies {
	return Policies{
		PriorityEmergency: {Name: "EMERGENCY", ResponseMinutes: 2 * 60, ResolutionMinutes: 24 * 60, WallClock: true},
		PriorityHigh:      {Name: "HIGH", ResponseMinutes: 4 * 60, ResolutionMinutes: 2 * 8 * 60},
		PriorityMedium:    {Name: "MEDIUM", ResponseMinutes: 8 * 60, ResolutionMinutes: 3 * 8 * 60},
		PriorityLow:       {Name: "LOW", ResponseMinutes: 2 * 8 * 60, ResolutionMinutes: 5 * 8 * 60},
	}
}

// For picks the policy of a job: the contract's own when the job falls
// under a maintenance contract with an SLA, else the organization's policy
// for the priority, else the default one.
func (ps Policies) For(pr Priority, contract *Policy) (Policy, error) {
	if contract != nil {
		return *contract, contract.Validate()
	}
	p, ok := ps[pr]
	if !ok {
		p, ok = DefaultPolicies()[pr]
	}
	if !ok {
		return Policy{}, &InputError{Field: "priority", Problem: "unknown priority " + quote(string(pr))}
	}
	return p, p.Validate()
}

// SLAClock is a job's SLA clock, rebuilt from its status history: it starts
// when the job becomes a service request, pauses while it is ON_HOLD
// (unless the policy runs on hold), and stops each target when it is met
// (see [EventType] for the exact moments, which [Job.Apply] emits as
// events). It is immutable; rebuild it when the history grows.
type SLAClock struct {
	policy  Policy
	cal     *Calendar
	signals []signal
}

type signal struct {
	at   time.Time
	kind EventType
}

// NewSLAClock builds the clock of a job under policy p from its history,
// counting business time on cal (ignored by a wall-clock policy). The
// history must replay (see [Replay]).
func NewSLAClock(p Policy, cal *Calendar, history []HistoryEntry) (*SLAClock, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.WallClock {
		cal = nil
	} else if cal.alwaysOpen() {
		return nil, &InputError{Field: "calendar", Problem: "a business-hours policy needs a calendar"}
	}
	c := &SLAClock{policy: p, cal: cal}
	_, err := replay(history, func(ch Change) {
		for _, e := range ch.Events {
			switch e.Type {
			case EventSLAStarted, EventSLAPaused, EventSLAResumed, EventSLAResponded, EventSLAResolved, EventSLAStopped:
				c.signals = append(c.signals, signal{e.At, e.Type})
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// TargetState is where one SLA target stands.
type TargetState string

// The target states.
const (
	TargetNotStarted TargetState = "NOT_STARTED" // the job is still a lead
	TargetRunning    TargetState = "RUNNING"
	TargetPaused     TargetState = "PAUSED" // the job is on hold
	TargetMet        TargetState = "MET"    // stopped within the target
	TargetMissed     TargetState = "MISSED" // stopped after the target
	TargetCancelled  TargetState = "CANCELLED"
)

// SLAStatus is the SLA of a job at one instant.
type SLAStatus struct {
	Policy     string       `json:"policy,omitempty"`
	At         time.Time    `json:"at"`
	Response   TargetStatus `json:"response"`
	Resolution TargetStatus `json:"resolution"`
	// WakeAt is the next instant an escalation falls due, for either
	// target: a durable workflow sleeps until then, or until the next SLA
	// event, whichever comes first. Zero when nothing is pending.
	WakeAt time.Time `json:"wakeAt,omitzero"`
}

// TargetStatus is one SLA target at one instant. Durations are business
// time under a business-hours policy; JSON writes them as Go duration
// strings ("1h30m0s"), exact and readable.
type TargetStatus struct {
	State     TargetState
	Target    time.Duration
	Elapsed   time.Duration
	Remaining time.Duration // zero once breached
	// Breached: more than the target has elapsed. Overdue is by how much.
	Breached bool
	Overdue  time.Duration
	// Due is when the target falls (fell) due: while running, the
	// projection; once stopped short of it, the deadline in force then;
	// zero while paused short of it.
	Due         time.Time
	StoppedAt   time.Time
	Escalations []Escalation
}

// Escalation is one escalation point of a target. At is when the elapsed
// time reaches Percent of the target: past once Reached, projected while the
// clock runs, zero while it is paused or after it stopped short.
type Escalation struct {
	Percent int       `json:"percent"`
	At      time.Time `json:"at,omitzero"`
	Reached bool      `json:"reached"`
}

// targetJSON is TargetStatus with its durations as strings.
type targetJSON struct {
	State       TargetState  `json:"state"`
	Target      string       `json:"target"`
	Elapsed     string       `json:"elapsed"`
	Remaining   string       `json:"remaining"`
	Breached    bool         `json:"breached"`
	Overdue     string       `json:"overdue,omitempty"`
	Due         time.Time    `json:"due,omitzero"`
	StoppedAt   time.Time    `json:"stoppedAt,omitzero"`
	Escalations []Escalation `json:"escalations"`
}

// MarshalJSON writes the durations as "1h30m0s".
func (t TargetStatus) MarshalJSON() ([]byte, error) {
	j := targetJSON{
		State: t.State, Target: t.Target.String(), Elapsed: t.Elapsed.String(), Remaining: t.Remaining.String(),
		Breached: t.Breached, Due: t.Due, StoppedAt: t.StoppedAt, Escalations: t.Escalations,
	}
	if t.Overdue != 0 {
		j.Overdue = t.Overdue.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *TargetStatus) UnmarshalJSON(b []byte) error {
	var j targetJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	n := TargetStatus{State: j.State, Breached: j.Breached, Due: j.Due, StoppedAt: j.StoppedAt, Escalations: j.Escalations}
	for _, d := range []struct {
		field string
		s     string
		to    *time.Duration
	}{{"target", j.Target, &n.Target}, {"elapsed", j.Elapsed, &n.Elapsed}, {"remaining", j.Remaining, &n.Remaining}, {"overdue", j.Overdue, &n.Overdue}} {
		if d.s == "" {
			continue
		}
		v, err := time.ParseDuration(d.s)
		if err != nil {
			return &InputError{Field: d.field, Problem: quote(d.s) + " is not a duration"}
		}
		*d.to = v
	}
	*t = n
	return nil
}

// Next is the first escalation not yet reached whose time is known.
func (t TargetStatus) Next() (Escalation, bool) {
	for _, e := range t.Escalations {
		if !e.Reached && !e.At.IsZero() {
			return e, true
		}
	}
	return Escalation{}, false
}

// track is one target's clock: the business intervals it ran, and since
// when it runs now.
type track struct {
	runs      [][2]time.Time
	since     time.Time // running since (zero: not running)
	started   bool
	paused    bool
	stopped   time.Time
	cancelled bool
}

func (k *track) pause(at time.Time) {
	if !k.since.IsZero() {
		k.runs = append(k.runs, [2]time.Time{k.since, at})
		k.since, k.paused = time.Time{}, true
	}
}

func (k *track) stop(at time.Time, cancelled bool) {
	if k.stopped.IsZero() && k.started {
		k.pause(at)
		k.paused, k.stopped, k.cancelled = false, at, cancelled
	}
}

// Status is the SLA at now: what has elapsed of each target, what remains,
// whether and by how much it is breached, and when each escalation falls.
// History entries after now do not count.
func (c *SLAClock) Status(now time.Time) SLAStatus {
	var resp, res track
	for _, s := range c.signals {
		if s.at.After(now) {
			break
		}
		switch s.kind {
		case EventSLAStarted:
			resp = track{since: s.at, started: true}
			res = resp
		case EventSLAPaused:
			if !c.policy.RunsOnHold {
				resp.pause(s.at)
				res.pause(s.at)
			}
		case EventSLAResumed:
			for _, k := range []*track{&resp, &res} {
				if k.paused {
					k.since, k.paused = s.at, false
				}
			}
		case EventSLAResponded:
			resp.stop(s.at, false)
		case EventSLAResolved:
			resp.stop(s.at, false)
			res.stop(s.at, false)
		case EventSLAStopped:
			resp.stop(s.at, true)
			res.stop(s.at, true)
		}
	}
	st := SLAStatus{
		Policy:     c.policy.Name,
		At:         now,
		Response:   c.target(&resp, minutes(c.policy.ResponseMinutes), now),
		Resolution: c.target(&res, minutes(c.policy.ResolutionMinutes), now),
	}
	for _, t := range []TargetStatus{st.Response, st.Resolution} {
		if e, ok := t.Next(); ok && (st.WakeAt.IsZero() || e.At.Before(st.WakeAt)) {
			st.WakeAt = e.At
		}
	}
	return st
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// target evaluates one track at now.
func (c *SLAClock) target(k *track, target time.Duration, now time.Time) TargetStatus {
	t := TargetStatus{State: TargetNotStarted, Target: target, Remaining: target}
	for _, p := range c.policy.escalations() {
		t.Escalations = append(t.Escalations, Escalation{Percent: p})
	}
	if !k.started {
		return t
	}
	for _, r := range k.runs {
		t.Elapsed += c.cal.Elapsed(r[0], r[1])
	}
	if !k.since.IsZero() {
		t.Elapsed += c.cal.Elapsed(k.since, now)
	}
	t.Remaining = max(target-t.Elapsed, 0)
	t.Overdue = max(t.Elapsed-target, 0)
	t.Breached = t.Overdue > 0
	for i := range t.Escalations {
		e := &t.Escalations[i]
		x := percent(target, e.Percent)
		e.At, e.Reached = c.crossing(k, x), t.Elapsed >= x
	}
	t.Due = c.crossing(k, target)
	switch {
	case k.cancelled:
		t.State = TargetCancelled
	case !k.stopped.IsZero() && t.Breached:
		t.State = TargetMissed
	case !k.stopped.IsZero():
		t.State = TargetMet
	case k.paused:
		t.State = TargetPaused
	default:
		t.State = TargetRunning
	}
	if !k.stopped.IsZero() {
		t.StoppedAt = k.stopped
		if !t.Breached {
			t.Due = c.cal.Deadline(k.stopped, t.Remaining)
		}
	}
	return t
}

// crossing is when the track's elapsed time reaches x: on a run it made,
// or projected on the run in progress; zero if it does not get there.
func (c *SLAClock) crossing(k *track, x time.Duration) time.Time {
	var acc time.Duration
	for _, r := range k.runs {
		e := c.cal.Elapsed(r[0], r[1])
		if acc+e >= x {
			return c.cal.Deadline(r[0], x-acc)
		}
		acc += e
	}
	if !k.since.IsZero() {
		return c.cal.Deadline(k.since, x-acc)
	}
	return time.Time{}
}

// percent is p % of d, exactly: d is whole minutes, so a multiple of 100ns.
func percent(d time.Duration, p int) time.Duration {
	return d/100*time.Duration(p) + d%100*time.Duration(p)/100
}
