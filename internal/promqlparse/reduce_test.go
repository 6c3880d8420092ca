package promqlparse

import (
	"strings"
	"testing"
)

func TestReduceCounters(t *testing.T) {
	cases := []struct {
		in    string
		terms string // as Counters.String prints them
		by    string
		fn    string
		rng   string
	}{
		{`sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))`, `+http_requests_total{job="api",code=~"5.."}`, "", "rate", WindowPlaceholder},
		{`sum(increase(jobs_total[{{ .window }}]))`, `+jobs_total`, "", "increase", WindowPlaceholder},
		{`sum by (route) (rate(req_total[5m]))`, `+req_total`, "route", "rate", "5m"},
		{`sum(rate(req_total[5m])) by (route, method)`, `+req_total`, "method,route", "rate", "5m"},
		{`sum(rate(total[{{.window}}])) - sum(rate(ok[{{.window}}]))`, `+total -ok`, "", "rate", WindowPlaceholder},
		{`(sum(rate(a[1h])) + sum(rate(b[1h]))) - (sum(rate(c[1h])) - sum(rate(d[1h])))`, `+a +b -c +d`, "", "rate", "1h"},
		{`sum(rate(e[5m])) or vector(0)`, `+e`, "", "rate", "5m"},
		{`(sum(increase(e[1d])) or vector(0)) + sum(increase(f[1d]))`, `+e +f`, "", "increase", "1d"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ReduceCounters(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != c.terms || strings.Join(got.By, ",") != c.by || got.Func != c.fn || got.Range != c.rng {
				t.Fatalf("got %q by %v %s[%s], want %q by %s %s[%s]", got.String(), got.By, got.Func, got.Range, c.terms, c.by, c.fn, c.rng)
			}
		})
	}
}

func TestReduceCountersRejects(t *testing.T) {
	cases := []struct{ in, why string }{
		{`sum(rate(e[5m])) / sum(rate(t[5m]))`, "binary expression with /"},
		{`histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))`, "call to histogram_quantile()"},
		{`sum(rate(e[5m:1m]))`, "not a range selector"},
		{`max(rate(e[5m]))`, "aggregation with max"},
		{`sum without (pod) (rate(e[5m]))`, "without"},
		{`rate(e[5m])`, "call to rate()"},
		{`sum(e)`, "sum over a vector"},
		{`sum(rate(e[5m])) + sum(increase(f[5m]))`, "mixes rate() and increase()"},
		{`sum by (a) (rate(e[5m])) + sum(rate(f[5m]))`, "different labels"},
		{`sum(rate(e[5m])) + sum(rate(f[1h]))`, "different ranges"},
		{`-sum(rate(e[5m]))`, "unary"},
		{`sum(rate(e offset 1h [5m]))`, "offset"},
		{`sum(rate(e[{{.range}}]))`, "template {{.range}} is not supported"},
		{`sum(rate(e[5m])) - `, "parse error"},
		{`vector(0) - sum(rate(e[5m]))`, "call to vector()"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := ReduceCounters(c.in)
			if err == nil || !strings.Contains(err.Error(), c.why) {
				t.Fatalf("error %v, want one containing %q", err, c.why)
			}
		})
	}
}
