package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// --web.enable-pprof puts the profiles in front of the daemon's pages, which
// stay reachable; without it the daemon's handler alone answers.
func TestWithPprof(t *testing.T) {
	pages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("page " + r.URL.Path))
	})
	h := withPprof(pages)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/debug/pprof/heap?debug=1"); code != 200 || !strings.Contains(body, "heap profile") {
		t.Fatalf("heap profile: %d %.80q", code, body)
	}
	if code, body := get("/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Fatalf("profile index: %d %.80q", code, body)
	}
	if code, body := get("/metrics"); code != 200 || body != "page /metrics" {
		t.Fatalf("/metrics behind the profiles: %d %q", code, body)
	}
	// The command line holds --prometheus.url, user info included.
	if code, body := get("/debug/pprof/cmdline"); code == 200 && strings.Contains(body, os.Args[0]) {
		t.Fatalf("/debug/pprof/cmdline serves the command line: %d %.80q", code, body)
	}
}
