package synth

import (
	"fmt"
	"math/rand"
	"strings"
	"time"
)

const day = 24 * time.Hour

// requestsMetric is the counter every availability scenario uses.
const requestsMetric = "http_requests_total"

// scenarioBuilders lists the scenarios in the order they appear in the data
// and the config.
var scenarioBuilders = []func(d *Data) (*Scenario, error){
	steady, peakIncident, nightIncident, counterReset, scrapeGap, notFound,
	trafficStops, vanished, exhausted, fastBurn, slowBurn, latency, freshness,
}

// codeTraffic describes request counters split by status code.
type codeTraffic struct {
	instances []string
	shares    []float64 // per instance, summing to 1
	base, amp float64   // requests per minute over all instances, diurnal amplitude
	codes     []string  // "200" first; it takes what the others leave
	// prob is the probability of a non-200 code at t.
	prob func(code string, t time.Time) float64
	// flowing is false where no request arrives; nil means always.
	flowing func(t time.Time) bool
}

// build creates the series (code 200 first, then the others per instance)
// and fills them minute by minute.
func (c codeTraffic) build(d *Data, service string, rng *rand.Rand) []*Series {
	n := d.samples()
	var out []*Series
	for _, inst := range c.instances {
		for _, code := range c.codes {
			streams := []string{"total"}
			if strings.HasPrefix(code, "5") {
				streams = append(streams, "errors")
			}
			labels := []Label{{"service", service}, {"instance", inst}, {"code", code}}
			out = append(out, newSeries(requestsMetric, "http_requests", labels, streams, d.Start, n, 10000+rng.Int63n(90000)))
		}
	}
	probs := make([]float64, len(c.codes))
	for i := 1; i < n; i++ {
		t := d.Start.Add(time.Duration(i) * time.Minute)
		if c.flowing != nil && !c.flowing(t) {
			continue
		}
		for k, code := range c.codes[1:] {
			probs[k] = c.prob(code, t)
		}
		for j, share := range c.shares {
			total := requests(rng, diurnal(c.base*share, c.amp, t))
			// Non-200 codes first; the last slot, code 200, takes the rest.
			split := multinomial(rng, total, probs)
			series := out[j*len(c.codes) : (j+1)*len(c.codes)]
			var others int64
			for k := range c.codes[1:] {
				series[k+1].events[i] = split[k]
				others += split[k]
			}
			series[0].events[i] = total - others
		}
	}
	return out
}

// availability is the usual SLO of a code-split scenario: 5xx are errors,
// every code counts in the total (404s are the client's problem).
func availability(service string, objective float64, window time.Duration) SLOSpec {
	return SLOSpec{
		Name:        service + "-availability",
		Description: "requests of " + service + " answered without a server error",
		Objective:   objective,
		Window:      window,
		Errors:      fmt.Sprintf(`%s{service=%q,code=~"5.."}`, requestsMetric, service),
		Total:       fmt.Sprintf(`%s{service=%q}`, requestsMetric, service),
		BadStream:   "errors",
		TotalStream: "total",
	}
}

func constant(p float64) func(string, time.Time) float64 {
	return func(string, time.Time) float64 { return p }
}

// steady: two instances, healthy. A second SLO on the same counters with a
// 7d window and 99.5% exercises the window-scaled alert factors.
func steady(d *Data) (*Scenario, error) {
	const name = "steady"
	rng := d.rng(name)
	c := codeTraffic{instances: []string{"a", "b"}, shares: []float64{0.6, 0.4}, base: 120, amp: 0.6,
		codes: []string{"200", "500"}, prob: constant(0.0002)}
	s7 := availability(name, 99.5, 7*day)
	s7.Name = name + "-availability-7d"
	return &Scenario{Name: name,
		About:  "diurnal traffic on two instances, 0.02% errors: healthy, sums across series",
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day), s7},
		Series: c.build(d, name, rng)}, nil
}

// incident raises the error ratio to 10% for 30 minutes starting at the
// given time of day, five days before now.
func incident(d *Data, name string, startOfDay time.Duration) (*Scenario, error) {
	rng := d.rng(name)
	from := d.Now.Add(-5 * day).Truncate(day).Add(startOfDay)
	to := from.Add(30 * time.Minute)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 100, amp: 0.8,
		codes: []string{"200", "500"},
		prob: func(_ string, t time.Time) float64 {
			if t.After(from) && !t.After(to) {
				return 0.10
			}
			return 0.0001
		}}
	return &Scenario{Name: name,
		About:  fmt.Sprintf("30 minutes of 10%% errors from %s", from.Format(time.RFC3339)),
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: c.build(d, name, rng)}, nil
}

