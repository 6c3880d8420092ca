package exporter

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/slo"
)

// memQuerier answers range-vector queries from in-memory raw samples with
// Prometheus 2.x's selection rule: samples in [at-range, at]. It counts the
// samples it returns, so tests can assert how much each cycle reads.
type memQuerier struct {
	series      map[string][]*model.SampleStream // by metric name
	samplesRead int
	queries     int
}

func (m *memQuerier) QueryMatrix(_ context.Context, q string, at time.Time) (model.Matrix, error) {
	i := strings.LastIndexByte(q, '[')
	name, dur := q[:i], strings.TrimSuffix(q[i+1:], "]")
	d, err := model.ParseDuration(dur)
	if err != nil {
		return nil, err
	}
	m.queries++
	hi := model.TimeFromUnixNano(at.UnixNano())
	lo := hi.Add(-time.Duration(d))
	var out model.Matrix
	for _, ss := range m.series[name] {
		i := sort.Search(len(ss.Values), func(i int) bool { return ss.Values[i].Timestamp >= lo })
		j := sort.Search(len(ss.Values), func(i int) bool { return ss.Values[i].Timestamp > hi })
		vals := ss.Values[i:j]
		if len(vals) > 0 {
			m.samplesRead += len(vals)
			out = append(out, &model.SampleStream{Metric: ss.Metric, Values: vals})
		}
	}
	return out, nil
}

// rawCounter is one generated counter series with the events each sample
// revealed, kept independently of the code under test.
type rawCounter struct {
	samples []model.SamplePair
	events  []float64 // events revealed by samples[i]; events[0] is the baseline, 0
}

// genCounter makes a counter sampled every ~scrape with jitter, with
// resets and gaps, starting at start and ending at end (ms).
func genCounter(rng *rand.Rand, start, end, scrape int64, rate float64) rawCounter {
	var c rawCounter
	value := float64(rng.Intn(1000) + 1)
	t := start + rng.Int63n(scrape)
	first := true
	for t <= end {
		ev := 0.0
		if !first {
			ev = float64(rng.Intn(int(rate*2) + 1))
			if rng.Intn(2000) == 0 { // a reset right after the previous sample
				value = 0
			}
			value += ev
		}
		if !first && rng.Intn(3000) == 0 { // a scrape gap: events keep counting, no samples
			gapEnd := t + scrape*int64(5+rng.Intn(50))
			for t < gapEnd && t <= end {
				e := float64(rng.Intn(int(rate*2) + 1))
				value += e
				ev += e
				t += scrape
			}
		}
		c.samples = append(c.samples, model.SamplePair{Timestamp: model.Time(t), Value: model.SampleValue(value)})
		c.events = append(c.events, ev)
		first = false
		t += scrape + rng.Int63n(2000) - 1000
	}
	return c
}

func truthIn(cs []rawCounter, from, to int64) float64 {
	var n float64
	for _, c := range cs {
		for i, s := range c.samples {
			if int64(s.Timestamp) > from && int64(s.Timestamp) <= to {
				n += c.events[i]
			}
		}
	}
	return n
}

func TestLedgerSumsMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	day := int64(24 * 3600 * 1000)
	end := int64(1_700_000_000_000)
	start := end - 9*day
	var total, bad []rawCounter
	q := &memQuerier{series: map[string][]*model.SampleStream{}}
	add := func(name string, inst int, c rawCounter) {
		q.series[name] = append(q.series[name], &model.SampleStream{
			Metric: model.Metric{"__name__": model.LabelValue(name), "instance": model.LabelValue(fmt.Sprint(inst))},
			Values: c.samples,
		})
	}
	for inst := range 3 {
		tc := genCounter(rng, start, end, 15_000, 50)
		bc := genCounter(rng, start, end, 15_000, 2)
		total, bad = append(total, tc), append(bad, bc)
		add("total", inst, tc)
		add("bad", inst, bc)
	}
	def := &slo.SLO{Name: "x", Service: "s", Objective: 99, Window: slo.Window{Text: "7d", Duration: 7 * 24 * time.Hour},
		SLI: slo.SLI{Events: &slo.EventsSLI{Errors: "bad", Total: "total"}}}
	pol := slo.DefaultPolicy()

	step := int64(30_000)
	st, err := newSLOState(def, &pol, step)
	if err != nil {
		t.Fatal(err)
	}
	// Evaluate every 30 s over the last 3 hours, then jump ahead a few times.
	first := end - 3*3600*1000
	first -= first % step
	var ats []int64
	for at := first; at <= end-2*3600*1000; at += step {
		ats = append(ats, at)
	}
	for at := end - 2*3600*1000; at <= end; at += 7 * step {
		ats = append(ats, at-at%step)
	}
	for n, at := range ats {
		r, err := st.evaluate(context.Background(), q, at)
		if err != nil {
			t.Fatalf("at %d: %v", at, err)
		}
		checks := map[string]int64{"7d": 7 * day}
		for _, w := range slo.BurnWindows {
			checks[slo.WindowLabel(w)] = w.Milliseconds()
		}
		wantTotal := truthIn(total, at-7*day, at)
		wantBad := truthIn(bad, at-7*day, at)
		if r.Events.Total != wantTotal || r.Events.Bad() != wantBad {
			t.Fatalf("eval %d at %d: window total %v bad %v, want %v %v", n, at, r.Events.Total, r.Events.Bad(), wantTotal, wantBad)
		}
		for label, w := range checks {
			tt, bb := truthIn(total, at-w, at), truthIn(bad, at-w, at)
			got, ok := r.BurnRates[label]
			if tt == 0 {
				if ok {
					t.Errorf("at %d window %s: burn rate %v without traffic", at, label, got)
				}
				continue
			}
			want := (bb / tt) / 0.01
			if !ok || abs(got-want) > 1e-9*max(1, want) {
				t.Fatalf("at %d window %s: burn %v (present %v), want %v", at, label, got, ok, want)
			}
		}
	}
	// Steady state reads only new samples plus an hourly edge refill: far
	// fewer than the window holds.
	before := q.samplesRead
	st.evaluate(context.Background(), q, end+step)
	if perCycle := q.samplesRead - before; perCycle > 100 {
		t.Errorf("one steady-state cycle read %d samples", perCycle)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestCounterStateResetAndOverlap(t *testing.T) {
	c := newCounterState()
	var got []float64
	emit := func(_ int64, v float64) { got = append(got, v) }
	sp := func(ts int64, v float64) model.SamplePair {
		return model.SamplePair{Timestamp: model.Time(ts), Value: model.SampleValue(v)}
	}
	c.feed(1, []model.SamplePair{sp(10, 100), sp(20, 105), sp(30, 3)}, emit)
	// Overlapping re-read: samples at 20 and 30 are skipped.
	c.feed(1, []model.SamplePair{sp(20, 105), sp(30, 3), sp(40, 10)}, emit)
	want := []float64{5, 3, 7}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("increments %v, want %v (first sample is a baseline; a drop is a reset)", got, want)
	}
}

