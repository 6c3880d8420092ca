package slo

import (
	"strings"
	"testing"
	"time"
)

// sliOf returns base with its sli replaced by the given lines (indented
// under sli:).
func sliOf(lines ...string) string {
	s := strings.Split(base, "      events:")[0]
	for _, l := range lines {
		s += "      " + l + "\n"
	}
	return s
}

func TestAdditionRules(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		// issue 11: the three wrong messages and windows above the maximum
		{"objective out of float range", with("objective:", "objective: 1e309"), []string{`t.yml:4: slo "a": objective: 1e309 is out of range`}},
		{"objective plain word", with("objective:", "objective: high"), []string{`objective: "high" is not a number`}},
		{"window 292y", with("objective:", "objective: 99\nwindow: 292y"), []string{`t.yml:5: slo "a": window: "292y" is longer than 366d`}},
		{"window 367d", with("objective:", "objective: 99\nwindow: 367d"), []string{`window: "367d" is longer than 366d`}},
		{"window 366d", with("objective:", "objective: 99\nwindow: 366d"), nil},

		// calendar windows
		{"calendar month", with("objective:", "objective: 99\nwindow: {calendar: month}"), nil},
		{"calendar with zone", with("objective:", "objective: 99\nwindow: {calendar: quarter, timezone: Europe/Berlin}"), nil},
		{"calendar unknown period", with("objective:", "objective: 99\nwindow: {calendar: year}"), []string{`t.yml:5: slo "a": window.calendar: "year" is not a calendar period; use month, week or quarter`}},
		{"calendar bad zone", with("objective:", "objective: 99\nwindow: {calendar: week, timezone: Mars/Olympus}"), []string{`window.timezone: "Mars/Olympus" is not an IANA time zone`}},
		{"calendar Local zone", with("objective:", "objective: 99\nwindow: {calendar: week, timezone: Local}"), []string{`window.timezone: "Local" is not an IANA time zone`}},
		{"calendar missing", with("objective:", "objective: 99\nwindow: {timezone: UTC}"), []string{`window.calendar: required: month, week or quarter`}},
		{"calendar unknown key", with("objective:", "objective: 99\nwindow: {calendar: month, tz: UTC}"), []string{`window.tz: unknown field "tz"`}},

		// grouping
		{"grouping", with("objective:", "objective: 99\ngrouping: [route, method]"), nil},
		{"grouping reserved", with("objective:", "objective: 99\ngrouping: [slo]"), []string{`grouping[0]: "slo" is reserved`}},
		{"grouping invalid", with("objective:", "objective: 99\ngrouping: [a-b]"), []string{`grouping[0]: "a-b" is not a valid Prometheus label name`}},
		{"grouping twice", with("objective:", "objective: 99\ngrouping: [a, a]"), []string{`grouping[1]: "a" is listed twice`}},
		{"maxGroups without grouping", with("objective:", "objective: 99\nmaxGroups: 5"), []string{`t.yml:5: slo "a": maxGroups: has no effect without grouping`}},
		{"maxGroups zero", with("objective:", "objective: 99\ngrouping: [a]\nmaxGroups: 0"), []string{`maxGroups: 0 is not between 1 and 10000`}},
		{"maxGroups float", with("objective:", "objective: 99\ngrouping: [a]\nmaxGroups: 2.5"), []string{`maxGroups: "2.5" is not a whole number`}},

		// incidents
		{"incidents", with("objective:", "objective: 99\nincidents: {burnRate: 10, mergeGap: 1h}"), nil},
		{"incident burn below 1", with("objective:", "objective: 99\nincidents: {burnRate: 0.5}"), []string{`incidents.burnRate: 0.5 is below 1`}},
		{"incident gap too long", with("objective:", "objective: 99\nwindow: 1d\nincidents: {mergeGap: 2d}"), []string{`incidents.mergeGap: 2d is not shorter than the SLO window 1d`}},
		{"incident unknown key", with("objective:", "objective: 99\nincidents: {threshold: 3}"), []string{`incidents.threshold: unknown field "threshold"`}},

		// native histogram, bool gauge, expression
		{"native histogram", sliOf("latency: {nativeHistogram: 'rpc_duration_seconds{job=\"api\"}', threshold: 0.25}"), nil},
		{"native and classic", sliOf("latency: {histogram: a, nativeHistogram: b, threshold: 1}"), []string{`sli.latency: both histogram and nativeHistogram are given`}},
		{"native with suffix", sliOf("latency: {nativeHistogram: a_bucket, threshold: 1}"), []string{"ends in _bucket"}},
		{"bool gauge", sliOf("boolGauge: 'probe_success{job=\"blackbox\"}'"), nil},
		{"bool gauge function", sliOf("boolGauge: 'avg(probe_success)'"), []string{"sli.boolGauge: `avg(probe_success)`: not a plain vector selector"}},
		{"expression ratio", sliOf("expression: {errorRatio: 'sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))'}"), nil},
		{"expression good total", sliOf("expression:", "  good: sum(rate(ok_total[{{.window}}]))", "  total: sum(rate(all_total[{{ .window }}]))"), nil},
		{"expression errors and ratio", sliOf("expression: {errors: e, total: t, errorRatio: r}"), []string{`sli.expression: errorRatio stands alone`}},
		{"expression no total", sliOf("expression: {errors: e}"), []string{`sli.expression.total: required`}},
		{"expression only total", sliOf("expression: {total: t}"), []string{`sli.expression: one of errors or good is required with total`}},
		{"expression bad promql", sliOf("expression: {errors: 'sum(', total: t}"), []string{"sli.expression.errors: `sum(`: PromQL parse error"}},
		{"expression other template", sliOf("expression: {errors: 'e{x=\"{{.service}}\"}', total: t}"), []string{"template {{.service}} is not supported"}},
		{"expression null", sliOf("expression:"), []string{`sli.expression: must hold total with errors or good, or errorRatio`}},
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

// issue 11: an invalid byte is reported on its own line, and an SLO
// repeated through an alias where the alias is.
func TestSyntaxLinesFromTheBytes(t *testing.T) {
	src := "slos:\n  - name: a\n    service: s\xff\n"
	got := configErrors(t, src)
	if len(got) != 1 || !strings.HasPrefix(got[0], "t.yml:3: invalid YAML: byte 0xff at column 15 is not valid UTF-8") {
		t.Fatalf("errors %q", got)
	}
	alias := `slos:
  - &a
    name: a
    service: s
    objective: 99
    sli: {events: {errors: e, total: t}}
  - *a
`
	got = configErrors(t, alias)
	if len(got) != 1 || !strings.HasPrefix(got[0], `t.yml:7: slo "a": name: duplicate SLO name "a", first defined at t.yml:2`) {
		t.Fatalf("errors %q", got)
	}
	got = configErrors(t, base+"  - *nowhere\n")
	if len(got) != 1 || !strings.HasPrefix(got[0], "t.yml:9: invalid YAML: unknown anchor 'nowhere' referenced") {
		t.Fatalf("errors %q", got)
	}
	got = configErrors(t, "slos:\n  - name: a\n    service: \"s\x01\"\n")
	if len(got) != 1 || !strings.HasPrefix(got[0], "t.yml:3: invalid YAML: control character at column 16") {
		t.Fatalf("errors %q", got)
	}
}

func TestAdditionValues(t *testing.T) {
	src := `policies:
  - name: p
    postmortemBudgetShare: 0.5
    states:
      - {name: a, minBudgetRemaining: 0.5, capacity: {features: 0.6, reliability: 0.3, innovation: 0.1}}
      - {name: b, featureShare: 0.25}
slos:
  - name: a
    service: s
    objective: 99.9
    policy: p
    window: {calendar: month, timezone: Europe/Berlin}
    grouping: [route]
    sli: {expression: {errors: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))'}}
  - name: b
    service: s
    objective: 99
    window: 7d
    incidents: {burnRate: 3, mergeGap: 0s}
    sli: {boolGauge: probe_success}
`
	cfg, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := cfg.PolicyByName("p")
	if p.PostmortemBudgetShare != 0.5 || p.States[0].Capacity != (Capacity{0.6, 0.3, 0.1}) || p.States[0].FeatureShare != 0.6 ||
		p.States[1].Capacity != (Capacity{0.25, 0.75, 0}) {
		t.Errorf("policy = %+v", p)
	}
	a, b := cfg.SLOs[0], cfg.SLOs[1]
	if a.Window.Text != "1M" || a.Window.Calendar != "month" || a.Window.Location.String() != "Europe/Berlin" || a.Window.Duration != 30*day {
		t.Errorf("calendar window = %+v", a.Window)
	}
	if len(a.Grouping) != 1 || a.Grouping[0] != "route" || a.MaxGroups != 100 {
		t.Errorf("grouping = %v max %d", a.Grouping, a.MaxGroups)
	}
	// 1h/5m page factor for a 30d window: 0.02 × 720h / 1h.
	if a.Incidents.BurnRate != 14.4 || a.Incidents.MergeGap != 30*time.Minute {
		t.Errorf("default incident rule = %+v", a.Incidents)
	}
	if a.SLI.Kind() != KindExpression || a.SLI.Expression.Errors != "sum(rate(e[{{.window}}]))" {
		t.Errorf("expression = %+v", a.SLI.Expression)
	}
	if b.Incidents.BurnRate != 3 || b.Incidents.MergeGap != 0 {
		t.Errorf("incident rule = %+v", b.Incidents)
	}
	ts := b.SLI.TimeSlice
	if b.SLI.Kind() != KindTimeSlice || ts.Query != "probe_success" || ts.Op != "==" || ts.Threshold != 1 || ts.Slice != time.Minute {
		t.Errorf("bool gauge = %+v", ts)
	}
	def, _ := (&Config{}).PolicyByName("default")
	want := []Capacity{{0.7, 0.2, 0.1}, {0.5, 0.4, 0.1}, {0.3, 0.6, 0.1}, {0, 1, 0}}
	for i, w := range want {
		if def.States[i].Capacity != w || def.States[i].FeatureShare != w.Features {
			t.Errorf("default state %d capacity %+v, want %+v", i, def.States[i].Capacity, w)
		}
	}
	if def.PostmortemBudgetShare != 0.2 {
		t.Errorf("default postmortem share %v", def.PostmortemBudgetShare)
	}
}

func TestPolicyAdditionRules(t *testing.T) {
	pol := func(extra, state string) string {
		return "policies:\n  - name: p\n" + extra + "    states:\n      - " + state + "\n      - {name: z}\n" + strings.TrimPrefix(base, "")
	}
	cases := []struct {
		name, src string
		want      []string
	}{
		{"capacity sums to 1 within 1e-9", pol("", "{name: a, minBudgetRemaining: 0, capacity: {features: 0.7, reliability: 0.2, innovation: 0.1}}"), nil},
		{"capacity not summing to 1", pol("", "{name: a, minBudgetRemaining: 0, capacity: {features: 0.7, reliability: 0.2}}"), []string{`t.yml:4: policy "p": states[0].capacity: features 0.7 + reliability 0.2 + innovation 0 = 0.9, not 1`}},
		{"capacity share above 1", pol("", "{name: a, minBudgetRemaining: 0, capacity: {features: 1.5, reliability: -0.5}}"), []string{`capacity.features: 1.5 is not a share`, `capacity.reliability: -0.5 is not a share`}},
		{"capacity and featureShare", pol("", "{name: a, minBudgetRemaining: 0, featureShare: 0.7, capacity: {features: 0.7, reliability: 0.3}}"), []string{`states[0].featureShare: give featureShare or capacity, not both`}},
		{"capacity unknown kind", pol("", "{name: a, minBudgetRemaining: 0, capacity: {features: 1, learning: 0}}"), []string{`capacity.learning: unknown field "learning"`}},
		{"postmortem share 0", pol("    postmortemBudgetShare: 0\n", "{name: a, minBudgetRemaining: 0}"), []string{`t.yml:3: policy "p": postmortemBudgetShare: 0 is not a share in (0, 1]`}},
		{"postmortem share 1", pol("    postmortemBudgetShare: 1\n", "{name: a, minBudgetRemaining: 0}"), nil},
		{"postmortem share 20", pol("    postmortemBudgetShare: 20\n", "{name: a, minBudgetRemaining: 0}"), []string{`postmortemBudgetShare: 20 is not a share in (0, 1]`}},
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

func TestExpressionReduced(t *testing.T) {
	e := &ExpressionSLI{Errors: "sum(rate(t[{{.window}}])) - sum(rate(ok[{{.window}}]))", Total: "sum(rate(t[{{.window}}]))"}
	r, err := e.Reduced()
	if err != nil || r.Bad.String() != "+t -ok" || r.Total.String() != "+t" || r.Good.Terms != nil {
		t.Fatalf("reduced = %+v, %v", r, err)
	}
	for _, bad := range []*ExpressionSLI{
		{ErrorRatio: "sum(rate(e[5m])) / sum(rate(t[5m]))"},
		{Good: "sum(rate(ok[5m]))", Total: "sum(increase(t[5m]))"},
		{Good: "sum(rate(ok[5m]))", Total: "sum(rate(t[1h]))"},
		{Good: "sum by (a) (rate(ok[5m]))", Total: "sum(rate(t[5m]))"},
		{Good: "sum(rate(ok[5m]))", Total: "histogram_quantile(0.9, h)"},
	} {
		if _, err := bad.Reduced(); err == nil || (SLI{Expression: bad}).Exact() {
			t.Errorf("%+v reduced", bad)
		}
	}
	if !(SLI{Expression: e}).Exact() || !(SLI{Events: &EventsSLI{}}).Exact() {
		t.Error("exact SLIs reported inexact")
	}
}
