package slo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// withSplitMin runs f with the split parse tried from size bytes up.
func withSplitMin(size int, f func()) {
	saved := parallelParseMin
	parallelParseMin = size
	defer func() { parallelParseMin = saved }()
	f()
}

// nodeDiff describes the first difference between two trees, comments left
// out, or is "" when they are the same. An alias is compared by where its
// target is.
func nodeDiff(path string, a, b *yaml.Node) string {
	if (a == nil) != (b == nil) {
		return path + ": one is nil"
	}
	if a == nil {
		return ""
	}
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value ||
		a.Anchor != b.Anchor || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: %d:%d %v %q %q anchor %q (%d children) vs %d:%d %v %q %q anchor %q (%d children)", path,
			a.Line, a.Column, a.Kind, a.Tag, a.Value, a.Anchor, len(a.Content),
			b.Line, b.Column, b.Kind, b.Tag, b.Value, b.Anchor, len(b.Content))
	}
	if a.Kind == yaml.AliasNode {
		if (a.Alias == nil) != (b.Alias == nil) || (a.Alias != nil && (a.Alias.Line != b.Alias.Line || a.Alias.Column != b.Alias.Column)) {
			return path + ": aliases name different nodes"
		}
	}
	for i := range a.Content {
		if d := nodeDiff(fmt.Sprintf("%s/%d", path, i), a.Content[i], b.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// compareSplit parses data whole and, if the split parse takes it, in
// pieces, and fails on any difference. It reports whether the split parse
// took the file.
func compareSplit(t *testing.T, name string, data []byte) bool {
	t.Helper()
	var split []*yaml.Node
	var ok bool
	withSplitMin(0, func() { split, ok = parseSplit(data) })
	whole, err := decodeAll(data)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("%s: the split parse accepted a file the whole parse rejects (%v)", name, err)
	}
	if len(split) != len(whole) {
		t.Fatalf("%s: %d documents split, %d whole", name, len(split), len(whole))
	}
	for i := range whole {
		if d := nodeDiff("", whole[i], split[i]); d != "" {
			t.Fatalf("%s: trees differ at %s", name, d)
		}
	}
	return true
}

// compareParse checks that Parse gives the same config and the same error
// list whether or not the split parse is tried.
func compareParse(t *testing.T, name string, data []byte) {
	t.Helper()
	var wholeCfg, splitCfg *Config
	var wholeErr, splitErr error
	withSplitMin(1<<62, func() { wholeCfg, wholeErr = Parse("t.yml", data) })
	withSplitMin(0, func() { splitCfg, splitErr = Parse("t.yml", data) })
	if fmt.Sprint(wholeErr) != fmt.Sprint(splitErr) {
		t.Fatalf("%s: errors differ:\nwhole %v\nsplit %v", name, wholeErr, splitErr)
	}
	if !reflect.DeepEqual(wholeCfg, splitCfg) {
		t.Fatalf("%s: configs differ", name)
	}
}

// Every config in the repository parses to the same tree either way.
func TestSplitParseRepositoryConfigs(t *testing.T) {
	var files []string
	for _, glob := range []string{"testdata/*.yml", "testdata/*/*.yml", "../examples/*.yml", "../examples/*/*.yml", "../demo/*.yml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d config files found", len(files))
	}
	split := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if compareSplit(t, f, data) {
			split++
		}
		compareParse(t, f, data)
	}
	if split < 3 {
		t.Fatalf("the split parse took only %d of %d files: the comparison proves little", split, len(files))
	}
}

// splitCases are texts placed at one item of a generated file: errors, and
// constructs a careless cut would get wrong.
var splitCases = map[string]string{
	"unknown field":             "  - name: odd\n    service: s\n    objective: 99\n    colour: blue\n    sli: {events: {errors: e, total: t}}\n",
	"mis-indented":              "  - name: odd\n    service: s\n    sli:\n      events:\n        errors: e\n       total: t\n",
	"item in a quote":           "  - name: odd\n    service: s\n    description: \"starts here\n  - name: fake\n    service: fake\"\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n",
	"unclosed quote":            "  - name: odd\n    description: 'never closed\n",
	"item in a flow":            "  - name: odd\n    service: s\n    labels: {a: b,\n  - c: d}\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n",
	"block scalar":              "  - name: odd\n    service: s\n    description: |\n      text\n        - name: not an item\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n",
	"item after a block scalar": "  - name: odd\n    service: s\n    description: >\n      folded\n  - name: odd2\n    service: s\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n",
	"anchor":                    "  - &shared\n    name: shared\n    service: s\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n",
	"alias":                     "  - *shared\n",
	"unknown alias":             "  - *nowhere\n",
	"tag":                       "  - !!map\n    name: tagged\n    service: s\n    objective: !!float 99\n    sli: {events: {errors: e, total: t}}\n",
	"tab":                       "  - name: odd\n\tservice: s\n",
	"dash at column 0":          "- name: odd\n",
	"less indented":             " - name: odd\n",
	"comment lines":             "# column 0\n  # deeper\n  - name: commented # trailing\n    service: s\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n",
	"empty item":                "  -\n  - name: after-empty\n",
	"plain continued":           "  - name: odd\n    service: s\n    description: a plain\n      scalar on two lines\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n",
	"document end":              "...\n",
	"document start":            "---\n",
	"nested list":               "  - - a\n    - b\n",
	"duplicate name":            "  - name: slo-3\n    service: s\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n",
}

