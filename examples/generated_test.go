package examples

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// product is one generated file (or directory of files) under examples/ and
// the slobudget command that writes it, run from the module root. The README
// shows the same commands.
type product struct {
	path string // relative to the module root
	dir  bool   // path is a directory the command writes *.json files into
	// args are slobudget's arguments writing the product to out.
	args func(out string) []string
	// copyOf, instead of args: path is a byte-for-byte copy of this file.
	copyOf string
}

const exampleConfig = "examples/slobudget.yml"

var products = []product{
	{path: "examples/rules/slobudget.rules.yml", args: func(out string) []string {
		return []string{"rules", "--config.file=" + exampleConfig, "--output=" + out}
	}},
	{path: "examples/rules/slobudget.daemon-rules.yml", args: func(out string) []string {
		return []string{"rules", "--source=daemon", "--config.file=" + exampleConfig, "--output=" + out}
	}},
	{path: "examples/kubernetes/prometheusrule.yaml", args: func(out string) []string {
		return []string{"rules", "--config.file=" + exampleConfig, "--format=prometheus-operator", "--output=" + out}
	}},
	{path: "examples/dashboards", dir: true, args: func(out string) []string {
		return []string{"dashboards", "--config.file=" + exampleConfig, "--output.dir=" + out}
	}},
	// kustomize reads no files outside its directory, so the ConfigMap's
	// source is a copy.
	{path: "examples/kubernetes/slobudget.yml", copyOf: exampleConfig},
}

func (p product) command() string {
	if p.copyOf != "" {
		return "cp " + p.copyOf + " " + p.path
	}
	return "go run ./cmd/slobudget " + strings.Join(p.args(p.path), " ")
}

// fromRoot turns a module-root-relative path into one usable from this
// package's directory.
func fromRoot(path string) string { return filepath.Join(moduleRoot, filepath.FromSlash(path)) }

// TestGeneratedInSync runs each product's command into a temporary directory
// and compares the result with the file in examples/. With -update (go
// generate ./examples/) it runs the commands on examples/ itself.
func TestGeneratedInSync(t *testing.T) {
	for _, p := range products {
		t.Run(filepath.Base(p.path), func(t *testing.T) {
			if *update {
				regenerate(t, p)
				return
			}
			fix := "out of date with " + exampleConfig + "; regenerate all examples with `go generate ./examples/` (or just this one: " + p.command() + ")"
			got := generate(t, p)
			compareProduct(t, p, got, fix)
		})
	}
}

// generate produces p in a temporary directory and returns its files by name.
func generate(t *testing.T, p product) map[string][]byte {
	t.Helper()
	if p.copyOf != "" {
		return map[string][]byte{filepath.Base(p.path): readFile(t, fromRoot(p.copyOf))}
	}
	tmp := t.TempDir()
	out, err := filepath.Abs(filepath.Join(tmp, filepath.Base(p.path)))
	if err != nil {
		t.Fatal(err)
	}
	runSlobudget(t, p.args(out)...)
	files := map[string][]byte{}
	if !p.dir {
		files[filepath.Base(p.path)] = readFile(t, out)
		return files
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		files[e.Name()] = readFile(t, filepath.Join(out, e.Name()))
	}
	if len(files) == 0 {
		t.Fatalf("%s wrote no files", p.command())
	}
	return files
}

func compareProduct(t *testing.T, p product, got map[string][]byte, fix string) {
	t.Helper()
	dir := fromRoot(p.path)
	if !p.dir {
		dir = filepath.Dir(dir)
	}
	for name, want := range got {
		have, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%v: %s", err, fix)
			continue
		}
		if !bytes.Equal(have, want) {
			t.Errorf("%s is %s", filepath.ToSlash(filepath.Join(filepath.Dir(p.path), name)), fix)
		}
	}
	if p.dir {
		for _, name := range staleJSON(t, dir, got) {
			t.Errorf("%s/%s is not generated any more: delete it", p.path, name)
		}
	}
}

// staleJSON lists *.json files in dir that the command no longer writes
// (a renamed dashboard); other files, like a README, are not its business.
func staleJSON(t *testing.T, dir string, generated map[string][]byte) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for _, e := range entries {
		if _, ok := generated[e.Name()]; !ok && filepath.Ext(e.Name()) == ".json" {
			stale = append(stale, e.Name())
		}
	}
	return stale
}

// regenerate runs the documented command itself, so -update writes exactly
// what a person following the README would.
func regenerate(t *testing.T, p product) {
	t.Helper()
	if p.copyOf != "" {
		if err := os.WriteFile(fromRoot(p.path), readFile(t, fromRoot(p.copyOf)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	runSlobudget(t, p.args(p.path)...)
	if p.dir {
		got := generate(t, p)
		for _, name := range staleJSON(t, fromRoot(p.path), got) {
			if err := os.Remove(filepath.Join(fromRoot(p.path), name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("wrote %s", p.path)
}
