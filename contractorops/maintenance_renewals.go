package contractorops

import (
	"fmt"
	"slices"
	"time"

	"github.com/invopop/validation"
	"github.com/shopspring/decimal"

	"github.com/hestami-ai/opsengine/jobfsm"
	"github.com/hestami-ai/opsengine/pricing"
)

// RenewContractInput renews a contract by hand: from ACTIVE (early, during
// its notice period) or from EXPIRED (a lapsed contract won back).
type RenewContractInput struct {
	ContractID string `json:"contractId"`
	// TermMonths and ChangePercent default to the contract's renewal
	// policy; StartDate to the day after its end date.
	TermMonths    int         `json:"termMonths,omitempty"`
	ChangePercent string      `json:"changePercent,omitempty"`
	StartDate     jobfsm.Date `json:"startDate,omitzero"`
	Reason        string      `json:"reason,omitempty"`
}

// Validate checks the input.
func (in RenewContractInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ContractID, validation.Required),
		validation.Field(&in.TermMonths, validation.Min(0), validation.Max(120)),
		validation.Field(&in.ChangePercent, validation.By(changePercent)),
		validation.Field(&in.Reason, validation.Length(0, 2000)),
	)
}

// renewal is how a contract is renewed.
type renewal struct {
	months    int
	percent   string
	start     jobfsm.Date // zero: the day after the end date
	automatic bool
	reason    string
}

func (c *call) renewContract(in *RenewContractInput) (*Contract, error) {
	return inTx(c, "renew-contract", func(t *txn) (*Contract, error) {
		k, err := load(t, contractsTable, in.ContractID)
		if err != nil {
			return nil, err
		}
		if in.StartDate != (jobfsm.Date{}) && cmpDate(in.StartDate, k.EndDate) <= 0 {
			return nil, fieldError(CodeValidationFailed, "startDate", "validation_term", "the new term starts after the contract's end date "+k.EndDate.String())
		}
		return c.renew(t, k, renewal{months: or(in.TermMonths, k.RenewalTermMonths),
			percent: or(in.ChangePercent, k.RenewalChangePercent), start: in.StartDate, reason: in.Reason})
	})
}

