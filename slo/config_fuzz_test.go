package slo

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the loader panic, that every problem
// carries a line, and that an accepted config is complete. Run it with
// `go test ./slo -run '^$' -fuzz FuzzParse -fuzztime 30s -fuzzminimizetime 1s`
// (the default minimisation of the large seed files stalls the run for
// seconds at a time).
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.yml"))
	seeds = append(seeds, filepath.Join("testdata", "valid.yml"), filepath.Join("..", "examples", "slobudget.yml"))
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(base))
	f.Add([]byte("slos: [{name: a, sli: {latency: {histogram: 'h{le=\"1\"}', threshold: 1}}}]"))
	f.Add([]byte("a: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.yml", data)
		if err != nil {
			var ce *ConfigErrors
			if !errors.As(err, &ce) || len(ce.Errors) == 0 {
				t.Fatalf("error %T %v is not a non-empty *ConfigErrors", err, err)
			}
			for _, e := range ce.Errors {
				if e.File != "f.yml" || e.Line < 1 || e.Message == "" {
					t.Fatalf("problem without file, line or message: %#v", e)
				}
			}
			if cfg != nil {
				t.Fatal("config returned with an error")
			}
			return
		}
		if len(cfg.SLOs) == 0 {
			t.Fatal("accepted a config without SLOs")
		}
		for _, s := range cfg.SLOs {
			if checkName(s.Name) != "" || s.Service == "" || s.Objective <= 1 || s.Objective >= 100 || s.Window.Duration < day || s.Window.Duration > MaxWindow || s.SLI.Kind() == "" {
				t.Fatalf("accepted an invalid SLO: %+v", s)
			}
			if _, ok := cfg.PolicyByName(s.Policy); !ok {
				t.Fatalf("accepted SLO %q with undefined policy %q", s.Name, s.Policy)
			}
			if s.SLI.Kind() == KindEvents || (s.SLI.Kind() == KindLatency && s.SLI.Latency.NativeHistogram == "") {
				good, bad, total := s.SLI.CounterSelectors()
				if total == "" || (good == "") == (bad == "") {
					t.Fatalf("accepted SLO %q with incomplete selectors %q %q %q", s.Name, good, bad, total)
				}
			}
		}
	})
}
