package main

import (
	"fmt"
	"io"
	"os"
)

// plan is what the quickstart does, step by step. Until the engine lands it is
// all the program prints; each line becomes a step that runs.
var plan = []string{
	"create the organization Acme Heating & Plumbing with its licenses and insurance",
	"hire 8 technicians with skills, certifications, shifts and stocked trucks",
	"publish a pricebook: flat-rate services, labor, materials, price rules",
	"take 40 calls, 2 of them emergencies and one an HOA work order",
	"optimize the day's dispatch and print each technician's route",
	"run the visits: travel, work, parts consumed from the trucks",
	"estimate, accept, invoice and collect (one partial payment, one refund)",
	"propose replenishment transfers and purchase orders",
	"start a maintenance contract and generate its visits",
}

func run(w io.Writer) error {
	fmt.Fprintln(w, "Hestami Ops Engine quickstart (embedded, in memory)")
	fmt.Fprintln(w, "The engine is not built yet; this is what the quickstart will do:")
	for i, step := range plan {
		if _, err := fmt.Fprintf(w, "%2d. %s\n", i+1, step); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}
