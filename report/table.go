package report

import (
	"io"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// lineWidth is what the default table fits in: a terminal or a printed page.
const lineWidth = 120

// nameWidth caps the SLO column of the default table: a longer name gets a
// line of its own above its figures, so one long name does not push every
// row past lineWidth. Names are never cut: people grep for them.
const nameWidth = 24

// writeTable prints an aligned table for a terminal (headers in capitals, as
// kubectl and promtool do), each SLO's consequence line under its row, then
// the legend and the footnotes.
func writeTable(w io.Writer, results []slo.Result, at time.Time, wide bool) error {
	var b strings.Builder
	b.WriteString(reportTitle(at) + "\n\n")
	if len(results) == 0 {
		b.WriteString("No SLOs.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	cols := columnsFor(wide)
	rows := make([]row, len(results))
	cells := make([][]string, len(results))
	for i, r := range results {
		rows[i] = newRow(r, at)
		for _, c := range cols {
			cells[i] = append(cells[i], c.cell(rows[i]))
		}
	}
	widths := make([]int, len(cols))
	for j, c := range cols {
		widths[j] = len(c.header)
		for i := range cells {
			if j == 0 && !wide && len(cells[i][0]) > nameWidth {
				continue // printed on a line of its own
			}
			widths[j] = max(widths[j], len(cells[i][j]))
		}
	}
	headers := make([]string, len(cols))
	for j, c := range cols {
		headers[j] = c.header
	}
	b.WriteString(padCells(headers, widths) + "\n")
	for i := range rows {
		line := cells[i]
		if len(line[0]) > widths[0] {
			b.WriteString(line[0] + "\n")
			line = append([]string{""}, line[1:]...)
		}
		b.WriteString(padCells(line, widths) + "\n")
		for _, l := range wrap(rows[i].line, lineWidth, "    ", "      ") {
			b.WriteString(l + "\n")
		}
		for _, u := range rows[i].under {
			for _, l := range wrap(u, lineWidth, "    ", "      ") {
				b.WriteString(l + "\n")
			}
		}
	}

	b.WriteString("\n")
	termWidth := 0
	for _, l := range legend {
		termWidth = max(termWidth, len(l[0]))
	}
	for i, l := range legend {
		lead := "Legend: "
		if i > 0 {
			lead = strings.Repeat(" ", len(lead))
		}
		first := lead + l[0] + strings.Repeat(" ", termWidth-len(l[0])+2)
		for _, s := range wrap(l[1], lineWidth, first, strings.Repeat(" ", len(first))) {
			b.WriteString(s + "\n")
		}
	}
	firstNote := true
	for _, r := range rows {
		for _, f := range r.footnotes {
			if firstNote {
				b.WriteString("\n")
				firstNote = false
			}
			for _, s := range wrap(r.name+": "+f, lineWidth, "", "    ") {
				b.WriteString(s + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// padCells joins cells padded to their column's width, two spaces apart,
// without trailing blanks.
func padCells(cells []string, widths []int) string {
	var b strings.Builder
	for j, c := range cells {
		b.WriteString(c)
		if j < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", widths[j]-len(c)+2))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// wrap breaks text at spaces into lines of at most width characters, the
// first starting with first and the rest with rest. A word longer than a
// line (a URL, a selector without spaces) stands on a line of its own.
func wrap(text string, width int, first, rest string) []string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return nil
	}
	var lines []string
	cur := first + words[0]
	for _, word := range words[1:] {
		if len(cur)+1+len(word) > width {
			lines = append(lines, cur)
			cur = rest + word
			continue
		}
		cur += " " + word
	}
	return append(lines, cur)
}
