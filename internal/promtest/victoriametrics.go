package promtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// VMOptions configure StartVictoriaMetrics. Every field is optional.
type VMOptions struct {
	// DataDir is -storageDataPath. Default: a fresh temporary directory.
	DataDir string
	// Retention is -retentionPeriod. Default "5y", for the same reason as
	// Prometheus's: imported history must not be deleted at start-up.
	Retention string
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// StartVictoriaMetrics starts single-node VictoriaMetrics on 127.0.0.1 and a
// free port and waits until it is ready. Its Prometheus-compatible API is at
// URL (URL+"/api/v1/query"), import at URL+"/api/v1/import/prometheus" and
// remote write at URL+"/api/v1/write".
//
// -search.latencyOffset is 0 unless ExtraArgs set it: the default 30s hides
// the newest samples from queries, which tests of exact counts do not want
// (production should keep the default; see docs).
func StartVictoriaMetrics(t testing.TB, opt VMOptions) *Instance {
	t.Helper()
	bin := Require(t, VictoriaMetrics)
	if opt.DataDir == "" {
		opt.DataDir = filepath.Join(t.TempDir(), "vmdata")
	}
	if opt.Retention == "" {
		opt.Retention = "5y"
	}
	s, url := startServer(t, "victoria-metrics", bin, func(port int) []string {
		args := []string{
			"-storageDataPath=" + opt.DataDir,
			"-retentionPeriod=" + opt.Retention,
			fmt.Sprintf("-httpListenAddr=127.0.0.1:%d", port),
			"-search.latencyOffset=0s",
			"-search.disableCache",
		}
		return append(args, opt.ExtraArgs...)
	})
	return &Instance{URL: url, s: s}
}

// StartVMAgent starts vmagent scraping with scrapeConfigYAML (a prometheus.yml
// with scrape_configs) and remote-writing to remoteWriteURL (for example
// vm.URL+"/api/v1/write"). vmagent writes staleness markers when a target
// goes away, as Prometheus's remote write does.
func StartVMAgent(t testing.TB, scrapeConfigYAML, remoteWriteURL string, extraArgs ...string) *Instance {
	t.Helper()
	bin := Require(t, VMAgent)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "scrape.yml")
	if err := os.WriteFile(cfgPath, []byte(scrapeConfigYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	s, url := startServerReady(t, "vmagent", bin, "/health", func(port int) []string {
		args := []string{
			"-promscrape.config=" + cfgPath,
			"-remoteWrite.url=" + remoteWriteURL,
			"-remoteWrite.tmpDataPath=" + filepath.Join(dir, "buffer"),
			fmt.Sprintf("-httpListenAddr=127.0.0.1:%d", port),
		}
		return append(args, extraArgs...)
	})
	return &Instance{URL: url, s: s}
}

// StartVMAlert starts vmalert evaluating ruleFiles against datasourceURL and
// writing recorded series and ALERTS to remoteWriteURL (both usually the
// VictoriaMetrics URL; remote write gets "/api/v1/write" appended by vmalert
// itself only when given a bare URL, so pass the bare base URL).
func StartVMAlert(t testing.TB, ruleFiles []string, datasourceURL, remoteWriteURL string, extraArgs ...string) *Instance {
	t.Helper()
	bin := Require(t, VMAlert)
	s, url := startServerReady(t, "vmalert", bin, "/health", func(port int) []string {
		args := []string{
			"-datasource.url=" + datasourceURL,
			"-remoteWrite.url=" + remoteWriteURL,
			"-remoteRead.url=" + datasourceURL,
			"-evaluationInterval=1s",
			fmt.Sprintf("-httpListenAddr=127.0.0.1:%d", port),
		}
		for _, f := range ruleFiles {
			abs, err := filepath.Abs(f)
			if err != nil {
				t.Fatalf("rule file %s: %v", f, err)
			}
			args = append(args, "-rule="+abs)
		}
		return append(args, extraArgs...)
	})
	return &Instance{URL: url, s: s}
}
