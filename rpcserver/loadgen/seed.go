package loadgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/pricing"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// SeedConfig sizes the organization [Seed] populates. A nil *SeedConfig is
// the zero value; zero fields take the documented defaults.
type SeedConfig struct {
	// Technicians is how many technicians to create (default 8). Each has
	// every trade of the fixture and is available around the clock.
	Technicians int
	// Customers is how many customers to create (default 20), each with
	// one service location.
	Customers int
	// Seed makes names, places and idempotency keys deterministic: seeding
	// again with the same Seed creates nothing new.
	Seed int64
}

func (c *SeedConfig) withDefaults() SeedConfig {
	var out SeedConfig
	if c != nil {
		out = *c
	}
	if out.Technicians <= 0 {
		out.Technicians = 8
	}
	if out.Customers <= 0 {
		out.Customers = 20
	}
	return out
}

// Trade is a trade of the fixture with the pricebook template that
// estimates its jobs.
type Trade struct {
	Trade      contractorops.TradeType `json:"trade"`
	TemplateID string                  `json:"templateId"`
}

// Customer is a customer of the fixture and its service location.
type Customer struct {
	ID         string  `json:"id"`
	LocationID string  `json:"locationId"`
	Lat        float64 `json:"lat"`
	Lng        float64 `json:"lng"`
}

// Fixture is what [Seed] created: the ids a load run refers to.
type Fixture struct {
	OrganizationID string     `json:"organizationId"`
	PricebookID    string     `json:"pricebookId"`
	Trades         []Trade    `json:"trades"`
	Technicians    []string   `json:"technicians"`
	Customers      []Customer `json:"customers"`
}

