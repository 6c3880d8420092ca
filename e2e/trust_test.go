package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// newcomerConfig is one SLO over a service whose metrics began two days ago.
const newcomerConfig = `slos:
  - name: newcomer-availability
    service: newcomer
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: newcomer_requests_total{service="newcomer",code=~"5.."}
        total: newcomer_requests_total{service="newcomer"}
`

// newcomerData writes two days of one-minute counters ending at end (200s:
// 30 a minute; 500s: one every 100 minutes) to an OpenMetrics file and
// returns the first sample's time: the truth coverage starts there.
func newcomerData(t *testing.T, end time.Time) (string, time.Time) {
	t.Helper()
	first := end.Add(-2 * day)
	var b bytes.Buffer
	b.WriteString("# TYPE newcomer_requests counter\n")
	ok, failed := 1000, 5
	for i, ts := 0, first; !ts.After(end); i, ts = i+1, ts.Add(time.Minute) {
		if i > 0 {
			ok += 30
			if i%100 == 0 {
				failed++
			}
		}
		fmt.Fprintf(&b, "newcomer_requests_total{service=\"newcomer\",code=\"200\"} %d %d\n", ok, ts.Unix())
		fmt.Fprintf(&b, "newcomer_requests_total{service=\"newcomer\",code=\"500\"} %d %d\n", failed, ts.Unix())
	}
	b.WriteString("# EOF\n")
	path := filepath.Join(t.TempDir(), "newcomer.om")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, first
}

