// Package report renders evaluated SLOs for people (an aligned terminal table,
// a GitHub markdown table) and for programs (the JSON API's shape).
package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Formats are the accepted values of Write's format, in the order a --format
// flag should list them.
var Formats = []string{"table", "markdown", "json"}

// Write renders results evaluated at at in the given format. SLOs come worst
// budget first: those never evaluated (nothing is known about them), then by
// remaining budget, lowest first. Nothing is written if rendering fails.
func Write(w io.Writer, format string, results []slo.Result, at time.Time) error {
	sorted := sortWorstFirst(results)
	var buf bytes.Buffer
	var err error
	switch format {
	case "table":
		err = writeTable(&buf, sorted, at)
	case "markdown":
		err = writeMarkdown(&buf, sorted, at)
	case "json":
		err = writeJSON(&buf, sorted)
	default:
		return fmt.Errorf("unknown report format %q (want one of: %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("rendering %s report: %w", format, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing %s report: %w", format, err)
	}
	return nil
}

// sortWorstFirst returns a sorted copy; the caller's slice keeps its order.
func sortWorstFirst(results []slo.Result) []slo.Result {
	out := slices.Clone(results)
	slices.SortStableFunc(out, func(a, b slo.Result) int {
		if an, bn := a.EvaluatedAt.IsZero(), b.EvaluatedAt.IsZero(); an != bn {
			if an {
				return -1
			}
			return 1
		} else if !an {
			if c := cmp.Compare(a.BudgetRemaining, b.BudgetRemaining); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Service, b.Service))
	})
	return out
}

func reportTitle(at time.Time) string {
	return "SLO error budgets at " + at.UTC().Format(time.RFC3339)
}
