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
}

// History is one SLO's buckets.
type History struct {
	Hourly []slo.Bucket
	Fine   []slo.Bucket
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
	c, err := counting.New(s.SLI, counting.Options{Resolution: FineStep, Windows: []time.Duration{r.To.Sub(r.HourlyFrom)}, PrefetchAt: -1})
	if err != nil {
		return nil, fmt.Errorf("history of slo %q: %w", s.Name, err)
	}
	if err := c.Advance(ctx, src, r.To); err != nil {
		return nil, fmt.Errorf("history of slo %q: %w", s.Name, err)
	}
	h := &History{}
	if h.Hourly, err = c.Hours(ctx, src, r.HourlyFrom); err != nil {
		return nil, fmt.Errorf("history of slo %q: %w", s.Name, err)
	}
	if !r.FineFrom.IsZero() {
		if h.Fine, err = counting.Fine(ctx, src, s.SLI, r.FineFrom, r.To, FineStep); err != nil {
			return nil, fmt.Errorf("history of slo %q: 5m buckets: %w", s.Name, err)
		}
	}
	return h, nil
}
