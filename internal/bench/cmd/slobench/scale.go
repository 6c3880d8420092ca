package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/exporter"
	"github.com/slobudget/slobudget/slo"
)

// scale measures what issue 10 asks of 10,000 SLOs, with the daemon as
// `serve` builds it (exporter.NewDaemon): a cold start with a state file,
// steady cycles, /metrics latency and size, the process's RSS, a warm
// restart on the state file, and one shard of two.
func scale(args []string) error {
	fs := flag.NewFlagSet("scale", flag.ExitOnError)
	url := fs.String("prometheus.url", "", "Prometheus URL")
	cfgFile := fs.String("config", "", "slobudget config")
	count := fs.Int("cycles", 4, "steady-state cycles to measure")
	step := fs.Duration("step", 15*time.Second, "evaluation interval")
	conc := fs.Int("concurrency", 8, "queries in flight")
	work := fs.String("work", "", "directory for the state files")
	_ = fs.Parse(args)

	var stats queryStats
	newDaemon := func(storage string, shard slo.Shard) (*exporter.Daemon, error) {
		return exporter.NewDaemon(exporter.DaemonOptions{
			ConfigFiles: []string{*cfgFile},
			Backend:     backend.Options{URL: *url, Timeout: 10 * time.Minute, Concurrency: *conc, QueryStats: stats.add},
			Step:        *step, Logger: zap.NewNop(), StoragePath: storage, Shard: shard,
		})
	}
	ctx := context.Background()
	measure := func(d *exporter.Daemon, at time.Time) (time.Duration, int64, int64, int) {
		s0, q0 := stats.samples.Load(), stats.queries.Load()
		t0 := time.Now()
		failed := d.Engine.EvaluateAt(ctx, at)
		return time.Since(t0), stats.samples.Load() - s0, stats.queries.Load() - q0, failed
	}
	row := func(phase string, d time.Duration, queries, samples int64, failed int) {
		fmt.Printf("| %s | %s | %d | %d | %d |\n", phase, d.Round(time.Millisecond), queries, samples, failed)
	}
	cycles := func(d *exporter.Daemon, label string) []time.Duration {
		var durs []time.Duration
		for i := 0; i < *count; i++ {
			next := d.Engine.Instant(time.Now()).Add(*step)
			time.Sleep(time.Until(next) + 50*time.Millisecond)
			took, samples, queries, failed := measure(d, time.Now())
			durs = append(durs, took)
			row(fmt.Sprintf("%s cycle %d", label, i+1), took, queries, samples, failed)
		}
		sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
		return durs
	}

	state := filepath.Join(*work, "state")
	d, err := newDaemon(state, slo.Shard{})
	if err != nil {
		return err
	}
	slos := len(d.Engine.Config().SLOs)
	fmt.Printf("SLOs: %d, step %s, concurrency %d\n\n", slos, *step, *conc)
	fmt.Printf("| phase | wall time | queries | samples read (Prometheus stats) | failed SLOs |\n|---|---|---|---|---|\n")
	took, samples, queries, failed := measure(d, time.Now())
	row("cold start (no state file)", took, queries, samples, failed)
	if err := d.FlushState(); err != nil {
		return err
	}
	durs := cycles(d, "steady")

	// /metrics as Prometheus scrapes it (rendered once per evaluation; the
	// first request after an evaluation renders).
	var lat []time.Duration
	size := 0
	for i := 0; i < 5; i++ {
		rec := httptest.NewRecorder()
		t0 := time.Now()
		d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		lat = append(lat, time.Since(t0))
		size = rec.Body.Len()
	}
	rss := rssMiB()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(d)

	// A restart: a new daemon on the same state file.
	if err := d.FlushState(); err != nil {
		return err
	}
	warm, err := newDaemon(state, slo.Shard{})
	if err != nil {
		return err
	}
	d = nil
	took, samples, queries, failed = measure(warm, time.Now())
	row("warm restart (state file)", took, queries, samples, failed)
	ws := warm.StateStats()
	warm = nil

	// One shard of two, cold, with its own state directory.
	shard, err := newDaemon(filepath.Join(*work, "state-shard0"), slo.Shard{Index: 0, Total: 2})
	if err != nil {
		return err
	}
	took, samples, queries, failed = measure(shard, time.Now())
	row(fmt.Sprintf("shard 1 of 2 (%d SLOs): cold start", len(shard.Engine.Config().SLOs)), took, queries, samples, failed)
	shardDurs := cycles(shard, "shard 1 of 2")

	fmt.Printf("\nsteady-state cycle (all SLOs): median %s, max %s\n", durs[len(durs)/2].Round(time.Millisecond), durs[len(durs)-1].Round(time.Millisecond))
	fmt.Printf("shard 1 of 2 cycle: median %s, max %s\n", shardDurs[len(shardDurs)/2].Round(time.Millisecond), shardDurs[len(shardDurs)-1].Round(time.Millisecond))
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("/metrics: %d bytes, fastest of 5 %s, median %s, slowest %s\n", size, lat[0].Round(10*time.Microsecond), lat[2].Round(10*time.Microsecond), lat[4].Round(10*time.Microsecond))
	fmt.Printf("process RSS after the cycles: %.0f MiB (Go heap live after GC %.0f MiB)\n", rss, float64(ms.HeapAlloc)/(1<<20))
	fmt.Printf("warm restart state file: %+v\n", ws)
	if fi, err := os.Stat(filepath.Join(state, backend.StateFileName)); err == nil {
		fmt.Printf("state file size: %.1f MiB\n", float64(fi.Size())/(1<<20))
	}
	return nil
}

// rssMiB reads the process's resident set size from /proc.
func rssMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	return -1
}
