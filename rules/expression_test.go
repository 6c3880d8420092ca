package rules

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// TestExpressionRulesPassEventsSuites writes the scenario SLO as expression
// SLIs that reduce to counters (a total summed from two counters, errors or
// good written as rate() or increase() sums) and runs the events SLO's
// promtool suites against their rules: every recorded figure and alert must
// be what the daemon's math computes from the samples, as for the events
// SLI they mean.
func TestExpressionRulesPassEventsSuites(t *testing.T) {
	bin := promtest.Require(t, promtest.Promtool)
	const (
		ok     = `http_requests_total{service="api",code!~"5.."}`
		errors = `http_requests_total{service="api",code=~"5.."}`
	)
	for name, e := range map[string]slo.ExpressionSLI{
		"errors-rate": {
			Errors: `sum(rate(` + errors + `[{{.window}}]))`,
			Total:  `sum(rate(` + ok + `[{{.window}}])) + sum(rate(` + errors + `[{{.window}}]))`,
		},
		"good-increase": {
			Good:  `sum(increase(` + ok + `[{{.window}}])) or vector(0)`,
			Total: `(sum(increase(` + errors + `[{{.window}}])) + sum(increase(` + ok + `[{{.window}}])))`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := scenarioSLO()
			s.SLI = slo.SLI{Expression: &e}
			rules, err := Generate(&slo.Config{SLOs: []slo.SLO{s}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "rules.yml"), rules, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, suite := range []string{"fast_burn.test.yml", "overspent.test.yml"} {
				raw, err := os.ReadFile(filepath.Join("testdata", "promtool", suite))
				if err != nil {
					t.Fatal(err)
				}
				f := filepath.Join(dir, suite)
				if err := os.WriteFile(f, raw, 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(bin, "test", "rules", f).CombinedOutput(); err != nil {
					t.Errorf("promtool test rules %s with the rules of %s: %v\n%.3000s", suite, name, err, out)
				}
			}
		})
	}
}

// TestEstimateRulesWeighTimeByTheRatio runs the rules of an estimated SLI
// (an errorRatio naming recording rules, as Sloth's raw SLIs do) in
// promtool: every minute adds 60 s to the total and ratio × 60 s to bad, so
// a window inside one stretch of constant ratio r burns r / (1 − objective),
// and its SLI is 1 − r. Ratios are binary fractions, so promtool's exact
// comparison sees exact sums.
func TestEstimateRulesWeighTimeByTheRatio(t *testing.T) {
	bin := promtest.Require(t, promtest.Promtool)
	s := slo.SLO{Name: "ratio", Service: "api", Objective: 99, Window: slo.Window{Text: "30d", Duration: 30 * day}, Policy: "default",
		SLI: slo.SLI{Expression: &slo.ExpressionSLI{ErrorRatio: "ratio_rate{{.window}}"}}}
	rules, err := Generate(&slo.Config{SLOs: []slo.SLO{s}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	const low, high = 1.0 / 128, 1.0 / 16 // minutes 0-180, then 181-360
	burn := func(at, window string, r float64) exprTest {
		return exprTest{Expr: `slo:burn_rate:ratio{window="` + window + `"}`, EvalTime: at,
			ExpSamples: []expSample{{Labels: `slo:burn_rate:ratio{service="api",slo="ratio",window="` + window + `"}`, Value: r * 100}}}
	}
	sli := func(at string, r float64) exprTest {
		return exprTest{Expr: `slo:sli:ratio`, EvalTime: at,
			ExpSamples: []expSample{{Labels: `slo:sli:ratio{service="api",slo="ratio",window="30d"}`, Value: 1 - r}}}
	}
	g := testGroup{Name: "estimate", Interval: "1m",
		InputSeries: []inputLine{{"ratio_rate5m", fmt.Sprintf("%sx180 %sx180", num(low)+"+0", num(high)+"+0")}},
		ExprTests: []exprTest{
			burn("2h", "5m", low), burn("2h", "1h", low), burn("2h", "30d", low), sli("2h", low),
			burn("5h", "5m", high), burn("5h", "30m", high), burn("5h", "1h", high), burn("5h", "2h", high),
		},
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(testFile{RuleFiles: []string{"rules.yml"}, EvaluationInterval: "1m", Tests: []testGroup{g}}); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "estimate.test.yml")
	if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "test", "rules", f).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%.4000s", err, out)
	}
}
