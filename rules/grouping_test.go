package rules

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

const groupedRulesConfig = `
slos:
  - name: checkout
    service: checkout
    objective: 99
    window: 30d
    grouping: [route]
    sli:
      events:
        errors: http_requests_total{code="500"}
        total: http_requests_total
`

// The grouped story, per minute m of the test: /a serves 60 good requests
// a minute and no errors; /b serves 60 good ones a minute throughout and,
// from minute 61, 30 failed ones a minute. With the default delay of one
// minute a running sum at minute m holds the counters' increase between
// minutes 0 and m−1 (the first evaluation has no previous sample). /c
// serves 40 a minute and has no series of failed requests at all.
func groupedCounter(route, code string, m int) float64 {
	switch {
	case route == "/c" && code == "200":
		return 40 * float64(m)
	case code == "200":
		return 60 * float64(m)
	case route == "/b" && m > 60:
		return 30 * float64(m-60)
	}
	return 0
}

// groupedCounts are the events the running sums saw in the minutes
// (from, to] of the counters (read one minute late at evaluation minute
// to+1).
func groupedCounts(route string, from, to int) (good, bad float64) {
	good = groupedCounter(route, "200", to) - groupedCounter(route, "200", from)
	bad = groupedCounter(route, "500", to) - groupedCounter(route, "500", from)
	return good, bad
}

func TestPromtoolGroupedSLO(t *testing.T) {
	cfg, err := slo.Parse("grouped.yml", []byte(groupedRulesConfig))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "grouped.yml", out)
	bin := promtest.Require(t, promtest.Promtool)
	dir := t.TempDir()
	rulesPath := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(rulesPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "check", "rules", rulesPath).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}

	const at = 180 // minutes: evaluation instant; counters read at 179
	num, den := cfg.SLOs[0].BudgetFraction()
	var series, exprs strings.Builder
	for _, route := range []string{"/a", "/b", "/c"} {
		for _, code := range []string{"200", "500"} {
			if route == "/c" && code == "500" {
				continue
			}
			var vals []string
			for m := 0; m <= at; m++ {
				vals = append(vals, strconv.FormatFloat(groupedCounter(route, code, m), 'f', -1, 64))
			}
			fmt.Fprintf(&series, "      - series: 'http_requests_total{route=%q,code=%q}'\n        values: '%s'\n", route, code, strings.Join(vals, " "))
		}
	}
	sample := func(expr string, want map[string]float64) {
		fmt.Fprintf(&exprs, "      - expr: '%s'\n        eval_time: %dm\n        exp_samples:\n", expr, at)
		keys := make([]string, 0, len(want))
		for k := range want {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&exprs, "          - labels: '%s'\n            value: %s\n", k, strconv.FormatFloat(want[k], 'g', -1, 64))
		}
	}
	for _, w := range []struct {
		label   string
		minutes int
	}{{"5m", 5}, {"1h", 60}, {"6h", 360}} {
		want := map[string]float64{}
		for _, route := range []string{"/a", "/b", "/c"} {
			// Before the running sums have a window of history, the window
			// counts since they started (minute 0 of the counters).
			good, bad := groupedCounts(route, max(0, at-1-w.minutes), at-1)
			want[fmt.Sprintf(`slo:burn_rate:ratio{route=%q,service="checkout",slo="checkout",window=%q}`, route, w.label)] = bad * den / ((good + bad) * num)
		}
		sample(fmt.Sprintf(`slo:burn_rate:ratio{window="%s"}`, w.label), want)
	}
	events := map[string]float64{}
	for _, route := range []string{"/a", "/b", "/c"} {
		good, bad := groupedCounts(route, 0, at-1)
		events[fmt.Sprintf(`slo:window_events:count{result="good",route=%q,service="checkout",slo="checkout",window="30d"}`, route)] = good
		events[fmt.Sprintf(`slo:window_events:count{result="bad",route=%q,service="checkout",slo="checkout",window="30d"}`, route)] = bad
	}
	sample(`slo:window_events:count`, events)
	// Only /b burns: its page pairs (1h/5m for 2m, 6h/30m for 15m) and the
	// 1d/2h ticket (for 1h) have held since about minute 62; the 3d/6h
	// ticket's 3h have not passed. Its budget is overspent: frozen (for 5m).
	firing := map[string]float64{}
	for _, l := range []string{
		`alertname="SLOErrorBudgetBurn",long_window="1h",severity="page",short_window="5m"`,
		`alertname="SLOErrorBudgetBurn",long_window="6h",severity="page",short_window="30m"`,
		`alertname="SLOErrorBudgetBurn",long_window="1d",severity="ticket",short_window="2h"`,
		`alertname="SLOFeatureFreeze",policy="default",severity="ticket",state="frozen"`,
	} {
		firing[`ALERTS{`+l+`,alertstate="firing",route="/b",service="checkout",slo="checkout"}`] = 1
	}
	sample(`ALERTS{alertstate="firing"}`, firing)

	suite := fmt.Sprintf("rule_files: [%s]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n%s    promql_expr_test:\n%s",
		strconv.Quote(rulesPath), series.String(), exprs.String())
	suitePath := filepath.Join(dir, "grouped.test.yml")
	if err := os.WriteFile(suitePath, []byte(suite), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "test", "rules", suitePath).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s\nsuite:\n%s", err, out, suite)
	}
}

