package rules

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/slobudget/slobudget/internal/promtest"
)

// TestPromtoolPostmortem runs the hand-written promtool suite for
// SLOPostmortemRequired (testdata/postmortem.test.yml) against the generated
// rules golden file: it fires after its 5m while any replica of the daemon
// says 1, with the SLO's labels only and severity ticket, and resolves.
func TestPromtoolPostmortem(t *testing.T) {
	bin := promtest.Require(t, promtest.Promtool)
	f := filepath.Join("testdata", "postmortem.test.yml")
	if out, err := exec.Command(bin, "test", "rules", f).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules %s: %v\n%s", f, err, out)
	}
}
