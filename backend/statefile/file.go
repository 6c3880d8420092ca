package statefile

import (
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// formatVersion changes whenever the file's meaning changes; a file of
// another version is a cold start.
const formatVersion = 1

const fileName = "hourly-state.gob.gz"

func filePath(dir string) string { return filepath.Join(dir, fileName) }

func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("statefile: --storage.path: %w", err)
	}
	return nil
}

// onDisk is the file's content.
type onDisk struct {
	Version   int
	Identity  string
	Selectors map[string]*diskRecord
}

type diskRecord struct {
	First    int64
	States   []byte
	Increase []float64
}

// load reads the file; a missing file is no error and no records.
func load(path, identity string) (map[string]*record, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]*record{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("not a state file: %w", err)
	}
	var d onDisk
	if err := gob.NewDecoder(zr).Decode(&d); err != nil {
		return nil, fmt.Errorf("unreadable: %w", err)
	}
	switch {
	case d.Version != formatVersion:
		return nil, fmt.Errorf("format version %d, this slobudget writes %d", d.Version, formatVersion)
	case d.Identity != identity:
		return nil, fmt.Errorf("written for backend %q, not %q", d.Identity, identity)
	}
	out := make(map[string]*record, len(d.Selectors))
	for sel, r := range d.Selectors {
		if len(r.States) != len(r.Increase) || len(r.States) == 0 || r.First%hourMs != 0 {
			return nil, fmt.Errorf("selector %s: malformed record", sel)
		}
		rec := &record{First: r.First, States: make([]hourState, len(r.States)), Increase: r.Increase}
		for i, b := range r.States {
			if hourState(b) > cleanEmpty {
				return nil, fmt.Errorf("selector %s: unknown hour state %d", sel, b)
			}
			rec.States[i] = hourState(b)
		}
		out[sel] = rec
	}
	return out, nil
}

// Flush writes the kept hours when they changed since the last write, to a
// temporary file renamed over the old one (a crash leaves the old file or
// the new one, never half of one).
func (s *Store) Flush() error {
	s.mu.Lock()
	if !s.dirty {
		s.mu.Unlock()
		return nil
	}
	d := onDisk{Version: formatVersion, Identity: s.identity, Selectors: make(map[string]*diskRecord, len(s.records))}
	for sel, r := range s.records {
		if len(r.States) == 0 {
			continue
		}
		states := make([]byte, len(r.States))
		for i, st := range r.States {
			states[i] = byte(st)
		}
		d.Selectors[sel] = &diskRecord{First: r.First, States: states, Increase: r.Increase}
	}
	s.dirty = false
	s.mu.Unlock()

	if err := write(s.path, &d); err != nil {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
		return fmt.Errorf("statefile: writing %s: %w", s.path, err)
	}
	return nil
}

func write(path string, d *onDisk) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), fileName+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	zw := gzip.NewWriter(tmp)
	if err := gob.NewEncoder(zw).Encode(d); err != nil {
		tmp.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
