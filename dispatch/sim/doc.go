// Package sim simulates a contractor's dispatch day, so that a test harness
// can ask "what happens to the SLA hit rate if two technicians call in sick
// and a storm doubles the emergency calls?" and get an answer it can trust,
// reproduce and look at.
//
// # Scenarios
//
// A [Scenario] is one day as plain data, in a documented, versioned JSON
// schema ([Schema]; [ReadScenario], [Scenario.WriteJSON]): the service area
// (a disc around a city centre, cut into zones), the [Travel] model (a road
// factor and a speed by hour: rush hours are slower), the [SLAPolicy] of
// each priority, the technicians (skills with levels, certifications, one
// shift with its overtime allowance, a break, the parts on the truck) and
// every [Job] that will be called in, booked before the day into an arrival
// window or called during it, with its trade and level, priority, estimate
// and known parts, and its [Truth]: how long the work really takes and the
// parts the visit will find missing, which no dispatcher sees. Sick calls
// complete the day.
//
// [Generate] builds a scenario from a [Config], deterministically for its
// seed: technicians' homes, trades, levels (1 to 5), EPA-608
// certifications, staggered ten-hour shifts, lunch breaks and stocked
// trucks; calls by trade and kind, at places clustered in neighbourhoods,
// same-day calls arriving by an hourly profile (a Poisson process
// conditioned on the number of calls), estimates log-normal around each
// kind's usual time, scaled by level ([Scenario.LevelFactors]: a master
// takes 0.8 of the estimate, an apprentice 1.4), actual times log-normal
// around the estimate, emergencies at a configurable share. [Preset] names
// four days (see README.md): "tuesday", an ordinary day of 600 calls for 50
// technicians; "heatwave", more calls, mostly air conditioning, longer
// and with parts running out; "techsick", five technicians off sick;
// "storm", a quarter of the calls emergencies and slow roads.
//
// # The simulation
//
// [Run] plays the day as a discrete-event simulation, driven by a
// [Dispatcher]: a small interface the simulator calls at the start, after
// anything that happened (an [Event]: a call, a technician free, on the
// way, on site, done, a visit that found a part missing, a sick call) and
// when the dispatcher asks to be woken; it answers with a [Plan], each
// technician's queue of jobs. A free technician takes the first open job
// of their queue that they can finish before the end of their overtime (by
// the estimates), leaves in time for its window, drives with the travel
// model at the hour of departure, waits for the window, and works for the
// true time. A visit that needs a part the truck lacks ends after
// DiagnoseMinutes and a second visit is called in, released when the part
// arrives (PartsLeadMinutes later). A technician takes the break at the
// first free moment after it may start, calls in sick (before the shift:
// stays home; during it: finishes the job on hand, or turns back, and goes
// home), and goes home when the shift is over and nothing fits. A plan
// that breaks a rule (an unknown job, a job in two queues, a technician
// without the trade, level or certification) stops the run with
// [ErrBadPlan]. A run is deterministic: the same scenario and dispatcher
// give the same [Result], byte for byte.
//
// # Policies
//
// [NewOptimizer] is the dispatch package's optimizer as a live board runs
// it: Optimize at the start, Reoptimize every Period and on disruptions
// (charging for moving a promised job, the next job of a technician, which
// stays pinned to them), Insert for each emergency. [NewNearest] sends the
// nearest free technician to the most urgent waiting job; [NewFixedZone]
// gives each call to the least loaded technician of its zone. The
// baselines respect every rule the optimizer does, so that the comparison
// measures decisions. contractorops.SimDispatcher drives the same day
// through the engine's commands.
//
// # KPIs and the report
//
// [KPIs] are the jobs completed; the SLA response (a technician on site)
// and resolution (the job done) hit rates, overall and by priority, over
// every job called that day; the arrival windows kept; the mean lateness;
// drive time and distance per technician and per job; utilization;
// overtime; reassignments (a promised job given to someone else); second
// visits for parts. [WriteReport] renders one or more results as a single
// HTML page with inline SVG, readable offline: headline figures, a chart
// and a table comparing the policies, and for each policy a Gantt chart of
// every technician's day and a map of the routes.
//
// # Example
//
//	c, _ := sim.Preset("heatwave")
//	c.Seed = 7
//	sc, err := sim.Generate(c)
//	…
//	var results []*sim.Result
//	for _, d := range []sim.Dispatcher{sim.NewOptimizer(nil), sim.NewNearest(), sim.NewFixedZone()} {
//		r, err := sim.Run(ctx, sc, d, nil)
//		…
//		results = append(results, r)
//	}
//	err = sim.WriteReport(w, sc, results)
//
// The package is pure: no I/O but the writers and readers it is given, no
// clock (the optimizer runs on iteration budgets), no package state.
package sim
