package counting

import (
	"fmt"
	"math"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/backend"
)

// histogramFeeder counts a native histogram's observations: total is the
// histogram's count, good the observations at or below the threshold (the
// sum of the buckets whose upper bound is at or below it). Both are
// counters of one sample, and follow the counter rules of counterFeeder: a
// series' first sample is its baseline; a drop is a reset, after which the
// sample's own values are the events since the reset; a bad count (NaN,
// ±Inf, negative) ends the series' run.
//
// A drop of the total, of the good or of the bad observations (total −
// good) is a reset: any of them can only fall when the histogram restarted.
//
// The good count is exact only when no bucket holds observations on both
// sides of the threshold. When one does, or when the threshold is not a
// bucket boundary of the histogram's schema, the feeder records an error
// that names the nearest boundaries; the Counter returns it, and the SLO
// is not evaluated (no invented share of a bucket).
type histogramFeeder struct {
	threshold   float64
	good, total *Stream
	cursors     map[uint64]histCursor
	err         error
}

type histCursor struct {
	ts          int64
	count, good float64
	run         bool
}

func newHistogramFeeder(threshold float64, good, total *Stream) *histogramFeeder {
	return &histogramFeeder{threshold: threshold, good: good, total: total, cursors: map[uint64]histCursor{}}
}

func (f *histogramFeeder) fresh(out []*Stream) feeder {
	return newHistogramFeeder(f.threshold, out[0], out[1])
}

func (f *histogramFeeder) newest() int64 {
	var t int64
	for _, c := range f.cursors {
		t = max(t, c.ts)
	}
	return t
}

func (f *histogramFeeder) prune(before int64) {
	for id, c := range f.cursors {
		if c.ts < before {
			delete(f.cursors, id)
		}
	}
}

func (f *histogramFeeder) ingest(series []backend.Series, upTo int64) {
	for _, s := range series {
		id := s.Labels.Hash()
		cur, seen := f.cursors[id]
		for _, hs := range s.Histograms {
			if hs.T > upTo {
				break
			}
			if (seen && hs.T <= cur.ts) || hs.H == nil {
				continue
			}
			count := float64(hs.H.Count)
			good, err := GoodObservations(hs.H, f.threshold)
			if err != nil && f.err == nil {
				f.err = fmt.Errorf("%s: %w", s.Labels, err)
			}
			if err != nil || badReason(count) != "" || badReason(good) != "" {
				cur, seen = histCursor{ts: hs.T}, true
				continue
			}
			if cur.run {
				dc, dg := count-cur.count, good-cur.good
				if dc < 0 || dg < 0 || dc-dg < 0 {
					dc, dg = count, good // a reset: events since the restart
				}
				f.total.Add(hs.T, dc)
				f.good.Add(hs.T, dg)
			}
			cur, seen = histCursor{ts: hs.T, count: count, good: good, run: true}, true
		}
		if seen {
			f.cursors[id] = cur
		}
	}
}

// GoodObservations returns how many of the histogram's observations are at
// or below threshold, or an error when that is not exact: a bucket with
// observations on both sides of it, or a threshold that is not a bucket
// boundary of the schema the buckets show.
func GoodObservations(h *model.SampleHistogram, threshold float64) (float64, error) {
	var good float64
	for _, b := range h.Buckets {
		lo, up, n := float64(b.Lower), float64(b.Upper), float64(b.Count)
		leftClosed := b.Boundaries == 1 || b.Boundaries == 3
		switch {
		case up <= threshold:
			good += n
		case lo > threshold || (lo == threshold && !leftClosed):
		case n == 0:
		default:
			return 0, fmt.Errorf("threshold %g is not a bucket boundary of the native histogram: its bucket %s holds observations on both sides; use %s",
				threshold, bucketText(b), nearestText(lo, up))
		}
	}
	if s, ok := schemaOf(h); ok {
		if lo, up, boundary := schemaBoundaries(s, threshold); !boundary {
			return 0, fmt.Errorf("threshold %g is not a bucket boundary of the native histogram's schema %d; use %s",
				threshold, s, nearestText(lo, up))
		}
	}
	return good, nil
}

// schemaOf infers the exponential schema from a positive bucket: its upper
// bound is its lower bound times 2^(2^-schema).
func schemaOf(h *model.SampleHistogram) (int, bool) {
	for _, b := range h.Buckets {
		lo, up := float64(b.Lower), float64(b.Upper)
		if b.Boundaries != 0 || lo <= 0 || up <= lo {
			continue
		}
		s := -math.Log2(math.Log2(up / lo))
		r := math.Round(s)
		if math.Abs(s-r) > 1e-6 || r < -4 || r > 8 {
			return 0, false // not a standard exponential schema
		}
		return int(r), true
	}
	return 0, false
}

// schemaBoundaries returns the boundaries of schema s around t, and whether
// t is one of them (to 1e-9 relative: the API prints boundaries in
// decimal).
func schemaBoundaries(s int, t float64) (lo, up float64, boundary bool) {
	scale := math.Ldexp(1, s) // 2^s buckets per power of two
	i := math.Log2(t) * scale
	r := math.Round(i)
	if math.Abs(math.Exp2(r/scale)-t) <= 1e-9*t {
		return t, t, true
	}
	return math.Exp2(math.Floor(i) / scale), math.Exp2(math.Ceil(i) / scale), false
}

func bucketText(b *model.HistogramBucket) string {
	open, closeB := "(", "]"
	switch b.Boundaries {
	case 1:
		open, closeB = "[", ")"
	case 2:
		open, closeB = "(", ")"
	case 3:
		open, closeB = "[", "]"
	}
	return fmt.Sprintf("%s%g, %g%s", open, float64(b.Lower), float64(b.Upper), closeB)
}

func nearestText(lo, up float64) string {
	return fmt.Sprintf("the nearest boundaries %s or %s", fmtBoundary(lo), fmtBoundary(up))
}

func fmtBoundary(v float64) string { return fmt.Sprintf("%g", v) }

// failure returns the first error the feeder recorded. It stays: the
// threshold does not fit the data, and only a new definition (a new
// Counter) can fix that.
func (f *histogramFeeder) failure() error { return f.err }
