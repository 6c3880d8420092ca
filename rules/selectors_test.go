package rules

import (
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/slo"
)

// maxSelectorsPerEvaluation is the budget of issue 12 ("at most about 40"):
// Prometheus's cost of a rule group is mostly per selector (an index lookup
// and a series iterator each), not per sample. The shape in recording.go
// needs 38 for a time slice, 44 for an errors selector with the default
// policy, 45 for a good selector with a two-freeze-state policy and 46 for
// a latency SLI (down from 196 for an errors selector before it); each
// includes the one selector of SLOPostmortemRequired, which reads the
// daemon's slo_postmortem_required. README.md lists where they go. A change
// that needs more must say why.
const maxSelectorsPerEvaluation = 46

// variantSelectors are the budgets of the SLI kinds and options that cost
// more than testConfig's, measured with the same count; each says why.
var variantSelectors = []struct {
	name, config string
	max          int
}{
	// Grouped by route (84): no label-less vector(0) to fall back on, so
	// each running sum is "previous + step, or either alone", reading the
	// step twice (12 and 22 selectors: the bad step also falls back to
	// the total's times 0); per-group zeros in the window starts (one
	// selector per window, 16 in all), the remaining budget and the
	// exhaustion time; the deltas' per-series form (5 selectors instead of
	// 4, counters.go); no recorded burn-alert condition (PromQL cannot
	// match many groups with many pairs, see burnAlertCondition), so each
	// of the four burn alerts reads its windows' burn rates and bad count
	// (3 selectors instead of 1).
	{"grouped", groupedRulesConfig, 84},
	// Native histogram (50): two recording rules turning it into float
	// counters first (4 selectors), then a good-selector SLI on them.
	{"native", `
slos:
  - name: rpc
    service: rpc
    objective: 99
    sli:
      latency:
        nativeHistogram: rpc_duration_seconds
        threshold: 0.5
`, 50},
	// An expression that reduces to counters (48): each counter term is
	// one delta (4 selectors); two terms on the total side here, and no
	// shared bad step (the errors side is its own sum of terms).
	{"expression", `
slos:
  - name: expr
    service: api
    objective: 99
    sli:
      expression:
        errors: sum(rate(http_requests_total{code="500"}[{{.window}}]))
        total: sum(rate(http_requests_total[{{.window}}])) + sum(rate(grpc_requests_total[{{.window}}]))
`, 50},
}

func TestSelectorsPerEvaluationVariants(t *testing.T) {
	for _, v := range variantSelectors {
		cfg, err := slo.Parse(v.name+".yml", []byte(v.config))
		if err != nil {
			t.Fatal(err)
		}
		out, err := Generate(cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var file ruleFile
		if err := yaml.Unmarshal(out, &file); err != nil {
			t.Fatal(err)
		}
		for _, g := range file.Groups {
			n := 0
			for _, rl := range g.Rules {
				n += countSelectors(t, rl.Expr)
			}
			t.Logf("%s (%s): %d rules, %d selectors per evaluation", v.name, g.Name, len(g.Rules), n)
			if n > v.max {
				t.Errorf("%s: %d selectors per evaluation, want at most %d", v.name, n, v.max)
			}
		}
	}
}

// TestSelectorsPerEvaluation parses the generated file as Prometheus would
// and counts the vector selectors (a range selector holds one) of every rule
// of each SLO's group: one evaluation of the group evaluates each once.
func TestSelectorsPerEvaluation(t *testing.T) {
	out, err := Generate(testConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var file ruleFile
	if err := yaml.Unmarshal(out, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Groups) != len(testConfig().SLOs) {
		t.Fatalf("%d groups, want one per SLO (%d)", len(file.Groups), len(testConfig().SLOs))
	}
	for _, g := range file.Groups {
		n := 0
		for _, rl := range g.Rules {
			n += countSelectors(t, rl.Expr)
		}
		t.Logf("%s: %d rules, %d selectors per evaluation", g.Name, len(g.Rules), n)
		if n > maxSelectorsPerEvaluation {
			t.Errorf("%s: %d selectors per evaluation, want at most %d", g.Name, n, maxSelectorsPerEvaluation)
		}
	}
}

// TestSelectorsVMAlert logs what the vmalert shape costs in selectors: it
// repeats the running-sum reads in every figure instead of chaining
// recorded series, so it has no budget; README.md quotes these counts.
func TestSelectorsVMAlert(t *testing.T) {
	out, err := Generate(testConfig(), Options{Engine: EngineVMAlert})
	if err != nil {
		t.Fatal(err)
	}
	var file ruleFile
	if err := yaml.Unmarshal(out, &file); err != nil {
		t.Fatal(err)
	}
	for _, g := range file.Groups {
		n := 0
		for _, rl := range g.Rules {
			n += countSelectors(t, rl.Expr)
		}
		t.Logf("%s (vmalert): %d rules, %d selectors per evaluation", g.Name, len(g.Rules), n)
	}
}

func countSelectors(t *testing.T, expr string) int {
	t.Helper()
	e, err := parser.ParseExpr(expr)
	if err != nil {
		t.Fatalf("parsing %q: %v", expr, err)
	}
	n := 0
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		if _, ok := node.(*parser.VectorSelector); ok {
			n++
		}
		return nil
	})
	return n
}
