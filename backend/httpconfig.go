package backend

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	promconfig "github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"
)

// endpoint is the backend's base URL split from its user info, so that the
// password never travels inside a URL that an error message could print.
type endpoint struct {
	base     *url.URL // no user info
	user     *url.Userinfo
	redacted string
}

// parseEndpoint rejects a URL that can never work, at start-up rather than
// in every cycle: "localhost:9090" parses as scheme "localhost" and the
// daemon would otherwise start, report ready, and fail every query with
// "unsupported protocol scheme".
func parseEndpoint(raw string) (endpoint, error) {
	if raw == "" {
		return endpoint{}, errors.New("--prometheus.url is required")
	}
	shown := RedactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, fmt.Errorf("--prometheus.url %q is not a URL", shown)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return endpoint{}, fmt.Errorf("--prometheus.url %q: want an http:// or https:// URL with a host, e.g. http://localhost:9090", shown)
	}
	e := endpoint{user: u.User, redacted: shown}
	u.User = nil
	e.base = u
	return e, nil
}

// loadHTTPConfig reads an optional file in Prometheus's http_config format.
func loadHTTPConfig(file string) (promconfig.HTTPClientConfig, error) {
	cfg := promconfig.DefaultHTTPClientConfig
	if file == "" {
		return cfg, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return cfg, fmt.Errorf("reading the Prometheus HTTP config: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", file, err)
	}
	cfg.SetDirectory(filepath.Dir(file))
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", file, err)
	}
	return cfg, nil
}

// newHTTPClient builds the client for the backend: Prometheus's own
// round tripper for http_config (TLS, bearer token files re-read on use,
// basic auth, headers such as X-Scope-OrgID, proxies), plus basic auth from
// the URL's user info when the URL carries it.
func newHTTPClient(file string, e endpoint) (*http.Client, error) {
	cfg, err := loadHTTPConfig(file)
	if err != nil {
		return nil, err
	}
	hasAuth := cfg.BasicAuth != nil || cfg.Authorization != nil || cfg.OAuth2 != nil ||
		cfg.BearerToken != "" || cfg.BearerTokenFile != ""
	if e.user != nil && hasAuth {
		return nil, fmt.Errorf("--prometheus.url %q carries user info and %s sets credentials too: use one of them", e.redacted, file)
	}
	rt, err := promconfig.NewRoundTripperFromConfig(cfg, "slobudget")
	if err != nil {
		return nil, fmt.Errorf("building the Prometheus HTTP client: %w", err)
	}
	if e.user != nil {
		pass, _ := e.user.Password()
		rt = userInfoAuth{user: e.user.Username(), pass: pass, next: rt}
	}
	return &http.Client{Transport: rt}, nil
}

// userInfoAuth sends the URL's user info as basic auth, as a browser or
// curl would for http://user:pass@host/.
type userInfoAuth struct {
	user, pass string
	next       http.RoundTripper
}

func (a userInfoAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(a.user, a.pass)
	return a.next.RoundTrip(r)
}
