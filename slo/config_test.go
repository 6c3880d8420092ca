package slo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValidConfigValues(t *testing.T) {
	cfg, err := LoadFiles(filepath.Join("testdata", "valid.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.SLOs) != 5 || len(cfg.Policies) != 2 {
		t.Fatalf("got %d SLOs and %d policies, want 5 and 2", len(cfg.SLOs), len(cfg.Policies))
	}
	byName := map[string]SLO{}
	for _, s := range cfg.SLOs {
		byName[s.Name] = s
	}

	a := byName["api-availability"]
	if a.Service != "api" || a.Description != "API answers without a server error" || a.Objective != 99.9 ||
		a.Policy != "strict" || a.RunbookURL != "https://runbooks.example.com/api-availability" {
		t.Errorf("api-availability scalars wrong: %+v", a)
	}
	if a.Window.Text != "28d" || a.Window.Duration != 28*24*time.Hour {
		t.Errorf("window = %+v, want 28d", a.Window)
	}
	if a.File != filepath.Join("testdata", "valid.yml") || a.Line != 17 {
		t.Errorf("location %s:%d, want testdata/valid.yml:17", a.File, a.Line)
	}
	if len(a.Labels) != 2 || a.Labels["team"] != "platform" || a.Labels["tier"] != "1" {
		t.Errorf("labels = %v", a.Labels)
	}
	al := a.Alerting
	if !al.PageDisabled || al.TicketDisabled || al.Labels["route"] != "platform-oncall" ||
		al.Annotations["dashboard"] != "https://grafana.example.com/d/api" {
		t.Errorf("alerting = %+v", al)
	}
	wantFor := map[string]time.Duration{"page": 2 * time.Minute, "ticket": time.Hour, "freeze": 0, "dataMissing": 15 * time.Minute}
	if len(al.For) != len(wantFor) {
		t.Errorf("alerting.for = %v, want %v", al.For, wantFor)
	}
	for k, v := range wantFor {
		if got, ok := al.For[k]; !ok || got != v {
			t.Errorf("alerting.for[%s] = %v (%v), want %v", k, got, ok, v)
		}
	}
	if a.SLI.Kind() != KindEvents || a.SLI.Events.Errors != `http_requests_total{job="api",code=~"5.."}` ||
		a.SLI.Events.Total != `http_requests_total{job="api"}` || a.SLI.Events.Good != "" {
		t.Errorf("events = %+v", a.SLI.Events)
	}

	l := byName["api-latency"]
	if l.Window.Text != "4w" || l.Window.Duration != 28*24*time.Hour {
		t.Errorf("4w window = %+v: the spelling must be kept", l.Window)
	}
	if l.Policy != "default" || l.Alerting.PageDisabled || l.Alerting.TicketDisabled || l.Labels != nil {
		t.Errorf("api-latency defaults wrong: %+v", l)
	}
	if l.SLI.Kind() != KindLatency || l.SLI.Latency.Histogram != `http_request_duration_seconds{job="api"}` || l.SLI.Latency.Threshold != 0.25 {
		t.Errorf("latency = %+v", l.SLI.Latency)
	}

	j := byName["jobs-success"]
	if j.Objective != 99.5 || j.Window.Text != "7d" || !j.Alerting.TicketDisabled || j.Alerting.PageDisabled ||
		j.SLI.Events.Good != `jobs_completed_total{result="success"}` || j.SLI.Events.Errors != "" {
		t.Errorf("jobs-success = %+v %+v", j, j.SLI.Events)
	}

	lag := byName["lag"]
	ts := lag.SLI.TimeSlice
	if lag.SLI.Kind() != KindTimeSlice || ts.Query != `pipeline_lag_seconds{pipeline="orders"}` || ts.Op != "<=" || ts.Threshold != 900 || ts.Slice != 30*time.Second {
		t.Errorf("timeslice = %+v", ts)
	}
	if lag.Window.Text != "30d" || lag.Window.Duration != 30*24*time.Hour {
		t.Errorf("default window = %+v, want 30d", lag.Window)
	}
	d := byName["lag-default-slice"].SLI.TimeSlice
	if d.Slice != time.Minute || d.Op != ">" || d.Threshold != -1 || d.Query != "queue_depth" {
		t.Errorf("timeslice with defaults = %+v", d)
	}

	strict, ok := cfg.PolicyByName("strict")
	if !ok || len(strict.States) != 4 || strict.Line != 3 {
		t.Fatalf("strict policy = %+v", strict)
	}
	wantMin := []float64{0.75, 0.25, -0.5}
	for i, w := range wantMin {
		if m := strict.States[i].MinBudgetRemaining; m == nil || *m != w {
			t.Errorf("strict state %d threshold = %v, want %v", i, m, w)
		}
	}
	last := strict.States[3]
	if last.MinBudgetRemaining != nil || !last.Freeze || last.FeatureShare != 0 || last.Consequence != "only fixes ship" || last.Name != "frozen" {
		t.Errorf("strict last state = %+v", last)
	}
	if strict.States[0].Consequence != "ship as planned" || strict.States[0].FeatureShare != 0.8 {
		t.Errorf("strict first state = %+v", strict.States[0])
	}
}

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := LoadFiles(filepath.Join("..", "examples", "slobudget.yml"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]SLIKind{
		"checkout-availability":     KindEvents,
		"checkout-latency":          KindLatency,
		"nightly-export-success":    KindEvents,
		"orders-pipeline-freshness": KindTimeSlice,
		"orders-data-quality":       KindEvents,
	}
	if len(cfg.SLOs) != len(want) {
		t.Fatalf("%d SLOs, want %d", len(cfg.SLOs), len(want))
	}
	for _, s := range cfg.SLOs {
		if kind, ok := want[s.Name]; !ok || s.SLI.Kind() != kind {
			t.Errorf("SLO %q of kind %q unexpected", s.Name, s.SLI.Kind())
		}
		if _, ok := cfg.PolicyByName(s.Policy); !ok {
			t.Errorf("SLO %q: policy %q not found", s.Name, s.Policy)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFilesMerges(t *testing.T) {
	dir := t.TempDir()
	pol := writeFile(t, dir, "policies.yml", "policies:\n  - {name: p, states: [{name: a, minBudgetRemaining: 0}, {name: b}]}\n")
	one := writeFile(t, dir, "one.yml", strings.Replace(base, "objective: 99\n", "objective: 99\n    policy: p\n", 1))
	two := writeFile(t, dir, "two.yml", strings.Replace(base, "name: a", "name: b", 1))
	cfg, err := LoadFiles(pol, one, two)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.SLOs) != 2 || cfg.SLOs[0].Name != "a" || cfg.SLOs[1].Name != "b" || len(cfg.Policies) != 1 {
		t.Fatalf("merged config = %+v", cfg)
	}
	if cfg.SLOs[0].Policy != "p" || cfg.SLOs[0].File != one || cfg.SLOs[1].File != two || cfg.Policies[0].File != pol {
		t.Errorf("merged locations or policy wrong: %+v", cfg)
	}
}

func TestLoadFilesCrossFileErrors(t *testing.T) {
	dir := t.TempDir()
	one := writeFile(t, dir, "one.yml", base)
	two := writeFile(t, dir, "two.yml", "# a comment first\n"+strings.Replace(base, "objective: 99\n", "objective: 99\n    policy: p\n", 1))
	three := writeFile(t, dir, "three.yml", "")
	missing := filepath.Join(dir, "missing.yml")
	_, err := LoadFiles(one, two, missing, three)
	var ce *ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v, want *ConfigErrors", err, err)
	}
	want := []string{
		missing + ": cannot read config file: no such file or directory",
		two + `:3: slo "a": name: duplicate SLO name "a", first defined at ` + one + ":2",
		two + `:6: slo "a": policy: undefined policy "p"`,
		three + ":1: empty config",
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(got), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d:\n got  %s\n want %s...", i, got[i], want[i])
		}
	}
}

func TestLoadFilesNoFiles(t *testing.T) {
	if _, err := LoadFiles(); err == nil {
		t.Fatal("LoadFiles() without paths succeeded")
	}
}

// A file full of problems must report each of them, not stop at the first:
// the expected (line, field) pairs here are read off testdata/bad/many.yml by
// hand, independently of the golden file.
func TestManyErrorsAllReported(t *testing.T) {
	_, err := LoadFiles(filepath.Join("testdata", "bad", "many.yml"))
	var ce *ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v, want *ConfigErrors", err, err)
	}
	type at struct {
		line  int
		field string
	}
	want := []at{
		{3, "name"}, {6, "states[1].featureShare"}, {6, "states[1].name"}, {6, "states[1].minBudgetRemaining"},
		{7, "states[2].minBudgetRemaining"},
		{9, "name"}, {9, "service"}, {10, "objective"}, {11, "window"}, {12, "policy"},
		{13, "labels.slo"}, {13, "labels.bad-label"}, {14, "alerting.page"}, {14, "alerting.for.page"},
		{17, "sli.events.errors"}, {17, "sli.events.total"}, {18, "sli.events"},
		{22, "window"}, {24, "sli.latency.histogram"}, {24, "sli.latency.threshold"},
		{25, "name"}, {27, "objective"}, {28, "colour"}, {29, "sli"},
	}
	if len(ce.Errors) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(ce.Errors), len(want), err)
	}
	for i, w := range want {
		if e := ce.Errors[i]; e.Line != w.line || e.Field != w.field {
			t.Errorf("error %d at line %d field %q, want line %d field %q: %s", i, e.Line, e.Field, w.line, w.field, e)
		}
	}
}

