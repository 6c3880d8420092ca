package slo

import (
	"encoding/json"
	"testing"
)

func TestNarrowAddsAMatcherPerGroupLabel(t *testing.T) {
	g := Group{Labels: []string{"route", "code"}, Values: []string{"/a", ""}}
	for _, c := range []struct {
		in, want SLI
	}{
		{SLI{Events: &EventsSLI{Errors: `http_requests_total{code=~"5.."}`, Total: `http_requests_total`}},
			SLI{Events: &EventsSLI{Errors: `http_requests_total{code=~"5..",route="/a",code=""}`, Total: `http_requests_total{route="/a",code=""}`}}},
		{SLI{Latency: &LatencySLI{Histogram: `rpc_seconds{job="x"}`, Threshold: 0.5}},
			SLI{Latency: &LatencySLI{Histogram: `rpc_seconds{job="x",route="/a",code=""}`, Threshold: 0.5}}},
		{SLI{Latency: &LatencySLI{NativeHistogram: `rpc_seconds`, Threshold: 0.5}},
			SLI{Latency: &LatencySLI{NativeHistogram: `rpc_seconds{route="/a",code=""}`, Threshold: 0.5}}},
		{SLI{TimeSlice: &TimeSliceSLI{Query: `lag`, Op: "<", Threshold: 9}},
			SLI{TimeSlice: &TimeSliceSLI{Query: `lag{route="/a",code=""}`, Op: "<", Threshold: 9}}},
	} {
		got, err := c.in.Narrow(g)
		if err != nil {
			t.Fatal(err)
		}
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(c.want)
		if string(gb) != string(wb) {
			t.Errorf("Narrow:\n got %s\nwant %s", gb, wb)
		}
	}
	if _, err := (SLI{Expression: &ExpressionSLI{ErrorRatio: "x"}}).Narrow(g); err == nil {
		t.Error("an expression SLI was narrowed")
	}
}

func TestInstanceKeysAndOrder(t *testing.T) {
	if got := InstanceKey("api", map[string]string{"route": "/a", "code": "200"}, []string{"route", "code"}); got != `api{route="/a",code="200"}` {
		t.Errorf("InstanceKey = %s", got)
	}
	if got := InstanceKey("api", nil, nil); got != "api" {
		t.Errorf("InstanceKey without a group = %s", got)
	}
	a := Group{Labels: []string{"route"}, Values: []string{"/a"}}
	b := Group{Labels: []string{"route"}, Values: []string{"/b"}}
	empty := Group{Labels: []string{"route"}, Values: []string{""}}
	if !a.Less(b) || b.Less(a) || !empty.Less(a) || a.Less(a) {
		t.Error("groups do not order by value")
	}
	r := Result{Name: "api", Instance: `api{route="/a/b"}`}
	if r.ID() != `api{route="/a/b"}` || r.Slug() != "api-route-a-b" {
		t.Errorf("ID %q slug %q", r.ID(), r.Slug())
	}
	if (Result{Name: "api"}).Slug() != "api" {
		t.Error("the slug of an SLO without grouping is not its name")
	}
}
