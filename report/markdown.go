package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// writeMarkdown prints a GitHub-flavoured table to paste into a document,
// with a short legend so that a reader who never saw the tool can follow it.
func writeMarkdown(w io.Writer, results []slo.Result, at time.Time) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", reportTitle(at))
	if len(results) == 0 {
		b.WriteString("No SLOs.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString(mdLine(headers))
	sep := make([]string, len(headers))
	for i := range sep {
		sep[i] = "---"
	}
	b.WriteString(mdLine(sep))
	rows := make([]row, len(results))
	for i, r := range results {
		rows[i] = newRow(r, at)
		cells := rows[i].cells()
		for j, c := range cells {
			c = mdEscape(c)
			// Bold what needs a decision: a freeze, stale or missing numbers.
			if c == "FREEZE" || c == statusStale || c == statusNoData {
				c = "**" + c + "**"
			}
			cells[j] = c
		}
		b.WriteString(mdRow(cells))
	}
	b.WriteString("\nBudget left: share of the window's error budget not yet spent; outage time: how long a full " +
		"outage the remaining budget absorbs. A burn rate of 1 spends the budget exactly over the window; " +
		"\"-\" means no traffic in that window.\n")
	first := true
	for _, r := range rows {
		for _, f := range r.footnotes {
			if first {
				b.WriteString("\n")
				first = false
			}
			fmt.Fprintf(&b, "- **%s**: %s\n", mdEscape(r.name), mdEscape(f))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdLine escapes cells and joins them into a table line.
func mdLine(cells []string) string {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = mdEscape(c)
	}
	return mdRow(esc)
}

// mdRow joins cells that are already markdown.
func mdRow(cells []string) string { return "| " + strings.Join(cells, " | ") + " |\n" }

// mdEscape keeps user text (error messages quote PromQL such as
// code=~"5..|429") from splitting a table cell or turning into markup.
var mdEscaper = strings.NewReplacer(
	"|", `\|`, "\n", " ", "\r", "", "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;",
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }
