// Package promqlparse is the only place in slobudget that imports the
// Prometheus PromQL parser. The parser's package-level entry points moved in
// Prometheus releases after v0.310.0; keeping every use here means an upgrade
// touches this package and nothing else.
package promqlparse

import (
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// Expr is a parsed PromQL expression. It is the parser's own type, re-exported
// so that callers need not import the parser package themselves.
type Expr = parser.Expr

// ParseExpr parses a PromQL expression.
func ParseExpr(s string) (Expr, error) {
	return parser.ParseExpr(s)
}

// Matchers parses a plain vector selector into the label matchers a storage
// select takes (the metric name as a __name__ matcher).
func Matchers(selector string) ([]*labels.Matcher, error) {
	return parser.ParseMetricSelector(selector)
}
