package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
)

// newLogger builds the zap logger for --log.level and --log.format, and the
// slog bridge the exporter-toolkit wants.
func newLogger(level, format string, w io.Writer) (*zap.Logger, *slog.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, nil, fmt.Errorf("--log.level: %w", err)
	}
	var core zapcore.Core
	switch format {
	case "json":
		enc := zap.NewProductionEncoderConfig()
		enc.TimeKey, enc.EncodeTime = "ts", zapcore.RFC3339NanoTimeEncoder
		core = zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(w), lvl)
	case "logfmt":
		core = &logfmtCore{level: lvl, out: w, mu: &sync.Mutex{}}
	default:
		return nil, nil, fmt.Errorf("--log.format must be logfmt or json, not %q", format)
	}
	return zap.New(core), slog.New(zapslog.NewHandler(core)), nil
}

// logfmtCore writes entries as logfmt lines (ts=... level=... msg=... k=v),
// the format Prometheus components log in.
type logfmtCore struct {
	level  zapcore.LevelEnabler
	out    io.Writer
	mu     *sync.Mutex
	fields []zapcore.Field
}

func (c *logfmtCore) Enabled(l zapcore.Level) bool { return c.level.Enabled(l) }

func (c *logfmtCore) With(fields []zapcore.Field) zapcore.Core {
	return &logfmtCore{level: c.level, out: c.out, mu: c.mu, fields: append(append([]zapcore.Field{}, c.fields...), fields...)}
}

func (c *logfmtCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *logfmtCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range append(append([]zapcore.Field{}, c.fields...), fields...) {
		f.AddTo(enc)
	}
	var b strings.Builder
	b.WriteString("ts=" + e.Time.UTC().Format(time.RFC3339Nano))
	b.WriteString(" level=" + e.Level.String())
	if e.LoggerName != "" {
		b.WriteString(" logger=" + logfmtValue(e.LoggerName))
	}
	b.WriteString(" msg=" + logfmtValue(e.Message))
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(" " + k + "=" + logfmtValue(fmt.Sprint(enc.Fields[k])))
	}
	b.WriteByte('\n')
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := io.WriteString(c.out, b.String())
	return err
}

func (c *logfmtCore) Sync() error {
	if f, ok := c.out.(*os.File); ok {
		_ = f.Sync()
	}
	return nil
}

func logfmtValue(s string) string {
	if s != "" && !strings.ContainsAny(s, " =\"\t\n") {
		return s
	}
	return strconv.Quote(s)
}
