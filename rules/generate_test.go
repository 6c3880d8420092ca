package rules

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

func TestGenerateGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts Options
	}{
		{"rules.yml", Options{}},
		{"prometheusrule.yml", Options{Format: FormatOperator, Operator: OperatorOptions{
			Name: "slo-rules", Namespace: "monitoring", Labels: map[string]string{"release": "kube-prometheus-stack"}}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			out, err := Generate(testConfig(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, out)
		})
	}
}

// TestExampleConfig generates rules from the shipped example config, loaded
// the way the CLI loads it, and has promtool check them.
func TestExampleConfig(t *testing.T) {
	cfg, err := slo.LoadFiles(filepath.Join("..", "examples", "slobudget.yml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(cfg, Options{Sources: []string{"examples/slobudget.yml"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("alert: SLOFeatureFreeze")) {
		t.Fatalf("no SLOFeatureFreeze rule in the generated file")
	}
	bin := promtest.Require(t, promtest.Promtool)
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "check", "rules", path).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
}

func TestOptionErrors(t *testing.T) {
	for _, o := range []Options{
		{Format: "sloth"},
		{Interval: 7 * time.Minute},
		{Operator: OperatorOptions{Name: "Bad_Name"}},
		{Delay: -time.Second},
	} {
		if _, err := Generate(testConfig(), o); err == nil {
			t.Errorf("options %+v: want an error", o)
		}
	}
	cfg := testConfig()
	cfg.SLOs[0].Alerting.Labels = map[string]string{"severity": "critical"}
	if _, err := Generate(cfg, Options{}); err == nil || !strings.Contains(err.Error(), `"severity"`) {
		t.Errorf("overriding severity: got %v, want an error naming the label", err)
	}
}
