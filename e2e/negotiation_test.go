package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/statuspage"
)

// The negotiation data: one shop, scraped every minute from 29 October to 3
// November 2026, 100 requests a minute. Errors: 2 a minute from 22:00 to
// 23:30 UTC on 31 October, across Berlin's midnight into November (23:00
// UTC, after the clocks went back on 25 October); 5 a minute from 01:00 to
// 03:30 UTC on 2 November, of which 02:00-04:00 CET (01:00-03:00 UTC) is an
// agreed exclusion.
const negotiationSLOs = `
slos:
  - name: berlin
    service: shop
    objective: 99.9
    window: {calendar: month, timezone: Europe/Berlin}
    sli:
      events:
        errors: shop_errors_total
        total: shop_requests_total
  - name: rolling
    service: shop
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: shop_errors_total
        total: shop_requests_total
`

const negotiationExclusions = `
exclusions:
  - from: 2026-11-02T02:00:00+01:00
    to: 2026-11-02T04:00:00+01:00
    slos: [berlin, rolling]
    reason: DB migration
    approvedBy: Jane
`

type shopSample struct {
	at           time.Time
	total, error float64 // the counters' values
	dTotal, dErr float64 // the events this scrape revealed
}

// negotiationShop writes the data as OpenMetrics and returns every scrape
// with the events it revealed, counted as it writes.
func negotiationShop() (string, []shopSample) {
	start := time.Date(2026, 10, 29, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)
	in := func(t time.Time, from, to string) bool {
		f, _ := time.Parse(time.RFC3339, from)
		e, _ := time.Parse(time.RFC3339, to)
		return t.After(f) && !t.After(e)
	}
	var out []shopSample
	total, errs := 5000.0, 40.0
	for at := start; !at.After(end); at = at.Add(time.Minute) {
		s := shopSample{at: at}
		if at.After(start) { // the first scrape is the baseline
			s.dTotal = 100
			switch {
			case in(at, "2026-10-31T22:00:00Z", "2026-10-31T23:30:00Z"):
				s.dErr = 2
			case in(at, "2026-11-02T01:00:00Z", "2026-11-02T03:30:00Z"):
				s.dErr = 5
			}
		}
		total, errs = total+s.dTotal, errs+s.dErr
		s.total, s.error = total, errs
		out = append(out, s)
	}
	var b strings.Builder
	b.WriteString("# TYPE shop_requests counter\n")
	for _, s := range out {
		fmt.Fprintf(&b, "shop_requests_total %g %d\n", s.total, s.at.Unix())
	}
	b.WriteString("# TYPE shop_errors counter\n")
	for _, s := range out {
		fmt.Fprintf(&b, "shop_errors_total %g %d\n", s.error, s.at.Unix())
	}
	b.WriteString("# EOF\n")
	return b.String(), out
}

// shopTruth adds up the events of scrapes in (from, to], split into those
// outside and inside [exFrom, exTo).
type shopCounts struct{ good, bad float64 }

func shopTruth(data []shopSample, from, to, exFrom, exTo time.Time) (kept, excluded shopCounts) {
	for _, s := range data {
		if !s.at.After(from) || s.at.After(to) {
			continue
		}
		c := &kept
		if !s.at.Before(exFrom) && s.at.Before(exTo) {
			c = &excluded
		}
		c.good += s.dTotal - s.dErr
		c.bad += s.dErr
	}
	return kept, excluded
}

type negotiatedSLO struct {
	Name        string     `json:"name"`
	Window      string     `json:"window"`
	WindowSecs  float64    `json:"windowSeconds"`
	PeriodStart *time.Time `json:"periodStart"`
	PeriodEnd   *time.Time `json:"periodEnd"`
	PeriodZone  string     `json:"periodZone"`
	Events      *struct {
		Good  float64 `json:"good"`
		Total float64 `json:"total"`
	} `json:"events"`
	BudgetRemaining *float64 `json:"budgetRemaining"`
	Coverage        *float64 `json:"coverage"`
	Exclusions      []struct {
		From       time.Time `json:"from"`
		To         time.Time `json:"to"`
		Reason     string    `json:"reason"`
		ApprovedBy string    `json:"approvedBy"`
		GoodEvents float64   `json:"goodEvents"`
		BadEvents  float64   `json:"badEvents"`
	} `json:"exclusions"`
	Error string `json:"error"`
}

