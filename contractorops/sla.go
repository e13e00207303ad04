package contractorops

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/invopop/validation"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// SLASettings are an organization's SLA policies by priority and the
// business hours business-time targets count on (in the organization's time
// zone).
type SLASettings struct {
	Meta
	Policies      jobfsm.Policies      `json:"policies"`
	BusinessHours jobfsm.BusinessHours `json:"businessHours"`
}

var settingsTable = table[SLASettings]{
	spec: TableSpec{Name: "sla_settings"},
	keys: func(*SLASettings) map[string]string { return nil },
}

const slaSettingsID = "sla"

// DefaultBusinessHours are Monday to Friday, 08:00 to 17:00.
func DefaultBusinessHours() jobfsm.BusinessHours {
	day := []jobfsm.Span{{Start: jobfsm.HM(8, 0), End: jobfsm.HM(17, 0)}}
	return jobfsm.BusinessHours{Week: jobfsm.Week{Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day}}
}

// loadSLASettings returns the organization's SLA settings, or the defaults
// (jobfsm's default policies, DefaultBusinessHours) if it set none.
func loadSLASettings(t *txn) (*SLASettings, error) {
	s, err := load(t, settingsTable, slaSettingsID)
	if errors.Is(err, ErrNotFound) {
		return &SLASettings{Meta: Meta{ID: slaSettingsID}, Policies: jobfsm.DefaultPolicies(), BusinessHours: DefaultBusinessHours()}, nil
	}
	return s, err
}

// calendar returns the organization's business calendar.
func (c *call) calendar(t *txn) (*jobfsm.Calendar, error) {
	org, err := load(t, organizationsTable, t.org)
	if err != nil {
		return nil, err
	}
	settings, err := loadSLASettings(t)
	if err != nil {
		return nil, err
	}
	return jobfsm.NewCalendar(c.e.location(org.TimeZone), settings.BusinessHours)
}

// slaStatus is the job's SLA at now.
func (c *call) slaStatus(t *txn, j *Job, now time.Time) (jobfsm.SLAStatus, error) {
	cal, err := c.calendar(t)
	if err != nil {
		return jobfsm.SLAStatus{}, err
	}
	clock, err := jobfsm.NewSLAClock(j.SLA, cal, j.History)
	if err != nil {
		return jobfsm.SLAStatus{}, err
	}
	return clock.Status(now), nil
}

func (c *call) jobSLA(in *JobIDInput) (*jobfsm.SLAStatus, error) {
	return inTx(c, "sla", func(t *txn) (*jobfsm.SLAStatus, error) {
		j, err := c.loadJob(t, in.JobID)
		if err != nil {
			return nil, err
		}
		st, err := c.slaStatus(t, j, c.now)
		return &st, err
	})
}

// UpdateSLASettingsInput replaces the organization's SLA policies and
// business hours.
type UpdateSLASettingsInput struct {
	Policies      jobfsm.Policies      `json:"policies"`
	BusinessHours jobfsm.BusinessHours `json:"businessHours"`
}

// Validate checks the input: every policy, and that the business hours make
// a calendar.
func (in UpdateSLASettingsInput) Validate() error {
	errs := validation.Errors{}
	for pr, p := range in.Policies {
		if !validPriority(pr) {
			errs["policies."+string(pr)] = validation.NewError("validation_priority", "is not a priority")
			continue
		}
		if err := p.Validate(); err != nil {
			errs["policies."+string(pr)] = validation.NewError("validation_policy", err.Error())
		}
	}
	if _, err := jobfsm.NewCalendar(time.UTC, in.BusinessHours); err != nil {
		errs["businessHours"] = validation.NewError("validation_business_hours", err.Error())
	}
	return errs.Filter()
}

func validPriority(p jobfsm.Priority) bool {
	for _, q := range Priorities() {
		if p == q {
			return true
		}
	}
	return false
}

