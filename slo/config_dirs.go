package slo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ExpandConfigPaths replaces every directory among paths by the *.yml and
// *.yaml files directly in it, in name order: a directory of Sloth, Pyrra,
// OpenSLO and native files is read like the list of its files. Files are
// kept as given; subdirectories are not read (a directory of Kubernetes
// manifests often nests unrelated objects). A directory without such files
// is an error rather than an empty config.
func ExpandConfigPaths(paths []string) ([]string, []ConfigError) {
	var out []string
	var errs []ConfigError
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			out = append(out, p) // reading it reports what is wrong
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			errs = append(errs, ConfigError{File: p, Message: "cannot read config directory: " + err.Error()})
			continue
		}
		var found []string
		for _, e := range entries {
			name := e.Name()
			if e.Type().IsRegular() && (strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")) {
				found = append(found, filepath.Join(p, name))
			}
		}
		if len(found) == 0 {
			errs = append(errs, ConfigError{File: p, Message: "config directory holds no *.yml or *.yaml file"})
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, errs
}
