package slo

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	defaultWindowText = "30d"
	minWindow         = day
)

var sloFields = []string{"name", "service", "description", "objective", "window", "policy", "labels", "runbookURL", "alerting", "sli"}

// decodeSLO decodes and validates one entry of `slos`. It returns the node of
// an explicit `policy:` field, for the cross-file check that the policy
// exists. ok is false when the entry is not even a mapping; an SLO with
// problems is still returned so that the cross-file checks can run on it.
func decodeSLO(r reporter, n *yaml.Node, index int) (s SLO, policyRef *yaml.Node, ok bool) {
	r.subject = fmt.Sprintf("slos[%d]", index)
	if name, ok := peekName(n); ok {
		r.subject = fmt.Sprintf("slo %q", name)
	}
	f, isMap := r.mapping(n, "", sloFields...)
	if !isMap {
		if isNull(n) {
			r.errorf(n, "", "empty entry in slos")
		}
		return SLO{}, nil, false
	}
	s.File, s.Line = r.file, f.node.Line

	// The name comes first so that every later problem names its SLO.
	if name, has := r.str(f.get("name"), "name"); has {
		s.Name = name
		if msg := checkName(name); msg != "" {
			r.errorf(f.get("name"), "name", "%s", msg)
		}
	} else if !f.has("name") {
		r.errorf(f.node, "name", "required")
	}

	svcNode := f.get("service")
	svc, has := r.str(svcNode, "service")
	switch {
	case !has && isNull(svcNode):
		r.errorf(f.node, "service", "required: the service this SLO belongs to")
	case !has:
		// not a string: already reported
	case strings.TrimSpace(svc) == "":
		r.errorf(svcNode, "service", "must not be empty")
	case svc != strings.TrimSpace(svc):
		r.errorf(svcNode, "service", "%q has leading or trailing spaces", svc)
	}
	s.Service = svc
	s.Description, _ = r.str(f.get("description"), "description")

	if f.has("objective") {
		if v, okNum := r.number(f.get("objective"), "objective"); okNum {
			s.Objective = v
			if msg := checkObjective(v); msg != "" {
				r.errorf(f.get("objective"), "objective", "%s", msg)
			}
		}
	} else {
		r.errorf(f.node, "objective", "required: a percentage such as 99.9")
	}

	s.Window = Window{Text: defaultWindowText, Duration: 30 * day}
	if f.has("window") {
		if text, d, okDur := r.duration(f.get("window"), "window"); okDur {
			s.Window = Window{Text: text, Duration: d}
			switch {
			case d < minWindow:
				r.errorf(f.get("window"), "window", "%q is shorter than 1d; SLO windows are days or weeks long (e.g. 7d, 28d, 30d)", text)
			case d%StepGrid != 0:
				// Windows start on the evaluation grid (which divides 5m),
				// so every window holds whole evaluation steps.
				r.errorf(f.get("window"), "window", "%q is not a whole number of 5-minute steps (e.g. 7d, 28d, 30d, 36h)", text)
			}
		}
	}

	s.Policy = DefaultPolicy().Name
	if f.has("policy") {
		if p, has := r.str(f.get("policy"), "policy"); has {
			s.Policy = p
			policyRef = f.get("policy")
			if p == "" {
				r.errorf(policyRef, "policy", "must not be empty; leave the field out for the default policy")
			}
		}
	}

	s.Labels = r.labels(f.get("labels"), "labels")

	if f.has("runbookURL") {
		if u, has := r.str(f.get("runbookURL"), "runbookURL"); has {
			s.RunbookURL = u
			if parsed, err := url.Parse(u); err != nil || parsed.Scheme == "" || parsed.Host == "" {
				r.errorf(f.get("runbookURL"), "runbookURL", "%q is not an absolute URL such as https://wiki.example.com/runbooks/checkout", u)
			}
		}
	}

	s.Alerting = decodeAlerting(r, f.get("alerting"))

	if f.has("sli") {
		s.SLI = decodeSLI(r, f.get("sli"))
	} else {
		r.errorf(f.node, "sli", "required: one of events, latency, timeslice")
	}
	return s, policyRef, true
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

var forKeys = []string{"page", "ticket", "freeze", "dataMissing"}

func decodeAlerting(r reporter, n *yaml.Node) Alerting {
	var a Alerting
	if isNull(n) {
		return a
	}
	f, ok := r.mapping(n, "alerting", "page", "ticket", "labels", "annotations", "for")
	if !ok {
		return a
	}
	if f.has("page") {
		if v, ok := r.boolean(f.get("page"), "alerting.page"); ok {
			a.PageDisabled = !v
		}
	}
	if f.has("ticket") {
		if v, ok := r.boolean(f.get("ticket"), "alerting.ticket"); ok {
			a.TicketDisabled = !v
		}
	}
	a.Labels = r.labels(f.get("labels"), "alerting.labels")
	a.Annotations = r.annotations(f.get("annotations"), "alerting.annotations")
	if f.has("for") {
		ff, ok := r.mapping(f.get("for"), "alerting.for", forKeys...)
		if ok {
			for _, k := range forKeys {
				if !ff.has(k) {
					continue
				}
				if _, d, ok := r.duration(ff.get(k), "alerting.for."+k); ok {
					if a.For == nil {
						a.For = map[string]time.Duration{}
					}
					a.For[k] = d
				}
			}
		}
	}
	return a
}
