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

// OpenSLO (openslo.com), versions v1alpha and v1. SLO, SLI and Service
// objects may sit in any file and document; an SLO refers to its SLI and
// service by name, so SLOs are decoded once every file is read.

const opensloFormat = "OpenSLO"

func init() {
	for _, v := range []string{"openslo/v1alpha", "openslo/v1"} {
		peerFormats[v+" *"] = format{name: opensloFormat, decode: collectOpenSLO}
	}
}

// opensloObject is one OpenSLO document, kept until all files are read.
type opensloObject struct {
	version, kind, name string
	doc                 *yaml.Node
	file                string
}

var opensloKinds = map[string]string{
	"SLO": "", "SLI": "", "Service": "",
	"DataSource":              "slobudget queries the one Prometheus given with --prometheus.url; remove the DataSource and its metricSourceRef",
	"AlertPolicy":             "slobudget generates the SRE Workbook's multiwindow burn-rate alerts itself (`slobudget rules`); remove alert policies",
	"AlertCondition":          "slobudget generates the SRE Workbook's multiwindow burn-rate alerts itself (`slobudget rules`); remove alert conditions",
	"AlertNotificationTarget": "route slobudget's alerts in Alertmanager (examples/alertmanager.yml); remove notification targets",
}

func collectOpenSLO(top reporter, doc *yaml.Node, fc *fileConfig) {
	version, apiVersion, kind, _ := formatHeader(doc)
	_ = version
	instead, known := opensloKinds[kind]
	switch {
	case !known:
		top.errorf(doc, "kind", "OpenSLO kind %q is not known; slobudget reads SLO, SLI and Service", kind)
		return
	case instead != "":
		top.errorf(doc, "kind", "not supported: %s", instead)
		return
	}
	name, _ := pyrraName(doc)
	fc.openslo = append(fc.openslo, opensloObject{version: apiVersion, kind: kind, name: name, doc: doc, file: top.file})
}

// resolveOpenSLO decodes the OpenSLO SLOs of every file once the SLIs and
// services of all files are known.
func resolveOpenSLO(files []fileConfig, errs *[]ConfigError) {
	slis := map[string]opensloObject{}
	services := map[string]bool{}
	for _, fc := range files {
		for _, o := range fc.openslo {
			r := reporter{file: o.file, errs: errs, subject: fmt.Sprintf("%s %q", strings.ToLower(o.kind), o.name)}
			switch o.kind {
			case "SLI":
				if first, dup := slis[o.name]; dup {
					r.errorf(o.doc, "metadata.name", "duplicate SLI name %q, first defined at %s:%d", o.name, first.file, first.doc.Line)
					continue
				}
				slis[o.name] = o
			case "Service":
				var svc opensloService
				opensloServiceSpec.decode(r, o.doc, "", &svc)
				services[o.name] = true
			}
		}
	}
	for i := range files {
		for _, o := range files[i].openslo {
			if o.kind != "SLO" {
				continue
			}
			r := reporter{file: o.file, errs: errs, subject: fmt.Sprintf("slo %q", o.name)}
			d := newSLODraft(o.file, o.doc.Line)
			d.Origin = &Origin{Format: opensloFormat + " " + strings.TrimPrefix(o.version, "openslo/")}
			od := opensloDraft{draft: &d, slis: slis, version: o.version}
			m, ok := opensloSLOTop.decode(r, o.doc, "", &od)
			if !ok {
				continue
			}
			d.Name = od.meta.Name
			if msg := checkName(d.Name); msg != "" {
				r.errorf(nodeOrParent(od.meta.nameNode, o.doc), "metadata.name", "%s", msg)
			}
			d.Labels = r.checkedLabels(od.meta.Labels, nodeOrParent(m.get("metadata"), o.doc), "metadata.labels")
			if len(od.meta.Annotations) > 0 {
				d.note(opensloFormat, "metadata.annotations are implementation metadata and not carried over")
			}
			od.apply(r, m)
			d.finish(r, m.node)
			files[i].slos = append(files[i].slos, d)
		}
	}
}

