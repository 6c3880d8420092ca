package e2e

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/synth"
	"github.com/slobudget/slobudget/slo"
)

// TestServeMatchesTruth runs the daemon's engine as `serve` does (30 s
// evaluation grid, hourly history computed by the real Prometheus, hours
// folded, edge hours re-read) over a sequence of instants: a start-up two
// hours before the data's end, then every 30 s for a while, then jumps that
// cross hour boundaries. Every evaluation must equal the generator's truth.
// At the end, /metrics is parsed and every exported series is compared with
// the truth as well.
func TestServeMatchesTruth(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	serveMatchesTruth(t, f, backend.Options{URL: p.URL})
}

// serveMatchesTruth is TestServeMatchesTruth against any backend holding
// the fixture's history.
func serveMatchesTruth(t *testing.T, f *fixture, b backend.Options) {
	b.Timeout, b.Concurrency = time.Minute, 4
	d, err := exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: []string{f.configYML},
		Backend:     b,
		Step:        30 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var instants []time.Time
	start := evalAt.Add(-2*time.Hour - 17*time.Minute)
	for i := 0; i < 8; i++ {
		instants = append(instants, start.Add(time.Duration(i)*30*time.Second))
	}
	for at := start.Add(4 * time.Minute); at.Before(evalAt); at = at.Add(23*time.Minute + 30*time.Second) {
		instants = append(instants, at)
	}
	instants = append(instants, evalAt)

	ctx := context.Background()
	for _, at := range instants {
		if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
			for _, r := range d.Engine.Results() {
				if r.Error != "" {
					t.Logf("%s: %s", r.Name, r.Error)
				}
			}
		}
		expected, err := f.data.Expected(at)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(d.Engine.Results())
		if err != nil {
			t.Fatal(err)
		}
		var got []reportedSLO
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		ok := t.Run(at.Format("15:04:05"), func(t *testing.T) { compareReport(t, expected, f.data.ExpectedForecasts(at), got) })
		if !ok {
			t.FailNow()
		}
	}

	expected, err := f.data.Expected(evalAt)
	if err != nil {
		t.Fatal(err)
	}
	compareMetrics(t, d, expected, f.data.ExpectedForecasts(evalAt), evalAt)
}

// compareMetrics scrapes the daemon's /metrics and checks every SLO series
// against the truth: present when it should be, absent when the contract
// says so (no traffic: no SLI, no burn rate), never NaN.
func compareMetrics(t *testing.T, d *exporter.Daemon, expected []slo.Result, forecasts map[string]synth.ForecastTruth, at time.Time) {
	t.Helper()
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	// series[metric][slo][extra label value] = value
	series := map[string]map[string]map[string]float64{}
	for name, mf := range families {
		for _, m := range mf.Metric {
			var sloName, extra string
			for _, lp := range m.Label {
				switch lp.GetName() {
				case "slo":
					sloName = lp.GetValue()
				case "window", "result", "severity", "state":
					extra = lp.GetValue()
				}
			}
			if sloName == "" {
				continue
			}
			v := gaugeValue(m)
			if math.IsNaN(v) {
				t.Errorf("%s{slo=%q} is NaN", name, sloName)
			}
			if series[name] == nil {
				series[name] = map[string]map[string]float64{}
			}
			if series[name][sloName] == nil {
				series[name][sloName] = map[string]float64{}
			}
			series[name][sloName][extra] = v
		}
	}
	for _, want := range expected {
		t.Run("metrics/"+want.Name, func(t *testing.T) {
			get := func(metric, extra string) (float64, bool) {
				v, ok := series[metric][want.Name][extra]
				return v, ok
			}
			check := func(metric, extra string, w float64) {
				t.Helper()
				g, ok := get(metric, extra)
				if !ok {
					t.Errorf("%s{%s} missing, want %g", metric, extra, w)
					return
				}
				if !within(g, w) && !(math.IsInf(w, 1) && math.IsInf(g, 1)) {
					t.Errorf("%s{%s} = %g, want %g", metric, extra, g, w)
				}
			}
			check("slo_objective_ratio", "", want.Objective)
			check("slo_evaluation_success", "", b2f(want.Error == ""))
			check("slo_last_evaluation_timestamp_seconds", "", float64(at.Unix()))
			if want.SLI != nil {
				check("slo_sli_ratio", "", *want.SLI)
			} else if _, ok := get("slo_sli_ratio", ""); ok {
				t.Error("slo_sli_ratio exported for a window without traffic")
			}
			check("slo_window_events", "good", want.Events.Good)
			check("slo_window_events", "bad", want.Events.Bad())
			check("slo_error_budget_remaining_ratio", "", want.BudgetRemaining)
			check("slo_error_budget_remaining_seconds", "", want.BudgetRemainingSeconds)
			exh, ok := get("slo_error_budget_exhaustion_seconds", "")
			if !ok {
				t.Error("slo_error_budget_exhaustion_seconds missing")
			}
			recovery := map[string]float64{}
			for st, v := range series["slo_policy_recovery_seconds"][want.Name] {
				recovery[st] = v
			}
			checkForecast(t, forecasts[want.Name], &exh, recovery, false)
			check("slo_data_missing", "", 0)
			check("slo_data_coverage_ratio", "", forecasts[want.Name].Coverage)
			for _, w := range append([]string{want.Window}, "5m", "30m", "1h", "2h", "6h", "1d", "3d") {
				if rate, ok := want.BurnRates[w]; ok {
					check("slo_burn_rate", w, rate)
				} else if g, ok := get("slo_burn_rate", w); ok {
					t.Errorf("slo_burn_rate{window=%q} = %g exported for a window without traffic", w, g)
				}
			}
			check("slo_alert_active", "page", b2f(want.Alerts.Page))
			check("slo_alert_active", "ticket", b2f(want.Alerts.Ticket))
			for _, st := range want.PolicyStates {
				check("slo_policy_state", st, b2f(st == want.PolicyState))
			}
			check("slo_feature_freeze", "", b2f(want.FeatureFreeze))
			check("slo_feature_capacity_ratio", "", want.FeatureShare)
			if _, ok := series["slo_info"][want.Name]; !ok {
				t.Error("slo_info missing")
			}
		})
	}
	t.Logf("compared %d SLOs' series at %s", len(expected), strconv.Quote(at.Format(time.RFC3339)))
}

func gaugeValue(m *dto.Metric) float64 {
	if m.Gauge != nil {
		return m.Gauge.GetValue()
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return math.NaN()
}
