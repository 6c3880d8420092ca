package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/synth"
	"github.com/slobudget/slobudget/slo"
)

// reportedSLO is the JSON API shape (contract.md), decoded with pointers so
// that a missing key is told apart from a zero.
type reportedSLO struct {
	Name   string `json:"name"`
	Events *struct {
		Good  *float64 `json:"good"`
		Total *float64 `json:"total"`
	} `json:"events"`
	SLI                    *float64           `json:"sli"`
	BudgetRemaining        *float64           `json:"budgetRemaining"`
	BudgetRemainingSeconds *float64           `json:"budgetRemainingSeconds"`
	BurnRates              map[string]float64 `json:"burnRates"`
	Alerts                 *slo.Alerts        `json:"alerts"`
	PolicyState            string             `json:"policyState"`
	FeatureFreeze          *bool              `json:"featureFreeze"`
	FeatureShare           *float64           `json:"featureShare"`
	ExhaustionSeconds      *float64           `json:"exhaustionSeconds"`
	RecoverySeconds        map[string]float64 `json:"recoverySeconds"`
	DataMissing            bool               `json:"dataMissing"`
	Coverage               *float64           `json:"coverage"`
	Error                  string             `json:"error"`
}

// relTol is the agreement required between the daemon and the truth: 0.1%
// relative. Counts are exact integers, so this only absorbs float summation
// order.
const relTol = 1e-3

// TestReportMatchesTruth builds the real binary, runs `slobudget report`
// against the real Prometheus, and compares every SLO's figures with
// slo.Evaluate applied to the generator's exact event counts. Besides the
// data's evaluation instant it asks at instants whose short windows hold a
// counter reset, the end of a 15-sample scrape gap, and an incident at peak
// traffic. All instants are at hh:mm:30, off the sample grid.
func TestReportMatchesTruth(t *testing.T) {
	f := sharedFixture(t)
	p := f.startPrometheus(t)
	reportMatchesTruth(t, f, buildSlobudget(t), p.URL)
}

// reportMatchesTruth is TestReportMatchesTruth against any backend holding
// the fixture's history.
func reportMatchesTruth(t *testing.T, f *fixture, bin, backendURL string, extraArgs ...string) {
	resetSample := evalAt.Add(-(3*24*time.Hour + 7*time.Hour + 13*time.Minute)).Truncate(time.Minute)
	gapStart := evalAt.Add(-10*24*time.Hour + 7*time.Minute).Truncate(time.Minute)
	peak := evalAt.Add(-5 * 24 * time.Hour).Truncate(24 * time.Hour).Add(11*time.Hour + 45*time.Minute)
	for _, c := range []struct {
		name string
		at   time.Time
		// page names an SLO that must page at that instant: proof that the
		// instant shows what it is meant to.
		page string
	}{
		{"now", f.data.Now, "fast-burn-availability"},
		{"after-counter-reset", resetSample.Add(2*time.Minute + 30*time.Second), ""},
		{"after-scrape-gap", gapStart.Add(16*time.Minute + 30*time.Second), ""},
		{"during-peak-incident", peak.Add(20*time.Minute + 30*time.Second), "peak-incident-availability"},
	} {
		t.Run(c.name, func(t *testing.T) {
			expected, err := f.data.Expected(c.at)
			if err != nil {
				t.Fatal(err)
			}
			if c.page != "" {
				for _, r := range expected {
					if r.Name == c.page && !r.Alerts.Page {
						t.Fatalf("the generator does not expect %s to page at %s: the scenario moved", c.page, c.at)
					}
				}
			}
			compareReport(t, expected, f.data.ExpectedForecasts(c.at), runReport(t, bin, f.configYML, backendURL, c.at, extraArgs...))
		})
	}
}

