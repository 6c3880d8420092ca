package statuspage

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden pins the whole rendered page, so a change to the markup or the
// wording shows up in review as a diff of testdata/*.html. The DOM tests
// check the meaning; this one catches what they do not look at. The CSS is
// left out of the golden files: it is a file of its own already.
func TestGolden(t *testing.T) {
	cases := []struct {
		file, path string
		o          Options
	}{
		{"overview.html", "/", Options{Title: "Team SLOs", EvalInterval: 30 * time.Second}},
		{"single.html", "/?slo=payments-api", Options{}},
		{"detail-provisional.html", "/slo/signup-availability", Options{}},
		{"detail-nodata.html", "/slo/orders-availability", Options{}},
	}
	saved := pageCSS
	pageCSS = "/* page.css */"
	defer func() { pageCSS = saved }()
	for _, c := range cases {
		_, body := get(t, newTestHandler(t, allResults(t), c.o), c.path)
		golden := filepath.Join("testdata", c.file)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./statuspage/ -update to create it)", err)
		}
		if body != string(want) {
			t.Errorf("%s differs from %s; inspect the change and run go test ./statuspage/ -update if it is intended\n%s",
				c.path, golden, firstDiff(string(want), body))
		}
	}
}

// firstDiff shows the first differing line, enough to find the change.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return ""
}
