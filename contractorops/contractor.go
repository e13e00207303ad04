package contractorops

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/invopop/validation"
	"github.com/invopop/validation/is"
	"github.com/shopspring/decimal"
)

// TradeType is a trade a contractor works in and a technician is skilled in.
type TradeType string

// The trades.
const (
	TradePlumbing          TradeType = "PLUMBING"
	TradeElectrical        TradeType = "ELECTRICAL"
	TradeHVAC              TradeType = "HVAC"
	TradeRoofing           TradeType = "ROOFING"
	TradeLandscaping       TradeType = "LANDSCAPING"
	TradePainting          TradeType = "PAINTING"
	TradeFlooring          TradeType = "FLOORING"
	TradeCarpentry         TradeType = "CARPENTRY"
	TradeMasonry           TradeType = "MASONRY"
	TradeGeneralContractor TradeType = "GENERAL_CONTRACTOR"
	TradePoolSpa           TradeType = "POOL_SPA"
	TradePestControl       TradeType = "PEST_CONTROL"
	TradeCleaning          TradeType = "CLEANING"
	TradeSecurity          TradeType = "SECURITY"
	TradeFireSafety        TradeType = "FIRE_SAFETY"
	TradeElevator          TradeType = "ELEVATOR"
	TradeApplianceRepair   TradeType = "APPLIANCE_REPAIR"
	TradeLocksmith         TradeType = "LOCKSMITH"
	TradeGlassWindow       TradeType = "GLASS_WINDOW"
	TradeFencing           TradeType = "FENCING"
	TradeConcrete          TradeType = "CONCRETE"
	TradeDemolition        TradeType = "DEMOLITION"
	TradeExcavation        TradeType = "EXCAVATION"
	TradeWaterproofing     TradeType = "WATERPROOFING"
	TradeInsulation        TradeType = "INSULATION"
	TradeDrywall           TradeType = "DRYWALL"
	TradeSiding            TradeType = "SIDING"
	TradeGutters           TradeType = "GUTTERS"
	TradeGarageDoor        TradeType = "GARAGE_DOOR"
	TradeOther             TradeType = "OTHER"
)

// TradeTypes returns every trade.
func TradeTypes() []TradeType {
	return []TradeType{
		TradePlumbing, TradeElectrical, TradeHVAC, TradeRoofing, TradeLandscaping, TradePainting,
		TradeFlooring, TradeCarpentry, TradeMasonry, TradeGeneralContractor, TradePoolSpa,
		TradePestControl, TradeCleaning, TradeSecurity, TradeFireSafety, TradeElevator,
		TradeApplianceRepair, TradeLocksmith, TradeGlassWindow, TradeFencing, TradeConcrete,
		TradeDemolition, TradeExcavation, TradeWaterproofing, TradeInsulation, TradeDrywall,
		TradeSiding, TradeGutters, TradeGarageDoor, TradeOther,
	}
}

// LicenseStatus is the standing of a license as its issuer reports it.
type LicenseStatus string

// The license statuses. A license counts as valid only when ACTIVE or
// PENDING_RENEWAL (a renewal filed before expiry) and within its dates.
const (
	LicenseActive         LicenseStatus = "ACTIVE"
	LicenseExpired        LicenseStatus = "EXPIRED"
	LicenseSuspended      LicenseStatus = "SUSPENDED"
	LicenseRevoked        LicenseStatus = "REVOKED"
	LicensePendingRenewal LicenseStatus = "PENDING_RENEWAL"
)

// InsuranceType is the kind of an insurance policy.
type InsuranceType string

// The insurance types.
const (
	InsuranceGeneralLiability      InsuranceType = "GENERAL_LIABILITY"
	InsuranceWorkersCompensation   InsuranceType = "WORKERS_COMPENSATION"
	InsuranceProfessionalLiability InsuranceType = "PROFESSIONAL_LIABILITY"
	InsuranceAutoLiability         InsuranceType = "AUTO_LIABILITY"
	InsuranceUmbrella              InsuranceType = "UMBRELLA"
	InsuranceBonding               InsuranceType = "BONDING"
)

