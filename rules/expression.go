package rules

import (
	"fmt"
	"strings"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"github.com/slobudget/slobudget/slo"
)

// expressionDeltas returns what one evaluation adds to the total and bad
// running sums of an expression SLI that reduces to counters, and the
// selector whose absence means no data (the total's first counter, the one
// the daemon's coverage is about). Each side is the signed sum of its
// counter terms' exact deltas (delta), each term defaulting to 0 so that a
// term without series does not empty the side; with good rather than errors,
// bad is total minus good. This is the increase of the expression's sums,
// counted like an events SLI, not the expression's rate() or increase()
// with its extrapolation.
func expressionDeltas(e *slo.ExpressionSLI, opts Options) (present, total, bad string, err error) {
	red, err := e.Reduced()
	if err != nil {
		return "", "", "", fmt.Errorf("sli.expression does not reduce to counters (%v); estimates have no recording rules yet", err)
	}
	total = signedSum(red.Total.Terms, opts)
	switch {
	case red.Bad.Terms != nil:
		bad = signedSum(red.Bad.Terms, opts)
	default:
		bad = fmt.Sprintf("(\n  %s\n  -\n  %s\n)", indent(total, 2), indent(signedSum(red.Good.Terms, opts), 2))
	}
	return red.Total.Terms[0].Selector.String(), total, bad, nil
}

// signedSum is `(delta(a) or vector(0)) + (delta(b) or vector(0)) - ...`.
func signedSum(terms []promqlparse.Term, opts Options) string {
	var b strings.Builder
	b.WriteString("(\n")
	for i, t := range terms {
		switch {
		case t.Sign < 0:
			b.WriteString("  -\n")
		case i > 0:
			b.WriteString("  +\n")
		}
		fmt.Fprintf(&b, "  (%s or vector(0))\n", indent(delta(t.Selector.String(), opts), 2))
	}
	b.WriteString(")")
	return b.String()
}
