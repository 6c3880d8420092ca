package slo

import (
	"bytes"
	"fmt"
	"testing"
)

// bigConfig is a config of about size bytes of valid SLOs, followed by last.
func bigConfig(size int, last string) []byte {
	var b bytes.Buffer
	b.WriteString("slos:\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `  - name: slo-%d
    service: svc-%d
    description: generated SLO number %d for the linear-time check
    objective: 99.9
    labels: {team: t%d}
    sli:
      events:
        errors: http_requests_total{service="svc-%d",code=~"5.."}
        total: http_requests_total{service="svc-%d"}
`, i, i, i, i%50, i, i)
	}
	b.WriteString(last)
	return b.Bytes()
}

// The 10 MB cases of issue 11: an error on the last line must be found in
// one parse. `go test ./slo -run '^$' -bench Config10MB -benchtime 5x`;
// results in docs/benchmarks.md.
func BenchmarkConfig10MB(b *testing.B) {
	cases := map[string]string{
		"syntax-error-last-line":     "       total: misindented\n",
		"bad-indent-last-line":       "  - name: last\n    service: s\n    sli:\n      events:\n        errors: e\n       total: t\n",
		"unknown-field-last-line":    "  - name: last\n    service: s\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n    colour: blue\n",
		"invalid-utf8-last-line":     "  - name: last\xff\n",
		"unknown-anchor-last-line":   "  - *nowhere\n",
		"valid-10MB-no-error-at-all": "",
	}
	for name, last := range cases {
		data := bigConfig(10<<20, last)
		if name == "syntax-error-last-line" {
			small := bigConfig(2<<20, last)
			b.Run("2MB-"+name, func(b *testing.B) {
				b.SetBytes(int64(len(small)))
				for b.Loop() {
					if _, err := Parse("big.yml", small); err == nil {
						b.Fatal("no error")
					}
				}
			})
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				_, err := Parse("big.yml", data)
				if (err == nil) != (last == "") {
					b.Fatalf("error %v", err)
				}
			}
		})
	}
}

// The error of the 10 MB file is on its last line, from one parse.
func TestBigConfigErrorOnLastLine(t *testing.T) {
	data := bigConfig(1<<20, "  - name: last\n    service: s\n    sli:\n      events:\n        errors: e\n       total: t\n")
	lines := bytes.Count(data, []byte("\n"))
	got := configErrors(t, string(data))
	want := fmt.Sprintf("t.yml:%d: invalid YAML: did not find expected key", lines)
	if len(got) != 1 || got[0] != want {
		t.Fatalf("errors %q, want %q", got, want)
	}
}
