// Dispatchsim simulates a contractor's dispatch day under several policies
// and writes a report: a self-contained HTML page (no script, nothing
// fetched; it works offline) with the KPIs compared, each technician's day
// as a Gantt chart and a map of the routes.
//
//	go run ./examples/dispatchsim -scenario heatwave -seed 7 -out report.html
//	go run ./examples/dispatchsim -scenario tuesday -json > kpis.json
//	go run ./examples/dispatchsim -scenario-file my-day.json -policies optimizer,zone -out my-day.html
//
// -scenario picks a preset of dispatch/sim (tuesday, heatwave, techsick,
// storm), generated with -seed and sized by -techs and -jobs (0 keeps the
// preset's size); -emergency overrides the share of same-day calls that
// are emergencies. -scenario-file reads a scenario written in the schema of
// dispatch/sim instead, and -write-scenario saves the one simulated, for a
// harness to edit. -policies lists the policies to run, the first one the
// report's headline: optimizer (dispatch's Optimize, Reoptimize and
// Insert), nearest (nearest available technician) and zone (fixed zones).
//
// -json writes the scenario's name and each policy's KPIs as JSON on
// standard output. While the policies run, a progress line on standard
// error shows the simulated clock and the calls so far; -quiet hides it.
package main
