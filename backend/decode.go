package backend

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// answer is a decoded query API answer.
type answer struct {
	status, errorType, errMsg string
	warnings                  []string
	resultType                string
	series                    []Series
	samplesRead               int64
}

// decodeAnswer reads a query API answer as a stream: the result's series are
// decoded one at a time, so memory holds the decoded samples and one series'
// JSON, never the whole body at once.
func decodeAnswer(r io.Reader) (*answer, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	a := &answer{}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "status":
			err = dec.Decode(&a.status)
		case "errorType":
			err = dec.Decode(&a.errorType)
		case "error":
			err = dec.Decode(&a.errMsg)
		case "warnings":
			err = dec.Decode(&a.warnings)
		case "data":
			err = decodeData(dec, a)
		default: // "infos" and whatever a backend adds
			err = skipValue(dec)
		}
		if err != nil {
			return nil, fmt.Errorf("%q: %w", key, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if a.status == "" {
		return nil, errors.New("no status: not a Prometheus API answer")
	}
	return a, nil
}

func decodeData(dec *json.Decoder, a *answer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // "data": null
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want an object, got %v", tok)
	}
	var pending json.RawMessage // a result that came before its type
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "resultType":
			err = dec.Decode(&a.resultType)
		case "result":
			if a.resultType == "matrix" || a.resultType == "vector" {
				err = decodeSeriesArray(dec, a)
			} else {
				err = dec.Decode(&pending)
			}
		case "stats":
			var st struct {
				Samples struct {
					TotalQueryableSamples int64 `json:"totalQueryableSamples"`
				} `json:"samples"`
			}
			err = dec.Decode(&st)
			a.samplesRead = st.Samples.TotalQueryableSamples
		default:
			err = skipValue(dec)
		}
		if err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if pending != nil {
		return decodeResult(pending, a)
	}
	return nil
}

// decodeResult decodes a result held in memory: scalars and strings (small),
// or series that came before the answer named their type.
func decodeResult(raw json.RawMessage, a *answer) error {
	switch a.resultType {
	case "matrix", "vector":
		return decodeSeriesArray(json.NewDecoder(strings.NewReader(string(raw))), a)
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

// wireSeries is one element of a matrix or vector result.
type wireSeries struct {
	Metric     labels.Labels               `json:"metric"`
	Values     sampleList                  `json:"values"`
	Value      *Sample                     `json:"value"`
	Histograms []model.SampleHistogramPair `json:"histograms"`
	Histogram  *model.SampleHistogramPair  `json:"histogram"`
}

func decodeSeriesArray(dec *json.Decoder, a *answer) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for dec.More() {
		var w wireSeries
		if err := dec.Decode(&w); err != nil {
			return err
		}
		s := Series{Labels: w.Metric, Floats: w.Values}
		if w.Value != nil {
			s.Floats = append(s.Floats, *w.Value)
		}
		if w.Histogram != nil {
			w.Histograms = append(w.Histograms, *w.Histogram)
		}
		for _, h := range w.Histograms {
			s.Histograms = append(s.Histograms, HistogramSample{T: int64(h.Timestamp), H: h.Histogram})
		}
		a.series = append(a.series, s)
	}
	return expectDelim(dec, ']')
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

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want an object key, got %v", tok)
	}
	return key, nil
}

func skipValue(dec *json.Decoder) error {
	var raw json.RawMessage
	return dec.Decode(&raw)
}
