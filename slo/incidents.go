package slo

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// incidentBurnWindow is the window whose burn rate defines a spell. The
// other defaults are the config's: the merge gap (defaultMergeGap, 30m) and
// the postmortem share (DefaultPostmortemBudgetShare, 0.20).
const incidentBurnWindow = 5 * time.Minute

// DefaultIncidentThreshold is the burn rate over 5 minutes above which an SLO
// is in an incident when nothing else is configured: the page factor of the
// 1h/5m alert pair for the SLO window (14.4 for 30 days), so that an incident
// is what would have paged had it lasted an hour.
func DefaultIncidentThreshold(window time.Duration) float64 {
	for _, p := range AlertPairs(window) {
		if p.Severity == "page" && p.Short == incidentBurnWindow {
			return p.Factor
		}
	}
	panic("no 1h/5m page pair in AlertPairs")
}

// IncidentOptionsFor returns the SLO's configured incident rule (its
// `incidents:` burn rate and merge gap) and its policy's postmortem share;
// WindowTotal is left for the caller.
func IncidentOptionsFor(s *SLO, p *Policy) IncidentOptions {
	o := IncidentOptions{Threshold: s.Incidents.BurnRate, MergeGap: s.Incidents.MergeGap}
	if p != nil {
		o.PostmortemShare = p.PostmortemBudgetShare
	}
	return o
}

// IncidentOptions tunes DetectIncidents; zero values take the defaults.
type IncidentOptions struct {
	// Threshold is the 5m burn rate a spell must exceed; 0 means
	// DefaultIncidentThreshold of the SLO window.
	Threshold float64
	// MergeGap joins spells whose gap (from the end of one to the start of
	// the next) is shorter than it; 0 means 30 minutes.
	MergeGap time.Duration
	// PostmortemShare is the share of the window's budget above which an
	// incident needs a postmortem; 0 means 0.20.
	PostmortemShare float64
	// WindowTotal returns the total events of the SLO window an incident
	// ending at end is measured against (the daemon: the current window's
	// total; the review: the rolling window that ends with the incident).
	// Nil means the total of the buckets given.
	WindowTotal func(end time.Time) float64
}

// Incident is a stretch of time in which the SLO burned its budget faster
// than the incident threshold (math.md, "Review").
//
// Which events belong to it: every 5m window whose burn rate exceeded the
// threshold is hot (one evaluated at each bucket end, from the buckets in
// (end − 5m, end]; a window without traffic has no burn rate and is not hot).
// A spell is a stretch of time covered without a break by hot windows; spells
// less than MergeGap apart are one incident, which then also holds the quieter
// stretch between them. The incident runs over (Start, End] and its events are
// exactly those of the buckets in (Start, End], where Start is the start of
// its first hot window (or the history's start) and End the end of its last.
type Incident struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Events are the good and total events in (Start, End].
	Events Counts `json:"events"`
	// BudgetConsumed is Events.Bad() / (error budget × window total): the
	// share of the window's budget the incident used.
	BudgetConsumed float64 `json:"budgetConsumed"`
	// PeakBurn is the highest 5m burn rate within the incident.
	PeakBurn float64 `json:"peakBurn"`
	// Postmortem is true when BudgetConsumed exceeds the postmortem share.
	Postmortem bool `json:"postmortem"`
	// Active is true when the incident reaches the last bucket: its latest
	// 5m window is still hot.
	Active bool `json:"active"`
}

// Duration returns the incident's length.
func (i Incident) Duration() time.Duration { return i.End.Sub(i.Start) }

// DetectIncidents finds the incidents in fine buckets (5m or the evaluation
// step). Every bucket must be at most 5 minutes long, with edges on every 5m
// step back from each bucket end (5m buckets, or a step that divides 5m).
func DetectIncidents(s *SLO, fine []Bucket, o IncidentOptions) ([]Incident, error) {
	return DetectIncidentsWith(s, fine, o, nil)
}

