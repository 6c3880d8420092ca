package counting

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/slo"
)

// TestFineBucketsMatchTruthAndCounter reads three days of 5m buckets of two
// counters with resets, gaps and bad samples, and checks every bucket
// against the brute-force truth, and their sum against a Counter's Count
// of the same range.
func TestFineBucketsMatchTruthAndCounter(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	end := int64(1_700_000_000_000)
	end -= end % HourMs
	from := end - 3*day
	store := memory.New()
	var truth [][]backend.Sample
	for inst := range 2 {
		var ss []backend.Sample
		v := float64(rng.Intn(50))
		for ts := from - 2*HourMs + rng.Int63n(15_000); ts <= end; ts += 15_000 + rng.Int63n(2000) - 1000 {
			if rng.Intn(300) == 0 {
				ts += 7 * 60_000 // a gap now and then, shorter than the hour looked back
			}
			v += float64(rng.Intn(20))
			if rng.Intn(500) == 0 {
				v = float64(rng.Intn(3)) // a reset
			}
			smp := backend.Sample{T: ts, V: v}
			if rng.Intn(600) == 0 {
				smp.V = []float64{math.NaN(), math.Inf(1), -3}[rng.Intn(3)]
			}
			ss = append(ss, smp)
		}
		store.Add(labels.FromStrings("__name__", "total", "instance", fmt.Sprint(inst)), ss...)
		truth = append(truth, ss)
	}
	sli := eventsSLI("absent_errors", "total")
	ctx := context.Background()
	res := 5 * time.Minute
	buckets, err := Fine(ctx, store, sli, time.UnixMilli(from), time.UnixMilli(end), res, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := int(3 * day / res.Milliseconds()); len(buckets) != want {
		t.Fatalf("%d buckets, want %d", len(buckets), want)
	}
	var sum float64
	for i, b := range buckets {
		lo, hi := b.Start.UnixMilli(), b.End.UnixMilli()
		if lo != from+int64(i)*res.Milliseconds() || hi-lo != res.Milliseconds() {
			t.Fatalf("bucket %d is (%s, %s]", i, b.Start, b.End)
		}
		var want float64
		for _, ss := range truth {
			want += truthSkippingBad(ss, lo, hi)
		}
		if b.Total != want || b.Good != want {
			t.Errorf("bucket (%s, %s]: %+v, truth %v", b.Start, b.End, b.Counts, want)
		}
		sum += b.Total
	}
	c, err := New(sli, Options{Resolution: res, Windows: []time.Duration{3 * 24 * time.Hour}, PrefetchAt: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Advance(ctx, store, time.UnixMilli(end)); err != nil {
		t.Fatal(err)
	}
	got, err := c.Count(ctx, store, time.UnixMilli(from), time.UnixMilli(end))
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != sum {
		t.Errorf("Counter counts %v over the range, the fine buckets sum to %v", got.Total, sum)
	}
}

func TestFineRejectsEdgesOffTheGrid(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_000).Truncate(time.Hour)
	if _, err := Fine(context.Background(), memory.New(), eventsSLI("e", "t"), at.Add(time.Minute), at.Add(time.Hour), 5*time.Minute, nil); err == nil {
		t.Error("an edge off the 5m grid was accepted")
	}
}

// TestFineTimeSlices: a gauge sampled every 20 s over two days, good while
// below 900; every 5m bucket holds the 1-minute slices ending in it, each
// judged on its last sample, and each equals a brute force over the samples.
func TestFineTimeSlices(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	end := int64(1_700_000_000_000)
	end -= end % HourMs
	from := end - 2*day
	store := memory.New()
	var ss []backend.Sample
	for ts := from - 2*HourMs + 7_000; ts <= end; ts += 20_000 {
		if rng.Intn(50) == 0 {
			ts += 3 * 60_000 // a gap: the slices without a sample have no data
		}
		ss = append(ss, backend.Sample{T: ts, V: float64(rng.Intn(1200))})
	}
	store.Add(labels.FromStrings("__name__", "lag"), ss...)
	sli := slo.SLI{TimeSlice: &slo.TimeSliceSLI{Query: "lag", Op: "<", Threshold: 900, Slice: time.Minute}}
	buckets, err := Fine(context.Background(), store, sli, time.UnixMilli(from), time.UnixMilli(end), 5*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Brute force: the last sample of each minute (s − 60 s, s].
	last := map[int64]float64{}
	for _, s := range ss {
		last[CeilTo(s.T, 60_000)] = s.V
	}
	for _, b := range buckets {
		var good, total float64
		for s := b.Start.UnixMilli() + 60_000; s <= b.End.UnixMilli(); s += 60_000 {
			if v, ok := last[s]; ok {
				total++
				if v < 900 {
					good++
				}
			}
		}
		if b.Good != good || b.Total != total {
			t.Fatalf("bucket (%s, %s]: %+v, truth %v good of %v", b.Start, b.End, b.Counts, good, total)
		}
	}
}

// TestFineLeavesExclusionsOut: with an agreed exclusion, the fine buckets
// hold exactly what a Counter with the same exclusion counts, and the
// excluded events are exactly the samples' increments stamped inside it.
func TestFineLeavesExclusionsOut(t *testing.T) {
	end := int64(1_700_000_000_000)
	end -= end % HourMs
	from := end - day
	store := memory.New()
	var ss []backend.Sample
	v := 0.0
	for ts := from - 2*HourMs + 7_000; ts <= end; ts += 15_000 {
		v += 3
		ss = append(ss, backend.Sample{T: ts, V: v})
	}
	store.Add(labels.FromStrings("__name__", "total"), ss...)
	ex := []Span{{From: time.UnixMilli(from + 5*HourMs + 17*60_000), To: time.UnixMilli(from + 7*HourMs + 2*60_000)}}
	var inside float64
	for i := 1; i < len(ss); i++ {
		if ss[i].T > from && ss[i].T <= end && ss[i].T >= ex[0].From.UnixMilli() && ss[i].T < ex[0].To.UnixMilli() {
			inside += ss[i].V - ss[i-1].V
		}
	}
	ctx := context.Background()
	sli := eventsSLI("absent_errors", "total")
	sum := func(excl []Span) float64 {
		buckets, err := Fine(ctx, store, sli, time.UnixMilli(from), time.UnixMilli(end), 5*time.Minute, excl)
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for _, b := range buckets {
			s += b.Counts.Total
		}
		return s
	}
	all, kept := sum(nil), sum(ex)
	if inside == 0 || all-kept != inside {
		t.Fatalf("fine buckets: %v events without the exclusion, %v with it; the samples inside it reveal %v", all, kept, inside)
	}
	c, err := New(sli, Options{Resolution: 5 * time.Minute, Windows: []time.Duration{24 * time.Hour}, PrefetchAt: -1, Exclusions: ex})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Advance(ctx, store, time.UnixMilli(end)); err != nil {
		t.Fatal(err)
	}
	got, err := c.Count(ctx, store, time.UnixMilli(from), time.UnixMilli(end))
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != kept {
		t.Fatalf("the Counter with the exclusion counts %v, the fine buckets %v", got.Total, kept)
	}
}
