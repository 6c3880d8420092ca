package examples

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/slobudget/slobudget/internal/promtest"
)

// The daemon-source rules are the README's recommended file when the daemon
// runs; promtool must accept them as shipped.
func TestDaemonRulesCheck(t *testing.T) {
	bin := promtest.Require(t, promtest.Promtool)
	path := filepath.Join("rules", "slobudget.daemon-rules.yml")
	if out, err := exec.Command(bin, "check", "rules", path).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules %s: %v\n%s", path, err, out)
	}
}