// Every window's lower edge enters its next hour at the full hour, for
// every SLO at once. The next edge hours are read ahead at a moment of the
// hour that differs per SLO, so no cycle carries all those reads, and the
// numbers stay exact across the full hour.
func TestEdgeReadsSpreadOverTheHour(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	day := int64(24 * 3600 * 1000)
	end := int64(1_700_000_000_000)
	end -= end % hourMs
	q := &memQuerier{series: map[string][]*model.SampleStream{}}
	pol := slo.DefaultPolicy()
	const n = 20
	step := int64(30_000)
	var states []*sloState
	truths := map[int][2][]rawCounter{}
	for i := range n {
		var tc, bc []rawCounter
		for _, kind := range []string{"total", "bad"} {
			name := fmt.Sprintf("%s_%d", kind, i)
			c := genCounter(rng, end-9*day, end+3*hourMs, 15_000, map[string]float64{"total": 30, "bad": 2}[kind])
			q.series[name] = []*model.SampleStream{{Metric: model.Metric{"__name__": model.LabelValue(name)}, Values: c.samples}}
			if kind == "total" {
				tc = append(tc, c)
			} else {
				bc = append(bc, c)
			}
		}
		truths[i] = [2][]rawCounter{tc, bc}
		def := &slo.SLO{Name: fmt.Sprintf("slo-%d", i), Service: "s", Objective: 99, Window: slo.Window{Text: "7d", Duration: 7 * 24 * time.Hour},
			SLI: slo.SLI{Events: &slo.EventsSLI{Errors: fmt.Sprintf("bad_%d", i), Total: fmt.Sprintf("total_%d", i)}}}
		st, err := newSLOState(def, &pol, step)
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, st)
	}
	ctx := context.Background()
	start := end - 2*hourMs + 10*60_000
	for _, st := range states {
		if _, err := st.evaluate(ctx, q, start); err != nil {
			t.Fatal(err)
		}
	}
	maxQueries, boundary := 0, 0
	for at := start + step; at <= end+hourMs/2; at += step {
		before := q.queries
		for i, st := range states {
			r, err := st.evaluate(ctx, q, at)
			if err != nil {
				t.Fatal(err)
			}
			if want := truthIn(truths[i][0], at-7*day, at); r.Events.Total != want {
				t.Fatalf("slo %d at %d: window total %v, want %v", i, at, r.Events.Total, want)
			}
			if want := truthIn(truths[i][1], at-day, at) / truthIn(truths[i][0], at-day, at) / 0.01; abs(r.BurnRates["1d"]-want) > 1e-9 {
				t.Fatalf("slo %d at %d: 1d burn %v, want %v", i, at, r.BurnRates["1d"], want)
			}
		}
		got := q.queries - before
		maxQueries = max(maxQueries, got)
		if at%hourMs == 0 {
			boundary = got
		}
	}
	// Each cycle reads the new samples of 2 selectors per SLO. Edge reads of
	// 4 windows × 2 selectors for all 20 SLOs in one cycle would add 160.
	if boundary > 2*n+8 || maxQueries > 2*n+3*8 {
		t.Errorf("queries per cycle: %d at the full hour, %d at most; want edge reads spread over the hour", boundary, maxQueries)
	}
	t.Logf("queries per cycle: %d at the full hour, at most %d (head reads alone: %d)", boundary, maxQueries, 2*n)
}
