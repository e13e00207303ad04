package sim

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// Config describes a day to generate. [Preset] returns the named ones;
// every field may be changed before [Generate].
type Config struct {
	Name        string
	Description string
	Seed        uint64
	// Day is the date; its location is the area's time zone, named
	// TimeZone for hosts.
	Day      time.Time
	TimeZone string
	Center   dispatch.Location
	RadiusKm float64
	// Technicians and Jobs are the crew size and the number of calls
	// (booked and same-day).
	Technicians int
	Jobs        int
	// BookedShare of the jobs were booked before the day, into arrival
	// windows; the others are called in during the day, at the hourly
	// rates of CallsByHour (a Poisson process, conditioned on the count).
	BookedShare float64
	CallsByHour [24]float64
	// EmergencyShare of the same-day calls are emergencies.
	EmergencyShare float64
	// Trades are the shares of the calls by trade, and how long their
	// work takes relative to the usual.
	Trades []TradeMix
	// Sigma is the spread of the actual time on site around the
	// estimate (log-normal, mean 1).
	Sigma float64
	// FoundPartsRate is the share of visits that find they need a part
	// nobody knew of.
	FoundPartsRate float64
	// SpeedFactor scales the road speeds (a storm slows traffic).
	SpeedFactor float64
	// SickBeforeShift technicians call in sick before their shift;
	// SickMidday more go home at 11:00.
	SickBeforeShift, SickMidday int
	SLA                         []SLAPolicy
}

// TradeMix is one trade's share of the calls.
type TradeMix struct {
	Trade string
	Share float64
	// DurationFactor scales the trade's usual times (a heat wave makes
	// air conditioners harder to fix).
	DurationFactor float64
}

// Presets names the preset days, in the order of the README.
func Presets() []string { return []string{"tuesday", "heatwave", "techsick", "storm"} }

// ErrUnknownPreset is returned for a preset name Presets does not list.
var ErrUnknownPreset = errors.New("sim: unknown preset")

// Preset returns the named day's configuration (see the package doc), with
// seed 1: 50 technicians of a Raleigh, NC contractor and 600 calls on an
// ordinary Tuesday, more on the others.
func Preset(name string) (Config, error) {
	edt := time.FixedZone("EDT", -4*3600)
	c := Config{
		Name: name, Seed: 1, Day: time.Date(2026, 7, 14, 0, 0, 0, 0, edt), TimeZone: "America/New_York",
		Center: dispatch.Location{Lat: 35.7796, Lng: -78.6382}, RadiusKm: 14,
		Technicians: 50, Jobs: 600, BookedShare: 0.45, EmergencyShare: 0.08,
		CallsByHour: [24]float64{6: 2, 7: 6, 8: 9, 9: 10, 10: 9, 11: 8, 12: 7, 13: 8, 14: 8, 15: 7, 16: 6, 17: 4, 18: 2},
		Trades:      []TradeMix{{"HVAC", 0.40, 1}, {"PLUMBING", 0.35, 1}, {"ELECTRICAL", 0.25, 1}},
		Sigma:       0.3, FoundPartsRate: 0.12, SpeedFactor: 1,
		SLA: []SLAPolicy{
			{dispatch.PriorityEmergency, 120, 240},
			{dispatch.PriorityHigh, 240, 480},
			{dispatch.PriorityMedium, 480, 1440},
			{dispatch.PriorityLow, 1440, 2880},
		},
	}
	switch name {
	case "tuesday":
		c.Description = "An ordinary Tuesday in July: 600 calls, 45 % booked into windows, 8 % of the same-day calls emergencies."
	case "heatwave":
		c.Description = "A heat wave: 20 % more calls, two thirds of them for air conditioning, which takes 25 % longer and finds missing capacitors and refrigerant three times as often; 15 % emergencies, most in the afternoon."
		c.Jobs = 720
		c.Trades = []TradeMix{{"HVAC", 0.65, 1.25}, {"PLUMBING", 0.22, 1}, {"ELECTRICAL", 0.13, 1}}
		c.EmergencyShare, c.FoundPartsRate = 0.15, 0.36
		c.CallsByHour = [24]float64{6: 1, 7: 3, 8: 5, 9: 6, 10: 8, 11: 9, 12: 10, 13: 11, 14: 11, 15: 10, 16: 8, 17: 5, 18: 3}
	case "techsick":
		c.Description = "An ordinary Tuesday with a stomach bug going round: four technicians call in sick before their shift and one more goes home at 11:00."
		c.SickBeforeShift, c.SickMidday = 4, 1
	case "storm":
		c.Description = "A summer storm from noon: burst pipes, flooded basements and power cuts make a quarter of the same-day calls emergencies, traffic crawls at 75 % of its speed, and two technicians cannot get in."
		c.Jobs = 640
		c.Trades = []TradeMix{{"HVAC", 0.25, 1}, {"PLUMBING", 0.42, 1.1}, {"ELECTRICAL", 0.33, 1.1}}
		c.EmergencyShare, c.SpeedFactor, c.SickBeforeShift = 0.25, 0.75, 2
		c.CallsByHour = [24]float64{6: 2, 7: 4, 8: 6, 9: 6, 10: 6, 11: 7, 12: 12, 13: 14, 14: 13, 15: 11, 16: 9, 17: 6, 18: 4}
	default:
		return Config{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownPreset, name, strings.Join(Presets(), ", "))
	}
	return c, nil
}

