package engine

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/slobudget/slobudget/counting"
	"github.com/slobudget/slobudget/slo"
)

// This file holds what makes a decision trustworthy: no data is not zero
// traffic, figures say how much of the window they rest on, the forecast
// follows the rolling window, and the engine's own record of where pages
// held, for the charts.

// noDataResult is the result of an SLO whose total selector matched no
// series with samples in the SLO window: Prometheus answered (no error), and
// there is nothing to count, so no budget and no policy decision.
func noDataResult(def *slo.SLO, pol *slo.Policy, at time.Time, cov counting.Coverage) slo.Result {
	r := skeletonResult(def, pol)
	r.EvaluatedAt = at.UTC()
	r.DataMissing = true
	r.MissingSelector = cov.Selector
	r.SetCoverage(0)
	return r
}

// withForecast steps the window forward from the evaluation instant
// (slo.ForecastBudget) over the history the data covers, and fills the
// result's exhaustion, recovery and forecast from it. The history starts at
// the bucket holding the data's first sample: on a partly covered window
// nothing older can leave it, and a history shorter than a day gives the
// traffic profile its mean rate instead of hours of invented quiet. The
// forecast works in sc's buffers; the result keeps nothing of them.
func withForecast(r *slo.Result, def *slo.SLO, pol *slo.Policy, in slo.Input, coveredFrom time.Time, sc *evalScratch) {
	sc.since = r.History.AppendSince(sc.since[:0], coveredFrom)
	f, err := slo.ForecastBudgetWith(def, pol, slo.ForecastInput{
		At: in.At, History: sc.since, LastHour: in.Burn[time.Hour],
	}, &sc.forecast)
	if err != nil {
		// A history the engine built itself should always do; if not,
		// the simple formula Evaluate computed stays, and says so.
		r.Notes = append(r.Notes, fmt.Sprintf("forecast failed (%v): the time to exhaustion is remaining × window / 1h burn rate", err))
		return
	}
	r.Forecast = &f
	exhaustion := f.ExhaustionSeconds
	r.ExhaustionSeconds = &exhaustion
	if f.NextBetter != "" {
		r.RecoverySeconds = map[string]float64{}
		if f.Recovery != nil {
			r.RecoverySeconds[f.Recovery.State] = f.Recovery.Seconds
		}
	}
}

// evalScratch holds the working buffers of one SLO evaluation: the window's
// hourly buckets as the counter counts them, the same expanded from the
// compact history for the forecast, the forecast's own, and the 5m buckets
// incident detection scans with their prefix sums. They are tens (the 5m buckets: hundreds) of
// kilobytes for a 30-day window, which each evaluation would otherwise
// allocate and drop at once. Nothing that outlives the evaluation refers to
// them: the history, the cut hours and the forecast copy what they keep.
//
// They come from a pool rather than the SLO's state: an evaluation takes one
// for its duration and gives it back, so a daemon holds about as many as it
// evaluates SLOs at once (Options.Concurrency, and the groups of a grouped
// SLO), not one per SLO kept between cycles.
type evalScratch struct {
	hours, day, since []slo.Bucket
	fine              []slo.Bucket // the window's 5m buckets, for incident detection
	incidents         slo.IncidentScratch
	forecast          slo.ForecastScratch
}

var scratchPool = sync.Pool{New: func() any { return new(evalScratch) }}

func getScratch() *evalScratch { return scratchPool.Get().(*evalScratch) }

func putScratch(sc *evalScratch) { scratchPool.Put(sc) }

// maxPageSpans bounds the page record of one SLO: a condition flapping on
// every evaluation would otherwise grow it by a span a minute.
const maxPageSpans = 512

// pageLedger records where the page condition held at this engine's
// evaluations: the stretches the detail page shades. It knows nothing of the
// time before the engine started; the chart says what it shows.
type pageLedger struct {
	mu    sync.Mutex
	spans []slo.Period
	prev  time.Time // the previous successful evaluation
}

// record notes the page condition at instant at and returns the spans that
// reach into the window (at − window, at], as a copy. A span runs from the
// evaluation step before the condition first held to the last instant it
// held, as slo.AlertSpans draws replayed alerts.
func (l *pageLedger) record(at time.Time, page bool, step, window time.Duration) []slo.Period {
	l.mu.Lock()
	defer l.mu.Unlock()
	if page {
		n := len(l.spans)
		if n > 0 && !l.prev.IsZero() && l.spans[n-1].End.Equal(l.prev) {
			l.spans[n-1].End = at
		} else {
			l.spans = append(l.spans, slo.Period{Start: at.Add(-step), End: at})
		}
	}
	l.prev = at
	cut := at.Add(-window)
	i := 0
	for i < len(l.spans) && !l.spans[i].End.After(cut) {
		i++
	}
	i = max(i, len(l.spans)-maxPageSpans)
	l.spans = slices.Delete(l.spans, 0, i)
	return slices.Clone(l.spans)
}
