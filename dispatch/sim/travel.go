package sim

import (
	"math"
	"time"

	"github.com/hestami-ai/opsengine/dispatch"
)

// Travel is the simulated road network: the straight line on a flat map of
// the city, stretched by RoadFactor, driven at the speed of the hour of
// departure (local time). It implements dispatch.TravelTimer, so that the
// technicians and the dispatchers drive the same roads; a dispatcher that
// samples it once (as the optimizer does, at its snapshot's time) plans
// with the speed of that hour.
type Travel struct {
	// RoadFactor stretches the straight line to the road distance.
	RoadFactor float64 `json:"roadFactor"`
	// KPH is the average speed by hour of departure, 0–23.
	KPH [24]float64 `json:"kph"`
}

// kmPerDegree is the length of a degree of latitude.
const kmPerDegree = 6371.0088 * math.Pi / 180

// km is the straight-line distance between two points of a city, on the
// equirectangular projection around their mean latitude (within 0.1 % of
// the great circle at city scale).
func km(a, b dispatch.Location) float64 {
	x := (b.Lng - a.Lng) * math.Cos((a.Lat+b.Lat)/2*math.Pi/180)
	y := b.Lat - a.Lat
	return math.Hypot(x, y) * kmPerDegree
}

// Travel implements dispatch.TravelTimer.
func (tr Travel) Travel(from, to dispatch.Location, depart time.Time) (time.Duration, float64) {
	m := km(from, to) * 1000 * tr.RoadFactor
	kph := tr.KPH[depart.Hour()]
	if kph <= 0 {
		kph = 40
	}
	return time.Duration(math.Round(m/(kph/3.6))) * time.Second, m
}
