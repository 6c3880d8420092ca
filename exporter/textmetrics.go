package exporter

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// textSink writes the SLO series straight into text exposition lines, the
// same bytes client_golang's registry and encoder write for them, without
// the registry's objects: at 10,000 SLOs (300,000 series) the gathered
// dto.Metric values and their label pairs were the daemon's largest
// transient allocation (45 MiB of live heap per render, issue 10.8).
//
// Each family keeps its lines in one buffer and, per series, where its line
// starts and a sort key (its label values in label-name order, each
// length-prefixed), so the lines can be written in the order the registry
// sorts them (internal.MetricSorter: by label count, then by the values in
// label-name order). Anything the registry would refuse or write differently
// (an invalid or non-legacy label name, a label value that is not UTF-8, two
// series with the same labels, a family name shared with the process's own
// metrics) sets fallback: the caller then renders with client_golang, which
// gives the page or the error it always gave.
type textSink struct {
	fams     map[string]*textFamily
	fallback bool
	order    []int  // scratch: label indexes sorted by name
	scratch  []byte // scratch: one line
	key      []byte // scratch: one key
	labels   []string
	// set by ready: the family names in order, each family's series order
	names     []string
	sortedIdx map[string][]int32
}

type textFamily struct {
	name, help string
	// Series in chunks, each a series' line followed by its sort key, in
	// byte chunks: appending to one long slice would allocate about five
	// times its final size (append grows large slices by a quarter).
	chunks [][]byte
	series [][]textSeries
	n      int
	bytes  int // of the lines
}

// textSeries locates one series: chunks[chunk][off:] holds its line
// (lineLen bytes) and then its key (keyLen bytes); labels is its label
// count (the first sort criterion).
type textSeries struct {
	chunk, off, lineLen, keyLen uint32
	labels                      uint16
}

const (
	textChunkBytes  = 64 << 10
	textChunkSeries = 4096
)

// put stores one series' line and key.
func (f *textFamily) put(line, key []byte, labels int) {
	need := len(line) + len(key)
	last := len(f.chunks) - 1
	if last < 0 || cap(f.chunks[last])-len(f.chunks[last]) < need {
		f.chunks = append(f.chunks, make([]byte, 0, max(textChunkBytes, need)))
		last++
	}
	c := f.chunks[last]
	ts := textSeries{chunk: uint32(last), off: uint32(len(c)), lineLen: uint32(len(line)), keyLen: uint32(len(key)), labels: uint16(labels)}
	f.chunks[last] = append(append(c, line...), key...)
	if len(f.series) == 0 || len(f.series[len(f.series)-1]) == textChunkSeries {
		f.series = append(f.series, make([]textSeries, 0, textChunkSeries))
	}
	f.series[len(f.series)-1] = append(f.series[len(f.series)-1], ts)
	f.n++
	f.bytes += len(line)
}

func (f *textFamily) at(i int) textSeries { return f.series[i/textChunkSeries][i%textChunkSeries] }

func newTextSink() *textSink { return &textSink{fams: map[string]*textFamily{}} }

func (s *textSink) gauge(d *prometheus.Desc, groups []string, values []string, v float64) {
	spec := descSpecs[d]
	s.labels = append(append(append(s.labels[:0], sloLabels...), groups...), spec.extra...)
	s.add(spec.name, spec.help, s.labels, values, v)
}

func (s *textSink) info(names, values []string) { s.add(infoName, infoHelp, names, values, 1) }

