package contractorops

import (
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"
	"github.com/invopop/validation/is"
	"github.com/shopspring/decimal"
)

// Technician is a person who does the work in the field. A technician
// actor's id ([Actor].ID) is the technician's id.
type Technician struct {
	Meta
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	EmployeeID string `json:"employeeId,omitempty"`
	Active     bool   `json:"active"`
	// HireDate and TerminationDate bound the employment: the technician
	// works from HireDate until TerminationDate (see [Technician.EmployedOn]).
	HireDate        time.Time `json:"hireDate,omitzero"`
	TerminationDate time.Time `json:"terminationDate,omitzero"`
	BranchID        string    `json:"branchId,omitempty"`
	// TimeZone is the technician's IANA time zone; empty means the
	// branch's, then the organization's.
	TimeZone string `json:"timeZone,omitempty"`
	// Home is where the technician's day starts and ends.
	Home Address `json:"home"`
	// HourlyCost is the loaded labour cost, in the organization's currency.
	HourlyCost decimal.Decimal `json:"hourlyCost,omitzero"`
	// MaxJobsPerDay and MaxHoursPerDay bound a day's work; zero means no
	// limit.
	MaxJobsPerDay  int             `json:"maxJobsPerDay,omitempty"`
	MaxHoursPerDay decimal.Decimal `json:"maxHoursPerDay,omitzero"`
	// Skills, one per trade, sorted by trade.
	Skills []Skill `json:"skills,omitempty"`
	// Certifications, one per name, sorted by name.
	Certifications []Certification `json:"certifications,omitempty"`
	// Availability is the weekly working pattern, in the technician's time
	// zone.
	Availability WeeklyHours `json:"availability"`
	// Territories are the service areas the technician works in; none
	// means anywhere.
	Territories []Territory `json:"territories,omitempty"`
	// TimeOffRevision counts the changes to the technician's time off.
	// Each change updates the technician, so that two overlapping entries
	// can never both be added.
	TimeOffRevision int64 `json:"timeOffRevision,omitempty"`
}

// Skill is a trade and a level, from 1 (apprentice) to 5 (master).
type Skill struct {
	Trade TradeType `json:"trade"`
	Level int       `json:"level"`
}

// Certification is a technician's credential: a certification (EPA 608,
// NATE) or a personal license (master plumber). It is valid from IssuedAt
// until ExpiresAt; a zero ExpiresAt never expires.
type Certification struct {
	Name        string    `json:"name"`
	Authority   string    `json:"authority,omitempty"`
	Number      string    `json:"number,omitempty"`
	IssuedAt    time.Time `json:"issuedAt,omitzero"`
	ExpiresAt   time.Time `json:"expiresAt,omitzero"`
	DocumentURL string    `json:"documentUrl,omitempty"`
}

// Territory assigns a technician to a service area.
type Territory struct {
	ServiceAreaID string `json:"serviceAreaId"`
	Primary       bool   `json:"primary,omitempty"`
}

// TimeOff is a span when a technician does not work: vacation, sickness,
// training. Time off never overlaps other time off of the same technician.
type TimeOff struct {
	Meta
	TechnicianID string    `json:"technicianId"`
	StartsAt     time.Time `json:"startsAt"`
	EndsAt       time.Time `json:"endsAt"`
	Reason       string    `json:"reason,omitempty"`
}

// Span returns the time off as a [TimeSpan].
func (o *TimeOff) Span() TimeSpan { return TimeSpan{Start: o.StartsAt, End: o.EndsAt} }

// Name returns the technician's full name.
func (t *Technician) Name() string { return strings.TrimSpace(t.FirstName + " " + t.LastName) }

// EmployedOn reports whether the technician is active and employed at the
// instant at.
func (t *Technician) EmployedOn(at time.Time) bool {
	return t.Active &&
		(t.HireDate.IsZero() || !at.Before(t.HireDate)) &&
		(t.TerminationDate.IsZero() || at.Before(t.TerminationDate))
}

