package slo

import (
	"errors"
	"strings"
	"testing"
)

// base is a valid SLO; cases replace one of its lines to break one rule.
const base = `slos:
  - name: a
    service: s
    objective: 99
    sli:
      events:
        errors: e_total{code="5xx"}
        total: t_total
`

// with returns base with the line starting (after indentation) with old
// replaced by repl; repl may hold several lines.
func with(old, repl string) string {
	lines := strings.Split(base, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), old) {
			indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
			lines[i] = indent + strings.ReplaceAll(repl, "\n", "\n"+indent)
			return strings.Join(lines, "\n")
		}
	}
	panic("no line " + old)
}

// configErrors parses src and returns its problems, failing the test when
// the error is not a *ConfigErrors.
func configErrors(t *testing.T, src string) []string {
	t.Helper()
	cfg, err := Parse("t.yml", []byte(src))
	if err == nil {
		if cfg == nil {
			t.Fatal("nil config without an error")
		}
		return nil
	}
	if cfg != nil {
		t.Fatal("config returned together with an error")
	}
	var ce *ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("error is %T, not *ConfigErrors: %v", err, err)
	}
	out := make([]string, len(ce.Errors))
	for i, e := range ce.Errors {
		out[i] = e.Error()
	}
	return out
}

func TestBaseIsValid(t *testing.T) {
	if errs := configErrors(t, base); errs != nil {
		t.Fatalf("base config invalid: %q", errs)
	}
}

