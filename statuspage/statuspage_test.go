package statuspage

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

func newTestHandler(t *testing.T, results []slo.Result, o Options) http.Handler {
	t.Helper()
	o.Now = func() time.Time { return testNow }
	return Handler(func() []slo.Result { return results }, o)
}

// expectedState is the default policy written out: healthy from 50% left,
// caution from 25%, at-risk while anything is left, frozen once overspent.
func expectedState(remaining float64) (state, features string, freeze bool) {
	switch {
	case remaining >= 0.5:
		return "healthy", "70%", false
	case remaining >= 0.25:
		return "caution", "50%", false
	case remaining >= 0:
		return "at-risk", "30%", false
	}
	return "frozen", "0%", true
}

// expectedAlerts applies the SRE Workbook's multiwindow rule to the
// scenario's counts: page 1h/5m over 14.4 or 6h/30m over 6, ticket 1d/2h over
// 3 or 3d/6h over 1, each factor scaled from 30 days to the SLO window.
func (sc scenario) expectedAlerts() (page, ticket bool) {
	scale := sc.window.Hours() / (30 * 24)
	holds := func(long, short time.Duration, factor float64) bool {
		l, okL := sc.burn[long]
		s, okS := sc.burn[short]
		return okL && okS && l.Total > 0 && s.Total > 0 &&
			sc.burnRate(l) > factor*scale && sc.burnRate(s) > factor*scale
	}
	page = holds(time.Hour, 5*time.Minute, 14.4) || holds(6*time.Hour, 30*time.Minute, 6)
	ticket = holds(day, 2*time.Hour, 3) || holds(3*day, 6*time.Hour, 1)
	return page, ticket
}

func (sc scenario) noData() bool { return sc.never || sc.total == 0 }

func TestOverviewOrderIsWorstFirst(t *testing.T) {
	results := allResults(t)
	// The handler must not rely on the order it is given.
	sort.Slice(results, func(i, j int) bool { return results[i].Name > results[j].Name })
	_, body := get(t, newTestHandler(t, results, Options{}), "/")
	_, order := rows(t, parse(t, body))

	scs := scenarios()
	key := func(sc scenario) float64 { return math.Round(sc.budgetRemaining()*1e9) / 1e9 }
	sort.Slice(scs, func(i, j int) bool {
		a, b := scs[i], scs[j]
		if a.noData() != b.noData() {
			return a.noData()
		}
		pa, _ := a.expectedAlerts()
		pb, _ := b.expectedAlerts()
		if !a.noData() && pa != pb {
			return pa
		}
		if !a.noData() && key(a) != key(b) {
			return key(a) < key(b)
		}
		return a.name < b.name
	})
	var want []string
	for _, sc := range scs {
		want = append(want, sc.name)
	}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("row order:\n got %v\nwant %v", order, want)
	}
	// Spelled out once, so the expectation above cannot drift silently with
	// the code: no data first (by name), then the paging SLO (35% left),
	// then -20%, 70%, and the two 80% SLOs by name.
	literal := "pipeline-freshness quality-checks search-latency payments-api batch-success checkout-availability profile-availability"
	if strings.Join(want, " ") != literal {
		t.Fatalf("test scenarios changed: order %v, update the literal", want)
	}
}

func TestRowsShowTheResultsNumbers(t *testing.T) {
	_, body := get(t, newTestHandler(t, allResults(t), Options{}), "/")
	byName, _ := rows(t, parse(t, body))
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			tr := byName[sc.name]
			if tr == nil {
				t.Fatalf("no row for %s", sc.name)
			}
			if attr(tr, "id") != "slo-"+sc.name {
				t.Errorf("anchor id %q", attr(tr, "id"))
			}
			name := text(first(t, tr, "name"))
			if !strings.Contains(name, sc.name) || !strings.Contains(name, sc.service) || !strings.Contains(name, sc.desc) {
				t.Errorf("name cell %q lacks name, service or description", name)
			}
			wantObjective := fmt.Sprintf("%g%% over %s", sc.objective, sc.windowText)
			if got := text(first(t, tr, "objective")); !strings.HasPrefix(got, wantObjective) {
				t.Errorf("objective cell %q, want prefix %q", got, wantObjective)
			}
			checkBudget(t, sc, tr)
			checkPolicy(t, sc, tr)
			checkBurns(t, sc, tr)
			checkAlerts(t, sc, tr)
			checkExhaustion(t, sc, tr)
			checkStatus(t, sc, tr)
		})
	}
}

