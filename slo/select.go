package slo

import (
	"fmt"
	"slices"
	"strings"
)

// SelectSLOs returns a copy of c holding only the named SLOs, in the config's
// order, with everything else (policies, exclusions) kept. No names selects all. A name the config does
// not define is an error that lists the defined ones, so a typo or the wrong
// --config.file is obvious.
func (c *Config) SelectSLOs(names []string) (*Config, error) {
	if len(names) == 0 {
		return c, nil
	}
	defined := make([]string, 0, len(c.SLOs))
	for _, s := range c.SLOs {
		defined = append(defined, s.Name)
	}
	var unknown []string
	for _, n := range names {
		if !slices.Contains(defined, n) && !slices.Contains(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(defined)
		return nil, fmt.Errorf("--slo: no SLO named %s in the config (defined: %s)",
			quoteAll(unknown), listSome(defined, 12))
	}
	// Everything else of the config (policies, exclusions) stays as it is.
	out := *c
	out.SLOs = nil
	for _, s := range c.SLOs {
		if slices.Contains(names, s.Name) {
			out.SLOs = append(out.SLOs, s)
		}
	}
	return &out, nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// listSome joins up to n names and says how many more there are: a config
// of a thousand SLOs must not turn one typo into a page of output.
func listSome(names []string, n int) string {
	if len(names) == 0 {
		return "none"
	}
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
