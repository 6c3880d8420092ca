package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Data status of a row: what the numbers are worth, not how the SLO is doing.
// "fresh" is deliberately lower-case and not "ok": it says the figures come
// from this evaluation, and must not be read as "healthy".
const (
	dataFresh   = "fresh"
	dataStale   = "STALE"
	dataNoData  = "NO DATA"
	dataFailed  = "FAILED"
	dataWaiting = "waiting"
)

// row is one SLO rendered to display strings, shared by the table and
// markdown formats so that both always say the same thing.
type row struct {
	name, service, objective, window, sli string
	events                                string
	budget, left, outage                  string
	state, freeze, features, coverage     string
	burns                                 map[string]string // by window label, "-" without traffic
	burnWindow                            string
	alerts, runsOut, data                 string
	// line is the SLO's consequence line, printed under its row: what the
	// state means for the team, over how much data, and when it changes.
	line string
	// footnotes are printed under the table: full errors and notes.
	footnotes []string
	// under are printed under the consequence line: the calendar period
	// and the agreed exclusions (NegotiationLines).
	under []string
}

const missing = "-"

func newRow(r slo.Result, at time.Time) row {
	w := row{
		name: r.Name, service: r.Service, window: r.Window,
		objective: missing, sli: missing, events: missing, budget: missing, left: missing, outage: missing,
		state: missing, freeze: missing, features: missing, coverage: missing, burnWindow: missing,
		alerts: missing, runsOut: missing, data: dataFresh, burns: map[string]string{},
		under: NegotiationLines(r),
	}
	for _, d := range slo.BurnWindows {
		w.burns[slo.WindowLabel(d)] = missing
	}
	if w.window == "" {
		w.window = missing
	}
	if r.Objective > 0 {
		w.objective = objectivePercent(r.Objective) + "%"
	}
	if r.Error != "" {
		reason := fmt.Sprintf("last evaluation failed: %s", r.Error)
		if !r.EvaluatedAt.IsZero() {
			reason = fmt.Sprintf("numbers from %s (%s before this report); %s",
				r.EvaluatedAt.UTC().Format(time.RFC3339), HumanDuration(at.Sub(r.EvaluatedAt)), reason)
		}
		status := dataStale
		if r.EvaluatedAt.IsZero() {
			status = dataFailed
		}
		w.footnotes = append(w.footnotes, status+": "+reason)
	}
	for _, n := range r.Notes {
		if r.DataMissing {
			break // Evaluate's "no traffic" notes: not traffic, there is no data
		}
		w.footnotes = append(w.footnotes, "note: "+n)
	}

	switch {
	case r.EvaluatedAt.IsZero() && r.Error != "":
		// Nothing was ever computed: every number in r is a zero value, and
		// printing "100.0% left" would be a lie.
		w.data = dataFailed
		w.line = dataFailed + ": " + ReasonLine(r, at) + ": no numbers yet, no policy decision"
		return w
	case r.EvaluatedAt.IsZero():
		w.data = dataWaiting
		w.line = "waiting for the first evaluation: no numbers yet, no policy decision"
		return w
	case r.DataMissing:
		w.data = dataNoData
		w.line = dataNoData + ": " + NoDataText(r) + ": no budget, no policy decision"
		return w
	case r.Error != "":
		w.data = dataStale
	}

	if r.SLI == nil {
		w.sli = "no traffic"
	} else {
		w.sli = strconv.FormatFloat(*r.SLI*100, 'f', sliDecimals(r.Objective), 64) + "%"
	}
	w.events = Thousands(r.Events.Bad()) + " bad of " + Thousands(r.Events.Total)
	w.budget = percent1(r.BudgetRemaining)
	of := " of " + HumanSeconds(r.BudgetTotalSeconds)
	if r.BudgetRemainingSeconds < 0 {
		w.left = "-" + HumanSeconds(-r.BudgetRemainingSeconds)
		w.outage = "overspent by " + HumanSeconds(-r.BudgetRemainingSeconds) + of
	} else {
		w.left = HumanSeconds(r.BudgetRemainingSeconds)
		w.outage = HumanSeconds(r.BudgetRemainingSeconds) + " left" + of
	}

	w.state = r.PolicyState
	if r.Provisional {
		w.state += "*"
	}
	w.freeze = "no"
	if r.FeatureFreeze {
		w.freeze = "FREEZE"
	}
	w.features = strconv.FormatFloat(r.FeatureShare*100, 'f', 0, 64) + "%"
	switch cov := CoverageText(r); {
	case cov != "":
		w.coverage = cov
	case r.Coverage != nil:
		w.coverage = "all " + r.Window
	}

	for label := range w.burns {
		w.burns[label] = burn(r, label)
	}
	w.burnWindow = burn(r, r.Window)

	switch {
	case r.Alerts.Page && r.Alerts.Ticket:
		w.alerts = "page+ticket"
	case r.Alerts.Page:
		w.alerts = "page"
	case r.Alerts.Ticket:
		w.alerts = "ticket"
	default:
		w.alerts = "none"
	}
	w.runsOut = RunsOut(r)
	w.line = consequenceLine(r, at)
	return w
}

// NoDataText names what matched nothing: "http_requests_total{service="x"}
// matched no series in the 30d window".
func NoDataText(r slo.Result) string {
	sel := "the SLI's total selector"
	if r.MissingSelector != "" {
		sel = r.MissingSelector
	}
	return sel + " matched no series in the " + r.Window + " window"
}

// consequenceLine says what the state means for the team and what could
// change it: the policy's consequence, the feature share, the data it rests
// on, the forecast and the recovery, and staleness.
func consequenceLine(r slo.Result, at time.Time) string {
	var parts []string
	if r.Consequence != "" {
		parts = append(parts, r.Consequence)
	} else {
		parts = append(parts, "policy state "+r.PolicyState)
	}
	parts = append(parts, "features "+strconv.FormatFloat(r.FeatureShare*100, 'f', 0, 64)+"% of capacity")
	if cov := CoverageText(r); cov != "" {
		s := "computed over " + cov
		if r.Provisional {
			s += ": provisional, decided on less than half the window"
		}
		parts = append(parts, s)
	}
	if r.ExhaustionSeconds != nil || r.Forecast != nil {
		parts = append(parts, Forecast(r))
	}
	if rec := Recovery(r); rec != "" {
		parts = append(parts, rec)
	}
	if r.Error != "" {
		parts = append(parts, dataStale+": "+ReasonLine(r, at))
	}
	return strings.Join(parts, "; ")
}

// burn formats one burn rate; a window without traffic has no key and shows
// as "-", never as 0, which would claim a perfect record.
func burn(r slo.Result, window string) string {
	v, ok := r.BurnRates[window]
	if !ok {
		return missing
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// percent1 spells a ratio as a percent with one decimal; a value that rounds
// to zero from below is "0.0%", not "-0.0%".
func percent1(ratio float64) string {
	s := strconv.FormatFloat(ratio*100, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	return s + "%"
}

// objectivePercent spells an objective ratio as the percent a person wrote:
// 0.999 → "99.9". Rounding to six decimals drops the binary noise of ×100.
func objectivePercent(ratio float64) string {
	return strconv.FormatFloat(math.Round(ratio*100*1e6)/1e6, 'f', -1, 64)
}

// sliDecimals shows the SLI with two more decimals than the objective has, so
// 99.96% and 99.94% read differently against a 99.9% objective.
func sliDecimals(objective float64) int {
	s := objectivePercent(objective)
	d := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		d = len(s) - i - 1
	}
	return d + 2
}
