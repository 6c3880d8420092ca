// Package statuspage serves slobudget's status page: one server-rendered HTML
// page listing every SLO's budget, policy decision, burn rates, alerts and
// evaluation status, worst first, for a screen in a planning meeting.
//
// The page is self-contained (CSS inlined, no scripts, no outside assets) so
// that it works on air-gapped networks and behind any path prefix.
package statuspage

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// Options configures the page.
type Options struct {
	// Title heads the page; "SLO status" when empty.
	Title string
	// Refresh is how often the browser reloads the page. Zero means the
	// evaluation interval (at least 5s), or 30s when that is unknown too;
	// negative turns auto-refresh off.
	Refresh time.Duration
	// EvalInterval is the engine's evaluation interval. When set, numbers
	// older than three intervals are shown as stale even without an error:
	// the loop is stuck, and the page must not look healthy.
	EvalInterval time.Duration
	// Ready reports whether the first evaluation has finished; until then the
	// page says it is waiting instead of showing an empty list. Nil means ready.
	Ready func() bool
	// Now is the clock; nil means time.Now. Tests pin it.
	Now func() time.Time
	// RowChart, when set, draws the small chart of an SLO's row (the budget
	// burn-down over the window) as inline SVG; nil leaves the row without
	// one. It is called only for SLOs with numbers.
	RowChart func(slo.Result) template.HTML
	// DetailCharts, when set, draws the detail page's charts as inline SVG.
	DetailCharts func(slo.Result) template.HTML
	// Scope, when set and not empty, says under the title which part of the
	// SLOs this page shows (a sharded replica: "shard 1 of 2 ...: 7 of 15
	// SLOs"), so a page of one shard is never taken for all of them.
	Scope func() string
}

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// Handler serves the status page. results is called once per request and
// may return the SLOs in any order. The query parameter ?slo=NAME, or a path
// ending in /slo/NAME (when the server routes it here), narrows the page to
// one SLO with its details; an unknown name is a 404.
func Handler(results func() []slo.Result, opts Options) http.Handler {
	if opts.Title == "" {
		opts.Title = "SLO status"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &handler{results: results, opts: opts}
}

type handler struct {
	results func() []slo.Result
	opts    Options
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ready := h.opts.Ready == nil || h.opts.Ready()
	selected, base := r.URL.Query().Get("slo"), ""
	if name, ok := detailPath(r.URL.Path); ok {
		selected, base = name, "../"
	}
	p := buildPage(h.results(), h.opts, ready, selected, base)
	code := http.StatusOK
	if p.Selected != "" && len(p.Rows) == 0 {
		code = http.StatusNotFound
	}
	// Rendered into a buffer first so a template error is a clean 500, not
	// half a page with a 200.
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		http.Error(w, "rendering the status page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	// The page needs nothing from anywhere: say so, so a template slip that
	// pulls an outside asset shows up as a blocked load, not a silent leak.
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
	hdr.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// detailPath finds the SLO name in a path ending in /slo/NAME.
func detailPath(p string) (string, bool) {
	i := strings.LastIndex(p, "/slo/")
	if i < 0 {
		return "", false
	}
	name := p[i+len("/slo/"):]
	if name == "" || strings.Contains(name, "/") {
		return "", false
	}
	return name, true
}

// refreshSeconds resolves Options.Refresh; 0 means no refresh.
func refreshSeconds(o Options) int {
	switch {
	case o.Refresh < 0:
		return 0
	case o.Refresh > 0:
		return max(1, int(o.Refresh.Round(time.Second)/time.Second))
	case o.EvalInterval > 0:
		return max(5, int(o.EvalInterval.Round(time.Second)/time.Second))
	}
	return 30
}
