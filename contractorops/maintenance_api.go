package contractorops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/jobfsm"
)

// MaintenanceService runs maintenance contracts (service agreements).
//
// # Contracts
//
// A [Contract] serves a customer's service location, or an association, for
// a term: its start and end dates, both included, in the organization's time
// zone. It is numbered SC-YYYY-NNNNNN, priced in decimal strings in a
// currency, lists its [ServiceItem] lines and may carry its own SLA
// ([ContractSLA]). It moves through [ContractTable] only: drafted, submitted
// for approval, activated, suspended and resumed, cancelled, expired after
// its end date, renewed; a refused move is ILLEGAL_TRANSITION naming the
// [ContractRule]. Its terms change while DRAFT or ACTIVE.
//
// # Schedules and visits
//
// A [Schedule] recurs DAILY to ANNUAL on a preferred weekday or day of the
// month, in a window of the day in the organization's time zone
// ([Schedule.Occurrences]). Visits are generated over a rolling horizon
// (GenerateVisits, or the maintenance-visits task: 60 days ahead). A
// [ScheduledVisit]'s identity is its schedule and day, so generating again,
// for the same or an overlapping horizon, creates nothing new, and visits
// are never generated past the schedule's or the contract's end date.
//
// A visit is released to dispatch when its window opens (ReleaseVisit, or
// the maintenance-release task): a job opens, source RECURRING, external
// reference the visit, under the contract's SLA policy, its description the
// visit's service items, and the schedule's technician is assigned from the
// window's start through dispatch's own checks (compliance gate, skills,
// shift, time off, other appointments; assignment source CONTRACT). When
// they refuse, the job is booked for the window unassigned and the visit
// says why (DispatchNote); from there it is dispatched like any job. The job
// opens as of the window's start, so that its SLA — which jobfsm starts
// when a job opens — counts from the moment the contract promised the
// visit: a response target of 4 hours means a technician on the way within
// 4 business hours of the window's start. Released early by hand, it counts
// from the release.
//
// The visit then follows its job: IN_PROGRESS when the job starts,
// COMPLETED when it completes, CANCELLED when it is cancelled. A visit whose
// window passes with no work started is MISSED (the
// maintenance-missed-visits task, with a SCHEDULED_VISIT_MISSED event); it
// can still be worked late, rescheduled or cancelled. Rescheduling keeps the
// history: the visit becomes RESCHEDULED, linked to its replacement, and its
// job, if released, is cancelled (reason RESCHEDULED) so that the
// replacement's job measures the new window.
//
// # SLA scores
//
// ScoreSLA (the maintenance-sla-scores task, for the month that ended)
// measures a contract's month from real data: the response and resolution
// targets of its visits' jobs as their jobfsm SLA clocks stand (met, or
// missed — a target still running past its due is missed), and visit
// compliance: visits done within their window over visits due. One
// [SLARecord] per contract and month.
//
// # Renewals
//
// An ACTIVE contract enters its notice period RenewalNoticeDays before its
// end date (a CONTRACT_RENEWAL_NOTICE event). On its end date an
// auto-renewing contract is renewed: a successor contract takes the next
// term (RenewalTermMonths), its prices changed by RenewalChangePercent, each
// amount rounded half up to the currency's minor unit, with the same
// schedules and the agreement's renewal history ([ContractRenewal]); the old
// contract becomes RENEWED and serves out its last days. A contract that
// does not auto-renew, or a suspended one, expires the day after its end
// date. RenewContract renews by hand, from ACTIVE or EXPIRED. The
// maintenance-renewals task does all this, once: running it twice changes
// nothing the second time. RenewalRecommendation is the renewal agent
// ([RecommendRenewal]).
type MaintenanceService struct {
	createContract        proc[CreateContractInput, Contract]
	updateContract        proc[UpdateContractInput, Contract]
	getContract           proc[IDInput, Contract]
	listContracts         proc[ListContractsInput, Page[Contract]]
	updateContractStatus  proc[UpdateContractStatusInput, Contract]
	addServiceItem        proc[AddServiceItemInput, Contract]
	removeServiceItem     proc[ServiceItemRef, Contract]
	renewContract         proc[RenewContractInput, Contract]
	processRenewal        proc[ContractIDInput, Contract]
	createSchedule        proc[CreateScheduleInput, Schedule]
	updateSchedule        proc[UpdateScheduleInput, Schedule]
	listSchedules         proc[ContractIDInput, []Schedule]
	generateVisits        proc[GenerateVisitsInput, GeneratedVisits]
	releaseVisit          proc[VisitIDInput, ScheduledVisit]
	getVisit              proc[VisitIDInput, ScheduledVisit]
	listVisits            proc[ListVisitsInput, Page[ScheduledVisit]]
	confirmVisit          proc[VisitChangeInput, ScheduledVisit]
	cancelVisit           proc[CancelVisitInput, ScheduledVisit]
	rescheduleVisit       proc[RescheduleVisitInput, Rescheduled]
	assignVisit           proc[AssignVisitInput, ScheduledVisit]
	checkVisit            proc[VisitIDInput, ScheduledVisit]
	scoreSLA              proc[ScoreSLAInput, SLARecord]
	listSLARecords        proc[ContractIDInput, []SLARecord]
	renewalRecommendation proc[RenewalRecommendationInput, RenewalRecommendation]
}

