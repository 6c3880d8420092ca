// Package memlimit keeps the Go runtime's soft memory limit proportional to
// the daemon's live heap, so its RSS follows the number of SLOs it holds
// without anyone picking a figure for each deployment.
//
// Why not GOGC alone: with the default GOGC=100 the heap may grow to twice the
// live data before a collection, and the memory a burst of start-up reads took
// goes back to the OS only slowly; at 10,000 SLOs that is 965 MiB of RSS for
// about 250 MiB of live data. A soft limit a little above the live heap makes
// the collector run earlier and the scavenger return pages eagerly, and
// because the limit is re-derived from the live heap every few seconds, a
// daemon with more SLOs gets a higher limit instead of collecting constantly
// under a fixed one. The runtime caps the collector's share of the CPU under
// a soft limit (about half), and the limit never fails an allocation.
package memlimit

import (
	"context"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Auto is the policy of `--memory.limit=auto`.
type Auto struct {
	// Ratio is the limit as a multiple of the live heap (the bytes the last
	// collection found reachable).
	Ratio float64
	// Floor is the lowest limit set: a small daemon's heap is mostly
	// transient read buffers, and collecting them constantly buys nothing.
	Floor int64
	// Every is how often the live heap is re-read.
	Every time.Duration
}

// DefaultAuto is measured, not guessed: docs/benchmarks.md, "Where the
// daemon's memory goes", found a fixed limit of about 1.3 times the live heap
// kept 10,000 SLOs under 400 MiB of RSS for about 5% more cycle time; 1.4
// leaves room for a cycle's read buffers on top.
var DefaultAuto = Auto{Ratio: 1.4, Floor: 64 << 20, Every: 2 * time.Second}

const liveHeapMetric = "/gc/heap/live:bytes"

// LiveHeap is the heap the last completed collection found reachable
// (objects only, as runtime/metrics defines it); 0 before the first one.
func LiveHeap() int64 {
	s := []metrics.Sample{{Name: liveHeapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	v := s[0].Value.Uint64()
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// Limit is the soft limit the policy derives from a live heap.
func (a Auto) Limit(live int64) int64 {
	l := float64(live) * a.Ratio
	if l >= math.MaxInt64 {
		return math.MaxInt64
	}
	if int64(l) < a.Floor {
		return a.Floor
	}
	return int64(l)
}

// Apply sets the soft limit from the current live heap once and returns it.
func (a Auto) Apply() int64 {
	limit := a.Limit(LiveHeap())
	debug.SetMemoryLimit(limit)
	return limit
}

// Follow applies the policy once start is closed (a nil start: at once) and
// then every a.Every until ctx ends, when it restores the limit that was in
// force before.
//
// Until start, the limit in force before stays (Go's GOGC alone, unless the
// caller set one): the daemon closes start when its first full evaluation
// is done. A start-up's heap grows from nothing to its steady size within
// seconds, and a limit derived from a live heap read up to a.Every earlier
// (64 MiB before the first collection) lies below the heap already
// reachable, so the collector runs back to back, up to the half of the CPU
// the runtime allows it: a warm restart of 2,000 SLOs took 5.2-7.5 s of the
// daemon's CPU under the limit and 1.8 s without it (docs/benchmarks.md).
// Once the start-up is done the limit applies, and the scavenger returns
// what the start-up's heap took above it.
func (a Auto) Follow(ctx context.Context, start <-chan struct{}) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	if start != nil {
		select {
		case <-ctx.Done():
			return
		case <-start:
		}
	}
	tick := time.NewTicker(a.Every)
	defer tick.Stop()
	for {
		a.Apply()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
