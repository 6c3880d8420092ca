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

	// The two running sums side by side, told apart by result="total" or
	// "bad": one selector (and one last_over_time, whose output has no
	// metric name to tell them apart) reads both.
	metricSums = "slo:events:running_sum"
	// metricWindowStart is metricSums' value at the start of each window
	// (label window), 0 before the running sums have that much history.
	metricWindowStart = "slo:events:window_start"
	// metricIncrease is each window's count of total and bad events, with
	// the restart guard applied: every figure and alert derives from it.
	metricIncrease = "slo:events:window_increase"
	// metricBurnAlert is, per alert pair (labels long_window, short_window),
	// the long window's burn rate while the pair's whole condition holds:
	// each burn alert reads one selector.
	metricBurnAlert = "slo:burn_alert:ratio"
)

// sloRules holds what every rule of one SLO's group needs.
type sloRules struct {
	s      *slo.SLO
	policy *slo.Policy
	// opts are the generator's options with this SLO's own interval (a
	// time-slice SLO is evaluated once per slice).
	opts Options
	// totalDelta and badDelta are what one evaluation adds to the running
	// sums: counter increases, or 1 per slice. They stand alone, so
	// rules-backfill can run them as range queries.
	totalDelta, badDelta string
	// badStep is what the bad running sum's rule adds: badDelta, or with a
	// good selector the total running sum's step (written just before in
	// the same evaluation) minus the good delta, so the total counter's
	// delta is read once.
	badStep string
	// present is the raw selector whose absence means the SLO has no data.
	present  string
	num, den float64
	// sel is the {service=...,slo=...} matcher set of this SLO's series.
	sel string
	// shape is where the recorded figures and the alerts' conditions come
	// from: recorded window counts (Prometheus) or the running sums alone
	// (vmalert).
	shape shape
	// src is where the alerts read their figures (alerts.go): the recorded
	// ones (through shape) or a running daemon's metrics.
	src alertSource
	// pre are rules the running sums read, evaluated first in the group
	// (a native histogram's float counters, native.go).
	pre []rule
	// by is the SLO's grouping labels: every sum keeps them, so each group
	// has its own running sums, window counts, burn rates and budget.
	by []string
}

// shape is the part of the rules that depends on the engine.
type shape interface {
	recording() []rule
	// burnCondition is a burn alert's expression, its value the long
	// window's burn rate; remaining is the remaining budget ratio.
	burnCondition(p slo.AlertPair) string
	remaining() string
}

// promShape derives everything from recorded window counts.
type promShape struct{ *sloRules }

func (p promShape) burnCondition(a slo.AlertPair) string {
	if p.grouped() {
		// Per pair (burnAlertCondition explains why a grouped SLO has no
		// recorded condition): both windows' burn rates of each group.
		expr := fmt.Sprintf("%s > %s\nand\n%s > %s",
			p.one(metricBurn, "window", p.windowLabel(a.Long)), num(a.Factor), p.one(metricBurn, "window", p.windowLabel(a.Short)), num(a.Factor))
		if p.opts.MinBadEvents > 1 && p.s.SLI.TimeSlice == nil {
			expr += fmt.Sprintf("\nand\n%s >= %s", p.one(metricIncrease, "window", p.windowLabel(a.Long), "result", "bad"), num(p.opts.MinBadEvents))
		}
		return expr
	}
	// The pair's condition is recorded (burnAlertCondition); its value is
	// the long window's burn rate, which the annotations show.
	return p.one(metricBurnAlert, "long_window", p.windowLabel(a.Long), "short_window", p.windowLabel(a.Short))
}

func (p promShape) remaining() string { return p.one(metricRemaining) }

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
		r.badStep = r.badDelta
	} else if e := s.SLI.Expression; e != nil {
		var err error
		if r.present, r.totalDelta, r.badDelta, err = expressionDeltas(e, opts); err != nil {
			return nil, err
		}
		r.badStep = r.badDelta
	} else {
		var c counters
		if l := s.SLI.Latency; l != nil && l.NativeHistogram != "" {
			sel, err := plain(l.NativeHistogram)
			if err != nil {
				return nil, fmt.Errorf("sli.latency.nativeHistogram: %w", err)
			}
			r.present = sel
			r.pre, c = r.nativeCounters(sel, l.Threshold)
		} else {
			var err error
			if c, err = sliCounters(s); err != nil {
				return nil, err
			}
			r.present = c.total
		}
		r.totalDelta, r.badDelta = c.deltas(opts, r.sumOp(), r.grouped())
		r.badStep = r.badDelta
		switch {
		case r.grouped():
			// A group whose errors selector has no series (a route that
			// never failed) has no bad events, not an unknown number of
			// them. (The shared step below is for one series only: per
			// group it would need a fallback for every part.)
			r.badDelta = fmt.Sprintf("(\n  %s\n)\nor\n(\n  %s\n) * 0", indent(r.badDelta, 2), indent(r.totalDelta, 2))
			r.badStep = r.badDelta
		case c.good != "":
			r.badStep = r.sharedBadStep(c, opts)
		}
	}
	r.shape = promShape{r}
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
// earlier ones wrote at the same instant. The cost of a rule is mostly per
// selector, not per sample, so the shape keeps selectors few (see
// selectors_test.go): each raw counter's delta once, each window's start once
// for both sums, and every figure derived from the recorded window counts,
// all windows at once where the labels allow it.
func (r *sloRules) recording() []rule { return r.shape.recording() }

