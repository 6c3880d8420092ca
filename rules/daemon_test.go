package rules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promtest"
)

func TestDaemonRulesGolden(t *testing.T) {
	out, err := Generate(testConfig(), Options{Source: SourceDaemon})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "daemon.yml", out)
	bin := promtest.Require(t, promtest.Promtool)
	if out, err := exec.Command(bin, "check", "rules", filepath.Join("testdata", "daemon.yml")).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules testdata/daemon.yml: %v\n%s", err, out)
	}
}

// The daemon rules need no counters, so SLI kinds the standalone rules
// cannot count still get their alerts; the option is validated.
func TestDaemonRulesOptions(t *testing.T) {
	if _, err := Generate(testConfig(), Options{Source: "recorded"}); err == nil || !strings.Contains(err.Error(), `unknown rule source "recorded"`) {
		t.Errorf("unknown source: got %v", err)
	}
	grouped := testConfig()
	grouped.SLOs[0].Grouping = []string{"route"}
	out, err := Generate(grouped, Options{Source: SourceDaemon})
	if err != nil {
		t.Fatal(err)
	}
	if want := `max by (service, slo, route) (slo_alert_active{service="checkout",slo="checkout-availability",severity="page"}) == 1`; !strings.Contains(string(out), want) {
		t.Errorf("a grouped SLO's alerts keep one series per group: want %s", want)
	}
	cfg := testConfig()
	cfg.SLOs[0].Labels["slo"] = "x"
	if _, err := Generate(cfg, Options{Source: SourceDaemon}); err == nil || !strings.Contains(err.Error(), `label "slo" is set by the generated alerts`) {
		t.Errorf("reserved label: got %v", err)
	}
}

// daemonSeries is one daemon metric as two replicas export it: same values,
// their own instance and pod labels.
type daemonSeries struct {
	metric, service, slo string
	extra                []string // label name/value pairs
	value                float64
}

func (d daemonSeries) lines() []inputLine {
	var out []inputLine
	for _, replica := range []string{"slobudget-0", "slobudget-1"} {
		l := fmt.Sprintf("%s{service=%q,slo=%q,instance=\"%s:9099\",pod=%q,job=\"slobudget\"", d.metric, d.service, d.slo, replica, replica)
		for i := 0; i+1 < len(d.extra); i += 2 {
			l += fmt.Sprintf(",%s=%q", d.extra[i], d.extra[i+1])
		}
		out = append(out, inputLine{Series: l + "}", Values: fmt.Sprintf("%sx30", num(d.value))})
	}
	return out
}

