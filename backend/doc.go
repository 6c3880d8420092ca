// Package backend is slobudget's one client for Prometheus-compatible query
// APIs (Prometheus, Thanos Query, Mimir, Cortex, VictoriaMetrics) and the
// typed seam the counting code reads through.
//
// The seam is Source: raw samples of a selector in a half-open interval
// (from, to]. Every implementation answers by that one rule, whatever its
// backend does at the range's edge (Prometheus 2.x includes a sample exactly
// at the start of a range selector, 3.x and VictoriaMetrics do not). A
// source may also be an HourlySource, which computes completed hours' counter
// increases itself so that start-up does not move 30 days of raw samples.
//
// Where things live:
//   - series.go: the Series and Sample types of the seam.
//   - outcome.go: how a failed query is classified, and the one rule for
//     partial responses and warnings.
//   - prometheus.go, request.go, decode.go: the HTTP client (http_config,
//     tenant headers, timeouts, a concurrency limit, an answer size cap,
//     streaming decoding).
//   - decode_parse.go, decode_samples.go: the one-pass parser of answers,
//     checked against the encoding/json decoder it replaced
//     (decode_ref_test.go) by a differential test and FuzzDecodeAnswer.
//   - hourly.go: the PromQL queries behind HourlyIncreases.
//   - redact.go: the backend URL as it may appear in logs and errors.
//   - memory/: an in-memory Source for tests.
//
// Backend quirks get a file of their own next to these (for example
// VictoriaMetrics' staleness markers or Thanos' partial_response parameter),
// so that the rule each one normalises is written down once.
package backend
