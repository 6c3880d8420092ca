// Command slobench measures slobudget against a real Prometheus; see
// scripts/bench.sh and docs/benchmarks.md.
//
//	slobench blocks -dir DIR -slos N -days D      write TSDB blocks and the config
//	slobench target -listen ADDR -slos N          serve live counters for Prometheus to scrape
//	slobench cycles -prometheus.url URL -config F measure start-up, cycles and naive queries
//	slobench load -url URL -clients N -duration D  concurrent clients against a running daemon
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/statefile"
	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/internal/synth"
	"github.com/slobudget/slobudget/slo"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: slobench blocks|target|cycles|load|config|sloth-history [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "blocks":
		err = blocks(os.Args[2:])
	case "target":
		err = target(os.Args[2:])
	case "cycles":
		err = cycles(os.Args[2:])
	case "load":
		err = load(os.Args[2:])
	case "config":
		err = config(os.Args[2:])
	case "sloth-history":
		err = slothHistory(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "slobench:", err)
		os.Exit(1)
	}
}

func blocks(args []string) error {
	fs := flag.NewFlagSet("blocks", flag.ExitOnError)
	dir := fs.String("dir", "", "TSDB data dir to write blocks into")
	n := fs.Int("slos", 1000, "number of SLOs")
	days := fs.Int("days", 31, "days of data")
	endAgo := fs.Duration("end-ago", 10*time.Minute, "data ends this long before now")
	_ = fs.Parse(args)
	start := time.Now()
	if err := synth.WriteBlocks(*dir, *n, *days, time.Now().Add(-*endAgo)); err != nil {
		return err
	}
	cfg := filepath.Join(*dir, "..", "slobudget.yml")
	if err := os.WriteFile(cfg, synth.ScaleConfigYAML(*n), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %d SLOs x %d days of blocks in %s; config %s\n", *n, *days, time.Since(start).Round(time.Second), cfg)
	return nil
}

// target serves the scale SLOs' counters, growing with time, so that a
// Prometheus scraping it keeps receiving new samples during the benchmark.
func target(args []string) error {
	fs := flag.NewFlagSet("target", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	n := fs.Int("slos", 1000, "number of SLOs")
	_ = fs.Parse(args)
	start := time.Now()
	http.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		secs := time.Since(start).Seconds()
		var b strings.Builder
		b.WriteString("# TYPE http_requests_total counter\n")
		for i := 0; i < *n; i++ {
			total := int64(secs * float64(1+i%80) / 3)
			bad := total / 2000
			svc := synth.ScaleService(i)
			fmt.Fprintf(&b, "http_requests_total{service=%q,instance=\"a\",code=\"200\"} %d\n", svc, total-bad)
			fmt.Fprintf(&b, "http_requests_total{service=%q,instance=\"a\",code=\"500\"} %d\n", svc, bad)
		}
		_, _ = w.Write([]byte(b.String()))
	})
	return http.ListenAndServe(*listen, nil)
}

