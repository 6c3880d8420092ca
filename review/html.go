package review

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/slobudget/slobudget/charts"
	"github.com/slobudget/slobudget/slo"
)

//go:embed review.html.tmpl
var reviewHTML string

//go:embed review.css
var reviewCSS string

var reviewTemplate = template.Must(template.New("review").Parse(reviewHTML))

type htmlPage struct {
	reviewView
	CSS  template.CSS
	SLOs []htmlSLO
}

type htmlSLO struct {
	sloView
	Charts htmlCharts
}

type htmlCharts struct {
	Months, Budget, WhatIfMonths, WhatIfBudget template.HTML
}

// writeHTML renders a page that prints one SLO per page section, with the
// monthly compliance bars and the burn-down of the replayed window budget.
func writeHTML(w io.Writer, rv *Review) error {
	loc, err := time.LoadLocation(rv.Location)
	if err != nil {
		loc = time.UTC
	}
	v := buildView(rv)
	page := htmlPage{reviewView: v, CSS: template.CSS(reviewCSS)}
	for i, s := range v.SLOs {
		hs := htmlSLO{sloView: s}
		r := rv.SLOs[i]
		if hs.Charts.Months, hs.Charts.Budget, err = figureCharts(s.Anchor, r.Actual, loc, rv.From, rv.To); err != nil {
			return fmt.Errorf("slo %q: %w", r.Name, err)
		}
		if r.WhatIf != nil {
			if hs.Charts.WhatIfMonths, hs.Charts.WhatIfBudget, err = figureCharts(s.Anchor+"-what-if", *r.WhatIf, loc, rv.From, rv.To); err != nil {
				return fmt.Errorf("slo %q, what-if: %w", r.Name, err)
			}
		}
		page.SLOs = append(page.SLOs, hs)
	}
	var buf bytes.Buffer
	if err := reviewTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("rendering the review: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func figureCharts(id string, f Figures, loc *time.Location, from, to time.Time) (months, budget template.HTML, err error) {
	var bars []charts.Bar
	for _, m := range f.Months {
		bars = append(bars, charts.Bar{Label: m.Label, Start: m.Start, End: m.End, Value: m.SLI, Met: m.Met, Partial: !m.Full})
	}
	if len(bars) > 0 {
		months, err = charts.SLIBarChart(charts.SLIBars{ID: id + "-months", Kind: "monthly-compliance", Title: "Monthly compliance",
			Period: "month", Bars: bars, Objective: f.Objective, Location: loc})
		if err != nil {
			return "", "", err
		}
	}
	if len(f.remaining) > 0 {
		p := slo.Policy{States: f.thresholds}
		budget, err = charts.BudgetChart(charts.Budget{ID: id + "-budget", Window: f.Window, Points: charts.Points(f.remaining),
			Thresholds: charts.PolicyThresholds(&p), Spans: charts.PageSpans(f.pageSpans), Marks: charts.IncidentMarks(f.Incidents, loc),
			From: from, To: to, Location: loc})
		if err != nil {
			return "", "", err
		}
	}
	return months, budget, nil
}
