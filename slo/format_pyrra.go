package slo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/slobudget/slobudget/internal/promqlparse"
	"gopkg.in/yaml.v3"
)

// Pyrra (pyrra.dev): the ServiceLevelObjective object, in Kubernetes or in
// Pyrra's filesystem mode (the same YAML).

const pyrraFormat = "Pyrra"

func init() {
	peerFormats["pyrra.dev/v1alpha1 ServiceLevelObjective"] = format{name: pyrraFormat, decode: decodePyrra}
}

// pyrraLabelPrefix marks the object labels Pyrra copies onto its rules and
// alerts; the others select which Prometheus loads the rules.
const pyrraLabelPrefix = "pyrra.dev/"

type pyrraDoc struct {
	meta  kubeMetadata
	draft sloDraft
}

var pyrraTop = &spec[pyrraDoc]{fields: []field[pyrraDoc]{
	anyValue[pyrraDoc]("apiVersion"), anyValue[pyrraDoc]("kind"),
	required(nested("metadata", kubeMetadataSpec, func(p *pyrraDoc) *kubeMetadata { return &p.meta }), "name"),
	required(nested("spec", pyrraSpec, func(p *pyrraDoc) *sloDraft { return &p.draft }), "target, window and indicator"),
	anyValue[pyrraDoc]("status"),
}}

func decodePyrra(top reporter, doc *yaml.Node, fc *fileConfig) {
	r := top
	if name, ok := pyrraName(doc); ok {
		r.subject = fmt.Sprintf("slo %q", name)
	}
	p := pyrraDoc{draft: newSLODraft(top.file, doc.Line)}
	p.draft.Origin = &Origin{Format: pyrraFormat}
	m, ok := pyrraTop.decode(r, doc, "", &p)
	if !ok {
		return
	}
	d := &p.draft
	d.Name = p.meta.Name
	if msg := checkName(d.Name); msg != "" && p.meta.nameNode != nil {
		r.errorf(p.meta.nameNode, "metadata.name", "%s", msg)
	} else if p.meta.nameNode == nil && m.has("metadata") {
		r.errorf(m.get("metadata"), "metadata.name", "required")
	}
	labels := map[string]string{}
	var ignored []string
	for _, k := range sortedKeys(p.meta.Labels) {
		if name, ok := strings.CutPrefix(k, pyrraLabelPrefix); ok {
			labels[name] = p.meta.Labels[k]
		} else {
			ignored = append(ignored, k)
		}
	}
	if len(ignored) > 0 {
		d.note(pyrraFormat, fmt.Sprintf("object labels %s chose the Prometheus that loads Pyrra's rules; `slobudget rules` output is placed by you", strings.Join(ignored, ", ")))
	}
	// Pyrra has no service; its SLOs are named per namespace.
	switch {
	case labels["service"] != "":
		d.Service = labels["service"]
		delete(labels, "service")
	case p.meta.Namespace != "":
		d.Service = p.meta.Namespace
		d.note(pyrraFormat, "Pyrra has no service: the namespace "+p.meta.Namespace+" is the service")
	default:
		d.Service = d.Name
		d.note(pyrraFormat, "Pyrra has no service: the SLO's name is the service (set the label pyrra.dev/service)")
	}
	if p.meta.Namespace != "" && d.Service != p.meta.Namespace {
		// A namespace label on slobudget's series would clash with the
		// one Kubernetes service discovery puts on every scraped series.
		d.note(pyrraFormat, "the Kubernetes namespace "+p.meta.Namespace+" is not carried over as a label")
	}
	d.Labels = r.checkedLabels(labels, nodeOrParent(m.get("metadata"), doc), "metadata.labels")
	for _, k := range sortedKeys(p.meta.Annotations) {
		switch k {
		case "pyrra.dev/runbook", "pyrra.dev/dashboard", "pyrra.dev/message":
			if d.Alerting.Annotations == nil {
				d.Alerting.Annotations = map[string]string{}
			}
			d.Alerting.Annotations[strings.TrimPrefix(k, pyrraLabelPrefix)] = p.meta.Annotations[k]
		default:
			r.errorf(m.get("metadata"), "metadata.annotations."+k, "not supported: slobudget takes pyrra.dev/runbook, pyrra.dev/dashboard and pyrra.dev/message (as alert annotations); remove the others")
		}
	}
	d.finish(r, m.node)
	fc.slos = append(fc.slos, *d)
}

