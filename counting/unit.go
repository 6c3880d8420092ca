package counting

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
)

const (
	// loadChunk is the range read per query while loading raw history.
	loadChunk = 24 * HourMs
	// baselineLookback is read before a range so every series has the sample
	// that precedes the range: its increment into the range needs it.
	baselineLookback = HourMs
	// fineSpan is how much recent history stays at full resolution: the
	// 5m, 30m, 1h and 2h windows lie inside it. Longer windows use hourly
	// totals plus their edge hour.
	fineSpan = 3 * HourMs
	// lateDataLimit bounds how far back a cycle reads for samples that
	// arrive late; it stays inside the open hours.
	lateDataLimit = 2 * HourMs
)

// unit is one selector read from the backend, feeding its streams.
type unit struct {
	selector string
	streams  []*Stream
	feeder   feeder
	// counter is true when the selector is a counter whose completed hours
	// a backend may compute (backend.HourlySource).
	counter  bool
	loadedTo int64 // ms; data up to here has been ingested; 0 = nothing yet
	// record notes a bad counter sample (nil for gauges).
	record func(series labels.Labels, t int64, reason string)
	// seen records when the selector had samples (data coverage, no data);
	// nil for units whose coverage nobody asks about.
	seen *sampleRuns
	// excl are the agreed exclusions: an hour one touches is read raw,
	// because the backend's hourly total cannot be split at its edges.
	excl []exclusionSpan
}

// catchUp reads what the unit has not seen yet, up to at, reaching back span
// (the longest window) the first time. The first time, completed hours come
// from the backend as hourly totals when it can compute them, and only the
// last few hours are read raw.
func (u *unit) catchUp(ctx context.Context, src backend.Source, at, span, res int64) error {
	if u.loadedTo >= at {
		return nil
	}
	from := u.loadedTo
	if from == 0 {
		from = at - span - baselineLookback
		u.recordAfter(at - span)
		hs, ok := src.(backend.HourlySource)
		cut := FloorTo(at-fineSpan, HourMs)
		first := CeilTo(at-span, HourMs)
		if ok && u.counter && cut > first {
			switch err := u.loadHourly(ctx, hs, first, cut, res); {
			case err == nil:
				u.streams[0].Seal(cut)
				from = cut - baselineLookback
				u.recordAfter(cut) // earlier bad samples were recorded with their hours
			case errors.Is(err, backend.ErrUnsupported):
				// Read the raw history instead.
			default:
				return err
			}
		}
	} else {
		// Re-read a little before the last read: samples ingested late
		// (after our previous query) with older timestamps are picked up;
		// samples already seen are skipped by the feeders. When the newest
		// sample seen is older than that (remote write, federation and
		// slow pipelines deliver samples minutes late), read from there,
		// or every late sample would fall before the range and be missed.
		//
		// The start is floored to the evaluation grid: reading a little
		// more changes nothing (seen samples are skipped), and every
		// selector whose newest sample is about as old then asks for the
		// same range, which a batching backend joins into one query.
		from -= 2 * res
		if n := u.feeder.newest(); n > 0 {
			from = min(from, max(FloorTo(n-2*res, res), at-lateDataLimit))
		}
		if tf, ok := u.feeder.(*timesliceFeeder); ok {
			tf.keep = at - from // slices in the re-read span stay open
		}
	}
	for from < at {
		to := min(at, from+loadChunk)
		series, err := u.read(ctx, src, from, to)
		if err != nil {
			return err
		}
		u.feeder.ingest(series, to)
		u.loadedTo = to
		from = to
	}
	return nil
}

// loadHourly sets the hourly totals of a counter for the hours ending at
// first, first+1h, ..., last: from the backend where it can compute them,
// from raw samples for the others.
func (u *unit) loadHourly(ctx context.Context, src backend.HourlySource, first, last, res int64) error {
	hours, err := src.HourlyIncreases(ctx, u.selector, time.UnixMilli(first), time.UnixMilli(last))
	if err != nil {
		return err
	}
	s := u.streams[0]
	for h := first; h <= last; h += HourMs {
		if v, ok := hours[h]; ok && !hourTouched(u.excl, h) {
			s.SetHour(h, v.Increase)
			if v.Sampled && u.seen != nil {
				u.seen.addCleanHour(h)
			}
			continue
		}
		buckets, err := u.rawHour(ctx, src, h, res, true)
		if err != nil {
			return err
		}
		for i, st := range u.streams {
			var total float64
			for _, b := range buckets[i] {
				total += b.V
			}
			st.SetHour(h, total)
		}
	}
	return nil
}

// recordAfter makes the unit's feeder record bad samples after t only.
func (u *unit) recordAfter(t int64) {
	if f, ok := u.feeder.(*counterFeeder); ok {
		f.bad, f.recordAfter = u.record, t
	}
}

// rawHour reads the hour ending at end (and the hour before it, for each
// series' preceding sample) and returns its buckets per stream of the unit.
// record says whether bad samples in the hour are new (history read for the
// first time) or were recorded before (a window edge read again).
func (u *unit) rawHour(ctx context.Context, src backend.Source, end, res int64, record bool) ([][]Bucket, error) {
	tmp := make([]*Stream, len(u.streams))
	for i := range tmp {
		tmp[i] = NewStream(res)
	}
	f := u.feeder.fresh(tmp)
	if cf, ok := f.(*counterFeeder); ok && record {
		cf.bad, cf.recordAfter = u.record, end-HourMs
	}
	series, err := u.read(ctx, src, end-HourMs-baselineLookback, end)
	if err != nil {
		return nil, err
	}
	f.ingest(series, end)
	out := make([][]Bucket, len(tmp))
	for i, s := range tmp {
		out[i], _ = s.Detail(end)
	}
	return out, nil
}

// read fetches the unit's raw samples in (from, to]. Bad counter samples
// come back like any other; the counter feeder skips them (see
// counterFeeder), and a NaN gauge is a slice whose condition does not hold,
// as in PromQL.
func (u *unit) read(ctx context.Context, src backend.Source, from, to int64) ([]backend.Series, error) {
	series, err := src.Samples(ctx, u.selector, time.UnixMilli(from), time.UnixMilli(to))
	if err == nil && u.seen != nil {
		u.seen.addSeries(series)
	}
	return series, err
}
