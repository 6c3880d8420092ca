package slo

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .golden files under testdata/ from the current output")

// TestGoldenErrors loads every testdata/bad/*.yml and compares the complete
// error output, as `slobudget check` prints it, with the .golden file next to
// it. Run `go test ./slo -run TestGoldenErrors -update` after an intended
// change of wording, and review the diff.
func TestGoldenErrors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/bad/*.yml files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cfg, err := LoadFiles(file)
			if err == nil {
				t.Fatalf("%s loaded without error: %+v", file, cfg)
			}
			var ce *ConfigErrors
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not *ConfigErrors", err)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(file, ".yml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update if intended):\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}
