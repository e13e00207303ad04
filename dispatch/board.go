package dispatch

import (
	"time"
)

// BoardRow is one technician's line on the dispatch board: the stops of
// the day in order and the idle gaps between them within shifts.
type BoardRow struct {
	TechnicianID string        `json:"technicianId"`
	Stops        []Stop        `json:"stops"`
	Gaps         []Interval    `json:"gaps"`
	Travel       time.Duration `json:"travel"`
	Work         time.Duration `json:"work"` // service time
	Overtime     time.Duration `json:"overtime,omitempty"`
}

// Board lays a plan out per technician, every technician of the snapshot
// included (idle ones show their whole shifts as gaps), in snapshot order.
func (p *Plan) Board(s *Snapshot) []BoardRow {
	rows := make([]BoardRow, 0, len(s.Technicians))
	for _, t := range s.Technicians {
		row := BoardRow{TechnicianID: t.ID}
		for si, sh := range t.Shifts {
			var r *Route
			for i := range p.Routes {
				if p.Routes[i].TechnicianID == t.ID && p.Routes[i].Shift == si {
					r = &p.Routes[i]
					break
				}
			}
			start := maxTime(sh.Start, s.Now)
			if r == nil {
				if sh.End.After(start) {
					row.Gaps = append(row.Gaps, Interval{Start: start, End: sh.End})
				}
				continue
			}
			free := start
			for _, st := range r.Stops {
				arrive := st.Arrival.Add(-st.Travel)
				if arrive.After(free) {
					row.Gaps = append(row.Gaps, Interval{Start: free, End: arrive})
				}
				if st.Start.After(st.Arrival) && st.Kind == StopJob {
					row.Gaps = append(row.Gaps, Interval{Start: st.Arrival, End: st.Start})
				}
				free = st.Depart
				if st.Kind == StopJob {
					row.Work += st.Depart.Sub(st.Start)
				}
				row.Stops = append(row.Stops, st)
			}
			if end := r.Return; sh.End.After(end) {
				row.Gaps = append(row.Gaps, Interval{Start: end, End: sh.End})
			}
			row.Travel += r.Travel
			row.Overtime += r.Overtime
		}
		rows = append(rows, row)
	}
	return rows
}
