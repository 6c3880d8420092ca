package charts

import (
	"encoding/xml"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// node is a generic XML element, enough to walk any SVG.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n node) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n node) get(t *testing.T, name string) string {
	t.Helper()
	v, ok := n.attr(name)
	if !ok {
		t.Fatalf("<%s> has no %s attribute", n.XMLName.Local, name)
	}
	return v
}

// all returns every element (depth first) for which keep holds.
func (n node) all(keep func(node) bool) []node {
	var out []node
	if keep(n) {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, c.all(keep)...)
	}
	return out
}

func withAttr(name string) func(node) bool {
	return func(n node) bool { _, ok := n.attr(name); return ok }
}

func parseSVG(t *testing.T, svg string) node {
	t.Helper()
	var root node
	if err := xml.Unmarshal([]byte(svg), &root); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, svg)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("root is <%s>, want <svg>", root.XMLName.Local)
	}
	return root
}

func fl(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// dataPoints parses "UNIX:VALUE UNIX:VALUE".
func dataPoints(t *testing.T, s string) []Point {
	t.Helper()
	var out []Point
	for _, f := range strings.Fields(s) {
		at, v, ok := strings.Cut(f, ":")
		if !ok {
			t.Fatalf("data point %q has no colon", f)
		}
		sec := fl(t, at)
		out = append(out, Point{At: time.Unix(0, int64(math.Round(sec*1e9))), Value: fl(t, v)})
	}
	return out
}

// pixelPoints parses a polyline's "x,y x,y".
func pixelPoints(t *testing.T, s string) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, f := range strings.Fields(s) {
		x, y, _ := strings.Cut(f, ",")
		out = append(out, [2]float64{fl(t, x), fl(t, y)})
	}
	return out
}

// checkAccessible: a title and a desc, both referenced by aria-labelledby.
func checkAccessible(t *testing.T, root node, wantInDesc ...string) {
	t.Helper()
	if root.get(t, "role") != "img" {
		t.Error("svg role is not img")
	}
	ids := strings.Fields(root.get(t, "aria-labelledby"))
	found := map[string]string{}
	for _, c := range root.Children {
		if c.XMLName.Local == "title" || c.XMLName.Local == "desc" {
			id, _ := c.attr("id")
			found[id] = c.Text
		}
	}
	if len(ids) != 2 {
		t.Fatalf("aria-labelledby = %v, want a title and a desc", ids)
	}
	for _, id := range ids {
		if strings.TrimSpace(found[id]) == "" {
			t.Errorf("aria-labelledby names %q, which is not a non-empty title or desc", id)
		}
	}
	desc := found[ids[1]]
	for _, w := range wantInDesc {
		if !strings.Contains(desc, w) {
			t.Errorf("desc %q does not say %q", desc, w)
		}
	}
}

var t0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

func budgetPoints() []Point {
	var pts []Point
	for i := 0; i <= 30*24; i++ {
		v := 1 - float64(i)/(30*24)*0.45
		if i > 400 {
			v -= 0.2
		}
		pts = append(pts, Point{At: t0.Add(time.Duration(i) * time.Hour), Value: v})
	}
	return pts
}

// The drawing must say what the data says: every pixel maps back to its
// point through the axes, and the data attribute holds the exact values.
func TestBudgetChartPointsAndPixels(t *testing.T) {
	pts := budgetPoints()
	thresholds := []Line{{Name: "healthy", Value: 0.5}, {Name: "caution", Value: 0.25}, {Name: "at-risk", Value: 0}}
	spans := []Span{{Start: t0.Add(400 * time.Hour), End: t0.Add(402 * time.Hour)}}
	marks := []Mark{{At: t0.Add(400 * time.Hour), Label: "incident"}}
	html, err := BudgetChart(Budget{ID: "slo-checkout-budget", Window: "30d", Points: pts, Thresholds: thresholds, Spans: spans, Marks: marks})
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, string(html))
	if root.get(t, "data-chart") != "budget" {
		t.Error("data-chart is not budget")
	}
	checkAccessible(t, root, "30d window", "100% at the start", "35% at the end", "healthy from 50%", "1 incident marked")

	series := root.all(withAttr("data-series"))
	if len(series) != 1 || series[0].get(t, "data-series") != "remaining" {
		t.Fatalf("series = %d, want one named remaining", len(series))
	}
	got := dataPoints(t, series[0].get(t, "data-points"))
	if len(got) != len(pts) {
		t.Fatalf("%d data points, want %d", len(got), len(pts))
	}
	for i := range pts {
		if !got[i].At.Equal(pts[i].At) || got[i].Value != pts[i].Value {
			t.Fatalf("data point %d = %+v, want %+v exactly", i, got[i], pts[i])
		}
	}
	// The plot box, from the background rect: x from time, y from value on
	// an axis from 0 (bottom) to 1 (top), as no point is negative.
	plot := root.all(func(n node) bool { return n.XMLName.Local == "rect" && len(n.Attrs) == 6 })[0]
	px0, py0 := fl(t, plot.get(t, "x")), fl(t, plot.get(t, "y"))
	pw, ph := fl(t, plot.get(t, "width")), fl(t, plot.get(t, "height"))
	span := pts[len(pts)-1].At.Sub(pts[0].At).Seconds()
	xy := pixelPoints(t, series[0].get(t, "points"))
	for i, p := range pts {
		wantX := px0 + p.At.Sub(pts[0].At).Seconds()/span*pw
		wantY := py0 + (1-p.Value)*ph
		if math.Abs(xy[i][0]-wantX) > 0.006 || math.Abs(xy[i][1]-wantY) > 0.006 {
			t.Fatalf("pixel %d = %v, want (%.2f, %.2f)", i, xy[i], wantX, wantY)
		}
	}
	lines := root.all(withAttr("data-line"))
	if len(lines) != 3 {
		t.Fatalf("%d threshold lines, want 3", len(lines))
	}
	for i, l := range lines {
		if l.get(t, "data-name") != thresholds[i].Name || fl(t, l.get(t, "data-value")) != thresholds[i].Value {
			t.Errorf("line %d = %s %s, want %+v", i, l.get(t, "data-name"), l.get(t, "data-value"), thresholds[i])
		}
		if y := fl(t, l.get(t, "y1")); math.Abs(y-(py0+(1-thresholds[i].Value)*ph)) > 0.006 {
			t.Errorf("line %s at y %v, not at its value", thresholds[i].Name, y)
		}
	}
	sp := root.all(withAttr("data-span"))
	if len(sp) != 1 || sp[0].get(t, "data-start") != strconv.FormatInt(spans[0].Start.Unix(), 10) ||
		sp[0].get(t, "data-end") != strconv.FormatInt(spans[0].End.Unix(), 10) {
		t.Errorf("spans = %+v, want one from %v to %v", sp, spans[0].Start.Unix(), spans[0].End.Unix())
	}
	mk := root.all(withAttr("data-mark"))
	if len(mk) != 1 || mk[0].get(t, "data-at") != strconv.FormatInt(marks[0].At.Unix(), 10) {
		t.Errorf("marks = %+v", mk)
	}
}

// An overspent budget: the axis reaches to −100%, lower values are drawn at
// the bottom and keep their true value in the data.
func TestBudgetChartClipsDeepOverspend(t *testing.T) {
	pts := []Point{{At: t0, Value: 1}, {At: t0.Add(time.Hour), Value: -0.5}, {At: t0.Add(2 * time.Hour), Value: -5}}
	html, err := BudgetChart(Budget{ID: "b", Window: "30d", Points: pts})
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, string(html))
	got := dataPoints(t, root.all(withAttr("data-series"))[0].get(t, "data-points"))
	if got[2].Value != -5 {
		t.Errorf("data keeps %v, want -5", got[2].Value)
	}
	plot := root.all(func(n node) bool { return n.XMLName.Local == "rect" && len(n.Attrs) == 6 })[0]
	py0, ph := fl(t, plot.get(t, "y")), fl(t, plot.get(t, "height"))
	xy := pixelPoints(t, root.all(withAttr("data-series"))[0].get(t, "points"))
	// Axis from −1 to 1: −0.5 at three quarters down, −5 at the bottom.
	if math.Abs(xy[1][1]-(py0+0.75*ph)) > 0.006 || math.Abs(xy[2][1]-(py0+ph)) > 0.006 {
		t.Errorf("pixels %v, want −0.5 at %.2f and −5 clipped to %.2f", xy, py0+0.75*ph, py0+ph)
	}
	if !strings.Contains(string(html), "drawn at the bottom") {
		t.Error("no note that values are clipped")
	}
}

