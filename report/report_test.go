package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

var reportAt = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func events(total, bad float64) slo.Counts { return slo.Counts{Good: total - bad, Total: total} }

func evaluated(t *testing.T, name, service string, objective float64, window time.Duration, at time.Time,
	w slo.Counts, burn map[time.Duration]slo.Counts) slo.Result {
	t.Helper()
	s := &slo.SLO{Name: name, Service: service, Objective: objective,
		Window: slo.Window{Text: slo.WindowLabel(window), Duration: window}, Policy: "default"}
	p := slo.DefaultPolicy()
	r, err := slo.Evaluate(s, &p, slo.Input{At: at, Window: w, Burn: burn})
	if err != nil {
		t.Fatalf("Evaluate %s: %v", name, err)
	}
	return r
}

// fixture is eight SLOs covering every state a report must show, in an order
// that is not the sorted one. The comments give the figures worked out by hand.
func fixture(t *testing.T) []slo.Result {
	const h, m = time.Hour, time.Minute
	// 99.9% / 30d, 50 bad of 1e5: remaining exactly 0.5 (healthy), but the
	// metrics began 2d 4h ago: 187,200 s of 2,592,000, coverage 0.0722 <
	// 0.5, so provisional. Left 0.5 × 2592 s = 1296 s = 21m 36s.
	signup := evaluated(t, "signup-availability", "signup", 99.9, 30*day, reportAt, events(1e5, 50),
		map[time.Duration]slo.Counts{h: events(2e3, 0)})
	signup.SetCoverage(52 * h)
	// 99% / 28d, 2400 bad of 2e5: e = 0.012, remaining −0.2 → −20.0%;
	// budget 2,419,200 × 0.01 = 24,192 s = 6h 43m 12s, overspent by
	// 4838.4 s = 1h 20m 38s → "1h 21m". 1h and 5m burn 15 > 13.44: page.
	// Frozen; at the current pace it reaches at-risk in 3d 4h = 273,600 s.
	search := evaluated(t, "search-latency", "search", 99, 28*day, reportAt, events(2e5, 2400),
		map[time.Duration]slo.Counts{5 * m: events(1e3, 150), h: events(1e4, 1500)})
	search.RecoverySeconds = map[string]float64{"at-risk": 273_600}
	search.SetCoverage(28 * day)
	// 99.5% / 30d, 3500 bad of 1e6: e = 0.0035, remaining 0.3 → 30.0%
	// (caution); budget 12,960 s = 3h 36m, left 3888 s = 1h 4m 48s →
	// "1h 5m". 1d 3.2 and 2h 4 > 3: ticket. 1h burn 1: 0.3 × 30d = 9d.
	// Recovery computed: healthy is not reached at this pace.
	cart := evaluated(t, "cart-availability", "cart", 99.5, 30*day, reportAt, events(1e6, 3500),
		map[time.Duration]slo.Counts{h: events(5e3, 25), 2 * h: events(1e4, 200), 6 * h: events(3e4, 150),
			day: events(1e5, 1600)})
	cart.RecoverySeconds = map[string]float64{}
	// 99.95% / 90d, 3000 bad of 1e7: e = 0.0003, remaining 0.4 (caution),
	// budget 3888 s = 1h 4m 48s, left 1555.2 s. 1h: 30 of 1e5 → 0.6;
	// exhaustion 0.4 × 7,776,000 / 0.6 = 5,184,000 s = 60d. Numbers 5m
	// old, failing for 4m.
	payments := stale(evaluated(t, "payments-availability", "payments", 99.95, 90*day, reportAt.Add(-5*m),
		events(1e7, 3000), map[time.Duration]slo.Counts{h: events(1e5, 30)}),
		`query sum(increase(http_requests_total{service="payments",code=~"5..|429"}[1h])): Prometheus answered 503 Service Unavailable`)
	payments.FailingSince = reportAt.Add(-4 * m)
	// The total selector matched nothing: Evaluate ran over zero counts, and
	// its "healthy, 100% left" must show nowhere.
	orders := evaluated(t, "orders-availability", "orders", 99.9, 30*day, reportAt, slo.Counts{}, nil)
	orders.DataMissing, orders.MissingSelector = true, `http_requests_total{service="orders"}`
	orders.SetCoverage(0)
	return []slo.Result{
		// 99.9% / 30d, 400 bad of 1e6: remaining 0.6 → 60.0%, budget 2592 s =
		// 43m 12s, left 1555.2 s = 25m 55s. 1h: 250 of 1e5 → burn 2.5;
		// exhaustion 0.6 × 2,592,000 / 2.5 = 622,080 s = 7d 4h 48m → "7d 5h".
		evaluated(t, "checkout-availability", "checkout", 99.9, 30*day, reportAt, events(1e6, 400),
			map[time.Duration]slo.Counts{5 * m: events(1e4, 20), 30 * m: events(5e4, 100), h: events(1e5, 250),
				2 * h: events(2e5, 400), 6 * h: events(6e5, 600), day: events(2.4e6, 960), 3 * day: events(7.2e6, 1440)}),
		// 99.9% / 30d, nothing ever computed.
		{Name: "inventory-availability", Service: "inventory", Objective: 0.999, Window: "30d",
			Error: `dial tcp 127.0.0.1:9090: connect: connection refused`},
		// 99.5% / 7d, no traffic at all: SLI "no traffic", remaining 1 → 100.0%,
		// budget 604,800 × 0.005 = 3024 s = 50m 24s, all of it left.
		evaluated(t, "catalog-search", "catalog", 99.5, 7*day, reportAt, slo.Counts{}, nil),
		search, cart, payments, orders, signup,
	}
}

