package review

import (
	"errors"
	"fmt"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// DefaultPeriod is the review's default length (--since=90d).
const DefaultPeriod = 90 * 24 * time.Hour

// Input is everything a review reads.
type Input struct {
	// The period under review is (From, To]. Both must fall on the edges
	// of every SLO's hourly and 5m buckets (the command cuts To to a whole
	// hour and asks the history reader for buckets from there).
	From, To time.Time
	// Location is the time zone of months, weeks and days; nil is UTC.
	Location *time.Location
	SLOs     []SLOInput
	// WhatIf applies to every SLO that has no WhatIf of its own.
	WhatIf *WhatIf
}

// SLOInput is one SLO's definition, policy and history. The SLO's window says
// whether it is rolling or calendar (Window.Calendar), its `incidents:` rule
// the incident threshold and merge gap, and the policy's
// postmortemBudgetShare the postmortem line.
type SLOInput struct {
	SLO    slo.SLO
	Policy slo.Policy
	// Hourly holds hourly buckets over (From − window, To]: the window
	// before the period judges the policy state of the period's first
	// hours. A history that starts later is partial coverage, and the
	// review says so.
	Hourly []slo.Bucket
	// Fine holds 5m buckets over (From − 3d, To]: the longest alert window
	// before the period, for the alerts of its first days, and the period
	// itself for incidents. Empty means no on-call load and no incidents,
	// said in the review.
	Fine []slo.Bucket
	// Cuts holds 5m buckets of the hourly buckets that a boundary of the
	// review's months or of the SLO's calendar periods falls inside (a zone
	// offset by half an hour from UTC: Asia/Kolkata's months start at 18:30
	// UTC): they are spliced into Hourly (slo.Refine) so that sums across
	// those boundaries are exact. Fine serves the same purpose where it
	// reaches. Without them such a sum is an error.
	Cuts []slo.Bucket
	// WhatIf overrides Input.WhatIf for this SLO (--slo with --what-if.*).
	WhatIf *WhatIf
}

// WhatIf is another objective or window to count the same events under.
type WhatIf struct {
	// Objective in percent (99.5); 0 keeps the SLO's.
	Objective float64
	// Window is a rolling window (28d); 0 keeps the SLO's.
	Window time.Duration
}

func (w *WhatIf) empty() bool { return w == nil || (w.Objective == 0 && w.Window == 0) }

func (in *Input) check() error {
	if !in.To.After(in.From) {
		return fmt.Errorf("review period (%s, %s] is empty", in.From.Format(time.RFC3339), in.To.Format(time.RFC3339))
	}
	if len(in.SLOs) == 0 {
		return errors.New("review has no SLOs")
	}
	seen := map[string]bool{}
	for i := range in.SLOs {
		s := &in.SLOs[i]
		if seen[s.SLO.Name] {
			return fmt.Errorf("slo %q appears twice in the review", s.SLO.Name)
		}
		seen[s.SLO.Name] = true
		if len(s.Policy.States) == 0 {
			return fmt.Errorf("slo %q: policy %q has no states", s.SLO.Name, s.Policy.Name)
		}
		if s.SLO.Window.Duration <= 0 {
			return fmt.Errorf("slo %q: no window", s.SLO.Name)
		}
		for _, w := range []*WhatIf{in.WhatIf, s.WhatIf} {
			if w == nil {
				continue
			}
			if w.Objective != 0 && (w.Objective <= 0 || w.Objective >= 100) {
				return fmt.Errorf("slo %q: what-if objective %g%% must be between 0 and 100", s.SLO.Name, w.Objective)
			}
			if w.Window != 0 && w.Window < 24*time.Hour {
				return fmt.Errorf("slo %q: what-if window %s must be at least 1d", s.SLO.Name, slo.WindowLabel(w.Window))
			}
		}
	}
	return nil
}
