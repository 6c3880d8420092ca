package e2e

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// TestBackfilledTruth proves the data the other tests stand on is complete
// in the real Prometheus: for every generated series, the first and last
// samples have the generator's values (so retention deleted nothing and the
// timestamps were read as seconds), the number of samples is the number
// written (nothing dropped as out of order, gaps where they belong), and the
// counter reset is visible.
func TestBackfilledTruth(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	d := f.data
	for _, s := range d.AllSeries() {
		sel := s.Selector()
		firstAt, firstVal := s.First()
		lastAt, lastVal := s.Final()
		for _, c := range []struct {
			what string
			at   time.Time
			want float64
		}{{"first sample", firstAt, firstVal}, {"last sample", lastAt, lastVal}} {
			v := p.Query(t, sel, c.at)
			if len(v) != 1 || !sameFloat(v[0].Value, c.want) {
				t.Errorf("%s: %s at %s: Prometheus has %v, generator wrote %g", sel, c.what, c.at.Format(time.RFC3339), v, c.want)
			}
		}
		written := 0
		_ = s.Samples(func(time.Time, float64) { written++ })
		// The range reaches a day before the data and ends at the evaluation
		// instant, so it covers every sample.
		span := d.Now.Sub(d.Start) + 24*time.Hour
		expr := fmt.Sprintf("count_over_time(%s[%ds])", sel, int(span.Seconds()))
		v := p.Query(t, expr, d.Now)
		if len(v) != 1 || v[0].Value != float64(written) {
			t.Errorf("%s: Prometheus holds %v samples, generator wrote %d", expr, v, written)
		}
	}
	for _, s := range d.Scenario("counter-reset").Series {
		expr := fmt.Sprintf("resets(%s[%ds])", s.Selector(), int((32 * 24 * time.Hour).Seconds()))
		if v := p.Query(t, expr, d.Now); len(v) != 1 || v[0].Value != 1 {
			t.Errorf("%s = %v, want 1 reset", expr, v)
		}
	}
}

func sameFloat(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}
