package counting

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// Querier evaluates PromQL: what an estimate needs from the backend
// (backend.Prometheus is one).
type Querier interface {
	Query(ctx context.Context, expr string, at time.Time) ([]backend.Series, error)
	QueryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]backend.Series, error)
}

// directBelow is the longest window an estimate evaluates in one query at
// the instant; windows of a day and more are summed from hours.
const directBelow = 24 * HourMs

// EstimateNote is the note every estimate's result carries.
const EstimateNote = "estimate: Prometheus evaluated the expression hourly; the numbers are error-ratio-weighted seconds, not counted events (exact: false)"

// Estimate evaluates an expression SLI that does not reduce to counters: an
// estimate, never mixed up with counted events.
//
// What it estimates is the time-weighted error ratio: every second of the
// window with a value of the SLI's error ratio (slo.ExpressionSLI
// ErrorRatioQuery) weighs the same. So a window's "total" is the seconds in
// it that had a value and its "bad" is the error ratio integrated over them
// (ratio × seconds); the SLI is then one minus the mean error ratio, and the
// budget, burn rates and alerts follow as for events. Averaging the ratio
// over time is what Sloth and Pyrra do for such SLIs.
//
//   - Hours: Prometheus evaluates the ratio with the window placeholder
//     filled as 1h at every full hour (one range query, step 1h, aligned
//     instants): the hour's ratio. Hours ending in the last 2h are evaluated
//     again each cycle, as data may arrive late.
//   - A window shorter than a day (5m ... 6h) is evaluated directly at the
//     instant, with its own length as the range.
//   - A window of a day or more (1d, 3d, the SLO window) is the sum of its
//     full hours, the hour its lower edge cuts counted pro rata, and the open
//     part of the current hour evaluated directly at the instant with that
//     part's length as the range.
//
// A ratio that is not a number (no traffic: 0/0) or outside [0, 1] is no
// value: its span has no data. An expression returning several series is an
// error: an SLI is one ratio.
type Estimate struct {
	// exclusions is how many agreed exclusions apply: an estimate cannot
	// leave their events out (it has ratios, not samples), and says so.
	exclusions int
	expr       *slo.ExpressionSLI
	windows    []int64
	span       int64
	at         int64
	hours      map[int64]float64    // by hour end: the hour's ratio, when it had one
	final      int64                // hours ending at or before this are not evaluated again
	direct     map[int64]ratioValue // by range (ms): the ratio at the instant, for the ranges asked
	// Ratios outside [0, 1], ignored: hours (by end, while in the window)
	// and direct evaluations at the last instant.
	skippedHours  map[int64]bool
	skippedDirect int
}

// ratioValue is a ratio, or none (ok false).
type ratioValue struct {
	ratio float64
	ok    bool
}

// NewEstimate builds the estimate of an expression SLI.
func NewEstimate(sli slo.SLI, o Options) (*Estimate, error) {
	if sli.Expression == nil {
		return nil, fmt.Errorf("internal: an estimate needs an expression SLI")
	}
	if len(o.Windows) == 0 {
		return nil, fmt.Errorf("counting needs at least one window")
	}
	e := &Estimate{expr: sli.Expression, hours: map[int64]float64{}, skippedHours: map[int64]bool{}, exclusions: len(o.Exclusions)}
	for _, w := range o.Windows {
		e.windows = append(e.windows, w.Milliseconds())
	}
	e.span = slices.Max(e.windows)
	return e, nil
}

// query returns the ratio over rng at at, and whether there is one.
func (e *Estimate) query(ctx context.Context, q Querier, rng int64, at int64) (float64, bool, error) {
	expr := e.expr.ErrorRatioQuery(rangeText(rng))
	ss, err := q.Query(ctx, expr, time.UnixMilli(at))
	if err != nil {
		return 0, false, err
	}
	if len(ss) > 1 {
		return 0, false, fmt.Errorf("the expression returned %d series at %s; an estimated SLI is one error ratio: aggregate it (sum, max)", len(ss), time.UnixMilli(at).UTC().Format(time.RFC3339))
	}
	if len(ss) == 0 || len(ss[0].Floats) == 0 {
		return 0, false, nil
	}
	v, ok, outside := ratio(ss[0].Floats[len(ss[0].Floats)-1].V)
	if outside {
		e.skippedDirect++
	}
	return v, ok, nil
}

