package loadgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// slotLength is the time each scheduled visit takes on a technician's day
// (a one-hour job and the drive to the next).
const slotLength = 2 * time.Hour

// Run drives the mix of cfg against its targets until a bound is reached or
// ctx ends, and reports what happened. It returns an error only for an
// unusable configuration; failed requests are counted in the report.
func Run(ctx context.Context, cfg *Config) (*Report, error) {
	conf, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if conf.RunID == "" {
		var b [6]byte
		rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails
		conf.RunID = hex.EncodeToString(b[:])
	}
	r := &runner{conf: conf, mix: conf.Mix.table(), rec: newRecorder()}
	// Each run books days of its own, far ahead, so that runs against the
	// same database do not collide on the technicians' calendars.
	var b [2]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails
	today := time.Now().UTC().Truncate(24 * time.Hour)
	r.firstDay = today.AddDate(0, 0, 60+(int(b[0])<<8|int(b[1]))%4000)
	r.slots = make([]atomic.Int64, len(conf.Orgs))
	for _, t := range conf.Targets {
		var cs []*client.Client
		for _, o := range conf.Orgs {
			cs = append(cs, client.New(t, o.APIKey, &client.Options{HTTPClient: conf.HTTPClient}))
		}
		r.clients = append(r.clients, cs)
	}

	runCtx := ctx
	if conf.Duration > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, conf.Duration)
		defer cancel()
	}
	start := time.Now()
	var wg sync.WaitGroup
	workers := make([]*worker, conf.Concurrency)
	for i := range workers {
		workers[i] = &worker{r: r, id: i, rng: mrand.New(mrand.NewPCG(uint64(conf.Seed), uint64(i)+1))}
	}
	if conf.Rate <= 0 {
		for _, w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r.take(runCtx) {
					w.operate(runCtx, time.Now())
				}
			}()
		}
	} else {
		due := make(chan time.Time)
		for _, w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for t := range due {
					w.operate(runCtx, t)
				}
			}()
		}
		interval := time.Duration(float64(time.Second) / conf.Rate)
	schedule:
		for i := 0; r.take(runCtx); i++ {
			t := start.Add(time.Duration(i) * interval)
			if d := time.Until(t); d > 0 {
				timer := time.NewTimer(d)
				select {
				case <-runCtx.Done():
					timer.Stop()
					break schedule
				case <-timer.C:
				}
			}
			select {
			case due <- t:
			case <-runCtx.Done():
				break schedule
			}
		}
		close(due)
	}
	wg.Wait()
	elapsed := time.Since(start)

	rep := r.rec.report()
	rep.RunID = conf.RunID
	rep.Targets = conf.Targets
	rep.Start = start
	rep.Elapsed = elapsed
	rep.FirstDay = r.firstDay
	if conf.Rate > 0 {
		rep.Mode = fmt.Sprintf("open loop, %g req/s, at most %d in flight", conf.Rate, conf.Concurrency)
	} else {
		rep.Mode = fmt.Sprintf("closed loop, %d workers", conf.Concurrency)
	}
	if elapsed > 0 {
		rep.Throughput = float64(rep.Operations) / elapsed.Seconds()
		rep.WriteThroughput = float64(len(rep.Acks)) / elapsed.Seconds()
	}
	for _, w := range workers {
		for _, j := range w.jobs {
			if j.pending != nil {
				rep.Unresolved = append(rep.Unresolved, unresolved(j, j.pending))
			}
		}
	}
	return rep, nil
}

// runner is the state the workers share.
type runner struct {
	conf     Config
	mix      table
	rec      *recorder
	clients  [][]*client.Client // [target][org]
	issued   atomic.Int64
	next     atomic.Uint64 // round robin over targets
	slots    []atomic.Int64
	firstDay time.Time
}

// take reserves one operation of the budget.
func (r *runner) take(ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	if r.conf.Requests > 0 && r.issued.Add(1) > int64(r.conf.Requests) {
		return false
	}
	return true
}

// slot returns the technician and the start of the next free slot of an
// organization's calendar: slots go round the technicians, then forward.
func (r *runner) slot(org int) (tech string, start time.Time) {
	f := r.conf.Orgs[org].Fixture
	n := r.slots[org].Add(1) - 1
	t := int64(len(f.Technicians))
	return f.Technicians[n%t], r.firstDay.Add(8*time.Hour + time.Duration(n/t)*slotLength)
}

// days returns how many days an organization's slots cover so far.
func (r *runner) days(org int) int {
	f := r.conf.Orgs[org].Fixture
	perDay := int64(len(f.Technicians)) * int64(24*time.Hour/slotLength)
	return int(r.slots[org].Load()/perDay) + 1
}

