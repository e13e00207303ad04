// Package dispatch assigns and routes technicians: feasibility checks that
// explain every exclusion, travel-time models, and an optimizer that builds
// and repairs plans for a day.
//
// Input is a [Snapshot]: the [Technician]s (skills with levels,
// certifications with expiry, territories, shifts with overtime, time off,
// breaks, start and end locations, job and work limits, the parts on the
// truck), the [Job]s (location, duration, possibly by skill level, arrival
// windows hard or soft, required skills, certifications and parts,
// [Priority], SLA deadline, territory, pin or lock), a [TravelTimer] and
// Now. Output is a [Plan]: one [Route] per technician shift with arrival,
// start and departure times, and the [Unassigned] jobs, each with one
// [Reason] per technician. The package is pure: no I/O, no clock reads, no
// package state; the caller passes the time (Snapshot.Now) and, for time
// limits, a clock function (Options.Clock).
//
// # Feasibility and "why not Maria"
//
// Whether a technician may take a job is decided by a pipeline of small
// rules, applied in a fixed order; the first that fails is the reason, with
// a stable [ReasonCode] and a detail for the dispatcher:
//
//	LICENSE_INVALID, INSURANCE_INVALID   the organization's compliance (Snapshot.Compliance)
//	TECHNICIAN_INACTIVE                  the technician is not active
//	PINNED_ELSEWHERE                     the job is pinned to someone else
//	SKILL_MISSING, SKILL_LEVEL_TOO_LOW   trades and levels
//	CERTIFICATION_MISSING, _EXPIRED      certifications valid on the job date
//	TERRITORY_MISMATCH                   service areas
//	PARTS_MISSING                        the truck lacks the parts
//	OUTSIDE_SHIFT, TIME_OFF              no shift span reaches a window and returns in time
//	MAX_JOBS_REACHED, MAX_WORK_REACHED,  the planned day is full: limits,
//	PARTS_ALLOCATED, SCHEDULE_FULL       parts taken by other jobs, no feasible slot
//
// [Check] answers the engine's single question (can technician T take job
// J starting at S, given T's appointments?) with the same pipeline plus the
// rules of a requested start (OUTSIDE_WINDOW, SCHEDULE_CONFLICT with travel
// to and from the neighbouring appointments). Its errors are [*RuleError]s
// that match one sentinel per family with errors.Is ([ErrUnqualified],
// [ErrUnavailable], [ErrConflict], [ErrShortage], [ErrLicenseInvalid],
// [ErrInsuranceInvalid]), which the engine maps to TECHNICIAN_UNAVAILABLE,
// SCHEDULING_CONFLICT, INVENTORY_SHORTAGE, LICENSE_INVALID and
// INSURANCE_INVALID.
//
// # The objective
//
// Plans are compared level by level:
//
//  1. assigned jobs by priority, strictly lexicographic: one EMERGENCY
//     outranks any number of HIGH, MEDIUM and LOW jobs, and so on; within a
//     priority the assigned Job.Value counts first, then the number of jobs;
//  2. lateness past soft windows and SLA deadlines, weighted by priority;
//  3. travel time;
//  4. overtime, weighted by the technician's hourly cost;
//  5. optionally, balance: the squared work of each shift (Weights.Balance).
//
// Level 1 is never traded against the others. Levels 2 to 5 are combined
// with the exchange rates of [Weights] (by default one second late on a LOW
// job costs 100 seconds of driving, one second of overtime 2): strictly
// lexicographic lateness would send a technician across town to save one
// minute of lateness, which no dispatcher wants. Hard rules (skills,
// windows, shifts, breaks, limits, parts, locks) are never relaxed: every
// plan returned is feasible.
//
// # The optimizer
//
// [Optimize] (or [New] then [Optimizer.Optimize]) builds a plan by regret
// insertion and improves it by ruin and recreate (slack-induced string
// removals, greedy reinsertion with blinks) under simulated annealing; see
// README.md for the pipeline and the measurements. It is anytime: it stops
// at the context's deadline or cancellation, at Options.TimeLimit, or after
// Options.Iterations, and returns the best plan found. With an iteration
// budget it is deterministic for a seed.
//
// An [Optimizer] keeps the compiled snapshot (travel matrix, eligibility),
// so that a live day is served in milliseconds: [Optimizer.Insert] places an
// emergency into a plan moving as few jobs as possible (never a locked one)
// and returns the [Change]s; [Optimizer.Reoptimize] improves a plan while
// charging for moving jobs whose customers were told a window
// (Job.Notified); [Plan.Board] lays a plan out per technician with its idle
// gaps.
//
// [VROOMInput] reads and writes the JSON of the VROOM solver, so teams
// feeding VROOM can switch by swapping a binary (examples/vroomcompat).
//
// # Example
//
//	s := &dispatch.Snapshot{
//		Now:         now,
//		Technicians: techs,
//		Jobs:        jobs,
//		Travel:      dispatch.Haversine{RoadFactor: 1.3, KPH: 40},
//	}
//	plan, err := dispatch.Optimize(ctx, s, &dispatch.Options{Clock: time.Now, TimeLimit: 2 * time.Second})
//	for _, u := range plan.Unassigned {
//		for _, why := range u.Reasons {
//			fmt.Println(u.JobID, why.TechnicianID, why.Code, why.Detail)
//		}
//	}
package dispatch
