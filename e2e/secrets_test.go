package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/promtest"
)

const (
	urlSecret   = "URL-s3cret-7f1"
	tokenSecret = "TOKEN-s3cret-9c2"
	basicSecret = "BASIC-s3cret-4d8"
)

// authProxy stands in front of a real Prometheus and lets through only
// requests with one of the test's credentials; refuse makes it answer 401 to
// everything, so the daemon logs failures too.
type authProxy struct {
	proxy  *httputil.ReverseProxy
	refuse atomic.Bool
	mu     sync.Mutex
	passed int
}

func (p *authProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, basic := r.BasicAuth()
	ok := (basic && user == "sre" && pass == urlSecret) || (basic && user == "ops" && pass == basicSecret) ||
		r.Header.Get("Authorization") == "Bearer "+tokenSecret
	if !ok || p.refuse.Load() {
		w.Header().Set("WWW-Authenticate", `Basic realm="prometheus"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	p.mu.Lock()
	p.passed++
	p.mu.Unlock()
	p.proxy.ServeHTTP(w, r)
}

func (p *authProxy) passedCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.passed
}

// TestNoSecretInAnyLogLine runs the daemon with a password in the
// Prometheus URL, with a bearer token file and with basic auth in the HTTP
// config, through successes and failures at debug level, plus report and
// start-up errors, and requires that no secret appears in anything printed.
func TestNoSecretInAnyLogLine(t *testing.T) {
	bin := buildSlobudget(t)
	prom := promtest.StartPrometheus(t, promtest.Options{})
	target, _ := url.Parse(prom.URL)
	ap := &authProxy{proxy: httputil.NewSingleHostReverseProxy(target)}
	proxy := httptest.NewServer(ap)
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)

	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := write("slos.yml", "slos:\n  - name: api\n    service: api\n    objective: 99\n    sli:\n      events:\n        errors: http_requests_total{code=~\"5..\"}\n        total: http_requests_total\n")
	write("token", tokenSecret+"\n")
	bearer := write("bearer.yml", "bearer_token_file: token\n")
	basic := write("basic.yml", "basic_auth:\n  username: ops\n  password: "+basicSecret+"\n")
	withPassword := fmt.Sprintf("http://sre:%s@%s", urlSecret, proxyURL.Host)

	check := func(t *testing.T, what, out string) {
		t.Helper()
		for _, secret := range []string{urlSecret, tokenSecret, basicSecret} {
			for i, line := range strings.Split(out, "\n") {
				if strings.Contains(line, secret) {
					t.Errorf("%s: line %d shows a secret: %s", what, i+1, line)
				}
			}
		}
	}

	for _, run := range []struct {
		name string
		args []string
	}{
		{"URL password", []string{"--prometheus.url=" + withPassword}},
		{"bearer token file", []string{"--prometheus.url=" + proxy.URL, "--prometheus.http-config.file=" + bearer}},
		{"basic auth", []string{"--prometheus.url=" + proxy.URL, "--prometheus.http-config.file=" + basic}},
	} {
		t.Run(run.name, func(t *testing.T) {
			ap.refuse.Store(false)
			before := ap.passedCount()
			port := promtest.FreePort(t)
			var out bytes.Buffer
			cmd := exec.Command(bin, append([]string{"serve", "--config.file=" + cfg, "--log.level=debug", "--eval.interval=5s",
				fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port)}, run.args...)...)
			cmd.Stdout, cmd.Stderr = &lockedWriter{w: &out}, &lockedWriter{w: &out}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/-/ready", port), 30*time.Second)
			if ap.passedCount() == before {
				t.Fatal("no query reached Prometheus with the credentials")
			}
			// Failures log the query and the backend's answer: still no secret.
			ap.refuse.Store(true)
			time.Sleep(6 * time.Second)
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
			log := out.String()
			if !strings.Contains(log, "evaluation failed") {
				t.Errorf("no failure was logged, so the failure path went unchecked:\n%s", log)
			}
			if run.name == "URL password" && !strings.Contains(log, "sre:***@") {
				t.Errorf("the URL is not logged in its redacted form (sre:***@):\n%s", log)
			}
			check(t, run.name, log)
		})
	}

	t.Run("report and start-up errors", func(t *testing.T) {
		ap.refuse.Store(true)
		for _, args := range [][]string{
			{"report", "--config.file=" + cfg, "--prometheus.url=" + withPassword},
			// Nothing listens there: a connection error names the URL.
			{"report", "--config.file=" + cfg, "--prometheus.url=http://sre:" + urlSecret + "@127.0.0.1:1"},
			// Both URL credentials and an http config with credentials.
			{"serve", "--config.file=" + cfg, "--prometheus.url=" + withPassword, "--prometheus.http-config.file=" + basic},
			// A URL that does not parse.
			{"report", "--config.file=" + cfg, "--prometheus.url=http://sre:" + urlSecret + "@127.0.0.1:%zz/"},
		} {
			out, err := exec.Command(bin, args...).CombinedOutput()
			if err == nil {
				t.Errorf("%v succeeded", args[:1])
			}
			check(t, strings.Join(args[:1], " ")+" "+filepath.Base(args[len(args)-1]), string(out))
		}
	})
}

// lockedWriter lets a child's stdout and stderr share one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func waitHTTP(t *testing.T, u string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not 200 after %s", u, timeout)
}
