package main

import (
	"fmt"
	"io"

	"github.com/slobudget/slobudget/slo"
)

// writeEstimates lists the SLOs whose SLI is an estimate, each with where it
// is defined and why it is not counted: a valid config may still hold SLIs
// whose numbers are not counted events, and check is where a user learns it
// first.
func writeEstimates(w io.Writer, cfg *slo.Config) {
	for _, s := range cfg.SLOs {
		e := s.SLI.Expression
		if e == nil {
			continue
		}
		_, err := e.Reduced()
		if err == nil {
			continue
		}
		fmt.Fprintf(w, "%s:%d: slo %q is an estimate, not counted: %v; Prometheus evaluates its error ratio hourly (exact: false)\n",
			s.File, s.Line, s.Name, err)
	}
}
