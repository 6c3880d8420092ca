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

// minuteBase is a Unix time in ms on the minute (and hour-independent)
// grid, so hand-written slices start at round offsets from it.
const minuteBase = int64(1_700_000_040_000)

func gaugeStream(name, inst string, pts ...model.SamplePair) *model.SampleStream {
	return &model.SampleStream{
		Metric: model.Metric{"__name__": model.LabelValue(name), "instance": model.LabelValue(inst)},
		Values: pts,
	}
}

// at is a sample sec seconds after minuteBase.
func at(sec float64, v float64) model.SamplePair {
	return model.SamplePair{Timestamp: model.Time(minuteBase + int64(sec*1000)), Value: model.SampleValue(v)}
}

// sliceCounts reads the good and total slices the feeder recorded for each
// slice end, from the ledgers' fine buckets.
func sliceCounts(t *testing.T, good, total *ledger) map[int64][2]float64 {
	t.Helper()
	out := map[int64][2]float64{}
	for _, inc := range total.fine {
		c := out[inc.ts]
		c[1] = inc.v
		out[inc.ts] = c
	}
	for _, inc := range good.fine {
		c := out[inc.ts]
		c[0] = inc.v
		out[inc.ts] = c
	}
	return out
}

// TestTimesliceFeederSlices walks hand-written samples of three series
// through one-minute slices, each slice exercising one part of the rule.
func TestTimesliceFeederSlices(t *testing.T) {
	m := model.Matrix{
		gaugeStream("lag", "a",
			at(10, 100), at(50, 950), // slice 1: the last sample fails
			at(70, 950), at(110, 100), // slice 2: an early failure, the last holds
			at(190, 100),               // slice 4
			at(250, 100), at(300, 100), // slice 5: 300 is the slice's end and belongs to it
			at(301, 100)), // slice 6
		gaugeStream("lag", "b",
			at(30, 100), // slice 1
			// nothing in slice 2: only a and c decide it
			at(200, 900), // slice 4: 900 is not < 900
			at(260, 10)), // slice 5
		gaugeStream("lag", "c",
			at(120, 500),   // slice 2, on its end
			at(360, 2000)), // slice 6: c fails while a holds
	}
	good, total := newLedger(1000), newLedger(1000)
	f := newTimesliceFeeder(&slo.TimeSliceSLI{Query: "lag", Op: "<", Threshold: 900, Slice: time.Minute}, good, total)
	f.ingest(m, minuteBase+360_000)
	got := sliceCounts(t, good, total)
	want := map[int64][2]float64{
		minuteBase + 60_000:  {0, 1},
		minuteBase + 120_000: {1, 1},
		// slice 3 (120, 180] has no sample: not counted at all
		minuteBase + 240_000: {0, 1},
		minuteBase + 300_000: {1, 1},
		minuteBase + 360_000: {0, 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("slices (end: good, total)\n got %v\nwant %v", got, want)
	}
}

// TestTimesliceFeederCountsOnlyCompleteSlices reads a slice in two parts:
// the first read ends inside it, so it must wait, and the later sample of
// the same series decides it.
func TestTimesliceFeederCountsOnlyCompleteSlices(t *testing.T) {
	good, total := newLedger(1000), newLedger(1000)
	f := newTimesliceFeeder(&slo.TimeSliceSLI{Op: "<", Threshold: 900, Slice: time.Minute}, good, total)
	f.ingest(model.Matrix{gaugeStream("lag", "a", at(10, 100))}, minuteBase+30_000)
	if len(total.fine) != 0 {
		t.Fatalf("slice (0s, 60s] counted after reading up to 30s: %v", total.fine)
	}
	// The re-read overlaps: the sample at 10s comes again and is skipped.
	f.ingest(model.Matrix{gaugeStream("lag", "a", at(10, 100), at(40, 1000))}, minuteBase+60_000)
	got := sliceCounts(t, good, total)
	if want := map[int64][2]float64{minuteBase + 60_000: {0, 1}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v: the sample at 40s is the slice's last and fails", got, want)
	}
}

// TestTimesliceFeederLateSample: a sample that reaches Prometheus after a
// slice was counted (a slow scrape, remote-write delay) but is still inside
// the re-read overlap must re-decide its slice, as a late counter sample is
// still counted; it can also give data to a slice counted as empty. Later
// than the overlap it is ignored: its slice is settled.
func TestTimesliceFeederLateSample(t *testing.T) {
	good, total := newLedger(1000), newLedger(1000)
	f := newTimesliceFeeder(&slo.TimeSliceSLI{Op: "<", Threshold: 900, Slice: time.Minute}, good, total)
	f.keep = 60_000
	step := func(upTo float64, m ...*model.SampleStream) map[int64][2]float64 {
		f.ingest(model.Matrix(m), minuteBase+int64(upTo*1000))
		return sliceCounts(t, good, total)
	}
	check := func(what string, got, want map[int64][2]float64) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s:\n got %v\nwant %v", what, got, want)
		}
	}
	s60, s120, s180, s240 := minuteBase+60_000, minuteBase+120_000, minuteBase+180_000, minuteBase+240_000
	// At 60s, a's sample at 55s is not in Prometheus yet.
	got := step(60, gaugeStream("lag", "a", at(5, 100)))
	check("slice 1 from the sample at 5s", got, map[int64][2]float64{s60: {1, 1}})
	got = step(90, gaugeStream("lag", "a", at(5, 100), at(55, 1000)))
	check("the late sample at 55s is slice 1's last and fails", got, map[int64][2]float64{s60: {0, 1}})
	// Slice 2 closes with no data; a sample of b at 110s turns up late.
	got = step(120)
	check("slice 2 without data", got, map[int64][2]float64{s60: {0, 1}})
	got = step(150, gaugeStream("lag", "b", at(110, 1)))
	check("the late sample gives slice 2 data", got, map[int64][2]float64{s60: {0, 1}, s120: {1, 1}})
	got = step(170, gaugeStream("lag", "c", at(100, 2)))
	check("a second late series must not count slice 2 twice", got, map[int64][2]float64{s60: {0, 1}, s120: {1, 1}})
	// Past the overlap: at 240s the horizon is 180s, slice 2 is settled.
	got = step(240, gaugeStream("lag", "d", at(170, 5)))
	got = step(245, gaugeStream("lag", "e", at(115, 5000)), gaugeStream("lag", "f", at(200, 1)))
	check("samples past the overlap", got, map[int64][2]float64{s60: {0, 1}, s120: {1, 1}, s180: {1, 1}, s240: {1, 1}})
}

