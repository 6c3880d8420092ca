package backend

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// StateFileName is the file HourlyCache keeps under --storage.path.
const StateFileName = "hourly-totals.gob"

// stateFileVersion changes whenever the file's meaning changes; a file of
// another version is ignored (and rewritten), never half-used.
const stateFileVersion = 1

// spotCheckEvery is the distance between the stored hours a start-up asks
// the backend for again: the newest stored hour of a selector and every
// 24th before it, so 30 days of stored hours cost two range queries with
// 30 steps.
const spotCheckEvery = 24 * time.Hour

// keepHours is how long a stored hour is kept: longer than any window (a
// calendar quarter is at most 92 days).
const keepHours = 100 * 24 * time.Hour

// HourlyCache is the daemon's state file: an HourlySource over a Prometheus
// client that keeps the completed hours the backend computed (and the hours
// it left out for a raw read) in a local file, so that a restart asks the
// backend only for the hours it has not seen, plus spot-checks.
//
// On every start-up read of a selector the cache first asks the backend
// again for the newest stored hour and every 24th hour before it; if any
// answer differs from the file (late data rewrote an hour, the file belongs
// to another data set, the backend's data was deleted), every stored hour
// of that selector is dropped and read from the backend as if there were no
// file. Hours that are not stored (completed since the file was written,
// or beyond what it held) are read from the backend with the usual queries.
// A lost, unreadable or foreign file (another backend URL or flavor) is
// ignored: the start-up is then as slow as without one, and exact.
type HourlyCache struct {
	src  *Prometheus
	path string
	key  string

	mu    sync.Mutex
	sel   map[string]*storedSelector
	dirty bool
	timer *time.Timer
	stats CacheStats
	// saveErr is the last failed write, reported by Flush.
	saveErr error
}

// CacheStats counts hours by what the cache did with them.
type CacheStats struct {
	// Served hours came from the file (spot-checked or not).
	Served int
	// Queried hours were asked from the backend because the file lacked them.
	Queried int
	// SpotChecked hours were asked again to validate the file.
	SpotChecked int
	// Discarded counts selectors whose stored hours failed a spot-check.
	Discarded int
}

// storedSelector is one selector's stored hours, keyed by hour end (ms).
type storedSelector struct {
	Hours map[int64]Hour
	// Raw are the hours the backend left out (a reset, a bad sample, a
	// series born or gone): the caller reads them raw, as it would anyway.
	Raw map[int64]bool
}

type stateFile struct {
	Version   int
	Backend   string
	Selectors map[string]*storedSelector
}

var _ HourlySource = (*HourlyCache)(nil)

// NewHourlyCache opens (or starts) the state file in dir for the backend p.
// status says what was found, for the start-up log.
func NewHourlyCache(p *Prometheus, dir string) (c *HourlyCache, status string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("--storage.path: %w", err)
	}
	c = &HourlyCache{src: p, path: filepath.Join(dir, StateFileName), key: p.URL() + " flavor=" + string(p.flav), sel: map[string]*storedSelector{}}
	raw, err := os.ReadFile(c.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return c, "no state file yet: every hour is read from the backend", nil
	case err != nil:
		return c, fmt.Sprintf("state file unreadable (%v): ignored, every hour is read from the backend", err), nil
	}
	var f stateFile
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&f); err != nil {
		return c, fmt.Sprintf("state file %s is damaged (%v): ignored, every hour is read from the backend", c.path, err), nil
	}
	if f.Version != stateFileVersion || f.Backend != c.key {
		return c, fmt.Sprintf("state file %s was written for %q (version %d): ignored, every hour is read from the backend", c.path, f.Backend, f.Version), nil
	}
	if f.Selectors != nil {
		c.sel = f.Selectors
	}
	return c, fmt.Sprintf("state file %s: stored hours of %d selectors, validated by spot-checks as each is read", c.path, len(c.sel)), nil
}

// Samples implements Source: raw reads are never cached.
func (c *HourlyCache) Samples(ctx context.Context, selector string, from, to time.Time) ([]Series, error) {
	return c.src.Samples(ctx, selector, from, to)
}

// URL is the backend's URL as it may be logged.
func (c *HourlyCache) URL() string { return c.src.URL() }

