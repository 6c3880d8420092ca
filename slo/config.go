package slo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadFiles reads and validates one or more config files and merges them
// into one Config. SLO and policy names must be unique across all files, and
// an SLO may use a policy defined in any of them. When anything is wrong the
// error is a *ConfigErrors holding every problem of every file.
func LoadFiles(paths ...string) (*Config, error) {
	if len(paths) == 0 {
		return nil, errors.New("no config file given")
	}
	var errs []ConfigError
	files := make([]fileConfig, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is already in front of the message
			}
			errs = append(errs, ConfigError{File: p, Message: "cannot read config file: " + err.Error()})
			continue
		}
		files = append(files, decodeFile(p, data, &errs))
	}
	return merge(files, errs)
}

// Parse validates the config in data as if read from file (the name is used
// in error messages only).
func Parse(file string, data []byte) (*Config, error) {
	var errs []ConfigError
	return merge([]fileConfig{decodeFile(file, data, &errs)}, errs)
}

// fileConfig is what one file defines, before cross-file checks.
type fileConfig struct {
	file     string
	policies []Policy
	slos     []SLO
	// policyRefs are the nodes of explicit `policy:` fields, by SLO index,
	// to point at when the policy does not exist.
	policyRefs map[int]*yaml.Node
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeFile decodes and validates one file, appending its problems to errs.
func decodeFile(file string, data []byte, errs *[]ConfigError) fileConfig {
	fc := fileConfig{file: file, policyRefs: map[int]*yaml.Node{}}
	top := reporter{file: file, errs: errs}
	doc, err := parseYAML(data)
	if err != nil {
		line, msg := 1, err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		if l := firstFailingLine(data, msg); l > 0 {
			line = l
		}
		*errs = append(*errs, ConfigError{File: file, Line: line, Message: "invalid YAML: " + trimYAMLPrefix(msg)})
		return fc
	}
	if doc == nil || isNull(doc) {
		top.errorf(doc, "", "empty config: define at least one SLO under slos:")
		return fc
	}
	before := len(*errs)
	f, ok := top.mapping(doc, "", "policies", "slos")
	// A misspelt top-level key is the real problem; "no slos" would only
	// repeat it.
	misspelt := len(*errs) > before
	if !ok {
		return fc
	}
	for i, n := range top.sequence(f.values["policies"], "policies") {
		if p, ok := decodePolicy(reporter{file: file, errs: errs}, n, i); ok {
			fc.policies = append(fc.policies, p)
		}
	}
	for i, n := range top.sequence(f.values["slos"], "slos") {
		s, ref, ok := decodeSLO(reporter{file: file, errs: errs}, n, i)
		if !ok {
			continue
		}
		if ref != nil {
			fc.policyRefs[len(fc.slos)] = ref
		}
		fc.slos = append(fc.slos, s)
	}
	if !f.has("slos") && !f.has("policies") && !misspelt {
		top.errorf(f.node, "", "no slos defined: define at least one SLO under slos:")
	}
	return fc
}

// parseYAML returns the single document's root node, or nil for an empty
// file. yaml.v3 is third-party code fed with user input; a panic in it is
// turned into an error so that a bad file cannot crash the daemon on reload.
func parseYAML(data []byte) (root *yaml.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			root, err = nil, fmt.Errorf("yaml: %v", p)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("yaml: line %d: a second YAML document (---) in one file; put each config in its own file", next.Line)
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return nil, nil
}

func trimYAMLPrefix(msg string) string {
	if len(msg) > 6 && msg[:6] == "yaml: " {
		return msg[6:]
	}
	return msg
}

// merge runs the checks that span files and builds the Config.
func merge(files []fileConfig, errs []ConfigError) (*Config, error) {
	cfg := &Config{}
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
	sloAt := map[string]location{}
	for _, fc := range files {
		r := reporter{file: fc.file, errs: &errs}
		for i, s := range fc.slos {
			r.subject = fmt.Sprintf("slo %q", s.Name)
			if s.Name == "" {
				r.subject = "slos"
			}
			if _, ok := policyAt[s.Policy]; !ok && s.Policy != DefaultPolicy().Name && s.Policy != "" {
				r.errorf(fc.policyRefs[i], "policy", "undefined policy %q; defined: %s", s.Policy, policyNames(policyAt))
			}
			if first, dup := sloAt[s.Name]; dup && s.Name != "" {
				r.errorf(&yaml.Node{Line: s.Line}, "name", "duplicate SLO name %q, first defined at %s:%d", s.Name, first.file, first.line)
				continue
			}
			sloAt[s.Name] = location{fc.file, s.Line}
			cfg.SLOs = append(cfg.SLOs, s)
		}
	}
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

// maxLinesToLocate bounds the work of firstFailingLine, which parses the
// file once per line.
const maxLinesToLocate = 1000

// firstFailingLine finds the line a YAML syntax error is on. yaml.v3 reports
// where the enclosing block starts, not the offending line (a mis-indented
// key three lines further down is reported at the parent's line, counted
// from zero). The first prefix of the file that fails with the same message
// and from which every longer prefix fails the same way ends on the offending
// line (a multi-line flow collection fails while open and parses again once
// closed, so an earlier failure does not count). It returns 0 when no prefix
// reproduces the message, and the caller keeps yaml.v3's line.
func firstFailingLine(data []byte, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxLinesToLocate {
		return 0
	}
	end, candidate := 0, 0
	for i, l := range lines {
		end += len(l)
		_, err := parseYAML(data[:end])
		same := false
		if err != nil {
			m := yamlLine.FindStringSubmatch(err.Error())
			same = (m != nil && m[2] == msg) || trimYAMLPrefix(err.Error()) == msg
		}
		switch {
		case !same:
			candidate = 0
		case candidate == 0:
			candidate = i + 1
		}
	}
	return candidate
}