type opensloService struct{ meta kubeMetadata }

var opensloServiceSpec = &spec[opensloService]{fields: []field[opensloService]{
	anyValue[opensloService]("apiVersion"), anyValue[opensloService]("kind"),
	nested("metadata", opensloMetaSpec, func(s *opensloService) *kubeMetadata { return &s.meta }),
	anyValue[opensloService]("spec"), // a description only
}}

// opensloMetaSpec is OpenSLO's metadata: a name, a display name, labels.
var opensloMetaSpec = &spec[kubeMetadata]{fields: []field[kubeMetadata]{
	kubeMetadataSpec.fields[0],
	ignoredField[kubeMetadata]("displayName"),
	kubeMetadataSpec.fields[2], kubeMetadataSpec.fields[3],
}}

// opensloDraft collects an SLO's parts; apply maps them once all are read.
type opensloDraft struct {
	draft   *sloDraft
	slis    map[string]opensloObject
	version string
	meta    kubeMetadata

	indicator     *yaml.Node // inline SLI, or the referenced one's document
	indicatorPath string
	budgeting     string
	budgetingNode *yaml.Node
	objective     opensloObjective
	objectiveNode *yaml.Node
}

type opensloObjective struct {
	op, value         string
	target            float64
	hasTarget         bool
	sliceWindow       time.Duration
	sliceWindowNode   *yaml.Node
	ratioMetrics      *yaml.Node // v1alpha: the ratio lives in the objective
	valueNode, opNode *yaml.Node
}

var opensloSLOTop = &spec[opensloDraft]{fields: []field[opensloDraft]{
	anyValue[opensloDraft]("apiVersion"), anyValue[opensloDraft]("kind"),
	required(nested("metadata", opensloMetaSpec, func(o *opensloDraft) *kubeMetadata { return &o.meta }), "name"),
	required(nested("spec", opensloSLOSpec, func(o *opensloDraft) *opensloDraft { return o }), "service, indicator, timeWindow, budgetingMethod, objectives"),
}}

var opensloSLOSpec = &spec[opensloDraft]{
	fields: []field[opensloDraft]{
		textField("description", func(o *opensloDraft) *string { return &o.draft.Description }),
		required(textField("service", func(o *opensloDraft) *string { return &o.draft.Service }, checkService), "the service's name"),
		{key: "indicator", read: func(r reporter, n *yaml.Node, path string, o *opensloDraft) {
			o.indicator, o.indicatorPath = n, path
		}},
		{key: "indicatorRef", read: func(r reporter, n *yaml.Node, path string, o *opensloDraft) {
			name, ok := r.str(n, path)
			if !ok {
				return
			}
			sli, found := o.slis[name]
			if !found {
				r.errorf(n, path, "undefined SLI %q: define an OpenSLO SLI object of that name in any config file", name)
				return
			}
			o.indicator, o.indicatorPath = sli.doc, fmt.Sprintf("(SLI %q at %s:%d)", name, sli.file, sli.doc.Line)
		}},
		{key: "timeWindow", read: readOpenSLOWindows},
		{key: "timeWindows", read: readOpenSLOWindows},
		required(field[opensloDraft]{key: "budgetingMethod", read: func(r reporter, n *yaml.Node, path string, o *opensloDraft) {
			o.budgeting, _ = r.str(n, path)
			o.budgetingNode = n
		}}, "Occurrences or Timeslices"),
		required(field[opensloDraft]{key: "objectives", read: func(r reporter, n *yaml.Node, path string, o *opensloDraft) {
			items := r.sequence(n, path)
			if len(items) != 1 {
				r.errorf(n, path, "%d objectives: a slobudget SLO has exactly one objective; write one OpenSLO SLO per objective", len(items))
				return
			}
			o.objectiveNode = items[0]
			opensloObjectiveSpec.decode(r, items[0], path+"[0]", &o.objective)
		}}, "one objective with target"),
		rejected[opensloDraft]("alertPolicies", "slobudget generates the SRE Workbook's multiwindow burn-rate alerts itself (`slobudget rules`)"),
	},
}

