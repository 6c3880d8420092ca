// Command slobudget evaluates SLOs against Prometheus, exports error budgets,
// burn rates and feature-freeze decisions, and generates rules and dashboards.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"
)

func main() {
	if version.Version == "" {
		version.Version = "dev"
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args and runs the chosen command, returning the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "--version" {
			fmt.Fprintln(stdout, version.Print("slobudget"))
			return 0
		}
	}
	app := kingpin.New("slobudget", "Exact error budgets, burn rates and feature-freeze decisions from Prometheus SLIs.")
	app.Version(version.Print("slobudget"))
	app.HelpFlag.Short('h')
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	// kingpin calls Terminate after printing --help or --version; stop
	// there instead of running the command.
	stopped := false
	app.Terminate(func(int) { stopped = true })

	cmds := []command{
		newServeCmd(app),
		newCheckCmd(app),
		newReportCmd(app),
		newVersionCmd(app),
	}
	cmds = append(cmds, extraCommands(app)...)
	chosen, err := app.Parse(args)
	if stopped {
		return 0 // --help or --version already printed
	}
	if err != nil {
		fmt.Fprintf(stderr, "slobudget: %v (try --help)\n", err)
		return 2
	}
	if chosen == "" {
		return 0
	}
	for _, c := range cmds {
		if c.name() == chosen {
			return c.run(stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "slobudget: unknown command %q\n", chosen)
	return 2
}

// command is one subcommand: it registers its flags when built and runs
// after parsing.
type command interface {
	name() string
	run(stdout, stderr io.Writer) int
}

type versionCmd struct{}

func newVersionCmd(app *kingpin.Application) command {
	app.Command("version", "Print version, revision and Go version.")
	return versionCmd{}
}

func (versionCmd) name() string { return "version" }

func (versionCmd) run(stdout, _ io.Writer) int {
	fmt.Fprintln(stdout, version.Print("slobudget"))
	return 0
}
