package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// answering serves one fixed body for every query.
func answering(t *testing.T, status int, body string) *Prometheus {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	p, err := NewPrometheus(Options{URL: srv.URL, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Prometheus 2.x includes a sample exactly at the start of a range selector;
// the seam's rule is from < t <= to, whatever the backend does.
func TestSamplesNormalisesTheRangeStart(t *testing.T) {
	p := answering(t, 200, `{"status":"success","data":{"resultType":"matrix","result":[
		{"metric":{"__name__":"x","i":"a"},"values":[[1700000000,"1"],[1700000015.5,"2"],[1700000030,"NaN"],[1700000045.001,"+Inf"]]},
		{"metric":{"__name__":"x","i":"b"},"values":[[1700000000,"7"]]}]}}`)
	got, err := p.Samples(context.Background(), "x", time.Unix(1_700_000_000, 0), time.Unix(1_700_000_060, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d series, want 1 (b's only sample is at the range start)", len(got))
	}
	s := got[0]
	if s.Labels.Get("i") != "a" || len(s.Floats) != 3 {
		t.Fatalf("series %v with %v", s.Labels, s.Floats)
	}
	if s.Floats[0] != (Sample{T: 1_700_000_015_500, V: 2}) || !math.IsNaN(s.Floats[1].V) || s.Floats[2].T != 1_700_000_045_001 || !math.IsInf(s.Floats[2].V, 1) {
		t.Errorf("samples %v", s.Floats)
	}
}

func TestAnswersThatFailAQuery(t *testing.T) {
	for _, c := range []struct {
		name, body string
		status     int
		outcome    Outcome
		msg        string
	}{
		{"warnings", `{"status":"success","warnings":["store eu-1 unreachable"],"data":{"resultType":"matrix","result":[]}}`, 200, BadResponse, "partial response: store eu-1 unreachable"},
		{"vector", `{"status":"success","data":{"resultType":"vector","result":[]}}`, 200, BadResponse, "expected a matrix result, got vector"},
		{"truncated", `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,`, 200, BadResponse, "undecodable"},
		{"html", `<html>bad gateway</html>`, 502, ServerError, "HTTP 502 Bad Gateway: <html>bad gateway</html>"},
		{"bad_data", `{"status":"error","errorType":"bad_data","error":"parse error"}`, 400, QueryError, "bad_data (HTTP 400): parse error"},
		{"timeout", `{"status":"error","errorType":"timeout","error":"query timed out"}`, 503, Timeout, "query timed out"},
		{"unavailable", `{"status":"error","errorType":"unavailable","error":"overloaded"}`, 503, ServerError, "overloaded"},
		{"unauthorized", `Unauthorized`, 401, ClientError, "HTTP 401"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := answering(t, c.status, c.body)
			_, err := p.Samples(context.Background(), "x", time.Unix(1, 0), time.Unix(61, 0))
			if err == nil {
				t.Fatal("no error")
			}
			if got := Classify(err); got != c.outcome {
				t.Errorf("outcome %s, want %s (%v)", got, c.outcome, err)
			}
			if !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), `query "x[1m]"`) {
				t.Errorf("error %q lacks %q or the query", err, c.msg)
			}
		})
	}
}

// A huge answer fails once the cap is reached while it streams in.
func TestAnswerSizeCap(t *testing.T) {
	var sent int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		n, _ := io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[`)
		sent += int64(n)
		for i := 0; i < 200_000; i++ {
			chunk := fmt.Sprintf(`{"metric":{"i":"%d"},"values":[[1,"1"],[2,"2"]]},`, i)
			n, err := io.WriteString(w, chunk)
			sent += int64(n)
			if err != nil {
				return // the client hung up
			}
		}
		io.WriteString(w, `{"metric":{},"values":[]}]}}`)
	}))
	defer srv.Close()
	p, err := NewPrometheus(Options{URL: srv.URL, MaxResponseBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Samples(context.Background(), "x", time.Unix(0, 0), time.Unix(2, 0))
	if Classify(err) != TooLarge || !strings.Contains(err.Error(), "larger than the 1MiB limit") {
		t.Fatalf("error %v (outcome %s), want a too_large error naming the limit", err, Classify(err))
	}
	// Just under the cap is fine.
	small, err := NewPrometheus(Options{URL: srv.URL, MaxResponseBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	got, err := small.Samples(context.Background(), "x", time.Unix(0, 0), time.Unix(2, 0))
	if err != nil || len(got) != 200_000 {
		t.Fatalf("within the cap: %d series, %v", len(got), err)
	}
}

// A proxy that refuses POST gets the same query as a GET.
func TestGetFallback(t *testing.T) {
	var methods []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		methods = append(methods, r.Method)
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Query().Get("query") != "x[1m]" {
			t.Errorf("GET query %q", r.URL.RawQuery)
		}
		io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
	}))
	defer srv.Close()
	p, _ := NewPrometheus(Options{URL: srv.URL + "/prefix"})
	if _, err := p.Samples(context.Background(), "x", time.Unix(1, 0), time.Unix(61, 0)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(methods, ",") != "POST,GET" {
		t.Errorf("methods %v", methods)
	}
}

func TestTimeoutIsClassified(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // the server notices the client leaving only once the body is read
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	p, _ := NewPrometheus(Options{URL: srv.URL, Timeout: 100 * time.Millisecond})
	_, err := p.Samples(context.Background(), "x", time.Unix(1, 0), time.Unix(61, 0))
	if Classify(err) != Timeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, outcome %s", err, Classify(err))
	}
}

func TestScalarAndVectorQueries(t *testing.T) {
	p := answering(t, 200, `{"status":"success","data":{"resultType":"scalar","result":[1700000000.25,"0.5"]}}`)
	got, err := p.Query(context.Background(), "0.5", time.Unix(1_700_000_000, 0))
	if err != nil || len(got) != 1 || got[0].Floats[0] != (Sample{T: 1_700_000_000_250, V: 0.5}) {
		t.Fatalf("scalar: %v %v", got, err)
	}
	p = answering(t, 200, `{"status":"success","data":{"result":[{"metric":{"a":"b"},"value":[3,"4"]}],"resultType":"vector"}}`)
	got, err = p.Query(context.Background(), "x", time.Unix(3, 0))
	if err != nil || len(got) != 1 || got[0].Labels.Get("a") != "b" || got[0].Floats[0] != (Sample{T: 3000, V: 4}) {
		t.Fatalf("vector with the result before its type: %v %v", got, err)
	}
}
