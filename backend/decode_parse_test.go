package backend

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/prometheus/prometheus/model/labels"
)

// sameAnswer says how two decodings differ ("" when they agree): both
// fail, or both give the same fields, the same labels, samples equal to
// the bit (NaN payloads too) and equal histograms.
func sameAnswer(got *answer, errGot error, want *answer, errWant error) string {
	if (errGot == nil) != (errWant == nil) {
		return fmt.Sprintf("error %v, reference error %v", errGot, errWant)
	}
	if errGot != nil {
		return ""
	}
	if got.status != want.status || got.errorType != want.errorType || got.errMsg != want.errMsg ||
		got.resultType != want.resultType || got.samplesRead != want.samplesRead {
		return fmt.Sprintf("fields %q %q %q %q %d, reference %q %q %q %q %d",
			got.status, got.errorType, got.errMsg, got.resultType, got.samplesRead,
			want.status, want.errorType, want.errMsg, want.resultType, want.samplesRead)
	}
	if !reflect.DeepEqual(got.warnings, want.warnings) {
		return fmt.Sprintf("warnings %#v, reference %#v", got.warnings, want.warnings)
	}
	if len(got.series) != len(want.series) {
		return fmt.Sprintf("%d series, reference %d", len(got.series), len(want.series))
	}
	for i := range got.series {
		g, w := got.series[i], want.series[i]
		if !labels.Equal(g.Labels, w.Labels) {
			return fmt.Sprintf("series %d labels %s, reference %s", i, g.Labels, w.Labels)
		}
		if (g.Floats == nil) != (w.Floats == nil) || len(g.Floats) != len(w.Floats) {
			return fmt.Sprintf("series %d: %d samples (nil %v), reference %d (nil %v)", i, len(g.Floats), g.Floats == nil, len(w.Floats), w.Floats == nil)
		}
		for j := range g.Floats {
			if g.Floats[j].T != w.Floats[j].T || math.Float64bits(g.Floats[j].V) != math.Float64bits(w.Floats[j].V) {
				return fmt.Sprintf("series %d sample %d = %+v, reference %+v", i, j, g.Floats[j], w.Floats[j])
			}
		}
		if !reflect.DeepEqual(g.Histograms, w.Histograms) {
			return fmt.Sprintf("series %d histograms %v, reference %v", i, g.Histograms, w.Histograms)
		}
	}
	return ""
}

func checkAgainstReference(t *testing.T, body string) {
	t.Helper()
	if d := differsFromReference(body); d != "" {
		t.Fatal(d)
	}
}

// differsFromReference decodes body with the reference and with the
// parser, the latter reading it at once, a byte at a time and in chunks
// of 1 to 100 bytes (the buffer's refills and compactions).
func differsFromReference(body string) string {
	want, errWant := refDecodeAnswer(strings.NewReader(body))
	readers := map[string]io.Reader{
		"whole":    strings.NewReader(body),
		"one byte": iotest.OneByteReader(strings.NewReader(body)),
		"chunks":   &chunkReader{s: body, rng: rand.New(rand.NewSource(int64(len(body))))},
	}
	for name, r := range readers {
		got, errGot := decodeAnswer(r)
		if d := sameAnswer(got, errGot, want, errWant); d != "" {
			return fmt.Sprintf("%.300q read %s: %s", body, name, d)
		}
	}
	return ""
}

type chunkReader struct {
	s   string
	rng *rand.Rand
}

func (c *chunkReader) Read(b []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := min(len(b), len(c.s), 1+c.rng.Intn(100))
	copy(b, c.s[:n])
	c.s = c.s[n:]
	return n, nil
}

// TestDecodeAnswerLargeStreamed: an answer many times the read chunk
// decodes as the reference does (the buffer is compacted between series),
// and a read error the parser needed past comes out as the error.
func TestDecodeAnswerLargeStreamed(t *testing.T) {
	body := matrixBody(500, 240)
	if len(body) < 20*readChunk {
		t.Fatalf("body of %d bytes is too small to test the refills", len(body))
	}
	checkAgainstReference(t, body)
	cut := &cappedReader{r: strings.NewReader(body), left: int64(len(body) / 2)}
	if _, err := decodeAnswer(cut); !errors.Is(err, errTooLarge) {
		t.Errorf("answer over the cap: error %v, want errTooLarge", err)
	}
	whole := &cappedReader{r: strings.NewReader(body), left: int64(len(body))}
	if a, err := decodeAnswer(whole); err != nil || len(a.series) != 500 || len(a.series[499].Floats) != 240 {
		t.Errorf("answer at the cap: %v", err)
	}
}

