package exporter

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns the HTTP routes.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(prometheus.Gatherers{d.sloReg, d.selfReg}, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/v1/slos", d.apiList)
	mux.HandleFunc("GET /api/v1/slos/{name}", d.apiOne)
	mux.HandleFunc("GET /api/v1/slos/{name}/history", d.apiHistory)
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
	page := func(w http.ResponseWriter, r *http.Request) {
		if d.StatusPage != nil {
			d.StatusPage.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = landing.Execute(w, nil)
	}
	mux.HandleFunc("GET /{$}", page)
	// An SLO's detail page; the status page reads the name from the path.
	mux.HandleFunc("GET /slo/{name}", page)
	return mux
}

var landing = template.Must(template.New("landing").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>slobudget</title></head>
<body><h1>slobudget</h1>
<ul>
<li><a href="metrics">/metrics</a>: SLO budgets, burn rates and freeze decisions</li>
<li><a href="api/v1/slos">/api/v1/slos</a>: the same as JSON</li>
<li><a href="-/healthy">/-/healthy</a>, <a href="-/ready">/-/ready</a></li>
</ul></body></html>
`))
