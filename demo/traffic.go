package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// The story the generated traffic tells, relative to the demo's start. The
// numbers were chosen so each SLO lands clearly inside its intended state,
// whatever the random noise does (demo_test.go checks the states):
//
//   - api-availability (99.9%): a steady 0.055% of 5xx spends about half the
//     budget over the month; an incident that began 50 minutes before the
//     start and does not end returns 4% 5xx: burn rate 40, which pages
//     (1h and 5m burn above 14.4) for as long as the demo runs.
//   - api-latency (p99 < 500 ms): 0.25% slow requests, a quarter of the budget.
//   - batch-job-success (99.5%): a bad 12 hours ten days ago failed 35% of
//     the runs, about 1.5 times the month's budget: frozen for the next
//     ~20 days of the window.
//   - pipeline-freshness (99% of minutes with lag < 15 min): three stalls of
//     100 minutes this month spend about 60% of the budget.
//   - data-quality (99.95%): 0.015% invalid records and a short spike.
const (
	apiRequestsPerSecond = 20.0
	apiErrorRatio        = 0.00055
	apiIncidentStart     = 50 * time.Minute // before the start; it never ends
	apiIncidentErrors    = 0.04
	apiSlowRatio         = 0.0025
	apiIncidentSlow      = 0.005
	apiRestartAge        = 5 * day // the API restarted then: its counters reset

	batchRunsPerSecond = 1.0 / 120
	batchFailRatio     = 0.0015
	batchBadNightAge   = 11 * day // start of the bad night, before the start
	batchBadNightLen   = 12 * time.Hour
	batchBadNightFail  = 0.35

	recordsPerSecond   = 50.0
	recordInvalidRatio = 0.00015
	recordSpikeAge     = 3 * day
	recordSpikeLen     = 30 * time.Minute
	recordSpikeInvalid = 0.005

	stallLen = 100 * time.Minute
)

const day = 24 * time.Hour

// stallAges are when the pipeline stalled, before the start.
var stallAges = []time.Duration{25 * day, 17 * day, 6 * day}

// latencyBounds are the histogram's finite bucket boundaries; 0.5 is the
// latency SLO's threshold.
var latencyBounds = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// series is one generated time series and its current value.
type series struct {
	labels labels.Labels
	value  float64
}

// source generates the series of one simulated system. advance moves them
// from instant from to instant to (ms) and reports the SLO events of that
// interval through g.event.
type source interface {
	series() []*series
	advance(g *generator, from, to int64)
}

// diurnal scales traffic over the day, peaking at 15:00 UTC, with ±10% noise.
func diurnal(rng *rand.Rand, t int64) float64 {
	secOfDay := float64(t/1000%86400) / 86400
	return (1 + 0.4*math.Sin(2*math.Pi*(secOfDay-0.375))) * (0.9 + 0.2*rng.Float64())
}

// stochRound rounds x up with probability equal to its fraction, so counts
// below one event per interval still add up to the right total over time.
func stochRound(rng *rand.Rand, x float64) float64 {
	return math.Floor(x + rng.Float64())
}

// within reports whether instant t (ms) lies in the span that begins age
// before start and lasts length; length 0 means it never ends.
func within(start, t int64, age, length time.Duration) bool {
	from := start - age.Milliseconds()
	return t >= from && (length == 0 || t < from+length.Milliseconds())
}

// apiSource is an HTTP API: requests by status code and a latency histogram.
type apiSource struct {
	ok, notFound, err500, err503 *series
	buckets                      []*series // one per latencyBounds entry, then +Inf
	count, sum                   *series
}

func newAPISource() *apiSource {
	req := func(code string) *series {
		return &series{labels: labels.FromStrings("__name__", "http_requests_total", "service", "api", "code", code)}
	}
	hist := func(suffix string, extra ...string) *series {
		return &series{labels: labels.FromStrings(append([]string{"__name__", "http_request_duration_seconds" + suffix, "service", "api"}, extra...)...)}
	}
	s := &apiSource{ok: req("200"), notFound: req("404"), err500: req("500"), err503: req("503")}
	for _, b := range latencyBounds {
		s.buckets = append(s.buckets, hist("_bucket", "le", strconv.FormatFloat(b, 'f', -1, 64)))
	}
	s.buckets = append(s.buckets, hist("_bucket", "le", "+Inf"))
	s.count, s.sum = hist("_count"), hist("_sum")
	// Counters that start at zero right at the data's first sample read as
	// a reset to tools that extrapolate; real ones have been running.
	for _, x := range s.series() {
		x.value = 1e6
	}
	s.sum.value = 1e5
	return s
}

func (s *apiSource) series() []*series {
	return append([]*series{s.ok, s.notFound, s.err500, s.err503, s.count, s.sum}, s.buckets...)
}