func checkBudget(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	cell := first(t, tr, "budget")
	if sc.never {
		if got := text(cell); got != "—" {
			t.Errorf("never-evaluated budget cell %q, want a dash: nothing was computed", got)
		}
		return
	}
	rem := sc.budgetRemaining()
	if got, want := text(first(t, cell, "big")), fmt.Sprintf("%.1f%%", rem*100); got != want {
		t.Errorf("budget %q, want %q", got, want)
	}
	total := report.HumanSeconds(sc.budgetSeconds())
	left := sc.budgetSeconds() * rem
	want := report.HumanSeconds(left) + " left of " + total
	if left < 0 {
		want = "overspent by " + report.HumanSeconds(-left) + " of " + total
	}
	if got := text(first(t, cell, "outage")); got != want {
		t.Errorf("outage time %q, want %q", got, want)
	}
	bar, fill := first(t, cell, "bar"), first(t, cell, "fill")
	wantWidth := fmt.Sprintf("width: %.1f%%", math.Max(0, math.Min(1, rem))*100)
	if got := attr(fill, "style"); got != wantWidth {
		t.Errorf("bar style %q, want %q", got, wantWidth)
	}
	if hasClass(bar, "overspent") != (rem < 0) {
		t.Errorf("bar class %q for remaining %g", attr(bar, "class"), rem)
	}
}

func checkPolicy(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	cell := first(t, tr, "policy")
	if sc.never {
		if len(findAll(cell, byClass("badge"))) != 0 {
			t.Errorf("never-evaluated SLO shows a policy state: %q", text(cell))
		}
		return
	}
	state, features, freeze := expectedState(sc.budgetRemaining())
	if got := text(first(t, cell, "badge")); got != state {
		t.Errorf("state %q, want %q", got, state)
	}
	if got := len(findAll(cell, byClass("freeze"))) == 1; got != freeze {
		t.Errorf("FREEZE marker shown %v, want %v", got, freeze)
	}
	if got := text(first(t, cell, "features")); got != "features "+features {
		t.Errorf("features %q, want %q", got, "features "+features)
	}
}

func checkBurns(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	want := map[string]string{}
	for _, w := range []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, day, 3 * day} {
		want[slo.WindowLabel(w)] = "no traffic"
		if c, ok := sc.burn[w]; ok && c.Total > 0 && !sc.never {
			want[slo.WindowLabel(w)] = fmt.Sprintf("%.2f", sc.burnRate(c))
		}
	}
	want[sc.windowText] = "no traffic"
	if sc.total > 0 && !sc.never {
		want[sc.windowText] = fmt.Sprintf("%.2f", sc.burnRate(slo.Counts{Good: sc.good, Total: sc.total}))
	}
	cells := findAll(first(t, tr, "burn"), byClass("b"))
	got := map[string]string{}
	for _, c := range cells {
		got[attr(c, "data-window")] = text(findAll(c, byTag("dd"))[0])
	}
	if len(cells) != len(want) {
		t.Errorf("%d burn cells, want %d: %v", len(cells), len(want), got)
	}
	for w, v := range want {
		if got[w] != v {
			t.Errorf("burn %s = %q, want %q", w, got[w], v)
		}
	}
}

func checkAlerts(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	page, ticket := sc.expectedAlerts()
	cell := first(t, tr, "alerts")
	if got := len(findAll(cell, byClass("page"))) == 1; got != page {
		t.Errorf("PAGE flag %v, want %v (%q)", got, page, text(cell))
	}
	if got := len(findAll(cell, byClass("ticket"))) == 1; got != ticket {
		t.Errorf("TICKET flag %v, want %v (%q)", got, ticket, text(cell))
	}
	if !page && !ticket && text(cell) != "none" {
		t.Errorf("alerts cell %q, want none", text(cell))
	}
}