// fixedStart and fixedEnd bound the seeded documents (licenses, insurance,
// the pricebook version) so that seeding again sends the same bodies.
var (
	fixedStart = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	fixedEnd   = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Seed populates the organization of c's API key through the API only: a
// license per trade and general liability insurance (so that scheduling
// passes the compliance checks), a pricebook with items and a template per
// trade, published and active, technicians with skills and round-the-clock
// availability, and customers with a service location each. Every
// mutation's idempotency key derives from cfg.Seed, so seeding again with
// the same configuration creates nothing new and returns the same fixture.
func Seed(ctx context.Context, c *client.Client, cfg *SeedConfig) (*Fixture, error) {
	conf := cfg.withDefaults()
	s := seeder{ctx: ctx, c: c, prefix: fmt.Sprintf("loadgen-seed/%d/", conf.Seed)}
	rng := rand.New(rand.NewPCG(uint64(conf.Seed), 0x5eed))

	org, err := client.Call[contractorops.GetOrganizationInput, contractorops.Organization](ctx, c, "organization/v1/get", "", contractorops.GetOrganizationInput{})
	if err != nil {
		return nil, fmt.Errorf("loadgen: seed: %w", err)
	}
	f := &Fixture{OrganizationID: org.ID, Trades: []Trade{
		{Trade: contractorops.TradePlumbing, TemplateID: "lg-leak"},
		{Trade: contractorops.TradeHVAC, TemplateID: "lg-tuneup"},
	}}

	// Compliance: a license per trade and liability insurance in force.
	for i, t := range f.Trades {
		s.do("contractor/v1/addLicense", fmt.Sprintf("license/%d", i), contractorops.LicenseInput{
			Type: "Master " + string(t.Trade), Number: fmt.Sprintf("LG-%d-%d", conf.Seed, i), IssuingAuthority: "State Board",
			Trade: t.Trade, Status: contractorops.LicenseActive, IssuedAt: fixedStart, ExpiresAt: fixedEnd}, nil)
	}
	s.do("contractor/v1/addInsurance", "insurance", contractorops.InsuranceInput{
		Type: contractorops.InsuranceGeneralLiability, Carrier: "Travelers", PolicyNumber: fmt.Sprintf("GL-%d", conf.Seed),
		CoverageAmount: decimal.RequireFromString("1000000"), EffectiveAt: fixedStart, ExpiresAt: fixedEnd, Status: contractorops.InsuranceActive}, nil)

	// The pricebook.
	var pb contractorops.Pricebook
	s.do("pricebook/v1/create", "pricebook", contractorops.CreatePricebookInput{Name: fmt.Sprintf("Load %d", conf.Seed), Default: true}, &pb)
	var v contractorops.PricebookVersion
	usd := func(s string) pricing.Money { return pricing.MustMoney(s, "USD") }
	s.do("pricebook/v1/createVersion", "version", contractorops.CreateVersionInput{
		PricebookID: pb.ID, EffectiveFrom: fixedStart,
		Items: []pricing.Item{
			{ID: "lg-repair", Code: "LEAK", Name: "Leak repair", Type: pricing.ItemService, Price: usd("240.00"), Cost: usd("90.00")},
			{ID: "lg-valve", Code: "VALVE", Name: "Shut-off valve", Type: pricing.ItemMaterial, Price: usd("35.00"), Cost: usd("12.00")},
			{ID: "lg-tune", Code: "TUNE", Name: "Furnace tune-up", Type: pricing.ItemService, Price: usd("149.00"), Cost: usd("50.00")},
			{ID: "lg-filter", Code: "FILTER", Name: "Air filter", Type: pricing.ItemMaterial, Price: usd("24.50"), Cost: usd("8.00")},
		},
		Templates: []pricing.JobTemplate{
			{ID: "lg-leak", Name: "Repair a leak", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "lg-repair"}, {ItemID: "lg-valve"}}},
			{ID: "lg-tuneup", Name: "Tune a furnace", Trade: "HVAC", Lines: []pricing.TemplateLine{{ItemID: "lg-tune"}, {ItemID: "lg-filter"}}},
		},
	}, &v)
	s.do("pricebook/v1/publishVersion", "publish", contractorops.VersionIDInput{VersionID: v.ID}, nil)
	s.do("pricebook/v1/activateVersion", "activate", contractorops.VersionIDInput{VersionID: v.ID}, nil)
	f.PricebookID = pb.ID

	// Technicians on call around the clock, with every trade.
	allDay := []contractorops.ClockSpan{{Start: "00:00", End: "12:00"}, {Start: "12:00", End: "00:00"}}
	week := contractorops.WeeklyHours{Monday: allDay, Tuesday: allDay, Wednesday: allDay, Thursday: allDay, Friday: allDay, Saturday: allDay, Sunday: allDay}
	for i := range conf.Technicians {
		lat, lng := 41.80+rng.Float64()*0.2, -87.75+rng.Float64()*0.2
		var tech contractorops.Technician
		s.do("technician/v1/create", fmt.Sprintf("tech/%d", i), contractorops.TechnicianInput{
			FirstName: firstNames[rng.IntN(len(firstNames))], LastName: fmt.Sprintf("Tech%d", i),
			Home: contractorops.Address{City: "Chicago", Lat: &lat, Lng: &lng}}, &tech)
		ref := contractorops.TechnicianRef{TechnicianID: tech.ID}
		for j, t := range f.Trades {
			s.do("technician/v1/upsertSkill", fmt.Sprintf("tech/%d/skill/%d", i, j), contractorops.SkillInput{TechnicianRef: ref,
				Skill: contractorops.Skill{Trade: t.Trade, Level: 3 + rng.IntN(3)}}, nil)
		}
		s.do("technician/v1/setAvailability", fmt.Sprintf("tech/%d/availability", i), contractorops.AvailabilityInput{TechnicianRef: ref, Availability: week}, nil)
		f.Technicians = append(f.Technicians, tech.ID)
	}

	// Customers, each with a home.
	for i := range conf.Customers {
		name := fmt.Sprintf("%s Customer%d", firstNames[rng.IntN(len(firstNames))], i)
		lat, lng := 41.80+rng.Float64()*0.2, -87.75+rng.Float64()*0.2
		addr := contractorops.Address{Line1: fmt.Sprintf("%d W Lake St", 100+rng.IntN(4000)), City: "Chicago", State: "IL", Lat: &lat, Lng: &lng}
		var cu contractorops.Customer
		s.do("customer/v1/create", fmt.Sprintf("customer/%d", i), contractorops.CustomerInput{Name: name, Billing: addr}, &cu)
		var loc contractorops.ServiceLocation
		s.do("customer/v1/addLocation", fmt.Sprintf("customer/%d/location", i), contractorops.LocationInput{CustomerID: cu.ID, Name: "Home", Address: addr}, &loc)
		f.Customers = append(f.Customers, Customer{ID: cu.ID, LocationID: loc.ID, Lat: lat, Lng: lng})
	}
	if s.err != nil {
		return nil, s.err
	}
	return f, nil
}

var firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Niklaus", "Margaret", "John"}

// seeder runs the seeding mutations until the first error.
type seeder struct {
	ctx    context.Context
	c      *client.Client
	prefix string
	err    error
}

func (s *seeder) do(proc, key string, in, out any) {
	if s.err != nil {
		return
	}
	if _, err := s.c.Do(s.ctx, proc, s.prefix+key, in, out); err != nil {
		s.err = fmt.Errorf("loadgen: seed: %s (%s): %w", proc, key, err)
	}
}