// job is a job a worker carries through its life.
type job struct {
	org          Org
	orgIndex     int
	ref          string // the job's externalRef, unique in the run
	trade        Trade
	customer     Customer
	step         int // index in lifecycle of the next write
	visitStep    int // the next assignment status
	id           string
	estimateID   string
	optionID     string
	assignmentID string
	invoiceID    string
	partial      bool   // paid in two parts
	balance      string // the invoice's balance when it was issued
	paidOnce     bool
	conflicts    int // slots refused
	pending      *pending
}

// pending is a write to send again with the same key and body: no target
// answered it, or the answer was retryable (still running, rate limited),
// so its outcome is unknown.
type pending struct {
	proc     string
	key      string
	body     json.RawMessage
	attempts int
}

var visitSteps = []jobfsm.AssignmentStatus{jobfsm.AssignmentAccepted, jobfsm.AssignmentEnRoute, jobfsm.AssignmentOnSite, jobfsm.AssignmentCompleted}

// worker runs operations one at a time.
type worker struct {
	r   *runner
	id  int
	rng *mrand.Rand
	seq int
	// failures counts the operations in a row that no target answered.
	failures int
	jobs     []*job
	done     []*job // recently finished jobs, for reads
}

func (w *worker) key(what string) string {
	w.seq++
	return fmt.Sprintf("lg-%s-%d-%d-%s", w.r.conf.RunID, w.id, w.seq, what)
}

// operate draws one operation and runs it.
func (w *worker) operate(ctx context.Context, due time.Time) {
	proc := w.r.mix.pick(w.rng.Float64())
	switch proc {
	case ProcBoard, ProcGetJob, ProcListJobs, ProcOptimize:
		w.read(ctx, due, proc)
		return
	case ProcCreateJob:
		if len(w.jobs) < w.r.conf.OpenJobs {
			w.create(ctx, due)
			return
		}
	}
	var j *job
	for _, c := range w.jobs {
		if lifecycle[c.step] == proc {
			j = c
			break
		}
	}
	if j == nil && len(w.jobs) > 0 {
		j = w.jobs[0]
	}
	if j == nil {
		w.create(ctx, due)
		return
	}
	w.advance(ctx, due, j)
}

func (w *worker) org() (int, Org) {
	i := w.rng.IntN(len(w.r.conf.Orgs))
	return i, w.r.conf.Orgs[i]
}

func (w *worker) create(ctx context.Context, due time.Time) {
	oi, o := w.org()
	f := o.Fixture
	j := &job{org: o, orgIndex: oi, trade: f.Trades[w.rng.IntN(len(f.Trades))], customer: f.Customers[w.rng.IntN(len(f.Customers))],
		partial: w.rng.IntN(5) == 0}
	w.seq++
	j.ref = fmt.Sprintf("lg:%s:%d:%d", w.r.conf.RunID, w.id, w.seq)
	w.jobs = append(w.jobs, j)
	w.advance(ctx, due, j)
}

// advance sends the next write of j's life (or the pending one again).
func (w *worker) advance(ctx context.Context, due time.Time, j *job) {
	p := j.pending
	if p == nil {
		p = w.next(j)
	}
	p.attempts++
	data, err := w.call(ctx, due, j.orgIndex, p.proc, p.key, p.body)
	var e *contractorops.Error
	switch {
	case err == nil:
		j.pending = nil
		w.settle(j, p.proc, data)
	case errors.As(err, &e):
		retryable := e.Retryable || e.Code == contractorops.CodeRateLimited
		switch {
		case retryable && p.attempts < w.r.conf.Attempts:
			j.pending = p // the same key, later
		case p.proc == ProcAssign && (e.Code == contractorops.CodeSchedulingConflict || e.Code == contractorops.CodeTechnicianUnavailable) &&
			j.conflicts < w.r.conf.Attempts:
			j.conflicts++
			j.pending = nil // another slot, next time
		case retryable:
			w.giveUp(j, p)
		default:
			w.drop(j) // refused: the write had no effect
		}
	case p.attempts < w.r.conf.Attempts:
		j.pending = p
		w.backoff(ctx)
	default:
		w.giveUp(j, p)
	}
}

// giveUp drops j, whose write p has an unknown outcome after its attempts:
// the report lists it as unresolved.
func (w *worker) giveUp(j *job, p *pending) {
	w.drop(j)
	w.r.rec.count(func(rep *Report) { rep.Unresolved = append(rep.Unresolved, unresolved(j, p)) })
}

func unresolved(j *job, p *pending) Ack {
	return Ack{OrgID: j.org.Fixture.OrganizationID, Procedure: p.proc, Key: p.key, Request: p.body}
}