func checkExhaustion(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	var want string
	hour, ok := sc.burn[time.Hour]
	switch rem := sc.budgetRemaining(); {
	case sc.never:
		want = "—"
	case rem <= 0:
		want = "exhausted"
	case !ok || hour.Total == 0 || hour.Good == hour.Total:
		want = "not burning"
	default:
		want = "in " + report.HumanSeconds(rem*sc.window.Seconds()/sc.burnRate(hour))
	}
	if got := text(first(t, tr, "exhaustion")); got != want {
		t.Errorf("time to exhaustion %q, want %q", got, want)
	}
}

func checkStatus(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	cell := first(t, tr, "status")
	status, detail := text(first(t, cell, "st")), text(first(t, cell, "detail"))
	note := noteText(tr)
	switch {
	case sc.never:
		if status != "NO DATA" || detail != "never evaluated successfully" || note != "evaluation failed: "+sc.err {
			t.Errorf("status %q / %q / note %q, want NO DATA with the error", status, detail, note)
		}
	case sc.err != "":
		age := report.HumanDuration(testNow.Sub(sc.at))
		want := "since " + sc.at.UTC().Format("15:04:05") + " UTC (" + age + " ago)"
		if status != "STALE" || detail != want || note != "last evaluation failed: "+sc.err {
			t.Errorf("status %q / %q / note %q, want STALE / %q with the error", status, detail, note, want)
		}
	case sc.total == 0:
		if status != "NO DATA" || detail != "no traffic in the "+sc.windowText+" window" || note != "" {
			t.Errorf("status %q / %q / note %q, want NO DATA for no traffic", status, detail, note)
		}
	default:
		if status != "OK" || note != "" {
			t.Errorf("status %q / %q / note %q, want OK", status, detail, note)
		}
	}
	if got := attr(tr, "data-status"); got != status {
		t.Errorf("data-status %q, shown %q", got, status)
	}
}

func TestSummary(t *testing.T) {
	_, body := get(t, newTestHandler(t, allResults(t), Options{}), "/")
	doc := parse(t, body)
	var frozen, paging, ticket, noData, stale, withData, meeting int
	for _, sc := range scenarios() {
		p, tk := sc.expectedAlerts()
		if p {
			paging++
		}
		if tk {
			ticket++
		}
		switch {
		case sc.never || sc.total == 0:
			noData++
		case sc.err != "":
			stale++
		}
		if !sc.never && sc.total > 0 {
			withData++
			if sc.good/sc.total >= sc.objective/100 {
				meeting++
			}
			if sc.budgetRemaining() < 0 {
				frozen++
			}
		}
	}
	want := map[string]string{
		"sum-total":   fmt.Sprintf("%d SLOs", len(scenarios())),
		"sum-frozen":  fmt.Sprintf("%d frozen", frozen),
		"sum-paging":  fmt.Sprintf("%d paging", paging),
		"sum-ticket":  fmt.Sprintf("%d ticket", ticket),
		"sum-meeting": fmt.Sprintf("%d%% meeting objective (%d of %d)", meeting*100/withData, meeting, withData),
		"sum-nodata":  fmt.Sprintf("%d no data", noData),
		"sum-stale":   fmt.Sprintf("%d stale", stale),
	}
	for id, w := range want {
		n := byID(doc, id)
		if n == nil {
			t.Errorf("summary item #%s missing", id)
			continue
		}
		if got := text(n); got != w {
			t.Errorf("summary #%s = %q, want %q", id, got, w)
		}
	}
	// The scenarios must exercise every counter, or the checks above prove
	// nothing about them.
	if frozen == 0 || paging == 0 || ticket == 0 || noData == 0 || stale == 0 || meeting == withData {
		t.Fatalf("scenarios do not cover every summary figure: %v", want)
	}
}

