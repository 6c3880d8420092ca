package slo

import (
	"strings"
	"time"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"gopkg.in/yaml.v3"
)

const (
	defaultSlice = time.Minute
	minSlice     = 10 * time.Second
)

var sliKinds = []string{string(KindEvents), string(KindLatency), string(KindTimeSlice)}

// decodeSLI decodes the `sli` mapping, which must hold exactly one kind.
func decodeSLI(r reporter, n *yaml.Node) SLI {
	var sli SLI
	f, ok := r.mapping(n, "sli", sliKinds...)
	if !ok {
		return sli
	}
	var given []string
	for _, k := range sliKinds {
		if _, present := f.values[k]; present {
			given = append(given, k)
		}
	}
	switch len(given) {
	case 0:
		r.errorf(f.node, "sli", "no SLI kind given: use exactly one of events, latency, timeslice")
		return sli
	case 1:
	default:
		r.errorf(f.node, "sli", "more than one SLI kind (%s): use exactly one", strings.Join(given, ", "))
		return sli
	}
	switch SLIKind(given[0]) {
	case KindEvents:
		sli.Events = decodeEvents(r, f.get("events"))
	case KindLatency:
		sli.Latency = decodeLatency(r, f.get("latency"))
	case KindTimeSlice:
		sli.TimeSlice = decodeTimeSlice(r, f.get("timeslice"))
	}
	return sli
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

func decodeEvents(r reporter, n *yaml.Node) *EventsSLI {
	const field = "sli.events"
	f, ok := r.mapping(n, field, "errors", "good", "total")
	if !ok {
		if isNull(n) {
			r.errorf(n, field, "must hold errors or good, and total")
		}
		return nil
	}
	ev := &EventsSLI{}
	hasErrors, hasGood := f.has("errors"), f.has("good")
	switch {
	case hasErrors && hasGood:
		r.errorf(f.values["good"], field, "both errors and good are given: use one of them, the other follows from total")
	case !hasErrors && !hasGood:
		r.errorf(f.node, field, "one of errors or good is required, as a counter selector")
	}
	if _, present := f.values["errors"]; present {
		ev.Errors, _, _ = r.selector(f.values["errors"], field+".errors")
	}
	if _, present := f.values["good"]; present {
		ev.Good, _, _ = r.selector(f.values["good"], field+".good")
	}
	if _, present := f.values["total"]; present {
		ev.Total, _, _ = r.selector(f.values["total"], field+".total")
	} else {
		r.errorf(f.node, field+".total", "required: the counter of all events")
	}
	return ev
}

// histogramSuffixes are the series names of a classic histogram; the config
// names the histogram itself and slobudget adds the suffix it needs.
var histogramSuffixes = []string{"_bucket", "_count", "_sum"}

func decodeLatency(r reporter, n *yaml.Node) *LatencySLI {
	const field = "sli.latency"
	f, ok := r.mapping(n, field, "histogram", "threshold")
	if !ok {
		if isNull(n) {
			r.errorf(n, field, "must hold histogram and threshold")
		}
		return nil
	}
	lat := &LatencySLI{}
	if _, present := f.values["histogram"]; present {
		text, sel, ok := r.selector(f.values["histogram"], field+".histogram")
		if ok {
			lat.Histogram = text
			checkHistogramSelector(r, f.get("histogram"), field+".histogram", text, sel)
		}
	} else {
		r.errorf(f.node, field+".histogram", "required: the classic histogram's name and matchers, without _bucket")
	}
	if f.has("threshold") {
		if v, ok := r.number(f.get("threshold"), field+".threshold"); ok {
			lat.Threshold = v
			if v <= 0 {
				r.errorf(f.get("threshold"), field+".threshold", "%s must be above 0 (seconds, a bucket boundary of the histogram)", fmtNum(v))
			}
		}
	} else {
		r.errorf(f.node, field+".threshold", "required: the latency bound in the histogram's unit, equal to one of its bucket boundaries (le)")
	}
	return lat
}

func checkHistogramSelector(r reporter, n *yaml.Node, field, text string, sel promqlparse.Selector) {
	if sel.Name == "" {
		r.errorf(n, field, "%s names no metric; write the histogram's name, e.g. http_request_duration_seconds{job=\"api\"}", quoteExpr(text))
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

func decodeTimeSlice(r reporter, n *yaml.Node) *TimeSliceSLI {
	const field = "sli.timeslice"
	f, ok := r.mapping(n, field, "condition", "slice")
	if !ok {
		if isNull(n) {
			r.errorf(n, field, "must hold condition")
		}
		return nil
	}
	ts := &TimeSliceSLI{Slice: defaultSlice}
	if text, has := r.str(f.get("condition"), field+".condition"); has {
		cond, err := promqlparse.ParseCondition(strings.TrimSpace(text))
		if err != nil {
			r.errorf(f.get("condition"), field+".condition", "%s: %v", quoteExpr(text), err)
		} else {
			ts.Query, ts.Op, ts.Threshold = cond.Selector.String(), cond.Op, cond.Threshold
		}
	} else if isNull(f.get("condition")) {
		r.errorf(f.node, field+".condition", `required: a gauge condition such as 'pipeline_lag_seconds{pipeline="orders"} < 900'`)
	}
	if f.has("slice") {
		if text, d, ok := r.duration(f.get("slice"), field+".slice"); ok {
			ts.Slice = d
			switch {
			case d < minSlice:
				r.errorf(f.get("slice"), field+".slice", "%q is shorter than %s; Prometheus scrapes rarely resolve finer slices", text, minSlice)
			case (5*time.Minute)%d != 0:
				// Every window (5m up to the SLO window) must hold whole
				// slices, in the daemon and in the generated rules.
				r.errorf(f.get("slice"), field+".slice", "%q must divide 5m evenly (e.g. 10s, 15s, 30s, 1m, 5m)", text)
			}
		}
	}
	return ts
}
