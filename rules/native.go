package rules

import (
	"fmt"
)

// Native histograms in the generated rules. A native histogram sample holds
// the observation count and the bucket counts since the process started.
// Prometheus 2.x applies neither offset nor last_over_time to native
// histograms (both come back empty), which the running sums' deltas need.
// So each evaluation first records two float counters per histogram series,
// and the running sums count those exactly like classic counters:
//
//   - slo:native_observations:total = histogram_count(h);
//   - slo:native_observations:good = the observations at or below the
//     threshold, histogram_fraction(-Inf, threshold, h) × histogram_count(h)
//     rounded: at a bucket boundary the fraction is whole buckets over the
//     count, and rounding removes the division's last-digit error. A
//     histogram without observations (0/0) counts 0.
//
// Differences from classic counters, said in README.md: the recorded
// counters have one sample per evaluation, so events are counted at the
// evaluation after their scrape (none is lost: the counters are cumulative),
// and a restart counts the events since the restart but not those between
// the last evaluation and the restart; the rules cannot see the schema, so a
// threshold that is not a bucket boundary is interpolated by
// histogram_fraction (the daemon refuses it and names the boundaries).
const (
	metricNativeTotal = "slo:native_observations:total"
	metricNativeGood  = "slo:native_observations:good"
)

// nativeGood is the observations at or below threshold of a histogram
// selector, 0 when it has none.
func nativeGood(h string, threshold float64) string {
	return fmt.Sprintf("round(histogram_fraction(-Inf, %s, %s) * histogram_count(%s)) >= 0\nor\nhistogram_count(%s)",
		num(threshold), h, h, h)
}

// nativeCounters returns the recording rules that turn the histogram into
// two float counters, and those counters' selectors for the running sums.
func (r *sloRules) nativeCounters(sel string, threshold float64) ([]rule, counters) {
	pre := []rule{
		{Record: metricNativeTotal, Expr: "histogram_count(" + sel + ")", Labels: r.labels()},
		{Record: metricNativeGood, Expr: nativeGood(sel, threshold), Labels: r.labels()},
	}
	return pre, counters{total: metricNativeTotal + r.sel, good: metricNativeGood + r.sel}
}
