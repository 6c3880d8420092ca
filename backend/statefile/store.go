// Package statefile keeps the completed hourly totals a backend computed in a
// local file (--storage.path), so a restarted daemon does not ask Prometheus
// for 30 days of every selector again before it is ready.
//
// A Store wraps a backend.HourlySource and answers HourlyIncreases from the
// file where it can. It is only a cache of what the backend answered: an
// hour is kept with the backend's own verdict (clean with its increase and
// whether it had samples, or not clean, which the caller reads raw as
// always), so counting from a warm start follows exactly the rules of a
// cold one. On the first use of a selector after start, two kept hours are
// asked again and compared (the newest kept hour, which the query for the
// hours since the last run covers anyway, and the oldest kept hour the
// caller needs, which is the first to go when Prometheus's retention cuts
// into the window); when either disagrees, the selector's kept hours are
// dropped and everything is read again. A lost, unreadable or foreign file
// (another backend URL, another format version) is a cold start.
package statefile

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/slobudget/slobudget/backend"
)

const hourMs = int64(time.Hour / time.Millisecond)

// keepSpan bounds how far back a selector's kept hours reach: the longest
// window the config accepts (366d) and a day.
const keepSpan = 367 * 24 * hourMs

// hourState is what the backend said of one hour.
type hourState uint8

const (
	// unclean: the backend could not compute the hour (a reset, a bad
	// sample, a gap at its edge, churn); the caller reads it raw.
	unclean hourState = iota
	cleanSampled
	cleanEmpty // clean, no series had a sample in the hour
)

// record is one selector's kept hours: Hours[i] ends at First + i hours.
type record struct {
	First    int64
	States   []hourState
	Increase []float64
	// checked: validated against the backend in this process.
	checked bool
}

func (r *record) last() int64 { return r.First + int64(len(r.States)-1)*hourMs }

func (r *record) has(h int64) bool { return len(r.States) > 0 && h >= r.First && h <= r.last() }

func (r *record) at(h int64) (hourState, float64) {
	i := (h - r.First) / hourMs
	return r.States[i], r.Increase[i]
}

// Stats says how much the Store answered from the file.
type Stats struct {
	// HoursFromFile were answered from the file without asking the backend.
	HoursFromFile int64
	// HoursAsked were asked of the backend (missing, spot checks, re-reads).
	HoursAsked int64
	// Dropped counts selectors whose kept hours disagreed with a spot check.
	Dropped int64
}

// Store is a backend.HourlySource that keeps computed hours in a file.
type Store struct {
	backend.HourlySource
	path     string
	identity string

	mu      sync.Mutex
	records map[string]*record
	// selectorMu serialises the calls for one selector (SLOs that share it
	// start at once): the second finds the first one's checked record
	// instead of checking and asking again.
	selectorMu map[string]*sync.Mutex
	dirty      bool
	stats      Stats
	// hold, while open, keeps the periodic flushes from writing (see
	// HoldFlushesUntil); Close writes regardless.
	hold <-chan struct{}

	stop chan struct{}
	done chan struct{}
}

// Options configure Open.
type Options struct {
	// Dir is the --storage.path directory; created when missing.
	Dir string
	// Identity names the backend the hours came from (its URL); a file
	// written for another identity is ignored.
	Identity string
	// FlushEvery is how often kept hours are written when they changed;
	// default 10s. Close writes them too.
	FlushEvery time.Duration
	// OnError is told of a file that could not be read or written; the
	// Store goes on (a cold start, or the next flush tries again).
	OnError func(error)
}

// Open wraps src with the state file in o.Dir, reading what an earlier run
// kept there.
func Open(src backend.HourlySource, o Options) (*Store, error) {
	if o.Dir == "" {
		return nil, fmt.Errorf("statefile: no directory")
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = 10 * time.Second
	}
	s := &Store{HourlySource: src, path: filePath(o.Dir), identity: o.Identity, records: map[string]*record{}, selectorMu: map[string]*sync.Mutex{},
		stop: make(chan struct{}), done: make(chan struct{})}
	if err := ensureDir(o.Dir); err != nil {
		return nil, err
	}
	recs, err := load(s.path, o.Identity)
	switch {
	case err != nil && o.OnError != nil:
		o.OnError(fmt.Errorf("state file %s not used (a cold start): %w", s.path, err))
	case err == nil:
		s.records = recs
	}
	go s.flushLoop(o.FlushEvery, o.OnError)
	return s, nil
}

