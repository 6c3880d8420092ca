package backend

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The Prometheus HTTP config file (Prometheus's own http_config format)
// must reach the wire: bearer token from a file, and extra headers such as
// Mimir's and Cortex's tenant header.
func TestPrometheusHTTPConfig(t *testing.T) {
	type seen struct{ auth, tenant string }
	got := make(chan seen, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Header.Get("Authorization"), r.Header.Get("X-Scope-OrgID")}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`))
	}))
	defer srv.Close()

	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "http.yml")
	if err := os.WriteFile(cfg, []byte("bearer_token_file: token\nhttp_headers:\n  X-Scope-OrgID:\n    values: [tenant-a]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	q, err := NewPrometheus(Options{URL: srv.URL, HTTPConfigFile: cfg, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Samples(context.Background(), "x", time.Unix(1_699_999_940, 0), time.Unix(1_700_000_000, 0)); err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.auth != "Bearer s3cret" || s.tenant != "tenant-a" {
		t.Errorf("server saw Authorization %q and X-Scope-OrgID %q, want %q and %q", s.auth, s.tenant, "Bearer s3cret", "tenant-a")
	}

	if err := os.WriteFile(cfg, []byte("bearer_tokn_file: token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPrometheus(Options{URL: srv.URL, HTTPConfigFile: cfg}); err == nil {
		t.Error("a misspelled http config key was accepted")
	}
}

// A Prometheus URL without a scheme parses (as scheme "localhost") but can
// never be queried: it must be refused at start-up, not in every cycle.
func TestPrometheusURLChecked(t *testing.T) {
	for _, bad := range []string{"", "localhost:9090", "prometheus", "ftp://prom:9090", "http://", "http://prom:9090/%zz"} {
		if _, err := NewPrometheus(Options{URL: bad}); err == nil {
			t.Errorf("URL %q accepted", bad)
		}
	}
	for _, good := range []string{"http://localhost:9090", "https://mimir.example.com/prometheus", "http://[::1]:9090/"} {
		if _, err := NewPrometheus(Options{URL: good}); err != nil {
			t.Errorf("URL %q refused: %v", good, err)
		}
	}
}
