package main

import (
	"path/filepath"
	"testing"
)

// check names each estimated SLO with its file, line and reason, after the
// usual line; exact SLOs are not listed.
func TestCheckListsEstimates(t *testing.T) {
	in := filepath.Join("..", "..", "slo", "testdata", "peer", "sloth.yml")
	code, stdout, errs := runCLI("check", "--config.file="+in)
	want := "3 SLOs in 1 file are valid.\n" +
		in + `:46: slo "etcd-ratio" is an estimate, not counted: errorRatio is one ratio, not two counts; Prometheus evaluates its error ratio hourly (exact: false)` + "\n"
	if code != 0 || stdout != want {
		t.Fatalf("exit %d, stdout:\n%s\nwant:\n%s\nstderr: %s", code, stdout, want, errs)
	}
}
