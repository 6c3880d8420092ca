package backend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unsafe"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// The one-pass parser of query API answers. It follows encoding/json's
// rules where the old decoder used them, so that it accepts and refuses the
// same inputs:
//   - the grammar of RFC 8259, whitespace being space, tab, CR and LF, and
//     nesting at most maxDepth deep counted from the value each
//     json.Decoder.Decode call started at (a series, a skipped value);
//   - bytes after the answer's closing brace are not read;
//   - the answer's and data's keys match exactly, a series' keys
//     case-insensitively (bytes.EqualFold, as encoding/json matches struct
//     fields), after unescaping;
//   - a null leaves a string as it was, sets a pointer to nil, and gives ""
//     as a label value; a later duplicate key overwrites an earlier one.
//
// The common shapes (plain strings, [<number>,"<value>"] pairs, string
// labels) are read here without allocating; an unusual but valid shape is
// validated here and then handed, as its bytes, to the same code the old
// decoder ran on it (json.Unmarshal of a string with escapes, of warnings,
// stats and histograms; sampleList and Sample's UnmarshalJSON).

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

type parser struct {
	b []byte
	i int
	// r, when set, is read as the parser needs: the buffer holds one
	// series of a result (and what is read ahead) at a time, not the
	// whole answer. whole is true while the value being parsed is known
	// to be in b entirely (or r is done). base is the bytes dropped from
	// b's front, rerr the read error that ended r, if any.
	r     io.Reader
	whole bool
	eof   bool
	base  int
	rerr  error
	// valuesHint sizes the next series' samples (joined answers hold
	// series of equal length).
	valuesHint int
	scratch    []labels.Label
}

func parseAnswer(b []byte) (*answer, error) {
	return (&parser{b: b, whole: true, eof: true}).answer()
}