// jobKind is a kind of call of a trade.
type jobKind struct {
	title   string
	minutes float64 // usual time on site for a level-3 technician
	level   int
	urgent  bool   // can be an emergency
	cert    string // needed certification
	part    string // the part it usually takes
	partP   float64
}

// kinds are the calls of each trade.
func kinds(trade string) []jobKind {
	switch trade {
	case "HVAC":
		return []jobKind{
			{"No cooling", 55, 2, true, "EPA-608", "CAPACITOR-45/5", 0.35},
			{"AC tune-up", 30, 1, false, "", "FILTER-16x25", 0.8},
			{"Refrigerant leak", 65, 3, true, "EPA-608", "R-410A", 0.6},
			{"Thermostat install", 30, 1, false, "", "THERMOSTAT", 0.9},
			{"Furnace no heat", 45, 2, true, "", "IGNITER", 0.4},
		}
	case "PLUMBING":
		return []jobKind{
			{"Burst pipe", 50, 2, true, "", "PEX-FITTING", 0.7},
			{"Clogged drain", 30, 1, false, "", "", 0},
			{"Water heater repair", 60, 3, true, "", "THERMOCOUPLE", 0.4},
			{"Leaking faucet", 25, 1, false, "", "CARTRIDGE", 0.6},
			{"Running toilet", 25, 1, false, "", "FLAPPER", 0.7},
		}
	default:
		return []jobKind{
			{"Power out", 45, 3, true, "", "BREAKER-20A", 0.4},
			{"GFCI outlet", 25, 1, false, "", "GFCI", 0.7},
			{"Panel inspection", 60, 4, false, "", "", 0},
			{"Light fixture", 35, 1, false, "", "", 0},
			{"Sparking outlet", 30, 2, true, "", "RECEPTACLE", 0.5},
		}
	}
}

// truckStock is the usual count of each part on a truck of the trade.
func truckStock(trade string) map[string]int {
	switch trade {
	case "HVAC":
		return map[string]int{"CAPACITOR-45/5": 3, "FILTER-16x25": 6, "R-410A": 3, "THERMOSTAT": 2, "IGNITER": 2}
	case "PLUMBING":
		return map[string]int{"PEX-FITTING": 6, "THERMOCOUPLE": 2, "CARTRIDGE": 3, "FLAPPER": 4}
	default:
		return map[string]int{"BREAKER-20A": 4, "GFCI": 4, "RECEPTACLE": 4}
	}
}

