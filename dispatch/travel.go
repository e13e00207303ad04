package dispatch

import (
	"math"
	"time"
)

// TravelTimer tells how long driving from one location to another takes
// when leaving at depart, and how far it is in meters. A host plugs a
// road-network service in here; the package bundles Haversine (straight
// line × road factor at a speed profile), Euclidean (planar benchmarks) and
// Matrix (precomputed tables).
//
// The optimizer samples it once per pair of locations, leaving at the
// snapshot's Now, and plans with those times.
type TravelTimer interface {
	Travel(from, to Location, depart time.Time) (d time.Duration, meters float64)
}

// TravelFunc adapts a function to TravelTimer.
type TravelFunc func(from, to Location, depart time.Time) (time.Duration, float64)

// Travel calls f.
func (f TravelFunc) Travel(from, to Location, depart time.Time) (time.Duration, float64) {
	return f(from, to, depart)
}

// Haversine is great-circle distance times a road factor, driven at a speed
// that may depend on the hour of departure.
type Haversine struct {
	// RoadFactor stretches the straight line to a road distance. Defaults
	// to 1.3.
	RoadFactor float64
	// KPH is the average speed. Defaults to 40 km/h.
	KPH float64
	// HourlyKPH, if set, overrides KPH by the hour of departure (0–23, in
	// the location of depart): a rush-hour profile.
	HourlyKPH *[24]float64
}

const earthRadiusMeters = 6371008.8

// Travel implements TravelTimer.
func (h Haversine) Travel(from, to Location, depart time.Time) (time.Duration, float64) {
	rf := h.RoadFactor
	if rf <= 0 {
		rf = 1.3
	}
	kph := h.KPH
	if h.HourlyKPH != nil {
		kph = h.HourlyKPH[depart.Hour()]
	}
	if kph <= 0 {
		kph = 40
	}
	rad := math.Pi / 180
	dLat := (to.Lat - from.Lat) * rad
	dLng := (to.Lng - from.Lng) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(from.Lat*rad)*math.Cos(to.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	m := 2 * earthRadiusMeters * math.Asin(math.Min(1, math.Sqrt(a))) * rf
	return seconds(m / (kph / 3.6)), m
}

// Euclidean is planar distance (Lng as x, Lat as y) at a constant speed in
// units per second; one unit is reported as one meter. It is the travel of
// benchmark instances such as Solomon's.
type Euclidean struct {
	// Speed in units per second. Defaults to 1.
	Speed float64
}

// Travel implements TravelTimer.
func (e Euclidean) Travel(from, to Location, _ time.Time) (time.Duration, float64) {
	s := e.Speed
	if s <= 0 {
		s = 1
	}
	d := math.Hypot(from.Lng-to.Lng, from.Lat-to.Lat)
	return seconds(d / s), d
}

// Matrix is a precomputed table indexed by Location.Index, in seconds and
// meters (Meters may be nil).
type Matrix struct {
	Seconds [][]float64 `json:"seconds"`
	Meters  [][]float64 `json:"meters,omitempty"`
}

// Travel implements TravelTimer.
func (m Matrix) Travel(from, to Location, _ time.Time) (time.Duration, float64) {
	d := seconds(m.Seconds[from.Index][to.Index])
	if m.Meters == nil {
		return d, 0
	}
	return d, m.Meters[from.Index][to.Index]
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }
