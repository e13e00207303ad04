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
//	eng, err := contractorops.New(memstore.New(), nil)
//	if err != nil {
//		log.Fatal(err)
//	}
//	org, err := eng.Organizations.Create(ctx, contractorops.PlatformScope("setup"), "org-acme",
//		contractorops.CreateOrganizationInput{Name: "Acme Heating", Type: contractorops.OrgServiceProvider})
//	dispatcher := contractorops.Scope{OrganizationID: org.ID, Role: contractorops.RoleDispatcher,
//		Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "dana"}}
//	job, err := eng.Jobs.Create(ctx, dispatcher, "call-1001", contractorops.CreateJobInput{
//		Title: "No heat upstairs", Trade: "HVAC", Priority: jobfsm.PriorityEmergency})
//	plan, err := eng.Dispatch.OptimizeDay(ctx, dispatcher, "plan-2026-11-25",
//		contractorops.OptimizeDayInput{Date: jobfsm.Date{Year: 2026, Month: 11, Day: 25}})
//
// Every mutation takes an idempotency key ("call-1001"): a retry returns the
// recorded result. For durability, pass pgstore.Connect's store and the
// runner of durable.New instead of memstore.New() and nil. The whole day is
// in examples/quickstart:
//
//	go run ./examples/quickstart
package opsengine
