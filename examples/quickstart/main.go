package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/dispatch"
	"github.com/hestami-ai/opsengine/inventory"
	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// day is the engine and what the quickstart set up, so the steps read as a
// story.
type day struct {
	eng   *contractorops.Engine
	clock *clock
	w     io.Writer

	office, manager contractorops.Scope
	org             *contractorops.Organization
	techs           []*contractorops.Technician
	trucks          map[string]*contractorops.StockLocation // by technician
	warehouse       *contractorops.StockLocation
	items           map[string]*contractorops.StockItem // by SKU
	customers       []*contractorops.Customer
	locations       []*contractorops.ServiceLocation
	estimates       map[string]*contractorops.Estimate // by job
	jobs            []*contractorops.Job
	seq             int

	completed, partLines int // the day's tally
}

// clock is the day's time, which the story moves forward.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// The day: Wednesday 25 November 2026 in Richmond, Virginia.
var newYork = mustLocation("America/New_York")

func at(hh, mm int) time.Time { return time.Date(2026, 11, 25, hh, mm, 0, 0, newYork) }

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// key returns a new idempotency key for the story's next command.
func (d *day) key(what string) string {
	d.seq++
	return fmt.Sprintf("qs-%04d-%s", d.seq, what)
}

func run(ctx context.Context, w io.Writer) error {
	started := time.Now()
	clk := &clock{now: at(6, 30)}
	eng, err := contractorops.New(memstore.New(), &contractorops.Config{Clock: clk.Now})
	if err != nil {
		return err
	}
	defer eng.Close(ctx)
	d := &day{eng: eng, clock: clk, w: w, trucks: map[string]*contractorops.StockLocation{}, items: map[string]*contractorops.StockItem{},
		estimates: map[string]*contractorops.Estimate{}}
	fmt.Fprintln(w, "Hestami Ops Engine — one contractor's day, embedded and in memory")
	fmt.Fprintln(w, strings.Repeat("=", 72))
	for _, step := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"organization", d.organization},
		{"pricebook", d.pricebook},
		{"technicians and trucks", d.crew},
		{"calls", d.calls},
		{"dispatch", d.dispatch},
		{"the day", d.theDay},
		{"billing", d.billing},
		{"replenishment", d.replenish},
		{"maintenance", d.maintenance},
		{"summary", d.summary},
	} {
		if err := step.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", step.name, err)
		}
	}
	fmt.Fprintf(w, "\nDone in %.1f s.\n", time.Since(started).Seconds())
	return nil
}

func (d *day) organization(ctx context.Context) error {
	org, err := d.eng.Organizations.Create(ctx, contractorops.PlatformScope("quickstart"), "org-acme", contractorops.CreateOrganizationInput{
		Name: "Acme Heating & Plumbing", Type: contractorops.OrgServiceProvider, TimeZone: "America/New_York",
		Profile: contractorops.Profile{LegalName: "Acme Heating & Plumbing LLC", W9OnFile: true,
			Address: contractorops.Address{Line1: "400 E Main St", City: "Richmond", State: "VA", PostalCode: "23219"}},
	})
	if err != nil {
		return err
	}
	d.org = org
	d.office = contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "dana"}, Role: contractorops.RoleDispatcher}
	d.manager = contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "mo"}, Role: contractorops.RoleOwner}
	for _, l := range []contractorops.LicenseInput{
		{Type: "Class A Contractor", Number: "2705-001234", IssuingAuthority: "Virginia DPOR", IssuingState: "VA", Trade: contractorops.TradeHVAC, Status: contractorops.LicenseActive},
		{Type: "Master Plumber", Number: "2710-005678", IssuingAuthority: "Virginia DPOR", IssuingState: "VA", Trade: contractorops.TradePlumbing, Status: contractorops.LicenseActive},
	} {
		if _, err := d.eng.Contractor.AddLicense(ctx, d.manager, d.key("license"), l); err != nil {
			return err
		}
	}
	if _, err := d.eng.Contractor.AddInsurance(ctx, d.manager, d.key("insurance"), contractorops.InsuranceInput{
		Type: contractorops.InsuranceGeneralLiability, Carrier: "Travelers", PolicyNumber: "GL-2026-88", CoverageAmount: decimal.RequireFromString("2000000"),
		EffectiveAt: time.Date(2026, 1, 1, 0, 0, 0, 0, newYork), ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, newYork), Status: contractorops.InsuranceActive,
	}); err != nil {
		return err
	}
	st, err := d.eng.Contractor.GetCompliance(ctx, d.office, contractorops.ComplianceAtInput{})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.w, "\n%s (%s): compliance score %d, compliant %v\n", org.Name, org.TimeZone, st.Score, st.Compliant)
	_, err = d.eng.Billing.UpdateSettings(ctx, d.manager, d.key("billing"), contractorops.UpdateBillingSettingsInput{
		TaxZones: []contractorops.TaxZone{{TaxZone: pricing.TaxZone{ID: "rva", Name: "Richmond, VA", Rates: []pricing.TaxRate{
			{ID: "va", Name: "Virginia", Jurisdiction: "STATE", Rate: pricing.MustPercent("5.3"), Classes: []pricing.TaxClass{pricing.TaxMaterial, pricing.TaxEquipment}},
			{ID: "rva", Name: "Richmond", Jurisdiction: "CITY", Rate: pricing.MustPercent("0.7"), Classes: []pricing.TaxClass{pricing.TaxMaterial, pricing.TaxEquipment}},
		}}, PostalCodes: []string{"23219", "23220", "23221", "23222", "23223", "23224", "23225", "23226", "23227"}}},
		Deposit: pricing.PercentOff(pricing.MustPercent("25")),
		Terms:   pricing.Net(15),
	})
	return err
}

