package inventory_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hestami-ai/opsengine/inventory"
)

var demandLocations = []inventory.Location{
	{ID: "WH", Type: inventory.Warehouse},
	{ID: "T1", Type: inventory.Truck, ReplenishFromID: "WH"},
	{ID: "T2", Type: inventory.Truck, ReplenishFromID: "WH"},
}

func at(day int, hour int) time.Time { return time.Date(2026, 1, 1+day, hour, 0, 0, 0, time.UTC) }

func TestDemandStats(t *testing.T) {
	c, err := inventory.NewDemandCounter(at(0, 0), 4, demandLocations)
	if err != nil {
		t.Fatal(err)
	}
	ms := []inventory.Movement{
		// T1 uses 2, 0, 4, 2 over the four days: mean 2, σ² = (0+4+4+0)/3.
		{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-1"), At: at(0, 9)},
		{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-1"), At: at(0, 15)},
		{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-5"), At: at(2, 10)},
		{Kind: inventory.Return, ItemID: "CAP", LocationID: "T1", Quantity: d("1"), At: at(2, 16)},
		{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-2"), At: at(3, 10)},
		// A return on a day without use does not make demand negative.
		{Kind: inventory.Return, ItemID: "CAP", LocationID: "T1", Quantity: d("3"), At: at(1, 10)},
		// Outside the window.
		{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-9"), At: at(4, 0)},
		{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-9"), At: at(-1, 23)},
		// The warehouse's demand is its trucks' refills, not returns from them or transfers between trucks.
		{Kind: inventory.TransferOut, ItemID: "CAP", LocationID: "WH", CounterpartID: "T1", Quantity: d("-2.5"), At: at(1, 20)},
		{Kind: inventory.TransferOut, ItemID: "CAP", LocationID: "T1", CounterpartID: "WH", Quantity: d("-1"), At: at(1, 20)},
		{Kind: inventory.TransferOut, ItemID: "CAP", LocationID: "T2", CounterpartID: "T1", Quantity: d("-1"), At: at(1, 20)},
		// Not demand at all.
		{Kind: inventory.Receipt, ItemID: "CAP", LocationID: "T1", Quantity: d("10"), At: at(1, 8)},
		{Kind: inventory.Adjustment, ItemID: "CAP", LocationID: "T1", Quantity: d("-1"), Reason: inventory.Lost, At: at(1, 8)},
	}
	for _, m := range ms {
		if err := c.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	want := []inventory.DemandStats{
		{Key: inventory.Key{ItemID: "CAP", LocationID: "T1"}, Days: 4, Total: d("8"), Mean: d("2"), StdDev: d("1.63299316")},
		{Key: inventory.Key{ItemID: "CAP", LocationID: "WH"}, Days: 4, Total: d("2.5"), Mean: d("0.625"), StdDev: d("1.25")},
	}
	if diff := cmp.Diff(want, c.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	// The order of the ledger does not matter.
	c2, _ := inventory.NewDemandCounter(at(0, 0), 4, demandLocations)
	for _, m := range slices.Backward(ms) {
		c2.Add(m)
	}
	if diff := cmp.Diff(c.Stats(), c2.Stats()); diff != "" {
		t.Errorf("reversed ledger (-forward +backward):\n%s", diff)
	}
	if got := c.Stat(inventory.Key{ItemID: "NONE", LocationID: "T1"}); !got.Mean.IsZero() || got.Days != 4 {
		t.Errorf("stat without demand %+v", got)
	}
}

func TestDemandDaysAreLocal(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database")
	}
	from := time.Date(2026, 3, 7, 0, 0, 0, 0, ny) // the DST change is on the 8th
	c, _ := inventory.NewDemandCounter(from, 3, demandLocations)
	for _, when := range []time.Time{
		time.Date(2026, 3, 8, 4, 30, 0, 0, time.UTC),  // 23:30 on the 7th in New York
		time.Date(2026, 3, 8, 23, 30, 0, 0, ny),       // late on the 8th, a 23-hour day
		time.Date(2026, 3, 10, 3, 59, 0, 0, time.UTC), // 23:59 on the 9th
	} {
		c.Add(inventory.Movement{Kind: inventory.Consumption, ItemID: "CAP", LocationID: "T1", Quantity: d("-3"), At: when})
	}
	if got := c.Stat(inventory.Key{ItemID: "CAP", LocationID: "T1"}); !got.StdDev.IsZero() || !got.Mean.Equal(d("3")) {
		t.Errorf("one use on each local day: %+v", got)
	}
}

func TestDemandPrecision(t *testing.T) {
	c, _ := inventory.NewDemandCounter(at(0, 0), 2, demandLocations)
	for _, q := range []string{"-0.0000014", "-0.0000016", "-1.25"} {
		if err := c.Add(inventory.Movement{Kind: inventory.Consumption, ItemID: "R410A", LocationID: "T1", Quantity: d(q), At: at(0, 9)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Stat(inventory.Key{ItemID: "R410A", LocationID: "T1"}); !got.Total.Equal(d("1.250003")) {
		t.Errorf("total %s, want counted to the millionth (half to even)", got.Total)
	}
	for _, q := range []string{"-100000000000", "-99999999999999999999"} {
		if err := c.Add(inventory.Movement{Kind: inventory.Consumption, ItemID: "X", LocationID: "T1", Quantity: d(q), At: at(0, 9)}); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("absurd demand %s: %v", q, err)
		}
	}
	c.Add(inventory.Movement{Kind: inventory.Consumption, ItemID: "Y", LocationID: "T1", Quantity: d("-9000000000"), At: at(0, 9)})
	if err := c.Add(inventory.Movement{Kind: inventory.Consumption, ItemID: "Y", LocationID: "T1", Quantity: d("-9000000000"), At: at(0, 10)}); !errors.Is(err, inventory.ErrInvalid) {
		t.Errorf("absurd daily demand: %v", err)
	}
	for _, days := range []int{0, 1, 100001} {
		if _, err := inventory.NewDemandCounter(at(0, 0), days, nil); !errors.Is(err, inventory.ErrInvalid) {
			t.Errorf("window of %d days: %v", days, err)
		}
	}
}
