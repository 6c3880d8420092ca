package slo

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var exclusionNow = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

func loadErrors(t *testing.T, opts LoadOptions) []string {
	t.Helper()
	cfg, err := Load(opts)
	if err == nil {
		if cfg == nil {
			t.Fatal("nil config without error")
		}
		return nil
	}
	var ce *ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v", err, err)
	}
	out := []string{}
	for _, e := range ce.Errors {
		out = append(out, e.Error())
	}
	return out
}

func TestExclusions(t *testing.T) {
	dir := t.TempDir()
	slos := writeFile(t, dir, "slos.yml", base+`  - name: b
    service: s
    objective: 99
    window: 7d
    sli: {events: {errors: e, total: t}}
exclusions:
  - from: 2026-03-10T22:00:00Z
    to: 2026-03-10T23:30:00+01:00
    slos: [a]
    reason: database migration agreed with product
    approvedBy: jane@example.com
`)
	cfg, err := Load(LoadOptions{ConfigFiles: []string{slos}, Now: exclusionNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Exclusions) != 1 {
		t.Fatalf("exclusions = %+v", cfg.Exclusions)
	}
	e := cfg.Exclusions[0]
	if !e.From.Equal(time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)) || !e.To.Equal(time.Date(2026, 3, 10, 22, 30, 0, 0, time.UTC)) ||
		e.Reason != "database migration agreed with product" || e.ApprovedBy != "jane@example.com" || e.File != slos || e.Line != 15 {
		t.Errorf("exclusion = %+v", e)
	}
	if !e.AppliesTo("a") || e.AppliesTo("b") || !e.Contains(e.From) || e.Contains(e.To) {
		t.Errorf("AppliesTo/Contains wrong for %+v", e)
	}

	sep := writeFile(t, dir, "excl.yml", `exclusions:
  - {from: 2026-03-01T00:00:00Z, to: 2026-03-02T00:00:00Z, slos: all, reason: load test, approvedBy: ops}
  - {from: 2026-03-19T00:00:00Z, to: 2026-03-21T00:00:00Z, slos: [a], reason: r, approvedBy: x}
  - {from: 2026-01-01T00:00:00Z, to: 2026-01-09T00:00:00Z, slos: [a, b, nope], reason: r, approvedBy: x}
  - {from: 2026-02-02T00:00:00Z, to: 2026-02-01T00:00:00Z, slos: all, reason: " ", approvedBy: x}
  - {from: yesterday, slos: [a]}
`)
	got := loadErrors(t, LoadOptions{ConfigFiles: []string{slos}, ExclusionFiles: []string{sep}, Now: exclusionNow})
	want := []string{
		sep + `:3: exclusions[1]: to: 2026-03-21T00:00:00Z is in the future (now 2026-03-20T12:00:00Z)`,
		sep + `:4: exclusions[2]: slos: spans 8d, longer than the 7d window of slo "b"`,
		sep + `:4: exclusions[2]: slos[2]: undefined slo "nope"`,
		sep + `:5: exclusions[3]: reason: must not be empty`,
		sep + `:5: exclusions[3]: to: 2026-02-01T00:00:00Z is not after from (2026-02-02T00:00:00Z)`,
		sep + `:6: exclusions[4]: from: "yesterday" is not an RFC 3339 time`,
		sep + `:6: exclusions[4]: to: required`,
		sep + `:6: exclusions[4]: reason: required`,
		sep + `:6: exclusions[4]: approvedBy: required`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d:\n got  %s\n want %s...", i, got[i], want[i])
		}
	}

	// An exclusion file holds nothing but exclusions.
	bad := writeFile(t, dir, "bad.yml", "slos: []\n")
	got = loadErrors(t, LoadOptions{ConfigFiles: []string{slos}, ExclusionFiles: []string{bad}, Now: exclusionNow})
	if len(got) != 1 || !strings.Contains(got[0], `bad.yml:1: slos: unknown field "slos"`) {
		t.Errorf("errors %q", got)
	}
	if got := loadErrors(t, LoadOptions{ConfigFiles: []string{slos}, ExclusionFiles: []string{filepath.Join(dir, "none.yml")}}); len(got) != 1 || !strings.Contains(got[0], "cannot read") {
		t.Errorf("errors %q", got)
	}
}