// runReport runs `slobudget report --format=json` at instant at.
func runReport(t *testing.T, bin, config, promURL string, at time.Time, extraArgs ...string) []reportedSLO {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"report",
		"--config.file=" + config,
		"--prometheus.url=" + promURL,
		"--time=" + at.Format(time.RFC3339),
		"--format=json"}, extraArgs...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s\nstdout:\n%.2000s", cmd, err, stderr.String(), stdout.String())
	}
	var report struct {
		SLOs []reportedSLO `json:"slos"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("report --format=json is not {\"slos\": [...]}: %v\n%.2000s", err, stdout.String())
	}
	return report.SLOs
}

func compareReport(t *testing.T, expected []slo.Result, forecasts map[string]synth.ForecastTruth, reported []reportedSLO) {
	t.Helper()
	got := map[string]reportedSLO{}
	for _, r := range reported {
		if _, dup := got[r.Name]; dup {
			t.Errorf("SLO %s reported twice", r.Name)
		}
		got[r.Name] = r
	}
	if len(got) != len(expected) {
		t.Errorf("report has %d SLOs, config has %d", len(got), len(expected))
	}
	for _, want := range expected {
		r, ok := got[want.Name]
		if !ok {
			t.Errorf("SLO %s missing from the report", want.Name)
			continue
		}
		t.Run(want.Name, func(t *testing.T) { compareResult(t, want, forecasts[want.Name], r) })
	}
}

func compareResult(t *testing.T, want slo.Result, ft synth.ForecastTruth, got reportedSLO) {
	if got.Error != "" {
		// Not a figure the contract pins for data that vanished; shown so a
		// mismatch below has its explanation next to it.
		t.Logf("reported error: %s", got.Error)
	}
	num := func(field string, g *float64, w float64) {
		t.Helper()
		if g == nil {
			t.Errorf("%s: missing, want %g", field, w)
			return
		}
		if !within(*g, w) {
			t.Errorf("%s = %g, want %g (truth), off by %.3g%%", field, *g, w, relErr(*g, w)*100)
		}
	}
	optional := func(field string, g, w *float64) {
		t.Helper()
		switch {
		case w == nil && g != nil:
			t.Errorf("%s = %g, want null", field, *g)
		case w != nil && g == nil:
			t.Errorf("%s = null, want %g", field, *w)
		case w != nil:
			num(field, g, *w)
		}
	}
	if got.Events == nil {
		t.Errorf("events: missing, want good %g, total %g", want.Events.Good, want.Events.Total)
	} else {
		// Event counts are integers and must be exact: a lost scrape gap is
		// a few hundredths of a percent of a month, well inside 0.1%.
		exact := func(field string, g *float64, w float64) {
			t.Helper()
			if g == nil || *g != w {
				t.Errorf("%s = %v, want exactly %g (truth)", field, deref(g), w)
			}
		}
		exact("events.good", got.Events.Good, want.Events.Good)
		exact("events.total", got.Events.Total, want.Events.Total)
		if got.Events.Good != nil && got.Events.Total != nil {
			bad := *got.Events.Total - *got.Events.Good
			exact("events bad (total-good)", &bad, want.Events.Bad())
		}
	}
	optional("sli", got.SLI, want.SLI)
	num("budgetRemaining", got.BudgetRemaining, want.BudgetRemaining)
	num("budgetRemainingSeconds", got.BudgetRemainingSeconds, want.BudgetRemainingSeconds)
	for _, w := range sortedKeys(want.BurnRates, got.BurnRates) {
		wv, wok := want.BurnRates[w]
		gv, gok := got.BurnRates[w]
		switch {
		case wok && !gok:
			t.Errorf("burnRates[%s]: missing, want %g", w, wv)
		case !wok && gok:
			t.Errorf("burnRates[%s] = %g, want no key (no traffic in that window)", w, gv)
		case wok:
			num("burnRates["+w+"]", &gv, wv)
		}
	}
	if got.Alerts == nil || *got.Alerts != want.Alerts {
		t.Errorf("alerts = %+v, want %+v", got.Alerts, want.Alerts)
	}
	if got.PolicyState != want.PolicyState {
		t.Errorf("policyState = %q, want %q", got.PolicyState, want.PolicyState)
	}
	if got.FeatureFreeze == nil || *got.FeatureFreeze != want.FeatureFreeze {
		t.Errorf("featureFreeze = %v, want %v", deref(got.FeatureFreeze), want.FeatureFreeze)
	}
	num("featureShare", got.FeatureShare, want.FeatureShare)
	if got.DataMissing || got.Coverage == nil || !within(*got.Coverage, ft.Coverage) {
		t.Errorf("dataMissing %v, coverage %v; want %v (the truth from the samples written)", got.DataMissing, deref(got.Coverage), ft.Coverage)
	}
	checkForecast(t, ft, got.ExhaustionSeconds, got.RecoverySeconds, true)
}

// checkForecast compares the rolling-window forecast with the independent
// simulation: the exhaustion and the recovery fall in the truth's 30 s step.
// In JSON a forecast that never runs out is null; on /metrics it is +Inf.
func checkForecast(t *testing.T, ft synth.ForecastTruth, exhaustion *float64, recovery map[string]float64, jsonNulls bool) {
	t.Helper()
	switch {
	case ft.ExhaustionStep < 0 && jsonNulls && exhaustion != nil:
		t.Errorf("exhaustionSeconds = %g, want null: the simulation never runs out", *exhaustion)
	case ft.ExhaustionStep < 0 && !jsonNulls && (exhaustion == nil || !math.IsInf(*exhaustion, 1)):
		t.Errorf("exhaustion = %v, want +Inf: the simulation never runs out", deref(exhaustion))
	case ft.ExhaustionStep == 0 && (exhaustion == nil || *exhaustion != 0):
		t.Errorf("exhaustion = %v, want 0: the budget is spent", deref(exhaustion))
	case ft.ExhaustionStep > 0 && (exhaustion == nil || !ft.Run.Contains(*exhaustion, ft.ExhaustionStep)):
		t.Errorf("exhaustion = %v s, the simulation reaches 0 in 30 s step %d", deref(exhaustion), ft.ExhaustionStep)
	}
	if ft.NextBetter == "" {
		if len(recovery) != 0 {
			t.Errorf("recovery %v in the policy's best state", recovery)
		}
		return
	}
	v, ok := recovery[ft.NextBetter]
	switch {
	case ft.RecoveryStep < 0 && ok:
		t.Errorf("recovery to %s in %g s; the simulation never gets there", ft.NextBetter, v)
	case ft.RecoveryStep >= 0 && (!ok || !ft.Run.Contains(v, ft.RecoveryStep)):
		t.Errorf("recovery to %s = %v (present %v); the simulation gets there in 30 s step %d", ft.NextBetter, v, ok, ft.RecoveryStep)
	}
}

func within(got, want float64) bool {
	if got == want {
		return true
	}
	// A true zero (no errors in a window) must be reported as zero, not as
	// something small: 0.1% of zero is zero.
	return relErr(got, want) <= relTol
}

func relErr(got, want float64) float64 {
	d := math.Abs(got - want)
	if m := math.Max(math.Abs(got), math.Abs(want)); m > 0 {
		return d / m
	}
	return d
}

func sortedKeys(a, b map[string]float64) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]float64{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

func deref[T any](p *T) any {
	if p == nil {
		return "missing"
	}
	return *p
}

// buildSlobudget compiles ./cmd/slobudget into the test's temp dir: the
// test runs the binary users run, not a function call.
func buildSlobudget(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "slobudget")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/slobudget")
	cmd.Dir = ".." // the module root, from this package's directory
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/slobudget: %v\n%s", err, out)
	}
	return bin
}
