package slo

import (
	"strconv"

	"github.com/slobudget/slobudget/internal/promqlparse"
)

// CounterSelectors returns the counter selectors the daemon and the rule
// generator query for an events or latency SLI. Exactly one of good and bad
// is non-empty; total is always set. For a latency SLI, good is the
// histogram's _bucket series at the threshold, with an le matcher that
// matches both the Prometheus 2.x ("1") and 3.x ("1.0") spelling, and total
// is its _count series. A time-slice SLI has no counters: all three are empty.
//
// The SLI must have come from LoadFiles or Parse (validated); for an invalid
// latency selector all three are empty.
func (s SLI) CounterSelectors() (good, bad, total string) {
	switch {
	case s.Events != nil:
		return s.Events.Good, s.Events.Errors, s.Events.Total
	case s.Latency != nil:
		bucket, count, err := histogramSelectors(s.Latency.Histogram, s.Latency.Threshold)
		if err != nil {
			return "", "", ""
		}
		return bucket, "", count
	}
	return "", "", ""
}

func histogramSelectors(histogram string, threshold float64) (bucket, count string, err error) {
	sel, err := promqlparse.ParseVectorSelector(histogram)
	if err != nil {
		return "", "", err
	}
	b, err := sel.WithSuffix("_bucket")
	if err != nil {
		return "", "", err
	}
	c, err := sel.WithSuffix("_count")
	if err != nil {
		return "", "", err
	}
	return b.WithMatcher(promqlparse.LeMatcher(threshold)).String(), c.String(), nil
}

// Condition returns the time-slice condition as one PromQL expression, e.g.
// `pipeline_lag_seconds{pipeline="orders"} < 900`: it returns the samples
// for which the condition holds.
func (t TimeSliceSLI) Condition() string {
	return t.Query + " " + t.Op + " " + strconv.FormatFloat(t.Threshold, 'g', -1, 64)
}
