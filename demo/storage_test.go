package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrepareDir: a new or empty directory is used, an earlier demo's data is
// replaced, and someone else's files are never deleted.
func TestPrepareDir(t *testing.T) {
	root := t.TempDir()

	fresh := filepath.Join(root, "new", "demo")
	if err := prepareDir(fresh); err != nil {
		t.Fatalf("new directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(fresh, markerFile)); err != nil {
		t.Fatalf("no marker written: %v", err)
	}

	// An earlier demo: its content goes, the directory stays usable.
	old := filepath.Join(fresh, "tsdb", "old-block")
	if err := os.MkdirAll(old, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := prepareDir(fresh); err != nil {
		t.Fatalf("earlier demo directory: %v", err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("an earlier demo's data survived: %v", err)
	}

	foreign := filepath.Join(root, "precious")
	if err := os.MkdirAll(foreign, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(foreign, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := prepareDir(foreign)
	if err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("a foreign directory was accepted: %v", err)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
		t.Errorf("a foreign file was touched: %q, %v", b, err)
	}
}