func stale(r slo.Result, err string) slo.Result {
	r.Error = err
	return r
}

func render(t *testing.T, format string, results []slo.Result) string {
	t.Helper()
	return renderOpts(t, results, Options{Format: format})
}

func renderOpts(t *testing.T, results []slo.Result, o Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, results, reportAt, o); err != nil {
		t.Fatalf("Write(%+v): %v", o, err)
	}
	return buf.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./report -update rewrites it after a deliberate change)\n--- got:\n%s\n--- want:\n%s",
			path, got, want)
	}
}

func TestGolden(t *testing.T) {
	results := fixture(t)
	cases := map[string]Options{
		"report.txt": {Format: "table"}, "report-wide.txt": {Format: "table", Wide: true},
		"report.md": {Format: "markdown"}, "report-wide.md": {Format: "markdown", Wide: true},
		"report.json": {Format: "json"},
	}
	for file, o := range cases {
		t.Run(file, func(t *testing.T) { golden(t, file, renderOpts(t, results, o)) })
	}
}

func TestGoldenEmpty(t *testing.T) {
	for format, file := range map[string]string{"table": "empty.txt", "markdown": "empty.md", "json": "empty.json"} {
		t.Run(format, func(t *testing.T) { golden(t, file, render(t, format, nil)) })
	}
}

