package slo

import (
	"fmt"
	"slices"

	"github.com/slobudget/slobudget/internal/promqlparse"
)

// ReducedExpression is an expression SLI whose expressions are sums and
// differences of counter increases: exactly one of Good and Bad is set.
type ReducedExpression struct {
	Good, Bad, Total promqlparse.Counters
}

// Reduced returns the counters an expression SLI's good (or errors) and
// total expressions stand for, so that it can be counted exactly like an
// events SLI. It fails, saying why, for an error ratio, for shapes that do
// not reduce (promqlparse.ReduceCounters) and when the two sides use
// different functions, ranges or grouping (their ratio would then not be a
// ratio of counts).
func (e *ExpressionSLI) Reduced() (ReducedExpression, error) {
	if e.ErrorRatio != "" {
		return ReducedExpression{}, fmt.Errorf("errorRatio is one ratio, not two counts")
	}
	var out ReducedExpression
	side, expr := &out.Good, e.Good
	if e.Errors != "" {
		side, expr = &out.Bad, e.Errors
	}
	var err error
	if *side, err = promqlparse.ReduceCounters(expr); err != nil {
		return ReducedExpression{}, err
	}
	if out.Total, err = promqlparse.ReduceCounters(e.Total); err != nil {
		return ReducedExpression{}, fmt.Errorf("total: %w", err)
	}
	switch {
	case side.Func != out.Total.Func:
		return ReducedExpression{}, fmt.Errorf("uses %s() over %s() for total", side.Func, out.Total.Func)
	case side.Range != out.Total.Range:
		return ReducedExpression{}, fmt.Errorf("uses range %s and %s for total", side.Range, out.Total.Range)
	case !slices.Equal(side.By, out.Total.By):
		return ReducedExpression{}, fmt.Errorf("sums by %v and by %v for total", side.By, out.Total.By)
	}
	return out, nil
}

// Exact reports whether slobudget can count the SLI exactly: every kind
// but an expression that does not reduce to counters.
func (s SLI) Exact() bool {
	if s.Expression == nil {
		return true
	}
	_, err := s.Expression.Reduced()
	return err == nil
}

// ErrorRatioQuery is the PromQL an estimate evaluates: the SLI's error
// ratio over the range r (the window placeholder filled with r). For
// errorRatio it is the expression itself; for errors (or good) with total it
// is errors/total (1 − good/total), each side summed to one series and the
// errors (good) side 0 when it has no series, as Sloth writes `or
// vector(0)`. The daemon and the recording rules both evaluate it, so that
// they estimate the same thing.
func (e *ExpressionSLI) ErrorRatioQuery(r string) string {
	fill := func(s string) string { return promqlparse.FillWindow(s, r) }
	switch {
	case e.ErrorRatio != "":
		return fill(e.ErrorRatio)
	case e.Errors != "":
		return fmt.Sprintf("(sum(%s) or vector(0)) / sum(%s)", fill(e.Errors), fill(e.Total))
	}
	return fmt.Sprintf("1 - (sum(%s) or vector(0)) / sum(%s)", fill(e.Good), fill(e.Total))
}
