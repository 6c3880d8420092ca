package slo

import (
	"reflect"
	"strings"
	"testing"
)

// Sloth's CRD spells the events queries and alerts in camelCase
// (errorQuery, totalQuery, pageAlert, ticketAlert), its prometheus/v1 files
// in snake_case: both read to the same SLO; both spellings at once are an
// error with the line.
func TestSlothCRDSpellings(t *testing.T) {
	doc := func(errKey, totalKey, pageKey string) string {
		return `apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: x}
spec:
  service: api
  slos:
    - name: availability
      objective: 99.9
      sli:
        events:
          ` + errKey + `: sum(rate(http_requests_total{code="500"}[{{.window}}]))
          ` + totalKey + `: sum(rate(http_requests_total[{{.window}}]))
      alerting:
        ` + pageKey + `:
          disable: true
`
	}
	snake, err := Parse("snake.yml", []byte(doc("error_query", "total_query", "page_alert")))
	if err != nil {
		t.Fatal(err)
	}
	camel, err := Parse("camel.yml", []byte(doc("errorQuery", "totalQuery", "pageAlert")))
	if err != nil {
		t.Fatal(err)
	}
	a, b := snake.SLOs[0], camel.SLOs[0]
	if !reflect.DeepEqual(a.SLI, b.SLI) || !reflect.DeepEqual(a.Alerting, b.Alerting) || !b.Alerting.PageDisabled {
		t.Errorf("camelCase %+v %+v, snake_case %+v %+v", b.SLI.Events, b.Alerting, a.SLI.Events, a.Alerting)
	}
	both := strings.Replace(doc("error_query", "total_query", "page_alert"), "          total_query:", "          errorQuery: sum(rate(x[{{.window}}]))\n          total_query:", 1)
	_, err = Parse("both.yml", []byte(both))
	if err == nil || !strings.Contains(err.Error(), "both.yml:12:") || !strings.Contains(err.Error(), "both error_query and errorQuery are given") {
		t.Errorf("both spellings: %v", err)
	}
}
