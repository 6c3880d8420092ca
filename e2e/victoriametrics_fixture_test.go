package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/promtest"
)

// startVictoriaMetrics serves the fixture's history from a fresh
// VictoriaMetrics: the same samples the Prometheus tests backfill, imported
// through /api/v1/import/prometheus. The import is checked sample by sample
// count before any test reads it, because VictoriaMetrics accepts a
// malformed line by skipping it and a lost sample would look like a
// counting bug.
func (f *fixture) startVictoriaMetrics(t *testing.T) *promtest.Instance {
	t.Helper()
	vm := promtest.StartVictoriaMetrics(t, promtest.VMOptions{})
	start := time.Now()
	lines := importHistory(t, vm.URL, f)
	vmGet(t, vm.URL+"/internal/force_flush")
	// Every sample of the history, counted by VictoriaMetrics itself over a
	// range that holds all of them.
	span := f.data.End.Sub(f.data.Start) + 2*time.Hour
	expr := fmt.Sprintf(`sum(count_over_time({__name__=~".+"}[%ds]))`, int(span.Seconds()))
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := vm.Query(t, expr, f.data.End.Add(time.Hour))
		if len(got) == 1 && int(got[0].Value) == lines {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("VictoriaMetrics holds %v samples after the import, want %d", got, lines)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("VictoriaMetrics: %d samples imported in %s", lines, time.Since(start).Round(time.Millisecond))
	return vm
}

// importHistory streams the fixture's OpenMetrics text to VictoriaMetrics as
// Prometheus text with millisecond timestamps (VictoriaMetrics' import reads
// the trailing timestamp as milliseconds, promtool as seconds), in bodies of
// a few MiB cut at line ends. It returns the number of samples sent.
func importHistory(t *testing.T, vmURL string, f *fixture) int {
	t.Helper()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(f.data.WriteOpenMetrics(pw)) }()
	defer pr.Close()
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var body bytes.Buffer
	samples := 0
	flush := func() {
		if body.Len() == 0 {
			return
		}
		resp, err := http.Post(vmURL+"/api/v1/import/prometheus", "text/plain", &body)
		if err != nil {
			t.Fatalf("importing into VictoriaMetrics: %v", err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("importing into VictoriaMetrics: HTTP %d: %s", resp.StatusCode, msg)
		}
		body.Reset()
	}
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// "name{labels} value seconds": the timestamp is the last field.
		if strings.Count(line[strings.LastIndexByte(line, '}')+1:], " ") != 2 {
			t.Fatalf("unexpected OpenMetrics line %q", line)
		}
		body.WriteString(line)
		body.WriteString("000\n")
		samples++
		if body.Len() > 8<<20 {
			flush()
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("writing the history: %v", err)
	}
	flush()
	return samples
}

func vmGet(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("GET %s: HTTP %d", url, resp.StatusCode)
	}
}
