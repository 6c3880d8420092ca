package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// WhatIf names the other target a what-if report judges the same counts
// under (--what-if.objective, --what-if.window); its figures are evaluated by
// the engine like the real ones, so budget, state, freeze and forecast follow
// the same rules.
type WhatIf struct {
	// ObjectivePercent is the other objective (99.5); 0 kept the SLO's.
	ObjectivePercent float64 `json:"objectivePercent,omitempty"`
	// Window is the other rolling window's label (28d); "" kept the SLO's.
	Window string `json:"window,omitempty"`
	// SLOs are the results under the other target, worst first.
	SLOs []slo.Result `json:"slos"`
}

// whatIfColumns are the figures that change with the target, side by side.
var whatIfColumns = []string{"SLO", "TARGET", "OBJECTIVE", "WINDOW", "BUDGET LEFT", "OUTAGE TIME", "STATE", "FREEZE", "RUNS OUT"}

// WriteWhatIf renders the real report and, below it (in JSON: next to it, as
// "whatIf"), each SLO's real figures beside those under the other target.
func WriteWhatIf(w io.Writer, actual []slo.Result, wi WhatIf, at time.Time, o Options) error {
	wi.SLOs = slices.Clone(wi.SLOs)
	slo.SortWorstFirst(wi.SLOs)
	format := cmp.Or(o.Format, "table")
	var buf bytes.Buffer
	if format == "json" {
		sorted := slices.Clone(actual)
		slo.SortWorstFirst(sorted)
		if sorted == nil {
			sorted = []slo.Result{}
		}
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(struct {
			SLOs   []slo.Result `json:"slos"`
			WhatIf WhatIf       `json:"whatIf"`
		}{sorted, wi}); err != nil {
			return fmt.Errorf("rendering json what-if report: %w", err)
		}
	} else {
		if err := Write(&buf, actual, at, o); err != nil {
			return err
		}
		byName := map[string]slo.Result{}
		for _, r := range actual {
			byName[r.Name] = r
		}
		var rows [][]string
		for _, r := range wi.SLOs {
			if real, ok := byName[r.Name]; ok {
				rows = append(rows, whatIfCells(real, "actual", at))
			}
			rows = append(rows, whatIfCells(r, "what-if", at))
		}
		title := "What-if: the same events under " + wi.target()
		if format == "markdown" {
			fmt.Fprintf(&buf, "\n### %s\n\n", title)
			buf.WriteString(mdRow(whatIfColumns))
			buf.WriteString(mdRow(slices.Repeat([]string{"---"}, len(whatIfColumns))))
			for _, cells := range rows {
				for i := range cells {
					cells[i] = mdCell(cells[i])
				}
				buf.WriteString(mdRow(cells))
			}
		} else {
			fmt.Fprintf(&buf, "\n%s\n\n", title)
			widths := make([]int, len(whatIfColumns))
			for _, cells := range append([][]string{whatIfColumns}, rows...) {
				for i, c := range cells {
					widths[i] = max(widths[i], len(c))
				}
			}
			buf.WriteString(padCells(whatIfColumns, widths) + "\n")
			for _, cells := range rows {
				buf.WriteString(padCells(cells, widths) + "\n")
			}
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing %s what-if report: %w", format, err)
	}
	return nil
}

func (wi WhatIf) target() string {
	var parts []string
	if wi.ObjectivePercent != 0 {
		parts = append(parts, "a "+objectivePercent(wi.ObjectivePercent/100)+"% objective")
	}
	if wi.Window != "" {
		parts = append(parts, "a "+wi.Window+" rolling window")
	}
	return strings.Join(parts, " and ")
}

func whatIfCells(r slo.Result, target string, at time.Time) []string {
	w := newRow(r, at)
	if !r.HasNumbers() {
		return []string{w.name, target, w.objective, w.window, w.data, w.data, w.data, w.data, w.data}
	}
	return []string{w.name, target, w.objective, w.window, w.budget, w.outage, w.state, w.freeze, w.runsOut}
}
