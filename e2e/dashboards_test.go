package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/dashboards"
	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/internal/synth"
	"github.com/slobudget/slobudget/slo"
)

// dashSLO is the part of the daemon's JSON API the dashboard checks compare
// with: the API is computed in the daemon, the panels by PromQL over the
// scraped metrics, so agreement checks the queries, not a shared formula.
type dashSLO struct {
	Name              string             `json:"name"`
	Service           string             `json:"service"`
	Objective         float64            `json:"objective"`
	WindowSeconds     float64            `json:"windowSeconds"`
	SLI               *float64           `json:"sli"`
	BudgetRemaining   float64            `json:"budgetRemaining"`
	BurnRates         map[string]float64 `json:"burnRates"`
	Alerts            slo.Alerts         `json:"alerts"`
	PolicyState       string             `json:"policyState"`
	FeatureFreeze     bool               `json:"featureFreeze"`
	ExhaustionSeconds *float64           `json:"exhaustionSeconds"`
	EvaluatedAt       time.Time          `json:"evaluatedAt"`
	Error             string             `json:"error"`
}

// TestDashboardQueriesReturnData runs the real chain a Grafana user has:
// backfilled data in one real Prometheus, `slobudget serve` evaluating it,
// a second real Prometheus scraping the daemon, and every query of the
// generated dashboards sent to that second Prometheus with the template
// variables set to values the variables' own queries return. Every query
// must return data, and the overview's figures must equal the daemon's
// JSON API.
func TestDashboardQueriesReturnData(t *testing.T) {
	promtest.Require(t, promtest.Promtool)
	promtest.Require(t, promtest.Prometheus)
	bin := buildSlobudget(t)

	// The daemon evaluates at the wall clock, so this test needs data that
	// ends now, unlike the shared fixture pinned to evalAt.
	now := time.Now().UTC()
	d, err := synth.Generate(synth.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	om := filepath.Join(dir, "data.om")
	if err := d.WriteOpenMetricsFile(om); err != nil {
		t.Fatal(err)
	}
	tsdbDir := filepath.Join(dir, "tsdb")
	promtest.Backfill(t, om, tsdbDir)
	os.Remove(om)
	source := promtest.StartPrometheus(t, promtest.Options{DataDir: tsdbDir})

	// Give every service a team, so the team variable has values to pick.
	cfgText := regexp.MustCompile(`(?m)^    service: (.*)$`).ReplaceAllString(string(d.ConfigYAML()), "    service: $1\n    labels: {team: team-$1}")
	cfgPath := filepath.Join(dir, "slos.yml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := slo.LoadFiles(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// A 5m interval means one evaluation during most runs, so the scraped
	// metrics and the API describe the same instant; checkOnce confirms it.
	daemon := startDashDaemon(t, bin, cfgPath, source.URL, "5m")
	scraper := promtest.StartPrometheus(t, promtest.Options{ConfigYAML: fmt.Sprintf(
		"global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: slobudget\n    honor_labels: true\n    static_configs:\n      - targets: [%q]\n",
		strings.TrimPrefix(daemon, "http://"))})
	waitScraped(t, scraper, len(cfg.SLOs))

	files, err := dashboards.Generate(cfg, dashboards.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 1; ; attempt++ {
		errs := checkDashboards(t, files, scraper, daemon)
		if errs == nil {
			return
		}
		if attempt == 3 || !errs.retry {
			for _, e := range errs.list {
				t.Error(e)
			}
			return
		}
		t.Logf("the daemon evaluated again during the check; retrying (%d)", attempt)
		time.Sleep(3 * time.Second)
	}
}

type dashErrs struct {
	list  []string
	retry bool // the daemon's numbers changed under the check
}

// checkDashboards runs one round of checks and returns nil when all pass.
func checkDashboards(t *testing.T, files []dashboards.File, scraper *promtest.Instance, daemon string) *dashErrs {
	t.Helper()
	before := fetchSLOs(t, daemon)
	errs := &dashErrs{}
	fail := func(format string, args ...any) { errs.list = append(errs.list, fmt.Sprintf(format, args...)) }
	at := time.Now()

	// Variable values come from the variables' own queries.
	services := labelValues(t, scraper, "slo_info", "service")
	teams := labelValues(t, scraper, "slo_info", "team")
	if len(services) == 0 || len(teams) == 0 {
		t.Fatalf("label_values(slo_info, ...) gave services %v, teams %v", services, teams)
	}
	// The detail dashboard is checked on an SLO that is burning (its
	// forecast panel only shows then) with traffic and no error.
	var chosen *dashSLO
	for i, s := range before {
		if s.Error == "" && s.SLI != nil && s.ExhaustionSeconds != nil && *s.ExhaustionSeconds > 0 && len(s.BurnRates) == len(slo.BurnWindows)+1 {
			chosen = &before[i]
			break
		}
	}
	if chosen == nil {
		t.Fatalf("no SLO is burning with traffic in every window; the scenarios changed: %+v", before)
	}
	sloValues := labelValues(t, scraper, fmt.Sprintf("slo_info{service=~%q}", chosen.Service), "slo")
	if !contains(sloValues, chosen.Name) {
		t.Fatalf("the slo variable offers %v for service %s, not %s", sloValues, chosen.Service, chosen.Name)
	}
	if !contains(services, chosen.Service) || !contains(teams, "team-"+chosen.Service) {
		t.Fatalf("variables offer services %v and teams %v, missing %s", services, teams, chosen.Service)
	}
	settings := []map[string]string{
		{"service": ".*", "team": ".*", "slo": chosen.Name},
		{"service": chosen.Service, "team": "team-" + chosen.Service, "slo": chosen.Name},
	}
	results := map[string][]promtest.Sample{} // panel/refId → answer with everything selected
	for _, f := range files {
		qs, err := dashboards.Queries(f.JSON)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if strings.HasPrefix(q.Panel, "variable ") {
				continue // checked above through the label values API
			}
			for i, vars := range settings {
				expr := dashboards.Substitute(q.Expr, vars)
				v, err := scraper.QueryErr(expr, at)
				if err != nil {
					fail("%s / %s / %s: %v", f.UID, q.Panel, q.RefID, err)
					continue
				}
				if len(v) == 0 {
					fail("%s / %s / %s: no data for %s", f.UID, q.Panel, q.RefID, expr)
				}
				if i == 0 {
					results[f.UID+"/"+q.Panel+"/"+q.RefID] = v
				}
			}
		}
	}
	compareOverview(results, before, fail)
	compareDetail(results, *chosen, fail)

	after := fetchSLOs(t, daemon)
	if len(errs.list) == 0 {
		return nil
	}
	if len(after) != len(before) || (len(after) > 0 && !after[0].EvaluatedAt.Equal(before[0].EvaluatedAt)) {
		errs.retry = true
	}
	if v, err := scraper.QueryErr("max(slo_last_evaluation_timestamp_seconds)", at); err == nil && len(v) == 1 && len(before) > 0 {
		if int64(v[0].Value) != before[0].EvaluatedAt.Unix() {
			errs.retry = true // the scrape had not caught up with the API
		}
	}
	return errs
}

// compareOverview recomputes the overview's figures from the API.
func compareOverview(r map[string][]promtest.Sample, api []dashSLO, fail func(string, ...any)) {
	var meeting, frozen, paging, ticket, failing float64
	budget := map[string]float64{}
	state := map[string]string{}
	var burns []float64
	for _, s := range api {
		if s.SLI != nil && *s.SLI >= s.Objective {
			meeting++
		}
		frozen += b2f(s.FeatureFreeze)
		paging += b2f(s.Alerts.Page)
		ticket += b2f(s.Alerts.Ticket)
		if s.Error != "" {
			failing++
		}
		budget[s.Name] = s.BudgetRemaining
		state[s.Name] = s.PolicyState
		if b, ok := s.BurnRates["1h"]; ok {
			burns = append(burns, b)
		}
	}
	n := float64(len(api))
	one := func(key string, want float64) {
		v := r["slobudget-overview/"+key]
		if len(v) != 1 || !closeTo(v[0].Value, want) {
			fail("overview %s = %v, the daemon's API gives %g", key, v, want)
		}
	}
	one("SLOs meeting their objective/A", meeting/n)
	one("SLOs shown/A", n)
	one("Frozen/A", frozen)
	one("Paging/A", paging)
	one("Ticket/A", ticket)
	one("Evaluation failing/A", failing)
	if paging == 0 || frozen == 0 || meeting == n || meeting == 0 {
		fail("the data should have paging (%g), frozen (%g) and both meeting and missing (%g of %g) SLOs; the check proves little otherwise", paging, frozen, meeting, n)
	}

	// Table columns: budget left (A) and the policy state label (C).
	for _, s := range r["slobudget-overview/SLOs/A"] {
		if want, ok := budget[s.Labels["slo"]]; !ok || !closeTo(s.Value, want) {
			fail("table budget left of %s = %g, API %g (known: %v)", s.Labels["slo"], s.Value, want, ok)
		}
	}
	if got := len(r["slobudget-overview/SLOs/A"]); got != len(api) {
		fail("table has %d budget rows, the API %d SLOs", got, len(api))
	}
	states := r["slobudget-overview/SLOs/C"]
	if len(states) != len(api) {
		fail("table has %d policy states for %d SLOs: %v", len(states), len(api), states)
	}
	for _, s := range states {
		if want := state[s.Labels["slo"]]; s.Labels["state"] != want || s.Value != 1 {
			fail("table policy state of %s = %q (%g), API %q", s.Labels["slo"], s.Labels["state"], s.Value, want)
		}
	}

	// Top burners: the ten largest 1h burn rates.
	sort.Sort(sort.Reverse(sort.Float64Slice(burns)))
	if len(burns) > 10 {
		burns = burns[:10]
	}
	var got []float64
	for _, s := range r["slobudget-overview/Top burners (1h burn rate)/A"] {
		got = append(got, s.Value)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(got)))
	if len(got) != len(burns) {
		fail("top burners %v, API's largest 1h burn rates %v", got, burns)
	} else {
		for i := range got {
			if !closeTo(got[i], burns[i]) {
				fail("top burners %v, API's largest 1h burn rates %v", got, burns)
				break
			}
		}
	}
}

// compareDetail checks the detail dashboard's thresholds against the SRE
// Workbook's factors for the chosen SLO's window and its state panel
// against the API.
func compareDetail(r map[string][]promtest.Sample, s dashSLO, fail func(string, ...any)) {
	w := s.WindowSeconds
	want := map[string]float64{
		"Burn rate, page windows/B":   0.02 * w / 3600,
		"Burn rate, page windows/C":   0.05 * w / (6 * 3600),
		"Burn rate, ticket windows/B": 0.10 * w / 86400,
		"Burn rate, ticket windows/C": 0.10 * w / (3 * 86400),
	}
	for key, f := range want {
		v := r["slobudget-detail/"+key]
		if len(v) != 1 || !closeTo(v[0].Value, f) {
			fail("detail %s for %s (window %gs) = %v, want factor %g", key, s.Name, w, v, f)
		}
	}
	if v := r["slobudget-detail/Policy state/A"]; len(v) != 1 || v[0].Labels["state"] != s.PolicyState {
		fail("detail policy state of %s = %v, API %q", s.Name, v, s.PolicyState)
	}
	if v := r["slobudget-detail/Budget exhausted in/A"]; len(v) != 1 || !closeTo(v[0].Value, *s.ExhaustionSeconds) {
		fail("detail time to exhaustion of %s = %v, API %g", s.Name, v, *s.ExhaustionSeconds)
	}
	burns := r["slobudget-detail/Burn rate, page windows/A"]
	if len(burns) != 4 {
		fail("detail page burn rates of %s: %v, want 1h, 5m, 6h, 30m", s.Name, burns)
	}
	for _, b := range burns {
		if api, ok := s.BurnRates[b.Labels["window"]]; !ok || !closeTo(b.Value, api) {
			fail("detail burn rate %s of %s = %g, API %g", b.Labels["window"], s.Name, b.Value, api)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// closeTo allows for the text round trip of /metrics (Go's shortest float
// formatting is exact, so in practice the values are equal).
func closeTo(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// startDashDaemon runs `slobudget serve` and waits until it has evaluated
// (GET /-/ready answers 200 only then).
func startDashDaemon(t *testing.T, bin, cfgPath, promURL, interval string) string {
	t.Helper()
	port := promtest.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	logPath := filepath.Join(t.TempDir(), "slobudget.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config.file="+cfgPath, "--prometheus.url="+promURL,
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port), "--eval.interval="+interval)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting slobudget serve: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- slobudget serve output ---\n%s", b)
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("slobudget serve exited early:\n%s", b)
		default:
		}
		if resp, err := http.Get(base + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("slobudget serve not ready after 90s")
	return ""
}

// waitScraped waits until the scraper holds at least two scrapes of every
// SLO, so instant queries at now see the daemon's metrics.
func waitScraped(t *testing.T, p *promtest.Instance, slos int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		v, err := p.QueryErr("count(count_over_time(slo_objective_ratio[1m]) >= 2)", time.Now())
		if err == nil && len(v) == 1 && int(v[0].Value) == slos {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the scraping Prometheus did not get two scrapes of %d SLOs within 30s:\n%s", slos, p.Log())
}

func fetchSLOs(t *testing.T, base string) []dashSLO {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/slos")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		SLOs []dashSLO `json:"slos"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /api/v1/slos: %v", err)
	}
	return body.SLOs
}

// labelValues answers a label_values(selector, label) variable query the
// way Grafana's Prometheus data source does, through the label values API.
func labelValues(t *testing.T, p *promtest.Instance, selector, label string) []string {
	t.Helper()
	q := url.Values{"match[]": {selector}}
	resp, err := http.Get(p.URL + "/api/v1/label/" + label + "/values?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string   `json:"status"`
		Data   []string `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		t.Fatalf("label values of %s on %s: %v %+v", label, selector, err, body)
	}
	return body.Data
}
