package synth

import (
	"sort"
	"time"
)

// Gauge is one generated gauge series. Unlike a counter Series its truth is
// the samples themselves: each value is what the time-slice rule judges, so
// there is nothing to derive and the samples are kept as written.
type Gauge struct {
	Metric string
	Labels []Label // sorted by name
	// Streams tags the gauge with the time-slice SLIs it belongs to; the
	// truth judges the gauges of one stream together.
	Streams []string
	points  []gaugePoint // in time order
}

type gaugePoint struct {
	t time.Time
	v float64
}

func newGauge(metric string, labels []Label, streams []string) *Gauge {
	ls := append([]Label(nil), labels...)
	sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
	return &Gauge{Metric: metric, Labels: ls, Streams: streams}
}

// add appends a sample; samples must come in time order.
func (g *Gauge) add(t time.Time, v float64) { g.points = append(g.points, gaugePoint{t, v}) }

// Selector renders the gauge as an exact PromQL selector.
func (g *Gauge) Selector() string { return selector(g.Metric, g.Labels) }

// Label returns the value of a label, "" when absent.
func (g *Gauge) Label(name string) string { return labelValue(g.Labels, name) }

func (g *Gauge) hasStream(name string) bool { return contains(g.Streams, name) }

// Samples calls fn for every written sample, in time order.
func (g *Gauge) Samples(fn func(t time.Time, v float64)) {
	for _, p := range g.points {
		fn(p.t, p.v)
	}
}

// First returns the first written sample.
func (g *Gauge) First() (time.Time, float64) { return g.points[0].t, g.points[0].v }

// Final returns the last written sample.
func (g *Gauge) Final() (time.Time, float64) {
	p := g.points[len(g.points)-1]
	return p.t, p.v
}

// lastIn returns the last sample in (from, to], if any.
func (g *Gauge) lastIn(from, to time.Time) (float64, bool) {
	i := sort.Search(len(g.points), func(i int) bool { return g.points[i].t.After(to) })
	if i == 0 || !g.points[i-1].t.After(from) {
		return 0, false
	}
	return g.points[i-1].v, true
}

// AllGauges returns every gauge of every scenario.
func (d *Data) AllGauges() []*Gauge {
	var out []*Gauge
	for _, sc := range d.Scenarios {
		out = append(out, sc.Gauges...)
	}
	return out
}
