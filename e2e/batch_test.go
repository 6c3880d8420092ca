package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
)

// TestBatchedReadsEqualDirectReads runs two daemons on one real Prometheus,
// one joining raw reads (--query.batch) and one reading each selector on
// its own, through a start-up, steady cycles and hour crossings: every
// evaluation's results must be the same, number for number (the JSON of
// every SLO's result byte for byte), and equal to the generator's truth at
// the end; the batched daemon must actually have joined reads.
func TestBatchedReadsEqualDirectReads(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	daemon := func(batch bool) *exporter.Daemon {
		d, err := exporter.NewDaemon(exporter.DaemonOptions{
			ConfigFiles: []string{f.configYML},
			Backend:     backend.Options{URL: p.URL, Timeout: time.Minute, Concurrency: 4},
			Step:        30 * time.Second,
			Logger:      zap.NewNop(),
			Batch:       batch,
		})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	batched, direct := daemon(true), daemon(false)
	var instants []time.Time
	start := evalAt.Add(-2*time.Hour - 17*time.Minute)
	for i := 0; i < 6; i++ {
		instants = append(instants, start.Add(time.Duration(i)*30*time.Second))
	}
	for at := start.Add(4 * time.Minute); at.Before(evalAt); at = at.Add(37*time.Minute + 30*time.Second) {
		instants = append(instants, at)
	}
	instants = append(instants, evalAt)
	ctx := context.Background()
	for _, at := range instants {
		fb, fd := batched.Engine.EvaluateAt(ctx, at), direct.Engine.EvaluateAt(ctx, at)
		if fb != fd {
			t.Fatalf("%s: %d SLOs failed batched, %d direct", at, fb, fd)
		}
		rb, rd := batched.Engine.Results(), direct.Engine.Results()
		if len(rb) != len(rd) {
			t.Fatalf("%s: %d results batched, %d direct", at, len(rb), len(rd))
		}
		for i := range rb {
			jb, _ := json.Marshal(rb[i])
			jd, _ := json.Marshal(rd[i])
			if !bytes.Equal(jb, jd) {
				t.Fatalf("%s: %s differs:\nbatched %s\ndirect  %s", at, rb[i].ID(), jb, jd)
			}
		}
	}
	expected, err := f.data.Expected(evalAt)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(batched.Engine.Results())
	var got []reportedSLO
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	compareReport(t, expected, f.data.ExpectedForecasts(evalAt), got)

	rec := httptest.NewRecorder()
	batched.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	m := regexp.MustCompile(`(?m)^slobudget_backend_reads_total\{mode="batched"\} (\S+)$`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("no slobudget_backend_reads_total{mode=\"batched\"} on /metrics")
	}
	if n, _ := strconv.ParseFloat(m[1], 64); n == 0 {
		t.Error("the batched daemon joined no reads")
	} else {
		t.Logf("batched reads: %s", m[1])
	}
}
