package backend

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// DefaultMaxResponseBytes caps one answer (after decompression): above it
// the query fails instead of growing the daemon's memory.
const DefaultMaxResponseBytes = 64 << 20

// Options say how to reach a Prometheus-compatible query API.
type Options struct {
	// URL is the API's base, e.g. http://prometheus:9090 or
	// http://mimir/prometheus; user info in it is sent as basic auth and
	// never printed.
	URL string
	// HTTPConfigFile is an optional YAML file in Prometheus's http_config
	// format (bearer_token_file, basic_auth, tls_config, http_headers such as
	// X-Scope-OrgID, proxy_url, ...).
	HTTPConfigFile string
	// Timeout bounds one query (default 30s).
	Timeout time.Duration
	// Concurrency bounds the queries in flight (default 8).
	Concurrency int
	// MaxResponseBytes caps one answer's size (default 64 MiB).
	MaxResponseBytes int64
	// Observe, when set, is told every query's outcome and duration.
	Observe func(Outcome, time.Duration)
	// Flavor is the kind of backend (flavor.go); empty means Prometheus.
	Flavor string
	// QueryStats, when set, asks Prometheus for query statistics and is told
	// how many samples each query read (benchmarks).
	QueryStats func(samplesRead int64)
}

// Prometheus is the client for the Prometheus HTTP query API and the
// backends that speak it. It is safe for concurrent use.
type Prometheus struct {
	endpoint
	client   *http.Client
	timeout  time.Duration
	sem      chan struct{}
	maxBytes int64
	observe  func(Outcome, time.Duration)
	stats    func(int64)
	flav     Flavor
}

var _ HourlySource = (*Prometheus)(nil)

// NewPrometheus builds a client from the options.
func NewPrometheus(o Options) (*Prometheus, error) {
	e, err := parseEndpoint(o.URL)
	if err != nil {
		return nil, err
	}
	flav, err := parseFlavor(o.Flavor)
	if err != nil {
		return nil, err
	}
	client, err := newHTTPClient(o.HTTPConfigFile, e)
	if err != nil {
		return nil, err
	}
	p := &Prometheus{
		endpoint: e, client: client,
		timeout:  cmpOr(o.Timeout, 30*time.Second),
		sem:      make(chan struct{}, cmpOr(o.Concurrency, 8)),
		maxBytes: cmpOr(o.MaxResponseBytes, DefaultMaxResponseBytes),
		observe:  o.Observe,
		stats:    o.QueryStats,
		flav:     flav,
	}
	return p, nil
}

func cmpOr[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func (p *Prometheus) flavor() Flavor { return p.flav }

// URL returns the backend's URL as it may be logged (password redacted).
func (p *Prometheus) URL() string { return p.redacted }

// Samples implements Source with a range-vector instant query
// (`selector[to-from]` at to), keeping only samples after from: Prometheus
// 2.x returns a sample exactly at the range's start, 3.x does not.
func (p *Prometheus) Samples(ctx context.Context, selector string, from, to time.Time) ([]Series, error) {
	if !to.After(from) {
		return nil, nil
	}
	query := selector + "[" + model.Duration(to.Sub(from)).String() + "]"
	a, err := p.instant(ctx, query, to, "matrix")
	if err != nil {
		return nil, err
	}
	lo := from.UnixMilli()
	out := a.series[:0]
	for _, s := range a.series {
		s.Floats = dropUpTo(s.Floats, lo)
		s.Histograms = dropHistogramsUpTo(s.Histograms, lo)
		if len(s.Floats) > 0 || len(s.Histograms) > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

// dropUpTo removes the samples at or before lo from a time-ordered slice.
func dropUpTo(ss []Sample, lo int64) []Sample {
	i := 0
	for i < len(ss) && ss[i].T <= lo {
		i++
	}
	return ss[i:]
}

// dropHistogramsUpTo is dropUpTo for native histogram samples.
func dropHistogramsUpTo(hs []HistogramSample, lo int64) []HistogramSample {
	i := 0
	for i < len(hs) && hs[i].T <= lo {
		i++
	}
	return hs[i:]
}

// Query runs an instant query and returns its result as series: a range
// vector as is, an instant vector with one sample per series, a scalar as
// one series without labels.
func (p *Prometheus) Query(ctx context.Context, expr string, at time.Time) ([]Series, error) {
	a, err := p.instant(ctx, expr, at, "")
	if err != nil {
		return nil, err
	}
	return a.series, nil
}

// QueryRange runs a range query (start, end, step) and returns its series.
func (p *Prometheus) QueryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Series, error) {
	form := url.Values{}
	form.Set("query", expr)
	form.Set("start", formatTime(start))
	form.Set("end", formatTime(end))
	form.Set("step", strconv.FormatFloat(step.Seconds(), 'f', -1, 64))
	when := fmt.Sprintf("%s..%s step %s", formatInstant(start), formatInstant(end), model.Duration(step))
	a, err := p.do(ctx, "query_range", form, expr, when, "matrix")
	if err != nil {
		return nil, err
	}
	return a.series, nil
}

func (p *Prometheus) instant(ctx context.Context, expr string, at time.Time, want string) (*answer, error) {
	form := url.Values{}
	form.Set("query", expr)
	form.Set("time", formatTime(at))
	return p.do(ctx, "query", form, expr, formatInstant(at), want)
}

func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

func formatInstant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func typeName(resultType string) string {
	if resultType == "" {
		return "nothing"
	}
	return resultType
}