// peakIncident and nightIncident have the same duration and error share;
// at peak traffic (12:00 UTC) far more requests fail, so it must cost more
// budget. An average of 5-minute ratios would rate them the same.
func peakIncident(d *Data) (*Scenario, error) {
	return incident(d, "peak-incident", 11*time.Hour+45*time.Minute)
}

func nightIncident(d *Data) (*Scenario, error) {
	return incident(d, "night-incident", 23*time.Hour+45*time.Minute)
}

// counterReset: the process restarts 3d7h13m before now; after that sample
// the counters start again from 0, and every event still shows in the next
// sample, so a reset-aware count loses nothing.
func counterReset(d *Data) (*Scenario, error) {
	const name = "counter-reset"
	rng := d.rng(name)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 90, amp: 0.5,
		codes: []string{"200", "500"}, prob: constant(0.0004)}
	series := c.build(d, name, rng)
	k := d.index(d.Now.Add(-(3*day + 7*time.Hour + 13*time.Minute)))
	for _, s := range series {
		s.resetAfter[k] = true
	}
	return &Scenario{Name: name,
		About:  "counters restart from 0 after the sample at " + d.Start.Add(time.Duration(k)*time.Minute).Format(time.RFC3339),
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: series}, nil
}

// scrapeGap: 15 samples missing ten days ago and 3 in the last hour. The
// counter keeps counting; the first sample after a gap shows its events.
func scrapeGap(d *Data) (*Scenario, error) {
	const name = "scrape-gap"
	rng := d.rng(name)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 80, amp: 0.5,
		codes: []string{"200", "500"}, prob: constant(0.0003)}
	series := c.build(d, name, rng)
	for _, gap := range []struct {
		from time.Time
		n    int
	}{{d.Now.Add(-10*day + 7*time.Minute), 15}, {d.Now.Add(-45 * time.Minute), 3}} {
		k := d.index(gap.from)
		for _, s := range series {
			for i := k; i < k+gap.n; i++ {
				s.missing[i] = true
			}
		}
	}
	return &Scenario{Name: name,
		About:  "two scrape gaps (15 and 3 samples); no event may be lost",
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: series}, nil
}

// notFound: 5% of requests are 404s, which are not errors; counting them
// would blow the budget fifty times over.
func notFound(d *Data) (*Scenario, error) {
	const name = "not-found"
	rng := d.rng(name)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 100, amp: 0.6,
		codes: []string{"200", "404", "500", "503"},
		prob: func(code string, _ time.Time) float64 {
			return map[string]float64{"404": 0.05, "500": 0.0002, "503": 0.0001}[code]
		}}
	return &Scenario{Name: name,
		About:  "codes 200/404/500/503; only 5xx are errors",
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: c.build(d, name, rng)}, nil
}

// trafficStops: no request in the last two days while the series are still
// scraped: windows up to 1d have no traffic and so no SLI or burn rate.
func trafficStops(d *Data) (*Scenario, error) {
	const name = "traffic-stops"
	rng := d.rng(name)
	stop := d.End.Add(-2 * day)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 100, amp: 0.6,
		codes: []string{"200", "500"}, prob: constant(0.0004),
		flowing: func(t time.Time) bool { return !t.After(stop) }}
	return &Scenario{Name: name,
		About:  "no requests after " + stop.Format(time.RFC3339) + "; series still scraped",
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: c.build(d, name, rng)}, nil
}

// vanished: like trafficStops, but the series themselves end two days
// before the data does.
func vanished(d *Data) (*Scenario, error) {
	const name = "vanished"
	rng := d.rng(name)
	last := d.index(d.End.Add(-2 * day))
	lastAt := d.Start.Add(time.Duration(last) * time.Minute)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 100, amp: 0.6,
		codes: []string{"200", "500"}, prob: constant(0.0004),
		flowing: func(t time.Time) bool { return !t.After(lastAt) }}
	series := c.build(d, name, rng)
	for _, s := range series {
		s.last = last
	}
	return &Scenario{Name: name,
		About:  "series end at " + lastAt.Format(time.RFC3339),
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: series}, nil
}

