package slo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slobudget/slobudget/internal/promqlparse"
)

// The one place that says what an SLO instance of a grouped SLO is: the
// selector its groups are discovered from, the SLI narrowed to one group, and
// how an instance is named. The engine, the exporter and the JSON API all
// use these, so an instance reads the same everywhere.

// GroupSelector returns the selector whose series the groups of a grouped
// SLO are discovered from: the SLI's total (for a classic histogram its
// _count series, for a native histogram the histogram itself), or the
// time-slice gauge. Empty for a kind that cannot be grouped.
func (s SLI) GroupSelector() string {
	switch {
	case s.Events != nil:
		return s.Events.Total
	case s.Latency != nil && s.Latency.NativeHistogram != "":
		return s.Latency.NativeHistogram
	case s.Latency != nil:
		_, _, total := s.CounterSelectors()
		return total
	case s.TimeSlice != nil:
		return s.TimeSlice.Query
	}
	return ""
}

// Group is one value combination of an SLO's grouping labels, in the order
// of the grouping list. A label a series lacks has the value "" (PromQL's
// `label=""` matches exactly those series).
type Group struct {
	Labels []string
	Values []string
}

// Map returns the group as a label map (the JSON API's `group`).
func (g Group) Map() map[string]string {
	if len(g.Labels) == 0 {
		return nil
	}
	m := make(map[string]string, len(g.Labels))
	for i, l := range g.Labels {
		m[l] = g.Values[i]
	}
	return m
}

// String is the group as PromQL matchers: `route="/a",code="200"`.
func (g Group) String() string {
	parts := make([]string, len(g.Labels))
	for i, l := range g.Labels {
		parts[i] = l + "=" + strconv.Quote(g.Values[i])
	}
	return strings.Join(parts, ",")
}

// Less orders groups by their values, label by label in grouping order: the
// order instances are listed in and, under maxGroups, kept in.
func (g Group) Less(o Group) bool {
	for i := range g.Values {
		if i >= len(o.Values) {
			return false
		}
		if g.Values[i] != o.Values[i] {
			return g.Values[i] < o.Values[i]
		}
	}
	return len(g.Values) < len(o.Values)
}

// InstanceKey names one SLO instance: the SLO's name for an SLO without
// grouping, `name{route="/a"}` for a group. It is the key of the JSON API's
// /api/v1/slos/{key} and of the engine's results.
func InstanceKey(name string, group map[string]string, grouping []string) string {
	if len(group) == 0 {
		return name
	}
	g := Group{Labels: grouping}
	for _, l := range grouping {
		g.Values = append(g.Values, group[l])
	}
	return name + "{" + g.String() + "}"
}

// Narrow returns the SLI restricted to one group: every selector gets an
// equality matcher per grouping label, so each group is counted by exactly
// the rules of an SLO without grouping.
func (s SLI) Narrow(g Group) (SLI, error) {
	narrow := func(sel string) (string, error) {
		if sel == "" {
			return "", nil
		}
		p, err := promqlparse.ParseVectorSelector(sel)
		if err != nil {
			return "", err
		}
		for i, l := range g.Labels {
			p = p.WithMatcher(promqlparse.Matcher{Name: l, Op: promqlparse.MatchEqual, Value: g.Values[i]})
		}
		return p.String(), nil
	}
	var err error
	one := func(sel string) string {
		out, e := narrow(sel)
		if e != nil && err == nil {
			err = fmt.Errorf("narrowing %s to group %s: %w", sel, g, e)
		}
		return out
	}
	out := SLI{}
	switch {
	case s.Events != nil:
		out.Events = &EventsSLI{Errors: one(s.Events.Errors), Good: one(s.Events.Good), Total: one(s.Events.Total)}
	case s.Latency != nil:
		l := *s.Latency
		l.Histogram, l.NativeHistogram = one(l.Histogram), one(l.NativeHistogram)
		out.Latency = &l
	case s.TimeSlice != nil:
		t := *s.TimeSlice
		t.Query = one(t.Query)
		out.TimeSlice = &t
	default:
		return SLI{}, fmt.Errorf("an SLI of kind %q cannot be grouped", s.Kind())
	}
	return out, err
}

// Slug is the result's ID reduced to characters safe in an HTML id: the
// name as is for an SLO without grouping, `name-route-a` style for a group.
func (r Result) Slug() string {
	if r.Instance == "" {
		return r.Name
	}
	var b strings.Builder
	dash := false
	for _, c := range r.Instance {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		switch {
		case ok:
			b.WriteRune(c)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}
