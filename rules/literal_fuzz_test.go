package rules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

// FuzzRulesLiteral is the contract between `check` and `rules`: for every
// config the loader accepts, both sources' rule files pass `promtool check
// rules`, and Prometheus's own template engine (through `promtool test
// rules`) renders the config's text in alert labels and annotations exactly
// as written. The fuzzer chooses the service name, a label value (also used
// as an annotation), a policy consequence, a route label value inside the
// SLI selector (in one of PromQL's three quote styles) and a free-form
// selector for the errors.
//
// Each input costs two promtool runs (about 0.1 s), so scripts/test.sh gives
// this target a smaller fuzzing budget than the in-process ones.
func FuzzRulesLiteral(f *testing.F) {
	bin := promtest.Require(f, promtest.Promtool)
	type seed struct {
		service, labelValue, consequence, route string
		quote                                   uint8
		errors                                  string
	}
	for _, c := range []seed{
		{"checkout", "payments", "releases frozen", "/api/{{id}}", 0, `errs_total{code="5xx"}`},
		{"a`b", "{{ .Value }}", "{{ $value }} left", "`", 0, "errs_total"},
		{`say "hi" \ there`, "}}{{", "ends in {", `{{ printf "%d" 1 }}`, 1, `errs_total{route=~"/a/{1,2}"}`},
		{"{{template \"x\"}}", "{", "}", `a\b'c"d`, 2, "errs_total{x=`{{id}}`}"},
		{"svc {{- /* c */ -}}", "$labels.x", "{{end}}", "{{", 1, `{__name__="errs_total",a="}}"}`},
		{"ünïcode ✓", "tab\there", "line\nbreak", "x}}y", 2, `errs_total{a='\''}`},
		{"checkout", "payments", "", "/", 0, "errs_total"},
	} {
		f.Add(c.service, c.labelValue, c.consequence, c.route, c.quote, c.errors)
	}
	f.Fuzz(func(t *testing.T, service, labelValue, consequence, route string, quote uint8, errors string) {
		for _, v := range []string{service, labelValue, consequence, route, errors} {
			if !utf8.ValidString(v) {
				// A YAML file is UTF-8 text; the encoder would write the
				// value as !!binary, which is not this value any more.
				t.Skip("not UTF-8")
			}
		}
		cfgYAML, total := literalConfig(service, labelValue, consequence, route, quote, errors)
		cfg, err := slo.Parse("fuzz.yml", cfgYAML)
		if err != nil {
			t.Skip("check rejects the config") // then rules need not accept it
		}
		dir := t.TempDir()
		var files []string
		for _, src := range []Source{SourceCounters, SourceDaemon} {
			out, err := Generate(cfg, Options{Source: src})
			if err != nil {
				t.Fatalf("check accepts the config but rules --source=%s fails: %v\n%s", src, err, cfgYAML)
			}
			path := filepath.Join(dir, string(src)+".yml")
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, path)
		}
		if out, err := exec.Command(bin, append([]string{"check", "rules"}, files...)...).CombinedOutput(); err != nil {
			t.Fatalf("check accepts the config but promtool check rules fails: %v\n%s\nconfig:\n%s", err, out, cfgYAML)
		}
		suite := literalSuite(t, cfg, files, total)
		path := filepath.Join(dir, "literal.test.yml")
		if err := os.WriteFile(path, suite, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, "test", "rules", path).CombinedOutput(); err != nil {
			t.Fatalf("the alerts do not render the config's text literally: %v\n%s\nconfig:\n%s", err, out, cfgYAML)
		}
	})
}

