package backend

import (
	"net/http"

	promconfig "github.com/prometheus/common/config"
)

// HTTPClient builds a client from an optional file in Prometheus's
// http_config format, read by the same rules as the backend's own, for the
// other HTTP APIs slobudget talks to (a release gate reading a daemon).
func HTTPClient(file, name string) (*http.Client, error) {
	cfg, err := loadHTTPConfig(file)
	if err != nil {
		return nil, err
	}
	return promconfig.NewClientFromConfig(cfg, name)
}