var opensloObjectiveSpec = &spec[opensloObjective]{fields: []field[opensloObjective]{
	ignoredField[opensloObjective]("displayName"),
	{key: "op", read: func(r reporter, n *yaml.Node, path string, o *opensloObjective) {
		o.op, _ = r.str(n, path)
		o.opNode = n
	}},
	{key: "value", read: func(r reporter, n *yaml.Node, path string, o *opensloObjective) {
		o.value, _ = r.str(n, path)
		o.valueNode = n
	}},
	numberField("target", func(o *opensloObjective) *float64 { o.hasTarget = true; return &o.target }, func(v float64) string {
		if v <= 0 || v >= 1 {
			return fmt.Sprintf("%s is not a ratio in (0, 1) such as 0.999", fmtNum(v))
		}
		return ""
	}),
	numberField("targetPercent", func(o *opensloObjective) *float64 { o.hasTarget = true; return &o.target }, func(v float64) string {
		if v <= 0 || v >= 100 {
			return fmt.Sprintf("%s is not a percentage in (0, 100) such as 99.9", fmtNum(v))
		}
		return ""
	}),
	ignoredField[opensloObjective]("timeSliceTarget"),
	{key: "timeSliceWindow", read: func(r reporter, n *yaml.Node, path string, o *opensloObjective) {
		o.sliceWindowNode = n
		if text, d, ok := r.duration(n, path); ok {
			if msg := checkSlice(text, d); msg != "" {
				r.errorf(n, path, "%s", msg)
				return
			}
			o.sliceWindow = d
		}
	}},
	{key: "ratioMetrics", read: func(r reporter, n *yaml.Node, path string, o *opensloObjective) { o.ratioMetrics = n }},
	rejected[opensloObjective]("compositeWeight", "composite SLOs are not supported; define each SLO on its own"),
	rejected[opensloObjective]("indicator", "give the indicator on the SLO (spec.indicator or spec.indicatorRef)"),
	rejected[opensloObjective]("indicatorRef", "give the indicator on the SLO (spec.indicator or spec.indicatorRef)"),
}}

// readOpenSLOWindows reads timeWindow (v1: duration, isRolling, calendar) or
// timeWindows (v1alpha: unit, count, isRolling, calendar): one window.
func readOpenSLOWindows(r reporter, n *yaml.Node, path string, o *opensloDraft) {
	items := r.sequence(n, path)
	if len(items) != 1 {
		r.errorf(n, path, "%d windows: a slobudget SLO has exactly one window", len(items))
		return
	}
	var w opensloWindow
	if _, ok := opensloWindowSpec.decode(r, items[0], path+"[0]", &w); !ok {
		return
	}
	at := items[0]
	text := w.duration
	if w.unit != "" {
		unit, known := map[string]string{"Day": "d", "Week": "w", "Month": "M", "Quarter": "Q", "Year": "y"}[w.unit]
		if !known {
			r.errorf(at, path+"[0].unit", "%q is not Day, Week, Month, Quarter or Year", w.unit)
			return
		}
		text = strconv.Itoa(w.count) + unit
	}
	switch {
	case w.rolling:
		if strings.HasSuffix(text, "M") || strings.HasSuffix(text, "Q") {
			r.errorf(at, path, "a rolling window of %s has no fixed length; write days (e.g. 30d) or use a calendar window", text)
			return
		}
		d, err := model.ParseDuration(text)
		if err != nil {
			r.errorf(at, path, "%q is not a duration such as 28d", text)
			return
		}
		if msg := checkRollingWindow(text, time.Duration(d)); msg != "" {
			r.errorf(at, path, "%s", msg)
			return
		}
		o.draft.Window = rollingWindow(text, time.Duration(d))
	default:
		period := map[string]string{"1M": "month", "1w": "week", "1Q": "quarter", "1q": "quarter", "7d": "week"}[text]
		if period == "" {
			r.errorf(at, path, "calendar window %s: slobudget's calendar windows are one month (1M), week (1w) or quarter (1Q)", text)
			return
		}
		win, _ := CalendarWindow(period, w.zone)
		if !w.start.IsZero() {
			if s, _ := win.Period(w.start); !s.Equal(w.start) {
				r.errorf(at, path+"[0].calendar.startTime", "%s is not the start of a %s in %s: slobudget's periods start at calendar boundaries (ISO weeks on Monday)", w.start, period, win.Location)
				return
			}
		}
		o.draft.Window = win
	}
}

