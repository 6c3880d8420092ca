// Package memory is an in-memory backend.Source for tests: series are
// slices of samples, selectors are matched with the PromQL parser's label
// matchers, and answers follow the seam's rule (from < t <= to) without any
// PromQL in between. It counts what it returns, so tests can assert how much
// each evaluation reads.
package memory

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/internal/promqlparse"
)

// Store holds series in memory. It is safe for concurrent use.
type Store struct {
	mu          sync.Mutex
	series      []*backend.Series
	byKey       map[string]*backend.Series
	byName      map[string][]*backend.Series // by metric name, so a selector scans only its metric
	matchers    map[string][]*labels.Matcher
	samplesRead int
	queries     int
}

// New returns an empty store.
func New() *Store {
	return &Store{byKey: map[string]*backend.Series{}, byName: map[string][]*backend.Series{}, matchers: map[string][]*labels.Matcher{}}
}

var _ backend.Source = (*Store)(nil)

// Add appends samples to the series with the given labels (created when
// new). Samples must come in time order, after the series' last one.
func (s *Store) Add(lbls labels.Labels, samples ...backend.Sample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := lbls.String()
	ser := s.byKey[key]
	if ser == nil {
		ser = &backend.Series{Labels: lbls}
		s.byKey[key] = ser
		s.series = append(s.series, ser)
		name := lbls.Get(labels.MetricName)
		s.byName[name] = append(s.byName[name], ser)
	}
	if n := len(ser.Floats); n > 0 && len(samples) > 0 && samples[0].T <= ser.Floats[n-1].T {
		panic(fmt.Sprintf("memory.Store.Add: %s: sample at %d is not after %d", key, samples[0].T, ser.Floats[n-1].T))
	}
	ser.Floats = append(ser.Floats, samples...)
}

// Series returns the labels of every stored series.
func (s *Store) Series() []labels.Labels {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]labels.Labels, len(s.series))
	for i, ser := range s.series {
		out[i] = ser.Labels
	}
	return out
}

// Samples implements backend.Source.
func (s *Store) Samples(_ context.Context, selector string, from, to time.Time) ([]backend.Series, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms, ok := s.matchers[selector]
	if !ok {
		var err error
		if ms, err = promqlparse.Matchers(selector); err != nil {
			return nil, fmt.Errorf("selector %q: %w", selector, err)
		}
		s.matchers[selector] = ms
	}
	s.queries++
	lo, hi := from.UnixMilli(), to.UnixMilli()
	var out []backend.Series
	for _, ser := range s.candidates(ms) {
		if !matches(ser.Labels, ms) {
			continue
		}
		i := sort.Search(len(ser.Floats), func(i int) bool { return ser.Floats[i].T > lo })
		j := sort.Search(len(ser.Floats), func(i int) bool { return ser.Floats[i].T > hi })
		if i < j {
			s.samplesRead += j - i
			out = append(out, backend.Series{Labels: ser.Labels, Floats: ser.Floats[i:j:j]})
		}
	}
	return out, nil
}

// candidates returns the series a selector can match: those of its metric
// name when it names one exactly; s.mu is held.
func (s *Store) candidates(ms []*labels.Matcher) []*backend.Series {
	for _, m := range ms {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return s.byName[m.Value]
		}
	}
	return s.series
}

func matches(ls labels.Labels, ms []*labels.Matcher) bool {
	for _, m := range ms {
		if !m.Matches(ls.Get(m.Name)) {
			return false
		}
	}
	return true
}

// Reads returns how many queries were answered and how many samples they
// returned.
func (s *Store) Reads() (queries, samples int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries, s.samplesRead
}

// Match returns the series matching ms with their samples in [mint, maxt]
// (the storage interface's closed interval), for serving the store through a
// PromQL engine (internal/promapi).
func (s *Store) Match(ms []*labels.Matcher, mint, maxt int64) []backend.Series {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []backend.Series
	for _, ser := range s.candidates(ms) {
		if !matches(ser.Labels, ms) {
			continue
		}
		i := sort.Search(len(ser.Floats), func(i int) bool { return ser.Floats[i].T >= mint })
		j := sort.Search(len(ser.Floats), func(i int) bool { return ser.Floats[i].T > maxt })
		if i < j {
			out = append(out, backend.Series{Labels: ser.Labels, Floats: ser.Floats[i:j:j]})
		}
	}
	return out
}
