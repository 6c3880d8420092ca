package statuspage

import (
	"strings"
	"testing"
)

// TestEstimateIsFlagged: an estimated SLO's SLI reads "~..." on the
// overview and its page, which also carries the estimate note and says its
// events are weighted seconds; exact SLOs carry no mark.
func TestEstimateIsFlagged(t *testing.T) {
	results := allResults(t)
	for i := range results {
		if results[i].SLI != nil && !results[i].DataMissing {
			results[i].Estimate = true
			results[i].Notes = append(results[i].Notes, "estimate: Prometheus evaluated the expression hourly")
			name := results[i].Name
			h := newTestHandler(t, results, Options{})
			_, overview := get(t, h, "/")
			if n := strings.Count(overview, `SLI ~`); n != 1 {
				t.Errorf("overview has %d SLIs marked ~, want 1 (%s)", n, name)
			}
			_, page := get(t, h, "/slo/"+name)
			for _, want := range []string{"SLI ~", "estimate: Prometheus evaluated the expression hourly", "error-ratio-weighted seconds"} {
				if !strings.Contains(page, want) {
					t.Errorf("/slo/%s lacks %q", name, want)
				}
			}
			return
		}
	}
	t.Fatal("no fixture SLO with an SLI")
}
