// Package dispatch assigns and routes technicians: feasibility checks that
// explain every exclusion, travel-time models, and an optimizer that builds
// and repairs plans for a day.
//
// Input is a snapshot (technicians, jobs, a travel model and now); output is a
// plan of routes with arrival times and the unassigned jobs with the reason
// each technician was excluded. The package is pure: no I/O, no clock reads,
// no package state.
package dispatch
