package main

import (
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kingpin/v2"

	"github.com/slobudget/slobudget/slo"
)

func init() { commandFactories = append(commandFactories, newConvertCmd) }

type convertCmd struct {
	files, exclusions *[]string
	output            *string
}

func newConvertCmd(app *kingpin.Application) command {
	c := app.Command("convert", "Write slobudget's native config for any accepted input (Sloth, Pyrra, OpenSLO or native), with comments where the mapping changed meaning.")
	return &convertCmd{
		files:      configFlag(c),
		exclusions: exclusionsFlag(c),
		output:     c.Flag("output", "Write to this file instead of stdout.").String(),
	}
}

func (c *convertCmd) name() string { return "convert" }

func (c *convertCmd) run(stdout, stderr io.Writer) int {
	cfg, err := slo.Load(slo.LoadOptions{ConfigFiles: *c.files, ExclusionFiles: *c.exclusions})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	out, err := slo.EncodeNative(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *c.output == "" {
		stdout.Write(out)
		return 0
	}
	if err := os.WriteFile(*c.output, out, 0o644); err != nil {
		fmt.Fprintf(stderr, "writing %s: %v\n", *c.output, err)
		return 1
	}
	fmt.Fprintf(stderr, "wrote %s to %s\n", pluralSLOs(len(cfg.SLOs)), *c.output)
	return 0
}

func pluralSLOs(n int) string { return plural(n, "SLO", "SLOs") }
