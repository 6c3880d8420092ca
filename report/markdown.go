package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// writeMarkdown prints a GitHub-flavoured table to paste into a planning
// document, each SLO's consequence, a legend so that a reader who never saw
// the tool can follow it, and the footnotes.
func writeMarkdown(w io.Writer, results []slo.Result, at time.Time, wide bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", reportTitle(at))
	if len(results) == 0 {
		b.WriteString("No SLOs.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	cols := columnsFor(wide)
	var headers, sep []string
	for _, c := range cols {
		headers = append(headers, mdEscape(c.header))
		sep = append(sep, "---")
	}
	b.WriteString(mdRow(headers))
	b.WriteString(mdRow(sep))
	rows := make([]row, len(results))
	for i, r := range results {
		rows[i] = newRow(r, at)
		var cells []string
		for _, c := range cols {
			cells = append(cells, mdCell(c.cell(rows[i])))
		}
		b.WriteString(mdRow(cells))
	}
	b.WriteString("\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "- **%s**: %s\n", mdEscape(r.name), mdEscape(r.line))
		for _, u := range r.under {
			fmt.Fprintf(&b, "  - %s\n", mdEscape(u))
		}
	}
	b.WriteString("\nLegend:\n\n")
	for _, l := range legend {
		fmt.Fprintf(&b, "- %s: %s\n", mdEscape(l[0]), mdEscape(l[1]))
	}
	first := true
	for _, r := range rows {
		for _, f := range r.footnotes {
			if first {
				b.WriteString("\nNotes:\n\n")
				first = false
			}
			fmt.Fprintf(&b, "- **%s**: %s\n", mdEscape(r.name), mdEscape(f))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell escapes a cell and bolds what needs a decision or distrust: a
// freeze, and numbers that are stale, missing or failed.
func mdCell(c string) string {
	for _, loud := range []string{"FREEZE", dataStale, dataNoData, dataFailed} {
		if c == loud {
			return "**" + c + "**"
		}
	}
	if strings.HasSuffix(c, " FREEZE") {
		return mdEscape(strings.TrimSuffix(c, " FREEZE")) + " **FREEZE**"
	}
	return mdEscape(c)
}

// mdRow joins cells that are already markdown.
func mdRow(cells []string) string { return "| " + strings.Join(cells, " | ") + " |\n" }

// mdEscape keeps user text (error messages quote PromQL such as
// code=~"5..|429") from splitting a table cell or turning into markup.
var mdEscaper = strings.NewReplacer(
	"|", `\|`, "\n", " ", "\r", "", "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;",
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }
