package inventory_test

import (
	"fmt"

	"github.com/hestami-ai/opsengine/inventory"
)

// Quantities round up to the order multiple, even past the maximum: Odoo's
// reordering rule with a multiple of 3 and a maximum of 20 orders 21.
func ExampleOrderUpTo() {
	fmt.Println(inventory.OrderUpTo(d("0"), d("20"), d("3")))
	fmt.Println(inventory.OrderUpTo(d("5"), d("20"), d("3")))
	fmt.Println(inventory.OrderUpTo(d("2.2"), d("10"), d("0.5"))) // pipe by the half foot
	// Output:
	// 21
	// 15
	// 8
}

// A truck uses 10 capacitors a day with a standard deviation of 3; the
// supplier delivers in 4 days. For 95 % of cycles without a stockout (z =
// 1.65) the safety stock is 1.65·3·√4 = 9.9 and the reorder point 49.9. If the
// lead time varies by a day, the safety stock must also cover that.
func ExampleReorderPoint() {
	demand := inventory.DemandStats{Mean: d("10"), StdDev: d("3")}
	z := d("1.65")
	fixed := inventory.LeadTime{Days: d("4")}
	varying := inventory.LeadTime{Days: d("4"), StdDev: d("1")}
	fmt.Println(inventory.SafetyStock(demand, fixed, z), inventory.ReorderPoint(demand, fixed, z))
	fmt.Println(inventory.SafetyStock(demand, varying, z), inventory.ReorderPoint(demand, varying, z))
	// Output:
	// 9.9 49.9
	// 19.24214124 59.24214124
}

// 1 200 units a year, $50 to place an order, $3 a year to hold a unit: the
// cheapest order is 200 units.
func ExampleEOQ() {
	fmt.Println(inventory.EOQ(d("1200"), d("50"), d("3")))
	// Output: 200
}
