package counting

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/slo"
)

// minuteBase is a Unix time in ms on the minute (and hour-independent)
// grid, so hand-written slices start at round offsets from it.
const minuteBase = int64(1_700_000_040_000)

func gaugeStream(name, inst string, pts ...backend.Sample) backend.Series {
	return backend.Series{Labels: labels.FromStrings("__name__", name, "instance", inst), Floats: pts}
}

// at is a sample sec seconds after minuteBase.
func at(sec float64, v float64) backend.Sample {
	return backend.Sample{T: minuteBase + int64(sec*1000), V: v}
}

// allBuckets returns every bucket the stream keeps, by end.
func allBuckets(s *Stream) map[int64]float64 {
	out := map[int64]float64{}
	for h := range s.detail {
		bs, _ := s.Detail(h)
		for _, b := range bs {
			out[b.End] = b.V
		}
	}
	return out
}

// sliceCounts reads the good and total slices the feeder recorded for each
// slice end, from the streams' buckets.
func sliceCounts(t *testing.T, good, total *Stream) map[int64][2]float64 {
	t.Helper()
	out := map[int64][2]float64{}
	for end, v := range allBuckets(total) {
		c := out[end]
		c[1] = v
		out[end] = c
	}
	for end, v := range allBuckets(good) {
		c := out[end]
		c[0] = v
		out[end] = c
	}
	return out
}

// TestTimesliceFeederSlices walks hand-written samples of three series
// through one-minute slices, each slice exercising one part of the rule.
func TestTimesliceFeederSlices(t *testing.T) {
	m := []backend.Series{
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
	good, total := NewStream(1000), NewStream(1000)
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
	good, total := NewStream(1000), NewStream(1000)
	f := newTimesliceFeeder(&slo.TimeSliceSLI{Op: "<", Threshold: 900, Slice: time.Minute}, good, total)
	f.ingest([]backend.Series{gaugeStream("lag", "a", at(10, 100))}, minuteBase+30_000)
	if got := allBuckets(total); len(got) != 0 {
		t.Fatalf("slice (0s, 60s] counted after reading up to 30s: %v", got)
	}
	// The re-read overlaps: the sample at 10s comes again and is skipped.
	f.ingest([]backend.Series{gaugeStream("lag", "a", at(10, 100), at(40, 1000))}, minuteBase+60_000)
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
	good, total := NewStream(1000), NewStream(1000)
	f := newTimesliceFeeder(&slo.TimeSliceSLI{Op: "<", Threshold: 900, Slice: time.Minute}, good, total)
	f.keep = 60_000
	step := func(upTo float64, m ...backend.Series) map[int64][2]float64 {
		f.ingest(m, minuteBase+int64(upTo*1000))
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
			if got := (&slo.TimeSliceSLI{Op: c.op, Threshold: 900}).Holds(v); got != c.want[i] {
				t.Errorf("%g %s 900 = %v, want %v", v, c.op, got, c.want[i])
			}
		}
	}
}

// rawGauge is one generated gauge series and, per sample, the time from
// which Prometheus answers with it (its timestamp plus an ingestion delay).
type rawGauge struct {
	labels  labels.Labels
	samples []backend.Sample
	delay   int64 // ms; constant per series, so each series arrives in order
}

// genGauge makes a lag-like gauge sampled about every scrape ms with jitter,
// mostly below 900 with stalls above it and gaps without samples.
func genGauge(rng *rand.Rand, inst string, start, end, scrape int64) rawGauge {
	g := rawGauge{labels: labels.FromStrings("__name__", "lag", "instance", inst), delay: rng.Int63n(25_000)}
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
		g.samples = append(g.samples, backend.Sample{T: t, V: v})
	}
	return g
}

// gaugeSource answers the seam's question, but a sample is only there once
// its ingestion delay has passed at the query's time.
type gaugeSource struct {
	series []rawGauge
	// now is the wall clock: what Prometheus has depends on it, not on the
	// query's evaluation time (an edge hour read later sees every sample).
	now int64
}

