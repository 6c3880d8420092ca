package counting

import (
	"context"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// Span is an agreed exclusion as counting sees it: events revealed by
// samples stamped in [From, To) count neither good nor bad. An increase
// between two samples belongs to the later sample's timestamp (as
// everywhere in counting), so a span cuts exactly between samples, wherever
// its edges lie relative to the evaluation grid.
type Span struct {
	From, To time.Time
}

// exclusionSpan is a Span in milliseconds: [from, to).
type exclusionSpan struct{ from, to int64 }

func (s exclusionSpan) holds(ts int64) bool { return ts >= s.from && ts < s.to }

// touchesHour reports whether a sample of the hour (end − 1h, end] can lie
// in the span: then the hour's backend-computed total cannot be split and
// the hour is read raw.
func (s exclusionSpan) touchesHour(end int64) bool {
	return s.from <= end && s.to > end-HourMs+1
}

func toSpans(in []Span) []exclusionSpan {
	out := make([]exclusionSpan, 0, len(in))
	for _, s := range in {
		out = append(out, exclusionSpan{s.From.UnixMilli(), s.To.UnixMilli()})
	}
	return out
}

// excludedIndex returns the first span holding ts, or -1. A sample inside
// two overlapping spans is the first one's: each event is excluded once.
func excludedIndex(spans []exclusionSpan, ts int64) int {
	for i, s := range spans {
		if s.holds(ts) {
			return i
		}
	}
	return -1
}

// hourTouched reports whether any span can hold a sample of the hour ending
// at end.
func hourTouched(spans []exclusionSpan, end int64) bool {
	for _, s := range spans {
		if s.touchesHour(end) {
			return true
		}
	}
	return false
}

// Excluded returns, for each exclusion of Options.Exclusions in order, the
// good and total events it removed from (from, to], with the same bounds as
// Count. They are counted in neither Count nor Hours.
func (c *Counter) Excluded(ctx context.Context, src backend.Source, from, to time.Time) ([]slo.Counts, error) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	out := make([]slo.Counts, len(c.excluded))
	for i, ex := range c.excluded {
		var bad float64
		for _, pair := range []struct {
			s   *Stream
			dst *float64
		}{{ex.total, &out[i].Total}, {ex.good, &out[i].Good}, {ex.bad, &bad}} {
			if pair.s == nil {
				continue
			}
			v, err := c.sum(ctx, src, pair.s, lo, hi)
			if err != nil {
				return nil, err
			}
			*pair.dst = v
		}
		if ex.good == nil {
			out[i].Good = out[i].Total - bad
		}
	}
	return out, nil
}

// excludedStreams are the streams one exclusion's events go to instead of
// the counted ones: the same shape as the counter's (good or bad, total).
type excludedStreams struct {
	good, bad, total *Stream
}

// KeepEdge names a window start that stays put while the instant moves (a
// calendar period's start): when it falls inside an hour (a zone offset by
// half an hour), that hour's buckets are kept from one Advance to the next
// instead of being read again for every count.
func (c *Counter) KeepEdge(t time.Time) { c.fixedEdge = t.UnixMilli() }

// SpansFor returns the spans of the exclusions that apply to the SLO named
// name, in config order (the order overlapping spans are attributed by).
func SpansFor(name string, all []slo.Exclusion) []Span {
	var out []Span
	for _, e := range all {
		if e.AppliesTo(name) {
			out = append(out, Span{From: e.From, To: e.To})
		}
	}
	return out
}
