package slo

import (
	"fmt"
	"strings"
	"time"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"gopkg.in/yaml.v3"
)

const (
	defaultSlice = time.Minute
	minSlice     = 10 * time.Second
)

// KindBoolGauge is not a kind of its own: `sli.boolGauge: SEL` is the short
// form of a time-slice SLI whose condition is SEL == 1 (probe_success).
const keyBoolGauge = "boolGauge"

var sliKinds = []string{string(KindEvents), string(KindLatency), string(KindTimeSlice), string(KindExpression), keyBoolGauge}

// oneOf checks that exactly one of keys is present in m and returns it.
// A present key with a null value counts as given (and is reported by its
// reader), so that `events:` alone says what events must hold.
func (r reporter) oneOf(m fields, path string, keys []string) (string, bool) {
	var given []string
	for _, k := range keys {
		if _, present := m.values[k]; present {
			given = append(given, k)
		}
	}
	switch len(given) {
	case 0:
		r.errorf(m.node, path, "no SLI kind given: use exactly one of %s", strings.Join(keys, ", "))
		return "", false
	case 1:
		return given[0], true
	}
	r.errorf(m.node, path, "more than one SLI kind (%s): use exactly one", strings.Join(given, ", "))
	return "", false
}

// decodeSLI decodes the `sli` mapping, which must hold exactly one kind.
func decodeSLI(r reporter, n *yaml.Node) SLI {
	var sli SLI
	const path = "sli"
	m, ok := r.mapping(n, path, sliKinds...)
	if !ok {
		return sli
	}
	kind, ok := r.oneOf(m, path, sliKinds)
	if !ok {
		return sli
	}
	v, kpath := m.values[kind], join(path, kind)
	if isNull(v) && kind != keyBoolGauge {
		r.errorf(v, kpath, "must hold %s", sliKindHint[SLIKind(kind)])
		return sli
	}
	switch kind {
	case string(KindEvents):
		sli.Events = &EventsSLI{}
		eventsSpec.decode(r, v, kpath, sli.Events)
	case string(KindLatency):
		sli.Latency = &LatencySLI{}
		latencySpec.decode(r, v, kpath, sli.Latency)
	case string(KindTimeSlice):
		sli.TimeSlice = &TimeSliceSLI{Slice: defaultSlice}
		timeSliceSpec.decode(r, v, kpath, sli.TimeSlice)
	case string(KindExpression):
		sli.Expression = &ExpressionSLI{}
		expressionSpec.decode(r, v, kpath, sli.Expression)
	case keyBoolGauge:
		sli.TimeSlice = r.boolGauge(v, kpath)
	}
	return sli
}

var sliKindHint = map[SLIKind]string{
	KindEvents:     "errors or good, and total",
	KindLatency:    "histogram (or nativeHistogram) and threshold",
	KindTimeSlice:  "condition",
	KindExpression: "total with errors or good, or errorRatio",
}

// boolGauge reads `boolGauge: SEL`, a gauge that is 1 when things are good.
func (r reporter) boolGauge(n *yaml.Node, path string) *TimeSliceSLI {
	text, sel, ok := r.selector(n, path)
	if !ok {
		return nil
	}
	if sel.Name == "" {
		r.errorf(n, path, "%s names no metric; write the gauge's name, e.g. probe_success{job=\"blackbox\"}", quoteExpr(text))
	}
	return BoolGauge(sel.String())
}

// BoolGauge is the time-slice SLI of a gauge that is 1 when things are good
// (probe_success, Pyrra's bool_gauge): good slices are those where it is 1.
func BoolGauge(selector string) *TimeSliceSLI {
	return &TimeSliceSLI{Query: selector, Op: "==", Threshold: 1, Slice: defaultSlice}
}

// selector reads a field that must be a plain vector selector and returns it
// as written (trimmed) together with its parsed form.
func (r reporter) selector(n *yaml.Node, field string) (string, promqlparse.Selector, bool) {
	text, has := r.str(n, field)
	if !has {
		if isNull(n) && n != nil {
			r.errorf(n, field, "must not be empty")
		}
		return "", promqlparse.Selector{}, false
	}
	text = strings.TrimSpace(text)
	sel, err := promqlparse.ParseVectorSelector(text)
	if err != nil {
		r.errorf(n, field, "%s: %v", quoteExpr(text), err)
		return "", promqlparse.Selector{}, false
	}
	return text, sel, true
}

// selectorField reads a plain vector selector into *to(dst).
func selectorField[T any](key string, to func(*T) *string) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		*to(dst), _, _ = r.selector(n, path)
	}}
}

var eventsSpec = &spec[EventsSLI]{
	fields: []field[EventsSLI]{
		selectorField("errors", func(e *EventsSLI) *string { return &e.Errors }),
		selectorField("good", func(e *EventsSLI) *string { return &e.Good }),
		required(selectorField("total", func(e *EventsSLI) *string { return &e.Total }), "the counter of all events"),
	},
	after: func(r reporter, m fields, path string, _ *EventsSLI) {
		switch hasErrors, hasGood := m.has("errors"), m.has("good"); {
		case hasErrors && hasGood:
			r.errorf(m.values["good"], path, "both errors and good are given: use one of them, the other follows from total")
		case !hasErrors && !hasGood:
			r.errorf(m.node, path, "one of errors or good is required, as a counter selector")
		}
	},
}

// histogramSuffixes are the series names of a classic histogram; the config
// names the histogram itself and slobudget adds the suffix it needs.
var histogramSuffixes = []string{"_bucket", "_count", "_sum"}

