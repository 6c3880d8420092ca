package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

type reportCmd struct {
	files      *[]string
	exclusions *[]string
	prom       promFlags
	format     *string
	wide       *bool
	slos       *[]string
	at         *string
	log        logFlags
	whatIf     whatIfFlags
}

func newReportCmd(app *kingpin.Application) command {
	c := app.Command("report", "Evaluate every SLO once and print budgets, states, burn and forecast.")
	return &reportCmd{
		files:      configFlag(c),
		exclusions: exclusionsFlag(c),
		prom:       addPromFlags(c),
		format:     enumFlag(c, "format", "Output format", report.Formats...),
		wide:       c.Flag("wide", "Show every column (service, events, outage time, feature share, coverage, every burn window) instead of the 120-column table.").Bool(),
		slos:       c.Flag("slo", "Report only this SLO (repeatable); a name the config does not define is an error.").PlaceHolder("NAME").Strings(),
		at:         c.Flag("time", "Evaluation time, RFC3339 (default: now).").String(),
		log:        addLogFlags(c),
		whatIf:     addWhatIfFlags(c),
	}
}

func (c *reportCmd) name() string { return "report" }

func (c *reportCmd) run(stdout, stderr io.Writer) int {
	logger, _, err := newLogger(*c.log.level, *c.log.format, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	at := time.Now()
	if *c.at != "" {
		if at, err = time.Parse(time.RFC3339, *c.at); err != nil {
			fmt.Fprintf(stderr, "--time: %v\n", err)
			return 2
		}
	}
	objective, window, err := c.whatIf.parse()
	if err != nil {
		usage(stderr, "report", "%v", err)
		return exitUsage
	}
	cfg, err := slo.Load(slo.LoadOptions{ConfigFiles: *c.files, ExclusionFiles: *c.exclusions})
	if err == nil {
		cfg, err = cfg.SelectSLOs(*c.slos)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	src, err := backend.NewPrometheus(c.prom.options())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	eng, err := engine.New(cfg, engine.Options{Source: src, Logger: logger, OneShot: true, Concurrency: *c.prom.concurrency})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	failed := eng.EvaluateAt(context.Background(), at)
	opts := report.Options{Format: *c.format, Wide: *c.wide}
	if c.whatIf.set() {
		wi, n, err := evaluateWhatIf(cfg, src, logger, *c.prom.concurrency, at, objective, window)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		failed += n
		err = report.WriteWhatIf(stdout, eng.Results(), wi, eng.Instant(at), opts)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	} else if err := report.Write(stdout, eng.Results(), eng.Instant(at), opts); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "%d SLO(s) could not be evaluated; see their errors above\n", failed)
		return 1
	}
	return 0
}

// evaluateWhatIf evaluates the config again under the other objective or
// window, at the same instant, with its own engine: the same counting and
// policy rules as the real figures.
func evaluateWhatIf(cfg *slo.Config, src backend.Source, logger *zap.Logger, concurrency int, at time.Time,
	objective float64, window time.Duration) (report.WhatIf, int, error) {
	wi := report.WhatIf{ObjectivePercent: objective}
	if window != 0 {
		wi.Window = slo.WindowLabel(window)
	}
	eng, err := engine.New(whatIfConfig(cfg, objective, window), engine.Options{Source: src, Logger: logger, OneShot: true, Concurrency: concurrency})
	if err != nil {
		return wi, 0, fmt.Errorf("what-if: %w", err)
	}
	failed := eng.EvaluateAt(context.Background(), at)
	wi.SLOs = eng.Results()
	return wi, failed, nil
}
