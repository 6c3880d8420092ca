package synth

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/slobudget/slobudget/slo"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testNow is a fixed, off-grid evaluation instant so golden files are stable.
var testNow = time.Date(2026, 3, 15, 14, 20, 30, 0, time.UTC)

var (
	dataOnce sync.Once
	data     *Data
	dataErr  error
)

func testData(t *testing.T) *Data {
	t.Helper()
	dataOnce.Do(func() { data, dataErr = Generate(Options{Now: testNow}) })
	if dataErr != nil {
		t.Fatal(dataErr)
	}
	return data
}

// TestTruthAgreesWithCounterValues derives each series' increase a second
// way, from the counter values as written with reset correction, and
// requires it to equal the event-list truth over the whole data and over
// windows ending at now.
func TestTruthAgreesWithCounterValues(t *testing.T) {
	d := testData(t)
	for _, s := range d.AllSeries() {
		type pt struct {
			t time.Time
			v float64
		}
		var pts []pt
		_ = s.samples(func(_ int, at time.Time, v float64) error { pts = append(pts, pt{at, v}); return nil })
		increase := func(from, to time.Time) float64 {
			var sum float64
			for i := 1; i < len(pts); i++ {
				if !pts[i].t.After(from) || pts[i].t.After(to) {
					continue
				}
				if pts[i].v < pts[i-1].v {
					sum += pts[i].v
				} else {
					sum += pts[i].v - pts[i-1].v
				}
			}
			return sum
		}
		scale := s.scale
		if scale == 0 {
			scale = 1
		}
		windows := append([]time.Duration{30 * day, 28 * day, 7 * day}, slo.BurnWindows...)
		for _, w := range windows {
			from := d.Now.Add(-w)
			want := increase(from, d.Now) / scale
			if got := float64(s.Visible(from, d.Now)); abs(got-want) > 1e-6*want+1e-6 {
				t.Errorf("%s over (now-%s, now]: truth %g, counter values give %g", s.Selector(), w, got, want)
			}
		}
		if got, want := s.Visible(d.Start.Add(-time.Hour), d.End.Add(time.Hour)), s.TotalEvents(); got != want {
			t.Errorf("%s: all visible events %d != all events after the baseline %d", s.Selector(), got, want)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestSelectorsMatchStreams checks the config's selectors against the truth
// streams with the PromQL parser's own matchers: a typo in either would make
// the daemon count different series than the truth does.
func TestSelectorsMatchStreams(t *testing.T) {
	d := testData(t)
	for _, sc := range d.Scenarios {
		for _, s := range sc.SLOs {
			if s.TimeSlice != nil {
				checkGaugeSelector(t, d, sc, s)
				continue
			}
			pairs := map[string]string{s.TotalStream: s.Total, s.BadStream: s.Errors}
			if s.Histogram != "" {
				le := strconv.FormatFloat(s.Threshold, 'f', -1, 64)
				pairs = map[string]string{
					s.TotalStream: withSuffix(t, s.Histogram, "_count", ""),
					s.GoodStream:  withSuffix(t, s.Histogram, "_bucket", le),
				}
			}
			for stream, sel := range pairs {
				matchers, err := parser.ParseMetricSelector(sel)
				if err != nil {
					t.Fatalf("%s: selector %q: %v", s.Name, sel, err)
				}
				var all []*Series
				for _, other := range d.Scenarios {
					all = append(all, other.Series...)
				}
				for _, series := range all {
					lset := labels.FromStrings(append(flat(series), "__name__", series.Metric)...)
					matched := true
					for _, m := range matchers {
						matched = matched && m.Matches(lset.Get(m.Name))
					}
					inStream := series.hasStream(stream) && containsSeries(sc.Series, series)
					if matched != inStream {
						t.Errorf("%s: %s matches %s = %v, but stream %q membership = %v", s.Name, sel, series.Selector(), matched, stream, inStream)
					}
				}
			}
		}
	}
}

func withSuffix(t *testing.T, sel, suffix, le string) string {
	i := strings.Index(sel, "{")
	if i < 0 {
		t.Fatalf("histogram selector %q has no labels", sel)
	}
	out := sel[:i] + suffix + sel[i:]
	if le != "" {
		out = strings.TrimSuffix(out, "}") + `,le="` + le + `"}`
	}
	return out
}

func flat(s *Series) []string {
	var out []string
	for _, l := range s.Labels {
		out = append(out, l.Name, l.Value)
	}
	return out
}

func containsSeries(list []*Series, s *Series) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestScenarioOutcomes pins what each scenario is for, on the expected
// results, so a change to the traffic model cannot quietly turn a "pages"
// scenario into one that does not.
func TestScenarioOutcomes(t *testing.T) {
	d := testData(t)
	res, err := d.Expected(d.Now)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]slo.Result{}
	for _, r := range res {
		by[r.Name] = r
	}
	get := func(name string) slo.Result {
		r, ok := by[name]
		if !ok {
			t.Fatalf("no expected result for %s", name)
		}
		return r
	}
	if p, n := get("peak-incident-availability"), get("night-incident-availability"); p.BudgetRemaining >= n.BudgetRemaining-0.05 {
		t.Errorf("the peak incident should cost clearly more budget: remaining %.3f (peak) vs %.3f (night)", p.BudgetRemaining, n.BudgetRemaining)
	}
	for _, name := range []string{"traffic-stops-availability", "vanished-availability"} {
		r := get(name)
		for _, w := range []string{"5m", "30m", "1h", "2h", "6h", "1d"} {
			if _, ok := r.BurnRates[w]; ok {
				t.Errorf("%s: burn rate for %s present, want absent (no traffic)", name, w)
			}
		}
		if _, ok := r.BurnRates["3d"]; !ok || r.SLI == nil || r.ExhaustionSeconds != nil {
			t.Errorf("%s: want a 3d burn rate, an SLI and no exhaustion time: %+v", name, r)
		}
	}
	if r := get("exhausted-availability"); !r.FeatureFreeze || r.BudgetRemaining >= 0 || r.ExhaustionSeconds == nil || *r.ExhaustionSeconds != 0 {
		t.Errorf("exhausted: want frozen, negative budget, exhaustion 0: %+v", r)
	}
	if r := get("fast-burn-availability"); !r.Alerts.Page {
		t.Errorf("fast-burn: want a page: %+v", r.BurnRates)
	}
	if r := get("slow-burn-availability"); r.Alerts.Page || !r.Alerts.Ticket {
		t.Errorf("slow-burn: want a ticket and no page: %+v", r.BurnRates)
	}
	for _, name := range []string{"steady-availability", "steady-availability-7d", "not-found-availability", "latency-fast", "scrape-gap-availability", "counter-reset-availability"} {
		if r := get(name); r.Alerts.Page || r.Alerts.Ticket || r.PolicyState != "healthy" {
			t.Errorf("%s: want healthy without alerts, got %s %+v", name, r.PolicyState, r.Alerts)
		}
	}
	// The reset and the gaps must really be in the written values, or the
	// scenarios test nothing.
	for _, s := range d.Scenario("counter-reset").Series {
		drops, prev := 0, -1.0
		_ = s.samples(func(_ int, _ time.Time, v float64) error {
			if v < prev {
				drops++
			}
			prev = v
			return nil
		})
		if drops != 1 {
			t.Errorf("%s: %d counter resets in the written values, want 1", s.Selector(), drops)
		}
	}
	for _, s := range d.Scenario("scrape-gap").Series {
		written := 0
		_ = s.samples(func(int, time.Time, float64) error { written++; return nil })
		if want := d.samples() - 18; written != want {
			t.Errorf("%s: %d samples written, want %d (two gaps of 15 and 3)", s.Selector(), written, want)
		}
	}
	// 404s must really be there, or the scenario tests nothing.
	if n404, nTotal := truthOf(d, "not-found", "404"), d.Truth("not-found", "total", d.Start, d.End); float64(n404) < 0.04*float64(nTotal) {
		t.Errorf("not-found: only %d of %d requests are 404s", n404, nTotal)
	}
}

func truthOf(d *Data, scenario, code string) int64 {
	var n int64
	for _, s := range d.Scenario(scenario).Series {
		if s.Label("code") == code {
			n += s.Visible(d.Start, d.End)
		}
	}
	return n
}

// TestOutcomesAreNotBorderline keeps every expected decision away from its
// threshold, so a correct daemon that differs in the last digit (float
// summation order) cannot flip a state or an alert.
func TestOutcomesAreNotBorderline(t *testing.T) {
	d := testData(t)
	res, err := d.Expected(d.Now)
	if err != nil {
		t.Fatal(err)
	}
	const margin = 0.02
	for _, r := range res {
		for _, th := range []float64{0.5, 0.25, 0} {
			if abs(r.BudgetRemaining-th) < margin {
				t.Errorf("%s: budget remaining %.4f is within %.2f of the policy threshold %g", r.Name, r.BudgetRemaining, margin, th)
			}
		}
		for _, p := range slo.AlertPairs(time.Duration(r.WindowSeconds) * time.Second) {
			long, okL := r.BurnRates[slo.WindowLabel(p.Long)]
			short, okS := r.BurnRates[slo.WindowLabel(p.Short)]
			clearlyOff := (okL && long < p.Factor*(1-margin)) || (okS && short < p.Factor*(1-margin)) || !okL || !okS
			clearlyOn := okL && okS && long > p.Factor*(1+margin) && short > p.Factor*(1+margin)
			if !clearlyOff && !clearlyOn {
				t.Errorf("%s: %s/%s burn rates %.3f/%.3f are too close to the factor %.3f", r.Name, slo.WindowLabel(p.Long), slo.WindowLabel(p.Short), long, short, p.Factor)
			}
		}
	}
}

// TestOpenMetricsFile checks what promtool needs and does not check itself:
// seconds, per-series time order, contiguous families, # EOF; and that the
// last value of each series is its Final value.
func TestOpenMetricsFile(t *testing.T) {
	d := testData(t)
	path := filepath.Join(t.TempDir(), "data.om")
	if err := d.WriteOpenMetricsFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	seenFamily := map[string]bool{}
	lastTS := map[string]int64{}
	lastVal := map[string]float64{}
	var family, prev string
	lines := 0
	for sc.Scan() {
		line := sc.Text()
		prev = line
		if strings.HasPrefix(line, "# TYPE ") {
			family = strings.Fields(line)[2]
			if seenFamily[family] {
				t.Fatalf("family %s appears twice: families must be contiguous", family)
			}
			seenFamily[family] = true
			continue
		}
		if line == "# EOF" {
			continue
		}
		lines++
		i := strings.LastIndexByte(line[:strings.LastIndexByte(line, ' ')], ' ')
		series := line[:i]
		fields := strings.Fields(line[i:])
		ts, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			t.Fatalf("line %q: timestamp: %v", line, err)
		}
		if ts < d.Start.Unix() || ts > d.End.Unix() {
			t.Fatalf("line %q: timestamp %d outside [%d, %d] (seconds expected)", line, ts, d.Start.Unix(), d.End.Unix())
		}
		if !strings.HasPrefix(series, family) {
			t.Fatalf("line %q is outside its family %s", line, family)
		}
		if last, ok := lastTS[series]; ok && ts <= last {
			t.Fatalf("%s: timestamp %d after %d: out of order", series, ts, last)
		}
		lastTS[series] = ts
		lastVal[series], err = strconv.ParseFloat(fields[0], 64)
		if err != nil {
			t.Fatalf("line %q: value: %v", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if prev != "# EOF" {
		t.Fatalf("last line %q, want # EOF", prev)
	}
	if len(lastTS) != len(d.AllSeries())+len(d.AllGauges()) {
		t.Fatalf("file has %d series, data has %d counters and %d gauges", len(lastTS), len(d.AllSeries()), len(d.AllGauges()))
	}
	for _, g := range d.AllGauges() {
		at, v := g.Final()
		if lastTS[g.Selector()] != at.Unix() || lastVal[g.Selector()] != v {
			t.Errorf("%s: file ends with %g at %d, Final() says %g at %d", g.Selector(), lastVal[g.Selector()], lastTS[g.Selector()], v, at.Unix())
		}
	}
	for _, s := range d.AllSeries() {
		at, v := s.Final()
		if lastTS[s.Selector()] != at.Unix() || abs(lastVal[s.Selector()]-v) > 1e-9*v {
			t.Errorf("%s: file ends with %g at %d, Final() says %g at %d", s.Selector(), lastVal[s.Selector()], lastTS[s.Selector()], v, at.Unix())
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	d := testData(t)
	again, err := Generate(Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	other, err := Generate(Options{Now: testNow, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	differs := false
	for i, s := range d.AllSeries() {
		_, a := s.Final()
		_, b := again.AllSeries()[i].Final()
		_, c := other.AllSeries()[i].Final()
		if a != b {
			t.Errorf("%s: final value %g, then %g with the same seed", s.Selector(), a, b)
		}
		differs = differs || a != c
	}
	if !differs {
		t.Error("seed 2 produced the same data as seed 1")
	}
}

func TestGenerateRejectsShortData(t *testing.T) {
	if _, err := Generate(Options{Now: testNow, Days: 20}); err == nil || !strings.Contains(err.Error(), "31") {
		t.Fatalf("Days: 20 gave %v, want an error asking for 31 days", err)
	}
	if _, err := Generate(Options{}); err == nil {
		t.Fatal("a zero Now must be rejected")
	}
}

func TestConfigGolden(t *testing.T) {
	golden(t, "config.golden.yaml", testData(t).ConfigYAML())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/synth -run %s -update to create it)", err, t.Name())
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the generated text; if the change is intended, run with -update\n--- got ---\n%s", path, got)
	}
}
