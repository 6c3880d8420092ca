package slo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// LoadOptions says what to load.
type LoadOptions struct {
	// ConfigFiles hold SLOs and policies, in any accepted format.
	ConfigFiles []string
	// ExclusionFiles hold only `exclusions:` (--exclusions.file).
	ExclusionFiles []string
	// Now is the load time exclusions are checked against; zero means
	// time.Now().
	Now time.Time
}

// LoadFiles reads and validates one or more config files and merges them
// into one Config. SLO and policy names must be unique across all files, and
// an SLO may use a policy defined in any of them. When anything is wrong the
// error is a *ConfigErrors holding every problem of every file.
func LoadFiles(paths ...string) (*Config, error) {
	return Load(LoadOptions{ConfigFiles: paths})
}

// Load reads and validates config and exclusion files together.
func Load(opts LoadOptions) (*Config, error) {
	if len(opts.ConfigFiles) == 0 {
		return nil, errors.New("no config file given")
	}
	configFiles, errs := ExpandConfigPaths(opts.ConfigFiles)
	var files []fileConfig
	read := func(p string, decode func(string, []byte, *[]ConfigError) fileConfig) {
		data, err := os.ReadFile(p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is already in front of the message
			}
			errs = append(errs, ConfigError{File: p, Message: "cannot read config file: " + err.Error()})
			return
		}
		files = append(files, decode(p, data, &errs))
	}
	for _, p := range configFiles {
		read(p, decodeFile)
	}
	for _, p := range opts.ExclusionFiles {
		read(p, decodeExclusionFile)
	}
	return merge(files, errs, opts.now())
}

func (o LoadOptions) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// Parse validates the config in data as if read from file (the name is used
// in error messages only).
func Parse(file string, data []byte) (*Config, error) {
	var errs []ConfigError
	return merge([]fileConfig{decodeFile(file, data, &errs)}, errs, time.Now())
}

// fileConfig is what one file defines, before cross-file checks.
type fileConfig struct {
	file       string
	policies   []Policy
	slos       []sloDraft
	exclusions []Exclusion
	// openslo holds OpenSLO objects, resolved across files in merge.
	openslo []opensloObject
}

// decodeFile decodes and validates one config file, appending its problems
// to errs. A file may hold several YAML documents, each in its own format.
func decodeFile(file string, data []byte, errs *[]ConfigError) fileConfig {
	fc := fileConfig{file: file}
	top := reporter{file: file, errs: errs}
	docs, ok := parseDocuments(file, data, errs)
	if !ok {
		return fc
	}
	if len(docs) == 0 {
		top.errorf(nil, "", "empty config: define at least one SLO under slos:")
		return fc
	}
	for _, doc := range docs {
		decodeDocument(top, doc, &fc)
	}
	return fc
}

// decodeDocument dispatches one document to its format by its
// version/apiVersion/kind.
func decodeDocument(top reporter, doc *yaml.Node, fc *fileConfig) {
	if isNull(doc) {
		return
	}
	if f, ok := detectFormat(top, doc); ok {
		f.decode(top, doc, fc)
	}
}

var nativeKeys = []string{"policies", "slos", "exclusions"}

func decodeNative(top reporter, doc *yaml.Node, fc *fileConfig) {
	before := len(*top.errs)
	f, ok := top.mapping(doc, "", nativeKeys...)
	// A misspelt top-level key is the real problem; "no slos" would only
	// repeat it.
	misspelt := len(*top.errs) > before
	if !ok {
		return
	}
	for i, n := range top.sequence(f.values["policies"], "policies") {
		if p, ok := decodePolicy(reporter{file: top.file, errs: top.errs}, n, i); ok {
			fc.policies = append(fc.policies, p)
		}
	}
	if drafts := decodeSLOs(top, top.sequence(f.values["slos"], "slos")); fc.slos == nil {
		fc.slos = drafts
	} else {
		fc.slos = append(fc.slos, drafts...)
	}
	fc.exclusions = append(fc.exclusions, decodeExclusions(reporter{file: top.file, errs: top.errs}, f.values["exclusions"])...)
	if !f.has("slos") && !f.has("policies") && !f.has("exclusions") && !misspelt {
		top.errorf(f.node, "", "no slos defined: define at least one SLO under slos:")
	}
}

