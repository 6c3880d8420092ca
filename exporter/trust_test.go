package exporter

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/internal/promapi"
	"github.com/slobudget/slobudget/slo"
	"github.com/slobudget/slobudget/statuspage"
)

const trustYAML = `
slos:
  - name: ghost
    service: ghost
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: ghost_errors_total
        total: ghost_requests_total
  - name: newcomer
    service: newcomer
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: new_errors_total
        total: new_requests_total
  - name: sick
    service: sick
    objective: 99
    window: 7d
    sli:
      events:
        errors: sick_errors_total
        total: sick_requests_total
`

// trustDaemon serves three SLOs from the real PromQL engine: ghost has no
// series, newcomer's began 30 hours before the end, and sick had a bad day
// five days ago that spent most of its budget and leaves in two days.
func trustDaemon(t *testing.T) (*Daemon, map[string]countergen.Counter, int64) {
	t.Helper()
	end := int64(1_700_000_040_000)
	start := end - 8*24*3600_000
	store := memory.New()
	sickErrors := func(ts int64) float64 {
		if ts > end-5*24*3600_000-24*3600_000 && ts <= end-5*24*3600_000 {
			return 50 // 72,000 bad of the window's 100,800 allowed
		}
		return 0
	}
	cs := map[string]countergen.Counter{
		"new_requests_total":  countergen.Steady(end-30*3600_000+13_000, end, 60_000, 20),
		"new_errors_total":    countergen.Steady(end-30*3600_000+13_000, end, 60_000, 0),
		"sick_requests_total": countergen.Steady(start, end, 60_000, 1000),
		"sick_errors_total":   perSample(start, end, sickErrors),
	}
	for name, c := range cs {
		c.Store(store, "__name__", name)
	}
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	t.Cleanup(srv.Close)
	cfgFile := filepath.Join(t.TempDir(), "slo.yml")
	if err := os.WriteFile(cfgFile, []byte(trustYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(DaemonOptions{ConfigFiles: []string{cfgFile}, Backend: backend.Options{URL: srv.URL, Timeout: 10 * time.Second},
		Step: 30 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	d.StatusPage = d.NewStatusPage(statuspage.Options{})
	return d, cs, end
}

func perSample(start, end int64, f func(ts int64) float64) countergen.Counter {
	var c countergen.Counter
	v := 10.0
	for ts := start; ts <= end; ts += 60_000 {
		ev := 0.0
		if len(c.Samples) > 0 {
			ev = f(ts)
		}
		v += ev
		c.Samples = append(c.Samples, backend.Sample{T: ts, V: v})
		c.Events = append(c.Events, ev)
	}
	return c
}

// scrapeBySLO parses /metrics into series by SLO: name{labels} -> value.
func scrapeBySLO(t *testing.T, d *Daemon) map[string]map[string]float64 {
	t.Helper()
	_, body := request(t, d, "GET", "/metrics")
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for name, mf := range fams {
		for _, m := range mf.Metric {
			sloName, extra := "", ""
			for _, lp := range m.Label {
				switch lp.GetName() {
				case "slo":
					sloName = lp.GetValue()
				case "state", "window", "result", "severity", "kind":
					extra = "{" + lp.GetValue() + "}"
				}
			}
			if sloName == "" {
				continue
			}
			if out[sloName] == nil {
				out[sloName] = map[string]float64{}
			}
			out[sloName][name+extra] = m.GetGauge().GetValue()
		}
	}
	return out
}

func TestNoDataMetricsAndCoverage(t *testing.T) {
	d, cs, end := trustDaemon(t)
	at := time.UnixMilli(end).Add(30 * time.Second)
	if failed := d.Engine.EvaluateAt(context.Background(), at); failed != 0 {
		t.Fatalf("%d failed: %+v", failed, d.Engine.Results())
	}
	m := scrapeBySLO(t, d)
	var ghost []string
	for k := range m["ghost"] {
		ghost = append(ghost, k)
	}
	sort.Strings(ghost)
	want := "slo_data_coverage_ratio slo_data_missing slo_evaluation_success slo_info{7d} slo_last_evaluation_timestamp_seconds slo_objective_ratio"
	if strings.Join(ghost, " ") != want {
		t.Errorf("ghost exports %v, want only %s", ghost, want)
	}
	if m["ghost"]["slo_data_missing"] != 1 || m["ghost"]["slo_evaluation_success"] != 1 || m["ghost"]["slo_data_coverage_ratio"] != 0 {
		t.Errorf("ghost: %v, want data missing 1, evaluation success 1, coverage 0", m["ghost"])
	}
	// The truth: covered from the first sample written to the instant.
	covered := float64(at.UnixMilli()-cs["new_requests_total"].Samples[0].T) / 1000
	if got := m["newcomer"]["slo_data_coverage_ratio"]; got != covered/(7*86400) || m["newcomer"]["slo_data_missing"] != 0 {
		t.Errorf("newcomer coverage %v, missing %v; want %v and 0", got, m["newcomer"]["slo_data_missing"], covered/(7*86400))
	}
	if m["sick"]["slo_data_coverage_ratio"] != 1 {
		t.Errorf("sick coverage %v, want 1", m["sick"]["slo_data_coverage_ratio"])
	}
	// Recovery and exhaustion: /metrics says what the API says.
	r, _ := d.Engine.Result("sick")
	if r.PolicyState == "healthy" || len(r.RecoverySeconds) != 1 {
		t.Fatalf("sick is %s with recovery %v; the scenario needs a recovery", r.PolicyState, r.RecoverySeconds)
	}
	for st, v := range r.RecoverySeconds {
		if got, ok := m["sick"]["slo_policy_recovery_seconds{"+st+"}"]; !ok || got != v {
			t.Errorf("slo_policy_recovery_seconds{state=%q} = %v (present %v), API %v", st, got, ok, v)
		}
	}
	if got := m["sick"]["slo_error_budget_exhaustion_seconds"]; !math.IsInf(got, 1) || r.Forecast == nil || !math.IsInf(r.Forecast.ExhaustionSeconds, 1) {
		t.Errorf("sick exhaustion %v; no errors in the last hour: it never runs out", got)
	}
}

// TestHistoryAPIMatchesTruth: the history API's burn-down and hourly burn
// rates equal sums of the generated events, and the page's charts carry the
// same points.
func TestHistoryAPIMatchesTruth(t *testing.T) {
	d, cs, end := trustDaemon(t)
	at := time.UnixMilli(end).Add(30 * time.Second)
	d.Engine.EvaluateAt(context.Background(), at)
	code, body := request(t, d, "GET", "/api/v1/slos/sick/history")
	if code != 200 {
		t.Fatalf("history: %d %s", code, body)
	}
	var h struct {
		Remaining []slo.SeriesPoint            `json:"remaining"`
		BurnRates map[string][]slo.SeriesPoint `json:"burnRates"`
		PageSpans []slo.Period                 `json:"pageSpans"`
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatal(err)
	}
	total := []countergen.Counter{cs["sick_requests_total"]}
	bad := []countergen.Counter{cs["sick_errors_total"]}
	start := at.Add(-7 * 24 * time.Hour).UnixMilli()
	allowed := countergen.In(total, start, at.UnixMilli()) * 0.01
	if len(h.Remaining) != 7*24+2 {
		t.Fatalf("%d burn-down points, want %d (the window's start, 168 hour ends and now)", len(h.Remaining), 7*24+2)
	}
	for i, p := range h.Remaining {
		want := 1 - countergen.In(bad, start, p.At.UnixMilli())/allowed
		if math.Abs(p.Value-want) > 1e-12 || (i > 0 && i < len(h.Remaining)-1 && p.At.UnixMilli()%3600_000 != 0) {
			t.Fatalf("burn-down point %d at %s = %v, want %v", i, p.At, p.Value, want)
		}
	}
	r, _ := d.Engine.Result("sick")
	if last := h.Remaining[len(h.Remaining)-1]; !last.At.Equal(at) || math.Abs(last.Value-r.BudgetRemaining) > 1e-12 {
		t.Errorf("last point %+v, want the budget remaining now %v at %s", last, r.BudgetRemaining, at)
	}
	for _, p := range h.BurnRates["1h"] {
		tot := countergen.In(total, p.At.UnixMilli()-3600_000, p.At.UnixMilli())
		want := countergen.In(bad, p.At.UnixMilli()-3600_000, p.At.UnixMilli()) / tot / 0.01
		if math.Abs(p.Value-want) > 1e-9 {
			t.Fatalf("1h burn rate at %s = %v, want %v", p.At, p.Value, want)
		}
	}
	if h.PageSpans == nil {
		t.Error("pageSpans is null; want the engine's record (empty: no page held)")
	}
	// The detail page at /slo/NAME carries the charts, whose burn-down
	// points are the API's.
	code, page := request(t, d, "GET", "/slo/sick")
	if code != 200 || !strings.Contains(page, `data-chart="budget"`) {
		t.Fatalf("/slo/sick: %d, budget chart present %v", code, strings.Contains(page, `data-chart="budget"`))
	}
	i := strings.Index(page, `data-series="remaining"`)
	j := strings.Index(page[i:], `data-points="`) + i + len(`data-points="`)
	pts := strings.Fields(page[j : j+strings.IndexByte(page[j:], '"')])
	if len(pts) != len(h.Remaining) {
		t.Errorf("the chart draws %d points, the API has %d", len(pts), len(h.Remaining))
	}
	if code, _ := request(t, d, "GET", "/api/v1/slos/nope/history"); code != 404 {
		t.Errorf("unknown SLO's history: %d, want 404", code)
	}
	if code, body := request(t, d, "GET", "/api/v1/slos/ghost/history"); code != 200 || !strings.Contains(body, `"dataMissing": true`) {
		t.Errorf("ghost history: %d %s", code, body)
	}
}
