package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
	"github.com/slobudget/slobudget/statuspage"
)

// -statuspage.screenshot writes the browser's screenshots to
// docs/status-page-WxH.png for the README; without it the screenshots are
// only checked, so a test run never changes a tracked file.
var updateScreenshot = flag.Bool("statuspage.screenshot", false, "write the status page screenshots to docs/status-page-WxH.png")

const day = 24 * time.Hour

// projectorSizes are the screens the page must fit without any overlap:
// the usual projector and meeting-room display resolutions.
var projectorSizes = []image.Point{{1280, 800}, {1440, 900}, {1920, 1080}}

// pageSLO is one SLO of the status page's browser test: a definition, the
// event counts it saw, and what the page must say about it, derived by hand
// from math.md and the default policy (see each comment).
type pageSLO struct {
	name, service, desc string
	objective           float64
	window              time.Duration
	bad, total          float64
	burn                map[time.Duration][2]float64 // bad, total
	age                 time.Duration                // how old the numbers are
	err                 string
	failingFor          time.Duration
	never               bool
	missingSelector     string
	covered             time.Duration
	recovery            map[string]float64

	wantState, wantStatus string
	wantFreeze            bool
	wantPage, wantTicket  bool
}

func statusPageSLOs() []pageSLO {
	return []pageSLO{
		{
			// 3,000 bad of 12M at 99.9%: 25% of the budget spent, 75% left.
			name: "checkout-availability", service: "checkout", desc: "Checkout API answers without a server error",
			objective: 99.9, window: 30 * day, bad: 3_000, total: 12_000_000,
			burn: map[time.Duration][2]float64{
				5 * time.Minute: {0, 1_500}, 30 * time.Minute: {2, 9_000}, time.Hour: {5, 18_000},
				2 * time.Hour: {9, 36_000}, 6 * time.Hour: {20, 100_000}, day: {80, 400_000}, 3 * day: {260, 1_200_000},
			},
			wantState: "healthy", wantStatus: "FRESH",
		},
		{
			// 99% under 500 ms; 7,200 slow of 1.2M: 60% spent, 40% left
			// (caution). The last hour is 25× the budget rate, 5m 30×: it
			// pages, and 1d/2h tickets: both flags in one cell, the case that
			// used to cover the 2h burn cell.
			name: "checkout-latency", service: "checkout", desc: "Checkout answers within 500 ms (p99)",
			objective: 99, window: 30 * day, bad: 7_200, total: 1_200_000,
			burn: map[time.Duration][2]float64{
				5 * time.Minute: {45, 150}, 30 * time.Minute: {200, 900}, time.Hour: {450, 1_800},
				2 * time.Hour: {470, 3_600}, 6 * time.Hour: {520, 10_000}, day: {700, 40_000}, 3 * day: {1_500, 120_000},
			},
			wantState: "caution", wantStatus: "FRESH", wantPage: true, wantTicket: true,
		},
		{
			// 99.5% of batch runs succeed; 55 failed of 8,000: 137.5% spent,
			// overspent by 37.5%: frozen; at-risk again in 3d 4h.
			name: "billing-batch-success", service: "billing", desc: "Nightly billing batches finish",
			objective: 99.5, window: 30 * day, bad: 55, total: 8_000,
			burn: map[time.Duration][2]float64{
				time.Hour: {0, 12}, 6 * time.Hour: {1, 70}, day: {4, 280}, 3 * day: {11, 840},
			},
			recovery:  map[string]float64{"at-risk": 3*86400 + 4*3600},
			wantState: "frozen", wantStatus: "FRESH", wantFreeze: true, wantTicket: true,
		},
		{
			// Time slices with lag under 15 minutes: 300 of 43,200 slices late
			// at 99%: 69.4% spent, 30.6% left (caution); the numbers are 7
			// minutes old because Prometheus stopped answering 6 minutes ago.
			name: "warehouse-freshness", service: "etl", desc: "Warehouse lag under 15 minutes",
			objective: 99, window: 30 * day, bad: 300, total: 43_200,
			burn:       map[time.Duration][2]float64{time.Hour: {0, 60}, day: {10, 1_440}},
			age:        7 * time.Minute,
			failingFor: 6 * time.Minute,
			err:        `querying Prometheus: Post "http://prometheus:9090/api/v1/query": dial tcp: connection refused`,
			wantState:  "caution", wantStatus: "STALE",
		},
		{
			// Data quality checks, never evaluated: the query times out.
			name: "warehouse-quality", service: "etl", desc: "Rows passing data-quality checks",
			objective: 99.95, window: 30 * day, never: true,
			err:        `query "sum(dq_rows_checked_total)": Post "http://prometheus:9090/api/v1/query": context deadline exceeded`,
			wantStatus: "FAILED",
		},
		{
			// A mistyped metric name: Prometheus answers, nothing matches.
			name: "orders-availability-eu-west-1-frontend", service: "orders", desc: "Order API answers",
			objective: 99.9, window: 30 * day, missingSelector: `http_request_total{service="orders",region="eu-west-1"}`,
			wantStatus: "NO DATA",
		},
		{
			// Metrics began 2d 4h ago (52h of 720h: provisional); 40 bad of
			// 50,000 at 99.9%: 80% spent, 20% left: at-risk.
			name: "signup-availability", service: "signup", desc: "Sign-up form submits",
			objective: 99.9, window: 30 * day, bad: 40, total: 50_000, covered: 52 * time.Hour,
			burn:      map[time.Duration][2]float64{time.Hour: {2, 1_000}, 5 * time.Minute: {0, 80}},
			recovery:  map[string]float64{"caution": 86400 + 2*3600},
			wantState: "at-risk", wantStatus: "FRESH",
		},
		{
			// Zero traffic: the series exist and did not increase. Budget
			// untouched, every burn window "no traffic"; data, not NO DATA.
			name: "admin-exports", service: "admin", desc: "Nightly CSV exports",
			objective: 99, window: 30 * day, wantState: "healthy", wantStatus: "FRESH",
		},
	}
}

