package slo

import (
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// TestErrorRatioQuery: the ratio an estimate evaluates, per form, with the
// window filled, and valid PromQL.
func TestErrorRatioQuery(t *testing.T) {
	for _, c := range []struct {
		e    ExpressionSLI
		want string
	}{
		{ExpressionSLI{ErrorRatio: "slo:err:ratio_rate{{.window}}"}, "slo:err:ratio_rate1h"},
		{ExpressionSLI{Errors: "max_over_time(x[{{ .window }}:1m])", Total: "y"}, "(sum(max_over_time(x[1h:1m])) or vector(0)) / sum(y)"},
		{ExpressionSLI{Good: "a", Total: "histogram_count(rate(b[{{.window}}]))"}, "1 - (sum(a) or vector(0)) / sum(histogram_count(rate(b[1h])))"},
	} {
		got := c.e.ErrorRatioQuery("1h")
		if got != c.want {
			t.Errorf("%+v: %s, want %s", c.e, got, c.want)
		}
		if _, err := parser.ParseExpr(got); err != nil {
			t.Errorf("%s: %v", got, err)
		}
	}
}
