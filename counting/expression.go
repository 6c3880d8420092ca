package counting

import (
	"fmt"

	"github.com/slobudget/slobudget/slo"
)

// term is one stream of a side (good, bad or total) with its sign.
type term struct {
	s    *Stream
	sign float64 // +1 or -1
}

// terms is a signed sum of streams.
type terms []term

// addExpression reads an expression SLI that reduces to counters: every
// counter term of each side becomes a unit of its own, counted with the same
// reset and bad-sample rules as an events SLI, and a side is the signed sum
// of its terms' increases. Summing the increases of A and B is the increase
// of A + B; the function (rate or increase), its range and any `by` grouping
// of the expression do not change how many events a window holds, so they
// are not needed here. The total's first term is positive (ReduceCounters
// puts the terms in written order, and a leading minus does not reduce), so
// units[0], whose samples decide coverage and "no data", is a counter of the
// total.
//
// An expression that does not reduce is an estimate Prometheus evaluates,
// which a Counter does not do.
func (c *Counter) addExpression(e *slo.ExpressionSLI) error {
	red, err := e.Reduced()
	if err != nil {
		return fmt.Errorf("expression SLI does not reduce to counters (%v): it cannot be counted exactly", err)
	}
	for _, t := range red.Total.Terms {
		c.total = c.addCounter(t.Selector.String(), float64(t.Sign), c.total, func(x *excludedStreams) *terms { return &x.total })
	}
	if c.total[0].sign < 0 {
		return fmt.Errorf("internal: total %s starts with a negative term", red.Total)
	}
	good := red.Good.Terms != nil
	side := red.Bad.Terms
	if good {
		side = red.Good.Terms
	}
	slot := func(x *excludedStreams) *terms { return &x.bad }
	if good {
		slot = func(x *excludedStreams) *terms { return &x.good }
	}
	var out terms
	for _, t := range side {
		out = c.addCounter(t.Selector.String(), float64(t.Sign), out, slot)
	}
	if good {
		c.good = out
	} else {
		c.bad = out
	}
	return nil
}