// Stats returns what the Store answered so far.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// HoldFlushesUntil keeps the periodic flushes from writing until done is
// closed. The daemon holds them until its first full evaluation: a warm
// start changes every selector's record within seconds, and writing the
// file (gob and gzip of every kept hour: about 1 s of CPU at 10,000 SLOs,
// seen in the warm restart's profile) every FlushEvery of it competes
// with the start-up for the CPU. A crash meanwhile leaves the last file,
// which is still valid: the next start only asks more hours again.
func (s *Store) HoldFlushesUntil(done <-chan struct{}) {
	s.mu.Lock()
	s.hold = done
	s.mu.Unlock()
}

// Close writes the kept hours and stops the flushing.
func (s *Store) Close() error {
	close(s.stop)
	<-s.done
	return s.Flush()
}

func (s *Store) flushLoop(every time.Duration, onError func(error)) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			hold := s.hold
			s.mu.Unlock()
			if hold != nil {
				select {
				case <-hold:
				default:
					continue // held: the file on disk stays the last one
				}
			}
			if err := s.Flush(); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}

// HourlyIncreases answers from the file the hours it keeps and asks the
// backend for the others (see the package comment for the spot checks).
func (s *Store) HourlyIncreases(ctx context.Context, selector string, first, last time.Time) (map[int64]backend.Hour, error) {
	lo, hi := first.UnixMilli(), last.UnixMilli()
	if hi < lo || lo%hourMs != 0 || hi%hourMs != 0 {
		return s.HourlySource.HourlyIncreases(ctx, selector, first, last)
	}
	s.mu.Lock()
	smu := s.selectorMu[selector]
	if smu == nil {
		smu = &sync.Mutex{}
		s.selectorMu[selector] = smu
	}
	s.mu.Unlock()
	smu.Lock()
	defer smu.Unlock()
	s.mu.Lock()
	rec := s.records[selector]
	s.mu.Unlock()

	if rec != nil && (len(rec.States) == 0 || rec.last() < lo || rec.First > hi) {
		rec = nil // nothing kept that is needed now
	}
	check := rec != nil && !rec.checked
	// Ask for the hours the record does not hold: before it and after it.
	// On the first use, the query of the hours after it starts at its
	// newest hour, which is compared with the kept one, and the older spot
	// check is asked at the same time (one round trip instead of two in a
	// row: every selector of a warm start waits for both); when it
	// disagrees, the other answers are not used and everything is read.
	var asked []span
	newest := int64(-1)
	var older chan spotResult
	if check {
		older = make(chan spotResult, 1)
		go func() {
			ok, err := s.spotCheckOlder(ctx, selector, rec, lo, hi)
			older <- spotResult{ok, err}
		}()
	}
	switch {
	case rec == nil:
		rec = &record{First: lo}
		asked = append(asked, span{lo, hi})
	default:
		if lo < rec.First {
			asked = append(asked, span{lo, rec.First - hourMs})
		}
		switch {
		case hi > rec.last() && check:
			newest = rec.last()
			asked = append(asked, span{newest, hi})
		case hi > rec.last():
			asked = append(asked, span{rec.last() + hourMs, hi})
		case check:
			newest = hi
			asked = append(asked, span{hi, hi})
		}
	}
	answers, err := s.ask(ctx, selector, asked)
	if older != nil {
		o := <-older
		switch {
		case o.err != nil:
			return nil, o.err
		case err == nil && !o.ok:
			// The older kept hour disagreed (the record is dropped):
			// read every hour, as without a record.
			rec, asked, newest = &record{First: lo}, []span{{lo, hi}}, -1
			answers, err = s.ask(ctx, selector, asked)
		}
	}
	if err != nil {
		return nil, err
	}
	if newest >= 0 && !s.agrees(selector, rec, newest, answers) {
		// The backend's data changed under the kept hours: read them all.
		rec, asked = &record{First: lo}, []span{{lo, hi}}
		if answers, err = s.ask(ctx, selector, asked); err != nil {
			return nil, err
		}
	}
	merged := merge(rec, asked, answers, lo, hi)
	merged.checked = true

	out := make(map[int64]backend.Hour, len(merged.States))
	var fromFile int64
	for h := lo; h <= hi; h += hourMs {
		st, v := merged.at(h)
		if st != unclean {
			out[h] = backend.Hour{Increase: v, Sampled: st == cleanSampled}
		}
		if !inSpans(asked, h) {
			fromFile++
		}
	}
	s.mu.Lock()
	s.records[selector] = merged
	s.dirty = true
	s.stats.HoursFromFile += fromFile
	s.mu.Unlock()
	return out, nil
}

