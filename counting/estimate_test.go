package counting

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// ratioBackend answers `ratio_rate<RANGE>` the way a Prometheus with such
// recording rules would: hourRatio at full hours for a 1h range, and
// directRatio(range) for the ranges asked at the instant. It records what
// it was asked.
type ratioBackend struct {
	hourRatio   func(end int64) (float64, bool)
	directRatio func(rng time.Duration) float64
	series      int // series per answer (1 unless testing the refusal)
	asked       []string
}

func (b *ratioBackend) Samples(context.Context, string, time.Time, time.Time) ([]backend.Series, error) {
	return nil, fmt.Errorf("an estimate must not read raw samples")
}

func (b *ratioBackend) rng(expr string) time.Duration {
	d, err := model.ParseDuration(strings.TrimPrefix(expr, "ratio_rate"))
	if err != nil {
		panic(expr)
	}
	return time.Duration(d)
}

func (b *ratioBackend) answer(points []backend.Sample) []backend.Series {
	var out []backend.Series
	for i := range max(b.series, 1) {
		out = append(out, backend.Series{Labels: labels.FromStrings("i", fmt.Sprint(i)), Floats: points})
	}
	return out
}

func (b *ratioBackend) Query(_ context.Context, expr string, at time.Time) ([]backend.Series, error) {
	b.asked = append(b.asked, fmt.Sprintf("query %s @%s", expr, at.UTC().Format("15:04:05")))
	return b.answer([]backend.Sample{{T: at.UnixMilli(), V: b.directRatio(b.rng(expr))}}), nil
}

func (b *ratioBackend) QueryRange(_ context.Context, expr string, start, end time.Time, step time.Duration) ([]backend.Series, error) {
	b.asked = append(b.asked, fmt.Sprintf("range %s %s..%s step %s", expr, start.UTC().Format("01-02 15:04"), end.UTC().Format("01-02 15:04"), step))
	if b.rng(expr) != time.Hour || step != time.Hour {
		return nil, fmt.Errorf("hours must be evaluated with 1h ranges at 1h steps")
	}
	var pts []backend.Sample
	for t := start.UnixMilli(); t <= end.UnixMilli(); t += step.Milliseconds() {
		if v, ok := b.hourRatio(t); ok {
			pts = append(pts, backend.Sample{T: t, V: v})
		}
	}
	return b.answer(pts), nil
}