// CreateContract drafts a contract, numbered SC-YYYY-NNNNNN.
func (s *MaintenanceService) CreateContract(ctx context.Context, scope Scope, key string, in CreateContractInput) (*Contract, error) {
	return s.createContract.do(ctx, scope, key, in)
}

// UpdateContract replaces a DRAFT or ACTIVE contract's terms.
func (s *MaintenanceService) UpdateContract(ctx context.Context, scope Scope, key string, in UpdateContractInput) (*Contract, error) {
	return s.updateContract.do(ctx, scope, key, in)
}

// GetContract reads a contract.
func (s *MaintenanceService) GetContract(ctx context.Context, scope Scope, id string) (*Contract, error) {
	return s.getContract.get(ctx, scope, IDInput{ID: id})
}

// ListContracts lists contracts by number.
func (s *MaintenanceService) ListContracts(ctx context.Context, scope Scope, in ListContractsInput) (*Page[Contract], error) {
	return s.listContracts.get(ctx, scope, in)
}

// UpdateContractStatus moves a contract through [ContractTable]; a refusal
// is ILLEGAL_TRANSITION naming the [ContractRule].
func (s *MaintenanceService) UpdateContractStatus(ctx context.Context, scope Scope, key string, in UpdateContractStatusInput) (*Contract, error) {
	return s.updateContractStatus.do(ctx, scope, key, in)
}

// AddServiceItem adds a service item to a DRAFT or ACTIVE contract.
func (s *MaintenanceService) AddServiceItem(ctx context.Context, scope Scope, key string, in AddServiceItemInput) (*Contract, error) {
	return s.addServiceItem.do(ctx, scope, key, in)
}

// RemoveServiceItem removes a service item no schedule performs.
func (s *MaintenanceService) RemoveServiceItem(ctx context.Context, scope Scope, key string, in ServiceItemRef) (*Contract, error) {
	return s.removeServiceItem.do(ctx, scope, key, in)
}

// RenewContract renews a contract by hand and returns its successor.
func (s *MaintenanceService) RenewContract(ctx context.Context, scope Scope, key string, in RenewContractInput) (*Contract, error) {
	return s.renewContract.do(ctx, scope, key, in)
}

// ProcessRenewal does what the contract's renewal policy calls for today:
// notice, auto-renewal or expiration. The maintenance-renewals task runs it.
func (s *MaintenanceService) ProcessRenewal(ctx context.Context, scope Scope, key, contractID string) (*Contract, error) {
	return s.processRenewal.do(ctx, scope, key, ContractIDInput{ContractID: contractID})
}

