package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(good, []byte("slos:\n  - name: a\n    service: s\n    objective: 99.9\n    sli:\n      events:\n        errors: e\n        total: t\n"), 0o644)
	two := filepath.Join(dir, "two.yml")
	os.WriteFile(two, []byte("slos:\n  - name: b\n    service: s\n    objective: 99.9\n    sli:\n      events:\n        errors: e\n        total: t\n"), 0o644)
	os.WriteFile(bad, []byte("slos:\n  - name: a\n    service: s\n    objective: 0.999\n    sli:\n      events:\n        errors: rate(e[5m])\n        total: t\n"), 0o644)

	if code, out, errs := runCLI("check", "--config.file="+good); code != 0 || out != "1 SLO in 1 file is valid.\n" {
		t.Errorf("valid config: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, out, errs := runCLI("check", "--config.file="+good, "--config.file="+two); code != 0 || out != "2 SLOs in 2 files are valid.\n" {
		t.Errorf("two configs: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, errs := runCLI("check", "--config.file="+bad)
	if code != 1 {
		t.Errorf("invalid config: exit %d, want 1", code)
	}
	for _, want := range []string{bad + `:4: slo "a": objective:`, "99.9", bad + `:7: slo "a": sli.events.errors:`} {
		if !strings.Contains(errs, want) {
			t.Errorf("check output lacks %q:\n%s", want, errs)
		}
	}
	if code, _, _ := runCLI("check"); code != 2 {
		t.Errorf("missing --config.file: exit %d, want 2", code)
	}
	if code, out, _ := runCLI("serve", "--help"); code != 0 || !strings.Contains(out, "--eval.interval") {
		t.Errorf("serve --help: exit %d, output %q", code, out)
	}
}
