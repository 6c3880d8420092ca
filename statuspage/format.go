package statuspage

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

// burnCells lists the burn rate of every short window and of the SLO window,
// shortest first. A window without traffic has no key in BurnRates and
// shows as "no traffic", never as 0, which would claim a perfect record.
func burnCells(r slo.Result) []burnCell {
	thresholds := alertThresholds(r.WindowSeconds)
	labels := make([]string, 0, len(slo.BurnWindows)+1)
	for _, d := range slo.BurnWindows {
		labels = append(labels, slo.WindowLabel(d))
	}
	if r.Window != "" && !contains(labels, r.Window) {
		labels = append(labels, r.Window)
	}
	cells := make([]burnCell, 0, len(labels))
	for _, l := range labels {
		c := burnCell{Window: l, Value: "no traffic", Class: "none"}
		if v, ok := r.BurnRates[l]; ok {
			c.Value = strconv.FormatFloat(v, 'f', 2, 64)
			c.Class = "ok"
			if t, ok := thresholds[l]; ok && v > t {
				c.Class = "alert"
			} else if v > 1 {
				c.Class = "warn"
			}
		}
		cells = append(cells, c)
	}
	return cells
}

// alertThresholds maps each window label that takes part in an alert pair to
// the lowest factor it is compared with, so a cell turns red exactly when it
// satisfies its half of some alert condition.
func alertThresholds(windowSeconds float64) map[string]float64 {
	out := map[string]float64{}
	if windowSeconds <= 0 {
		return out
	}
	for _, p := range slo.AlertPairs(time.Duration(windowSeconds * float64(time.Second))) {
		for _, d := range []time.Duration{p.Long, p.Short} {
			l := slo.WindowLabel(d)
			if t, ok := out[l]; !ok || p.Factor < t {
				out[l] = p.Factor
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
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
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1 + 2
	}
	return 2
}

// formatTime shows a time in UTC, with the date only when it is not today's:
// on a wall screen the clock time is what people read.
func formatTime(t, now time.Time) string {
	t, now = t.UTC(), now.UTC()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05 UTC")
	}
	return t.Format("2006-01-02 15:04:05 UTC")
}

func ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "in " + report.HumanDuration(-d)
	}
	return report.HumanDuration(d) + " ago"
}