// TestNewUserScenarios is the "tried as a new user would": the
// example config against a Prometheus that has none of its metrics reports
// NO DATA (never healthy, never a decision) in report, gate, the JSON API,
// /metrics and the status page; a service whose data began two days ago
// shows its exact coverage and a provisional decision.
func TestNewUserScenarios(t *testing.T) {
	promtest.Require(t, promtest.Promtool)
	promtest.Require(t, promtest.Prometheus)
	// The gate and the daemon evaluate at the wall clock, so the data ends
	// now; report evaluates at a fixed instant half a minute after it.
	end := time.Now().UTC().Truncate(time.Minute).Add(-time.Minute)
	at := end.Add(30 * time.Second)
	om, first := newcomerData(t, end)
	tsdb := filepath.Join(t.TempDir(), "tsdb")
	promtest.Backfill(t, om, tsdb)
	p := promtest.StartPrometheus(t, promtest.Options{DataDir: tsdb})
	bin := buildSlobudget(t)
	example := filepath.Join("..", "examples", "slobudget.yml")
	exampleCfg, err := slo.LoadFiles(example)
	if err != nil {
		t.Fatal(err)
	}
	newcomer := filepath.Join(t.TempDir(), "newcomer.yml")
	if err := os.WriteFile(newcomer, []byte(newcomerConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	wantCovered := at.Sub(first).Seconds()
	wantCoverage := wantCovered / (30 * 86400)

	t.Run("report", func(t *testing.T) {
		var js struct {
			SLOs []map[string]any `json:"slos"`
		}
		out := runCLIOK(t, bin, "report", "--config.file="+example, "--config.file="+newcomer, "--prometheus.url="+p.URL,
			"--time="+at.Format(time.RFC3339), "--format=json")
		if err := json.Unmarshal(out, &js); err != nil {
			t.Fatal(err)
		}
		if len(js.SLOs) != len(exampleCfg.SLOs)+1 {
			t.Fatalf("%d SLOs reported, want %d", len(js.SLOs), len(exampleCfg.SLOs)+1)
		}
		for _, s := range js.SLOs {
			if s["name"] == "newcomer-availability" {
				if s["coverage"] != wantCoverage || s["coveredSeconds"] != wantCovered || s["provisional"] != true || s["policyState"] != "healthy" {
					t.Errorf("newcomer: coverage %v over %v s, provisional %v, state %v; want %v over %v s, provisional, healthy",
						s["coverage"], s["coveredSeconds"], s["provisional"], s["policyState"], wantCoverage, wantCovered)
				}
				continue
			}
			if s["dataMissing"] != true || s["policyState"] != nil || s["featureFreeze"] != nil || s["budgetRemaining"] != nil ||
				s["error"] != "" || s["missingSelector"] == nil {
				t.Errorf("%v: dataMissing %v policyState %v featureFreeze %v budgetRemaining %v error %q selector %v; want NO DATA without a decision",
					s["name"], s["dataMissing"], s["policyState"], s["featureFreeze"], s["budgetRemaining"], s["error"], s["missingSelector"])
			}
		}
		table := string(runCLIOK(t, bin, "report", "--config.file="+example, "--config.file="+newcomer, "--prometheus.url="+p.URL,
			"--time="+at.Format(time.RFC3339)))
		for _, s := range exampleCfg.SLOs {
			line := tableRow(table, s.Name)
			if !strings.Contains(line, "NO DATA") || strings.Contains(line, "healthy") || strings.Contains(line, "FREEZE") {
				t.Errorf("report table row of %s: %q, want NO DATA and no decision", s.Name, line)
			}
		}
		if !strings.Contains(table, "healthy*") || !strings.Contains(table, "computed over 2d of 30d: provisional") {
			t.Errorf("the newcomer's row does not show its coverage and a provisional decision:\n%s", table)
		}
	})

	t.Run("gate", func(t *testing.T) {
		for _, s := range exampleCfg.SLOs {
			code, out := runCLI(t, bin, "gate", "--config.file="+example, "--prometheus.url="+p.URL, "--slo="+s.Name)
			if code != 4 || !strings.HasPrefix(out, "NO DATA: "+s.Name+": NO DATA: ") {
				t.Errorf("gate %s: exit %d, %q; want 4 and a NO DATA line", s.Name, code, out)
			}
		}
		code, out := runCLI(t, bin, "gate", "--config.file="+newcomer, "--prometheus.url="+p.URL, "--slo=newcomer-availability")
		if code != 0 || !strings.HasPrefix(out, "SHIP: newcomer-availability: healthy") || !strings.Contains(out, "provisional") {
			t.Errorf("gate newcomer: exit %d, %q; want 0, healthy and provisional", code, out)
		}
	})

	t.Run("serve", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "both.yml")
		both := append(mustRead(t, example), []byte("\n")...)
		// One file: the example's policies and SLOs plus the newcomer.
		both = append(both, []byte(strings.TrimPrefix(newcomerConfig, "slos:\n"))...)
		if err := os.WriteFile(cfg, both, 0o644); err != nil {
			t.Fatal(err)
		}
		base := startDashDaemon(t, bin, cfg, p.URL, "10s")
		metrics := get(t, base+"/metrics")
		parser := expfmt.NewTextParser(model.LegacyValidation)
		families, err := parser.TextToMetricFamilies(strings.NewReader(metrics))
		if err != nil {
			t.Fatal(err)
		}
		has := func(metric, sloName string) (float64, bool) {
			for _, m := range families[metric].GetMetric() {
				for _, lp := range m.GetLabel() {
					if lp.GetName() == "slo" && lp.GetValue() == sloName {
						return m.GetGauge().GetValue(), true
					}
				}
			}
			return 0, false
		}
		for _, s := range exampleCfg.SLOs {
			if v, ok := has("slo_data_missing", s.Name); !ok || v != 1 {
				t.Errorf("%s: slo_data_missing %v (present %v), want 1", s.Name, v, ok)
			}
			if v, ok := has("slo_evaluation_success", s.Name); !ok || v != 1 {
				t.Errorf("%s: slo_evaluation_success %v, want 1: Prometheus answered", s.Name, v)
			}
			for _, m := range []string{"slo_policy_state", "slo_feature_freeze", "slo_feature_capacity_ratio",
				"slo_error_budget_remaining_ratio", "slo_error_budget_remaining_seconds", "slo_sli_ratio", "slo_alert_active"} {
				if _, ok := has(m, s.Name); ok {
					t.Errorf("%s: %s exported for an SLO without data", s.Name, m)
				}
			}
		}
		if v, ok := has("slo_data_coverage_ratio", "newcomer-availability"); !ok || v <= 2.0/30 || v > 2.01/30 {
			t.Errorf("newcomer slo_data_coverage_ratio %v, want just over 2/30 (data began two days before the daemon's clock)", v)
		}
		var api struct {
			SLOs []map[string]any `json:"slos"`
		}
		if err := json.Unmarshal([]byte(get(t, base+"/api/v1/slos")), &api); err != nil {
			t.Fatal(err)
		}
		for _, s := range api.SLOs {
			if s["name"] != "newcomer-availability" && (s["dataMissing"] != true || s["policyState"] != nil) {
				t.Errorf("API %v: dataMissing %v, policyState %v", s["name"], s["dataMissing"], s["policyState"])
			}
		}
		page := get(t, base+"/")
		for _, s := range exampleCfg.SLOs {
			row := elementWith(page, `data-slo="`+s.Name+`"`)
			if !strings.Contains(row, `data-status="NO DATA"`) || strings.Contains(row, ">healthy<") || strings.Contains(row, "FREEZE") {
				t.Errorf("status page row of %s: %s", s.Name, row)
			}
		}
		if !strings.Contains(elementWith(page, `data-slo="newcomer-availability"`), "PROVISIONAL") {
			t.Error("the newcomer's status page row is not marked provisional")
		}
		code, out := runCLI(t, bin, "gate", "--slobudget.url="+base, "--slo="+exampleCfg.SLOs[0].Name)
		if code != 4 || !strings.HasPrefix(out, "NO DATA: ") {
			t.Errorf("gate against the daemon: exit %d, %q; want 4", code, out)
		}
	})
}

func runCLI(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if stderr.Len() > 0 {
		t.Logf("%v stderr: %s", args[0], stderr.String())
	}
	return code, stdout.String()
}

func runCLIOK(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	code, out := runCLI(t, bin, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\n%s", args, code, out)
	}
	return []byte(out)
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tableRow returns the report table's row of an SLO; a name too long for
// the column stands on a line of its own above its figures.
func tableRow(table, name string) string {
	lines := strings.Split(table, "\n")
	for i, l := range lines {
		if l == name && i+1 < len(lines) {
			return lines[i+1]
		}
		if strings.HasPrefix(l, name+" ") {
			return l
		}
	}
	return ""
}

// elementWith returns the HTML from the tag holding attr to the next row.
func elementWith(page, attr string) string {
	i := strings.Index(page, attr)
	if i < 0 {
		return ""
	}
	i = strings.LastIndex(page[:i], "<")
	j := strings.Index(page[i+1:], "<tr ")
	if j < 0 {
		return page[i:]
	}
	return page[i : i+1+j]
}
