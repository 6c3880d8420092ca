package dashboards

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"github.com/slobudget/slobudget/slo"
)

// Two slobudget replicas scraped by one Prometheus export every series
// twice (with different instance labels). Every panel must still draw one
// line per SLO, window or state: each selector sits inside an aggregation.
func TestPanelsCollapseReplicas(t *testing.T) {
	cfg, err := slo.LoadFiles(filepath.Join("testdata", "config.yml"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		qs, err := Queries(f.JSON)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if strings.HasPrefix(q.Panel, "variable ") {
				continue // label-value lookups: duplicates collapse on their own
			}
			bare, err := promqlparse.UnaggregatedSelectors(Substitute(q.Expr, map[string]string{
				"datasource": "prom", "service": ".*", "team": ".*", "slo": "x",
			}))
			if err != nil {
				t.Fatalf("%s / %s: %v", f.UID, q.Panel, err)
			}
			if len(bare) > 0 {
				t.Errorf("%s / %s: %v not aggregated, so a second replica doubles the panel's series", f.UID, q.Panel, bare)
			}
		}
	}
}