func (q *gaugeSource) Samples(_ context.Context, _ string, from, to time.Time) ([]backend.Series, error) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	var out []backend.Series
	for _, g := range q.series {
		var vals []backend.Sample
		for _, s := range g.samples {
			if s.T > lo && s.T <= hi && s.T+g.delay <= q.now {
				vals = append(vals, s)
			}
		}
		if len(vals) > 0 {
			out = append(out, backend.Series{Labels: g.labels, Floats: vals})
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
			i := sort.Search(len(g.samples), func(i int) bool { return g.samples[i].T > end })
			for i > 0 && g.samples[i-1].T+g.delay > now {
				i-- // not in Prometheus yet
			}
			if i == 0 || g.samples[i-1].T <= end-slice {
				continue
			}
			data = true
			v := g.samples[i-1].V
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

// TestTimesliceMatchesBruteForce counts time-slice SLIs the way serve does
// (every step, incrementally, hours folded, edge hours re-read) with slices
// shorter than, equal to, longer than and not dividing the step, on gauges
// with jittered scrapes, stalls, gaps, a series that starts late and one
// that stops, each series arriving with its own delay. Every window's counts
// must equal the brute-force count; at some instants a fresh counter used
// once (as report does) must equal both.
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
			q := &gaugeSource{}
			q.series = append(q.series,
				genGauge(rng, "a", start, end, 15_000),
				genGauge(rng, "b", start, end, 60_000),
				genGauge(rng, "late-start", end-26*hour, end, 15_000),
				genGauge(rng, "stops", start, end-90*60_000, 20_000))
			ts := &slo.TimeSliceSLI{Query: "lag", Op: c.op, Threshold: 900, Slice: c.slice}
			sli := slo.SLI{TimeSlice: ts}
			window := 48 * time.Hour
			counter := newCounter(t, sli, window, step)
			// Every step for two hours, then jumps across hour edges.
			var ats []int64
			first := end - 3*hour - (end-3*hour)%step
			for a := first; a < end-hour; a += step {
				ats = append(ats, a)
			}
			for a := end - hour; a <= end; a += 7 * step {
				ats = append(ats, a-a%step)
			}
			for n, a := range ats {
				q.now = a
				// The brute force over days of 10s slices is slow: the long
				// windows are checked at every tenth instant.
				var windows []time.Duration
				for _, w := range windowsOf(window) {
					if w <= 2*time.Hour || n%10 == 0 {
						windows = append(windows, w)
					}
				}
				got := countAll(t, counter, q, a, windows)
				checkSliceCounts(t, "incremental", got, q.series, ts, a)
				if n%40 == 0 {
					once := newCounter(t, sli, window, 1)
					gotOnce := countAll(t, once, q, a, windows)
					checkSliceCounts(t, "one-shot", gotOnce, q.series, ts, a)
				}
				if t.Failed() {
					t.FailNow()
				}
			}
		})
	}
}

func checkSliceCounts(t *testing.T, how string, got map[time.Duration]slo.Counts, gs []rawGauge, ts *slo.TimeSliceSLI, at int64) {
	t.Helper()
	when := time.UnixMilli(at).UTC().Format(time.RFC3339)
	for w, g := range got {
		if want := sliceTruth(gs, ts, at-w.Milliseconds(), at, at); g != want {
			t.Errorf("%s at %s: %s window %+v, want %+v", how, when, w, g, want)
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
	q := &gaugeSource{}
	q.series = append(q.series, genGauge(rng, "a", start, end, 15_000), genGauge(rng, "b", start, end, 60_000))
	ts := &slo.TimeSliceSLI{Query: "lag", Op: "<", Threshold: 900, Slice: time.Minute}
	counter := newCounter(t, slo.SLI{TimeSlice: ts}, 24*time.Hour, step)
	first := end - 8*hour + 20*60_000
	for _, a := range []int64{first, first + step, first + 6*hour + 10*60_000} {
		q.now = a
		got := countAll(t, counter, q, a, slo.BurnWindows)
		checkSliceCounts(t, "after a pause", got, q.series, ts, a)
	}
}
