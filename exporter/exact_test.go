package exporter

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/slobudget/slobudget/slo"
)

// sloInfoLabels collects one result and returns slo_info's labels.
func sloInfoLabels(t *testing.T, r slo.Result) map[string]string {
	t.Helper()
	ch := make(chan prometheus.Metric, 64)
	collectResult(ch, r)
	close(ch)
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.Desc().String(), `fqName: "slo_info"`) {
			out := map[string]string{}
			for _, lp := range pb.GetLabel() {
				out[lp.GetName()] = lp.GetValue()
			}
			return out
		}
	}
	t.Fatal("no slo_info")
	return nil
}

// TestSLOInfoFlagsEstimates: an estimate's slo_info carries exact="false";
// an exact SLO's label set is unchanged (no exact label).
func TestSLOInfoFlagsEstimates(t *testing.T) {
	base := slo.Result{Name: "a", Service: "s", Objective: 0.99, Window: "30d", Policy: "default", Labels: map[string]string{"team": "x"}}
	estimate := base
	estimate.Estimate = true
	if got := sloInfoLabels(t, base); got["exact"] != "" || got["team"] != "x" {
		t.Errorf("exact SLO: slo_info labels %v, want no exact label and team=x", got)
	}
	if got := sloInfoLabels(t, estimate); got["exact"] != "false" || got["team"] != "x" || got["window"] != "30d" {
		t.Errorf("estimate: slo_info labels %v, want exact=false, team=x, window=30d", got)
	}
}
