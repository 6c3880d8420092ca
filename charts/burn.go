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

// BurnSeries is the burn rate over one window through time, with the alert
// factor that window is compared with.
type BurnSeries struct {
	Window string
	// Factor is the alert factor of the pair whose long window this is
	// (14.4 for 1h over 30d); nil when the window takes part in no alert.
	Factor *float64
	Points []Point
}

// BurnRates draws burn rates per window with their alert factors as dashed
// lines in the same colour, and shades where a page would have fired.
type BurnRates struct {
	ID       string
	Series   []BurnSeries
	Spans    []Span
	Marks    []Mark
	Size     Size
	From, To time.Time
	Location *time.Location
}

var seriesColours = []string{colourCrit, colourBad, colourBlue, colourTeal, colourPlum, colourOlive}

// BurnRateChart renders the burn rates.
func BurnRateChart(c BurnRates) (template.HTML, error) {
	var all []Point
	for _, s := range c.Series {
		all = append(all, s.Points...)
	}
	if len(all) == 0 && (c.From.IsZero() || c.To.IsZero()) {
		return "", errors.New("burn-rate chart needs points or a time range")
	}
	if c.Size == (Size{}) {
		c.Size = Large
	}
	from, to := c.From, c.To
	for _, p := range all {
		if from.IsZero() || p.At.Before(from) {
			from = p.At
		}
		if to.IsZero() || p.At.After(to) {
			to = p.At
		}
	}
	f := newFrame(c.Size)
	x := newTimeAxis(f, from, to)
	maxV, maxF := 0.0, 1.0
	for _, p := range all {
		maxV = math.Max(maxV, p.Value)
	}
	for _, s := range c.Series {
		if s.Factor != nil {
			maxF = math.Max(maxF, *s.Factor)
		}
	}
	// Room above the highest factor; a spike far above it is drawn at the
	// top edge (its data attribute keeps the true value).
	hi := math.Max(maxF*1.25, math.Min(maxV, maxF*3))
	y := linear{0, hi, f.y1, f.y0}

	v := f.base(c.ID, "burn-rates", "Burn rate per window", burnDesc(c, from, to))
	if !f.small {
		v.Grid = append(v.Grid, gridView{X1: px(f.x0), X2: px(f.x1), Y: px(y.at(0)), TX: px(f.x0 - 4), TY: px(y.at(0)), Label: "0"})
		v.Grid = append(v.Grid, gridView{X1: px(f.x0), X2: px(f.x1), Y: px(y.at(hi)), TX: px(f.x0 - 4), TY: px(y.at(hi) + 10), Label: strconv.FormatFloat(hi, 'f', 1, 64)})
		v.Spans = spansView(c.Spans, x, f)
		v.Marks = marksView(c.Marks, x, f)
		v.XLabels = timeLabels(f, x, c.Location)
	}
	for i, s := range c.Series {
		colour := seriesColours[i%len(seriesColours)]
		v.Series = append(v.Series, seriesView{Name: s.Window, Data: seriesData(s.Points), Points: polyPoints(s.Points, x, y),
			Stroke: colour, Width: "1.5", Tip: "burn rate over " + s.Window})
		if s.Factor != nil {
			lv := lineView{Kind: "factor", Name: s.Window, Value: num(*s.Factor), X1: px(f.x0), X2: px(f.x1), Y: px(y.at(*s.Factor)),
				Stroke: colour, Dash: "6 4", Tip: fmt.Sprintf("alert factor for %s: %s", s.Window, factorText(*s.Factor))}
			if !f.small {
				lv.Label, lv.TX, lv.TY = s.Window+" ×"+factorText(*s.Factor), px(f.x1+4), px(y.at(*s.Factor)+4)
			}
			v.Lines = append(v.Lines, lv)
		}
	}
	if maxV > hi && !f.small {
		v.Note = "above " + strconv.FormatFloat(hi, 'f', 1, 64) + " drawn at the top"
		v.NoteX, v.NoteY = px(f.x1), px(f.y0+12)
	}
	return render(v)
}

func factorText(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func burnDesc(c BurnRates, from, to time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Burn rate per window, %s to %s (%s); 1 spends the budget exactly over the SLO window.",
		when(from, c.Location), when(to, c.Location), zoneName(c.Location))
	for _, s := range c.Series {
		if len(s.Points) == 0 {
			fmt.Fprintf(&b, " %s: no traffic.", s.Window)
			continue
		}
		peak := s.Points[0]
		for _, p := range s.Points {
			if p.Value > peak.Value {
				peak = p
			}
		}
		last := s.Points[len(s.Points)-1]
		fmt.Fprintf(&b, " %s: now %s, peak %s on %s", s.Window, strconv.FormatFloat(last.Value, 'f', 2, 64),
			strconv.FormatFloat(peak.Value, 'f', 2, 64), when(peak.At, c.Location))
		if s.Factor != nil {
			fmt.Fprintf(&b, " (alert factor %s)", factorText(*s.Factor))
		}
		b.WriteString(".")
	}
	if n := len(c.Spans); n > 0 {
		fmt.Fprintf(&b, " %s where a page would have fired shaded.", plural(n, "stretch", "stretches"))
	}
	if n := len(c.Marks); n > 0 {
		fmt.Fprintf(&b, " %s marked.", plural(n, "incident", "incidents"))
	}
	return b.String()
}
