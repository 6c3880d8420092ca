package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/slobudget/slobudget/internal/promtest"
)

// --web.config.file reaches the exporter-toolkit: with basic auth
// configured, every endpoint refuses requests without the password and
// answers with it. The demo is used so that no Prometheus is needed.
func TestWebConfigBasicAuth(t *testing.T) {
	bin := buildSlobudget(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	webCfg := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webCfg, []byte(fmt.Sprintf("basic_auth_users:\n  sre: %s\n", hash)), 0o600); err != nil {
		t.Fatal(err)
	}
	port := promtest.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(bin, "demo", "--web.listen-address=127.0.0.1:"+fmt.Sprint(port), "--web.config.file="+webCfg,
		"--storage.path="+filepath.Join(dir, "data"))
	var stderr demoBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	get := func(path, user, pass string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := (&http.Client{Timeout: time.Second}).Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(60 * time.Second)
	for get("/-/ready", "sre", "s3cret") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("not ready with credentials after 60 s\nstderr:\n%s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, path := range []string{"/metrics", "/api/v1/slos", "/", "/-/ready"} {
		if code := get(path, "", ""); code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d, want 401", path, code)
		}
		if code := get(path, "sre", "wrong"); code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong password: %d, want 401", path, code)
		}
		if code := get(path, "sre", "s3cret"); code != http.StatusOK {
			t.Errorf("%s with the password: %d, want 200", path, code)
		}
	}
}
