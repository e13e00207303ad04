// Package storetest is the conformance suite of [contractorops.Store]: every
// store (memstore, pgstore, a host's own) must pass it, so the embedded store
// cannot drift from the durable one.
//
//	func TestConformance(t *testing.T) {
//		storetest.Exercise(t, func(t *testing.T) contractorops.Store { return memstore.New() })
//	}
package storetest