// referenceCases: the answers the package's other tests serve, and shapes
// a backend may send that the common path does not expect.
var referenceCases = []string{
	`{"status":"success","data":{"resultType":"matrix","result":[]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"2"],[3.5,"NaN"]]}]}}`,
	`{"status":"success","warnings":["store eu-1 unreachable"],"data":{"resultType":"matrix","result":[]}}`,
	`{"status":"success","data":{"resultType":"vector","result":[]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,`,
	`{"status":"error","errorType":"bad_data","error":"parse error"}`,
	`{"status":"error","errorType":"timeout","error":"query timed out"}`,
	`{"status":"success","data":{"resultType":"scalar","result":[1700000000.25,"0.5"]}}`,
	`{"status":"success","data":{"result":[{"metric":{"a":"b"},"value":[3,"4"]}],"resultType":"vector"}}`,
	`{"status":"success","data":{"result":[{"metric":{"a":"b"},"values":[[3,"4"]]}],"resultType":"matrix"}}`,
	`{"status":"success","data":{"result":"x","resultType":"string"}}`,
	`{"status":"success","data":{"result":null,"resultType":"scalar"}}`,
	`{"status":"success","data":{"result":[],"resultType":"bogus"}}`,
	`{"status":"success","data":null}`,
	`{"status":"success"}trailing bytes are not read`,
	`  {"status" : "success" , "data" : { "resultType" : "matrix" , "result" : [ { "metric" : { "a" : "b" } , "values" : [ [ 1 , "2" ] , [ 2.5 , "3" ] ] } ] } }  `,
	`{"status":"success","data":{"resultType":"matrix","result":[{"METRIC":{"a":"b"},"Values":[[1,"2"]],"valuE":[9,"9"]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b","a":"c","b":null}}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"\u0061":"\u00e9\ud800x","\u212a":"\"\\\/"}}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"\u0076alues":[[1,"\u0032"],[2,"]"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"2",3]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[[1],"2"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1.2345e3,"2"],[1e3,"1e3"],[-0.5,"-Inf"],[1.5e3,"2"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[99999999999999999999,"2"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"0x1p-2"],[2,"inf"],[3,"1_0"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":null,"value":null},null,{"values":[]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":null,"values":[ ]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":1}}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":[]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"2"],]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"2"] [2,"3"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":{}}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":"x"}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"histogram":[1,{"count":"2","sum":"3","buckets":[[0,"0","1","2"]]}]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"histograms":[[1,{"count":"2","sum":"3"}]],"histogram":null}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"histograms":[[1,{"count":2}]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[],"stats":{"samples":{"totalQueryableSamples":42,"peakSamples":3}}}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[],"stats":{"Samples":{"TOTALQUERYABLESAMPLES":42}}}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[],"stats":{"samples":{"totalQueryableSamples":4.5}}}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[],"stats":null}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[]},"data":{"resultType":"vector","result":[{"value":[1,"1"]}]}}`,
	`{"status":null,"status":"success","errorType":5}`,
	`{"status":"success","warnings":null,"infos":["x"]}`,
	`{"status":"success","warnings":[1]}`,
	`{"status":"succ\u0065ss","st\u0061tus":"x"}`,
	`{"status":"success","x":[1,2,{"a":[true,false,null,-0.0e+1]}]}`,
	`{"status":"success","x":01}`,
	`{"status":"success","x":1.}`,
	`{"status":"success","x":"\x"}`,
	`{"status":"success","x":"a` + "\x01" + `"}`,
	`{"status":"success","x":"` + "\xff\xfe" + `"}`,
	`{"status":"success","x":tru}`,
	`{"status":"success",}`,
	`{"status":"success" "x":1}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{}],}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[01,"2"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[0,"2"],[0.001,"3"],[123456789012345,"4"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1234567890123456,"4"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,""]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"x"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"1e400"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1.,"1"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[-1,"1"],[1E2,"2"]]}]}}`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"é"]]}]}}`,
	`{}`, ``, `[]`, `null`, `{"status"}`, `{"status":}`, `{"status":"success"`,
	`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"2"]],"value":[3,"4"],"histogram":[5,{"count":"1","sum":"1"}]}]}}`,
}

// TestDecodeAnswerMatchesReference: the one-pass parser gives the answers
// of the encoding/json decoder it replaced, and fails where that failed,
// on the cases above, on every prefix of them, on random answers and on
// random damage to those.
func TestDecodeAnswerMatchesReference(t *testing.T) {
	for _, c := range referenceCases {
		checkAgainstReference(t, c)
		for i := range len(c) {
			checkAgainstReference(t, c[:i])
		}
	}
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 3000; i++ {
		body := randomAnswer(rng)
		checkAgainstReference(t, body)
		checkAgainstReference(t, damage(rng, body))
	}
	// Nesting: encoding/json's limit counts from each value it decoded.
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, n := range []int{9999, 10000, 10001} {
		checkAgainstReference(t, `{"status":"success","x":`+deep(n)+`}`)
		checkAgainstReference(t, `{"status":"success","data":{"resultType":"matrix","result":[{"x":`+deep(n)+`}]}}`)
		checkAgainstReference(t, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":`+deep(n)+`}}]}}`)
		checkAgainstReference(t, `{"status":"success","data":{"result":[{"x":`+deep(n)+`}],"resultType":"matrix"}}`)
	}
}

