package counting

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/slo"
)

// TestLentHoursStayWhatTheyWere: a window history that refers to its
// counter's hourly totals (LentHours) instead of copying them expands to
// exactly the counter's hours when it is made, and to exactly the same
// buckets ever after, while the counter goes on counting, read by another
// goroutine at the same time (run with -race): through new hours, the
// window sliding off the column's front, the column widening from 2 to 4 to
// 8 bytes an hour (hours of 65,536 events and more, then fractional ones),
// and late samples for hours still open. Both ways an SLI's good events are
// counted (good − total, total − bad) are covered.
func TestLentHoursStayWhatTheyWere(t *testing.T) {
	const res = 5 * 60_000
	end := int64(1_700_000_000_000)
	end -= end % HourMs
	start := end - 4*day
	store := memory.New()
	var total, errs []backend.Sample
	tv, ev := 0.0, 0.0
	for ts := start + 7_000; ts <= end; ts += 60_000 {
		k := (ts - start) / HourMs
		switch {
		case k < 30:
			tv += 100
		case k < 60:
			tv += 2_000 // 120,000 an hour: 4 bytes
		default:
			tv += 2_000.25 // fractions: 8 bytes
		}
		ev += float64(k % 3)
		total = append(total, backend.Sample{T: ts, V: tv})
		errs = append(errs, backend.Sample{T: ts, V: ev})
	}
	store.Add(labels.FromStrings("__name__", "total"), total...)
	store.Add(labels.FromStrings("__name__", "errors"), errs...)
	store.Add(labels.FromStrings("__name__", "good"), errs...)
	window := 24 * time.Hour
	for _, sli := range []slo.SLI{eventsSLI("errors", "total"), {Events: &slo.EventsSLI{Good: "good", Total: "total"}}} {
		c := newCounter(t, sli, window, res)
		type kept struct {
			h    *slo.HourlyHistory
			want []slo.Bucket
		}
		var mu sync.Mutex
		var histories []kept
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // reads the published histories while the counter goes on
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				hs := slices.Clone(histories)
				mu.Unlock()
				for _, k := range hs {
					_ = k.h.Buckets()
				}
			}
		}()
		ctx := context.Background()
		lentSome := false
		for at := start + day + res; at <= end; at += res {
			if err := c.Advance(ctx, store, time.UnixMilli(at)); err != nil {
				t.Fatal(err)
			}
			from := time.UnixMilli(at).Add(-window)
			hours, err := c.AppendHours(ctx, store, from, nil)
			if err != nil {
				t.Fatal(err)
			}
			h, err := slo.NewHourlyHistoryLent(hours, c.LentHours(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !sameBuckets(h.Buckets(), hours) {
				t.Fatalf("at %s: the lent history is not the counter's hours", time.UnixMilli(at).UTC())
			}
			// Every full hour but the few still open is lent.
			if n := h.Lent(); n < len(hours)-2-4 {
				t.Fatalf("at %s: %d of %d full hours lent", time.UnixMilli(at).UTC(), n, len(hours)-2)
			}
			lentSome = lentSome || h.Lent() > 0
			if (at/res)%5 == 0 {
				mu.Lock()
				histories = append(histories, kept{h, slices.Clone(hours)})
				mu.Unlock()
			}
		}
		close(stop)
		wg.Wait()
		if !lentSome {
			t.Fatal("no history lent any hour: the test shows nothing")
		}
		for _, k := range histories {
			if !sameBuckets(k.h.Buckets(), k.want) {
				t.Fatalf("a history of %s changed after the counter went on", k.h.End)
			}
		}
	}
}

func sameBuckets(a, b []slo.Bucket) bool {
	return slices.EqualFunc(a, b, func(x, y slo.Bucket) bool {
		return x.Start.Equal(y.Start) && x.End.Equal(y.End) &&
			math.Float64bits(x.Good) == math.Float64bits(y.Good) && math.Float64bits(x.Total) == math.Float64bits(y.Total)
	})
}