// ratio keeps a value that is an error ratio; outside says it was a number
// outside [0, 1] (not a ratio: a note says so), rather than not a number
// (0/0: no traffic).
func ratio(v float64) (r float64, ok, outside bool) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, false, false
	case v < 0 || v > 1:
		return 0, false, true
	}
	return v, true, false
}

// Advance evaluates what the windows ending at at need: the hours not yet
// final, the direct windows and the open part of the current hour.
func (e *Estimate) Advance(ctx context.Context, src backend.Source, at time.Time) error {
	q, ok := src.(Querier)
	if !ok {
		return errors.New("this backend cannot evaluate PromQL expressions, which an estimated SLI needs")
	}
	atMs := at.UnixMilli()
	e.skippedDirect = 0
	last := FloorTo(atMs, HourMs)
	first := CeilTo(atMs-e.span, HourMs)
	from := max(first, e.final+HourMs)
	if from <= last {
		expr := e.expr.ErrorRatioQuery("1h")
		ss, err := q.QueryRange(ctx, expr, time.UnixMilli(from), time.UnixMilli(last), time.Hour)
		if err != nil {
			return err
		}
		if len(ss) > 1 {
			return fmt.Errorf("the expression returned %d series; an estimated SLI is one error ratio: aggregate it (sum, max)", len(ss))
		}
		for h := from; h <= last; h += HourMs {
			delete(e.hours, h)
			delete(e.skippedHours, h)
		}
		for _, s := range ss {
			for _, p := range s.Floats {
				if p.T%HourMs != 0 {
					continue
				}
				v, ok, outside := ratio(p.V)
				if ok {
					e.hours[p.T] = v
				}
				if outside {
					e.skippedHours[p.T] = true
				}
			}
		}
		e.final = max(e.final, FloorTo(atMs-lateDataLimit, HourMs))
	}
	for h := range e.hours {
		if h < first {
			delete(e.hours, h)
		}
	}
	for h := range e.skippedHours {
		if h < first {
			delete(e.skippedHours, h)
		}
	}
	e.at, e.direct = atMs, map[int64]ratioValue{}
	ranges := []int64{}
	if atMs > last {
		ranges = append(ranges, atMs-last) // the open part of the hour
	}
	for _, w := range e.windows {
		if w < directBelow {
			ranges = append(ranges, w)
		}
	}
	for _, r := range ranges {
		if _, done := e.direct[r]; done {
			continue
		}
		v, ok, err := e.query(ctx, q, r, atMs)
		if err != nil {
			return err
		}
		e.direct[r] = ratioValue{v, ok}
	}
	return nil
}

// piece is a span (from, to] of a window with the ratio it had.
type piece struct {
	from, to int64
	ratioValue
}

func (p piece) counts() slo.Counts {
	if !p.ok {
		return slo.Counts{}
	}
	secs := float64(p.to-p.from) / 1000
	bad := p.ratio * secs
	return slo.Counts{Total: secs, Good: secs - bad}
}

// hourPieces splits (from, at] at the full hours: the hour the lower edge
// cuts (its ratio, pro rata), full hours, and the open part of the current
// hour (evaluated directly).
func (e *Estimate) hourPieces(from int64) []piece {
	var out []piece
	for lo := from; lo < e.at; {
		hi := min(CeilTo(lo+1, HourMs), e.at)
		p := piece{from: lo, to: hi}
		if hi%HourMs != 0 {
			p.ratioValue = e.direct[hi-lo]
		} else if v, ok := e.hours[hi]; ok {
			p.ratioValue = ratioValue{v, true}
		}
		out = append(out, p)
		lo = hi
	}
	return out
}

// Count returns the estimate's seconds with a value and the error ratio
// integrated over them in (from, to]; to must be the instant of the last
// Advance, and a window under a day one of the windows it was built for.
func (e *Estimate) Count(_ context.Context, _ backend.Source, from, to time.Time) (slo.Counts, error) {
	lo := from.UnixMilli()
	if to.UnixMilli() != e.at {
		return slo.Counts{}, fmt.Errorf("internal: an estimate counts only windows ending at its last instant")
	}
	if w := e.at - lo; w < directBelow {
		v, asked := e.direct[w]
		if !asked {
			return slo.Counts{}, fmt.Errorf("internal: the estimate has no evaluation of the last %s", rangeText(w))
		}
		return piece{lo, e.at, v}.counts(), nil
	}
	var c slo.Counts
	for _, p := range e.hourPieces(lo) {
		pc := p.counts()
		c.Good, c.Total = c.Good+pc.Good, c.Total+pc.Total
	}
	return c, nil
}

