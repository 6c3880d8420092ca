package examples

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated example files instead of comparing them (what go generate ./examples/ runs)")

// moduleRoot is where the documented commands run from: their paths
// (examples/slobudget.yml) end up in the generated files' headers.
const moduleRoot = ".."

var (
	buildDir  string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "slobudget-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// slobudgetBinary compiles ./cmd/slobudget once per test run, so the tests
// run the commands a user runs, flags and file writing included.
func slobudgetBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(buildDir, "slobudget")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/slobudget")
		cmd.Dir = moduleRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/slobudget: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// runSlobudget runs the binary from the module root and fails the test with
// its output when it exits non-zero.
func runSlobudget(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(slobudgetBinary(t), args...)
	cmd.Dir = moduleRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("slobudget %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