// renew creates the successor of k for the next term, prices changed by
// the renewal's percent (each amount rounded half up to the currency's
// minor unit), with k's schedules, and the agreement's renewal history
// plus this renewal; k becomes RENEWED and serves out its term.
func (c *call) renew(t *txn, k *Contract, r renewal) (*Contract, error) {
	_, loc, err := zone(t)
	if err != nil {
		return nil, err
	}
	if _, err := contractEdge(k, ContractRenewed, contractMove{today: today(c.now, loc), renewing: true}); err != nil {
		return nil, err
	}
	pct, err := pricing.ParsePercent(r.percent)
	if err != nil {
		return nil, err
	}
	factor := decimal.NewFromInt(1).Add(pct.Fraction())
	uplift := func(s string) (string, error) {
		if s == "" {
			return "", nil
		}
		m, err := pricing.NewMoney(s, k.Currency)
		return m.Mul(factor).Round(pricing.RoundHalfUp).Number(), err
	}
	n := *k
	n.Meta = Meta{ID: c.e.newID()}
	n.Status = ContractActive
	n.StartDate = or(r.start, addDays(k.EndDate, 1))
	n.EndDate = addDays(addMonths(n.StartDate, r.months), -1)
	n.RenewalTermMonths = r.months
	n.RenewalNoticeDate = addDays(n.EndDate, -n.RenewalNoticeDays)
	n.NoticeAt, n.SignedAt, n.SignedBy, n.DocumentURL = time.Time{}, time.Time{}, "", ""
	n.RenewedFromID, n.RenewedToID = k.ID, ""
	if k.SLA != nil {
		sla := *k.SLA
		n.SLA = &sla
	}
	if n.Value, err = uplift(k.Value); err != nil {
		return nil, err
	}
	if n.BillingAmount, err = uplift(k.BillingAmount); err != nil {
		return nil, err
	}
	n.ServiceItems = slices.Clone(k.ServiceItems)
	for i := range n.ServiceItems {
		it := &n.ServiceItems[i]
		if it.UnitPrice, err = uplift(it.UnitPrice); err != nil {
			return nil, err
		}
		if err := it.price(k.Currency); err != nil {
			return nil, err
		}
	}
	year := fmt.Sprint(c.now.In(loc).Year())
	seq, err := t.tx.NextNumber(t.ctx, "contract-"+year)
	if err != nil {
		return nil, err
	}
	n.Number = fmt.Sprintf("SC-%s-%06d", year, seq)
	n.Renewals = append(slices.Clone(k.Renewals), ContractRenewal{
		Number: len(k.Renewals) + 1, PreviousContractID: k.ID, ContractID: n.ID,
		PreviousEndDate: k.EndDate, NewStartDate: n.StartDate, NewEndDate: n.EndDate,
		PreviousValue: k.Value, NewValue: n.Value, ChangePercent: pct.String(),
		Automatic: r.automatic, RenewedAt: c.now, RenewedBy: c.request("", "").Actor,
	})
	n.History = []jobfsm.Entry[ContractStatus]{c.contractEntry("", ContractActive, ContractRenew, "", "renewal of "+k.Number)}
	if err := insert(t, contractsTable, &n); err != nil {
		return nil, err
	}
	scheds, err := find(t, schedulesTable, Query{Where: []Cond{Eq("contract_id", k.ID)}})
	if err != nil {
		return nil, err
	}
	for _, s := range scheds {
		if !s.Active || (s.EndDate != (jobfsm.Date{}) && cmpDate(s.EndDate, n.StartDate) < 0) {
			continue
		}
		ns := *s
		ns.Meta, ns.ContractID, ns.GeneratedThrough = Meta{ID: c.e.newID()}, n.ID, jobfsm.Date{}
		if err := insert(t, schedulesTable, &ns); err != nil {
			return nil, err
		}
	}
	k.RenewedToID = n.ID
	reason := or(r.reason, "renewed as "+n.Number)
	if err := c.moveContract(t, k, ContractRenewed, contractMove{today: today(c.now, loc), renewing: true}, reason); err != nil {
		return nil, err
	}
	if err := emitContractEvent(t, k, EventContractRenewed, "", func(e *ContractEvent) { e.SuccessorID = n.ID }); err != nil {
		return nil, err
	}
	return &n, emitContractEvent(t, &n, EventContractStatusChanged, "", nil)
}

// processRenewal does what the renewal policy calls for today (in the
// organization's time zone): the CONTRACT_RENEWAL_NOTICE event when an
// ACTIVE contract enters its notice period; the renewal of an auto-renewing
// one on its end date; the expiration of an ACTIVE contract that does not
// auto-renew, or a SUSPENDED one, after its end date. What was done is not
// done again: running it twice changes nothing the second time.
func (c *call) processRenewal(in *ContractIDInput) (*Contract, error) {
	return inTx(c, "process-renewal", func(t *txn) (*Contract, error) {
		k, err := load(t, contractsTable, in.ContractID)
		if err != nil {
			return nil, err
		}
		_, loc, err := zone(t)
		if err != nil {
			return nil, err
		}
		day := today(c.now, loc)
		if k.Status == ContractActive && k.NoticeAt.IsZero() && cmpDate(day, k.RenewalNoticeDate) >= 0 {
			k.NoticeAt = c.now
			if err := update(t, contractsTable, k); err != nil {
				return nil, err
			}
			if err := emitContractEvent(t, k, EventContractRenewalNotice, "", nil); err != nil {
				return nil, err
			}
		}
		switch {
		case k.Status == ContractActive && k.AutoRenew && cmpDate(day, k.EndDate) >= 0:
			if _, err := c.renew(t, k, renewal{months: k.RenewalTermMonths, percent: k.RenewalChangePercent, automatic: true}); err != nil {
				return nil, err
			}
		case (k.Status == ContractActive || k.Status == ContractSuspended) && cmpDate(day, k.EndDate) > 0:
			if err := c.moveContract(t, k, ContractExpired, contractMove{today: day}, "the term ended on "+k.EndDate.String()); err != nil {
				return nil, err
			}
		}
		return k, nil
	})
}

