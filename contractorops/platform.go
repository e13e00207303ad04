package contractorops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/invopop/validation"
	"github.com/invopop/validation/is"
)

// OrganizationType is the kind of organization; contractor features need a
// SERVICE_PROVIDER or an EXTERNAL_SERVICE_PROVIDER.
type OrganizationType string

// The organization types.
const (
	OrgServiceProvider         OrganizationType = "SERVICE_PROVIDER"
	OrgExternalServiceProvider OrganizationType = "EXTERNAL_SERVICE_PROVIDER"
	OrgCommunityAssociation    OrganizationType = "COMMUNITY_ASSOCIATION"
	OrgManagementCompany       OrganizationType = "MANAGEMENT_COMPANY"
)

// Organization is a tenant: a contractor or an association. Its id is the
// organization id every row of the tenant carries.
type Organization struct {
	Meta
	Name     string           `json:"name"`
	Type     OrganizationType `json:"type"`
	TimeZone string           `json:"timeZone"`
	Currency string           `json:"currency"`
	Profile  Profile          `json:"profile"`
}

// Profile is a contractor's legal identity and contact.
type Profile struct {
	LegalName      string  `json:"legalName,omitempty"`
	DBA            string  `json:"dba,omitempty"`
	TaxID          string  `json:"taxId,omitempty"`
	ContactName    string  `json:"contactName,omitempty"`
	ContactEmail   string  `json:"contactEmail,omitempty"`
	ContactPhone   string  `json:"contactPhone,omitempty"`
	Address        Address `json:"address"`
	W9OnFile       bool    `json:"w9OnFile"`
	ServiceRadiusM int     `json:"serviceRadiusMiles,omitempty"`
}

