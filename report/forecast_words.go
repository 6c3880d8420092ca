package report

import (
	"math"
	"strconv"

	"github.com/slobudget/slobudget/slo"
)

// ExhaustionWords says when the budget runs out at the current pace, for
// people: "runs out in 6h 52m at the last hour's pace", "never at this pace:
// settles near 55% left", "budget exhausted". It is the one phrasing the
// report, the status page and the review share.
func ExhaustionWords(f slo.Forecast) string {
	switch {
	case f.ExhaustionSeconds <= 0:
		return "budget exhausted"
	case !math.IsInf(f.ExhaustionSeconds, 1):
		s := "runs out in " + HumanSeconds(f.ExhaustionSeconds) + " at the last hour's pace"
		if f.Calendar {
			s += ", before the period resets"
		}
		return s
	case f.Calendar:
		s := "lasts until the period resets in " + HumanSeconds(f.PeriodEnd.Sub(f.At).Seconds())
		if f.EndRemaining != nil && f.Pace != nil {
			s += " at this pace, with about " + wholePercent(*f.EndRemaining) + " left"
		}
		return s
	case f.Pace == nil:
		return "no traffic in the last hour: nothing is being spent"
	case f.Settles != nil:
		return "never at this pace: settles near " + wholePercent(*f.Settles) + " left"
	}
	return "never at this pace"
}

// RecoveryWords says when the SLO climbs back into its next better policy
// state: "freeze lifts in about 3d 4h at the current pace", "back to caution in
// about 1d 2h at the current pace", "stays frozen at this pace". It is empty for
// an SLO already in its policy's best state.
func RecoveryWords(f slo.Forecast) string {
	r := f.Recovery
	if r == nil {
		if f.NextBetter == "" {
			return ""
		}
		return "stays " + f.State + " at this pace"
	}
	what := "back to " + r.State
	if f.Freeze {
		what = "freeze lifts"
	}
	if r.AtReset {
		return what + " when the period resets in " + HumanSeconds(r.Seconds)
	}
	if r.Seconds <= 0 {
		return what + " now"
	}
	return what + " in about " + HumanSeconds(r.Seconds) + " at the current pace"
}

// wholePercent spells a ratio as a whole percent, "55%"; a value that rounds
// to zero from below is "0%", not "-0%".
func wholePercent(ratio float64) string {
	s := strconv.FormatFloat(ratio*100, 'f', 0, 64)
	if s == "-0" {
		s = "0"
	}
	return s + "%"
}
