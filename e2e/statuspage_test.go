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
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
	"github.com/slobudget/slobudget/statuspage"
)

// -statuspage.screenshot writes the browser's screenshot to
// docs/status-page.png for the README; without it the screenshot is only
// checked, so a test run never changes a tracked file.
var updateScreenshot = flag.Bool("statuspage.screenshot", false, "write the status page screenshot to docs/status-page.png")

const day = 24 * time.Hour

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
	never               bool

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
			wantState: "healthy", wantStatus: "OK",
		},
		{
			// 99% under 500 ms; 7,200 slow of 1.2M: 60% spent, 40% left
			// (caution). The last hour is 25× the budget rate, 5m 30×: it pages.
			name: "checkout-latency", service: "checkout", desc: "Checkout answers within 500 ms (p99)",
			objective: 99, window: 30 * day, bad: 7_200, total: 1_200_000,
			burn: map[time.Duration][2]float64{
				5 * time.Minute: {45, 150}, 30 * time.Minute: {200, 900}, time.Hour: {450, 1_800},
				2 * time.Hour: {470, 3_600}, 6 * time.Hour: {520, 10_000}, day: {700, 40_000}, 3 * day: {1_500, 120_000},
			},
			wantState: "caution", wantStatus: "OK", wantPage: true, wantTicket: true,
		},
		{
			// 99.5% of batch runs succeed; 55 failed of 8,000: 137.5% spent,
			// overspent by 37.5%: frozen.
			name: "billing-batch-success", service: "billing", desc: "Nightly billing batches finish",
			objective: 99.5, window: 30 * day, bad: 55, total: 8_000,
			burn: map[time.Duration][2]float64{
				time.Hour: {0, 12}, 6 * time.Hour: {1, 70}, day: {4, 280}, 3 * day: {11, 840},
			},
			wantState: "frozen", wantStatus: "OK", wantFreeze: true, wantTicket: true,
		},
		{
			// Time slices with lag under 15 minutes: 300 of 43,200 slices late
			// at 99%: 69.4% spent, 30.6% left (caution); the numbers are 7
			// minutes old because Prometheus stopped answering.
			name: "warehouse-freshness", service: "etl", desc: "Warehouse lag under 15 minutes",
			objective: 99, window: 30 * day, bad: 300, total: 43_200,
			burn:      map[time.Duration][2]float64{time.Hour: {0, 60}, day: {10, 1_440}},
			age:       7 * time.Minute,
			err:       `querying Prometheus: Post "http://prometheus:9090/api/v1/query": dial tcp: connection refused`,
			wantState: "caution", wantStatus: "STALE",
		},
		{
			// Data quality checks, never evaluated: the series does not exist.
			name: "warehouse-quality", service: "etl", desc: "Rows passing data-quality checks",
			objective: 99.95, window: 30 * day, never: true,
			err:        `no series for dq_rows_checked_total{dataset="orders"}`,
			wantStatus: "NO DATA",
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
			BurnRates: map[string]float64{}, Error: p.err}
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

// chromium runs one headless browser invocation with its own profile and
// returns stdout. Network features that would phone home are off: the test
// must work without a network.
func chromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// chromium writes crash dumps and caches under HOME; keep them out of
	// the developer's home directory.
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\nstderr (tail):\n%s", args, err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func TestStatusPageInChromium(t *testing.T) {
	bin := requireChromium(t)
	// A fixed clock keeps the screenshot identical between regenerations.
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

	dom := chromium(t, bin, "--dump-dom", srv.URL+"/")
	doc, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatalf("parsing chromium's DOM: %v", err)
	}
	rows := elements(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "slo") })

	// Worst first: the SLO without data, then the paging one (40% left),
	// then by budget left: -37.5%, 30.6%, 75%.
	wantOrder := []string{"warehouse-quality", "checkout-latency", "billing-batch-success", "warehouse-freshness", "checkout-availability"}
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
			notes := elements(doc, func(n *html.Node) bool { return hasClass(n, "note") && attrOf(n, "data-for") == p.name })
			switch {
			case p.err == "" && len(notes) != 0:
				t.Errorf("note %q under a healthy row", textOf(notes[0]))
			case p.err != "" && (len(notes) != 1 || !strings.Contains(textOf(notes[0]), p.err)):
				t.Errorf("the evaluation error %q is not shown under the row", p.err)
			}
		})
	}

	summary := map[string]string{
		"sum-total": "5 SLOs", "sum-frozen": "1 frozen", "sum-paging": "1 paging", "sum-ticket": "2 ticket",
		// checkout-availability, checkout-latency and warehouse-freshness
		// meet their objective; billing-batch-success does not.
		"sum-meeting": "75% meeting objective (3 of 4)", "sum-nodata": "1 no data", "sum-stale": "1 stale",
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

	checkScreenshot(t, bin, srv.URL+"/")
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
	if p.never {
		if got := in("budget"); got != "—" {
			t.Errorf("budget %q for an SLO never evaluated", got)
		}
		return
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
	rem := p.remaining()
	if got, want := in("objective"), fmt.Sprintf("%g%% over 30d", p.objective); !strings.HasPrefix(got, want) {
		t.Errorf("objective %q, want %q", got, want)
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

// checkScreenshot renders the page at projector size and checks that the
// stylesheet was applied: the healthy green and the frozen red both occur.
func checkScreenshot(t *testing.T, bin, url string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "status-page.png")
	chromium(t, bin, "--screenshot="+file, "--window-size=1600,1000", url)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != (image.Point{1600, 1000}) {
		t.Errorf("screenshot is %v, want 1600x1000", got)
	}
	green, red := countColour(img, 0x17, 0x80, 0x3d), countColour(img, 0xc8, 0x1e, 0x1e)
	if green < 200 || red < 200 {
		t.Errorf("screenshot has %d green and %d red pixels: the stylesheet was not applied", green, red)
	}
	if *updateScreenshot {
		dst := filepath.Join("..", "docs", "status-page.png")
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