func TestValidationRules(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // each error must contain the matching substring
	}{
		// top level and syntax
		{"unknown top-level key", base + "alerts: []\n", []string{`t.yml:9: alerts: unknown field "alerts"; known fields: exclusions, policies, slos`}},
		{"misspelt top-level key", "slo:\n  - name: a\n", []string{`t.yml:1: slo: unknown field "slo" (did you mean "slos"?)`}},
		{"empty file", "", []string{`t.yml:1: empty config`}},
		{"comments only", "# nothing\n", []string{`t.yml:1: empty config`}},
		{"no slos", "slos: []\n", []string{`t.yml:1: no slos defined`}},
		{"top level is a list", "- a\n", []string{`t.yml:1: must be a mapping, not a list`}},
		{"yaml syntax error", base + "  - name: [\n", []string{`t.yml:9: invalid YAML: did not find expected node content`}},
		{"tab indentation", "slos:\n\t- name: a\n", []string{`t.yml:2: invalid YAML: found character that cannot start any token`}},
		{"two documents, one duplicating the other", base + "---\n" + base, []string{`t.yml:11: slo "a": name: duplicate SLO name "a", first defined at t.yml:2`}},
		{"merge keys", base + "    <<: {window: 7d}\n", []string{`t.yml:9: slo "a": YAML merge keys (<<) are not supported`}},
		{"duplicate key", with("service:", "service: s\nservice: t"), []string{`t.yml:4: slo "a": service: field "service" given twice`}},
		{"slo entry not a mapping", "slos:\n  - just-a-name\n", []string{`t.yml:2: slos[0]: must be a mapping, not "just-a-name"`}},

		// name
		{"missing name", with("- name: a", "- description: x"), []string{`t.yml:2: slos[0]: name: required`}},
		{"upper-case name", with("- name: a", "- name: Checkout"), []string{`t.yml:2: slo "Checkout": name: "Checkout" is not a valid name`}},
		{"underscore name", with("- name: a", "- name: a_b"), []string{`t.yml:2: slo "a_b": name: "a_b" is not a valid name`}},
		{"leading dash name", with("- name: a", `- name: "-a"`), []string{`t.yml:2: slo "-a": name: "-a" is not a valid name`}},
		{"empty name", with("- name: a", `- name: ""`), []string{`t.yml:2: slo "": name: must not be empty`}},
		{"duplicate name", base + strings.TrimPrefix(base, "slos:\n"), []string{`t.yml:9: slo "a": name: duplicate SLO name "a", first defined at t.yml:2`}},
		{"unknown slo key", with("service:", "service: s\nwindw: 7d"), []string{`t.yml:4: slo "a": windw: unknown field "windw" (did you mean "window"?)`}},

		// service
		{"missing service", with("service:", "description: x"), []string{`t.yml:2: slo "a": service: required`}},
		{"null service", with("service:", "service:"), []string{`t.yml:3: slo "a": service: required`}},
		{"blank service", with("service:", `service: " "`), []string{`t.yml:3: slo "a": service: must not be empty`}},
		{"service is a list", with("service:", "service: [a]"), []string{`t.yml:3: slo "a": service: must be a string, not a list`}},

		// objective
		{"ratio objective", with("objective:", "objective: 0.999"), []string{`t.yml:4: slo "a": objective: 0.999 looks like a ratio; objectives are percentages: write 99.9`}},
		{"ratio objective 0.95", with("objective:", "objective: 0.95"), []string{`objective: 0.95 looks like a ratio; objectives are percentages: write 95`}},
		{"objective 1", with("objective:", "objective: 1"), []string{`t.yml:4: slo "a": objective: 1 means 1%`}},
		{"objective 100", with("objective:", "objective: 100"), []string{`objective: 100 leaves no error budget`}},
		{"objective above 100", with("objective:", "objective: 150"), []string{`objective: 150 is not a percentage between 1 and 100`}},
		{"objective 0", with("objective:", "objective: 0"), []string{`objective: 0 is not a percentage`}},
		{"negative objective", with("objective:", "objective: -5"), []string{`objective: -5 is not a percentage`}},
		{"objective nan", with("objective:", "objective: .nan"), []string{`objective: ".nan" is not a finite number`}},
		{"quoted objective", with("objective:", `objective: "99.9"`), []string{`objective: "99.9" is a quoted string, not a number`}},
		{"objective missing", with("objective:", "description: x"), []string{`t.yml:2: slo "a": objective: required: a percentage such as 99.9`}},

		// window
		{"window below a day", with("objective:", "objective: 99\nwindow: 12h"), []string{`t.yml:5: slo "a": window: "12h" is shorter than 1d`}},
		{"window off the 5m grid", with("objective:", "objective: 99\nwindow: 1d1s"), []string{`t.yml:5: slo "a": window: "1d1s" is not a whole number of 5-minute steps (e.g. 7d, 28d, 30d, 36h)`}},
		{"window not a duration", with("objective:", "objective: 99\nwindow: 30"), []string{`t.yml:5: slo "a": window: "30" is not a Prometheus duration`}},
		{"window with space", with("objective:", "objective: 99\nwindow: 30 d"), []string{`window: "30 d" is not a Prometheus duration`}},
		{"window calendar", with("objective:", "objective: 99\nwindow: month"), []string{`window: "month" is not a Prometheus duration`}},

		// policy
		{"undefined policy", with("objective:", "objective: 99\npolicy: strict"), []string{`t.yml:5: slo "a": policy: undefined policy "strict"; defined: default (built in)`}},
		{"empty policy", with("objective:", "objective: 99\npolicy: \"\""), []string{`t.yml:5: slo "a": policy: must not be empty`}},

		// labels
		{"reserved label", with("objective:", "objective: 99\nlabels: {severity: high}"), []string{`t.yml:5: slo "a": labels.severity: "severity" is reserved`}},
		{"reserved label le", with("objective:", "objective: 99\nlabels: {le: x}"), []string{`labels.le: "le" is reserved`}},
		{"dunder label", with("objective:", "objective: 99\nlabels: {__name__: x}"), []string{`labels.__name__: "__name__" is reserved: names starting with __`}},
		{"invalid label name", with("objective:", "objective: 99\nlabels: {team-name: x}"), []string{`labels.team-name: "team-name" is not a valid Prometheus label name`}},
		{"label starting with digit", with("objective:", "objective: 99\nlabels: {1team: x}"), []string{`labels.1team: "1team" is not a valid Prometheus label name`}},
		{"empty label value", with("objective:", "objective: 99\nlabels: {team: \"\"}"), []string{`labels.team: empty value`}},
		{"null label value", with("objective:", "objective: 99\nlabels: {team: }"), []string{`labels.team: empty value`}},
		{"labels not a map", with("objective:", "objective: 99\nlabels: [a]"), []string{`labels: must be a mapping of names to values, not a list`}},
		{"reserved alert label", with("objective:", "objective: 99\nalerting: {labels: {alertname: x}}"), []string{`alerting.labels.alertname: "alertname" is reserved`}},

		// alerting and runbook
		{"alerting page not bool", with("objective:", "objective: 99\nalerting: {page: yes please}"), []string{`alerting.page: "yes please" is not true or false`}},
		{"alerting unknown key", with("objective:", "objective: 99\nalerting: {pager: true}"), []string{`alerting.pager: unknown field "pager" (did you mean "page"?)`}},
		{"alerting for unknown key", with("objective:", "objective: 99\nalerting: {for: {warn: 5m}}"), []string{`alerting.for.warn: unknown field "warn"`}},
		{"alerting for bad duration", with("objective:", "objective: 99\nalerting: {for: {page: soon}}"), []string{`alerting.for.page: "soon" is not a Prometheus duration`}},
		{"bad annotation name", with("objective:", "objective: 99\nalerting: {annotations: {run-book: x}}"), []string{`alerting.annotations.run-book: "run-book" is not a valid annotation name`}},
		{"relative runbook", with("objective:", "objective: 99\nrunbookURL: wiki/page"), []string{`runbookURL: "wiki/page" is not an absolute URL`}},

		// sli kinds
		{"no sli", strings.Split(base, "    sli:")[0], []string{`t.yml:2: slo "a": sli: required: one of events, latency, timeslice`}},
		{"empty sli", strings.Split(base, "    sli:")[0] + "    sli: {}\n", []string{`t.yml:5: slo "a": sli: no SLI kind given`}},
		{"unknown sli kind", strings.Split(base, "    sli:")[0] + "    sli: {ratio: x}\n", []string{`sli.ratio: unknown field "ratio"`, `sli: no SLI kind given`}},
		{"two sli kinds", base + "      latency: {histogram: h, threshold: 1}\n", []string{`t.yml:6: slo "a": sli: more than one SLI kind (events, latency): use exactly one`}},

		// events
		{"errors and good", with("total:", "total: t_total\ngood: g_total"), []string{`t.yml:9: slo "a": sli.events: both errors and good are given`}},
		{"neither errors nor good", with("errors:", "# none"), []string{`t.yml:8: slo "a": sli.events: one of errors or good is required`}},
		{"missing total", with("total:", "# none"), []string{`t.yml:7: slo "a": sli.events.total: required`}},
		{"empty total", with("total:", "total:"), []string{`t.yml:8: slo "a": sli.events.total: required: the counter of all events`}},
		{"unparsable selector", with("errors:", `errors: e_total{code="5xx"`), []string{"t.yml:7: slo \"a\": sli.events.errors: `e_total{code=\"5xx\"`: PromQL parse error"}},
		{"rate selector", with("errors:", `errors: rate(e_total[5m])`), []string{"sli.events.errors: `rate(e_total[5m])`: not a plain vector selector (found a call to rate())"}},
		{"sum selector", with("total:", `total: sum(t_total)`), []string{"sli.events.total: `sum(t_total)`: not a plain vector selector (found an aggregation with sum)"}},
		{"range selector", with("total:", `total: t_total[5m]`), []string{"not a plain vector selector (found a range selector)"}},
		{"offset selector", with("total:", `total: t_total offset 1h`), []string{"sli.events.total: `t_total offset 1h`: offset modifiers are not allowed"}},
		{"at selector", with("total:", `total: t_total @ 1700000000`), []string{"@ modifiers are not allowed"}},
		{"utf8 label selector", with("total:", `total: 't_total{"a.b"="x"}'`), []string{`label name "a.b" is not valid in Prometheus 2.x`}},
		{"events unknown key", with("total:", "total: t_total\nbad: x"), []string{`sli.events.bad: unknown field "bad"`}},

		// latency
		{"latency ok", latency("h_seconds{job=\"x\"}", "0.5"), nil},
		{"latency no threshold", latency("h_seconds", ""), []string{`t.yml:7: slo "a": sli.latency.threshold: required`}},
		{"latency zero threshold", latency("h_seconds", "0"), []string{`t.yml:8: slo "a": sli.latency.threshold: 0 must be above 0`}},
		{"latency negative threshold", latency("h_seconds", "-0.1"), []string{`sli.latency.threshold: -0.1 must be above 0`}},
		{"latency bucket suffix", latency(`h_seconds_bucket{job="x"}`, "0.5"), []string{"t.yml:7: slo \"a\": sli.latency.histogram: `h_seconds_bucket{job=\"x\"}` ends in _bucket: name the histogram without the suffix (h_seconds)"}},
		{"latency count suffix", latency(`h_seconds_count`, "0.5"), []string{"ends in _count: name the histogram without the suffix (h_seconds)"}},
		{"latency sum suffix", latency(`h_seconds_sum`, "0.5"), []string{"ends in _sum"}},
		{"latency le matcher", latency(`h_seconds{le="0.5"}`, "0.5"), []string{"matches on le: leave le out"}},
		{"latency no metric name", latency(`{job="x"}`, "0.5"), []string{"names no metric"}},
		{"latency missing histogram", latency("", "0.5"), []string{`t.yml:7: slo "a": sli.latency.histogram: required`}},
		{"latency function", latency(`histogram_quantile(0.9, h)`, "0.5"), []string{"not a plain vector selector (found a call to histogram_quantile())"}},

		// timeslice
		{"timeslice ok", timeslice(`'lag{p="o"} < 900'`, ""), nil},
		{"timeslice no comparison", timeslice(`lag`, ""), []string{"t.yml:7: slo \"a\": sli.timeslice.condition: `lag`: not a comparison"}},
		{"timeslice selector both sides", timeslice(`lag < other`, ""), []string{"right side is a vector expression, not a number"}},
		{"timeslice function", timeslice(`'rate(x[5m]) > 1'`, ""), []string{"left side: not a plain vector selector (found a call to rate())"}},
		{"timeslice bool", timeslice(`'lag < bool 5'`, ""), []string{"the bool modifier is not allowed"}},
		{"timeslice arithmetic", timeslice(`'lag + 5'`, ""), []string{"not a comparison (found a binary expression with +)"}},
		{"timeslice missing condition", timeslice("", "1m"), []string{`t.yml:7: slo "a": sli.timeslice.condition: required`}},
		{"timeslice short slice", timeslice(`'lag < 5'`, "5s"), []string{`t.yml:8: slo "a": sli.timeslice.slice: "5s" is shorter than 10s`}},
		{"timeslice slice not dividing 5m", timeslice(`'lag < 5'`, "2m"), []string{`t.yml:8: slo "a": sli.timeslice.slice: "2m" must divide 5m evenly (e.g. 10s, 15s, 30s, 1m, 5m)`}},
		{"timeslice bad slice", timeslice(`'lag < 5'`, "a minute"), []string{`sli.timeslice.slice: "a minute" is not a Prometheus duration`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := configErrors(t, c.src)
			if len(got) != len(c.want) {
				t.Fatalf("got %d errors, want %d:\n%s\nconfig:\n%s", len(got), len(c.want), strings.Join(got, "\n"), c.src)
			}
			for i := range c.want {
				if !strings.Contains(got[i], c.want[i]) {
					t.Errorf("error %d:\n got  %s\n want it to contain %s", i, got[i], c.want[i])
				}
			}
		})
	}
}

