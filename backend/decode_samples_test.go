package backend

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// randomValues writes a values array with the spellings Prometheus and
// other backends use: integers, decimals, exponents, NaN, ±Inf, whole and
// fractional seconds, and random whitespace.
func randomValues(rng *rand.Rand, n int) string {
	var b strings.Builder
	sp := func() string { return []string{"", "", " ", "\n  "}[rng.Intn(4)] }
	b.WriteString("[" + sp())
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("," + sp())
		}
		ts := []string{"1700000000", "1700000000.5", "1700000000.123", "1700000000.1234", "-12.25", "1e3"}[rng.Intn(6)]
		v := []string{"0", "12345", "1.5", "1e+21", "9.09090909090909E-02", "NaN", "+Inf", "-Inf", "-3", fmt.Sprint(rng.Float64())}[rng.Intn(10)]
		fmt.Fprintf(&b, "[%s%s,%s%q%s]", sp(), ts, sp(), v, sp())
	}
	b.WriteString(sp() + "]")
	return b.String()
}

// TestSampleListDecodesAsEachSample: the hand-written array decoder gives
// exactly the samples of decoding each pair with Sample.UnmarshalJSON, and
// refuses what that refuses.
func TestSampleListDecodesAsEachSample(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 500; i++ {
		raw := randomValues(rng, rng.Intn(20))
		var got sampleList
		var want []Sample
		errGot := json.Unmarshal([]byte(raw), &got)
		errWant := json.Unmarshal([]byte(raw), &want)
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("%s: errors %v, %v", raw, errGot, errWant)
		}
		if errGot != nil || (len(got) == 0 && len(want) == 0) {
			continue
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d samples, want %d", raw, len(got), len(want))
		}
		for j := range got {
			g, w := got[j], want[j]
			if g.T != w.T || math.Float64bits(g.V) != math.Float64bits(w.V) {
				t.Fatalf("%s: sample %d = %+v, want %+v", raw, j, g, w)
			}
		}
	}
	for _, bad := range []string{`[[1,2]]`, `[[1,"x"]]`, `[[1,"2"],]`, `[[1,"2"] [3,"4"]]`, `[1]`, `{}`, `[["a","1"]]`} {
		var l sampleList
		if err := json.Unmarshal([]byte(bad), &l); err == nil {
			t.Errorf("%s accepted as %v", bad, l)
		}
	}
	var l sampleList
	if err := json.Unmarshal([]byte(`null`), &l); err != nil || l != nil {
		t.Errorf("null: %v, %v", l, err)
	}
	if !reflect.DeepEqual(decodeOne(t, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"2"],[3.5,"NaN"]]}]}}`)[0].Floats[0], Sample{T: 1000, V: 2}) {
		t.Error("a matrix answer decodes differently")
	}
}

func decodeOne(t *testing.T, body string) []Series {
	t.Helper()
	a, err := decodeAnswer(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return a.series
}

// BenchmarkDecodeMatrix decodes an answer of 500 series of 240 samples
// (a joined read of four hours at a 1m scrape).
func BenchmarkDecodeMatrix(b *testing.B) {
	body := matrixBody(500, 240)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := decodeAnswer(strings.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeMatrixReference decodes the same answer with the
// encoding/json decoder the one-pass parser replaced (decode_ref_test.go,
// kept as the differential test's reference): the comparison in
// docs/benchmarks.md.
func BenchmarkDecodeMatrixReference(b *testing.B) {
	body := matrixBody(500, 240)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := refDecodeAnswer(strings.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// matrixBody is a matrix answer of n series of m samples each.
func matrixBody(n, m int) string {
	var sb strings.Builder
	sb.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[`)
	for s := 0; s < n; s++ {
		if s > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"metric":{"__name__":"http_requests_total","service":"svc%d","code":"200","instance":"a"},"values":[`, s)
		for i := 0; i < m; i++ {
			if i > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, `[%d,"%d"]`, 1700000000+60*i, 1000+i*37)
		}
		sb.WriteString("]}")
	}
	sb.WriteString("]}}")
	return sb.String()
}
