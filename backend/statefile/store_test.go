package statefile

import (
	"context"
	"maps"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend"
)

// hoursSource is a backend whose hours are a table: hour end -> answer;
// a missing key is an hour the backend cannot compute. It counts the hours
// it was asked for.
type hoursSource struct {
	mu    sync.Mutex // a Store asks a selector's spot check and new hours at once
	hours map[string]map[int64]backend.Hour
	asked int64
}

func (h *hoursSource) Samples(context.Context, string, time.Time, time.Time) ([]backend.Series, error) {
	return nil, nil
}

func (h *hoursSource) HourlyIncreases(_ context.Context, sel string, first, last time.Time) (map[int64]backend.Hour, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[int64]backend.Hour{}
	for t := first.UnixMilli(); t <= last.UnixMilli(); t += hourMs {
		h.asked++
		if v, ok := h.hours[sel][t]; ok {
			out[t] = v
		}
	}
	return out, nil
}

var base = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

func hour(i int) int64 { return base + int64(i)*hourMs }

// table has n hours for sel: hour i has i events, every 7th hour is not
// clean, every 11th is clean without samples.
func table(n int) map[int64]backend.Hour {
	m := map[int64]backend.Hour{}
	for i := 0; i < n; i++ {
		switch {
		case i%7 == 3:
		case i%11 == 5:
			m[hour(i)] = backend.Hour{}
		default:
			m[hour(i)] = backend.Hour{Increase: float64(i), Sampled: true}
		}
	}
	return m
}

// want is what the backend itself answers for lo..hi.
func want(src *hoursSource, sel string, lo, hi int) map[int64]backend.Hour {
	saved := src.asked
	got, _ := src.HourlyIncreases(context.Background(), sel, time.UnixMilli(hour(lo)), time.UnixMilli(hour(hi)))
	src.asked = saved
	return got
}

func open(t *testing.T, src *hoursSource, dir, identity string) *Store {
	t.Helper()
	s, err := Open(src, Options{Dir: dir, Identity: identity, FlushEvery: time.Hour, OnError: func(err error) { t.Logf("state file: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ask(t *testing.T, s *Store, sel string, lo, hi int) map[int64]backend.Hour {
	t.Helper()
	got, err := s.HourlyIncreases(context.Background(), sel, time.UnixMilli(hour(lo)), time.UnixMilli(hour(hi)))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestWarmStartAsksOnlyNewHoursAndTwoChecks(t *testing.T) {
	dir := t.TempDir()
	src := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(800), "b": table(800)}}

	cold := open(t, src, dir, "http://prom")
	for _, sel := range []string{"a", "b"} {
		if got := ask(t, cold, sel, 0, 719); !maps.Equal(got, want(src, sel, 0, 719)) {
			t.Fatalf("cold %s: answers differ from the backend's", sel)
		}
	}
	if src.asked != 2*720 {
		t.Fatalf("cold start asked %d hours, want %d", src.asked, 2*720)
	}
	if err := cold.Close(); err != nil {
		t.Fatal(err)
	}

	// A day later: hours 24..743 are needed; 720..743 are new.
	src.asked = 0
	warm := open(t, src, dir, "http://prom")
	defer warm.Close()
	for _, sel := range []string{"a", "b"} {
		if got := ask(t, warm, sel, 24, 743); !maps.Equal(got, want(src, sel, 24, 743)) {
			t.Fatalf("warm %s: answers differ from the backend's", sel)
		}
	}
	if wantAsked := int64(2 * (24 + 2)); src.asked != wantAsked {
		t.Fatalf("warm start asked %d hours, want %d (24 new and 2 spot checks per selector)", src.asked, wantAsked)
	}
	st := warm.Stats()
	if st.HoursFromFile != 2*695 || st.Dropped != 0 { // 24..719 kept, the newest asked again
		t.Fatalf("stats %+v, want 1390 hours from the file and none dropped", st)
	}
}

func TestDisagreeingSpotCheckRereadsTheSelector(t *testing.T) {
	dir := t.TempDir()
	src := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(100)}}
	s := open(t, src, dir, "p")
	ask(t, s, "a", 0, 49)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The backend's data changed (another Prometheus, data deleted): the
	// newest kept hour now has other counts.
	src.hours["a"][hour(49)] = backend.Hour{Increase: 4900, Sampled: true}
	src.asked = 0
	s = open(t, src, dir, "p")
	defer s.Close()
	if got := ask(t, s, "a", 0, 59); !maps.Equal(got, want(src, "a", 0, 59)) {
		t.Fatal("answers after a failed spot check differ from the backend's")
	}
	if st := s.Stats(); st.Dropped != 1 || st.HoursFromFile != 0 {
		t.Fatalf("stats %+v, want the selector dropped and nothing from the file", st)
	}
	// The older spot check, the hours from the newest kept one on, then all.
	if src.asked != 1+11+60 {
		t.Fatalf("asked %d hours, want the spot check, 49..59 and all 60", src.asked)
	}
}

func TestForeignOrBrokenFileIsAColdStart(t *testing.T) {
	dir := t.TempDir()
	src := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(100)}}
	s := open(t, src, dir, "http://one")
	ask(t, s, "a", 0, 49)
	s.Close()

	src.asked = 0
	other := open(t, src, dir, "http://two")
	ask(t, other, "a", 0, 49)
	other.Close()
	if src.asked != 50 {
		t.Fatalf("a file of another backend answered: asked %d hours, want 50", src.asked)
	}

	if err := os.WriteFile(filePath(dir), []byte("not gzip"), 0o600); err != nil {
		t.Fatal(err)
	}
	var reported error
	src.asked = 0
	broken, err := Open(src, Options{Dir: dir, Identity: "http://two", OnError: func(err error) { reported = err }})
	if err != nil {
		t.Fatal(err)
	}
	defer broken.Close()
	if got := ask(t, broken, "a", 0, 49); !maps.Equal(got, want(src, "a", 0, 49)) || src.asked != 50 {
		t.Fatalf("broken file: asked %d hours, answers equal: %v", src.asked, maps.Equal(got, want(src, "a", 0, 49)))
	}
	if reported == nil {
		t.Fatal("a broken state file was not reported")
	}
}

