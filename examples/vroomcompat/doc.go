// Vroomcompat solves a VROOM problem with the dispatch optimizer: it reads
// VROOM's documented JSON input (docs/API.md of VROOM-Project/vroom, v1.14)
// on standard input and writes VROOM's JSON output on standard output, so a
// team feeding VROOM can switch by swapping a binary.
//
//	go run ./examples/vroomcompat [-time-limit 2.5s] [-seed 1] [-cpu] < input.json > output.json
//
// The objective is VROOM's: the priority sum of the assigned jobs, then
// their count, then the cost (the total travel duration). Each unassigned
// job carries an extra field, reasons: per vehicle, the first rule that
// excluded it (VROOM has none). See dispatch.VROOMInput for what is
// supported.
//
// testdata holds a seeded set of VROOM inputs built from Solomon instances
// with skills, priorities, breaks and a reduced fleet (go test
// ./examples/vroomcompat -update -solomon DIR rebuilds it).
package main