// TestTimesliceOperators checks every comparison at, above and below its
// threshold, since the boundary decides whether a lag of exactly 900 is good.
func TestTimesliceOperators(t *testing.T) {
	for _, c := range []struct {
		op   string
		want [3]bool // value 899, 900, 901 against 900
	}{
		{"<", [3]bool{true, false, false}},
		{"<=", [3]bool{true, true, false}},
		{">", [3]bool{false, false, true}},
		{">=", [3]bool{false, true, true}},
		{"==", [3]bool{false, true, false}},
		{"!=", [3]bool{true, false, true}},
	} {
		for i, v := range []float64{899, 900, 901} {
			if got := compare(c.op, v, 900); got != c.want[i] {
				t.Errorf("%g %s 900 = %v, want %v", v, c.op, got, c.want[i])
			}
		}
	}
}

// rawGauge is one generated gauge series and, per sample, the time from
// which Prometheus answers with it (its timestamp plus an ingestion delay).
type rawGauge struct {
	labels  model.Metric
	samples []model.SamplePair
	delay   int64 // ms; constant per series, so each series arrives in order
}

// genGauge makes a lag-like gauge sampled about every scrape ms with jitter,
// mostly below 900 with stalls above it and gaps without samples.
func genGauge(rng *rand.Rand, inst string, start, end, scrape int64) rawGauge {
	g := rawGauge{labels: model.Metric{"__name__": "lag", "instance": model.LabelValue(inst)}, delay: rng.Int63n(25_000)}
	stall := 0
	for t := start + rng.Int63n(scrape); t <= end; t += scrape + rng.Int63n(2000) - 1000 {
		if rng.Intn(400) == 0 { // a gap: the exporter is down
			t += scrape * int64(2+rng.Intn(30))
			continue
		}
		if stall == 0 && rng.Intn(300) == 0 {
			stall = 1 + rng.Intn(40)
		}
		v := float64(rng.Intn(800))
		if stall > 0 {
			v = 850 + float64(rng.Intn(200))
			stall--
		}
		if rng.Intn(500) == 0 {
			v = 900 // exactly the threshold
		}
		g.samples = append(g.samples, model.SamplePair{Timestamp: model.Time(t), Value: model.SampleValue(v)})
	}
	return g
}