var (
	firstNames = [...]string{"Maria", "Sam", "Lee", "Aisha", "Carlos", "Dana", "Ethan", "Fatima", "Grace", "Hiro",
		"Ivan", "Jada", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sean", "Tara", "Uma",
		"Victor", "Wendy", "Xavier", "Yara", "Zane", "Andre", "Bea", "Cole", "Dev", "Elena", "Finn", "Gia", "Hank"}
	lastNames = [...]string{"Garcia", "Nguyen", "Smith", "Okafor", "Patel", "Johnson", "Kim", "Lopez", "Brown",
		"Haddad", "Jensen", "Morales", "Reyes", "Walker", "Chen", "Diaz", "Foster", "Ito", "Khan", "Silva"}
	zoneNames = [...]string{"DOWNTOWN", "NORTH", "EAST", "SOUTHEAST", "SOUTHWEST", "WEST"}
)

// Generate builds the day c describes. The same configuration (seed
// included) gives the same scenario.
func Generate(c Config) (*Scenario, error) {
	if c.Technicians <= 0 || c.Jobs < 0 || c.RadiusKm <= 0 || len(c.Trades) == 0 {
		return nil, fmt.Errorf("%w: generator config: %d technicians, %d jobs, radius %g km, %d trades",
			ErrInvalidScenario, c.Technicians, c.Jobs, c.RadiusKm, len(c.Trades))
	}
	g := &gen{c: c, rng: rand.New(rand.NewPCG(c.Seed, 0x5eed_d15c)), techLevels: map[string]int{}}
	sc := &Scenario{
		Schema: Schema, Name: c.Name, Description: c.Description, Seed: c.Seed, TimeZone: c.TimeZone,
		Start: g.at(6, 0), End: g.at(23, 0),
		Area:             Area{Center: c.Center, RadiusKm: c.RadiusKm},
		SLA:              slices.Clone(c.SLA),
		LevelFactors:     [5]float64{1.4, 1.2, 1, 0.9, 0.8},
		PartsLeadMinutes: 120, DiagnoseMinutes: 20,
		Travel: Travel{RoadFactor: 1.35},
	}
	speeds := [24]float64{7: 28, 8: 28, 16: 26, 17: 26, 18: 30}
	for h := range speeds {
		if speeds[h] == 0 {
			speeds[h] = 38
			if h < 6 || h >= 20 {
				speeds[h] = 50
			}
		}
		sc.Travel.KPH[h] = round(speeds[h]*max(c.SpeedFactor, 0.1), 1)
	}
	for i, name := range zoneNames {
		z := Zone{Name: name, Center: c.Center}
		if i > 0 {
			a := math.Pi/2 - float64(i-1)*2*math.Pi/5
			z.Center = g.offset(c.Center, c.RadiusKm*0.6*math.Cos(a), c.RadiusKm*0.6*math.Sin(a))
		}
		sc.Area.Zones = append(sc.Area.Zones, z)
	}
	g.area = &sc.Area
	for i := range c.Technicians {
		sc.Technicians = append(sc.Technicians, g.technician(i))
	}
	g.hoods = make([]dispatch.Location, 10)
	for i := range g.hoods {
		g.hoods[i] = g.uniform()
	}
	booked := int(math.Round(float64(c.Jobs) * c.BookedShare))
	var jobs []Job
	for i := range booked {
		jobs = append(jobs, g.bookedJob(i))
	}
	for _, at := range g.callTimes(c.Jobs - booked) {
		jobs = append(jobs, g.sameDayJob(at))
	}
	slices.SortStableFunc(jobs, func(a, b Job) int { return a.CallAt.Compare(b.CallAt) })
	for i := range jobs {
		jobs[i].ID = fmt.Sprintf("J%04d", i+1)
	}
	sc.Jobs = jobs
	sc.Sick = g.sick(sc)
	return sc, sc.Validate()
}

type gen struct {
	c          Config
	rng        *rand.Rand
	area       *Area
	hoods      []dispatch.Location
	techLevels map[string]int // best level per trade in the crew
}

func (g *gen) at(h, m int) time.Time {
	d := g.c.Day
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, d.Location())
}