// InsuranceTypes returns every insurance type.
func InsuranceTypes() []InsuranceType {
	return []InsuranceType{
		InsuranceGeneralLiability, InsuranceWorkersCompensation, InsuranceProfessionalLiability,
		InsuranceAutoLiability, InsuranceUmbrella, InsuranceBonding,
	}
}

// InsuranceStatus is the standing of an insurance policy.
type InsuranceStatus string

// The insurance statuses. A policy is in force only when ACTIVE and within
// its dates.
const (
	InsuranceActive              InsuranceStatus = "ACTIVE"
	InsuranceExpired             InsuranceStatus = "EXPIRED"
	InsurancePendingVerification InsuranceStatus = "PENDING_VERIFICATION"
	InsuranceCancelled           InsuranceStatus = "CANCELLED"
)

// Branch is one location a contractor operates from.
type Branch struct {
	Meta
	Name string `json:"name"`
	// Code is short and unique within the organization ("NYC", "BAL-2").
	Code    string  `json:"code"`
	Phone   string  `json:"phone,omitempty"`
	Email   string  `json:"email,omitempty"`
	Address Address `json:"address"`
	// TimeZone is the branch's IANA time zone; empty means the
	// organization's.
	TimeZone string `json:"timeZone,omitempty"`
	// OperatingHours are the branch's weekly opening hours, in its time zone.
	OperatingHours     WeeklyHours `json:"operatingHours"`
	ServiceRadiusMiles int         `json:"serviceRadiusMiles,omitempty"`
	// Primary marks the organization's main branch; exactly one branch is
	// primary once any exists.
	Primary bool `json:"primary"`
	Active  bool `json:"active"`
}

// ContractorTrade is a trade the contractor works in.
type ContractorTrade struct {
	Meta
	Trade TradeType `json:"trade"`
	// Primary marks the contractor's main trade; at most one is.
	Primary         bool   `json:"primary"`
	YearsExperience int    `json:"yearsExperience,omitempty"`
	Description     string `json:"description,omitempty"`
}

// License is a contractor's license to practise, issued by an authority.
type License struct {
	Meta
	// Type is the license's name as the issuer calls it ("Master HVAC").
	Type             string `json:"type"`
	Number           string `json:"number"`
	IssuingAuthority string `json:"issuingAuthority"`
	IssuingState     string `json:"issuingState,omitempty"`
	// Trade is the trade the license covers; work in that trade needs a
	// valid license of it (when the contractor holds any). Empty for a
	// license that covers no single trade (a business license).
	Trade    TradeType     `json:"trade,omitempty"`
	Status   LicenseStatus `json:"status"`
	IssuedAt time.Time     `json:"issuedAt,omitzero"`
	// ExpiresAt is when the license stops being valid; zero never expires.
	ExpiresAt   time.Time `json:"expiresAt,omitzero"`
	VerifiedAt  time.Time `json:"verifiedAt,omitzero"`
	VerifiedBy  string    `json:"verifiedBy,omitempty"`
	DocumentURL string    `json:"documentUrl,omitempty"`
}

// InsurancePolicy is a contractor's insurance policy (or bond).
type InsurancePolicy struct {
	Meta
	Type         InsuranceType `json:"type"`
	Carrier      string        `json:"carrier"`
	PolicyNumber string        `json:"policyNumber"`
	// CoverageAmount is the per-occurrence limit, in the organization's
	// currency.
	CoverageAmount decimal.Decimal `json:"coverageAmount"`
	Deductible     decimal.Decimal `json:"deductible,omitzero"`
	// The policy is in force from EffectiveAt until ExpiresAt.
	EffectiveAt time.Time       `json:"effectiveAt"`
	ExpiresAt   time.Time       `json:"expiresAt"`
	Status      InsuranceStatus `json:"status"`
	VerifiedAt  time.Time       `json:"verifiedAt,omitzero"`
	VerifiedBy  string          `json:"verifiedBy,omitempty"`
	DocumentURL string          `json:"documentUrl,omitempty"`
}

