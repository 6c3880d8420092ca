package exporter

import (
	"fmt"
	"html/template"
	"net/http"
)

// Handler returns the HTTP routes. The pages (/metrics, the JSON API, the
// status page) are rendered once per evaluation and served from that
// rendering (renderCache), at most MaxRequestsInFlight at a time (503
// beyond); health, readiness and reload are neither cached nor limited.
func (d *Daemon) Handler() http.Handler {
	d.handlerOnce.Do(d.buildHandler)
	return d.handler
}

func (d *Daemon) buildHandler() {
	pages := http.NewServeMux()
	pages.Handle("GET /metrics", d.metricsPage())
	pages.HandleFunc("GET /api/v1/slos", d.apiList)
	pages.HandleFunc("GET /api/v1/slos/{name}", d.apiOne)
	pages.HandleFunc("GET /api/v1/slos/{name}/history", d.apiHistory)
	pages.HandleFunc("GET /api/v1/slos/{name}/incidents", d.apiIncidents)
	statusPage := func(w http.ResponseWriter, r *http.Request) {
		if d.StatusPage != nil {
			d.StatusPage.ServeHTTP(w, r)
			return
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = landing.Execute(w, nil)
	}
	pages.HandleFunc("GET /{$}", statusPage)
	pages.HandleFunc("GET /slo/{name}", statusPage)
	cache := newRenderCache(func() uint64 { return d.Engine.Snapshot().Generation }, renderCacheBytes)
	served := limitInFlight(d.maxInFlight, cache.wrap(pages), d.metrics.rejected.Inc)

	mux := http.NewServeMux()
	for _, p := range []string{"GET /metrics", "GET /api/v1/slos", "GET /api/v1/slos/{name}", "GET /api/v1/slos/{name}/history", "GET /api/v1/slos/{name}/incidents", "GET /{$}", "GET /slo/{name}"} {
		mux.Handle(p, served)
	}
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Healthy.")
	})
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, r *http.Request) {
		if !d.Engine.Ready() {
			http.Error(w, "Not ready: the first evaluation has not finished.", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready.")
	})
	mux.HandleFunc("POST /-/reload", d.reloadHandler)
	mux.HandleFunc("PUT /-/reload", d.reloadHandler)
	d.handler = mux
}

// renderCacheBytes bounds the memory of cached renderings (a /metrics page
// of 2,000 SLOs is a few MiB; each encoding and page is one entry).
const renderCacheBytes = 64 << 20

var landing = template.Must(template.New("landing").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>slobudget</title></head>
<body><h1>slobudget</h1>
<ul>
<li><a href="metrics">/metrics</a>: SLO budgets, burn rates and freeze decisions</li>
<li><a href="api/v1/slos">/api/v1/slos</a>: the same as JSON</li>
<li><a href="-/healthy">/-/healthy</a>, <a href="-/ready">/-/ready</a></li>
</ul></body></html>
`))
