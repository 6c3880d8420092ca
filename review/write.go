package review

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Formats lists the values of --format, the first being the default.
var Formats = []string{"table", "markdown", "json", "html"}

// Write renders the review in one of Formats.
func Write(w io.Writer, format string, rv *Review) error {
	switch format {
	case "", "table":
		return writeTable(w, buildView(rv))
	case "markdown":
		return writeMarkdown(w, buildView(rv))
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rv)
	case "html":
		return writeHTML(w, rv)
	}
	return fmt.Errorf("unknown review format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// tableWidth is what the plain table fits in (issue 7: 120 columns).
const tableWidth = 120

// labelWidth is the width of the label column of an SLO's block.
const labelWidth = 16

func writeTable(out io.Writer, v reviewView) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s\n\n", v.Title, v.Period)

	b.WriteString("PORTFOLIO\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "  month\tSLOs met\tcompliance")
	partial := false
	for _, m := range v.Portfolio.Months {
		star := ""
		if m.Partial {
			star, partial = "*", true
		}
		fmt.Fprintf(tw, "  %s%s\t%s\t%s\n", m.Month, star, m.Met, m.Compliance)
	}
	tw.Flush()
	if partial {
		b.WriteString("  * partial month: not the whole month lies in the period\n")
	}
	table(&b, "worst burners", strings.Join(v.Portfolio.WorstBurners, "\n"))
	block(&b, "freeze days", v.Portfolio.FreezeDays)

	for _, s := range v.SLOs {
		fmt.Fprintf(&b, "\n%s (%s) · %s\n", s.Name, s.Service, s.Heading)
		figuresTable(&b, s.Figures)
		if s.WhatIf != nil {
			var cb strings.Builder
			ctw := tabwriter.NewWriter(&cb, 0, 0, 3, ' ', 0)
			fmt.Fprintln(ctw, "figure\tactual\twhat-if")
			for _, r := range s.Compare {
				fmt.Fprintf(ctw, "%s\t%s\t%s\n", r.Figure, r.Actual, r.WhatIf)
			}
			ctw.Flush()
			table(&b, "what-if", strings.TrimRight(cb.String(), "\n"))
			block(&b, "what-if says", s.WhatIf.Verdict)
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

func figuresTable(b *strings.Builder, f figuresView) {
	block(b, "achieved", f.Achieved)
	var mb strings.Builder
	mtw := tabwriter.NewWriter(&mb, 0, 0, 2, ' ', 0)
	for _, m := range f.Months {
		star := ""
		if m.Partial {
			star = "*"
		}
		fmt.Fprintf(mtw, "%s%s\t%s\t%s\t%s spent\n", m.Label, star, m.SLI, m.Met, m.Spent)
	}
	mtw.Flush()
	table(b, "months", strings.TrimRight(mb.String(), "\n"))
	block(b, "worst month", f.Worst)
	block(b, "policy time", f.PolicyTime)
	block(b, "frozen days", f.FrozenDays)
	block(b, "on-call", f.OnCall)
	inc := f.Incidents
	if len(f.List) > 0 {
		var ib strings.Builder
		itw := tabwriter.NewWriter(&ib, 0, 0, 2, ' ', 0)
		for _, i := range f.List {
			flag := ""
			if i.Postmortem {
				flag = "POSTMORTEM"
			}
			if i.Active {
				flag = strings.TrimSpace(flag + " IN PROGRESS")
			}
			fmt.Fprintf(itw, "%s\t%s\t%s\t%s of the budget\tpeak burn %s\t%s\n", i.Start, i.Duration, i.Bad, i.Share, i.Peak, flag)
		}
		itw.Flush()
		block(b, "incidents", inc)
		table(b, "", strings.TrimRight(ib.String(), "\n"))
	} else {
		block(b, "incidents", inc)
	}
	block(b, "suggested", f.Suggested)
	block(b, "verdict", f.Verdict)
	for _, n := range f.Notes {
		block(b, "note", n)
	}
}

// block writes a label and its value, the value's lines wrapped to the
// table's width and indented under the value column.
func block(b *strings.Builder, label, value string) {
	indent := strings.Repeat(" ", labelWidth)
	first := true
	for _, line := range strings.Split(value, "\n") {
		for _, l := range wrap(line, tableWidth-labelWidth) {
			if first {
				fmt.Fprintf(b, "  %-*s%s\n", labelWidth-2, label, l)
				first = false
				continue
			}
			b.WriteString(indent + l + "\n")
		}
	}
}

// table writes a label and lines already laid out in columns, unwrapped,
// each with trailing padding removed.
func table(b *strings.Builder, label, lines string) {
	for i, l := range strings.Split(lines, "\n") {
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(b, "  %-*s%s\n", labelWidth-2, label, strings.TrimRight(l, " "))
	}
}

// wrap breaks a line at spaces so no piece is wider than width (a single
// longer word stays whole).
func wrap(line string, width int) []string {
	if len([]rune(line)) <= width {
		return []string{line}
	}
	var out []string
	var cur []string
	n := 0
	for _, w := range strings.Fields(line) {
		l := len([]rune(w))
		if n > 0 && n+1+l > width {
			out = append(out, strings.Join(cur, " "))
			cur, n = nil, 0
		}
		if n > 0 {
			n++
		}
		cur = append(cur, w)
		n += l
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

var mdEscaper = strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;")

func md(s string) string { return mdEscaper.Replace(s) }

func mdRow(cells ...string) string {
	for i, c := range cells {
		cells[i] = md(c)
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

func writeMarkdown(out io.Writer, v reviewView) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n## Portfolio\n\n", v.Title, md(v.Period))
	b.WriteString("| month | SLOs met | compliance |\n| --- | --- | --- |\n")
	for _, m := range v.Portfolio.Months {
		label := m.Month
		if m.Partial {
			label += " (partial)"
		}
		b.WriteString(mdRow(label, m.Met, m.Compliance))
	}
	b.WriteString("\n**Worst burners:**\n\n")
	for _, w := range v.Portfolio.WorstBurners {
		b.WriteString("- " + md(w) + "\n")
	}
	fmt.Fprintf(&b, "\n**Freeze days:** %s\n", md(v.Portfolio.FreezeDays))
	for _, s := range v.SLOs {
		fmt.Fprintf(&b, "\n## %s (%s) · %s\n\n", md(s.Name), md(s.Service), md(s.Heading))
		if s.Description != "" {
			b.WriteString(md(s.Description) + "\n\n")
		}
		figuresMarkdown(&b, s.Figures)
		if s.WhatIf != nil {
			b.WriteString("\n### What-if\n\n| figure | actual | what-if |\n| --- | --- | --- |\n")
			for _, r := range s.Compare {
				b.WriteString(mdRow(r.Figure, r.Actual, r.WhatIf))
			}
			b.WriteString("\n" + md(s.WhatIf.Verdict) + "\n")
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

func figuresMarkdown(b *strings.Builder, f figuresView) {
	fmt.Fprintf(b, "- **Achieved:** %s\n- **Worst month:** %s\n- **Policy time:** %s\n- **Frozen days:** %s\n- **On-call:** %s\n- **Incidents:** %s\n- **Suggested objective:** %s\n- **Verdict:** %s\n",
		md(f.Achieved), md(f.Worst), md(f.PolicyTime), md(f.FrozenDays), md(f.OnCall), md(f.Incidents), md(f.Suggested), md(f.Verdict))
	for _, n := range f.Notes {
		b.WriteString("- **Note:** " + md(n) + "\n")
	}
	b.WriteString("\n| month | SLI | met | budget spent |\n| --- | --- | --- | --- |\n")
	for _, m := range f.Months {
		label := m.Label
		if m.Partial {
			label += " (partial)"
		}
		b.WriteString(mdRow(label, m.SLI, m.Met, m.Spent))
	}
	if len(f.List) > 0 {
		b.WriteString("\n| incident start | duration | events | budget share | peak burn | postmortem |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, i := range f.List {
			pm := "no"
			if i.Postmortem {
				pm = "**yes**"
			}
			if i.Active {
				pm += " (in progress)"
			}
			// The last cell is written as Markdown, the others escaped.
			b.WriteString(strings.TrimSuffix(mdRow(i.Start, i.Duration, i.Bad, i.Share, i.Peak), "\n") + " " + pm + " |\n")
		}
	}
}
