package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/alecthomas/units"
	"github.com/prometheus/exporter-toolkit/web"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/slo"
	"github.com/slobudget/slobudget/statuspage"
)

// logFlags are --log.level and --log.format, shared by the long-running commands.
type logFlags struct {
	level, format *string
}

func addLogFlags(c *kingpin.CmdClause) logFlags {
	return logFlags{
		level:  c.Flag("log.level", "Only log messages at or above this level: debug, info, warn, error.").Default("info").Enum("debug", "info", "warn", "error"),
		format: c.Flag("log.format", "Log format: logfmt or json.").Default("logfmt").Enum("logfmt", "json"),
	}
}

// promFlags say how to reach Prometheus.
type promFlags struct {
	url, httpConfig *string
	flavor          *string
	timeout         *time.Duration
	concurrency     *int
	maxResponse     *units.Base2Bytes
}

func addPromFlags(c *kingpin.CmdClause) promFlags {
	return promFlags{
		url:        c.Flag("prometheus.url", "Prometheus-compatible query API base URL (Prometheus, Thanos Query, Mimir/Cortex with its prefix).").Required().String(),
		httpConfig: c.Flag("prometheus.http-config.file", "Optional YAML in Prometheus's http_config format: bearer_token_file, basic_auth, tls_config, http_headers (e.g. X-Scope-OrgID), proxy_url.").ExistingFile(),
		flavor: c.Flag("backend.flavor", "What serves --prometheus.url: prometheus, victoriametrics (staleness markers found in hourly reads), thanos (partial_response=false sent) or mimir (Mimir/Cortex).").
			Default(string(backend.FlavorPrometheus)).Enum(backend.Flavors...),
		timeout:     c.Flag("prometheus.timeout", "Timeout of one query.").Default("30s").Duration(),
		concurrency: c.Flag("query.concurrency", "Maximum queries in flight to Prometheus.").Default("8").Int(),
		maxResponse: c.Flag("prometheus.max-response-size", "Largest answer accepted from Prometheus (after decompression); a larger one fails its query.").Default("64MiB").Bytes(),
	}
}

func (p promFlags) options() backend.Options {
	return backend.Options{URL: *p.url, HTTPConfigFile: *p.httpConfig, Flavor: *p.flavor, Timeout: *p.timeout, Concurrency: *p.concurrency,
		MaxResponseBytes: int64(*p.maxResponse)}
}

// webFlags are the --web.* flags.
type webFlags struct {
	listen      *[]string
	configFile  *string
	lifecycle   *bool
	maxInFlight *int
	pprof       *bool
}

func addWebFlags(c *kingpin.CmdClause) webFlags {
	return webFlags{
		listen:     c.Flag("web.listen-address", "Address to listen on; repeatable.").Default(":9912").Strings(),
		configFile: c.Flag("web.config.file", "Exporter-toolkit web config (TLS, basic auth).").Default("").String(),
		lifecycle:  c.Flag("web.enable-lifecycle", "Enable POST /-/reload (off by default, as in Prometheus; SIGHUP always reloads). Cross-site requests and form bodies are refused.").Default("false").Bool(),
		maxInFlight: c.Flag("web.max-requests-in-flight", "Pages (/metrics, API, status page) served at once; beyond, requests get 503 at once.").
			Default(fmt.Sprint(exporter.DefaultMaxRequestsInFlight)).Int(),
		pprof: c.Flag("web.enable-pprof", "Serve Go's runtime profiles under /debug/pprof/ (heap, goroutine, CPU; off by default: they show internals and a CPU profile costs CPU). Behind the same --web.config.file TLS and auth as every page.").
			Default("false").Bool(),
	}
}

// withPprof adds Go's profiling endpoints under /debug/pprof/ in front of h.
// The command-line endpoint is left out: it would show --prometheus.url with
// its user info unredacted.
func withPprof(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.Handle("/", h)
	return mux
}

type serveCmd struct {
	files      *[]string
	exclusions *[]string
	prom       promFlags
	web        webFlags
	log        logFlags
	interval   *time.Duration
	// statePath is --storage.path, the state file's directory.
	statePath *string
	shards    *int
	shardIdx  *int
	memLimit  *string
	batch     *bool
}

