package exporter

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/slobudget/slobudget/slo"
)

// fixedCollector serves fixed results the way the daemon's sloCollector
// serves the engine's.
type fixedCollector struct{ results []slo.Result }

func (c fixedCollector) Describe(chan<- *prometheus.Desc) {}
func (c fixedCollector) Collect(ch chan<- prometheus.Metric) {
	collectResults(constSink{ch}, c.results)
}

// pages renders results both ways: through textMetricsHandler and through
// promhttp over client_golang's registry, the rendering it replaces.
func pages(t *testing.T, results []slo.Result, self *prometheus.Registry, accept string) (direct, golden *httptest.ResponseRecorder) {
	t.Helper()
	sloReg := prometheus.NewRegistry()
	sloReg.MustRegister(fixedCollector{results})
	get := func(h http.Handler) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	direct = get(textMetricsHandler(func() []slo.Result { return results }, sloReg, self))
	golden = get(promhttp.HandlerFor(prometheus.Gatherers{sloReg, self}, promhttp.HandlerOpts{}))
	return direct, golden
}

// selfRegistry holds families that sort before, between and after the SLO
// families, with fixed values.
func selfRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	for _, name := range []string{"go_fixed_total", "slnn_between", "slobudget_fixed_total", "zz_last"} {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: "fixed \\ help\nline"}, []string{"slo"})
		c.WithLabelValues("a").Add(3)
		c.WithLabelValues("b\"c").Add(0.5)
		reg.MustRegister(c)
	}
	return reg
}

// randomResults builds results of every shape the collector knows:
// unevaluated, no data, full numbers, calendar periods, exclusions,
// incidents, grouped instances with different label sets, user labels and
// estimates; label values with quotes, backslashes, newlines, non-ASCII
// and prefixes of each other; values 0, ±1, -0, NaN, ±Inf and arbitrary.
func randomResults(rng *rand.Rand, n int) []slo.Result {
	strs := []string{"a", "a-b", "ab", "", "b\"q", `back\slash`, "new\nline", "ünï", "a\x01", "z", "A"}
	floats := []float64{0, 1, -1, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 0.999, 1e-300, 123456789.125, 2.5e21}
	f := func() float64 {
		if rng.Intn(3) == 0 {
			return rng.NormFloat64() * 1e4
		}
		return floats[rng.Intn(len(floats))]
	}
	pf := func() *float64 { v := f(); return &v }
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var out []slo.Result
	for i := range n {
		r := slo.Result{
			Name: fmt.Sprintf("slo-%d", rng.Intn(n*2)), Service: strs[rng.Intn(len(strs))],
			Objective: f(), Window: []string{"30d", "28d", "1M"}[rng.Intn(3)], Policy: strs[rng.Intn(len(strs))],
			Estimate: rng.Intn(4) == 0, PolicyStates: []string{"healthy", "caution", "frozen"},
		}
		r.Name += fmt.Sprintf("-%d", i) // unique
		if rng.Intn(2) == 0 {
			r.Labels = map[string]string{"team": strs[rng.Intn(len(strs))]}
			if rng.Intn(2) == 0 {
				r.Labels["aaa"] = strs[rng.Intn(len(strs))]
			}
		}
		switch rng.Intn(3) {
		case 0:
			r.Group = map[string]string{"route": strs[rng.Intn(len(strs))]}
		case 1:
			r.Group = map[string]string{"route": strs[rng.Intn(len(strs))], "code": fmt.Sprint(i)}
		}
		if r.Group != nil {
			r.Groups = &slo.GroupCount{Found: 5, Evaluated: 3}
			r.Name = fmt.Sprintf("grouped-%d", rng.Intn(3)) // instances share the SLO's name
			r.Group["i"] = fmt.Sprint(i)                    // and differ by group values
		}
		if rng.Intn(5) > 0 {
			r.EvaluatedAt = at.Add(time.Duration(rng.Intn(1e6)) * time.Millisecond)
		}
		if rng.Intn(3) == 0 {
			r.Error = "boom"
		}
		r.DataMissing = rng.Intn(6) == 0
		if rng.Intn(2) == 0 {
			r.Coverage = pf()
		}
		if rng.Intn(3) == 0 {
			r.PeriodStart, r.PeriodEnd = at.Add(-time.Hour), at.Add(time.Hour)
		}
		if rng.Intn(3) == 0 {
			r.Exclusions = []slo.ExcludedSpan{{GoodEvents: f(), BadEvents: f()}}
		}
		if rng.Intn(4) > 0 {
			r.SLI = pf()
		}
		r.Events = slo.Counts{Good: f(), Total: f()}
		r.BudgetRemaining, r.BudgetRemainingSeconds = f(), f()
		r.BurnRates = map[string]float64{}
		for _, w := range []string{"5m", "30m", "1h", "6h", "1d", "3d", "30d"} {
			if rng.Intn(4) > 0 {
				r.BurnRates[w] = f()
			}
		}
		if rng.Intn(2) == 0 {
			r.ExhaustionSeconds = pf()
		}
		r.RecoverySeconds = map[string]float64{"healthy": f(), "caution": f()}
		r.PolicyState = r.PolicyStates[rng.Intn(3)]
		r.Alerts = slo.Alerts{Page: rng.Intn(2) == 0, Ticket: rng.Intn(2) == 0}
		r.FeatureFreeze, r.FeatureShare = rng.Intn(2) == 0, f()
		if rng.Intn(2) == 0 {
			r.Capacity = &slo.Capacity{Features: f(), Reliability: f(), Innovation: f()}
		}
		if rng.Intn(2) == 0 {
			w := &slo.WindowIncidents{Complete: rng.Intn(2) == 0}
			if rng.Intn(2) == 0 {
				w.Incidents = []slo.Incident{{BudgetConsumed: f(), Active: rng.Intn(2) == 0, Postmortem: rng.Intn(2) == 0}}
			}
			r.Incidents = w
		}
		out = append(out, r)
	}
	return out
}

