package engine

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/internal/forecastsim"
	"github.com/slobudget/slobudget/slo"
)

const trustConfig = `
slos:
  - name: ghost
    service: ghost
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: ghost_errors_total
        total: ghost_requests_total
  - name: quiet
    service: quiet
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: quiet_errors_total
        total: quiet_requests_total
  - name: newcomer
    service: newcomer
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: new_errors_total
        total: new_requests_total
  - name: healing
    service: busy
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: heal_errors_total
        total: busy_requests_total
  - name: busy
    service: busy
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: busy_errors_total
        total: busy_requests_total
`

// shaped is a counter with a sample every minute in [start, end] whose
// sample at ts reveals perSample(ts) events.
func shaped(start, end int64, perSample func(ts int64) float64) countergen.Counter {
	var c countergen.Counter
	v := 100.0
	for ts := start; ts <= end; ts += 60_000 {
		ev := 0.0
		if len(c.Samples) > 0 {
			ev = perSample(ts)
		}
		v += ev
		c.Samples = append(c.Samples, backend.Sample{T: ts, V: v})
		c.Events = append(c.Events, ev)
	}
	return c
}

// trustData: ghost has no series at all; quiet's counters are scraped and do
// not move; newcomer's counters begin exactly two days before the end; busy
// has a month of diurnal traffic, an incident 20 days ago that leaves the
// window in 10 days, and a last hour burning fast.
func trustData(end int64) (*memory.Store, map[string]countergen.Counter) {
	store := memory.New()
	start := end - 31*24*3600_000
	hour := func(ts int64) float64 { return float64(ts / 3600_000 % 24) }
	diurnal := func(ts int64) float64 { return 400 + 300*math.Sin(hour(ts)/24*2*math.Pi) }
	// 120 bad a minute for 2 hours, 20 days ago: about 14,400 of the
	// window's 17,000 allowed.
	incident := func(ts int64) float64 {
		if ts > end-20*24*3600_000-2*3600_000 && ts <= end-20*24*3600_000 {
			return 120
		}
		return 0
	}
	cs := map[string]countergen.Counter{
		"quiet_requests_total": countergen.Steady(start, end, 60_000, 0),
		"quiet_errors_total":   countergen.Steady(start, end, 60_000, 0),
		"new_requests_total":   countergen.Steady(end-2*24*3600_000, end, 60_000, 50),
		"new_errors_total":     countergen.Steady(end-2*24*3600_000, end, 60_000, 0),
		"busy_requests_total":  shaped(start, end, func(ts int64) float64 { return math.Round(diurnal(ts)) }),
		// busy: the incident, and a last hour burning at about 5.
		"busy_errors_total": shaped(start, end, func(ts int64) float64 {
			if ts > end-3600_000 {
				return math.Ceil(diurnal(ts) / 200)
			}
			return incident(ts)
		}),
		// healing: the incident alone; it leaves the window in 10 days.
		"heal_errors_total": shaped(start, end, incident),
	}
	for name, c := range cs {
		c.Store(store, "__name__", name)
	}
	return store, cs
}

