// Solomon solves Solomon's VRPTW benchmark instances with the dispatch
// optimizer and checks every answer independently.
//
//	go run ./examples/solomon [-time-limit 2.5s] [-seed 1] [-cpu] FILE...
//
// Each instance becomes a snapshot: one technician per vehicle of the fleet
// with the depot as home and its due date as the shift end, a truck holding
// the vehicle capacity of one part, and one job per customer with its
// window, service time and demand; travel is Euclidean at one unit per
// second. The program prints one JSON object per instance and line:
//
//	{"instance":"C101","vehicles":10,"distance":828.94,"seconds":0.81,"routes":[[20,24,25,…],…]}
//
// with the customer numbers of the file (the depot is implicit), plus
// firstFeasible (seconds to the first complete plan), iterations, and
// feasible: the verdict of a checker that recomputes every route from the
// file in double precision (times within 1e-6), independently of the
// optimizer. With -cpu the time limit counts this process's CPU time
// instead of the wall clock, which is fairer on a shared machine.
package main
