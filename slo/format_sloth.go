package slo

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Sloth (sloth.dev): the plain `version: prometheus/v1` file and the
// `sloth.slok.dev/v1 PrometheusServiceLevel` Kubernetes object, whose spec
// is the same minus the version.

const slothFormat = "Sloth"

func init() {
	peerFormats["prometheus/v1"] = format{name: slothFormat, decode: decodeSlothFile}
	peerFormats["sloth.slok.dev/v1 PrometheusServiceLevel"] = format{name: slothFormat, decode: decodeSlothCRD}
}

// slothSpec is the service-wide part of a Sloth file.
type slothSpec struct {
	service    string
	labels     map[string]string
	labelsNode *yaml.Node
	slos       *yaml.Node
}

func slothSpecFields(extra ...field[slothSpec]) *spec[slothSpec] {
	return &spec[slothSpec]{fields: append([]field[slothSpec]{
		required(textField("service", func(s *slothSpec) *string { return &s.service }, checkService), "the service of these SLOs"),
		{key: "labels", read: func(r reporter, n *yaml.Node, path string, s *slothSpec) {
			s.labelsNode = n
			s.labels = r.labels(n, path)
		}},
		required(field[slothSpec]{key: "slos", read: func(r reporter, n *yaml.Node, path string, s *slothSpec) { s.slos = n }}, "the SLOs of the service"),
	}, extra...)}
}

var slothFileSpec = slothSpecFields(
	anyValue[slothSpec]("version"),
)

var slothCRDSpec = slothSpecFields()

func decodeSlothFile(top reporter, doc *yaml.Node, fc *fileConfig) {
	var s slothSpec
	if _, ok := slothFileSpec.decode(top, doc, "", &s); ok {
		decodeSlothSLOs(top, s, fc)
	}
}

type slothCRD struct {
	meta kubeMetadata
	spec slothSpec
}

var slothCRDTop = &spec[slothCRD]{fields: []field[slothCRD]{
	anyValue[slothCRD]("apiVersion"), anyValue[slothCRD]("kind"),
	// The object's name and labels identify it in Kubernetes; the SLOs are
	// named in spec.slos.
	nested("metadata", kubeMetadataSpec, func(c *slothCRD) *kubeMetadata { return &c.meta }),
	required(nested("spec", slothCRDSpec, func(c *slothCRD) *slothSpec { return &c.spec }), "service and slos"),
	anyValue[slothCRD]("status"),
}}

func decodeSlothCRD(top reporter, doc *yaml.Node, fc *fileConfig) {
	var c slothCRD
	if _, ok := slothCRDTop.decode(top, doc, "", &c); ok && c.spec.slos != nil {
		decodeSlothSLOs(top, c.spec, fc)
	}
}

func decodeSlothSLOs(top reporter, s slothSpec, fc *fileConfig) {
	for i, n := range top.sequence(s.slos, "slos") {
		r := reporter{file: top.file, errs: top.errs, subject: fmt.Sprintf("slos[%d]", i)}
		if name, ok := peekName(n); ok {
			r.subject = fmt.Sprintf("slo %q", name)
		}
		d := newSLODraft(top.file, n.Line)
		d.Service = s.service
		d.note(slothFormat, "Sloth's SLO period comes from its command line (default 30d); this SLO uses window: 30d")
		m, ok := slothSLOSpec.decode(r, n, "", &d)
		if !ok {
			continue
		}
		d.Labels = mergeLabels(s.labels, d.Labels)
		d.finish(r, m.node)
		fc.slos = append(fc.slos, d)
	}
}

var slothSLOSpec = &spec[sloDraft]{fields: []field[sloDraft]{
	required(textField("name", sloField(func(s *SLO) *string { return &s.Name }), checkName), ""),
	textField("description", sloField(func(s *SLO) *string { return &s.Description })),
	// Sloth's objective is a percentage, like slobudget's.
	required(numberField("objective", sloField(func(s *SLO) *float64 { return &s.Objective }), checkObjective), "a percentage such as 99.9"),
	labelsField("labels", sloField(func(s *SLO) *map[string]string { return &s.Labels })),
	required(field[sloDraft]{key: "sli", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		slothSLISpec.decode(r, n, path, d)
	}}, "events, raw or plugin"),
	nested("alerting", slothAlertingSpec, func(d *sloDraft) *sloDraft { return d }),
}}

var slothSLISpec = &spec[sloDraft]{
	fields: []field[sloDraft]{
		{key: "events", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
			var q slothEvents
			_, ok := slothEventsSpec.decode(r, n, path, &q)
			if !ok || q.errors == "" || q.total == "" {
				return
			}
			sli, how := countersOf(q.errors, "", q.total)
			d.SLI = sli
			switch how {
			case "events":
				d.note(slothFormat, "Sloth averaged the ratio of its queries over 5m steps; slobudget counts the events of the counters they sum, exactly")
			case "reduced":
				d.note(slothFormat, "Sloth averaged the ratio of its queries over 5m steps; these queries reduce to counters, which slobudget counts exactly")
			default:
				d.note(slothFormat, "these queries do not reduce to counters: Prometheus evaluates them, and the SLI is an estimate (exact: false)")
			}
		}},
		{key: "raw", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
			var q string
			slothRawSpec.decode(r, n, path, &q)
			if q != "" {
				d.SLI = SLI{Expression: &ExpressionSLI{ErrorRatio: q}}
				d.note(slothFormat, "a raw error ratio cannot be counted: Prometheus evaluates it, and the SLI is an estimate (exact: false)")
			}
		}},
		rejected[sloDraft]("plugin", "Sloth SLI plugins generate their queries inside Sloth, which slobudget cannot run; write the queries the plugin produces (`sloth generate` prints them) as sli.events error_query and total_query"),
	},
	after: func(r reporter, m fields, path string, _ *sloDraft) {
		r.oneOf(m, path, []string{"events", "raw", "plugin"})
	},
}