func TestMeetingShareRoundsDown(t *testing.T) {
	// 199 SLOs meeting and one not: 99.5% must not read as "100%", the
	// figure that says "every SLO met its objective".
	var results []slo.Result
	for i := range 200 {
		bad := 500.0
		if i == 0 {
			bad = 2_000
		}
		sc := scenario{name: fmt.Sprintf("slo-%03d", i), service: "s", objective: 99.9, window: 30 * day,
			windowText: "30d", good: 1_000_000 - bad, total: 1_000_000, at: testNow}
		results = append(results, sc.result(t))
	}
	_, body := get(t, newTestHandler(t, results, Options{}), "/")
	if got := text(byID(parse(t, body), "sum-meeting")); got != "99% meeting objective (199 of 200)" {
		t.Errorf("summary %q", got)
	}
}

func TestStaleWhenEvaluationStops(t *testing.T) {
	sc := scenarios()[0]
	sc.at = testNow.Add(-5 * time.Minute)
	r := sc.result(t)
	cases := []struct {
		interval time.Duration
		want     string
	}{
		{0, "OK"},                   // interval unknown: no age-based staleness
		{2 * time.Minute, "OK"},     // 5m is within 3 intervals (6m)
		{30 * time.Second, "STALE"}, // 5m is 10 intervals
	}
	for _, c := range cases {
		_, body := get(t, newTestHandler(t, []slo.Result{r}, Options{EvalInterval: c.interval}), "/")
		byName, _ := rows(t, parse(t, body))
		tr := byName[sc.name]
		if got := attr(tr, "data-status"); got != c.want {
			t.Errorf("interval %s: status %q, want %q", c.interval, got, c.want)
		}
		note := noteText(tr)
		if c.want == "STALE" {
			if got := text(first(t, tr, "detail")); got != "since 14:15:30 UTC (5m ago)" {
				t.Errorf("detail %q", got)
			}
			if !strings.HasPrefix(note, "no evaluation for 5m (interval 30s)") {
				t.Errorf("note %q", note)
			}
		} else if note != "" {
			t.Errorf("interval %s: note %q on a fresh result", c.interval, note)
		}
	}
}

func TestRefreshAndReadiness(t *testing.T) {
	refresh := func(doc *html.Node) string {
		for _, m := range findAll(doc, byTag("meta")) {
			if strings.EqualFold(attr(m, "http-equiv"), "refresh") {
				return attr(m, "content")
			}
		}
		return ""
	}
	cases := []struct {
		o    Options
		want string
	}{
		{Options{}, "30"},
		{Options{EvalInterval: time.Minute}, "60"},
		{Options{EvalInterval: time.Second}, "5"},
		{Options{Refresh: 10 * time.Second, EvalInterval: time.Minute}, "10"},
		{Options{Refresh: -1}, ""},
	}
	for _, c := range cases {
		_, body := get(t, newTestHandler(t, nil, c.o), "/")
		if got := refresh(parse(t, body)); got != c.want {
			t.Errorf("%+v: refresh %q, want %q", c.o, got, c.want)
		}
	}

	notReady := Options{Ready: func() bool { return false }}
	_, body := get(t, newTestHandler(t, nil, notReady), "/")
	if byID(parse(t, body), "not-ready") == nil {
		t.Error("no waiting banner before the first evaluation")
	}
	_, body = get(t, newTestHandler(t, allResults(t), Options{Ready: func() bool { return true }}), "/")
	if byID(parse(t, body), "not-ready") != nil {
		t.Error("waiting banner shown although ready")
	}
}

func TestSingleSLOView(t *testing.T) {
	h := newTestHandler(t, allResults(t), Options{Title: "Payments SLOs"})
	resp, body := get(t, h, "/?slo=payments-api")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, body)
	if _, order := rows(t, doc); len(order) != 1 || order[0] != "payments-api" {
		t.Fatalf("rows %v, want only payments-api", order)
	}
	details := text(byID(doc, "details"))
	for _, want := range []string{
		"Events 9988000 good, 12000 bad of 10000000",
		"Policy healthy caution at-risk frozen",
		"Means feature releases frozen",
		"Labels team=payments-team",
		"/api/v1/slos/payments-api",
	} {
		if !strings.Contains(details, want) {
			t.Errorf("details %q lack %q", details, want)
		}
	}
	if got := text(findAll(doc, byTag("title"))[0]); got != "payments-api · Payments SLOs" {
		t.Errorf("title %q", got)
	}

	resp, body = get(t, h, "/?slo=nope")
	if resp.StatusCode != http.StatusNotFound || byID(parse(t, body), "empty") == nil {
		t.Errorf("unknown SLO: status %d, want 404 with a message", resp.StatusCode)
	}
}

