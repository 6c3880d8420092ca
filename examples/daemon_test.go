package examples

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDaemon runs the slobudget binary with args from the module root and
// stops it with SIGTERM when the test ends, printing its log if the test
// failed.
func startDaemon(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(slobudgetBinary(t), args...)
	cmd.Dir = moduleRoot
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting slobudget: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("slobudget log:\n%s", log.String())
		}
	})
}

// get fetches url and returns the status code and body.
func get(url string) (int, string, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// waitStatus polls url until it answers want, failing after timeout with the
// last answer. Only a refused connection (still starting) and 503 (not ready
// yet) are worth waiting for; any other answer, like a 404 from a wrong
// path, fails at once.
func waitStatus(t *testing.T, url string, want int, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		code, body, err := get(url)
		if err == nil && code == want {
			return body
		}
		if err == nil && code != http.StatusServiceUnavailable {
			t.Fatalf("GET %s: %d %q, want %d", url, code, body, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: want %d within %s, last answer: %d %q %v", url, want, timeout, code, body, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var listenDefault = regexp.MustCompile(`--web\.listen-address=:(\d+)`)

// defaultPort reads the port `slobudget serve` listens on by default from its
// --help, so the manifests are checked against the binary, not a constant
// copied into this test.
func defaultPort(t *testing.T) int {
	t.Helper()
	help := runSlobudget(t, "serve", "--help")
	m := listenDefault.FindStringSubmatch(help)
	if m == nil {
		t.Fatalf("no --web.listen-address=:PORT default in `slobudget serve --help`:\n%s", help)
	}
	p, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func localURL(port int, path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", port, path) }