func (p *parser) answer() (*answer, error) {
	a := &answer{}
	p.wsMore()
	if p.peek() != '{' {
		p.ensureValue()
	}
	if !p.eat('{') {
		return nil, p.errorf("want an object")
	}
	err := p.object(func(k string) bool { return k == "data" }, func(key []byte, plain bool) error {
		k := p.keyString(key, plain)
		var err error
		switch k {
		case "status":
			err = p.stringInto(&a.status)
		case "errorType":
			err = p.stringInto(&a.errorType)
		case "error":
			err = p.stringInto(&a.errMsg)
		case "warnings":
			err = p.unmarshalValue(0, &a.warnings)
		case "data":
			err = p.data(a)
		default: // "infos" and whatever a backend adds
			err = p.skip(0)
		}
		if err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.status == "" {
		return nil, errors.New("no status: not a Prometheus API answer")
	}
	return a, nil
}

func (p *parser) data(a *answer) error {
	p.wsMore()
	if p.peek() != '{' {
		p.ensureValue()
	}
	if p.peek() == 'n' {
		return p.literal("null")
	}
	if !p.eat('{') {
		return p.errorf("want an object")
	}
	var pending []byte // a result that came before its type
	streamed := func(k string) bool { return k == "result" && (a.resultType == "matrix" || a.resultType == "vector") }
	err := p.object(streamed, func(key []byte, plain bool) error {
		k := p.keyString(key, plain)
		var err error
		switch k {
		case "resultType":
			err = p.stringInto(&a.resultType)
		case "result":
			if a.resultType == "matrix" || a.resultType == "vector" {
				err = p.seriesArray(a)
			} else {
				p.ws()
				start := p.i
				if err = p.skip(0); err == nil {
					pending = p.b[start:p.i]
				}
			}
		case "stats":
			var st struct {
				Samples struct {
					TotalQueryableSamples int64 `json:"totalQueryableSamples"`
				} `json:"samples"`
			}
			err = p.unmarshalValue(0, &st)
			a.samplesRead = st.Samples.TotalQueryableSamples
		default:
			err = p.skip(0)
		}
		if err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if pending != nil {
		return decodeResult(pending, a)
	}
	return nil
}

// decodeResult decodes a result that came before the answer named its type.
func decodeResult(raw []byte, a *answer) error {
	switch a.resultType {
	case "matrix", "vector":
		q := &parser{b: raw, whole: true, eof: true}
		return q.seriesArray(a)
	case "scalar":
		var s Sample
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		a.series = []Series{{Labels: labels.EmptyLabels(), Floats: []Sample{s}}}
		return nil
	case "string":
		return nil
	}
	return fmt.Errorf("unknown result type %q", a.resultType)
}

func (p *parser) seriesArray(a *answer) error {
	p.wsMore()
	if p.peek() != '[' {
		p.ensureValue()
	}
	if !p.eat('[') {
		return p.errorf("want an array")
	}
	p.wsMore()
	if p.eat(']') {
		return nil
	}
	for {
		if p.whole {
			if err := p.series(a); err != nil {
				return err
			}
		} else if err := p.streamedSeries(a); err != nil {
			return err
		}
		p.wsMore()
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			return nil
		}
		return p.errorf("want a comma or ]")
	}
}

// streamedSeries parses the next series from what the buffer holds, and
// when that fails before the reader is done (the series may go on past
// the buffer), reads on, at least doubling what it holds of the series,
// and parses it again: one pass over the bytes, except for the series that
// straddle a refill. Nothing is kept of a failed attempt (series appends
// only at its end), and a series that parses is whole: it ends with its
// closing brace, or is the literal null.
func (p *parser) streamedSeries(a *answer) error {
	p.compact()
	start := p.i
	p.whole = true
	defer func() { p.whole = false }()
	for {
		err := p.series(a)
		if err == nil || p.eof {
			return err
		}
		p.i = start
		for want := 2*(len(p.b)-start) + readChunk; len(p.b)-start < want && p.read(); {
		}
	}
}

// series reads one element of a matrix or vector result, a value of its
// own for the nesting limit (the old decoder decoded each alone).
func (p *parser) series(a *answer) error {
	p.ws()
	var (
		metric     labels.Labels
		values     []Sample
		value      *Sample
		histograms []model.SampleHistogramPair
		histogram  *model.SampleHistogramPair
	)
	if p.peek() == 'n' {
		if err := p.literal("null"); err != nil {
			return err
		}
	} else {
		if !p.eat('{') {
			return p.errorf("want a series object")
		}
		err := p.object(nil, func(key []byte, plain bool) error {
			var k []byte
			if plain {
				k = key
			} else {
				k = []byte(p.keyString(key, false))
			}
			switch {
			case bytes.EqualFold(k, []byte("metric")):
				l, err := p.metric()
				if err != nil {
					return err
				}
				metric = l
			case bytes.EqualFold(k, []byte("values")):
				v, err := p.values()
				if err != nil {
					return err
				}
				values = v
			case bytes.EqualFold(k, []byte("value")):
				p.ws()
				if p.peek() == 'n' {
					value = nil
					return p.literal("null")
				}
				start := p.i
				if err := p.skip(1); err != nil {
					return err
				}
				var s Sample
				if value != nil {
					s = *value
				}
				if err := s.UnmarshalJSON(p.b[start:p.i]); err != nil {
					return err
				}
				value = &s
			case bytes.EqualFold(k, []byte("histograms")):
				return p.unmarshalValue(1, &histograms)
			case bytes.EqualFold(k, []byte("histogram")):
				return p.unmarshalValue(1, &histogram)
			default:
				return p.skip(1)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	s := Series{Labels: metric, Floats: values}
	if value != nil {
		s.Floats = append(s.Floats, *value)
	}
	if histogram != nil {
		histograms = append(histograms, *histogram)
	}
	for _, h := range histograms {
		s.Histograms = append(s.Histograms, HistogramSample{T: int64(h.Timestamp), H: h.Histogram})
	}
	a.series = append(a.series, s)
	return nil
}

// metric reads a series' labels as labels.Labels.UnmarshalJSON does (a
// map[string]string, then FromMap): a null value is "", a repeated name
// keeps its last value.
func (p *parser) metric() (labels.Labels, error) {
	p.ws()
	if p.peek() == 'n' {
		return labels.FromMap(nil), p.literal("null")
	}
	start := p.i
	if !p.eat('{') {
		// Not an object: the old decoder refused it too, after checking
		// its syntax.
		if err := p.skip(1); err != nil {
			return labels.Labels{}, err
		}
		return labels.Labels{}, fmt.Errorf("metric: want an object, got %.40s", p.b[start:p.i])
	}
	// Plain names and values are the read buffer's bytes: labels.New
	// copies them (labelsNewCopies), or they are copied here.
	own := func(b []byte) string {
		if labelsNewCopies {
			return unsafe.String(unsafe.SliceData(b), len(b))
		}
		return string(b)
	}
	ls := p.scratch[:0]
	err := p.object(nil, func(key []byte, plain bool) error {
		var name string
		if plain {
			name = own(key)
		} else {
			name = p.keyString(key, false)
		}
		p.ws()
		var value string
		switch p.peek() {
		case 'n':
			if err := p.literal("null"); err != nil {
				return err
			}
		case '"':
			s, e, plainV, err := p.str()
			if err != nil {
				return err
			}
			if plainV {
				value = own(p.b[s:e])
			} else {
				value = p.unquote(s, e)
			}
		default:
			vs := p.i
			if err := p.skip(2); err != nil {
				return err
			}
			return fmt.Errorf("label %q: want a string, got %.40s", name, p.b[vs:p.i])
		}
		ls = append(ls, labels.Label{Name: name, Value: value})
		return nil
	})
	p.scratch = ls[:0]
	if err != nil {
		return labels.Labels{}, err
	}
	// A repeated name: the last value wins, as in a map. (FromMap and New
	// copy the strings under labelsNewCopies.)
	for i := 1; i < len(ls); i++ {
		for j := 0; j < i; j++ {
			if ls[j].Name == ls[i].Name {
				m := make(map[string]string, len(ls))
				for _, l := range ls {
					m[l.Name] = l.Value
				}
				return labels.FromMap(m), nil
			}
		}
	}
	return labels.New(ls...), nil
}

// values reads a series' "values" as sampleList.UnmarshalJSON does, in the
// same pass that checks its syntax. A pair of an unusual shape sends the
// whole array to sampleList.UnmarshalJSON (after checking its syntax).
func (p *parser) values() ([]Sample, error) {
	p.ws()
	start := p.i
	switch p.peek() {
	case 'n':
		return nil, p.literal("null")
	case '[':
	default:
		return p.valuesSlow(start)
	}
	p.i++
	out := make([]Sample, 0, p.valuesHint)
	p.ws()
	if p.eat(']') {
		return out, nil
	}
	b := p.b
	for {
		// [ ws seconds[.fraction] ws , ws "value" ws ]: the timestamp's
		// digits are read as milliseconds and the value parsed as it is
		// scanned, by quickPair's rules (which sampleList applies first).
		// A negative or exponent timestamp, more than 15 digits of
		// seconds, or a value with an escape or a ']' sends the whole
		// array to valuesSlow.
		ps := p.i
		if !p.eat('[') {
			return p.valuesSlow(start)
		}
		p.ws()
		i := p.i
		var sec, ms int64
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			sec = sec*10 + int64(b[i]-'0')
			i++
		}
		if nd := i - p.i; nd == 0 || nd > 15 || (nd > 1 && b[p.i] == '0') {
			return p.valuesSlow(start)
		}
		if i < len(b) && b[i] == '.' {
			i++
			d := 0
			for i < len(b) && b[i] >= '0' && b[i] <= '9' {
				if d < 3 {
					ms = ms*10 + int64(b[i]-'0')
				}
				d++
				i++
			}
			if d == 0 {
				return p.valuesSlow(start)
			}
			for ; d < 3; d++ {
				ms *= 10
			}
		}
		if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
			return p.valuesSlow(start)
		}
		p.i = i
		p.ws()
		if !p.eat(',') {
			return p.valuesSlow(start)
		}
		p.ws()
		if !p.eat('"') {
			return p.valuesSlow(start)
		}
		vs := p.i
		for p.i < len(b) {
			c := b[p.i]
			if c == '"' || c == '\\' || c == ']' || c < 0x20 {
				break
			}
			p.i++
		}
		ve := p.i
		if !p.eat('"') {
			return p.valuesSlow(start)
		}
		p.ws()
		if !p.eat(']') {
			return p.valuesSlow(start)
		}
		// The bytes are only read during the call (an error copies them).
		f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b[vs:ve]), ve-vs), 64)
		if err != nil {
			// sampleList's path fails here too: its error.
			var s Sample
			if err := s.UnmarshalJSON(b[ps:p.i]); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("internal: sample %s decoded after all", b[ps:p.i])
		}
		s := Sample{T: sec*1000 + ms, V: f}
		out = append(out, s)
		p.ws()
		if p.eat(',') {
			p.ws()
			continue
		}
		if p.eat(']') {
			p.valuesHint = len(out)
			return out, nil
		}
		return p.valuesSlow(start)
	}
}

func (p *parser) valuesSlow(start int) ([]Sample, error) {
	p.i = start
	if err := p.skip(1); err != nil {
		return nil, err
	}
	var l sampleList
	if err := l.UnmarshalJSON(p.b[start:p.i]); err != nil {
		return nil, err
	}
	return l, nil
}

// object reads an object's members after its '{' up to and including its
// '}', calling f with each key (its bytes between the quotes; plain when
// they need no unescaping) with the parser at the member's value. When
// the object is not wholly in the buffer, each member's value is read in
// first, except those streamed names (the answer's data, a matrix or
// vector result), which read as they go.
func (p *parser) object(streamed func(key string) bool, f func(key []byte, plain bool) error) error {
	p.wsMore()
	if p.eat('}') {
		return nil
	}
	for {
		p.wsMore()
		if p.peek() != '"' {
			return p.errorf("want an object key")
		}
		p.ensureValue()
		s, e, plain, err := p.str()
		if err != nil {
			return err
		}
		p.wsMore()
		if !p.eat(':') {
			return p.errorf("want a colon after an object key")
		}
		key := p.b[s:e]
		if p.whole {
			err = f(key, plain)
		} else {
			k := p.keyString(key, plain)
			if streamed != nil && streamed(k) {
				err = f(key, plain)
			} else {
				p.wsMore()
				p.ensureValue()
				p.whole = true
				err = f(key, plain)
				p.whole = false
			}
		}
		if err != nil {
			return err
		}
		p.wsMore()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return nil
		}
		return p.errorf("want a comma or }")
	}
}

// keyString is a key as encoding/json decodes it.
func (p *parser) keyString(key []byte, plain bool) string {
	if plain && !p.whole {
		// It may outlive the buffer's bytes (an error names it).
		return string(key)
	}
	if plain {
		// Compared and dropped: no copy.
		return unsafe.String(unsafe.SliceData(key), len(key))
	}
	var out string
	if err := json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &out); err != nil {
		panic("backend: a checked JSON key did not decode: " + err.Error())
	}
	return out
}

