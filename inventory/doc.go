// Package inventory keeps stock as an append-only ledger of movements and
// derives everything else from it: on hand, reserved, available, in transit
// and on order; transfers, purchase orders and cycle counts; and the
// replenishment plan that refills trucks and warehouses.
//
// The package is pure: standard library and shopspring/decimal only, no I/O,
// no clock reads; the caller passes now.
package inventory