// IncidentScratch holds the working buffers of incident detection (the
// prefix sums of the fine buckets: about 48 bytes a bucket, 415 kB for a
// 30-day window of 5m buckets), for a caller that detects again and again.
// The zero value is ready. A scratch serves one detection at a time; the
// incidents found keep nothing of it.
type IncidentScratch struct{ x HistoryIndex }

// DetectIncidentsWith is DetectIncidents working in sc's buffers (nil:
// fresh ones). The incidents are the same to the bit.
func DetectIncidentsWith(s *SLO, fine []Bucket, o IncidentOptions, sc *IncidentScratch) ([]Incident, error) {
	if sc == nil {
		sc = &IncidentScratch{}
	}
	num, den := budgetFraction(s.Objective)
	if num <= 0 || num > den {
		return nil, fmt.Errorf("objective %g%% leaves no error budget", s.Objective)
	}
	o = o.withDefaults(s.Window.Duration, fine)
	if o.Threshold <= 0 || math.IsNaN(o.Threshold) {
		return nil, fmt.Errorf("incident threshold %g must be a positive burn rate", o.Threshold)
	}
	x := &sc.x
	if err := x.reset(fine); err != nil {
		return nil, err
	}
	if x.Empty() {
		return nil, nil
	}

	// Hot windows, merged into spells as they come.
	type spell struct {
		start, end time.Time
		peak       float64
	}
	var spells []spell
	fiveMinutes := x.cursor(incidentBurnWindow)
	for i, b := range fine {
		if b.Span() > incidentBurnWindow {
			return nil, fmt.Errorf("incident detection needs buckets of at most 5m; bucket %d (%s, %s] is %s",
				i, stamp(b.Start), stamp(b.End), b.Span())
		}
		from := b.End.Add(-incidentBurnWindow)
		c, err := fiveMinutes.at(i + 1)
		if err != nil {
			return nil, fmt.Errorf("5m burn at %s: %w", stamp(b.End), err)
		}
		if c.Total <= 0 {
			continue
		}
		burn := burnRate(c.Bad(), c.Total, num, den)
		if burn <= o.Threshold {
			continue
		}
		if from.Before(x.Start()) {
			from = x.Start()
		}
		if n := len(spells); n > 0 && !from.After(spells[n-1].end) {
			spells[n-1].end = b.End
			spells[n-1].peak = math.Max(spells[n-1].peak, burn)
			continue
		}
		spells = append(spells, spell{start: from, end: b.End, peak: burn})
	}

	var out []Incident
	for _, sp := range spells {
		if n := len(out); n > 0 && sp.start.Sub(out[n-1].End) < o.MergeGap {
			out[n-1].End = sp.end
			out[n-1].PeakBurn = math.Max(out[n-1].PeakBurn, sp.peak)
			continue
		}
		out = append(out, Incident{Start: sp.start, End: sp.end, PeakBurn: sp.peak})
	}
	for i := range out {
		inc := &out[i]
		var err error
		if inc.Events, err = x.Sum(inc.Start, inc.End); err != nil {
			return nil, err
		}
		windowTotal := o.WindowTotal(inc.End)
		if windowTotal > 0 {
			inc.BudgetConsumed = inc.Events.Bad() * den / (windowTotal * num)
		} else if inc.Events.Bad() > 0 {
			return nil, errors.New("incident window total is 0 while the incident has bad events: WindowTotal must cover the incident")
		}
		inc.Postmortem = inc.BudgetConsumed > o.PostmortemShare
		inc.Active = inc.End.Equal(x.End())
	}
	return out, nil
}

func (o IncidentOptions) withDefaults(window time.Duration, fine []Bucket) IncidentOptions {
	if o.Threshold == 0 {
		o.Threshold = DefaultIncidentThreshold(window)
	}
	if o.MergeGap == 0 {
		o.MergeGap = defaultMergeGap
	}
	if o.PostmortemShare == 0 {
		o.PostmortemShare = DefaultPostmortemBudgetShare
	}
	if o.WindowTotal == nil {
		total := SumHistory(fine).Total
		o.WindowTotal = func(time.Time) float64 { return total }
	}
	return o
}