func usd(s string) pricing.Money { return pricing.MustMoney(s, "USD") }

func pct(s string) *pricing.Percent { p := pricing.MustPercent(s); return &p }

func (d *day) pricebook(ctx context.Context) error {
	pb, err := d.eng.Pricebooks.Create(ctx, d.manager, d.key("pricebook"), contractorops.CreatePricebookInput{Name: "Residential 2026"})
	if err != nil {
		return err
	}
	v, err := d.eng.Pricebooks.CreateVersion(ctx, d.manager, d.key("version"), contractorops.CreateVersionInput{
		PricebookID: pb.ID, EffectiveFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, newYork),
		Items: []pricing.Item{
			{ID: "diag", Code: "DIAG", Name: "Diagnostic visit", Type: pricing.ItemService, Price: usd("89.00"), MemberPrice: usd("0.00"), Cost: usd("35.00")},
			{ID: "tuneup", Code: "TUNE", Name: "Furnace tune-up", Type: pricing.ItemService, Trade: "HVAC", Price: usd("149.00"), MemberPrice: usd("119.00"), Cost: usd("55.00")},
			{ID: "cap-swap", Code: "CAPR", Name: "Replace run capacitor", Type: pricing.ItemService, Trade: "HVAC", Price: usd("185.00"), Cost: usd("40.00")},
			{ID: "igniter", Code: "IGN", Name: "Replace hot-surface igniter", Type: pricing.ItemService, Trade: "HVAC", Price: usd("265.00"), Cost: usd("60.00")},
			{ID: "leak", Code: "LEAK", Name: "Repair a supply leak", Type: pricing.ItemService, Trade: "PLUMBING", Price: usd("240.00"), Cost: usd("70.00")},
			{ID: "wh-50", Code: "WH50", Name: "50 gal water heater", Type: pricing.ItemEquipment, Price: usd("1350.00"), Cost: usd("760.00")},
			{ID: "wh-install", Code: "WHI", Name: "Water heater installation", Type: pricing.ItemService, Trade: "PLUMBING", Price: usd("650.00"), Cost: usd("260.00")},
			{ID: "capacitor", Code: "CAP", Name: "Run capacitor 45/5", Type: pricing.ItemMaterial, Price: usd("38.00"), Cost: usd("11.00")},
			{ID: "valve", Code: "VLV", Name: "Quarter-turn shut-off valve", Type: pricing.ItemMaterial, Price: usd("32.00"), Cost: usd("9.50")},
			{ID: "filter", Code: "FLT", Name: "Pleated filter 16x25", Type: pricing.ItemMaterial, Price: usd("24.00"), Cost: usd("6.00")},
			{ID: "labor", Code: "LAB", Name: "Labor", Type: pricing.ItemLabor, Unit: "HOUR", Cost: usd("42.00"),
				Rates: []pricing.LaborRate{{After: pricing.MustQuantity("0"), Rate: usd("135.00")}}},
		},
		Rules: []pricing.Rule{
			{ID: "oakwood", Name: "Oakwood HOA", Type: pricing.RuleHOA, AssociationID: "oakwood", Priority: 10, Percent: pct("-5")},
			{ID: "emergency", Name: "Emergency call-out", Type: pricing.RuleEmergency, ItemTypes: []pricing.ItemType{pricing.ItemService}, Priority: 30, Percent: pct("25")},
		},
		Templates: []pricing.JobTemplate{
			{ID: "t-tune", Name: "Tune-up", Trade: "HVAC", Lines: []pricing.TemplateLine{{ItemID: "tuneup"}, {ItemID: "filter"}}},
			{ID: "t-cap", Name: "Capacitor repair", Trade: "HVAC", Lines: []pricing.TemplateLine{{ItemID: "diag"}, {ItemID: "cap-swap"}, {ItemID: "capacitor"}}},
			{ID: "t-leak", Name: "Leak repair", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "leak"}, {ItemID: "valve"}}},
			{ID: "t-wh", Name: "Water heater replacement", Trade: "PLUMBING", Lines: []pricing.TemplateLine{{ItemID: "wh-50"}, {ItemID: "wh-install"}}},
		},
	})
	if err != nil {
		return err
	}
	if _, err := d.eng.Pricebooks.Publish(ctx, d.manager, d.key("publish"), v.ID); err != nil {
		return err
	}
	_, err = d.eng.Pricebooks.Activate(ctx, d.manager, d.key("activate"), v.ID)
	fmt.Fprintf(d.w, "Pricebook %q: %d items, 2 price rules, 4 job templates, published and active\n", pb.Name, 11)
	return err
}

