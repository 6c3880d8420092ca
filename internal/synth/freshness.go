package synth

import (
	"math/rand"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// lagMetric is the gauge of the freshness scenario: how far a data pipeline
// is behind, in seconds.
const lagMetric = "pipeline_lag_seconds"

// freshnessThreshold is the SLO's limit: data less than 15 minutes old.
const freshnessThreshold = 900

const stallStartLag = 300

// stall is a span during which a pipeline makes no progress: its lag grows
// by one second per second from stallStartLag.
type stall struct{ from, to time.Time }

// gap is a span without samples: the exporter was down.
type gap struct{ from, to time.Time }

// lagSeries samples one pipeline's lag every every, offset from the minute,
// from d.Start to d.End. Between stalls the pipeline runs a batch every five
// minutes, so its lag is a sawtooth of 90 s to 450 s, under the threshold.
func lagSeries(d *Data, g *Gauge, rng *rand.Rand, every, offset time.Duration, stalls []stall, gaps []gap) {
	normal := func(t time.Time) float64 {
		sinceBatch := t.Sub(t.Truncate(5 * time.Minute))
		return float64(90 + int(sinceBatch.Seconds()) + rng.Intn(61))
	}
	for t := d.Start.Add(offset); !t.After(d.End); t = t.Add(every) {
		v := normal(t)
		if s, ok := stallAt(t, stalls); ok {
			// Every stall starts 5 minutes behind, so equal stalls cost
			// equal slices wherever they fall.
			v = stallStartLag + t.Sub(s.from).Seconds()
		}
		down := false
		for _, gp := range gaps {
			down = down || (!t.Before(gp.from) && t.Before(gp.to))
		}
		if !down {
			g.add(t, v)
		}
	}
}

func stallAt(t time.Time, stalls []stall) (stall, bool) {
	for _, s := range stalls {
		if !t.Before(s.from) && t.Before(s.to) {
			return s, true
		}
	}
	return stall{}, false
}

// freshness: two pipelines' lag gauges. orders is sampled every 15 s, billing
// every minute at :40. Stalls push the lag over 900 s: orders at peak
// traffic and at night (the same length: a time-slice SLI weighs time, not
// requests, so both cost the same) and one ending 35 minutes before now;
// billing two days ago. The orders exporter is down for 20 minutes eight
// days ago and 6 minutes in the last two hours, billing for an hour six days
// ago: those slices have no data from that pipeline. One orders sample is
// exactly 900, the last of its minute: bad under <, good under <=.
func freshness(d *Data) (*Scenario, error) {
	const name = "freshness"
	rng := d.rng(name)
	day0 := func(daysAgo int) time.Time { return d.Now.Add(-time.Duration(daysAgo) * day).Truncate(day) }
	orders := newGauge(lagMetric, []Label{{"service", name}, {"pipeline", "orders"}}, []string{"orders", "all"})
	billing := newGauge(lagMetric, []Label{{"service", name}, {"pipeline", "billing"}}, []string{"all"})
	peak := day0(6).Add(11*time.Hour + 50*time.Minute)
	night := day0(4).Add(23*time.Hour + 50*time.Minute)
	recent := d.Now.Add(-75 * time.Minute).Truncate(time.Minute)
	lagSeries(d, orders, rng, 15*time.Second, 5*time.Second,
		[]stall{{peak, peak.Add(40 * time.Minute)}, {night, night.Add(40 * time.Minute)}, {recent, recent.Add(40 * time.Minute)}},
		[]gap{
			{day0(8).Add(3*time.Hour + 10*time.Minute), day0(8).Add(3*time.Hour + 30*time.Minute)},
			{d.Now.Add(-100 * time.Minute).Truncate(time.Minute), d.Now.Add(-94 * time.Minute).Truncate(time.Minute)},
		})
	exact := day0(10).Add(9*time.Hour + 50*time.Second)
	for i := range orders.points {
		if orders.points[i].t.Equal(exact) {
			orders.points[i].v = freshnessThreshold
		}
	}
	billingStall := day0(2).Add(15 * time.Hour)
	lagSeries(d, billing, rng, time.Minute, 40*time.Second,
		[]stall{{billingStall, billingStall.Add(50 * time.Minute)}},
		[]gap{{day0(6).Add(2 * time.Hour), day0(6).Add(3 * time.Hour)}})
	return &Scenario{Name: name,
		About: "pipeline lag gauges (15s and 1m samples) with stalls over 900s at peak, at night and recently, and exporter gaps",
		SLOs: []SLOSpec{
			{
				Name:        name + "-orders",
				Description: "minutes with the orders pipeline less than 15 minutes behind",
				Objective:   99,
				Window:      30 * day,
				TimeSlice: &slo.TimeSliceSLI{Query: lagMetric + `{pipeline="orders"}`, Op: "<",
					Threshold: freshnessThreshold, Slice: time.Minute},
				GaugeStream: "orders",
			},
			{
				Name:        name + "-pipelines",
				Description: "5-minute slices with every pipeline at most 15 minutes behind",
				Objective:   98,
				Window:      7 * day,
				TimeSlice: &slo.TimeSliceSLI{Query: lagMetric + `{service="freshness"}`, Op: "<=",
					Threshold: freshnessThreshold, Slice: 5 * time.Minute},
				GaugeStream: "all",
			},
		},
		Gauges: []*Gauge{orders, billing}}, nil
}
