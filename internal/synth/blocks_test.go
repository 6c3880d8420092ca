package synth

import (
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb"
	"gopkg.in/yaml.v3"
)

// TestWriteBlocksReadBack writes a small scale data set and reads it back
// through the TSDB library: every series, every minute, counters never
// decreasing.
func TestWriteBlocksReadBack(t *testing.T) {
	dir := t.TempDir()
	end := testNow
	const nSLOs, days = 3, 2
	if err := WriteBlocks(dir, nSLOs, days, end); err != nil {
		t.Fatal(err)
	}
	// A read-only DB insists on a WAL directory; the writer makes none.
	if err := os.Mkdir(filepath.Join(dir, "wal"), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := tsdb.OpenDBReadOnly(dir, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := db.Querier(math.MinInt64, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	set := q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", requestsMetric))
	nSeries := 0
	for set.Next() {
		nSeries++
		s := set.At()
		it := s.Iterator(nil)
		n, prev, first, last := 0, -1.0, int64(0), int64(0)
		for it.Next() != 0 {
			ts, v := it.At()
			if n == 0 {
				first = ts
			}
			if v < prev {
				t.Fatalf("%s decreases at %d", s.Labels(), ts)
			}
			prev, last = v, ts
			n++
		}
		if want := days*24*60 + 1; n != want {
			t.Errorf("%s: %d samples, want %d", s.Labels(), n, want)
		}
		if last != end.Truncate(time.Minute).UnixMilli() || first != end.Truncate(time.Minute).Add(-days*24*time.Hour).UnixMilli() {
			t.Errorf("%s: spans %d..%d", s.Labels(), first, last)
		}
	}
	if err := set.Err(); err != nil {
		t.Fatal(err)
	}
	if nSeries != 2*nSLOs {
		t.Fatalf("%d series, want %d", nSeries, 2*nSLOs)
	}
	var cfg struct {
		SLOs []map[string]any `yaml:"slos"`
	}
	if err := yaml.Unmarshal(ScaleConfigYAML(nSLOs), &cfg); err != nil || len(cfg.SLOs) != nSLOs {
		t.Fatalf("scale config: %v, %d SLOs", err, len(cfg.SLOs))
	}
}