// Hours returns the window from from as the buckets Count sums for a long
// window.
func (e *Estimate) Hours(ctx context.Context, src backend.Source, from time.Time) ([]slo.Bucket, error) {
	return e.AppendHours(ctx, src, from, nil)
}

// AppendHours is Hours appending the buckets to dst.
func (e *Estimate) AppendHours(_ context.Context, _ backend.Source, from time.Time, dst []slo.Bucket) ([]slo.Bucket, error) {
	out := dst
	for _, p := range e.hourPieces(from.UnixMilli()) {
		out = append(out, slo.Bucket{Start: time.UnixMilli(p.from).UTC(), End: time.UnixMilli(p.to).UTC(), Counts: p.counts()})
	}
	return out, nil
}

// Coverage says whether the window (at − w, at] had a ratio anywhere, and
// from where: the start of its first hour (or piece) with one.
func (e *Estimate) Coverage(w time.Duration) Coverage {
	cov := Coverage{Selector: e.expr.ErrorRatioQuery("1h")}
	for _, p := range e.hourPieces(e.at - w.Milliseconds()) {
		if p.ok {
			cov.Sampled, cov.From = true, time.UnixMilli(p.from).UTC()
			break
		}
	}
	return cov
}

// Notes always says that the numbers are an estimate.
func (e *Estimate) Notes() []string {
	notes := []string{EstimateNote}
	if e.exclusions > 0 {
		notes = append(notes, fmt.Sprintf("%d agreed exclusion(s) apply but are not left out: an estimate has hourly ratios, not samples to cut at the exclusion's edges", e.exclusions))
	}
	if n := len(e.skippedHours) + e.skippedDirect; n > 0 {
		notes = append(notes, fmt.Sprintf("%d evaluations of the error ratio in the window were outside [0, 1] and count as no data", n))
	}
	return notes
}

// Excluded: an estimate leaves nothing out (its notes say so); one zero
// count per exclusion, as Counter.Excluded gives.
func (e *Estimate) Excluded(context.Context, backend.Source, time.Time, time.Time) ([]slo.Counts, error) {
	return make([]slo.Counts, e.exclusions), nil
}

// Settled returns the end of the last hour not evaluated again.
func (e *Estimate) Settled() time.Time { return time.UnixMilli(max(e.final, 0)).UTC() }

// KeepEdge: an estimate keeps no buckets to hold at a fixed edge.
func (e *Estimate) KeepEdge(time.Time) {}

// TakeBadSamples: an estimate reads no raw counters.
func (e *Estimate) TakeBadSamples() map[string]int { return nil }

func rangeText(ms int64) string {
	return model.Duration(time.Duration(ms) * time.Millisecond).String()
}

// Evaluator is what the engine asks of an SLI's counts: a Counter for what
// is counted exactly, an Estimate for an expression that does not reduce.
type Evaluator interface {
	Advance(ctx context.Context, src backend.Source, at time.Time) error
	Count(ctx context.Context, src backend.Source, from, to time.Time) (slo.Counts, error)
	Coverage(w time.Duration) Coverage
	Hours(ctx context.Context, src backend.Source, from time.Time) ([]slo.Bucket, error)
	// AppendHours is Hours appending to dst (a buffer the caller reuses).
	AppendHours(ctx context.Context, src backend.Source, from time.Time, dst []slo.Bucket) ([]slo.Bucket, error)
	Notes() []string
	TakeBadSamples() map[string]int
	// Excluded returns what each agreed exclusion removed from (from, to].
	Excluded(ctx context.Context, src backend.Source, from, to time.Time) ([]slo.Counts, error)
	// KeepEdge names a window start that stays put (a calendar period's).
	KeepEdge(t time.Time)
	// Settled is the end of the last hour whose counts never change again.
	Settled() time.Time
}

// NewEvaluator counts the SLI exactly when it can (New), and builds its
// estimate otherwise (NewEstimate).
func NewEvaluator(sli slo.SLI, o Options) (Evaluator, error) {
	if sli.Exact() {
		return New(sli, o)
	}
	return NewEstimate(sli, o)
}
