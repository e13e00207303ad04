package contractorops

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// Config configures an [Engine]. The zero value is ready to use; a nil
// *Config is the zero value.
type Config struct {
	// Clock returns the current time. Defaults to time.Now.
	Clock func() time.Time
	// NewID returns a new unique identifier. Defaults to random,
	// time-ordered UUIDs (version 7).
	NewID func() string
	// Runner executes mutations. Defaults to the inline runner: in the
	// calling goroutine, with idempotency records in the store, not durable
	// across crashes. contractorops/durable provides the durable runner.
	Runner Runner
	// IdempotencyRetention is how long a mutation's outcome is kept for
	// replays of its idempotency key. Defaults to 24 hours.
	IdempotencyRetention time.Duration
	// InFlightWait is how long a call waits for an earlier call with the
	// same idempotency key that is still running before it gives up with a
	// retryable CONFLICT. Defaults to 10 seconds.
	InFlightWait time.Duration
	// TracerProvider provides the tracer of the engine's spans. Defaults to
	// the global provider (otel.GetTracerProvider).
	TracerProvider trace.TracerProvider
	// MeterProvider provides the meter of the engine's metrics. Defaults to
	// the global provider (otel.GetMeterProvider).
	MeterProvider metric.MeterProvider
	// Logger logs internal errors. Defaults to slog.Default().
	Logger *slog.Logger
	// RoadFactor stretches straight-line distances to road distances for
	// travel times. Defaults to 1.3.
	RoadFactor float64
	// AverageKPH is the average driving speed for travel times. Defaults to
	// 40 km/h.
	AverageKPH float64
	// Estimator proposes the options of generated estimates
	// (estimate/v1/generate). Defaults to [RuleEstimator], which maps a
	// job's trade and words to the pricebook's job templates.
	Estimator Estimator
	// Assistant verifies checklist steps and drafts job notes for
	// technicians (assistant/v1/verifyStep, assistant/v1/draftNote).
	// Defaults to [RuleAssistant], which checks a step's declared evidence
	// and writes a note from the visit's facts.
	Assistant Assistant
	// PaymentProviders capture and refund payments, by the name a payment
	// request gives (invoice/v1/collectPayment). "manual" (cash, checks,
	// payments taken outside the engine) is always there: [ManualProvider]
	// unless this map sets another.
	PaymentProviders map[string]PaymentProvider
	// CAMBridge receives the events of CAM-origin jobs (cam/v1/deliver and
	// the cam-delivery task). Nil delivers nothing and leaves every
	// organization's delivery cursor where it is.
	CAMBridge CAMBridge
}

