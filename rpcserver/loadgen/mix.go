package loadgen

import (
	"fmt"
	"sort"
)

// The procedures of the mix, in the order of a job's life, then the reads.
const (
	ProcCreateJob      = "job/v1/create"
	ProcEstimate       = "estimate/v1/generate"
	ProcSendEstimate   = "estimate/v1/send"
	ProcAcceptEstimate = "estimate/v1/accept"
	ProcAssign         = "dispatch/v1/assignTech"
	ProcOptimize       = "dispatch/v1/optimizeDay"
	ProcVisitStatus    = "dispatch/v1/updateStatus"
	ProcJobStatus      = "job/v1/updateStatus"
	ProcInvoice        = "invoice/v1/createFromEstimate"
	ProcPayment        = "invoice/v1/collectPayment"
	ProcBoard          = "dispatch/v1/board"
	ProcGetJob         = "job/v1/get"
	ProcListJobs       = "job/v1/list"
)

// lifecycle is the order of the writes that carry a job through its life.
var lifecycle = []string{ProcCreateJob, ProcEstimate, ProcSendEstimate, ProcAcceptEstimate, ProcAssign,
	ProcVisitStatus, ProcJobStatus, ProcInvoice, ProcPayment}

// Mix weighs the operations of a run by procedure name (the Proc
// constants). Each operation is drawn with probability weight/Σweights.
// A drawn step of a job's life advances one of the worker's jobs that is at
// that step; when none is, the worker advances its oldest job instead (or
// creates one), so the writes follow the lifecycle and the weights steer
// how reads, new jobs and work on open jobs are balanced.
type Mix map[string]float64

// DefaultMix is an office's day: calls come in and become jobs, which are
// estimated, accepted, scheduled (now and then the dispatcher asks the
// optimizer for a plan of the day, as a dry run), walked through the visit
// by the technician, completed, invoiced and paid (a fifth of them in two
// parts), while the office watches the dispatch board and looks jobs up.
// About 70% of the operations are writes.
func DefaultMix() Mix {
	return Mix{
		ProcCreateJob:      8,
		ProcEstimate:       8,
		ProcSendEstimate:   8,
		ProcAcceptEstimate: 8,
		ProcAssign:         8,
		ProcOptimize:       0.5,
		ProcVisitStatus:    24,
		ProcJobStatus:      8,
		ProcInvoice:        8,
		ProcPayment:        10,
		ProcBoard:          6,
		ProcGetJob:         12,
		ProcListJobs:       6,
	}
}

func (m Mix) validate() error {
	total := 0.0
	for proc, w := range m {
		if !knownProc(proc) {
			return fmt.Errorf("%w: mix: unknown operation %q", ErrConfig, proc)
		}
		if w < 0 {
			return fmt.Errorf("%w: mix: negative weight for %s", ErrConfig, proc)
		}
		total += w
	}
	if total == 0 {
		return fmt.Errorf("%w: mix: no operation has a weight", ErrConfig)
	}
	return nil
}

func knownProc(p string) bool {
	switch p {
	case ProcCreateJob, ProcEstimate, ProcSendEstimate, ProcAcceptEstimate, ProcAssign, ProcOptimize,
		ProcVisitStatus, ProcJobStatus, ProcInvoice, ProcPayment, ProcBoard, ProcGetJob, ProcListJobs:
		return true
	}
	return false
}

// table is the mix as a cumulative table, in a fixed order.
type table struct {
	procs []string
	cum   []float64
}

func (m Mix) table() table {
	procs := make([]string, 0, len(m))
	for p, w := range m {
		if w > 0 {
			procs = append(procs, p)
		}
	}
	sort.Strings(procs)
	t := table{procs: procs}
	total := 0.0
	for _, p := range procs {
		total += m[p]
		t.cum = append(t.cum, total)
	}
	return t
}

// pick returns the procedure that u (uniform in [0, 1)) falls on.
func (t table) pick(u float64) string {
	x := u * t.cum[len(t.cum)-1]
	for i, c := range t.cum {
		if x < c {
			return t.procs[i]
		}
	}
	return t.procs[len(t.procs)-1]
}