// pyrraName peeks at metadata.name for messages.
func pyrraName(doc *yaml.Node) (string, bool) {
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == "metadata" {
			return peekName(doc.Content[i+1])
		}
	}
	return "", false
}

var pyrraSpec = &spec[sloDraft]{fields: []field[sloDraft]{
	required(field[sloDraft]{key: "target", read: readPyrraTarget}, `the objective in percent, e.g. "99.9"`),
	required(field[sloDraft]{key: "window", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		if w, ok := r.window(n, path); ok {
			d.Window = w
		}
	}}, "a duration such as 2w or 4w"),
	textField("description", sloField(func(s *SLO) *string { return &s.Description })),
	required(nested("indicator", pyrraIndicatorSpec, func(d *sloDraft) *sloDraft { return d }), "ratio, latency, latencyNative or bool_gauge"),
	nested("alerting", pyrraAlertingSpec, func(d *sloDraft) *sloDraft { return d }),
}}

// readPyrraTarget reads the target, a string in Pyrra ("99.9") that YAML
// files also write as a number.
func readPyrraTarget(r reporter, n *yaml.Node, path string, d *sloDraft) {
	text, ok := r.str(n, path)
	if !ok {
		return
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil {
		r.errorf(n, path, "%q is not a percentage such as \"99.9\"", text)
		return
	}
	d.Objective = v
	if msg := checkObjective(v); msg != "" {
		r.errorf(n, path, "%s", msg)
	}
}

var pyrraIndicatorSpec = &spec[sloDraft]{
	fields: []field[sloDraft]{
		{key: "ratio", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
			var p pyrraRatio
			if _, ok := pyrraRatioSpec.decode(r, n, path, &p); ok && p.errors != "" && p.total != "" {
				d.SLI = SLI{Events: &EventsSLI{Errors: p.errors, Total: p.total}}
				d.Grouping = p.grouping
			}
		}},
		{key: "latency", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
			var p pyrraRatio
			m, ok := pyrraLatencySpec.decode(r, n, path, &p)
			if !ok || p.success == "" || p.total == "" {
				return
			}
			d.Grouping = p.grouping
			if lat, err := pyrraHistogram(p.success, p.total); err != nil {
				r.errorf(nodeOrParent(m.get("success"), m.node), path+".success", "%v", err)
			} else {
				d.SLI = SLI{Latency: lat}
			}
		}},
		{key: "latencyNative", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
			var p pyrraRatio
			if _, ok := pyrraNativeSpec.decode(r, n, path, &p); ok && p.total != "" && p.latency > 0 {
				d.SLI = SLI{Latency: &LatencySLI{NativeHistogram: p.total, Threshold: p.latency}}
				d.Grouping = p.grouping
			}
		}},
		{key: "bool_gauge", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
			var p pyrraRatio
			if _, ok := pyrraBoolSpec.decode(r, n, path, &p); ok && p.metric != "" {
				d.SLI = SLI{TimeSlice: BoolGauge(p.metric)}
				d.Grouping = p.grouping
				d.note(pyrraFormat, "Pyrra averaged the gauge's samples; slobudget counts 1m slices in which it is 1 (sli.boolGauge)")
			}
		}},
	},
	after: func(r reporter, m fields, path string, _ *sloDraft) {
		r.oneOf(m, path, []string{"ratio", "latency", "latencyNative", "bool_gauge"})
	},
}

// pyrraRatio holds every indicator's parts; each kind's spec fills its own.
type pyrraRatio struct {
	errors, success, total, metric string
	latency                        float64
	grouping                       []string
}

// pyrraMetric reads `{metric: SEL}`.
func pyrraMetric(key string, to func(*pyrraRatio) *string) field[pyrraRatio] {
	inner := &spec[string]{fields: []field[string]{
		required(field[string]{key: "metric", read: func(r reporter, n *yaml.Node, path string, s *string) {
			*s, _, _ = r.selector(n, path)
		}}, "a counter selector"),
	}}
	return required(field[pyrraRatio]{key: key, read: func(r reporter, n *yaml.Node, path string, p *pyrraRatio) {
		inner.decode(r, n, path, to(p))
	}}, "{metric: SELECTOR}")
}

var pyrraGrouping = field[pyrraRatio]{key: "grouping", read: func(r reporter, n *yaml.Node, path string, p *pyrraRatio) {
	p.grouping = r.groupingLabels(n, path)
}}

