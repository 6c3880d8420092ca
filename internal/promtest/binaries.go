// Package promtest runs the real Prometheus, promtool and Alertmanager binaries
// for end-to-end tests: it finds them, backfills TSDB blocks, starts servers on
// free loopback ports with temporary storage and stops them when the test ends.
//
// It is a normal package so that tests in any package can import it; nothing
// outside tests should.
package promtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Binary names as Debian's packages install them.
const (
	Prometheus   = "prometheus"
	Promtool     = "promtool"
	Alertmanager = "prometheus-alertmanager"
	// VictoriaMetrics and its agents, from Debian's victoria-metrics package.
	VictoriaMetrics = "victoria-metrics"
	VMAgent         = "vmagent"
	VMAlert         = "vmalert"
)

// installHint tells a person how to get the binaries; printed with every skip
// or failure so nobody has to guess.
const installHint = "install with: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager victoria-metrics (or run scripts/test.sh)"

// Find returns the absolute path of a binary, looking in PATH first and then
// in /usr/bin, where Debian puts it even when PATH was trimmed by a test runner.
func Find(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs, true
		}
		return p, true
	}
	p := filepath.Join("/usr/bin", name)
	if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
		return p, true
	}
	return "", false
}

// Strict reports whether a missing binary must fail the test instead of
// skipping it: in CI, or when the developer asked for the full suite.
func Strict() bool {
	return strings.EqualFold(os.Getenv("CI"), "true") ||
		strings.EqualFold(os.Getenv("SLOBUDGET_E2E"), "require")
}

// Require returns the path of a binary. When it is missing the test is skipped
// locally, but fails when Strict() holds: a CI run without Prometheus must not
// pass by testing nothing.
func Require(t testing.TB, name string) string {
	t.Helper()
	p, ok := Find(name)
	if ok {
		return p
	}
	msg := name + " not found in PATH or /usr/bin; " + installHint
	if Strict() {
		t.Fatalf("%s (CI=true or SLOBUDGET_E2E=require: end-to-end tests may not be skipped)", msg)
	}
	t.Skipf("skipping end-to-end test: %s", msg)
	return ""
}