// MaxWorkPerDay returns MaxHoursPerDay as a duration; zero means no limit.
func (t *Technician) MaxWorkPerDay() time.Duration {
	return time.Duration(t.MaxHoursPerDay.Mul(decimal.NewFromInt(int64(time.Hour))).IntPart())
}

// SkillLevel returns the technician's level in trade, 0 without the skill.
func (t *Technician) SkillLevel(trade TradeType) int {
	for _, s := range t.Skills {
		if s.Trade == trade {
			return s.Level
		}
	}
	return 0
}

// Certification returns the technician's certification named name
// (compared without case), or nil.
func (t *Technician) Certification(name string) *Certification {
	i := slices.IndexFunc(t.Certifications, func(c Certification) bool { return sameName(c.Name, name) })
	if i < 0 {
		return nil
	}
	return &t.Certifications[i]
}

func sameName(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) }

// CheckCredentials returns nil when the technician holds every certification
// named in required, each valid at the instant at; otherwise a
// LICENSE_INVALID *Error naming each one missing, expired or not yet valid
// ("technician Ann Lee's EPA 608 certification (no. 1234) expired on
// 2026-10-01"). Dates are written in loc (nil is UTC).
func (t *Technician) CheckCredentials(required []string, at time.Time, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	var problems []string
	for _, name := range required {
		c := t.Certification(name)
		if c == nil {
			problems = append(problems, "technician "+t.Name()+" holds no "+name+" certification")
			continue
		}
		what := "technician " + t.Name() + "'s " + c.Name + " certification"
		if c.Number != "" {
			what += " (no. " + c.Number + ")"
		}
		switch {
		case !c.ExpiresAt.IsZero() && !at.Before(c.ExpiresAt):
			problems = append(problems, what+" expired on "+c.ExpiresAt.In(loc).Format(time.DateOnly))
		case !c.IssuedAt.IsZero() && at.Before(c.IssuedAt):
			problems = append(problems, what+" is not valid until "+c.IssuedAt.In(loc).Format(time.DateOnly))
		}
	}
	if len(problems) > 0 {
		return NewError(CodeLicenseInvalid, "%s", strings.Join(problems, "; "))
	}
	return nil
}

var (
	techniciansTable = table[Technician]{
		spec: TableSpec{Name: "technicians", Keys: []string{"name", "employee_id", "active", "branch_id"},
			Unique: [][]string{{"employee_id"}}},
		keys: func(t *Technician) map[string]string {
			return keys("name", technicianSortName(t.FirstName, t.LastName), "employee_id", strings.ToUpper(t.EmployeeID),
				"active", boolKey(t.Active), "branch_id", t.BranchID)
		},
	}
	timeOffTable = table[TimeOff]{
		spec: TableSpec{Name: "technician_time_off", Keys: []string{"technician_id", "starts_at", "ends_at"}},
		keys: func(o *TimeOff) map[string]string {
			return keys("technician_id", o.TechnicianID, "starts_at", timeKey(o.StartsAt), "ends_at", timeKey(o.EndsAt))
		},
	}
)

// technicianSortName is the key technicians are listed by: last name, then
// first name, without case.
func technicianSortName(first, last string) string {
	return strings.ToLower(strings.TrimSpace(last) + " " + strings.TrimSpace(first))
}

// TechnicianInput is a technician's editable profile.
type TechnicianInput struct {
	FirstName       string          `json:"firstName"`
	LastName        string          `json:"lastName"`
	Email           string          `json:"email,omitempty"`
	Phone           string          `json:"phone,omitempty"`
	EmployeeID      string          `json:"employeeId,omitempty"`
	HireDate        time.Time       `json:"hireDate,omitzero"`
	TerminationDate time.Time       `json:"terminationDate,omitzero"`
	BranchID        string          `json:"branchId,omitempty"`
	TimeZone        string          `json:"timeZone,omitempty"`
	Home            Address         `json:"home"`
	HourlyCost      decimal.Decimal `json:"hourlyCost,omitzero"`
	MaxJobsPerDay   int             `json:"maxJobsPerDay,omitempty"`
	MaxHoursPerDay  decimal.Decimal `json:"maxHoursPerDay,omitzero"`
}