// TestDaemonRulesPromtool feeds promtool what two replicas of the daemon
// export for the test config's SLOs and expects exactly one alert per
// condition, with the standalone alerts' labels written out here by hand:
//   - checkout-availability burns its page pair 1h/5m (not 6h/30m, whose
//     short window is below the factor) and needs a postmortem;
//   - search-good sits in its policy's "frozen" state;
//   - checkout-latency has no data (slo_data_missing 1);
//   - orders-freshness is not exported by any daemon at all.
func TestDaemonRulesPromtool(t *testing.T) {
	bin := promtest.Require(t, promtest.Promtool)
	rulesYAML, err := Generate(testConfig(), Options{Source: SourceDaemon})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rulesPath := filepath.Join(dir, "daemon.yml")
	if err := os.WriteFile(rulesPath, rulesYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(rulesYAML, &rf); err != nil {
		t.Fatal(err)
	}

	const co, ca, sr, sg, cl = "checkout", "checkout-availability", "search", "search-good", "checkout-latency"
	burn := map[string]float64{"5m": 30, "30m": 2, "1h": 20, "2h": 1, "6h": 7, "1d": 1, "3d": 1, "30d": 0.9}
	var in []daemonSeries
	for w, v := range burn {
		in = append(in, daemonSeries{"slo_burn_rate", co, ca, []string{"window", w}, v})
	}
	in = append(in,
		daemonSeries{"slo_alert_active", co, ca, []string{"severity", "page"}, 1},
		daemonSeries{"slo_alert_active", co, ca, []string{"severity", "ticket"}, 0},
		daemonSeries{"slo_error_budget_remaining_ratio", co, ca, nil, 0.6},
		daemonSeries{"slo_error_budget_exhaustion_seconds", co, ca, nil, 5400},
		daemonSeries{"slo_policy_state", co, ca, []string{"state", "healthy"}, 1},
		daemonSeries{"slo_policy_state", co, ca, []string{"state", "frozen"}, 0},
		daemonSeries{"slo_feature_freeze", co, ca, nil, 0},
		daemonSeries{"slo_data_missing", co, ca, nil, 0},
		daemonSeries{"slo_evaluation_success", co, ca, nil, 1},
		daemonSeries{"slo_postmortem_required", co, ca, nil, 1},
		daemonSeries{"slo_incident_budget_consumed_ratio", co, ca, nil, 0.25},

		daemonSeries{"slo_burn_rate", sr, sg, []string{"window", "1h"}, 0.5},
		daemonSeries{"slo_burn_rate", sr, sg, []string{"window", "5m"}, 0.5},
		daemonSeries{"slo_alert_active", sr, sg, []string{"severity", "page"}, 0},
		daemonSeries{"slo_error_budget_remaining_ratio", sr, sg, nil, 0.1},
		daemonSeries{"slo_policy_state", sr, sg, []string{"state", "ok"}, 0},
		daemonSeries{"slo_policy_state", sr, sg, []string{"state", "frozen"}, 1},
		daemonSeries{"slo_policy_state", sr, sg, []string{"state", "overspent"}, 0},
		daemonSeries{"slo_feature_freeze", sr, sg, nil, 1},
		daemonSeries{"slo_data_missing", sr, sg, nil, 0},
		daemonSeries{"slo_evaluation_success", sr, sg, nil, 1},
		daemonSeries{"slo_postmortem_required", sr, sg, nil, 0},

		daemonSeries{"slo_data_missing", co, cl, nil, 1},
		daemonSeries{"slo_evaluation_success", co, cl, nil, 1},
	)
	var lines []inputLine
	for _, s := range in {
		lines = append(lines, s.lines()...)
	}

	// What the annotation queries return: the deduplicated values above.
	sel := func(svc, name string) string { return fmt.Sprintf("{service=%q,slo=%q}", svc, name) }
	results := map[string][]float64{
		"max by (service, slo) (slo_error_budget_remaining_ratio" + sel(co, ca) + ")":    {0.6},
		"max by (service, slo) (slo_error_budget_exhaustion_seconds" + sel(co, ca) + ")": {5400},
		"max by (service, slo) (slo_incident_budget_consumed_ratio" + sel(co, ca) + ")":  {0.25},
		"max by (service, slo) (slo_data_missing" + sel(co, cl) + ") == 1":               {1},
	}
	expect := func(alert string, labels map[string]string, value float64) expAlert {
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Alert == alert && r.Labels["slo"] == labels["slo"] && r.Labels["long_window"] == labels["long_window"] && r.Labels["state"] == labels["state"] {
					ann := map[string]string{}
					for k, text := range r.Annotations {
						ann[k] = renderDaemon(t, text, value, results)
					}
					return expAlert{ExpLabels: labels, ExpAnnotations: ann}
				}
			}
		}
		t.Fatalf("no %s rule for %v", alert, labels)
		return expAlert{}
	}
	suite := testFile{
		RuleFiles:          []string{rulesPath},
		EvaluationInterval: "1m",
		Tests: []testGroup{{
			Interval:    "1m",
			InputSeries: lines,
			AlertTests: []alertTest{
				{EvalTime: "20m", Alertname: alertBurn, ExpAlerts: []expAlert{expect(alertBurn, map[string]string{
					"service": co, "slo": ca, "team": "payments", "severity": "page", "long_window": "1h", "short_window": "5m"}, 20)}},
				{EvalTime: "20m", Alertname: alertFreeze, ExpAlerts: []expAlert{expect(alertFreeze, map[string]string{
					"service": sr, "slo": sg, "channel": "search-oncall", "severity": "ticket", "policy": "strict", "state": "frozen"}, 0.1)}},
				{EvalTime: "20m", Alertname: alertDataMissing, ExpAlerts: []expAlert{
					expect(alertDataMissing, map[string]string{"service": co, "slo": cl, "severity": "ticket"}, 1),
					expect(alertDataMissing, map[string]string{"service": "orders-pipeline", "slo": "orders-freshness", "severity": "ticket"}, 1),
				}},
				{EvalTime: "20m", Alertname: alertPostmortem, ExpAlerts: []expAlert{expect(alertPostmortem, map[string]string{
					"service": co, "slo": ca, "team": "payments", "severity": "ticket"}, 1)}},
				// Before the for: durations have passed, nothing fires.
				{EvalTime: "1m", Alertname: alertBurn},
				{EvalTime: "4m", Alertname: alertFreeze},
				{EvalTime: "9m", Alertname: alertDataMissing},
			},
		}},
	}
	out, err := yaml.Marshal(suite)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "daemon.test.yml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "test", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
	// The texts the suite expects, checked here in plain words so that a
	// template that renders nothing cannot pass by rendering nothing twice.
	for _, c := range []struct{ alert, slo, want string }{
		{alertBurn, ca, "SLO checkout-availability (checkout) is burning its error budget 20.0 times too fast (1h/5m)"},
		{alertFreeze, sg, "SLO search-good (search): feature releases frozen: only fixes for this service ship"},
		{alertPostmortem, ca, "SLO checkout-availability (checkout): an incident consumed more than 20% of the error budget; a postmortem is required"},
	} {
		var got string
		for _, g := range suite.Tests[0].AlertTests {
			for _, a := range g.ExpAlerts {
				if g.Alertname == c.alert && a.ExpLabels["slo"] == c.slo {
					got = a.ExpAnnotations["summary"]
				}
			}
		}
		if got != c.want {
			t.Errorf("%s %s summary = %q, want %q", c.alert, c.slo, got, c.want)
		}
	}
}

// renderDaemon renders an annotation as Prometheus would, with the queries'
// results given; a query not in results returns no sample.
func renderDaemon(t *testing.T, text string, value float64, results map[string][]float64) string {
	t.Helper()
	funcs := template.FuncMap{
		"query":              func(q string) []float64 { return results[q] },
		"first":              func(v []float64) float64 { return v[0] },
		"value":              func(v float64) float64 { return v },
		"humanizePercentage": func(v float64) string { return strconv.FormatFloat(v*100, 'g', 4, 64) + "%" },
		"humanizeDuration":   humanizeSeconds,
	}
	tmpl, err := template.New("a").Funcs(funcs).Parse("{{ $value := .Value }}" + text)
	if err != nil {
		t.Fatalf("annotation template %q: %v", text, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, struct{ Value float64 }{value}); err != nil {
		t.Fatalf("annotation template %q: %v", text, err)
	}
	return b.String()
}
