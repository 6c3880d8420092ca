package review

import (
	"sort"
	"time"
)

// worstBurnersShown is how many SLOs the portfolio lists as worst burners.
const worstBurnersShown = 5

// Portfolio summarises every SLO of the review.
type Portfolio struct {
	SLOs int `json:"slos"`
	// Months holds, per calendar month, how many SLOs met their objective.
	Months []PortfolioMonth `json:"months"`
	// WorstBurners are the SLOs that spent the largest share of their
	// budget over the period, worst first.
	WorstBurners []Burner `json:"worstBurners"`
	// FreezeDays adds up every SLO's frozen days; FrozenSLOs counts the SLOs
	// frozen on at least one day.
	FreezeDays int `json:"freezeDays"`
	FrozenSLOs int `json:"frozenSLOs"`
}

// PortfolioMonth is one month of SLO compliance across the portfolio.
type PortfolioMonth struct {
	Month string `json:"month"`
	// Full is true when the month lies inside the period.
	Full      bool `json:"full"`
	Met       int  `json:"met"`
	Missed    int  `json:"missed"`
	NoTraffic int  `json:"noTraffic"`
	// NoData counts the SLOs whose series had no samples in the period at
	// all: not zero traffic, nothing was measured.
	NoData int `json:"noData"`
	// Compliance is Met / (Met + Missed): the "SLO compliance" leaders
	// report; nil when no SLO had traffic that month.
	Compliance *float64 `json:"compliance"`
}

// Burner is one SLO in the worst-burners list.
type Burner struct {
	Name        string  `json:"name"`
	BudgetSpent float64 `json:"budgetSpent"`
	Verdict     string  `json:"verdict"`
}

// portfolio is computed from the actual figures (never the what-if ones).
func portfolio(slos []SLOReview, from, to time.Time) Portfolio {
	p := Portfolio{SLOs: len(slos)}
	index := map[string]int{}
	for _, r := range slos {
		f := r.Actual
		p.FreezeDays += f.FrozenDays
		if f.FrozenDays > 0 {
			p.FrozenSLOs++
		}
		for _, m := range f.Months {
			i, ok := index[m.Label]
			if !ok {
				i = len(p.Months)
				index[m.Label] = i
				p.Months = append(p.Months, PortfolioMonth{Month: m.Label, Full: true})
			}
			pm := &p.Months[i]
			// Whether the month lies in the period: an SLO without data for
			// part of it does not make the month partial for the others.
			pm.Full = pm.Full && !m.Start.Before(from) && !m.End.After(to)
			switch {
			case f.DataFrom == nil:
				pm.NoData++
			case m.Met == nil:
				pm.NoTraffic++
			case *m.Met:
				pm.Met++
			default:
				pm.Missed++
			}
		}
		if f.BudgetSpent != nil {
			p.WorstBurners = append(p.WorstBurners, Burner{Name: r.Name, BudgetSpent: *f.BudgetSpent, Verdict: f.Verdict.Kind})
		}
	}
	sort.Slice(p.Months, func(i, j int) bool { return p.Months[i].Month < p.Months[j].Month })
	for i := range p.Months {
		pm := &p.Months[i]
		if n := pm.Met + pm.Missed; n > 0 {
			c := float64(pm.Met) / float64(n)
			pm.Compliance = &c
		}
	}
	sort.SliceStable(p.WorstBurners, func(i, j int) bool {
		a, b := p.WorstBurners[i], p.WorstBurners[j]
		if a.BudgetSpent != b.BudgetSpent {
			return a.BudgetSpent > b.BudgetSpent
		}
		return a.Name < b.Name
	})
	if len(p.WorstBurners) > worstBurnersShown {
		p.WorstBurners = p.WorstBurners[:worstBurnersShown]
	}
	return p
}
