package e2e

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promtest"
)

// The rules test's config: checkout burns fast now (its policy has no freeze
// state, so it only pages); search had a bad hour three hours ago and has
// overspent its budget (it freezes, and its 3d/6h ticket fires). `for:` is
// zero so the test waits seconds, not the minutes a real rule file waits.
const rulesE2EConfig = `policies:
  - name: no-freeze
    states:
      - {name: healthy, minBudgetRemaining: 0.5, featureShare: 0.7}
      - {name: degraded, featureShare: 0.3}
slos:
  - name: checkout-availability
    service: checkout
    objective: 99.9
    window: 30d
    policy: no-freeze
    labels: {team: payments}
    alerting:
      for: {page: 0s, ticket: 0s, freeze: 0s}
    sli:
      events:
        errors: http_requests_total{service="checkout",code=~"5.."}
        total: http_requests_total{service="checkout"}
  - name: search-availability
    service: search
    objective: 99.9
    window: 30d
    labels: {team: discovery}
    alerting:
      for: {page: 0s, ticket: 0s, freeze: 0s}
    sli:
      events:
        errors: search_requests_total{code=~"5.."}
        total: search_requests_total
`

// rulesE2EData is four hours of 15s scrapes ending at end: 100 requests per
// scrape per service; checkout fails half of them in the last 30 minutes,
// search a tenth of them from 4h to 3h before end. It also returns each
// service's bad and total events over the whole data, counted as it writes.
func rulesE2EData(end time.Time) (string, map[string][2]float64) {
	end = end.Truncate(15 * time.Second)
	start := end.Add(-4 * time.Hour)
	type point struct{ ok, bad float64 }
	var checkout, search []point
	var times []time.Time
	c, s := point{1000, 5}, point{2000, 7}
	counts := map[string][2]float64{}
	add := func(service string, bad float64) {
		counts[service] = [2]float64{counts[service][0] + bad, counts[service][1] + 100}
	}
	for at := start; !at.After(end); at = at.Add(15 * time.Second) {
		ago := end.Sub(at)
		first := at.Equal(start) // the baseline scrape counts nothing
		if ago < 30*time.Minute {
			c.ok, c.bad = c.ok+50, c.bad+50
		} else {
			c.ok += 100
		}
		if ago <= 4*time.Hour && ago > 3*time.Hour {
			s.ok, s.bad = s.ok+90, s.bad+10
		} else {
			s.ok += 100
		}
		if !first {
			add("checkout", map[bool]float64{true: 50, false: 0}[ago < 30*time.Minute])
			add("search", map[bool]float64{true: 10, false: 0}[ago > 3*time.Hour])
		}
		times = append(times, at)
		checkout = append(checkout, c)
		search = append(search, s)
	}
	var b strings.Builder
	family := func(name, labels string, pts []point) {
		fmt.Fprintf(&b, "# TYPE %s counter\n", name)
		for _, code := range []string{"200", "500"} {
			for i, p := range pts {
				v := p.ok
				if code == "500" {
					v = p.bad
				}
				fmt.Fprintf(&b, "%s_total{%scode=%q} %g %d\n", name, labels, code, v, times[i].Unix())
			}
		}
	}
	family("http_requests", `service="checkout",`, checkout)
	family("search_requests", "", search)
	b.WriteString("# EOF\n")
	return b.String(), counts
}

