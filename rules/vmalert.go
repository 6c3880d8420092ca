package rules

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// vmalertShape is the rule shape for vmalert (--rules.engine=vmalert).
//
// vmalert evaluates a group's rules one after another like Prometheus, but
// writes their results by remote write: a rule that reads another rule's
// output of the same evaluation sees the previous one (or, before the flush
// lands, an older one). So here no rule reads a series written in the same
// evaluation:
//
//   - the running sums read their own previous sample, which the previous
//     evaluation wrote one interval ago (flushed within seconds);
//   - every other figure is computed from the running sums alone, with both
//     ends of each window read one interval back: a window's count at t is
//     sum(t − I) − sum(t − I − w), the last samples at or before those
//     instants. The figures are therefore those of the window ending one
//     interval (plus Delay) before the evaluation, with the same restart
//     guard as the Prometheus shape;
//   - with a good selector the bad running sum adds total delta − good delta
//     itself instead of reading the total running sum it just wrote.
//
// The price is selectors: every burn rate, budget and alert repeats the
// running-sum reads it needs (README.md compares the counts).
//
// A grouped SLO keeps its grouping labels in every sum and matches on them;
// its fallbacks are per group (sloRules.constant), as in the Prometheus
// shape. A native histogram's float counters (native.go) are recorded first
// as there: the running sums read them Delay back, long since flushed.
type vmalertShape struct{ *sloRules }

// lagged is a running sum's last sample at or before ago + one interval.
func (v vmalertShape) lagged(metric string, ago time.Duration) string {
	return fmt.Sprintf("%s(last_over_time(%s%s[%s] offset %s))", v.sumOp(), metric, v.sel, dur(v.opts.Continuity), dur(ago+v.opts.Interval))
}

// count is the events metric's running sum grew by over window w, ending
// one interval back. A total start above the total end means the running
// sums restarted within w (see windowIncrease): then both counts are the
// end values, the events since the restart.
func (v vmalertShape) count(metric string, w time.Duration) string {
	diff := func(m string) string {
		return fmt.Sprintf("(%s - (%s or %s))", v.lagged(m, 0), v.lagged(m, w), v.constant("0", v.lagged(m, 0)))
	}
	return fmt.Sprintf("(\n  (%s and %s %s >= 0)\n  or\n  %s\n)", diff(metric), v.on(), diff(metricTotal), v.lagged(metric, 0))
}

func (v vmalertShape) burn(w time.Duration) string {
	return fmt.Sprintf("(\n  %s\n  * %s\n)\n/\n(\n  (\n    %s\n    > 0\n  )\n  * %s\n)",
		indent(v.count(metricBad, w), 2), num(v.den), indent(v.count(metricTotal, w), 4), num(v.num))
}

func (v vmalertShape) remaining() string {
	W := v.s.Window.Duration
	total, bad := v.count(metricTotal, W), v.count(metricBad, W)
	return fmt.Sprintf("(\n  (\n    %s * %s - %s * %s\n  )\n  /\n  (\n    %s * %s > 0\n  )\n  or\n  %s\n)",
		indent(total, 4), num(v.num), indent(bad, 4), num(v.den), indent(total, 4), num(v.num), indent(v.constant("1", total), 2))
}

func (v vmalertShape) burnCondition(p slo.AlertPair) string {
	factor := num(p.Factor)
	expr := fmt.Sprintf("%s > %s\nand\n%s > %s", v.burn(p.Long), factor, v.burn(p.Short), factor)
	if v.opts.MinBadEvents > 1 && v.s.SLI.TimeSlice == nil {
		expr += fmt.Sprintf("\nand\n%s >= %s", v.count(metricBad, p.Long), num(v.opts.MinBadEvents))
	}
	return expr
}

func (v vmalertShape) recording() []rule {
	out := append([]rule{}, v.pre...)
	out = append(out,
		rule{Record: metricTotal, Expr: v.runningSum(metricTotal, v.totalDelta), Labels: v.labels()},
		rule{Record: metricBad, Expr: v.runningSum(metricBad, v.badDelta), Labels: v.labels()},
	)
	for _, w := range windows(v.s) {
		out = append(out, rule{Record: metricBurn, Expr: v.burn(w), Labels: v.labels("window", v.windowLabel(w))})
	}
	W := v.s.Window.Duration
	wl := v.windowLabel(W)
	total, bad := v.count(metricTotal, W), v.count(metricBad, W)
	out = append(out,
		rule{Record: metricEvents,
			Expr:   fmt.Sprintf("%s\n-\n%s", total, bad),
			Labels: v.labels("window", wl, "result", "good")},
		rule{Record: metricEvents, Expr: bad, Labels: v.labels("window", wl, "result", "bad")},
		rule{Record: metricSLI,
			Expr:   fmt.Sprintf("(\n  %s\n  -\n  %s\n)\n/\n(\n  %s\n  > 0\n)", indent(total, 2), indent(bad, 2), indent(total, 2)),
			Labels: v.labels("window", wl)},
		rule{Record: metricObjective, Expr: fmt.Sprintf("vector(%s)", num((v.den-v.num)/v.den)), Labels: v.labels()},
		rule{Record: metricRemaining, Expr: v.remaining(), Labels: v.labels()},
		rule{Record: metricRemainingSeconds,
			Expr:   fmt.Sprintf("%s * %s * %s / %s", num(W.Seconds()), num(v.num), v.remaining(), num(v.den)),
			Labels: v.labels()},
		rule{Record: metricExhaustion,
			Expr: fmt.Sprintf("(\n  clamp_min(%s, 0) * %s\n  /\n  (%s > 0 or %s)\n) >= 0\nor\n%s",
				indent(v.remaining(), 2), num(W.Seconds()), indent(v.burn(time.Hour), 2),
				indent(v.constant("0", v.remaining()), 2), v.constant("0", v.remaining())),
			Labels: v.labels()},
	)
	return out
}
