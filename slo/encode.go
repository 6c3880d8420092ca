package slo

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EncodeNative writes cfg in slobudget's own format, for `slobudget
// convert`. An SLO read from another format is preceded by a comment naming
// its source and every place where the mapping changed meaning. Reading the
// output gives the same SLOs, policies and exclusions.
func EncodeNative(cfg *Config) ([]byte, error) {
	root := mapNode()
	if len(cfg.Policies) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, p := range cfg.Policies {
			seq.Content = append(seq.Content, encodePolicy(p))
		}
		addPair(root, "policies", seq)
	}
	slos := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range cfg.SLOs {
		slos.Content = append(slos.Content, encodeSLO(s))
	}
	addPair(root, "slos", slos)
	if len(cfg.Exclusions) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range cfg.Exclusions {
			m := mapNode()
			addScalar(m, "from", e.From.Format(time.RFC3339))
			addScalar(m, "to", e.To.Format(time.RFC3339))
			if e.All {
				addScalar(m, "slos", "all")
			} else {
				addPair(m, "slos", flowList(e.SLOs))
			}
			addScalar(m, "reason", e.Reason)
			addScalar(m, "approvedBy", e.ApprovedBy)
			seq.Content = append(seq.Content, m)
		}
		addPair(root, "exclusions", seq)
	}
	var buf bytes.Buffer
	buf.WriteString("# slobudget config written by `slobudget convert`; check it with `slobudget check --config.file=FILE`.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encoding the native config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeSLO(s SLO) *yaml.Node {
	m := mapNode()
	if s.Origin != nil {
		lines := []string{fmt.Sprintf("from %s (%s:%d)", s.Origin.Format, s.File, s.Line)}
		for _, n := range s.Origin.Notes {
			lines = append(lines, "note: "+n)
		}
		m.HeadComment = strings.Join(lines, "\n")
	}
	addScalar(m, "name", s.Name)
	addScalar(m, "service", s.Service)
	if s.Description != "" {
		addScalar(m, "description", s.Description)
	}
	addNumber(m, "objective", s.Objective)
	if s.Window.IsCalendar() {
		w := mapNode()
		w.Style = yaml.FlowStyle
		addScalar(w, "calendar", s.Window.Calendar)
		if s.Window.Location != nil && s.Window.Location != time.UTC {
			addScalar(w, "timezone", s.Window.Location.String())
		}
		addPair(m, "window", w)
	} else {
		addScalar(m, "window", s.Window.Text)
	}
	if s.Policy != "" && s.Policy != DefaultPolicy().Name {
		addScalar(m, "policy", s.Policy)
	}
	if len(s.Labels) > 0 {
		addPair(m, "labels", stringMapNode(s.Labels))
	}
	if s.RunbookURL != "" {
		addScalar(m, "runbookURL", s.RunbookURL)
	}
	if a := encodeAlerting(s.Alerting); a != nil {
		addPair(m, "alerting", a)
	}
	if len(s.Grouping) > 0 {
		addPair(m, "grouping", flowList(s.Grouping))
		if s.MaxGroups != defaultMaxGroups {
			addNumber(m, "maxGroups", float64(s.MaxGroups))
		}
	}
	defaultBurn := AlertPairs(s.Window.Duration)[0].Factor
	if s.Incidents.BurnRate != defaultBurn || s.Incidents.MergeGap != defaultMergeGap {
		inc := mapNode()
		inc.Style = yaml.FlowStyle
		if s.Incidents.BurnRate != defaultBurn {
			addNumber(inc, "burnRate", s.Incidents.BurnRate)
		}
		if s.Incidents.MergeGap != defaultMergeGap {
			addScalar(inc, "mergeGap", WindowLabel(s.Incidents.MergeGap))
		}
		addPair(m, "incidents", inc)
	}
	addPair(m, "sli", encodeSLI(s.SLI))
	return m
}