func (r promShape) recording() []rule {
	out := append([]rule{}, r.pre...)
	out = append(out, []rule{
		{Record: metricTotal, Expr: r.runningSum(metricTotal, r.totalDelta), Labels: r.labels()},
		{Record: metricBad, Expr: r.runningSum(metricBad, r.badStep), Labels: r.labels()},
		{Record: metricSums, Expr: r.sums(), Labels: r.labels()},
	}...)
	// One rule for every window's start: a rule costs a query (and a
	// querier over the TSDB) of its own, whatever its selectors.
	var starts []string
	for _, w := range windows(r.s) {
		starts = append(starts, fmt.Sprintf("label_replace(\n  %s,\n  \"window\", %s, \"\", \"\"\n)",
			indent(r.windowStart(w), 2), strconv.Quote(r.windowLabel(w))))
	}
	out = append(out, rule{Record: metricWindowStart, Expr: strings.Join(starts, "\nor\n"), Labels: r.labels()})
	W := r.s.Window.Duration
	wl := r.windowLabel(W)
	good := r.one(metricEvents, "window", wl, "result", "good")
	total := r.one(metricIncrease, "window", wl, "result", "total")
	badW := r.one(metricIncrease, "window", wl, "result", "bad")
	out = append(out,
		rule{Record: metricIncrease, Expr: r.windowIncrease(), Labels: r.labels()},
		// Every window's burn rate in one rule: bad × den / (total × num),
		// matched on window.
		rule{Record: metricBurn,
			Expr: fmt.Sprintf("(\n  %s%s\n  * %s\n)\n/ ignoring(result)\n(\n  (\n    %s%s\n    > 0\n  )\n  * %s\n)",
				metricIncrease, r.match("result", "bad"), num(r.den), metricIncrease, r.match("result", "total"), num(r.num)),
			Labels: r.labels()},
		// total − bad, as total × 1 + bad × (−1) over the window's pair of
		// series: one selector, and x + (−y) is x − y to the last bit.
		rule{Record: metricEvents,
			Expr:   r.weighted(wl, "1", "-1"),
			Labels: r.labels("window", wl, "result", "good")},
		rule{Record: metricEvents,
			Expr:   badW,
			Labels: r.labels("window", wl, "result", "bad")},
		// good / (good + bad): the sum of the window's two series.
		rule{Record: metricSLI,
			Expr:   fmt.Sprintf("%s\n/\n(%s > 0)", good, r.one(metricEvents, "window", wl)),
			Labels: r.labels("window", wl)},
		rule{Record: metricObjective,
			Expr:   fmt.Sprintf("vector(%s)", num((r.den-r.num)/r.den)),
			Labels: r.labels()},
		// (allowed − consumed) / allowed, both scaled to exact integers as
		// the daemon does, rather than 1 − burn: one rounding instead of two.
		// No traffic in the whole window spends nothing: the budget stays full.
		// The numerator total × num − bad × den is weighted like the good
		// count above.
		rule{Record: metricRemaining,
			Expr: fmt.Sprintf("(\n  %s\n)\n/\n(\n  %s * %s > 0\n)\nor\n%s",
				indent(r.weighted(wl, num(r.num), num(-r.den)), 2), total, num(r.num), r.constant("1", total)),
			Labels: r.labels()},
		// W × num × remaining / den, in the daemon's order of operations.
		rule{Record: metricRemainingSeconds,
			Expr:   fmt.Sprintf("%s * %s * %s / %s", num(W.Seconds()), num(r.num), r.one(metricRemaining), num(r.den)),
			Labels: r.labels()},
		// 0 once spent; remaining × W / burn(1h) while burning; +Inf when the
		// last hour burned nothing or had no traffic. With the remaining
		// budget clamped at 0 and a missing or zero burn read as 0, the one
		// division gives all three: x/0 is +Inf for x > 0, and the 0/0 of a
		// spent budget that no longer burns is NaN, which fails >= 0 and
		// becomes 0.
		// (Per group, a group without traffic in the last hour has no burn
		// rate; its zero comes from its remaining budget.)
		rule{Record: metricExhaustion,
			Expr: fmt.Sprintf("(\n  clamp_min(%s, 0) * %s\n  /\n  (%s > 0 or %s)\n) >= 0\nor\n%s",
				r.one(metricRemaining), num(W.Seconds()),
				r.one(metricBurn, "window", r.windowLabel(time.Hour)),
				r.constant("0", r.one(metricRemaining)), r.constant("0", r.one(metricRemaining))),
			Labels: r.labels()},
	)
	if cond := r.burnAlertCondition(); cond != "" {
		out = append(out, rule{Record: metricBurnAlert, Expr: cond, Labels: r.labels()})
	}
	return out
}

