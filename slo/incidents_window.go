package slo

import (
	"errors"
	"fmt"
	"time"
)

// IncidentGrid is the bucket length the daemon keeps for incident detection:
// the burn window of an incident (5m), so that every bucket end is also the
// end of one 5m burn window.
const IncidentGrid = incidentBurnWindow

// WindowIncidents is what the daemon knows of the incidents of the current
// SLO window: the incidents found in the 5m buckets of (KnownFrom, Until],
// with the rule they were found by. Their budget shares are measured
// against the current window's total, so they move as the window slides.
type WindowIncidents struct {
	// WindowStart is the start of the SLO window the incidents belong to.
	WindowStart time.Time `json:"windowStart"`
	// KnownFrom is where the 5m buckets read start: the first 5m edge at
	// or after WindowStart once the window's past has been read, later
	// while the daemon is still reading it (after a start or a reload);
	// Complete says which.
	KnownFrom time.Time `json:"knownFrom"`
	// Until is the end of the last complete 5m bucket: an incident is seen
	// at the end of the first 5m bucket in which it burned hot.
	Until time.Time `json:"until"`
	// Complete is true when the buckets cover the whole window (from the
	// first 5m edge in it).
	Complete bool `json:"complete"`
	// Threshold is the 5m burn rate above which a spell is hot, MergeGap
	// the gap under which spells merge, PostmortemShare the budget share
	// above which an incident needs a postmortem.
	Threshold       float64 `json:"threshold"`
	MergeGapSeconds float64 `json:"mergeGapSeconds"`
	PostmortemShare float64 `json:"postmortemShare"`
	// AdjustedBuckets counts the 5m buckets whose counts disagreed (more
	// bad than total events, or more good than total) and were counted as
	// all bad or all good for detection (engine: consistent).
	AdjustedBuckets int `json:"adjustedBuckets,omitempty"`
	// Incidents are oldest first.
	Incidents []Incident `json:"incidents"`
}

// ResolvedIncidentOptions returns o with its defaults filled in for an SLO
// window of the given length, keeping WindowTotal as given: the rule that
// DetectIncidents applies, for outputs that state it.
func ResolvedIncidentOptions(o IncidentOptions, window time.Duration) IncidentOptions {
	total := o.WindowTotal
	o = o.withDefaults(window, nil)
	o.WindowTotal = total
	return o
}

// Active reports whether an incident is in progress: the last one reaches
// the last complete 5m bucket.
func (w *WindowIncidents) Active() bool {
	last, ok := w.Latest()
	return ok && last.Active
}

// Latest returns the current or, when none is in progress, the last incident
// of the window.
func (w *WindowIncidents) Latest() (Incident, bool) {
	if w == nil || len(w.Incidents) == 0 {
		return Incident{}, false
	}
	return w.Incidents[len(w.Incidents)-1], true
}

// PostmortemRequired reports whether an incident of the window consumed more
// than the postmortem share of the budget.
func (w *WindowIncidents) PostmortemRequired() bool {
	if w == nil {
		return false
	}
	for _, inc := range w.Incidents {
		if inc.Postmortem {
			return true
		}
	}
	return false
}

// Postmortems returns how many incidents of the window need a postmortem.
func (w *WindowIncidents) Postmortems() int {
	n := 0
	if w != nil {
		for _, inc := range w.Incidents {
			if inc.Postmortem {
				n++
			}
		}
	}
	return n
}

// ScoreIncidents sets each incident's budget share and postmortem flag
// against windowTotal, as DetectIncidents does: the daemon finds incidents
// only when its 5m buckets change and scores them against the window's
// total at every evaluation. A zero postmortemShare means the default.
func ScoreIncidents(s *SLO, incs []Incident, windowTotal, postmortemShare float64) error {
	num, den := budgetFraction(s.Objective)
	if num <= 0 || num > den {
		return fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	if postmortemShare == 0 {
		postmortemShare = DefaultPostmortemBudgetShare
	}
	for i := range incs {
		inc := &incs[i]
		inc.BudgetConsumed = 0
		if windowTotal > 0 {
			inc.BudgetConsumed = inc.Events.Bad() * den / (windowTotal * num)
		} else if inc.Events.Bad() > 0 {
			return errors.New("window total is 0 while an incident has bad events")
		}
		inc.Postmortem = inc.BudgetConsumed > postmortemShare
	}
	return nil
}
