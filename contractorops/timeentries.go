package contractorops

import (
	"context"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/pricing"
)

// TimeEntryType says what a technician's time was spent on.
type TimeEntryType string

// The time entry types.
const (
	TimeWork   TimeEntryType = "WORK"
	TimeTravel TimeEntryType = "TRAVEL"
)

// TimeEntry is time a technician spent on a job: started and stopped on
// the job (a running entry has no end yet) or recorded afterwards. Billable
// entries are billed once, by an invoice from actuals, at the rates of
// their labor item; every entry costs its hours at CostRate (by default the
// labor item's cost) in the job's profitability.
type TimeEntry struct {
	Meta
	JobID        string        `json:"jobId"`
	VisitID      string        `json:"visitId,omitempty"`
	TechnicianID string        `json:"technicianId"`
	Type         TimeEntryType `json:"type"`
	Billable     bool          `json:"billable"`
	Start        time.Time     `json:"start"`
	End          time.Time     `json:"end,omitzero"`
	// Hours is End − Start in hours, to 4 decimals; zero while running.
	Hours pricing.Quantity `json:"hours"`
	// LaborItemID is the pricebook LABOR item the time is billed at; when
	// empty, the invoice names it.
	LaborItemID string `json:"laborItemId,omitempty"`
	// CostRate is what an hour of the technician costs; unset, the labor
	// item's cost.
	CostRate  pricing.Money `json:"costRate"`
	Notes     string        `json:"notes,omitempty"`
	InvoiceID string        `json:"invoiceId,omitempty"`
}

// Running reports whether the entry is still open.
func (e *TimeEntry) Running() bool { return e.End.IsZero() }

var timeEntriesTable = table[TimeEntry]{
	spec: TableSpec{Name: "time_entries", Keys: []string{"job_id", "technician_id", "running", "invoice_id", "started_at"}},
	keys: func(e *TimeEntry) map[string]string {
		return keys("job_id", e.JobID, "technician_id", e.TechnicianID, "running", boolKey(e.Running()),
			"invoice_id", e.InvoiceID, "started_at", timeKey(e.Start))
	},
}

// hoursBetween is the time from start to end in hours, to 4 decimals.
func hoursBetween(start, end time.Time) (pricing.Quantity, error) {
	secs := decimal.NewFromInt(int64(end.Sub(start) / time.Second))
	return pricing.QuantityFromDecimal(secs.DivRound(decimal.NewFromInt(3600), pricing.QuantityPlaces))
}

// TimeEntryInput is what a time entry records besides its span.
type TimeEntryInput struct {
	JobID   string `json:"jobId"`
	VisitID string `json:"visitId,omitempty"`
	// TechnicianID is the technician's id; a technician records only their
	// own time and may leave it empty.
	TechnicianID string        `json:"technicianId,omitempty"`
	Type         TimeEntryType `json:"type"`
	// Billable defaults to true for WORK and false for TRAVEL.
	Billable    *bool  `json:"billable,omitempty"`
	LaborItemID string `json:"laborItemId,omitempty"`
	// CostRate is a decimal amount per hour in the organization's currency.
	CostRate string `json:"costRate,omitempty"`
	Notes    string `json:"notes,omitempty"`
}

// Validate checks the input.
func (in TimeEntryInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.JobID, validation.Required),
		validation.Field(&in.TechnicianID, validation.Length(0, 100)),
		validation.Field(&in.Type, validation.Required, validation.In(TimeWork, TimeTravel)),
		validation.Field(&in.LaborItemID, validation.Length(0, 100)),
		validation.Field(&in.CostRate, validation.When(in.CostRate != "", validation.By(nonNegativeDecimal))),
		validation.Field(&in.Notes, validation.Length(0, 2000)),
	)
}