// Hours the caller asks for before the kept ones (a longer window after a
// reload) are asked; kept ones in between are not.
func TestLongerRangeAsksOnlyTheMissingStart(t *testing.T) {
	src := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(200)}}
	s := open(t, src, t.TempDir(), "p")
	defer s.Close()
	ask(t, s, "a", 100, 199)
	src.asked = 0
	if got := ask(t, s, "a", 50, 199); !maps.Equal(got, want(src, "a", 50, 199)) {
		t.Fatal("answers differ")
	}
	if src.asked != 50 {
		t.Fatalf("asked %d hours, want the 50 before the kept ones", src.asked)
	}
}

// Two SLOs share a selector with windows of different lengths: the shorter
// request must not drop the hours the longer one needs after a restart.
func TestSharedSelectorKeepsTheLongerRange(t *testing.T) {
	dir := t.TempDir()
	src := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(800)}}
	s := open(t, src, dir, "p")
	ask(t, s, "a", 0, 719)  // 30d
	ask(t, s, "a", 48, 719) // 28d, asked second
	s.Close()
	src.asked = 0
	s = open(t, src, dir, "p")
	defer s.Close()
	for _, r := range [][2]int{{0, 719}, {48, 719}} {
		if got := ask(t, s, "a", r[0], r[1]); !maps.Equal(got, want(src, "a", r[0], r[1])) {
			t.Fatalf("%v: answers differ", r)
		}
	}
	if src.asked != 2 {
		t.Fatalf("asked %d hours after the restart, want only the two spot checks", src.asked)
	}
}

// Prometheus's retention cut the oldest hours of the window after the file
// was written: the warm start must answer as a cold start does (no data
// there), not with the kept hours Prometheus no longer has.
func TestRetentionCutIsNotAnsweredFromTheFile(t *testing.T) {
	dir := t.TempDir()
	src := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(200)}}
	s := open(t, src, dir, "p")
	ask(t, s, "a", 0, 199)
	s.Close()
	for i := 0; i < 30; i++ {
		src.hours["a"][hour(i)] = backend.Hour{} // deleted: clean, no samples
	}
	s = open(t, src, dir, "p")
	defer s.Close()
	if got := ask(t, s, "a", 0, 199); !maps.Equal(got, want(src, "a", 0, 199)) {
		t.Fatal("the warm start answered hours Prometheus no longer holds from the file")
	}
	if st := s.Stats(); st.Dropped != 1 {
		t.Fatalf("stats %+v, want the selector dropped by the oldest hour's check", st)
	}
}