// sums copies both running sums into metricSums with one selector: the
// instant selector keeps the metric names, and label_replace turns them into
// the result label.
func (r *sloRules) sums() string {
	return fmt.Sprintf("%s (\n  label_replace(\n    {__name__=~%s,%s},\n    \"result\", \"$1\", \"__name__\", %s\n  )\n)",
		r.byResult(), strconv.Quote(sumsNames), r.sel[1:len(r.sel)-1], strconv.Quote(sumsNames))
}

// byResult is "sum by (result)", with the grouping labels of a grouped SLO.
func (r *sloRules) byResult() string {
	return "sum by (" + strings.Join(append([]string{"result"}, r.by...), ", ") + ")"
}

// sumsNames matches the two running sums' names, capturing the result.
const sumsNames = `slo:(total|bad)_events:running_sum`

// weighted is total × wTotal + bad × wBad over window wl's counts, one
// selector: the weights are a constant vector matched on result.
func (r *sloRules) weighted(wl, wTotal, wBad string) string {
	return fmt.Sprintf("%s(\n  %s%s\n  * on(result) group_left()\n  (%s or %s)\n)",
		r.sumOp(), metricIncrease, r.match("window", wl),
		withResult("vector("+wTotal+")", "total"), withResult("vector("+wBad+")", "bad"))
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

// sharedBadStep is the bad running sum's step for a good selector: what the
// total running sum just added (its sample now minus its previous one, the
// same previous sample its own rule started from: the range ends one
// interval back and starts where that rule's range starts) minus the good
// counters' delta.
func (r *sloRules) sharedBadStep(c counters, opts Options) string {
	totalStep := fmt.Sprintf("(%s - (sum(last_over_time(%s%s[%s] offset %s)) or vector(0)))",
		r.one(metricTotal), metricTotal, r.sel, dur(opts.Continuity-opts.Interval), dur(opts.Interval))
	return fmt.Sprintf("(\n  %s\n  -\n  (%s or vector(0))\n)", totalStep, indent(delta(c.good, opts, "sum"), 2))
}

// windowStart is both running sums' last sample at or before w ago (within
// Continuity), by result; 0 for a sum without one, so that a window longer
// than the running sums' history counts since they started: right for a new
// service, and `slobudget rules-backfill` (see README.md) writes the history
// for one that already had traffic.
//
// A grouped SLO's zero is per group: the sums written just before, times 0
// (one more selector per window).
func (r *sloRules) windowStart(w time.Duration) string {
	zero := withResult("vector(0)", "total") + "\nor\n" + withResult("vector(0)", "bad")
	if r.grouped() {
		zero = fmt.Sprintf("%s (%s%s) * 0", r.byResult(), metricSums, r.sel)
	}
	return fmt.Sprintf("%s (last_over_time(%s%s[%s] offset %s))\nor\n%s",
		r.byResult(), metricSums, r.sel, dur(r.opts.Continuity), dur(w), zero)
}

// windowIncrease is every window's count of total and bad events in one
// rule: the running sums now minus their window starts.
//
// After a gap longer than Continuity (Prometheus down for hours) the running
// sums start again from zero, and "now − w ago" turns negative: that would
// drop the burn rates and fill the budget back up, silencing every alert for
// a whole window. The total running sum only ever grows otherwise, so a
// total window start above the total now means a restart within w: that
// window's starts are then taken as 0 (multiplied by the 0 of the `bool`
// comparison), so both of its counts are since the restart (the gap's events
// are lost, the ones after it are not).
//
// A grouped SLO matches each group with its own: the grouping labels join
// every on().
func (r *sloRules) windowIncrease() string {
	on := func(labels ...string) string { return "on(" + strings.Join(append(labels, r.by...), ", ") + ")" }
	return fmt.Sprintf("%s%s\n- %s group_right()\n(\n  %s%s\n  * %s group_left()\n  (\n    %s%s\n    <= bool %s group_left()\n    %s%s\n  )\n)",
		metricSums, r.sel, on("result"), metricWindowStart, r.sel, on("window"),
		metricWindowStart, r.match("result", "total"), r.on(), metricSums, r.match("result", "total"))
}

// withResult sets the result label of a label-less expression.
func withResult(expr, result string) string {
	return fmt.Sprintf("label_replace(%s, \"result\", %s, \"\", \"\")", expr, strconv.Quote(result))
}

// match is this SLO's matcher set with more equality matchers.
func (r *sloRules) match(extra ...string) string {
	sel := r.sel[:len(r.sel)-1]
	for i := 0; i+1 < len(extra); i += 2 {
		sel += fmt.Sprintf(",%s=%s", extra[i], strconv.Quote(extra[i+1]))
	}
	return sel + "}"
}

// one selects one of this SLO's recorded series (or the sum of several),
// without labels (but the grouping labels of a grouped SLO), so that it
// combines with the label-less expressions around it.
func (r *sloRules) one(metric string, extra ...string) string {
	return fmt.Sprintf("%s(%s%s)", r.sumOp(), metric, r.match(extra...))
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