// Validate checks the input.
func (in TechnicianInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.FirstName, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.LastName, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Email, is.EmailFormat, validation.Length(0, 254)),
		validation.Field(&in.Phone, validation.Length(0, 40)),
		validation.Field(&in.EmployeeID, validation.Length(0, 50)),
		validation.Field(&in.TerminationDate, validation.By(after(in.HireDate, "hireDate"))),
		validation.Field(&in.BranchID, validation.Length(0, 100)),
		validation.Field(&in.TimeZone, validation.By(validTimeZone)),
		validation.Field(&in.Home),
		validation.Field(&in.HourlyCost, validation.By(decimalRule(false, 4, decimal.New(99999, 0)))),
		validation.Field(&in.MaxJobsPerDay, validation.Min(0), validation.Max(100)),
		validation.Field(&in.MaxHoursPerDay, validation.By(decimalRule(false, 2, decimal.New(24, 0)))),
	)
}

func (in *TechnicianInput) apply(t *Technician) {
	t.FirstName, t.LastName, t.Email, t.Phone = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName), in.Email, in.Phone
	t.EmployeeID, t.HireDate, t.TerminationDate = strings.TrimSpace(in.EmployeeID), in.HireDate, in.TerminationDate
	t.BranchID, t.TimeZone, t.Home = in.BranchID, in.TimeZone, in.Home
	t.HourlyCost, t.MaxJobsPerDay, t.MaxHoursPerDay = in.HourlyCost, in.MaxJobsPerDay, in.MaxHoursPerDay
}

// UpdateTechnicianInput replaces a technician's profile; skills,
// certifications, availability and territories have their own procedures.
type UpdateTechnicianInput struct {
	ID string `json:"id"`
	TechnicianInput
	Active *bool `json:"active,omitempty"`
}

// Validate checks the input.
func (in UpdateTechnicianInput) Validate() error { return validateWithID(in.ID, in.TechnicianInput) }