func nonNegativeDecimal(v any) error {
	s, _ := v.(string)
	d, err := decimal.NewFromString(s)
	if err != nil {
		return validation.NewError("validation_decimal", "must be a decimal number such as 45.50")
	}
	if d.IsNegative() {
		return validation.NewError("validation_not_negative", "must not be negative")
	}
	return nil
}

// RecordTimeInput records a span of time spent on a job.
type RecordTimeInput struct {
	TimeEntryInput
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Validate checks the input.
func (in RecordTimeInput) Validate() error {
	if err := in.TimeEntryInput.Validate(); err != nil {
		return err
	}
	return validation.ValidateStruct(&in,
		validation.Field(&in.Start, validation.Required),
		validation.Field(&in.End, validation.Required, validation.By(func(any) error {
			if !in.End.After(in.Start) || in.End.Sub(in.Start) > 24*time.Hour {
				return validation.NewError("validation_span", "must be after start, within 24 hours")
			}
			return nil
		})),
	)
}

// TimeEntryService records technicians' time on jobs: a clock started and
// stopped on site, or spans recorded afterwards.
type TimeEntryService struct {
	start  proc[TimeEntryInput, TimeEntry]
	stop   proc[IDInput, TimeEntry]
	record proc[RecordTimeInput, TimeEntry]
	remove proc[IDInput, TimeEntry]
	list   proc[JobIDInput, []TimeEntry]
}

// Start starts a technician's clock on a job now; a clock of theirs still
// running elsewhere stops.
func (s *TimeEntryService) Start(ctx context.Context, scope Scope, key string, in TimeEntryInput) (*TimeEntry, error) {
	return s.start.do(ctx, scope, key, in)
}

// Stop stops a running clock now.
func (s *TimeEntryService) Stop(ctx context.Context, scope Scope, key, id string) (*TimeEntry, error) {
	return s.stop.do(ctx, scope, key, IDInput{ID: id})
}

// Record records a span of time.
func (s *TimeEntryService) Record(ctx context.Context, scope Scope, key string, in RecordTimeInput) (*TimeEntry, error) {
	return s.record.do(ctx, scope, key, in)
}

// Remove deletes an entry not billed yet.
func (s *TimeEntryService) Remove(ctx context.Context, scope Scope, key, id string) (*TimeEntry, error) {
	return s.remove.do(ctx, scope, key, IDInput{ID: id})
}

// List lists a job's time entries in order.
func (s *TimeEntryService) List(ctx context.Context, scope Scope, jobID string) ([]TimeEntry, error) {
	out, err := s.list.get(ctx, scope, JobIDInput{JobID: jobID})
	if err != nil {
		return nil, err
	}
	return *out, nil
}

func (e *Engine) registerTimeEntries() {
	field := with(rolesOffice(), RoleTechnician)
	e.TimeEntries = &TimeEntryService{
		start: mutation(e, "timeentry/v1/start", "Start a technician's clock on a job.", field,
			func(c *call, in *TimeEntryInput) (*TimeEntry, error) {
				return inTx(c, "start", func(t *txn) (*TimeEntry, error) {
					te, err := c.newTimeEntry(t, in, c.now)
					if err != nil {
						return nil, err
					}
					running, err := find(t, timeEntriesTable, Query{Where: []Cond{Eq("technician_id", te.TechnicianID), Eq("running", "true")}})
					if err != nil {
						return nil, err
					}
					for _, r := range running {
						if err := stopEntry(t, r, c.now); err != nil {
							return nil, err
						}
					}
					return te, insert(t, timeEntriesTable, te)
				})
			}),
		stop: mutation(e, "timeentry/v1/stop", "Stop a running clock.", field,
			func(c *call, in *IDInput) (*TimeEntry, error) {
				return inTx(c, "stop", func(t *txn) (*TimeEntry, error) {
					te, err := c.loadTimeEntry(t, in.ID)
					if err != nil {
						return nil, err
					}
					if !te.Running() {
						return nil, fieldError(CodeIllegalTransition, "id", "TIME_ENTRY_STOPPED", "the clock was stopped already")
					}
					return te, stopEntry(t, te, c.now)
				})
			}),
		record: mutation(e, "timeentry/v1/record", "Record a span of time spent on a job.", field,
			func(c *call, in *RecordTimeInput) (*TimeEntry, error) {
				return inTx(c, "record", func(t *txn) (*TimeEntry, error) {
					te, err := c.newTimeEntry(t, &in.TimeEntryInput, in.Start)
					if err != nil {
						return nil, err
					}
					te.End = in.End
					if te.Hours, err = hoursBetween(te.Start, te.End); err != nil {
						return nil, err
					}
					return te, insert(t, timeEntriesTable, te)
				})
			}),
		remove: mutation(e, "timeentry/v1/remove", "Delete a time entry not billed yet.", field,
			func(c *call, in *IDInput) (*TimeEntry, error) {
				return inTx(c, "remove", func(t *txn) (*TimeEntry, error) {
					te, err := c.loadTimeEntry(t, in.ID)
					if err != nil {
						return nil, err
					}
					if te.InvoiceID != "" {
						return nil, fieldError(CodeIllegalTransition, "id", "TIME_ENTRY_BILLED", "the entry is billed: void its invoice first")
					}
					return te, remove(t, timeEntriesTable, te)
				})
			}),
		list: query(e, "timeentry/v1/list", "List a job's time entries.", with(rolesReaders(), RoleTechnician),
			func(c *call, in *JobIDInput) (*[]TimeEntry, error) {
				return inTx(c, "list", func(t *txn) (*[]TimeEntry, error) {
					if _, err := c.loadJob(t, in.JobID); err != nil {
						return nil, err
					}
					es, err := find(t, timeEntriesTable, Query{Where: []Cond{Eq("job_id", in.JobID)}, OrderBy: "started_at"})
					return values(es), err
				})
			}),
	}
}

// newTimeEntry returns a new running entry of a job the scope works on.
func (c *call) newTimeEntry(t *txn, in *TimeEntryInput, start time.Time) (*TimeEntry, error) {
	j, err := c.loadJob(t, in.JobID)
	if err != nil {
		return nil, fieldNotFound(err, "jobId")
	}
	tech := in.TechnicianID
	if me := c.technicianID(); me != "" {
		if tech != "" && tech != me {
			return nil, fieldError(CodeForbidden, "technicianId", "forbidden", "a technician records only their own time")
		}
		tech = me
	}
	if tech == "" {
		return nil, fieldError(CodeValidationFailed, "technicianId", "validation_required", "name the technician")
	}
	te := &TimeEntry{Meta: Meta{ID: c.e.newID()}, JobID: j.ID, VisitID: in.VisitID, TechnicianID: tech, Type: in.Type,
		Billable: in.Type == TimeWork, Start: start, LaborItemID: in.LaborItemID, Notes: in.Notes}
	set(&te.Billable, in.Billable)
	if in.CostRate != "" {
		org, err := load(t, organizationsTable, t.org)
		if err != nil {
			return nil, err
		}
		if te.CostRate, err = amountIn(in.CostRate, org.Currency, pricing.Money{}); err != nil {
			return nil, fieldsMoved(err, "amount", "costRate")
		}
	}
	return te, nil
}

// loadTimeEntry reads an entry the scope may change: a technician only
// their own.
func (c *call) loadTimeEntry(t *txn, id string) (*TimeEntry, error) {
	te, err := load(t, timeEntriesTable, id)
	if err != nil {
		return nil, err
	}
	if tech := c.technicianID(); tech != "" && te.TechnicianID != tech {
		return nil, RowNotFound(timeEntriesTable.spec.Name, id)
	}
	return te, nil
}

func stopEntry(t *txn, te *TimeEntry, at time.Time) error {
	te.End = at
	var err error
	if te.Hours, err = hoursBetween(te.Start, te.End); err != nil {
		return err
	}
	return update(t, timeEntriesTable, te)
}
