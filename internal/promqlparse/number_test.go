package promqlparse

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/prometheus/model/labels"
)

var boundaries = []float64{0.00001, 0.0005, 0.005, 0.01, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 100, 1000, 1e6, 1e21}

// exposedLe returns the le values that real encoders write for a histogram
// with the given boundaries: the Go client's text format (what Prometheus 2.x
// stores as is), OpenMetrics, and Prometheus 3.x's normalisation on ingest.
func exposedLe(t *testing.T, bounds []float64, upper float64) []string {
	t.Helper()
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h", Buckets: bounds})
	reg.MustRegister(h)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, format := range []expfmt.Format{expfmt.NewFormat(expfmt.TypeTextPlain), expfmt.NewFormat(expfmt.TypeOpenMetrics)} {
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, format)
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
		// Pick the spelling of the bucket whose bound is upper: buckets are
		// written in bound order, so its index in bounds is its index here.
		all := regexp.MustCompile(`le="([^"]*)"`).FindAllStringSubmatch(buf.String(), -1)
		for i, b := range bounds {
			if b == upper {
				out = append(out, all[i][1])
			}
		}
	}
	return append(out, labels.FormatOpenMetricsFloat(upper))
}

func TestLeMatcherMatchesRealSpellings(t *testing.T) {
	for _, b := range boundaries {
		m := LeMatcher(b)
		if m.Name != "le" || m.Op != MatchRegexp {
			t.Fatalf("matcher %v", m)
		}
		// Prometheus anchors label regexes; do the same here.
		re := regexp.MustCompile("^(?:" + m.Value + ")$")
		for _, spelled := range exposedLe(t, boundaries, b) {
			if !re.MatchString(spelled) {
				t.Errorf("le matcher %q for %v does not match exposed spelling %q", m.Value, b, spelled)
			}
		}
		// It must match no other boundary's spelling.
		for _, other := range boundaries {
			if other == b {
				continue
			}
			for _, spelled := range exposedLe(t, boundaries, other) {
				if re.MatchString(spelled) {
					t.Errorf("le matcher %q for %v also matches %q (boundary %v)", m.Value, b, spelled, other)
				}
			}
		}
	}
}

func TestLeMatcherWithRealPrometheusMatcher(t *testing.T) {
	m := LeMatcher(0.5)
	pm, err := labels.NewMatcher(labels.MatchRegexp, "le", m.Value)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]bool{"0.5": true, "0.50": false, "10.5": false, "0x5": false, "0.5|1": false, "": false} {
		if got := pm.Matches(v); got != want {
			t.Errorf("Prometheus matcher %q on %q = %v, want %v", m.Value, v, got, want)
		}
	}
	if got := LeSpellings(1); len(got) != 2 || got[0] != "1" || got[1] != "1.0" {
		t.Errorf("LeSpellings(1) = %q, want [1 1.0]", got)
	}
}