// TestEstimateWeighsSecondsByTheErrorRatio checks the estimate's arithmetic
// against its definition, computed here from the ratios the backend gives:
// a short window is its own direct ratio × its seconds; a long window sums
// whole hours (ratio × 3600 s), the hour its lower edge cuts pro rata and
// the open part of the current hour evaluated directly; hours without a
// ratio (no traffic, NaN, outside [0, 1]) weigh nothing.
func TestEstimateWeighsSecondsByTheErrorRatio(t *testing.T) {
	at := time.Date(2026, 3, 10, 14, 20, 30, 0, time.UTC)
	hourRatio := func(end int64) (float64, bool) {
		h := end / HourMs
		switch h % 17 {
		case 3:
			return 0, false // no series at all
		case 5:
			return math.NaN(), true // 0/0: no traffic
		case 7:
			return 1.5, true // not a ratio
		}
		return float64(h%11) / 1000, true
	}
	direct := func(r time.Duration) float64 { return float64(r.Seconds()) / 1e7 }
	b := &ratioBackend{hourRatio: hourRatio, directRatio: direct}
	sli := slo.SLI{Expression: &slo.ExpressionSLI{ErrorRatio: "ratio_rate{{.window}}"}}
	window := 7 * 24 * time.Hour
	ev, err := NewEvaluator(sli, Options{Resolution: time.Millisecond, Windows: windowsOf(window), PrefetchAt: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ev.(*Estimate); !ok {
		t.Fatalf("an error ratio got %T, want an *Estimate", ev)
	}
	ctx := context.Background()
	if err := ev.Advance(ctx, b, at); err != nil {
		t.Fatal(err)
	}
	// Truth, from the definition.
	usable := func(end int64) (float64, bool) {
		v, ok := hourRatio(end)
		if !ok || math.IsNaN(v) || v < 0 || v > 1 {
			return 0, false
		}
		return v, true
	}
	long := func(w time.Duration) slo.Counts {
		from := at.Add(-w)
		var total, bad float64
		edge := from.Truncate(time.Hour).Add(time.Hour)
		if v, ok := usable(edge.UnixMilli()); ok {
			secs := edge.Sub(from).Seconds()
			total, bad = total+secs, bad+v*secs
		}
		for end := edge.Add(time.Hour); !end.After(at); end = end.Add(time.Hour) {
			if v, ok := usable(end.UnixMilli()); ok {
				total, bad = total+3600, bad+v*3600
			}
		}
		open := at.Sub(at.Truncate(time.Hour))
		total, bad = total+open.Seconds(), bad+direct(open)*open.Seconds()
		return slo.Counts{Total: total, Good: total - bad}
	}
	for _, w := range windowsOf(window) {
		got, err := ev.Count(ctx, b, at.Add(-w), at)
		if err != nil {
			t.Fatal(err)
		}
		want := slo.Counts{Total: w.Seconds(), Good: w.Seconds() * (1 - direct(w))}
		if w >= 24*time.Hour {
			want = long(w)
		}
		if math.Abs(got.Total-want.Total) > 1e-6 || math.Abs(got.Bad()-want.Bad()) > 1e-6 {
			t.Errorf("window %s: %+v (bad %g), want %+v (bad %g)", w, got, got.Bad(), want, want.Bad())
		}
	}
	// The hours sum to the SLO window's count.
	hours, err := ev.Hours(ctx, b, at.Add(-window))
	if err != nil {
		t.Fatal(err)
	}
	var sum slo.Counts
	for _, h := range hours {
		sum.Good, sum.Total = sum.Good+h.Counts.Good, sum.Total+h.Counts.Total
	}
	if w := long(window); math.Abs(sum.Total-w.Total) > 1e-6 || math.Abs(sum.Good-w.Good) > 1e-6 {
		t.Errorf("hours sum to %+v, the window is %+v", sum, w)
	}
	// One range query for the hours, aligned; one instant query per short
	// window and for the open part of the hour.
	if !strings.HasPrefix(b.asked[0], "range ratio_rate1h 03-03 15:00..03-10 14:00 step 1h0m0s") {
		t.Errorf("first query %q, want the hours of the window at full hours", b.asked[0])
	}
	if n := strings.Join(ev.Notes(), "\n"); !strings.Contains(n, "estimate: Prometheus evaluated the expression hourly") || !strings.Contains(n, "outside [0, 1]") {
		t.Errorf("notes %q: want the estimate note and the skipped ratios", n)
	}
	// The next cycle evaluates again only the hours that may still change.
	b.asked = nil
	if err := ev.Advance(ctx, b, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.asked[0], "range ratio_rate1h 03-10 13:00..03-10 15:00") {
		t.Errorf("next cycle's first query %q, want only the last hours again", b.asked[0])
	}
	// Hours outside [0, 1] evaluated in an earlier cycle are still in the
	// window, and still said.
	if n := strings.Join(ev.Notes(), "\n"); !strings.Contains(n, "outside [0, 1]") {
		t.Errorf("next cycle's notes %q: the ratios outside [0, 1] still in the window are not said", n)
	}
	// Coverage begins where the first span with a ratio begins: the
	// window's start when the hour its edge cuts has one.
	now := at.Add(time.Hour)
	wantFrom := now.Add(-window)
	for end := wantFrom.Truncate(time.Hour).Add(time.Hour); ; end = end.Add(time.Hour) {
		if _, ok := usable(end.UnixMilli()); ok {
			break
		}
		wantFrom = end
	}
	if cov := ev.Coverage(window); !cov.Sampled || !cov.From.Equal(wantFrom) {
		t.Errorf("coverage %+v, want sampled from %s", cov, wantFrom)
	}
}

// TestEstimateRefusesSeveralSeries: an SLI is one ratio; several series are
// an error that says so, not a sum nobody asked for.
func TestEstimateRefusesSeveralSeries(t *testing.T) {
	b := &ratioBackend{hourRatio: func(int64) (float64, bool) { return 0.01, true }, directRatio: func(time.Duration) float64 { return 0 }, series: 2}
	sli := slo.SLI{Expression: &slo.ExpressionSLI{ErrorRatio: "ratio_rate{{.window}}"}}
	ev, err := NewEvaluator(sli, Options{Resolution: time.Millisecond, Windows: windowsOf(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	err = ev.Advance(context.Background(), b, time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC))
	if err == nil || !strings.Contains(err.Error(), "2 series") {
		t.Fatalf("error %v, want one about 2 series", err)
	}
}
