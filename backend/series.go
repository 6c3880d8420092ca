package backend

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// Sample is one raw float sample: T in milliseconds since the Unix epoch.
type Sample struct {
	T int64
	V float64
}

// HistogramSample is one raw native histogram sample.
type HistogramSample struct {
	T int64
	H *model.SampleHistogram
}

// Series is the raw samples of one series in time order. Float samples and
// native histogram samples are kept apart, as Prometheus returns them:
// callers that count floats read Floats and are not affected when a backend
// also returns histograms.
type Series struct {
	Labels     labels.Labels
	Floats     []Sample
	Histograms []HistogramSample
}

// Source answers the counting code's one question.
type Source interface {
	// Samples returns the raw samples of every series the selector matches
	// with timestamps t such that from < t <= to. Series without samples in
	// the interval are left out. The selector is a plain PromQL vector
	// selector (validated by the config).
	Samples(ctx context.Context, selector string, from, to time.Time) ([]Series, error)
}

// HourlySource is a Source that can also compute counter increases per
// completed hour itself.
type HourlySource interface {
	Source
	// HourlyIncreases returns, keyed by hour end (ms), the events a counter
	// selector revealed in the hours ending at first, first+1h, ..., last,
	// summed over its series, by the same rule as counting them from raw
	// samples. Hours the backend cannot compute exactly (a counter reset, a
	// bad sample, a scrape gap at an hour's edge, a series born or gone in
	// the hour) are left out, and the caller counts them from raw samples.
	// A backend that cannot run the queries at all for this selector
	// returns an error wrapping ErrUnsupported.
	HourlyIncreases(ctx context.Context, selector string, first, last time.Time) (map[int64]Hour, error)
}

// Hour is one completed hour a backend computed: its events, and whether
// any series had samples in it. Sampled tells an hour of zero traffic (the
// series exist and did not increase) from an hour without data (no series
// at all), which data coverage and "no data" need.
type Hour struct {
	Increase float64
	// Sampled is true when some series had a sample in (end − 1h, end].
	Sampled bool
}

// ErrUnsupported says a backend cannot answer a query for this selector
// (for example a selector spanning several metric names, whose hourly
// differences PromQL cannot match series by series). The caller falls back
// to raw samples.
var ErrUnsupported = errors.New("not supported by this backend for this selector")