func (c *Config) withDefaults() Config {
	var out Config
	if c != nil {
		out = *c
	}
	if out.Clock == nil {
		out.Clock = time.Now
	}
	if out.NewID == nil {
		out.NewID = newUUIDv7Generator(out.Clock)
	}
	if out.Runner == nil {
		out.Runner = &inlineRunner{}
	}
	if out.IdempotencyRetention == 0 {
		out.IdempotencyRetention = 24 * time.Hour
	}
	if out.InFlightWait == 0 {
		out.InFlightWait = 10 * time.Second
	}
	if out.TracerProvider == nil {
		out.TracerProvider = otel.GetTracerProvider()
	}
	if out.MeterProvider == nil {
		out.MeterProvider = otel.GetMeterProvider()
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	if out.Estimator == nil {
		out.Estimator = RuleEstimator{}
	}
	if out.Assistant == nil {
		out.Assistant = RuleAssistant{}
	}
	providers := map[string]PaymentProvider{ManualProviderName: ManualProvider{}}
	for name, p := range out.PaymentProviders {
		providers[name] = p
	}
	out.PaymentProviders = providers
	return out
}

func (c *Config) validate() error {
	switch {
	case c.IdempotencyRetention < 0:
		return errors.New("contractorops: Config.IdempotencyRetention must not be negative")
	case c.InFlightWait < 0:
		return errors.New("contractorops: Config.InFlightWait must not be negative")
	}
	return nil
}

// Engine runs a contractor's operations. Create one with [New]; it is safe for
// concurrent use. Its fields are the typed API, one service per area; every
// method is a view of one catalog procedure (see [Engine.Catalog]).
type Engine struct {
	store   Store
	cfg     Config
	catalog *Catalog
	runner  Runner
	tracer  trace.Tracer
	metrics *metrics
	log     *slog.Logger
	flights flights
	zones   sync.Map // time zone name → *time.Location

	// factSources add to the facts of a job's transition what other areas
	// know (estimates, invoices); registered with the areas.
	factSources []func(t *txn, j *Job, f *jobfsm.Facts) error
	// jobFollowers keep what follows a job (a maintenance visit) in step
	// with it: saveJob calls each after storing the job.
	jobFollowers []func(c *call, t *txn, j *Job) error
	tasks        []Task

	// jobRevenue, registered by the billing area, returns what each job was
	// invoiced (net of credit memos), for KPIs.
	jobRevenue func(t *txn, jobIDs []string) (map[string]decimal.Decimal, error)

	// materialSources return the materials consumed on a job, at their
	// cost, for invoices from actuals and job profitability; the inventory
	// area registers one.
	materialSources []materialSource
	// pricers caches the pricers of published pricebook versions.
	pricers *pricerCache

	// The typed API, one service per area.
	Organizations *OrganizationService
	Contractor    *ContractorService
	Technicians   *TechnicianService
	Customers     *CustomerService
	Jobs          *JobService
	SLA           *SLAService
	Dispatch      *DispatchService
	Inventory     *InventoryService
	Billing       *BillingService
	Pricebooks    *PricebookService
	Estimates     *EstimateService
	Invoices      *InvoiceService
	TimeEntries   *TimeEntryService
	Reports       *ReportService
	Events        *EventService
	Feed          *FeedService
	APIKeys       *APIKeyService
	Maintenance   *MaintenanceService
	Agents        *AgentService
	Assistant     *AssistantService
	CAM           *CAMService
}

// New returns an engine over store. The embedded default is
//
//	eng, err := contractorops.New(memstore.New(), nil)
//
// and the durable one pairs pgstore with the runner of contractorops/durable.
func New(store Store, cfg *Config) (*Engine, error) {
	if store == nil {
		return nil, errors.New("contractorops: New needs a store")
	}
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	e := &Engine{
		store:   store,
		cfg:     c,
		catalog: &Catalog{procs: map[string]*Procedure{}},
		runner:  c.Runner,
		tracer:  c.TracerProvider.Tracer("github.com/hestami-ai/opsengine/contractorops"),
		log:     c.Logger,
		pricers: newPricerCache(pricerCacheSize),
	}
	var err error
	if e.metrics, err = newMetrics(c.MeterProvider); err != nil {
		return nil, err
	}
	e.register()
	if err := e.runner.Start(e); err != nil {
		return nil, fmt.Errorf("contractorops: start runner: %w", err)
	}
	return e, nil
}

// Config returns the engine's configuration with its defaults applied.
func (e *Engine) Config() Config { return e.cfg }

// Catalog returns the engine's command catalog.
func (e *Engine) Catalog() *Catalog { return e.catalog }

// Store returns the engine's store.
func (e *Engine) Store() Store { return e.store }

// Close stops the engine's runner.
func (e *Engine) Close(ctx context.Context) error { return e.runner.Close(ctx) }

func (e *Engine) now() time.Time { return e.cfg.Clock() }

func (e *Engine) newID() string { return e.cfg.NewID() }

// location returns the time zone named tz, loaded once: UTC if it is empty
// or unknown (inputs are validated, so only data older than a zone's
// removal from the zone database is).
func (e *Engine) location(tz string) *time.Location {
	if loc, ok := e.zones.Load(tz); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	e.zones.Store(tz, loc)
	return loc
}

// register defines every procedure of the catalog and the typed API over it.
func (e *Engine) register() {
	e.registerPlatform()
	e.registerCustomers()
	e.registerFeed()
	e.registerEvents()
	e.registerSLA()
	e.registerJobs()
	e.registerTasks()
	e.registerContractor()
	e.registerTechnicians()
	e.registerDispatch()
	e.registerAPIKeys()
	e.registerBilling()
	e.registerInventory() // after registerTasks: it adds the procurement agent's task
	e.registerMaintenance()
	e.registerAgents()
	e.registerCAM()
}

// metrics are the engine's OpenTelemetry instruments.
type metrics struct {
	commands metric.Int64Counter
	duration metric.Float64Histogram
}

func newMetrics(mp metric.MeterProvider) (*metrics, error) {
	m := mp.Meter("github.com/hestami-ai/opsengine/contractorops")
	commands, err := m.Int64Counter("opsengine.commands", metric.WithDescription("Commands executed, by procedure and outcome code."))
	if err != nil {
		return nil, err
	}
	duration, err := m.Float64Histogram("opsengine.command.duration", metric.WithUnit("s"), metric.WithDescription("Command latency."))
	if err != nil {
		return nil, err
	}
	return &metrics{commands: commands, duration: duration}, nil
}

func (m *metrics) record(ctx context.Context, procedure, code string, d time.Duration) {
	attrs := metric.WithAttributes(attribute.String("procedure", procedure), attribute.String("code", code))
	m.commands.Add(ctx, 1, attrs)
	m.duration.Record(ctx, d.Seconds(), attrs)
}

// newUUIDv7Generator returns a generator of version 7 UUIDs (RFC 9562):
// 48 bits of milliseconds from clock, then random bits, with a counter that
// keeps identifiers made in the same millisecond in order.
func newUUIDv7Generator(clock func() time.Time) func() string {
	var mu sync.Mutex
	var lastMS int64
	var seq uint16
	return func() string {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("contractorops: read random bytes: %v", err))
		}
		ms := clock().UnixMilli()
		mu.Lock()
		switch {
		case ms > lastMS:
			// A new millisecond starts the counter low (random in the lower
			// half), leaving room to count up within it.
			lastMS, seq = ms, uint16(b[6]&0x7f)<<4
		case seq < 0xfff:
			ms = lastMS
			seq++
		default:
			// The counter is full: borrow the next millisecond, so that
			// identifiers keep increasing.
			lastMS++
			ms, seq = lastMS, uint16(b[6]&0x7f)<<4
		}
		s := seq
		mu.Unlock()
		var t [8]byte
		binary.BigEndian.PutUint64(t[:], uint64(ms))
		copy(b[0:6], t[2:8])
		b[6] = 0x70 | byte(s>>8)&0x0f
		b[7] = byte(s)
		b[8] = 0x80 | b[8]&0x3f
		var out [36]byte
		hex.Encode(out[0:8], b[0:4])
		out[8] = '-'
		hex.Encode(out[9:13], b[4:6])
		out[13] = '-'
		hex.Encode(out[14:18], b[6:8])
		out[18] = '-'
		hex.Encode(out[19:23], b[8:10])
		out[23] = '-'
		hex.Encode(out[24:36], b[10:16])
		return string(out[:])
	}
}