func runNegotiationReport(t *testing.T, bin, promURL string, at time.Time, format string, files ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"report", "--prometheus.url=" + promURL, "--time=" + at.Format(time.RFC3339), "--format=" + format}
	args = append(args, files...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", cmd, err, stderr.String())
	}
	return stdout.Bytes()
}

func negotiationJSON(t *testing.T, out []byte) map[string]negotiatedSLO {
	t.Helper()
	var rep struct {
		SLOs []negotiatedSLO `json:"slos"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("report JSON: %v\n%.2000s", err, out)
	}
	m := map[string]negotiatedSLO{}
	for _, s := range rep.SLOs {
		if s.Error != "" {
			t.Fatalf("%s: evaluation failed: %s", s.Name, s.Error)
		}
		m[s.Name] = s
	}
	return m
}

func rfc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCalendarResetAndExclusionOnPrometheus runs slobudget report against a
// real Prometheus holding the negotiation data: the Berlin calendar month
// resets exactly at Berlin's midnight (evaluated a minute before and a
// minute after), and the agreed exclusion changes both SLOs' counts exactly
// by its events, shown with its reason in the report, the JSON, the
// daemon's /metrics and status page, and gone after a reload without it.
func TestCalendarResetAndExclusionOnPrometheus(t *testing.T) {
	promtest.Require(t, promtest.Promtool)
	promtest.Require(t, promtest.Prometheus)
	dir := t.TempDir()
	text, data := negotiationShop()
	om := filepath.Join(dir, "shop.om")
	if err := os.WriteFile(om, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	tsdb := filepath.Join(dir, "tsdb")
	promtest.Backfill(t, om, tsdb)
	prom := promtest.StartPrometheus(t, promtest.Options{DataDir: tsdb})
	cfg := filepath.Join(dir, "slos.yml")
	excl := filepath.Join(dir, "exclusions.yml")
	if err := os.WriteFile(cfg, []byte(negotiationSLOs), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(excl, []byte(negotiationExclusions), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildSlobudget(t)
	never := time.Time{}

	t.Run("calendar month resets at Berlin midnight", func(t *testing.T) {
		for _, c := range []struct {
			at, start, end string
			seconds        float64
		}{
			{"2026-10-31T22:59:00Z", "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z", 31*86400 + 3600},
			{"2026-10-31T23:01:00Z", "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z", 30 * 86400},
		} {
			at, start := rfc(t, c.at), rfc(t, c.start)
			got := negotiationJSON(t, runNegotiationReport(t, bin, prom.URL, at, "json", "--config.file="+cfg))["berlin"]
			if got.PeriodStart == nil || !got.PeriodStart.Equal(start) || got.PeriodEnd == nil || !got.PeriodEnd.Equal(rfc(t, c.end)) ||
				got.PeriodZone != "Europe/Berlin" || got.Window != "1M" || got.WindowSecs != c.seconds {
				t.Errorf("at %s: window %s %vs, period %v to %v in %q; want 1M %vs, %s to %s in Europe/Berlin",
					c.at, got.Window, got.WindowSecs, got.PeriodStart, got.PeriodEnd, got.PeriodZone, c.seconds, c.start, c.end)
			}
			kept, _ := shopTruth(data, start, at, never, never)
			if got.Events == nil || got.Events.Good != kept.good || got.Events.Total != kept.good+kept.bad {
				t.Errorf("at %s: events %+v, want good %v of %v", c.at, got.Events, kept.good, kept.good+kept.bad)
			}
			remaining := 1 - (kept.bad/(kept.good+kept.bad))/0.001
			if got.BudgetRemaining == nil || math.Abs(*got.BudgetRemaining-remaining) > 1e-12 {
				t.Errorf("at %s: budget remaining %v, want %v", c.at, deref(got.BudgetRemaining), remaining)
			}
			// Coverage is over the elapsed part of the period: from the
			// first sample (29 October 00:00 UTC) or the period's start.
			firstSample := data[0].at
			covered := at.Sub(start).Seconds()
			if firstSample.After(start) {
				covered = at.Sub(firstSample).Seconds()
			}
			if want := covered / at.Sub(start).Seconds(); got.Coverage == nil || math.Abs(*got.Coverage-want) > 1e-12 {
				t.Errorf("at %s: coverage %v, want %v", c.at, deref(got.Coverage), want)
			}
		}
	})

	at := rfc(t, "2026-11-03T00:00:00Z")
	exFrom, exTo := rfc(t, "2026-11-02T01:00:00Z"), rfc(t, "2026-11-02T03:00:00Z")
	starts := map[string]time.Time{"berlin": rfc(t, "2026-10-31T23:00:00Z"), "rolling": at.Add(-7 * 24 * time.Hour)}
	wantLine := ""
	t.Run("exclusion changes the budget exactly by its events", func(t *testing.T) {
		with := negotiationJSON(t, runNegotiationReport(t, bin, prom.URL, at, "json", "--config.file="+cfg, "--exclusions.file="+excl))
		without := negotiationJSON(t, runNegotiationReport(t, bin, prom.URL, at, "json", "--config.file="+cfg))
		for name, start := range starts {
			kept, ex := shopTruth(data, start, at, exFrom, exTo)
			if ex.bad != 119*5 { // 01:01 to 02:59, five errors each
				t.Fatalf("test data: %v bad events excluded, want 595", ex.bad)
			}
			w, wo := with[name], without[name]
			if w.Events == nil || w.Events.Good != kept.good || w.Events.Total != kept.good+kept.bad {
				t.Errorf("%s with the exclusion: events %+v, want good %v of %v", name, w.Events, kept.good, kept.good+kept.bad)
			}
			if wo.Events == nil || wo.Events.Good != kept.good+ex.good || wo.Events.Total != kept.good+kept.bad+ex.good+ex.bad {
				t.Errorf("%s without: events %+v, want good %v of %v", name, wo.Events, kept.good+ex.good, kept.good+kept.bad+ex.good+ex.bad)
			}
			if len(w.Exclusions) != 1 || w.Exclusions[0].Reason != "DB migration" || w.Exclusions[0].ApprovedBy != "Jane" ||
				!w.Exclusions[0].From.Equal(exFrom) || !w.Exclusions[0].To.Equal(exTo) ||
				w.Exclusions[0].GoodEvents != ex.good || w.Exclusions[0].BadEvents != ex.bad {
				t.Errorf("%s: exclusions %+v, want DB migration by Jane with %v good and %v bad", name, w.Exclusions, ex.good, ex.bad)
			}
			if len(wo.Exclusions) != 0 {
				t.Errorf("%s without --exclusions.file lists %+v", name, wo.Exclusions)
			}
			for label, r := range map[string]negotiatedSLO{"with": w, "without": wo} {
				k := kept
				if label == "without" {
					k = shopCounts{kept.good + ex.good, kept.bad + ex.bad}
				}
				remaining := 1 - (k.bad/(k.good+k.bad))/0.001
				if r.BudgetRemaining == nil || math.Abs(*r.BudgetRemaining-remaining) > 1e-12 {
					t.Errorf("%s %s the exclusion: budget remaining %v, want %v", name, label, deref(r.BudgetRemaining), remaining)
				}
			}
		}
		_, ex := shopTruth(data, starts["berlin"], at, exFrom, exTo)
		wantLine = fmt.Sprintf("excluded %s bad and %s good events 2026-11-02 02:00–04:00 CET: DB migration, approved by Jane",
			thousands(ex.bad), thousands(ex.good))
		table := string(runNegotiationReport(t, bin, prom.URL, at, "table", "--config.file="+cfg, "--exclusions.file="+excl))
		if !strings.Contains(table, wantLine) {
			t.Errorf("the table lacks %q:\n%s", wantLine, table)
		}
		if period := "calendar 1M window in Europe/Berlin: counting since 2026-11-01 00:00 CET; the budget resets at 2026-12-01 00:00 CET"; !strings.Contains(table, period) {
			t.Errorf("the table lacks %q:\n%s", period, table)
		}
	})

	t.Run("daemon metrics, API and status page; reload drops the exclusion", func(t *testing.T) {
		d, err := exporter.NewDaemon(exporter.DaemonOptions{
			ConfigFiles: []string{cfg}, ExclusionFiles: []string{excl},
			Backend: backend.Options{URL: prom.URL, Timeout: time.Minute}, Step: 30 * time.Second, Logger: zap.NewNop(),
		})
		if err != nil {
			t.Fatal(err)
		}
		d.StatusPage = d.NewStatusPage(statuspage.Options{EvalInterval: 30 * time.Second})
		ctx := context.Background()
		if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
			t.Fatalf("%d SLOs failed: %+v", failed, d.Engine.Results())
		}
		_, ex := shopTruth(data, starts["berlin"], at, exFrom, exTo)
		m := scrapeNegotiation(t, d)
		for name := range starts {
			_, ex := shopTruth(data, starts[name], at, exFrom, exTo)
			expectGauge(t, m, "slo_excluded_events", map[string]string{"slo": name, "result": "bad"}, ex.bad)
			expectGauge(t, m, "slo_excluded_events", map[string]string{"slo": name, "result": "good"}, ex.good)
		}
		expectGauge(t, m, "slo_window_period_start_timestamp_seconds", map[string]string{"slo": "berlin"}, float64(starts["berlin"].Unix()))
		expectGauge(t, m, "slo_window_period_end_timestamp_seconds", map[string]string{"slo": "berlin"}, float64(rfc(t, "2026-11-30T23:00:00Z").Unix()))
		if _, ok := m[key("slo_window_period_start_timestamp_seconds", "rolling", "")]; ok {
			t.Errorf("a rolling window has a period start")
		}

		rec := httptest.NewRecorder()
		d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/slos/berlin", nil))
		var api negotiatedSLO
		if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil {
			t.Fatalf("/api/v1/slos/berlin: %v\n%s", err, rec.Body.String())
		}
		if len(api.Exclusions) != 1 || api.Exclusions[0].Reason != "DB migration" || api.Exclusions[0].BadEvents != ex.bad {
			t.Errorf("/api/v1/slos/berlin exclusions %+v", api.Exclusions)
		}
		rec = httptest.NewRecorder()
		d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if wantLine != "" && !strings.Contains(rec.Body.String(), wantLine) {
			t.Errorf("the status page lacks %q", wantLine)
		}

		// The exclusion withdrawn: a reload counts its events again.
		if err := os.WriteFile(excl, []byte("exclusions: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := d.Reload(); err != nil {
			t.Fatal(err)
		}
		if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
			t.Fatalf("%d SLOs failed after the reload", failed)
		}
		m = scrapeNegotiation(t, d)
		kept, _ := shopTruth(data, starts["berlin"], at, never, never)
		expectGauge(t, m, "slo_excluded_events", map[string]string{"slo": "berlin", "result": "bad"}, 0)
		expectGauge(t, m, "slo_window_events", map[string]string{"slo": "berlin", "result": "bad"}, kept.bad)
	})
}

// scrapeNegotiation parses the daemon's /metrics into value by
// key(name, slo, result).
func scrapeNegotiation(t *testing.T, d *exporter.Daemon) map[string]float64 {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(scrapeText(t, d)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			ls := map[string]string{}
			for _, l := range m.GetLabel() {
				ls[l.GetName()] = l.GetValue()
			}
			out[key(name, ls["slo"], ls["result"])] = m.GetGauge().GetValue()
		}
	}
	return out
}

func key(name, slo, result string) string { return name + "|" + slo + "|" + result }

func expectGauge(t *testing.T, m map[string]float64, name string, ls map[string]string, want float64) {
	t.Helper()
	k := key(name, ls["slo"], ls["result"])
	got, ok := m[k]
	if !ok {
		t.Errorf("/metrics has no %s%v", name, ls)
		return
	}
	if got != want {
		t.Errorf("%s%v = %v, want %v", name, ls, got, want)
	}
}

// thousands spells an integer count with comma separators, as the report
// does, written here independently.
func thousands(v float64) string {
	s := fmt.Sprintf("%d", int64(v))
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