// Stats returns what the cache did so far.
func (c *HourlyCache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// HourlyIncreases implements HourlySource from the file where it can.
func (c *HourlyCache) HourlyIncreases(ctx context.Context, selector string, first, last time.Time) (map[int64]Hour, error) {
	lo, hi := first.UnixMilli(), last.UnixMilli()
	const hourMs = int64(time.Hour / time.Millisecond)
	c.mu.Lock()
	st := c.sel[selector].clone()
	c.mu.Unlock()

	known := func(h int64) bool {
		if st == nil {
			return false
		}
		_, ok := st.Hours[h]
		return ok || st.Raw[h]
	}
	spotChecked, discarded := 0, 0
	if st != nil {
		anchor := int64(-1)
		for h := hi; h >= lo; h -= hourMs {
			if known(h) {
				anchor = h
				break
			}
		}
		if anchor >= 0 {
			oldest := anchor
			for h := anchor; h >= lo; h -= spotCheckEvery.Milliseconds() {
				oldest = h
			}
			got, err := hourlyIncreasesEvery(ctx, c.src, selector, time.UnixMilli(oldest), time.UnixMilli(anchor), spotCheckEvery)
			if err != nil {
				return nil, err
			}
			for h := oldest; h <= anchor; h += spotCheckEvery.Milliseconds() {
				if !known(h) {
					continue
				}
				spotChecked++
				g, clean := got[h]
				stored, had := st.Hours[h]
				if clean != had || (clean && g != stored) {
					st, discarded = nil, 1 // the file no longer says what the backend says
					break
				}
			}
		}
	}
	if st == nil {
		st = &storedSelector{Hours: map[int64]Hour{}, Raw: map[int64]bool{}}
	}
	// Ask the backend for each run of hours the file lacks.
	queried := 0
	for h := lo; h <= hi; {
		if known(h) {
			h += hourMs
			continue
		}
		end := h
		for end+hourMs <= hi && !known(end+hourMs) {
			end += hourMs
		}
		got, err := hourlyIncreases(ctx, c.src, selector, time.UnixMilli(h), time.UnixMilli(end))
		if err != nil {
			return nil, err
		}
		for x := h; x <= end; x += hourMs {
			if v, ok := got[x]; ok {
				st.Hours[x] = v
			} else {
				st.Raw[x] = true
			}
			queried++
		}
		h = end + hourMs
	}
	out := make(map[int64]Hour, hi/hourMs-lo/hourMs+1)
	// Several SLOs may share a selector with different windows: hours
	// before this call's range stay until they are older than any window.
	expired := hi - keepHours.Milliseconds()
	for h, v := range st.Hours {
		switch {
		case h < expired:
			delete(st.Hours, h)
		case h >= lo && h <= hi:
			out[h] = v
		}
	}
	for h := range st.Raw {
		if h < expired {
			delete(st.Raw, h)
		}
	}
	c.mu.Lock()
	c.sel[selector] = st
	c.stats.Served += int((hi-lo)/hourMs+1) - queried
	c.stats.Queried += queried
	c.stats.SpotChecked += spotChecked
	c.stats.Discarded += discarded
	c.dirty = true
	if c.timer == nil {
		// Many selectors load at once: write the file once they are done.
		c.timer = time.AfterFunc(2*time.Second, func() { _ = c.Flush() })
	}
	c.mu.Unlock()
	return out, nil
}

func (s *storedSelector) clone() *storedSelector {
	if s == nil {
		return nil
	}
	out := &storedSelector{Hours: make(map[int64]Hour, len(s.Hours)), Raw: make(map[int64]bool, len(s.Raw))}
	for h, v := range s.Hours {
		out.Hours[h] = v
	}
	for h := range s.Raw {
		out.Raw[h] = true
	}
	return out
}

// Flush writes the file now if anything changed (atomically: a crash leaves
// the old file or the new one, never half of one).
func (c *HourlyCache) Flush() error {
	c.mu.Lock()
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if !c.dirty {
		err := c.saveErr
		c.mu.Unlock()
		return err
	}
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(stateFile{Version: stateFileVersion, Backend: c.key, Selectors: c.sel})
	c.dirty = false
	c.mu.Unlock()
	if err == nil {
		err = writeAtomically(c.path, buf.Bytes())
	}
	c.mu.Lock()
	c.saveErr = err
	if err != nil {
		c.dirty = true
	}
	c.mu.Unlock()
	return err
}

func writeAtomically(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// storedHours lists a selector's stored clean hours in order (tests).
func (c *HourlyCache) storedHours(selector string) []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var hs []int64
	if st := c.sel[selector]; st != nil {
		for h := range st.Hours {
			hs = append(hs, h)
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	return hs
}