func TestAnchorsAndAliases(t *testing.T) {
	src := `slos:
  - name: a
    service: s
    objective: 99
    labels: &common {team: x}
    sli: &sli
      events: {errors: e_total, total: t_total}
  - name: b
    service: s
    objective: 99
    labels: *common
    sli: *sli
`
	cfg, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SLOs[1].Labels["team"] != "x" || cfg.SLOs[1].SLI.Events.Total != "t_total" {
		t.Fatalf("aliases not followed: %+v", cfg.SLOs[1])
	}
}

func TestMoreSLIsExampleLoads(t *testing.T) {
	cfg, err := Load(LoadOptions{
		ConfigFiles:    []string{filepath.Join("..", "examples", "more-slis.yml")},
		ExclusionFiles: []string{filepath.Join("..", "examples", "exclusions.yml")},
	})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, s := range cfg.SLOs {
		kinds[s.Name] = string(s.SLI.Kind())
	}
	want := map[string]string{
		"checkout-availability-monthly": "events", "api-availability-per-route": "expression",
		"api-latency-native": "latency", "website-probe": "timeslice", "search-quality-estimate": "expression",
	}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("%s: kind %q, want %q", k, kinds[k], v)
		}
	}
	if len(cfg.Exclusions) != 1 || !cfg.Exclusions[0].AppliesTo("checkout-availability-monthly") {
		t.Errorf("exclusions = %+v", cfg.Exclusions)
	}
	byName := map[string]SLO{}
	for _, s := range cfg.SLOs {
		byName[s.Name] = s
	}
	if !byName["api-availability-per-route"].SLI.Exact() || byName["search-quality-estimate"].SLI.Exact() {
		t.Error("the per-route sums must reduce to counters, the ratio must not")
	}
}
