package rules

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// TestBackfillGroupedAgreesWithDaemon backfills the running sums of an SLO
// grouped by route: /a has rawHistory's traffic (a reset, a gap, bursts),
// /b the same with three times the errors. After the restart every route's
// burn rates and budget from the rules agree with the daemon engine's
// instance for that route, over the same raw samples.
func TestBackfillGroupedAgreesWithDaemon(t *testing.T) {
	promtest.Require(t, promtest.Prometheus)
	now := time.Now()
	pts := rawHistory(now)
	var b strings.Builder
	b.WriteString("# TYPE http_requests counter\n")
	for _, route := range []string{"/a", "/b"} {
		for _, code := range []string{"200", "500"} {
			for _, p := range pts {
				v := p.ok
				if code == "500" {
					v = p.bad
					if route == "/b" {
						v *= 3
					}
				}
				fmt.Fprintf(&b, "http_requests_total{service=\"api\",route=%q,code=%q} %s %d\n", route, code, num(v), p.at.Unix())
			}
		}
	}
	b.WriteString("# EOF\n")
	om := filepath.Join(t.TempDir(), "raw.om")
	if err := os.WriteFile(om, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	promtest.Backfill(t, om, dataDir)

	s := scenarioSLO()
	s.Window = slo.Window{Text: "1d", Duration: day}
	s.Grouping, s.MaxGroups = []string{"route"}, 100
	cfg := &slo.Config{SLOs: []slo.SLO{s}}
	opts := Options{Interval: time.Second, Delay: time.Second}
	sel := `{service="api",slo="api-availability"}`
	out, err := Generate(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(rulesPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
	prom := promtest.StartPrometheus(t, promtest.Options{DataDir: dataDir, RuleFiles: []string{rulesPath}})
	waitFor(t, 30*time.Second, "the running sums' first evaluation", func() bool {
		return len(prom.Query(t, "slo:total_events:running_sum"+sel, time.Now())) == 2
	})
	blocks := t.TempDir()
	res, err := Backfill(context.Background(), cfg, opts, BackfillOptions{PrometheusURL: prom.URL, OutputDir: blocks, History: 3 * day})
	if err != nil {
		t.Fatal(err)
	}
	// Until the process exits it holds the TSDB's lock (promtest.Quit).
	prom.Quit(t, 60*time.Second)
	entries, _ := os.ReadDir(blocks)
	for _, e := range entries {
		if err := os.Rename(filepath.Join(blocks, e.Name()), filepath.Join(dataDir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	prom = promtest.StartPrometheus(t, promtest.Options{DataDir: dataDir, RuleFiles: []string{rulesPath}})
	if got := prom.Query(t, "slo:total_events:running_sum"+sel, res[0].FirstLive.Add(-30*time.Minute)); len(got) != 2 {
		t.Fatalf("backfilled running sums after the restart: %v, want one per route", got)
	}
	time.Sleep(2 * time.Second)
	last := prom.Query(t, `timestamp(slo:burn_rate:ratio{slo="api-availability",window="1d",route="/a"})`, time.Now())
	if len(last) != 1 {
		t.Fatalf("no 1d burn rate after the backfill")
	}
	at := time.UnixMilli(int64(math.Round(last[0].Value * 1000)))
	seen := at.Add(-opts.Delay)

	src, err := backend.NewPrometheus(backend.Options{URL: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(cfg, engine.Options{Source: src, OneShot: true})
	if err != nil {
		t.Fatal(err)
	}
	if failed := eng.EvaluateAt(context.Background(), seen); failed != 0 {
		t.Fatalf("the daemon engine failed at %s", seen)
	}
	for _, route := range []string{"/a", "/b"} {
		daemon, ok := eng.Result(`api-availability{route="` + route + `"}`)
		if !ok || len(daemon.BurnRates) < 5 {
			t.Fatalf("daemon instance for %s: %v %+v", route, ok, daemon.BurnRates)
		}
		got := map[string]float64{}
		for _, smp := range prom.Query(t, `slo:burn_rate:ratio{service="api",slo="api-availability",route="`+route+`"}`, at) {
			got[smp.Labels["window"]] = smp.Value
		}
		for w, v := range daemon.BurnRates {
			if g, ok := got[w]; !ok || !close(g, v) {
				t.Errorf("%s burn rate %s: rules %v, daemon engine %g", route, w, got[w], v)
			}
		}
		if len(got) != len(daemon.BurnRates) {
			t.Errorf("%s: rules have burn windows %v, the daemon %v", route, got, daemon.BurnRates)
		}
		rem := prom.Query(t, `slo:error_budget_remaining:ratio{service="api",slo="api-availability",route="`+route+`"}`, at)
		if len(rem) != 1 || !close(rem[0].Value, daemon.BudgetRemaining) {
			t.Errorf("%s budget remaining: rules %v, daemon engine %g", route, rem, daemon.BudgetRemaining)
		}
	}
}
