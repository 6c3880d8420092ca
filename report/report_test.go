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

// fixture is six SLOs covering every state a report must show, in an order
// that is not the sorted one. The comments give the figures worked out by hand.
func fixture(t *testing.T) []slo.Result {
	const h, m = time.Hour, time.Minute
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
		// 99% / 28d, 2400 bad of 2e5: e = 0.012, remaining −0.2 → −20.0%;
		// budget 2,419,200 × 0.01 = 24,192 s = 6h 43m 12s, overspent by
		// 4838.4 s = 1h 20m 38s → "1h 21m". 1h and 5m burn 15 > 13.44: page.
		evaluated(t, "search-latency", "search", 99, 28*day, reportAt, events(2e5, 2400),
			map[time.Duration]slo.Counts{5 * m: events(1e3, 150), h: events(1e4, 1500)}),
		// 99.5% / 30d, 3500 bad of 1e6: e = 0.0035, remaining 0.3 → 30.0%
		// (caution); budget 12,960 s = 3h 36m, left 3888 s = 1h 4m 48s →
		// "1h 5m". 1d 3.2 and 2h 4 > 3: ticket. 1h burn 1: 0.3 × 30d = 9d.
		evaluated(t, "cart-availability", "cart", 99.5, 30*day, reportAt, events(1e6, 3500),
			map[time.Duration]slo.Counts{h: events(5e3, 25), 2 * h: events(1e4, 200), 6 * h: events(3e4, 150),
				day: events(1e5, 1600)}),
		stale(evaluated(t, "payments-availability", "payments", 99.95, 90*day, reportAt.Add(-5*m),
			// 99.95% / 90d, 3000 bad of 1e7: e = 0.0003, remaining 0.4 (caution),
			// budget 3888 s = 1h 4m 48s, left 1555.2 s. 1h: 30 of 1e5 → 0.6;
			// exhaustion 0.4 × 7,776,000 / 0.6 = 5,184,000 s = 60d.
			events(1e7, 3000), map[time.Duration]slo.Counts{h: events(1e5, 30)}),
			`query sum(increase(http_requests_total{service="payments",code=~"5..|429"}[1h])): Prometheus answered 503 Service Unavailable`),
	}
}

func stale(r slo.Result, err string) slo.Result {
	r.Error = err
	return r
}

