package rules

import (
	"fmt"
	"time"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"github.com/slobudget/slobudget/slo"
)

// A time-slice SLI counts slices, not requests: the group of such an SLO is
// evaluated once per slice, and each evaluation adds 1 to the total running
// sum when the gauge has a sample in the slice just read, and 1 to the bad
// running sum when some series' last sample in it breaks the condition. The
// window counts, burn rates and alerts are then the same rules as for
// counters. README.md ("Time-slice SLIs") relates these slices to the
// daemon's.

// timesliceOptions gives a time-slice SLO's group its own evaluation
// interval, the slice, so that consecutive evaluations read adjacent slices.
func timesliceOptions(s *slo.SLO, opts Options) (Options, error) {
	slice := s.SLI.TimeSlice.Slice
	if slice < time.Second || slice%time.Second != 0 {
		return opts, fmt.Errorf("time slice %s: want whole seconds, at least 1s", slice)
	}
	for _, w := range windows(s) {
		if w%slice != 0 {
			return opts, fmt.Errorf("time slice %s does not divide the %s window; use a slice that divides 5m (such as 30s, 1m or 5m)", dur(slice), slo.WindowLabel(w))
		}
	}
	opts.Interval = slice
	// The running sums must survive a gap of at least one missed evaluation.
	opts.Continuity = max(opts.Continuity, 2*slice)
	return opts, nil
}

// sliceQuery normalises the gauge selector through the PromQL parser, so a
// malformed one fails here with its field name.
func sliceQuery(ts *slo.TimeSliceSLI) (string, error) {
	if ts.Query == "" {
		return "", fmt.Errorf("sli timeslice: no query")
	}
	q, err := plain(ts.Query)
	if err != nil {
		return "", fmt.Errorf("sli timeslice condition: %w", err)
	}
	if _, err := promqlparse.ParseCondition(ts.Condition()); err != nil {
		return "", fmt.Errorf("sli timeslice condition: %w", err)
	}
	return q, nil
}

// lastInSlice is, per series, the last sample of the slice (t−delay−slice,
// t−delay]. The range is one millisecond short of the slice because
// Prometheus 2.x selects both ends of a range, [t−range, t]: a sample right
// on a boundary must count in one slice only, the later one, as the daemon
// counts it (Prometheus 3.x selects (t−range, t]; see README.md).
func lastInSlice(query string, slice, delay time.Duration) string {
	return fmt.Sprintf("last_over_time(%s[%s]%s)", query, dur(slice-time.Millisecond), offset(delay))
}

// sliceDeltas are the per-evaluation increments of the two running sums: 1
// to total when any series has a sample in the slice; 1 to bad when, in
// addition, the last sample of some series breaks the condition. Counting
// "all minus those that hold" rather than negating the comparison keeps a
// NaN sample bad, as the daemon's Go comparison would judge it.
//
// For a grouped SLO (by non-empty) each group's slices are counted apart:
// the counts keep the grouping labels, and "none holds" falls back to the
// group's own zero instead of a label-less vector(0).
func sliceDeltas(ts *slo.TimeSliceSLI, query string, opts Options, by string) (total, bad string) {
	last := lastInSlice(query, ts.Slice, opts.Delay)
	count := "count"
	if by != "" {
		count = "count by (" + by + ")"
	}
	zero := "vector(0)"
	if by != "" {
		zero = fmt.Sprintf("%s(%s) * 0", count, last)
	}
	total = fmt.Sprintf("%s(%s) > bool 0", count, last)
	bad = fmt.Sprintf("(\n  %s(%s)\n  -\n  (%s(%s %s %s) or %s)\n) > bool 0",
		count, last, count, last, ts.Op, num(ts.Threshold), zero)
	return total, bad
}
