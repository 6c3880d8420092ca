package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/internal/synth"
	"github.com/slobudget/slobudget/slo"
	"github.com/slobudget/slobudget/statuspage"
)

// historyAPI is GET /api/v1/slos/{name}/history.
type historyAPI struct {
	Remaining []slo.SeriesPoint            `json:"remaining"`
	BurnRates map[string][]slo.SeriesPoint `json:"burnRates"`
	Daily     []slo.PeriodSLI              `json:"daily"`
	PageSpans []slo.Period                 `json:"pageSpans"`
}

// chartsJS reads every chart's data attributes as the browser parsed them.
const chartsJS = `(() => [...document.querySelectorAll('svg[data-chart]')].map(svg => ({
  Chart: svg.dataset.chart,
  Row: (svg.closest('tr[data-slo]') || {dataset: {}}).dataset.slo || '',
  Series: [...svg.querySelectorAll('polyline[data-series]')].map(p => ({Name: p.dataset.series, Points: p.dataset.points})),
  Bars: [...svg.querySelectorAll('rect[data-bar]')].map(r => ({Start: r.dataset.start, End: r.dataset.end, Value: r.dataset.value})),
  Spans: [...svg.querySelectorAll('rect[data-span]')].map(r => ({Start: r.dataset.start, End: r.dataset.end})),
})))()`

type drawn struct {
	Chart, Row string
	Series     []struct{ Name, Points string }
	Bars       []struct{ Start, End, Value string }
	Spans      []struct{ Start, End string }
}

// TestChartsAgreeWithHistoryAPI runs the daemon's engine over the last 40
// minutes of the e2e data on the real Prometheus (every 30 s, so fast-burn
// pages at some of them), then checks the history API against the truth
// counted from the generated samples, and the charts the browser shows on
// the status page and the detail page against the history API.
func TestChartsAgreeWithHistoryAPI(t *testing.T) {
	f := sharedFixture(t)
	chromium := requireChromium(t)
	p := f.startPrometheus(t)
	d, err := exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: []string{f.configYML}, Backend: backend.Options{URL: p.URL, Timeout: time.Minute, Concurrency: 4},
		Step: 30 * time.Second, Logger: zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var instants []time.Time
	for at := evalAt.Add(-40 * time.Minute); !at.After(evalAt); at = at.Add(30 * time.Second) {
		instants = append(instants, at)
		if failed := d.Engine.EvaluateAt(ctx, at); failed != 0 {
			t.Fatalf("%d SLOs failed at %s", failed, at)
		}
	}
	d.StatusPage = d.NewStatusPage(statuspage.Options{Title: "SLO status", Refresh: -1, Now: func() time.Time { return evalAt.Add(10 * time.Second) }})
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()

	apis := map[string]historyAPI{}
	for _, sc := range f.data.Scenarios {
		for _, s := range sc.SLOs {
			var h historyAPI
			if err := json.Unmarshal([]byte(get(t, srv.URL+"/api/v1/slos/"+s.Name+"/history")), &h); err != nil {
				t.Fatal(err)
			}
			apis[s.Name] = h
			t.Run("api/"+s.Name, func(t *testing.T) { checkHistoryTruth(t, f.data, sc, s, h, instants) })
		}
	}
	if len(apis["fast-burn-availability"].PageSpans) == 0 {
		t.Error("fast-burn pages in the last hour, but its history has no page span")
	}

	bctx := browser(t, chromium)
	for _, size := range []image.Point{{1280, 800}, {1920, 1080}} {
		t.Run(fmt.Sprintf("overview-%dx%d", size.X, size.Y), func(t *testing.T) {
			if err := chromedp.Do(bctx, chromedp.EmulateViewport(int64(size.X), int64(size.Y)),
				chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("#slos")); err != nil {
				t.Fatal(err)
			}
			got := readCharts(t, bctx)
			rows := 0
			for _, c := range got {
				if c.Chart != "budget" || c.Row == "" {
					continue
				}
				rows++
				samePoints(t, "row chart of "+c.Row, c.Series[0].Points, apis[c.Row].Remaining)
			}
			if rows != len(apis) {
				t.Errorf("%d rows have a burn-down chart, want all %d", rows, len(apis))
			}
			checkNoOverlap(t, bctx, size, 150)
			saveScreenshot(t, bctx, fmt.Sprintf("status-page-charts-%dx%d.png", size.X, size.Y))
		})
	}
	for _, name := range []string{"fast-burn-availability", "slow-burn-availability"} {
		t.Run("detail/"+name, func(t *testing.T) {
			if err := chromedp.Do(bctx, chromedp.EmulateViewport(1440, 900),
				chromedp.Navigate(srv.URL+"/slo/"+name), chromedp.WaitVisible("#details")); err != nil {
				t.Fatal(err)
			}
			api := apis[name]
			kinds := map[string]bool{}
			for _, c := range readCharts(t, bctx) {
				kinds[c.Chart] = true
				switch {
				case c.Chart == "budget" && c.Row == "":
					samePoints(t, "detail budget chart", c.Series[0].Points, api.Remaining)
					sameSpans(t, "budget chart page spans", c.Spans, api.PageSpans)
				case c.Chart == "burn-rates":
					for _, s := range c.Series {
						samePoints(t, "burn rate "+s.Name, s.Points, api.BurnRates[s.Name])
					}
					sameSpans(t, "burn chart page spans", c.Spans, api.PageSpans)
				case c.Chart == "daily-sli":
					if len(c.Bars) != len(api.Daily) {
						t.Errorf("%d daily bars, the API has %d days", len(c.Bars), len(api.Daily))
						continue
					}
					for i, b := range c.Bars {
						want := ""
						if v := api.Daily[i].SLI; v != nil {
							want = strconv.FormatFloat(*v, 'g', -1, 64)
						}
						if b.Value != want || b.Start != unix(api.Daily[i].Start) {
							t.Errorf("daily bar %d: %+v, API day from %s with SLI %q", i, b, api.Daily[i].Start, want)
						}
					}
				}
			}
			for _, k := range []string{"budget", "daily-sli", "burn-rates"} {
				if !kinds[k] {
					t.Errorf("the detail page has no %s chart (has %v)", k, kinds)
				}
			}
			if name == "fast-burn-availability" {
				saveScreenshot(t, bctx, "status-page-detail-1440x900.png")
			}
		})
	}
}