// crewMembers are the technicians: name, trades and level, home.
var crewMembers = []struct {
	first, last string
	trades      []contractorops.TradeType
	level       int
	cert        string
	lat, lng    float64
}{
	{"Maria", "Lopez", []contractorops.TradeType{contractorops.TradeHVAC}, 5, "EPA 608", 37.566, -77.470},
	{"Sam", "Okafor", []contractorops.TradeType{contractorops.TradeHVAC}, 3, "EPA 608", 37.540, -77.430},
	{"Priya", "Shah", []contractorops.TradeType{contractorops.TradeHVAC, contractorops.TradePlumbing}, 4, "EPA 608", 37.510, -77.480},
	{"Dan", "Miller", []contractorops.TradeType{contractorops.TradePlumbing}, 5, "", 37.590, -77.500},
	{"Lee", "Chen", []contractorops.TradeType{contractorops.TradePlumbing}, 3, "", 37.520, -77.400},
	{"Ana", "Reyes", []contractorops.TradeType{contractorops.TradeHVAC}, 2, "", 37.580, -77.420},
	{"Tom", "Baker", []contractorops.TradeType{contractorops.TradePlumbing, contractorops.TradeHVAC}, 3, "EPA 608", 37.550, -77.520},
	{"Kim", "Park", []contractorops.TradeType{contractorops.TradeHVAC}, 4, "EPA 608", 37.500, -77.450},
}

// stockedItems are the parts the trucks carry: SKU, name, cost, pricebook item.
var stockedItems = []struct{ sku, name, cost, pb string }{
	{"CAP-45-5", "Run capacitor 45/5 µF", "11.00", "capacitor"},
	{"VLV-QT", "Quarter-turn shut-off valve", "9.50", "valve"},
	{"FLT-1625", "Pleated filter 16x25", "6.00", "filter"},
}

func (d *day) crew(ctx context.Context) error {
	m := d.manager
	sup, err := d.eng.Inventory.CreateSupplier(ctx, m, d.key("supplier"), contractorops.SupplierInput{Code: "FERG", Name: "Ferguson HVAC Supply",
		LeadTime: inventory.LeadTime{Days: decimal.NewFromInt(2)}})
	if err != nil {
		return err
	}
	if d.warehouse, err = d.eng.Inventory.CreateLocation(ctx, m, d.key("warehouse"), contractorops.StockLocationInput{Code: "WH-RVA", Name: "Richmond warehouse", Type: inventory.Warehouse}); err != nil {
		return err
	}
	for _, it := range stockedItems {
		item, err := d.eng.Inventory.CreateItem(ctx, m, d.key("item"), contractorops.StockItemInput{SKU: it.sku, Name: it.name,
			UnitCost: decimal.RequireFromString(it.cost), PricebookItemID: it.pb, PreferredSupplierID: sup.ID})
		if err != nil {
			return err
		}
		d.items[it.sku] = item
	}
	var supplied []inventory.SupplierItem
	for _, it := range d.items {
		supplied = append(supplied, inventory.SupplierItem{ItemID: it.ID, UnitCost: it.UnitCost, PackSize: decimal.NewFromInt(10)})
	}
	sort.Slice(supplied, func(i, j int) bool { return supplied[i].ItemID < supplied[j].ItemID })
	if _, err := d.eng.Inventory.UpdateSupplier(ctx, m, d.key("supplier-items"), contractorops.UpdateSupplierInput{ID: sup.ID,
		SupplierInput: contractorops.SupplierInput{Code: "FERG", Name: "Ferguson HVAC Supply", LeadTime: inventory.LeadTime{Days: decimal.NewFromInt(2)}, Items: supplied}}); err != nil {
		return err
	}
	var lines []contractorops.StockLine
	for _, sku := range []string{"CAP-45-5", "VLV-QT", "FLT-1625"} {
		lines = append(lines, contractorops.StockLine{ItemID: d.items[sku].ID, Quantity: decimal.NewFromInt(30)})
	}
	if _, err := d.eng.Inventory.Receive(ctx, m, d.key("opening"), contractorops.ReceiveStockInput{StockMoveInput: contractorops.StockMoveInput{
		LocationID: d.warehouse.ID, Lines: lines, Reference: "opening balance"}}); err != nil {
		return err
	}
	for _, sku := range []string{"CAP-45-5", "VLV-QT", "FLT-1625"} {
		if _, err := d.eng.Inventory.SetPolicy(ctx, m, d.key("policy"), contractorops.SetPolicyInput{Policy: inventory.Policy{
			ItemID: d.items[sku].ID, LocationID: d.warehouse.ID, Kind: inventory.PolicyMinMax, Min: decimal.NewFromInt(20), Max: decimal.NewFromInt(40)}}); err != nil {
			return err
		}
	}

	week := contractorops.WeeklyHours{}
	shift := []contractorops.ClockSpan{{Start: "07:30", End: "17:00"}}
	week.Monday, week.Tuesday, week.Wednesday, week.Thursday, week.Friday = shift, shift, shift, shift, shift
	for i, c := range crewMembers {
		lat, lng := c.lat, c.lng
		tech, err := d.eng.Technicians.Create(ctx, m, d.key("tech"), contractorops.TechnicianInput{FirstName: c.first, LastName: c.last,
			EmployeeID: fmt.Sprintf("E%03d", i+1), Home: contractorops.Address{City: "Richmond", State: "VA", Lat: &lat, Lng: &lng},
			HourlyCost: decimal.RequireFromString("42.00"), MaxJobsPerDay: 8})
		if err != nil {
			return err
		}
		ref := contractorops.TechnicianRef{TechnicianID: tech.ID}
		for _, trade := range c.trades {
			if _, err := d.eng.Technicians.UpsertSkill(ctx, m, d.key("skill"), contractorops.SkillInput{TechnicianRef: ref, Skill: contractorops.Skill{Trade: trade, Level: c.level}}); err != nil {
				return err
			}
		}
		if c.cert != "" {
			if _, err := d.eng.Technicians.UpsertCertification(ctx, m, d.key("cert"), contractorops.CertificationInput{TechnicianRef: ref,
				Certification: contractorops.Certification{Name: c.cert, Authority: "EPA", Number: fmt.Sprintf("608-%d", 1000+i)}}); err != nil {
				return err
			}
		}
		if _, err := d.eng.Technicians.SetAvailability(ctx, m, d.key("week"), contractorops.AvailabilityInput{TechnicianRef: ref, Availability: week}); err != nil {
			return err
		}
		truck, err := d.eng.Inventory.CreateLocation(ctx, m, d.key("truck"), contractorops.StockLocationInput{Code: fmt.Sprintf("TRUCK-%d", i+1),
			Name: c.first + "'s van", Type: inventory.Truck, TechnicianID: tech.ID, ReplenishFromID: d.warehouse.ID})
		if err != nil {
			return err
		}
		var load []contractorops.StockLine
		for _, sku := range []string{"CAP-45-5", "VLV-QT", "FLT-1625"} {
			load = append(load, contractorops.StockLine{ItemID: d.items[sku].ID, Quantity: decimal.NewFromInt(3)})
			if _, err := d.eng.Inventory.SetPolicy(ctx, m, d.key("truck-policy"), contractorops.SetPolicyInput{Policy: inventory.Policy{
				ItemID: d.items[sku].ID, LocationID: truck.ID, Kind: inventory.PolicyMinMax, Min: decimal.NewFromInt(2), Max: decimal.NewFromInt(4)}}); err != nil {
				return err
			}
		}
		if _, err := d.eng.Inventory.Receive(ctx, m, d.key("stock-truck"), contractorops.ReceiveStockInput{StockMoveInput: contractorops.StockMoveInput{
			LocationID: truck.ID, Lines: load, Reference: "morning load"}}); err != nil {
			return err
		}
		if tech, err = d.eng.Technicians.Get(ctx, m, tech.ID); err != nil {
			return err
		}
		d.techs = append(d.techs, tech)
		d.trucks[tech.ID] = truck
	}
	fmt.Fprintf(d.w, "Crew: %d technicians (HVAC and plumbing, levels 2–5), each with a stocked van fed by %s\n", len(d.techs), d.warehouse.Code)
	return nil
}

