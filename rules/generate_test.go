package rules

import (
	"testing"
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
