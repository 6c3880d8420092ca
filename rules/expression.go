package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"github.com/slobudget/slobudget/slo"
)

// estimateRange is the shortest range an estimate's rules fill the window
// placeholder with: rate() over one interval of a minute or less would often
// see fewer than two samples.
const estimateRange = 5 * time.Minute

// estimateDeltas are the running sums' deltas of an estimate (an expression
// that does not reduce to counters), by the daemon's definition
// (counting.Estimate): every second with an error ratio weighs the same, so
// one evaluation adds its interval's seconds to the total and the error
// ratio times those seconds to bad. The ratio is the daemon's query
// (ErrorRatioQuery) with the window filled as the interval, at least 5m: the
// running sum of a 5m ratio every interval is its moving average, which
// over the SLO window is the daemon's hourly mean up to the few minutes at
// the window's edges. A ratio that is not a number (no traffic) or outside
// [0, 1] adds nothing, as in the daemon; its absence is "no data".
func estimateDeltas(e *slo.ExpressionSLI, opts Options) (present, total, bad string) {
	present = "(" + e.ErrorRatioQuery(dur(max(opts.Interval, estimateRange))) + ")"
	ratio := present + " >= 0 <= 1"
	secs := num(opts.Interval.Seconds())
	return present, fmt.Sprintf("count(%s) * %s", ratio, secs), fmt.Sprintf("sum(%s) * %s", ratio, secs)
}

// expressionDeltas returns what one evaluation adds to the total and bad
// running sums of an expression SLI that reduces to counters, and the
// selector whose absence means no data (the total's first counter, the one
// the daemon's coverage is about). Each side is the signed sum of its
// counter terms' exact deltas (delta), each term defaulting to 0 so that a
// term without series does not empty the side; with good rather than errors,
// bad is total minus good. This is the increase of the expression's sums,
// counted like an events SLI, not the expression's rate() or increase()
// with its extrapolation.
func expressionDeltas(e *slo.ExpressionSLI, opts Options) (present, total, bad string, err error) {
	red, err := e.Reduced()
	if err != nil {
		present, total, bad = estimateDeltas(e, opts)
		return present, total, bad, nil
	}
	total = signedSum(red.Total.Terms, opts)
	switch {
	case red.Bad.Terms != nil:
		bad = signedSum(red.Bad.Terms, opts)
	default:
		bad = fmt.Sprintf("(\n  %s\n  -\n  %s\n)", indent(total, 2), indent(signedSum(red.Good.Terms, opts), 2))
	}
	return red.Total.Terms[0].Selector.String(), total, bad, nil
}

// signedSum is `(delta(a) or vector(0)) + (delta(b) or vector(0)) - ...`.
func signedSum(terms []promqlparse.Term, opts Options) string {
	var b strings.Builder
	b.WriteString("(\n")
	for i, t := range terms {
		switch {
		case t.Sign < 0:
			b.WriteString("  -\n")
		case i > 0:
			b.WriteString("  +\n")
		}
		fmt.Fprintf(&b, "  (%s or vector(0))\n", indent(delta(t.Selector.String(), opts, "sum"), 2))
	}
	b.WriteString(")")
	return b.String()
}
