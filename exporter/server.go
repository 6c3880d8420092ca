package exporter

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/slo"
)

// Daemon wires an engine, its config files and its HTTP endpoints.
type Daemon struct {
	Engine   *Engine
	files    []string
	log      *zap.Logger
	metrics  *selfMetrics
	selfReg  *prometheus.Registry
	sloReg   *prometheus.Registry
	reloadMu sync.Mutex
	// StatusPage, when set, serves "/" instead of the plain landing page.
	StatusPage http.Handler
}

// DaemonOptions configures a Daemon.
type DaemonOptions struct {
	ConfigFiles []string
	Prometheus  PromOptions
	// Querier overrides the Prometheus client (the demo's embedded engine).
	Querier Querier
	Step    time.Duration
	Logger  *zap.Logger
	Program string
}

// NewDaemon loads the config and builds the engine. A config error here is
// fatal: there is no last good config to fall back to.
func NewDaemon(o DaemonOptions) (*Daemon, error) {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	d := &Daemon{files: o.ConfigFiles, log: o.Logger, selfReg: prometheus.NewRegistry(), sloReg: prometheus.NewRegistry()}
	d.metrics = newSelfMetrics(d.selfReg)
	d.selfReg.MustRegister(
		versioncollector.NewCollector("slobudget"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	cfg, err := slo.LoadFiles(o.ConfigFiles...)
	if err != nil {
		return nil, err
	}
	q := o.Querier
	if q == nil {
		if q, err = NewPromQuerier(o.Prometheus, d.metrics); err != nil {
			return nil, err
		}
	}
	d.Engine, err = NewEngine(cfg, EngineOptions{
		Querier: q, Logger: o.Logger, Step: o.Step, Concurrency: o.Prometheus.Concurrency, metrics: d.metrics,
	})
	if err != nil {
		return nil, err
	}
	d.sloReg.MustRegister(sloCollector{engine: d.Engine})
	d.log.Info("config loaded", zap.Strings("files", o.ConfigFiles), zap.Int("slos", len(cfg.SLOs)),
		zap.Int("policies", len(cfg.Policies)), zap.String("prometheus", o.Prometheus.URL), zap.Duration("interval", o.Step))
	d.metrics.reloadSuccess.Set(1)
	d.metrics.reloadTimestamp.SetToCurrentTime()
	return d, nil
}

// Reload re-reads the config files and swaps the config only when all of
// them are valid; on error the running config stays.
func (d *Daemon) Reload() error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	cfg, err := slo.LoadFiles(d.files...)
	if err == nil {
		err = d.Engine.SetConfig(cfg)
	}
	if err != nil {
		d.metrics.reloadSuccess.Set(0)
		d.metrics.reloads.WithLabelValues("failure").Inc()
		d.log.Error("config reload failed; keeping the running config", zap.Error(err))
		return err
	}
	d.metrics.reloadSuccess.Set(1)
	d.metrics.reloadTimestamp.SetToCurrentTime()
	d.metrics.reloads.WithLabelValues("success").Inc()
	d.log.Info("config reloaded", zap.Int("slos", len(cfg.SLOs)))
	return nil
}

// Handler returns the HTTP routes.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(prometheus.Gatherers{d.sloReg, d.selfReg}, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/v1/slos", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"slos": d.Engine.Results()})
	})
	mux.HandleFunc("GET /api/v1/slos/{name}", func(w http.ResponseWriter, r *http.Request) {
		res, ok := d.Engine.Result(r.PathValue("name"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no SLO named %q has been evaluated", r.PathValue("name"))})
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
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
	reload := func(w http.ResponseWriter, r *http.Request) {
		if err := d.Reload(); err != nil {
			http.Error(w, "config reload failed, the previous config stays in use:\n"+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Config reloaded.")
	}
	mux.HandleFunc("POST /-/reload", reload)
	mux.HandleFunc("PUT /-/reload", reload)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if d.StatusPage != nil {
			d.StatusPage.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = landing.Execute(w, nil)
	})
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

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