// decodeExclusionFile reads a file given with --exclusions.file: only
// `exclusions:`.
func decodeExclusionFile(file string, data []byte, errs *[]ConfigError) fileConfig {
	fc := fileConfig{file: file}
	top := reporter{file: file, errs: errs}
	docs, ok := parseDocuments(file, data, errs)
	if !ok {
		return fc
	}
	for _, doc := range docs {
		if isNull(doc) {
			continue
		}
		f, ok := top.mapping(doc, "", "exclusions")
		if !ok {
			continue
		}
		fc.exclusions = append(fc.exclusions, decodeExclusions(reporter{file: file, errs: errs}, f.values["exclusions"])...)
	}
	return fc
}

// merge runs the checks that span files and builds the Config.
func merge(files []fileConfig, errs []ConfigError, now time.Time) (*Config, error) {
	cfg := &Config{}
	resolveOpenSLO(files, &errs)
	policyAt := map[string]location{}
	for _, fc := range files {
		r := reporter{file: fc.file, errs: &errs}
		for _, p := range fc.policies {
			if first, dup := policyAt[p.Name]; dup && p.Name != "" {
				r.subject = fmt.Sprintf("policy %q", p.Name)
				r.errorf(&yaml.Node{Line: p.Line}, "name", "duplicate policy name %q, first defined at %s:%d", p.Name, first.file, first.line)
				continue
			}
			policyAt[p.Name] = location{fc.file, p.Line}
			cfg.Policies = append(cfg.Policies, p)
		}
	}
	// Sized up front: with tens of thousands of SLOs, growing these was a
	// tenth of a big file's check.
	count := 0
	for _, fc := range files {
		count += len(fc.slos)
	}
	sloAt := make(map[string]location, count)
	byName := make(map[string]*SLO, count)
	if count > 0 {
		cfg.SLOs = make([]SLO, 0, count)
	}
	for _, fc := range files {
		r := reporter{file: fc.file, errs: &errs}
		for _, s := range fc.slos {
			r.subject = fmt.Sprintf("slo %q", s.Name)
			if s.Name == "" {
				r.subject = "slos"
			}
			if _, ok := policyAt[s.Policy]; !ok && s.Policy != DefaultPolicy().Name && s.Policy != "" {
				r.errorf(s.policyRef, "policy", "undefined policy %q; defined: %s", s.Policy, policyNames(policyAt))
			}
			if first, dup := sloAt[s.Name]; dup && s.Name != "" {
				r.errorf(&yaml.Node{Line: s.Line}, "name", "duplicate SLO name %q, first defined at %s:%d", s.Name, first.file, first.line)
				continue
			}
			sloAt[s.Name] = location{fc.file, s.Line}
			cfg.SLOs = append(cfg.SLOs, s.SLO)
		}
		if len(fc.policies) > 0 {
		}
	}
	for i := range cfg.SLOs {
		byName[cfg.SLOs[i].Name] = &cfg.SLOs[i]
	}
	for _, fc := range files {
		cfg.Exclusions = append(cfg.Exclusions, fc.exclusions...)
	}
	checkExclusions(cfg.Exclusions, byName, now, &errs)
	// Only when nothing else is wrong: an SLO dropped for its own problems
	// would make "no slos" a misleading extra message.
	if len(cfg.SLOs) == 0 && len(files) > 0 && len(errs) == 0 {
		errs = append(errs, ConfigError{File: files[0].file, Line: 1, Message: "no slos defined in any config file"})
	}
	if len(errs) > 0 {
		sortErrors(errs, files)
		return nil, &ConfigErrors{Errors: errs}
	}
	return cfg, nil
}

// location is where a name was first defined.
type location struct {
	file string
	line int
}

func policyNames(defined map[string]location) string {
	names := []string{}
	for n := range defined {
		names = append(names, n)
	}
	if _, ok := defined[DefaultPolicy().Name]; !ok {
		names = append(names, DefaultPolicy().Name+" (built in)")
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// sortErrors orders problems by file (in the order given) and line, keeping
// the discovery order of problems on the same line.
func sortErrors(errs []ConfigError, files []fileConfig) {
	order := map[string]int{}
	for i, f := range files {
		if _, ok := order[f.file]; !ok {
			order[f.file] = i
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		oi, oki := order[errs[i].File]
		oj, okj := order[errs[j].File]
		if !oki {
			oi = -1 // unreadable files first: nothing else was checked in them
		}
		if !okj {
			oj = -1
		}
		if oi != oj {
			return oi < oj
		}
		return errs[i].Line < errs[j].Line
	})
}
