package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/api"

	"github.com/slobudget/slobudget/rules"
	"github.com/slobudget/slobudget/slo"
)

func init() {
	commandFactories = append(commandFactories, newRulesCmd, newRulesBackfillCmd)
}

// ruleFlags tune the generated rules; generation and backfill must agree on
// them, so both commands take the same flags.
type ruleFlags struct {
	interval, delay, continuity *time.Duration
	minBad                      *float64
}

func addRuleFlags(c *kingpin.CmdClause) ruleFlags {
	return ruleFlags{
		interval: c.Flag("rules.interval", "Evaluation interval of every generated group; must divide 5m.").Default(rules.DefaultInterval.String()).Duration(),
		delay:    c.Flag("rules.delay", "How far behind the evaluation instant raw counters are read, so scrapes in flight are not missed.").Default(rules.DefaultDelay.String()).Duration(),
		// rules/README.md's answer to Prometheus outages longer than the
		// default: the running sums survive a gap up to this long.
		continuity: c.Flag("rules.continuity", "Longest gap (Prometheus down, scrapes failing) the running sums and raw counter reads bridge; longer gaps restart the running sums.").Default(rules.DefaultContinuity.String()).Duration(),
		minBad:     c.Flag("rules.min-bad-events", "Minimum bad events in a burn alert's long window (low-traffic guard); 1 disables it.").Default(fmt.Sprint(rules.DefaultMinBadEvents)).Float64(),
	}
}

func (f ruleFlags) options(files []string) rules.Options {
	return rules.Options{Interval: *f.interval, Delay: *f.delay, Continuity: *f.continuity, MinBadEvents: *f.minBad, Sources: files}
}

type rulesCmd struct {
	files     *[]string
	format    *string
	source    *string
	engine    *string
	output    *string
	opName    *string
	opNS      *string
	opLabels  *map[string]string
	ruleFlags ruleFlags
}

func newRulesCmd(app *kingpin.Application) command {
	c := app.Command("rules", "Generate Prometheus recording and alerting rules (or a PrometheusRule object) from the SLOs.")
	return &rulesCmd{
		files:     configFlag(c),
		format:    enumFlag(c, "format", "Output, a Prometheus rule file or a prometheus-operator PrometheusRule object", string(rules.FormatPrometheus), string(rules.FormatOperator)),
		source:    enumFlag(c, "source", "What the alerts read: the raw counters through generated recording rules (no daemon needed; needs rules-backfill for long windows), or the metrics of a running `slobudget serve` (alerts only, right from the first scrape)", string(rules.SourceCounters), string(rules.SourceDaemon)),
		engine:    enumFlag(c, "rules.engine", "Rule evaluator to shape the rules for: prometheus (rules read what earlier rules of the same evaluation wrote) or vmalert (no rule reads a series written in the same evaluation; figures lag one more interval)", string(rules.EnginePrometheus), string(rules.EngineVMAlert)),
		output:    c.Flag("output", "Write to this file instead of stdout.").String(),
		opName:    c.Flag("operator.name", "metadata.name of the PrometheusRule object.").Default(rules.DefaultOperatorName).String(),
		opNS:      c.Flag("operator.namespace", "metadata.namespace of the PrometheusRule object (omitted when empty).").String(),
		opLabels:  c.Flag("operator.label", "metadata.labels entry of the PrometheusRule object, NAME=VALUE; repeatable (e.g. the label your Prometheus's ruleSelector picks).").StringMap(),
		ruleFlags: addRuleFlags(c),
	}
}

func (c *rulesCmd) name() string { return "rules" }

func (c *rulesCmd) run(stdout, stderr io.Writer) int {
	cfg, err := slo.LoadFiles(*c.files...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	opts := c.ruleFlags.options(*c.files)
	opts.Format = rules.Format(*c.format)
	opts.Source = rules.Source(*c.source)
	opts.Engine = rules.Engine(*c.engine)
	opts.Operator = rules.OperatorOptions{Name: *c.opName, Namespace: *c.opNS, Labels: *c.opLabels}
	// Streamed group by group (rules.Write); a file goes through a temporary
	// one so that a failed run leaves no partial rule file behind.
	if *c.output == "" {
		err = rules.Write(stdout, cfg, opts)
	} else {
		err = writeFileAtomically(*c.output, func(w io.Writer) error { return rules.Write(w, cfg, opts) })
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// writeFileAtomically writes path through a temporary file in the same
// directory, renamed over path only when write succeeded.
func writeFileAtomically(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing left to remove
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

type rulesBackfillCmd struct {
	files     *[]string
	url       *string
	outDir    *string
	history   *time.Duration
	ruleFlags ruleFlags
}

func newRulesBackfillCmd(app *kingpin.Application) command {
	c := app.Command("rules-backfill", "Write the history the generated recording rules need as a TSDB block, so windows are right from the first evaluation. Load the rules first; then move the block into Prometheus's data directory and restart it.")
	return &rulesBackfillCmd{
		files:     configFlag(c),
		url:       c.Flag("prometheus.url", "The Prometheus that evaluates the generated rules and holds the raw counters.").Required().String(),
		outDir:    c.Flag("output.dir", "Directory to write the block into.").Required().String(),
		history:   c.Flag("backfill.history", "How much history to write (default: the longest window the rules read). Windows longer than this count everything since the history starts.").Duration(),
		ruleFlags: addRuleFlags(c),
	}
}

func (c *rulesBackfillCmd) name() string { return "rules-backfill" }

func (c *rulesBackfillCmd) run(stdout, stderr io.Writer) int {
	cfg, err := slo.LoadFiles(*c.files...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	res, err := rules.Backfill(context.Background(), cfg, c.ruleFlags.options(*c.files), rules.BackfillOptions{
		PrometheusURL: *c.url, RoundTripper: api.Config{Address: *c.url}, OutputDir: *c.outDir, History: *c.history,
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, r := range res {
		fmt.Fprintf(stdout, "%s: %d samples from %s up to the first live sample at %s\n", r.SLO, r.Samples, r.From.UTC().Format(time.RFC3339), r.FirstLive.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "block written to %s: move it into Prometheus's data directory and restart Prometheus\n", *c.outDir)
	return 0
}