// stringInto decodes a string value as json.Decoder.Decode(&string): a
// null leaves it as it was, anything else but a string is refused.
func (p *parser) stringInto(dst *string) error {
	p.ws()
	switch p.peek() {
	case 'n':
		return p.literal("null")
	case '"':
		s, e, plain, err := p.str()
		if err != nil {
			return err
		}
		if plain {
			*dst = string(p.b[s:e])
		} else {
			*dst = p.unquote(s, e)
		}
		return nil
	}
	start := p.i
	if err := p.skip(0); err != nil {
		return err
	}
	return fmt.Errorf("want a string, got %.40s", p.b[start:p.i])
}

// unmarshalValue checks the syntax of the value at the parser (depth: the
// containers around it since the old decoder's Decode call began) and
// decodes it with json.Unmarshal.
func (p *parser) unmarshalValue(depth int, v any) error {
	p.ws()
	start := p.i
	if err := p.skip(depth); err != nil {
		return err
	}
	return json.Unmarshal(p.b[start:p.i], v)
}

// unquote decodes a string's content between its quotes (already checked)
// as encoding/json does: escapes, and U+FFFD for invalid UTF-8 and lone
// surrogates.
func (p *parser) unquote(s, e int) string {
	var out string
	if err := json.Unmarshal(p.b[s-1:e+1], &out); err != nil {
		panic("backend: a checked JSON string did not decode: " + err.Error())
	}
	return out
}