// TestFigures checks the hand-worked figures of the fixture directly, so that
// a golden file regenerated from wrong output cannot hide them.
func TestFigures(t *testing.T) {
	rows := map[string]row{}
	for _, r := range fixture(t) {
		rows[r.Name] = newRow(r, reportAt)
	}
	type check struct{ slo, field, want string }
	get := func(w row, field string) string {
		switch field {
		case "objective":
			return w.objective
		case "sli":
			return w.sli
		case "events":
			return w.events
		case "budget":
			return w.budget
		case "left":
			return w.left
		case "outage":
			return w.outage
		case "runs out":
			return w.runsOut
		case "state":
			return w.state
		case "freeze":
			return w.freeze
		case "features":
			return w.features
		case "alerts":
			return w.alerts
		case "data":
			return w.data
		case "coverage":
			return w.coverage
		case "burn window":
			return w.burnWindow
		case "line":
			return w.line
		}
		if win, ok := strings.CutPrefix(field, "burn "); ok {
			return w.burns[win]
		}
		t.Fatalf("unknown field %s", field)
		return ""
	}
	checks := []check{
		{"checkout-availability", "objective", "99.9%"},
		{"checkout-availability", "sli", "99.960%"},
		{"checkout-availability", "events", "400 bad of 1,000,000"},
		{"checkout-availability", "budget", "60.0%"},
		{"checkout-availability", "left", "25m 55s"},
		{"checkout-availability", "outage", "25m 55s left of 43m 12s"},
		{"checkout-availability", "runs out", "in 7d 5h"},
		{"checkout-availability", "burn 1h", "2.50"},     // 250/1e5/0.001
		{"checkout-availability", "burn 6h", "1.00"},     // 600/6e5/0.001
		{"checkout-availability", "burn 1d", "0.40"},     // 960/2.4e6/0.001
		{"checkout-availability", "burn window", "0.40"}, // 400/1e6/0.001
		{"checkout-availability", "state", "healthy"},
		{"checkout-availability", "features", "70%"},
		{"checkout-availability", "alerts", "none"},
		{"checkout-availability", "data", "fresh"},
		{"checkout-availability", "coverage", "-"}, // not measured
		{"checkout-availability", "line",
			"budget healthy: feature work proceeds as planned; features 70% of capacity; runs out in 7d 5h at the current pace"},
		{"search-latency", "sli", "98.80%"},
		{"search-latency", "events", "2,400 bad of 200,000"},
		{"search-latency", "budget", "-20.0%"},
		{"search-latency", "left", "-1h 21m"},
		{"search-latency", "outage", "overspent by 1h 21m of 6h 43m"},
		{"search-latency", "freeze", "FREEZE"},
		{"search-latency", "features", "0%"},
		{"search-latency", "alerts", "page"},
		{"search-latency", "runs out", "exhausted"},
		{"search-latency", "coverage", "all 28d"},
		{"search-latency", "burn 6h", "-"},
		{"search-latency", "burn window", "1.20"},
		{"search-latency", "line", "feature releases frozen: only P0 and security fixes ship until the budget recovers; " +
			"features 0% of capacity; budget exhausted; freeze lifts in about 3d 4h at the current pace"},
		{"cart-availability", "outage", "1h 5m left of 3h 36m"},
		{"cart-availability", "state", "caution"},
		{"cart-availability", "alerts", "ticket"},
		{"cart-availability", "runs out", "in 9d"},
		{"cart-availability", "line", "budget low: shift capacity to reliability work; features 50% of capacity; " +
			"runs out in 9d at the current pace; does not climb back to healthy at the current pace"},
		{"catalog-search", "sli", "no traffic"},
		{"catalog-search", "budget", "100.0%"},
		{"catalog-search", "outage", "50m 24s left of 50m 24s"},
		{"catalog-search", "burn window", "-"},
		{"catalog-search", "runs out", "not burning"},
		{"catalog-search", "data", "fresh"}, // zero traffic is data, not NO DATA
		{"payments-availability", "data", "STALE"},
		{"payments-availability", "objective", "99.95%"},
		{"payments-availability", "sli", "99.9700%"},
		{"payments-availability", "outage", "25m 55s left of 1h 5m"},
		{"payments-availability", "runs out", "in 60d"},
		{"payments-availability", "line", "budget low: shift capacity to reliability work; features 50% of capacity; " +
			"runs out in 60d at the current pace; STALE: Prometheus server error since 11:56 UTC"},
		{"inventory-availability", "data", "FAILED"},
		{"inventory-availability", "budget", "-"},
		{"inventory-availability", "objective", "99.9%"},
		{"inventory-availability", "line", "FAILED: Prometheus unreachable: no numbers yet, no policy decision"},
		{"orders-availability", "data", "NO DATA"},
		{"orders-availability", "budget", "-"},
		{"orders-availability", "state", "-"},
		{"orders-availability", "sli", "-"},
		{"orders-availability", "runs out", "-"},
		{"orders-availability", "alerts", "-"},
		{"orders-availability", "line",
			`NO DATA: http_requests_total{service="orders"} matched no series in the 30d window: no budget, no policy decision`},
		{"signup-availability", "state", "healthy*"},
		{"signup-availability", "coverage", "2d 4h of 30d"},
		{"signup-availability", "left", "21m 36s"},
		{"signup-availability", "runs out", "not burning"},
		{"signup-availability", "line", "budget healthy: feature work proceeds as planned; features 70% of capacity; " +
			"computed over 2d 4h of 30d: provisional, decided on less than half the window"},
	}
	for _, c := range checks {
		if got := get(rows[c.slo], c.field); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.slo, c.field, got, c.want)
		}
	}
	if f := rows["payments-availability"].footnotes; len(f) != 1 ||
		!strings.Contains(f[0], "numbers from 2024-05-01T11:55:00Z (5m before this report)") ||
		!strings.Contains(f[0], "503 Service Unavailable") {
		t.Errorf("stale footnotes = %q", f)
	}
	if f := rows["inventory-availability"].footnotes; len(f) != 1 ||
		f[0] != "FAILED: last evaluation failed: dial tcp 127.0.0.1:9090: connect: connection refused" {
		t.Errorf("failed footnotes = %q", f)
	}
	if f := rows["checkout-availability"].footnotes; len(f) != 0 {
		t.Errorf("a clean SLO has footnotes %q", f)
	}
}

