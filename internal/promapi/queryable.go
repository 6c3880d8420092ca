package promapi

import (
	"context"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/slobudget/slobudget/backend"
)

// Matcher is what a store offers the PromQL engine: the series matching
// label matchers, with their samples in [mint, maxt].
type Matcher interface {
	Match(ms []*labels.Matcher, mint, maxt int64) []backend.Series
}

// Queryable adapts a Matcher (such as a memory.Store) to the storage
// interface the PromQL engine reads.
func Queryable(m Matcher) storage.Queryable { return queryable{m} }

type queryable struct{ m Matcher }

func (q queryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return querier{m: q.m, mint: mint, maxt: maxt}, nil
}

type querier struct {
	m          Matcher
	mint, maxt int64
}

func (q querier) Select(_ context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	mint, maxt := q.mint, q.maxt
	if hints != nil {
		mint, maxt = hints.Start, hints.End
	}
	found := q.m.Match(ms, mint, maxt)
	set := &seriesSet{i: -1}
	for _, s := range found {
		samples := make([]chunks.Sample, len(s.Floats))
		for i, p := range s.Floats {
			samples[i] = floatSample{t: p.T, f: p.V}
		}
		set.series = append(set.series, storage.NewListSeries(s.Labels, samples))
	}
	return set
}

func (querier) LabelValues(context.Context, string, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (querier) LabelNames(context.Context, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (querier) Close() error { return nil }

type seriesSet struct {
	series []storage.Series
	i      int
}

func (s *seriesSet) Next() bool                        { s.i++; return s.i < len(s.series) }
func (s *seriesSet) At() storage.Series                { return s.series[s.i] }
func (s *seriesSet) Err() error                        { return nil }
func (s *seriesSet) Warnings() annotations.Annotations { return nil }

type floatSample struct {
	t int64
	f float64
}

func (s floatSample) T() int64                      { return s.t }
func (s floatSample) ST() int64                     { return 0 }
func (s floatSample) F() float64                    { return s.f }
func (s floatSample) H() *histogram.Histogram       { return nil }
func (s floatSample) FH() *histogram.FloatHistogram { return nil }
func (s floatSample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s floatSample) Copy() chunks.Sample           { return s }