func evaluateTrust(t *testing.T, src backend.Source, at time.Time) map[string]slo.Result {
	t.Helper()
	e, err := New(loadConfig(t, trustConfig), Options{Source: src, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if failed := e.EvaluateAt(context.Background(), at); failed != 0 {
		t.Fatalf("%d SLOs failed: %+v", failed, e.Results())
	}
	out := map[string]slo.Result{}
	for _, r := range e.Results() {
		out[r.Name] = r
	}
	return out
}

func TestNoDataIsNotZeroTraffic(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, _ := trustData(end)
	at := time.UnixMilli(end).Add(30 * time.Second)
	rs := evaluateTrust(t, store, at)

	ghost := rs["ghost"]
	if !ghost.DataMissing || ghost.MissingSelector != "ghost_requests_total" || ghost.Error != "" || !ghost.EvaluatedAt.Equal(at) || ghost.HasNumbers() {
		t.Errorf("ghost: %+v, want data missing, naming ghost_requests_total, evaluated without error", ghost)
	}
	raw, _ := json.Marshal(ghost)
	var js map[string]any
	_ = json.Unmarshal(raw, &js)
	for _, k := range []string{"policyState", "featureFreeze", "budgetRemaining", "exhaustionSeconds", "events"} {
		if v, ok := js[k]; !ok || v != nil {
			t.Errorf("ghost JSON %s = %v, want null", k, v)
		}
	}
	if js["dataMissing"] != true || js["coverage"] != 0.0 {
		t.Errorf("ghost JSON dataMissing %v coverage %v, want true and 0", js["dataMissing"], js["coverage"])
	}

	quiet := rs["quiet"]
	if quiet.DataMissing || quiet.SLI != nil || quiet.BudgetRemaining != 1 || quiet.PolicyState != "healthy" ||
		quiet.Coverage == nil || *quiet.Coverage != 1 || quiet.Provisional {
		t.Errorf("quiet: %+v, want zero traffic over a fully covered window: budget untouched, healthy", quiet)
	}
}

// TestCoverageOfANewService: data that began two days ago covers 2/30 of a
// 30d window, the figures are those of the two days, and the decision is
// provisional.
func TestCoverageOfANewService(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, cs := trustData(end)
	at := time.UnixMilli(end).Add(30 * time.Second)
	r := evaluateTrust(t, store, at)["newcomer"]
	first := cs["new_requests_total"].Samples[0].T // the truth: the first sample written
	wantSeconds := float64(at.UnixMilli()-first) / 1000
	if r.CoveredSeconds == nil || *r.CoveredSeconds != wantSeconds || *r.Coverage != wantSeconds/(30*86400) || !r.Provisional {
		t.Errorf("coverage %v over %v s, provisional %v; want %v s (%.6f) and provisional", deref(r.Coverage), deref(r.CoveredSeconds),
			r.Provisional, wantSeconds, wantSeconds/(30*86400))
	}
	total := countergen.In([]countergen.Counter{cs["new_requests_total"]}, at.UnixMilli()-30*86400_000, at.UnixMilli())
	if r.Events.Total != total || r.PolicyState != "healthy" {
		t.Errorf("events %v state %q, want %v and healthy", r.Events.Total, r.PolicyState, total)
	}
}

// TestForecastMatchesSimulation: the engine's exhaustion and recovery equal
// an independent simulation (internal/forecastsim, 30 s steps) run over
// hourly buckets counted by brute force from the generated samples.
func TestForecastMatchesSimulation(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, cs := trustData(end)
	at := time.UnixMilli(end).Add(30 * time.Second)
	rs := evaluateTrust(t, store, at)
	window := 30 * 24 * time.Hour
	counts := func(errors string, lo, hi time.Time) slo.Counts {
		total := countergen.In([]countergen.Counter{cs["busy_requests_total"]}, lo.UnixMilli(), hi.UnixMilli())
		bad := countergen.In([]countergen.Counter{cs[errors]}, lo.UnixMilli(), hi.UnixMilli())
		return slo.Counts{Good: total - bad, Total: total}
	}
	policy := slo.DefaultPolicy()
	for name, errors := range map[string]string{"busy": "busy_errors_total", "healing": "heal_errors_total"} {
		t.Run(name, func(t *testing.T) {
			r := rs[name]
			var hist []slo.Bucket
			for lo := at.Add(-window); lo.Before(at); {
				hi := lo.Truncate(time.Hour).Add(time.Hour)
				if hi.After(at) {
					hi = at
				}
				hist = append(hist, slo.Bucket{Start: lo, End: hi, Counts: counts(errors, lo, hi)})
				lo = hi
			}
			truth := forecastsim.Simulate(hist, counts(errors, at.Add(-time.Hour), at), 0.001, window, time.Time{}, window, 30*time.Second)
			if math.Abs(truth.Now-r.BudgetRemaining) > 1e-9 {
				t.Fatalf("remaining now %v, truth %v", r.BudgetRemaining, truth.Now)
			}
			steps := truth.First(func(v float64) bool { return v <= 0 })
			switch {
			case r.ExhaustionSeconds == nil:
				t.Errorf("no exhaustion forecast")
			case steps < 0 && !math.IsInf(*r.ExhaustionSeconds, 1):
				t.Errorf("exhaustion %v s; the truth never runs out", *r.ExhaustionSeconds)
			case steps >= 0 && !truth.Contains(*r.ExhaustionSeconds, steps):
				t.Errorf("exhaustion %v s, truth crosses 0 in step %d (of 30 s)", *r.ExhaustionSeconds, steps)
			}
			if r.Forecast == nil || r.Forecast.NextBetter == "" {
				t.Fatalf("state %s, forecast %+v: want a state to recover to", r.PolicyState, r.Forecast)
			}
			var threshold float64
			for _, st := range policy.States {
				if st.Name == r.Forecast.NextBetter {
					threshold = *st.MinBudgetRemaining
				}
			}
			rec := truth.First(func(v float64) bool { return v >= threshold })
			got, ok := r.RecoverySeconds[r.Forecast.NextBetter]
			switch {
			case r.RecoverySeconds == nil:
				t.Errorf("recovery not computed")
			case rec < 0 && ok:
				t.Errorf("recovery to %s in %v s; the truth never gets there", r.Forecast.NextBetter, got)
			case rec >= 0 && (!ok || !truth.Contains(got, rec)):
				t.Errorf("recovery to %s in %v s (present %v); truth in step %d", r.Forecast.NextBetter, got, ok, rec)
			}
			t.Logf("%.1f%% left, state %s, exhaustion %v s (truth step %d), recovery %v (truth step %d)",
				r.BudgetRemaining*100, r.PolicyState, deref(r.ExhaustionSeconds), steps, r.RecoverySeconds, rec)
		})
	}
	if e := rs["busy"].ExhaustionSeconds; e == nil || math.IsInf(*e, 1) {
		t.Error("busy must run out at its pace: the scenario lost its point")
	}
	if _, ok := rs["healing"].RecoverySeconds["caution"]; !ok {
		t.Error("healing must climb back to caution when the incident leaves: the scenario lost its point")
	}
}

// flaky fails every query while down is set.
type flaky struct {
	backend.Source
	down bool
}

func (f *flaky) Samples(ctx context.Context, sel string, from, to time.Time) ([]backend.Series, error) {
	if f.down {
		return nil, errors.New("dial tcp 127.0.0.1:9: connect: connection refused")
	}
	return f.Source.Samples(ctx, sel, from, to)
}

// TestFailingSince: the first failure of a run sets FailingSince; later
// failures keep it; a success clears it.
func TestFailingSince(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, _ := trustData(end)
	src := &flaky{Source: store}
	e, err := New(loadConfig(t, trustConfig), Options{Source: src, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t0 := time.UnixMilli(end).Add(-10 * time.Minute)
	e.EvaluateAt(ctx, t0)
	src.down = true
	e.EvaluateAt(ctx, t0.Add(time.Minute))
	e.EvaluateAt(ctx, t0.Add(2*time.Minute))
	r, _ := e.Result("busy")
	if !r.FailingSince.Equal(t0.Add(time.Minute)) || r.Error == "" || !r.EvaluatedAt.Equal(t0) {
		t.Errorf("after two failures: failing since %s, error %q, numbers from %s; want since %s", r.FailingSince, r.Error, r.EvaluatedAt, t0.Add(time.Minute))
	}
	src.down = false
	e.EvaluateAt(ctx, t0.Add(3*time.Minute))
	if r, _ := e.Result("busy"); !r.FailingSince.IsZero() || r.Error != "" {
		t.Errorf("after a success: failing since %s, error %q; want neither", r.FailingSince, r.Error)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestResultsOutliveTheNextEvaluation: an evaluation works in buffers it
// reuses (evalScratch, the forecast's); a published result must not share
// them. After a second evaluation, with other hours and other figures, every
// result of the first still holds its own history, forecast and page spans.
func TestResultsOutliveTheNextEvaluation(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, _ := trustData(end)
	e, err := New(mustParse(t, trustConfig), Options{Source: store, Step: 30 * time.Second, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	type record struct {
		json    string
		buckets []slo.Bucket
		cuts    []slo.Bucket
		spans   []slo.Period
	}
	take := func() map[string]record {
		out := map[string]record{}
		for _, r := range e.Snapshot().Results {
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			rec := record{json: string(b), spans: slices.Clone(r.PageSpans)}
			if r.History != nil {
				rec.buckets, rec.cuts = r.History.Buckets(), slices.Clone(r.History.Cuts)
			}
			out[r.Name] = rec
		}
		return out
	}
	ctx := context.Background()
	e.EvaluateAt(ctx, time.UnixMilli(end).Add(-100*time.Minute))
	first := e.Snapshot()
	before := take()
	e.EvaluateAt(ctx, time.UnixMilli(end).Add(30*time.Second))
	after := take()
	if before["busy"].json == after["busy"].json {
		t.Fatal("the two evaluations gave the same figures: the test shows nothing")
	}
	// The histories refer to the counters' complete hours (LentHours), which
	// the second evaluation's counting must leave as they were.
	if r, ok := e.Result("busy"); !ok || r.History == nil || r.History.Lent() == 0 {
		t.Fatal("busy's history lends no hour from its counter: the test shows nothing of the sharing")
	}
	for _, r := range first.Results {
		was := before[r.Name]
		b, _ := json.Marshal(r)
		if string(b) != was.json {
			t.Errorf("%s: the first result changed after the second evaluation:\n%s\nwas\n%s", r.Name, b, was.json)
		}
		if r.History != nil {
			if !slices.Equal(r.History.Buckets(), was.buckets) {
				t.Errorf("%s: the first result's history changed after the second evaluation", r.Name)
			}
			if !slices.Equal(r.History.Cuts, was.cuts) {
				t.Errorf("%s: the first result's cut hours changed after the second evaluation", r.Name)
			}
		}
		if !slices.Equal(r.PageSpans, was.spans) {
			t.Errorf("%s: the first result's page spans changed after the second evaluation", r.Name)
		}
		if r.Forecast != nil {
			if now, ok := e.Result(r.Name); ok && now.Forecast == r.Forecast {
				t.Errorf("%s: the two evaluations share one forecast", r.Name)
			}
		}
	}
}

func mustParse(t *testing.T, yml string) *slo.Config {
	t.Helper()
	cfg, err := slo.Parse("slos.yml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