func (p pageSLO) remaining() float64 { return 1 - (p.bad/p.total)/(1-p.objective/100) }

func (p pageSLO) result(t *testing.T, now time.Time) slo.Result {
	t.Helper()
	pol := slo.DefaultPolicy()
	def := &slo.SLO{
		Name: p.name, Service: p.service, Description: p.desc, Objective: p.objective,
		Window: slo.Window{Text: slo.WindowLabel(p.window), Duration: p.window}, Policy: pol.Name,
	}
	if p.never {
		// What the engine keeps for an SLO that never evaluated: its
		// definition and the error, no numbers.
		r := slo.Result{Name: p.name, Service: p.service, Description: p.desc, Objective: def.ObjectiveRatio(),
			Window: def.Window.Text, WindowSeconds: p.window.Seconds(), Policy: pol.Name,
			BurnRates: map[string]float64{}, Error: p.err, FailingSince: now.Add(-2 * time.Minute)}
		for _, st := range pol.States {
			r.PolicyStates = append(r.PolicyStates, st.Name)
		}
		return r
	}
	in := slo.Input{At: now.Add(-p.age), Window: slo.Counts{Good: p.total - p.bad, Total: p.total}, Burn: map[time.Duration]slo.Counts{}}
	for w, c := range p.burn {
		in.Burn[w] = slo.Counts{Good: c[1] - c[0], Total: c[1]}
	}
	r, err := slo.Evaluate(def, &pol, in)
	if err != nil {
		t.Fatalf("evaluating %s: %v", p.name, err)
	}
	r.Error = p.err
	if p.failingFor > 0 {
		r.FailingSince = now.Add(-p.failingFor)
	}
	if p.missingSelector != "" {
		r.DataMissing, r.MissingSelector = true, p.missingSelector
		r.SetCoverage(0)
	}
	if p.covered > 0 {
		r.SetCoverage(p.covered)
	}
	r.RecoverySeconds = p.recovery
	return r
}

// requireChromium finds Debian's chromium. Missing, it skips locally and
// fails in CI, like the Prometheus tests.
func requireChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, ok := promtest.Find(name); ok {
			return p
		}
	}
	msg := "chromium not found in PATH or /usr/bin; install with: apt-get install -y --no-install-recommends chromium (or run scripts/test.sh)"
	if promtest.Strict() {
		t.Fatalf("%s (CI=true or SLOBUDGET_E2E=require: the browser test may not be skipped)", msg)
	}
	t.Skipf("skipping the browser test: %s", msg)
	return ""
}

