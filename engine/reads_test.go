package engine

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
)

// countingSource counts the raw reads of each selector.
type countingSource struct {
	backend.Source
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingSource) Samples(ctx context.Context, sel string, from, to time.Time) ([]backend.Series, error) {
	c.mu.Lock()
	c.reads[sel]++
	c.mu.Unlock()
	return c.Source.Samples(ctx, sel, from, to)
}

func (c *countingSource) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reads
	c.reads = map[string]int{}
	return r
}

// TestSteadyCycleReadsEachSelectorOnce: once started, the serving loop's
// evaluation reads each selector once per cycle (what is new since the last
// one); the incident ledger's past, read within the cycle before, is read
// between cycles (readPast), and the ledger ends up with the same incidents
// as when it is read within the cycles.
func TestSteadyCycleReadsEachSelectorOnce(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, _ := reloadStore(end + 2*3600_000)
	src := &countingSource{Source: store, reads: map[string]int{}}
	apart, err := New(loadConfig(t, reloadBase), Options{Source: src, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	apart.apart.Store(true)
	within, err := New(loadConfig(t, reloadBase), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const cycles = 20 // a 7d window's past at 12 hours a cycle: 14
	for i := 0; i < cycles; i++ {
		at := time.UnixMilli(end + int64(i)*30_000)
		if n := apart.EvaluateAt(ctx, at); n != 0 {
			t.Fatalf("cycle %d: %d SLOs failed", i, n)
		}
		reads := src.take()
		if i > 0 {
			for _, sel := range []string{"total", "errors_a"} {
				if reads[sel] != 1 {
					t.Errorf("cycle %d: %d raw reads of %s, want 1 (%v)", i, reads[sel], sel, reads)
				}
			}
		}
		if pending, failed := apart.readPast(ctx); failed != 0 || (i >= 14 && pending != 0) {
			t.Fatalf("cycle %d: reading the past: %d pending, %d failed", i, pending, failed)
		}
		src.take()
		within.EvaluateAt(ctx, at)
	}
	la, lw := apart.states["api"].incidents, within.states["api"].incidents
	if la.from != lw.from || la.counts.len() != lw.counts.len() || string(la.counts.buf) != string(lw.counts.buf) {
		t.Fatalf("ledger read apart (%d, %d buckets), within the cycles (%d, %d buckets), or their counts differ", la.from, la.counts.len(), lw.from, lw.counts.len())
	}
	a, _ := apart.Result("api")
	w, _ := within.Result("api")
	if a.Incidents == nil || !a.Incidents.Complete || !reflect.DeepEqual(a.Incidents, w.Incidents) {
		t.Fatalf("incidents read apart %+v, within the cycles %+v", a.Incidents, w.Incidents)
	}
}
