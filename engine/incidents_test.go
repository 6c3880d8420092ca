package engine

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

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
