package dashboards

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/slobudget/slobudget/slo"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

func loadTestConfig(t *testing.T) *slo.Config {
	t.Helper()
	cfg, err := slo.LoadFiles(filepath.Join("testdata", "config.yml"))
	if err != nil {
		t.Fatalf("loading the test config: %v", err)
	}
	return cfg
}

func generate(t *testing.T, cfg *slo.Config, o Options) []File {
	t.Helper()
	files, err := Generate(cfg, o)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return files
}

// TestGolden compares the generated dashboards with testdata/*.json.
// Regenerate with: go test ./dashboards/ -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, f := range generate(t, loadTestConfig(t), Options{}) {
		path := filepath.Join("testdata", f.Name)
		if *update {
			if err := os.WriteFile(path, f.JSON, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run: go test ./dashboards/ -run TestGolden -update)", err)
		}
		if !bytes.Equal(f.JSON, want) {
			t.Errorf("%s differs from the generated dashboard; review the change, then run: go test ./dashboards/ -run TestGolden -update", path)
		}
	}
}

// TestExamplesInSync keeps examples/dashboards/ equal to what the command
// generates from examples/slobudget.yml.
func TestExamplesInSync(t *testing.T) {
	const fix = "run: go run ./cmd/slobudget dashboards --config.file=examples/slobudget.yml --output.dir=examples/dashboards"
	cfg, err := slo.LoadFiles(filepath.Join("..", "examples", "slobudget.yml"))
	if err != nil {
		t.Fatalf("loading examples/slobudget.yml: %v", err)
	}
	files := generate(t, cfg, Options{})
	dir := filepath.Join("..", "examples", "dashboards")
	want := map[string]bool{}
	for _, f := range files {
		want[f.Name] = true
		got, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Errorf("examples/dashboards/%s: %v; %s", f.Name, err, fix)
			continue
		}
		if !bytes.Equal(got, f.JSON) {
			t.Errorf("examples/dashboards/%s is out of date with examples/slobudget.yml; %s", f.Name, fix)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" && !want[e.Name()] {
			t.Errorf("examples/dashboards/%s is not generated any more; delete it and %s", e.Name(), fix)
		}
	}
}
