package review

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/slobudget/slobudget/internal/promtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func renderedReview(t *testing.T) *Review {
	t.Helper()
	sc := newScenario(t)
	in := sc.input("steady", "hard", "edge")
	in.SLOs[1].WhatIf = &WhatIf{Objective: 99.5, Window: 28 * 24 * time.Hour}
	rv, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	return rv
}

func render(t *testing.T, rv *Review, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, rv); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.String()
}

func TestWriteGolden(t *testing.T) {
	rv := renderedReview(t)
	for format, file := range map[string]string{"table": "review.txt", "markdown": "review.md", "json": "review.json"} {
		got := render(t, rv, format)
		path := filepath.Join("testdata", file)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./review/ -update creates it)", err)
		}
		if got != string(want) {
			t.Errorf("%s output differs from %s; run go test ./review/ -update and review the diff", format, path)
		}
	}
}

// The plain table fits 120 columns (issue 7).
func TestTableFits120Columns(t *testing.T) {
	for i, line := range strings.Split(render(t, renderedReview(t), "table"), "\n") {
		if n := len([]rune(line)); n > tableWidth {
			t.Errorf("line %d is %d columns: %q", i+1, n, line)
		}
	}
}

// The JSON carries the same figures Compute returned.
func TestJSONRoundTrip(t *testing.T) {
	rv := renderedReview(t)
	var back Review
	if err := json.Unmarshal([]byte(render(t, rv, "json")), &back); err != nil {
		t.Fatal(err)
	}
	for i := range rv.SLOs {
		a, b := rv.SLOs[i].Actual, back.SLOs[i].Actual
		if *a.SLI != *b.SLI || a.Verdict != b.Verdict || a.FrozenDays != b.FrozenDays || len(a.Incidents) != len(b.Incidents) ||
			a.OnCall.Pages != b.OnCall.Pages || *a.Months[2].BudgetSpent != *b.Months[2].BudgetSpent {
			t.Errorf("%s: the JSON reads back different figures", rv.SLOs[i].Name)
		}
	}
	if back.SLOs[1].WhatIf == nil || back.SLOs[1].WhatIf.Window != "28d" {
		t.Error("the what-if figures are missing from the JSON")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "yaml", renderedReview(t)); err == nil || !strings.Contains(err.Error(), "table, markdown, json, html") {
		t.Errorf("err = %v", err)
	}
}

type xnode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xnode    `xml:",any"`
}

func (n xnode) all(attr string) []map[string]string {
	var out []map[string]string
	m := map[string]string{}
	for _, a := range n.Attrs {
		m[a.Name.Local] = a.Value
	}
	if _, ok := m[attr]; ok {
		out = append(out, m)
	}
	for _, c := range n.Children {
		out = append(out, c.all(attr)...)
	}
	return out
}

var svgPattern = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// The HTML has one section per SLO with its verdict, and its charts carry the
// review's own numbers: each monthly bar the month's SLI, the burn-down the
// replayed budget at every hour.
func TestHTMLSectionsAndCharts(t *testing.T) {
	rv := renderedReview(t)
	page := render(t, rv, "html")
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var sections []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "section" {
			for _, a := range n.Attr {
				if a.Key == "data-slo" {
					sections = append(sections, n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(sections) != len(rv.SLOs) {
		t.Fatalf("%d SLO sections, want %d", len(sections), len(rv.SLOs))
	}
	if !strings.Contains(page, "page-break-before: always") || !strings.Contains(page, "@media print") {
		t.Error("no print rules: one SLO per printed page section")
	}
	for _, r := range rv.SLOs {
		if !strings.Contains(page, `data-verdict="`+r.Actual.Verdict.Kind+`"`) {
			t.Errorf("%s: verdict %s not on the page", r.Name, r.Actual.Verdict.Kind)
		}
	}

	svgs := svgPattern.FindAllString(page, -1)
	byID := map[string]xnode{}
	for _, s := range svgs {
		var n xnode
		if err := xml.Unmarshal([]byte(s), &n); err != nil {
			t.Fatalf("an inline chart is not well-formed: %v", err)
		}
		for _, a := range n.Attrs {
			if a.Name.Local == "id" {
				byID[a.Value] = n
			}
		}
	}
	// 2 charts per SLO and 2 more for the what-if.
	if len(byID) != 2*len(rv.SLOs)+2 {
		t.Errorf("%d charts, want %d", len(byID), 2*len(rv.SLOs)+2)
	}
	for _, r := range rv.SLOs {
		bars := byID["slo-"+r.Name+"-months"].all("data-bar")
		if len(bars) != len(r.Actual.Months) {
			t.Fatalf("%s: %d bars for %d months", r.Name, len(bars), len(r.Actual.Months))
		}
		for i, m := range r.Actual.Months {
			v, _ := strconv.ParseFloat(bars[i]["data-value"], 64)
			if bars[i]["data-bar"] != m.Label || v != *m.SLI || bars[i]["data-met"] != strconv.FormatBool(*m.Met) {
				t.Errorf("%s: bar %d = %v, want %s %v %v", r.Name, i, bars[i], m.Label, *m.SLI, *m.Met)
			}
		}
		series := byID["slo-"+r.Name+"-budget"].all("data-series")
		if len(series) != 1 {
			t.Fatalf("%s: %d budget series", r.Name, len(series))
		}
		pts := strings.Fields(series[0]["data-points"])
		if len(pts) != len(r.Actual.remaining) {
			t.Fatalf("%s: %d points, want %d", r.Name, len(pts), len(r.Actual.remaining))
		}
		for i, p := range r.Actual.remaining {
			if want := strconv.FormatInt(p.At.Unix(), 10) + ":" + strconv.FormatFloat(p.Value, 'g', -1, 64); pts[i] != want {
				t.Fatalf("%s: point %d = %s, want %s", r.Name, i, pts[i], want)
			}
		}
		if marks := byID["slo-"+r.Name+"-budget"].all("data-mark"); len(marks) != len(r.Actual.Incidents) {
			t.Errorf("%s: %d incident marks, want %d", r.Name, len(marks), len(r.Actual.Incidents))
		}
	}
}

// Printed (Chromium's print to PDF), the review puts each SLO on its own
// page: more pages than SLOs, as the portfolio comes first.
func TestHTMLPrintsOneSLOPerPage(t *testing.T) {
	bin := findChromium(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "review.html")
	if err := os.WriteFile(file, []byte(render(t, renderedReview(t), "html")), 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "review.pdf")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+pdf, "file://"+file)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	data, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(data, -1))
	if pages < 1+3 {
		t.Errorf("printed to %d pages, want at least one per SLO after the portfolio (4)", pages)
	}
}

func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, ok := promtest.Find(name); ok {
			return p
		}
	}
	msg := "chromium not found in PATH or /usr/bin; install with: apt-get install -y --no-install-recommends chromium (or run scripts/test.sh)"
	if promtest.Strict() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
