// Quickstart runs one contractor's day on the embedded engine, in memory with
// no set-up: an organization with licenses, technicians with skills and
// trucks, a pricebook, a day of jobs dispatched by the optimizer, visits
// executed, estimates accepted, invoices paid, parts replenished and a
// maintenance contract generating visits. It prints a summary and exits.
//
//	go run ./examples/quickstart
package main
