package report

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345", 999999: "999,999",
		1e6: "1,000,000", 10_000_000: "10,000,000", -1234567: "-1,234,567", 1234.5: "1,234.5",
		math.Inf(1): "+Inf",
	} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestReason(t *testing.T) {
	cases := map[string]string{
		`Post "http://prometheus:9090/api/v1/query": dial tcp 10.0.0.1:9090: connect: connection refused`: "Prometheus unreachable",
		`Get "http://prom/api/v1/query": dial tcp: lookup prom on 127.0.0.11:53: no such host`:            "Prometheus unreachable",
		`query "x" at 12:00: Post "http://p/api/v1/query_range": context deadline exceeded`:               "query timed out",
		`timeout: query timed out in expression evaluation`:                                               "query timed out",
		`query "x": partial response: store 10.1.2.3 did not answer`:                                      "partial response from Prometheus",
		`server_error: server error: 503`:                                                                 "Prometheus server error",
		`client_error: client error: 401`:                                                                 "Prometheus refused access",
		`bad_data: 1:5: parse error: unexpected "}"`:                                                      "query rejected by Prometheus",
		`good events exceed total over 1h (good 12 > total 10): the good and total selectors differ`:      "bad samples in the series",
		`counter x has a NaN sample at 2026-01-01T00:00:00Z`:                                              "bad samples in the series",
		`query "dq_checks_total" returned no series`:                                                      "SLI series missing",
		`something nobody foresaw`:                                                                        "evaluation failed",
		``:                                                                                                "",
	}
	for in, want := range cases {
		if got := Reason(in); got != want {
			t.Errorf("Reason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReasonLine(t *testing.T) {
	now := time.Date(2026, 3, 15, 14, 20, 0, 0, time.UTC)
	r := slo.Result{Error: "connection refused", EvaluatedAt: now.Add(-20 * time.Minute)}
	if got := ReasonLine(r, now); got != "Prometheus unreachable; numbers from 14:00 UTC" {
		t.Errorf("without FailingSince: %q", got)
	}
	r.FailingSince = time.Date(2026, 3, 15, 12, 3, 40, 0, time.UTC)
	if got := ReasonLine(r, now); got != "Prometheus unreachable since 12:03 UTC" {
		t.Errorf("with FailingSince: %q", got)
	}
	r.FailingSince = time.Date(2026, 3, 14, 23, 59, 0, 0, time.UTC)
	if got := ReasonLine(r, now); got != "Prometheus unreachable since 2026-03-14 23:59 UTC" {
		t.Errorf("since yesterday: %q", got)
	}
	if got := ReasonLine(slo.Result{}, now); got != "" {
		t.Errorf("no error: %q", got)
	}
}

func TestForecastAndRecoveryWords(t *testing.T) {
	at := time.Unix(0, 0)
	f := func(v float64) *float64 { return &v }
	base := slo.Result{EvaluatedAt: at, PolicyStates: []string{"healthy", "caution", "at-risk", "frozen"}}
	cases := []struct {
		exhaustion        *float64
		state             string
		freeze            bool
		recovery          map[string]float64
		runsOut, forecast string
		recoveryText      string
	}{
		{nil, "healthy", false, nil, "not burning", "not burning: no errors in the last hour", ""},
		{f(math.Inf(1)), "caution", false, map[string]float64{"healthy": 2 * 86400},
			"never", "never runs out at the current pace", "back to healthy in about 2d at the current pace"},
		{f(6*3600 + 52*60), "at-risk", false, map[string]float64{},
			"in 6h 52m", "runs out in 6h 52m at the current pace", "does not climb back to caution at the current pace"},
		{f(0), "frozen", true, map[string]float64{"at-risk": 3*86400 + 4*3600},
			"exhausted", "budget exhausted", "freeze lifts in about 3d 4h at the current pace"},
		{f(0), "frozen", true, map[string]float64{"at-risk": math.Inf(1)},
			"exhausted", "budget exhausted", "freeze does not lift at the current pace"},
		{f(0), "frozen", true, nil, "exhausted", "budget exhausted", ""}, // recovery not computed
	}
	for _, c := range cases {
		r := base
		r.ExhaustionSeconds, r.PolicyState, r.FeatureFreeze, r.RecoverySeconds = c.exhaustion, c.state, c.freeze, c.recovery
		if got := RunsOut(r); got != c.runsOut {
			t.Errorf("%s: RunsOut %q, want %q", c.state, got, c.runsOut)
		}
		if got := Forecast(r); got != c.forecast {
			t.Errorf("%s: Forecast %q, want %q", c.state, got, c.forecast)
		}
		if got := Recovery(r); got != c.recoveryText {
			t.Errorf("%s: Recovery %q, want %q", c.state, got, c.recoveryText)
		}
	}
	missing := base
	missing.DataMissing = true
	missing.ExhaustionSeconds = f(0)
	if RunsOut(missing) != "-" || Forecast(missing) != "" || Recovery(missing) != "" {
		t.Error("a data-missing result gets a forecast")
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc dddd", 9, "> ", "  ")
	want := []string{"> aaa bbb", "  ccc", "  dddd"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	long := wrap("x http://a-very-long-url.example/with/a/path y", 10, "", "")
	if len(long) != 3 || long[1] != "http://a-very-long-url.example/with/a/path" {
		t.Errorf("a long word must stand alone, not be cut: %q", long)
	}
	if wrap("  ", 10, "", "") != nil {
		t.Error("blank text wraps to lines")
	}
}

// TestNarrowTableFits120 fills every column of the default table with the
// widest values it can realistically hold: the table still fits 120 columns,
// a name longer than the column gets a line of its own, and --wide does not.
func TestNarrowTableFits120(t *testing.T) {
	at := reportAt
	f := func(v float64) *float64 { return &v }
	long := "very-long-service-name-checkout-availability-eu-west"
	sli := 0.99
	results := []slo.Result{
		{Name: long, Service: "checkout", Objective: 0.99999, Window: "365d", WindowSeconds: 365 * 86400,
			SLI: &sli, Events: slo.Counts{Good: 99e9, Total: 100e9}, BudgetRemaining: -999.9,
			BudgetRemainingSeconds: -10*86400 - 23*3600, BudgetTotalSeconds: 315.36, EvaluatedAt: at,
			PolicyState: "frozen", PolicyStates: []string{"healthy", "frozen"}, FeatureFreeze: true,
			Alerts: slo.Alerts{Page: true, Ticket: true}, ExhaustionSeconds: f(0), Provisional: true,
			Consequence: strings.Repeat("a long consequence ", 12), Error: "connection refused", FailingSince: at},
		{Name: "twenty-four-chars-exact", Service: "s", Objective: 0.999, Window: "30d", WindowSeconds: 30 * 86400,
			EvaluatedAt: at, PolicyState: "healthy", BudgetRemaining: 1, ExhaustionSeconds: f(57*86400 + 10*3600)},
	}
	narrow := renderOpts(t, results, Options{})
	for i, line := range strings.Split(narrow, "\n") {
		if len(line) > lineWidth {
			t.Errorf("line %d is %d characters:\n%s", i+1, len(line), line)
		}
	}
	if !strings.Contains(narrow, "\n"+long+"\n") {
		t.Errorf("the long name is not on a line of its own:\n%s", narrow)
	}
	if !strings.Contains(narrow, "-99990.0% (-10d 23h)") || !strings.Contains(narrow, "frozen* FREEZE") ||
		!strings.Contains(narrow, "page+ticket") {
		t.Errorf("the widest figures are not all shown:\n%s", narrow)
	}
	wide := renderOpts(t, results, Options{Wide: true})
	if !strings.Contains(wide, "\n"+long+"  ") || !strings.Contains(wide, "1,000,000,000 bad of 100,000,000,000") {
		t.Errorf("--wide keeps names in their column and shows events:\n%s", wide)
	}
}

func TestVerdict(t *testing.T) {
	rows := map[string]string{}
	for _, r := range fixture(t) {
		rows[r.Name] = Verdict(r, reportAt)
	}
	want := map[string]string{
		"search-latency": "search-latency: frozen (FREEZE), -20.0% budget left (overspent by 1h 21m of 6h 43m); " +
			"feature releases frozen: only P0 and security fixes ship until the budget recovers; features 0% of capacity; " +
			"budget exhausted; freeze lifts in about 3d 4h at the current pace",
		"orders-availability": `orders-availability: NO DATA: http_requests_total{service="orders"} matched no series ` +
			"in the 30d window: no budget, no policy decision",
	}
	for name, w := range want {
		if rows[name] != w {
			t.Errorf("Verdict(%s)\n got %q\nwant %q", name, rows[name], w)
		}
	}
	for name, v := range rows {
		if strings.Contains(v, "\n") {
			t.Errorf("verdict of %s spans lines: %q", name, v)
		}
	}
}
