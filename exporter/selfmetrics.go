package exporter

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// selfMetrics are slobudget's own metrics (prefix slobudget_), on a
// registry of their own.
type selfMetrics struct {
	queries         *prometheus.CounterVec
	queryDuration   *prometheus.HistogramVec
	evalDuration    prometheus.Histogram
	evalLast        prometheus.Gauge
	reloadSuccess   prometheus.Gauge
	reloadTimestamp prometheus.Gauge
	reloads         *prometheus.CounterVec
	slos            prometheus.Gauge
	badSamples      *prometheus.CounterVec
	rejected        prometheus.Counter
}

func newSelfMetrics(reg prometheus.Registerer) *selfMetrics {
	m := &selfMetrics{
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slobudget_prometheus_queries_total",
			Help: "Queries sent to Prometheus, by outcome (success, timeout, server_error, bad_response, query_error, client_error, too_large, error).",
		}, []string{"outcome"}),
		queryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "slobudget_prometheus_query_duration_seconds",
			Help:    "Duration of queries sent to Prometheus, by outcome.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"outcome"}),
		evalDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "slobudget_evaluation_duration_seconds",
			Help:    "Duration of one evaluation cycle over all SLOs.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}),
		evalLast: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "slobudget_last_evaluation_timestamp_seconds",
			Help: "When the last evaluation cycle finished.",
		}),
		reloadSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "slobudget_config_last_reload_successful",
			Help: "Whether the last configuration reload attempt was successful.",
		}),
		reloadTimestamp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "slobudget_config_last_reload_success_timestamp_seconds",
			Help: "Timestamp of the last successful configuration reload.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slobudget_config_reloads_total",
			Help: "Configuration reload attempts, by result.",
		}, []string{"result"}),
		slos: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "slobudget_slos",
			Help: "Number of SLOs in the loaded configuration.",
		}),
		badSamples: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slobudget_bad_samples_total",
			Help: "Counter samples skipped as bad (reason: nan, which includes staleness markers; inf; negative). Each ends its series' run; the next good sample is a new baseline.",
		}, []string{"slo", "reason"}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "slobudget_http_requests_rejected_total",
			Help: "Requests for /metrics, the API or the status page answered 503 because --web.max-requests-in-flight were being served.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.queries, m.queryDuration, m.evalDuration, m.evalLast, m.reloadSuccess, m.reloadTimestamp, m.reloads, m.slos, m.badSamples, m.rejected)
	}
	for _, o := range backend.Outcomes {
		m.queries.WithLabelValues(string(o))
	}
	m.reloads.WithLabelValues("success")
	m.reloads.WithLabelValues("failure")
	return m
}

// observeQuery is the backend client's Observe hook.
func (m *selfMetrics) observeQuery(outcome backend.Outcome, d time.Duration) {
	m.queries.WithLabelValues(string(outcome)).Inc()
	m.queryDuration.WithLabelValues(string(outcome)).Observe(d.Seconds())
}

// ConfigApplied implements engine.Observer.
func (m *selfMetrics) ConfigApplied(slos int) { m.slos.Set(float64(slos)) }

// EvaluationFinished implements engine.Observer.
func (m *selfMetrics) EvaluationFinished(took time.Duration, _, _ int) {
	m.evalDuration.Observe(took.Seconds())
	m.evalLast.Set(float64(time.Now().UnixNano()) / 1e9)
}

// BadSamples implements engine.Observer.
func (m *selfMetrics) BadSamples(slo, reason string, n int) {
	m.badSamples.WithLabelValues(slo, reason).Add(float64(n))
}

// forgetRemoved drops the per-SLO series of SLOs a reload removed.
func (m *selfMetrics) forgetRemoved(old, cur *slo.Config) {
	keep := map[string]bool{}
	for _, s := range cur.SLOs {
		keep[s.Name] = true
	}
	for _, s := range old.SLOs {
		if !keep[s.Name] {
			m.badSamples.DeletePartialMatch(prometheus.Labels{"slo": s.Name})
		}
	}
}