// TestTextMetricsEqualsClientGolang: the directly written /metrics page is,
// byte for byte, the page promhttp writes for the same results through
// client_golang's registry, with the process's own families merged in by
// name, for hundreds of results of every shape.
func TestTextMetricsEqualsClientGolang(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		results := randomResults(rand.New(rand.NewSource(seed)), 60)
		for _, accept := range []string{"", "text/plain", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"} {
			direct, golden := pages(t, results, selfRegistry(), accept)
			if golden.Code != http.StatusOK {
				t.Fatalf("seed %d: client_golang answered %d: %s", seed, golden.Code, golden.Body)
			}
			if direct.Code != golden.Code || !bytes.Equal(direct.Body.Bytes(), golden.Body.Bytes()) {
				t.Fatalf("seed %d, Accept %q: direct page (%d, %d bytes) differs from client_golang's (%d, %d bytes) at byte %d:\n%s",
					seed, accept, direct.Code, direct.Body.Len(), golden.Code, golden.Body.Len(), firstDiff(direct.Body.Bytes(), golden.Body.Bytes()), around(direct.Body.Bytes(), golden.Body.Bytes()))
			}
			if got, want := direct.Header().Get("Content-Type"), golden.Header().Get("Content-Type"); got != want {
				t.Fatalf("Content-Type %q, want %q", got, want)
			}
			if !strings.Contains(direct.Body.String(), "\nslo_burn_rate{") {
				t.Fatalf("seed %d: no burn rates on the page", seed)
			}
		}
	}
}

// TestTextMetricsFallsBack: what the direct page cannot write exactly
// (invalid UTF-8 in a label value, two series with the same labels, a
// protobuf scrape, a family name shared with the process's own) is served
// by client_golang, so the answer is the one it always was.
func TestTextMetricsFallsBack(t *testing.T) {
	base := randomResults(rand.New(rand.NewSource(7)), 5)
	badUTF8 := append([]slo.Result{}, base...)
	badUTF8[0].Service = "\xff"
	dup := append(append([]slo.Result{}, base...), base[1])
	clash := prometheus.NewRegistry()
	clash.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "slo_objective_ratio", Help: "x"}))
	for name, c := range map[string]struct {
		results []slo.Result
		self    *prometheus.Registry
		accept  string
	}{
		"invalid utf-8": {badUTF8, selfRegistry(), ""},
		"duplicate":     {dup, selfRegistry(), ""},
		"protobuf":      {base, selfRegistry(), "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"},
		"name clash":    {base, clash, ""},
	} {
		sink := newTextSink()
		collectResults(sink, c.results)
		direct, golden := pages(t, c.results, c.self, c.accept)
		same := bytes.Equal(direct.Body.Bytes(), golden.Body.Bytes())
		if golden.Code != http.StatusOK {
			// The error names the metric in protobuf's text form, whose
			// spacing protobuf varies on purpose: compare the first line.
			first := func(b *bytes.Buffer) string { l, _, _ := strings.Cut(b.String(), "\n"); return l }
			same = first(direct.Body) == first(golden.Body)
		}
		if direct.Code != golden.Code || !same {
			t.Errorf("%s: direct answer %d (%d bytes), client_golang's %d (%d bytes)", name, direct.Code, direct.Body.Len(), golden.Code, golden.Body.Len())
		}
		if c.accept == "" && sink.ready(mustGather(t, c.self)) {
			t.Errorf("%s: the text sink took a page it cannot write exactly", name)
		}
	}
}

func mustGather(t *testing.T, g prometheus.Gatherer) []*dto.MetricFamily {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(a, b []byte) string {
	i := firstDiff(a, b)
	lo := max(0, i-200)
	return fmt.Sprintf("direct: %q\ngolden: %q", a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
}