// offset moves loc by east and north kilometres.
func (g *gen) offset(loc dispatch.Location, east, north float64) dispatch.Location {
	return dispatch.Location{
		Lat: round(loc.Lat+north/kmPerDegree, 6),
		Lng: round(loc.Lng+east/(kmPerDegree*math.Cos(loc.Lat*math.Pi/180)), 6),
	}
}

// uniform is a point uniformly in the area.
func (g *gen) uniform() dispatch.Location {
	r := g.c.RadiusKm * math.Sqrt(g.rng.Float64())
	a := 2 * math.Pi * g.rng.Float64()
	return g.offset(g.c.Center, r*math.Cos(a), r*math.Sin(a))
}

// customer is a call's place: around a neighbourhood (two in three) or
// anywhere, inside the area.
func (g *gen) customer() dispatch.Location {
	for {
		var loc dispatch.Location
		if g.rng.IntN(3) < 2 {
			h := g.hoods[g.rng.IntN(len(g.hoods))]
			s := g.c.RadiusKm / 8
			loc = g.offset(h, g.rng.NormFloat64()*s, g.rng.NormFloat64()*s)
		} else {
			loc = g.uniform()
		}
		if km(g.c.Center, loc) <= g.c.RadiusKm {
			return loc
		}
	}
}

