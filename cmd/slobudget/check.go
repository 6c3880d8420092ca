package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/alecthomas/kingpin/v2"

	"github.com/slobudget/slobudget/slo"
)

type checkCmd struct {
	files      *[]string
	exclusions *[]string
}

func newCheckCmd(app *kingpin.Application) command {
	c := app.Command("check", "Validate config files: exit 0 when valid, 1 printing every error with its file and line.")
	return &checkCmd{files: configFlag(c), exclusions: exclusionsFlag(c)}
}

func configFlag(c *kingpin.CmdClause) *[]string {
	return c.Flag("config.file", "SLO config file (YAML: slobudget, Sloth, Pyrra or OpenSLO), or a directory of them (its *.yml and *.yaml files); repeat for several.").Required().ExistingFilesOrDirs()
}

// exclusionsFlag is --exclusions.file: files holding only `exclusions:`,
// checked together with the config.
func exclusionsFlag(c *kingpin.CmdClause) *[]string {
	return c.Flag("exclusions.file", "File with agreed exclusions (`exclusions:` only); repeatable.").ExistingFiles()
}

func (c *checkCmd) name() string { return "check" }

// checkGCPercent is the collector's target while check loads the config.
// Building the node trees of a big file is most of a check, and the process
// exits right after it: collecting a quarter as often saves about a fifth of
// the CPU of a 10 MB file for about 20% more peak memory (docs/benchmarks.md).
// A GOGC in the environment is left as the user set it.
const checkGCPercent = 400

func (c *checkCmd) run(stdout, stderr io.Writer) int {
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(checkGCPercent))
	}
	cfg, err := slo.Load(slo.LoadOptions{ConfigFiles: *c.files, ExclusionFiles: *c.exclusions})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	verb := "are"
	if len(cfg.SLOs) == 1 {
		verb = "is"
	}
	files, _ := slo.ExpandConfigPaths(*c.files) // Load reported any error
	fmt.Fprintf(stdout, "%s in %s %s valid", plural(len(cfg.SLOs), "SLO", "SLOs"), plural(len(files), "file", "files"), verb)
	if n := len(cfg.Exclusions); n > 0 {
		fmt.Fprintf(stdout, ", with %s", plural(n, "exclusion", "exclusions"))
	}
	fmt.Fprintln(stdout, ".")
	writeEstimates(stdout, cfg)
	return 0
}

// plural spells a count with its noun: "1 SLO", "3 SLOs".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
