package examples

import (
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/rules"
	"github.com/slobudget/slobudget/slo"
)

// TestPrometheusConfigChecks runs promtool on prometheus.yml as shipped;
// promtool also loads and checks the rule files it names, relative to it.
func TestPrometheusConfigChecks(t *testing.T) {
	bin := promtest.Require(t, promtest.Promtool)
	out, err := exec.Command(bin, "check", "config", "prometheus.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check config examples/prometheus.yml: %v\n%s", err, out)
	}
	// promtool passes a config whose rule_files glob matches nothing.
	if !strings.Contains(string(out), "rules/slobudget.rules.yml") {
		t.Errorf("promtool did not check rules/slobudget.rules.yml:\n%s", out)
	}
}

// TestPrometheusScrapesDaemon runs a real Prometheus on prometheus.yml, with
// only what cannot be shipped changed (addresses, absolute rule path, a fast
// scrape), and a real slobudget on slobudget.yml. It checks that the
// generated rule groups load and that slobudget's series keep their service
// label even when the target has a service label of its own, as
// Kubernetes service discovery gives it.
func TestPrometheusScrapesDaemon(t *testing.T) {
	cfg, err := slo.LoadFiles("slobudget.yml")
	if err != nil {
		t.Fatal(err)
	}
	daemonPort := promtest.FreePort(t)
	promCfg := localPrometheusConfig(t, fmt.Sprintf("127.0.0.1:%d", daemonPort))
	prom := promtest.StartPrometheus(t, promtest.Options{ConfigYAML: promCfg})
	startDaemon(t, "serve", "--config.file="+exampleConfig, "--prometheus.url="+prom.URL,
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", daemonPort))

	checkRuleGroups(t, prom, cfg)

	// Wait for a scrape that carries every SLO.
	var got []promtest.Sample
	deadline := time.Now().Add(20 * time.Second)
	for {
		got = prom.Query(t, `slo_objective_ratio{job="slobudget"}`, time.Now())
		if len(got) >= len(cfg.SLOs) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(got) != len(cfg.SLOs) {
		t.Fatalf("slo_objective_ratio: %d series, want one per SLO (%d): %v", len(got), len(cfg.SLOs), got)
	}
	bySLO := map[string]promtest.Sample{}
	for _, s := range got {
		bySLO[s.Labels["slo"]] = s
	}
	for _, s := range cfg.SLOs {
		sample, ok := bySLO[s.Name]
		if !ok {
			t.Errorf("no slo_objective_ratio for SLO %s", s.Name)
			continue
		}
		if sample.Labels["service"] != s.Service {
			t.Errorf("SLO %s: service=%q, want the SLO's %q (is honor_labels set?)", s.Name, sample.Labels["service"], s.Service)
		}
		if v, ok := sample.Labels["exported_service"]; ok {
			t.Errorf("SLO %s: exported_service=%q: the target's service label won over slobudget's", s.Name, v)
		}
		// The objective is written in percent; the metric is a ratio.
		if want := s.Objective / 100; math.Abs(sample.Value-want) > 1e-12 {
			t.Errorf("SLO %s: slo_objective_ratio %v, want %v", s.Name, sample.Value, want)
		}
	}
}

// localPrometheusConfig is prometheus.yml aimed at the test's daemon. The
// slobudget target gets a service label, as the prometheus-operator and most
// Kubernetes relabelings give it, to show honor_labels is what keeps the SLO's.
func localPrometheusConfig(t *testing.T, daemonAddr string) string {
	t.Helper()
	var c map[string]any
	if err := yaml.Unmarshal(readFile(t, "prometheus.yml"), &c); err != nil {
		t.Fatalf("prometheus.yml: %v", err)
	}
	global, _ := c["global"].(map[string]any)
	if global == nil {
		t.Fatalf("prometheus.yml: no global section")
	}
	global["scrape_interval"] = "1s"
	var ruleFiles []any
	files, _ := c["rule_files"].([]any)
	for _, f := range files {
		abs, err := filepath.Abs(fmt.Sprint(f))
		if err != nil {
			t.Fatal(err)
		}
		ruleFiles = append(ruleFiles, abs)
	}
	c["rule_files"] = ruleFiles
	// Nothing listens for alerts; no alert fires without traffic anyway.
	delete(c, "alerting")
	jobs, _ := c["scrape_configs"].([]any)
	var kept []any
	for _, j := range jobs {
		job, _ := j.(map[string]any)
		if job["job_name"] != "slobudget" {
			continue // the example's other targets are not running here
		}
		job["static_configs"] = []any{map[string]any{
			"targets": []any{daemonAddr},
			"labels":  map[string]any{"service": "slobudget"},
		}}
		kept = append(kept, job)
	}
	if len(kept) != 1 {
		t.Fatalf("prometheus.yml: want one scrape job named slobudget, found %d", len(kept))
	}
	c["scrape_configs"] = kept
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

var skippedLine = regexp.MustCompile(`(?m)^# Skipped SLO ([a-z0-9-]+):`)

// checkRuleGroups wants one loaded group per SLO, named as the rules package
// names them, except for SLOs the rule file says it skipped.
func checkRuleGroups(t *testing.T, prom *promtest.Instance, cfg *slo.Config) {
	t.Helper()
	skipped := map[string]bool{}
	for _, m := range skippedLine.FindAllStringSubmatch(string(readFile(t, filepath.Join("rules", "slobudget.rules.yml"))), -1) {
		skipped[m[1]] = true
	}
	loaded := loadedGroups(t, prom)
	for _, s := range cfg.SLOs {
		name := rules.GroupName(s.Name)
		if loaded[name] == skipped[s.Name] {
			t.Errorf("SLO %s: rule group %s loaded=%v, skipped by the generator=%v", s.Name, name, loaded[name], skipped[s.Name])
		}
		delete(loaded, name)
	}
	for g := range loaded {
		t.Errorf("rule group %s belongs to no SLO of slobudget.yml", g)
	}
}

// loadedGroups asks Prometheus which rule groups it loaded.
func loadedGroups(t *testing.T, prom *promtest.Instance) map[string]bool {
	t.Helper()
	code, body, err := get(prom.URL + "/api/v1/rules")
	if err != nil || code != 200 {
		t.Fatalf("GET /api/v1/rules: %d %v %s", code, err, body)
	}
	var resp struct {
		Data struct {
			Groups []struct {
				Name string `json:"name"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("/api/v1/rules: %v", err)
	}
	groups := map[string]bool{}
	for _, g := range resp.Data.Groups {
		groups[g.Name] = true
	}
	return groups
}
