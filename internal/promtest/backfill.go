package promtest

import (
	"os/exec"
	"testing"
	"time"
)

// Backfill turns an OpenMetrics file into TSDB blocks in dataDir with the real
// promtool. --max-block-duration=720h (hidden from --help) makes promtool read
// the file once per 30 days instead of once per 2-hour block: seconds instead
// of minutes for a month of data.
func Backfill(t testing.TB, openMetricsPath, dataDir string) {
	t.Helper()
	bin := Require(t, Promtool)
	start := time.Now()
	cmd := exec.Command(bin, "tsdb", "create-blocks-from", "openmetrics",
		"--max-block-duration=720h", openMetricsPath, dataDir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics %s %s: %v\n%s", openMetricsPath, dataDir, err, out)
	}
	t.Logf("backfilled %s into %s in %s", openMetricsPath, dataDir, time.Since(start).Round(time.Millisecond))
}
