package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Recorded series. Each carries exactly service and slo (plus window or
// result where named): user labels stay off them so that editing an SLO's
// labels never forks the running sums' history; alerts carry them instead.
const (
	metricTotal            = "slo:total_events:running_sum"
	metricBad              = "slo:bad_events:running_sum"
	metricBurn             = "slo:burn_rate:ratio"
	metricSLI              = "slo:sli:ratio"
	metricEvents           = "slo:window_events:count"
	metricObjective        = "slo:objective:ratio"
	metricRemaining        = "slo:error_budget_remaining:ratio"
	metricRemainingSeconds = "slo:error_budget_remaining:seconds"
	metricExhaustion       = "slo:error_budget_exhaustion:seconds"
)

// sloRules holds what every rule of one SLO's group needs.
type sloRules struct {
	s      *slo.SLO
	policy *slo.Policy
	// opts are the generator's options with this SLO's own interval (a
	// time-slice SLO is evaluated once per slice).
	opts Options
	// totalDelta and badDelta are what one evaluation adds to the running
	// sums: counter increases, or 1 per slice.
	totalDelta, badDelta string
	// present is the raw selector whose absence means the SLO has no data.
	present  string
	num, den float64
	// sel is the {service=...,slo=...} matcher set of this SLO's series.
	sel string
	// src is where the alerts read their figures (alerts.go).
	src alertSource
	// pre are rules the running sums read, evaluated first in the group
	// (a native histogram's float counters, native.go).
	pre []rule
	// by is the SLO's grouping labels: every sum keeps them, so each group
	// has its own running sums, burn rates and budget (grouping.go).
	by []string
}

func newSLORules(s *slo.SLO, opts Options) (*sloRules, error) {
	r := &sloRules{s: s, opts: opts,
		sel: fmt.Sprintf("{service=%s,slo=%s}", strconv.Quote(s.Service), strconv.Quote(s.Name)),
		by:  s.Grouping,
	}
	if ts := s.SLI.TimeSlice; ts != nil {
		var err error
		if r.opts, err = timesliceOptions(s, opts); err != nil {
			return nil, err
		}
		if r.present, err = sliceQuery(ts); err != nil {
			return nil, err
		}
		r.totalDelta, r.badDelta = sliceDeltas(ts, r.present, r.opts, strings.Join(r.by, ", "))
	} else if e := s.SLI.Expression; e != nil {
		var err error
		if r.present, r.totalDelta, r.badDelta, err = expressionDeltas(e, opts); err != nil {
			return nil, err
		}
	} else if l := s.SLI.Latency; l != nil && l.NativeHistogram != "" {
		sel, err := plain(l.NativeHistogram)
		if err != nil {
			return nil, fmt.Errorf("sli.latency.nativeHistogram: %w", err)
		}
		r.present = sel
		var c counters
		r.pre, c = r.nativeCounters(sel, l.Threshold)
		r.totalDelta, r.badDelta = c.deltas(opts, r.sumOp(), r.grouped())
		if r.grouped() {
			r.badDelta = fmt.Sprintf("(\n  %s\n)\nor\n(\n  %s\n) * 0", indent(r.badDelta, 2), indent(r.totalDelta, 2))
		}
	} else {
		c, err := sliCounters(s)
		if err != nil {
			return nil, err
		}
		r.present = c.total
		r.totalDelta, r.badDelta = c.deltas(opts, r.sumOp(), r.grouped())
		if r.grouped() {
			// A group whose errors selector has no series (a route that never
			// failed) has no bad events, not an unknown number of them.
			r.badDelta = fmt.Sprintf("(\n  %s\n)\nor\n(\n  %s\n) * 0", indent(r.badDelta, 2), indent(r.totalDelta, 2))
		}
	}
	r.num, r.den = s.BudgetFraction()
	if r.num <= 0 || r.num >= r.den {
		return nil, fmt.Errorf("objective %g%% leaves no error budget: it must be above 0 and below 100", s.Objective)
	}
	for _, w := range windows(s) {
		if w%r.opts.Interval != 0 {
			return nil, fmt.Errorf("window %s is not a whole number of evaluation intervals (%s)", slo.WindowLabel(w), r.opts.Interval)
		}
	}
	return r, nil
}

// windows are the burn windows and the SLO window, shortest first, each
// once: the same set the daemon exports, including burn windows longer than
// a short SLO window.
func windows(s *slo.SLO) []time.Duration {
	out := []time.Duration{}
	added := false
	for _, w := range slo.BurnWindows {
		if !added && s.Window.Duration <= w {
			if s.Window.Duration < w {
				out = append(out, s.Window.Duration)
			}
			added = true
		}
		out = append(out, w)
	}
	if !added {
		out = append(out, s.Window.Duration)
	}
	return out
}

// windowLabel spells a window as the daemon does: the SLO window as the
// config wrote it, the others the Prometheus way.
func (r *sloRules) windowLabel(w time.Duration) string {
	if w == r.s.Window.Duration {
		return r.s.Window.Text
	}
	return slo.WindowLabel(w)
}

func (r *sloRules) labels(extra ...string) map[string]string {
	l := map[string]string{"service": r.s.Service, "slo": r.s.Name}
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

// recording returns the recording rules, in dependency order: Prometheus
// evaluates a group's rules one after another and each sees the samples the
// earlier ones wrote at the same instant.
func (r *sloRules) recording() []rule {
	out := append([]rule{}, r.pre...)
	out = append(out, []rule{
		{Record: metricTotal, Expr: r.runningSum(metricTotal, r.totalDelta), Labels: r.labels()},
		{Record: metricBad, Expr: r.runningSum(metricBad, r.badDelta), Labels: r.labels()},
	}...)
	for _, w := range windows(r.s) {
		out = append(out, rule{
			Record: metricBurn,
			Expr: fmt.Sprintf("(\n  %s\n  * %s\n)\n/\n(\n  (\n    %s\n    > 0\n  )\n  * %s\n)",
				indent(r.count(metricBad, w), 2), num(r.den), indent(r.count(metricTotal, w), 4), num(r.num)),
			Labels: r.labels("window", r.windowLabel(w)),
		})
	}
	W := r.s.Window.Duration
	wl := r.windowLabel(W)
	good := r.one(metricEvents, "window", wl, "result", "good")
	bad := r.one(metricEvents, "window", wl, "result", "bad")
	out = append(out,
		rule{Record: metricEvents,
			Expr:   fmt.Sprintf("%s\n-\n%s", r.count(metricTotal, W), r.count(metricBad, W)),
			Labels: r.labels("window", wl, "result", "good")},
		rule{Record: metricEvents,
			Expr:   r.count(metricBad, W),
			Labels: r.labels("window", wl, "result", "bad")},
		rule{Record: metricSLI,
			Expr:   fmt.Sprintf("%s\n/\n(%s + %s > 0)", good, good, bad),
			Labels: r.labels("window", wl)},
		rule{Record: metricObjective,
			Expr:   fmt.Sprintf("vector(%s)", num((r.den-r.num)/r.den)),
			Labels: r.labels()},
		// (allowed − consumed) / allowed, both scaled to exact integers as
		// the daemon does, rather than 1 − burn: one rounding instead of two.
		// No traffic in the whole window spends nothing: the budget stays full.
		rule{Record: metricRemaining,
			Expr: fmt.Sprintf("(\n  (%s + %s) * %s - %s * %s\n)\n/\n(\n  (%s + %s) * %s > 0\n)\nor\n%s",
				good, bad, num(r.num), bad, num(r.den), good, bad, num(r.num), r.constant("1", "("+good+" + "+bad+")")),
			Labels: r.labels()},
		// W × num × remaining / den, in the daemon's order of operations.
		rule{Record: metricRemainingSeconds,
			Expr:   fmt.Sprintf("%s * %s * %s / %s", num(W.Seconds()), num(r.num), r.one(metricRemaining), num(r.den)),
			Labels: r.labels()},
		// 0 once spent; remaining × W / burn(1h) while burning; +Inf when the
		// last hour burned nothing or had no traffic.
		rule{Record: metricExhaustion,
			Expr: fmt.Sprintf("(%s <= 0) * 0 + 0\nor\n%s * %s / (%s > 0)\nor\n%s",
				r.one(metricRemaining), r.one(metricRemaining), num(W.Seconds()),
				r.one(metricBurn, "window", r.windowLabel(time.Hour)), r.constant("+Inf", r.one(metricRemaining))),
			Labels: r.labels()},
	)
	return out
}

// runningSum adds this step's delta to the series' own previous sample: a
// counter of events since the rules started that never resets, so any
// window's count is two samples apart. last_over_time bridges gaps in the
// series up to Continuity and skips the stale markers a rule reload writes.
func (r *sloRules) runningSum(metric, step string) string {
	prev := fmt.Sprintf("%s(last_over_time(%s%s[%s]))", r.sumOp(), metric, r.sel, dur(r.opts.Continuity))
	if r.grouped() {
		// No label-less zero to fall back on: a group's sum is its previous
		// value plus the step, or either alone (a new group, a quiet step).
		// The step is parenthesised: a time slice's ends in "> bool 0",
		// which binds looser than +.
		return fmt.Sprintf("(\n  %s\n  +\n  (\n    %s\n  )\n)\nor\n%s\nor\n(\n  %s\n)",
			prev, indent(step, 4), prev, indent(step, 2))
	}
	return fmt.Sprintf("(\n  %s\n  or\n  vector(0)\n)\n+\n(\n  %s\n  or\n  vector(0)\n)",
		prev, indent(step, 2))
}

// count is the number of events a running sum grew by over the last w. Before
// the running sum has w of history it counts since the running sum started:
// right for a new service, and `slobudget rules-backfill` (see README.md)
// writes the history for one that already had traffic.
//
// After a gap longer than Continuity (Prometheus down for hours) the running
// sums start again from zero, and "now − w ago" turns negative: that would
// drop the burn rates and fill the budget back up, silencing every alert for
// a whole window. The total running sum only ever grows otherwise, so a
// negative total difference means a restart within w: then both counts are
// taken since the restart (the gap's events are lost, the ones after it are
// not).
func (r *sloRules) count(metric string, w time.Duration) string {
	restarted := fmt.Sprintf("(%s < 0)", r.diff(metricTotal, w))
	// Parenthesised whole: callers multiply and compare it, and those bind
	// tighter than or.
	return fmt.Sprintf("(\n  (\n    %s\n    unless %s %s\n  )\n  or\n  (\n    %s(%s%s)\n    and %s %s\n  )\n)",
		indent(r.diff(metric, w), 4), r.on(), restarted, r.sumOp(), metric, r.sel, r.on(), restarted)
}

// diff is a running sum now minus its last value before w ago (or 0).
func (r *sloRules) diff(metric string, w time.Duration) string {
	now := fmt.Sprintf("%s(%s%s)", r.sumOp(), metric, r.sel)
	return fmt.Sprintf("(%s - (%s(last_over_time(%s%s[%s] offset %s)) or %s))",
		now, r.sumOp(), metric, r.sel, dur(r.opts.Continuity), dur(w), r.constant("0", now))
}

// one selects one of this SLO's recorded series, without labels, so that it
// combines with the label-less expressions around it.
func (r *sloRules) one(metric string, extra ...string) string {
	sel := r.sel[:len(r.sel)-1]
	for i := 0; i+1 < len(extra); i += 2 {
		sel += fmt.Sprintf(",%s=%s", extra[i], strconv.Quote(extra[i+1]))
	}
	return fmt.Sprintf("%s(%s%s})", r.sumOp(), metric, sel)
}

// grouped reports whether the SLO has grouping labels.
func (r *sloRules) grouped() bool { return len(r.by) > 0 }

// sumOp is "sum" or, for a grouped SLO, "sum by (route)".
func (r *sloRules) sumOp() string {
	if !r.grouped() {
		return "sum"
	}
	return "sum by (" + strings.Join(r.by, ", ") + ")"
}

// on is the matching of a label-less comparison: on() for one SLO, on the
// grouping labels for a grouped one.
func (r *sloRules) on() string { return "on(" + strings.Join(r.by, ", ") + ")" }

// constant is the value v as a fallback after "or": vector(v) for one SLO;
// for a grouped SLO a label-less vector would add a series without the
// group labels, so v is given per group of like (an expression that has a
// series for every group).
func (r *sloRules) constant(v, like string) string {
	if !r.grouped() {
		return "vector(" + v + ")"
	}
	return fmt.Sprintf("(%s * 0 + %s)", like, v)
}