// generated is a file of n SLOs with insert placed before SLO at; tail goes
// after the list (other top-level keys).
func generated(n, at int, insert, head, tail string) []byte {
	var b bytes.Buffer
	b.WriteString(head)
	b.WriteString("slos:\n")
	for i := 0; i < n; i++ {
		if i == at {
			b.WriteString(insert)
		}
		fmt.Fprintf(&b, "  - name: slo-%d\n    service: svc\n    objective: 99.9\n    sli:\n      events:\n        errors: x{code=~\"5..\",i=\"%d\"}\n        total: x{i=\"%d\"}\n", i, i, i)
	}
	if at >= n {
		b.WriteString(insert)
	}
	b.WriteString(tail)
	return b.Bytes()
}

// dedentList moves the lines after `slos:` two columns left where they have
// the room, so that the list's dashes are at column 0 as YAML allows.
func dedentList(data []byte) []byte {
	head, list, _ := bytes.Cut(data, []byte("slos:\n"))
	lines := bytes.SplitAfter(list, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimPrefix(l, []byte("  "))
	}
	return append(append(head, "slos:\n"...), bytes.Join(lines, nil)...)
}

// Each case, placed at the first item, at and just after a cut between
// pieces (64 items make 16 pieces of four on two CPUs) and at the last item,
// parses to the same tree and gives the same config and errors either way.
func TestSplitParseEqualsWhole(t *testing.T) {
	const n = 64
	heads := []string{"", "policies:\n  - &p\n    name: p\n    states: [{name: ok, featureShare: 1}]\n"}
	tails := []string{"", "exclusions: []\n", "policies:\n  - name: q\n    states: [{name: ok, featureShare: 1}]\n"}
	splitTaken := 0
	for name, insert := range splitCases {
		for _, at := range []int{0, 1, 8, 9, 32, n - 1, n} {
			for hi, head := range heads {
				for ti, tail := range tails {
					for _, dedent := range []bool{false, true} {
						data := generated(n, at, insert, head, tail)
						if dedent {
							data = dedentList(data)
						}
						label := fmt.Sprintf("%s at %d, head %d, tail %d, list at column 0: %v", name, at, hi, ti, dedent)
						if compareSplit(t, label, data) {
							splitTaken++
						}
						compareParse(t, label, data)
					}
				}
			}
		}
	}
	// An alias in the list to an anchor of an earlier piece, and an alias
	// after the list to an anchor the list redefines.
	anchorAt := generated(n, 2, splitCases["anchor"], "", "")
	aliased := bytes.Replace(anchorAt, []byte("  - name: slo-60\n"), []byte("  - *shared\n  - name: slo-60\n"), 1)
	redefined := generated(n, 40, splitCases["anchor"], "x: &shared {name: early}\n", "y: *shared\n")
	for label, data := range map[string][]byte{"alias across pieces": aliased, "anchor redefined in the list": redefined} {
		if compareSplit(t, label, data) {
			t.Errorf("%s: the split parse took a file it must leave to the whole parse", label)
		}
		compareParse(t, label, data)
	}
	if splitTaken < len(splitCases)*14 {
		t.Fatalf("the split parse took only %d files: the comparison proves little", splitTaken)
	}
}

// The 1 MB file of the benchmark takes the split path, with its items in
// the order and on the lines of the file.
func TestSplitParseBigFile(t *testing.T) {
	data := bigConfig(1<<20, "")
	if !compareSplit(t, "1 MB", data) {
		t.Fatal("the split parse did not take the generated 1 MB file")
	}
	for _, last := range []string{"", "  - name: last\n    service: s\n    objective: 99\n    sli: {events: {errors: e, total: t}}\n    colour: blue\n"} {
		compareParse(t, "1 MB "+strings.TrimSpace(last), bigConfig(1<<20, last))
	}
}

// FuzzSplitParse checks that whenever the split parse takes a file, the
// whole parse accepts it too and gives the same tree. Run it with
// `go test ./slo -run '^$' -fuzz FuzzSplitParse -fuzztime 30s`.
func FuzzSplitParse(f *testing.F) {
	for _, insert := range splitCases {
		f.Add(generated(3, 1, insert, "", ""))
		f.Add(generated(2, 2, insert, "a: &x 1\n", "b: *x\n"))
	}
	f.Add([]byte("slos:\n- a\n- &x b\n- *x\nc: d\n"))
	f.Add([]byte("x: \"\nslos:\n  - a\n\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		compareSplit(t, "input", data)
	})
}
