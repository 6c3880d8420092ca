package backend

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
)

// answer is a decoded query API answer.
type answer struct {
	status, errorType, errMsg string
	warnings                  []string
	resultType                string
	series                    []Series
	samplesRead               int64
}

// bufPool holds read buffers between answers; buffers above maxPooledBuf
// (a series of over a few MB) are left to the garbage collector.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, readChunk); return &b }}

const maxPooledBuf = 4 << 20

// decodeAnswer reads a query API answer as a stream and parses it in one
// pass over its bytes (decode_parse.go): at 10,000 SLOs, encoding/json's
// scanning (each series validated, then decoded, then its values read
// again) was half of a warm start's CPU. The buffer holds one series of
// the result at a time (and what was read ahead), never the whole answer;
// the decoded series keep none of its bytes. A read error (the size cap, a
// cut connection) is returned when the parser needed bytes after it.
//
// The parser gives the same answers as the encoding/json decoder it
// replaced (kept in decode_ref_test.go), and fails exactly when that one
// failed: TestDecodeAnswerMatchesReference and FuzzDecodeAnswer.
func decodeAnswer(r io.Reader) (*answer, error) {
	bp := bufPool.Get().(*[]byte)
	p := &parser{b: (*bp)[:0], r: r}
	a, err := p.answer()
	if cap(p.b) <= maxPooledBuf {
		*bp = p.b[:0]
		bufPool.Put(bp)
	}
	if err != nil && p.rerr != nil {
		return nil, p.rerr
	}
	return a, err
}

// UnmarshalJSON decodes the API's [<seconds>, "<value>"] pair exactly: the
// timestamp's decimals are read as milliseconds without a float rounding,
// and "NaN", "+Inf" and "-Inf" are kept as such.
func (s *Sample) UnmarshalJSON(b []byte) error {
	str := strings.TrimSpace(string(b))
	if len(str) < 2 || str[0] != '[' || str[len(str)-1] != ']' {
		return fmt.Errorf("sample %s: want [time, \"value\"]", str)
	}
	ts, val, ok := strings.Cut(str[1:len(str)-1], ",")
	if !ok {
		return fmt.Errorf("sample %s: want [time, \"value\"]", str)
	}
	t, err := parseMillis(strings.TrimSpace(ts))
	if err != nil {
		return fmt.Errorf("sample %s: %w", str, err)
	}
	v, err := strconv.Unquote(strings.TrimSpace(val))
	if err != nil {
		return fmt.Errorf("sample %s: value is not a string", str)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return fmt.Errorf("sample %s: %w", str, err)
	}
	s.T, s.V = t, f
	return nil
}

// parseMillis reads "1700000000.123" (seconds) as milliseconds.
func parseMillis(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		// Exponent notation or similar: fall back to a float.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("bad timestamp %q", s)
		}
		return int64(math.Round(f * 1000)), nil
	}
	if len(frac) > 3 {
		frac = frac[:3] // the API has millisecond precision
	}
	for len(frac) < 3 {
		frac += "0"
	}
	ms, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad timestamp %q", s)
	}
	if strings.HasPrefix(whole, "-") {
		return sec*1000 - ms, nil
	}
	return sec*1000 + ms, nil
}
