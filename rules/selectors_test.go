package rules

import (
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"
)

// maxSelectorsPerEvaluation is the budget of issue 12 ("at most about 40"):
// Prometheus's cost of a rule group is mostly per selector (an index lookup
// and a series iterator each), not per sample. The shape in recording.go
// needs 37 for a time slice, 43 for an errors selector with the default
// policy, 44 for a good selector with a two-freeze-state policy and 45 for
// a latency SLI (down from 195 for an errors selector before it); README.md
// lists where they go. A change that needs more must say why.
const maxSelectorsPerEvaluation = 45

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
