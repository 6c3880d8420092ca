package main

import (
	"fmt"
	"io"

	"github.com/alecthomas/kingpin/v2"

	"github.com/slobudget/slobudget/slo"
)

type checkCmd struct {
	files *[]string
}

func newCheckCmd(app *kingpin.Application) command {
	c := app.Command("check", "Validate config files: exit 0 when valid, 1 printing every error with its file and line.")
	return &checkCmd{files: configFlag(c)}
}

func configFlag(c *kingpin.CmdClause) *[]string {
	return c.Flag("config.file", "SLO config file (YAML); repeat for several files.").Required().ExistingFiles()
}

func (c *checkCmd) name() string { return "check" }

func (c *checkCmd) run(stdout, stderr io.Writer) int {
	cfg, err := slo.LoadFiles(*c.files...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%d SLOs in %d file(s) are valid.\n", len(cfg.SLOs), len(*c.files))
	return 0
}