// CreateSchedule adds a schedule to a contract.
func (s *MaintenanceService) CreateSchedule(ctx context.Context, scope Scope, key string, in CreateScheduleInput) (*Schedule, error) {
	return s.createSchedule.do(ctx, scope, key, in)
}

// UpdateSchedule replaces a schedule's fields, for the visits generated
// from now on.
func (s *MaintenanceService) UpdateSchedule(ctx context.Context, scope Scope, key string, in UpdateScheduleInput) (*Schedule, error) {
	return s.updateSchedule.do(ctx, scope, key, in)
}

// ListSchedules lists a contract's schedules.
func (s *MaintenanceService) ListSchedules(ctx context.Context, scope Scope, contractID string) ([]Schedule, error) {
	out, err := s.listSchedules.get(ctx, scope, ContractIDInput{ContractID: contractID})
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// GenerateVisits generates a contract's visits through a day, idempotently,
// and releases those whose window is open.
func (s *MaintenanceService) GenerateVisits(ctx context.Context, scope Scope, key string, in GenerateVisitsInput) (*GeneratedVisits, error) {
	return s.generateVisits.do(ctx, scope, key, in)
}

// ReleaseVisit releases a visit to dispatch now, as a job.
func (s *MaintenanceService) ReleaseVisit(ctx context.Context, scope Scope, key, visitID string) (*ScheduledVisit, error) {
	return s.releaseVisit.do(ctx, scope, key, VisitIDInput{VisitID: visitID})
}

// GetVisit reads a scheduled visit. A technician reads only theirs.
func (s *MaintenanceService) GetVisit(ctx context.Context, scope Scope, visitID string) (*ScheduledVisit, error) {
	return s.getVisit.get(ctx, scope, VisitIDInput{VisitID: visitID})
}

// ListVisits lists scheduled visits by window. A technician lists only theirs.
func (s *MaintenanceService) ListVisits(ctx context.Context, scope Scope, in ListVisitsInput) (*Page[ScheduledVisit], error) {
	return s.listVisits.get(ctx, scope, in)
}

// ConfirmVisit records that the customer confirmed a visit.
func (s *MaintenanceService) ConfirmVisit(ctx context.Context, scope Scope, key string, in VisitChangeInput) (*ScheduledVisit, error) {
	return s.confirmVisit.do(ctx, scope, key, in)
}

// CancelVisit cancels a visit, and its job if released; it needs a reason
// code.
func (s *MaintenanceService) CancelVisit(ctx context.Context, scope Scope, key string, in CancelVisitInput) (*ScheduledVisit, error) {
	return s.cancelVisit.do(ctx, scope, key, in)
}

// RescheduleVisit moves a visit: it becomes RESCHEDULED and a linked new
// visit takes its place; a released job is cancelled (RESCHEDULED) and the
// new visit is released when its window opens.
func (s *MaintenanceService) RescheduleVisit(ctx context.Context, scope Scope, key string, in RescheduleVisitInput) (*Rescheduled, error) {
	return s.rescheduleVisit.do(ctx, scope, key, in)
}

// AssignVisit sets the technician of a visit not released yet.
func (s *MaintenanceService) AssignVisit(ctx context.Context, scope Scope, key string, in AssignVisitInput) (*ScheduledVisit, error) {
	return s.assignVisit.do(ctx, scope, key, in)
}

// CheckVisit marks a visit MISSED if its window passed with no work started.
// The maintenance-missed-visits task runs it.
func (s *MaintenanceService) CheckVisit(ctx context.Context, scope Scope, key, visitID string) (*ScheduledVisit, error) {
	return s.checkVisit.do(ctx, scope, key, VisitIDInput{VisitID: visitID})
}

// ScoreSLA computes and stores a contract's SLA record for a month.
func (s *MaintenanceService) ScoreSLA(ctx context.Context, scope Scope, key string, in ScoreSLAInput) (*SLARecord, error) {
	return s.scoreSLA.do(ctx, scope, key, in)
}

// ListSLARecords lists a contract's SLA records by month.
func (s *MaintenanceService) ListSLARecords(ctx context.Context, scope Scope, contractID string) ([]SLARecord, error) {
	out, err := s.listSLARecords.get(ctx, scope, ContractIDInput{ContractID: contractID})
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// RenewalRecommendation asks the renewal agent ([RecommendRenewal]) about
// a contract.
func (s *MaintenanceService) RenewalRecommendation(ctx context.Context, scope Scope, in RenewalRecommendationInput) (*RenewalRecommendation, error) {
	return s.renewalRecommendation.get(ctx, scope, in)
}

func (e *Engine) registerMaintenance() {
	office, manage, officeAgents := rolesOffice(), rolesManage(), with(rolesOffice(), RoleAgent)
	readers, visitReaders := with(rolesReaders(), RoleAgent), with(rolesReaders(), RoleAgent, RoleTechnician)
	engine := []Role{RoleOwner, RoleAdmin, RoleAgent}
	e.Maintenance = &MaintenanceService{
		createContract:        mutation(e, "maintenance/v1/createContract", "Draft a maintenance contract with its service items.", manage, (*call).createContract),
		updateContract:        mutation(e, "maintenance/v1/updateContract", "Change a draft or active contract's terms.", manage, (*call).updateContract),
		getContract:           query(e, "maintenance/v1/getContract", "Read a maintenance contract.", readers, (*call).getContract),
		listContracts:         query(e, "maintenance/v1/listContracts", "List maintenance contracts by number.", readers, (*call).listContracts),
		updateContractStatus:  mutation(e, "maintenance/v1/updateContractStatus", "Submit, activate, suspend, resume, cancel or expire a contract.", manage, (*call).updateContractStatus),
		addServiceItem:        mutation(e, "maintenance/v1/addServiceItem", "Add a service item to a contract.", manage, (*call).addServiceItem),
		removeServiceItem:     mutation(e, "maintenance/v1/removeServiceItem", "Remove a service item from a contract.", manage, (*call).removeServiceItem),
		renewContract:         mutation(e, "maintenance/v1/renewContract", "Renew a contract for a new term, as a successor contract.", manage, (*call).renewContract),
		processRenewal:        mutation(e, "maintenance/v1/processRenewal", "Give the renewal notice, auto-renew or expire a contract, as due today.", engine, (*call).processRenewal),
		createSchedule:        mutation(e, "maintenance/v1/createSchedule", "Add a recurring visit schedule to a contract.", office, (*call).createSchedule),
		updateSchedule:        mutation(e, "maintenance/v1/updateSchedule", "Change a schedule for the visits generated from now on.", office, (*call).updateSchedule),
		listSchedules:         query(e, "maintenance/v1/listSchedules", "List a contract's schedules.", readers, (*call).listSchedules),
		generateVisits:        mutation(e, "maintenance/v1/generateVisits", "Generate a contract's visits through a day (idempotent).", officeAgents, (*call).generateVisits),
		releaseVisit:          mutation(e, "maintenance/v1/releaseVisit", "Release a scheduled visit to dispatch as a job.", officeAgents, (*call).releaseVisit),
		getVisit:              query(e, "maintenance/v1/getVisit", "Read a scheduled visit.", visitReaders, (*call).getVisit),
		listVisits:            query(e, "maintenance/v1/listVisits", "List scheduled visits by window.", visitReaders, (*call).listVisitsOfContracts),
		confirmVisit:          mutation(e, "maintenance/v1/confirmVisit", "Record that the customer confirmed a visit.", office, (*call).confirmVisit),
		cancelVisit:           mutation(e, "maintenance/v1/cancelVisit", "Cancel a scheduled visit and its job.", office, (*call).cancelVisit),
		rescheduleVisit:       mutation(e, "maintenance/v1/rescheduleVisit", "Move a visit to another day or window, keeping its history.", office, (*call).rescheduleVisit),
		assignVisit:           mutation(e, "maintenance/v1/assignVisit", "Set the technician of a visit not released yet.", office, (*call).assignVisit),
		checkVisit:            mutation(e, "maintenance/v1/checkVisit", "Mark a visit missed when its window passed with no work.", engine, (*call).checkVisit),
		scoreSLA:              mutation(e, "maintenance/v1/scoreSLA", "Compute a contract's SLA record for a month.", officeAgents, (*call).scoreSLA),
		listSLARecords:        query(e, "maintenance/v1/listSLARecords", "List a contract's SLA records by month.", readers, (*call).listSLARecords),
		renewalRecommendation: query(e, "maintenance/v1/renewalRecommendation", "Ask the renewal agent whether and how to renew a contract.", readers, (*call).renewalRecommendation),
	}
	e.jobFollowers = append(e.jobFollowers, followJob)
	e.tasks = append(e.tasks, maintenanceTasks()...)
}

// visitHorizonDays is how far ahead the maintenance-visits task keeps
// visits generated.
const visitHorizonDays = 60

// maintenanceTasks are the periodic work of maintenance contracts. Each
// acts as of the earlier of its tick and the engine's clock, through
// commands keyed by what they act on: a second run of a tick changes
// nothing.
func maintenanceTasks() []Task {
	return []Task{{
		Name:        "maintenance-visits",
		Description: "Generate the visits of contracts in force for the next 60 days.",
		Schedule:    "0 20 * * * *",
		run: func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
			var due []dueCommand
			err := e.forTenant(ctx, org, tick, func(t *txn) error {
				_, loc, err := zone(t)
				if err != nil {
					return err
				}
				day := today(asOf(e, tick), loc)
				through := addDays(day, visitHorizonDays)
				ks, err := find(t, contractsTable, Query{Where: []Cond{Gte("end_date", day.String()),
					In("status", string(ContractActive), string(ContractRenewed))}})
				if err != nil {
					return err
				}
				for _, k := range ks {
					scheds, err := find(t, schedulesTable, Query{Where: []Cond{Eq("contract_id", k.ID)}})
					if err != nil {
						return err
					}
					for _, s := range scheds {
						if s.Active && cmpDate(s.GeneratedThrough, through) < 0 {
							due = append(due, dueCommand{"maintenance/v1/generateVisits", "maintenance-visits:" + k.ID + ":" + through.String(),
								&GenerateVisitsInput{ContractID: k.ID, Through: through}})
							break
						}
					}
				}
				return nil
			})
			if err != nil {
				return 0, err
			}
			return e.runDue(ctx, org, due)
		},
	}, {
		Name:        "maintenance-release",
		Description: "Release the scheduled visits whose window opened to dispatch, as jobs.",
		Schedule:    "0 */5 * * * *",
		run:         visitSweep("release_due", "maintenance/v1/releaseVisit", "maintenance-release:"),
	}, {
		Name:        "maintenance-missed-visits",
		Description: "Mark MISSED the scheduled visits whose window passed with no work started.",
		Schedule:    "30 */15 * * * *",
		run:         visitSweep("check_due", "maintenance/v1/checkVisit", "maintenance-check:"),
	}, {
		Name:        "maintenance-renewals",
		Description: "Give renewal notices, auto-renew contracts at their end date and expire the others.",
		Schedule:    "0 40 * * * *",
		run: func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
			var due []dueCommand
			err := e.forTenant(ctx, org, tick, func(t *txn) error {
				_, loc, err := zone(t)
				if err != nil {
					return err
				}
				ks, err := find(t, contractsTable, Query{OrderBy: "renewal_due",
					Where: []Cond{Lte("renewal_due", today(asOf(e, tick), loc).String())}, Limit: maxDuePerRun})
				for _, k := range ks {
					due = append(due, dueCommand{"maintenance/v1/processRenewal", "maintenance-renewal:" + k.ID + ":" + k.renewalDue().String(),
						&ContractIDInput{ContractID: k.ID}})
				}
				return err
			})
			if err != nil {
				return 0, err
			}
			return e.runDue(ctx, org, due)
		},
	}, {
		Name:        "maintenance-sla-scores",
		Description: "Score each contract's SLA for the month that ended.",
		Schedule:    "0 50 * * * *",
		run: func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
			var due []dueCommand
			err := e.forTenant(ctx, org, tick, func(t *txn) error {
				_, loc, err := zone(t)
				if err != nil {
					return err
				}
				day := today(asOf(e, tick), loc)
				first := addMonths(jobfsm.Date{Year: day.Year, Month: day.Month, Day: 1}, -1)
				period := first.String()[:7]
				_, last := monthOf(period)
				ks, err := find(t, contractsTable, Query{Where: []Cond{Gte("end_date", first.String()),
					In("status", string(ContractActive), string(ContractSuspended), string(ContractRenewed), string(ContractExpired))}})
				if err != nil {
					return err
				}
				for _, k := range ks {
					if cmpDate(k.StartDate, last) > 0 {
						continue
					}
					rs, err := find(t, slaRecordsTable, Query{Where: []Cond{Eq("contract_id", k.ID), Eq("period", period)}, Limit: 1})
					if err != nil {
						return err
					}
					if len(rs) == 0 {
						due = append(due, dueCommand{"maintenance/v1/scoreSLA", "maintenance-sla:" + k.ID + ":" + period,
							&ScoreSLAInput{ContractID: k.ID, Period: period}})
					}
				}
				return nil
			})
			if err != nil {
				return 0, err
			}
			return e.runDue(ctx, org, due)
		},
	}}
}

