package promqlparse

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// formatNumber prints a float the shortest way that parses back exactly.
func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// LeSpellings returns the ways a bucket boundary v may be spelled in an `le`
// label: Prometheus 2.x keeps what the client exposed (Go clients write "1"
// and "0.5", Java and Python clients "1.0"), while Prometheus 3.x rewrites
// every boundary to the shortest float form with ".0" on whole numbers.
// Exponent forms ("1e-05") and plain decimal forms ("0.00001") are both
// included because clients differ on which they write for very small or large
// boundaries.
func LeSpellings(v float64) []string {
	if math.IsInf(v, 1) {
		return []string{"+Inf"}
	}
	seen := map[string]bool{}
	for _, s := range []string{
		strconv.FormatFloat(v, 'g', -1, 64),
		strconv.FormatFloat(v, 'f', -1, 64),
	} {
		seen[s] = true
		if !strings.ContainsAny(s, ".eEIN") { // not already a float form, nor Inf/NaN
			seen[s+".0"] = true
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// LeMatcher returns an `le=~` matcher that matches every spelling of the
// bucket boundary v. PromQL anchors regex matchers at both ends, so a plain
// alternation of escaped spellings matches nothing but those spellings.
func LeMatcher(v float64) Matcher {
	spellings := LeSpellings(v)
	for i, s := range spellings {
		spellings[i] = regexp.QuoteMeta(s)
	}
	return Matcher{Name: "le", Op: MatchRegexp, Value: strings.Join(spellings, "|")}
}