func render(t *testing.T, format string, results []slo.Result) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, results, reportAt); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
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
	for format, file := range map[string]string{"table": "report.txt", "markdown": "report.md", "json": "report.json"} {
		t.Run(format, func(t *testing.T) { golden(t, file, render(t, format, results)) })
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
	tests := []struct {
		slo, field, got, want string
	}{
		{"checkout-availability", "objective", rows["checkout-availability"].objective, "99.9%"},
		{"checkout-availability", "sli", rows["checkout-availability"].sli, "99.960%"},
		{"checkout-availability", "budget", rows["checkout-availability"].budget, "60.0%"},
		{"checkout-availability", "outage", rows["checkout-availability"].outage, "25m 55s left of 43m 12s"},
		{"checkout-availability", "forecast", rows["checkout-availability"].forecast, "exhausted in 7d 5h"},
		{"checkout-availability", "burn 1h", rows["checkout-availability"].burn1h, "2.50"},      // 250/1e5/0.001
		{"checkout-availability", "burn 6h", rows["checkout-availability"].burn6h, "1.00"},      // 600/6e5/0.001
		{"checkout-availability", "burn 1d", rows["checkout-availability"].burn1d, "0.40"},      // 960/2.4e6/0.001
		{"checkout-availability", "burn 30d", rows["checkout-availability"].burnWindow, "0.40"}, // 400/1e6/0.001
		{"checkout-availability", "state", rows["checkout-availability"].state, "healthy"},
		{"checkout-availability", "features", rows["checkout-availability"].features, "70%"},
		{"checkout-availability", "alerts", rows["checkout-availability"].alerts, "none"},
		{"search-latency", "sli", rows["search-latency"].sli, "98.80%"},
		{"search-latency", "budget", rows["search-latency"].budget, "-20.0%"},
		{"search-latency", "outage", rows["search-latency"].outage, "overspent by 1h 21m of 6h 43m"},
		{"search-latency", "freeze", rows["search-latency"].freeze, "FREEZE"},
		{"search-latency", "features", rows["search-latency"].features, "0%"},
		{"search-latency", "alerts", rows["search-latency"].alerts, "page"},
		{"search-latency", "forecast", rows["search-latency"].forecast, "exhausted"},
		{"search-latency", "burn 6h", rows["search-latency"].burn6h, "-"},
		{"search-latency", "burn 28d", rows["search-latency"].burnWindow, "1.20"},
		{"cart-availability", "outage", rows["cart-availability"].outage, "1h 5m left of 3h 36m"},
		{"cart-availability", "state", rows["cart-availability"].state, "caution"},
		{"cart-availability", "alerts", rows["cart-availability"].alerts, "ticket"},
		{"cart-availability", "forecast", rows["cart-availability"].forecast, "exhausted in 9d"},
		{"catalog-search", "sli", rows["catalog-search"].sli, "no traffic"},
		{"catalog-search", "budget", rows["catalog-search"].budget, "100.0%"},
		{"catalog-search", "outage", rows["catalog-search"].outage, "50m 24s left of 50m 24s"},
		{"catalog-search", "burn 7d", rows["catalog-search"].burnWindow, "-"},
		{"catalog-search", "forecast", rows["catalog-search"].forecast, "not burning"},
		{"payments-availability", "status", rows["payments-availability"].status, "STALE"},
		{"payments-availability", "objective", rows["payments-availability"].objective, "99.95%"},
		{"payments-availability", "sli", rows["payments-availability"].sli, "99.9700%"},
		{"payments-availability", "outage", rows["payments-availability"].outage, "25m 55s left of 1h 5m"},
		{"payments-availability", "forecast", rows["payments-availability"].forecast, "exhausted in 60d"},
		{"inventory-availability", "status", rows["inventory-availability"].status, "NO DATA"},
		{"inventory-availability", "budget", rows["inventory-availability"].budget, "-"},
		{"inventory-availability", "objective", rows["inventory-availability"].objective, "99.9%"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.slo, tt.field, tt.got, tt.want)
		}
	}
	if f := rows["payments-availability"].footnotes; len(f) != 1 ||
		!strings.Contains(f[0], "numbers from 2024-05-01T11:55:00Z (5m before this report)") ||
		!strings.Contains(f[0], "503 Service Unavailable") {
		t.Errorf("stale footnotes = %q", f)
	}
	if f := rows["checkout-availability"].footnotes; len(f) != 0 {
		t.Errorf("a clean SLO has footnotes %q", f)
	}
}

func TestSortWorstFirst(t *testing.T) {
	in := fixture(t)
	before := make([]string, len(in))
	for i, r := range in {
		before[i] = r.Name
	}
	var got []string
	for _, r := range sortWorstFirst(in) {
		got = append(got, r.Name)
	}
	// never evaluated; then remaining −0.2, 0.3, 0.4, 0.6, 1.
	want := []string{"inventory-availability", "search-latency", "cart-availability",
		"payments-availability", "checkout-availability", "catalog-search"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
	for i, r := range in {
		if r.Name != before[i] {
			t.Fatalf("Write reordered the caller's slice")
		}
	}
	// The table lists them in that order too.
	table := render(t, "table", in)
	last := -1
	for _, name := range want {
		i := strings.Index(table, "\n"+name+" ")
		if i < 0 || i < last {
			t.Fatalf("table: %s missing or out of order:\n%s", name, table)
		}
		last = i
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
	sorted := sortWorstFirst(in)
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
	out := render(t, "markdown", fixture(t))
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		// Every table line has exactly one cell per header: a | inside a
		// cell (the 5..|429 in an error) must not add a column.
		cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1
		if cells != len(headers) {
			t.Errorf("markdown line has %d cells, want %d: %s", cells, len(headers), line)
		}
	}
	if !strings.Contains(out, `5..\|429`) {
		t.Errorf("the | in the error text is not escaped:\n%s", out)
	}
	if !strings.Contains(out, "| **FREEZE** |") || !strings.Contains(out, "| **STALE** |") || !strings.Contains(out, "| **NO DATA** |") {
		t.Errorf("FREEZE, STALE and NO DATA are not bold:\n%s", out)
	}
}

func TestUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, "yaml", fixture(t), reportAt)
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
		err := Write(failingWriter{}, f, fixture(t), reportAt)
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
	if err := Write(&buf, "json", []slo.Result{r}, reportAt); err == nil {
		t.Errorf("no error for a NaN burn rate; wrote %s", buf.String())
	} else if buf.Len() != 0 {
		t.Errorf("wrote %d bytes despite the error", buf.Len())
	}
}

func nan() float64 { var z float64; return z / z }
