// Package opsengine is the Hestami Ops Engine: a Go library and embeddable
// engine that runs a trades contractor's operations (HVAC, plumbing,
// electrical) — service requests, the job lifecycle, dispatch and routing,
// field work, estimates and invoices, inventory and procurement, maintenance
// contracts and compliance.
//
// This package holds no code; it is the map of the SDK.
//
// # Packages
//
// The pure cores take their inputs as values, do no I/O and read no clock:
//
//   - [github.com/hestami-ai/opsengine/jobfsm]: job, visit and dispatch-assignment
//     state machines and the SLA clock on business calendars.
//   - [github.com/hestami-ai/opsengine/pricing]: money, pricebooks, price rules,
//     estimates, tax, invoices and payments, exact to the minor unit.
//   - [github.com/hestami-ai/opsengine/dispatch]: explainable feasibility checks and
//     the route optimizer; dispatch/sim simulates a dispatch day.
//   - [github.com/hestami-ai/opsengine/inventory]: the stock ledger, transfers,
//     purchase orders and replenishment planning.
//
// The engine and its adapters:
//
//   - [github.com/hestami-ai/opsengine/contractorops]: the engine and its command
//     catalog; memstore (embedded default), pgstore (Postgres with row-level
//     security) and durable (DBOS workflows) plug into it.
//   - [github.com/hestami-ai/opsengine/rpcserver]: the versioned RPC API as an
//     http.Handler; rpcserver/cmd/opsd is the bundled server.
//
// # Quickstart
//
// The engine runs in memory with no set-up:
//
//	eng, err := contractorops.New(memstore.New(), &contractorops.Config{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	scope := contractorops.Scope{OrganizationID: org, Role: contractorops.RoleDispatcher}
//	job, err := eng.Jobs.Create(ctx, scope, "idem-key-1", contractorops.CreateJobInput{
//		Title:    "No heat, upstairs unit",
//		Priority: "EMERGENCY",
//	})
//	plan, err := eng.Dispatch.OptimizeDay(ctx, scope, "idem-key-2", contractorops.OptimizeDayInput{
//		Date: "2026-11-24",
//	})
//
// For durability, pass pgstore.New(pool) instead of memstore.New() and run the
// commands through durable.Register. The full day is in examples/quickstart:
//
//	go run ./examples/quickstart
package opsengine
