package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/slo"
)

// whatIfFlags are --what-if.objective and --what-if.window, shared by report
// and review: the same counts judged under another target.
type whatIfFlags struct {
	objective *float64
	window    *string
}

func addWhatIfFlags(c *kingpin.CmdClause) whatIfFlags {
	return whatIfFlags{
		objective: c.Flag("what-if.objective", "Also show every figure under this objective in percent (99.5), side by side with the real one.").PlaceHolder("PERCENT").Float64(),
		window:    c.Flag("what-if.window", "Also show every figure under this rolling window (28d), side by side with the real one.").PlaceHolder("DURATION").String(),
	}
}

// parse returns the what-if target; zero values keep the SLO's own.
func (w whatIfFlags) parse() (objective float64, window time.Duration, err error) {
	objective = *w.objective
	if objective != 0 && (objective <= 0 || objective >= 100) {
		return 0, 0, fmt.Errorf("--what-if.objective=%g: an objective is a percentage between 0 and 100, such as 99.5", objective)
	}
	if *w.window != "" {
		d, err := model.ParseDuration(*w.window)
		if err != nil {
			return 0, 0, fmt.Errorf("--what-if.window=%s: %v", *w.window, err)
		}
		if time.Duration(d) < 24*time.Hour {
			return 0, 0, fmt.Errorf("--what-if.window=%s: a window is at least 1d", *w.window)
		}
		window = time.Duration(d)
	}
	return objective, window, nil
}

func (w whatIfFlags) set() bool { return *w.objective != 0 || *w.window != "" }

// whatIfConfig returns a copy of cfg whose SLOs have the other objective or
// rolling window, so the engine evaluates the same selectors under it.
func whatIfConfig(cfg *slo.Config, objective float64, window time.Duration) *slo.Config {
	out := *cfg
	out.SLOs = slices.Clone(cfg.SLOs)
	for i := range out.SLOs {
		s := &out.SLOs[i]
		if objective != 0 {
			s.Objective = objective
		}
		if window != 0 {
			// The default incident threshold scales with the window; one
			// the config set stays (as the review does).
			if s.Incidents.BurnRate == slo.DefaultIncidentThreshold(s.Window.Duration) {
				s.Incidents.BurnRate = 0
			}
			s.Window = slo.Window{Text: slo.WindowLabel(window), Duration: window}
		}
	}
	return &out
}

// usage prints a malformed flag value as the one-line usage error every
// command prints (exit 2), with the hint to the command's help.
func usage(stderr io.Writer, cmd, format string, args ...any) {
	fmt.Fprintf(stderr, "slobudget %s: %s; try 'slobudget %s --help'\n", cmd, fmt.Sprintf(format, args...), cmd)
}
