package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/internal/promapi"
)

const gateYAML = `
slos:
  - name: shipping
    service: a
    objective: 99
    window: 7d
    sli: {events: {errors: ok_errors_total, total: requests_total}}
  - name: frozen
    service: a
    objective: 99
    window: 7d
    sli: {events: {errors: bad_errors_total, total: requests_total}}
  - name: ghost
    service: b
    objective: 99
    window: 7d
    sli: {events: {errors: ghost_errors_total, total: ghost_requests_total}}
`

// gateFixture: a week of traffic up to now; "frozen" fails 2% of requests
// (twice its budget), "shipping" 0.1%, "ghost" has no series.
func gateFixture(t *testing.T) (cfg string, store *memory.Store, promURL string) {
	t.Helper()
	now := time.Now().UnixMilli()
	start := now - 8*24*3600_000
	store = memory.New()
	countergen.Steady(start, now, 60_000, 1000).Store(store, "__name__", "requests_total")
	countergen.Steady(start, now, 60_000, 1).Store(store, "__name__", "ok_errors_total")
	countergen.Steady(start, now, 60_000, 20).Store(store, "__name__", "bad_errors_total")
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	t.Cleanup(srv.Close)
	cfg = filepath.Join(t.TempDir(), "slos.yml")
	if err := os.WriteFile(cfg, []byte(gateYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, store, srv.URL
}

func TestGateExitCodes(t *testing.T) {
	cfg, store, promURL := gateFixture(t)
	d, err := exporter.NewDaemon(exporter.DaemonOptions{ConfigFiles: []string{cfg}, Source: store, Step: 30 * time.Second, Logger: zap.NewNop(),
		Backend: backend.Options{URL: "http://unused.invalid"}})
	if err != nil {
		t.Fatal(err)
	}
	d.Engine.EvaluateAt(context.Background(), time.Now())
	daemon := httptest.NewServer(d.Handler())
	defer daemon.Close()

	for _, c := range []struct {
		slos []string
		code int
		word []string // the first word of each line
	}{
		{[]string{"shipping"}, exitOK, []string{"SHIP"}},
		{[]string{"frozen"}, exitFrozen, []string{"FROZEN"}},
		{[]string{"ghost"}, exitNoData, []string{"NO DATA"}},
		{[]string{"ghost", "shipping", "frozen"}, exitFrozen, []string{"NO DATA", "SHIP", "FROZEN"}},
		{[]string{"shipping", "ghost"}, exitNoData, []string{"SHIP", "NO DATA"}},
	} {
		var args []string
		for _, s := range c.slos {
			args = append(args, "--slo="+s)
		}
		for mode, base := range map[string][]string{
			"local":  {"gate", "--config.file=" + cfg, "--prometheus.url=" + promURL},
			"daemon": {"gate", "--slobudget.url=" + daemon.URL},
		} {
			code, out, errs := runCLI(append(base, args...)...)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if code != c.code || len(lines) != len(c.word) {
				t.Errorf("%s %v: exit %d with %q (stderr %q), want %d and %d lines", mode, c.slos, code, out, errs, c.code, len(c.word))
				continue
			}
			for i, l := range lines {
				if !strings.HasPrefix(l, c.word[i]+": "+c.slos[i]+": ") {
					t.Errorf("%s %v: line %q, want it to start %q", mode, c.slos, l, c.word[i]+": "+c.slos[i]+": ")
				}
			}
			if strings.Contains(out, "NO DATA") && !strings.Contains(out, "ghost_requests_total matched no series") {
				t.Errorf("%s: the no-data line does not name the selector: %q", mode, out)
			}
		}
	}
	// Errors: Prometheus unreachable, an SLO the daemon does not know, bad flags.
	if code, out, _ := runCLI("gate", "--config.file="+cfg, "--prometheus.url=http://127.0.0.1:1", "--slo=shipping", "--timeout=5s"); code != exitError || !strings.HasPrefix(out, "ERROR: shipping: ") {
		t.Errorf("unreachable Prometheus: exit %d, %q", code, out)
	}
	if code, _, errs := runCLI("gate", "--slobudget.url="+daemon.URL, "--slo=nope"); code != exitError || !strings.Contains(errs, `no SLO named "nope"`) {
		t.Errorf("unknown SLO at the daemon: exit %d, %q", code, errs)
	}
	if code, _, _ := runCLI("gate", "--slobudget.url="+daemon.URL, "--config.file="+cfg, "--slo=shipping"); code != exitUsage {
		t.Errorf("both modes at once: exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := runCLI("gate", "--slo=shipping"); code != exitUsage {
		t.Errorf("no mode: exit %d, want %d", code, exitUsage)
	}
}

// TestGateGroupedSLO gates on a grouped SLO: each route decides, the worst
// wins, locally and through the daemon's API.
func TestGateGroupedSLO(t *testing.T) {
	now := time.Now().UnixMilli()
	start := now - 8*24*3600_000
	store := memory.New()
	for route, errs := range map[string]float64{"/ok": 1, "/bad": 20} {
		countergen.Steady(start, now, 60_000, 1000).Store(store, "__name__", "requests_total", "route", route)
		countergen.Steady(start, now, 60_000, errs).Store(store, "__name__", "errors_total", "route", route)
	}
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	t.Cleanup(srv.Close)
	cfg := filepath.Join(t.TempDir(), "slos.yml")
	yml := "slos:\n  - name: api\n    service: a\n    objective: 99\n    window: 7d\n    grouping: [route]\n    sli: {events: {errors: errors_total, total: requests_total}}\n"
	if err := os.WriteFile(cfg, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := exporter.NewDaemon(exporter.DaemonOptions{ConfigFiles: []string{cfg}, Source: store, Step: 30 * time.Second, Logger: zap.NewNop(),
		Backend: backend.Options{URL: "http://unused.invalid"}})
	if err != nil {
		t.Fatal(err)
	}
	d.Engine.EvaluateAt(context.Background(), time.Now())
	daemon := httptest.NewServer(d.Handler())
	defer daemon.Close()
	for mode, base := range map[string][]string{
		"local":  {"gate", "--config.file=" + cfg, "--prometheus.url=" + srv.URL},
		"daemon": {"gate", "--slobudget.url=" + daemon.URL},
	} {
		code, out, errs := runCLI(append(base, "--slo=api")...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != exitFrozen || len(lines) != 2 || !strings.HasPrefix(lines[0], `FROZEN: api{route="/bad"}: `) || !strings.HasPrefix(lines[1], `SHIP: api{route="/ok"}: `) {
			t.Errorf("%s: exit %d with %q (stderr %q), want FROZEN for /bad and SHIP for /ok", mode, code, out, errs)
		}
	}
}