// callTypes are the kinds of calls the day brings: trade, template, title,
// estimated minutes, parts.
var callTypes = []struct {
	trade, template, title string
	minutes                int
	parts                  []contractorops.PartRequirement
	cert                   string
}{
	{"HVAC", "t-tune", "Furnace tune-up", 60, []contractorops.PartRequirement{{SKU: "FLT-1625", Quantity: "1"}}, ""},
	{"HVAC", "t-cap", "AC not cooling, humming outside unit", 75, []contractorops.PartRequirement{{SKU: "CAP-45-5", Quantity: "1"}}, "EPA 608"},
	{"PLUMBING", "t-leak", "Leak under the kitchen sink", 60, []contractorops.PartRequirement{{SKU: "VLV-QT", Quantity: "1"}}, ""},
	{"PLUMBING", "t-wh", "Water heater leaking at the base", 150, nil, ""},
	{"HVAC", "", "No heat upstairs", 90, nil, ""},
}

func (d *day) calls(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(7, 25))
	streets := []string{"Monument Ave", "Grove Ave", "Broad St", "Cary St", "Hermitage Rd", "Forest Hill Ave", "Patterson Ave", "Chamberlayne Ave"}
	for i := range 30 {
		lat, lng := 37.48+rng.Float64()*0.14, -77.56+rng.Float64()*0.18
		cu, err := d.eng.Customers.Create(ctx, d.office, d.key("customer"), contractorops.CustomerInput{
			Name: fmt.Sprintf("Customer %02d", i+1), Email: fmt.Sprintf("customer%02d@example.com", i+1),
			MembershipPlan: map[bool]string{true: "comfort-club"}[i%4 == 0]})
		if err != nil {
			return err
		}
		assoc := ""
		if i%10 == 3 {
			assoc = "oakwood"
		}
		loc, err := d.eng.Customers.AddLocation(ctx, d.office, d.key("location"), contractorops.LocationInput{CustomerID: cu.ID, Name: "Home", AssociationID: assoc,
			Address: contractorops.Address{Line1: fmt.Sprintf("%d %s", 100+rng.IntN(3800), streets[rng.IntN(len(streets))]), City: "Richmond", State: "VA",
				PostalCode: fmt.Sprintf("2322%d", rng.IntN(8)), Lat: &lat, Lng: &lng}})
		if err != nil {
			return err
		}
		d.customers = append(d.customers, cu)
		d.locations = append(d.locations, loc)
	}
	priorities := []jobfsm.Priority{jobfsm.PriorityMedium, jobfsm.PriorityLow, jobfsm.PriorityHigh, jobfsm.PriorityMedium}
	for i := range 38 {
		ct := callTypes[i%len(callTypes)]
		k := i % len(d.customers)
		in := contractorops.CreateJobInput{Title: ct.title, Trade: ct.trade, Priority: priorities[i%len(priorities)],
			CustomerID: d.customers[k].ID, LocationID: d.locations[k].ID, EstimatedMinutes: ct.minutes,
			Requirements: contractorops.Requirements{Parts: ct.parts}}
		if ct.cert != "" {
			in.Requirements.Certifications = []string{ct.cert}
		}
		if i%12 == 0 {
			in.ArrivalWindow = &contractorops.Window{Start: at(8+i%8, 0), End: at(10+i%8, 0)}
		}
		if i == 13 {
			// The HOA's work order comes in through the CAM integration.
			in.Source, in.ExternalRef, in.Title = jobfsm.SourceWorkOrder, "WO-2026-1042", "Clubhouse restroom: running toilet and leaking supply line"
		}
		j, err := d.eng.Jobs.Create(ctx, d.office, d.key("job"), in)
		if err != nil {
			return err
		}
		if j, err = d.approve(ctx, j, ct.template, i); err != nil {
			return err
		}
		d.jobs = append(d.jobs, j)
	}
	var est, wo int
	for _, j := range d.jobs {
		if d.estimates[j.ID] != nil {
			est++
		}
		if j.Source == jobfsm.SourceWorkOrder {
			wo++
		}
	}
	fmt.Fprintf(d.w, "\nCalls: %d jobs taken by 07:30 (%d estimated and accepted by the customer, %d HOA work order), on %d customers\n",
		len(d.jobs), est, wo, len(d.customers))
	return nil
}