type span struct{ from, to int64 } // hour ends, inclusive

// spotResult is spotCheckOlder's answer.
type spotResult struct {
	ok  bool
	err error
}

func inSpans(ss []span, h int64) bool {
	for _, s := range ss {
		if h >= s.from && h <= s.to {
			return true
		}
	}
	return false
}

func spanHours(ss []span) int64 {
	var n int64
	for _, s := range ss {
		n += (s.to-s.from)/hourMs + 1
	}
	return n
}

// merge returns the record of the hours lo..hi and of the kept hours around
// them: kept ones from rec, asked ones from the answers (an asked hour
// without an answer is not clean). Kept hours outside lo..hi stay, because
// another SLO with the same selector and a longer window needs them; only
// hours more than keepSpan before the newest are dropped.
func merge(rec *record, asked []span, answers map[int64]backend.Hour, lo, hi int64) *record {
	if len(rec.States) > 0 {
		lo, hi = min(lo, rec.First), max(hi, rec.last())
	}
	lo = max(lo, hi-keepSpan+hourMs)
	n := (hi-lo)/hourMs + 1
	out := &record{First: lo, States: make([]hourState, n), Increase: make([]float64, n)}
	for i := int64(0); i < n; i++ {
		h := lo + i*hourMs
		if !inSpans(asked, h) && rec.has(h) {
			out.States[i], out.Increase[i] = rec.at(h)
			continue
		}
		if v, ok := answers[h]; ok {
			out.States[i], out.Increase[i] = cleanEmpty, v.Increase
			if v.Sampled {
				out.States[i] = cleanSampled
			}
		}
	}
	return out
}

// ask asks the backend for the hours of the spans.
func (s *Store) ask(ctx context.Context, selector string, spans []span) (map[int64]backend.Hour, error) {
	answers := map[int64]backend.Hour{}
	for _, sp := range spans {
		got, err := s.HourlySource.HourlyIncreases(ctx, selector, time.UnixMilli(sp.from), time.UnixMilli(sp.to))
		if err != nil {
			return nil, err
		}
		for h, v := range got {
			answers[h] = v
		}
	}
	s.mu.Lock()
	s.stats.HoursAsked += spanHours(spans)
	s.mu.Unlock()
	return answers, nil
}

// agrees reports whether the backend's answer for the kept hour h is the
// kept one (both not clean, or both clean with the same increase and
// samples); it drops the selector's record when not.
func (s *Store) agrees(selector string, rec *record, h int64, answers map[int64]backend.Hour) bool {
	st, v := rec.at(h)
	ans, ok := answers[h]
	agree := ok == (st != unclean) && (!ok || ans.Increase == v && ans.Sampled == (st == cleanSampled))
	if !agree {
		s.mu.Lock()
		s.stats.Dropped++
		delete(s.records, selector)
		s.mu.Unlock()
	}
	return agree
}

// spotCheckOlder asks the backend again for the oldest kept hour inside
// lo..hi and reports whether it agrees. Retention deletes the oldest data
// first, so this is the hour that tells a file holding hours Prometheus no
// longer has (a cold start would count none there) from one that is still
// true.
func (s *Store) spotCheckOlder(ctx context.Context, selector string, rec *record, lo, hi int64) (bool, error) {
	newest := min(rec.last(), hi)
	c := max(rec.First, lo)
	if c >= newest {
		return true, nil // only the newest hour is kept: it is checked with the query after it
	}
	answers, err := s.ask(ctx, selector, []span{{c, c}})
	if err != nil {
		return false, err
	}
	return s.agrees(selector, rec, c, answers), nil
}
