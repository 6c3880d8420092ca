package exporter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/client_golang/prometheus"
	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// PromOptions says how to reach Prometheus (or Thanos, Mimir, Cortex).
type PromOptions struct {
	URL string
	// HTTPConfigFile is an optional YAML file in Prometheus's http_config
	// format (bearer_token_file, basic_auth, tls_config, http_headers such as
	// X-Scope-OrgID, proxy_url, ...).
	HTTPConfigFile string
	Timeout        time.Duration
	Concurrency    int
}

// Querier runs instant queries that return range vectors of raw samples.
// An implementation that also offers range queries (RangeQuerier) lets the
// engine load history cheaply.
type Querier interface {
	QueryMatrix(ctx context.Context, query string, at time.Time) (model.Matrix, error)
}

// promQuerier is the Querier backed by the Prometheus HTTP API. It bounds
// concurrency and time per query and counts queries by outcome.
type promQuerier struct {
	api     v1.API
	timeout time.Duration
	sem     chan struct{}
	metrics *selfMetrics
}

// NewPromQuerier builds a client from the options.
func NewPromQuerier(o PromOptions, m *selfMetrics) (RangeQuerier, error) {
	if err := checkPromURL(o.URL); err != nil {
		return nil, err
	}
	cfg := promconfig.DefaultHTTPClientConfig
	if o.HTTPConfigFile != "" {
		raw, err := os.ReadFile(o.HTTPConfigFile)
		if err != nil {
			return nil, fmt.Errorf("reading Prometheus HTTP config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", o.HTTPConfigFile, err)
		}
		cfg.SetDirectory(dirOf(o.HTTPConfigFile))
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", o.HTTPConfigFile, err)
		}
	}
	rt, err := promconfig.NewRoundTripperFromConfig(cfg, "slobudget")
	if err != nil {
		return nil, fmt.Errorf("building Prometheus HTTP client: %w", err)
	}
	client, err := api.NewClient(api.Config{Address: o.URL, RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("prometheus client for %q: %w", o.URL, err)
	}
	conc := o.Concurrency
	if conc <= 0 {
		conc = 8
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &promQuerier{api: v1.NewAPI(client), timeout: timeout, sem: make(chan struct{}, conc), metrics: m}, nil
}

// checkPromURL rejects a Prometheus URL that can never work, at start-up
// rather than in every cycle: "localhost:9090" parses as scheme "localhost"
// and the daemon would otherwise start, report ready, and fail every query
// with "unsupported protocol scheme".
func checkPromURL(raw string) error {
	if raw == "" {
		return errors.New("--prometheus.url is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("--prometheus.url %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--prometheus.url %q: want an http:// or https:// URL with a host, e.g. http://localhost:9090", raw)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return "."
}

func (p *promQuerier) QueryMatrix(ctx context.Context, query string, at time.Time) (model.Matrix, error) {
	return p.run(ctx, query, func(ctx context.Context) (model.Value, v1.Warnings, error) {
		val, warnings, _, err := p.api.Query(ctx, query, at, v1.WithTimeout(p.timeout))
		return val, warnings, err
	}, at.UTC().Format(time.RFC3339))
}

func (p *promQuerier) QueryRange(ctx context.Context, query string, start, end time.Time, step time.Duration) (model.Matrix, error) {
	return p.run(ctx, query, func(ctx context.Context) (model.Value, v1.Warnings, error) {
		val, warnings, _, err := p.api.QueryRange(ctx, query, v1.Range{Start: start, End: end, Step: step}, v1.WithTimeout(p.timeout))
		return val, warnings, err
	}, fmt.Sprintf("%s..%s step %s", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), step))
}

// run sends one query within the concurrency and time limits, counts it by
// outcome, and accepts only a complete range vector.
func (p *promQuerier) run(ctx context.Context, query string, do func(context.Context) (model.Value, v1.Warnings, error), when string) (model.Matrix, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.sem }()

	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	start := time.Now()
	val, warnings, err := do(ctx)
	outcome := "success"
	defer func() { p.metrics.observeQuery(outcome, time.Since(start)) }()
	if err != nil {
		outcome = classifyError(err)
		return nil, fmt.Errorf("query %q at %s: %w", query, when, err)
	}
	if len(warnings) > 0 {
		// Thanos and Mimir warn when some stores did not answer: counts
		// from a partial response would be too low, so they are not used.
		outcome = "bad_response"
		return nil, fmt.Errorf("query %q: partial response: %s", query, strings.Join(warnings, "; "))
	}
	m, ok := val.(model.Matrix)
	if !ok {
		outcome = "bad_response"
		return nil, fmt.Errorf("query %q: expected a range vector, got %s", query, typeName(val))
	}
	return m, nil
}

func typeName(v model.Value) string {
	if v == nil {
		return "nothing"
	}
	return v.Type().String()
}

func classifyError(err error) string {
	var apiErr *v1.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &apiErr):
		switch apiErr.Type {
		case v1.ErrTimeout, v1.ErrCanceled:
			return "timeout"
		case v1.ErrBadResponse:
			return "bad_response"
		case v1.ErrServer:
			return "server_error"
		case v1.ErrBadData, v1.ErrExec:
			return "query_error"
		case v1.ErrClient:
			return "client_error"
		}
	}
	return "error"
}

// selfMetrics are slobudget's own metrics, on a registry of their own.
type selfMetrics struct {
	queries         *prometheus.CounterVec
	queryDuration   *prometheus.HistogramVec
	evalDuration    prometheus.Histogram
	evalLast        prometheus.Gauge
	reloadSuccess   prometheus.Gauge
	reloadTimestamp prometheus.Gauge
	reloads         *prometheus.CounterVec
	slos            prometheus.Gauge
}

func newSelfMetrics(reg prometheus.Registerer) *selfMetrics {
	m := &selfMetrics{
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slobudget_prometheus_queries_total",
			Help: "Queries sent to Prometheus, by outcome (success, timeout, server_error, bad_response, query_error, client_error, error).",
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
	}
	if reg != nil {
		reg.MustRegister(m.queries, m.queryDuration, m.evalDuration, m.evalLast, m.reloadSuccess, m.reloadTimestamp, m.reloads, m.slos)
	}
	for _, o := range []string{"success", "timeout", "server_error", "bad_response", "query_error", "error"} {
		m.queries.WithLabelValues(o)
	}
	m.reloads.WithLabelValues("success")
	m.reloads.WithLabelValues("failure")
	return m
}

func (m *selfMetrics) observeQuery(outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.queries.WithLabelValues(outcome).Inc()
	m.queryDuration.WithLabelValues(outcome).Observe(d.Seconds())
}

var _ http.RoundTripper = http.DefaultTransport
