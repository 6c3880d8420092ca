package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rules/README.md tells users to raise Continuity when their Prometheus can
// be down longer than an hour; the flag must exist and reach every lookback
// that bridges gaps.
func TestRulesContinuityFlag(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "slo.yml")
	if err := os.WriteFile(cfg, []byte("slos:\n  - name: a\n    service: s\n    objective: 99.9\n    sli:\n      events:\n        errors: e_total\n        total: t_total\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, def, errs := runCLI("rules", "--config.file="+cfg)
	if code != 0 {
		t.Fatalf("rules: exit %d: %s", code, errs)
	}
	code, out, errs := runCLI("rules", "--config.file="+cfg, "--rules.continuity=6h")
	if code != 0 {
		t.Fatalf("rules --rules.continuity=6h: exit %d: %s", code, errs)
	}
	if n := strings.Count(def, "[1h]"); n == 0 || strings.Count(out, "[6h]") != n || strings.Contains(out, "[1h]") {
		t.Errorf("--rules.continuity=6h: want each of the default's %d [1h] lookbacks as [6h]; got %d [6h], %d [1h]",
			n, strings.Count(out, "[6h]"), strings.Count(out, "[1h]"))
	}
	if code, _, errs := runCLI("rules", "--config.file="+cfg, "--rules.continuity=1m"); code != 1 || !strings.Contains(errs, "continuity") {
		t.Errorf("--rules.continuity=1m (less than two intervals): exit %d, stderr %q; want 1 and an error naming continuity", code, errs)
	}
}

// --source=daemon writes only alerts over the daemon's metrics; an unknown
// source is a command-line error.
func TestRulesSourceFlag(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "slo.yml")
	if err := os.WriteFile(cfg, []byte("slos:\n  - name: a\n    service: s\n    objective: 99.9\n    sli:\n      events:\n        errors: e_total\n        total: t_total\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("rules", "--config.file="+cfg, "--source=daemon")
	if code != 0 {
		t.Fatalf("rules --source=daemon: exit %d: %s", code, errs)
	}
	for _, want := range []string{"name: slobudget-daemon-a", `max by (service, slo) (slo_alert_active{service="s",slo="a",severity="page"}) == 1`, "alert: SLOPostmortemRequired"} {
		if !strings.Contains(out, want) {
			t.Errorf("rules --source=daemon lacks %q", want)
		}
	}
	if strings.Contains(out, "record:") {
		t.Errorf("rules --source=daemon writes recording rules:\n%s", out)
	}
	if code, _, errs := runCLI("rules", "--config.file="+cfg, "--source=recorded"); code != 2 || !strings.Contains(errs, "counters,daemon") {
		t.Errorf("--source=recorded: exit %d, stderr %q; want 2 listing the sources", code, errs)
	}
}