type opensloWindow struct {
	duration, unit string
	count          int
	rolling        bool
	zone           *time.Location
	start          time.Time
	startText      string
}

var opensloWindowSpec = &spec[opensloWindow]{fields: []field[opensloWindow]{
	textField("duration", func(w *opensloWindow) *string { return &w.duration }),
	textField("unit", func(w *opensloWindow) *string { return &w.unit }),
	{key: "count", read: func(r reporter, n *yaml.Node, path string, w *opensloWindow) { w.count, _ = r.integer(n, path) }},
	boolField("isRolling", func(w *opensloWindow) *bool { return &w.rolling }),
	nested("calendar", &spec[opensloWindow]{fields: []field[opensloWindow]{
		textField("startTime", func(w *opensloWindow) *string { return &w.startText }),
		{key: "timeZone", read: func(r reporter, n *yaml.Node, path string, w *opensloWindow) {
			if v, ok := r.str(n, path); ok {
				loc, err := loadZone(v)
				if err != nil {
					r.errorf(n, path, "%q is not an IANA time zone such as UTC or Europe/Berlin", v)
					return
				}
				w.zone = loc
			}
		}},
	}, after: func(r reporter, m fields, path string, w *opensloWindow) {
		if w.startText == "" {
			return
		}
		loc := w.zone
		if loc == nil {
			loc = time.UTC
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05", w.startText, loc)
		if err != nil {
			r.errorf(m.values["startTime"], path+".startTime", "%q is not a time such as 2022-01-01 00:00:00", w.startText)
			return
		}
		w.start = t
	}}, func(w *opensloWindow) *opensloWindow { return w }),
}}

// opensloSLI is an SLI's spec, inline or referenced.
type opensloSLI struct {
	ratio, threshold *yaml.Node
	meta             kubeMetadata
}

var opensloSLIDoc = &spec[opensloSLI]{fields: []field[opensloSLI]{
	anyValue[opensloSLI]("apiVersion"), anyValue[opensloSLI]("kind"),
	nested("metadata", opensloMetaSpec, func(s *opensloSLI) *kubeMetadata { return &s.meta }),
	required(nested("spec", opensloSLIBody, func(s *opensloSLI) *opensloSLI { return s }), "ratioMetric or thresholdMetric"),
}}

var opensloSLIBody = &spec[opensloSLI]{
	fields: []field[opensloSLI]{
		ignoredField[opensloSLI]("description"),
		{key: "ratioMetric", read: func(r reporter, n *yaml.Node, path string, s *opensloSLI) { s.ratio = n }},
		{key: "thresholdMetric", read: func(r reporter, n *yaml.Node, path string, s *opensloSLI) { s.threshold = n }},
	},
	after: func(r reporter, m fields, path string, _ *opensloSLI) {
		r.oneOf(m, path, []string{"ratioMetric", "thresholdMetric"})
	},
}

// apply maps the collected parts onto the native SLO.
func (o *opensloDraft) apply(r reporter, m fields) {
	d := o.draft
	ob := o.objective
	if ob.hasTarget {
		d.Objective = ob.target
		if ob.target < 1 {
			d.Objective = roundPercent(ob.target * 100)
		}
		if msg := checkObjective(d.Objective); msg != "" {
			r.errorf(o.objectiveNode, "objectives[0].target", "%s", msg)
		}
	} else if o.objectiveNode != nil {
		r.errorf(o.objectiveNode, "objectives[0].target", "required: the objective as a ratio such as 0.999 (or targetPercent)")
	}
	switch o.budgeting {
	case "Occurrences", "Timeslices":
	case "RatioTimeslices":
		r.errorf(o.budgetingNode, "budgetingMethod", "not supported: RatioTimeslices; slobudget counts events (Occurrences) or gauge time slices (Timeslices)")
		return
	default:
		if o.budgetingNode != nil {
			r.errorf(o.budgetingNode, "budgetingMethod", "%q is not Occurrences or Timeslices", o.budgeting)
		}
		return
	}
	var ratio, threshold *yaml.Node
	if ob.ratioMetrics != nil { // v1alpha keeps the ratio in the objective
		ratio = ob.ratioMetrics
	}
	if o.indicator != nil {
		var s opensloSLI
		ind := o.indicator
		if o.version == "openslo/v1alpha" && !hasKey(ind, "spec") {
			// v1alpha's inline indicator is the SLI spec itself.
			opensloSLIBody.decode(r, ind, o.indicatorPath, &s)
		} else {
			opensloSLIDoc.decode(r, ind, o.indicatorPath, &s)
		}
		if s.ratio != nil {
			ratio = s.ratio
		}
		threshold = s.threshold
	}
	switch {
	case ratio != nil && o.budgeting == "Occurrences":
		o.ratioSLI(r, ratio)
	case ratio != nil:
		r.errorf(o.budgetingNode, "budgetingMethod", "Timeslices over a ratio metric is not supported: slobudget counts a ratio's events exactly (use Occurrences)")
	case threshold != nil && o.budgeting == "Timeslices":
		o.thresholdSLI(r, threshold)
	case threshold != nil:
		r.errorf(o.budgetingNode, "budgetingMethod", "Occurrences over a threshold metric is not supported: slobudget judges a gauge per time slice (use Timeslices with timeSliceWindow)")
	case o.indicator == nil:
		r.errorf(m.node, "indicator", "required: spec.indicator or spec.indicatorRef")
	}
}

func hasKey(n *yaml.Node, key string) bool {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

type opensloRatio struct {
	counter, hasCounter bool
	good, bad, total    string
	raw, rawType        string
}

// opensloQuery reads a metric source: v1 {metricSource: {type, spec:
// {query}}} or v1alpha {source, queryType, query}.
func opensloQuery(key string, to func(*opensloRatio) *string) field[opensloRatio] {
	return field[opensloRatio]{key: key, read: func(r reporter, n *yaml.Node, path string, o *opensloRatio) {
		var q string
		opensloSourceSpec.decode(r, n, path, &q)
		*to(o) = q
	}}
}

var opensloSourceSpec = &spec[string]{fields: []field[string]{
	nested("metricSource", &spec[string]{fields: []field[string]{
		{key: "type", read: checkPrometheusSource},
		rejected[string]("metricSourceRef", "slobudget queries the Prometheus given with --prometheus.url; remove the reference"),
		nested("spec", &spec[string]{fields: []field[string]{
			required(field[string]{key: "query", read: func(r reporter, n *yaml.Node, path string, q *string) { *q, _ = r.promQL(n, path) }}, "a PromQL query"),
		}}, func(q *string) *string { return q }),
	}}, func(q *string) *string { return q }),
	// v1alpha
	{key: "source", read: checkPrometheusSource},
	{key: "queryType", read: func(r reporter, n *yaml.Node, path string, _ *string) {
		if v, _ := r.str(n, path); !strings.EqualFold(v, "promql") {
			r.errorf(n, path, "%q: slobudget reads PromQL queries only", v)
		}
	}},
	{key: "query", read: func(r reporter, n *yaml.Node, path string, q *string) { *q, _ = r.promQL(n, path) }},
	ignoredField[string]("metadata"),
}}

func checkPrometheusSource(r reporter, n *yaml.Node, path string, _ *string) {
	if v, ok := r.str(n, path); ok && !strings.EqualFold(v, "prometheus") {
		r.errorf(n, path, "%q: slobudget reads Prometheus (PromQL) metrics only", v)
	}
}

var opensloRatioSpec = &spec[opensloRatio]{fields: []field[opensloRatio]{
	{key: "counter", read: func(r reporter, n *yaml.Node, path string, o *opensloRatio) {
		o.counter, o.hasCounter = r.boolean(n, path)
	}},
	{key: "incremental", read: func(r reporter, n *yaml.Node, path string, o *opensloRatio) {
		o.counter, o.hasCounter = r.boolean(n, path)
	}},
	opensloQuery("good", func(o *opensloRatio) *string { return &o.good }),
	opensloQuery("bad", func(o *opensloRatio) *string { return &o.bad }),
	opensloQuery("total", func(o *opensloRatio) *string { return &o.total }),
	textField("rawType", func(o *opensloRatio) *string { return &o.rawType }),
	opensloQuery("raw", func(o *opensloRatio) *string { return &o.raw }),
}}

func (o *opensloDraft) ratioSLI(r reporter, n *yaml.Node) {
	d := o.draft
	var q opensloRatio
	m, ok := opensloRatioSpec.decode(r, n, "indicator.ratioMetric", &q)
	if !ok {
		return
	}
	if q.raw != "" {
		switch q.rawType {
		case "failure":
			d.SLI = SLI{Expression: &ExpressionSLI{ErrorRatio: q.raw}}
		case "success":
			d.SLI = SLI{Expression: &ExpressionSLI{ErrorRatio: "1 - (" + q.raw + ")"}}
		default:
			r.errorf(m.node, "indicator.ratioMetric.rawType", "required with raw: success or failure")
			return
		}
		d.note(opensloFormat, "a raw ratio cannot be counted: Prometheus evaluates it, and the SLI is an estimate (exact: false)")
		return
	}
	if q.hasCounter && !q.counter {
		r.errorf(m.node, "indicator.ratioMetric.counter", "false (gauges) is not supported: slobudget counts events from counters; give counters, or a raw ratio")
		return
	}
	if q.total == "" || (q.good == "") == (q.bad == "") {
		r.errorf(m.node, "indicator.ratioMetric", "needs total and one of good or bad")
		return
	}
	// A plain selector is a counter; anything else is PromQL.
	if sliFromSelectors(d, q) {
		return
	}
	sli, how := countersOf(q.bad, q.good, q.total)
	d.SLI = sli
	if how == "estimate" {
		d.note(opensloFormat, "these queries do not reduce to counters: Prometheus evaluates them, and the SLI is an estimate (exact: false)")
	}
}

func sliFromSelectors(d *sloDraft, q opensloRatio) bool {
	for _, s := range []string{q.good, q.bad, q.total} {
		if s == "" {
			continue
		}
		if _, err := promqlparse.ParseVectorSelector(s); err != nil {
			return false
		}
	}
	d.SLI = SLI{Events: &EventsSLI{Good: q.good, Errors: q.bad, Total: q.total}}
	return true
}

var opensloOps = map[string]string{"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}

func (o *opensloDraft) thresholdSLI(r reporter, n *yaml.Node) {
	d := o.draft
	var q string
	if _, ok := opensloSourceSpec.decode(r, n, "indicator.thresholdMetric", &q); !ok || q == "" {
		return
	}
	ob := o.objective
	op, okOp := opensloOps[ob.op]
	if !okOp {
		r.errorf(nodeOrParent(ob.opNode, o.objectiveNode), "objectives[0].op", "%q is not lt, lte, gt or gte (required for a threshold metric)", ob.op)
		return
	}
	cond, err := promqlparse.ParseCondition(q + " " + op + " " + ob.value)
	if err != nil {
		r.errorf(n, "indicator.thresholdMetric", "`%s %s %s`: %v", q, op, ob.value, err)
		return
	}
	slice := defaultSlice
	if ob.sliceWindow > 0 {
		slice = ob.sliceWindow
	}
	d.SLI = SLI{TimeSlice: &TimeSliceSLI{Query: cond.Selector.String(), Op: cond.Op, Threshold: cond.Threshold, Slice: slice}}
	d.note(opensloFormat, "slobudget judges each time slice by the gauge's value at its end; timeSliceTarget is not used")
}