// ServiceArea is a territory a contractor serves: a list of postal codes, a
// circle around a center, or both. Technicians are assigned to service areas
// as their territories.
type ServiceArea struct {
	Meta
	Name     string   `json:"name"`
	ZipCodes []string `json:"zipCodes,omitempty"`
	// Center and RadiusMiles describe a circle; both or neither are set.
	Center      *GeoPoint `json:"center,omitempty"`
	RadiusMiles float64   `json:"radiusMiles,omitempty"`
	// Categories are the trades served in the area; none means all.
	Categories []TradeType `json:"categories,omitempty"`
	Active     bool        `json:"active"`
}

// GeoPoint is a position in degrees.
type GeoPoint struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Validate checks the point's ranges.
func (p GeoPoint) Validate() error {
	return validation.ValidateStruct(&p,
		validation.Field(&p.Lat, validation.Min(-90.0), validation.Max(90.0)),
		validation.Field(&p.Lng, validation.Min(-180.0), validation.Max(180.0)),
	)
}

// Covers reports whether the area serves a place with the given postal code
// and, when known, position: the code is one of the area's, or the position
// lies within its circle.
func (a *ServiceArea) Covers(postalCode string, at *GeoPoint) bool {
	if postalCode != "" && slices.Contains(a.ZipCodes, normalizeZip(postalCode)) {
		return true
	}
	return a.Center != nil && at != nil && distanceMiles(*a.Center, *at) <= a.RadiusMiles
}

// Serves reports whether the area serves trade.
func (a *ServiceArea) Serves(trade TradeType) bool {
	return len(a.Categories) == 0 || slices.Contains(a.Categories, trade)
}

var (
	branchesTable = table[Branch]{
		spec: TableSpec{Name: "contractor_branches", Keys: []string{"code", "name", "is_primary", "active"},
			Unique: [][]string{{"code"}, {"is_primary"}}},
		keys: func(b *Branch) map[string]string {
			return keys("code", strings.ToUpper(b.Code), "name", strings.ToLower(b.Name), "is_primary", primaryKey(b.Primary), "active", boolKey(b.Active))
		},
	}
	tradesTable = table[ContractorTrade]{
		spec: TableSpec{Name: "contractor_trades", Keys: []string{"trade", "is_primary"},
			Unique: [][]string{{"trade"}, {"is_primary"}}},
		keys: func(tr *ContractorTrade) map[string]string {
			return keys("trade", string(tr.Trade), "is_primary", primaryKey(tr.Primary))
		},
	}
	licensesTable = table[License]{
		spec: TableSpec{Name: "contractor_licenses", Keys: []string{"authority", "number", "trade", "expires_at"},
			Unique: [][]string{{"authority", "number"}}},
		keys: func(l *License) map[string]string {
			return keys("authority", strings.ToLower(l.IssuingAuthority), "number", strings.ToUpper(l.Number),
				"trade", string(l.Trade), "expires_at", timeKey(l.ExpiresAt))
		},
	}
	insuranceTable = table[InsurancePolicy]{
		spec: TableSpec{Name: "contractor_insurance_policies", Keys: []string{"carrier", "policy_number", "type", "expires_at"},
			Unique: [][]string{{"carrier", "policy_number"}}},
		keys: func(p *InsurancePolicy) map[string]string {
			return keys("carrier", strings.ToLower(p.Carrier), "policy_number", strings.ToUpper(p.PolicyNumber),
				"type", string(p.Type), "expires_at", timeKey(p.ExpiresAt))
		},
	}
	serviceAreasTable = table[ServiceArea]{
		spec: TableSpec{Name: "service_areas", Keys: []string{"name", "active"}},
		keys: func(a *ServiceArea) map[string]string {
			return keys("name", strings.ToLower(a.Name), "active", boolKey(a.Active))
		},
	}
)

// primaryKey is the key of a "primary" flag under a unique index: present
// only on the primary row, so that at most one row per organization has it.
func primaryKey(primary bool) string {
	if primary {
		return "true"
	}
	return ""
}

// BranchInput is a branch's editable fields.
type BranchInput struct {
	Name               string      `json:"name"`
	Code               string      `json:"code"`
	Phone              string      `json:"phone,omitempty"`
	Email              string      `json:"email,omitempty"`
	Address            Address     `json:"address"`
	TimeZone           string      `json:"timeZone,omitempty"`
	OperatingHours     WeeklyHours `json:"operatingHours"`
	ServiceRadiusMiles int         `json:"serviceRadiusMiles,omitempty"`
	// Primary makes this the primary branch (the previous one stops being
	// primary). The organization's first branch is primary regardless.
	Primary bool `json:"primary,omitempty"`
}

var branchCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// Validate checks the input.
func (in BranchInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Code, validation.Required, validation.Length(1, 20), validation.Match(branchCodePattern)),
		validation.Field(&in.Phone, validation.Length(0, 40)),
		validation.Field(&in.Email, is.EmailFormat, validation.Length(0, 254)),
		validation.Field(&in.Address, validation.By(streetAddress)),
		validation.Field(&in.TimeZone, validation.By(validTimeZone)),
		validation.Field(&in.OperatingHours),
		validation.Field(&in.ServiceRadiusMiles, validation.Min(0), validation.Max(1000)),
	)
}

// streetAddress requires the parts of an address that a branch's needs.
func streetAddress(v any) error {
	a := v.(Address)
	return validation.ValidateStruct(&a,
		validation.Field(&a.Line1, validation.Required),
		validation.Field(&a.City, validation.Required),
		validation.Field(&a.State, validation.Required),
		validation.Field(&a.PostalCode, validation.Required),
	)
}

func (in *BranchInput) apply(b *Branch) {
	b.Name, b.Code, b.Phone, b.Email, b.Address = in.Name, strings.ToUpper(in.Code), in.Phone, in.Email, in.Address
	b.TimeZone, b.OperatingHours, b.ServiceRadiusMiles = in.TimeZone, in.OperatingHours.normalized(), in.ServiceRadiusMiles
}

// UpdateBranchInput changes a branch. Active false archives it; a primary
// branch cannot be archived (make another one primary first).
type UpdateBranchInput struct {
	ID string `json:"id"`
	BranchInput
	Active *bool `json:"active,omitempty"`
}

// Validate checks the input.
func (in UpdateBranchInput) Validate() error {
	return validateWithID(in.ID, in.BranchInput)
}

// validateWithID validates an update: the id of the entity and its fields.
func validateWithID(id string, fields validation.Validatable) error {
	return validateAll(IDInput{ID: id}.Validate(), fields.Validate())
}

// TradeInput adds a trade to the contractor, or changes it.
type TradeInput struct {
	Trade           TradeType `json:"trade"`
	Primary         bool      `json:"primary,omitempty"`
	YearsExperience int       `json:"yearsExperience,omitempty"`
	Description     string    `json:"description,omitempty"`
}

// Validate checks the input.
func (in TradeInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Trade, validation.Required, validation.In(TradeTypes()...)),
		validation.Field(&in.YearsExperience, validation.Min(0), validation.Max(150)),
		validation.Field(&in.Description, validation.Length(0, 2000)),
	)
}

// TradeRefInput names one of the contractor's trades.
type TradeRefInput struct {
	Trade TradeType `json:"trade"`
}

// Validate checks the input.
func (in TradeRefInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.Trade, validation.Required, validation.In(TradeTypes()...)))
}

// LicenseInput is a license's editable fields.
type LicenseInput struct {
	Type             string        `json:"type"`
	Number           string        `json:"number"`
	IssuingAuthority string        `json:"issuingAuthority"`
	IssuingState     string        `json:"issuingState,omitempty"`
	Trade            TradeType     `json:"trade,omitempty"`
	Status           LicenseStatus `json:"status"`
	IssuedAt         time.Time     `json:"issuedAt,omitzero"`
	ExpiresAt        time.Time     `json:"expiresAt,omitzero"`
	DocumentURL      string        `json:"documentUrl,omitempty"`
}

var statePattern = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate checks the input.
func (in LicenseInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Type, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.Number, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.IssuingAuthority, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.IssuingState, validation.Match(statePattern).Error("must be a two-letter state code such as MD")),
		validation.Field(&in.Trade, validation.In(TradeTypes()...)),
		validation.Field(&in.Status, validation.Required, validation.In(LicenseActive, LicenseExpired, LicenseSuspended, LicenseRevoked, LicensePendingRenewal)),
		validation.Field(&in.ExpiresAt, validation.By(after(in.IssuedAt, "issuedAt"))),
		validation.Field(&in.DocumentURL, is.URL, validation.Length(0, 2000)),
	)
}

