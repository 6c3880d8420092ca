// Package exporter is what slobudget serves: the SLO metrics collector, the
// JSON API, the HTTP routes, slobudget's own metrics, and the daemon that
// wires a config, a backend and an engine together.
package exporter

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/statefile"
	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/slo"
)

// Daemon wires an engine, its config files and its HTTP endpoints.
type Daemon struct {
	Engine *engine.Engine
	files  []string
	// exclusionFiles are --exclusions.file, re-read with the config.
	exclusionFiles []string
	log            *zap.Logger
	metrics        *selfMetrics
	selfReg        *prometheus.Registry
	sloReg         *prometheus.Registry
	reloadMu       sync.Mutex
	// lifecycle enables POST /-/reload (--web.enable-lifecycle).
	lifecycle   bool
	maxInFlight int
	handlerOnce sync.Once
	handler     http.Handler
	// StatusPage, when set, serves "/" instead of the plain landing page.
	StatusPage http.Handler
	// state is the --storage.path state file, nil without one.
	state *statefile.Store
	scope *shardScope
}

// DaemonOptions configures a Daemon.
type DaemonOptions struct {
	ConfigFiles []string
	// ExclusionFiles hold agreed exclusions (--exclusions.file); they are
	// read again on every reload, like the config files.
	ExclusionFiles []string
	// Backend says how to reach Prometheus; ignored when Source is set.
	Backend backend.Options
	// Source overrides the backend client (the demo's embedded engine).
	Source backend.Source
	Step   time.Duration
	Logger *zap.Logger
	// EnableLifecycle turns on POST /-/reload (--web.enable-lifecycle, off
	// by default as in Prometheus); SIGHUP always reloads.
	EnableLifecycle bool
	// MaxRequestsInFlight bounds the pages served at once (default
	// DefaultMaxRequestsInFlight); beyond it requests get 503.
	MaxRequestsInFlight int
	// StatePath is --storage.path: completed hourly totals are kept there
	// so a restart does not read the whole window again. Empty: none.
	StatePath string
	// Shard limits the daemon to one shard's SLOs (--shard.total,
	// --shard.index; shard.go). The zero value evaluates every SLO.
	Shard slo.Shard
	// Batch joins raw reads of one metric name into shared queries
	// (--query.batch, backend.Batcher; batch.go).
	Batch bool
}

// NewDaemon loads the config and builds the engine. A config error here is
// fatal: there is no last good config to fall back to.
func NewDaemon(o DaemonOptions) (*Daemon, error) {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.MaxRequestsInFlight <= 0 {
		o.MaxRequestsInFlight = DefaultMaxRequestsInFlight
	}
	if err := o.Shard.Check(); err != nil {
		return nil, err
	}
	d := &Daemon{files: o.ConfigFiles, exclusionFiles: o.ExclusionFiles, log: o.Logger, lifecycle: o.EnableLifecycle, maxInFlight: o.MaxRequestsInFlight,
		selfReg: prometheus.NewRegistry(), sloReg: prometheus.NewRegistry(), scope: &shardScope{shard: o.Shard}}
	d.metrics = newSelfMetrics(d.selfReg)
	d.selfReg.MustRegister(
		versioncollector.NewCollector("slobudget"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		d.scope,
	)
	cfg, err := d.load()
	if err != nil {
		return nil, err
	}
	cfg, recordShard := d.scope.filter(cfg)
	src := o.Source
	backendURL := "(embedded)"
	if src == nil {
		bo := o.Backend
		bo.Observe = d.metrics.observeQuery
		p, err := backend.NewPrometheus(bo)
		if err != nil {
			return nil, err
		}
		src, backendURL = p, p.URL()
	}
	concurrency := o.Backend.Concurrency
	if o.Batch {
		src, concurrency = d.withBatcher(src, o.Backend)
	}
	if src, err = d.withStateFile(src, o.StatePath, backendURL); err != nil {
		return nil, err
	}
	d.Engine, err = engine.New(cfg, engine.Options{
		Source: src, Logger: o.Logger, Step: o.Step, Concurrency: concurrency, Observer: d.metrics,
	})
	if err != nil {
		return nil, err
	}
	if d.state != nil {
		// The state file is written from the end of the start-up's reads
		// on (and on Close), not while they compete for the CPU.
		d.state.HoldFlushesUntil(d.Engine.ReadyC())
	}
	recordShard()
	d.sloReg.MustRegister(sloCollector{engine: d.Engine})
	d.log.Info("config loaded", zap.Strings("files", o.ConfigFiles), zap.Int("slos", len(cfg.SLOs)),
		zap.Int("policies", len(cfg.Policies)), zap.String("prometheus", backendURL), zap.Duration("interval", o.Step),
		zap.String("shard", d.scope.describe()))
	d.metrics.reloadSuccess.Set(1)
	d.metrics.reloadTimestamp.SetToCurrentTime()
	return d, nil
}

// load reads the config and exclusion files.
func (d *Daemon) load() (*slo.Config, error) {
	return slo.Load(slo.LoadOptions{ConfigFiles: d.files, ExclusionFiles: d.exclusionFiles})
}

// Reload re-reads the config files and swaps the config only when all of
// them are valid; on error the running config stays.
func (d *Daemon) Reload() error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	cfg, err := d.load()
	old := d.Engine.Config()
	if err == nil {
		// Only this shard's SLOs reach the engine (shard.go).
		var recordShard func()
		cfg, recordShard = d.scope.filter(cfg)
		if err = d.Engine.SetConfig(cfg); err == nil {
			recordShard()
		}
	}
	if err != nil {
		d.metrics.reloadSuccess.Set(0)
		d.metrics.reloads.WithLabelValues("failure").Inc()
		d.log.Error("config reload failed; keeping the running config", zap.Error(err))
		return err
	}
	d.metrics.forgetRemoved(old, cfg)
	d.metrics.reloadSuccess.Set(1)
	d.metrics.reloadTimestamp.SetToCurrentTime()
	d.metrics.reloads.WithLabelValues("success").Inc()
	d.log.Info("config reloaded", zap.Int("slos", len(cfg.SLOs)))
	return nil
}
