package synth

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Label is one label pair of a series (never __name__).
type Label struct{ Name, Value string }

// Series is one generated counter series on a fixed 1-minute grid. Its truth
// is the event list, not the counter values: Events[i] is the number of
// events that happened in (t(i-1), t(i)], and everything else (values written
// to the file, events visible per sample) is derived from it.
type Series struct {
	Metric string
	Labels []Label // sorted by name
	// Family is the OpenMetrics metric family this series belongs to.
	Family string
	// Streams tags the series with the logical quantities it counts towards
	// ("total", "errors", "good"); Truth sums the series of one stream.
	Streams []string

	start time.Time
	step  time.Duration
	// Baseline is the counter's value at the first sample, which counts
	// nothing: events before the data began are unknown.
	baseline int64
	events   []int64
	// missing[i] means sample i is not written (a scrape gap); the counter
	// keeps counting and the next written sample shows the events.
	missing []bool
	// resetAfter[i] means the counter restarts from 0 right after sample i.
	resetAfter []bool
	// last is the index of the last sample written; the series vanishes
	// after it.
	last int
	// scale multiplies written values (0.001 for a _sum in milliseconds);
	// zero means 1.
	scale float64

	visibleCum []int64 // prefix sums of events visible per sample; see finish
}

func newSeries(metric, family string, labels []Label, streams []string, start time.Time, n int, baseline int64) *Series {
	ls := append([]Label(nil), labels...)
	sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
	return &Series{
		Metric:     metric,
		Family:     family,
		Labels:     ls,
		Streams:    streams,
		start:      start,
		step:       time.Minute,
		baseline:   baseline,
		events:     make([]int64, n),
		missing:    make([]bool, n),
		resetAfter: make([]bool, n),
		last:       n - 1,
	}
}

// Selector renders the series as an exact PromQL selector.
func (s *Series) Selector() string { return selector(s.Metric, s.Labels) }

func selector(metric string, labels []Label) string {
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%s=%q", l.Name, l.Value)
	}
	return metric + "{" + strings.Join(parts, ",") + "}"
}

// Label returns the value of a label, "" when absent.
func (s *Series) Label(name string) string { return labelValue(s.Labels, name) }

func labelValue(labels []Label, name string) string {
	for _, l := range labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

func (s *Series) hasStream(name string) bool { return contains(s.Streams, name) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// time of sample i.
func (s *Series) at(i int) time.Time { return s.start.Add(time.Duration(i) * s.step) }

// index returns the largest sample index whose time is <= t, -1 if none.
func (s *Series) index(t time.Time) int {
	if t.Before(s.start) {
		return -1
	}
	i := int(t.Sub(s.start) / s.step)
	if i > len(s.events)-1 {
		i = len(s.events) - 1
	}
	return i
}

// finish derives, from the event list alone, the number of events each
// written sample makes visible: those since the previous written sample. It
// never looks at counter values, so it cannot share a mistake with code that
// counts from them.
func (s *Series) finish() {
	s.visibleCum = make([]int64, len(s.events))
	var pending, cum int64
	for i := range s.events {
		if i > s.last {
			// A vanished series shows nothing more; the generator puts no
			// events there either.
			s.visibleCum[i] = cum
			continue
		}
		if i > 0 {
			pending += s.events[i]
		}
		if !s.missing[i] && i > 0 {
			cum += pending
			pending = 0
		}
		s.visibleCum[i] = cum
	}
}

// Visible returns the events shown by samples with timestamps in (from, to].
func (s *Series) Visible(from, to time.Time) int64 {
	a, b := s.index(from), s.index(to)
	var va, vb int64
	if a >= 0 {
		va = s.visibleCum[a]
	}
	if b >= 0 {
		vb = s.visibleCum[b]
	}
	if vb < va {
		return 0
	}
	return vb - va
}

// sample is one written point.
type sample struct {
	t     time.Time
	value float64
}

// samples walks the written samples in time order, applying resets and
// skipping gaps: the one place counter values are made.
func (s *Series) samples(fn func(i int, t time.Time, v float64) error) error {
	scale := s.scale
	if scale == 0 {
		scale = 1
	}
	v := s.baseline
	for i := 0; i <= s.last; i++ {
		if i > 0 {
			if s.resetAfter[i-1] {
				v = 0
			}
			v += s.events[i]
		}
		if s.missing[i] {
			continue
		}
		if err := fn(i, s.at(i), float64(v)*scale); err != nil {
			return err
		}
	}
	return nil
}

// Samples calls fn for every written sample, in time order, with the
// counter value as written to the data (resets applied, gaps skipped).
func (s *Series) Samples(fn func(t time.Time, v float64)) error {
	return s.samples(func(_ int, t time.Time, v float64) error { fn(t, v); return nil })
}

// First returns the first written sample.
func (s *Series) First() (time.Time, float64) {
	var at time.Time
	var val float64
	stop := fmt.Errorf("stop")
	_ = s.samples(func(_ int, t time.Time, v float64) error { at, val = t, v; return stop })
	return at, val
}

// Final returns the last written sample: the counter's final cumulative value.
func (s *Series) Final() (time.Time, float64) {
	var at time.Time
	var val float64
	_ = s.samples(func(_ int, t time.Time, v float64) error { at, val = t, v; return nil })
	return at, val
}

// TotalEvents returns all events after the baseline sample.
func (s *Series) TotalEvents() int64 {
	var n int64
	for i := 1; i <= s.last; i++ {
		n += s.events[i]
	}
	return n
}
