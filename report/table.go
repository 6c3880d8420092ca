package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// writeTable prints an aligned table for a terminal, headers in capitals as
// kubectl and promtool do, then one line per footnote under it.
func writeTable(w io.Writer, results []slo.Result, at time.Time) error {
	if _, err := fmt.Fprintf(w, "%s\n\n", reportTitle(at)); err != nil {
		return err
	}
	if len(results) == 0 {
		_, err := fmt.Fprintln(w, "No SLOs.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	upper := make([]string, len(headers))
	for i, h := range headers {
		upper[i] = strings.ToUpper(h)
	}
	fmt.Fprintln(tw, strings.Join(upper, "\t"))
	rows := make([]row, len(results))
	for i, r := range results {
		rows[i] = newRow(r, at)
		fmt.Fprintln(tw, strings.Join(rows[i].cells(), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	first := true
	for _, r := range rows {
		for _, f := range r.footnotes {
			if first {
				fmt.Fprintln(w)
				first = false
			}
			if _, err := fmt.Fprintf(w, "%s: %s\n", r.name, f); err != nil {
				return err
			}
		}
	}
	return nil
}
