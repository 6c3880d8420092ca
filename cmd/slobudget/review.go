package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/counting"
	"github.com/slobudget/slobudget/history"
	"github.com/slobudget/slobudget/review"
	"github.com/slobudget/slobudget/slo"
)

func init() { commandFactories = append(commandFactories, newReviewCmd) }

// reviewCmd is `slobudget review`: flags, the history reader, review.Compute
// and review.Write; every figure is worked out in package review.
type reviewCmd struct {
	files      *[]string
	exclusions *[]string
	prom       promFlags
	since      *string
	at         *string
	format     *string
	output     *string
	timezone   *string
	slos       *[]string
	whatIf     whatIfFlags
}

func newReviewCmd(app *kingpin.Application) command {
	c := app.Command("review", "The quarterly SLO review: per SLO the SLI per month, incidents and postmortems, on-call load, "+
		"time in each policy state, the objective the history supports and a verdict (tighten, loosen, keep); and the portfolio.")
	return &reviewCmd{
		files:      configFlag(c),
		exclusions: exclusionsFlag(c),
		prom:       addPromFlags(c),
		since:      c.Flag("since", "Length of the period reviewed, ending at --time (90d, 26w, 1y).").Default("90d").String(),
		at:         c.Flag("time", "End of the period, RFC3339, cut to the whole hour (default: now, cut to the whole hour).").String(),
		format:     enumFlag(c, "format", "Output format", review.Formats...),
		output:     c.Flag("output", "Write the review to this file instead of stdout.").PlaceHolder("FILE").String(),
		timezone:   c.Flag("timezone", "Time zone of months, weeks and days (IANA name, e.g. Europe/Berlin).").Default("UTC").String(),
		slos:       c.Flag("slo", "Review only this SLO (repeatable); a name the config does not define is an error.").PlaceHolder("NAME").Strings(),
		whatIf:     addWhatIfFlags(c),
	}
}

func (c *reviewCmd) name() string { return "review" }

func (c *reviewCmd) run(stdout, stderr io.Writer) int {
	in, code := c.input(stderr)
	if code != exitOK {
		return code
	}
	cfg, err := slo.Load(slo.LoadOptions{ConfigFiles: *c.files, ExclusionFiles: *c.exclusions})
	if err == nil {
		cfg, err = cfg.SelectSLOs(*c.slos)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	src, err := backend.NewPrometheus(c.prom.options())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	for i := range cfg.SLOs {
		def := &cfg.SLOs[i]
		pol, ok := cfg.PolicyByName(def.Policy)
		if !ok {
			fmt.Fprintf(stderr, "slo %q: policy %q is not defined\n", def.Name, def.Policy)
			return exitError
		}
		if len(def.Grouping) > 0 {
			fmt.Fprintf(stderr, "slo %q: review does not split grouped SLOs yet; its events are reviewed as one SLO\n", def.Name)
		}
		in.SLOs = append(in.SLOs, review.SLOInput{SLO: *def, Policy: *pol})
	}
	if err := readHistories(context.Background(), src, &in, cfg.Exclusions, *c.prom.concurrency); err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	rv, err := review.Compute(in)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	out := stdout
	if *c.output != "" {
		f, err := os.Create(*c.output)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitError
		}
		defer f.Close()
		out = f
	}
	if err := review.Write(out, *c.format, rv); err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	return exitOK
}

// input reads the flags that shape the period: a malformed one is a usage
// error (exit 2).
func (c *reviewCmd) input(stderr io.Writer) (review.Input, int) {
	var in review.Input
	since, err := model.ParseDuration(*c.since)
	if err != nil || since <= 0 {
		usage(stderr, "review", "--since=%s is not a duration such as 90d", *c.since)
		return in, exitUsage
	}
	to := time.Now()
	if *c.at != "" {
		if to, err = time.Parse(time.RFC3339, *c.at); err != nil {
			usage(stderr, "review", "--time: %v", err)
			return in, exitUsage
		}
	}
	// Hourly buckets are exact on hour edges: the period ends on one.
	in.To = to.UTC().Truncate(time.Hour)
	in.From = in.To.Add(-time.Duration(since))
	if in.From.UnixMilli()%history.FineStep.Milliseconds() != 0 {
		usage(stderr, "review", "--since=%s is not a multiple of 5m", *c.since)
		return in, exitUsage
	}
	if in.Location, err = time.LoadLocation(*c.timezone); err != nil {
		usage(stderr, "review", "--timezone=%s: %v", *c.timezone, err)
		return in, exitUsage
	}
	obj, win, err := c.whatIf.parse()
	if err != nil {
		usage(stderr, "review", "%v", err)
		return in, exitUsage
	}
	if c.whatIf.set() {
		in.WhatIf = &review.WhatIf{Objective: obj, Window: win}
	}
	return in, exitOK
}

// readHistories reads every SLO's history, several SLOs at once (the
// backend client bounds the queries in flight); the first error wins.
func readHistories(ctx context.Context, src backend.Source, in *review.Input, exclusions []slo.Exclusion, parallel int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, max(1, parallel))
	errs := make([]error, len(in.SLOs))
	var wg sync.WaitGroup
	for i := range in.SLOs {
		si := &in.SLOs[i]
		// A calendar window reaches back to its period's start: up to its
		// longest period (31 days and the hour a daylight-saving change
		// adds) before the review's first hour.
		window := si.SLO.Window.Duration
		if si.SLO.Window.IsCalendar() {
			window = si.SLO.Window.Longest() + time.Hour
		}
		if in.WhatIf != nil {
			window = max(window, in.WhatIf.Window)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := history.ForReview(in.From, in.To, window)
			r.Exclusions = counting.SpansFor(si.SLO.Name, exclusions)
			r.Periods = []slo.Periods{slo.MonthPeriods(in.Location), si.SLO.Window.CalendarPeriods()}
			h, err := history.Read(ctx, src, &si.SLO, r)
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			si.Hourly, si.Fine, si.Cuts = h.Hourly, h.Fine, h.Cuts
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}