// gaugeQuerier answers like memQuerier, but a sample is only there once
// its ingestion delay has passed at the query's time.
type gaugeQuerier struct {
	series []rawGauge
	// now is the wall clock: what Prometheus has depends on it, not on the
	// query's evaluation time (an edge hour read later sees every sample).
	now int64
}

func (q *gaugeQuerier) QueryMatrix(_ context.Context, query string, at time.Time) (model.Matrix, error) {
	i := strings.LastIndexByte(query, '[')
	d, err := model.ParseDuration(strings.TrimSuffix(query[i+1:], "]"))
	if err != nil {
		return nil, err
	}
	hi := at.UnixMilli()
	lo := hi - time.Duration(d).Milliseconds()
	var out model.Matrix
	for _, g := range q.series {
		var vals []model.SamplePair
		for _, s := range g.samples {
			if ts := int64(s.Timestamp); ts >= lo && ts <= hi && ts+g.delay <= q.now {
				vals = append(vals, s)
			}
		}
		if len(vals) > 0 {
			out = append(out, &model.SampleStream{Metric: g.labels, Values: vals})
		}
	}
	return out, nil
}

// sliceTruth counts slices ending in (from, to] by brute force: for every
// slice end on the slice grid, the last sample of each series in
// (end-slice, end] that Prometheus had at instant now. It shares no code with
// the feeder: it walks slices and searches samples, the feeder walks samples.
func sliceTruth(gs []rawGauge, ts *slo.TimeSliceSLI, from, to, now int64) slo.Counts {
	var c slo.Counts
	slice := ts.Slice.Milliseconds()
	for end := (from/slice + 1) * slice; end <= to; end += slice {
		data, good := false, true
		for _, g := range gs {
			// Index of the first sample after end; the one before it is the
			// slice's last if it lies inside the slice.
			i := sort.Search(len(g.samples), func(i int) bool { return int64(g.samples[i].Timestamp) > end })
			for i > 0 && int64(g.samples[i-1].Timestamp)+g.delay > now {
				i-- // not in Prometheus yet
			}
			if i == 0 || int64(g.samples[i-1].Timestamp) <= end-slice {
				continue
			}
			data = true
			v := float64(g.samples[i-1].Value)
			ok := map[string]bool{"<": v < ts.Threshold, "<=": v <= ts.Threshold, ">": v > ts.Threshold,
				">=": v >= ts.Threshold, "==": v == ts.Threshold, "!=": v != ts.Threshold}[ts.Op]
			good = good && ok
		}
		if data {
			c.Total++
			if good {
				c.Good++
			}
		}
	}
	return c
}

// TestTimesliceMatchesBruteForce evaluates time-slice SLOs the way serve
// does (every step, incrementally, hours folded, edge hours re-read) with
// slices shorter than, equal to, longer than and not dividing the step, on
// gauges with jittered scrapes, stalls, gaps, a series that starts late and
// one that stops, each series arriving with its own delay. Every evaluation
// must equal the brute-force count; at some instants a fresh state
// evaluated once (as report does) must equal both.
func TestTimesliceMatchesBruteForce(t *testing.T) {
	const step = int64(30_000)
	hour := int64(3600_000)
	end := int64(1_700_000_000_000) - 1_700_000_000_000%hour + 17*60_000
	start := end - 4*24*hour
	for _, c := range []struct {
		slice time.Duration
		op    string
	}{
		{10 * time.Second, "<"},
		{time.Minute, "<"},
		{75 * time.Second, "<="},
		{5 * time.Minute, "<"},
	} {
		t.Run(c.slice.String(), func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(c.slice)))
			q := &gaugeQuerier{}
			q.series = append(q.series,
				genGauge(rng, "a", start, end, 15_000),
				genGauge(rng, "b", start, end, 60_000),
				genGauge(rng, "late-start", end-26*hour, end, 15_000),
				genGauge(rng, "stops", start, end-90*60_000, 20_000))
			ts := &slo.TimeSliceSLI{Query: "lag", Op: c.op, Threshold: 900, Slice: c.slice}
			def := &slo.SLO{Name: "fresh", Service: "s", Objective: 99, Window: slo.Window{Text: "2d", Duration: 48 * time.Hour},
				SLI: slo.SLI{TimeSlice: ts}}
			pol := slo.DefaultPolicy()
			st, err := newSLOState(def, &pol, step)
			if err != nil {
				t.Fatal(err)
			}
			// Every step for two hours, then jumps across hour edges.
			var ats []int64
			first := end - 3*hour - (end-3*hour)%step
			for a := first; a < end-hour; a += step {
				ats = append(ats, a)
			}
			for a := end - hour; a <= end; a += 7 * step {
				ats = append(ats, a-a%step)
			}
			windows := map[string]int64{"2d": 48 * hour}
			for _, w := range slo.BurnWindows {
				windows[slo.WindowLabel(w)] = w.Milliseconds()
			}
			for n, a := range ats {
				q.now = a
				r, err := st.evaluate(context.Background(), q, a)
				if err != nil {
					t.Fatalf("at %s: %v", time.UnixMilli(a).UTC(), err)
				}
				// The brute force over days of 10s slices is slow: the long
				// windows are checked at every tenth instant.
				short := map[string]int64{}
				for label, w := range windows {
					if w <= 2*hour || n%10 == 0 {
						short[label] = w
					}
				}
				checkSliceResult(t, "incremental", r, q.series, ts, short, a)
				if n%40 == 0 {
					once, err := newSLOState(def, &pol, 1)
					if err != nil {
						t.Fatal(err)
					}
					r1, err := once.evaluate(context.Background(), q, a)
					if err != nil {
						t.Fatalf("one-shot at %s: %v", time.UnixMilli(a).UTC(), err)
					}
					checkSliceResult(t, "one-shot", r1, q.series, ts, windows, a)
					if r1.Events != r.Events || fmt.Sprint(r1.BurnRates) != fmt.Sprint(r.BurnRates) {
						t.Fatalf("at %s: one-shot %v %v, incremental %v %v", time.UnixMilli(a).UTC(), r1.Events, r1.BurnRates, r.Events, r.BurnRates)
					}
				}
				if t.Failed() {
					t.FailNow()
				}
			}
		})
	}
}

