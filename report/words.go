package report

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// The words every output uses for the same facts: the table, markdown and the
// status page call these, so "runs out", "over 2d 4h of 30d" and a failed
// evaluation's reason read the same on paper and on the screen.

// Thousands spells a count with comma thousands separators: 10000000 is
// "10,000,000". A fractional part (counters need not be integers) is kept as
// strconv writes it; non-finite values are spelled as strconv does.
func Thousands(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// CoverageText says over how much of the window the figures were computed:
// "2d 4h of 30d" when data covers only part of it, "" when it covers all of
// it or coverage was not measured.
func CoverageText(r slo.Result) string {
	if r.CoveredSeconds == nil || r.Coverage == nil || *r.Coverage >= 1 {
		return ""
	}
	return HumanSeconds(*r.CoveredSeconds) + " of " + r.Window
}

// RunsOut is the short forecast for a table cell: "in 7d 5h", "exhausted",
// "never" (the budget settles before it runs out) or "not burning".
func RunsOut(r slo.Result) string {
	switch e := r.ExhaustionSeconds; {
	case !r.HasNumbers():
		return "-"
	case e == nil:
		return "not burning"
	case math.IsInf(*e, 1):
		return "never"
	case *e <= 0:
		return "exhausted"
	}
	return "in " + HumanSeconds(*r.ExhaustionSeconds)
}

// Forecast phrases when the budget runs out, in words for a consequence line:
// "runs out in 6h 52m at the current pace". It is the one place these words
// come from; the rolling-window forecast changes the number behind them.
func Forecast(r slo.Result) string {
	switch e := r.ExhaustionSeconds; {
	case !r.HasNumbers():
		return ""
	case e == nil:
		return "not burning: no errors in the last hour"
	case math.IsInf(*e, 1):
		return "never runs out at the current pace"
	case *e <= 0:
		return "budget exhausted"
	}
	return "runs out in " + HumanSeconds(*r.ExhaustionSeconds) + " at the current pace"
}

// Recovery phrases when a frozen or degraded SLO climbs back into the next
// better state of its policy: "freeze lifts in about 3d 4h at the current
// pace", "back to healthy in about 2d at the current pace", or "stays frozen
// at the current pace". "" when the SLO is in its policy's best state or
// recovery was not computed.
func Recovery(r slo.Result) string {
	if !r.HasNumbers() || r.RecoverySeconds == nil {
		return ""
	}
	better := nextBetterState(r)
	if better == "" {
		return ""
	}
	s, ok := r.RecoverySeconds[better]
	if !ok || math.IsInf(s, 1) || math.IsNaN(s) {
		if r.FeatureFreeze {
			return "freeze does not lift at the current pace"
		}
		return "does not climb back to " + better + " at the current pace"
	}
	if r.FeatureFreeze {
		return "freeze lifts in about " + HumanSeconds(s) + " at the current pace"
	}
	return "back to " + better + " in about " + HumanSeconds(s) + " at the current pace"
}

// nextBetterState is the state just above the current one in the policy's
// order, "" for the first state or an unknown one.
func nextBetterState(r slo.Result) string {
	for i, name := range r.PolicyStates {
		if name == r.PolicyState && i > 0 {
			return r.PolicyStates[i-1]
		}
	}
	return ""
}

// Reason turns an evaluation error into a few words for a status cell
// ("Prometheus unreachable", "query timed out"); the full text goes to the
// detail page and the report's footnotes. Errors arrive as text (the API's
// "error" field), so this matches the phrases Go's net/http, client_golang
// and Prometheus use; anything else is "evaluation failed".
func Reason(err string) string {
	e := strings.ToLower(err)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(e, s) {
				return true
			}
		}
		return false
	}
	switch {
	case e == "":
		return ""
	case has("context deadline exceeded", "timeout", "timed out", "i/o timeout"):
		return "query timed out"
	case has("connection refused", "no such host", "network is unreachable", "connection reset", "no route to host", "dial tcp", "unexpected eof"):
		return "Prometheus unreachable"
	case has("partial response"):
		return "partial response from Prometheus"
	case has("401", "403", "unauthorized", "forbidden"):
		return "Prometheus refused access"
	case has("503", "502", "500 ", "server_error", "server error"):
		return "Prometheus server error"
	case has("bad_data", "parse error", "client_error"):
		return "query rejected by Prometheus"
	case has("no series"):
		return "SLI series missing"
	case has("good events exceed total", "nan sample", "not a finite number", "negative event count"):
		return "bad samples in the series"
	}
	return "evaluation failed"
}

// ReasonLine is Reason with the time the failures began: "Prometheus
// unreachable since 12:03 UTC". Without FailingSince it says how old the
// numbers shown are instead; "" while evaluations succeed.
func ReasonLine(r slo.Result, now time.Time) string {
	if r.Error == "" {
		return ""
	}
	reason := Reason(r.Error)
	switch {
	case !r.FailingSince.IsZero():
		return reason + " since " + ClockTime(r.FailingSince, now)
	case !r.EvaluatedAt.IsZero():
		return reason + "; numbers from " + ClockTime(r.EvaluatedAt, now)
	}
	return reason
}

// ClockTime shows a time in UTC to the minute, with the date only when it is
// not now's day: people read the clock time.
func ClockTime(t, now time.Time) string {
	t, now = t.UTC(), now.UTC()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04 UTC")
	}
	return t.Format("2006-01-02 15:04 UTC")
}
