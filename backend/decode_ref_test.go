package backend

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// refDecodeAnswer is the encoding/json decoder the one-pass parser
// replaced, kept verbatim as the reference the differential test and
// FuzzDecodeAnswer compare against: same answers, and an error exactly
// when it errs.
func refDecodeAnswer(r io.Reader) (*answer, error) {
	dec := json.NewDecoder(r)
	if err := refExpectDelim(dec, '{'); err != nil {
		return nil, err
	}
	a := &answer{}
	for dec.More() {
		key, err := refObjectKey(dec)
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
			err = refDecodeData(dec, a)
		default:
			err = refSkipValue(dec)
		}
		if err != nil {
			return nil, fmt.Errorf("%q: %w", key, err)
		}
	}
	if err := refExpectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if a.status == "" {
		return nil, errors.New("no status: not a Prometheus API answer")
	}
	return a, nil
}

func refDecodeData(dec *json.Decoder, a *answer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want an object, got %v", tok)
	}
	var pending json.RawMessage
	for dec.More() {
		key, err := refObjectKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "resultType":
			err = dec.Decode(&a.resultType)
		case "result":
			if a.resultType == "matrix" || a.resultType == "vector" {
				err = refDecodeSeriesArray(dec, a)
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
			err = refSkipValue(dec)
		}
		if err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
	}
	if err := refExpectDelim(dec, '}'); err != nil {
		return err
	}
	if pending != nil {
		return refDecodeResult(pending, a)
	}
	return nil
}

func refDecodeResult(raw json.RawMessage, a *answer) error {
	switch a.resultType {
	case "matrix", "vector":
		return refDecodeSeriesArray(json.NewDecoder(strings.NewReader(string(raw))), a)
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

func refDecodeSeriesArray(dec *json.Decoder, a *answer) error {
	if err := refExpectDelim(dec, '['); err != nil {
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
	return refExpectDelim(dec, ']')
}

func refExpectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}

func refObjectKey(dec *json.Decoder) (string, error) {
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

func refSkipValue(dec *json.Decoder) error {
	var raw json.RawMessage
	return dec.Decode(&raw)
}

// wireSeries is one element of a matrix or vector result, as the
// reference decoder reads it.
type wireSeries struct {
	Metric     labels.Labels               `json:"metric"`
	Values     sampleList                  `json:"values"`
	Value      *Sample                     `json:"value"`
	Histograms []model.SampleHistogramPair `json:"histograms"`
	Histogram  *model.SampleHistogramPair  `json:"histogram"`
}
