package charts

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// SLIBars draws one bar per period (daily SLI, monthly compliance) against
// the objective: green when met, red when missed, grey without traffic.
type SLIBars struct {
	ID string
	// Kind is the data-chart name: "daily-sli" or "monthly-compliance".
	Kind string
	// Title heads the chart ("Daily SLI"); Period names one bar ("day").
	Title, Period string
	Bars          []Bar
	// Objective is a ratio (0.999).
	Objective float64
	Size      Size
	Location  *time.Location
}

// clippedStub is the height in pixels of a bar below the axis' floor.
const clippedStub = 3

// SLIBarChart renders the bars.
func SLIBarChart(c SLIBars) (template.HTML, error) {
	if len(c.Bars) == 0 {
		return "", errors.New("SLI bar chart needs at least one bar")
	}
	if c.Objective <= 0 || c.Objective >= 1 {
		return "", fmt.Errorf("objective %g must be a ratio between 0 and 1", c.Objective)
	}
	if c.Size == (Size{}) {
		c.Size = Large
	}
	if c.Kind == "" {
		c.Kind = "sli-bars"
	}
	f := newFrame(c.Size)
	budget := 1 - c.Objective
	minV := math.Inf(1)
	for _, b := range c.Bars {
		if b.Value != nil {
			minV = math.Min(minV, *b.Value)
		}
	}
	// Zoom on the objective: from two budgets below it, reaching a little
	// below the worst bar so that it still shows, but never more than ten
	// budgets down (a day at 50% would flatten every other bar; it is cut
	// off at the bottom and keeps its true value in the data).
	lo := math.Min(c.Objective-2*budget, minV-0.25*(1-minV))
	lo = math.Max(lo, math.Max(c.Objective-10*budget, 0))
	y := linear{lo, 1, f.y1, f.y0}
	decimals := objectiveDecimals(c.Objective) + 1

	v := f.base(c.ID, c.Kind, c.Title, barsDesc(c, decimals))
	if !f.small {
		for _, g := range []float64{1, lo} {
			v.Grid = append(v.Grid, gridView{X1: px(f.x0), X2: px(f.x1), Y: px(y.at(g)), TX: px(f.x0 - 4), TY: px(y.at(g) + 4), Label: percent(g, decimals)})
		}
	}
	slot := (f.x1 - f.x0) / float64(len(c.Bars))
	clipped := false
	for i, b := range c.Bars {
		bv := barView{Label: b.Label, Start: unix(b.Start), End: unix(b.End), Partial: b.Partial,
			X: px(f.x0 + float64(i)*slot + slot*0.1), W: px(slot * 0.8)}
		switch {
		case b.Value == nil:
			bv.Value, bv.Met, bv.Fill, bv.Hatch = "", "", colourNone, true
			bv.Y, bv.H = px(f.y0), px(f.y1-f.y0)
			bv.Tip = b.Label + ": no traffic"
		default:
			top := y.at(*b.Value)
			if *b.Value < lo {
				// A stub, lower than any bar on the axis.
				clipped, top = true, f.y1-clippedStub
			}
			bv.Value = num(*b.Value)
			bv.Y, bv.H = px(top), px(math.Max(f.y1-top, 1))
			bv.Fill, bv.Met = colourNone, ""
			verdict := ""
			if b.Met != nil {
				bv.Met = strconv.FormatBool(*b.Met)
				bv.Fill, verdict = colourCrit, ", missed"
				if *b.Met {
					bv.Fill, verdict = colourOK, ", met"
				}
			}
			bv.Tip = b.Label + ": " + percent(*b.Value, decimals) + verdict
		}
		if b.Partial {
			bv.Tip += " (partial " + c.Period + ")"
		}
		v.Bars = append(v.Bars, bv)
	}
	ol := lineView{Kind: "objective", Name: "objective", Value: num(c.Objective), X1: px(f.x0), X2: px(f.x1),
		Y: px(y.at(c.Objective)), Stroke: colourInk, Dash: "5 3", Tip: "objective " + percent(c.Objective, decimals-1)}
	if !f.small {
		ol.Label, ol.TX, ol.TY = "objective "+percent(c.Objective, decimals-1), px(f.x1+4), px(y.at(c.Objective)+4)
	}
	v.Lines = append(v.Lines, ol)
	if !f.small {
		v.XLabels = barLabels(c.Bars, f, slot)
	}
	if clipped && !f.small {
		v.Note = "bars below " + percent(lo, decimals) + " are cut off"
		v.NoteX, v.NoteY = px(f.x1), px(f.y0+12)
	}
	return render(v)
}

func barLabels(bars []Bar, f frame, slot float64) []textView {
	y := px(f.y1 + 15)
	idx := []int{0, len(bars) / 2, len(bars) - 1}
	if len(bars) <= 12 {
		idx = idx[:0]
		for i := range bars {
			idx = append(idx, i)
		}
	}
	var out []textView
	seen := map[int]bool{}
	for _, i := range idx {
		if seen[i] {
			continue
		}
		seen[i] = true
		out = append(out, textView{X: px(f.x0 + (float64(i)+0.5)*slot), Y: y, Anchor: "middle", Text: bars[i].Label})
	}
	return out
}

func barsDesc(c SLIBars, decimals int) string {
	var met, missed, idle int
	var worst *Bar
	for i := range c.Bars {
		b := &c.Bars[i]
		switch {
		case b.Value == nil:
			idle++
			continue
		case b.Met != nil && *b.Met:
			met++
		case b.Met != nil:
			missed++
		}
		if worst == nil || *b.Value < *worst.Value {
			worst = b
		}
	}
	var parts []string
	parts = append(parts, fmt.Sprintf("%d met", met), fmt.Sprintf("%d missed", missed))
	if idle > 0 {
		parts = append(parts, fmt.Sprintf("%d without traffic", idle))
	}
	s := fmt.Sprintf("%s against the %s objective, %s: %s", c.Title, percent(c.Objective, decimals-1),
		plural(len(c.Bars), c.Period, c.Period+"s"), strings.Join(parts, ", "))
	if worst != nil {
		s += fmt.Sprintf("; worst %s at %s", worst.Label, percent(*worst.Value, decimals))
	}
	return s + "."
}

// objectiveDecimals counts the decimals of an objective in percent: 1 for
// 99.9%, 2 for 99.95%, 0 for 99%.
func objectiveDecimals(objective float64) int {
	s := strconv.FormatFloat(math.Round(objective*100*1e6)/1e6, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}