// browser starts one headless Chromium for the test, driven over the
// DevTools protocol (chromedp): the page under test stays exactly as served,
// with its CSP and without any script, while the test measures the layout
// the browser computed. Network features that would phone home are off.
func browser(t *testing.T, bin string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		// chromium writes crash dumps and caches under HOME; keep them out
		// of the developer's home directory.
		chromedp.Env("HOME="+t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func TestStatusPageInChromium(t *testing.T) {
	bin := requireChromium(t)
	// A fixed clock keeps the screenshots identical between regenerations.
	now := time.Date(2026, 3, 15, 14, 20, 30, 0, time.UTC)
	slos := statusPageSLOs()
	var results []slo.Result
	for _, p := range slos {
		results = append(results, p.result(t, now))
	}
	h := statuspage.Handler(func() []slo.Result { return results }, statuspage.Options{
		Title: "Checkout & data platform SLOs", EvalInterval: 30 * time.Second,
		Ready: func() bool { return true }, Now: func() time.Time { return now },
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := browser(t, bin)

	for _, size := range projectorSizes {
		t.Run(fmt.Sprintf("%dx%d", size.X, size.Y), func(t *testing.T) {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(int64(size.X), int64(size.Y)),
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible("#slos"),
			)
			if err != nil {
				t.Fatalf("loading the page: %v", err)
			}
			checkNoOverlap(t, ctx, size, 150)
			checkScreenshot(t, ctx, size)
		})
	}

	// The DOM as the browser built it, at the smallest size.
	dom, err := chromedp.Run(ctx, chromedp.OuterHTML("html"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(dom))
	if err != nil {
		t.Fatalf("parsing chromium's DOM: %v", err)
	}
	rows := elements(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "slo") })

	// slo/order.go's rules, by hand: no numbers (FAILED, NO DATA) by name,
	// the stale one, the paging one (40% left), then by budget left:
	// -37.5%, 20%, 75%, and the untouched 100%.
	wantOrder := []string{"orders-availability-eu-west-1-frontend", "warehouse-quality", "warehouse-freshness",
		"checkout-latency", "billing-batch-success", "signup-availability", "checkout-availability", "admin-exports"}
	var order []string
	for _, r := range rows {
		order = append(order, attrOf(r, "data-slo"))
	}
	if strings.Join(order, ",") != strings.Join(wantOrder, ",") {
		t.Fatalf("rows in the browser: %v, want %v", order, wantOrder)
	}

	for _, p := range slos {
		var tr *html.Node
		for _, r := range rows {
			if attrOf(r, "data-slo") == p.name {
				tr = r
			}
		}
		t.Run(p.name, func(t *testing.T) {
			checkBrowserRow(t, p, tr)
			lines := elements(doc, func(n *html.Node) bool { return hasClass(n, "consequence") && attrOf(n, "data-for") == p.name })
			wantLine := map[string]string{
				"caution": "budget low", "at-risk": "budget nearly spent", "frozen": "only P0 and security fixes ship",
			}[p.wantState]
			switch {
			case wantLine == "" && len(lines) != 0:
				t.Errorf("consequence line %q under a row in its policy's first state or without numbers", textOf(lines[0]))
			case wantLine != "" && (len(lines) != 1 || !strings.Contains(textOf(lines[0]), wantLine)):
				t.Errorf("the %s row does not show its consequence %q", p.wantState, wantLine)
			}
			if p.err != "" && strings.Contains(textOf(tr), p.err) {
				t.Errorf("the full error is in the row; it belongs on the detail page")
			}
		})
	}

	summary := map[string]string{
		"sum-total": "8 SLOs", "sum-frozen": "1 frozen", "sum-paging": "1 paging", "sum-ticket": "2 ticket",
		// checkout-availability, checkout-latency, warehouse-freshness and
		// signup-availability meet their objective; billing-batch-success
		// does not; admin-exports has no SLI.
		"sum-meeting": "80% meeting objective (4 of 5)", "sum-nodata": "2 without numbers", "sum-stale": "1 stale",
		"sum-provisional": "1 provisional",
	}
	for id, want := range summary {
		n := elements(doc, func(n *html.Node) bool { return attrOf(n, "id") == id })
		if len(n) != 1 {
			t.Errorf("summary #%s: %d elements", id, len(n))
			continue
		}
		if got := textOf(n[0]); got != want {
			t.Errorf("summary #%s = %q, want %q", id, got, want)
		}
	}

	// The detail pages fit the smallest screen too, and carry the full error.
	for _, name := range []string{"warehouse-freshness", "billing-batch-success", "orders-availability-eu-west-1-frontend"} {
		size := projectorSizes[0]
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(int64(size.X), int64(size.Y)),
			chromedp.Navigate(srv.URL+"/?slo="+name),
			chromedp.WaitVisible("#details"),
		)
		if err != nil {
			t.Fatalf("%s detail page: %v", name, err)
		}
		details, err := chromedp.Run(ctx, chromedp.Text("#details"))
		if err != nil {
			t.Fatalf("%s detail page: %v", name, err)
		}
		t.Run("detail-"+name, func(t *testing.T) { checkNoOverlap(t, ctx, size, 5) })
		for _, p := range slos {
			if p.name == name && p.err != "" && !strings.Contains(details, p.err) {
				t.Errorf("%s detail page lacks the full error %q:\n%s", name, p.err, details)
			}
		}
	}
}

func checkBrowserRow(t *testing.T, p pageSLO, tr *html.Node) {
	in := func(class string) string {
		l := elements(tr, func(n *html.Node) bool { return hasClass(n, class) })
		if len(l) == 0 {
			return ""
		}
		return textOf(l[0])
	}
	if got := in("st"); got != p.wantStatus {
		t.Errorf("status %q, want %q", got, p.wantStatus)
	}
	switch {
	case p.never:
		if got := in("missing"); !strings.HasPrefix(got, "Never evaluated successfully: query timed out.") {
			t.Errorf("missing cell %q", got)
		}
		if got := in("detail"); !strings.HasPrefix(got, "query timed out since 14:18 UTC") {
			t.Errorf("status detail %q, want the short reason and since when", got)
		}
		return
	case p.missingSelector != "":
		if got, want := in("missing"), "NO DATA "+p.missingSelector+" matched no series"; !strings.HasPrefix(got, want) {
			t.Errorf("missing cell %q, want prefix %q", got, want)
		}
		if in("badge") != "" || in("big") != "" || !hasClass(tr, "tone-none") {
			t.Error("a NO DATA row shows a policy state or a budget, or is coloured")
		}
		return
	case p.err != "":
		if got := in("detail"); !strings.HasPrefix(got, "Prometheus unreachable since 14:14 UTC") {
			t.Errorf("status detail %q, want the short reason and since when", got)
		}
	}
	if got := in("badge"); got != p.wantState {
		t.Errorf("policy state %q, want %q", got, p.wantState)
	}
	if got := in("freeze") == "FREEZE"; got != p.wantFreeze {
		t.Errorf("FREEZE shown: %v, want %v", got, p.wantFreeze)
	}
	if got := in("page") == "PAGE"; got != p.wantPage {
		t.Errorf("PAGE shown: %v, want %v", got, p.wantPage)
	}
	if got := in("ticket") == "TICKET"; got != p.wantTicket {
		t.Errorf("TICKET shown: %v, want %v", got, p.wantTicket)
	}
	provisional := p.covered > 0 && p.covered < p.window/2
	if got := in("provisional") == "PROVISIONAL"; got != provisional {
		t.Errorf("PROVISIONAL shown: %v, want %v", got, provisional)
	}
	if provisional && in("coverage") != "over 2d 4h of 30d" {
		t.Errorf("coverage %q, want over 2d 4h of 30d", in("coverage"))
	}
	if got, want := in("objective"), fmt.Sprintf("%g%% over 30d", p.objective); !strings.HasPrefix(got, want) {
		t.Errorf("objective %q, want %q", got, want)
	}
	rem := 1.0
	if p.total > 0 {
		rem = p.remaining()
	}
	if got, want := in("big"), fmt.Sprintf("%.1f%%", rem*100); got != want {
		t.Errorf("budget left %q, want %q", got, want)
	}
	budgetSeconds := p.window.Seconds() * (1 - p.objective/100)
	wantOutage := report.HumanSeconds(rem*budgetSeconds) + " left of " + report.HumanSeconds(budgetSeconds)
	if rem < 0 {
		wantOutage = "overspent by " + report.HumanSeconds(-rem*budgetSeconds) + " of " + report.HumanSeconds(budgetSeconds)
	}
	if got := in("outage"); got != wantOutage {
		t.Errorf("outage time %q, want %q", got, wantOutage)
	}
	// Every window without counts must say so rather than show a number.
	for _, w := range slo.BurnWindows {
		cell := elements(tr, func(n *html.Node) bool { return attrOf(n, "data-window") == slo.WindowLabel(w) })
		if len(cell) != 1 {
			t.Errorf("burn window %s: %d cells", slo.WindowLabel(w), len(cell))
			continue
		}
		got := textOf(cell[0])
		c, ok := p.burn[w]
		want := slo.WindowLabel(w) + " no traffic"
		if ok {
			want = fmt.Sprintf("%s %.2f", slo.WindowLabel(w), (c[0]/c[1])/(1-p.objective/100))
		}
		if got != want {
			t.Errorf("burn cell %q, want %q", got, want)
		}
	}
}

// box is an element's border box as the browser laid it out, in CSS pixels.
type box struct {
	Key          string // what it is: "row/cell .class"
	Cell         string // the table cell it belongs to, "" for cells themselves
	Path         string // DOM path from the cell, to tell nesting from overlap
	X, Y, W, H   float64
	ScrollW      float64 // for cells: content width, to catch clipped overflow
	ClientW      float64
	OverflowText bool
}

// layout is what the measuring expression returns.
type layout struct {
	Cells, Items, Stats []box
	DocScrollW          float64
	DocClientW          float64
}

// measureJS collects the boxes of every table cell, of the badges, flags,
// burn cells and text blocks inside them, and of the summary's tiles. It is
// evaluated over the DevTools protocol, so the page itself stays script-free.
const measureJS = `(() => {
  const b = (e, key, cell, path) => { const r = e.getBoundingClientRect();
    return {Key: key, Cell: cell, Path: path, X: r.left, Y: r.top, W: r.width, H: r.height,
            ScrollW: e.scrollWidth, ClientW: e.clientWidth}; };
  const pathOf = (el, root) => { const p = []; for (let n = el; n && n !== root; n = n.parentElement)
    p.unshift(Array.prototype.indexOf.call(n.parentElement.children, n)); return p.join('.'); };
  const sel = '.badge, .freeze, .flag, .st, .provisional, .b, .big, .bar, .outage, .coverage, .sub, .when, ' +
              '.recovery, .detail, .selector, .nodata-label, .service, .objective, td.name > a, .chart, .b dd';
  const out = {Cells: [], Items: [], Stats: [], DocScrollW: document.documentElement.scrollWidth,
               DocClientW: document.documentElement.clientWidth};
  document.querySelectorAll('#slos tr').forEach((tr, ri) => {
    const rowKey = tr.dataset.slo || (tr.dataset.for ? tr.dataset.for + '(line)' : 'header' + ri);
    tr.querySelectorAll(':scope > td, :scope > th').forEach((td, ci) => {
      const cell = rowKey + '/' + ci;
      out.Cells.push(b(td, cell, '', ''));
      td.querySelectorAll(sel).forEach(el => out.Items.push(b(el, cell + ' .' + el.className.split(' ').join('.'), cell, pathOf(el, td))));
    });
  });
  document.querySelectorAll('#summary .stat').forEach(e => out.Stats.push(b(e, '#' + e.id, '', '')));
  return out;
})()`

// checkNoOverlap asserts the layout at one screen size: nothing wider than
// the screen, every badge and text block inside its own cell, no two badges
// or blocks of a cell on top of each other, cells apart, summary tiles apart.
func checkNoOverlap(t *testing.T, ctx context.Context, size image.Point, minItems int) {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](measureJS))
	if err != nil {
		t.Fatalf("measuring the layout: %v", err)
	}
	if len(l.Cells) == 0 {
		t.Fatal("no table cells measured")
	}
	if l.DocScrollW > l.DocClientW+0.5 {
		t.Errorf("the page is %.0f px wide on a %d px screen: it scrolls sideways", l.DocScrollW, size.X)
	}
	cells := map[string]box{}
	for _, c := range l.Cells {
		cells[c.Key] = c
		if c.ScrollW > c.ClientW+1 {
			t.Errorf("cell %s: content %.0f px wide in %.0f px: it overflows", c.Key, c.ScrollW, c.ClientW)
		}
	}
	for i, a := range l.Cells {
		for _, b := range l.Cells[i+1:] {
			if overlaps(a, b) {
				t.Errorf("cells %s and %s overlap: %v %v", a.Key, b.Key, rect(a), rect(b))
			}
		}
	}
	byCell := map[string][]box{}
	for _, it := range l.Items {
		if it.W <= 0 || it.H <= 0 {
			continue // an empty block (no description) has nothing to overlap
		}
		byCell[it.Cell] = append(byCell[it.Cell], it)
		if it.ClientW > 0 && it.ScrollW > it.ClientW+1 {
			t.Errorf("%s: text %.0f px wide in a %.0f px box: it spills over its neighbours", it.Key, it.ScrollW, it.ClientW)
		}
		c := cells[it.Cell]
		const eps = 0.5
		if it.X < c.X-eps || it.Y < c.Y-eps || it.X+it.W > c.X+c.W+eps || it.Y+it.H > c.Y+c.H+eps {
			t.Errorf("%s %v sticks out of its cell %v", it.Key, rect(it), rect(c))
		}
	}
	for _, items := range byCell {
		for i, a := range items {
			for _, b := range items[i+1:] {
				nested := strings.HasPrefix(b.Path+".", a.Path+".") || strings.HasPrefix(a.Path+".", b.Path+".")
				if !nested && overlaps(a, b) {
					t.Errorf("%s %v and %s %v overlap", a.Key, rect(a), b.Key, rect(b))
				}
			}
		}
	}
	for i, a := range l.Stats {
		for _, b := range l.Stats[i+1:] {
			if overlaps(a, b) {
				t.Errorf("summary tiles %s and %s overlap", a.Key, b.Key)
			}
		}
	}
	if len(l.Items) < minItems {
		t.Errorf("only %d elements measured: the selectors no longer match the page", len(l.Items))
	}
}

