package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/version"
)

func TestHelpPrintsUsageOnce(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {}, {"help"}, {"help", "report"}, {"report", "--help"}, {"serve", "-h"}} {
		code, out, errs := runCLI(args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", args, code, errs)
		}
		if n := strings.Count(out, "usage: slobudget"); n != 1 {
			t.Errorf("%v: usage printed %d times:\n%s", args, n, out)
		}
	}
}

func TestUsageErrorsAreOneLine(t *testing.T) {
	cases := []struct {
		args []string
		want string // in the one stderr line
		hint string
	}{
		{[]string{"nosuch"}, `"nosuch"`, "try 'slobudget --help'"},
		{[]string{"--bogus"}, "--bogus", "try 'slobudget --help'"},
		{[]string{"check"}, "--config.file", "try 'slobudget check --help'"},
		{[]string{"report", "--config.file=main_test.go", "--prometheus.url=http://p", "--format=yaml"}, "yaml", "try 'slobudget report --help'"},
		{[]string{"report", "--bogus"}, "--bogus", "try 'slobudget report --help'"},
		{[]string{"rules", "--config.file=main_test.go", "--format=nope"}, "nope", "try 'slobudget rules --help'"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(c.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", c.args, code, exitUsage)
		}
		if out != "" {
			t.Errorf("%v: printed %q on stdout; a usage error prints no usage", c.args, out)
		}
		lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], c.want) || !strings.HasSuffix(lines[0], c.hint) {
			t.Errorf("%v: stderr %q, want one line with %q ending in %q", c.args, errs, c.want, c.hint)
		}
	}
}

func TestFormatHelpListsValues(t *testing.T) {
	for cmd, values := range map[string]string{
		"report": "table, markdown, json (default table)",
		"rules":  "prometheus, prometheus-operator (default prometheus)",
	} {
		_, out, _ := runCLI(cmd, "--help")
		if !strings.Contains(strings.Join(strings.Fields(out), " "), values) {
			t.Errorf("%s --help does not list the --format values %q:\n%s", cmd, values, out)
		}
	}
}

func TestReportUnknownSLO(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "slos.yml")
	os.WriteFile(cfg, []byte("slos:\n  - name: checkout\n    service: s\n    objective: 99.9\n    sli:\n      events:\n        errors: e\n        total: t\n"), 0o644)
	// Nothing listens on port 1: the name is rejected before any query.
	code, out, errs := runCLI("report", "--config.file="+cfg, "--prometheus.url=http://127.0.0.1:1", "--slo=checkout", "--slo=chekout")
	if code != exitError || out != "" || !strings.Contains(errs, `no SLO named "chekout"`) || !strings.Contains(errs, "defined: checkout") {
		t.Errorf("unknown --slo: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestVersionShowsBuildInfo(t *testing.T) {
	saved := []string{version.Version, version.Revision, version.Branch, version.BuildUser, version.BuildDate}
	defer func() {
		version.Version, version.Revision, version.Branch, version.BuildUser, version.BuildDate = saved[0], saved[1], saved[2], saved[3], saved[4]
	}()
	version.Version, version.Revision, version.Branch, version.BuildUser, version.BuildDate = "", "", "", "", ""
	setVersionDefaults()
	_, out, _ := runCLI("version")
	if !strings.Contains(out, "version dev (branch: unknown, revision: unknown)") || !strings.Contains(out, "build user:       unknown") {
		t.Errorf("a plain build's version:\n%s", out)
	}
	version.Version, version.Revision, version.Branch, version.BuildUser, version.BuildDate = "1.2.3", "abc123", "main", "ci@builder", "20260315-14:20:30"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runCLI(args...)
		for _, want := range []string{"version 1.2.3", "branch: main", "revision: abc123", "ci@builder", "20260315-14:20:30", "go version:"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("%v: exit %d, output lacks %q:\n%s", args, code, want, out)
			}
		}
	}
}

// TestDockerfileLdflags builds the binary with the -X flags the Dockerfile
// passes, values substituted, and checks that `version` shows every one: a
// misspelt variable path is silently ignored by the linker.
func TestDockerfileLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	df, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	flags := regexp.MustCompile(`-X (\S+)=\$\{(\w+)\}`).FindAllStringSubmatch(string(df), -1)
	args := map[string]string{"VERSION": "9.8.7", "REVISION": "deadbeef", "BRANCH": "release-9.8",
		"BUILD_USER": "builder@ci", "BUILD_DATE": "20260101-00:00:00"}
	if len(flags) != len(args) {
		t.Fatalf("Dockerfile sets %d -X flags, want one per build arg %v", len(flags), args)
	}
	var ldflags []string
	for _, f := range flags {
		v, ok := args[f[2]]
		if !ok {
			t.Fatalf("Dockerfile uses build arg %s, which this test does not know", f[2])
		}
		ldflags = append(ldflags, "-X "+f[1]+"="+v)
		if !strings.Contains(string(df), "ARG "+f[2]) {
			t.Errorf("Dockerfile uses ${%s} without an ARG line", f[2])
		}
	}
	bin := filepath.Join(t.TempDir(), "slobudget")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-ldflags", strings.Join(ldflags, " "), "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range args {
		if !strings.Contains(string(out), v) {
			t.Errorf("version output lacks %q:\n%s", v, out)
		}
	}
}