// SLAFigures are a contract's service figures over some visits: the
// response and resolution targets of their jobs (met, or missed — a target
// still running past its due counts as missed), and the visits due (their
// window over, not cancelled nor rescheduled) done within their window.
// Percentages are rounded half up to two places; empty when nothing was
// measured. Durations are business minutes under a business-hours policy.
type SLAFigures struct {
	Jobs                 int    `json:"jobs"`
	ResponseMet          int    `json:"responseMet"`
	ResponseMissed       int    `json:"responseMissed"`
	ResolutionMet        int    `json:"resolutionMet"`
	ResolutionMissed     int    `json:"resolutionMissed"`
	ResponseMinutes      int    `json:"responseMinutes"`
	ResolutionMinutes    int    `json:"resolutionMinutes"`
	ResponseCompliance   string `json:"responseCompliance,omitempty"`
	ResolutionCompliance string `json:"resolutionCompliance,omitempty"`
	AvgResponseMinutes   int    `json:"avgResponseMinutes,omitempty"`
	AvgResolutionMinutes int    `json:"avgResolutionMinutes,omitempty"`
	VisitsDue            int    `json:"visitsDue"`
	VisitsOnTime         int    `json:"visitsOnTime"`
	VisitsLate           int    `json:"visitsLate"`
	VisitsMissed         int    `json:"visitsMissed"`
	VisitCompliance      string `json:"visitCompliance,omitempty"`
	// Score is the mean of the compliance percentages measured.
	Score string `json:"score,omitempty"`
}

// add adds o's counts to f.
func (f *SLAFigures) add(o SLAFigures) {
	f.Jobs += o.Jobs
	f.ResponseMet += o.ResponseMet
	f.ResponseMissed += o.ResponseMissed
	f.ResolutionMet += o.ResolutionMet
	f.ResolutionMissed += o.ResolutionMissed
	f.ResponseMinutes += o.ResponseMinutes
	f.ResolutionMinutes += o.ResolutionMinutes
	f.VisitsDue += o.VisitsDue
	f.VisitsOnTime += o.VisitsOnTime
	f.VisitsLate += o.VisitsLate
	f.VisitsMissed += o.VisitsMissed
}

// finish derives the percentages, averages and score from the counts.
func (f *SLAFigures) finish() {
	f.ResponseCompliance = percentOf(f.ResponseMet, f.ResponseMet+f.ResponseMissed)
	f.ResolutionCompliance = percentOf(f.ResolutionMet, f.ResolutionMet+f.ResolutionMissed)
	f.VisitCompliance = percentOf(f.VisitsOnTime, f.VisitsDue)
	f.AvgResponseMinutes = ratio(f.ResponseMinutes, f.ResponseMet+f.ResponseMissed)
	f.AvgResolutionMinutes = ratio(f.ResolutionMinutes, f.ResolutionMet+f.ResolutionMissed)
	sum, n := decimal.Zero, 0
	for _, p := range []string{f.ResponseCompliance, f.ResolutionCompliance, f.VisitCompliance} {
		if p != "" {
			sum, n = sum.Add(decimal.RequireFromString(p)), n+1
		}
	}
	f.Score = ""
	if n > 0 {
		f.Score = sum.DivRound(decimal.NewFromInt(int64(n)), 2).StringFixed(2)
	}
}

// percentOf is 100 × n / d rounded half up to two places, or "" if d is 0.
func percentOf(n, d int) string {
	if d == 0 {
		return ""
	}
	return decimal.NewFromInt(int64(n)*100).DivRound(decimal.NewFromInt(int64(d)), 2).StringFixed(2)
}

// ratio is n / d rounded half up, or 0 if d is 0.
func ratio(n, d int) int {
	if d == 0 {
		return 0
	}
	return int(decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(int64(d)), 0).IntPart())
}

