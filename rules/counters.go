package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/slobudget/slobudget/internal/promqlparse"
	"github.com/slobudget/slobudget/slo"
)

// counters are the raw counter selectors of an SLI. Exactly one of bad and
// good is set; total always is.
type counters struct {
	good, bad, total string
}

// sliCounters takes the counter selectors from the slo package, the same ones
// the daemon reads, and normalises them through the PromQL parser so that a
// malformed one fails here with its field name rather than in Prometheus.
func sliCounters(s *slo.SLO) (counters, error) {
	kind := s.SLI.Kind()
	if kind != slo.KindEvents && kind != slo.KindLatency {
		return counters{}, fmt.Errorf("sli kind %q has no counters", kind)
	}
	good, bad, total := s.SLI.CounterSelectors()
	if total == "" {
		return counters{}, fmt.Errorf("sli: no total counter selector (is the histogram a valid selector?)")
	}
	var c counters
	var err error
	if c.total, err = plain(total); err != nil {
		return c, fmt.Errorf("sli total selector: %w", err)
	}
	switch {
	case bad != "":
		c.bad, err = plain(bad)
	case good != "":
		c.good, err = plain(good)
	default:
		err = fmt.Errorf("neither a good nor a bad selector")
	}
	if err != nil {
		return c, fmt.Errorf("sli: %w", err)
	}
	return c, nil
}

// deltas are what one evaluation adds to the total and bad running sums.
// With a good selector, bad is total minus good, each side defaulting to 0 so
// that a step where one of them has no series still adds the other. This
// standalone form is what rules-backfill runs as a range query; the bad
// running sum's rule itself takes the total's delta from the total running
// sum written just before it (sloRules.badStep), so each raw selector's delta
// is evaluated once per step. sumOp is "sum" or, for a grouped SLO,
// "sum by (labels)" (then grouped is true).
func (c counters) deltas(opts Options, sumOp string, grouped bool) (total, bad string) {
	total = delta(c.total, opts, sumOp)
	if c.bad != "" {
		return total, delta(c.bad, opts, sumOp)
	}
	good := delta(c.good, opts, sumOp)
	if grouped {
		// Per group: total − good, or either side alone.
		return total, fmt.Sprintf("(\n  %s\n  -\n  %s\n)\nor\n%s\nor\n-(\n  %s\n)",
			indent(total, 2), indent(good, 2), total, indent(good, 2))
	}
	return total, fmt.Sprintf("(\n  (%s or vector(0))\n  -\n  (%s or vector(0))\n)",
		indent(total, 2), indent(good, 2))
}

func plain(s string) (string, error) {
	sel, err := promqlparse.ParseVectorSelector(s)
	if err != nil {
		return "", err
	}
	return sel.String(), nil
}

// delta is the increase of the counters selected by sel between the previous
// evaluation and this one, summed over series, read opts.Delay behind the
// evaluation instant. The previous value is the last sample up to one
// interval earlier (last_over_time over Continuity); the step's rise is its
// highest sample (max_over_time over the interval) minus that. At instants
// exactly one interval apart, one step's samples end where the next step's
// previous value starts, so the deltas of consecutive evaluations telescope
// to the exact increase; unlike increase() nothing is extrapolated. Reading
// the previous value with last_over_time rather than the 5m lookback of an
// instant selector bridges a series' gap (failed scrapes, a restarted
// exporter) of up to Continuity: when the series comes back, its first delta
// spans the gap, as the daemon counts it.
//
// A reset (current value below the previous one) adds the rise before it
// (the step's highest sample minus the previous value, 0 when it fell at
// once) plus the value after it, which counts from zero: exact for one reset
// per step. Without a reset the highest sample is the current one, so the
// same sum is current − previous. Written this way each selector is read
// once per term (four in all) instead of repeating the current and previous
// reads in both branches of an `or`. A series new in this step adds nothing,
// like the daemon's per-series differences.
//
// sumOp is "sum", or "sum by (labels)" for a grouped SLO. A grouped SLO
// keeps the per-series form (current − previous when it did not fall, the
// reset sum otherwise; five selectors): the sum of the four-selector form is
// empty for a group whose series had no sample in the step (max_over_time
// finds none) and its reset part would need a per-group zero, whereas a
// step without samples must add 0 to each group, as vector(0) does for one
// SLO.
func delta(sel string, opts Options, sumOp string) string {
	cur := sel + offset(opts.Delay)
	prev := fmt.Sprintf("last_over_time(%s[%s]%s)", sel, dur(opts.Continuity), offset(opts.Delay+opts.Interval))
	peak := fmt.Sprintf("max_over_time(%s[%s]%s)", sel, dur(opts.Interval), offset(opts.Delay))
	if sumOp != "sum" {
		return fmt.Sprintf("%s(\n  (%s - %s) >= 0\n  or\n  clamp_min(%s - %s, 0) + %s\n)", sumOp, cur, prev, peak, prev, cur)
	}
	return fmt.Sprintf("(\n  sum(clamp_min(%s - %s, 0))\n  +\n  (sum(%s < %s) or vector(0))\n)", peak, prev, cur, prev)
}

func offset(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return " offset " + dur(d)
}

func dur(d time.Duration) string { return model.Duration(d).String() }

// indent shifts every line after the first by n spaces, so that nested
// expressions stay readable in the YAML.
func indent(s string, n int) string {
	return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", n))
}
