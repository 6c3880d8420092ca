package backend

import (
	"bytes"
	"fmt"
	"strconv"
	"unsafe"
)

// sampleList is a series' "values": an array of [<seconds>, "<value>"]
// pairs. It is decoded by hand, one pass over the array, because decoding
// each pair through encoding/json's reflection and Sample.UnmarshalJSON was
// most of a cycle's CPU at 10,000 SLOs. Each pair is read by the same rules
// as Sample.UnmarshalJSON (parseMillis, strconv.ParseFloat): the same
// numbers, exactly. A pair this scanner does not expect (escapes in the
// value, nested values) goes to Sample.UnmarshalJSON.
type sampleList []Sample

func (l *sampleList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*l = nil
		return nil
	}
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return fmt.Errorf("values: want an array, got %.40s", b)
	}
	body := b[1 : len(b)-1]
	out := make([]Sample, 0, bytes.Count(body, []byte("]")))
	for i := 0; ; {
		i = skipSpace(body, i)
		if i == len(body) {
			break
		}
		if body[i] != '[' {
			return fmt.Errorf("values: want a [time, \"value\"] pair at %.40s", body[i:])
		}
		end := bytes.IndexByte(body[i:], ']')
		if end < 0 {
			return fmt.Errorf("values: unterminated pair %.40s", body[i:])
		}
		pair := body[i : i+end+1]
		s, ok := quickPair(pair)
		if !ok {
			if err := s.UnmarshalJSON(pair); err != nil {
				return err
			}
		}
		out = append(out, s)
		i = skipSpace(body, i+end+1)
		if i == len(body) {
			break
		}
		if body[i] != ',' {
			return fmt.Errorf("values: want a comma at %.40s", body[i:])
		}
		i++
	}
	*l = out
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// quickPair reads the common spelling of a pair, `[1700000000.123,"42"]`
// (whole seconds, up to three decimals; a value without escapes), without
// allocating; ok is false for anything else, which Sample.UnmarshalJSON
// then reads (or refuses).
func quickPair(p []byte) (s Sample, ok bool) {
	i := skipSpace(p, 1)
	var sec int64
	start := i
	for i < len(p) && p[i] >= '0' && p[i] <= '9' && i-start < 15 {
		sec = sec*10 + int64(p[i]-'0')
		i++
	}
	if i == start {
		return Sample{}, false
	}
	var ms int64
	if i < len(p) && p[i] == '.' {
		i++
		d := 0
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			if d < 3 {
				ms = ms*10 + int64(p[i]-'0')
			}
			d++
			i++
		}
		if d == 0 {
			return Sample{}, false
		}
		for ; d < 3; d++ {
			ms *= 10
		}
	}
	i = skipSpace(p, i)
	if i >= len(p) || p[i] != ',' {
		return Sample{}, false
	}
	i = skipSpace(p, i+1)
	if i >= len(p) || p[i] != '"' {
		return Sample{}, false
	}
	j := bytes.IndexByte(p[i+1:], '"')
	if j <= 0 {
		return Sample{}, false
	}
	v := p[i+1 : i+1+j]
	if bytes.IndexByte(v, '\\') >= 0 {
		return Sample{}, false
	}
	if k := skipSpace(p, i+j+2); k != len(p)-1 {
		return Sample{}, false
	}
	// The bytes are only read during the call (an error copies them).
	f, err := strconv.ParseFloat(unsafe.String(&v[0], len(v)), 64)
	if err != nil {
		return Sample{}, false
	}
	return Sample{T: sec*1000 + ms, V: f}, true
}
