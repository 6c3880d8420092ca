package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReviewAndWhatIfUsageErrors: malformed values of the review's and the
// what-if flags are one-line usage errors (exit 2), before any query.
func TestReviewAndWhatIfUsageErrors(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "slos.yml")
	os.WriteFile(cfg, []byte("slos:\n  - name: checkout\n    service: s\n    objective: 99.9\n    sli:\n      events:\n        errors: e\n        total: t\n"), 0o644)
	base := []string{"--config.file=" + cfg, "--prometheus.url=http://127.0.0.1:1"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"review", "--since=ninety"}, "--since=ninety"},
		{[]string{"review", "--since=90d1m"}, "multiple of 5m"},
		{[]string{"review", "--time=yesterday"}, "--time"},
		{[]string{"review", "--timezone=Mars/Olympus"}, "--timezone=Mars/Olympus"},
		{[]string{"review", "--format=pdf"}, "pdf"},
		{[]string{"review", "--what-if.objective=100"}, "between 0 and 100"},
		{[]string{"review", "--what-if.window=2h"}, "at least 1d"},
		{[]string{"report", "--what-if.objective=-1"}, "between 0 and 100"},
		{[]string{"report", "--what-if.window=soon"}, "--what-if.window=soon"},
	} {
		args := append(append([]string{}, c.args...), base...)
		code, out, errs := runCLI(args...)
		hint := "try 'slobudget " + c.args[0] + " --help'"
		lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
		if code != exitUsage || out != "" || len(lines) != 1 || !strings.Contains(lines[0], c.want) || !strings.HasSuffix(lines[0], hint) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q ending in %q", c.args, code, out, errs, c.want, hint)
		}
	}
}

func TestReviewHelpListsFormats(t *testing.T) {
	_, out, _ := runCLI("review", "--help")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"table, markdown, json, html (default table)", "--since=\"90d\"", "--what-if.objective", "--what-if.window", "--timezone=\"UTC\""} {
		if !strings.Contains(flat, want) {
			t.Errorf("review --help lacks %q:\n%s", want, out)
		}
	}
}