// exampleAlertmanagerConfig is examples/alertmanager.yml, the routes a user
// copies, with the receivers pointed at the test's webhooks and the waits
// shortened; routes, matchers and inhibition stay as shipped.
func exampleAlertmanagerConfig(t *testing.T, hooks map[string]string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "alertmanager.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("examples/alertmanager.yml: %v", err)
	}
	route, _ := cfg["route"].(map[string]any)
	if route == nil {
		t.Fatal("examples/alertmanager.yml has no route")
	}
	route["group_wait"], route["group_interval"] = "1s", "1s"
	receivers, _ := cfg["receivers"].([]any)
	for _, r := range receivers {
		rm := r.(map[string]any)
		name, _ := rm["name"].(string)
		url, ok := hooks[name]
		if !ok {
			t.Fatalf("examples/alertmanager.yml has receiver %q; the test knows %v", name, hooks)
		}
		rm["webhook_configs"] = []any{map[string]any{"url": url, "send_resolved": false}}
		delete(hooks, name)
	}
	if len(hooks) > 0 {
		t.Fatalf("examples/alertmanager.yml lacks the receivers %v", hooks)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestRulesAlertmanagerRouting is what a new user does: `slobudget rules`
// on a config, load the file into a real Prometheus that already holds the
// raw counters, `slobudget rules-backfill`, move the block in and restart,
// with a real Alertmanager running the shipped examples/alertmanager.yml.
// The freeze must reach the product webhook and the page the on-call one,
// with the contract's labels; checkout's ticket is inhibited by its page,
// search's ticket reaches the ticket queue.
func TestRulesAlertmanagerRouting(t *testing.T) {
	promtest.Require(t, promtest.Promtool)
	promtest.Require(t, promtest.Prometheus)
	promtest.Require(t, promtest.Alertmanager)
	bin := buildSlobudget(t)
	dir := t.TempDir()
	start := time.Now()

	// Raw data ending now: Prometheus evaluates rules at the wall clock.
	om := filepath.Join(dir, "data.om")
	text, truth := rulesE2EData(time.Now())
	if err := os.WriteFile(om, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(dir, "tsdb")
	promtest.Backfill(t, om, dataDir)
	cfgPath := filepath.Join(dir, "slos.yml")
	if err := os.WriteFile(cfgPath, []byte(rulesE2EConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "rules.yml")
	// One-second groups so the running sums start at once; --rules.delay
	// 1s because the backfilled samples are all committed already.
	ruleFlags := []string{"--rules.interval=1s", "--rules.delay=1s"}
	run(t, bin, append([]string{"rules", "--config.file=" + cfgPath, "--output=" + rulesPath}, ruleFlags...)...)
	if out, err := exec.Command(promtest.Require(t, promtest.Promtool), "check", "rules", rulesPath).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}

	// First start: no Alertmanager, so the alerts computed before the
	// history is there (every window counts since the rules started) never
	// notify anyone.
	prom := promtest.StartPrometheus(t, promtest.Options{DataDir: dataDir, RuleFiles: []string{rulesPath}})
	waitUntil(t, 30*time.Second, "the running sums' first evaluation", func() bool {
		return len(prom.Query(t, `slo:total_events:running_sum`, time.Now())) == 2
	})
	blocks := filepath.Join(dir, "blocks")
	out := run(t, bin, append([]string{"rules-backfill", "--config.file=" + cfgPath, "--prometheus.url=" + prom.URL,
		"--output.dir=" + blocks, "--backfill.history=5h"}, ruleFlags...)...)
	t.Logf("rules-backfill: %s", strings.TrimSpace(out))
	stopPrometheus(t, prom)
	entries, err := os.ReadDir(blocks)
	if err != nil || len(entries) == 0 {
		t.Fatalf("rules-backfill wrote no block into %s: %v", blocks, err)
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(blocks, e.Name()), filepath.Join(dataDir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}

	hooks := map[string]*promtest.Webhook{"product": promtest.NewWebhook(t), "oncall": promtest.NewWebhook(t), "tickets": promtest.NewWebhook(t),
		"postmortems": promtest.NewWebhook(t)}
	urls := map[string]string{}
	for name, h := range hooks {
		urls[name] = h.URL
	}
	am := promtest.StartAlertmanager(t, exampleAlertmanagerConfig(t, urls))
	restart := time.Now()
	prom = promtest.StartPrometheus(t, promtest.Options{
		DataDir: dataDir, RuleFiles: []string{rulesPath},
		ConfigYAML: fmt.Sprintf("global:\n  evaluation_interval: 1s\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [%q]\n",
			strings.TrimPrefix(am.URL, "http://")),
	})

	// From the first evaluation after the restart, the 30d budget is the
	// whole history's: the counts the data was written with, through the
	// budget formula (99.9%: budget 1/1000).
	waitUntil(t, 30*time.Second, "the first evaluation after the restart", func() bool {
		fresh := prom.Query(t, fmt.Sprintf("timestamp(slo:error_budget_remaining:ratio) > %d", restart.Unix()+1), time.Now())
		return len(fresh) == 2
	})
	for _, smp := range prom.Query(t, "slo:error_budget_remaining:ratio", time.Now()) {
		c := truth[smp.Labels["service"]]
		want := (c[1] - c[0]*1000) / c[1]
		if math.Abs(smp.Value-want) > 1e-9*math.Abs(want) {
			t.Errorf("%s: remaining budget %g from the rules, %g from the data", smp.Labels["slo"], smp.Value, want)
		}
	}
	freeze := hooks["product"].WaitFor(t, 90*time.Second, func(a promtest.WebhookAlert) bool {
		return a.Labels["alertname"] == "SLOFeatureFreeze"
	})
	wantLabels(t, "product webhook", freeze.Labels, map[string]string{
		"alertname": "SLOFeatureFreeze", "service": "search", "slo": "search-availability", "team": "discovery",
		"severity": "ticket", "policy": "default", "state": "frozen",
	})
	if !strings.Contains(freeze.Annotations["summary"], "frozen") {
		t.Errorf("freeze summary %q does not state the policy's consequence", freeze.Annotations["summary"])
	}
	page := hooks["oncall"].WaitFor(t, 30*time.Second, func(a promtest.WebhookAlert) bool {
		return a.Labels["long_window"] == "1h"
	})
	wantLabels(t, "on-call webhook", page.Labels, map[string]string{
		"alertname": "SLOErrorBudgetBurn", "service": "checkout", "slo": "checkout-availability", "team": "payments",
		"severity": "page", "long_window": "1h", "short_window": "5m",
	})
	ticket := hooks["tickets"].WaitFor(t, 30*time.Second, func(a promtest.WebhookAlert) bool {
		return a.Labels["alertname"] == "SLOErrorBudgetBurn"
	})
	wantLabels(t, "ticket webhook", ticket.Labels, map[string]string{
		"alertname": "SLOErrorBudgetBurn", "service": "search", "slo": "search-availability", "team": "discovery",
		"severity": "ticket", "long_window": "3d", "short_window": "6h",
	})
	// Give stray notifications a few group intervals to arrive before
	// asserting what must not have.
	time.Sleep(3 * time.Second)
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
				case name == "tickets" && l["slo"] == "checkout-availability":
					t.Errorf("checkout's ticket %v (starts %s) reached the ticket queue while its page fires (starts %s); the example's inhibition should hold it",
						l, a.StartsAt.Format("15:04:05.000"), page.StartsAt.Format("15:04:05.000"))
					logFiringSince(t, prom, restart)
				}
			}
		}
	}
	// The inhibited ticket exists: otherwise the check above proves nothing.
	var inhibited bool
	for _, s := range prom.Query(t, `ALERTS{alertstate="firing",alertname="SLOErrorBudgetBurn",severity="ticket",slo="checkout-availability"}`, time.Now()) {
		inhibited = inhibited || s.Labels["slo"] == "checkout-availability"
	}
	if !inhibited {
		t.Errorf("checkout's ticket is not firing in Prometheus, so its inhibition is untested")
	}
	t.Logf("from raw data to routed notifications in %s", time.Since(start).Round(time.Millisecond))
}

