package slo

import (
	"fmt"
	"strings"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"gopkg.in/yaml.v3"
)

// Helpers the peer formats share to map their fields onto native SLOs.

// note records where the mapping changed meaning, for `convert`.
func (d *sloDraft) note(format, text string) {
	if d.Origin == nil {
		d.Origin = &Origin{Format: format}
	}
	d.Origin.Notes = append(d.Origin.Notes, text)
}

// countersOf maps a bad-or-good expression and a total expression onto the
// best native SLI: an events SLI when each side is one counter summed (the
// common `sum(rate(x[{{.window}}]))`), exact; an expression SLI otherwise,
// exact when it still reduces to counters, an estimate when not.
func countersOf(bad, good, total string) (SLI, string) {
	side := bad
	if side == "" {
		side = good
	}
	s, errS := promqlparse.ReduceCounters(side)
	t, errT := promqlparse.ReduceCounters(total)
	if errS == nil && errT == nil && len(s.Terms) == 1 && len(t.Terms) == 1 && s.Terms[0].Sign > 0 && t.Terms[0].Sign > 0 &&
		s.Func == t.Func && s.Range == t.Range && len(s.By) == 0 && len(t.By) == 0 {
		ev := &EventsSLI{Total: t.Terms[0].Selector.String()}
		if bad != "" {
			ev.Errors = s.Terms[0].Selector.String()
		} else {
			ev.Good = s.Terms[0].Selector.String()
		}
		return SLI{Events: ev}, "events"
	}
	ex := &ExpressionSLI{Errors: bad, Good: good, Total: total}
	if _, err := ex.Reduced(); err == nil {
		return SLI{Expression: ex}, "reduced"
	}
	return SLI{Expression: ex}, "estimate"
}

// promQLField reads a PromQL expression (window placeholder allowed),
// reporting it when it does not parse.
func (r reporter) promQL(n *yaml.Node, path string) (string, bool) {
	text, ok := r.str(n, path)
	if !ok {
		return "", false
	}
	text = strings.TrimSpace(text)
	if _, err := promqlparse.ParseTemplate(text); err != nil {
		r.errorf(n, path, "%s: %v", quoteExpr(text), err)
		return "", false
	}
	return text, true
}

// mergeLabels merges outer (file-wide) labels under inner (per-SLO) ones,
// as Sloth does.
func mergeLabels(outer, inner map[string]string) map[string]string {
	if len(outer) == 0 {
		return inner
	}
	out := map[string]string{}
	for k, v := range outer {
		out[k] = v
	}
	for k, v := range inner {
		out[k] = v
	}
	return out
}

// anyValue accepts any YAML value: for keys that only describe (Kubernetes
// object metadata) and have no meaning for an SLO.
func anyValue[T any](key string) field[T] { return ignoredField[T](key) }

// kubeMetadata is what slobudget reads of a Kubernetes object's metadata.
type kubeMetadata struct {
	Name        string
	Namespace   string
	Labels      map[string]string
	Annotations map[string]string
	nameNode    *yaml.Node
}

// stringMapField reads any string map (Kubernetes labels allow dots and
// slashes that Prometheus label names do not).
func stringMapField[T any](key string, to func(*T) *map[string]string) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		m, _ := r.stringMap(n, path)
		*to(dst) = m
	}}
}

var kubeMetadataSpec = &spec[kubeMetadata]{fields: []field[kubeMetadata]{
	{key: "name", read: func(r reporter, n *yaml.Node, path string, m *kubeMetadata) {
		m.Name, _ = r.str(n, path)
		m.nameNode = n
	}},
	textField("namespace", func(m *kubeMetadata) *string { return &m.Namespace }),
	stringMapField("labels", func(m *kubeMetadata) *map[string]string { return &m.Labels }),
	stringMapField("annotations", func(m *kubeMetadata) *map[string]string { return &m.Annotations }),
	// Set by Kubernetes itself, never by the author of an SLO.
	anyValue[kubeMetadata]("creationTimestamp"), anyValue[kubeMetadata]("uid"), anyValue[kubeMetadata]("resourceVersion"),
	anyValue[kubeMetadata]("generation"), anyValue[kubeMetadata]("managedFields"),
}}

// labelsFrom validates labels taken from another format's map.
func (r reporter) checkedLabels(m map[string]string, at *yaml.Node, path string) map[string]string {
	out := map[string]string{}
	for _, k := range sortedKeys(m) {
		if msg := checkLabelName(k); msg != "" {
			r.errorf(at, join(path, k), "%s", msg)
			continue
		}
		if m[k] == "" {
			r.errorf(at, join(path, k), "empty value: Prometheus treats an empty label as absent")
			continue
		}
		out[k] = m[k]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func fmtPercent(v float64) string { return fmt.Sprintf("%g", v) }