// Address is a postal address with an optional position.
type Address struct {
	Line1      string   `json:"line1,omitempty"`
	Line2      string   `json:"line2,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
	Lat        *float64 `json:"lat,omitempty"`
	Lng        *float64 `json:"lng,omitempty"`
}

// Validate checks an address.
func (a Address) Validate() error {
	return validation.ValidateStruct(&a,
		validation.Field(&a.Line1, validation.Length(0, 200)),
		validation.Field(&a.Line2, validation.Length(0, 200)),
		validation.Field(&a.City, validation.Length(0, 100)),
		validation.Field(&a.State, validation.Length(0, 50)),
		validation.Field(&a.PostalCode, validation.Length(0, 20)),
		validation.Field(&a.Country, validation.Length(0, 2)),
		validation.Field(&a.Lat, validation.Min(-90.0), validation.Max(90.0)),
		validation.Field(&a.Lng, validation.Min(-180.0), validation.Max(180.0)),
	)
}

// Tenant is the platform's record of an organization (in the platform
// organization), so that platform work can iterate tenants.
type Tenant struct {
	Meta
	Name string           `json:"name"`
	Type OrganizationType `json:"type"`
}

var organizationsTable = table[Organization]{
	spec: TableSpec{Name: "organizations", Keys: []string{"type"}},
	keys: func(o *Organization) map[string]string { return keys("type", string(o.Type)) },
}

var tenantsTable = table[Tenant]{
	spec: TableSpec{Name: "tenants", Keys: []string{"type", "name"}},
	keys: func(t *Tenant) map[string]string { return keys("type", string(t.Type), "name", t.Name) },
}

// CreateOrganizationInput creates a tenant.
type CreateOrganizationInput struct {
	Name     string           `json:"name"`
	Type     OrganizationType `json:"type"`
	TimeZone string           `json:"timeZone"`
	Currency string           `json:"currency"`
	Profile  Profile          `json:"profile"`
}

// Validate checks the input.
func (in CreateOrganizationInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Type, validation.Required, validation.In(OrgServiceProvider, OrgExternalServiceProvider, OrgCommunityAssociation, OrgManagementCompany)),
		validation.Field(&in.TimeZone, validation.By(validTimeZone)),
		validation.Field(&in.Currency, validation.Match(currencyPattern)),
		validation.Field(&in.Profile),
	)
}

// Validate checks a profile.
func (p Profile) Validate() error {
	return validation.ValidateStruct(&p,
		validation.Field(&p.LegalName, validation.Length(0, 200)),
		validation.Field(&p.ContactEmail, is.EmailFormat),
		validation.Field(&p.ContactPhone, validation.Length(0, 40)),
		validation.Field(&p.Address),
		validation.Field(&p.ServiceRadiusM, validation.Min(0), validation.Max(1000)),
	)
}

// GetOrganizationInput reads the caller's organization.
type GetOrganizationInput struct{}

// Validate checks the input.
func (GetOrganizationInput) Validate() error { return nil }

// UpdateProfileInput replaces the organization's profile and settings.
type UpdateProfileInput struct {
	Name     string  `json:"name"`
	TimeZone string  `json:"timeZone"`
	Profile  Profile `json:"profile"`
}

// Validate checks the input.
func (in UpdateProfileInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.TimeZone, validation.By(validTimeZone)),
		validation.Field(&in.Profile),
	)
}

// OrganizationService manages tenants and their profiles.
type OrganizationService struct {
	create        proc[CreateOrganizationInput, Organization]
	get           proc[GetOrganizationInput, Organization]
	updateProfile proc[UpdateProfileInput, Organization]
}

// Create creates an organization. It is a platform operation: the scope is a
// system actor of [PlatformOrganization]. The new organization's id derives
// from the idempotency key, so a retried call creates nothing new.
func (s *OrganizationService) Create(ctx context.Context, scope Scope, key string, in CreateOrganizationInput) (*Organization, error) {
	return s.create.do(ctx, scope, key, in)
}

// Get returns the scope's organization.
func (s *OrganizationService) Get(ctx context.Context, scope Scope) (*Organization, error) {
	return s.get.get(ctx, scope, GetOrganizationInput{})
}

// UpdateProfile replaces the organization's name, time zone and profile.
func (s *OrganizationService) UpdateProfile(ctx context.Context, scope Scope, key string, in UpdateProfileInput) (*Organization, error) {
	return s.updateProfile.do(ctx, scope, key, in)
}

func (e *Engine) registerPlatform() {
	e.Organizations = &OrganizationService{
		create: mutation(e, "organization/v1/create", "Create an organization (platform operation).",
			[]Role{RoleOwner}, e.createOrganization),
		get: query(e, "organization/v1/get", "Read the caller's organization.",
			rolesReaders(), func(c *call, _ *GetOrganizationInput) (*Organization, error) {
				return inTx(c, "get", func(t *txn) (*Organization, error) { return load(t, organizationsTable, c.scope.OrganizationID) })
			}),
		updateProfile: mutation(e, "organization/v1/updateProfile", "Update the organization's name, time zone and profile.",
			rolesAdmin(), func(c *call, in *UpdateProfileInput) (*Organization, error) {
				return inTx(c, "update", func(t *txn) (*Organization, error) {
					o, err := load(t, organizationsTable, c.scope.OrganizationID)
					if err != nil {
						return nil, err
					}
					o.Name, o.Profile = in.Name, in.Profile
					if in.TimeZone != "" {
						o.TimeZone = in.TimeZone
					}
					if err := update(t, organizationsTable, o); err != nil {
						return nil, err
					}
					// The W-9 counts in the compliance score.
					if o.Type == OrgServiceProvider || o.Type == OrgExternalServiceProvider {
						if _, err := saveCompliance(t, nil); err != nil {
							return nil, err
						}
					}
					return o, nil
				})
			}),
	}
}

func (e *Engine) createOrganization(c *call, in *CreateOrganizationInput) (*Organization, error) {
	if c.scope.OrganizationID != PlatformOrganization || c.scope.Actor.Kind != ActorSystem {
		return nil, NewError(CodeForbidden, "creating an organization is a platform operation")
	}
	id := derivedID(c.inv.WorkflowID, "organization")
	org := &Organization{
		Meta: Meta{ID: id}, Name: in.Name, Type: in.Type,
		TimeZone: or(in.TimeZone, "America/New_York"), Currency: or(in.Currency, "USD"), Profile: in.Profile,
	}
	if _, err := inTx(c, "register-tenant", func(t *txn) (bool, error) {
		return true, insert(t, tenantsTable, &Tenant{Meta: Meta{ID: id}, Name: in.Name, Type: in.Type})
	}); err != nil {
		return nil, err
	}
	return inTxFor(c, id, "create-organization", func(t *txn) (*Organization, error) {
		return org, insert(t, organizationsTable, org)
	})
}

// derivedID returns a UUID derived from a workflow id and a purpose: the same
// on every replay of the workflow, different for every workflow.
func derivedID(workflowID, purpose string) string {
	sum := sha256.Sum256([]byte(workflowID + "\x00" + purpose))
	sum[6] = 0x80 | sum[6]&0x0f // version 8: custom
	sum[8] = 0x80 | sum[8]&0x3f
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

func validTimeZone(v any) error {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	if _, err := time.LoadLocation(s); err != nil {
		return validation.NewError("validation_time_zone", "must be an IANA time zone such as America/New_York")
	}
	return nil
}
