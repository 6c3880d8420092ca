package promtest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recorder stands in for testing.TB to observe whether Require skips or
// fails; it records only the first verdict, as the real TB would stop there.
type recorder struct {
	testing.TB
	verdict string
	msg     string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	if r.verdict == "" {
		r.verdict, r.msg = "fail", fmt.Sprintf(format, args...)
	}
}
func (r *recorder) Skipf(format string, args ...any) {
	if r.verdict == "" {
		r.verdict, r.msg = "skip", fmt.Sprintf(format, args...)
	}
}

func TestRequireSkipsLocallyFailsInCI(t *testing.T) {
	const missing = "slobudget-no-such-binary"
	for _, tc := range []struct {
		ci, e2e string
		want    string
	}{
		{"", "", "skip"},
		{"false", "", "skip"},
		{"true", "", "fail"},
		{"", "require", "fail"},
		{"", "optional", "skip"},
	} {
		t.Run(fmt.Sprintf("CI=%s,SLOBUDGET_E2E=%s", tc.ci, tc.e2e), func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			t.Setenv("SLOBUDGET_E2E", tc.e2e)
			r := &recorder{TB: t}
			Require(r, missing)
			if r.verdict != tc.want {
				t.Fatalf("Require(%q) = %s, want %s", missing, r.verdict, tc.want)
			}
			if !strings.Contains(r.msg, missing) || !strings.Contains(r.msg, "apt-get install") {
				t.Errorf("message should name the binary and how to install it: %q", r.msg)
			}
		})
	}
}

func TestFindPrefersPath(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "promtool")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if got, ok := Find("promtool"); !ok || got != fake {
		t.Fatalf("Find(promtool) = %q, %v; want %q from PATH", got, ok, fake)
	}
	// With an empty PATH the Debian location is still found.
	t.Setenv("PATH", "")
	if _, err := os.Stat("/usr/bin/promtool"); err == nil {
		if got, ok := Find("promtool"); !ok || got != "/usr/bin/promtool" {
			t.Fatalf("Find(promtool) with empty PATH = %q, %v; want /usr/bin/promtool", got, ok)
		}
	}
}

func TestFreePortIsBindable(t *testing.T) {
	a, b := FreePort(t), FreePort(t)
	if a <= 0 || b <= 0 {
		t.Fatalf("FreePort gave %d, %d", a, b)
	}
}

// TestBackfillQueryAndStop writes a small OpenMetrics file whose values are
// known, backfills it with the real promtool, and reads it back from the real
// Prometheus: the oldest sample (40 days back, which the default 15d retention
// would delete) and the newest must both be there.
func TestBackfillQueryAndStop(t *testing.T) {
	Require(t, Promtool)
	Require(t, Prometheus)
	end := time.Now().Add(-time.Hour).Truncate(time.Minute)
	start := end.Add(-40 * 24 * time.Hour)
	var b strings.Builder
	b.WriteString("# TYPE promtest_events counter\n")
	n := 0
	for ts := start; !ts.After(end); ts = ts.Add(time.Hour) {
		n++
		fmt.Fprintf(&b, "promtest_events_total{job=\"x\"} %d %d\n", 1000+n, ts.Unix())
	}
	b.WriteString("# EOF\n")
	dir := t.TempDir()
	om := filepath.Join(dir, "data.om")
	if err := os.WriteFile(om, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "tsdb")
	Backfill(t, om, data)

	var url string
	t.Run("query", func(t *testing.T) {
		p := StartPrometheus(t, Options{DataDir: data})
		url = p.URL
		for _, c := range []struct {
			at   time.Time
			want float64
		}{
			{start, 1001},
			{start.Add(time.Hour + 4*time.Minute), 1002},
			{end, float64(1000 + n)},
		} {
			v := p.Query(t, `promtest_events_total`, c.at)
			if len(v) != 1 || v[0].Value != c.want {
				t.Fatalf("promtest_events_total at %s = %v, want %g", c.at, v, c.want)
			}
		}
		// 30 minutes after a sample is beyond the 5m lookback: an answer here
		// would mean the instant was not sent.
		if v := p.Query(t, `promtest_events_total`, start.Add(90*time.Minute)); len(v) != 0 {
			t.Fatalf("got %v 30m after a sample, want nothing (lookback is 5m)", v)
		}
		inc := p.Query(t, fmt.Sprintf(`promtest_events_total - promtest_events_total offset %dh`, 24), end)
		if len(inc) != 1 || inc[0].Value != 24 {
			t.Fatalf("one day of hourly increments = %v, want 24", inc)
		}
	})
	// The subtest's cleanup must have stopped the server.
	if resp, err := http.Get(url + "/-/ready"); err == nil {
		resp.Body.Close()
		t.Fatalf("prometheus at %s still answers after its test ended", url)
	}
}

// TestAlertReachesWebhook runs the whole real chain: a Prometheus rule fires,
// Prometheus sends to the real Alertmanager, which POSTs to our webhook.
func TestAlertReachesWebhook(t *testing.T) {
	Require(t, Prometheus)
	Require(t, Alertmanager)
	hook := NewWebhook(t)
	am := StartAlertmanager(t, fmt.Sprintf(`route:
  receiver: hook
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: %q
        send_resolved: false
`, hook.URL))
	rules := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(rules, []byte(`groups:
  - name: promtest
    interval: 1s
    rules:
      - alert: PromtestAlwaysFiring
        expr: vector(1)
        labels: {severity: page}
        annotations: {summary: "from promtest"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	amHost := strings.TrimPrefix(am.URL, "http://")
	StartPrometheus(t, Options{
		ConfigYAML: fmt.Sprintf("global:\n  evaluation_interval: 1s\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [%q]\n", amHost),
		RuleFiles:  []string{rules},
	})
	a := hook.WaitFor(t, 60*time.Second, func(a WebhookAlert) bool {
		return a.Labels["alertname"] == "PromtestAlwaysFiring"
	})
	if a.Labels["severity"] != "page" || a.Annotations["summary"] != "from promtest" || a.Status != "firing" {
		t.Fatalf("alert arrived changed: %+v", a)
	}
}

// TestVictoriaMetricsAgents starts VictoriaMetrics, vmagent scraping
// VictoriaMetrics's own /metrics and vmalert with one recording rule, and
// checks that both write into VictoriaMetrics.
func TestVictoriaMetricsAgents(t *testing.T) {
	vm := StartVictoriaMetrics(t, VMOptions{})
	host := strings.TrimPrefix(vm.URL, "http://")
	StartVMAgent(t, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: vm\n    static_configs:\n      - targets: ['"+host+"']\n", vm.URL+"/api/v1/write")
	rules := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(rules, []byte("groups:\n  - name: g\n    interval: 1s\n    rules:\n      - record: promtest:one\n        expr: vector(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	StartVMAlert(t, []string{rules}, vm.URL, vm.URL)
	deadline := time.Now().Add(30 * time.Second)
	for {
		up, _ := vm.QueryErr(`up{job="vm"}`, time.Now())
		one, _ := vm.QueryErr(`promtest:one`, time.Now())
		if len(up) == 1 && len(one) == 1 && one[0].Value == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s: up=%v promtest:one=%v", up, one)
		}
		// VictoriaMetrics makes new samples searchable about a second after
		// they arrive.
		_, _ = http.Get(vm.URL + "/internal/force_flush")
		time.Sleep(500 * time.Millisecond)
	}
}
