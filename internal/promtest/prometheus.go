package promtest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Options configure StartPrometheus. Every field is optional.
type Options struct {
	// DataDir is the TSDB directory, e.g. one filled by Backfill. Default: a
	// fresh temporary directory.
	DataDir string
	// ConfigYAML is prometheus.yml. Default: no scrape jobs and rules
	// evaluated every second, so rule tests do not wait a minute.
	ConfigYAML string
	// RuleFiles are appended to the config's rule_files; ConfigYAML must not
	// have its own rule_files then.
	RuleFiles []string
	// Retention is --storage.tsdb.retention.time. Default "400d": retention
	// counts back from the newest sample, and with Prometheus's 15d default the
	// older half of a 30-day backfill is deleted at start-up without an error.
	Retention string
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// DefaultPrometheusConfig evaluates rules every second and scrapes nothing.
const DefaultPrometheusConfig = "global:\n  evaluation_interval: 1s\n"

// Instance is a running server.
type Instance struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234, without trailing slash.
	URL string
	s   *server
}

// Log returns everything the server printed so far.
func (i *Instance) Log() string { return i.s.log.String() }

// StartPrometheus starts the real Prometheus on 127.0.0.1 and a free port and
// waits until it is ready. It is stopped, and its log printed if the test
// failed, by t.Cleanup.
func StartPrometheus(t testing.TB, opt Options) *Instance {
	t.Helper()
	bin := Require(t, Prometheus)
	dir := t.TempDir()
	if opt.DataDir == "" {
		opt.DataDir = filepath.Join(dir, "data")
	}
	if opt.Retention == "" {
		opt.Retention = "400d"
	}
	cfg := opt.ConfigYAML
	if cfg == "" {
		cfg = DefaultPrometheusConfig
	}
	if len(opt.RuleFiles) > 0 {
		if strings.Contains(cfg, "rule_files:") {
			t.Fatalf("promtest.Options: give rule files either in ConfigYAML or in RuleFiles, not both")
		}
		var b strings.Builder
		b.WriteString(strings.TrimRight(cfg, "\n"))
		b.WriteString("\nrule_files:\n")
		for _, f := range opt.RuleFiles {
			abs, err := filepath.Abs(f)
			if err != nil {
				t.Fatalf("rule file %s: %v", f, err)
			}
			fmt.Fprintf(&b, "  - %q\n", abs)
		}
		cfg = b.String()
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	s, url := startServer(t, "prometheus", bin, func(port int) []string {
		args := []string{
			"--config.file=" + cfgPath,
			"--storage.tsdb.path=" + opt.DataDir,
			"--storage.tsdb.retention.time=" + opt.Retention,
			fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
			// The default of one minute makes the first webhook arrive a
			// minute late; tests would wait for nothing.
			"--rules.alert.resend-delay=1s",
			"--web.enable-lifecycle",
		}
		return append(args, opt.ExtraArgs...)
	})
	return &Instance{URL: url, s: s}
}

// StartAlertmanager starts the real Alertmanager with configYAML on 127.0.0.1
// and a free port, clustering off, and waits until it is ready.
func StartAlertmanager(t testing.TB, configYAML string) *Instance {
	t.Helper()
	bin := Require(t, Alertmanager)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfgPath, []byte(configYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	s, url := startServer(t, "alertmanager", bin, func(port int) []string {
		return []string{
			"--config.file=" + cfgPath,
			"--storage.path=" + filepath.Join(dir, "data"),
			fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
			// An empty address turns gossip off; otherwise parallel tests
			// fight over port 9094 and form clusters with each other.
			"--cluster.listen-address=",
		}
	})
	return &Instance{URL: url, s: s}
}

// Quit asks a server started with --web.enable-lifecycle (every Prometheus
// here) to shut down and waits until its process has exited. Its HTTP
// listener closes first, while the TSDB is still being closed and its lock
// file held: a Prometheus started on the same data directory before the
// exit fails to lock it, and blocks moved in meanwhile race the old
// process. So "no longer answers" is not enough; the process's exit is.
func (i *Instance) Quit(t testing.TB, timeout time.Duration) {
	t.Helper()
	resp, err := http.Post(i.URL+"/-/quit", "", nil)
	if err != nil {
		t.Fatalf("%s: POST /-/quit: %v", i.s.name, err)
	}
	resp.Body.Close()
	select {
	case <-i.s.done:
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %s of /-/quit\n--- %s output ---\n%s", i.s.name, timeout, i.s.name, i.s.log.String())
	}
}