// Sloth's prometheus/v1 files write error_query and total_query; its
// PrometheusServiceLevel CRD writes errorQuery and totalQuery.
var slothEventsSpec = &spec[slothEvents]{
	fields: []field[slothEvents]{
		{key: "error_query", read: func(r reporter, n *yaml.Node, path string, q *slothEvents) { q.errors, _ = r.promQL(n, path) }},
		{key: "errorQuery", read: func(r reporter, n *yaml.Node, path string, q *slothEvents) { q.errors, _ = r.promQL(n, path) }},
		{key: "total_query", read: func(r reporter, n *yaml.Node, path string, q *slothEvents) { q.total, _ = r.promQL(n, path) }},
		{key: "totalQuery", read: func(r reporter, n *yaml.Node, path string, q *slothEvents) { q.total, _ = r.promQL(n, path) }},
	},
	after: func(r reporter, m fields, path string, _ *slothEvents) {
		for _, pair := range [][3]string{
			{"error_query", "errorQuery", "the PromQL of bad events, with [{{.window}}]"},
			{"total_query", "totalQuery", "the PromQL of all events, with [{{.window}}]"},
		} {
			switch a, b := m.has(pair[0]), m.has(pair[1]); {
			case a && b:
				r.errorf(m.values[pair[1]], path, "both %s and %s are given: use one", pair[0], pair[1])
			case !a && !b:
				r.errorf(m.node, join(path, pair[0]), "required: %s", pair[2])
			}
		}
	},
}

// Sloth spells the raw query both ways across versions.
var slothRawSpec = &spec[string]{
	fields: []field[string]{
		{key: "error_ratio_query", read: func(r reporter, n *yaml.Node, path string, q *string) { *q, _ = r.promQL(n, path) }},
		{key: "errorRatioQuery", read: func(r reporter, n *yaml.Node, path string, q *string) { *q, _ = r.promQL(n, path) }},
	},
	after: func(r reporter, m fields, path string, _ *string) {
		switch a, b := m.has("error_ratio_query"), m.has("errorRatioQuery"); {
		case a && b:
			r.errorf(m.node, path, "both error_ratio_query and errorRatioQuery are given: use one")
		case !a && !b:
			r.errorf(m.node, path+".errorRatioQuery", "required: the PromQL of the error ratio (0-1)")
		}
	},
}

var slothAlertingSpec = &spec[sloDraft]{fields: []field[sloDraft]{
	{key: "name", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
		if name, ok := r.str(n, path); ok {
			d.note(slothFormat, fmt.Sprintf("Sloth named the alerts %s; slobudget's are SLOErrorBudgetBurn (severity page or ticket), SLOFeatureFreeze and SLOBudgetDataMissing, with slo and service labels", name))
		}
	}},
	labelsField("labels", func(d *sloDraft) *map[string]string { return &d.Alerting.Labels }),
	annotationsField("annotations", func(d *sloDraft) *map[string]string { return &d.Alerting.Annotations }),
	nested("page_alert", slothAlertSpec("page"), func(d *sloDraft) *sloDraft { return d }),
	nested("ticket_alert", slothAlertSpec("ticket"), func(d *sloDraft) *sloDraft { return d }),
	// The CRD's spelling.
	nested("pageAlert", slothAlertSpec("page"), func(d *sloDraft) *sloDraft { return d }),
	nested("ticketAlert", slothAlertSpec("ticket"), func(d *sloDraft) *sloDraft { return d }),
}}

// slothAlertSpec reads page_alert or ticket_alert. slobudget's alerts share
// one set of labels and annotations; a per-severity severity label is what
// slobudget sets itself, so it is the one per-alert label it takes.
func slothAlertSpec(severity string) *spec[sloDraft] {
	return &spec[sloDraft]{fields: []field[sloDraft]{
		{key: "disable", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
			if v, ok := r.boolean(n, path); ok && v {
				if severity == "page" {
					d.Alerting.PageDisabled = true
				} else {
					d.Alerting.TicketDisabled = true
				}
			}
		}},
		{key: "labels", read: func(r reporter, n *yaml.Node, path string, d *sloDraft) {
			m, keys := r.stringMap(n, path)
			for _, k := range keys {
				if k.Value == "severity" {
					d.note(slothFormat, fmt.Sprintf("Sloth labelled %s alerts severity=%s; slobudget's carry severity=%s: route on that", severity, m["severity"], severity))
					continue
				}
				r.errorf(k, join(path, k.Value), "per-severity labels are not supported: slobudget's alerts share alerting.labels and carry severity=%q; move it to alerting.labels or route on severity in Alertmanager", severity)
			}
		}},
		rejected[sloDraft]("annotations", "per-severity annotations are not supported: slobudget's alerts share alerting.annotations; move them there"),
	}}
}

// slothEvents are the two queries of an events SLI.
type slothEvents struct{ errors, total string }
