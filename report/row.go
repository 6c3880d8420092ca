package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Status values of a row, shown in capitals where they need attention.
const (
	statusOK     = "ok"
	statusStale  = "STALE"
	statusNoData = "NO DATA"
)

// row is one SLO rendered to display strings, shared by the table and
// markdown formats so that both always say the same thing.
type row struct {
	name, service, objective, window, sli string
	budget, outage                        string
	state, freeze, features               string
	burn1h, burn6h, burn1d, burnWindow    string
	alerts, forecast, status              string
	// footnotes are printed under the table: errors, staleness, notes.
	footnotes []string
}

const missing = "-"

func newRow(r slo.Result, at time.Time) row {
	w := row{
		name: r.Name, service: r.Service, window: r.Window,
		objective: missing, sli: missing, budget: missing, outage: missing,
		state: missing, freeze: missing, features: missing,
		burn1h: missing, burn6h: missing, burn1d: missing, burnWindow: missing,
		alerts: missing, forecast: missing, status: statusOK,
	}
	if w.window == "" {
		w.window = missing
	}
	if r.Objective > 0 {
		w.objective = objectivePercent(r.Objective) + "%"
	}
	if r.EvaluatedAt.IsZero() {
		// Nothing was ever computed: every number in r is a zero value, and
		// printing "100.0% left" would be a lie.
		w.status = statusNoData
		msg := "never evaluated successfully"
		if r.Error != "" {
			msg += ": " + r.Error
		}
		w.footnotes = append(w.footnotes, statusNoData+": "+msg)
		return w
	}
	if r.Error != "" {
		w.status = statusStale
		w.footnotes = append(w.footnotes, fmt.Sprintf("%s: numbers from %s (%s before this report); last evaluation failed: %s",
			statusStale, r.EvaluatedAt.UTC().Format(time.RFC3339), HumanDuration(at.Sub(r.EvaluatedAt)), r.Error))
	}
	for _, n := range r.Notes {
		w.footnotes = append(w.footnotes, "note: "+n)
	}

	if r.SLI == nil {
		w.sli = "no traffic"
	} else {
		w.sli = strconv.FormatFloat(*r.SLI*100, 'f', sliDecimals(r.Objective), 64) + "%"
	}
	w.budget = strconv.FormatFloat(r.BudgetRemaining*100, 'f', 1, 64) + "%"
	of := " of " + HumanSeconds(r.BudgetTotalSeconds)
	if r.BudgetRemainingSeconds < 0 {
		w.outage = "overspent by " + HumanSeconds(-r.BudgetRemainingSeconds) + of
	} else {
		w.outage = HumanSeconds(r.BudgetRemainingSeconds) + " left" + of
	}

	w.state = r.PolicyState
	w.freeze = "no"
	if r.FeatureFreeze {
		w.freeze = "FREEZE"
	}
	w.features = strconv.FormatFloat(r.FeatureShare*100, 'f', 0, 64) + "%"

	w.burn1h = burn(r, "1h")
	w.burn6h = burn(r, "6h")
	w.burn1d = burn(r, "1d")
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

	switch e := r.ExhaustionSeconds; {
	case e == nil:
		w.forecast = "not burning"
	case *e <= 0:
		w.forecast = "exhausted"
	default:
		w.forecast = "exhausted in " + HumanSeconds(*e)
	}
	return w
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

// cells lists a row's columns in display order, matching headers.
func (w row) cells() []string {
	return []string{
		w.name, w.service, w.objective, w.window, w.sli, w.budget, w.outage,
		w.state, w.freeze, w.features, w.burn1h, w.burn6h, w.burn1d, w.burnWindow,
		w.alerts, w.forecast, w.status,
	}
}

var headers = []string{
	"SLO", "Service", "Objective", "Window", "SLI", "Budget left", "Outage time",
	"State", "Freeze", "Feature share", "Burn 1h", "Burn 6h", "Burn 1d", "Burn window",
	"Alerts", "Forecast", "Status",
}