func (s *apiSource) advance(g *generator, from, to int64) {
	rng := g.rng
	restart := g.start - apiRestartAge.Milliseconds()
	if from < restart && to >= restart {
		for _, x := range s.series() {
			x.value = 0
		}
	}
	errRatio, slowRatio := apiErrorRatio, apiSlowRatio
	if within(g.start, to, apiIncidentStart, 0) {
		errRatio, slowRatio = apiIncidentErrors, apiIncidentSlow
	}
	dt := float64(to-from) / 1000
	n := stochRound(rng, apiRequestsPerSecond*dt*diurnal(rng, to))
	bad := min(n, stochRound(rng, n*errRatio))
	bad503 := min(bad, stochRound(rng, bad*0.3))
	notFound := stochRound(rng, (n-bad)*0.01)
	s.ok.value += n - bad - notFound
	s.notFound.value += notFound
	s.err500.value += bad - bad503
	s.err503.value += bad503
	g.event("api-availability", to, n-bad, n)

	// Cumulative shares at or below each bound; the slow tail beyond the
	// 0.5 s threshold is slowRatio.
	shares := []float64{0.55, 0.80, 0.95, 1 - slowRatio, 1 - 0.4*slowRatio, 1 - 0.1*slowRatio, 1 - 0.02*slowRatio}
	mids := []float64{0.03, 0.07, 0.17, 0.35, 0.7, 1.6, 3.5, 7}
	var prev, good, total float64
	for i, share := range shares {
		cum := max(prev, min(n, stochRound(rng, n*share)))
		s.buckets[i].value += cum
		s.sum.value += (cum - prev) * mids[i]
		if latencyBounds[i] == 0.5 {
			good = cum
		}
		prev = cum
	}
	s.sum.value += (n - prev) * mids[len(mids)-1]
	s.buckets[len(s.buckets)-1].value += n
	s.count.value += n
	total = n
	g.event("api-latency", to, good, total)
}

// batchSource is a batch job that runs about every two minutes.
type batchSource struct {
	success, failure *series
	due              float64 // fraction of a run carried to the next interval
}

func newBatchSource() *batchSource {
	run := func(result string) *series {
		return &series{labels: labels.FromStrings("__name__", "batch_job_runs_total", "job_name", "invoice-export", "result", result), value: 5000}
	}
	return &batchSource{success: run("success"), failure: run("failure")}
}

func (s *batchSource) series() []*series { return []*series{s.success, s.failure} }

func (s *batchSource) advance(g *generator, from, to int64) {
	s.due += batchRunsPerSecond * float64(to-from) / 1000
	runs := math.Floor(s.due)
	s.due -= runs
	p := batchFailRatio
	if within(g.start, to, batchBadNightAge, batchBadNightLen) {
		p = batchBadNightFail
	}
	var failed float64
	for range int(runs) {
		if g.rng.Float64() < p {
			failed++
		}
	}
	s.success.value += runs - failed
	s.failure.value += failed
	g.event("batch-job-success", to, runs-failed, runs)
}

// pipelineSource is a data pipeline: its lag behind the source (a gauge)
// and the records it validated.
type pipelineSource struct {
	lag            *series
	valid, invalid *series
}

func newPipelineSource() *pipelineSource {
	rec := func(result string) *series {
		return &series{labels: labels.FromStrings("__name__", "pipeline_records_total", "pipeline", "orders", "result", result), value: 2e6}
	}
	return &pipelineSource{
		lag:   &series{labels: labels.FromStrings("__name__", "pipeline_lag_seconds", "pipeline", "orders")},
		valid: rec("valid"), invalid: rec("invalid"),
	}
}

func (s *pipelineSource) series() []*series { return []*series{s.lag, s.valid, s.invalid} }

func (s *pipelineSource) advance(g *generator, from, to int64) {
	rng := g.rng
	s.lag.value = normalLag(rng, to)
	for _, age := range stallAges {
		if within(g.start, to, age, stallLen) {
			// Stalled: nothing is processed, so the lag grows with the clock.
			s.lag.value = 120 + float64(to-(g.start-age.Milliseconds()))/1000
		}
	}

	p := recordInvalidRatio
	if within(g.start, to, recordSpikeAge, recordSpikeLen) {
		p = recordSpikeInvalid
	}
	n := stochRound(rng, recordsPerSecond*float64(to-from)/1000*diurnal(rng, to))
	bad := min(n, stochRound(rng, n*p))
	s.valid.value += n - bad
	s.invalid.value += bad
	g.event("data-quality", to, n-bad, n)
}

// normalLag is a sawtooth: the pipeline runs every five minutes, so the lag
// climbs from one to five minutes and drops again.
func normalLag(rng *rand.Rand, t int64) float64 {
	phase := float64(t%300_000) / 300_000
	return math.Round(60 + 240*phase + 20*rng.Float64())
}