// logFiringSince logs, second by second since from, which of checkout's
// alerts Prometheus had firing: on a failed inhibition, whether the page
// started after the ticket.
func logFiringSince(t *testing.T, prom *promtest.Instance, from time.Time) {
	t.Helper()
	for at := from; at.Before(time.Now()); at = at.Add(time.Second) {
		var firing []string
		for _, s := range prom.Query(t, `ALERTS{alertstate="firing",slo="checkout-availability"}`, at) {
			firing = append(firing, s.Labels["alertname"]+"/"+s.Labels["severity"]+"/"+s.Labels["long_window"])
		}
		t.Logf("%s firing: %v", at.Format("15:04:05"), firing)
	}
}

func wantLabels(t *testing.T, where string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: label %s = %q, want %q (labels %v)", where, k, got[k], v, got)
		}
	}
}

func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("slobudget %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func waitUntil(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stopPrometheus asks Prometheus to quit (the instances run with
// --web.enable-lifecycle) and waits until its process has exited, so its
// data directory can be reused: it stops answering HTTP before it has closed
// the TSDB and released the directory's lock (promtest.Quit).
func stopPrometheus(t *testing.T, p *promtest.Instance) {
	t.Helper()
	p.Quit(t, 60*time.Second)
}

// TestExampleAlertmanagerRoutes checks examples/alertmanager.yml with amtool
// and routes the generated alerts' label sets as its header documents.
func TestExampleAlertmanagerRoutes(t *testing.T) {
	bin := promtest.Require(t, "amtool")
	path := filepath.Join("..", "examples", "alertmanager.yml")
	if out, err := exec.Command(bin, "check-config", path).CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config %s: %v\n%s", path, err, out)
	}
	for _, c := range []struct {
		labels   []string
		receiver string
	}{
		{[]string{"alertname=SLOFeatureFreeze", "severity=ticket", "policy=default", "state=frozen"}, "product"},
		{[]string{"alertname=SLOErrorBudgetBurn", "severity=page", "long_window=1h", "short_window=5m"}, "oncall"},
		{[]string{"alertname=SLOErrorBudgetBurn", "severity=ticket", "long_window=1d", "short_window=2h"}, "tickets"},
		{[]string{"alertname=SLOBudgetDataMissing", "severity=ticket"}, "tickets"},
		{[]string{"alertname=SLOPostmortemRequired", "severity=ticket"}, "postmortems"},
	} {
		args := append([]string{"config", "routes", "test", "--config.file=" + path, "--verify.receivers=" + c.receiver,
			"service=checkout", "slo=checkout-availability"}, c.labels...)
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Errorf("%v should route to %s: %v\n%s", c.labels, c.receiver, err, out)
		}
	}
}
