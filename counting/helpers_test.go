package counting

import (
	"context"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

const (
	day  = 24 * HourMs
	step = int64(30_000)
)

// windowsOf returns the window set of an SLO with the given window length.
func windowsOf(window time.Duration) []time.Duration {
	def := &slo.SLO{Window: slo.Window{Duration: window}}
	return def.Windows()
}

func newCounter(t *testing.T, sli slo.SLI, window time.Duration, resMs int64) *Counter {
	t.Helper()
	c, err := New(sli, Options{Resolution: time.Duration(resMs) * time.Millisecond, Windows: windowsOf(window), PrefetchAt: 20 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func eventsSLI(errors, total string) slo.SLI {
	return slo.SLI{Events: &slo.EventsSLI{Errors: errors, Total: total}}
}

// countAll advances c to at and counts every window of the set.
func countAll(t *testing.T, c *Counter, src backend.Source, at int64, windows []time.Duration) map[time.Duration]slo.Counts {
	t.Helper()
	ctx := context.Background()
	if err := c.Advance(ctx, src, time.UnixMilli(at)); err != nil {
		t.Fatalf("at %s: %v", time.UnixMilli(at).UTC(), err)
	}
	out := map[time.Duration]slo.Counts{}
	for _, w := range windows {
		got, err := c.Count(ctx, src, time.UnixMilli(at).Add(-w), time.UnixMilli(at))
		if err != nil {
			t.Fatalf("at %s, window %s: %v", time.UnixMilli(at).UTC(), w, err)
		}
		out[w] = got
	}
	return out
}
