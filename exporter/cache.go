package exporter

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// renderCache serves rendered pages (/metrics, the status page, the JSON
// API) from one rendering per evaluation: an entry is keyed by path, query
// and whether the client takes gzip, and is valid while the engine's
// results generation is unchanged. For clients that take gzip, a page its
// handler did not compress is compressed once, when it is rendered. Concurrent requests for an entry being
// rendered wait for that one rendering instead of rendering again, so 200
// clients cost one rendering per key per evaluation, whatever the page
// shows. Memory is bounded: entries of older generations are dropped as new
// ones come, and beyond maxBytes pages are rendered without being kept.
type renderCache struct {
	generation func() uint64
	maxBytes   int

	mu      sync.Mutex
	entries map[string]*cacheEntry
	bytes   int
}

type cacheEntry struct {
	key    string
	gen    uint64
	done   chan struct{} // closed once rendered
	status int
	header http.Header
	body   []byte
	kept   bool // counted in renderCache.bytes
}

func newRenderCache(generation func() uint64, maxBytes int) *renderCache {
	return &renderCache{generation: generation, maxBytes: maxBytes, entries: map[string]*cacheEntry{}}
}

// wrap caches next's GET answers.
func (c *renderCache) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		key := r.URL.Path + "?" + r.URL.RawQuery
		gz := acceptsGzip(r)
		if gz {
			key = "gzip " + key
		}
		gen := c.generation()
		c.mu.Lock()
		e := c.entries[key]
		if e == nil || e.gen != gen {
			e = &cacheEntry{key: key, gen: gen, done: make(chan struct{})}
			c.replace(e)
			c.mu.Unlock()
			c.render(e, next, r, gz)
		} else {
			c.mu.Unlock()
		}
		<-e.done
		for k, v := range e.header {
			w.Header()[k] = v
		}
		w.WriteHeader(e.status)
		_, _ = w.Write(e.body)
	})
}

// replace stores e under its key and drops entries of older generations;
// c.mu is held.
func (c *renderCache) replace(e *cacheEntry) {
	if old := c.entries[e.key]; old != nil && old.kept {
		c.bytes -= len(old.body)
	}
	c.entries[e.key] = e
	for k, old := range c.entries {
		if old.gen != e.gen && k != e.key {
			select {
			case <-old.done:
				if old.kept {
					c.bytes -= len(old.body)
				}
				delete(c.entries, k)
			default: // still rendering: its waiters need it
			}
		}
	}
}

func (c *renderCache) render(e *cacheEntry, next http.Handler, r *http.Request, gz bool) {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	defer func() {
		e.status, e.header, e.body = rec.status, rec.header, rec.body.Bytes()
		if gz && e.status == http.StatusOK && e.header.Get("Content-Encoding") == "" && len(e.body) > 1024 {
			e.body = gzipped(e.body)
			e.header.Set("Content-Encoding", "gzip")
			e.header.Add("Vary", "Accept-Encoding")
			e.header.Del("Content-Length")
		}
		if cap(e.body) > len(e.body)+len(e.body)/8+4096 {
			// A bytes.Buffer grown by doubling holds up to twice the page
			// (/metrics of 10,000 SLOs: 26 MB): keep only the page.
			e.body = slices.Clone(e.body)
		}
		c.mu.Lock()
		switch {
		case c.entries[e.key] != e:
			// Replaced meanwhile by a newer generation's rendering.
		case e.status == http.StatusOK && c.bytes+len(e.body) <= c.maxBytes:
			e.kept = true
			c.bytes += len(e.body)
		default:
			// Not kept (an error, or no room): the next request renders again.
			delete(c.entries, e.key)
		}
		c.mu.Unlock()
		close(e.done)
	}()
	next.ServeHTTP(rec, r)
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Bytes()
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if enc, _, _ := strings.Cut(strings.TrimSpace(part), ";"); enc == "gzip" {
			return true
		}
	}
	return false
}

// recorder is an http.ResponseWriter that keeps the answer.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

// Grow reserves room for n more bytes of body: a page that knows its size
// (textSink) is then written into one allocation.
func (r *recorder) Grow(n int) { r.body.Grow(n) }

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
