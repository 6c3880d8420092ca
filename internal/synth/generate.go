// Package synth generates a month of 1-minute counter data (and gauges for
// time-slice SLIs) for SLO scenarios
// whose answers it knows exactly, writes it as OpenMetrics for promtool's
// backfill (or as TSDB blocks for scale tests), writes the matching slobudget
// config, and gives the expected numbers.
//
// The truth is the list of events the generator created, per series and
// minute. Truth counts the events visible in samples inside (from, to] from
// that list alone; Expected feeds those counts to the pure slo.Evaluate. No
// Prometheus counting logic (increase, resets, lookback) is involved, so a
// mistake there cannot hide in both the daemon and its test.
package synth

import (
	"fmt"
	"hash/fnv"
	"math/rand"
	"time"
)

// Options for Generate.
type Options struct {
	// Now is the evaluation instant the scenarios are placed around. The
	// data ends one to two minutes before it, on the minute grid. Pick an
	// instant off the grid (e.g. hh:mm:30) so that no window edge falls on a
	// sample and Prometheus 2 and 3 select the same samples.
	Now time.Time
	// Days of data; at least 31 so that counters start a day before the
	// longest (30d) window. Default 31.
	Days int
	// Seed makes the traffic reproducible. Default 1.
	Seed int64
}

// Data is one generated data set.
type Data struct {
	Now time.Time
	// Start and End are the first and last sample instants.
	Start, End time.Time
	Scenarios  []*Scenario
	seed       int64
}

// Scenario is one service with its series and SLOs.
type Scenario struct {
	// Name is also the value of the service label.
	Name string
	// About says what the scenario exercises and what should happen.
	About  string
	SLOs   []SLOSpec
	Series []*Series
	// Gauges are the scenario's gauge series, for time-slice SLIs.
	Gauges []*Gauge
}

// Generate builds all scenarios.
func Generate(opt Options) (*Data, error) {
	if opt.Now.IsZero() {
		return nil, fmt.Errorf("synth: Options.Now is required (the evaluation instant)")
	}
	if opt.Days == 0 {
		opt.Days = 31
	}
	if opt.Days < 31 {
		return nil, fmt.Errorf("synth: %d days of data is too short: counters must start before the 30d windows begin; use 31 or more", opt.Days)
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	now := opt.Now.UTC()
	end := now.Add(-time.Minute).Truncate(time.Minute)
	d := &Data{
		Now:   now,
		End:   end,
		Start: end.Add(-time.Duration(opt.Days) * 24 * time.Hour),
		seed:  opt.Seed,
	}
	for _, build := range scenarioBuilders {
		sc, err := build(d)
		if err != nil {
			return nil, err
		}
		for _, s := range sc.Series {
			if err := s.validate(); err != nil {
				return nil, fmt.Errorf("synth: scenario %s: %s: %w", sc.Name, s.Selector(), err)
			}
			s.finish()
		}
		d.Scenarios = append(d.Scenarios, sc)
	}
	return d, nil
}

// Scenario returns the scenario with the given name, or nil.
func (d *Data) Scenario(name string) *Scenario {
	for _, sc := range d.Scenarios {
		if sc.Name == name {
			return sc
		}
	}
	return nil
}

// Truth is the exact number of events of one stream ("total", "errors",
// "good") of a scenario shown by samples with timestamps in (from, to],
// summed over the stream's series. Events during a scrape gap count for the
// first sample after it; a series' first sample is its baseline and counts
// nothing. It panics on an unknown scenario or stream: that is a bug in the
// test calling it, not a data condition.
func (d *Data) Truth(scenario, stream string, from, to time.Time) int64 {
	sc := d.Scenario(scenario)
	if sc == nil {
		panic(fmt.Sprintf("synth.Truth: no scenario %q", scenario))
	}
	var n int64
	found := false
	for _, s := range sc.Series {
		if s.hasStream(stream) {
			found = true
			n += s.Visible(from, to)
		}
	}
	if !found {
		panic(fmt.Sprintf("synth.Truth: scenario %q has no stream %q", scenario, stream))
	}
	return n
}

// AllSeries returns every series of every scenario.
func (d *Data) AllSeries() []*Series {
	var out []*Series
	for _, sc := range d.Scenarios {
		out = append(out, sc.Series...)
	}
	return out
}

// samples is the number of grid points from Start to End.
func (d *Data) samples() int { return int(d.End.Sub(d.Start)/time.Minute) + 1 }

// rng gives each scenario its own stream, so adding or changing one
// scenario leaves the others' traffic unchanged.
func (d *Data) rng(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewSource(d.seed ^ int64(h.Sum64())))
}

// index of the last grid point at or before t, clamped to the data.
func (d *Data) index(t time.Time) int {
	if t.Before(d.Start) {
		return 0
	}
	i := int(t.Sub(d.Start) / time.Minute)
	if n := d.samples(); i >= n {
		return n - 1
	}
	return i
}

// validate rejects series Prometheus could not count exactly, so a
// scenario mistake shows up here and not as a puzzling e2e mismatch.
func (s *Series) validate() error {
	if s.baseline <= 0 {
		return fmt.Errorf("baseline %d: counters must start above zero", s.baseline)
	}
	v := s.baseline
	for i := 1; i < len(s.events); i++ {
		if s.events[i] < 0 {
			return fmt.Errorf("negative events at sample %d", i)
		}
		if i > s.last && s.events[i] != 0 {
			return fmt.Errorf("events after the series vanished (sample %d)", i)
		}
		if s.resetAfter[i-1] {
			if s.missing[i-1] || s.missing[i] {
				return fmt.Errorf("reset after sample %d touches a scrape gap: events before it would be lost", i-1)
			}
			if s.events[i] >= v {
				return fmt.Errorf("reset after sample %d is invisible: the value after it (%d) is not below %d", i-1, s.events[i], v)
			}
			v = 0
		}
		v += s.events[i]
	}
	if s.missing[0] || s.missing[s.last] {
		return fmt.Errorf("the first and last samples must be written")
	}
	return nil
}