// GetSLASettingsInput reads the SLA settings.
type GetSLASettingsInput struct{}

// Validate checks the input.
func (GetSLASettingsInput) Validate() error { return nil }

// SLAService manages the organization's SLA settings.
type SLAService struct {
	get    proc[GetSLASettingsInput, SLASettings]
	update proc[UpdateSLASettingsInput, SLASettings]
}

// Settings returns the SLA settings (the defaults if none were set).
func (s *SLAService) Settings(ctx context.Context, scope Scope) (*SLASettings, error) {
	return s.get.get(ctx, scope, GetSLASettingsInput{})
}

// UpdateSettings replaces the SLA settings. Jobs keep the policy they were
// opened with; new jobs get the new one.
func (s *SLAService) UpdateSettings(ctx context.Context, scope Scope, key string, in UpdateSLASettingsInput) (*SLASettings, error) {
	return s.update.do(ctx, scope, key, in)
}

func (e *Engine) registerSLA() {
	e.SLA = &SLAService{
		get: query(e, "sla/v1/getSettings", "Read the SLA policies and business hours.", rolesReaders(),
			func(c *call, _ *GetSLASettingsInput) (*SLASettings, error) {
				return inTx(c, "get", loadSLASettings)
			}),
		update: mutation(e, "sla/v1/updateSettings", "Replace the SLA policies and business hours.", rolesManage(),
			func(c *call, in *UpdateSLASettingsInput) (*SLASettings, error) {
				return inTx(c, "update", func(t *txn) (*SLASettings, error) {
					s, err := loadSLASettings(t)
					if err != nil {
						return nil, err
					}
					policies := jobfsm.DefaultPolicies()
					for pr, p := range in.Policies {
						policies[pr] = p
					}
					s.Policies, s.BusinessHours = policies, in.BusinessHours
					if s.Version == 0 {
						return s, insert(t, settingsTable, s)
					}
					return s, update(t, settingsTable, s)
				})
			}),
	}
}

// EscalateSLAInput records the SLA escalations of a job that fell due.
type EscalateSLAInput struct {
	JobID string `json:"jobId"`
}

// Validate checks the input.
func (in EscalateSLAInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.JobID, validation.Required))
}

// escalateSLA records every escalation point of the job's SLA reached by now
// and not recorded yet, each with an SLA_ESCALATED event. Escalations that
// are not due yet (the clock paused, the job moved on) are left alone: the
// next wake-up looks again.
func (c *call) escalateSLA(in *EscalateSLAInput) (*Job, error) {
	return c.mutateJob("escalate", in.JobID, func(t *txn, j *Job) error {
		st, err := c.slaStatus(t, j, c.now)
		if err != nil {
			return err
		}
		for _, target := range []struct {
			name string
			ts   jobfsm.TargetStatus
		}{{"RESPONSE", st.Response}, {"RESOLUTION", st.Resolution}} {
			for _, esc := range target.ts.Escalations {
				if !esc.Reached || slices.ContainsFunc(j.Escalations, func(e SLAEscalation) bool {
					return e.Target == target.name && e.Percent == esc.Percent
				}) {
					continue
				}
				rec := SLAEscalation{Target: target.name, Percent: esc.Percent, DueAt: esc.At, At: c.now}
				j.Escalations = append(j.Escalations, rec)
				if err := emitEvent(t, j, &Event{Type: EventSLAEscalated, At: c.now, Escalation: &rec}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// slaWake is the wake-up that escalates a job's SLA at its next escalation
// point: keyed by the job and the instant, so that every runner and every
// sweep agree on it and it happens once.
func slaWake(org, jobID string, at time.Time) Wake {
	return Wake{
		At: at, Procedure: "job/v1/escalateSLA", Scope: SystemScope(org, "sla-clock"),
		Key: "sla:" + jobID + ":" + at.UTC().Format(time.RFC3339Nano), Input: mustJSON(EscalateSLAInput{JobID: jobID}),
	}
}
