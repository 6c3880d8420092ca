// Package promapi serves the Prometheus HTTP query API (/api/v1/query and
// /api/v1/query_range) from Prometheus's own PromQL engine over any
// storage.Queryable, for tests of the HTTP client: an httptest server in
// front of it answers exactly as a Prometheus 3 server would, and fault
// injection wraps it.
package promapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
)

// Handler answers query API requests from q.
func Handler(q storage.Queryable) http.Handler {
	eng := promql.NewEngine(promql.EngineOpts{
		MaxSamples:    50_000_000,
		Timeout:       time.Minute,
		LookbackDelta: 5 * time.Minute,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/query", func(w http.ResponseWriter, r *http.Request) {
		at, err := parseTime(r.FormValue("time"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_data", err.Error())
			return
		}
		qry, err := eng.NewInstantQuery(r.Context(), q, nil, r.FormValue("query"), at)
		run(w, r, qry, err)
	})
	mux.HandleFunc("/api/v1/query_range", func(w http.ResponseWriter, r *http.Request) {
		start, err1 := parseTime(r.FormValue("start"))
		end, err2 := parseTime(r.FormValue("end"))
		step, err3 := strconv.ParseFloat(r.FormValue("step"), 64)
		if err1 != nil || err2 != nil || err3 != nil {
			writeError(w, http.StatusBadRequest, "bad_data", "bad start, end or step")
			return
		}
		qry, err := eng.NewRangeQuery(r.Context(), q, nil, r.FormValue("query"), start, end, time.Duration(step*float64(time.Second)))
		run(w, r, qry, err)
	})
	return mux
}

func parseTime(s string) (time.Time, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	return time.UnixMilli(int64(math.Round(f * 1000))), nil
}

func run(w http.ResponseWriter, r *http.Request, qry promql.Query, err error) {
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_data", err.Error())
		return
	}
	defer qry.Close()
	res := qry.Exec(r.Context())
	if res.Err != nil {
		writeError(w, http.StatusUnprocessableEntity, "execution", res.Err.Error())
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"status":"success","data":{"resultType":"` + string(res.Value.Type()) + `","result":`)
	switch v := res.Value.(type) {
	case promql.Matrix:
		b.WriteByte('[')
		for i, s := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeMetric(&b, s.Metric)
			b.WriteString(`,"values":[`)
			for j, p := range s.Floats {
				if j > 0 {
					b.WriteByte(',')
				}
				writePoint(&b, p.T, p.F)
			}
			b.WriteString("]}")
		}
		b.WriteByte(']')
	case promql.Vector:
		b.WriteByte('[')
		for i, s := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeMetric(&b, s.Metric)
			b.WriteString(`,"value":`)
			writePoint(&b, s.T, s.F)
			b.WriteByte('}')
		}
		b.WriteByte(']')
	case promql.Scalar:
		writePoint(&b, v.T, v.V)
	default:
		b.WriteString("null")
	}
	b.WriteString("}}")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

func writeMetric(b *bytes.Buffer, ls labels.Labels) {
	m, _ := json.Marshal(ls.Map())
	b.WriteString(`{"metric":`)
	b.Write(m)
}

// writePoint writes [seconds, "value"] as Prometheus does.
func writePoint(b *bytes.Buffer, t int64, v float64) {
	b.WriteByte('[')
	b.WriteString(strconv.FormatFloat(float64(t)/1000, 'f', -1, 64))
	b.WriteString(`,"`)
	switch {
	case math.IsInf(v, 1):
		b.WriteString("+Inf")
	case math.IsInf(v, -1):
		b.WriteString("-Inf")
	default:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	}
	b.WriteString(`"]`)
}

func writeError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	b, _ := json.Marshal(map[string]string{"status": "error", "errorType": typ, "error": msg})
	_, _ = w.Write(b)
}
