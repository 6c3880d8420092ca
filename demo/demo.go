// Package demo runs slobudget with no outside services: an embedded
// Prometheus TSDB filled with a month of generated traffic for one SLO of
// each common type, live traffic on top, and Prometheus's own PromQL engine
// answering the daemon's queries.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
)

// Options configures a demo.
type Options struct {
	// Dir holds the config and the TSDB. It is created when missing and
	// emptied when it holds an earlier demo; any other content is refused.
	// The caller removes it when done.
	Dir string
	// Start is when live traffic begins; the history ends just before it.
	// Zero means now.
	Start time.Time
	// Seed makes the generated noise reproducible.
	Seed   uint64
	Logger *zap.Logger
	// Record keeps every generated sample and event (see Record), for tests.
	Record bool
}

// Demo is an open demo: its config file and a TSDB with the history written.
type Demo struct {
	Dir        string
	ConfigFile string
	DB         *tsdb.DB
	Querier    *Querier
	Start      time.Time

	log  *zap.Logger
	mu   sync.Mutex // guards gen and refs: the live loop and tests both tick
	gen  *generator
	refs []storage.SeriesRef
}

// Open writes the config and the history into o.Dir and opens the TSDB.
func Open(ctx context.Context, o Options) (*Demo, error) {
	if o.Dir == "" {
		return nil, fmt.Errorf("demo: no data directory given")
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if err := prepareDir(o.Dir); err != nil {
		return nil, err
	}
	d := &Demo{
		Dir: o.Dir, ConfigFile: filepath.Join(o.Dir, ConfigFileName), Start: o.Start,
		log: o.Logger, gen: newGenerator(o.Start, o.Seed, o.Record),
	}
	// Written to disk, not only embedded, so a user can edit it and reload.
	if err := os.WriteFile(d.ConfigFile, configYAML, 0o644); err != nil {
		return nil, fmt.Errorf("writing the demo config: %w", err)
	}
	// The TSDB's own messages are for people debugging it, not demo users.
	// (NewIncreaseLevelCore fails when the logger is already stricter.)
	storageCore := o.Logger.Core()
	if c, err := zapcore.NewIncreaseLevelCore(storageCore, zapcore.WarnLevel); err == nil {
		storageCore = c
	}
	storageLog := slog.New(zapslog.NewHandler(storageCore, zapslog.WithName("tsdb")))

	began := time.Now()
	tsdbDir := filepath.Join(o.Dir, "tsdb")
	if err := writeHistory(ctx, tsdbDir, d.gen, o.Start, storageLog); err != nil {
		return nil, err
	}
	wrote := time.Since(began)
	opts := tsdb.DefaultOptions()
	// Retention counts back from the newest block's end; the default 15 days
	// would make a kept directory lose half its month when reopened.
	opts.RetentionDuration = (400 * day).Milliseconds()
	db, err := tsdb.Open(tsdbDir, storageLog, nil, opts, nil)
	if err != nil {
		return nil, fmt.Errorf("opening the demo TSDB: %w", err)
	}
	d.DB = db
	d.Querier = NewQuerier(db)
	d.refs = make([]storage.SeriesRef, len(d.gen.all))
	o.Logger.Info("demo history written",
		zap.Int("series", len(d.gen.all)), zap.Duration("span", historySpan),
		zap.Duration("took", wrote.Round(time.Millisecond)), zap.String("dir", o.Dir))
	return d, nil
}

// Tick appends live samples of every series at t, which must be after the
// previous instant (the history's last one at first).
func (d *Demo) Tick(ctx context.Context, t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ms := t.UnixMilli()
	if err := d.gen.step(ms); err != nil {
		return err
	}
	app := d.DB.Appender(ctx)
	if err := appendAll(app, d.gen, d.refs, ms); err != nil {
		_ = app.Rollback()
		return err
	}
	return app.Commit()
}

// RunTraffic appends live samples every interval until ctx ends.
func (d *Demo) RunTraffic(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := d.Tick(ctx, time.Now()); err != nil {
			d.log.Warn("generating live traffic failed", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Record returns a copy of what was generated so far; empty unless the demo
// was opened with Options.Record.
func (d *Demo) Record() Record {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := Record{Samples: map[string][]Sample{}, Events: map[string][]Events{}}
	if d.gen.record == nil {
		return out
	}
	for k, v := range d.gen.record.Samples {
		out.Samples[k] = append([]Sample(nil), v...)
	}
	for k, v := range d.gen.record.Events {
		out.Events[k] = append([]Events(nil), v...)
	}
	return out
}

// Close closes the TSDB; the directory stays.
func (d *Demo) Close() error {
	if d.DB == nil {
		return nil
	}
	return d.DB.Close()
}
