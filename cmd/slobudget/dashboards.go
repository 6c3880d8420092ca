package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/alecthomas/kingpin/v2"

	"github.com/slobudget/slobudget/dashboards"
	"github.com/slobudget/slobudget/slo"
)

func init() { commandFactories = append(commandFactories, newDashboardsCmd) }

type dashboardsCmd struct {
	files       *[]string
	outDir      *string
	uidPrefix   *string
	titlePrefix *string
}

func newDashboardsCmd(app *kingpin.Application) command {
	c := app.Command("dashboards", "Write Grafana dashboards (an overview and an SLO detail dashboard) as JSON files.")
	return &dashboardsCmd{
		files:       configFlag(c),
		outDir:      c.Flag("output.dir", "Directory to write the dashboard JSON files to; created if missing.").Required().String(),
		uidPrefix:   c.Flag("dashboard.uid-prefix", "Start of every dashboard uid; give each installation its own when several share one Grafana.").Default("slobudget").String(),
		titlePrefix: c.Flag("dashboard.title-prefix", "Text put before every dashboard title.").Default("").String(),
	}
}

func (c *dashboardsCmd) name() string { return "dashboards" }

func (c *dashboardsCmd) run(stdout, stderr io.Writer) int {
	cfg, err := slo.LoadFiles(*c.files...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	files, err := dashboards.Generate(cfg, dashboards.Options{UIDPrefix: *c.uidPrefix, TitlePrefix: *c.titlePrefix})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := dashboards.WriteDir(*c.outDir, files); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "wrote %s (uid %s)\n", filepath.Join(*c.outDir, f.Name), f.UID)
	}
	return 0
}
