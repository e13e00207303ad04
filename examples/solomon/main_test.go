package main

import (
	"os"
	"testing"
	"time"
)

// TestVerify solves an instance briefly and checks that the independent
// checker accepts the plan and rejects broken ones.
func TestVerify(t *testing.T) {
	res, err := solve("../../dispatch/testdata/solomon/C101.txt", 50*time.Millisecond, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Feasible || res.Vehicles == 0 {
		t.Fatalf("plan rejected: %s", res.Error)
	}
	in := mustParse(t, "../../dispatch/testdata/solomon/C101.txt")
	routes := res.Routes
	// A customer missing.
	short := append([][]int{routes[0][1:]}, routes[1:]...)
	if _, err := in.verify(short); err == nil {
		t.Error("missing customer accepted")
	}
	// A route reversed breaks its windows.
	rev := append([][]int(nil), routes...)
	r := append([]int(nil), rev[0]...)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	rev[0] = r
	if _, err := in.verify(rev); err == nil {
		t.Error("reversed route accepted")
	}
	// All customers in one route break the capacity.
	var all []int
	for _, r := range routes {
		all = append(all, r...)
	}
	if _, err := in.verify([][]int{all}); err == nil {
		t.Error("single overloaded route accepted")
	}
}

func mustParse(t *testing.T, path string) *instance {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := parse(f, "C101")
	if err != nil {
		t.Fatal(err)
	}
	return in
}