// ListTechniciansInput lists technicians by last name, optionally those of
// one branch or whose last name starts with Search.
type ListTechniciansInput struct {
	Search          string `json:"search,omitempty"`
	BranchID        string `json:"branchId,omitempty"`
	IncludeInactive bool   `json:"includeInactive,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListTechniciansInput) Validate() error {
	if err := validation.ValidateStruct(&in,
		validation.Field(&in.Search, validation.Length(0, 200)),
		validation.Field(&in.BranchID, validation.Length(0, 100)),
	); err != nil {
		return err
	}
	return in.PageRequest.Validate()
}

// TechnicianRef names a technician.
type TechnicianRef struct {
	TechnicianID string `json:"technicianId"`
}

// Validate checks the input.
func (in TechnicianRef) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.TechnicianID, validation.Required, validation.Length(1, 100)))
}

// SkillInput sets a technician's level in a trade.
type SkillInput struct {
	TechnicianRef
	Skill
}

// Validate checks the input.
func (in SkillInput) Validate() error {
	return validateAll(in.TechnicianRef.Validate(), validation.ValidateStruct(&in.Skill,
		validation.Field(&in.Trade, validation.Required, validation.In(TradeTypes()...)),
		validation.Field(&in.Level, validation.Required, validation.Min(1), validation.Max(5)),
	))
}

// RemoveSkillInput removes a technician's skill in a trade.
type RemoveSkillInput struct {
	TechnicianRef
	Trade TradeType `json:"trade"`
}

// Validate checks the input.
func (in RemoveSkillInput) Validate() error {
	return validateAll(in.TechnicianRef.Validate(), validation.ValidateStruct(&in,
		validation.Field(&in.Trade, validation.Required, validation.In(TradeTypes()...))))
}

// CertificationInput adds a certification to a technician, or replaces the
// one of the same name (a renewal).
type CertificationInput struct {
	TechnicianRef
	Certification
}

// Validate checks the input.
func (in CertificationInput) Validate() error {
	c := &in.Certification
	return validateAll(in.TechnicianRef.Validate(), validation.ValidateStruct(c,
		validation.Field(&c.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&c.Authority, validation.Length(0, 200)),
		validation.Field(&c.Number, validation.Length(0, 100)),
		validation.Field(&c.ExpiresAt, validation.By(after(c.IssuedAt, "issuedAt"))),
		validation.Field(&c.DocumentURL, is.URL, validation.Length(0, 2000)),
	))
}

// RemoveCertificationInput removes a technician's certification by name.
type RemoveCertificationInput struct {
	TechnicianRef
	Name string `json:"name"`
}

// Validate checks the input.
func (in RemoveCertificationInput) Validate() error {
	return validateAll(in.TechnicianRef.Validate(), validation.ValidateStruct(&in, validation.Field(&in.Name, validation.Required, validation.Length(1, 200))))
}

// AvailabilityInput replaces a technician's weekly availability.
type AvailabilityInput struct {
	TechnicianRef
	Availability WeeklyHours `json:"availability"`
}

// Validate checks the input.
func (in AvailabilityInput) Validate() error {
	return validateAll(in.TechnicianRef.Validate(), validation.ValidateStruct(&in, validation.Field(&in.Availability)))
}

// Availability is a technician's weekly availability with the time zone it
// is in (the technician's, the branch's or the organization's).
type Availability struct {
	TechnicianID string      `json:"technicianId"`
	TimeZone     string      `json:"timeZone"`
	Hours        WeeklyHours `json:"hours"`
}

// TimeOffInput adds time off [StartsAt, EndsAt) for a technician.
type TimeOffInput struct {
	TechnicianRef
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
	Reason   string    `json:"reason,omitempty"`
}

// maxTimeOff is the longest single entry of time off.
const maxTimeOff = 366 * 24 * time.Hour

// Validate checks the input.
func (in TimeOffInput) Validate() error {
	return validateAll(in.TechnicianRef.Validate(), validation.ValidateStruct(&in,
		validation.Field(&in.StartsAt, validation.Required),
		validation.Field(&in.EndsAt, validation.Required, validation.By(after(in.StartsAt, "startsAt")), validation.By(func(any) error {
			if in.EndsAt.Sub(in.StartsAt) > maxTimeOff {
				return validation.NewError("validation_too_long", "must be at most a year after startsAt")
			}
			return nil
		})),
		validation.Field(&in.Reason, validation.Length(0, 500)),
	))
}

// ListTimeOffInput lists time off overlapping [From, To), of one technician
// or of all; zero bounds are open.
type ListTimeOffInput struct {
	TechnicianID string    `json:"technicianId,omitempty"`
	From         time.Time `json:"from,omitzero"`
	To           time.Time `json:"to,omitzero"`
}

// Validate checks the input.
func (in ListTimeOffInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.TechnicianID, validation.Length(0, 100)),
		validation.Field(&in.To, validation.By(after(in.From, "from"))),
	)
}

// TerritoriesInput replaces a technician's territories.
type TerritoriesInput struct {
	TechnicianRef
	Territories []Territory `json:"territories"`
}

// Validate checks the input: distinct service areas, at most one primary.
func (in TerritoriesInput) Validate() error {
	return validateAll(in.TechnicianRef.Validate(), validation.ValidateStruct(&in,
		validation.Field(&in.Territories, validation.Length(0, 100), validation.By(func(any) error {
			ids := make([]string, len(in.Territories))
			primaries := 0
			for i, t := range in.Territories {
				ids[i] = t.ServiceAreaID
				if t.Primary {
					primaries++
				}
			}
			if primaries > 1 {
				return validation.NewError("validation_primary", "at most one territory is primary")
			}
			return distinct[string](ids)
		})),
	))
}

// Validate checks the territory.
func (t Territory) Validate() error {
	return validation.ValidateStruct(&t, validation.Field(&t.ServiceAreaID, validation.Required, validation.Length(1, 100)))
}

// validateAll merges the errors of several validations into one: the field
// errors of all, or the first error that is not a validation.Errors.
func validateAll(errs ...error) error {
	all := validation.Errors{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		fields, ok := err.(validation.Errors)
		if !ok {
			return err
		}
		for k, v := range fields {
			all[k] = v
		}
	}
	if len(all) == 0 {
		return nil
	}
	return all
}
