package rules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// When Prometheus is down for longer than Continuity, the running sums start
// again from zero. Windows reaching back past the restart must count since
// the restart, not turn negative and vanish (which would drop the burn rates
// and refill the budget, silencing pages and lifting the freeze for a whole
// window). The running sums are given as input here, as Prometheus would
// have recorded them: 400 minutes of clean traffic, 90 minutes down, then
// sums restarted from 0 with 50% errors. At 550m the 6h, 1d and 30d windows
// reach back past the restart; their burn rate is that of the traffic since
// it, 0.5/0.001 = 500, and the budget is overspent: 1 − 500 = −499.
func TestRunningSumRestartAfterLongOutage(t *testing.T) {
	bin := promtest.Require(t, promtest.Promtool)
	def := &slo.SLO{
		Name: "api", Service: "api", Objective: 99.9, Policy: "default",
		Window: slo.Window{Text: "30d", Duration: 30 * day},
		SLI: slo.SLI{Events: &slo.EventsSLI{
			Errors: `http_requests_total{code="500"}`,
			Total:  `http_requests_total`,
		}},
	}
	opts, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	r, err := newSLORules(def, opts)
	if err != nil {
		t.Fatal(err)
	}
	var derived []map[string]any
	for _, rl := range r.recording() {
		if rl.Record == metricTotal || rl.Record == metricBad {
			continue // given as input instead
		}
		derived = append(derived, map[string]any{"record": rl.Record, "expr": rl.Expr, "labels": rl.Labels})
	}
	rulesYAML, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "t", "interval": "1m", "rules": derived}}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), rulesYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	suite := fmt.Sprintf(`rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'slo:total_events:running_sum{service="api",slo="api"}'
        values: '1000000+1000x400 _x90 0+1000x60'
      - series: 'slo:bad_events:running_sum{service="api",slo="api"}'
        values: '1000+0x400 _x90 0+500x60'
    promql_expr_test:
%s`, restartChecks(550*time.Minute))
	if err := os.WriteFile(filepath.Join(dir, "restart.test.yml"), []byte(suite), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "test", "rules", "restart.test.yml")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, b)
	}
}

func restartChecks(at time.Duration) string {
	var s string
	check := func(expr, value string) {
		s += fmt.Sprintf("      - expr: '%s'\n        eval_time: %s\n        exp_samples:\n          - labels: '%s'\n            value: %s\n",
			expr, dur(at), labelsOf(expr), value)
	}
	for _, w := range []string{"6h", "1d", "30d"} {
		check(fmt.Sprintf(`slo:burn_rate:ratio{window="%s"}`, w), "500")
	}
	check(`slo:error_budget_remaining:ratio`, "-499")
	return s
}

func labelsOf(expr string) string {
	name, rest := expr, ""
	if i := indexByte(expr, '{'); i >= 0 {
		name, rest = expr[:i], expr[i+1:len(expr)-1]+","
	}
	return fmt.Sprintf(`%s{%sservice="api",slo="api"}`, name, rest)
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
