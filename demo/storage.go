package demo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// markerFile marks a directory as the demo's, so that a later demo may wipe
// it; a directory without it is never emptied.
const markerFile = ".slobudget-demo"

// prepareDir makes dir ready for a fresh demo. A missing or empty directory
// is created; an earlier demo's data is removed, since history is generated
// anew for each start; anything else is refused rather than deleted.
func prepareDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating the demo's data directory: %w", err)
		}
	case err != nil:
		return fmt.Errorf("reading the demo's data directory: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
			return fmt.Errorf("%s is not empty and holds no earlier demo (no %s file): refusing to overwrite it; choose an empty or new --storage.path", dir, markerFile)
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("removing an earlier demo's data: %w", err)
			}
		}
	}
	return os.WriteFile(filepath.Join(dir, markerFile), []byte("Data of `slobudget demo`; a later demo may delete this directory's content.\n"), 0o644)
}
