package promqlparse

import (
	"github.com/prometheus/prometheus/promql/parser"
)

// UnaggregatedSelectors returns the vector selectors of expr that are not
// inside an aggregation (sum, max, ...): each may return one series per
// scraped replica, where a dashboard panel wants one.
func UnaggregatedSelectors(expr string) ([]string, error) {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var out []string
	var walk func(n parser.Node, aggregated bool)
	walk = func(n parser.Node, aggregated bool) {
		switch n := n.(type) {
		case *parser.AggregateExpr:
			aggregated = true
		case *parser.VectorSelector:
			if !aggregated {
				out = append(out, n.String())
			}
			return
		}
		for _, c := range parser.Children(n) {
			walk(c, aggregated)
		}
	}
	walk(e, false)
	return out, nil
}
