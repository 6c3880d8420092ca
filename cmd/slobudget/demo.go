package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/demo"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/slo"
	"github.com/slobudget/slobudget/statuspage"
)

func init() { commandFactories = append(commandFactories, newDemoCmd) }

type demoCmd struct {
	web      webFlags
	log      logFlags
	path     *string
	keep     *bool
	interval *time.Duration
	traffic  *time.Duration
}

func newDemoCmd(app *kingpin.Application) command {
	c := app.Command("demo", "Run serve on an embedded Prometheus TSDB filled with a month of generated traffic for example SLOs; no outside services.")
	return &demoCmd{
		web:      addWebFlags(c),
		log:      addLogFlags(c),
		path:     c.Flag("storage.path", "Directory for the demo's config and TSDB (default: a new temporary directory). Created if missing; an earlier demo's data there is replaced.").String(),
		keep:     c.Flag("storage.keep", "Keep the data directory on exit (it is removed otherwise).").Bool(),
		interval: c.Flag("eval.interval", "Evaluation interval; must divide 5m (10s, 15s, 30s, 1m, 5m).").Default("15s").Duration(),
		traffic:  c.Flag("traffic.interval", "How often live traffic is generated.").Default("15s").Duration(),
	}
}

func (c *demoCmd) name() string { return "demo" }

func (c *demoCmd) run(stdout, stderr io.Writer) int {
	began := time.Now()
	logger, slogger, err := newLogger(*c.log.level, *c.log.format, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	// Checked before a month of history is written for nothing.
	if err := slo.CheckStep(*c.interval); err != nil {
		fmt.Fprintln(stderr, "--eval.interval:", err)
		return 2
	}
	if *c.traffic < time.Second {
		fmt.Fprintln(stderr, "--traffic.interval must be at least 1s")
		return 2
	}

	dir := *c.path
	if dir == "" {
		if dir, err = os.MkdirTemp("", "slobudget-demo-"); err != nil {
			fmt.Fprintln(stderr, "creating the demo's data directory:", err)
			return 1
		}
	}
	defer func() {
		if *c.keep {
			logger.Info("demo data kept", zap.String("dir", dir))
			return
		}
		if err := os.RemoveAll(dir); err != nil {
			logger.Error("removing the demo's data", zap.String("dir", dir), zap.Error(err))
		}
	}()

	dm, err := demo.Open(context.Background(), demo.Options{Dir: dir, Logger: logger, Seed: uint64(began.UnixNano())})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer dm.Close()

	d, err := exporter.NewDaemon(exporter.DaemonOptions{
		ConfigFiles: []string{dm.ConfigFile}, Source: dm.Querier, Step: *c.interval, Logger: logger,
		EnableLifecycle: *c.web.lifecycle, MaxRequestsInFlight: *c.web.maxInFlight,
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	d.StatusPage = d.NewStatusPage(statuspage.Options{EvalInterval: *c.interval})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		dm.RunTraffic(ctx, *c.traffic)
	}()
	go func() {
		defer wg.Done()
		announceWhenReady(ctx, d, stdout, logger, began, demoURL((*c.web.listen)[0], *c.web.configFile != ""), dir, *c.keep, *c.web.lifecycle)
	}()
	code := serveDaemon(d, c.web, logger, slogger)
	// The traffic loop appends to the TSDB: stop it before the TSDB closes.
	cancel()
	wg.Wait()
	return code
}

// announceWhenReady prints where to look once the first evaluation is done,
// with the measured start-up time.
func announceWhenReady(ctx context.Context, d *exporter.Daemon, out io.Writer, logger *zap.Logger, began time.Time, url, dir string, keep, lifecycle bool) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !d.Engine.Ready() {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	took := time.Since(began)
	logger.Info("demo ready", zap.Duration("startup", took.Round(time.Millisecond)), zap.String("url", url))
	var b strings.Builder
	fmt.Fprintf(&b, "\nslobudget demo is ready after %.1fs: %s\n\n", took.Seconds(), url)
	fmt.Fprintf(&b, "  %s              the status page: every SLO, worst first\n", url)
	fmt.Fprintf(&b, "  %smetrics       the slo_* series: budgets, burn rates, alerts, policy state, freeze\n", url)
	fmt.Fprintf(&b, "  %sapi/v1/slos   the same numbers as JSON\n\n", url)
	b.WriteString("Five example SLOs over a generated 30-day history, with live traffic added as you watch:\n")
	for _, s := range demo.Story {
		fmt.Fprintf(&b, "  %-19s %s\n", s.SLO, s.Shows)
	}
	cfg := dir + string(os.PathSeparator) + demo.ConfigFileName
	if lifecycle {
		fmt.Fprintf(&b, "\nConfig: %s (edit it, then POST %s-/reload or send SIGHUP).\n", cfg, url)
	} else {
		fmt.Fprintf(&b, "\nConfig: %s (edit it, then send SIGHUP; --web.enable-lifecycle also allows POST %s-/reload).\n", cfg, url)
	}
	if keep {
		fmt.Fprintf(&b, "Data: %s (kept on exit). Stop with Ctrl-C.\n\n", dir)
	} else {
		fmt.Fprintf(&b, "Data: %s (removed on exit; --storage.keep keeps it). Stop with Ctrl-C.\n\n", dir)
	}
	_, _ = io.WriteString(out, b.String())
}

// demoURL turns a listen address into a URL a browser can open.
func demoURL(listen string, webConfig bool) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	scheme := "http"
	if webConfig {
		// The web config may turn on TLS; the demo cannot tell cheaply.
		scheme = "http(s)"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/"
}
