package slo

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	defaultMaxGroups = 100
	maxMaxGroups     = 10000
	defaultMergeGap  = 30 * time.Minute
)

// sloDraft is an SLO while it is decoded: the SLO and what the cross-file
// checks and the defaults that depend on other fields need.
type sloDraft struct {
	SLO
	// policyRef is the node of an explicit `policy:`, to point at when the
	// policy does not exist.
	policyRef *yaml.Node
	// incidentBurnGiven is set when incidents.burnRate was given; otherwise
	// it follows the window.
	incidentBurnGiven bool
	maxGroupsNode     *yaml.Node
}

// newSLODraft is an SLO with the native format's defaults.
func newSLODraft(file string, line int) sloDraft {
	return sloDraft{SLO: SLO{
		File: file, Line: line,
		Window:    rollingWindow(defaultWindowText, 30*day),
		Policy:    DefaultPolicy().Name,
		Incidents: IncidentRule{MergeGap: defaultMergeGap},
	}}
}

// finish sets the defaults that depend on other fields and checks the rules
// that span them. Every format's decoder calls it.
func (d *sloDraft) finish(r reporter, at *yaml.Node) {
	if !d.incidentBurnGiven && d.Window.Duration > 0 {
		d.Incidents.BurnRate = AlertPairs(d.Window.Duration)[0].Factor
	}
	switch {
	case len(d.Grouping) > 0 && d.MaxGroups == 0:
		d.MaxGroups = defaultMaxGroups
	case len(d.Grouping) == 0 && d.maxGroupsNode != nil:
		r.errorf(d.maxGroupsNode, "maxGroups", "has no effect without grouping; remove it or add grouping: [label]")
	}
	if d.Incidents.MergeGap >= d.Window.Duration && d.Window.Duration > 0 {
		r.errorf(at, "incidents.mergeGap", "%s is not shorter than the SLO window %s", WindowLabel(d.Incidents.MergeGap), d.Window.Text)
	}
}

func sloField[V any](to func(*SLO) *V) func(*sloDraft) *V {
	return func(d *sloDraft) *V { return to(&d.SLO) }
}

// sloSpec is the native format's SLO entry.
var sloSpec = &spec[sloDraft]{fields: []field[sloDraft]{
	required(textField("name", sloField(func(s *SLO) *string { return &s.Name }), checkName), ""),
	required(textField("service", sloField(func(s *SLO) *string { return &s.Service }), checkService),
		"the service this SLO belongs to"),
	textField("description", sloField(func(s *SLO) *string { return &s.Description })),
	required(numberField("objective", sloField(func(s *SLO) *float64 { return &s.Objective }), checkObjective),
		"a percentage such as 99.9"),
	{key: "window", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		if w, ok := r.window(n, path); ok {
			d.Window = w
		}
	}},
	{key: "policy", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		if p, ok := r.str(n, path); ok {
			d.Policy, d.policyRef = p, n
			if p == "" {
				r.errorf(n, path, "must not be empty; leave the field out for the default policy")
			}
		}
	}},
	labelsField("labels", sloField(func(s *SLO) *map[string]string { return &s.Labels })),
	textField("runbookURL", sloField(func(s *SLO) *string { return &s.RunbookURL }), checkAbsoluteURL),
	nested("alerting", alertingSpec, sloField(func(s *SLO) *Alerting { return &s.Alerting })),
	{key: "grouping", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		d.Grouping = r.groupingLabels(n, path)
	}},
	{key: "maxGroups", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		d.maxGroupsNode = n
		if v, ok := r.integer(n, path); ok {
			d.MaxGroups = v
			if v < 1 || v > maxMaxGroups {
				r.errorf(n, path, "%d is not between 1 and %d", v, maxMaxGroups)
			}
		}
	}},
	nested("incidents", incidentSpec, func(d *sloDraft) *sloDraft { return d }),
	required(field[sloDraft]{key: "sli", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		d.SLI = decodeSLI(r, n)
	}}, "one of "+strings.Join(sliKinds, ", ")),
}}

