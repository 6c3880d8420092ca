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

// sliCounters derives the counter selectors from the SLI. It mirrors what the
// daemon reads, so that both count the same series.
//
// TODO(lead): switch to slo.SLI.CounterSelectors() once it exists, so there is
// one definition of "which series an SLI counts".
func sliCounters(s *slo.SLO) (counters, error) {
	switch s.SLI.Kind() {
	case slo.KindEvents:
		e := s.SLI.Events
		var c counters
		var err error
		if c.total, err = plain(e.Total); err != nil {
			return c, fmt.Errorf("sli.events.total: %w", err)
		}
		if e.Errors != "" {
			if c.bad, err = plain(e.Errors); err != nil {
				return c, fmt.Errorf("sli.events.errors: %w", err)
			}
		} else {
			if c.good, err = plain(e.Good); err != nil {
				return c, fmt.Errorf("sli.events.good: %w", err)
			}
		}
		return c, nil
	case slo.KindLatency:
		sel, err := promqlparse.ParseVectorSelector(s.SLI.Latency.Histogram)
		if err != nil {
			return counters{}, fmt.Errorf("sli.latency.histogram: %w", err)
		}
		if sel.HasMatcherOn("le") {
			return counters{}, fmt.Errorf("sli.latency.histogram: must not match on le; the threshold picks the bucket")
		}
		bucket, err := sel.WithSuffix("_bucket")
		if err != nil {
			return counters{}, fmt.Errorf("sli.latency.histogram: %w", err)
		}
		count, err := sel.WithSuffix("_count")
		if err != nil {
			return counters{}, fmt.Errorf("sli.latency.histogram: %w", err)
		}
		bucket = bucket.WithMatcher(promqlparse.LeMatcher(s.SLI.Latency.Threshold))
		return counters{good: bucket.String(), total: count.String()}, nil
	}
	return counters{}, fmt.Errorf("sli kind %q has no counters", s.SLI.Kind())
}

func plain(s string) (string, error) {
	sel, err := promqlparse.ParseVectorSelector(s)
	if err != nil {
		return "", err
	}
	return sel.String(), nil
}

// delta is the increase of the counters selected by sel between the previous
// evaluation and this one, summed over series, read delay behind the
// evaluation instant. Instant selectors at instants exactly one interval
// apart pick the same sample at the end of one step and the start of the
// next, so the deltas of consecutive evaluations telescope to the exact
// increase; unlike increase() nothing is extrapolated.
//
// A reset (value below the previous one) adds the rise before the reset, read
// as the highest sample of the step, plus the value after it, which counts
// from zero: exact for one reset per step. A series that is new in this step
// adds nothing, like the daemon's per-series differences.
func delta(sel string, interval, delay time.Duration) string {
	cur := sel + offset(delay)
	prev := sel + offset(delay+interval)
	peak := fmt.Sprintf("max_over_time(%s[%s]%s)", sel, dur(interval), offset(delay))
	return fmt.Sprintf("sum(\n  (%s - %s) >= 0\n  or\n  clamp_min(%s - %s, 0) + %s\n)", cur, prev, peak, prev, cur)
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
