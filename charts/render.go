package charts

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"regexp"
	"sort"
	"strconv"
	"time"
)

//go:embed chart.svg.tmpl
var chartSVG string

var chartTemplate = template.Must(template.New("chart").Parse(chartSVG))

// Colours shared with the status page's palette.
const (
	colourOK    = "#17803d"
	colourWarn  = "#e0a800"
	colourBad   = "#e8590c"
	colourCrit  = "#c81e1e"
	colourNone  = "#6b6b6b"
	colourInk   = "#111111"
	colourBlue  = "#0b4fb3"
	colourTeal  = "#00838f"
	colourPlum  = "#6a1b9a"
	colourOlive = "#7a6a00"
)

// view is everything the template draws, as ready-made strings: pixel
// coordinates with two decimals, data attributes exact.
type view struct {
	ID, Kind, Title, Desc string
	W, H, FontSize        int
	Plot                  struct{ X, Y, W, H string }
	Grid                  []gridView
	Spans                 []spanView
	Bars                  []barView
	Lines                 []lineView
	Series                []seriesView
	Marks                 []markView
	XLabels               []textView
	Note                  string
	NoteX, NoteY          string
}

type gridView struct{ X1, X2, Y, TX, TY, Label string }
type spanView struct{ Kind, Start, End, X, Y, W, H, Label string }
type barView struct {
	Label, Start, End, Value, Met, X, Y, W, H, Fill, Tip string
	Partial, Hatch                                       bool
}
type lineView struct{ Kind, Name, Value, X1, X2, Y, Stroke, Dash, Tip, Label, TX, TY string }
type seriesView struct{ Name, Data, Points, Stroke, Width, Tip string }
type markView struct{ Kind, At, Label, Path string }
type textView struct{ X, Y, Anchor, Text string }

// frame is a chart's plot area in pixels.
type frame struct {
	size                  Size
	left, top, right, bot float64 // margins
	x0, x1, y0, y1        float64 // plot area
	small                 bool
}

func newFrame(s Size) frame {
	f := frame{size: s, left: 46, top: 10, right: 100, bot: 22}
	if s.Height < 100 {
		f = frame{size: s, left: 2, top: 2, right: 2, bot: 2, small: true}
	}
	f.x0, f.x1 = f.left, float64(s.Width)-f.right
	f.y0, f.y1 = f.top, float64(s.Height)-f.bot
	return f
}

func (f frame) base(id, kind, title, desc string) view {
	v := view{ID: id, Kind: kind, Title: title, Desc: desc, W: f.size.Width, H: f.size.Height, FontSize: 11}
	v.Plot.X, v.Plot.Y, v.Plot.W, v.Plot.H = px(f.x0), px(f.y0), px(f.x1-f.x0), px(f.y1-f.y0)
	return v
}

// linear maps a domain [d0, d1] onto pixels [r0, r1], clamping outside values.
type linear struct{ d0, d1, r0, r1 float64 }

func (l linear) at(v float64) float64 {
	if l.d1 == l.d0 {
		return (l.r0 + l.r1) / 2
	}
	v = math.Max(math.Min(v, math.Max(l.d0, l.d1)), math.Min(l.d0, l.d1))
	return l.r0 + (v-l.d0)/(l.d1-l.d0)*(l.r1-l.r0)
}

// timeAxis maps instants onto the plot's width.
type timeAxis struct {
	from, to time.Time
	px       linear
}

func newTimeAxis(f frame, from, to time.Time) timeAxis {
	return timeAxis{from: from, to: to, px: linear{0, to.Sub(from).Seconds(), f.x0, f.x1}}
}

func (a timeAxis) at(t time.Time) float64 { return a.px.at(t.Sub(a.from).Seconds()) }

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

func render(v view) (template.HTML, error) {
	if !idPattern.MatchString(v.ID) {
		return "", fmt.Errorf("chart id %q: must start with a letter and hold only letters, digits, - and _", v.ID)
	}
	spreadLabels(v.Lines)
	var buf bytes.Buffer
	if err := chartTemplate.Execute(&buf, v); err != nil {
		return "", fmt.Errorf("rendering chart %s: %w", v.ID, err)
	}
	return template.HTML(buf.String()), nil // escaped by html/template
}

