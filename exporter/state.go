package exporter

import (
	"go.uber.org/zap"

	"github.com/slobudget/slobudget/backend"
)

// openState puts the state file (--storage.path) between the engine and the
// backend client: completed hours the backend computed are kept on disk,
// so a restart reads only what the file lacks, after spot-checks
// (backend/statefile.go).
func (d *Daemon) openState(p *backend.Prometheus, dir string) (backend.Source, error) {
	c, status, err := backend.NewHourlyCache(p, dir)
	if err != nil {
		return nil, err
	}
	d.state = c
	d.log.Info("state file", zap.String("status", status))
	return c, nil
}

// FlushState writes the state file now (serve calls it on shutdown; it is
// also written a few seconds after each start-up read). A daemon without
// --storage.path has nothing to write.
func (d *Daemon) FlushState() error {
	if d.state == nil {
		return nil
	}
	return d.state.Flush()
}

// StateStats says what the state file saved and cost so far; zero without
// --storage.path.
func (d *Daemon) StateStats() backend.CacheStats {
	if d.state == nil {
		return backend.CacheStats{}
	}
	return d.state.Stats()
}
