package review

import (
	"fmt"

	"github.com/slobudget/slobudget/slo"
)

// StandardObjectives are the objectives a suggestion picks from, loosest
// first (math.md, "Review").
var StandardObjectives = []float64{90, 95, 99, 99.5, 99.9, 99.95, 99.99}

// Verdict kinds.
const (
	Tighten = "tighten"
	Loosen  = "loosen"
	Keep    = "keep"
	// NoVerdict: the period holds no full month with traffic.
	NoVerdict = "none"
)

// Suggestion is the objective the history supports: "start with current
// performance, give yourself buffer": the highest standard objective met in
// every full month, then one step looser.
type Suggestion struct {
	// Objective in percent; nil when no full month had traffic or not even
	// the loosest standard objective was met in all of them.
	Objective *float64 `json:"objective"`
	// HighestMet is the highest standard objective met in every full month.
	HighestMet *float64 `json:"highestMet"`
	// FullMonths counts the full months with traffic that decided it.
	FullMonths int    `json:"fullMonths"`
	Sentence   string `json:"sentence"`
}

// Verdict says whether to tighten, loosen or keep the objective, and why.
type Verdict struct {
	Kind     string `json:"kind"`
	Sentence string `json:"sentence"`
}

// decided returns the full months with traffic: only they decide.
func decided(months []Month) []Month {
	var out []Month
	for _, m := range months {
		if m.Full && m.SLI != nil {
			out = append(out, m)
		}
	}
	return out
}

// meets compares a month with an objective in percent exactly.
func meets(m Month, objectivePercent float64) bool {
	num, den := (&slo.SLO{Objective: objectivePercent}).BudgetFraction()
	return m.Events.Bad()*den <= m.Events.Total*num
}

func suggest(months []Month) Suggestion {
	full := decided(months)
	s := Suggestion{FullMonths: len(full)}
	if len(full) == 0 {
		s.Sentence = "none: the period holds no full calendar month with traffic"
		return s
	}
	highest := -1
	for i, o := range StandardObjectives {
		all := true
		for _, m := range full {
			if !meets(m, o) {
				all = false
				break
			}
		}
		if all {
			highest = i
		}
	}
	if highest < 0 {
		s.Sentence = fmt.Sprintf("none: not even %s was met in %s", objText(StandardObjectives[0]), everyFull(len(full)))
		return s
	}
	hm := StandardObjectives[highest]
	s.HighestMet = &hm
	if highest == 0 {
		s.Objective = &hm
		s.Sentence = fmt.Sprintf("%s, met in %s; no standard step lies below it to leave buffer", objText(hm), everyFull(len(full)))
		return s
	}
	sug := StandardObjectives[highest-1]
	s.Objective = &sug
	s.Sentence = fmt.Sprintf("%s: %s was met in %s, and one step of buffer below it", objText(sug), objText(hm), everyFull(len(full)))
	return s
}

func everyFull(n int) string {
	if n == 1 {
		return "the one full month"
	}
	return fmt.Sprintf("every one of the %d full months", n)
}

// verdict applies math.md: tighten when every full month beat the objective
// by more than half the budget; loosen when most missed it; otherwise keep.
func verdict(f Figures, sug Suggestion) Verdict {
	full := decided(f.Months)
	obj := objText(f.ObjectivePercent)
	if len(full) == 0 {
		from := "no data"
		if f.DataFrom != nil {
			from = "data from " + f.DataFrom.UTC().Format("2006-01-02 15:04 UTC")
		}
		return Verdict{Kind: NoVerdict, Sentence: fmt.Sprintf("No verdict: the period holds no full calendar month with traffic (%s).", from)}
	}
	num, den := (&slo.SLO{Objective: f.ObjectivePercent}).BudgetFraction()
	var missed, beatByHalf int
	worst := full[0]
	for _, m := range full {
		if !meets(m, f.ObjectivePercent) {
			missed++
		}
		// Beat by more than half the budget: error ratio below B/2.
		if 2*m.Events.Bad()*den < m.Events.Total*num {
			beatByHalf++
		}
		if *m.SLI < *worst.SLI {
			worst = m
		}
	}
	n := len(full)
	worstText := fmt.Sprintf("worst %s at %s, %s of its budget spent", worst.Label, sliText(*worst.SLI, f.ObjectivePercent), pct(*worst.BudgetSpent, 0))
	supports := "No standard objective down to 90% was met in every full month."
	if sug.Objective != nil {
		supports = "The history supports " + objText(*sug.Objective) + "."
	}
	switch {
	case beatByHalf == n:
		lead := fmt.Sprintf("all %d full months", n)
		if n == 1 {
			lead = "the one full month"
		}
		return Verdict{Kind: Tighten, Sentence: fmt.Sprintf("Tighten: %s beat %s by more than half the budget (%s). %s Or keep %s and spend the margin on features.",
			lead, obj, worstText, supports, obj)}
	case 2*missed > n:
		return Verdict{Kind: Loosen, Sentence: fmt.Sprintf("Loosen: %d of %d full months missed %s (%s). %s Or keep %s and invest in reliability until it is met.",
			missed, n, obj, worstText, supports, obj)}
	}
	return Verdict{Kind: Keep, Sentence: fmt.Sprintf("Keep: %d of %d full months met %s, and not every month beat it by half the budget (%s): the objective matches what the service delivers.",
		n-missed, n, obj, worstText)}
}
