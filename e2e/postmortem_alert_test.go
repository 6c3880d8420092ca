package e2e

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/rules"
	"github.com/slobudget/slobudget/slo"
)

// postmortemConfig measures the peak-incident scenario's events twice: under
// a policy whose postmortem share (0.1%) its incident exceeds, and under the
// default policy (20%), which it does not.
func postmortemConfig(errors, total string) string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	return fmt.Sprintf(`policies:
  - name: strict-postmortem
    postmortemBudgetShare: 0.001
    states:
      - {name: ok, minBudgetRemaining: 0}
      - {name: frozen, freeze: true}
slos:
  - name: peak-strict
    service: shop
    objective: 99.9
    window: 30d
    policy: strict-postmortem
    alerting: {for: {postmortem: 1s}}
    sli: {events: {errors: %[1]s, total: %[2]s}}
  - name: peak-default
    service: shop
    objective: 99.9
    window: 30d
    alerting: {for: {postmortem: 1s}}
    sli: {events: {errors: %[1]s, total: %[2]s}}
`, q(errors), q(total))
}

// TestPostmortemAlertFromDaemon runs the whole chain on real servers: the
// daemon counts the e2e data in one Prometheus, a second Prometheus scrapes
// the daemon's /metrics and evaluates the generated rules, and
// SLOPostmortemRequired fires for the SLO whose incident passed its policy's
// share, with exactly the labels service, slo and severity="ticket", and not
// for the other.
func TestPostmortemAlertFromDaemon(t *testing.T) {
	f := sharedFixture(t)
	var errorsSel, totalSel string
	for _, sc := range f.data.Scenarios {
		for _, s := range sc.SLOs {
			if s.Name == "peak-incident-availability" {
				errorsSel, totalSel = s.Errors, s.Total
			}
		}
	}
	if errorsSel == "" {
		t.Fatal("the e2e data has no peak-incident-availability SLO")
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "slos.yml")
	if err := os.WriteFile(cfgPath, []byte(postmortemConfig(errorsSel, totalSel)), 0o644); err != nil {
		t.Fatal(err)
	}
	data := f.startPrometheus(t)
	d, err := exporter.NewDaemon(exporter.DaemonOptions{ConfigFiles: []string{cfgPath},
		Backend: backend.Options{URL: data.URL, Timeout: time.Minute}, Step: 30 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := evalAt
	for i := 0; ; i++ {
		d.Engine.EvaluateAt(ctx, at)
		r, _ := d.Engine.Result("peak-strict")
		if r.Incidents != nil && r.Incidents.Complete {
			break
		}
		if i > 70 {
			t.Fatalf("the window's past is not read after 70 evaluations: %+v", r)
		}
		at = at.Add(30 * time.Second)
	}
	for name, want := range map[string]bool{"peak-strict": true, "peak-default": false} {
		if r, _ := d.Engine.Result(name); r.Incidents.PostmortemRequired() != want {
			t.Fatalf("%s: postmortem %v, want %v (incidents %+v)", name, !want, want, r.Incidents.Incidents)
		}
	}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)

	cfg, err := slo.LoadFiles(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// One-second groups, as a test cannot wait for the default minute.
	generated, err := rules.Generate(cfg, rules.Options{Interval: time.Second, Delay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(rulesPath, generated, 0o644); err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(srv.URL)
	scraper := promtest.StartPrometheus(t, promtest.Options{
		ConfigYAML: fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: slobudget\n    static_configs:\n      - targets: [%q]\n", target.Host),
		RuleFiles:  []string{rulesPath},
	})
	var firing []promtest.Sample
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		firing = scraper.Query(t, `ALERTS{alertname="SLOPostmortemRequired",alertstate="firing"}`, time.Now())
		if len(firing) > 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(firing) != 1 {
		t.Logf("scraped: %+v", scraper.Query(t, `slo_postmortem_required`, time.Now()))
		t.Fatalf("SLOPostmortemRequired firing %d times, want once (peak-strict): %+v\n%s", len(firing), firing, scraper.Log())
	}
	want := map[string]string{"__name__": "ALERTS", "alertname": "SLOPostmortemRequired", "alertstate": "firing",
		"service": "shop", "slo": "peak-strict", "severity": "ticket"}
	if got := firing[0].Labels; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("alert labels %v, want %v", got, want)
	}
	// The other SLO's series is 0 and scraped: it never fires.
	if s := scraper.Query(t, `slo_postmortem_required{slo="peak-default"}`, time.Now()); len(s) != 1 || s[0].Value != 0 {
		t.Errorf("slo_postmortem_required{slo=peak-default} scraped as %+v, want one 0", s)
	}
}