func checkSliceResult(t *testing.T, how string, r slo.Result, gs []rawGauge, ts *slo.TimeSliceSLI, windows map[string]int64, at int64) {
	t.Helper()
	when := time.UnixMilli(at).UTC().Format(time.RFC3339)
	if w, ok := windows["2d"]; ok {
		if want := sliceTruth(gs, ts, at-w, at, at); r.Events != want {
			t.Errorf("%s at %s: 2d window %+v, want %+v", how, when, r.Events, want)
		}
	}
	for label, w := range windows {
		want := sliceTruth(gs, ts, at-w, at, at)
		got, ok := r.BurnRates[label]
		if want.Total == 0 {
			if ok {
				t.Errorf("%s at %s: %s burn rate %v for a window without slices", how, when, label, got)
			}
			continue
		}
		rate := want.Bad() / want.Total / 0.01
		if !ok || abs(got-rate) > 1e-9*max(1, rate) {
			t.Errorf("%s at %s: %s burn rate %v (present %v), want %v (%+v)", how, when, label, got, ok, rate, want)
		}
	}
}

// TestTimesliceAfterOutage evaluates, then not again for over six hours (the
// evaluations in between failed: Prometheus was down), then again: the
// hours the first evaluation saw only in part must not be reused as they
// were then.
func TestTimesliceAfterOutage(t *testing.T) {
	const step = int64(30_000)
	hour := int64(3600_000)
	end := int64(1_700_000_000_000) - 1_700_000_000_000%hour
	start := end - 3*24*hour
	rng := rand.New(rand.NewSource(3))
	q := &gaugeQuerier{}
	q.series = append(q.series, genGauge(rng, "a", start, end, 15_000), genGauge(rng, "b", start, end, 60_000))
	ts := &slo.TimeSliceSLI{Query: "lag", Op: "<", Threshold: 900, Slice: time.Minute}
	def := &slo.SLO{Name: "fresh", Service: "s", Objective: 99, Window: slo.Window{Text: "1d", Duration: 24 * time.Hour},
		SLI: slo.SLI{TimeSlice: ts}}
	pol := slo.DefaultPolicy()
	st, err := newSLOState(def, &pol, step)
	if err != nil {
		t.Fatal(err)
	}
	windows := map[string]int64{}
	for _, w := range slo.BurnWindows {
		windows[slo.WindowLabel(w)] = w.Milliseconds()
	}
	first := end - 8*hour + 20*60_000
	for _, a := range []int64{first, first + step, first + 6*hour + 10*60_000} {
		q.now = a
		r, err := st.evaluate(context.Background(), q, a)
		if err != nil {
			t.Fatal(err)
		}
		checkSliceResult(t, "after a pause", r, q.series, ts, windows, a)
	}
}
