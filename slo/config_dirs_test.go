package slo

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A directory stands for its *.yml and *.yaml files, in name order; other
// files and subdirectories are not read; files given by name stay; an empty
// directory is an error naming it.
func TestExpandConfigPaths(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.yaml", "a.yml", "notes.txt", "sub/c.yml"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	empty := t.TempDir()
	got, errs := ExpandConfigPaths([]string{"x.yml", dir, empty})
	want := []string{"x.yml", filepath.Join(dir, "a.yml"), filepath.Join(dir, "b.yaml")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paths %v, want %v", got, want)
	}
	if len(errs) != 1 || errs[0].File != empty || !strings.Contains(errs[0].Message, "no *.yml or *.yaml file") {
		t.Errorf("errors %v, want one for the empty directory", errs)
	}
}

// Load reads a directory of peer files like the list of its files.
func TestLoadDirectoryOfPeerFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"sloth.yml", "openslo-v1.yml", "openslo-v1-sli.yml", "openslo-v1alpha.yml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "peer", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fromDir, err := LoadFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := ExpandConfigPaths([]string{dir})
	fromFiles, err := LoadFiles(files...)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromDir.SLOs) != 8 || !reflect.DeepEqual(fromDir.SLOs, fromFiles.SLOs) {
		t.Errorf("directory: %d SLOs, files: %d; want the same 8", len(fromDir.SLOs), len(fromFiles.SLOs))
	}
}