// measure counts one SLA target of a job.
func measure(ts jobfsm.TargetStatus, met, missed, minutes *int) {
	switch {
	case ts.State == jobfsm.TargetMet:
		*met++
	case ts.State == jobfsm.TargetMissed || (ts.Breached && (ts.State == jobfsm.TargetRunning || ts.State == jobfsm.TargetPaused)):
		*missed++
	default:
		return
	}
	*minutes += int(ts.Elapsed / time.Minute)
}

// SLARecord is a contract's SLA score for one calendar month (in the
// organization's time zone), from its visits and their jobs. There is one
// per contract and month; scoring the month again updates it only if a
// figure changed.
type SLARecord struct {
	Meta
	ContractID  string      `json:"contractId"`
	Period      string      `json:"period"` // 2026-11
	PeriodStart jobfsm.Date `json:"periodStart"`
	PeriodEnd   jobfsm.Date `json:"periodEnd"`
	SLAFigures
	// ComputedAt is when the figures were last computed, as of which
	// targets still running and visits not yet due were left out.
	ComputedAt time.Time `json:"computedAt"`
}

var slaRecordsTable = table[SLARecord]{
	spec: TableSpec{
		Name:   "contract_sla_records",
		Keys:   []string{"contract_id", "period"},
		Unique: [][]string{{"contract_id", "period"}},
	},
	keys: func(r *SLARecord) map[string]string { return keys("contract_id", r.ContractID, "period", r.Period) },
}

// ScoreSLAInput scores a contract's month.
type ScoreSLAInput struct {
	ContractID string `json:"contractId"`
	// Period is the month, 2026-11.
	Period string `json:"period"`
}

// Validate checks the input.
func (in ScoreSLAInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ContractID, validation.Required),
		validation.Field(&in.Period, validation.Required, validation.By(func(any) error {
			if _, err := time.Parse("2006-01", in.Period); err != nil {
				return validation.NewError("validation_period", "must be a month such as 2026-11")
			}
			return nil
		})),
	)
}

// monthOf is the first and last day of the month named period (2026-11).
func monthOf(period string) (first, last jobfsm.Date) {
	p, _ := time.Parse("2006-01", period)
	first = jobfsm.DateOf(p)
	return first, addDays(addMonths(first, 1), -1)
}

