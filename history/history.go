// Package history reads one SLO's exact event counts over a long range (up
// to the backend's retention) for the review: hourly buckets from the
// Counter (hourly differences the backend computes, raw edge hours), and 5m
// buckets from the same feeders for incidents and the alert replay. There is
// no second counting path: both come from package counting, with the rules of
// docs/counting.md, so `report --time=T` and the reader agree to the event.
package history

import (
	"context"
	"fmt"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/counting"
	"github.com/slobudget/slobudget/slo"
)

// FineStep is the length of the fine buckets: the shortest burn window, the
// step the review replays alerts and detects incidents at.
const FineStep = 5 * time.Minute

// Range says what to read. Every instant is a multiple of FineStep.
type Range struct {
	// Hourly buckets cover (HourlyFrom, To]; inner edges are full hours.
	HourlyFrom time.Time
	// Fine buckets cover (FineFrom, To]; a zero FineFrom reads none.
	FineFrom time.Time
	To       time.Time
	// Exclusions are the agreed exclusions that apply to the SLO: their
	// events are in no bucket (the engine's rule, docs/counting.md).
	Exclusions []counting.Span
	// Periods are the calendar periods the hourly buckets will be added up
	// in (the review's months, a calendar window's periods): the hourly
	// buckets a boundary of theirs falls inside, outside the fine range,
	// are read again as 5m buckets into History.Cuts.
	Periods []slo.Periods
}

// History is one SLO's buckets.
type History struct {
	Hourly []slo.Bucket
	Fine   []slo.Bucket
	// Cuts holds the 5m buckets of the hourly buckets a boundary of
	// Range.Periods cuts, where Fine does not reach: in a zone offset by
	// half an hour from UTC, about one hour a period (slo.Refine).
	Cuts []slo.Bucket
	// DataFrom is where the total selector's data begins in the range (its
	// start when the data reaches back that far); zero, with no buckets,
	// when the selector had no samples at all: no data, not zero traffic.
	DataFrom time.Time
	// Selector is the total selector asked (a time-slice SLI's gauge).
	Selector string
}

// ForReview is the range a review of (from, to] needs for an SLO whose
// window is w: the window before the period (the policy state of its first
// hours) in hours, and the longest alert window (3d) before it in 5m
// buckets.
func ForReview(from, to time.Time, w time.Duration) Range {
	return Range{HourlyFrom: from.Add(-w), FineFrom: from.Add(-3 * 24 * time.Hour), To: to}
}

// Read counts the SLO's events over the range.
func Read(ctx context.Context, src backend.Source, s *slo.SLO, r Range) (*History, error) {
	for _, t := range []time.Time{r.HourlyFrom, r.FineFrom, r.To} {
		if t.UnixMilli()%FineStep.Milliseconds() != 0 {
			return nil, fmt.Errorf("history of slo %q: %s is not a multiple of %s", s.Name, t.UTC().Format(time.RFC3339Nano), FineStep)
		}
	}
	if !r.To.After(r.HourlyFrom) {
		return nil, fmt.Errorf("history of slo %q: range (%s, %s] is empty", s.Name, r.HourlyFrom.UTC().Format(time.RFC3339), r.To.UTC().Format(time.RFC3339))
	}
	c, err := counting.New(s.SLI, counting.Options{Resolution: FineStep, Windows: []time.Duration{r.To.Sub(r.HourlyFrom)}, PrefetchAt: -1, Exclusions: r.Exclusions})
	if err != nil {
		return nil, fmt.Errorf("history of slo %q: %w", s.Name, err)
	}
	if err := c.Advance(ctx, src, r.To); err != nil {
		return nil, fmt.Errorf("history of slo %q: %w", s.Name, err)
	}
	// No data is not zero traffic: the history starts where the total
	// selector's data starts, and is empty when it has none in the range.
	h := &History{}
	cov := c.Coverage(r.To.Sub(r.HourlyFrom))
	h.Selector = cov.Selector
	if !cov.Sampled {
		return h, nil
	}
	h.DataFrom = cov.From
	if h.Hourly, err = c.Hours(ctx, src, r.HourlyFrom); err != nil {
		return nil, fmt.Errorf("history of slo %q: %w", s.Name, err)
	}
	h.Hourly = from(h.Hourly, cov.From)
	if !r.FineFrom.IsZero() {
		if h.Fine, err = counting.Fine(ctx, src, s.SLI, r.FineFrom, r.To, FineStep, r.Exclusions); err != nil {
			return nil, fmt.Errorf("history of slo %q: 5m buckets: %w", s.Name, err)
		}
		h.Fine = from(h.Fine, cov.From)
	}
	for _, b := range slo.CutBuckets(h.Hourly, r.Periods...) {
		if len(h.Fine) > 0 && !b.Start.Before(h.Fine[0].Start) {
			continue // the fine buckets cover it
		}
		cut, err := counting.Fine(ctx, src, s.SLI, b.Start, b.End, FineStep, r.Exclusions)
		if err != nil {
			return nil, fmt.Errorf("history of slo %q: 5m buckets of the hour %s cuts: %w", s.Name, b.End.UTC().Format(time.RFC3339), err)
		}
		h.Cuts = append(h.Cuts, cut...)
	}
	return h, nil
}

// from drops the buckets that end before the data begins at start and
// starts the first one kept at start (on the 5m grid): they had no samples,
// so they hold no events, and saying "0 events" there would claim traffic
// was measured. The data's first sample is a baseline and reveals nothing,
// so no event is lost.
func from(h []slo.Bucket, start time.Time) []slo.Bucket {
	i := 0
	for i < len(h) && !h[i].End.After(start) {
		i++
	}
	h = h[i:]
	if len(h) > 0 {
		if t := start.Truncate(FineStep); t.After(h[0].Start) {
			h[0].Start = t
		}
	}
	return h
}
