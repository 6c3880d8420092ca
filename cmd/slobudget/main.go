// Command slobudget evaluates SLOs against Prometheus, exports error budgets,
// burn rates and feature-freeze decisions, and generates rules and dashboards.
//
// Exit codes, the same for every command:
//
//	0  success (and --help, help, version, or no command at all: usage)
//	1  the command ran and failed: an invalid config, an unreachable
//	   Prometheus, an SLO that could not be evaluated, an unknown --slo name
//	2  the command line is wrong: an unknown command or flag, a missing
//	   required flag, a malformed flag value; one line on stderr and a hint,
//	   never the whole usage
//
// Commands may add their own codes above 2 (a release gate's "frozen").
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"
)

const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	setVersionDefaults()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// setVersionDefaults fills what -ldflags did not set (a plain go build), so
// `version` says "unknown" instead of printing blanks.
func setVersionDefaults() {
	for _, v := range []*string{&version.Version, &version.Revision, &version.Branch, &version.BuildUser, &version.BuildDate} {
		if *v == "" {
			*v = "unknown"
		}
	}
	if version.Version == "unknown" {
		version.Version = "dev"
	}
}

// terminated is how kingpin's Terminate stops parsing after --help: kingpin
// would otherwise go on parsing, and print the usage a second time.
type terminated struct{ code int }

// run parses args and runs the chosen command, returning the exit code.
func run(args []string, stdout, stderr io.Writer) (code int) {
	app := kingpin.New("slobudget", "Exact error budgets, burn rates and feature-freeze decisions from Prometheus SLIs.")
	app.Version(version.Print("slobudget"))
	app.HelpFlag.Short('h')
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	app.Terminate(func(c int) { panic(terminated{c}) })
	defer func() {
		if r := recover(); r != nil {
			t, ok := r.(terminated)
			if !ok {
				panic(r)
			}
			code = exitOK // --help, help and --version print to stdout and succeed
			if t.code != 0 {
				code = exitUsage
			}
		}
	}()

	cmds := []command{
		newServeCmd(app),
		newCheckCmd(app),
		newReportCmd(app),
		newVersionCmd(app),
	}
	cmds = append(cmds, extraCommands(app)...)
	if len(args) == 0 {
		args = []string{"--help"} // no command asks for the overview; it is not a mistake
	}
	chosen, err := app.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "slobudget: %v; try '%s'\n", err, helpHint(app, args))
		return exitUsage
	}
	for _, c := range cmds {
		if c.name() == chosen {
			return c.run(stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "slobudget: unknown command %q; try 'slobudget --help'\n", chosen)
	return exitUsage
}

// helpHint names the help of the command the user was typing, when args
// name one, so the hint leads to the flags that command has.
func helpHint(app *kingpin.Application, args []string) string {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if app.GetCommand(a) != nil {
			return "slobudget " + a + " --help"
		}
		break
	}
	return "slobudget --help"
}

// enumFlag is a flag with a fixed set of values, the first the default; its
// help lists them, so --help answers "which formats are there?".
func enumFlag(c *kingpin.CmdClause, name, help string, values ...string) *string {
	help = fmt.Sprintf("%s: %s (default %s).", help, strings.Join(values, ", "), values[0])
	return c.Flag(name, help).Default(values[0]).PlaceHolder(strings.Join(values, "|")).Enum(values...)
}

// command is one subcommand: it registers its flags when built and runs
// after parsing.
type command interface {
	name() string
	run(stdout, stderr io.Writer) int
}

type versionCmd struct{}

func newVersionCmd(app *kingpin.Application) command {
	app.Command("version", "Print version, revision, branch, build user and date, Go version and platform.")
	return versionCmd{}
}

func (versionCmd) name() string { return "version" }

func (versionCmd) run(stdout, _ io.Writer) int {
	fmt.Fprintln(stdout, version.Print("slobudget"))
	return exitOK
}
