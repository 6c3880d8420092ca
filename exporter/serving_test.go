package exporter

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRenderCacheRendersOncePerGeneration(t *testing.T) {
	var gen atomic.Uint64
	var renders atomic.Int32
	release := make(chan struct{})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		<-release
		w.Header().Set("X-Gen", r.URL.Path)
		if r.URL.Query().Get("fail") != "" {
			http.Error(w, "broken", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("page " + r.URL.RawQuery))
	})
	c := newRenderCache(gen.Load, 1<<20)
	h := c.wrap(inner)
	get := func(target, enc string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", target, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	// 50 clients at once: one rendering, 50 identical answers.
	var wg sync.WaitGroup
	bodies := make([]string, 50)
	for i := range bodies {
		wg.Add(1)
		go func() { defer wg.Done(); bodies[i] = get("/metrics?a=1", "").Body.String() }()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renderings for 50 concurrent requests, want 1", n)
	}
	for _, b := range bodies {
		if b != "page a=1" {
			t.Fatalf("answer %q", b)
		}
	}
	// Another query, another encoding: entries of their own.
	get("/metrics?a=2", "")
	get("/metrics?a=1", "gzip, deflate")
	get("/metrics?a=1", "")
	if n := renders.Load(); n != 3 {
		t.Errorf("%d renderings, want 3 (a=1, a=2, a=1 gzip)", n)
	}
	// A new evaluation: rendered again, and old generations are dropped.
	gen.Add(1)
	get("/metrics?a=1", "")
	if n := renders.Load(); n != 4 {
		t.Errorf("%d renderings after a new generation, want 4", n)
	}
	c.mu.Lock()
	entries := len(c.entries)
	c.mu.Unlock()
	if entries != 1 {
		t.Errorf("%d entries kept after the generation changed, want 1", entries)
	}
	// A page the handler did not compress is compressed once for gzip clients.
	long := strings.Repeat("slo ", 1000)
	gzh := newRenderCache(gen.Load, 1<<20).wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(long)) }))
	req := httptest.NewRequest("GET", "/page", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	gzh.ServeHTTP(rec, req)
	zr, err := gzip.NewReader(rec.Body)
	if err != nil || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip client got %q (%v)", rec.Header().Get("Content-Encoding"), err)
	}
	if plain, _ := io.ReadAll(zr); string(plain) != long {
		t.Error("the compressed page does not decompress to the page")
	}
	// Errors are not kept.
	get("/metrics?fail=1", "")
	if rec := get("/metrics?fail=1", ""); rec.Code != 500 || renders.Load() != 6 {
		t.Errorf("a failed rendering was cached: %d, %d renderings", rec.Code, renders.Load())
	}
}

func TestRenderCacheIsBounded(t *testing.T) {
	big := strings.Repeat("x", 600)
	var renders int
	h := newRenderCache(func() uint64 { return 1 }, 1000).wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		renders++
		w.Write([]byte(big))
	}))
	for range 3 {
		for _, q := range []string{"/a", "/b"} {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", q, nil))
		}
	}
	// /a fits (600 of 1000 bytes) and is kept; /b would exceed the bound
	// and is rendered each time.
	if renders != 1+3 {
		t.Errorf("%d renderings, want 4", renders)
	}
}

func TestInFlightLimitAnswers503AtOnce(t *testing.T) {
	release := make(chan struct{})
	var rejected atomic.Int32
	h := limitInFlight(2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }), func() { rejected.Add(1) })
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)) }()
	}
	time.Sleep(50 * time.Millisecond)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || time.Since(start) > time.Second {
		t.Errorf("third request: %d after %s, want 503 at once", rec.Code, time.Since(start))
	}
	close(release)
	wg.Wait()
	if rejected.Load() != 1 {
		t.Errorf("%d rejections counted", rejected.Load())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("after the others finished: %d", rec.Code)
	}
}

// Pages that take long to render (or clients that read slowly) never hold
// up an evaluation: results are published as snapshots, without locks
// readers could hold.
func TestEvaluationNeverWaitsOnServing(t *testing.T) {
	d, _, _, _, end := newFaultDaemon(t, time.Second)
	stuck := make(chan struct{})
	entered := make(chan struct{}, 8)
	d.StatusPage = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = d.Engine.Results()
		entered <- struct{}{}
		<-stuck
	})
	h := d.Handler()
	for range 3 {
		go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/?x", nil))
	}
	<-entered
	done := make(chan int)
	go func() { done <- d.Engine.EvaluateAt(context.Background(), time.UnixMilli(end)) }()
	select {
	case failed := <-done:
		if failed != 0 {
			t.Errorf("%d failed", failed)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the evaluation waited for a page being served")
	}
	// /metrics is served meanwhile from the new results.
	if body := scrape(t, d); !strings.Contains(body, `slo_evaluation_success{service="api",slo="api-availability"} 1`) {
		t.Error("/metrics does not show the evaluation")
	}
	close(stuck)
}