func latency(histogram, threshold string) string {
	s := strings.Split(base, "      events:")[0] + "      latency:\n"
	if histogram != "" {
		s += "        histogram: '" + histogram + "'\n"
	}
	if threshold != "" {
		s += "        threshold: " + threshold + "\n"
	}
	return s
}

func timeslice(condition, slice string) string {
	s := strings.Split(base, "      events:")[0] + "      timeslice:\n"
	if condition != "" {
		s += "        condition: " + condition + "\n"
	}
	if slice != "" {
		s += "        slice: " + slice + "\n"
	}
	return s
}

// yaml.v3 reports a syntax error at the start of the enclosing block; the
// loader must point at the offending line instead.
func TestYAMLSyntaxErrorLine(t *testing.T) {
	cases := []struct {
		src  string
		want string
	}{
		{"slos:\n  - name: a\n    sli:\n      events:\n        errors: e\n       total: t\n", "t.yml:6: invalid YAML: did not find expected key"},
		{"slos:\n  - name: a\n   q service: s\n    objective: 1\n", "t.yml:3: invalid YAML"},
		// A multi-line flow mapping fails while open; it must not be blamed.
		{"slos:\n  - name: a\n    labels: {a: b,\n      c: d}\n    x: [\n", "t.yml:5: invalid YAML: did not find expected node content"},
	}
	for _, c := range cases {
		got := configErrors(t, c.src)
		if len(got) != 1 || !strings.HasPrefix(got[0], c.want) {
			t.Errorf("errors %q, want one starting with %q", got, c.want)
		}
	}
}
