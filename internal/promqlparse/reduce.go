package promqlparse

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// WindowPlaceholder is where an expression SLI's range goes, as Sloth writes
// it: `sum(rate(x[{{.window}}]))`. Spaces inside the braces are allowed.
const WindowPlaceholder = "{{.window}}"

var (
	windowPlaceholder = regexp.MustCompile(`\{\{\s*\.window\s*\}\}`)
	otherTemplate     = regexp.MustCompile(`\{\{.*?\}\}`)
)

// FillWindow replaces every window placeholder with the range r ("5m").
func FillWindow(expr, r string) string {
	return windowPlaceholder.ReplaceAllLiteralString(expr, r)
}

// ParseTemplate parses a PromQL expression that may use the window
// placeholder (filled with 5m for the check). Any other {{...}} is an error:
// slobudget expands nothing else.
func ParseTemplate(expr string) (Expr, error) {
	filled := FillWindow(expr, "5m")
	if t := otherTemplate.FindString(filled); t != "" {
		return nil, fmt.Errorf("template %s is not supported; only %s is replaced (by the range)", t, WindowPlaceholder)
	}
	e, err := parser.ParseExpr(filled)
	if err != nil {
		return nil, parseError(err)
	}
	return e, nil
}

// Term is one counter of a reducible expression: Sign × the increase of
// the counters Selector matches (summed over its series).
type Term struct {
	Selector Selector
	Sign     int // +1 or -1
}

// Counters is what a reducible expression counts: the sum of its terms,
// grouped by By (empty: one sum), read with Func (rate or increase) over
// Range as written ("{{.window}}" or a duration).
type Counters struct {
	Terms []Term
	By    []string
	Func  string
	Range string
}

// String prints the counters for messages: `+a{x="1"} -b`.
func (c Counters) String() string {
	parts := make([]string, len(c.Terms))
	for i, t := range c.Terms {
		sign := "+"
		if t.Sign < 0 {
			sign = "-"
		}
		parts[i] = sign + t.Selector.String()
	}
	return strings.Join(parts, " ")
}

// ReduceCounters recognises the expression shapes whose value over a window
// follows exactly from counter increases, so that they can be counted like
// plain counter SLIs:
//
//	sum(rate(SEL[R]))  sum(increase(SEL[R]))  sum by (l) (...)
//	A + B, A - B of such terms (all with the same function, range and by)
//	X or vector(0)     (X)
//
// R is the window placeholder or a duration. It returns why not when the
// expression has another shape (a subquery, histogram_quantile, a ratio).
func ReduceCounters(expr string) (Counters, error) {
	e, err := ParseTemplate(expr)
	if err != nil {
		return Counters{}, err
	}
	var c Counters
	first := true
	var walk func(e parser.Expr, sign int) error
	walk = func(e parser.Expr, sign int) error {
		e = unparen(e)
		switch n := e.(type) {
		case *parser.BinaryExpr:
			switch {
			case n.Op == parser.LOR && isVectorZero(unparen(n.RHS)):
				return walk(n.LHS, sign)
			case n.Op == parser.ADD:
				if err := walk(n.LHS, sign); err != nil {
					return err
				}
				return walk(n.RHS, sign)
			case n.Op == parser.SUB:
				if err := walk(n.LHS, sign); err != nil {
					return err
				}
				return walk(n.RHS, -sign)
			}
			return fmt.Errorf("found %s; only + and - of sum(rate(...)) or sum(increase(...)) terms reduce to counters", describe(n))
		case *parser.AggregateExpr:
			if n.Op != parser.SUM || n.Without {
				return fmt.Errorf("found %s; only sum(...) and sum by (...) reduce to counters", describeAgg(n))
			}
			call, ok := unparen(n.Expr).(*parser.Call)
			if !ok || (call.Func.Name != "rate" && call.Func.Name != "increase") {
				return fmt.Errorf("sum over %s; only sum(rate(counter[range])) and sum(increase(counter[range])) reduce to counters", describe(unparen(n.Expr)))
			}
			ms, ok := call.Args[0].(*parser.MatrixSelector)
			if !ok {
				return fmt.Errorf("%s() over %s, not a range selector", call.Func.Name, describe(call.Args[0]))
			}
			sel, err := selectorFrom(ms.VectorSelector)
			if err != nil {
				return err
			}
			by := slices.Clone(n.Grouping)
			slices.Sort(by)
			rng := model.Duration(ms.Range).String()
			if first {
				c.Func, c.By, c.Range, first = call.Func.Name, by, rng, false
			} else {
				switch {
				case call.Func.Name != c.Func:
					return fmt.Errorf("mixes %s() and %s(); every term must use the same function", c.Func, call.Func.Name)
				case !slices.Equal(by, c.By):
					return fmt.Errorf("terms are summed by different labels (%v and %v)", c.By, by)
				case rng != c.Range:
					return fmt.Errorf("terms use different ranges (%s and %s)", c.Range, rng)
				}
			}
			c.Terms = append(c.Terms, Term{Selector: sel, Sign: sign})
			return nil
		}
		return fmt.Errorf("found %s; only sum(rate(counter[range])) and sum(increase(counter[range])) terms reduce to counters", describe(e))
	}
	if err := walk(e, 1); err != nil {
		return Counters{}, err
	}
	if !slices.ContainsFunc(c.Terms, func(t Term) bool { return t.Sign > 0 }) {
		return Counters{}, errors.New("has no positive term: a count of events cannot be negative")
	}
	// The placeholder was filled with 5m to parse; say it as written.
	if windowPlaceholder.MatchString(expr) {
		c.Range = WindowPlaceholder
	}
	return c, nil
}

func isVectorZero(e parser.Expr) bool {
	call, ok := e.(*parser.Call)
	if !ok || call.Func.Name != "vector" || len(call.Args) != 1 {
		return false
	}
	n, ok := number(unparen(call.Args[0]))
	return ok && n == 0
}

func describeAgg(a *parser.AggregateExpr) string {
	if a.Without {
		return "an aggregation with " + a.Op.String() + " without (...)"
	}
	return describe(a)
}