func (in *LicenseInput) apply(l *License) {
	l.Type, l.Number, l.IssuingAuthority, l.IssuingState = strings.TrimSpace(in.Type), strings.TrimSpace(in.Number), strings.TrimSpace(in.IssuingAuthority), in.IssuingState
	l.Trade, l.Status, l.IssuedAt, l.ExpiresAt, l.DocumentURL = in.Trade, in.Status, in.IssuedAt, in.ExpiresAt, in.DocumentURL
}

// UpdateLicenseInput changes a license. A change of number, authority or
// dates clears its verification.
type UpdateLicenseInput struct {
	ID string `json:"id"`
	LicenseInput
}

// Validate checks the input.
func (in UpdateLicenseInput) Validate() error { return validateWithID(in.ID, in.LicenseInput) }

// InsuranceInput is an insurance policy's editable fields.
type InsuranceInput struct {
	Type           InsuranceType   `json:"type"`
	Carrier        string          `json:"carrier"`
	PolicyNumber   string          `json:"policyNumber"`
	CoverageAmount decimal.Decimal `json:"coverageAmount"`
	Deductible     decimal.Decimal `json:"deductible,omitzero"`
	EffectiveAt    time.Time       `json:"effectiveAt"`
	ExpiresAt      time.Time       `json:"expiresAt"`
	// Status defaults to PENDING_VERIFICATION.
	Status      InsuranceStatus `json:"status,omitempty"`
	DocumentURL string          `json:"documentUrl,omitempty"`
}

// Validate checks the input.
func (in InsuranceInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Type, validation.Required, validation.In(InsuranceTypes()...)),
		validation.Field(&in.Carrier, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.PolicyNumber, validation.Required, validation.Length(1, 100)),
		validation.Field(&in.CoverageAmount, validation.By(money(true))),
		validation.Field(&in.Deductible, validation.By(money(false))),
		validation.Field(&in.EffectiveAt, validation.Required),
		validation.Field(&in.ExpiresAt, validation.Required, validation.By(after(in.EffectiveAt, "effectiveAt"))),
		validation.Field(&in.Status, validation.In(InsuranceActive, InsuranceExpired, InsurancePendingVerification, InsuranceCancelled)),
		validation.Field(&in.DocumentURL, is.URL, validation.Length(0, 2000)),
	)
}

func (in *InsuranceInput) apply(p *InsurancePolicy) {
	p.Type, p.Carrier, p.PolicyNumber = in.Type, strings.TrimSpace(in.Carrier), strings.TrimSpace(in.PolicyNumber)
	p.CoverageAmount, p.Deductible, p.EffectiveAt, p.ExpiresAt = in.CoverageAmount, in.Deductible, in.EffectiveAt, in.ExpiresAt
	p.Status, p.DocumentURL = or(in.Status, InsurancePendingVerification), in.DocumentURL
}

// UpdateInsuranceInput changes an insurance policy. A change of number,
// carrier, coverage or dates clears its verification.
type UpdateInsuranceInput struct {
	ID string `json:"id"`
	InsuranceInput
}

// Validate checks the input.
func (in UpdateInsuranceInput) Validate() error { return validateWithID(in.ID, in.InsuranceInput) }

// ServiceAreaInput is a service area's editable fields.
type ServiceAreaInput struct {
	Name        string      `json:"name"`
	ZipCodes    []string    `json:"zipCodes,omitempty"`
	Center      *GeoPoint   `json:"center,omitempty"`
	RadiusMiles float64     `json:"radiusMiles,omitempty"`
	Categories  []TradeType `json:"categories,omitempty"`
}

var zipPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 -]{1,8}[A-Za-z0-9]$`)

// Validate checks the input: a name, and postal codes or a circle.
func (in ServiceAreaInput) Validate() error {
	circle := in.Center != nil || in.RadiusMiles != 0
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.ZipCodes, validation.Required.When(!circle).Error("give postal codes or a center and a radius"),
			validation.Length(0, 2000), validation.Each(validation.By(postalCode))),
		validation.Field(&in.Center, validation.Required.When(circle).Error("a radius needs a center")),
		validation.Field(&in.RadiusMiles, validation.Required.When(circle).Error("a center needs a radius"), validation.Min(0.0), validation.Max(500.0)),
		validation.Field(&in.Categories, validation.Each(validation.In(TradeTypes()...)), validation.By(distinct[TradeType])),
	)
}

func (in *ServiceAreaInput) apply(a *ServiceArea) {
	a.Name, a.Center, a.RadiusMiles, a.Categories = in.Name, in.Center, in.RadiusMiles, in.Categories
	a.ZipCodes = nil
	for _, z := range in.ZipCodes {
		if z := normalizeZip(z); !slices.Contains(a.ZipCodes, z) {
			a.ZipCodes = append(a.ZipCodes, z)
		}
	}
	slices.Sort(a.ZipCodes)
}

func postalCode(v any) error {
	if !zipPattern.MatchString(normalizeZip(v.(string))) {
		return validation.NewError("validation_postal_code", "must be a postal code")
	}
	return nil
}

func normalizeZip(z string) string { return strings.ToUpper(strings.TrimSpace(z)) }

// UpdateServiceAreaInput changes a service area. Active false retires it:
// technicians keep it among their territories until reassigned, but it can
// no longer be assigned.
type UpdateServiceAreaInput struct {
	ID string `json:"id"`
	ServiceAreaInput
	Active *bool `json:"active,omitempty"`
}

// Validate checks the input.
func (in UpdateServiceAreaInput) Validate() error { return validateWithID(in.ID, in.ServiceAreaInput) }

// ListOptions lists the entities of one kind, the inactive ones too when
// asked.
type ListOptions struct {
	IncludeInactive bool `json:"includeInactive,omitempty"`
}

// Validate checks the input.
func (ListOptions) Validate() error { return nil }

// NoInput is the input of a procedure that takes none.
type NoInput struct{}

// Validate checks the input.
func (NoInput) Validate() error { return nil }

// after returns a rule that a time, when set, is after another one (when
// that one is set too).
func after(start time.Time, startField string) validation.RuleFunc {
	return func(v any) error {
		end := v.(time.Time)
		if !end.IsZero() && !start.IsZero() && !end.After(start) {
			return validation.NewError("validation_after", "must be after "+startField)
		}
		return nil
	}
}

// money returns a rule for an amount of money: not negative, at most two
// decimal places, below a trillion; positive when required.
func money(required bool) validation.RuleFunc {
	return decimalRule(required, 2, decimal.RequireFromString("999999999999.99"))
}

// decimalRule returns a rule for a decimal: not negative, at most scale
// decimal places and at most max; positive when required.
func decimalRule(required bool, scale int32, max decimal.Decimal) validation.RuleFunc {
	return func(v any) error {
		d := v.(decimal.Decimal)
		switch {
		case required && !d.IsPositive():
			return validation.NewError("validation_positive", "must be greater than zero")
		case d.IsNegative():
			return validation.NewError("validation_not_negative", "must not be negative")
		case !d.Equal(d.Truncate(scale)):
			return validation.NewError("validation_decimal_places", fmt.Sprintf("has more than %d decimal places", scale))
		case d.GreaterThan(max):
			return validation.NewError("validation_too_large", "must be at most "+max.String())
		}
		return nil
	}
}

// distinct is a rule that a slice holds no value twice.
func distinct[T comparable](v any) error {
	seen := map[T]bool{}
	for _, x := range v.([]T) {
		if seen[x] {
			return validation.NewError("validation_duplicate", "lists a value twice")
		}
		seen[x] = true
	}
	return nil
}

// earthRadiusMiles is the mean radius of the Earth.
const earthRadiusMiles = 3958.7613

// distanceMiles is the great-circle distance between two points.
func distanceMiles(a, b GeoPoint) float64 {
	const rad = math.Pi / 180
	dLat, dLng := (b.Lat-a.Lat)*rad, (b.Lng-a.Lng)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusMiles * math.Asin(math.Min(1, math.Sqrt(h)))
}
