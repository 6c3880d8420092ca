package exporter

import (
	"github.com/prometheus/common/model"
)

// seriesCursor remembers the last sample seen of one counter series, so the
// next sample's increment can be computed without reading older data again.
type seriesCursor struct {
	ts int64 // ms
	v  float64
}

// counterState turns raw counter samples into increments. A drop in value is
// a counter reset: the counter restarted from zero, so the new value is the
// number of events since the reset. A series' first sample is its baseline
// (the same rule Prometheus's increase() applies): its value is not counted.
type counterState struct {
	cursors map[model.Fingerprint]seriesCursor
}

func newCounterState() *counterState {
	return &counterState{cursors: map[model.Fingerprint]seriesCursor{}}
}

// feed processes the samples of one series in time order, calling emit for
// every increment. Samples at or before the series' cursor were seen before
// and are skipped, so overlapping queries never double count.
func (c *counterState) feed(fp model.Fingerprint, samples []model.SamplePair, emit func(ts int64, v float64)) {
	cur, seen := c.cursors[fp]
	for _, s := range samples {
		ts, v := int64(s.Timestamp), float64(s.Value)
		if seen && ts <= cur.ts {
			continue
		}
		if seen {
			inc := v - cur.v
			if v < cur.v {
				inc = v
			}
			emit(ts, inc)
		}
		cur, seen = seriesCursor{ts: ts, v: v}, true
	}
	if seen {
		c.cursors[fp] = cur
	}
}

// prune forgets series not seen since before.
func (c *counterState) prune(before int64) {
	for fp, cur := range c.cursors {
		if cur.ts < before {
			delete(c.cursors, fp)
		}
	}
}

// latest returns the newest sample timestamp over all series, or 0.
func (c *counterState) latest() int64 {
	var t int64
	for _, cur := range c.cursors {
		t = max(t, cur.ts)
	}
	return t
}