// exhausted: 0.2% errors all month against 99.9%: budget spent twice over,
// feature freeze.
func exhausted(d *Data) (*Scenario, error) {
	const name = "exhausted"
	rng := d.rng(name)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 100, amp: 0.6,
		codes: []string{"200", "500"}, prob: constant(0.002)}
	return &Scenario{Name: name,
		About:  "0.2% errors all month: remaining budget about -1, frozen",
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: c.build(d, name, rng)}, nil
}

// fastBurn: 5% errors in the last hour, burn rate about 50: pages.
func fastBurn(d *Data) (*Scenario, error) {
	const name = "fast-burn"
	rng := d.rng(name)
	from := d.End.Add(-time.Hour)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 100, amp: 0.6,
		codes: []string{"200", "500"},
		prob: func(_ string, t time.Time) float64 {
			if t.After(from) {
				return 0.05
			}
			return 0.0001
		}}
	return &Scenario{Name: name,
		About:  "5% errors in the last hour: page",
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: c.build(d, name, rng)}, nil
}

// slowBurn: 0.25% errors for the last four days, burn rate 2.5: the 3d/6h
// ticket condition holds, no page.
func slowBurn(d *Data) (*Scenario, error) {
	const name = "slow-burn"
	rng := d.rng(name)
	from := d.Now.Add(-4 * day)
	c := codeTraffic{instances: []string{"a"}, shares: []float64{1}, base: 100, amp: 0.6,
		codes: []string{"200", "500"},
		prob: func(_ string, t time.Time) float64 {
			if t.After(from) {
				return 0.0025
			}
			return 0.0001
		}}
	return &Scenario{Name: name,
		About:  "0.25% errors for four days: ticket",
		SLOs:   []SLOSpec{availability(name, 99.9, 30*day)},
		Series: c.build(d, name, rng)}, nil
}

// Latency histogram buckets and the share of requests in each bin up to the
// bucket's bound ("+Inf" last), normally and in the last three hours.
var (
	latencyBuckets  = []string{"0.1", "0.25", "0.5", "1", "+Inf"}
	latencyNormal   = []float64{0.70, 0.22, 0.077, 0.002, 0.001}
	latencyDegraded = []float64{0.60, 0.25, 0.12, 0.02, 0.01}
	// Representative latency per bin, in milliseconds, for _sum.
	latencyMillis = []int64{50, 170, 370, 720, 1500}
)

// latency: a classic histogram; good = le="0.5" bucket, total = _count.
func latency(d *Data) (*Scenario, error) {
	const name = "latency"
	const hist = "http_request_duration_seconds"
	rng := d.rng(name)
	n := d.samples()
	labels := []Label{{"service", name}, {"instance", "a"}}
	var buckets []*Series
	baselineBins := multinomial(rng, 50000+rng.Int63n(50000), latencyNormal)
	var cum int64
	for k, le := range latencyBuckets {
		cum += baselineBins[k]
		var streams []string
		if le == "0.5" {
			streams = []string{"good"}
		}
		buckets = append(buckets, newSeries(hist+"_bucket", hist, append(labels, Label{"le", le}), streams, d.Start, n, cum))
	}
	count := newSeries(hist+"_count", hist, labels, []string{"total"}, d.Start, n, cum)
	var baseMillis int64
	for k, b := range baselineBins {
		baseMillis += b * latencyMillis[k]
	}
	sum := newSeries(hist+"_sum", hist, labels, nil, d.Start, n, baseMillis)
	sum.scale = 0.001
	degradedFrom := d.End.Add(-3 * time.Hour)
	for i := 1; i < n; i++ {
		t := d.Start.Add(time.Duration(i) * time.Minute)
		probs := latencyNormal
		if t.After(degradedFrom) {
			probs = latencyDegraded
		}
		bins := multinomial(rng, requests(rng, diurnal(150, 0.6, t)), probs)
		var c, ms int64
		for k, b := range bins {
			c += b
			ms += b * latencyMillis[k]
			buckets[k].events[i] = c
		}
		count.events[i] = c
		sum.events[i] = ms
	}
	return &Scenario{Name: name,
		About: "classic histogram, 0.3% slower than 0.5s, 3% in the last three hours; 28d window",
		SLOs: []SLOSpec{{
			Name:        name + "-fast",
			Description: "requests answered within 0.5s",
			Objective:   99,
			Window:      28 * day,
			Histogram:   fmt.Sprintf("%s{service=%q}", hist, name),
			Threshold:   0.5,
			GoodStream:  "good",
			TotalStream: "total",
		}},
		Series: append(append(buckets, count), sum)}, nil
}