var latencySpec = &spec[LatencySLI]{
	fields: []field[LatencySLI]{
		{key: "histogram", read: func(r reporter, n *yaml.Node, path string, l *LatencySLI) {
			if text, sel, ok := r.selector(n, path); ok {
				l.Histogram = text
				checkHistogramSelector(r, n, path, text, sel, "classic histogram's")
			}
		}},
		{key: "nativeHistogram", read: func(r reporter, n *yaml.Node, path string, l *LatencySLI) {
			if text, sel, ok := r.selector(n, path); ok {
				l.NativeHistogram = text
				checkHistogramSelector(r, n, path, text, sel, "native histogram's")
			}
		}},
		required(numberField("threshold", func(l *LatencySLI) *float64 { return &l.Threshold }, func(v float64) string {
			if v <= 0 {
				return fmt.Sprintf("%s must be above 0 (seconds, a bucket boundary of the histogram)", fmtNum(v))
			}
			return ""
		}), "the latency bound in the histogram's unit, equal to one of its bucket boundaries (le)"),
	},
	after: func(r reporter, m fields, path string, l *LatencySLI) {
		_, classic := m.values["histogram"]
		_, native := m.values["nativeHistogram"]
		switch {
		case classic && native:
			r.errorf(m.values["nativeHistogram"], path, "both histogram and nativeHistogram are given: use the one your histogram is")
		case !classic && !native:
			r.errorf(m.node, path+".histogram", "required: the classic histogram's name and matchers, without _bucket (or nativeHistogram for a native histogram)")
		}
	},
}

func checkHistogramSelector(r reporter, n *yaml.Node, field, text string, sel promqlparse.Selector, what string) {
	if sel.Name == "" {
		r.errorf(n, field, "%s names no metric; write the %s name, e.g. http_request_duration_seconds{job=\"api\"}", quoteExpr(text), what)
		return
	}
	for _, suffix := range histogramSuffixes {
		if strings.HasSuffix(sel.Name, suffix) {
			r.errorf(n, field, "%s ends in %s: name the histogram without the suffix (%s); slobudget adds _bucket and _count itself",
				quoteExpr(text), suffix, strings.TrimSuffix(sel.Name, suffix))
			return
		}
	}
	if sel.HasMatcherOn("le") {
		r.errorf(n, field, "%s matches on le: leave le out, threshold chooses the bucket", quoteExpr(text))
	}
}

var timeSliceSpec = &spec[TimeSliceSLI]{fields: []field[TimeSliceSLI]{
	required(field[TimeSliceSLI]{key: "condition", read: func(r reporter, n *yaml.Node, path string, ts *TimeSliceSLI) {
		text, ok := r.str(n, path)
		if !ok {
			return
		}
		cond, err := promqlparse.ParseCondition(strings.TrimSpace(text))
		if err != nil {
			r.errorf(n, path, "%s: %v", quoteExpr(text), err)
			return
		}
		ts.Query, ts.Op, ts.Threshold = cond.Selector.String(), cond.Op, cond.Threshold
	}}, `a gauge condition such as 'pipeline_lag_seconds{pipeline="orders"} < 900'`),
	{key: "slice", read: func(r reporter, n *yaml.Node, path string, ts *TimeSliceSLI) {
		text, d, ok := r.duration(n, path)
		if !ok {
			return
		}
		ts.Slice = d
		if msg := checkSlice(text, d); msg != "" {
			r.errorf(n, path, "%s", msg)
		}
	}},
}}

// checkSlice reports why a time slice is unusable, or "".
func checkSlice(text string, d time.Duration) string {
	switch {
	case d < minSlice:
		return fmt.Sprintf("%q is shorter than %s; Prometheus scrapes rarely resolve finer slices", text, minSlice)
	case StepGrid%d != 0:
		// Every window (5m up to the SLO window) must hold whole slices,
		// in the daemon and in the generated rules.
		return fmt.Sprintf("%q must divide 5m evenly (e.g. 10s, 15s, 30s, 1m, 5m)", text)
	}
	return ""
}

// expressionField reads a PromQL expression (the window placeholder
// allowed) into *to(dst).
func expressionField[T any](key string, to func(*T) *string) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		text, ok := r.str(n, path)
		if !ok {
			return
		}
		text = strings.TrimSpace(text)
		if text == "" {
			r.errorf(n, path, "must not be empty")
			return
		}
		if _, err := promqlparse.ParseTemplate(text); err != nil {
			r.errorf(n, path, "%s: %v", quoteExpr(text), err)
			return
		}
		*to(dst) = text
	}}
}

var expressionSpec = &spec[ExpressionSLI]{
	fields: []field[ExpressionSLI]{
		expressionField("errors", func(e *ExpressionSLI) *string { return &e.Errors }),
		expressionField("good", func(e *ExpressionSLI) *string { return &e.Good }),
		expressionField("total", func(e *ExpressionSLI) *string { return &e.Total }),
		expressionField("errorRatio", func(e *ExpressionSLI) *string { return &e.ErrorRatio }),
	},
	after: func(r reporter, m fields, path string, _ *ExpressionSLI) {
		errs, good, total, ratio := m.has("errors"), m.has("good"), m.has("total"), m.has("errorRatio")
		switch {
		case ratio && (errs || good || total):
			r.errorf(m.values["errorRatio"], path, "errorRatio stands alone: give it, or total with errors or good, not both")
		case ratio:
		case errs && good:
			r.errorf(m.values["good"], path, "both errors and good are given: use one of them, the other follows from total")
		case !total:
			r.errorf(m.node, path+".total", "required: an expression of all events, e.g. sum(rate(http_requests_total[{{.window}}])) (or errorRatio alone)")
		case !errs && !good:
			r.errorf(m.node, path, "one of errors or good is required with total")
		}
	},
}