func cycles(args []string) error {
	fs := flag.NewFlagSet("cycles", flag.ExitOnError)
	url := fs.String("prometheus.url", "", "Prometheus URL")
	cfgFile := fs.String("config", "", "slobudget config")
	count := fs.Int("cycles", 6, "steady-state cycles to measure")
	step := fs.Duration("step", 15*time.Second, "evaluation interval")
	conc := fs.Int("concurrency", 8, "queries in flight")
	stateDir := fs.String("state", "", "--storage.path directory: measure a warm restart from it after the cycles")
	_ = fs.Parse(args)

	cfg, err := slo.LoadFiles(*cfgFile)
	if err != nil {
		return err
	}
	// The daemon's own client, asking Prometheus for query statistics, so
	// "samples read" is Prometheus's own count (totalQueryableSamples).
	var stats queryStats
	q, err := backend.NewPrometheus(backend.Options{
		URL: *url, Timeout: 5 * time.Minute, Concurrency: *conc, QueryStats: stats.add,
	})
	if err != nil {
		return err
	}
	var src backend.Source = q
	var store *statefile.Store
	if *stateDir != "" {
		if store, err = statefile.Open(q, statefile.Options{Dir: *stateDir, Identity: *url}); err != nil {
			return err
		}
		src = store
	}
	eng, err := engine.New(cfg, engine.Options{Source: src, Step: *step, Concurrency: *conc})
	if err != nil {
		return err
	}
	ctx := context.Background()
	measure := func(at time.Time) (time.Duration, int64, int64, int) {
		s0, q0 := stats.samples.Load(), stats.queries.Load()
		t0 := time.Now()
		failed := eng.EvaluateAt(ctx, at)
		return time.Since(t0), stats.samples.Load() - s0, stats.queries.Load() - q0, failed
	}
	fmt.Printf("SLOs: %d, step %s, concurrency %d\n\n", len(cfg.SLOs), *step, *conc)
	d, samples, queries, failed := measure(time.Now())
	fmt.Printf("| phase | wall time | queries | samples read (Prometheus stats) | failed SLOs |\n|---|---|---|---|---|\n")
	fmt.Printf("| start-up (load 30 d once) | %s | %d | %d | %d |\n", d.Round(time.Millisecond), queries, samples, failed)
	var durs []time.Duration
	var totalSamples, totalQueries int64
	var last time.Time
	for i := 0; i < *count; i++ {
		next := eng.Instant(time.Now()).Add(*step)
		time.Sleep(time.Until(next) + 50*time.Millisecond)
		last = time.Now()
		d, samples, queries, failed := measure(last)
		durs = append(durs, d)
		totalSamples += samples
		totalQueries += queries
		fmt.Printf("| cycle %d | %s | %d | %d | %d |\n", i+1, d.Round(time.Millisecond), queries, samples, failed)
	}
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	perCycle := totalSamples / int64(*count)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(eng) // the engine is what is measured: keep it live through the GC
	heapMiB := float64(ms.HeapAlloc) / (1 << 20)

	// The naive way, at the same instant: increase() over the raw 30 days,
	// numerator and denominator per SLO.
	s0, q0 := stats.samples.Load(), stats.queries.Load()
	t0 := time.Now()
	sem := make(chan struct{}, *conc)
	var wg sync.WaitGroup
	var naiveErr error
	var mu sync.Mutex
	for i := range cfg.SLOs {
		def := cfg.SLOs[i]
		_, bad, total := def.SLI.CounterSelectors()
		for _, sel := range []string{bad, total} {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if _, err := q.Query(ctx, fmt.Sprintf("sum(increase(%s[%s]))", sel, def.Window.Text), last); err != nil {
					mu.Lock()
					naiveErr = err
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if naiveErr != nil {
		return naiveErr
	}
	naiveDur, naiveSamples, naiveQueries := time.Since(t0), stats.samples.Load()-s0, stats.queries.Load()-q0
	fmt.Printf("| naive: sum(increase(x[30d])) per SLO, 2 queries each | %s | %d | %d | - |\n\n", naiveDur.Round(time.Millisecond), naiveQueries, naiveSamples)
	fmt.Printf("steady-state cycle: median %s, max %s; samples read per cycle %d vs naive %d: 1/%.0f\n",
		durs[len(durs)/2].Round(time.Millisecond), durs[len(durs)-1].Round(time.Millisecond), perCycle, naiveSamples,
		float64(naiveSamples)/float64(max(perCycle, 1)))
	fmt.Printf("engine heap after the cycles (live, after GC): %.1f MiB for %d SLOs\n", heapMiB, len(cfg.SLOs))
	if store != nil {
		return warmRestart(ctx, cfg, store, q, &stats, *stateDir, *url, *step, *conc)
	}
	return nil
}

// warmRestart writes the state file, starts a new engine from it (what a
// restarted daemon does) and measures its first evaluation: the time until
// it is ready.
func warmRestart(ctx context.Context, cfg *slo.Config, old *statefile.Store, q *backend.Prometheus, stats *queryStats, dir, url string, step time.Duration, conc int) error {
	if err := old.Close(); err != nil {
		return err
	}
	t0 := time.Now()
	store, err := statefile.Open(q, statefile.Options{Dir: dir, Identity: url})
	if err != nil {
		return err
	}
	defer store.Close()
	eng, err := engine.New(cfg, engine.Options{Source: store, Step: step, Concurrency: conc})
	if err != nil {
		return err
	}
	s0, q0 := stats.samples.Load(), stats.queries.Load()
	failed := eng.EvaluateAt(ctx, time.Now())
	took := time.Since(t0)
	st := store.Stats()
	fmt.Printf("warm restart from the state file (read it, first evaluation): %s, %d queries, %d samples read, %d failed SLOs; hours from the file %d, asked %d, selectors dropped %d\n",
		took.Round(time.Millisecond), stats.queries.Load()-q0, stats.samples.Load()-s0, failed, st.HoursFromFile, st.HoursAsked, st.Dropped)
	return nil
}

// queryStats adds up what Prometheus reports reading.
type queryStats struct {
	samples, queries atomic.Int64
}

func (s *queryStats) add(samples int64) {
	s.samples.Add(samples)
	s.queries.Add(1)
}

// config writes only the scale config (no blocks): for measuring rule
// generation and config checks at sizes whose data would take long to write.
func config(args []string) error {
	fs := flag.NewFlagSet("config", flag.ExitOnError)
	n := fs.Int("slos", 10000, "number of SLOs")
	out := fs.String("out", "slobudget.yml", "file to write")
	_ = fs.Parse(args)
	return os.WriteFile(*out, synth.ScaleConfigYAML(*n), 0o644)
}