// TestDecodeAnswerMatchesReferenceCorpus replays the fuzz corpus as a
// plain test too (go test replays it for FuzzDecodeAnswer already; this
// fails loudly when the folder went missing).
func TestDecodeAnswerMatchesReferenceCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/fuzz/FuzzDecodeAnswer/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in testdata/fuzz/FuzzDecodeAnswer: %v", err)
	}
}

func randomAnswer(rng *rand.Rand) string {
	pick := func(s ...string) string { return s[rng.Intn(len(s))] }
	sp := func() string { return pick("", "", "", " ", "\n\t") }
	var b strings.Builder
	b.WriteString("{" + sp() + `"status":` + sp() + pick(`"success"`, `"success"`, `"error"`, `null`, `""`, `"su\u0063cess"`) + sp())
	if rng.Intn(4) == 0 {
		b.WriteString(`,"warnings":` + pick(`[]`, `["w"]`, `null`, `[1]`))
	}
	if rng.Intn(6) == 0 {
		b.WriteString(`,"errorType":"bad_data","error":"x"`)
	}
	typ := pick(`"matrix"`, `"matrix"`, `"vector"`, `"scalar"`, `"string"`, `null`)
	var result string
	switch typ {
	case `"scalar"`:
		result = pick(`[1,"2"]`, `[1.5,"NaN"]`, `null`, `[1]`)
	case `"string"`:
		result = pick(`[1,"x"]`, `"x"`)
	default:
		var r strings.Builder
		r.WriteString("[" + sp())
		n := rng.Intn(4)
		for s := 0; s < n; s++ {
			if s > 0 {
				r.WriteString("," + sp())
			}
			if rng.Intn(15) == 0 {
				r.WriteString("null")
				continue
			}
			var members []string
			if rng.Intn(8) != 0 {
				var m []string
				for l := rng.Intn(4); l > 0; l-- {
					m = append(m, fmt.Sprintf(`%s:%s%s`, pick(`"__name__"`, `"job"`, `"a"`, `"b"`, `"\u0062"`, `"é"`), sp(), pick(`"x"`, `"y"`, `""`, `null`, `"\"q\""`, `"}"`, `"]"`)))
				}
				members = append(members, pick(`"metric"`, `"Metric"`)+":{"+strings.Join(m, ","+sp())+"}")
			}
			if rng.Intn(3) != 0 {
				members = append(members, pick(`"values"`, `"values"`, `"VALUES"`)+":"+sp()+randomValues(rng, rng.Intn(6)))
			}
			if rng.Intn(4) == 0 {
				members = append(members, `"value":`+pick(`[1,"2"]`, `[1.25, "1e3"]`, `null`, `[1,2]`))
			}
			if rng.Intn(8) == 0 {
				members = append(members, `"extra":`+pick(`{}`, `[1,[2]]`, `"s"`, `-1e-3`))
			}
			rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
			r.WriteString("{" + strings.Join(members, ","+sp()) + "}")
		}
		r.WriteString(sp() + "]")
		result = r.String()
	}
	data := []string{`"resultType":` + typ, `"result":` + sp() + result}
	if rng.Intn(4) == 0 {
		data[0], data[1] = data[1], data[0]
	}
	if rng.Intn(4) == 0 {
		data = append(data, `"stats":{"samples":{"totalQueryableSamples":`+pick("0", "17", "-3", "1.5", `"7"`)+`}}`)
	}
	b.WriteString(`,"data":{` + strings.Join(data, ","+sp()) + "}")
	b.WriteString(sp() + "}")
	return b.String()
}

// damage changes a few bytes: deletes, duplicates, or puts a JSON
// punctuation mark or a special byte in.
func damage(rng *rand.Rand, s string) string {
	b := []byte(s)
	for n := 1 + rng.Intn(3); n > 0 && len(b) > 0; n-- {
		i := rng.Intn(len(b))
		switch rng.Intn(4) {
		case 0:
			b = append(b[:i], b[i+1:]...)
		case 1:
			b = append(b[:i+1], b[i:]...)
		default:
			c := `{}[],:"\ 0-.eE+nNul` + "\x00\x1f\x80\xff"
			b[i] = c[rng.Intn(len(c))]
		}
	}
	return string(b)
}

// FuzzDecodeAnswer: for any bytes the one-pass parser and the reference
// decoder agree (scripts/fuzz.sh runs it; its corpus is
// testdata/fuzz/FuzzDecodeAnswer).
func FuzzDecodeAnswer(f *testing.F) {
	for _, c := range referenceCases {
		f.Add(c)
	}
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 20; i++ {
		f.Add(randomAnswer(rng))
	}
	f.Fuzz(func(t *testing.T, body string) {
		if d := differsFromReference(body); d != "" {
			t.Fatal(d)
		}
	})
}
