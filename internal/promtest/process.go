package promtest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// readyTimeout is generous: both servers are ready in well under a second
// here, but Prometheus replays its WAL and loads backfilled blocks first, and
// a loaded 2-core CI machine can be slow.
const readyTimeout = 60 * time.Second

// lockedBuffer collects a child's output; the test reads it while the child
// may still be writing.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one running child process that serves HTTP.
type server struct {
	name string
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{} // closed when the process exited
	err  error         // Wait's result, valid after done
}

// startServer runs bin with the arguments args(port) on a free port and waits
// until GET /-/ready answers 200. A port taken between FreePort and the bind
// is retried with another port; any other early exit fails the test with the
// child's output.
func startServer(t testing.TB, name, bin string, args func(port int) []string) (*server, string) {
	t.Helper()
	return startServerReady(t, name, bin, "/-/ready", args)
}

// startServerReady is startServer for servers whose readiness endpoint is not
// /-/ready (vmagent and vmalert answer /health).
func startServerReady(t testing.TB, name, bin, readyPath string, args func(port int) []string) (*server, string) {
	t.Helper()
	var lastLog string
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		s := &server{name: name, log: &lockedBuffer{}, done: make(chan struct{})}
		s.cmd = exec.Command(bin, args(port)...)
		s.cmd.Stdout = s.log
		s.cmd.Stderr = s.log
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("starting %s (%s): %v", name, bin, err)
		}
		go func() {
			s.err = s.cmd.Wait()
			close(s.done)
		}()
		err := s.waitReady(url, readyPath)
		if err == nil {
			t.Cleanup(func() { s.stop(t) })
			return s, url
		}
		s.kill()
		lastLog = s.log.String()
		if strings.Contains(lastLog, "address already in use") {
			continue
		}
		t.Fatalf("%s did not become ready: %v\n--- %s output ---\n%s", name, err, name, lastLog)
	}
	t.Fatalf("%s: no free port after 3 attempts\n--- %s output ---\n%s", name, name, lastLog)
	return nil, ""
}

func (s *server) waitReady(url, readyPath string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("process exited early: %v", s.err)
		default:
		}
		resp, err := client.Get(url + readyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("GET %s%s not 200 after %s", url, readyPath, readyTimeout)
}

// stop ends the process gracefully (SIGTERM lets Prometheus close its TSDB
// cleanly) and prints its output when the test failed, because a server's
// log is usually the only explanation of a wrong answer.
func (s *server) stop(t testing.TB) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.kill()
	}
	if t.Failed() {
		t.Logf("--- %s output ---\n%s", s.name, s.log.String())
	}
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case <-s.done:
	case <-ctx.Done():
	}
}
