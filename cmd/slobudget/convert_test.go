package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// convert writes a native file that check accepts with the same SLO count.
func TestConvertWritesACheckableFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "native.yml")
	in := filepath.Join("..", "..", "slo", "testdata", "peer", "pyrra.yml")
	if code, _, errs := runCLI("convert", "--config.file="+in, "--output="+out); code != 0 || !strings.Contains(errs, "wrote 4 SLOs to") {
		t.Fatalf("convert: exit %d, stderr %q", code, errs)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), "# from Pyrra") {
		t.Fatalf("output %q, %v", data, err)
	}
	if code, stdout, errs := runCLI("check", "--config.file="+out); code != 0 || stdout != "4 SLOs in 1 file are valid.\n" {
		t.Fatalf("check of the converted file: exit %d, %q %q", code, stdout, errs)
	}
	bad := filepath.Join("..", "..", "slo", "testdata", "bad", "sloth-rejected.yml")
	if code, _, errs := runCLI("convert", "--config.file="+bad); code != 1 || !strings.Contains(errs, "sli.plugin: not supported") {
		t.Fatalf("convert of a rejected file: exit %d, %q", code, errs)
	}
}
