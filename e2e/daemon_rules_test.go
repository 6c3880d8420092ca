package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/promtest"
)

// TestDaemonRulesAlertmanagerRouting is the recommended set-up when the
// daemon runs: two replicas of `slobudget serve` read a real Prometheus that
// holds four hours of raw counters, the same Prometheus scrapes both and
// loads `slobudget rules --source=daemon`, and a real Alertmanager runs the
// shipped examples/alertmanager.yml. No rules-backfill, no restart: the
// freeze must reach the product webhook and the page the on-call one within
// seconds of the daemons' first evaluation, once each although two replicas
// export them, with the standalone rules' labels.
func TestDaemonRulesAlertmanagerRouting(t *testing.T) {
	promtest.Require(t, promtest.Promtool)
	promtest.Require(t, promtest.Prometheus)
	promtest.Require(t, promtest.Alertmanager)
	bin := buildSlobudget(t)
	dir := t.TempDir()

	om := filepath.Join(dir, "data.om")
	text, truth := rulesE2EData(time.Now())
	if err := os.WriteFile(om, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(dir, "tsdb")
	promtest.Backfill(t, om, dataDir)
	cfgPath := filepath.Join(dir, "slos.yml")
	if err := os.WriteFile(cfgPath, []byte(daemonRulesE2EConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "daemon-rules.yml")
	run(t, bin, "rules", "--source=daemon", "--rules.interval=1s", "--config.file="+cfgPath, "--output="+rulesPath)
	if out, err := exec.Command(promtest.Require(t, promtest.Promtool), "check", "rules", rulesPath).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}

	hooks := map[string]*promtest.Webhook{"product": promtest.NewWebhook(t), "oncall": promtest.NewWebhook(t), "tickets": promtest.NewWebhook(t),
		"postmortems": promtest.NewWebhook(t)}
	urls := map[string]string{}
	for name, h := range hooks {
		urls[name] = h.URL
	}
	am := promtest.StartAlertmanager(t, exampleAlertmanagerConfig(t, urls))
	ports := []int{promtest.FreePort(t), promtest.FreePort(t)}
	start := time.Now()
	prom := promtest.StartPrometheus(t, promtest.Options{
		DataDir: dataDir, RuleFiles: []string{rulesPath},
		ConfigYAML: fmt.Sprintf("global:\n  evaluation_interval: 1s\n  scrape_interval: 1s\n"+
			"alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [%q]\n"+
			"scrape_configs:\n  - job_name: slobudget\n    static_configs:\n      - targets: [\"127.0.0.1:%d\", \"127.0.0.1:%d\"]\n",
			strings.TrimPrefix(am.URL, "http://"), ports[0], ports[1]),
	})
	var stops []func()
	for _, port := range ports {
		stops = append(stops, startServeOn(t, bin, cfgPath, prom.URL, port))
	}
	ready := time.Now()

	// Both replicas are scraped and agree with the data: the budget the
	// daemon exports is the whole history's, through the budget formula
	// (99.9%: budget 1/1000).
	waitUntil(t, 30*time.Second, "both replicas' budgets in Prometheus", func() bool {
		return len(prom.Query(t, "slo_error_budget_remaining_ratio", time.Now())) == 4
	})
	for _, smp := range prom.Query(t, "slo_error_budget_remaining_ratio", time.Now()) {
		c := truth[smp.Labels["service"]]
		want := (c[1] - c[0]*1000) / c[1]
		if math.Abs(smp.Value-want) > 1e-9*math.Abs(want) {
			t.Errorf("%s on %s: remaining budget %g from the daemon, %g from the data", smp.Labels["slo"], smp.Labels["instance"], smp.Value, want)
		}
	}

	freeze := hooks["product"].WaitFor(t, 60*time.Second, func(a promtest.WebhookAlert) bool {
		return a.Labels["alertname"] == "SLOFeatureFreeze"
	})
	wantLabels(t, "product webhook", freeze.Labels, map[string]string{
		"alertname": "SLOFeatureFreeze", "service": "search", "slo": "search-availability", "team": "discovery",
		"severity": "ticket", "policy": "default", "state": "frozen",
	})
	if _, ok := freeze.Labels["instance"]; ok {
		t.Errorf("the freeze carries the replica's instance label: %v", freeze.Labels)
	}
	// The description states the remaining budget ($value) as Prometheus's
	// humanizePercentage prints the truth.
	c := truth["search"]
	left := (c[1] - c[0]*1000) / c[1]
	if want := "has " + humanizePercentage(left) + " left"; !strings.Contains(freeze.Annotations["description"], want) {
		t.Errorf("freeze description %q does not say %q", freeze.Annotations["description"], want)
	}
	page := hooks["oncall"].WaitFor(t, 30*time.Second, func(a promtest.WebhookAlert) bool {
		return a.Labels["long_window"] == "1h"
	})
	wantLabels(t, "on-call webhook", page.Labels, map[string]string{
		"alertname": "SLOErrorBudgetBurn", "service": "checkout", "slo": "checkout-availability", "team": "payments",
		"severity": "page", "long_window": "1h", "short_window": "5m",
	})
	// The page's summary names the 1h burn rate: the last 30 minutes of the
	// data failed half their requests (120 scrapes of 50 bad in 100), so at
	// an instant the data's end the 1h window holds 6,000 bad of 24,000:
	// 250. The data ends when the test starts and the daemons evaluate a
	// little later, so the window may hold n < 240 scrapes of traffic (the
	// 120 failing ones always): 6,000 / (100 n) / 0.001 for the instant the
	// daemon evaluated at, within the first minutes.
	if !summaryHasBurnRate(page.Annotations["summary"], 230, 240) {
		t.Errorf("page summary %q: want the 1h burn rate 60000/n for n in 230..240 (250.0 at the data's end)", page.Annotations["summary"])
	}
	t.Logf("no backfill: page and freeze routed %s after Prometheus started, %s after the daemons were ready",
		time.Since(start).Round(time.Millisecond), time.Since(ready).Round(time.Millisecond))
	ticket := hooks["tickets"].WaitFor(t, 30*time.Second, func(a promtest.WebhookAlert) bool {
		return a.Labels["alertname"] == "SLOErrorBudgetBurn"
	})
	wantLabels(t, "ticket webhook", ticket.Labels, map[string]string{
		"alertname": "SLOErrorBudgetBurn", "service": "search", "slo": "search-availability", "team": "discovery",
		"severity": "ticket", "long_window": "3d", "short_window": "6h",
	})

	// One alert per condition in Prometheus, not one per replica.
	time.Sleep(3 * time.Second)
	seen := map[string]int{}
	for _, s := range prom.Query(t, `ALERTS{alertstate="firing"}`, time.Now()) {
		if _, ok := s.Labels["instance"]; ok {
			t.Errorf("firing alert with a replica's instance label: %v", s.Labels)
		}
		seen[s.Labels["alertname"]+" "+s.Labels["slo"]+" "+s.Labels["long_window"]]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s fires %d times; want once for both replicas", k, n)
		}
	}
	for _, k := range []string{"SLOErrorBudgetBurn checkout-availability 1h", "SLOFeatureFreeze search-availability ", "SLOErrorBudgetBurn search-availability 3d"} {
		if seen[k] != 1 {
			t.Errorf("%q is not firing in Prometheus (firing: %v)", k, seen)
		}
	}
	for name, h := range hooks {
		for _, m := range h.Messages() {
			for _, a := range m.Alerts {
				l := a.Labels
				switch {
				case l["alertname"] == "SLOFeatureFreeze" && name != "product",
					l["severity"] == "page" && name != "oncall",
					name == "oncall" && (l["severity"] != "page" || l["slo"] != "checkout-availability"),
					name == "product" && l["slo"] != "search-availability":
					t.Errorf("%s webhook got %v", name, l)
				case l["alertname"] == "SLOBudgetDataMissing" && l["slo"] != "payouts-availability":
					t.Errorf("%s webhook got a data-missing alert while both replicas have data for the SLO: %v", name, l)
				}
			}
		}
	}

	// payouts has no data at all: the daemons say so, and the alert says
	// it was the daemon that found no data.
	missing := hooks["tickets"].WaitFor(t, 30*time.Second, func(a promtest.WebhookAlert) bool {
		return a.Labels["alertname"] == "SLOBudgetDataMissing"
	})
	wantLabels(t, "ticket webhook", missing.Labels, map[string]string{
		"alertname": "SLOBudgetDataMissing", "service": "payouts", "slo": "payouts-availability", "severity": "ticket",
	})
	if d := missing.Annotations["description"]; !strings.HasPrefix(d, "The daemon found no data") {
		t.Errorf("data-missing description %q: want the daemon's no-data case", d)
	}

	// One replica gone changes nothing; both gone, every SLO's decision is
	// missing, and the alert says no daemon exports it.
	stops[0]()
	time.Sleep(3 * time.Second)
	if n := len(prom.Query(t, `ALERTS{alertname="SLOBudgetDataMissing",slo!="payouts-availability"}`, time.Now())); n != 0 {
		t.Errorf("with one replica left, %d data-missing alerts for SLOs that have data", n)
	}
	stops[1]()
	gone := time.Now()
	// checkout's data-missing alert waits the default 10m before it fires;
	// pending, it already carries its rendered description.
	var down promAlert
	waitUntil(t, 60*time.Second, "checkout's data-missing alert once no daemon runs", func() bool {
		for _, a := range promAlerts(t, prom.URL) {
			if a.Labels["alertname"] == "SLOBudgetDataMissing" && a.Labels["slo"] == "checkout-availability" {
				down = a
				return true
			}
		}
		return false
	})
	if d := down.Annotations["description"]; !strings.HasPrefix(d, "No slobudget daemon exports checkout-availability") {
		t.Errorf("data-missing description with no daemon running: %q", d)
	}
	t.Logf("both daemons down: data-missing %s after %s", down.State, time.Since(gone).Round(time.Millisecond))
}

