// Package bench measures slobudget against a real Prometheus: cycle time and
// the samples Prometheus reads per cycle, next to naive increase() queries.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/common/model"
)

// StatsQuerier runs queries with stats=all and adds up how many samples
// Prometheus read (totalQueryableSamples). It implements exporter.Querier;
// the daemon itself uses client_golang, which drops the stats.
type StatsQuerier struct {
	URL     string
	Client  *http.Client
	Samples atomic.Int64
	Queries atomic.Int64
}

type statsResponse struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
		Stats      struct {
			Samples struct {
				TotalQueryableSamples int64 `json:"totalQueryableSamples"`
			} `json:"samples"`
		} `json:"stats"`
	} `json:"data"`
}

func unixString(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

func (q *StatsQuerier) query(ctx context.Context, expr string, at time.Time) (*statsResponse, error) {
	v := url.Values{}
	v.Set("time", unixString(at))
	return q.do(ctx, "query", expr, v)
}

func (q *StatsQuerier) do(ctx context.Context, endpoint, expr string, v url.Values) (*statsResponse, error) {
	v.Set("query", expr)
	v.Set("stats", "all")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, q.URL+"/api/v1/"+endpoint+"?"+v.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := q.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r statsResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decoding response to %q: %w", expr, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", expr, r.Error)
	}
	q.Samples.Add(r.Data.Stats.Samples.TotalQueryableSamples)
	q.Queries.Add(1)
	return &r, nil
}

// QueryMatrix implements exporter.Querier.
func (q *StatsQuerier) QueryMatrix(ctx context.Context, expr string, at time.Time) (model.Matrix, error) {
	r, err := q.query(ctx, expr, at)
	if err != nil {
		return nil, err
	}
	if r.Data.ResultType != "matrix" {
		return nil, fmt.Errorf("query %q: got %s, want matrix", expr, r.Data.ResultType)
	}
	var m model.Matrix
	if err := json.Unmarshal(r.Data.Result, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// QueryRange implements exporter.RangeQuerier.
func (q *StatsQuerier) QueryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) (model.Matrix, error) {
	v := url.Values{}
	v.Set("start", unixString(start))
	v.Set("end", unixString(end))
	v.Set("step", strconv.FormatFloat(step.Seconds(), 'f', -1, 64))
	r, err := q.do(ctx, "query_range", expr, v)
	if err != nil {
		return nil, err
	}
	var m model.Matrix
	if err := json.Unmarshal(r.Data.Result, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// QueryVector runs an instant query returning a vector.
func (q *StatsQuerier) QueryVector(ctx context.Context, expr string, at time.Time) (model.Vector, error) {
	r, err := q.query(ctx, expr, at)
	if err != nil {
		return nil, err
	}
	var v model.Vector
	if err := json.Unmarshal(r.Data.Result, &v); err != nil {
		return nil, err
	}
	return v, nil
}
