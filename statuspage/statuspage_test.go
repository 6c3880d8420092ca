package statuspage

import (
	"fmt"
	"html/template"
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

// noNumbers: nothing to show a budget for (never evaluated, or no data).
func (sc scenario) noNumbers() bool { return sc.never || sc.missingSelector != "" }

func TestOverviewOrderIsWorstFirst(t *testing.T) {
	results := allResults(t)
	// The handler must not rely on the order it is given.
	sort.Slice(results, func(i, j int) bool { return results[i].Name > results[j].Name })
	_, body := get(t, newTestHandler(t, results, Options{}), "/")
	_, order := rows(t, parse(t, body))

	// slo/order.go's rules applied to the scenarios' hand-computed figures.
	scs := scenarios()
	key := func(sc scenario) float64 { return math.Round(sc.budgetRemaining()*1e9) / 1e9 }
	group := func(sc scenario) int {
		switch {
		case sc.noNumbers():
			return 0
		case sc.err != "":
			return 1
		}
		return 2
	}
	sort.Slice(scs, func(i, j int) bool {
		a, b := scs[i], scs[j]
		if group(a) != group(b) {
			return group(a) < group(b)
		}
		pa, _ := a.expectedAlerts()
		pb, _ := b.expectedAlerts()
		if !a.noNumbers() && pa != pb {
			return pa
		}
		if !a.noNumbers() && key(a) != key(b) {
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
	// the code: no numbers (by name), the stale one, the paging one (35%
	// left), then -20%, 20%, 70%, 80% and the zero-traffic 100%.
	literal := "orders-availability quality-checks profile-availability search-latency payments-api " +
		"signup-availability batch-success checkout-availability pipeline-freshness"
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
			checkStatus(t, sc, tr)
			if sc.noNumbers() {
				checkNoNumbers(t, sc, tr)
				return
			}
			checkBudget(t, sc, tr)
			checkPolicy(t, sc, tr)
			checkBurns(t, sc, tr)
			checkAlerts(t, sc, tr)
			checkExhaustion(t, sc, tr)
			checkConsequence(t, sc, tr)
		})
	}
}

// checkNoNumbers: a row without numbers shows no figure at all, names the
// selector that matched nothing, and has no colour of any policy state.
func checkNoNumbers(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	for _, class := range []string{"budget", "policy", "burn", "alerts", "exhaustion", "badge", "big"} {
		if n := findAll(tr, byClass(class)); len(n) != 0 {
			t.Errorf("a row without numbers has a %q element: %q", class, text(n[0]))
		}
	}
	if !hasClass(tr, "tone-none") {
		t.Errorf("row class %q: a row without numbers must be grey", attr(tr, "class"))
	}
	missing := text(first(t, tr, "missing"))
	want := "Never evaluated successfully: SLI series missing. No budget, no policy decision."
	if sc.missingSelector != "" {
		want = "NO DATA " + sc.missingSelector + " matched no series in the " + sc.windowText +
			" window: no budget, no policy decision."
	}
	if missing != want {
		t.Errorf("missing cell %q, want %q", missing, want)
	}
	if noteText(tr) != "" {
		t.Errorf("a row without numbers states a consequence: %q", noteText(tr))
	}
}

func checkConsequence(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	state, _, _ := expectedState(sc.budgetRemaining())
	pol := slo.DefaultPolicy()
	var want string
	for _, st := range pol.States[1:] { // the first state's row has no line
		if st.Name == state {
			want = state + ": " + st.Consequence
		}
	}
	if want != "" && sc.recovery != nil {
		want += " · back to caution in about 3d 4h at the current pace"
	}
	if got := noteText(tr); got != want {
		t.Errorf("consequence line %q, want %q", got, want)
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
	if got := text(first(t, tr, "when")); got != want {
		t.Errorf("time to exhaustion %q, want %q", got, want)
	}
}

func checkStatus(t *testing.T, sc scenario, tr *html.Node) {
	t.Helper()
	cell := first(t, tr, "status")
	status, detail := text(first(t, cell, "st")), text(first(t, cell, "detail"))
	switch {
	case sc.never:
		if status != "FAILED" || detail != "SLI series missing · full error" {
			t.Errorf("status %q / %q, want FAILED with the short reason", status, detail)
		}
	case sc.missingSelector != "":
		if status != "NO DATA" || detail != "Prometheus answered 14:20:30 UTC" {
			t.Errorf("status %q / %q, want NO DATA", status, detail)
		}
	case sc.err != "":
		// The reason in a few words and when the failures began; the full
		// error only on the detail page.
		want := "Prometheus unreachable since " + sc.failingSince.UTC().Format("15:04") + " UTC · full error"
		if status != "STALE" || detail != want {
			t.Errorf("status %q / %q, want STALE / %q", status, detail, want)
		}
		if strings.Contains(text(tr), sc.err) {
			t.Error("the full error is in the overview's row; it belongs on the detail page")
		}
	default:
		if status != "FRESH" || detail != "evaluated 14:20:30 UTC (0s ago)" {
			t.Errorf("status %q / %q, want FRESH", status, detail)
		}
	}
	if got := attr(tr, "data-status"); got != status {
		t.Errorf("data-status %q, shown %q", got, status)
	}
}

func TestSummary(t *testing.T) {
	_, body := get(t, newTestHandler(t, allResults(t), Options{}), "/")
	doc := parse(t, body)
	var frozen, paging, ticket, noNumbers, stale, withData, meeting, provisional int
	for _, sc := range scenarios() {
		p, tk := sc.expectedAlerts()
		if p {
			paging++
		}
		if tk {
			ticket++
		}
		switch {
		case sc.noNumbers():
			noNumbers++
			continue
		case sc.err != "":
			stale++
		}
		if sc.covered > 0 && sc.covered < 15*day {
			provisional++
		}
		if sc.total > 0 {
			withData++
			if sc.good/sc.total >= sc.objective/100 {
				meeting++
			}
		}
		if sc.budgetRemaining() < 0 {
			frozen++
		}
	}
	want := map[string]string{
		"sum-total":       fmt.Sprintf("%d SLOs", len(scenarios())),
		"sum-frozen":      fmt.Sprintf("%d frozen", frozen),
		"sum-paging":      fmt.Sprintf("%d paging", paging),
		"sum-ticket":      fmt.Sprintf("%d ticket", ticket),
		"sum-meeting":     fmt.Sprintf("%d%% meeting objective (%d of %d)", meeting*100/withData, meeting, withData),
		"sum-nodata":      fmt.Sprintf("%d without numbers", noNumbers),
		"sum-stale":       fmt.Sprintf("%d stale", stale),
		"sum-provisional": fmt.Sprintf("%d provisional", provisional),
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
	if frozen == 0 || paging == 0 || ticket == 0 || noNumbers == 0 || stale == 0 || provisional == 0 || meeting == withData {
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
		{0, "FRESH"},                // interval unknown: no age-based staleness
		{2 * time.Minute, "FRESH"},  // 5m is within 3 intervals (6m)
		{30 * time.Second, "STALE"}, // 5m is 10 intervals
	}
	for _, c := range cases {
		h := newTestHandler(t, []slo.Result{r}, Options{EvalInterval: c.interval})
		_, body := get(t, h, "/")
		byName, _ := rows(t, parse(t, body))
		tr := byName[sc.name]
		if got := attr(tr, "data-status"); got != c.want {
			t.Errorf("interval %s: status %q, want %q", c.interval, got, c.want)
		}
		if c.want != "STALE" {
			continue
		}
		if got := text(first(t, tr, "detail")); got != "no evaluation for 5m" {
			t.Errorf("detail %q", got)
		}
		_, body = get(t, h, "/?slo="+sc.name)
		if got := text(byID(parse(t, body), "details")); !strings.Contains(got,
			"Stale no evaluation for 5m: the evaluation loop is stuck or slow; the numbers are from 14:15:30 UTC (5m ago)") {
			t.Errorf("details %q lack the stuck loop", got)
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
	for _, path := range []string{"/?slo=payments-api", "/slo/payments-api"} {
		resp, body := get(t, h, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		doc := parse(t, body)
		if _, order := rows(t, doc); len(order) != 1 || order[0] != "payments-api" {
			t.Fatalf("%s: rows %v, want only payments-api", path, order)
		}
		details := text(byID(doc, "details"))
		for _, want := range []string{
			"Events 9,988,000 good, 12,000 bad of 10,000,000",
			"Policy healthy caution at-risk frozen",
			"Means feature releases frozen: only P0 and security fixes ship until the budget recovers",
			"Labels team=payments-team",
			"/api/v1/slos/payments-api",
		} {
			if !strings.Contains(details, want) {
				t.Errorf("%s: details %q lack %q", path, details, want)
			}
		}
		// The row shows the consequence on the detail page too.
		byName, _ := rows(t, doc)
		if got := noteText(byName["payments-api"]); !strings.HasPrefix(got, "frozen: feature releases frozen") {
			t.Errorf("%s: consequence line %q", path, got)
		}
		if got := text(findAll(doc, byTag("title"))[0]); got != "payments-api · Payments SLOs" {
			t.Errorf("%s: title %q", path, got)
		}
		// Links lead back to the root from /slo/NAME as from /.
		base := ""
		if strings.HasPrefix(path, "/slo/") {
			base = "../"
		}
		links := map[string]bool{}
		for _, a := range findAll(doc, byTag("a")) {
			links[attr(a, "href")] = true
		}
		for _, l := range []string{base + "metrics", base + "api/v1/slos", base + "api/v1/slos/payments-api", base + "./"} {
			if !links[l] {
				t.Errorf("%s: no link %q in %v", path, l, links)
			}
		}
	}

	for _, path := range []string{"/?slo=nope", "/slo/nope"} {
		resp, body := get(t, h, path)
		if resp.StatusCode != http.StatusNotFound || byID(parse(t, body), "empty") == nil {
			t.Errorf("%s: status %d, want 404 with a message", path, resp.StatusCode)
		}
	}
}

// TestDetailPageExplainsTrust: the full error, when failures began, the
// selector that matched nothing and the coverage are on the detail page.
func TestDetailPageExplainsTrust(t *testing.T) {
	h := newTestHandler(t, allResults(t), Options{})
	cases := map[string][]string{
		"profile-availability": {
			"Data STALE: Prometheus unreachable since 14:11 UTC",
			"Failing since 14:11:00 UTC (9m 30s ago)",
			`Last error querying Prometheus: Get "http://prometheus:9090/api/v1/query": connection refused`,
			"Numbers from 14:10:30 UTC (10m ago)",
		},
		"orders-availability": {
			`No data http_requests_total{service="orders"} matched no series in the 30d window`,
			"Means no policy decision: there are no numbers to decide on",
		},
		"quality-checks": {`Last error query "dq_checks_total" returned no series`, "Data FAILED: SLI series missing"},
		"signup-availability": {
			"Coverage figures computed over 2d 4h of 30d: provisional, decided on data for less than half the window",
			"Recovery back to caution in about 3d 4h at the current pace",
			"Means budget nearly spent: reliability work first, risky releases need sign-off",
		},
	}
	for name, wants := range cases {
		_, body := get(t, h, "/slo/"+name)
		details := text(byID(parse(t, body), "details"))
		for _, w := range wants {
			if !strings.Contains(details, w) {
				t.Errorf("%s: details %q lack %q", name, details, w)
			}
		}
		if name == "orders-availability" {
			for _, bad := range []string{"Budget left", "SLI", "Numbers from", "no traffic"} {
				if strings.Contains(details, bad) {
					t.Errorf("a data-missing SLO's details say %q: %q", bad, details)
				}
			}
		}
	}
}

func TestCoverageAndProvisionalInTheRow(t *testing.T) {
	_, body := get(t, newTestHandler(t, allResults(t), Options{}), "/")
	byName, _ := rows(t, parse(t, body))
	tr := byName["signup-availability"]
	if got := text(first(t, tr, "coverage")); got != "over 2d 4h of 30d" {
		t.Errorf("coverage %q", got)
	}
	if got := text(first(t, first(t, tr, "policy"), "provisional")); got != "PROVISIONAL" {
		t.Errorf("provisional mark %q", got)
	}
	if got := text(first(t, tr, "recovery")); got != "back to caution in about 3d 4h at the current pace" {
		t.Errorf("recovery %q", got)
	}
	for _, name := range []string{"checkout-availability", "search-latency"} {
		if n := findAll(byName[name], byClass("provisional")); len(n) != 0 {
			t.Errorf("%s is marked provisional", name)
		}
		if n := findAll(byName[name], byClass("coverage")); len(n) != 0 {
			t.Errorf("%s shows a coverage without one measured", name)
		}
	}
}

// TestLegendExplainsEveryColour: every class that colours something on the
// page (row and badge tones, burn cells, alert flags, data statuses, marks)
// has a legend entry, and every entry's sample is drawn with that class.
func TestLegendExplainsEveryColour(t *testing.T) {
	_, body := get(t, newTestHandler(t, allResults(t), Options{}), "/")
	doc := parse(t, body)
	legendNode := byID(doc, "legend")
	if legendNode == nil {
		t.Fatal("no legend")
	}
	explained := map[string]bool{}
	for _, li := range findAll(legendNode, byTag("li")) {
		key := attr(li, "data-legend")
		explained[key] = true
		if s := findAll(li, byClass("sample")); len(s) != 1 || !hasClass(s[0], key) {
			t.Errorf("legend entry %s has no sample drawn with its class", key)
		}
	}
	coloured := func(c string) bool {
		for _, p := range []string{"tone-", "b-", "st-"} {
			if strings.HasPrefix(c, p) {
				return true
			}
		}
		return c == "page" || c == "ticket" || c == "freeze" || c == "provisional"
	}
	table := byID(doc, "slos")
	used := map[string]bool{}
	for _, n := range findAll(table, func(*html.Node) bool { return true }) {
		for _, c := range strings.Fields(attr(n, "class")) {
			if coloured(c) {
				used[c] = true
			}
		}
	}
	for c := range used {
		if !explained[c] {
			t.Errorf("class %s colours the page but the legend does not explain it", c)
		}
	}
	// The scenarios reach most of the legend; this keeps the check honest.
	if len(used) < 14 {
		t.Errorf("only %d coloured classes in use (%v): the scenarios miss states", len(used), used)
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

// TestChartSlots: the chart hooks are called only for SLOs with numbers, and
// their SVG lands in the row and on the detail page as markup, unescaped.
func TestChartSlots(t *testing.T) {
	var called []string
	o := Options{
		RowChart: func(r slo.Result) template.HTML {
			called = append(called, r.Name)
			return template.HTML(`<svg class="burndown" data-for="` + r.Name + `"></svg>`)
		},
		DetailCharts: func(r slo.Result) template.HTML { return `<svg class="detail-chart"></svg>` },
	}
	h := newTestHandler(t, allResults(t), o)
	_, body := get(t, h, "/")
	doc := parse(t, body)
	byName, _ := rows(t, doc)
	for _, sc := range scenarios() {
		charts := findAll(byName[sc.name], byClass("burndown"))
		if sc.noNumbers() == (len(charts) == 1) {
			t.Errorf("%s: %d row charts (no numbers: %v)", sc.name, len(charts), sc.noNumbers())
		}
	}
	if len(findAll(doc, byClass("detail-chart"))) != 0 {
		t.Error("detail charts drawn on the overview")
	}
	_, body = get(t, h, "/slo/payments-api")
	if len(findAll(byID(parse(t, body), "details"), byClass("detail-chart"))) != 1 {
		t.Error("no detail chart on the detail page")
	}
	if len(called) == 0 {
		t.Error("RowChart never called")
	}
}