// overlaps is true when two boxes share more than half a pixel both ways:
// neighbours that touch do not overlap.
func overlaps(a, b box) bool {
	const eps = 0.5
	return a.X+a.W-eps > b.X && b.X+b.W-eps > a.X && a.Y+a.H-eps > b.Y && b.Y+b.H-eps > a.Y
}

func rect(b box) string { return fmt.Sprintf("[%.0f,%.0f %.0fx%.0f]", b.X, b.Y, b.W, b.H) }

// checkScreenshot takes the screen as the projector shows it and checks that
// the stylesheet was applied: the frozen red and the caution amber occur
// (the healthy rows sort to the bottom, below the fold).
func checkScreenshot(t *testing.T, ctx context.Context, size image.Point) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != size {
		t.Errorf("screenshot is %v, want %v", got, size)
	}
	amber, red := countColour(img, 0xe0, 0xa8, 0x00), countColour(img, 0xc8, 0x1e, 0x1e)
	if amber < 200 || red < 200 {
		t.Errorf("screenshot has %d amber and %d red pixels: the stylesheet was not applied", amber, red)
	}
	if *updateScreenshot {
		dst := filepath.Join("..", "docs", fmt.Sprintf("status-page-%dx%d.png", size.X, size.Y))
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", dst)
	}
}

func countColour(img image.Image, r, g, b uint8) int {
	n := 0
	bounds := img.Bounds()
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d > -12 && d < 12 }
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if near(cr, r) && near(cg, g) && near(cb, b) {
				n++
			}
		}
	}
	return n
}

func elements(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
		out = append(out, elements(c, match)...)
	}
	return out
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attrOf(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