// str reads a string at the parser; s and e bound its content, plain says
// it has no escapes and only ASCII (its bytes are its value).
func (p *parser) str() (s, e int, plain bool, err error) {
	p.i++ // the opening quote
	s = p.i
	plain = true
	b := p.b
	for i := p.i; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			p.i = i + 1
			return s, i, plain, nil
		case c < 0x20:
			p.i = i
			return 0, 0, false, p.errorf("control character in a string")
		case c == '\\':
			plain = false
			i++
			if i >= len(b) {
				p.i = i
				return 0, 0, false, p.errorf("unterminated string")
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					p.i = len(b)
					return 0, 0, false, p.errorf("unterminated string")
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						p.i = i
						return 0, 0, false, p.errorf("bad \\u escape")
					}
				}
				i += 4
			default:
				p.i = i
				return 0, 0, false, p.errorf("bad escape")
			}
		case c >= 0x80:
			plain = false
		}
	}
	p.i = len(b)
	return 0, 0, false, p.errorf("unterminated string")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number reads a JSON number at the parser; false (the parser left where
// it was) when there is none.
func (p *parser) number() bool {
	b, i := p.b, p.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	p.i = i
	return true
}

// skip checks the syntax of the value at the parser and moves past it;
// depth is the number of containers around it, counted from where the old
// decoder's Decode call began.
func (p *parser) skip(depth int) error {
	p.ws()
	switch c := p.peek(); {
	case c == '{' || c == '[':
		if depth+1 > maxDepth {
			return p.errorf("exceeded max depth")
		}
		p.i++
		if c == '{' {
			return p.object(nil, func([]byte, bool) error { return p.skip(depth + 1) })
		}
		p.ws()
		if p.eat(']') {
			return nil
		}
		for {
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			p.ws()
			if p.eat(',') {
				continue
			}
			if p.eat(']') {
				return nil
			}
			return p.errorf("want a comma or ]")
		}
	case c == '"':
		_, _, _, err := p.str()
		return err
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		if !p.number() {
			return p.errorf("bad number")
		}
		return nil
	}
	return p.errorf("want a value")
}

func (p *parser) literal(word string) error {
	if !strings.HasPrefix(unsafe.String(unsafe.SliceData(p.b[p.i:]), len(p.b)-p.i), word) {
		return p.errorf("want %s", word)
	}
	p.i += len(word)
	return nil
}

func (p *parser) ws() {
	p.i = skipSpace(p.b, p.i)
}

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) errorf(format string, args ...any) error {
	if p.i >= len(p.b) {
		return fmt.Errorf("at byte %d (the end): %s", p.base+p.i, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("at byte %d (%.20q): %s", p.base+p.i, p.b[p.i:], fmt.Sprintf(format, args...))
}

// readChunk is the least the parser asks its reader for at a time.
const readChunk = 64 << 10

// read appends what the reader gives to the buffer; false when it has
// nothing more.
func (p *parser) read() bool {
	if p.eof {
		return false
	}
	if cap(p.b)-len(p.b) < readChunk/2 {
		nb := make([]byte, len(p.b), max(2*cap(p.b), len(p.b)+readChunk))
		copy(nb, p.b)
		p.b = nb
	}
	n, err := p.r.Read(p.b[len(p.b):cap(p.b)])
	p.b = p.b[:len(p.b)+n]
	if err != nil {
		p.eof = true
		if err != io.EOF {
			p.rerr = err
		}
	}
	return n > 0 || !p.eof
}

// wsMore skips whitespace, reading on until there is a byte after it or
// the reader is done.
func (p *parser) wsMore() {
	for {
		p.ws()
		if p.i < len(p.b) || p.whole || !p.read() {
			return
		}
	}
}

// ensureValue reads on until the value that starts at the parser (after
// whitespace) is in the buffer with the byte after it, or the reader is
// done. It only matches brackets and quotes: the parser checks the rest.
func (p *parser) ensureValue() {
	if p.whole {
		return
	}
	p.wsMore()
	j, depth, inStr, esc := p.i, 0, false, false
	for {
		for ; j < len(p.b); j++ {
			c := p.b[j]
			if inStr {
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
					if depth == 0 {
						return
					}
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth <= 0 {
					return
				}
			case ' ', '\t', '\n', '\r', ',', ':':
				if depth == 0 {
					return
				}
			}
		}
		if !p.read() {
			return
		}
	}
}

// compact drops the bytes before the parser once they are half the
// buffer (between series: nothing refers to them any more).
func (p *parser) compact() {
	if p.whole || p.i < cap(p.b)/2 {
		return
	}
	n := copy(p.b, p.b[p.i:])
	p.b = p.b[:n]
	p.base += p.i
	p.i = 0
}
