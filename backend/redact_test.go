package backend

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://sre:s3cret@prom:9090/prefix":  "http://sre:***@prom:9090/prefix",
		"http://sre@prom:9090":                "http://sre@prom:9090",
		"http://prom:9090":                    "http://prom:9090",
		"https://a%40b:p%3Ass@mimir/prom?x=1": "https://a%40b:***@mimir/prom?x=1",
		"http://sre:s3cret@prom:%zz/":         "http://sre:***@prom:%zz/",
		"localhost:9090":                      "localhost:9090",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	// Errors about an unusable URL quote it redacted.
	for _, bad := range []string{"http://sre:s3cret@prom:%zz/", "ftp://sre:s3cret@prom/"} {
		_, err := NewPrometheus(Options{URL: bad})
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("NewPrometheus(%q): %v", bad, err)
		}
	}
}