func TestWorstFirstInEveryFormat(t *testing.T) {
	in := fixture(t)
	before := make([]string, len(in))
	for i, r := range in {
		before[i] = r.Name
	}
	// Written out from slo/order.go's rules: no numbers (FAILED, NO DATA) by
	// name; stale; paging (search-latency); then budget left 0.3, 0.5, 0.6, 1.
	want := []string{"inventory-availability", "orders-availability", "payments-availability", "search-latency",
		"cart-availability", "signup-availability", "checkout-availability", "catalog-search"}
	for _, format := range Formats {
		out := render(t, format, in)
		last := -1
		for _, name := range want {
			var i int
			switch format {
			case "json":
				i = strings.Index(out, `"name": "`+name+`"`)
			case "markdown":
				i = strings.Index(out, "| "+name+" |")
			default:
				i = strings.Index(out, "\n"+name+" ")
			}
			if i < 0 || i < last {
				t.Fatalf("%s: %s missing or out of order:\n%s", format, name, out)
			}
			last = i
		}
	}
	for i, r := range in {
		if r.Name != before[i] {
			t.Fatalf("Write reordered the caller's slice")
		}
	}
}

func TestJSONIsTheAPIShape(t *testing.T) {
	in := fixture(t)
	out := render(t, "json", in)
	var raw struct {
		SLOs []map[string]json.RawMessage `json:"slos"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(raw.SLOs) != len(in) {
		t.Fatalf("%d SLOs in JSON, want %d", len(raw.SLOs), len(in))
	}
	// The contract's keys; "error" is omitted when empty (slo.Result's tag).
	for _, k := range []string{"name", "service", "objective", "window", "sli", "budgetRemaining",
		"budgetRemainingSeconds", "burnRates", "alerts", "policyState", "featureFreeze", "featureShare",
		"exhaustionSeconds", "evaluatedAt"} {
		for _, s := range raw.SLOs {
			if _, ok := s[k]; !ok {
				t.Errorf("SLO %s: key %q missing", s["name"], k)
			}
		}
	}
	byName := map[string]map[string]json.RawMessage{}
	for _, s := range raw.SLOs {
		var n string
		_ = json.Unmarshal(s["name"], &n)
		byName[n] = s
	}
	checks := []struct{ slo, key, want string }{
		{"checkout-availability", "objective", "0.999"},
		{"checkout-availability", "budgetRemaining", "0.6"},
		{"checkout-availability", "budgetRemainingSeconds", "1555.2"},
		{"catalog-search", "sli", "null"},
		{"catalog-search", "exhaustionSeconds", "null"},
		{"catalog-search", "burnRates", "{}"},
		{"search-latency", "exhaustionSeconds", "0"},
		{"search-latency", "budgetRemaining", "-0.2"},
		{"search-latency", "recoverySeconds", `{"at-risk":273600}`},
		{"signup-availability", "coverage", "0.07222222222222222"},
		{"signup-availability", "coveredSeconds", "187200"},
		{"signup-availability", "provisional", "true"},
		{"orders-availability", "dataMissing", "true"},
		{"orders-availability", "policyState", "null"},
		{"orders-availability", "budgetRemaining", "null"},
		{"orders-availability", "featureFreeze", "null"},
		{"orders-availability", "featureShare", "null"},
		{"orders-availability", "missingSelector", `"http_requests_total{service=\"orders\"}"`},
		{"payments-availability", "failingSince", `"2024-05-01T11:56:00Z"`},
		{"checkout-availability", "failingSince", "null"},
	}
	for _, c := range checks {
		got := strings.Join(strings.Fields(string(byName[c.slo][c.key])), "")
		if got != c.want {
			t.Errorf("%s.%s = %s, want %s", c.slo, c.key, got, c.want)
		}
	}
	// Decoding gives back exactly the results, in worst-first order.
	var back struct {
		SLOs []slo.Result `json:"slos"`
	}
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(in)
	slo.SortWorstFirst(sorted)
	for i := range sorted {
		a, _ := json.Marshal(sorted[i])
		b, _ := json.Marshal(back.SLOs[i])
		if !bytes.Equal(a, b) {
			t.Errorf("SLO %d does not round-trip:\n%s\n%s", i, a, b)
		}
	}
	if !strings.Contains(out, `code=~\"5..|429\"`) {
		t.Error("error text is HTML-escaped or lost; people read it")
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	for _, wide := range []bool{false, true} {
		out := renderOpts(t, fixture(t), Options{Format: "markdown", Wide: wide})
		for _, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(line, "| ") {
				continue
			}
			// Every table line has exactly one cell per header: a | inside a
			// cell (the 5..|429 in an error) must not add a column.
			cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1
			if cells != len(columnsFor(wide)) {
				t.Errorf("markdown line has %d cells, want %d: %s", cells, len(columnsFor(wide)), line)
			}
		}
		if !strings.Contains(out, `5..\|429`) {
			t.Errorf("the | in the error text is not escaped:\n%s", out)
		}
		for _, loud := range []string{"**FREEZE** |", "| **STALE** |", "| **NO DATA** |", "| **FAILED** |"} {
			if !strings.Contains(out, loud) {
				t.Errorf("wide=%v: %q is not bold:\n%s", wide, loud, out)
			}
		}
		if !strings.Contains(out, `| healthy\* |`) {
			t.Errorf("the provisional mark is not escaped:\n%s", out)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, fixture(t), reportAt, Options{Format: "yaml"})
	if err == nil || !strings.Contains(err.Error(), `unknown report format "yaml"`) ||
		!strings.Contains(err.Error(), "table, markdown, json") {
		t.Errorf("Write(yaml) error = %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes for an unknown format", buf.Len())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	for _, f := range Formats {
		err := Write(failingWriter{}, fixture(t), reportAt, Options{Format: f})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("Write(%s) to a failing writer: error = %v", f, err)
		}
	}
}

func TestJSONRejectsNonFiniteNumbers(t *testing.T) {
	// Evaluate never produces NaN, but a result built elsewhere might; the
	// report must say so instead of printing half a document.
	r := fixture(t)[0]
	r.BurnRates = map[string]float64{"1h": nan()}
	var buf bytes.Buffer
	if err := Write(&buf, []slo.Result{r}, reportAt, Options{Format: "json"}); err == nil {
		t.Errorf("no error for a NaN burn rate; wrote %s", buf.String())
	} else if buf.Len() != 0 {
		t.Errorf("wrote %d bytes despite the error", buf.Len())
	}
}

func nan() float64 { var z float64; return z / z }
