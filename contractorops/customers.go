package contractorops

import (
	"context"
	"strings"

	"github.com/invopop/validation"
	"github.com/invopop/validation/is"
)

// Customer is a contractor's customer (off-platform): a homeowner, a
// business or an association.
type Customer struct {
	Meta
	CustomerInput
	Active bool `json:"active"`
}

// ServiceLocation is a place where work is done for a customer: a house, a
// unit in an association, a commercial site.
type ServiceLocation struct {
	Meta
	CustomerID    string  `json:"customerId"`
	Name          string  `json:"name"`
	Address       Address `json:"address"`
	AssociationID string  `json:"associationId,omitempty"`
	PropertyID    string  `json:"propertyId,omitempty"`
	UnitID        string  `json:"unitId,omitempty"`
	AccessNotes   string  `json:"accessNotes,omitempty"`
	Active        bool    `json:"active"`
}

var customersTable = table[Customer]{
	spec: TableSpec{Name: "customers", Keys: []string{"name", "email", "active"}},
	keys: func(c *Customer) map[string]string {
		return keys("name", strings.ToLower(c.Name), "email", strings.ToLower(c.Email), "active", boolKey(c.Active))
	},
}

var serviceLocationsTable = table[ServiceLocation]{
	spec: TableSpec{Name: "service_locations", Keys: []string{"customer_id", "association_id"}},
	keys: func(l *ServiceLocation) map[string]string {
		return keys("customer_id", l.CustomerID, "association_id", l.AssociationID)
	},
}

