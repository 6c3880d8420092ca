package e2e

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
)

// TestStateFileRestart starts the daemon with --storage.path on the fixture
// in a real Prometheus, three hours before the data's end; then "restarts"
// it (a new daemon on the same directory) at the end. The restart serves
// the month's completed hours from the file, asks Prometheus only for the
// hours since and for spot-checks, and every figure still equals the
// truth. A file whose spot-checked hours disagree with Prometheus is
// dropped selector by selector, and a damaged file is ignored; both still
// give the truth.
func TestStateFileRestart(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	dir := t.TempDir()
	start := func(at time.Time) (*exporter.Daemon, time.Duration) {
		t.Helper()
		d, err := exporter.NewDaemon(exporter.DaemonOptions{
			ConfigFiles: []string{f.configYML},
			Backend:     backend.Options{URL: p.URL, Timeout: time.Minute, Concurrency: 4},
			Step:        30 * time.Second, Logger: zap.NewNop(), StoragePath: dir,
		})
		if err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		if failed := d.Engine.EvaluateAt(context.Background(), at); failed != 0 {
			for _, r := range d.Engine.Results() {
				if r.Error != "" {
					t.Logf("%s: %s", r.Name, r.Error)
				}
			}
			t.Fatalf("%d SLOs failed", failed)
		}
		took := time.Since(began)
		if err := d.FlushState(); err != nil {
			t.Fatal(err)
		}
		return d, took
	}
	check := func(d *exporter.Daemon, at time.Time) {
		t.Helper()
		expected, err := f.data.Expected(at)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(d.Engine.Results())
		var got []reportedSLO
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		compareReport(t, expected, f.data.ExpectedForecasts(at), got)
	}

	first := evalAt.Add(-3 * time.Hour)
	cold, coldTook := start(first)
	check(cold, first)
	cs := cold.StateStats()
	// Only selectors that several SLOs share are served from the file on
	// the cold start (the second SLO finds the first one's hours).
	if cs.Queried == 0 || cs.Served > cs.Queried/10 {
		t.Fatalf("cold start: %+v, want (almost) every hour queried", cs)
	}
	if _, err := os.Stat(filepath.Join(dir, backend.StateFileName)); err != nil {
		t.Fatalf("no state file after the cold start: %v", err)
	}

	warm, warmTook := start(evalAt)
	check(warm, evalAt)
	ws := warm.StateStats()
	// The windows moved three hours: three new hours per selector read,
	// the rest served from the file after a spot-check a day apart.
	if ws.Discarded != 0 || ws.Served == 0 || ws.Queried > cs.Queried/20 || ws.SpotChecked > cs.Queried/20 {
		t.Errorf("warm start: %+v (cold %+v): want most hours served from the file", ws, cs)
	}
	t.Logf("cold start %s, %+v; warm start %s, %+v", coldTook.Round(time.Millisecond), cs, warmTook.Round(time.Millisecond), ws)

	// Rewrite the newest stored hour of every selector: the spot-checks
	// must catch it, drop those selectors' hours and read them again.
	path := filepath.Join(dir, backend.StateFileName)
	var sf struct {
		Version   int
		Backend   string
		Selectors map[string]*struct {
			Hours map[int64]backend.Hour
			Raw   map[int64]bool
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&sf); err != nil {
		t.Fatal(err)
	}
	for _, s := range sf.Selectors {
		newest := int64(0)
		for h := range s.Hours {
			newest = max(newest, h)
		}
		if newest > 0 {
			h := s.Hours[newest]
			h.Increase += 1
			s.Hours[newest] = h
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(sf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tampered, _ := start(evalAt)
	check(tampered, evalAt)
	if ts := tampered.StateStats(); ts.Discarded == 0 || ts.Queried < cs.Queried/2 {
		t.Errorf("tampered file: %+v, want its selectors dropped and read again", ts)
	}

	// A damaged file is ignored.
	if err := os.WriteFile(path, []byte("not a state file"), 0o644); err != nil {
		t.Fatal(err)
	}
	damaged, _ := start(evalAt)
	check(damaged, evalAt)
	if ds := damaged.StateStats(); ds.Served > ds.Queried/10 {
		t.Errorf("damaged file: %+v, want nothing served from it", ds)
	}
}
