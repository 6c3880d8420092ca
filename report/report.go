// Package report renders evaluated SLOs for people (an aligned terminal table
// that fits 120 columns, a GitHub markdown table) and for programs (the JSON
// API's shape), worst first in the order of slo.WorstFirst.
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

// Formats are the accepted values of Options.Format, in the order a --format
// flag should list them.
var Formats = []string{"table", "markdown", "json"}

// Options selects how Write renders.
type Options struct {
	// Format is one of Formats; "" means table.
	Format string
	// Wide shows every column in the table and markdown formats instead of
	// the 120-column selection.
	Wide bool
}

// Write renders results evaluated at at, worst first (slo.WorstFirst: no
// data, then failed or stale, then paging, then by budget left). Nothing is
// written if rendering fails.
func Write(w io.Writer, results []slo.Result, at time.Time, o Options) error {
	sorted := slices.Clone(results)
	slo.SortWorstFirst(sorted)
	format := cmp.Or(o.Format, "table")
	var buf bytes.Buffer
	var err error
	switch format {
	case "table":
		err = writeTable(&buf, sorted, at, o.Wide)
	case "markdown":
		err = writeMarkdown(&buf, sorted, at, o.Wide)
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

// Verdict is one line about one SLO, for a release gate or a chat message:
// its name, what the numbers are worth when not fresh, the budget left and
// the consequence line, e.g. "checkout-availability: frozen, -20.0% budget
// left (overspent by 1h 21m of 6h 43m); feature releases frozen: ...".
func Verdict(r slo.Result, at time.Time) string {
	w := newRow(r, at)
	if !r.HasNumbers() {
		return w.name + ": " + w.line
	}
	head := w.name + ": " + r.PolicyState
	if r.FeatureFreeze {
		head += " (FREEZE)"
	}
	head += ", " + w.budget + " budget left (" + w.outage + ")" + excludedNote(r)
	return head + "; " + w.line
}

func reportTitle(at time.Time) string {
	return "SLO error budgets at " + at.UTC().Format(time.RFC3339)
}
