package exporter

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slobudget/slobudget/slo"
)

var (
	periodStartDesc = desc("slo_window_period_start_timestamp_seconds", "Calendar windows: when the current period began (local midnight in the window's time zone); the budget counts events since then. Absent for rolling windows.")
	periodEndDesc   = desc("slo_window_period_end_timestamp_seconds", "Calendar windows: when the current period ends and the budget resets. Absent for rolling windows.")
	excludedDesc    = desc("slo_excluded_events", "Events in the SLO window inside agreed exclusions, by result (good, bad): counted neither good nor bad, so left out of every other figure.", "result")
)

// collectNegotiation adds what calendar windows and agreed exclusions add to
// an evaluated SLO's series. The period is known even without data; the
// excluded events are counts, so only with numbers.
func collectNegotiation(gauge func(*prometheus.Desc, float64, ...string), r slo.Result) {
	if !r.PeriodStart.IsZero() {
		gauge(periodStartDesc, float64(r.PeriodStart.UnixMilli())/1000)
		gauge(periodEndDesc, float64(r.PeriodEnd.UnixMilli())/1000)
	}
	if !r.HasNumbers() {
		return
	}
	ex := r.ExcludedTotal()
	gauge(excludedDesc, ex.Good, "good")
	gauge(excludedDesc, ex.Bad(), "bad")
}
