package counting

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/slo"
)

// TestReducedExpressionMatchesBruteForce counts an expression SLI whose
// total is a sum of two counters and whose errors are a difference (total
// minus good, Sloth's latency shape), every 30 s and in jumps, and requires
// every window to equal the brute-force sum of the generated events of each
// term with its sign (resets, gaps and jitter included).
func TestReducedExpressionMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	end := int64(1_700_000_000_000)
	start := end - 3*day
	store := memory.New()
	gen := map[string][]countergen.Counter{}
	for _, name := range []string{"api_total", "web_total", "api_fast", "web_fast"} {
		rate := 40.0
		if strings.HasSuffix(name, "_fast") {
			rate = 36 // fewer than the total, so errors stay positive
		}
		for inst := range 2 {
			c := countergen.Generate(rng, start, end, 15_000, rate)
			c.Store(store, "__name__", name, "instance", fmt.Sprint(inst))
			gen[name] = append(gen[name], c)
		}
	}
	sli := slo.SLI{Expression: &slo.ExpressionSLI{
		Total:  `sum(rate(api_total[{{.window}}])) + sum(rate(web_total[{{.window}}])) or vector(0)`,
		Errors: `(sum(increase(api_total[{{.window}}])) + sum(increase(web_total[{{.window}}]))) - (sum(increase(api_fast[{{.window}}])) + sum(increase(web_fast[{{.window}}])))`,
	}}
	// Total and errors use different functions: that does not reduce.
	if _, err := New(sli, Options{Resolution: time.Minute, Windows: windowsOf(24 * time.Hour)}); err == nil {
		t.Fatal("rate() total over increase() errors was accepted")
	}
	sli.Expression.Total = strings.ReplaceAll(sli.Expression.Total, "rate(", "increase(")
	window := 24 * time.Hour
	c := newCounter(t, sli, window, step)
	in := func(name string, from, to int64) float64 { return countergen.In(gen[name], from, to) }
	first := end - 3*HourMs
	first -= first % step
	var ats []int64
	for at := first; at <= end-2*HourMs; at += step {
		ats = append(ats, at)
	}
	for at := end - 2*HourMs; at <= end; at += 7 * step {
		ats = append(ats, at-at%step)
	}
	for _, at := range ats {
		for w, g := range countAll(t, c, store, at, windowsOf(window)) {
			from := at - w.Milliseconds()
			total := in("api_total", from, at) + in("web_total", from, at)
			bad := total - in("api_fast", from, at) - in("web_fast", from, at)
			want := slo.Counts{Total: total, Good: total - bad}
			if g != want {
				t.Fatalf("at %s window %s: %+v, want %+v", time.UnixMilli(at).UTC(), w, g, want)
			}
		}
	}
	if cov := c.Coverage(window); cov.Selector != "api_total" {
		t.Errorf("coverage is about %q, want the total's first counter api_total", cov.Selector)
	}
}

// TestEstimateExpressionIsNotCounted: an error ratio is one number, not two
// counts; the counter refuses it and says why.
func TestEstimateExpressionIsNotCounted(t *testing.T) {
	sli := slo.SLI{Expression: &slo.ExpressionSLI{ErrorRatio: `slo:errors:ratio_rate{{.window}}`}}
	_, err := New(sli, Options{Resolution: time.Minute, Windows: windowsOf(24 * time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "does not reduce") {
		t.Fatalf("error %v, want one saying it does not reduce", err)
	}
}
