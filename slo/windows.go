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