// backoff pauses a worker after an operation that no target answered,
// longer after each in a row (50 ms doubling up to 1 s), so that a run
// against servers that are down does not spin.
func (w *worker) backoff(ctx context.Context) {
	w.failures++
	d := min(50*time.Millisecond<<min(w.failures-1, 5), time.Second)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// next builds the next write of j's life.
func (w *worker) next(j *job) *pending {
	proc := lifecycle[j.step]
	var in any
	switch proc {
	case ProcCreateJob:
		pri := jobfsm.PriorityLow
		if w.rng.IntN(4) == 0 {
			pri = jobfsm.PriorityMedium
		}
		in = contractorops.CreateJobInput{Title: titles[j.trade.Trade][w.rng.IntN(2)], Trade: string(j.trade.Trade), Priority: pri,
			CustomerID: j.customer.ID, LocationID: j.customer.LocationID, ExternalRef: j.ref, EstimatedMinutes: 60}
	case ProcEstimate:
		in = contractorops.GenerateEstimateInput{EstimateHeader: contractorops.EstimateHeader{JobID: j.id, PricebookID: j.org.Fixture.PricebookID},
			ScopeOfWork: "As discussed on the call.", TemplateIDs: []string{j.trade.TemplateID}, MaxOptions: 1}
	case ProcSendEstimate:
		in = contractorops.IDInput{ID: j.estimateID}
	case ProcAcceptEstimate:
		in = contractorops.OptionIDInput{EstimateID: j.estimateID, OptionID: j.optionID}
	case ProcAssign:
		tech, start := w.r.slot(j.orgIndex)
		in = contractorops.AssignTechInput{JobID: j.id, TechnicianID: tech, Start: start, AcceptSLABreach: "booked ahead by the load generator"}
	case ProcVisitStatus:
		in = contractorops.UpdateAssignmentStatusInput{AssignmentID: j.assignmentID, Status: visitSteps[j.visitStep]}
	case ProcJobStatus:
		in = contractorops.UpdateJobStatusInput{ID: j.id, Status: jobfsm.JobCompleted}
	case ProcInvoice:
		in = contractorops.InvoiceFromEstimateInput{EstimateID: j.estimateID, InvoiceHeader: contractorops.InvoiceHeader{Send: true}}
	case ProcPayment:
		in = contractorops.CollectPaymentInput{InvoiceID: j.invoiceID, PaymentInput: w.payment(j)}
	}
	body, err := json.Marshal(in)
	if err != nil {
		panic(err) // the inputs are plain structs
	}
	return &pending{proc: proc, key: w.key(proc), body: body}
}

var titles = map[contractorops.TradeType][2]string{
	contractorops.TradePlumbing: {"Leak under the kitchen sink", "Dripping shut-off valve"},
	contractorops.TradeHVAC:     {"Furnace tune-up", "No heat upstairs"},
}

// payment is the next payment of j: half of the balance first for a job
// paid in two parts, else the balance.
func (w *worker) payment(j *job) contractorops.PaymentInput {
	in := contractorops.PaymentInput{Method: "CHECK", Reference: fmt.Sprintf("%d", 1000+w.rng.IntN(9000))}
	if w.r.conf.PaymentProvider == "test" {
		in = contractorops.PaymentInput{Method: "CARD", Provider: "test", Source: "tok_loadgen"}
	}
	if j.partial && !j.paidOnce {
		if h, err := half(j.balance); err == nil && h != "0.00" {
			in.Amount = h
		}
	}
	return in
}

// settle records the outcome of a successful write in j.
func (w *worker) settle(j *job, proc string, data json.RawMessage) {
	switch proc {
	case ProcCreateJob:
		var out contractorops.Job
		if json.Unmarshal(data, &out) != nil {
			w.drop(j)
			return
		}
		j.id = out.ID
		w.r.rec.count(func(rep *Report) { rep.JobsCreated++ })
	case ProcEstimate:
		var out contractorops.Estimate
		if json.Unmarshal(data, &out) != nil || len(out.Doc.Options) == 0 {
			w.drop(j)
			return
		}
		j.estimateID, j.optionID = out.ID, out.Doc.Options[0].ID
	case ProcAssign:
		var out contractorops.AssignmentResult
		if json.Unmarshal(data, &out) != nil {
			w.drop(j)
			return
		}
		j.assignmentID = out.Assignment.ID
	case ProcVisitStatus:
		j.visitStep++
		if j.visitStep < len(visitSteps) {
			return // the visit goes on
		}
	case ProcInvoice:
		var out contractorops.Invoice
		if json.Unmarshal(data, &out) != nil {
			w.drop(j)
			return
		}
		j.invoiceID, j.balance = out.ID, out.Doc.BalanceDue.Number()
	case ProcPayment:
		var out contractorops.PaymentResult
		if json.Unmarshal(data, &out) != nil {
			w.drop(j)
			return
		}
		if !out.Invoice.Doc.BalanceDue.IsZero() {
			j.paidOnce = true
			return // the rest, next time
		}
		w.r.rec.count(func(rep *Report) { rep.JobsPaid++ })
		w.finish(j)
		return
	}
	j.step++
}

func (w *worker) finish(j *job) {
	w.remove(j)
	w.done = append(w.done, j)
	if len(w.done) > 16 {
		w.done = w.done[1:]
	}
}

// drop gives up on j after an error that retrying cannot fix.
func (w *worker) drop(j *job) {
	w.remove(j)
	if j.id != "" {
		w.done = append(w.done, j)
	}
}

func (w *worker) remove(j *job) {
	for i, c := range w.jobs {
		if c == j {
			w.jobs = append(w.jobs[:i], w.jobs[i+1:]...)
			return
		}
	}
}

// read runs a read (or the optimizer's dry run, a write that changes
// nothing).
func (w *worker) read(ctx context.Context, due time.Time, proc string) {
	oi, _ := w.org()
	var in any
	key := ""
	switch proc {
	case ProcBoard:
		day := w.r.firstDay.AddDate(0, 0, w.rng.IntN(w.r.days(oi)))
		in = contractorops.BoardInput{Date: jobfsm.DateOf(day)}
	case ProcOptimize:
		day := w.r.firstDay.AddDate(0, 0, w.rng.IntN(w.r.days(oi)))
		no := false
		in = contractorops.OptimizeDayInput{Date: jobfsm.DateOf(day), IncludeBacklog: &no, Iterations: 200, Seed: w.rng.Uint64(), DryRun: true}
		key = w.key(proc)
	case ProcGetJob:
		var id string
		for _, js := range [][]*job{w.jobs, w.done} {
			for _, j := range js {
				if j.id != "" && j.orgIndex == oi {
					id = j.id
				}
			}
		}
		if id == "" {
			in = contractorops.ListJobsInput{PageRequest: contractorops.PageRequest{Limit: 20}}
			proc = ProcListJobs
			break
		}
		in = contractorops.IDInput{ID: id}
	case ProcListJobs:
		in = contractorops.ListJobsInput{PageRequest: contractorops.PageRequest{Limit: 20}}
	}
	body, _ := json.Marshal(in)
	if _, err := w.call(ctx, due, oi, proc, key, body); code(err) == CodeTransport {
		w.backoff(ctx)
	}
}

// call sends one operation: to the next target, and to the following ones
// while the transport fails. It records the outcome, acknowledges a
// successful write and, for a share of them, replays it.
func (w *worker) call(ctx context.Context, due time.Time, org int, proc, key string, body json.RawMessage) (json.RawMessage, error) {
	data, requests, failovers, err := w.send(ctx, org, proc, key, body)
	end := time.Now()
	if code(err) != CodeTransport {
		w.failures = 0
	}
	w.r.rec.op(proc, end.Sub(due), err, requests, failovers)
	if err != nil || key == "" {
		return data, err
	}
	orgID := w.r.conf.Orgs[org].Fixture.OrganizationID
	w.r.rec.ack(Ack{OrgID: orgID, Procedure: proc, Key: key, Request: body, Response: data})
	if w.r.conf.RetryShare > 0 && w.rng.Float64() < w.r.conf.RetryShare {
		start := time.Now()
		again, requests, failovers, rerr := w.send(ctx, org, proc, key, body)
		w.r.rec.op(proc+" (replay)", time.Since(start), rerr, requests, failovers)
		w.r.rec.replay(proc, key, data, again, rerr)
	}
	return data, nil
}

// send returns the response data, the requests sent and how many of them
// were failovers, and the error of the last one.
func (w *worker) send(ctx context.Context, org int, proc, key string, body json.RawMessage) (data json.RawMessage, requests, failovers int, err error) {
	n := len(w.r.clients)
	first := int(w.r.next.Add(1) % uint64(n))
	for i := range n {
		if ctx.Err() != nil && i > 0 {
			break
		}
		target := (first + i) % n
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.r.conf.RequestTimeout)
		var raw json.RawMessage
		_, err = w.r.clients[target][org].Do(rctx, proc, key, body, &raw)
		cancel()
		requests++
		var e *contractorops.Error
		if err == nil || errors.As(err, &e) {
			return raw, requests, failovers, err
		}
		w.r.rec.transport(w.r.conf.Targets[target])
		if i+1 < n {
			failovers++
		}
	}
	return nil, requests, failovers, err
}

// sameJSON reports whether a and b are the same JSON value.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// half returns half of amount, rounded down to the cent.
func half(amount string) (string, error) {
	d, err := decimal.NewFromString(amount)
	if err != nil {
		return "", err
	}
	return d.Div(decimal.NewFromInt(2)).RoundFloor(2).StringFixed(2), nil
}
