package history

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/slo"
)

func availability(service string) *slo.SLO {
	return &slo.SLO{Name: service + "-availability", Objective: 99.9, Window: slo.Window{Text: "7d", Duration: 7 * 24 * time.Hour},
		SLI: slo.SLI{Events: &slo.EventsSLI{Errors: `requests_total{service="` + service + `",code="500"}`, Total: `requests_total{service="` + service + `"}`}}}
}

// TestDataThatStartsLateAndNoData: a service whose counters start inside
// the range gets buckets from there on only, holding every event; one whose
// selector matches nothing gets no buckets at all (no data, not zero traffic).
func TestDataThatStartsLateAndNoData(t *testing.T) {
	to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	born := to.Add(-50*time.Hour + 17*time.Minute + 20*time.Second)
	store := memory.New()
	var ok, bad []backend.Sample
	var wantTotal, wantBad float64
	for i, ts := 0, born; ts.Before(to); i, ts = i+1, ts.Add(30*time.Second) {
		ok = append(ok, backend.Sample{T: ts.UnixMilli(), V: float64(100 + 3*i)})
		bad = append(bad, backend.Sample{T: ts.UnixMilli(), V: float64(7 + i/10)})
		if i > 0 { // the first sample of each series is its baseline
			wantTotal += 3
			if i%10 == 0 {
				wantBad++
			}
		}
	}
	wantTotal += wantBad
	store.Add(labels.FromStrings("__name__", "requests_total", "service", "late", "code", "200"), ok...)
	store.Add(labels.FromStrings("__name__", "requests_total", "service", "late", "code", "500"), bad...)
	ctx := context.Background()
	r := ForReview(to.Add(-72*time.Hour), to, 7*24*time.Hour)
	h, err := Read(ctx, store, availability("late"), r)
	if err != nil {
		t.Fatal(err)
	}
	if !h.DataFrom.Equal(born.Truncate(time.Millisecond)) {
		t.Errorf("data from %s, want %s", h.DataFrom, born)
	}
	for name, bs := range map[string][]slo.Bucket{"hourly": h.Hourly, "fine": h.Fine} {
		if len(bs) == 0 {
			t.Fatalf("no %s buckets", name)
		}
		if want := born.Truncate(FineStep); !bs[0].Start.Equal(want) || !bs[len(bs)-1].End.Equal(to) {
			t.Errorf("%s buckets cover (%s, %s], want (%s, %s]", name, bs[0].Start, bs[len(bs)-1].End, want, to)
		}
		if err := slo.CheckHistory(bs); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if sum := slo.SumHistory(bs); sum.Total != wantTotal || sum.Bad() != wantBad {
			t.Errorf("%s buckets hold %+v, want %v bad of %v", name, sum, wantBad, wantTotal)
		}
	}
	none, err := Read(ctx, store, availability("absent"), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Hourly) != 0 || len(none.Fine) != 0 || !none.DataFrom.IsZero() {
		t.Errorf("a selector without series got %d hourly and %d fine buckets, data from %s", len(none.Hourly), len(none.Fine), none.DataFrom)
	}
	if _, err := Read(ctx, store, availability("late"), Range{HourlyFrom: to.Add(-time.Hour + time.Minute), To: to}); err == nil {
		t.Error("a range off the 5m grid was accepted")
	}
}