// approve approves a job: every third one through an estimate the customer
// accepts (generated from the pricebook's templates), the others directly.
func (d *day) approve(ctx context.Context, j *contractorops.Job, template string, i int) (*contractorops.Job, error) {
	if template != "" && i%3 == 0 {
		est, err := d.eng.Estimates.Generate(ctx, d.office, d.key("estimate"), contractorops.GenerateEstimateInput{
			EstimateHeader: contractorops.EstimateHeader{JobID: j.ID}, TemplateIDs: []string{template}})
		if err != nil {
			return nil, err
		}
		if _, err := d.eng.Estimates.Send(ctx, d.office, d.key("send"), est.ID); err != nil {
			return nil, err
		}
		if est, err = d.eng.Estimates.Accept(ctx, d.office, d.key("accept"), contractorops.OptionIDInput{EstimateID: est.ID, OptionID: est.Doc.Options[0].ID}); err != nil {
			return nil, err
		}
		d.estimates[j.ID] = est
		return d.eng.Jobs.Get(ctx, d.office, j.ID)
	}
	return d.eng.Jobs.UpdateStatus(ctx, d.office, d.key("approve"), contractorops.UpdateJobStatusInput{ID: j.ID, Status: jobfsm.JobCreated})
}

// wednesday is the day the story plans and works.
var wednesday = jobfsm.Date{Year: 2026, Month: 11, Day: 25}