// incidentSpec reads `incidents:` straight into the draft, so that the
// default burn rate can follow the window.
var incidentSpec = &spec[sloDraft]{fields: []field[sloDraft]{
	numberField("burnRate", func(d *sloDraft) *float64 { d.incidentBurnGiven = true; return &d.Incidents.BurnRate },
		func(v float64) string {
			if v < 1 {
				return fmt.Sprintf("%s is below 1: a burn rate of 1 spends the budget exactly over the window, so a lower threshold marks normal operation as an incident", fmtNum(v))
			}
			return ""
		}),
	durationField("mergeGap", func(d *sloDraft) *time.Duration { return &d.Incidents.MergeGap }),
}}

// decodeSLO decodes and validates one entry of `slos`. ok is false when the
// entry is not even a mapping; an SLO with problems is still returned so
// that the cross-file checks can run on it.
func decodeSLO(r reporter, n *yaml.Node, index int) (sloDraft, bool) {
	r.subject = fmt.Sprintf("slos[%d]", index)
	if name, ok := peekName(n); ok {
		r.subject = fmt.Sprintf("slo %q", name)
	}
	// The entry's own line, not its anchor's: an SLO repeated through an
	// alias is reported where the alias is.
	d := newSLODraft(r.file, n.Line)
	m, ok := sloSpec.decode(r, n, "", &d)
	if !ok {
		if isNull(n) {
			r.errorf(n, "", "empty entry in slos")
		}
		return d, false
	}
	d.finish(r, m.node)
	return d, true
}

func checkService(svc string) string {
	switch {
	case strings.TrimSpace(svc) == "":
		return "must not be empty"
	case svc != strings.TrimSpace(svc):
		return fmt.Sprintf("%q has leading or trailing spaces", svc)
	}
	return ""
}

func checkAbsoluteURL(u string) string {
	if parsed, err := url.Parse(u); err != nil || parsed.Scheme == "" || parsed.Host == "" {
		return fmt.Sprintf("%q is not an absolute URL such as https://wiki.example.com/runbooks/checkout", u)
	}
	return ""
}

// checkObjective reports why v is not a usable objective (percent), or "".
func checkObjective(v float64) string {
	switch {
	case v > 0 && v < 1:
		return fmt.Sprintf("%s looks like a ratio; objectives are percentages: write %s", fmtNum(v), fmtNum(roundPercent(v*100)))
	case v == 1:
		return "1 means 1%; objectives are percentages, write e.g. 99.9 for 99.9%"
	case v <= 0 || v >= 100:
		if v == 100 {
			return "100 leaves no error budget; use a percentage below 100 such as 99.9"
		}
		return fmt.Sprintf("%s is not a percentage between 1 and 100 (exclusive), e.g. 99.9", fmtNum(v))
	}
	return ""
}

// roundPercent removes the binary noise of v*100 (0.999*100 is
// 99.89999999999999) so the suggestion reads like what the user meant.
func roundPercent(v float64) float64 {
	var out float64
	fmt.Sscanf(fmt.Sprintf("%.10g", v), "%g", &out)
	return out
}

func fmtNum(v float64) string { return fmt.Sprintf("%g", v) }

var forKeys = []string{"page", "ticket", "freeze", "dataMissing", "postmortem"}

var alertingSpec = &spec[Alerting]{fields: []field[Alerting]{
	{key: "page", read: func(r reporter, n *yaml.Node, path string, a *Alerting) {
		if v, ok := r.boolean(n, path); ok {
			a.PageDisabled = !v
		}
	}},
	{key: "ticket", read: func(r reporter, n *yaml.Node, path string, a *Alerting) {
		if v, ok := r.boolean(n, path); ok {
			a.TicketDisabled = !v
		}
	}},
	labelsField("labels", func(a *Alerting) *map[string]string { return &a.Labels }),
	annotationsField("annotations", func(a *Alerting) *map[string]string { return &a.Annotations }),
	nested("for", forSpec, func(a *Alerting) *map[string]time.Duration { return &a.For }),
}}

// forSpec reads `alerting.for`: one duration per severity or alert.
var forSpec = func() *spec[map[string]time.Duration] {
	s := &spec[map[string]time.Duration]{}
	for _, k := range forKeys {
		s.fields = append(s.fields, field[map[string]time.Duration]{key: k,
			read: func(r reporter, n *yaml.Node, path string, m *map[string]time.Duration) {
				if _, d, ok := r.duration(n, path); ok {
					if *m == nil {
						*m = map[string]time.Duration{}
					}
					(*m)[k] = d
				}
			}})
	}
	return s
}()