// checkHistoryTruth compares the history API with sums of the generated
// events: the burn-down at every point, the 1h and 1d burn rates, each
// day's events, and the page spans with those of the truth's alerts at the
// instants evaluated.
func checkHistoryTruth(t *testing.T, d *synth.Data, sc *synth.Scenario, s synth.SLOSpec, h historyAPI, instants []time.Time) {
	at := instants[len(instants)-1]
	start := at.Add(-s.Window)
	counts := d.Counts
	if s.TimeSlice != nil {
		counts = d.SliceCounts
	}
	budget := 1 - s.Objective/100
	window := counts(sc, s, start, at)
	if len(h.Remaining) != int(s.Window/time.Hour)+2 {
		t.Fatalf("%d burn-down points, want %d", len(h.Remaining), int(s.Window/time.Hour)+2)
	}
	for _, p := range h.Remaining {
		want := 1.0
		if window.Total > 0 {
			want = 1 - counts(sc, s, start, p.At).Bad()/(budget*window.Total)
		}
		if !closeEnough(p.Value, want) {
			t.Fatalf("burn-down at %s = %v, truth %v", p.At, p.Value, want)
		}
	}
	for _, w := range []time.Duration{time.Hour, 24 * time.Hour} {
		pts := h.BurnRates[slo.WindowLabel(w)]
		if len(pts) == 0 && window.Total > 0 {
			t.Errorf("no %s burn-rate points", slo.WindowLabel(w))
		}
		for _, p := range pts {
			c := counts(sc, s, p.At.Add(-w), p.At)
			if want := c.Bad() / c.Total / budget; !closeEnough(p.Value, want) {
				t.Fatalf("%s burn rate at %s = %v, truth %v", slo.WindowLabel(w), p.At, p.Value, want)
			}
		}
	}
	for _, day := range h.Daily {
		lo, hi := day.Start, day.End
		if lo.Before(start) {
			lo = start
		}
		if hi.After(at) {
			hi = at
		}
		if want := counts(sc, s, lo, hi); day.Events != want {
			t.Errorf("day %s: events %+v, truth %+v", day.Start.Format("2006-01-02"), day.Events, want)
		}
	}
	var spans []slo.Period
	prevPage := false
	for _, in := range instants {
		want, err := d.Expected(in)
		if err != nil {
			t.Fatal(err)
		}
		page := false
		for _, r := range want {
			if r.Name == s.Name {
				page = r.Alerts.Page
			}
		}
		switch {
		case page && prevPage:
			spans[len(spans)-1].End = in
		case page:
			spans = append(spans, slo.Period{Start: in.Add(-30 * time.Second), End: in})
		}
		prevPage = page
	}
	if len(spans) != len(h.PageSpans) {
		t.Fatalf("page spans %v, truth %v", h.PageSpans, spans)
	}
	for i := range spans {
		if !spans[i].Start.Equal(h.PageSpans[i].Start) || !spans[i].End.Equal(h.PageSpans[i].End) {
			t.Errorf("page span %d: %v, truth %v", i, h.PageSpans[i], spans[i])
		}
	}
}

func closeEnough(got, want float64) bool {
	return got == want || math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

func readCharts(t *testing.T, ctx context.Context) []drawn {
	t.Helper()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]drawn](chartsJS))
	if err != nil {
		t.Fatalf("reading the charts: %v", err)
	}
	return out
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// samePoints checks a chart's data-points ("UNIX:VALUE ...") against the
// API's series, exactly: both are written with the shortest round-trip
// decimal.
func samePoints(t *testing.T, what, attr string, api []slo.SeriesPoint) {
	t.Helper()
	fields := strings.Fields(attr)
	if len(fields) != len(api) {
		t.Errorf("%s: %d points drawn, the API has %d", what, len(fields), len(api))
		return
	}
	for i, f := range fields {
		ts, v, _ := strings.Cut(f, ":")
		got, err := strconv.ParseFloat(v, 64)
		if err != nil || ts != unix(api[i].At) || got != api[i].Value {
			t.Errorf("%s: point %d is %s, the API has %s:%v", what, i, f, unix(api[i].At), api[i].Value)
			return
		}
	}
}

func sameSpans(t *testing.T, what string, drawn []struct{ Start, End string }, api []slo.Period) {
	t.Helper()
	if len(drawn) != len(api) {
		t.Errorf("%s: %d drawn, the API has %d", what, len(drawn), len(api))
		return
	}
	for i, s := range drawn {
		if s.Start != unix(api[i].Start) || s.End != unix(api[i].End) {
			t.Errorf("%s: span %d drawn %v, the API has %v", what, i, s, api[i])
		}
	}
}

// saveScreenshot writes a screenshot to docs/ with -statuspage.screenshot.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if *updateScreenshot {
		dst := filepath.Join("..", "docs", name)
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", dst)
	}
}
