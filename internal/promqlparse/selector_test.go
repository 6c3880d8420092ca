package promqlparse

import (
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

func TestParseVectorSelectorAccepts(t *testing.T) {
	cases := []struct {
		in       string
		name     string
		matchers []Matcher
	}{
		{`up`, "up", nil},
		{`http_requests_total{service="checkout",code=~"5.."}`, "http_requests_total",
			[]Matcher{{"service", MatchEqual, "checkout"}, {"code", MatchRegexp, "5.."}}},
		{`  foo:bar_total { a != "x" , b !~ "y|z" } `, "foo:bar_total",
			[]Matcher{{"a", MatchNotEqual, "x"}, {"b", MatchNotRegexp, "y|z"}}},
		{`{__name__="jobs_total",job="batch"}`, "jobs_total", []Matcher{{"job", MatchEqual, "batch"}}},
		{`{job="batch"}`, "", []Matcher{{"job", MatchEqual, "batch"}}},
		{`x{path="a\"b\\c\n"}`, "x", []Matcher{{"path", MatchEqual, "a\"b\\c\n"}}},
		{"x{v=`raw\\d`}", "x", []Matcher{{"v", MatchEqual, `raw\d`}}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseVectorSelector(c.in)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got.Name != c.name {
				t.Errorf("name = %q, want %q", got.Name, c.name)
			}
			if len(got.Matchers) != len(c.matchers) {
				t.Fatalf("matchers = %v, want %v", got.Matchers, c.matchers)
			}
			for i := range c.matchers {
				if got.Matchers[i] != c.matchers[i] {
					t.Errorf("matcher %d = %v, want %v", i, got.Matchers[i], c.matchers[i])
				}
			}
		})
	}
}

func TestParseVectorSelectorRejects(t *testing.T) {
	cases := []struct{ in, wantErr string }{
		{``, "parse error"},
		{`foo{`, "parse error"},
		{`foo offset 5m`, "offset"},
		{`foo @ 1700000000`, "@ modifiers"},
		{`foo @ end()`, "@ modifiers"},
		{`foo[5m]`, "range selector"},
		{`rate(foo[5m])`, "call to rate()"},
		{`sum(foo)`, "aggregation with sum"},
		{`foo / bar`, "binary expression with /"},
		{`(foo)`, "parenthesized"},
		{`-foo`, "unary"},
		{`42`, "a number"},
		{`"foo"`, "a string"},
		{`foo[5m:1m]`, "subquery"},
		{`{"foo.bar"="x"}`, "not valid in Prometheus 2.x"},
		{`foo{"a.b"="x"}`, "not valid in Prometheus 2.x"},
		{`{__name__=~"foo|bar"}`, ""}, // accepted: no literal name, see below
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := ParseVectorSelector(c.in)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %q, want an error containing %q", c.in, c.wantErr)
			}
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %q does not contain %q", err, c.wantErr)
			}
		})
	}
}

// The printed selector must parse, with the real parser, to exactly the
// matchers of the original.
func TestSelectorStringRoundTrip(t *testing.T) {
	for _, in := range []string{
		`up`,
		`{job="x"}`,
		`http_requests_total{service="checkout",code=~"5.."}`,
		`x{a="tab\there",b="quote\"back\\slash",c="ünïcode",d="\x00"}`,
		"x{re=~`5\\d\\d|4\\.0`}",
		`{__name__="a",b!="c"}`,
	} {
		sel, err := ParseVectorSelector(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		printed := sel.String()
		assertSameMatchers(t, in, printed)
	}
}

// assertSameMatchers compares two selectors by what the Prometheus parser
// makes of them, independently of this package's code.
func assertSameMatchers(t *testing.T, a, b string) {
	t.Helper()
	ma, err := parser.ParseMetricSelector(a)
	if err != nil {
		t.Fatalf("parse %s: %v", a, err)
	}
	mb, err := parser.ParseMetricSelector(b)
	if err != nil {
		t.Fatalf("printed selector %s does not parse: %v", b, err)
	}
	if got, want := canon(mb), canon(ma); got != want {
		t.Fatalf("printed %s means %s, original %s means %s", b, got, a, want)
	}
}

func canon(ms []*labels.Matcher) string {
	s := make([]string, 0, len(ms))
	for _, m := range ms {
		s = append(s, m.String())
	}
	// Order does not change a selector's meaning.
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return strings.Join(s, ",")
}

func TestWithSuffixAndMatcher(t *testing.T) {
	sel, err := ParseVectorSelector(`http_request_duration_seconds{service="checkout"}`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sel.WithSuffix("_bucket")
	if err != nil {
		t.Fatal(err)
	}
	b = b.WithMatcher(Matcher{Name: "le", Op: MatchEqual, Value: "0.5"})
	assertSameMatchers(t, `http_request_duration_seconds_bucket{le="0.5",service="checkout"}`, b.String())
	// The original must be untouched by either call.
	assertSameMatchers(t, `http_request_duration_seconds{service="checkout"}`, sel.String())

	noName, err := ParseVectorSelector(`{job="x"}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noName.WithSuffix("_count"); err == nil {
		t.Fatal("WithSuffix on a nameless selector succeeded")
	}
	if !sel.HasMatcherOn("service") || sel.HasMatcherOn("le") {
		t.Fatal("HasMatcherOn is wrong")
	}
}

// Appending to the result of WithMatcher must never write into the backing
// array of the selector it came from.
func TestWithMatcherDoesNotAlias(t *testing.T) {
	base := Selector{Name: "x", Matchers: make([]Matcher, 1, 10)}
	base.Matchers[0] = Matcher{"a", MatchEqual, "1"}
	one := base.WithMatcher(Matcher{"b", MatchEqual, "2"})
	two := base.WithMatcher(Matcher{"c", MatchEqual, "3"})
	if one.Matchers[1].Name != "b" || two.Matchers[1].Name != "c" {
		t.Fatalf("aliasing: %v %v", one, two)
	}
}

func FuzzParseVectorSelector(f *testing.F) {
	for _, s := range []string{`up`, `a{b="c"}`, `{__name__="x"}`, `x{y=~"a|b"}`, `x offset 1m`, `rate(x[1m])`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sel, err := ParseVectorSelector(in)
		if err != nil {
			return
		}
		again, err := ParseVectorSelector(sel.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", in, sel.String(), err)
		}
		if again.String() != sel.String() {
			t.Fatalf("%q: print is not stable: %q then %q", in, sel.String(), again.String())
		}
	})
}

func TestUnaggregatedSelectors(t *testing.T) {
	for expr, want := range map[string]string{
		`max by (slo) (a{x="1"})`:              ``,
		`a + max(b)`:                           `a`,
		`2 * max(a) < +Inf`:                    ``,
		`sum(rate(a[5m])) / b`:                 `b`,
		`max by (state) (a == 1) or vector(0)`: ``,
	} {
		got, err := UnaggregatedSelectors(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: %q, want %q", expr, got, want)
		}
	}
}
