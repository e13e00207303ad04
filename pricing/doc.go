// Package pricing computes money exactly: amounts with ISO 4217 currencies,
// pricebooks and price rules, estimates with options, tax, invoices and
// payments.
//
// Every figure is a decimal, never a float; rounding is explicit and recorded
// on each document; every price carries the trace that explains it. The
// package is pure: standard library and shopspring/decimal only, no I/O, no
// clock reads; the caller passes now.
package pricing