func newServeCmd(app *kingpin.Application) command {
	c := app.Command("serve", "Evaluate every SLO on a loop; serve /metrics, the JSON API and a status page.")
	return &serveCmd{
		files:      configFlag(c),
		exclusions: exclusionsFlag(c),
		prom:       addPromFlags(c),
		web:        addWebFlags(c),
		log:        addLogFlags(c),
		interval:   c.Flag("eval.interval", "Evaluation interval; must divide 5m (10s, 15s, 30s, 1m, 5m).").Default("30s").Duration(),
		shards: c.Flag("shard.total", "Split the SLOs across this many replicas; each evaluates and serves the SLOs whose name's FNV-1a hash modulo N is its --shard.index.").
			Default("1").Int(),
		shardIdx: c.Flag("shard.index", "This replica's shard, 0 to --shard.total − 1.").Default("0").Int(),
		memLimit: c.Flag("memory.limit", "Soft limit of the Go heap (Go's runtime/debug.SetMemoryLimit): the garbage collector runs more often as the heap nears it, trading CPU for memory; it never fails an allocation. auto: 1.4 times the live heap, re-read every 2s (at least 64MiB), from the end of the first full evaluation on (the start-up runs under Go's default GOGC), so RSS follows the number of SLOs; a size (350MiB): that fixed limit; 0: none. A GOMEMLIMIT in the environment wins over auto.").
			Default("auto").String(),
		batch: c.Flag("query.batch", "Join the raw reads of selectors that share a metric name and a time range into one query per few hundred selectors, each selector getting exactly its own series (--no-query.batch: one query per selector).").
			Default("true").Bool(),
		statePath: c.Flag("storage.path", "Directory of the state file that keeps completed hourly totals, so a restart asks Prometheus only for the hours since the last run instead of every window's history (checked against Prometheus on start; losing it only costs a cold start). Empty: no state file.").Default("").String(),
	}
}

func (c *serveCmd) name() string { return "serve" }

func (c *serveCmd) run(_, stderr io.Writer) int {
	logger, slogger, err := newLogger(*c.log.level, *c.log.format, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	// auto follows the live heap once the first full evaluation is done
	// (started is closed then, below): the start-up's growing heap would
	// otherwise collect back to back (memlimit.Auto.Follow).
	started := make(chan struct{})
	stopMemLimit, err := applyMemoryLimit(*c.memLimit, started)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer stopMemLimit()
	d, err := exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: *c.files, ExclusionFiles: *c.exclusions, Backend: c.prom.options(), Step: *c.interval, Logger: logger,
		EnableLifecycle: *c.web.lifecycle, MaxRequestsInFlight: *c.web.maxInFlight, StatePath: *c.statePath,
		Shard: slo.Shard{Index: *c.shardIdx, Total: *c.shards}, Batch: *c.batch,
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	stopStarted := make(chan struct{})
	defer close(stopStarted)
	go func() {
		select {
		case <-d.Engine.ReadyC():
			close(started)
		case <-stopStarted:
		}
	}()
	d.StatusPage = d.NewStatusPage(statuspage.Options{EvalInterval: *c.interval})
	defer func() {
		if err := d.Close(); err != nil {
			logger.Error("writing the state file", zap.Error(err))
		}
	}()
	return serveDaemon(d, c.web, logger, slogger)
}

// serveDaemon runs the evaluation loop and the HTTP server until SIGINT or
// SIGTERM; SIGHUP reloads the config.
func serveDaemon(d *exporter.Daemon, wf webFlags, logger *zap.Logger, slogger *slog.Logger) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			_ = d.Reload()
		}
	}()
	go d.Engine.Run(ctx)
	if d.StatusPage == nil {
		// Commands that did not set up their own page (demo) get the default.
		d.StatusPage = d.NewStatusPage(statuspage.Options{})
	}

	// A client that cannot take a page within a minute gives its slot back.
	handler := d.Handler()
	if *wf.pprof {
		handler = withPprof(handler)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() {
		errc <- web.ListenAndServe(srv, &web.FlagConfig{WebListenAddresses: wf.listen, WebConfigFile: wf.configFile, WebSystemdSocket: new(bool)}, slogger)
	}()
	logger.Info("slobudget serving", zap.Strings("listen", *wf.listen))
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("HTTP server failed", zap.Error(err))
			return 1
		}
	case <-ctx.Done():
		logger.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}
	return 0
}