func px(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// num writes a value so that it reads back as the same float64.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// unix writes an instant as Unix seconds, with a fraction only when needed.
func unix(t time.Time) string {
	if t.Nanosecond() == 0 {
		return strconv.FormatInt(t.Unix(), 10)
	}
	return strconv.FormatFloat(float64(t.UnixNano())/1e9, 'f', -1, 64)
}

// seriesData writes points as "UNIX:VALUE UNIX:VALUE".
func seriesData(pts []Point) string {
	var b []byte
	for i, p := range pts {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, unix(p.At)...)
		b = append(b, ':')
		b = append(b, num(p.Value)...)
	}
	return string(b)
}

func polyPoints(pts []Point, x timeAxis, y linear) string {
	var b []byte
	for i, p := range pts {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, px(x.at(p.At))...)
		b = append(b, ',')
		b = append(b, px(y.at(p.Value))...)
	}
	return string(b)
}

// percent spells a ratio as a percent with up to decimals decimals, trimmed:
// 0.5 → "50%", 0.9995 → "99.95%".
func percent(ratio float64, decimals int) string {
	s := strconv.FormatFloat(ratio*100, 'f', decimals, 64)
	if decimals > 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	if s == "-0" {
		s = "0"
	}
	return s + "%"
}

// when spells an instant for a chart's text in its time zone.
func when(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 15:04")
}

func zoneName(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}

// timeLabels puts the first, middle and last instants under the plot.
func timeLabels(f frame, x timeAxis, loc *time.Location) []textView {
	if f.small {
		return nil
	}
	y := px(f.y1 + 15)
	mid := x.from.Add(x.to.Sub(x.from) / 2)
	return []textView{
		{X: px(f.x0), Y: y, Anchor: "start", Text: when(x.from, loc)},
		{X: px((f.x0 + f.x1) / 2), Y: y, Anchor: "middle", Text: when(mid, loc)},
		{X: px(f.x1), Y: y, Anchor: "end", Text: when(x.to, loc)},
	}
}

func spansView(spans []Span, x timeAxis, f frame) []spanView {
	var out []spanView
	for _, s := range spans {
		x0, x1 := x.at(s.Start), x.at(s.End)
		label := s.Label
		if label == "" {
			label = "a page would have fired"
		}
		out = append(out, spanView{Kind: "page", Start: unix(s.Start), End: unix(s.End),
			X: px(x0), Y: px(f.y0), W: px(math.Max(x1-x0, 1)), H: px(f.y1 - f.y0), Label: label})
	}
	return out
}

func marksView(marks []Mark, x timeAxis, f frame) []markView {
	var out []markView
	for _, m := range marks {
		cx := x.at(m.At)
		// A downward triangle hanging from the plot's top edge.
		path := fmt.Sprintf("M%s %s l-4 -7 h8 z", px(cx), px(f.y0+8))
		out = append(out, markView{Kind: "incident", At: unix(m.At), Label: m.Label, Path: path})
	}
	return out
}

// labelGap is the least vertical distance between two line labels in the
// right margin, about a line of 11px text.
const labelGap = 11.0

// spreadLabels moves the labels of lines that lie close together (1d ×3 and
// 3d ×1) apart so they do not overprint, keeping their order top to bottom.
func spreadLabels(lines []lineView) {
	var idx []int
	for i, l := range lines {
		if l.Label != "" {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return parse(lines[idx[a]].TY) < parse(lines[idx[b]].TY) })
	for k := len(idx) - 2; k >= 0; k-- { // push upwards from the bottom
		below, above := parse(lines[idx[k+1]].TY), parse(lines[idx[k]].TY)
		if below-above < labelGap {
			lines[idx[k]].TY = px(below - labelGap)
		}
	}
}

func parse(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}
