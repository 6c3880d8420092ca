package promqlparse

import (
	"fmt"
	"math"

	"github.com/prometheus/prometheus/promql/parser"
)

// Condition is `<plain vector selector> <comparison op> <number>`, the gauge
// condition of a time-slice SLI.
type Condition struct {
	Selector  Selector
	Op        string // one of <, <=, >, >=, ==, !=
	Threshold float64
}

// String prints the condition as PromQL.
func (c Condition) String() string {
	return c.Selector.String() + " " + c.Op + " " + formatNumber(c.Threshold)
}

// ParseCondition parses s as a comparison of a plain vector selector with a
// finite number, e.g. `pipeline_lag_seconds{pipeline="orders"} < 900`.
func ParseCondition(s string) (Condition, error) {
	expr, err := parser.ParseExpr(s)
	if err != nil {
		return Condition{}, parseError(err)
	}
	for {
		p, ok := expr.(*parser.ParenExpr)
		if !ok {
			break
		}
		expr = p.Expr
	}
	const want = "want `<selector> <op> <number>`, e.g. pipeline_lag_seconds{pipeline=\"orders\"} < 900"
	bin, ok := expr.(*parser.BinaryExpr)
	if !ok || !bin.Op.IsComparisonOperator() {
		return Condition{}, fmt.Errorf("not a comparison (found %s); %s", describe(expr), want)
	}
	if bin.ReturnBool {
		return Condition{}, fmt.Errorf("the bool modifier is not allowed; %s", want)
	}
	sel, err := selectorFrom(unparen(bin.LHS))
	if err != nil {
		return Condition{}, fmt.Errorf("left side: %w", err)
	}
	num, ok := number(unparen(bin.RHS))
	if !ok {
		return Condition{}, fmt.Errorf("right side is %s, not a number; %s", describe(bin.RHS), want)
	}
	if math.IsNaN(num) || math.IsInf(num, 0) {
		return Condition{}, fmt.Errorf("threshold %v is not a finite number", num)
	}
	return Condition{Selector: sel, Op: bin.Op.String(), Threshold: num}, nil
}

func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// number accepts a literal, possibly with unary signs, since PromQL keeps
// `-5` as a unary minus around 5 in some versions and folds it in others.
func number(e parser.Expr) (float64, bool) {
	switch v := e.(type) {
	case *parser.NumberLiteral:
		return v.Val, true
	case *parser.UnaryExpr:
		n, ok := number(unparen(v.Expr))
		if !ok {
			return 0, false
		}
		if v.Op == parser.SUB {
			return -n, true
		}
		return n, true
	}
	return 0, false
}
