package slo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Exclusion is an agreed span whose events count neither good nor bad: a
// planned migration product signed off, with who approved it and why.
// Parsed and validated here; the engine leaves the events out.
type Exclusion struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// SLOs names the SLOs it applies to; All applies it to every SLO.
	SLOs       []string `json:"slos,omitempty"`
	All        bool     `json:"all,omitempty"`
	Reason     string   `json:"reason"`
	ApprovedBy string   `json:"approvedBy"`

	File string `json:"-"`
	Line int    `json:"-"`
	// sloLines are the lines of the names in SLOs, for unknown names.
	sloLines []int
	// toLine is the line of `to`, for a span that reaches the future.
	toLine int
	// index is the entry's position in its file's list, for messages.
	index int
}

// AppliesTo reports whether the exclusion covers the named SLO.
func (e Exclusion) AppliesTo(slo string) bool {
	return e.All || slices.Contains(e.SLOs, slo)
}

// Contains reports whether t lies in [From, To).
func (e Exclusion) Contains(t time.Time) bool {
	return !t.Before(e.From) && t.Before(e.To)
}

func timeField(key string, to func(*Exclusion) *time.Time) field[Exclusion] {
	return field[Exclusion]{key: key, read: func(r reporter, n *yaml.Node, path string, e *Exclusion) {
		text, ok := r.str(n, path)
		if !ok {
			return
		}
		t, err := time.Parse(time.RFC3339, text)
		if err != nil {
			r.errorf(n, path, "%q is not an RFC 3339 time such as 2026-03-10T22:00:00Z or 2026-03-10T23:00:00+01:00", text)
			return
		}
		*to(e) = t
		if key == "to" {
			e.toLine = n.Line
		}
	}}
}

var exclusionSpec = &spec[Exclusion]{
	fields: []field[Exclusion]{
		required(timeField("from", func(e *Exclusion) *time.Time { return &e.From }), "when the excluded span starts (RFC 3339)"),
		required(timeField("to", func(e *Exclusion) *time.Time { return &e.To }), "when the excluded span ends (RFC 3339)"),
		required(field[Exclusion]{key: "slos", read: readExclusionSLOs}, "the SLO names it applies to, or all"),
		required(textField("reason", func(e *Exclusion) *string { return &e.Reason }, nonBlank), "why these events do not count, for the audit trail"),
		required(textField("approvedBy", func(e *Exclusion) *string { return &e.ApprovedBy }, nonBlank), "who agreed to the exclusion, for the audit trail"),
	},
	after: func(r reporter, m fields, path string, e *Exclusion) {
		if !e.From.IsZero() && !e.To.IsZero() && !e.To.After(e.From) {
			r.errorf(m.values["to"], join(path, "to"), "%s is not after from (%s)", e.To.Format(time.RFC3339), e.From.Format(time.RFC3339))
		}
	},
}

func nonBlank(s string) string {
	if strings.TrimSpace(s) == "" {
		return "must not be empty"
	}
	return ""
}

func readExclusionSLOs(r reporter, n *yaml.Node, path string, e *Exclusion) {
	if n.Kind == yaml.ScalarNode {
		if n.Value == "all" {
			e.All = true
			return
		}
		r.errorf(n, path, "%q: give a list of SLO names, or all", n.Value)
		return
	}
	for i, item := range r.sequence(n, path) {
		name, ok := r.str(item, fmt.Sprintf("%s[%d]", path, i))
		if !ok {
			continue
		}
		e.SLOs = append(e.SLOs, name)
		e.sloLines = append(e.sloLines, item.Line)
	}
	if len(e.SLOs) == 0 && len(n.Content) == 0 {
		r.errorf(n, path, "empty: give the SLO names it applies to, or all")
	}
}

// decodeExclusions reads an `exclusions:` list.
func decodeExclusions(r reporter, n *yaml.Node) []Exclusion {
	var out []Exclusion
	for i, item := range r.sequence(n, "exclusions") {
		r.subject = fmt.Sprintf("exclusions[%d]", i)
		e := Exclusion{File: r.file, Line: item.Line, index: i}
		if _, ok := exclusionSpec.decode(r, item, "", &e); ok {
			out = append(out, e)
		} else if isNull(item) {
			r.errorf(item, "", "empty entry in exclusions")
		}
	}
	return out
}

// checkExclusions runs the checks that need the SLOs and the load time: an
// exclusion names known SLOs, has ended by now (excluding events that have
// not happened yet is not an agreement about an incident), and is no longer
// than the window of any SLO it applies to.
func checkExclusions(excl []Exclusion, slos map[string]*SLO, now time.Time, errs *[]ConfigError) {
	for _, e := range excl {
		r := reporter{file: e.File, errs: errs, subject: fmt.Sprintf("exclusions[%d]", e.index)}
		if e.To.After(now) {
			r.errorf(&yaml.Node{Line: e.toLine}, "to", "%s is in the future (now %s): exclusions record what already happened; add it once the span has ended",
				e.To.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		length := e.To.Sub(e.From)
		tooLong := func(s *SLO, line int) {
			if length > s.Window.Longest() {
				r.errorf(&yaml.Node{Line: line}, "slos", "spans %s, longer than the %s window of slo %q: an exclusion that long removes the whole window",
					WindowLabel(length), s.Window.Text, s.Name)
			}
		}
		if e.All {
			for _, name := range sortedKeys(slos) {
				tooLong(slos[name], e.Line)
			}
			continue
		}
		for j, name := range e.SLOs {
			s, ok := slos[name]
			if !ok {
				r.errorf(&yaml.Node{Line: e.sloLines[j]}, fmt.Sprintf("slos[%d]", j), "undefined slo %q", name)
				continue
			}
			tooLong(s, e.sloLines[j])
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
