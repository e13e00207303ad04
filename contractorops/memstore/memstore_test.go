package memstore_test

import (
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/contractorops/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Exercise(t, func(*testing.T) contractorops.Store { return memstore.New() })
}