func (c *call) scoreSLA(in *ScoreSLAInput) (*SLARecord, error) {
	return inTx(c, "score-sla", func(t *txn) (*SLARecord, error) {
		k, err := load(t, contractsTable, in.ContractID)
		if err != nil {
			return nil, err
		}
		_, loc, err := zone(t)
		if err != nil {
			return nil, err
		}
		first, last := monthOf(in.Period)
		if cmpDate(first, today(c.now, loc)) > 0 {
			return nil, fieldError(CodeValidationFailed, "period", "validation_period", "the month has not started")
		}
		f, err := c.figures(t, k, wallTime(first, 0, loc), wallTime(addDays(last, 1), 0, loc))
		if err != nil {
			return nil, err
		}
		rs, err := find(t, slaRecordsTable, Query{Where: []Cond{Eq("contract_id", k.ID), Eq("period", in.Period)}, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(rs) == 1 {
			r := rs[0]
			if r.SLAFigures == f {
				return r, nil
			}
			r.SLAFigures, r.ComputedAt = f, c.now
			return r, update(t, slaRecordsTable, r)
		}
		r := &SLARecord{Meta: Meta{ID: c.e.newID()}, ContractID: k.ID, Period: in.Period,
			PeriodStart: first, PeriodEnd: last, SLAFigures: f, ComputedAt: c.now}
		return r, insert(t, slaRecordsTable, r)
	})
}

// figures measures the contract's visits whose window starts in [from, to)
// and their jobs, now.
func (c *call) figures(t *txn, k *Contract, from, to time.Time) (SLAFigures, error) {
	var f SLAFigures
	vs, err := find(t, scheduledVisitsTable, Query{Where: []Cond{Eq("contract_id", k.ID),
		Gte("starts_at", timeKey(from)), Lt("starts_at", timeKey(to))}})
	if err != nil {
		return f, err
	}
	for _, v := range vs {
		if v.Status == ScheduledVisitCancelled || v.Status == ScheduledVisitRescheduled || v.Window.End.After(c.now) {
			continue
		}
		f.VisitsDue++
		switch {
		case v.Status == ScheduledVisitCompleted && !v.CompletedAt.After(v.Window.End):
			f.VisitsOnTime++
		case v.Status == ScheduledVisitCompleted:
			f.VisitsLate++
		default:
			f.VisitsMissed++
		}
		if v.JobID == "" {
			continue
		}
		j, err := load(t, jobsTable, v.JobID)
		if err != nil {
			return f, err
		}
		st, err := c.slaStatus(t, j, c.now)
		if err != nil {
			return f, err
		}
		f.Jobs++
		measure(st.Response, &f.ResponseMet, &f.ResponseMissed, &f.ResponseMinutes)
		measure(st.Resolution, &f.ResolutionMet, &f.ResolutionMissed, &f.ResolutionMinutes)
	}
	f.finish()
	return f, nil
}

func (c *call) listSLARecords(in *ContractIDInput) (*[]SLARecord, error) {
	return inTx(c, "list-sla-records", func(t *txn) (*[]SLARecord, error) {
		if _, err := load(t, contractsTable, in.ContractID); err != nil {
			return nil, err
		}
		rs, err := find(t, slaRecordsTable, Query{Where: []Cond{Eq("contract_id", in.ContractID)}, OrderBy: "period"})
		if err != nil {
			return nil, err
		}
		out := make([]SLARecord, len(rs))
		for i, r := range rs {
			out[i] = *r
		}
		return &out, nil
	})
}

// RenewalAction is what the renewal agent recommends.
type RenewalAction string

// The renewal recommendations.
const (
	RenewalRenew                RenewalAction = "RENEW"
	RenewalRenewWithPriceChange RenewalAction = "RENEW_WITH_PRICE_CHANGE"
	RenewalReview               RenewalAction = "REVIEW"
)

// The renewal agent's thresholds, in percent.
const (
	// A score below RenewalReviewBelow calls for a review before renewing.
	RenewalReviewBelow = 80
	// A score from RenewalReviewBelow to below RenewalHoldPriceBelow renews
	// at the same price; from it up, with the contract's price change.
	RenewalHoldPriceBelow = 95
	// RenewalTargetMargin is the margin a renewal's price aims at when the
	// contract's job profitability is known.
	RenewalTargetMargin = 20
)

// ContractPerformance is a contract's service over its scored months, and
// its margin when the host knows its job profitability.
type ContractPerformance struct {
	Periods int `json:"periods"`
	SLAFigures
	MarginPercent string `json:"marginPercent,omitempty"`
}

// RenewalRecommendation is the renewal agent's advice on a contract.
type RenewalRecommendation struct {
	ContractID     string        `json:"contractId"`
	ContractNumber string        `json:"contractNumber"`
	Action         RenewalAction `json:"action"`
	// ChangePercent is the price change to renew with.
	ChangePercent string              `json:"changePercent"`
	Reasons       []string            `json:"reasons"`
	Performance   ContractPerformance `json:"performance"`
}

// RecommendRenewal is the renewal agent: deterministic advice from a
// contract's performance and its configured price change (a percent).
//
//   - No scored service: REVIEW.
//   - A score below 80 %: REVIEW, naming the figures below 80 %.
//   - A known margin below 20 %: RENEW_WITH_PRICE_CHANGE by the larger of
//     the configured change and the change that brings the margin to 20 %
//     (rounded up to two places).
//   - A score of 95 % or more: renew with the configured change
//     (RENEW_WITH_PRICE_CHANGE, or RENEW if it is 0).
//   - From 80 % to below 95 %: RENEW at the same price.
func RecommendRenewal(p ContractPerformance, configuredChange string) RenewalRecommendation {
	rec := RenewalRecommendation{Action: RenewalReview, ChangePercent: "0", Reasons: []string{}, Performance: p}
	if p.Score == "" {
		rec.Reasons = append(rec.Reasons, "no scored service yet: score the contract's months first")
		return rec
	}
	score := decimal.RequireFromString(p.Score)
	if score.LessThan(decimal.NewFromInt(RenewalReviewBelow)) {
		rec.Reasons = append(rec.Reasons, fmt.Sprintf("SLA score %s %% is below %d %%", p.Score, RenewalReviewBelow))
		for _, m := range []struct{ name, value string }{
			{"response compliance", p.ResponseCompliance}, {"resolution compliance", p.ResolutionCompliance}, {"visit compliance", p.VisitCompliance},
		} {
			if m.value != "" && decimal.RequireFromString(m.value).LessThan(decimal.NewFromInt(RenewalReviewBelow)) {
				rec.Reasons = append(rec.Reasons, fmt.Sprintf("%s %s %% is below %d %%", m.name, m.value, RenewalReviewBelow))
			}
		}
		return rec
	}
	configured := decimal.Zero
	if configuredChange != "" {
		configured = decimal.RequireFromString(configuredChange)
	}
	if p.MarginPercent != "" {
		margin := decimal.RequireFromString(p.MarginPercent)
		if target := decimal.NewFromInt(RenewalTargetMargin); margin.LessThan(target) {
			// price × (1 − m) is the cost; at the target margin the price
			// is cost / (1 − target).
			hundred := decimal.NewFromInt(100)
			needed := hundred.Sub(margin).Mul(hundred).DivRound(hundred.Sub(target), 8).Sub(hundred).RoundCeil(2)
			rec.Action, rec.ChangePercent = RenewalRenewWithPriceChange, decimal.Max(needed, configured).String()
			rec.Reasons = append(rec.Reasons, fmt.Sprintf("margin %s %% is below %d %%: a %s %% price change brings it there",
				p.MarginPercent, RenewalTargetMargin, needed.String()))
			return rec
		}
	}
	if score.LessThan(decimal.NewFromInt(RenewalHoldPriceBelow)) {
		rec.Action = RenewalRenew
		rec.Reasons = append(rec.Reasons, fmt.Sprintf("SLA score %s %% is good but below %d %%: renew at the same price", p.Score, RenewalHoldPriceBelow))
		return rec
	}
	rec.Reasons = append(rec.Reasons, fmt.Sprintf("SLA score %s %% is excellent", p.Score))
	if configured.IsZero() {
		rec.Action = RenewalRenew
		return rec
	}
	rec.Action, rec.ChangePercent = RenewalRenewWithPriceChange, configured.String()
	return rec
}

// RenewalRecommendationInput asks the renewal agent about a contract.
type RenewalRecommendationInput struct {
	ContractID string `json:"contractId"`
	// MarginPercent is the contract's job margin, when the host knows it.
	MarginPercent string `json:"marginPercent,omitempty"`
}

// Validate checks the input.
func (in RenewalRecommendationInput) Validate() error {
	return validation.ValidateStruct(&in,
		validation.Field(&in.ContractID, validation.Required),
		validation.Field(&in.MarginPercent, validation.By(percent)),
	)
}

func (c *call) renewalRecommendation(in *RenewalRecommendationInput) (*RenewalRecommendation, error) {
	return inTx(c, "renewal-recommendation", func(t *txn) (*RenewalRecommendation, error) {
		k, err := load(t, contractsTable, in.ContractID)
		if err != nil {
			return nil, err
		}
		rs, err := find(t, slaRecordsTable, Query{Where: []Cond{Eq("contract_id", k.ID)}})
		if err != nil {
			return nil, err
		}
		p := ContractPerformance{Periods: len(rs), MarginPercent: in.MarginPercent}
		for _, r := range rs {
			p.add(r.SLAFigures)
		}
		p.finish()
		rec := RecommendRenewal(p, k.RenewalChangePercent)
		rec.ContractID, rec.ContractNumber = k.ID, k.Number
		return &rec, nil
	})
}