var pyrraRatioSpec = &spec[pyrraRatio]{fields: []field[pyrraRatio]{
	pyrraMetric("errors", func(p *pyrraRatio) *string { return &p.errors }),
	pyrraMetric("total", func(p *pyrraRatio) *string { return &p.total }),
	pyrraGrouping,
}}

var pyrraLatencySpec = &spec[pyrraRatio]{fields: []field[pyrraRatio]{
	pyrraMetric("success", func(p *pyrraRatio) *string { return &p.success }),
	pyrraMetric("total", func(p *pyrraRatio) *string { return &p.total }),
	pyrraGrouping,
}}

var pyrraNativeSpec = &spec[pyrraRatio]{fields: []field[pyrraRatio]{
	required(field[pyrraRatio]{key: "latency", read: func(r reporter, n *yaml.Node, path string, p *pyrraRatio) {
		text, ok := r.str(n, path)
		if !ok {
			return
		}
		// Pyrra writes the bound as a duration ("200ms") or in seconds.
		if d, err := model.ParseDuration(text); err == nil {
			p.latency = time.Duration(d).Seconds()
		} else if v, err := strconv.ParseFloat(text, 64); err == nil && v > 0 {
			p.latency = v
		} else {
			r.errorf(n, path, "%q is neither a duration such as 200ms nor seconds such as 0.2", text)
		}
	}}, "the latency bound, e.g. 200ms"),
	pyrraMetric("total", func(p *pyrraRatio) *string { return &p.total }),
	pyrraGrouping,
}}

var pyrraBoolSpec = &spec[pyrraRatio]{fields: []field[pyrraRatio]{
	required(field[pyrraRatio]{key: "metric", read: func(r reporter, n *yaml.Node, path string, p *pyrraRatio) {
		p.metric, _, _ = r.selector(n, path)
	}}, "the gauge's selector, e.g. probe_success{job=\"blackbox\"}"),
	pyrraGrouping,
}}

// pyrraHistogram maps Pyrra's latency indicator (success: X_bucket{le=B,…},
// total: X_count{…}) onto a classic-histogram latency SLI.
func pyrraHistogram(success, total string) (*LatencySLI, error) {
	s, err := promqlparse.ParseVectorSelector(success)
	if err != nil {
		return nil, err
	}
	t, err := promqlparse.ParseVectorSelector(total)
	if err != nil {
		return nil, err
	}
	base, ok := strings.CutSuffix(s.Name, "_bucket")
	if !ok || t.Name != base+"_count" {
		return nil, fmt.Errorf("success must select X_bucket and total X_count of one histogram (got %s and %s)", s.Name, t.Name)
	}
	var le string
	rest := promqlparse.Selector{Name: base}
	for _, m := range s.Matchers {
		if m.Name == "le" {
			if m.Op != promqlparse.MatchEqual {
				return nil, fmt.Errorf("success must match one bucket, le=\"BOUND\" (found le%s%q)", m.Op, m.Value)
			}
			le = m.Value
			continue
		}
		rest.Matchers = append(rest.Matchers, m)
	}
	threshold, err := strconv.ParseFloat(le, 64)
	if err != nil || threshold <= 0 {
		return nil, fmt.Errorf("success has no usable le=\"BOUND\" matcher (found %q)", le)
	}
	if (promqlparse.Selector{Name: base, Matchers: t.Matchers}).String() != rest.String() {
		return nil, fmt.Errorf("success and total must use the same matchers besides le (%s and %s): slobudget reads both from one histogram", rest, t)
	}
	return &LatencySLI{Histogram: rest.String(), Threshold: threshold}, nil
}

var pyrraAlertingSpec = &spec[sloDraft]{fields: []field[sloDraft]{
	{key: "disabled", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		if v, ok := r.boolean(n, path); ok && v {
			d.Alerting.PageDisabled, d.Alerting.TicketDisabled = true, true
		}
	}},
	{key: "burnrates", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		if v, ok := r.boolean(n, path); ok && !v {
			d.Alerting.PageDisabled, d.Alerting.TicketDisabled = true, true
		}
	}},
	{key: "name", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		if name, ok := r.str(n, path); ok {
			d.note(pyrraFormat, fmt.Sprintf("Pyrra named the alerts %s; slobudget's burn alert is SLOErrorBudgetBurn with labels slo and service", name))
		}
	}},
	rejected[sloDraft]("absent", "slobudget always generates SLOBudgetDataMissing; silence it in Alertmanager, or tune alerting.for.dataMissing in the native form"),
}}
