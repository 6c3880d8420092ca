package promqlparse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// MatchOp is a label matcher operator as PromQL spells it.
type MatchOp string

// The four PromQL label matcher operators.
const (
	MatchEqual     MatchOp = "="
	MatchNotEqual  MatchOp = "!="
	MatchRegexp    MatchOp = "=~"
	MatchNotRegexp MatchOp = "!~"
)

// Matcher is one label matcher. Value is the unquoted value.
type Matcher struct {
	Name  string
	Op    MatchOp
	Value string
}

// String prints the matcher as PromQL, quoting the value.
func (m Matcher) String() string {
	return m.Name + string(m.Op) + strconv.Quote(m.Value)
}

// Selector is a plain instant vector selector: a metric name and label
// matchers, nothing else. Name is empty when the selector names no metric;
// Matchers never holds the `__name__="Name"` matcher that Name stands for.
type Selector struct {
	Name     string
	Matchers []Matcher
}

// ParseVectorSelector parses s and accepts it only if it is a plain vector
// selector: no offset, no @ modifier, no range, no function, no aggregation,
// no operator. Metric and label names must be valid in the classic
// (pre-UTF-8) character set, because Prometheus 2.x cannot parse quoted names
// in the rules and queries built from the selector.
func ParseVectorSelector(s string) (Selector, error) {
	expr, err := parser.ParseExpr(s)
	if err != nil {
		return Selector{}, parseError(err)
	}
	return selectorFrom(expr)
}

// selectorFrom checks that expr is a plain vector selector and converts it.
func selectorFrom(expr parser.Expr) (Selector, error) {
	vs, ok := expr.(*parser.VectorSelector)
	if !ok {
		return Selector{}, fmt.Errorf("not a plain vector selector (found %s); write only a metric name and label matchers, e.g. http_requests_total{job=\"api\"}", describe(expr))
	}
	switch {
	case vs.OriginalOffset != 0 || vs.OriginalOffsetExpr != nil:
		return Selector{}, errors.New("offset modifiers are not allowed: slobudget chooses the evaluation time itself")
	case vs.Timestamp != nil || vs.StartOrEnd != 0:
		return Selector{}, errors.New("@ modifiers are not allowed: slobudget chooses the evaluation time itself")
	case vs.Anchored || vs.Smoothed:
		return Selector{}, errors.New("anchored and smoothed modifiers are not allowed")
	}
	sel := Selector{Name: vs.Name}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual && m.Value == vs.Name && vs.Name != "" {
			continue
		}
		if !model.LegacyValidation.IsValidLabelName(m.Name) {
			return Selector{}, fmt.Errorf("label name %q is not valid in Prometheus 2.x (use letters, digits and underscores)", m.Name)
		}
		sel.Matchers = append(sel.Matchers, Matcher{Name: m.Name, Op: MatchOp(m.Type.String()), Value: m.Value})
	}
	// A name given only as {__name__="x"} is still a name; fold it in so that
	// suffixes can be added.
	if sel.Name == "" {
		for i, m := range sel.Matchers {
			if m.Name == labels.MetricName && m.Op == MatchEqual {
				sel.Name = m.Value
				sel.Matchers = append(sel.Matchers[:i:i], sel.Matchers[i+1:]...)
				break
			}
		}
	}
	if sel.Name != "" && !model.LegacyValidation.IsValidMetricName(sel.Name) {
		return Selector{}, fmt.Errorf("metric name %q is not valid in Prometheus 2.x (use letters, digits, underscores and colons)", sel.Name)
	}
	return sel, nil
}

// String prints the selector as PromQL that parses back to the same selector.
// Matchers keep their order, so the output reads like what the user wrote.
func (s Selector) String() string {
	var b strings.Builder
	b.WriteString(s.Name)
	if len(s.Matchers) > 0 || s.Name == "" {
		b.WriteByte('{')
		for i, m := range s.Matchers {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(m.String())
		}
		b.WriteByte('}')
	}
	return b.String()
}

// WithSuffix returns the selector for the metric named Name+suffix, e.g. the
// `_bucket` series of a histogram. It fails when the selector names no metric.
func (s Selector) WithSuffix(suffix string) (Selector, error) {
	if s.Name == "" {
		return Selector{}, errors.New("selector names no metric, so no suffix can be added")
	}
	name := s.Name + suffix
	if !model.LegacyValidation.IsValidMetricName(name) {
		return Selector{}, fmt.Errorf("metric name %q is not valid", name)
	}
	return Selector{Name: name, Matchers: append([]Matcher(nil), s.Matchers...)}, nil
}

// WithMatcher returns a copy of the selector with m appended.
func (s Selector) WithMatcher(m Matcher) Selector {
	out := Selector{Name: s.Name, Matchers: make([]Matcher, 0, len(s.Matchers)+1)}
	out.Matchers = append(out.Matchers, s.Matchers...)
	out.Matchers = append(out.Matchers, m)
	return out
}

// HasMatcherOn reports whether any matcher is on the label name.
func (s Selector) HasMatcherOn(name string) bool {
	for _, m := range s.Matchers {
		if m.Name == name {
			return true
		}
	}
	return false
}

// describe names the kind of a non-selector expression for error messages.
func describe(expr parser.Expr) string {
	switch e := expr.(type) {
	case *parser.MatrixSelector:
		return "a range selector"
	case *parser.SubqueryExpr:
		return "a subquery"
	case *parser.Call:
		return "a call to " + e.Func.Name + "()"
	case *parser.AggregateExpr:
		return "an aggregation with " + e.Op.String()
	case *parser.BinaryExpr:
		return "a binary expression with " + e.Op.String()
	case *parser.ParenExpr:
		return "a parenthesized expression"
	case *parser.UnaryExpr:
		return "a unary expression"
	case *parser.NumberLiteral:
		return "a number"
	case *parser.StringLiteral:
		return "a string"
	}
	return "a " + string(expr.Type()) + " expression"
}

// parseError shortens the parser's error to its first message; the input is
// already quoted by the caller.
func parseError(err error) error {
	var errs parser.ParseErrors
	if errors.As(err, &errs) && len(errs) > 0 {
		e := errs[0]
		return fmt.Errorf("PromQL parse error at %s: %v", e.PositionRange.StartPosInput(e.Query, e.LineOffset), e.Err)
	}
	return fmt.Errorf("PromQL parse error: %v", err)
}