func TestPageIsSelfContainedAndEscaped(t *testing.T) {
	r := scenarios()[0].result(t)
	r.Description = `<script>alert("x")</script><img src="http://evil.example/x.png">`
	resp, body := get(t, newTestHandler(t, []slo.Result{r}, Options{}), "/")
	doc := parse(t, body)
	if n := findAll(doc, func(n *html.Node) bool {
		return n.Data == "script" || n.Data == "img" || n.Data == "link" || n.Data == "iframe"
	}); len(n) != 0 {
		t.Errorf("page has %d script/img/link/iframe elements; the description was not escaped or an asset leaked in", len(n))
	}
	if !strings.Contains(text(doc), `<script>alert("x")</script>`) {
		t.Error("the description is not shown as text")
	}
	for _, a := range findAll(doc, byTag("a")) {
		if href := attr(a, "href"); strings.Contains(href, "//") {
			t.Errorf("absolute link %q: links must be relative so the page works behind a path prefix", href)
		}
	}
	links := map[string]bool{}
	for _, a := range findAll(doc, byTag("a")) {
		links[attr(a, "href")] = true
	}
	if !links["metrics"] || !links["api/v1/slos"] {
		t.Errorf("links %v lack metrics and api/v1/slos", links)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if len(findAll(doc, byTag("style"))) != 1 || !strings.Contains(body, ".bar.overspent") {
		t.Error("the stylesheet is not inlined")
	}
}

func TestEmptyAndMethods(t *testing.T) {
	h := newTestHandler(t, nil, Options{})
	_, body := get(t, h, "/")
	doc := parse(t, body)
	if got := text(byID(doc, "empty")); got != "No SLOs evaluated yet." {
		t.Errorf("empty page says %q", got)
	}
	if got := text(byID(doc, "sum-meeting")); got != "— meeting objective (no SLO has data)" {
		t.Errorf("empty summary %q", got)
	}

	srvResp := func(method string) *http.Response {
		req, _ := http.NewRequest(method, "/", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	if r := srvResp(http.MethodPost); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", r.StatusCode)
	}
	if r := srvResp(http.MethodHead); r.StatusCode != http.StatusOK || r.ContentLength <= 0 {
		t.Errorf("HEAD: %d, length %d", r.StatusCode, r.ContentLength)
	}
}

func TestBudgetExactlySpent(t *testing.T) {
	// 1,000 bad of 1M at 99.9%: the SLI equals the objective. The objective
	// is met, nothing is left, and nothing is overspent yet (at-risk, not
	// frozen: the default policy's 0.00 threshold means "not overspent").
	sc := scenario{name: "edge", service: "s", objective: 99.9, window: 30 * day, windowText: "30d",
		good: 999_000, total: 1_000_000, at: testNow}
	_, body := get(t, newTestHandler(t, []slo.Result{sc.result(t)}, Options{}), "/")
	doc := parse(t, body)
	byName, _ := rows(t, doc)
	tr := byName["edge"]
	checks := map[string]string{
		"big":        "0.0%",
		"outage":     "0s left of 43m 12s",
		"badge":      "at-risk",
		"exhaustion": "exhausted",
	}
	for class, want := range checks {
		if got := text(first(t, tr, class)); got != want {
			t.Errorf("%s: %q, want %q", class, got, want)
		}
	}
	if hasClass(first(t, tr, "bar"), "overspent") {
		t.Error("a budget spent exactly is shown as overspent")
	}
	if got := text(byID(doc, "sum-meeting")); got != "100% meeting objective (1 of 1)" {
		t.Errorf("summary %q: an SLI exactly at objective meets it", got)
	}
}