// SLOs sharing a selector start at once: after a restart the selector's
// kept hours are checked once, not once per SLO.
func TestConcurrentUsersOfASelectorCheckOnce(t *testing.T) {
	dir := t.TempDir()
	src := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(800)}}
	s := open(t, src, dir, "p")
	ask(t, s, "a", 0, 719)
	s.Close()
	src.asked = 0
	s = open(t, src, dir, "p")
	defer s.Close()
	var wg sync.WaitGroup
	for _, lo := range []int{0, 48, 0, 48} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ask(t, s, "a", lo, 719)
		}()
	}
	wg.Wait()
	if src.asked != 2 {
		t.Fatalf("four concurrent users asked %d hours after the restart, want the two spot checks once", src.asked)
	}
}

// pairedSource answers like its hoursSource once two calls are in flight
// at once (or after a second): it tells whether the Store asked the older
// spot check and the new hours together.
type pairedSource struct {
	*hoursSource
	mu       sync.Mutex
	inFlight int
	paired   bool
	both     chan struct{}
}

func (p *pairedSource) HourlyIncreases(ctx context.Context, sel string, first, last time.Time) (map[int64]backend.Hour, error) {
	p.mu.Lock()
	p.inFlight++
	if p.inFlight == 2 && !p.paired {
		p.paired = true
		close(p.both)
	}
	p.mu.Unlock()
	select {
	case <-p.both:
	case <-time.After(time.Second):
	}
	defer func() { p.mu.Lock(); p.inFlight--; p.mu.Unlock() }()
	return p.hoursSource.HourlyIncreases(ctx, sel, first, last)
}

// The first use after a restart asks the older spot check and the new
// hours in one round trip, not one after the other, with the answers and
// the hours asked as before.
func TestSpotCheckAndNewHoursAskedAtOnce(t *testing.T) {
	dir := t.TempDir()
	hs := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(800)}}
	s := open(t, hs, dir, "p")
	ask(t, s, "a", 0, 719)
	s.Close()
	hs.asked = 0
	src := &pairedSource{hoursSource: hs, both: make(chan struct{})}
	s, err := Open(src, Options{Dir: dir, Identity: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := ask(t, s, "a", 24, 743); !maps.Equal(got, want(hs, "a", 24, 743)) {
		t.Fatal("answers differ from the backend's")
	}
	if !src.paired {
		t.Error("the older spot check and the new hours were asked one after the other")
	}
	if hs.asked != 24+2 {
		t.Errorf("asked %d hours, want 24 new and 2 spot checks", hs.asked)
	}
}

// Held flushes do not write the file; once the hold ends they do, and
// Close writes regardless.
func TestHeldFlushesDoNotWrite(t *testing.T) {
	dir := t.TempDir()
	src := &hoursSource{hours: map[string]map[int64]backend.Hour{"a": table(100)}}
	s, err := Open(src, Options{Dir: dir, Identity: "p", FlushEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hold := make(chan struct{})
	s.HoldFlushesUntil(hold)
	ask(t, s, "a", 0, 49)
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(filePath(dir)); !os.IsNotExist(err) {
		t.Fatalf("a held flush wrote the file (stat: %v)", err)
	}
	close(hold)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(filePath(dir)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no flush after the hold ended")
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Close writes even while held.
	dir2 := t.TempDir()
	s, err = Open(src, Options{Dir: dir2, Identity: "p"})
	if err != nil {
		t.Fatal(err)
	}
	s.HoldFlushesUntil(make(chan struct{}))
	ask(t, s, "a", 0, 49)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filePath(dir2)); err != nil {
		t.Fatalf("Close while held wrote nothing: %v", err)
	}
}
