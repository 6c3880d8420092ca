package engine

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/countergen"
	"github.com/slobudget/slobudget/slo"
)

const ledgerYAML = `
slos:
  - name: api
    service: api
    objective: 99
    window: 1d
    sli:
      events:
        errors: api_errors_total
        total: api_requests_total
`

// TestIncidentLedgerBucketsAreExact: once the window's past is read, the
// ledger holds exactly the 5m buckets of the window, each equal to the
// events the generator put there (jittered scrapes, resets, gaps), and it
// stays so as the window slides; an objective change keeps it, a selector
// change starts a new one.
func TestIncidentLedgerBucketsAreExact(t *testing.T) {
	end := int64(1_700_000_040_000)
	rng := rand.New(rand.NewSource(8))
	store := memory.New()
	total := countergen.Generate(rng, end-3*24*3600_000, end, 15_000, 200)
	errs := countergen.Generate(rng, end-3*24*3600_000, end, 15_000, 3)
	total.Store(store, "__name__", "api_requests_total")
	errs.Store(store, "__name__", "api_errors_total")
	e, err := New(loadConfig(t, ledgerYAML), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.UnixMilli(end - 2*3600_000).Truncate(30 * time.Second)
	check := func(when string) {
		t.Helper()
		l := e.states["api"].incidents
		lo := (at.Add(-24*time.Hour).UnixMilli() + gridMs - 1) / gridMs * gridMs
		hi := at.UnixMilli() / gridMs * gridMs
		if l.from != lo || l.to() != hi {
			t.Fatalf("%s: ledger (%d, %d], want (%d, %d]", when, l.from, l.to(), lo, hi)
		}
		disagree, wrong := 0, 0
		l.counts.each(func(i int, c slo.Counts) {
			from := l.from + int64(i)*gridMs
			want := slo.Counts{Total: countergen.In([]countergen.Counter{total}, from, from+gridMs)}
			want.Good = want.Total - countergen.In([]countergen.Counter{errs}, from, from+gridMs)
			if c != want && wrong < 3 {
				wrong++
				t.Errorf("%s: bucket (%s, +5m] = %+v, want %+v", when, time.UnixMilli(from).UTC(), c, want)
			}
			if want.Good < 0 {
				disagree++
			}
		})
		// The generator's scrape gaps leave buckets with errors and no
		// requests: detection counts them as all bad, and says so.
		r, _ := e.Result("api")
		if disagree == 0 || r.Incidents.AdjustedBuckets != disagree || !hasNote(r, "5m buckets of the window had more bad than total") {
			t.Errorf("%s: %d buckets with more bad than total, %d adjusted, notes %q", when, disagree, r.Incidents.AdjustedBuckets, r.Notes)
		}
	}
	for i := 0; ; i++ {
		if e.EvaluateAt(ctx, at) != 0 {
			t.Fatalf("evaluation failed: %+v", e.Results())
		}
		if r, _ := e.Result("api"); r.Incidents.Complete {
			break
		}
		if i > 3 {
			t.Fatal("a 1d window's past takes more than 2 evaluations at 12h each")
		}
		at = at.Add(30 * time.Second)
	}
	check("after reading the past")
	for i := 0; i < 20; i++ { // ten minutes: two buckets in, two out
		at = at.Add(30 * time.Second)
		if e.EvaluateAt(ctx, at) != 0 {
			t.Fatalf("evaluation failed: %+v", e.Results())
		}
	}
	check("ten minutes later")

	ledger := e.states["api"].incidents
	if err := e.SetConfig(loadConfig(t, replaceOnce(ledgerYAML, "objective: 99", "objective: 99.5"))); err != nil {
		t.Fatal(err)
	}
	if e.states["api"].incidents != ledger {
		t.Error("an objective change dropped the 5m counts, which do not depend on it")
	}
	if err := e.SetConfig(loadConfig(t, replaceOnce(ledgerYAML, "api_errors_total", "api_errors_total{code=\"5xx\"}"))); err != nil {
		t.Fatal(err)
	}
	if e.states["api"].incidents == ledger {
		t.Error("a selector change kept the old 5m counts")
	}
}

// TestIncidentLedgerStartsAfreshAfterALongGap: an engine that did not
// evaluate for longer than the window keeps nothing of before and reads the
// window back again.
func TestIncidentLedgerStartsAfreshAfterALongGap(t *testing.T) {
	end := int64(1_700_000_040_000)
	store, _ := reloadStore(end)
	e, err := New(loadConfig(t, replaceOnce(reloadBase, "window: 7d", "window: 1d")), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.UnixMilli(end - 4*24*3600_000).Truncate(30 * time.Second)
	e.EvaluateAt(ctx, at)
	at = at.Add(50 * time.Hour)
	if e.EvaluateAt(ctx, at) != 0 {
		t.Fatalf("evaluation failed: %+v", e.Results())
	}
	// Afresh: the last complete bucket, and 12h read back from it.
	l := e.states["api"].incidents
	hi := at.UnixMilli() / gridMs * gridMs
	if l.to() != hi || l.from != hi-12*3600_000 {
		t.Errorf("after a 50h gap the 1d ledger holds (%d, %d], want (%d, %d]", l.from, l.to(), hi-12*3600_000, hi)
	}
}

func replaceOnce(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	panic("not found: " + old)
}

func hasNote(r slo.Result, sub string) bool {
	for _, n := range r.Notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

func TestConsistentKeepsBadEvents(t *testing.T) {
	for _, c := range []struct{ in, want slo.Counts }{
		{slo.Counts{Good: 90, Total: 100}, slo.Counts{Good: 90, Total: 100}},
		{slo.Counts{Good: -56, Total: 0}, slo.Counts{Good: 0, Total: 56}},  // 56 bad, no requests seen
		{slo.Counts{Good: -5, Total: 10}, slo.Counts{Good: 0, Total: 15}},  // 15 bad of 10
		{slo.Counts{Good: 12, Total: 10}, slo.Counts{Good: 10, Total: 10}}, // good selector ahead
	} {
		got, changed := consistent(c.in)
		if got != c.want || changed != (c.in != c.want) || (c.in.Good < 0 && got.Bad() != c.in.Bad()) {
			t.Errorf("consistent(%+v) = %+v %v, want %+v", c.in, got, changed, c.want)
		}
	}
}

// TestCountLogRoundTrip: every kind of entry comes back exactly, whole
// counts in a few bytes, the rest behind the escape, through appends, drops
// from the front and prepends.
func TestCountLogRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var want []slo.Counts
	var l countLog
	special := []slo.Counts{
		{Good: 0, Total: 0}, {Good: -56, Total: 0}, {Good: 12, Total: 10}, {Good: 0.5, Total: 3},
		{Good: 1 << 60, Total: 1 << 60}, {Good: 4995, Total: 5000}, {Good: math.Copysign(0, -1), Total: 0},
	}
	add := func(c slo.Counts) { l.append(c); want = append(want, c) }
	for i := 0; i < 2000; i++ {
		if i%97 == 0 {
			add(special[(i/97)%len(special)])
			continue
		}
		total := float64(rng.Intn(100000))
		add(slo.Counts{Good: total - float64(rng.Intn(20)), Total: total})
	}
	l.dropFront(500)
	want = want[500:]
	front := []slo.Counts{{Good: 1, Total: 2}, {Good: -3, Total: 1.25}}
	l.prepend(front)
	want = append(front, want...)
	if l.len() != len(want) {
		t.Fatalf("%d entries, want %d", l.len(), len(want))
	}
	l.each(func(i int, c slo.Counts) {
		w := want[i]
		if c != w { // -0 and 0 compare equal: the sign of a zero count means nothing
			t.Errorf("entry %d = %+v, want %+v", i, c, w)
		}
	})
	if per := float64(len(l.buf)) / float64(l.len()); per > 5 {
		t.Errorf("%.1f bytes per entry, want a few", per)
	}
}

const calendarIncidentsYAML = `
slos:
  - name: berlin
    service: shop
    objective: 99.9
    window: {calendar: month, timezone: Europe/Berlin}
    sli:
      events:
        errors: errors_total
        total: requests_total
  - name: berlin-excluded
    service: shop
    objective: 99.9
    window: {calendar: month, timezone: Europe/Berlin}
    sli:
      events:
        errors: errors_total
        total: requests_total
exclusions:
  - from: 2026-11-01T00:00:00Z
    to: 2026-11-01T00:25:00Z
    slos: [berlin-excluded]
    reason: agreed load test
    approvedBy: Jane
`

// TestIncidentsOfTheCalendarPeriod: a calendar month's incidents are those
// of the current period; at Berlin's midnight into November the October
// incident goes with the budget, and an agreed exclusion over November's
// burst leaves no incident at all. 100 requests a minute, 10 errors a
// minute 21:00-21:30 UTC on 31 October (22:00 in Berlin) and 00:00-00:20 UTC
// on 1 November (the exclusion, [00:00, 00:25), covers every sample of it).
func TestIncidentsOfTheCalendarPeriod(t *testing.T) {
	start := mustTime("2026-09-25T00:00:00Z").UnixMilli()
	end := mustTime("2026-11-02T00:00:00Z").UnixMilli()
	in := func(ts int64, from, to string) bool {
		return ts > mustTime(from).UnixMilli() && ts <= mustTime(to).UnixMilli()
	}
	total := shaped(start, end, func(int64) float64 { return 100 })
	errs := shaped(start, end, func(ts int64) float64 {
		if in(ts, "2026-10-31T21:00:00Z", "2026-10-31T21:30:00Z") || in(ts, "2026-11-01T00:00:00Z", "2026-11-01T00:20:00Z") {
			return 10
		}
		return 0
	})
	store := memory.New()
	total.Store(store, "__name__", "requests_total")
	errs.Store(store, "__name__", "errors_total")
	e, err := New(loadConfig(t, calendarIncidentsYAML), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	evaluateUntilComplete := func(at time.Time) time.Time {
		for i := 0; ; i++ {
			if e.EvaluateAt(ctx, at) != 0 {
				t.Fatalf("evaluation failed: %+v", e.Results())
			}
			b, _ := e.Result("berlin")
			x, _ := e.Result("berlin-excluded")
			if b.Incidents.Complete && x.Incidents.Complete {
				return at
			}
			if i > 70 {
				t.Fatal("the period's past is not read after 70 evaluations")
			}
			at = at.Add(30 * time.Second)
		}
	}
	share := func(from, to string, periodStart time.Time, at time.Time) float64 {
		bad := countergen.In([]countergen.Counter{errs}, mustTime(from).UnixMilli(), mustTime(to).UnixMilli())
		return bad / (0.001 * countergen.In([]countergen.Counter{total}, periodStart.UnixMilli(), at.UnixMilli()))
	}

	// October, an hour before Berlin's midnight.
	at := evaluateUntilComplete(mustTime("2026-10-31T22:00:00Z"))
	october := mustTime("2026-09-30T22:00:00Z") // 1 October 00:00 CEST
	for _, name := range []string{"berlin", "berlin-excluded"} {
		r, _ := e.Result(name)
		incs := r.Incidents.Incidents
		if !r.Incidents.WindowStart.Equal(october) || len(incs) != 1 || !incs[0].Start.Equal(mustTime("2026-10-31T21:00:00Z")) ||
			!incs[0].End.Equal(mustTime("2026-10-31T21:30:00Z")) || incs[0].Events.Bad() != 300 {
			t.Fatalf("%s in October: window from %s, incidents %+v; want one (21:00, 21:30] UTC with 300 bad", name, r.Incidents.WindowStart, incs)
		}
		if want := share("2026-10-31T21:00:00Z", "2026-10-31T21:30:00Z", october, at); math.Abs(incs[0].BudgetConsumed-want) > 1e-12*want ||
			incs[0].Postmortem != (want > 0.2) {
			t.Errorf("%s in October: share %v postmortem %v, want %v", name, incs[0].BudgetConsumed, incs[0].Postmortem, want)
		}
	}

	// Half an hour into November: the budget reset, October's incident
	// left with it; November's burst is one incident, unless excluded.
	at = evaluateUntilComplete(mustTime("2026-11-01T00:30:00Z"))
	november := mustTime("2026-10-31T23:00:00Z")
	r, _ := e.Result("berlin")
	incs := r.Incidents.Incidents
	if !r.Incidents.WindowStart.Equal(november) || len(incs) != 1 || !incs[0].Start.Equal(mustTime("2026-11-01T00:00:00Z")) ||
		!incs[0].End.Equal(mustTime("2026-11-01T00:20:00Z")) || incs[0].Events.Bad() != 200 {
		t.Fatalf("berlin in November: window from %s, incidents %+v; want one (00:00, 00:20] UTC with 200 bad", r.Incidents.WindowStart, incs)
	}
	if want := share("2026-11-01T00:00:00Z", "2026-11-01T00:20:00Z", november, at); math.Abs(incs[0].BudgetConsumed-want) > 1e-12*want || !incs[0].Postmortem {
		t.Errorf("berlin in November: share %v postmortem %v, want %v and a postmortem (200 bad of a 90-minute budget)", incs[0].BudgetConsumed, incs[0].Postmortem, want)
	}
	if x, _ := e.Result("berlin-excluded"); len(x.Incidents.Incidents) != 0 || x.Incidents.PostmortemRequired() {
		t.Errorf("berlin-excluded in November: %+v; the exclusion leaves no incident", x.Incidents.Incidents)
	}
}

// TestGroupedInstancesHaveTheirOwnIncidents: each group of a grouped SLO
// keeps its own 5m counts and finds its own incidents. Route /a has 1,000
// good and 1 bad request a minute, and a second errors series adding 400 a
// minute for the hour before the last; route /b is quiet.
func TestGroupedInstancesHaveTheirOwnIncidents(t *testing.T) {
	const hour, day = int64(3600_000), int64(24 * 3600_000)
	t0 := int64(1_700_006_400_000) // a multiple of an hour
	store := memory.New()
	add := func(perMinute float64, first, last int64, lbls ...string) {
		v := 10.0
		var ss []backend.Sample
		for ts := first; ts <= last; ts += 60_000 {
			ss = append(ss, backend.Sample{T: ts, V: v})
			v += perMinute
		}
		store.Add(labels.FromStrings(append([]string{"__name__", "http_requests_total"}, lbls...)...), ss...)
	}
	add(1000, t0-2*day, t0+hour, "route", "/a", "code", "200")
	add(1, t0-2*day, t0+hour, "route", "/a", "code", "500")
	add(400, t0-2*hour, t0-hour, "route", "/a", "code", "500", "instance", "burst") // first sample is its baseline
	add(1000, t0-2*day, t0+hour, "route", "/b", "code", "200")
	e, err := New(loadConfig(t, groupedConfig("\n    incidents: {burnRate: 10}")), Options{Source: store, Step: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.UnixMilli(t0)
	for i := 0; ; i++ {
		if e.EvaluateAt(ctx, at) != 0 {
			t.Fatalf("evaluation failed: %+v", e.Results())
		}
		done := true
		for _, r := range instances(e, "api") {
			done = done && r.Incidents != nil && r.Incidents.Complete
		}
		if done {
			break
		}
		if i > 3 {
			t.Fatal("a 1d window's past is not read after 4 evaluations")
		}
		at = at.Add(30 * time.Second)
	}
	got := instances(e, "api")
	a, b := got[`api{route="/a"}`], got[`api{route="/b"}`]
	if b.Incidents == nil || len(b.Incidents.Incidents) != 0 {
		t.Errorf("/b: incidents %+v, want none", b.Incidents)
	}
	if a.Incidents == nil || len(a.Incidents.Incidents) != 1 {
		t.Fatalf("/a: incidents %+v, want one", a.Incidents)
	}
	inc := a.Incidents.Incidents[0]
	// By hand: 60 minutes of 400 + 1 errors; the window holds 1,440
	// minutes of 1,001 requests and the burst's 24,000.
	const bad, windowTotal = 60*400 + 60*1, 1440*1001 + 60*400
	if !inc.Start.Equal(time.UnixMilli(t0-2*hour)) || !inc.End.Equal(time.UnixMilli(t0-hour)) || inc.Events.Bad() != bad {
		t.Errorf("/a incident (%s, %s] with %v bad, want (%s, %s] with %d", inc.Start, inc.End, inc.Events.Bad(),
			time.UnixMilli(t0-2*hour).UTC(), time.UnixMilli(t0-hour).UTC(), bad)
	}
	if want := bad / (0.01 * windowTotal); a.Events.Total != windowTotal || math.Abs(inc.BudgetConsumed-want) > 1e-12*want || !inc.Postmortem {
		t.Errorf("/a: window total %v, share %v postmortem %v; want %d, %v, true", a.Events.Total, inc.BudgetConsumed, inc.Postmortem, windowTotal, want)
	}
}

// TestCountLogRunsOfEmptyBuckets: runs of empty buckets are one head
// however long, and whatever mix of appends, drops from the front (inside a
// run too), prepends and resets built the log, it reads back what the plain
// encoding did entry by entry (an empty bucket as 0 good of 0), in the same
// bytes as appending the entries one by one would give.
func TestCountLogRunsOfEmptyBuckets(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	// decoded is what the encoding without runs gave back for x.
	decoded := func(x slo.Counts) slo.Counts {
		var l countLog
		l.buf = appendCounts(nil, x)
		got, _, _, _ := l.next(0)
		return got
	}
	entries := func(n int) []slo.Counts {
		var xs []slo.Counts
		for len(xs) < n {
			switch r := rng.Intn(10); {
			case r < 5: // a run of empty buckets, sometimes past a head's 1 or 2 bytes
				k := 1 + rng.Intn(80)
				if rng.Intn(8) == 0 {
					k = 8000 + rng.Intn(500)
				}
				for range k {
					xs = append(xs, slo.Counts{})
				}
			case r == 5:
				xs = append(xs, slo.Counts{Good: math.Copysign(0, -1), Total: 0})
			case r == 6:
				xs = append(xs, slo.Counts{Good: -3, Total: 0}) // not empty: 3 bad of none
			case r == 7:
				xs = append(xs, slo.Counts{Good: 0.5, Total: 2})
			default:
				total := float64(rng.Intn(5000))
				xs = append(xs, slo.Counts{Good: total - float64(rng.Intn(3)), Total: total})
			}
		}
		return xs[:n]
	}
	var l countLog
	var want []slo.Counts
	for step := 0; step < 400; step++ {
		switch op := rng.Intn(10); {
		case op < 4:
			for _, x := range entries(1 + rng.Intn(200)) {
				l.append(x)
				want = append(want, decoded(x))
			}
		case op < 7:
			k := rng.Intn(len(want) + 1)
			l.dropFront(k)
			want = want[k:]
		case op < 9:
			xs := entries(rng.Intn(300))
			l.prepend(xs)
			var front []slo.Counts
			for _, x := range xs {
				front = append(front, decoded(x))
			}
			want = append(front, want...)
		default:
			l.reset()
			want = want[:0]
		}
		if l.len() != len(want) {
			t.Fatalf("step %d: %d entries, want %d", step, l.len(), len(want))
		}
		var got []slo.Counts
		l.each(func(i int, c slo.Counts) {
			if i != len(got) {
				t.Fatalf("step %d: entry %d given as %d", step, len(got), i)
			}
			got = append(got, c)
		})
		for i := range want {
			if math.Float64bits(got[i].Good) != math.Float64bits(want[i].Good) || math.Float64bits(got[i].Total) != math.Float64bits(want[i].Total) {
				t.Fatalf("step %d: entry %d = %+v, want %+v", step, i, got[i], want[i])
			}
		}
		var one countLog
		for _, x := range want {
			one.append(x)
		}
		if string(one.buf) != string(l.buf) || one.runAt != l.runAt {
			t.Fatalf("step %d: the log's bytes (run at %d) differ from appending its entries one by one (run at %d)", step, l.runAt, one.runAt)
		}
	}
	var w countLog
	for range 8640 {
		w.append(slo.Counts{})
	}
	if len(w.buf) > 3 {
		t.Errorf("a 30d window of empty 5m buckets takes %d bytes, want one head of 2", len(w.buf))
	}
}