// asOf is the time a task acts as of: its tick, or the engine's clock if
// that is earlier, so that a run never acts ahead of the commands it
// executes (they run at the engine's clock).
func asOf(e *Engine, tick time.Time) time.Time {
	if now := e.now(); now.Before(tick) {
		return now
	}
	return tick
}

// dueCommand is a command a task found due.
type dueCommand struct {
	procedure, key string
	in             any
}

// runDue executes the commands a task found due for org, as the engine's
// own work. A business refusal means the item moved on since (a visit
// cancelled, a contract suspended): it is not a failure.
func (e *Engine) runDue(ctx context.Context, org string, due []dueCommand) (int, error) {
	scope := SystemScope(org, "maintenance")
	var errs []error
	for _, d := range due {
		if _, err := e.Execute(ctx, scope, d.procedure, d.key, d.in); err != nil && AsError(err).Type != TypeDomain {
			errs = append(errs, err)
		}
	}
	return len(due), errors.Join(errs...)
}

// visitSweep is a task running procedure on every scheduled visit whose
// time key is due. Its idempotency key is the visit's and, for a release,
// the number of status moves of its contract: a release skipped while the
// contract was suspended runs anew once it is resumed.
func visitSweep(timeKeyName, procedure, keyPrefix string) func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
	return func(ctx context.Context, e *Engine, org string, tick time.Time) (int, error) {
		var due []dueCommand
		err := e.forTenant(ctx, org, tick, func(t *txn) error {
			vs, err := find(t, scheduledVisitsTable, Query{OrderBy: timeKeyName,
				Where: []Cond{Lte(timeKeyName, timeKey(asOf(e, tick)))}, Limit: maxDuePerRun})
			if err != nil {
				return err
			}
			contracts := map[string]*Contract{}
			for _, v := range vs {
				key := keyPrefix + v.ID
				if procedure == "maintenance/v1/releaseVisit" {
					k, ok := contracts[v.ContractID]
					if !ok {
						if k, err = load(t, contractsTable, v.ContractID); err != nil {
							return err
						}
						contracts[v.ContractID] = k
					}
					if !k.Status.InForce() {
						continue
					}
					key += fmt.Sprintf(":%d", len(k.History))
				}
				due = append(due, dueCommand{procedure, key, &VisitIDInput{VisitID: v.ID}})
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		return e.runDue(ctx, org, due)
	}
}