func (s *textSink) add(name, help string, names, values []string, v float64) {
	if len(names) != len(values) || len(names) > math.MaxUint16 {
		s.fallback = true
		return
	}
	f := s.fams[name]
	if f == nil {
		f = &textFamily{name: name, help: help}
		s.fams[name] = f
	}
	// Label pairs sorted by name, as client_golang's MakeLabelPairs does.
	s.order = s.order[:0]
	for i := range names {
		s.order = append(s.order, i)
	}
	for a := 1; a < len(s.order); a++ { // a handful of labels: insertion sort, no allocation
		for b := a; b > 0 && names[s.order[b]] < names[s.order[b-1]]; b-- {
			s.order[b], s.order[b-1] = s.order[b-1], s.order[b]
		}
	}
	b := append(s.scratch[:0], name...)
	k := s.key[:0]
	for j, i := range s.order {
		ln, lv := names[i], values[i]
		if !model.LegacyValidation.IsValidLabelName(ln) || !utf8.ValidString(lv) || (j > 0 && names[s.order[j-1]] == ln) {
			s.fallback = true
		}
		if j == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = append(b, ln...)
		b = append(b, `="`...)
		b = appendEscaped(b, lv, true)
		b = append(b, '"')
		k = binary.AppendUvarint(k, uint64(len(lv)))
		k = append(k, lv...)
	}
	if len(names) > 0 {
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	b = append(b, '\n')
	f.put(b, k, len(names))
	s.scratch, s.key = b, k
}

// appendEscaped escapes like the text format: backslash and newline, and
// the double quote inside label values.
func appendEscaped(b []byte, v string, quote bool) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendFloat formats a sample value as the text format does.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case f == 1:
		return append(b, '1')
	case f == 0:
		return append(b, '0')
	case f == -1:
		return append(b, "-1"...)
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "+Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// line and key return series i's line and sort key.
func (f *textFamily) line(i int) []byte {
	ts := f.at(i)
	return f.chunks[ts.chunk][ts.off : ts.off+ts.lineLen]
}

func (f *textFamily) key(i int) []byte {
	ts := f.at(i)
	start := ts.off + ts.lineLen
	return f.chunks[ts.chunk][start : start+ts.keyLen]
}

// compare orders series as internal.MetricSorter does: fewer labels first,
// then by the first label value that differs (in label-name order).
func (f *textFamily) compare(i, j int) int {
	a, b := f.at(i), f.at(j)
	if a.labels != b.labels {
		return int(a.labels) - int(b.labels)
	}
	ka, kb := f.key(i), f.key(j)
	for len(ka) > 0 && len(kb) > 0 {
		na, wa := binary.Uvarint(ka)
		nb, wb := binary.Uvarint(kb)
		va, vb := ka[wa:wa+int(na)], kb[wb:wb+int(nb)]
		if c := bytes.Compare(va, vb); c != 0 {
			return c
		}
		ka, kb = ka[wa+int(na):], kb[wb+int(nb):]
	}
	return 0
}

// sorted returns the family's series indexes in the registry's order; ok is
// false when two series compare equal (the registry's order would then be
// its sort's accident, or the page an error).
func (f *textFamily) sorted() (idx []int32, ok bool) {
	idx = make([]int32, f.n)
	for i := range idx {
		idx[i] = int32(i)
	}
	sort.Slice(idx, func(a, b int) bool { return f.compare(int(idx[a]), int(idx[b])) < 0 })
	for k := 1; k < len(idx); k++ {
		if f.compare(int(idx[k-1]), int(idx[k])) == 0 {
			return nil, false
		}
	}
	return idx, true
}

// ready sorts every family and reports whether the page can be written
// exactly: false when it must be rendered by client_golang instead. self is
// the process's own families as its registry gathered them.
func (s *textSink) ready(self []*dto.MetricFamily) bool {
	if s.fallback {
		return false
	}
	s.names = s.names[:0]
	s.sortedIdx = map[string][]int32{}
	for name, f := range s.fams {
		if !model.LegacyValidation.IsValidMetricName(name) {
			return false
		}
		idx, ok := f.sorted()
		if !ok {
			return false
		}
		s.names = append(s.names, name)
		s.sortedIdx[name] = idx
	}
	for _, mf := range self {
		if _, clash := s.fams[mf.GetName()]; clash {
			return false
		}
	}
	sort.Strings(s.names)
	return true
}

// write writes the page after ready: the SLO families and the process's own
// (self, sorted by name) merged by name, the own ones through expfmt's
// encoder for format, as promhttp writes them.
func (s *textSink) write(w io.Writer, self []*dto.MetricFamily, format expfmt.Format) error {
	if g, ok := w.(interface{ Grow(int) }); ok {
		// One allocation of the page's size instead of a doubling buffer
		// (the process's own families are a few KiB).
		n := 64 << 10
		for _, f := range s.fams {
			n += f.bytes + len(f.name)*2 + len(f.help) + 32
		}
		g.Grow(n)
	}
	enc := expfmt.NewEncoder(w, format)
	names := s.names
	var head []byte
	for len(names) > 0 || len(self) > 0 {
		if len(self) > 0 && (len(names) == 0 || self[0].GetName() < names[0]) {
			if err := enc.Encode(self[0]); err != nil {
				return err
			}
			self = self[1:]
			continue
		}
		f := s.fams[names[0]]
		head = append(head[:0], "# HELP "...)
		head = append(head, f.name...)
		head = append(head, ' ')
		head = appendEscaped(head, f.help, false)
		head = append(head, "\n# TYPE "...)
		head = append(head, f.name...)
		head = append(head, " gauge\n"...)
		if _, err := w.Write(head); err != nil {
			return err
		}
		for _, i := range s.sortedIdx[names[0]] {
			if _, err := w.Write(f.line(int(i))); err != nil {
				return err
			}
		}
		names = names[1:]
	}
	return nil
}