// dispatch plans the day at 07:00 and loads the vans for it.
func (d *day) dispatch(ctx context.Context) error {
	d.clock.now = at(7, 0)
	plan, err := d.eng.Dispatch.OptimizeDay(ctx, d.office, d.key("plan"), contractorops.OptimizeDayInput{Date: wednesday, Iterations: 4000, Seed: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.w, "\nDispatch at 07:00: the optimizer placed %d jobs on %d routes, %d left out\n",
		plan.Changes.Created, len(plan.Routes), len(plan.Unassigned))
	for _, u := range plan.Unassigned {
		why := "no technician"
		if len(u.Reasons) > 0 {
			why = fmt.Sprintf("%s: %s (%s)", u.Reasons[0].TechnicianName, u.Reasons[0].Code, u.Reasons[0].Detail)
		}
		fmt.Fprintf(d.w, "  left out %s %q — why not %s\n", u.JobNumber, u.Title, why)
	}
	return d.loadOut(ctx)
}

// loadOut tops the vans up from the warehouse for the parts their routes
// reserved: the replenishment plan's transfers, shipped and received.
func (d *day) loadOut(ctx context.Context) error {
	run, err := d.eng.Inventory.PlanReplenishment(ctx, d.manager, d.key("load-out"), contractorops.PlanReplenishmentInput{})
	if err != nil {
		return err
	}
	units := decimal.Zero
	for _, tr := range run.Transfers {
		if _, err := d.eng.Inventory.ShipTransfer(ctx, d.manager, d.key("ship"), contractorops.DocumentLinesInput{ID: tr.ID}); err != nil {
			return err
		}
		got, err := d.eng.Inventory.ReceiveTransfer(ctx, d.manager, d.key("receive"), contractorops.DocumentLinesInput{ID: tr.ID})
		if err != nil {
			return err
		}
		for _, l := range got.Transfer.Doc.Lines {
			units = units.Add(l.Received)
		}
	}
	if len(run.Transfers) > 0 {
		fmt.Fprintf(d.w, "  %s load-out: %d vans topped up from %s with %s parts for their routes\n", d.clock.now.Format("15:04"), len(run.Transfers), d.warehouse.Code, units)
	}
	return nil
}

// emergency takes an emergency call at the given time and inserts it into
// the live day: jobs under way stay where they are.
func (d *day) emergency(ctx context.Context, when time.Time, title, trade string, k int) error {
	d.clock.now = when
	j, err := d.eng.Jobs.Create(ctx, d.office, d.key("emergency"), contractorops.CreateJobInput{Title: title, Trade: trade, Priority: jobfsm.PriorityEmergency,
		CustomerID: d.customers[k].ID, LocationID: d.locations[k].ID, EstimatedMinutes: 60})
	if err != nil {
		return err
	}
	if j, err = d.approve(ctx, j, "", 1); err != nil {
		return err
	}
	res, err := d.eng.Dispatch.InsertEmergency(ctx, d.office, d.key("insert"), contractorops.InsertEmergencyInput{JobID: j.ID, Date: wednesday})
	if err != nil {
		return err
	}
	who := "nobody"
	for _, r := range res.Routes {
		for _, s := range r.Stops {
			if s.JobID == j.ID {
				who = fmt.Sprintf("%s, arriving %s", r.TechnicianName, s.Arrival.In(newYork).Format("15:04"))
			}
		}
	}
	counts := map[dispatch.ChangeKind]int{}
	for _, ch := range res.Inserted {
		if ch.JobID != j.ID {
			counts[ch.Kind]++
		}
	}
	fmt.Fprintf(d.w, "  %s emergency %s %q → %s (%d jobs moved to another technician, %d retimed)\n",
		when.Format("15:04"), j.Number, title, who, counts[dispatch.ChangeMoved]+counts[dispatch.ChangeUnassigned], counts[dispatch.ChangeRetimed])
	d.jobs = append(d.jobs, j)
	return d.loadOut(ctx)
}

// step is one thing a technician does on an assignment, at a time.
type step struct {
	at time.Time
	a  *contractorops.Assignment
	to jobfsm.AssignmentStatus
}

// workUntil plays the technicians' day up to a time, in time order: each
// assignment accepted, driven to, worked (parts taken from the van, time
// recorded) and completed, then its job completed.
func (d *day) workUntil(ctx context.Context, until time.Time) error {
	asgs, err := d.eng.Dispatch.ListAssignments(ctx, d.office, contractorops.ListAssignmentsInput{Date: wednesday, ActiveOnly: true})
	if err != nil {
		return err
	}
	order := []jobfsm.AssignmentStatus{jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute, jobfsm.AssignmentOnSite, jobfsm.AssignmentCompleted}
	var steps []step
	for i := range asgs {
		a := &asgs[i]
		travel := time.Duration(a.TravelMinutes) * time.Minute
		arrive := a.Start
		if !a.ETA.IsZero() {
			arrive = a.ETA
		}
		times := []time.Time{arrive.Add(-travel - 10*time.Minute), arrive.Add(-travel), arrive, a.End}
		for i, to := range order {
			if i > slices.Index(order, a.Status()) && !times[i].After(until) {
				steps = append(steps, step{at: times[i], a: a, to: to})
			}
		}
	}
	slices.SortStableFunc(steps, func(x, y step) int { return x.at.Compare(y.at) })
	for _, s := range steps {
		d.clock.now = maxTime(d.clock.now, s.at)
		if err := d.act(ctx, s); err != nil {
			return fmt.Errorf("%s %s: %w", s.a.JobNumber, s.to, err)
		}
	}
	d.clock.now = until
	return nil
}

// act does one step; the last one takes the job's parts from the van,
// records the technician's time and completes the job.
func (d *day) act(ctx context.Context, s step) error {
	a := s.a
	tech := contractorops.Scope{OrganizationID: d.org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorTechnician, ID: a.TechnicianID()}, Role: contractorops.RoleTechnician}
	if s.to == jobfsm.AssignmentCompleted {
		j := d.job(a.JobID)
		if len(j.Requirements.Parts) > 0 {
			var lines []contractorops.MaterialLine
			for _, p := range j.Requirements.Parts {
				lines = append(lines, contractorops.MaterialLine{SKU: p.SKU, Quantity: decimal.RequireFromString(p.Quantity)})
			}
			if _, err := d.eng.Inventory.Consume(ctx, tech, d.key("parts"), contractorops.MaterialsInput{JobID: a.JobID, Lines: lines}); err != nil {
				return err
			}
			d.partLines += len(lines)
		}
		if _, err := d.eng.TimeEntries.Record(ctx, tech, d.key("time"), contractorops.RecordTimeInput{
			TimeEntryInput: contractorops.TimeEntryInput{JobID: a.JobID, TechnicianID: a.TechnicianID(), Type: contractorops.TimeWork, LaborItemID: "labor"},
			Start:          a.Start, End: a.End}); err != nil {
			return err
		}
	}
	if _, err := d.eng.Dispatch.UpdateStatus(ctx, tech, d.key("status"), contractorops.UpdateAssignmentStatusInput{AssignmentID: a.ID, Status: s.to}); err != nil {
		return err
	}
	if s.to != jobfsm.AssignmentCompleted {
		return nil
	}
	done, err := d.eng.Jobs.UpdateStatus(ctx, d.office, d.key("complete"), contractorops.UpdateJobStatusInput{ID: a.JobID, Status: jobfsm.JobCompleted})
	if err != nil {
		return err
	}
	d.jobs[slices.IndexFunc(d.jobs, func(j *contractorops.Job) bool { return j.ID == done.ID })] = done
	d.completed++
	return nil
}

// job returns the story's job with the ID.
func (d *day) job(id string) *contractorops.Job {
	return d.jobs[slices.IndexFunc(d.jobs, func(j *contractorops.Job) bool { return j.ID == id })]
}

