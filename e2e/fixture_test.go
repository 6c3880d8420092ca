package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/internal/synth"
)

// evalAt is the fixed evaluation instant of the end-to-end data. A fixed
// date keeps the scenarios' clock-dependent parts (peak vs night traffic)
// where synth's unit tests pinned them; retention counts back from the
// newest sample, not from the wall clock, so a past date is fine. It is off
// the minute grid (hh:mm:30) so no window edge falls on a sample.
var evalAt = time.Date(2026, 3, 15, 14, 20, 30, 0, time.UTC)

// fixture is generated and backfilled once per package run; each test gets
// its own copy of the blocks, since one TSDB directory serves one Prometheus.
type fixture struct {
	data      *synth.Data
	tsdbDir   string
	configYML string
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
	workDir string
)

func TestMain(m *testing.M) {
	var err error
	workDir, err = os.MkdirTemp("", "slobudget-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(workDir)
	os.Exit(code)
}

// sharedFixture generates the data set, writes it as OpenMetrics and
// backfills it with the real promtool, once.
func sharedFixture(t *testing.T) *fixture {
	t.Helper()
	promtest.Require(t, promtest.Promtool)
	promtest.Require(t, promtest.Prometheus)
	fixOnce.Do(func() {
		start := time.Now()
		d, err := synth.Generate(synth.Options{Now: evalAt})
		if err != nil {
			fixErr = err
			return
		}
		om := filepath.Join(workDir, "data.om")
		if err := d.WriteOpenMetricsFile(om); err != nil {
			fixErr = err
			return
		}
		f := &fixture{data: d, tsdbDir: filepath.Join(workDir, "tsdb"), configYML: filepath.Join(workDir, "slos.yml")}
		if err := os.WriteFile(f.configYML, d.ConfigYAML(), 0o644); err != nil {
			fixErr = err
			return
		}
		promtest.Backfill(t, om, f.tsdbDir)
		// The text file is 100+ MB and no longer needed.
		os.Remove(om)
		t.Logf("fixture: %d series, %s .. %s, ready in %s", len(d.AllSeries()), d.Start, d.End, time.Since(start).Round(time.Millisecond))
		fix = f
	})
	if fixErr != nil {
		t.Fatalf("building the e2e fixture: %v", fixErr)
	}
	if fix == nil {
		t.Fatal("the e2e fixture failed in an earlier test")
	}
	return fix
}

// startPrometheus serves a private copy of the backfilled blocks.
func (f *fixture) startPrometheus(t *testing.T) *promtest.Instance {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tsdb")
	if err := copyDir(f.tsdbDir, dir); err != nil {
		t.Fatalf("copying the backfilled blocks: %v", err)
	}
	return promtest.StartPrometheus(t, promtest.Options{DataDir: dir})
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
