// Quickstart runs one contractor's day on the embedded engine, in memory and
// with no set-up, on a clock the story moves forward: an HVAC and plumbing
// contractor in Richmond with its licenses and insurance, a pricebook, eight
// technicians with skills, certifications, shifts and stocked vans; the
// morning's calls (some estimated and accepted, one an HOA work order)
// planned by the optimizer and the vans loaded for the routes; the day
// worked stop by stop while two emergencies are inserted into the live
// plan; parts taken from the vans, time recorded, every job invoiced and
// paid (one in part, one refunded); the evening's replenishment; a
// maintenance contract generating its visits; and each technician's route
// and KPIs, the SLA record and the audit trail.
//
//	go run ./examples/quickstart
//
// The day is deterministic: TestDay compares what it prints with
// testdata/day.golden.
package main