// theDay works the day: the morning, an emergency at 09:40, the midday, a
// second at 13:15, and the afternoon.
func (d *day) theDay(ctx context.Context) error {
	if err := d.workUntil(ctx, at(9, 40)); err != nil {
		return err
	}
	if err := d.emergency(ctx, at(9, 40), "Gas smell near the furnace", "HVAC", 5); err != nil {
		return err
	}
	if err := d.workUntil(ctx, at(13, 15)); err != nil {
		return err
	}
	if err := d.emergency(ctx, at(13, 15), "Burst pipe in the basement", "PLUMBING", 17); err != nil {
		return err
	}
	if err := d.workUntil(ctx, at(19, 0)); err != nil {
		return err
	}
	fmt.Fprintf(d.w, "\nThe day: %d visits driven to, worked and completed; %d part lines taken from the vans\n", d.completed, d.partLines)
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// billing invoices every completed job — from its accepted estimate, or
// from its actuals (time and materials) — and collects: most pay in full,
// one pays half, one is paid and then refunded.
func (d *day) billing(ctx context.Context) error {
	var invoiced, collected, refunded, outstanding pricing.Money
	for _, m := range []*pricing.Money{&invoiced, &collected, &refunded, &outstanding} {
		*m = usd("0")
	}
	n, partial, refund := 0, false, false
	for _, j := range d.jobs {
		if j.Status() != jobfsm.JobCompleted {
			continue
		}
		var inv *contractorops.Invoice
		var err error
		if est := d.estimates[j.ID]; est != nil {
			inv, err = d.eng.Invoices.CreateFromEstimate(ctx, d.office, d.key("invoice"), contractorops.InvoiceFromEstimateInput{EstimateID: est.ID,
				InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
		} else {
			inv, err = d.eng.Invoices.CreateFromActuals(ctx, d.office, d.key("invoice"), contractorops.InvoiceFromActualsInput{JobID: j.ID,
				InvoiceHeader: contractorops.InvoiceHeader{Send: true}})
		}
		if err != nil {
			return fmt.Errorf("%s: %w", j.Number, err)
		}
		n++
		invoiced, _ = invoiced.Add(inv.Doc.Totals.Total)
		amount := ""
		if !partial && n == 4 {
			half, _ := inv.Doc.BalanceDue.Split(2)
			amount, partial = half[0].Number(), true
		}
		pay, err := d.eng.Invoices.CollectPayment(ctx, d.office, d.key("pay"), contractorops.CollectPaymentInput{InvoiceID: inv.ID,
			PaymentInput: contractorops.PaymentInput{Amount: amount, Method: pricing.PayCard, Reference: "card on file"}})
		if err != nil {
			return fmt.Errorf("%s payment: %w", j.Number, err)
		}
		collected, _ = collected.Add(pay.Receipt.Amount)
		if !refund && n == 7 {
			// A goodwill refund: the customer was unhappy with the wait.
			back := usd("25.00")
			if _, err := d.eng.Invoices.RefundPayment(ctx, d.manager, d.key("refund"), contractorops.RefundPaymentInput{InvoiceID: inv.ID,
				PaymentID: pay.Payment.ID, Amount: back.Number(), Reason: "goodwill: late arrival"}); err != nil {
				return fmt.Errorf("%s refund: %w", j.Number, err)
			}
			refunded, refund = back, true
		}
	}
	page, err := d.eng.Invoices.List(ctx, d.office, contractorops.ListInvoicesInput{})
	if err != nil {
		return err
	}
	for _, inv := range page.Items {
		outstanding, _ = outstanding.Add(inv.Doc.BalanceDue)
	}
	fmt.Fprintf(d.w, "\nBilling: %d invoices for %s; collected %s, refunded %s, outstanding %s (one customer paid half)\n",
		n, invoiced, collected, refunded, outstanding)
	return nil
}

// replenish is the evening's replenishment run, as the procurement agent
// runs it every night: the vans refilled for tomorrow, and the warehouse's
// purchases drafted for a person to submit.
func (d *day) replenish(ctx context.Context) error {
	d.clock.now = at(19, 0)
	run, err := d.eng.Inventory.PlanReplenishment(ctx, d.manager, d.key("replenish"), contractorops.PlanReplenishmentInput{})
	if err != nil {
		return err
	}
	drafts, err := d.eng.Inventory.ListPurchaseOrders(ctx, d.manager, contractorops.ListPurchaseOrdersInput{Status: inventory.OrderDraft})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.w, "\nReplenishment at 19:00: %d van transfers for tomorrow; purchase orders in draft:\n", len(run.Transfers))
	for _, po := range drafts.Items {
		for _, l := range po.Doc.Lines {
			fmt.Fprintf(d.w, "  %s line %d: %s × %s at %s\n", po.Doc.Number, l.Line, l.Quantity, d.skuOf(l.ItemID), l.UnitCost.StringFixed(2))
		}
	}
	return nil
}

func (d *day) skuOf(itemID string) string {
	for sku, it := range d.items {
		if it.ID == itemID {
			return sku
		}
	}
	return itemID
}

func (d *day) maintenance(ctx context.Context) error {
	cu := d.customers[0]
	k, err := d.eng.Maintenance.CreateContract(ctx, d.manager, d.key("contract"), contractorops.CreateContractInput{
		ContractInput: contractorops.ContractInput{
			Name: "Comfort club: heating and cooling care", Type: contractorops.ContractPreventiveMaintenance, CustomerID: cu.ID,
			LocationID: d.locations[0].ID, Trade: contractorops.TradeHVAC,
			StartDate: jobfsm.Date{Year: 2026, Month: 12, Day: 1}, EndDate: jobfsm.Date{Year: 2027, Month: 11, Day: 30},
			Value: "396.00", AutoRenew: true, RenewalChangePercent: "3.5",
			SLA: &contractorops.ContractSLA{ResponseHours: 8, ResolutionHours: 48},
		},
		ServiceItems: []contractorops.ServiceItemInput{{Name: "Seasonal tune-up", Frequency: contractorops.FrequencyQuarterly, UnitPrice: "99.00"}},
	})
	if err != nil {
		return err
	}
	if k, err = d.eng.Maintenance.UpdateContractStatus(ctx, d.manager, d.key("contract-on"), contractorops.UpdateContractStatusInput{ID: k.ID, Status: contractorops.ContractActive}); err != nil {
		return err
	}
	nine, noon := jobfsm.HM(9, 0), jobfsm.HM(12, 0)
	if _, err := d.eng.Maintenance.CreateSchedule(ctx, d.manager, d.key("schedule"), contractorops.CreateScheduleInput{ContractID: k.ID, ScheduleInput: contractorops.ScheduleInput{
		Name: "Quarterly tune-up", Frequency: contractorops.FrequencyQuarterly, PreferredDayOfMonth: 10, WindowStart: &nine, WindowEnd: &noon,
	}}); err != nil {
		return err
	}
	through := jobfsm.Date{Year: 2027, Month: 11, Day: 24}
	g, err := d.eng.Maintenance.GenerateVisits(ctx, d.manager, d.key("generate"), contractorops.GenerateVisitsInput{ContractID: k.ID, Through: through})
	if err != nil {
		return err
	}
	again, err := d.eng.Maintenance.GenerateVisits(ctx, d.manager, d.key("generate"), contractorops.GenerateVisitsInput{ContractID: k.ID, Through: through})
	if err != nil {
		return err
	}
	var dates []string
	for _, v := range g.Created {
		dates = append(dates, v.Date.String())
	}
	fmt.Fprintf(d.w, "\nMaintenance: %s %q for %s, %s; %d visits planned (%s); generating again created %d\n",
		k.Number, k.Name, cu.Name, k.Status, len(g.Created), strings.Join(dates, ", "), len(again.Created))
	return nil
}

// summary prints each technician's day and KPIs, the SLA record, the
// change feed, and one rule holding.
func (d *day) summary(ctx context.Context) error {
	board, err := d.eng.Dispatch.Board(ctx, d.office, contractorops.BoardInput{Date: wednesday})
	if err != nil {
		return err
	}
	kpis, err := d.eng.Technicians.KPIs(ctx, d.manager, contractorops.KPIInput{From: at(0, 0), To: at(23, 59)})
	if err != nil {
		return err
	}
	byTech := map[string]contractorops.TechnicianKPI{}
	for _, k := range kpis {
		byTech[k.TechnicianID] = k
	}
	fmt.Fprintln(d.w, "\nThe board at day's end, and KPIs")
	fmt.Fprintf(d.w, "  %-12s %4s %6s %7s %7s %9s  %s\n", "technician", "jobs", "drive", "on time", "labor h", "revenue", "visits done (arrived, job)")
	for _, row := range board.Rows {
		k := byTech[row.TechnicianID]
		var route []string
		drive := 0
		for _, s := range row.Done {
			route = append(route, s.Arrival.In(newYork).Format("15:04")+" "+strings.TrimPrefix(s.JobNumber, "JOB-2026-"))
			drive += s.TravelMinutes
		}
		fmt.Fprintf(d.w, "  %-12s %4d %5dm %6s%% %7s %9s  %s\n", row.TechnicianName, k.JobsCompleted, drive,
			k.OnTimeRate.Mul(decimal.NewFromInt(100)).StringFixed(0), k.LaborHours.StringFixed(1), k.Revenue.StringFixed(2), strings.Join(route, " · "))
	}
	var met, total int
	for _, j := range d.jobs {
		st, err := d.eng.Jobs.SLA(ctx, d.office, j.ID)
		if err != nil {
			return err
		}
		if st.Response.State == jobfsm.TargetMet || st.Response.State == jobfsm.TargetMissed {
			total++
			if st.Response.State == jobfsm.TargetMet {
				met++
			}
		}
	}
	changes, after := 0, int64(0)
	for {
		page, err := d.eng.Feed.Changes(ctx, d.manager, contractorops.ListChangesInput{AfterSeq: after, Limit: 1000})
		if err != nil {
			return err
		}
		if len(page.Items) == 0 {
			break
		}
		changes, after = changes+len(page.Items), page.LastSeq
	}
	gas := d.jobs[len(d.jobs)-2]
	trail, err := d.eng.Feed.Audit(ctx, d.manager, contractorops.ListAuditInput{Entity: "jobs", EntityID: gas.ID, PageRequest: contractorops.PageRequest{Limit: 100}})
	if err != nil {
		return err
	}
	var ops []string
	for _, ev := range slices.Backward(trail.Items) {
		ops = append(ops, ev.Procedure)
	}
	fmt.Fprintf(d.w, "\nSLA: %d of %d responses on time. Change feed: %d changes, each written by an audited command;\n", met, total, changes)
	fmt.Fprintf(d.w, "  %s's trail: %s\n", gas.Number, strings.Join(ops, " → "))
	var e *contractorops.Error
	_, err = d.eng.Jobs.UpdateStatus(ctx, d.office, d.key("reopen"), contractorops.UpdateJobStatusInput{ID: d.jobs[0].ID, Status: jobfsm.JobLead})
	if errors.As(err, &e) {
		fmt.Fprintf(d.w, "Rules hold: moving %s back to LEAD is %s (%s).\n", d.jobs[0].Number, e.Code, e.FieldErrors[0].Code)
	}
	return nil
}
