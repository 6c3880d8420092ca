package promqlparse

import (
	"strings"
	"testing"
)

func TestParseCondition(t *testing.T) {
	cases := []struct {
		in        string
		sel       string
		op        string
		threshold float64
	}{
		{`pipeline_lag_seconds{pipeline="orders"} < 900`, `pipeline_lag_seconds{pipeline="orders"}`, "<", 900},
		{`queue_depth <= 1e3`, `queue_depth`, "<=", 1000},
		{`temp > -5`, `temp`, ">", -5},
		{`(up == 1)`, `up`, "==", 1},
		{`up != (0)`, `up`, "!=", 0},
		{`x >= 0.25`, `x`, ">=", 0.25},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseCondition(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Selector.String() != c.sel || got.Op != c.op || got.Threshold != c.threshold {
				t.Fatalf("got %s %s %v, want %s %s %v", got.Selector, got.Op, got.Threshold, c.sel, c.op, c.threshold)
			}
			// The printed condition must parse back to the same thing.
			again, err := ParseCondition(got.String())
			if err != nil || again.String() != got.String() {
				t.Fatalf("round trip of %q: %q, %v", got.String(), again.String(), err)
			}
		})
	}
}

func TestParseConditionRejects(t *testing.T) {
	cases := []struct{ in, wantErr string }{
		{`x`, "not a comparison"},
		{`x + 1`, "not a comparison"},
		{`x < bool 5`, "bool modifier"},
		{`x < y`, "not a number"},
		{`5 > x`, "left side"},
		{`rate(x[5m]) < 1`, "left side"},
		{`x offset 5m < 1`, "offset"},
		{`x < Inf`, "finite"},
		{`x < NaN`, "finite"},
		{`x <`, "parse error"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := ParseCondition(c.in)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}
