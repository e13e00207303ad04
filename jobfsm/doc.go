// Package jobfsm is the single authority on what may happen to a job, a visit
// and a dispatch assignment, and on when a job is late.
//
// It holds the job lifecycle, visit and dispatch-assignment state machines as
// data, evaluates their guards on facts the caller supplies, and runs the SLA
// clock on business calendars. It is pure: standard library and
// shopspring/decimal only, no I/O, no clock reads; the caller passes now.
package jobfsm
