package slo_test

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// minuteData is 40 days of random 1-minute buckets from 25 September 2026
// (across Adelaide's change to summer time on 4 October), the hourly
// buckets they add up to, and the 5m buckets.
func minuteData() (minutes, hours, fives []slo.Bucket) {
	rng := rand.New(rand.NewSource(3))
	start := time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC)
	group := func(in []slo.Bucket, n int) []slo.Bucket {
		var out []slo.Bucket
		for i := 0; i+n <= len(in); i += n {
			b := slo.Bucket{Start: in[i].Start, End: in[i+n-1].End}
			for _, m := range in[i : i+n] {
				b.Good += m.Good
				b.Total += m.Total
			}
			out = append(out, b)
		}
		return out
	}
	for i := range 40 * 24 * 60 {
		s := start.Add(time.Duration(i) * time.Minute)
		total := float64(rng.Intn(100))
		bad := float64(rng.Intn(3))
		minutes = append(minutes, slo.Bucket{Start: s, End: s.Add(time.Minute), Counts: slo.Counts{Good: max(total-bad, 0), Total: total}})
	}
	return minutes, group(minutes, 60), group(minutes, 5)
}

// truthByLocalDay assigns each minute to the local day of its last instant.
func truthByLocalDay(minutes []slo.Bucket, loc *time.Location) (labels []string, counts map[string]slo.Counts) {
	counts = map[string]slo.Counts{}
	for _, m := range minutes {
		day := m.End.Add(-time.Nanosecond).In(loc).Format("2006-01-02")
		c, seen := counts[day]
		if !seen {
			labels = append(labels, day)
		}
		c.Good += m.Good
		c.Total += m.Total
		counts[day] = c
	}
	return labels, counts
}

func TestRefineSplicesFinerBucketsAtLocalMidnight(t *testing.T) {
	minutes, hours, fives := minuteData()
	for _, zone := range []string{"Asia/Kolkata", "Australia/Adelaide", "Asia/Kathmandu", "Europe/Berlin"} {
		loc := mustLoc(t, zone)
		days := slo.DayPeriods(loc)
		cut := slo.CutBuckets(hours, days)
		if zone == "Europe/Berlin" {
			if len(cut) != 0 {
				t.Errorf("Berlin: %d hours cut, want none", len(cut))
			}
		} else if len(cut) < 39 || len(cut) > 41 {
			t.Errorf("%s: %d hours cut in 40 days, want one a day", zone, len(cut))
		}
		// Only the 5m buckets of the cut hours are given.
		var given []slo.Bucket
		for _, f := range fives {
			for _, c := range cut {
				if !f.Start.Before(c.Start) && !f.End.After(c.End) {
					given = append(given, f)
				}
			}
		}
		refined, err := slo.Refine(hours, given, days)
		if err != nil {
			t.Fatalf("%s: %v", zone, err)
		}
		if want := len(hours) + 11*len(cut); len(refined) != want {
			t.Errorf("%s: %d buckets after refining, want %d (12 for each cut hour)", zone, len(refined), want)
		}
		got, err := slo.PeriodCompliance(&slo.SLO{Objective: 99.9}, refined, days)
		if err != nil {
			t.Fatalf("%s: %v", zone, err)
		}
		labels, truth := truthByLocalDay(minutes, loc)
		if len(got) != len(labels) {
			t.Fatalf("%s: %d days, truth %d", zone, len(got), len(labels))
		}
		for i, d := range got {
			if l := d.Start.In(loc).Format("2006-01-02"); l != labels[i] || d.Events != truth[labels[i]] {
				t.Errorf("%s: day %s %+v, truth %s %+v", zone, l, d.Events, labels[i], truth[labels[i]])
			}
		}
	}
}

func TestRefineLeavesWhatItCannotSplitAndRefusesOtherData(t *testing.T) {
	_, hours, fives := minuteData()
	kolkata := slo.DayPeriods(mustLoc(t, "Asia/Kolkata"))
	// No finer buckets: nothing changes, and the days still cannot be
	// added up, with the error saying what to do.
	same, err := slo.Refine(hours, nil, kolkata)
	if err != nil || len(same) != len(hours) {
		t.Fatalf("without finer buckets: %d buckets, %v", len(same), err)
	}
	if _, err := slo.Rebucket(same, kolkata); err == nil || !strings.Contains(err.Error(), "slo.Refine") {
		t.Errorf("unrefined Kolkata days: %v", err)
	}
	// 15-minute buckets do not put an edge at 18:30: left as they are.
	var quarters []slo.Bucket
	for i := 0; i+3 <= len(fives); i += 3 {
		b := slo.Bucket{Start: fives[i].Start.Add(5 * time.Minute), End: fives[i+2].End.Add(5 * time.Minute)}
		quarters = append(quarters, b)
	}
	if got, _ := slo.Refine(hours, quarters, kolkata); len(got) != len(hours) {
		t.Errorf("buckets without an edge at the boundary were spliced in")
	}
	// Finer buckets that add up to another count are an error.
	off := append([]slo.Bucket(nil), fives...)
	for i := range off {
		if off[i].End.UTC().Hour() == 18 && off[i].End.Minute() == 35 {
			off[i].Total++
			off[i].Good++
			break
		}
	}
	if _, err := slo.Refine(hours, off, kolkata); err == nil || !strings.Contains(err.Error(), "different data") {
		t.Errorf("mismatched finer buckets: %v", err)
	}
}

// ChartSeries splices Cuts in for the daily and monthly compliance.
func TestChartSeriesInKolkata(t *testing.T) {
	minutes, hours, fives := minuteData()
	loc := mustLoc(t, "Asia/Kolkata")
	s := &slo.SLO{Name: "x", Objective: 99.9, Window: slo.Window{Text: "30d", Duration: 30 * 24 * time.Hour}}
	pol := slo.DefaultPolicy()
	in := slo.ChartInput{Window: hours, Location: loc, PageSpans: []slo.Period{}, Incidents: []slo.Incident{}}
	if _, err := slo.ChartSeries(s, &pol, in); err == nil {
		t.Fatal("hourly buckets alone were split at Kolkata's midnight")
	}
	in.Cuts = fives
	d, err := slo.ChartSeries(s, &pol, in)
	if err != nil {
		t.Fatal(err)
	}
	labels, truth := truthByLocalDay(minutes, loc)
	if len(d.Daily) != len(labels) {
		t.Fatalf("%d days, truth %d", len(d.Daily), len(labels))
	}
	for i, day := range d.Daily {
		if day.Events != truth[labels[i]] {
			t.Errorf("day %s: %+v, truth %+v", labels[i], day.Events, truth[labels[i]])
		}
	}
	months := map[string]slo.Counts{}
	for _, m := range minutes {
		k := m.End.Add(-time.Nanosecond).In(loc).Format("2006-01")
		c := months[k]
		c.Good, c.Total = c.Good+m.Good, c.Total+m.Total
		months[k] = c
	}
	if len(d.Monthly) != len(months) {
		t.Fatalf("%d months, truth %d", len(d.Monthly), len(months))
	}
	for _, m := range d.Monthly {
		if k := m.Start.In(loc).Format("2006-01"); m.Events != months[k] {
			t.Errorf("month %s: %+v, truth %+v", k, m.Events, months[k])
		}
	}
}
