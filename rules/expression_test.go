package rules

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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