// promAlert is one entry of Prometheus's /api/v1/alerts.
type promAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

func promAlerts(t *testing.T, base string) []promAlert {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Alerts []promAlert `json:"alerts"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Data.Alerts
}

// daemonRulesE2EConfig is the standalone rules test's config plus an SLO
// whose selector matches nothing, so the daemon reports no data for it.
//
// Its data-missing alert waits 15s (the default is 10m): Prometheus starts
// before the daemons it scrapes, and their first figures reached it up to
// about 7s later here, so until then "no daemon exports it" is true. With
// no wait (and with 5s, once in two runs) the first notification, which
// Alertmanager does not repeat when only the description changes, said so
// instead of the daemon's no-data case.
const daemonRulesE2EConfig = rulesE2EConfig + `  - name: payouts-availability
    service: payouts
    objective: 99.9
    window: 30d
    alerting:
      for: {dataMissing: 15s}
    sli:
      events:
        errors: payouts_requests_total{code=~"5.."}
        total: payouts_requests_total
`

// humanizePercentage prints a ratio as Prometheus's humanizePercentage
// does for these magnitudes: the percentage with four significant digits.
func humanizePercentage(v float64) string {
	return strconv.FormatFloat(v*100, 'g', 4, 64) + "%"
}

// startServeOn runs `slobudget serve` on port and waits until it has
// evaluated (GET /-/ready answers 200 only then). The returned function
// stops it; so does the test's end.
func startServeOn(t *testing.T, bin, cfgPath, promURL string, port int) func() {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "slobudget.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config.file="+cfgPath, "--prometheus.url="+promURL,
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port), "--eval.interval=10s")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting slobudget serve: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Kill()
			<-done
		})
	}
	t.Cleanup(func() {
		stop()
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- slobudget serve on %d ---\n%s", port, b)
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitUntil(t, 90*time.Second, "slobudget serve to be ready", func() bool {
		select {
		case <-done:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("slobudget serve exited early:\n%s", b)
		default:
		}
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return stop
}

// summaryHasBurnRate reports whether the summary names 60000/n "times too
// fast (1h/5m)" for some n in [lo, hi] (see the caller).
func summaryHasBurnRate(summary string, lo, hi int) bool {
	for n := lo; n <= hi; n++ {
		if strings.Contains(summary, fmt.Sprintf("%.1f times too fast (1h/5m)", 60000/float64(n))) {
			return true
		}
	}
	return false
}