// literalConfig writes the fuzzed values into a config through the YAML
// encoder (so any string is representable), and returns the total selector.
func literalConfig(service, labelValue, consequence, route string, quote uint8, errors string) ([]byte, string) {
	var q string
	switch {
	case quote%3 == 1 && !strings.ContainsAny(route, "`"):
		q = "`" + route + "`" // raw string: no escapes at all
	case quote%3 == 2:
		// Single quotes take the same escapes as double ones.
		inner := strconv.Quote(route)
		inner = inner[1 : len(inner)-1]
		inner = strings.ReplaceAll(strings.ReplaceAll(inner, `\"`, `"`), "'", `\'`)
		q = "'" + inner + "'"
	default:
		q = strconv.Quote(route)
	}
	total := "reqs_total{route=" + q + "}"
	doc := map[string]any{
		"policies": []any{map[string]any{
			"name": "p",
			"states": []any{
				map[string]any{"name": "ok", "minBudgetRemaining": 0.5, "featureShare": 0.7},
				map[string]any{"name": "frozen", "freeze": true, "featureShare": 0, "consequence": consequence},
			},
		}},
		"slos": []any{map[string]any{
			"name": "fuzzed", "service": service, "objective": 99, "window": "30d", "policy": "p",
			"labels": map[string]any{"team": labelValue},
			"alerting": map[string]any{
				"annotations": map[string]any{"note": labelValue},
				"for":         map[string]any{"dataMissing": "0s", "freeze": "0s"},
			},
			"sli": map[string]any{"events": map[string]any{"errors": errors, "total": total}},
		}},
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		panic(err) // every Go string encodes
	}
	return out, total
}

// literalSuite expects, one minute in with no raw counters at all, the
// standalone rules' data-missing alert, and, with one daemon exporting the
// SLO in its frozen state, the daemon rules' freeze alert; every label and
// annotation spelled from the config's values as given.
func literalSuite(t *testing.T, cfg *slo.Config, ruleFiles []string, total string) []byte {
	t.Helper()
	s := &cfg.SLOs[0]
	sel, err := promqlparse.ParseVectorSelector(total)
	if err != nil {
		t.Fatalf("total selector %s: %v", total, err)
	}
	common := map[string]string{"service": s.Service, "slo": s.Name, "team": s.Labels["team"], "severity": "ticket"}
	with := func(extra ...string) map[string]string {
		m := map[string]string{}
		for k, v := range common {
			m[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	consequence := cfg.Policies[0].States[1].Consequence
	if consequence == "" {
		consequence = `state "frozen" of policy "p" freezes feature work`
	}
	daemonSel := fmt.Sprintf("{service=%s,slo=%s,instance=\"replica-a\"}", strconv.Quote(s.Service), strconv.Quote(s.Name))
	series := func(name, extra string) string {
		return name + daemonSel[:len(daemonSel)-1] + extra + "}"
	}
	tf := testFile{
		RuleFiles:          ruleFiles,
		EvaluationInterval: "1m",
		Tests: []testGroup{{
			Interval: "1m",
			InputSeries: []inputLine{
				{Series: series("slo_evaluation_success", ""), Values: "1x5"},
				{Series: series("slo_data_missing", ""), Values: "0x5"},
				{Series: series("slo_error_budget_remaining_ratio", ""), Values: "0.25x5"},
				{Series: series("slo_policy_state", `,state="ok"`), Values: "0x5"},
				{Series: series("slo_policy_state", `,state="frozen"`), Values: "1x5"},
				{Series: series("slo_feature_freeze", ""), Values: "1x5"},
			},
			AlertTests: []alertTest{
				{EvalTime: "2m", Alertname: alertDataMissing, ExpAlerts: []expAlert{{
					ExpLabels: common,
					ExpAnnotations: map[string]string{
						"note":        s.Labels["team"],
						"summary":     fmt.Sprintf("SLO %s (%s) has no data: its total series is absent", s.Name, s.Service),
						"description": fmt.Sprintf("%s returns no series, so the error budget and burn rates of %s cannot be computed and its burn alerts cannot fire. Check the scrape target and the SLI selector.", sel.String(), s.Name),
					},
				}}},
				{EvalTime: "2m", Alertname: alertFreeze, ExpAlerts: []expAlert{{
					ExpLabels: with("policy", "p", "state", "frozen"),
					ExpAnnotations: map[string]string{
						"note":        s.Labels["team"],
						"summary":     fmt.Sprintf("SLO %s (%s): %s", s.Name, s.Service, consequence),
						"description": fmt.Sprintf("The 30d error budget of %s (objective 99%%) has 25%% left, which puts it in the \"frozen\" state of the \"p\" policy: %s.", s.Name, consequence),
					},
				}}},
			},
		}},
	}
	out, err := yaml.Marshal(tf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
