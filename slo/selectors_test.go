package slo

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/promqltest"
)

func TestCounterSelectorsEvents(t *testing.T) {
	sli := SLI{Events: &EventsSLI{Errors: `e_total{code="5xx"}`, Total: "t_total"}}
	good, bad, total := sli.CounterSelectors()
	if good != "" || bad != `e_total{code="5xx"}` || total != "t_total" {
		t.Fatalf("errors form: %q %q %q", good, bad, total)
	}
	sli = SLI{Events: &EventsSLI{Good: "g_total", Total: "t_total"}}
	good, bad, total = sli.CounterSelectors()
	if good != "g_total" || bad != "" || total != "t_total" {
		t.Fatalf("good form: %q %q %q", good, bad, total)
	}
	ts := SLI{TimeSlice: &TimeSliceSLI{Query: "x", Op: "<", Threshold: 1}}
	if g, b, tot := ts.CounterSelectors(); g != "" || b != "" || tot != "" {
		t.Fatalf("time slice has counters: %q %q %q", g, b, tot)
	}
}

// The latency selectors are run through the real PromQL engine against
// histogram series spelled the way Prometheus 2.x and 3.x store them; the
// expected series are listed by hand.
func TestCounterSelectorsLatencyWithEngine(t *testing.T) {
	storage := promqltest.LoadedStorage(t, `
load 1m
  h_seconds_bucket{job="x",instance="go",le="0.25"}  1
  h_seconds_bucket{job="x",instance="go",le="0.5"}   2
  h_seconds_bucket{job="x",instance="go",le="1"}     3
  h_seconds_bucket{job="x",instance="go",le="10"}    4
  h_seconds_bucket{job="x",instance="go",le="+Inf"}  5
  h_seconds_bucket{job="x",instance="v3",le="0.5"}   6
  h_seconds_bucket{job="x",instance="v3",le="1.0"}   7
  h_seconds_bucket{job="x",instance="v3",le="1e-05"} 8
  h_seconds_bucket{job="x",instance="v3",le="1.5"}   9
  h_seconds_bucket{job="y",instance="go",le="1"}     10
  h_seconds_count{job="x",instance="go"}             11
  h_seconds_count{job="x",instance="v3"}             12
  h_seconds_count{job="y",instance="go"}             13
  h_seconds_sum{job="x",instance="go"}               14
`)
	t.Cleanup(func() { storage.Close() })
	engine := promqltest.NewTestEngine(t, false, 5*time.Minute, 1000)

	query := func(q string) []string {
		t.Helper()
		qry, err := engine.NewInstantQuery(context.Background(), storage, nil, q, time.Unix(0, 0))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		res := qry.Exec(context.Background())
		if res.Err != nil {
			t.Fatalf("%s: %v", q, res.Err)
		}
		vec, err := res.Vector()
		if err != nil {
			t.Fatal(err)
		}
		// Values identify the series uniquely in the data above.
		out := make([]string, 0, len(vec))
		for _, s := range vec {
			out = append(out, strconv.FormatFloat(s.F, 'g', -1, 64))
		}
		sort.Strings(out)
		return out
	}

	cases := []struct {
		histogram string
		threshold float64
		good      []string // values of the selected bucket series
		total     []string
	}{
		{`h_seconds{job="x"}`, 1, []string{"3", "7"}, []string{"11", "12"}},
		{`h_seconds{job="x"}`, 0.5, []string{"2", "6"}, []string{"11", "12"}},
		{`h_seconds{job="x"}`, 0.00001, []string{"8"}, []string{"11", "12"}},
		{`h_seconds`, 1, []string{"10", "3", "7"}, []string{"11", "12", "13"}},
		{`h_seconds{job="x",instance="go"}`, 10, []string{"4"}, []string{"11"}},
		{`h_seconds{job="x"}`, 0.1, nil, []string{"11", "12"}},
	}
	for _, c := range cases {
		sli := SLI{Latency: &LatencySLI{Histogram: c.histogram, Threshold: c.threshold}}
		good, bad, total := sli.CounterSelectors()
		if bad != "" {
			t.Errorf("%s: latency SLI has a bad selector %q", c.histogram, bad)
		}
		if got := query(good); strings.Join(got, ",") != strings.Join(c.good, ",") {
			t.Errorf("%s le %v: good selector %s selects %v, want %v", c.histogram, c.threshold, good, got, c.good)
		}
		if got := query(total); strings.Join(got, ",") != strings.Join(c.total, ",") {
			t.Errorf("%s: total selector %s selects %v, want %v", c.histogram, total, got, c.total)
		}
	}
}

func TestTimeSliceCondition(t *testing.T) {
	ts := TimeSliceSLI{Query: `lag{p="o"}`, Op: "<=", Threshold: 900}
	if got := ts.Condition(); got != `lag{p="o"} <= 900` {
		t.Fatalf("Condition() = %q", got)
	}
}
