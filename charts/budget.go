package charts

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

// Budget is the burn-down: the error budget remaining over the SLO window,
// with the policy's thresholds as lines. Small draws the status page's row
// picture; otherwise pages that would have fired are shaded and incidents
// marked.
type Budget struct {
	// ID is unique in the page; the chart's element ids start with it.
	ID string
	// Window names the SLO window in the title ("30d").
	Window string
	// Points are the remaining budget (a ratio, negative when overspent)
	// over time, in time order.
	Points []Point
	// Thresholds are the policy's state thresholds (e.g. healthy 0.5).
	Thresholds []Line
	Spans      []Span
	Marks      []Mark
	Size       Size
	// From and To bound the time axis; zero means the points' extent.
	From, To time.Time
	// Location spells times in the text; nil is UTC.
	Location *time.Location
}

// lowestBudget is how far below zero the axis reaches: a budget overspent
// tenfold would flatten the rest of the line, so lower values are drawn at
// the bottom edge (their data attributes keep the true value).
const lowestBudget = -1.0

// BudgetChart renders the burn-down.
func BudgetChart(c Budget) (template.HTML, error) {
	if len(c.Points) == 0 {
		return "", errors.New("budget chart needs at least one point")
	}
	if c.Size == (Size{}) {
		c.Size = Large
	}
	from, to := extent(c.Points, c.From, c.To)
	f := newFrame(c.Size)
	x := newTimeAxis(f, from, to)
	lo, hi, minV, maxV := 0.0, 1.0, math.Inf(1), math.Inf(-1)
	for _, p := range c.Points {
		minV, maxV = math.Min(minV, p.Value), math.Max(maxV, p.Value)
	}
	lo = math.Max(math.Min(lo, minV), lowestBudget)
	hi = math.Max(hi, maxV)
	y := linear{lo, hi, f.y1, f.y0}

	v := f.base(c.ID, "budget", "Error budget remaining over the "+c.Window+" window", budgetDesc(c, from, to, minV))
	if !f.small {
		ticks := []float64{1, 0.5, 0}
		if lo < 0 {
			ticks = append(ticks, lo)
		}
		for _, g := range ticks {
			v.Grid = append(v.Grid, gridView{X1: px(f.x0), X2: px(f.x1), Y: px(y.at(g)), TX: px(f.x0 - 4), TY: px(y.at(g) + 4), Label: percent(g, 0)})
		}
		v.Spans = spansView(c.Spans, x, f)
		v.Marks = marksView(c.Marks, x, f)
		v.XLabels = timeLabels(f, x, c.Location)
	}
	for _, t := range c.Thresholds {
		lv := lineView{Kind: "threshold", Name: t.Name, Value: num(t.Value), X1: px(f.x0), X2: px(f.x1), Y: px(y.at(t.Value)),
			Stroke: thresholdColour(t.Value), Dash: "4 3", Tip: t.Name + " from " + percent(t.Value, 1) + " left"}
		if !f.small {
			lv.Label, lv.TX, lv.TY = t.Name+" "+percent(t.Value, 1), px(f.x1+4), px(y.at(t.Value)+4)
		}
		v.Lines = append(v.Lines, lv)
	}
	width := "2"
	if f.small {
		width = "1.5"
	}
	v.Series = append(v.Series, seriesView{Name: "remaining", Data: seriesData(c.Points), Points: polyPoints(c.Points, x, y),
		Stroke: colourInk, Width: width, Tip: "budget remaining"})
	if minV < lowestBudget {
		v.Note = "below " + percent(lowestBudget, 0) + " drawn at the bottom"
		v.NoteX, v.NoteY = px(f.x1), px(f.y1-4)
		if f.small {
			v.Note = ""
		}
	}
	return render(v)
}

func thresholdColour(v float64) string {
	switch {
	case v >= 0.5:
		return colourOK
	case v >= 0.25:
		return colourWarn
	case v >= 0:
		return colourBad
	}
	return colourCrit
}

func budgetDesc(c Budget, from, to time.Time, minV float64) string {
	first, last := c.Points[0], c.Points[len(c.Points)-1]
	low := c.Points[0]
	for _, p := range c.Points {
		if p.Value < low.Value {
			low = p
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Error budget remaining over the %s window, %s to %s (%s): %s at the start, %s at the end",
		c.Window, when(from, c.Location), when(to, c.Location), zoneName(c.Location),
		percent(first.Value, 1), percent(last.Value, 1))
	if low.Value < math.Min(first.Value, last.Value) {
		fmt.Fprintf(&b, ", lowest %s on %s", percent(low.Value, 1), when(low.At, c.Location))
	}
	b.WriteString(".")
	if len(c.Thresholds) > 0 {
		parts := make([]string, len(c.Thresholds))
		for i, t := range c.Thresholds {
			parts[i] = t.Name + " from " + percent(t.Value, 1)
		}
		b.WriteString(" Policy thresholds: " + strings.Join(parts, ", ") + ".")
	}
	if n := len(c.Spans); n > 0 && c.Size.Height >= 100 {
		fmt.Fprintf(&b, " %s where a page would have fired shaded.", plural(n, "stretch", "stretches"))
	}
	if n := len(c.Marks); n > 0 && c.Size.Height >= 100 {
		fmt.Fprintf(&b, " %s marked.", plural(n, "incident", "incidents"))
	}
	return b.String()
}

func extent(pts []Point, from, to time.Time) (time.Time, time.Time) {
	if from.IsZero() {
		from = pts[0].At
	}
	if to.IsZero() {
		to = pts[len(pts)-1].At
	}
	return from, to
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