func TestSmallBurnDown(t *testing.T) {
	html, err := BudgetChart(Budget{ID: "row-checkout", Window: "30d", Points: budgetPoints(), Size: Small,
		Thresholds: []Line{{Name: "healthy", Value: 0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, string(html))
	if root.get(t, "width") != "240" || root.get(t, "height") != "64" {
		t.Errorf("size %sx%s, want 240x64", root.get(t, "width"), root.get(t, "height"))
	}
	checkAccessible(t, root, "35% at the end")
	if n := len(root.all(func(n node) bool { return n.XMLName.Local == "text" })); n != 0 {
		t.Errorf("%d text labels in the small chart, want none (the desc says it)", n)
	}
	if len(root.all(withAttr("data-line"))) != 1 {
		t.Error("the small chart lost its threshold line")
	}
}

func TestSLIBarChart(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	b := func(x bool) *bool { return &x }
	bars := []Bar{
		{Label: "Mar 2024", Start: t0.AddDate(0, -2, 0), End: t0.AddDate(0, -1, 0), Value: v(0.9995), Met: b(true)},
		{Label: "Apr 2024", Start: t0.AddDate(0, -1, 0), End: t0, Value: v(0.9982), Met: b(false)},
		{Label: "May 2024", Start: t0, End: t0.AddDate(0, 1, 0), Partial: true},
		{Label: "Jun 2024", Start: t0.AddDate(0, 1, 0), End: t0.AddDate(0, 2, 0), Value: v(0.95), Met: b(false)},
	}
	html, err := SLIBarChart(SLIBars{ID: "m", Kind: "monthly-compliance", Title: "Monthly compliance", Period: "month", Bars: bars, Objective: 0.999})
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, string(html))
	checkAccessible(t, root, "99.9% objective", "4 months", "1 met", "2 missed", "1 without traffic", "worst Jun 2024 at 95%")
	rects := root.all(withAttr("data-bar"))
	if len(rects) != 4 {
		t.Fatalf("%d bars, want 4", len(rects))
	}
	// The axis runs from 10 budgets below the objective (0.989, as June
	// is lower still) to 1.
	plot := root.all(func(n node) bool { return n.XMLName.Local == "rect" && len(n.Attrs) == 6 })[0]
	py0, ph := fl(t, plot.get(t, "y")), fl(t, plot.get(t, "height"))
	lo := 0.999 - 10*0.001
	for i, r := range rects {
		if r.get(t, "data-bar") != bars[i].Label {
			t.Errorf("bar %d label %q", i, r.get(t, "data-bar"))
		}
		if bars[i].Value == nil {
			if r.get(t, "data-value") != "" || r.get(t, "data-met") != "" {
				t.Errorf("idle bar carries value %q met %q", r.get(t, "data-value"), r.get(t, "data-met"))
			}
			if p, _ := r.attr("data-partial"); p != "true" {
				t.Error("partial month not marked")
			}
			continue
		}
		if fl(t, r.get(t, "data-value")) != *bars[i].Value || r.get(t, "data-met") != strconv.FormatBool(*bars[i].Met) {
			t.Errorf("bar %d data %s/%s, want %v/%v", i, r.get(t, "data-value"), r.get(t, "data-met"), *bars[i].Value, *bars[i].Met)
		}
		wantFill := "#c81e1e"
		if *bars[i].Met {
			wantFill = "#17803d"
		}
		if r.get(t, "fill") != wantFill {
			t.Errorf("bar %d fill %s, want %s", i, r.get(t, "fill"), wantFill)
		}
		top := py0 + (1-*bars[i].Value)/(1-lo)*ph
		if *bars[i].Value < lo {
			top = py0 + ph - clippedStub // cut off: a stub at the bottom
		}
		if y := fl(t, r.get(t, "y")); math.Abs(y-top) > 0.006 {
			t.Errorf("bar %d top at %v, want %.2f", i, y, top)
		}
	}
	if !strings.Contains(string(html), "are cut off") {
		t.Error("no note that June is cut off")
	}
	// Without June and with April at 99.6%, the axis reaches a quarter of
	// April's shortfall below it, so the worst bar still shows:
	// 0.996 − 0.25 × 0.004 = 0.995 (below the default floor 0.997).
	few := append([]Bar{}, bars[:3]...)
	few[1].Value = v(0.996)
	html, err = SLIBarChart(SLIBars{ID: "m2", Title: "Monthly compliance", Period: "month", Bars: few, Objective: 0.999})
	if err != nil {
		t.Fatal(err)
	}
	root2 := parseSVG(t, string(html))
	april := root2.all(withAttr("data-bar"))[1]
	plot2 := root2.all(func(n node) bool { return n.XMLName.Local == "rect" && len(n.Attrs) == 6 })[0]
	lo2 := 0.995
	wantH := (0.996 - lo2) / (1 - lo2) * fl(t, plot2.get(t, "height"))
	if h := fl(t, april.get(t, "height")); math.Abs(h-wantH) > 0.006 || h < 10 {
		t.Errorf("April's bar is %v px high, want %.2f", h, wantH)
	}
	obj := root.all(withAttr("data-line"))
	if len(obj) != 1 || fl(t, obj[0].get(t, "data-value")) != 0.999 {
		t.Errorf("objective line %+v", obj)
	}
	if _, err := SLIBarChart(SLIBars{ID: "x", Bars: bars, Objective: 99.9}); err == nil {
		t.Error("an objective in percent is not rejected")
	}
}

func TestBurnRateChart(t *testing.T) {
	f1, f6 := 14.4, 6.0
	var p1, p6 []Point
	for i := range 48 {
		p1 = append(p1, Point{At: t0.Add(time.Duration(i) * time.Hour), Value: float64(i%7) * 3})
		p6 = append(p6, Point{At: t0.Add(time.Duration(i) * time.Hour), Value: float64(i%5) * 1.5})
	}
	p1[20].Value = 500 // a spike far above the factors
	html, err := BurnRateChart(BurnRates{ID: "burn", Series: []BurnSeries{{Window: "1h", Factor: &f1, Points: p1}, {Window: "6h", Factor: &f6, Points: p6}, {Window: "3d"}},
		Spans: []Span{{Start: t0.Add(20 * time.Hour), End: t0.Add(21 * time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, string(html))
	checkAccessible(t, root, "1h: now 15.00, peak 500.00", "alert factor 14.4", "3d: no traffic", "1 stretch where a page would have fired")
	series := root.all(withAttr("data-series"))
	if len(series) != 3 {
		t.Fatalf("%d series, want 3", len(series))
	}
	for i, want := range [][]Point{p1, p6, nil} {
		got := dataPoints(t, series[i].get(t, "data-points"))
		if len(got) != len(want) {
			t.Fatalf("series %d has %d points, want %d", i, len(got), len(want))
		}
		for k := range want {
			if got[k].Value != want[k].Value || !got[k].At.Equal(want[k].At) {
				t.Fatalf("series %d point %d = %+v, want %+v", i, k, got[k], want[k])
			}
		}
	}
	factors := root.all(withAttr("data-line"))
	if len(factors) != 2 || fl(t, factors[0].get(t, "data-value")) != 14.4 || factors[1].get(t, "data-name") != "6h" {
		t.Errorf("factor lines %+v", factors)
	}
	// The axis tops out at 3 × 14.4 = 43.2; the spike is drawn at the top.
	plot := root.all(func(n node) bool { return n.XMLName.Local == "rect" && len(n.Attrs) == 6 })[0]
	py0, ph := fl(t, plot.get(t, "y")), fl(t, plot.get(t, "height"))
	xy := pixelPoints(t, series[0].get(t, "points"))
	if math.Abs(xy[20][1]-py0) > 0.006 {
		t.Errorf("spike at y %v, want the top %v", xy[20][1], py0)
	}
	if want := py0 + (1-p1[3].Value/43.2)*ph; math.Abs(xy[3][1]-want) > 0.006 {
		t.Errorf("point 3 at y %v, want %.2f", xy[3][1], want)
	}
}

func TestChartIDsAreChecked(t *testing.T) {
	if _, err := BudgetChart(Budget{ID: `x" onload="alert(1)`, Points: budgetPoints()}); err == nil {
		t.Error("an id with quotes is accepted")
	}
	if _, err := BudgetChart(Budget{ID: "x"}); err == nil {
		t.Error("a chart without points is accepted")
	}
}

// Text from outside (policy state names, labels) is escaped.
func TestChartEscapesText(t *testing.T) {
	html, err := BudgetChart(Budget{ID: "e", Window: "30d", Points: budgetPoints(), Thresholds: []Line{{Name: `<script>&"`, Value: 0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), "<script>") {
		t.Error("a state name is not escaped")
	}
	root := parseSVG(t, string(html))
	if got := root.all(withAttr("data-line"))[0].get(t, "data-name"); got != `<script>&"` {
		t.Errorf("escaped name reads back as %q", got)
	}
}

func TestBudgetChartGolden(t *testing.T) {
	pts := []Point{}
	for i := 0; i <= 48; i++ {
		pts = append(pts, Point{At: t0.Add(time.Duration(i) * time.Hour), Value: 1 - float64(i)*0.02})
	}
	html, err := BudgetChart(Budget{ID: "golden", Window: "2d", Points: pts,
		Thresholds: []Line{{Name: "healthy", Value: 0.5}, {Name: "caution", Value: 0.25}, {Name: "at-risk", Value: 0}},
		Spans:      []Span{{Start: t0.Add(30 * time.Hour), End: t0.Add(31 * time.Hour)}},
		Marks:      []Mark{{At: t0.Add(30 * time.Hour), Label: "incident from 2 May 06:00 for 1h"}}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "budget.svg", string(html))
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; run go test ./charts/ -update and review the diff", name)
	}
}

func TestLineLabelsDoNotOverprint(t *testing.T) {
	lines := []lineView{
		{Label: "1h ×14.4", TY: "50.00"},
		{Label: "1d ×3", TY: "180.00"},
		{Label: "3d ×1", TY: "186.00"},
		{Label: "", TY: "185.00"}, // no label: not moved
	}
	spreadLabels(lines)
	if lines[2].TY != "186.00" || lines[1].TY != "175.00" || lines[0].TY != "50.00" || lines[3].TY != "185.00" {
		t.Errorf("labels at %s %s %s %s, want 50, 175 (moved up one line), 186, 185", lines[0].TY, lines[1].TY, lines[2].TY, lines[3].TY)
	}
}
