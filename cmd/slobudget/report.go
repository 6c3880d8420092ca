package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/alecthomas/kingpin/v2"

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
	if err := report.Write(stdout, eng.Results(), eng.Instant(at), report.Options{Format: *c.format, Wide: *c.wide}); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "%d SLO(s) could not be evaluated; see their errors above\n", failed)
		return 1
	}
	return 0
}
