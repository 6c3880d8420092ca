package synth

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// SliceCounts returns the exact good and total slices of a time-slice SLO
// whose end lies in (from, to], following the documented rule
// (docs/counting.md): slices are (end−slice, end] with end a multiple of the
// slice length since the Unix epoch; a slice has data when any of the SLO's
// gauges has a sample in it; it is good when the last sample of every gauge
// with data in it satisfies the condition. to is the evaluation instant, so
// every slice counted is complete. It walks slices and looks samples up,
// where the daemon walks samples and files them into slices.
func (d *Data) SliceCounts(sc *Scenario, s SLOSpec, from, to time.Time) slo.Counts {
	ts := s.TimeSlice
	var gauges []*Gauge
	for _, g := range sc.Gauges {
		if g.hasStream(s.GaugeStream) {
			gauges = append(gauges, g)
		}
	}
	if ts == nil || len(gauges) == 0 {
		panic(fmt.Sprintf("synth.SliceCounts: %s of scenario %q has no time-slice SLI or no gauges in stream %q", s.Name, sc.Name, s.GaugeStream))
	}
	slice := ts.Slice.Milliseconds()
	var c slo.Counts
	for end := (from.UnixMilli()/slice + 1) * slice; end <= to.UnixMilli(); end += slice {
		hi := time.UnixMilli(end)
		lo := hi.Add(-ts.Slice)
		data, good := false, true
		for _, g := range gauges {
			v, ok := g.lastIn(lo, hi)
			if !ok {
				continue
			}
			data = true
			good = good && ts.Holds(v)
		}
		if data {
			c.Total++
			if good {
				c.Good++
			}
		}
	}
	return c
}