func encodeSLI(s SLI) *yaml.Node {
	m, k := mapNode(), mapNode()
	switch {
	case s.Events != nil:
		addIf(k, "errors", s.Events.Errors)
		addIf(k, "good", s.Events.Good)
		addScalar(k, "total", s.Events.Total)
		addPair(m, "events", k)
	case s.Latency != nil:
		addIf(k, "histogram", s.Latency.Histogram)
		addIf(k, "nativeHistogram", s.Latency.NativeHistogram)
		addNumber(k, "threshold", s.Latency.Threshold)
		addPair(m, "latency", k)
	case s.TimeSlice != nil:
		addScalar(k, "condition", s.TimeSlice.Condition())
		if s.TimeSlice.Slice != defaultSlice {
			addScalar(k, "slice", WindowLabel(s.TimeSlice.Slice))
		}
		addPair(m, "timeslice", k)
	case s.Expression != nil:
		addIf(k, "errors", s.Expression.Errors)
		addIf(k, "good", s.Expression.Good)
		addIf(k, "total", s.Expression.Total)
		addIf(k, "errorRatio", s.Expression.ErrorRatio)
		addPair(m, "expression", k)
	}
	return m
}

func encodeAlerting(a Alerting) *yaml.Node {
	m := mapNode()
	if a.PageDisabled {
		addPair(m, "page", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"})
	}
	if a.TicketDisabled {
		addPair(m, "ticket", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"})
	}
	if len(a.Labels) > 0 {
		addPair(m, "labels", stringMapNode(a.Labels))
	}
	if len(a.Annotations) > 0 {
		addPair(m, "annotations", stringMapNode(a.Annotations))
	}
	if len(a.For) > 0 {
		f := mapNode()
		for _, k := range forKeys {
			if d, ok := a.For[k]; ok {
				addScalar(f, k, WindowLabel(d))
			}
		}
		addPair(m, "for", f)
	}
	if len(m.Content) == 0 {
		return nil
	}
	return m
}

func encodePolicy(p Policy) *yaml.Node {
	m := mapNode()
	addScalar(m, "name", p.Name)
	if p.PostmortemBudgetShare != DefaultPostmortemBudgetShare {
		addNumber(m, "postmortemBudgetShare", p.PostmortemBudgetShare)
	}
	states := &yaml.Node{Kind: yaml.SequenceNode}
	for _, st := range p.States {
		s := mapNode()
		addScalar(s, "name", st.Name)
		if st.MinBudgetRemaining != nil {
			addNumber(s, "minBudgetRemaining", *st.MinBudgetRemaining)
		}
		if st.Capacity == CapacityFromFeatureShare(st.FeatureShare) {
			addNumber(s, "featureShare", st.FeatureShare)
		} else {
			c := mapNode()
			c.Style = yaml.FlowStyle
			addNumber(c, "features", st.Capacity.Features)
			addNumber(c, "reliability", st.Capacity.Reliability)
			addNumber(c, "innovation", st.Capacity.Innovation)
			addPair(s, "capacity", c)
		}
		if st.Freeze {
			addPair(s, "freeze", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		}
		addIf(s, "consequence", st.Consequence)
		states.Content = append(states.Content, s)
	}
	addPair(m, "states", states)
	return m
}

func mapNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func addPair(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

// addScalar adds a string; the encoder quotes it where YAML would read it
// as something else (a number, a boolean).
func addScalar(m *yaml.Node, key, v string) {
	addPair(m, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v})
}

func addIf(m *yaml.Node, key, v string) {
	if v != "" {
		addScalar(m, key, v)
	}
}

func addNumber(m *yaml.Node, key string, v float64) {
	addPair(m, key, &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatFloat(v, 'g', -1, 64)})
}

func flowList(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range items {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	}
	return n
}

func stringMapNode(m map[string]string) *yaml.Node {
	n := mapNode()
	for _, k := range sortedKeys(m) {
		addScalar(n, k, m[k])
	}
	return n
}
