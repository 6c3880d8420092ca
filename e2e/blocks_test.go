package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/internal/synth"
)

// TestScaleBlocksLoadInPrometheus checks that blocks written by the TSDB
// library this module builds with (synth.WriteBlocks, for benchmarks) load
// in the older Prometheus the tests run: every series with every sample.
func TestScaleBlocksLoadInPrometheus(t *testing.T) {
	promtest.Require(t, promtest.Prometheus)
	const nSLOs, days = 5, 2
	dir := filepath.Join(t.TempDir(), "tsdb")
	if err := synth.WriteBlocks(dir, nSLOs, days, evalAt); err != nil {
		t.Fatal(err)
	}
	p := promtest.StartPrometheus(t, promtest.Options{DataDir: dir})
	at := evalAt.Truncate(time.Minute)
	expr := fmt.Sprintf("count_over_time(http_requests_total[%dh])", days*24)
	v := p.Query(t, expr, at)
	if len(v) != 2*nSLOs {
		t.Fatalf("%s: %d series, want %d", expr, len(v), 2*nSLOs)
	}
	for _, s := range v {
		// Prometheus 2.x also selects the sample exactly at the range's
		// start (days×1440 + 1); 3.x does not.
		if n := float64(days * 24 * 60); s.Value != n+1 && s.Value != n {
			t.Errorf("%s%s = %g samples, want %g (or %g on Prometheus 3)", expr, s.LabelString(), s.Value, n+1, n)
		}
	}
}