// pick draws an index by weights.
func (g *gen) pick(weights ...float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := g.rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (g *gen) technician(i int) Technician {
	home := g.uniform()
	t := Technician{
		ID:   fmt.Sprintf("T%02d", i+1),
		Name: firstNames[i%len(firstNames)] + " " + lastNames[(i*7+i/len(firstNames))%len(lastNames)],
		Home: home, Zone: g.area.ZoneOf(home), OvertimeMinutes: 60, Truck: map[string]int{},
	}
	// The crew's trades follow an ordinary mix, whatever the day.
	primary := []string{"HVAC", "PLUMBING", "ELECTRICAL"}[g.pick(0.4, 0.35, 0.25)]
	level := 1 + g.pick(0.1, 0.2, 0.35, 0.25, 0.1)
	t.Skills = []dispatch.Skill{{Trade: primary, Level: level}}
	if g.rng.Float64() < 0.35 {
		others := slices.DeleteFunc([]string{"HVAC", "PLUMBING", "ELECTRICAL"}, func(s string) bool { return s == primary })
		t.Skills = append(t.Skills, dispatch.Skill{Trade: others[g.rng.IntN(2)], Level: max(1, level-2)})
	}
	for _, s := range t.Skills {
		g.techLevels[s.Trade] = max(g.techLevels[s.Trade], s.Level)
		if s.Trade == "HVAC" && (s.Trade == primary && g.rng.Float64() < 0.85 || g.rng.Float64() < 0.1) {
			t.Certifications = []dispatch.Certification{{Name: "EPA-608"}}
		}
		stock := truckStock(s.Trade)
		for _, sku := range slices.Sorted(maps.Keys(stock)) {
			t.Truck[sku] = max(0, stock[sku]+g.rng.IntN(3)-1)
		}
	}
	start := []time.Time{g.at(7, 0), g.at(8, 0), g.at(10, 0)}[g.pick(0.4, 0.4, 0.2)]
	t.ShiftStart, t.ShiftEnd = start, start.Add(10*time.Hour)
	t.Break = &Break{Earliest: start.Add(4 * time.Hour), Latest: start.Add(5*time.Hour + 30*time.Minute), Minutes: 30}
	return t
}

// trade draws a call's trade and kind; urgent asks for a kind that can be
// an emergency.
func (g *gen) kind(urgent bool) (TradeMix, jobKind) {
	w := make([]float64, len(g.c.Trades))
	for i, tm := range g.c.Trades {
		w[i] = tm.Share
	}
	tm := g.c.Trades[g.pick(w...)]
	ks := kinds(tm.Trade)
	if urgent {
		ks = slices.DeleteFunc(ks, func(k jobKind) bool { return !k.urgent })
	}
	return tm, ks[g.rng.IntN(len(ks))]
}

func (g *gen) job(urgent bool, p dispatch.Priority) Job {
	tm, k := g.kind(urgent)
	loc := g.customer()
	j := Job{Title: k.title, Location: loc, Zone: g.area.ZoneOf(loc), Priority: p,
		Skill: dispatch.Skill{Trade: tm.Trade, Level: min(k.level+g.pick(0.8, 0.2), max(g.techLevels[tm.Trade], 1))}}
	if k.cert != "" {
		j.Certifications = []string{k.cert}
	}
	f := tm.DurationFactor
	if f <= 0 {
		f = 1
	}
	est := k.minutes * f * math.Exp(g.rng.NormFloat64()*0.25)
	j.EstimateMinutes = max(15, 5*int(math.Round(est/5)))
	if k.part != "" && g.rng.Float64() < k.partP {
		j.Parts = map[string]int{k.part: 1}
	}
	sigma := g.c.Sigma
	j.Truth.Factor = round(math.Exp(g.rng.NormFloat64()*sigma-sigma*sigma/2), 3)
	if g.rng.Float64() < g.c.FoundPartsRate {
		// Urgent kinds find their usual part; others any part of the trade.
		sku := k.part
		if sku == "" || g.rng.IntN(2) == 0 {
			skus := slices.Sorted(maps.Keys(truckStock(tm.Trade)))
			sku = skus[g.rng.IntN(len(skus))]
		}
		j.Truth.FoundParts = map[string]int{sku: 1}
	}
	return j
}

func (g *gen) bookedJob(int) Job {
	p := []dispatch.Priority{dispatch.PriorityLow, dispatch.PriorityMedium, dispatch.PriorityHigh}[g.pick(0.45, 0.45, 0.1)]
	j := g.job(false, p)
	j.CallAt = g.at(9, 0).Add(-24*time.Hour + time.Duration(g.rng.IntN(8*60))*time.Minute)
	if g.rng.Float64() < 0.3 {
		h := []int{8, 12}[g.rng.IntN(2)]
		j.Window = &Window{Start: g.at(h, 0), End: g.at(h+4, 0)}
	} else {
		h := 8 + 2*g.rng.IntN(5)
		j.Window = &Window{Start: g.at(h, 0), End: g.at(h+2, 0)}
	}
	return j
}

func (g *gen) sameDayJob(at time.Time) Job {
	var p dispatch.Priority
	if g.rng.Float64() < g.c.EmergencyShare {
		p = dispatch.PriorityEmergency
	} else {
		p = []dispatch.Priority{dispatch.PriorityHigh, dispatch.PriorityMedium, dispatch.PriorityLow}[g.pick(0.3, 0.45, 0.25)]
	}
	j := g.job(p == dispatch.PriorityEmergency, p)
	j.CallAt = at
	return j
}

// callTimes draws n call times from the hourly profile: the arrivals of a
// Poisson process with those rates, given that n calls come.
func (g *gen) callTimes(n int) []time.Time {
	w := g.c.CallsByHour[:]
	out := make([]time.Time, 0, n)
	for range n {
		h := g.pick(w...)
		out = append(out, g.at(h, 0).Add(time.Duration(g.rng.IntN(3600))*time.Second))
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// sick picks the technicians who call in sick.
func (g *gen) sick(sc *Scenario) []SickCall {
	var out []SickCall
	order := g.rng.Perm(len(sc.Technicians))
	for i := 0; i < g.c.SickBeforeShift+g.c.SickMidday && i < len(order); i++ {
		t := sc.Technicians[order[i]]
		at := t.ShiftStart.Add(-time.Duration(30+g.rng.IntN(60)) * time.Minute)
		if i >= g.c.SickBeforeShift {
			at = g.at(11, 0)
		}
		out = append(out, SickCall{TechnicianID: t.ID, At: at})
	}
	slices.SortStableFunc(out, func(a, b SickCall) int { return a.At.Compare(b.At) })
	return out
}
