package dispatch

import (
	"errors"
	"fmt"
)

// ReasonCode names the rule that kept a technician from a job. Codes are
// stable: hosts map them to their own error codes and translations.
type ReasonCode string

// Reason codes, in the order the checker pipeline applies them.
const (
	// ReasonLicenseInvalid: the organization's license (or its license for
	// the job's trade) is invalid.
	ReasonLicenseInvalid ReasonCode = "LICENSE_INVALID"
	// ReasonInsuranceInvalid: the organization's insurance is invalid.
	ReasonInsuranceInvalid ReasonCode = "INSURANCE_INVALID"
	// ReasonInactive: the technician is not active.
	ReasonInactive ReasonCode = "TECHNICIAN_INACTIVE"
	// ReasonPinnedElsewhere: the job is pinned to another technician.
	ReasonPinnedElsewhere ReasonCode = "PINNED_ELSEWHERE"
	// ReasonSkillMissing: the technician lacks a required trade.
	ReasonSkillMissing ReasonCode = "SKILL_MISSING"
	// ReasonSkillLevel: the technician's level in a trade is too low.
	ReasonSkillLevel ReasonCode = "SKILL_LEVEL_TOO_LOW"
	// ReasonCertificationMissing: a required certification is missing.
	ReasonCertificationMissing ReasonCode = "CERTIFICATION_MISSING"
	// ReasonCertificationExpired: a required certification expires before
	// the job's date.
	ReasonCertificationExpired ReasonCode = "CERTIFICATION_EXPIRED"
	// ReasonTerritory: the job lies outside the technician's territories.
	ReasonTerritory ReasonCode = "TERRITORY_MISMATCH"
	// ReasonPartsMissing: the truck does not carry the parts the job needs.
	ReasonPartsMissing ReasonCode = "PARTS_MISSING"
	// ReasonNoShift: no shift of the technician can reach the job within a
	// window and come back in time.
	ReasonNoShift ReasonCode = "OUTSIDE_SHIFT"
	// ReasonTimeOff: the job falls in the technician's time off.
	ReasonTimeOff ReasonCode = "TIME_OFF"
	// ReasonOutsideWindow: the requested start is outside every window.
	ReasonOutsideWindow ReasonCode = "OUTSIDE_WINDOW"
	// ReasonConflict: the requested visit overlaps another commitment,
	// travel included.
	ReasonConflict ReasonCode = "SCHEDULE_CONFLICT"
	// ReasonMaxJobs: the technician's day is at its job limit.
	ReasonMaxJobs ReasonCode = "MAX_JOBS_REACHED"
	// ReasonMaxWork: the job would exceed the technician's working hours.
	ReasonMaxWork ReasonCode = "MAX_WORK_REACHED"
	// ReasonTruckEmpty: the parts on the truck are taken by other jobs.
	ReasonTruckEmpty ReasonCode = "PARTS_ALLOCATED"
	// ReasonScheduleFull: the technician is eligible but the planned day
	// has no feasible slot for the job.
	ReasonScheduleFull ReasonCode = "SCHEDULE_FULL"
)

// Sentinels that reason codes match through errors.Is, one per family. The
// engine maps them to its error codes: ErrUnavailable and ErrUnqualified to
// TECHNICIAN_UNAVAILABLE, ErrConflict to SCHEDULING_CONFLICT, ErrShortage
// to INVENTORY_SHORTAGE, and the compliance sentinels to LICENSE_INVALID and
// INSURANCE_INVALID.
var (
	ErrLicenseInvalid   = errors.New("dispatch: license invalid")
	ErrInsuranceInvalid = errors.New("dispatch: insurance invalid")
	ErrUnavailable      = errors.New("dispatch: technician unavailable")
	ErrUnqualified      = errors.New("dispatch: technician not qualified")
	ErrConflict         = errors.New("dispatch: scheduling conflict")
	ErrShortage         = errors.New("dispatch: parts shortage")
	// ErrUnknown is returned for a technician or job ID the snapshot lacks.
	ErrUnknown = errors.New("dispatch: unknown ID")
)

// Err returns the sentinel of the code's family.
func (c ReasonCode) Err() error {
	switch c {
	case ReasonLicenseInvalid:
		return ErrLicenseInvalid
	case ReasonInsuranceInvalid:
		return ErrInsuranceInvalid
	case ReasonSkillMissing, ReasonSkillLevel, ReasonCertificationMissing, ReasonCertificationExpired, ReasonTerritory:
		return ErrUnqualified
	case ReasonPartsMissing, ReasonTruckEmpty:
		return ErrShortage
	case ReasonOutsideWindow, ReasonConflict, ReasonMaxJobs, ReasonMaxWork, ReasonScheduleFull:
		return ErrConflict
	}
	return ErrUnavailable
}

// Reason is why one technician cannot take one job: the first rule that
// failed, and a detail for the dispatcher ("no EPA-608", "shift ends 16:00").
type Reason struct {
	TechnicianID string     `json:"technicianId"`
	Code         ReasonCode `json:"code"`
	Detail       string     `json:"detail"`
}

func (r Reason) String() string {
	return fmt.Sprintf("%s: %s (%s)", r.TechnicianID, r.Code, r.Detail)
}

// RuleError is a Reason as an error. It matches its code's family sentinel
// with errors.Is.
type RuleError struct {
	JobID  string
	Reason Reason
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("dispatch: job %s, technician %s: %s: %s", e.JobID, e.Reason.TechnicianID, e.Reason.Code, e.Reason.Detail)
}

// Is matches the family sentinel of the reason's code.
func (e *RuleError) Is(target error) bool { return target == e.Reason.Code.Err() }
