package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// load runs clients concurrent loops of GET requests against a running
// slobudget for a fixed time, each client cycling through the paths, and
// reports per path the answers by status and the latency percentiles of
// the successful ones, plus the daemon's peak RSS from /proc.
func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	base := fs.String("url", "", "slobudget base URL, e.g. http://127.0.0.1:9912")
	clients := fs.Int("clients", 200, "concurrent clients")
	duration := fs.Duration("duration", 60*time.Second, "how long to load")
	paths := fs.String("paths", "/metrics,/,/api/v1/slos", "comma-separated paths, cycled through by every client")
	pid := fs.Int("pid", 0, "the daemon's process id, for its RSS")
	gz := fs.Bool("gzip", true, "ask for gzip, as browsers and Prometheus do (the answers are discarded without decompressing)")
	_ = fs.Parse(args)

	type result struct {
		path   string
		status int
		took   time.Duration
		err    bool
	}
	// No transparent decompression: the load generator shares the two cores
	// with the daemon, and decompressing would make it the bottleneck.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DisableCompression: true, MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients,
	}}
	ps := strings.Split(*paths, ",")
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	results := make(chan result, 4096)
	var wg sync.WaitGroup
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := i; ctx.Err() == nil; n++ {
				p := ps[n%len(ps)]
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *base+p, nil)
				if *gz {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						results <- result{path: p, err: true, took: time.Since(start)}
					}
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if ctx.Err() != nil {
					return // cut off by the end of the run, not an error
				}
				results <- result{path: p, status: resp.StatusCode, took: time.Since(start), err: err != nil}
				if resp.StatusCode == http.StatusServiceUnavailable {
					time.Sleep(100 * time.Millisecond) // Retry-After says 1s; a bounded client backs off
				}
			}
		}(i)
	}
	var peakRSS int64
	rssDone := make(chan struct{})
	go func() {
		defer close(rssDone)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			if r := rssKiB(*pid); r > peakRSS {
				peakRSS = r
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	type stats struct {
		byStatus map[string]int
		lat      []time.Duration
	}
	per := map[string]*stats{}
	for r := range results {
		s := per[r.path]
		if s == nil {
			s = &stats{byStatus: map[string]int{}}
			per[r.path] = s
		}
		switch {
		case r.err:
			s.byStatus["error"]++
		default:
			s.byStatus[strconv.Itoa(r.status)]++
			if r.status == http.StatusOK {
				s.lat = append(s.lat, r.took)
			}
		}
	}
	<-rssDone
	enc := "identity (no gzip)"
	if *gz {
		enc = "gzip"
	}
	fmt.Printf("%d clients for %s against %s, asking for %s\n\n", *clients, *duration, *base, enc)
	fmt.Printf("| path | answers | 200 | 503 | other | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range ps {
		s := per[p]
		if s == nil {
			continue
		}
		total, other := 0, 0
		for st, n := range s.byStatus {
			total += n
			if st != "200" && st != "503" {
				other += n
			}
		}
		sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
		q := func(f float64) string {
			if len(s.lat) == 0 {
				return "-"
			}
			return s.lat[min(len(s.lat)-1, int(f*float64(len(s.lat))))].Round(time.Millisecond).String()
		}
		fmt.Printf("| %s | %d | %d | %d | %d | %s | %s | %s | %s |\n", p, total, s.byStatus["200"], s.byStatus["503"], other,
			q(0.5), q(0.9), q(0.99), q(1))
		if other > 0 {
			fmt.Printf("\nother answers for %s: %v\n", p, s.byStatus)
		}
	}
	if *pid > 0 {
		fmt.Printf("\ndaemon peak RSS during the run: %.0f MiB (%.0f MB)\n", float64(peakRSS)/1024, float64(peakRSS)*1024/1e6)
	}
	return nil
}

// rssKiB reads a process's resident set size from /proc (0 if unknown).
func rssKiB(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
