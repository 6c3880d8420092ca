package slo

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

const day = 24 * time.Hour

// BurnWindows are the short windows a burn rate is computed for, besides the
// SLO window itself (math.md; SRE Workbook ch. 5).
var BurnWindows = []time.Duration{
	5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, day, 3 * day,
}

// StepGrid is the grid every evaluation instant and every window length sits
// on: the evaluation interval must divide it, and SLO windows must be whole
// multiples of it. Then every window of every figure starts and ends on an
// evaluation instant, and per-step buckets sum to exact window counts.
const StepGrid = 5 * time.Minute

// CheckStep rejects evaluation intervals that would not put every window's
// edges on the evaluation grid (the interval must divide StepGrid).
func CheckStep(step time.Duration) error {
	if step < time.Second || StepGrid%step != 0 {
		return fmt.Errorf("evaluation interval %s must be at least 1s and divide %s evenly (e.g. 10s, 15s, 30s, 1m, 5m)", step, model.Duration(StepGrid))
	}
	return nil
}

// Windows returns every window the SLO's figures are computed over: the SLO
// window first, then each burn window. The longest of them is how much
// history the daemon reads and keeps (a 3d burn window reaches further back
// than a 1d SLO window).
func (s *SLO) Windows() []time.Duration {
	return append([]time.Duration{s.Window.Duration}, BurnWindows...)
}

// LongestWindow is the longest of Windows.
func (s *SLO) LongestWindow() time.Duration {
	return max(s.Window.Duration, BurnWindows[len(BurnWindows)-1])
}

// WindowLabel spells a duration the way Prometheus does ("5m", "1d", "28d"),
// never in weeks, so that labels match the config's spelling.
func WindowLabel(d time.Duration) string {
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return model.Duration(d).String()
}

// AlertPair is one multiwindow multi-burn-rate condition: burn(Long) > Factor
// and burn(Short) > Factor.
type AlertPair struct {
	Severity string // "page" or "ticket"
	Long     time.Duration
	Short    time.Duration
	// BudgetFraction is the share of the window's budget that burning at
	// Factor for Long consumes.
	BudgetFraction float64
	Factor         float64
}

// AlertPairs returns the SRE Workbook's four window pairs with factors scaled
// to the SLO window: factor = fraction × window / long.
func AlertPairs(window time.Duration) []AlertPair {
	base := []struct {
		sev      string
		long     time.Duration
		fraction float64
	}{
		{"page", time.Hour, 0.02},
		{"page", 6 * time.Hour, 0.05},
		{"ticket", day, 0.10},
		{"ticket", 3 * day, 0.10},
	}
	pairs := make([]AlertPair, 0, len(base))
	for _, b := range base {
		pairs = append(pairs, AlertPair{
			Severity:       b.sev,
			Long:           b.long,
			Short:          b.long / 12,
			BudgetFraction: b.fraction,
			Factor:         b.fraction * float64(window) / float64(b.long),
		})
	}
	return pairs
}