func boolKey(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// CustomerInput is a customer's editable fields. MembershipPlan is the
// customer's maintenance membership, if any (members get member prices).
type CustomerInput struct {
	Name           string   `json:"name"`
	CompanyName    string   `json:"companyName,omitempty"`
	Email          string   `json:"email,omitempty"`
	Phone          string   `json:"phone,omitempty"`
	AltPhone       string   `json:"altPhone,omitempty"`
	Billing        Address  `json:"billingAddress"`
	Notes          string   `json:"notes,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	Source         string   `json:"source,omitempty"`
	MembershipPlan string   `json:"membershipPlan,omitempty"`
	TaxExempt      bool     `json:"taxExempt,omitempty"`
}

// Validate checks the input.
func (in CustomerInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.CompanyName, validation.Length(0, 200)),
		validation.Field(&in.Email, is.EmailFormat, validation.Length(0, 254)),
		validation.Field(&in.Phone, validation.Length(0, 40)),
		validation.Field(&in.AltPhone, validation.Length(0, 40)),
		validation.Field(&in.Billing),
		validation.Field(&in.Notes, validation.Length(0, 4000)),
		validation.Field(&in.Tags, validation.Length(0, 50), validation.Each(validation.Length(1, 50))),
		validation.Field(&in.Source, validation.Length(0, 100)),
		validation.Field(&in.MembershipPlan, validation.Length(0, 100)),
	)
}

// UpdateCustomerInput changes a customer.
type UpdateCustomerInput struct {
	ID string `json:"id"`
	CustomerInput
	Active *bool `json:"active,omitempty"`
}

// Validate checks the input.
func (in UpdateCustomerInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.ID, validation.Required)); err != nil {
		return err
	}
	return in.CustomerInput.Validate()
}

// IDInput names one entity.
type IDInput struct {
	ID string `json:"id"`
}

// Validate checks the input.
func (in IDInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.ID, validation.Required, validation.Length(1, 100)))
}

// ListCustomersInput lists customers, by name, optionally those whose name
// starts with Search.
type ListCustomersInput struct {
	Search          string `json:"search,omitempty"`
	IncludeInactive bool   `json:"includeInactive,omitempty"`
	PageRequest
}

// Validate checks the input.
func (in ListCustomersInput) Validate() error {
	if err := validation.ValidateStruct(&in, validation.Field(&in.Search, validation.Length(0, 200))); err != nil {
		return err
	}
	return in.PageRequest.Validate()
}

// LocationInput is a service location's editable fields.
type LocationInput struct {
	CustomerID    string  `json:"customerId"`
	Name          string  `json:"name"`
	Address       Address `json:"address"`
	AssociationID string  `json:"associationId,omitempty"`
	PropertyID    string  `json:"propertyId,omitempty"`
	UnitID        string  `json:"unitId,omitempty"`
	AccessNotes   string  `json:"accessNotes,omitempty"`
}

// Validate checks the input.
func (in LocationInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.CustomerID, validation.Required),
		validation.Field(&in.Name, validation.Required, validation.Length(1, 200)),
		validation.Field(&in.Address),
		validation.Field(&in.AccessNotes, validation.Length(0, 2000)),
	)
}

// CustomerIDInput names a customer.
type CustomerIDInput struct {
	CustomerID string `json:"customerId"`
}

// Validate checks the input.
func (in CustomerIDInput) Validate() error {
	return validation.ValidateStruct(&in, validation.Field(&in.CustomerID, validation.Required))
}

// CustomerService manages customers and their service locations.
type CustomerService struct {
	create        proc[CustomerInput, Customer]
	update        proc[UpdateCustomerInput, Customer]
	get           proc[IDInput, Customer]
	list          proc[ListCustomersInput, Page[Customer]]
	addLocation   proc[LocationInput, ServiceLocation]
	listLocations proc[CustomerIDInput, []ServiceLocation]
}

// Create adds a customer.
func (s *CustomerService) Create(ctx context.Context, scope Scope, key string, in CustomerInput) (*Customer, error) {
	return s.create.do(ctx, scope, key, in)
}

// Update changes a customer.
func (s *CustomerService) Update(ctx context.Context, scope Scope, key string, in UpdateCustomerInput) (*Customer, error) {
	return s.update.do(ctx, scope, key, in)
}

// Get reads a customer.
func (s *CustomerService) Get(ctx context.Context, scope Scope, id string) (*Customer, error) {
	return s.get.get(ctx, scope, IDInput{ID: id})
}

// List lists customers by name.
func (s *CustomerService) List(ctx context.Context, scope Scope, in ListCustomersInput) (*Page[Customer], error) {
	return s.list.get(ctx, scope, in)
}

// AddLocation adds a service location to a customer.
func (s *CustomerService) AddLocation(ctx context.Context, scope Scope, key string, in LocationInput) (*ServiceLocation, error) {
	return s.addLocation.do(ctx, scope, key, in)
}

// ListLocations lists a customer's service locations.
func (s *CustomerService) ListLocations(ctx context.Context, scope Scope, customerID string) ([]ServiceLocation, error) {
	out, err := s.listLocations.get(ctx, scope, CustomerIDInput{CustomerID: customerID})
	if err != nil {
		return nil, err
	}
	return *out, nil
}

func (e *Engine) registerCustomers() {
	e.Customers = &CustomerService{
		create: mutation(e, "customer/v1/create", "Add a customer.", rolesOffice(),
			func(c *call, in *CustomerInput) (*Customer, error) {
				return inTx(c, "create", func(t *txn) (*Customer, error) {
					cu := &Customer{Meta: Meta{ID: c.e.newID()}, CustomerInput: *in, Active: true}
					return cu, insert(t, customersTable, cu)
				})
			}),
		update: mutation(e, "customer/v1/update", "Change a customer.", rolesOffice(),
			func(c *call, in *UpdateCustomerInput) (*Customer, error) {
				return inTx(c, "update", func(t *txn) (*Customer, error) {
					cu, err := load(t, customersTable, in.ID)
					if err != nil {
						return nil, err
					}
					cu.CustomerInput = in.CustomerInput
					if in.Active != nil {
						cu.Active = *in.Active
					}
					return cu, update(t, customersTable, cu)
				})
			}),
		get: query(e, "customer/v1/get", "Read a customer.", rolesReaders(),
			func(c *call, in *IDInput) (*Customer, error) {
				return inTx(c, "get", func(t *txn) (*Customer, error) { return load(t, customersTable, in.ID) })
			}),
		list: query(e, "customer/v1/list", "List customers by name.", rolesReaders(),
			func(c *call, in *ListCustomersInput) (*Page[Customer], error) {
				return inTx(c, "list", func(t *txn) (*Page[Customer], error) {
					q := Query{OrderBy: "name"}
					if s := strings.ToLower(in.Search); s != "" {
						q.Where = append(q.Where, Gte("name", s), Lt("name", s+"\U0010FFFF"))
					}
					if !in.IncludeInactive {
						q.Where = append(q.Where, Eq("active", "true"))
					}
					q = in.PageRequest.apply(q)
					items, err := find(t, customersTable, q)
					if err != nil {
						return nil, err
					}
					return pageOf(in.PageRequest, q, items, func(c *Customer) string { return strings.ToLower(c.Name) }), nil
				})
			}),
		addLocation: mutation(e, "customer/v1/addLocation", "Add a service location to a customer.", rolesOffice(),
			func(c *call, in *LocationInput) (*ServiceLocation, error) {
				return inTx(c, "add-location", func(t *txn) (*ServiceLocation, error) {
					if _, err := load(t, customersTable, in.CustomerID); err != nil {
						return nil, err
					}
					l := &ServiceLocation{
						Meta: Meta{ID: c.e.newID()}, CustomerID: in.CustomerID, Name: in.Name, Address: in.Address,
						AssociationID: in.AssociationID, PropertyID: in.PropertyID, UnitID: in.UnitID,
						AccessNotes: in.AccessNotes, Active: true,
					}
					return l, insert(t, serviceLocationsTable, l)
				})
			}),
		listLocations: query(e, "customer/v1/listLocations", "List a customer's service locations.", rolesReaders(),
			func(c *call, in *CustomerIDInput) (*[]ServiceLocation, error) {
				return inTx(c, "list-locations", func(t *txn) (*[]ServiceLocation, error) {
					ls, err := find(t, serviceLocationsTable, Query{Where: []Cond{Eq("customer_id", in.CustomerID)}})
					if err != nil {
						return nil, err
					}
					out := make([]ServiceLocation, len(ls))
					for i, l := range ls {
						out[i] = *l
					}
					return &out, nil
				})
			}),
	}
}