// TestRulesNativeHistogram generates the rules of a native-histogram SLI
// (golden) and checks them with promtool; e2e/nativehistogram_test.go runs
// them on a real Prometheus against the observations made.
func TestRulesNativeHistogram(t *testing.T) {
	cfg, err := slo.Parse("native.yml", []byte(`
slos:
  - name: rpc
    service: rpc
    objective: 99
    sli:
      latency:
        nativeHistogram: rpc_duration_seconds
        threshold: 0.5
`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "native.yml", out)
	bin := promtest.Require(t, promtest.Promtool)
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	if _, err := Backfill(context.Background(), cfg, Options{}, BackfillOptions{PrometheusURL: "http://127.0.0.1:1", OutputDir: t.TempDir()}); err == nil ||
		!strings.Contains(err.Error(), "cannot write the history of a native-histogram SLI") {
		t.Errorf("Backfill: %v, want a clear refusal", err)
	}
}

// TestPromtoolGroupedTimeSlices: a freshness SLO grouped by pipeline, one
// gauge sample every 15s for an hour; pipeline b lags in the minutes
// (30, 40]. The rules read each 1m slice one minute late (the default
// delay), so the running sums at minute 60 hold the slices ending at
// minutes 0 to 59: 60 per pipeline, of which b's slices ending at 31 to
// 40 are bad (their last sample lags).
func TestPromtoolGroupedTimeSlices(t *testing.T) {
	cfg, err := slo.Parse("fresh.yml", []byte(`
slos:
  - name: fresh
    service: data
    objective: 99
    window: 30d
    grouping: [pipeline]
    sli:
      timeslice:
        condition: pipeline_lag_seconds < 900
        slice: 1m
`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bin := promtest.Require(t, promtest.Promtool)
	dir := t.TempDir()
	rulesPath := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(rulesPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
	var series strings.Builder
	for _, p := range []string{"a", "b"} {
		var vals []string
		for sec := 0; sec <= 3600; sec += 15 {
			v := "60"
			if p == "b" && sec > 30*60 && sec <= 40*60 {
				v = "1500"
			}
			vals = append(vals, v)
		}
		fmt.Fprintf(&series, "      - series: 'pipeline_lag_seconds{pipeline=%q}'\n        values: '%s'\n", p, strings.Join(vals, " "))
	}
	var want strings.Builder
	for _, p := range []struct {
		name      string
		good, bad int
	}{{"a", 60, 0}, {"b", 50, 10}} {
		for _, r := range []struct {
			result string
			n      int
		}{{"bad", p.bad}, {"good", p.good}} {
			fmt.Fprintf(&want, "          - labels: 'slo:window_events:count{pipeline=%q,result=%q,service=\"data\",slo=\"fresh\",window=\"30d\"}'\n            value: %d\n", p.name, r.result, r.n)
		}
	}
	suite := fmt.Sprintf("rule_files: [%s]\nevaluation_interval: 1m\ntests:\n  - interval: 15s\n    input_series:\n%s    promql_expr_test:\n      - expr: 'slo:window_events:count'\n        eval_time: 60m\n        exp_samples:\n%s",
		strconv.Quote(rulesPath), series.String(), want.String())
	suitePath := filepath.Join(dir, "fresh.test.yml")
	if err := os.WriteFile(suitePath, []byte(suite), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "test", "rules", suitePath).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}
